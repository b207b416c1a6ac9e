/** Turns schema issues into one line per problem: key path, value, what is allowed. */
import type { core } from "zod";
import { CONFIG_NAMESPACE } from "./schema";

type Issue = core.$ZodIssue;

export function keyPath(path: readonly PropertyKey[]): string {
    const [top, ...rest] = path.map(String);
    const tail = rest.map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join("");
    return `${CONFIG_NAMESPACE}:${top ?? "<root>"}${tail}`;
}

export function renderValue(value: unknown): string {
    if (value === undefined) {
        return "(not set)";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Stands in for the value of a secret key in messages. */
export const REDACTED_VALUE = "[secret]";

function describe(issue: Issue, secret: boolean): string {
    const input = (issue as { input?: unknown }).input;
    if (secret) {
        return input === undefined ? issue.message : `${REDACTED_VALUE} ${issue.message}`;
    }
    switch (issue.code) {
        case "invalid_type":
            return input === undefined
                ? `is required (expected ${issue.expected})`
                : `${renderValue(input)} is a ${Array.isArray(input) ? "array" : typeof input}, expected ${issue.expected}`;
        case "invalid_value": {
            const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
            return input === undefined ? `is required; allowed: ${allowed}` : `${renderValue(input)} is not allowed; allowed: ${allowed}`;
        }
        case "too_small":
            return Array.isArray(input)
                ? `has ${input.length} entries; at least ${issue.minimum} required`
                : `${renderValue(input)} is too small; minimum ${issue.minimum}`;
        case "too_big":
            return Array.isArray(input)
                ? `has ${input.length} entries; at most ${issue.maximum} allowed`
                : `${renderValue(input)} is too large; maximum ${issue.maximum}`;
        case "invalid_union": {
            // A discriminated union reports the whole object; the bad value is its discriminator.
            if (!("discriminator" in issue) || typeof issue.discriminator !== "string") {
                return `${renderValue(input)} ${issue.message}`;
            }
            const value = (input as Record<string, unknown> | undefined)?.[issue.discriminator];
            const allowed = ((issue as { options?: unknown[] }).options ?? []).map((v) => JSON.stringify(v)).join(", ");
            return value === undefined ? `is required; allowed: ${allowed}` : `${renderValue(value)} is not allowed; allowed: ${allowed}`;
        }
        case "unrecognized_keys":
            return `has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} (see the configuration table in docs/configuration.md)`;
        default:
            return `${renderValue(input)} ${issue.message}`;
    }
}

/** One line per issue; values under `secretKeys` are never printed. */
export function formatIssues(issues: readonly Issue[], secretKeys: readonly string[] = []): string[] {
    return issues.map((issue) => `${keyPath(issue.path)}: ${describe(issue, secretKeys.includes(String(issue.path[0])))}`);
}
