import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../../offline/engine";

describe("the offline engine", () => {
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
