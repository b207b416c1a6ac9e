import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import type { GatewayConfig } from "../../config";
import { APIM_APIS, type QuotaConfig } from "../../config/apiSecurity";
import { pemToBase64Der } from "../shared/pem";
import { required } from "../shared/required";
import { assignRole } from "../shared/roleAssignment";
import { standardPublicIp } from "../shared/publicIp";
import { declareEdgeClient } from "./edgeClient";
import { renderPolicy, xmlElements } from "./policyXml";

export interface ApiManagementArgs {
    serviceName: pulumi.Input<string>;
    /** DNS label of the gateway's public IP (regionally unique). */
    publicIpLabel: pulumi.Input<string>;
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    config: GatewayConfig;
    subnetId: pulumi.Input<string>;
    zones: string[];
    /** The platform's private root CA (PEM): API Management validates the ingress backend's chain against it. */
    privateCaRootPem: pulumi.Input<string>;
    /** The private intermediate (PEM), uploaded beside the root: backend chain validation wants both. */
    privateCaIntermediatePem: pulumi.Input<string>;
    /** `https://...` of the mesh ingress gateway behind the internal load balancer. */
    ingressBackendUrl: string;
    /** This Front Door profile's id: the only value of X-Azure-FDID the gateway accepts. */
    frontDoorId: pulumi.Input<string>;
    /** The public DNS zone the custom hostnames live in. */
    domain: string;
    /** The platform Key Vault, where custom hostnames' certificates are imported. */
    keyVault: { id: pulumi.Input<string>; uri: pulumi.Input<string | undefined> };
    subscriptionId: pulumi.Input<string>;
    /** The partners' client CA (PEM), when partners are configured. */
    partnerCaPem?: pulumi.Input<string>;
    /**
     * The client certificate API Management presents to the ingress gateway (mutual TLS): the name the gateway accepts,
     * and the private intermediate that issues it (its key secret).
     */
    ingressClient: { subjectAltName: string; issuer: { certificatePem: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> } };
    tags: Record<string, string>;
}

/**
 * Transport settings, set explicitly: the protocol and cipher keys default to ON when absent, and depend on the
 * API version. TLS 1.0, 1.1 and SSL 3.0 are off on both the client and the backend side; on the client side
 * 3DES, RSA key exchange and the SHA-1 ECDHE-CBC suites are off too. Azure offers no switch for
 * TLS_ECDHE_*_CBC_SHA256/SHA384, which stay on (the SDK's doc of customProperties lists what can be disabled).
 */
const APIM_TLS_PROPERTIES = {
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_GCM_SHA256": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA256": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA256": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA": "False",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2": "True",
};

/** The oldest management API version the service answers. */
const APIM_MIN_API_VERSION = "2021-08-01";

/** Backend id the example API's policy routes to. */
export const INGRESS_BACKEND_ID = "aks-ingress";

/** Classic API Management takes 30-90 minutes to create and 15+ minutes per hostname or network change. */
const APIM_TIMEOUTS = { create: "3h", update: "3h", delete: "3h" };

/**
 * The backend's circuit breaker (learn.microsoft.com/azure/api-management/backends, "Circuit breaker"): five server
 * errors within a minute open it for a minute (the mesh's outlier detection ejects a pod after Envoy's default of
 * five consecutive 5xx), and a backend's Retry-After shortens or lengthens the trip.
 */
export const INGRESS_CIRCUIT_BREAKER = {
    rules: [{
        name: "ingress-server-errors",
        failureCondition: { count: 5, interval: "PT1M", statusCodeRanges: [{ min: 500, max: 599 }] },
        tripDuration: "PT1M",
        acceptRetryAfter: true,
    }],
};

/** Custom hostnames: the gateway's own name, and the partners' client-certificate name. */
export const gatewayHostName = (config: GatewayConfig) => `apim.${config.domain}`;
export const partnerHostName = (config: GatewayConfig) => `partners.${config.domain}`;
/** The one API callable on the partner hostname without Front Door. */
const PARTNER_API_ID = APIM_APIS.partners;

/**
 * When a request needs a token: unless its path, as the backend receives it (the original path without the API's
 * URL suffix, context.Api.Path), is one of `publicPaths` (exact, or a prefix before a trailing `*`).
 */
export function tokenRequiredCondition(publicPaths: readonly string[]): string {
    if (publicPaths.length === 0) {
        return "@(true)";
    }
    const matches = publicPaths.map((p) => (p.endsWith("*")
        ? `path.StartsWith("${p.slice(0, -1)}", StringComparison.Ordinal)`
        : `path.Equals("${p}", StringComparison.Ordinal)`));
    return `@{ var path = context.Request.OriginalUrl.Path.Substring(context.Api.Path.Length + 1); return !(${matches.join(" || ")}); }`;
}

/** validate-jwt's `<claim>` elements: presence, or (`claimValues`) one of the listed values, space-separated lists split. */
function claimElements(config: GatewayConfig, indent: string): string {
    const valued = config.jwt.claimValues;
    const presence = config.jwt.requiredClaims.filter((claim) => valued[claim] === undefined).map((claim) => `${indent}<claim name="${claim}" />`);
    // learn.microsoft.com/azure/api-management/validate-jwt-policy, claim: match "any" (one value suffices), separator.
    const values = Object.entries(valued).map(([claim, allowed]) => [
        `${indent}<claim name="${claim}" match="any" separator=" ">`,
        xmlElements("value", allowed, `${indent}    `),
        `${indent}</claim>`,
    ].join("\n"));
    return [...presence, ...values].join("\n");
}

/** The global policy XML for this config (pure: tested as text). */
export function globalPolicyXml(config: GatewayConfig): string {
    const partnerHost = config.apim.partners ? partnerHostName(config) : "";
    const issuer = config.jwt.issuer.replace(/\/$/, "");
    return renderPolicy("global.xml", {
        text: {
            TOKEN_REQUIRED: tokenRequiredCondition(config.jwt.publicPaths),
            OPENID_CONFIG_URL: `${issuer}/.well-known/openid-configuration`,
            ISSUER: config.jwt.issuer,
            RATE_PER_CLIENT_IP: config.rateLimits.perClientIp.perMinute,
            BURST_PER_CLIENT_IP: config.rateLimits.perClientIp.burst,
            // Empty matches no host: without partners, every request must come through Front Door.
            PARTNER_HOST: partnerHost,
            PARTNER_API_ID,
        },
        xml: {
            AUDIENCES: xmlElements("audience", config.jwt.audiences, "                        "),
            REQUIRED_CLAIMS: claimElements(config, "                        "),
        },
    });
}

/** An API's limits per token subject: the global budget or the API's own, and the quota (the API's, else the global one). */
export function subjectLimitsXml(config: GatewayConfig, apiId: string): string {
    const override = config.rateLimits.apis[apiId as keyof typeof config.rateLimits.apis];
    const budget = { ...config.rateLimits.perSubject, ...override?.perSubject };
    const quota: QuotaConfig | undefined = override?.quota ?? config.rateLimits.quota;
    // learn.microsoft.com/azure/api-management/quota-by-key-policy: calls per renewal-period (seconds; 0 = lifetime).
    const quotaXml = quota === undefined ? "" : renderPolicy("subject-quota.xml", { text: { API_ID: apiId, CALLS: quota.calls, RENEWAL_PERIOD: quota.renewalPeriodSeconds } });
    const limits = renderPolicy("subject-limits.xml", {
        text: { API_ID: apiId, RATE_PER_SUBJECT: budget.perMinute, BURST_PER_SUBJECT: budget.burst },
        xml: { QUOTA: indented(quotaXml, 8) },
    });
    // Inside the API policy's <inbound>.
    return indented(limits, 8);
}

/** XML lines moved right by `spaces`; the empty line an absent element leaves is dropped. */
const indented = (xml: string, spaces: number) => xml.split("\n").filter((line) => line.trim() !== "").map((line) => `${" ".repeat(spaces)}${line}`).join("\n");

/**
 * API Management in external VNet mode: callers reach it on its public IP (Front Door only, by NSG and the
 * X-Azure-FDID check), and it reaches the cluster's internal load balancer inside the VNet.
 */
export function declareApiManagement(name: string, args: ApiManagementArgs, parent: pulumi.Resource) {
    const { config, resourceGroupName, location, tags } = args;
    const opts = { parent };
    const zones = config.apim.sku === "Premium" ? args.zones : undefined;

    // VNet injection (stv2) needs a Standard public IP with a DNS label, zonal like the service.
    const publicIp = standardPublicIp(`${name}-pip`, {
        publicIpAddressName: `pip-${args.namePrefix}-apim`,
        resourceGroupName,
        location,
        domainNameLabel: args.publicIpLabel,
        zones,
        tags,
    }, opts);

    const hostnames = [
        ...(config.apim.gatewayHostname ? [{ hostName: gatewayHostName(config), secret: config.apim.gatewayHostname.certificateSecretName, clientCertificates: false }] : []),
        ...(config.apim.partners ? [{ hostName: partnerHostName(config), secret: config.apim.partners.certificateSecretName, clientCertificates: true }] : []),
    ];

    const service = new apimanagement.ApiManagementService(name, {
        serviceName: args.serviceName,
        resourceGroupName,
        location,
        sku: { name: config.apim.sku, capacity: config.apim.capacity },
        zones,
        publisherName: config.apim.publisherName,
        publisherEmail: config.apim.publisherEmail,
        // A firewalled vault admits only the system-assigned identity ("You can't use a user-assigned identity",
        // learn.microsoft.com/azure/api-management/api-management-howto-properties#key-vault-secrets). It exists
        // once the service does, so custom hostnames come in a later run (docs/setup.md, Custom hostnames).
        identity: { type: apimanagement.ApimIdentityType.SystemAssigned },
        hostnameConfigurations: hostnames.length === 0 ? undefined : hostnames.map((h) => ({
            type: apimanagement.HostnameType.Proxy,
            hostName: h.hostName,
            certificateSource: apimanagement.CertificateSource.KeyVault,
            // Unversioned: API Management follows the secret's new versions. No identityClientId: the system identity.
            keyVaultId: pulumi.interpolate`${args.keyVault.uri}secrets/${h.secret}`,
            negotiateClientCertificate: h.clientCertificates,
            defaultSslBinding: !h.clientCertificates,
        })),
        virtualNetworkType: apimanagement.VirtualNetworkType.External,
        virtualNetworkConfiguration: { subnetResourceId: args.subnetId },
        publicIpAddressId: publicIp.id,
        customProperties: APIM_TLS_PROPERTIES,
        // Nothing but the gateway is exposed: the portals are unused surface.
        developerPortalStatus: apimanagement.DeveloperPortalStatus.Disabled,
        legacyPortalStatus: apimanagement.LegacyPortalStatus.Disabled,
        // Management clients older than this API version cannot call the service (Azure Policy
        // "API Management minimum API version should be set to 2019-12-01 or higher").
        apiVersionConstraint: { minApiVersion: APIM_MIN_API_VERSION },
        certificates: [
            // The private root and intermediate, so backend TLS to the ingress gateway validates its chain
            // (learn.microsoft.com/azure/api-management/api-management-howto-mutual-certificates).
            { storeName: "Root", encodedCertificate: pulumi.output(args.privateCaRootPem).apply(pemToBase64Der) },
            { storeName: "CertificateAuthority", encodedCertificate: pulumi.output(args.privateCaIntermediatePem).apply(pemToBase64Der) },
            // The partners' CA, which client certificates must chain to.
            ...(args.partnerCaPem ? [{ storeName: "CertificateAuthority", encodedCertificate: pulumi.output(args.partnerCaPem).apply(pemToBase64Der) }] : []),
        ],
        tags,
    }, { parent, protect: true, customTimeouts: APIM_TIMEOUTS });
    // Granted from the first run on, so the run that adds custom hostnames finds the grant in place.
    assignRole(`${name}-kv-secrets-user`, {
        principalId: service.identity.apply((identity) => required(identity?.principalId, `system identity of ${args.namePrefix} API Management`)),
        principalType: authorization.PrincipalType.ServicePrincipal,
        role: "Key Vault Secrets User",
        scope: args.keyVault.id,
        subscriptionId: args.subscriptionId,
        purpose: `${args.namePrefix}/apim/key-vault-secrets-user`,
    }, opts);

    const scoped = { resourceGroupName, serviceName: service.name };
    const frontDoorId = new apimanagement.NamedValue(`${name}-frontdoor-id`, {
        ...scoped,
        namedValueId: "frontdoor-id",
        displayName: "frontdoor-id",
        value: args.frontDoorId,
    }, opts);
    // API Management rejects a policy that names a named value it does not have yet.
    new apimanagement.Policy(`${name}-global-policy`, {
        ...scoped,
        policyId: "policy",
        format: apimanagement.PolicyContentFormat.Rawxml,
        value: globalPolicyXml(config),
    }, { ...opts, dependsOn: [frontDoorId] });

    const ingressClient = declareEdgeClient(`${name}-ingress-client`, { namePrefix: args.namePrefix, ...args.ingressClient, service: scoped }, parent);
    const backend = new apimanagement.Backend(`${name}-ingress-backend`, {
        ...scoped,
        backendId: INGRESS_BACKEND_ID,
        title: "Mesh ingress gateway (internal load balancer)",
        protocol: apimanagement.BackendProtocol.Http,
        url: args.ingressBackendUrl,
        tls: { validateCertificateChain: true, validateCertificateName: true },
        // The client certificate the gateway requires, by its id (REST BackendCredentialsContract.certificateIds:
        // an id keeps resolving after the certificate is renewed, a thumbprint would not).
        credentials: { certificateIds: [ingressClient.upload.id] },
        circuitBreaker: INGRESS_CIRCUIT_BREAKER,
    }, opts);

    // APIs that forward to the cluster's ingress, each with its policy file.
    const ingressApi = (key: string, api: { apiId: string; path: string; displayName: string }, policyFile: string, text: Record<string, string | number> = {}) => {
        const declared = new apimanagement.Api(`${name}-${key}`, {
            ...scoped,
            ...api,
            protocols: [apimanagement.Protocol.Https],
            serviceUrl: args.ingressBackendUrl,
            subscriptionRequired: false,
        }, opts);
        new apimanagement.ApiPolicy(`${name}-${key}-policy`, {
            ...scoped,
            apiId: declared.name,
            policyId: "policy",
            format: apimanagement.PolicyContentFormat.Rawxml,
            value: renderPolicy(policyFile, { text: { BACKEND_ID: INGRESS_BACKEND_ID, ...text }, xml: { SUBJECT_LIMITS: subjectLimitsXml(config, api.apiId) } }),
        }, { ...opts, dependsOn: [backend] });
    };
    ingressApi("example-api", { apiId: APIM_APIS.example, path: "example", displayName: "Platform example API" }, "ingress-api.xml");
    if (config.apim.partners) {
        ingressApi("partner-api", { apiId: PARTNER_API_ID, path: "partners", displayName: "Partner API (client certificates)" }, "partner-api.xml", {
            VALIDATE_REVOCATION: config.apim.partners.clientCaCertificate ? "true" : "false",
        });
    }

    // Front Door calls the custom name when there is one (its certificate matches it), else the default one,
    // which follows from the service name: the edge need not wait the hour API Management takes to create.
    const originHostName = config.apim.gatewayHostname ? pulumi.output(gatewayHostName(config)) : pulumi.interpolate`${args.serviceName}.azure-api.net`;
    return { service, originHostName, ingressClient };
}
