import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../../versions";
import { typedResource, type Models } from "../shared/customResources";
import { pinnedRelease } from "../shared/helm";
import { platformNamespace, type ClusterContext } from "../shared/namespace";

export interface CertManagerArgs {
    cluster: ClusterContext;
    models: Models;
    /** HA: replicas and PodDisruptionBudgets for every cert-manager deployment (prod). */
    highAvailability: boolean;
    /** The platform CA's intermediate with the root after it (PEM), and its key (secret): `platform-ca` signs with it. */
    issuer: { chainPem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> };
}

export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** The ClusterIssuer that signs with the platform's private intermediate. */
export const PLATFORM_CA_ISSUER = "platform-ca";

/** cert-manager's own key floor for the certificates the platform issues. */
export const INGRESS_CERTIFICATE_POLICY = {
    duration: "2160h", // 90 days
    renewBefore: "720h", // 30 days
    privateKey: { algorithm: "ECDSA" as const, size: 256, rotationPolicy: "Always" as const },
};

/**
 * cert-manager from its official chart, and the platform CA issuer. helm.v3.Release because the chart's
 * startupapicheck hook waits until the webhook answers: issuers declared before that fail on a fresh cluster
 * (cert-manager#2319). The chart manages the CRDs; the issuer depends on the release, so it never races them.
 */
export class CertManager extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** Depend on this before declaring cert-manager custom resources. */
    public readonly release: k8s.helm.v3.Release;
    public readonly platformIssuerName = PLATFORM_CA_ISSUER;

    constructor(name: string, args: CertManagerArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:certmanager:CertManager", name, {}, opts);
        const ns = platformNamespace(`${name}-ns`, {
            name: CERT_MANAGER_NAMESPACE,
            podSecurity: "restricted",
            talksToApiServer: true,
            // The API server calls the webhook (10250 in the pod).
            ingress: [{ ports: [{ protocol: "TCP", port: 10250 }] }],
            // ACME and DNS-01 solvers reach their endpoints over HTTPS.
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
        }, args.cluster, { parent: this });

        const replicas = args.highAvailability ? 2 : 1;
        const pdb = { enabled: args.highAvailability, minAvailable: 1 };
        this.release = pinnedRelease(`${name}-release`, CHARTS.certManager, {
            releaseName: "cert-manager",
            namespace: ns.metadata.name,
            values: {
                crds: { enabled: true, keep: true },
                replicaCount: replicas,
                podDisruptionBudget: pdb,
                webhook: { replicaCount: replicas, podDisruptionBudget: pdb },
                cainjector: { replicaCount: replicas, podDisruptionBudget: pdb },
                // The ServiceMonitor needs the Prometheus Operator's CRDs (observability); metrics are served regardless.
                prometheus: { enabled: true, servicemonitor: { enabled: false } },
                podLabels: { "azure.workload.identity/use": "true" },
            },
        }, { parent: this });

        // The CA key pair cert-manager signs with; `tls.crt` carries the chain up to the root.
        const caSecret = new k8s.core.v1.Secret(`${name}-platform-ca`, {
            metadata: { name: "platform-ca", namespace: CERT_MANAGER_NAMESPACE },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": args.issuer.chainPem, "tls.key": args.issuer.privateKeyPem },
        }, { parent: this, dependsOn: [ns] });

        typedResource(`${name}-platform-ca-issuer`, new args.models.ClusterIssuer({
            metadata: { name: PLATFORM_CA_ISSUER },
            spec: { ca: { secretName: "platform-ca" } },
        }), { parent: this, dependsOn: [this.release, caSecret] });

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
