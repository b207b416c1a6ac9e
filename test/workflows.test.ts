/** The CI definitions as users run them: same commands as the README, policy packs paired with their configs. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_DIR } from "../offline/engine";
import { packDirs } from "../offline/policyCheck";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const deploy = parse(read(".github/workflows/deploy.yml"));
const steps = (job: string): { run?: string; uses?: string; with?: Record<string, string> }[] => deploy.jobs[job].steps;

/** `--policy-pack X --policy-pack-config Y` pairs of a command line, in order. */
function policyFlags(command: string): [string, string | undefined][] {
    const words = command.replace(/\\\n/g, " ").split(/\s+/).map((w) => w.replace(/^"|"$/g, ""));
    const pairs: [string, string | undefined][] = [];
    words.forEach((word, i) => {
        if (word === "--policy-pack") {
            pairs.push([words[i + 1]!, undefined]);
        } else if (word === "--policy-pack-config") {
            assert.ok(pairs.length > 0 && pairs.at(-1)![1] === undefined, `a config without its pack in: ${command}`);
            pairs.at(-1)![1] = words[i + 1];
        }
    });
    return pairs;
}

function assertEveryPackConfigured(command: string, stack: string): void {
    const pairs = policyFlags(command.replace(/\$\{\{ matrix\.stack \}\}/g, stack));
    assert.deepEqual(pairs.map(([pack]) => path.basename(pack)).sort(), Object.keys(packDirs()).sort(), command);
    for (const [pack, config] of pairs) {
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, pack, "PulumiPolicy.yaml")), `${pack} is not a policy pack`);
        assert.ok(config && fs.existsSync(path.join(PROJECT_DIR, config)), `${pack} has no config file (${config})`);
    }
}

describe("CI and deploy workflows", () => {
    it("every workflow parses, and every npm script, file and policy pack it names exists", () => {
        const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
        let pathsChecked = 0;
        for (const file of fs.readdirSync(path.join(PROJECT_DIR, ".github", "workflows"))) {
            const workflow = parse(read(`.github/workflows/${file}`));
            assert.ok(workflow.jobs && Object.keys(workflow.jobs).length > 0, `${file} has no jobs`);
            const runs = Object.values(workflow.jobs as Record<string, { steps: { run?: string; with?: Record<string, unknown> }[] }>)
                .flatMap((job) => job.steps.flatMap((step) => [
                    step.run ?? "",
                    // Paths handed to actions count too, one per line.
                    ...["policyPacks", "policyPackConfigs"].flatMap((key) => String(step.with?.[key] ?? "").split("\n").filter(Boolean).map((path) => `--policy-pack ${path.trim()} `)),
                ]).map((run) => run.replace(/\$\{\{ matrix\.stack \}\}/g, "dev")));
            for (const run of runs) {
                for (const [, script] of run.matchAll(/npm run ([\w:-]+)/g)) {
                    assert.ok(scripts.includes(script!), `${file}: npm run ${script} is not a package.json script`);
                }
                for (const [, file2] of run.matchAll(/(?:bash |--policy-pack(?:-config)? "?)((?:\.ci|policies)\/[\w./-]+?)(?:"|\s|$)/g)) {
                    assert.ok(fs.existsSync(path.join(PROJECT_DIR, file2!)), `${file}: ${file2} does not exist`);
                    pathsChecked++;
                }
            }
        }
        // .ci/run, and both packs with their configs.
        assert.ok(pathsChecked >= 5, `only ${pathsChecked} paths found to check`);
    });

    it("CI runs .ci/run, which runs the README's test command after a clean install", () => {
        const ci = parse(read(".github/workflows/ci.yml"));
        assert.ok(ci.jobs.test.steps.some((s: { run?: string }) => s.run === "bash .ci/run"));
        const script = read(".ci/run");
        assert.match(read("README.md"), /^npm ci\s.*\nnpm test\s/m);
        for (const command of ["npm ci", "npm run typecheck", "npm test"]) {
            assert.match(script, new RegExp(`^${command}\\b`, "m"));
        }
    });

    it("plans every committed stack offline, in both phases for the Azure stacks, without secrets", () => {
        const ci = parse(read(".github/workflows/ci.yml"));
        const job = ci.jobs["offline-plan"];
        const stacks = fs.readdirSync(PROJECT_DIR).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
        const planned = job.strategy.matrix.include.map((m: { stack: string; phase?: string }) => `${m.stack}/${m.phase ?? ""}`).sort();
        const expected = stacks.flatMap((s) => (s === "local" ? [`${s}/`] : [`${s}/azure`, `${s}/all`])).sort();
        assert.deepEqual(planned, expected);
        assert.ok(!JSON.stringify(job).includes("secrets."), "the offline plan must not need secrets");
        assert.ok(job.steps.some((s: { run?: string }) => s.run?.startsWith("npm run policy:check -- plan.json")));
    });

    it("deploys dev before prod and stops prod when dev fails", () => {
        const strategy = deploy.jobs.pulumi.strategy;
        assert.deepEqual([strategy.matrix.stack, strategy["max-parallel"], strategy["fail-fast"]], [["dev", "prod"], 1, true]);
    });

    it("deploy runs preview (commented on the PR) and up with every pack and its config, like the README", () => {
        const pulumiStep = steps("pulumi").find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        const inputs = pulumiStep.with!;
        assert.equal(inputs["comment-on-pr"], true);
        assert.match(inputs["command"]!, /'up' \|\| 'preview'/);
        // pulumi/actions splits these lists on lines; the CLI pairs them by position.
        const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
        const asFlags = lines(inputs["policyPacks"]!).map((pack, i) => `--policy-pack ${pack} --policy-pack-config ${lines(inputs["policyPackConfigs"]!)[i]}`).join(" ");
        for (const stack of ["dev", "prod"]) {
            assertEveryPackConfigured(asFlags, stack);
        }
        const readmeCommands = read("README.md").match(/^pulumi (preview|up) [\s\S]*?\.json$/gm) ?? [];
        assert.equal(readmeCommands.length, 2);
        readmeCommands.forEach((command) => assertEveryPackConfigured(command, "dev"));
    });

    it("leaves no token in the checkout on runners that keep their workspace", () => {
        const checkouts = Object.values(deploy.jobs as Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>)
            .flatMap((job) => job.steps).filter((s) => s.uses?.startsWith("actions/checkout@"));
        const pulumiJob = steps("pulumi").filter((s) => s.uses?.startsWith("actions/checkout@"));
        assert.ok(pulumiJob.length === 1 && checkouts.length >= 2);
        for (const checkout of pulumiJob) {
            assert.equal(checkout.with?.["persist-credentials"], false);
        }
    });

    it("needs Node from one version file: .nvmrc for setup-node and .ci/run, engines and engine-strict for npm", () => {
        const version = read(".nvmrc").trim();
        assert.match(version, /^22\.\d+\.\d+$/);
        const engines = JSON.parse(read("package.json")).engines.node;
        assert.equal(engines, `>=${version.split(".")[0]}`);
        assert.match(read(".npmrc"), /^engine-strict=true$/m);
        assert.match(read(".ci/run"), /NODE_VERSION=\$\(cat \.nvmrc\)/);
        for (const file of ["ci.yml", "deploy.yml"]) {
            const workflow = parse(read(`.github/workflows/${file}`));
            const setups = Object.values(workflow.jobs as Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>)
                .flatMap((job) => job.steps).filter((s) => s.uses?.startsWith("actions/setup-node@"));
            assert.ok(setups.length > 0, file);
            for (const setup of setups) {
                assert.deepEqual([setup.with?.["node-version-file"], setup.with?.["node-version"]], [".nvmrc", undefined], file);
            }
        }
    });

    it("pins the Pulumi CLI the deploy uses to the version the README's runner image names", () => {
        const version = steps("pulumi").find((s) => s.uses?.startsWith("pulumi/actions@"))!.with!["pulumi-version"];
        assert.match(String(version), /^\d+\.\d+\.\d+$/);
        assert.match(read("README.md"), new RegExp(`Pulumi CLI ${String(version).replace(/\./g, "\\.")}\\b`));
    });

    it("keeps forks away from the deploying identity and self-hosted runners", () => {
        assert.match(deploy.jobs.pulumi.if, /head\.repo\.full_name == github\.repository/);
        assert.equal(deploy.permissions["id-token"], "write");
        assert.equal(deploy.permissions.contents, "read");
    });

    for (const [phase, runner] of [["azure", "ubuntu-latest"], ["all", ["self-hosted", "platform-dev"]], ['"all"  # phase 2 since the runner exists', ["self-hosted", "platform-dev"]], ["'azure'", "ubuntu-latest"]] as const) {
        it(`runs a stack whose file says \`platform:phase: ${phase}\` on ${JSON.stringify(runner)}`, () => {
            // Execute the route job's script against a stack file in this phase (YAML allows quotes and comments).
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "route-"));
            for (const stack of ["dev", "prod"]) {
                fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), read(`Pulumi.${stack}.yaml`).replace(/platform:phase: \w+/, `platform:phase: ${phase}`));
            }
            const output = path.join(dir, "github-output");
            const script = steps("route").find((s) => s.run)!.run!;
            const result = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: dir, env: { ...process.env, GITHUB_OUTPUT: output }, encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            const values = Object.fromEntries(fs.readFileSync(output, "utf8").trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)));
            assert.deepEqual(JSON.parse(values["dev"]!), runner);
        });
    }
});
