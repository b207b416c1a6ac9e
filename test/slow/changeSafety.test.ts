/**
 * Guards that plan the dev stack again with other config: a change of every key documented as safe keeps each
 * stateful resource's replacement-triggering inputs, a documented key changes them, and a second plan of the same
 * stack gives the same checkpoint. Each is a whole program run: `npm run test:slow`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REPLACING_KEYS } from "../../config";
import { toCheckpoint } from "../../offline/checkpoint";
import type { Graph } from "../../offline/engine";
import { plan, planAgain, planWith, rawConfig } from "../helpers";

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
    next["gateway"].rateLimits = { perClientIp: { perMinute: 60, burst: 10 }, perSubject: { perMinute: 120, burst: 20 } };
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
});

describe("determinism", () => {
    it("two plans of one stack give byte-identical checkpoints", async () => {
        const first = JSON.stringify(toCheckpoint(await plan("dev")));
        const second = JSON.stringify(toCheckpoint(await planAgain({ stack: "dev", preview: true })));
        assert.equal(second, first);
    });
});
