import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../../versions";
import { pinnedRelease } from "../shared/helm";
import { namespaceSelector, platformNamespace, type ClusterContext } from "../shared/namespace";
import { chartRegistry } from "../shared/images";

/** Falco's namespace (privileged: its eBPF probe loads into the host kernel). */
export const FALCO_NAMESPACE = "falco";

export interface FalcoArgs {
    cluster: ClusterContext;
    /** SIEM webhook (with its token), a secret Output from config; Falcosidekick forwards alerts to it. */
    siemWebhookUrl?: pulumi.Output<string>;
    /** What installs the Prometheus Operator (ServiceMonitors) and runs Alertmanager. */
    monitoring: pulumi.Resource;
    /** Where Falcosidekick sends events: Alertmanager (port 9093) and Loki's gateway (port 8080 in its pods), in the monitoring namespace. */
    receivers: { alertmanagerUrl: string; lokiUrl: string };
    /** Admission (Kyverno and its policies): this component's namespaces wait for it, so every pod is admitted under the policies. */
    admission: pulumi.Resource;
}

/** Secret Falcosidekick reads the SIEM webhook from (chart value `config.existingSecret`). */
export const SIEM_WEBHOOK_SECRET = "falcosidekick-siem-webhook";

/** The platform's own rules, kept as a versioned file next to this module. */
export const PLATFORM_RULES_FILE = path.join(__dirname, "rules", "platform-rules.yaml");

/**
 * Runtime threat detection: Falco with the modern eBPF driver (no kernel headers needed on Azure Linux) on every
 * node, the platform's rules, and Falcosidekick forwarding to Alertmanager, Loki and the SIEM. A helm.v3.Release.
 */
export class Falco extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: FalcoArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:falco:Falco", name, {}, opts);
        const monitoring = args.cluster.monitoringNamespace;
        // The eBPF probe loads into the host kernel.
        const ns = platformNamespace(`${name}-ns`, {
            name: FALCO_NAMESPACE,
            podSecurity: "privileged",
            talksToApiServer: true,
            egress: [
                // Alertmanager, and Loki's gateway (its Service's port 80 is 8080 in the pod).
                { to: [namespaceSelector(monitoring)], ports: [{ protocol: "TCP", port: 9093 }, { protocol: "TCP", port: 8080 }] },
                // The SIEM is outside the cluster.
                ...(args.siemWebhookUrl ? [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] : []),
            ],
        }, args.cluster, { parent: this, dependsOn: [args.admission] });
        const siem = args.siemWebhookUrl && new k8s.core.v1.Secret(`${name}-siem-webhook`, {
            metadata: { name: SIEM_WEBHOOK_SECRET, namespace: ns.metadata.name },
            // Falcosidekick's environment variable for its generic webhook output.
            stringData: { WEBHOOK_ADDRESS: args.siemWebhookUrl },
        }, { parent: this });

        pinnedRelease(`${name}-release`, CHARTS.falco, {
            releaseName: "falco",
            namespace: ns.metadata.name,
            values: {
                driver: { kind: "modern_ebpf" },
                ...chartRegistry(args.cluster, (registry) => ({ image: { registry } })),
                // Nothing at pod start reaches the internet: the rules and the container plugin are the ones the pinned
                // image carries (Falco bundles the plugin since 0.41, falcosecurity/charts#937), not falcoctl downloads.
                falcoctl: { artifact: { install: { enabled: false }, follow: { enabled: false } } },
                // With falcoctl off the image's /etc/falco/config.d stays visible and declares the container plugin a
                // second time beside the chart's falco.yaml, and Falco exits (falcosecurity/charts#1057; the chart mounts
                // an emptyDir there from 9.2.0 on, falcosecurity/falco#3984). The same emptyDir, by hand.
                mounts: {
                    volumes: [{ name: "image-config-d", emptyDir: {} }],
                    volumeMounts: [{ name: "image-config-d", mountPath: "/etc/falco/config.d" }],
                },
                // Every node, the tainted system pool included: an attacker picks the node nobody watches.
                tolerations: [{ operator: "Exists" }],
                resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
                metrics: { enabled: true },
                serviceMonitor: { create: true },
                customRules: { "platform-rules.yaml": fs.readFileSync(PLATFORM_RULES_FILE, "utf8") },
                // The chart loads every rule down to debug; notice and above is what the receivers act on.
                falco: { json_output: true, priority: "notice" },
                falcosidekick: {
                    enabled: true,
                    ...chartRegistry(args.cluster, (registry) => ({ image: { registry } })),
                    serviceMonitor: { enabled: true },
                    config: {
                        ...(siem ? { existingSecret: SIEM_WEBHOOK_SECRET, webhook: { minimumpriority: "notice" } } : {}),
                        // Current Alertmanager answers 410 on the v1 path the chart defaults to.
                        alertmanager: { hostport: args.receivers.alertmanagerUrl, endpoint: "/api/v2/alerts", minimumpriority: "warning" },
                        // Every event, searchable beside the pods' logs.
                        loki: { hostport: args.receivers.lokiUrl, format: "json", minimumpriority: "notice" },
                    },
                },
            },
        }, { parent: this, dependsOn: [args.monitoring, ...(siem ? [siem] : [])] });

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
