import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyConfig } from "./policyCheck";
import { PROJECT_DIR } from "./engine";

export function readPolicyConfig(file: string): PolicyConfig {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfig;
}

/** Each pack's per-stack config checked into policies/config/ (`baseline-prod.json` for platform-baseline in prod). */
export function stackPolicyConfigs(stack: string): Record<string, PolicyConfig | undefined> {
    const file = path.join(PROJECT_DIR, "policies", "config", `baseline-${stack}.json`);
    return { "platform-baseline": fs.existsSync(file) ? readPolicyConfig(file) : undefined };
}
