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
import type { AzurePlatformConfig, PlatformConfig, SuppliedCaConfig } from "./config";
import { ConfigError } from "./config";
import { ENVIRONMENT_PROFILES, type EnvironmentProfile } from "./config/profiles";
import { ApplicationSecrets, platformNamespaceProblems } from "./components/appsecrets";
import { CERT_MANAGER_NAMESPACE, CERT_MANAGER_SERVICE_ACCOUNT, CertManager, DnsIdentity, PLATFORM_CA_SECRET, type AcmeArgs } from "./components/certmanager";
import { PrivateCluster } from "./components/cluster";
import { Falco, FALCO_NAMESPACE } from "./components/falco";
import { Gateway } from "./components/gateway";
import { Kyverno, KYVERNO_NAMESPACE } from "./components/kyverno";
import { INGRESS_NAMESPACE, istiodServiceAccount, MESH_CA_SECRET, MESH_ROOT_NAMESPACE, ServiceMesh, type IngressExposure, type ServiceMeshArgs } from "./components/mesh";
import { Network, SUBNET_NAMES } from "./components/network";
import { MONITORING_NAMESPACE, Observability, TelemetryStorage, type CriticalReceiver, type ObservabilityArgs } from "./components/observability";
import { PrivateCa } from "./components/pki";
import { ContainerRegistry } from "./components/registry";
import { DefenderForContainers } from "./components/defender";
import { Siem } from "./components/siem";
import { runnerImageBuild, Runners } from "./components/runners";
import { deterministicGuid } from "./components/shared/guid";
import { loadModels } from "./components/shared/customResources";
import type { ClusterContext } from "./components/shared/namespace";
import { BackupStorage, Velero, VELERO_NAMESPACE, type BackupTarget, type VeleroArgs } from "./components/velero";
import { ISTIO_REVISION } from "./versions";

export async function definePlatform(config: PlatformConfig): Promise<Record<string, pulumi.Input<unknown>>> {
    // Checked before anything is declared: the config module cannot know the platform's namespaces.
    const namespaceProblems = config.environment === "local" ? [] : platformNamespaceProblems(config.applicationSecrets, PLATFORM_NAMESPACES);
    if (namespaceProblems.length > 0) {
        throw new ConfigError(namespaceProblems);
    }
    const models = await loadModels();
    const tls = new TlsProvider("tls");
    const random = new RandomProvider("random");
    // The platform CA exists before any cluster: API Management trusts its root in phase 1.
    const platformCa = new PrivateCa("pki", {
        purpose: "Platform",
        environment: config.environment,
        supplied: suppliedCa(config.platformCa, config.platformCaIntermediateKey),
    }, { providers: [tls] });

    if (config.environment === "local") {
        const profile = ENVIRONMENT_PROFILES.local;
        // The kubeconfig context the developer names; no Azure provider is ever created.
        const kubernetes = new KubernetesProvider("local", { context: config.kubernetes.context });
        const backup = config.backup;
        const backupTarget: BackupTarget | undefined = backup && config.backupS3SecretAccessKey
            ? { kind: "s3", ...backup.s3, secretAccessKey: config.backupS3SecretAccessKey }
            : undefined;
        return defineInCluster(config, {
            kubernetes,
            tls,
            random,
            models,
            platformCa,
            // kind and k3d serve the API on the container network; there is no fixed range to name.
            cluster: { apiServerCidrs: ["0.0.0.0/0"], meshRevision: ISTIO_REVISION, monitoringNamespace: MONITORING_NAMESPACE },
            ingressDomain: config.kubernetes.ingressDomain,
            ingressExposure: { kind: "clusterDefault" },
            profile,
            acme: undefined,
            observability: {
                retentionDays: profile.retention.metricsDays,
                telemetry: { kind: "filesystem" },
                logRetentionDays: profile.retention.logDays,
                traceRetentionDays: profile.retention.traceDays,
                criticalAlerts: { webhookUrl: config.alertWebhookUrl },
            },
            backup: backup && backupTarget && { target: backupTarget, policy: backup },
            outsideCertificates: [],
            // No edge in front of a laptop cluster: no client certificate, tokens or limits to require.
            apiSecurity: {},
        });
    }
    const azure = defineAzureLayer(config, platformCa, random, tls);
    if (config.phase === "azure") {
        return azure.outputs;
    }
    // Phase 2: reachable only from inside the VNet (a runner in the runners subnet).
    // The kubeconfig waits for the cluster; the provider's calls also wait for the admin groups' grants.
    const kubernetes = new KubernetesProvider("aks", { kubeconfig: azure.cluster.kubeconfig }, { dependsOn: azure.cluster.adminGrants });
    return {
        ...azure.outputs,
        ...defineInCluster(config, {
            kubernetes,
            tls,
            random,
            models,
            platformCa,
            // The API server calls from its delegated subnet (VNet Integration), else from its private endpoint in the system node subnet.
            cluster: {
                apiServerCidrs: [config.network.subnets.apiServer ?? config.network.subnets.systemNodes],
                meshRevision: ISTIO_REVISION,
                monitoringNamespace: MONITORING_NAMESPACE,
                imageRegistry: azure.registry.loginServer,
                // Premium SSD (learn.microsoft.com/azure/aks/concepts-storage: AKS's built-in storage classes).
                storageClass: "managed-csi-premium",
            },
            ingressDomain: azure.ingressDomain,
            ingressExposure: azure.ingressExposure,
            profile: azure.profile,
            acme: azure.acme,
            observability: {
                retentionDays: config.observability.retentionDays,
                metricVolumes: azure.profile.metricVolumes && { prometheusGi: config.observability.storageGi, ...azure.profile.metricVolumes },
                telemetry: azure.telemetry,
                logRetentionDays: config.observability.logRetentionDays,
                traceRetentionDays: config.observability.traceRetentionDays,
                criticalAlerts: criticalAlerts(config),
                grafanaAdminRotation: config.observability.grafanaAdminPasswordRotation,
            },
            backup: { target: azure.backupStorage.target, policy: config.backup },
            outsideCertificates: azure.heldCertificates,
            apiSecurity: meshApiSecurity(config, azure.ingressClient, platformCa),
        }),
    };
}

/**
 * What the mesh checks of the edge's requests: API Management's client certificate (Front Door edge), every
 * application route's token, and (App Gateway edge, where nothing before the mesh limits requests) the gateway's rate
 * limits, App Gateway being the one proxy whose X-Forwarded-For entry the gateway trusts.
 */
function meshApiSecurity(config: AzurePlatformConfig, ingressClient: Gateway["ingressClient"], platformCa: PrivateCa): Pick<ServiceMeshArgs, "edgeClient" | "tokens" | "gatewayRateLimits"> {
    const { jwt, rateLimits, edge } = config.gateway;
    return {
        edgeClient: ingressClient && { caChainPem: platformCa.chainPem, ...ingressClient },
        tokens: { issuer: jwt.issuer, audiences: jwt.audiences, requiredClaims: jwt.requiredClaims, claimValues: jwt.claimValues, publicPaths: jwt.publicPaths },
        gatewayRateLimits: edge === "appgateway" ? { perClientIp: rateLimits.perClientIp, perSubject: rateLimits.perSubject, trustedProxies: 1 } : undefined,
    };
}

/** A CA from config, when the team supplies one (the schema requires the key with the certificates). */
function suppliedCa(certificates: SuppliedCaConfig | undefined, intermediateKey: pulumi.Output<string> | undefined) {
    return certificates && intermediateKey
        ? { rootCertificatePem: certificates.rootCertificate, intermediateCertificatePem: certificates.intermediateCertificate, intermediatePrivateKeyPem: intermediateKey }
        : undefined;
}

/** Critical alerts: the webhook and e-mail receivers the stack configures (both secrets stay secret). */
function criticalAlerts(config: AzurePlatformConfig): CriticalReceiver {
    const email = config.observability.criticalAlertEmail;
    return {
        webhookUrl: config.alertWebhookUrl,
        email: email && config.alertEmailPassword ? { ...email, password: config.alertEmailPassword } : undefined,
    };
}

/** Phase 1: everything in Azure, previewable from anywhere. */
function defineAzureLayer(config: AzurePlatformConfig, platformCa: PrivateCa, randomProvider: RandomProvider, tls: TlsProvider) {
    const profile = ENVIRONMENT_PROFILES[config.environment];
    const namePrefix = `platform-${config.environment}`;
    // Each security switch: the stack's key, else the environment's default.
    const sentinel = config.security.sentinel ?? profile.sentinel;
    const defenderForContainers = config.security.defenderForContainers ?? profile.defenderForContainers;
    const applicationNamespaces = Object.keys(config.applicationSecrets).length > 0;
    // The mesh ingress gateway's names: private DNS in the VNet, certificates from the private CA.
    const ingressDomain = `aks-ingress.${config.gateway.domain}`;
    const tags = {
        environment: config.environment,
        owner: config.tags.owner,
        costCenter: config.tags.costCenter,
        managedBy: "pulumi",
    };
    // The committed prod stack's placeholder receiver (RFC 2606 .invalid never resolves): say so on every run.
    for (const receiver of config.receiverEndpoints.filter((r) => r.host.endsWith(".invalid"))) {
        pulumi.log.warn(`platform:${receiver.key} is a placeholder (${receiver.host}): critical alerts reach nobody until it is replaced (docs/configuration.md)`);
    }
    const azureProvider = new AzureProvider("azure", { location: config.location });
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
        edge: config.gateway.edge,
        partnerSourceRanges: config.gateway.apim.partners?.allowedSourceRanges,
        // API Management exists with the frontdoor edge only; Premium runs several units (virtual-network-reference).
        apim: config.gateway.edge === "frontdoor" ? { multiUnit: config.gateway.apim.sku === "Premium", jwtIssuer: config.gateway.jwt.issuer } : undefined,
        optionalEgress: { containerInsights: sentinel, alertReceivers: config.receiverEndpoints, tokenIssuerHost: new URL(config.gateway.jwt.issuer).hostname },
    }, { providers: [azureProvider] });

    // The public zone may sit in another subscription: its records go through a provider for that one.
    const publicZone = config.gateway.publicDnsZone;
    const publicDnsProvider = publicZone && new AzureProvider("azure-public-dns", { location: config.location, subscriptionId: publicZone.subscriptionId });
    const gateway = new Gateway("gateway", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        config: config.gateway,
        apimSubnetId: net.subnetIds.apim,
        appGatewaySubnetId: net.subnetIds.appGateway,
        subscriptionId: client.subscriptionId,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints,
        vaultDnsZoneId: net.privateDnsZoneIds.vault,
        tenantId: client.tenantId,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        zones: config.cluster.zones,
        certificateOfficerGroupIds: config.cluster.adminGroupObjectIds,
        privateCaRootPem: platformCa.rootCertificatePem,
        privateCaIntermediatePem: platformCa.intermediateCertificatePem,
        ingressBackendUrl: `https://api.${ingressDomain}`,
        // A name in the ingress domain that no server uses: the gateway accepts a client certificate for it alone.
        ingressClient: {
            subjectAltName: `api-management.${ingressDomain}`,
            issuer: { certificatePem: platformCa.intermediateCertificatePem, privateKeyPem: platformCa.intermediatePrivateKeyPem },
        },
        hstsMaxAgeSeconds: profile.hstsMaxAgeSeconds,
        alertReceivers: { emailAddress: config.observability.criticalAlertEmail?.to, webhookUrl: config.alertWebhookUrl },
        publicDnsZone: publicZone && publicDnsProvider && { ...publicZone, provider: publicDnsProvider },
        tags,
    }, { providers: [azureProvider, randomProvider, tls] });

    // The CA keys' Secrets and their signers: any other read raises the cluster's alert and Sentinel's rule.
    const caKeySecrets = [
        { namespace: CERT_MANAGER_NAMESPACE, name: PLATFORM_CA_SECRET, readers: [{ namespace: CERT_MANAGER_SERVICE_ACCOUNT.namespace, serviceAccount: CERT_MANAGER_SERVICE_ACCOUNT.name }] },
        { namespace: MESH_ROOT_NAMESPACE, name: MESH_CA_SECRET, readers: [{ namespace: MESH_ROOT_NAMESPACE, serviceAccount: istiodServiceAccount(ISTIO_REVISION) }] },
    ];
    const cluster = new PrivateCluster("cluster", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        config: config.cluster,
        network: config.network,
        subnetIds: {
            systemNodes: net.subnetIds.systemNodes,
            userNodes: net.subnetIds.userNodes,
            ingress: net.subnetIds.ingress,
            apiServer: net.subnetIds.apiServer,
        },
        keyVaultNetwork: { privateEndpointSubnetId: net.subnetIds.privateEndpoints, vaultDnsZoneId: net.privateDnsZoneIds.vault },
        caKeySecrets,
        alertActionGroupId: gateway.alertActionGroupId,
        routeTableId: net.routeTableId,
        egressReady: net.egressReady,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        client: { tenantId: client.tenantId, subscriptionId: client.subscriptionId, objectId: client.objectId },
        skuTier: profile.clusterSkuTier,
        containerInsights: sentinel,
        keyVaultSecretsProvider: applicationNamespaces,
        tags,
    }, { providers: [azureProvider, randomProvider] });

    const backupStorage = new BackupStorage("backup-storage", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        sku: profile.backupStorageSku,
        immutabilityDays: config.backup.immutabilityDays,
        immutabilityLocked: config.backup.immutabilityLocked,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints,
        blobDnsZoneId: net.privateDnsZoneIds.blob,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        nodeResourceGroupName: cluster.nodeResourceGroupName,
        assignSnapshotRoles: config.phase === "all",
        tags,
    }, { providers: [azureProvider, randomProvider] });

    // Registry and vault names are global: one per organization and stack, the same on every run.
    const stackSeed = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const stackSuffix = deterministicGuid(stackSeed).slice(0, 8);
    const registryName = `acr${namePrefix.replace(/[^a-z0-9]/g, "")}${stackSuffix}`;
    const registry = new ContainerRegistry("registry", {
        namePrefix,
        registryName,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints,
        registryDnsZoneId: net.privateDnsZoneIds.registry,
        // `kv-plt-<env>-acr-<8 hex>`: 24 characters at most.
        credentialVaultName: `kv-${namePrefix.replace(/^platform-/, "plt-")}-acr-${stackSuffix}`,
        tenantId: client.tenantId,
        dockerHubCredentials: config.dockerHubUsername && config.dockerHubToken ? { username: config.dockerHubUsername, password: config.dockerHubToken } : undefined,
        kubeletPrincipalId: cluster.kubeletPrincipalId,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        tags,
    }, { providers: [azureProvider] });

    // Phase 2 runs on these (deploy.yml routes a stack in phase `all` to their labels); declared once the GitHub App is configured.
    const runners = config.runners && config.runnersGithubAppPrivateKey && new Runners("runners", {
        namePrefix,
        stack: pulumi.getStack(),
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        tenantId: client.tenantId,
        subnetId: net.subnetIds.runners,
        networkReady: net.egressReady,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints,
        vaultDnsZoneId: net.privateDnsZoneIds.vault,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        registry: { id: registry.registryId, name: registryName, loginServer: registry.loginServer },
        imageTag: runnerImageBuild().tag,
        github: { ...config.runners.github, privateKey: config.runnersGithubAppPrivateKey },
        jobs: { preview: profile.runners.preview, deploy: profile.runners.deploy },
        resources: { cpu: profile.runners.cpu, memory: profile.runners.memory },
        tags,
    }, { providers: [azureProvider, randomProvider] });

    const telemetryStorage = new TelemetryStorage("telemetry-storage", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        sku: profile.telemetryStorageSku,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints,
        blobDnsZoneId: net.privateDnsZoneIds.blob,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        serviceAccountNamespace: MONITORING_NAMESPACE,
        tags,
    }, { providers: [azureProvider, randomProvider] });

    if (sentinel) {
        new Siem("siem", {
            namePrefix,
            location: config.location,
            resourceGroupName: net.resourceGroupName,
            subscriptionId: client.subscriptionId,
            workspaceId: net.logAnalyticsWorkspaceId,
            clusterId: cluster.clusterId,
            detections: {
                caKeySecrets,
                platformNamespaces: PLATFORM_NAMESPACES,
                falcoNamespace: FALCO_NAMESPACE,
                kyvernoNamespace: KYVERNO_NAMESPACE,
                admissionEnforced: profile.admissionEnforce,
            },
            tags,
        }, { providers: [azureProvider] });
    }
    if (defenderForContainers) {
        new DefenderForContainers("defender", {
            namePrefix,
            location: config.location,
            resourceGroupName: net.resourceGroupName,
            subscriptionId: client.subscriptionId,
            registryName,
            workspaceId: net.logAnalyticsWorkspaceId,
            alertActionGroupId: gateway.alertActionGroupId,
            tags,
        }, { providers: [azureProvider] });
    }
    const applicationSecrets = applicationNamespaces ? new ApplicationSecrets("app-secrets", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        tenantId: client.tenantId,
        uniqueSeed: stackSeed,
        namespaces: config.applicationSecrets,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        privateEndpointSubnetId: net.subnetIds.privateEndpoints,
        vaultDnsZoneId: net.privateDnsZoneIds.vault,
        logAnalyticsWorkspaceId: net.logAnalyticsWorkspaceId,
        tags,
    }, { providers: [azureProvider] }) : undefined;

    const zone = config.gateway.publicDnsZone;
    const dnsIdentity = zone && new DnsIdentity("cert-manager-dns", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        subscriptionId: client.subscriptionId,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        zone,
        tags,
    }, { providers: [azureProvider] });
    const acme: AcmeArgs | undefined = zone && dnsIdentity && {
        environment: profile.acmeEnvironment,
        email: config.gateway.apim.publisherEmail,
        zone,
        identityClientId: dnsIdentity.clientId,
        // The cluster DNS Service (CoreDNS), which every namespace's NetworkPolicy already admits on 53.
        recursiveNameservers: [`${config.network.dnsServiceIp}:53`],
    };

    const ingressExposure: IngressExposure = { kind: "azureInternalLoadBalancer", subnetName: SUBNET_NAMES.ingress, ipAddress: net.ingressLoadBalancerIp };
    return {
        profile,
        cluster,
        registry,
        heldCertificates: gateway.heldCertificates,
        ingressClient: gateway.ingressClient,
        backupStorage,
        telemetry: telemetryStorage.backend,
        ingressDomain,
        ingressExposure,
        acme,
        outputs: {
            resourceGroupName: net.resourceGroupName,
            vnetId: net.vnetId,
            firewallPrivateIp: net.firewallPrivateIp,
            keyVaultUri: gateway.keyVaultUri,
            apiHostName: gateway.apiHostName,
            // In the public zone: the API name -> edgeTarget (CNAME to Front Door, or A to Application Gateway),
            // and for Front Door a TXT _dnsauth.<name> = domainValidationToken.
            edgeTarget: gateway.edgeTarget,
            ...(gateway.domainValidationToken ? { domainValidationToken: gateway.domainValidationToken } : {}),
            privateCaRootCertificate: platformCa.rootCertificatePem,
            clusterName: cluster.clusterName,
            registryLoginServer: registry.loginServer,
            oidcIssuerUrl: cluster.oidcIssuerUrl,
            kubeconfig: cluster.kubeconfig,
            backupStorageAccount: backupStorage.target.storageAccountName,
            telemetryStorageAccount: telemetryStorage.backend.storageAccountName,
            // Per application namespace: the vault and the client id its SecretProviderClass names (docs/application-secrets.md).
            ...(applicationSecrets ? { applicationSecrets: applicationSecrets.stores } : {}),
            ...(runners ? { runnerLabels: runners.labels } : {}),
        },
    };
}

interface InClusterTarget {
    kubernetes: KubernetesProvider;
    tls: TlsProvider;
    random: RandomProvider;
    models: Awaited<ReturnType<typeof loadModels>>;
    platformCa: PrivateCa;
    cluster: ClusterContext;
    ingressDomain: string;
    ingressExposure: IngressExposure;
    profile: EnvironmentProfile;
    /** Public certificates through Let's Encrypt, when a public Azure DNS zone is configured. */
    acme: AcmeArgs | undefined;
    observability: Pick<ObservabilityArgs, "retentionDays" | "metricVolumes" | "telemetry" | "logRetentionDays" | "traceRetentionDays" | "criticalAlerts" | "grafanaAdminRotation">;
    backup: Pick<VeleroArgs, "target" | "policy"> | undefined;
    /** Certificates outside the cluster nothing renews (Key Vault imports, the partner CA): watched like the CAs. */
    outsideCertificates: ObservabilityArgs["heldCertificates"];
    /** The edge's client certificate, tokens and gateway limits the mesh requires. */
    apiSecurity: Pick<ServiceMeshArgs, "edgeClient" | "tokens" | "gatewayRateLimits">;
}

/** Namespaces Kubernetes and AKS own (the Azure Policy add-on runs Gatekeeper in its own). */
const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "gatekeeper-system"];

/** Every namespace the platform owns: exempt from application admission rules, watched for crash loops. */
const PLATFORM_NAMESPACES = [...SYSTEM_NAMESPACES, CERT_MANAGER_NAMESPACE, MESH_ROOT_NAMESPACE, INGRESS_NAMESPACE, MONITORING_NAMESPACE, FALCO_NAMESPACE, KYVERNO_NAMESPACE, VELERO_NAMESPACE];

/** Phase 2 (or the local stack): the platform inside the cluster, every resource through `kubernetes`. */
function defineInCluster(config: PlatformConfig, target: InClusterTarget) {
    const opts = { providers: [target.kubernetes] };
    const { cluster, models } = target;
    // A separate CA for workload identities: the mesh root never signs anything outside the mesh.
    const meshCa = new PrivateCa("mesh-ca", {
        purpose: "Mesh",
        environment: config.environment,
        supplied: suppliedCa(config.meshCa, config.meshCaIntermediateKey),
    }, { providers: [target.tls] });
    // First: its CRDs let every other component declare ServiceMonitors and PodMonitors.
    const observability = new Observability("observability", {
        cluster,
        models,
        highAvailability: target.profile.highAvailability,
        logStateGi: target.profile.logStateGi,
        ...target.observability,
        alertScope: { platformNamespaces: PLATFORM_NAMESPACES, ingressNamespace: INGRESS_NAMESPACE },
        // The CAs nothing renews: their not-after dates become series the expiry alerts watch.
        heldCertificates: [
            { certificate: "platform-root", notAfter: target.platformCa.rootNotAfter },
            { certificate: "platform-intermediate", notAfter: target.platformCa.intermediateNotAfter },
            { certificate: "mesh-root", notAfter: meshCa.rootNotAfter },
            { certificate: "mesh-intermediate", notAfter: meshCa.intermediateNotAfter },
            ...target.outsideCertificates,
        ],
        eventSourceNamespaces: [FALCO_NAMESPACE],
    }, { providers: [target.kubernetes, target.random] });
    // Second: admission before the other charts, so each is admitted under the policies from its first install,
    // not raced by them.
    const kyverno = new Kyverno("kyverno", {
        cluster,
        models,
        enforce: target.profile.admissionEnforce,
        highAvailability: target.profile.highAvailability,
        monitoring: observability.release,
        admission: config.admission,
        platformNamespaces: PLATFORM_NAMESPACES,
        applicationTraffic: { ingressGatewayNamespace: INGRESS_NAMESPACE, telemetry: observability.telemetry },
    }, opts);
    const certManager = new CertManager("cert-manager", {
        cluster,
        models,
        highAvailability: target.profile.highAvailability,
        issuer: { chainPem: target.platformCa.chainPem, privateKeyPem: target.platformCa.intermediatePrivateKeyPem },
        acme: target.acme,
        monitoring: observability.release,
        admission: kyverno,
        renewalDrill: target.profile.renewalDrill
            ? { platformCaDnsName: `renewal-canary.${target.ingressDomain}`, acmeDnsName: target.acme && `renewal-canary.${target.acme.zone.name}` }
            : undefined,
    }, opts);
    const mesh = new ServiceMesh("mesh", {
        cluster,
        models,
        meshCa: {
            rootPem: meshCa.rootCertificatePem,
            intermediatePem: meshCa.intermediateCertificatePem,
            chainPem: meshCa.chainPem,
            intermediateKeyPem: meshCa.intermediatePrivateKeyPem,
        },
        ingressDomain: target.ingressDomain,
        ingressExposure: target.ingressExposure,
        certManager: certManager.release,
        ingressCertificate: { issuer: certManager.platformIssuerName, ...certManager.certificatePolicy },
        highAvailability: target.profile.highAvailability,
        monitoring: observability.release,
        telemetry: observability.telemetry,
        admission: kyverno,
        platformNamespaces: PLATFORM_NAMESPACES,
        ...target.apiSecurity,
    }, opts);
    const falco = new Falco("falco", {
        cluster,
        siemWebhookUrl: config.siemWebhookUrl,
        monitoring: observability.release,
        receivers: { alertmanagerUrl: observability.alertmanagerUrl, lokiUrl: observability.lokiUrl },
        admission: kyverno,
    }, opts);
    const velero = target.backup && new Velero("velero", { cluster, monitoring: observability.release, admission: kyverno, ...target.backup }, opts);
    return {
        meshRootCertificate: meshCa.rootCertificatePem,
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
