/**
 * The offline model of the providers: what azure-native, kubernetes, tls and random answer for a create and an
 * invoke. In preview mode it answers as the engine does for a create: inputs echoed, ids and computed outputs
 * unknown. In update mode it computes what Azure would return (ARM ids built from names, identities' principal
 * ids), derived from the inputs, never from a test. Two front ends use it: `PlatformMocks` (the SDK's mocks, for
 * `npm run plan` and the tests) and the stand-in provider plugins the real engine runs (`offline/standins/`).
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
// The wire format's marker for a value the engine does not know yet.
import { unknownValue as UNKNOWN_VALUE } from "@pulumi/pulumi/runtime/rpc";
// Azure's GUIDs are stable per resource here (so two runs of a stack produce the same graph).
import { deterministicGuid } from "../components/shared/guid";
import { addressInSubnet, FIRST_ASSIGNABLE_OFFSET } from "../config/cidr";

export const MOCK_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001";
export const MOCK_TENANT_ID = "00000000-0000-4000-8000-000000000002";
/** The identity `pulumi up` runs as (a CI workload identity). */
export const MOCK_DEPLOYER_OBJECT_ID = "00000000-0000-4000-8000-000000000003";

/** ARM resource types of the azure-native tokens the program declares: token -> [provider namespace, type path]. */
const ARM_TYPES: Record<string, [string, string]> = {
    "azure-native:network:VirtualNetwork": ["Microsoft.Network", "virtualNetworks"],
    "azure-native:network:NetworkSecurityGroup": ["Microsoft.Network", "networkSecurityGroups"],
    "azure-native:network:RouteTable": ["Microsoft.Network", "routeTables"],
    "azure-native:network:PublicIPAddress": ["Microsoft.Network", "publicIPAddresses"],
    "azure-native:network:ApplicationGateway": ["Microsoft.Network", "applicationGateways"],
    "azure-native:network:WebApplicationFirewallPolicy": ["Microsoft.Network", "ApplicationGatewayWebApplicationFirewallPolicies"],
    "azure-native:network:AzureFirewall": ["Microsoft.Network", "azureFirewalls"],
    "azure-native:network:FirewallPolicy": ["Microsoft.Network", "firewallPolicies"],
    "azure-native:network:PrivateEndpoint": ["Microsoft.Network", "privateEndpoints"],
    "azure-native:privatedns:PrivateZone": ["Microsoft.Network", "privateDnsZones"],
    "azure-native:operationalinsights:Workspace": ["Microsoft.OperationalInsights", "workspaces"],
    "azure-native:keyvault:Vault": ["Microsoft.KeyVault", "vaults"],
    "azure-native:storage:StorageAccount": ["Microsoft.Storage", "storageAccounts"],
    "azure-native:managedidentity:UserAssignedIdentity": ["Microsoft.ManagedIdentity", "userAssignedIdentities"],
    "azure-native:containerservice:ManagedCluster": ["Microsoft.ContainerService", "managedClusters"],
    "azure-native:apimanagement:ApiManagementService": ["Microsoft.ApiManagement", "service"],
    "azure-native:cdn:Profile": ["Microsoft.Cdn", "profiles"],
    "azure-native:monitor:ActionGroup": ["Microsoft.Insights", "actionGroups"],
    "azure-native:monitor:MetricAlert": ["Microsoft.Insights", "metricAlerts"],
    "azure-native:monitor:DataCollectionRule": ["Microsoft.Insights", "dataCollectionRules"],
    "azure-native:app:ManagedEnvironment": ["Microsoft.App", "managedEnvironments"],
    "azure-native:app:Job": ["Microsoft.App", "jobs"],
};

/** Child resources whose ARM id nests under a parent named by another input. */
const NESTED_ARM_TYPES: Record<string, { parentInput: string; parentPath: string; childPath: string }> = {
    "azure-native:network:Subnet": { parentInput: "virtualNetworkName", parentPath: "Microsoft.Network/virtualNetworks", childPath: "subnets" },
    "azure-native:network:Route": { parentInput: "routeTableName", parentPath: "Microsoft.Network/routeTables", childPath: "routes" },
    "azure-native:network:FirewallPolicyRuleCollectionGroup": { parentInput: "firewallPolicyName", parentPath: "Microsoft.Network/firewallPolicies", childPath: "ruleCollectionGroups" },
    "azure-native:privatedns:VirtualNetworkLink": { parentInput: "privateZoneName", parentPath: "Microsoft.Network/privateDnsZones", childPath: "virtualNetworkLinks" },
    "azure-native:network:PrivateDnsZoneGroup": { parentInput: "privateEndpointName", parentPath: "Microsoft.Network/privateEndpoints", childPath: "privateDnsZoneGroups" },
    "azure-native:storage:BlobServiceProperties": { parentInput: "accountName", parentPath: "Microsoft.Storage/storageAccounts", childPath: "blobServices" },
    "azure-native:storage:BlobContainer": { parentInput: "accountName", parentPath: "Microsoft.Storage/storageAccounts", childPath: "blobServices/default/containers" },
    "azure-native:managedidentity:FederatedIdentityCredential": { parentInput: "resourceName", parentPath: "Microsoft.ManagedIdentity/userAssignedIdentities", childPath: "federatedIdentityCredentials" },
    "azure-native:containerservice:AgentPool": { parentInput: "resourceName", parentPath: "Microsoft.ContainerService/managedClusters", childPath: "agentPools" },
    "azure-native:containerservice:MaintenanceConfiguration": { parentInput: "resourceName", parentPath: "Microsoft.ContainerService/managedClusters", childPath: "maintenanceConfigurations" },
    "azure-native:apimanagement:Certificate": { parentInput: "serviceName", parentPath: "Microsoft.ApiManagement/service", childPath: "certificates" },
    "azure-native:keyvault:Secret": { parentInput: "vaultName", parentPath: "Microsoft.KeyVault/vaults", childPath: "secrets" },
};

/** Extension resources: their ARM id hangs off the resource they apply to. */
const EXTENSION_ARM_TYPES: Record<string, { scopeInput: string; path: string }> = {
    "azure-native:authorization:RoleAssignment": { scopeInput: "scope", path: "Microsoft.Authorization/roleAssignments" },
    "azure-native:authorization:PolicyAssignment": { scopeInput: "scope", path: "Microsoft.Authorization/policyAssignments" },
    "azure-native:monitor:DiagnosticSetting": { scopeInput: "resourceUri", path: "Microsoft.Insights/diagnosticSettings" },
};

/** Resources whose name input is not `<camelCaseTypeName>Name`. */
const NAME_INPUT: Record<string, string> = {
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
    "azure-native:managedidentity:FederatedIdentityCredential": "federatedIdentityCredentialResourceName",
    "azure-native:containerservice:MaintenanceConfiguration": "configName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:storage:BlobServiceProperties": "blobServicesName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:authorization:RoleDefinition": "roleDefinitionId",
    "azure-native:apimanagement:ApiManagementService": "serviceName",
    "azure-native:apimanagement:Api": "apiId",
    "azure-native:apimanagement:Backend": "backendId",
    "azure-native:apimanagement:Certificate": "certificateId",
    "azure-native:apimanagement:NamedValue": "namedValueId",
    "azure-native:apimanagement:Policy": "policyId",
    "azure-native:apimanagement:ApiPolicy": "policyId",
    "azure-native:cdn:AFDEndpoint": "endpointName",
    "azure-native:cdn:AFDOrigin": "originName",
    "azure-native:cdn:AFDOriginGroup": "originGroupName",
    "azure-native:cdn:AFDCustomDomain": "customDomainName",
    "azure-native:monitor:DiagnosticSetting": "name",
    "azure-native:monitor:MetricAlert": "ruleName",
    "azure-native:network:WebApplicationFirewallPolicy": "policyName",
    "azure-native:app:ManagedEnvironment": "environmentName",
};

/** azure-native names a resource by `<camelCaseTypeName>Name` (VirtualNetwork -> virtualNetworkName, any case of "IP"). */
function azureName(type: string, inputs: Record<string, unknown>, fallback: string): string {
    const typeKey = `${type.split(":")[2] ?? ""}Name`.toLowerCase();
    const key = NAME_INPUT[type] ?? Object.keys(inputs).find((k) => k.toLowerCase() === typeKey);
    const value = key === undefined ? undefined : inputs[key];
    return typeof value === "string" ? value : fallback;
}

function armId(type: string, inputs: Record<string, unknown>, name: string): string {
    const subscription = `/subscriptions/${MOCK_SUBSCRIPTION_ID}`;
    if (type === "azure-native:resources:ResourceGroup") {
        return `${subscription}/resourceGroups/${name}`;
    }
    if (type === "azure-native:authorization:RoleDefinition") {
        // Custom roles live at the subscription whatever scope they were created at.
        return `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${name}`;
    }
    const extension = EXTENSION_ARM_TYPES[type];
    if (extension) {
        return `${String(inputs[extension.scopeInput])}/providers/${extension.path}/${name}`;
    }
    const group = `${subscription}/resourceGroups/${String(inputs["resourceGroupName"] ?? "unknown")}`;
    const nested = NESTED_ARM_TYPES[type];
    if (nested) {
        return `${group}/providers/${nested.parentPath}/${String(inputs[nested.parentInput])}/${nested.childPath}/${name}`;
    }
    const [namespace, typePath] = ARM_TYPES[type] ?? [`Microsoft.${type.split(":")[1]}`, type.split(":")[2]];
    return `${group}/providers/${namespace}/${typePath}/${name}`;
}


/**
 * Computed properties nested in objects the inputs already hold: top-level outputs missing from a preview's
 * state are unknown anyway, but these would otherwise look known and empty.
 */
function previewComputed(type: string, inputs: Record<string, any>): Record<string, unknown> {
    const identity = inputs["identity"] as { type?: string } | undefined;
    // A system-assigned identity's principal exists once Azure has created the resource.
    const computed = identity?.type?.includes("SystemAssigned") ? { identity: { ...identity, principalId: UNKNOWN_VALUE, tenantId: UNKNOWN_VALUE } } : {};
    switch (type) {
        case "azure-native:containerservice:ManagedCluster":
            return { ...computed, oidcIssuerProfile: { ...inputs["oidcIssuerProfile"], issuerURL: UNKNOWN_VALUE } };
        case "azure-native:keyvault:Vault":
            return { ...computed, properties: { ...inputs["properties"], vaultUri: UNKNOWN_VALUE } };
        case "azure-native:network:AzureFirewall":
            return { ...computed, ipConfigurations: (inputs["ipConfigurations"] ?? []).map((c: object) => ({ ...c, privateIPAddress: UNKNOWN_VALUE })) };
        default:
            return computed;
    }
}

/** PEM-shaped stand-ins: the program handles them as text (no key material is generated offline). */
function pem(label: string, seed: string): string {
    const body = Buffer.from(`offline ${label.toLowerCase()} of ${seed}`).toString("base64");
    return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** The instant offline certificates are issued at: @pulumi/tls stamps the creation time, then adds validityPeriodHours. */
const MOCK_ISSUED_AT = Date.parse("2026-12-01T00:00:00Z");
const validityEnd = (inputs: Record<string, unknown>) => new Date(MOCK_ISSUED_AT + Number(inputs["validityPeriodHours"]) * 3_600_000).toISOString().replace(/\.000Z$/, "Z");

/** What `@pulumi/tls` computes, by resource type. */
const TLS_OUTPUTS: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> = {
    "tls:index/privateKey:PrivateKey": (name) => ({ privateKeyPem: pem("PRIVATE KEY", name), privateKeyPemPkcs8: pem("PRIVATE KEY", `${name} (PKCS #8)`), publicKeyPem: pem("PUBLIC KEY", name) }),
    "tls:index/selfSignedCert:SelfSignedCert": (name, inputs) => ({ certPem: pem("CERTIFICATE", name), validityEndTime: validityEnd(inputs) }),
    "tls:index/certRequest:CertRequest": (name) => ({ certRequestPem: pem("CERTIFICATE REQUEST", name) }),
    "tls:index/locallySignedCert:LocallySignedCert": (name, inputs) => ({ certPem: pem("CERTIFICATE", name), validityEndTime: validityEnd(inputs) }),
};

/**
 * What "the cloud" remembers between calls: earlier creates that later creates and invokes read (a subnet's
 * prefix, a cluster's address). One deployment's memory for the mocks; a folder for the stand-in plugins, since
 * every CLI command starts them afresh.
 */
export interface CloudMemory {
    get(key: string): unknown;
    set(key: string, value: unknown): void;
    delete(key: string): void;
}

export class InMemoryCloud implements CloudMemory {
    private readonly entries = new Map<string, unknown>();
    get(key: string): unknown {
        return this.entries.get(key);
    }
    set(key: string, value: unknown): void {
        this.entries.set(key, value);
    }
    delete(key: string): void {
        this.entries.delete(key);
    }
}

interface ClusterRecord {
    location: string;
    privateFqdn: string;
}

const subnetKey = (id: string) => `subnet:${id}`;
const clusterKey = (name: string) => `cluster:${name}`;

export interface Created {
    /** Undefined in preview: the engine has no id before the create. */
    id: string | undefined;
    state: Record<string, unknown>;
}

export class OfflineCloud {
    constructor(private readonly memory: CloudMemory = new InMemoryCloud()) {}

    /** A create of `type` named `name` (the URN's last part) with these inputs, as the provider answers it. */
    create(type: string, name: string, inputs: Record<string, unknown>, preview: boolean): Created {
        if (type === "random:index/randomString:RandomString" && !preview) {
            // The provider returns a string of the requested length; derive it from the name so runs agree.
            const length = Number(inputs["length"]);
            return { id: `${name}-id`, state: { ...inputs, result: createHash("sha256").update(name).digest("hex").slice(0, length) } };
        }
        if (type === "random:index/randomPassword:RandomPassword" && !preview) {
            // A changed input (a keeper) replaces the password, so the value follows the inputs as well as the name.
            const length = Number(inputs["length"]);
            const result = createHash("sha256").update(`${name}/${JSON.stringify(inputs)}`).digest("hex").slice(0, length);
            return { id: `${name}-id`, state: { ...inputs, result } };
        }
        const tlsOutputs = TLS_OUTPUTS[type];
        if (tlsOutputs && !preview) {
            return { id: `${name}-id`, state: { ...inputs, ...tlsOutputs(name, inputs) } };
        }
        if (preview || !type.startsWith("azure-native:")) {
            // A create in preview: the engine knows the inputs and nothing else.
            return { id: preview ? undefined : `${name}-id`, state: { ...inputs, ...(preview ? previewComputed(type, inputs) : {}) } };
        }
        const azure = azureName(type, inputs, name);
        const id = armId(type, inputs, azure);
        return { id, state: { ...inputs, name: azure, id, ...this.computedOutputs(type, inputs, id, azure) } };
    }

    /** A delete: Azure forgets what the resource's later readers would have found. */
    delete(type: string, id: string, state: Record<string, unknown>): void {
        if (type === "azure-native:network:Subnet") {
            this.memory.delete(subnetKey(id));
        } else if (type === "azure-native:containerservice:ManagedCluster") {
            this.memory.delete(clusterKey(String(state["name"])));
        }
    }

    /** Outputs Azure computes that the program reads. */
    private computedOutputs(type: string, inputs: Record<string, any>, id: string, name: string): Record<string, unknown> {
        const identity = inputs["identity"] as { type?: string } | undefined;
        const outputs: Record<string, unknown> = {};
        if (identity?.type?.includes("SystemAssigned")) {
            outputs["identity"] = { ...identity, principalId: deterministicGuid(`${id}/principal`), tenantId: MOCK_TENANT_ID };
        }
        switch (type) {
            case "azure-native:managedidentity:UserAssignedIdentity":
                return { ...outputs, principalId: deterministicGuid(`${id}/principal`), clientId: deterministicGuid(`${id}/client`), tenantId: MOCK_TENANT_ID };
            case "azure-native:operationalinsights:Workspace":
                return { ...outputs, customerId: deterministicGuid(`${id}/customer`) };
            case "azure-native:cdn:Profile":
                return { ...outputs, frontDoorId: deterministicGuid(`${id}/frontdoor`) };
            case "azure-native:cdn:AFDEndpoint":
                return { ...outputs, hostName: `${name}-${deterministicGuid(id).slice(0, 12)}.z01.azurefd.net` };
            case "azure-native:cdn:AFDCustomDomain":
                return { ...outputs, validationProperties: { validationToken: deterministicGuid(`${id}/validation`).replace(/-/g, "") } };
            case "azure-native:keyvault:Vault":
                // Azure's public cloud names every vault https://<name>.vault.azure.net/ (key-vault/general/about-keys-secrets-certificates).
                return { ...outputs, properties: { ...inputs["properties"], vaultUri: `https://${name}.vault.azure.net/` } };
            case "azure-native:network:Subnet":
                this.memory.set(subnetKey(id), inputs["addressPrefix"]);
                return outputs;
            case "azure-native:network:AzureFirewall": {
                const subnetId = inputs["ipConfigurations"]?.[0]?.subnet?.id;
                const prefix = this.memory.get(subnetKey(subnetId)) as string | undefined;
                if (!prefix) {
                    throw new Error(`offline mocks: firewall ${name} is in subnet ${subnetId}, which was not created before it`);
                }
                return { ...outputs, ipConfigurations: [{ ...inputs["ipConfigurations"][0], privateIPAddress: addressInSubnet(prefix, FIRST_ASSIGNABLE_OFFSET) }] };
            }
            case "azure-native:containerservice:ManagedCluster": {
                const location = String(inputs["location"]);
                const privateFqdn = `${inputs["dnsPrefix"]}-${deterministicGuid(id).slice(0, 8)}.${deterministicGuid(`${id}/zone`)}.privatelink.${location}.azmk8s.io`;
                this.memory.set(clusterKey(name), { location, privateFqdn } satisfies ClusterRecord);
                return {
                    ...outputs,
                    privateFQDN: privateFqdn,
                    oidcIssuerProfile: { enabled: true, issuerURL: `https://${location}.oic.prod-aks.azure.com/${MOCK_TENANT_ID}/${deterministicGuid(`${id}/oidc`)}/` },
                };
            }
            default:
                return outputs;
        }
    }

    /** An invoke (a data source or function) with these arguments. */
    invoke(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
        switch (token) {
            case "azure-native:authorization:getClientConfig":
                return { clientId: deterministicGuid("deployer/client"), objectId: MOCK_DEPLOYER_OBJECT_ID, subscriptionId: MOCK_SUBSCRIPTION_ID, tenantId: MOCK_TENANT_ID };
            case "azure-native:keyvault:getKey": {
                // Key Vault names a key's versions with 32 hex digits; the key is read after its create.
                const { vaultName, keyName } = inputs as { vaultName: string; keyName: string };
                const keyUri = `https://${vaultName}.vault.azure.net/keys/${keyName}`;
                return { keyUri, keyUriWithVersion: `${keyUri}/${deterministicGuid(keyUri).replace(/-/g, "")}` };
            }
            case "azure-native:keyvault:getSecret": {
                // An imported certificate's secret carries the certificate's not-after as `exp` (epoch seconds); offline,
                // a year after the offline issuing instant.
                const { vaultName, secretName } = inputs as { vaultName: string; secretName: string };
                return { name: secretName, id: `${vaultName}/${secretName}`, properties: { attributes: { enabled: true, expires: MOCK_ISSUED_AT / 1000 + 365 * 86_400 } } };
            }
            case "azure-native:containerservice:listManagedClusterUserCredentials":
                return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(this.userKubeconfig(inputs)).toString("base64") }] };
            default:
                // An invoke nobody modelled must be noticed, not answered with an empty object.
                throw new Error(`offline mocks: no model for invoke ${token}; add one to offline/mocks.ts`);
        }
    }

    /** The shape AKS returns for `format=exec`: no credential, a kubelogin exec plugin. */
    private userKubeconfig(inputs: Record<string, any>): string {
        const clusterName = String(inputs["resourceName"]);
        const cluster = this.memory.get(clusterKey(clusterName)) as ClusterRecord | undefined;
        if (!cluster) {
            throw new Error(`offline mocks: listManagedClusterUserCredentials for ${clusterName}, which does not exist`);
        }
        if (inputs["format"] !== "exec") {
            throw new Error(`offline mocks: AKS with local accounts disabled answers only format=exec, not ${inputs["format"]}`);
        }
        const user = `clusterUser_${inputs["resourceGroupName"]}_${clusterName}`;
        return [
            "apiVersion: v1",
            "kind: Config",
            `clusters:\n- name: ${clusterName}\n  cluster:\n    certificate-authority-data: ${Buffer.from(`ca of ${clusterName}`).toString("base64")}\n    server: https://${cluster.privateFqdn}:443`,
            `contexts:\n- name: ${clusterName}\n  context:\n    cluster: ${clusterName}\n    user: ${user}`,
            `current-context: ${clusterName}`,
            `users:\n- name: ${user}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n      args: [get-token, --login, devicecode, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --tenant-id, ${MOCK_TENANT_ID}, --environment, AzurePublicCloud]\n      interactiveMode: IfAvailable`,
            "",
        ].join("\n");
    }
}

/** The model behind `pulumi.runtime.setMocks`: one deployment, one memory. */
export class PlatformMocks implements pulumi.runtime.Mocks {
    private readonly cloud = new OfflineCloud();

    constructor(private readonly preview: boolean) {}

    newResource(args: pulumi.runtime.MockResourceArgs): Created {
        return this.cloud.create(args.type, args.name, args.inputs, this.preview);
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return this.cloud.invoke(args.token, args.inputs);
    }
}
