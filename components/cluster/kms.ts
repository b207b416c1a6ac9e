import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as keyvault from "@pulumi/azure-native/keyvault";
import type * as types from "@pulumi/azure-native/types";
import * as random from "@pulumi/random";
import { privateVault } from "../shared/privateVault";
import { assignRole } from "../shared/roleAssignment";

export interface EtcdKeyArgs {
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** The cluster's user-assigned control-plane identity: the KMS plugin runs as it. */
    controlPlanePrincipalId: pulumi.Input<string>;
    privateEndpointSubnetId: pulumi.Input<string>;
    vaultDnsZoneId: pulumi.Input<string>;
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    tags: Record<string, string>;
}

export interface EtcdKey {
    /** The cluster's `securityProfile.azureKeyVaultKms`. */
    kms: pulumi.Output<types.input.containerservice.AzureKeyVaultKmsArgs>;
    /** The control plane's grants on the vault: the cluster is created after them. */
    grants: pulumi.Resource[];
}

/** Rotation cadence of the key encryption key; each version stays valid for two rotations (see below). */
const ROTATE_AFTER = "P180D";
const VERSION_LIFETIME = "P2Y";

/**
 * The key that encrypts Kubernetes Secrets in etcd (KMS), in a private vault of its own: only the control plane
 * uses it, and deleting the key, vault or identity would make every Secret unrecoverable (use-kms-etcd-encryption).
 */
export function declareEtcdKey(name: string, args: EtcdKeyArgs, parent: pulumi.Resource): EtcdKey {
    const suffix = new random.RandomString(`${name}-suffix`, { length: 6, special: false, upper: false }, { parent });
    const { vault, endpoint } = privateVault(`${name}-kv`, {
        vaultName: pulumi.interpolate`kv-${args.namePrefix.replace(/^platform-/, "plt-")}-kms-${suffix.result}`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        // Premium: the key encrypting every Secret is HSM-backed (the KMS plugin takes RSA-HSM keys, azure/kubernetes-kms).
        sku: keyvault.SkuName.Premium,
        tenantId: args.tenantId,
        privateEndpointSubnetId: args.privateEndpointSubnetId,
        vaultDnsZoneId: args.vaultDnsZoneId,
        logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
        tags: args.tags,
    }, parent);
    // "Creating or updating keys in a private key vault that doesn't have a private endpoint isn't supported."
    const key = new keyvault.Key(`${name}-key`, {
        keyName: "etcd-kms",
        vaultName: vault.name,
        resourceGroupName: args.resourceGroupName,
        properties: {
            kty: keyvault.JsonWebKeyType.RSA_HSM,
            keySize: 2048,
            // AKS needs the old version valid until the rotation after next ("KMS uses two keys at the same time"):
            // a version lives four rotation periods. Key Vault applies the policy when it creates the key only.
            rotationPolicy: {
                attributes: { expiryTime: VERSION_LIFETIME },
                lifetimeActions: [{ action: { type: keyvault.KeyRotationPolicyActionType.Rotate }, trigger: { timeAfterCreate: ROTATE_AFTER } }],
            },
        },
        tags: args.tags,
    }, { parent, protect: true, dependsOn: [endpoint] });

    // Crypto User: encrypt and decrypt. Contributor: AKS creates its own private endpoint to a private vault.
    const grants = (["Key Vault Crypto User", "Key Vault Contributor"] as const).map((role) => {
        const slug = role.toLowerCase().replace(/ /g, "-");
        return assignRole(`${name}-${slug}`, {
            principalId: args.controlPlanePrincipalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            role,
            scope: vault.id,
            subscriptionId: args.subscriptionId,
            purpose: `${args.namePrefix}/aks-control-plane/${slug}`,
        }, { parent });
    });

    // The version Key Vault serves now: after a rotation the next `up` moves the cluster to it.
    const current = keyvault.getKeyOutput({ keyName: key.name, vaultName: vault.name, resourceGroupName: args.resourceGroupName }, { parent });
    return {
        kms: pulumi.output({
            enabled: true,
            keyId: current.keyUriWithVersion,
            keyVaultNetworkAccess: containerservice.KeyVaultNetworkAccessTypes.Private,
            keyVaultResourceId: vault.id,
        }),
        grants,
    };
}
