import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CHARTS } from "../../versions";
import { typedResource, type Models } from "../shared/customResources";
import { EXCLUDE_FROM_BACKUP } from "../shared/backup";
import { pinnedRelease } from "../shared/helm";
import { platformNamespace, type ClusterContext } from "../shared/namespace";
import { chartRegistry } from "../shared/images";
import { declareRenewalDrill, renewalCanaries } from "./canary";
import { CERT_MANAGER_SERVICE_ACCOUNT } from "./dnsIdentity";

export { CERT_MANAGER_SERVICE_ACCOUNT, DnsIdentity } from "./dnsIdentity";

export interface CertManagerArgs {
    cluster: ClusterContext;
    models: Models;
    /** HA: replicas and PodDisruptionBudgets for every cert-manager deployment (prod). */
    highAvailability: boolean;
    /** The platform CA's intermediate with the root after it (PEM), and its key (secret): `platform-ca` signs with it. */
    issuer: { chainPem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> };
    /** Public certificates from Let's Encrypt, DNS-01 on an Azure DNS zone through workload identity. */
    acme?: AcmeArgs;
    /** What installs the Prometheus Operator's CRDs: the chart's ServiceMonitor waits for it. */
    monitoring: pulumi.Resource;
    /** Admission (Kyverno and its policies): this component's namespaces wait for it, so every pod is admitted under the policies. */
    admission: pulumi.Resource;
    /**
     * A renewal drill: short-lived canary certificates through the platform CA issuer (for `platformCaDnsName`) and
     * the ACME issuer when there is one (for `acmeDnsName`, in its zone), with an alert when renewal stops.
     */
    renewalDrill?: { platformCaDnsName: string; acmeDnsName?: string };
}

export interface AcmeArgs {
    /** Staging in dev (no rate limits, untrusted), production in prod. */
    environment: "staging" | "production";
    email: string;
    zone: { name: string; resourceGroupName: string; subscriptionId: string };
    identityClientId: pulumi.Input<string>;
    /**
     * `host:port` of the resolvers the DNS-01 self-check asks: the cluster DNS Service. Without them cert-manager asks
     * the zone's authoritative servers directly on port 53, which the namespace's NetworkPolicy and the firewall block.
     */
    recursiveNameservers: string[];
}

export const ACME_ISSUER = "letsencrypt";
const ACME_SERVERS = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
};

export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** The ClusterIssuer that signs with the platform's private intermediate. */
export const PLATFORM_CA_ISSUER = "platform-ca";
/** The Secret holding the platform intermediate's key, which the issuer signs with. */
export const PLATFORM_CA_SECRET = "platform-ca";

/** cert-manager's own key floor for the certificates the platform issues. */
const CERTIFICATE_POLICY = {
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
    /** Lifetime, renewal and key of the certificates components request from the platform issuer. */
    public readonly certificatePolicy = CERTIFICATE_POLICY;

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
        }, args.cluster, { parent: this, dependsOn: [args.admission] });

        const replicas = args.highAvailability ? 2 : 1;
        const pdb = { enabled: args.highAvailability, minAvailable: 1 };
        this.release = pinnedRelease(`${name}-release`, CHARTS.certManager, {
            releaseName: "cert-manager",
            namespace: ns.metadata.name,
            values: {
                // cert-manager's images are `<imageRegistry>/jetstack/...` (values: imageRegistry, imageNamespace).
                ...chartRegistry(args.cluster, (registry) => ({ imageRegistry: registry })),
                crds: { enabled: true, keep: true },
                replicaCount: replicas,
                podDisruptionBudget: pdb,
                // The chart leaves every `resources` empty; admission requires requests and a memory limit.
                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                webhook: { replicaCount: replicas, podDisruptionBudget: pdb, resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } } },
                cainjector: { replicaCount: replicas, podDisruptionBudget: pdb, resources: { requests: { cpu: "20m", memory: "128Mi" }, limits: { memory: "512Mi" } } },
                startupapicheck: { resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
                prometheus: { enabled: true, servicemonitor: { enabled: true } },
                // cert-manager.io/docs/configuration/acme/dns01 "Setting Nameservers for DNS01 Self Check": recursive
                // servers only (chart values dns01RecursiveNameservers*, the controller's --dns01-recursive-nameservers*).
                ...(args.acme ? { dns01RecursiveNameservers: args.acme.recursiveNameservers.join(","), dns01RecursiveNameserversOnly: true } : {}),
                // Workload identity for Azure DNS: the pod label asks for the token, the annotation names the identity.
                podLabels: { "azure.workload.identity/use": "true" },
                serviceAccount: {
                    name: CERT_MANAGER_SERVICE_ACCOUNT.name,
                    ...(args.acme ? { annotations: { "azure.workload.identity/client-id": args.acme.identityClientId } } : {}),
                },
            },
        }, { parent: this, dependsOn: [args.monitoring] });

        // The CA key pair cert-manager signs with; `tls.crt` carries the chain up to the root.
        const caSecret = new k8s.core.v1.Secret(`${name}-platform-ca`, {
            // The intermediate's key stays out of backups: the program recreates the Secret (docs/operations.md, Backups and restore).
            metadata: { name: PLATFORM_CA_SECRET, namespace: CERT_MANAGER_NAMESPACE, labels: EXCLUDE_FROM_BACKUP },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": args.issuer.chainPem, "tls.key": args.issuer.privateKeyPem },
        }, { parent: this, dependsOn: [ns] });

        typedResource(`${name}-platform-ca-issuer`, new args.models.ClusterIssuer({
            metadata: { name: PLATFORM_CA_ISSUER },
            spec: { ca: { secretName: PLATFORM_CA_SECRET } },
        }), { parent: this, dependsOn: [this.release, caSecret] });

        if (args.acme) {
            const { zone } = args.acme;
            // The service account's client-id annotation tells the solver which identity to use.
            typedResource(`${name}-acme-issuer`, new args.models.ClusterIssuer({
                metadata: { name: ACME_ISSUER },
                spec: {
                    acme: {
                        server: ACME_SERVERS[args.acme.environment],
                        email: args.acme.email,
                        privateKeySecretRef: { name: "letsencrypt-account" },
                        solvers: [{ dns01: { azureDNS: { hostedZoneName: zone.name, resourceGroupName: zone.resourceGroupName, subscriptionID: zone.subscriptionId, environment: "AzurePublicCloud" } } }],
                    },
                },
            }), { parent: this, dependsOn: [this.release] });
        }

        if (args.renewalDrill) {
            const canaries = renewalCanaries(
                { platformCa: PLATFORM_CA_ISSUER, acme: args.acme ? ACME_ISSUER : undefined },
                { platformCa: args.renewalDrill.platformCaDnsName, acme: args.renewalDrill.acmeDnsName },
            );
            declareRenewalDrill(`${name}-renewal-drill`, {
                models: args.models,
                namespace: CERT_MANAGER_NAMESPACE,
                rulesNamespace: args.cluster.monitoringNamespace,
                monitoring: args.monitoring,
                canaries,
                privateKey: CERTIFICATE_POLICY.privateKey,
            }, { parent: this, dependsOn: [this.release, caSecret] });
        }

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
