/**
 * The shapes `npm run scan` hands to Checkov: ARM bodies where the REST API puts each field (expected values are
 * written from the ARM REST reference, not read from the SDK), Kubernetes manifests, and the suppression file's rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ARM_KINDS, armResource, toArmTemplate } from "../../offline/armTemplate";
import { SECRET_SIG, SIG_KEY, type Graph, type GraphResource } from "../../offline/engine";
import { objectKind, toManifests } from "../../offline/k8sManifests";
import { readSuppressions, suppressionFor } from "../../scripts/scan";

function resource(type: string, inputs: Record<string, unknown>): GraphResource {
    return { urn: `urn:pulumi:test::platform::${type}::r`, type, name: "r", custom: true, dependencies: [], propertyDependencies: {}, protect: false, inputs, outputs: {} } as unknown as GraphResource;
}

const arm = (type: string, inputs: Record<string, unknown>) => armResource(resource(type, inputs), ARM_KINDS[type]!);

describe("ARM template", () => {
    it("puts a storage account's fields where the REST API has them (learn.microsoft.com/rest/api/storagerp/storage-accounts/create)", () => {
        const { resource: body, pathParameters } = arm("azure-native:storage:StorageAccount", {
            accountName: "stexample", resourceGroupName: "rg", location: "westeurope", kind: "StorageV2",
            sku: { name: "Standard_ZRS" }, tags: { owner: "team" },
            enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false,
            networkRuleSet: { defaultAction: "Deny", bypass: "None" },
        });
        assert.deepEqual(body, {
            type: "Microsoft.Storage/storageAccounts",
            // The azure-native 3.x module's "Uses Azure REST API version" for StorageAccount.
            apiVersion: "2024-01-01",
            name: "stexample",
            location: "westeurope",
            kind: "StorageV2",
            sku: { name: "Standard_ZRS" },
            tags: { owner: "team" },
            properties: { supportsHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false, networkAcls: { defaultAction: "Deny", bypass: "None" } },
        });
        assert.deepEqual(pathParameters, [], "the resource group and the name are the path, not unknown fields");
    });

    it("names child resources parent/child and flattens nested resources' properties too (virtualNetworks/subnets)", () => {
        const { resource: body } = arm("azure-native:network:Subnet", {
            virtualNetworkName: "vnet", subnetName: "snet-nodes", resourceGroupName: "rg",
            addressPrefix: "10.0.0.0/24", networkSecurityGroup: { id: "/nsg" }, routeTable: { id: "/rt" },
        });
        assert.equal(body.name, "vnet/snet-nodes");
        assert.equal(body.type, "Microsoft.Network/virtualNetworks/subnets");
        assert.deepEqual(body["properties"], { addressPrefix: "10.0.0.0/24", networkSecurityGroup: { id: "/nsg" }, routeTable: { id: "/rt" } });
        const nsg = arm("azure-native:network:NetworkSecurityGroup", {
            networkSecurityGroupName: "nsg", location: "westeurope",
            securityRules: [{ name: "allow-https", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "AzureFrontDoor.Backend", destinationPortRange: "443" }],
        }).resource;
        assert.deepEqual((nsg["properties"] as Record<string, unknown>)["securityRules"], [{
            name: "allow-https",
            properties: { priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "AzureFrontDoor.Backend", destinationPortRange: "443" },
        }]);
    });

    it("follows the discriminator of polymorphic models (firewall rule collections and their rules)", () => {
        const { resource: body, unmodelled } = arm("azure-native:network:FirewallPolicyRuleCollectionGroup", {
            firewallPolicyName: "afwp", ruleCollectionGroupName: "platform", priority: 200,
            ruleCollections: [{
                ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "aks", priority: 100, action: { type: "Allow" },
                rules: [{ ruleType: "ApplicationRule", name: "mcr", sourceAddresses: ["10.0.0.0/24"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["mcr.microsoft.com"] }],
            }],
        });
        assert.deepEqual(body["properties"], {
            priority: 200,
            ruleCollections: [{
                ruleCollectionType: "FirewallPolicyFilterRuleCollection", name: "aks", priority: 100, action: { type: "Allow" },
                rules: [{ ruleType: "ApplicationRule", name: "mcr", sourceAddresses: ["10.0.0.0/24"], protocols: [{ protocolType: "Https", port: 443 }], targetFqdns: ["mcr.microsoft.com"] }],
            }],
        });
        assert.deepEqual(unmodelled, [], "an application rule's fields are in the ApplicationRule model, not the base rule's");
    });

    it("matches names that differ in case only (enableRBAC, aadProfile.enableAzureRBAC) and keeps newer nested fields in place", () => {
        const { resource: cluster } = arm("azure-native:containerservice:ManagedCluster", { resourceName: "aks", enableRBAC: true, aadProfile: { managed: true, enableAzureRBAC: true } });
        assert.deepEqual(cluster["properties"], { enableRBAC: true, aadProfile: { managed: true, enableAzureRBAC: true } });
        const { resource: domain, unmodelled } = arm("azure-native:cdn:AFDCustomDomain", {
            profileName: "afd", customDomainName: "api", hostName: "api.example.com",
            tlsSettings: { certificateType: "ManagedCertificate", minimumTlsVersion: "TLS12", cipherSuiteSetType: "TLS12_2023" },
        });
        assert.deepEqual(domain["properties"], { hostName: "api.example.com", tlsSettings: { certificateType: "ManagedCertificate", minimumTlsVersion: "TLS12", cipherSuiteSetType: "TLS12_2023" } });
        assert.deepEqual(unmodelled, ["tlsSettings.cipherSuiteSetType"], "the SDK's AFDDomainHttpsParameters predates cipherSuiteSetType");
    });

    it("never writes a secret, and reports the path parameters it leaves out", () => {
        const { resource: named, pathParameters } = arm("azure-native:apimanagement:NamedValue", {
            serviceName: "apim", namedValueId: "fdid", displayName: "fdid", secret: true, value: { [SIG_KEY]: SECRET_SIG, value: "s3cr3t" }, extra: "x",
        });
        assert.deepEqual(named["properties"], { displayName: "fdid", secret: true, value: "[secret]" });
        assert.ok(!JSON.stringify(named).includes("s3cr3t"));
        assert.deepEqual(pathParameters, ["extra"]);
    });

    it("converts every Azure type of a plan it has a model for, and lists the others", () => {
        const graph = { resources: [resource("azure-native:resources:ResourceGroup", { resourceGroupName: "rg", location: "westeurope" }), resource("azure-native:monitor:ScheduledQueryRule", {}), resource("tls:index/privateKey:PrivateKey", {})] } as Graph;
        const { template, skippedTypes } = toArmTemplate(graph);
        assert.deepEqual(template.resources, [{ type: "Microsoft.Resources/resourceGroups", apiVersion: "2024-03-01", name: "rg", location: "westeurope" }]);
        assert.deepEqual(skippedTypes, ["azure-native:monitor:ScheduledQueryRule"]);
    });
});

describe("Kubernetes manifests", () => {
    it("takes apiVersion and kind from the type token, core group as v1, and no Helm release", () => {
        assert.deepEqual(objectKind("kubernetes:core/v1:Secret"), ["v1", "Secret"]);
        assert.deepEqual(objectKind("kubernetes:networking.k8s.io/v1:NetworkPolicy"), ["networking.k8s.io/v1", "NetworkPolicy"]);
        assert.deepEqual(objectKind("kubernetes:security.istio.io/v1:PeerAuthentication"), ["security.istio.io/v1", "PeerAuthentication"]);
        assert.equal(objectKind("kubernetes:helm.sh/v3:Release"), undefined);
        assert.equal(objectKind("pulumi:providers:kubernetes"), undefined);
    });

    it("redacts a Secret's values, secret-wrapped or not", () => {
        const graph = { resources: [resource("kubernetes:core/v1:Secret", { metadata: { name: "ca", namespace: "cert-manager" }, type: "kubernetes.io/tls", stringData: { [SIG_KEY]: SECRET_SIG, value: { "tls.key": "KEY" } }, data: { plain: "cGxhaW4=" } })] } as Graph;
        assert.deepEqual(toManifests(graph), [{ apiVersion: "v1", kind: "Secret", metadata: { name: "ca", namespace: "cert-manager" }, type: "kubernetes.io/tls", stringData: "[secret]", data: { plain: "[secret]" } }]);
    });
});

describe("Checkov suppressions", () => {
    const failure = (check: string, resource: string) => ({ check_id: check, check_name: "", resource, file_path: "" });

    it("every entry names a check, a reason and an owner", () => {
        for (const entry of readSuppressions()) {
            // Checkov names its resource checks CKV_<framework>_<n> and its graph checks CKV2_<framework>_<n>.
            assert.match(entry.check, /^CKV2?_(AZURE|K8S)_\d+$/);
            assert.ok(entry.reason.length > 0 && entry.owner.length > 0);
        }
    });

    it("matches a failure by check and by resource prefix, and nothing else", () => {
        const entries = [{ check: "CKV_AZURE_206", resources: ["Microsoft.Storage/storageAccounts.stpltdev"], reason: "r", owner: "o" }];
        assert.ok(suppressionFor(failure("CKV_AZURE_206", "Microsoft.Storage/storageAccounts.stpltdevtl1234"), entries));
        assert.equal(suppressionFor(failure("CKV_AZURE_206", "Microsoft.Storage/storageAccounts.stpltprodbk1234"), entries), undefined);
        assert.equal(suppressionFor(failure("CKV_AZURE_44", "Microsoft.Storage/storageAccounts.stpltdevtl1234"), entries), undefined);
    });
});
