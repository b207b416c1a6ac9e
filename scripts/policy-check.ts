/**
 * npm run policy:check -- <checkpoint.json> [--stack <name> | --pack <name> [--config <file>] ...] [--json]
 * Evaluates the packs in policies/ over a plan checkpoint or a `pulumi stack export` file, each pack with the config
 * the CLI would give it: `--stack` takes the stack's configs (as its previews and the deploy workflow pass them);
 * `--pack`/`--config` pairs by position, as `--policy-pack`/`--policy-pack-config` do. Without either, each pack
 * runs at its own defaults (platform-baseline advisory).
 * Exit 0: no mandatory violation; 1: at least one; 2: unreadable input or bad arguments.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { CheckpointError, parseCheckpoint } from "../offline/checkpoint";
import { PROJECT_DIR } from "../offline/engine";
import { evaluatePacks, packDirs } from "../offline/policyCheck";
import { readPolicyConfig, stackPolicyConfigFiles, type PolicyConfig } from "../offline/policyConfig";
import { renderViolations } from "../offline/report";

const USAGE = "usage: npm run policy:check -- <checkpoint.json> [--stack <name> | --pack <name> [--config <policy-config.json>] ...] [--json]";

class UsageError extends Error {}

/** A path as the user typed it: npm runs the script in the project, the user's shell was in INIT_CWD. */
const fromUser = (file: string) => path.resolve(process.env["INIT_CWD"] ?? process.cwd(), file);

/** Which packs run, and the config file each gets (undefined: the pack's defaults). */
function packConfigFiles(stack: string | undefined, packs: string[], configs: string[]): Record<string, string | undefined> {
    if (stack !== undefined && (packs.length > 0 || configs.length > 0)) {
        throw new UsageError("--stack gives every pack its config: give --stack, or --pack/--config pairs, not both");
    }
    if (stack !== undefined) {
        return stackPolicyConfigFiles(stack);
    }
    // pkg/cmd/pulumi/policy/policy_analyze.go (and up.go): no configs, or one per pack, paired by position.
    if (configs.length > 0 && configs.length !== packs.length) {
        throw new UsageError(`${configs.length} --config for ${packs.length} --pack: give one --config per --pack, in the same order, or none`);
    }
    const chosen = packs.length > 0 ? packs : Object.keys(packDirs());
    return Object.fromEntries(chosen.map((pack, i) => [pack, configs[i] === undefined ? undefined : fromUser(configs[i]!)]));
}

async function main(): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            allowPositionals: true,
            options: {
                stack: { type: "string" },
                pack: { type: "string", multiple: true, default: [] },
                config: { type: "string", multiple: true, default: [] },
                json: { type: "boolean", default: false },
            },
        });
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const { values, positionals } = parsed;
    let files;
    try {
        if (positionals.length !== 1) {
            throw new UsageError("one checkpoint file");
        }
        files = packConfigFiles(values.stack, values.pack, values.config);
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    let checkpoint;
    let configs: Record<string, PolicyConfig | undefined>;
    try {
        checkpoint = parseCheckpoint(fs.readFileSync(fromUser(positionals[0]!), "utf8"));
        configs = Object.fromEntries(Object.entries(files).map(([pack, file]) => [pack, file === undefined ? undefined : readPolicyConfig(file)]));
    } catch (err) {
        const reason = err instanceof CheckpointError || err instanceof SyntaxError ? err.message : (err as NodeJS.ErrnoException).code ?? String(err);
        console.error(`cannot read input: ${reason}`);
        return 2;
    }
    let violations;
    try {
        violations = await evaluatePacks(checkpoint, { packs: Object.keys(files), configs });
    } catch (err) {
        console.error((err as Error).message);
        return 2;
    }
    if (values.json) {
        console.log(JSON.stringify({ configs: files, violations }, null, 2));
    } else {
        console.log(`Packs: ${Object.entries(files).map(([pack, file]) => `${pack} (${file === undefined ? "its defaults" : path.relative(PROJECT_DIR, file)})`).join(", ")}`);
        console.log(renderViolations(violations));
    }
    return violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(3);
});
