/**
 * API security a policy can see across a stack's resources: the edge's client certificate at the mesh's listener
 * for it, HSTS at the edge that terminates the client's TLS, and tokens checked in the mesh behind an edge that
 * checks none (Application Gateway). Kinds by their type tokens in every API version (kinds.ts).
 */
import type { BackendArgs, WorkspaceBackendArgs } from "@pulumi/azure-native/apimanagement";
import type { RouteArgs, RuleArgs, RuleSetArgs } from "@pulumi/azure-native/cdn";
import type { ApplicationGatewayArgs } from "@pulumi/azure-native/network";
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway";
import type { IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import type { IRequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication";
import type { ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { MCSB, MCSB_IDENTITY } from "./common";
import { chartName } from "./istio";
import { azureNative, kubernetes, ofKind, refuseBlindPreview, validate } from "./kinds";

const APIM_BACKENDS = [azureNative<BackendArgs>("azure-native:apimanagement:Backend"), azureNative<WorkspaceBackendArgs>("azure-native:apimanagement:WorkspaceBackend")];
const AFD_ROUTE = azureNative<RouteArgs>("azure-native:cdn:Route");
const AFD_RULE_SET = azureNative<RuleSetArgs>("azure-native:cdn:RuleSet");
const AFD_RULE = azureNative<RuleArgs>("azure-native:cdn:Rule");
const APP_GATEWAY = azureNative<ApplicationGatewayArgs>("azure-native:network:ApplicationGateway");
const ISTIO_GATEWAY = kubernetes<IGateway>("networking.istio.io", "Gateway", ["v1", "v1beta1", "v1alpha3"]);
const REQUEST_AUTHENTICATION = kubernetes<IRequestAuthentication>("security.istio.io", "RequestAuthentication", ["v1", "v1beta1"]);
const AUTHORIZATION_POLICY = kubernetes<IAuthorizationPolicy>("security.istio.io", "AuthorizationPolicy", ["v1", "v1beta1"]);
const KYVERNO_POLICIES = [kubernetes<unknown>("kyverno.io", "ClusterPolicy", ["v1"]), kubernetes<unknown>("kyverno.io", "Policy", ["v1"])];
const HELM = [kubernetes<Unwrap<ReleaseArgs>>("helm.sh", "Release", ["v3"]), kubernetes<unknown>("helm.sh", "Chart", ["v3", "v4"])];

type GatewayServer = NonNullable<NonNullable<IGateway["spec"]>["servers"]>[number];

/**
 * Whether an Istio server's host entry serves `host` (istio.io reference/config/networking/gateway, Server.hosts:
 * an optional `namespace/` prefix, `*` for every host, a leading `*.` for a suffix).
 */
function serves(entry: string, host: string): boolean {
    const name = entry.includes("/") ? entry.slice(entry.indexOf("/") + 1) : entry;
    return name === "*" || name === host || (name.startsWith("*.") && host.endsWith(name.slice(1)));
}

/** Servers that terminate TLS (HTTPS, or TLS not passed through), as istio-gateway-tls judges them. */
function terminatesTls(server: GatewayServer): boolean {
    const protocol = String(server.port?.protocol ?? "").toUpperCase();
    const mode = server.tls?.mode;
    return (protocol === "HTTPS" || protocol === "TLS") && mode !== "PASSTHROUGH" && mode !== "AUTO_PASSTHROUGH";
}

export const edgeListenerMutualTls: StackValidationPolicy = {
    name: "edge-listener-mutual-tls",
    description: "The Istio Gateway listener an API Management backend calls requires that backend's client certificate (MUTUAL) and accepts one identity only; the backend presents it.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Give the server tls.mode MUTUAL with the CA (caCertCredentialName or the credential's ca.crt) and subjectAltNames or verifyCertificateSpki; give the Backend credentials.certificateIds.",
    validateStack: (args, report) => {
        const backends = ofKind(args.resources, ...APIM_BACKENDS);
        if (backends.length === 0) {
            return;
        }
        refuseBlindPreview(args.resources, "the edge listener's client authentication cannot be verified");
        const gateways = ofKind(args.resources, ISTIO_GATEWAY);
        for (const backend of backends) {
            const props = backend.props as Unwrap<BackendArgs>;
            const host = /^https:\/\/([^/:]+)/.exec(String(props.url ?? ""))?.[1];
            if (host === undefined) {
                continue;
            }
            let listening = false;
            for (const gateway of gateways) {
                ((gateway.props as IGateway).spec?.servers ?? []).forEach((server, i) => {
                    if (!terminatesTls(server) || !(server.hosts ?? []).some((entry) => serves(entry, host))) {
                        return;
                    }
                    listening = true;
                    const tls = server.tls ?? {};
                    if (tls.mode !== "MUTUAL") {
                        report(`spec.servers[${i}] serves ${host}, which API Management backend "${backend.name}" calls, with tls.mode ${JSON.stringify(tls.mode)}; require its client certificate (MUTUAL).`, gateway.urn);
                    } else if ([tls.subjectAltNames, tls.verifyCertificateSpki, tls.verifyCertificateHash].every((pins) => (pins ?? []).length === 0)) {
                        report(`spec.servers[${i}] requires a client certificate for ${host} but accepts any its CA issued; name the edge's (subjectAltNames, verifyCertificateSpki or verifyCertificateHash).`, gateway.urn);
                    }
                });
            }
            const credentials = props.credentials;
            if (listening && (credentials?.certificateIds ?? []).length === 0 && (credentials?.certificate ?? []).length === 0) {
                report(`backend "${backend.name}" calls ${host}, an Istio Gateway listener of this stack, without a client certificate; set credentials.certificateIds.`, backend.urn);
            }
        }
    },
};

/** A Strict-Transport-Security value that keeps HSTS on: a max-age above zero (RFC 6797 section 6.1.1; max-age=0 ends it). */
function keepsHsts(value: unknown): boolean {
    const maxAge = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(String(value ?? ""));
    return maxAge !== null && Number(maxAge[1]) > 0;
}

const isHsts = (name: unknown) => String(name ?? "").toLowerCase() === "strict-transport-security";

type FrontDoorRule = Unwrap<RuleArgs>;

/** A rule set's rule that sets HSTS on every response: no conditions, a ModifyResponseHeader that writes it. */
function setsHstsAlways(rule: FrontDoorRule): boolean {
    return (rule.conditions ?? []).length === 0 && (rule.actions ?? []).some((action) => {
        if (action.name !== "ModifyResponseHeader") {
            return false;
        }
        const parameters = action.parameters as { headerAction?: string; headerName?: string; value?: string };
        return (parameters.headerAction === "Overwrite" || parameters.headerAction === "Append") && isHsts(parameters.headerName) && keepsHsts(parameters.value);
    });
}

export const frontDoorHsts: StackValidationPolicy = {
    name: "frontdoor-hsts",
    description: "Every Front Door route sends Strict-Transport-Security with a positive max-age on every response, through a rule set.",
    severity: "medium",
    framework: MCSB,
    remediationSteps: "Associate a rule set whose rule, without conditions, overwrites Strict-Transport-Security with max-age=<seconds> (learn.microsoft.com/azure/frontdoor/front-door-rules-engine).",
    validateStack: (args, report) => {
        const ruleSets = ofKind(args.resources, AFD_RULE_SET);
        const rules = ofKind(args.resources, AFD_RULE);
        for (const route of ofKind(args.resources, AFD_ROUTE)) {
            // In a preview the route names its rule sets by dependency (their ids are unknown, and reading one fails);
            // a deployed stack's export, by id.
            const byDependency = ruleSets.filter((set) => route.dependencies.some((d) => d.urn === set.urn));
            const ids = () => ((route.props as Unwrap<RouteArgs>).ruleSets ?? []).map((r) => String(r.id ?? "").toLowerCase());
            const attached = byDependency.length > 0 ? byDependency : ruleSets.filter((set) => ids().includes(String(set.props["id"] ?? "").toLowerCase()));
            const hsts = attached.some((set) => rules.some((rule) => {
                const props = rule.props as FrontDoorRule;
                const inSet = rule.dependencies.some((d) => d.urn === set.urn) || (props.ruleSetName === set.props["name"] && props.profileName === set.props["profileName"]);
                return inSet && setsHstsAlways(props);
            }));
            if (!hsts) {
                report(`route "${route.name}" sends no Strict-Transport-Security on every response; associate a rule set with a rule that sets it, without conditions.`, route.urn);
            }
        }
    },
};

const tail = (id: unknown, kind: string) => new RegExp(`/${kind}/([^/]+)$`).exec(String(id ?? ""))?.[1];

export const appGatewayHsts: ResourceValidationPolicy = {
    name: "appgateway-hsts",
    description: "Every Application Gateway rule on an HTTPS listener rewrites its responses to carry Strict-Transport-Security with a positive max-age.",
    severity: "medium",
    framework: MCSB,
    remediationSteps: "Give each such rule (or its URL path map's rules) a rewriteRuleSet whose rule, without conditions, sets the response header Strict-Transport-Security to max-age=<seconds> (learn.microsoft.com/azure/application-gateway/rewrite-http-headers-url).",
    validateResource: validate(APP_GATEWAY, (gateway, report) => {
        const https = new Set((gateway.httpListeners ?? []).filter((l) => l.protocol === "Https").map((l) => l.name));
        const hstsSets = new Set((gateway.rewriteRuleSets ?? [])
            .filter((set) => (set.rewriteRules ?? []).some((rule) => (rule.conditions ?? []).length === 0
                && (rule.actionSet?.responseHeaderConfigurations ?? []).some((h) => isHsts(h.headerName) && keepsHsts(h.headerValue))))
            .map((set) => set.name));
        (gateway.requestRoutingRules ?? []).forEach((rule, i) => {
            if (rule.redirectConfiguration || !https.has(tail(rule.httpListener?.id, "httpListeners"))) {
                return;
            }
            const pathMap = (gateway.urlPathMaps ?? []).find((m) => m.name === tail(rule.urlPathMap?.id, "urlPathMaps"));
            const sets = pathMap
                ? [pathMap.defaultRewriteRuleSet?.id, ...(pathMap.pathRules ?? []).map((p) => p.rewriteRuleSet?.id)]
                : [rule.rewriteRuleSet?.id];
            if (sets.some((id) => !hstsSets.has(tail(id, "rewriteRuleSets")))) {
                report(`requestRoutingRules[${i}] ("${rule.name}") serves HTTPS without a rewrite set that adds Strict-Transport-Security (max-age > 0) to every response.`);
            }
        });
    }),
};

/** What a stack's mesh declares of a kind: the objects themselves, and the data of Kyverno generate rules for that kind. */
function declaredOrGenerated(resources: readonly PolicyResource[], kind: typeof REQUEST_AUTHENTICATION | typeof AUTHORIZATION_POLICY, name: string): Record<string, any>[] {
    const declared = ofKind(resources, kind).map((r) => r.props);
    const generated = ofKind(resources, ...KYVERNO_POLICIES).flatMap((r) => ((r.props["spec"]?.rules ?? []) as Record<string, any>[]))
        .filter((rule) => rule["generate"]?.kind === name).map((rule) => rule["generate"].data ?? {});
    return [...declared, ...generated];
}

export const appGatewayMeshTokens: StackValidationPolicy = {
    name: "appgateway-mesh-tokens",
    description: "Behind Application Gateway, which validates no token, the mesh does: a RequestAuthentication with an issuer and an AuthorizationPolicy that requires a request principal.",
    severity: "high",
    framework: MCSB_IDENTITY,
    remediationSteps: "Declare (or generate, e.g. with Kyverno, in every application namespace) a RequestAuthentication with jwtRules and an ALLOW AuthorizationPolicy whose rules require source.requestPrincipals.",
    validateStack: (args, report) => {
        const gateways = ofKind(args.resources, APP_GATEWAY);
        const mesh = ofKind(args.resources, ...HELM).some((r) => chartName(r.props) === "istiod");
        if (gateways.length === 0 || !mesh) {
            return;
        }
        refuseBlindPreview(args.resources, "the mesh's token checks cannot be verified");
        const authenticates = declaredOrGenerated(args.resources, REQUEST_AUTHENTICATION, "RequestAuthentication")
            .some((r) => ((r as IRequestAuthentication).spec?.jwtRules ?? []).some((rule) => Boolean(rule.issuer)));
        const requires = declaredOrGenerated(args.resources, AUTHORIZATION_POLICY, "AuthorizationPolicy").some((p) => {
            const spec = (p as IAuthorizationPolicy).spec ?? {};
            return (spec.action ?? "ALLOW") === "ALLOW" && (spec.rules ?? []).some((rule) => (rule.from ?? []).some((f) => (f.source?.requestPrincipals ?? []).length > 0));
        });
        for (const gateway of gateways) {
            if (!authenticates) {
                report(`Application Gateway "${gateway.name}" forwards requests no token check has seen: the mesh declares no RequestAuthentication with an issuer.`, gateway.urn);
            }
            if (!requires) {
                report(`Application Gateway "${gateway.name}" forwards requests to a mesh whose AuthorizationPolicies require no request principal (a request without a token passes).`, gateway.urn);
            }
        }
    },
};

export const apiSecurityTlsPolicies = [edgeListenerMutualTls, frontDoorHsts, appGatewayHsts];
export const apiSecurityBaselinePolicies = [appGatewayMeshTokens];
