/** Random valid stack configurations (address plans, zones, SKUs, edge mode, phase, KMS), for the property tests. */
import fc from "fast-check";
import { formatCidr, parseCidr, size } from "../config/cidr";
import { rawConfig } from "./helpers";

export const SEED = 20261122;
export const PLANNED_RUNS = Number(process.env["PLATFORM_PROPERTY_RUNS"] ?? 3);

/** Subnet roles and the prefix lengths each may take. */
const SUBNET_SIZES = {
    systemNodes: [22, 23, 24],
    userNodes: [21, 22, 23],
    apim: [26, 27],
    firewall: [26],
    privateEndpoints: [26, 27],
    ingress: [27, 28],
    // A Container Apps workload profiles environment needs a /27 or larger (custom-virtual-networks#subnet).
    runners: [26, 27],
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
export const validConfig = fc.record({
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

export const asOverrides = (config: Record<string, any>) =>
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`platform:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));

