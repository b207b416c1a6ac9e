/** PEM certificates as Azure and the alerts take them. */
import { X509Certificate } from "node:crypto";

/** A PEM certificate's not-after as RFC 3339. */
export function notAfter(pem: string): string {
    return new Date(new X509Certificate(pem).validTo).toISOString();
}

/** The base64 DER body of a PEM certificate: what Azure calls an encoded certificate (.cer). */
export function pemToBase64Der(pem: string): string {
    const body = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/);
    if (!body) {
        throw new Error("not a PEM certificate");
    }
    return body[1]!.replace(/\s+/g, "");
}
