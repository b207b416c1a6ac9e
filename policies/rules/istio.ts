/**
 * The Istio mesh: gateways, mTLS between sidecars, client TLS, and istiod's mesh config however Istio is installed
 * (a Helm release or chart of any form, rendered manifests, an IstioOperator). Custom resources are typed by their
 * kubernetes-models interfaces, Helm resources by the @pulumi/kubernetes Args.
 */
import type { IDestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import type { IGateway } from "@kubernetes-models/istio/networking.istio.io/v1/Gateway";
import type { IPeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import type { IIstioOperator } from "@kubernetes-models/istio/install.istio.io/v1alpha1/IstioOperator";
import type { ConfigMapArgs } from "@pulumi/kubernetes/core/v1";
import type { ChartOpts as ChartV3Opts, ReleaseArgs } from "@pulumi/kubernetes/helm/v3";
import type { ChartArgs as ChartV4Args } from "@pulumi/kubernetes/helm/v4";
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { parse } from "yaml";
import { MCSB } from "./common";
import { kubernetes, ofKind, refuseBlindPreview, validate, type Kind } from "./kinds";

const ISTIO_GATEWAY = kubernetes<IGateway>("networking.istio.io", "Gateway", ["v1", "v1beta1", "v1alpha3"]);
const DESTINATION_RULE = kubernetes<IDestinationRule>("networking.istio.io", "DestinationRule", ["v1", "v1beta1", "v1alpha3"]);
const PEER_AUTHENTICATION = kubernetes<IPeerAuthentication>("security.istio.io", "PeerAuthentication", ["v1", "v1beta1"]);
const ISTIO_OPERATOR = kubernetes<IIstioOperator>("install.istio.io", "IstioOperator", ["v1alpha1"]);
const CONFIG_MAP = kubernetes<Unwrap<ConfigMapArgs>>("core", "ConfigMap", ["v1"]);
type HelmProps = { chart?: string; path?: string; values?: Record<string, any> };
const HELM_RELEASE = kubernetes<Unwrap<ReleaseArgs>>("helm.sh", "Release", ["v3"]);
const HELM_CHARTS: Kind<HelmProps>[] = [kubernetes<Unwrap<ChartV3Opts>>("helm.sh", "Chart", ["v3"]), kubernetes<Unwrap<ChartV4Args>>("helm.sh", "Chart", ["v4"])];

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

/** Whether `suites` names only allowed suites (an absent list is the proxy build's default, which has held CBC and RSA key-exchange suites). */
function strongSuites(suites: unknown): boolean {
    const list = Array.isArray(suites) ? (suites as string[]) : [];
    return list.length > 0 && list.every((s) => MESH_ALLOWED_SUITES.includes(s));
}

function checkSuites(path: string, suites: unknown, report: (message: string) => void): void {
    if (!strongSuites(suites)) {
        report(`${path} is ${JSON.stringify(suites)}; list only ECDHE AES-GCM or CHACHA20-POLY1305 suites (the default is the proxy build's list, which has included CBC and RSA key-exchange suites).`);
    }
}

/** Protocols of the HTTP family: a server of these without TLS may only redirect to HTTPS (tls.httpsRedirect). */
const HTTP_PROTOCOLS = ["HTTP", "HTTP2", "GRPC", "GRPC-WEB"];
/** Protocols whose servers carry TLS (terminated or passed through). Istio parses a protocol ignoring case (pkg/config/protocol). */
const TLS_PROTOCOLS = ["HTTPS", "TLS"];

export const istioGatewayTls: ResourceValidationPolicy = {
    name: "istio-gateway-tls",
    description: "Istio Gateway servers carry TLS: HTTPS/TLS servers use TLS 1.2+, strong suites and a credential (or mesh mTLS, or pass TLS through); HTTP-family servers only redirect; no other plaintext protocol.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Serve HTTPS or TLS with tls.cipherSuites of ECDHE AEAD suites and tls.credentialName (or mode ISTIO_MUTUAL, or PASSTHROUGH when the backend terminates TLS); give HTTP, HTTP2 and GRPC servers tls.httpsRedirect: true.",
    validateResource: validate(ISTIO_GATEWAY, (gateway, report) => {
        (gateway.spec?.servers ?? []).forEach((server, i) => {
            const path = `spec.servers[${i}]`;
            const protocol = String(server.port?.protocol ?? "").toUpperCase();
            if (protocol === "") {
                return; // no port: Istio rejects the server.
            }
            if (HTTP_PROTOCOLS.includes(protocol)) {
                if (server.tls?.httpsRedirect !== true) {
                    report(`${path} serves plain ${protocol} without tls.httpsRedirect: true.`);
                }
                return;
            }
            if (!TLS_PROTOCOLS.includes(protocol)) {
                report(`${path} serves ${protocol} in plaintext; serve TLS (mode PASSTHROUGH if the backend terminates it).`);
                return;
            }
            const tls = server.tls ?? {};
            if (tls.mode === "PASSTHROUGH" || tls.mode === "AUTO_PASSTHROUGH") {
                return;
            }
            // The gateway's own mesh certificates: "When this mode is used, all other fields in TLSOptions should be
            // empty" (istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode); the
            // mesh's mTLS settings apply, which istiod-mesh-tls judges.
            if (tls.mode === "ISTIO_MUTUAL") {
                return;
            }
            // Unset (or TLS_AUTO) is Envoy's server minimum, TLS 1.2 (TlsParameters.tls_minimum_protocol_version).
            const minimum = tls.minProtocolVersion === undefined || tls.minProtocolVersion === "TLS_AUTO" ? "TLSV1_2" : tls.minProtocolVersion;
            if (!TLS_MINIMUMS.includes(minimum)) {
                report(`${path}.tls.minProtocolVersion is ${JSON.stringify(tls.minProtocolVersion)}; set TLSV1_2 or TLSV1_3.`);
            }
            if (minimum !== "TLSV1_3") {
                checkSuites(`${path}.tls.cipherSuites`, tls.cipherSuites, report);
            }
            const named = tls as { credentialNames?: string[] };
            if (!tls.credentialName && !tls.serverCertificate && !named.credentialNames?.length) {
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
    validateResource: validate(PEER_AUTHENTICATION, (peer, report) => {
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
    validateResource: validate(DESTINATION_RULE, (rule, report) => {
        checkClientTls("spec.trafficPolicy", rule.spec?.trafficPolicy, report);
        (rule.spec?.subsets ?? []).forEach((subset, i) => checkClientTls(`spec.subsets[${i}].trafficPolicy`, subset.trafficPolicy, report));
    }),
};

/** The chart a Helm release or chart installs, by its name: "istiod" from "istio/istiod", "oci://host/charts/istiod", "https://host/istiod-1.30.3.tgz", "./istiod". */
export function chartName(props: HelmProps): string | undefined {
    const reference = props.chart ?? props.path;
    const last = typeof reference === "string" ? reference.split("/").filter(Boolean).pop() : undefined;
    return last?.replace(/\.tgz$/, "").replace(/-v?\d+\.\d+\.\d+.*$/, "");
}

const ISTIOD_CHART = "istiod";

type Mesh = { rootNamespace?: string; meshMTLS?: { minProtocolVersion?: string; cipherSuites?: string[] }; tlsDefaults?: { minProtocolVersion?: string; cipherSuites?: string[] } };

/** istiod's mesh config where a resource declares it, and where a key of it is; undefined for resources that install no istiod. */
function meshConfigOf(r: { type: string; props: Record<string, any> }): { at: (key: string) => string; mesh: Mesh } | undefined {
    if ((HELM_RELEASE.matches(r.type) || HELM_CHARTS.some((k) => k.matches(r.type))) && chartName(r.props) === ISTIOD_CHART) {
        return { at: (key) => `values.meshConfig.${key}`, mesh: r.props["values"]?.meshConfig ?? {} };
    }
    if (ISTIO_OPERATOR.matches(r.type)) {
        return { at: (key) => `spec.meshConfig.${key}`, mesh: r.props["spec"]?.meshConfig ?? {} };
    }
    // The chart renders the mesh config into the ConfigMap "istio" ("istio-<revision>"), key "mesh", as YAML: what a
    // chart of any form (Helm v3/v4 Chart, rendered YAML) declares.
    // Only a ConfigMap's data is read: another kind's `data` may be unknown in a preview (a secret PKCS #12 upload's),
    // and reading an unknown value fails the policy.
    if (!CONFIG_MAP.matches(r.type)) {
        return undefined;
    }
    const name = String(r.props["metadata"]?.name ?? "");
    const text = r.props["data"]?.mesh;
    if (/^istio(-.+)?$/.test(name) && typeof text === "string") {
        return { at: (key) => `data.mesh's ${key}`, mesh: (parse(text) as Mesh | null) ?? {} };
    }
    return undefined;
}

export const istiodMeshTls: ResourceValidationPolicy = {
    name: "istiod-mesh-tls",
    description: "istiod's mesh config requires TLS 1.3 between sidecars (or TLS 1.2 with strong suites) and TLS 1.2+ with strong suites by default.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set meshConfig.meshMTLS.minProtocolVersion: TLSV1_3 and meshConfig.tlsDefaults.cipherSuites (ECDHE AEAD suites) in istiod's values, IstioOperator or mesh ConfigMap.",
    validateResource: (args, report) => {
        const found = meshConfigOf(args);
        if (!found) {
            return;
        }
        const { at, mesh } = found;
        // Unset, mesh mTLS runs at TLS 1.2 with Istio's default suites, which include non-ECDHE ones.
        const mtls = mesh.meshMTLS ?? {};
        if (mtls.minProtocolVersion !== "TLSV1_3" && !(mtls.minProtocolVersion === "TLSV1_2" && strongSuites(mtls.cipherSuites))) {
            report(`${at("meshMTLS.minProtocolVersion")} is ${JSON.stringify(mtls.minProtocolVersion)}; set "TLSV1_3" (or TLSV1_2 with only ECDHE AEAD meshMTLS.cipherSuites).`);
        }
        // Unset, the minimum is TLS 1.2 (Envoy's default).
        const defaults = mesh.tlsDefaults ?? {};
        if (defaults.minProtocolVersion !== undefined && !TLS_MINIMUMS.includes(defaults.minProtocolVersion as TlsMinimum)) {
            report(`${at("tlsDefaults.minProtocolVersion")} is ${JSON.stringify(defaults.minProtocolVersion)}; set TLSV1_2 or TLSV1_3.`);
        }
        if (defaults.minProtocolVersion !== "TLSV1_3") {
            checkSuites(at("tlsDefaults.cipherSuites"), defaults.cipherSuites, report);
        }
    },
};

/** The mesh's root namespace, where a selector-less PeerAuthentication applies mesh-wide (MeshConfig.rootNamespace's default). */
const DEFAULT_ROOT_NAMESPACE = "istio-system";

export const meshStrictMtls: StackValidationPolicy = {
    name: "mesh-strict-mtls",
    description: "Where Istio is installed, a mesh-wide STRICT PeerAuthentication exists in the root namespace.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: `Declare a PeerAuthentication without selector in the mesh's root namespace (${DEFAULT_ROOT_NAMESPACE} unless meshConfig.rootNamespace says otherwise) with spec.mtls.mode: STRICT.`,
    validateStack: (args, report) => {
        refuseBlindPreview(args.resources, "the mesh's mTLS cannot be verified");
        const installs = args.resources.map((r) => ({ r, found: meshConfigOf(r) })).filter((x): x is { r: PolicyResource; found: NonNullable<ReturnType<typeof meshConfigOf>> } => x.found !== undefined);
        if (installs.length === 0) {
            return;
        }
        const root = installs.map((x) => x.found.mesh.rootNamespace).find((n) => typeof n === "string") ?? DEFAULT_ROOT_NAMESPACE;
        const meshWide = ofKind(args.resources, PEER_AUTHENTICATION).some((r) => {
            const peer = r.props as IPeerAuthentication;
            return peer.metadata?.namespace === root && !peer.spec?.selector && peer.spec?.mtls?.mode === "STRICT";
        });
        if (!meshWide) {
            report(`istiod is installed but no selector-less STRICT PeerAuthentication exists in ${root}.`, installs[0]!.r.urn);
        }
    },
};

export const istioPolicies = [istioGatewayTls, istioPeerAuthenticationStrict, istioDestinationRuleTls, istiodMeshTls, meshStrictMtls];
