/**
 * npm run scan -- --stack <name> [--phase azure|all]
 * A peer's checks over the plan: writes the offline update plan's Azure resources as an ARM template and its
 * Kubernetes objects as manifests (build/scan/<stack>/), runs Checkov over both (installed by
 * scripts/install-checkov.sh) and prints a summary per framework. Fails on any failed check that
 * policies/checkov/suppressions.yaml does not explain, and on a suppression that no longer matches anything.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { toArmTemplate } from "../offline/armTemplate";
import { PROJECT_DIR, runProgram } from "../offline/engine";
import { phaseOverrides } from "../offline/phaseOverrides";
import { toManifests } from "../offline/k8sManifests";
import { CHART_SOURCE_INCOMPLETE, chartSourceGaps, plannedReleases, renderWithoutCluster } from "./render/helm";
import { clusterFacts } from "./render/plan";
import { buildTools } from "./render/tools";

/** One reviewed exception: a check that fails by design, on which resources, why, and whose risk it is. */
interface Suppression {
    check: string;
    /** ARM resource types or Kubernetes kinds the exception covers; all of the check's resources if absent. */
    resources?: string[];
    reason: string;
    owner: string;
}

interface CheckResult {
    check_id: string;
    check_name: string;
    resource: string;
    file_path: string;
}

interface CheckovReport {
    check_type: string;
    results: { passed_checks: CheckResult[]; failed_checks: CheckResult[] };
    summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
}

export const CHECKOV = path.join(PROJECT_DIR, ".ci", ".checkov", "bin", "checkov");
const SUPPRESSIONS_FILE = path.join(PROJECT_DIR, "policies", "checkov", "suppressions.yaml");

export function readSuppressions(file = SUPPRESSIONS_FILE): Suppression[] {
    const entries = (parse(fs.readFileSync(file, "utf8")) ?? []) as Suppression[];
    for (const [i, entry] of entries.entries()) {
        for (const key of ["check", "reason", "owner"] as const) {
            if (typeof entry[key] !== "string" || entry[key].trim() === "") {
                throw new Error(`${path.relative(PROJECT_DIR, file)}: entry ${i} (${entry.check ?? "no check"}) needs a ${key}`);
            }
        }
    }
    return entries;
}

/** Checkov names a resource `<ARM type>.<name>` or `<Kind>.<namespace>.<name>`; an entry's resources are prefixes of it. */
export function suppressionFor(failure: CheckResult, suppressions: readonly Suppression[]): Suppression | undefined {
    return suppressions.find((s) => s.check === failure.check_id && (s.resources === undefined || s.resources.some((r) => failure.resource.startsWith(r))));
}

function runCheckov(dir: string): CheckovReport[] {
    if (!fs.existsSync(CHECKOV)) {
        throw new Error(`${CHECKOV} is missing: run bash scripts/install-checkov.sh`);
    }
    const run = spawnSync(CHECKOV, ["--directory", dir, "--framework", "arm", "kubernetes", "--output", "json", "--soft-fail", "--skip-download", "--quiet", "--compact"], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, BC_SKIP_MAPPING: "TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: "false" },
    });
    if (run.status !== 0) {
        throw new Error(`checkov exited ${run.status}:\n${run.stderr}`);
    }
    const output = JSON.parse(run.stdout) as CheckovReport | CheckovReport[];
    return Array.isArray(output) ? output : [output];
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, phase: { type: "string" } } });
    if (!values.stack) {
        console.error("usage: npm run scan -- --stack <name> [--phase azure|all]");
        return 2;
    }
    // Update mode: the values a scanner judges (ids, names) are known, as after a first `pulumi up`.
    const graph = await runProgram({ stack: values.stack, preview: false, ...phaseOverrides(values.phase) });
    const outDir = path.join(PROJECT_DIR, "build", "scan", values.stack);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(outDir, "arm"), { recursive: true });
    fs.mkdirSync(path.join(outDir, "kubernetes"), { recursive: true });
    const arm = toArmTemplate(graph);
    fs.writeFileSync(path.join(outDir, "arm", "template.json"), `${JSON.stringify(arm.template, null, 2)}\n`);
    const manifests = toManifests(graph);
    fs.writeFileSync(path.join(outDir, "kubernetes", "objects.yaml"), manifests.map((m) => stringify(m)).join("---\n"));
    // The workloads the charts will run, rendered by Helm (scripts/render/helm.ts) from the planned releases.
    const releases = plannedReleases(graph);
    let rendered = 0;
    const gaps = chartSourceGaps(releases);
    if (gaps.length > 0) {
        console.error(`the rendered workloads are not scanned: the chart source is incomplete, so Helm cannot render these charts (exit ${CHART_SOURCE_INCOMPLETE} if the rest passes):\n${gaps.map((g) => `  ${g}`).join("\n")}`);
    } else if (releases.length > 0) {
        buildTools(["helm"]);
        const objects = renderWithoutCluster(releases, clusterFacts(graph).kubernetesVersion, path.join(PROJECT_DIR, "build", "render-scan", values.stack));
        // One file per release: Checkov names a resource by kind, namespace and name, and the file says which chart.
        for (const release of releases) {
            const own = objects.filter((o) => o.source.startsWith(`${release.resource}:`)).map((o) => o.object);
            fs.writeFileSync(path.join(outDir, "kubernetes", `release-${release.resource}.yaml`), own.map((m) => stringify(m)).join("---\n"));
            rendered += own.length;
        }
    }
    console.log(`${values.stack}${values.phase ? ` phase ${values.phase}` : ""}: ${arm.template.resources.length} Azure resources, ${manifests.length} Kubernetes objects and ${rendered} rendered by ${releases.length} Helm releases written to ${path.relative(PROJECT_DIR, outDir)}`);
    if (arm.skippedTypes.length > 0) {
        console.log(`  not converted (no SDK model here): ${arm.skippedTypes.join(", ")}`);
    }
    if (arm.unmodelled.length > 0) {
        console.log(`  fields newer than the SDK's models, kept where they are:\n${arm.unmodelled.map((u) => `    ${u}`).join("\n")}`);
    }

    const suppressions = readSuppressions();
    const used = new Set<Suppression>();
    const unexplained: CheckResult[] = [];
    for (const report of runCheckov(outDir)) {
        const failed = report.results.failed_checks;
        const suppressed = failed.filter((f) => {
            const s = suppressionFor(f, suppressions);
            if (s) {
                used.add(s);
            }
            return s !== undefined;
        });
        unexplained.push(...failed.filter((f) => !suppressed.includes(f)));
        console.log(`${report.check_type}: ${report.summary.passed} passed, ${failed.length} failed (${suppressed.length} suppressed with a reason), ${report.summary.parsing_errors} parsing errors`);
        if (report.summary.parsing_errors > 0) {
            unexplained.push({ check_id: "PARSING", check_name: "Checkov could not parse a file", resource: report.check_type, file_path: outDir });
        }
    }
    for (const f of unexplained) {
        console.log(`  FAILED ${f.check_id} ${f.resource}: ${f.check_name}`);
    }
    return unexplained.length > 0 ? 1 : gaps.length > 0 ? CHART_SOURCE_INCOMPLETE : 0;
}

if (require.main === module) {
    main().then((code) => process.exit(code), (err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(3);
    });
}
