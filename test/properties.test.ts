/**
 * Configurations nobody wrote by hand (address plans, zones, SKUs, edge mode, phase): random valid ones must plan cleanly, random invalid ones must fail with a
 * line naming the key. Fixed seed; PLATFORM_PROPERTY_RUNS raises the number of planned configurations.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError, parsePlatformConfig } from "../config";
import { formatCidr, parseCidr, size } from "../config/cidr";
import { toCheckpoint } from "../offline/checkpoint";
import { closePackServers, evaluatePacks } from "../offline/policyCheck";
import { stackPolicyConfigs } from "../offline/policyConfig";
import { findPlaintextSecrets } from "../offline/secretScan";
import { customResourcesBeforeCrds, planWith, rawConfig } from "./helpers";

const SEED = 20261122;
const PLANNED_RUNS = Number(process.env["PLATFORM_PROPERTY_RUNS"] ?? 3);

/** Subnet roles and the prefix lengths each may take. */
const SUBNET_SIZES = {
    systemNodes: [22, 23, 24],
    userNodes: [21, 22, 23],
    apim: [26, 27],
    firewall: [26],
    privateEndpoints: [26, 27],
    ingress: [27, 28],
    runners: [27, 28],
    apiServer: [27, 28],
} as const;

/** Packs subnets of the chosen sizes into the /16, largest first, each aligned to its size. */
function layoutSubnets(addressSpace: string, prefixes: Record<string, number>): Record<string, string> {
    const vnet = parseCidr(addressSpace)!;
    let offset = 0;
    const placed: Record<string, string> = {};
    for (const [role, prefix] of Object.entries(prefixes).sort((a, b) => a[1] - b[1])) {
        const block = size({ base: 0, prefix });
        offset = Math.ceil(offset / block) * block;
        placed[role] = formatCidr({ base: vnet.base + offset, prefix });
        offset += block;
    }
    return placed;
}

const prefixArb = fc.record(Object.fromEntries(Object.entries(SUBNET_SIZES).map(([role, sizes]) => [role, fc.constantFrom(...sizes)])) as Record<keyof typeof SUBNET_SIZES, fc.Arbitrary<number>>);

/** A valid raw config (as the stack file holds it) for dev or prod, drawn across the schema's choices. */
const validConfig = fc.record({
    environment: fc.constantFrom("dev", "prod"),
    second: fc.integer({ min: 0, max: 250 }),
    prefixes: prefixArb,
    devZones: fc.constantFrom(["1"], ["1", "2"], ["1", "2", "3"]),
    poolMin: fc.integer({ min: 0, max: 2 }),
    poolSpread: fc.integer({ min: 0, max: 4 }),
    phase: fc.constantFrom("azure", "all"),
    podCidr: fc.constantFrom("192.168.0.0/16", "100.64.0.0/16"),
    devApimSku: fc.constantFrom("Developer", "Premium"),
    immutabilityDays: fc.integer({ min: 1, max: 90 }),
    locked: fc.boolean(),
    edge: fc.constantFrom("frontdoor", "appgateway"),
    devKms: fc.boolean(),
}).map((draw) => {
    const base = structuredClone(rawConfig(draw.environment));
    const prod = draw.environment === "prod";
    const zones = prod ? ["1", "2", "3"] : draw.devZones;
    const addressSpace = `10.${draw.second}.0.0/16`;
    const subnets = layoutSubnets(addressSpace, draw.edge === "appgateway" ? { ...draw.prefixes, appGateway: 24 } : draw.prefixes);
    const pool = (vmSize: string) => ({ vmSize, minCount: zones.length + draw.poolMin, maxCount: zones.length + draw.poolMin + draw.poolSpread });
    return {
        ...base,
        phase: draw.phase,
        network: { ...base.network, addressSpace, subnets, podCidr: draw.podCidr },
        cluster: { ...base.cluster, zones, systemPool: pool("Standard_D4ds_v5"), userPool: pool("Standard_D8ds_v5"), kmsEtcdEncryption: prod || draw.devKms },
        gateway: {
            ...base.gateway,
            edge: draw.edge,
            ...(draw.edge === "appgateway" ? { appGateway: { certificateSecretName: "api-certificate" } } : {}),
            apim: { ...base.gateway.apim, sku: prod ? "Premium" : draw.devApimSku, capacity: prod ? 3 : 1 },
        },
        backup: { ...base.backup, immutabilityDays: draw.immutabilityDays, immutabilityLocked: draw.locked },
    } as Record<string, any>;
});

const asOverrides = (config: Record<string, any>) =>
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`platform:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));

describe("random valid configurations", () => {
    it("all parse", () => {
        fc.assert(fc.property(validConfig, (config) => {
            parsePlatformConfig(config);
        }), { seed: SEED, numRuns: 200 });
    });

    it(`plan cleanly: policies pass, no plaintext secret, custom resources after their CRDs (${PLANNED_RUNS} plans)`, async () => {
        await fc.assert(fc.asyncProperty(validConfig, async (config) => {
            const graph = await planWith({ stack: config["environment"], overrides: asOverrides(config) });
            const violations = await evaluatePacks(toCheckpoint(graph), { configs: stackPolicyConfigs(config["environment"]) });
            assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory" || v.message.includes("can't run")), []);
            assert.deepEqual(findPlaintextSecrets(graph), []);
            assert.deepEqual(customResourcesBeforeCrds(graph).problems, []);
            assert.equal(graph.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release"), config["phase"] === "all");
        }), { seed: SEED, numRuns: PLANNED_RUNS });
    });
});

/** Ways to break a valid config, each with the key its error line must name. */
const breakages: [string, (c: Record<string, any>) => void][] = [
    ["platform:network.addressSpace", (c) => (c.network.addressSpace = "10.300.0.0/16")],
    // An overlap is reported on the first subnet of the pair, naming the other.
    ["platform:network.subnets.apim", (c) => (c.network.subnets.ingress = c.network.subnets.apim)],
    ["platform:network.subnets.runners", (c) => (c.network.subnets.runners = "172.31.0.0/27")],
    ["platform:network.podCidr", (c) => (c.network.podCidr = c.network.addressSpace)],
    ["platform:cluster.zones", (c) => (c.cluster.zones = ["1", "1"])],
    ["platform:cluster.systemPool.minCount", (c) => (c.cluster.systemPool.minCount = c.cluster.systemPool.maxCount + 1)],
    ["platform:cluster.userPool.maxPods", (c) => (c.cluster.userPool.maxPods = 10)],
    ["platform:gateway.edge", (c) => (c.gateway.edge = "cloudfront")],
    ["platform:gateway.jwt.issuer", (c) => (c.gateway.jwt.issuer = "http://idp.example.com")],
    ["platform:cluster.kubernetesVersion", (c) => delete c.cluster.kubernetesVersion],
    ["platform:backup.immutabilityDays", (c) => (c.backup.immutabilityDays = "seven")],
    ["platform:phase", (c) => (c.phase = "both")],
    // AKS: "The minimum supported API server subnet size is a /28" (api-server-vnet-integration).
    ["platform:network.subnets.apiServer", (c) => (c.network.subnets.apiServer = c.network.subnets.apiServer.replace(/\/\d+$/, "/29"))],
    // KMS with a private vault works only through API Server VNet Integration (use-kms-etcd-encryption).
    ["platform:network.subnets.apiServer", (c) => {
        c.cluster.kmsEtcdEncryption = true;
        delete c.network.subnets.apiServer;
    }],
];

describe("random invalid configurations", () => {
    it("fail before any resource, one line per problem, naming the broken key", () => {
        fc.assert(fc.property(validConfig, fc.constantFrom(...breakages), (valid, [key, breakIt]) => {
            const config = structuredClone(valid);
            breakIt(config);
            let problems: string[] = [];
            try {
                parsePlatformConfig(config);
            } catch (err) {
                assert.ok(err instanceof ConfigError, String(err));
                problems = err.problems;
            }
            assert.ok(problems.some((p) => p.startsWith(`${key}:`)), `no line names ${key}: ${problems.join(" | ")}`);
            assert.ok(problems.every((p) => p.startsWith("platform:") && !p.includes("\n")));
        }), { seed: SEED, numRuns: 300 });
    });
});

after(closePackServers);
