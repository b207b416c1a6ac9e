/**
 * The graph as a Pulumi deployment checkpoint, the shape `pulumi stack export` writes, so the same tools
 * (policy:check, jq, diff) read a plan and a deployed stack alike. Secret values are redacted.
 */
import { SECRET_SIG, SIG_KEY, type Graph, type GraphResource } from "./engine";

export interface CheckpointResource {
    urn: string;
    custom: boolean;
    id?: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    parent?: string;
    protect?: boolean;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    provider?: string;
    aliases?: string[];
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    retainOnDelete?: boolean;
    additionalSecretOutputs?: string[];
    customTimeouts?: Record<string, unknown>;
    /** A replaced resource the engine has yet to delete (an update failed after creating its replacement). */
    delete?: boolean;
}

export interface Checkpoint {
    version: 3;
    deployment: {
        manifest: { time: string; magic: string; version: string };
        resources: CheckpointResource[];
    };
}

export const REDACTED = "[redacted]";

export function isSecretEnvelope(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Replaces every secret's plaintext with Pulumi's envelope carrying no value. */
export function redactSecrets(value: unknown): unknown {
    if (isSecretEnvelope(value)) {
        return { [SIG_KEY]: SECRET_SIG, ciphertext: REDACTED };
    }
    if (Array.isArray(value)) {
        return value.map(redactSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
    }
    return value;
}

function nonEmpty<T>(value: T[] | undefined): T[] | undefined {
    return value && value.length > 0 ? value : undefined;
}

function toCheckpointResource(r: GraphResource): CheckpointResource {
    return {
        urn: r.urn,
        custom: r.custom,
        id: r.id,
        type: r.type,
        inputs: redactSecrets(r.inputs) as Record<string, unknown>,
        outputs: redactSecrets(r.outputs) as Record<string, unknown>,
        parent: r.parent,
        protect: r.protect || undefined,
        dependencies: nonEmpty(r.dependencies),
        propertyDependencies: Object.keys(r.propertyDependencies).length > 0 ? r.propertyDependencies : undefined,
        provider: r.provider,
        aliases: nonEmpty(r.aliases),
        ignoreChanges: nonEmpty(r.ignoreChanges),
        deleteBeforeReplace: r.deleteBeforeReplace || undefined,
        retainOnDelete: r.retainOnDelete || undefined,
        additionalSecretOutputs: nonEmpty(r.additionalSecretOutputs),
        customTimeouts: r.customTimeouts,
    };
}

/** The manifest carries no clock time: two plans of one stack must be byte-identical. */
export function toCheckpoint(graph: Graph): Checkpoint {
    return {
        version: 3,
        deployment: {
            manifest: { time: "1970-01-01T00:00:00Z", magic: "offline-plan", version: `offline-plan (${graph.preview ? "preview" : "update"})` },
            resources: graph.resources.map(toCheckpointResource),
        },
    };
}

export class CheckpointError extends Error {}

/** Reads a checkpoint written by `npm run plan` or `pulumi stack export`. */
export function parseCheckpoint(text: string): Checkpoint {
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (err) {
        throw new CheckpointError(`not JSON: ${(err as Error).message}`);
    }
    const deployment = (data as { deployment?: { resources?: unknown } })?.deployment;
    if (!deployment || !Array.isArray(deployment.resources)) {
        throw new CheckpointError("not a Pulumi checkpoint: expected {\"version\":3,\"deployment\":{\"resources\":[...]}}");
    }
    for (const [index, r] of (deployment.resources as unknown[]).entries()) {
        const res = r as Partial<CheckpointResource>;
        if (typeof res?.urn !== "string" || typeof res.type !== "string") {
            throw new CheckpointError(`resource ${index} has no urn or type`);
        }
    }
    return data as Checkpoint;
}
