import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { CHARTS } from "../../versions";
import { pinnedRelease } from "../shared/helm";
import { platformNamespace, type ClusterContext } from "../shared/namespace";

export interface ObservabilityArgs {
    cluster: ClusterContext;
    /** How long Prometheus keeps samples. */
    retentionDays: number;
    /** Persistent volumes (Premium SSD) of this size for Prometheus and Alertmanager; undefined keeps data on the node. */
    persistentStorageGi?: number;
    /** Two replicas of Prometheus and Alertmanager (prod). */
    highAvailability: boolean;
}

/** Where Prometheus, Grafana and the collectors run; other namespaces admit scraping from here. */
export const MONITORING_NAMESPACE = "monitoring";

/** Secret holding Grafana's admin login (a random password, never in plaintext). */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/**
 * Metrics: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana, node-exporter,
 * kube-state-metrics). A helm.v3.Release: the chart installs the monitoring.coreos.com CRDs, so every
 * ServiceMonitor and PodMonitor elsewhere depends on `release`. Grafana stays inside the cluster (ClusterIP).
 * Loki, Tempo and the OpenTelemetry Collector follow in the observability issue.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** Depend on this before declaring monitoring.coreos.com resources. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ObservabilityArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        // node-exporter reads host metrics (hostNetwork, hostPID, host paths).
        const ns = platformNamespace(`${name}-ns`, { name: args.cluster.monitoringNamespace, podSecurity: "privileged", talksToApiServer: true }, args.cluster, { parent: this });

        const password = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
        const admin = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace: args.cluster.monitoringNamespace },
            stringData: { "admin-user": "admin", "admin-password": password.result },
        }, { parent: this, dependsOn: [ns] });

        const replicas = args.highAvailability ? 2 : 1;
        const volume = (name: string) => args.persistentStorageGi === undefined ? undefined : {
            volumeClaimTemplate: {
                metadata: { name },
                spec: { storageClassName: "managed-csi-premium", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${args.persistentStorageGi}Gi` } } },
            },
        };
        this.release = pinnedRelease(`${name}-prometheus`, CHARTS.kubePrometheusStack, {
            releaseName: "kube-prometheus-stack",
            namespace: ns.metadata.name,
            values: {
                crds: { enabled: true },
                // AKS runs the control plane: these targets do not exist and would only raise false alerts.
                kubeControllerManager: { enabled: false },
                kubeScheduler: { enabled: false },
                kubeEtcd: { enabled: false },
                kubeProxy: { enabled: false },
                prometheus: {
                    prometheusSpec: {
                        replicas,
                        retention: `${args.retentionDays}d`,
                        // Pick up every ServiceMonitor, PodMonitor and rule, not only this release's.
                        serviceMonitorSelectorNilUsesHelmValues: false,
                        podMonitorSelectorNilUsesHelmValues: false,
                        ruleSelectorNilUsesHelmValues: false,
                        ...(volume("prometheus") ? { storageSpec: volume("prometheus") } : {}),
                    },
                },
                alertmanager: { alertmanagerSpec: { replicas, ...(volume("alertmanager") ? { storage: volume("alertmanager") } : {}) } },
                grafana: {
                    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
                    service: { type: "ClusterIP" },
                    ingress: { enabled: false },
                },
            },
        }, { parent: this, dependsOn: [admin] });

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
