/**
 * Every chart and image source the platform pulls, pinned in one place. Components install charts from here;
 * the firewall allows exactly these hosts, so a new chart or registry is one reviewed edit.
 */

export interface ChartPin {
    chart: string;
    /** Helm repository URL, or an OCI registry path (`oci://host/path`, the chart then at `<path>/<chart>`). */
    repository: string;
    version: string;
    /** Hosts an OCI registry redirects chart downloads to (its blob CDN); the runners' firewall rule needs them too. */
    contentHosts?: string[];
}

export const CHARTS = {
    // The chart's own README at v1.21.1 installs from `oci://quay.io/jetstack/charts/cert-manager`. Quay redirects
    // downloads to its CDN hosts (cdn.quay.io, cdn0N.quay.io; docs.openshift.com "Configuring your firewall" allows
    // them as *.quay.io).
    certManager: { chart: "cert-manager", repository: "oci://quay.io/jetstack/charts", version: "v1.21.1", contentHosts: ["*.quay.io"] },
    istioBase: { chart: "base", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    istiod: { chart: "istiod", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    istioGateway: { chart: "gateway", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    istioCni: { chart: "cni", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts", version: "88.5.3" },
    // The Prometheus Operator's CRDs as templates (upgraded with the chart), appVersion v0.93.1 like kube-prometheus-stack 88.5.3.
    prometheusOperatorCrds: { chart: "prometheus-operator-crds", repository: "https://prometheus-community.github.io/helm-charts", version: "31.0.1" },
    loki: { chart: "loki", repository: "https://grafana-community.github.io/helm-charts", version: "18.11.0" },
    tempo: { chart: "tempo", repository: "https://grafana-community.github.io/helm-charts", version: "2.2.4" },
    openTelemetryCollector: { chart: "opentelemetry-collector", repository: "https://open-telemetry.github.io/opentelemetry-helm-charts", version: "0.170.0" },
    alloy: { chart: "alloy", repository: "https://grafana.github.io/helm-charts", version: "1.11.1" },
    falco: { chart: "falco", repository: "https://falcosecurity.github.io/charts", version: "9.1.0" },
    kyverno: { chart: "kyverno", repository: "https://kyverno.github.io/kyverno", version: "3.9.0" },
    kyvernoPolicies: { chart: "kyverno-policies", repository: "https://kyverno.github.io/kyverno", version: "3.9.0" },
    velero: { chart: "velero", repository: "https://vmware-tanzu.github.io/helm-charts", version: "12.1.0" },
} as const satisfies Record<string, ChartPin>;

/** Istio's revision label, one per minor (`1-30`): a patch release upgrades in place, a minor runs a second istiod beside the first. */
export const ISTIO_REVISION = CHARTS.istiod.version.split(".").slice(0, 2).join("-");

/**
 * The platform registry's artifact cache (Azure Container Registry cache rules, target => source): every image
 * the charts and the program run comes from `<registry>/<namespace>/...`, which ACR pulls once from the upstream
 * path and serves from then on. Namespaces are the images' organisations, so each chart needs only its global
 * registry key (test/planned/images.ts checks every chart image against this table). Rules may not overlap
 * (learn.microsoft.com/azure/container-registry/wildcards-artifact-cache).
 */
export const REGISTRY_CACHE_RULES = {
    "jetstack/*": "quay.io/jetstack/*",
    "istio/*": "docker.io/istio/*",
    // Kyverno publishes to ghcr.io as well as reg.kyverno.io, which ACR cannot cache.
    "kyverno/*": "ghcr.io/kyverno/*",
    "falcosecurity/*": "docker.io/falcosecurity/*",
    "velero/*": "docker.io/velero/*",
    "otel/*": "docker.io/otel/*",
    "grafana/*": "docker.io/grafana/*",
    "nginxinc/*": "docker.io/nginxinc/*",
    "library/*": "docker.io/library/*",
    "busybox": "docker.io/library/busybox",
    "prom/*": "docker.io/prom/*",
    "prometheus/*": "quay.io/prometheus/*",
    "prometheus-operator/*": "quay.io/prometheus-operator/*",
    "thanos/*": "quay.io/thanos/*",
    // k8s-sidecar is published to docker.io and quay.io alike; one source serves Loki's and Grafana's references.
    "kiwigrid/*": "quay.io/kiwigrid/*",
    "jkroepke/*": "ghcr.io/jkroepke/*",
    "kube-state-metrics/*": "registry.k8s.io/kube-state-metrics/*",
    "kubectl": "registry.k8s.io/kubectl",
} as const satisfies Record<string, string>;

/**
 * The platform registry's namespace for the teams' own images (`<registry>/apps/...`, docs/application-images.md):
 * admitted in application namespaces, pushed by the teams' pipelines, and never a cache rule's target (an upstream
 * would then fill it). The rest of the registry is the cache, so admitting it whole would admit any image of a
 * cached organisation (`library/*` is all of Docker Hub's official images).
 */
export const APPLICATION_REPOSITORIES = "apps";

/** Docker Hub serves ACR's cache only with credentials (artifact-cache-overview, "Upstream support"). */
export const UPSTREAMS_REQUIRING_CREDENTIALS = ["docker.io"] as const;

/** Where an image path of the platform registry comes from upstream (the cache rule it falls under). */
function upstreamImage(path: string): string {
    const [repository] = path.split(":");
    for (const [target, source] of Object.entries(REGISTRY_CACHE_RULES)) {
        const prefix = target.replace(/\*$/, "");
        const wildcard = target.endsWith("*");
        if (wildcard ? path.startsWith(prefix) : repository === target) {
            return source.replace(/\*$/, "") + path.slice(prefix.length);
        }
    }
    throw new Error(`no registry cache rule covers ${path}; add one to REGISTRY_CACHE_RULES`);
}

/** Images the program sets itself, as paths of the platform registry (chart images stay at each chart's pinned defaults). */
export const IMAGES = {
    /**
     * Velero's object store and volume snapshotter for Azure. The plugin's compatibility table pairs v1.14.x with
     * Velero v1.18.x (README at v1.14.0-rc.1), which the velero chart 12.1.0 runs (appVersion 1.18.1); the line's
     * patches since v1.14.1 are built on Velero 1.18.1 (plugin PR #309).
     */
    // renovate: datasource=docker packageName=docker.io/velero/velero-plugin-for-microsoft-azure
    veleroPluginAzure: "velero/velero-plugin-for-microsoft-azure:v1.14.2",
    /** Velero's object store for S3-compatible storage (the local stack): the same pairing (velero-plugin-for-aws README at v1.14.0-rc.1) and patch. */
    // renovate: datasource=docker packageName=docker.io/velero/velero-plugin-for-aws
    veleroPluginAws: "velero/velero-plugin-for-aws:v1.14.2",
    /** The collector chart names no default image; contrib carries the Prometheus exporter. Tag = the chart's appVersion. */
    // renovate: datasource=docker packageName=docker.io/otel/opentelemetry-collector-contrib
    openTelemetryCollector: { repository: "otel/opentelemetry-collector-contrib", tag: "0.158.0" },
} as const;

/** The proxy istiod injects into meshed pods (sidecars and the ingress gateway); its directory is Istio's hub. */
export const MESH_PROXY_IMAGE = "istio/proxyv2";

/** An image path in the platform registry, or (no registry: the local stack) at its upstream. */
export function imageFrom(registry: string | undefined, path: string): string {
    return registry === undefined ? upstreamImage(path) : `${registry}/${path}`;
}

/** How Helm names a pinned chart: an OCI reference on its own, or a chart name within an HTTP repository. */
export function chartReference(pin: ChartPin): { chart: string; repository?: string } {
    return pin.repository.startsWith("oci://") ? { chart: `${pin.repository}/${pin.chart}` } : { chart: pin.chart, repository: pin.repository };
}

/** Hosts the charts above download from (repositories and their content hosts); only the phase-2 runners fetch charts. */
export function chartRepositoryHosts(): string[] {
    const charts: ChartPin[] = Object.values(CHARTS);
    const hosts = charts.flatMap((pin) => [new URL(pin.repository).hostname, ...(pin.contentHosts ?? [])]);
    return [...new Set(hosts)].sort();
}

/**
 * The phase-2 runner image (components/runners/image/Dockerfile): GitHub's runner and the tools the deploy workflow
 * runs, baked in so a job downloads none of them. The image tag is derived from these pins, `.nvmrc` and the image
 * folder's files (components/runners/image.ts), so a change to any of them builds and deploys a new tag.
 */
export const RUNNER_IMAGE_TOOLS = {
    /**
     * actions/runner release; GitHub stops queueing jobs for a runner 30 days after a newer release
     * (docs.github.com, "Communicating with self-hosted runners"): the image workflow's weekly check fails first.
     */
    // renovate: datasource=github-releases packageName=actions/runner extractVersion=^v(?<version>.+)$
    runner: "2.336.0",
    /** The CLI the deploy workflow pins (pulumi/actions then downloads none). */
    // renovate: datasource=github-releases packageName=pulumi/pulumi extractVersion=^v(?<version>.+)$
    pulumi: "3.274.1",
    /**
     * >= 0.2.0: in workloadidentity mode with GitHub's ACTIONS_ID_TOKEN_REQUEST_* variables set, kubelogin fetches a
     * fresh GitHub OIDC token for every Entra token itself (pkg/internal/token/provider.go, GithubActionsCredential).
     */
    // renovate: datasource=github-releases packageName=Azure/kubelogin extractVersion=^v(?<version>.+)$
    kubelogin: "0.2.19",
    /** azure/login and the provider registration script run `az` (PyPI azure-cli). */
    // renovate: datasource=pypi packageName=azure-cli
    azureCli: "2.91.0",
} as const;

/** The runner image's repository in the platform registry, cached from the repository's GitHub packages. */
export const RUNNER_IMAGE_REPOSITORY = "platform/github-runner";
