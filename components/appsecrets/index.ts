import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import type { ApplicationSecretsConfig } from "../../config";
import { deterministicGuid } from "../shared/guid";
import { privateVault } from "../shared/privateVault";
import { assignRole } from "../shared/roleAssignment";
import { workloadIdentity } from "../shared/workloadIdentity";

export interface ApplicationSecretsArgs {
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    /** Vault names are global: derived from this (organization/project/stack) and the namespace, the same on every run. */
    uniqueSeed: string;
    /** The validated `applicationSecrets` config: namespace -> its service account and its secret officers. */
    namespaces: ApplicationSecretsConfig;
    oidcIssuerUrl: pulumi.Input<string>;
    privateEndpointSubnetId: pulumi.Input<string>;
    vaultDnsZoneId: pulumi.Input<string>;
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** What a team puts in its SecretProviderClass (docs/application-secrets.md). */
export interface NamespaceSecretStore {
    vaultName: pulumi.Output<string>;
    /** The workload identity's client id: the SecretProviderClass's `clientID`. */
    clientId: pulumi.Output<string>;
    serviceAccount: string;
}

/** Config lines for `applicationSecrets` keys that name a namespace the platform owns (its secrets are not an application's). */
export function platformNamespaceProblems(namespaces: ApplicationSecretsConfig, platformNamespaces: string[]): string[] {
    return Object.keys(namespaces).filter((ns) => platformNamespaces.includes(ns))
        .map((ns) => `platform:applicationSecrets.${ns}: is a namespace the platform owns; allowed: application namespaces (not ${platformNamespaces.join(", ")})`);
}

/** A Key Vault name (3-24 characters, letters, digits and single hyphens) for a namespace: `kv-<namespace>-<hash>`. */
export function applicationVaultName(namespace: string, uniqueSeed: string): string {
    const stem = namespace.slice(0, 13).replace(/-+$/, "").replace(/-{2,}/g, "-");
    return `kv-${stem}-${deterministicGuid(`${uniqueSeed}/${namespace}`).replace(/-/g, "").slice(0, 6)}`;
}

/**
 * Key Vault secrets for application namespaces, read through the AKS Key Vault secrets provider (the Secrets Store
 * CSI driver add-on, rotation on) with workload identity. Each namespace gets a private vault of its own and a
 * user-assigned identity whose only federated credential names that namespace's service account, with Key Vault
 * Secrets User on that vault only: a pod in another namespace can neither sign in as the identity (the token's
 * subject would not match) nor read the vault with its own.
 */
export class ApplicationSecrets extends pulumi.ComponentResource {
    public readonly stores: Record<string, NamespaceSecretStore>;

    constructor(name: string, args: ApplicationSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:appsecrets:ApplicationSecrets", name, {}, opts);
        const { namePrefix, tags } = args;
        this.stores = {};
        for (const [namespace, settings] of Object.entries(args.namespaces)) {
            const base = `${name}-${namespace}`;
            const { vault, endpoint } = privateVault(`${base}-kv`, {
                vaultName: applicationVaultName(namespace, args.uniqueSeed),
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: keyvault.SkuName.Standard,
                tenantId: args.tenantId,
                privateEndpointSubnetId: args.privateEndpointSubnetId,
                vaultDnsZoneId: args.vaultDnsZoneId,
                logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
                tags,
            }, this);
            const identity = workloadIdentity(base, {
                identityName: `id-${namePrefix}-app-${namespace}`,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                oidcIssuerUrl: args.oidcIssuerUrl,
                serviceAccount: { namespace, name: settings.serviceAccount },
                tags,
            }, { parent: this });
            assignRole(`${base}-secrets-user`, {
                principalId: identity.principalId,
                principalType: authorization.PrincipalType.ServicePrincipal,
                role: "Key Vault Secrets User",
                scope: vault.id,
                subscriptionId: args.subscriptionId,
                purpose: `${namePrefix}/app-secrets/${namespace}/secrets-user`,
            }, { parent: this, dependsOn: [endpoint] });
            for (const groupId of settings.secretOfficerGroupObjectIds) {
                assignRole(`${base}-secrets-officer-${groupId}`, {
                    principalId: groupId,
                    principalType: authorization.PrincipalType.Group,
                    role: "Key Vault Secrets Officer",
                    scope: vault.id,
                    subscriptionId: args.subscriptionId,
                    purpose: `${namePrefix}/app-secrets/${namespace}/secrets-officer/${groupId}`,
                }, { parent: this });
            }
            this.stores[namespace] = { vaultName: vault.name, clientId: identity.clientId, serviceAccount: settings.serviceAccount };
        }
        this.registerOutputs({ stores: this.stores });
    }
}
