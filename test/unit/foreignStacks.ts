/**
 * The packs on other teams' stacks (test/foreignFixtures.ts): each stack as one preview of both packs, every policy
 * mandatory, through the packs' own servers. A resource fails exactly the policies its fixture names, with the
 * message it names, and passes every other: a false positive fails the test as surely as a false negative.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { closePackServers, evaluatePacks, type Violation } from "../../offline/policyCheck";
import { readPolicyConfig } from "../../offline/policyConfig";
import { PROJECT_DIR } from "../../offline/engine";
import { FOREIGN_STACKS, foreignCheckpoint, foreignUrn } from "../foreignFixtures";

/** Every policy mandatory: the levels of an audit of prod (policies/config/tls.json and baseline-prod.json). */
const AUDIT_CONFIGS = {
    "platform-tls": readPolicyConfig(`${PROJECT_DIR}/policies/config/tls.json`),
    "platform-baseline": readPolicyConfig(`${PROJECT_DIR}/policies/config/baseline-prod.json`),
};

describe("the packs on other teams' stacks", () => {
    it("hold at least 40 resources of stacks that are not this program's, each with the page it was written from", () => {
        const resources = FOREIGN_STACKS.flatMap((s) => s.resources);
        assert.ok(resources.length >= 40, `${resources.length} foreign resources`);
        for (const r of resources) {
            assert.match(r.source, /^https:\/\/[^ ]+$/, r.name);
        }
        assert.ok(resources.some((r) => Object.keys(r.expect).length === 0) && resources.some((r) => Object.keys(r.expect).length > 0), "secure and insecure resources alike");
    });

    for (const stack of FOREIGN_STACKS) {
        describe(`${stack.stack}: ${stack.what}`, () => {
            let verdicts: Promise<Violation[]> | undefined;
            const all = () => (verdicts ??= evaluatePacks(foreignCheckpoint(stack), { configs: { ...AUDIT_CONFIGS, ...stack.configs } }));
            for (const r of stack.resources) {
                const expected = Object.keys(r.expect).sort();
                it(`${r.name} (${r.type}): ${expected.length ? `fails ${expected.join(", ")}` : "passes every policy"}`, async () => {
                    const found = (await all()).filter((v) => v.urn === foreignUrn(stack, r));
                    assert.deepEqual([...new Set(found.map((v) => v.policy))].sort(), expected, JSON.stringify(found.map((v) => `${v.policy}: ${v.message}`), null, 1));
                    for (const [policy, message] of Object.entries(r.expect)) {
                        const messages = found.filter((v) => v.policy === policy).map((v) => v.message);
                        assert.ok(messages.some((m) => message.test(m)), `${policy}: expected ${message}, got ${JSON.stringify(messages)}`);
                    }
                    assert.ok(found.every((v) => v.enforcementLevel === "mandatory"), "an audit's levels are mandatory");
                });
            }
        });
    }
});

after(closePackServers);
