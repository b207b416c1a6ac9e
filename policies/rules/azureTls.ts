/**
 * Transport security of the Azure services on the request path. Each policy is typed against the
 * azure-native resource it checks (its Args), and every allowed value is an SDK enum member, so a wrong
 * property or enum name does not compile.
 */
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as cdn from "@pulumi/azure-native/cdn";
import * as dbformysql from "@pulumi/azure-native/dbformysql";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as frontdoor from "@pulumi/azure-native/frontdoor";
import * as network from "@pulumi/azure-native/network";
import * as redis from "@pulumi/azure-native/redis";
import * as servicebus from "@pulumi/azure-native/servicebus";
import * as sql from "@pulumi/azure-native/sql";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import * as tls from "@pulumi/tls";
import { validateResourceOfType, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { equalsIgnoreCase, isOneOf, MCSB } from "./common";

// TLS1_3 is in the enum, but its own doc says "Minimum TLS version 1.3 version is not supported" (storage/index.d.ts).
const STORAGE_MINIMUM_TLS: readonly storage.MinimumTlsVersion[] = [storage.MinimumTlsVersion.TLS1_2];

export const storageAccountTls: ResourceValidationPolicy = {
    name: "storage-account-tls",
    description: "Storage accounts accept only HTTPS with TLS 1.2, set explicitly.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"TLS1_2\" and enableHttpsTrafficOnly: true on the StorageAccount.",
    validateResource: validateResourceOfType(storage.StorageAccount, (account, _args, report) => {
        if (!isOneOf(STORAGE_MINIMUM_TLS, account.minimumTlsVersion)) {
            report(`minimumTlsVersion is ${JSON.stringify(account.minimumTlsVersion)}; set "TLS1_2" (the default depends on the API version; Azure does not support TLS1_3 as a minimum).`);
        }
        if (account.enableHttpsTrafficOnly !== true) {
            report(`enableHttpsTrafficOnly is ${JSON.stringify(account.enableHttpsTrafficOnly)}; set true.`);
        }
    }),
};

const FRONT_DOOR_MINIMUM_TLS: readonly cdn.AfdMinimumTlsVersion[] = [cdn.AfdMinimumTlsVersion.TLS12, cdn.AfdMinimumTlsVersion.TLS13];
/** TLS12_2023 is the predefined set without CBC or TLS 1.0 (learn.microsoft.com/azure/frontdoor/standard-premium/tls-policy). */
const FRONT_DOOR_SUITE_SETS: readonly cdn.AfdCipherSuiteSetType[] = [cdn.AfdCipherSuiteSetType.TLS12_2023];
/** Of the customizable TLS 1.2 suites, the ECDHE ones with AES-GCM (the DHE and CBC ones are left out). */
const FRONT_DOOR_TLS12_SUITES: readonly cdn.AfdCustomizedCipherSuiteForTls12[] = [
    cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES128_GCM_SHA256,
    cdn.AfdCustomizedCipherSuiteForTls12.ECDHE_RSA_AES256_GCM_SHA384,
];

export const frontDoorDomainTls: ResourceValidationPolicy = {
    name: "frontdoor-domain-tls",
    description: "Front Door custom domains use TLS 1.2+ and only ECDHE-GCM cipher suites.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set tlsSettings.minimumTlsVersion to TLS12 (or TLS13) and tlsSettings.cipherSuiteSetType to TLS12_2023, or Customized with only ECDHE-GCM TLS 1.2 suites.",
    validateResource: validateResourceOfType(cdn.AFDCustomDomain, (domain, _args, report) => {
        const settings = domain.tlsSettings;
        if (!isOneOf(FRONT_DOOR_MINIMUM_TLS, settings?.minimumTlsVersion)) {
            report(`tlsSettings.minimumTlsVersion is ${JSON.stringify(settings?.minimumTlsVersion)}; allowed: ${FRONT_DOOR_MINIMUM_TLS.join(", ")}.`);
        }
        if (settings?.cipherSuiteSetType === cdn.AfdCipherSuiteSetType.Customized) {
            // TLS 1.3's customizable suites are all AEAD; only the TLS 1.2 list can hold weak ones.
            if (settings.minimumTlsVersion === cdn.AfdMinimumTlsVersion.TLS13) {
                return;
            }
            const suites = settings.customizedCipherSuiteSet?.cipherSuiteSetForTls12 ?? [];
            const weak = suites.filter((s) => !isOneOf(FRONT_DOOR_TLS12_SUITES, s));
            if (suites.length === 0 || weak.length > 0) {
                report(`tlsSettings.customizedCipherSuiteSet.cipherSuiteSetForTls12 allows ${JSON.stringify(weak.length ? weak : "nothing")}; allowed: ${FRONT_DOOR_TLS12_SUITES.join(", ")}.`);
            }
        } else if (!isOneOf(FRONT_DOOR_SUITE_SETS, settings?.cipherSuiteSetType)) {
            report(`tlsSettings.cipherSuiteSetType is ${JSON.stringify(settings?.cipherSuiteSetType)}; allowed: TLS12_2023 or Customized (TLS12_2022 and TLS10_2019 allow CBC or TLS 1.0).`);
        }
    }),
};

/**
 * API Management's protocol and cipher switches; an absent cipher key means ON, so each must be "false".
 * The keys are the ones the SDK documents as settable (ApiManagementServiceArgs.customProperties). The
 * ECDHE-CBC-SHA256/SHA384 suites are not among them: Azure does not let them be turned off.
 */
const APIM_WEAK_SETTINGS = [
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_GCM_SHA256",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA256",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA256",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA",
    "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA",
] as const;

export const apimProtocolsAndCiphers: ResourceValidationPolicy = {
    name: "apim-protocols-and-ciphers",
    description: "API Management turns off TLS 1.0/1.1, SSL 3.0, 3DES, RSA key exchange and the SHA-1 CBC suites, explicitly (ECDHE-CBC-SHA256/384 cannot be turned off).",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Set each listed customProperties key to \"false\" on the ApiManagementService.",
    validateResource: validateResourceOfType(apimanagement.ApiManagementService, (service, _args, report) => {
        const custom: Record<string, unknown> = service.customProperties ?? {};
        for (const key of APIM_WEAK_SETTINGS) {
            if (!equalsIgnoreCase(custom[key], "false")) {
                report(`customProperties["${key}"] is ${JSON.stringify(custom[key])}; set "false" (absent means on).`);
            }
        }
    }),
};

export const tlsPrivateKeyStrength: ResourceValidationPolicy = {
    name: "tls-private-key-strength",
    description: "Keys generated with @pulumi/tls are RSA 2048+ or ECDSA P-256 or stronger.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use algorithm ECDSA with ecdsaCurve P256/P384/P521, or RSA with rsaBits >= 2048 (3072 for CAs).",
    validateResource: validateResourceOfType(tls.PrivateKey, (key, _args, report) => {
        if (key.algorithm === "RSA" && (key.rsaBits ?? 2048) < 2048) {
            report(`rsaBits is ${key.rsaBits}; at least 2048.`);
        }
        // The provider's default curve is P224 (registry docs of tls_private_key).
        if (key.algorithm === "ECDSA" && (key.ecdsaCurve ?? "P224") === "P224") {
            report(`ecdsaCurve is ${JSON.stringify(key.ecdsaCurve ?? "P224 (the provider default)")}; use P256 or stronger.`);
        }
    }),
};

export const frontDoorRouteHttps: ResourceValidationPolicy = {
    name: "frontdoor-route-https",
    description: "Front Door routes forward to origins over HTTPS only and redirect any HTTP they accept.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set forwardingProtocol: \"HttpsOnly\"; accept Http only together with httpsRedirect: \"Enabled\".",
    validateResource: validateResourceOfType(cdn.Route, (route, _args, report) => {
        if (route.forwardingProtocol !== cdn.ForwardingProtocol.HttpsOnly) {
            report(`forwardingProtocol is ${JSON.stringify(route.forwardingProtocol)}; set "HttpsOnly" (MatchRequest forwards plain HTTP).`);
        }
        // The SDK's default for supportedProtocols is both (RouteArgs docs).
        const protocols = route.supportedProtocols ?? [cdn.AFDEndpointProtocols.Http, cdn.AFDEndpointProtocols.Https];
        if (protocols.includes(cdn.AFDEndpointProtocols.Http) && route.httpsRedirect !== cdn.HttpsRedirect.Enabled) {
            report(`supportedProtocols includes "Http" but httpsRedirect is ${JSON.stringify(route.httpsRedirect)}; set "Enabled".`);
        }
    }),
};

export const frontDoorOriginCertificateCheck: ResourceValidationPolicy = {
    name: "frontdoor-origin-certificate-check",
    description: "Front Door checks the origin certificate's name, so the hop to the origin cannot be intercepted.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set enforceCertificateNameCheck: true on the AFDOrigin.",
    validateResource: validateResourceOfType(cdn.AFDOrigin, (origin, _args, report) => {
        if (origin.enforceCertificateNameCheck !== true) {
            report(`enforceCertificateNameCheck is ${JSON.stringify(origin.enforceCertificateNameCheck)}; set true.`);
        }
    }),
};

export const frontDoorWafPrevention: ResourceValidationPolicy = {
    name: "frontdoor-waf-prevention",
    description: "Front Door WAF policies are enabled and block (Prevention), not only log (Detection).",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set policySettings.enabledState: \"Enabled\" and policySettings.mode: \"Prevention\".",
    validateResource: validateResourceOfType(frontdoor.Policy, (policy, _args, report) => {
        const settings = policy.policySettings;
        if (settings?.enabledState !== frontdoor.PolicyEnabledState.Enabled) {
            report(`policySettings.enabledState is ${JSON.stringify(settings?.enabledState)}; set "Enabled".`);
        }
        if (settings?.mode !== frontdoor.PolicyMode.Prevention) {
            report(`policySettings.mode is ${JSON.stringify(settings?.mode)}; set "Prevention".`);
        }
    }),
};

export const apimApiHttps: ResourceValidationPolicy = {
    name: "apim-api-https",
    description: "API Management APIs accept HTTPS only and call their service over HTTPS.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set protocols: [\"https\"] and an https:// serviceUrl on the Api.",
    validateResource: validateResourceOfType(apimanagement.Api, (api, _args, report) => {
        const protocols = api.protocols ?? [];
        if (protocols.length === 0 || protocols.some((p) => !equalsIgnoreCase(p, apimanagement.Protocol.Https))) {
            report(`protocols is ${JSON.stringify(api.protocols)}; allowed: ["https"].`);
        }
        if (api.serviceUrl !== undefined && !String(api.serviceUrl).startsWith("https://")) {
            report(`serviceUrl is ${JSON.stringify(api.serviceUrl)}; use https://.`);
        }
    }),
};

export const apimBackendTls: ResourceValidationPolicy = {
    name: "apim-backend-tls",
    description: "API Management backends are https:// and validate the certificate chain and name.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use an https:// url and set tls.validateCertificateChain and tls.validateCertificateName to true.",
    validateResource: validateResourceOfType(apimanagement.Backend, (backend, _args, report) => {
        if (!String(backend.url ?? "").startsWith("https://")) {
            report(`url is ${JSON.stringify(backend.url)}; use https://.`);
        }
        if (backend.tls?.validateCertificateChain !== true) {
            report(`tls.validateCertificateChain is ${JSON.stringify(backend.tls?.validateCertificateChain)}; set true.`);
        }
        if (backend.tls?.validateCertificateName !== true) {
            report(`tls.validateCertificateName is ${JSON.stringify(backend.tls?.validateCertificateName)}; set true.`);
        }
    }),
};

/** An ARM id's tail that names a Front Door custom domain; ARM ids compare case-insensitively. */
function customDomainIdTail(profileName: string, domainName: string): string {
    return `/profiles/${profileName}/customdomains/${domainName}`.toLowerCase();
}

export const frontDoorDomainsBehindWaf: StackValidationPolicy = {
    name: "frontdoor-domains-behind-waf",
    description: "Every Front Door custom domain is bound to a WAF policy by a security policy.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Add the domain to the associations of a SecurityPolicy of type WebApplicationFirewall.",
    validateStack: (args, report) => {
        const wafPolicies = args.resources.filter((r) => r.isType(cdn.SecurityPolicy) && r.props.parameters?.type === cdn.SecurityPolicyType.WebApplicationFirewall);
        // The security policy's dependencies name the domains it binds (in a preview, where ids are still
        // unknown, the only way to tell); a deployed stack's outputs also name them by id, which is all a
        // policy given a domain's id as plain text has.
        const boundUrns = new Set(wafPolicies.flatMap((r) => r.dependencies.map((d) => d.urn)));
        const boundIds = () => wafPolicies.flatMap((r) => ((r.props.parameters?.associations ?? []) as { domains?: { id?: unknown }[] }[])
            .flatMap((a) => a.domains ?? []).map((d) => String(d.id ?? "").toLowerCase()));
        for (const domain of args.resources.filter((r) => r.isType(cdn.AFDCustomDomain))) {
            if (boundUrns.has(domain.urn)) {
                continue;
            }
            const tail = customDomainIdTail(String(domain.props.profileName), String(domain.props.name));
            if (!boundIds().some((id) => id.endsWith(tail))) {
                report(`custom domain "${domain.name}" (${domain.props.hostName}) is not bound to a WAF security policy.`, domain.urn);
            }
        }
    },
};

const REDIS_MINIMUM_TLS: readonly redis.TlsVersion[] = [redis.TlsVersion.TlsVersion_1_2];

export const redisTls: ResourceValidationPolicy = {
    name: "redis-tls",
    description: "Azure Cache for Redis accepts only TLS 1.2 and has no non-TLS port.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"1.2\" and enableNonSslPort: false.",
    validateResource: validateResourceOfType(redis.Redis, (cache, _args, report) => {
        if (!isOneOf(REDIS_MINIMUM_TLS, cache.minimumTlsVersion)) {
            report(`minimumTlsVersion is ${JSON.stringify(cache.minimumTlsVersion)}; set "1.2".`);
        }
        if (cache.enableNonSslPort !== false) {
            report(`enableNonSslPort is ${JSON.stringify(cache.enableNonSslPort)}; set false.`);
        }
    }),
};

const SQL_MINIMUM_TLS: readonly sql.MinimalTlsVersion[] = [sql.MinimalTlsVersion.MinimalTlsVersion_1_2, sql.MinimalTlsVersion.MinimalTlsVersion_1_3];

export const sqlServerTls: ResourceValidationPolicy = {
    name: "sql-server-tls",
    description: "Azure SQL servers accept TLS 1.2 or later only.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimalTlsVersion: \"1.2\".",
    validateResource: validateResourceOfType(sql.Server, (server, _args, report) => {
        if (!isOneOf(SQL_MINIMUM_TLS, server.minimalTlsVersion)) {
            report(`minimalTlsVersion is ${JSON.stringify(server.minimalTlsVersion)}; set "1.2".`);
        }
    }),
};

/** The only predefined Application Gateway policy with TLS 1.2+ and ECDHE-GCM suites only (application-gateway-ssl-policy-overview). */
const APPGW_STRICT_PREDEFINED = network.ApplicationGatewaySslPolicyName.AppGwSslPolicy20220101S;
const APPGW_MINIMUM_TLS: readonly network.ApplicationGatewaySslProtocol[] = [network.ApplicationGatewaySslProtocol.TLSv1_2, network.ApplicationGatewaySslProtocol.TLSv1_3];
const APPGW_TLS12_SUITES: readonly network.ApplicationGatewaySslCipherSuite[] = [
    network.ApplicationGatewaySslCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    network.ApplicationGatewaySslCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    network.ApplicationGatewaySslCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    network.ApplicationGatewaySslCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
];

type AppGatewaySslPolicy = { policyType?: string; policyName?: string; minProtocolVersion?: string; cipherSuites?: string[] };

function checkAppGatewaySslPolicy(path: string, policy: AppGatewaySslPolicy | undefined, report: (message: string) => void): void {
    if (!policy) {
        report(`${path} is absent; the API version's default allows TLS 1.0 on older versions. Set it explicitly.`);
        return;
    }
    if (policy.policyType === network.ApplicationGatewaySslPolicyType.Predefined) {
        if (policy.policyName !== APPGW_STRICT_PREDEFINED) {
            report(`${path}.policyName is ${JSON.stringify(policy.policyName)}; allowed: ${APPGW_STRICT_PREDEFINED}.`);
        }
        return;
    }
    if (policy.policyType === network.ApplicationGatewaySslPolicyType.Custom || policy.policyType === network.ApplicationGatewaySslPolicyType.CustomV2) {
        if (!isOneOf(APPGW_MINIMUM_TLS, policy.minProtocolVersion)) {
            report(`${path}.minProtocolVersion is ${JSON.stringify(policy.minProtocolVersion)}; set TLSv1_2 or TLSv1_3.`);
        }
        // With a TLS 1.3 minimum (CustomV2 only) the TLS 1.2 suite list does not apply: TLS 1.3's suites are fixed AEAD ones.
        if (policy.minProtocolVersion === network.ApplicationGatewaySslProtocol.TLSv1_3) {
            return;
        }
        const suites = policy.cipherSuites ?? [];
        const weak = suites.filter((s) => !isOneOf(APPGW_TLS12_SUITES, s));
        if (suites.length === 0 || weak.length > 0) {
            report(`${path}.cipherSuites allows ${JSON.stringify(weak.length ? weak : "the defaults")}; only the four ECDHE-GCM suites.`);
        }
        return;
    }
    report(`${path}.policyType is ${JSON.stringify(policy.policyType)}; use Predefined ${APPGW_STRICT_PREDEFINED} or a Custom policy.`);
}

export const appGatewayTls: ResourceValidationPolicy = {
    name: "appgateway-tls",
    description: "Application Gateway: strict TLS policy on the gateway and every SSL profile, HTTPS listeners (HTTP only to redirect), HTTPS to backends, WAF_v2 with a WAF policy.",
    severity: "high",
    framework: MCSB,
    remediationSteps: `Set sslPolicy to Predefined ${APPGW_STRICT_PREDEFINED} (and on every sslProfile), Https listeners and backend settings, a redirect for any Http listener, sku WAF_v2 and firewallPolicy.`,
    validateResource: validateResourceOfType(network.ApplicationGateway, (gateway, _args, report) => {
        checkAppGatewaySslPolicy("sslPolicy", gateway.sslPolicy, report);
        (gateway.sslProfiles ?? []).forEach((profile, i) => checkAppGatewaySslPolicy(`sslProfiles[${i}].sslPolicy`, profile.sslPolicy, report));
        const rules = gateway.requestRoutingRules ?? [];
        (gateway.httpListeners ?? []).forEach((listener, i) => {
            if (listener.protocol === network.ApplicationGatewayProtocol.Https) {
                return;
            }
            // An HTTP listener is fine only if every rule on it redirects.
            const onListener = rules.filter((r) => String(r.httpListener?.id ?? "").endsWith(`/httpListeners/${listener.name}`));
            if (onListener.length === 0 || onListener.some((r) => !r.redirectConfiguration)) {
                report(`httpListeners[${i}] ("${listener.name}") is ${JSON.stringify(listener.protocol)} without a redirect on every rule.`);
            }
        });
        (gateway.backendHttpSettingsCollection ?? []).forEach((settings, i) => {
            if (settings.protocol !== network.ApplicationGatewayProtocol.Https) {
                report(`backendHttpSettingsCollection[${i}].protocol is ${JSON.stringify(settings.protocol)}; use Https.`);
            }
        });
        if (gateway.sku?.tier !== network.ApplicationGatewayTier.WAF_v2 || !gateway.firewallPolicy?.id) {
            report(`sku.tier is ${JSON.stringify(gateway.sku?.tier)} and firewallPolicy is ${JSON.stringify(gateway.firewallPolicy)}; use WAF_v2 with a WAF policy.`);
        }
    }),
};

// The services below are not on the platform's request path; teams add them. Checkov's CKV_AZURE_14/15/70/145/153
// (App Service), CKV_AZURE_223 (Event Hubs) and CKV_AZURE_28/29/54 (database servers) check the same on ARM.
const APP_SERVICE_MINIMUM_TLS: readonly web.SupportedTlsVersions[] = [web.SupportedTlsVersions.SupportedTlsVersions_1_2, web.SupportedTlsVersions.SupportedTlsVersions_1_3];
const APP_SERVICE_FTPS: readonly web.FtpsState[] = [web.FtpsState.FtpsOnly, web.FtpsState.Disabled];

function checkSite(site: { httpsOnly?: boolean; siteConfig?: { minTlsVersion?: string; scmMinTlsVersion?: string; ftpsState?: string } }, report: (message: string) => void): void {
    if (site.httpsOnly !== true) {
        report(`httpsOnly is ${JSON.stringify(site.httpsOnly)}; set true (plain HTTP is otherwise served).`);
    }
    for (const key of ["minTlsVersion", "scmMinTlsVersion"] as const) {
        if (!isOneOf(APP_SERVICE_MINIMUM_TLS, site.siteConfig?.[key])) {
            report(`siteConfig.${key} is ${JSON.stringify(site.siteConfig?.[key])}; allowed: ${APP_SERVICE_MINIMUM_TLS.join(", ")}.`);
        }
    }
    if (!isOneOf(APP_SERVICE_FTPS, site.siteConfig?.ftpsState)) {
        report(`siteConfig.ftpsState is ${JSON.stringify(site.siteConfig?.ftpsState)}; allowed: ${APP_SERVICE_FTPS.join(", ")} (AllAllowed takes plain FTP).`);
    }
}

export const appServiceTls: ResourceValidationPolicy = {
    name: "app-service-tls",
    description: "App Service and Functions apps (and their slots) serve HTTPS only, with TLS 1.2+ on the site and its SCM endpoint, and no plain FTP.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set httpsOnly: true and siteConfig { minTlsVersion: \"1.2\", scmMinTlsVersion: \"1.2\", ftpsState: \"Disabled\" } (or FtpsOnly).",
    validateResource: [
        validateResourceOfType(web.WebApp, (site, _args, report) => checkSite(site, report)),
        validateResourceOfType(web.WebAppSlot, (site, _args, report) => checkSite(site, report)),
    ],
};

const EVENT_HUB_MINIMUM_TLS: readonly eventhub.TlsVersion[] = [eventhub.TlsVersion.TlsVersion_1_2];
const SERVICE_BUS_MINIMUM_TLS: readonly servicebus.TlsVersion[] = [servicebus.TlsVersion.TlsVersion_1_2, servicebus.TlsVersion.TlsVersion_1_3];

export const messagingNamespaceTls: ResourceValidationPolicy = {
    name: "messaging-namespace-tls",
    description: "Event Hubs and Service Bus namespaces accept TLS 1.2 or later only, set explicitly.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"1.2\" on the Namespace.",
    validateResource: [
        validateResourceOfType(eventhub.Namespace, (namespace, _args, report) => {
            if (!isOneOf(EVENT_HUB_MINIMUM_TLS, namespace.minimumTlsVersion)) {
                report(`minimumTlsVersion is ${JSON.stringify(namespace.minimumTlsVersion)}; set "1.2".`);
            }
        }),
        validateResourceOfType(servicebus.Namespace, (namespace, _args, report) => {
            if (!isOneOf(SERVICE_BUS_MINIMUM_TLS, namespace.minimumTlsVersion)) {
                report(`minimumTlsVersion is ${JSON.stringify(namespace.minimumTlsVersion)}; allowed: ${SERVICE_BUS_MINIMUM_TLS.join(", ")}.`);
            }
        }),
    ],
};

/**
 * Flexible servers take TLS from server parameters, not resource properties: require_secure_transport (both
 * engines, ON by default), ssl_min_protocol_version (PostgreSQL) and tls_version (MySQL, a comma-separated list).
 * learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls and
 * learn.microsoft.com/azure/mysql/flexible-server/concepts-networking#tls-and-ssl.
 */
const MODERN_TLS_PARAMETER_VALUES = ["tlsv1.2", "tlsv1.3"];

function checkServerParameter(name: string | undefined, value: string | undefined, report: (message: string) => void): void {
    const parameter = name?.toLowerCase();
    const setting = value?.toLowerCase();
    if (parameter === "require_secure_transport" && setting !== "on") {
        report(`require_secure_transport is ${JSON.stringify(value)}; leave it ON (clients could connect without TLS).`);
    }
    if (parameter === "ssl_min_protocol_version" && !MODERN_TLS_PARAMETER_VALUES.includes(setting ?? "")) {
        report(`ssl_min_protocol_version is ${JSON.stringify(value)}; allowed: TLSv1.2, TLSv1.3.`);
    }
    if (parameter === "tls_version" && !(setting ?? "").split(",").every((v) => MODERN_TLS_PARAMETER_VALUES.includes(v.trim()))) {
        report(`tls_version is ${JSON.stringify(value)}; allow only TLSv1.2 and TLSv1.3.`);
    }
}

export const databaseServerTls: ResourceValidationPolicy = {
    name: "database-server-tls",
    description: "PostgreSQL and MySQL flexible servers keep TLS required, at 1.2 or later.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Leave require_secure_transport ON; set ssl_min_protocol_version (PostgreSQL) to TLSv1.2 and tls_version (MySQL) to TLSv1.2,TLSv1.3.",
    validateResource: [
        validateResourceOfType(dbforpostgresql.Configuration, (parameter, _args, report) => checkServerParameter(parameter.configurationName, parameter.value, report)),
        validateResourceOfType(dbformysql.Configuration, (parameter, _args, report) => checkServerParameter(parameter.configurationName, parameter.value, report)),
    ],
};

export const azureTlsPolicies = [
    storageAccountTls,
    frontDoorDomainTls,
    frontDoorRouteHttps,
    frontDoorOriginCertificateCheck,
    frontDoorWafPrevention,
    frontDoorDomainsBehindWaf,
    apimProtocolsAndCiphers,
    apimApiHttps,
    apimBackendTls,
    appGatewayTls,
    redisTls,
    sqlServerTls,
    appServiceTls,
    messagingNamespaceTls,
    databaseServerTls,
    tlsPrivateKeyStrength,
];
