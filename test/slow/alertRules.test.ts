/**
 * The platform's alert rules under Prometheus's own rule engine: `promtool check rules` parses every group,
 * `promtool test rules` evaluates them on series written here, one per expiry window (seed 000: 30, 14, 7, 3
 * and 1 days), and checks which alert fires with which severity. promtool comes from Debian's `prometheus`
 * package (`bash scripts/install-promtool.sh`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { heldCertificateGroup, platformAlertGroups, prometheusRuleSpec } from "../../components/observability/alerts";

const DAY = 86_400;
/** promtool's clock starts at 0; alerts are read 20 minutes in, past every rule's `for: 15m`. */
const EVAL_SECONDS = 20 * 60;

/** The windows from the seed, a remaining time inside each, and the alert and severity expected there. */
const WINDOWS = [
    { days: 20, alertDays: "30Days", within: "30 days", severity: "info" },
    { days: 10, alertDays: "14Days", within: "14 days", severity: "warning" },
    { days: 5, alertDays: "7Days", within: "7 days", severity: "warning" },
    { days: 2, alertDays: "3Days", within: "3 days", severity: "critical" },
    { days: 0.5, alertDays: "1Day", within: "1 day", severity: "critical" },
];
const expiresAt = (days: number) => EVAL_SECONDS + days * DAY;

function promtool(args: string[], cwd: string) {
    const run = spawnSync("promtool", args, { cwd, encoding: "utf8" });
    assert.notEqual(run.error?.message.includes("ENOENT"), true, "promtool is missing: bash scripts/install-promtool.sh");
    return run;
}

describe("alert rules under promtool", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-rules-"));
    const groups = [
        ...platformAlertGroups({ platformNamespaces: ["cert-manager", "istio-system"], ingressNamespace: "istio-ingress" }),
        // One held CA per window, expiring that far after promtool's clock start.
        heldCertificateGroup(WINDOWS.map(({ days }) => ({ certificate: `ca-${days}d`, notAfter: new Date(expiresAt(days) * 1000).toISOString() }))),
    ];
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: groups.flatMap((g) => prometheusRuleSpec(g).groups) }));

    it("parse: promtool check rules", () => {
        const run = promtool(["check", "rules", "rules.yaml"], dir);
        assert.equal(run.status, 0, run.stdout + run.stderr);
    });

    it("fire in their window with their severity: cert-manager's certificates and the CAs nothing renews", () => {
        const series = WINDOWS.map(({ days }) => ({
            series: `certmanager_certificate_expiration_timestamp_seconds{exported_namespace="istio-ingress",name="cert-${days}d"}`,
            values: `${expiresAt(days)}+0x30`,
        }));
        // Each alert links its own runbook section (docs/runbooks.md, headings are the alert names).
        const annotations = (alert: string, summary: string) => ({ summary, runbook_url: `docs/runbooks.md#${alert.toLowerCase()}` });
        const expected = WINDOWS.flatMap(({ days, alertDays, within, severity }) => [
            {
                eval_time: `${EVAL_SECONDS}s`,
                alertname: `CertificateExpiresIn${alertDays}`,
                exp_alerts: [{
                    exp_labels: { severity, exported_namespace: "istio-ingress", name: `cert-${days}d` },
                    exp_annotations: annotations(`CertificateExpiresIn${alertDays}`, `Certificate istio-ingress/cert-${days}d expires within ${within} and has not been renewed.`),
                }],
            },
            {
                eval_time: `${EVAL_SECONDS}s`,
                alertname: `HeldCertificateExpiresIn${alertDays}`,
                exp_alerts: [{
                    exp_labels: { severity, certificate: `ca-${days}d` },
                    exp_annotations: annotations(`HeldCertificateExpiresIn${alertDays}`, `Certificate ca-${days}d expires within ${within} and nothing in the cluster renews it: rotate it (runbook).`),
                }],
            },
        ]);
        // A certificate with 60 days left raises nothing.
        const quiet = { series: `certmanager_certificate_expiration_timestamp_seconds{exported_namespace="x",name="far"}`, values: `${expiresAt(60)}+0x30` };
        fs.writeFileSync(path.join(dir, "tests.yaml"), stringify({
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: [{ interval: "1m", input_series: [...series, quiet], alert_rule_test: expected }],
        }));
        const run = promtool(["test", "rules", "tests.yaml"], dir);
        assert.equal(run.status, 0, run.stdout + run.stderr);
    });

    it("would fail a wrong expectation (the test above can fail)", () => {
        fs.writeFileSync(path.join(dir, "wrong.yaml"), stringify({
            rule_files: ["rules.yaml"],
            tests: [{
                interval: "1m",
                input_series: [{ series: `certmanager_certificate_expiration_timestamp_seconds{exported_namespace="a",name="b"}`, values: `${expiresAt(20)}+0x30` }],
                alert_rule_test: [{ eval_time: `${EVAL_SECONDS}s`, alertname: "CertificateExpiresIn30Days", exp_alerts: [{ exp_labels: { severity: "critical", exported_namespace: "a", name: "b" }, exp_annotations: { summary: "Certificate a/b expires within 30 days and has not been renewed.", runbook_url: "docs/runbooks.md#certificateexpiresin30days" } }] }],
            }],
        }));
        assert.notEqual(promtool(["test", "rules", "wrong.yaml"], dir).status, 0);
    });
});
