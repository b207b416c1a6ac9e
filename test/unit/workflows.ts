/** The CI definitions as users run them: same commands as the README, policy packs paired with their configs. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../offline/engine";
import { packDirs } from "../../offline/policyCheck";
import { firewallRuleCollectionGroups } from "../../components/network/firewallRules";
import { CHARTS } from "../../versions";
import { azureConfig } from "../helpers";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const deploy = parse(read(".github/workflows/deploy.yml"));
type Step = { run?: string; uses?: string; if?: string; with?: Record<string, string>; env?: Record<string, string> };
const steps = (job: string): Step[] => deploy.jobs[job].steps;
/** The composite action every preview and update runs (one Pulumi run of one stack). */
const pulumiAction = parse(read(".github/actions/pulumi/action.yml")) as { runs: { steps: Step[] } };
const pulumiRun = pulumiAction.runs.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
const PULUMI_JOBS = ["preview", "up-dev", "up-prod"];

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
            const runs = Object.values(workflow.jobs as Record<string, { steps?: { run?: string; with?: Record<string, unknown> }[] }>)
                .flatMap((job) => (job.steps ?? []).flatMap((step) => [
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
        for (const step of pulumiAction.runs.steps) {
            for (const [, file2] of (step.run ?? "").matchAll(/bash ((?:scripts)\/[\w./-]+)/g)) {
                assert.ok(fs.existsSync(path.join(PROJECT_DIR, file2!)), `the pulumi action: ${file2} does not exist`);
                pathsChecked++;
            }
        }
        // .ci/run, and the scripts the pulumi action runs.
        assert.ok(pathsChecked >= 3, `only ${pathsChecked} paths found to check`);
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

    it("previews or deploys only after the tests and offline plans passed, dev before prod by needs", () => {
        assert.equal(deploy.jobs.ci.uses, "./.github/workflows/ci.yml");
        assert.ok(parse(read(".github/workflows/ci.yml")).on.workflow_call !== undefined);
        for (const job of ["preview", "up-dev"]) {
            assert.ok(deploy.jobs[job].needs.includes("ci"), `${job} does not wait for the tests`);
        }
        assert.ok(deploy.jobs["up-prod"].needs.includes("up-dev"), "prod does not wait for dev");
        for (const job of Object.values(deploy.jobs) as { strategy?: Record<string, unknown> }[]) {
            assert.equal(job.strategy?.["max-parallel"], undefined, "ordering by max-parallel is not a guarantee");
        }
        assert.deepEqual([deploy.jobs["up-dev"].environment, deploy.jobs["up-prod"].environment, deploy.jobs.preview.environment], ["dev", "prod", undefined]);
    });

    it("every preview and update runs the README's command: every pack with its config", () => {
        const inputs = pulumiRun.with!;
        assert.equal(inputs["comment-on-pr"], "${{ inputs.command == 'preview' }}");
        // pulumi/actions splits these lists on lines; the CLI pairs them by position.
        const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
        const asFlags = lines(inputs["policyPacks"]!).map((pack, i) => `--policy-pack ${pack} --policy-pack-config ${lines(inputs["policyPackConfigs"]!)[i]}`).join(" ");
        for (const stack of ["dev", "prod"]) {
            assertEveryPackConfigured(asFlags.replace(/\$\{\{ inputs\.stack \}\}/g, stack), stack);
        }
        const readmeCommands = read("README.md").match(/^pulumi (preview|up) [\s\S]*?\.json$/gm) ?? [];
        assert.equal(readmeCommands.length, 2);
        readmeCommands.forEach((command) => assertEveryPackConfigured(command, "dev"));
        for (const job of PULUMI_JOBS) {
            assert.ok(steps(job).some((s) => s.uses === "./.github/actions/pulumi"), job);
        }
    });

    it("signs in to Pulumi Cloud by OIDC with org-qualified stacks, and holds no static Pulumi token", () => {
        const auth = pulumiAction.runs.steps.find((s) => s.uses?.startsWith("pulumi/auth-actions@"))!;
        assert.equal(auth.with?.["organization"], "${{ env.PULUMI_ORG }}");
        assert.equal(pulumiRun.with!["stack-name"], "${{ env.PULUMI_ORG }}/platform/${{ inputs.stack }}");
        for (const file of [".github/workflows/deploy.yml", ".github/workflows/ci.yml", ".github/actions/pulumi/action.yml"]) {
            assert.doesNotMatch(read(file), /PULUMI_ACCESS_TOKEN|secrets\./, file);
        }
        // A pull request's preview gets a team token; updates an organization token.
        assert.equal(steps("preview").find((s) => s.uses === "./.github/actions/pulumi")!.with!["pulumi-token-type"], "urn:pulumi:token-type:access_token:team");
    });

    it("uses the read-only identity on pull requests and the deploying one only behind an environment, as the README's federated credentials say", () => {
        // GitHub's OIDC subject: environment jobs get repo:<o>/<r>:environment:<name>, pull requests repo:<o>/<r>:pull_request
        // (docs.github.com, "OpenID Connect reference", subject claims).
        const identity = (job: string) => steps(job).find((s) => s.uses === "./.github/actions/pulumi")!.with!["azure-client-id"];
        assert.equal(identity("preview"), "${{ vars.AZURE_PREVIEW_CLIENT_ID }}");
        assert.equal(identity("up-dev"), "${{ vars.AZURE_CLIENT_ID }}");
        assert.equal(identity("up-prod"), "${{ vars.AZURE_CLIENT_ID }}");
        const readme = read("README.md");
        for (const [variable, subject] of [["AZURE_PREVIEW_CLIENT_ID", "pull_request"], ["AZURE_CLIENT_ID", "environment:dev"], ["AZURE_CLIENT_ID", "environment:prod"]]) {
            assert.match(readme, new RegExp(`\\| \`${variable}\` \\|[^\\n]*\`repo:<owner>/<repo>:${subject}\``), `${variable} ${subject}`);
        }
    });

    it("lets kubelogin renew its Entra token for the whole run: workloadidentity with a token file kept fresh", () => {
        assert.equal(pulumiRun.env?.["AAD_LOGIN_METHOD"], "workloadidentity");
        assert.ok(pulumiAction.runs.steps.some((s) => (s.run ?? "").includes("bash scripts/refresh-federated-token.sh") && (s.run ?? "").includes("AZURE_FEDERATED_TOKEN_FILE")));
        // GitHub's OIDC tokens last minutes; the refresher must come back sooner.
        const sleep = Number(/sleep (\d+)/.exec(read("scripts/refresh-federated-token.sh"))?.[1]);
        assert.ok(sleep > 0 && sleep <= 300, `refreshes every ${sleep} s`);
    });

    it("leaves no token in the checkout on runners that keep their workspace", () => {
        const checkouts = Object.values(deploy.jobs as Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>)
            .flatMap((job) => job.steps ?? []).filter((s) => s.uses?.startsWith("actions/checkout@"));
        assert.ok(checkouts.length >= PULUMI_JOBS.length);
        for (const job of PULUMI_JOBS) {
            const checkout = steps(job).filter((s) => s.uses?.startsWith("actions/checkout@"));
            assert.equal(checkout.length, 1, job);
            assert.equal(checkout[0]!.with?.["persist-credentials"], false, job);
        }
    });

    it("needs Node from one version file: .nvmrc for setup-node and .ci/run, engines and engine-strict for npm", () => {
        const version = read(".nvmrc").trim();
        assert.match(version, /^22\.\d+\.\d+$/);
        const engines = JSON.parse(read("package.json")).engines.node;
        assert.equal(engines, `>=${version.split(".")[0]}`);
        assert.match(read(".npmrc"), /^engine-strict=true$/m);
        assert.match(read(".ci/run"), /NODE_VERSION=\$\(cat \.nvmrc\)/);
        for (const file of ["ci.yml", "deploy.yml", "the pulumi action"]) {
            const all = file === "the pulumi action" ? pulumiAction.runs.steps
                : Object.values(parse(read(`.github/workflows/${file}`)).jobs as Record<string, { steps?: Step[] }>).flatMap((job) => job.steps ?? []);
            const setups = all.filter((s) => s.uses?.startsWith("actions/setup-node@"));
            assert.ok(setups.length > 0 || file === "deploy.yml", file);
            for (const setup of setups) {
                assert.deepEqual([setup.with?.["node-version-file"], setup.with?.["node-version"]], [".nvmrc", undefined], file);
            }
        }
    });

    it("pins the Pulumi CLI the deploy uses to the version the README's runner image names", () => {
        const version = pulumiRun.with!["pulumi-version"];
        assert.match(String(version), /^\d+\.\d+\.\d+$/);
        assert.match(read("README.md"), new RegExp(`Pulumi CLI ${String(version).replace(/\./g, "\\.")}\\b`));
        // CI's engine e2e runs the CLI the deploys run.
        const installs = (parse(read(".github/workflows/ci.yml")).jobs.test.steps as Step[]).filter((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual(installs.map((s) => [s.with?.["pulumi-version"], s.with?.["command"]]), [[version, undefined]]);
    });

    it("lets the phase-2 runner reach exactly the hosts its jobs contact", () => {
        // Each host a step of the preview and update jobs needs on the self-hosted runner, and who needs it.
        const needed: Record<string, string> = {
            "github.com": "the runner application (docs.github.com, communicating with self-hosted runners: essential)",
            "api.github.com": "the runner application (essential)",
            "*.actions.githubusercontent.com": "the runner's broker and results, and the OIDC token endpoint azure/login, auth-actions and the token refresher call",
            "codeload.github.com": "the runner downloading actions (checkout, azure/login, pulumi/auth-actions, pulumi/actions)",
            "*.blob.core.windows.net": "logs, job summaries and artifacts (productionresultssa* storage accounts)",
            "objects.githubusercontent.com": "GitHub release downloads: runner updates, provider plugins",
            "release-assets.githubusercontent.com": "GitHub release downloads (the newer asset host)",
            "api.pulumi.com": "pulumi/auth-actions' token exchange and the Pulumi Cloud backend",
            "get.pulumi.com": "provider plugin downloads",
            "registry.npmjs.org": "npm ci",
            "management.azure.com": "azure/login, scripts/register-providers.sh and azure-native",
            "login.microsoftonline.com": "Entra ID sign-in: azure/login, azure-native, kubelogin",
        };
        for (const host of new Set(Object.values(CHARTS).map((pin) => new URL(pin.repository).hostname))) {
            needed[host] = "helm: the chart repositories the releases install from";
        }
        const runnerRules = firewallRuleCollectionGroups(azureConfig("dev").network, "westeurope").find((g) => g.name === "deploy-runners")!.applicationRules;
        const allowed = runnerRules.flatMap((r) => r.fqdns);
        assert.deepEqual([...allowed].sort(), Object.keys(needed).sort());
        // pulumi/actions downloads nothing when the pinned CLI is on PATH; the runner image provides it.
        assert.ok(!allowed.includes("raw.githubusercontent.com"));
    });

    it("keeps forks away from the identities and self-hosted runners, and grants OIDC only to the jobs that sign in", () => {
        assert.match(deploy.jobs.preview.if, /head\.repo\.full_name == github\.repository/);
        assert.equal(deploy.jobs["up-dev"].if, "github.event_name == 'push'");
        assert.deepEqual(deploy.permissions, { contents: "read" });
        for (const job of PULUMI_JOBS) {
            assert.equal(deploy.jobs[job].permissions["id-token"], "write", job);
        }
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
