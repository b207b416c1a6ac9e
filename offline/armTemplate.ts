/**
 * A plan's Azure resources as an ARM deployment template, the shape scanners such as Checkov read. Where each input
 * goes on the wire (top level or under `properties`, and under which name: azure-native's `enableHttpsTrafficOnly`
 * is ARM's `properties.supportsHttpsTrafficOnly`) is read from the Azure SDK for JavaScript's model mappers, whose
 * `serializedName` is the REST body path; the API version is the one the azure-native module says it uses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_SIG, SIG_KEY, UNKNOWN, type Graph, type GraphResource } from "./engine";

/** An SDK model mapper (@azure/core-client's `CompositeMapper` and friends), as far as the conversion reads it. */
interface Mapper {
    serializedName?: string;
    type: {
        name: string;
        className?: string;
        modelProperties?: Record<string, Mapper>;
        element?: Mapper;
        value?: Mapper;
        uberParent?: string;
        polymorphicDiscriminator?: { serializedName: string; clientName: string };
    };
}

interface MapperModule {
    [model: string]: unknown;
    discriminators?: Record<string, Mapper>;
}

/**
 * What each azure-native type is in ARM: its resource type, the SDK package and model that describe its request
 * body, and its template name (input keys and literal segments, joined by "/" for child resources).
 */
export interface ArmKind {
    armType: string;
    sdk: string;
    model: string;
    name: readonly string[];
}

/** Literal segments of a child resource's name (the singleton children Azure names "default"). */
const DEFAULT = "=default";

export const ARM_KINDS: Record<string, ArmKind> = {
    "azure-native:resources:ResourceGroup": { armType: "Microsoft.Resources/resourceGroups", sdk: "@azure/arm-resources", model: "ResourceGroup", name: ["resourceGroupName"] },
    "azure-native:apimanagement:ApiManagementService": { armType: "Microsoft.ApiManagement/service", sdk: "@azure/arm-apimanagement", model: "ApiManagementServiceResource", name: ["serviceName"] },
    "azure-native:apimanagement:Api": { armType: "Microsoft.ApiManagement/service/apis", sdk: "@azure/arm-apimanagement", model: "ApiCreateOrUpdateParameter", name: ["serviceName", "apiId"] },
    "azure-native:apimanagement:ApiPolicy": { armType: "Microsoft.ApiManagement/service/apis/policies", sdk: "@azure/arm-apimanagement", model: "PolicyContract", name: ["serviceName", "apiId", "policyId"] },
    "azure-native:apimanagement:Backend": { armType: "Microsoft.ApiManagement/service/backends", sdk: "@azure/arm-apimanagement", model: "BackendContract", name: ["serviceName", "backendId"] },
    "azure-native:apimanagement:NamedValue": { armType: "Microsoft.ApiManagement/service/namedValues", sdk: "@azure/arm-apimanagement", model: "NamedValueCreateContract", name: ["serviceName", "namedValueId"] },
    "azure-native:apimanagement:Policy": { armType: "Microsoft.ApiManagement/service/policies", sdk: "@azure/arm-apimanagement", model: "PolicyContract", name: ["serviceName", "policyId"] },
    "azure-native:authorization:PolicyAssignment": { armType: "Microsoft.Authorization/policyAssignments", sdk: "@azure/arm-policy", model: "PolicyAssignment", name: ["policyAssignmentName"] },
    "azure-native:authorization:RoleAssignment": { armType: "Microsoft.Authorization/roleAssignments", sdk: "@azure/arm-authorization", model: "RoleAssignmentCreateParameters", name: ["roleAssignmentName"] },
    "azure-native:authorization:RoleDefinition": { armType: "Microsoft.Authorization/roleDefinitions", sdk: "@azure/arm-authorization", model: "RoleDefinition", name: ["roleDefinitionId"] },
    "azure-native:cdn:Profile": { armType: "Microsoft.Cdn/profiles", sdk: "@azure/arm-cdn", model: "Profile", name: ["profileName"] },
    "azure-native:cdn:AFDCustomDomain": { armType: "Microsoft.Cdn/profiles/customDomains", sdk: "@azure/arm-cdn", model: "AFDDomain", name: ["profileName", "customDomainName"] },
    "azure-native:cdn:AFDEndpoint": { armType: "Microsoft.Cdn/profiles/afdEndpoints", sdk: "@azure/arm-cdn", model: "AFDEndpoint", name: ["profileName", "endpointName"] },
    "azure-native:cdn:AFDOriginGroup": { armType: "Microsoft.Cdn/profiles/originGroups", sdk: "@azure/arm-cdn", model: "AFDOriginGroup", name: ["profileName", "originGroupName"] },
    "azure-native:cdn:AFDOrigin": { armType: "Microsoft.Cdn/profiles/originGroups/origins", sdk: "@azure/arm-cdn", model: "AFDOrigin", name: ["profileName", "originGroupName", "originName"] },
    "azure-native:cdn:Route": { armType: "Microsoft.Cdn/profiles/afdEndpoints/routes", sdk: "@azure/arm-cdn", model: "Route", name: ["profileName", "endpointName", "routeName"] },
    "azure-native:cdn:SecurityPolicy": { armType: "Microsoft.Cdn/profiles/securityPolicies", sdk: "@azure/arm-cdn", model: "SecurityPolicy", name: ["profileName", "securityPolicyName"] },
    "azure-native:containerregistry:Registry": { armType: "Microsoft.ContainerRegistry/registries", sdk: "@azure/arm-containerregistry", model: "Registry", name: ["registryName"] },
    "azure-native:containerregistry:CacheRule": { armType: "Microsoft.ContainerRegistry/registries/cacheRules", sdk: "@azure/arm-containerregistry", model: "CacheRule", name: ["registryName", "cacheRuleName"] },
    "azure-native:containerregistry:CredentialSet": { armType: "Microsoft.ContainerRegistry/registries/credentialSets", sdk: "@azure/arm-containerregistry", model: "CredentialSet", name: ["registryName", "credentialSetName"] },
    "azure-native:containerservice:ManagedCluster": { armType: "Microsoft.ContainerService/managedClusters", sdk: "@azure/arm-containerservice", model: "ManagedCluster", name: ["resourceName"] },
    "azure-native:containerservice:AgentPool": { armType: "Microsoft.ContainerService/managedClusters/agentPools", sdk: "@azure/arm-containerservice", model: "AgentPool", name: ["resourceName", "agentPoolName"] },
    "azure-native:containerservice:MaintenanceConfiguration": { armType: "Microsoft.ContainerService/managedClusters/maintenanceConfigurations", sdk: "@azure/arm-containerservice", model: "MaintenanceConfiguration", name: ["resourceName", "configName"] },
    "azure-native:frontdoor:Policy": { armType: "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies", sdk: "@azure/arm-frontdoor", model: "WebApplicationFirewallPolicy", name: ["policyName"] },
    "azure-native:keyvault:Vault": { armType: "Microsoft.KeyVault/vaults", sdk: "@azure/arm-keyvault", model: "VaultCreateOrUpdateParameters", name: ["vaultName"] },
    "azure-native:keyvault:Key": { armType: "Microsoft.KeyVault/vaults/keys", sdk: "@azure/arm-keyvault", model: "KeyCreateParameters", name: ["vaultName", "keyName"] },
    "azure-native:managedidentity:UserAssignedIdentity": { armType: "Microsoft.ManagedIdentity/userAssignedIdentities", sdk: "@azure/arm-msi", model: "Identity", name: ["resourceName"] },
    "azure-native:managedidentity:FederatedIdentityCredential": { armType: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials", sdk: "@azure/arm-msi", model: "FederatedIdentityCredential", name: ["resourceName", "federatedIdentityCredentialResourceName"] },
    "azure-native:monitor:DiagnosticSetting": { armType: "Microsoft.Insights/diagnosticSettings", sdk: "@azure/arm-monitor", model: "DiagnosticSettingsResource", name: ["name"] },
    "azure-native:monitor:MetricAlert": { armType: "Microsoft.Insights/metricAlerts", sdk: "@azure/arm-monitor", model: "MetricAlertResource", name: ["ruleName"] },
    "azure-native:monitor:ActionGroup": { armType: "Microsoft.Insights/actionGroups", sdk: "@azure/arm-monitor", model: "ActionGroupResource", name: ["actionGroupName"] },
    "azure-native:network:VirtualNetwork": { armType: "Microsoft.Network/virtualNetworks", sdk: "@azure/arm-network", model: "VirtualNetwork", name: ["virtualNetworkName"] },
    "azure-native:network:Subnet": { armType: "Microsoft.Network/virtualNetworks/subnets", sdk: "@azure/arm-network", model: "Subnet", name: ["virtualNetworkName", "subnetName"] },
    "azure-native:network:NetworkSecurityGroup": { armType: "Microsoft.Network/networkSecurityGroups", sdk: "@azure/arm-network", model: "NetworkSecurityGroup", name: ["networkSecurityGroupName"] },
    "azure-native:network:RouteTable": { armType: "Microsoft.Network/routeTables", sdk: "@azure/arm-network", model: "RouteTable", name: ["routeTableName"] },
    "azure-native:network:Route": { armType: "Microsoft.Network/routeTables/routes", sdk: "@azure/arm-network", model: "Route", name: ["routeTableName", "routeName"] },
    "azure-native:network:PublicIPAddress": { armType: "Microsoft.Network/publicIPAddresses", sdk: "@azure/arm-network", model: "PublicIPAddress", name: ["publicIpAddressName"] },
    "azure-native:network:AzureFirewall": { armType: "Microsoft.Network/azureFirewalls", sdk: "@azure/arm-network", model: "AzureFirewall", name: ["azureFirewallName"] },
    "azure-native:network:FirewallPolicy": { armType: "Microsoft.Network/firewallPolicies", sdk: "@azure/arm-network", model: "FirewallPolicy", name: ["firewallPolicyName"] },
    "azure-native:network:FirewallPolicyRuleCollectionGroup": { armType: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", sdk: "@azure/arm-network", model: "FirewallPolicyRuleCollectionGroup", name: ["firewallPolicyName", "ruleCollectionGroupName"] },
    "azure-native:network:PrivateEndpoint": { armType: "Microsoft.Network/privateEndpoints", sdk: "@azure/arm-network", model: "PrivateEndpoint", name: ["privateEndpointName"] },
    "azure-native:network:PrivateDnsZoneGroup": { armType: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", sdk: "@azure/arm-network", model: "PrivateDnsZoneGroup", name: ["privateEndpointName", "privateDnsZoneGroupName"] },
    "azure-native:network:ApplicationGateway": { armType: "Microsoft.Network/applicationGateways", sdk: "@azure/arm-network", model: "ApplicationGateway", name: ["applicationGatewayName"] },
    "azure-native:network:WebApplicationFirewallPolicy": { armType: "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", sdk: "@azure/arm-network", model: "WebApplicationFirewallPolicy", name: ["policyName"] },
    "azure-native:operationalinsights:Workspace": { armType: "Microsoft.OperationalInsights/workspaces", sdk: "@azure/arm-operationalinsights", model: "Workspace", name: ["workspaceName"] },
    "azure-native:privatedns:PrivateZone": { armType: "Microsoft.Network/privateDnsZones", sdk: "@azure/arm-privatedns", model: "PrivateZone", name: ["privateZoneName"] },
    "azure-native:privatedns:VirtualNetworkLink": { armType: "Microsoft.Network/privateDnsZones/virtualNetworkLinks", sdk: "@azure/arm-privatedns", model: "VirtualNetworkLink", name: ["privateZoneName", "virtualNetworkLinkName"] },
    "azure-native:privatedns:PrivateRecordSet": { armType: "Microsoft.Network/privateDnsZones/A", sdk: "@azure/arm-privatedns", model: "RecordSet", name: ["privateZoneName", "relativeRecordSetName"] },
    "azure-native:storage:StorageAccount": { armType: "Microsoft.Storage/storageAccounts", sdk: "@azure/arm-storage", model: "StorageAccountCreateParameters", name: ["accountName"] },
    "azure-native:storage:BlobServiceProperties": { armType: "Microsoft.Storage/storageAccounts/blobServices", sdk: "@azure/arm-storage", model: "BlobServiceProperties", name: ["accountName", DEFAULT] },
    "azure-native:storage:BlobContainer": { armType: "Microsoft.Storage/storageAccounts/blobServices/containers", sdk: "@azure/arm-storage", model: "BlobContainer", name: ["accountName", DEFAULT, "containerName"] },
    "azure-native:storage:ManagementPolicy": { armType: "Microsoft.Storage/storageAccounts/managementPolicies", sdk: "@azure/arm-storage", model: "ManagementPolicy", name: ["accountName", DEFAULT] },
};

const mapperModules = new Map<string, MapperModule>();

/** An SDK package's mappers: not exported by the package, so read from its build (CommonJS, or ESM for the older ones). */
function mappersOf(sdk: string): MapperModule {
    let found = mapperModules.get(sdk);
    if (!found) {
        const root = path.dirname(require.resolve(`${sdk}/package.json`));
        const file = ["dist/commonjs/models/mappers.js", "dist-esm/src/models/mappers.js"].map((f) => path.join(root, f)).find((f) => fs.existsSync(f));
        if (!file) {
            throw new Error(`${sdk} has no models/mappers.js: pin a version generated with mappers (see package.json)`);
        }
        found = require(file) as MapperModule;
        mapperModules.set(sdk, found);
    }
    return found;
}

const apiVersions = new Map<string, string>();

/** The REST API version an azure-native resource uses, from its module's "Uses Azure REST API version" line. */
export function azureNativeApiVersion(pulumiType: string): string {
    let version = apiVersions.get(pulumiType);
    if (!version) {
        const [, module] = pulumiType.split(":");
        const dir = path.join(path.dirname(require.resolve("@pulumi/azure-native/package.json")), module!);
        const declaring = fs.readdirSync(dir).filter((f) => f.endsWith(".js")).find((f) => fs.readFileSync(path.join(dir, f), "utf8").includes(`__pulumiType = '${pulumiType}'`));
        const docs = declaring ? fs.readFileSync(path.join(dir, declaring.replace(/\.js$/, ".d.ts")), "utf8") : "";
        version = /Uses Azure REST API version ([\w-]+)\./.exec(docs)?.[1];
        if (!version) {
            throw new Error(`no API version found for ${pulumiType} in @pulumi/azure-native/${module}`);
        }
        apiVersions.set(pulumiType, version);
    }
    return version;
}

/** The path segments of a serializedName ("properties.odata\\.type" is two segments). */
function segments(serializedName: string): string[] {
    return serializedName.split(/(?<!\\)\./).map((s) => s.replace(/\\\./g, "."));
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
    let node = target;
    for (const key of keys.slice(0, -1)) {
        node = (node[key] ??= {}) as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
}

/** What the template holds for a secret or a value the plan does not know: never the secret itself. */
export const SECRET_PLACEHOLDER = "[secret]";
const UNKNOWN_PLACEHOLDER = "[unknown]";

/** A value with every secret replaced by a placeholder, and every value the plan does not know marked as such. */
export function redacted(value: unknown): unknown {
    if (value === UNKNOWN) {
        return UNKNOWN_PLACEHOLDER;
    }
    if (Array.isArray(value)) {
        return value.map(redacted);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            return SECRET_PLACEHOLDER;
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redacted(v)]));
    }
    return value;
}

class Converter {
    /** Nested input paths the SDK's model does not have (newer API fields), kept where they are. */
    readonly unmodelled: string[] = [];
    /** Top-level inputs that are not in the body: the request path's parameters (scope, resourceUri, parents' names). */
    readonly pathParameters: string[] = [];

    constructor(private readonly mappers: MapperModule) {}

    composite(className: string, value: Record<string, unknown>, at: string): Record<string, unknown> {
        let mapper = this.mappers[className] as Mapper | undefined;
        const discriminator = mapper?.type.polymorphicDiscriminator;
        if (mapper && discriminator) {
            const kind = value[discriminator.clientName];
            mapper = this.mappers.discriminators?.[`${mapper.type.uberParent ?? className}.${String(kind)}`] ?? mapper;
        }
        const properties = mapper?.type.modelProperties ?? {};
        // The SDK's client names differ from azure-native's in case only where they differ (enableRbac, enableRBAC).
        const byLowerCase = new Map(Object.entries(properties).map(([k, v]) => [k.toLowerCase(), v]));
        const body: Record<string, unknown> = {};
        for (const [key, field] of Object.entries(value)) {
            const property = properties[key] ?? byLowerCase.get(key.toLowerCase());
            if (!property?.serializedName) {
                // Below the resource, a field newer than the SDK's model keeps its name in place (no flattening there);
                // at the top, an unknown input is a request path parameter (scope, resourceUri), not part of the body.
                if (at === "") {
                    this.pathParameters.push(key);
                } else {
                    this.unmodelled.push(`${at}${key}`);
                    body[key] = field;
                }
                continue;
            }
            setPath(body, segments(property.serializedName), this.value(property, field, `${at}${key}.`));
        }
        return body;
    }

    value(mapper: Mapper, value: unknown, at: string): unknown {
        const { name, className, element, value: entry } = mapper.type;
        if (name === "Composite" && className && typeof value === "object" && value !== null && !Array.isArray(value)) {
            return this.composite(className, value as Record<string, unknown>, at);
        }
        if (name === "Sequence" && element && Array.isArray(value)) {
            return value.map((v, i) => this.value(element, v, `${at.slice(0, -1)}[${i}].`));
        }
        if (name === "Dictionary" && entry && typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(entry, v, `${at}${k}.`)]));
        }
        return value;
    }
}

export interface ArmResource {
    type: string;
    apiVersion: string;
    name: string;
    [field: string]: unknown;
}

export interface ArmConversion {
    template: { $schema: string; contentVersion: string; resources: ArmResource[] };
    /** Pulumi types in the plan with no ARM kind here (not Azure resources, or no SDK model). */
    skippedTypes: string[];
    /** `<urn>: <input path>` for nested inputs the SDK's model has no field for (kept in place). */
    unmodelled: string[];
}

function templateName(resource: GraphResource, kind: ArmKind): string {
    return kind.name.map((key) => (key.startsWith("=") ? key.slice(1) : String(resource.inputs[key] ?? resource.outputs["name"] ?? resource.name))).join("/");
}

/** One Azure resource's ARM body: its type, API version and template name, then its inputs where the SDK puts them. */
export function armResource(resource: GraphResource, kind: ArmKind): { resource: ArmResource; unmodelled: string[]; pathParameters: string[] } {
    const converter = new Converter(mappersOf(kind.sdk));
    const nameKeys = new Set(kind.name);
    // The request path's parameters (resource group, parent names) are not part of the body.
    const inputs = redacted(resource.inputs) as Record<string, unknown>;
    const body = Object.fromEntries(Object.entries(inputs).filter(([key]) => !nameKeys.has(key) && key !== "resourceGroupName"));
    const converted = converter.composite(kind.model, body, "");
    return {
        resource: { type: kind.armType, apiVersion: azureNativeApiVersion(resource.type), name: templateName(resource, kind), ...converted },
        unmodelled: converter.unmodelled,
        pathParameters: converter.pathParameters,
    };
}

/** Every Azure resource of a plan as one ARM template. */
export function toArmTemplate(graph: Graph): ArmConversion {
    const resources: ArmResource[] = [];
    const unmodelled: string[] = [];
    const skipped = new Set<string>();
    for (const resource of graph.resources) {
        const kind = ARM_KINDS[resource.type];
        if (!kind) {
            if (resource.type.startsWith("azure-native:")) {
                skipped.add(resource.type);
            }
            continue;
        }
        const converted = armResource(resource, kind);
        resources.push(converted.resource);
        unmodelled.push(...converted.unmodelled.map((p) => `${resource.urn}: ${p}`));
    }
    return {
        template: { $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", contentVersion: "1.0.0.0", resources },
        skippedTypes: [...skipped].sort(),
        unmodelled,
    };
}
