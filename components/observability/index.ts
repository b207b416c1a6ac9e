import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { CHARTS, IMAGES } from "../../versions";
import { typedResource, type Models } from "../shared/customResources";
import { pinnedRelease } from "../shared/helm";
import { namespaceSelector, platformNamespace, type ClusterContext, type TelemetryEndpoint } from "../shared/namespace";
import { chartRegistry, platformImage } from "../shared/images";
import { ALERT_RECEIVERS_SECRET, alertmanagerConfig, hasCriticalReceiver, RECEIVER_SECRET_KEYS, type CriticalReceiver } from "./alertmanager";
import { heldCertificateGroup, platformAlertGroups, prometheusRuleSpec, type AlertGroup, type AlertScope } from "./alerts";
import type { TelemetryBackend } from "./backends";
import { ALLOY_RELEASE, alertLogUrl, alloyValues, COLLECTOR_RELEASE, collectorValues } from "./collectors";
import { dashboardJson, platformDashboards } from "./dashboards";
import { GRAFANA_ADMIN_SECRET, grafanaDataSources } from "./grafana";
import { LOKI_RELEASE, lokiGatewayUrl, lokiValues } from "./loki";
import { TEMPO_RELEASE, tempoEndpoints, tempoValues } from "./tempo";

export { MONITORING_NAMESPACE } from "./backends";
export { TelemetryStorage } from "./storage";
export type { CriticalReceiver } from "./alertmanager";

export interface ObservabilityArgs {
    cluster: ClusterContext;
    models: Models;
    /** How long Prometheus keeps samples. */
    retentionDays: number;
    /** Persistent volumes of these sizes (GiB) for Prometheus and Alertmanager; undefined keeps their data on the node. */
    metricVolumes?: { prometheusGi: number; alertmanagerGi: number };
    /** Two replicas of Prometheus and Alertmanager, distributed Loki, two collectors (prod). */
    highAvailability: boolean;
    /** Size (GiB) of each of Loki's state volumes: the write-ahead log, the compactor's working directory. */
    logStateGi: number;
    /** Where Loki and Tempo keep their data. */
    telemetry: TelemetryBackend;
    logRetentionDays: number;
    traceRetentionDays: number;
    /** Where critical alerts go besides Loki. */
    criticalAlerts: CriticalReceiver;
    alertScope: AlertScope;
    /** CA certificates nothing renews (the platform's and the mesh's): the expiry alerts watch their not-after. */
    heldCertificates: { certificate: string; notAfter: pulumi.Input<string> }[];
    /** Namespaces whose agents push events here (Falcosidekick): admitted to Alertmanager and Loki's gateway. */
    eventSourceNamespaces: string[];
    /** The Grafana admin password's generation: a new value makes a new password (and Grafana restarts with it). */
    grafanaAdminRotation?: string;
}

/**
 * Metrics, logs, traces and alerts. kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana,
 * node-exporter, kube-state-metrics) comes first: its CRDs let every component declare monitors and rules, so
 * each of those depends on `release`. Then Loki with Alloy shipping pod logs, Tempo with the OpenTelemetry
 * Collector in front, Grafana's datasources and dashboards, and the platform's alert rules.
 * The namespace stays outside the mesh (node agents, and Loki's memberlist gossip, which STRICT mTLS would break),
 * Grafana included: nothing routes to it (reach it with `kubectl port-forward`), the ingress gateway may call only
 * meshed namespaces, and the namespace's NetworkPolicies decide who may talk to it.
 */
/** kube-prometheus-stack's release: its Services are named after it. */
const PROMETHEUS_STACK_RELEASE = "kube-prometheus-stack";

export class Observability extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The OpenTelemetry collector's OTLP receiver, for the mesh's tracing provider and namespaces' egress. */
    public readonly telemetry: TelemetryEndpoint;
    /** Depend on this before declaring monitoring.coreos.com resources. */
    public readonly release: k8s.helm.v3.Release;
    /** Alertmanager's Service (the chart's `<release>-alertmanager`), for components that send it alerts. */
    public readonly alertmanagerUrl: string;
    /** Loki's gateway Service, for components that push logs or events to it. */
    public readonly lokiUrl: string;

    constructor(name: string, args: ObservabilityArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        const namespace = args.cluster.monitoringNamespace;
        this.telemetry = {
            host: `${COLLECTOR_RELEASE}.${namespace}.svc.cluster.local`,
            grpcPort: 4317,
            // The chart labels the collector's pods with its name (app.kubernetes.io/name).
            egress: { to: [{ ...namespaceSelector(namespace), podSelector: { matchLabels: { "app.kubernetes.io/name": COLLECTOR_RELEASE } } }], ports: OTLP_PORTS },
        };
        // node-exporter reads host metrics (hostNetwork, hostPID, host paths); Alloy reads the nodes' pod logs.
        const ns = platformNamespace(`${name}-ns`, {
            name: namespace,
            podSecurity: "privileged",
            talksToApiServer: true,
            // The API server calls the Prometheus Operator's admission webhook (10250 in the pod).
            ingress: [{ ports: [{ protocol: "TCP", port: 10250 }] }],
        }, args.cluster, { parent: this });
        const inNamespace = { parent: this, dependsOn: [ns] };
        monitoringNetworkPolicies(name, namespace, args, inNamespace);

        const password = new random.RandomPassword(`${name}-grafana-admin-password`, {
            length: 32,
            special: false,
            ...(args.grafanaAdminRotation ? { keepers: { rotation: args.grafanaAdminRotation } } : {}),
        }, { parent: this });
        // Grafana sets the admin password when it creates its database, which lives in the pod (no persistence): a
        // changed password takes effect when the pod restarts, which a changed digest in the pod template causes.
        // The digest of 190 random bits reveals nothing: kept out of secrecy so the chart's values stay reviewable in diffs.
        const passwordDigest = pulumi.unsecret(password.result.apply((value) => createHash("sha256").update(value).digest("hex")));
        const admin = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace },
            stringData: { "admin-user": "admin", "admin-password": password.result },
        }, inNamespace);
        const receivers = receiverSecret(name, namespace, args.criticalAlerts, inNamespace);

        const replicas = args.highAvailability ? 2 : 1;
        const storageClass = args.cluster.storageClass;
        const volume = (name: string, sizeGi: number) => ({
            volumeClaimTemplate: {
                metadata: { name },
                spec: { ...(storageClass ? { storageClassName: storageClass } : {}), accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${sizeGi}Gi` } } },
            },
        });
        const metricVolumes = args.metricVolumes;
        const tempo = tempoEndpoints(namespace);
        // kube-prometheus-stack ships its CRDs in crds/, which Helm installs once and never upgrades: a chart bump
        // would leave old CRDs under a newer operator. This chart templates them, so every upgrade applies them.
        const crds = pinnedRelease(`${name}-prometheus-crds`, CHARTS.prometheusOperatorCrds, {
            releaseName: "prometheus-operator-crds",
            namespace: ns.metadata.name,
            // Uninstalling the release must not delete every ServiceMonitor and PrometheusRule with the CRDs.
            values: { crds: { annotations: { "helm.sh/resource-policy": "keep" } } },
        }, { parent: this });
        this.alertmanagerUrl = `http://${PROMETHEUS_STACK_RELEASE}-alertmanager.${namespace}.svc.cluster.local:9093`;
        this.lokiUrl = lokiGatewayUrl(namespace);
        this.release = pinnedRelease(`${name}-prometheus`, CHARTS.kubePrometheusStack, {
            releaseName: PROMETHEUS_STACK_RELEASE,
            namespace: ns.metadata.name,
            values: {
                // The global key overrides every image's registry, the subcharts' (Grafana, kube-state-metrics, node exporter) too.
                ...chartRegistry(args.cluster, (registry) => ({ global: { imageRegistry: registry } })),
                crds: { enabled: false },
                // AKS runs the control plane: these targets do not exist and would only raise false alerts.
                kubeControllerManager: { enabled: false },
                kubeScheduler: { enabled: false },
                kubeEtcd: { enabled: false },
                kubeProxy: { enabled: false },
                prometheus: {
                    prometheusSpec: {
                        replicas,
                        retention: `${args.retentionDays}d`,
                        // A full volume stops the TSDB: drop the oldest blocks first, keeping a tenth free for compaction.
                        ...(metricVolumes ? { retentionSize: `${Math.floor(metricVolumes.prometheusGi * 0.9)}GiB` } : {}),
                        // Pick up every ServiceMonitor, PodMonitor and rule, not only this release's.
                        serviceMonitorSelectorNilUsesHelmValues: false,
                        podMonitorSelectorNilUsesHelmValues: false,
                        ruleSelectorNilUsesHelmValues: false,
                        ...(metricVolumes ? { storageSpec: volume("prometheus", metricVolumes.prometheusGi) } : {}),
                    },
                },
                alertmanager: {
                    config: alertmanagerConfig(alertLogUrl(namespace), args.criticalAlerts),
                    alertmanagerSpec: {
                        replicas,
                        ...(receivers ? { secrets: [ALERT_RECEIVERS_SECRET] } : {}),
                        ...(metricVolumes ? { storage: volume("alertmanager", metricVolumes.alertmanagerGi) } : {}),
                    },
                },
                grafana: {
                    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
                    service: { type: "ClusterIP" },
                    // Outside the mesh, Prometheus scrapes it through kube-prometheus-stack's ServiceMonitor (values: grafana.serviceMonitor.enabled).
                    ingress: { enabled: false },
                    // Grafana sets its admin password when it creates its database (in the pod): a new password restarts it.
                    podAnnotations: { "checksum/admin-password": passwordDigest },
                    additionalDataSources: grafanaDataSources({ loki: this.lokiUrl, tempo: tempo.queryUrl }),
                },
            },
        }, { parent: this, dependsOn: [crds, admin, ...(receivers ? [receivers] : [])] });

        // Every chart below ships a ServiceMonitor: the Prometheus Operator's CRDs come first.
        const afterOperator = { parent: this, dependsOn: [this.release] };
        // Loki's and Tempo's `global.imageRegistry` "overrides the Docker registry globally for all images" (values.yaml).
        const globalImageRegistry = chartRegistry(args.cluster, (registry) => ({ global: { imageRegistry: registry } }));
        const backend = args.telemetry;
        pinnedRelease(`${name}-loki`, CHARTS.loki, {
            releaseName: LOKI_RELEASE,
            namespace,
            // Distributed Loki starts a dozen StatefulSets and Deployments with volumes; five minutes is not enough.
            timeoutSeconds: 900,
            values: {
                ...lokiValues({ backend, distributed: args.highAvailability, retentionDays: args.logRetentionDays, stateVolume: { sizeGi: args.logStateGi, storageClass } }),
                ...globalImageRegistry,
            },
        }, afterOperator);
        pinnedRelease(`${name}-alloy`, CHARTS.alloy, {
            releaseName: ALLOY_RELEASE,
            namespace,
            values: { ...alloyValues(`${this.lokiUrl}/loki/api/v1/push`), ...chartRegistry(args.cluster, (registry) => ({ global: { image: { registry } } })) },
        }, afterOperator);
        pinnedRelease(`${name}-tempo`, CHARTS.tempo, {
            releaseName: TEMPO_RELEASE,
            namespace,
            values: { ...tempoValues({ backend, retentionDays: args.traceRetentionDays }), ...globalImageRegistry },
        }, afterOperator);
        pinnedRelease(`${name}-collector`, CHARTS.openTelemetryCollector, {
            releaseName: COLLECTOR_RELEASE,
            namespace,
            values: collectorValues({ tempoOtlpGrpc: tempo.otlpGrpc, replicas, imageRepository: platformImage(args.cluster, IMAGES.openTelemetryCollector.repository) }),
        }, afterOperator);

        for (const dashboard of platformDashboards(args.alertScope.ingressNamespace)) {
            new k8s.core.v1.ConfigMap(`${name}-dashboard-${dashboard.uid}`, {
                // Grafana's dashboard sidecar loads every ConfigMap with this label.
                metadata: { name: `dashboard-${dashboard.uid}`, namespace, labels: { grafana_dashboard: "1" } },
                data: { [`${dashboard.uid}.json`]: dashboardJson(dashboard) },
            }, inNamespace);
        }
        const ruleModel = (group: AlertGroup) => new args.models.PrometheusRule({ metadata: { name: `platform-${group.name}`, namespace }, spec: prometheusRuleSpec(group) });
        for (const group of platformAlertGroups(args.alertScope)) {
            typedResource(`${name}-alerts-${group.name}`, ruleModel(group), afterOperator);
        }
        // The dates are known once the CAs exist: the rule is built (and validated against its CRD) when they are.
        const held = pulumi.all(args.heldCertificates.map(({ certificate, notAfter }) => pulumi.output(notAfter).apply((date) => ({ certificate, notAfter: date }))));
        const { apiVersion, kind } = ruleModel(heldCertificateGroup([]));
        new k8s.apiextensions.CustomResource(`${name}-alerts-held-certificates`, {
            apiVersion,
            kind,
            metadata: { name: "platform-held-certificates", namespace },
            spec: held.apply((certificates) => {
                const model = ruleModel(heldCertificateGroup(certificates));
                model.validate();
                return (model.toJSON() as { spec: unknown }).spec;
            }),
        }, afterOperator);

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace, alertmanagerUrl: this.alertmanagerUrl, lokiUrl: this.lokiUrl });
    }
}

/** The critical receiver's credentials, as files Alertmanager reads; undefined when only Loki receives alerts. */
/** The collector's OTLP receivers: gRPC and HTTP. */
const OTLP_PORTS = [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }];

function receiverSecret(name: string, namespace: string, critical: CriticalReceiver, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret | undefined {
    if (!hasCriticalReceiver(critical)) {
        return undefined;
    }
    return new k8s.core.v1.Secret(`${name}-alert-receivers`, {
        metadata: { name: ALERT_RECEIVERS_SECRET, namespace },
        stringData: {
            ...(critical.webhookUrl ? { [RECEIVER_SECRET_KEYS.webhookUrl]: critical.webhookUrl } : {}),
            ...(critical.email ? { [RECEIVER_SECRET_KEYS.smtpPassword]: critical.email.password } : {}),
        },
    }, opts);
}

/**
 * What the monitoring namespace needs beyond the platform defaults: Prometheus scrapes everywhere, Loki and
 * Tempo reach Blob storage and Entra ID, Alertmanager reaches the critical receiver, every namespace sends OTLP
 * to the collector, and the event sources reach Alertmanager and Loki.
 */
function monitoringNetworkPolicies(name: string, namespace: string, args: ObservabilityArgs, opts: pulumi.CustomResourceOptions): void {
    const policy = (policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-${policyName}`, { metadata: { name: policyName, namespace }, spec }, opts);
    const anywhere = (...ports: number[]) => ({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: ports.map((port) => ({ protocol: "TCP", port })) });

    // Targets live in every namespace and on the nodes (kubelet, node-exporter).
    policy("prometheus-scrape", { podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } }, policyTypes: ["Egress"], egress: [{}] });
    // Blob storage answers on its private endpoint; the token exchange goes to Entra ID through the firewall.
    policy("workload-identity-egress", { podSelector: { matchLabels: { "azure.workload.identity/use": "true" } }, policyTypes: ["Egress"], egress: [anywhere(443)] });
    if (hasCriticalReceiver(args.criticalAlerts)) {
        const smtpPort = args.criticalAlerts.email ? [Number(args.criticalAlerts.email.smarthost.split(":")[1])] : [];
        policy("alertmanager-receivers", { podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } }, policyTypes: ["Egress"], egress: [anywhere(443, ...smtpPort)] });
    }
    policy("otlp-ingest", {
        podSelector: { matchLabels: { "app.kubernetes.io/name": COLLECTOR_RELEASE } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: {} }], ports: OTLP_PORTS }],
    });
    policy("event-sources-to-alertmanager", {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: args.eventSourceNamespaces.map(namespaceSelector), ports: [{ protocol: "TCP", port: 9093 }] }],
    });
    policy("event-sources-to-loki", {
        podSelector: { matchLabels: { "app.kubernetes.io/name": LOKI_RELEASE, "app.kubernetes.io/component": "gateway" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: args.eventSourceNamespaces.map(namespaceSelector), ports: [{ protocol: "TCP", port: 8080 }] }],
    });
}
