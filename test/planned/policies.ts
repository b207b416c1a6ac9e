/** Every policy against a compliant resource and one failing variant per rule, plus the packs themselves. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as cdn from "@pulumi/azure-native/cdn";
import * as network from "@pulumi/azure-native/network";
import type { Checkpoint, CheckpointResource } from "../../offline/checkpoint";
import { evaluatePack, packDirs, packServer } from "../../offline/policyCheck";
import { stackPolicyConfigs } from "../../offline/policyConfig";
import { UNKNOWN } from "../../offline/engine";
import { azureTlsPolicies } from "../../policies/rules/azureTls";
import { baselinePolicies } from "../../policies/rules/baseline";
import { meshTlsPolicies } from "../../policies/rules/meshTls";
import { APIM_DISABLEABLE_KEYS, PLAN_VARIANTS, verdictsOf } from "../helpers";

function checkpointWith(...resources: Partial<CheckpointResource>[]): Checkpoint {
    return {
        version: 3,
        deployment: {
            manifest: { time: "1970-01-01T00:00:00Z", magic: "test", version: "test" },
            resources: resources.map((r, i) => ({ urn: `urn:pulumi:test::platform::${r.type}::r${i}`, custom: true, type: "unset", ...r })),
        },
    };
}

/** The pack that serves `policy`, as its server's GetAnalyzerInfo says. */
async function packOf(policy: string): Promise<string> {
    for (const name of Object.keys(packDirs())) {
        if ((await packServer(name)).info.policies.some((p) => p.name === policy)) {
            return name;
        }
    }
    throw new Error(`no pack serves ${policy}`);
}

async function messages(policy: string, type: string, inputs: Record<string, unknown>, extra: Partial<CheckpointResource> = {}): Promise<string[]> {
    const violations = await evaluatePack(checkpointWith({ type, inputs, outputs: inputs, ...extra }), await packOf(policy));
    return violations.filter((v) => v.policy === policy).map((v) => v.message);
}


const goodStorage = { minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: true, publicNetworkAccess: "Disabled", allowBlobPublicAccess: false, allowSharedKeyAccess: false };
const goodDomain = { tlsSettings: { minimumTlsVersion: "TLS12", cipherSuiteSetType: "TLS12_2023", certificateType: "ManagedCertificate" } };
const goodApim = { customProperties: Object.fromEntries(APIM_DISABLEABLE_KEYS.map((k) => [k, "False"])) };
const goodVault = { properties: { enableRbacAuthorization: true, enablePurgeProtection: true, publicNetworkAccess: "Disabled" } };
const goodCluster = { apiServerAccessProfile: { enablePrivateCluster: true }, disableLocalAccounts: true, networkProfile: { networkPolicy: "cilium" } };

function customized(...tls12: string[]) {
    return { cipherSuiteSetType: "Customized", customizedCipherSuiteSet: { cipherSuiteSetForTls12: tls12 } };
}

const goodRoute = { forwardingProtocol: "HttpsOnly", supportedProtocols: ["Http", "Https"], httpsRedirect: "Enabled" };
const goodWaf = { policySettings: { enabledState: "Enabled", mode: "Prevention" } };
const goodApi = { protocols: ["https"], serviceUrl: "https://api.aks-ingress.example.com" };
const goodBackend = { url: "https://api.aks-ingress.example.com", tls: { validateCertificateChain: true, validateCertificateName: true } };

const gcm = ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"];
const goodIstioGateway = {
    spec: {
        servers: [
            { port: { number: 443, protocol: "HTTPS", name: "https" }, tls: { mode: "SIMPLE", credentialName: "cert", minProtocolVersion: "TLSV1_2", cipherSuites: gcm } },
            { port: { number: 80, protocol: "HTTP", name: "http" }, tls: { httpsRedirect: true } },
        ],
    },
};
const goodDestinationRule = { spec: { trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" }, portLevelSettings: [{ port: { number: 8443 }, tls: { mode: "SIMPLE" } }] }, subsets: [{ name: "v1", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } }] } };
const goodIstiod = { chart: "istiod", values: { meshConfig: { meshMTLS: { minProtocolVersion: "TLSV1_3" }, tlsDefaults: { minProtocolVersion: "TLSV1_2", cipherSuites: gcm } } } };
const goodCertificate = { spec: { duration: "2160h", renewBefore: "720h", privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } } };
const listenerId = (name: string) => ({ id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/agw/httpListeners/${name}` });
const goodAppGateway = {
    sku: { name: "WAF_v2", tier: "WAF_v2" },
    firewallPolicy: { id: "/waf" },
    sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" },
    sslProfiles: [{ name: "partners", sslPolicy: { policyType: "CustomV2", minProtocolVersion: "TLSv1_2", cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] } }],
    httpListeners: [{ name: "https", protocol: "Https" }, { name: "http", protocol: "Http" }],
    requestRoutingRules: [{ name: "api", httpListener: listenerId("https") }, { name: "redirect", httpListener: listenerId("http"), redirectConfiguration: { id: "/redirect" } }],
    backendHttpSettingsCollection: [{ name: "ingress", protocol: "Https" }],
};

const cases: { policy: string; type: string; good: Record<string, unknown>; bad: [string, (p: any) => void, RegExp][] }[] = [
    {
        policy: "storage-account-tls", type: "azure-native:storage:StorageAccount", good: goodStorage,
        bad: [
            ["TLS 1.0", (p) => (p.minimumTlsVersion = "TLS1_0"), /^minimumTlsVersion is "TLS1_0"/],
            // The SDK's MinimumTlsVersion doc: "Minimum TLS version 1.3 version is not supported".
            ["TLS 1.3, which Azure does not support as a minimum", (p) => (p.minimumTlsVersion = "TLS1_3"), /^minimumTlsVersion is "TLS1_3"/],
            ["TLS version left to the API default", (p) => delete p.minimumTlsVersion, /^minimumTlsVersion is undefined/],
            ["HTTP allowed", (p) => (p.enableHttpsTrafficOnly = false), /^enableHttpsTrafficOnly is false/],
        ],
    },
    {
        policy: "frontdoor-domain-tls", type: "azure-native:cdn:AFDCustomDomain", good: goodDomain,
        bad: [
            ["TLS 1.0", (p) => (p.tlsSettings.minimumTlsVersion = "TLS10"), /^tlsSettings\.minimumTlsVersion is "TLS10"/],
            ["TLS12_2022 suites", (p) => (p.tlsSettings.cipherSuiteSetType = "TLS12_2022"), /^tlsSettings\.cipherSuiteSetType is "TLS12_2022"/],
            ["a CBC suite in a custom set", (p) => Object.assign(p.tlsSettings, customized(cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_GCM_SHA256, cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_SHA256)), /allows \["ECDHE_RSA_AES128_SHA256"\]/],
            ["a DHE suite in a custom set", (p) => Object.assign(p.tlsSettings, customized(cdn.AfdCustomizedCipherSuiteForTls12.DHE_RSA_AES256_GCM_SHA384)), /allows \["DHE_RSA_AES256_GCM_SHA384"\]/],
            ["Application Gateway's suite names in a custom set", (p) => Object.assign(p.tlsSettings, customized("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")), /allows \["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"\]/],
        ],
    },
    {
        // Both ECDHE-GCM names of the SDK's AfdCustomizedCipherSuiteForTls12 enum: the set the review found rejected.
        policy: "frontdoor-domain-tls", type: "azure-native:cdn:AFDCustomDomain",
        good: { tlsSettings: { minimumTlsVersion: "TLS12", certificateType: "ManagedCertificate", ...customized(cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_GCM_SHA256, cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES256_GCM_SHA384) } },
        bad: [["an empty custom set", (p) => (p.tlsSettings.customizedCipherSuiteSet.cipherSuiteSetForTls12 = []), /allows "nothing"/]],
    },
    {
        policy: "apim-protocols-and-ciphers", type: "azure-native:apimanagement:ApiManagementService", good: goodApim,
        bad: [
            ["TLS 1.0 on", (p) => (p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"] = "true"), /Protocols\.Tls10"\] is "true"/],
            ["3DES absent (means on)", (p) => delete p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168"], /TripleDes168"\] is undefined; set "false" \(absent means on\)/],
        ],
    },
    {
        policy: "frontdoor-route-https", type: "azure-native:cdn:Route", good: goodRoute,
        bad: [
            ["forwarding the caller's protocol", (p) => (p.forwardingProtocol = "MatchRequest"), /^forwardingProtocol is "MatchRequest"/],
            ["HTTP without redirect", (p) => (p.httpsRedirect = "Disabled"), /^supportedProtocols includes "Http" but httpsRedirect is "Disabled"/],
        ],
    },
    {
        policy: "frontdoor-origin-certificate-check", type: "azure-native:cdn:AFDOrigin", good: { enforceCertificateNameCheck: true },
        bad: [["no name check", (p) => (p.enforceCertificateNameCheck = false), /^enforceCertificateNameCheck is false/]],
    },
    {
        policy: "frontdoor-waf-prevention", type: "azure-native:frontdoor:Policy", good: goodWaf,
        bad: [
            ["Detection mode", (p) => (p.policySettings.mode = "Detection"), /^policySettings\.mode is "Detection"/],
            ["disabled", (p) => (p.policySettings.enabledState = "Disabled"), /^policySettings\.enabledState is "Disabled"/],
        ],
    },
    {
        policy: "apim-api-https", type: "azure-native:apimanagement:Api", good: goodApi,
        bad: [
            ["HTTP accepted", (p) => (p.protocols = ["http", "https"]), /^protocols is \["http","https"\]/],
            ["plain-HTTP service", (p) => (p.serviceUrl = "http://backend"), /^serviceUrl is "http:\/\/backend"/],
        ],
    },
    {
        policy: "apim-backend-tls", type: "azure-native:apimanagement:Backend", good: goodBackend,
        bad: [
            ["http backend", (p) => (p.url = "http://backend"), /^url is "http:\/\/backend"/],
            ["chain not validated", (p) => (p.tls.validateCertificateChain = false), /^tls\.validateCertificateChain is false/],
            ["name not validated", (p) => delete p.tls, /^tls\.validateCertificateName is undefined/],
        ],
    },
    {
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1:Gateway", good: goodIstioGateway,
        bad: [
            ["TLS 1.0 allowed", (p) => (p.spec.servers[0].tls.minProtocolVersion = "TLSV1_0"), /^spec\.servers\[0\]\.tls\.minProtocolVersion is "TLSV1_0"/],
            ["minimum left to the default", (p) => delete p.spec.servers[0].tls.minProtocolVersion, /^spec\.servers\[0\]\.tls\.minProtocolVersion is undefined/],
            ["a CBC suite", (p) => p.spec.servers[0].tls.cipherSuites.push("ECDHE-RSA-AES128-SHA"), /cipherSuites is .*ECDHE-RSA-AES128-SHA/],
            ["Envoy's default suites", (p) => delete p.spec.servers[0].tls.cipherSuites, /cipherSuites is undefined/],
            // Neither name is a BoringSSL suite: AES128-GCM goes with SHA256 and AES256-GCM with SHA384.
            ["a suite name that does not exist", (p) => p.spec.servers[0].tls.cipherSuites.push("ECDHE-RSA-AES128-GCM-SHA384"), /cipherSuites is .*ECDHE-RSA-AES128-GCM-SHA384/],
            ["another suite name that does not exist", (p) => p.spec.servers[0].tls.cipherSuites.push("ECDHE-ECDSA-AES256-GCM-SHA256"), /cipherSuites is .*ECDHE-ECDSA-AES256-GCM-SHA256/],
            ["no credential", (p) => delete p.spec.servers[0].tls.credentialName, /has no credentialName/],
            ["plain HTTP served", (p) => delete p.spec.servers[1].tls, /^spec\.servers\[1\] serves plain HTTP/],
        ],
    },
    {
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1beta1:Gateway", good: goodIstioGateway,
        bad: [["TLS 1.1 (v1beta1)", (p) => (p.spec.servers[0].tls.minProtocolVersion = "TLSV1_1"), /minProtocolVersion is "TLSV1_1"/]],
    },
    {
        policy: "istio-peer-authentication-strict", type: "kubernetes:security.istio.io/v1:PeerAuthentication", good: { spec: { mtls: { mode: "STRICT" } } },
        bad: [
            ["PERMISSIVE", (p) => (p.spec.mtls.mode = "PERMISSIVE"), /^spec\.mtls\.mode is "PERMISSIVE"/],
            ["a port with mTLS off", (p) => (p.spec.portLevelMtls = { 8080: { mode: "DISABLE" } }), /^spec\.portLevelMtls\["8080"\]\.mode is "DISABLE"/],
        ],
    },
    {
        policy: "istio-destination-rule-tls", type: "kubernetes:networking.istio.io/v1:DestinationRule", good: goodDestinationRule,
        bad: [
            ["TLS off", (p) => (p.spec.trafficPolicy.tls.mode = "DISABLE"), /^spec\.trafficPolicy\.tls\.mode is "DISABLE"/],
            ["skip verify on a port", (p) => (p.spec.trafficPolicy.portLevelSettings[0].tls.insecureSkipVerify = true), /^spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.insecureSkipVerify is true/],
            ["TLS off in a subset", (p) => (p.spec.subsets[0].trafficPolicy.tls.mode = "DISABLE"), /^spec\.subsets\[0\]\.trafficPolicy\.tls\.mode is "DISABLE"/],
        ],
    },
    {
        policy: "istiod-mesh-tls", type: "kubernetes:helm.sh/v3:Release", good: goodIstiod,
        bad: [
            ["mesh mTLS at TLS 1.2", (p) => (p.values.meshConfig.meshMTLS.minProtocolVersion = "TLSV1_2"), /meshMTLS\.minProtocolVersion is "TLSV1_2"; set "TLSV1_3"/],
            ["no TLS defaults", (p) => delete p.values.meshConfig.tlsDefaults, /tlsDefaults\.minProtocolVersion is undefined/],
        ],
    },
    {
        policy: "cert-manager-certificate-policy", type: "kubernetes:cert-manager.io/v1:Certificate", good: goodCertificate,
        bad: [
            ["a year", (p) => (p.spec.duration = "8760h"), /^spec\.duration is "8760h"; at most 2160h/],
            ["renewal after expiry", (p) => (p.spec.renewBefore = "2160h"), /^spec\.renewBefore is "2160h"/],
            ["the key kept across renewals", (p) => delete p.spec.privateKey.rotationPolicy, /rotationPolicy is undefined/],
            ["RSA 1024", (p) => (p.spec.privateKey = { algorithm: "RSA", size: 1024, rotationPolicy: "Always" }), /size is 1024 for RSA/],
        ],
    },
    {
        policy: "ingress-tls", type: "kubernetes:networking.k8s.io/v1:Ingress", good: { spec: { tls: [{ hosts: ["a.example.com"], secretName: "a" }] } },
        bad: [["no TLS", (p) => delete p.spec.tls, /^spec\.tls is empty/]],
    },
    {
        policy: "redis-tls", type: "azure-native:redis:Redis", good: { minimumTlsVersion: "1.2", enableNonSslPort: false },
        bad: [
            ["TLS 1.0", (p) => (p.minimumTlsVersion = "1.0"), /^minimumTlsVersion is "1\.0"/],
            ["non-TLS port", (p) => (p.enableNonSslPort = true), /^enableNonSslPort is true/],
            // redis.TlsVersion has 1.0, 1.1 and 1.2 only: "1.3" is no value Azure takes.
            ["a version the enum does not have", (p) => (p.minimumTlsVersion = "1.3"), /^minimumTlsVersion is "1\.3"/],
        ],
    },
    {
        policy: "sql-server-tls", type: "azure-native:sql:Server", good: { minimalTlsVersion: "1.2" },
        bad: [["TLS 1.0", (p) => (p.minimalTlsVersion = "1.0"), /^minimalTlsVersion is "1\.0"/]],
    },
    {
        policy: "appgateway-tls", type: "azure-native:network:ApplicationGateway", good: goodAppGateway,
        bad: [
            ["no SSL policy", (p) => delete p.sslPolicy, /^sslPolicy is absent/],
            ["an older predefined policy", (p) => (p.sslPolicy.policyName = "AppGwSslPolicy20170401S"), /^sslPolicy\.policyName is "AppGwSslPolicy20170401S"/],
            ["a CBC suite in a profile", (p) => p.sslProfiles[0].sslPolicy.cipherSuites.push("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"), /^sslProfiles\[0\]\.sslPolicy\.cipherSuites allows .*CBC/],
            ["TLS 1.1 custom", (p) => Object.assign(p.sslPolicy, { policyType: "Custom", minProtocolVersion: "TLSv1_1", cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] }), /^sslPolicy\.minProtocolVersion is "TLSv1_1"/],
            ["HTTP without redirect", (p) => delete p.requestRoutingRules[1].redirectConfiguration, /^httpListeners\[1\] \("http"\) is "Http" without a redirect/],
            ["HTTP to the backend", (p) => (p.backendHttpSettingsCollection[0].protocol = "Http"), /^backendHttpSettingsCollection\[0\]\.protocol is "Http"/],
            ["Custom with TLS 1.2 and no suites (the defaults include CBC)", (p) => Object.assign(p.sslPolicy, { policyType: "Custom", minProtocolVersion: "TLSv1_2", cipherSuites: [] }), /^sslPolicy\.cipherSuites allows "the defaults"/],
            ["Standard_v2 without WAF", (p) => Object.assign(p, { sku: { name: "Standard_v2", tier: "Standard_v2" }, firewallPolicy: undefined }), /^sku\.tier is "Standard_v2"/],
        ],
    },
    {
        // CustomV2 with a TLS 1.3 minimum takes no TLS 1.2 suites: Azure accepts it, and TLS 1.3's suites are all AEAD.
        policy: "appgateway-tls", type: "azure-native:network:ApplicationGateway",
        good: { ...goodAppGateway, sslPolicy: { policyType: network.ApplicationGatewaySslPolicyType.CustomV2, minProtocolVersion: network.ApplicationGatewaySslProtocol.TLSv1_3 } },
        bad: [["TLS 1.1 minimum", (p) => (p.sslPolicy.minProtocolVersion = "TLSv1_1"), /^sslPolicy\.minProtocolVersion is "TLSv1_1"/]],
    },
    {
        policy: "waf-prevention", type: "azure-native:network:WebApplicationFirewallPolicy", good: { policySettings: { state: "Enabled", mode: "Prevention" } },
        bad: [["Detection", (p) => (p.policySettings.mode = "Detection"), /^policySettings\.mode is "Detection"/]],
    },
    {
        policy: "tls-private-key-strength", type: "tls:index/privateKey:PrivateKey", good: { algorithm: "ECDSA", ecdsaCurve: "P384" },
        bad: [
            ["RSA 1024", (p) => Object.assign(p, { algorithm: "RSA", rsaBits: 1024 }), /^rsaBits is 1024/],
            ["P224", (p) => (p.ecdsaCurve = "P224"), /^ecdsaCurve is "P224"/],
            ["the provider's P224 default", (p) => delete p.ecdsaCurve, /P224 \(the provider default\)/],
        ],
    },
    {
        policy: "key-vault-hardening", type: "azure-native:keyvault:Vault", good: goodVault,
        bad: [
            ["access policies", (p) => (p.properties.enableRbacAuthorization = false), /^properties\.enableRbacAuthorization is false/],
            ["no purge protection", (p) => delete p.properties.enablePurgeProtection, /^properties\.enablePurgeProtection is undefined/],
            ["public access", (p) => (p.properties.publicNetworkAccess = "Enabled"), /^properties\.publicNetworkAccess is "Enabled"/],
        ],
    },
    {
        policy: "storage-no-public-access", type: "azure-native:storage:StorageAccount", good: goodStorage,
        bad: [
            ["public network", (p) => (p.publicNetworkAccess = "Enabled"), /^publicNetworkAccess is "Enabled"/],
            ["shared keys", (p) => delete p.allowSharedKeyAccess, /^allowSharedKeyAccess is undefined/],
        ],
    },
    {
        policy: "aks-private-cluster", type: "azure-native:containerservice:ManagedCluster", good: goodCluster,
        bad: [
            ["public API server", (p) => (p.apiServerAccessProfile.enablePrivateCluster = false), /^apiServerAccessProfile\.enablePrivateCluster is false/],
            ["local accounts", (p) => (p.disableLocalAccounts = false), /^disableLocalAccounts is false/],
            ["no network policy", (p) => (p.networkProfile.networkPolicy = "none"), /^networkProfile\.networkPolicy is "none"/],
        ],
    },
];

describe("policies", () => {
    for (const { policy, type, good, bad } of cases) {
        it(`${policy} passes a compliant ${type}`, async () => {
            assert.deepEqual(await messages(policy, type, structuredClone(good)), []);
        });
        for (const [title, mutate, expected] of bad) {
            it(`${policy} fails ${title}`, async () => {
                const props = structuredClone(good);
                mutate(props);
                const found = await messages(policy, type, props);
                assert.ok(found.some((m) => expected.test(m)), `expected ${expected}, got ${JSON.stringify(found)}`);
            });
        }
    }

    it("stateful-resources-protected passes a protected vault and fails an unprotected one", async () => {
        assert.deepEqual(await messages("stateful-resources-protected", "azure-native:keyvault:Vault", goodVault, { protect: true }), []);
        const found = await messages("stateful-resources-protected", "azure-native:keyvault:Vault", goodVault);
        assert.match(found[0] ?? "", /^azure-native:keyvault:Vault "r0" has opts\.protect false/);
    });

    it("frontdoor-domains-behind-waf recognises a domain bound by dependency (preview) or by id (deployed), and fails an unbound one", async () => {
        const domainUrn = "urn:pulumi:test::platform::azure-native:cdn:AFDCustomDomain::api";
        // Outputs as azure-native returns them: the domain's name and profile, not its id.
        const domain = { urn: domainUrn, type: "azure-native:cdn:AFDCustomDomain", inputs: { hostName: "api.example.com" }, outputs: { hostName: "api.example.com", name: "api-example-com", profileName: "afd-platform" } };
        const binding = (dependencies: string[], domainIds: string[] = []) => ({
            type: "azure-native:cdn:SecurityPolicy",
            inputs: { parameters: { type: "WebApplicationFirewall" } },
            outputs: { parameters: { type: "WebApplicationFirewall", associations: [{ domains: domainIds.map((id) => ({ id })), patternsToMatch: ["/*"] }] } },
            dependencies,
        });
        const check = async (resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-tls")).filter((v) => v.policy === "frontdoor-domains-behind-waf");
        assert.deepEqual(await check([domain, binding([domainUrn])]), []);
        // A `pulumi stack export` of a security policy declared with the domain's id as a plain string (ARM ids are case-insensitive).
        const id = "/subscriptions/0000/resourceGroups/rg-platform/providers/Microsoft.Cdn/profiles/AFD-Platform/customDomains/api-example-com";
        assert.deepEqual(await check([domain, binding([], [id])]), []);
        for (const unbound of [binding([]), binding([], [id.replace("api-example-com", "other")])]) {
            const found = await check([domain, unbound]);
            assert.equal(found.length, 1);
            assert.equal(found[0]!.urn, domainUrn);
            assert.match(found[0]!.message, /custom domain "api" \(api\.example\.com\) is not bound to a WAF security policy/);
        }
    });

    describe("mesh-strict-mtls", () => {
        const istiod = { type: "kubernetes:helm.sh/v3:Release", inputs: { chart: "istiod" }, outputs: { chart: "istiod" } };
        const peer = (namespace: string, spec: Record<string, unknown>) => {
            const props = { metadata: { name: "default", namespace }, spec };
            return { type: "kubernetes:security.istio.io/v1:PeerAuthentication", inputs: props, outputs: props };
        };
        const check = async (...resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-tls")).filter((v) => v.policy === "mesh-strict-mtls");

        it("requires a selector-less STRICT PeerAuthentication in istio-system wherever istiod is installed", async () => {
            assert.deepEqual(await check(istiod, peer("istio-system", { mtls: { mode: "STRICT" } })), []);
            assert.deepEqual(await check(peer("apps", { mtls: { mode: "PERMISSIVE" } })), [], "no mesh, nothing to require");
            for (const missing of [[istiod], [istiod, peer("apps", { mtls: { mode: "STRICT" } })], [istiod, peer("istio-system", { selector: { matchLabels: { app: "a" } }, mtls: { mode: "STRICT" } })]]) {
                const found = await check(...missing);
                assert.equal(found[0]?.enforcementLevel, "mandatory");
                assert.match(found[0]?.message ?? "", /istiod is installed but no selector-less STRICT PeerAuthentication exists in istio-system/);
            }
        });

        it("does not pass vacuously when a preview has no outputs for the Kubernetes resources (a fresh phase-2 stack)", async () => {
            // The engine sends outputs to AnalyzeStack; creates under a provider with unknown config have none.
            const blank = (r: Partial<CheckpointResource>) => ({ ...r, outputs: {} });
            const found = await check(blank(istiod));
            assert.equal(found.length, 1);
            assert.equal(found[0]!.enforcementLevel, "advisory");
            assert.match(found[0]!.message, /can't run policy 'mesh-strict-mtls'.*during preview.*cannot be verified/);
        });
    });

    it("skips a policy whose input is unknown at preview, reporting it advisory", async () => {
        const violations = await evaluatePack(checkpointWith({ type: "azure-native:storage:StorageAccount", inputs: { ...goodStorage, minimumTlsVersion: UNKNOWN } }), "platform-tls");
        assert.equal(violations.length, 1);
        assert.equal(violations[0]!.enforcementLevel, "advisory");
        assert.match(violations[0]!.message, /can't run policy 'storage-account-tls' from policy pack 'platform-tls@v\d+\.\d+\.\d+' during preview/);
    });

    it("applies per-environment config: the baseline pack is advisory in dev and mandatory in prod", async () => {
        const bad = checkpointWith({ type: "azure-native:keyvault:Vault", inputs: {}, protect: true });
        const dev = await evaluatePack(bad, "platform-baseline", stackPolicyConfigs("dev")["platform-baseline"]);
        const prod = await evaluatePack(bad, "platform-baseline", stackPolicyConfigs("prod")["platform-baseline"]);
        assert.ok(dev.length > 0 && dev.every((v) => v.enforcementLevel === "advisory"));
        assert.ok(prod.length === dev.length && prod.every((v) => v.enforcementLevel === "mandatory"));
    });

    it("merges config as the CLI does: `all` first, then a policy's own entry, which keeps `all`'s level when it sets none", async () => {
        // pkg/resource/analyzer/config.go applyConfig: an entry with only properties keeps the level `all` gave.
        const bad = checkpointWith({ type: "azure-native:keyvault:Vault", inputs: {}, protect: true });
        const levels = async (config: Record<string, unknown>) => new Set((await evaluatePack(bad, "platform-baseline", config as never)).map((v) => v.enforcementLevel));
        assert.deepEqual(await levels({ all: "mandatory", "key-vault-hardening": { note: "x" } }), new Set(["mandatory"]));
        assert.deepEqual(await levels({ all: "mandatory", "key-vault-hardening": "advisory" }), new Set(["advisory"]));
        assert.deepEqual(await levels({ all: "disabled" }), new Set());
    });

    it("rejects a config key that is neither `all` nor a policy of the pack, naming it", async () => {
        await assert.rejects(evaluatePack(checkpointWith(), "platform-baseline", { "key-vault-hardenning": "mandatory" }), /policy config key "key-vault-hardenning" is neither "all" nor a policy of pack platform-baseline/);
        await assert.rejects(evaluatePack(checkpointWith(), "platform-tls", { all: "strict" as never }), /"all": "strict" is not an enforcement level/);
    });

    it("packs have unique, valid policy names and the metadata the console shows", () => {
        const policies = [...azureTlsPolicies, ...meshTlsPolicies, ...baselinePolicies];
        const names = policies.map((x) => x.name);
        assert.equal(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9][a-z0-9-]*$/);
            assert.ok(p.description && p.severity && p.remediationSteps && p.framework, `${p.name} lacks metadata`);
        }
    });

    for (const { stack, phase } of PLAN_VARIANTS) {
        it(`${stack}${phase ? ` phase ${phase}` : ""} plan has no mandatory violation and no policy skipped for unknown input`, async () => {
            const violations = await verdictsOf(stack, phase);
            assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory" || v.message.includes("can't run")), []);
        });
    }
});
