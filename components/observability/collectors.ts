import type * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../../versions";

/** The mesh's tracing provider points here (`opentelemetry-collector.<ns>:4317`): the release name is the Service name. */
export const COLLECTOR_RELEASE = "opentelemetry-collector";
export const ALLOY_RELEASE = "alloy";

/** Port where Alloy accepts Alertmanager's webhook and writes each notification to Loki as one log line. */
export const ALERT_LOG_PORT = 3500;

/** Alertmanager's "everything" receiver: Alloy's raw-lines endpoint (Alertmanager posts one JSON document per line). */
export function alertLogUrl(namespace: string): string {
    return `http://${ALLOY_RELEASE}.${namespace}.svc.cluster.local:${ALERT_LOG_PORT}/loki/api/v1/raw`;
}

/**
 * How long the collector keeps retrying spans Tempo does not accept: Tempo runs one replica, and a reschedule
 * (Azure detaching and attaching its disk on another node) takes minutes. The exporter queues in memory meanwhile
 * (exporterhelper: sending_queue, retry_on_failure; its default gives up after 5 minutes).
 */
export const TEMPO_OUTAGE = "15m";

/** Port of the collector's Prometheus exporter, scraped through the chart's ServiceMonitor. */
const METRICS_EXPORT_PORT = 8889;

/**
 * OpenTelemetry Collector (deployment): OTLP in from the mesh and the apps; traces out to Tempo over OTLP gRPC,
 * metrics exposed for Prometheus to scrape (Prometheus stays pull-only, no remote-write endpoint is opened).
 */
export function collectorValues(settings: { tempoOtlpGrpc: string; replicas: number; imageRepository: pulumi.Input<string> }): Record<string, unknown> {
    const processors = ["memory_limiter", "batch"];
    const closedPort = { enabled: false };
    return {
        mode: "deployment",
        replicaCount: settings.replicas,
        image: { repository: settings.imageRepository, tag: IMAGES.openTelemetryCollector.tag },
        command: { name: "otelcol-contrib" },
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        ports: {
            "jaeger-compact": closedPort,
            "jaeger-thrift": closedPort,
            "jaeger-grpc": closedPort,
            zipkin: closedPort,
            metrics: { enabled: true },
            "prom-export": { enabled: true, containerPort: METRICS_EXPORT_PORT, servicePort: METRICS_EXPORT_PORT, protocol: "TCP" },
        },
        config: {
            receivers: { jaeger: null, zipkin: null, prometheus: null },
            exporters: {
                debug: null,
                // Tempo runs in this namespace, outside the mesh: plain gRPC that the namespace policies keep in-namespace.
                "otlp_grpc/tempo": {
                    endpoint: settings.tempoOtlpGrpc,
                    tls: { insecure: true },
                    sending_queue: { enabled: true },
                    retry_on_failure: { enabled: true, max_elapsed_time: TEMPO_OUTAGE },
                },
                prometheus: { endpoint: `\${env:MY_POD_IP}:${METRICS_EXPORT_PORT}`, resource_to_telemetry_conversion: { enabled: true } },
            },
            service: {
                pipelines: {
                    traces: { receivers: ["otlp"], processors, exporters: ["otlp_grpc/tempo"] },
                    metrics: { receivers: ["otlp"], processors, exporters: ["prometheus"] },
                    logs: null,
                },
            },
        },
        serviceMonitor: { enabled: true, metricsEndpoints: [{ port: "metrics" }, { port: "prom-export" }] },
        ...(settings.replicas > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: 1 } } : {}),
    };
}

/** Alloy's pipeline: every pod's log files on its node, and Alertmanager's notifications, to Loki. */
function alloyConfig(lokiPushUrl: string): string {
    return `
discovery.kubernetes "pods" {
  role = "pod"
  // Only this node's pods: the DaemonSet sets HOSTNAME to the node name.
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pods" {
  path_targets = discovery.relabel.pods.output
}

loki.source.file "pods" {
  targets    = local.file_match.pods.targets
  forward_to = [loki.process.pods.receiver]
}

loki.process "pods" {
  stage.cri {}
  forward_to = [loki.write.platform.receiver]
}

loki.source.api "alertmanager" {
  http {
    listen_address = "0.0.0.0"
    listen_port    = ${ALERT_LOG_PORT}
  }
  labels     = { source = "alertmanager" }
  forward_to = [loki.write.platform.receiver]
}

loki.write "platform" {
  endpoint {
    url = "${lokiPushUrl}"
  }
}
`.trimStart();
}

/**
 * Where Alloy keeps its state (the read positions of every log file) on the node, beside the logs it reads. The
 * chart's default, /tmp/alloy in the container, "is lost between reboots" (alloy 1.11.1 values.yaml storagePath): a
 * restarted Alloy would ship every log file again from its start.
 */
const ALLOY_STATE = { volume: "alloy-state", path: "/var/lib/alloy" };

/** Helm values for Grafana Alloy as the log shipper: a DaemonSet on every node reading /var/log/pods. */
export function alloyValues(lokiPushUrl: string): Record<string, unknown> {
    return {
        // The PodLogs CRD is for Alloy's operator mode, which the platform does not use.
        crds: { create: false },
        alloy: {
            configMap: { content: alloyConfig(lokiPushUrl) },
            storagePath: ALLOY_STATE.path,
            mounts: { varlog: true, extra: [{ name: ALLOY_STATE.volume, mountPath: ALLOY_STATE.path }] },
            enableReporting: false,
            // Pod log files are readable by root only; no capability beyond that is needed.
            securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
            extraPorts: [{ name: "alert-log", port: ALERT_LOG_PORT, targetPort: ALERT_LOG_PORT, protocol: "TCP" }],
        },
        controller: {
            type: "daemonset",
            tolerations: [{ operator: "Exists" }],
            // One Alloy per node, so one writer per host directory.
            volumes: { extra: [{ name: ALLOY_STATE.volume, hostPath: { path: ALLOY_STATE.path, type: "DirectoryOrCreate" } }] },
        },
        serviceMonitor: { enabled: true },
    };
}
