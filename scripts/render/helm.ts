/**
 * Every planned `helm.v3.Release` rendered with the real `helm template`: the release's chart, version, name,
 * namespace and planned values, the cluster's Kubernetes version and the API versions it serves. Charts come from
 * a local chart directory when RENDER_CHARTS_DIR names one (folders `<chart>-<version>`, as `helm template` reads
 * them), else from their repositories (pulled into the check's work directory).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { redacted } from "../../offline/armTemplate";
import type { Graph, GraphResource } from "../../offline/engine";
import type { Manifest } from "../../offline/k8sManifests";
import { run, TOOLS } from "./tools";

export const CHARTS_DIR_VARIABLE = "RENDER_CHARTS_DIR";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface Release {
    /** The Pulumi resource name (what a failure names). */
    resource: string;
    name: string;
    namespace: string;
    /** The chart's name (an `oci://` reference's last segment). */
    chart: string;
    /** What Helm pulls: the chart's name in `repository`, or an `oci://` reference. */
    reference: string;
    version: string;
    repository: string;
    values: Record<string, unknown>;
}

/** An object and where it came from: `<release resource>: <chart>/templates/…`, or the program's resource. */
export interface Sourced {
    source: string;
    /** The chart that rendered it (none: the program declares it). */
    chart?: string;
    object: Manifest;
}

export class RenderError extends Error {}

/** The planned releases with their values as the engine sends them (secrets as placeholders: no template reads one's content). */
export function plannedReleases(graph: Graph): Release[] {
    return graph.resources.filter((r) => r.type === RELEASE_TYPE).map((r: GraphResource) => {
        const values = redacted(r.inputs["values"] ?? {}) as Record<string, unknown>;
        if (JSON.stringify(values).includes("[unknown]")) {
            throw new RenderError(`${r.name}: values hold a value the update plan does not know`);
        }
        return {
            resource: r.name,
            name: String(r.inputs["name"]),
            namespace: String(r.inputs["namespace"]),
            chart: String(r.inputs["chart"]).split("/").pop()!,
            reference: String(r.inputs["chart"]),
            version: String(r.inputs["version"]),
            repository: String((r.inputs["repositoryOpts"] as { repo?: string } | undefined)?.repo ?? ""),
            values,
        };
    });
}

/**
 * Exit code of the render check and the scan when a local chart folder lacks a dependency its Chart.yaml lists:
 * `helm template` refuses such a chart ("found in Chart.yaml, but missing in charts/ directory"), enabled or not,
 * so what the release would run cannot be judged here. Pulled archives carry their dependencies.
 */
export const CHART_SOURCE_INCOMPLETE = 4;

/** Each dependency a local chart folder (and its vendored subcharts) lists that no folder under its charts/ holds. */
export function missingDependencies(chartDir: string): string[] {
    const meta = parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as { name: string; dependencies?: { name: string; version?: string }[] };
    const subchartsDir = path.join(chartDir, "charts");
    const vendored = fs.existsSync(subchartsDir)
        ? fs.readdirSync(subchartsDir).map((d) => path.join(subchartsDir, d)).filter((d) => fs.existsSync(path.join(d, "Chart.yaml")))
        : [];
    const names = new Map(vendored.map((d) => [(parse(fs.readFileSync(path.join(d, "Chart.yaml"), "utf8")) as { name: string }).name, d]));
    return [
        ...(meta.dependencies ?? []).filter((dep) => !names.has(dep.name))
            .map((dep) => `${chartDir}/Chart.yaml lists the dependency ${dep.name} ${dep.version ?? "(any version)"}; ${subchartsDir}/ has no chart of that name`),
        ...[...names.values()].flatMap(missingDependencies),
    ];
}

/** The gaps of the local chart folders the releases read (none when charts are pulled from their repositories). */
export function chartSourceGaps(releases: Release[]): string[] {
    return process.env[CHARTS_DIR_VARIABLE] ? releases.flatMap((r) => missingDependencies(chartSource(r, ""))) : [];
}

/** Where `helm template` reads a release's chart: a folder of RENDER_CHARTS_DIR, or the archive pulled from its repository. */
export function chartSource(release: Release, workDir: string): string {
    const localDir = process.env[CHARTS_DIR_VARIABLE];
    if (localDir) {
        const dir = path.resolve(localDir, `${release.chart}-${release.version}`);
        const chartYaml = path.join(dir, "Chart.yaml");
        if (!fs.existsSync(chartYaml)) {
            throw new RenderError(`${CHARTS_DIR_VARIABLE}=${localDir} has no chart ${release.chart} ${release.version} (expected ${dir}/Chart.yaml)`);
        }
        const version = /^version:\s*["']?([^"'\s]+)/m.exec(fs.readFileSync(chartYaml, "utf8"))?.[1];
        if (version !== release.version) {
            throw new RenderError(`${dir} holds ${release.chart} ${version}, the plan pins ${release.version}`);
        }
        return dir;
    }
    const cache = path.join(workDir, "charts");
    const archive = path.join(cache, `${release.chart}-${release.version}.tgz`);
    if (!fs.existsSync(archive)) {
        fs.mkdirSync(cache, { recursive: true });
        const source = release.reference.startsWith("oci://") ? [release.reference] : [release.chart, "--repo", release.repository];
        const pulled = run(TOOLS.helm, ["pull", ...source, "--version", release.version, "--destination", cache], { allowFailure: true, env: helmEnv(workDir) });
        if (pulled.status !== 0 || !fs.existsSync(archive)) {
            throw new RenderError(`cannot pull ${release.chart} ${release.version} from ${release.repository || release.reference}: ${pulled.stderr.trim()}\n`
                + `Where chart repositories are out of reach, set ${CHARTS_DIR_VARIABLE} to a directory of chart folders named <chart>-<version>.`);
        }
    }
    return archive;
}

/** Helm's caches and config in the work directory: a render never reads or writes the user's repositories. */
function helmEnv(workDir: string): NodeJS.ProcessEnv {
    const home = path.join(workDir, "helm");
    return { ...process.env, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data") };
}

export interface Capabilities {
    /** `--kube-version`: the cluster's. */
    kubeVersion: string;
    /** `--api-versions`: `group/version` and `group/version/Kind` the cluster serves beyond Helm's built-in set. */
    apiVersions: string[];
}

/**
 * `helm template` of one release: hooks included (Pulumi's helm.v3.Release runs them), chart tests left out (it
 * never runs them), CRDs included. Throws with the template's error when the chart does not render.
 */
export function renderRelease(release: Release, capabilities: Capabilities, workDir: string): Sourced[] {
    const chart = chartSource(release, workDir);
    const valuesFile = path.join(workDir, "values", `${release.resource}.json`);
    fs.mkdirSync(path.dirname(valuesFile), { recursive: true });
    fs.writeFileSync(valuesFile, JSON.stringify(release.values, null, 2));
    const args = [
        "template", release.name, chart,
        "--namespace", release.namespace,
        "--values", valuesFile,
        "--kube-version", capabilities.kubeVersion,
        ...capabilities.apiVersions.flatMap((v) => ["--api-versions", v]),
        "--include-crds", "--skip-tests",
    ];
    const result = run(TOOLS.helm, args, { allowFailure: true, env: helmEnv(workDir) });
    if (result.status !== 0) {
        throw new RenderError(`${release.resource} (${release.chart} ${release.version}) does not render:\n${result.stderr.trim()}`);
    }
    return splitManifests(result.stdout, release.resource).map((o) => ({ ...o, chart: release.chart }));
}

/** Helm's output as objects, each with the template it came from (the `# Source:` line Helm writes above it). */
export function splitManifests(text: string, origin: string): Sourced[] {
    const objects: Sourced[] = [];
    for (const chunk of text.split(/^---\s*$/m)) {
        const template = /^# Source: (.+)$/m.exec(chunk)?.[1]?.trim();
        const source = template ? `${origin}: ${template}` : origin;
        for (const doc of parseAllDocuments(chunk)) {
            if (doc.errors.length > 0) {
                throw new RenderError(`${source}: rendered YAML does not parse: ${doc.errors[0]!.message}`);
            }
            const object = doc.toJS() as Manifest | null;
            if (!object || typeof object !== "object") {
                continue;
            }
            if (!object.apiVersion || !object.kind) {
                throw new RenderError(`${source}: a rendered document has no apiVersion or kind`);
            }
            objects.push({ source, object });
        }
    }
    return objects;
}

/** The API versions a set of CRDs serves (`group/version` and `group/version/Kind`), as a cluster would once they are applied. */
export function crdApiVersions(objects: Sourced[]): string[] {
    return [...new Set(objects.filter((o) => o.object.kind === "CustomResourceDefinition").flatMap((o) => {
        const spec = o.object["spec"] as { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
        return spec.versions.filter((v) => v.served).flatMap((v) => [`${spec.group}/${v.name}`, `${spec.group}/${v.name}/${spec.names.kind}`]);
    }))].sort();
}

/**
 * Every release rendered without a cluster (for scanners): Helm's built-in API versions plus those of the CRDs
 * the releases install. `npm run render` renders with a real API server's discovery instead.
 */
export function renderWithoutCluster(releases: Release[], kubeVersion: string, workDir: string): Sourced[] {
    const crds = releases.flatMap((r) => renderRelease(r, { kubeVersion, apiVersions: [] }, workDir)).filter((o) => o.object.kind === "CustomResourceDefinition");
    const apiVersions = crdApiVersions(crds);
    return releases.flatMap((r) => renderRelease(r, { kubeVersion, apiVersions }, workDir));
}
