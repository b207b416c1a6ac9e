import * as pulumi from "@pulumi/pulumi";
import { platformNamespace } from "../shared/namespace";

export interface CertManagerArgs {
    /** Namespace for the controller, webhook and cainjector. */
    namespace?: string;
}

/**
 * cert-manager and the platform's private CA issuer. So far: its namespace; the chart, the PKI and the
 * ClusterIssuer come with the certificates issue.
 */
export class CertManager extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: CertManagerArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:certmanager:CertManager", name, {}, opts);
        const ns = platformNamespace(`${name}-ns`, { name: args.namespace ?? "cert-manager", podSecurity: "restricted" }, { parent: this });
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
