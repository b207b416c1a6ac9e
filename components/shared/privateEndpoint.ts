import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";

export interface PrivateEndpointArgs {
    /** Azure name of the endpoint, e.g. `pe-<vault>`. */
    endpointName: pulumi.Input<string>;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** The resource reached through the endpoint. */
    resourceId: pulumi.Input<string>;
    /** Its sub-resource: `vault`, `blob`, ... */
    groupId: string;
    subnetId: pulumi.Input<string>;
    /** The private DNS zone that answers for the resource's name (privatelink.<service>). */
    privateDnsZoneId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** A private endpoint in the endpoints subnet, with its A record kept in the VNet's private DNS zone by Azure. */
export function privateEndpoint(name: string, args: PrivateEndpointArgs, opts: pulumi.CustomResourceOptions): network.PrivateEndpoint {
    const endpoint = new network.PrivateEndpoint(name, {
        privateEndpointName: args.endpointName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        subnet: { id: args.subnetId },
        privateLinkServiceConnections: [{ name: args.groupId, privateLinkServiceId: args.resourceId, groupIds: [args.groupId] }],
        tags: args.tags,
    }, opts);
    new network.PrivateDnsZoneGroup(`${name}-dns`, {
        privateDnsZoneGroupName: "default",
        privateEndpointName: endpoint.name,
        resourceGroupName: args.resourceGroupName,
        privateDnsZoneConfigs: [{ name: args.groupId, privateDnsZoneId: args.privateDnsZoneId }],
    }, opts);
    return endpoint;
}
