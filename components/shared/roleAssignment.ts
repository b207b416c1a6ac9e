import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { deterministicGuid } from "./guid";

/** Built-in Azure role definition ids (the same in every tenant). */
export const BUILTIN_ROLES = {
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "DNS Zone Contributor": "befefa01-2a29-4197-83a8-272ff33ce314",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Certificates Officer": "a4417e6f-fecd-4de8-b567-7b0420556985",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Contributor": "f25e0fa2-a7c8-4377-a976-54943a77a395",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
} as const;

export type BuiltinRole = keyof typeof BUILTIN_ROLES;

export interface RoleGrant {
    principalId: pulumi.Input<string>;
    /**
     * Always set: the SDK defaults to User, which ARM rejects for a service principal or group
     * (UnmatchedPrincipalType), and a known type lets Azure skip the directory lookup that races replication.
     */
    principalType: authorization.PrincipalType;
    /** A built-in role, or the full id of a custom role definition the program declares. */
    role: BuiltinRole | pulumi.Output<string>;
    scope: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** What this grant is for, unique in the stack; the assignment's GUID name is derived from it. */
    purpose: string;
}

/**
 * A role assignment with a deterministic name, so a re-run or an import finds the same assignment.
 * A fixed name cannot be created before the old one is deleted, hence deleteBeforeReplace.
 */
export function assignRole(name: string, grant: RoleGrant, opts: pulumi.CustomResourceOptions): authorization.RoleAssignment {
    return new authorization.RoleAssignment(name, {
        roleAssignmentName: pulumi.output(grant.subscriptionId).apply((subscription) => deterministicGuid(`${subscription}/${grant.purpose}`)),
        principalId: grant.principalId,
        principalType: grant.principalType,
        roleDefinitionId: typeof grant.role === "string"
            ? pulumi.interpolate`/subscriptions/${grant.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES[grant.role]}`
            : grant.role,
        scope: grant.scope,
        description: grant.purpose,
    }, { ...opts, deleteBeforeReplace: true });
}
