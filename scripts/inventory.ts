/**
 * npm run inventory
 * Regenerates docs/tls-inventory-<stack>.md for dev and prod from their phase-2 plans, and README's diagram (dev).
 */
import * as fs from "node:fs";
import { PROJECT_DIR, runProgram } from "../offline/engine";
import { phaseOverrides } from "../offline/phaseOverrides";
import { closePackServers } from "../offline/policyCheck";
import { INVENTORY_STACKS, inventoryMarkdown, inventoryPath, stackVerdicts, withReadmeMap } from "../offline/tlsInventory";

async function main(): Promise<void> {
    fs.mkdirSync(`${PROJECT_DIR}/docs`, { recursive: true });
    for (const stack of INVENTORY_STACKS) {
        const graph = await runProgram({ stack, ...phaseOverrides("all") });
        const markdown = inventoryMarkdown(graph, await stackVerdicts(graph));
        fs.writeFileSync(inventoryPath(PROJECT_DIR, stack), markdown);
        console.log(`${inventoryPath(PROJECT_DIR, stack)} written`);
        if (stack === "dev") {
            const readme = `${PROJECT_DIR}/README.md`;
            fs.writeFileSync(readme, withReadmeMap(fs.readFileSync(readme, "utf8"), markdown));
        }
    }
}

main().then(closePackServers, (err) => {
    console.error(err);
    process.exit(1);
});
