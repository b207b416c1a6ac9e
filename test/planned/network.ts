import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firewallRuleCollectionGroups } from "../../components/network/firewallRules";
import { CHARTS } from "../../versions";
import { azureConfig, byName, ofType, plan, planDevWithOptions } from "../helpers";

describe("network component", () => {
    it("puts one NSG on every subnet except the firewall's, and chains subnet creation", async () => {
        const graph = await plan("dev", false);
        const subnets = ofType(graph, "azure-native:network:Subnet");
        assert.equal(subnets.length, 8);
        const firewall = subnets.find((s) => s.inputs["subnetName"] === "AzureFirewallSubnet")!;
        // The runners' subnet is delegated to Container Apps (custom-virtual-networks#subnet: a workload profiles
        // environment's subnet must be) and keeps its route to the firewall; the API server's to AKS
        // (api-server-vnet-integration), without a default route.
        const delegated = subnets.filter((s) => s.inputs["delegations"] !== undefined);
        const routeTableId = byName(graph, "network-routes").id;
        assert.deepEqual(delegated.map((s) => [s.inputs["subnetName"], s.inputs["delegations"], s.inputs["routeTable"]]), [
            ["snet-runners", [{ name: "delegation", serviceName: "Microsoft.App/environments" }], { id: routeTableId }],
            ["snet-aks-apiserver", [{ name: "delegation", serviceName: "Microsoft.ContainerService/managedClusters" }], undefined],
        ]);
        assert.equal(firewall.inputs["networkSecurityGroup"], undefined);
        const guarded = subnets.filter((s) => s !== firewall);
        assert.ok(guarded.length > 0, "no subnet besides the firewall's");
        for (const s of guarded) {
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

    it("lets the nodes reach the Azure Policy add-on's documented hosts", () => {
        // learn.microsoft.com/azure/aks/outbound-rules-control-egress, "Azure Policy": required FQDNs.
        const rule = firewallRuleCollectionGroups(azureConfig("dev").network, "westeurope").flatMap((g) => g.applicationRules).find((r) => r.name === "azure-policy");
        assert.deepEqual([...(rule?.fqdns ?? [])].sort(), ["data.policy.core.windows.net", "dc.services.visualstudio.com", "store.policy.core.windows.net"]);
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

    for (const [stack, tier] of [["dev", "Standard"], ["prod", "Premium"]] as const) {
        it(`${stack}: Firewall ${tier} with threat intelligence in Deny${tier === "Premium" ? " and IDPS in Deny" : ""}`, async () => {
            const graph = await plan(stack);
            const policy = byName(graph, "network-fw-policy").inputs;
            assert.deepEqual(policy["sku"], { tier });
            assert.equal(policy["threatIntelMode"], "Deny");
            assert.deepEqual(policy["intrusionDetection"], tier === "Premium" ? { mode: "Deny" } : undefined);
            assert.deepEqual(byName(graph, "network-fw").inputs["sku"], { name: "AZFW_VNet", tier });
        });
    }

    it("creates the firewall's rule collection groups one after another, and the firewall after the last", async () => {
        const graph = await plan("dev");
        const groups = ofType(graph, "azure-native:network:FirewallPolicyRuleCollectionGroup");
        assert.deepEqual(groups.map((g) => g.inputs["ruleCollectionGroupName"]), ["aks-required", "deploy-runners"]);
        let previous = byName(graph, "network-fw-policy");
        for (const group of groups) {
            assert.ok(group.dependencies.includes(previous.urn), `${group.name} does not wait for ${previous.name}`);
            previous = group;
        }
        assert.ok(byName(graph, "network-fw").dependencies.includes(previous.urn));
    });

    it("allows AKS's required egress and the runners' hosts, HTTPS only except the AKS tag; no public registry for the nodes", () => {
        const config = azureConfig("dev");
        const groups = firewallRuleCollectionGroups(config.network, config.location);
        const rules = groups.flatMap((g) => g.applicationRules);
        const nodes = [config.network.subnets.systemNodes, config.network.subnets.userNodes];
        const aks = groups[0]!.applicationRules;
        assert.deepEqual(aks.find((r) => r.fqdnTag)?.fqdnTag, "AzureKubernetesService");
        assert.ok(aks.some((r) => r.fqdns.includes("packages.aks.azure.com") && r.fqdns.includes("acs-mirror.azureedge.net")));
        const fqdnRules = rules.filter((r) => !r.fqdnTag);
        assert.ok(fqdnRules.length > 0, "no FQDN rule");
        for (const rule of fqdnRules) {
            assert.deepEqual(rule.protocols, [{ protocolType: "Https", port: 443 }], rule.name);
            assert.ok(rule.fqdns.length > 0 && rule.fqdns.every((f) => f !== "*" && /^(\*\.)?[a-z0-9.-]+\.[a-z]+$/.test(f)), `${rule.name}: ${rule.fqdns}`);
        }
        for (const rule of groups[0]!.applicationRules) {
            assert.deepEqual(rule.sources, nodes, rule.name);
        }
        // Images come from the platform registry's private endpoint (ACR artifact cache): the hosts of Docker Hub,
        // Quay, GHCR and registry.k8s.io (and their blob CDNs) stay closed to the nodes.
        const nodeHosts = rules.filter((r) => r.sources.some((s) => nodes.includes(s))).flatMap((r) => r.fqdns);
        for (const publicRegistry of ["registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com", "quay.io", "cdn01.quay.io", "ghcr.io", "pkg-containers.githubusercontent.com", "registry.k8s.io", "*.pkg.dev", "reg.kyverno.io", "registry.istio.io"]) {
            assert.ok(!nodeHosts.includes(publicRegistry), `nodes may reach ${publicRegistry}`);
        }
        const runnerRules = groups[1]!.applicationRules;
        assert.ok(runnerRules.every((r) => r.sources.length === 1 && r.sources[0] === config.network.subnets.runners));
        const runnerHosts = runnerRules.flatMap((r) => r.fqdns);
        for (const host of new Set(Object.values(CHARTS).map((pin) => new URL(pin.repository).hostname))) {
            assert.ok(runnerHosts.includes(host), `runners cannot fetch charts from ${host}`);
        }
    });

    it("lets the nodes reach the token issuer's host over HTTPS, for istiod's key fetch (none other than the issuer's)", async () => {
        const graph = await plan("dev", false, "all");
        const groups = ofType(graph, "azure-native:network:FirewallPolicyRuleCollectionGroup");
        const rules = groups.flatMap((g) => ((g.inputs["ruleCollections"] ?? []) as Record<string, any>[]).flatMap((c) => c.rules ?? []));
        const issuer = rules.find((r) => r.name === "token-issuer");
        const config = azureConfig("dev");
        // dev's issuer is Entra ID: https://login.microsoftonline.com/<tenant>/v2.0.
        assert.deepEqual([issuer?.targetFqdns, issuer?.sourceAddresses, issuer?.protocols], [["login.microsoftonline.com"], [config.network.subnets.systemNodes, config.network.subnets.userNodes], [{ protocolType: "Https", port: 443 }]]);
        const other = firewallRuleCollectionGroups(config.network, config.location, { tokenIssuerHost: "idp.example.com" }).flatMap((g) => g.applicationRules).find((r) => r.name === "token-issuer");
        assert.deepEqual(other?.fqdns, ["idp.example.com"]);
        assert.equal(firewallRuleCollectionGroups(config.network, config.location).flatMap((g) => g.applicationRules).find((r) => r.name === "token-issuer"), undefined);
    });

    it("lets the nodes reach exactly the alert receivers the config names: webhooks by TLS name, SMTP by a network rule with the DNS proxy on", async () => {
        // The receivers of planDevWithOptions: https://hooks.example.com/..., https://siem.example.com/..., smtp.example.com:587.
        const graph = await planDevWithOptions();
        const nodes = ["10.20.0.0/22", "10.20.4.0/22"];
        const collections = byName(graph, "network-fw-rules-alert-receivers").inputs["ruleCollections"] as Record<string, any>[];
        const rules = collections.flatMap((c) => c.rules.map((r: Record<string, unknown>) => ({ collection: c.name, ...r })));
        assert.deepEqual(rules, [
            // SMTP is not a protocol application rules speak (learn.microsoft.com/azure/firewall/firewall-faq).
            { collection: "alert-receivers-network", ruleType: "NetworkRule", name: "smarthost", sourceAddresses: nodes, destinationFqdns: ["smtp.example.com"], destinationPorts: ["587"], ipProtocols: ["TCP"] },
            { collection: "alert-receivers-application", ruleType: "ApplicationRule", name: "alert-webhook-url", sourceAddresses: nodes, targetFqdns: ["hooks.example.com"], protocols: [{ protocolType: "Https", port: 443 }] },
            { collection: "alert-receivers-application", ruleType: "ApplicationRule", name: "siem-webhook-url", sourceAddresses: nodes, targetFqdns: ["siem.example.com"], protocols: [{ protocolType: "Https", port: 443 }] },
        ]);
        // "You must enable DNS Proxy to use FQDNs in your network rules" (learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules).
        assert.deepEqual(byName(graph, "network-fw-policy").inputs["dnsSettings"], { enableProxy: true, requireProxyForNetworkRules: true });
        // A stack that names no receiver opens nothing for one, and keeps the DNS proxy off.
        const committed = await plan("dev", false, "all");
        assert.deepEqual(ofType(committed, "azure-native:network:FirewallPolicyRuleCollectionGroup").map((g) => g.inputs["ruleCollectionGroupName"]).filter((n) => n === "alert-receivers"), []);
        assert.equal(byName(committed, "network-fw-policy").inputs["dnsSettings"], undefined);
    });

    it("routes 0.0.0.0/0 from the workload subnets to the firewall's private IP, and nothing else through it", async () => {
        const graph = await plan("prod", false);
        const route = byName(graph, "network-route-default").inputs;
        assert.deepEqual([route["addressPrefix"], route["nextHopType"]], ["0.0.0.0/0", "VirtualAppliance"]);
        // Azure gives the firewall the first free address of its subnet (10.30.16.64/26 in prod).
        assert.equal(route["nextHopIpAddress"], "10.30.16.68");
        assert.equal(byName(graph, "network-routes").inputs["disableBgpRoutePropagation"], true);
        const routeTableId = byName(graph, "network-routes").id;
        const routed = ofType(graph, "azure-native:network:Subnet")
            .filter((s) => (s.inputs["routeTable"] as { id?: string } | undefined)?.id === routeTableId)
            .map((s) => s.name.replace("network-subnet-", ""));
        // Everything that runs workloads or deploys them leaves through the firewall (design: egress only via Azure Firewall).
        assert.deepEqual(routed.sort(), ["ingress", "runners", "systemNodes", "userNodes"]);
        assert.ok(!routed.includes("appGateway") && !routed.includes("firewall") && !routed.includes("apim"));
    });

    it("sends the firewall's logs to the workspace", async () => {
        const graph = await plan("dev", false);
        const setting = byName(graph, "network-fw-diagnostics").inputs;
        assert.equal(setting["resourceUri"], byName(graph, "network-fw").id);
        assert.equal(setting["workspaceId"], byName(graph, "network-logs").id);
        assert.deepEqual(setting["logs"], [{ categoryGroup: "allLogs", enabled: true }]);
    });

    it("logs every Key Vault's data-plane access (AuditEvent is in the allLogs group) to the workspace", async () => {
        // learn.microsoft.com/azure/key-vault/general/logging: the AuditEvent category records every data-plane call.
        const graph = await plan("prod", false);
        const vaults = ofType(graph, "azure-native:keyvault:Vault");
        assert.deepEqual(vaults.map((v) => v.name).sort(), ["cluster-etcd-kv", "gateway-kv", "registry-credentials-kv"]);
        for (const vault of vaults) {
            const setting = ofType(graph, "azure-native:monitor:DiagnosticSetting").find((d) => d.inputs["resourceUri"] === vault.id);
            assert.ok(setting, `${vault.name} has no diagnostic setting`);
            assert.deepEqual([setting.inputs["logs"], setting.inputs["workspaceId"]], [[{ categoryGroup: "allLogs", enabled: true }], byName(graph, "network-logs").id]);
        }
    });
});
