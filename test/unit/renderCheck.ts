/**
 * The render check's own reading of manifests (scripts/render/), without the tools: which images a pod template
 * runs, how an image maps through ACR cache rules, how selectors and Services resolve, and which kinds a Kyverno
 * policy is written for. Expectations are written from the Kubernetes, ACR and Kyverno documentation.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { Manifest } from "../../offline/k8sManifests";
import { clusterOf, matches, serviceBackends } from "../../scripts/render/flows";
import { missingDependencies, splitManifests, type Sourced } from "../../scripts/render/helm";
import { cliVersionMismatch, judgedKinds, targetKinds } from "../../scripts/render/kyverno";
import { imageUses, judgeImages, upstreamOf } from "../../scripts/render/workloads";

const REGISTRY = "acr.azurecr.io";
const container = (name: string, image: string, extra: Record<string, unknown> = {}) => ({ name, image, ...extra });
const sourced = (object: Record<string, unknown>, chart = "chart"): Sourced => ({ source: `release: ${chart}/templates/x.yaml`, chart, object: object as Manifest });

describe("render check: images of the rendered pods", () => {
    it("reads containers, init and ephemeral containers of every workload kind, CronJobs' nested template included", () => {
        const pod = (image: string) => ({ containers: [container("main", image)], initContainers: [container("init", `${image}-init`)], ephemeralContainers: [container("debug", `${image}-debug`)] });
        const objects = [
            sourced({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: { metadata: {}, spec: pod("d:1") } } }),
            sourced({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { metadata: {}, spec: pod("c:1") } } } } }),
            sourced({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: pod("p:1") }),
            sourced({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "not-a-workload" }, data: { image: "x:1" } }),
        ];
        assert.deepEqual(imageUses(objects).map((u) => u.image).sort(), ["c:1", "c:1-debug", "c:1-init", "d:1", "d:1-debug", "d:1-init", "p:1", "p:1-debug", "p:1-init"]);
    });

    it("reads images a controller passes on in its flags, and the Prometheus Operator's custom resources' images", () => {
        const objects = [
            sourced({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "operator" }, spec: { template: { metadata: {}, spec: { containers: [container("op", `${REGISTRY}/op/op:v1`, { args: [`--prometheus-config-reloader=${REGISTRY}/op/reloader:v1`, "--log-level=info", "--web.url=http://x:9090/"] })] } } } }),
            sourced({ apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "p" }, spec: { image: `${REGISTRY}/prometheus/prometheus:v3` } }),
        ];
        assert.deepEqual(imageUses(objects).map((u) => u.image).sort(), [`${REGISTRY}/op/op:v1`, `${REGISTRY}/op/reloader:v1`, `${REGISTRY}/prometheus/prometheus:v3`]);
    });

    it("replaces Istio's `image: auto` with the proxy the injector's values name (<hub>/<image>:<tag>)", () => {
        const objects = [
            sourced({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "gw" }, spec: { template: { metadata: {}, spec: { containers: [container("istio-proxy", "auto")] } } } }),
            sourced({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio-sidecar-injector-1-30" }, data: { values: JSON.stringify({ global: { hub: `${REGISTRY}/istio`, tag: "1.30.3", proxy: { image: "proxyv2" } } }) } }, "istiod"),
        ];
        assert.deepEqual(imageUses(objects).map((u) => u.image), [`${REGISTRY}/istio/proxyv2:1.30.3`]);
    });

    it("maps a repository through ACR's cache rules (`*` is the rest of the path; an exact rule only itself)", () => {
        const rules = [{ target: "grafana/*", source: "docker.io/grafana/*" }, { target: "kubectl", source: "registry.k8s.io/kubectl" }];
        assert.equal(upstreamOf("grafana/loki", rules), "docker.io/grafana/loki");
        assert.equal(upstreamOf("kubectl", rules), "registry.k8s.io/kubectl");
        assert.equal(upstreamOf("kubectl-extra", rules), undefined);
        assert.equal(upstreamOf("grafanax/loki", rules), undefined);
    });

    it("refuses an image outside the registry, one no rule covers, and one without tag or digest", () => {
        const rules = [{ target: "grafana/*", source: "docker.io/grafana/*" }];
        const verdicts = judgeImages([
            { image: `${REGISTRY}/grafana/loki:3.7.6`, where: "a" },
            { image: `${REGISTRY}/grafana/loki@sha256:${"a".repeat(64)}`, where: "b" },
            { image: "docker.io/grafana/loki:3.7.6", where: "c" },
            { image: `${REGISTRY}/other/x:1`, where: "d" },
            { image: `${REGISTRY}/grafana/loki`, where: "e" },
        ], REGISTRY, rules);
        assert.deepEqual(verdicts.map((v) => v.problem), [undefined, undefined, `not in the platform registry ${REGISTRY}`, `no cache rule of ${REGISTRY} covers other/x`, "no tag or digest"]);
        assert.equal(verdicts[0]!.upstream, "docker.io/grafana/loki");
        assert.deepEqual(verdicts.map((v) => v.upstreamReference), ["docker.io/grafana/loki:3.7.6", `docker.io/grafana/loki@sha256:${"a".repeat(64)}`, undefined, undefined, undefined]);
        const both = judgeImages([{ image: `${REGISTRY}/grafana/loki:3.7.6@sha256:${"b".repeat(64)}`, where: "f" }], REGISTRY, rules);
        assert.equal(both[0]!.upstreamReference, `docker.io/grafana/loki:3.7.6@sha256:${"b".repeat(64)}`);
    });
});

describe("render check: reading Helm's output", () => {
    it("splits documents, keeps each one's template and skips empty ones", () => {
        const text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c/templates/empty.yaml\n---\n# Source: c/templates/b.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n";
        assert.deepEqual(splitManifests(text, "rel").map((o) => [o.source, o.object.kind]), [["rel: c/templates/a.yaml", "ConfigMap"], ["rel: c/templates/b.yaml", "Secret"]]);
    });
});

describe("render check: selectors and Services", () => {
    it("evaluates matchLabels and every matchExpressions operator (Kubernetes labels docs)", () => {
        const labels = { app: "x", tier: "web" };
        assert.equal(matches({ matchLabels: { app: "x" } }, labels), true);
        assert.equal(matches({ matchExpressions: [{ key: "tier", operator: "In", values: ["web", "db"] }] }, labels), true);
        assert.equal(matches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, labels), false);
        assert.equal(matches({ matchExpressions: [{ key: "missing", operator: "NotIn", values: ["web"] }] }, labels), true);
        assert.equal(matches({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels), true);
        assert.equal(matches({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, labels), false);
        assert.equal(matches({}, labels), true, "an empty selector selects everything");
        assert.equal(matches(undefined, labels), false, "no selector selects nothing");
    });

    it("resolves a Service port to its pods' container port, by number or by the port's name", () => {
        const template = (name: string, port: number) => sourced({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "ns" }, spec: { template: { metadata: { labels: { app: name } }, spec: { containers: [container("c", "i:1", { ports: [{ containerPort: port, name: "web" }] })] } } } });
        const service = sourced({ apiVersion: "v1", kind: "Service", metadata: { name: "svc", namespace: "ns" }, spec: { selector: { app: "a" }, ports: [{ name: "http", port: 80, targetPort: "web" }, { name: "direct", port: 81, targetPort: 9000 }] } });
        const cluster = clusterOf([template("a", 8080), template("b", 8081), service], new Map([["ns", {}], ["kube-system", {}]]), "10.0.0.0/16", "10.1.0.4", "10.2.0.4", "containerPort: 15090\n  protocol: TCP\n  name: http-envoy-prom");
        assert.deepEqual(serviceBackends(cluster, "ns", "svc", "http").map((b) => [b.pod.name, b.port]), [["ns/Deployment/a", 8080]]);
        assert.deepEqual(serviceBackends(cluster, "ns", "svc", 81).map((b) => [b.pod.name, b.port]), [["ns/Deployment/a", 9000]]);
        assert.deepEqual(serviceBackends(cluster, "ns", "nothing", 80), []);
    });
});

describe("render check: what a Kyverno policy is written for", () => {
    it("reads a ClusterPolicy's match kinds and a ValidatingPolicy's resource rules", () => {
        const clusterPolicy = { apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", metadata: { name: "p" }, spec: { rules: [{ match: { any: [{ resources: { kinds: ["Pod"] } }] } }, { match: { all: [{ resources: { kinds: ["Namespace"] } }] } }] } } as Manifest;
        const validatingPolicy = { apiVersion: "policies.kyverno.io/v1", kind: "ValidatingPolicy", metadata: { name: "v" }, spec: { matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] } } } as Manifest;
        assert.deepEqual(targetKinds(clusterPolicy), ["Pod", "Namespace"]);
        assert.deepEqual(targetKinds(validatingPolicy), ["Pod"]);
    });

    it("counts a policy as having judged a kind only from a pass or a fail of its report (a skip or an error judged nothing)", () => {
        const res = (kind: string) => [{ kind, name: "x", apiVersion: "v1" }];
        const judged = judgedKinds([
            { policy: "a", result: "pass", resources: res("Deployment") },
            { policy: "a", result: "fail", resources: res("DaemonSet") },
            { policy: "b", result: "skip", resources: res("Deployment") },
            { policy: "c", result: "error", resources: res("Namespace") },
            { policy: "c", result: "pass", resources: res("Namespace") },
        ]);
        assert.deepEqual([...judged].map(([p, kinds]) => [p, [...kinds].sort()]), [["a", ["DaemonSet", "Deployment"]], ["c", ["Namespace"]]]);
    });

    it("requires the Kyverno CLI to be the version of the admission controller image the chart deploys", () => {
        const chart = ["acr.azurecr.io/kyverno/kyverno:v1.19.0", "acr.azurecr.io/kyverno/kyvernopre:v1.19.0", "acr.azurecr.io/kyverno/background-controller:v1.19.0"];
        assert.equal(cliVersionMismatch(chart, "v1.19.0"), undefined);
        assert.match(cliVersionMismatch(chart, "v1.18.2") ?? "", /deploys acr\.azurecr\.io\/kyverno\/kyverno:v1\.19\.0; the render tools pin kubectl-kyverno v1\.18\.2/);
        assert.match(cliVersionMismatch(["acr.azurecr.io/kyverno/kyvernopre:v1.19.0"], "v1.19.0") ?? "", /no kyverno\/kyverno image/);
    });
});

describe("render check: a local chart folder's vendored dependencies", () => {
    // Helm matches a dependency to the chart under charts/ whose Chart.yaml has its name, whatever the folder's
    // name, and refuses a chart that lacks one, enabled or not (helm.sh/helm/v3/pkg/action CheckDependencies).
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
    const chart = (dir: string, yaml: string) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "Chart.yaml"), yaml);
    };
    const stack = path.join(root, "stack-1.0.0");
    chart(stack, "apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n- name: grafana\n  version: 12.11.1\n- name: node-exporter\n  version: 4.56.1\n  condition: nodeExporter.enabled\n");
    chart(path.join(stack, "charts", "grafana-vendored"), "apiVersion: v2\nname: grafana\nversion: 12.11.1\ndependencies:\n- name: sidecar\n");
    chart(path.join(root, "plain-2.0.0"), "apiVersion: v2\nname: plain\nversion: 2.0.0\n");

    it("names each listed dependency no folder under charts/ holds, in vendored subcharts too", () => {
        assert.deepEqual(missingDependencies(stack), [
            `${stack}/Chart.yaml lists the dependency node-exporter 4.56.1; ${stack}/charts/ has no chart of that name`,
            `${stack}/charts/grafana-vendored/Chart.yaml lists the dependency sidecar (any version); ${stack}/charts/grafana-vendored/charts/ has no chart of that name`,
        ]);
    });

    it("finds none in a chart without dependencies, nor once they are vendored", () => {
        assert.deepEqual(missingDependencies(path.join(root, "plain-2.0.0")), []);
        chart(path.join(stack, "charts", "prometheus-node-exporter"), "apiVersion: v2\nname: node-exporter\nversion: 4.56.1\n");
        chart(path.join(stack, "charts", "grafana-vendored", "charts", "sidecar"), "apiVersion: v2\nname: sidecar\nversion: 0.1.0\n");
        assert.deepEqual(missingDependencies(stack), []);
    });
});
