/** Baseline hardening outside transport security: private endpoints, RBAC, deletion protection. */
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as cdn from "@pulumi/azure-native/cdn";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as storage from "@pulumi/azure-native/storage";
import type { Resource } from "@pulumi/pulumi";
import { validateResourceOfType, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { MCSB_BACKUP, MCSB_NETWORK } from "./common";

export const keyVaultHardening: ResourceValidationPolicy = {
    name: "key-vault-hardening",
    description: "Key Vaults use RBAC authorization, purge protection and no public network access (unless a publicNetworkAccessReason tag states why).",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set properties.enableRbacAuthorization: true, properties.enablePurgeProtection: true and properties.publicNetworkAccess: \"Disabled\".",
    validateResource: validateResourceOfType(keyvault.Vault, (vault, _args, report) => {
        const p = vault.properties ?? {};
        if (p.enableRbacAuthorization !== true) {
            report(`properties.enableRbacAuthorization is ${JSON.stringify(p.enableRbacAuthorization)}; set true.`);
        }
        if (p.enablePurgeProtection !== true) {
            report(`properties.enablePurgeProtection is ${JSON.stringify(p.enablePurgeProtection)}; set true.`);
        }
        // A vault a service outside the VNet must read, and that no trusted-service path reaches, states why on itself:
        // RBAC and purge protection still hold (above), and the reason is reviewed with the change that adds it.
        const reason = vault.tags?.["publicNetworkAccessReason"];
        if (p.publicNetworkAccess !== keyvault.PublicNetworkAccess.Disabled && !(typeof reason === "string" && reason.trim() !== "")) {
            report(`properties.publicNetworkAccess is ${JSON.stringify(p.publicNetworkAccess)}; set "Disabled" (or state why in a publicNetworkAccessReason tag).`);
        }
    }),
};

export const storagePublicAccess: ResourceValidationPolicy = {
    name: "storage-no-public-access",
    description: "Storage accounts have public network access and shared keys off.",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set publicNetworkAccess: \"Disabled\", allowBlobPublicAccess: false and allowSharedKeyAccess: false; reach the account through a private endpoint.",
    validateResource: validateResourceOfType(storage.StorageAccount, (account, _args, report) => {
        if (account.publicNetworkAccess !== storage.PublicNetworkAccess.Disabled) {
            report(`publicNetworkAccess is ${JSON.stringify(account.publicNetworkAccess)}; set "Disabled".`);
        }
        if (account.allowBlobPublicAccess !== false) {
            report(`allowBlobPublicAccess is ${JSON.stringify(account.allowBlobPublicAccess)}; set false.`);
        }
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
    validateResource: validateResourceOfType(containerservice.ManagedCluster, (cluster, _args, report) => {
        if (cluster.apiServerAccessProfile?.enablePrivateCluster !== true) {
            report(`apiServerAccessProfile.enablePrivateCluster is ${JSON.stringify(cluster.apiServerAccessProfile?.enablePrivateCluster)}; set true.`);
        }
        if (cluster.disableLocalAccounts !== true) {
            report(`disableLocalAccounts is ${JSON.stringify(cluster.disableLocalAccounts)}; set true.`);
        }
        const policy = cluster.networkProfile?.networkPolicy;
        if (!policy || policy === containerservice.NetworkPolicy.None) {
            report(`networkProfile.networkPolicy is ${JSON.stringify(policy)}; set cilium (or azure/calico).`);
        }
    }),
};

/** Resource classes that hold state a redeploy cannot bring back. */
const STATEFUL_CLASSES: readonly (new (...rest: any[]) => Resource)[] = [
    keyvault.Vault,
    storage.StorageAccount,
    storage.BlobContainer,
    operationalinsights.Workspace,
    containerservice.ManagedCluster,
    apimanagement.ApiManagementService,
    cdn.Profile,
];

export const statefulResourcesProtected: StackValidationPolicy = {
    name: "stateful-resources-protected",
    description: "State-bearing resources (Key Vault, storage accounts and containers, logs, the cluster, API Management, Front Door) carry protect: true.",
    severity: "high",
    framework: MCSB_BACKUP,
    remediationSteps: "Declare the resource with { protect: true }; unprotect deliberately with `pulumi state unprotect` before a planned removal.",
    validateStack: (args, report) => {
        for (const r of args.resources) {
            if (STATEFUL_CLASSES.some((c) => r.isType(c)) && !r.opts.protect) {
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
    validateResource: validateResourceOfType(network.WebApplicationFirewallPolicy, (policy, _args, report) => {
        const settings = policy.policySettings;
        if (settings?.state !== network.WebApplicationFirewallEnabledState.Enabled) {
            report(`policySettings.state is ${JSON.stringify(settings?.state)}; set "Enabled".`);
        }
        if (settings?.mode !== network.WebApplicationFirewallMode.Prevention) {
            report(`policySettings.mode is ${JSON.stringify(settings?.mode)}; set "Prevention".`);
        }
    }),
};

export const baselinePolicies = [keyVaultHardening, storagePublicAccess, aksPrivateCluster, wafPrevention, statefulResourcesProtected];
