import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn";
import * as frontdoor from "@pulumi/azure-native/frontdoor";

export interface FrontDoorArgs {
    profileName: string;
    /** Globally unique endpoint name (`<name>-<hash>.z01.azurefd.net`). */
    endpointName: pulumi.Input<string>;
    wafPolicyName: string;
    resourceGroupName: pulumi.Input<string>;
    /** The public name clients call, e.g. `api.dev.platform.example.com`. */
    customDomain: string;
    rateLimitPerClientIpPerMinute: number;
    tags: Record<string, string>;
}

/** API Management's built-in health endpoint. */
const APIM_HEALTH_PATH = "/status-0123456789abcdef";

/** The profile first: API Management needs its id (X-Azure-FDID) before Front Door needs API Management. */
export function declareFrontDoorProfile(name: string, args: FrontDoorArgs, parent: pulumi.Resource): cdn.Profile {
    return new cdn.Profile(name, {
        profileName: args.profileName,
        resourceGroupName: args.resourceGroupName,
        location: "Global",
        sku: { name: cdn.SkuName.Premium_AzureFrontDoor },
        originResponseTimeoutSeconds: 60,
        tags: args.tags,
    }, { parent, protect: true });
}

/**
 * The edge: a custom domain with a managed certificate (TLS 1.2+, ECDHE-GCM only), one route that redirects
 * HTTP and forwards over HTTPS only, an origin group to API Management with certificate name checks, and a WAF
 * policy in Prevention mode bound to every domain.
 */
export function declareFrontDoorEdge(name: string, args: FrontDoorArgs & { profile: cdn.Profile; originHostName: pulumi.Input<string> }, parent: pulumi.Resource) {
    const { profile, resourceGroupName } = args;
    const opts = { parent };
    const scoped = { resourceGroupName, profileName: profile.name };

    const endpoint = new cdn.AFDEndpoint(`${name}-endpoint`, {
        ...scoped,
        endpointName: args.endpointName,
        location: "Global",
        enabledState: cdn.EnabledState.Enabled,
        tags: args.tags,
    }, opts);

    const domain = new cdn.AFDCustomDomain(`${name}-domain`, {
        ...scoped,
        customDomainName: args.customDomain.replace(/\./g, "-"),
        hostName: args.customDomain,
        tlsSettings: {
            certificateType: cdn.AfdCertificateType.ManagedCertificate,
            minimumTlsVersion: cdn.AfdMinimumTlsVersion.TLS12,
            cipherSuiteSetType: cdn.AfdCipherSuiteSetType.TLS12_2023,
        },
    }, opts);

    const originGroup = new cdn.AFDOriginGroup(`${name}-origins`, {
        ...scoped,
        originGroupName: "apim",
        healthProbeSettings: {
            probePath: APIM_HEALTH_PATH,
            probeProtocol: cdn.ProbeProtocol.Https,
            probeRequestType: cdn.HealthProbeRequestType.GET,
            probeIntervalInSeconds: 30,
        },
        loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3, additionalLatencyInMilliseconds: 50 },
        sessionAffinityState: cdn.EnabledState.Disabled,
    }, opts);

    const origin = new cdn.AFDOrigin(`${name}-origin-apim`, {
        ...scoped,
        originGroupName: originGroup.name,
        originName: "apim",
        hostName: args.originHostName,
        originHostHeader: args.originHostName,
        httpsPort: 443,
        enforceCertificateNameCheck: true,
        enabledState: cdn.EnabledState.Enabled,
        priority: 1,
        weight: 1000,
    }, opts);

    const route = new cdn.Route(`${name}-route`, {
        ...scoped,
        endpointName: endpoint.name,
        routeName: "api",
        customDomains: [{ id: domain.id }],
        originGroup: { id: originGroup.id },
        supportedProtocols: [cdn.AFDEndpointProtocols.Http, cdn.AFDEndpointProtocols.Https],
        httpsRedirect: cdn.HttpsRedirect.Enabled,
        forwardingProtocol: cdn.ForwardingProtocol.HttpsOnly,
        linkToDefaultDomain: cdn.LinkToDefaultDomain.Disabled,
        patternsToMatch: ["/*"],
        enabledState: cdn.EnabledState.Enabled,
    }, { parent, dependsOn: [origin] });

    const waf = new frontdoor.Policy(`${name}-waf`, {
        policyName: args.wafPolicyName,
        resourceGroupName,
        location: "Global",
        sku: { name: frontdoor.SkuName.Premium_AzureFrontDoor },
        policySettings: {
            enabledState: frontdoor.PolicyEnabledState.Enabled,
            mode: frontdoor.PolicyMode.Prevention,
            requestBodyCheck: frontdoor.PolicyRequestBodyCheck.Enabled,
        },
        managedRules: {
            managedRuleSets: [
                { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1", ruleSetAction: frontdoor.ManagedRuleSetActionType.Block },
                { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
            ],
        },
        customRules: {
            rules: [{
                name: "RateLimitPerClientIp",
                priority: 100,
                ruleType: frontdoor.RuleType.RateLimitRule,
                rateLimitDurationInMinutes: 1,
                rateLimitThreshold: args.rateLimitPerClientIpPerMinute,
                groupBy: [{ variableName: frontdoor.VariableName.SocketAddr }],
                // Every request counts: match any address.
                matchConditions: [{ matchVariable: frontdoor.MatchVariable.RemoteAddr, operator: frontdoor.Operator.IPMatch, negateCondition: true, matchValue: ["255.255.255.255/32"] }],
                action: frontdoor.ActionType.Block,
                enabledState: frontdoor.CustomRuleEnabledState.Enabled,
            }],
        },
        tags: args.tags,
    }, opts);

    new cdn.SecurityPolicy(`${name}-waf-binding`, {
        ...scoped,
        securityPolicyName: "waf",
        parameters: {
            type: "WebApplicationFirewall",
            wafPolicy: { id: waf.id },
            associations: [{ domains: [{ id: domain.id }, { id: endpoint.id }], patternsToMatch: ["/*"] }],
        },
    }, opts);

    return { endpoint, domain, route };
}
