import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../../offline/engine";

describe("the Pulumi nodejs runtime", () => {
    it("loads index.ts with the project's TypeScript and ts-node, type-checked, as `pulumi up` does", () => {
        const result = spawnSync(process.execPath, [path.join(PROJECT_DIR, "test", "fixtures", "load-like-pulumi.js"), "dev"], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        const loaded = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Record<string, string | number>;
        // Without these in the project, Pulumi falls back to its vendored TypeScript 3.8.
        assert.equal(loaded["typescript"], require("typescript/package.json").version);
        assert.ok(String(loaded["typescriptPath"]).startsWith(path.join(PROJECT_DIR, "node_modules")), String(loaded["typescriptPath"]));
        assert.match(String(loaded["tsNode"]), /^10\./);
        assert.ok(Number(loaded["resources"]) > 10);
    });

    it("fails the run when the program throws while the engine resolves an input, as a deployment would", () => {
        // In its own process: the rejection is unhandled by design, and this runner fails any test that sees one.
        const projectDir = path.join(PROJECT_DIR, "test", "fixtures", "failing-program");
        const script = `
            const { ProgramError, runProgram } = require(${JSON.stringify(path.join(PROJECT_DIR, "offline", "engine.ts"))});
            runProgram({ stack: "test", preview: false, projectDir: ${JSON.stringify(projectDir)} }).then(
                () => process.exit(0),
                (err) => { console.error(err.message); process.exit(err instanceof ProgramError ? 1 : 2); });`;
        const result = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", "-e", script], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, /the program failed:\n.*apply failed on purpose/);
    });
});
