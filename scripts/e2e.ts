/**
 * npm run e2e [-- --keep] [--write-export-fixture]
 * The real Pulumi engine runs the setup page's (docs/setup.md) and the deploy workflow's commands on a scratch copy of the project,
 * offline, with stand-in provider plugins answering from the offline model (offline/standins/). For dev and prod:
 * the setup page's `stack select --create`; its preview and the workflow's up in phase 1; the setup page's preview and up
 * in phase 2 (the Docker Hub secrets and platform:phase all set as that page says); `pulumi stack export` into
 * `npm run policy:check --stack`; the setup page's preview with `--expect-no-changes`; the engine's URNs and protected
 * resources against test/golden/. On dev also: a storage account weakened to TLS 1.0 that the workflow's pull-request preview must
 * refuse naming the policy, and `destroy`, which must leave every protected resource. Then a small stack left
 * with a pending deletion, whose export policy:check must read as `pulumi policy analyze` does
 * (--write-export-fixture also writes it to test/fixtures/).
 * Exit 0 when every step did what it must; 1 otherwise (the failing command's output is printed).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { parseCheckpoint } from "../offline/checkpoint";
import { PROJECT_DIR } from "../offline/engine";
import { DOCKER_HUB_STAND_INS } from "../offline/phaseOverrides";
import { CommandError, selectCli, Session } from "../offline/standins/session";

const STACKS = ["dev", "prod"] as const;
type Stack = (typeof STACKS)[number];

/** The policy a storage account below TLS 1.2 violates (policies/README.md, platform-tls). */
const STORAGE_TLS_POLICY = "storage-account-tls";

/** Where users read the Deploy commands the e2e runs. */
const SETUP_PAGE = "docs/setup.md";

/** A file-backend (DIY) backend's only organization, in the setup page's `<org>/platform/<stack>` names. */
const DIY_ORGANIZATION = "organization";

/**
 * The setup page's Deploy commands for a stack, with their flags as printed: `pulumi stack select --create`, with the
 * passphrase secrets provider a DIY backend needs (docs/setup.md, CI setup, step 7), and `pulumi preview` and `pulumi up`.
 */
function readmeCommands(stack: Stack): { select: string[]; preview: string[]; up: string[] } {
    const page = fs.readFileSync(path.join(PROJECT_DIR, SETUP_PAGE), "utf8");
    const deploy = page.slice(page.indexOf("\n## Deploy\n"));
    const block = /```bash\n([\s\S]*?)```/.exec(deploy)?.[1];
    if (!block) {
        throw new Error(`${SETUP_PAGE} has no bash block under ## Deploy`);
    }
    const lines = block.replace(/\\\n\s*/g, "").split("\n").map((line) => line.replace(/\s+#.*$/, "").trim());
    const command = (verb: string) => {
        const found = lines.filter((line) => line.startsWith(`pulumi ${verb} `));
        if (found.length !== 1) {
            throw new Error(`${SETUP_PAGE}'s Deploy block has ${found.length} \`pulumi ${verb}\` commands, expected one`);
        }
        // "For prod use `-s prod` and `policies/config/baseline-prod.json`" (docs/setup.md, Deploy).
        return found[0]!.split(/\s+/).slice(1).map((word) => word.replace("baseline-dev.json", `baseline-${stack}.json`).replace("<org>/platform/dev", `${DIY_ORGANIZATION}/platform/${stack}`));
    };
    return {
        select: [...command("stack select"), "--secrets-provider", "passphrase"],
        preview: [...command("preview"), "-s", stack],
        up: [...command("up"), "-s", stack],
    };
}

/** The pulumi/actions step of the deploy workflow's composite action (.github/actions/pulumi/action.yml). */
function workflowStep(): { with?: Record<string, string>; env?: Record<string, string> } {
    const action = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "actions", "pulumi", "action.yml"), "utf8")) as {
        runs: { steps: { uses?: string; with?: Record<string, string>; env?: Record<string, string> }[] };
    };
    const step = action.runs.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    if (!step) {
        throw new Error("the pulumi action has no pulumi/actions step");
    }
    return step;
}

/** The deploy workflow's packs and their configs for a stack, paired by position. */
function workflowPacks(stack: Stack): { pack: string; config: string }[] {
    const step = workflowStep();
    const list = (key: string) => String(step?.with?.[key] ?? "").split("\n").map((line) => line.trim().replace("${{ inputs.stack }}", stack)).filter(Boolean);
    const packs = list("policyPacks");
    const configs = list("policyPackConfigs");
    if (packs.length === 0 || packs.length !== configs.length) {
        throw new Error(`the pulumi action names ${packs.length} packs and ${configs.length} configs`);
    }
    return packs.map((pack, i) => ({ pack, config: configs[i]! }));
}

/** The URN globs the workflow excludes from a command (`exclude`, a GitHub expression on the command; split on commas as pulumi/actions does). */
function workflowExcludes(command: "preview" | "up"): string[] {
    const expression = workflowStep().with?.["exclude"];
    if (expression === undefined) {
        return [];
    }
    const byCommand = /^\$\{\{ inputs\.command == '(\w+)' && '([^']*)' \|\| '' \}\}$/.exec(expression);
    if (!byCommand) {
        throw new Error(`the pulumi action's exclude is not the form the e2e reads: ${expression}`);
    }
    return byCommand[1] === command ? byCommand[2]!.split(",").filter(Boolean) : [];
}

/**
 * What pulumi/actions runs for the workflow's `preview` (a pull request's) and `up` (the Automation API's
 * arguments: every --policy-pack, then every --policy-pack-config; `diff: true`; the excluded URNs), with the
 * step's Pulumi environment (the Azure sign-in variables mean nothing offline).
 */
function workflowCommand(command: "preview" | "up", stack: Stack): { args: string[]; env: Record<string, string> } {
    const pairs = workflowPacks(stack);
    const args = [
        ...(command === "up" ? ["up", "--yes", "--skip-preview"] : ["preview"]),
        "--diff",
        ...workflowExcludes(command).flatMap((glob) => ["--exclude", glob]),
        ...pairs.flatMap(({ pack }) => ["--policy-pack", pack]),
        ...pairs.flatMap(({ config }) => ["--policy-pack-config", config]),
        "-s", stack,
    ];
    return { args, env: Object.fromEntries(Object.entries(workflowStep().env ?? {}).filter(([key]) => key.startsWith("PULUMI_"))) };
}

function assertMatch(text: string, pattern: RegExp, what: string): void {
    if (!pattern.test(text)) {
        throw new CommandError(`${what}: the output does not match ${pattern}\n${text}`);
    }
}

interface ExportedResource {
    urn: string;
    type: string;
    protect?: boolean;
    delete?: boolean;
}

/** `pulumi stack export` of a stack (of the project in `cwd`, the scratch copy's root by default). */
async function exportStack(session: Session, stack: string, cwd: string[] = []): Promise<{ file: string; resources: ExportedResource[] }> {
    const file = session.file(`${stack}.export.json`);
    await session.pulumi(`${stack}: stack export`, ["stack", "export", "-s", stack, "--file", file, ...cwd]);
    return { file, resources: parseCheckpoint(fs.readFileSync(file, "utf8")).deployment.resources as ExportedResource[] };
}

/**
 * The engine's URNs after phase 2 equal the committed golden list of the stack's offline phase-2 plan, and the
 * resources the engine holds protected are the ones the list marks `protect`.
 */
function compareWithGolden(stack: Stack, resources: ExportedResource[]): void {
    const entries = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test", "golden", `${stack}.json`), "utf8")) as { urn: string; protect?: boolean }[];
    const live = resources.filter((r) => !r.delete);
    const differences = (what: string, golden: Set<string>, engine: Set<string>) => [
        ...[...golden].filter((urn) => !engine.has(urn)).map((urn) => `  ${what} in test/golden/${stack}.json, not in the engine's state: ${urn}`),
        ...[...engine].filter((urn) => !golden.has(urn)).map((urn) => `  ${what} in the engine's state, not in test/golden/${stack}.json: ${urn}`),
    ];
    const urns = differences("a URN", new Set(entries.map((g) => g.urn)), new Set(live.map((r) => r.urn)));
    const protectedGolden = new Set(entries.filter((g) => g.protect).map((g) => g.urn));
    const protectedEngine = new Set(live.filter((r) => r.protect).map((r) => r.urn));
    const protections = differences("protected", protectedGolden, protectedEngine);
    if (urns.length > 0 || protections.length > 0) {
        throw new CommandError(`${stack}: the engine's state differs from test/golden/${stack}.json\n${[...urns, ...protections].join("\n")}`);
    }
    console.log(`ok   ${stack}: the engine's ${live.length} URNs are test/golden/${stack}.json's, its ${protectedEngine.size} protected ones those marked there`);
}

/** What an update's summary says it created (`+ N created`), for the log. */
function created(output: string): number {
    return Number(/\+ (\d+) created/.exec(output)?.[1] ?? 0);
}

async function deployStack(session: Session, stack: Stack): Promise<void> {
    const readme = readmeCommands(stack);
    await session.pulumi(`${stack}: setup page's stack select --create (passphrase)`, readme.select);
    await session.pulumi(`${stack}: setup page's preview, phase 1`, readme.preview);
    const up = workflowCommand("up", stack);
    const phase1 = await session.pulumi(`${stack}: workflow up, phase 1`, up.args, "succeed", up.env);
    // docs/setup.md, Docker Hub credentials: "before phase 2, which requires them" (stand-in values, never real ones).
    for (const [key, value] of Object.entries(DOCKER_HUB_STAND_INS)) {
        await session.pulumi(`${stack}: config set --secret ${key}`, ["config", "set", "--secret", key, value, "-s", stack]);
    }
    // docs/setup.md, Two phases: "set platform:phase: all in Pulumi.<stack>.yaml".
    await session.pulumi(`${stack}: config set platform:phase all`, ["config", "set", "platform:phase", "all", "-s", stack]);
    await session.pulumi(`${stack}: setup page's preview, phase 2`, readme.preview);
    // Unattended, as the workflow runs it: no confirmation, no second preview.
    const phase2 = await session.pulumi(`${stack}: setup page's up, phase 2`, [...readme.up, "--yes", "--skip-preview"]);
    console.log(`     ${stack}: the engine created ${created(phase1.output)} resources in phase 1, ${created(phase2.output)} in phase 2`);
    const { file, resources } = await exportStack(session, stack);
    // policies/README.md, Audit a deployed stack: "Without the CLI: npm run policy:check -- s.json --stack prod".
    await session.run(`${stack}: policy:check --stack ${stack}`, "npm", ["run", "--silent", "policy:check", "--", file, "--stack", stack]);
    // Every resource, the cluster's objects too: the program declares the same thing twice.
    await session.pulumi(`${stack}: setup page's preview --expect-no-changes`, [...readme.preview, "--expect-no-changes"]);
    compareWithGolden(stack, resources);
}

async function refusals(session: Session): Promise<void> {
    const undo = session.edit("components/shared/storageAccount.ts", "storage.MinimumTlsVersion.TLS1_2", "storage.MinimumTlsVersion.TLS1_0");
    const preview = workflowCommand("preview", "dev");
    const weak = await session.pulumi("dev: workflow pull-request preview with storage accounts at TLS 1.0 (must fail)", preview.args, "fail", preview.env);
    assertMatch(weak.output, new RegExp(`\\[mandatory\\][^\\n]*\\b${STORAGE_TLS_POLICY}\\b`), "the weakened preview names the policy, mandatory");
    undo();
    // The engine deletes what is not protected and stops at what is: every protected resource must survive.
    const protectedUrns = (await exportStack(session, "dev")).resources.filter((r) => r.protect).map((r) => r.urn);
    const destroy = await session.pulumi("dev: destroy (must be stopped by protect)", ["destroy", "--yes", "--skip-preview", "-s", "dev"], "fail");
    assertMatch(destroy.output, /\bprotected\b/, "destroy names protect");
    const left = new Set((await exportStack(session, "dev")).resources.map((r) => r.urn));
    const lost = protectedUrns.filter((urn) => !left.has(urn));
    if (protectedUrns.length === 0 || lost.length > 0) {
        throw new CommandError(`dev: destroy removed protected resources (${protectedUrns.length} protected):\n${lost.map((urn) => `  ${urn}`).join("\n")}`);
    }
    console.log(`ok   dev: destroy left all ${protectedUrns.length} protected resources (${left.size} resources remain)`);
}

/**
 * Another team's stack (test/fixtures/legacy-stack) with a live TLS 1.0 account, and an account whose replacement
 * by a TLS 1.2 one failed before the old one was deleted: its export holds the old one with `delete: true`.
 */
async function legacyExport(session: Session, fixture: boolean): Promise<void> {
    const cwd = ["--cwd", "test/fixtures/legacy-stack"];
    const inProject = (args: string[]) => [...args, ...cwd];
    await session.pulumi("legacy: stack init", inProject(["stack", "init", "legacy", "--secrets-provider", "passphrase"]));
    await session.pulumi("legacy: up", inProject(["up", "--yes", "--skip-preview", "-s", "legacy"]));
    await session.pulumi("legacy: config set archiveTls TLS1_2", inProject(["config", "set", "archiveTls", "TLS1_2", "-s", "legacy"]));
    await session.pulumi("legacy: up that fails after replacing the archive (must fail)", inProject(["up", "--yes", "--skip-preview", "-s", "legacy"]), "fail");
    const { file, resources } = await exportStack(session, "legacy", cwd);
    const pending = resources.filter((r) => r.delete).map((r) => r.urn);
    if (pending.length !== 1) {
        throw new CommandError(`legacy: expected one resource pending deletion in the export, found ${JSON.stringify(pending)}`);
    }
    const check = await session.run("legacy: policy:check (must fail on the live TLS 1.0 account only)", "npm", ["run", "--silent", "policy:check", "--", file, "--json"], "fail");
    const violations = (JSON.parse(check.output) as { violations: { urn: string; policy: string }[] }).violations.filter((v) => v.policy === STORAGE_TLS_POLICY);
    const flagged = violations.map((v) => v.urn.split("::").at(-1));
    if (JSON.stringify(flagged) !== JSON.stringify(["reports"])) {
        throw new CommandError(`legacy: ${STORAGE_TLS_POLICY} should flag the live "reports" account only, not the pending deletion; flagged ${JSON.stringify(flagged)}`);
    }
    console.log("ok   legacy: policy:check skips the pending deletion and flags the live TLS 1.0 account");
    if (fixture) {
        const target = path.join(PROJECT_DIR, "test", "fixtures", "stack-export-with-violation.json");
        fs.copyFileSync(file, target);
        console.log(`wrote ${path.relative(PROJECT_DIR, target)}`);
    }
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { keep: { type: "boolean", default: false }, "write-export-fixture": { type: "boolean", default: false } } });
    const started = Date.now();
    const cli = selectCli();
    let session: Session | undefined;
    let failed = true;
    try {
        session = await Session.open(cli);
        const version = await session.pulumi("pulumi version", ["version"]);
        console.log(`CLI ${version.output.trim()}: ${cli.path} (${cli.origin})`);
        for (const stack of STACKS) {
            await deployStack(session, stack);
        }
        await refusals(session);
        await legacyExport(session, values["write-export-fixture"]);
        failed = false;
        console.log(`e2e passed with CLI ${version.output.trim()} in ${Math.round((Date.now() - started) / 1000)} s`);
        return 0;
    } catch (err) {
        if (!(err instanceof CommandError)) {
            throw err;
        }
        console.error(err.message);
        return 1;
    } finally {
        session?.close(values.keep || failed);
    }
}

main().then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(1);
});
