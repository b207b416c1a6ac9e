import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as monitor from "@pulumi/azure-native/monitor";
import { logSearchAlert } from "../shared/logAlert";
import { required } from "../shared/required";
import { assignRole } from "../shared/roleAssignment";

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

/** Front Door renews its managed certificate only while the domain's validation stays Approved. */
const FRONT_DOOR_DOMAIN_ALERT = "FrontDoorDomainNotApproved";

/**
 * A log search alert over Azure Resource Graph: the custom domains of this Front Door profile whose validation
 * state is not Approved (a lapsed validation stops the managed certificate's renewal). The rule reads Resource
 * Graph with its own identity, which holds Reader on the resource group.
 */
export function declareFrontDoorDomainAlert(name: string, args: AlertTarget & { location: string; workspaceId: pulumi.Input<string>; profileName: string; subscriptionId: pulumi.Input<string> }, parent: pulumi.Resource): monitor.ScheduledQueryRule {
    const query = [
        'arg("").resources',
        `| where type =~ "microsoft.cdn/profiles/customdomains" and id has "/profiles/${args.profileName}/"`,
        "| extend validation = tostring(properties.domainValidationState)",
        '| where validation !~ "Approved"',
        "| project id, validation",
    ].join("\n");
    const rule = logSearchAlert(name, {
        ruleName: `alert-${args.namePrefix}-afd-domain-validation`,
        alert: FRONT_DOOR_DOMAIN_ALERT,
        description: "A Front Door custom domain is not Approved: its managed certificate stops renewing",
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        workspaceId: args.workspaceId,
        query,
        severity: 1,
        every: "PT1H",
        actionGroupId: args.actionGroup?.id,
        ownIdentity: true,
        tags: args.tags,
    }, { parent });
    assignRole(`${name}-reader`, {
        principalId: rule.identity.apply((identity) => required(identity?.principalId, `identity of ${FRONT_DOOR_DOMAIN_ALERT}`)),
        principalType: authorization.PrincipalType.ServicePrincipal,
        role: "Reader",
        scope: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}`,
        subscriptionId: args.subscriptionId,
        purpose: `${args.namePrefix}/afd-domain-alert/reader`,
    }, { parent });
    return rule;
}
