/** The platform's network flows (test/nsgModel.ts) against the NSGs of the offline plans, both edges, both Azure stacks. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph } from "../../offline/engine";
import { plan, planAppGatewayEdge } from "../helpers";
import { forbiddenFlows, requiredFlows, verdict as verdictIn, type Edge, type NetworkView, type Rule } from "../nsgModel";

/** Each subnet's prefix and its NSG's rules, as planned (the subnet names its NSG through its dependencies). */
function plannedNetwork(graph: Graph): NetworkView {
    const nsgs = new Map(graph.resources.filter((r) => r.type === "azure-native:network:NetworkSecurityGroup").map((r) => [r.urn, r.inputs["securityRules"] as Rule[]]));
    const subnets = graph.resources.filter((r) => r.type === "azure-native:network:Subnet").map((r) => ({
        name: r.inputs["subnetName"] as string,
        prefix: r.inputs["addressPrefix"] as string,
        rules: (r.propertyDependencies["networkSecurityGroup"] ?? []).map((urn) => nsgs.get(urn)).find((rules) => rules !== undefined),
    }));
    const vnet = graph.resources.find((r) => r.type === "azure-native:network:VirtualNetwork")!;
    return { subnets, vnet: (vnet.inputs["addressSpace"] as { addressPrefixes: string[] }).addressPrefixes[0]! };
}

const verdict = (graph: Graph, flow: Parameters<typeof verdictIn>[1]) => verdictIn(plannedNetwork(graph), flow);

function planEdge(stack: "dev" | "prod", edge: Edge): Promise<Graph> {
    // The App Gateway plans other suites share: dev's in update mode, prod's at preview (NSG rules are known in both).
    return edge === "frontdoor" ? plan(stack) : planAppGatewayEdge(stack, stack === "prod");
}

describe("network flows against the planned NSGs", () => {
    for (const stack of ["dev", "prod"] as const) {
        for (const edge of ["frontdoor", "appgateway"] as const) {
            it(`${stack}, ${edge} edge: every required flow is allowed in both directions`, async () => {
                const graph = await planEdge(stack, edge);
                const failures = requiredFlows(stack, edge).map((f) => [f, verdict(graph, f)] as const).filter(([, v]) => v !== "allowed").map(([f, v]) => `${f.why} (${f.protocol}/${f.port}): ${v}`);
                assert.deepEqual(failures, []);
            });

            it(`${stack}, ${edge} edge: nothing from the Internet gets in but the edge's listener`, async () => {
                const graph = await planEdge(stack, edge);
                const opened = forbiddenFlows(stack, edge).map((f) => [f, verdict(graph, f)] as const).filter(([, v]) => v === "allowed").map(([f]) => f.why);
                assert.deepEqual(opened, []);
                // No custom rule admits Internet or any source except the Application Gateway listener's 443 and 80.
                const { subnets } = plannedNetwork(graph);
                const open = subnets.flatMap((sn) => (sn.rules ?? []).filter((r) => r.access === "Allow" && r.direction === "Inbound" && (r.sourceAddressPrefix === "Internet" || r.sourceAddressPrefix === "*"))
                    .map((r) => `${sn.name}:${r.name}:${r.destinationPortRange ?? r.destinationPortRanges?.join(",")}`));
                assert.deepEqual(open, edge === "appgateway" ? ["snet-appgw:allow-https:443", "snet-appgw:allow-http-redirect:80"] : []);
            });
        }
    }

    it("puts '*' in the singular destinationPortRange (the plural does not document it) and lists elsewhere", async () => {
        const graph = await plan("prod");
        const rules = plannedNetwork(graph).subnets.flatMap((s) => s.rules ?? []);
        assert.ok(rules.length > 0);
        for (const r of rules) {
            assert.ok(!(r.destinationPortRanges ?? []).includes("*"), `${r.name} sends "*" in destinationPortRanges`);
            assert.equal((r.destinationPortRange === undefined) !== (r.destinationPortRanges === undefined), true, `${r.name} sets both or neither port fields`);
        }
    });
});
