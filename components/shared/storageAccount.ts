import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/azure-native/storage";
import * as random from "@pulumi/random";
import { privateEndpoint } from "./privateEndpoint";

export interface PrivateBlobAccountArgs {
    /** Short name used in Azure resource names, e.g. `platform-dev`. */
    namePrefix: string;
    /** Two letters naming the account's purpose inside its global name, e.g. `bk` for backups. */
    purposeTag: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    sku: "Standard_LRS" | "Standard_ZRS" | "Standard_GZRS";
    accessTier: storage.AccessTier;
    /** Version-level immutability (WORM), for accounts that must outlive a compromised writer. */
    immutableStorageWithVersioning?: storage.StorageAccountArgs["immutableStorageWithVersioning"];
    privateEndpointSubnetId: pulumi.Input<string>;
    blobDnsZoneId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * A protected StorageV2 account reached only through a blob private endpoint: TLS 1.2, no shared keys (Entra
 * ID only), no public access, no cross-tenant replication. Declares `<name>-suffix`, `<name>-account` and
 * `<name>-pe`.
 */
export function privateBlobAccount(name: string, args: PrivateBlobAccountArgs, opts: pulumi.CustomResourceOptions): storage.StorageAccount {
    // Storage account names are global, 3-24 lower-case letters and digits.
    const suffix = new random.RandomString(`${name}-suffix`, { length: 8, special: false, upper: false }, opts);
    const account = new storage.StorageAccount(`${name}-account`, {
        accountName: pulumi.interpolate`st${args.namePrefix.replace(/[^a-z0-9]/g, "").replace(/^platform/, "plt")}${args.purposeTag}${suffix.result}`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: storage.Kind.StorageV2,
        sku: { name: args.sku },
        accessTier: args.accessTier,
        minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
        enableHttpsTrafficOnly: true,
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        publicNetworkAccess: storage.PublicNetworkAccess.Disabled,
        networkRuleSet: { defaultAction: storage.DefaultAction.Deny, bypass: storage.Bypass.None },
        ...(args.immutableStorageWithVersioning ? { immutableStorageWithVersioning: args.immutableStorageWithVersioning } : {}),
        tags: args.tags,
    }, { ...opts, protect: true });

    privateEndpoint(`${name}-pe`, {
        endpointName: pulumi.interpolate`pe-${account.name}-blob`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        resourceId: account.id,
        groupId: "blob",
        subnetId: args.privateEndpointSubnetId,
        privateDnsZoneId: args.blobDnsZoneId,
        tags: args.tags,
    }, opts);
    return account;
}
