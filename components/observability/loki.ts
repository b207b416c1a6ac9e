import { LOKI_SERVICE_ACCOUNT, TELEMETRY_CONTAINERS, type TelemetryBackend } from "./backends";

export const LOKI_RELEASE = "loki";

/** Loki's push and query entry: the chart's nginx gateway Service (`<release>-gateway`, port 80 -> 8080). */
export function lokiGatewayUrl(namespace: string): string {
    return `http://${LOKI_RELEASE}-gateway.${namespace}.svc.cluster.local`;
}

/** The first day of Loki's only schema period. A schema change adds a later period; this one is never edited. */
const SCHEMA_START = "2026-01-01";

/** Prod: each Loki target scaled on its own; three ingesters on different nodes hold each stream (replication 3). */
const DISTRIBUTED_REPLICAS = { ingester: 3, distributor: 2, querier: 2, queryFrontend: 2, queryScheduler: 2, indexGateway: 2, compactor: 1, ruler: 1 };
/** Targets of the deprecated simple-scalable mode, which the chart enables by default. */
const SIMPLE_SCALABLE_TARGETS = ["read", "write", "backend"];

function distributedTargets(): Record<string, unknown> {
    return {
        ...Object.fromEntries(Object.entries(DISTRIBUTED_REPLICAS).map(([target, replicas]) => [target, { replicas }])),
        // Zone-aware ingesters roll only with the rollout-operator, and the chart advises against spreading Loki
        // over zones (cross-zone traffic): one StatefulSet with the chart's per-node anti-affinity instead.
        ingester: { replicas: DISTRIBUTED_REPLICAS.ingester, zoneAwareReplication: { enabled: false } },
    };
}

export interface LokiSettings {
    backend: TelemetryBackend;
    /** Distributed (prod) or one single-binary replica (dev, local). */
    distributed: boolean;
    retentionDays: number;
}

/** Helm values for the grafana-community `loki` chart. */
export function lokiValues(settings: LokiSettings): Record<string, unknown> {
    const { backend, distributed } = settings;
    const objectStore = backend.kind === "azureBlob" ? "azure" : "filesystem";
    const workloadIdentity = backend.kind === "azureBlob";
    const zeroReplicas = (targets: string[]) => Object.fromEntries(targets.map((target) => [target, { replicas: 0 }]));
    return {
        deploymentMode: distributed ? "Distributed" : "Monolithic",
        loki: {
            // One tenant: the platform's logs. Without this every push would need X-Scope-OrgID.
            auth_enabled: false,
            analytics: { reporting_enabled: false },
            schemaConfig: {
                configs: [{ from: SCHEMA_START, store: "tsdb", object_store: objectStore, schema: "v13", index: { prefix: "index_", period: "24h" } }],
            },
            storage: backend.kind === "azureBlob"
                ? {
                    type: "azure",
                    bucketNames: { chunks: TELEMETRY_CONTAINERS.lokiChunks, ruler: TELEMETRY_CONTAINERS.lokiRuler },
                    // The pod's projected service-account token, exchanged for the Loki identity: no key.
                    azure: { accountName: backend.storageAccountName, useFederatedToken: true },
                }
                : { type: "filesystem" },
            commonConfig: { replication_factor: distributed ? 3 : 1 },
            limits_config: { retention_period: `${settings.retentionDays * 24}h` },
            compactor: { retention_enabled: true, delete_request_store: objectStore },
            // The workload identity webhook injects the token only into pods carrying this label.
            ...(workloadIdentity ? { podLabels: { "azure.workload.identity/use": "true" } } : {}),
        },
        serviceAccount: {
            name: LOKI_SERVICE_ACCOUNT,
            ...(backend.kind === "azureBlob" ? { annotations: { "azure.workload.identity/client-id": backend.lokiClientId } } : {}),
        },
        singleBinary: { replicas: distributed ? 0 : 1 },
        ...zeroReplicas(SIMPLE_SCALABLE_TARGETS),
        ...(distributed ? distributedTargets() : {}),
        gateway: { replicas: distributed ? 2 : 1 },
        // Memcached only pays off at distributed scale; its chunk cache defaults to 8 GiB.
        chunksCache: distributed ? { allocatedMemory: 2048 } : { enabled: false },
        resultsCache: { enabled: distributed },
        // No rules come from ConfigMaps (the ruler reads its bucket). The rules sidecar's ClusterRole reads every Secret
        // in the cluster, and every Loki pod's service account holds it (loki 18.11.0 templates/backend/clusterrole.yaml).
        sidecar: { rules: { enabled: false } },
        // The canary and the Helm test pull `:latest` images and write synthetic logs.
        lokiCanary: { enabled: false },
        test: { enabled: false },
        monitoring: { serviceMonitor: { enabled: true } },
    };
}
