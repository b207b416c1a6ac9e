/** Secret holding Grafana's admin login (a random password, never in plaintext). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

const LOKI_UID = "loki";
const TEMPO_UID = "tempo";

/**
 * Loki and Tempo beside the chart's Prometheus, correlated both ways: a trace id in a log line links to the
 * trace, and a span links to the logs around it.
 */
export function grafanaDataSources(urls: { loki: string; tempo: string }) {
    return [
        {
            name: "Loki",
            type: "loki",
            uid: LOKI_UID,
            access: "proxy",
            url: urls.loki,
            jsonData: {
                // JSON (`"trace_id":"..."`) and logfmt (`traceID=...`) logs alike; Grafana evaluates this in the browser.
                derivedFields: [{ name: "TraceID", matcherRegex: "[Tt]race_?[Ii][Dd]\"?[:=]\\s*\"?([0-9a-fA-F]{16,32})", datasourceUid: TEMPO_UID, url: "$${__value.raw}" }],
            },
        },
        {
            name: "Tempo",
            type: "tempo",
            uid: TEMPO_UID,
            access: "proxy",
            url: urls.tempo,
            jsonData: {
                tracesToLogsV2: { datasourceUid: LOKI_UID, filterByTraceID: true, spanStartTimeShift: "-5m", spanEndTimeShift: "5m" },
                // Built from the trace itself; a service map would need Tempo's metrics generator, which is off.
                nodeGraph: { enabled: true },
            },
        },
    ];
}
