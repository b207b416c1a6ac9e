/** Baseline hardening outside transport security: private endpoints, RBAC, deletion protection. */
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice";
import type { VaultArgs } from "@pulumi/azure-native/keyvault";
import type { WebApplicationFirewallPolicyArgs } from "@pulumi/azure-native/network";
import type { StorageAccountArgs } from "@pulumi/azure-native/storage";
import * as containerservice from "@pulumi/azure-native/types/enums/containerservice";
import * as keyvault from "@pulumi/azure-native/types/enums/keyvault";
import * as network from "@pulumi/azure-native/types/enums/network";
import * as storage from "@pulumi/azure-native/types/enums/storage";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { equalsIgnoreCase, MCSB_BACKUP, MCSB_NETWORK } from "./common";
import { azureNative, ofKind, validate } from "./kinds";

const KEY_VAULT = azureNative<VaultArgs>("azure-native:keyvault:Vault");
const STORAGE_ACCOUNT = azureNative<StorageAccountArgs>("azure-native:storage:StorageAccount");
const MANAGED_CLUSTER = azureNative<ManagedClusterArgs>("azure-native:containerservice:ManagedCluster");
const WAF_POLICY = azureNative<WebApplicationFirewallPolicyArgs>("azure-native:network:WebApplicationFirewallPolicy");

/**
 * A firewall that denies by default and lets no public address in: only private endpoints, the listed virtual
 * networks and trusted services reach the resource, as with public network access off.
 */
function firewalledOff(acls: { defaultAction?: string; ipRules?: unknown[] } | undefined, deny: string): boolean {
    return equalsIgnoreCase(acls?.defaultAction, deny) && (acls?.ipRules ?? []).length === 0;
}

export const keyVaultHardening: ResourceValidationPolicy = {
    name: "key-vault-hardening",
    description: "Key Vaults use RBAC authorization, purge protection and no public network access (unless a publicNetworkAccessReason tag states why).",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set properties.enableRbacAuthorization: true, properties.enablePurgeProtection: true and properties.publicNetworkAccess: \"Disabled\" (or networkAcls.defaultAction Deny with no ipRules).",
    validateResource: validate(KEY_VAULT, (vault, report) => {
        const p = vault.properties ?? {};
        // VaultPropertiesArgs: "If null or not specified, the vault is created with the default value of false."
        if (p.enableRbacAuthorization !== true) {
            report(`properties.enableRbacAuthorization is ${JSON.stringify(p.enableRbacAuthorization)}; set true.`);
        }
        if (p.enablePurgeProtection !== true) {
            report(`properties.enablePurgeProtection is ${JSON.stringify(p.enablePurgeProtection)}; set true.`);
        }
        // The SDK's default is "enabled"; ARM takes the value in any case. A vault a service outside the VNet must read,
        // and that no trusted-service path reaches, states why on itself: RBAC and purge protection still hold (above).
        const reason = vault.tags?.["publicNetworkAccessReason"];
        const stated = typeof reason === "string" && reason.trim() !== "";
        if (!equalsIgnoreCase(p.publicNetworkAccess, keyvault.PublicNetworkAccess.Disabled) && !firewalledOff(p.networkAcls, keyvault.NetworkRuleAction.Deny) && !stated) {
            report(`properties.publicNetworkAccess is ${JSON.stringify(p.publicNetworkAccess)}; set "Disabled" (or state why in a publicNetworkAccessReason tag).`);
        }
    }),
};

export const storagePublicAccess: ResourceValidationPolicy = {
    name: "storage-no-public-access",
    description: "Storage accounts have public network access, anonymous blob access and shared keys off.",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set publicNetworkAccess: \"Disabled\" (or networkRuleSet.defaultAction Deny with no ipRules) and allowSharedKeyAccess: false; leave allowBlobPublicAccess false; reach the account through a private endpoint.",
    validateResource: validate(STORAGE_ACCOUNT, (account, report) => {
        if (!equalsIgnoreCase(account.publicNetworkAccess, storage.PublicNetworkAccess.Disabled) && !firewalledOff(account.networkRuleSet, storage.DefaultAction.Deny)) {
            report(`publicNetworkAccess is ${JSON.stringify(account.publicNetworkAccess)}; set "Disabled".`);
        }
        // "The default interpretation is false for this property" (StorageAccountArgs.allowBlobPublicAccess).
        if (account.allowBlobPublicAccess === true) {
            report("allowBlobPublicAccess is true; set false.");
        }
        // "The default value is null, which is equivalent to true" (StorageAccountArgs.allowSharedKeyAccess).
        if (account.allowSharedKeyAccess !== false) {
            report(`allowSharedKeyAccess is ${JSON.stringify(account.allowSharedKeyAccess)}; set false.`);
        }
    }),
};

export const aksPrivateCluster: ResourceValidationPolicy = {
    name: "aks-private-cluster",
    description: "AKS clusters have a private API server, no local accounts and a network policy engine.",
    severity: "critical",
    framework: MCSB_NETWORK,
    remediationSteps: "Set apiServerAccessProfile.enablePrivateCluster: true, disableLocalAccounts: true and networkProfile.networkPolicy.",
    validateResource: validate(MANAGED_CLUSTER, (cluster, report) => {
        if (cluster.apiServerAccessProfile?.enablePrivateCluster !== true) {
            report(`apiServerAccessProfile.enablePrivateCluster is ${JSON.stringify(cluster.apiServerAccessProfile?.enablePrivateCluster)}; set true.`);
        }
        if (cluster.disableLocalAccounts !== true) {
            report(`disableLocalAccounts is ${JSON.stringify(cluster.disableLocalAccounts)}; set true.`);
        }
        const policy = cluster.networkProfile?.networkPolicy;
        if (!policy || equalsIgnoreCase(policy, containerservice.NetworkPolicy.None)) {
            report(`networkProfile.networkPolicy is ${JSON.stringify(policy)}; set cilium (or azure/calico).`);
        }
    }),
};

/**
 * Resources that hold state a redeploy cannot bring back: secrets and keys, data, backups and logs, the cluster's
 * etcd, API Management's configuration, the edge's domains and certificates. Cosmos DB was in the documentdb module
 * before (the SDK's aliases).
 */
const STATEFUL_KINDS = [
    azureNative("azure-native:keyvault:Vault"),
    azureNative("azure-native:storage:StorageAccount"),
    azureNative("azure-native:storage:BlobContainer"),
    azureNative("azure-native:operationalinsights:Workspace"),
    azureNative("azure-native:containerservice:ManagedCluster"),
    azureNative("azure-native:apimanagement:ApiManagementService"),
    azureNative("azure-native:cdn:Profile"),
    azureNative("azure-native:sql:Server"),
    azureNative("azure-native:sql:ManagedInstance"),
    azureNative("azure-native:dbforpostgresql:Server"),
    azureNative("azure-native:dbformysql:Server"),
    azureNative("azure-native:cosmosdb:DatabaseAccount", ["documentdb"]),
    azureNative("azure-native:recoveryservices:Vault"),
    azureNative("azure-native:dataprotection:BackupVault"),
];

export const statefulResourcesProtected: StackValidationPolicy = {
    name: "stateful-resources-protected",
    description: "State-bearing resources (Key Vault, storage accounts and containers, logs, the cluster, API Management, Front Door, databases, backup vaults) carry protect: true.",
    severity: "high",
    framework: MCSB_BACKUP,
    remediationSteps: "Declare the resource with { protect: true }; unprotect deliberately with `pulumi state unprotect` before a planned removal.",
    validateStack: (args, report) => {
        for (const r of ofKind(args.resources, ...STATEFUL_KINDS)) {
            if (!r.opts.protect) {
                report(`${r.type} "${r.name}" has opts.protect false; set protect: true.`, r.urn);
            }
        }
    },
};

export const wafPrevention: ResourceValidationPolicy = {
    name: "waf-prevention",
    description: "Application Gateway WAF policies are enabled and block (Prevention).",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set policySettings.state: \"Enabled\" and policySettings.mode: \"Prevention\" on the WebApplicationFirewallPolicy.",
    validateResource: validate(WAF_POLICY, (policy, report) => {
        const settings = policy.policySettings;
        if (!equalsIgnoreCase(settings?.state, network.WebApplicationFirewallEnabledState.Enabled)) {
            report(`policySettings.state is ${JSON.stringify(settings?.state)}; set "Enabled".`);
        }
        if (!equalsIgnoreCase(settings?.mode, network.WebApplicationFirewallMode.Prevention)) {
            report(`policySettings.mode is ${JSON.stringify(settings?.mode)}; set "Prevention".`);
        }
    }),
};

export const baselinePolicies = [keyVaultHardening, storagePublicAccess, aksPrivateCluster, wafPrevention, statefulResourcesProtected];
