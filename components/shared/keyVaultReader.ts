import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { assignRole } from "./roleAssignment";

export interface KeyVaultReaderArgs {
    namePrefix: string;
    /** What reads, in the identity's name and the grant's purpose: `apim`, `appgw`. */
    reader: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    keyVaultId: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * A user-assigned identity with "Key Vault Secrets User" on the platform vault, for a service that reads its TLS
 * certificate on create: the service must depend on `grant` (a system-assigned identity would exist too late).
 */
export function keyVaultReader(name: string, args: KeyVaultReaderArgs, opts: pulumi.CustomResourceOptions) {
    const identity = new managedidentity.UserAssignedIdentity(`${name}-identity`, {
        resourceName: `id-${args.namePrefix}-${args.reader}`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags: args.tags,
    }, opts);
    const grant = assignRole(`${name}-kv-secrets-user`, {
        principalId: identity.principalId,
        principalType: authorization.PrincipalType.ServicePrincipal,
        role: "Key Vault Secrets User",
        scope: args.keyVaultId,
        subscriptionId: args.subscriptionId,
        purpose: `${args.namePrefix}/${args.reader}/key-vault-secrets-user`,
    }, opts);
    return { identity, grant };
}
