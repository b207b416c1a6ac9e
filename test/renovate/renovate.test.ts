/**
 * renovate.json under Renovate itself (`bash scripts/install-renovate.sh` first): its own validator accepts the
 * config (and rejects a broken one), and its own managers, run over this repository with the local platform and
 * `--dry-run=extract` (no registry is asked), find every pin: the charts and images in versions.ts, the npm
 * packages, the Node version, every action the workflows use and the Pulumi CLI they install, every tool version
 * the scripts install, and every Go tool module. A pin no manager finds would never be proposed for an update.
 * Renovate reads the files git tracks: commit a new pin before running this.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { CHARTS, IMAGES, imageFrom, RUNNER_IMAGE_TOOLS } from "../../versions";

const ROOT = path.join(__dirname, "..", "..");
const PREFIX = path.join(ROOT, ".ci", ".renovate");
const NODE = path.join(PREFIX, "node_modules", `node-linux-${os.arch() === "arm64" ? "arm64" : "x64"}`, "bin", "node");
const RENOVATE = path.join(PREFIX, "node_modules", "renovate", "dist");

interface Dep { manager: string; packageFile: string; depName?: string; packageName?: string; currentValue?: string; currentDigest?: string; datasource?: string; registryUrls?: string[] }

function renovate(script: string, args: string[], cwd: string) {
    assert.ok(fs.existsSync(NODE) && fs.existsSync(path.join(RENOVATE, script)), "Renovate is missing: bash scripts/install-renovate.sh");
    return spawnSync(NODE, [path.join(RENOVATE, script), ...args], {
        cwd,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, LOG_LEVEL: "debug", LOG_FORMAT: "json", RENOVATE_CONFIG_FILE: "", GITHUB_COM_TOKEN: "" },
    });
}

/** Every dependency Renovate's extract step reports (its "packageFiles with updates" log record). */
function extract(): Dep[] {
    const run = renovate("renovate.js", ["--platform=local", "--dry-run=extract", "--onboarding=false", "--require-config=required"], ROOT);
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    const records = `${run.stdout}\n${run.stderr}`.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, any>);
    const fatal = records.filter((r) => r["level"] >= 50);
    assert.deepEqual(fatal.map((r) => r["msg"]), []);
    const found = records.find((r) => r["packageFiles"]);
    assert.ok(found, "Renovate logged no extracted package files");
    return Object.entries(found!["packageFiles"] as Record<string, { packageFile: string; deps: Dep[] }[]>)
        .flatMap(([manager, files]) => files.flatMap((file) => file.deps.map((dep) => ({ ...dep, manager, packageFile: file.packageFile }))));
}

describe("Renovate over this repository", () => {
    let deps: Dep[] = [];
    before(() => {
        deps = extract();
    });
    const found = (filter: (d: Dep) => boolean) => deps.filter(filter);

    it("its validator accepts renovate.json and rejects a broken config", () => {
        const ok = renovate("config-validator.js", ["--strict"], ROOT);
        assert.equal(ok.status, 0, ok.stdout + ok.stderr);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "renovate-broken-"));
        const broken = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
        delete broken.customManagers[0].datasourceTemplate;
        fs.writeFileSync(path.join(dir, "renovate.json"), JSON.stringify(broken));
        const rejected = renovate("config-validator.js", ["--strict"], dir);
        assert.notEqual(rejected.status, 0);
        assert.match(rejected.stdout + rejected.stderr, /Regex Managers must contain datasourceTemplate configuration or regex group named datasource/);
    });

    it("finds every chart in versions.ts, at its version, in its repository", () => {
        const charts = Object.values(CHARTS);
        assert.ok(charts.length >= 15);
        for (const pin of charts) {
            const match = found((d) => d.packageFile === "versions.ts" && d.datasource === "helm" && d.depName === pin.chart);
            assert.deepEqual(match.map((d) => [d.currentValue, d.registryUrls?.map((u) => u.replace(/\/$/, ""))]), [[pin.version, [pin.repository]]], pin.chart);
        }
    });

    it("finds every tool the runner image bakes in (versions.ts RUNNER_IMAGE_TOOLS), at its version", () => {
        const tools = Object.entries(RUNNER_IMAGE_TOOLS);
        assert.ok(tools.length >= 4);
        for (const [tool, version] of tools) {
            assert.deepEqual(found((d) => d.packageFile === "versions.ts" && d.depName === tool).map((d) => d.currentValue), [version], tool);
        }
    });

    it("finds every image in versions.ts, at its tag, at the upstream the registry's cache pulls it from", () => {
        const images = Object.values(IMAGES).map((image) => typeof image === "string" ? image : `${image.repository}:${image.tag}`);
        assert.equal(images.length, 3);
        for (const image of images) {
            const [repository, tag] = image.split(":");
            const match = found((d) => d.packageFile === "versions.ts" && d.datasource === "docker" && d.depName === repository);
            assert.deepEqual(match.map((d) => [d.currentValue, d.packageName]), [[tag, imageFrom(undefined, image).split(":")[0]]], image);
        }
    });

    it("finds every npm package, and the Node version", () => {
        for (const file of ["package.json", "policies/platform-tls/package.json", "policies/platform-baseline/package.json"]) {
            const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
            const pinned = { ...manifest.dependencies, ...manifest.devDependencies } as Record<string, string>;
            assert.ok(Object.keys(pinned).length > 0, file);
            for (const [name, version] of Object.entries(pinned)) {
                assert.deepEqual(found((d) => d.manager === "npm" && d.packageFile === file && d.depName === name).map((d) => d.currentValue), [version], `${file}: ${name}`);
            }
        }
        assert.deepEqual(found((d) => d.manager === "nvm").map((d) => d.currentValue), [fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim()]);
    });

    it("finds every action the workflows use, and the Pulumi CLI the deploy installs", () => {
        const files = [
            ...fs.readdirSync(path.join(ROOT, ".github", "workflows")).map((f) => `.github/workflows/${f}`),
            ...fs.readdirSync(path.join(ROOT, ".github", "actions")).map((d) => `.github/actions/${d}/action.yml`),
        ];
        let count = 0;
        for (const file of files) {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*([^\s#]+)/gm)].map((m) => m[1]!).filter((u) => !u.startsWith("./"));
            for (const use of uses) {
                const [name, ref] = use.split("@");
                count++;
                // A digest pin is found as its digest (and the tag in its comment as the value).
                assert.ok(found((d) => d.manager === "github-actions" && d.packageFile === file && d.depName === name && (d.currentValue === ref || d.currentDigest === ref)).length > 0, `${file}: ${use}`);
            }
            const pulumi = (parse(text)?.runs?.steps ?? []).find((s: Record<string, any>) => String(s.uses).startsWith("pulumi/actions@"));
            if (pulumi) {
                assert.ok(found((d) => d.packageFile === file && d.packageName === "pulumi/pulumi" && d.currentValue === String(pulumi.with["pulumi-version"])).length > 0, `${file}: pulumi-version`);
            }
        }
        assert.ok(count >= 10);
        // The docs name the deploy's CLI (test/unit/workflows.ts holds them equal): the same update must reach each.
        const pages = ["README.md", "policies/README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
        let named = 0;
        for (const page of pages) {
            const versions = [...fs.readFileSync(path.join(ROOT, page), "utf8").matchAll(/Pulumi CLI (\d+\.\d+\.\d+)/g)].map((m) => m[1]!);
            named += versions.length;
            for (const version of versions) {
                assert.ok(found((d) => d.packageFile === page && d.depName === "pulumi/pulumi" && d.currentValue === version).length > 0, `${page}: Pulumi CLI ${version}`);
            }
        }
        assert.ok(named >= 2, "the setup page names the CLI (prerequisites, runner image)");
    });

    it("finds every tool version the scripts install, and every Go tool module", () => {
        const scripts = fs.readdirSync(path.join(ROOT, "scripts")).filter((f) => f.endsWith(".sh"));
        const pins = scripts.flatMap((file) => [...fs.readFileSync(path.join(ROOT, "scripts", file), "utf8").matchAll(/^[A-Z_]+_VERSION=(\S+)$/gm)].map((m) => ({ file: `scripts/${file}`, version: m[1]! })));
        assert.ok(pins.length >= 3, pins.map((p) => p.file).join());
        for (const pin of pins) {
            assert.ok(found((d) => d.manager === "regex" && d.packageFile === pin.file && d.currentValue === pin.version).length > 0, `${pin.file}: ${pin.version}`);
        }
        // Every Go module under scripts/: tool modules (a `tool` directive) and programs, each requirement found.
        const goMods = fs.readdirSync(path.join(ROOT, "scripts"), { recursive: true, encoding: "utf8" }).filter((f) => path.basename(f) === "go.mod").map((f) => `scripts/${f}`);
        assert.ok(goMods.length >= 1);
        for (const file of goMods) {
            // Go's own reading of the file (single lines and blocks alike): a tool (its package path, inside a
            // required module) and each direct requirement (not `// indirect`).
            const goMod = JSON.parse(spawnSync("go", ["mod", "edit", "-json", path.join(ROOT, file)], { encoding: "utf8" }).stdout) as
                { Tool?: { Path: string }[]; Require?: { Path: string; Indirect?: boolean }[] };
            const tools = (goMod.Tool ?? []).map((t) => t.Path);
            const direct = (goMod.Require ?? []).filter((r) => !r.Indirect).map((r) => r.Path);
            assert.ok(tools.length + direct.length > 0, file);
            const extracted = found((d) => d.manager === "gomod" && d.packageFile === file).map((d) => d.depName!);
            assert.deepEqual(tools.filter((tool) => !extracted.some((module) => tool === module || tool.startsWith(`${module}/`))), [], file);
            assert.deepEqual(direct.filter((module) => !extracted.includes(module)), [], file);
        }
    });
});
