/**
 * The policy packs as the Pulumi CLI uses them: each pack folder starts under `run-policy-pack` with the
 * folder as working directory and answers the Analyzer protocol; its config files name only its policies;
 * the bundle `pulumi policy publish` would upload starts on its own and gives the same verdicts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { PackServer } from "../../offline/analyzer";
import type { Checkpoint } from "../../offline/checkpoint";
import { PROJECT_DIR } from "../../offline/engine";
import { bundlePacks, packDirs } from "../../offline/packBundle";
import { checkpointOf, PLAN_VARIANTS } from "../helpers";
import { closePackServers, evaluatePack, evaluateWith, packServer } from "../../offline/policyCheck";
import { readPolicyConfig, stackPolicyConfigs } from "../../offline/policyConfig";
import { parseCheckpoint } from "../../offline/checkpoint";

// The source pack folders, each started once as the CLI starts it (ts-node, type-checked).
const sourceServers = new Map<string, Promise<PackServer>>();
function sourceServer(name: string): Promise<PackServer> {
    if (!sourceServers.has(name)) {
        sourceServers.set(name, PackServer.start(packDirs()[name]!));
    }
    return sourceServers.get(name)!;
}

// Both packs type-check at once instead of one after the other.
before(() => Object.keys(packDirs()).forEach((name) => void sourceServer(name).catch(() => undefined)));

after(async () => {
    for (const server of await Promise.all(sourceServers.values())) {
        server.close();
    }
    await closePackServers();
});

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, any>;

/** Which config file goes with which pack, as the README's and the workflow's commands pair them. */
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
            const server = await sourceServer(name);
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

    it("the packs as the CLI starts them give policy:check's verdicts, one for one, on every plan and fixture", async () => {
        const fixtures: [string, Checkpoint, string][] = [
            ...await Promise.all(PLAN_VARIANTS.map(async ({ stack, phase }) => [`${stack}${phase ? `/${phase}` : ""}`, await checkpointOf(stack, phase), stack] as [string, Checkpoint, string])),
            ["a stack export with a violation", parseCheckpoint(fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "stack-export-with-violation.json"), "utf8")), "prod"],
            ["a weak storage account", weakStorage, "dev"],
        ];
        let compared = 0;
        for (const [title, checkpoint, stack] of fixtures) {
            for (const name of Object.keys(packDirs())) {
                const config = stackPolicyConfigs(stack)[name];
                const viaCli = await evaluateWith(await sourceServer(name), checkpoint, config);
                assert.deepEqual(await evaluatePack(checkpoint, name, config), viaCli, `${title}, ${name}`);
                compared += viaCli.length;
            }
        }
        assert.ok(compared > 0, "no verdict compared");
    });

    it("every config file under policies/config belongs to a pack", () => {
        assert.deepEqual(fs.readdirSync(path.join(PROJECT_DIR, "policies", "config")).sort(), Object.values(CONFIG_FILES).flat().sort());
    });

    it("a pack folder without its package.json does not start, as the CLI would find", async () => {
        const scratch = fs.mkdtempSync(path.join(PROJECT_DIR, "policies", ".scratch-"));
        try {
            fs.copyFileSync(path.join(packDirs()["platform-baseline"]!, "PulumiPolicy.yaml"), path.join(scratch, "PulumiPolicy.yaml"));
            fs.writeFileSync(path.join(scratch, "index.ts"), `import { PolicyPack } from "@pulumi/policy";\nnew PolicyPack("scratch", { policies: [] });\n`);
            await assert.rejects(PackServer.start(scratch), /did not start under run-policy-pack[\s\S]*package\.json/);
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    for (const name of Object.keys(packDirs())) {
        it(`${name}: its bundle (for \`pulumi policy publish\`, and what the offline tools run) is self-contained and answers as the source pack does`, async () => {
            const outDir = fs.mkdtempSync(path.join(PROJECT_DIR, "build-"));
            try {
                const bundle = bundlePacks(outDir)[name]!;
                assert.deepEqual(fs.readdirSync(bundle).sort(), ["PulumiPolicy.yaml", "index.js", "package.json"]);
                assert.doesNotMatch(fs.readFileSync(path.join(bundle, "index.js"), "utf8"), /require\("\.\.?\//, "the bundle reaches outside its folder");
                const source = await sourceServer(name);
                const offline = await packServer(name);
                assert.deepEqual(offline.info, source.info);
                const config = Object.fromEntries(source.info.policies.map((p) => [p.name, { enforcementLevel: p.enforcementLevel }]));
                const { urn, type, inputs } = weakStorage.deployment.resources[0]!;
                const run = (server: PackServer) => server.run(config, [{ urn, type, properties: inputs! }], [{ urn, type, properties: {} }]);
                const fromSource = await run(source);
                assert.ok(fromSource.length > 0);
                assert.deepEqual(await run(offline), fromSource);
                assert.deepEqual((await evaluatePack(weakStorage, name)).map((v) => v.message), fromSource.map((d) => d.message));
            } finally {
                fs.rmSync(outDir, { recursive: true, force: true });
            }
        });
    }
});
