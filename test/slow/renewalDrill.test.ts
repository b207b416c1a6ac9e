/**
 * The renewal drill's alerts under Prometheus's own rule engine (promtool, as test/slow/alertRules.test.ts runs
 * it): a canary whose renewal time keeps moving raises nothing; one stuck past its renewal time by more than two
 * hours raises RenewalDrillStalled; a canary that exports no series raises RenewalDrillMissing. The series are
 * written here as cert-manager exports them (certmanager_certificate_renewal_timestamp_seconds, seconds).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { renewalCanaries, renewalDrillGroup } from "../../components/certmanager/canary";
import { prometheusRuleSpec } from "../../components/observability/alerts";
import { promqlProblems } from "../promql";

const HOUR = 3600;

function promtool(args: string[], cwd: string) {
    const run = spawnSync("promtool", args, { cwd, encoding: "utf8" });
    assert.notEqual(run.error?.message.includes("ENOENT"), true, "promtool is missing: bash scripts/install-promtool.sh");
    return run;
}

describe("renewal drill alerts under promtool", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-drill-"));
    const canaries = renewalCanaries({ platformCa: "platform-ca", acme: "letsencrypt" }, { platformCa: "renewal-canary.aks-ingress.example.com", acme: "renewal-canary.example.com" });
    const group = renewalDrillGroup("cert-manager", canaries);
    fs.writeFileSync(path.join(dir, "rules.yaml"), stringify(prometheusRuleSpec(group)));
    const series = (name: string) => `certmanager_certificate_renewal_timestamp_seconds{exported_namespace="cert-manager",name="${name}"}`;
    const annotations = (alert: string, summary: string) => ({ summary, runbook_url: `docs/runbooks.md#${alert.toLowerCase()}` });

    it("names both canaries (6 h through the platform CA, the ACME one renewed daily) and reads metrics cert-manager exports", () => {
        assert.deepEqual(canaries.map((c) => [c.name, c.issuer, c.duration, c.renewBefore]), [
            ["renewal-canary-platform-ca", "platform-ca", "6h", "4h"],
            ["renewal-canary-acme", "letsencrypt", "2160h", "2136h"],
        ]);
        for (const rule of group.rules) {
            assert.deepEqual(promqlProblems(rule.expr), [], rule.alert);
        }
        assert.equal(promtool(["check", "rules", "rules.yaml"], dir).status, 0);
    });

    it("stays quiet while renewals happen, fires when the renewal time is two hours past, and when a canary reports nothing", () => {
        // promtool's clock starts at 0. The CA canary renews every 2 h: its renewal time stays ahead of the clock.
        // The ACME canary's renewal time is stuck at 1 h: from 3 h on it is more than two hours overdue.
        const renewing = Array.from({ length: 6 }, (_, i) => `${(i + 1) * 2 * HOUR}x120`).join(" ");
        fs.writeFileSync(path.join(dir, "tests.yaml"), stringify({
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: [
                        { series: series("renewal-canary-platform-ca"), values: renewing },
                        { series: series("renewal-canary-acme"), values: `${HOUR}+0x600` },
                    ],
                    alert_rule_test: [
                        // 2 h 50 min: 1 h 50 min past, not yet stalled.
                        { eval_time: "170m", alertname: "RenewalDrillStalled", exp_alerts: [] },
                        // 3 h 20 min: stalled since 3 h, and held for the rule's 15 minutes.
                        {
                            eval_time: "200m",
                            alertname: "RenewalDrillStalled",
                            exp_alerts: [{
                                exp_labels: { severity: "warning", exported_namespace: "cert-manager", name: "renewal-canary-acme" },
                                exp_annotations: annotations("RenewalDrillStalled", "Canary certificate cert-manager/renewal-canary-acme is more than two hours past its renewal time: its issuer stopped renewing."),
                            }],
                        },
                        { eval_time: "200m", alertname: "RenewalDrillMissing", exp_alerts: [] },
                    ],
                },
                {
                    interval: "1m",
                    // Only the CA canary reports: the ACME one is gone.
                    input_series: [{ series: series("renewal-canary-platform-ca"), values: renewing }],
                    alert_rule_test: [
                        { eval_time: "20m", alertname: "RenewalDrillMissing", exp_alerts: [] },
                        {
                            eval_time: "40m",
                            alertname: "RenewalDrillMissing",
                            exp_alerts: [{
                                exp_labels: { severity: "warning", exported_namespace: "cert-manager", name: "renewal-canary-acme" },
                                exp_annotations: annotations("RenewalDrillMissing", "Canary certificate cert-manager/renewal-canary-acme reports no renewal time: it is gone, or cert-manager is not scraped."),
                            }],
                        },
                    ],
                },
            ],
        }));
        const run = promtool(["test", "rules", "tests.yaml"], dir);
        assert.equal(run.status, 0, run.stdout + run.stderr);
    });
});
