/**
 * The one place that reads stack config. Bad config fails here, before any resource is declared,
 * as a RunError (Pulumi prints its message without a stack trace).
 */
import * as pulumi from "@pulumi/pulumi";
import { formatIssues } from "./errors";
import { CONFIG_NAMESPACE, platformConfigSchema, type PlatformConfig } from "./schema";

export type { ClusterConfig, GatewayConfig, NetworkConfig, PlatformConfig, SubnetRole } from "./schema";

/** Top-level keys under `platform:`; each holds a scalar or a YAML object. */
const KEYS = Object.keys(platformConfigSchema.shape) as (keyof PlatformConfig)[];

export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration (${problems.length} problem${problems.length > 1 ? "s" : ""}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    }
}

/** Validates raw config values (as `pulumi config` stores them) into the typed config. */
export function parsePlatformConfig(raw: Record<string, unknown>): PlatformConfig {
    const unknownKeys = Object.keys(raw).filter((key) => !(KEYS as string[]).includes(key));
    const result = platformConfigSchema.safeParse(raw, { reportInput: true });
    const problems = [
        ...unknownKeys.map((key) => `${CONFIG_NAMESPACE}:${key}: is not a known key; known keys: ${KEYS.join(", ")}`),
        ...(result.success ? [] : formatIssues(result.error.issues)),
    ];
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems);
    }
    return result.data;
}

/** Reads every `platform:` key of the current stack. */
export function loadConfig(): PlatformConfig {
    const raw: Record<string, unknown> = {};
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (fullKey.startsWith(prefix)) {
            raw[fullKey.slice(prefix.length)] = parseConfigValue(text);
        }
    }
    return parsePlatformConfig(raw);
}

/** Pulumi hands every value over as a string; objects, lists, numbers and booleans arrive as JSON. */
function parseConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
