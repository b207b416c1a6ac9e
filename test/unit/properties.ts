/**
 * Configurations nobody wrote by hand (address plans, zones, SKUs, edge mode, phase): random valid ones parse, random
 * invalid ones fail with a line naming the key. Fixed seed. Planning random configurations is in test/slow/.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError, parsePlatformConfig } from "../../config";
import { SEED, validConfig } from "../arbitraries";

describe("random valid configurations", () => {
    it("all parse", () => {
        fc.assert(fc.property(validConfig, (config) => {
            parsePlatformConfig(config);
        }), { seed: SEED, numRuns: 200 });
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

