import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

/** Where Azure Monitor alerts go: the same people Alertmanager pages (both optional). */
export interface AzureAlertReceivers {
    emailAddress?: string;
    /** A chat or paging webhook whose URL carries its token (secret). */
    webhookUrl?: pulumi.Output<string>;
}

export interface AlertTarget {
    namePrefix: string;
    resourceGroupName: pulumi.Input<string>;
    /** Where the alerts notify; none when no receiver is configured. */
    actionGroup?: monitor.ActionGroup;
    tags: Record<string, string>;
}

/** The action group of the configured receivers, the one Azure-side alerts notify (none without receivers). */
export function alertActionGroup(name: string, args: { namePrefix: string; resourceGroupName: pulumi.Input<string>; receivers: AzureAlertReceivers; tags: Record<string, string> }, parent: pulumi.Resource): monitor.ActionGroup | undefined {
    const { emailAddress, webhookUrl } = args.receivers;
    if (!emailAddress && !webhookUrl) {
        return undefined;
    }
    return new monitor.ActionGroup(`${name}-action-group`, {
        actionGroupName: `ag-${args.namePrefix}-platform`,
        groupShortName: "platform",
        resourceGroupName: args.resourceGroupName,
        location: "global",
        enabled: true,
        emailReceivers: emailAddress ? [{ name: "email", emailAddress, useCommonAlertSchema: true }] : [],
        webhookReceivers: webhookUrl ? [{ name: "webhook", serviceUri: webhookUrl, useCommonAlertSchema: true }] : [],
        tags: args.tags,
    }, { parent });
}

/** API Management's answers the alerts watch: rejected tokens (validate-jwt) and rate limits (rate-limit-by-key). */
const WATCHED_RESPONSES = [
    { alert: "auth-failures", codes: ["401", "403"], description: "API Management rejects unusually many requests as unauthenticated or forbidden (validate-jwt)" },
    { alert: "rate-limited", codes: ["429"], description: "API Management rate-limits unusually many requests" },
];

/**
 * JWT and rate-limit rejections happen in API Management, before a request reaches the cluster, so Prometheus
 * never sees them: Azure Monitor watches API Management's `Requests` metric by gateway response code, against a
 * learned baseline (dynamic thresholds: traffic differs too much between APIs for a fixed count).
 */
export function declareApiManagementAlerts(name: string, args: AlertTarget & { apiManagementId: pulumi.Input<string> }, parent: pulumi.Resource): void {
    const { actionGroup } = args;

    for (const watched of WATCHED_RESPONSES) {
        new monitor.MetricAlert(`${name}-${watched.alert}`, {
            ruleName: `alert-${args.namePrefix}-apim-${watched.alert}`,
            resourceGroupName: args.resourceGroupName,
            location: "global",
            description: watched.description,
            severity: 2,
            enabled: true,
            scopes: [args.apiManagementId],
            evaluationFrequency: "PT5M",
            windowSize: "PT15M",
            criteria: {
                odataType: "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria",
                allOf: [{
                    criterionType: monitor.CriterionType.DynamicThresholdCriterion,
                    name: "rejected-requests",
                    metricNamespace: "Microsoft.ApiManagement/service",
                    metricName: "Requests",
                    dimensions: [{ name: "GatewayResponseCode", operator: "Include", values: watched.codes }],
                    timeAggregation: monitor.AggregationTypeEnum.Total,
                    operator: monitor.DynamicThresholdOperator.GreaterThan,
                    alertSensitivity: monitor.DynamicThresholdSensitivity.Medium,
                    // Three of the last four 15-minute windows above the baseline: a surge, not a blip.
                    failingPeriods: { numberOfEvaluationPeriods: 4, minFailingPeriodsToAlert: 3 },
                }],
            },
            autoMitigate: true,
            actions: actionGroup ? [{ actionGroupId: actionGroup.id }] : [],
            tags: args.tags,
        }, { parent });
    }
}
