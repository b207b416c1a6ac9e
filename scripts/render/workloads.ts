/**
 * What the rendered objects will run: pod templates of every workload kind, and the images named outside pod
 * templates that become containers later (the Prometheus Operator's custom resources and its flags, the proxy
 * istiod injects).
 */
import type { Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    hostNetwork?: boolean;
    [field: string]: unknown;
}
export interface Container {
    name: string;
    image?: string;
    args?: string[];
    command?: string[];
    env?: { name: string; value?: string }[];
    ports?: { containerPort: number; name?: string; protocol?: string }[];
    [field: string]: unknown;
}

export interface PodTemplate {
    source: string;
    chart?: string;
    owner: Manifest;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    spec: PodSpec;
}

const get = (o: unknown, ...keys: string[]): any => keys.reduce<any>((v, k) => (v && typeof v === "object" ? v[k] : undefined), o);

/** The pod template of a workload object, or undefined for other kinds. */
export function podTemplateOf(object: Manifest): { metadata: Record<string, any>; spec: PodSpec } | undefined {
    switch (object.kind) {
        case "Pod":
            return { metadata: object.metadata, spec: object["spec"] as PodSpec };
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return get(object, "spec", "template");
        case "CronJob":
            return get(object, "spec", "jobTemplate", "spec", "template");
        default:
            return undefined;
    }
}

export function podTemplates(objects: Sourced[]): PodTemplate[] {
    const templates: PodTemplate[] = [];
    for (const { source, chart, object } of objects) {
        const template = podTemplateOf(object);
        if (template?.spec) {
            templates.push({
                source,
                chart,
                owner: object,
                namespace: String(object.metadata["namespace"] ?? ""),
                labels: template.metadata?.["labels"] ?? {},
                annotations: template.metadata?.["annotations"] ?? {},
                spec: template.spec,
            });
        }
    }
    return templates;
}

export const allContainers = (spec: PodSpec): Container[] => [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];

export interface ImageUse {
    image: string;
    /** Where it is named: `<source> <Kind>/<name> <container or field>`. */
    where: string;
}

/** Istio's gateway chart and injection templates write `image: auto`; the injector replaces it with the proxy image. */
export const INJECTED_IMAGE = "auto";

/** A reference to an image in a registry: `host.domain[:port]/path[:tag][@sha256:digest]`. */
const IMAGE_IN_REGISTRY = /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/;

/** The Prometheus Operator's custom resources that become pods of the operator's making, with their own images. */
const OPERATOR_WORKLOADS = new Set(["Prometheus", "PrometheusAgent", "Alertmanager", "ThanosRuler"]);

/** The injector's values (istiod renders them into its ConfigMap `istio-sidecar-injector-<rev>`): the proxy image it injects. */
export function injectedProxyImages(objects: Sourced[]): ImageUse[] {
    const uses: ImageUse[] = [];
    for (const { source, object } of objects) {
        if (object.kind !== "ConfigMap" || !String(object.metadata["name"]).startsWith("istio-sidecar-injector")) {
            continue;
        }
        const values = JSON.parse(String(get(object, "data", "values"))) as { global: { hub: string; tag: string; proxy: { image: string }; variant?: string } };
        const { hub, tag, proxy, variant } = values.global;
        // istiod's injection template: an image with a "/" is used as is, else `<hub>/<image>:<tag>[-<variant>]`.
        const image = proxy.image.includes("/") ? proxy.image : `${hub}/${proxy.image}:${tag}${variant ? `-${variant}` : ""}`;
        uses.push({ image, where: `${source} ConfigMap/${object.metadata["name"]} (injected istio-proxy)` });
    }
    return uses;
}

/** Every image the rendered objects will run, each with where it is named. */
export function imageUses(objects: Sourced[]): ImageUse[] {
    const uses: ImageUse[] = [];
    for (const template of podTemplates(objects)) {
        const owner = `${template.source} ${template.owner.kind}/${template.owner.metadata["name"]}`;
        for (const container of allContainers(template.spec)) {
            uses.push({ image: container.image ?? "(none)", where: `${owner} ${container.name}` });
            // Images a controller passes on to what it creates (e.g. the operator's config-reloader): a reference
            // with a tag or digest, or any reference a flag named for an image carries (a base image has no tag).
            for (const value of [...(container.args ?? []), ...(container.command ?? []), ...(container.env ?? []).map((e) => e.value ?? "")]) {
                const [flag, candidate] = value.includes("=") ? [value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)] : ["", value];
                if (IMAGE_IN_REGISTRY.test(candidate) && (/[:@]/.test(candidate.split("/").slice(1).join("/")) || /image/i.test(flag))) {
                    uses.push({ image: candidate, where: `${owner} ${container.name} (argument ${value.split("=")[0]})` });
                }
            }
        }
    }
    for (const { source, object } of objects) {
        if (object.apiVersion.startsWith("monitoring.coreos.com/") && OPERATOR_WORKLOADS.has(object.kind)) {
            const spec = object["spec"] as PodSpec & { image?: string };
            const owner = `${source} ${object.kind}/${object.metadata["name"]}`;
            uses.push({ image: spec.image ?? "(the operator's default)", where: `${owner} spec.image` });
            for (const container of allContainers(spec).filter((c) => c.image)) {
                uses.push({ image: container.image!, where: `${owner} ${container.name}` });
            }
        }
    }
    return uses.filter((u) => u.image !== INJECTED_IMAGE).concat(injectedProxyImages(objects));
}

/** The planned ACR's cache rules: target repository (`path/*` or an exact path) to source. */
export interface CacheRule {
    target: string;
    source: string;
}

/** The upstream a registry path is cached from, through the first rule that covers it (ACR rules do not overlap). */
export function upstreamOf(path: string, rules: CacheRule[]): string | undefined {
    for (const { target, source } of rules) {
        if (target.endsWith("/*") ? path.startsWith(target.slice(0, -1)) : path === target) {
            return target.endsWith("/*") ? source.slice(0, -1) + path.slice(target.length - 1) : source;
        }
    }
    return undefined;
}

export interface ImageVerdict extends ImageUse {
    upstream?: string;
    /** What the cache pulls: the upstream repository with the image's tag and digest (none for a base repository). */
    upstreamReference?: string;
    problem?: string;
}

/**
 * Each image judged: under `<registry>/`, with a tag or digest (never an implicit latest), and its repository
 * mapped by a cache rule to an upstream (ACR serves a cached repository only through its rule).
 */
export function judgeImages(uses: ImageUse[], registry: string, rules: CacheRule[]): ImageVerdict[] {
    return uses.map((use) => {
        if (!use.image.startsWith(`${registry}/`)) {
            return { ...use, problem: `not in the platform registry ${registry}` };
        }
        const reference = use.image.slice(registry.length + 1);
        const repository = reference.split("@")[0]!.replace(/:[\w.-]+$/, "");
        const upstream = upstreamOf(repository, rules);
        if (!upstream) {
            return { ...use, problem: `no cache rule of ${registry} covers ${repository}` };
        }
        const pinned = reference.includes("@sha256:") || /:[\w.-]+$/.test(reference.split("@")[0]!);
        // A flag naming a base repository (the operator appends the version) is the one use without a tag.
        const baseImage = use.where.includes("(argument") && use.where.includes("base-image");
        if (!pinned && !baseImage) {
            return { ...use, upstream, problem: "no tag or digest" };
        }
        return { ...use, upstream, ...(pinned ? { upstreamReference: upstream + reference.slice(repository.length) } : {}) };
    });
}
