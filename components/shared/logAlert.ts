import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

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
    /** The rule reads Azure Resource Graph with its own identity (system-assigned). */
    ownIdentity?: boolean;
    tags: Record<string, string>;
}

/** An Azure Monitor log search alert that fires when its query returns any row. */
export function logSearchAlert(name: string, args: LogAlertArgs, opts: pulumi.CustomResourceOptions): monitor.ScheduledQueryRule {
    return new monitor.ScheduledQueryRule(name, {
        ruleName: args.ruleName,
        displayName: args.alert,
        description: `${args.description} (runbook: ${args.alert}).`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: monitor.Kind.LogAlert,
        ...(args.ownIdentity ? { identity: { type: monitor.IdentityType.SystemAssigned } } : {}),
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
}
