/**
 * Every chart and image source the platform pulls, pinned in one place. Components install charts from here;
 * the firewall allows exactly these hosts, so a new chart or registry is one reviewed edit.
 */

export interface ChartPin {
    chart: string;
    /** Helm repository URL. */
    repository: string;
    version: string;
}

export const CHARTS = {
    certManager: { chart: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.21.1" },
    istioBase: { chart: "base", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    istiod: { chart: "istiod", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    istioGateway: { chart: "gateway", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    istioCni: { chart: "cni", repository: "https://istio-release.storage.googleapis.com/charts", version: "1.30.3" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts", version: "88.5.3" },
    loki: { chart: "loki", repository: "https://grafana-community.github.io/helm-charts", version: "18.11.0" },
    tempo: { chart: "tempo", repository: "https://grafana-community.github.io/helm-charts", version: "2.2.4" },
    openTelemetryCollector: { chart: "opentelemetry-collector", repository: "https://open-telemetry.github.io/opentelemetry-helm-charts", version: "0.170.0" },
    alloy: { chart: "alloy", repository: "https://grafana.github.io/helm-charts", version: "1.11.1" },
    falco: { chart: "falco", repository: "https://falcosecurity.github.io/charts", version: "9.1.0" },
    kyverno: { chart: "kyverno", repository: "https://kyverno.github.io/kyverno", version: "3.9.0" },
    kyvernoPolicies: { chart: "kyverno-policies", repository: "https://kyverno.github.io/kyverno", version: "3.9.0" },
    velero: { chart: "velero", repository: "https://vmware-tanzu.github.io/helm-charts", version: "12.1.0" },
} as const satisfies Record<string, ChartPin>;

/** Istio's revision label: one per control-plane version, so an upgrade can run a second istiod beside the first. */
export const ISTIO_REVISION = `${CHARTS.istiod.version.replace(/\./g, "-")}`;

/** Gateway API CRDs, standard channel, installed once by the program (AKS's managed Gateway API stays off). */
export const GATEWAY_API_CRDS = {
    version: "v1.6.1",
    url: "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml",
} as const;

/** Images the program sets itself (chart images stay at each chart's pinned defaults). */
export const IMAGES = {
    /** Velero's object store and volume snapshotter for Azure; the 1.14 line pairs with Velero 1.18. */
    veleroPluginAzure: "docker.io/velero/velero-plugin-for-microsoft-azure:v1.14.0",
    /** Velero's object store for S3-compatible storage (the local stack). */
    veleroPluginAws: "docker.io/velero/velero-plugin-for-aws:v1.14.0",
    /** The collector chart names no default image; contrib carries the Prometheus exporter. Tag = the chart's appVersion. */
    openTelemetryCollector: { repository: "docker.io/otel/opentelemetry-collector-contrib", tag: "0.158.0" },
} as const;

/**
 * Container registries the charts' images come from, with the hosts each one redirects blob downloads to.
 * AKS's own images (mcr.microsoft.com) are covered by the AzureKubernetesService FQDN tag.
 */
export const IMAGE_REGISTRY_HOSTS: Record<string, readonly string[]> = {
    "docker.io": ["registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com"],
    "quay.io": ["quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"],
    "ghcr.io": ["ghcr.io", "pkg-containers.githubusercontent.com"],
    "registry.k8s.io": ["registry.k8s.io", "*.pkg.dev"],
    "reg.kyverno.io": ["reg.kyverno.io"],
};

/** Hosts of the Helm repositories above; only the phase-2 runners fetch charts. */
export function chartRepositoryHosts(): string[] {
    const hosts = Object.values(CHARTS).map((pin) => new URL(pin.repository).hostname);
    return [...new Set(hosts)].sort();
}
