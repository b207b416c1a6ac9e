"use strict";
/**
 * How a pack folder runs. run-policy-pack (what `--policy-pack <folder>` starts) registers ts-node with type
 * checking: 20-60 s and most of a gigabyte per pack and preview on a CI machine. The folders' package.json `main`
 * (packMain.js) loads the pack through here instead: index.ts and what it imports compiled by esbuild from the same
 * sources at every start (no build step, nothing to go stale), in a fraction of a second, without a type check
 * (`npm run typecheck` does it). `npm run policy:bundle` writes the same compilation out for `pulumi policy publish`.
 */
const Module = require("node:module");
const path = require("node:path");

/** A package's name from an import path ("@pulumi/policy/proxy" -> "@pulumi/policy"). */
function packageOf(importPath) {
    return importPath.split("/").slice(0, importPath.startsWith("@") ? 2 : 1).join("/");
}

/**
 * The pack in `dir` (its index.ts and everything it imports) as one CommonJS module, and the packages it still
 * requires at run time: @pulumi/policy only, which runs the Analyzer server (the SDKs' enums, the rules and yaml
 * are bundled; the SDKs' types are erased).
 */
function compilePack(dir) {
    const { buildSync } = require("esbuild");
    const result = buildSync({
        entryPoints: [path.join(dir, "index.ts")],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node22",
        external: ["@pulumi/policy", "@pulumi/policy/*"],
        write: false,
        metafile: true,
        logLevel: "error",
    });
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
    const packages = [...new Set(imports.filter((i) => i.external && !Module.isBuiltin(i.path)).map((i) => packageOf(i.path)))].sort();
    return { code: result.outputFiles[0].text, packages };
}

/** Runs the pack in `dir` as if its compilation were `dir`/index.js. */
function loadPack(dir) {
    const filename = path.join(dir, "index.js");
    const module = { exports: {} };
    const run = new Function("exports", "require", "module", "__filename", "__dirname", compilePack(dir).code);
    run(module.exports, Module.createRequire(filename), module, filename, dir);
}

module.exports = { compilePack, loadPack };
