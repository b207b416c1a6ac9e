/**
 * The program body: composes the components from a validated config. `index.ts` calls it with the stack's
 * config; the offline plan calls it the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import { getClientConfigOutput } from "@pulumi/azure-native/authorization";
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { Provider as RandomProvider } from "@pulumi/random";
import { Provider as TlsProvider } from "@pulumi/tls";
import type { AzurePlatformConfig, PlatformConfig } from "./config";
import { ENVIRONMENT_PROFILES } from "./config/profiles";
import { CertManager } from "./components/certmanager";
import { PrivateCluster } from "./components/cluster";
import { Falco } from "./components/falco";
import { Gateway } from "./components/gateway";
import { Kyverno } from "./components/kyverno";
import { ServiceMesh } from "./components/mesh";
import { Network } from "./components/network";
import { Observability } from "./components/observability";
import { PrivateCa } from "./components/pki";
import { BackupStorage, Velero, type BackupTarget, type VeleroArgs } from "./components/velero";

export function definePlatform(config: PlatformConfig): Record<string, pulumi.Input<unknown>> {
    if (config.environment === "local") {
        // The kubeconfig context the developer names; no Azure provider is ever created.
        const kubernetes = new KubernetesProvider("local", { context: config.kubernetes.context });
        const backup = config.backup;
        const backupTarget: BackupTarget | undefined = backup && config.backupS3SecretAccessKey
            ? { kind: "s3", ...backup.s3, secretAccessKey: config.backupS3SecretAccessKey }
            : undefined;
        return defineInCluster(config, kubernetes, backup && backupTarget && { target: backupTarget, policy: backup });
    }
    const azure = defineAzureLayer(config);
    if (config.phase === "azure") {
        return azure.outputs;
    }
    // Phase 2: reachable only from inside the VNet (a runner in the runners subnet).
    const kubernetes = new KubernetesProvider("aks", { kubeconfig: azure.cluster.kubeconfig });
    return { ...azure.outputs, ...defineInCluster(config, kubernetes, { target: azure.backupStorage.target, policy: config.backup }) };
}

/** Phase 1: everything in Azure, previewable from anywhere. */
function defineAzureLayer(config: AzurePlatformConfig) {
    const profile = ENVIRONMENT_PROFILES[config.environment];
    const namePrefix = `platform-${config.environment}`;
    // The mesh ingress gateway's names: private DNS in the VNet, certificates from the private CA.
    const ingressDomain = `aks-ingress.${config.gateway.domain}`;
    const tags = {
        environment: config.environment,
        owner: config.tags.owner,
        costCenter: config.tags.costCenter,
        managedBy: "pulumi",
    };
    const azureProvider = new AzureProvider("azure", { location: config.location });
    const randomProvider = new RandomProvider("random");
    const client = getClientConfigOutput({ provider: azureProvider });

    const net = new Network("network", {
        namePrefix,
        location: config.location,
        config: config.network,
        tags,
        logRetentionDays: profile.logRetentionDays,
        firewallTier: profile.firewallTier,
        zones: config.cluster.zones,
        ingressDomain,
    }, { providers: [azureProvider] });

    const privateCa = new PrivateCa("pki", { organization: config.tags.owner, environment: config.environment }, { providers: [new TlsProvider("tls")] });

    const gateway = new Gateway("gateway", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        config: config.gateway,
        apimSubnetId: net.subnetIds.apim!,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints!,
        vaultDnsZoneId: net.privateDnsZoneIds.vault,
        tenantId: client.tenantId,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        zones: config.cluster.zones,
        privateCaRootPem: privateCa.rootCertificatePem,
        ingressBackendUrl: `https://api.${ingressDomain}`,
        tags,
    }, { providers: [azureProvider, randomProvider] });

    const cluster = new PrivateCluster("cluster", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        config: config.cluster,
        network: config.network,
        subnetIds: {
            systemNodes: net.subnetIds.systemNodes!,
            userNodes: net.subnetIds.userNodes!,
            ingress: net.subnetIds.ingress!,
        },
        routeTableId: net.routeTableId,
        egressReady: net.egressReady,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        client: { tenantId: client.tenantId, subscriptionId: client.subscriptionId, objectId: client.objectId },
        skuTier: profile.clusterSkuTier,
        tags,
    }, { providers: [azureProvider] });

    const backupStorage = new BackupStorage("backup-storage", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        sku: profile.backupStorageSku,
        immutabilityDays: config.backup.immutabilityDays,
        immutabilityLocked: config.backup.immutabilityLocked,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints!,
        blobDnsZoneId: net.privateDnsZoneIds.blob,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        nodeResourceGroupName: cluster.nodeResourceGroupName,
        tags,
    }, { providers: [azureProvider, randomProvider] });

    return {
        cluster,
        backupStorage,
        outputs: {
            resourceGroupName: net.resourceGroupName,
            vnetId: net.vnetId,
            firewallPrivateIp: net.firewallPrivateIp,
            keyVaultUri: gateway.keyVaultUri,
            apiHostName: gateway.apiHostName,
            // Point the API name at Front Door (CNAME) and prove ownership (TXT _dnsauth.<name>) in the public zone.
            frontDoorEndpointHostName: gateway.frontDoorEndpointHostName,
            domainValidationToken: gateway.domainValidationToken,
            privateCaRootCertificate: privateCa.rootCertificatePem,
            clusterName: cluster.clusterName,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            kubeconfig: cluster.kubeconfig,
            backupStorageAccount: backupStorage.target.storageAccountName,
        },
    };
}

/** Phase 2 (or the local stack): the platform inside the cluster, every resource through `kubernetes`. */
function defineInCluster(config: PlatformConfig, kubernetes: KubernetesProvider, backup: VeleroArgs | undefined) {
    const opts = { providers: [kubernetes] };
    const certManager = new CertManager("cert-manager", {}, opts);
    const mesh = new ServiceMesh("mesh", {}, opts);
    const observability = new Observability("observability", {}, opts);
    const falco = new Falco("falco", { siemWebhookUrl: config.siemWebhookUrl }, opts);
    const kyverno = new Kyverno("kyverno", {}, opts);
    const velero = backup && new Velero("velero", backup, opts);
    return {
        namespaces: pulumi.all({
            certManager: certManager.namespace,
            meshSystem: mesh.systemNamespace,
            meshIngress: mesh.ingressNamespace,
            observability: observability.namespace,
            falco: falco.namespace,
            kyverno: kyverno.namespace,
            ...(velero ? { velero: velero.namespace } : {}),
        }),
    };
}
