import * as pulumi from "@pulumi/pulumi";
import { platformNamespace } from "../shared/namespace";

export interface ObservabilityArgs {
    /** Namespace for Prometheus, Grafana, Loki, Tempo and the collectors. */
    namespace?: string;
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
        const ns = platformNamespace(`${name}-ns`, { name: args.namespace ?? "monitoring", podSecurity: "privileged" }, { parent: this });
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
