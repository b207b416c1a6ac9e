/**
 * The flows the platform needs and the ones it must refuse, written from the design (docs/render-check.md lists
 * them): components are found by the chart that renders them and the labels that chart documents, ports are the
 * ones each protocol uses. Webhooks and scrape targets are read from the render itself (webhook configurations,
 * ServiceMonitors and PodMonitors), so a new one is covered without an edit here.
 */
import type { Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";
import { matches, serviceBackends, type Cluster, type Flow, type Peer, type Pod } from "./flows";

/** A component: the chart that renders it (or the operator kind that makes it) and the labels of its pods. */
interface Role {
    origin: string;
    labels?: Record<string, string>;
}

const ROLES = {
    istiod: { origin: "istiod", labels: { app: "istiod" } },
    ingressGateway: { origin: "gateway" },
    collector: { origin: "opentelemetry-collector" },
    lokiGateway: { origin: "loki", labels: { "app.kubernetes.io/component": "gateway" } },
    alloy: { origin: "alloy" },
    falcosidekick: { origin: "falco", labels: { "app.kubernetes.io/name": "falcosidekick" } },
    grafana: { origin: "kube-prometheus-stack", labels: { "app.kubernetes.io/name": "grafana" } },
    tempo: { origin: "tempo" },
    prometheus: { origin: "Prometheus" },
    alertmanager: { origin: "Alertmanager" },
    kyvernoAdmission: { origin: "kyverno", labels: { "app.kubernetes.io/component": "admission-controller" } },
} satisfies Record<string, Role>;

/** Ports by protocol: Istio's (istio.io/latest/docs/ops/deployment/application-requirements), OTLP's, and the charts' own. */
const PORTS = {
    dns: 53,
    apiServer: 443,
    istiodXds: 15012,
    istiodWebhook: 15017,
    otlpGrpc: 4317,
    lokiGatewayHttp: 8080,
    alertmanager: 9093,
    prometheus: 9090,
    grafana: 3000,
    tempoQuery: 3200,
    alloyLokiReceiver: 3500,
    kyvernoWebhook: 9443,
    application: 8080,
} as const;

/**
 * Webhook Services a controller registers at runtime, which no rendered webhook configuration names: Kyverno's
 * admission controller (`kyverno-svc`) and cleanup controller (kyverno chart 3.9.0 templates/admission-controller/service.yaml,
 * templates/cleanup-controller/service.yaml), port 443.
 */
const RUNTIME_WEBHOOK_SERVICES = [{ chart: "kyverno", name: "kyverno-svc" }, { chart: "kyverno", name: "kyverno-cleanup-controller" }];

/** The representative application namespaces (scripts/render/application.ts) and their workload's labels. */
export interface Applications {
    namespaces: [string, string];
    labels: Record<string, string>;
}

const INTERNET = "203.0.113.10"; // TEST-NET-3 (RFC 5737): any address outside the VNet

function podsOf(cluster: Cluster, role: Role): Pod[] {
    const pods = cluster.pods.filter((p) => p.origin === role.origin && matches({ matchLabels: role.labels ?? {} }, p.podLabels));
    if (pods.length === 0) {
        throw new Error(`no rendered pod is ${role.origin}${role.labels ? ` ${JSON.stringify(role.labels)}` : ""}: the flows name a component the render does not have`);
    }
    return pods;
}

const external = (name: string, ip: string): Peer => ({ name, ip });

/**
 * Roles whose service account is bound to a role they never use themselves: the gateway chart's Role lets istiod
 * serve the gateway its certificates (istiod checks the gateway's right to read the Secret named by
 * `credentialName` with a SubjectAccessReview; gateway values.yaml `rbac`: "roles will be created to enable accessing
 * certificates from Gateways"); the gateway calls only istiod.
 */
const BOUND_WITHOUT_API_CALLS: Role[] = [ROLES.ingressGateway];

/** Service accounts some RoleBinding or ClusterRoleBinding grants permissions: their pods call the API server. */
function boundServiceAccounts(objects: Manifest[]): Set<string> {
    const bound = new Set<string>();
    for (const o of objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")) {
        for (const s of (o["subjects"] as { kind: string; name: string; namespace?: string }[] | undefined) ?? []) {
            if (s.kind === "ServiceAccount") {
                bound.add(`${s.namespace ?? o.metadata["namespace"]}/${s.name}`);
            }
        }
    }
    return bound;
}

/** Every Service the API server calls as a webhook: admission webhooks, CRD conversion webhooks, aggregated APIs. */
function webhookServices(objects: Sourced[]): { namespace: string; name: string; port: number; why: string }[] {
    const services: { namespace: string; name: string; port: number; why: string }[] = [];
    for (const { object: o } of objects) {
        const refs: { namespace: string; name: string; port?: number }[] =
            o.kind === "ValidatingWebhookConfiguration" || o.kind === "MutatingWebhookConfiguration"
                ? ((o["webhooks"] as { clientConfig: { service?: { namespace: string; name: string; port?: number } } }[]) ?? []).flatMap((w) => (w.clientConfig.service ? [w.clientConfig.service] : []))
                : o.kind === "CustomResourceDefinition"
                    ? [((o["spec"] as any).conversion?.webhook?.clientConfig?.service)].filter(Boolean)
                    : o.kind === "APIService" ? [((o["spec"] as any).service)].filter(Boolean) : [];
        for (const ref of refs) {
            services.push({ namespace: ref.namespace, name: ref.name, port: ref.port ?? 443, why: `${o.kind}/${o.metadata["name"]}` });
        }
    }
    const kyvernoNamespace = objects.find((o) => o.chart === "kyverno" && o.object.kind === "Deployment")?.object.metadata["namespace"] as string;
    for (const s of RUNTIME_WEBHOOK_SERVICES) {
        services.push({ namespace: kyvernoNamespace, name: s.name, port: 443, why: `the webhooks ${s.chart} registers at runtime` });
    }
    const unique = new Map(services.map((s) => [`${s.namespace}/${s.name}:${s.port}`, s]));
    return [...unique.values()];
}

type Monitor = { kind: string; metadata: Record<string, any>; spec: any };

/** Prometheus's scrape targets: each ServiceMonitor's Services' backends and each PodMonitor's pods, at the named ports. */
function scrapeTargets(cluster: Cluster, objects: Manifest[]): { targets: { pod: Pod; port: number; why: string }[]; hostTargets: { port: number; why: string }[]; empty: string[] } {
    const targets: { pod: Pod; port: number; why: string }[] = [];
    const hostTargets: { port: number; why: string }[] = [];
    const empty: string[] = [];
    const inNamespaces = (m: Monitor, namespace: string) => {
        const sel = m.spec.namespaceSelector;
        return sel?.any === true || (sel?.matchNames ? sel.matchNames.includes(namespace) : namespace === m.metadata["namespace"]);
    };
    for (const m of objects.filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/")) as unknown as Monitor[]) {
        const why = `${m.kind} ${m.metadata["namespace"]}/${m.metadata["name"]}`;
        const before = targets.length + hostTargets.length;
        if (m.kind === "ServiceMonitor") {
            for (const service of cluster.services.filter((s) => inNamespaces(m, String(s.metadata["namespace"])) && matches(m.spec.selector, (s.metadata["labels"] as Record<string, string>) ?? {}))) {
                for (const endpoint of m.spec.endpoints as { port?: string; targetPort?: number | string }[]) {
                    const backends = serviceBackends(cluster, String(service.metadata["namespace"]), String(service.metadata["name"]), endpoint.port ?? endpoint.targetPort!);
                    targets.push(...backends.filter((b) => !b.pod.hostNetwork).map((b) => ({ ...b, why: `${why} (${endpoint.port})` })));
                    hostTargets.push(...backends.filter((b) => b.pod.hostNetwork).map((b) => ({ port: b.port, why: `${why} (${endpoint.port}, ${b.pod.name}: host network)` })));
                }
            }
        } else if (m.kind === "PodMonitor") {
            for (const pod of cluster.pods.filter((p) => inNamespaces(m, p.namespace) && matches(m.spec.selector, p.podLabels))) {
                for (const endpoint of m.spec.podMetricsEndpoints as { port?: string; portNumber?: number }[]) {
                    const port = endpoint.portNumber ?? pod.ports.find((p) => p.name === endpoint.port)?.port;
                    if (port !== undefined) {
                        (pod.hostNetwork ? hostTargets : targets).push({ pod, port, why: `${why} (${endpoint.port ?? port})` } as never);
                    }
                }
            }
        } else {
            continue;
        }
        if (targets.length + hostTargets.length === before) {
            empty.push(why);
        }
    }
    return { targets, hostTargets, empty };
}

/**
 * ServiceMonitors that select what AKS runs outside the render (the kubelet on each node, the API server), which
 * therefore select no rendered Service: their flows are Prometheus's egress to the node or the API server.
 */
const AKS_SCRAPE_TARGETS: Record<string, (c: Cluster) => { ip: string; port: number; what: string }> = {
    "kube-prometheus-stack-kubelet": (c) => ({ ip: c.node, port: 10250, what: "the kubelet on each node" }),
    "kube-prometheus-stack-apiserver": (c) => ({ ip: c.apiServer, port: PORTS.apiServer, what: "the API server" }),
};

export interface PlatformFlows {
    flows: Flow[];
    /** What NetworkPolicy cannot judge, each with why. */
    notEvaluable: string[];
}

export function platformFlows(cluster: Cluster, objects: Sourced[], apps: Applications): PlatformFlows {
    const flows: Flow[] = [];
    const notEvaluable: string[] = [];
    const manifests = objects.map((o) => o.object);
    const required = (why: string, source: Peer, destination: Peer, port: number, protocol: "TCP" | "UDP" = "TCP") =>
        flows.push({ why, source, destination, port, protocol, expect: "allowed" });
    const forbidden = (why: string, source: Peer, destination: Peer, port: number) =>
        flows.push({ why, source, destination, port, protocol: "TCP", expect: "denied" });
    const apiServer = external("the API server", cluster.apiServer);
    const podNetwork = cluster.pods.filter((p) => !p.hostNetwork);
    for (const p of cluster.pods.filter((p) => p.hostNetwork)) {
        notEvaluable.push(`${p.name}: host network; NetworkPolicy does not apply to its traffic (it is the node's)`);
    }

    const [dns] = podsOf(cluster, { origin: "AKS" });
    const bound = boundServiceAccounts(manifests);
    for (const pod of podNetwork.filter((p) => p.origin !== "AKS")) {
        required("resolves names", pod, dns!, PORTS.dns, "UDP");
        required("resolves names over TCP", pod, dns!, PORTS.dns);
        const usesItsRole = !BOUND_WITHOUT_API_CALLS.some((r) => r.origin === pod.origin && matches({ matchLabels: r.labels ?? {} }, pod.podLabels));
        if (bound.has(`${pod.namespace}/${pod.serviceAccount}`) && usesItsRole) {
            required(`calls the API server (service account ${pod.serviceAccount} is bound to a role)`, pod, apiServer, PORTS.apiServer);
        }
    }

    for (const webhook of webhookServices(objects)) {
        const backends = serviceBackends(cluster, webhook.namespace, webhook.name, webhook.port);
        if (backends.length === 0) {
            throw new Error(`${webhook.why} calls Service ${webhook.namespace}/${webhook.name}:${webhook.port}, which selects no rendered pod port`);
        }
        for (const b of backends) {
            required(`the API server calls the webhook ${webhook.namespace}/${webhook.name} (${webhook.why})`, apiServer, b.pod, b.port);
        }
    }

    const [istiod, collector, loki, alertmanager, tempo, prometheus, grafana, alloy] = [
        ROLES.istiod, ROLES.collector, ROLES.lokiGateway, ROLES.alertmanager, ROLES.tempo, ROLES.prometheus, ROLES.grafana, ROLES.alloy,
    ].map((r) => podsOf(cluster, r)[0]!);
    for (const pod of podNetwork.filter((p) => p.meshed)) {
        required("its proxy fetches configuration and certificates from istiod", pod, istiod!, PORTS.istiodXds);
        required("its proxy sends spans to the OTLP collector", pod, collector!, PORTS.otlpGrpc);
    }
    for (const sender of [...podsOf(cluster, ROLES.alloy), ...podsOf(cluster, ROLES.falcosidekick), ...podsOf(cluster, ROLES.grafana)]) {
        required("pushes or queries logs through Loki's gateway", sender, loki!, PORTS.lokiGatewayHttp);
    }
    for (const sender of [...podsOf(cluster, ROLES.prometheus), ...podsOf(cluster, ROLES.falcosidekick)]) {
        required("sends alerts to Alertmanager", sender, alertmanager!, PORTS.alertmanager);
    }
    required("exports spans to Tempo", collector!, tempo!, PORTS.otlpGrpc);
    required("queries Prometheus", grafana!, prometheus!, PORTS.prometheus);
    required("queries Tempo", grafana!, tempo!, PORTS.tempoQuery);
    required("delivers alerts to Loki through Alloy's receiver", alertmanager!, alloy!, PORTS.alloyLokiReceiver);

    const scrape = scrapeTargets(cluster, manifests);
    for (const p of podsOf(cluster, ROLES.prometheus)) {
        for (const t of scrape.targets) {
            required(`scrapes ${t.pod.name} (${t.why})`, p, t.pod, t.port);
        }
        for (const t of scrape.hostTargets) {
            required(`scrapes a node's ${t.port} (${t.why})`, p, external("a node", cluster.node), t.port);
        }
        for (const monitor of scrape.empty) {
            const name = monitor.split("/").pop()!;
            const aks = AKS_SCRAPE_TARGETS[name];
            if (!aks) {
                throw new Error(`${monitor} selects no rendered target: Prometheus would scrape nothing there`);
            }
            const target = aks(cluster);
            required(`scrapes ${target.what} (${monitor})`, p, external(target.what, target.ip), target.port);
        }
    }

    const [teamA, teamB] = apps.namespaces.map((ns) => podsOf(cluster, { origin: "program" }).find((p) => p.namespace === ns && matches({ matchLabels: apps.labels }, p.podLabels)));
    if (!teamA || !teamB) {
        throw new Error(`the representative applications in ${apps.namespaces.join(", ")} are not among the pods`);
    }
    for (const gateway of podsOf(cluster, ROLES.ingressGateway)) {
        required("routes requests to an application", gateway, teamA, PORTS.application);
        forbidden("the ingress gateway reads Grafana", gateway, grafana!, PORTS.grafana);
        forbidden("the ingress gateway reads Prometheus", gateway, prometheus!, PORTS.prometheus);
    }
    forbidden("an application calls another team's application", teamA, teamB, PORTS.application);
    forbidden("an application reads the logs", teamA, loki!, PORTS.lokiGatewayHttp);
    forbidden("an application reads the metrics", teamA, prometheus!, PORTS.prometheus);
    forbidden("an application silences alerts", teamA, alertmanager!, PORTS.alertmanager);
    forbidden("an application opens Grafana", teamA, grafana!, PORTS.grafana);
    forbidden("an application calls Kyverno's webhook", teamA, podsOf(cluster, ROLES.kyvernoAdmission)[0]!, PORTS.kyvernoWebhook);
    forbidden("an application calls istiod's webhook port", teamA, istiod!, PORTS.istiodWebhook);
    forbidden("an application calls the API server", teamA, apiServer, PORTS.apiServer);
    forbidden("an application reaches the Internet directly", teamA, external("the Internet", INTERNET), 443);
    forbidden("the Internet reaches an application past the gateway", external("the Internet", INTERNET), teamA, PORTS.application);
    forbidden("a node-network address reaches an application past the gateway", external("a node", cluster.node), teamA, PORTS.application);
    notEvaluable.push("the API server's own egress to webhooks: on AKS it runs outside the nodes, so only the webhook pods' ingress is judged");
    return { flows, notEvaluable };
}
