/**
 * The gateway component on its own (components/gateway): Front Door Premium with its WAF, API Management in
 * external VNet mode, or the Application Gateway edge, and the vault and alerts around them, against literals from
 * the Azure REST and SDK documentation.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { Gateway, type GatewayArgs } from "../../components/gateway";
import { renderPolicy } from "../../components/gateway/policyXml";
import { parsePlatformConfig, type AzurePlatformConfig } from "../../config";
import { MOCK_SUBSCRIPTION_ID } from "../../offline/mocks";
import { SECRET_SIG, SIG_KEY, type Graph } from "../../offline/engine";
import { rawConfig, TEST_CA } from "../helpers";
import { AZURE_PROVIDER, builtInRole, declare, dependsOn, named, once, ownResources, RG, RG_ID, subnetId, valueOf, WORKSPACE, type Inputs } from "./harness";

const APIM_SUBNET = subnetId("snet-apim");
const APPGW_SUBNET = subnetId("snet-appgw");
/**
 * Envoy's verify_certificate_spki value for a PEM public key: base64 of the SHA-256 of the DER the "PUBLIC KEY" block
 * holds (RFC 7468: a SubjectPublicKeyInfo), computed here from the offline key's PEM as Envoy's docs' openssl pipeline does.
 */
const spkiOf = (publicKeyPem: string) => createHash("sha256").update(Buffer.from(publicKeyPem.split("\n").filter((l) => !l.startsWith("-----")).join(""), "base64")).digest("base64");
const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
const INTERMEDIATE_KEY = "-----BEGIN PRIVATE KEY-----\nSU5URVJNRURJQVRFIEtFWQ==\n-----END PRIVATE KEY-----\n";
const ROLE = { certificatesOfficer: "a4417e6f-fecd-4de8-b567-7b0420556985", secretsUser: "4633458b-17de-408a-b874-0445c86b69e6", reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7" };

type GatewayBlock = Record<string, unknown>;

function gatewayConfig(gateway: GatewayBlock): AzurePlatformConfig["gateway"] {
    const raw = rawConfig("dev");
    // The appgateway edge needs its subnet in the address plan.
    const network = { ...raw["network"], subnets: { ...raw["network"].subnets, appGateway: "10.20.9.0/24" } };
    return (parsePlatformConfig({ ...raw, network, gateway }) as AzurePlatformConfig).gateway;
}

const DEV_GATEWAY = {
    edge: "frontdoor",
    domain: "dev.platform.example.com",
    apim: { sku: "Developer", capacity: 1, publisherName: "Platform Team", publisherEmail: "platform-team@example.com" },
    jwt: { issuer: "https://login.microsoftonline.com/22222222-2222-4222-8222-222222222222/v2.0", audiences: ["api://platform-dev"] },
};

interface Declared {
    graph: Graph;
    gateway: Gateway;
    suffix: string;
}

async function declareGateway(gateway: GatewayBlock, extra: Partial<GatewayArgs> = {}): Promise<Declared> {
    let component: Gateway | undefined;
    const graph = await declare(({ azure }) => {
        component = new Gateway("gateway", {
            namePrefix: "platform-dev",
            location: "westeurope",
            resourceGroupName: RG,
            config: gatewayConfig(gateway),
            apimSubnetId: APIM_SUBNET,
            subscriptionId: MOCK_SUBSCRIPTION_ID,
            privateEndpointSubnetId: subnetId("snet-pe"),
            vaultDnsZoneId: `${RG_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`,
            tenantId: "22222222-2222-4222-8222-222222222222",
            certificateOfficerGroupIds: ["33333333-3333-4333-8333-333333333333"],
            logAnalyticsWorkspaceId: WORKSPACE,
            zones: ["1", "2", "3"],
            privateCaRootPem: pem("Uk9PVA=="),
            privateCaIntermediatePem: pem("SU5URVI="),
            ingressBackendUrl: "https://api.aks-ingress.dev.platform.example.com",
            ingressClient: { subjectAltName: "api-management.aks-ingress.dev.platform.example.com", issuer: { certificatePem: pem("SU5URVI="), privateKeyPem: pulumi.secret(INTERMEDIATE_KEY) } },
            hstsMaxAgeSeconds: 86400,
            alertReceivers: {},
            tags: { environment: "dev" },
            ...extra,
        }, azure());
    }, false);
    return { graph, gateway: component!, suffix: named(graph, "gateway-suffix").outputs["result"] as string };
}

/** dev as committed: Developer SKU, no custom hostnames, no partners, no alert receivers. */
const dev = once(() => declareGateway(DEV_GATEWAY));
/** Premium with zones, the gateway's and the partners' hostnames (supplied client CA), and both receivers. */
const premium = once(() => declareGateway({
    ...DEV_GATEWAY,
    apim: {
        ...DEV_GATEWAY.apim, sku: "Premium", capacity: 3,
        gatewayHostname: { certificateSecretName: "apim-certificate" },
        partners: { certificateSecretName: "partners-certificate", allowedSourceRanges: ["203.0.113.0/24"], clientCaCertificate: TEST_CA.root },
    },
}, { alertReceivers: { emailAddress: "oncall@example.com", webhookUrl: pulumi.secret("https://hooks.example.com/services/token") } }));
/** dev's partners without a supplied CA: one is generated. */
/** dev's partners without a supplied CA (one is generated), an issuer with a trailing slash, values XML must escape, a webhook only. */
const generatedPartnerCa = once(() => declareGateway({
    ...DEV_GATEWAY,
    apim: { ...DEV_GATEWAY.apim, partners: { certificateSecretName: "partners-certificate", allowedSourceRanges: ["203.0.113.0/24"] } },
    jwt: {
        issuer: "https://idp.example.com/", audiences: ["api://a&b<c>\"'", "api://second"], requiredClaims: ["sub", "tid", "scp"],
        claimValues: { scp: ["api.read", "api.write"], roles: ["Api.Caller"] }, publicPaths: ["/healthz", "/docs/*"],
    },
    rateLimits: {
        perClientIp: { perMinute: 300, burst: 20 },
        quota: { calls: 10000, renewalPeriodSeconds: 86400 },
        apis: { partners: { perSubject: { perMinute: 60, burst: 10 }, quota: { calls: 500, renewalPeriodSeconds: 3600 } } },
    },
    hsts: { maxAgeSeconds: 31536000, preload: true },
    denyList: ["198.51.100.0/24", "203.0.113.7/32"],
}, { alertReceivers: { webhookUrl: pulumi.secret("https://hooks.example.com/services/token") } }));
/** The regional edge, with a deny list and HSTS preloading. */
const appGateway = once(() => declareGateway({
    ...DEV_GATEWAY, edge: "appgateway", appGateway: { certificateSecretName: "api-certificate", minCapacity: 2, maxCapacity: 4 },
    denyList: ["198.51.100.0/24"], hsts: { maxAgeSeconds: 63072000, preload: true },
}, { appGatewaySubnetId: APPGW_SUBNET, alertReceivers: { emailAddress: "oncall@example.com" } }));

/** Inputs without the defaults the SDK adds on its own and the placement every resource shares. */
function own(inputs: Inputs, ...sdkDefaults: string[]): Inputs {
    return Object.fromEntries(Object.entries(inputs).filter(([key]) => !["resourceGroupName", "tags", ...sdkDefaults].includes(key)));
}

const APIM_TLS = {
    // learn.microsoft.com/rest/api/apimanagement/api-management-service/create-or-update, customProperties: each
    // protocol and cipher key defaults to enabled when absent.
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_GCM_SHA256": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA256": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA256": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2": "True",
};

describe("gateway component: key vault", () => {
    it("declares a protected, private, RBAC-only Standard vault with a globally unique name, and lets the certificate officers import", async () => {
        const { graph, suffix } = await dev();
        assert.match(suffix, /^[a-z0-9]{6}$/);
        const vault = named(graph, "gateway-kv");
        assert.equal(vault.protect, true);
        assert.equal(vault.inputs["vaultName"], `kv-plt-dev-${suffix}`);
        assert.deepEqual(vault.inputs["properties"].sku, { family: "A", name: "standard" });
        assert.deepEqual([vault.inputs["properties"].publicNetworkAccess, vault.inputs["properties"].enableRbacAuthorization], ["Disabled", true]);
        assert.deepEqual(named(graph, "gateway-suffix").inputs, { length: 6, special: false, upper: false });
        const officer = named(graph, "gateway-kv-certificates-officer-33333333-3333-4333-8333-333333333333").inputs;
        assert.deepEqual([officer["principalId"], officer["principalType"], officer["roleDefinitionId"], officer["scope"]], ["33333333-3333-4333-8333-333333333333", "Group", builtInRole(ROLE.certificatesOfficer), vault.id]);
        assert.equal(officer["description"], "platform-dev/gateway-kv/certificates-officer/33333333-3333-4333-8333-333333333333");
    });

    it("exposes the vault and, for Front Door, the endpoint host and the domain's validation token", async () => {
        const { graph, gateway, suffix } = await dev();
        assert.equal(await valueOf(gateway.keyVaultId), named(graph, "gateway-kv").id);
        assert.equal(gateway.apiHostName, "api.dev.platform.example.com");
        assert.equal(await valueOf(gateway.edgeTarget), named(graph, "gateway-afd-endpoint").outputs["hostName"]);
        assert.ok(String(await valueOf(gateway.edgeTarget)).startsWith(`platform-dev-${suffix}`));
        assert.ok(gateway.domainValidationToken);
        assert.equal(gateway.alertActionGroupId, undefined);
        // API Management's client certificate for the ingress: 90 days from the offline issuing instant (2026-12-01).
        assert.deepEqual(gateway.heldCertificates.map((h) => h.certificate), ["apim-ingress-client"]);
        assert.deepEqual(await valueOf(gateway.heldCertificates[0]!.notAfter), "2027-03-01T00:00:00Z");
    });
});

describe("gateway component: structure", () => {
    for (const [label, declared] of [["Front Door", premium], ["generated partner CA", generatedPartnerCa], ["Application Gateway", appGateway]] as const) {
        it(`${label}: declares every object under the component`, async () => {
            const { graph } = await declared();
            const { component, own } = ownResources(graph, "gateway", "platform:gateway:Gateway");
            assert.ok(own.length > 10, `${own.length} resources`);
            // The registered outputs, as the engine stores them: the vault for the certificates, and Front Door's
            // hostname and domain token for the DNS records (none on the regional edge).
            const vault = named(graph, "gateway-kv");
            const held = { keyVaultId: vault.id, keyVaultUri: (vault.outputs["properties"] as Inputs)["vaultUri"] };
            assert.deepEqual(component.outputs, label === "Application Gateway" ? held : {
                ...held,
                edgeTarget: named(graph, "gateway-afd-endpoint").outputs["hostName"],
                domainValidationToken: (named(graph, "gateway-afd-domain").outputs["validationProperties"] as Inputs)["validationToken"],
                // What the ingress gateway pins: the certificate's one name, and its key's SPKI hash.
                ingressClient: { subjectAltName: "api-management.aks-ingress.dev.platform.example.com", spkiSha256: spkiOf(named(graph, "gateway-apim-ingress-client-key").outputs["publicKeyPem"] as string) },
            });
        });
    }
});

describe("gateway component: Front Door", () => {
    it("is a protected Premium profile, 60 s to the origin", async () => {
        const { graph } = await dev();
        const profile = named(graph, "gateway-afd");
        assert.equal(profile.protect, true);
        assert.deepEqual(own(profile.inputs), { profileName: "afd-platform-dev", location: "Global", sku: { name: "Premium_AzureFrontDoor" }, originResponseTimeoutSeconds: 60 });
    });

    it("serves the API's name with a managed certificate, TLS 1.2 minimum and the 2023 ECDHE-GCM suite set", async () => {
        // learn.microsoft.com/azure/frontdoor/standard-premium/tls-policy: TLS12_2023 is ECDHE with AES-GCM only.
        const { graph } = await dev();
        assert.deepEqual(own(named(graph, "gateway-afd-domain").inputs), {
            profileName: "afd-platform-dev",
            customDomainName: "api-dev-platform-example-com",
            hostName: "api.dev.platform.example.com",
            tlsSettings: { certificateType: "ManagedCertificate", minimumTlsVersion: "TLS12", cipherSuiteSetType: "TLS12_2023" },
        });
        const { suffix } = await dev();
        assert.deepEqual(own(named(graph, "gateway-afd-endpoint").inputs), { profileName: "afd-platform-dev", endpointName: `platform-dev-${suffix}`, location: "Global", enabledState: "Enabled" });
    });

    it("probes API Management's status endpoint over HTTPS and checks its certificate's name", async () => {
        const { graph, suffix } = await dev();
        assert.deepEqual(own(named(graph, "gateway-afd-origins").inputs), {
            profileName: "afd-platform-dev",
            originGroupName: "apim",
            // learn.microsoft.com/azure/api-management/front-door-api-management: the health probe path.
            healthProbeSettings: { probePath: "/status-0123456789abcdef", probeProtocol: "Https", probeRequestType: "GET", probeIntervalInSeconds: 30 },
            loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
            sessionAffinityState: "Disabled",
        });
        // The default gateway name follows from the service name (<service>.azure-api.net).
        const host = `apim-platform-dev-${suffix}.azure-api.net`;
        assert.deepEqual(own(named(graph, "gateway-afd-origin-apim").inputs, "httpPort"), {
            profileName: "afd-platform-dev", originGroupName: "apim", originName: "apim", hostName: host, originHostHeader: host,
            httpsPort: 443, enforceCertificateNameCheck: true, enabledState: "Enabled", priority: 1, weight: 1000,
        });
    });

    it("routes the custom domain only, redirecting HTTP and forwarding over HTTPS only", async () => {
        const { graph, suffix } = await dev();
        const route = named(graph, "gateway-afd-route");
        assert.deepEqual(own(route.inputs), {
            profileName: "afd-platform-dev",
            endpointName: `platform-dev-${suffix}`,
            routeName: "api",
            customDomains: [{ id: named(graph, "gateway-afd-domain").id }],
            originGroup: { id: named(graph, "gateway-afd-origins").id },
            supportedProtocols: ["Http", "Https"],
            httpsRedirect: "Enabled",
            forwardingProtocol: "HttpsOnly",
            linkToDefaultDomain: "Disabled",
            patternsToMatch: ["/*"],
            ruleSets: [{ id: named(graph, "gateway-afd-rules").id }],
            enabledState: "Enabled",
        });
        assert.ok(dependsOn(graph, route).includes("gateway-afd-origin-apim"), "the route needs an origin in its group");
        assert.ok(dependsOn(graph, route).includes("gateway-afd-security-headers"), "the route serves once its headers rule exists");
    });

    it("sets HSTS (dev's one-day max-age, subdomains included, no preload) and OWASP's API headers on every response, by a rule without conditions", async () => {
        const { graph } = await dev();
        assert.deepEqual(own(named(graph, "gateway-afd-rules").inputs), { profileName: "afd-platform-dev", ruleSetName: "responseheaders" });
        // learn.microsoft.com/azure/frontdoor/front-door-rules-engine-actions, Modify response header: Overwrite
        // replaces a value the origin sent. RFC 6797 section 6.1: max-age, includeSubDomains, preload.
        const header = (headerName: string, value: string) => ({ name: "ModifyResponseHeader", parameters: { typeName: "DeliveryRuleHeaderActionParameters", headerAction: "Overwrite", headerName, value } });
        assert.deepEqual(own(named(graph, "gateway-afd-security-headers").inputs, "matchProcessingBehavior"), {
            profileName: "afd-platform-dev",
            ruleSetName: "responseheaders",
            ruleName: "securityheaders",
            order: 1,
            actions: [header("Strict-Transport-Security", "max-age=86400; includeSubDomains"), header("X-Content-Type-Options", "nosniff"), header("X-Frame-Options", "DENY")],
        });
        const preloaded = named((await generatedPartnerCa()).graph, "gateway-afd-security-headers").inputs["actions"][0];
        assert.deepEqual(preloaded, header("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload"));
    });

    it("blocks the deny list by socket and by client address before every other rule, and keeps the configured per-address limit", async () => {
        const { graph } = await generatedPartnerCa();
        const rules = named(graph, "gateway-afd-waf").inputs["customRules"].rules;
        // learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-custom-rules: lower priority first;
        // RemoteAddr is the client address (X-Forwarded-For), SocketAddr the TCP peer.
        const deny = (variable: string, priority: number) => ({
            name: `DenyList${variable}`, priority, ruleType: "MatchRule", action: "Block", enabledState: "Enabled",
            matchConditions: [{ matchVariable: variable, operator: "IPMatch", matchValue: ["198.51.100.0/24", "203.0.113.7/32"] }],
        });
        assert.deepEqual(rules.slice(0, 2), [deny("SocketAddr", 10), deny("RemoteAddr", 11)]);
        assert.deepEqual([rules[2].name, rules[2].rateLimitThreshold], ["RateLimitPerClientIp", 300]);
        assert.equal(rules.length, 3);
    });

    it("blocks in Prevention mode with DRS 2.1 and the bot rules, rate-limits each client address, and binds the WAF to the domain and endpoint", async () => {
        const { graph } = await dev();
        assert.deepEqual(own(named(graph, "gateway-afd-waf").inputs), {
            policyName: "wafplatformdev",
            location: "Global",
            sku: { name: "Premium_AzureFrontDoor" },
            policySettings: { enabledState: "Enabled", mode: "Prevention", requestBodyCheck: "Enabled" },
            managedRules: { managedRuleSets: [{ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: "Block" }, { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" }] },
            customRules: {
                rules: [{
                    name: "RateLimitPerClientIp", priority: 100, ruleType: "RateLimitRule", rateLimitDurationInMinutes: 1,
                    // The config's default: 600 requests per client IP per minute.
                    rateLimitThreshold: 600,
                    groupBy: [{ variableName: "SocketAddr" }],
                    // "Not 255.255.255.255/32" matches every address (learn.microsoft.com/azure/web-application-firewall/afds/waf-front-door-rate-limit).
                    matchConditions: [{ matchVariable: "RemoteAddr", operator: "IPMatch", negateCondition: true, matchValue: ["255.255.255.255/32"] }],
                    action: "Block",
                    enabledState: "Enabled",
                }],
            },
        });
        assert.deepEqual(own(named(graph, "gateway-afd-waf-binding").inputs), {
            profileName: "afd-platform-dev",
            securityPolicyName: "waf",
            parameters: {
                type: "WebApplicationFirewall",
                wafPolicy: { id: named(graph, "gateway-afd-waf").id },
                associations: [{ domains: [{ id: named(graph, "gateway-afd-domain").id }, { id: named(graph, "gateway-afd-endpoint").id }], patternsToMatch: ["/*"] }],
            },
        });
    });

    it("sends the profile's, the vault's and API Management's logs to the workspace", async () => {
        const { graph } = await dev();
        for (const [name, target] of [["gateway-afd-diagnostics", "gateway-afd"], ["gateway-apim-diagnostics", "gateway-apim"], ["gateway-kv-diagnostics", "gateway-kv"]]) {
            const setting = named(graph, name!).inputs;
            assert.deepEqual([setting["resourceUri"], setting["workspaceId"]], [named(graph, target!).id, WORKSPACE], name);
        }
    });
});

describe("gateway component: API Management", () => {
    it("dev: a protected Developer unit in external VNet mode, without zones, old protocols and weak suites off, portals off", async () => {
        const { graph, suffix } = await dev();
        const service = named(graph, "gateway-apim");
        assert.deepEqual([service.protect, service.customTimeouts], [true, { create: "3h", update: "3h", delete: "3h" }]);
        assert.deepEqual(own(service.inputs, "disableGateway", "enableClientCertificate", "natGatewayState", "restore"), {
            serviceName: `apim-platform-dev-${suffix}`,
            location: "westeurope",
            sku: { name: "Developer", capacity: 1 },
            publisherName: "Platform Team",
            publisherEmail: "platform-team@example.com",
            identity: { type: "SystemAssigned" },
            virtualNetworkType: "External",
            virtualNetworkConfiguration: { subnetResourceId: APIM_SUBNET },
            publicIpAddressId: named(graph, "gateway-apim-pip").id,
            customProperties: APIM_TLS,
            developerPortalStatus: "Disabled",
            legacyPortalStatus: "Disabled",
            apiVersionConstraint: { minApiVersion: "2021-08-01" },
            // The private root and intermediate as base64 DER, so backend TLS validates the ingress gateway's chain.
            certificates: [{ storeName: "Root", encodedCertificate: "Uk9PVA==" }, { storeName: "CertificateAuthority", encodedCertificate: "SU5URVI=" }],
        });
        // stv2 VNet injection needs a Standard static public IP with a DNS label.
        assert.deepEqual(own(named(graph, "gateway-apim-pip").inputs, "publicIPAddressVersion", "idleTimeoutInMinutes"), {
            publicIpAddressName: "pip-platform-dev-apim", location: "westeurope", sku: { name: "Standard", tier: "Regional" }, publicIPAllocationMethod: "Static",
            dnsSettings: { domainNameLabel: `apim-platform-dev-${suffix}` },
        });
    });

    it("Premium: spread over the zones, with the gateway's and the partners' hostnames from the vault, and the partners' CA", async () => {
        const { graph } = await premium();
        const service = named(graph, "gateway-apim").inputs;
        assert.deepEqual([service["sku"], service["zones"], named(graph, "gateway-apim-pip").inputs["zones"]], [{ name: "Premium", capacity: 3 }, ["1", "2", "3"], ["1", "2", "3"]]);
        const vaultUri = named(graph, "gateway-kv").outputs["properties"] as Inputs;
        assert.deepEqual(service["hostnameConfigurations"], [
            // Unversioned secret ids: API Management follows new versions (api-management-howto-use-managed-service-identity).
            { type: "Proxy", hostName: "apim.dev.platform.example.com", certificateSource: "KeyVault", keyVaultId: `${vaultUri["vaultUri"]}secrets/apim-certificate`, negotiateClientCertificate: false, defaultSslBinding: true },
            { type: "Proxy", hostName: "partners.dev.platform.example.com", certificateSource: "KeyVault", keyVaultId: `${vaultUri["vaultUri"]}secrets/partners-certificate`, negotiateClientCertificate: true, defaultSslBinding: false },
        ]);
        const partnerCa = TEST_CA.root.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "");
        assert.deepEqual(service["certificates"].at(-1), { storeName: "CertificateAuthority", encodedCertificate: partnerCa });
        assert.equal(service["certificates"].length, 3);
        // Front Door calls the custom name, whose certificate matches.
        assert.equal(named(graph, "gateway-afd-origin-apim").inputs["hostName"], "apim.dev.platform.example.com");
    });

    it("lets its system identity read the vault's secrets, from the first run on", async () => {
        const { graph } = await dev();
        const service = named(graph, "gateway-apim");
        const grant = named(graph, "gateway-apim-kv-secrets-user").inputs;
        assert.deepEqual(
            [grant["principalId"], grant["principalType"], grant["roleDefinitionId"], grant["scope"], grant["description"]],
            [(service.outputs["identity"] as Inputs)["principalId"], "ServicePrincipal", builtInRole(ROLE.secretsUser), named(graph, "gateway-kv").id, "platform-dev/apim/key-vault-secrets-user"],
        );
    });

    it("accepts only this Front Door (X-Azure-FDID from a named value declared first), validates tokens and limits rates", async () => {
        const { graph, suffix } = await dev();
        const namedValue = named(graph, "gateway-apim-frontdoor-id");
        assert.deepEqual(own(namedValue.inputs), { serviceName: `apim-platform-dev-${suffix}`, namedValueId: "frontdoor-id", displayName: "frontdoor-id", value: named(graph, "gateway-afd").outputs["frontDoorId"] });
        const policy = named(graph, "gateway-apim-global-policy");
        assert.deepEqual([policy.inputs["policyId"], policy.inputs["format"]], ["policy", "rawxml"]);
        assert.ok(dependsOn(graph, policy).includes("gateway-apim-frontdoor-id"));
        const xml = String(policy.inputs["value"]);
        assert.ok(!/__[A-Z0-9_]+__/.test(xml), "a placeholder is left");
        assert.match(xml, /<check-header name="X-Azure-FDID"[^>]*>\s*<value>\{\{frontdoor-id\}\}<\/value>/);
        assert.match(xml, /<openid-config url="https:\/\/login\.microsoftonline\.com\/22222222-2222-4222-8222-222222222222\/v2\.0\/\.well-known\/openid-configuration" \/>/);
        assert.match(xml, /<audience>api:\/\/platform-dev<\/audience>/);
        assert.match(xml, /<issuer>https:\/\/login\.microsoftonline\.com\/22222222-2222-4222-8222-222222222222\/v2\.0<\/issuer>/);
        assert.match(xml, /<claim name="sub" \/>/);
        // Without partners, no host is exempt from the Front Door check.
        assert.match(xml, /Host\.Equals\(&quot;&quot;/);
        // Without public paths every request needs a token.
        assert.match(xml, /<when condition="@\(true\)">\s*<validate-jwt /);
        // learn.microsoft.com/azure/api-management/rate-limit-by-key-policy: calls per renewal-period seconds (the
        // config's defaults: 600 a minute, 100 within a second), each limit on a counter key of its own.
        const limits = [...xml.matchAll(/<rate-limit-by-key calls="(\d+)" renewal-period="(\d+)"\s+counter-key="@\(&quot;([a-z-]+)\/&quot; \+ context\.Request\.Headers\.GetValueOrDefault\(&quot;X-Azure-ClientIP&quot;, context\.Request\.IpAddress\)\)" \/>/g)];
        assert.deepEqual(limits.map((m) => m.slice(1)), [["600", "60", "ip"], ["100", "1", "ip-burst"]]);
        assert.ok(!xml.includes("Subject"), "subject limits are per API");
    });

    it("limits each API per token subject, sustained and burst, on keys of the API's own, only where a token was validated", async () => {
        const { graph } = await dev();
        const xml = String(named(graph, "gateway-apim-example-api-policy").inputs["value"]);
        assert.ok(xml.includes([
            "        <choose>",
            "            <when condition=\"@(context.Variables.ContainsKey(&quot;jwt&quot;))\">",
            "                <rate-limit-by-key calls=\"1200\" renewal-period=\"60\"",
            "                                   counter-key=\"@(&quot;platform-example/subject/&quot; + ((Jwt)context.Variables[&quot;jwt&quot;]).Subject)\" />",
            "                <rate-limit-by-key calls=\"200\" renewal-period=\"1\"",
            "                                   counter-key=\"@(&quot;platform-example/subject-burst/&quot; + ((Jwt)context.Variables[&quot;jwt&quot;]).Subject)\" />",
            "            </when>",
            "        </choose>",
            "        <set-backend-service backend-id=\"aks-ingress\" />",
        ].join("\n")), xml);
        assert.ok(!xml.includes("quota-by-key"), "no quota unless configured");
        // After the global policy (its token), before the backend is chosen.
        assert.ok(xml.indexOf("<base />") < xml.indexOf("<choose>") && xml.indexOf("</choose>") < xml.indexOf("<set-backend-service"));
    });

    it("takes an API's own subject budget and quota, else the global quota (quota-by-key: calls per renewal-period seconds)", async () => {
        const { graph } = await generatedPartnerCa();
        const partners = String(named(graph, "gateway-apim-partner-api-policy").inputs["value"]);
        // The partners' override: 60 a minute, 10 within a second.
        assert.match(partners, /<rate-limit-by-key calls="60" renewal-period="60"\s+counter-key="@\(&quot;partners\/subject\//);
        assert.match(partners, /<rate-limit-by-key calls="10" renewal-period="1"\s+counter-key="@\(&quot;partners\/subject-burst\//);
        assert.match(partners, /<quota-by-key calls="500" renewal-period="3600"\s+counter-key="@\(&quot;partners\/subject-quota\/&quot; \+ \(\(Jwt\)context\.Variables\[&quot;jwt&quot;\]\)\.Subject\)" \/>/);
        const example = String(named(graph, "gateway-apim-example-api-policy").inputs["value"]);
        assert.match(example, /<rate-limit-by-key calls="1200" renewal-period="60"/);
        assert.match(example, /<quota-by-key calls="10000" renewal-period="86400"\s+counter-key="@\(&quot;platform-example\/subject-quota\//);
        // The quota sits inside the token's branch: public paths carry no subject.
        assert.match(example, /ContainsKey\(&quot;jwt&quot;\)\)">[\s\S]*<quota-by-key[\s\S]*<\/when>/);
    });

    it("calls the ingress backend over TLS validated for chain and name, from an HTTPS-only API without subscription keys", async () => {
        const { graph, suffix } = await dev();
        const scoped = { serviceName: `apim-platform-dev-${suffix}` };
        assert.deepEqual(own(named(graph, "gateway-apim-ingress-backend").inputs), {
            ...scoped, backendId: "aks-ingress", title: "Mesh ingress gateway (internal load balancer)", protocol: "http",
            url: "https://api.aks-ingress.dev.platform.example.com", tls: { validateCertificateChain: true, validateCertificateName: true },
            // The client certificate by its resource id (REST BackendCredentialsContract.certificateIds).
            credentials: { certificateIds: [named(graph, "gateway-apim-ingress-client-upload").id] },
            // learn.microsoft.com/azure/api-management/backends, Circuit breaker: failureCondition (count, interval,
            // statusCodeRanges), tripDuration, acceptRetryAfter; ISO 8601 durations.
            circuitBreaker: {
                rules: [{
                    name: "ingress-server-errors",
                    failureCondition: { count: 5, interval: "PT1M", statusCodeRanges: [{ min: 500, max: 599 }] },
                    tripDuration: "PT1M",
                    acceptRetryAfter: true,
                }],
            },
        });
        assert.deepEqual(own(named(graph, "gateway-apim-example-api").inputs), {
            ...scoped, apiId: "platform-example", path: "example", displayName: "Platform example API", protocols: ["https"],
            serviceUrl: "https://api.aks-ingress.dev.platform.example.com", subscriptionRequired: false,
        });
        const policy = named(graph, "gateway-apim-example-api-policy");
        assert.deepEqual([policy.inputs["apiId"], policy.inputs["policyId"], policy.inputs["format"]], ["platform-example", "policy", "rawxml"]);
        assert.match(String(policy.inputs["value"]), /<set-backend-service backend-id="aks-ingress" \/>/);
        assert.ok(dependsOn(graph, policy).includes("gateway-apim-ingress-backend"));
        assert.ok(!graph.resources.some((r) => r.name === "gateway-apim-partner-api"));
    });

    it("gives partners their own API on their hostname, checking revocation only for a supplied CA", async () => {
        const supplied = await premium();
        const api = named(supplied.graph, "gateway-apim-partner-api").inputs;
        assert.deepEqual([api["apiId"], api["path"], api["protocols"], api["subscriptionRequired"]], ["partners", "partners", ["https"], false]);
        const xml = String(named(supplied.graph, "gateway-apim-partner-api-policy").inputs["value"]);
        assert.match(xml, /validate-client-certificate[^>]*validate-revocation="true"/);
        assert.match(String(named(supplied.graph, "gateway-apim-global-policy").inputs["value"]), /Host\.Equals\(&quot;partners\.dev\.platform\.example\.com&quot;/);
        const generated = await generatedPartnerCa();
        assert.match(String(named(generated.graph, "gateway-apim-partner-api-policy").inputs["value"]), /validate-client-certificate[^>]*validate-revocation="false"/);
    });

    it("escapes config values in the policy XML, drops a trailing slash from the issuer, and checks claim values (any of them, space-separated lists split)", async () => {
        const xml = String(named((await generatedPartnerCa()).graph, "gateway-apim-global-policy").inputs["value"]);
        assert.match(xml, /<openid-config url="https:\/\/idp\.example\.com\/\.well-known\/openid-configuration" \/>/);
        assert.ok(xml.includes([
            "                    <audiences>",
            "                        <audience>api://a&amp;b&lt;c&gt;&quot;&apos;</audience>",
            "                        <audience>api://second</audience>",
            "                    </audiences>",
        ].join("\n")), xml);
        // learn.microsoft.com/azure/api-management/validate-jwt-policy, claim: match="any" passes on one listed value;
        // separator splits a multi-valued claim. `scp` is both required and value-checked: checked once, by value.
        assert.ok(xml.includes([
            "                    <required-claims>",
            "                        <claim name=\"sub\" />",
            "                        <claim name=\"tid\" />",
            "                        <claim name=\"scp\" match=\"any\" separator=\" \">",
            "                            <value>api.read</value>",
            "                            <value>api.write</value>",
            "                        </claim>",
            "                        <claim name=\"roles\" match=\"any\" separator=\" \">",
            "                            <value>Api.Caller</value>",
            "                        </claim>",
            "                    </required-claims>",
        ].join("\n")), xml);
    });

    it("asks no token on the public paths: exact, or by prefix, of the path the backend receives (the original path without the API's suffix)", async () => {
        const xml = String(named((await generatedPartnerCa()).graph, "gateway-apim-global-policy").inputs["value"]);
        const condition = "@{ var path = context.Request.OriginalUrl.Path.Substring(context.Api.Path.Length + 1); "
            + "return !(path.Equals(\"/healthz\", StringComparison.Ordinal) || path.StartsWith(\"/docs/\", StringComparison.Ordinal)); }";
        assert.ok(xml.includes(`<when condition="${condition.replace(/"/g, "&quot;")}">`), xml);
        // The per-address limits hold for them too: they are outside the token's branch.
        assert.match(xml, /<\/choose>\s*<!--[^]*?-->\s*<rate-limit-by-key calls="300" renewal-period="60"/);
    });

    it("refuses to render a policy file with a placeholder left without a value, naming it", () => {
        assert.throws(() => renderPolicy("global.xml", {}), /^Error: global\.xml: no value for __[A-Z0-9_]+__$/);
        assert.throws(() => renderPolicy("global.xml", { xml: { AUDIENCES: "" } }), /^Error: global\.xml: no value for __[A-Z0-9_]+__$/);
    });

    it("generates the partners' CA when none is supplied: ECDSA P-384, a year, signing only", async () => {
        const { graph, gateway } = await generatedPartnerCa();
        assert.deepEqual(named(graph, "gateway-partner-ca-key").inputs, { algorithm: "ECDSA", ecdsaCurve: "P384" });
        const ca = named(graph, "gateway-partner-ca").inputs;
        assert.deepEqual(
            [ca["subject"], ca["isCaCertificate"], ca["validityPeriodHours"], ca["allowedUses"]],
            [{ commonName: "Partner CA (platform-dev)", organization: "Platform" }, true, 8760, ["cert_signing", "crl_signing"]],
        );
        assert.equal(ca["privateKeyPem"][SIG_KEY], SECRET_SIG);
        // API Management trusts it for client certificates, beside the platform's root and intermediate.
        const certificates = named(graph, "gateway-apim").inputs["certificates"];
        assert.deepEqual(certificates.at(-1), { storeName: "CertificateAuthority", encodedCertificate: String(named(graph, "gateway-partner-ca").outputs["certPem"]).replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "") });
        assert.equal(named(graph, "gateway-apim-partner-api").inputs["displayName"], "Partner API (client certificates)");
        // The offline vault answers `exp` a year after 2026-12-01 (offline/mocks.ts); the CA's not-after is its validity end.
        assert.deepEqual((await Promise.all(gateway.heldCertificates.map((h) => valueOf(h.notAfter)))).slice(0, 2), ["2027-12-01T00:00:00.000Z", named(graph, "gateway-partner-ca").outputs["validityEndTime"]]);
        assert.deepEqual(gateway.heldCertificates.map((h) => h.certificate), ["key-vault/partners-certificate", "partner-client-ca", "apim-ingress-client"]);
    });
});

describe("gateway component: API Management's client certificate for the ingress", () => {
    it("is an ECDSA P-256 key and a 90-day certificate for one DNS name, for TLS clients, issued by the given intermediate and renewed in its second half", async () => {
        const { graph } = await dev();
        assert.deepEqual(named(graph, "gateway-apim-ingress-client-key").inputs, { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const request = named(graph, "gateway-apim-ingress-client-csr").inputs;
        assert.deepEqual([request["subject"], request["dnsNames"]], [{ commonName: "API Management (platform-dev)", organization: "Platform" }, ["api-management.aks-ingress.dev.platform.example.com"]]);
        assert.equal(request["privateKeyPem"][SIG_KEY], SECRET_SIG);
        const certificate = named(graph, "gateway-apim-ingress-client").inputs;
        // registry docs of tls.LocallySignedCert: allowed_uses key names; early_renewal_hours marks it for replacement.
        assert.deepEqual(
            [certificate["validityPeriodHours"], certificate["earlyRenewalHours"], certificate["allowedUses"], certificate["caCertPem"]],
            [2160, 1080, ["digital_signature", "client_auth"], pem("SU5URVI=")],
        );
        assert.deepEqual(certificate["caPrivateKeyPem"], { [SIG_KEY]: SECRET_SIG, value: INTERMEDIATE_KEY });
        assert.equal(certificate["certRequestPem"], named(graph, "gateway-apim-ingress-client-csr").outputs["certRequestPem"]);
    });

    it("is uploaded to API Management as a PKCS #12 file with a generated password, both secret", async () => {
        const { graph, suffix } = await dev();
        const upload = named(graph, "gateway-apim-ingress-client-upload").inputs;
        assert.deepEqual([upload["serviceName"], upload["certificateId"]], [`apim-platform-dev-${suffix}`, "ingress-client"]);
        assert.equal(upload["data"][SIG_KEY], SECRET_SIG);
        assert.equal(upload["password"][SIG_KEY], SECRET_SIG);
        const password = named(graph, "gateway-apim-ingress-client-pfx-password");
        assert.deepEqual(password.inputs, { length: 32, special: false });
        assert.equal(upload["password"].value, password.outputs["result"]);
        // A DER SEQUENCE (0x30) holding version 3 (02 01 03): RFC 7292's PFX. Its content is proven against OpenSSL in test/unit/pkcs12.ts.
        const der = Buffer.from(upload["data"].value, "base64");
        assert.equal(der[0], 0x30);
        assert.ok(der.includes(Buffer.from([0x02, 0x01, 0x03])));
    });

    it("is not made for the Application Gateway edge, which cannot present one to a backend", async () => {
        const { graph, gateway } = await appGateway();
        assert.deepEqual(graph.resources.filter((r) => r.name.includes("ingress-client")).map((r) => r.name), []);
        assert.equal(gateway.ingressClient, undefined);
    });
});

describe("gateway component: alerts", () => {
    it("notifies the configured e-mail and webhook (secret) through one action group, using the common schema", async () => {
        const { graph, gateway, suffix } = await premium();
        const group = named(graph, "gateway-apim-alerts-action-group").inputs;
        assert.deepEqual(own(group, "webhookReceivers"), {
            actionGroupName: "ag-platform-dev-platform", groupShortName: "platform", location: "global", enabled: true,
            emailReceivers: [{ name: "email", emailAddress: "oncall@example.com", useCommonAlertSchema: true }],
        });
        // The URL carries the webhook's token: it stays secret in the inputs.
        assert.deepEqual(group["webhookReceivers"], [{ name: "webhook", serviceUri: { [SIG_KEY]: SECRET_SIG, value: "https://hooks.example.com/services/token" }, useCommonAlertSchema: true }]);
        assert.ok(gateway.alertActionGroupId);
        assert.deepEqual(gateway.heldCertificates.map((h) => h.certificate), ["key-vault/apim-certificate", "key-vault/partners-certificate", "partner-client-ca", "apim-ingress-client"]);
        // Their expiry is read from the vault through the gateway's own Azure provider.
        const reads = graph.invokes.filter((i) => i.token === "azure-native:keyvault:getSecret");
        assert.deepEqual(reads.map((i) => i.inputs), ["apim-certificate", "partners-certificate"].map((secretName) => ({ resourceGroupName: RG, vaultName: `kv-plt-dev-${suffix}`, secretName })));
        assert.ok(reads.every((i) => AZURE_PROVIDER.test(i.provider ?? "")), JSON.stringify(reads));
    });

    for (const [alert, codes] of [["auth-failures", ["401", "403"]], ["rate-limited", ["429"]]] as const) {
        it(`watches API Management's ${codes.join("/")} answers against a dynamic baseline, 3 of 4 windows`, async () => {
            const { graph } = await premium();
            const rule = named(graph, `gateway-apim-alerts-${alert}`).inputs;
            assert.deepEqual(own(rule, "description"), {
                ruleName: `alert-platform-dev-apim-${alert}`, location: "global", severity: 2, enabled: true,
                scopes: [named(graph, "gateway-apim").id], evaluationFrequency: "PT5M", windowSize: "PT15M",
                criteria: {
                    odataType: "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria",
                    allOf: [{
                        criterionType: "DynamicThresholdCriterion", name: "rejected-requests",
                        // learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-apimanagement-service-metrics.
                        metricNamespace: "Microsoft.ApiManagement/service", metricName: "Requests",
                        dimensions: [{ name: "GatewayResponseCode", operator: "Include", values: codes }],
                        timeAggregation: "Total", operator: "GreaterThan", alertSensitivity: "Medium",
                        failingPeriods: { numberOfEvaluationPeriods: 4, minFailingPeriodsToAlert: 3 },
                    }],
                },
                autoMitigate: true,
                actions: [{ actionGroupId: named(graph, "gateway-apim-alerts-action-group").id }],
            });
            assert.ok(String(rule["description"]).length > 0);
        });
    }

    it("notifies a webhook alone, or an e-mail alone", async () => {
        const webhookOnly = named((await generatedPartnerCa()).graph, "gateway-apim-alerts-action-group").inputs;
        assert.deepEqual([webhookOnly["emailReceivers"], webhookOnly["webhookReceivers"].length], [[], 1]);
        const emailOnly = named((await appGateway()).graph, "gateway-apim-alerts-action-group").inputs;
        assert.deepEqual([emailOnly["emailReceivers"], emailOnly["webhookReceivers"]], [[{ name: "email", emailAddress: "oncall@example.com", useCommonAlertSchema: true }], []]);
    });

    it("declares no alert over Resource Graph (it does not index Front Door's custom domains), and without receivers notifies nobody", async () => {
        const { graph } = await dev();
        assert.ok(!graph.resources.some((r) => r.type === "azure-native:monitor:ScheduledQueryRule"));
        // No receivers: no action group, and alerts notify nobody.
        assert.ok(!graph.resources.some((r) => r.type === "azure-native:monitor:ActionGroup"));
        assert.deepEqual(named(graph, "gateway-apim-alerts-auth-failures").inputs["actions"], []);
    });
});

describe("gateway component: Application Gateway edge", () => {
    it("declares no Front Door and no API Management", async () => {
        const { graph } = await appGateway();
        assert.deepEqual(graph.resources.filter((r) => /azure-native:(cdn|frontdoor|apimanagement):/.test(r.type)).map((r) => r.name), []);
    });

    it("is WAF_v2 in the zones, autoscaling within the configured capacity, with the strict TLS 1.2 policy and HTTP/2", async () => {
        const { graph } = await appGateway();
        const gateway = named(graph, "gateway-agw").inputs;
        assert.deepEqual([gateway["applicationGatewayName"], gateway["zones"], gateway["sku"], gateway["autoscaleConfiguration"], gateway["enableHttp2"]], ["agw-platform-dev", ["1", "2", "3"], { name: "WAF_v2", tier: "WAF_v2" }, { minCapacity: 2, maxCapacity: 4 }, true]);
        // learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview: AppGwSslPolicy20220101S is TLS 1.2+ with ECDHE-GCM suites.
        assert.deepEqual(gateway["sslPolicy"], { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" });
        assert.deepEqual(gateway["firewallPolicy"], { id: `${RG_ID}/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/wafagwplatformdev` });
        // The gateway reads its certificate on create, so the vault grant comes first; the WAF is bound by its id.
        assert.deepEqual(dependsOn(graph, named(graph, "gateway-agw")), ["gateway-agw-identity", "gateway-agw-kv-secrets-user", "gateway-agw-pip", "gateway-agw-waf", "gateway-kv"]);
    });

    it("listens with SNI on 443 with the vault's certificate, and on 80 only to redirect permanently", async () => {
        const { graph } = await appGateway();
        const gateway = named(graph, "gateway-agw").inputs;
        const part = (kind: string, name: string) => ({ id: `${RG_ID}/providers/Microsoft.Network/applicationGateways/agw-platform-dev/${kind}/${name}` });
        const vault = named(graph, "gateway-kv").outputs["properties"] as Inputs;
        assert.deepEqual(gateway["gatewayIPConfigurations"], [{ name: "gateway-ip", subnet: { id: APPGW_SUBNET } }]);
        assert.deepEqual(gateway["frontendIPConfigurations"], [{ name: "public", publicIPAddress: { id: named(graph, "gateway-agw-pip").id } }]);
        assert.deepEqual(gateway["frontendPorts"], [{ name: "https", port: 443 }, { name: "http", port: 80 }]);
        assert.deepEqual(gateway["sslCertificates"], [{ name: "api", keyVaultSecretId: `${vault["vaultUri"]}secrets/api-certificate` }]);
        assert.deepEqual(gateway["httpListeners"], [
            { name: "https", protocol: "Https", hostName: "api.dev.platform.example.com", requireServerNameIndication: true, frontendIPConfiguration: part("frontendIPConfigurations", "public"), frontendPort: part("frontendPorts", "https"), sslCertificate: part("sslCertificates", "api") },
            { name: "http", protocol: "Http", hostName: "api.dev.platform.example.com", frontendIPConfiguration: part("frontendIPConfigurations", "public"), frontendPort: part("frontendPorts", "http") },
        ]);
        assert.deepEqual(gateway["redirectConfigurations"], [{ name: "http-to-https", redirectType: "Permanent", targetListener: part("httpListeners", "https"), includePath: true, includeQueryString: true }]);
        assert.deepEqual(gateway["requestRoutingRules"], [
            {
                name: "api", priority: 100, ruleType: "Basic", httpListener: part("httpListeners", "https"), backendAddressPool: part("backendAddressPools", "ingress"),
                backendHttpSettings: part("backendHttpSettingsCollection", "ingress-https"), rewriteRuleSet: part("rewriteRuleSets", "edge"),
            },
            { name: "redirect-http", priority: 200, ruleType: "Basic", httpListener: part("httpListeners", "http"), redirectConfiguration: part("redirectConfigurations", "http-to-https") },
        ]);
    });

    it("rewrites every routed request's X-Forwarded-For to addresses without ports, and sets HSTS and OWASP's API headers on every response", async () => {
        const { graph } = await appGateway();
        // learn.microsoft.com/azure/application-gateway/rewrite-http-headers-url: "{var_<server variable>}";
        // add_x_forwarded_for_proxy is the client's X-Forwarded-For with the client IP appended, without its port.
        assert.deepEqual(named(graph, "gateway-agw").inputs["rewriteRuleSets"], [{
            name: "edge",
            rewriteRules: [{
                name: "headers",
                ruleSequence: 100,
                actionSet: {
                    requestHeaderConfigurations: [{ headerName: "X-Forwarded-For", headerValue: "{var_add_x_forwarded_for_proxy}" }],
                    responseHeaderConfigurations: [
                        // RFC 6797 section 6.1; the configured two years, preloaded.
                        { headerName: "Strict-Transport-Security", headerValue: "max-age=63072000; includeSubDomains; preload" },
                        { headerName: "X-Content-Type-Options", headerValue: "nosniff" },
                        { headerName: "X-Frame-Options", headerValue: "DENY" },
                    ],
                },
            }],
        }]);
    });

    it("calls the ingress gateway by name over HTTPS, trusting only the private root", async () => {
        const { graph } = await appGateway();
        const gateway = named(graph, "gateway-agw").inputs;
        const part = (kind: string, name: string) => ({ id: `${RG_ID}/providers/Microsoft.Network/applicationGateways/agw-platform-dev/${kind}/${name}` });
        assert.deepEqual(gateway["trustedRootCertificates"], [{ name: "platform-root", data: "Uk9PVA==" }]);
        assert.deepEqual(gateway["backendAddressPools"], [{ name: "ingress", backendAddresses: [{ fqdn: "api.aks-ingress.dev.platform.example.com" }] }]);
        assert.deepEqual(gateway["probes"], [{ name: "ingress", protocol: "Https", host: "api.aks-ingress.dev.platform.example.com", path: "/", interval: 30, timeout: 30, unhealthyThreshold: 3, match: { statusCodes: ["200-499"] } }]);
        assert.deepEqual(gateway["backendHttpSettingsCollection"], [{
            name: "ingress-https", protocol: "Https", port: 443, hostName: "api.aks-ingress.dev.platform.example.com", pickHostNameFromBackendAddress: false,
            cookieBasedAffinity: "Disabled", requestTimeout: 30, probe: part("probes", "ingress"), trustedRootCertificates: [part("trustedRootCertificates", "platform-root")],
        }]);
    });

    it("reads its certificate with its own identity, and runs a Prevention WAF with DRS 2.1 and the bot rules", async () => {
        const { graph, gateway } = await appGateway();
        const agw = named(graph, "gateway-agw");
        const identities = agw.inputs["identity"];
        assert.deepEqual([identities.type, identities.userAssignedIdentities], ["UserAssigned", [named(graph, "gateway-agw-identity").id]]);
        assert.deepEqual([named(graph, "gateway-agw-identity").inputs["resourceName"], named(graph, "gateway-agw-pip").inputs["publicIpAddressName"]], ["id-platform-dev-appgw", "pip-platform-dev-appgw"]);
        assert.deepEqual(own(named(graph, "gateway-agw-waf").inputs), {
            policyName: "wafagwplatformdev", location: "westeurope",
            // fileUploadEnforcement and requestBodyEnforcement are the SDK's defaults.
            policySettings: { state: "Enabled", mode: "Prevention", requestBodyCheck: true, fileUploadEnforcement: true, requestBodyEnforcement: true },
            managedRules: { managedRuleSets: [{ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" }, { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" }] },
            // learn.microsoft.com/azure/web-application-firewall/ag/custom-waf-rules-overview: a MatchRule on RemoteAddr with IPMatch.
            customRules: [{
                name: "DenyList", priority: 10, ruleType: "MatchRule", action: "Block", state: "Enabled",
                matchConditions: [{ matchVariables: [{ variableName: "RemoteAddr" }], operator: "IPMatch", matchValues: ["198.51.100.0/24"] }],
            }],
        });
        assert.deepEqual(named(graph, "gateway-agw-diagnostics").inputs["resourceUri"], agw.id);
        assert.equal(await valueOf(gateway.edgeTarget), named(graph, "gateway-agw-pip").outputs["ipAddress"]);
        assert.equal(gateway.domainValidationToken, undefined);
        assert.deepEqual(gateway.heldCertificates.map((h) => h.certificate), ["key-vault/api-certificate"]);
    });
});
