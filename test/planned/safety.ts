/** Guards for change: stable URNs, replacement-triggering inputs from documented keys only, no plaintext secrets. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { FIXED_AFTER_CREATION, REPLACING_KEYS } from "../../config";
import { PROJECT_DIR, SECRET_SIG, SIG_KEY, UNKNOWN, type Graph } from "../../offline/engine";
import { evaluatePacks } from "../../offline/policyCheck";
import { stackPolicyConfigs } from "../../offline/policyConfig";
import { findPlaintextSecrets } from "../../offline/secretScan";
import { compareUrns, GOLDEN_PLANS, updatedGolden, type UrnEntry } from "../../offline/urns";
import { checkpointOf, plan } from "../helpers";

const golden = (stack: string): UrnEntry[] => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test", "golden", `${stack}.json`), "utf8"));
const phaseOf = (entry: (typeof GOLDEN_PLANS)[number]) => ("phase" in entry ? entry.phase : undefined);

describe("URN stability", () => {
    for (const entry of GOLDEN_PLANS) {
        it(`${entry.stack}: every committed URN still exists or is aliased, and the golden list is current`, async () => {
            const graph = await plan(entry.stack, true, phaseOf(entry));
            const changes = compareUrns(golden(entry.stack), graph);
            assert.deepEqual(changes.replaced.map((r) => `${r.urn} would be REPLACED: add aliases: [<old URN>] to the resource, or run npm run golden if intended`), []);
            assert.deepEqual(changes.added.map((r) => `${r.urn} is new: run npm run golden and commit test/golden/`), []);
            // The protect marks too: they are what npm run golden guards.
            assert.deepEqual(golden(entry.stack).filter((g) => g.protect).map((g) => g.urn), graph.resources.filter((r) => r.protect).map((r) => r.urn).sort((a, b) => a.localeCompare(b)));
        });
    }

    it("reports a resource renamed without an alias, and accepts it with one", async () => {
        const graph = await plan("dev", true, "all");
        const vault = graph.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
        const renamed = { ...vault, urn: vault.urn.replace(/::gateway-kv$/, "::gateway-vault") };
        const without: Graph = { ...graph, resources: graph.resources.map((r) => (r === vault ? renamed : r)) };
        assert.deepEqual(compareUrns(golden("dev"), without).replaced, [{ urn: vault.urn, type: vault.type, protect: true }]);
        const withAlias: Graph = { ...graph, resources: graph.resources.map((r) => (r === vault ? { ...renamed, aliases: [vault.urn] } : r)) };
        assert.deepEqual(compareUrns(golden("dev"), withAlias).replaced, []);
    });

    it("npm run golden refuses to forget a protected resource renamed without an alias, unless told it is meant to go", async () => {
        const graph = await plan("dev", true, "all");
        const vault = graph.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
        assert.equal(vault.protect, true);
        const renamed = (r: Graph["resources"][number]) => ({ ...r, urn: r.urn.replace(/::gateway-kv$/, "::gateway-vault") });
        const without: Graph = { ...graph, resources: graph.resources.map((r) => (r === vault ? renamed(r) : r)) };
        assert.deepEqual(updatedGolden(golden("dev"), without).refused.map((g) => g.urn), [vault.urn]);
        assert.deepEqual(updatedGolden(golden("dev"), without, [vault.urn]).refused, []);
        const withAlias: Graph = { ...graph, resources: graph.resources.map((r) => (r === vault ? { ...renamed(r), aliases: [vault.urn] } : r)) };
        assert.deepEqual(updatedGolden(golden("dev"), withAlias).refused, []);
        // An unprotected resource may come and go with the golden list (a rename shows in its diff).
        const nsg = graph.resources.find((r) => r.type === "azure-native:network:NetworkSecurityGroup" && !r.protect)!;
        assert.deepEqual(updatedGolden(golden("dev"), { ...graph, resources: graph.resources.filter((r) => r !== nsg) }).refused, []);
    });
});

describe("replacement-triggering inputs", () => {
    it("the configuration page marks the node pool keys AKS refuses to change once created", () => {
        // learn.microsoft.com/azure/aks/manage-node-pools: VM size, max pods, zones and OS disk are set at creation.
        assert.deepEqual(Object.keys(FIXED_AFTER_CREATION).sort(), [
            "cluster.systemPool.maxPods", "cluster.systemPool.osDiskSizeGB", "cluster.systemPool.vmSize",
            "cluster.userPool.maxPods", "cluster.userPool.osDiskSizeGB", "cluster.userPool.vmSize", "cluster.zones",
        ]);
        const rows = fs.readFileSync(path.join(PROJECT_DIR, "docs", "configuration.md"), "utf8").split("\n").filter((line) => line.startsWith("|") && /fixed once created/i.test(line));
        for (const key of Object.keys(FIXED_AFTER_CREATION)) {
            const [, pool, leaf] = key.split(".");
            assert.ok(rows.some((row) => row.includes(leaf ? `\`cluster.${pool}` : `\`${key}\``) && row.includes(leaf ?? "zones")), `docs/configuration.md does not mark ${key} as fixed once created`);
        }
    });

    it("are each marked in the configuration table (docs/configuration.md)", () => {
        // The AKS network profile is fixed at creation (learn.microsoft.com/azure/aks/azure-cni-overlay: the pod and
        // service CIDRs and DNS IP cannot change); API Management's subnet and SKU family move the service; the
        // environment and location are in every name and every regional resource's location.
        assert.deepEqual(Object.keys(REPLACING_KEYS).sort(), [
            "environment", "gateway.apim.sku", "location", "network.dnsServiceIp", "network.podCidr", "network.serviceCidr", "network.subnets.apim",
        ]);
        const table = fs.readFileSync(path.join(PROJECT_DIR, "docs", "configuration.md"), "utf8");
        for (const key of Object.keys(REPLACING_KEYS)) {
            const leaf = key.split(".").at(-1)!;
            const row = table.split("\n").find((line) => line.startsWith("|") && line.includes(`\`${key.split(".")[0]}`) && line.includes(leaf) && /replaces/i.test(line));
            assert.ok(row, `docs/configuration.md does not say that changing ${key} replaces ${REPLACING_KEYS[key]}`);
        }
    });
});

describe("TLS knobs known at preview", () => {
    it("a TLS setting that depends on a computed value is caught: the policy cannot run and says so", async () => {
        const checkpoint = await checkpointOf("dev");
        const account = checkpoint.deployment.resources.find((r) => r.type === "azure-native:storage:StorageAccount")!;
        account.inputs = { ...account.inputs, minimumTlsVersion: UNKNOWN };
        const violations = await evaluatePacks(checkpoint, { configs: stackPolicyConfigs("dev") });
        assert.ok(violations.some((v) => v.urn === account.urn && v.message.includes("can't run policy 'storage-account-tls'")), JSON.stringify(violations));
    });
});

describe("secrets", () => {
    for (const [stack, preview] of [["dev", false], ["prod", false], ["prod", true]] as const) {
        it(`${stack} (${preview ? "preview" : "update"}, phase 2): no input holds a private key, password, kubeconfig or connection string in plaintext`, async () => {
            assert.deepEqual(findPlaintextSecrets(await plan(stack, preview, "all")), []);
        });
    }

    it("finds a leaked key, a password property and a kubeconfig, and leaves secret-wrapped values alone", async () => {
        const graph = await plan("dev", true, "all");
        const victim = graph.resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        const leaky: Graph = {
            ...graph,
            resources: [...graph.resources, {
                ...victim,
                urn: `${victim.urn}-leaky`,
                inputs: {
                    data: { "tls.key": "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----" },
                    settings: [{ adminPassword: "hunter2" }],
                    kube: "users:\n- name: a\n  user:\n    token: abc",
                    wrapped: { [SIG_KEY]: SECRET_SIG, value: "-----BEGIN PRIVATE KEY-----" },
                    secretName: "a-reference-not-a-secret",
                },
            }],
        };
        const found = findPlaintextSecrets(leaky).map((f) => `${f.path}: ${f.why}`);
        assert.deepEqual(found, [
            "data.tls.key: value is a private key",
            "settings[0].adminPassword: property \"adminPassword\" holds a credential",
            "kube: value is a kubeconfig credential",
        ]);
    });
});
