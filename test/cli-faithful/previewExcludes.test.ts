/**
 * What a pull request's preview leaves out (the pulumi action's `exclude` globs), decided by the Pulumi CLI's own
 * matcher at the pinned version (scripts/urn-globs: pkg/resource/deploy NewUrnTargets), over every URN of the phase-2
 * plans: every Kubernetes object is excluded, and nothing the read-only identity can preview.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../offline/engine";
import { planWithRunners } from "../helpers";

const SOURCE = path.join(PROJECT_DIR, "scripts", "urn-globs");
let binary = "";

before(() => {
    // The matcher is built from the same pkg/v3 version as the CLI the workflows pin (go.mod), into bin/ (ignored).
    const version = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v[\d.]+)/.exec(fs.readFileSync(path.join(SOURCE, "go.mod"), "utf8"))![1]!;
    binary = path.join(PROJECT_DIR, "bin", `urn-globs-${version}`);
    if (!fs.existsSync(binary)) {
        const build = spawnSync("go", ["build", "-o", binary, "."], { cwd: SOURCE, encoding: "utf8" });
        assert.equal(build.status, 0, build.stderr);
    }
});

/** The globs the pulumi action passes on previews, as pulumi/actions splits its `exclude` input (on commas). */
function previewGlobs(): string[] {
    const action = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "actions", "pulumi", "action.yml"), "utf8"));
    const run = (action.runs.steps as { uses?: string; with?: Record<string, string> }[]).find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    const literal = /inputs\.command == 'preview' && '([^']+)' \|\| ''/.exec(run.with!["exclude"]!)![1]!;
    return literal.split(",");
}

function excluded(urns: string[]): boolean[] {
    const result = spawnSync(binary, [JSON.stringify(previewGlobs())], { input: urns.join("\n") + "\n", encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim().split("\n").map((line) => line === "true");
}

describe("pull-request previews", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}, phase 2: the CLI excludes every Kubernetes object and nothing else`, async () => {
            const graph = await planWithRunners(stack, "all", true);
            const urns = graph.resources.map((r) => r.urn);
            const verdicts = excluded(urns);
            // Kubernetes objects (any type token of the kubernetes provider); the provider itself is always included.
            const isKubernetes = (type: string) => type.startsWith("kubernetes:");
            const wrong = graph.resources.map((r, i) => [r, verdicts[i]] as const).filter(([r, out]) => out !== isKubernetes(r.type)).map(([r, out]) => `${out ? "excluded" : "kept"}: ${r.urn}`);
            assert.deepEqual(wrong, []);
            const kubernetes = graph.resources.filter((r) => isKubernetes(r.type));
            assert.ok(kubernetes.length > 50, `only ${kubernetes.length} Kubernetes objects planned`);
            assert.ok(graph.resources.some((r, i) => r.type === "pulumi:providers:kubernetes" && verdicts[i] === false));
        });
    }

    it("excludes a Kubernetes object declared outside any component too, and never a provider or an Azure resource", () => {
        const urns = [
            "urn:pulumi:dev::platform::kubernetes:core/v1:Namespace::apps",
            "urn:pulumi:dev::platform::platform:mesh:ServiceMesh$kubernetes:helm.sh/v3:Release::mesh-istiod",
            "urn:pulumi:dev::platform::pulumi:providers:kubernetes::aks",
            "urn:pulumi:dev::platform::azure-native:kubernetesconfiguration:Extension::flux",
            "urn:pulumi:dev::platform::platform:runners:Runners$azure-native:app:Job::runners-deploy",
        ];
        assert.deepEqual(excluded(urns), [true, true, false, false, false]);
    });
});
