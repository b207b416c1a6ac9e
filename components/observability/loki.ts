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
/**
 * The targets that read or write the object store, and so sign in with the workload identity: ingesters flush
 * chunks, queriers read them, the index gateway serves the index, the compactor compacts and deletes, the ruler
 * keeps its rules there. Distributors, the query frontend and scheduler, the nginx gateway and memcached never touch it.
 */
const OBJECT_STORE_TARGETS = ["ingester", "querier", "indexGateway", "compactor", "ruler"];

/** A workload-identity pod label per target: the chart reads `<target>.podLabels` for each (templates/_pod.tpl). */
function withPodLabels(targets: string[], labels: Record<string, string> | undefined): Record<string, { podLabels: Record<string, string> }> {
    return labels ? Object.fromEntries(targets.map((target) => [target, { podLabels: labels }])) : {};
}

/** Per-target value blocks (replicas, labels, volumes, each built apart), merged target by target. */
function mergeTargets(...blocks: Record<string, object>[]): Record<string, object> {
    const merged: Record<string, object> = {};
    for (const block of blocks) {
        for (const [target, values] of Object.entries(block)) {
            merged[target] = { ...merged[target], ...values };
        }
    }
    return merged;
}

export interface LokiSettings {
    backend: TelemetryBackend;
    /** Distributed (prod) or one single-binary replica (dev, local). */
    distributed: boolean;
    retentionDays: number;
    /**
     * Each state volume (the WAL, the compactor's working directory): a rescheduled ingester replays what it had not
     * flushed, and the compactor keeps the delete marks retention works through (on emptyDir both are lost with the pod).
     */
    stateVolume: { sizeGi: number; storageClass?: string };
}

/** The state volumes, in each target's own keys (loki 18.11.0 values.yaml: ingester.persistence.claims, compactor.persistence, singleBinary.persistence). */
function stateVolumes({ sizeGi, storageClass }: LokiSettings["stateVolume"], distributed: boolean): Record<string, object> {
    const size = `${sizeGi}Gi`;
    const claim = { accessModes: ["ReadWriteOnce"], size, ...(storageClass ? { storageClass } : {}) };
    if (!distributed) {
        return { singleBinary: { persistence: { enabled: true, ...claim } } };
    }
    return {
        // The ingester's volume is its one claim named data, mounted at /var/loki (WAL and TSDB head).
        ingester: { persistence: { enabled: true, claims: [{ name: "data", ...claim }] } },
        // No claims list: the chart then makes the data claim from persistence.size (the list is deprecated there).
        compactor: { persistence: { enabled: true, type: "pvc", ...claim, claims: [] } },
    };
}

/** Helm values for the grafana-community `loki` chart. */
export function lokiValues(settings: LokiSettings): Record<string, unknown> {
    const { backend, distributed } = settings;
    const objectStore = backend.kind === "azureBlob" ? "azure" : "filesystem";
    // The workload identity webhook injects the token only into pods carrying this label.
    const workloadIdentity = backend.kind === "azureBlob" ? { "azure.workload.identity/use": "true" } : undefined;
    const zeroReplicas = (targets: string[]) => Object.fromEntries(targets.map((target) => [target, { replicas: 0 }]));
    const replicas = distributed
        ? Object.fromEntries(Object.entries(DISTRIBUTED_REPLICAS).map(([target, count]) => [target, { replicas: count }]))
        : { singleBinary: { replicas: 1 } };
    const objectStoreTargets = distributed ? OBJECT_STORE_TARGETS : ["singleBinary"];
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
        },
        serviceAccount: {
            name: LOKI_SERVICE_ACCOUNT,
            ...(backend.kind === "azureBlob" ? { annotations: { "azure.workload.identity/client-id": backend.lokiClientId } } : {}),
        },
        ...zeroReplicas(SIMPLE_SCALABLE_TARGETS),
        ...mergeTargets(
            distributed ? { singleBinary: { replicas: 0 } } : {},
            replicas,
            // Zone-aware ingesters roll only with the rollout-operator, and the chart advises against spreading Loki
            // over zones (cross-zone traffic): one StatefulSet with the chart's per-node anti-affinity instead.
            distributed ? { ingester: { zoneAwareReplication: { enabled: false } } } : {},
            withPodLabels(objectStoreTargets, workloadIdentity),
            stateVolumes(settings.stateVolume, distributed),
        ),
        gateway: { replicas: distributed ? 2 : 1 },
        // Memcached only pays off at distributed scale; its chunk cache defaults to 8 GiB.
        chunksCache: distributed ? { allocatedMemory: 2048 } : { enabled: false },
        resultsCache: { enabled: distributed },
        // The canary and the Helm test pull `:latest` images and write synthetic logs.
        lokiCanary: { enabled: false },
        test: { enabled: false },
        monitoring: { serviceMonitor: { enabled: true } },
    };
}
