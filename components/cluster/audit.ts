import * as pulumi from "@pulumi/pulumi";
import type * as monitor from "@pulumi/azure-native/monitor";
import { logSearchAlert } from "../shared/logAlert";

/** A Secret holding a CA key, and the service accounts that read it by design. */
export interface WatchedSecret {
    namespace: string;
    name: string;
    readers: { namespace: string; serviceAccount: string }[];
}

export interface SecretReadAlertArgs {
    namePrefix: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    workspaceId: pulumi.Input<string>;
    secrets: WatchedSecret[];
    actionGroupId?: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** The alert's name in Azure Monitor and its runbook heading. */
const CA_KEY_READ_ALERT = "CaKeyReadByUnexpectedIdentity";

/**
 * Reads of the CA keys' Secrets by anyone but their readers, from the API server's audit log (the kube-audit
 * category, in the AKSAudit table): a read is how a stolen credential would mint trusted certificates.
 */
export function declareSecretReadAlert(name: string, args: SecretReadAlertArgs, parent: pulumi.Resource): monitor.ScheduledQueryRule {
    const query = caKeyReadQuery(args.secrets);
    return logSearchAlert(name, {
        ruleName: `alert-${args.namePrefix}-ca-key-read`,
        alert: CA_KEY_READ_ALERT,
        description: "A CA key's Secret was read by an identity other than the one that signs with it",
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        workspaceId: args.workspaceId,
        query,
        severity: 1,
        every: "PT5M",
        actionGroupId: args.actionGroupId,
        subscriptionId: args.subscriptionId,
        purpose: `${args.namePrefix}/ca-key-read-alert`,
        tags: args.tags,
    }, { parent });
}

/** The audit-log query behind the alert (and Sentinel's rule of the same name): every read of a watched Secret by another identity. */
export function caKeyReadQuery(secrets: WatchedSecret[]): string {
    const watched = secrets.map((s) => {
        const readers = s.readers.map((r) => `"system:serviceaccount:${r.namespace}:${r.serviceAccount}"`).join(", ");
        return `(tostring(ObjectRef.namespace) == "${s.namespace}" and tostring(ObjectRef.name) == "${s.name}" and tostring(User.username) !in (${readers}))`;
    });
    return [
        "AKSAudit",
        '| where tostring(ObjectRef.resource) == "secrets" and Verb in ("get", "list", "watch")',
        `| where ${watched.join(" or ")}`,
        "| project TimeGenerated, Verb, Namespace = tostring(ObjectRef.namespace), Secret = tostring(ObjectRef.name), Reader = tostring(User.username), SourceIps",
    ].join("\n");
}
