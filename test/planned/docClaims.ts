/**
 * The documentation's security claims, each held to the plan: a claim is a phrase the page it is written in must
 * still contain and a check of the planned resources. Rewording a claim fails here until its check is reviewed with it; a change that
 * makes a claim false fails its check. Expected values are written from the claim, not read from the components.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR, type Graph } from "../../offline/engine";
import { byName, chartOf, ofType, plan } from "../helpers";

type Inputs = Record<string, any>;
const inputs = (graph: Graph, type: string): Inputs[] => ofType(graph, type).map((r) => r.inputs as Inputs);
const release = (graph: Graph, chart: string) => graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === chart)!.inputs as Inputs;

const APIM = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security";

interface Claim {
    /** The page the claim is written in. */
    page: string;
    /** Its words, verbatim (whitespace-insensitive). */
    text: string;
    check: (graphs: { dev: Graph; prod: Graph; devPhase2: Graph }) => void;
}

const CLAIMS: Claim[] = [
    {
        page: "docs/layout.md",
        text: "TLS 1.2+ and `TLS12_2023` suites",
        check: ({ prod }) => {
            const domains = inputs(prod, "azure-native:cdn:AFDCustomDomain");
            assert.ok(domains.length > 0, "no custom domain to hold to the claim");
            for (const domain of domains) {
                assert.deepEqual([domain["tlsSettings"].minimumTlsVersion, domain["tlsSettings"].cipherSuiteSetType], ["TLS12", "TLS12_2023"]);
            }
        },
    },
    {
        page: "docs/layout.md",
        text: "one route, HTTP redirected, `HttpsOnly` to the origin",
        check: ({ prod }) => {
            const routes = inputs(prod, "azure-native:cdn:Route");
            assert.equal(routes.length, 1);
            assert.deepEqual([routes[0]!["httpsRedirect"], routes[0]!["forwardingProtocol"]], ["Enabled", "HttpsOnly"]);
        },
    },
    {
        page: "docs/layout.md",
        text: "WAF policy in Prevention with the Default Rule Set 2.1, Bot Manager and a per-IP rate limit",
        check: ({ prod }) => {
            const [waf] = inputs(prod, "azure-native:frontdoor:Policy");
            assert.equal(waf!["policySettings"].mode, "Prevention");
            const sets = (waf!["managedRules"].managedRuleSets as Inputs[]).map((s) => `${s["ruleSetType"]} ${s["ruleSetVersion"]}`);
            assert.ok(sets.includes("Microsoft_DefaultRuleSet 2.1") && sets.some((s) => s.startsWith("Microsoft_BotManagerRuleSet ")), sets.join());
            assert.ok((waf!["customRules"].rules as Inputs[]).some((r) => r["ruleType"] === "RateLimitRule"));
        },
    },
    {
        // Both sides: the gateway (client) keys and the Backend ones.
        page: "docs/layout.md",
        text: "`customProperties` turning off TLS 1.0/1.1 and SSL 3.0 on both sides",
        check: ({ dev, prod }) => {
            for (const graph of [dev, prod]) {
                const custom = byName(graph, "gateway-apim").inputs["customProperties"] as Inputs;
                for (const side of ["", "Backend."]) {
                    for (const protocol of ["Tls10", "Tls11", "Ssl30"]) {
                        assert.equal(custom[`${APIM}.${side}Protocols.${protocol}`], "False", `${side}${protocol}`);
                    }
                }
            }
        },
    },
    {
        page: "docs/layout.md",
        text: "on the client side, 3DES, RSA key exchange and the SHA-1 CBC suites",
        check: ({ prod }) => {
            const custom = byName(prod, "gateway-apim").inputs["customProperties"] as Inputs;
            assert.equal(custom[`${APIM}.Ciphers.TripleDes168`], "False");
            // The disableable suites the SDK documents (ApiManagementServiceArgs.customProperties): every RSA key
            // exchange one, and the SHA-1 ECDHE-CBC ones.
            const disableable = [
                "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
                "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            ];
            for (const suite of disableable) {
                assert.equal(custom[`${APIM}.Ciphers.${suite}`], "False", suite);
            }
        },
    },
    {
        page: "docs/layout.md",
        text: "RBAC only, purge protection, 90-day soft delete, public network access off",
        check: ({ dev, prod }) => {
            for (const graph of [dev, prod]) {
                const vault = byName(graph, "gateway-kv");
                const properties = vault.inputs["properties"] as Inputs;
                assert.deepEqual(
                    [properties["enableRbacAuthorization"], properties["enablePurgeProtection"], properties["softDeleteRetentionInDays"], properties["publicNetworkAccess"], vault.protect],
                    [true, true, 90, "Disabled", true],
                );
            }
        },
    },
    {
        page: "docs/layout.md",
        text: "root (10 y) and intermediate (5 y), ECDSA P-384",
        check: ({ prod }) => {
            assert.equal(byName(prod, "pki-root").inputs["validityPeriodHours"], 10 * 365 * 24);
            assert.equal(byName(prod, "pki-intermediate").inputs["validityPeriodHours"], 5 * 365 * 24);
            for (const key of ["pki-root-key", "pki-intermediate-key"]) {
                assert.deepEqual([byName(prod, key).inputs["algorithm"], byName(prod, key).inputs["ecdsaCurve"]], ["ECDSA", "P384"]);
            }
        },
    },
    {
        page: "docs/layout.md",
        text: "workload certificates live 24 h; sidecars speak TLS 1.3 (`meshMTLS`), everything else TLS 1.2 with ECDHE AES-GCM/CHACHA20 only",
        check: ({ devPhase2 }) => {
            const values = release(devPhase2, "istiod")["values"] as Inputs;
            assert.deepEqual(values["env"], { DEFAULT_WORKLOAD_CERT_TTL: "24h", MAX_WORKLOAD_CERT_TTL: "24h" });
            assert.equal(values["meshConfig"].meshMTLS.minProtocolVersion, "TLSV1_3");
            assert.equal(values["meshConfig"].tlsDefaults.minProtocolVersion, "TLSV1_2");
            const suites = values["meshConfig"].tlsDefaults.cipherSuites as string[];
            assert.ok(suites.length > 0 && suites.every((s) => /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/.test(s)), suites.join());
        },
    },
    {
        page: "docs/layout.md",
        text: "STRICT `PeerAuthentication` mesh-wide, a default-deny `AuthorizationPolicy`",
        check: ({ devPhase2 }) => {
            const rootNamespace = (r: Inputs) => r["metadata"].namespace === "istio-system";
            const strict = inputs(devPhase2, "kubernetes:security.istio.io/v1:PeerAuthentication").filter(rootNamespace);
            assert.deepEqual(strict.map((p) => [p["spec"].selector, p["spec"].mtls.mode]), [[undefined, "STRICT"]]);
            const denyAll = inputs(devPhase2, "kubernetes:security.istio.io/v1:AuthorizationPolicy").filter((p) => rootNamespace(p) && p["metadata"].name === "deny-all");
            assert.deepEqual(denyAll.map((p) => p["spec"]), [{}], "an empty spec allows nothing");
        },
    },
    {
        page: "docs/layout.md",
        text: "a route table sends `0.0.0.0/0` from the node, ingress and runner subnets to the firewall",
        check: ({ prod }) => {
            const routes = inputs(prod, "azure-native:network:Route");
            assert.deepEqual(routes.map((r) => [r["addressPrefix"], r["nextHopType"]]), [["0.0.0.0/0", "VirtualAppliance"]]);
            const routed = inputs(prod, "azure-native:network:Subnet").filter((s) => s["routeTable"]).map((s) => s["subnetName"]).sort();
            assert.deepEqual(routed, ["snet-aks-system", "snet-aks-user", "snet-ingress", "snet-runners"]);
        },
    },
    {
        // The operator step that remains (certificates come from outside): the setup page's role is one the plan grants
        // the groups it names, on the vault they import into. Key Vault Certificates Officer is a4417e6f-...
        // (role-based-access-control/built-in-roles/security): certificates, not secrets.
        page: "docs/setup.md",
        text: "signed in as a member of one of `cluster.adminGroupObjectIds` (they hold Key Vault Certificates Officer on the vault)",
        check: ({ prod }) => {
            const vault = byName(prod, "gateway-kv").urn;
            const officers = ofType(prod, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs["roleDefinitionId"]).endsWith("/a4417e6f-fecd-4de8-b567-7b0420556985"));
            assert.deepEqual(officers.map((r) => [r.inputs["principalId"], r.inputs["principalType"], (r.propertyDependencies["scope"] ?? []).includes(vault)]),
                [["33333333-3333-4333-8333-333333333333", "Group", true]]);
        },
    },
    {
        page: "docs/setup.md",
        text: "its credential set's identity (the only principal with a role there); no one needs a data-plane role",
        check: ({ devPhase2 }) => {
            const vault = byName(devPhase2, "registry-credentials-kv").urn;
            const onVault = ofType(devPhase2, "azure-native:authorization:RoleAssignment").filter((r) => (r.propertyDependencies["scope"] ?? []).includes(vault));
            // Key Vault Secrets User (4633458b-...), for the credential set's system identity alone.
            assert.deepEqual(onVault.map((r) => [String(r.inputs["roleDefinitionId"]).split("/").at(-1), (r.propertyDependencies["principalId"] ?? []).includes(byName(devPhase2, "registry-dockerhub").urn)]),
                [["4633458b-17de-408a-b874-0445c86b69e6", true]]);
            const written = ofType(devPhase2, "azure-native:keyvault:Secret").filter((r) => (r.propertyDependencies["vaultName"] ?? []).includes(vault));
            assert.deepEqual(written.map((r) => r.inputs["secretName"]).sort(), ["dockerhub-token", "dockerhub-username"]);
        },
    },
];

describe("the documentation's security claims", () => {
    const read = (page: string) => fs.readFileSync(path.join(PROJECT_DIR, page), "utf8").replace(/\s+/g, " ");
    for (const claim of CLAIMS) {
        it(`"${claim.text}" is in ${claim.page} and true of the plans`, async () => {
            assert.ok(read(claim.page).includes(claim.text), `${claim.page} no longer says this: review the claim and its check together`);
            claim.check({ dev: await plan("dev"), prod: await plan("prod"), devPhase2: await plan("dev", true, "all") });
        });
    }
});
