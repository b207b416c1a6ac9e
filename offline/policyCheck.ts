/**
 * Evaluates the policy packs over a checkpoint through their real Analyzer servers, started and called as
 * the Pulumi CLI does (./analyzer.ts), from the pack folders themselves: resource policies get each
 * resource's inputs, stack policies the outputs with parents and dependencies, in the engine's wire format.
 * This is the only evaluation path: `npm run plan`, `npm run policy:check` and the tests all go through it.
 * Works on `npm run plan` output and on `pulumi stack export`.
 */
import type { EnforcementLevel } from "@pulumi/policy";
import { PackServer, type AnalyzerResource } from "./analyzer";
import { packDirs } from "./packBundle";
import { isSecretEnvelope, type Checkpoint, type CheckpointResource } from "./checkpoint";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "./engine";
import { reconcilePolicyConfig, type PolicyConfig } from "./policyConfig";

const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export interface Violation {
    urn: string;
    policy: string;
    pack: string;
    enforcementLevel: EnforcementLevel;
    message: string;
}

export { packDirs };

const servers = new Map<string, Promise<PackServer>>();

/** The server of the named pack for this process, started from its folder on first use. */
export function packServer(name: string): Promise<PackServer> {
    let server = servers.get(name);
    if (!server) {
        const dir = packDirs()[name];
        server = dir ? PackServer.start(dir) : Promise.reject(new Error(`no pack named ${JSON.stringify(name)}; packs: ${Object.keys(packDirs()).join(", ")}`));
        servers.set(name, server);
    }
    return server;
}

export async function closePackServers(): Promise<void> {
    const all = await Promise.allSettled(servers.values());
    servers.clear();
    for (const s of all) {
        if (s.status === "fulfilled") {
            s.value.close();
        }
    }
}

/**
 * Checkpoint values as the engine marshals them for the analyzer (FilterProperties with KeepUnknowns and
 * KeepSecrets): secrets stay wrapped (a redacted one has no plaintext here, so it is unknown), resource
 * references are downgraded to their ids.
 */
function toWireValue(value: unknown): unknown {
    if (isSecretEnvelope(value)) {
        return { [SIG_KEY]: SECRET_SIG, value: "value" in value ? toWireValue(value["value"]) : UNKNOWN };
    }
    if (Array.isArray(value)) {
        return value.map(toWireValue);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
            return record["id"] ?? record["urn"];
        }
        return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toWireValue(v)]));
    }
    return value;
}

function analyzerResource(r: CheckpointResource, properties: Record<string, unknown> | undefined): AnalyzerResource {
    return {
        urn: r.urn,
        type: r.type,
        properties: toWireValue(properties ?? {}) as Record<string, unknown>,
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        aliases: r.aliases,
        additionalSecretOutputs: r.additionalSecretOutputs,
        deleteBeforeReplace: r.deleteBeforeReplace,
        parent: r.parent,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
    };
}

/** One preview's analysis of `checkpoint` by a running pack server, with `config` merged as the CLI merges it. */
export async function evaluateWith(server: PackServer, checkpoint: Checkpoint, config?: PolicyConfig): Promise<Violation[]> {
    // Every registered resource is analyzed, providers and the stack included (step_generator.go generateSteps);
    // in a deployed stack's state, not those pending deletion (`pulumi policy analyze`, analyze_snapshot.go).
    const resources = checkpoint.deployment.resources.filter((r) => !r.delete);
    const diagnostics = await server.run(
        reconcilePolicyConfig(server.info, config),
        resources.map((r) => analyzerResource(r, r.inputs)),
        // A preview's stack analysis sees what the engine holds as outputs: nothing for a resource that has none.
        resources.map((r) => analyzerResource(r, r.outputs)),
    );
    return diagnostics.map((d) => ({ urn: d.urn, policy: d.policy, pack: d.pack, enforcementLevel: d.enforcementLevel, message: d.message }));
}

export async function evaluatePack(checkpoint: Checkpoint, packName: string, config?: PolicyConfig): Promise<Violation[]> {
    return evaluateWith(await packServer(packName), checkpoint, config);
}

/**
 * `packs` names the packs to run (all by default); `configs` maps a pack name to its policy config, as each
 * `--policy-pack` takes its own `--policy-pack-config`.
 */
export async function evaluatePacks(checkpoint: Checkpoint, options: { packs?: readonly string[]; configs?: Record<string, PolicyConfig | undefined> } = {}): Promise<Violation[]> {
    const known = Object.keys(packDirs());
    const unknown = (options.packs ?? []).filter((name) => !known.includes(name));
    if (unknown.length > 0) {
        throw new Error(`no pack named ${JSON.stringify(unknown[0])}; packs: ${known.join(", ")}`);
    }
    const names = options.packs ?? known;
    const results = await Promise.all(names.map((name) => evaluatePack(checkpoint, name, options.configs?.[name])));
    return results.flat();
}
