import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";

export interface WorkloadIdentityArgs {
    /** Azure name of the user-assigned identity, e.g. `id-platform-dev-velero`. */
    identityName: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** The cluster's OIDC issuer. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** The Kubernetes service account that signs in as this identity. */
    serviceAccount: { namespace: string; name: string };
    tags: Record<string, string>;
}

/**
 * A user-assigned identity a Kubernetes service account signs in as (AKS workload identity): no secret exists,
 * the pod exchanges its service-account token. Declares `<name>-identity` and `<name>-federation`.
 */
export function workloadIdentity(name: string, args: WorkloadIdentityArgs, opts: pulumi.CustomResourceOptions): managedidentity.UserAssignedIdentity {
    const identity = new managedidentity.UserAssignedIdentity(`${name}-identity`, {
        resourceName: args.identityName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags: args.tags,
    }, opts);
    new managedidentity.FederatedIdentityCredential(`${name}-federation`, {
        federatedIdentityCredentialResourceName: args.serviceAccount.name,
        resourceName: identity.name,
        resourceGroupName: args.resourceGroupName,
        issuer: args.oidcIssuerUrl,
        subject: `system:serviceaccount:${args.serviceAccount.namespace}:${args.serviceAccount.name}`,
        audiences: ["api://AzureADTokenExchange"],
    }, opts);
    return identity;
}
