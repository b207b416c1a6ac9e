/**
 * The firewall's allow-list as data: what AKS needs to run (images come from the platform registry's private endpoint),
 * and what the phase-2 runners (components/runners/egress.ts) contact. Anything not listed is denied by the firewall's default.
 */
import type { NetworkConfig, ReceiverEndpoint } from "../../config";
import { isAddress } from "../../config/egress";
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
    /** IP ranges or service tags. */
    destinationAddresses: string[];
    /** DNS names (no wildcards): the firewall resolves them, which needs its DNS proxy (see `needsDnsProxy`). */
    destinationFqdns?: string[];
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

/**
 * An application rule's port "cannot be greater than 64000" (FirewallPolicyRuleApplicationProtocol, the API azure-native
 * 3.28 sends): a webhook on a higher port goes through a network rule by name instead.
 */
const APPLICATION_RULE_MAX_PORT = 64000;

/**
 * The critical-alert receivers' egress from the nodes (Alertmanager and Falco run there, SNAT to the node), exactly
 * the hosts and ports the config names: HTTPS webhooks as application rules (TLS SNI checked), SMTP and addresses
 * as network rules (application rules speak only HTTP, HTTPS and MSSQL: firewall-faq).
 */
function receiverRules(nodes: string[], receivers: readonly ReceiverEndpoint[]): Pick<RuleCollectionGroup, "networkRules" | "applicationRules"> {
    const name = (r: ReceiverEndpoint) => r.key.split(".").at(-1)!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const byApplicationRule = (r: ReceiverEndpoint) => r.protocol === "https" && !isAddress(r.host) && r.port <= APPLICATION_RULE_MAX_PORT;
    return {
        applicationRules: receivers.filter(byApplicationRule).map((r) => ({ name: name(r), sources: nodes, fqdns: [r.host], protocols: [{ protocolType: "Https" as const, port: r.port }] })),
        networkRules: receivers.filter((r) => !byApplicationRule(r)).map((r) => ({
            name: name(r),
            sources: nodes,
            destinationAddresses: isAddress(r.host) ? [r.host] : [],
            ...(isAddress(r.host) ? {} : { destinationFqdns: [r.host] }),
            ports: [String(r.port)],
            protocols: ["TCP" as const],
        })),
    };
}

/**
 * "You must enable DNS Proxy to use FQDNs in your network rules" (learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules).
 */
export function needsDnsProxy(groups: readonly RuleCollectionGroup[]): boolean {
    return groups.some((g) => g.networkRules.some((r) => (r.destinationFqdns ?? []).length > 0));
}

/** Egress that follows from optional features (each off unless the stack turns it on). */
export interface OptionalEgress {
    /** Container insights (the SIEM's data collection): the Azure Monitor agent on the nodes. */
    containerInsights?: boolean;
    /** The token issuer's host (`gateway.jwt.issuer`): istiod reads its OpenID configuration and signing keys there. */
    tokenIssuerHost?: string;
    /** The critical-alert receivers the config names (webhook, SMTP relay, SIEM webhook): exactly their hosts and ports. */
    alertReceivers?: readonly ReceiverEndpoint[];
}

/** Egress rule collection groups, in the order they are created (see Network: one write at a time). */
export function firewallRuleCollectionGroups(net: NetworkConfig, location: string, optional: OptionalEgress = {}): RuleCollectionGroup[] {
    const receivers = optional.alertReceivers ?? [];
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
                // The mesh's RequestAuthentications name no jwksUri: istiod fetches the issuer's OpenID configuration and
                // keys (istio.io reference/config/security/request_authentication, jwksUri) from the nodes.
                ...(optional.tokenIssuerHost ? [{ name: "token-issuer", sources: nodes, fqdns: [optional.tokenIssuerHost], protocols: https }] : []),
                ...(optional.containerInsights ? [{
                    name: "container-insights",
                    sources: nodes,
                    fqdns: ["*.monitoring.azure.com", "global.handler.control.monitor.azure.com", `${location}.handler.control.monitor.azure.com`, "*.ingest.monitor.azure.com"],
                    protocols: https,
                }] : []),
            ],
        },
        ...(receivers.length === 0 ? [] : [{ name: "alert-receivers", priority: 200, ...receiverRules(nodes, receivers) }]),
        {
            name: "deploy-runners",
            priority: 300,
            networkRules: [],
            // Host by host with its reason and source in components/runners/egress.ts.
            applicationRules: runnerEgress().map((group) => ({ name: group.rule, sources: runners, fqdns: group.hosts.map((h) => h.host), protocols: https })),
        },
    ];
}
