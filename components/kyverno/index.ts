import * as pulumi from "@pulumi/pulumi";
import { platformNamespace, type ClusterContext } from "../shared/namespace";

export interface KyvernoArgs {
    cluster: ClusterContext;
    namespace?: string;
}

/**
 * Admission policies. So far: the namespace; the Kyverno chart (HA in prod) and the platform's policies
 * come with the admission issue.
 */
export class Kyverno extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: KyvernoArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:kyverno:Kyverno", name, {}, opts);
        const ns = platformNamespace(`${name}-ns`, { name: args.namespace ?? "kyverno", podSecurity: "restricted", talksToApiServer: true }, args.cluster, { parent: this });
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
