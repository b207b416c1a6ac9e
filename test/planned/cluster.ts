import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../offline/engine";
import { MOCK_DEPLOYER_OBJECT_ID, MOCK_SUBSCRIPTION_ID, MOCK_TENANT_ID } from "../../offline/mocks";
import { azureConfig, byName, ofType, plan, rawConfig } from "../helpers";

const CLUSTER = "azure-native:containerservice:ManagedCluster";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const NETWORK_CONTRIBUTOR = "/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7";

describe("private cluster", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: private API server, Entra ID RBAC only, workload identity and the security add-ons`, async () => {
            // Update mode: azure-native applies defaults to securityProfile in an apply, so a preview shows it unknown.
            const graph = await plan(stack, false);
            const [cluster] = ofType(graph, CLUSTER);
            const inputs = cluster!.inputs as Record<string, any>;
            assert.equal(cluster!.protect, true);
            assert.deepEqual(inputs["apiServerAccessProfile"], {
                enablePrivateCluster: true,
                privateDNSZone: "system",
                enablePrivateClusterPublicFQDN: false,
                disableRunCommand: true,
                // API Server VNet Integration, in the subnet delegated to AKS (api-server-vnet-integration).
                enableVnetIntegration: true,
                subnetId: `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/rg-platform-${stack}/providers/Microsoft.Network/virtualNetworks/vnet-platform-${stack}/subnets/snet-aks-apiserver`,
            });
            assert.equal(inputs["disableLocalAccounts"], true);
            assert.equal(inputs["enableRBAC"], true);
            assert.deepEqual(inputs["aadProfile"], {
                managed: true,
                enableAzureRBAC: true,
                adminGroupObjectIDs: azureConfig(stack).cluster.adminGroupObjectIds,
                tenantID: MOCK_TENANT_ID,
            });
            assert.deepEqual(inputs["oidcIssuerProfile"], { enabled: true });
            assert.equal(inputs["securityProfile"].workloadIdentity.enabled, true);
            assert.equal(inputs["securityProfile"].defender.securityMonitoring.enabled, true);
            assert.equal(inputs["securityProfile"].imageCleaner.enabled, true);
            // Review row 23: no SecretProviderClass uses the Key Vault CSI add-on, so it stays off.
            assert.deepEqual(inputs["addonProfiles"].azureKeyvaultSecretsProvider, { enabled: false });
            assert.deepEqual(inputs["addonProfiles"].azurepolicy, { enabled: true });
            assert.deepEqual(inputs["storageProfile"].diskCSIDriver, { enabled: true });
            assert.deepEqual(inputs["storageProfile"].snapshotController, { enabled: true });
            assert.equal(inputs["sku"].tier, stack === "prod" ? "Standard" : "Free");
        });

        it(`${stack}: Azure CNI overlay with Cilium, egress by user-defined routing, ranges from config`, async () => {
            const graph = await plan(stack);
            const network = azureConfig(stack).network;
            assert.deepEqual(ofType(graph, CLUSTER)[0]!.inputs["networkProfile"], {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                podCidr: network.podCidr,
                serviceCidr: network.serviceCidr,
                dnsServiceIP: network.dnsServiceIp,
                outboundType: "userDefinedRouting",
                loadBalancerSku: "standard",
            });
        });

        it(`${stack}: node pools on Azure Linux with ephemeral disks, autoscaling bounds and zones from config`, async () => {
            const graph = await plan(stack);
            const { cluster } = azureConfig(stack);
            const [system] = ofType(graph, CLUSTER)[0]!.inputs["agentPoolProfiles"] as Record<string, any>[];
            const user = ofType(graph, "azure-native:containerservice:AgentPool")[0]!.inputs as Record<string, any>;
            assert.equal(system!["mode"], "System");
            assert.deepEqual(system!["nodeTaints"], ["CriticalAddonsOnly=true:NoSchedule"]);
            assert.equal(user["mode"], "User");
            assert.equal(user["nodeTaints"], undefined);
            for (const [pool, settings] of [[system!, cluster.systemPool], [user, cluster.userPool]] as const) {
                assert.deepEqual(
                    [pool["osSKU"], pool["osDiskType"], pool["enableAutoScaling"], pool["minCount"], pool["maxCount"], pool["maxPods"], pool["enableNodePublicIP"]],
                    ["AzureLinux", "Ephemeral", true, settings.minCount, settings.maxCount, settings.maxPods, false],
                );
                assert.deepEqual(pool["availabilityZones"], cluster.zones);
                assert.equal(pool["orchestratorVersion"], cluster.kubernetesVersion);
            }
            assert.deepEqual(system!["availabilityZones"], stack === "prod" ? ["1", "2", "3"] : ["1"]);
        });
    }

    it("pins the upgrade channels and one maintenance window for both AKS schedules", async () => {
        const graph = await plan("prod");
        const { cluster } = azureConfig("prod");
        assert.deepEqual(ofType(graph, CLUSTER)[0]!.inputs["autoUpgradeProfile"], { upgradeChannel: cluster.upgradeChannel, nodeOSUpgradeChannel: cluster.nodeOsUpgradeChannel });
        const windows = ofType(graph, "azure-native:containerservice:MaintenanceConfiguration");
        assert.deepEqual(windows.map((w) => w.inputs["configName"]), ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]);
        for (const w of windows) {
            assert.deepEqual(w.inputs["maintenanceWindow"], {
                schedule: { weekly: { dayOfWeek: "Sunday", intervalWeeks: 1 } },
                startTime: "02:00",
                durationHours: 4,
                utcOffset: "+00:00",
            });
        }
    });

    it("creates the cluster only after its role assignments, the firewall, its rules and the default route", async () => {
        const graph = await plan("dev");
        const cluster = ofType(graph, CLUSTER)[0]!;
        const mustPrecede = [
            // The cluster's own grants; not the admin groups' or the audit alert's, which follow the cluster.
            ...ofType(graph, ROLE_ASSIGNMENT).filter((r) => r.name.startsWith("cluster-") && !r.name.startsWith("cluster-cluster-admin-") && !r.name.startsWith("cluster-ca-key-read-alert-")),
            byName(graph, "network-fw"),
            byName(graph, "network-route-default"),
            ofType(graph, "azure-native:network:FirewallPolicyRuleCollectionGroup").at(-1)!,
        ];
        // 5 Network Contributor + Managed Identity Operator + the KMS vault's Crypto User and Contributor, and the egress trio.
        assert.equal(mustPrecede.length, 11);
        for (const r of mustPrecede) {
            assert.ok(cluster.dependencies.includes(r.urn), `the cluster does not wait for ${r.name}`);
        }
        // The node subnets are associated with the route table on create, so they exist routed before the cluster.
        const routeTable = byName(graph, "network-routes");
        for (const role of ["systemNodes", "userNodes"]) {
            assert.ok(byName(graph, `network-subnet-${role}`).propertyDependencies["routeTable"]?.includes(routeTable.urn), `${role} subnet is not associated with the route table`);
        }
    });

    it("grants the control plane Network Contributor on exactly its subnets and the route table, under stable GUID names", async () => {
        const preview = await plan("dev");
        const update = await plan("dev", false);
        const grants = ofType(update, ROLE_ASSIGNMENT).filter((r) => String(r.inputs["roleDefinitionId"]).endsWith(NETWORK_CONTRIBUTOR));
        const scopes = grants.map((g) => String(g.inputs["scope"]).replace(/^.*\/providers\//, ""));
        assert.deepEqual(scopes.sort(), [
            "Microsoft.Network/routeTables/rt-platform-dev-egress",
            "Microsoft.Network/virtualNetworks/vnet-platform-dev/subnets/snet-aks-apiserver",
            "Microsoft.Network/virtualNetworks/vnet-platform-dev/subnets/snet-aks-system",
            "Microsoft.Network/virtualNetworks/vnet-platform-dev/subnets/snet-aks-user",
            "Microsoft.Network/virtualNetworks/vnet-platform-dev/subnets/snet-ingress",
        ]);
        const controlPlane = byName(update, "cluster-identity");
        const assignments = ofType(update, ROLE_ASSIGNMENT);
        assert.ok(assignments.length > 0, "no role assignment");
        for (const grant of assignments) {
            assert.match(String(grant.inputs["roleAssignmentName"]), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            assert.equal(grant.deleteBeforeReplace, true, `${grant.name} cannot be replaced under the same name without deleteBeforeReplace`);
            // Known at preview, and the same at update: the name does not depend on anything Azure computes.
            assert.equal(byName(preview, grant.name).inputs["roleAssignmentName"], grant.inputs["roleAssignmentName"]);
            assert.ok(String(grant.inputs["roleDefinitionId"]).startsWith(`/subscriptions/${MOCK_SUBSCRIPTION_ID}/providers/`));
        }
        for (const grant of grants) {
            assert.equal(grant.inputs["principalId"], controlPlane.outputs["principalId"]);
        }
        const names = ofType(update, ROLE_ASSIGNMENT).map((g) => g.inputs["roleAssignmentName"]);
        assert.equal(new Set(names).size, names.length);
    });

    it("grants cluster admin to the configured Entra groups on this cluster only, never to whoever runs `up`", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const graph = await plan(stack, false);
            // "Azure Kubernetes Service RBAC Cluster Admin" (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
            const admins = ofType(graph, ROLE_ASSIGNMENT).filter((r) => String(r.inputs["roleDefinitionId"]).endsWith("/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"));
            assert.deepEqual(admins.map((a) => a.inputs["principalId"]).sort(), [...rawConfig(stack)["cluster"].adminGroupObjectIds].sort());
            for (const admin of admins) {
                assert.equal(admin.inputs["principalType"], "Group");
                assert.equal(admin.inputs["scope"], ofType(graph, CLUSTER)[0]!.id);
            }
        }
    });

    it("leaves the Kubernetes version to AKS when the upgrade channel moves the minor (prod: stable), and pins it with patch (dev)", async () => {
        // learn.microsoft.com/azure/aks/auto-upgrade-cluster: "stable" moves to the latest patch of minor N-1 and
        // "rapid" to the newest minor; "patch" stays on the minor. ARM refuses a downgrade of either version.
        const expectations = { dev: { channel: "patch", ignored: false }, prod: { channel: "stable", ignored: true } } as const;
        for (const [stack, { channel, ignored }] of Object.entries(expectations)) {
            const graph = await plan(stack, false);
            const cluster = ofType(graph, CLUSTER)[0]!;
            assert.equal((cluster.inputs["autoUpgradeProfile"] as Record<string, unknown>)["upgradeChannel"], channel);
            const userPool = ofType(graph, "azure-native:containerservice:AgentPool")[0]!;
            assert.equal(cluster.ignoreChanges.includes("kubernetesVersion"), ignored, `${stack} cluster`);
            assert.equal(cluster.ignoreChanges.includes("agentPoolProfiles[0].orchestratorVersion"), ignored, `${stack} system pool`);
            assert.equal(userPool.ignoreChanges.includes("orchestratorVersion"), ignored, `${stack} user pool`);
            assert.ok(cluster.ignoreChanges.includes("agentPoolProfiles[0].count") && userPool.ignoreChanges.includes("count"), "the autoscaler owns the counts");
        }
    });

    it("sets principalType on every role assignment and takes no principal from the signed-in identity", async () => {
        // azure-native defaults principalType to "User" (authorization/roleAssignment.js), which ARM refuses for a
        // service principal or a group with UnmatchedPrincipalType.
        for (const stack of ["dev", "prod"] as const) {
            const graph = await plan(stack, false, "all");
            const grants = ofType(graph, ROLE_ASSIGNMENT);
            assert.ok(grants.length > 10);
            for (const grant of grants) {
                assert.ok(["ServicePrincipal", "Group"].includes(String(grant.inputs["principalType"])), `${grant.name}: principalType ${grant.inputs["principalType"]}`);
                // getClientConfig's objectId is whoever runs the program: a laptop and CI would replace each other's grant.
                assert.notEqual(grant.inputs["principalId"], MOCK_DEPLOYER_OBJECT_ID, `${grant.name} is granted to the deploying identity`);
            }
        }
    });

    it("encrypts Secrets in etcd with a rotated Key Vault key in a private vault, granted before the cluster (KMS)", async () => {
        // Seed 000 "Secret Encryption: KMS-managed, automatic rotation"; learn.microsoft.com/azure/aks/use-kms-etcd-encryption.
        for (const stack of ["dev", "prod"] as const) {
            const graph = await plan(stack, false);
            const cluster = ofType(graph, CLUSTER)[0]!;
            const vault = byName(graph, "cluster-etcd-kv");
            const vaultName = String(vault.inputs["vaultName"]);
            assert.match(vaultName, new RegExp(`^kv-plt-${stack}-kms-[0-9a-z]{6}$`));
            assert.ok(vaultName.length <= 24, "Key Vault names are at most 24 characters");
            assert.equal(vault.protect, true);
            const properties = vault.inputs["properties"] as Record<string, any>;
            assert.deepEqual([properties["publicNetworkAccess"], properties["enablePurgeProtection"], properties["enableRbacAuthorization"]], ["Disabled", true, true]);
            assert.deepEqual(properties["sku"], { family: "A", name: "premium" });

            const kms = (cluster.inputs["securityProfile"] as Record<string, any>)["azureKeyVaultKms"];
            // A private vault: network access Private with the vault's resource id; the key id names a version.
            assert.deepEqual({ ...kms, keyId: undefined }, { enabled: true, keyId: undefined, keyVaultNetworkAccess: "Private", keyVaultResourceId: vault.id });
            assert.match(kms.keyId, new RegExp(`^https://${vaultName}\\.vault\\.azure\\.net/keys/etcd-kms/[0-9a-f]{32}$`));

            const key = byName(graph, "cluster-etcd-key");
            assert.equal(key.protect, true, "deleting the key makes every Secret unrecoverable");
            assert.deepEqual(key.inputs["properties"], {
                // HSM-backed (CKV_AZURE_112), which needs a Premium vault; azure/kubernetes-kms takes RSA-HSM keys.
                kty: "RSA-HSM",
                keySize: 2048,
                rotationPolicy: { attributes: { expiryTime: "P2Y" }, lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P180D" } }] },
            });
            // "Creating or updating keys in a private key vault that doesn't have a private endpoint isn't supported."
            assert.ok(key.dependencies.includes(byName(graph, "cluster-etcd-kv-pe").urn));

            // Key Vault Crypto User (encrypt, decrypt) and Key Vault Contributor (AKS's private link), both to the
            // user-assigned control plane identity, before the cluster; built-in-roles ids.
            const controlPlane = byName(graph, "cluster-identity").outputs["principalId"];
            for (const roleId of ["12338af0-0e69-4776-bea7-57ae8d297424", "f25e0fa2-a7c8-4377-a976-54943a77a395"]) {
                const grants = ofType(graph, ROLE_ASSIGNMENT).filter((r) => String(r.inputs["roleDefinitionId"]).endsWith(`/${roleId}`));
                assert.equal(grants.length, 1, roleId);
                assert.deepEqual([grants[0]!.inputs["principalId"], grants[0]!.inputs["principalType"], grants[0]!.inputs["scope"]], [controlPlane, "ServicePrincipal", vault.id]);
                assert.ok(cluster.dependencies.includes(grants[0]!.urn), `the cluster does not wait for ${grants[0]!.name}`);
            }
        }
    });

    it("sends the API server's reads to the audit log, and alerts on any read of a CA key's Secret but its signer's", async () => {
        const graph = await plan("prod", false);
        const diagnostics = byName(graph, "cluster-diagnostics").inputs["logs"] as { category: string }[];
        // kube-audit carries get/list/watch; kube-audit-admin leaves reads out (learn.microsoft.com/azure/aks/monitor-aks-reference).
        assert.ok(diagnostics.some((l) => l.category === "kube-audit"));
        const rule = byName(graph, "cluster-ca-key-read-alert");
        assert.deepEqual([rule.inputs["displayName"], rule.inputs["kind"], rule.inputs["severity"], rule.inputs["scopes"]], ["CaKeyReadByUnexpectedIdentity", "LogAlert", 1, [byName(graph, "network-logs").id]]);
        const query = String((rule.inputs["criteria"] as { allOf: { query: string }[] }).allOf[0]!.query);
        assert.match(query, /^AKSAudit\n/);
        // cert-manager's controller signs with cert-manager/platform-ca; istiod of the revision reads istio-system/cacerts.
        assert.ok(query.includes('tostring(ObjectRef.namespace) == "cert-manager" and tostring(ObjectRef.name) == "platform-ca" and tostring(User.username) !in ("system:serviceaccount:cert-manager:cert-manager")'), query);
        assert.ok(query.includes('tostring(ObjectRef.namespace) == "istio-system" and tostring(ObjectRef.name) == "cacerts" and tostring(User.username) !in ("system:serviceaccount:istio-system:istiod-1-30")'), query);
        assert.equal((rule.inputs["criteria"] as { allOf: { operator: string }[] }).allOf[0]!.operator, "GreaterThan");
    });

    it("denies public load balancers on the cluster through Azure Policy", async () => {
        const graph = await plan("dev", false);
        const assignment = ofType(graph, "azure-native:authorization:PolicyAssignment")[0]!;
        assert.equal(assignment.inputs["scope"], ofType(graph, CLUSTER)[0]!.id);
        assert.deepEqual(assignment.inputs["parameters"], { effect: { value: "deny" } });
    });
});

describe("kubernetes provider", () => {
    it("is built in phase 2 from the exec-format user kubeconfig, secret, and waits for the admin groups' grants by dependsOn", async () => {
        const graph = await plan("dev", false, "all");
        const provider = graph.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.equal(provider.name, "aks");
        const kubeconfig = provider.inputs["kubeconfig"] as Record<string, unknown>;
        assert.equal(kubeconfig[SIG_KEY], SECRET_SIG, "the kubeconfig is not a secret");
        const parsed = parse(String(kubeconfig["value"]));
        const user = parsed.users[0].user;
        assert.equal(user.exec.command, "kubelogin");
        assert.equal(user.token ?? user["client-key-data"], undefined, "the kubeconfig carries a credential");
        assert.match(parsed.clusters[0].cluster.server, /^https:\/\/aks-platform-dev-[0-9a-f]{8}\.[0-9a-f-]{36}\.privatelink\.westeurope\.azmk8s\.io:443$/);
        const grants = ofType(graph, ROLE_ASSIGNMENT).filter((r) => r.name.startsWith("cluster-cluster-admin-")).map((r) => r.urn);
        assert.equal(grants.length, rawConfig("dev")["cluster"].adminGroupObjectIds.length);
        for (const urn of grants) {
            assert.ok(provider.dependencies.includes(urn), `the provider does not wait for ${urn}`);
            // A grant replaced (or created) has an unknown id: the kubeconfig must not carry it.
            assert.ok(!(provider.propertyDependencies["kubeconfig"] ?? []).includes(urn));
        }
    });

    it("is a secret unknown in a preview of a new cluster, as the engine shows it", async () => {
        const graph = await plan("dev", true, "all");
        const provider = graph.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.deepEqual(provider.inputs["kubeconfig"], { [SIG_KEY]: SECRET_SIG, value: UNKNOWN });
    });

    it("does not exist in phase 1", async () => {
        const graph = await plan("prod", true, "azure");
        assert.deepEqual(graph.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes"), []);
    });
});
