/**
 * Admission by the platform's own policies: every object through the real Kyverno CLI (`kyverno apply`, which
 * also applies the rules Kyverno generates for Pod controllers from Pod rules), with the policies exactly as the
 * plan and the charts declare them. Its policy report gives every result; a policy that judged nothing of the
 * kinds it is written for fails the check (a typo in a kind or a namespace list matches nothing, silently).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import type { Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";
import { run, TOOLS } from "./tools";

/** Kyverno's policy kinds: the legacy kyverno.io ones and the CEL policies of policies.kyverno.io. */
export const POLICY_KINDS = new Set(["ClusterPolicy", "Policy", "ValidatingPolicy", "NamespacedValidatingPolicy", "GeneratingPolicy", "MutatingPolicy", "ImageValidatingPolicy", "DeletingPolicy"]);

export const isPolicy = (o: Manifest) => (o.apiVersion.startsWith("kyverno.io/") || o.apiVersion.startsWith("policies.kyverno.io/")) && POLICY_KINDS.has(o.kind);

export interface ReportResult {
    policy: string;
    rule?: string;
    result: "pass" | "fail" | "warn" | "error" | "skip";
    message?: string;
    resources?: { kind: string; name: string; namespace?: string; apiVersion: string }[];
}

export interface Admission {
    results: ReportResult[];
    /** Each failure: the object (and where it came from), the policy, the rule and Kyverno's message. */
    failures: string[];
    /** Policies that judged (pass or fail) no object of a kind they are written for. */
    idle: string[];
    /** Each kind judged, with how many policies judged an object of it. */
    perKind: Map<string, number>;
    /** What the generate rules create (the application namespaces' NetworkPolicies). */
    generated: Manifest[];
    /** The policies' enforcement: what the plan declares (Enforce in prod, Audit in dev). */
    actions: Map<string, string>;
}

/** Pod controllers Kyverno's autogen writes Pod rules for (kyverno.io/docs/policy-types/cluster-policy/autogen). */
const POD_CONTROLLERS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "ReplicationController"];

/** The kinds a policy is written for: its rules' match kinds, or its CEL match constraints' resources. */
export function targetKinds(policy: Manifest): string[] {
    const spec = policy["spec"] as any;
    if (policy.apiVersion.startsWith("kyverno.io/")) {
        return [...new Set((spec.rules ?? []).flatMap((r: any) => [...(r.match?.any ?? []), ...(r.match?.all ?? []), ...(r.match?.resources ? [{ resources: r.match.resources }] : [])].flatMap((m: any) => m.resources?.kinds ?? [])))] as string[];
    }
    const plural: Record<string, string> = { pods: "Pod", namespaces: "Namespace", deployments: "Deployment", services: "Service" };
    return [...new Set((spec.matchConstraints?.resourceRules ?? []).flatMap((r: any) => (r.resources ?? []).map((p: string) => plural[p] ?? p)))] as string[];
}

function failureAction(policy: Manifest): string {
    const spec = policy["spec"] as any;
    return spec.validationFailureAction ?? spec.rules?.[0]?.validate?.failureAction ?? spec.validationActions?.join("+") ?? "-";
}

/**
 * The objects Kyverno would be asked about: those of a kind some policy is written for (Pod rules also judge Pod
 * controllers), or all of them if a policy names every kind. Kyverno's webhooks receive nothing else, and the CLI's
 * time grows with every object it parses (the CRDs alone are megabytes).
 */
export function admissionSubjects(policies: Manifest[], objects: Sourced[]): Sourced[] {
    const kinds = new Set(policies.flatMap(targetKinds).flatMap((k) => (k === "Pod" ? ["Pod", ...POD_CONTROLLERS] : [k])));
    return kinds.has("*") ? objects : objects.filter((o) => kinds.has(o.object.kind));
}

/** Runs `kyverno apply` of the policies on the resources; throws if the CLI cannot run them. */
export function admit(policies: Sourced[], resources: Sourced[], workDir: string): Admission {
    const dir = path.join(workDir, "kyverno");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const policyFile = path.join(dir, "policies.yaml");
    const resourceFile = path.join(dir, "resources.yaml");
    const generatedFile = path.join(dir, "generated.yaml");
    fs.writeFileSync(policyFile, policies.map((p) => stringify(p.object)).join("---\n"));
    fs.writeFileSync(resourceFile, resources.map((r) => stringify(r.object)).join("---\n"));
    // --output names a .yaml file: the generate rules' objects are written there (a directory gets only mutations).
    const result = run(TOOLS.kyverno, ["apply", policyFile, "--resource", resourceFile, "--policy-report", "--output-format", "json", "--output", generatedFile, "--remove-color"], { allowFailure: true });
    fs.writeFileSync(path.join(dir, "report.txt"), result.stdout);
    // The reports are JSON documents separated by `---`, after the generate rules' progress lines.
    const reports = result.stdout.split(/^---$/m).map((c) => c.slice(Math.max(0, c.indexOf('{"kind"')))).filter((c) => c.startsWith('{"kind"')).map((c) => JSON.parse(c) as { results?: ReportResult[] });
    if (reports.length === 0) {
        throw new Error(`kubectl-kyverno apply produced no policy report (exit ${result.status}):\n${result.stderr.trim() || result.stdout.trim()}`);
    }
    const results = reports.flatMap((r) => r.results ?? []);
    const sourceOf = new Map(resources.map((r) => [`${r.object.kind}/${r.object.metadata["namespace"] ?? ""}/${r.object.metadata["name"]}`, r.source]));
    const actions = new Map(policies.map((p) => [String(p.object.metadata["name"]), failureAction(p.object)]));
    const failures = results.filter((r) => r.result === "fail" || r.result === "error").flatMap((r) => (r.resources ?? [{ kind: "?", name: "?", apiVersion: "?" }]).map((res) =>
        `${res.kind} ${res.namespace ? `${res.namespace}/` : ""}${res.name} (${sourceOf.get(`${res.kind}/${res.namespace ?? ""}/${res.name}`) ?? "?"}): ${r.policy}/${r.rule ?? "-"} [${actions.get(r.policy) ?? "?"}] ${r.result}: ${(r.message ?? "").trim()}`));
    const judgedBy = judgedKinds(results);
    const idle: string[] = [];
    for (const { object: policy } of policies) {
        const name = String(policy.metadata["name"]);
        const judged = judgedBy.get(name) ?? new Set<string>();
        for (const kind of targetKinds(policy)) {
            const kinds = kind === "Pod" ? ["Pod", ...POD_CONTROLLERS] : [kind];
            if (!kinds.some((k) => judged.has(k))) {
                idle.push(`${policy.kind} ${name} judged no ${kind}${kind === "Pod" ? " (nor a Pod controller)" : ""}`);
            }
        }
    }
    const generated = fs.existsSync(generatedFile) ? parseAllDocuments(fs.readFileSync(generatedFile, "utf8")).map((d) => d.toJS() as Manifest).filter((o) => o?.kind) : [];
    const perKind = new Map<string, number>();
    for (const kinds of judgedBy.values()) {
        for (const kind of kinds) {
            perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
        }
    }
    return { results, failures, idle, perKind, generated, actions };
}

/** For each policy, the kinds of the objects it judged: a pass or a fail (a skip or an error judged nothing). */
export function judgedKinds(results: ReportResult[]): Map<string, Set<string>> {
    const judged = new Map<string, Set<string>>();
    for (const r of results.filter((r) => r.result === "pass" || r.result === "fail")) {
        const kinds = judged.get(r.policy) ?? new Set<string>();
        for (const res of r.resources ?? []) {
            kinds.add(res.kind);
        }
        judged.set(r.policy, kinds);
    }
    return judged;
}

/** Why the Kyverno CLI is not the admission controller the chart deploys (its kyverno/kyverno image's tag), if it is not. */
export function cliVersionMismatch(chartImages: string[], cliVersion: string): string | undefined {
    const engines = chartImages.filter((i) => /\/kyverno\/kyverno:/.test(i));
    if (engines.length === 0 || engines.some((i) => !i.endsWith(`:${cliVersion}`))) {
        return `the kyverno chart deploys ${engines.join(", ") || "no kyverno/kyverno image"}; the render tools pin kubectl-kyverno ${cliVersion} (scripts/tools/kyverno/go.mod)`;
    }
    return undefined;
}
