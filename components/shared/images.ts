import { imageFrom } from "../../versions";
import type { ClusterContext } from "./namespace";

/** An image the program names itself: from the platform registry on AKS, from its upstream on the local stack. */
export function platformImage(cluster: ClusterContext, path: string): string {
    return imageFrom(cluster.imageRegistry, path);
}

/**
 * Chart values that point a chart's registry key at the platform registry (nothing on the local stack).
 * `at` builds the chart's own shape around the registry, e.g. `(r) => ({ global: { imageRegistry: r } })`.
 */
export function chartRegistry(cluster: ClusterContext, at: (registry: string) => Record<string, unknown>): Record<string, unknown> {
    return cluster.imageRegistry === undefined ? {} : at(cluster.imageRegistry);
}
