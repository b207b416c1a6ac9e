/** PromQL checks for alert rules and dashboards: the expression parses, and every metric is one an exporter here produces. */
import { parser } from "@prometheus-io/lezer-promql";

/**
 * Metrics the platform's queries may read, by the component that exports them at the pinned versions, with the
 * labels each series carries once Prometheus has scraped it. A name outside this list is a typo or a metric the
 * platform does not collect; a label outside its metric's list matches nothing.
 */
const ISTIO_STANDARD_LABELS = [
    "reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version", "source_cluster",
    "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
    "destination_service", "destination_service_name", "destination_service_namespace", "destination_cluster",
    "request_protocol", "response_code", "grpc_response_status", "response_flags", "connection_security_policy",
];

export const KNOWN_METRICS: Record<string, Record<string, string[]>> = {
    // cert-manager pkg/metrics (v1.21): name, namespace, issuer_* (+ condition on ready_status). Its ServiceMonitor
    // has honorLabels false (chart values), so the certificate's namespace arrives as exported_namespace and
    // `namespace` is cert-manager's own.
    "cert-manager": {
        certmanager_certificate_expiration_timestamp_seconds: ["name", "exported_namespace", "issuer_name", "issuer_kind", "issuer_group"],
        certmanager_certificate_renewal_timestamp_seconds: ["name", "exported_namespace", "issuer_name", "issuer_kind", "issuer_group"],
        certmanager_certificate_ready_status: ["name", "exported_namespace", "condition", "issuer_name", "issuer_kind", "issuer_group"],
        certmanager_http_acme_client_request_count: ["scheme", "host", "path", "method", "status"],
        certmanager_controller_sync_call_count: ["controller"],
    },
    // Istio standard metrics: every one carries the standard labels (istio.io/latest/docs/reference/config/metrics).
    "istio (standard metrics)": {
        istio_requests_total: ISTIO_STANDARD_LABELS,
        istio_request_duration_milliseconds_bucket: [...ISTIO_STANDARD_LABELS, "le"],
    },
    // Exported only because the mesh config includes them (proxyStatsMatcher); Envoy's listener tag is listener_address.
    "envoy listener TLS stats": {
        envoy_listener_ssl_connection_error: ["listener_address"],
        envoy_listener_ssl_handshake: ["listener_address"],
    },
    // falcosidekick 2.31.1 handlers.go: priority is the number, priority_raw the name.
    falcosidekick: { falcosecurity_falcosidekick_falco_events_total: ["rule", "priority", "priority_raw", "source", "hostname", "k8s_ns_name", "k8s_pod_name"] },
    // kyverno pkg/metrics/policy_engine.go (1.19).
    kyverno: { kyverno_policy_results_total: ["policy_name", "policy_type", "policy_background_mode", "policy_validation_mode", "policy_namespace", "rule_name", "rule_result", "rule_type", "rule_execution_cause", "resource_kind", "resource_namespace", "resource_request_operation"] },
    // velero pkg/metrics/metrics.go: every backup metric carries `schedule`; InitSchedule seeds the counters only.
    velero: {
        velero_backup_attempt_total: ["schedule"],
        velero_backup_failure_total: ["schedule"],
        velero_backup_partial_failure_total: ["schedule"],
        velero_backup_last_successful_timestamp: ["schedule"],
    },
    // istio security/pkg/server/ca/monitoring.go (1.30): the CA's signing errors carry `error` (the error type).
    "istiod CA": { citadel_server_csr_sign_err_count: ["error"] },
    // The platform's own recording rule (components/observability/alerts.ts): one series per held CA certificate.
    "platform recording rules": { platform_certificate_expiry_timestamp_seconds: ["certificate"] },
    "kube-state-metrics": { kube_pod_container_status_waiting_reason: ["namespace", "pod", "container", "reason", "uid"] },
};

/** Labels Prometheus adds to every scraped series from the target (ServiceMonitor/PodMonitor relabelling). */
const TARGET_LABELS = ["namespace", "pod", "container", "service", "endpoint", "job", "instance"];

/** Labels whose values are a closed set, with that set, from the exporter's source. */
const LABEL_VALUES: Record<string, readonly string[]> = {
    // falcosidekick types.PriorityType: the numbers 0 (emergency) to 7 (debug), and their names.
    priority: ["0", "1", "2", "3", "4", "5", "6", "7"],
    priority_raw: ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"],
    connection_security_policy: ["mutual_tls", "none", "unknown"],
    reporter: ["source", "destination", "waypoint"],
    rule_result: ["pass", "fail", "warn", "error", "skip"],
    // kyverno pkg/metrics: admission requests, or the background controller's rescans of existing resources.
    rule_execution_cause: ["admission_request", "background_scan"],
};

const metricLabels = new Map(Object.values(KNOWN_METRICS).flatMap((metrics) => Object.entries(metrics)));

/**
 * What is wrong with a PromQL expression (empty when it is fine): syntax errors, unknown metric names, label names
 * none of its metrics carry, and matcher values a closed label never takes.
 */
export function promqlProblems(expr: string): string[] {
    const problems: string[] = [];
    const metrics: string[] = [];
    const labels: { name: string; op?: string; value?: string }[] = [];
    const text = (node: { from: number; to: number }) => expr.slice(node.from, node.to);
    parser.parse(expr).iterate({
        enter(node) {
            if (node.type.isError) {
                problems.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
            }
            if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
                metrics.push(text(node));
            }
            if (node.name === "LabelName") {
                const matcher = node.node.parent?.name === "UnquotedLabelMatcher" ? node.node.parent : undefined;
                const op = matcher?.getChild("MatchOp");
                const value = matcher?.getChild("StringLiteral");
                labels.push({ name: text(node), op: op ? text(op) : undefined, value: value ? JSON.parse(text(value)) as string : undefined });
            }
        },
    });
    const unknown = metrics.filter((m) => !metricLabels.has(m));
    problems.push(...unknown.map((m) => `unknown metric ${m}`));
    const carried = new Set([...TARGET_LABELS, ...metrics.flatMap((m) => metricLabels.get(m) ?? [])]);
    for (const { name, op, value } of labels) {
        if (unknown.length === 0 && !carried.has(name)) {
            problems.push(`label ${name} is on none of ${metrics.join(", ")}`);
        }
        const allowed = LABEL_VALUES[name];
        if (allowed && value !== undefined && (op === "=" || op === "=~")) {
            // Each alternative of a positive matcher must be a value the exporter emits.
            const alternatives = op === "=" ? [value] : value.replace(/^\(\?i\)/, "").split("|");
            const impossible = alternatives.filter((a) => !allowed.includes(a));
            if (impossible.length > 0) {
                problems.push(`${name}${op}"${value}": ${name} takes ${allowed.join(", ")}, never ${impossible.join(", ")}`);
            }
        }
    }
    return problems;
}
