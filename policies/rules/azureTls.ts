/** Transport security of the Azure services on the request path. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ECDHE_GCM_SUITES, equalsIgnoreCase, forTypes, MCSB } from "./common";

export const storageAccountTls: ResourceValidationPolicy = {
    name: "storage-account-tls",
    description: "Storage accounts accept only HTTPS with TLS 1.2 or later, set explicitly.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"TLS1_2\" and enableHttpsTrafficOnly: true on the StorageAccount.",
    validateResource: forTypes(["azure-native:storage:StorageAccount"], (props, report) => {
        if (props.minimumTlsVersion !== "TLS1_2" && props.minimumTlsVersion !== "TLS1_3") {
            report(`minimumTlsVersion is ${JSON.stringify(props.minimumTlsVersion)}; set "TLS1_2" (the default depends on the API version).`);
        }
        if (props.enableHttpsTrafficOnly !== true) {
            report(`enableHttpsTrafficOnly is ${JSON.stringify(props.enableHttpsTrafficOnly)}; set true.`);
        }
    }),
};

const FRONT_DOOR_GOOD_SUITE_SETS = ["TLS12_2023"];

export const frontDoorDomainTls: ResourceValidationPolicy = {
    name: "frontdoor-domain-tls",
    description: "Front Door custom domains use TLS 1.2+ and only ECDHE-GCM cipher suites.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set tlsSettings.minimumTlsVersion to TLS12 (or TLS13) and tlsSettings.cipherSuiteSetType to TLS12_2023, or Customized with only ECDHE-GCM suites.",
    validateResource: forTypes(["azure-native:cdn:AFDCustomDomain"], (props, report) => {
        const tls = props.tlsSettings ?? {};
        if (!["TLS12", "TLS13"].includes(tls.minimumTlsVersion)) {
            report(`tlsSettings.minimumTlsVersion is ${JSON.stringify(tls.minimumTlsVersion)}; allowed: TLS12, TLS13.`);
        }
        if (tls.cipherSuiteSetType === "Customized") {
            const suites: string[] = tls.customizedCipherSuiteSet?.cipherSuiteSetForTls12 ?? [];
            const weak = suites.filter((s) => !(ECDHE_GCM_SUITES as readonly string[]).includes(s));
            if (suites.length === 0 || weak.length > 0) {
                report(`tlsSettings.customizedCipherSuiteSet.cipherSuiteSetForTls12 allows ${JSON.stringify(weak.length ? weak : "nothing")}; only ECDHE-GCM suites are allowed.`);
            }
        } else if (!FRONT_DOOR_GOOD_SUITE_SETS.includes(tls.cipherSuiteSetType)) {
            report(`tlsSettings.cipherSuiteSetType is ${JSON.stringify(tls.cipherSuiteSetType)}; allowed: TLS12_2023 or Customized (TLS12_2022 and TLS10_2019 allow CBC or TLS 1.0).`);
        }
    }),
};

/** API Management protocol and cipher switches; absent cipher keys mean ON, so each must be "false". */
export const APIM_WEAK_SETTINGS = [
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
    description: "API Management turns off TLS 1.0/1.1, SSL 3.0, 3DES and every non-ECDHE-GCM cipher, explicitly.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Set each listed customProperties key to \"false\" on the ApiManagementService.",
    validateResource: forTypes(["azure-native:apimanagement:ApiManagementService"], (props, report) => {
        const custom: Record<string, unknown> = props.customProperties ?? {};
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
    validateResource: forTypes(["tls:index/privateKey:PrivateKey"], (props, report) => {
        if (props.algorithm === "RSA" && (props.rsaBits ?? 2048) < 2048) {
            report(`rsaBits is ${props.rsaBits}; at least 2048.`);
        }
        if (props.algorithm === "ECDSA" && (props.ecdsaCurve ?? "P224") === "P224") {
            report(`ecdsaCurve is ${JSON.stringify(props.ecdsaCurve ?? "P224 (the provider default)")}; use P256 or stronger.`);
        }
    }),
};

export const frontDoorRouteHttps: ResourceValidationPolicy = {
    name: "frontdoor-route-https",
    description: "Front Door routes forward to origins over HTTPS only and redirect any HTTP they accept.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set forwardingProtocol: \"HttpsOnly\"; accept Http only together with httpsRedirect: \"Enabled\".",
    validateResource: forTypes(["azure-native:cdn:Route"], (props, report) => {
        if (props.forwardingProtocol !== "HttpsOnly") {
            report(`forwardingProtocol is ${JSON.stringify(props.forwardingProtocol)}; set "HttpsOnly" (MatchRequest forwards plain HTTP).`);
        }
        const protocols: string[] = props.supportedProtocols ?? ["Http", "Https"];
        if (protocols.includes("Http") && props.httpsRedirect !== "Enabled") {
            report(`supportedProtocols includes "Http" but httpsRedirect is ${JSON.stringify(props.httpsRedirect)}; set "Enabled".`);
        }
    }),
};

export const frontDoorOriginCertificateCheck: ResourceValidationPolicy = {
    name: "frontdoor-origin-certificate-check",
    description: "Front Door checks the origin certificate's name, so the hop to the origin cannot be intercepted.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set enforceCertificateNameCheck: true on the AFDOrigin.",
    validateResource: forTypes(["azure-native:cdn:AFDOrigin"], (props, report) => {
        if (props.enforceCertificateNameCheck !== true) {
            report(`enforceCertificateNameCheck is ${JSON.stringify(props.enforceCertificateNameCheck)}; set true.`);
        }
    }),
};

/** Front Door WAF policies: the current token, and the v2 SDK's. */
export const FRONT_DOOR_WAF_TYPES = ["azure-native:frontdoor:Policy", "azure-native:network:Policy"];

export const frontDoorWafPrevention: ResourceValidationPolicy = {
    name: "frontdoor-waf-prevention",
    description: "Front Door WAF policies are enabled and block (Prevention), not only log (Detection).",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set policySettings.enabledState: \"Enabled\" and policySettings.mode: \"Prevention\".",
    validateResource: forTypes(FRONT_DOOR_WAF_TYPES, (props, report) => {
        const settings = props.policySettings ?? {};
        if (settings.enabledState !== "Enabled") {
            report(`policySettings.enabledState is ${JSON.stringify(settings.enabledState)}; set "Enabled".`);
        }
        if (settings.mode !== "Prevention") {
            report(`policySettings.mode is ${JSON.stringify(settings.mode)}; set "Prevention".`);
        }
    }),
};

export const apimApiHttps: ResourceValidationPolicy = {
    name: "apim-api-https",
    description: "API Management APIs accept HTTPS only and call their service over HTTPS.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set protocols: [\"https\"] and an https:// serviceUrl on the Api.",
    validateResource: forTypes(["azure-native:apimanagement:Api"], (props, report) => {
        const protocols: string[] = props.protocols ?? [];
        if (protocols.length === 0 || protocols.some((p) => !equalsIgnoreCase(p, "https"))) {
            report(`protocols is ${JSON.stringify(props.protocols)}; allowed: ["https"].`);
        }
        if (props.serviceUrl !== undefined && !String(props.serviceUrl).startsWith("https://")) {
            report(`serviceUrl is ${JSON.stringify(props.serviceUrl)}; use https://.`);
        }
    }),
};

export const apimBackendTls: ResourceValidationPolicy = {
    name: "apim-backend-tls",
    description: "API Management backends are https:// and validate the certificate chain and name.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use an https:// url and set tls.validateCertificateChain and tls.validateCertificateName to true.",
    validateResource: forTypes(["azure-native:apimanagement:Backend"], (props, report) => {
        if (!String(props.url ?? "").startsWith("https://")) {
            report(`url is ${JSON.stringify(props.url)}; use https://.`);
        }
        for (const key of ["validateCertificateChain", "validateCertificateName"]) {
            if (props.tls?.[key] !== true) {
                report(`tls.${key} is ${JSON.stringify(props.tls?.[key])}; set true.`);
            }
        }
    }),
};

export const frontDoorDomainsBehindWaf: StackValidationPolicy = {
    name: "frontdoor-domains-behind-waf",
    description: "Every Front Door custom domain is bound to a WAF policy by a security policy.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Add the domain to the associations of a SecurityPolicy of type WebApplicationFirewall.",
    validateStack: (args, report) => {
        // Ids are unknown in a preview; the security policy's dependencies name the domains it binds.
        const bound = new Set(args.resources
            .filter((r) => r.type === "azure-native:cdn:SecurityPolicy" && r.props.parameters?.type === "WebApplicationFirewall")
            .flatMap((r) => r.dependencies.map((d) => d.urn)));
        for (const domain of args.resources.filter((r) => r.type === "azure-native:cdn:AFDCustomDomain")) {
            if (!bound.has(domain.urn)) {
                report(`custom domain "${domain.name}" (${domain.props.hostName}) is not bound to a WAF security policy.`, domain.urn);
            }
        }
    },
};

/** Redis caches: the current token and the v2 SDK's. */
export const REDIS_TYPES = ["azure-native:redis:Redis", "azure-native:cache:Redis"];

export const redisTls: ResourceValidationPolicy = {
    name: "redis-tls",
    description: "Azure Cache for Redis accepts only TLS 1.2+ and has no non-TLS port.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"1.2\" and enableNonSslPort: false.",
    validateResource: forTypes(REDIS_TYPES, (props, report) => {
        if (props.minimumTlsVersion !== "1.2" && props.minimumTlsVersion !== "1.3") {
            report(`minimumTlsVersion is ${JSON.stringify(props.minimumTlsVersion)}; set "1.2".`);
        }
        if (props.enableNonSslPort !== false) {
            report(`enableNonSslPort is ${JSON.stringify(props.enableNonSslPort)}; set false.`);
        }
    }),
};

export const sqlServerTls: ResourceValidationPolicy = {
    name: "sql-server-tls",
    description: "Azure SQL servers accept TLS 1.2 or later only.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimalTlsVersion: \"1.2\".",
    validateResource: forTypes(["azure-native:sql:Server"], (props, report) => {
        if (props.minimalTlsVersion !== "1.2" && props.minimalTlsVersion !== "1.3") {
            report(`minimalTlsVersion is ${JSON.stringify(props.minimalTlsVersion)}; set "1.2".`);
        }
    }),
};

/** The only predefined Application Gateway policy with TLS 1.2+ and ECDHE-GCM suites only. */
export const APPGW_STRICT_PREDEFINED = "AppGwSslPolicy20220101S";

function checkAppGatewaySslPolicy(path: string, policy: Record<string, any> | undefined, report: (message: string) => void): void {
    if (!policy) {
        report(`${path} is absent; the API version's default allows TLS 1.0 on older versions. Set it explicitly.`);
        return;
    }
    if (policy.policyType === "Predefined") {
        if (policy.policyName !== APPGW_STRICT_PREDEFINED) {
            report(`${path}.policyName is ${JSON.stringify(policy.policyName)}; allowed: ${APPGW_STRICT_PREDEFINED}.`);
        }
        return;
    }
    if (policy.policyType === "Custom" || policy.policyType === "CustomV2") {
        if (!["TLSv1_2", "TLSv1_3"].includes(policy.minProtocolVersion)) {
            report(`${path}.minProtocolVersion is ${JSON.stringify(policy.minProtocolVersion)}; set TLSv1_2 or TLSv1_3.`);
        }
        const suites: string[] = policy.cipherSuites ?? [];
        const weak = suites.filter((s) => !(ECDHE_GCM_SUITES as readonly string[]).includes(s));
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
    validateResource: forTypes(["azure-native:network:ApplicationGateway"], (props, report) => {
        checkAppGatewaySslPolicy("sslPolicy", props.sslPolicy, report);
        (props.sslProfiles ?? []).forEach((profile: Record<string, any>, i: number) => checkAppGatewaySslPolicy(`sslProfiles[${i}].sslPolicy`, profile.sslPolicy, report));
        const rules: Record<string, any>[] = props.requestRoutingRules ?? [];
        (props.httpListeners ?? []).forEach((listener: Record<string, any>, i: number) => {
            if (listener.protocol === "Https") {
                return;
            }
            // An HTTP listener is fine only if every rule on it redirects.
            const onListener = rules.filter((r) => String(r.httpListener?.id ?? "").endsWith(`/httpListeners/${listener.name}`));
            if (onListener.length === 0 || onListener.some((r) => !r.redirectConfiguration)) {
                report(`httpListeners[${i}] ("${listener.name}") is ${JSON.stringify(listener.protocol)} without a redirect on every rule.`);
            }
        });
        (props.backendHttpSettingsCollection ?? []).forEach((settings: Record<string, any>, i: number) => {
            if (settings.protocol !== "Https") {
                report(`backendHttpSettingsCollection[${i}].protocol is ${JSON.stringify(settings.protocol)}; use Https.`);
            }
        });
        if (props.sku?.tier !== "WAF_v2" || !props.firewallPolicy?.id) {
            report(`sku.tier is ${JSON.stringify(props.sku?.tier)} and firewallPolicy is ${JSON.stringify(props.firewallPolicy)}; use WAF_v2 with a WAF policy.`);
        }
    }),
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
    tlsPrivateKeyStrength,
];
