import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CHARTS, MESH_PROXY_IMAGE } from "../../versions";
import { typedResource, type Models } from "../shared/customResources";
import { EXCLUDE_FROM_BACKUP } from "../shared/backup";
import { pinnedRelease } from "../shared/helm";
import { platformNamespace, type ClusterContext, type TelemetryEndpoint } from "../shared/namespace";
import { platformImage } from "../shared/images";
import { applicationNamespaceRule } from "../shared/applicationNamespaces";
import {
    declareEdgeClientCa, declareGatewayFilters, declareGatewayRequestAuthentication, gatewayTopologyAnnotation, mutualTls, requestAuthenticationRule,
    resilienceRule, SPKI_STAND_IN, type EdgeClient, type GatewayRateLimits, type TokenSettings,
} from "./apiSecurity";

export type { EdgeClient, GatewayRateLimits, TokenSettings } from "./apiSecurity";

/** How the ingress gateway's Service is exposed: an Azure internal load balancer, or the cluster's default. */
/** Istio's plug-in CA Secret (a fixed name istiod looks for), holding the mesh intermediate's key. */
export const MESH_CA_SECRET = "cacerts";

/** The service account istiod of a revision runs as (istio-discovery chart: `istiod-<revision>`). */
export function istiodServiceAccount(revision: string): string {
    return `istiod-${revision}`;
}

export type IngressExposure =
    | { kind: "azureInternalLoadBalancer"; subnetName: string; ipAddress: string }
    | { kind: "clusterDefault" };

export interface ServiceMeshArgs {
    cluster: ClusterContext;
    models: Models;
    /** The mesh CA (Istio plug-in CA): its intermediate signs workload certificates. Keys are secret. */
    meshCa: { rootPem: pulumi.Input<string>; intermediatePem: pulumi.Input<string>; chainPem: pulumi.Input<string>; intermediateKeyPem: pulumi.Input<string> };
    /** Names the ingress gateway serves, e.g. `aks-ingress.dev.platform.example.com` (a wildcard certificate). */
    ingressDomain: string;
    ingressExposure: IngressExposure;
    /** cert-manager must be installed (CRDs, webhook) before the ingress Certificate. */
    certManager: pulumi.Resource;
    /** The ClusterIssuer that signs the ingress certificate, and the lifetime, renewal and key to request. */
    ingressCertificate: {
        issuer: string;
        duration: string;
        renewBefore: string;
        privateKey: { algorithm: "ECDSA" | "RSA"; size: number; rotationPolicy: "Always" | "Never" };
    };
    /** HPA and PDB for the gateway, two istiod replicas (prod). */
    highAvailability: boolean;
    /** What installs the Prometheus Operator's CRDs (the mesh's monitors wait for it). */
    monitoring: pulumi.Resource;
    /** Where proxies send their spans (the mesh's default tracing provider). */
    telemetry: TelemetryEndpoint;
    /** Admission (Kyverno and its policies): this component's namespaces wait for it, so every pod is admitted under the policies. */
    admission: pulumi.Resource;
    /** Namespaces the platform or AKS owns; the ingress gateway may call into every other (application) namespace. */
    platformNamespaces: string[];
    /**
     * The edge's client certificate the HTTPS listener requires (mutual TLS), when the edge presents one (API
     * Management); without it the listener takes any TLS client the network lets through.
     */
    edgeClient?: EdgeClient;
    /** Tokens every application route needs but the public paths (`gateway.jwt`); absent on the local stack. */
    tokens?: TokenSettings;
    /** Local rate limits at the gateway, when it is the first place requests are limited (the App Gateway edge). */
    gatewayRateLimits?: GatewayRateLimits;
}

export const MESH_ROOT_NAMESPACE = "istio-system";
export const INGRESS_NAMESPACE = "istio-ingress";
/** Gateway release name; the chart labels its pods `istio: ingressgateway` (the name without `istio-`). */
const GATEWAY_RELEASE = "istio-ingressgateway";
export const INGRESS_GATEWAY_SERVICE_ACCOUNT = GATEWAY_RELEASE;
export const INGRESS_TLS_SECRET = "aks-ingress-tls";

/** TLS 1.2 suites the gateway and mesh defaults allow: ECDHE with AES-GCM or CHACHA20-POLY1305, nothing else. */
export const MESH_CIPHER_SUITES = [
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
];

/** Workload certificates live 24 hours; istiod's maximum and the proxies' request agree. */
const WORKLOAD_CERT_TTL = "24h";

/** Envoy listener stats for TLS handshakes and handshake errors, e.g. `listener.0.0.0.0_15006.ssl.connection_error`. */
const LISTENER_TLS_STATS = "listener\\..*\\.ssl\\.(handshake|connection_error)";

/**
 * The proxies' JSON access log: what an operator needs to follow a request, and the trace id Grafana links to
 * the trace in Tempo (Envoy's `%TRACE_ID%`).
 */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
    start_time: "%START_TIME%",
    trace_id: "%TRACE_ID%",
    request_id: "%REQ(X-REQUEST-ID)%",
    authority: "%REQ(:AUTHORITY)%",
    method: "%REQ(:METHOD)%",
    path: "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    protocol: "%PROTOCOL%",
    response_code: "%RESPONSE_CODE%",
    response_flags: "%RESPONSE_FLAGS%",
    duration: "%DURATION%",
    bytes_received: "%BYTES_RECEIVED%",
    bytes_sent: "%BYTES_SENT%",
    downstream_remote_address: "%DOWNSTREAM_REMOTE_ADDRESS%",
    x_forwarded_for: "%REQ(X-FORWARDED-FOR)%",
    requested_server_name: "%REQUESTED_SERVER_NAME%",
    upstream_cluster: "%UPSTREAM_CLUSTER%",
    upstream_host: "%UPSTREAM_HOST%",
    upstream_transport_failure_reason: "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
    user_agent: "%REQ(USER-AGENT)%",
};

/** Mesh-wide settings: TLS 1.3 between sidecars, TLS 1.2+ strong suites elsewhere, JSON access logs, OTLP traces. */
export function meshConfig(telemetry: TelemetryEndpoint) {
    return {
        meshMTLS: { minProtocolVersion: "TLSV1_3" },
        tlsDefaults: { minProtocolVersion: "TLSV1_2", cipherSuites: MESH_CIPHER_SUITES },
        accessLogFile: "/dev/stdout",
        accessLogEncoding: "JSON",
        accessLogFormat: JSON.stringify(ACCESS_LOG_FIELDS),
        extensionProviders: [{ name: "otel", opentelemetry: { service: telemetry.host, port: telemetry.grpcPort } }],
        defaultProviders: { tracing: ["otel"] },
        // Workload keys are ECDSA P-256 (istio-agent's default is RSA 2048).
        defaultConfig: {
            proxyMetadata: { SECRET_TTL: WORKLOAD_CERT_TTL, ECC_SIGNATURE_ALGORITHM: "ECDSA" },
            // Inbound TLS handshakes and their failures (not exported by default) feed the TLS and mTLS alerts.
            proxyStatsMatcher: { inclusionRegexps: [LISTENER_TLS_STATS] },
        },
    };
}

/**
 * Istio from its charts (not the AKS add-on: the mesh's TLS settings are ours, and the local target works the
 * same): base (CRDs), istio-cni (so workloads need no NET_ADMIN), istiod with a plug-in CA, and one ingress
 * gateway on an internal load balancer. That gateway is both the "ingress controller" and the "mesh ingress
 * gateway" hop: it terminates the private-CA certificate and originates mesh mTLS. Every chart is a
 * helm.v3.Release: their hooks run, and each later step depends on the release that installs what it needs.
 */
export class ServiceMesh extends pulumi.ComponentResource {
    public readonly systemNamespace: pulumi.Output<string>;
    public readonly ingressNamespace: pulumi.Output<string>;

    constructor(name: string, args: ServiceMeshArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:mesh:ServiceMesh", name, {}, opts);
        const { system, ingress } = declareNamespaces(name, args, this);
        const controlPlane = declareControlPlane(name, args, system, this);
        declareIngressGateway(name, args, ingress, controlPlane, this);
        declareMeshPolicies(name, args, ingress, controlPlane, this);
        declareMonitors(name, args, system, this);

        this.systemNamespace = system.metadata.name;
        this.ingressNamespace = ingress.metadata.name;
        this.registerOutputs({ systemNamespace: this.systemNamespace, ingressNamespace: this.ingressNamespace });
    }
}

/**
 * The hub of istiod and of the proxies it injects. Istio's published 1.30 charts default to registry.istio.io
 * (release-builder build.sh), which ACR cannot cache; the same images are on docker.io/istio, which the platform
 * registry mirrors.
 */
function istioHub(cluster: ClusterContext) {
    return { global: { hub: path.posix.dirname(platformImage(cluster, MESH_PROXY_IMAGE)) } };
}

/** The control plane's namespace and the ingress gateway's. */
function declareNamespaces(name: string, args: ServiceMeshArgs, parent: pulumi.Resource) {
    const { cluster } = args;
    const revision = cluster.meshRevision;
    // istio-cni's node agent writes the CNI config on the host, so the control plane namespace is privileged;
    // in exchange, workload pods need no NET_ADMIN init container and stay "restricted".
    const system = platformNamespace(`${name}-system-ns`, {
        name: MESH_ROOT_NAMESPACE,
        podSecurity: "privileged",
        talksToApiServer: true,
        // Sidecars and gateways everywhere fetch config and certificates (15012); the API server calls the injector (15017).
        ingress: [{ ports: [{ protocol: "TCP", port: 15012 }, { protocol: "TCP", port: 15017 }] }],
        // istiod fetches the token issuer's OpenID configuration and keys, and hands the keys to the proxies (its default
        // PILOT_JWT_ENABLE_REMOTE_JWKS mode; istio 1.30.3 pilot/pkg/security/authn/policy_applier.go): HTTPS out, the
        // firewall allowing only the issuer's host.
        ...(args.tokens ? { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] } : {}),
    }, cluster, { parent, dependsOn: [args.admission] });
    const ingress = platformNamespace(`${name}-ingress-ns`, {
        name: INGRESS_NAMESPACE,
        podSecurity: "restricted",
        meshInjection: true,
        // The edge (API Management, or the App Gateway) reaches the gateway through the internal load balancer; the node
        // subnets' NSGs, where the traffic is filtered, admit only the edge's subnet.
        ingress: [{ ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 80 }, { protocol: "TCP", port: 15021 }] }],
        // The gateway forwards into every meshed namespace, and sends the requests' root spans to the collector.
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "istio.io/rev": revision } } }] }, args.telemetry.egress],
    }, cluster, { parent, dependsOn: [args.admission] });
    return { system, ingress };
}

interface ControlPlane {
    base: k8s.helm.v3.Release;
    istiod: k8s.helm.v3.Release;
}

/**
 * What istio-cni does with a pod that started before the plug-in was in the node's CNI chain (a new node, or AKS's
 * Cilium rewriting its conflist, Azure/AKS#4349): repair its network namespace in place, with no RBAC over pods
 * (cni 1.30.3 values.yaml `repair`; the chart's default, pinned so a chart bump cannot drop it). Istio's other
 * mitigation, istiod's untaint controller (istiod values `taint.enabled`), only removes a
 * `cni.istio.io/not-ready` taint the infrastructure puts on new nodes. On AKS only `nodeInitializationTaints` can be
 * removed through the Kubernetes API (learn.microsoft.com/azure/aks/use-node-taints; node-pool `nodeTaints` cannot),
 * and azure-native 3.28.0 does not expose them.
 */
const CNI_REPAIR = { enabled: true, repairPods: true, deletePods: false, labelPods: false };

/** The plug-in CA's Secret, the CRDs (base), istio-cni and istiod. */
function declareControlPlane(name: string, args: ServiceMeshArgs, system: k8s.core.v1.Namespace, parent: pulumi.Resource): ControlPlane {
    const revision = args.cluster.meshRevision;
    // Istio's plug-in CA: istiod signs workload certificates with this intermediate instead of a self-made root.
    const cacerts = new k8s.core.v1.Secret(`${name}-cacerts`, {
        // The CA key stays out of backups: the program recreates the Secret from its own state (docs/operations.md, Backups and restore).
        metadata: { name: MESH_CA_SECRET, namespace: MESH_ROOT_NAMESPACE, labels: EXCLUDE_FROM_BACKUP },
        stringData: {
            "ca-cert.pem": args.meshCa.intermediatePem,
            "ca-key.pem": args.meshCa.intermediateKeyPem,
            "root-cert.pem": args.meshCa.rootPem,
            "cert-chain.pem": args.meshCa.chainPem,
        },
    }, { parent, dependsOn: [system] });

    const base = pinnedRelease(`${name}-base`, CHARTS.istioBase, {
        releaseName: "istio-base",
        namespace: system.metadata.name,
        values: { defaultRevision: revision },
    }, { parent });
    const cni = pinnedRelease(`${name}-cni`, CHARTS.istioCni, {
        releaseName: "istio-cni",
        namespace: system.metadata.name,
        values: { revision, ...istioHub(args.cluster), repair: CNI_REPAIR },
    }, { parent, dependsOn: [base] });
    const istiod = pinnedRelease(`${name}-istiod`, CHARTS.istiod, {
        releaseName: `istiod-${revision}`,
        namespace: system.metadata.name,
        values: {
            revision,
            ...istioHub(args.cluster),
            // Istio 1.30's istiod values are flat: the injector reads `cni.enabled` at the top level
            // (istiod-injector-configmap.yaml picks "cni" from .Values); without it sidecars get a root istio-init.
            cni: { enabled: true },
            replicaCount: args.highAvailability ? 2 : 1,
            autoscaleMin: args.highAvailability ? 2 : 1,
            env: { DEFAULT_WORKLOAD_CERT_TTL: WORKLOAD_CERT_TTL, MAX_WORKLOAD_CERT_TTL: WORKLOAD_CERT_TTL },
            meshConfig: meshConfig(args.telemetry),
        },
    }, { parent, dependsOn: [base, cni, cacerts] });
    return { base, istiod };
}

/** The ingress gateway: its release, its private-CA certificate and its Istio Gateway (HTTPS, HTTP only to redirect). */
function declareIngressGateway(name: string, args: ServiceMeshArgs, ingress: k8s.core.v1.Namespace, controlPlane: ControlPlane, parent: pulumi.Resource): void {
    const { models } = args;
    const revision = args.cluster.meshRevision;
    const gateway = pinnedRelease(`${name}-gateway`, CHARTS.istioGateway, {
        releaseName: GATEWAY_RELEASE,
        namespace: ingress.metadata.name,
        values: {
            revision,
            ...istioHub(args.cluster),
            service: gatewayService(args.ingressExposure),
            // Pod Security "restricted" requires a seccomp profile; setting securityContext replaces the chart's
            // default, so its unprivileged-port sysctl (gateway/templates/deployment.yaml) is kept here.
            securityContext: {
                seccompProfile: { type: "RuntimeDefault" },
                sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
            },
            autoscaling: { enabled: args.highAvailability, minReplicas: 2, maxReplicas: 5 },
            // Replicas spread over the zones, so one zone down leaves the edge a gateway to call.
            topologySpreadConstraints: args.highAvailability
                ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { istio: "ingressgateway" } } }]
                : [],
            podDisruptionBudget: args.highAvailability ? { minAvailable: 1 } : {},
            ...(args.gatewayRateLimits ? { podAnnotations: gatewayTopologyAnnotation(args.gatewayRateLimits.trustedProxies) } : {}),
        },
    }, { parent, dependsOn: [controlPlane.istiod] });

    const wildcard = `*.${args.ingressDomain}`;
    const certificate = typedResource(`${name}-ingress-certificate`, new models.Certificate({
        metadata: { name: "aks-ingress", namespace: INGRESS_NAMESPACE },
        spec: {
            secretName: INGRESS_TLS_SECRET,
            commonName: wildcard,
            dnsNames: [wildcard],
            issuerRef: { kind: "ClusterIssuer", name: args.ingressCertificate.issuer, group: "cert-manager.io" },
            duration: args.ingressCertificate.duration,
            renewBefore: args.ingressCertificate.renewBefore,
            privateKey: args.ingressCertificate.privateKey,
            usages: ["server auth", "digital signature"],
        },
    }), { parent, dependsOn: [ingress, args.certManager] });

    const edgeClient = args.edgeClient;
    const clientCa = edgeClient && declareEdgeClientCa(`${name}-edge-client-ca`, INGRESS_NAMESPACE, INGRESS_TLS_SECRET, edgeClient, { parent, dependsOn: [ingress] });
    const https = {
        credentialName: INGRESS_TLS_SECRET,
        minProtocolVersion: "TLSV1_2" as const,
        cipherSuites: MESH_CIPHER_SUITES.filter((s) => s.includes("GCM")),
        ...(edgeClient ? mutualTls(INGRESS_TLS_SECRET, edgeClient) : { mode: "SIMPLE" as const }),
    };
    typedResource(`${name}-ingress-gateway`, new models.IstioGateway({
        metadata: { name: "platform-ingress", namespace: INGRESS_NAMESPACE },
        spec: {
            selector: { istio: "ingressgateway" },
            servers: [
                { port: { number: 443, name: "https", protocol: "HTTPS" }, hosts: [wildcard], tls: https },
                { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: [wildcard], tls: { httpsRedirect: true } },
            ],
        },
    }), { parent, dependsOn: [controlPlane.base, gateway, certificate, ...(clientCa ? [clientCa] : [])] }, (body) => (edgeClient
        ? { ...body, spec: { ...body["spec"], servers: body["spec"].servers.map((server: Record<string, any>) => (server.tls?.verifyCertificateSpki?.[0] === SPKI_STAND_IN
            ? { ...server, tls: { ...server.tls, verifyCertificateSpki: [edgeClient.spkiSha256] } }
            : server)) } }
        : body));

    const afterGateway = { parent, dependsOn: [controlPlane.base, gateway] };
    declareGatewayFilters(`${name}-gateway`, models, INGRESS_NAMESPACE, args.gatewayRateLimits, afterGateway);
    if (args.tokens) {
        declareGatewayRequestAuthentication(`${name}-gateway-tokens`, models, INGRESS_NAMESPACE, args.tokens, afterGateway);
    }
}

/** The ingress gateway's SPIFFE identity: its chart names the service account after the release. */
const INGRESS_GATEWAY_PRINCIPAL = `cluster.local/ns/${INGRESS_NAMESPACE}/sa/${INGRESS_GATEWAY_SERVICE_ACCOUNT}`;

/**
 * The one authorization every application namespace gets: calls from the ingress gateway. Kyverno keeps a copy in
 * each (generated, like the namespaces' NetworkPolicies); the mesh-wide deny-all refuses everything else. With
 * `tokens`, a call also needs a valid token of the issuer (`requestPrincipals` are `<iss>/<sub>`; a trailing `*`
 * matches by prefix) carrying the required claims (`*` matches any non-empty value) and values, except on the
 * public paths (istio.io reference/config/security/authorization-policy: Source, Operation, Condition).
 */
export function applicationIngressAuthorization(tokens?: TokenSettings) {
    const fromGateway = { principals: [INGRESS_GATEWAY_PRINCIPAL] };
    if (!tokens) {
        return { action: "ALLOW" as const, rules: [{ from: [{ source: fromGateway }] }] };
    }
    const claim = (name: string) => `request.auth.claims[${name}]`;
    const conditions = [
        ...tokens.requiredClaims.filter((name) => tokens.claimValues[name] === undefined).map((name) => ({ key: claim(name), values: ["*"] })),
        ...Object.entries(tokens.claimValues).map(([name, values]) => ({ key: claim(name), values })),
    ];
    return {
        action: "ALLOW" as const,
        rules: [
            { from: [{ source: { ...fromGateway, requestPrincipals: [`${tokens.issuer}/*`] } }], ...(conditions.length > 0 ? { when: conditions } : {}) },
            ...(tokens.publicPaths.length > 0 ? [{ from: [{ source: fromGateway }], to: [{ operation: { paths: tokens.publicPaths } }] }] : []),
        ],
    };
}

/** Generated in application namespaces by Kyverno's background controller, which must be allowed to write them. */
const GENERATED_KINDS = [
    { apiGroup: "security.istio.io", resources: ["authorizationpolicies", "requestauthentications"] },
    { apiGroup: "networking.istio.io", resources: ["destinationrules"] },
];

/** Mesh-wide STRICT mTLS and deny by default; the gateway's own listeners, and calls from it into application namespaces only. */
function declareMeshPolicies(name: string, args: ServiceMeshArgs, ingress: k8s.core.v1.Namespace, controlPlane: ControlPlane, parent: pulumi.Resource): void {
    const { models } = args;
    // Mesh-wide: mTLS required everywhere (root namespace), and nothing is allowed unless a policy says so.
    const afterCrds = { parent, dependsOn: [controlPlane.base, controlPlane.istiod] };
    typedResource(`${name}-strict-mtls`, new models.PeerAuthentication({
        metadata: { name: "default", namespace: MESH_ROOT_NAMESPACE },
        spec: { mtls: { mode: "STRICT" } },
    }), afterCrds);
    typedResource(`${name}-deny-all`, new models.AuthorizationPolicy({
        metadata: { name: "deny-all", namespace: MESH_ROOT_NAMESPACE },
        spec: {},
    }), afterCrds);
    // No ALLOW for Prometheus: it scrapes 15020 (pilot-agent) and 15090, which the sidecar does not capture, so
    // authorization never sees those requests; and Prometheus, outside the mesh, has no identity to match.
    // The gateway itself takes calls from outside the mesh (API Management), on its listeners only.
    typedResource(`${name}-allow-gateway-listeners`, new models.AuthorizationPolicy({
        metadata: { name: "allow-listeners", namespace: INGRESS_NAMESPACE },
        spec: { selector: { matchLabels: { istio: "ingressgateway" } }, action: "ALLOW", rules: [{ to: [{ operation: { ports: ["80", "443"] } }] }] },
    }), { parent, dependsOn: [controlPlane.base, controlPlane.istiod, ingress] });

    // Kyverno's background controller writes the generated copies: its ClusterRole aggregates every ClusterRole with
    // this label (kyverno chart 3.9.0 templates/background-controller/clusterrole.yaml, aggregationRule). Declared
    // first, so the aggregation is in place long before Kyverno checks the policy's permissions.
    const generator = new k8s.rbac.v1.ClusterRole(`${name}-kyverno-generates-authorization`, {
        metadata: { name: "kyverno:generate:authorizationpolicies", labels: { "rbac.kyverno.io/aggregate-to-background-controller": "true" } },
        rules: GENERATED_KINDS.map((kind) => ({ apiGroups: [kind.apiGroup], resources: kind.resources, verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] })),
    }, { parent });
    // Not mesh-wide (a root-namespace ALLOW would let the gateway call every meshed pod, platform ones included).
    const authorization = new models.AuthorizationPolicy({ metadata: { name: "allow-from-ingress-gateway" }, spec: applicationIngressAuthorization(args.tokens) });
    authorization.validate();
    // After Istio's CRDs (the generated kind is served when Kyverno admits the policy) and Kyverno itself.
    const afterKyverno = { parent, dependsOn: [controlPlane.base, generator, args.admission] };
    typedResource(`${name}-gateway-to-applications`, new models.ClusterPolicy({
        metadata: { name: "generate-ingress-gateway-allow" },
        spec: {
            rules: [
                applicationNamespaceRule({
                    apiVersion: authorization.apiVersion,
                    kind: authorization.kind,
                    name: authorization.metadata!.name!,
                    data: { spec: authorization.spec },
                }, args.platformNamespaces),
                // The token the ALLOW asks for, validated in the namespace itself (a sidecar trusts no upstream's check).
                ...(args.tokens ? [requestAuthenticationRule(models, args.tokens, args.platformNamespaces)] : []),
            ],
        },
    }), afterKyverno);
    typedResource(`${name}-resilience-defaults`, new models.ClusterPolicy({
        metadata: { name: "generate-resilience-defaults" },
        spec: { rules: [resilienceRule(models, args.platformNamespaces)] },
    }), afterKyverno);
}

/** istiod's metrics and every proxy's Envoy stats. */
function declareMonitors(name: string, args: ServiceMeshArgs, system: k8s.core.v1.Namespace, parent: pulumi.Resource): void {
    const { models } = args;
    // Metrics: istiod's own, and every proxy's Envoy stats (sidecars and the gateway).
    const afterOperator = { parent, dependsOn: [args.monitoring, system] };
    typedResource(`${name}-istiod-monitor`, new models.ServiceMonitor({
        metadata: { name: "istiod", namespace: MESH_ROOT_NAMESPACE },
        spec: { selector: { matchLabels: { istio: "pilot" } }, endpoints: [{ port: "http-monitoring", interval: "30s" }] },
    }), afterOperator);
    typedResource(`${name}-envoy-monitor`, new models.PodMonitor({
        metadata: { name: "envoy-stats", namespace: MESH_ROOT_NAMESPACE },
        spec: {
            namespaceSelector: { any: true },
            selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
            podMetricsEndpoints: [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "30s" }],
        },
    }), afterOperator);
}

/** The gateway Service: an internal load balancer at a fixed address in the ingress subnet on Azure. */
function gatewayService(exposure: IngressExposure): Record<string, unknown> {
    if (exposure.kind === "clusterDefault") {
        return { type: "LoadBalancer" };
    }
    return {
        type: "LoadBalancer",
        // Keep the caller's address (API Management) for policies and logs.
        externalTrafficPolicy: "Local",
        annotations: {
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": exposure.subnetName,
            "service.beta.kubernetes.io/azure-load-balancer-ipv4": exposure.ipAddress,
        },
    };
}
