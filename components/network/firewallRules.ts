/**
 * The firewall's allow-list as data: what AKS needs to run (images come from the platform registry's private endpoint),
 * and what the phase-2 runners (components/runners/egress.ts) contact. Anything not listed is denied by the firewall's default.
 */
import type { NetworkConfig } from "../../config";
import { runnerEgress } from "../runners/egress";

export interface ApplicationRule {
    name: string;
    sources: string[];
    /** FQDNs (wildcards allowed) or, when `fqdnTag` is set, none. */
    fqdns: string[];
    fqdnTag?: string;
    /** HTTPS only, except where a service documents plain HTTP (AKS's tag covers package repositories). */
    protocols: { protocolType: "Https" | "Http"; port: number }[];
}

export interface NetworkRule {
    name: string;
    sources: string[];
    /** IP ranges or service tags (FQDNs in network rules would need the firewall's DNS proxy). */
    destinationAddresses: string[];
    ports: string[];
    protocols: ("TCP" | "UDP")[];
}

export interface RuleCollectionGroup {
    /** Azure name of the group; also its position in the chain. */
    name: string;
    priority: number;
    networkRules: NetworkRule[];
    applicationRules: ApplicationRule[];
}

const https = [{ protocolType: "Https" as const, port: 443 }];

/** Egress that follows from optional features (each off unless the stack turns it on). */
export interface OptionalEgress {
    /** Container insights (the SIEM's data collection): the Azure Monitor agent on the nodes. */
    containerInsights?: boolean;
}

/** Egress rule collection groups, in the order they are created (see Network: one write at a time). */
export function firewallRuleCollectionGroups(net: NetworkConfig, location: string, optional: OptionalEgress = {}): RuleCollectionGroup[] {
    const nodes = [net.subnets.systemNodes, net.subnets.userNodes];
    const runners = [net.subnets.runners];
    return [
        {
            name: "aks-required",
            priority: 100,
            // No NTP rule: nodes provisioned since 2021 sync time from the Hyper-V host, not the internet.
            networkRules: [
                // Azure Monitor and Defender ingestion by service tag (regional).
                { name: "azure-monitor", sources: nodes, destinationAddresses: [`AzureMonitor.${location}`], ports: ["443"], protocols: ["TCP"] },
            ],
            applicationRules: [
                {
                    name: "aks-fqdn-tag",
                    sources: nodes,
                    fqdns: [],
                    fqdnTag: "AzureKubernetesService",
                    protocols: [{ protocolType: "Https", port: 443 }, { protocolType: "Http", port: 80 }],
                },
                // New nodes check these before they provision; the FQDN tag does not always carry them.
                { name: "aks-node-bootstrap", sources: nodes, fqdns: ["packages.aks.azure.com", "acs-mirror.azureedge.net"], protocols: https },
                // The Azure Policy add-on's required FQDNs (learn.microsoft.com/azure/aks/outbound-rules-control-egress#azure-policy).
                { name: "azure-policy", sources: nodes, fqdns: ["data.policy.core.windows.net", "store.policy.core.windows.net", "dc.services.visualstudio.com"], protocols: https },
                // cert-manager's ACME issuer (DNS-01 needs only Azure DNS, reached through the FQDN tag's ARM hosts).
                { name: "acme", sources: nodes, fqdns: ["acme-v02.api.letsencrypt.org", "acme-staging-v02.api.letsencrypt.org"], protocols: https },
                { name: "defender", sources: nodes, fqdns: ["*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.cloud.defender.microsoft.com"], protocols: https },
                // learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-firewall (Azure public cloud):
                // the agent's rules and ingestion; *.ods/*.oms.opinsights and dc.services.visualstudio.com are allowed
                // above, login.microsoftonline.com by the FQDN tag.
                ...(optional.containerInsights ? [{
                    name: "container-insights",
                    sources: nodes,
                    fqdns: ["*.monitoring.azure.com", "global.handler.control.monitor.azure.com", `${location}.handler.control.monitor.azure.com`, "*.ingest.monitor.azure.com"],
                    protocols: https,
                }] : []),
            ],
        },
        {
            name: "deploy-runners",
            priority: 300,
            networkRules: [],
            // Host by host with its reason and source in components/runners/egress.ts.
            applicationRules: runnerEgress().map((group) => ({ name: group.rule, sources: runners, fqdns: group.hosts.map((h) => h.host), protocols: https })),
        },
    ];
}
