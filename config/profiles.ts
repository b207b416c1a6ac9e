/** What an environment decides that is not a stack config key: one table, reviewed in one place. */
export interface EnvironmentProfile {
    /** Protect state-bearing resources from `pulumi destroy` and accidental replacement. */
    protectStateful: boolean;
    logRetentionDays: number;
}

export const ENVIRONMENT_PROFILES: Record<"dev" | "prod", EnvironmentProfile> = {
    // dev protects state too: a fresh subscription's first `pulumi destroy` must not take Key Vault or logs with it.
    dev: { protectStateful: true, logRetentionDays: 30 },
    prod: { protectStateful: true, logRetentionDays: 90 },
};
