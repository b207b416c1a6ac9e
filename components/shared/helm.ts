import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { chartReference, type ChartPin } from "../../versions";

export interface PinnedReleaseArgs {
    /** Namespace the release installs into; the caller creates it (so the dependency is explicit). */
    namespace: pulumi.Input<string>;
    values: pulumi.Input<Record<string, unknown>>;
    /** Helm release name; also the prefix of most of the chart's object names. */
    releaseName: string;
    /** How long Helm waits for the release's workloads to be ready (Helm's default: 300). */
    timeoutSeconds?: number;
}

/**
 * A `helm.v3.Release` of a chart pinned in versions.ts. v3 runs the chart's hooks (CRD upgrade jobs, webhooks'
 * certificate jobs), which `helm.v4.Chart` never does; the cost is that policies see only the values.
 */
export function pinnedRelease(name: string, pin: ChartPin, args: PinnedReleaseArgs, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    const { chart, repository } = chartReference(pin);
    return new k8s.helm.v3.Release(name, {
        name: args.releaseName,
        // An `oci://` chart needs no repository options (pulumi-kubernetes#1892: Release pulls OCI charts).
        chart,
        version: pin.version,
        ...(repository ? { repositoryOpts: { repo: repository } } : {}),
        namespace: args.namespace,
        values: args.values,
        // A failed upgrade rolls back instead of leaving a half-applied release.
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
        ...(args.timeoutSeconds ? { timeout: args.timeoutSeconds } : {}),
    }, opts);
}
