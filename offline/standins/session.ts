/**
 * One run of the real Pulumi CLI on a scratch copy of the project, offline: a file backend, a passphrase secrets
 * provider, a private PULUMI_HOME holding the stand-in plugins (./plugins.ts), nothing downloaded. The CLI is
 * the `pulumi` on PATH when there is one (a laptop; a GitHub runner after pulumi/actions), otherwise the one
 * scripts/build-pulumi.sh builds into bin/pulumi from the pins in scripts/tools/pulumi/.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../engine";
import { CLOUD_DIR_ENV } from "./provider";
import { writeStandins } from "./plugins";

export interface Cli {
    path: string;
    /** Why this CLI was chosen, for the log. */
    origin: string;
}

export function selectCli(): Cli {
    const onPath = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" }).stdout.trim();
    if (onPath) {
        return { path: onPath, origin: "the pulumi on PATH, with its own nodejs language host" };
    }
    const built = path.join(PROJECT_DIR, "bin", "pulumi", "pulumi");
    if (fs.existsSync(built)) {
        return { path: built, origin: "bin/pulumi, built by scripts/build-pulumi.sh from scripts/tools/pulumi/ (no pulumi on PATH)" };
    }
    throw new Error("no pulumi on PATH and bin/pulumi/pulumi is not built: run bash scripts/build-pulumi.sh");
}

/** Generated or local-only folders of a checkout that a scratch copy leaves out (node_modules is linked). */
const NOT_COPIED = new Set(["node_modules", ".git", "bin", "build", "reports", ".stryker-tmp", ".ci/.node", ".ci/.checkov"]);

export class CommandError extends Error {}

export interface Result {
    code: number;
    output: string;
    seconds: number;
}

export class Session {
    readonly env: NodeJS.ProcessEnv;
    private commands = 0;

    private constructor(readonly cli: Cli, readonly dir: string, private readonly logs: string) {
        // Nothing of the caller's Pulumi setup (a token, a backend, TypeScript flags) leaks into the run.
        const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PULUMI_")));
        this.env = {
            ...inherited,
            // The language host and the packs run the node that runs this (the project's Node.js 22).
            PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env["PATH"] ?? ""}`,
            PULUMI_HOME: path.join(dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
            // A test-only passphrase for a test-only state: docs/setup.md, CI setup, step 7 (a DIY backend).
            PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            [CLOUD_DIR_ENV]: path.join(dir, ".cloud"),
        };
    }

    /** A scratch copy of the project (its node_modules linked) with the stand-in plugins installed by the CLI. */
    static async open(cli: Cli): Promise<Session> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-e2e-"));
        fs.cpSync(PROJECT_DIR, dir, {
            recursive: true,
            filter: (source) => !NOT_COPIED.has(path.relative(PROJECT_DIR, source)),
        });
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
        const logs = path.join(dir, ".e2e-logs");
        fs.mkdirSync(logs);
        fs.mkdirSync(path.join(dir, ".state"));
        const session = new Session(cli, dir, logs);
        for (const { plugin, executable } of writeStandins(dir, path.join(dir, "build", "standins"), session.env[CLOUD_DIR_ENV]!)) {
            await session.pulumi(`install the ${plugin.name} ${plugin.version} stand-in`, ["plugin", "install", "resource", plugin.name, plugin.version, "--file", executable]);
        }
        return session;
    }

    /** Runs a command in the scratch copy; its output goes to a log file, printed whole if the outcome is not the expected one. */
    async run(title: string, command: string, args: string[], expect: "succeed" | "fail" = "succeed", env: Record<string, string> = {}): Promise<Result> {
        const log = path.join(this.logs, `${String(++this.commands).padStart(2, "0")}-${title.replace(/[^\w.-]+/g, "-").slice(0, 60)}.log`);
        const started = Date.now();
        const child = spawn(command, args, { cwd: this.dir, env: { ...this.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        const code = await new Promise<number>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (status) => resolve(status ?? 1));
        });
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        const shown = [...Object.entries(env).map(([key, value]) => `${key}=${value}`), command, ...args].join(" ");
        fs.writeFileSync(log, `$ ${shown}\n${output}\n[exit ${code}, ${seconds} s]\n`);
        const ok = expect === "succeed" ? code === 0 : code !== 0;
        console.log(`${ok ? "ok  " : "FAIL"} ${title} (exit ${code}, ${seconds} s)`);
        if (!ok) {
            throw new CommandError(`${title}: expected to ${expect}, exited ${code}\n$ ${[path.basename(command), ...args].join(" ")}\n${output}`);
        }
        return { code, output, seconds };
    }

    pulumi(title: string, args: string[], expect: "succeed" | "fail" = "succeed", env: Record<string, string> = {}): Promise<Result> {
        return this.run(title, this.cli.path, args, expect, env);
    }

    file(relative: string): string {
        return path.join(this.dir, relative);
    }

    /** Replaces exactly one occurrence of `from` in a file of the scratch copy; returns the undo. */
    edit(relative: string, from: string, to: string): () => void {
        const file = this.file(relative);
        const text = fs.readFileSync(file, "utf8");
        if (text.split(from).length !== 2) {
            throw new Error(`${relative} does not contain ${JSON.stringify(from)} exactly once: update the e2e's edit`);
        }
        fs.writeFileSync(file, text.replace(from, to));
        return () => fs.writeFileSync(file, text);
    }

    close(keep: boolean): void {
        if (keep) {
            console.log(`scratch copy kept: ${this.dir} (logs in .e2e-logs/)`);
        } else {
            fs.rmSync(this.dir, { recursive: true, force: true });
        }
    }
}
