import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { UPGRADE_SURGE_NODES, type ClusterConfig, type NetworkConfig } from "../../config";
import { sendDiagnostics } from "../shared/diagnostics";
import { required } from "../shared/required";
import { assignRole } from "../shared/roleAssignment";
import { declareSecretReadAlert, type WatchedSecret } from "./audit";
import { declareEtcdKey, type EtcdKey } from "./kms";

/** The deploying identity and its tenant, from `getClientConfig`. */
export interface AzureClient {
    tenantId: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** Object id of whoever runs `pulumi up`; granted cluster admin so phase 2 can deploy. */
    objectId: pulumi.Input<string>;
}

export interface PrivateClusterArgs {
    /** Short name used in Azure resource names, e.g. `platform-dev`. */
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** Validated cluster settings (see config/schema.ts). */
    config: ClusterConfig;
    /** Pod and service ranges and the DNS service IP. */
    network: Pick<NetworkConfig, "podCidr" | "serviceCidr" | "dnsServiceIp">;
    /**
     * Node subnets, the ingress subnet the mesh gateway's internal load balancer lives in, and (API Server VNet
     * Integration) the subnet delegated to the API server; `config.kmsEtcdEncryption` requires the last.
     */
    subnetIds: { systemNodes: pulumi.Input<string>; userNodes: pulumi.Input<string>; ingress: pulumi.Input<string>; apiServer?: pulumi.Input<string> };
    /** CA keys' Secrets and who may read them: any other read raises an Azure Monitor alert (from the audit log). */
    caKeySecrets: WatchedSecret[];
    /** Where that alert goes (the platform's action group); none without receivers. */
    alertActionGroupId?: pulumi.Input<string>;
    /** Where the etcd encryption key's vault gets its private endpoint and DNS record. */
    keyVaultNetwork: { privateEndpointSubnetId: pulumi.Input<string>; vaultDnsZoneId: pulumi.Input<string> };
    /** The route table sending 0.0.0.0/0 to the firewall; AKS writes to it, so its identity needs a role there. */
    routeTableId: pulumi.Input<string>;
    /** Firewall, rules and default route: with userDefinedRouting, nodes cannot bootstrap before these exist. */
    egressReady: pulumi.Resource[];
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    client: AzureClient;
    /** Standard carries the API server SLA (prod); Free has none (dev). */
    skuTier: "Free" | "Standard";
    /**
     * The monitoring add-on (Container insights, Entra ID auth) sending to `logAnalyticsWorkspaceId`: what it
     * collects is the SIEM's data collection rule (components/siem). Off by default.
     */
    containerInsights?: boolean;
    /** The Key Vault secrets provider add-on with rotation, for application namespaces' secrets (components/appsecrets). Off by default. */
    keyVaultSecretsProvider?: boolean;
    tags: Record<string, string>;
}

/** Azure Policy built-in "Kubernetes clusters should use internal load balancers". */
const INTERNAL_LOAD_BALANCERS_POLICY = "/providers/Microsoft.Authorization/policyDefinitions/3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e";

/** AKS reads these names: one for the control plane upgrade window, one for the node OS window. */
const MAINTENANCE_CONFIGURATIONS = ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"] as const;

/**
 * A private AKS cluster: no public API server, Entra ID with Azure RBAC and no local accounts, workload identity,
 * Azure CNI overlay with Cilium, egress only through the network's firewall. Hands out a kubeconfig for a
 * `@pulumi/kubernetes` provider; it reaches the API server only from inside the VNet (phase 2).
 */
export class PrivateCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterId: pulumi.Output<string>;
    /** Issuer URL for workload identity federated credentials. */
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** AKS's own resource group for nodes, disks and their snapshots. */
    public readonly nodeResourceGroupName: pulumi.Output<string>;
    /** Exec-format kubeconfig (kubelogin, no embedded credentials), secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The kubelet identity's principal: it pulls the nodes' images. */
    public readonly kubeletPrincipalId: pulumi.Output<string>;
    /** The admin groups' cluster-admin grants: a Kubernetes provider must wait for them (`dependsOn`). */
    public readonly adminGrants: pulumi.Resource[];

    constructor(name: string, args: PrivateClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:PrivateCluster", name, {}, opts);
        const { namePrefix, config, client } = args;
        if (config.kmsEtcdEncryption && args.subnetIds.apiServer === undefined) {
            throw new pulumi.InputPropertyError({ propertyPath: "subnetIds.apiServer", reason: "KMS with a private Key Vault needs API Server VNet Integration" });
        }
        const identities = declareIdentities(name, args, this);
        const etcdKey = config.kmsEtcdEncryption
            ? declareEtcdKey(`${name}-etcd`, {
                namePrefix,
                location: args.location,
                resourceGroupName: args.resourceGroupName,
                tenantId: client.tenantId,
                subscriptionId: client.subscriptionId,
                controlPlanePrincipalId: identities.controlPlane.principalId,
                ...args.keyVaultNetwork,
                logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
                tags: args.tags,
            }, this)
            : undefined;
        const cluster = declareManagedCluster(name, args, identities, etcdKey, this);
        declareOperations(name, args, cluster, this);
        const access = declareAdminAccess(name, args, cluster, this);

        this.adminGrants = access.adminGrants;
        this.kubeletPrincipalId = identities.kubelet.principalId;
        this.clusterName = cluster.name;
        this.clusterId = cluster.id;
        this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((profile) => required(profile?.issuerURL, `OIDC issuer URL for aks-${namePrefix}`));
        // Known from the inputs, but read from the cluster so users of it wait for AKS to create it.
        this.nodeResourceGroupName = cluster.nodeResourceGroup.apply((group) => required(group, `node resource group for aks-${namePrefix}`));
        this.kubeconfig = pulumi.secret(access.kubeconfig);
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterId: this.clusterId,
            oidcIssuerUrl: this.oidcIssuerUrl,
            kubeconfig: this.kubeconfig,
        });
    }
}

interface ClusterIdentities {
    controlPlane: managedidentity.UserAssignedIdentity;
    kubelet: managedidentity.UserAssignedIdentity;
    /** What the control plane needs before the cluster is created. */
    grants: pulumi.Resource[];
}

/** The control plane's and the kubelet's identities, and exactly what the control plane may write. */
function declareIdentities(name: string, args: PrivateClusterArgs, parent: pulumi.Resource): ClusterIdentities {
    const { namePrefix, location, resourceGroupName, client, tags } = args;
    const controlPlane = new managedidentity.UserAssignedIdentity(`${name}-identity`, {
        resourceName: `id-${namePrefix}-aks`,
        resourceGroupName,
        location,
        tags,
    }, { parent });
    const kubelet = new managedidentity.UserAssignedIdentity(`${name}-kubelet-identity`, {
        resourceName: `id-${namePrefix}-kubelet`,
        resourceGroupName,
        location,
        tags,
    }, { parent });

    // Exactly what the control plane writes: load balancers and NICs in these subnets, routes in the route table.
    const networkScopes = {
        "system-subnet": args.subnetIds.systemNodes,
        "user-subnet": args.subnetIds.userNodes,
        "ingress-subnet": args.subnetIds.ingress,
        "route-table": args.routeTableId,
        // "Lack of permissions at the API server subnet can cause a provisioning failure" (api-server-vnet-integration).
        ...(args.subnetIds.apiServer === undefined ? {} : { "apiserver-subnet": args.subnetIds.apiServer }),
    };
    const grants: pulumi.Resource[] = Object.entries(networkScopes).map(([scopeName, scope]) =>
        assignRole(`${name}-network-contributor-${scopeName}`, {
            principalId: controlPlane.principalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            role: "Network Contributor",
            scope,
            subscriptionId: client.subscriptionId,
            purpose: `${namePrefix}/aks-control-plane/network-contributor/${scopeName}`,
        }, { parent }),
    );
    // The control plane assigns the kubelet identity to the node VM scale sets.
    grants.push(assignRole(`${name}-kubelet-identity-operator`, {
        principalId: controlPlane.principalId,
        principalType: authorization.PrincipalType.ServicePrincipal,
        role: "Managed Identity Operator",
        scope: kubelet.id,
        subscriptionId: client.subscriptionId,
        purpose: `${namePrefix}/aks-control-plane/managed-identity-operator/kubelet`,
    }, { parent }));
    return { controlPlane, kubelet, grants };
}

/** A node pool's settings, the same for the inline system pool and the user pool. */
function nodePool(config: ClusterConfig, pool: ClusterConfig["systemPool"], subnetId: pulumi.Input<string>) {
    return {
        vmSize: pool.vmSize,
        // The autoscaler owns the count after creation (see ignoreChanges).
        count: pool.minCount,
        minCount: pool.minCount,
        maxCount: pool.maxCount,
        enableAutoScaling: true,
        maxPods: pool.maxPods,
        availabilityZones: config.zones,
        osType: containerservice.OSType.Linux,
        osSKU: containerservice.OSSKU.AzureLinux,
        osDiskType: containerservice.OSDiskType.Ephemeral,
        osDiskSizeGB: pool.osDiskSizeGB,
        type: containerservice.AgentPoolType.VirtualMachineScaleSets,
        vnetSubnetID: subnetId,
        enableNodePublicIP: false,
        orchestratorVersion: config.kubernetesVersion,
        upgradeSettings: { maxSurge: String(UPGRADE_SURGE_NODES) },
    };
}

/**
 * The paths AKS owns once the upgrade channel moves the minor version: the stable and rapid channels do
 * (learn.microsoft.com/azure/aks/auto-upgrade-cluster); sending the configured one again would ask AKS for a
 * downgrade, which it refuses. With them the configured version is the one the cluster starts at; patch and
 * node-image keep the pinned minor.
 */
function versionOwnedByAks(config: ClusterConfig, ...paths: string[]): string[] {
    return config.upgradeChannel === "stable" || config.upgradeChannel === "rapid" ? paths : [];
}

/** The private cluster itself, with its inline system pool. */
function declareManagedCluster(name: string, args: PrivateClusterArgs, identities: ClusterIdentities, etcdKey: EtcdKey | undefined, parent: pulumi.Resource): containerservice.ManagedCluster {
    const { namePrefix, location, resourceGroupName, config, client, tags } = args;
    const { controlPlane, kubelet } = identities;
    return new containerservice.ManagedCluster(`${name}-aks`, {
        resourceName: `aks-${namePrefix}`,
        resourceGroupName,
        location,
        dnsPrefix: `aks-${namePrefix}`,
        nodeResourceGroup: `rg-${namePrefix}-aks-nodes`,
        kubernetesVersion: config.kubernetesVersion,
        sku: { name: containerservice.ManagedClusterSKUName.Base, tier: args.skuTier },
        identity: { type: containerservice.ResourceIdentityType.UserAssigned, userAssignedIdentities: [controlPlane.id] },
        identityProfile: { kubeletidentity: { resourceId: kubelet.id, clientId: kubelet.clientId, objectId: kubelet.principalId } },
        enableRBAC: true,
        disableLocalAccounts: true,
        aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: config.adminGroupObjectIds, tenantID: client.tenantId },
        apiServerAccessProfile: {
            enablePrivateCluster: true,
            privateDNSZone: "system",
            enablePrivateClusterPublicFQDN: config.publicFqdn,
            disableRunCommand: true,
            // The API server's internal load balancer in its delegated subnet: nodes reach it without a tunnel.
            ...(args.subnetIds.apiServer === undefined ? {} : { enableVnetIntegration: true, subnetId: args.subnetIds.apiServer }),
        },
        oidcIssuerProfile: { enabled: true },
        securityProfile: {
            workloadIdentity: { enabled: true },
            defender: { logAnalyticsWorkspaceResourceId: args.logAnalyticsWorkspaceId, securityMonitoring: { enabled: true } },
            imageCleaner: { enabled: true, intervalHours: 168 },
            azureKeyVaultKms: etcdKey?.kms,
        },
        addonProfiles: {
            // Only where application namespaces read Key Vault secrets; otherwise the add-on would be unused surface.
            // Rotation re-reads mounted secrets every 2 minutes (learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options).
            azureKeyvaultSecretsProvider: args.keyVaultSecretsProvider
                ? { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } }
                : { enabled: false },
            azurepolicy: { enabled: true },
            // Managed identity auth, no workspace key (learn.microsoft.com/azure/azure-monitor/containers/container-insights-authentication).
            ...(args.containerInsights ? { omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: args.logAnalyticsWorkspaceId, useAADAuth: "true" } } } : {}),
        },
        networkProfile: {
            networkPlugin: containerservice.NetworkPlugin.Azure,
            networkPluginMode: containerservice.NetworkPluginMode.Overlay,
            networkDataplane: containerservice.NetworkDataplane.Cilium,
            networkPolicy: containerservice.NetworkPolicy.Cilium,
            podCidr: args.network.podCidr,
            serviceCidr: args.network.serviceCidr,
            dnsServiceIP: args.network.dnsServiceIp,
            outboundType: containerservice.OutboundType.UserDefinedRouting,
            loadBalancerSku: containerservice.LoadBalancerSku.Standard,
        },
        autoUpgradeProfile: { upgradeChannel: config.upgradeChannel, nodeOSUpgradeChannel: config.nodeOsUpgradeChannel },
        storageProfile: {
            // Velero snapshots persistent volumes through the Disk CSI driver and the snapshot controller.
            diskCSIDriver: { enabled: true },
            snapshotController: { enabled: true },
            fileCSIDriver: { enabled: false },
            blobCSIDriver: { enabled: false },
        },
        agentPoolProfiles: [{
            name: "system",
            mode: containerservice.AgentPoolMode.System,
            // Only add-ons run here; the platform and apps go to the user pool.
            nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
            ...nodePool(config, config.systemPool, args.subnetIds.systemNodes),
        }],
        tags,
    }, {
        parent,
        protect: true,
        dependsOn: [...identities.grants, ...(etcdKey?.grants ?? []), ...args.egressReady],
        ignoreChanges: ["agentPoolProfiles[0].count", ...versionOwnedByAks(config, "kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion")],
    });
}

/** What runs the cluster day to day: the user pool, maintenance windows, internal-only load balancers, logs, the CA-key alert. */
function declareOperations(name: string, args: PrivateClusterArgs, cluster: containerservice.ManagedCluster, parent: pulumi.Resource): void {
    const { namePrefix, location, resourceGroupName, config, tags } = args;
    new containerservice.AgentPool(`${name}-user-pool`, {
        agentPoolName: "user",
        resourceName: cluster.name,
        resourceGroupName,
        mode: containerservice.AgentPoolMode.User,
        ...nodePool(config, config.userPool, args.subnetIds.userNodes),
    }, { parent, ignoreChanges: ["count", ...versionOwnedByAks(config, "orchestratorVersion")] });

    const window = config.maintenanceWindow;
    for (const configName of MAINTENANCE_CONFIGURATIONS) {
        new containerservice.MaintenanceConfiguration(`${name}-${configName}`, {
            configName,
            resourceName: cluster.name,
            resourceGroupName,
            maintenanceWindow: {
                schedule: { weekly: { dayOfWeek: window.dayOfWeek, intervalWeeks: 1 } },
                startTime: window.startTime,
                durationHours: window.durationHours,
                utcOffset: window.utcOffset,
            },
        }, { parent });
    }

    // Services of type LoadBalancer must be internal: the edge is Front Door or Application Gateway, never the cluster.
    new authorization.PolicyAssignment(`${name}-internal-load-balancers`, {
        policyAssignmentName: `${namePrefix}-aks-internal-lb`,
        displayName: "Kubernetes services use internal load balancers only",
        scope: cluster.id,
        policyDefinitionId: INTERNAL_LOAD_BALANCERS_POLICY,
        parameters: { effect: { value: "deny" } },
    }, { parent });

    sendDiagnostics(`${name}-diagnostics`, {
        resourceUri: cluster.id,
        workspaceId: args.logAnalyticsWorkspaceId,
        // kube-audit carries reads too (kube-audit-admin only writes): the CA keys' reads are watched below.
        categories: ["kube-audit", "guard", "kube-apiserver", "cluster-autoscaler"],
    }, { parent });
    declareSecretReadAlert(`${name}-ca-key-read-alert`, {
        namePrefix,
        resourceGroupName,
        location,
        workspaceId: args.logAnalyticsWorkspaceId,
        secrets: args.caKeySecrets,
        actionGroupId: args.alertActionGroupId,
        subscriptionId: args.client.subscriptionId,
        tags,
    }, parent);
}

/** Who may administer the cluster, and the kubeconfig the platform's Kubernetes provider uses. */
function declareAdminAccess(name: string, args: PrivateClusterArgs, cluster: containerservice.ManagedCluster, parent: pulumi.Resource) {
    const { namePrefix, resourceGroupName, config, client } = args;
    // Cluster admin goes to the configured Entra groups (the CI identity and the operators are members), never
    // to whoever runs `up`: a laptop run and a CI run would replace each other's grant (as aks-baseline does
    // with Azure RBAC: the role on the cluster for the admin group).
    const adminGrants = config.adminGroupObjectIds.map((groupId) => assignRole(`${name}-cluster-admin-${groupId}`, {
        principalId: groupId,
        principalType: authorization.PrincipalType.Group,
        role: "Azure Kubernetes Service RBAC Cluster Admin",
        scope: cluster.id,
        subscriptionId: client.subscriptionId,
        purpose: `${namePrefix}/admin-group/${groupId}/aks-rbac-cluster-admin`,
    }, { parent }));

    // Local accounts are off, so the admin credential call is refused; the user credential in exec format
    // makes kubectl and the provider get Entra ID tokens through kubelogin.
    const credentials = containerservice.listManagedClusterUserCredentialsOutput({
        resourceGroupName,
        resourceName: cluster.name,
        format: "exec",
    }, { parent });
    const kubeconfig = credentials.apply((result) => {
        const [userKubeconfig] = result.kubeconfigs;
        if (!userKubeconfig) {
            throw new Error(`AKS returned no user kubeconfig for aks-${namePrefix}`);
        }
        return Buffer.from(userKubeconfig.value, "base64").toString("utf8");
    });
    return { adminGrants, kubeconfig };
}
