import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { toCheckpoint } from "../../offline/checkpoint";
import { PROJECT_DIR, SECRET_SIG, SIG_KEY } from "../../offline/engine";
import * as fs from "node:fs";
import * as path from "node:path";
import { chartOf, IMAGE_SIGNATURE_KEY, ofType, plan, planDevWithOptions, planProdWithOptions, registryOf, waitsFor } from "../helpers";

/** The Secret Falcosidekick reads its SIEM address from (`falcosidekick.config.existingSecret`). */
const SIEM_WEBHOOK_SECRET = "falcosidekick-siem-webhook";

const COMPONENT_TOKENS = [
    "platform:certmanager:CertManager",
    "platform:mesh:ServiceMesh",
    "platform:observability:Observability",
    "platform:falco:Falco",
    "platform:kyverno:Kyverno",
];

describe("in-cluster platform", () => {
    for (const [stack, phase, providerName] of [["dev", "all", "aks"], ["prod", "all", "aks"], ["local", undefined, "local"]] as const) {
        it(`${stack}: every in-cluster component exists, and every Kubernetes resource uses the ${providerName} provider`, async () => {
            const graph = await plan(stack, true, phase);
            const providers = graph.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
            assert.deepEqual(providers.map((p) => p.name), [providerName]);
            for (const token of COMPONENT_TOKENS) {
                assert.equal(graph.resources.filter((r) => r.type === token).length, 1, token);
            }
            // Velero needs a backup store; the local stack file configures none.
            assert.equal(graph.resources.filter((r) => r.type === "platform:velero:Velero").length, stack === "local" ? 0 : 1);
            const kubernetesResources = graph.resources.filter((r) => r.type.startsWith("kubernetes:"));
            assert.ok(kubernetesResources.length >= 6);
            for (const r of kubernetesResources) {
                assert.equal(r.provider, `${providers[0]!.urn}::${providers[0]!.id ?? "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}`, `${r.urn} does not use ${providerName}`);
            }
        });
    }

    it("local: declares no Azure resource and targets the configured kubeconfig context", async () => {
        const graph = await plan("local");
        assert.deepEqual(graph.resources.filter((r) => r.type.startsWith("azure-native:") || r.type === "pulumi:providers:azure-native"), []);
        const provider = graph.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.equal(provider.inputs["context"], "kind-platform");
    });

    it("enforces Pod Security on every platform namespace; privileged only where a node agent needs the host", async () => {
        const graph = await plan("dev", true, "all");
        const levels = Object.fromEntries(ofType(graph, "kubernetes:core/v1:Namespace").map((ns) => {
            const metadata = ns.inputs["metadata"] as { name: string; labels: Record<string, string> };
            for (const mode of ["enforce", "audit", "warn"]) {
                assert.ok(metadata.labels[`pod-security.kubernetes.io/${mode}`], `${metadata.name} lacks ${mode}`);
            }
            return [metadata.name, metadata.labels["pod-security.kubernetes.io/enforce"]];
        }));
        assert.deepEqual(levels, {
            "cert-manager": "restricted",
            "istio-system": "privileged",
            "istio-ingress": "restricted",
            monitoring: "privileged",
            falco: "privileged",
            kyverno: "restricted",
            velero: "restricted",
        });
    });

    it("keeps the SIEM webhook secret from config to the Kubernetes Secret, and out of the checkpoint", async () => {
        const url = "https://siem.example.com/hook?token=offline-test-token";
        const graph = await planDevWithOptions();
        const secret = ofType(graph, "kubernetes:core/v1:Secret").find((s) => (s.inputs["metadata"] as { name: string }).name === SIEM_WEBHOOK_SECRET);
        const stringData = secret!.inputs["stringData"] as Record<string, unknown>;
        assert.deepEqual(stringData, { [SIG_KEY]: SECRET_SIG, value: { WEBHOOK_ADDRESS: url } });
        const namespace = ofType(graph, "kubernetes:core/v1:Namespace").find((ns) => (ns.inputs["metadata"] as { name: string }).name === "falco")!;
        assert.ok(secret!.dependencies.includes(namespace.urn), "the Secret does not wait for its namespace");
        assert.ok(!JSON.stringify(toCheckpoint(graph)).includes("offline-test-token"));
    });

    it("creates no SIEM secret when none is configured", async () => {
        const graph = await plan("dev", true, "all");
        const names = ofType(graph, "kubernetes:core/v1:Secret").map((s) => (s.inputs["metadata"] as { name: string }).name);
        assert.ok(names.length > 0 && !names.includes(SIEM_WEBHOOK_SECRET), names.join());
    });
});

describe("kyverno", () => {
    const release = (graph: Awaited<ReturnType<typeof plan>>, chart: string) => graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === chart)!;
    const policies = (graph: Awaited<ReturnType<typeof plan>>) => Object.fromEntries(ofType(graph, "kubernetes:kyverno.io/v1:ClusterPolicy").map((p) => [(p.inputs["metadata"] as { name: string }).name, p.inputs["spec"] as Record<string, any>]));

    for (const [stack, action, replicas] of [["dev", "Audit", 1], ["prod", "Enforce", 3]] as const) {
        it(`${stack}: restricted Pod Security and the platform policies in ${action}, ${replicas} admission replica(s)`, async () => {
            const graph = await plan(stack, true, "all");
            const kyverno = release(graph, "kyverno").inputs["values"] as Record<string, any>;
            assert.equal(kyverno["admissionController"].replicas, replicas);
            assert.equal(kyverno["admissionController"].podDisruptionBudget.enabled, stack === "prod");
            assert.deepEqual(kyverno["config"].webhookAnnotations, { "admissions.enforcer/disabled": "true" });
            assert.equal(kyverno["reportsController"].enabled, true);
            const podSecurity = release(graph, "kyverno-policies").inputs["values"] as Record<string, any>;
            assert.deepEqual([podSecurity["podSecurityStandard"], podSecurity["validationFailureAction"]], ["restricted", action]);
            const byName = policies(graph);
            assert.deepEqual(Object.keys(byName).sort(), ["disallow-latest-tag", "generate-default-deny", "generate-ingress-gateway-allow", "generate-resilience-defaults", "require-mesh-injection", "require-requests-limits", "restrict-image-registries"]);
            for (const name of ["require-requests-limits", "disallow-latest-tag", "restrict-image-registries", "require-mesh-injection"]) {
                assert.equal(byName[name]!.rules[0].validate.failureAction, action, name);
            }
        });
    }

    it("uses none of the ClusterPolicy fields Kyverno 1.19 deprecates", async () => {
        // Kyverno 1.19's clusterpolicies CRD (kyverno chart 3.9.0): each of these spec fields is described "Deprecated, use ... instead".
        const deprecated = ["failurePolicy", "generateExisting", "generateExistingOnPolicyUpdate", "mutateExistingOnPolicyUpdate", "schemaValidation", "validationFailureAction", "validationFailureActionOverrides", "webhookTimeoutSeconds"];
        // prod with signatures: every policy the program declares.
        const all = policies(await planProdWithOptions());
        assert.equal(Object.keys(all).length, 8);
        for (const [name, spec] of Object.entries(all)) {
            assert.deepEqual(Object.keys(spec).filter((key) => deprecated.includes(key)), [], name);
        }
    });

    it("is installed, policies and all, before the charts it admits", async () => {
        for (const stack of ["dev", "prod"]) {
            const graph = await plan(stack, true, "all");
            const kyvernoReleases = graph.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && ["kyverno", "kyverno-policies"].includes(chartOf(r)));
            assert.equal(kyvernoReleases.length, 2);
            for (const chart of ["cert-manager", "istiod", "gateway", "falco", "velero"]) {
                const waits = waitsFor(graph, release(graph, chart));
                for (const k of kyvernoReleases) {
                    assert.ok(waits.has(k.urn), `${stack}: ${chart} may install before ${k.inputs["chart"]}`);
                }
            }
        }
    });

    it("admits the charts' own pods: requests and a memory limit where each chart leaves resources empty", async () => {
        // The keys whose defaults are `resources: {}` at the pinned versions: cert-manager v1.21.1 values.yaml
        // (resources, webhook.resources, cainjector.resources, startupapicheck.resources) and velero 12.1.0
        // (resources, upgradeJobResources). Kyverno's require-requests-limits wants cpu and memory requests and a memory limit.
        const graph = await plan("prod", true, "all");
        const declared = (values: Record<string, any>, path: string) => path.split(".").reduce((v, key) => v?.[key], values);
        const expectations: [string, string[]][] = [
            ["cert-manager", ["resources", "webhook.resources", "cainjector.resources", "startupapicheck.resources"]],
            ["velero", ["resources", "upgradeJobResources"]],
        ];
        for (const [chart, paths] of expectations) {
            const values = release(graph, chart).inputs["values"] as Record<string, any>;
            for (const path of paths) {
                const resources = declared(values, path);
                assert.ok(resources?.requests?.cpu && resources?.requests?.memory && resources?.limits?.memory, `${chart} ${path}: ${JSON.stringify(resources)}`);
            }
        }
    });

    it("exempts exactly the namespaces whose node agents need the host, and the AKS add-ons' own", async () => {
        const graph = await plan("prod", true, "all");
        const exempt = (release(graph, "kyverno-policies").inputs["values"] as Record<string, any>)["vpolExclude"].excludeNamespaces;
        // Node agents: AKS's system pods, istio-cni, node-exporter and Alloy, Falco's eBPF probe. Add-on: the Azure
        // Policy add-on's Gatekeeper (learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes).
        assert.deepEqual([...exempt].sort(), ["falco", "gatekeeper-system", "istio-system", "kube-system", "monitoring"]);
        // The same namespaces, and only those, carry the privileged Pod Security label among the platform's.
        const privileged = ofType(graph, "kubernetes:core/v1:Namespace")
            .filter((n) => (n.inputs["metadata"] as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"] === "privileged")
            .map((n) => (n.inputs["metadata"] as { name: string }).name);
        assert.deepEqual(privileged.sort(), ["falco", "istio-system", "monitoring"]);
    });

    it("generates a default-deny NetworkPolicy in every application namespace, kept in sync", async () => {
        const rule = policies(await plan("dev", true, "all"))["generate-default-deny"]!.rules[0];
        assert.deepEqual(rule.match.any[0].resources.kinds, ["Namespace"]);
        assert.deepEqual([rule.generate.kind, rule.generate.name, rule.generate.synchronize], ["NetworkPolicy", "default-deny", true]);
        assert.deepEqual(rule.generate.data.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("opens in application namespaces what a meshed pod needs, and generates nothing where the platform declares its own", async () => {
        const graph = await plan("dev", true, "all");
        const rules = policies(graph)["generate-default-deny"]!.rules;
        const allow = rules.find((r: Record<string, any>) => r.generate.name === "allow-platform")!;
        const spec = allow.generate.data.spec;
        // `part` is contained in `whole`: every key of part, recursively, with the same value.
        const contains = (whole: unknown, part: unknown): boolean => typeof part !== "object" || part === null
            ? whole === part
            : typeof whole === "object" && whole !== null && Object.entries(part).every(([k, v]) => contains((whole as Record<string, unknown>)[k], v));
        const has = (list: Record<string, any>[], key: "to" | "from", peer: Record<string, unknown>, ports: Record<string, unknown>[] | undefined) =>
            list.some((r) => (r[key] ?? []).some((p: unknown) => contains(p, peer)) && (ports === undefined || ports.every((port) => (r.ports ?? []).some((q: unknown) => contains(q, port)))));
        // A sidecar needs DNS (CoreDNS: k8s-app=kube-dns), istiod's xDS and CA on 15012 (istio.io ports used by Istio),
        // and here the collector's OTLP port for spans; the ingress gateway must reach the app.
        assert.ok(has(spec.egress, "to", { podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }, [{ protocol: "UDP", port: 53 }]), "DNS");
        assert.ok(has(spec.egress, "to", { podSelector: { matchLabels: { app: "istiod" } } }, [{ protocol: "TCP", port: 15012 }]), "istiod");
        assert.ok(has(spec.egress, "to", { podSelector: { matchLabels: { "app.kubernetes.io/name": "opentelemetry-collector" } } }, [{ protocol: "TCP", port: 4317 }]), "collector");
        assert.ok(has(spec.ingress, "from", { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-ingress" } } }, undefined), "ingress gateway");
        // Both generate rules leave out every namespace the platform creates (each has its own default-deny: a
        // generated one of the same name would collide with the program's).
        const declared = graph.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs["metadata"] as { name: string }).name === "default-deny")
            .map((r) => (r.inputs["metadata"] as { namespace: string }).namespace);
        assert.ok(declared.length >= 6);
        for (const rule of rules) {
            const excluded: string[] = rule.exclude.any[0].resources.namespaces;
            assert.deepEqual(declared.filter((n) => !excluded.includes(n)), [], rule.name);
        }
    });

    it("keeps Kyverno out of the mesh", async () => {
        const graph = await plan("dev", true, "all");
        const namespace = ofType(graph, "kubernetes:core/v1:Namespace").find((n) => (n.inputs["metadata"] as { name: string }).name === "kyverno")!;
        assert.equal((namespace.inputs["metadata"] as { labels: Record<string, string> }).labels["istio.io/rev"], undefined);
    });

    it("admits application pods only from allowed registries, into meshed namespaces; the platform's own namespaces are exempt", async () => {
        const byName = policies(await plan("dev", true, "all"));
        const registries = byName["restrict-image-registries"]!.rules[0];
        // The allowed registries, and the mesh proxy istiod injects (Kyverno validates the mutated pod).
        // Teams' images come from the platform registry's apps/ namespace (docs/application-images.md), MCR from config.
        assert.equal(registries.validate.pattern.spec.containers[0].image, `mcr.microsoft.com/* | ${registryOf("dev")}/apps/* | ${registryOf("dev")}/istio/proxyv2:*`);
        const excluded: string[] = registries.exclude.any[0].resources.namespaces;
        for (const ns of ["kube-system", "istio-system", "istio-ingress", "cert-manager", "monitoring", "falco", "kyverno", "velero"]) {
            assert.ok(excluded.includes(ns), ns);
        }
        const mesh = byName["require-mesh-injection"]!.rules[0];
        // Sidecar injection only: ambient namespaces would get no mTLS without ztunnel (not installed).
        assert.deepEqual([mesh.validate.pattern, mesh.validate.anyPattern], [{ metadata: { labels: { "istio.io/rev": "?*" } } }, undefined]);
        assert.deepEqual(mesh.exclude, registries.exclude);
        assert.equal(byName["verify-image-signatures"], undefined, "no signature policy without a configured key or issuer");
        // Nor the egress a signature check would need: Kyverno's namespace stays inside the cluster.
        const kyvernoPolicy = (await plan("dev", true, "all")).resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs["metadata"] as Record<string, string>)["namespace"] === "kyverno" && (r.inputs["metadata"] as Record<string, string>)["name"] === "allow-platform")!;
        assert.ok(!JSON.stringify(kyvernoPolicy.inputs["spec"]).includes("0.0.0.0/0"));
    });

    it("verifies cosign signatures with the configured key, in application namespaces", async () => {
        const key = IMAGE_SIGNATURE_KEY;
        const graph = await planProdWithOptions();
        const byName = policies(graph);
        const verify = byName["verify-image-signatures"]!;
        // Every image but the mesh proxy istiod injects (Istio signs its own; the team's key does not): review row 9.
        assert.deepEqual(verify.rules[0].verifyImages, [{ imageReferences: ["*"], skipImageReferences: [`${registryOf("prod")}/istio/proxyv2:*`], failureAction: "Enforce", attestors: [{ entries: [{ keys: { publicKeys: key } }] }], mutateDigest: true, verifyDigest: true }]);
        // Kyverno reads the signatures from the registries: its namespace may leave on 443 only when it verifies.
        const kyvernoEgress = graph.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && (r.inputs["metadata"] as Record<string, string>)["namespace"] === "kyverno" && (r.inputs["metadata"] as Record<string, string>)["name"] === "allow-platform")!;
        const egress = (kyvernoEgress.inputs["spec"] as { egress: Record<string, unknown>[] }).egress;
        assert.ok(egress.some((rule) => isDeepStrictEqual(rule, { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] })), JSON.stringify(egress));
        assert.equal(byName["restrict-image-registries"]!.rules[0].validate.pattern.spec.containers[0].image, `mcr.microsoft.com/oss/* | ${registryOf("prod")}/apps/* | ${registryOf("prod")}/istio/proxyv2:*`);
    });
});

describe("falco", () => {
    it("loads rules of priority notice and above (the chart's default, debug, loads every rule)", async () => {
        // falco chart 9.1.0 values.yaml falco.priority: levels emergency .. debug; default debug.
        const release = (await plan("prod", true, "all")).resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === "falco")!;
        assert.equal((release.inputs["values"] as Record<string, any>)["falco"].priority, "notice");
    });

    const lokiRelease = (graph: Awaited<ReturnType<typeof plan>>) => graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === "loki")!;
    const falcoRelease = (graph: Awaited<ReturnType<typeof plan>>) => graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === "falco")!;

    it("runs the modern eBPF driver on every node with the platform rules, limits and metrics", async () => {
        const graph = await plan("prod", true, "all");
        const values = falcoRelease(graph).inputs["values"] as Record<string, any>;
        assert.deepEqual(values["driver"], { kind: "modern_ebpf" });
        assert.deepEqual(values["tolerations"], [{ operator: "Exists" }]);
        assert.ok(values["resources"].limits.memory && values["resources"].requests.cpu);
        assert.deepEqual([values["metrics"].enabled, values["serviceMonitor"].create, values["falcosidekick"].serviceMonitor.enabled], [true, true, true]);
        assert.equal(values["customRules"]["platform-rules.yaml"], fs.readFileSync(path.join(PROJECT_DIR, "components", "falco", "rules", "platform-rules.yaml"), "utf8"));
        const operator = graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && chartOf(r) === "kube-prometheus-stack")!;
        assert.ok(falcoRelease(graph).dependencies.includes(operator.urn));
    });

    it("forwards to Alertmanager on its v2 API, to Loki, and to the SIEM only when configured, through the secret", async () => {
        const without = falcoRelease(await plan("dev", true, "all")).inputs["values"] as Record<string, any>;
        assert.equal(without["falcosidekick"].config.alertmanager.endpoint, "/api/v2/alerts");
        assert.match(without["falcosidekick"].config.alertmanager.hostport, /^http:\/\/kube-prometheus-stack-alertmanager\.monitoring\.svc\.cluster\.local:9093$/);
        assert.equal(without["falcosidekick"].config.existingSecret, undefined);
        // Every event also goes to Loki, through the gateway Service the Loki release creates.
        const devGraph = await plan("dev", true, "all");
        const loki = lokiRelease(devGraph);
        assert.deepEqual(without["falcosidekick"].config.loki, { hostport: `http://${loki.inputs["name"]}-gateway.${loki.inputs["namespace"]}.svc.cluster.local`, format: "json", minimumpriority: "notice" });
        // Falco's namespace may leave for exactly those two pods' ports (Alertmanager 9093, Loki's gateway 8080).
        const falcoPolicy = ofType(devGraph, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .find((p) => (p.inputs["metadata"] as Record<string, string>)["namespace"] === "falco" && (p.inputs["metadata"] as Record<string, string>)["name"] === "allow-platform")!;
        const toMonitoring = ((falcoPolicy.inputs["spec"] as Record<string, any>)["egress"] as Record<string, any>[])
            .find((rule) => rule["to"]?.[0]?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === loki.inputs["namespace"])!;
        assert.deepEqual(toMonitoring["ports"].map((port: { port: number }) => port.port), [9093, 8080]);
        const graph = await planDevWithOptions();
        const release = falcoRelease(graph);
        assert.equal((release.inputs["values"] as Record<string, any>)["falcosidekick"].config.existingSecret, SIEM_WEBHOOK_SECRET);
        const secret = ofType(graph, "kubernetes:core/v1:Secret").find((s) => (s.inputs["metadata"] as { name: string }).name === SIEM_WEBHOOK_SECRET)!;
        assert.ok(release.dependencies.includes(secret.urn));
    });
});
