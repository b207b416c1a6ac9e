/**
 * The policy packs as the Pulumi CLI uses them: each pack folder starts under `run-policy-pack` with the folder as
 * working directory, in about a second, and answers the Analyzer protocol; its config files name only its policies;
 * the bundle `pulumi policy publish` would upload starts on its own, needs only @pulumi/policy, and gives the
 * folder's verdicts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse } from "yaml";
import { PackServer } from "../../offline/analyzer";
import type { Checkpoint } from "../../offline/checkpoint";
import { PROJECT_DIR } from "../../offline/engine";
import { bundlePacks, packDirs } from "../../offline/packBundle";
import { checkpointOf, PLAN_VARIANTS } from "../helpers";
import { FOREIGN_STACKS, foreignCheckpoint } from "../foreignFixtures";
import { closePackServers, evaluatePack, evaluateWith, packServer } from "../../offline/policyCheck";
import { readPolicyConfig, stackPolicyConfigs } from "../../offline/policyConfig";
import { parseCheckpoint } from "../../offline/checkpoint";

// The published bundles, built once, each started once.
const bundleDir = fs.mkdtempSync(path.join(PROJECT_DIR, "build-"));
// A test's own pack folder stays out of policies/, where a concurrent `npm run plan` would take it for a pack.
const scratchPackDir = () => fs.mkdtempSync(path.join(PROJECT_DIR, "build-pack-"));
const bundles = bundlePacks(bundleDir);
const bundleServers = new Map<string, Promise<PackServer>>();
function bundleServer(name: string): Promise<PackServer> {
    if (!bundleServers.has(name)) {
        bundleServers.set(name, PackServer.start(bundles[name]!));
    }
    return bundleServers.get(name)!;
}

after(async () => {
    for (const server of await Promise.all(bundleServers.values())) {
        server.close();
    }
    await closePackServers();
    fs.rmSync(bundleDir, { recursive: true, force: true });
});

/** Seconds from spawning a pack folder as the CLI's nodejs language host does to its serving the Analyzer protocol (port printed, GetAnalyzerInfo answered). */
async function startSeconds(dir: string): Promise<number> {
    const started = process.hrtime.bigint();
    const server = await PackServer.start(dir);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    server.close();
    return seconds;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, any>;

/** Which config file goes with which pack, as docs/setup.md's and the workflow's commands pair them. */
const CONFIG_FILES: Record<string, string[]> = {
    "platform-tls": ["tls.json"],
    "platform-baseline": ["baseline-dev.json", "baseline-prod.json"],
};

// A weak storage account: storage-account-tls (platform-tls) and storage-no-public-access (platform-baseline) fail it.
const weakStorage: Checkpoint = {
    version: 3,
    deployment: {
        manifest: { time: "1970-01-01T00:00:00Z", magic: "test", version: "test" },
        resources: [{
            urn: "urn:pulumi:dev::platform::azure-native:storage:StorageAccount::weak",
            custom: true,
            type: "azure-native:storage:StorageAccount",
            inputs: { minimumTlsVersion: "TLS1_0", enableHttpsTrafficOnly: false, publicNetworkAccess: "Enabled" },
            outputs: {},
        }],
    },
};

describe("policy packs under the CLI's run-policy-pack", () => {
    it("the two packs are the folders policies/platform-tls and policies/platform-baseline", () => {
        assert.deepEqual(Object.keys(packDirs()), ["platform-baseline", "platform-tls"]);
    });

    for (const [name, dir] of Object.entries(packDirs())) {
        it(`${name}: starts from its folder and reports the name and the one version of its package.json`, async () => {
            const pkg = readJson(path.join(dir, "package.json"));
            assert.equal(pkg["name"], name);
            assert.match(pkg["version"], /^\d+\.\d+\.\d+$/);
            // A version in PulumiPolicy.yaml would override package.json's in the CLI (analyzer_plugin.go GetAnalyzerInfo).
            assert.equal(parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"))["version"], undefined);
            const server = await packServer(name);
            assert.equal(server.info.name, name);
            assert.equal(server.info.version, pkg["version"]);
            assert.equal(server.info.supportsConfig, true);
            assert.ok(server.info.policies.length > 0);
        });

        it(`${name}: declares the dependencies it runs with, at the versions \`npm ci\` installs`, () => {
            const pkg = readJson(path.join(dir, "package.json"));
            for (const [dependency, version] of Object.entries(pkg["dependencies"] as Record<string, string>)) {
                const installed = readJson(require.resolve(`${dependency}/package.json`, { paths: [dir] }));
                // @pulumi/policy's own package.json says "v1.21.0".
                assert.equal(version, String(installed["version"]).replace(/^v/, ""), `${dependency} differs from the installed one`);
            }
        });

        it(`${name}: every key of its config files is "all" or one of its policies`, async () => {
            const policies = new Set((await packServer(name)).info.policies.map((p) => p.name));
            for (const file of CONFIG_FILES[name]!) {
                for (const key of Object.keys(readPolicyConfig(path.join(PROJECT_DIR, "policies", "config", file)))) {
                    assert.ok(key === "all" || policies.has(key), `${file}: ${key}`);
                }
            }
        });
    }

    it("start serving in about a second, without type-checking: no more than a pack with no policies takes, plus its compilation", async (t) => {
        // A pack with no policies and no compilation: what run-policy-pack, @pulumi/pulumi and @pulumi/policy cost
        // alone on this machine now. A folder type-checked by ts-node took 20-60 s more (the review's 30.7 and 20.1 s).
        const scratch = scratchPackDir();
        try {
            fs.copyFileSync(path.join(packDirs()["platform-baseline"]!, "PulumiPolicy.yaml"), path.join(scratch, "PulumiPolicy.yaml"));
            fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "floor", version: "0.0.1", main: "index.js" }));
            fs.writeFileSync(path.join(scratch, "index.js"), `const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("floor", { policies: [] });\n`);
            for (const [name, dir] of Object.entries(packDirs())) {
                const floor = await startSeconds(scratch);
                const pack = await startSeconds(dir);
                t.diagnostic(`${name}: ${pack.toFixed(1)} s to serve; a pack with no policies: ${floor.toFixed(1)} s`);
                assert.ok(pack < 2 * floor + 3, `${name} took ${pack.toFixed(1)} s, a pack with no policies ${floor.toFixed(1)} s`);
            }
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    it("the published bundles give the folders' verdicts, one for one, on every plan, fixture and foreign stack", async () => {
        const fixtures: [string, Checkpoint, string][] = [
            ...await Promise.all(PLAN_VARIANTS.map(async ({ stack, phase }) => [`${stack}${phase ? `/${phase}` : ""}`, await checkpointOf(stack, phase), stack] as [string, Checkpoint, string])),
            ["a stack export with a violation", parseCheckpoint(fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "stack-export-with-violation.json"), "utf8")), "prod"],
            ["a weak storage account", weakStorage, "dev"],
            ...FOREIGN_STACKS.map((stack): [string, Checkpoint, string] => [stack.stack, foreignCheckpoint(stack), "prod"]),
        ];
        let compared = 0;
        for (const [title, checkpoint, stack] of fixtures) {
            for (const name of Object.keys(packDirs())) {
                const config = stackPolicyConfigs(stack)[name];
                const fromBundle = await evaluateWith(await bundleServer(name), checkpoint, config);
                assert.deepEqual(await evaluatePack(checkpoint, name, config), fromBundle, `${title}, ${name}`);
                compared += fromBundle.length;
            }
        }
        assert.ok(compared > 0, "no verdict compared");
    });

    it("every config file under policies/config belongs to a pack", () => {
        assert.deepEqual(fs.readdirSync(path.join(PROJECT_DIR, "policies", "config")).sort(), Object.values(CONFIG_FILES).flat().sort());
    });

    it("a pack folder without its package.json does not start, as the CLI would find", async () => {
        const scratch = scratchPackDir();
        try {
            fs.copyFileSync(path.join(packDirs()["platform-baseline"]!, "PulumiPolicy.yaml"), path.join(scratch, "PulumiPolicy.yaml"));
            fs.writeFileSync(path.join(scratch, "index.ts"), `import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("scratch", { policies: [] });\n`);
            await assert.rejects(PackServer.start(scratch), /did not start under run-policy-pack[\s\S]*package\.json/);
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    for (const name of Object.keys(packDirs())) {
        it(`${name}: its bundle (for \`pulumi policy publish\`) holds one compiled file, needs only @pulumi/policy, and answers as the folder does`, async () => {
            const bundle = bundles[name]!;
            assert.deepEqual(fs.readdirSync(bundle).sort(), ["PulumiPolicy.yaml", "index.js", "package.json"]);
            const code = fs.readFileSync(path.join(bundle, "index.js"), "utf8");
            // Node's own modules aside, the code requires the policy SDK and nothing else: no SDK to install where it is enforced.
            const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].filter((m) => !require("node:module").isBuiltin(m)).sort();
            assert.deepEqual(required, ["@pulumi/policy", "@pulumi/policy/proxy"]);
            const pkg = readJson(path.join(bundle, "package.json"));
            assert.deepEqual(pkg["dependencies"], { "@pulumi/policy": "1.21.0" });
            assert.equal(pkg["main"], "index.js");
            assert.equal(pkg["version"], readJson(path.join(packDirs()[name]!, "package.json"))["version"]);
            const folder = await packServer(name);
            const published = await bundleServer(name);
            assert.deepEqual(published.info, folder.info);
            const config = Object.fromEntries(folder.info.policies.map((p) => [p.name, { enforcementLevel: p.enforcementLevel }]));
            const { urn, type, inputs } = weakStorage.deployment.resources[0]!;
            const run = (server: PackServer) => server.run(config, [{ urn, type, properties: inputs! }], [{ urn, type, properties: {} }]);
            const fromFolder = await run(folder);
            assert.ok(fromFolder.length > 0);
            assert.deepEqual(await run(published), fromFolder);
        });
    }
});
