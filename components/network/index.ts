import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import type { NetworkConfig, SubnetRole } from "../../config";
import { addressInSubnet, FIRST_ASSIGNABLE_OFFSET } from "../../config/cidr";
import { sendDiagnostics } from "../shared/diagnostics";
import { standardPublicIp } from "../shared/publicIp";
import { required } from "../shared/required";
import { firewallRuleCollectionGroups, needsDnsProxy, type OptionalEgress, type RuleCollectionGroup } from "./firewallRules";
import { nsgRules, SUBNETS_WITHOUT_NSG, toSecurityRule, type ApimNetworkNeeds } from "./rules";

export interface NetworkArgs {
    /** Short name used in every Azure resource name, e.g. `platform-dev`. */
    namePrefix: string;
    /** Azure region, e.g. `westeurope`. */
    location: string;
    /** Validated address plan (see config/schema.ts). */
    config: NetworkConfig;
    /** Tags stamped on every resource. */
    tags: Record<string, string>;
    /** Log retention in days for the workspace (30 to 730). */
    logRetentionDays: number;
    /** Standard in dev; Premium in prod adds IDPS (intrusion detection and prevention) in Deny mode. */
    firewallTier: "Standard" | "Premium";
    /** Availability zones for the firewall and its public IP (the cluster's zones). */
    zones: string[];
    /** Private zone for the mesh ingress gateway's names, e.g. `aks-ingress.dev.platform.example.com`. */
    ingressDomain: string;
    /** The edge that calls the mesh ingress gateway: API Management behind Front Door, or Application Gateway. */
    edge: "frontdoor" | "appgateway";
    /** Partner address ranges allowed to reach API Management directly (client-certificate APIs, frontdoor edge). */
    partnerSourceRanges?: string[];
    /** API Management's own dependencies (frontdoor edge): multi-unit sync, the JWT issuer's keys. */
    apim?: ApimNetworkNeeds;
    /** Egress for optional features the stack turns on, and the alert receivers it names (firewallRules.ts). */
    optionalEgress?: OptionalEgress;
}

/** Private DNS zones the platform's private endpoints register in, by the sub-resource they serve. */
export const PRIVATE_DNS_ZONES = {
    vault: "privatelink.vaultcore.azure.net",
    blob: "privatelink.blob.core.windows.net",
    registry: "privatelink.azurecr.io",
} as const;

/** Subnets whose default route goes through the firewall: everything that runs workloads or deploys them. */
const SUBNETS_ROUTED_THROUGH_FIREWALL: readonly SubnetRole[] = ["systemNodes", "userNodes", "ingress", "runners"];

/** Subnet names in Azure (the firewall's is fixed by Azure). */
export const SUBNET_NAMES: Record<SubnetRole, string> = {
    systemNodes: "snet-aks-system",
    userNodes: "snet-aks-user",
    apim: "snet-apim",
    firewall: "AzureFirewallSubnet",
    privateEndpoints: "snet-private-endpoints",
    ingress: "snet-ingress",
    runners: "snet-runners",
    appGateway: "snet-appgw",
    apiServer: "snet-aks-apiserver",
};

/** Services that inject their own infrastructure into a subnet delegated to them: AKS's API server (api-server-vnet-integration), Container Apps. */
const SUBNET_DELEGATIONS: Partial<Record<SubnetRole, string>> = {
    apiServer: "Microsoft.ContainerService/managedClusters",
    // The runners' Container Apps workload profiles environment (learn.microsoft.com/azure/container-apps/custom-virtual-networks#subnet).
    runners: "Microsoft.App/environments",
};

/** Subnets the config may leave out: the App Gateway's (appgateway edge only) and the API server's (VNet Integration). */
type OptionalSubnetRole = "appGateway" | "apiServer";

/** Every subnet's id: the ones the schema requires always, the optional ones when configured. */
export type SubnetIds = Record<Exclude<SubnetRole, OptionalSubnetRole>, pulumi.Output<string>> & Partial<Record<OptionalSubnetRole, pulumi.Output<string>>>;

/**
 * The network every other part sits in: one resource group per stack, the VNet and its subnets,
 * one deny-by-default NSG per subnet, the Log Analytics workspace diagnostics go to, and Azure Firewall:
 * the only way out, reached through a route table on the workload subnets.
 */
export class Network extends pulumi.ComponentResource {
    public readonly resourceGroupName: pulumi.Output<string>;
    public readonly vnetId: pulumi.Output<string>;
    public readonly subnetIds: SubnetIds;
    public readonly logAnalyticsWorkspaceId: pulumi.Output<string>;
    public readonly routeTableId: pulumi.Output<string>;
    public readonly firewallPrivateIp: pulumi.Output<string>;
    /** The mesh ingress gateway's internal load balancer address, fixed so DNS can point at it before it exists. */
    public readonly ingressLoadBalancerIp: string;
    /** Zone ids for private endpoints' DNS records, linked to the VNet. */
    public readonly privateDnsZoneIds: Record<keyof typeof PRIVATE_DNS_ZONES, pulumi.Output<string>>;
    /** What must exist before anything uses `outboundType: userDefinedRouting`: the firewall, its rules, the default route. */
    public readonly egressReady: pulumi.Resource[];
    /**
     * The last subnet write. Every id in `subnetIds` resolves only after it, so whatever names a subnet (API
     * Management, the firewall, private endpoints, the cluster, Application Gateway) waits for all of them.
     */
    public readonly subnetsReady: pulumi.Resource;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, opts);
        const { location, tags, namePrefix } = args;

        const groupName = `rg-${namePrefix}`;
        const group = new resources.ResourceGroup(`${name}-rg`, {
            resourceGroupName: groupName,
            location,
            tags,
        }, { parent: this });
        // The name is ours, so it is known at preview (a create's `name` output is not), and through the URN it still
        // carries the dependency on the group: ARM ids built from it stay checkable before anything exists.
        const resourceGroupName = group.urn.apply(() => groupName);

        const workspace = new operationalinsights.Workspace(`${name}-logs`, {
            workspaceName: `log-${namePrefix}`,
            resourceGroupName,
            location,
            sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
            retentionInDays: args.logRetentionDays,
            tags,
        }, { parent: this, protect: true });

        const vnet = new network.VirtualNetwork(`${name}-vnet`, {
            virtualNetworkName: `vnet-${namePrefix}`,
            resourceGroupName,
            location,
            addressSpace: { addressPrefixes: [args.config.addressSpace] },
            tags,
        }, { parent: this });

        // Created empty before the subnets so they are associated on create; the default route follows the firewall.
        const routeTable = new network.RouteTable(`${name}-routes`, {
            routeTableName: `rt-${namePrefix}-egress`,
            resourceGroupName,
            location,
            // Routes from on-premises gateways must not bypass the firewall.
            disableBgpRoutePropagation: true,
            tags,
        }, { parent: this });

        const ingressLoadBalancerIp = addressInSubnet(args.config.subnets.ingress, FIRST_ASSIGNABLE_OFFSET);
        const { subnetIds, last } = declareSubnets(name, args, { resourceGroupName, vnet, routeTable, ingressLoadBalancerIp }, this);
        const zoneIds = declarePrivateDns(name, args, { resourceGroupName, vnet, ingressLoadBalancerIp }, this);

        const egress = this.firewall(name, args, resourceGroupName, subnetIds.firewall, routeTable, workspace);

        this.resourceGroupName = resourceGroupName;
        this.vnetId = vnet.id;
        this.subnetIds = subnetIds;
        this.logAnalyticsWorkspaceId = workspace.id;
        this.routeTableId = routeTable.id;
        this.firewallPrivateIp = egress.privateIp;
        this.egressReady = egress.ready;
        this.subnetsReady = last;
        this.privateDnsZoneIds = zoneIds;
        this.ingressLoadBalancerIp = ingressLoadBalancerIp;
        this.registerOutputs({
            resourceGroupName: this.resourceGroupName,
            vnetId: this.vnetId,
            logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
            routeTableId: this.routeTableId,
            firewallPrivateIp: this.firewallPrivateIp,
        });
    }

    /** Azure Firewall with its policy, the rule collection groups, diagnostics, and the default route to it. */
    private firewall(
        name: string,
        args: NetworkArgs,
        resourceGroupName: pulumi.Output<string>,
        subnetId: pulumi.Output<string>,
        routeTable: network.RouteTable,
        workspace: operationalinsights.Workspace,
    ): { privateIp: pulumi.Output<string>; ready: pulumi.Resource[] } {
        const { namePrefix, location, tags, zones } = args;
        const premium = args.firewallTier === "Premium";
        const ruleGroups = firewallRuleCollectionGroups(args.config, location, args.optionalEgress);
        const publicIp = standardPublicIp(`${name}-fw-pip`, { publicIpAddressName: `pip-${namePrefix}-fw`, resourceGroupName, location, zones, tags }, { parent: this });
        const policy = new network.FirewallPolicy(`${name}-fw-policy`, {
            firewallPolicyName: `afwp-${namePrefix}`,
            resourceGroupName,
            location,
            sku: { tier: args.firewallTier },
            threatIntelMode: network.AzureFirewallThreatIntelMode.Deny,
            intrusionDetection: premium ? { mode: network.FirewallPolicyIntrusionDetectionStateType.Deny } : undefined,
            // Only when a network rule names a host (an SMTP relay): the firewall then resolves it itself.
            dnsSettings: needsDnsProxy(ruleGroups) ? { enableProxy: true, requireProxyForNetworkRules: true } : undefined,
            tags,
        }, { parent: this });

        // Azure answers 409 to concurrent writes on one firewall policy: each group waits for the one before.
        let previous: pulumi.Resource = policy;
        for (const group of ruleGroups) {
            previous = new network.FirewallPolicyRuleCollectionGroup(`${name}-fw-rules-${group.name}`, {
                ruleCollectionGroupName: group.name,
                firewallPolicyName: policy.name,
                resourceGroupName,
                priority: group.priority,
                ruleCollections: ruleCollections(group),
            }, { parent: this, dependsOn: [previous] });
        }
        const lastRuleGroup = previous;

        const firewall = new network.AzureFirewall(`${name}-fw`, {
            azureFirewallName: `afw-${namePrefix}`,
            resourceGroupName,
            location,
            sku: { name: network.AzureFirewallSkuName.AZFW_VNet, tier: args.firewallTier },
            firewallPolicy: { id: policy.id },
            ipConfigurations: [{ name: "ipconfig", subnet: { id: subnetId }, publicIPAddress: { id: publicIp.id } }],
            zones,
            tags,
        }, { parent: this, dependsOn: [lastRuleGroup] });
        const privateIp = firewall.ipConfigurations.apply((configs) => required(configs?.[0]?.privateIPAddress, `private IP for afw-${namePrefix}`));

        sendDiagnostics(`${name}-fw-diagnostics`, { resourceUri: firewall.id, workspaceId: workspace.id }, { parent: this });

        const defaultRoute = new network.Route(`${name}-route-default`, {
            routeName: "default-via-firewall",
            routeTableName: routeTable.name,
            resourceGroupName,
            addressPrefix: "0.0.0.0/0",
            nextHopType: network.RouteNextHopType.VirtualAppliance,
            nextHopIpAddress: privateIp,
        }, { parent: this });

        return { privateIp, ready: [firewall, lastRuleGroup, defaultRoute] };
    }
}

/** One group's rules in the shape the Firewall Policy API takes. */
function ruleCollections(group: RuleCollectionGroup): network.FirewallPolicyRuleCollectionGroupArgs["ruleCollections"] {
    const allow = { type: network.FirewallPolicyFilterRuleCollectionActionType.Allow };
    return [
        ...(group.networkRules.length === 0 ? [] : [{
            ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
            name: `${group.name}-network`,
            priority: group.priority,
            action: allow,
            rules: group.networkRules.map((rule) => ({
                ruleType: "NetworkRule" as const,
                name: rule.name,
                sourceAddresses: rule.sources,
                destinationAddresses: rule.destinationAddresses.length === 0 ? undefined : rule.destinationAddresses,
                destinationFqdns: rule.destinationFqdns,
                destinationPorts: rule.ports,
                ipProtocols: rule.protocols,
            })),
        }]),
        ...(group.applicationRules.length === 0 ? [] : [{
            ruleCollectionType: "FirewallPolicyFilterRuleCollection" as const,
            name: `${group.name}-application`,
            priority: group.priority + 10,
            action: allow,
            rules: group.applicationRules.map((rule) => ({
                ruleType: "ApplicationRule" as const,
                name: rule.name,
                sourceAddresses: rule.sources,
                targetFqdns: rule.fqdnTag ? undefined : rule.fqdns,
                fqdnTags: rule.fqdnTag ? [rule.fqdnTag] : undefined,
                protocols: rule.protocols,
            })),
        }]),
    ];
}

interface NetworkParts {
    resourceGroupName: pulumi.Output<string>;
    vnet: network.VirtualNetwork;
    ingressLoadBalancerIp: string;
}

/**
 * Every configured subnet with its NSG (the rules from rules.ts), delegation and route, created one after another.
 * The ids handed out resolve after the last subnet: Azure fails a write that touches the VNet while a subnet is being
 * written ("AnotherOperationInProgress", "ReferencedResourceNotProvisioned ... PutSubnetOperation";
 * hashicorp/terraform-provider-azurerm#17649 and #30197), and a consumer of an early subnet would otherwise start
 * while later ones are still written.
 */
function declareSubnets(name: string, args: NetworkArgs, parts: NetworkParts & { routeTable: network.RouteTable }, parent: pulumi.Resource): { subnetIds: SubnetIds; last: pulumi.Resource } {
    const { resourceGroupName, vnet, routeTable, ingressLoadBalancerIp } = parts;
    const { location, tags, namePrefix } = args;
    const rules = nsgRules(args.config, { edge: args.edge, ingressLoadBalancerIp, partnerSourceRanges: args.partnerSourceRanges, apim: args.apim });
    // Azure rejects concurrent writes to one VNet's subnets (AnotherOperationInProgress): create them in order.
    let previous: network.Subnet | undefined;
    const declared: network.Subnet[] = [];
    const declareSubnet = (role: SubnetRole, addressPrefix: string): network.Subnet => {
        const subnetRules = SUBNETS_WITHOUT_NSG.includes(role) ? undefined : rules[role];
        const delegatedTo = SUBNET_DELEGATIONS[role];
        const nsg = subnetRules && new network.NetworkSecurityGroup(`${name}-nsg-${role}`, {
            networkSecurityGroupName: `nsg-${namePrefix}-${SUBNET_NAMES[role].replace(/^snet-/, "")}`,
            resourceGroupName,
            location,
            securityRules: subnetRules.map(toSecurityRule),
            tags,
        }, { parent });
        const subnet: network.Subnet = new network.Subnet(`${name}-subnet-${role}`, {
            subnetName: SUBNET_NAMES[role],
            resourceGroupName,
            virtualNetworkName: vnet.name,
            addressPrefix,
            networkSecurityGroup: nsg ? { id: nsg.id } : undefined,
            routeTable: SUBNETS_ROUTED_THROUGH_FIREWALL.includes(role) ? { id: routeTable.id } : undefined,
            delegations: delegatedTo === undefined ? undefined : [{ name: "delegation", serviceName: delegatedTo }],
            // No implicit outbound IP: egress leaves only through the firewall.
            defaultOutboundAccess: false,
            privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
        }, { parent, dependsOn: previous ? [previous] : [] });
        previous = subnet;
        declared.push(subnet);
        return subnet;
    };
    // In the schema's order (the order they are created in); the optional ones only when configured.
    const subnets = args.config.subnets;
    const roles = {
        systemNodes: declareSubnet("systemNodes", subnets.systemNodes),
        userNodes: declareSubnet("userNodes", subnets.userNodes),
        apim: declareSubnet("apim", subnets.apim),
        firewall: declareSubnet("firewall", subnets.firewall),
        privateEndpoints: declareSubnet("privateEndpoints", subnets.privateEndpoints),
        ingress: declareSubnet("ingress", subnets.ingress),
        runners: declareSubnet("runners", subnets.runners),
        appGateway: subnets.appGateway === undefined ? undefined : declareSubnet("appGateway", subnets.appGateway),
        apiServer: subnets.apiServer === undefined ? undefined : declareSubnet("apiServer", subnets.apiServer),
    };
    const last = declared.at(-1)!;
    // The subnet's id, known only once the last subnet write has finished (the output carries both dependencies).
    const afterLast = (subnet: network.Subnet) => pulumi.all([subnet.id, last.id]).apply(([id]) => id);
    const subnetIds = Object.fromEntries(Object.entries(roles).filter(([, subnet]) => subnet !== undefined).map(([role, subnet]) => [role, afterLast(subnet!)])) as SubnetIds;
    return { subnetIds, last };
}

/** The private endpoints' DNS zones, and the ingress domain resolving to the ingress gateway's load balancer, all linked to the VNet. */
function declarePrivateDns(name: string, args: NetworkArgs, parts: NetworkParts, parent: pulumi.Resource): Record<keyof typeof PRIVATE_DNS_ZONES, pulumi.Output<string>> {
    const { resourceGroupName, vnet, ingressLoadBalancerIp } = parts;
    const { tags, namePrefix } = args;
    // A private DNS zone that answers inside this VNet.
    const linkedZone = (key: string, zoneName: string) => {
        const zone = new privatedns.PrivateZone(`${name}-dns-${key}`, {
            privateZoneName: zoneName,
            resourceGroupName,
            location: "global",
            tags,
        }, { parent });
        new privatedns.VirtualNetworkLink(`${name}-dns-${key}-link`, {
            virtualNetworkLinkName: `link-${namePrefix}`,
            privateZoneName: zone.name,
            resourceGroupName,
            location: "global",
            virtualNetwork: { id: vnet.id },
            registrationEnabled: false,
            tags,
        }, { parent });
        return zone;
    };
    const zoneIds = Object.fromEntries(Object.entries(PRIVATE_DNS_ZONES).map(([groupId, zoneName]) => [groupId, linkedZone(groupId, zoneName).id])) as
        Record<keyof typeof PRIVATE_DNS_ZONES, pulumi.Output<string>>;

    // `*.aks-ingress.<domain>` resolves inside the VNet to the ingress gateway's internal load balancer.
    const ingressZone = linkedZone("ingress", args.ingressDomain);
    new privatedns.PrivateRecordSet(`${name}-dns-ingress-wildcard`, {
        privateZoneName: ingressZone.name,
        resourceGroupName,
        recordType: "A",
        relativeRecordSetName: "*",
        ttl: 300,
        aRecords: [{ ipv4Address: ingressLoadBalancerIp }],
    }, { parent });
    return zoneIds;
}
