/**
 * The one place that reads stack config. Bad config fails here, before any resource is declared,
 * as a RunError (Pulumi prints its message without a stack trace).
 */
import * as pulumi from "@pulumi/pulumi";
import { receiverEndpoints, type ReceiverEndpoint } from "./egress";
import { formatIssues } from "./errors";
import { CONFIG_NAMESPACE, KNOWN_KEYS, platformConfigSchema, SECRET_KEYS, type ParsedConfig } from "./schema";

export { APP_GATEWAY_DEFAULTS, FIXED_AFTER_CREATION, REPLACING_KEYS, UPGRADE_SURGE_NODES } from "./schema";
export type { ReceiverEndpoint } from "./egress";
export type { AdmissionConfig, ApplicationSecretsConfig, AzureStackConfig, BackupPolicyConfig, SuppliedCaConfig, ClusterConfig, GatewayConfig, LocalStackConfig, NetworkConfig, RunnersConfig, SecurityConfig, SubnetRole } from "./schema";

type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * The validated config, with every secret key as a secret Output so it never reaches state in plaintext, and the
 * critical-alert receivers' endpoints (hosts and ports only) the firewall lets the cluster reach.
 */
export type PlatformConfig = ParsedConfig extends infer T
    ? (T extends unknown ? Omit<T, SecretKey> & { [K in SecretKey]?: pulumi.Output<string> } & { receiverEndpoints: ReceiverEndpoint[] } : never)
    : never;
export type AzurePlatformConfig = Extract<PlatformConfig, { environment: "dev" | "prod" }>;

export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`Invalid stack configuration (${problems.length} problem${problems.length > 1 ? "s" : ""}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
    }
}

/** Validates raw config values (as `pulumi config` stores them) into the typed config. */
export function parsePlatformConfig(raw: Record<string, unknown>): PlatformConfig {
    const stackKind = raw["environment"] === "local" ? "local" : "azure";
    const known = KNOWN_KEYS[stackKind];
    const unknownKeys = Object.keys(raw).filter((key) => !known.includes(key));
    const result = platformConfigSchema.safeParse(raw, { reportInput: true });
    // Unknown top-level keys are reported above, with the keys this kind of stack accepts.
    const issues = result.success ? [] : result.error.issues.filter((issue) => !(issue.code === "unrecognized_keys" && issue.path.length === 0));
    const problems = [
        ...unknownKeys.map((key) => `${CONFIG_NAMESPACE}:${key}: is not a known key for a${stackKind === "azure" ? "n Azure" : " local"} stack; known keys: ${known.join(", ")}`),
        ...formatIssues(issues, SECRET_KEYS),
    ];
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems);
    }
    const config = { ...result.data, receiverEndpoints: receiverEndpoints(result.data) } as Record<string, unknown>;
    for (const key of SECRET_KEYS) {
        const value = result.data[key];
        config[key] = value === undefined ? undefined : pulumi.secret(value);
    }
    return config as PlatformConfig;
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
