import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/** Pod Security Standards level enforced on a namespace by the built-in admission controller. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** What every in-cluster component is handed besides its provider: facts about the cluster it runs in. */
export interface ClusterContext {
    /** Where the API server answers (the private endpoint's subnet on AKS); controllers' egress is allowed there. */
    apiServerCidrs: string[];
    /** The Istio revision workloads are injected with (namespace label `istio.io/rev`). */
    meshRevision: string;
    /** The namespace Prometheus scrapes from. */
    monitoringNamespace: string;
    /**
     * The platform registry's login server, whose cache rules serve every image (versions.ts REGISTRY_CACHE_RULES);
     * absent on the local stack, where images come from their upstreams.
     */
    imageRegistry?: string;
    /** The StorageClass of the platform's volumes (AKS's built-in `managed-csi-premium`); absent: the cluster's default. */
    storageClass?: string;
}

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type NetworkPolicyPort = k8s.types.input.networking.v1.NetworkPolicyPort;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** An OTLP receiver: the address workloads send to, and the egress rule that lets a namespace's pods reach it. */
export interface TelemetryEndpoint {
    host: string;
    grpcPort: number;
    egress: { to: NetworkPolicyPeer[]; ports: NetworkPolicyPort[] };
}

export interface PlatformNamespaceArgs {
    name: string;
    /** `privileged` only where a node agent needs the host (eBPF, node metrics, CNI); say why at the call. */
    podSecurity: PodSecurityLevel;
    /** Inject the mesh sidecar into the namespace's pods. */
    meshInjection?: boolean;
    /** The components here talk to the Kubernetes API (controllers, operators, webhooks' clients). */
    talksToApiServer?: boolean;
    /** Further allowed inbound traffic, beyond same-namespace, the mesh and scraping (no ports: every port). */
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    /** Further allowed outbound traffic, beyond DNS, same-namespace, the mesh control plane and the API server. */
    egress?: { to: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
}

/** A NetworkPolicy peer: every pod in the namespace `name`. */
export const namespaceSelector = (name: string): NetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

/**
 * A namespace the platform owns: Pod Security admission enforced, audited and warned at one level, and
 * NetworkPolicies that deny everything except DNS, traffic inside the namespace, the mesh control plane,
 * Prometheus scraping, the API server where needed, and what the caller allows explicitly.
 */
export function platformNamespace(resourceName: string, args: PlatformNamespaceArgs, cluster: ClusterContext, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    const level = args.podSecurity;
    const namespace = new k8s.core.v1.Namespace(resourceName, {
        metadata: {
            name: args.name,
            labels: {
                "app.kubernetes.io/part-of": "platform",
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/audit": level,
                "pod-security.kubernetes.io/warn": level,
                ...(args.meshInjection ? { "istio.io/rev": cluster.meshRevision } : {}),
            },
        },
    }, opts);
    const inNamespace = { ...opts, dependsOn: [namespace] };
    const metadata = (name: string) => ({ name, namespace: args.name });

    new k8s.networking.v1.NetworkPolicy(`${resourceName}-default-deny`, {
        metadata: metadata("default-deny"),
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    }, inNamespace);
    new k8s.networking.v1.NetworkPolicy(`${resourceName}-allow-platform`, {
        metadata: metadata("allow-platform"),
        spec: allowPlatformSpec(cluster, args),
    }, inNamespace);
    return namespace;
}

/**
 * What a namespace's pods may do despite its default-deny: talk inside the namespace, be scraped by Prometheus
 * (including the sidecars' merged metrics on 15020), resolve names, fetch configuration and certificates from
 * istiod, reach the API server where needed, and what the caller adds. Platform namespaces and the application
 * namespaces Kyverno prepares get the same base.
 */
export function allowPlatformSpec(cluster: ClusterContext, args: Pick<PlatformNamespaceArgs, "talksToApiServer" | "ingress" | "egress">): NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [
            { from: [{ podSelector: {} }] },
            { from: [namespaceSelector(cluster.monitoringNamespace)] },
            ...(args.ingress ?? []),
        ],
        egress: [
            { to: [{ podSelector: {} }] },
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            },
            // Sidecars and gateways fetch configuration and certificates from istiod.
            { to: [{ ...namespaceSelector("istio-system"), podSelector: { matchLabels: { app: "istiod" } } }], ports: [{ protocol: "TCP", port: 15012 }] },
            ...(args.talksToApiServer ? [{ to: cluster.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 443 }] }] : []),
            ...(args.egress ?? []),
        ],
    };
}
