import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/**
 * The typed custom-resource models the platform builds, from the maintained `@kubernetes-models/*` packages.
 * They are ES modules only, so they load asynchronously once, before any component is declared.
 */
export async function loadModels() {
    const [certManager, istioSecurity, istioNetworking, istioNetworkingAlpha, prometheus, kyverno] = await Promise.all([
        import("@kubernetes-models/cert-manager/cert-manager.io/v1"),
        import("@kubernetes-models/istio/security.istio.io/v1"),
        import("@kubernetes-models/istio/networking.istio.io/v1"),
        // EnvoyFilter is served in v1alpha3 only (Istio 1.30's CRDs).
        import("@kubernetes-models/istio/networking.istio.io/v1alpha3"),
        import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1"),
        import("@kubernetes-models/kyverno/kyverno.io/v1"),
    ]);
    return {
        Certificate: certManager.Certificate,
        ClusterIssuer: certManager.ClusterIssuer,
        PeerAuthentication: istioSecurity.PeerAuthentication,
        AuthorizationPolicy: istioSecurity.AuthorizationPolicy,
        RequestAuthentication: istioSecurity.RequestAuthentication,
        IstioGateway: istioNetworking.Gateway,
        DestinationRule: istioNetworking.DestinationRule,
        EnvoyFilter: istioNetworkingAlpha.EnvoyFilter,
        PodMonitor: prometheus.PodMonitor,
        ServiceMonitor: prometheus.ServiceMonitor,
        PrometheusRule: prometheus.PrometheusRule,
        ClusterPolicy: kyverno.ClusterPolicy,
    };
}

export type Models = Awaited<ReturnType<typeof loadModels>>;

interface Model {
    apiVersion: string;
    kind: string;
    validate(): void;
    toJSON(): unknown;
}

/**
 * Validates the model against its CRD schema (a bad field fails the program here), then declares it. `deployTime`
 * puts values known only at deploy (outputs of other resources) in place of the validated stand-ins of the same type.
 */
export function typedResource(
    name: string,
    model: Model,
    opts: pulumi.CustomResourceOptions,
    deployTime: (body: Record<string, any>) => Record<string, unknown> = (body) => body,
): k8s.apiextensions.CustomResource {
    model.validate();
    const { metadata, ...body } = model.toJSON() as { metadata?: k8s.types.input.meta.v1.ObjectMeta } & Record<string, unknown>;
    return new k8s.apiextensions.CustomResource(name, { ...deployTime(body), apiVersion: model.apiVersion, kind: model.kind, metadata }, opts);
}
