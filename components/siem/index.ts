import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as securityinsights from "@pulumi/azure-native/securityinsights";
import { deterministicGuid } from "../shared/guid";
import { declareContainerInsights } from "./containerInsights";
import { platformDetections, type Detection, type DetectionScope } from "./detections";

export { CONTAINER_INSIGHTS_ASSOCIATION } from "./containerInsights";
export { platformDetections, type Detection, type DetectionScope } from "./detections";

export interface SiemArgs {
    /** Short name used in Azure resource names, e.g. `platform-prod`. */
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** The platform's Log Analytics workspace (its ARM id): Sentinel is onboarded on it, every source sends to it. */
    workspaceId: pulumi.Input<string>;
    /** The AKS cluster whose monitoring add-on (Container insights) sends Falco's and Kyverno's events. */
    clusterId: pulumi.Input<string>;
    /** What the analytics rules watch, and who may do it. */
    detections: DetectionScope;
    tags: Record<string, string>;
}

/** Activity log categories (learn.microsoft.com/azure/azure-monitor/platform/activity-log-schema#categories): all of them. */
export const ACTIVITY_LOG_CATEGORIES = ["Administrative", "Security", "ServiceHealth", "Alert", "Recommendation", "Policy", "Autoscale", "ResourceHealth"];

/** Kyverno's event reasons for failed policies (kyverno pkg/event: PolicyViolation, PolicyError; both Warning events). */
const KYVERNO_EVENT_REASONS = ["PolicyViolation", "PolicyError"];

/**
 * Microsoft Sentinel on the platform's workspace, and what it correlates: Defender for Cloud's alerts (as
 * incidents), the subscription's activity log, the API server's audit log (already in the workspace, from the
 * cluster's diagnostics), Falco's alerts and Kyverno's policy events (Container insights), and analytics rules for
 * the platform's own threats. docs/siem.md describes each rule and its triage.
 */
export class Siem extends pulumi.ComponentResource {
    /** The analytics rules, by name (docs/siem.md headings). */
    public readonly detections: string[];

    constructor(name: string, args: SiemArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:siem:Siem", name, {}, opts);
        const { namePrefix, resourceGroupName, tags } = args;
        // The workspace's name, read from its id so everything here waits for the workspace.
        const workspaceName = pulumi.output(args.workspaceId).apply((id) => id.split("/").pop()!);

        const onboarding = new securityinsights.SentinelOnboardingState(`${name}-onboarding`, {
            // The only name the API takes (securityinsights onboardingStates: "Supports - default").
            sentinelOnboardingStateName: "default",
            resourceGroupName,
            workspaceName,
        }, { parent: this });
        const sentinel = { parent: this, dependsOn: [onboarding] };

        // Defender for Cloud's alerts (Defender for Containers' among them) into SecurityAlert.
        new securityinsights.ASCDataConnector(`${name}-defender-alerts`, {
            kind: "AzureSecurityCenter",
            dataConnectorId: deterministicGuid(`${namePrefix}/sentinel/connector/defender-for-cloud`),
            subscriptionId: args.subscriptionId,
            resourceGroupName,
            workspaceName,
            dataTypes: { alerts: { state: securityinsights.DataTypeState.Enabled } },
        }, sentinel);
        // ...and each of them an incident (Sentinel creates none from connected alerts by itself).
        new securityinsights.MicrosoftSecurityIncidentCreationAlertRule(`${name}-defender-incidents`, {
            kind: "MicrosoftSecurityIncidentCreation",
            ruleId: deterministicGuid(`${namePrefix}/sentinel/rule/defender-for-cloud-incidents`),
            displayName: "Defender for Cloud alerts",
            description: "An incident for every Defender for Cloud alert of medium or high severity (Defender for Containers' included).",
            enabled: true,
            productFilter: securityinsights.MicrosoftSecurityProductName.Azure_Security_Center,
            severitiesFilter: [securityinsights.AlertSeverity.High, securityinsights.AlertSeverity.Medium],
            resourceGroupName,
            workspaceName,
        }, sentinel);

        // Azure activity: Sentinel's Azure Activity connector is this subscription diagnostic setting
        // (learn.microsoft.com/azure/sentinel/data-connectors/azure-activity). Subscription-wide, like the log itself.
        new monitor.SubscriptionDiagnosticSetting(`${name}-activity`, {
            name: `activity-to-log-${namePrefix}`,
            workspaceId: args.workspaceId,
            logs: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
        }, { parent: this });

        declareContainerInsights(`${name}-container-insights`, {
            namePrefix,
            resourceGroupName,
            location: args.location,
            clusterId: args.clusterId,
            workspaceId: args.workspaceId,
            logNamespaces: [args.detections.falcoNamespace],
            eventReasons: KYVERNO_EVENT_REASONS,
            tags,
        }, this);

        const detections = platformDetections(args.detections);
        for (const detection of detections) {
            scheduledRule(`${name}-rule-${kebab(detection.name)}`, detection, { namePrefix, resourceGroupName, workspaceName }, sentinel);
        }

        this.detections = detections.map((d) => d.name);
        this.registerOutputs({ detections: this.detections });
    }
}

const kebab = (text: string) => text.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** How often each rule runs and how far back it looks: Sentinel's shortest interval, with no gap between runs. */
const RULE_FREQUENCY = "PT5M";

function scheduledRule(name: string, detection: Detection, target: { namePrefix: string; resourceGroupName: pulumi.Input<string>; workspaceName: pulumi.Input<string> }, opts: pulumi.CustomResourceOptions) {
    const { account, ip, host } = detection.entities;
    const entityMappings = [
        ...(account ? [{ entityType: securityinsights.EntityMappingType.Account, fieldMappings: [{ identifier: "Name", columnName: account }] }] : []),
        ...(ip ? [{ entityType: securityinsights.EntityMappingType.IP, fieldMappings: [{ identifier: "Address", columnName: ip }] }] : []),
        ...(host ? [{ entityType: securityinsights.EntityMappingType.Host, fieldMappings: [{ identifier: "HostName", columnName: host }] }] : []),
    ];
    return new securityinsights.ScheduledAlertRule(name, {
        kind: "Scheduled",
        ruleId: deterministicGuid(`${target.namePrefix}/sentinel/rule/${detection.name}`),
        displayName: detection.name,
        description: `${detection.description} (docs/siem.md#${detection.name.toLowerCase()})`,
        enabled: true,
        severity: detection.severity,
        query: detection.query,
        queryFrequency: RULE_FREQUENCY,
        queryPeriod: RULE_FREQUENCY,
        triggerOperator: securityinsights.TriggerOperator.GreaterThan,
        triggerThreshold: 0,
        suppressionEnabled: false,
        suppressionDuration: "PT1H",
        tactics: detection.tactics,
        techniques: detection.techniques,
        // One alert per row: each read, deletion or pod is its own finding.
        eventGroupingSettings: { aggregationKind: securityinsights.EventGroupingAggregationKind.AlertPerResult },
        entityMappings: entityMappings.length > 0 ? entityMappings : undefined,
        incidentConfiguration: {
            createIncident: true,
            // Alerts of one rule about the same entities within an hour join one incident.
            groupingConfiguration: {
                enabled: true,
                reopenClosedIncident: false,
                lookbackDuration: "PT1H",
                matchingMethod: securityinsights.MatchingMethod.AllEntities,
            },
        },
        resourceGroupName: target.resourceGroupName,
        workspaceName: target.workspaceName,
    }, opts);
}
