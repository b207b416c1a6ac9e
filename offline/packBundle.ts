/**
 * Each pack folder as a self-contained pack: the shared rules under policies/rules bundled into one index.js,
 * the @pulumi packages left as dependencies. `pulumi policy publish` packs only the pack folder
 * (pkg/backend/httpstate/policypack.go), so this is what it can publish; and the offline tools run these
 * bundles, which start in a second where ts-node type-checks the sources for ten (the type check is
 * `npm run typecheck`'s job; test/policyPacks.test.ts holds the bundles to the sources' verdicts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { PROJECT_DIR } from "./engine";

const POLICIES_DIR = path.join(PROJECT_DIR, "policies");

/** Every pack folder under policies/ (a folder with a PulumiPolicy.yaml), by folder name, which is the pack's name. */
export function packDirs(): Record<string, string> {
    return Object.fromEntries(fs.readdirSync(POLICIES_DIR)
        .filter((name) => fs.existsSync(path.join(POLICIES_DIR, name, "PulumiPolicy.yaml")))
        .sort()
        .map((name) => [name, path.join(POLICIES_DIR, name)]));
}

/** Writes one folder per pack under `outDir` (inside the project, so the bundles resolve its node_modules). */
export function bundlePacks(outDir: string): Record<string, string> {
    return Object.fromEntries(Object.entries(packDirs()).map(([name, dir]) => {
        const target = path.join(outDir, name);
        fs.rmSync(target, { recursive: true, force: true });
        fs.mkdirSync(target, { recursive: true });
        buildSync({
            entryPoints: [path.join(dir, "index.ts")],
            bundle: true,
            platform: "node",
            format: "cjs",
            target: "node22",
            outfile: path.join(target, "index.js"),
            external: ["@pulumi/*"],
            logLevel: "error",
        });
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
        fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify({ ...pkg, main: "index.js" }, null, 2)}\n`);
        fs.copyFileSync(path.join(dir, "PulumiPolicy.yaml"), path.join(target, "PulumiPolicy.yaml"));
        return [name, target];
    }));
}
