/** npm run policy:bundle [-- <outDir>]: the packs as self-contained folders for `pulumi policy publish` (default build/policy-packs). */
import * as path from "node:path";
import { PROJECT_DIR } from "../offline/engine";
import { bundlePacks } from "../offline/packBundle";

const outDir = path.resolve(process.argv[2] ?? path.join(PROJECT_DIR, "build", "policy-packs"));
for (const target of Object.values(bundlePacks(outDir))) {
    console.log(`${path.relative(PROJECT_DIR, target)}: publish with \`pulumi policy publish\` from this folder`);
}
