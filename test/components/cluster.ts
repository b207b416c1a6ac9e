/**
 * The private cluster component on its own (components/cluster): the managed cluster, its pools, identities and
 * grants, the etcd KMS key, the maintenance windows, the internal-load-balancer policy and the CA-key read alert,
 * against literals from the AKS and Key Vault documentation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as network from "@pulumi/azure-native/network";
import { PrivateCluster } from "../../components/cluster";
import { parsePlatformConfig, type AzurePlatformConfig } from "../../config";
import { MOCK_DEPLOYER_OBJECT_ID, MOCK_SUBSCRIPTION_ID, MOCK_TENANT_ID } from "../../offline/mocks";
import { SECRET_SIG, SIG_KEY, type Graph } from "../../offline/engine";
import { rawConfig } from "../helpers";
import { AZURE_PROVIDER, builtInRole, declare, dependsOn, named, once, ownResources, RG, RG_ID, subnetId, valueOf, WORKSPACE, type Inputs } from "./harness";

const ROUTE_TABLE = `${RG_ID}/providers/Microsoft.Network/routeTables/rt-platform-dev`;
const ADMIN_GROUP = "11111111-1111-4111-8111-111111111111";
const ROLE = {
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    managedIdentityOperator: "f1a07417-d97a-45cb-824c-7a7467783830",
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
    keyVaultContributor: "f25e0fa2-a7c8-4377-a976-54943a77a395",
};

const CLUSTER_BLOCK = {
    kubernetesVersion: "1.34",
    zones: ["1", "2", "3"],
    systemPool: { vmSize: "Standard_D4ds_v5", minCount: 3, maxCount: 4, maxPods: 110, osDiskSizeGB: 128 },
    userPool: { vmSize: "Standard_D8ds_v5", minCount: 3, maxCount: 9, maxPods: 60, osDiskSizeGB: 200 },
    adminGroupObjectIds: [ADMIN_GROUP],
    upgradeChannel: "patch",
    nodeOsUpgradeChannel: "NodeImage",
    maintenanceWindow: { dayOfWeek: "Sunday", startTime: "02:00", durationHours: 4, utcOffset: "+01:00" },
};

interface Variant {
    cluster?: Record<string, unknown>;
    withApiServerSubnet?: boolean;
    alertActionGroupId?: string;
}

interface Declared {
    graph: Graph;
    cluster: PrivateCluster;
}

async function declareCluster(variant: Variant): Promise<Declared> {
    const raw = rawConfig("dev");
    const config = parsePlatformConfig({ ...raw, cluster: { ...CLUSTER_BLOCK, ...variant.cluster } }) as AzurePlatformConfig;
    let component: PrivateCluster | undefined;
    const graph = await declare(({ azure }) => {
        // The network's default route to the firewall: without it, nodes cannot bootstrap.
        const defaultRoute = new network.Route("network-route-default", { routeName: "default", routeTableName: "rt-platform-dev", resourceGroupName: RG, addressPrefix: "0.0.0.0/0", nextHopType: network.RouteNextHopType.VirtualAppliance, nextHopIpAddress: "10.20.16.4" });
        component = new PrivateCluster("cluster", {
            namePrefix: "platform-dev",
            location: "westeurope",
            resourceGroupName: RG,
            config: config.cluster,
            network: { podCidr: "192.168.0.0/16", serviceCidr: "10.240.0.0/16", dnsServiceIp: "10.240.0.10" },
            subnetIds: { systemNodes: subnetId("snet-system"), userNodes: subnetId("snet-user"), ingress: subnetId("snet-ingress"), apiServer: variant.withApiServerSubnet === false ? undefined : subnetId("snet-apiserver") },
            caKeySecrets: [
                { namespace: "cert-manager", name: "platform-ca", readers: [{ namespace: "cert-manager", serviceAccount: "cert-manager" }] },
                // During a minor upgrade two istiod revisions read the plug-in CA.
                { namespace: "istio-system", name: "cacerts", readers: [{ namespace: "istio-system", serviceAccount: "istiod-1-30" }, { namespace: "istio-system", serviceAccount: "istiod-1-31" }] },
            ],
            alertActionGroupId: variant.alertActionGroupId,
            keyVaultNetwork: { privateEndpointSubnetId: subnetId("snet-pe"), vaultDnsZoneId: `${RG_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net` },
            routeTableId: ROUTE_TABLE,
            egressReady: [defaultRoute],
            logAnalyticsWorkspaceId: WORKSPACE,
            client: { tenantId: MOCK_TENANT_ID, subscriptionId: MOCK_SUBSCRIPTION_ID, objectId: MOCK_DEPLOYER_OBJECT_ID },
            skuTier: "Standard",
            tags: { environment: "dev" },
        }, azure());
    }, false);
    return { graph, cluster: component! };
}

/** KMS on, API Server VNet Integration, the patch channel, an action group. */
const kms = once(() => declareCluster({ alertActionGroupId: `${RG_ID}/providers/Microsoft.Insights/actionGroups/ag-platform-dev-platform` }));
/** KMS off, no API server subnet, the stable channel (AKS moves the minor), a public FQDN. */
const plain = once(() => declareCluster({ cluster: { kmsEtcdEncryption: false, upgradeChannel: "stable", publicFqdn: true }, withApiServerSubnet: false }));
/** The rapid channel moves the minor version too. */
const rapid = once(() => declareCluster({ cluster: { kmsEtcdEncryption: false, upgradeChannel: "rapid" }, withApiServerSubnet: false }));

const identity = (graph: Graph, name: string) => named(graph, name).outputs as Inputs;
const pool = (overrides: Inputs) => ({
    // The autoscaler owns the count after creation; it starts at the minimum.
    enableAutoScaling: true,
    availabilityZones: ["1", "2", "3"],
    osType: "Linux",
    osSKU: "AzureLinux",
    osDiskType: "Ephemeral",
    type: "VirtualMachineScaleSets",
    enableNodePublicIP: false,
    orchestratorVersion: "1.34",
    upgradeSettings: { maxSurge: "1" },
    ...overrides,
});

describe("private cluster component: the managed cluster", () => {
    it("is private (no public FQDN, run command off), Entra ID with Azure RBAC and no local accounts, workload identity on", async () => {
        const { graph } = await kms();
        const aks = named(graph, "cluster-aks");
        assert.equal(aks.protect, true);
        const inputs = aks.inputs;
        assert.deepEqual([inputs["resourceName"], inputs["dnsPrefix"], inputs["nodeResourceGroup"], inputs["kubernetesVersion"]], ["aks-platform-dev", "aks-platform-dev", "rg-platform-dev-aks-nodes", "1.34"]);
        assert.deepEqual(inputs["sku"], { name: "Base", tier: "Standard" });
        assert.deepEqual([inputs["enableRBAC"], inputs["disableLocalAccounts"]], [true, true]);
        assert.deepEqual(inputs["aadProfile"], { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [ADMIN_GROUP], tenantID: MOCK_TENANT_ID });
        // learn.microsoft.com/azure/aks/api-server-vnet-integration: the API server's ILB in its delegated subnet.
        assert.deepEqual(inputs["apiServerAccessProfile"], { enablePrivateCluster: true, privateDNSZone: "system", enablePrivateClusterPublicFQDN: false, disableRunCommand: true, enableVnetIntegration: true, subnetId: subnetId("snet-apiserver") });
        assert.deepEqual(inputs["oidcIssuerProfile"], { enabled: true });
        assert.deepEqual(inputs["addonProfiles"], { azureKeyvaultSecretsProvider: { enabled: false }, azurepolicy: { enabled: true } });
    });

    it("runs as its own identity, with the kubelet's given, after its network grants, its vault grants and the default route to the firewall", async () => {
        const { graph } = await kms();
        const aks = named(graph, "cluster-aks");
        const kubelet = identity(graph, "cluster-kubelet-identity");
        assert.deepEqual(aks.inputs["identity"], { type: "UserAssigned", userAssignedIdentities: [named(graph, "cluster-identity").id] });
        assert.deepEqual(aks.inputs["identityProfile"], { kubeletidentity: { resourceId: named(graph, "cluster-kubelet-identity").id, clientId: kubelet["clientId"], objectId: kubelet["principalId"] } });
        // The KMS key's current version and vault id come from the key and its vault.
        assert.deepEqual(dependsOn(graph, aks), [
            "cluster-etcd-key", "cluster-etcd-key-vault-contributor", "cluster-etcd-key-vault-crypto-user", "cluster-etcd-kv",
            "cluster-identity", "cluster-kubelet-identity",
            "cluster-kubelet-identity-operator",
            "cluster-network-contributor-apiserver-subnet", "cluster-network-contributor-ingress-subnet", "cluster-network-contributor-route-table",
            "cluster-network-contributor-system-subnet", "cluster-network-contributor-user-subnet",
            "network-route-default",
        ]);
    });

    it("uses Azure CNI overlay with Cilium, egress by user-defined routing through the firewall", async () => {
        // learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium and egress-udr.
        const { graph } = await kms();
        assert.deepEqual(named(graph, "cluster-aks").inputs["networkProfile"], {
            networkPlugin: "azure", networkPluginMode: "overlay", networkDataplane: "cilium", networkPolicy: "cilium",
            podCidr: "192.168.0.0/16", serviceCidr: "10.240.0.0/16", dnsServiceIP: "10.240.0.10",
            outboundType: "userDefinedRouting", loadBalancerSku: "standard",
        });
    });

    it("keeps Defender, the image cleaner and the Disk CSI driver with snapshots (Velero), the other CSI drivers off", async () => {
        const { graph } = await kms();
        const inputs = named(graph, "cluster-aks").inputs;
        const { azureKeyVaultKms, ...security } = inputs["securityProfile"];
        assert.deepEqual(security, {
            workloadIdentity: { enabled: true },
            defender: { logAnalyticsWorkspaceResourceId: WORKSPACE, securityMonitoring: { enabled: true } },
            imageCleaner: { enabled: true, intervalHours: 168 },
        });
        assert.deepEqual(inputs["storageProfile"], { diskCSIDriver: { enabled: true }, snapshotController: { enabled: true }, fileCSIDriver: { enabled: false }, blobCSIDriver: { enabled: false } });
        assert.deepEqual(inputs["autoUpgradeProfile"], { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
        assert.equal(azureKeyVaultKms.enabled, true);
    });

    it("pools: the system pool inline and tainted for add-ons, the user pool beside it, both autoscaled on ephemeral Azure Linux disks", async () => {
        const { graph } = await kms();
        assert.deepEqual(named(graph, "cluster-aks").inputs["agentPoolProfiles"], [pool({
            name: "system", mode: "System", nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
            vmSize: "Standard_D4ds_v5", count: 3, minCount: 3, maxCount: 4, maxPods: 110, osDiskSizeGB: 128, vnetSubnetID: subnetId("snet-system"),
        })]);
        const user = named(graph, "cluster-user-pool");
        assert.deepEqual(user.inputs, pool({
            agentPoolName: "user", resourceName: "aks-platform-dev", resourceGroupName: RG, mode: "User",
            vmSize: "Standard_D8ds_v5", count: 3, minCount: 3, maxCount: 9, maxPods: 60, osDiskSizeGB: 200, vnetSubnetID: subnetId("snet-user"),
        }));
    });

    it("patch channel: AKS changes only the node count; the configured version stays the program's", async () => {
        const { graph } = await kms();
        assert.deepEqual(named(graph, "cluster-aks").ignoreChanges, ["agentPoolProfiles[0].count"]);
        assert.deepEqual(named(graph, "cluster-user-pool").ignoreChanges, ["count"]);
    });

    it("stable channel: AKS owns the minor version too (learn.microsoft.com/azure/aks/auto-upgrade-cluster), and the public FQDN is published", async () => {
        const { graph } = await plain();
        const aks = named(graph, "cluster-aks");
        assert.deepEqual(aks.ignoreChanges, ["agentPoolProfiles[0].count", "kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"]);
        assert.deepEqual(named(graph, "cluster-user-pool").ignoreChanges, ["count", "orchestratorVersion"]);
        const onRapid = (await rapid()).graph;
        assert.deepEqual([named(onRapid, "cluster-aks").ignoreChanges, named(onRapid, "cluster-user-pool").ignoreChanges], [aks.ignoreChanges, ["count", "orchestratorVersion"]]);
        assert.deepEqual(aks.inputs["apiServerAccessProfile"], { enablePrivateCluster: true, privateDNSZone: "system", enablePrivateClusterPublicFQDN: true, disableRunCommand: true });
        assert.equal(aks.inputs["securityProfile"].azureKeyVaultKms, undefined);
        assert.ok(!graph.resources.some((r) => r.name.startsWith("cluster-etcd")));
        assert.ok(!graph.resources.some((r) => r.name === "cluster-network-contributor-apiserver-subnet"));
    });
});

describe("private cluster component: identities and access", () => {
    it("grants the control plane Network Contributor on exactly its subnets and the route table, and Managed Identity Operator on the kubelet", async () => {
        const { graph } = await kms();
        const principal = identity(graph, "cluster-identity")["principalId"];
        const grants = graph.resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.inputs["principalId"] === principal && r.inputs["roleDefinitionId"] === builtInRole(ROLE.networkContributor));
        assert.deepEqual(grants.map((g) => g.inputs["scope"]).sort(), [ROUTE_TABLE, subnetId("snet-apiserver"), subnetId("snet-ingress"), subnetId("snet-system"), subnetId("snet-user")].sort());
        for (const grant of grants) {
            assert.equal(grant.inputs["principalType"], "ServicePrincipal");
        }
        assert.equal(named(graph, "cluster-network-contributor-route-table").inputs["description"], "platform-dev/aks-control-plane/network-contributor/route-table");
        const operator = named(graph, "cluster-kubelet-identity-operator").inputs;
        assert.deepEqual([operator["principalId"], operator["principalType"], operator["roleDefinitionId"], operator["scope"], operator["description"]], [principal, "ServicePrincipal", builtInRole(ROLE.managedIdentityOperator), named(graph, "cluster-kubelet-identity").id, "platform-dev/aks-control-plane/managed-identity-operator/kubelet"]);
        assert.deepEqual([named(graph, "cluster-identity").inputs["resourceName"], named(graph, "cluster-kubelet-identity").inputs["resourceName"]], ["id-platform-dev-aks", "id-platform-dev-kubelet"]);
    });

    it("makes the admin groups cluster admins through Azure RBAC, and hands out an exec kubeconfig (kubelogin), secret", async () => {
        const { graph, cluster } = await kms();
        const admin = named(graph, `cluster-cluster-admin-${ADMIN_GROUP}`).inputs;
        assert.deepEqual([admin["principalId"], admin["principalType"], admin["roleDefinitionId"], admin["scope"], admin["description"]], [ADMIN_GROUP, "Group", builtInRole(ROLE.aksRbacClusterAdmin), named(graph, "cluster-aks").id, `platform-dev/admin-group/${ADMIN_GROUP}/aks-rbac-cluster-admin`]);
        assert.equal(cluster.adminGrants.length, 1);
        const kubeconfig = await valueOf(cluster.kubeconfig);
        assert.match(kubeconfig, /kubelogin/);
        // The credentials and the KMS key's version are read through the cluster's own Azure provider.
        const reads = graph.invokes.filter((i) => ["azure-native:containerservice:listManagedClusterUserCredentials", "azure-native:keyvault:getKey"].includes(i.token));
        // The user credential in exec format (kubelogin); the KMS key's current version from the cluster's own vault.
        assert.equal(reads.length, 2);
        assert.deepEqual(Object.fromEntries(reads.map((i) => [i.token, i.inputs])), {
            "azure-native:containerservice:listManagedClusterUserCredentials": { resourceGroupName: RG, resourceName: "aks-platform-dev", format: "exec" },
            "azure-native:keyvault:getKey": { keyName: "etcd-kms", vaultName: named(graph, "cluster-etcd-kv").inputs["vaultName"], resourceGroupName: RG },
        });
        assert.ok(reads.every((i) => AZURE_PROVIDER.test(i.provider ?? "")), JSON.stringify(reads));
        assert.equal(await (cluster.kubeconfig as unknown as { isSecret: Promise<boolean> }).isSecret, true);
        assert.equal(await valueOf(cluster.clusterName), "aks-platform-dev");
        assert.equal(await valueOf(cluster.clusterId), named(graph, "cluster-aks").id);
        assert.equal(await valueOf(cluster.oidcIssuerUrl), (named(graph, "cluster-aks").outputs["oidcIssuerProfile"] as Inputs)["issuerURL"]);
        assert.equal(await valueOf(cluster.nodeResourceGroupName), "rg-platform-dev-aks-nodes");
        assert.equal(await valueOf(cluster.kubeletPrincipalId), identity(graph, "cluster-kubelet-identity")["principalId"]);
    });
});

describe("private cluster component: structure", () => {
    for (const [label, declared] of [["KMS", kms], ["no KMS", plain]] as const) {
        it(`${label}: declares every object under the component`, async () => {
            const { graph } = await declared();
            const { component, own } = ownResources(graph, "cluster", "platform:cluster:PrivateCluster");
            assert.ok(own.length > 10, `${own.length} resources`);
            // The registered outputs, as the engine stores them: the kubeconfig only as a secret.
            const aks = named(graph, "cluster-aks");
            const { kubeconfig, ...plain } = component.outputs;
            assert.deepEqual(plain, { clusterName: "aks-platform-dev", clusterId: aks.id, oidcIssuerUrl: (aks.outputs["oidcIssuerProfile"] as Inputs)["issuerURL"] });
            assert.equal((kubeconfig as Inputs)[SIG_KEY], SECRET_SIG);
            assert.match(String((kubeconfig as Inputs)["value"]), /kubelogin/);
        });
    }
});

describe("private cluster component: etcd encryption", () => {
    it("keeps the KMS key in a private Premium vault of its own: RSA-HSM 2048, rotated every 180 days, each version valid 2 years, protected", async () => {
        const { graph } = await kms();
        const vault = named(graph, "cluster-etcd-kv");
        assert.equal(vault.protect, true);
        assert.match(vault.inputs["vaultName"], /^kv-plt-dev-kms-[a-z0-9]{6}$/);
        // Vault names take letters, digits and hyphens, 3-24 characters (Microsoft.KeyVault naming rules); lower case by convention.
        assert.deepEqual(named(graph, "cluster-etcd-suffix").inputs, { length: 6, special: false, upper: false });
        assert.deepEqual([vault.inputs["properties"].sku, vault.inputs["properties"].publicNetworkAccess], [{ family: "A", name: "premium" }, "Disabled"]);
        const key = named(graph, "cluster-etcd-key");
        assert.equal(key.protect, true);
        // learn.microsoft.com/azure/aks/use-kms-etcd-encryption: RSA keys; the key's private endpoint must exist first.
        assert.deepEqual([key.inputs["keyName"], key.inputs["vaultName"], key.inputs["properties"]], ["etcd-kms", vault.inputs["vaultName"], {
            kty: "RSA-HSM",
            keySize: 2048,
            rotationPolicy: { attributes: { expiryTime: "P2Y" }, lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } }] },
        }]);
        assert.ok(dependsOn(graph, key).includes("cluster-etcd-kv-pe"));
    });

    it("lets the control plane encrypt with it and create its own private endpoint, and points the cluster at the current version over the private network", async () => {
        const { graph } = await kms();
        const principal = identity(graph, "cluster-identity")["principalId"];
        const vault = named(graph, "cluster-etcd-kv");
        for (const [name, role, slug] of [["cluster-etcd-key-vault-crypto-user", ROLE.keyVaultCryptoUser, "key-vault-crypto-user"], ["cluster-etcd-key-vault-contributor", ROLE.keyVaultContributor, "key-vault-contributor"]] as const) {
            const grant = named(graph, name).inputs;
            assert.deepEqual([grant["principalId"], grant["principalType"], grant["roleDefinitionId"], grant["scope"], grant["description"]], [principal, "ServicePrincipal", builtInRole(role), vault.id, `platform-dev/aks-control-plane/${slug}`]);
        }
        const kmsProfile = named(graph, "cluster-aks").inputs["securityProfile"].azureKeyVaultKms;
        assert.deepEqual({ ...kmsProfile, keyId: undefined }, { enabled: true, keyId: undefined, keyVaultNetworkAccess: "Private", keyVaultResourceId: vault.id });
        assert.match(kmsProfile.keyId, /^https:\/\/kv-plt-dev-kms-[a-z0-9]{6}\.vault\.azure\.net\/keys\/etcd-kms\/[0-9a-f]+$/);
    });
});

describe("private cluster component: operations", () => {
    it("gives both AKS maintenance configurations the configured weekly window", async () => {
        const { graph } = await kms();
        // learn.microsoft.com/azure/aks/planned-maintenance: the two configuration names AKS reads.
        for (const configName of ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]) {
            assert.deepEqual(named(graph, `cluster-${configName}`).inputs, {
                configName, resourceName: "aks-platform-dev", resourceGroupName: RG,
                maintenanceWindow: { schedule: { weekly: { dayOfWeek: "Sunday", intervalWeeks: 1 } }, startTime: "02:00", durationHours: 4, utcOffset: "+01:00" },
            });
        }
    });

    it("denies public load balancers with the built-in policy on the cluster", async () => {
        const { graph } = await kms();
        assert.deepEqual(named(graph, "cluster-internal-load-balancers").inputs, {
            policyAssignmentName: "platform-dev-aks-internal-lb",
            displayName: "Kubernetes services use internal load balancers only",
            scope: named(graph, "cluster-aks").id,
            // "Kubernetes clusters should use internal load balancers" (Azure Policy built-in definitions for AKS).
            policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e",
            parameters: { effect: { value: "deny" } },
            // The SDK's default: the policy is enforced, not only evaluated.
            enforcementMode: "Default",
        });
    });

    it("sends kube-audit (reads included), guard, the API server and the autoscaler to the workspace", async () => {
        const { graph } = await kms();
        const setting = named(graph, "cluster-diagnostics").inputs;
        assert.deepEqual([setting["resourceUri"], setting["workspaceId"]], [named(graph, "cluster-aks").id, WORKSPACE]);
        // learn.microsoft.com/azure/aks/monitor-aks-reference: resource log categories.
        assert.deepEqual(setting["logs"].map((l: Inputs) => l["category"]), ["kube-audit", "guard", "kube-apiserver", "cluster-autoscaler"]);
    });

    it("alerts within 5 minutes when a CA key's Secret is read by anyone but the identity that signs with it", async () => {
        const { graph } = await kms();
        const rule = named(graph, "cluster-ca-key-read-alert").inputs;
        assert.equal(rule["criteria"].allOf[0].query, [
            "AKSAudit",
            '| where tostring(ObjectRef.resource) == "secrets" and Verb in ("get", "list", "watch")',
            '| where (tostring(ObjectRef.namespace) == "cert-manager" and tostring(ObjectRef.name) == "platform-ca" and tostring(User.username) !in ("system:serviceaccount:cert-manager:cert-manager"))'
                + ' or (tostring(ObjectRef.namespace) == "istio-system" and tostring(ObjectRef.name) == "cacerts" and tostring(User.username) !in ("system:serviceaccount:istio-system:istiod-1-30", "system:serviceaccount:istio-system:istiod-1-31"))',
            "| project TimeGenerated, Verb, Namespace = tostring(ObjectRef.namespace), Secret = tostring(ObjectRef.name), Reader = tostring(User.username), SourceIps",
        ].join("\n"));
        assert.deepEqual([rule["ruleName"], rule["displayName"], rule["severity"], rule["evaluationFrequency"], rule["windowSize"], rule["scopes"]], ["alert-platform-dev-ca-key-read", "CaKeyReadByUnexpectedIdentity", 1, "PT5M", "PT5M", [WORKSPACE]]);
        assert.equal(rule["description"], "A CA key's Secret was read by an identity other than the one that signs with it (runbook: CaKeyReadByUnexpectedIdentity).");
        assert.deepEqual(rule["actions"], { actionGroups: [`${RG_ID}/providers/Microsoft.Insights/actionGroups/ag-platform-dev-platform`] });
        // Its own identity, Reader (acdd72a7-...) on the workspace alone: not the last editor's rights
        // (learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule, "Identity").
        assert.deepEqual(rule["identity"], { type: "SystemAssigned" });
        const alert = named(graph, "cluster-ca-key-read-alert");
        const reader = named(graph, "cluster-ca-key-read-alert-workspace-reader").inputs;
        assert.deepEqual([reader["principalId"], reader["principalType"], reader["roleDefinitionId"], reader["scope"], reader["description"]],
            [(alert.outputs["identity"] as Inputs)["principalId"], "ServicePrincipal", builtInRole("acdd72a7-3385-48ef-bd42-f606fba81ae7"), WORKSPACE, "platform-dev/ca-key-read-alert/workspace-reader"]);
        // Without receivers the alert still fires in Azure Monitor, notifying nobody.
        assert.equal(named((await plain()).graph, "cluster-ca-key-read-alert").inputs["actions"], undefined);
    });
});
