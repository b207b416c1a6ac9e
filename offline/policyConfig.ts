/**
 * `--policy-pack-config` files, read and merged the way the Pulumi CLI does it
 * (pkg/resource/analyzer/config.go at v3.274.1): each policy starts at its own level, the pack's initial
 * config applies, then the file: `all` sets every policy's level first, then each named entry overrides
 * it, keeping properties it does not set. Unlike the CLI, a key that is neither `all` nor a policy of the
 * pack is an error here: the CLI accepts a misspelt policy name silently.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel } from "@pulumi/policy";
import type { PackInfo, PolicySettings } from "./analyzer";
import { PROJECT_DIR } from "./engine";

/** A config file's entries: a bare level, or an object with an optional `enforcementLevel` and properties. */
export type PolicyConfig = Record<string, EnforcementLevel | { enforcementLevel?: EnforcementLevel; [key: string]: unknown }>;

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {}

function parseEntry(key: string, value: unknown): Partial<PolicySettings> {
    const level = (candidate: unknown): EnforcementLevel => {
        if (typeof candidate !== "string" || !ENFORCEMENT_LEVELS.includes(candidate as EnforcementLevel)) {
            throw new PolicyConfigError(`policy config "${key}": ${JSON.stringify(candidate)} is not an enforcement level; allowed: ${ENFORCEMENT_LEVELS.join(", ")}`);
        }
        return candidate as EnforcementLevel;
    };
    if (typeof value === "string") {
        return { enforcementLevel: level(value) };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new PolicyConfigError(`policy config "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    return {
        ...(enforcementLevel === undefined ? {} : { enforcementLevel: level(enforcementLevel) }),
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
    };
}

function applyConfig(result: Record<string, PolicySettings>, config: Record<string, Partial<PolicySettings>>): Record<string, PolicySettings> {
    const all = config["all"]?.enforcementLevel;
    if (all) {
        for (const [name, settings] of Object.entries(result)) {
            result[name] = { ...settings, enforcementLevel: all };
        }
    }
    for (const [name, given] of Object.entries(config)) {
        const current = result[name];
        const properties = given.properties || current?.properties ? { ...current?.properties, ...given.properties } : undefined;
        // The CLI passes `all` itself through to Configure too, and refuses an entry left without a level.
        const enforcementLevel = given.enforcementLevel ?? current?.enforcementLevel;
        if (!enforcementLevel) {
            throw new PolicyConfigError(`policy config "${name}": no enforcement level (Configure would reject it)`);
        }
        result[name] = { enforcementLevel, ...(properties ? { properties } : {}) };
    }
    return result;
}

/** The map the CLI sends to Configure for this pack and config file. */
export function reconcilePolicyConfig(info: PackInfo, config: PolicyConfig | undefined): Record<string, PolicySettings> {
    const known = new Set(info.policies.map((p) => p.name));
    const parsed: Record<string, Partial<PolicySettings>> = {};
    for (const [key, value] of Object.entries(config ?? {})) {
        if (key !== "all" && !known.has(key)) {
            throw new PolicyConfigError(`policy config key "${key}" is neither "all" nor a policy of pack ${info.name}; its policies: ${[...known].join(", ")}`);
        }
        parsed[key] = parseEntry(key, value);
    }
    const defaults = Object.fromEntries(info.policies.map((p) => [p.name, { enforcementLevel: p.enforcementLevel }])) as Record<string, PolicySettings>;
    return applyConfig(applyConfig(defaults, info.initialConfig), parsed);
}

export function readPolicyConfig(file: string): PolicyConfig {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfig;
}

/**
 * The config file each pack gets in a stack's previews, as docs/setup.md's commands and the deploy workflow pass them:
 * tls.json, and baseline-<stack>.json (a stack without one, like local, runs the baseline pack at its defaults).
 */
export function stackPolicyConfigFiles(stack: string): Record<string, string | undefined> {
    const file = (name: string) => path.join(PROJECT_DIR, "policies", "config", name);
    const baseline = file(`baseline-${stack}.json`);
    return {
        "platform-tls": file("tls.json"),
        "platform-baseline": fs.existsSync(baseline) ? baseline : undefined,
    };
}

/** The configs of stackPolicyConfigFiles, read. */
export function stackPolicyConfigs(stack: string): Record<string, PolicyConfig | undefined> {
    return Object.fromEntries(Object.entries(stackPolicyConfigFiles(stack)).map(([pack, file]) => [pack, file === undefined ? undefined : readPolicyConfig(file)]));
}
