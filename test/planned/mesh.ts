import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { SECRET_SIG, SIG_KEY, type Graph, type GraphResource } from "../../offline/engine";
import { CHARTS } from "../../versions";
import { toCheckpoint } from "../../offline/checkpoint";
import { azureConfig, byName, chartOf, customResourcesBeforeCrds, ofType, OPTIONAL_INPUTS, plan, planAppGatewayEdge, planDevWithOptions, planProdWithOptions, planSuppliedCas, SUPPLIED_CA_KEY, TEST_CA, waitsFor } from "../helpers";

type Inputs = Record<string, any>;
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** Istio's root namespace (meshConfig.rootNamespace, default istio-system): policies there apply mesh-wide. */
const MESH_ROOT_NAMESPACE = "istio-system";
const release = (graph: Graph, chart: string) => graph.resources.find((r) => r.type === RELEASE && chartOf(r) === chart)! as GraphResource & { inputs: Inputs };
const resourceNamed = (graph: Graph, type: string, name: string) =>
    ofType(graph, type).find((r) => (r.inputs["metadata"] as { name: string }).name === name)! as GraphResource & { inputs: Inputs };

for (const stack of ["dev", "prod", "local"] as const) {
    describe(`in-cluster ordering (${stack})`, () => {
        const planOf = () => plan(stack, true, stack === "local" ? undefined : "all");

        it("declares no custom resource before the chart that installs its CRD", async () => {
            const graph = await planOf();
            const { checked, problems } = customResourcesBeforeCrds(graph);
            assert.ok(checked >= 8, `${checked} custom resources`);
            assert.deepEqual(problems, []);
        });

        it("declares no namespaced object before its namespace", async () => {
            const graph = await planOf();
            const namespaces = new Map(ofType(graph, "kubernetes:core/v1:Namespace").map((n) => [(n.inputs["metadata"] as { name: string }).name, n]));
            const namespaced = graph.resources.filter((r) => r.type.startsWith("kubernetes:") && typeof (r.inputs["metadata"] as Inputs | undefined)?.["namespace"] === "string");
            const releases = ofType(graph, RELEASE);
            assert.ok(namespaced.length + releases.length > 20);
            for (const r of [...namespaced, ...releases]) {
                const name = r.type === RELEASE ? r.inputs["namespace"] : (r.inputs["metadata"] as Inputs)["namespace"];
                const namespace = namespaces.get(name);
                assert.ok(namespace, `${r.urn} lives in ${name}, which the program does not create`);
                assert.ok(waitsFor(graph, r).has(namespace.urn), `${r.urn} does not wait for namespace ${name}`);
            }
        });

        it("gives every platform namespace a default-deny policy for both directions", async () => {
            const graph = await planOf();
            const denied = ofType(graph, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .filter((p) => (p.inputs["metadata"] as Inputs)["name"] === "default-deny")
                .map((p) => {
                    assert.deepEqual(p.inputs["spec"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
                    return (p.inputs["metadata"] as Inputs)["namespace"];
                });
            const namespaces = ofType(graph, "kubernetes:core/v1:Namespace").map((n) => (n.inputs["metadata"] as { name: string }).name);
            assert.deepEqual(denied.sort(), namespaces.sort());
        });
    });
}

describe("private CAs", () => {
    it("chains the intermediate to the root: ECDSA P-384, 10 and 5 years, path lengths 1 and 0, keys protected", async () => {
        const graph = await plan("dev", false, "all");
        for (const ca of ["pki", "mesh-ca"]) {
            const root = byName(graph, `${ca}-root`);
            const rootKey = byName(graph, `${ca}-root-key`);
            const intermediate = byName(graph, `${ca}-intermediate`);
            for (const key of [rootKey, byName(graph, `${ca}-intermediate-key`)]) {
                assert.deepEqual([key.inputs["algorithm"], key.inputs["ecdsaCurve"], key.protect], ["ECDSA", "P384", true]);
            }
            assert.deepEqual([root.inputs["isCaCertificate"], root.inputs["validityPeriodHours"], root.inputs["maxPathLength"], root.protect], [true, 87600, 1, true]);
            assert.deepEqual([intermediate.inputs["isCaCertificate"], intermediate.inputs["validityPeriodHours"], intermediate.inputs["maxPathLength"], intermediate.protect], [true, 43800, 0, true]);
            assert.equal(intermediate.inputs["caCertPem"], root.outputs["certPem"]);
            assert.deepEqual(intermediate.inputs["caPrivateKeyPem"], { [SIG_KEY]: SECRET_SIG, value: rootKey.outputs["privateKeyPem"] });
        }
    });
});

describe("supplied CAs", () => {
    it("uses a team's own platform CA as given: nothing generated, API Management and cert-manager get it, the key stays secret", async () => {
        const graph = await planSuppliedCas();
        assert.equal(graph.resources.filter((r) => r.name.startsWith("pki-")).length, 0, "no platform CA is generated");
        assert.ok(graph.resources.some((r) => r.name === "mesh-ca-root"), "the mesh CA is still generated");
        const trusted = (byName(graph, "gateway-apim").inputs["certificates"] as { encodedCertificate: string }[])[0]!.encodedCertificate;
        assert.equal(trusted, TEST_CA.root.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ""));
        const caSecret = resourceNamed(graph, "kubernetes:core/v1:Secret", "platform-ca").inputs["stringData"];
        assert.equal(caSecret[SIG_KEY], SECRET_SIG);
        assert.deepEqual(caSecret["value"], { "tls.crt": `${TEST_CA.intermediate}${TEST_CA.root}`, "tls.key": SUPPLIED_CA_KEY });
        assert.ok(!JSON.stringify(toCheckpoint(graph)).includes("c3VwcGxpZWQta2V5"), "the supplied key is in the checkpoint");
    });
});

describe("cert-manager", () => {
    for (const [stack, replicas] of [["dev", 1], ["prod", 2]] as const) {
        it(`${stack}: the pinned chart manages its CRDs, with ${replicas} replica(s) of each deployment`, async () => {
            const graph = await plan(stack, true, "all");
            const certManager = release(graph, "cert-manager");
            // The chart's README at v1.21.1 installs it from `oci://quay.io/jetstack/charts/cert-manager`; an OCI
            // chart is the whole reference, with no repository options (pulumi-kubernetes#1892).
            assert.deepEqual([certManager.inputs["chart"], certManager.inputs["version"], certManager.inputs["repositoryOpts"]], ["oci://quay.io/jetstack/charts/cert-manager", "v1.21.1", undefined]);
            const values = certManager.inputs["values"];
            assert.deepEqual(values.crds, { enabled: true, keep: true });
            for (const component of [values, values.webhook, values.cainjector]) {
                assert.equal(component.replicaCount, replicas);
                assert.equal(component.podDisruptionBudget.enabled, stack === "prod");
            }
        });
    }

    it("signs with the platform intermediate: a ClusterIssuer after the chart and the CA secret, key kept secret", async () => {
        const graph = await plan("dev", false, "all");
        const issuer = resourceNamed(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer", "platform-ca");
        assert.deepEqual(issuer.inputs["spec"], { ca: { secretName: "platform-ca" } });
        const secret = resourceNamed(graph, "kubernetes:core/v1:Secret", "platform-ca");
        assert.ok(issuer.dependencies.includes(secret.urn) && issuer.dependencies.includes(release(graph, "cert-manager").urn));
        assert.equal(secret.inputs["type"], "kubernetes.io/tls");
        const data = secret.inputs["stringData"] as Inputs;
        assert.equal(data[SIG_KEY], SECRET_SIG);
        assert.equal(data["value"]["tls.crt"], `${byName(graph, "pki-intermediate").outputs["certPem"]}${byName(graph, "pki-root").outputs["certPem"]}`);
        assert.equal(data["value"]["tls.key"], byName(graph, "pki-intermediate-key").outputs["privateKeyPem"]);
    });
});

describe("ACME issuer", () => {
    const zone = OPTIONAL_INPUTS.publicDnsZone;
    const withZone = (stack: "dev" | "prod") => (stack === "dev" ? planDevWithOptions() : planProdWithOptions());

    for (const [stack, server] of [["dev", "acme-staging-v02"], ["prod", "acme-v02"]] as const) {
        it(`${stack}: Let's Encrypt (${server}) solving DNS-01 in the configured Azure DNS zone, after the chart`, async () => {
            const graph = await withZone(stack);
            const issuer = resourceNamed(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer", "letsencrypt");
            const acme = issuer.inputs["spec"].acme;
            assert.equal(acme.server, `https://${server}.api.letsencrypt.org/directory`);
            assert.deepEqual(acme.solvers, [{ dns01: { azureDNS: { hostedZoneName: zone.name, resourceGroupName: zone.resourceGroupName, subscriptionID: zone.subscriptionId, environment: "AzurePublicCloud" } } }]);
            assert.ok(issuer.dependencies.includes(release(graph, "cert-manager").urn));
        });
    }

    it("federates cert-manager's service account with an identity that may write only that zone", async () => {
        const graph = await withZone("dev");
        const identity = byName(graph, "cert-manager-dns-identity");
        const federation = byName(graph, "cert-manager-dns-federation").inputs as Inputs;
        const values = release(graph, "cert-manager").inputs["values"];
        assert.equal(federation["subject"], `system:serviceaccount:cert-manager:${values.serviceAccount.name}`);
        assert.equal(values.serviceAccount.annotations["azure.workload.identity/client-id"], identity.outputs["clientId"]);
        assert.equal(values.podLabels["azure.workload.identity/use"], "true");
        const grant = byName(graph, "cert-manager-dns-dns-zone-contributor").inputs;
        assert.equal(grant["scope"], `/subscriptions/${zone.subscriptionId}/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/${zone.name}`);
        // A zone in another subscription: the built-in role's definition is named under that subscription
        // (a definition path of the deploying subscription is refused as InvalidRoleDefinitionId across subscriptions).
        assert.equal(grant["roleDefinitionId"], `/subscriptions/${zone.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/befefa01-2a29-4197-83a8-272ff33ce314`);
        assert.equal(grant["principalId"], identity.outputs["principalId"]);
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: checks its DNS-01 records through the cluster DNS Service only, which cert-manager's namespace may reach`, async () => {
            // cert-manager.io/docs/configuration/acme/dns01, "Setting Nameservers for DNS01 Self Check": by default the
            // self-check asks the zone's authoritative servers directly; the chart's dns01RecursiveNameservers and
            // dns01RecursiveNameserversOnly (v1.21.1 values.yaml, the controller's --dns01-recursive-nameservers*) send
            // it to recursive resolvers only. The stacks' network.dnsServiceIp is 172.16.0.10 (Pulumi.<stack>.yaml).
            const graph = await withZone(stack);
            const values = release(graph, "cert-manager").inputs["values"];
            assert.deepEqual([values.dns01RecursiveNameservers, values.dns01RecursiveNameserversOnly], ["172.16.0.10:53", true]);
            // That Service's pods are CoreDNS (k8s-app=kube-dns in kube-system), over UDP and TCP (a truncated answer retries on TCP).
            const policy = ofType(graph, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .find((p) => (p.inputs["metadata"] as Inputs)["namespace"] === "cert-manager" && (p.inputs["metadata"] as Inputs)["name"] === "allow-platform")!;
            const dns = (policy.inputs["spec"] as Inputs)["egress"].find((rule: Inputs) => rule["to"]?.[0]?.podSelector?.matchLabels?.["k8s-app"] === "kube-dns");
            assert.deepEqual(dns, {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            });
        });
    }

    it("is absent without a public zone (the committed stacks)", async () => {
        const graph = await plan("dev", true, "all");
        assert.equal(release(graph, "cert-manager").inputs["values"].dns01RecursiveNameservers, undefined);
        assert.equal(resourceNamed(graph, "kubernetes:cert-manager.io/v1:ClusterIssuer", "letsencrypt"), undefined);
        assert.equal(graph.resources.some((r) => r.type === "platform:certmanager:DnsIdentity"), false);
    });
});

describe("service mesh", () => {
    it("installs base, cni, istiod and the gateway at one pinned version and revision, istiod after its CA", async () => {
        const graph = await plan("dev", true, "all");
        for (const chart of [CHARTS.istioBase, CHARTS.istioCni, CHARTS.istiod, CHARTS.istioGateway]) {
            const r = release(graph, chart.chart);
            assert.equal(r.inputs["version"], chart.version);
            // One revision per minor, named <major>-<minor> (istio.io/latest/docs/setup/upgrade/canary).
            const [, major, minor] = /^(\d+)\.(\d+)\./.exec(chart.version)!;
            assert.equal(r.inputs["values"].revision ?? r.inputs["values"].defaultRevision, `${major}-${minor}`);
        }
        const istiod = release(graph, "istiod");
        const cacerts = resourceNamed(graph, "kubernetes:core/v1:Secret", "cacerts");
        assert.ok(istiod.dependencies.includes(cacerts.urn), "istiod starts before its plug-in CA exists");
        assert.equal((cacerts.inputs["metadata"] as Inputs)["namespace"], MESH_ROOT_NAMESPACE);
        assert.equal(cacerts.inputs["stringData"][SIG_KEY], SECRET_SIG);
        assert.ok(waitsFor(graph, release(graph, "gateway")).has(istiod.urn));
    });

    it("lets the ingress gateway into application namespaces only: no mesh-wide ALLOW, no platform UI within its reach", async () => {
        const graph = await plan("prod", true, "all");
        // The gateway's SPIFFE identity (its chart's service account is named after the release, istio-ingressgateway).
        const principal = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway";
        const declared = ofType(graph, "kubernetes:security.istio.io/v1:AuthorizationPolicy");
        assert.deepEqual(declared.map((p) => (p.inputs["metadata"] as Inputs)["name"]).sort(), ["allow-listeners", "deny-all"]);
        assert.ok(!JSON.stringify(declared.map((p) => p.inputs["spec"])).includes(principal));
        // The only ALLOW for it is Kyverno's generated copy, kept out of every namespace the program creates and AKS's own.
        const [rule] = resourceNamed(graph, "kubernetes:kyverno.io/v1:ClusterPolicy", "generate-ingress-gateway-allow").inputs["spec"].rules;
        // ...and only with a valid token of prod's issuer carrying a subject (gateway.jwt).
        const issuer = azureConfig("prod").gateway.jwt.issuer;
        assert.deepEqual(rule.generate.data.spec.rules, [{ from: [{ source: { principals: [principal], requestPrincipals: [`${issuer}/*`] } }], when: [{ key: "request.auth.claims[sub]", values: ["*"] }] }]);
        const excluded: string[] = rule.exclude.any[0].resources.namespaces;
        const created = ofType(graph, "kubernetes:core/v1:Namespace").map((n) => (n.inputs["metadata"] as Inputs)["name"] as string);
        assert.deepEqual([...created, "kube-system", "kube-public", "kube-node-lease", "gatekeeper-system"].filter((n) => !excluded.includes(n)), []);
        // Grafana, the platform's one UI, is outside the mesh: no injection label on its pods or its namespace, and the
        // gateway's NetworkPolicy egress reaches only injected namespaces (and the collector), of which it is the only platform one.
        assert.equal(release(graph, "kube-prometheus-stack").inputs["values"].grafana.podLabels?.["istio.io/rev"], undefined);
        const meshed = ofType(graph, "kubernetes:core/v1:Namespace").filter((n) => (n.inputs["metadata"] as Inputs)["labels"]["istio.io/rev"]);
        assert.deepEqual(meshed.map((n) => (n.inputs["metadata"] as Inputs)["name"]), ["istio-ingress"]);
    });

    it("plugs the mesh CA into istiod: the four PEM entries, chain = intermediate + root", async () => {
        const graph = await plan("dev", false, "all");
        const data = resourceNamed(graph, "kubernetes:core/v1:Secret", "cacerts").inputs["stringData"]["value"] as Record<string, string>;
        const pem = (name: string) => String(byName(graph, name).outputs["certPem"]);
        assert.deepEqual(data, {
            "ca-cert.pem": pem("mesh-ca-intermediate"),
            "ca-key.pem": byName(graph, "mesh-ca-intermediate-key").outputs["privateKeyPem"],
            "root-cert.pem": pem("mesh-ca-root"),
            "cert-chain.pem": `${pem("mesh-ca-intermediate")}${pem("mesh-ca-root")}`,
        });
        assert.notEqual(pem("mesh-ca-root"), pem("pki-root"), "the mesh root must not be the platform root");
    });

    it("requires TLS 1.3 between sidecars, TLS 1.2 with ECDHE AEAD suites elsewhere, and 24-hour workload certificates", async () => {
        const graph = await plan("prod", true, "all");
        const values = release(graph, "istiod").inputs["values"];
        assert.deepEqual(values.meshConfig.meshMTLS, { minProtocolVersion: "TLSV1_3" });
        assert.equal(values.meshConfig.tlsDefaults.minProtocolVersion, "TLSV1_2");
        for (const suite of values.meshConfig.tlsDefaults.cipherSuites as string[]) {
            assert.match(suite, /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
        }
        // Short-lived workload certificates: 24 hours (design), asked for by the proxies and capped by istiod.
        assert.deepEqual(values.env, { DEFAULT_WORKLOAD_CERT_TTL: "24h", MAX_WORKLOAD_CERT_TTL: "24h" });
        assert.equal(values.meshConfig.defaultConfig.proxyMetadata.SECRET_TTL, "24h");
        assert.deepEqual([values.meshConfig.accessLogFile, values.meshConfig.accessLogEncoding], ["/dev/stdout", "JSON"]);
        // istiod 1.30.3 values.yaml: `cni.enabled` at the top level (the chart has no `pilot` block any more).
        assert.equal(values.cni?.enabled, true);
        assert.equal(values.pilot, undefined);
    });

    it("lets the ingress gateway send its root spans to the collector the mesh's tracing provider names", async () => {
        const graph = await plan("dev", true, "all");
        const provider = release(graph, "istiod").inputs["values"].meshConfig.extensionProviders[0].opentelemetry;
        assert.deepEqual(provider, { service: "opentelemetry-collector.monitoring.svc.cluster.local", port: 4317 });
        const allow = graph.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy"
            && (r.inputs["metadata"] as { name: string; namespace: string }).namespace === "istio-ingress" && (r.inputs["metadata"] as { name: string }).name === "allow-platform")!;
        const egress = (allow.inputs["spec"] as { egress: { to: Record<string, any>[]; ports?: { port: number }[] }[] }).egress;
        assert.ok(egress.some((rule) => rule.to.some((peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "monitoring"
            && peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "opentelemetry-collector") && (rule.ports ?? []).some((p) => p.port === 4317)));
    });

    it("spreads the gateway's replicas over the zones in prod (by the pods' istio=ingressgateway label)", async () => {
        const spread = async (stack: string) => release(await plan(stack, true, "all"), "gateway").inputs["values"].topologySpreadConstraints;
        assert.deepEqual(await spread("prod"), [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { istio: "ingressgateway" } } }]);
        assert.deepEqual(await spread("dev"), []);
    });

    it("gives the ingress gateway pods the seccomp profile Pod Security 'restricted' requires, keeping the chart's port sysctl", async () => {
        for (const stack of ["dev", "prod"]) {
            const graph = await plan(stack, true, "all");
            const values = release(graph, "gateway").inputs["values"];
            // kubernetes.io/docs/concepts/security/pod-security-standards (restricted: seccompProfile RuntimeDefault or
            // Localhost); net.ipv4.ip_unprivileged_port_start is one of the baseline's safe sysctls.
            assert.deepEqual(values.securityContext, {
                seccompProfile: { type: "RuntimeDefault" },
                sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
            });
        }
    });

    it("enforces STRICT mTLS mesh-wide and denies by default, allowing only the gateway's listeners mesh-side", async () => {
        const graph = await plan("dev", true, "all");
        const peer = ofType(graph, "kubernetes:security.istio.io/v1:PeerAuthentication");
        assert.deepEqual(peer.map((p) => [(p.inputs["metadata"] as Inputs)["namespace"], p.inputs["spec"]]), [[MESH_ROOT_NAMESPACE, { mtls: { mode: "STRICT" } }]]);
        const policies = ofType(graph, "kubernetes:security.istio.io/v1:AuthorizationPolicy").map((p) => p.inputs as Inputs);
        const denyAll = policies.find((p) => p["metadata"].name === "deny-all")!;
        assert.deepEqual([denyAll["metadata"].namespace, denyAll["spec"]], [MESH_ROOT_NAMESPACE, {}]);
        const allows = policies.filter((p) => p["spec"].action === "ALLOW");
        // A scraping ALLOW would be a no-op: 15020/15090 are not captured by the sidecar, and source.namespaces needs
        // an mTLS identity Prometheus (outside the mesh) lacks (istio.io security reference, AuthorizationPolicy Source).
        // The calls from the gateway into applications are allowed by Kyverno's generated copies (next test).
        assert.deepEqual(allows.map((p) => p["metadata"].name).sort(), ["allow-listeners"]);
        // The gateway chart's pods run as a service account named after the release unless values name another
        // (istio gateway chart values.yaml, serviceAccount.name: "If not set, the release name is used").
        const gateway = release(graph, "gateway");
        assert.deepEqual([gateway.inputs["name"], gateway.inputs["namespace"], gateway.inputs["values"].serviceAccount?.name], ["istio-ingressgateway", "istio-ingress", undefined]);
    });

    it("terminates the private-CA certificate on the gateway: TLS 1.2+, GCM suites, HTTP only to redirect", async () => {
        const graph = await plan("dev", true, "all");
        const certificate = resourceNamed(graph, "kubernetes:cert-manager.io/v1:Certificate", "aks-ingress").inputs["spec"];
        assert.deepEqual(certificate.dnsNames, ["*.aks-ingress.dev.platform.example.com"]);
        // 90 days, renewed 30 days before expiry (cert-manager's defaults are 90 and 30 days; the platform sets them explicitly).
        assert.deepEqual([certificate.duration, certificate.renewBefore, certificate.privateKey], ["2160h", "720h", { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" }]);
        assert.deepEqual(certificate.issuerRef, { kind: "ClusterIssuer", name: "platform-ca", group: "cert-manager.io" });
        assert.equal(certificate.secretName, "aks-ingress-tls");
        const [https, http] = resourceNamed(graph, "kubernetes:networking.istio.io/v1:Gateway", "platform-ingress").inputs["spec"].servers;
        assert.deepEqual(https.port, { number: 443, name: "https", protocol: "HTTPS" });
        assert.equal(https.tls.credentialName, "aks-ingress-tls");
        assert.equal(https.tls.minProtocolVersion, "TLSV1_2");
        assert.ok(https.tls.cipherSuites.length > 0 && https.tls.cipherSuites.every((s: string) => /^ECDHE-.*-GCM-SHA(256|384)$/.test(s)));
        assert.deepEqual(http.tls, { httpsRedirect: true });
    });

    for (const [stack, replicas] of [["dev", false], ["prod", true]] as const) {
        it(`${stack}: exposes the gateway on an Azure internal load balancer at the address the ingress DNS names${replicas ? ", with HPA and PDB" : ""}`, async () => {
            const graph = await plan(stack, true, "all");
            const values = release(graph, "gateway").inputs["values"];
            const record = (byName(graph, "network-dns-ingress-wildcard").inputs["aRecords"] as { ipv4Address: string }[])[0]!.ipv4Address;
            assert.deepEqual(values.service.annotations, {
                "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
                "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ingress",
                "service.beta.kubernetes.io/azure-load-balancer-ipv4": record,
            });
            assert.equal(values.service.externalTrafficPolicy, "Local");
            assert.equal(values.autoscaling.enabled, replicas);
            assert.deepEqual(values.podDisruptionBudget, replicas ? { minAvailable: 1 } : {});
        });
    }
});

describe("the TLS hop list, walked from the graph", () => {
    it("client -> Front Door -> API Management -> internal load balancer -> ingress gateway -> sidecar: every hop TLS", async () => {
        const graph = await plan("dev", false, "all");
        const hops: string[] = [];
        // 1. Client -> Front Door: custom domain TLS, route redirects HTTP and forwards HTTPS only.
        const domain = byName(graph, "gateway-afd-domain").inputs as Inputs;
        const route = byName(graph, "gateway-afd-route").inputs as Inputs;
        assert.equal(domain["tlsSettings"].minimumTlsVersion, "TLS12");
        assert.deepEqual([route["httpsRedirect"], route["forwardingProtocol"]], ["Enabled", "HttpsOnly"]);
        hops.push(`client -> ${domain["hostName"]} (Front Door, ${domain["tlsSettings"].cipherSuiteSetType})`);
        // 2. Front Door -> API Management: the route's origin group holds the APIM origin, name checked.
        const origin = ofType(graph, "azure-native:cdn:AFDOrigin").find((o) => o.inputs["originGroupName"] === byName(graph, "gateway-afd-origins").outputs["name"])!;
        const apim = byName(graph, "gateway-apim");
        assert.equal(route["originGroup"].id, byName(graph, "gateway-afd-origins").id);
        assert.equal(origin.inputs["hostName"], `${apim.outputs["name"]}.azure-api.net`);
        assert.equal(origin.inputs["enforceCertificateNameCheck"], true);
        hops.push(`Front Door -> ${origin.inputs["hostName"]} (API Management, TLS 1.0/1.1 off)`);
        // 3. API Management -> internal load balancer: the backend URL's name resolves to the ILB address.
        const backend = byName(graph, "gateway-apim-ingress-backend").inputs as Inputs;
        const backendHost = new URL(backend["url"]).hostname;
        const zone = byName(graph, "network-dns-ingress").inputs["privateZoneName"] as string;
        assert.ok(backendHost.endsWith(`.${zone}`));
        const ilb = (byName(graph, "network-dns-ingress-wildcard").inputs["aRecords"] as { ipv4Address: string }[])[0]!.ipv4Address;
        assert.deepEqual(backend["tls"], { validateCertificateChain: true, validateCertificateName: true });
        hops.push(`API Management -> ${backendHost} = ${ilb} (internal load balancer)`);
        // 4. Load balancer -> ingress gateway: the gateway Service holds that address; its listener serves the name
        //    with a certificate from the CA API Management trusts.
        assert.equal(release(graph, "gateway").inputs["values"].service.annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"], ilb);
        const server = resourceNamed(graph, "kubernetes:networking.istio.io/v1:Gateway", "platform-ingress").inputs["spec"].servers[0];
        assert.ok(server.hosts.some((h: string) => h === `*.${zone}`));
        const certificate = ofType(graph, "kubernetes:cert-manager.io/v1:Certificate").map((c) => c.inputs as Inputs).find((c) => c["spec"].secretName === server.tls.credentialName)!;
        assert.equal(certificate["spec"].issuerRef.name, "platform-ca");
        const trusted = (apim.inputs["certificates"] as { encodedCertificate: string }[])[0]!.encodedCertificate;
        assert.ok(String(byName(graph, "pki-root").outputs["certPem"]).replace(/\s+/g, "").includes(trusted), "API Management does not trust the issuing root");
        hops.push(`internal load balancer -> ingress gateway (${server.tls.minProtocolVersion}, cert-manager ${certificate["spec"].issuerRef.name})`);
        // 5. Gateway -> sidecar: STRICT mTLS mesh-wide, TLS 1.3.
        const strict = ofType(graph, "kubernetes:security.istio.io/v1:PeerAuthentication").map((p) => p.inputs as Inputs).find((p) => p["metadata"].namespace === MESH_ROOT_NAMESPACE)!;
        assert.equal(strict["spec"].mtls.mode, "STRICT");
        assert.equal(release(graph, "istiod").inputs["values"].meshConfig.meshMTLS.minProtocolVersion, "TLSV1_3");
        hops.push("ingress gateway -> sidecar (mesh mTLS, TLSV1_3)");
        hops.push("sidecar -> app (localhost, the only plaintext hop)");
        // The request path of the architecture (seed 000), as the graph gives it: dev's names and the ingress
        // subnet's first assignable address (10.20.8.192/27 -> .196).
        const expected = [
            /^client -> api\.dev\.platform\.example\.com \(Front Door, TLS12_2023\)$/,
            /^Front Door -> apim-platform-dev-[0-9a-z]{6}\.azure-api\.net \(API Management, TLS 1\.0\/1\.1 off\)$/,
            /^API Management -> api\.aks-ingress\.dev\.platform\.example\.com = 10\.20\.8\.196 \(internal load balancer\)$/,
            /^internal load balancer -> ingress gateway \(TLSV1_2, cert-manager platform-ca\)$/,
            /^ingress gateway -> sidecar \(mesh mTLS, TLSV1_3\)$/,
            /^sidecar -> app \(localhost, the only plaintext hop\)$/,
        ];
        assert.equal(hops.length, expected.length, hops.join("\n"));
        hops.forEach((hop, i) => assert.match(hop, expected[i]!));
    });
});

describe("mesh: the ingress accepts only the edge's client certificate (phase 1 issues it, phase 2 pins it)", () => {
    /** Envoy's verify_certificate_spki: base64 SHA-256 of the DER SubjectPublicKeyInfo a PEM "PUBLIC KEY" block holds. */
    const spki = (publicKeyPem: string) => createHash("sha256").update(Buffer.from(publicKeyPem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64")).digest("base64");
    const httpsServer = (graph: Graph) => (resourceNamed(graph, "kubernetes:networking.istio.io/v1:Gateway", "platform-ingress").inputs["spec"] as Inputs)["servers"][0];

    for (const [label, planned, intermediate, root] of [
        ["generated platform CA", () => plan("dev", false, "all"), (graph: Graph) => String(byName(graph, "pki-intermediate").outputs["certPem"]), (graph: Graph) => String(byName(graph, "pki-root").outputs["certPem"])],
        ["supplied platform CA", planSuppliedCas, () => TEST_CA.intermediate, () => TEST_CA.root],
    ] as const) {
        it(`${label}: requires API Management's certificate by its CA, its one name and its key, and API Management presents it`, async () => {
            const graph = await planned();
            const tls = httpsServer(graph).tls;
            assert.deepEqual([tls.mode, tls.caCertCredentialName], ["MUTUAL", "aks-ingress-tls-cacert"]);
            assert.deepEqual(tls.subjectAltNames, byName(graph, "gateway-apim-ingress-client-csr").inputs["dnsNames"]);
            assert.deepEqual(tls.subjectAltNames, ["api-management.aks-ingress.dev.platform.example.com"]);
            assert.deepEqual(tls.verifyCertificateSpki, [spki(String(byName(graph, "gateway-apim-ingress-client-key").outputs["publicKeyPem"]))]);
            // Issued by the platform intermediate; the gateway's CA bundle is that intermediate and its root.
            assert.equal(byName(graph, "gateway-apim-ingress-client").inputs["caCertPem"], intermediate(graph));
            const caSecret = resourceNamed(graph, "kubernetes:core/v1:Secret", "aks-ingress-tls-cacert");
            assert.deepEqual([(caSecret.inputs["metadata"] as Inputs)["namespace"], caSecret.inputs["stringData"]], ["istio-ingress", { [SIG_KEY]: SECRET_SIG, value: { "ca.crt": `${intermediate(graph)}${root(graph)}` } }]);
            // API Management's backend presents the uploaded certificate.
            const backend = byName(graph, "gateway-apim-ingress-backend");
            assert.deepEqual((backend.inputs["credentials"] as Inputs)["certificateIds"], [byName(graph, "gateway-apim-ingress-client-upload").id]);
        });
    }

    it("App Gateway edge: no client certificate to require (Application Gateway v2 presents none), the gateway limits requests instead", async () => {
        const graph = await planAppGatewayEdge("prod", true);
        assert.equal(httpsServer(graph).tls.mode, "SIMPLE");
        assert.ok(!graph.resources.some((r) => r.name.startsWith("gateway-apim-ingress-client")));
        assert.ok(graph.resources.some((r) => r.name === "mesh-gateway-local-rate-limit"));
        // App Gateway is the one proxy whose X-Forwarded-For entry the gateway trusts.
        const gateway = graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === "gateway")!;
        assert.equal((gateway.inputs["values"] as Inputs)["podAnnotations"]["proxy.istio.io/config"], "{\"gatewayTopology\":{\"numTrustedProxies\":1}}");
    });
});
