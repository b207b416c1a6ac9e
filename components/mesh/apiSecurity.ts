/**
 * API security in the mesh (issue 34): the ingress gateway's client-certificate check and response headers, its
 * local rate limits (when it is the first limit: the App Gateway edge), and what every application namespace gets:
 * token authentication and the platform's resilience defaults. Istio 1.30's resources, through the shared models.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { typedResource, type Models } from "../shared/customResources";
import { applicationNamespaceRule } from "../shared/applicationNamespaces";

/** Tokens the mesh requires on application routes (config `gateway.jwt`). */
export interface TokenSettings {
    issuer: string;
    audiences: string[];
    /** Claims a token must carry. */
    requiredClaims: string[];
    /** Claims a token must carry with one of the listed values. */
    claimValues: Record<string, string[]>;
    /** Paths served without a token (exact, or a prefix before a trailing `*`). */
    publicPaths: string[];
}

/** The edge's client identity the ingress gateway requires (API Management's certificate). */
export interface EdgeClient {
    /** The CA bundle the certificate chains to (the platform intermediate and root). */
    caChainPem: pulumi.Input<string>;
    /** The one DNS name the gateway accepts. */
    subjectAltName: string;
    /** base64 SHA-256 of the certificate's SubjectPublicKeyInfo: the one key the gateway accepts. */
    spkiSha256: pulumi.Input<string>;
}

/** A caller's budget: a sustained rate per minute, and how many calls at once. */
export interface CallBudget {
    perMinute: number;
    burst: number;
}

/** Envoy's local rate limits at the ingress gateway, and the proxies in front of it whose X-Forwarded-For it trusts. */
export interface GatewayRateLimits {
    perClientIp: CallBudget;
    perSubject: CallBudget;
    trustedProxies: number;
}

/**
 * Istio's convention for a Gateway's client CA: a Secret named after the server's credential with the `-cacert`
 * suffix, key `ca.crt` or `cacert` (istio 1.30.3 pilot/pkg/credentials/kube/secrets.go GetCaCert, ExtractRoot: this
 * Secret first, then the credential's own `ca.crt`). cert-manager's Secret would carry only the root; this bundle
 * carries the intermediate too, so a client that sends its leaf alone still verifies.
 */
export const caSecretName = (credentialName: string) => `${credentialName}-cacert`;

/** The client CA Secret the MUTUAL server reads, in the gateway's namespace. */
export function declareEdgeClientCa(name: string, namespace: string, credentialName: string, client: EdgeClient, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(name, {
        metadata: { name: caSecretName(credentialName), namespace },
        stringData: { "ca.crt": client.caChainPem },
    }, opts);
}

/**
 * The HTTPS server's client check (istio.io reference/config/networking/gateway, ServerTLSSettings): MUTUAL requires a
 * certificate chaining to `caCertCredentialName`'s bundle; `subjectAltNames` and `verifyCertificateSpki` narrow it to
 * one name and one key (Envoy's match_subject_alt_names and verify_certificate_spki, which istio 1.30.3 sets from them:
 * pilot/pkg/security/model/authentication.go ApplyCredentialSDSToServerCommonTLSContext). Anything else the CA issued,
 * cert-manager's certificates included, is refused. The key is pinned at deploy time: `SPKI_STAND_IN` only lets the
 * model validate the field's type.
 */
export function mutualTls(credentialName: string, client: EdgeClient) {
    return {
        mode: "MUTUAL" as const,
        caCertCredentialName: caSecretName(credentialName),
        subjectAltNames: [client.subjectAltName],
        verifyCertificateSpki: [SPKI_STAND_IN],
    };
}
export const SPKI_STAND_IN = "pinned at deploy time";

/**
 * Headers that say what runs behind the gateway, removed from every response it sends (the same list API Management's
 * global policy deletes). Envoy sets its own `server: istio-envoy` unless told to pass the upstream's through, which
 * the route then removes (envoyproxy.io HttpConnectionManager.server_header_transformation PASS_THROUGH;
 * RouteConfiguration.response_headers_to_remove).
 */
export const STRIPPED_RESPONSE_HEADERS = ["server", "x-powered-by", "x-aspnet-version", "x-envoy-upstream-service-time", "x-envoy-decorator-operation"];

const GATEWAY_SELECTOR = { istio: "ingressgateway" };

/** The gateway's EnvoyFilters: header stripping always, local rate limits when given (istio.io reference/config/networking/envoy-filter). */
export function declareGatewayFilters(name: string, models: Models, namespace: string, rateLimits: GatewayRateLimits | undefined, opts: pulumi.CustomResourceOptions): void {
    typedResource(`${name}-response-headers`, new models.EnvoyFilter({
        metadata: { name: "strip-response-headers", namespace },
        spec: {
            workloadSelector: { labels: GATEWAY_SELECTOR },
            configPatches: [
                {
                    applyTo: "NETWORK_FILTER",
                    match: { context: "GATEWAY", listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } },
                    patch: {
                        operation: "MERGE",
                        value: {
                            typed_config: {
                                "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                                server_header_transformation: "PASS_THROUGH",
                            },
                        },
                    },
                },
                {
                    applyTo: "ROUTE_CONFIGURATION",
                    match: { context: "GATEWAY" },
                    patch: { operation: "MERGE", value: { response_headers_to_remove: STRIPPED_RESPONSE_HEADERS } },
                },
            ],
        },
    }), opts);
    if (rateLimits) {
        typedResource(`${name}-local-rate-limit`, new models.EnvoyFilter({ metadata: { name: "local-rate-limit", namespace }, spec: localRateLimitSpec(rateLimits) }), opts);
    }
}

/**
 * A token bucket refilled every second (Envoy's fill_interval must be at least 50 ms): `burst` deep, refilled by a
 * second's share of the per-minute rate, rounded up (envoyproxy.io type.v3.TokenBucket).
 */
export function tokenBucket(budget: CallBudget) {
    return { max_tokens: budget.burst, tokens_per_fill: Math.ceil(budget.perMinute / 60), fill_interval: "1s" };
}

/** Envoy's dynamic metadata key under which istio's jwt_authn filter puts a valid token's payload (istio 1.30.3 pilot/pkg/xds/filters: "payload"). */
const JWT_PAYLOAD = { key: "envoy.filters.http.jwt_authn", path: [{ key: "payload" }, { key: "sub" }] };

/**
 * Envoy's local rate limit as Istio documents it (istio.io docs/tasks/policy-enforcement/rate-limit, "Local rate
 * limit"): the filter inserted before the router, its buckets per virtual host. One bucket per client address (the
 * address Envoy derives from X-Forwarded-For and the trusted hops) and one per token subject (the `sub` the gateway's
 * RequestAuthentication validated: a header a client could forge is never used). A descriptor entry without a value
 * matches every value and gets a bucket of its own (Envoy's wildcard descriptors, envoyproxy/envoy#36623), at most
 * `max_dynamic_descriptors` of them, least recently used evicted. Each Envoy counts alone: N gateway replicas let
 * through N times the budget.
 */
function localRateLimitSpec(limits: GatewayRateLimits) {
    const typedStruct = (value: Record<string, unknown>) => ({
        "@type": "type.googleapis.com/udpa.type.v1.TypedStruct",
        type_url: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        value: { stat_prefix: "http_local_rate_limiter", ...value },
    });
    const always = (key: string) => ({ runtime_key: key, default_value: { numerator: 100, denominator: "HUNDRED" } });
    return {
        workloadSelector: { labels: GATEWAY_SELECTOR },
        configPatches: [
            {
                applyTo: "HTTP_FILTER" as const,
                match: { context: "GATEWAY" as const, listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.router" } } } } },
                patch: { operation: "INSERT_BEFORE" as const, value: { name: "envoy.filters.http.local_ratelimit", typed_config: typedStruct({}) } },
            },
            {
                applyTo: "VIRTUAL_HOST" as const,
                match: { context: "GATEWAY" as const },
                patch: {
                    operation: "MERGE" as const,
                    value: {
                        // Each entry makes one descriptor; one whose action finds no value (no token) is skipped.
                        rate_limits: [
                            { actions: [{ remote_address: {} }] },
                            { actions: [{ metadata: { descriptor_key: "subject", metadata_key: JWT_PAYLOAD, source: "DYNAMIC" } }] },
                        ],
                        typed_per_filter_config: {
                            "envoy.filters.http.local_ratelimit": typedStruct({
                                // Requests no descriptor matches (none: every request has an address) share the per-address budget.
                                token_bucket: tokenBucket(limits.perClientIp),
                                always_consume_default_token_bucket: false,
                                // Buckets kept per address or subject, least recently used evicted (Envoy's default of 20 is "suitable for
                                // testing"); Envoy Gateway's default for the same wildcard descriptors (envoyproxy/gateway#5319).
                                max_dynamic_descriptors: 10000,
                                descriptors: [
                                    { entries: [{ key: "remote_address" }], token_bucket: tokenBucket(limits.perClientIp) },
                                    { entries: [{ key: "subject" }], token_bucket: tokenBucket(limits.perSubject) },
                                ],
                                filter_enabled: always("local_rate_limit_enabled"),
                                filter_enforced: always("local_rate_limit_enforced"),
                                response_headers_to_add: [{ append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-local-rate-limit", value: "true" } }],
                            }),
                        },
                    },
                },
            },
        ],
    };
}

/**
 * The gateway's ProxyConfig (istio.io docs/ops/configuration/traffic-management/network-topologies): with
 * `numTrustedProxies` hops in front, Envoy takes the client's address from that far into X-Forwarded-For.
 */
export function gatewayTopologyAnnotation(trustedProxies: number): Record<string, string> {
    return { "proxy.istio.io/config": JSON.stringify({ gatewayTopology: { numTrustedProxies: trustedProxies } }) };
}

/**
 * A RequestAuthentication's rule (istio.io reference/config/security/request_authentication): tokens from the issuer
 * for the audiences, the keys from the issuer's OpenID discovery (no jwksUri), the token kept for the application
 * (forwardOriginalToken: Istio removes it otherwise), and the value-checked claims split when space-delimited (Entra
 * ID's `scp`; Istio always splits `scope` and `permission`).
 */
export function jwtRule(tokens: TokenSettings) {
    const claims = Object.keys(tokens.claimValues);
    return { issuer: tokens.issuer, audiences: tokens.audiences, forwardOriginalToken: true, ...(claims.length > 0 ? { spaceDelimitedClaims: claims } : {}) };
}

/** The gateway's own RequestAuthentication: a bad token is refused at the first hop, and the subject limit reads a valid one. */
export function declareGatewayRequestAuthentication(name: string, models: Models, namespace: string, tokens: TokenSettings, opts: pulumi.CustomResourceOptions): void {
    typedResource(name, new models.RequestAuthentication({
        metadata: { name: "edge-tokens", namespace },
        spec: { selector: { matchLabels: GATEWAY_SELECTOR }, jwtRules: [jwtRule(tokens)] },
    }), opts);
}

/**
 * Connection limits, retry budget and outlier detection for every service of an application namespace, at Envoy's
 * documented defaults, which Istio replaces by effectively unlimited circuit breakers and no outlier detection:
 * 1024 connections, pending and active requests (envoyproxy.io config.cluster.v3.CircuitBreakers.Thresholds);
 * retries at most 20 % of active requests, never fewer than 3 (its RetryBudget, which supersedes max_retries);
 * a host out of the pool for 30 s after 5 consecutive 5xx, checked every 10 s, at most 10 % of hosts at once
 * (config.cluster.v3.OutlierDetection). A namespace overrides them for one service with a DestinationRule for that
 * host (the more specific host wins), or for all with the opt-out label and its own rule.
 */
export const RESILIENCE_DEFAULTS = {
    connectionPool: { tcp: { maxConnections: 1024 }, http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024 } },
    retryBudget: { percent: 20, minRetryConcurrency: 3 },
    outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 10 },
};

/** The label a namespace carries to keep its own defaults (no generated DestinationRule). */
export const RESILIENCE_OPT_OUT = { label: "platform.io/resilience-defaults", value: "disabled" };

/** The generated DestinationRule: every service of the namespace it is generated in (Kyverno substitutes the name). */
export function resilienceRule(models: Models, platformNamespaces: string[]) {
    const rule = new models.DestinationRule({
        metadata: { name: "platform-resilience-defaults" },
        spec: { host: "*.{{request.object.metadata.name}}.svc.cluster.local", trafficPolicy: RESILIENCE_DEFAULTS },
    });
    rule.validate();
    return applicationNamespaceRule({ apiVersion: rule.apiVersion, kind: rule.kind, name: rule.metadata!.name!, data: { spec: rule.spec } }, platformNamespaces, RESILIENCE_OPT_OUT);
}

/** The generated RequestAuthentication of an application namespace (no selector: every workload there). */
export function requestAuthenticationRule(models: Models, tokens: TokenSettings, platformNamespaces: string[]) {
    const authentication = new models.RequestAuthentication({ metadata: { name: "platform-tokens" }, spec: { jwtRules: [jwtRule(tokens)] } });
    authentication.validate();
    return applicationNamespaceRule({ apiVersion: authentication.apiVersion, kind: authentication.kind, name: authentication.metadata!.name!, data: { spec: authentication.spec } }, platformNamespaces);
}
