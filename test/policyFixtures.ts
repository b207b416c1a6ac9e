/**
 * A compliant resource per policy and one failing variant per rule, with the message each must give. The packs'
 * tests run them through the packs' servers (test/unit/policies.ts); scripts/compare-checkov.ts runs Checkov on them.
 */
import * as cdn from "@pulumi/azure-native/cdn";
import * as network from "@pulumi/azure-native/network";
import { APIM_DISABLEABLE_KEYS } from "./helpers";

export const goodStorage = { minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: true, publicNetworkAccess: "Disabled", allowBlobPublicAccess: false, allowSharedKeyAccess: false };
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
const goodSite = { httpsOnly: true, siteConfig: { minTlsVersion: "1.2", scmMinTlsVersion: "1.2", ftpsState: "Disabled" } };
const listenerId = (name: string) => ({ id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/agw/httpListeners/${name}` });
const goodAppGateway = {
    sku: { name: "WAF_v2", tier: "WAF_v2" },
    firewallPolicy: { id: "/waf" },
    sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" },
    sslProfiles: [{ name: "partners", sslPolicy: { policyType: "CustomV2", minProtocolVersion: "TLSv1_2", cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"] } }],
    httpListeners: [{ name: "https", protocol: "Https" }, { name: "http", protocol: "Http" }],
    requestRoutingRules: [
        { name: "api", httpListener: listenerId("https"), rewriteRuleSet: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/agw/rewriteRuleSets/edge" } },
        { name: "redirect", httpListener: listenerId("http"), redirectConfiguration: { id: "/redirect" } },
    ],
    backendHttpSettingsCollection: [{ name: "ingress", protocol: "Https" }],
    // HSTS on every response (RFC 6797 section 6.1: max-age in seconds).
    rewriteRuleSets: [{ name: "edge", rewriteRules: [{ name: "headers", ruleSequence: 100, actionSet: { responseHeaderConfigurations: [{ headerName: "Strict-Transport-Security", headerValue: "max-age=31536000; includeSubDomains" }] } }] }],
};
const gatewayPart = (kind: string, name: string) => ({ id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/agw/${kind}/${name}` });

export interface PolicyCase {
    policy: string;
    type: string;
    good: Record<string, unknown>;
    bad: [title: string, mutate: (p: any) => void, expected: RegExp][];
}

export const POLICY_CASES: PolicyCase[] = [
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
            ["TLS 1.0", (p) => (p.tlsSettings.minimumTlsVersion = "TLS10"), /^tlsSettings\.minimumTlsVersion is "TLS10"; allowed: TLS12, TLS13\.$/],
            ["TLS12_2022 suites", (p) => (p.tlsSettings.cipherSuiteSetType = "TLS12_2022"), /^tlsSettings\.cipherSuiteSetType is "TLS12_2022"/],
            ["a CBC suite in a custom set", (p) => Object.assign(p.tlsSettings, customized(cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_GCM_SHA256, cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_SHA256)), /allows \["ECDHE_RSA_AES128_SHA256"\]/],
            ["a DHE suite in a custom set", (p) => Object.assign(p.tlsSettings, customized(cdn.AfdCustomizedCipherSuiteForTls12.DHE_RSA_AES256_GCM_SHA384)), /allows \["DHE_RSA_AES256_GCM_SHA384"\]; allowed: ECDHE_RSA_AES128_GCM_SHA256, ECDHE_RSA_AES256_GCM_SHA384\.$/],
            ["Application Gateway's suite names in a custom set", (p) => Object.assign(p.tlsSettings, customized("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")), /allows \["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"\]/],
        ],
    },
    {
        // Both ECDHE-GCM names of the SDK's AfdCustomizedCipherSuiteForTls12 enum: the set the review found rejected.
        policy: "frontdoor-domain-tls", type: "azure-native:cdn:AFDCustomDomain",
        good: { tlsSettings: { minimumTlsVersion: "TLS12", certificateType: "ManagedCertificate", ...customized(cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_GCM_SHA256, cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES256_GCM_SHA384) } },
        bad: [
            ["an empty custom set", (p) => (p.tlsSettings.customizedCipherSuiteSet.cipherSuiteSetForTls12 = []), /allows "nothing"/],
            ["Customized with no suites at all", (p) => delete p.tlsSettings.customizedCipherSuiteSet, /cipherSuiteSetForTls12 allows "nothing"/],
        ],
    },
    {
        // A TLS 1.3 minimum with a custom set: TLS 1.3's suites are all AEAD, and no TLS 1.2 list is needed.
        policy: "frontdoor-domain-tls", type: "azure-native:cdn:AFDCustomDomain",
        good: { tlsSettings: { minimumTlsVersion: "TLS13", certificateType: "ManagedCertificate", cipherSuiteSetType: "Customized", customizedCipherSuiteSet: { cipherSuiteSetForTls13: [cdn.AfdCustomizedCipherSuiteForTls13.TLS_AES_128_GCM_SHA256] } } },
        bad: [["the same set with a TLS 1.2 minimum and no TLS 1.2 list", (p) => (p.tlsSettings.minimumTlsVersion = "TLS12"), /allows "nothing"/]],
    },
    {
        policy: "apim-protocols-and-ciphers", type: "azure-native:apimanagement:ApiManagementService", good: goodApim,
        bad: [
            ["TLS 1.0 on", (p) => (p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"] = "true"), /Protocols\.Tls10"\] is "true"/],
            // customProperties is a map of strings (ApiManagementServiceArgs): the policy takes only the string "false".
            ["TLS 1.1 off as a boolean", (p) => (p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11"] = false), /Protocols\.Tls11"\] is false; set "false"/],
            ["3DES turned on", (p) => (p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168"] = "True"), /TripleDes168"\] is "True"; set "false" or leave it out \(off by default\)/],
            // The other ciphers' "default value is true" (ApiManagementServiceArgs.customProperties).
            ["an RSA key-exchange suite absent (means on)", (p) => delete p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA"], /TLS_RSA_WITH_AES_128_CBC_SHA"\] is undefined; set "false" \(absent means on\)/],
            ["SSL 3.0 absent (no documented default)", (p) => delete p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30"], /Protocols\.Ssl30"\] is undefined; set "false"/],
        ],
    },
    {
        policy: "frontdoor-route-https", type: "azure-native:cdn:Route", good: goodRoute,
        bad: [
            ["forwarding plain HTTP", (p) => (p.forwardingProtocol = "HttpOnly"), /^forwardingProtocol is "HttpOnly"; set "HttpsOnly" \(HttpOnly forwards plain HTTP\)/],
            ["forwarding the caller's protocol with HTTP not redirected", (p) => Object.assign(p, { forwardingProtocol: "MatchRequest", httpsRedirect: "Disabled" }), /^forwardingProtocol is "MatchRequest"; set "HttpsOnly" \(MatchRequest forwards the plain HTTP this route accepts\)/],
            ["HTTP without redirect", (p) => (p.httpsRedirect = "Disabled"), /^supportedProtocols includes "Http" but httpsRedirect is "Disabled"/],
        ],
    },
    {
        // supportedProtocols absent: the SDK's default is Http and Https (RouteArgs), so HTTP must redirect.
        policy: "frontdoor-route-https", type: "azure-native:cdn:Route", good: { forwardingProtocol: "HttpsOnly", httpsRedirect: "Enabled" },
        bad: [["the default protocols without redirect", (p) => (p.httpsRedirect = "Disabled"), /^supportedProtocols includes "Http" but httpsRedirect is "Disabled"/]],
    },
    {
        policy: "frontdoor-route-https", type: "azure-native:cdn:Route", good: { forwardingProtocol: "HttpsOnly", supportedProtocols: ["Https"], httpsRedirect: "Disabled" },
        bad: [["HTTP added back", (p) => p.supportedProtocols.push("Http"), /^supportedProtocols includes "Http"/]],
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
            ["no policy settings", (p) => delete p.policySettings, /^policySettings\.(enabledState|mode) is undefined/],
        ],
    },
    {
        policy: "apim-api-https", type: "azure-native:apimanagement:Api", good: goodApi,
        bad: [
            ["HTTP accepted", (p) => (p.protocols = ["http", "https"]), /^protocols is \["http","https"\]/],
            ["plain-HTTP service", (p) => (p.serviceUrl = "http://backend"), /^serviceUrl is "http:\/\/backend"/],
            ["an empty protocol list", (p) => (p.protocols = []), /^protocols is \[\]; allowed: \["https","wss"\]/],
            ["plain WebSockets", (p) => (p.protocols = ["ws"]), /^protocols is \["ws"\]/],
        ],
    },
    {
        // An API whose backend comes from a policy (set-backend-service) has no serviceUrl: nothing to check there.
        policy: "apim-api-https", type: "azure-native:apimanagement:Api", good: { protocols: ["https"] },
        bad: [["no protocols given", (p) => delete p.protocols, /^protocols is undefined/]],
    },
    {
        policy: "apim-backend-tls", type: "azure-native:apimanagement:Backend", good: goodBackend,
        bad: [
            ["http backend", (p) => (p.url = "http://backend"), /^url is "http:\/\/backend"/],
            ["chain not validated", (p) => (p.tls.validateCertificateChain = false), /^tls\.validateCertificateChain is false/],
            ["name not validated", (p) => (p.tls.validateCertificateName = false), /^tls\.validateCertificateName is false/],
        ],
    },
    {
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1:Gateway", good: goodIstioGateway,
        bad: [
            ["TLS 1.0 allowed", (p) => (p.spec.servers[0].tls.minProtocolVersion = "TLSV1_0"), /^spec\.servers\[0\]\.tls\.minProtocolVersion is "TLSV1_0"/],
            // Unset, the minimum is Envoy's, TLS 1.2, so the TLS 1.2 suites are judged.
            ["the default minimum with a CBC suite", (p) => {
                delete p.spec.servers[0].tls.minProtocolVersion;
                p.spec.servers[0].tls.cipherSuites.push("ECDHE-RSA-AES128-SHA");
            }, /^spec\.servers\[0\]\.tls\.cipherSuites is .*ECDHE-RSA-AES128-SHA/],
            ["TLS_AUTO with a CBC suite", (p) => {
                p.spec.servers[0].tls.minProtocolVersion = "TLS_AUTO";
                p.spec.servers[0].tls.cipherSuites.push("ECDHE-RSA-AES128-SHA");
            }, /^spec\.servers\[0\]\.tls\.cipherSuites is .*ECDHE-RSA-AES128-SHA/],
            ["plain HTTP/2", (p) => {
                p.spec.servers[1].port.protocol = "HTTP2";
                delete p.spec.servers[1].tls;
            }, /^spec\.servers\[1\] serves plain HTTP2 without tls\.httpsRedirect: true\.$/],
            ["plain gRPC", (p) => p.spec.servers.push({ port: { number: 9090, protocol: "GRPC", name: "grpc" } }), /^spec\.servers\[2\] serves plain GRPC without tls\.httpsRedirect: true\.$/],
            ["plain TCP", (p) => p.spec.servers.push({ port: { number: 5432, protocol: "TCP", name: "tcp" } }), /^spec\.servers\[2\] serves TCP in plaintext; serve TLS \(mode PASSTHROUGH if the backend terminates it\)\.$/],
            ["plain MongoDB", (p) => p.spec.servers.push({ port: { number: 27017, protocol: "MONGO", name: "mongo" } }), /^spec\.servers\[2\] serves MONGO in plaintext/],
            ["a CBC suite", (p) => p.spec.servers[0].tls.cipherSuites.push("ECDHE-RSA-AES128-SHA"), /cipherSuites is .*ECDHE-RSA-AES128-SHA/],
            ["Envoy's default suites", (p) => delete p.spec.servers[0].tls.cipherSuites, /cipherSuites is undefined/],
            // Neither name is a BoringSSL suite: AES128-GCM goes with SHA256 and AES256-GCM with SHA384.
            ["a suite name that does not exist", (p) => p.spec.servers[0].tls.cipherSuites.push("ECDHE-RSA-AES128-GCM-SHA384"), /cipherSuites is .*ECDHE-RSA-AES128-GCM-SHA384/],
            ["another suite name that does not exist", (p) => p.spec.servers[0].tls.cipherSuites.push("ECDHE-ECDSA-AES256-GCM-SHA256"), /cipherSuites is .*ECDHE-ECDSA-AES256-GCM-SHA256/],
            ["no credential", (p) => delete p.spec.servers[0].tls.credentialName, /has no credentialName/],
            ["plain HTTP served", (p) => delete p.spec.servers[1].tls, /^spec\.servers\[1\] serves plain HTTP/],
            ["plain HTTP with the redirect off", (p) => (p.spec.servers[1].tls.httpsRedirect = false), /^spec\.servers\[1\] serves plain HTTP/],
            // Istio parses a port's protocol ignoring case (pkg/config/protocol/instance.go, Parse).
            ["a lower-case https server at TLS 1.0", (p) => {
                p.spec.servers[0].port.protocol = "https";
                p.spec.servers[0].tls.minProtocolVersion = "TLSV1_0";
            }, /^spec\.servers\[0\]\.tls\.minProtocolVersion is "TLSV1_0"/],
            ["a TLS server at TLS 1.1", (p) => p.spec.servers.push({ port: { number: 8443, protocol: "TLS", name: "tls" }, tls: { mode: "SIMPLE", credentialName: "cert", minProtocolVersion: "TLSV1_1", cipherSuites: gcm } }), /^spec\.servers\[2\]\.tls\.minProtocolVersion is "TLSV1_1"/],
            ["no minimum and Envoy's default suites", (p) => {
                delete p.spec.servers[0].tls.minProtocolVersion;
                delete p.spec.servers[0].tls.cipherSuites;
            }, /^spec\.servers\[0\]\.tls\.cipherSuites is undefined/],
            ["an HTTPS server without tls", (p) => delete p.spec.servers[0].tls, /^spec\.servers\[0\]\.tls has no credentialName/],
            ["only a CBC suite", (p) => Object.assign(p.spec.servers[0].tls, { minProtocolVersion: "TLSV1_2", cipherSuites: ["AES128-SHA"] }), /cipherSuites is \["AES128-SHA"\]/],
        ],
    },
    {
        // Servers the policy leaves alone or accepts: TLS passed through to the backend (the gateway holds no key),
        // a TLS 1.3 minimum (TLS 1.3's suites are fixed AEAD ones), a certificate mounted from files, mesh mTLS.
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1:Gateway",
        good: {
            spec: {
                servers: [
                    { port: { number: 443, protocol: "TLS", name: "passthrough" }, tls: { mode: "PASSTHROUGH" } },
                    { port: { number: 15443, protocol: "TLS", name: "auto" }, tls: { mode: "AUTO_PASSTHROUGH" } },
                    { port: { number: 8443, protocol: "HTTPS", name: "tls13" }, tls: { mode: "SIMPLE", credentialName: "cert", minProtocolVersion: "TLSV1_3" } },
                    { port: { number: 9443, protocol: "HTTPS", name: "files" }, tls: { mode: "SIMPLE", serverCertificate: "/etc/certs/tls.crt", privateKey: "/etc/certs/tls.key", minProtocolVersion: "TLSV1_3" } },
                    // The gateway's own mesh certificate; "all other fields in TLSOptions should be empty" (Istio Gateway reference).
                    { port: { number: 8444, protocol: "TLS", name: "mesh" }, tls: { mode: "ISTIO_MUTUAL" } },
                ],
            },
        },
        bad: [
            ["passthrough turned into termination at TLS 1.0", (p) => (p.spec.servers[0].tls = { mode: "SIMPLE", credentialName: "cert", minProtocolVersion: "TLSV1_0" }), /^spec\.servers\[0\]\.tls\.minProtocolVersion is "TLSV1_0"/],
            ["auto passthrough turned into termination without a credential", (p) => (p.spec.servers[1].tls = { mode: "SIMPLE", minProtocolVersion: "TLSV1_3" }), /^spec\.servers\[1\]\.tls has no credentialName/],
            ["the file-mounted server at TLS 1.2 with Envoy's default suites", (p) => (p.spec.servers[3].tls.minProtocolVersion = "TLSV1_2"), /^spec\.servers\[3\]\.tls\.cipherSuites is undefined/],
            ["mesh mTLS turned into termination without a credential", (p) => (p.spec.servers[4].tls = { mode: "SIMPLE", minProtocolVersion: "TLSV1_3" }), /^spec\.servers\[4\]\.tls has no credentialName/],
        ],
    },
    {
        // Every ECDHE AEAD suite of Envoy's TLS 1.2 list (envoy.extensions.transport_sockets.tls.v3.TlsParameters cipher_suites).
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1:Gateway",
        good: {
            spec: {
                servers: [{
                    port: { number: 443, protocol: "HTTPS", name: "https" },
                    tls: {
                        mode: "SIMPLE", credentialName: "cert", minProtocolVersion: "TLSV1_2",
                        cipherSuites: ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"],
                    },
                }],
            },
        },
        bad: [["Envoy's RSA key-exchange suite added", (p) => p.spec.servers[0].tls.cipherSuites.push("AES128-GCM-SHA256"), /cipherSuites is .*"AES128-GCM-SHA256"/]],
    },
    {
        // Nothing to judge: no spec, or a server without a port (Istio rejects it; the policy must not fail on it).
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1:Gateway", good: { metadata: { name: "empty" } },
        bad: [["servers added, one plain HTTP", (p) => (p.spec = { servers: [{ hosts: ["*"] }, { port: { number: 80, protocol: "HTTP", name: "http" } }] }), /^spec\.servers\[1\] serves plain HTTP/]],
    },
    {
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1alpha3:Gateway", good: goodIstioGateway,
        bad: [["TLS 1.0 (v1alpha3)", (p) => (p.spec.servers[0].tls.minProtocolVersion = "TLSV1_0"), /minProtocolVersion is "TLSV1_0"/]],
    },
    {
        policy: "istio-gateway-tls", type: "kubernetes:networking.istio.io/v1beta1:Gateway", good: goodIstioGateway,
        bad: [["TLS 1.1 (v1beta1)", (p) => (p.spec.servers[0].tls.minProtocolVersion = "TLSV1_1"), /minProtocolVersion is "TLSV1_1"/]],
    },
    {
        // A port set STRICT, and one with no mode (it inherits).
        policy: "istio-peer-authentication-strict", type: "kubernetes:security.istio.io/v1:PeerAuthentication", good: { spec: { mtls: { mode: "STRICT" }, portLevelMtls: { 9090: { mode: "STRICT" }, 9091: {} } } },
        bad: [
            ["PERMISSIVE", (p) => (p.spec.mtls.mode = "PERMISSIVE"), /^spec\.mtls\.mode is "PERMISSIVE"/],
            ["a port with mTLS off", (p) => (p.spec.portLevelMtls = { 8080: { mode: "DISABLE" } }), /^spec\.portLevelMtls\["8080"\]\.mode is "DISABLE"/],
            ["mTLS off", (p) => (p.spec.mtls.mode = "DISABLE"), /^spec\.mtls\.mode is "DISABLE"/],
            ["a port PERMISSIVE where no mode is set", (p) => (p.spec = { portLevelMtls: { 8080: { mode: "PERMISSIVE" } } }), /^spec\.portLevelMtls\["8080"\]\.mode is "PERMISSIVE"/],
        ],
    },
    {
        // No spec, or UNSET: the namespace's or the mesh's policy applies (security.istio.io PeerAuthentication docs).
        policy: "istio-peer-authentication-strict", type: "kubernetes:security.istio.io/v1beta1:PeerAuthentication", good: { metadata: { name: "inherit" } },
        bad: [
            ["PERMISSIVE (v1beta1)", (p) => (p.spec = { mtls: { mode: "PERMISSIVE" } }), /^spec\.mtls\.mode is "PERMISSIVE"/],
            ["a port PERMISSIVE under an UNSET mode", (p) => (p.spec = { mtls: { mode: "UNSET" }, portLevelMtls: { 9090: { mode: "STRICT" }, 8080: { mode: "PERMISSIVE" } } }), /^spec\.portLevelMtls\["8080"\]\.mode is "PERMISSIVE"/],
        ],
    },
    {
        policy: "istio-destination-rule-tls", type: "kubernetes:networking.istio.io/v1:DestinationRule", good: goodDestinationRule,
        bad: [
            ["TLS off", (p) => (p.spec.trafficPolicy.tls.mode = "DISABLE"), /^spec\.trafficPolicy\.tls\.mode is "DISABLE"/],
            ["skip verify on a port", (p) => (p.spec.trafficPolicy.portLevelSettings[0].tls.insecureSkipVerify = true), /^spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.insecureSkipVerify is true/],
            ["TLS off in a subset", (p) => (p.spec.subsets[0].trafficPolicy.tls.mode = "DISABLE"), /^spec\.subsets\[0\]\.trafficPolicy\.tls\.mode is "DISABLE"/],
            ["TLS off on a port", (p) => (p.spec.trafficPolicy.portLevelSettings[0].tls.mode = "DISABLE"), /^spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.mode is "DISABLE"/],
            ["skip verify in a subset's port", (p) => (p.spec.subsets[0].trafficPolicy.portLevelSettings = [{ port: { number: 443 }, tls: { mode: "SIMPLE", insecureSkipVerify: true } }]), /^spec\.subsets\[0\]\.trafficPolicy\.portLevelSettings\[0\]\.tls\.insecureSkipVerify is true/],
        ],
    },
    {
        // A rule that only names subsets (the mesh's ISTIO_MUTUAL default applies) and a subset with no policy.
        policy: "istio-destination-rule-tls", type: "kubernetes:networking.istio.io/v1beta1:DestinationRule", good: { spec: { host: "api", subsets: [{ name: "v1" }, { name: "v2", trafficPolicy: {} }] } },
        bad: [["TLS off in the rule (v1beta1)", (p) => (p.spec.trafficPolicy = { tls: { mode: "DISABLE" } }), /^spec\.trafficPolicy\.tls\.mode is "DISABLE"/]],
    },
    {
        policy: "istio-destination-rule-tls", type: "kubernetes:networking.istio.io/v1alpha3:DestinationRule", good: { metadata: { name: "no-spec" } },
        bad: [["skip verify (v1alpha3)", (p) => (p.spec = { host: "api", trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } } }), /^spec\.trafficPolicy\.tls\.insecureSkipVerify is true/]],
    },
    {
        policy: "istiod-mesh-tls", type: "kubernetes:helm.sh/v3:Release", good: goodIstiod,
        bad: [
            ["mesh mTLS at TLS 1.2", (p) => (p.values.meshConfig.meshMTLS.minProtocolVersion = "TLSV1_2"), /meshMTLS\.minProtocolVersion is "TLSV1_2"; set "TLSV1_3"/],
            // Unset, the default minimum is TLS 1.2 and the suites are the proxy build's.
            ["no TLS defaults", (p) => delete p.values.meshConfig.tlsDefaults, /^values\.meshConfig\.tlsDefaults\.cipherSuites is undefined/],
            ["no values", (p) => delete p.values, /^values\.meshConfig\.meshMTLS\.minProtocolVersion is undefined/],
            ["no mesh config", (p) => delete p.values.meshConfig, /^values\.meshConfig\.meshMTLS\.minProtocolVersion is undefined/],
            ["TLS 1.1 by default", (p) => (p.values.meshConfig.tlsDefaults.minProtocolVersion = "TLSV1_1"), /^values\.meshConfig\.tlsDefaults\.minProtocolVersion is "TLSV1_1"; set TLSV1_2 or TLSV1_3\.$/],
            ["a CBC suite by default", (p) => p.values.meshConfig.tlsDefaults.cipherSuites.push("ECDHE-RSA-AES128-SHA"), /^values\.meshConfig\.tlsDefaults\.cipherSuites is \[.*"ECDHE-RSA-AES128-SHA"\]/],
        ],
    },
    {
        // Another chart's release: its values are not istiod's.
        policy: "istiod-mesh-tls", type: "kubernetes:helm.sh/v3:Release", good: { chart: "gateway", values: {} },
        bad: [["the istiod chart", (p) => (p.chart = "istiod"), /^values\.meshConfig\.meshMTLS\.minProtocolVersion is undefined/]],
    },
    {
        policy: "cert-manager-certificate-policy", type: "kubernetes:cert-manager.io/v1:Certificate", good: goodCertificate,
        bad: [
            ["a year", (p) => (p.spec.duration = "8760h"), /^spec\.duration is "8760h"; at most 2160h/],
            ["renewal after expiry", (p) => (p.spec.renewBefore = "2160h"), /^spec\.renewBefore is "2160h"/],
            ["the key kept across renewals", (p) => (p.spec.privateKey.rotationPolicy = "Never"), /^spec\.privateKey\.rotationPolicy is "Never"/],
            ["RSA 1024", (p) => (p.spec.privateKey = { algorithm: "RSA", size: 1024, rotationPolicy: "Always" }), /size is 1024 for RSA/],
            // cert-manager's default algorithm is RSA (Certificate API reference, privateKey.algorithm).
            ["1024 bits with the default algorithm", (p) => (p.spec.privateKey = { size: 1024, rotationPolicy: "Always" }), /size is 1024 for RSA/],
            ["ECDSA below P-256", (p) => (p.spec.privateKey.size = 224), /^spec\.privateKey\.size is 224 for ECDSA/],
            // cert-manager's defaults where nothing is set: RSA 2048, rotated (Always since 1.18), 90 days.
            ["no private key settings, for a year", (p) => {
                delete p.spec.privateKey;
                p.spec.duration = "8760h";
            }, /^spec\.duration is "8760h"/],
            ["a year, in minutes", (p) => (p.spec.duration = "525600m"), /^spec\.duration is "525600m"/],
            ["one second over 90 days", (p) => (p.spec.duration = "2160h1s"), /^spec\.duration is "2160h1s"/],
            ["a duration that is no Go duration", (p) => (p.spec.duration = "90d"), /^spec\.duration is "90d"/],
            ["an empty duration", (p) => (p.spec.duration = ""), /^spec\.duration is ""/],
            // With no readable duration, no renewal time can be shown to come before it.
            ["a duration that is no Go duration, with a renewal", (p) => (p.spec.duration = "90d"), /^spec\.renewBefore is "720h"; it must be shorter than the duration\.$/],
            ["renewal that is no Go duration", (p) => (p.spec.renewBefore = "30d"), /^spec\.renewBefore is "30d"/],
            ["renewal before the default duration has begun", (p) => {
                delete p.spec.duration;
                p.spec.renewBefore = "2160h";
            }, /^spec\.renewBefore is "2160h"/],
        ],
    },
    {
        // Durations in the other units Go takes; cert-manager's defaults (RSA 2048, 2160h) where nothing is set.
        policy: "cert-manager-certificate-policy", type: "kubernetes:cert-manager.io/v1:Certificate",
        good: { spec: { duration: "90m", renewBefore: "1800s", privateKey: { rotationPolicy: "Always" } } },
        bad: [
            ["renewal longer than the duration", (p) => (p.spec.renewBefore = "91m"), /^spec\.renewBefore is "91m"/],
            ["renewal as long as a 2h0m0s duration", (p) => Object.assign(p.spec, { duration: "2h0m0s", renewBefore: "7200s" }), /^spec\.renewBefore is "7200s"/],
        ],
    },
    {
        policy: "cert-manager-certificate-policy", type: "kubernetes:cert-manager.io/v1:Certificate",
        good: { spec: { renewBefore: "720h", privateKey: { algorithm: "Ed25519", rotationPolicy: "Always" } } },
        bad: [["a duration past 90 days", (p) => (p.spec.duration = "2161h"), /^spec\.duration is "2161h"/]],
    },
    {
        // No renewBefore (cert-manager renews at two thirds of the duration), ECDSA at its default size (256).
        policy: "cert-manager-certificate-policy", type: "kubernetes:cert-manager.io/v1:Certificate",
        good: { spec: { duration: "2160h", privateKey: { algorithm: "ECDSA", rotationPolicy: "Always" } } },
        bad: [["RSA with the same settings", (p) => Object.assign(p.spec.privateKey, { algorithm: "RSA", size: 1024 }), /size is 1024 for RSA/]],
    },
    {
        policy: "ingress-tls", type: "kubernetes:networking.k8s.io/v1:Ingress", good: { spec: { tls: [{ hosts: ["a.example.com"], secretName: "a" }] } },
        bad: [
            ["no TLS", (p) => delete p.spec.tls, /^spec\.tls is empty/],
            ["an empty TLS list", (p) => (p.spec.tls = []), /^spec\.tls is empty/],
            ["no spec", (p) => delete p.spec, /^spec\.tls is empty/],
        ],
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
        policy: "app-service-tls", type: "azure-native:web:WebApp", good: goodSite,
        bad: [
            ["HTTP served", (p) => (p.httpsOnly = false), /^httpsOnly is false/],
            ["TLS 1.0", (p) => (p.siteConfig.minTlsVersion = "1.0"), /^siteConfig\.minTlsVersion is "1\.0"; allowed: 1\.2, 1\.3\.$/],
            ["the SCM endpoint at TLS 1.1", (p) => (p.siteConfig.scmMinTlsVersion = "1.1"), /^siteConfig\.scmMinTlsVersion is "1\.1"/],
            ["plain FTP", (p) => (p.siteConfig.ftpsState = "AllAllowed"), /^siteConfig\.ftpsState is "AllAllowed"; allowed: FtpsOnly, Disabled \(AllAllowed, or unset, takes plain FTP\)\.$/],
            ["no siteConfig", (p) => delete p.siteConfig, /^siteConfig\.ftpsState is undefined/],
            ["FTP left to the default", (p) => delete p.siteConfig.ftpsState, /^siteConfig\.ftpsState is undefined/],
        ],
    },
    {
        policy: "app-service-tls", type: "azure-native:web:WebAppSlot", good: goodSite,
        bad: [["a slot at TLS 1.1", (p) => (p.siteConfig.minTlsVersion = "1.1"), /^siteConfig\.minTlsVersion is "1\.1"/]],
    },
    {
        policy: "messaging-namespace-tls", type: "azure-native:eventhub:Namespace", good: { minimumTlsVersion: "1.2" },
        bad: [
            ["TLS 1.0", (p) => (p.minimumTlsVersion = "1.0"), /^minimumTlsVersion is "1\.0"/],
            ["TLS 1.1", (p) => (p.minimumTlsVersion = "1.1"), /^minimumTlsVersion is "1\.1"/],
        ],
    },
    {
        policy: "messaging-namespace-tls", type: "azure-native:servicebus:Namespace", good: { minimumTlsVersion: "1.3" },
        bad: [["TLS 1.1", (p) => (p.minimumTlsVersion = "1.1"), /^minimumTlsVersion is "1\.1"; allowed: 1\.2, 1\.3\.$/]],
    },
    {
        policy: "database-server-tls", type: "azure-native:dbforpostgresql:Configuration", good: { configurationName: "ssl_min_protocol_version", value: "TLSv1.2" },
        bad: [
            ["TLS 1.1 allowed", (p) => (p.value = "TLSv1.1"), /^ssl_min_protocol_version is "TLSv1\.1"/],
            ["TLS not required", (p) => Object.assign(p, { configurationName: "require_secure_transport", value: "OFF" }), /^require_secure_transport is "OFF"/],
            ["the minimum without a value", (p) => delete p.value, /^ssl_min_protocol_version is undefined/],
        ],
    },
    {
        // require_secure_transport left ON (its default), and a parameter no TLS rule reads.
        policy: "database-server-tls", type: "azure-native:dbforpostgresql:Configuration", good: { configurationName: "require_secure_transport", value: "ON" },
        bad: [["turned off", (p) => (p.value = "off"), /^require_secure_transport is "off"/]],
    },
    {
        policy: "database-server-tls", type: "azure-native:dbforpostgresql:Configuration", good: { configurationName: "log_connections", value: "off" },
        bad: [["the name changed to the TLS minimum", (p) => (p.configurationName = "SSL_MIN_PROTOCOL_VERSION"), /^ssl_min_protocol_version is "off"/]],
    },
    {
        // No configurationName in the inputs (it is optional in ConfigurationArgs): no TLS parameter to judge.
        policy: "database-server-tls", type: "azure-native:dbforpostgresql:Configuration", good: { value: "off" },
        bad: [["named require_secure_transport", (p) => (p.configurationName = "require_secure_transport"), /^require_secure_transport is "off"/]],
    },
    {
        policy: "database-server-tls", type: "azure-native:dbformysql:Configuration", good: { configurationName: "tls_version", value: "TLSv1.2,TLSv1.3" },
        bad: [
            ["TLS 1.0 in the list", (p) => (p.value = "TLSv1,TLSv1.2"), /^tls_version is "TLSv1,TLSv1\.2"/],
            ["TLS 1.1 after a space", (p) => (p.value = "TLSv1.2, TLSv1.1"), /^tls_version is "TLSv1\.2, TLSv1\.1"/],
            ["TLS not required", (p) => Object.assign(p, { configurationName: "require_secure_transport", value: "off" }), /^require_secure_transport is "off"/],
        ],
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
            ["WAF_v2 without a WAF policy", (p) => delete p.firewallPolicy, /^sku\.tier is "WAF_v2" and firewallPolicy is undefined/],
            ["no sku", (p) => delete p.sku, /^sku\.tier is undefined/],
            ["a policy with no type", (p) => delete p.sslPolicy.policyType, /^sslPolicy\.policyType is undefined; use Predefined AppGwSslPolicy20220101S or a Custom policy\.$/],
            ["Custom with TLS 1.2 and no suite list", (p) => Object.assign(p.sslPolicy, { policyType: "Custom", minProtocolVersion: "TLSv1_2", cipherSuites: undefined }), /^sslPolicy\.cipherSuites allows "the defaults"/],
            ["an HTTP listener with no rule", (p) => p.requestRoutingRules.pop(), /^httpListeners\[1\] \("http"\) is "Http" without a redirect/],
            ["an HTTP listener with a rule that does not redirect", (p) => p.requestRoutingRules.push({ name: "plain", httpListener: listenerId("http") }), /^httpListeners\[1\] \("http"\) is "Http" without a redirect/],
            ["a rule that names no listener", (p) => delete p.requestRoutingRules[1].httpListener, /^httpListeners\[1\] \("http"\) is "Http" without a redirect/],
        ],
    },
    {
        // Only what the policy reads: no SSL profiles, listeners, rules or backend settings to check.
        policy: "appgateway-tls", type: "azure-native:network:ApplicationGateway",
        good: { sku: goodAppGateway.sku, firewallPolicy: goodAppGateway.firewallPolicy, sslPolicy: goodAppGateway.sslPolicy },
        bad: [["an HTTP listener added", (p) => (p.httpListeners = [{ name: "http", protocol: "Http" }]), /^httpListeners\[0\] \("http"\) is "Http" without a redirect/]],
    },
    {
        // CustomV2 with a TLS 1.3 minimum takes no TLS 1.2 suites: Azure accepts it, and TLS 1.3's suites are all AEAD.
        policy: "appgateway-tls", type: "azure-native:network:ApplicationGateway",
        good: { ...goodAppGateway, sslPolicy: { policyType: network.ApplicationGatewaySslPolicyType.CustomV2, minProtocolVersion: network.ApplicationGatewaySslProtocol.TLSv1_3 } },
        bad: [["TLS 1.1 minimum", (p) => (p.sslPolicy.minProtocolVersion = "TLSv1_1"), /^sslPolicy\.minProtocolVersion is "TLSv1_1"/]],
    },
    {
        policy: "appgateway-hsts", type: "azure-native:network:ApplicationGateway", good: goodAppGateway,
        bad: [
            ["an HTTPS rule without a rewrite set", (p) => delete p.requestRoutingRules[0].rewriteRuleSet, /^requestRoutingRules\[0\] \("api"\) serves HTTPS without a rewrite set that adds Strict-Transport-Security/],
            // RFC 6797 section 6.1.1: max-age=0 makes the browser forget the host.
            ["max-age=0", (p) => (p.rewriteRuleSets[0].rewriteRules[0].actionSet.responseHeaderConfigurations[0].headerValue = "max-age=0"), /^requestRoutingRules\[0\] \("api"\) serves HTTPS without/],
            ["a value without max-age", (p) => (p.rewriteRuleSets[0].rewriteRules[0].actionSet.responseHeaderConfigurations[0].headerValue = "includeSubDomains"), /^requestRoutingRules\[0\]/],
            ["HSTS only when a condition holds", (p) => (p.rewriteRuleSets[0].rewriteRules[0].conditions = [{ variable: "http_resp_Content-Type", pattern: "json" }]), /^requestRoutingRules\[0\]/],
            ["HSTS as a request header", (p) => {
                const set = p.rewriteRuleSets[0].rewriteRules[0].actionSet;
                set.requestHeaderConfigurations = set.responseHeaderConfigurations;
                delete set.responseHeaderConfigurations;
            }, /^requestRoutingRules\[0\]/],
            ["a rule naming a rewrite set that does not exist", (p) => (p.requestRoutingRules[0].rewriteRuleSet = gatewayPart("rewriteRuleSets", "other")), /^requestRoutingRules\[0\]/],
            ["a path-based rule whose path rule has no rewrite set", (p) => {
                p.urlPathMaps = [{ name: "paths", defaultRewriteRuleSet: gatewayPart("rewriteRuleSets", "edge"), pathRules: [{ name: "v1", paths: ["/v1/*"] }] }];
                p.requestRoutingRules[0] = { name: "api", httpListener: listenerId("https"), urlPathMap: gatewayPart("urlPathMaps", "paths") };
            }, /^requestRoutingRules\[0\] \("api"\)/],
        ],
    },
    {
        // A path-based rule whose default and path rules all rewrite; the header name's case is free (RFC 9110: case-insensitive);
        // a gateway with no HTTPS listener has nothing to judge.
        policy: "appgateway-hsts", type: "azure-native:network:ApplicationGateway",
        good: {
            ...goodAppGateway,
            rewriteRuleSets: [{ name: "edge", rewriteRules: [{ name: "h", actionSet: { responseHeaderConfigurations: [{ headerName: "strict-transport-security", headerValue: "max-age=300" }] } }] }],
            urlPathMaps: [{ name: "paths", defaultRewriteRuleSet: gatewayPart("rewriteRuleSets", "edge"), pathRules: [{ name: "v1", rewriteRuleSet: gatewayPart("rewriteRuleSets", "edge") }] }],
            requestRoutingRules: [{ name: "api", httpListener: listenerId("https"), urlPathMap: gatewayPart("urlPathMaps", "paths") }, goodAppGateway.requestRoutingRules[1]],
        },
        bad: [["the path map's default without a rewrite set", (p) => delete p.urlPathMaps[0].defaultRewriteRuleSet, /^requestRoutingRules\[0\] \("api"\) serves HTTPS/]],
    },
    {
        policy: "waf-prevention", type: "azure-native:network:WebApplicationFirewallPolicy", good: { policySettings: { state: "Enabled", mode: "Prevention" } },
        bad: [
            ["Detection", (p) => (p.policySettings.mode = "Detection"), /^policySettings\.mode is "Detection"/],
            ["disabled", (p) => (p.policySettings.state = "Disabled"), /^policySettings\.state is "Disabled"/],
            ["no policy settings", (p) => delete p.policySettings, /^policySettings\.(state|mode) is undefined/],
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
        // rsaBits applies to RSA keys only (registry docs of tls_private_key): an ECDSA key is judged by its curve.
        policy: "tls-private-key-strength", type: "tls:index/privateKey:PrivateKey", good: { algorithm: "ECDSA", ecdsaCurve: "P256", rsaBits: 1024 },
        bad: [["the same key as RSA", (p) => (p.algorithm = "RSA"), /^rsaBits is 1024/]],
    },
    {
        // RSA at the 2048-bit floor, and the provider's default size, which is 2048 (registry docs of tls_private_key).
        policy: "tls-private-key-strength", type: "tls:index/privateKey:PrivateKey", good: { algorithm: "RSA", rsaBits: 2048 },
        bad: [["RSA 2047", (p) => (p.rsaBits = 2047), /^rsaBits is 2047; at least 2048/]],
    },
    {
        policy: "tls-private-key-strength", type: "tls:index/privateKey:PrivateKey", good: { algorithm: "RSA" },
        bad: [["RSA 1024 set explicitly", (p) => (p.rsaBits = 1024), /^rsaBits is 1024/]],
    },
    {
        policy: "key-vault-hardening", type: "azure-native:keyvault:Vault", good: goodVault,
        bad: [
            ["access policies", (p) => (p.properties.enableRbacAuthorization = false), /^properties\.enableRbacAuthorization is false/],
            ["no purge protection", (p) => delete p.properties.enablePurgeProtection, /^properties\.enablePurgeProtection is undefined/],
            ["public access", (p) => (p.properties.publicNetworkAccess = "Enabled"), /^properties\.publicNetworkAccess is "Enabled"/],
            ["no properties", (p) => delete p.properties, /^properties\.enableRbacAuthorization is undefined/],
        ],
    },
    {
        // Public access with its reason stated on the vault (the registry's credential vault); a blank reason is none.
        policy: "key-vault-hardening", type: "azure-native:keyvault:Vault",
        good: { ...goodVault, properties: { ...goodVault.properties, publicNetworkAccess: "Enabled" }, tags: { publicNetworkAccessReason: "read by a service outside the VNet" } },
        bad: [
            ["a blank reason", (p) => (p.tags.publicNetworkAccessReason = " "), /^properties\.publicNetworkAccess is "Enabled"; set "Disabled"/],
            ["no reason", (p) => delete p.tags, /^properties\.publicNetworkAccess is "Enabled"/],
        ],
    },
    {
        policy: "storage-no-public-access", type: "azure-native:storage:StorageAccount", good: goodStorage,
        bad: [
            ["public network", (p) => (p.publicNetworkAccess = "Enabled"), /^publicNetworkAccess is "Enabled"/],
            ["shared keys", (p) => delete p.allowSharedKeyAccess, /^allowSharedKeyAccess is undefined/],
            ["anonymous blob reads", (p) => (p.allowBlobPublicAccess = true), /^allowBlobPublicAccess is true/],
        ],
    },
    {
        policy: "aks-private-cluster", type: "azure-native:containerservice:ManagedCluster", good: goodCluster,
        bad: [
            ["public API server", (p) => (p.apiServerAccessProfile.enablePrivateCluster = false), /^apiServerAccessProfile\.enablePrivateCluster is false/],
            ["local accounts", (p) => (p.disableLocalAccounts = false), /^disableLocalAccounts is false/],
            ["no network policy", (p) => (p.networkProfile.networkPolicy = "none"), /^networkProfile\.networkPolicy is "none"/],
            ["no network profile", (p) => delete p.networkProfile, /^networkProfile\.networkPolicy is undefined/],
            ["no API server access profile (public)", (p) => delete p.apiServerAccessProfile, /^apiServerAccessProfile\.enablePrivateCluster is undefined/],
        ],
    },

    // What each policy leaves to the service's defaults, and the other shapes and tokens it judges (with the
    // platform-independent stacks in test/foreignFixtures.ts).
    {
        // An explicit API version from before enableHttpsTrafficOnly defaulted to true ("since API version 2019-04-01").
        policy: "storage-account-tls", type: "azure-native:storage/v20180701:StorageAccount", good: goodStorage,
        bad: [["HTTPS-only left to that API's default", (p) => delete p.enableHttpsTrafficOnly, /^enableHttpsTrafficOnly is undefined \(false by default before API 2019-04-01\); set true\.$/]],
    },
    {
        policy: "storage-account-tls", type: "azure-native:storage/v20230501:StorageAccount", good: goodStorage,
        bad: [["TLS 1.0 in a versioned module", (p) => (p.minimumTlsVersion = "TLS1_0"), /^minimumTlsVersion is "TLS1_0"/]],
    },
    {
        // No TLS settings: Front Door's default policy, TLS12_2023.
        policy: "frontdoor-domain-tls", type: "azure-native:cdn:AFDCustomDomain", good: { hostName: "www.example.com" },
        bad: [["the 2019 suite set", (p) => (p.tlsSettings = { cipherSuiteSetType: "TLS10_2019" }), /^tlsSettings\.cipherSuiteSetType is "TLS10_2019"/]],
    },
    {
        // HTTPS only: MatchRequest forwards HTTPS (#15); and the SDK's default forwarding is MatchRequest.
        policy: "frontdoor-route-https", type: "azure-native:cdn:Route", good: { supportedProtocols: ["Https"] },
        bad: [["HTTP added without redirect", (p) => p.supportedProtocols.push("Http"), /^forwardingProtocol is undefined \(MatchRequest by default\); set "HttpsOnly" \(MatchRequest forwards the plain HTTP this route accepts\)\.$/]],
    },
    {
        policy: "frontdoor-route-https", type: "azure-native:frontdoor:FrontDoor",
        good: {
            routingRules: [
                { name: "https", acceptedProtocols: ["Https"], routeConfiguration: { odataType: "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration", forwardingProtocol: "HttpsOnly" } },
                { name: "redirect", acceptedProtocols: ["Http"], routeConfiguration: { odataType: "#Microsoft.Azure.FrontDoor.Models.FrontdoorRedirectConfiguration", redirectProtocol: "HttpsOnly", redirectType: "Moved" } },
            ],
        },
        bad: [
            ["forwarding plain HTTP", (p) => (p.routingRules[0].routeConfiguration.forwardingProtocol = "HttpOnly"), /^routingRules\[0\]\.routeConfiguration\.forwardingProtocol is "HttpOnly"/],
            ["forwarding the HTTP it accepts", (p) => (p.routingRules[0].acceptedProtocols = ["Http", "Https"]), /^routingRules\[0\] accepts Http and forwards it/],
            ["a rule with the default protocols and forwarding", (p) => (p.routingRules[0] = { name: "all", routeConfiguration: { odataType: "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration" } }), /^routingRules\[0\]\.routeConfiguration\.forwardingProtocol is "MatchRequest"/],
            ["redirecting to the caller's scheme", (p) => (p.routingRules[1].routeConfiguration.redirectProtocol = "MatchRequest"), /^routingRules\[1\] redirects with redirectProtocol "MatchRequest"; redirect to HttpsOnly\.$/],
        ],
    },
    {
        // The name check is the default (the SDK's AFDOrigin default true; BackendPoolsSettings' default Enabled).
        policy: "frontdoor-origin-certificate-check", type: "azure-native:cdn:AFDOrigin", good: { hostName: "app.example.com" },
        bad: [["turned off", (p) => (p.enforceCertificateNameCheck = false), /^enforceCertificateNameCheck is false; leave it true\.$/]],
    },
    {
        policy: "frontdoor-origin-certificate-check", type: "azure-native:network:FrontDoor", good: { backendPoolsSettings: { sendRecvTimeoutSeconds: 30 } },
        bad: [["turned off on a classic Front Door (the network module's token)", (p) => (p.backendPoolsSettings.enforceCertificateNameCheck = "Disabled"), /^backendPoolsSettings\.enforceCertificateNameCheck is "Disabled"/]],
    },
    {
        policy: "frontdoor-waf-prevention", type: "azure-native:network/v20220501:Policy", good: goodWaf,
        bad: [["Detection (the network module's token)", (p) => (p.policySettings.mode = "Detection"), /^policySettings\.mode is "Detection"/]],
    },
    {
        policy: "cdn-endpoint-https", type: "azure-native:cdn:Endpoint", good: { isHttpAllowed: false },
        bad: [
            ["HTTP allowed", (p) => (p.isHttpAllowed = true), /^isHttpAllowed is true and no delivery rule redirects HTTP to HTTPS/],
            ["HTTP left to the default", (p) => delete p.isHttpAllowed, /^isHttpAllowed is undefined \(the default: true\)/],
        ],
    },
    {
        policy: "cdn-endpoint-https", type: "azure-native:cdn:Endpoint",
        good: {
            deliveryPolicy: {
                rules: [{
                    name: "httpsRedirect", order: 1,
                    conditions: [{ name: "RequestScheme", parameters: { typeName: "DeliveryRuleRequestSchemeConditionParameters", operator: "Equal", matchValues: ["HTTP"] } }],
                    actions: [{ name: "UrlRedirect", parameters: { typeName: "DeliveryRuleUrlRedirectActionParameters", redirectType: "Found", destinationProtocol: "Https" } }],
                }],
            },
        },
        bad: [
            ["a redirect that keeps the scheme", (p) => (p.deliveryPolicy.rules[0].actions[0].parameters.destinationProtocol = "MatchRequest"), /^isHttpAllowed is undefined/],
            ["a redirect of HTTPS requests only", (p) => (p.deliveryPolicy.rules[0].conditions[0].parameters.matchValues = ["HTTPS"]), /^isHttpAllowed is undefined/],
            ["a negated scheme condition", (p) => (p.deliveryPolicy.rules[0].conditions[0].parameters.negateCondition = true), /^isHttpAllowed is undefined/],
        ],
    },
    {
        // Only what Microsoft documents as on by default is set off (the SDK's doc of customProperties).
        policy: "apim-protocols-and-ciphers", type: "azure-native:apimanagement:ApiManagementService",
        good: { customProperties: Object.fromEntries(Object.keys(goodApim.customProperties).filter((k) => !/Tls1[01]$|TripleDes168$/.test(k)).map((k) => [k, "false"])) },
        bad: [["TLS 1.0 to backends on", (p) => (p.customProperties["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10"] = "true"), /Backend\.Protocols\.Tls10"\] is "true"/]],
    },
    {
        // A WebSocket API (learn.microsoft.com/azure/api-management/websocket-api), in a workspace.
        policy: "apim-api-https", type: "azure-native:apimanagement:WorkspaceApi", good: { apiType: "websocket", protocols: ["wss"], serviceUrl: "wss://chat.example.com/socket" },
        bad: [
            ["a ws:// service", (p) => (p.serviceUrl = "ws://chat.example.com/socket"), /^serviceUrl is "ws:\/\/chat\.example\.com\/socket"/],
            ["plain ws accepted", (p) => (p.protocols = ["ws", "wss"]), /^protocols is \["ws","wss"\]/],
        ],
    },
    {
        // A load-balanced pool names other backends (learn.microsoft.com/azure/api-management/backends#load-balanced-pool); no tls block means both checks on.
        policy: "apim-backend-tls", type: "azure-native:apimanagement:Backend", good: { type: "Pool", pool: { services: [{ id: "/backends/a" }, { id: "/backends/b" }] } },
        bad: [["a single backend without url", (p) => (p.type = "Single"), /^url is undefined; use https:\/\//]],
    },
    {
        policy: "apim-backend-tls", type: "azure-native:apimanagement:WorkspaceBackend", good: { url: "https://orders.example.com", protocol: "http" },
        bad: [["chain validation off in a workspace", (p) => (p.tls = { validateCertificateChain: false }), /^tls\.validateCertificateChain is false/]],
    },
    {
        // The TCP/TLS proxy (layer 4) beside the HTTP listeners, and redirects that must lead to HTTPS.
        policy: "appgateway-tls", type: "azure-native:network:ApplicationGateway",
        good: {
            ...goodAppGateway,
            redirectConfigurations: [{ name: "redirect", redirectType: "Permanent", targetListener: listenerId("https") }],
            requestRoutingRules: [{ ...goodAppGateway.requestRoutingRules[0] }, { name: "redirect", httpListener: listenerId("http"), redirectConfiguration: { id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationGateways/agw/redirectConfigurations/redirect" } }],
            listeners: [{ name: "postgres", protocol: "Tls" }],
            backendSettingsCollection: [{ name: "postgres", protocol: "Tls", port: 5432 }],
        },
        bad: [
            ["a plain TCP listener", (p) => (p.listeners[0].protocol = "Tcp"), /^listeners\[0\] \("postgres"\) is "Tcp"; use Tls\.$/],
            ["plain TCP to the backend", (p) => (p.backendSettingsCollection[0].protocol = "Tcp"), /^backendSettingsCollection\[0\]\.protocol is "Tcp"; use Tls\.$/],
            ["a redirect to an http:// URL", (p) => (p.redirectConfigurations[0] = { name: "redirect", targetUrl: "http://api.example.com" }), /^httpListeners\[1\] \("http"\) is "Http" without a redirect to HTTPS on every rule/],
            ["a redirect to the HTTP listener itself", (p) => (p.redirectConfigurations[0].targetListener = listenerId("http")), /^httpListeners\[1\] \("http"\) is "Http" without a redirect to HTTPS/],
            ["no SSL policy at an API before 2023-02-01's default", (p) => delete p.sslPolicy, /^sslPolicy is absent, so AppGwSslPolicy20220101 applies/],
        ],
    },
    {
        policy: "appgateway-tls", type: "azure-native:network/v20220901:ApplicationGateway", good: goodAppGateway,
        bad: [["no SSL policy on API 2022-09-01 (TLS 1.0 by default)", (p) => delete p.sslPolicy, /^sslPolicy is absent, so AppGwSslPolicy20150501 applies/]],
    },
    {
        // Nothing set: TLS 1.2 at least since November 2024, no plain port (RedisArgs' default), in the cache module's token.
        policy: "redis-tls", type: "azure-native:cache:Redis", good: {},
        bad: [["the non-TLS port on", (p) => (p.enableNonSslPort = true), /^enableNonSslPort is true; set false\.$/]],
    },
    {
        policy: "redis-tls", type: "azure-native:redisenterprise:RedisEnterprise", good: { sku: { name: "Balanced_B0" } },
        bad: [["TLS 1.0", (p) => (p.minimumTlsVersion = "1.0"), /^minimumTlsVersion is "1\.0"/]],
    },
    {
        // Azure Managed Redis: "Default is TLS-encrypted" (DatabaseArgs.clientProtocol).
        policy: "redis-tls", type: "azure-native:redisenterprise:Database", good: { clusteringPolicy: "OSSCluster" },
        bad: [["plaintext clients", (p) => (p.clientProtocol = "Plaintext"), /^clientProtocol is "Plaintext"; use "Encrypted"\.$/]],
    },
    {
        policy: "sql-server-tls", type: "azure-native:sql:Server", good: {},
        bad: [["no minimum (None)", (p) => (p.minimalTlsVersion = "None"), /^minimalTlsVersion is "None"/]],
    },
    {
        policy: "sql-server-tls", type: "azure-native:sql:ManagedInstance", good: { minimalTlsVersion: "1.2" },
        bad: [
            ["TLS 1.0", (p) => (p.minimalTlsVersion = "1.0"), /^minimalTlsVersion is "1\.0"; set "1\.2"\.$/],
            ["left unset", (p) => delete p.minimalTlsVersion, /^minimalTlsVersion is undefined/],
        ],
    },
    {
        policy: "messaging-namespace-tls", type: "azure-native:eventhub:Namespace", good: {},
        bad: [["TLS 1.0", (p) => (p.minimumTlsVersion = "1.0"), /^minimumTlsVersion is "1\.0"; set "1\.2"\.$/]],
    },
    {
        policy: "cosmosdb-tls", type: "azure-native:cosmosdb:DatabaseAccount", good: { databaseAccountOfferType: "Standard" },
        bad: [
            ["TLS 1.1", (p) => (p.minimalTlsVersion = "Tls11"), /^minimalTlsVersion is "Tls11"; set "Tls12"\.$/],
            ["TLS 1.0", (p) => (p.minimalTlsVersion = "Tls"), /^minimalTlsVersion is "Tls"/],
        ],
    },
    {
        policy: "cosmosdb-tls", type: "azure-native:documentdb:DatabaseAccount", good: { minimalTlsVersion: "Tls12" },
        bad: [["TLS 1.0 (the documentdb module's token)", (p) => (p.minimalTlsVersion = "Tls"), /^minimalTlsVersion is "Tls"/]],
    },
    {
        // TLS minimums left to App Service's default, 1.2.
        policy: "app-service-tls", type: "azure-native:web:WebApp", good: { httpsOnly: true, siteConfig: { ftpsState: "FtpsOnly" } },
        bad: [["HTTPS not enforced", (p) => delete p.httpsOnly, /^httpsOnly is undefined/]],
    },
    {
        // istiod from an OCI chart reference through Chart v4, and from a versioned tarball through Chart v3.
        policy: "istiod-mesh-tls", type: "kubernetes:helm.sh/v4:Chart", good: { ...goodIstiod, chart: "oci://registry.example.com/charts/istiod" },
        bad: [["mesh mTLS at TLS 1.2 with the default suites", (p) => (p.values.meshConfig.meshMTLS.minProtocolVersion = "TLSV1_2"), /^values\.meshConfig\.meshMTLS\.minProtocolVersion is "TLSV1_2"; set "TLSV1_3" \(or TLSV1_2 with only ECDHE AEAD meshMTLS\.cipherSuites\)\.$/]],
    },
    {
        policy: "istiod-mesh-tls", type: "kubernetes:helm.sh/v3:Chart",
        good: { chart: "https://charts.example.com/istiod-1.30.3.tgz", values: { meshConfig: { meshMTLS: { minProtocolVersion: "TLSV1_2", cipherSuites: gcm }, tlsDefaults: { minProtocolVersion: "TLSV1_3" } } } },
        bad: [["a CBC suite in mesh mTLS", (p) => p.values.meshConfig.meshMTLS.cipherSuites.push("ECDHE-RSA-AES128-SHA"), /^values\.meshConfig\.meshMTLS\.minProtocolVersion is "TLSV1_2"/]],
    },
    {
        // The mesh config as the istiod chart renders it, whatever installed it: ConfigMap istio-<revision>, key mesh.
        policy: "istiod-mesh-tls", type: "kubernetes:core/v1:ConfigMap",
        good: { metadata: { name: "istio-1-30", namespace: "istio-system" }, data: { mesh: "meshMTLS:\n  minProtocolVersion: TLSV1_3\ntlsDefaults:\n  minProtocolVersion: TLSV1_3\n" } },
        bad: [["TLS 1.2 between sidecars", (p) => (p.data.mesh = "meshMTLS:\n  minProtocolVersion: TLSV1_2\n"), /^data\.mesh's meshMTLS\.minProtocolVersion is "TLSV1_2"/]],
    },
    {
        policy: "istiod-mesh-tls", type: "kubernetes:install.istio.io/v1alpha1:IstioOperator", good: { spec: { meshConfig: goodIstiod.values.meshConfig } },
        bad: [["TLS 1.1 by default", (p) => (p.spec.meshConfig.tlsDefaults.minProtocolVersion = "TLSV1_1"), /^spec\.meshConfig\.tlsDefaults\.minProtocolVersion is "TLSV1_1"/]],
    },
    {
        // A rule host covered by a wildcard, in the extensions/v1beta1 API.
        policy: "ingress-tls", type: "kubernetes:extensions/v1beta1:Ingress", good: { spec: { tls: [{ hosts: ["*.example.com"], secretName: "wildcard" }], rules: [{ host: "a.example.com" }] } },
        bad: [
            ["a host outside the certificate", (p) => p.spec.rules.push({ host: "a.b.example.com" }), /^spec\.rules\[1\] \(host "a\.b\.example\.com"\) is in no spec\.tls entry/],
            ["a rule for any host", (p) => p.spec.rules.push({}), /^spec\.rules\[1\] \(host "any"\) is in no spec\.tls entry/],
        ],
    },
    {
        policy: "gateway-api-listener-tls", type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        good: {
            spec: {
                gatewayClassName: "istio",
                listeners: [
                    { name: "https", port: 443, protocol: "HTTPS", tls: { certificateRefs: [{ name: "cert" }] } },
                    { name: "passthrough", port: 8443, protocol: "TLS", tls: { mode: "Passthrough" } },
                    { name: "http", port: 80, protocol: "HTTP" },
                ],
            },
        },
        bad: [
            ["HTTPS without a certificate", (p) => delete p.spec.listeners[0].tls, /^spec\.listeners\[0\] \("https"\)\.tls has no certificateRefs/],
            ["TLS terminated without a certificate", (p) => (p.spec.listeners[1].tls.mode = "Terminate"), /^spec\.listeners\[1\] \("passthrough"\)\.tls has no certificateRefs/],
            ["plain TCP", (p) => p.spec.listeners.push({ name: "db", port: 5432, protocol: "TCP" }), /^spec\.listeners\[3\] \("db"\) is "TCP": plaintext/],
            ["plain UDP", (p) => p.spec.listeners.push({ name: "dns", port: 53, protocol: "UDP" }), /^spec\.listeners\[3\] \("dns"\) is "UDP": plaintext/],
        ],
    },
    {
        policy: "gateway-api-listener-tls", type: "kubernetes:gateway.networking.k8s.io/v1:ListenerSet",
        good: { spec: { parentRef: { name: "shared" }, listeners: [{ name: "team-a", port: 443, protocol: "HTTPS", hostname: "a.example.com", tls: { certificateRefs: [{ name: "a" }] } }] } },
        bad: [["a TCP listener in the set", (p) => (p.spec.listeners[0].protocol = "TCP"), /^spec\.listeners\[0\] \("team-a"\) is "TCP": plaintext/]],
    },
    {
        policy: "cert-manager-issuer-tls", type: "kubernetes:cert-manager.io/v1:ClusterIssuer",
        good: { spec: { acme: { server: "https://acme-v02.api.letsencrypt.org/directory", email: "ops@example.com", privateKeySecretRef: { name: "le" }, solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }] } } },
        bad: [
            ["skipping the server's certificate check", (p) => (p.spec.acme.skipTLSVerify = true), /^spec\.acme\.skipTLSVerify is true/],
            ["an http:// ACME server", (p) => (p.spec.acme.server = "http://pebble.example.com/dir"), /^spec\.acme\.server is "http:\/\/pebble\.example\.com\/dir"; use https:\/\/\.$/],
        ],
    },
    {
        policy: "cert-manager-issuer-tls", type: "kubernetes:cert-manager.io/v1:Issuer", good: { spec: { vault: { server: "https://vault.example.com:8200", path: "pki/sign/example" } } },
        bad: [["an http:// Vault", (p) => (p.spec.vault.server = "http://vault.example.com:8200"), /^spec\.vault\.server is "http:\/\/vault\.example\.com:8200"/]],
    },
    {
        // Shared keys off, public access off through the firewall (no public address allowed), anonymous access by default off.
        policy: "storage-no-public-access", type: "azure-native:storage:StorageAccount", good: { minimumTlsVersion: "TLS1_2", allowSharedKeyAccess: false, networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } },
        bad: [
            ["a public address allowed", (p) => (p.networkRuleSet.ipRules = [{ iPAddressOrRange: "203.0.113.0/24" }]), /^publicNetworkAccess is undefined; set "Disabled"/],
            ["anonymous blob reads", (p) => (p.allowBlobPublicAccess = true), /^allowBlobPublicAccess is true/],
        ],
    },
    {
        policy: "key-vault-hardening", type: "azure-native:keyvault/v20230701:Vault",
        good: { properties: { enableRbacAuthorization: true, enablePurgeProtection: true, publicNetworkAccess: "disabled" } },
        bad: [["public access in lower case", (p) => (p.properties.publicNetworkAccess = "enabled"), /^properties\.publicNetworkAccess is "enabled"/]],
    },
    {
        policy: "aks-private-cluster", type: "azure-native:containerservice/v20240801:ManagedCluster", good: goodCluster,
        bad: [["public API server (versioned module)", (p) => (p.apiServerAccessProfile.enablePrivateCluster = false), /^apiServerAccessProfile\.enablePrivateCluster is false/]],
    },
];
