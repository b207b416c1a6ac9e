/** Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI hands config to the program. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export interface StackConfig {
    project: string;
    stack: string;
    /** Full keys (`namespace:key`) to the string form the runtime receives (objects as JSON). */
    config: Record<string, string>;
    /** Keys whose value (or part of it) came from a `secure:` entry. */
    secretKeys: string[];
}

/** Stands in for a decrypted secret offline: no key material exists here, and none is needed. */
export const SECRET_PLACEHOLDER = "offline-placeholder-secret";

export class StackFileError extends Error {}

function readYaml(file: string): unknown {
    if (!fs.existsSync(file)) {
        throw new StackFileError(`${file} does not exist`);
    }
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackFileError(`${file} is not valid YAML: ${(err as Error).message}`);
    }
}

function isSecure(value: unknown): value is { secure: string } {
    return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}

/** Replaces `secure:` entries with the placeholder; reports whether any was found. */
function decryptOffline(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) {
        return { value: SECRET_PLACEHOLDER, secret: true };
    }
    if (Array.isArray(value)) {
        const items = value.map(decryptOffline);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, decryptOffline(v)] as const);
        return { value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])), secret: entries.some(([, v]) => v.secret) };
    }
    return { value, secret: false };
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const projectFile = readYaml(path.join(projectDir, "Pulumi.yaml")) as { name?: unknown };
    if (typeof projectFile?.name !== "string") {
        throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")} has no project name`);
    }
    const project = projectFile.name;
    const stackFile = (readYaml(path.join(projectDir, `Pulumi.${stack}.yaml`)) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, rawValue] of Object.entries(stackFile.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        const { value, secret } = decryptOffline(rawValue);
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) {
            secretKeys.push(key);
        }
    }
    return { project, stack, config, secretKeys };
}
