/**
 * The resource providers a fresh subscription must register, derived from what the plans declare, against the
 * list scripts/register-providers.sh registers (docs/setup.md and the deploy workflow run that script).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_DIR, type Graph } from "../../offline/engine";
import { plan, planAppGatewayEdge, planWithRunners } from "../helpers";

/**
 * The ARM namespace of each azure-native module the program uses, from the module's resource types in Microsoft's
 * ARM reference (learn.microsoft.com/azure/templates/<namespace>). Microsoft.Authorization and Microsoft.Resources
 * are registered in every subscription (azure-resource-manager/management/azure-services-resource-providers).
 */
const MODULE_NAMESPACES: Record<string, string[]> = {
    apimanagement: ["Microsoft.ApiManagement"],
    // Container Apps environments and jobs (the runners).
    app: ["Microsoft.App"],
    authorization: [],
    cdn: ["Microsoft.Cdn"],
    containerregistry: ["Microsoft.ContainerRegistry"],
    // The nodes are scale sets with managed disks in Microsoft.Compute, and Velero snapshots those disks.
    containerservice: ["Microsoft.ContainerService", "Microsoft.Compute"],
    // Front Door WAF policies are Microsoft.Network/frontDoorWebApplicationFirewallPolicies.
    frontdoor: ["Microsoft.Network"],
    keyvault: ["Microsoft.KeyVault"],
    managedidentity: ["Microsoft.ManagedIdentity"],
    monitor: ["Microsoft.Insights"],
    network: ["Microsoft.Network"],
    operationalinsights: ["Microsoft.OperationalInsights"],
    privatedns: ["Microsoft.Network"],
    resources: [],
    // Defender plans (microsoft.security/pricings) and Sentinel (microsoft.securityinsights/onboardingstates, alertrules, dataconnectors).
    security: ["Microsoft.Security"],
    securityinsights: ["Microsoft.SecurityInsights"],
    storage: ["Microsoft.Storage"],
};

function requiredNamespaces(graph: Graph): { namespaces: Set<string>; unmapped: string[] } {
    const namespaces = new Set<string>();
    const unmapped: string[] = [];
    for (const r of graph.resources.filter((x) => x.type.startsWith("azure-native:"))) {
        const module = r.type.split(":")[1]!;
        const mapped = MODULE_NAMESPACES[module];
        if (mapped === undefined) {
            unmapped.push(r.type);
        }
        mapped?.forEach((n) => namespaces.add(n));
        // The AKS Azure Policy add-on needs Microsoft.PolicyInsights (learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes).
        const addons = r.inputs["addonProfiles"] as Record<string, { enabled?: boolean }> | undefined;
        if (addons?.["azurepolicy"]?.enabled) {
            namespaces.add("Microsoft.PolicyInsights");
        }
    }
    return { namespaces, unmapped };
}

function scriptNamespaces(): string[] {
    const script = fs.readFileSync(path.join(PROJECT_DIR, "scripts", "register-providers.sh"), "utf8");
    const list = /NAMESPACES=\(([^)]*)\)/.exec(script)?.[1] ?? "";
    return list.split(/\s+/).filter((n) => n.length > 0);
}

describe("resource providers", () => {
    it("scripts/register-providers.sh registers exactly the namespaces every stack, phase and edge declares", async () => {
        const graphs = [
            ...(await Promise.all((["dev", "prod"] as const).flatMap((stack) => (["azure", "all"] as const).map((phase) => plan(stack, true, phase))))),
            await planAppGatewayEdge("prod", true),
            await planWithRunners("dev"),
        ];
        const required = new Set<string>();
        for (const graph of graphs) {
            const { namespaces, unmapped } = requiredNamespaces(graph);
            assert.deepEqual(unmapped, [], "a module with no namespace in MODULE_NAMESPACES: look it up and add it");
            namespaces.forEach((n) => required.add(n));
        }
        assert.deepEqual(scriptNamespaces(), [...required].sort());
    });

    it("the setup page and the deploy workflow's update run the registration", () => {
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, "docs", "setup.md"), "utf8"), /bash scripts\/register-providers\.sh/);
        const action = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "actions", "pulumi", "action.yml"), "utf8"));
        const step = (action.runs.steps as { run?: string; if?: string }[]).find((s) => (s.run ?? "").includes("bash scripts/register-providers.sh"));
        assert.equal(step?.if, "inputs.command == 'up'");
    });
});
