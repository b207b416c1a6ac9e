import type * as pulumi from "@pulumi/pulumi";

/** Velero runs here; the backup identity's federated credential names this service account. */
export const VELERO_NAMESPACE = "velero";
export const VELERO_SERVICE_ACCOUNT = "velero";

/** Azure Blob through workload identity: no credential exists anywhere. */
export interface AzureBlobBackupTarget {
    kind: "azureBlob";
    storageAccountName: pulumi.Output<string>;
    containerName: pulumi.Output<string>;
    resourceGroupName: pulumi.Output<string>;
    subscriptionId: pulumi.Output<string>;
    identityClientId: pulumi.Output<string>;
    /** Where the volumes' disks are, and restored disks go (AKS's node resource group). */
    diskResourceGroupName: pulumi.Output<string>;
    /** Where the Azure volume snapshotter keeps the snapshots (a group of their own, outliving the cluster). */
    snapshotResourceGroupName: pulumi.Output<string>;
}

/** Any S3-compatible store (the local stack: MinIO, SeaweedFS, ...), with a static key kept secret. */
export interface S3BackupTarget {
    kind: "s3";
    url: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: pulumi.Output<string>;
}

/** Where backups go; the Velero component does not care which target produced it. */
export type BackupTarget = AzureBlobBackupTarget | S3BackupTarget;
