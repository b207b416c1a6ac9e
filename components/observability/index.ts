import * as pulumi from "@pulumi/pulumi";
import { platformNamespace, type ClusterContext } from "../shared/namespace";

export interface ObservabilityArgs {
    cluster: ClusterContext;
}

/**
 * Metrics, logs and traces. So far: the namespace; kube-prometheus-stack, Loki, Tempo and the
 * OpenTelemetry Collector come with the observability issue.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        // node-exporter reads host metrics (hostNetwork, hostPID, host paths).
        const ns = platformNamespace(`${name}-ns`, { name: args.cluster.monitoringNamespace, podSecurity: "privileged", talksToApiServer: true }, args.cluster, { parent: this });
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
