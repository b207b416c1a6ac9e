/**
 * npm run golden
 * Rewrites test/golden/<stack>.json from the current plans. Run it when a URN change is intended (and give a
 * renamed or moved stateful resource an `aliases` entry first); review the diff like any other change.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_DIR, runProgram } from "../offline/engine";
import { phaseOverrides } from "../offline/phaseOverrides";
import { GOLDEN_PLANS, urnsOf } from "../offline/urns";

async function main(): Promise<void> {
    for (const { stack, ...rest } of GOLDEN_PLANS) {
        const phase = "phase" in rest ? rest.phase : undefined;
        const graph = await runProgram({ stack, ...phaseOverrides(phase) });
        const file = path.join(PROJECT_DIR, "test", "golden", `${stack}.json`);
        // One entry per line: a URN change is a one-line diff in review.
        fs.writeFileSync(file, `[\n${urnsOf(graph).map((entry) => `  ${JSON.stringify(entry)}`).join(",\n")}\n]\n`);
        console.log(`${file}: ${graph.resources.length} URNs`);
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
