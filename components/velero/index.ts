import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { BackupPolicyConfig } from "../../config";
import { CHARTS, IMAGES } from "../../versions";
import { pinnedRelease } from "../shared/helm";
import { platformNamespace, type ClusterContext } from "../shared/namespace";
import { chartRegistry, platformImage } from "../shared/images";
import { VELERO_NAMESPACE, VELERO_SERVICE_ACCOUNT, type BackupTarget } from "./target";

export { BackupStorage } from "./storage";
export * from "./target";

export interface VeleroArgs {
    cluster: ClusterContext;
    /** Where backups go: Azure Blob through workload identity, or an S3-compatible store. */
    target: BackupTarget;
    /** Schedules and exclusions from config. */
    policy: BackupPolicyConfig;
    /** What installs the Prometheus Operator's CRDs: the chart's ServiceMonitor waits for it. */
    monitoring: pulumi.Resource;
    /** Admission (Kyverno and its policies): this component's namespaces wait for it, so every pod is admitted under the policies. */
    admission: pulumi.Resource;
}

/** Secret holding an S3 target's key, in the AWS credentials-file format Velero's AWS plugin reads. */
export const S3_CREDENTIALS_SECRET = "velero-s3-credentials";

/** Non-root, no privilege escalation, read-only root: what the namespace's `restricted` Pod Security demands. */
const restrictedContainer = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};

/** Velero with its schedules; the chart's hook installs and upgrades Velero's CRDs (hence helm.v3.Release). */
export class Velero extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: VeleroArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:velero:Velero", name, {}, opts);
        // Volumes are backed up by snapshots, so no privileged node agent is needed.
        const ns = platformNamespace(`${name}-ns`, {
            name: VELERO_NAMESPACE,
            podSecurity: "restricted",
            talksToApiServer: true,
            // Backups go to Azure Blob (private endpoint) or the S3 store; tokens come from Entra ID.
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
        }, args.cluster, { parent: this, dependsOn: [args.admission] });

        const target = args.target;
        let credentials: k8s.core.v1.Secret | undefined;
        if (target.kind === "s3") {
            credentials = new k8s.core.v1.Secret(`${name}-s3-credentials`, {
                metadata: { name: S3_CREDENTIALS_SECRET, namespace: ns.metadata.name },
                stringData: { cloud: pulumi.interpolate`[default]\naws_access_key_id=${target.accessKeyId}\naws_secret_access_key=${target.secretAccessKey}\n` },
            }, { parent: this });
        }

        pinnedRelease(`${name}-release`, CHARTS.velero, {
            releaseName: "velero",
            namespace: ns.metadata.name,
            values: veleroValues(args),
        }, { parent: this, dependsOn: [args.monitoring, ...(credentials ? [credentials] : [])] });

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

/** The chart values: plugin, identity, locations and schedules for the target. */
function veleroValues({ target, policy, cluster }: Pick<VeleroArgs, "target" | "policy" | "cluster">): Record<string, unknown> {
    const plugin = target.kind === "azureBlob" ? IMAGES.veleroPluginAzure : IMAGES.veleroPluginAws;
    const base = {
        // The chart names its images as full repositories (velero/values.yaml: image.repository, kubectl.image.repository).
        ...chartRegistry(cluster, (registry) => ({ image: { repository: `${registry}/velero/velero` } })),
        initContainers: [{
            name: "velero-plugin",
            image: platformImage(cluster, plugin),
            imagePullPolicy: "IfNotPresent",
            volumeMounts: [{ mountPath: "/target", name: "plugins" }],
            securityContext: restrictedContainer,
            // It copies the plugin binary into the shared volume, then exits.
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        }],
        podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: restrictedContainer,
        kubectl: {
            containerSecurityContext: restrictedContainer,
            ...chartRegistry(cluster, (registry) => ({ image: { repository: `${registry}/kubectl` } })),
        },
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        // The pre-install/pre-upgrade CRD job's container (the chart leaves it empty; admission requires it).
        upgradeJobResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
        schedules: Object.fromEntries(Object.entries(policy.schedules).map(([scheduleName, schedule]) => [scheduleName, {
            schedule: schedule.cron,
            useOwnerReferencesInBackup: false,
            template: {
                ttl: `${schedule.ttlHours}h0m0s`,
                ...(schedule.includedNamespaces ? { includedNamespaces: schedule.includedNamespaces } : {}),
                excludedNamespaces: policy.excludedNamespaces,
                snapshotVolumes: target.kind === "azureBlob",
            },
        }])),
    };
    if (target.kind === "s3") {
        return {
            ...base,
            credentials: { useSecret: true, existingSecret: S3_CREDENTIALS_SECRET },
            snapshotsEnabled: false,
            configuration: {
                backupStorageLocation: [{
                    name: "default",
                    provider: "aws",
                    bucket: target.bucket,
                    default: true,
                    config: { region: target.region, s3Url: target.url, s3ForcePathStyle: "true" },
                }],
            },
        };
    }
    // Leaves stay Outputs, so a preview shows every known value and only the computed ones as unknown.
    return {
        ...base,
        // Workload identity signs in (the service account maps to the backup identity). The volume snapshotter still
        // reads its subscription and disk resource group from a credentials file: without one its Init fails and
        // every backup with volumes ends PartiallyFailed (velero pkg/util/azure/util.go LoadCredentials; the chart
        // sets AZURE_CREDENTIALS_FILE only with useSecret). The file carries no secret material.
        credentials: {
            useSecret: true,
            secretContents: {
                cloud: pulumi.interpolate`AZURE_SUBSCRIPTION_ID=${target.subscriptionId}\nAZURE_RESOURCE_GROUP=${target.diskResourceGroupName}\nAZURE_CLOUD_NAME=AzurePublicCloud\n`,
            },
        },
        serviceAccount: { server: { name: VELERO_SERVICE_ACCOUNT, annotations: { "azure.workload.identity/client-id": target.identityClientId } } },
        podLabels: { "azure.workload.identity/use": "true" },
        configuration: {
            backupStorageLocation: [{
                name: "default",
                provider: "azure",
                bucket: target.containerName,
                default: true,
                config: {
                    resourceGroup: target.resourceGroupName,
                    storageAccount: target.storageAccountName,
                    subscriptionId: target.subscriptionId,
                    useAAD: "true",
                    storageAccountURI: pulumi.interpolate`https://${target.storageAccountName}.blob.core.windows.net/`,
                },
            }],
            volumeSnapshotLocation: [{
                name: "default",
                provider: "azure",
                // The plugin's README: "the resource group where snapshots should be stored, if different from the
                // cluster's" (AZURE_RESOURCE_GROUP, where it finds the disks and creates restored ones).
                config: { resourceGroup: target.snapshotResourceGroupName, subscriptionId: target.subscriptionId, incremental: "true" },
            }],
        },
    };
}
