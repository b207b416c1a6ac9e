/**
 * The edge: Azure Front Door (Standard/Premium: the `cdn` module's AFD* resources), Azure Front Door (classic) and
 * Azure CDN (classic) endpoints. Each policy is typed by the resources' SDK Args; allowed values are SDK enum members.
 */
import type { AFDCustomDomainArgs, AFDOriginArgs, EndpointArgs, RouteArgs } from "@pulumi/azure-native/cdn";
import type { FrontDoorArgs, PolicyArgs } from "@pulumi/azure-native/frontdoor";
import * as cdn from "@pulumi/azure-native/types/enums/cdn";
import * as frontdoor from "@pulumi/azure-native/types/enums/frontdoor";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { equalsIgnoreCase, isOneOf, MCSB } from "./common";
import { azureNative, ofKind, validate } from "./kinds";

const AFD_CUSTOM_DOMAIN = azureNative<AFDCustomDomainArgs>("azure-native:cdn:AFDCustomDomain");
const AFD_ROUTE = azureNative<RouteArgs>("azure-native:cdn:Route");
const AFD_ORIGIN = azureNative<AFDOriginArgs>("azure-native:cdn:AFDOrigin");
const AFD_SECURITY_POLICY = azureNative<unknown>("azure-native:cdn:SecurityPolicy");
const CDN_ENDPOINT = azureNative<EndpointArgs>("azure-native:cdn:Endpoint");
// Front Door (classic) and its WAF policies were in the network module before the frontdoor one (the SDK's aliases).
const CLASSIC_FRONT_DOOR = azureNative<FrontDoorArgs>("azure-native:frontdoor:FrontDoor", ["network"]);
const FRONT_DOOR_WAF_POLICY = azureNative<PolicyArgs>("azure-native:frontdoor:Policy", ["network"]);

const FRONT_DOOR_MINIMUM_TLS: readonly cdn.AfdMinimumTlsVersion[] = [cdn.AfdMinimumTlsVersion.TLS12, cdn.AfdMinimumTlsVersion.TLS13];
/** TLS12_2023 is the predefined set without CBC or TLS 1.0 (learn.microsoft.com/azure/frontdoor/tls-policy). */
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
    remediationSteps: "Leave tlsSettings.cipherSuiteSetType to its default (TLS12_2023) or set it, or Customized with only ECDHE-GCM TLS 1.2 suites; never a TLS10 minimum.",
    validateResource: validate(AFD_CUSTOM_DOMAIN, (domain, report) => {
        const settings = domain.tlsSettings;
        // Front Door has refused TLS 1.0 and 1.1 minimums since March 2025, and picks TLS12_2023 when no policy is
        // given (learn.microsoft.com/azure/frontdoor/tls-policy): what is absent is the strict default.
        const minimum = settings?.minimumTlsVersion ?? cdn.AfdMinimumTlsVersion.TLS12;
        const suiteSet = settings?.cipherSuiteSetType ?? cdn.AfdCipherSuiteSetType.TLS12_2023;
        if (!isOneOf(FRONT_DOOR_MINIMUM_TLS, minimum)) {
            report(`tlsSettings.minimumTlsVersion is ${JSON.stringify(minimum)}; allowed: ${FRONT_DOOR_MINIMUM_TLS.join(", ")}.`);
        }
        if (suiteSet === cdn.AfdCipherSuiteSetType.Customized) {
            // TLS 1.3's customizable suites are all AEAD; only the TLS 1.2 list can hold weak ones.
            if (minimum === cdn.AfdMinimumTlsVersion.TLS13) {
                return;
            }
            const suites = settings?.customizedCipherSuiteSet?.cipherSuiteSetForTls12 ?? [];
            const weak = suites.filter((s) => !isOneOf(FRONT_DOOR_TLS12_SUITES, s));
            if (suites.length === 0 || weak.length > 0) {
                report(`tlsSettings.customizedCipherSuiteSet.cipherSuiteSetForTls12 allows ${JSON.stringify(weak.length ? weak : "nothing")}; allowed: ${FRONT_DOOR_TLS12_SUITES.join(", ")}.`);
            }
        } else if (!isOneOf(FRONT_DOOR_SUITE_SETS, suiteSet)) {
            report(`tlsSettings.cipherSuiteSetType is ${JSON.stringify(suiteSet)}; allowed: TLS12_2023 or Customized (TLS12_2022 and TLS10_2019 allow CBC or TLS 1.0).`);
        }
    }),
};

/**
 * Whether a rule that accepts `accepted` and forwards with `forwarding` sends only HTTPS to its origins: HttpsOnly
 * does; MatchRequest does when no plain HTTP is forwarded (not accepted, or redirected first).
 */
function forwardsHttpsOnly(forwarding: string, httpForwarded: boolean): boolean {
    return equalsIgnoreCase(forwarding, cdn.ForwardingProtocol.HttpsOnly) || (equalsIgnoreCase(forwarding, cdn.ForwardingProtocol.MatchRequest) && !httpForwarded);
}

export const frontDoorRouteHttps: ResourceValidationPolicy = {
    name: "frontdoor-route-https",
    description: "Front Door routes (and Front Door classic routing rules) forward to origins over HTTPS only and redirect any HTTP they accept.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Accept Http only together with httpsRedirect: \"Enabled\" (classic: a redirect rule to HttpsOnly), and forward with HttpsOnly (or MatchRequest when no HTTP is forwarded).",
    validateResource: [
        validate(AFD_ROUTE, (route, report) => {
            // The SDK's defaults (RouteArgs): both protocols, no redirect, MatchRequest. The redirect "will be the first
            // rule that gets executed" (RouteArgs.httpsRedirect), so redirected HTTP is never forwarded.
            const protocols = route.supportedProtocols ?? [cdn.AFDEndpointProtocols.Http, cdn.AFDEndpointProtocols.Https];
            const forwarding = route.forwardingProtocol ?? cdn.ForwardingProtocol.MatchRequest;
            const httpServed = protocols.some((p) => equalsIgnoreCase(p, cdn.AFDEndpointProtocols.Http)) && !equalsIgnoreCase(route.httpsRedirect, cdn.HttpsRedirect.Enabled);
            if (httpServed) {
                report(`supportedProtocols includes "Http" but httpsRedirect is ${JSON.stringify(route.httpsRedirect)}; set "Enabled".`);
            }
            if (!forwardsHttpsOnly(forwarding, httpServed)) {
                report(`forwardingProtocol is ${JSON.stringify(route.forwardingProtocol)}${route.forwardingProtocol === undefined ? " (MatchRequest by default)" : ""}; set "HttpsOnly" (${httpServed ? "MatchRequest forwards the plain HTTP this route accepts" : "HttpOnly forwards plain HTTP"}).`);
            }
        }),
        validate(CLASSIC_FRONT_DOOR, (frontDoor, report) => {
            (frontDoor.routingRules ?? []).forEach((rule, i) => {
                const path = `routingRules[${i}]`;
                // Classic rules take both schemes unless told otherwise, as AFD routes do.
                const accepted = rule.acceptedProtocols ?? [frontdoor.FrontDoorProtocol.Http, frontdoor.FrontDoorProtocol.Https];
                const acceptsHttp = accepted.some((p) => equalsIgnoreCase(p, frontdoor.FrontDoorProtocol.Http));
                const route = (rule.routeConfiguration ?? {}) as { odataType?: string; forwardingProtocol?: string; redirectProtocol?: string };
                if (route.odataType === "#Microsoft.Azure.FrontDoor.Models.FrontdoorRedirectConfiguration") {
                    const to = route.redirectProtocol ?? frontdoor.FrontDoorRedirectProtocol.MatchRequest;
                    if (!forwardsHttpsOnly(to, acceptsHttp)) {
                        report(`${path} redirects with redirectProtocol ${JSON.stringify(to)}; redirect to HttpsOnly.`);
                    }
                    return;
                }
                if (acceptsHttp) {
                    report(`${path} accepts Http and forwards it; accept Https only, and answer Http with a redirect rule to HttpsOnly.`);
                }
                const forwarding = route.forwardingProtocol ?? frontdoor.FrontDoorForwardingProtocol.MatchRequest;
                if (!forwardsHttpsOnly(forwarding, acceptsHttp)) {
                    report(`${path}.routeConfiguration.forwardingProtocol is ${JSON.stringify(forwarding)}; set "HttpsOnly".`);
                }
            });
        }),
    ],
};

export const frontDoorOriginCertificateCheck: ResourceValidationPolicy = {
    name: "frontdoor-origin-certificate-check",
    description: "Front Door checks the origin certificate's name, so the hop to the origin cannot be intercepted.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Leave enforceCertificateNameCheck at its default (true) on the AFDOrigin, and backendPoolsSettings.enforceCertificateNameCheck at Enabled on a classic Front Door.",
    validateResource: [
        // Both default to checking (AFDOrigin: the SDK's default true; classic: BackendPoolsSettings' default Enabled).
        validate(AFD_ORIGIN, (origin, report) => {
            if (origin.enforceCertificateNameCheck === false) {
                report("enforceCertificateNameCheck is false; leave it true.");
            }
        }),
        validate(CLASSIC_FRONT_DOOR, (frontDoor, report) => {
            const check = frontDoor.backendPoolsSettings?.enforceCertificateNameCheck;
            if (check !== undefined && !equalsIgnoreCase(check, frontdoor.EnforceCertificateNameCheckEnabledState.Enabled)) {
                report(`backendPoolsSettings.enforceCertificateNameCheck is ${JSON.stringify(check)}; leave it "Enabled".`);
            }
        }),
    ],
};

export const frontDoorWafPrevention: ResourceValidationPolicy = {
    name: "frontdoor-waf-prevention",
    description: "Front Door WAF policies are enabled and block (Prevention), not only log (Detection).",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set policySettings.enabledState: \"Enabled\" and policySettings.mode: \"Prevention\".",
    validateResource: validate(FRONT_DOOR_WAF_POLICY, (policy, report) => {
        const settings = policy.policySettings;
        if (!equalsIgnoreCase(settings?.enabledState, frontdoor.PolicyEnabledState.Enabled)) {
            report(`policySettings.enabledState is ${JSON.stringify(settings?.enabledState)}; set "Enabled".`);
        }
        if (!equalsIgnoreCase(settings?.mode, frontdoor.PolicyMode.Prevention)) {
            report(`policySettings.mode is ${JSON.stringify(settings?.mode)}; set "Prevention".`);
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
    remediationSteps: "Add the domain to the associations of a SecurityPolicy of type WebApplicationFirewall; a domain bound by a security policy of another stack goes in this policy's externallyBoundHostNames.",
    configSchema: {
        properties: {
            // A central edge team's security policy (another stack) binds these: this stack cannot see it.
            externallyBoundHostNames: { type: "array", items: { type: "string" } },
        },
    },
    validateStack: (args, report) => {
        const external = new Set(args.getConfig<{ externallyBoundHostNames?: string[] }>().externallyBoundHostNames?.map((h) => h.toLowerCase()) ?? []);
        const wafPolicies = ofKind(args.resources, AFD_SECURITY_POLICY).filter((r) => equalsIgnoreCase(r.props.parameters?.type, cdn.SecurityPolicyType.WebApplicationFirewall));
        // The security policy's dependencies name the domains it binds (in a preview, where ids are still
        // unknown, the only way to tell); a deployed stack's outputs also name them by id, which is all a
        // policy given a domain's id as plain text has.
        const boundUrns = new Set(wafPolicies.flatMap((r) => r.dependencies.map((d) => d.urn)));
        const boundIds = () => wafPolicies.flatMap((r) => ((r.props.parameters?.associations ?? []) as { domains?: { id?: unknown }[] }[])
            .flatMap((a) => a.domains ?? []).map((d) => String(d.id ?? "").toLowerCase()));
        for (const domain of ofKind(args.resources, AFD_CUSTOM_DOMAIN)) {
            if (boundUrns.has(domain.urn) || external.has(String(domain.props.hostName).toLowerCase())) {
                continue;
            }
            const tail = customDomainIdTail(String(domain.props.profileName), String(domain.props.name));
            if (!boundIds().some((id) => id.endsWith(tail))) {
                report(`custom domain "${domain.name}" (${domain.props.hostName}) is not bound to a WAF security policy.`, domain.urn);
            }
        }
    },
};

type DeliveryRule = { conditions?: { name?: string; parameters?: { operator?: string; matchValues?: string[]; negateCondition?: boolean } }[]; actions?: { name?: string; parameters?: { destinationProtocol?: string } }[] };

/** A delivery rule that answers every plain-HTTP request with a redirect to HTTPS (a RequestScheme condition on HTTP, a UrlRedirect to Https). */
function redirectsHttpToHttps(rule: DeliveryRule): boolean {
    const onHttp = (rule.conditions ?? []).some((c) => c.name === "RequestScheme" && c.parameters?.negateCondition !== true
        && equalsIgnoreCase(c.parameters?.operator, cdn.RequestSchemeMatchConditionParametersOperator.Equal)
        && (c.parameters?.matchValues ?? []).some((v) => equalsIgnoreCase(v, cdn.RequestSchemeMatchValue.HTTP)));
    const toHttps = (rule.actions ?? []).some((a) => a.name === "UrlRedirect" && equalsIgnoreCase(a.parameters?.destinationProtocol, cdn.DestinationProtocol.Https));
    return onHttp && toHttps;
}

export const cdnEndpointHttps: ResourceValidationPolicy = {
    name: "cdn-endpoint-https",
    description: "Azure CDN (classic) endpoints serve HTTPS only, or redirect every HTTP request to HTTPS.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set isHttpAllowed: false, or add a delivery rule with a RequestScheme HTTP condition and a UrlRedirect action to Https.",
    validateResource: validate(CDN_ENDPOINT, (endpoint, report) => {
        // isHttpAllowed defaults to true (the SDK's EndpointArgs default); the endpoint forwards with the caller's scheme.
        if (endpoint.isHttpAllowed === false) {
            return;
        }
        const rules = (endpoint.deliveryPolicy?.rules ?? []) as DeliveryRule[];
        if (!rules.some(redirectsHttpToHttps)) {
            report(`isHttpAllowed is ${JSON.stringify(endpoint.isHttpAllowed)}${endpoint.isHttpAllowed === undefined ? " (the default: true)" : ""} and no delivery rule redirects HTTP to HTTPS; set isHttpAllowed: false.`);
        }
    }),
};

export const frontDoorPolicies = [frontDoorDomainTls, frontDoorRouteHttps, frontDoorOriginCertificateCheck, frontDoorWafPrevention, frontDoorDomainsBehindWaf, cdnEndpointHttps];
