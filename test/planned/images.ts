/**
 * Where every image comes from on AKS. The images each chart runs are written here from the charts' values at
 * the pinned versions (file and line in each row), with the upstream they are published at; the test checks that
 * the planned release points the chart's registry key at the platform registry, and that a planned ACR cache rule
 * maps the resulting path back to that upstream. Nothing here is read from versions.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SECRET_SIG, SIG_KEY, type Graph } from "../../offline/engine";
import { byName, chartOf, ofType, plan, registryOf } from "../helpers";

interface ChartImages {
    chart: string;
    /** The values key that sets the registry (or, for `repository`, the whole repository) of every image below. */
    registryKey: string[];
    /** What the chart renders under that key: `registry/<path>` for a registry key, the key's value for a repository. */
    kind: "registry" | "hub" | "repository";
    /** Each image: its path under the registry, and the upstream reference the platform mirrors it from. */
    images: { path: string; upstream: string; source: string }[];
}

const CHART_IMAGES: ChartImages[] = [
    {
        chart: "cert-manager", registryKey: ["imageRegistry"], kind: "registry",
        // cert-manager v1.21.1 values.yaml L182 imageRegistry: quay.io, L184 imageNamespace: jetstack, image names per component.
        images: ["controller", "webhook", "cainjector", "startupapicheck"].map((c) => ({ path: `jetstack/cert-manager-${c}`, upstream: `quay.io/jetstack/cert-manager-${c}`, source: "cert-manager values.yaml L182-215" })),
    },
    {
        chart: "istiod", registryKey: ["global", "hub"], kind: "hub",
        // istio 1.30.3: `<hub>/pilot`, and the injected `<hub>/proxyv2`; release-builder publish.sh pushes docker.io/istio.
        images: ["pilot", "proxyv2"].map((i) => ({ path: `istio/${i}`, upstream: `docker.io/istio/${i}`, source: "istiod values.yaml L12 hub" })),
    },
    { chart: "cni", registryKey: ["global", "hub"], kind: "hub", images: [{ path: "istio/install-cni", upstream: "docker.io/istio/install-cni", source: "istio cni chart, global.hub" }] },
    { chart: "gateway", registryKey: ["global", "hub"], kind: "hub", images: [{ path: "istio/proxyv2", upstream: "docker.io/istio/proxyv2", source: "istio gateway values.yaml L217 global" }] },
    {
        chart: "kyverno", registryKey: ["global", "image", "registry"], kind: "registry",
        // kyverno 3.9.0 values.yaml L13 global.image.registry overrides every `.image.registry`; defaults reg.kyverno.io
        // (L1271, L1320, L1595, L1968, L2341) and ghcr.io (L583); the same images are published on ghcr.io/kyverno.
        images: ["kyverno", "kyvernopre", "background-controller", "cleanup-controller", "reports-controller", "readiness-checker", "kyverno-cli"]
            .map((i) => ({ path: `kyverno/${i}`, upstream: `ghcr.io/kyverno/${i}`, source: "kyverno values.yaml" })),
    },
    {
        chart: "falco", registryKey: ["image", "registry"], kind: "registry",
        images: [{ path: "falcosecurity/falco", upstream: "docker.io/falcosecurity/falco", source: "falco 9.1.0 values.yaml L11-13" }],
    },
    {
        chart: "falco", registryKey: ["falcosidekick", "image", "registry"], kind: "registry",
        images: [{ path: "falcosecurity/falcosidekick", upstream: "docker.io/falcosecurity/falcosidekick", source: "falcosidekick values.yaml L13-15" }],
    },
    { chart: "velero", registryKey: ["image", "repository"], kind: "repository", images: [{ path: "velero/velero", upstream: "docker.io/velero/velero", source: "velero 12.1.0 values.yaml L29" }] },
    { chart: "velero", registryKey: ["kubectl", "image", "repository"], kind: "repository", images: [{ path: "kubectl", upstream: "registry.k8s.io/kubectl", source: "velero values.yaml L359" }] },
    {
        chart: "kube-prometheus-stack", registryKey: ["global", "imageRegistry"], kind: "registry",
        images: [
            { path: "prometheus/alertmanager", upstream: "quay.io/prometheus/alertmanager", source: "kps 88.5.3 values.yaml L1019" },
            { path: "prometheus-operator/admission-webhook", upstream: "quay.io/prometheus-operator/admission-webhook", source: "L3011" },
            { path: "jkroepke/kube-webhook-certgen", upstream: "ghcr.io/jkroepke/kube-webhook-certgen", source: "L3130" },
            { path: "prometheus-operator/prometheus-operator", upstream: "quay.io/prometheus-operator/prometheus-operator", source: "L3524" },
            { path: "prometheus-operator/prometheus-config-reloader", upstream: "quay.io/prometheus-operator/prometheus-config-reloader", source: "L3551" },
            { path: "thanos/thanos", upstream: "quay.io/thanos/thanos", source: "L3572" },
            { path: "prometheus/prometheus", upstream: "quay.io/prometheus/prometheus", source: "L4345" },
            { path: "busybox", upstream: "docker.io/library/busybox", source: "L46 (docker.io/busybox is library/busybox)" },
            { path: "kubectl", upstream: "registry.k8s.io/kubectl", source: "L52" },
            // Subcharts, which read the same global.imageRegistry.
            { path: "grafana/grafana", upstream: "docker.io/grafana/grafana", source: "grafana subchart" },
            { path: "kiwigrid/k8s-sidecar", upstream: "quay.io/kiwigrid/k8s-sidecar", source: "grafana subchart sidecar" },
            { path: "kube-state-metrics/kube-state-metrics", upstream: "registry.k8s.io/kube-state-metrics/kube-state-metrics", source: "kube-state-metrics subchart" },
            { path: "prometheus/node-exporter", upstream: "quay.io/prometheus/node-exporter", source: "prometheus-node-exporter subchart" },
        ],
    },
    {
        chart: "loki", registryKey: ["global", "imageRegistry"], kind: "registry",
        images: [
            { path: "grafana/loki", upstream: "docker.io/grafana/loki", source: "loki 18.11.0 values.yaml L245" },
            { path: "nginxinc/nginx-unprivileged", upstream: "docker.io/nginxinc/nginx-unprivileged", source: "L1281" },
            { path: "jkroepke/access-log-exporter", upstream: "ghcr.io/jkroepke/access-log-exporter", source: "L1615" },
            { path: "library/memcached", upstream: "docker.io/library/memcached", source: "L6190" },
            { path: "prom/memcached-exporter", upstream: "docker.io/prom/memcached-exporter", source: "L6266" },
            // L6927 names docker.io; the same image is published on quay.io, which the mirror (and Grafana) uses.
            { path: "kiwigrid/k8s-sidecar", upstream: "quay.io/kiwigrid/k8s-sidecar", source: "L6927" },
            { path: "kubectl", upstream: "registry.k8s.io/kubectl", source: "L205" },
        ],
    },
    { chart: "tempo", registryKey: ["global", "imageRegistry"], kind: "registry", images: [{ path: "grafana/tempo", upstream: "docker.io/grafana/tempo", source: "tempo 2.2.4 values.yaml L27" }] },
    {
        chart: "alloy", registryKey: ["global", "image", "registry"], kind: "registry",
        images: [
            { path: "grafana/alloy", upstream: "docker.io/grafana/alloy", source: "alloy 1.11.1 values.yaml L152" },
            { path: "prometheus-operator/prometheus-config-reloader", upstream: "quay.io/prometheus-operator/prometheus-config-reloader", source: "L250" },
        ],
    },
    {
        chart: "opentelemetry-collector", registryKey: ["image", "repository"], kind: "repository",
        images: [{ path: "otel/opentelemetry-collector-contrib", upstream: "docker.io/otel/opentelemetry-collector-contrib", source: "the program's image (the chart names none)" }],
    },
];

/** Where the planned cache rules send `<registry>/<path>` (ACR maps target => source, `*` as the rest of the path). */
function upstreamThroughCache(graph: Graph, path: string): string | undefined {
    for (const rule of ofType(graph, "azure-native:containerregistry:CacheRule")) {
        const target = String(rule.inputs["targetRepository"]);
        const source = String(rule.inputs["sourceRepository"]);
        if (target.endsWith("/*") ? path.startsWith(target.slice(0, -1)) : path === target) {
            return target.endsWith("/*") ? source.slice(0, -1) + path.slice(target.length - 1) : source;
        }
    }
    return undefined;
}

const at = (values: Record<string, any>, key: string[]) => key.reduce<any>((v, k) => v?.[k], values);

describe("images on AKS come from the platform registry", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: every chart's registry key names the platform registry, and a cache rule maps each image to its upstream`, async () => {
            const graph = await plan(stack, true, "all");
            const registry = registryOf(stack);
            const releases = ofType(graph, "kubernetes:helm.sh/v3:Release");
            const problems: string[] = [];
            for (const entry of CHART_IMAGES) {
                const release = releases.find((r) => chartOf(r) === entry.chart);
                assert.ok(release, `no ${entry.chart} release`);
                const value = at(release.inputs["values"] as Record<string, any>, entry.registryKey);
                for (const image of entry.images) {
                    const expected = entry.kind === "registry" ? registry : entry.kind === "hub" ? `${registry}/${image.path.split("/")[0]}` : `${registry}/${image.path}`;
                    if (value !== expected) {
                        problems.push(`${entry.chart} ${entry.registryKey.join(".")} = ${value}, expected ${expected}`);
                    }
                    const upstream = upstreamThroughCache(graph, image.path);
                    if (upstream !== image.upstream) {
                        problems.push(`${registry}/${image.path} (${image.source}) is cached from ${upstream}, expected ${image.upstream}`);
                    }
                }
            }
            // The images the program sets itself: Velero's plugin.
            const velero = releases.find((r) => chartOf(r) === "velero")!;
            const plugin = String((velero.inputs["values"] as Record<string, any>)["initContainers"][0].image);
            assert.match(plugin, new RegExp(`^${registry.replace(/\./g, "\\.")}/velero/velero-plugin-for-microsoft-azure:v1\\.14\\.\\d+$`));
            assert.equal(upstreamThroughCache(graph, plugin.slice(registry.length + 1).split(":")[0]!), "docker.io/velero/velero-plugin-for-microsoft-azure");
            assert.deepEqual([...new Set(problems)], []);
        });
    }

    it("prod: admits teams' images from the registry's apps/ namespace, which the nodes pull through the private endpoint and no cache rule fills", async () => {
        const graph = await plan("prod", true, "all");
        const registry = registryOf("prod");
        const restrict = ofType(graph, "kubernetes:kyverno.io/v1:ClusterPolicy").find((p) => (p.inputs["metadata"] as { name: string }).name === "restrict-image-registries")!;
        const allowed = ((restrict.inputs["spec"] as Record<string, any>)["rules"][0].validate.pattern.spec.containers[0].image as string).split(" | ");
        // Kyverno's wildcard pattern: `<registry>/apps/*` admits `<registry>/apps/<team>/<image>:<tag>` and nothing else of the registry.
        assert.ok(allowed.includes(`${registry}/apps/*`), allowed.join(", "));
        assert.ok(!allowed.includes(`${registry}/*`), "the whole registry would admit every cached upstream image");
        // A cache rule whose target covered apps/ would let an upstream organisation's images in under that name.
        assert.equal(upstreamThroughCache(graph, "apps/payments/api"), undefined);
        // Nodes reach the registry only through its private endpoint (no public access); MCR is the one public registry
        // admitted (the firewall's AKS FQDN tag), and stack config cannot add another.
        assert.deepEqual(allowed.filter((a) => !a.startsWith(`${registry}/`)), ["mcr.microsoft.com/*"]);
    });

    it("local stack: no registry of its own, every image the program names comes from its upstream", async () => {
        const graph = await plan("local", true);
        const releases = ofType(graph, "kubernetes:helm.sh/v3:Release");
        const values = (chart: string) => releases.find((r) => chartOf(r) === chart)!.inputs["values"] as Record<string, any>;
        assert.equal(values("istiod")["global"].hub, "docker.io/istio");
        assert.equal(values("opentelemetry-collector")["image"].repository, "docker.io/otel/opentelemetry-collector-contrib");
        assert.equal(values("cert-manager")["imageRegistry"], undefined, "the chart's own default registry stays");
        assert.deepEqual(ofType(graph, "azure-native:containerregistry:Registry"), []);
    });

    it("is a private, zone-redundant Premium registry: no public access, no admin user, no anonymous pull, a private endpoint in the VNet's zone", async () => {
        const graph = await plan("prod", false);
        const acr = ofType(graph, "azure-native:containerregistry:Registry")[0]!;
        assert.equal(acr.inputs["registryName"], registryOf("prod").split(".")[0]);
        assert.equal(acr.protect, true);
        assert.deepEqual(
            [acr.inputs["sku"], acr.inputs["publicNetworkAccess"], acr.inputs["adminUserEnabled"], acr.inputs["anonymousPullEnabled"], acr.inputs["networkRuleBypassOptions"], acr.inputs["zoneRedundancy"]],
            [{ name: "Premium" }, "Disabled", false, false, "None", "Enabled"],
        );
        const endpoint = byName(graph, "registry-pe");
        assert.deepEqual(endpoint.inputs["privateLinkServiceConnections"], [{ name: "registry", privateLinkServiceId: acr.id, groupIds: ["registry"] }]);
        const zone = byName(graph, "registry-pe-dns").inputs["privateDnsZoneConfigs"] as { privateDnsZoneId: string }[];
        assert.match(zone[0]!.privateDnsZoneId, /\/privateDnsZones\/privatelink\.azurecr\.io$/);
        // AcrPull (built-in 7f951dda-...) to the kubelet identity, on the registry only.
        const pull = ofType(graph, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs["roleDefinitionId"]).endsWith("/7f951dda-4ed3-4680-a7ca-43fe172d538d"));
        assert.deepEqual(pull.map((r) => [r.inputs["principalId"], r.inputs["scope"]]), [[byName(graph, "cluster-kubelet-identity").outputs["principalId"], acr.id]]);
    });

    it("caches Docker Hub with a credential set whose secrets the program writes from config into a vault of their own", async () => {
        // artifact-cache-overview "Upstream support": Docker Hub is cached with a credential set; GHCR, Quay and
        // registry.k8s.io anonymously. Phase 2 (its images come through the cache) carries the Docker Hub secrets.
        const graph = await plan("prod", false, "all");
        const credentials = byName(graph, "registry-dockerhub");
        assert.equal(credentials.inputs["loginServer"], "docker.io");
        const vault = byName(graph, "registry-credentials-kv");
        // Not the private platform vault: Key Vault's trusted services list Container Registry for customer-managed
        // keys only (key-vault/general/overview-vnet-service-endpoints), so the cache reads a vault open to the network.
        assert.notEqual(vault.urn, byName(graph, "gateway-kv").urn);
        const props = vault.inputs["properties"] as Record<string, any>;
        assert.deepEqual([props["publicNetworkAccess"], props["enableRbacAuthorization"], props["enablePurgeProtection"], vault.protect], ["Enabled", true, true, true]);
        assert.match(String((vault.inputs["tags"] as Record<string, string>)["publicNetworkAccessReason"]), /artifact cache/);
        // kv-plt-prod-acr- and the registry's 8 hex digits: global, at most 24 characters.
        const registryHex = registryOf("prod").replace(/^acrplatformprod/, "").slice(0, 8);
        assert.equal(vault.inputs["vaultName"], `kv-plt-prod-acr-${registryHex}`);
        const vaultUri = `https://kv-plt-prod-acr-${registryHex}.vault.azure.net/`;
        assert.deepEqual(credentials.inputs["authCredentials"], [{ name: "Credential1", usernameSecretIdentifier: `${vaultUri}secrets/dockerhub-username`, passwordSecretIdentifier: `${vaultUri}secrets/dockerhub-token` }]);
        // Written through ARM from the config secrets, still secret; the credential set waits for them.
        const secrets = ofType(graph, "azure-native:keyvault:Secret").filter((r) => r.inputs["vaultName"] === vault.inputs["vaultName"]);
        assert.deepEqual(secrets.map((r) => r.inputs["secretName"]).sort(), ["dockerhub-token", "dockerhub-username"]);
        for (const secret of secrets) {
            assert.deepEqual((secret.inputs["properties"] as Record<string, any>)["value"], { [SIG_KEY]: SECRET_SIG, value: secret.inputs["secretName"] === "dockerhub-token" ? "offline-docker-hub-token" : "offline-docker-hub-user" });
            assert.ok(credentials.dependencies.includes(secret.urn), `the credential set does not wait for ${secret.name}`);
        }
        const cacheRules = ofType(graph, "azure-native:containerregistry:CacheRule");
        assert.ok(cacheRules.some((r) => String(r.inputs["sourceRepository"]).startsWith("docker.io/")) && cacheRules.some((r) => !String(r.inputs["sourceRepository"]).startsWith("docker.io/")), "cache rules from Docker Hub and elsewhere");
        for (const rule of cacheRules) {
            const fromDockerHub = String(rule.inputs["sourceRepository"]).startsWith("docker.io/");
            assert.equal(rule.inputs["credentialSetResourceId"], fromDockerHub ? credentials.id : undefined, String(rule.inputs["cacheRuleName"]));
        }
        // Exactly one role on that vault: Key Vault Secrets User (4633458b-...) for the credential set's identity.
        const onVault = ofType(graph, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs["scope"]).startsWith(vault.id!));
        assert.deepEqual(onVault.map((r) => [r.inputs["principalId"], String(r.inputs["roleDefinitionId"]).split("/").at(-1)]),
            [[(credentials.outputs["identity"] as Record<string, unknown>)["principalId"], "4633458b-17de-408a-b874-0445c86b69e6"]]);
    });

    it("starts Falco from what its image carries: falcoctl downloads nothing, and the image's config.d is masked (charts#1057)", async () => {
        const graph = await plan("prod", true, "all");
        const values = ofType(graph, "kubernetes:helm.sh/v3:Release").find((r) => chartOf(r) === "falco")!.inputs["values"] as Record<string, any>;
        assert.deepEqual(values["falcoctl"], { artifact: { install: { enabled: false }, follow: { enabled: false } } });
        assert.deepEqual(values["mounts"], { volumes: [{ name: "image-config-d", emptyDir: {} }], volumeMounts: [{ name: "image-config-d", mountPath: "/etc/falco/config.d" }] });
        assert.equal(values["driver"].kind, "modern_ebpf", "with another driver the chart mounts its own volume at config.d");
    });
});
