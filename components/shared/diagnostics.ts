import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

export interface DiagnosticsTarget {
    resourceUri: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    /** Log categories; `allLogs` (the category group) when omitted. */
    categories?: string[];
}

/** Sends a resource's logs and metrics to the platform's Log Analytics workspace, in resource-specific tables. */
export function sendDiagnostics(name: string, target: DiagnosticsTarget, opts: pulumi.CustomResourceOptions): monitor.DiagnosticSetting {
    return new monitor.DiagnosticSetting(name, {
        name: "to-log-analytics",
        resourceUri: target.resourceUri,
        workspaceId: target.workspaceId,
        logAnalyticsDestinationType: "Dedicated",
        logs: target.categories
            ? target.categories.map((category) => ({ category, enabled: true }))
            : [{ categoryGroup: "allLogs", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
    }, opts);
}
