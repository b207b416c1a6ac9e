/**
 * A plan's Kubernetes objects as the manifests the provider applies: `kubernetes:<group>/<version>:<Kind>` is
 * `apiVersion: <group>/<version>` (`v1` for the core group) and `kind: <Kind>`, the inputs are the object. Secret
 * values never leave the plan: a Secret's data is replaced by a placeholder. Helm releases are charts, not objects.
 */
import type { Graph } from "./engine";
import { redacted, SECRET_PLACEHOLDER } from "./armTemplate";

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: Record<string, unknown>;
    [field: string]: unknown;
}

/** `kubernetes:core/v1:Secret` → `["v1", "Secret"]`; undefined for what is not an object (providers, releases, ConfigFiles). */
export function objectKind(pulumiType: string): [apiVersion: string, kind: string] | undefined {
    const match = /^kubernetes:([\w.-]+)\/(v[\w]+):(\w+)$/.exec(pulumiType);
    if (!match || match[1] === "helm.sh") {
        return undefined;
    }
    const [, group, version, kind] = match;
    return [group === "core" ? version! : `${group}/${version}`, kind!];
}

/** Every Kubernetes object the plan declares, with Secret data redacted. */
export function toManifests(graph: Graph): Manifest[] {
    const manifests: Manifest[] = [];
    for (const resource of graph.resources) {
        const kind = objectKind(resource.type);
        if (!kind) {
            continue;
        }
        const object = redacted(resource.inputs) as Record<string, unknown>;
        if (kind[1] === "Secret") {
            for (const field of ["data", "stringData"]) {
                if (object[field] !== undefined) {
                    object[field] = typeof object[field] === "object" ? Object.fromEntries(Object.keys(object[field] as object).map((k) => [k, SECRET_PLACEHOLDER])) : SECRET_PLACEHOLDER;
                }
            }
        }
        manifests.push({ ...object, apiVersion: kind[0], kind: kind[1], metadata: (object["metadata"] as Record<string, unknown>) ?? { name: resource.name } });
    }
    return manifests;
}
