/** The CI definitions as users run them: same commands as the README and docs/setup.md, policy packs paired with their configs. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../offline/engine";
import { packDirs } from "../../offline/policyCheck";
import { stackPolicyConfigFiles } from "../../offline/policyConfig";
import { firewallRuleCollectionGroups } from "../../components/network/firewallRules";
import { CHARTS } from "../../versions";
import { ENVIRONMENT_PROFILES } from "../../config/profiles";
import { azureConfig } from "../helpers";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
/** Where the deploy commands, the GitHub setup and the runner image are documented. */
const SETUP = "docs/setup.md";
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
        // .ci/run, and the script the pulumi action runs.
        assert.ok(pathsChecked >= 2, `only ${pathsChecked} paths found to check`);
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

    it("every preview and update runs the setup page's command: every pack with its config", () => {
        const inputs = pulumiRun.with!;
        assert.equal(inputs["comment-on-pr"], "${{ inputs.command == 'preview' }}");
        // pulumi/actions splits these lists on lines; the CLI pairs them by position.
        const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
        const asFlags = lines(inputs["policyPacks"]!).map((pack, i) => `--policy-pack ${pack} --policy-pack-config ${lines(inputs["policyPackConfigs"]!)[i]}`).join(" ");
        for (const stack of ["dev", "prod"]) {
            assertEveryPackConfigured(asFlags.replace(/\$\{\{ inputs\.stack \}\}/g, stack), stack);
        }
        const setupCommands = read(SETUP).match(/^pulumi (preview|up) [\s\S]*?\.json$/gm) ?? [];
        assert.equal(setupCommands.length, 2);
        setupCommands.forEach((command) => assertEveryPackConfigured(command, "dev"));
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

    it("uses the read-only identity on pull requests and a deploying identity per stack only behind that stack's environment, as the setup page's federated credentials say", () => {
        // GitHub's OIDC subject: environment jobs get repo:<o>/<r>:environment:<name>, pull requests repo:<o>/<r>:pull_request
        // (docs.github.com, "OpenID Connect reference", subject claims).
        const inputs = (job: string) => steps(job).find((s) => s.uses === "./.github/actions/pulumi")!.with!;
        assert.equal(inputs("preview")["azure-client-id"], "${{ vars.AZURE_PREVIEW_CLIENT_ID }}");
        assert.equal(inputs("up-dev")["azure-client-id"], "${{ vars.AZURE_DEV_CLIENT_ID }}");
        assert.equal(inputs("up-prod")["azure-client-id"], "${{ vars.AZURE_PROD_CLIENT_ID }}");
        // Each stack in its own subscription, the one its identity is Owner of.
        assert.equal(inputs("up-dev")["subscription-id"], "${{ vars.AZURE_DEV_SUBSCRIPTION_ID }}");
        assert.equal(inputs("up-prod")["subscription-id"], "${{ vars.AZURE_PROD_SUBSCRIPTION_ID }}");
        assert.equal(inputs("preview")["subscription-id"], "${{ vars[matrix.subscription] }}");
        assert.deepEqual(deploy.jobs.preview.strategy.matrix.include, [{ stack: "dev", subscription: "AZURE_DEV_SUBSCRIPTION_ID" }, { stack: "prod", subscription: "AZURE_PROD_SUBSCRIPTION_ID" }]);
        const setup = read(SETUP);
        for (const [variable, subject] of [["AZURE_PREVIEW_CLIENT_ID", "pull_request"], ["AZURE_DEV_CLIENT_ID", "environment:dev"], ["AZURE_PROD_CLIENT_ID", "environment:prod"]]) {
            assert.match(setup, new RegExp(`\\| \`${variable}\` \\|[^\\n]*\`repo:<owner>/<repo>:${subject}\``), `${variable} ${subject}`);
        }
        // One identity per subject: the dev identity has no prod credential, and neither deploying one a pull request's.
        for (const variable of ["AZURE_DEV_CLIENT_ID", "AZURE_PROD_CLIENT_ID"]) {
            const row = setup.split("\n").find((line) => line.trimStart().startsWith(`| \`${variable}\``))!;
            assert.equal([...row.matchAll(/`repo:<owner>\/<repo>:[^`]+`/g)].length, 1, row);
        }
    });

    it("deploys only from main: the update jobs run on pushes to main, behind environments the setup page restricts to main", () => {
        for (const job of ["up-dev", "up-prod", "runner-image"]) {
            assert.equal(deploy.jobs[job].if, "github.event_name == 'push' && github.ref == 'refs/heads/main'", job);
        }
        assert.deepEqual(deploy.on.push, { branches: ["main"] });
        // docs.github.com, "Deployment branches and tags": an environment restricted to selected branches gives its
        // secrets, variables and OIDC subject only to jobs of those branches.
        assert.match(read(SETUP), /Environments\*\* `dev` and `prod`, each with \*\*Deployment branches and tags: Selected branches\*\* `main`/);
    });

    it("lets kubelogin renew its Entra token for the whole run itself: workloadidentity, GitHub's token audience, no token file", () => {
        assert.equal(pulumiRun.env?.["AAD_LOGIN_METHOD"], "workloadidentity");
        // kubelogin >= 0.2.0 fetches GitHub tokens itself (GithubActionsCredential); a token file and its refresher are gone.
        assert.ok(!fs.existsSync(path.join(PROJECT_DIR, "scripts", "refresh-federated-token.sh")));
        for (const file of [".github/actions/pulumi/action.yml", ".github/workflows/deploy.yml"]) {
            assert.doesNotMatch(read(file), /AZURE_FEDERATED_TOKEN_FILE|refresh-federated-token/, file);
        }
        // The audience GitHub's token is minted for is the one the federated credentials accept (Entra's
        // workload identity federation default) and kubelogin requests (githubactionscredential.go, azureADAudience).
        const login = pulumiAction.runs.steps.find((s) => s.uses?.startsWith("azure/login@"))!;
        assert.equal(login.with?.["audience"], "api://AzureADTokenExchange");
        assert.match(read(SETUP), /audience `api:\/\/AzureADTokenExchange`/);
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

    it("pins the Pulumi CLI the deploy uses to the version every page that names the Pulumi CLI names (the setup page's runner image among them)", () => {
        const version = pulumiRun.with!["pulumi-version"];
        assert.match(String(version), /^\d+\.\d+\.\d+$/);
        assert.match(read(SETUP), new RegExp(`runner with\\s+Pulumi\\s+CLI ${String(version).replace(/\./g, "\\.")}\\b`));
        const pages = ["README.md", "policies/README.md", ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
        for (const file of pages) {
            for (const named of read(file).matchAll(/Pulumi\s+CLI (\d+\.\d+\.\d+)/g)) {
                assert.equal(named[1], version, file);
            }
        }
        // CI's engine e2e runs the CLI the deploys run.
        const installs = (parse(read(".github/workflows/ci.yml")).jobs.test.steps as Step[]).filter((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual(installs.map((s) => [s.with?.["pulumi-version"], s.with?.["command"]]), [[version, undefined]]);
    });

    it("lets the phase-2 runners reach exactly the hosts their jobs and their environment contact", () => {
        // Each host the runners subnet needs, and who needs it.
        const needed: Record<string, string> = {
            // docs.github.com, "Communicating with self-hosted runners": essential operations, actions, results, OIDC.
            "github.com": "the runner application (essential)",
            "api.github.com": "the runner application (essential); just-in-time registration",
            "*.actions.githubusercontent.com": "the runner's broker and results, and the OIDC token endpoint azure/login, auth-actions and kubelogin call",
            "codeload.github.com": "the runner downloading actions (checkout, azure/login, pulumi/auth-actions, pulumi/actions)",
            "objects.githubusercontent.com": "GitHub release assets: the github.io chart repositories' archives",
            "release-assets.githubusercontent.com": "GitHub release assets (the newer asset host)",
            "api.pulumi.com": "pulumi/auth-actions' token exchange and the Pulumi Cloud backend",
            "get.pulumi.com": "provider plugin downloads",
            "registry.npmjs.org": "npm ci",
            "management.azure.com": "azure/login, scripts/register-providers.sh and azure-native",
            "login.microsoftonline.com": "Entra ID sign-in: azure/login, azure-native, kubelogin",
            // learn.microsoft.com/azure/container-apps/use-azure-firewall#application-rules: all scenarios, managed identity.
            "mcr.microsoft.com": "Container Apps' system images",
            "*.data.mcr.microsoft.com": "Container Apps' system images",
            "packages.aks.azure.com": "the environment's Kubernetes and CNI binaries",
            "acs-mirror.azureedge.net": "the environment's Kubernetes and CNI binaries",
            "*.identity.azure.net": "managed identity",
            "*.login.microsoftonline.com": "managed identity",
            "*.login.microsoft.com": "managed identity",
            "login.microsoft.com": "managed identity for the registry and Key Vault",
        };
        // The results storage accounts GitHub's meta API lists (domains.actions): productionresultssa0 through 19.
        for (let i = 0; i < 20; i++) {
            needed[`productionresultssa${i}.blob.core.windows.net`] = "logs, job summaries and artifacts";
        }
        for (const host of new Set(Object.values(CHARTS).map((pin) => new URL(pin.repository).hostname))) {
            needed[host] = "helm: the chart repositories the releases install from";
        }
        // Quay serves an OCI chart's blobs from its CDN hosts (cdn.quay.io, cdn0N.quay.io; docs.openshift.com
        // "Configuring your firewall" lists them, or *.quay.io): cert-manager's chart comes from quay.io/jetstack/charts.
        needed["*.quay.io"] = "helm: the CDN quay.io redirects the cert-manager chart's download to";
        const runnerRules = firewallRuleCollectionGroups(azureConfig("dev").network, "westeurope").find((g) => g.name === "deploy-runners")!.applicationRules;
        const allowed = runnerRules.flatMap((r) => r.fqdns);
        assert.deepEqual([...allowed].sort(), Object.keys(needed).sort());
        // Any storage account in Azure would be an exfiltration path; the platform registry and vaults are private endpoints.
        for (const host of ["*.blob.core.windows.net", "*.azurecr.io", "*.vault.azure.net", "raw.githubusercontent.com", "ghcr.io"]) {
            assert.ok(!allowed.includes(host), host);
        }
    });

    it("keeps forks away from the identities and the runners, and grants OIDC only to the jobs that sign in", () => {
        assert.match(deploy.jobs.preview.if, /head\.repo\.full_name == github\.repository/);
        assert.deepEqual(deploy.permissions, { contents: "read" });
        for (const job of PULUMI_JOBS) {
            assert.equal(deploy.jobs[job].permissions["id-token"], "write", job);
        }
        // Only the image job may write packages, and it runs on main.
        const packageWriters = Object.entries(deploy.jobs as Record<string, { permissions?: Record<string, string> }>).filter(([, job]) => job.permissions?.["packages"] === "write").map(([name]) => name);
        assert.deepEqual(packageWriters, ["runner-image"]);
    });

    it("cancels a pull request's stale previews, never an update on main", () => {
        // docs.github.com, "Control the concurrency of workflows and jobs": one run per group; cancel-in-progress
        // cancels the running one when a new one starts.
        assert.deepEqual(deploy.concurrency, { group: "deploy-${{ github.ref }}", "cancel-in-progress": "${{ github.event_name == 'pull_request' }}" });
    });

    it("pins every action by commit, the node24 major's tag in a comment (the tags' commits, read from the actions' repositories)", () => {
        const expected: Record<string, [string, string]> = {
            "actions/checkout": ["3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"],
            "actions/setup-node": ["820762786026740c76f36085b0efc47a31fe5020", "v7.0.0"],
            "actions/cache": ["27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"],
            "actions/upload-artifact": ["bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"],
            "azure/login": ["f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca", "v3.0.1"],
            "pulumi/auth-actions": ["141415910c3beb54e03b48e9057c204c97b956f2", "v2.1.0"],
            "pulumi/actions": ["8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"],
        };
        const files = [...fs.readdirSync(path.join(PROJECT_DIR, ".github", "workflows")).map((f) => `.github/workflows/${f}`), ".github/actions/pulumi/action.yml"];
        const seen = new Set<string>();
        for (const file of files) {
            for (const line of read(file).split("\n").filter((l) => /^\s*(- )?uses: /.test(l))) {
                const uses = /uses: (\S+)/.exec(line)![1]!;
                if (uses.startsWith("./")) {
                    continue;
                }
                const [action, ref] = uses.split("@");
                assert.ok(expected[action!], `${file}: ${uses} is not an action the workflows vet`);
                assert.equal(`${ref} ${/# (\S+)$/.exec(line)?.[1]}`, expected[action!]!.join(" "), `${file}: ${line.trim()}`);
                seen.add(action!);
            }
        }
        assert.deepEqual([...seen].sort(), Object.keys(expected).sort());
    });

    it("creates a stack that does not exist yet, in CI and in the setup page's commands", () => {
        // pulumi/actions v7 action.yml: upsert "Create the stack if it currently does not exist".
        assert.equal(pulumiRun.with!["upsert"], true);
        const setup = read(SETUP);
        assert.match(setup, /pulumi stack select --create <org>\/platform\/dev/);
        assert.match(setup, /pulumi stack select --create local && pulumi up/);
        assert.doesNotMatch(setup, /pulumi stack select (dev|local)\b(?! --create)/);
        assert.match(read("Pulumi.local.yaml"), /pulumi stack select --create local/);
    });

    it("previews on pull requests only what the read-only identity can: every Kubernetes object excluded, nothing else", () => {
        // pulumi/actions splits `exclude` on commas; the CLI takes URN globs (pkg/resource/deploy/deployment.go NewUrnTargets).
        assert.equal(pulumiRun.with!["exclude"], "${{ inputs.command == 'preview' && 'urn:pulumi:*::*::kubernetes:**,**$kubernetes:**' || '' }}");
        assert.match(read(SETUP), /`--exclude 'urn:pulumi:\*::\*::kubernetes:\*\*' --exclude '\*\*\$kubernetes:\*\*'`/);
    });

    it("requests the Pulumi Cloud tokens each edition has: team tokens only where a team is set, pull requests none without one", () => {
        // pulumi.com/docs/administration/guides/oidc-issuers ("Token types by edition"): Team has personal and
        // organization tokens; team tokens need Enterprise or Business Critical.
        assert.match(deploy.jobs.preview.if, /vars\.PULUMI_PREVIEW_TEAM != ''$/);
        const inputs = (job: string) => steps(job).find((s) => s.uses === "./.github/actions/pulumi")!.with!;
        assert.deepEqual([inputs("preview")["pulumi-token-type"], inputs("preview")["pulumi-token-scope"]], ["urn:pulumi:token-type:access_token:team", "team:${{ vars.PULUMI_PREVIEW_TEAM }}"]);
        for (const [job, team] of [["up-dev", "PULUMI_DEV_TEAM"], ["up-prod", "PULUMI_PROD_TEAM"]]) {
            assert.equal(inputs(job)["pulumi-token-type"], `\${{ vars.${team} != '' && 'urn:pulumi:token-type:access_token:team' || 'urn:pulumi:token-type:access_token:organization' }}`);
            assert.equal(inputs(job)["pulumi-token-scope"], `\${{ vars.${team} != '' && format('team:{0}', vars.${team}) || '' }}`);
        }
        const setup = read(SETUP);
        for (const edition of ["Team", "Enterprise"]) {
            assert.match(setup, new RegExp(`\\| ${edition} \\|`), edition);
        }
    });

    it("runs previews and updates on runners that never take each other's jobs, each living longer than its job may", () => {
        // A job's runs-on names one label; the route job gives each stack a label per role (executed below).
        assert.equal(deploy.jobs.preview["runs-on"], "${{ fromJSON(needs.route.outputs[matrix.stack]).preview }}");
        assert.equal(deploy.jobs["up-dev"]["runs-on"], "${{ fromJSON(needs.route.outputs.dev).deploy }}");
        assert.equal(deploy.jobs["up-prod"]["runs-on"], "${{ fromJSON(needs.route.outputs.prod).deploy }}");
        // GitHub cancels the job (timeout-minutes) before Container Apps stops its runner (replicaTimeout).
        for (const [job, role] of [["preview", "preview"], ["up-dev", "deploy"], ["up-prod", "deploy"]] as const) {
            for (const stack of ["dev", "prod"] as const) {
                assert.ok(deploy.jobs[job]["timeout-minutes"] * 60 < ENVIRONMENT_PROFILES[stack].runners[role].replicaTimeoutSeconds, `${job} on ${stack}`);
            }
        }
    });

    /** The route job's script run against stack files in a phase (YAML allows quotes and comments), with or without runners. */
    function route(phase: string, runners: boolean): { status: number | null; stderr: string; labels: Record<string, { preview: string; deploy: string }> } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "route-"));
        for (const stack of ["dev", "prod"]) {
            const file = read(`Pulumi.${stack}.yaml`).replace(/platform:phase: \w+/, `platform:phase: ${phase}`);
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), runners ? `${file}  platform:runners:\n    github: { owner: example-org, repository: platform, appId: 1, installationId: 2 }\n` : file);
        }
        const output = path.join(dir, "github-output");
        const script = steps("route").find((s) => s.run)!.run!;
        const result = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: dir, env: { ...process.env, GITHUB_OUTPUT: output }, encoding: "utf8" });
        const lines = fs.existsSync(output) ? fs.readFileSync(output, "utf8").trim().split("\n") : [];
        const labels = Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2)).map(([k, v]) => [k, JSON.parse(v!)]));
        return { status: result.status, stderr: result.stdout + result.stderr, labels };
    }

    for (const [phase, runner] of [
        ["azure", { preview: "ubuntu-latest", deploy: "ubuntu-latest" }],
        ["all", { preview: "platform-dev-preview", deploy: "platform-dev-deploy" }],
        ['"all"  # phase 2 since the runners exist', { preview: "platform-dev-preview", deploy: "platform-dev-deploy" }],
        ["'azure'", { preview: "ubuntu-latest", deploy: "ubuntu-latest" }],
    ] as const) {
        it(`runs a stack whose file says \`platform:phase: ${phase}\` on ${JSON.stringify(runner)}`, () => {
            const { status, stderr, labels } = route(phase, true);
            assert.equal(status, 0, stderr);
            assert.deepEqual(labels["dev"], runner);
        });
    }

    it("refuses phase all for a stack that declares no runners: nothing would take its jobs", () => {
        const { status, stderr } = route("all", false);
        assert.notEqual(status, 0);
        assert.match(stderr, /::error file=Pulumi\.dev\.yaml::platform:phase is all, but platform:runners is not set/);
    });
});

describe("which config goes with which pack", () => {
    // Written from the requirement: platform-tls is mandatory everywhere (tls.json); the baseline pack takes the
    // stack's own file (advisory in dev, mandatory in prod). A swap would run platform-tls advisory in dev.
    const expected = (stack: string) => [["policies/platform-tls", "policies/config/tls.json"], ["policies/platform-baseline", `policies/config/baseline-${stack}.json`]];
    const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the composite action, the setup page's commands and policy:check --stack pair platform-tls with tls.json and platform-baseline with baseline-${stack}.json`, () => {
            const inputs = pulumiRun.with!;
            const configs = lines(inputs["policyPackConfigs"]!).map((c) => c.replace("${{ inputs.stack }}", stack));
            assert.deepEqual(lines(inputs["policyPacks"]!).map((pack, i) => [pack, configs[i]]), expected(stack));
            const setupCommands = read(SETUP).match(/^pulumi (preview|up) [\s\S]*?\.json$/gm) ?? [];
            assert.equal(setupCommands.length, 2);
            for (const command of setupCommands) {
                // The setup page shows dev's commands and says to use baseline-prod.json for prod.
                assert.deepEqual(policyFlags(command), expected("dev"), command);
            }
            assert.deepEqual(stackPolicyConfigFiles(stack), Object.fromEntries(expected(stack).map(([pack, config]) => [path.basename(pack!), path.join(PROJECT_DIR, config!)])));
        });
    }

    it("CI audits each plan checkpoint with the stack's configs (policy:check --stack), as the stack's previews run", () => {
        const ci = parse(read(".github/workflows/ci.yml")) as { jobs: Record<string, { steps: Step[] }> };
        const audits = Object.values(ci.jobs).flatMap((job) => job.steps).filter((s) => /npm run policy:check/.test(s.run ?? ""));
        assert.equal(audits.length, 1);
        assert.match(audits[0]!.run!, /npm run policy:check -- plan\.json --stack "\$\{\{ matrix\.stack \}\}"$/);
    });
});
