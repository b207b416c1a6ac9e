/**
 * Each pack folder as a self-contained pack for `pulumi policy publish`, which packs only the folder it runs in
 * (pkg/backend/httpstate/policypack.go): the folder's compilation (policies/compilePack.js, what the folder runs
 * too) as index.js, and a package.json whose dependencies are only what that code requires (@pulumi/policy), so an
 * enforcing machine installs no SDK.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compilePack } from "../policies/compilePack";
import { PROJECT_DIR } from "./engine";

const POLICIES_DIR = path.join(PROJECT_DIR, "policies");

/** Every pack folder under policies/ (a folder with a PulumiPolicy.yaml), by folder name, which is the pack's name. */
export function packDirs(): Record<string, string> {
    return Object.fromEntries(fs.readdirSync(POLICIES_DIR)
        .filter((name) => fs.existsSync(path.join(POLICIES_DIR, name, "PulumiPolicy.yaml")))
        .sort()
        .map((name) => [name, path.join(POLICIES_DIR, name)]));
}

/** Writes one folder per pack under `outDir`. */
export function bundlePacks(outDir: string): Record<string, string> {
    return Object.fromEntries(Object.entries(packDirs()).map(([name, dir]) => {
        const target = path.join(outDir, name);
        fs.rmSync(target, { recursive: true, force: true });
        fs.mkdirSync(target, { recursive: true });
        const { code, packages } = compilePack(dir);
        fs.writeFileSync(path.join(target, "index.js"), code);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> } & Record<string, unknown>;
        const dependencies = Object.fromEntries(packages.map((p) => {
            if (!pkg.dependencies[p]) {
                throw new Error(`${name}: the bundle requires ${p}, which ${path.join(dir, "package.json")} does not declare`);
            }
            return [p, pkg.dependencies[p]];
        }));
        fs.writeFileSync(path.join(target, "package.json"), `${JSON.stringify({ ...pkg, main: "index.js", dependencies }, null, 2)}\n`);
        fs.copyFileSync(path.join(dir, "PulumiPolicy.yaml"), path.join(target, "PulumiPolicy.yaml"));
        return [name, target];
    }));
}
