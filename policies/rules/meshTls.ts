/** Transport security inside the cluster: Istio gateways and mTLS, istiod's mesh config, cert-manager, Ingress. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { forTypes, MCSB } from "./common";

/** Every served version of an Istio kind, e.g. `kubernetes:networking.istio.io/v1beta1:Gateway`. */
const istioTypes = (group: "networking" | "security", kind: string, versions: string[]) => versions.map((v) => `kubernetes:${group}.istio.io/${v}:${kind}`);

/** TLS 1.2 suites (OpenSSL names, as Envoy takes them) the mesh allows: ECDHE with AES-GCM or CHACHA20-POLY1305. */
export const MESH_ALLOWED_SUITE = /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/;
const TLS_MINIMUMS = ["TLSV1_2", "TLSV1_3"];

function checkSuites(path: string, suites: unknown, report: (message: string) => void): void {
    const list = Array.isArray(suites) ? (suites as string[]) : [];
    const weak = list.filter((s) => !MESH_ALLOWED_SUITE.test(s));
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
    validateResource: forTypes(istioTypes("networking", "Gateway", ["v1", "v1beta1", "v1alpha3"]), (props, report) => {
        (props.spec?.servers ?? []).forEach((server: Record<string, any>, i: number) => {
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

const WEAK_MTLS_MODES = ["PERMISSIVE", "DISABLE"];

export const istioPeerAuthenticationStrict: ResourceValidationPolicy = {
    name: "istio-peer-authentication-strict",
    description: "PeerAuthentication never accepts plaintext: no PERMISSIVE or DISABLE, including per port.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Set mtls.mode: STRICT (or leave it to inherit the mesh-wide STRICT policy) and remove weaker portLevelMtls entries.",
    validateResource: forTypes(istioTypes("security", "PeerAuthentication", ["v1", "v1beta1"]), (props, report) => {
        const mode = props.spec?.mtls?.mode;
        if (WEAK_MTLS_MODES.includes(mode)) {
            report(`spec.mtls.mode is ${JSON.stringify(mode)}; use STRICT.`);
        }
        for (const [port, setting] of Object.entries((props.spec?.portLevelMtls ?? {}) as Record<string, { mode?: string }>)) {
            if (WEAK_MTLS_MODES.includes(setting.mode ?? "")) {
                report(`spec.portLevelMtls["${port}"].mode is ${JSON.stringify(setting.mode)}; use STRICT.`);
            }
        }
    }),
};

function checkClientTls(path: string, policy: Record<string, any> | undefined, report: (message: string) => void): void {
    if (!policy) {
        return;
    }
    if (policy.tls?.mode === "DISABLE") {
        report(`${path}.tls.mode is "DISABLE"; use ISTIO_MUTUAL (or SIMPLE/MUTUAL to external hosts).`);
    }
    if (policy.tls?.insecureSkipVerify === true) {
        report(`${path}.tls.insecureSkipVerify is true; verify the server certificate.`);
    }
    (policy.portLevelSettings ?? []).forEach((setting: Record<string, any>, i: number) => checkClientTls(`${path}.portLevelSettings[${i}]`, setting, report));
}

export const istioDestinationRuleTls: ResourceValidationPolicy = {
    name: "istio-destination-rule-tls",
    description: "DestinationRules never turn TLS off or skip certificate verification, at any level.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Remove tls.mode: DISABLE and insecureSkipVerify from trafficPolicy, portLevelSettings and subsets.",
    validateResource: forTypes(istioTypes("networking", "DestinationRule", ["v1", "v1beta1", "v1alpha3"]), (props, report) => {
        checkClientTls("spec.trafficPolicy", props.spec?.trafficPolicy, report);
        (props.spec?.subsets ?? []).forEach((subset: Record<string, any>, i: number) => checkClientTls(`spec.subsets[${i}].trafficPolicy`, subset.trafficPolicy, report));
    }),
};

export const istiodMeshTls: ResourceValidationPolicy = {
    name: "istiod-mesh-tls",
    description: "istiod's mesh config requires TLS 1.3 between sidecars and TLS 1.2+ with strong suites by default.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set values.meshConfig.meshMTLS.minProtocolVersion: TLSV1_3 and values.meshConfig.tlsDefaults (TLSV1_2+, ECDHE AEAD suites) on the istiod release.",
    validateResource: forTypes(["kubernetes:helm.sh/v3:Release"], (props, report) => {
        if (props.chart !== "istiod") {
            return;
        }
        const mesh = props.values?.meshConfig ?? {};
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
    validateResource: forTypes(["kubernetes:cert-manager.io/v1:Certificate"], (props, report) => {
        const key = props.spec?.privateKey ?? {};
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
        const duration = props.spec?.duration === undefined ? DEFAULT_DURATION_HOURS : durationHours(props.spec.duration);
        if (duration === undefined || duration > DEFAULT_DURATION_HOURS) {
            report(`spec.duration is ${JSON.stringify(props.spec?.duration)}; at most 2160h (90 days).`);
        }
        const renewBefore = props.spec?.renewBefore === undefined ? undefined : durationHours(props.spec.renewBefore);
        if (props.spec?.renewBefore !== undefined && (renewBefore === undefined || duration === undefined || renewBefore >= duration)) {
            report(`spec.renewBefore is ${JSON.stringify(props.spec.renewBefore)}; it must be shorter than the duration.`);
        }
    }),
};

export const ingressTls: ResourceValidationPolicy = {
    name: "ingress-tls",
    description: "Kubernetes Ingress objects terminate TLS (spec.tls).",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Add spec.tls with the hosts and a certificate secret (cert-manager can issue it).",
    validateResource: forTypes(["kubernetes:networking.k8s.io/v1:Ingress"], (props, report) => {
        if (!Array.isArray(props.spec?.tls) || props.spec.tls.length === 0) {
            report("spec.tls is empty; the Ingress would serve plain HTTP.");
        }
    }),
};

/** The mesh's root namespace, where a selector-less PeerAuthentication applies mesh-wide. */
export const MESH_ROOT_NAMESPACE = "istio-system";

export const meshStrictMtls: StackValidationPolicy = {
    name: "mesh-strict-mtls",
    description: "Where Istio is installed, a mesh-wide STRICT PeerAuthentication exists in the root namespace.",
    severity: "critical",
    framework: MCSB,
    remediationSteps: `Declare a PeerAuthentication without selector in ${MESH_ROOT_NAMESPACE} with spec.mtls.mode: STRICT.`,
    validateStack: (args, report) => {
        const istiod = args.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "istiod");
        if (!istiod) {
            return;
        }
        const meshWide = args.resources.some((r) =>
            istioTypes("security", "PeerAuthentication", ["v1", "v1beta1"]).includes(r.type)
            && r.props.metadata?.namespace === MESH_ROOT_NAMESPACE
            && !r.props.spec?.selector
            && r.props.spec?.mtls?.mode === "STRICT");
        if (!meshWide) {
            report(`istiod is installed but no selector-less STRICT PeerAuthentication exists in ${MESH_ROOT_NAMESPACE}.`, istiod.urn);
        }
    },
};

export const meshTlsPolicies = [istioGatewayTls, istioPeerAuthenticationStrict, istioDestinationRuleTls, istiodMeshTls, certManagerCertificatePolicy, ingressTls, meshStrictMtls];
