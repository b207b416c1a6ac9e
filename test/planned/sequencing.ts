/**
 * Azure rejects a write that touches a VNet while one of its subnets is being written (AnotherOperationInProgress,
 * ReferencedResourceNotProvisioned "last operation ... is PutSubnetOperation": hashicorp/terraform-provider-azurerm#17649,
 * #30197). The rule, derived from each plan's dependency graph: whatever names a subnet starts only after every
 * subnet write has finished, so no subnet consumer runs concurrently with a subnet write.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Graph } from "../../offline/engine";
import { ofType, plan, planAppGatewayEdge, waitsFor } from "../helpers";

/** Each resource that names a subnet (a direct dependency on one) and the subnet writes it does not wait for. */
function concurrentWithSubnetWrites(graph: Graph): { consumers: string[]; problems: string[] } {
    const subnets = ofType(graph, "azure-native:network:Subnet").map((s) => s.urn);
    const consumers = graph.resources.filter((r) => r.type !== "azure-native:network:Subnet"
        && [...r.dependencies, ...Object.values(r.propertyDependencies).flat()].some((dep) => subnets.includes(dep)));
    const problems = consumers.flatMap((r) => {
        const waited = waitsFor(graph, r);
        const missing = subnets.filter((s) => !waited.has(s));
        return missing.length === 0 ? [] : [`${r.type} ${r.name} may run while ${missing.map((m) => m.split("::").at(-1)).join(", ")} is written`];
    });
    return { consumers: consumers.map((r) => r.type), problems };
}

describe("subnet writes and their consumers", () => {
    const variants: [string, () => Promise<Graph>][] = [
        ["dev, phase all", () => plan("dev", false, "all")],
        ["prod, phase all", () => plan("prod", true, "all")],
        ["dev, appgateway edge", () => planAppGatewayEdge("dev", false)],
    ];
    for (const [label, planned] of variants) {
        it(`${label}: nothing that names a subnet starts before the last subnet write`, async () => {
            const graph = await planned();
            const { consumers, problems } = concurrentWithSubnetWrites(graph);
            // The consumers the review names (API Management, the firewall, private endpoints, the cluster, the App
            // Gateway) are among those found: the rule is not checked on an empty set.
            const expected = ["azure-native:network:AzureFirewall", "azure-native:network:PrivateEndpoint", "azure-native:containerservice:ManagedCluster",
                label.includes("appgateway") ? "azure-native:network:ApplicationGateway" : "azure-native:apimanagement:ApiManagementService"];
            assert.deepEqual(expected.filter((type) => !consumers.includes(type)), []);
            assert.deepEqual(problems, []);
        });
    }
});
