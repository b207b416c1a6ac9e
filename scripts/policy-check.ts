/**
 * npm run policy:check -- <checkpoint.json> [--pack <name>] [--config <policy-config.json>] [--json]
 * Evaluates the packs in policies/ over a plan checkpoint or a `pulumi stack export` file.
 * Exit 0: no mandatory violation; 1: at least one; 2: unreadable input or bad arguments.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { CheckpointError, parseCheckpoint } from "../offline/checkpoint";
import { evaluatePacks } from "../offline/policyCheck";
import { readPolicyConfig } from "../offline/policyConfig";
import { renderViolations } from "../offline/report";

const USAGE = "usage: npm run policy:check -- <checkpoint.json> [--pack <name>] [--config <policy-config.json>] [--json]";

async function main(): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            allowPositionals: true,
            options: { pack: { type: "string" }, config: { type: "string" }, json: { type: "boolean", default: false } },
        });
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1 || (values.config && !values.pack)) {
        console.error(`${USAGE}\n(--config belongs to one pack: give --pack with it)`);
        return 2;
    }
    let checkpoint;
    let configs;
    try {
        checkpoint = parseCheckpoint(fs.readFileSync(positionals[0]!, "utf8"));
        configs = values.config && values.pack ? { [values.pack]: readPolicyConfig(values.config) } : undefined;
    } catch (err) {
        const reason = err instanceof CheckpointError || err instanceof SyntaxError ? err.message : (err as NodeJS.ErrnoException).code ?? String(err);
        console.error(`cannot read input: ${reason}`);
        return 2;
    }
    let violations;
    try {
        violations = await evaluatePacks(checkpoint, { pack: values.pack, configs });
    } catch (err) {
        console.error((err as Error).message);
        return 2;
    }
    console.log(values.json ? JSON.stringify({ violations }, null, 2) : renderViolations(violations));
    return violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(3);
});
