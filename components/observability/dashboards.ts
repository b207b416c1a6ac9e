/** Grafana dashboards as code: each becomes a ConfigMap Grafana's dashboard sidecar loads. */

/** kube-prometheus-stack provisions its Prometheus datasource with this uid. */
const PROMETHEUS_DATASOURCE_UID = "prometheus";

export interface Panel {
    title: string;
    /** One PromQL query per panel. */
    expr: string;
    /** Grafana unit id: reqps, percentunit, ms, s, short. */
    unit: string;
    legend: string;
}

export interface Dashboard {
    uid: string;
    title: string;
    panels: Panel[];
}

export function platformDashboards(ingressNamespace: string): Dashboard[] {
    const destination = `reporter="destination"`;
    const gateway = `reporter="source", source_workload_namespace="${ingressNamespace}"`;
    return [
        {
            uid: "platform-mesh",
            title: "Platform / Service mesh",
            panels: [
                { title: "Requests per second", expr: `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{${destination}}[5m]))`, unit: "reqps", legend: "{{destination_workload_namespace}}/{{destination_workload}}" },
                { title: "Server error ratio", expr: `sum by (destination_workload) (rate(istio_requests_total{${destination}, response_code=~"5.."}[5m])) / sum by (destination_workload) (rate(istio_requests_total{${destination}}[5m]))`, unit: "percentunit", legend: "{{destination_workload}}" },
                { title: "Latency p95", expr: `histogram_quantile(0.95, sum by (le, destination_workload) (rate(istio_request_duration_milliseconds_bucket{${destination}}[5m])))`, unit: "ms", legend: "{{destination_workload}}" },
                { title: "Requests without mTLS", expr: `sum by (destination_workload) (rate(istio_requests_total{${destination}, connection_security_policy="none"}[5m]))`, unit: "reqps", legend: "{{destination_workload}}" },
                { title: "Sidecar TLS handshake errors", expr: `sum by (namespace, pod) (rate(envoy_listener_ssl_connection_error{namespace!="${ingressNamespace}"}[5m]))`, unit: "short", legend: "{{namespace}}/{{pod}}" },
            ],
        },
        {
            uid: "platform-ingress-gateway",
            title: "Platform / Ingress gateway",
            panels: [
                { title: "Requests per second by response code", expr: `sum by (response_code) (rate(istio_requests_total{${gateway}}[5m]))`, unit: "reqps", legend: "{{response_code}}" },
                { title: "Rejected: 401, 403, 429", expr: `sum by (response_code) (rate(istio_requests_total{${gateway}, response_code=~"401|403|429"}[5m]))`, unit: "reqps", legend: "{{response_code}}" },
                { title: "Latency p95 by backend", expr: `histogram_quantile(0.95, sum by (le, destination_service_name) (rate(istio_request_duration_milliseconds_bucket{${gateway}}[5m])))`, unit: "ms", legend: "{{destination_service_name}}" },
                { title: "TLS handshakes", expr: `sum by (pod) (rate(envoy_listener_ssl_handshake{namespace="${ingressNamespace}"}[5m]))`, unit: "short", legend: "{{pod}}" },
                { title: "TLS handshake errors", expr: `sum by (pod) (rate(envoy_listener_ssl_connection_error{namespace="${ingressNamespace}"}[5m]))`, unit: "short", legend: "{{pod}}" },
            ],
        },
        {
            uid: "platform-cert-manager",
            title: "Platform / cert-manager",
            panels: [
                { title: "Time until expiry", expr: "min by (exported_namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time())", unit: "s", legend: "{{exported_namespace}}/{{name}}" },
                { title: "Time until renewal", expr: "min by (exported_namespace, name) (certmanager_certificate_renewal_timestamp_seconds - time())", unit: "s", legend: "{{exported_namespace}}/{{name}}" },
                { title: "Certificates not ready", expr: `sum by (exported_namespace) (certmanager_certificate_ready_status{condition!="True"})`, unit: "short", legend: "{{exported_namespace}}" },
                { title: "ACME requests by status", expr: "sum by (status) (rate(certmanager_http_acme_client_request_count[5m]))", unit: "reqps", legend: "{{status}}" },
                { title: "Controller syncs", expr: "sum by (controller) (rate(certmanager_controller_sync_call_count[5m]))", unit: "short", legend: "{{controller}}" },
            ],
        },
    ];
}

/** Grafana's dashboard JSON model: time series panels, two per row. */
export function dashboardJson(dashboard: Dashboard): string {
    const datasource = { type: "prometheus", uid: PROMETHEUS_DATASOURCE_UID };
    return JSON.stringify({
        uid: dashboard.uid,
        title: dashboard.title,
        tags: ["platform"],
        editable: false,
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels: dashboard.panels.map((panel, index) => ({
            id: index + 1,
            type: "timeseries",
            title: panel.title,
            datasource,
            gridPos: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 },
            fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
            targets: [{ refId: "A", datasource, expr: panel.expr, legendFormat: panel.legend }],
        })),
    }, null, 2);
}
