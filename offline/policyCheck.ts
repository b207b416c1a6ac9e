/**
 * Evaluates the packs' own policy objects over a checkpoint the way the policy analyzer does: resource
 * policies on each resource's inputs, stack policies on all resources, unknown values skipping a policy
 * (reported advisory, as `pulumi preview` does). Works on `npm run plan` output and `pulumi stack export`.
 */
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { PACKS, type PackDefinition } from "../policies/packs";
import { isSecretEnvelope, type Checkpoint, type CheckpointResource } from "./checkpoint";
import { SIG_KEY, UNKNOWN } from "./engine";

// The analyzer's own helpers: properties become plain JSON, and reading an unknown throws UnknownValueError.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T extends object>(value: T): T;
    UnknownValueError: new (...args: unknown[]) => Error;
};

const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export interface Violation {
    urn: string;
    policy: string;
    pack: string;
    enforcementLevel: EnforcementLevel;
    message: string;
}

/** Per-policy settings, as `pulumi preview --policy-pack-config` reads them; the key `all` applies to every policy. */
export type PolicyConfig = Record<string, EnforcementLevel | { enforcementLevel?: EnforcementLevel; [key: string]: unknown }>;

/** Converts checkpoint values to what the analyzer receives: redacted secrets are unknown, references are ids. */
function toAnalyzerValue(value: unknown): unknown {
    if (isSecretEnvelope(value)) {
        return "value" in value ? toAnalyzerValue(value["value"]) : UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(toAnalyzerValue);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === RESOURCE_REFERENCE_SIG) {
            return record["id"] ?? record["urn"];
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, toAnalyzerValue(v)]));
    }
    return value;
}

function settingsFor(config: PolicyConfig | undefined, policyName: string): { enforcementLevel?: EnforcementLevel; [key: string]: unknown } {
    const entry = config?.[policyName] ?? config?.["all"];
    return typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
}

function levelFor(pack: PackDefinition, policy: { name: string; enforcementLevel?: EnforcementLevel }, config?: PolicyConfig): EnforcementLevel {
    const level = settingsFor(config, policy.name).enforcementLevel ?? policy.enforcementLevel ?? pack.enforcementLevel;
    // A violation left after remediation is reported as mandatory, as the analyzer does.
    return level === "remediate" ? "mandatory" : level;
}

function notApplicable(reason?: string): never {
    throw Object.assign(new Error(reason ?? "not applicable"), { notApplicable: true });
}

/** Generated resource classes carry their type token in `__pulumiType`, which the analyzer compares. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    return (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType === type;
}

function policyResource(r: CheckpointResource, props: Record<string, unknown>): PolicyResource {
    const name = r.urn.split("::").pop() ?? r.urn;
    return {
        type: r.type,
        props: unknownCheckingProxy(props),
        urn: r.urn,
        name,
        opts: {
            protect: r.protect ?? false,
            ignoreChanges: r.ignoreChanges ?? [],
            aliases: (r.aliases ?? []) as string[],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: r.additionalSecretOutputs ?? [],
            parent: r.parent,
        },
        dependencies: [],
        propertyDependencies: {},
        isType: (resourceClass: unknown) => isTypeOf(r.type, resourceClass),
        asType: (resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined),
    } as PolicyResource;
}

export async function evaluatePack(checkpoint: Checkpoint, pack: PackDefinition, config?: PolicyConfig): Promise<Violation[]> {
    const violations: Violation[] = [];
    const resources = checkpoint.deployment.resources;
    for (const policy of pack.policies) {
        const enforcementLevel = levelFor(pack, policy, config);
        if (enforcementLevel === "disabled") {
            continue;
        }
        const getConfig = () => {
            const { enforcementLevel: _ignored, ...rest } = settingsFor(config, policy.name);
            return rest;
        };
        const run = async (urn: string, call: (report: (message: string, urn?: string) => void) => unknown) => {
            try {
                await call((message, reportedUrn) => violations.push({ urn: reportedUrn ?? urn, policy: policy.name, pack: pack.name, enforcementLevel, message }));
            } catch (err) {
                if (err instanceof UnknownValueError) {
                    violations.push({ urn, policy: policy.name, pack: pack.name, enforcementLevel: "advisory", message: `can't run policy '${policy.name}' during preview: ${(err as Error).message}` });
                } else if (!(err as { notApplicable?: boolean }).notApplicable) {
                    throw err;
                }
            }
        };
        if ("validateResource" in policy && policy.validateResource) {
            const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const r of resources) {
                const resource = policyResource(r, toAnalyzerValue(r.inputs ?? {}) as Record<string, unknown>);
                const args = { ...resource, getConfig, notApplicable, stackTags: new Map() } as unknown as ResourceValidationArgs;
                for (const validate of validations) {
                    await run(r.urn, (report) => validate(args, report));
                }
            }
        } else if ("validateStack" in policy) {
            // The analyzer gives stack policies the resources' outputs; a plan's outputs echo its inputs.
            const all = resources.map((r) => policyResource(r, toAnalyzerValue(r.outputs ?? r.inputs ?? {}) as Record<string, unknown>));
            const byUrn = new Map(all.map((r) => [r.urn, r]));
            resources.forEach((r, i) => {
                all[i]!.parent = r.parent ? byUrn.get(r.parent) : undefined;
                all[i]!.dependencies = (r.dependencies ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
            });
            const args = { resources: all, getConfig, notApplicable, stackTags: new Map() } as unknown as StackValidationArgs;
            await run("", (report) => policy.validateStack(args, report));
        }
    }
    return violations;
}

/** `configs` maps a pack name to its policy config, as each `--policy-pack` takes its own `--policy-pack-config`. */
export async function evaluatePacks(checkpoint: Checkpoint, options: { pack?: string; configs?: Record<string, PolicyConfig | undefined> } = {}): Promise<Violation[]> {
    const packs = PACKS.filter((p) => options.pack === undefined || p.name === options.pack);
    if (packs.length === 0) {
        throw new Error(`no pack named ${JSON.stringify(options.pack)}; packs: ${PACKS.map((p) => p.name).join(", ")}`);
    }
    const results = await Promise.all(packs.map((p) => evaluatePack(checkpoint, p, options.configs?.[p.name])));
    return results.flat();
}
