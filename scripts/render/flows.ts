/**
 * The platform's required and forbidden flows, between the rendered pods (their namespaces' and their own labels),
 * judged against every NetworkPolicy the plan, the charts and Kyverno's generate rules create, by cyclonus's
 * matcher (scripts/tools/netpol). The flows are written here from the platform's design; the pods, ports and
 * selectors are read from the render, never from the program's code.
 *
 * NetworkPolicy does not govern host-network pods (the Kubernetes NetworkPolicy docs: "traffic to and from
 * host-network pods is not covered"), nor the API server's own connections on AKS (it runs outside the cluster's
 * nodes): for those, only the pod end of a flow is judged (a pod's egress to a node address, a webhook pod's
 * ingress from the API server's subnet), and the flows a host-network pod starts are listed as not evaluable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";
import { run, TOOLS } from "./tools";
import { allContainers, podTemplates, type PodTemplate } from "./workloads";

export interface Peer {
    /** What a failure names: `<namespace>/<Kind>/<name>` or an address's role. */
    name: string;
    namespace?: string;
    namespaceLabels?: Record<string, string>;
    podLabels?: Record<string, string>;
    ip: string;
}

export interface Flow {
    why: string;
    source: Peer;
    destination: Peer;
    port: number;
    portName?: string;
    protocol: "TCP" | "UDP";
    expect: "allowed" | "denied";
}

export interface FlowVerdict extends Flow {
    allowed: boolean;
    egress: { allowed: boolean; allowing: string[]; denying: string[] };
    ingress: { allowed: boolean; allowing: string[]; denying: string[] };
}

/** A pod the flows name: a rendered template (or one a controller makes), its ports, whether it is meshed. */
export interface Pod extends Peer {
    namespace: string;
    /** The chart that renders it, or the custom resource kind a controller makes it from. */
    origin: string;
    podLabels: Record<string, string>;
    template?: PodTemplate;
    ports: { port: number; name?: string; protocol: string }[];
    hostNetwork: boolean;
    meshed: boolean;
    serviceAccount: string;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

export function matches(selector: Selector | undefined, labels: Record<string, string>): boolean {
    if (!selector) {
        return false;
    }
    const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    return byLabel && (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
        switch (operator) {
            case "In": return key in labels && values.includes(labels[key]!);
            case "NotIn": return !(key in labels) || !values.includes(labels[key]!);
            case "Exists": return key in labels;
            case "DoesNotExist": return !(key in labels);
            default: throw new Error(`unknown selector operator ${operator}`);
        }
    });
}

/** Sequential addresses in a CIDR, skipping the network address (pod IPs are arbitrary within the pod CIDR). */
export function addressesIn(cidr: string): () => string {
    const [base, bits] = cidr.split("/");
    let next = base!.split(".").reduce((n, o) => n * 256 + Number(o), 0) + 4;
    const last = next - 4 + 2 ** (32 - Number(bits)) - 1;
    return () => {
        if (next >= last) {
            throw new Error(`no address left in ${cidr}`);
        }
        const n = next++;
        return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
    };
}

/** The Prometheus Operator's pod labels for its StatefulSets (prometheus-operator v0.93 makeSelectorLabels, plus spec.podMetadata.labels). */
function operatorPodLabels(object: Manifest): Record<string, string> | undefined {
    const name = String(object.metadata["name"]);
    const own = (object["spec"] as { podMetadata?: { labels?: Record<string, string> } }).podMetadata?.labels ?? {};
    const common = { "app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/instance": name };
    switch (object.kind) {
        case "Prometheus":
            return { ...own, ...common, "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": name, prometheus: name, "operator.prometheus.io/shard": "0" };
        case "Alertmanager":
            return { ...own, ...common, "app.kubernetes.io/name": "alertmanager", alertmanager: name };
        default:
            return undefined;
    }
}

/** The ports of Prometheus's and Alertmanager's pods: the operator's `web` ports (9090, 9093). */
const OPERATOR_PORTS: Record<string, Pod["ports"]> = {
    Prometheus: [{ port: 9090, name: "web", protocol: "TCP" }],
    Alertmanager: [{ port: 9093, name: "web", protocol: "TCP" }, { port: 9094, name: "mesh-tcp", protocol: "TCP" }],
};

export interface Cluster {
    pods: Pod[];
    services: Manifest[];
    namespaces: Map<string, Record<string, string>>;
    /** Where the API server answers pods (an address in its subnet). */
    apiServer: string;
    /** A node's address (host-network pods and the kubelet answer there). */
    node: string;
}

/**
 * The pods the flows run between: every rendered pod template, the Prometheus Operator's pods, and AKS's own
 * CoreDNS (`k8s-app: kube-dns` in kube-system: learn.microsoft.com/azure/aks/coredns-custom). Meshed pods (namespace
 * or pod label `istio.io/rev`, or `sidecar.istio.io/inject: "true"`) get the injected proxy's Prometheus port
 * `http-envoy-prom` 15090, which istiod's injection template declares (asserted on the rendered template).
 */
export function clusterOf(objects: Sourced[], namespaces: Map<string, Record<string, string>>, podCidr: string, apiServer: string, node: string, injectionTemplate: string): Cluster {
    const nextIp = addressesIn(podCidr);
    if (!/containerPort: 15090\s+protocol: TCP\s+name: http-envoy-prom/.test(injectionTemplate)) {
        throw new Error("istiod's injection template no longer declares containerPort 15090 http-envoy-prom");
    }
    const pods: Pod[] = [];
    const add = (pod: Omit<Pod, "ip" | "namespaceLabels" | "meshed">) => {
        const namespaceLabels = namespaces.get(pod.namespace);
        if (!namespaceLabels) {
            throw new Error(`${pod.name} runs in namespace ${pod.namespace}, which nothing creates`);
        }
        const meshed = !pod.hostNetwork && pod.podLabels["sidecar.istio.io/inject"] !== "false"
            && ("istio.io/rev" in namespaceLabels || "istio.io/rev" in pod.podLabels || pod.podLabels["sidecar.istio.io/inject"] === "true");
        const ports = meshed && !pod.ports.some((p) => p.port === 15090) ? [...pod.ports, { port: 15090, name: "http-envoy-prom", protocol: "TCP" }] : pod.ports;
        pods.push({ ...pod, ports, meshed, namespaceLabels, ip: pod.hostNetwork ? node : nextIp() });
    };
    for (const template of podTemplates(objects)) {
        add({
            origin: template.chart ?? "program",
            name: `${template.namespace}/${template.owner.kind}/${template.owner.metadata["name"]}`,
            namespace: template.namespace,
            podLabels: template.labels,
            template,
            ports: allContainers(template.spec).flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, name: p.name, protocol: p.protocol ?? "TCP" }))),
            hostNetwork: template.spec.hostNetwork === true,
            serviceAccount: String(template.spec["serviceAccountName"] ?? "default"),
        });
    }
    for (const { object } of objects) {
        const labels = object.apiVersion.startsWith("monitoring.coreos.com/") ? operatorPodLabels(object) : undefined;
        if (labels) {
            const namespace = String(object.metadata["namespace"]);
            const spec = object["spec"] as { serviceAccountName?: string };
            add({ origin: object.kind, name: `${namespace}/${object.kind}/${object.metadata["name"]}`, namespace, podLabels: labels, ports: OPERATOR_PORTS[object.kind]!, hostNetwork: false, serviceAccount: spec.serviceAccountName ?? "default" });
        }
    }
    add({ origin: "AKS", name: "kube-system/coredns (AKS)", namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, ports: [{ port: 53, name: "dns", protocol: "UDP" }, { port: 53, name: "dns-tcp", protocol: "TCP" }, { port: 9153, name: "metrics", protocol: "TCP" }], hostNetwork: false, serviceAccount: "coredns" });
    const services = objects.map((o) => o.object).filter((o) => o.kind === "Service");
    return { pods, services, namespaces, apiServer, node };
}

/** The pods behind a Service and the container port a Service port (by name or number) reaches on each. */
export function serviceBackends(cluster: Cluster, namespace: string, name: string, port: string | number): { pod: Pod; port: number }[] {
    const service = cluster.services.find((s) => s.metadata["namespace"] === namespace && s.metadata["name"] === name);
    if (!service) {
        return [];
    }
    const spec = service["spec"] as { selector?: Record<string, string>; ports: { name?: string; port: number; targetPort?: string | number }[] };
    const servicePort = spec.ports.find((p) => p.name === port || p.port === port);
    if (!servicePort || !spec.selector) {
        return [];
    }
    const target = servicePort.targetPort ?? servicePort.port;
    return cluster.pods.filter((p) => p.namespace === namespace && matches({ matchLabels: spec.selector }, p.podLabels)).flatMap((pod) => {
        const resolved = typeof target === "number" ? target : pod.ports.find((p) => p.name === target)?.port;
        return resolved === undefined ? [] : [{ pod, port: resolved }];
    });
}

/** Evaluates flows with cyclonus (through scripts/tools/netpol) against the policies. */
export function evaluate(flows: Flow[], policies: Manifest[], workDir: string): FlowVerdict[] {
    const input = path.join(workDir, "flows-input.json");
    const strip = (p: Peer) => ({ namespace: p.namespace, namespaceLabels: p.namespaceLabels, podLabels: p.podLabels, ip: p.ip });
    fs.writeFileSync(input, JSON.stringify({
        policies,
        flows: flows.map((f) => ({ source: strip(f.source), destination: strip(f.destination), port: f.port, portName: f.portName, protocol: f.protocol })),
    }));
    const verdicts = JSON.parse(run(TOOLS.netpol, [input]).stdout) as Omit<FlowVerdict, keyof Flow>[];
    if (verdicts.length !== flows.length) {
        throw new Error(`netpol answered ${verdicts.length} verdicts for ${flows.length} flows`);
    }
    return flows.map((f, i) => ({ ...f, ...verdicts[i]! }));
}
