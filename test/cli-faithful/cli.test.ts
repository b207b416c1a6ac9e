/** The two commands as a user runs them: exit codes, messages, and files another tool can read. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseCheckpoint } from "../../offline/checkpoint";
import { PROJECT_DIR } from "../../offline/engine";

function run(script: string, args: string[]) {
    const result = spawnSync(process.execPath, ["--require", "ts-node/register/transpile-only", path.join(PROJECT_DIR, "scripts", script), ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-cli-"));
const violationExport = path.join(PROJECT_DIR, "test", "fixtures", "stack-export-with-violation.json");

describe("npm run plan", () => {
    it("previews dev, prints the tree and verdicts, and writes a checkpoint policy:check reads clean", () => {
        const file = path.join(tmp, "dev.json");
        const inventory = path.join(tmp, "dev.md");
        const plan = run("plan.ts", ["--stack", "dev", "--json", file, "--inventory", inventory]);
        assert.equal(plan.code, 0, plan.stderr);
        assert.match(fs.readFileSync(inventory, "utf8"), /^# TLS map and certificate inventory: dev\n[\s\S]*Client -->\|"HTTPS \(HTTP redirected\), TLS 1\.2"\| FrontDoor/);
        assert.match(plan.stdout, /platform:network:Network network \(\d+ resources\)/);
        assert.match(plan.stdout, /Policies: no violations\./);
        const checkpoint = parseCheckpoint(fs.readFileSync(file, "utf8"));
        assert.ok(checkpoint.deployment.resources.some((r) => r.type === "azure-native:network:VirtualNetwork"));
        const check = run("policy-check.ts", [file]);
        assert.equal(check.code, 0, check.stdout + check.stderr);
    });

    it("fails on bad stack config with one line per problem and no stack trace", () => {
        const stackFile = path.join(PROJECT_DIR, `Pulumi.cli-test-${process.pid}.yaml`);
        const dev = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(stackFile, dev.replace("addressSpace: 10.20.0.0/16", "addressSpace: 10.300.0.0/33").replace("edge: frontdoor", "edge: cloudflare"));
        try {
            const result = run("plan.ts", ["--stack", `cli-test-${process.pid}`]);
            assert.equal(result.code, 1);
            assert.match(result.stderr, /platform:network\.addressSpace: "10\.300\.0\.0\/33" is not a valid IPv4 CIDR/);
            assert.match(result.stderr, /platform:gateway\.edge: "cloudflare" is not allowed; allowed: "frontdoor", "appgateway"/);
            assert.doesNotMatch(result.stderr, /\n\s+at /);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("names a missing stack file", () => {
        const result = run("plan.ts", ["--stack", "nosuchstack"]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /Pulumi\.nosuchstack\.yaml does not exist/);
    });
});

describe("npm run policy:check", () => {
    it("reports a real stack export's violation with its URN and exits 1", () => {
        const result = run("policy-check.ts", [violationExport, "--json"]);
        assert.equal(result.code, 1);
        const { violations } = JSON.parse(result.stdout) as { violations: Record<string, string>[] };
        const tls = violations.find((v) => v.policy === "storage-account-tls")!;
        assert.deepEqual(
            { urn: tls.urn, pack: tls.pack, enforcementLevel: tls.enforcementLevel },
            { urn: "urn:pulumi:legacy::platform::azure-native:storage:StorageAccount::reports", pack: "platform-tls", enforcementLevel: "mandatory" },
        );
        assert.match(tls.message!, /minimumTlsVersion is "TLS1_0"/);
    });

    it("skips a resource pending deletion, as the CLI's `policy analyze` does (analyze_snapshot.go)", () => {
        // The export holds the archive twice: its TLS 1.0 original, replaced by an update that failed before
        // deleting it (`delete: true`), and the TLS 1.2 replacement.
        const archives = parseCheckpoint(fs.readFileSync(violationExport, "utf8")).deployment.resources
            .filter((r) => r.urn === "urn:pulumi:legacy::platform::azure-native:storage:StorageAccount::archive")
            .map((r) => [r.inputs?.["minimumTlsVersion"], r.delete ?? false]);
        assert.deepEqual(archives, [["TLS1_2", false], ["TLS1_0", true]]);
        const result = run("policy-check.ts", [violationExport, "--pack", "platform-tls", "--json"]);
        const { violations } = JSON.parse(result.stdout) as { violations: Record<string, string>[] };
        assert.deepEqual(violations.filter((v) => v.policy === "storage-account-tls").map((v) => v.urn), ["urn:pulumi:legacy::platform::azure-native:storage:StorageAccount::reports"]);
    });

    it("honours --pack and --config: the baseline pack alone, advisory, exits 0", () => {
        const config = path.join(PROJECT_DIR, "policies", "config", "baseline-dev.json");
        const result = run("policy-check.ts", [violationExport, "--pack", "platform-baseline", "--config", config]);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /\[advisory\] platform-baseline\/storage-no-public-access/);
        assert.doesNotMatch(result.stdout, /platform-tls/);
    });

    describe("applies each pack's config as the CLI would", () => {
        // A deployed prod vault left unprotected and public: only the baseline pack objects, and only prod makes it mandatory.
        const weakVault = path.join(tmp, "prod-weak.json");
        fs.writeFileSync(weakVault, JSON.stringify({
            version: 3,
            deployment: {
                manifest: { time: "2026-01-01T00:00:00Z", magic: "", version: "v3.274.1" },
                resources: [{
                    urn: "urn:pulumi:prod::platform::azure-native:keyvault:Vault::gateway-kv",
                    custom: true,
                    type: "azure-native:keyvault:Vault",
                    inputs: { properties: { enableRbacAuthorization: true, enablePurgeProtection: true, publicNetworkAccess: "Enabled" } },
                    outputs: {},
                }],
            },
        }));
        const tlsConfig = path.join("policies", "config", "tls.json");
        const prodConfig = path.join("policies", "config", "baseline-prod.json");
        const levels = (stdout: string) => (JSON.parse(stdout) as { violations: { policy: string; enforcementLevel: string }[] }).violations.map((v) => `${v.policy}: ${v.enforcementLevel}`).sort();

        it("--stack prod: the baseline pack mandatory, as prod's previews run it (exit 1)", () => {
            const result = run("policy-check.ts", [weakVault, "--stack", "prod", "--json"]);
            assert.equal(result.code, 1, result.stderr);
            assert.deepEqual(levels(result.stdout), ["key-vault-hardening: mandatory", "stateful-resources-protected: mandatory"]);
            assert.deepEqual(JSON.parse(result.stdout).configs, { "platform-tls": path.join(PROJECT_DIR, tlsConfig), "platform-baseline": path.join(PROJECT_DIR, prodConfig) });
        });

        it("--stack dev: advisory (exit 0); without a stack or configs, each pack's defaults, said so", () => {
            const dev = run("policy-check.ts", [weakVault, "--stack", "dev", "--json"]);
            assert.equal(dev.code, 0, dev.stderr);
            assert.deepEqual(levels(dev.stdout), ["key-vault-hardening: advisory", "stateful-resources-protected: advisory"]);
            const defaults = run("policy-check.ts", [weakVault]);
            assert.equal(defaults.code, 0, defaults.stderr);
            assert.match(defaults.stdout, /^Packs: platform-baseline \(its defaults\), platform-tls \(its defaults\)$/m);
        });

        it("--pack/--config pairs by position, as --policy-pack/--policy-pack-config do, both packs in one call", () => {
            const both = run("policy-check.ts", [weakVault, "--pack", "platform-tls", "--config", tlsConfig, "--pack", "platform-baseline", "--config", prodConfig]);
            assert.equal(both.code, 1, both.stdout + both.stderr);
            assert.match(both.stdout, new RegExp(`^Packs: platform-tls \\(${tlsConfig}\\), platform-baseline \\(${prodConfig}\\)$`, "m"));
            assert.match(both.stdout, /\[mandatory\] platform-baseline\/key-vault-hardening/);
            // Swapped, the baseline pack gets tls.json (every policy mandatory too) and platform-tls the baseline file.
            const swapped = run("policy-check.ts", [weakVault, "--pack", "platform-baseline", "--config", tlsConfig, "--pack", "platform-tls", "--config", prodConfig]);
            assert.match(swapped.stdout, new RegExp(`^Packs: platform-baseline \\(${tlsConfig}\\), platform-tls \\(${prodConfig}\\)$`, "m"));
        });

        it("refuses a config without its pack, and --stack with --pack (exit 2)", () => {
            const unpaired = run("policy-check.ts", [weakVault, "--pack", "platform-tls", "--pack", "platform-baseline", "--config", prodConfig]);
            assert.equal(unpaired.code, 2);
            assert.match(unpaired.stderr, /1 --config for 2 --pack: give one --config per --pack, in the same order, or none/);
            const both = run("policy-check.ts", [weakVault, "--stack", "prod", "--pack", "platform-tls"]);
            assert.equal(both.code, 2);
            assert.match(both.stderr, /give --stack, or --pack\/--config pairs, not both/);
            assert.match(run("policy-check.ts", [weakVault, "--pack", "platform-nope"]).stderr, /no pack named "platform-nope"; packs: platform-baseline, platform-tls/);
        });
    });

    it("exits 2 on unreadable input", () => {
        const notJson = path.join(tmp, "broken.json");
        fs.writeFileSync(notJson, "{ not json");
        assert.equal(run("policy-check.ts", [notJson]).code, 2);
        assert.equal(run("policy-check.ts", [path.join(tmp, "missing.json")]).code, 2);
        fs.writeFileSync(notJson, JSON.stringify({ version: 3 }));
        assert.match(run("policy-check.ts", [notJson]).stderr, /not a Pulumi checkpoint/);
    });
});
