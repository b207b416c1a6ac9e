/** Baseline hardening outside transport security: private endpoints, RBAC, deletion protection. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { forTypes, MCSB_BACKUP, MCSB_NETWORK } from "./common";

export const keyVaultHardening: ResourceValidationPolicy = {
    name: "key-vault-hardening",
    description: "Key Vaults use RBAC authorization, purge protection and no public network access.",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set properties.enableRbacAuthorization: true, properties.enablePurgeProtection: true and properties.publicNetworkAccess: \"Disabled\".",
    validateResource: forTypes(["azure-native:keyvault:Vault"], (props, report) => {
        const p = props.properties ?? {};
        if (p.enableRbacAuthorization !== true) {
            report(`properties.enableRbacAuthorization is ${JSON.stringify(p.enableRbacAuthorization)}; set true.`);
        }
        if (p.enablePurgeProtection !== true) {
            report(`properties.enablePurgeProtection is ${JSON.stringify(p.enablePurgeProtection)}; set true.`);
        }
        if (p.publicNetworkAccess !== "Disabled") {
            report(`properties.publicNetworkAccess is ${JSON.stringify(p.publicNetworkAccess)}; set "Disabled".`);
        }
    }),
};

export const storagePublicAccess: ResourceValidationPolicy = {
    name: "storage-no-public-access",
    description: "Storage accounts have public network access and shared keys off.",
    severity: "high",
    framework: MCSB_NETWORK,
    remediationSteps: "Set publicNetworkAccess: \"Disabled\", allowBlobPublicAccess: false and allowSharedKeyAccess: false; reach the account through a private endpoint.",
    validateResource: forTypes(["azure-native:storage:StorageAccount"], (props, report) => {
        if (props.publicNetworkAccess !== "Disabled") {
            report(`publicNetworkAccess is ${JSON.stringify(props.publicNetworkAccess)}; set "Disabled".`);
        }
        if (props.allowBlobPublicAccess !== false) {
            report(`allowBlobPublicAccess is ${JSON.stringify(props.allowBlobPublicAccess)}; set false.`);
        }
        if (props.allowSharedKeyAccess !== false) {
            report(`allowSharedKeyAccess is ${JSON.stringify(props.allowSharedKeyAccess)}; set false.`);
        }
    }),
};

export const aksPrivateCluster: ResourceValidationPolicy = {
    name: "aks-private-cluster",
    description: "AKS clusters have a private API server, no local accounts and a network policy engine.",
    severity: "critical",
    framework: MCSB_NETWORK,
    remediationSteps: "Set apiServerAccessProfile.enablePrivateCluster: true, disableLocalAccounts: true and networkProfile.networkPolicy.",
    validateResource: forTypes(["azure-native:containerservice:ManagedCluster"], (props, report) => {
        if (props.apiServerAccessProfile?.enablePrivateCluster !== true) {
            report(`apiServerAccessProfile.enablePrivateCluster is ${JSON.stringify(props.apiServerAccessProfile?.enablePrivateCluster)}; set true.`);
        }
        if (props.disableLocalAccounts !== true) {
            report(`disableLocalAccounts is ${JSON.stringify(props.disableLocalAccounts)}; set true.`);
        }
        if (!props.networkProfile?.networkPolicy || props.networkProfile.networkPolicy === "none") {
            report(`networkProfile.networkPolicy is ${JSON.stringify(props.networkProfile?.networkPolicy)}; set cilium (or azure/calico).`);
        }
    }),
};

/** Resource types that hold state a redeploy cannot bring back. */
export const STATEFUL_TYPES = [
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:operationalinsights:Workspace",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:apimanagement:ApiManagementService",
    "azure-native:cdn:Profile",
];

export const statefulResourcesProtected: StackValidationPolicy = {
    name: "stateful-resources-protected",
    description: "State-bearing resources (Key Vault, storage, logs, the cluster, API Management, Front Door) carry protect: true.",
    severity: "high",
    framework: MCSB_BACKUP,
    remediationSteps: "Declare the resource with { protect: true }; unprotect deliberately with `pulumi state unprotect` before a planned removal.",
    validateStack: (args, report) => {
        for (const r of args.resources) {
            if (STATEFUL_TYPES.includes(r.type) && !r.opts.protect) {
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
    validateResource: forTypes(["azure-native:network:WebApplicationFirewallPolicy"], (props, report) => {
        const settings = props.policySettings ?? {};
        if (settings.state !== "Enabled") {
            report(`policySettings.state is ${JSON.stringify(settings.state)}; set "Enabled".`);
        }
        if (settings.mode !== "Prevention") {
            report(`policySettings.mode is ${JSON.stringify(settings.mode)}; set "Prevention".`);
        }
    }),
};

export const baselinePolicies = [keyVaultHardening, storagePublicAccess, aksPrivateCluster, wafPrevention, statefulResourcesProtected];
