import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { platformNamespace, type ClusterContext } from "../shared/namespace";

/** Falco's namespace (privileged: its eBPF probe loads into the host kernel). */
export const FALCO_NAMESPACE = "falco";

export interface FalcoArgs {
    cluster: ClusterContext;
    /** SIEM webhook (with its token), a secret Output from config; Falcosidekick forwards alerts to it. */
    siemWebhookUrl?: pulumi.Output<string>;
}

/** Secret Falcosidekick reads the SIEM webhook from (chart value `config.existingSecret`). */
export const SIEM_WEBHOOK_SECRET = "falcosidekick-siem-webhook";

/**
 * Runtime threat detection. So far: the namespace and the SIEM webhook secret; the Falco chart with the
 * modern eBPF driver, Falcosidekick and the platform rules come with the runtime security issue.
 */
export class Falco extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: FalcoArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:falco:Falco", name, {}, opts);
        // The eBPF probe loads into the host kernel.
        const ns = platformNamespace(`${name}-ns`, { name: FALCO_NAMESPACE, podSecurity: "privileged", talksToApiServer: true }, args.cluster, { parent: this });
        if (args.siemWebhookUrl) {
            new k8s.core.v1.Secret(`${name}-siem-webhook`, {
                metadata: { name: SIEM_WEBHOOK_SECRET, namespace: ns.metadata.name },
                // Falcosidekick's environment variable for its generic webhook output.
                stringData: { WEBHOOK_ADDRESS: args.siemWebhookUrl },
            }, { parent: this });
        }
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
