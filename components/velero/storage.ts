import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import { deterministicGuid } from "../shared/guid";
import { assignRole } from "../shared/roleAssignment";
import { privateBlobAccount } from "../shared/storageAccount";
import { workloadIdentity } from "../shared/workloadIdentity";
import { VELERO_NAMESPACE, VELERO_SERVICE_ACCOUNT, type AzureBlobBackupTarget } from "./target";

export interface BackupStorageArgs {
    /** Short name used in Azure resource names, e.g. `platform-dev`. */
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** LRS in dev; geo-zone-redundant in prod so a regional outage does not take the backups with it. */
    sku: "Standard_LRS" | "Standard_GZRS";
    /** Every blob version is immutable this many days after it is written. */
    immutabilityDays: number;
    /** Lock the immutability policy (irreversible; Azure locks only an existing unlocked policy). */
    immutabilityLocked: boolean;
    privateEndpointSubnetId: pulumi.Input<string>;
    blobDnsZoneId: pulumi.Input<string>;
    /** The cluster's OIDC issuer: Velero's service account signs in as the backup identity through it. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** AKS's node resource group, where the disks and their snapshots live. */
    nodeResourceGroupName: pulumi.Input<string>;
    /**
     * Assign the disk and snapshot roles (phase 2, when Velero runs). Role definitions replicate eventually, and an
     * assignment made right after its definition fails with RoleDefinitionDoesNotExist (pulumi/pulumi-azure#840):
     * the definition comes in phase 1, its assignment a run later.
     */
    assignSnapshotRoles: boolean;
    tags: Record<string, string>;
}

/** Days a previous version outlives its immutability period before the lifecycle rule deletes it. */
const VERSION_GRACE_DAYS = 1;

/**
 * What the Azure plugin's volume snapshotter does, split by where: it reads the volumes' disks and creates restored
 * disks in AKS's node resource group, and keeps the snapshots in a group of their own (VSL `resourceGroup`).
 */
const ROLES = {
    disk: {
        description: "Read AKS's disks and restore them from snapshots, for Velero's Azure volume snapshotter",
        actions: ["Microsoft.Compute/disks/read", "Microsoft.Compute/disks/write", "Microsoft.Compute/disks/beginGetAccess/action", "Microsoft.Compute/disks/endGetAccess/action"],
    },
    snapshot: {
        description: "Create, read and delete Velero's disk snapshots",
        actions: ["Microsoft.Compute/snapshots/read", "Microsoft.Compute/snapshots/write", "Microsoft.Compute/snapshots/delete"],
    },
} as const;

/**
 * Where Velero writes: a dedicated storage account with version-level immutability (WORM), so a compromised
 * cluster cannot erase its own backups, reached only through a private endpoint, and the workload identity
 * Velero signs in with (no keys: shared-key access is off).
 */
export class BackupStorage extends pulumi.ComponentResource {
    public readonly target: AzureBlobBackupTarget;

    constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:velero:BackupStorage", name, {}, opts);
        const { namePrefix, location, resourceGroupName, subscriptionId, tags } = args;

        const account = privateBlobAccount(name, {
            namePrefix,
            purposeTag: "bk",
            location,
            resourceGroupName,
            sku: args.sku,
            accessTier: storage.AccessTier.Cool,
            // Version-level WORM (not a container legal hold, which makes Velero's metadata rewrites fail with 409):
            // a deleted or overwritten blob leaves an immutable version behind until the period ends.
            immutableStorageWithVersioning: {
                enabled: true,
                immutabilityPolicy: {
                    immutabilityPeriodSinceCreationInDays: args.immutabilityDays,
                    state: args.immutabilityLocked ? storage.AccountImmutabilityPolicyState.Locked : storage.AccountImmutabilityPolicyState.Unlocked,
                    allowProtectedAppendWrites: false,
                },
            },
            privateEndpointSubnetId: args.privateEndpointSubnetId,
            blobDnsZoneId: args.blobDnsZoneId,
            tags,
        }, { parent: this });

        new storage.BlobServiceProperties(`${name}-blob-service`, {
            accountName: account.name,
            resourceGroupName,
            blobServicesName: "default",
            isVersioningEnabled: true,
            deleteRetentionPolicy: { enabled: true, days: 30 },
            containerDeleteRetentionPolicy: { enabled: true, days: 30 },
        }, { parent: this, protect: true });

        // A version Velero has deleted stays billed until something removes it: once its immutability has run
        // out, the lifecycle rule does (previous versions only; the current blobs are Velero's to expire).
        new storage.ManagementPolicy(`${name}-lifecycle`, {
            accountName: account.name,
            resourceGroupName,
            managementPolicyName: "default",
            policy: {
                rules: [{
                    name: "delete-expired-versions",
                    enabled: true,
                    type: storage.RuleType.Lifecycle,
                    definition: {
                        filters: { blobTypes: ["blockBlob"] },
                        actions: { version: { delete: { daysAfterCreationGreaterThan: args.immutabilityDays + VERSION_GRACE_DAYS } } },
                    },
                }],
            },
        }, { parent: this });

        const container = new storage.BlobContainer(`${name}-container`, {
            containerName: "velero",
            accountName: account.name,
            resourceGroupName,
            publicAccess: storage.PublicAccess.None,
            immutableStorageWithVersioning: { enabled: true },
        }, { parent: this, protect: true });

        const identity = workloadIdentity(name, {
            identityName: `id-${namePrefix}-velero`,
            resourceGroupName,
            location,
            oidcIssuerUrl: args.oidcIssuerUrl,
            serviceAccount: { namespace: VELERO_NAMESPACE, name: VELERO_SERVICE_ACCOUNT },
            tags,
        }, { parent: this });

        assignRole(`${name}-blob-writer`, {
            principalId: identity.principalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            role: "Storage Blob Data Contributor",
            scope: account.id,
            subscriptionId,
            purpose: `${namePrefix}/velero/storage-blob-data-contributor`,
        }, { parent: this });

        // AKS deletes its node resource group with the cluster: snapshots kept there would not survive the loss a
        // restore is for. Protected: it holds the snapshots.
        const snapshotGroup = new resources.ResourceGroup(`${name}-snapshots`, {
            resourceGroupName: `rg-${namePrefix}-backup-snapshots`,
            location,
            tags,
        }, { parent: this, protect: true });
        const scopes = {
            disk: pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${args.nodeResourceGroupName}`,
            snapshot: snapshotGroup.id,
        };
        for (const [kind, role] of Object.entries(ROLES) as [keyof typeof ROLES, (typeof ROLES)[keyof typeof ROLES]][]) {
            const definition = new authorization.RoleDefinition(`${name}-${kind}-role`, {
                roleDefinitionId: pulumi.output(subscriptionId).apply((subscription) => deterministicGuid(`${subscription}/${namePrefix}/velero/${kind}-role`)),
                // Role names are unique in the tenant: two subscriptions with the same stack name would collide.
                roleName: pulumi.interpolate`${namePrefix} Velero ${kind}s (${subscriptionId})`,
                description: role.description,
                scope: scopes[kind],
                assignableScopes: [scopes[kind]],
                permissions: [{ actions: [...role.actions] }],
            }, { parent: this });
            if (args.assignSnapshotRoles) {
                assignRole(`${name}-${kind}-operator`, {
                    principalId: identity.principalId,
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    role: definition.id,
                    scope: scopes[kind],
                    subscriptionId,
                    purpose: `${namePrefix}/velero/${kind}s`,
                }, { parent: this });
            }
        }

        this.target = {
            kind: "azureBlob",
            storageAccountName: account.name,
            containerName: container.name,
            resourceGroupName: pulumi.output(resourceGroupName),
            subscriptionId: pulumi.output(subscriptionId),
            identityClientId: identity.clientId,
            diskResourceGroupName: pulumi.output(args.nodeResourceGroupName),
            snapshotResourceGroupName: snapshotGroup.name,
        };
        this.registerOutputs({ storageAccountName: account.name, identityClientId: identity.clientId });
    }
}
