import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { privateEndpoint } from "../shared/privateEndpoint";

export interface GatewayArgs {
    /** Short name used in Azure resource names, e.g. `platform-dev`. */
    namePrefix: string;
    location: string;
    /** The network component's resource group. */
    resourceGroupName: pulumi.Input<string>;
    /** Subnet for private endpoints, and the `privatelink.vaultcore.azure.net` zone linked to the VNet. */
    privateEndpointSubnetId: pulumi.Input<string>;
    vaultDnsZoneId: pulumi.Input<string>;
    /** Entra ID tenant the vault trusts (the deploying identity's). */
    tenantId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * The edge and API layer. So far: the Key Vault that holds the edge and API certificates.
 * Front Door, WAF and API Management come with the gateway issue.
 */
export class Gateway extends pulumi.ComponentResource {
    public readonly keyVaultId: pulumi.Output<string>;
    public readonly keyVaultUri: pulumi.Output<string | undefined>;

    constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gateway:Gateway", name, {}, opts);

        // Vault names are global and 3-24 characters; the suffix is created once and kept in state.
        const suffix = new random.RandomString(`${name}-kv-suffix`, { length: 6, special: false, upper: false }, { parent: this });
        const vault = new keyvault.Vault(`${name}-kv`, {
            vaultName: pulumi.interpolate`kv-${args.namePrefix.replace(/^platform-/, "plt-")}-${suffix.result}`,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            properties: {
                tenantId: args.tenantId,
                sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
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
        }, { parent: this, protect: true });

        // Public access is off: the vault is reached through its private endpoint (phase 2 runners, AKS CSI driver).
        privateEndpoint(`${name}-kv-pe`, {
            endpointName: pulumi.interpolate`pe-${vault.name}`,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            resourceId: vault.id,
            groupId: "vault",
            subnetId: args.privateEndpointSubnetId,
            privateDnsZoneId: args.vaultDnsZoneId,
            tags: args.tags,
        }, { parent: this });

        this.keyVaultId = vault.id;
        this.keyVaultUri = vault.properties.vaultUri;
        this.registerOutputs({ keyVaultId: this.keyVaultId, keyVaultUri: this.keyVaultUri });
    }
}
