/**
 * Offline stand-ins for the providers. In preview mode they answer as the engine does for a create:
 * inputs echoed, ids and computed outputs unknown. In update mode they compute what Azure would return
 * (ARM ids built from names, identities' principal ids), derived from the inputs, never from a test.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

export const MOCK_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001";
export const MOCK_TENANT_ID = "00000000-0000-4000-8000-000000000002";
/** The identity `pulumi up` runs as (a CI workload identity). */
export const MOCK_DEPLOYER_OBJECT_ID = "00000000-0000-4000-8000-000000000003";

/** A stable UUID from a seed, so two runs of the same stack produce the same graph. */
export function stableUuid(seed: string): string {
    const hex = createHash("sha256").update(seed).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** ARM resource types of the azure-native tokens the program declares: token -> [provider namespace, type path]. */
const ARM_TYPES: Record<string, [string, string]> = {
    "azure-native:network:VirtualNetwork": ["Microsoft.Network", "virtualNetworks"],
    "azure-native:network:NetworkSecurityGroup": ["Microsoft.Network", "networkSecurityGroups"],
    "azure-native:network:RouteTable": ["Microsoft.Network", "routeTables"],
    "azure-native:network:PublicIPAddress": ["Microsoft.Network", "publicIPAddresses"],
    "azure-native:network:AzureFirewall": ["Microsoft.Network", "azureFirewalls"],
    "azure-native:network:FirewallPolicy": ["Microsoft.Network", "firewallPolicies"],
    "azure-native:network:PrivateEndpoint": ["Microsoft.Network", "privateEndpoints"],
    "azure-native:network:PrivateDnsZone": ["Microsoft.Network", "privateDnsZones"],
    "azure-native:operationalinsights:Workspace": ["Microsoft.OperationalInsights", "workspaces"],
    "azure-native:keyvault:Vault": ["Microsoft.KeyVault", "vaults"],
    "azure-native:storage:StorageAccount": ["Microsoft.Storage", "storageAccounts"],
    "azure-native:managedidentity:UserAssignedIdentity": ["Microsoft.ManagedIdentity", "userAssignedIdentities"],
    "azure-native:containerservice:ManagedCluster": ["Microsoft.ContainerService", "managedClusters"],
    "azure-native:apimanagement:ApiManagementService": ["Microsoft.ApiManagement", "service"],
    "azure-native:cdn:Profile": ["Microsoft.Cdn", "profiles"],
};

/** Child resources whose ARM id nests under a parent named by another input. */
const NESTED_ARM_TYPES: Record<string, { parentInput: string; parentPath: string; childPath: string }> = {
    "azure-native:network:Subnet": { parentInput: "virtualNetworkName", parentPath: "Microsoft.Network/virtualNetworks", childPath: "subnets" },
};

/** azure-native names a resource by `<camelCaseTypeName>Name`, e.g. VirtualNetwork -> virtualNetworkName. */
function azureName(type: string, inputs: Record<string, unknown>, fallback: string): string {
    const typeName = type.split(":")[2] ?? "";
    const key = `${typeName.charAt(0).toLowerCase()}${typeName.slice(1)}Name`;
    const value = inputs[key] ?? inputs["name"];
    return typeof value === "string" ? value : fallback;
}

function armId(type: string, inputs: Record<string, unknown>, name: string): string {
    const subscription = `/subscriptions/${MOCK_SUBSCRIPTION_ID}`;
    if (type === "azure-native:resources:ResourceGroup") {
        return `${subscription}/resourceGroups/${name}`;
    }
    const group = `${subscription}/resourceGroups/${String(inputs["resourceGroupName"] ?? "unknown")}`;
    const nested = NESTED_ARM_TYPES[type];
    if (nested) {
        return `${group}/providers/${nested.parentPath}/${String(inputs[nested.parentInput])}/${nested.childPath}/${name}`;
    }
    const [namespace, typePath] = ARM_TYPES[type] ?? [`Microsoft.${type.split(":")[1]}`, type.split(":")[2]];
    return `${group}/providers/${namespace}/${typePath}/${name}`;
}

/** Outputs Azure computes that the program reads. */
function computedOutputs(type: string, inputs: Record<string, unknown>, id: string): Record<string, unknown> {
    const identity = inputs["identity"] as { type?: string } | undefined;
    const outputs: Record<string, unknown> = {};
    if (type === "azure-native:managedidentity:UserAssignedIdentity") {
        Object.assign(outputs, { principalId: stableUuid(`${id}/principal`), clientId: stableUuid(`${id}/client`), tenantId: MOCK_TENANT_ID });
    }
    if (identity?.type?.includes("SystemAssigned")) {
        outputs["identity"] = { ...identity, principalId: stableUuid(`${id}/principal`), tenantId: MOCK_TENANT_ID };
    }
    if (type === "azure-native:operationalinsights:Workspace") {
        outputs["customerId"] = stableUuid(`${id}/customer`);
    }
    return outputs;
}

export class PlatformMocks implements pulumi.runtime.Mocks {
    constructor(private readonly preview: boolean) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        if (args.type === "random:index/randomString:RandomString" && !this.preview) {
            // The provider returns a string of the requested length; derive it from the name so runs agree.
            const length = Number(args.inputs["length"]);
            return { id: `${args.name}-id`, state: { ...args.inputs, result: createHash("sha256").update(args.name).digest("hex").slice(0, length) } };
        }
        if (this.preview || !args.type.startsWith("azure-native:")) {
            // A create in preview: the engine knows the inputs and nothing else.
            return { id: this.preview ? undefined : `${args.name}-id`, state: args.inputs };
        }
        const name = azureName(args.type, args.inputs, args.name);
        const id = armId(args.type, args.inputs, name);
        return { id, state: { ...args.inputs, name, id, ...computedOutputs(args.type, args.inputs, id) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        switch (args.token) {
            case "azure-native:authorization:getClientConfig":
                return { clientId: stableUuid("deployer/client"), objectId: MOCK_DEPLOYER_OBJECT_ID, subscriptionId: MOCK_SUBSCRIPTION_ID, tenantId: MOCK_TENANT_ID };
            default:
                // An invoke nobody modelled must be noticed, not answered with an empty object.
                throw new Error(`offline mocks: no model for invoke ${args.token}; add one to offline/mocks.ts`);
        }
    }
}
