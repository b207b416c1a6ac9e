import type * as pulumi from "@pulumi/pulumi";

/** Where Prometheus, Grafana, Loki, Tempo and the collectors run; other namespaces admit scraping from here. */
export const MONITORING_NAMESPACE = "monitoring";

/** Service accounts the storage identities' federated credentials name (the charts create them with these names). */
export const LOKI_SERVICE_ACCOUNT = "loki";
export const TEMPO_SERVICE_ACCOUNT = "tempo";

/** Blob containers: Loki's chunks and index, Loki's ruler, Tempo's trace blocks. */
export const TELEMETRY_CONTAINERS = { lokiChunks: "loki-chunks", lokiRuler: "loki-ruler", tempoTraces: "tempo-traces" } as const;

/** Logs and traces in Azure Blob, reached through workload identity: no account key exists anywhere. */
export interface AzureBlobTelemetry {
    kind: "azureBlob";
    storageAccountName: pulumi.Output<string>;
    lokiClientId: pulumi.Output<string>;
    tempoClientId: pulumi.Output<string>;
}

/** The local stack: logs and traces on the pods' persistent volumes. */
export interface FilesystemTelemetry {
    kind: "filesystem";
}

export type TelemetryBackend = AzureBlobTelemetry | FilesystemTelemetry;
