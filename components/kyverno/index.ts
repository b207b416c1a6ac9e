import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { AdmissionConfig } from "../../config";
import { APPLICATION_REPOSITORIES, CHARTS, MESH_PROXY_IMAGE } from "../../versions";
import { typedResource, type Models } from "../shared/customResources";
import { applicationNamespaceRule, outsidePlatform, type Rule } from "../shared/applicationNamespaces";
import { pinnedRelease } from "../shared/helm";
import { allowPlatformSpec, namespaceSelector, platformNamespace, type ClusterContext, type TelemetryEndpoint } from "../shared/namespace";
import { chartRegistry, platformImage } from "../shared/images";

export interface KyvernoArgs {
    cluster: ClusterContext;
    models: Models;
    /** Enforce in prod; Audit in dev (violations are reported, not refused). */
    enforce: boolean;
    /** Three admission replicas and PodDisruptionBudgets (prod). */
    highAvailability: boolean;
    /** What installs the Prometheus Operator's CRDs (the charts' ServiceMonitors wait for it). */
    monitoring: pulumi.Resource;
    /** Registries and signatures application pods must satisfy. */
    admission: AdmissionConfig;
    /** Namespaces the platform or AKS owns; every other namespace is an application namespace. */
    platformNamespaces: string[];
    /** What an application namespace's meshed pods need past its default-deny: calls from the ingress gateway, spans to the collector. */
    applicationTraffic: { ingressGatewayNamespace: string; telemetry: TelemetryEndpoint };
}

export const KYVERNO_NAMESPACE = "kyverno";

/**
 * Namespaces exempt from the restricted Pod Security policies. Each runs a node agent that needs the host; their
 * own namespace's Pod Security label is `privileged` for the same reason.
 */
const PRIVILEGED_NAMESPACES = [
    "kube-system", // AKS's own system pods (CSI drivers, Cilium, kube-proxy replacement)
    "istio-system", // istio-cni's node agent writes the CNI configuration on the host
    "monitoring", // node-exporter reads host metrics (hostNetwork, hostPID, host paths); Alloy reads the nodes' pod logs
    "falco", // Falco's eBPF probe loads into the host kernel
];

/** Namespaces AKS creates and runs for its add-ons (the Azure Policy add-on's Gatekeeper): the platform's policies stay out. */
const AKS_ADDON_NAMESPACES = ["gatekeeper-system"];

/**
 * Kyverno (outside the mesh: its webhooks must answer the API server directly) with the Pod Security Standards
 * `restricted` policies, and the platform's own policies as typed ClusterPolicies. Charts are helm.v3.Releases;
 * policies depend on the kyverno release, which installs their CRDs.
 */
export class Kyverno extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: KyvernoArgs, opts: pulumi.ComponentResourceOptions) {
        super("platform:kyverno:Kyverno", name, {}, opts);
        const ns = platformNamespace(`${name}-ns`, {
            name: KYVERNO_NAMESPACE,
            podSecurity: "restricted",
            talksToApiServer: true,
            // The API server calls the admission webhooks.
            ingress: [{ ports: [{ protocol: "TCP", port: 9443 }] }],
            // Signature checks read signatures from the images' registries (and keyless ones from Sigstore).
            ...(args.admission.imageSignatures ? { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }] } : {}),
        }, args.cluster, { parent: this });

        const kyverno = declareReleases(name, args, ns, this);
        const validatePolicy = validatePolicyDeclarer(name, args, kyverno, this);
        declareWorkloadRules(validatePolicy);
        declareApplicationRules(name, args, kyverno, validatePolicy, this);

        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

/** The namespaces exempt from pod rules: the privileged platform ones, and the AKS add-ons'. */
function exemptNamespaces(): string[] {
    return [...PRIVILEGED_NAMESPACES, ...AKS_ADDON_NAMESPACES];
}

/**
 * Enforce rejects a non-compliant resource; Audit only reports it. Set on each rule (`validate.failureAction`,
 * `verifyImages[].failureAction`): the policy-wide `spec.validationFailureAction` is deprecated in Kyverno 1.19's
 * ClusterPolicy CRD ("Deprecated, use validationFailureAction under the validate rule instead").
 */
function failureAction(args: KyvernoArgs): "Enforce" | "Audit" {
    return args.enforce ? "Enforce" : "Audit";
}

/** Kyverno itself, and the Pod Security Standards policies from its policies chart. */
function declareReleases(name: string, args: KyvernoArgs, ns: k8s.core.v1.Namespace, parent: pulumi.Resource): k8s.helm.v3.Release {
    const ha = args.highAvailability;
    const monitored = { serviceMonitor: { enabled: true } };
    const kyverno = pinnedRelease(`${name}-release`, CHARTS.kyverno, {
        releaseName: "kyverno",
        namespace: ns.metadata.name,
        values: {
            // "When set, it will override any values set under `.image.registry` across the chart" (values.yaml).
            ...chartRegistry(args.cluster, (registry) => ({ global: { image: { registry } } })),
            // AKS's admissions enforcer rewrites webhooks' namespace selectors to skip system namespaces;
            // Kyverno then rewrites them back, and the two loop forever (kyverno#6539). The annotation opts out.
            config: { webhookAnnotations: { "admissions.enforcer/disabled": "true" } },
            admissionController: { replicas: ha ? 3 : 1, podDisruptionBudget: { enabled: ha, minAvailable: 1 }, ...monitored },
            backgroundController: { replicas: ha ? 2 : 1, ...monitored },
            cleanupController: { replicas: ha ? 2 : 1, ...monitored },
            reportsController: { enabled: true, replicas: ha ? 2 : 1, ...monitored },
        },
    }, { parent, dependsOn: [args.monitoring] });

    pinnedRelease(`${name}-pod-security`, CHARTS.kyvernoPolicies, {
        releaseName: "kyverno-policies",
        namespace: ns.metadata.name,
        values: {
            podSecurityStandard: "restricted",
            validationFailureAction: failureAction(args),
            // The chart installs CEL ValidatingPolicies, which read vpolExclude (policyExclude would be ignored).
            vpolExclude: { excludeNamespaces: exemptNamespaces() },
        },
    }, { parent, dependsOn: [kyverno] });
    return kyverno;
}

type ValidateRule = Rule & { validate: NonNullable<Rule["validate"]> };
type ValidatePolicy = (key: string, policyName: string, rule: ValidateRule) => void;

/** A policy of one validate rule, in this environment's failure action, also run on existing resources. */
function validatePolicyDeclarer(name: string, args: KyvernoArgs, kyverno: k8s.helm.v3.Release, parent: pulumi.Resource): ValidatePolicy {
    return (key, policyName, rule) => {
        typedResource(`${name}-${key}`, new args.models.ClusterPolicy({
            metadata: { name: policyName },
            spec: { background: true, rules: [{ ...rule, validate: { ...rule.validate, failureAction: failureAction(args) } }] },
        }), { parent, dependsOn: [kyverno] });
    };
}

const PODS = { resources: { kinds: ["Pod"] } };

/** Every pod, the platform's included: resources declared, images pinned. */
function declareWorkloadRules(validatePolicy: ValidatePolicy): void {
    const system = { resources: { namespaces: exemptNamespaces() } };
    validatePolicy("require-resources", "require-requests-limits", {
        name: "containers-declare-requests-and-memory-limits",
        match: { any: [PODS] },
        exclude: { any: [system] },
        validate: {
            message: "Every container declares CPU and memory requests and a memory limit.",
            pattern: { spec: { containers: [{ resources: { requests: { memory: "?*", cpu: "?*" }, limits: { memory: "?*" } } }] } },
        },
    });
    validatePolicy("disallow-latest", "disallow-latest-tag", {
        name: "images-are-pinned",
        match: { any: [PODS] },
        validate: {
            message: "Images carry an explicit tag or digest other than latest.",
            pattern: { spec: { containers: [{ image: "*:* & !*:latest" }] } },
        },
    });
}

/** Application namespaces: closed by default, pulled only from allowed registries, meshed, and (when configured) signed. */
function declareApplicationRules(name: string, args: KyvernoArgs, kyverno: k8s.helm.v3.Release, validatePolicy: ValidatePolicy, parent: pulumi.Resource): void {
    // Application namespaces start closed, with what a meshed pod needs open: the same base as the platform's own
    // namespaces (DNS, istiod, scraping), calls from the ingress gateway and spans to the collector. The
    // platform's namespaces declare their own policies of these names, so they are left out.
    const applications = outsidePlatform(args.platformNamespaces);
    const networkPolicy = (policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        applicationNamespaceRule({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: policyName, data: { spec } }, args.platformNamespaces);
    const { ingressGatewayNamespace, telemetry } = args.applicationTraffic;
    typedResource(`${name}-default-deny`, new args.models.ClusterPolicy({
        metadata: { name: "generate-default-deny" },
        spec: {
            rules: [
                networkPolicy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
                networkPolicy("allow-platform", allowPlatformSpec(args.cluster, {
                    ingress: [{ from: [namespaceSelector(ingressGatewayNamespace)] }],
                    egress: [telemetry.egress],
                })),
            ],
        },
    }), { parent, dependsOn: [kyverno] });

    // Application namespaces: pulled only from allowed registries, meshed, and (when configured) signed.
    const meshProxy = platformImage(args.cluster, MESH_PROXY_IMAGE);
    // Teams push their images to the platform registry's own namespace, which no cache rule serves (docs/application-images.md).
    const registries = [...args.admission.allowedRegistries, ...(args.cluster.imageRegistry ? [`${args.cluster.imageRegistry}/${APPLICATION_REPOSITORIES}`] : [])];
    validatePolicy("restrict-registries", "restrict-image-registries", {
        name: "images-from-allowed-registries",
        match: { any: [PODS] },
        ...applications,
        validate: {
            message: `Images come from an allowed registry: ${registries.join(", ")}.`,
            // Kyverno validates the mutated pod: the sidecar istiod injects must pass too.
            pattern: { spec: { containers: [{ image: [...registries.map((r) => `${r}/*`), `${meshProxy}:*`].join(" | ") }] } },
        },
    });
    validatePolicy("require-mesh", "require-mesh-injection", {
        name: "application-namespaces-join-the-mesh",
        match: { any: [{ resources: { kinds: ["Namespace"] } }] },
        ...applications,
        validate: {
            // Sidecar mode only: ambient would need ztunnel, which the platform does not install.
            message: "Application namespaces join the mesh (label istio.io/rev): STRICT mTLS admits nothing else.",
            pattern: { metadata: { labels: { "istio.io/rev": "?*" } } },
        },
    });
    const signatures = args.admission.imageSignatures;
    if (signatures) {
        const attestor = "publicKey" in signatures
            ? { keys: { publicKeys: signatures.publicKey } }
            : { keyless: { issuer: signatures.keylessIssuer, subject: signatures.keylessSubject } };
        typedResource(`${name}-verify-signatures`, new args.models.ClusterPolicy({
            metadata: { name: "verify-image-signatures" },
            spec: {
                // Registry round trips outlast the default 10 s (here, not in the spec.webhookTimeoutSeconds 1.19 deprecates).
                webhookConfiguration: { timeoutSeconds: 30 },
                rules: [{
                    name: "cosign-signed-images",
                    match: { any: [PODS] },
                    ...applications,
                    // The team signs its images, not Istio's: the proxy istiod injects is exempt.
                    verifyImages: [{
                        imageReferences: ["*"],
                        skipImageReferences: [`${meshProxy}:*`],
                        failureAction: failureAction(args),
                        attestors: [{ entries: [attestor] }],
                        mutateDigest: true,
                        verifyDigest: true,
                    }],
                }],
            },
        }), { parent, dependsOn: [kyverno] });
    }
}
