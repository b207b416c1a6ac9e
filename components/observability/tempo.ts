import { TELEMETRY_CONTAINERS, TEMPO_SERVICE_ACCOUNT, type TelemetryBackend } from "./backends";

export const TEMPO_RELEASE = "tempo";

/** Tempo's query API (Grafana) and OTLP gRPC receiver (the collector), on the chart's `<release>` Service. */
export function tempoEndpoints(namespace: string): { queryUrl: string; otlpGrpc: string } {
    const host = `${TEMPO_RELEASE}.${namespace}.svc.cluster.local`;
    return { queryUrl: `http://${host}:3200`, otlpGrpc: `${host}:4317` };
}

export interface TempoSettings {
    backend: TelemetryBackend;
    retentionDays: number;
}

/**
 * Helm values for the grafana-community `tempo` chart (single binary; tempo-distributed 3.x needs Kafka). One
 * replica, in every environment: the chart's config names no memberlist peers (tempo 2.2.4 values.yaml `config`:
 * only a cluster_label), so more replicas would be separate Tempos, each compacting the same blocks. A restart loses
 * no trace: the write-ahead log is on the pod's volume and replayed, and the collector queues and retries spans
 * meanwhile (collectors.ts, TEMPO_OUTAGE).
 */
export function tempoValues(settings: TempoSettings): Record<string, unknown> {
    const { backend } = settings;
    const wal = { path: "/var/tempo/wal" };
    return {
        tempo: {
            reportingEnabled: false,
            retention: `${settings.retentionDays * 24}h`,
            storage: {
                trace: backend.kind === "azureBlob"
                    ? {
                        backend: "azure",
                        azure: { storage_account_name: backend.storageAccountName, container_name: TELEMETRY_CONTAINERS.tempoTraces, use_federated_token: true },
                        wal,
                    }
                    : { backend: "local", local: { path: "/var/tempo/traces" }, wal },
            },
            // Only OTLP, from the collector; the Jaeger receivers stay closed.
            receivers: { jaeger: null, otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } } },
            resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "4Gi" } },
        },
        serviceAccount: {
            name: TEMPO_SERVICE_ACCOUNT,
            ...(backend.kind === "azureBlob" ? { annotations: { "azure.workload.identity/client-id": backend.tempoClientId } } : {}),
        },
        ...(backend.kind === "azureBlob" ? { podLabels: { "azure.workload.identity/use": "true" } } : {}),
        // The write-ahead log survives a restart; finished blocks live in the trace store.
        persistence: { enabled: true, size: "10Gi" },
        serviceMonitor: { enabled: true },
    };
}
