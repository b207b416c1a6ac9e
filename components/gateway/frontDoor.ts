import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn";
import * as dns from "@pulumi/azure-native/dns";
import * as frontdoor from "@pulumi/azure-native/frontdoor";
import type { input } from "@pulumi/azure-native/types";
import type { ResponseHeader } from "./securityHeaders";
import type { ProviderResource } from "@pulumi/pulumi";

/** An existing Azure DNS zone the custom domain lives in, and an Azure provider for the zone's subscription. */
export interface PublicDnsZone {
    name: string;
    resourceGroupName: string;
    subscriptionId: string;
    provider: ProviderResource;
}

export interface FrontDoorArgs {
    profileName: string;
    /** Globally unique endpoint name (`<name>-<hash>.z01.azurefd.net`). */
    endpointName: pulumi.Input<string>;
    wafPolicyName: string;
    resourceGroupName: pulumi.Input<string>;
    /** The public name clients call, e.g. `api.dev.platform.example.com`. */
    customDomain: string;
    rateLimitPerClientIpPerMinute: number;
    /** Client ranges the WAF blocks before anything else (`gateway.denyList`). */
    denyList: string[];
    /** Set on every response the route serves (HSTS and the security headers). */
    responseHeaders: ResponseHeader[];
    /** When the custom domain is in an Azure DNS zone: the program keeps its validation and CNAME records there. */
    publicDnsZone?: PublicDnsZone;
    tags: Record<string, string>;
}

/** The custom domain's name relative to the zone (`api` of `api.example.com` in `example.com`); none outside it. */
export function relativeName(host: string, zone: string): string | undefined {
    return host.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : undefined;
}

/**
 * The deny list, evaluated before every other rule (lower priority first; a Block ends evaluation: waf-front-door-custom-rules).
 * By the TCP peer (SocketAddr, which a client cannot forge) and by the client address Front Door derives from
 * X-Forwarded-For (RemoteAddr, a client behind a proxy): two rules, as a rule's conditions must all match.
 */
function denyRules(denyList: string[]): input.frontdoor.CustomRuleArgs[] {
    if (denyList.length === 0) {
        return [];
    }
    return [frontdoor.MatchVariable.SocketAddr, frontdoor.MatchVariable.RemoteAddr].map((variable, i) => ({
        name: `DenyList${variable}`,
        priority: 10 + i,
        ruleType: frontdoor.RuleType.MatchRule,
        matchConditions: [{ matchVariable: variable, operator: frontdoor.Operator.IPMatch, matchValue: denyList }],
        action: frontdoor.ActionType.Block,
        enabledState: frontdoor.CustomRuleEnabledState.Enabled,
    }));
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

    const zone = args.publicDnsZone;
    const relative = zone && relativeName(args.customDomain, zone.name);
    const zoneId = zone && `/subscriptions/${zone.subscriptionId}/resourceGroups/${zone.resourceGroupName}/providers/Microsoft.Network/dnszones/${zone.name}`;
    const domain = new cdn.AFDCustomDomain(`${name}-domain`, {
        ...scoped,
        customDomainName: args.customDomain.replace(/\./g, "-"),
        hostName: args.customDomain,
        azureDnsZone: relative !== undefined && zoneId ? { id: zoneId } : undefined,
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

    // learn.microsoft.com/azure/frontdoor/front-door-rules-engine: a rule set implements security headers such as HSTS;
    // a rule without conditions applies to every request, and takes up to five actions.
    const ruleSet = new cdn.RuleSet(`${name}-rules`, { ...scoped, ruleSetName: "responseheaders" }, opts);
    const headerRule = new cdn.Rule(`${name}-security-headers`, {
        ...scoped,
        ruleSetName: ruleSet.name,
        ruleName: "securityheaders",
        order: 1,
        actions: args.responseHeaders.map((header) => ({
            name: "ModifyResponseHeader" as const,
            parameters: { typeName: "DeliveryRuleHeaderActionParameters" as const, headerAction: cdn.HeaderAction.Overwrite, headerName: header.name, value: header.value },
        })),
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
        ruleSets: [{ id: ruleSet.id }],
        enabledState: cdn.EnabledState.Enabled,
    }, { parent, dependsOn: [origin, headerRule] });

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
            rules: [...denyRules(args.denyList), {
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

    if (zone && relative !== undefined) {
        declareDomainRecords(name, { zone, relative, endpoint, domain }, parent);
    }
    return { endpoint, domain, route };
}

/**
 * Validation and renewal without anyone at a DNS console (learn.microsoft.com/azure/frontdoor/domain): the TXT record
 * `_dnsauth.<name>` with the value Front Door issues validates the domain, and "If you have a CNAME record already
 * pointing to the Azure Front Door endpoint, no action is required for certificate renewal" (state "Pending
 * re-validation"). Both records are written through ARM, in the zone's subscription.
 */
function declareDomainRecords(name: string, args: { zone: PublicDnsZone; relative: string; endpoint: cdn.AFDEndpoint; domain: cdn.AFDCustomDomain }, parent: pulumi.Resource): void {
    const { zone, relative } = args;
    const opts = { parent, provider: zone.provider };
    const inZone = { zoneName: zone.name, resourceGroupName: zone.resourceGroupName, ttl: 3600 };
    new dns.RecordSet(`${name}-dnsauth`, {
        ...inZone,
        relativeRecordSetName: `_dnsauth.${relative}`,
        recordType: "TXT",
        txtRecords: [{ value: [args.domain.validationProperties.apply((p) => p.validationToken ?? "")] }],
    }, opts);
    new dns.RecordSet(`${name}-cname`, {
        ...inZone,
        relativeRecordSetName: relative,
        recordType: "CNAME",
        cnameRecord: { cname: args.endpoint.hostName },
    }, opts);
}
