import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { REGISTRY_CACHE_RULES, UPSTREAMS_REQUIRING_CREDENTIALS } from "../../versions";
import { sendDiagnostics } from "../shared/diagnostics";
import { privateEndpoint } from "../shared/privateEndpoint";
import { required } from "../shared/required";
import { assignRole } from "../shared/roleAssignment";

/** An upstream's pull credentials, from stack config secrets; absent before the stack needs them (phase `azure`). */
export interface UpstreamCredentials {
    username: pulumi.Output<string>;
    password: pulumi.Output<string>;
}

/** The secrets' names in the credential vault. */
export const DOCKER_HUB_SECRETS = { username: "dockerhub-username", password: "dockerhub-token" } as const;

export interface ContainerRegistryArgs {
    namePrefix: string;
    /** Global, alphanumeric, 5-50 characters; known before the registry exists, so charts and policies name it at preview. */
    registryName: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** Subnet for the registry's private endpoint, and the `privatelink.azurecr.io` zone linked to the VNet. */
    privateEndpointSubnetId: pulumi.Input<string>;
    registryDnsZoneId: pulumi.Input<string>;
    /** Global name (3-24 characters) of the small vault that holds only the upstream credentials. */
    credentialVaultName: string;
    tenantId: pulumi.Input<string>;
    /** Docker Hub's pull credentials: ACR caches Docker Hub with credentials only. */
    dockerHubCredentials?: UpstreamCredentials;
    /** The kubelet identity: it pulls every image on the nodes. */
    kubeletPrincipalId: pulumi.Input<string>;
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** `docker.io/*` => `docker.io`: the upstream a cache rule's source names. */
const upstreamOf = (source: string) => source.split("/")[0]!;

/**
 * The platform's private registry: Azure Container Registry Premium reached only through its private endpoint,
 * with an artifact cache rule per upstream namespace the platform's images come from. The nodes pull from here
 * with the kubelet identity, so no public registry sits on their egress.
 */
export class ContainerRegistry extends pulumi.ComponentResource {
    /** `<name>.azurecr.io`: the charts' registry. */
    public readonly loginServer: string;
    public readonly registryId: pulumi.Output<string>;
    /** The cache rules: pulls through them wait for these. */
    public readonly cacheRules: pulumi.Resource[];

    constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:registry:ContainerRegistry", name, args, opts);
        const { resourceGroupName, location, tags } = args;
        if (!/^[a-z0-9]{5,50}$/.test(args.registryName)) {
            throw new pulumi.InputPropertyError({ propertyPath: "registryName", reason: `${args.registryName} is not 5-50 lower-case letters and digits` });
        }
        const registry = new containerregistry.Registry(`${name}-acr`, {
            registryName: args.registryName,
            resourceGroupName,
            location,
            // Private endpoints need Premium (learn.microsoft.com/azure/container-registry/container-registry-private-link).
            sku: { name: containerregistry.SkuName.Premium },
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            publicNetworkAccess: containerregistry.PublicNetworkAccess.Disabled,
            networkRuleBypassOptions: containerregistry.NetworkRuleBypassOptions.None,
            dataEndpointEnabled: true,
            // Replicas in the region's availability zones, as the cluster's nodes are (set at creation only;
            // learn.microsoft.com/azure/container-registry/zone-redundancy).
            zoneRedundancy: containerregistry.ZoneRedundancy.Enabled,
            tags,
        }, { parent: this, protect: true });
        privateEndpoint(`${name}-pe`, {
            endpointName: pulumi.interpolate`pe-${registry.name}`,
            resourceGroupName,
            location,
            resourceId: registry.id,
            groupId: "registry",
            subnetId: args.privateEndpointSubnetId,
            privateDnsZoneId: args.registryDnsZoneId,
            tags,
        }, { parent: this });
        sendDiagnostics(`${name}-diagnostics`, { resourceUri: registry.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });

        const dockerHub = this.dockerHubCredentialSet(name, args, registry);

        const requiresCredentials: readonly string[] = UPSTREAMS_REQUIRING_CREDENTIALS;
        this.cacheRules = Object.entries(REGISTRY_CACHE_RULES).map(([target, source]) => {
            // Rule names: letters, digits and hyphens.
            const ruleName = `cache-${target.replace(/\/\*$/, "").replace(/[^a-z0-9]+/g, "-")}`;
            return new containerregistry.CacheRule(`${name}-${ruleName}`, {
                cacheRuleName: ruleName,
                registryName: registry.name,
                resourceGroupName,
                sourceRepository: source,
                targetRepository: target,
                credentialSetResourceId: requiresCredentials.includes(upstreamOf(source)) ? dockerHub.id : undefined,
            }, { parent: this });
        });

        assignRole(`${name}-kubelet-acr-pull`, {
            principalId: args.kubeletPrincipalId,
            principalType: authorization.PrincipalType.ServicePrincipal,
            role: "AcrPull",
            scope: registry.id,
            subscriptionId: args.subscriptionId,
            purpose: `${args.namePrefix}/aks-kubelet/acr-pull`,
        }, { parent: this });

        // Azure's public cloud serves every registry at `<name>.azurecr.io`.
        this.loginServer = `${args.registryName}.azurecr.io`;
        this.registryId = registry.id;
        this.registerOutputs({ loginServer: this.loginServer, registryId: this.registryId });
    }

    /**
     * The Docker Hub credential set and the vault it reads. Key Vault's trusted services list Container Registry only
     * for "Registry encryption using customer-managed keys" (learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints),
     * and no Microsoft page says the artifact cache reaches a vault whose public access is off, so the credentials do
     * not sit in the private platform vault: a vault of their own, open to the network, holds nothing else and
     * answers only Entra-authenticated callers with a role on it, which only the credential set's identity has. The
     * program writes both secrets through ARM (a control-plane write: overview-vnet-service-endpoints); no person
     * needs a data-plane role.
     */
    private dockerHubCredentialSet(name: string, args: ContainerRegistryArgs, registry: containerregistry.Registry): containerregistry.CredentialSet {
        const { resourceGroupName, location, tags } = args;
        const vault = new keyvault.Vault(`${name}-credentials-kv`, {
            vaultName: args.credentialVaultName,
            resourceGroupName,
            location,
            properties: {
                tenantId: args.tenantId,
                sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                enablePurgeProtection: true,
                // The artifact cache calls from outside the VNet, and is no trusted service for this (see above).
                publicNetworkAccess: "Enabled",
                networkAcls: { defaultAction: keyvault.NetworkRuleAction.Allow, bypass: keyvault.NetworkRuleBypassOptions.AzureServices },
            },
            tags: { ...tags, publicNetworkAccessReason: "ACR artifact cache credential set (Docker Hub read-only token); no trusted-service path documented" },
        }, { parent: this, protect: true });
        sendDiagnostics(`${name}-credentials-kv-diagnostics`, { resourceUri: vault.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });
        const credentials = args.dockerHubCredentials;
        const secrets = credentials ? (["username", "password"] as const).map((key) => new keyvault.Secret(`${name}-dockerhub-${key}`, {
            secretName: DOCKER_HUB_SECRETS[key],
            vaultName: vault.name,
            resourceGroupName,
            properties: { value: credentials[key] },
            tags,
        }, { parent: this })) : [];
        const secretUri = (secretName: string) => pulumi.interpolate`${vault.properties.vaultUri}secrets/${secretName}`;
        // The credential set reads Docker Hub's token from the vault with its own identity.
        const dockerHub = new containerregistry.CredentialSet(`${name}-dockerhub`, {
            credentialSetName: "dockerhub",
            registryName: registry.name,
            resourceGroupName,
            loginServer: "docker.io",
            identity: { type: containerregistry.ResourceIdentityType.SystemAssigned },
            authCredentials: [{
                name: containerregistry.CredentialName.Credential1,
                usernameSecretIdentifier: secretUri(DOCKER_HUB_SECRETS.username),
                passwordSecretIdentifier: secretUri(DOCKER_HUB_SECRETS.password),
            }],
        }, { parent: this, dependsOn: secrets });
        assignRole(`${name}-dockerhub-kv-secrets-user`, {
            principalId: dockerHub.identity.apply((identity) => required(identity?.principalId, `system identity of ${args.namePrefix} credential set dockerhub`)),
            principalType: authorization.PrincipalType.ServicePrincipal,
            role: "Key Vault Secrets User",
            scope: vault.id,
            subscriptionId: args.subscriptionId,
            purpose: `${args.namePrefix}/acr/dockerhub-credentials/key-vault-secrets-user`,
        }, { parent: this });
        return dockerHub;
    }
}
