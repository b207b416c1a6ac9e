/**
 * Day-two operations in the stacks' plans (issue 35): Sentinel and Defender for Containers where the profile or the
 * stack turns them on, the monitoring add-on and the firewall egress it needs, application namespaces' Key Vault
 * secrets, the renewal drill in dev, and the Grafana admin password's rotation. Expected values are written from
 * the requirement and Microsoft's and cert-manager's documentation, not read from the components.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { ConfigError, parsePlatformConfig } from "../../config";
import { definePlatform } from "../../platform";
import { SECRET_SIG, SIG_KEY, UNKNOWN, type Graph } from "../../offline/engine";
import { APPLICATION_SECRETS, byName, GRAFANA_ROTATION, ofType, OPTIONAL_INPUTS, plan, planDevWithOptions, rawConfig } from "../helpers";

type Inputs = Record<string, any>;
const types = (graph: Graph) => new Set(graph.resources.map((r) => r.type));
const cluster = (graph: Graph) => byName(graph, "cluster-aks").inputs as Inputs;
const applicationRules = (graph: Graph) => ofType(graph, "azure-native:network:FirewallPolicyRuleCollectionGroup")
    .flatMap((g) => (g.inputs["ruleCollections"] as Inputs[]).flatMap((c) => c["rules"] as Inputs[]))
    .filter((r) => r["ruleType"] === "ApplicationRule");
const unwrap = (value: unknown): unknown => (value && typeof value === "object" && (value as Inputs)[SIG_KEY] === SECRET_SIG ? (value as Inputs)["value"] : value);

describe("security operations in the plans", () => {
    it("prod runs Sentinel and Defender for Containers by its profile; dev by default neither", async () => {
        const prod = types(await plan("prod"));
        for (const type of ["platform:siem:Siem", "azure-native:securityinsights:SentinelOnboardingState", "platform:defender:DefenderForContainers", "azure-native:security:Pricing"]) {
            assert.ok(prod.has(type), `prod lacks ${type}`);
        }
        const dev = types(await plan("dev"));
        assert.deepEqual(["platform:siem:Siem", "platform:defender:DefenderForContainers", "azure-native:monitor:DataCollectionRule"].filter((t) => dev.has(t)), []);
    });

    it("prod's cluster sends to the workspace through the monitoring add-on with Entra ID auth; dev's has no such add-on", async () => {
        // Update mode: the workspace's id is known.
        const prod = await plan("prod", false, "all");
        const workspace = byName(prod, "network-logs").inputs["workspaceName"];
        const omsagent = cluster(prod)["addonProfiles"].omsagent;
        assert.equal(omsagent.enabled, true);
        assert.equal(omsagent.config.useAADAuth, "true");
        assert.match(String(omsagent.config.logAnalyticsWorkspaceResourceID), new RegExp(`/providers/Microsoft\\.OperationalInsights/workspaces/${workspace}$`));
        assert.equal(cluster(await plan("dev"))["addonProfiles"].omsagent, undefined);
    });

    it("opens the Azure Monitor agent's endpoints through the firewall only where Container insights runs (kubernetes-monitoring-firewall)", async () => {
        const rule = (graph: Graph) => applicationRules(graph).find((r) => r["name"] === "container-insights");
        const prod = rule(await plan("prod"))!;
        assert.deepEqual([...prod["targetFqdns"]].sort(), ["*.ingest.monitor.azure.com", "*.monitoring.azure.com", "global.handler.control.monitor.azure.com", "westeurope.handler.control.monitor.azure.com"]);
        assert.deepEqual(prod["protocols"], [{ protocolType: "Https", port: 443 }]);
        // The rest of the documented list is allowed for every cluster already.
        const all = applicationRules(await plan("prod")).flatMap((r) => r["targetFqdns"] ?? []);
        for (const fqdn of ["*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "dc.services.visualstudio.com"]) {
            assert.ok(all.includes(fqdn), fqdn);
        }
        assert.equal(rule(await plan("dev")), undefined);
    });

    it("a dev stack may turn both on; prod may turn Sentinel off only with a webhook to another SIEM", () => {
        const dev = rawConfig("dev");
        assert.doesNotThrow(() => parsePlatformConfig({ ...dev, security: { sentinel: true, defenderForContainers: true } }));
        const prod = rawConfig("prod");
        assert.throws(() => parsePlatformConfig({ ...prod, security: { sentinel: false } }),
            /platform:security\.sentinel: false may be false in prod only with siemWebhookUrl set \(security events must reach a SIEM\)/);
        assert.doesNotThrow(() => parsePlatformConfig({ ...prod, security: { sentinel: false }, siemWebhookUrl: OPTIONAL_INPUTS.siemWebhookUrl }));
    });
});

describe("application namespaces' secrets in the plans", () => {
    it("turns on the Key Vault secrets provider add-on with rotation only when namespaces are configured", async () => {
        for (const graph of [await plan("dev"), await plan("prod")]) {
            assert.deepEqual(cluster(graph)["addonProfiles"].azureKeyvaultSecretsProvider, { enabled: false });
        }
        // learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options: rotation on, polled every 2 minutes.
        assert.deepEqual(cluster(await planDevWithOptions())["addonProfiles"].azureKeyvaultSecretsProvider,
            { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } });
    });

    it("gives each configured namespace its vault and identity, and names them in the stack outputs", async () => {
        const graph = await planDevWithOptions();
        const subjects = ofType(graph, "azure-native:managedidentity:FederatedIdentityCredential").map((f) => f.inputs["subject"]);
        assert.ok(subjects.includes("system:serviceaccount:payments:secrets-reader"), subjects.join());
        assert.ok(subjects.includes("system:serviceaccount:orders:orders-api"), subjects.join());
        const outputs = graph.stackOutputs["applicationSecrets"] as Record<string, Inputs>;
        assert.deepEqual(Object.keys(outputs).sort(), Object.keys(APPLICATION_SECRETS).sort());
        assert.equal(outputs["orders"]!["serviceAccount"], "orders-api");
        assert.equal(outputs["payments"]!["vaultName"], byName(graph, "app-secrets-payments-kv").inputs["vaultName"]);
    });

    it("refuses a platform namespace before anything is declared (here: outside any Pulumi run, where a declaration would throw otherwise)", async () => {
        const config = parsePlatformConfig({ ...rawConfig("dev"), applicationSecrets: { kyverno: { secretOfficerGroupObjectIds: ["55555555-5555-4555-8555-555555555555"] } } });
        await assert.rejects(definePlatform(config), (err: unknown) => err instanceof ConfigError && /^platform:applicationSecrets\.kyverno: is a namespace the platform owns/.test(err.problems[0]!));
    });
});

describe("renewal drill and Grafana rotation in the plans", () => {
    const canaries = (graph: Graph) => ofType(graph, "kubernetes:cert-manager.io/v1:Certificate").filter((c) => String((c.inputs as Inputs)["metadata"].name).startsWith("renewal-canary-"));

    it("dev issues a 6-hour canary through the platform CA, and one through Let's Encrypt when a zone is configured; prod none", async () => {
        const dev = canaries(await plan("dev", true, "all")).map((c) => [(c.inputs as Inputs)["metadata"].namespace, (c.inputs as Inputs)["spec"].issuerRef, (c.inputs as Inputs)["spec"].dnsNames, (c.inputs as Inputs)["spec"].duration, (c.inputs as Inputs)["spec"].renewBefore]);
        assert.deepEqual(dev, [["cert-manager", { kind: "ClusterIssuer", name: "platform-ca" }, ["renewal-canary.aks-ingress.dev.platform.example.com"], "6h", "4h"]]);
        const withZone = canaries(await planDevWithOptions()).map((c) => [(c.inputs as Inputs)["spec"].issuerRef.name, (c.inputs as Inputs)["spec"].dnsNames]);
        assert.deepEqual(withZone, [["platform-ca", ["renewal-canary.aks-ingress.dev.platform.example.com"]], ["letsencrypt", ["renewal-canary.platform.example.com"]]]);
        assert.deepEqual(canaries(await plan("prod", true, "all")), []);
    });

    it("dev watches the canaries' renewal with its own alert rules", async () => {
        const rule = ofType(await plan("dev", true, "all"), "kubernetes:monitoring.coreos.com/v1:PrometheusRule").find((r) => (r.inputs as Inputs)["metadata"].name === "platform-renewal-drill");
        const alerts = ((rule!.inputs as Inputs)["spec"].groups as Inputs[]).flatMap((g) => g["rules"] as Inputs[]).map((r) => r["alert"]);
        assert.deepEqual(alerts, ["RenewalDrillStalled", "RenewalDrillMissing"]);
    });

    it("makes a new Grafana admin password for a new generation label, and restarts Grafana with it", async () => {
        const graph = await planDevWithOptions();
        const password = byName(graph, "observability-grafana-admin-password");
        assert.deepEqual(password.inputs["keepers"], { rotation: GRAFANA_ROTATION });
        const result = unwrap(password.outputs["result"]);
        assert.equal(typeof result, "string");
        const grafana = (ofType(graph, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs["chart"] === "kube-prometheus-stack")!.inputs["values"] as Inputs)["grafana"];
        // The digest changes with the password, so the pod template does, so the Deployment rolls.
        assert.equal(grafana.podAnnotations["checksum/admin-password"], createHash("sha256").update(String(result)).digest("hex"));
        const committed = byName(await plan("dev", false, "all"), "observability-grafana-admin-password");
        assert.equal(committed.inputs["keepers"], undefined);
        assert.notEqual(unwrap(committed.outputs["result"]), UNKNOWN);
        assert.notEqual(unwrap(committed.outputs["result"]), result, "another generation, another password");
    });
});
