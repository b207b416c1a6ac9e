import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePlatformConfig } from "../config";
import { nsgRules } from "../components/network/rules";
import { byName, ofType, plan, rawConfig } from "./helpers";

describe("network component", () => {
    it("puts one NSG on every subnet except the firewall's, and chains subnet creation", async () => {
        const graph = await plan("dev", false);
        const subnets = ofType(graph, "azure-native:network:Subnet");
        assert.equal(subnets.length, 7);
        const firewall = subnets.find((s) => s.inputs["subnetName"] === "AzureFirewallSubnet")!;
        assert.equal(firewall.inputs["networkSecurityGroup"], undefined);
        for (const s of subnets.filter((s) => s !== firewall)) {
            const nsgId = (s.inputs["networkSecurityGroup"] as { id: string }).id;
            assert.match(nsgId, /\/providers\/Microsoft\.Network\/networkSecurityGroups\/nsg-platform-dev-/);
            assert.equal(s.inputs["defaultOutboundAccess"], false);
        }
        // Each subnet after the first depends on the previous one (Azure serialises subnet writes).
        subnets.slice(1).forEach((s, i) => assert.ok(s.dependencies.includes(subnets[i]!.urn), `${s.name} does not wait for ${subnets[i]!.name}`));
    });

    it("lets only Front Door's backend reach API Management on 443", async () => {
        const graph = await plan("dev");
        const nsg = byName(graph, "network-nsg-apim");
        const inbound = (nsg.inputs["securityRules"] as Record<string, any>[]).filter((r) => r.direction === "Inbound" && r.access === "Allow");
        const https = inbound.filter((r) => r.destinationPortRanges.includes("443"));
        assert.deepEqual(https.map((r) => r.sourceAddressPrefix), ["AzureFrontDoor.Backend"]);
        const last = (nsg.inputs["securityRules"] as Record<string, any>[]).filter((r) => r.direction === "Inbound").at(-1)!;
        assert.deepEqual([last.access, last.priority, last.sourceAddressPrefix], ["Deny", 4096, "*"]);
    });

    it("admits only the API Management subnet to the ingress subnet", () => {
        const config = parsePlatformConfig(rawConfig("dev"));
        const ingress = nsgRules(config.network).ingress!;
        const sources = ingress.filter((r) => r.access === "Allow" && r.ports.includes("443")).map((r) => r.source);
        assert.deepEqual(sources, [config.network.subnets.apim]);
        assert.equal(ingress.at(-1)!.access, "Deny");
    });

    it("protects the log workspace and names resources deterministically", async () => {
        const graph = await plan("dev", false);
        const workspace = byName(graph, "network-logs");
        assert.equal(workspace.protect, true);
        assert.equal(workspace.inputs["workspaceName"], "log-platform-dev");
        assert.equal(workspace.inputs["retentionInDays"], 30);
        const vnet = byName(graph, "network-vnet");
        assert.deepEqual(vnet.inputs["addressSpace"], { addressPrefixes: ["10.20.0.0/16"] });
    });
});
