import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { APP_GATEWAY_DEFAULTS, type GatewayConfig } from "../../config";
import { notAfter } from "../shared/pem";
import { sendDiagnostics } from "../shared/diagnostics";
import { privateVault } from "../shared/privateVault";
import { required } from "../shared/required";
import { assignRole } from "../shared/roleAssignment";
import { alertActionGroup, declareApiManagementAlerts, type AzureAlertReceivers } from "./alerts";
import { declareApiManagement } from "./apiManagement";
import { declareAppGateway } from "./appGateway";
import { declareFrontDoorEdge, declareFrontDoorProfile, type PublicDnsZone } from "./frontDoor";
import { edgeResponseHeaders } from "./securityHeaders";

export interface GatewayArgs {
    /** Short name used in Azure resource names, e.g. `platform-dev`. */
    namePrefix: string;
    location: string;
    /** The network component's resource group. */
    resourceGroupName: pulumi.Input<string>;
    /** Validated edge and API settings (see config/schema.ts). */
    config: GatewayConfig;
    /** API Management's subnet (external VNet mode). */
    apimSubnetId: pulumi.Input<string>;
    /** Application Gateway's subnet; required for the `appgateway` edge. */
    appGatewaySubnetId?: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** Subnet for private endpoints, and the `privatelink.vaultcore.azure.net` zone linked to the VNet. */
    privateEndpointSubnetId: pulumi.Input<string>;
    vaultDnsZoneId: pulumi.Input<string>;
    /** Entra ID tenant the vault trusts (the deploying identity's). */
    tenantId: pulumi.Input<string>;
    /** Entra ID groups that import the edge's certificates into the vault (from the runners subnet: the vault is private). */
    certificateOfficerGroupIds: string[];
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** Availability zones (API Management Premium spreads its units over them). */
    zones: string[];
    /** Root of the platform's private CA (PEM), trusted for the ingress backend. */
    privateCaRootPem: pulumi.Input<string>;
    /** The platform's private intermediate CA (PEM), which signs the ingress gateway's certificate. */
    privateCaIntermediatePem: pulumi.Input<string>;
    /** `https://...` of the mesh ingress gateway; its certificate is issued by the private CA. */
    ingressBackendUrl: string;
    /**
     * API Management's client certificate for the ingress gateway (Front Door edge): the one name the gateway accepts,
     * and the platform's private intermediate that issues it (its key secret).
     */
    ingressClient: { subjectAltName: string; issuer: { certificatePem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> } };
    /** HSTS max-age when `config.hsts.maxAgeSeconds` is not set (the environment's default, config/profiles.ts). */
    hstsMaxAgeSeconds: number;
    /** Who Azure Monitor notifies when API Management rejects unusually many requests. */
    alertReceivers: AzureAlertReceivers;
    /** The Azure DNS zone the public names live in, if any: Front Door's validation and CNAME records are kept there. */
    publicDnsZone?: PublicDnsZone;
    tags: Record<string, string>;
}

/**
 * The edge and API layer: Front Door Premium with WAF -> API Management (external VNet mode) -> the cluster's
 * internal load balancer, or (edge `appgateway`) Application Gateway WAF_v2 -> the internal load balancer; and the
 * Key Vault for edge and API certificates.
 */
export class Gateway extends pulumi.ComponentResource {
    public readonly keyVaultId: pulumi.Output<string>;
    /**
     * Certificates nothing in the cluster renews, with their not-after: those the team imports into the vault (read
     * from the vault's secrets through ARM, whose `exp` is the certificate's) and the partners' client CA.
     */
    public readonly heldCertificates: { certificate: string; notAfter: pulumi.Output<string> }[];
    /** The action group Azure Monitor alerts notify; absent when no receiver is configured. */
    public readonly alertActionGroupId?: pulumi.Output<string>;
    public readonly keyVaultUri: pulumi.Output<string | undefined>;
    public readonly apiHostName: string;
    /** Where the public name points (CNAME for Front Door, A record for Application Gateway). */
    public readonly edgeTarget: pulumi.Output<string | undefined>;
    /** Front Door only: the TXT record value that proves ownership of the custom domain (`_dnsauth.<domain>`). */
    public readonly domainValidationToken?: pulumi.Output<string | undefined>;
    /**
     * Front Door edge only: the client identity API Management presents to the ingress gateway, which accepts nothing
     * else (the certificate's DNS name, and the SHA-256 of its public key, base64, as Envoy pins it).
     */
    public readonly ingressClient?: { subjectAltName: string; spkiSha256: pulumi.Output<string> };

    constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gateway:Gateway", name, {}, opts);
        const { namePrefix, resourceGroupName, location, config, tags } = args;

        // Key Vault, API Management and Front Door endpoint names are global; the suffix is made once, kept in state.
        const suffix = new random.RandomString(`${name}-suffix`, { length: 6, special: false, upper: false }, { parent: this });
        // Public access is off: the vault is reached through its private endpoint (phase-2 runners, API Management).
        const { vault } = privateVault(`${name}-kv`, {
            vaultName: pulumi.interpolate`kv-${namePrefix.replace(/^platform-/, "plt-")}-${suffix.result}`,
            resourceGroupName,
            location,
            // Certificates and secrets only: software-protected keys suffice.
            sku: keyvault.SkuName.Standard,
            tenantId: args.tenantId,
            privateEndpointSubnetId: args.privateEndpointSubnetId,
            vaultDnsZoneId: args.vaultDnsZoneId,
            logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
            tags,
        }, this);
        // Owner has no data-plane rights on an RBAC vault: the certificate import docs/setup.md asks for needs this role.
        for (const groupId of args.certificateOfficerGroupIds) {
            assignRole(`${name}-kv-certificates-officer-${groupId}`, {
                principalId: groupId,
                principalType: authorization.PrincipalType.Group,
                role: "Key Vault Certificates Officer",
                scope: vault.id,
                subscriptionId: args.subscriptionId,
                purpose: `${namePrefix}/gateway-kv/certificates-officer/${groupId}`,
            }, { parent: this });
        }

        // The receivers of every Azure-side alert (API Management's, Front Door's, the cluster's audit alert).
        const actionGroup = alertActionGroup(`${name}-apim-alerts`, { namePrefix, resourceGroupName, receivers: args.alertReceivers, tags }, this);
        this.alertActionGroupId = actionGroup?.id;
        const apiHostName = `api.${config.domain}`;
        const partners = config.edge === "frontdoor" ? config.apim.partners : undefined;
        const partnerCa = partners && this.partnerCa(name, namePrefix, partners.clientCaCertificate);
        this.apiHostName = apiHostName;
        const responseHeaders = edgeResponseHeaders(config.hsts, config.hsts.maxAgeSeconds ?? args.hstsMaxAgeSeconds);
        let ingressClientNotAfter: pulumi.Output<string> | undefined;
        if (config.edge === "appgateway") {
            // Regional edge: Application Gateway terminates public TLS and calls the mesh ingress gateway itself.
            const appGateway: NonNullable<GatewayConfig["appGateway"]> = config.appGateway ?? APP_GATEWAY_DEFAULTS;
            const subnetId = args.appGatewaySubnetId;
            if (subnetId === undefined) {
                throw new pulumi.InputPropertyError({ propertyPath: "appGatewaySubnetId", reason: "the appgateway edge needs the Application Gateway's subnet" });
            }
            const edge = declareAppGateway(`${name}-agw`, {
                namePrefix,
                location,
                resourceGroupName,
                subscriptionId: args.subscriptionId,
                subnetId,
                zones: args.zones,
                hostName: apiHostName,
                keyVault: { id: vault.id, uri: vault.properties.vaultUri, certificateSecretName: appGateway.certificateSecretName },
                backendHostName: new URL(args.ingressBackendUrl).hostname,
                privateCaRootPem: args.privateCaRootPem,
                capacity: { min: appGateway.minCapacity, max: appGateway.maxCapacity },
                denyList: config.denyList,
                responseHeaders,
                tags,
            }, this);
            if (edge.gateway) {
                sendDiagnostics(`${name}-agw-diagnostics`, { resourceUri: edge.gateway.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });
            }
            // Known from the first run, so the public name's A record can be set before the gateway exists.
            this.edgeTarget = edge.publicIp.ipAddress;
        } else {
            const frontDoorArgs = {
                profileName: `afd-${namePrefix}`,
                endpointName: pulumi.interpolate`${namePrefix}-${suffix.result}`,
                wafPolicyName: `waf${namePrefix.replace(/[^a-zA-Z0-9]/g, "")}`,
                resourceGroupName,
                customDomain: apiHostName,
                rateLimitPerClientIpPerMinute: config.rateLimits.perClientIp.perMinute,
                denyList: config.denyList,
                responseHeaders,
                publicDnsZone: args.publicDnsZone,
                tags,
            };
            const profile = declareFrontDoorProfile(`${name}-afd`, frontDoorArgs, this);
            sendDiagnostics(`${name}-afd-diagnostics`, { resourceUri: profile.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });

            const apim = declareApiManagement(`${name}-apim`, {
                serviceName: pulumi.interpolate`apim-${namePrefix}-${suffix.result}`,
                publicIpLabel: pulumi.interpolate`apim-${namePrefix}-${suffix.result}`,
                namePrefix,
                location,
                resourceGroupName,
                config,
                subnetId: args.apimSubnetId,
                zones: args.zones,
                privateCaRootPem: args.privateCaRootPem,
                privateCaIntermediatePem: args.privateCaIntermediatePem,
                ingressBackendUrl: args.ingressBackendUrl,
                frontDoorId: profile.frontDoorId,
                domain: config.domain,
                keyVault: { id: vault.id, uri: vault.properties.vaultUri },
                subscriptionId: args.subscriptionId,
                partnerCaPem: partnerCa?.certPem,
                ingressClient: args.ingressClient,
                tags,
            }, this);
            this.ingressClient = { subjectAltName: apim.ingressClient.subjectAltName, spkiSha256: apim.ingressClient.spkiSha256 };
            ingressClientNotAfter = apim.ingressClient.notAfter;
            sendDiagnostics(`${name}-apim-diagnostics`, { resourceUri: apim.service.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });
            declareApiManagementAlerts(`${name}-apim-alerts`, { namePrefix, resourceGroupName, actionGroup, apiManagementId: apim.service.id, tags }, this);

            const edge = declareFrontDoorEdge(`${name}-afd`, { ...frontDoorArgs, profile, originHostName: apim.originHostName }, this);

            this.edgeTarget = edge.endpoint.hostName;
            this.domainValidationToken = edge.domain.validationProperties.validationToken;
        }

        // Configured only once imported (docs/setup.md: certificates come before the keys that name them).
        const imported = [config.apim.gatewayHostname?.certificateSecretName, config.apim.partners?.certificateSecretName, config.appGateway?.certificateSecretName]
            .filter((secretName): secretName is string => secretName !== undefined);
        this.heldCertificates = [
            ...imported.map((secretName) => ({
                certificate: `key-vault/${secretName}`,
                notAfter: keyvault.getSecretOutput({ resourceGroupName, vaultName: vault.name, secretName }, { parent: this })
                    .apply((secret) => new Date(required(secret.properties.attributes?.expires, `expiry of Key Vault secret ${secretName}`) * 1000).toISOString()),
            })),
            ...(partnerCa ? [{ certificate: "partner-client-ca", notAfter: partnerCa.notAfter }] : []),
            // Renewed by `pulumi up` in its second half (edgeClient.ts); the alerts say when no update ran.
            ...(ingressClientNotAfter ? [{ certificate: "apim-ingress-client", notAfter: ingressClientNotAfter }] : []),
        ];
        this.keyVaultId = vault.id;
        this.keyVaultUri = vault.properties.vaultUri;
        this.registerOutputs({
            keyVaultId: this.keyVaultId,
            keyVaultUri: this.keyVaultUri,
            edgeTarget: this.edgeTarget,
            domainValidationToken: this.domainValidationToken,
            ingressClient: this.ingressClient,
        });
    }

    /** The partners' client CA: supplied, or (dev only: the config module requires one in prod) generated to issue test certificates from. */
    private partnerCa(name: string, namePrefix: string, supplied: string | undefined): { certPem: pulumi.Output<string>; notAfter: pulumi.Output<string> } {
        if (supplied !== undefined) {
            return { certPem: pulumi.output(supplied), notAfter: pulumi.output(notAfter(supplied)) };
        }
        const key = new tls.PrivateKey(`${name}-partner-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this });
        const ca = new tls.SelfSignedCert(`${name}-partner-ca`, {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: `Partner CA (${namePrefix})`, organization: "Platform" },
            isCaCertificate: true,
            validityPeriodHours: 365 * 24,
            allowedUses: ["cert_signing", "crl_signing"],
        }, { parent: this });
        return { certPem: ca.certPem, notAfter: ca.validityEndTime };
    }
}
