/**
 * NSG rules per subnet: explicit allows for what each service needs, then deny everything.
 * Pure data built from the address plan, so it is reviewed and tested as data.
 */
import * as network from "@pulumi/azure-native/network";
import type * as types from "@pulumi/azure-native/types";
import type { NetworkConfig, SubnetRole } from "../../config";

export interface NsgRule {
    name: string;
    priority: number;
    direction: network.SecurityRuleDirection;
    access: network.SecurityRuleAccess;
    protocol: network.SecurityRuleProtocol;
    source: string;
    destination: string;
    /** Destination ports; `["*"]` is every port. */
    ports: string[];
}

/** What the rules depend on beyond the address plan. */
export interface NsgRuleInputs {
    /** The edge that calls the mesh ingress gateway's internal load balancer. */
    edge: "frontdoor" | "appgateway";
    /** The internal load balancer's frontend address (AKS load-balancing rules use floating IP, so packets keep it). */
    ingressLoadBalancerIp: string;
    /** Partner ranges that call API Management directly (frontdoor edge only). */
    partnerSourceRanges?: readonly string[];
    /** What API Management's own traffic depends on (frontdoor edge): its SKU and the JWT issuer it fetches keys from. */
    apim?: ApimNetworkNeeds;
}

export interface ApimNetworkNeeds {
    /** Premium runs several units that sync rate-limit counters and cache between themselves; Developer is one unit. */
    multiUnit: boolean;
    /** `gateway.jwt.issuer`: validate-jwt fetches its openid-configuration and signing keys. */
    jwtIssuer: string;
}

/**
 * Issuers Entra ID serves (v2.0 and v1 tokens), reached through the AzureActiveDirectory tag
 * (learn.microsoft.com/azure/api-management/virtual-network-reference, "Microsoft Entra integration").
 */
const ENTRA_ISSUER_HOSTS = ["login.microsoftonline.com", "sts.windows.net"];

/** Whether an issuer's keys come from Entra ID (the AzureActiveDirectory tag), or from elsewhere on the Internet. */
export function isEntraIssuer(issuer: string): boolean {
    return ENTRA_ISSUER_HOSTS.includes(new URL(issuer).hostname);
}

/** Partners' allow rules take priorities from here, one per range (the schema caps the ranges below the next band). */
const PARTNER_PRIORITY_BASE = 200;

const { Inbound, Outbound } = network.SecurityRuleDirection;
const { Tcp, Udp, Asterisk: AnyProtocol } = network.SecurityRuleProtocol;

const denyAll = (direction: network.SecurityRuleDirection): NsgRule => ({
    name: `deny-all-${direction.toLowerCase()}`,
    priority: 4096,
    direction,
    access: network.SecurityRuleAccess.Deny,
    protocol: AnyProtocol,
    source: "*",
    destination: "*",
    ports: ["*"],
});

const allow = (name: string, priority: number, direction: network.SecurityRuleDirection, source: string, destination: string, ports: string[], protocol: network.SecurityRuleProtocol = Tcp): NsgRule => ({
    name,
    priority,
    direction,
    access: network.SecurityRuleAccess.Allow,
    protocol,
    source,
    destination,
    ports,
});

/** Subnets Azure forbids an NSG on (the firewall subnet is managed by the firewall itself). */
export const SUBNETS_WITHOUT_NSG: readonly SubnetRole[] = ["firewall"];

/** The rules of every subnet that carries an NSG. */
export function nsgRules(net: NetworkConfig, inputs: NsgRuleInputs): Partial<Record<SubnetRole, NsgRule[]>> {
    const { subnets, podCidr } = net;
    const apiServer = subnets.apiServer;
    const nodeSubnets = [subnets.systemNodes, subnets.userNodes];
    const edgeSubnet = inputs.edge === "appgateway" ? subnets.appGateway : subnets.apim;
    const loadBalancer = `${inputs.ingressLoadBalancerIp}/32`;
    // Azure CNI Overlay does not encapsulate pod traffic, so these NSGs filter it: node -> node, node -> pod and
    // pod -> pod on every port and protocol (learn.microsoft.com/azure/aks/azure-cni-overlay#network-security-groups).
    // The pod CIDR is outside the VirtualNetwork tag, hence explicit rules in both directions.
    const clusterFlows = (direction: network.SecurityRuleDirection, base: number) => [
        ...nodeSubnets.map((cidr, i) => allow(`allow-nodes-${i}${direction === Outbound ? "-out" : ""}`, base + i, direction, cidr, "VirtualNetwork", ["*"], AnyProtocol)),
        ...nodeSubnets.map((cidr, i) => allow(`allow-nodes-${i}-to-pods${direction === Outbound ? "-out" : ""}`, base + 2 + i, direction, cidr, podCidr, ["*"], AnyProtocol)),
        allow(`allow-pods-to-pods${direction === Outbound ? "-out" : ""}`, base + 4, direction, podCidr, podCidr, ["*"], AnyProtocol),
    ];
    const nodeRules = [
        ...clusterFlows(Inbound, 100),
        // The internal load balancer has no NIC: its traffic is filtered at the backend nodes' subnets.
        ...(edgeSubnet === undefined ? [] : [allow("allow-edge-to-ingress-gateway", 110, Inbound, edgeSubnet, loadBalancer, ["443"])]),
        ...(apiServer === undefined
            // Phase-2 runners reach the private API server endpoint, which AKS puts in the node subnet.
            ? [allow("allow-runners-to-apiserver", 120, Inbound, subnets.runners, "VirtualNetwork", ["443"])]
            // With API Server VNet Integration the API server calls kubelets and webhooks from its delegated subnet.
            : [
                  allow("allow-apiserver-to-nodes", 120, Inbound, apiServer, "VirtualNetwork", ["*"]),
                  allow("allow-apiserver-to-pods", 121, Inbound, apiServer, podCidr, ["*"]),
              ]),
        allow("allow-azure-load-balancer", 130, Inbound, "AzureLoadBalancer", "*", ["*"], AnyProtocol),
        denyAll(Inbound),
        ...clusterFlows(Outbound, 100),
    ];
    const partners = inputs.edge === "frontdoor" ? inputs.partnerSourceRanges ?? [] : [];
    return {
        systemNodes: nodeRules,
        userNodes: nodeRules,
        apim: apimRules(subnets.apim, subnets.privateEndpoints, loadBalancer, partners, inputs.apim),
        // The ingress subnet holds only the load balancer's frontend address: nothing there has a NIC to filter.
        ingress: [
            allow("allow-azure-load-balancer", 110, Inbound, "AzureLoadBalancer", "*", ["*"], AnyProtocol),
            denyAll(Inbound),
        ],
        privateEndpoints: [
            allow("allow-vnet-https", 100, Inbound, "VirtualNetwork", subnets.privateEndpoints, ["443"]),
            denyAll(Inbound),
        ],
        // The runners' Container Apps environment (workload profiles): its infrastructure talks within the subnet, and
        // Azure Load Balancer reaches it on 30000-32676 (learn.microsoft.com/azure/container-apps/firewall-integration).
        // Nothing else comes in: the environment is internal and the jobs serve nothing.
        runners: [
            allow("allow-runners-subnet", 100, Inbound, subnets.runners, subnets.runners, ["*"], AnyProtocol),
            allow("allow-azure-load-balancer", 110, Inbound, "AzureLoadBalancer", subnets.runners, ["30000-32676"]),
            denyAll(Inbound),
        ],
        // learn.microsoft.com/azure/aks/api-server-vnet-integration#nsg-security-rules: nodes on 443 and 4443,
        // Azure Load Balancer's probes on 9988; and the runners deploy phase 2 through it.
        ...(apiServer === undefined ? {} : {
            apiServer: [
                ...nodeSubnets.map((cidr, i) => allow(`allow-nodes-${i}`, 100 + i, Inbound, cidr, apiServer, ["443", "4443"])),
                allow("allow-runners", 110, Inbound, subnets.runners, apiServer, ["443"]),
                allow("allow-azure-load-balancer", 120, Inbound, "AzureLoadBalancer", apiServer, ["9988"]),
                denyAll(Inbound),
                // Webhooks listen on pod addresses, which the VirtualNetwork tag of the default outbound rule omits.
                allow("allow-apiserver-to-pods-out", 100, Outbound, apiServer, podCidr, ["*"]),
            ],
        }),
        // The listener opens only with the appgateway edge; a subnet reserved for it otherwise admits nothing.
        ...(subnets.appGateway === undefined
            ? {}
            : {
                  appGateway: inputs.edge !== "appgateway" ? [denyAll(Inbound)] : [
                      allow("allow-gateway-manager", 100, Inbound, "GatewayManager", "*", ["65200-65535"]),
                      allow("allow-https", 110, Inbound, "Internet", subnets.appGateway, ["443"]),
                      // Answered only with a redirect to HTTPS.
                      allow("allow-http-redirect", 115, Inbound, "Internet", subnets.appGateway, ["80"]),
                      allow("allow-azure-load-balancer", 120, Inbound, "AzureLoadBalancer", "*", ["*"], AnyProtocol),
                      denyAll(Inbound),
                  ],
              }),
    };
}

/**
 * API Management in external VNet mode, from learn.microsoft.com/azure/api-management/virtual-network-reference
 * ("Required ports": every row marked required, and the optional ones the platform uses). Inbound 443 comes from
 * Front Door's backends only (and partners), not the Internet the doc allows. Not opened: Traffic Manager (one
 * region), Event Hubs and AzureConnectors (unused). DNS to Azure's resolver needs no rule: "DNS communication to
 * Azure DNS isn't subject to NSGs unless it's targeted via the AzurePlatformDNS service tag"
 * (learn.microsoft.com/azure/container-apps/firewall-integration; virtual-network/service-tags-overview). The "Internal infrastructure and diagnostics" FQDNs on 443 (Windows Update, Defender, Watson)
 * are not marked required and an NSG cannot name an FQDN: opening them would open all of the Internet on 443.
 */
function apimRules(apimSubnet: string, privateEndpoints: string, loadBalancer: string, partners: readonly string[], needs: ApimNetworkNeeds | undefined): NsgRule[] {
    // The units of one instance talk inside its subnet (the doc's VirtualNetwork rows, scoped to the subnet).
    const betweenUnits = (direction: network.SecurityRuleDirection, base: number) => needs?.multiUnit ? [
        allow(`allow-rate-limit-sync${direction === Outbound ? "-out" : ""}`, base, direction, apimSubnet, apimSubnet, ["4290"], Udp),
        allow(`allow-internal-cache${direction === Outbound ? "-out" : ""}`, base + 1, direction, apimSubnet, apimSubnet, ["6381-6383"]),
    ] : [];
    return [
        // Only Front Door's backend addresses reach the gateway; X-Azure-FDID pins our own profile.
        allow("allow-frontdoor-backend", 100, Inbound, "AzureFrontDoor.Backend", "VirtualNetwork", ["443"]),
        allow("allow-apim-management", 110, Inbound, "ApiManagement", "VirtualNetwork", ["3443"]),
        allow("allow-azure-load-balancer", 120, Inbound, "AzureLoadBalancer", "VirtualNetwork", ["6390"]),
        // "Monitoring of individual machine health (Optional)".
        allow("allow-machine-health", 125, Inbound, "AzureLoadBalancer", "VirtualNetwork", ["6391"]),
        // "Sync Counters for Rate Limit policies between machines" and the internal cache: without them each unit
        // counts alone and rate-limit-by-key admits up to units x the budget.
        ...betweenUnits(Inbound, 130),
        // Partners with client certificates call API Management directly, from their own ranges only.
        ...partners.map((range, i) => allow(`allow-partner-${i}`, PARTNER_PRIORITY_BASE + i, Inbound, range, "VirtualNetwork", ["443"])),
        denyAll(Inbound),
        allow("allow-storage", 100, Outbound, "VirtualNetwork", "Storage", ["443"]),
        allow("allow-sql", 110, Outbound, "VirtualNetwork", "Sql", ["1433"]),
        allow("allow-key-vault", 120, Outbound, "VirtualNetwork", "AzureKeyVault", ["443"]),
        // The platform Key Vault resolves to its private endpoint inside the VNet, which the tag above does not cover.
        allow("allow-private-endpoints", 125, Outbound, "VirtualNetwork", privateEndpoints, ["443"]),
        allow("allow-azure-monitor", 130, Outbound, "VirtualNetwork", "AzureMonitor", ["1886", "443"]),
        allow("allow-entra-id", 140, Outbound, "VirtualNetwork", "AzureActiveDirectory", ["443"]),
        allow("allow-ingress-gateway", 150, Outbound, "VirtualNetwork", loadBalancer, ["443"]),
        // "Validation and management of Microsoft-managed and customer-managed certificates" (required); also the
        // CRL and OCSP hosts of "TLS functionality", which serve chain building over HTTP.
        allow("allow-certificate-validation", 160, Outbound, "VirtualNetwork", "Internet", ["80"]),
        // validate-jwt fetches a non-Entra issuer's openid-configuration and keys over HTTPS from wherever it lives.
        ...(needs && !isEntraIssuer(needs.jwtIssuer) ? [allow("allow-jwt-issuer", 170, Outbound, "VirtualNetwork", "Internet", ["443"])] : []),
        ...betweenUnits(Outbound, 180),
        denyAll(Outbound),
    ];
}

/** The rule as ARM takes it: `*` goes in the singular port field, which alone documents it; lists in the plural. */
export function toSecurityRule(rule: NsgRule): types.input.network.SecurityRuleArgs {
    const every = rule.ports.length === 1 && rule.ports[0] === "*";
    return {
        name: rule.name,
        priority: rule.priority,
        direction: rule.direction,
        access: rule.access,
        protocol: rule.protocol,
        sourceAddressPrefix: rule.source,
        sourcePortRange: "*",
        destinationAddressPrefix: rule.destination,
        ...(every ? { destinationPortRange: "*" } : { destinationPortRanges: rule.ports }),
    };
}
