/**
 * The render check's tools (built by scripts/build-render-tools.sh into bin/tools/ from the wrapper modules under
 * scripts/tools/, whose go.mod files are the pins) and a runner that fails with the tool's own output.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import * as path from "node:path";
import { PROJECT_DIR } from "../../offline/engine";

const BIN = path.join(PROJECT_DIR, "bin", "tools");

export const TOOLS = {
    helm: path.join(BIN, "helm"),
    kyverno: path.join(BIN, "kubectl-kyverno"),
    kubeApiserver: path.join(BIN, "kube-apiserver"),
    kubectl: path.join(BIN, "kubectl"),
    etcd: path.join(BIN, "etcd"),
    netpol: path.join(BIN, "netpol"),
} as const;

/** Builds whatever is not current (a no-op otherwise), so a check never runs a tool older than its pin. */
export function buildTools(modules: ("helm" | "kyverno" | "kubernetes" | "netpol")[]): void {
    const run = spawnSync("bash", [path.join(PROJECT_DIR, "scripts", "build-render-tools.sh"), ...modules], { stdio: "inherit" });
    if (run.status !== 0) {
        throw new Error(`scripts/build-render-tools.sh ${modules.join(" ")} exited ${run.status}`);
    }
}

/** The version a wrapper module pins of a dependency, read from its go.mod (the one place it is written). */
export function pinnedVersion(module: string, dependency: string): string {
    const goMod = JSON.parse(run("go", ["mod", "edit", "-json", path.join(PROJECT_DIR, "scripts", "tools", module, "go.mod")]).stdout) as { Require?: { Path: string; Version: string }[] };
    const version = goMod.Require?.find((r) => r.Path === dependency)?.Version;
    if (!version) {
        throw new Error(`scripts/tools/${module}/go.mod does not require ${dependency}`);
    }
    return version;
}

export class ToolError extends Error {}

/** Runs a tool; returns stdout, or throws with its stderr (and stdout) when it exits non-zero. */
export function run(tool: string, args: string[], options: SpawnSyncOptions & { allowFailure?: boolean } = {}): { stdout: string; stderr: string; status: number } {
    const result = spawnSync(tool, args, { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, ...options });
    if (result.error) {
        throw new ToolError(`${path.basename(tool)}: ${result.error.message}`);
    }
    const out = { stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? ""), status: result.status ?? -1 };
    if (out.status !== 0 && !options.allowFailure) {
        throw new ToolError(`${path.basename(tool)} ${args.slice(0, 3).join(" ")} … exited ${out.status}:\n${out.stderr.trim() || out.stdout.trim()}`);
    }
    return out;
}
