/**
 * What the runners subnet contacts outside the VNet, host by host with its reason: the firewall allows exactly these
 * from the subnet (components/network/firewallRules.ts). The platform registry and the vaults are reached through
 * their private endpoints, inside the VNet, so they are not here.
 */
import { chartRepositoryHosts } from "../../versions";

export interface EgressHost {
    host: string;
    reason: string;
}

export interface EgressGroup {
    /** The firewall rule's name. */
    rule: string;
    /** The document that lists these hosts. */
    source: string;
    hosts: EgressHost[];
}

const GITHUB_RUNNERS = "https://docs.github.com/en/actions/reference/runners/self-hosted-runners#communication-requirements";

/**
 * GitHub's storage accounts for logs, job summaries and artifacts: productionresultssa0..19, as GitHub's meta API
 * lists them under `domains.actions` (https://api.github.com/meta). Named one by one: `*.blob.core.windows.net`
 * would open every storage account in Azure.
 */
const GITHUB_RESULTS_ACCOUNTS = Array.from({ length: 20 }, (_, i) => `productionresultssa${i}.blob.core.windows.net`);

export function runnerEgress(): EgressGroup[] {
    return [
        {
            rule: "github-actions",
            source: GITHUB_RUNNERS,
            hosts: [
                { host: "github.com", reason: "the runner's essential operations; actions/checkout" },
                { host: "api.github.com", reason: "the runner's essential operations; just-in-time registration (register.sh)" },
                { host: "*.actions.githubusercontent.com", reason: "the runner's broker and results service, and the OIDC token endpoint (azure/login, pulumi/auth-actions, kubelogin)" },
                { host: "codeload.github.com", reason: "the runner downloading the workflow's actions" },
                ...GITHUB_RESULTS_ACCOUNTS.map((host) => ({ host, reason: "logs, job summaries and artifacts" })),
            ],
        },
        {
            rule: "github-release-assets",
            source: GITHUB_RUNNERS,
            hosts: [
                { host: "objects.githubusercontent.com", reason: "chart archives the github.io Helm repositories serve as GitHub release assets" },
                { host: "release-assets.githubusercontent.com", reason: "the same release assets, from GitHub's newer asset host" },
            ],
        },
        {
            rule: "pulumi",
            // Plugins: pulumi/pulumi sdk/go/common/workspace/plugins.go downloads from get.pulumi.com/releases/plugins.
            source: "https://www.pulumi.com/docs/administration/reference/network-addresses/",
            hosts: [
                { host: "api.pulumi.com", reason: "Pulumi Cloud: state, locks and the OIDC token exchange (pulumi/auth-actions)" },
                { host: "get.pulumi.com", reason: "the resource provider plugins the program's SDK versions name" },
            ],
        },
        {
            rule: "npm",
            source: "https://docs.npmjs.com/cli/using-npm/registry",
            hosts: [{ host: "registry.npmjs.org", reason: "npm ci" }],
        },
        {
            rule: "azure-management",
            source: "https://learn.microsoft.com/azure/azure-resource-manager/management/overview",
            hosts: [
                { host: "management.azure.com", reason: "Azure Resource Manager: azure/login, azure-native, the provider registration script" },
                { host: "login.microsoftonline.com", reason: "Entra ID sign-in with the workflow's OIDC token: azure/login, azure-native, kubelogin; the jobs' managed identity" },
            ],
        },
        {
            rule: "helm-repositories",
            source: "versions.ts CHARTS",
            hosts: chartRepositoryHosts().map((host) => ({ host, reason: "Helm repository index and chart archives of the pinned charts" })),
        },
        {
            rule: "container-apps",
            source: "https://learn.microsoft.com/azure/container-apps/use-azure-firewall#application-rules",
            hosts: [
                { host: "mcr.microsoft.com", reason: "Container Apps' own system images (all scenarios)" },
                { host: "*.data.mcr.microsoft.com", reason: "Container Apps' own system images' layers (all scenarios)" },
                { host: "packages.aks.azure.com", reason: "the environment's Kubernetes and CNI binaries (all scenarios)" },
                { host: "acs-mirror.azureedge.net", reason: "the environment's Kubernetes and CNI binaries (all scenarios)" },
                { host: "*.identity.azure.net", reason: "the jobs' managed identities (image pull, Key Vault references)" },
                { host: "*.login.microsoftonline.com", reason: "the jobs' managed identities" },
                { host: "*.login.microsoft.com", reason: "the jobs' managed identities" },
                { host: "login.microsoft.com", reason: "managed-identity tokens for the registry and Key Vault" },
            ],
        },
    ];
}
