/** Shared pieces of the platform's policies: the compliance references they cite and small comparisons. */
import type { PolicyComplianceFramework } from "@pulumi/policy";

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

export const MCSB_IDENTITY: PolicyComplianceFramework = {
    name: "Microsoft cloud security benchmark",
    version: "v1",
    reference: "IM-4",
    specification: "Authenticate server and services",
};

export const MCSB_BACKUP: PolicyComplianceFramework = {
    name: "Microsoft cloud security benchmark",
    version: "v1",
    reference: "BR-2",
    specification: "Protect backup and recovery data and state-bearing resources from deletion",
};

/** Case-insensitive string comparison for Azure's string-typed booleans and enum values. */
export function equalsIgnoreCase(value: unknown, expected: string): boolean {
    return typeof value === "string" && value.toLowerCase() === expected.toLowerCase();
}

/** Whether `value` is one of `allowed`; typing `allowed` as an SDK enum's values keeps misspelt names from compiling. */
export function isOneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
    return (allowed as readonly unknown[]).includes(value);
}
