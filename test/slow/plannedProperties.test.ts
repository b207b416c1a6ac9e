/**
 * Random valid configurations plan cleanly: the policy packs pass, no secret is in plain text, custom resources come
 * after their CRDs. Slow (each plan is a whole program run): `npm run test:slow`. PLATFORM_PROPERTY_RUNS raises the runs.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { toCheckpoint } from "../../offline/checkpoint";
import { closePackServers, evaluatePacks } from "../../offline/policyCheck";
import { stackPolicyConfigs } from "../../offline/policyConfig";
import { findPlaintextSecrets } from "../../offline/secretScan";
import { asOverrides, PLANNED_RUNS, SEED, validConfig } from "../arbitraries";
import { customResourcesBeforeCrds, planWith } from "../helpers";

describe("random valid configurations", () => {
    it(`plan cleanly: policies pass, no plaintext secret, custom resources after their CRDs (${PLANNED_RUNS} plans)`, async () => {
        await fc.assert(fc.asyncProperty(validConfig, async (config) => {
            const graph = await planWith({ stack: config["environment"], overrides: asOverrides(config) });
            const violations = await evaluatePacks(toCheckpoint(graph), { configs: stackPolicyConfigs(config["environment"]) });
            assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory" || v.message.includes("can't run")), []);
            assert.deepEqual(findPlaintextSecrets(graph), []);
            assert.deepEqual(customResourcesBeforeCrds(graph).problems, []);
            assert.equal(graph.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release"), config["phase"] === "all");
        }), { seed: SEED, numRuns: PLANNED_RUNS });
    });
});

after(closePackServers);
