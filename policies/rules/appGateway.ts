/** Application Gateway: TLS policies, listeners of every protocol (HTTP and the TCP/TLS proxy), backends, WAF. */
import type { ApplicationGatewayArgs } from "@pulumi/azure-native/network";
import * as network from "@pulumi/azure-native/types/enums/network";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { equalsIgnoreCase, isOneOf, MCSB } from "./common";
import { azureNative, olderApiThan, validate } from "./kinds";

const APPLICATION_GATEWAY = azureNative<ApplicationGatewayArgs>("azure-native:network:ApplicationGateway");

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

/**
 * With no policy the API version's default applies: AppGwSslPolicy20150501 (TLS 1.0) before 2023-02-01,
 * AppGwSslPolicy20220101 (TLS 1.2 with CBC suites) from then (application-gateway-ssl-policy-overview).
 */
function defaultPolicyName(type: string): network.ApplicationGatewaySslPolicyName {
    return olderApiThan(type, "2023-02-01") ? network.ApplicationGatewaySslPolicyName.AppGwSslPolicy20150501 : network.ApplicationGatewaySslPolicyName.AppGwSslPolicy20220101;
}

function checkAppGatewaySslPolicy(path: string, policy: AppGatewaySslPolicy | undefined, type: string, report: (message: string) => void): void {
    if (!policy) {
        report(`${path} is absent, so ${defaultPolicyName(type)} applies; set Predefined ${APPGW_STRICT_PREDEFINED} or a Custom policy.`);
        return;
    }
    if (equalsIgnoreCase(policy.policyType, network.ApplicationGatewaySslPolicyType.Predefined)) {
        if (policy.policyName !== APPGW_STRICT_PREDEFINED) {
            report(`${path}.policyName is ${JSON.stringify(policy.policyName)}; allowed: ${APPGW_STRICT_PREDEFINED}.`);
        }
        return;
    }
    if (equalsIgnoreCase(policy.policyType, network.ApplicationGatewaySslPolicyType.Custom) || equalsIgnoreCase(policy.policyType, network.ApplicationGatewaySslPolicyType.CustomV2)) {
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

/** The name an ARM sub-resource id gives in `collection` (.../redirectConfigurations/<name>). */
function subResourceName(id: unknown, collection: string): string | undefined {
    return new RegExp(`/${collection}/([^/]+)$`, "i").exec(String(id ?? ""))?.[1];
}

export const appGatewayTls: ResourceValidationPolicy = {
    name: "appgateway-tls",
    description: "Application Gateway: strict TLS policy on the gateway and every SSL profile, HTTPS and TLS listeners (HTTP only to redirect to HTTPS), HTTPS and TLS to backends, WAF_v2 with a WAF policy.",
    severity: "high",
    framework: MCSB,
    remediationSteps: `Set sslPolicy to Predefined ${APPGW_STRICT_PREDEFINED} (and on every sslProfile), Https/Tls listeners and backend settings, a redirect to HTTPS for any Http listener, sku WAF_v2 and firewallPolicy.`,
    validateResource: validate(APPLICATION_GATEWAY, (gateway, report, args) => {
        checkAppGatewaySslPolicy("sslPolicy", gateway.sslPolicy, args.type, report);
        (gateway.sslProfiles ?? []).forEach((profile, i) => checkAppGatewaySslPolicy(`sslProfiles[${i}].sslPolicy`, profile.sslPolicy, args.type, report));
        const listeners = gateway.httpListeners ?? [];
        const httpsListener = (name: string | undefined) => listeners.some((l) => l.name === name && equalsIgnoreCase(l.protocol, network.ApplicationGatewayProtocol.Https));
        // A redirect secures an HTTP listener only if it sends the client to HTTPS: an Https listener or an https:// URL.
        const redirectsToHttps = (id: unknown) => {
            const redirect = (gateway.redirectConfigurations ?? []).find((r) => r.name !== undefined && r.name === subResourceName(id, "redirectConfigurations"));
            // A redirect this resource does not declare (by a name it does not hold) cannot be judged; trust its presence.
            if (!redirect) {
                return true;
            }
            return redirect.targetUrl !== undefined ? /^https:\/\//i.test(redirect.targetUrl) : httpsListener(subResourceName(redirect.targetListener?.id, "httpListeners"));
        };
        const rules = gateway.requestRoutingRules ?? [];
        listeners.forEach((listener, i) => {
            if (equalsIgnoreCase(listener.protocol, network.ApplicationGatewayProtocol.Https)) {
                return;
            }
            // An HTTP listener is fine only if every rule on it redirects to HTTPS.
            const onListener = rules.filter((r) => String(r.httpListener?.id ?? "").endsWith(`/httpListeners/${listener.name}`));
            if (onListener.length === 0 || onListener.some((r) => !r.redirectConfiguration || !redirectsToHttps(r.redirectConfiguration.id))) {
                report(`httpListeners[${i}] ("${listener.name}") is ${JSON.stringify(listener.protocol)} without a redirect to HTTPS on every rule.`);
            }
        });
        // The TCP/TLS proxy's listeners and backend settings: Tcp carries the bytes in the clear.
        (gateway.listeners ?? []).forEach((listener, i) => {
            if (!equalsIgnoreCase(listener.protocol, network.ApplicationGatewayProtocol.Tls)) {
                report(`listeners[${i}] ("${listener.name}") is ${JSON.stringify(listener.protocol)}; use Tls.`);
            }
        });
        (gateway.backendHttpSettingsCollection ?? []).forEach((settings, i) => {
            if (!equalsIgnoreCase(settings.protocol, network.ApplicationGatewayProtocol.Https)) {
                report(`backendHttpSettingsCollection[${i}].protocol is ${JSON.stringify(settings.protocol)}; use Https.`);
            }
        });
        (gateway.backendSettingsCollection ?? []).forEach((settings, i) => {
            if (!equalsIgnoreCase(settings.protocol, network.ApplicationGatewayProtocol.Tls)) {
                report(`backendSettingsCollection[${i}].protocol is ${JSON.stringify(settings.protocol)}; use Tls.`);
            }
        });
        if (!equalsIgnoreCase(gateway.sku?.tier, network.ApplicationGatewayTier.WAF_v2) || !gateway.firewallPolicy?.id) {
            report(`sku.tier is ${JSON.stringify(gateway.sku?.tier)} and firewallPolicy is ${JSON.stringify(gateway.firewallPolicy)}; use WAF_v2 with a WAF policy.`);
        }
    }),
};

export const appGatewayPolicies = [appGatewayTls];
