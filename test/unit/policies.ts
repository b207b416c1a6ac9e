/**
 * Every policy against a compliant resource and one failing variant per rule, through the packs' own servers (no
 * plan needed: `npm run mutation -- policies` runs this file against each mutant of policies/rules/).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Checkpoint, CheckpointResource } from "../../offline/checkpoint";
import { closePackServers, evaluatePack, evaluatePacks, packDirs, packServer, type Violation } from "../../offline/policyCheck";
import { stackPolicyConfigs } from "../../offline/policyConfig";
import { UNKNOWN } from "../../offline/engine";
import { apiManagementPolicies } from "../../policies/rules/apiManagement";
import { apiSecurityBaselinePolicies, apiSecurityTlsPolicies } from "../../policies/rules/apiSecurity";
import { appGatewayPolicies } from "../../policies/rules/appGateway";
import { baselinePolicies } from "../../policies/rules/baseline";
import { certManagerPolicies } from "../../policies/rules/certManager";
import { dataServicePolicies } from "../../policies/rules/dataServices";
import { frontDoorPolicies } from "../../policies/rules/frontDoor";
import { ingressPolicies } from "../../policies/rules/ingress";
import { istioPolicies } from "../../policies/rules/istio";
import { keyPolicies } from "../../policies/rules/keys";
import { APIM_DISABLEABLE_KEYS } from "../helpers";
import { goodStorage, POLICY_CASES } from "../policyFixtures";
import { STATE_BEARING_TYPES } from "../stateBearingTypes";

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

/**
 * Every fixture variant as one resource of a single preview of both packs. The engine analyzes each resource
 * with a call of its own, so a resource policy's verdicts on a variant are those naming its URN.
 */
const FIXTURE_VARIANTS = POLICY_CASES.map(({ type, good, bad }, c) => {
    const resource = (variant: string, props: Record<string, unknown>) => ({ urn: `urn:pulumi:test::platform::${type}::case${c}-${variant}`, type, inputs: props, outputs: props });
    return {
        good: resource("good", structuredClone(good)),
        bad: bad.map(([, mutate], b) => {
            const props = structuredClone(good);
            mutate(props);
            return resource(`bad${b}`, props);
        }),
    };
});
let fixtureVerdicts: Promise<Violation[]> | undefined;

function allFixtureVerdicts(): Promise<Violation[]> {
    fixtureVerdicts ??= evaluatePacks(checkpointWith(...FIXTURE_VARIANTS.flatMap((v) => [v.good, ...v.bad])));
    return fixtureVerdicts;
}

async function fixtureMessages(policy: string, urn: string): Promise<string[]> {
    return (await allFixtureVerdicts()).filter((v) => v.urn === urn && v.policy === policy).map((v) => v.message);
}

/** Every resource policy's verdicts on a variant, as [policy, message] (stack policies judge the preview as a whole). */
async function resourcePolicyVerdicts(urn: string): Promise<[string, string][]> {
    const servers = await Promise.all(Object.keys(packDirs()).map(packServer));
    const stackPolicies = new Set(servers.flatMap((s) => s.info.policies.filter((p) => p.stack).map((p) => p.name)));
    return (await allFixtureVerdicts()).filter((v) => v.urn === urn && !stackPolicies.has(v.policy)).map((v) => [v.policy, v.message]);
}

describe("policies", () => {
    POLICY_CASES.forEach(({ policy, type, bad }, c) => {
        const variants = FIXTURE_VARIANTS[c]!;
        it(`${policy} passes a compliant ${type}, and no other resource policy fails it`, async () => {
            assert.deepEqual(await resourcePolicyVerdicts(variants.good.urn), []);
        });
        bad.forEach(([title, , expected], b) => {
            it(`${policy} fails ${title}`, async () => {
                const found = await fixtureMessages(policy, variants.bad[b]!.urn);
                assert.ok(found.some((m) => expected.test(m)), `expected ${expected}, got ${JSON.stringify(found)}`);
            });
        });
    });

    it("stateful-resources-protected fails each state-bearing type unprotected, and nothing else", async () => {
        for (const type of STATE_BEARING_TYPES) {
            assert.deepEqual(await messages("stateful-resources-protected", type, {}, { protect: true }), [], type);
            assert.deepEqual(await messages("stateful-resources-protected", type, {}), [`${type} "r0" has opts.protect false; set protect: true.`]);
        }
        assert.deepEqual(await messages("stateful-resources-protected", "azure-native:network:VirtualNetwork", {}), []);
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
        // A route serves the domain (it depends on it) without binding a WAF; a security policy with no parameters binds nothing.
        const route = { type: "azure-native:cdn:Route", inputs: {}, outputs: {}, dependencies: [domainUrn] };
        const noParameters = { type: "azure-native:cdn:SecurityPolicy", inputs: {}, outputs: {}, dependencies: [domainUrn] };
        for (const unbound of [binding([]), binding([], [id.replace("api-example-com", "other")]), route, noParameters]) {
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

        it("takes a v1beta1 policy, and requires STRICT itself, not only a mesh-wide one", async () => {
            const v1beta1 = { ...peer("istio-system", { mtls: { mode: "STRICT" } }), type: "kubernetes:security.istio.io/v1beta1:PeerAuthentication" };
            assert.deepEqual(await check(istiod, v1beta1), []);
            assert.equal((await check(istiod, peer("istio-system", { mtls: { mode: "PERMISSIVE" } }))).length, 1);
            assert.equal((await check(istiod, peer("istio-system", {}))).length, 1, "a policy with no mode inherits, it does not set STRICT");
            // Policies the check must read past: one with no metadata, one with no spec.
            const bare = { type: "kubernetes:security.istio.io/v1:PeerAuthentication", inputs: {}, outputs: { kind: "PeerAuthentication" } };
            const noSpec = { type: "kubernetes:security.istio.io/v1:PeerAuthentication", inputs: {}, outputs: { metadata: { name: "default", namespace: "istio-system" } } };
            assert.deepEqual(await check(istiod, bare, noSpec, peer("istio-system", { mtls: { mode: "STRICT" } })), []);
            // The same object as a ConfigMap: not a PeerAuthentication.
            assert.equal((await check(istiod, { ...peer("istio-system", { mtls: { mode: "STRICT" } }), type: "kubernetes:core/v1:ConfigMap" })).length, 1);
            // Another chart's release is not istiod, and istiod as a bare object is not a release.
            const other = { type: "kubernetes:helm.sh/v3:Release", inputs: { chart: "gateway" }, outputs: { chart: "gateway" } };
            assert.deepEqual(await check(other), []);
            assert.deepEqual(await check({ ...istiod, type: "kubernetes:core/v1:ConfigMap" }), []);
        });

        it("does not pass vacuously when a preview has no outputs for the Kubernetes resources (a fresh phase-2 stack)", async () => {
            // The engine sends outputs to AnalyzeStack; creates under a provider with unknown config have none.
            const blank = (r: Partial<CheckpointResource>) => ({ ...r, outputs: {} });
            const found = await check(blank(istiod));
            assert.equal(found.length, 1);
            assert.equal(found[0]!.enforcementLevel, "advisory");
            assert.match(found[0]!.message, /can't run policy 'mesh-strict-mtls'.*during preview.*outputs of 1 Kubernetes resources \(r0, \.\.\.\); the mesh's mTLS cannot be verified/);
            // A YAML group is a component with no outputs of its own, and other providers' resources are not the cluster's.
            const yaml = { type: "kubernetes:yaml/v2:ConfigGroup", inputs: {}, outputs: {} };
            const azure = { type: "azure-native:resources:ResourceGroup", inputs: {}, outputs: {} };
            assert.deepEqual(await check(yaml, azure, istiod, peer("istio-system", { mtls: { mode: "STRICT" } })), []);
        });
    });

    describe("edge-listener-mutual-tls", () => {
        const props = (p: Record<string, unknown>) => ({ inputs: p, outputs: p });
        const backend = (extra: Record<string, unknown> = {}) => ({ type: "azure-native:apimanagement:Backend", ...props({ url: "https://api.aks-ingress.example.com", credentials: { certificateIds: ["/certificates/ingress-client"] }, ...extra }) });
        const https = (tls: Record<string, unknown>, hosts = ["*.aks-ingress.example.com"]) => ({ port: { number: 443, name: "https", protocol: "HTTPS" }, hosts, tls: { credentialName: "c", ...tls } });
        const gateway = (...servers: Record<string, unknown>[]) => ({ type: "kubernetes:networking.istio.io/v1:Gateway", ...props({ metadata: { name: "ingress" }, spec: { servers } }) });
        const mutual = { mode: "MUTUAL", subjectAltNames: ["api-management.aks-ingress.example.com"] };
        const check = async (...resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-tls")).filter((v) => v.policy === "edge-listener-mutual-tls").map((v) => [v.urn.split("::").pop(), v.message]);

        it("passes a MUTUAL listener pinned to one name or key, called by a backend that presents its certificate", async () => {
            assert.deepEqual(await check(backend(), gateway(https(mutual))), []);
            assert.deepEqual(await check(backend(), gateway(https({ mode: "MUTUAL", verifyCertificateSpki: ["c3BraQ=="] }))), []);
            assert.deepEqual(await check(backend({ credentials: { certificate: ["AB12"] } }), gateway(https({ mode: "MUTUAL", verifyCertificateHash: ["ab12"] }))), []);
            // Listeners for other hosts, passed-through TLS and plain HTTP are not the backend's; backends elsewhere need nothing.
            assert.deepEqual(await check(backend(), gateway(https({ mode: "SIMPLE" }, ["istio-ingress/other.example.com"]), { port: { number: 443, protocol: "TLS", name: "t" }, hosts: ["*"], tls: { mode: "PASSTHROUGH" } }, https(mutual))), []);
            assert.deepEqual(await check(backend({ url: "https://orders.example.net", credentials: undefined }), gateway(https({ mode: "SIMPLE" }))), []);
            assert.deepEqual(await check(gateway(https({ mode: "SIMPLE" }))), [], "no API Management backend: nothing to require");
        });

        it("fails the listener that takes any client, or any certificate its CA issued, and the backend that presents none", async () => {
            assert.deepEqual(await check(backend(), gateway(https({ mode: "SIMPLE" }))), [["r1", 'spec.servers[0] serves api.aks-ingress.example.com, which API Management backend "r0" calls, with tls.mode "SIMPLE"; require its client certificate (MUTUAL).']]);
            assert.deepEqual(await check(backend(), gateway(https({ mode: "MUTUAL" }))), [["r1", "spec.servers[0] requires a client certificate for api.aks-ingress.example.com but accepts any its CA issued; name the edge's (subjectAltNames, verifyCertificateSpki or verifyCertificateHash)."]]);
            assert.deepEqual(await check(backend({ credentials: {} }), gateway(https(mutual))), [["r0", 'backend "r0" calls api.aks-ingress.example.com, an Istio Gateway listener of this stack, without a client certificate; set credentials.certificateIds.']]);
            // Exact host, "*" and a namespace prefix all serve it; OPTIONAL_MUTUAL lets clients without a certificate in.
            for (const hosts of [["api.aks-ingress.example.com"], ["*"], ["istio-ingress/*.example.com"]]) {
                assert.equal((await check(backend(), gateway(https({ mode: "OPTIONAL_MUTUAL", subjectAltNames: ["x"] }, hosts)))).length, 1, hosts.join());
            }
            assert.equal((await check({ ...backend(), type: "azure-native:apimanagement/v20240501:Backend" }, { ...gateway(https({ mode: "SIMPLE" })), type: "kubernetes:networking.istio.io/v1beta1:Gateway" })).length, 1);
        });

        it("does not pass vacuously when a preview has no outputs for the Kubernetes resources", async () => {
            const found = (await evaluatePack(checkpointWith(backend(), { ...gateway(https({ mode: "SIMPLE" })), outputs: {} }), "platform-tls")).filter((v) => v.policy === "edge-listener-mutual-tls");
            assert.equal(found.length, 1);
            assert.equal(found[0]!.enforcementLevel, "advisory");
            assert.match(found[0]!.message, /during preview.*the edge listener's client authentication cannot be verified/);
        });
    });

    describe("frontdoor-hsts", () => {
        const profile = "afd-platform";
        const at = (name: string) => `urn:pulumi:test::platform::${name}`;
        const ruleSet = { urn: at("azure-native:cdn:RuleSet::headers"), type: "azure-native:cdn:RuleSet", inputs: { profileName: profile, ruleSetName: "headers" }, outputs: { profileName: profile, name: "headers", id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cdn/profiles/afd-platform/ruleSets/headers" } };
        const hsts = (value: string, extra: Record<string, unknown> = {}) => ({ name: "ModifyResponseHeader", parameters: { typeName: "DeliveryRuleHeaderActionParameters", headerAction: "Overwrite", headerName: "Strict-Transport-Security", value, ...extra } });
        const rule = (actions: unknown[], extra: Record<string, unknown> = {}) => {
            const p = { profileName: profile, ruleSetName: "headers", order: 1, actions, ...extra };
            return { urn: at("azure-native:cdn:Rule::security"), type: "azure-native:cdn:Rule", inputs: p, outputs: p, dependencies: [ruleSet.urn] };
        };
        const route = (dependencies: string[], ruleSets: unknown[] = []) => ({ urn: at("azure-native:cdn:Route::api"), type: "azure-native:cdn:Route", inputs: { ruleSets }, outputs: { ruleSets }, dependencies });
        const check = async (...resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-tls")).filter((v) => v.policy === "frontdoor-hsts").map((v) => v.message);
        const missing = ['route "api" sends no Strict-Transport-Security on every response; associate a rule set with a rule that sets it, without conditions.'];

        it("passes a route whose rule set's rule sets HSTS on every response, bound by dependency (preview) or by id (deployed)", async () => {
            assert.deepEqual(await check(ruleSet, rule([hsts("max-age=86400; includeSubDomains")]), route([ruleSet.urn])), []);
            // A deployed export: the route names the set by id (case-insensitive), the rule its set by name.
            const exported = { ...rule([hsts("max-age=31536000")]), dependencies: [] };
            assert.deepEqual(await check(ruleSet, exported, route([], [{ id: ruleSet.outputs.id.toUpperCase() }])), []);
            assert.deepEqual(await check(ruleSet, rule([hsts('max-age="300"', { headerAction: "Append" }), hsts("x")], { conditions: [] }), route([ruleSet.urn])), []);
        });

        it("fails a route without it: no rule set, none with HSTS, a condition, max-age 0 or missing, a deleting action, another route's set", async () => {
            assert.deepEqual(await check(route([])), missing);
            assert.deepEqual(await check(ruleSet, rule([hsts("max-age=86400")]), route([])), missing, "a rule set the route does not use");
            // RFC 6797 section 6.1.1: max-age=0 makes the browser forget the host.
            for (const actions of [[hsts("max-age=0")], [hsts("includeSubDomains")], [hsts("max-age=86400", { headerAction: "Delete" })], [hsts("max-age=86400", { headerName: "X-Frame-Options" })], [{ name: "ModifyRequestHeader", parameters: hsts("max-age=86400").parameters }]]) {
                assert.deepEqual(await check(ruleSet, rule(actions), route([ruleSet.urn])), missing, JSON.stringify(actions));
            }
            assert.deepEqual(await check(ruleSet, rule([hsts("max-age=86400")], { conditions: [{ name: "RequestScheme", parameters: { operator: "Equal", matchValues: ["HTTPS"] } }] }), route([ruleSet.urn])), missing);
            const elsewhere = { ...rule([hsts("max-age=86400")]), dependencies: [], inputs: { ruleSetName: "other" }, outputs: { ruleSetName: "other", profileName: profile, actions: [hsts("max-age=86400")] } };
            assert.deepEqual(await check(ruleSet, elsewhere, route([ruleSet.urn])), missing);
        });
    });

    describe("appgateway-mesh-tokens", () => {
        const props = (type: string, p: Record<string, unknown>) => ({ type, inputs: p, outputs: p });
        const appGateway = props("azure-native:network:ApplicationGateway", { sku: { tier: "WAF_v2" } });
        const istiod = props("kubernetes:helm.sh/v3:Release", { chart: "istiod" });
        const authentication = props("kubernetes:security.istio.io/v1:RequestAuthentication", { metadata: { name: "t", namespace: "apps" }, spec: { jwtRules: [{ issuer: "https://idp.example.com" }] } });
        const authorization = (rules: unknown[], action?: string) => props("kubernetes:security.istio.io/v1:AuthorizationPolicy", { metadata: { name: "a", namespace: "apps" }, spec: { ...(action ? { action } : {}), rules } });
        const requiringRules = [{ from: [{ source: { requestPrincipals: ["https://idp.example.com/*"] } }] }];
        const requiring = authorization(requiringRules);
        const generating = (kind: string, spec: unknown) => props("kubernetes:kyverno.io/v1:ClusterPolicy", { metadata: { name: "g" }, spec: { rules: [{ name: "r", generate: { kind, data: { spec } } }] } });
        const check = async (...resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-baseline", { all: "mandatory" })).filter((v) => v.policy === "appgateway-mesh-tokens").map((v) => v.message);
        const noAuthentication = 'Application Gateway "r0" forwards requests no token check has seen: the mesh declares no RequestAuthentication with an issuer.';
        const noRequirement = 'Application Gateway "r0" forwards requests to a mesh whose AuthorizationPolicies require no request principal (a request without a token passes).';

        it("passes a mesh that validates tokens and requires a principal, declared or generated by Kyverno", async () => {
            assert.deepEqual(await check(appGateway, istiod, authentication, requiring), []);
            assert.deepEqual(await check(appGateway, istiod, generating("RequestAuthentication", authentication.inputs.spec), generating("AuthorizationPolicy", { action: "ALLOW", rules: requiringRules })), []);
            // Without the App Gateway edge, or before the mesh exists (phase 1), there is nothing to require.
            assert.deepEqual(await check(istiod), []);
            assert.deepEqual(await check(appGateway), []);
        });

        it("fails an App Gateway stack whose mesh checks no token, or lets requests without one through", async () => {
            assert.deepEqual(await check(appGateway, istiod), [noAuthentication, noRequirement]);
            assert.deepEqual(await check(appGateway, istiod, requiring), [noAuthentication]);
            assert.deepEqual(await check(appGateway, istiod, authentication, authorization([{ from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/gw"] } }] }])), [noRequirement]);
            // A DENY policy on principals does not require one; a RequestAuthentication without an issuer validates nothing.
            assert.deepEqual(await check(appGateway, istiod, authentication, authorization(requiringRules, "DENY")), [noRequirement]);
            assert.deepEqual(await check(appGateway, istiod, props("kubernetes:security.istio.io/v1:RequestAuthentication", { spec: { jwtRules: [{}] } }), requiring), [noAuthentication]);
            assert.deepEqual(await check(appGateway, istiod, generating("NetworkPolicy", authentication.inputs.spec), requiring), [noAuthentication]);
        });
    });

    describe("mesh-strict-mtls finds istiod however it is installed", () => {
        const check = async (...resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-tls")).filter((v) => v.policy === "mesh-strict-mtls").map((v) => v.message);
        const strict = (namespace: string) => {
            const props = { metadata: { name: "default", namespace }, spec: { mtls: { mode: "STRICT" } } };
            return { type: "kubernetes:security.istio.io/v1:PeerAuthentication", inputs: props, outputs: props };
        };
        const installs: [string, Partial<CheckpointResource>][] = [
            ["a Chart v3 from a versioned tarball", { type: "kubernetes:helm.sh/v3:Chart", outputs: { chart: "https://charts.example.com/istiod-1.30.3.tgz" } }],
            ["a Chart v3 from a local path", { type: "kubernetes:helm.sh/v3:Chart", outputs: { path: "./charts/istiod" } }],
            ["a Release from an OCI registry", { type: "kubernetes:helm.sh/v3:Release", outputs: { chart: "oci://registry.example.com/charts/istiod" } }],
            ["a Release by repository/name", { type: "kubernetes:helm.sh/v3:Release", outputs: { chart: "istio/istiod" } }],
            ["the rendered mesh ConfigMap", { type: "kubernetes:core/v1:ConfigMap", outputs: { metadata: { name: "istio-1-30", namespace: "istio-system" }, data: { mesh: "trustDomain: cluster.local" } } }],
            ["an IstioOperator", { type: "kubernetes:install.istio.io/v1alpha1:IstioOperator", outputs: { spec: { profile: "default" } } }],
        ];
        for (const [what, install] of installs) {
            it(`${what}: STRICT required, and a mesh-wide STRICT policy satisfies it`, async () => {
                assert.deepEqual(await check(install), ["istiod is installed but no selector-less STRICT PeerAuthentication exists in istio-system."]);
                assert.deepEqual(await check(install, strict("istio-system")), []);
            });
        }

        it("reads the mesh's root namespace from its config, and takes nothing else for an install", async () => {
            const mesh = { type: "kubernetes:core/v1:ConfigMap", outputs: { metadata: { name: "istio", namespace: "mesh-root" }, data: { mesh: "rootNamespace: mesh-root\n" } } };
            assert.deepEqual(await check(mesh, strict("istio-system")), ["istiod is installed but no selector-less STRICT PeerAuthentication exists in mesh-root."]);
            assert.deepEqual(await check(mesh, strict("mesh-root")), []);
            const notIstio = [
                { type: "kubernetes:helm.sh/v3:Release", outputs: { chart: "oci://registry.example.com/charts/istiod-gateway" } },
                { type: "kubernetes:core/v1:ConfigMap", outputs: { metadata: { name: "istio-ca-root-cert" }, data: { "root-cert.pem": "-" } } },
                { type: "kubernetes:core/v1:ConfigMap", outputs: { metadata: { name: "istio" }, data: {} } },
                // Chart v4 is registered without inputs: its rendered objects say what it installed.
                { type: "kubernetes:helm.sh/v4:Chart", outputs: {} },
            ];
            assert.deepEqual(await check(...notIstio), []);
        });
    });

    describe("gateway-api-http-redirect", () => {
        const gateway = (kind: "Gateway" | "ListenerSet", name: string, listeners: Record<string, unknown>[], namespace?: string) => {
            const props = { metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { listeners } };
            return { type: `kubernetes:gateway.networking.k8s.io/v1:${kind}`, urn: `urn:pulumi:test::platform::gw::${name}`, inputs: props, outputs: props };
        };
        const route = (kind: "HTTPRoute" | "GRPCRoute", name: string, parentRefs: Record<string, unknown>[], rules: Record<string, unknown>[], namespace?: string) => {
            const props = { metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { parentRefs, rules } };
            return { type: `kubernetes:gateway.networking.k8s.io/v1:${kind}`, inputs: props, outputs: props };
        };
        const listeners = [{ name: "http", port: 80, protocol: "HTTP" }, { name: "https", port: 443, protocol: "HTTPS", tls: { certificateRefs: [{ name: "c" }] } }];
        const redirect = [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }];
        const forward = [{ backendRefs: [{ name: "app", port: 8080 }] }];
        const check = async (...resources: Partial<CheckpointResource>[]) =>
            (await evaluatePack(checkpointWith(...resources), "platform-tls")).filter((v) => v.policy === "gateway-api-http-redirect").map((v) => `${v.urn.split("::").pop()}: ${v.message}`);

        it("passes an HTTP listener whose routes only redirect to https, and a gateway with no HTTP listener", async () => {
            assert.deepEqual(await check(gateway("Gateway", "web", listeners), route("HTTPRoute", "r", [{ name: "web", sectionName: "http" }], redirect), route("HTTPRoute", "app", [{ name: "web", sectionName: "https" }], forward)), []);
            assert.deepEqual(await check(gateway("Gateway", "tls-only", [listeners[1]!])), []);
            // By port instead of section; in a namespace named on both sides.
            assert.deepEqual(await check(gateway("Gateway", "web", listeners, "edge"), route("HTTPRoute", "r", [{ name: "web", namespace: "edge", port: 80 }], redirect, "apps")), []);
        });

        it("fails an HTTP listener with no redirecting route, or with a route that serves on it", async () => {
            const web = gateway("Gateway", "web", listeners);
            assert.deepEqual(await check(web), ['web: Gateway "web" listener "http" is HTTP and no HTTPRoute in this stack redirects it to HTTPS.']);
            // No section named: the route attaches to every listener, HTTP included.
            assert.deepEqual(await check(web, route("HTTPRoute", "r", [{ name: "web", sectionName: "http" }], redirect), route("HTTPRoute", "app", [{ name: "web" }], forward)), ['web: Gateway "web" listener "http" is HTTP and app serves plain HTTP on it.']);
            assert.deepEqual(await check(web, route("GRPCRoute", "rpc", [{ name: "web", sectionName: "http" }], forward)), ['web: Gateway "web" listener "http" is HTTP and rpc serves plain HTTP on it.']);
            // A redirect that keeps the scheme, and one rule of two that redirects.
            assert.equal((await check(web, route("HTTPRoute", "r", [{ name: "web", sectionName: "http" }], [{ filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "www.example.com" } }] }]))).length, 1);
            assert.equal((await check(web, route("HTTPRoute", "r", [{ name: "web", sectionName: "http" }], [...redirect, ...forward]))).length, 1);
            // Routes of another gateway, namespace, section or port do not count.
            for (const ref of [{ name: "other", sectionName: "http" }, { name: "web", namespace: "elsewhere", sectionName: "http" }, { name: "web", sectionName: "https" }, { name: "web", port: 443 }, { name: "web", kind: "ListenerSet", sectionName: "http" }]) {
                assert.equal((await check(web, route("HTTPRoute", "r", [ref], redirect))).length, 1, JSON.stringify(ref));
            }
        });

        it("judges a listener set's HTTP listeners by the routes that name the set", async () => {
            const set = gateway("ListenerSet", "team-a", [{ name: "http", port: 80, protocol: "HTTP" }]);
            assert.deepEqual(await check(set, route("HTTPRoute", "r", [{ kind: "ListenerSet", name: "team-a", sectionName: "http" }], redirect)), []);
            assert.deepEqual(await check(set, route("HTTPRoute", "r", [{ name: "team-a", sectionName: "http" }], redirect)), ['team-a: ListenerSet "team-a" listener "http" is HTTP and no HTTPRoute in this stack redirects it to HTTPS.']);
        });

        it("says it cannot tell when a preview has no outputs for the gateway or its routes", async () => {
            const web = gateway("Gateway", "web", listeners);
            const found = await check(web, { ...route("HTTPRoute", "r", [{ name: "web", sectionName: "http" }], redirect), outputs: {} });
            assert.equal(found.length, 1);
            assert.match(found[0]!, /can't run policy 'gateway-api-http-redirect'.*the Gateway API listeners' routes cannot be verified/);
        });
    });

    it("apim-protocols-and-ciphers: every key the SDK documents as disableable must be off, absent only where its doc says off by default", async () => {
        // ApiManagementServiceArgs.customProperties: TLS 1.0/1.1 (client and backend) and 3DES default to "False" for
        // services created after April 1, 2018; the ciphers' "default value is true"; SSL 3.0 has no documented default.
        const offByDefault = ["Protocols.Tls10", "Protocols.Tls11", "Backend.Protocols.Tls10", "Backend.Protocols.Tls11", "Ciphers.TripleDes168"].map((k) => `Microsoft.WindowsAzure.ApiManagement.Gateway.Security.${k}`);
        assert.equal(APIM_DISABLEABLE_KEYS.length, 16);
        const service = (key: string) => ({
            type: "azure-native:apimanagement:ApiManagementService",
            urn: `urn:pulumi:test::platform::apim::${key}`,
            inputs: { customProperties: Object.fromEntries(APIM_DISABLEABLE_KEYS.filter((k) => k !== key).map((k) => [k, "false"])) },
        });
        const violations = (await evaluatePack(checkpointWith(...APIM_DISABLEABLE_KEYS.map(service)), "platform-tls")).filter((v) => v.policy === "apim-protocols-and-ciphers");
        for (const key of APIM_DISABLEABLE_KEYS) {
            const found = violations.filter((v) => v.urn.endsWith(`::${key}`)).map((v) => v.message);
            assert.deepEqual(found, offByDefault.includes(key) ? [] : [`customProperties["${key}"] is undefined; set "false" (absent means on).`], key);
        }
    });

    it("frontdoor-domains-behind-waf accepts the host names its config says another stack's security policy binds", async () => {
        const domain = { type: "azure-native:cdn:AFDCustomDomain", inputs: { hostName: "Shop.Example.com" }, outputs: { hostName: "Shop.Example.com", name: "shop", profileName: "edge" } };
        const check = async (config?: Record<string, unknown>) => (await evaluatePack(checkpointWith(domain), "platform-tls", config as never)).filter((v) => v.policy === "frontdoor-domains-behind-waf").length;
        assert.equal(await check(), 1);
        assert.equal(await check({ all: "mandatory", "frontdoor-domains-behind-waf": { externallyBoundHostNames: ["shop.example.com"] } }), 0);
        assert.equal(await check({ all: "mandatory", "frontdoor-domains-behind-waf": { externallyBoundHostNames: ["www.example.com"] } }), 1);
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
        const policies = [...frontDoorPolicies, ...apiManagementPolicies, ...appGatewayPolicies, ...dataServicePolicies, ...keyPolicies, ...istioPolicies, ...ingressPolicies, ...certManagerPolicies, ...baselinePolicies, ...apiSecurityTlsPolicies, ...apiSecurityBaselinePolicies];
        const names = policies.map((x) => x.name);
        assert.equal(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9][a-z0-9-]*$/);
            assert.ok(p.description && p.severity && p.remediationSteps && p.framework, `${p.name} lacks metadata`);
        }
        // The Microsoft cloud security benchmark's controls (learn.microsoft.com/security/benchmark/azure/): DP-3 for
        // transport security, NS-2 for network exposure, BR-2 for what backs up or holds state.
        const CONTROL_TITLES: Record<string, string> = {
            "DP-3": "Encrypt sensitive data in transit",
            "NS-2": "Secure cloud services with network controls",
            "BR-2": "Protect backup and recovery data",
            "IM-4": "Authenticate server and services",
        };
        const NETWORK = ["key-vault-hardening", "storage-no-public-access", "aks-private-cluster", "waf-prevention"];
        for (const p of policies) {
            const reference = p.name === "stateful-resources-protected" ? "BR-2" : p.name === "appgateway-mesh-tokens" ? "IM-4" : NETWORK.includes(p.name) ? "NS-2" : "DP-3";
            const { specification, ...framework } = p.framework!;
            assert.deepEqual(framework, { name: "Microsoft cloud security benchmark", version: "v1", reference }, p.name);
            assert.ok(specification?.startsWith(CONTROL_TITLES[reference]!), `${p.name}: ${specification}`);
        }
    });
});

after(closePackServers);
