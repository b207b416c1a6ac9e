/** Invariants of the whole resource graph, for every stack: what the engine would reject or regret. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REDACTED, toCheckpoint } from "../../offline/checkpoint";
import { SECRET_SIG, SIG_KEY } from "../../offline/engine";
import { plan, PLAN_VARIANTS } from "../helpers";
import { STATE_BEARING_TYPES } from "../stateBearingTypes";

for (const { stack, phase } of PLAN_VARIANTS) {
    describe(`graph of ${stack}${phase ? ` (phase ${phase})` : ""}`, () => {
        it("has unique URNs, and every parent and dependency exists and is declared earlier", async () => {
            const graph = await plan(stack, true, phase);
            const seen = new Set<string>();
            for (const r of graph.resources) {
                assert.ok(!seen.has(r.urn), `duplicate URN ${r.urn}`);
                for (const ref of [r.parent, ...r.dependencies, ...Object.values(r.propertyDependencies).flat()].filter(Boolean)) {
                    assert.ok(seen.has(ref!), `${r.urn} refers to ${ref}, which is not declared before it`);
                }
                seen.add(r.urn);
            }
        });

        it("uses the program's explicit providers for every custom resource, never a default provider", async () => {
            const graph = await plan(stack, true, phase);
            const providers = new Set(graph.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.urn));
            const resources = graph.resources.filter((r) => (r.custom || r.remote) && !r.type.startsWith("pulumi:providers:"));
            assert.ok(resources.length > 0, "no custom resource");
            for (const r of resources) {
                const providerUrn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
                assert.ok(providerUrn && providers.has(providerUrn), `${r.urn} uses provider ${r.provider}`);
            }
        });

        it("sends every invoke to an explicit provider (update mode: at preview, invokes of unknown inputs wait)", async () => {
            // An invoke without `{ parent }` or a provider reads with the ambient default provider's config.
            const graph = await plan(stack, false, phase);
            const providers = new Set(graph.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.urn));
            assert.ok(graph.invokes.length > (stack === "local" ? -1 : 2), `${graph.invokes.length} invokes`);
            for (const invoke of graph.invokes) {
                const providerUrn = invoke.provider?.slice(0, invoke.provider.lastIndexOf("::"));
                assert.ok(providerUrn && providers.has(providerUrn), `${invoke.token} goes to provider ${invoke.provider}`);
            }
        });

        it("parents every resource under a platform component or the stack", async () => {
            const graph = await plan(stack, true, phase);
            // Provider-implemented components (kubernetes:yaml/v2:ConfigFile) keep their provider's token.
            const components = graph.resources.filter((r) => !r.custom && !r.remote && r.type !== "pulumi:pulumi:Stack");
            assert.ok(components.length > 0);
            for (const c of components) {
                assert.match(c.type, /^platform:[a-z]+:[A-Z][A-Za-z]+$/, `component token ${c.type}`);
            }
            const platformResources = graph.resources.filter((r) => (r.custom || r.remote) && !r.type.startsWith("pulumi:providers:"));
            for (const r of platformResources) {
                const parent = graph.resources.find((p) => p.urn === r.parent);
                assert.ok(parent && !parent.custom && parent.type.startsWith("platform:"), `${r.urn} is not inside a component`);
            }
        });

        it("protects every state-bearing resource", async () => {
            const graph = await plan(stack, true, phase);
            const stateful = graph.resources.filter((r) => STATE_BEARING_TYPES.includes(r.type));
            // Only the local stack keeps no state of its own in Azure.
            assert.equal(stateful.length > 0, stack !== "local", `${stateful.length} state-bearing resources`);
            for (const r of stateful) {
                assert.ok(r.protect, `${r.urn} is not protected`);
            }
        });

    });
}

describe("checkpoint", () => {
    it("redacts every secret, at any depth, and keeps Pulumi's secret envelope", async () => {
        const graph = await plan("dev");
        const plaintext = "-----BEGIN EC PRIVATE KEY-----offline";
        const secret = { [SIG_KEY]: SECRET_SIG, value: plaintext };
        const vault = graph.resources.find((r) => r.type === "azure-native:keyvault:Vault")!;
        const withSecret = { ...graph, resources: [...graph.resources, { ...vault, urn: `${vault.urn}-secret`, inputs: { ...vault.inputs, nested: [{ key: secret }] } }] };
        const text = JSON.stringify(toCheckpoint(withSecret));
        assert.ok(!text.includes(plaintext), "a secret value appears in the checkpoint");
        const written = toCheckpoint(withSecret).deployment.resources.at(-1)!.inputs!["nested"] as Record<string, unknown>[];
        assert.deepEqual(written[0]!["key"], { [SIG_KEY]: SECRET_SIG, ciphertext: REDACTED });
    });
});

