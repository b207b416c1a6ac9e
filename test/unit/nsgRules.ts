/**
 * The NSG rules module (components/network/rules.ts) on its own, without a plan: the rules it writes for each
 * committed address plan and both edges, as ARM takes them (`toSecurityRule`), admit every flow the platform needs
 * and nothing else (test/nsgModel.ts), and are rules ARM accepts. Fast enough for mutation testing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nsgRules, toSecurityRule } from "../../components/network/rules";
import { parsePlatformConfig, type AzurePlatformConfig, type SubnetRole } from "../../config";
import { addressInSubnet } from "../../config/cidr";
import { rawConfig } from "../helpers";
import { addressPlan, apimSettings, armProblems, forbiddenFlows, requiredFlows, verdict, type Edge, type NetworkView, type Rule } from "../nsgModel";

interface Variant {
    stack: "dev" | "prod";
    edge: Edge;
    partnerSourceRanges?: string[];
    /** Without API Server VNet Integration (dev with KMS off): the API server's endpoint is in the node subnet. */
    withoutApiServerSubnet?: boolean;
    /** A JWT issuer other than the stack's Entra ID one. */
    jwtIssuer?: string;
}

/** The variant's API Management settings: the stack's, with its own issuer if it names one. */
const apimOf = (v: Variant) => ({ ...apimSettings(v.stack), ...(v.jwtIssuer ? { jwtIssuer: v.jwtIssuer } : {}) });

/** Azure keeps a subnet's first four addresses (learn.microsoft.com/azure/virtual-network/virtual-networks-faq). */
const FIRST_HOST_AZURE_ASSIGNS = 4;

function configOf(v: Variant): AzurePlatformConfig {
    const raw = structuredClone(rawConfig(v.stack));
    if (v.edge === "appgateway") {
        raw["network"].subnets.appGateway = addressPlan(v.stack)["appGateway"];
    }
    if (v.withoutApiServerSubnet) {
        delete raw["network"].subnets.apiServer;
        raw["cluster"].kmsEtcdEncryption = false;
    }
    return parsePlatformConfig(raw) as AzurePlatformConfig;
}

function rulesOf(v: Variant) {
    const config = configOf(v);
    const apim = apimOf(v);
    return {
        config,
        rules: nsgRules(config.network, {
            edge: v.edge,
            ingressLoadBalancerIp: addressInSubnet(config.network.subnets.ingress, FIRST_HOST_AZURE_ASSIGNS),
            partnerSourceRanges: v.partnerSourceRanges,
            apim: v.edge === "frontdoor" ? { multiUnit: apim.sku === "Premium", jwtIssuer: apim.jwtIssuer } : undefined,
        }),
    };
}

/** The network Azure would see: a subnet without rules from the module has no NSG at all. */
function network(v: Variant): NetworkView {
    const { config, rules } = rulesOf(v);
    const subnets = (Object.entries(config.network.subnets) as [SubnetRole, string | undefined][])
        .filter((entry): entry is [SubnetRole, string] => entry[1] !== undefined)
        .map(([role, prefix]) => ({ name: role, prefix, rules: rules[role]?.map(toSecurityRule) as Rule[] | undefined }));
    return { subnets, vnet: config.network.addressSpace };
}

const VARIANTS: Variant[] = [
    { stack: "dev", edge: "frontdoor" },
    { stack: "dev", edge: "appgateway" },
    { stack: "prod", edge: "frontdoor", partnerSourceRanges: ["203.0.113.0/24", "198.51.100.0/25"] },
    { stack: "prod", edge: "appgateway" },
    // An issuer outside Entra ID: its keys are fetched from the Internet.
    { stack: "dev", edge: "frontdoor", jwtIssuer: "https://idp.partner.example/realms/platform" },
    { stack: "prod", edge: "frontdoor", jwtIssuer: "https://idp.partner.example/realms/platform" },
];

const label = (v: Variant) => `${v.stack}, ${v.edge}${v.partnerSourceRanges ? ", partners" : ""}${v.withoutApiServerSubnet ? ", no API server subnet" : ""}${v.jwtIssuer ? `, issuer ${v.jwtIssuer}` : ""}`;

describe("NSG rules module", () => {
    for (const variant of [...VARIANTS, { stack: "dev", edge: "frontdoor", withoutApiServerSubnet: true } as Variant]) {
        it(`${label(variant)}: admits every required flow and nothing the platform must keep closed`, () => {
            const net = network(variant);
            const stack = variant.stack;
            const required = requiredFlows(stack, variant.edge, apimOf(variant)).filter((f) => !variant.withoutApiServerSubnet || !f.why.includes("API server"));
            assert.deepEqual(required.map((f) => [f.why, verdict(net, f)]).filter(([, v]) => v !== "allowed"), []);
            assert.deepEqual(forbiddenFlows(stack, variant.edge, apimOf(variant)).filter((f) => f.to.subnet === undefined || net.subnets.some((s) => s.prefix === f.to.subnet)).filter((f) => verdict(net, f) === "allowed").map((f) => f.why), []);
        });

        it(`${label(variant)}: writes only rules ARM accepts, for configured subnets, each NSG ending in deny-all inbound`, () => {
            const { config, rules } = rulesOf(variant);
            const configured = Object.entries(config.network.subnets).filter(([, prefix]) => prefix !== undefined).map(([role]) => role);
            assert.deepEqual(Object.keys(rules).filter((role) => !configured.includes(role)), [], "rules for a subnet that does not exist");
            // AzureFirewallSubnet takes no NSG (learn.microsoft.com/azure/firewall/firewall-faq); every other subnet has one.
            assert.deepEqual(configured.filter((role) => rules[role as SubnetRole] === undefined), ["firewall"]);
            for (const [role, subnetRules] of Object.entries(rules)) {
                const armRules = subnetRules!.map(toSecurityRule) as unknown as Rule[] & Record<string, unknown>[];
                assert.deepEqual(armProblems(role, armRules), []);
                const last = armRules.filter((r) => r.direction === "Inbound").sort((a, b) => a.priority - b.priority).at(-1)!;
                assert.deepEqual([last.access, last.priority, last.sourceAddressPrefix, last.destinationPortRange], ["Deny", 4096, "*", "*"], role);
            }
        });
    }

    it("without API Server VNet Integration, lets the runners reach the API server's endpoint in the node subnet", () => {
        const s = addressPlan("dev");
        const net = network({ stack: "dev", edge: "frontdoor", withoutApiServerSubnet: true });
        const runnerToNode = { why: "runner to the private API server endpoint", from: { address: "10.20.8.228", subnet: s.runners! }, to: { address: "10.20.0.4", subnet: s.systemNodes! }, port: 443, protocol: "Tcp" as const };
        assert.equal(verdict(net, runnerToNode), "allowed");
        assert.notEqual(verdict(net, { ...runnerToNode, port: 22 }), "allowed");
    });

    it("admits partners on 443 from their ranges only, and only with the frontdoor edge", () => {
        const partner = { why: "partner", from: { address: "203.0.113.7" }, to: { address: "10.30.16.4", subnet: "10.30.16.0/26" }, port: 443, protocol: "Tcp" as const };
        const ranges = ["203.0.113.0/24"];
        assert.equal(verdict(network({ stack: "prod", edge: "frontdoor", partnerSourceRanges: ranges }), partner), "allowed");
        assert.notEqual(verdict(network({ stack: "prod", edge: "frontdoor", partnerSourceRanges: ranges }), { ...partner, port: 3443 }), "allowed");
        assert.notEqual(verdict(network({ stack: "prod", edge: "frontdoor" }), partner), "allowed");
        assert.notEqual(verdict(network({ stack: "prod", edge: "appgateway", partnerSourceRanges: ranges }), partner), "allowed");
    });
});
