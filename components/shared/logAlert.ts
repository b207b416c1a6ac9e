import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as monitor from "@pulumi/azure-native/monitor";
import { required } from "./required";
import { assignRole } from "./roleAssignment";

export interface LogAlertArgs {
    ruleName: string;
    /** The alert's name as receivers see it; also its runbook heading in docs/runbooks.md. */
    alert: string;
    description: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** The Log Analytics workspace the query runs in. */
    workspaceId: pulumi.Input<string>;
    /** KQL; every row it returns is a reason to alert. */
    query: string;
    /** Azure Monitor severity: 0 critical to 4 verbose. */
    severity: number;
    /** How often the query runs over the same span, ISO 8601 (PT5M, PT1H). */
    every: string;
    actionGroupId?: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** Unique in the stack: the name the rule's read grant is derived from, e.g. `platform-dev/ca-key-read-alert`. */
    purpose: string;
    tags: Record<string, string>;
}

/**
 * An Azure Monitor log search alert that fires when its query returns any row. It queries with its own identity:
 * "If you don't use a managed identity, the alert rule will inherit the permissions of the last user or service
 * principal who edited it", and the identity "must be assigned a reader role for all workspaces that the query
 * accesses" (learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule, "Identity"): Reader on
 * the workspace alone, the least built-in role that reads it.
 */
export function logSearchAlert(name: string, args: LogAlertArgs, opts: pulumi.CustomResourceOptions): monitor.ScheduledQueryRule {
    const rule = new monitor.ScheduledQueryRule(name, {
        ruleName: args.ruleName,
        displayName: args.alert,
        description: `${args.description} (runbook: ${args.alert}).`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: monitor.Kind.LogAlert,
        identity: { type: monitor.IdentityType.SystemAssigned },
        scopes: [args.workspaceId],
        severity: args.severity,
        enabled: true,
        evaluationFrequency: args.every,
        windowSize: args.every,
        criteria: {
            allOf: [{
                query: args.query,
                timeAggregation: monitor.TimeAggregation.Count,
                // scheduledQueryRules takes Equals, GreaterThan, ...; azure-native 3.28's monitor.ConditionOperator is
                // another API's enum under the same name ("gt"), which this API does not accept.
                operator: "GreaterThan",
                threshold: 0,
                failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            }],
        },
        autoMitigate: true,
        actions: args.actionGroupId ? { actionGroups: [args.actionGroupId] } : undefined,
        tags: args.tags,
    }, opts);
    assignRole(`${name}-workspace-reader`, {
        principalId: rule.identity.apply((identity) => required(identity?.principalId, `identity of alert rule ${args.ruleName}`)),
        principalType: authorization.PrincipalType.ServicePrincipal,
        role: "Reader",
        scope: args.workspaceId,
        subscriptionId: args.subscriptionId,
        purpose: `${args.purpose}/workspace-reader`,
    }, opts);
    return rule;
}
