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
import { compareUrns, GOLDEN_PLANS, type UrnEntry } from "../../offline/urns";
import { checkpointOf, plan, planWith, rawConfig } from "../helpers";

const golden = (stack: string): UrnEntry[] => JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test", "golden", `${stack}.json`), "utf8"));
const phaseOf = (entry: (typeof GOLDEN_PLANS)[number]) => ("phase" in entry ? entry.phase : undefined);

describe("URN stability", () => {
    for (const entry of GOLDEN_PLANS) {
        it(`${entry.stack}: every committed URN still exists or is aliased, and the golden list is current`, async () => {
            const changes = compareUrns(golden(entry.stack), await plan(entry.stack, true, phaseOf(entry)));
            assert.deepEqual(changes.replaced.map((r) => `${r.urn} would be REPLACED: add aliases: [<old URN>] to the resource, or run npm run golden if intended`), []);
            assert.deepEqual(changes.added.map((r) => `${r.urn} is new: run npm run golden and commit test/golden/`), []);
        });
    }

    it("reports a resource renamed without an alias, and accepts it with one", async () => {
        const graph = await plan("dev", true, "all");
        const vault = graph.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
        const renamed = { ...vault, urn: vault.urn.replace(/::gateway-kv$/, "::gateway-vault") };
        const without: Graph = { ...graph, resources: graph.resources.map((r) => (r === vault ? renamed : r)) };
        assert.deepEqual(compareUrns(golden("dev"), without).replaced, [{ urn: vault.urn, type: vault.type }]);
        const withAlias: Graph = { ...graph, resources: graph.resources.map((r) => (r === vault ? { ...renamed, aliases: [vault.urn] } : r)) };
        assert.deepEqual(compareUrns(golden("dev"), withAlias).replaced, []);
    });
});

/** Inputs Azure cannot change in place, per stateful type: a change to one replaces the resource. */
const REPLACEMENT_INPUTS: Record<string, string[]> = {
    "azure-native:keyvault:Vault": ["vaultName", "location", "resourceGroupName"],
    "azure-native:storage:StorageAccount": ["accountName", "location", "kind", "resourceGroupName"],
    "azure-native:operationalinsights:Workspace": ["workspaceName", "location", "resourceGroupName"],
    "azure-native:containerservice:ManagedCluster": ["resourceName", "location", "dnsPrefix", "nodeResourceGroup", "networkProfile"],
    "azure-native:apimanagement:ApiManagementService": ["serviceName", "location", "virtualNetworkConfiguration", "sku.name"],
    "azure-native:cdn:Profile": ["profileName", "sku"],
};

function replacementFingerprint(graph: Graph): Record<string, unknown> {
    const pick = (inputs: Record<string, any>, dotted: string) => dotted.split(".").reduce((v, k) => v?.[k], inputs as any);
    const types = Object.keys(REPLACEMENT_INPUTS);
    const resources = graph.resources.filter((r) => types.includes(r.type));
    assert.deepEqual(new Set(resources.map((r) => r.type)).size, types.length, "every stateful type is in the plan");
    return Object.fromEntries(resources.map((r) => [r.urn, Object.fromEntries(REPLACEMENT_INPUTS[r.type]!.map((p) => [p, pick(r.inputs, p)]))]));
}

/** Every key that is neither in REPLACING_KEYS nor fixed once created, changed to another valid value. */
function changeEverythingSafe(raw: Record<string, any>): Record<string, string> {
    const next = structuredClone(raw);
    next["tags"] = { owner: "another-team", costCenter: "cc-9999" };
    Object.assign(next["cluster"], {
        kubernetesVersion: "1.35",
        // VM size, max pods, OS disk and zones are fixed once a pool exists (FIXED_AFTER_CREATION): not changed here.
        systemPool: { ...next["cluster"].systemPool, maxCount: 4 },
        userPool: { ...next["cluster"].userPool, minCount: 2, maxCount: 6 },
        adminGroupObjectIds: ["33333333-3333-4333-8333-333333333333"],
        upgradeChannel: "stable",
        nodeOsUpgradeChannel: "SecurityPatch",
        maintenanceWindow: { dayOfWeek: "Saturday", startTime: "23:00", durationHours: 6 },
    });
    // Developer is one unit (capacity stays 1); the publisher changes in place.
    next["gateway"].apim = { ...next["gateway"].apim, publisherName: "Another Team", publisherEmail: "another@example.com" };
    next["gateway"].jwt = { issuer: "https://idp.example.com", audiences: ["api://other"], requiredClaims: ["sub", "tid"] };
    next["gateway"].rateLimits = { perClientIp: 60, perSubject: 120 };
    next["backup"] = { ...next["backup"], immutabilityDays: 14, schedules: { nightly: { cron: "0 1 * * *", ttlHours: 240 } } };
    return Object.fromEntries(Object.entries(next).map(([key, value]) => [`platform:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
}

describe("replacement-triggering inputs", () => {
    it("come only from the config keys documented as replacing something", async () => {
        const base = replacementFingerprint(await plan("dev", false));
        const changed = replacementFingerprint(await planWith({ stack: "dev", preview: false, overrides: changeEverythingSafe(rawConfig("dev")) }));
        assert.deepEqual(changed, base);
    });

    it("do change with a documented key (the guard can see a change)", async () => {
        const base = replacementFingerprint(await plan("dev", false));
        const moved = replacementFingerprint(await planWith({ stack: "dev", preview: false, overrides: { "platform:location": "northeurope" } }));
        assert.notDeepEqual(moved, base);
        assert.ok(REPLACING_KEYS["location"]);
    });

    it("the README marks the node pool keys AKS refuses to change once created", () => {
        // learn.microsoft.com/azure/aks/manage-node-pools: VM size, max pods, zones and OS disk are set at creation.
        assert.deepEqual(Object.keys(FIXED_AFTER_CREATION).sort(), [
            "cluster.systemPool.maxPods", "cluster.systemPool.osDiskSizeGB", "cluster.systemPool.vmSize",
            "cluster.userPool.maxPods", "cluster.userPool.osDiskSizeGB", "cluster.userPool.vmSize", "cluster.zones",
        ]);
        const rows = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8").split("\n").filter((line) => line.startsWith("|") && /fixed once created/i.test(line));
        for (const key of Object.keys(FIXED_AFTER_CREATION)) {
            const [, pool, leaf] = key.split(".");
            assert.ok(rows.some((row) => row.includes(leaf ? `\`cluster.${pool}` : `\`${key}\``) && row.includes(leaf ?? "zones")), `README does not mark ${key} as fixed once created`);
        }
    });

    it("are each marked in the README's configuration table", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        for (const key of Object.keys(REPLACING_KEYS)) {
            const leaf = key.split(".").at(-1)!;
            const row = readme.split("\n").find((line) => line.startsWith("|") && line.includes(`\`${key.split(".")[0]}`) && line.includes(leaf) && /replaces/i.test(line));
            assert.ok(row, `README does not say that changing ${key} replaces ${REPLACING_KEYS[key]}`);
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
