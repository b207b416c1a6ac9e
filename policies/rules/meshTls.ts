/**
 * Transport security inside the cluster: Istio gateways and mTLS, istiod's mesh config, cert-manager, Ingress.
 * Custom resources are typed by their kubernetes-models interfaces, Helm releases and Ingresses by the
 * @pulumi/kubernetes classes.
 */
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway";
import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import * as helm from "@pulumi/kubernetes/helm/v3";
import * as networking from "@pulumi/kubernetes/networking/v1";
import { validateResourceOfType, type ReportViolation, type ResourceValidation, type ResourceValidationArgs, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { MCSB } from "./common";

// The analyzer's own error for a value it cannot know in a preview: a stack policy that throws it is
// reported advisory ("can't run policy ... during preview") instead of passing (server.js analyzeStack).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError, unknownStringValue } = require("@pulumi/policy/proxy") as { UnknownValueError: new (sentinel: unknown, path: string[]) => Error; unknownStringValue: unknown };

/** Type tokens of a Kubernetes kind in the given API versions, e.g. `kubernetes:networking.istio.io/v1beta1:Gateway`. */
function kubernetesTypes(group: string, kind: string, versions: readonly string[]): string[] {
    return versions.map((v) => `kubernetes:${group}/${v}:${kind}`);
}

/** A check of a custom resource, typed by its kubernetes-models interface, for every listed API version. */
function forKind<T>(types: readonly string[], check: (object: T, report: ReportViolation, args: ResourceValidationArgs) => void): ResourceValidation {
    return (args, report) => {
        if (types.includes(args.type)) {
            check(args.props as T, report, args);
        }
    };
}

const ISTIO_GATEWAY_TYPES = kubernetesTypes("networking.istio.io", "Gateway", ["v1", "v1beta1", "v1alpha3"]);
const ISTIO_DESTINATION_RULE_TYPES = kubernetesTypes("networking.istio.io", "DestinationRule", ["v1", "v1beta1", "v1alpha3"]);
const ISTIO_PEER_AUTHENTICATION_TYPES = kubernetesTypes("security.istio.io", "PeerAuthentication", ["v1", "v1beta1"]);

type TlsMinimum = NonNullable<NonNullable<NonNullable<IGateway["spec"]>["servers"]>[number]["tls"]>["minProtocolVersion"];
const TLS_MINIMUMS: readonly TlsMinimum[] = ["TLSV1_2", "TLSV1_3"];

/**
 * TLS 1.2 suites the mesh allows, by the names Envoy (BoringSSL) takes: the ECDHE AEAD suites of Envoy's
 * cipher_suites list (envoy.extensions.transport_sockets.tls.v3.TlsParameters), without its CBC and RSA ones.
 */
const MESH_ALLOWED_SUITES: readonly string[] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
];

function checkSuites(path: string, suites: unknown, report: (message: string) => void): void {
    const list = Array.isArray(suites) ? (suites as string[]) : [];
    const weak = list.filter((s) => !MESH_ALLOWED_SUITES.includes(s));
    if (list.length === 0 || weak.length > 0) {
        report(`${path} is ${JSON.stringify(suites)}; list only ECDHE AES-GCM or CHACHA20-POLY1305 suites (Envoy's defaults include CBC ones).`);
    }
}

export const istioGatewayTls: ResourceValidationPolicy = {
    name: "istio-gateway-tls",
    description: "Istio Gateway HTTPS/TLS servers use TLS 1.2+, strong suites and a credential; HTTP servers only redirect.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set tls.minProtocolVersion TLSV1_2 (or TLSV1_3), tls.cipherSuites to ECDHE AEAD suites and tls.credentialName; give HTTP servers tls.httpsRedirect: true.",
    validateResource: forKind<IGateway>(ISTIO_GATEWAY_TYPES, (gateway, report) => {
        (gateway.spec?.servers ?? []).forEach((server, i) => {
            const path = `spec.servers[${i}]`;
            const protocol = String(server.port?.protocol ?? "").toUpperCase();
            if (protocol === "HTTP") {
                if (server.tls?.httpsRedirect !== true) {
                    report(`${path} serves plain HTTP without tls.httpsRedirect: true.`);
                }
                return;
            }
            if (protocol !== "HTTPS" && protocol !== "TLS") {
                return;
            }
            const tls = server.tls ?? {};
            if (tls.mode === "PASSTHROUGH" || tls.mode === "AUTO_PASSTHROUGH") {
                return;
            }
            if (!TLS_MINIMUMS.includes(tls.minProtocolVersion)) {
                report(`${path}.tls.minProtocolVersion is ${JSON.stringify(tls.minProtocolVersion)}; set TLSV1_2 or TLSV1_3.`);
            }
            if (!TLS_MINIMUMS.includes(tls.minProtocolVersion) || tls.minProtocolVersion === "TLSV1_2") {
                checkSuites(`${path}.tls.cipherSuites`, tls.cipherSuites, report);
            }
            if (!tls.credentialName && !tls.serverCertificate) {
                report(`${path}.tls has no credentialName; the server would present no certificate of ours.`);
            }
        });
    }),
};

type MtlsMode = NonNullable<NonNullable<NonNullable<IPeerAuthentication["spec"]>["mtls"]>["mode"]>;
const WEAK_MTLS_MODES: readonly MtlsMode[] = ["PERMISSIVE", "DISABLE"];

export const istioPeerAuthenticationStrict: ResourceValidationPolicy = {
    name: "istio-peer-authentication-strict",
    description: "PeerAuthentication never accepts plaintext: no PERMISSIVE or DISABLE, including per port.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Set mtls.mode: STRICT (or leave it to inherit the mesh-wide STRICT policy) and remove weaker portLevelMtls entries.",
    validateResource: forKind<IPeerAuthentication>(ISTIO_PEER_AUTHENTICATION_TYPES, (peer, report) => {
        const mode = peer.spec?.mtls?.mode;
        if (mode && WEAK_MTLS_MODES.includes(mode)) {
            report(`spec.mtls.mode is ${JSON.stringify(mode)}; use STRICT.`);
        }
        for (const [port, setting] of Object.entries(peer.spec?.portLevelMtls ?? {})) {
            if (setting.mode && WEAK_MTLS_MODES.includes(setting.mode)) {
                report(`spec.portLevelMtls["${port}"].mode is ${JSON.stringify(setting.mode)}; use STRICT.`);
            }
        }
    }),
};

type ClientTlsPolicy = { tls?: { mode?: string; insecureSkipVerify?: boolean }; portLevelSettings?: ClientTlsPolicy[] };

function checkClientTls(path: string, policy: ClientTlsPolicy | undefined, report: (message: string) => void): void {
    if (!policy) {
        return;
    }
    if (policy.tls?.mode === "DISABLE") {
        report(`${path}.tls.mode is "DISABLE"; use ISTIO_MUTUAL (or SIMPLE/MUTUAL to external hosts).`);
    }
    if (policy.tls?.insecureSkipVerify === true) {
        report(`${path}.tls.insecureSkipVerify is true; verify the server certificate.`);
    }
    (policy.portLevelSettings ?? []).forEach((setting, i) => checkClientTls(`${path}.portLevelSettings[${i}]`, setting, report));
}

export const istioDestinationRuleTls: ResourceValidationPolicy = {
    name: "istio-destination-rule-tls",
    description: "DestinationRules never turn TLS off or skip certificate verification, at any level.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Remove tls.mode: DISABLE and insecureSkipVerify from trafficPolicy, portLevelSettings and subsets.",
    validateResource: forKind<IDestinationRule>(ISTIO_DESTINATION_RULE_TYPES, (rule, report) => {
        checkClientTls("spec.trafficPolicy", rule.spec?.trafficPolicy, report);
        (rule.spec?.subsets ?? []).forEach((subset, i) => checkClientTls(`spec.subsets[${i}].trafficPolicy`, subset.trafficPolicy, report));
    }),
};

export const istiodMeshTls: ResourceValidationPolicy = {
    name: "istiod-mesh-tls",
    description: "istiod's mesh config requires TLS 1.3 between sidecars and TLS 1.2+ with strong suites by default.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set values.meshConfig.meshMTLS.minProtocolVersion: TLSV1_3 and values.meshConfig.tlsDefaults (TLSV1_2+, ECDHE AEAD suites) on the istiod release.",
    validateResource: validateResourceOfType(helm.Release, (release, _args, report) => {
        if (release.chart !== ISTIOD_CHART) {
            return;
        }
        const mesh = (release.values as { meshConfig?: Record<string, any> } | undefined)?.meshConfig ?? {};
        if (mesh.meshMTLS?.minProtocolVersion !== "TLSV1_3") {
            report(`values.meshConfig.meshMTLS.minProtocolVersion is ${JSON.stringify(mesh.meshMTLS?.minProtocolVersion)}; set "TLSV1_3".`);
        }
        if (!TLS_MINIMUMS.includes(mesh.tlsDefaults?.minProtocolVersion)) {
            report(`values.meshConfig.tlsDefaults.minProtocolVersion is ${JSON.stringify(mesh.tlsDefaults?.minProtocolVersion)}; set TLSV1_2 or TLSV1_3.`);
        }
        checkSuites("values.meshConfig.tlsDefaults.cipherSuites", mesh.tlsDefaults?.cipherSuites, report);
    }),
};

/** Go duration ("2160h", "720h0m0s", "90m") in hours. */
export function durationHours(text: string): number | undefined {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (!match || text === "") {
        return undefined;
    }
    return Number(match[1] ?? 0) + Number(match[2] ?? 0) / 60 + Number(match[3] ?? 0) / 3600;
}

/** cert-manager's default certificate lifetime. */
const DEFAULT_DURATION_HOURS = 2160;

export const certManagerCertificatePolicy: ResourceValidationPolicy = {
    name: "cert-manager-certificate-policy",
    description: "cert-manager Certificates: strong keys rotated on renewal, at most 90 days, renewed before expiry.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use privateKey ECDSA (256+) or RSA (2048+) with rotationPolicy: Always, duration <= 2160h, renewBefore < duration.",
    validateResource: forKind<ICertificate>(kubernetesTypes("cert-manager.io", "Certificate", ["v1"]), (certificate, report) => {
        const spec = certificate.spec;
        const key = spec?.privateKey ?? {};
        const algorithm = key.algorithm ?? "RSA";
        if (algorithm === "RSA" && (key.size ?? 2048) < 2048) {
            report(`spec.privateKey.size is ${key.size} for RSA; at least 2048.`);
        }
        if (algorithm === "ECDSA" && (key.size ?? 256) < 256) {
            report(`spec.privateKey.size is ${key.size} for ECDSA; at least 256.`);
        }
        if (key.rotationPolicy !== "Always") {
            report(`spec.privateKey.rotationPolicy is ${JSON.stringify(key.rotationPolicy)}; set "Always" so every renewal gets a new key.`);
        }
        const duration = spec?.duration === undefined ? DEFAULT_DURATION_HOURS : durationHours(spec.duration);
        if (duration === undefined || duration > DEFAULT_DURATION_HOURS) {
            report(`spec.duration is ${JSON.stringify(spec?.duration)}; at most 2160h (90 days).`);
        }
        const renewBefore = spec?.renewBefore === undefined ? undefined : durationHours(spec.renewBefore);
        if (spec?.renewBefore !== undefined && (renewBefore === undefined || duration === undefined || renewBefore >= duration)) {
            report(`spec.renewBefore is ${JSON.stringify(spec.renewBefore)}; it must be shorter than the duration.`);
        }
    }),
};

export const ingressTls: ResourceValidationPolicy = {
    name: "ingress-tls",
    description: "Kubernetes Ingress objects terminate TLS (spec.tls).",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Add spec.tls with the hosts and a certificate secret (cert-manager can issue it).",
    validateResource: validateResourceOfType(networking.Ingress, (ingress, _args, report) => {
        if (!Array.isArray(ingress.spec?.tls) || ingress.spec.tls.length === 0) {
            report("spec.tls is empty; the Ingress would serve plain HTTP.");
        }
    }),
};

/** The mesh's root namespace, where a selector-less PeerAuthentication applies mesh-wide. */
const MESH_ROOT_NAMESPACE = "istio-system";
const ISTIOD_CHART = "istiod";

export const meshStrictMtls: StackValidationPolicy = {
    name: "mesh-strict-mtls",
    description: "Where Istio is installed, a mesh-wide STRICT PeerAuthentication exists in the root namespace.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: `Declare a PeerAuthentication without selector in ${MESH_ROOT_NAMESPACE} with spec.mtls.mode: STRICT.`,
    validateStack: (args, report) => {
        // Stack policies see outputs. Resources created under a provider whose config is still unknown (a
        // fresh phase-2 stack, a replaced cluster) have none in a preview: this policy cannot tell then.
        const blind = args.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:yaml") && Object.keys(r.props).length === 0);
        if (blind.length > 0) {
            throw new UnknownValueError(unknownStringValue, [`outputs of ${blind.length} Kubernetes resources (${blind[0]!.name}, ...); the mesh's mTLS cannot be verified`]);
        }
        const istiod = args.resources.find((r) => r.isType(helm.Release) && r.props.chart === ISTIOD_CHART);
        if (!istiod) {
            return;
        }
        const meshWide = args.resources.some((r) => {
            const peer = r.props as IPeerAuthentication;
            return ISTIO_PEER_AUTHENTICATION_TYPES.includes(r.type)
                && peer.metadata?.namespace === MESH_ROOT_NAMESPACE
                && !peer.spec?.selector
                && peer.spec?.mtls?.mode === "STRICT";
        });
        if (!meshWide) {
            report(`istiod is installed but no selector-less STRICT PeerAuthentication exists in ${MESH_ROOT_NAMESPACE}.`, istiod.urn);
        }
    },
};

export const meshTlsPolicies = [istioGatewayTls, istioPeerAuthenticationStrict, istioDestinationRuleTls, istiodMeshTls, certManagerCertificatePolicy, ingressTls, meshStrictMtls];
