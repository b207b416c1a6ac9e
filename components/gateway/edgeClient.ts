/**
 * API Management's client certificate for the hop to the mesh ingress gateway (architecture hop 3: "the gateway
 * requires API Management's client certificate"), issued by the platform's private intermediate with @pulumi/tls.
 * cert-manager cannot reach API Management (it runs in the cluster, phase 2); this certificate exists from phase 1.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { pemBlocks, pkcs12 } from "../shared/pkcs12";

export interface EdgeClientArgs {
    namePrefix: string;
    /** The one name the ingress gateway accepts (a DNS SAN of the certificate). */
    subjectAltName: string;
    /** The platform's intermediate CA that signs it: its certificate and (secret) key. */
    issuer: { certificatePem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> };
    /** API Management's service, which holds the certificate (a PKCS #12 upload) for the backend to present. */
    service: { resourceGroupName: pulumi.Input<string>; serviceName: pulumi.Input<string> };
}

/**
 * The lifetime and key of the platform's private leaf certificates (the ingress certificate's cert-manager policy:
 * 90 days, ECDSA P-256). Renewed in the second half of its life: @pulumi/tls marks a LocallySignedCert ready for
 * renewal `earlyRenewalHours` before its end, and the next `pulumi up` replaces it (registry docs of
 * tls.LocallySignedCert, earlyRenewalHours); the expiry alerts' 30-day window fires only when no update ran for 15 days.
 */
const VALIDITY_HOURS = 90 * 24;
const EARLY_RENEWAL_HOURS = 45 * 24;

/** Envoy's verify_certificate_spki: base64 of the SHA-256 of the DER SubjectPublicKeyInfo (a PEM "PUBLIC KEY" block, RFC 7468). */
export function spkiSha256(publicKeyPem: string): string {
    const [spki] = pemBlocks(publicKeyPem, "PUBLIC KEY");
    if (spki === undefined) {
        throw new Error("not a PEM public key (SubjectPublicKeyInfo)");
    }
    return createHash("sha256").update(spki).digest("base64");
}

/** The key, the certificate, its upload to API Management, and what the ingress gateway pins. */
export function declareEdgeClient(name: string, args: EdgeClientArgs, parent: pulumi.Resource) {
    const opts = { parent };
    const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
    const request = new tls.CertRequest(`${name}-csr`, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: `API Management (${args.namePrefix})`, organization: "Platform" },
        dnsNames: [args.subjectAltName],
    }, opts);
    const certificate = new tls.LocallySignedCert(name, {
        certRequestPem: request.certRequestPem,
        caCertPem: args.issuer.certificatePem,
        caPrivateKeyPem: args.issuer.privateKeyPem,
        validityPeriodHours: VALIDITY_HOURS,
        earlyRenewalHours: EARLY_RENEWAL_HOURS,
        // A TLS client's certificate (RFC 5280 extended key usage id-kp-clientAuth).
        allowedUses: ["digital_signature", "client_auth"],
    }, opts);

    const password = new random.RandomPassword(`${name}-pfx-password`, { length: 32, special: false }, opts);
    // Leaf then intermediate: API Management sends the chain it holds.
    const pfx = pulumi.secret(pulumi.all([certificate.certPem, pulumi.output(args.issuer.certificatePem), key.privateKeyPemPkcs8, password.result])
        .apply(([leaf, intermediate, pkcs8, secret]) => pkcs12(`${leaf}${intermediate}`, pkcs8, secret).toString("base64")));
    // learn.microsoft.com/azure/api-management/api-management-howto-mutual-certificates: a client certificate for
    // backends is uploaded to the service (PFX with its password), then named by the backend's credentials.
    const upload = new apimanagement.Certificate(`${name}-upload`, {
        ...args.service,
        certificateId: "ingress-client",
        data: pfx,
        password: pulumi.secret(password.result),
    }, opts);

    return {
        upload,
        notAfter: certificate.validityEndTime,
        subjectAltName: args.subjectAltName,
        spkiSha256: key.publicKeyPem.apply(spkiSha256),
    };
}
