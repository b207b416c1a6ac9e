/**
 * The runners in the whole program (platform.ts): declared in phase 1 once the GitHub App is configured, in the
 * planned runners subnet, after the firewall, pulling from the stack's own registry, with the labels the deploy
 * workflow routes each stack's jobs to.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GraphResource } from "../../offline/engine";
import { byName, ofType, plan, planWithRunners, registryOf, waitsFor } from "../helpers";

describe("runners in the platform", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: phase 1 declares them in its delegated runners subnet, its egress through the firewall ready first`, async () => {
            const graph = await planWithRunners(stack, "azure");
            const env = byName(graph, "runners-env") as GraphResource & { inputs: Record<string, any> };
            const subnet = byName(graph, "network-subnet-runners");
            assert.equal(env.inputs["vnetConfiguration"].infrastructureSubnetId, subnet.id);
            assert.deepEqual(subnet.inputs["delegations"], [{ name: "delegation", serviceName: "Microsoft.App/environments" }]);
            // Container Apps reaches MCR and its binaries through the firewall from the first start (use-azure-firewall).
            const before = waitsFor(graph, env);
            for (const name of ["network-fw", "network-fw-rules-deploy-runners", "network-route-default"]) {
                assert.ok(before.has(byName(graph, name).urn), `the environment does not wait for ${name}`);
            }
        });

        it(`${stack}: the jobs carry the labels deploy.yml routes the stack's previews and updates to, and pull from the stack's registry`, async () => {
            const graph = await planWithRunners(stack);
            for (const role of ["preview", "deploy"]) {
                const job = byName(graph, `runners-${role}`).inputs as Record<string, any>;
                assert.equal(job["configuration"].eventTriggerConfig.scale.rules[0].metadata.labels, `platform-${stack}-${role}`);
                assert.match(job["template"].containers[0].image, new RegExp(`^${registryOf(stack).replace(/\./g, "\\.")}/platform/github-runner:2\\.336\\.0-[0-9a-f]{12}$`));
                assert.deepEqual(job["configuration"].registries.map((r: { server: string }) => r.server), [registryOf(stack)]);
            }
            assert.equal(byName(graph, "runners-image-cache").inputs["registryName"], registryOf(stack).split(".")[0]);
        });
    }

    it("a stack without a GitHub App declares no runners (the committed stacks, until CI setup step 3)", async () => {
        const graph = await plan("dev", true, "all");
        assert.deepEqual([...ofType(graph, "azure-native:app:ManagedEnvironment"), ...ofType(graph, "azure-native:app:Job")], []);
    });
});
