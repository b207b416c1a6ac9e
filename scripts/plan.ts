/**
 * npm run plan -- --stack <name> [--phase azure|all] [--json <file>] [--inventory <file.md>] [--update]
 * The offline preview: runs index.ts under mocks with the stack's config, prints the resource tree and the
 * policy verdicts, and optionally writes the graph as a `pulumi stack export`-shaped checkpoint.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { toCheckpoint } from "../offline/checkpoint";
import { ProgramError, runProgram } from "../offline/engine";
import { phaseOverrides } from "../offline/phaseOverrides";
import { evaluatePacks } from "../offline/policyCheck";
import { stackPolicyConfigs } from "../offline/policyConfig";
import { renderTree, renderViolations } from "../offline/report";
import { inventoryMarkdown } from "../offline/tlsInventory";
import { StackFileError } from "../offline/stackFiles";
import { ConfigError } from "../config";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { stack: { type: "string" }, phase: { type: "string" }, json: { type: "string" }, inventory: { type: "string" }, update: { type: "boolean", default: false } },
    });
    if (!values.stack) {
        console.error("usage: npm run plan -- --stack <name> [--phase azure|all] [--json <file>] [--inventory <file.md>] [--update]");
        return 2;
    }
    // --phase overrides platform:phase for this run, e.g. to preview phase 2 offline; the config module validates it.
    let graph;
    try {
        graph = await runProgram({ stack: values.stack, preview: !values.update, ...phaseOverrides(values.phase) });
    } catch (err) {
        if (err instanceof ConfigError || err instanceof StackFileError || err instanceof ProgramError) {
            console.error(err.message);
            return 1;
        }
        throw err;
    }
    const checkpoint = toCheckpoint(graph);
    console.log(renderTree(graph));
    const violations = await evaluatePacks(checkpoint, { configs: stackPolicyConfigs(values.stack) });
    console.log(renderViolations(violations));
    if (values.json) {
        fs.writeFileSync(values.json, `${JSON.stringify(checkpoint, null, 2)}\n`);
        console.log(`Checkpoint written to ${values.json}`);
    }
    if (values.inventory) {
        fs.writeFileSync(values.inventory, inventoryMarkdown(graph, violations));
        console.log(`TLS inventory written to ${values.inventory}`);
    }
    return violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(3);
});
