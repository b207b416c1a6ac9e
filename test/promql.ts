/** PromQL checks for alert rules and dashboards: the expression parses, and every metric is one an exporter here produces. */
import { parser } from "@prometheus-io/lezer-promql";

/**
 * Metrics the platform's queries may read, by the component that exports them at the pinned versions. A name
 * outside this list is a typo or a metric the platform does not collect.
 */
export const KNOWN_METRICS: Record<string, string[]> = {
    "cert-manager": [
        "certmanager_certificate_expiration_timestamp_seconds",
        "certmanager_certificate_renewal_timestamp_seconds",
        "certmanager_certificate_ready_status",
        "certmanager_http_acme_client_request_count",
        "certmanager_controller_sync_call_count",
    ],
    "istio (standard metrics)": ["istio_requests_total", "istio_request_duration_milliseconds_bucket"],
    // Exported only because the mesh config includes them (proxyStatsMatcher).
    "envoy listener TLS stats": ["envoy_listener_ssl_connection_error", "envoy_listener_ssl_handshake"],
    falcosidekick: ["falcosecurity_falcosidekick_falco_events_total"],
    kyverno: ["kyverno_policy_results_total"],
    velero: ["velero_backup_failure_total", "velero_backup_last_successful_timestamp"],
    "kube-state-metrics": ["kube_pod_container_status_waiting_reason"],
};

const known = new Set(Object.values(KNOWN_METRICS).flat());

/** What is wrong with a PromQL expression: syntax errors and unknown metric names (empty when it is fine). */
export function promqlProblems(expr: string): string[] {
    const problems: string[] = [];
    parser.parse(expr).iterate({
        enter(node) {
            if (node.type.isError) {
                problems.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
            }
            // The metric name of a vector selector.
            if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
                const metric = expr.slice(node.from, node.to);
                if (!known.has(metric)) {
                    problems.push(`unknown metric ${metric}`);
                }
            }
        },
    });
    return problems;
}
