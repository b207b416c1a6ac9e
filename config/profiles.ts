/** What an environment decides that is not a stack config key: one table, reviewed in one place. */
export interface AzureEnvironmentProfile {
    logRetentionDays: number;
    /** Premium adds IDPS in Deny mode; Standard keeps dev affordable. */
    firewallTier: "Standard" | "Premium";
    /** Standard carries the API server SLA; Free has none. */
    clusterSkuTier: "Free" | "Standard";
    /** Backups survive a zone (and in prod a region) outage. */
    backupStorageSku: "Standard_LRS" | "Standard_GZRS";
    /** Logs and traces survive a zone outage in prod; they are not worth a second region. */
    telemetryStorageSku: "Standard_LRS" | "Standard_ZRS";
}

export const ENVIRONMENT_PROFILES: Record<"dev" | "prod", AzureEnvironmentProfile> = {
    dev: { logRetentionDays: 30, firewallTier: "Standard", clusterSkuTier: "Free", backupStorageSku: "Standard_LRS", telemetryStorageSku: "Standard_LRS" },
    prod: { logRetentionDays: 90, firewallTier: "Premium", clusterSkuTier: "Standard", backupStorageSku: "Standard_GZRS", telemetryStorageSku: "Standard_ZRS" },
};
