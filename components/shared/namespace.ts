import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/** Pod Security Standards level enforced on a namespace by the built-in admission controller. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export interface PlatformNamespaceArgs {
    name: string;
    /** `privileged` only where a node agent needs the host (eBPF, node metrics, CNI); say why at the call. */
    podSecurity: PodSecurityLevel;
    /** Inject the mesh sidecar into the namespace's pods. */
    meshInjection?: boolean;
}

/** A namespace the platform owns, with Pod Security admission enforced, audited and warned at one level. */
export function platformNamespace(resourceName: string, args: PlatformNamespaceArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    const level = args.podSecurity;
    return new k8s.core.v1.Namespace(resourceName, {
        metadata: {
            name: args.name,
            labels: {
                "app.kubernetes.io/part-of": "platform",
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/audit": level,
                "pod-security.kubernetes.io/warn": level,
                ...(args.meshInjection ? { "istio-injection": "enabled" } : {}),
            },
        },
    }, opts);
}
