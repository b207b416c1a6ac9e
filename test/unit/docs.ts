/**
 * What the documentation names, held to the repository: in the README, every page of docs/ and policies/README.md,
 * every relative link reaches a file (and, with an anchor, one of its headings), every `npm run <script>` is a script
 * of package.json, every repository path named in code exists, and every `platform:` key named is one the config
 * module accepts. A key is probed through parsePlatformConfig on the committed dev and local stacks: it exists when
 * setting it draws no "unknown key" line, whatever else the probe value draws.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, parsePlatformConfig } from "../../config";
import { PROJECT_DIR } from "../../offline/engine";
import { rawConfig } from "../helpers";

const PAGES = ["README.md", "policies/README.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const read = (page: string) => fs.readFileSync(path.join(PROJECT_DIR, page), "utf8");
/** Prose only: links and headings inside fenced blocks are code, not Markdown. */
const prose = (text: string) => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
/** Inline code spans, and the lines of fenced blocks. */
const codeOf = (text: string) => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!).concat(text.split("\n"));

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    for (const [, heading] of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const base = heading!.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").trim().replace(/\s/g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    return anchors;
}

/** The problems a link from `page` has: a missing file, or an anchor no heading of the target makes. */
function linkProblem(page: string, target: string): string | undefined {
    const [file, anchor] = target.split("#") as [string, string | undefined];
    const resolved = file === "" ? path.join(PROJECT_DIR, page) : path.resolve(path.dirname(path.join(PROJECT_DIR, page)), decodeURIComponent(file));
    if (!fs.existsSync(resolved)) {
        return `${page}: ${target}: no such file`;
    }
    if (anchor !== undefined && !anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor)) {
        return `${page}: ${target}: no heading makes #${anchor}`;
    }
    return undefined;
}

/** Top-level folders a path in the docs may start with (generated output such as build/ and reports/ excluded). */
const SOURCE_DIRS = ["components", "config", "docs", "offline", "policies", "scripts", "test", ".github"];

/** Repository paths named in code: from the repository root, or from the page's own folder. */
function pathsOf(page: string, text: string): string[] {
    const found = new Set<string>();
    for (const code of codeOf(text)) {
        for (const token of code.split(/[\s'"()=,;]+/)) {
            const candidate = token.replace(/[.:]+$/, "");
            if (!/^\.?[\w-]+(\/[\w.-]+)+\/?$/.test(candidate) || candidate.split("/").slice(1).some((s) => s.startsWith("."))) {
                continue;
            }
            const first = candidate.split("/")[0]!;
            const pageDir = path.dirname(page);
            if (SOURCE_DIRS.includes(first) || (pageDir !== "." && fs.existsSync(path.join(PROJECT_DIR, pageDir, first)))) {
                found.add(candidate);
            }
        }
    }
    return [...found];
}

const pathExists = (page: string, named: string) =>
    [PROJECT_DIR, path.join(PROJECT_DIR, path.dirname(page))].some((base) => fs.existsSync(path.join(base, named)));

/** `platform:<key>` in any form the docs use it (stack files, `pulumi config set`); component type tokens excluded. */
const platformKeysOf = (text: string) => [...text.matchAll(/\bplatform:([A-Za-z][\w.]*)(?![\w.]|:[A-Za-z<])/g)].map((m) => m[1]!.replace(/\.+$/, ""));

const TOP_LEVEL_KEYS = (() => {
    // The committed stacks' own keys, and every key the table's first column names, are candidates for dotted
    // names in code (`cluster.zones`); whether each exists is the probe's answer, not this list's.
    const keys = new Set([...Object.keys(rawConfig("dev")), ...Object.keys(rawConfig("local"))]);
    for (const key of configurationTableKeys()) {
        keys.add(key.split(".")[0]!);
    }
    return keys;
})();

/** Every key the configuration table's first column names. */
function configurationTableKeys(): string[] {
    return read("docs/configuration.md").split("\n").filter((line) => line.startsWith("| `"))
        .flatMap((line) => [...line.split("|")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/** Dotted keys named in code whose first part is a stack key: `backup.immutabilityLocked`, `network.subnets.*`. */
const dottedKeysOf = (text: string) => [...text.matchAll(/`([a-zA-Z]\w*(?:\.[\w<>|*\\-]+)+)`/g)].map((m) => m[1]!).filter((k) => TOP_LEVEL_KEYS.has(k.split(".")[0]!));

const PROBE = "documentation-probe";

/** Whether a stack of either kind accepts `key` (wildcard parts such as `*` or `<name>` end the path). */
function accepted(key: string): boolean {
    const parts = key.split(".");
    const cut = parts.findIndex((p) => /[<>*|\\]/.test(p));
    const keyPath = cut === -1 ? parts : parts.slice(0, cut);
    return ["dev", "local"].some((stack) => {
        const raw = rawConfig(stack);
        let node: Record<string, unknown> = raw;
        for (const part of keyPath.slice(0, -1)) {
            const next = node[part];
            node[part] = next !== null && typeof next === "object" && !Array.isArray(next) ? next : {};
            node = node[part] as Record<string, unknown>;
        }
        const leaf = keyPath.at(-1)!;
        node[leaf] ??= PROBE;
        try {
            parsePlatformConfig(raw);
            return true;
        } catch (err) {
            assert.ok(err instanceof ConfigError, String(err));
            return !err.problems.some((p) => /is not a known key|has unknown key/.test(p));
        }
    });
}

describe("what the documentation names", () => {
    it("the pages checked are the README, policies/README.md and every page of docs/", () => {
        for (const page of ["README.md", "docs/setup.md", "docs/configuration.md", "docs/testing.md", "docs/operations.md", "docs/layout.md"]) {
            assert.ok(PAGES.includes(page), page);
        }
    });

    it("every relative link reaches a file, and an anchor a heading of it", () => {
        const problems: string[] = [];
        let checked = 0;
        for (const page of PAGES) {
            for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/i.test(target!)) {
                    continue;
                }
                checked++;
                const problem = linkProblem(page, target!);
                if (problem) {
                    problems.push(problem);
                }
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(checked >= 60, `only ${checked} links checked`);
    });

    it("every `npm run` script named is in package.json", () => {
        const scripts = Object.keys(JSON.parse(read("package.json")).scripts as Record<string, string>);
        const problems: string[] = [];
        const named = new Set<string>();
        for (const page of PAGES) {
            for (const [, script] of read(page).matchAll(/\bnpm run ([\w:-]*\w)/g)) {
                named.add(script!);
                if (!scripts.includes(script!)) {
                    problems.push(`${page}: npm run ${script}`);
                }
            }
        }
        assert.deepEqual(problems, []);
        // The README's pages name at least the offline plan, the audit, the slower suites and the golden files.
        for (const script of ["plan", "policy:check", "test:cli", "test:slow", "golden", "inventory", "typecheck"]) {
            assert.ok(named.has(script), script);
        }
    });

    it("every repository path named in code exists (scripts/ among them)", () => {
        const problems: string[] = [];
        const named = new Set<string>();
        for (const page of PAGES) {
            for (const named_ of pathsOf(page, read(page))) {
                named.add(named_);
                if (!pathExists(page, named_)) {
                    problems.push(`${page}: ${named_}`);
                }
            }
        }
        assert.deepEqual(problems, []);
        for (const script of ["scripts/register-providers.sh", "scripts/lint-workflows.sh", "scripts/install-promtool.sh", "scripts/install-checkov.sh"]) {
            assert.ok(named.has(script), script);
        }
        assert.ok(named.size >= 40, `only ${named.size} paths checked`);
    });

    it("every `platform:` key named, and every key of the configuration table, is one a stack accepts", () => {
        const problems: string[] = [];
        const named = new Set<string>();
        for (const page of PAGES) {
            const text = read(page);
            for (const key of new Set([...platformKeysOf(text), ...dottedKeysOf(text), ...(page === "docs/configuration.md" ? configurationTableKeys() : [])])) {
                named.add(key);
                if (!accepted(key)) {
                    problems.push(`${page}: ${key}`);
                }
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(configurationTableKeys().length >= 50, `the table names only ${configurationTableKeys().length} keys`);
        assert.ok(named.has("phase") && named.has("runnersGithubAppPrivateKey") && named.has("backup.s3"), [...named].join());
    });

    it("the probe tells a key from a typo, nested and at the top", () => {
        // Written from the table: the node pools take vmSize, the backup policy immutabilityLocked, the local stack s3.
        assert.deepEqual(["cluster.systemPool.vmSize", "backup.immutabilityLocked", "backup.s3", "alertWebhookUrl"].map(accepted), [true, true, true, true]);
        assert.deepEqual(["cluster.systemPool.vmSku", "backup.immutableLocked", "alertWebHookUrl", "network.subnets.dmz"].map(accepted), [false, false, false, false]);
    });
});
