import * as pulumi from "@pulumi/pulumi";
import { platformNamespace } from "../shared/namespace";

export interface ServiceMeshArgs {
    /** Namespace for istiod and the istio-cni node agent. */
    systemNamespace?: string;
    /** Namespace for the ingress gateway behind the internal load balancer. */
    ingressNamespace?: string;
}

/**
 * Istio with strict mTLS and the mesh ingress gateway. So far: its namespaces; the charts, the plug-in CA
 * and the gateway come with the service mesh issue.
 */
export class ServiceMesh extends pulumi.ComponentResource {
    public readonly systemNamespace: pulumi.Output<string>;
    public readonly ingressNamespace: pulumi.Output<string>;

    constructor(name: string, args: ServiceMeshArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:mesh:ServiceMesh", name, {}, opts);
        // istio-cni's node agent writes the CNI config on the host, so the control plane namespace is privileged;
        // in exchange, workload pods need no NET_ADMIN init container and stay "restricted".
        const system = platformNamespace(`${name}-system-ns`, { name: args.systemNamespace ?? "istio-system", podSecurity: "privileged" }, { parent: this });
        const ingress = platformNamespace(`${name}-ingress-ns`, { name: args.ingressNamespace ?? "istio-ingress", podSecurity: "restricted", meshInjection: true }, { parent: this });
        this.systemNamespace = system.metadata.name;
        this.ingressNamespace = ingress.metadata.name;
        this.registerOutputs({ systemNamespace: this.systemNamespace, ingressNamespace: this.ingressNamespace });
    }
}
