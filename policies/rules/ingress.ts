/**
 * Kubernetes ingress: Ingress objects in every API version and Gateway API gateways, listener sets and routes.
 * Gateway API listeners of every protocol: HTTPS and TLS terminate with a certificate or pass TLS through, HTTP only
 * redirects to HTTPS, TCP and UDP carry plaintext. Gateway API has no portable minimum TLS version (a listener's
 * tls.options are the implementation's): the implementation's defaults apply (Istio's: the mesh's tlsDefaults,
 * which istiod-mesh-tls judges).
 */
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IGRPCRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IListener } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Listener";
import type { IListenerSet } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ListenerSet";
import type { IParentReference } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ParentReference";
import type { IngressArgs } from "@pulumi/kubernetes/networking/v1";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { MCSB } from "./common";
import { kubernetes, ofKind, refuseBlindPreview, validate } from "./kinds";

const INGRESSES = [kubernetes<Unwrap<IngressArgs>>("networking.k8s.io", "Ingress", ["v1", "v1beta1"]), kubernetes<Unwrap<IngressArgs>>("extensions", "Ingress", ["v1beta1"])];
const GATEWAY = kubernetes<IGateway>("gateway.networking.k8s.io", "Gateway", ["v1", "v1beta1"]);
// Listener sets (GEP-1713), standard in v1 and experimental as XListenerSet before.
const LISTENER_SETS = [kubernetes<IListenerSet>("gateway.networking.k8s.io", "ListenerSet", ["v1"]), kubernetes<IListenerSet>("gateway.networking.x-k8s.io", "XListenerSet", ["v1alpha1"])];
const HTTP_ROUTE = kubernetes<IHTTPRoute>("gateway.networking.k8s.io", "HTTPRoute", ["v1", "v1beta1"]);
const GRPC_ROUTE = kubernetes<IGRPCRoute>("gateway.networking.k8s.io", "GRPCRoute", ["v1"]);

/** Whether a TLS host list entry covers `host` (an exact name, or a wildcard for one leading label). */
function covers(pattern: string, host: string): boolean {
    return pattern === host || (pattern.startsWith("*.") && host.split(".").slice(1).join(".") === pattern.slice(2));
}

export const ingressTls: ResourceValidationPolicy = {
    name: "ingress-tls",
    description: "Kubernetes Ingress objects terminate TLS (spec.tls) for every host they route.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Add spec.tls with every rule's host and a certificate secret (cert-manager can issue it).",
    validateResource: validate(INGRESSES, (ingress, report) => {
        const tls = Array.isArray(ingress.spec?.tls) ? ingress.spec.tls : [];
        if (tls.length === 0) {
            report("spec.tls is empty; the Ingress would serve plain HTTP.");
            return;
        }
        // A TLS entry without hosts takes the controller's wildcard host (IngressTLS.hosts), so it covers every rule.
        if (tls.some((t) => !t.hosts?.length)) {
            return;
        }
        const hosts = tls.flatMap((t) => t.hosts ?? []);
        (ingress.spec?.rules ?? []).forEach((rule, i) => {
            if (!rule.host || !hosts.some((pattern) => covers(pattern, rule.host!))) {
                report(`spec.rules[${i}] (host ${JSON.stringify(rule.host ?? "any")}) is in no spec.tls entry; it is served over plain HTTP.`);
            }
        });
    }),
};

function checkListener(path: string, listener: Pick<IListener, "protocol" | "tls">, report: (message: string) => void): void {
    const protocol = String(listener.protocol ?? "").toUpperCase();
    if (protocol === "HTTP") {
        return; // gateway-api-http-redirect: whether its routes only redirect is a question of the stack.
    }
    if (protocol === "HTTPS" || protocol === "TLS") {
        // Terminate is the default mode (ListenerTLSConfig.mode); it needs the certificate it presents.
        if ((listener.tls?.mode ?? "Terminate") === "Terminate" && !listener.tls?.certificateRefs?.length) {
            report(`${path}.tls has no certificateRefs; a ${protocol} listener that terminates TLS needs its certificate.`);
        }
        return;
    }
    report(`${path} is ${JSON.stringify(listener.protocol)}: plaintext; use HTTPS, or TLS (mode Passthrough if the backend terminates it).`);
}

export const gatewayApiListenerTls: ResourceValidationPolicy = {
    name: "gateway-api-listener-tls",
    description: "Gateway API listeners (on gateways and listener sets) terminate TLS with a certificate or pass it through; none carries TCP or UDP in plaintext.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use HTTPS or TLS listeners with tls.certificateRefs (or TLS with mode Passthrough); HTTP listeners only for redirecting routes.",
    validateResource: [
        validate(GATEWAY, (gateway, report) => (gateway.spec?.listeners ?? []).forEach((l, i) => checkListener(`spec.listeners[${i}] ("${l.name}")`, l, report))),
        validate(LISTENER_SETS, (set, report) => (set.spec?.listeners ?? []).forEach((l, i) => checkListener(`spec.listeners[${i}] ("${l.name}")`, l, report))),
    ],
};

type Parent = { kind: string; name: string; namespace: string; listener: Pick<IListener, "name" | "port"> };

/** Whether a route's parent reference attaches it to this listener (ParentReference: kind Gateway by default, the route's namespace by default, any section and port unless named). */
function attaches(ref: IParentReference, routeNamespace: string, parent: Parent): boolean {
    return (ref.kind ?? "Gateway") === parent.kind && ref.name === parent.name && (ref.namespace ?? routeNamespace) === parent.namespace
        && (ref.sectionName === undefined || ref.sectionName === parent.listener.name) && (ref.port === undefined || ref.port === parent.listener.port);
}

/** A route whose every rule redirects to https (an HTTPRoute RequestRedirect filter with scheme https). */
function redirectsToHttps(route: IHTTPRoute): boolean {
    const rules = route.spec?.rules ?? [];
    return rules.length > 0 && rules.every((rule) => (rule.filters ?? []).some((f) => f.type === "RequestRedirect" && f.requestRedirect?.scheme === "https"));
}

type Named = { metadata?: { name?: string; namespace?: string } };
const namespaceOf = (r: PolicyResource) => String((r.props as Named).metadata?.namespace ?? "default");
const objectName = (r: PolicyResource) => String((r.props as Named).metadata?.name ?? r.name);

export const gatewayApiHttpRedirect: StackValidationPolicy = {
    name: "gateway-api-http-redirect",
    description: "A Gateway API HTTP listener only redirects to HTTPS: the HTTPRoutes on it redirect every request (scheme https), and no GRPCRoute is on it.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Attach to the HTTP listener (parentRefs sectionName) only an HTTPRoute whose rules have a RequestRedirect filter with scheme: https; give other routes the HTTPS listener's sectionName.",
    validateStack: (args, report) => {
        const gateways = ofKind(args.resources, GATEWAY, ...LISTENER_SETS);
        const routes = ofKind(args.resources, HTTP_ROUTE, GRPC_ROUTE);
        if (gateways.length === 0) {
            return;
        }
        refuseBlindPreview([...gateways, ...routes], "the Gateway API listeners' routes cannot be verified");
        for (const gateway of gateways) {
            const kind = GATEWAY.matches(gateway.type) ? "Gateway" : "ListenerSet";
            const listeners = ((gateway.props as IGateway | IListenerSet).spec?.listeners ?? []) as IListener[];
            for (const listener of listeners.filter((l) => String(l.protocol).toUpperCase() === "HTTP")) {
                const parent: Parent = { kind, name: objectName(gateway), namespace: namespaceOf(gateway), listener };
                const attached = routes.filter((r) => ((r.props as IHTTPRoute).spec?.parentRefs ?? []).some((ref) => attaches(ref, namespaceOf(r), parent)));
                const plaintext = attached.filter((r) => GRPC_ROUTE.matches(r.type) || !redirectsToHttps(r.props as IHTTPRoute));
                if (attached.length === 0 || plaintext.length > 0) {
                    const why = attached.length === 0 ? "no HTTPRoute in this stack redirects it to HTTPS" : `${plaintext.map(objectName).join(", ")} serve${plaintext.length === 1 ? "s" : ""} plain HTTP on it`;
                    report(`${kind} "${parent.name}" listener "${listener.name}" is HTTP and ${why}.`, gateway.urn);
                }
            }
        }
    },
};

export const ingressPolicies = [ingressTls, gatewayApiListenerTls, gatewayApiHttpRedirect];
