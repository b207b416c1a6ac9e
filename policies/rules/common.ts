/** Shared pieces of the platform's policies: type matching and the compliance references they cite. */
import type { PolicyComplianceFramework, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

export const MCSB: PolicyComplianceFramework = {
    name: "Microsoft cloud security benchmark",
    version: "v1",
    reference: "DP-3",
    specification: "Encrypt sensitive data in transit (TLS 1.2 or later, strong cipher suites)",
};

export const MCSB_NETWORK: PolicyComplianceFramework = {
    name: "Microsoft cloud security benchmark",
    version: "v1",
    reference: "NS-2",
    specification: "Secure cloud services with network controls (private access, no public endpoints)",
};

export const MCSB_BACKUP: PolicyComplianceFramework = {
    name: "Microsoft cloud security benchmark",
    version: "v1",
    reference: "BR-2",
    specification: "Protect backup and recovery data and state-bearing resources from deletion",
};

/** Runs `check` on resources whose type token is one of `types` (several tokens cover renamed modules). */
export function forTypes(types: readonly string[], check: (props: Record<string, any>, report: ReportViolation, args: ResourceValidationArgs) => void): ResourceValidation {
    return (args, report) => {
        if (types.includes(args.type)) {
            check(args.props as Record<string, any>, report, args);
        }
    };
}

/** Case-insensitive string comparison for Azure's string-typed booleans and enum values. */
export function equalsIgnoreCase(value: unknown, expected: string): boolean {
    return typeof value === "string" && value.toLowerCase() === expected.toLowerCase();
}

/** The four TLS 1.2 suites the platform allows: ECDHE key exchange with AES-GCM. */
export const ECDHE_GCM_SUITES = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
] as const;
