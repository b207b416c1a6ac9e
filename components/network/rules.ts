/**
 * NSG rules per subnet: explicit allows for what each service needs, then deny everything.
 * Pure data built from the address plan, so it is reviewed and tested as data.
 */
import type { NetworkConfig, SubnetRole } from "../../config";

export interface NsgRule {
    name: string;
    priority: number;
    direction: "Inbound" | "Outbound";
    access: "Allow" | "Deny";
    protocol: "Tcp" | "Udp" | "*";
    source: string;
    destination: string;
    ports: string[];
}

const denyAll = (direction: NsgRule["direction"]): NsgRule => ({
    name: `deny-all-${direction.toLowerCase()}`,
    priority: 4096,
    direction,
    access: "Deny",
    protocol: "*",
    source: "*",
    destination: "*",
    ports: ["*"],
});

const allow = (name: string, priority: number, direction: NsgRule["direction"], source: string, destination: string, ports: string[], protocol: NsgRule["protocol"] = "Tcp"): NsgRule => ({
    name,
    priority,
    direction,
    access: "Allow",
    protocol,
    source,
    destination,
    ports,
});

/** Subnets Azure forbids an NSG on (the firewall subnet is managed by the firewall itself). */
export const SUBNETS_WITHOUT_NSG: readonly SubnetRole[] = ["firewall"];

/** The rules of every subnet that carries an NSG. */
export function nsgRules(net: NetworkConfig, partnerSourceRanges: readonly string[] = []): Partial<Record<SubnetRole, NsgRule[]>> {
    const { subnets } = net;
    const nodeSubnets = [subnets.systemNodes, subnets.userNodes];
    const nodeRules = [
        // Nodes talk to each other (kubelet, overlay traffic, the private API server endpoint).
        ...nodeSubnets.map((cidr, i) => allow(`allow-nodes-${i}`, 100 + i, "Inbound", cidr, "VirtualNetwork", ["*"], "*")),
        // The internal load balancer forwards API Management's calls to the ingress gateway pods on the nodes.
        allow("allow-apim-to-ingress-gateway", 110, "Inbound", subnets.apim, "VirtualNetwork", ["443"]),
        // Phase-2 runners reach the private API server endpoint in the node subnet.
        allow("allow-runners-to-apiserver", 120, "Inbound", subnets.runners, "VirtualNetwork", ["443"]),
        allow("allow-azure-load-balancer", 130, "Inbound", "AzureLoadBalancer", "*", ["*"], "*"),
        denyAll("Inbound"),
    ];
    return {
        systemNodes: nodeRules,
        userNodes: nodeRules,
        apim: [
            // Only Front Door's backend addresses reach the gateway; X-Azure-FDID pins our own profile.
            allow("allow-frontdoor-backend", 100, "Inbound", "AzureFrontDoor.Backend", "VirtualNetwork", ["443"]),
            // Partners with client certificates call API Management directly, from their own ranges only.
            ...partnerSourceRanges.map((range, i) => allow(`allow-partner-${i}`, 101 + i, "Inbound", range, "VirtualNetwork", ["443"])),
            allow("allow-apim-management", 110, "Inbound", "ApiManagement", "VirtualNetwork", ["3443"]),
            allow("allow-azure-load-balancer", 120, "Inbound", "AzureLoadBalancer", "VirtualNetwork", ["6390"]),
            denyAll("Inbound"),
            allow("allow-storage", 100, "Outbound", "VirtualNetwork", "Storage", ["443"]),
            allow("allow-sql", 110, "Outbound", "VirtualNetwork", "Sql", ["1433"]),
            allow("allow-key-vault", 120, "Outbound", "VirtualNetwork", "AzureKeyVault", ["443"]),
            allow("allow-azure-monitor", 130, "Outbound", "VirtualNetwork", "AzureMonitor", ["1886", "443"]),
            allow("allow-entra-id", 140, "Outbound", "VirtualNetwork", "AzureActiveDirectory", ["443"]),
            allow("allow-ingress", 150, "Outbound", "VirtualNetwork", subnets.ingress, ["443"]),
            denyAll("Outbound"),
        ],
        ingress: [
            allow("allow-apim", 100, "Inbound", subnets.apim, subnets.ingress, ["443"]),
            // The regional edge, when it is Application Gateway, calls the ingress gateway directly.
            ...(subnets.appGateway === undefined ? [] : [allow("allow-appgateway", 105, "Inbound", subnets.appGateway, subnets.ingress, ["443"])]),
            allow("allow-azure-load-balancer", 110, "Inbound", "AzureLoadBalancer", "*", ["*"], "*"),
            denyAll("Inbound"),
        ],
        privateEndpoints: [
            allow("allow-vnet-https", 100, "Inbound", "VirtualNetwork", subnets.privateEndpoints, ["443"]),
            denyAll("Inbound"),
        ],
        runners: [denyAll("Inbound")],
        ...(subnets.appGateway === undefined
            ? {}
            : {
                  appGateway: [
                      allow("allow-gateway-manager", 100, "Inbound", "GatewayManager", "*", ["65200-65535"]),
                      allow("allow-https", 110, "Inbound", "Internet", subnets.appGateway, ["443"]),
                      // Answered only with a redirect to HTTPS.
                      allow("allow-http-redirect", 115, "Inbound", "Internet", subnets.appGateway, ["80"]),
                      allow("allow-azure-load-balancer", 120, "Inbound", "AzureLoadBalancer", "*", ["*"], "*"),
                      denyAll("Inbound"),
                  ],
              }),
    };
}
