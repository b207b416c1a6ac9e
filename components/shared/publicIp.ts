import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

export interface PublicIpArgs {
    publicIpAddressName: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Zonal like the service it fronts (undefined: no zones, e.g. a single-zone SKU). */
    zones: string[] | undefined;
    /** Regionally unique DNS label, where the service needs one (API Management). */
    domainNameLabel?: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** A Standard, static public IP: what Azure Firewall, API Management and Application Gateway v2 require. */
export function standardPublicIp(name: string, args: PublicIpArgs, opts: pulumi.CustomResourceOptions): network.PublicIPAddress {
    return new network.PublicIPAddress(name, {
        publicIpAddressName: args.publicIpAddressName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: network.PublicIPAddressSkuName.Standard, tier: network.PublicIPAddressSkuTier.Regional },
        publicIPAllocationMethod: network.IPAllocationMethod.Static,
        dnsSettings: args.domainNameLabel === undefined ? undefined : { domainNameLabel: args.domainNameLabel },
        zones: args.zones,
        tags: args.tags,
    }, opts);
}
