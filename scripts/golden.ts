/**
 * npm run golden [-- --remove <urn> ...]
 * Rewrites test/golden/<stack>.json from the current plans, when a URN change is intended; review the diff like any
 * other change. It refuses to forget a protected (state-bearing) resource whose URN no resource declares any more,
 * not even in `aliases`: `pulumi up` would delete it and create a new, empty one. Give a renamed or moved resource
 * `aliases: [<old URN>]`; for a resource meant to go, pass its URN with --remove (and `pulumi state unprotect` it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_DIR, runProgram } from "../offline/engine";
import { phaseOverrides } from "../offline/phaseOverrides";
import { GOLDEN_PLANS, goldenText, updatedGolden, type UrnEntry } from "../offline/urns";

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { remove: { type: "string", multiple: true, default: [] } } });
    let refusals = 0;
    for (const { stack, ...rest } of GOLDEN_PLANS) {
        const phase = "phase" in rest ? rest.phase : undefined;
        const graph = await runProgram({ stack, ...phaseOverrides(phase) });
        const file = path.join(PROJECT_DIR, "test", "golden", `${stack}.json`);
        const golden = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as UrnEntry[]) : [];
        const { entries, refused } = updatedGolden(golden, graph, values.remove);
        if (refused.length > 0) {
            refusals += refused.length;
            for (const entry of refused) {
                console.error(`${stack}: ${entry.urn} is protected and no resource declares it any more, not even in aliases: \`pulumi up\` would delete it. Add aliases: ["${entry.urn}"] to the resource that replaces it, or pass --remove ${entry.urn} if it is meant to go.`);
            }
            continue;
        }
        fs.writeFileSync(file, goldenText(entries));
        console.log(`${file}: ${graph.resources.length} URNs`);
    }
    return refusals > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(1);
});
