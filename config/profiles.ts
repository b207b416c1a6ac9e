/**
 * What an environment decides that is not a stack config key: one table, reviewed in one place. "What does prod
 * change?" is answered here; platform.ts reads these values and passes them to the components as plain settings.
 */
export interface EnvironmentProfile {
    /** Replicas, disruption budgets and spread across zones for the in-cluster platform. */
    highAvailability: boolean;
    /** Kyverno's failure action: Enforce rejects a non-compliant pod, Audit only reports it. */
    admissionEnforce: boolean;
    /** Short-lived canary certificates through each issuer, and an alert when their renewal stops (docs/runbooks.md). */
    renewalDrill: boolean;
    /**
     * Loki's state volumes (GiB): its ingesters' (or single binary's) write-ahead log, replayed after a restart, and
     * the compactor's working directory, where retention's delete marks wait. An ingester's WAL holds up to Loki's
     * max chunk age (2 h) of what it received, and with replication 3 on 3 ingesters each receives every stream.
     */
    logStateGi: number;
}

export interface AzureEnvironmentProfile extends EnvironmentProfile {
    /** Let's Encrypt's directory: production certificates, or staging's untrusted ones with generous rate limits. */
    acmeEnvironment: "production" | "staging";
    /**
     * Prometheus (a volume of `observability.storageGi`) and Alertmanager (`alertmanagerGi`) keep their data on
     * persistent volumes rather than the node's disk; undefined keeps both on the node. Alertmanager stores only its
     * silences and notification log (kilobytes): 4 GiB is the smallest size Premium SSD bills (P1;
     * learn.microsoft.com/azure/virtual-machines/disks-types, Premium SSD size).
     */
    metricVolumes: { alertmanagerGi: number } | undefined;
    logRetentionDays: number;
    /** Premium adds IDPS in Deny mode; Standard keeps dev affordable. */
    firewallTier: "Standard" | "Premium";
    /** Standard carries the API server SLA; Free has none. */
    clusterSkuTier: "Free" | "Standard";
    /** Backups survive a zone (and in prod a region) outage. */
    backupStorageSku: "Standard_LRS" | "Standard_GZRS";
    /** Logs and traces survive a zone outage in prod; they are not worth a second region. */
    telemetryStorageSku: "Standard_LRS" | "Standard_ZRS";
    /**
     * HSTS max-age when `gateway.hsts.maxAgeSeconds` is not set: a year in prod (OWASP HTTP Strict Transport Security
     * cheat sheet; hstspreload.org's minimum), a day in dev, where a broken edge certificate must not lock browsers out for long.
     */
    hstsMaxAgeSeconds: number;
    /** Microsoft Sentinel on the workspace (`security.sentinel` overrides). */
    sentinel: boolean;
    /** Defender for Containers, subscription-wide (`security.defenderForContainers` overrides). */
    defenderForContainers: boolean;
    /** Phase 2's runners (Container Apps jobs): per job definition, and each runner's size. */
    runners: RunnersProfile;
}

export interface RunnersProfile {
    /**
     * Executions at once and each one's limit in seconds, above the workflow jobs' timeout-minutes (deploy.yml: 60 for
     * previews, 240 for updates) so GitHub cancels a job before Container Apps stops its runner.
     */
    preview: { maxExecutions: number; replicaTimeoutSeconds: number };
    deploy: { maxExecutions: number; replicaTimeoutSeconds: number };
    /** Each container's size; the init and runner containers together stay a Consumption combination (containers#configuration). */
    cpu: number;
    memory: string;
}

/** Previews of both stacks for a few pull requests at once; one update at a time per stack (deploy.yml's concurrency). */
const RUNNERS: RunnersProfile = {
    preview: { maxExecutions: 4, replicaTimeoutSeconds: 75 * 60 },
    deploy: { maxExecutions: 2, replicaTimeoutSeconds: 255 * 60 },
    cpu: 2,
    memory: "4Gi",
};

export interface LocalEnvironmentProfile extends EnvironmentProfile {
    /** A laptop keeps metrics on the node and logs on Loki's volume, briefly. */
    retention: { metricsDays: number; logDays: number; traceDays: number };
}

export const ENVIRONMENT_PROFILES: { dev: AzureEnvironmentProfile; prod: AzureEnvironmentProfile; local: LocalEnvironmentProfile } = {
    dev: {
        highAvailability: false, admissionEnforce: false, logStateGi: 10, acmeEnvironment: "staging", metricVolumes: undefined,
        logRetentionDays: 30, firewallTier: "Standard", clusterSkuTier: "Free", backupStorageSku: "Standard_LRS", telemetryStorageSku: "Standard_LRS",
        hstsMaxAgeSeconds: 86400,
        renewalDrill: true, sentinel: false, defenderForContainers: false,
        runners: RUNNERS,
    },
    prod: {
        highAvailability: true, admissionEnforce: true, logStateGi: 20, acmeEnvironment: "production", metricVolumes: { alertmanagerGi: 4 },
        logRetentionDays: 90, firewallTier: "Premium", clusterSkuTier: "Standard", backupStorageSku: "Standard_GZRS", telemetryStorageSku: "Standard_ZRS",
        hstsMaxAgeSeconds: 31536000,
        renewalDrill: false, sentinel: true, defenderForContainers: true,
        runners: RUNNERS,
    },
    local: {
        highAvailability: false, admissionEnforce: false, renewalDrill: false, logStateGi: 10,
        retention: { metricsDays: 2, logDays: 7, traceDays: 2 },
    },
};
