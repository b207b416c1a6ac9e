/**
 * npm run render -- --stack <dev|prod>
 * The cluster as the charts will make it (docs/render-check.md): plans the stack in phase 2 (update mode), renders
 * every helm.v3.Release with the real Helm, and holds the rendered objects and the program's own to the real
 * engines: a local kube-apiserver (schemas, CEL, defaulting, Pod Security Admission), the Kyverno CLI with the
 * platform's policies, the platform registry's cache rules, and a NetworkPolicy evaluator for the platform's flows.
 * Tools are built by scripts/build-render-tools.sh (pinned in scripts/tools/*); charts come from their
 * repositories, or from RENDER_CHARTS_DIR. Writes everything it ran on to build/render/<stack>/; exits 1 on any
 * finding, naming the object and what refused it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parsePlatformConfig } from "../config";
import { PROJECT_DIR, runProgram } from "../offline/engine";
import { phaseOverrides } from "../offline/phaseOverrides";
import type { Manifest } from "../offline/k8sManifests";
import { readStackConfig } from "../offline/stackFiles";
import { ApiServer, type ServedResource } from "./render/apiserver";
import { APPLICATION_LABELS, APPLICATION_NAMESPACES, applications } from "./render/application";
import { addressesIn, clusterOf, evaluate } from "./render/flows";
import { CHART_SOURCE_INCOMPLETE, chartSourceGaps, plannedReleases, renderRelease, RenderError, type Release, type Sourced } from "./render/helm";
import { admissionSubjects, admit, cliVersionMismatch, isPolicy } from "./render/kyverno";
import { clusterFacts, programObjects } from "./render/plan";
import { platformFlows } from "./render/platformFlows";
import { buildTools, pinnedVersion } from "./render/tools";
import { imageUses, judgeImages } from "./render/workloads";

const key = (o: Manifest) => `${o.apiVersion.split("/").length > 1 ? o.apiVersion.split("/")[0] : ""}/${o.kind}/${o.metadata["namespace"] ?? ""}/${o.metadata["name"]}`;

class Findings {
    readonly lines: string[] = [];
    add(step: string, items: string[]): void {
        for (const item of items) {
            this.lines.push(`  [${step}] ${item}`);
        }
    }
}

/** The stack's validated config, for what the representative application needs (an allowed registry). */
function stackConfig(stack: string) {
    const config = { ...readStackConfig(PROJECT_DIR, stack).config, ...phaseOverrides("all").overrides };
    const raw = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith("platform:")).map(([k, v]) => {
        try {
            return [k.slice("platform:".length), JSON.parse(v)];
        } catch {
            return [k.slice("platform:".length), v];
        }
    }));
    return parsePlatformConfig(raw);
}

function renderAll(releases: Release[], kubeVersion: string, apiVersions: string[], workDir: string, findings: Findings): Sourced[] {
    const objects: Sourced[] = [];
    for (const release of releases) {
        try {
            objects.push(...renderRelease(release, { kubeVersion, apiVersions }, workDir));
        } catch (err) {
            if (!(err instanceof RenderError)) {
                throw err;
            }
            findings.add("render", [err.message]);
        }
    }
    return objects;
}

/** Helm sets the release namespace on namespaced objects that name none (its kube client does, at install). */
function withNamespaces(objects: Sourced[], releases: Release[], served: ServedResource[]): Sourced[] {
    const namespaced = new Map(served.map((s) => [`${s.groupVersion}/${s.kind}`, s.namespaced]));
    return objects.map((o) => {
        const scope = namespaced.get(`${o.object.apiVersion}/${o.object.kind}`);
        const release = releases.find((r) => o.source.startsWith(`${r.resource}:`) || o.source === r.resource);
        if (scope && !o.object.metadata["namespace"] && release) {
            return { ...o, object: { ...o.object, metadata: { ...o.object.metadata, namespace: release.namespace } } };
        }
        return o;
    });
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" } } });
    if (!values.stack) {
        console.error("usage: npm run render -- --stack <dev|prod>");
        return 2;
    }
    const stack = values.stack;
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
    const workDir = path.join(PROJECT_DIR, "build", "render", stack);
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    const findings = new Findings();

    const graph = await runProgram({ stack, preview: false, ...phaseOverrides("all") });
    const facts = clusterFacts(graph);
    const apiServerVersion = pinnedVersion("kubernetes", "k8s.io/kubernetes");
    if (!apiServerVersion.startsWith(`v${facts.kubernetesVersion}.`)) {
        throw new Error(`${stack} runs Kubernetes ${facts.kubernetesVersion}; the render tools pin kube-apiserver ${apiServerVersion} (scripts/tools/kubernetes/pin.sh re-pins them)`);
    }
    const releases = plannedReleases(graph);
    const gaps = chartSourceGaps(releases);
    if (gaps.length > 0) {
        console.error(`${stack}: not checked: the chart source is incomplete, so Helm cannot render these charts (exit ${CHART_SOURCE_INCOMPLETE}):\n${gaps.map((g) => `  ${g}`).join("\n")}`);
        return CHART_SOURCE_INCOMPLETE;
    }
    buildTools(["helm", "kyverno", "kubernetes", "netpol"]);
    const program = programObjects(graph, workDir);
    console.log(`${stack}: planned ${graph.resources.length} resources, ${releases.length} Helm releases, ${program.length} Kubernetes objects (${elapsed()})`);

    // 1. Render, first with Helm's built-in API versions, for the CRDs the releases install (a release that fails
    // here is rendered again below, where its failure counts).
    const firstPass = renderAll(releases, facts.kubernetesVersion, [], workDir, new Findings());
    const rendered0 = [...firstPass, ...program];
    // Kyverno's CLI must be the engine the chart deploys: its rule semantics are what admission will run.
    const kyvernoCli = pinnedVersion("kyverno", "github.com/kyverno/kyverno");
    const engineMismatch = cliVersionMismatch(imageUses(firstPass.filter((o) => o.chart === "kyverno")).map((u) => u.image), kyvernoCli);
    if (engineMismatch) {
        throw new Error(engineMismatch);
    }
    const istiod = firstPass.find((o) => o.chart === "istiod" && o.object.kind === "Deployment");
    const meshRevision = (istiod?.object as any)?.spec.template.metadata.labels["istio.io/rev"] as string;
    const config = stackConfig(stack);
    const apps = applications(meshRevision, config.admission.allowedRegistries[0]!);

    const api = new ApiServer(path.join(workDir, "apiserver"));
    await api.start(facts.serviceCidr);
    let objects: Sourced[];
    let dryRunCount = 0;
    let namespaceLabels: Map<string, Record<string, string>>;
    let generated: Sourced[] = [];
    try {
        const namespaces = [...rendered0, ...apps].filter((o) => o.object.kind === "Namespace");
        const crds = rendered0.filter((o) => o.object.kind === "CustomResourceDefinition");
        api.applyForReal(path.join(workDir, "namespaces.yaml"), namespaces.map((o) => o.object));
        api.applyForReal(path.join(workDir, "crds.yaml"), crds.map((o) => o.object));
        const served = await api.discovery();
        // 1 (again). Render with what the cluster serves: the built-in APIs and every CRD the plan installs.
        const apiVersions = [...new Set(served.filter((s) => s.groupVersion.includes("/")).flatMap((s) => [s.groupVersion, `${s.groupVersion}/${s.kind}`]))].sort();
        const rendered = withNamespaces(renderAll(releases, facts.kubernetesVersion, apiVersions, workDir, findings), releases, served);
        objects = [...rendered, ...program, ...apps];
        fs.writeFileSync(path.join(workDir, "objects.json"), JSON.stringify(objects, null, 1));
        const failed = findings.lines.length;
        console.log(`1. render: ${releases.length - failed} of ${releases.length} releases rendered, ${rendered.length} objects (${elapsed()})`);
        if (failed > 0) {
            // The later steps would judge a cluster without those releases' objects.
            return report(stack, findings, elapsed());
        }

        // Two objects of one name: the second release's install fails on the first's.
        const seen = new Map<string, string>();
        for (const o of objects) {
            const k = key(o.object);
            if (seen.has(k)) {
                findings.add("render", [`${o.object.kind} ${o.object.metadata["namespace"] ?? ""}/${o.object.metadata["name"]} is declared by ${seen.get(k)} and by ${o.source}`]);
            }
            seen.set(k, o.source);
        }

        // 2. Kyverno: every object of the kinds the policies judge, through the policies the plan and the charts declare.
        const policies = objects.filter((o) => isPolicy(o.object));
        const subjects = admissionSubjects(policies.map((p) => p.object), objects);
        const admission = admit(policies, subjects, workDir);
        findings.add("kyverno", admission.failures);
        findings.add("kyverno", admission.idle);
        generated = admission.generated.map((object) => ({ source: "kyverno generate", object }));
        console.log(`2. kyverno: ${policies.length} policies (${[...new Set(admission.actions.values())].join(", ")}) on the ${subjects.length} objects of the kinds they judge: ${admission.results.length} results, ${admission.failures.length} failures, ${generated.length} objects generated (${elapsed()})`);
        console.log(`   policies applied per kind: ${[...admission.perKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`).join(", ")}`);

        // 3. The API server: Namespaces and CRDs are real; everything else (what Kyverno generates too) a server-side dry run of its create.
        const groups = new Map<string, Sourced[]>();
        for (const o of [...objects, ...generated].filter((o) => o.object.kind !== "Namespace" && o.object.kind !== "CustomResourceDefinition")) {
            const group = o.source.split(":")[0]!;
            groups.set(group, [...(groups.get(group) ?? []), o]);
        }
        fs.mkdirSync(path.join(workDir, "dry-run"), { recursive: true });
        for (const [group, members] of groups) {
            const result = api.dryRun(path.join(workDir, "dry-run", `${group.replace(/[^\w.-]+/g, "_")}.yaml`), members.map((m) => m.object));
            dryRunCount += members.length;
            if (!result.ok) {
                findings.add("api server", result.output.split("\n").filter((l) => l.trim() && !/created \(server dry run\)$/.test(l)).map((l) => `${group}: ${l}`));
            }
        }
        const liveNamespaces = JSON.parse(api.kubectl(["get", "namespaces", "-o", "json"]).stdout) as { items: Manifest[] };
        namespaceLabels = new Map(liveNamespaces.items.map((n) => [String(n.metadata["name"]), (n.metadata["labels"] ?? {}) as Record<string, string>]));
        console.log(`3. api server: ${namespaces.length} namespaces and ${crds.length} CRDs applied, ${dryRunCount} objects dry-run (${elapsed()})`);
    } finally {
        api.stop();
    }

    // 4. Images: what every pod will run, under the platform registry and through a cache rule.
    const images = judgeImages(imageUses(objects.filter((o) => !o.source.startsWith("representative application"))), facts.registry, facts.cacheRules);
    findings.add("images", images.filter((i) => i.problem).map((i) => `${i.image} (${i.where}): ${i.problem}`));
    const table = [...new Map(images.map((i) => [i.image, i])).values()].sort((a, b) => a.image.localeCompare(b.image));
    fs.writeFileSync(path.join(workDir, "images.md"), [
        `# Images of ${stack} (generated by npm run render from the rendered manifests)`, "",
        "| image | upstream (through the cache rule) | first named at |", "|---|---|---|",
        ...table.map((i) => `| \`${i.image}\` | ${i.upstream ? `\`${i.upstream}\`` : `**${i.problem}**`} | ${i.where} |`), "",
    ].join("\n"));
    // What scripts/scan-images.sh scans: each image as the registry's cache pulls it from upstream.
    fs.writeFileSync(path.join(workDir, "images.txt"), [...new Set(table.flatMap((i) => i.upstreamReference ?? []))].map((r) => `${r}\n`).join(""));
    console.log(`4. images: ${images.length} uses of ${table.length} images checked, table in ${path.relative(PROJECT_DIR, path.join(workDir, "images.md"))} (${elapsed()})`);

    // 5. Flows through cyclonus, against every NetworkPolicy: the plan's, the charts', Kyverno's generated ones.
    const withGenerated = [...objects, ...generated];
    const networkPolicies = withGenerated.map((o) => o.object).filter((o) => o.kind === "NetworkPolicy");
    const injector = objects.find((o) => o.object.kind === "ConfigMap" && String(o.object.metadata["name"]).startsWith("istio-sidecar-injector"));
    const node = addressesIn(facts.nodeSubnet)();
    const cluster = clusterOf(withGenerated, namespaceLabels!, facts.podCidr, addressesIn(facts.apiServerSubnet)(), node, String((injector?.object as any)?.data?.config ?? ""));
    const { flows, notEvaluable } = platformFlows(cluster, withGenerated, { namespaces: APPLICATION_NAMESPACES, labels: APPLICATION_LABELS });
    const verdicts = evaluate(flows, networkPolicies, workDir);
    const wrong = verdicts.filter((v) => v.allowed !== (v.expect === "allowed"));
    findings.add("flows", wrong.map((v) => `${v.expect === "allowed" ? "required flow denied" : "forbidden flow allowed"}: ${v.source.name} -> ${v.destination.name} ${v.protocol}/${v.port}: ${v.why}`
        + ` (egress ${v.egress.allowed ? "allowed" : `denied by ${v.egress.denying.join(", ")}`}; ingress ${v.ingress.allowed ? "allowed" : `denied by ${v.ingress.denying.join(", ")}`})`));
    fs.writeFileSync(path.join(workDir, "flows.json"), JSON.stringify({ verdicts, notEvaluable }, null, 1));
    console.log(`5. flows: ${flows.filter((f) => f.expect === "allowed").length} required and ${flows.filter((f) => f.expect === "denied").length} forbidden flows against ${networkPolicies.length} NetworkPolicies, ${wrong.length} wrong; not evaluable by NetworkPolicy: ${notEvaluable.length} (${elapsed()})`);
    for (const n of notEvaluable) {
        console.log(`   - ${n}`);
    }

    return report(stack, findings, elapsed());
}

function report(stack: string, findings: Findings, elapsed: string): number {
    if (findings.lines.length > 0) {
        console.log(`\n${stack}: ${findings.lines.length} finding(s):\n${findings.lines.join("\n")}`);
        return 1;
    }
    console.log(`\n${stack}: the rendered cluster passes every check (${elapsed})`);
    return 0;
}

main().then((code) => process.exit(code), (err) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(3);
});
