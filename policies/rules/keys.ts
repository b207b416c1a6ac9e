/** Strength of the keys a stack generates. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { PrivateKeyArgs } from "@pulumi/tls";
import type { Unwrap } from "@pulumi/pulumi";
import { MCSB } from "./common";
import { resourceType, validate } from "./kinds";

const TLS_PRIVATE_KEY = resourceType<Unwrap<PrivateKeyArgs>>("tls:index/privateKey:PrivateKey");

export const tlsPrivateKeyStrength: ResourceValidationPolicy = {
    name: "tls-private-key-strength",
    description: "Keys generated with @pulumi/tls are RSA 2048+ or ECDSA P-256 or stronger.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use algorithm ECDSA with ecdsaCurve P256/P384/P521, or RSA with rsaBits >= 2048 (3072 for CAs).",
    validateResource: validate(TLS_PRIVATE_KEY, (key, report) => {
        // The provider's defaults: RSA at 2048 bits, ECDSA on P224 (registry docs of tls_private_key).
        if (key.algorithm === "RSA" && (key.rsaBits ?? 2048) < 2048) {
            report(`rsaBits is ${key.rsaBits}; at least 2048.`);
        }
        if (key.algorithm === "ECDSA" && (key.ecdsaCurve ?? "P224") === "P224") {
            report(`ecdsaCurve is ${JSON.stringify(key.ecdsaCurve ?? "P224 (the provider default)")}; use P256 or stronger.`);
        }
    }),
};

export const keyPolicies = [tlsPrivateKeyStrength];
