/** Random valid stack configurations (address plans, zones, SKUs, edge mode, phase, KMS), for the property tests. */
import fc from "fast-check";
import { formatCidr, parseCidr, size } from "../config/cidr";
import { rawConfig, TEST_CA } from "./helpers";

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
        // Phase 2 requires them; stand-ins, never real credentials.
        dockerHubUsername: "offline-docker-hub-user",
        dockerHubToken: "offline-docker-hub-token",
    } as Record<string, any>;
});

export const asOverrides = (config: Record<string, any>) =>
    Object.fromEntries(Object.entries(config).map(([key, value]) => [`platform:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));


/** Entra ID issuers (v2.0 and v1) and issuers elsewhere, as `gateway.jwt.issuer` may name them. */
const JWT_ISSUERS = [
    "https://login.microsoftonline.com/22222222-2222-4222-8222-222222222222/v2.0",
    "https://sts.windows.net/22222222-2222-4222-8222-222222222222/",
    "https://idp.partner.example/realms/platform",
    "https://accounts.google.com",
];

/** A partner's public range: any prefix length, host bits zero. */
const partnerRange = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 2 ** 24 - 1 }), fc.integer({ min: 8, max: 32 }))
    .map(([first, rest, prefix]) => {
        const base = first * 2 ** 24 + rest;
        return formatCidr({ base: base - (base % 2 ** (32 - prefix)), prefix });
    });

/** A receiver's host: a DNS name or an address. */
const receiverHost = fc.oneof(fc.domain().filter((d) => /^[a-z0-9.-]+$/.test(d)), fc.ipV4());
const webhookUrl = fc.tuple(receiverHost, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
    .map(([host, port]) => `https://${host}${port === undefined ? "" : `:${port}`}/hooks/offline-token`);

/**
 * A valid config with what shapes the NSG and firewall rules drawn too: any number of partner ranges (frontdoor
 * edge), an Entra or other JWT issuer, dev without the API server subnet (KMS off), a reserved App Gateway subnet
 * with Front Door, and any of the critical-alert receivers (webhook, SMTP relay, SIEM webhook).
 */
export const networkConfig = fc.record({
    base: validConfig,
    partners: fc.array(partnerRange, { maxLength: 100 }),
    issuer: fc.constantFrom(...JWT_ISSUERS),
    withoutApiServer: fc.boolean(),
    reserveAppGateway: fc.boolean(),
    alertWebhookUrl: fc.option(webhookUrl, { nil: undefined }),
    siemWebhookUrl: fc.option(webhookUrl, { nil: undefined }),
    smarthost: fc.option(fc.tuple(receiverHost, fc.integer({ min: 10, max: 65535 })).map(([host, port]) => `${host}:${port}`), { nil: undefined }),
}).map((draw) => {
    const config = structuredClone(draw.base);
    const subnets = config.network.subnets;
    if (draw.withoutApiServer && config.environment === "dev") {
        delete subnets.apiServer;
        config.cluster.kmsEtcdEncryption = false;
    }
    if (draw.reserveAppGateway && config.gateway.edge === "frontdoor") {
        // Past every other subnet of the layout (they fill well under half of the /16).
        subnets.appGateway = formatCidr({ base: parseCidr(config.network.addressSpace)!.base + 2 ** 15, prefix: 24 });
    }
    config.gateway.jwt = { ...config.gateway.jwt, issuer: draw.issuer };
    if (draw.partners.length > 0 && config.gateway.edge === "frontdoor") {
        config.gateway.apim = { ...config.gateway.apim, partners: { certificateSecretName: "partners-certificate", allowedSourceRanges: draw.partners, ...(config.environment === "prod" ? { clientCaCertificate: TEST_CA.root } : {}) } };
    }
    if (draw.alertWebhookUrl) config.alertWebhookUrl = draw.alertWebhookUrl;
    if (draw.siemWebhookUrl) config.siemWebhookUrl = draw.siemWebhookUrl;
    if (draw.smarthost) {
        config.observability = { ...config.observability, criticalAlertEmail: { to: "oncall@example.com", from: "alerts@example.com", smarthost: draw.smarthost } };
        config.alertEmailPassword = "offline-smtp-password";
    }
    return config;
});
