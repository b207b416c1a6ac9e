/**
 * The NSG and firewall rule generators over random valid configurations (test/arbitraries.ts `networkConfig`: any
 * number of partner ranges, both edges, optional subnets, any JWT issuer, any alert receivers): every rule set is
 * one ARM accepts, and the required flows of test/nsgModel.ts pass while the forbidden ones stay closed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { firewallRuleCollectionGroups, type RuleCollectionGroup } from "../../components/network/firewallRules";
import { nsgRules, toSecurityRule } from "../../components/network/rules";
import { parsePlatformConfig, type AzurePlatformConfig, type SubnetRole } from "../../config";
import { addressInSubnet, formatIpv4, parseCidr } from "../../config/cidr";
import { networkConfig, SEED } from "../arbitraries";
import { armProblems, forbiddenFlowsFor, host, requiredFlowsFor, verdict, type NetworkView, type Rule } from "../nsgModel";

const RUNS = 150;

/** The config's rules, as ARM takes them, on the network Azure would see. */
function plannedNetwork(config: AzurePlatformConfig): NetworkView {
    const { gateway } = config;
    const rules = nsgRules(config.network, {
        edge: gateway.edge,
        // Azure assigns a subnet's fifth address first (virtual-networks-faq): the load balancer's fixed frontend.
        ingressLoadBalancerIp: addressInSubnet(config.network.subnets.ingress, 4),
        partnerSourceRanges: gateway.apim.partners?.allowedSourceRanges,
        apim: gateway.edge === "frontdoor" ? { multiUnit: gateway.apim.sku === "Premium", jwtIssuer: gateway.jwt.issuer } : undefined,
    });
    const subnets = (Object.entries(config.network.subnets) as [SubnetRole, string | undefined][])
        .filter((entry): entry is [SubnetRole, string] => entry[1] !== undefined)
        .map(([role, prefix]) => ({ name: role, prefix, rules: rules[role]?.map(toSecurityRule) as Rule[] | undefined }));
    return { subnets, vnet: config.network.addressSpace };
}

const apimOf = (config: AzurePlatformConfig) => ({ sku: config.gateway.apim.sku, jwtIssuer: config.gateway.jwt.issuer });
const planOf = (config: AzurePlatformConfig) => ({ ...config.network.subnets, podCidr: config.network.podCidr });

describe("NSG rules over random valid configurations", () => {
    it("are rules ARM accepts: priorities 100-4096 unique per direction, valid names, ports and prefixes", () => {
        fc.assert(fc.property(networkConfig, (raw) => {
            const config = parsePlatformConfig(raw) as AzurePlatformConfig;
            for (const subnet of plannedNetwork(config).subnets.filter((s) => s.rules)) {
                assert.deepEqual(armProblems(subnet.name, subnet.rules as Rule[] & Record<string, unknown>[]), []);
            }
        }), { seed: SEED, numRuns: RUNS });
    });

    it("admit every required flow (partners' ranges included) and nothing that must stay closed", () => {
        fc.assert(fc.property(networkConfig, (raw) => {
            const config = parsePlatformConfig(raw) as AzurePlatformConfig;
            const net = plannedNetwork(config);
            const { edge, apim } = config.gateway;
            const required = requiredFlowsFor(planOf(config), edge, apimOf(config));
            const subnets = config.network.subnets;
            // Partners reach API Management on 443 from their ranges, each range's first and last address.
            for (const range of edge === "frontdoor" ? apim.partners?.allowedSourceRanges ?? [] : []) {
                const { base, prefix } = parseCidr(range)!;
                for (const offset of [0, 2 ** (32 - prefix) - 1]) {
                    required.push({ why: `partner ${range}`, from: { address: formatIpv4(base + offset) }, to: { address: host(subnets.apim), subnet: subnets.apim }, port: 443, protocol: "Tcp" });
                }
            }
            assert.ok(required.length > 20);
            assert.deepEqual(required.map((f) => [f.why, verdict(net, f)]).filter(([, v]) => v !== "allowed"), []);
            const reserved = edge === "frontdoor" ? subnets.appGateway : undefined;
            const forbidden = forbiddenFlowsFor(planOf(config), edge, apimOf(config), reserved);
            assert.deepEqual(forbidden.filter((f) => verdict(net, f) === "allowed").map((f) => f.why), []);
        }), { seed: SEED, numRuns: RUNS });
    });
});

/**
 * What ARM accepts in a firewall policy (learn.microsoft.com/azure/firewall/policy-rule-sets: group and collection
 * priorities 100-65000, unique in their parent; the FirewallPolicy API azure-native 3.28 sends: an application rule's
 * port at most 64000; learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules: no wildcard in a network
 * rule's FQDN). Names: 1-80 letters, digits, '.', '-', '_' (resource naming rules for Microsoft.Network).
 */
function firewallProblems(groups: RuleCollectionGroup[]): string[] {
    const problems: string[] = [];
    const unique = (what: string, values: (string | number)[]) => new Set(values).size === values.length || problems.push(`${what} repeat: ${values.join(",")}`);
    unique("group names", groups.map((g) => g.name));
    unique("group priorities", groups.map((g) => g.priority));
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
    const cidrOrAddress = (a: string) => parseCidr(a) !== undefined || parseCidr(`${a}/32`) !== undefined;
    for (const g of groups) {
        if (!(g.priority >= 100 && g.priority + 10 <= 65000)) problems.push(`${g.name}: priority ${g.priority}`);
        if (!name.test(g.name)) problems.push(`${g.name}: not a valid name`);
        unique(`${g.name} network rule names`, g.networkRules.map((r) => r.name));
        unique(`${g.name} application rule names`, g.applicationRules.map((r) => r.name));
        for (const r of g.networkRules) {
            const destinations = [...r.destinationAddresses, ...(r.destinationFqdns ?? [])];
            if (!name.test(r.name)) problems.push(`${g.name}/${r.name}: not a valid name`);
            if (destinations.length === 0) problems.push(`${g.name}/${r.name}: no destination`);
            if ((r.destinationFqdns ?? []).some((f) => f.includes("*") || !/^[a-z0-9.-]+$/.test(f))) problems.push(`${g.name}/${r.name}: FQDNs ${r.destinationFqdns}`);
            if (!r.destinationAddresses.every((a) => cidrOrAddress(a) || /^[A-Za-z][A-Za-z.]+$/.test(a))) problems.push(`${g.name}/${r.name}: addresses ${r.destinationAddresses}`);
            if (!r.ports.every((p) => /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535)) problems.push(`${g.name}/${r.name}: ports ${r.ports}`);
            if (!r.sources.every(cidrOrAddress)) problems.push(`${g.name}/${r.name}: sources ${r.sources}`);
        }
        for (const r of g.applicationRules) {
            if (!name.test(r.name)) problems.push(`${g.name}/${r.name}: not a valid name`);
            if ((r.fqdnTag === undefined) === (r.fqdns.length === 0)) problems.push(`${g.name}/${r.name}: neither or both FQDNs and a tag`);
            if (!r.fqdns.every((f) => /^(\*\.)?[a-z0-9.-]+$/.test(f))) problems.push(`${g.name}/${r.name}: FQDNs ${r.fqdns}`);
            if (!r.protocols.every((p) => p.port >= 1 && p.port <= 64000)) problems.push(`${g.name}/${r.name}: ports ${JSON.stringify(r.protocols)}`);
            if (!r.sources.every(cidrOrAddress)) problems.push(`${g.name}/${r.name}: sources ${r.sources}`);
        }
    }
    return problems;
}

describe("firewall rules over random valid configurations", () => {
    it("are rules ARM accepts, and let the nodes reach each configured alert receiver at its host and port, nothing more", () => {
        fc.assert(fc.property(networkConfig, (raw) => {
            const config = parsePlatformConfig(raw) as AzurePlatformConfig;
            const groups = firewallRuleCollectionGroups(config.network, config.location, { alertReceivers: config.receiverEndpoints });
            assert.deepEqual(firewallProblems(groups), []);
            // Expected from the raw config (URL and host:port), not from the endpoints the config module derives.
            const expected = [raw["alertWebhookUrl"], raw["siemWebhookUrl"]].filter(Boolean).map((u: string) => {
                const url = new URL(u);
                return `${url.hostname}:${url.port || "443"}`;
            });
            const smarthost = raw["observability"]?.criticalAlertEmail?.smarthost as string | undefined;
            const receivers = groups.filter((g) => g.name === "alert-receivers");
            const nodes = [config.network.subnets.systemNodes, config.network.subnets.userNodes];
            const opened = receivers.flatMap((g) => [
                ...g.applicationRules.flatMap((r) => r.fqdns.flatMap((f) => r.protocols.map((p) => `${f}:${p.port}`))),
                ...g.networkRules.flatMap((r) => [...r.destinationAddresses, ...(r.destinationFqdns ?? [])].flatMap((d) => r.ports.map((p) => `${d}:${p}`))),
            ]);
            assert.deepEqual(opened.sort(), [...expected, ...(smarthost ? [smarthost] : [])].sort());
            assert.ok(receivers.every((g) => [...g.applicationRules, ...g.networkRules].every((r) => JSON.stringify(r.sources) === JSON.stringify(nodes))));
            // SMTP never goes through an application rule (HTTP, HTTPS and MSSQL only: learn.microsoft.com/azure/firewall/firewall-faq).
            if (smarthost) {
                assert.ok(receivers[0]!.networkRules.some((r) => [...r.destinationAddresses, ...(r.destinationFqdns ?? [])].includes(smarthost.split(":")[0]!) && r.protocols.includes("TCP")));
            }
        }), { seed: SEED, numRuns: RUNS });
    });
});
