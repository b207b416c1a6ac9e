/** cert-manager: the certificates it issues and how its issuers reach their CA. */
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MCSB } from "./common";
import { kubernetes, validate } from "./kinds";

const CERTIFICATE = kubernetes<ICertificate>("cert-manager.io", "Certificate", ["v1"]);
// A ClusterIssuer's spec is an Issuer's.
const ISSUERS = [kubernetes<IIssuer>("cert-manager.io", "Issuer", ["v1"]), kubernetes<IIssuer>("cert-manager.io", "ClusterIssuer", ["v1"])];

/** Go duration ("2160h", "720h0m0s", "90m") in hours. */
export function durationHours(text: string): number | undefined {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (!match || text === "") {
        return undefined;
    }
    return Number(match[1] ?? 0) + Number(match[2] ?? 0) / 60 + Number(match[3] ?? 0) / 3600;
}

/** cert-manager's default certificate lifetime. */
const DEFAULT_DURATION_HOURS = 2160;

export const certManagerCertificatePolicy: ResourceValidationPolicy = {
    name: "cert-manager-certificate-policy",
    description: "cert-manager Certificates: strong keys rotated on renewal, at most 90 days, renewed before expiry.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use privateKey ECDSA (256+) or RSA (2048+), never rotationPolicy: Never, duration <= 2160h, renewBefore < duration.",
    validateResource: validate(CERTIFICATE, (certificate, report) => {
        const spec = certificate.spec;
        const key = spec?.privateKey ?? {};
        const algorithm = key.algorithm ?? "RSA";
        if (algorithm === "RSA" && (key.size ?? 2048) < 2048) {
            report(`spec.privateKey.size is ${key.size} for RSA; at least 2048.`);
        }
        if (algorithm === "ECDSA" && (key.size ?? 256) < 256) {
            report(`spec.privateKey.size is ${key.size} for ECDSA; at least 256.`);
        }
        // Unset means Always since cert-manager 1.18 ("a new default for Certificate.Spec.PrivateKey.RotationPolicy
        // now set to Always", v1.18.0 release notes); releases before it are out of support.
        if (key.rotationPolicy === "Never") {
            report(`spec.privateKey.rotationPolicy is "Never"; use "Always" (the default) so every renewal gets a new key.`);
        }
        const duration = spec?.duration === undefined ? DEFAULT_DURATION_HOURS : durationHours(spec.duration);
        if (duration === undefined || duration > DEFAULT_DURATION_HOURS) {
            report(`spec.duration is ${JSON.stringify(spec?.duration)}; at most 2160h (90 days).`);
        }
        const renewBefore = spec?.renewBefore === undefined ? undefined : durationHours(spec.renewBefore);
        if (spec?.renewBefore !== undefined && (renewBefore === undefined || duration === undefined || renewBefore >= duration)) {
            report(`spec.renewBefore is ${JSON.stringify(spec.renewBefore)}; it must be shorter than the duration.`);
        }
    }),
};

export const certManagerIssuerTls: ResourceValidationPolicy = {
    name: "cert-manager-issuer-tls",
    description: "cert-manager issuers reach their ACME or Vault server over HTTPS and verify its certificate.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use an https:// acme.server and vault.server; remove acme.skipTLSVerify (give the issuer the server's CA with acme.caBundle or vault.caBundle instead).",
    validateResource: validate(ISSUERS, (issuer, report) => {
        const { acme, vault } = issuer.spec ?? {};
        if (acme?.skipTLSVerify === true) {
            report("spec.acme.skipTLSVerify is true; verify the ACME server's certificate (acme.caBundle for a private CA).");
        }
        for (const [path, server] of [["spec.acme.server", acme?.server], ["spec.vault.server", vault?.server]] as const) {
            if (server !== undefined && !/^https:\/\//i.test(server)) {
                report(`${path} is ${JSON.stringify(server)}; use https://.`);
            }
        }
    }),
};

export const certManagerPolicies = [certManagerCertificatePolicy, certManagerIssuerTls];
