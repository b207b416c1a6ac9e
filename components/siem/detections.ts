/**
 * The platform's own threats as Sentinel analytics rules: each a KQL query over a table the workspace receives
 * (AKSAudit from the cluster's kube-audit diagnostics, ContainerLogV2 and KubeEvents from Container insights).
 * Pure data, so the queries are checked by Kusto's own parser against the documented table schemas
 * (test/unit/detections.ts). Every rule's name is its heading in docs/siem.md.
 */
import { AlertSeverity, AttackTactic } from "@pulumi/azure-native/types/enums/securityinsights";
import type { WatchedSecret } from "../cluster/audit";
import { caKeyReadQuery } from "../cluster/audit";

/** Entity columns Sentinel maps (Account = who, IP = from where, Host = which node). */
export interface DetectionEntities {
    account?: string;
    ip?: string;
    host?: string;
}

export interface Detection {
    /** The rule's display name in Sentinel and its heading in docs/siem.md. */
    name: string;
    description: string;
    severity: AlertSeverity;
    query: string;
    /** MITRE ATT&CK tactics and techniques (attack.mitre.org ids). */
    tactics: AttackTactic[];
    techniques: string[];
    entities: DetectionEntities;
}

export interface DetectionScope {
    /** CA keys' Secrets and who may read them (the same list as the cluster's Azure Monitor alert). */
    caKeySecrets: WatchedSecret[];
    /** Namespaces the platform owns: a privileged pod anywhere else is an application's. */
    platformNamespaces: string[];
    /** Falco's namespace: its container prints every alert as one JSON line (`json_output`). */
    falcoNamespace: string;
    /** Kyverno's namespace: its service accounts manage Kyverno's own webhook configurations. */
    kyvernoNamespace: string;
    /** Admission enforces (prod): a policy switched to Audit is then tampering, not the environment's setting. */
    admissionEnforced: boolean;
}

const list = (values: string[]) => values.map((v) => `"${v}"`).join(", ");

/** Successful requests only: a denied attempt is the API server's, and RBAC's, business. */
const SUCCEEDED = "toint(ResponseStatus.code) between (200 .. 299)";

/**
 * Admission objects: Kyverno's policies (kyverno.io, the CRDs the chart installs), and the API server's own
 * webhook configurations and validating admission policies (admissionregistration.k8s.io/v1).
 */
const KYVERNO_POLICIES = ["clusterpolicies", "policies"];
const WEBHOOKS = ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"];
const ADMISSION_POLICIES = ["validatingadmissionpolicies", "validatingadmissionpolicybindings"];

function admissionTamperingQuery(scope: DetectionScope): string {
    // A Kyverno policy updated to Audit while admission enforces: `failureAction` (or the older
    // `validationFailureAction`) set to Audit (kyverno.io/docs/policy-types/cluster-policy/validate).
    const weakened = scope.admissionEnforced
        ? `or (Kind in (${list(KYVERNO_POLICIES)}) and Verb in ("update", "patch") and tostring(RequestObject) has_cs "Audit")`
        : "";
    return [
        "AKSAudit",
        `| where tostring(ObjectRef.resource) in (${list([...KYVERNO_POLICIES, ...WEBHOOKS, ...ADMISSION_POLICIES])})`,
        '| where isempty(tostring(ObjectRef.subresource))',
        `| where ${SUCCEEDED}`,
        "| extend Kind = tostring(ObjectRef.resource), Actor = tostring(User.username)",
        // Kyverno rewrites its own webhook configurations whenever policies change.
        `| where not(Kind in (${list(WEBHOOKS)}) and Actor startswith "system:serviceaccount:${scope.kyvernoNamespace}:")`,
        `| where Verb in ("delete", "deletecollection") ${weakened}`,
        "| project TimeGenerated, Verb, Kind, Name = tostring(ObjectRef.name), Namespace = tostring(ObjectRef.namespace), Actor, SourceIp = tostring(SourceIps[0])",
    ].join("\n");
}

/**
 * Pods that take the host: a privileged container (init and ephemeral ones included: `kubectl debug --profile
 * sysadmin` adds a privileged ephemeral container), or the host's PID, IPC or network namespace. These are the
 * Pod Security Standards' baseline checks (kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
 * that amount to a node takeover; Kyverno rejects them in application namespaces, so one that was admitted
 * means admission was bypassed or weakened.
 */
function privilegedPodQuery(scope: DetectionScope): string {
    return [
        "AKSAudit",
        '| where tostring(ObjectRef.resource) == "pods"',
        '| where (Verb == "create" and isempty(tostring(ObjectRef.subresource))) or (Verb in ("update", "patch") and tostring(ObjectRef.subresource) == "ephemeralcontainers")',
        `| where ${SUCCEEDED}`,
        `| where tostring(ObjectRef.namespace) !in (${list(scope.platformNamespaces)})`,
        // The stored pod (after mutation) when the audit level records it, else the request.
        "| extend Spec = iff(isnotempty(ResponseObject.spec), ResponseObject.spec, RequestObject.spec)",
        "| extend HostNamespaces = tobool(Spec.hostPID) or tobool(Spec.hostIPC) or tobool(Spec.hostNetwork)",
        '| mv-expand Container = array_concat(iff(isnull(Spec.containers), dynamic([]), Spec.containers), iff(isnull(Spec.initContainers), dynamic([]), Spec.initContainers), iff(isnull(Spec.ephemeralContainers), dynamic([]), Spec.ephemeralContainers))',
        "| where HostNamespaces or tobool(Container.securityContext.privileged)",
        "| summarize Containers = make_set(tostring(Container.name)) by TimeGenerated, Namespace = tostring(ObjectRef.namespace), Pod = coalesce(tostring(ObjectRef.name), tostring(ResponseObject.metadata.name)), Actor = tostring(User.username), SourceIp = tostring(SourceIps[0]), HostNamespaces",
    ].join("\n");
}

/**
 * Falco's critical events (its own priorities Emergency, Alert, Critical; falco.org/docs/concepts/rules/basic-elements/#priority),
 * as Falco prints them: one JSON object per line (`json_output: true`) with `rule`, `priority`, `output` and
 * `output_fields` (falco.org/docs/concepts/outputs/formatting/). ContainerLogV2 keeps a JSON line as dynamic.
 */
function falcoQuery(scope: DetectionScope): string {
    return [
        "ContainerLogV2",
        `| where PodNamespace == "${scope.falcoNamespace}" and ContainerName == "falco"`,
        "| extend Event = parse_json(tostring(LogMessage))",
        '| where tostring(Event.priority) in ("Emergency", "Alert", "Critical")',
        '| project TimeGenerated, Rule = tostring(Event.rule), Priority = tostring(Event.priority), Output = tostring(Event.output), Namespace = tostring(Event.output_fields["k8s.ns.name"]), Pod = tostring(Event.output_fields["k8s.pod.name"]), Node = Computer',
    ].join("\n");
}

/**
 * Kyverno's PolicyViolation events (a Warning event on the policy for every failed rule; kyverno pkg/event:
 * `NewPolicyFailEvent`, message "<Kind> <namespace>/<name>: [<rule>] fail (blocked); ..."), which Container
 * insights collects into KubeEvents (Warning events by default).
 */
const KYVERNO_QUERY = [
    "KubeEvents",
    '| where Reason == "PolicyViolation" and ObjectKind in ("ClusterPolicy", "Policy")',
    '| summarize Violations = count(), Blocked = countif(Message has "(blocked)"), Example = take_any(Message) by Policy = Name, bin(TimeGenerated, 5m)',
].join("\n");

/** The detections for this platform's threats, by the names docs/siem.md gives them. */
export function platformDetections(scope: DetectionScope): Detection[] {
    return [
        {
            name: "CaKeyReadByUnexpectedIdentity",
            description: "A CA key's Secret was read by an identity other than the one that signs with it: whoever holds it can mint certificates the ingress path or the mesh trusts.",
            severity: AlertSeverity.High,
            query: caKeyReadQuery(scope.caKeySecrets),
            tactics: [AttackTactic.CredentialAccess],
            // T1552.007 Unsecured Credentials: Container API.
            techniques: ["T1552"],
            entities: { account: "Reader" },
        },
        {
            name: "AdmissionPolicyTampering",
            description: scope.admissionEnforced
                ? "An admission policy or webhook was deleted, or a Kyverno policy was switched to Audit: pods it would reject are admitted."
                : "An admission policy or webhook was deleted: pods it would reject are admitted.",
            severity: AlertSeverity.High,
            query: admissionTamperingQuery(scope),
            tactics: [AttackTactic.DefenseEvasion],
            // T1562.001 Impair Defenses: Disable or Modify Tools.
            techniques: ["T1562"],
            entities: { account: "Actor", ip: "SourceIp" },
        },
        {
            name: "PrivilegedPodInApplicationNamespace",
            description: "A pod with a privileged container or the host's PID, IPC or network namespace was admitted into an application namespace.",
            severity: AlertSeverity.High,
            query: privilegedPodQuery(scope),
            tactics: [AttackTactic.PrivilegeEscalation],
            // T1611 Escape to Host; T1610 Deploy Container.
            techniques: ["T1611", "T1610"],
            entities: { account: "Actor", ip: "SourceIp" },
        },
        {
            name: "FalcoCriticalEvent",
            description: "Falco raised a rule at Critical priority or above (the platform's rules and Falco's defaults).",
            severity: AlertSeverity.High,
            query: falcoQuery(scope),
            tactics: [AttackTactic.Execution],
            // T1609 Container Administration Command.
            techniques: ["T1609"],
            entities: { host: "Node" },
        },
        {
            name: "KyvernoPolicyViolation",
            description: "Kyverno found resources that fail its policies (blocked in prod, audited in dev).",
            severity: AlertSeverity.Medium,
            query: KYVERNO_QUERY,
            tactics: [AttackTactic.Execution],
            techniques: ["T1610"],
            entities: {},
        },
    ];
}
