import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { pemToBase64Der } from "../shared/pem";
import { standardPublicIp } from "../shared/publicIp";
import { keyVaultReader } from "../shared/keyVaultReader";
import type { ResponseHeader } from "./securityHeaders";

export interface AppGatewayArgs {
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    zones: string[];
    /** The public name clients call, e.g. `api.dev.platform.example.com`. */
    hostName: string;
    /**
     * The platform Key Vault and the name of the certificate the team imported for the listener. Until it is named
     * (the vault is new on the first run), everything but the gateway itself is declared: "If your Application
     * Gateway is unable to fetch the certificate, the associated HTTPS listeners will be placed in a disabled state"
     * (learn.microsoft.com/azure/application-gateway/application-gateway-key-vault-common-errors).
     */
    keyVault: { id: pulumi.Input<string>; uri: pulumi.Input<string | undefined>; certificateSecretName?: string };
    /** The ingress gateway's name (private DNS) and the private root its certificate chains to. */
    backendHostName: string;
    privateCaRootPem: pulumi.Input<string>;
    capacity: { min: number; max: number };
    /** Client ranges the WAF blocks before anything else (`gateway.denyList`). */
    denyList: string[];
    /** Set on every response the listener serves (HSTS and the security headers). */
    responseHeaders: ResponseHeader[];
    tags: Record<string, string>;
}

/** The strict predefined policy: TLS 1.2+ with the four ECDHE-GCM suites only. */
const APPGW_SSL_POLICY = { policyType: network.ApplicationGatewaySslPolicyType.Predefined, policyName: network.ApplicationGatewaySslPolicyName.AppGwSslPolicy20220101S };

/**
 * The regional edge (seed 002), instead of Front Door: Application Gateway WAF_v2 with a Prevention WAF policy,
 * an SNI HTTPS listener with a Key Vault certificate, HTTP only to redirect, and HTTPS to the mesh ingress gateway
 * validated against the private CA.
 */
export function declareAppGateway(name: string, args: AppGatewayArgs, parent: pulumi.Resource) {
    const { resourceGroupName, location, tags } = args;
    const opts = { parent };
    const gatewayName = `agw-${args.namePrefix}`;
    // Sub-resources refer to each other by id inside the gateway's own ARM id; built from names known at preview,
    // so the TLS policy can check listeners and rules before anything exists.
    const part = (kind: string, partName: string) =>
        ({ id: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/applicationGateways/${gatewayName}/${kind}/${partName}` });

    // The gateway reads its certificate from Key Vault on create: the grant must exist first.
    const { identity, grant: readCertificate } = keyVaultReader(name, {
        namePrefix: args.namePrefix,
        reader: "appgw",
        resourceGroupName,
        location,
        keyVaultId: args.keyVault.id,
        subscriptionId: args.subscriptionId,
        tags,
    }, opts);

    const publicIp = standardPublicIp(`${name}-pip`, { publicIpAddressName: `pip-${args.namePrefix}-appgw`, resourceGroupName, location, zones: args.zones, tags }, opts);

    const wafName = `wafagw${args.namePrefix.replace(/[^a-zA-Z0-9]/g, "")}`;
    const waf = new network.WebApplicationFirewallPolicy(`${name}-waf`, {
        policyName: wafName,
        resourceGroupName,
        location,
        policySettings: { state: network.WebApplicationFirewallEnabledState.Enabled, mode: network.WebApplicationFirewallMode.Prevention, requestBodyCheck: true },
        managedRules: {
            managedRuleSets: [
                { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" },
                { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
            ],
        },
        // The deny list first: custom rules run before the managed rules, lowest priority first
        // (learn.microsoft.com/azure/web-application-firewall/ag/custom-waf-rules-overview). RemoteAddr is the client
        // the gateway's TCP connection comes from.
        ...(args.denyList.length === 0 ? {} : {
            customRules: [{
                name: "DenyList",
                priority: 10,
                ruleType: network.WebApplicationFirewallRuleType.MatchRule,
                matchConditions: [{ matchVariables: [{ variableName: network.WebApplicationFirewallMatchVariable.RemoteAddr }], operator: network.WebApplicationFirewallOperator.IPMatch, matchValues: args.denyList }],
                action: network.WebApplicationFirewallAction.Block,
                state: network.WebApplicationFirewallState.Enabled,
            }],
        }),
        tags,
    }, opts);

    const certificateSecretName = args.keyVault.certificateSecretName;
    if (certificateSecretName === undefined) {
        return { gateway: undefined, publicIp };
    }
    const gateway = new network.ApplicationGateway(name, {
        applicationGatewayName: gatewayName,
        resourceGroupName,
        location,
        zones: args.zones,
        sku: { name: network.ApplicationGatewaySkuName.WAF_v2, tier: network.ApplicationGatewayTier.WAF_v2 },
        autoscaleConfiguration: { minCapacity: args.capacity.min, maxCapacity: args.capacity.max },
        identity: { type: network.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
        // By its known id (and a dependency), so policies see the WAF binding at preview.
        firewallPolicy: { id: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/${wafName}` },
        enableHttp2: true,
        sslPolicy: APPGW_SSL_POLICY,
        gatewayIPConfigurations: [{ name: "gateway-ip", subnet: { id: args.subnetId } }],
        frontendIPConfigurations: [{ name: "public", publicIPAddress: { id: publicIp.id } }],
        frontendPorts: [{ name: "https", port: 443 }, { name: "http", port: 80 }],
        sslCertificates: [{ name: "api", keyVaultSecretId: pulumi.interpolate`${args.keyVault.uri}secrets/${certificateSecretName}` }],
        trustedRootCertificates: [{ name: "platform-root", data: pulumi.output(args.privateCaRootPem).apply(pemToBase64Der) }],
        httpListeners: [
            {
                name: "https",
                protocol: network.ApplicationGatewayProtocol.Https,
                hostName: args.hostName,
                requireServerNameIndication: true,
                frontendIPConfiguration: part("frontendIPConfigurations", "public"),
                frontendPort: part("frontendPorts", "https"),
                sslCertificate: part("sslCertificates", "api"),
            },
            {
                name: "http",
                protocol: network.ApplicationGatewayProtocol.Http,
                hostName: args.hostName,
                frontendIPConfiguration: part("frontendIPConfigurations", "public"),
                frontendPort: part("frontendPorts", "http"),
            },
        ],
        redirectConfigurations: [{
            name: "http-to-https",
            redirectType: network.ApplicationGatewayRedirectType.Permanent,
            targetListener: part("httpListeners", "https"),
            includePath: true,
            includeQueryString: true,
        }],
        backendAddressPools: [{ name: "ingress", backendAddresses: [{ fqdn: args.backendHostName }] }],
        probes: [{
            name: "ingress",
            protocol: network.ApplicationGatewayProtocol.Https,
            host: args.backendHostName,
            path: "/",
            interval: 30,
            timeout: 30,
            unhealthyThreshold: 3,
            // The gateway answers unknown paths with 404: reachable and TLS-valid is healthy.
            match: { statusCodes: ["200-499"] },
        }],
        // No client certificate to the ingress gateway: Application Gateway v2's backend settings (API 2024-05-01, the
        // version azure-native 3.28.0 sends) take trusted roots but no client certificate; backend mutual TLS exists
        // only in Application Gateway for Containers (BackendTLSPolicy). The NSGs and the mesh's token check stand in.
        backendHttpSettingsCollection: [{
            name: "ingress-https",
            protocol: network.ApplicationGatewayProtocol.Https,
            port: 443,
            hostName: args.backendHostName,
            pickHostNameFromBackendAddress: false,
            cookieBasedAffinity: network.ApplicationGatewayCookieBasedAffinity.Disabled,
            requestTimeout: 30,
            probe: part("probes", "ingress"),
            trustedRootCertificates: [part("trustedRootCertificates", "platform-root")],
        }],
        // learn.microsoft.com/azure/application-gateway/rewrite-http-headers-url: security headers such as HSTS on the
        // responses; X-Forwarded-For carries "IP:port" entries, which add_x_forwarded_for_proxy replaces by the client's
        // address alone, appended to what the client sent: the mesh gateway trusts that one last hop (numTrustedProxies).
        rewriteRuleSets: [{
            name: "edge",
            rewriteRules: [{
                name: "headers",
                ruleSequence: 100,
                actionSet: {
                    requestHeaderConfigurations: [{ headerName: "X-Forwarded-For", headerValue: "{var_add_x_forwarded_for_proxy}" }],
                    responseHeaderConfigurations: args.responseHeaders.map((header) => ({ headerName: header.name, headerValue: header.value })),
                },
            }],
        }],
        requestRoutingRules: [
            {
                name: "api",
                priority: 100,
                ruleType: network.ApplicationGatewayRequestRoutingRuleType.Basic,
                httpListener: part("httpListeners", "https"),
                backendAddressPool: part("backendAddressPools", "ingress"),
                backendHttpSettings: part("backendHttpSettingsCollection", "ingress-https"),
                rewriteRuleSet: part("rewriteRuleSets", "edge"),
            },
            {
                name: "redirect-http",
                priority: 200,
                ruleType: network.ApplicationGatewayRequestRoutingRuleType.Basic,
                httpListener: part("httpListeners", "http"),
                redirectConfiguration: part("redirectConfigurations", "http-to-https"),
            },
        ],
        tags,
    }, { parent, dependsOn: [readCertificate, waf] });

    return { gateway, publicIp };
}
