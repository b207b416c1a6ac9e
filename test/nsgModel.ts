/**
 * The network flows the platform needs, evaluated with Azure's semantics; test/planned/flows.ts holds them to the planned NSGs of both edges and both Azure
 * stacks, test/unit/nsgRules.ts to the rules module itself (no plan: fast enough for mutation testing). The flows are written from Microsoft's documentation (links per row), not from
 * components/network/rules.ts; the evaluator models how Azure applies NSGs
 * (learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works):
 * - inbound traffic is checked against the NSG of the destination's subnet, outbound against the source's;
 * - rules are processed by priority, lowest first, and the first rule that matches decides;
 * - after the custom rules come the default rules: inbound AllowVNetInBound 65000, AllowAzureLoadBalancerInBound
 *   65001, DenyAllInBound 65500; outbound AllowVnetOutBound 65000, AllowInternetOutBound 65001, DenyAllOutBound 65500;
 * - a service tag is a set of addresses we cannot enumerate: a flow's source or destination is either an
 *   address or a tag symbol, and a rule's tag matches only that symbol. `VirtualNetwork` is the VNet's address
 *   space (no peerings here); the overlay pod CIDR is not part of it (azure-cni-overlay#network-security-groups).
 */
import assert from "node:assert/strict";
import { contains, formatIpv4, parseCidr } from "../config/cidr";
import { DEV_APP_GATEWAY_SUBNET, rawConfig } from "./helpers";

export type Direction = "Inbound" | "Outbound";

export interface Rule {
    name: string;
    priority: number;
    direction: Direction;
    access: "Allow" | "Deny";
    protocol: string;
    sourceAddressPrefix: string;
    destinationAddressPrefix: string;
    destinationPortRange?: string;
    destinationPortRanges?: string[];
}

/** An endpoint: an address, optionally in a subnet whose NSG filters it, or a service tag outside the VNet. */
export interface Endpoint {
    address?: string;
    tag?: string;
    /** The subnet whose NSG sees this end's traffic (a pod's node subnet, an internal load balancer's backend subnet). */
    subnet?: string;
}

export interface Flow {
    why: string;
    from: Endpoint;
    to: Endpoint;
    port: number;
    protocol: "Tcp" | "Udp";
}

const DEFAULT_RULES: Rule[] = [
    { name: "AllowVNetInBound", priority: 65000, direction: "Inbound", access: "Allow", protocol: "*", sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "*" },
    { name: "AllowAzureLoadBalancerInBound", priority: 65001, direction: "Inbound", access: "Allow", protocol: "*", sourceAddressPrefix: "AzureLoadBalancer", destinationAddressPrefix: "*", destinationPortRange: "*" },
    { name: "DenyAllInBound", priority: 65500, direction: "Inbound", access: "Deny", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "*" },
    { name: "AllowVnetOutBound", priority: 65000, direction: "Outbound", access: "Allow", protocol: "*", sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "*" },
    { name: "AllowInternetOutBound", priority: 65001, direction: "Outbound", access: "Allow", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "Internet", destinationPortRange: "*" },
    { name: "DenyAllOutBound", priority: 65500, direction: "Outbound", access: "Deny", protocol: "*", sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "*" },
];

function inCidr(address: string, cidr: string): boolean {
    const range = parseCidr(cidr);
    const host = parseCidr(`${address}/32`);
    return range !== undefined && host !== undefined && contains(range, host);
}

function prefixMatches(prefix: string, end: Endpoint, vnet: string): boolean {
    if (prefix === "*") {
        return true;
    }
    if (prefix === "VirtualNetwork") {
        return end.address !== undefined && inCidr(end.address, vnet);
    }
    if (prefix === "Internet") {
        // Addresses outside the VNet that the tag symbols below stand for are not "Internet"; only the symbol is.
        return end.tag === "Internet";
    }
    if (/^\d/.test(prefix)) {
        return end.address !== undefined && inCidr(end.address, prefix);
    }
    return end.tag === prefix;
}

function portMatches(rule: Rule, port: number): boolean {
    const ranges = rule.destinationPortRange !== undefined ? [rule.destinationPortRange] : rule.destinationPortRanges ?? [];
    return ranges.some((r) => {
        if (r === "*") {
            return true;
        }
        const [low, high] = r.split("-").map(Number);
        return port >= low! && port <= (high ?? low)!;
    });
}

/** The first rule, custom then default, that matches; Azure's verdict for this direction. */
function evaluate(rules: Rule[], direction: Direction, flow: Flow, vnet: string): Rule {
    const ordered = [...rules.filter((r) => r.direction === direction)].sort((a, b) => a.priority - b.priority);
    const match = [...ordered, ...DEFAULT_RULES.filter((r) => r.direction === direction)].find((r) =>
        (r.protocol === "*" || r.protocol === flow.protocol)
        && prefixMatches(r.sourceAddressPrefix, flow.from, vnet)
        && prefixMatches(r.destinationAddressPrefix, flow.to, vnet)
        && portMatches(r, flow.port));
    return match!;
}

/** A network as Azure sees it: each subnet's prefix and its NSG's rules (none: no NSG), and the VNet's range. */
export interface NetworkView {
    subnets: { name: string; prefix: string; rules?: Rule[] }[];
    vnet: string;
}

/** Both directions: the source subnet's NSG outbound, the destination subnet's inbound. */
export function verdict(network: NetworkView, flow: Flow): string {
    const { subnets, vnet } = network;
    for (const [end, direction] of [[flow.from, "Outbound"], [flow.to, "Inbound"]] as const) {
        if (!end.subnet) {
            continue;
        }
        const subnet = subnets.find((s) => s.prefix === end.subnet);
        assert.ok(subnet, `no subnet ${end.subnet} in the network`);
        if (!subnet.rules) {
            continue;
        }
        const rule = evaluate(subnet.rules, direction, flow, vnet);
        if (rule.access === "Deny") {
            return `denied by ${subnet.name} ${direction} ${rule.name} (${rule.priority})`;
        }
    }
    return "allowed";
}

/** A host address inside a CIDR (by default the fifth: Azure keeps the first four of a subnet). */
export function host(cidr: string, offset = 4): string {
    return formatIpv4(parseCidr(cidr)!.base + offset);
}

export type Edge = "frontdoor" | "appgateway";

/** The stack's address plan as committed, with an App Gateway subnet in dev too for the appgateway edge. */
export function addressPlan(stack: "dev" | "prod") {
    const network = rawConfig(stack)["network"];
    return {
        ...network.subnets,
        appGateway: network.subnets.appGateway ?? (stack === "dev" ? DEV_APP_GATEWAY_SUBNET : undefined),
        podCidr: network.podCidr ?? "192.168.0.0/16",
    } as Record<string, string>;
}

/** What API Management's flows depend on besides the address plan: its SKU and the JWT issuer. */
export interface ApimSettings {
    sku: "Developer" | "Premium";
    jwtIssuer: string;
}

/** The committed stack's API Management settings. */
export function apimSettings(stack: "dev" | "prod"): ApimSettings {
    const gateway = rawConfig(stack)["gateway"];
    return { sku: gateway.apim.sku, jwtIssuer: gateway.jwt.issuer };
}

/** The flows the platform needs, with the document that requires each (the committed stack's plan by default). */
export function requiredFlows(stack: "dev" | "prod", edge: Edge, apim: ApimSettings = apimSettings(stack)): Flow[] {
    return requiredFlowsFor(addressPlan(stack), edge, apim);
}

/** Issuers Entra ID serves: its v2.0 and v1 token issuers (learn.microsoft.com/entra/identity-platform/access-token-claims-reference, "iss"). */
const ENTRA_ISSUERS = ["login.microsoftonline.com", "sts.windows.net"];

/** The flows for any address plan (keys as in `network.subnets`, plus `podCidr`). */
export function requiredFlowsFor(s: Record<string, string | undefined>, edge: Edge, apimConfig: ApimSettings): Flow[] {
    const podOn = (nodes: string, i: number) => ({ address: host(s.podCidr!, i * 256 + 10), subnet: nodes });
    const nodeIn = (nodes: string) => ({ address: host(nodes), subnet: nodes });
    const loadBalancer = (nodes: string) => ({ address: host(s.ingress!), subnet: nodes });
    const nodePools = [s.systemNodes!, s.userNodes!];
    const flows: Flow[] = [];
    // learn.microsoft.com/azure/aks/azure-cni-overlay#network-security-groups: node -> node, node -> pod and
    // pod -> pod on all ports and protocols (pod to pod and pod to service, DNS included).
    for (const a of nodePools) {
        for (const b of nodePools) {
            flows.push({ why: "pod to pod across nodes (an app calling another)", from: podOn(a, 1), to: podOn(b, 2), port: 8080, protocol: "Tcp" });
            flows.push({ why: "pod to CoreDNS on another node", from: podOn(a, 1), to: podOn(b, 3), port: 53, protocol: "Udp" });
            flows.push({ why: "sidecar to istiod's xDS on another node", from: podOn(a, 1), to: podOn(b, 4), port: 15012, protocol: "Tcp" });
            flows.push({ why: "node to pod (kubelet probes, service routing)", from: nodeIn(a), to: podOn(b, 5), port: 15021, protocol: "Tcp" });
            flows.push({ why: "node to node (kubelet, webhooks via konnectivity)", from: nodeIn(a), to: nodeIn(b), port: 10250, protocol: "Tcp" });
        }
    }
    // The internal load balancer has no NIC: the backend nodes' NSGs filter the edge's calls to it
    // (learn.microsoft.com/azure/load-balancer/load-balancer-faqs, "NSG on the backend").
    const edgeSubnet = edge === "appgateway" ? s.appGateway! : s.apim!;
    for (const nodes of nodePools) {
        flows.push({ why: `${edge === "appgateway" ? "Application Gateway" : "API Management"} to the mesh ingress gateway through the internal load balancer`, from: { address: host(edgeSubnet), subnet: edgeSubnet }, to: loadBalancer(nodes), port: 443, protocol: "Tcp" });
    }
    if (edge === "frontdoor") {
        // learn.microsoft.com/azure/api-management/api-management-using-with-vnet#configure-nsg-rules (external mode).
        const apim = { address: host(s.apim!), subnet: s.apim! };
        flows.push({ why: "Front Door's backends to API Management", from: { tag: "AzureFrontDoor.Backend" }, to: apim, port: 443, protocol: "Tcp" });
        flows.push({ why: "API Management's management endpoint", from: { tag: "ApiManagement" }, to: apim, port: 3443, protocol: "Tcp" });
        flows.push({ why: "Azure infrastructure load balancer to API Management", from: { tag: "AzureLoadBalancer" }, to: apim, port: 6390, protocol: "Tcp" });
        flows.push({ why: "API Management to Azure Storage (its dependencies)", from: apim, to: { tag: "Storage" }, port: 443, protocol: "Tcp" });
        flows.push({ why: "API Management to Azure SQL (its dependencies)", from: apim, to: { tag: "Sql" }, port: 1433, protocol: "Tcp" });
        flows.push({ why: "API Management to Azure Monitor", from: apim, to: { tag: "AzureMonitor" }, port: 1886, protocol: "Tcp" });
        flows.push({ why: "API Management to Entra ID", from: apim, to: { tag: "AzureActiveDirectory" }, port: 443, protocol: "Tcp" });
        flows.push({ why: "API Management to Key Vault (its certificates)", from: apim, to: { tag: "AzureKeyVault" }, port: 443, protocol: "Tcp" });
        flows.push({ why: "API Management to Azure Monitor over HTTPS", from: apim, to: { tag: "AzureMonitor" }, port: 443, protocol: "Tcp" });
        // api-management-howto-properties#key-vault-secrets: with a firewalled vault, through its private endpoint.
        flows.push({ why: "API Management to the platform Key Vault's private endpoint", from: apim, to: { address: host(s.privateEndpoints!), subnet: s.privateEndpoints! }, port: 443, protocol: "Tcp" });
        // learn.microsoft.com/azure/api-management/virtual-network-reference, "Required ports" (bold: required).
        flows.push({ why: "Validation and management of Microsoft-managed and customer-managed certificates", from: apim, to: { tag: "Internet" }, port: 80, protocol: "Tcp" });
        flows.push({ why: "Monitoring of individual machine health", from: { tag: "AzureLoadBalancer" }, to: apim, port: 6391, protocol: "Tcp" });
        // Same page, "TLS functionality": chain building and validation reach mscrl.microsoft.com, crl.microsoft.com,
        // oneocsp.microsoft.com, cacerts.digicert.com, crl3.digicert.com and csp.digicert.com, whose CRL, OCSP and
        // AIA URLs are http://.
        flows.push({ why: "TLS certificate chain building and validation (CRL, OCSP)", from: apim, to: { tag: "Internet" }, port: 80, protocol: "Tcp" });
        // validate-jwt reads the issuer's openid-configuration and signing keys: Entra ID through its tag ("Microsoft
        // Entra integration"), any other issuer wherever it is on the Internet.
        const entra = ENTRA_ISSUERS.includes(new URL(apimConfig.jwtIssuer).hostname);
        flows.push({ why: `validate-jwt fetches the keys of ${apimConfig.jwtIssuer}`, from: apim, to: { tag: entra ? "AzureActiveDirectory" : "Internet" }, port: 443, protocol: "Tcp" });
        if (apimConfig.sku === "Premium") {
            // Several units: "Sync Counters for Rate Limit policies between machines" and "Access internal Azure Cache
            // for Redis service for caching policies between machines", inbound and outbound between the units.
            const other = { address: host(s.apim!, 5), subnet: s.apim! };
            flows.push({ why: "Sync Counters for Rate Limit policies between machines", from: apim, to: other, port: 4290, protocol: "Udp" });
            for (const port of [6381, 6382, 6383]) {
                flows.push({ why: "Access internal Azure Cache for Redis service for caching policies between machines", from: apim, to: other, port, protocol: "Tcp" });
            }
        }
    } else {
        // learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups.
        const agw = { address: host(s.appGateway!), subnet: s.appGateway! };
        flows.push({ why: "clients to the Application Gateway listener", from: { tag: "Internet" }, to: agw, port: 443, protocol: "Tcp" });
        flows.push({ why: "clients to the HTTP-to-HTTPS redirect", from: { tag: "Internet" }, to: agw, port: 80, protocol: "Tcp" });
        flows.push({ why: "GatewayManager to the v2 infrastructure ports", from: { tag: "GatewayManager" }, to: agw, port: 65200, protocol: "Tcp" });
        flows.push({ why: "Azure infrastructure load balancer to Application Gateway", from: { tag: "AzureLoadBalancer" }, to: agw, port: 443, protocol: "Tcp" });
    }
    // learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview: probes come from AzureLoadBalancer
    // (168.63.129.16); the ingress gateway's internal load balancer probes the nodes.
    for (const nodes of nodePools) {
        flows.push({ why: "Azure Load Balancer's health probe to a node", from: { tag: "AzureLoadBalancer" }, to: nodeIn(nodes), port: 15021, protocol: "Tcp" });
    }
    // Private endpoints (Key Vault, Blob) answer the workloads on 443 (private-endpoint-overview).
    for (const nodes of nodePools) {
        flows.push({ why: "pods (SNAT to their node) to the private endpoints", from: nodeIn(nodes), to: { address: host(s.privateEndpoints!), subnet: s.privateEndpoints! }, port: 443, protocol: "Tcp" });
    }
    const runner = { address: host(s.runners!), subnet: s.runners! };
    if (s.apiServer === undefined) {
        // The phase-2 runner deploys through the private API server endpoint, which AKS puts in the node subnet.
        flows.push({ why: "runner to the private API server endpoint", from: runner, to: nodeIn(s.systemNodes!), port: 443, protocol: "Tcp" });
    } else {
        // learn.microsoft.com/azure/aks/api-server-vnet-integration#nsg-security-rules: cluster subnet -> API server
        // subnet on 443 and 4443, Azure Load Balancer -> API server subnet on 9988.
        const apiServer = { address: host(s.apiServer), subnet: s.apiServer };
        for (const nodes of nodePools) {
            flows.push({ why: "node to the API server's internal load balancer", from: nodeIn(nodes), to: apiServer, port: 443, protocol: "Tcp" });
            flows.push({ why: "node to the API server on 4443", from: nodeIn(nodes), to: apiServer, port: 4443, protocol: "Tcp" });
            // kubernetes.io/docs/concepts/architecture/control-plane-node-communication: the API server calls the
            // kubelet (logs, exec) and admission webhooks (a pod's port, e.g. Kyverno's 9443); here from its subnet.
            flows.push({ why: "API server to the kubelet", from: apiServer, to: nodeIn(nodes), port: 10250, protocol: "Tcp" });
            flows.push({ why: "API server to an admission webhook pod", from: apiServer, to: podOn(nodes, 6), port: 9443, protocol: "Tcp" });
        }
        flows.push({ why: "Azure Load Balancer's probe of the API server", from: { tag: "AzureLoadBalancer" }, to: apiServer, port: 9988, protocol: "Tcp" });
        flows.push({ why: "runner to the API server (phase 2)", from: runner, to: apiServer, port: 443, protocol: "Tcp" });
    }
    flows.push({ why: "runner to the Key Vault private endpoint (certificate import)", from: runner, to: { address: host(s.privateEndpoints!), subnet: s.privateEndpoints! }, port: 443, protocol: "Tcp" });
    // learn.microsoft.com/azure/container-apps/firewall-integration (workload profiles): the environment's
    // infrastructure talks within its subnet on any port, and Azure Load Balancer reaches it on 30000-32676.
    const otherRunner = { address: host(s.runners!, 5), subnet: s.runners! };
    flows.push({ why: "Container Apps infrastructure within the runners subnet", from: runner, to: otherRunner, port: 10250, protocol: "Tcp" });
    flows.push({ why: "Container Apps infrastructure within the runners subnet (UDP)", from: otherRunner, to: runner, port: 53, protocol: "Udp" });
    flows.push({ why: "Azure Load Balancer to the Container Apps environment", from: { tag: "AzureLoadBalancer" }, to: runner, port: 30000, protocol: "Tcp" });
    flows.push({ why: "Azure Load Balancer to the Container Apps environment (top of its range)", from: { tag: "AzureLoadBalancer" }, to: runner, port: 32676, protocol: "Tcp" });
    // The jobs pull the runner image and read the App's key through the registry's and the vault's private endpoints.
    flows.push({ why: "runner jobs to the registry's and the vault's private endpoints", from: otherRunner, to: { address: host(s.privateEndpoints!, 6), subnet: s.privateEndpoints! }, port: 443, protocol: "Tcp" });
    return flows;
}

/** What must stay closed: the Internet anywhere but the edge's listener, and the nodes from anything outside the VNet. */
export function forbiddenFlows(stack: "dev" | "prod", edge: Edge, apim: ApimSettings = apimSettings(stack)): Flow[] {
    return forbiddenFlowsFor(addressPlan(stack), edge, apim, rawConfig(stack)["network"].subnets.appGateway);
}

/** The forbidden flows for any address plan; `reserved` is an App Gateway subnet the stack keeps while the edge is Front Door. */
export function forbiddenFlowsFor(s: Record<string, string | undefined>, edge: Edge, apimConfig: ApimSettings, reserved: string | undefined): Flow[] {
    const internet = { tag: "Internet" };
    const flows: Flow[] = [
        { why: "Internet to a node's SSH", from: internet, to: { address: host(s.systemNodes!), subnet: s.systemNodes! }, port: 22, protocol: "Tcp" },
        { why: "Internet to the ingress gateway", from: internet, to: { address: host(s.ingress!), subnet: s.userNodes! }, port: 443, protocol: "Tcp" },
        { why: "Internet to a pod", from: internet, to: { address: host(s.podCidr!, 10), subnet: s.userNodes! }, port: 8080, protocol: "Tcp" },
        { why: "Internet to the private endpoints", from: internet, to: { address: host(s.privateEndpoints!), subnet: s.privateEndpoints! }, port: 443, protocol: "Tcp" },
        { why: "Internet to a runner", from: internet, to: { address: host(s.runners!), subnet: s.runners! }, port: 22, protocol: "Tcp" },
        // The runners' environment is internal and its jobs serve nothing: no other subnet reaches them.
        { why: "a node to a runner", from: { address: host(s.systemNodes!), subnet: s.systemNodes! }, to: { address: host(s.runners!), subnet: s.runners! }, port: 443, protocol: "Tcp" },
        { why: "Azure Load Balancer to a runner outside Container Apps' range", from: { tag: "AzureLoadBalancer" }, to: { address: host(s.runners!), subnet: s.runners! }, port: 22, protocol: "Tcp" },
    ];
    if (s.apiServer !== undefined) {
        flows.push({ why: "Internet to the API server", from: internet, to: { address: host(s.apiServer), subnet: s.apiServer }, port: 443, protocol: "Tcp" });
        flows.push({ why: "API Management to the API server", from: { address: host(s.apim!), subnet: s.apim! }, to: { address: host(s.apiServer), subnet: s.apiServer }, port: 443, protocol: "Tcp" });
    }
    // Allowed sources on other ports than the ones they need: the allows are narrow, not any-port.
    flows.push({ why: "a node to a private endpoint on SSH", from: { address: host(s.systemNodes!), subnet: s.systemNodes! }, to: { address: host(s.privateEndpoints!), subnet: s.privateEndpoints! }, port: 22, protocol: "Tcp" });
    if (edge === "frontdoor") {
        flows.push({ why: "Internet to API Management, bypassing Front Door", from: internet, to: { address: host(s.apim!), subnet: s.apim! }, port: 443, protocol: "Tcp" });
        flows.push({ why: "Front Door's backends to API Management's management port", from: { tag: "AzureFrontDoor.Backend" }, to: { address: host(s.apim!), subnet: s.apim! }, port: 3443, protocol: "Tcp" });
        const apim = { address: host(s.apim!), subnet: s.apim! };
        flows.push({ why: "API Management to the Internet on SSH", from: apim, to: internet, port: 22, protocol: "Tcp" });
        if (ENTRA_ISSUERS.includes(new URL(apimConfig.jwtIssuer).hostname)) {
            // Nothing on the Internet needs API Management's HTTPS when the issuer is Entra ID.
            flows.push({ why: "API Management to the Internet on 443 (Entra issuer)", from: apim, to: internet, port: 443, protocol: "Tcp" });
        }
        if (apimConfig.sku === "Developer") {
            flows.push({ why: "a single unit needs no rate-limit sync", from: apim, to: { address: host(s.apim!, 5), subnet: s.apim! }, port: 4290, protocol: "Udp" });
        }
        if (reserved !== undefined) {
            // A subnet the stack reserves for Application Gateway (prod) admits nothing while the edge is Front Door.
            flows.push({ why: "Internet to the reserved Application Gateway subnet", from: internet, to: { address: host(reserved), subnet: reserved }, port: 443, protocol: "Tcp" });
        }
    } else {
        flows.push({ why: "Internet to Application Gateway on a port it does not listen on", from: internet, to: { address: host(s.appGateway!), subnet: s.appGateway! }, port: 8443, protocol: "Tcp" });
    }
    return flows;
}

/**
 * What ARM accepts in a security rule (learn.microsoft.com/azure/virtual-network/network-security-groups-overview,
 * "Security rules"; resource naming rules for Microsoft.Network/networkSecurityGroups/securityRules): priority
 * 100-4096 unique per direction, a name of 1-80 word characters, '.', '-' or '_' starting with a word character and
 * ending with one or '_', unique in the NSG; ports `*`, a port or a range within 0-65535; prefixes `*`, an address,
 * a CIDR or a service tag.
 */
export const SERVICE_TAGS = ["VirtualNetwork", "Internet", "AzureLoadBalancer", "AzureFrontDoor.Backend", "ApiManagement", "Storage", "Sql", "AzureKeyVault", "AzureMonitor", "AzureActiveDirectory", "GatewayManager"];
const validPort = (p: string) => p === "*" || /^\d{1,5}(-\d{1,5})?$/.test(p) && p.split("-").every((n) => Number(n) <= 65535);
const validPrefix = (p: string) => p === "*" || SERVICE_TAGS.includes(p) || parseCidr(p) !== undefined || parseCidr(`${p}/32`) !== undefined;

export function armProblems(subnet: string, rules: Rule[] & Record<string, unknown>[]): string[] {
    const problems: string[] = [];
    const names = rules.map((r) => r.name);
    if (new Set(names).size !== names.length) {
        problems.push(`${subnet}: rule names repeat: ${names.join(",")}`);
    }
    for (const direction of ["Inbound", "Outbound"]) {
        const priorities = rules.filter((r) => r.direction === direction).map((r) => r.priority);
        if (new Set(priorities).size !== priorities.length) {
            problems.push(`${subnet}: ${direction} priorities repeat: ${priorities.join(",")}`);
        }
    }
    for (const r of rules) {
        const ports = r.destinationPortRange !== undefined ? [r.destinationPortRange] : r.destinationPortRanges ?? [];
        if (!/^\w[\w.-]{0,78}[\w]$|^\w$/.test(r.name)) problems.push(`${subnet}/${r.name}: not a valid rule name`);
        if (!(r.priority >= 100 && r.priority <= 4096)) problems.push(`${subnet}/${r.name}: priority ${r.priority}`);
        if (ports.length === 0 || !ports.every(validPort)) problems.push(`${subnet}/${r.name}: ports ${JSON.stringify(ports)}`);
        if (r["sourcePortRange"] !== "*") problems.push(`${subnet}/${r.name}: source port ${String(r["sourcePortRange"])}`);
        for (const prefix of [r.sourceAddressPrefix, r.destinationAddressPrefix]) {
            if (typeof prefix !== "string" || !validPrefix(prefix)) problems.push(`${subnet}/${r.name}: prefix ${String(prefix)}`);
        }
    }
    return problems;
}
