/** Every stack's plan against both packs, with the stack's committed pack configs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PLAN_VARIANTS, verdictsOf } from "../helpers";

describe("policies on the stacks' plans", () => {
    for (const { stack, phase } of PLAN_VARIANTS) {
        it(`${stack}${phase ? ` phase ${phase}` : ""} plan has no mandatory violation and no policy skipped for unknown input`, async () => {
            const violations = await verdictsOf(stack, phase);
            assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory" || v.message.includes("can't run")), []);
        });
    }
});
