import * as pulumi from "@pulumi/pulumi";
import { platformNamespace } from "../shared/namespace";

export interface VeleroArgs {
    namespace?: string;
}

/**
 * Backups to immutable storage. So far: the namespace; the storage account, workload identity, chart and
 * schedules come with the backup issue.
 */
export class Velero extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: VeleroArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:velero:Velero", name, {}, opts);
        // Volumes are backed up by CSI snapshots, so no privileged node agent is needed.
        const ns = platformNamespace(`${name}-ns`, { name: args.namespace ?? "velero", podSecurity: "restricted" }, { parent: this });
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
