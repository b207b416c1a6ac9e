/**
 * npm run scan:compare: which Checkov checks catch what the packs catch. Each policy fixture (test/policyFixtures.ts),
 * compliant and in each failing variant, is written in the shape Checkov reads (ARM or a manifest) and scanned; a
 * Checkov check "catches" a variant when it fails on it and passes on the compliant resource. Prints a Markdown
 * table for policies/README.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ARM_KINDS, armResource } from "../offline/armTemplate";
import { PROJECT_DIR, type GraphResource } from "../offline/engine";
import { toManifests } from "../offline/k8sManifests";
import { POLICY_CASES } from "../test/policyFixtures";
import { CHECKOV } from "./scan";

interface Variant {
    policy: string;
    title: string;
    file: string;
}

function fixtureResource(type: string, inputs: Record<string, unknown>): GraphResource {
    return { urn: `urn:pulumi:fixture::platform::${type}::fixture`, type, name: "fixture", custom: true, dependencies: [], propertyDependencies: {}, protect: true, inputs, outputs: {} } as unknown as GraphResource;
}

/** The fixture as a file Checkov reads, or undefined for a type it has no shape for here. */
function write(dir: string, stem: string, type: string, inputs: Record<string, unknown>): string | undefined {
    const resource = fixtureResource(type, inputs);
    const kind = ARM_KINDS[type];
    if (kind) {
        const file = path.join(dir, `${stem}.json`);
        const template = { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources: [armResource(resource, kind).resource] };
        fs.writeFileSync(file, JSON.stringify(template, null, 2));
        return file;
    }
    const manifests = toManifests({ project: "platform", stack: "fixture", preview: false, resources: [resource], stackOutputs: {}, invokes: [] });
    if (manifests.length === 0) {
        return undefined;
    }
    const file = path.join(dir, `${stem}.yaml`);
    fs.writeFileSync(file, stringify({ ...manifests[0], metadata: { name: "fixture", namespace: "apps", ...manifests[0]!.metadata } }));
    return file;
}

function failuresByFile(dir: string): Map<string, Set<string>> {
    const run = spawnSync(CHECKOV, ["--directory", dir, "--framework", "arm", "kubernetes", "--output", "json", "--soft-fail", "--skip-download", "--quiet"], {
        encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: "TRUE" },
    });
    if (run.status !== 0) {
        throw new Error(`checkov exited ${run.status}:\n${run.stderr}`);
    }
    const reports = [JSON.parse(run.stdout)].flat() as { results: { failed_checks: { check_id: string; file_path: string }[] } }[];
    const failures = new Map<string, Set<string>>();
    for (const failed of reports.flatMap((r) => r.results.failed_checks)) {
        const file = path.basename(failed.file_path);
        failures.set(file, (failures.get(file) ?? new Set()).add(failed.check_id));
    }
    return failures;
}

function main(): void {
    const dir = path.join(PROJECT_DIR, "build", "scan", "fixtures");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const goods = new Map<string, string>();
    const variants: (Variant & { good: string })[] = [];
    const unshaped = new Set<string>();
    POLICY_CASES.forEach(({ policy, type, good, bad }, i) => {
        const goodFile = write(dir, `${i}-good`, type, structuredClone(good));
        if (!goodFile) {
            unshaped.add(`${policy} (${type})`);
            return;
        }
        goods.set(policy, goodFile);
        bad.forEach(([title, mutate], j) => {
            const props = structuredClone(good);
            mutate(props);
            variants.push({ policy, title, file: write(dir, `${i}-bad-${j}`, type, props)!, good: goodFile });
        });
    });
    const failures = failuresByFile(dir);
    console.log("| Our policy | Failing variant | Checkov checks that catch it |");
    console.log("|---|---|---|");
    for (const v of variants) {
        const onGood = failures.get(path.basename(v.good)) ?? new Set();
        const caught = [...(failures.get(path.basename(v.file)) ?? [])].filter((c) => !onGood.has(c)).sort();
        console.log(`| \`${v.policy}\` | ${v.title} | ${caught.length ? caught.join(", ") : "none"} |`);
    }
    console.log(`\nNot in a shape Checkov reads (Helm values, types without an SDK model here): ${[...unshaped].join(", ")}`);
}

main();
