import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";

export interface ContainerInsightsArgs {
    namePrefix: string;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    clusterId: pulumi.Input<string>;
    workspaceId: pulumi.Input<string>;
    /** Namespaces whose container logs the workspace keeps (Falco's); every other container log is dropped at ingestion. */
    logNamespaces: string[];
    /** Kubernetes event reasons the workspace keeps (Kyverno's policy results); every other event is dropped. */
    eventReasons: string[];
    tags: Record<string, string>;
}

/**
 * The association name Container insights reads its rule from; the monitoring add-on's onboarding template uses
 * exactly this name (learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable-arm).
 */
export const CONTAINER_INSIGHTS_ASSOCIATION = "ContainerInsightsExtension";

/**
 * Container insights' data collection rule for the cluster's monitoring add-on (Azure Monitor agent, Entra ID
 * auth): only Falco's container logs (ContainerLogV2) and Kyverno's policy events (KubeEvents) reach the workspace.
 * The agent filters container logs only by excluded namespaces (ConfigMap), so the selection is an ingestion-time
 * transformation (learn.microsoft.com/azure/azure-monitor/containers/container-insights-transformations): the agent
 * still sends every log line, and Azure Monitor drops the rest before it is stored or billed as ingestion.
 */
export function declareContainerInsights(name: string, args: ContainerInsightsArgs, parent: pulumi.Resource): monitor.DataCollectionRule {
    const destination = "workspace";
    const quoted = (values: string[]) => values.map((v) => `'${v}'`).join(", ");
    const rule = new monitor.DataCollectionRule(`${name}-dcr`, {
        dataCollectionRuleName: `dcr-${args.namePrefix}-container-insights`,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: monitor.KnownDataCollectionRuleResourceKind.Linux,
        description: "Container insights: Falco's alerts and Kyverno's policy events for Microsoft Sentinel",
        dataSources: {
            extensions: [{
                name: CONTAINER_INSIGHTS_ASSOCIATION,
                extensionName: "ContainerInsights",
                streams: ["Microsoft-ContainerLogV2", "Microsoft-KubeEvents"],
                extensionSettings: {
                    dataCollectionSettings: {
                        interval: "1m",
                        // DCR namespace filtering does not apply to ContainerLogV2 (container-insights-data-collection-filter);
                        // the transformations below select.
                        namespaceFilteringMode: "Off",
                        enableContainerLogV2: true,
                    },
                },
            }],
        },
        destinations: { logAnalytics: [{ name: destination, workspaceResourceId: args.workspaceId }] },
        dataFlows: [
            {
                streams: ["Microsoft-ContainerLogV2"],
                destinations: [destination],
                transformKql: `source | where PodNamespace in (${quoted(args.logNamespaces)})`,
            },
            {
                streams: ["Microsoft-KubeEvents"],
                destinations: [destination],
                transformKql: `source | where Reason in (${quoted(args.eventReasons)})`,
            },
        ],
        tags: args.tags,
    }, { parent });
    new monitor.DataCollectionRuleAssociation(`${name}-dcra`, {
        associationName: CONTAINER_INSIGHTS_ASSOCIATION,
        resourceUri: args.clusterId,
        dataCollectionRuleId: rule.id,
        description: "Container insights for the platform cluster",
    }, { parent });
    return rule;
}
