import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import type { NetworkConfig, SubnetRole } from "../../config";
import { nsgRules, SUBNETS_WITHOUT_NSG } from "./rules";

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
    /** Protect state-bearing resources (the log workspace) from deletion. */
    protectStateful: boolean;
}

/** Azure's fixed name for the firewall's subnet. */
const SUBNET_NAMES: Record<SubnetRole, string> = {
    systemNodes: "snet-aks-system",
    userNodes: "snet-aks-user",
    apim: "snet-apim",
    firewall: "AzureFirewallSubnet",
    privateEndpoints: "snet-private-endpoints",
    ingress: "snet-ingress",
    runners: "snet-runners",
    appGateway: "snet-appgw",
};

/**
 * The network every other part sits in: one resource group per stack, the VNet and its subnets,
 * one deny-by-default NSG per subnet, and the Log Analytics workspace diagnostics go to.
 */
export class Network extends pulumi.ComponentResource {
    public readonly resourceGroupName: pulumi.Output<string>;
    public readonly vnetId: pulumi.Output<string>;
    public readonly subnetIds: Record<SubnetRole, pulumi.Output<string> | undefined>;
    public readonly logAnalyticsWorkspaceId: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, opts);
        const { location, tags, namePrefix } = args;

        const group = new resources.ResourceGroup(`${name}-rg`, {
            resourceGroupName: `rg-${namePrefix}`,
            location,
            tags,
        }, { parent: this });
        const resourceGroupName = group.name;

        const workspace = new operationalinsights.Workspace(`${name}-logs`, {
            workspaceName: `log-${namePrefix}`,
            resourceGroupName,
            location,
            sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
            retentionInDays: args.logRetentionDays,
            tags,
        }, { parent: this, protect: args.protectStateful });

        const vnet = new network.VirtualNetwork(`${name}-vnet`, {
            virtualNetworkName: `vnet-${namePrefix}`,
            resourceGroupName,
            location,
            addressSpace: { addressPrefixes: [args.config.addressSpace] },
            tags,
        }, { parent: this });

        const rules = nsgRules(args.config);
        const subnetIds: Partial<Record<SubnetRole, pulumi.Output<string>>> = {};
        // Azure rejects concurrent writes to one VNet's subnets (AnotherOperationInProgress): create them in order.
        let previous: pulumi.Resource | undefined;
        for (const [role, addressPrefix] of Object.entries(args.config.subnets) as [SubnetRole, string | undefined][]) {
            if (addressPrefix === undefined) {
                continue;
            }
            const subnetRules = SUBNETS_WITHOUT_NSG.includes(role) ? undefined : rules[role];
            const nsg = subnetRules && new network.NetworkSecurityGroup(`${name}-nsg-${role}`, {
                networkSecurityGroupName: `nsg-${namePrefix}-${SUBNET_NAMES[role].replace(/^snet-/, "")}`,
                resourceGroupName,
                location,
                securityRules: subnetRules.map((rule) => ({
                    name: rule.name,
                    priority: rule.priority,
                    direction: rule.direction,
                    access: rule.access,
                    protocol: rule.protocol,
                    sourceAddressPrefix: rule.source,
                    sourcePortRange: "*",
                    destinationAddressPrefix: rule.destination,
                    destinationPortRanges: rule.ports,
                })),
                tags,
            }, { parent: this });
            const subnet: network.Subnet = new network.Subnet(`${name}-subnet-${role}`, {
                subnetName: SUBNET_NAMES[role],
                resourceGroupName,
                virtualNetworkName: vnet.name,
                addressPrefix,
                networkSecurityGroup: nsg ? { id: nsg.id } : undefined,
                // No implicit outbound IP: egress leaves only through the firewall.
                defaultOutboundAccess: false,
                privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.Enabled,
            }, { parent: this, dependsOn: previous ? [previous] : [] });
            subnetIds[role] = subnet.id;
            previous = subnet;
        }

        this.resourceGroupName = resourceGroupName;
        this.vnetId = vnet.id;
        this.subnetIds = { ...subnetIds } as Record<SubnetRole, pulumi.Output<string> | undefined>;
        this.logAnalyticsWorkspaceId = workspace.id;
        this.registerOutputs({
            resourceGroupName: this.resourceGroupName,
            vnetId: this.vnetId,
            logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
        });
    }
}
