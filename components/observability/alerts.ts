/** Alert rules as code: one PrometheusRule per group, each rule with a severity and a runbook. */

export type Severity = "info" | "warning" | "critical";

export interface AlertRule {
    alert: string;
    expr: string;
    /** How long the condition holds before the alert fires; omitted where one occurrence matters. */
    for?: string;
    severity: Severity;
    summary: string;
}

/** A series the group computes itself (a Prometheus recording rule). */
export interface RecordingRule {
    record: string;
    expr: string;
    labels: Record<string, string>;
}

export interface AlertGroup {
    /** Group name; the PrometheusRule is `platform-<name>`. */
    name: string;
    records?: RecordingRule[];
    rules: AlertRule[];
}

/** The runbook file in this repository; each alert links to its own heading. */
const RUNBOOKS = "docs/runbooks.md";

function runbookUrl(alert: string): string {
    return `${RUNBOOKS}#${alert.toLowerCase()}`;
}

export interface AlertScope {
    /** Namespaces the platform owns: a crash loop there is the platform's problem. */
    platformNamespaces: string[];
    /** Where the mesh ingress gateway runs. */
    ingressNamespace: string;
}

const DAY = 86_400;
/** Seed 000: certificate expiry is announced 30, 14, 7, 3 and 1 days ahead, louder as it nears. */
const EXPIRY_WARNINGS: { days: number; severity: Severity }[] = [
    { days: 30, severity: "info" },
    { days: 14, severity: "warning" },
    { days: 7, severity: "warning" },
    { days: 3, severity: "critical" },
    { days: 1, severity: "critical" },
];

/** The five expiry windows over a series of not-after timestamps: `<prefix>ExpiresIn<N>Day(s)`. */
function expiryRules(prefix: string, notAfterSeries: string, subject: string, what: string): AlertRule[] {
    const remaining = `${notAfterSeries} - time()`;
    return EXPIRY_WARNINGS.map(({ days, severity }, index) => {
        // Each rule covers the window down to the next threshold, so a certificate raises one expiry alert at a time.
        const next = EXPIRY_WARNINGS[index + 1];
        return {
            alert: `${prefix}ExpiresIn${days}Day${days === 1 ? "" : "s"}`,
            expr: next ? `${remaining} < ${days * DAY} > ${next.days * DAY}` : `${remaining} < ${days * DAY}`,
            for: "15m",
            severity,
            summary: `${subject} expires within ${days} day${days === 1 ? "" : "s"} ${what}.`,
        };
    });
}

/**
 * The not-after of every certificate no in-cluster issuer renews: the CAs the program creates or receives, and the
 * certificates the team imports into Key Vault. The rules carry the dates the program read when it last ran.
 */
const HELD_EXPIRY_SERIES = "platform_certificate_expiry_timestamp_seconds";

/** A certificate the platform holds: its name in the alerts, and its not-after (RFC 3339). */
export interface HeldCertificate {
    certificate: string;
    notAfter: string;
}

/** Recording rules that publish each held certificate's not-after, and the same five windows as cert-manager's. */
export function heldCertificateGroup(certificates: HeldCertificate[]): AlertGroup {
    return {
        name: "held-certificates",
        records: certificates.map(({ certificate, notAfter }) => ({
            record: HELD_EXPIRY_SERIES,
            expr: `vector(${Date.parse(notAfter) / 1000})`,
            labels: { certificate },
        })),
        rules: expiryRules("HeldCertificate", HELD_EXPIRY_SERIES, "Certificate {{ $labels.certificate }}", "and nothing in the cluster renews it: rotate it (runbook)"),
    };
}

/** Requests the ingress gateway forwarded (a gateway reports as the source of each request). */
const gatewayRequests = (ingressNamespace: string, extra = "") =>
    `sum(rate(istio_requests_total{reporter="source", source_workload_namespace="${ingressNamespace}"${extra}}[5m]))`;

export function platformAlertGroups(scope: AlertScope): AlertGroup[] {
    const ingress = scope.ingressNamespace;
    return [
        {
            name: "certificates",
            rules: [
                // cert-manager's ServiceMonitor does not honour labels: the certificate's namespace is exported_namespace.
                ...expiryRules("Certificate", "certmanager_certificate_expiration_timestamp_seconds", "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }}", "and has not been renewed"),
                {
                    // Sidecars' certificates live 24 hours: if istiod cannot sign, the mesh loses mTLS within a day.
                    alert: "MeshWorkloadCertificateSigningErrors",
                    expr: "sum(increase(citadel_server_csr_sign_err_count[10m])) > 0",
                    for: "10m",
                    severity: "critical",
                    summary: "istiod failed to sign workload certificates in the last 10 minutes; sidecars lose their identity when their 24-hour certificates lapse.",
                },
                {
                    alert: "CertificateNotReady",
                    expr: `max by (exported_namespace, name) (certmanager_certificate_ready_status{condition!="True"}) == 1`,
                    for: "15m",
                    severity: "warning",
                    summary: "Certificate {{ $labels.exported_namespace }}/{{ $labels.name }} has not been Ready for 15 minutes.",
                },
            ],
        },
        {
            name: "ingress-gateway",
            rules: [
                {
                    alert: "IngressGatewayAuthFailures",
                    expr: `${gatewayRequests(ingress, `, response_code=~"401|403"`)} / ${gatewayRequests(ingress)} > 0.05`,
                    for: "10m",
                    severity: "warning",
                    summary: "More than 5% of requests through the ingress gateway are rejected as unauthenticated or forbidden.",
                },
                {
                    alert: "IngressGatewayRateLimited",
                    expr: `${gatewayRequests(ingress, `, response_code="429"`)} / ${gatewayRequests(ingress)} > 0.05`,
                    for: "10m",
                    severity: "warning",
                    summary: "More than 5% of requests through the ingress gateway are rate-limited (429).",
                },
                {
                    alert: "IngressGatewayTlsHandshakeErrors",
                    expr: `sum by (pod) (rate(envoy_listener_ssl_connection_error{namespace="${ingress}"}[5m])) > 1`,
                    for: "10m",
                    severity: "warning",
                    summary: "Ingress gateway pod {{ $labels.pod }} fails more than one TLS handshake per second.",
                },
            ],
        },
        {
            name: "mesh",
            rules: [
                {
                    alert: "MeshMtlsHandshakeErrors",
                    expr: `sum by (namespace, pod) (rate(envoy_listener_ssl_connection_error{namespace!="${ingress}"}[5m])) > 0.1`,
                    for: "10m",
                    severity: "warning",
                    summary: "Sidecar of {{ $labels.namespace }}/{{ $labels.pod }} rejects mTLS handshakes (a client without a mesh certificate, or an untrusted one).",
                },
                {
                    alert: "MeshPlaintextRequests",
                    expr: `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{reporter="destination", connection_security_policy="none"}[5m])) > 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "{{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }} accepts requests without mTLS: STRICT mode is not in force there.",
                },
            ],
        },
        {
            name: "runtime-security",
            rules: [{
                alert: "FalcoCriticalEvent",
                expr: `sum by (rule, k8s_ns_name) (increase(falcosecurity_falcosidekick_falco_events_total{priority_raw=~"emergency|alert|critical"}[5m])) > 0`,
                severity: "critical",
                summary: "Falco rule \"{{ $labels.rule }}\" fired at critical priority in namespace {{ $labels.k8s_ns_name }}.",
            }],
        },
        {
            name: "admission",
            rules: [{
                alert: "KyvernoPolicyViolations",
                // New violations only: background scans count every existing one again each cycle (the backlog is
                // in the PolicyReports).
                expr: `sum by (policy_name, resource_namespace) (increase(kyverno_policy_results_total{rule_result="fail", rule_execution_cause="admission_request"}[10m])) > 0`,
                severity: "warning",
                summary: "Kyverno policy {{ $labels.policy_name }} failed in {{ $labels.resource_namespace }} in the last 10 minutes.",
            }],
        },
        {
            name: "backups",
            rules: [
                {
                    alert: "VeleroBackupFailed",
                    expr: `increase(velero_backup_failure_total{schedule!=""}[1h]) > 0`,
                    severity: "warning",
                    summary: "A backup of schedule {{ $labels.schedule }} failed in the last hour.",
                },
                {
                    // A backup whose volume snapshots or items partly failed ends PartiallyFailed, not Failed.
                    alert: "VeleroBackupPartiallyFailed",
                    expr: `increase(velero_backup_partial_failure_total{schedule!=""}[2h]) > 0`,
                    severity: "warning",
                    summary: "A backup of schedule {{ $labels.schedule }} partially failed in the last two hours.",
                },
                {
                    // The last-successful gauge exists only after a first success; the attempt counter from the start.
                    alert: "VeleroScheduleNeverSucceeded",
                    expr: `velero_backup_attempt_total{schedule!=""} unless on (schedule) velero_backup_last_successful_timestamp`,
                    for: "25h",
                    severity: "critical",
                    summary: "Schedule {{ $labels.schedule }} has never completed a successful backup.",
                },
                {
                    alert: "VeleroBackupMissing",
                    // 25 hours: a daily schedule may run late, but never skips a whole day.
                    expr: `time() - velero_backup_last_successful_timestamp{schedule!=""} > ${25 * 3600}`,
                    for: "15m",
                    severity: "critical",
                    summary: "Schedule {{ $labels.schedule }} has had no successful backup for 25 hours.",
                },
            ],
        },
        {
            name: "platform-workloads",
            rules: [{
                alert: "PlatformPodCrashLooping",
                expr: `max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff", namespace=~"${scope.platformNamespaces.join("|")}"}) == 1`,
                for: "10m",
                severity: "critical",
                summary: "Platform container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is crash-looping.",
            }],
        },
    ];
}

/** The PrometheusRule spec of one group. */
export function prometheusRuleSpec(group: AlertGroup) {
    return {
        groups: [{
            name: group.name,
            rules: [...(group.records ?? []), ...group.rules.map((rule) => ({
                alert: rule.alert,
                expr: rule.expr,
                ...(rule.for ? { for: rule.for } : {}),
                labels: { severity: rule.severity },
                annotations: { summary: rule.summary, runbook_url: runbookUrl(rule.alert) },
            }))],
        }],
    };
}
