import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { sendDiagnostics } from "./diagnostics";
import { privateEndpoint } from "./privateEndpoint";

export interface PrivateVaultArgs {
    vaultName: pulumi.Input<string>;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Standard, or Premium where keys must be HSM-backed (RSA-HSM needs Premium). */
    sku: keyvault.SkuName;
    /** Entra ID tenant the vault trusts (the deploying identity's). */
    tenantId: pulumi.Input<string>;
    /** Subnet for the vault's private endpoint, and the `privatelink.vaultcore.azure.net` zone linked to the VNet. */
    privateEndpointSubnetId: pulumi.Input<string>;
    vaultDnsZoneId: pulumi.Input<string>;
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    tags: Record<string, string>;
}

export interface PrivateVault {
    vault: keyvault.Vault;
    /** Keys and certificates can be written only once the endpoint exists (the vault has no public access). */
    endpoint: pulumi.Resource;
}

/**
 * A Key Vault reached only through its private endpoint: Azure RBAC for the data plane, purge protection,
 * audit and metrics to Log Analytics. Protected: deleting it loses what it holds.
 */
export function privateVault(name: string, args: PrivateVaultArgs, parent: pulumi.Resource): PrivateVault {
    const vault = new keyvault.Vault(name, {
        vaultName: args.vaultName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        properties: {
            tenantId: args.tenantId,
            sku: { family: keyvault.SkuFamily.A, name: args.sku },
            // Data-plane access by Azure RBAC role assignments, not vault access policies.
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            // Purge protection cannot be turned off again: a deleted vault is recoverable for 90 days.
            enablePurgeProtection: true,
            publicNetworkAccess: "Disabled",
            networkAcls: { defaultAction: keyvault.NetworkRuleAction.Deny, bypass: keyvault.NetworkRuleBypassOptions.AzureServices },
        },
        tags: args.tags,
    }, { parent, protect: true });
    const endpoint = privateEndpoint(`${name}-pe`, {
        endpointName: pulumi.interpolate`pe-${vault.name}`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceId: vault.id,
        groupId: "vault",
        subnetId: args.privateEndpointSubnetId,
        privateDnsZoneId: args.vaultDnsZoneId,
        tags: args.tags,
    }, { parent });
    sendDiagnostics(`${name}-diagnostics`, { resourceUri: vault.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent });
    return { vault, endpoint };
}
