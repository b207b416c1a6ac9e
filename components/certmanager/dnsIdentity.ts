import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { assignRole } from "../shared/roleAssignment";
import { workloadIdentity } from "../shared/workloadIdentity";

/** cert-manager's controller runs as this service account; the federated credential names it. */
export const CERT_MANAGER_SERVICE_ACCOUNT = { namespace: "cert-manager", name: "cert-manager" };

export interface DnsIdentityArgs {
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** The deployment's subscription (where the role assignment's definition is looked up). */
    subscriptionId: pulumi.Input<string>;
    /** The cluster's OIDC issuer. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** The public zone cert-manager writes `_acme-challenge` records in. */
    zone: { name: string; resourceGroupName: string; subscriptionId: string };
    tags: Record<string, string>;
}

/** The identity cert-manager solves DNS-01 challenges with: DNS Zone Contributor on one zone, no secret. */
export class DnsIdentity extends pulumi.ComponentResource {
    public readonly clientId: pulumi.Output<string>;

    constructor(name: string, args: DnsIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:certmanager:DnsIdentity", name, {}, opts);
        const identity = workloadIdentity(name, {
            identityName: `id-${args.namePrefix}-cert-manager`,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            oidcIssuerUrl: args.oidcIssuerUrl,
            serviceAccount: CERT_MANAGER_SERVICE_ACCOUNT,
            tags: args.tags,
        }, { parent: this });
        assignRole(`${name}-dns-zone-contributor`, {
            principalId: identity.principalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            role: "DNS Zone Contributor",
            scope: `/subscriptions/${args.zone.subscriptionId}/resourceGroups/${args.zone.resourceGroupName}/providers/Microsoft.Network/dnszones/${args.zone.name}`,
            // The zone may sit in another subscription: the role definition's path names the zone's.
            subscriptionId: args.zone.subscriptionId,
            purpose: `${args.namePrefix}/cert-manager/dns-zone-contributor/${args.zone.name}`,
        }, { parent: this });
        this.clientId = identity.clientId;
        this.registerOutputs({ clientId: this.clientId });
    }
}
