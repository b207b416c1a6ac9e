/** Every policy against a compliant resource and one failing variant per rule, plus the packs themselves. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Checkpoint, CheckpointResource } from "../../offline/checkpoint";
import { evaluatePack, evaluatePacks } from "../../offline/policyCheck";
import { stackPolicyConfigs } from "../../offline/policyConfig";
import { UNKNOWN } from "../../offline/engine";
import { PACKS, platformBaseline, platformTls } from "../../policies/packs";
import { APIM_WEAK_SETTINGS } from "../../policies/rules/azureTls";
import { checkpointOf, PLAN_VARIANTS } from "../helpers";

function checkpointWith(...resources: Partial<CheckpointResource>[]): Checkpoint {
    return {
        version: 3,
        deployment: {
            manifest: { time: "1970-01-01T00:00:00Z", magic: "test", version: "test" },
            resources: resources.map((r, i) => ({ urn: `urn:pulumi:test::platform::${r.type}::r${i}`, custom: true, type: "unset", ...r })),
        },
    };
}

async function messages(policy: string, type: string, inputs: Record<string, unknown>, extra: Partial<CheckpointResource> = {}): Promise<string[]> {
    const pack = PACKS.find((p) => p.policies.some((x) => x.name === policy))!;
    const violations = await evaluatePack(checkpointWith({ type, inputs, outputs: inputs, ...extra }), pack);
    return violations.filter((v) => v.policy === policy).map((v) => v.message);
}

const goodStorage = { minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: true, publicNetworkAccess: "Disabled", allowBlobPublicAccess: false, allowSharedKeyAccess: false };
const goodDomain = { tlsSettings: { minimumTlsVersion: "TLS12", cipherSuiteSetType: "TLS12_2023", certificateType: "ManagedCertificate" } };
const goodApim = { customProperties: Object.fromEntries(APIM_WEAK_SETTINGS.map((k) => [k, "False"])) };
const goodVault = { properties: { enableRbacAuthorization: true, enablePurgeProtection: true, publicNetworkAccess: "Disabled" } };
const goodCluster = { apiServerAccessProfile: { enablePrivateCluster: true }, disableLocalAccounts: true, networkProfile: { networkPolicy: "cilium" } };

const goodRoute = { forwardingProtocol: "HttpsOnly", supportedProtocols: ["Http", "Https"], httpsRedirect: "Enabled" };
const goodWaf = { policySettings: { enabledState: "Enabled", mode: "Prevention" } };
const goodApi = { protocols: ["https"], serviceUrl: "https://api.aks-ingress.example.com" };
const goodBackend = { url: "https://api.aks-ingress.example.com", tls: { validateCertificateChain: true, validateCertificateName: true } };

const cases: { policy: string; type: string; good: Record<string, unknown>; bad: [string, (p: any) => void, RegExp][] }[] = [
    {
        policy: "storage-account-tls", type: "azure-native:storage:StorageAccount", good: goodStorage,
        bad: [
            ["TLS 1.0", (p) => (p.minimumTlsVersion = "TLS1_0"), /^minimumTlsVersion is "TLS1_0"/],
            ["TLS version left to the API default", (p) => delete p.minimumTlsVersion, /^minimumTlsVersion is undefined/],
            ["HTTP allowed", (p) => (p.enableHttpsTrafficOnly = false), /^enableHttpsTrafficOnly is false/],
        ],
    },
    {
        policy: "frontdoor-domain-tls", type: "azure-native:cdn:AFDCustomDomain", good: goodDomain,
        bad: [
            ["TLS 1.0", (p) => (p.tlsSettings.minimumTlsVersion = "TLS10"), /^tlsSettings\.minimumTlsVersion is "TLS10"/],
            ["TLS12_2022 suites", (p) => (p.tlsSettings.cipherSuiteSetType = "TLS12_2022"), /^tlsSettings\.cipherSuiteSetType is "TLS12_2022"/],
            ["a CBC suite in a custom set", (p) => Object.assign(p.tlsSettings, { cipherSuiteSetType: "Customized", customizedCipherSuiteSet: { cipherSuiteSetForTls12: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"] } }), /TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256/],
        ],
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
        policy: "frontdoor-waf-prevention", type: "azure-native:network:Policy", good: goodWaf,
        bad: [["Detection mode (v2 token)", (p) => (p.policySettings.mode = "Detection"), /^policySettings\.mode is "Detection"/]],
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

    it("frontdoor-domains-behind-waf passes a domain a WAF security policy binds and fails an unbound one", async () => {
        const domain = { urn: "urn:pulumi:test::platform::azure-native:cdn:AFDCustomDomain::api", type: "azure-native:cdn:AFDCustomDomain", inputs: { hostName: "api.example.com" } };
        const binding = (dependencies: string[]) => ({ type: "azure-native:cdn:SecurityPolicy", inputs: { parameters: { type: "WebApplicationFirewall" } }, dependencies });
        const check = async (resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), platformTls)).filter((v) => v.policy === "frontdoor-domains-behind-waf");
        assert.deepEqual(await check([domain, binding([domain.urn])]), []);
        const unbound = await check([domain, binding([])]);
        assert.equal(unbound.length, 1);
        assert.equal(unbound[0]!.urn, domain.urn);
        assert.match(unbound[0]!.message, /custom domain "api" \(api\.example\.com\) is not bound to a WAF security policy/);
    });

    it("skips a policy whose input is unknown at preview, reporting it advisory", async () => {
        const pack = platformTls;
        const violations = await evaluatePack(checkpointWith({ type: "azure-native:storage:StorageAccount", inputs: { ...goodStorage, minimumTlsVersion: UNKNOWN } }), pack);
        assert.equal(violations.length, 1);
        assert.equal(violations[0]!.enforcementLevel, "advisory");
        assert.match(violations[0]!.message, /can't run policy 'storage-account-tls' during preview/);
    });

    it("applies per-environment config: the baseline pack is advisory in dev and mandatory in prod", async () => {
        const bad = checkpointWith({ type: "azure-native:keyvault:Vault", inputs: {}, protect: true });
        const dev = await evaluatePack(bad, platformBaseline, stackPolicyConfigs("dev")["platform-baseline"]);
        const prod = await evaluatePack(bad, platformBaseline, stackPolicyConfigs("prod")["platform-baseline"]);
        assert.ok(dev.length > 0 && dev.every((v) => v.enforcementLevel === "advisory"));
        assert.ok(prod.length === dev.length && prod.every((v) => v.enforcementLevel === "mandatory"));
    });

    it("packs have unique, valid policy names and the metadata the console shows", () => {
        const names = PACKS.flatMap((p) => p.policies.map((x) => x.name));
        assert.equal(new Set(names).size, names.length);
        for (const p of PACKS.flatMap((pack) => pack.policies)) {
            assert.match(p.name, /^[a-z0-9][a-z0-9-]*$/);
            assert.ok(p.description && p.severity && p.remediationSteps && p.framework, `${p.name} lacks metadata`);
        }
    });

    for (const { stack, phase } of PLAN_VARIANTS) {
        it(`${stack}${phase ? ` phase ${phase}` : ""} plan has no mandatory violation and no policy skipped for unknown input`, async () => {
            const violations = await evaluatePacks(await checkpointOf(stack, phase), { configs: stackPolicyConfigs(stack) });
            assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory" || v.message.includes("can't run")), []);
        });
    }
});
