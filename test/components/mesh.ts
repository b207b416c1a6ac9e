/**
 * The service mesh component on its own (components/mesh): every object it declares, against literals from
 * Istio's documentation and chart values at 1.30, for both ingress exposures and both availability levels.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { istiodServiceAccount, ServiceMesh, type IngressExposure, type ServiceMeshArgs } from "../../components/mesh";
import { SECRET_SIG, SIG_KEY, type Graph } from "../../offline/engine";
import { CLUSTER, crdModels, declare, dependsOn, named, once, ownResources, TELEMETRY, valueOf, type Inputs } from "./harness";

/** What the platform owns; the gateway may call into every other namespace. */
const PLATFORM_NAMESPACES = ["kube-system", "istio-system", "istio-ingress", "monitoring"];

const INTERNAL_LB: IngressExposure = { kind: "azureInternalLoadBalancer", subnetName: "snet-ingress", ipAddress: "10.20.4.4" };

interface Declared {
    graph: Graph;
    systemNamespace: string;
    ingressNamespace: string;
}

/** The Front Door edge's API Management client, as the gateway component gives it (its key's SPKI hash a stand-in). */
const EDGE_CLIENT = { caChainPem: "INTERMEDIATE PEM\nROOT PEM", subjectAltName: "api-management.aks-ingress.dev.platform.example.com", spkiSha256: pulumi.output("c3BraQ==") };
const ISSUER = "https://login.microsoftonline.com/22222222-2222-4222-8222-222222222222/v2.0";
const TOKENS = { issuer: ISSUER, audiences: ["api://platform-dev"], requiredClaims: ["sub"], claimValues: {}, publicPaths: [] };

async function declareMesh(highAvailability: boolean, ingressExposure: IngressExposure, apiSecurity: Pick<ServiceMeshArgs, "edgeClient" | "tokens" | "gatewayRateLimits"> = {}): Promise<Declared> {
    const models = await crdModels();
    let mesh: ServiceMesh | undefined;
    const graph = await declare(({ kubernetes, upstream }) => {
        mesh = new ServiceMesh("mesh", {
            cluster: CLUSTER,
            models,
            meshCa: { rootPem: "ROOT PEM", intermediatePem: "INTERMEDIATE PEM", chainPem: "CHAIN PEM", intermediateKeyPem: pulumi.secret("INTERMEDIATE KEY") },
            ingressDomain: "aks-ingress.dev.platform.example.com",
            ingressExposure,
            certManager: upstream("cert-manager"),
            ingressCertificate: { issuer: "platform-ca", duration: "2160h", renewBefore: "720h", privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } },
            highAvailability,
            monitoring: upstream("prometheus-operator"),
            telemetry: TELEMETRY,
            admission: upstream("kyverno"),
            platformNamespaces: PLATFORM_NAMESPACES,
            ...apiSecurity,
        }, kubernetes());
    });
    return { graph, systemNamespace: await valueOf(mesh!.systemNamespace), ingressNamespace: await valueOf(mesh!.ingressNamespace) };
}

/** The Front Door edge: API Management's client certificate required, tokens checked. */
const single = once(() => declareMesh(false, INTERNAL_LB, { edgeClient: EDGE_CLIENT, tokens: TOKENS }));
/** The local stack's shape: no edge, no tokens. */
const highlyAvailable = once(() => declareMesh(true, { kind: "clusterDefault" }));
/** The App Gateway edge: no client certificate, tokens with claim values and public paths, the gateway's own limits. */
const appGatewayEdge = once(() => declareMesh(true, INTERNAL_LB, {
    tokens: { ...TOKENS, requiredClaims: ["sub", "scp"], claimValues: { scp: ["api.read"], roles: ["Api.Caller", "Api.Admin"] }, publicPaths: ["/healthz", "/docs/*"] },
    gatewayRateLimits: { perClientIp: { perMinute: 600, burst: 100 }, perSubject: { perMinute: 1000, burst: 50 }, trustedProxies: 1 },
}));

/** Istio's TLS 1.2 ECDHE suites with AEAD ciphers (istio.io MeshConfig tlsDefaults; no CBC, no RSA key exchange). */
const AEAD_SUITES = ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"];
const GCM_SUITES = AEAD_SUITES.filter((suite) => suite.includes("-GCM-"));
/** Istio's images from the registry's docker.io/istio cache (registry.istio.io cannot be cached by ACR). */
const HUB = { global: { hub: "acrplatformdev.azurecr.io/istio" } };

describe("service mesh component: namespaces", () => {
    it("puts the control plane in a privileged istio-system (istio-cni's node agent writes host CNI config) and the gateway in a restricted, injected istio-ingress", async () => {
        const { graph, systemNamespace, ingressNamespace } = await single();
        assert.deepEqual([systemNamespace, ingressNamespace], ["istio-system", "istio-ingress"]);
        const labels = (name: string) => named(graph, name).inputs["metadata"];
        const podSecurity = (level: string) => ({ "pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/audit": level, "pod-security.kubernetes.io/warn": level });
        assert.deepEqual(labels("mesh-system-ns"), { name: "istio-system", labels: { "app.kubernetes.io/part-of": "platform", ...podSecurity("privileged") } });
        assert.deepEqual(labels("mesh-ingress-ns"), { name: "istio-ingress", labels: { "app.kubernetes.io/part-of": "platform", ...podSecurity("restricted"), "istio.io/rev": "1-30" } });
        // Every pod there is admitted under the policies: the namespaces wait for admission.
        assert.deepEqual([dependsOn(graph, named(graph, "mesh-system-ns")), dependsOn(graph, named(graph, "mesh-ingress-ns"))], [["kyverno"], ["kyverno"]]);
    });

    it("opens istiod's XDS/CA port 15012 and its injector webhook 15017 (istio.io ports used by Istio), and the API server", async () => {
        const { graph } = await single();
        const spec = named(graph, "mesh-system-ns-allow-platform").inputs["spec"];
        assert.deepEqual(spec.ingress.at(-1), { ports: [{ protocol: "TCP", port: 15012 }, { protocol: "TCP", port: 15017 }] });
        assert.deepEqual(spec.egress.at(-2), { to: [{ ipBlock: { cidr: "10.20.0.0/28" } }], ports: [{ protocol: "TCP", port: 443 }] });
        // istiod fetches the issuer's keys (RequestAuthentication without jwksUri: OpenID discovery) over HTTPS.
        assert.deepEqual(spec.egress.at(-1), { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] });
        // Without tokens to check, istiod reaches nothing outside the cluster.
        const local = named((await highlyAvailable()).graph, "mesh-system-ns-allow-platform").inputs["spec"];
        assert.deepEqual(local.egress.at(-1), { to: [{ ipBlock: { cidr: "10.20.0.0/28" } }], ports: [{ protocol: "TCP", port: 443 }] });
    });

    it("lets the edge reach the gateway's listeners and its health port 15021, and the gateway reach meshed namespaces and the collector only", async () => {
        const { graph } = await single();
        const spec = named(graph, "mesh-ingress-ns-allow-platform").inputs["spec"];
        assert.deepEqual(spec.ingress.at(-1), { ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 80 }, { protocol: "TCP", port: 15021 }] });
        assert.deepEqual(spec.egress.slice(3), [
            { to: [{ namespaceSelector: { matchLabels: { "istio.io/rev": "1-30" } } }] },
            { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 4317 }] },
        ]);
        assert.ok(!JSON.stringify(spec.egress).includes("ipBlock"), "the gateway does not talk to the API server");
    });
});

describe("service mesh component: control plane", () => {
    it("gives istiod the plug-in CA in istio-system/cacerts with the four files it reads, secret and out of backups", async () => {
        // istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert: ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem.
        const { graph } = await single();
        const cacerts = named(graph, "mesh-cacerts");
        assert.deepEqual(cacerts.inputs["metadata"], { name: "cacerts", namespace: "istio-system", labels: { "velero.io/exclude-from-backup": "true" } });
        assert.deepEqual(cacerts.inputs["stringData"], {
            [SIG_KEY]: SECRET_SIG,
            value: { "ca-cert.pem": "INTERMEDIATE PEM", "ca-key.pem": "INTERMEDIATE KEY", "root-cert.pem": "ROOT PEM", "cert-chain.pem": "CHAIN PEM" },
        });
        assert.deepEqual(dependsOn(graph, cacerts), ["mesh-system-ns"]);
    });

    it("names istiod's service account after its revision, as the istiod chart does (istiod-<revision>)", () => {
        assert.equal(istiodServiceAccount("1-30"), "istiod-1-30");
    });

    it("installs base, cni and istiod from Istio's repository as atomic releases, in order, at revision 1-30", async () => {
        const { graph } = await single();
        const common = { repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" }, namespace: "istio-system", atomic: true, cleanupOnFail: true, maxHistory: 10 };
        const release = (name: string) => {
            // compat is the SDK's own input for every Release.
            const { chart, version, values, compat, ...rest } = named(graph, name).inputs;
            assert.equal(compat, "true");
            assert.match(version, /^1\.30\.\d+$/, name);
            return { chart, ...rest };
        };
        assert.deepEqual(release("mesh-base"), { chart: "base", name: "istio-base", ...common });
        assert.deepEqual(release("mesh-cni"), { chart: "cni", name: "istio-cni", ...common });
        assert.deepEqual(release("mesh-istiod"), { chart: "istiod", name: "istiod-1-30", ...common });
        assert.deepEqual(named(graph, "mesh-base").inputs["values"], { defaultRevision: "1-30" });
        // cni 1.30.3 values.yaml `repair`: repairPods fixes a pod started before the plug-in was chained, in place and
        // without RBAC over pods; labelPods and deletePods are the other modes ("only one may be used").
        assert.deepEqual(named(graph, "mesh-cni").inputs["values"], { revision: "1-30", ...HUB, repair: { enabled: true, repairPods: true, deletePods: false, labelPods: false } });
        assert.deepEqual(dependsOn(graph, named(graph, "mesh-base")), ["mesh-system-ns"]);
        assert.deepEqual(dependsOn(graph, named(graph, "mesh-cni")), ["mesh-base", "mesh-system-ns"]);
        // istiod starts after its CRDs, the CNI plugin and its CA (without cacerts it makes a self-signed root).
        assert.deepEqual(dependsOn(graph, named(graph, "mesh-istiod")), ["mesh-base", "mesh-cacerts", "mesh-cni", "mesh-system-ns"]);
    });

    for (const [label, declared, replicas] of [["single", single, 1], ["highly available", highlyAvailable, 2]] as const) {
        it(`${label}: runs ${replicas} istiod, issues 24-hour ECDSA workload certificates, and sets TLS 1.3 between sidecars`, async () => {
            const { graph } = await declared();
            const { meshConfig, ...values } = named(graph, "mesh-istiod").inputs["values"];
            assert.deepEqual(values, {
                revision: "1-30",
                ...HUB,
                // Istio 1.30's injector reads the top-level cni.enabled (istiod chart values); without it pods get istio-init.
                cni: { enabled: true },
                replicaCount: replicas,
                autoscaleMin: replicas,
                // istiod's defaults are 24h default and 90 days max; both are 24h here.
                env: { DEFAULT_WORKLOAD_CERT_TTL: "24h", MAX_WORKLOAD_CERT_TTL: "24h" },
            });
            const { accessLogFormat, ...mesh } = meshConfig;
            assert.deepEqual(mesh, {
                meshMTLS: { minProtocolVersion: "TLSV1_3" },
                tlsDefaults: { minProtocolVersion: "TLSV1_2", cipherSuites: AEAD_SUITES },
                accessLogFile: "/dev/stdout",
                accessLogEncoding: "JSON",
                extensionProviders: [{ name: "otel", opentelemetry: { service: "collector.monitoring.svc.cluster.local", port: 4317 } }],
                defaultProviders: { tracing: ["otel"] },
                defaultConfig: {
                    // istio-agent: SECRET_TTL is the requested lifetime; ECC_SIGNATURE_ALGORITHM=ECDSA makes P-256 keys.
                    proxyMetadata: { SECRET_TTL: "24h", ECC_SIGNATURE_ALGORITHM: "ECDSA" },
                    proxyStatsMatcher: { inclusionRegexps: ["listener\\..*\\.ssl\\.(handshake|connection_error)"] },
                },
            });
            // Envoy's access log command operators (envoyproxy.io, access log usage).
            assert.deepEqual(JSON.parse(accessLogFormat), {
                start_time: "%START_TIME%",
                trace_id: "%TRACE_ID%",
                request_id: "%REQ(X-REQUEST-ID)%",
                authority: "%REQ(:AUTHORITY)%",
                method: "%REQ(:METHOD)%",
                path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
                protocol: "%PROTOCOL%",
                response_code: "%RESPONSE_CODE%",
                response_flags: "%RESPONSE_FLAGS%",
                duration: "%DURATION%",
                bytes_received: "%BYTES_RECEIVED%",
                bytes_sent: "%BYTES_SENT%",
                downstream_remote_address: "%DOWNSTREAM_REMOTE_ADDRESS%",
                x_forwarded_for: "%REQ(X-FORWARDED-FOR)%",
                requested_server_name: "%REQUESTED_SERVER_NAME%",
                upstream_cluster: "%UPSTREAM_CLUSTER%",
                upstream_host: "%UPSTREAM_HOST%",
                upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
                user_agent: "%REQ(USER-AGENT)%",
            });
        });
    }
});

describe("service mesh component: ingress gateway", () => {
    const securityContext = {
        seccompProfile: { type: "RuntimeDefault" },
        // The gateway chart's own default (gateway/templates/deployment.yaml), kept when securityContext is replaced.
        sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
    };

    it("single: one gateway behind an internal load balancer at the fixed address, keeping the caller's address", async () => {
        const { graph } = await single();
        const gateway = named(graph, "mesh-gateway").inputs;
        assert.deepEqual([gateway["chart"], gateway["name"], gateway["namespace"]], ["gateway", "istio-ingressgateway", "istio-ingress"]);
        assert.deepEqual(gateway["values"], {
            revision: "1-30",
            ...HUB,
            // cloud-provider-azure annotations (learn.microsoft.com/azure/aks/internal-lb).
            service: {
                type: "LoadBalancer",
                externalTrafficPolicy: "Local",
                annotations: {
                    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
                    "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ingress",
                    "service.beta.kubernetes.io/azure-load-balancer-ipv4": "10.20.4.4",
                },
            },
            securityContext,
            autoscaling: { enabled: false, minReplicas: 2, maxReplicas: 5 },
            topologySpreadConstraints: [],
            podDisruptionBudget: {},
        });
        assert.deepEqual(dependsOn(graph, named(graph, "mesh-gateway")), ["mesh-ingress-ns", "mesh-istiod"]);
    });

    it("highly available: 2 to 5 replicas spread over zones, one always available, on the cluster's default load balancer", async () => {
        const { graph } = await highlyAvailable();
        const values = named(graph, "mesh-gateway").inputs["values"];
        assert.deepEqual([values.service, values.securityContext], [{ type: "LoadBalancer" }, securityContext]);
        assert.deepEqual([values.autoscaling, values.podDisruptionBudget], [{ enabled: true, minReplicas: 2, maxReplicas: 5 }, { minAvailable: 1 }]);
        // The chart labels its pods istio: ingressgateway (the release name without "istio-").
        assert.deepEqual(values.topologySpreadConstraints, [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { istio: "ingressgateway" } } }]);
    });

    it("requests the wildcard certificate from the given issuer with the given lifetime and key, for server auth", async () => {
        const { graph } = await single();
        const certificate = named(graph, "mesh-ingress-certificate");
        assert.deepEqual([certificate.inputs["apiVersion"], certificate.inputs["kind"], certificate.inputs["metadata"]], ["cert-manager.io/v1", "Certificate", { name: "aks-ingress", namespace: "istio-ingress" }]);
        assert.deepEqual(certificate.inputs["spec"], {
            secretName: "aks-ingress-tls",
            commonName: "*.aks-ingress.dev.platform.example.com",
            dnsNames: ["*.aks-ingress.dev.platform.example.com"],
            issuerRef: { kind: "ClusterIssuer", name: "platform-ca", group: "cert-manager.io" },
            duration: "2160h",
            renewBefore: "720h",
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            usages: ["server auth", "digital signature"],
        });
        assert.deepEqual(dependsOn(graph, certificate), ["cert-manager", "mesh-ingress-ns"]);
    });

    it("serves that certificate's Secret on 443 with TLS 1.2+ and GCM suites, and HTTP on 80 only to redirect", async () => {
        const { graph } = await single();
        const gateway = named(graph, "mesh-ingress-gateway");
        assert.deepEqual([gateway.inputs["apiVersion"], gateway.inputs["metadata"]], ["networking.istio.io/v1", { name: "platform-ingress", namespace: "istio-ingress" }]);
        assert.deepEqual(gateway.inputs["spec"], {
            selector: { istio: "ingressgateway" },
            servers: [
                {
                    port: { number: 443, name: "https", protocol: "HTTPS" },
                    hosts: ["*.aks-ingress.dev.platform.example.com"],
                    // istio.io reference/config/networking/gateway, ServerTLSSettings: MUTUAL needs a client certificate
                    // chaining to caCertCredentialName's CA; subjectAltNames and verifyCertificateSpki (base64 SHA-256 of
                    // the SPKI) accept that one name and key only.
                    tls: {
                        mode: "MUTUAL", credentialName: "aks-ingress-tls", minProtocolVersion: "TLSV1_2", cipherSuites: GCM_SUITES,
                        caCertCredentialName: "aks-ingress-tls-cacert",
                        subjectAltNames: ["api-management.aks-ingress.dev.platform.example.com"],
                        verifyCertificateSpki: ["c3BraQ=="],
                    },
                },
                { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*.aks-ingress.dev.platform.example.com"], tls: { httpsRedirect: true } },
            ],
        });
        assert.deepEqual(dependsOn(graph, gateway), ["mesh-base", "mesh-edge-client-ca", "mesh-gateway", "mesh-ingress-certificate"]);
    });

    it("keeps the client CA bundle where Istio looks for a credential's CA: <credentialName>-cacert, key ca.crt, beside the gateway", async () => {
        // istio 1.30.3 pilot/pkg/credentials/kube/secrets.go: GetCaCert reads "<name>-cacert" first; ExtractRoot takes "cacert" or "ca.crt".
        const { graph } = await single();
        const secret = named(graph, "mesh-edge-client-ca");
        assert.deepEqual([secret.inputs["metadata"], secret.inputs["stringData"]], [{ name: "aks-ingress-tls-cacert", namespace: "istio-ingress" }, { [SIG_KEY]: SECRET_SIG, value: { "ca.crt": "INTERMEDIATE PEM\nROOT PEM" } }]);
        assert.deepEqual(dependsOn(graph, secret), ["mesh-ingress-ns"]);
    });

    it("without an edge client certificate (App Gateway, local), serves plain server TLS to any client", async () => {
        for (const declared of [appGatewayEdge, highlyAvailable]) {
            const { graph } = await declared();
            assert.deepEqual(named(graph, "mesh-ingress-gateway").inputs["spec"].servers[0].tls, { mode: "SIMPLE", credentialName: "aks-ingress-tls", minProtocolVersion: "TLSV1_2", cipherSuites: GCM_SUITES });
            assert.ok(!graph.resources.some((r) => r.name === "mesh-edge-client-ca"));
        }
    });

    it("strips the headers that name what runs behind it from every response, its own Server header included", async () => {
        const { graph } = await single();
        const filter = named(graph, "mesh-gateway-response-headers");
        assert.deepEqual([filter.inputs["apiVersion"], filter.inputs["kind"], filter.inputs["metadata"]], ["networking.istio.io/v1alpha3", "EnvoyFilter", { name: "strip-response-headers", namespace: "istio-ingress" }]);
        // envoyproxy.io HttpConnectionManager.server_header_transformation: PASS_THROUGH leaves the server header as the
        // upstream sent it; RouteConfiguration.response_headers_to_remove then removes it with the others
        // (API Management's global policy deletes the same five).
        assert.deepEqual(filter.inputs["spec"], {
            workloadSelector: { labels: { istio: "ingressgateway" } },
            configPatches: [
                {
                    applyTo: "NETWORK_FILTER",
                    match: { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } },
                    patch: { operation: "MERGE", value: { typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", server_header_transformation: "PASS_THROUGH" } } },
                },
                {
                    applyTo: "ROUTE_CONFIGURATION",
                    match: { context: "GATEWAY" },
                    patch: { operation: "MERGE", value: { response_headers_to_remove: ["server", "x-powered-by", "x-aspnet-version", "x-envoy-upstream-service-time", "x-envoy-decorator-operation"] } },
                },
            ],
        });
        assert.deepEqual(dependsOn(graph, filter), ["mesh-base", "mesh-gateway"]);
    });

    it("validates tokens at the gateway itself, keeping them for the applications", async () => {
        const { graph } = await single();
        const authentication = named(graph, "mesh-gateway-tokens");
        // istio.io reference/config/security/request_authentication: forwardOriginalToken keeps the Authorization header
        // (removed by default); no jwksUri: the keys come from the issuer's OpenID discovery.
        assert.deepEqual([authentication.inputs["kind"], authentication.inputs["metadata"], authentication.inputs["spec"]], ["RequestAuthentication", { name: "edge-tokens", namespace: "istio-ingress" }, {
            selector: { matchLabels: { istio: "ingressgateway" } },
            jwtRules: [{ issuer: ISSUER, audiences: ["api://platform-dev"], forwardOriginalToken: true }],
        }]);
        assert.ok(!graph.resources.some((r) => r.name === "mesh-gateway-local-rate-limit"), "API Management limits the Front Door edge");
        assert.ok(!(await highlyAvailable()).graph.resources.some((r) => r.name === "mesh-gateway-tokens"), "no issuer on the local stack");
    });
});

describe("service mesh component: the App Gateway edge's limits at the gateway", () => {
    it("trusts one proxy's X-Forwarded-For entry for the client address (App Gateway's), through the gateway's ProxyConfig annotation", async () => {
        // istio.io docs/ops/configuration/traffic-management/network-topologies: proxy.istio.io/config gatewayTopology.numTrustedProxies.
        const { graph } = await appGatewayEdge();
        assert.deepEqual(named(graph, "mesh-gateway").inputs["values"].podAnnotations, { "proxy.istio.io/config": "{\"gatewayTopology\":{\"numTrustedProxies\":1}}" });
        assert.equal(named((await single()).graph, "mesh-gateway").inputs["values"].podAnnotations, undefined);
    });

    it("limits each client address and each token subject with Envoy's local rate limit, as Istio documents it", async () => {
        const { graph } = await appGatewayEdge();
        const filter = named(graph, "mesh-gateway-local-rate-limit");
        assert.deepEqual([filter.inputs["kind"], filter.inputs["metadata"]], ["EnvoyFilter", { name: "local-rate-limit", namespace: "istio-ingress" }]);
        const [insert, vhost] = filter.inputs["spec"].configPatches;
        // istio.io docs/tasks/policy-enforcement/rate-limit, "Local rate limit": the filter before the router, as a TypedStruct.
        const typed = (value: object) => ({ "@type": "type.googleapis.com/udpa.type.v1.TypedStruct", type_url: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", value });
        assert.deepEqual(insert, {
            applyTo: "HTTP_FILTER",
            match: { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.router" } } } } },
            patch: { operation: "INSERT_BEFORE", value: { name: "envoy.filters.http.local_ratelimit", typed_config: typed({ stat_prefix: "http_local_rate_limiter" }) } },
        });
        const hundred = (runtime_key: string) => ({ runtime_key, default_value: { numerator: 100, denominator: "HUNDRED" } });
        assert.deepEqual(vhost, {
            applyTo: "VIRTUAL_HOST",
            match: { context: "GATEWAY" },
            patch: {
                operation: "MERGE",
                value: {
                    // envoyproxy.io config.route.v3.RateLimit.Action: remote_address makes ("remote_address", <client>);
                    // metadata reads jwt_authn's payload (istio: payload_in_metadata "payload").
                    rate_limits: [
                        { actions: [{ remote_address: {} }] },
                        { actions: [{ metadata: { descriptor_key: "subject", metadata_key: { key: "envoy.filters.http.jwt_authn", path: [{ key: "payload" }, { key: "sub" }] }, source: "DYNAMIC" } }] },
                    ],
                    typed_per_filter_config: {
                        "envoy.filters.http.local_ratelimit": typed({
                            stat_prefix: "http_local_rate_limiter",
                            // 600 a minute is 10 a second, 100 deep; 1000 a minute is 16.7 a second, rounded up to 17, 50 deep.
                            token_bucket: { max_tokens: 100, tokens_per_fill: 10, fill_interval: "1s" },
                            always_consume_default_token_bucket: false,
                            max_dynamic_descriptors: 10000,
                            descriptors: [
                                { entries: [{ key: "remote_address" }], token_bucket: { max_tokens: 100, tokens_per_fill: 10, fill_interval: "1s" } },
                                { entries: [{ key: "subject" }], token_bucket: { max_tokens: 50, tokens_per_fill: 17, fill_interval: "1s" } },
                            ],
                            filter_enabled: hundred("local_rate_limit_enabled"),
                            filter_enforced: hundred("local_rate_limit_enforced"),
                            response_headers_to_add: [{ append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-local-rate-limit", value: "true" } }],
                        }),
                    },
                },
            },
        });
    });
});

describe("service mesh component: policies and monitors", () => {
    it("requires mTLS mesh-wide and denies by default in the root namespace, after the CRDs and istiod", async () => {
        const { graph } = await single();
        const policy = (name: string) => {
            const { apiVersion, kind, metadata, spec } = named(graph, name).inputs;
            assert.deepEqual(dependsOn(graph, named(graph, name)), name === "mesh-allow-gateway-listeners" ? ["mesh-base", "mesh-ingress-ns", "mesh-istiod"] : ["mesh-base", "mesh-istiod"], name);
            return { apiVersion, kind, metadata, spec };
        };
        assert.deepEqual(policy("mesh-strict-mtls"), { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } });
        // An AuthorizationPolicy with an empty spec in the root namespace denies every request mesh-wide (istio.io authorization, "deny-all").
        assert.deepEqual(policy("mesh-deny-all"), { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "deny-all", namespace: "istio-system" }, spec: {} });
        // Nothing else in the root namespace: an ALLOW there (for the gateway, say) would apply to every meshed pod.
        const inRoot = graph.resources.filter((r) => r.inputs["kind"] === "AuthorizationPolicy" && (r.inputs["metadata"] as Inputs)?.["namespace"] === "istio-system");
        assert.deepEqual(inRoot.map((r) => r.name), ["mesh-deny-all"]);
        assert.deepEqual(policy("mesh-allow-gateway-listeners"), {
            apiVersion: "security.istio.io/v1",
            kind: "AuthorizationPolicy",
            metadata: { name: "allow-listeners", namespace: "istio-ingress" },
            spec: { selector: { matchLabels: { istio: "ingressgateway" } }, action: "ALLOW", rules: [{ to: [{ operation: { ports: ["80", "443"] } }] }] },
        });
    });

    it("lets the ingress gateway call application namespaces only, with a valid token: a synchronized ALLOW from its identity and the token's check, generated in each", async () => {
        const { graph } = await single();
        const generator = named(graph, "mesh-gateway-to-applications");
        assert.deepEqual([generator.inputs["apiVersion"], generator.inputs["kind"], generator.inputs["metadata"]], ["kyverno.io/v1", "ClusterPolicy", { name: "generate-ingress-gateway-allow" }]);
        // kyverno.io/docs generate rules: data is the generated object; synchronize restores a changed or deleted copy;
        // generateExisting also covers the namespaces that exist when the policy is created.
        const generated = (kind: string, name: string, apiVersion: string, spec: object) => ({
            name: `${name}-in-every-application-namespace`,
            match: { any: [{ resources: { kinds: ["Namespace"] } }] },
            exclude: { any: [{ resources: { namespaces: PLATFORM_NAMESPACES } }] },
            generate: { apiVersion, kind, name, namespace: "{{request.object.metadata.name}}", synchronize: true, generateExisting: true, data: { spec } },
        });
        assert.deepEqual(generator.inputs["spec"], {
            rules: [
                // The gateway's SPIFFE identity (its chart names the service account after the release), and a request
                // principal of the issuer: istio.io authorization-policy, Source.requestPrincipals "<iss>/<sub>", a trailing
                // "*" a prefix match; Condition "request.auth.claims[sub]" with "*", any non-empty value.
                generated("AuthorizationPolicy", "allow-from-ingress-gateway", "security.istio.io/v1", {
                    action: "ALLOW",
                    rules: [{
                        from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"], requestPrincipals: [`${ISSUER}/*`] } }],
                        when: [{ key: "request.auth.claims[sub]", values: ["*"] }],
                    }],
                }),
                // The namespace validates the token itself (the gateway's check is not the sidecar's), keeping it for the app.
                generated("RequestAuthentication", "platform-tokens", "security.istio.io/v1", { jwtRules: [{ issuer: ISSUER, audiences: ["api://platform-dev"], forwardOriginalToken: true }] }),
            ],
        });
        // Kyverno's background controller writes them: kyverno 3.9.0's background-controller ClusterRole aggregates
        // every ClusterRole labelled rbac.kyverno.io/aggregate-to-background-controller=true.
        const role = named(graph, "mesh-kyverno-generates-authorization").inputs;
        assert.deepEqual(role["metadata"].labels, { "rbac.kyverno.io/aggregate-to-background-controller": "true" });
        const verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
        assert.deepEqual(role["rules"], [
            { apiGroups: ["security.istio.io"], resources: ["authorizationpolicies", "requestauthentications"], verbs },
            { apiGroups: ["networking.istio.io"], resources: ["destinationrules"], verbs },
        ]);
        // After Kyverno, Istio's CRDs and the grant.
        assert.deepEqual(dependsOn(graph, generator), ["kyverno", "mesh-base", "mesh-kyverno-generates-authorization"]);
    });

    it("asks the configured claims and values on every route but the public ones, which the gateway alone may still call", async () => {
        const { graph } = await appGatewayEdge();
        const [allow, authentication] = named(graph, "mesh-gateway-to-applications").inputs["spec"].rules.map((r: Inputs) => r.generate.data.spec);
        const gatewayPrincipal = ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"];
        assert.deepEqual(allow, {
            action: "ALLOW",
            rules: [
                {
                    from: [{ source: { principals: gatewayPrincipal, requestPrincipals: [`${ISSUER}/*`] } }],
                    // sub present; scp (required and value-checked) by value only; roles by value.
                    when: [
                        { key: "request.auth.claims[sub]", values: ["*"] },
                        { key: "request.auth.claims[scp]", values: ["api.read"] },
                        { key: "request.auth.claims[roles]", values: ["Api.Caller", "Api.Admin"] },
                    ],
                },
                // istio.io authorization-policy, Operation.paths: exact, or a prefix match with a trailing "*".
                { from: [{ source: { principals: gatewayPrincipal } }], to: [{ operation: { paths: ["/healthz", "/docs/*"] } }] },
            ],
        });
        // Istio splits scope and permission itself; the value-checked claims too (Entra ID's scp is space-delimited).
        assert.deepEqual(authentication, { jwtRules: [{ issuer: ISSUER, audiences: ["api://platform-dev"], forwardOriginalToken: true, spaceDelimitedClaims: ["scp", "roles"] }] });
    });

    it("without tokens (the local stack), allows the gateway's calls by its identity alone, and generates no RequestAuthentication", async () => {
        const { graph } = await highlyAvailable();
        const rules = named(graph, "mesh-gateway-to-applications").inputs["spec"].rules;
        assert.deepEqual(rules.map((r: Inputs) => r.generate.kind), ["AuthorizationPolicy"]);
        assert.deepEqual(rules[0].generate.data.spec, { action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/istio-ingress/sa/istio-ingressgateway"] } }] }] });
    });

    it("gives every application namespace Envoy's documented circuit-breaker and outlier-detection defaults, unless it opts out", async () => {
        const { graph } = await single();
        const policy = named(graph, "mesh-resilience-defaults");
        assert.deepEqual([policy.inputs["kind"], policy.inputs["metadata"]], ["ClusterPolicy", { name: "generate-resilience-defaults" }]);
        assert.deepEqual(policy.inputs["spec"].rules, [{
            name: "platform-resilience-defaults-in-every-application-namespace",
            match: { any: [{ resources: { kinds: ["Namespace"] } }] },
            // A Namespace labelled platform.io/resilience-defaults=disabled keeps its own DestinationRules.
            exclude: { any: [{ resources: { namespaces: PLATFORM_NAMESPACES } }, { resources: { selector: { matchLabels: { "platform.io/resilience-defaults": "disabled" } } } }] },
            generate: {
                apiVersion: "networking.istio.io/v1",
                kind: "DestinationRule",
                name: "platform-resilience-defaults",
                namespace: "{{request.object.metadata.name}}",
                synchronize: true,
                generateExisting: true,
                data: {
                    spec: {
                        // Every service of the namespace (istio.io destination-rule: a wildcard host).
                        host: "*.{{request.object.metadata.name}}.svc.cluster.local",
                        trafficPolicy: {
                            // envoyproxy.io config.cluster.v3.CircuitBreakers.Thresholds: max_connections, max_pending_requests,
                            // max_requests default 1024; RetryBudget: budget_percent 20, min_retry_concurrency 3.
                            connectionPool: { tcp: { maxConnections: 1024 }, http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024 } },
                            retryBudget: { percent: 20, minRetryConcurrency: 3 },
                            // config.cluster.v3.OutlierDetection: consecutive_5xx 5, interval 10 s, base_ejection_time 30 s, max_ejection_percent 10.
                            outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 10 },
                        },
                    },
                },
            },
        }]);
        assert.deepEqual(dependsOn(graph, policy), ["kyverno", "mesh-base", "mesh-kyverno-generates-authorization"]);
    });

    it("scrapes istiod's http-monitoring port and every proxy's Envoy stats, after the operator's CRDs", async () => {
        // istio.io/latest/docs/ops/integrations/prometheus: istiod's Service port http-monitoring (15014), the
        // proxies' http-envoy-prom (15090) at /stats/prometheus.
        const { graph } = await single();
        const istiod = named(graph, "mesh-istiod-monitor");
        const envoy = named(graph, "mesh-envoy-monitor");
        assert.deepEqual([istiod.inputs["kind"], istiod.inputs["metadata"], istiod.inputs["spec"]], ["ServiceMonitor", { name: "istiod", namespace: "istio-system" }, { selector: { matchLabels: { istio: "pilot" } }, endpoints: [{ port: "http-monitoring", interval: "30s" }] }]);
        assert.deepEqual([envoy.inputs["kind"], envoy.inputs["metadata"], envoy.inputs["spec"]], ["PodMonitor", { name: "envoy-stats", namespace: "istio-system" }, {
            namespaceSelector: { any: true },
            selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
            podMetricsEndpoints: [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "30s" }],
        }]);
        for (const monitor of [istiod, envoy]) {
            assert.deepEqual(dependsOn(graph, monitor), ["mesh-system-ns", "prometheus-operator"]);
        }
    });

    it("declares every object under the component, through the cluster's provider", async () => {
        const { graph } = await single();
        const { component, own } = ownResources(graph, "mesh", "platform:mesh:ServiceMesh");
        // 2 namespaces with 2 network policies each, cacerts, 4 releases, the certificate, the Gateway and its client CA,
        // 3 mesh policies, the gateway's RequestAuthentication and header filter, the 2 generating policies and their
        // ClusterRole, 2 monitors.
        assert.equal(own.length, 24);
        // What the component hands on: the namespaces other components' policies and workloads name.
        assert.deepEqual(component.outputs, { systemNamespace: "istio-system", ingressNamespace: "istio-ingress" });
        for (const r of own) {
            assert.match(r.provider ?? "", /::pulumi:providers:kubernetes::cluster::/, r.name);
        }
    });
});
