/**
 * The SIEM component on its own (components/siem): Sentinel's onboarding on the workspace, its data connectors,
 * Container insights' data collection rule and the analytics rules, against literals from Microsoft's
 * documentation; every query and transformation through Kusto's own parser and binder (test/kql.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Siem } from "../../components/siem";
import { MOCK_SUBSCRIPTION_ID } from "../../offline/mocks";
import type { Graph } from "../../offline/engine";
import { kqlProblems, transformProblems } from "../kql";
import { declare, named, once, ownResources, RG, RG_ID, WORKSPACE, type Inputs } from "./harness";

const CLUSTER_ID = `${RG_ID}/providers/Microsoft.ContainerService/managedClusters/aks-platform-dev`;
const PLATFORM_NAMESPACES = ["kube-system", "cert-manager", "istio-system", "falco", "kyverno"];

function declareSiem(admissionEnforced: boolean): Promise<Graph> {
    return declare(({ azure }) => new Siem("siem", {
        namePrefix: "platform-dev",
        location: "westeurope",
        resourceGroupName: RG,
        subscriptionId: MOCK_SUBSCRIPTION_ID,
        workspaceId: WORKSPACE,
        clusterId: CLUSTER_ID,
        detections: {
            caKeySecrets: [{ namespace: "cert-manager", name: "platform-ca", readers: [{ namespace: "cert-manager", serviceAccount: "cert-manager" }] }],
            platformNamespaces: PLATFORM_NAMESPACES,
            falcoNamespace: "falco",
            kyvernoNamespace: "kyverno",
            admissionEnforced,
        },
        tags: { environment: "dev" },
    }, azure()), false);
}

const enforced = once(() => declareSiem(true));
const audited = once(() => declareSiem(false));
const ofType = (graph: Graph, type: string) => graph.resources.filter((r) => r.type === type).map((r) => r.inputs as Inputs);

describe("siem component: Sentinel and its data", () => {
    it("declares everything under platform:siem:Siem", async () => {
        const { own } = ownResources(await enforced(), "siem", "platform:siem:Siem");
        assert.equal(own.length, 11);
    });

    it("onboards Sentinel on the platform workspace (onboardingStates/default, the only name the API takes)", async () => {
        const onboarding = named(await enforced(), "siem-onboarding").inputs;
        assert.deepEqual([onboarding["sentinelOnboardingStateName"], onboarding["workspaceName"], onboarding["resourceGroupName"]], ["default", "log-platform-dev", RG]);
    });

    it("connects Defender for Cloud's alerts of this subscription and makes incidents of medium and high ones", async () => {
        const graph = await enforced();
        const connector = named(graph, "siem-defender-alerts").inputs;
        assert.deepEqual([connector["kind"], connector["subscriptionId"], connector["dataTypes"]], ["AzureSecurityCenter", MOCK_SUBSCRIPTION_ID, { alerts: { state: "Enabled" } }]);
        const incidents = named(graph, "siem-defender-incidents").inputs;
        // securityinsights MicrosoftSecurityProductName: Defender for Cloud's alerts carry the product "Azure Security Center".
        assert.deepEqual([incidents["kind"], incidents["productFilter"], incidents["severitiesFilter"]], ["MicrosoftSecurityIncidentCreation", "Azure Security Center", ["High", "Medium"]]);
        for (const name of ["siem-defender-alerts", "siem-defender-incidents", "siem-rule-ca-key-read-by-unexpected-identity"]) {
            assert.ok(named(graph, name).dependencies.includes(named(graph, "siem-onboarding").urn), `${name} waits for the onboarding`);
        }
    });

    it("sends the subscription's whole activity log to the workspace (every category of the activity log schema)", async () => {
        const [activity] = ofType(await enforced(), "azure-native:monitor:SubscriptionDiagnosticSetting");
        assert.equal(activity!["workspaceId"], WORKSPACE);
        // learn.microsoft.com/azure/azure-monitor/platform/activity-log-schema#categories
        assert.deepEqual(activity!["logs"].map((l: Inputs) => [l["category"], l["enabled"]]).sort(),
            [["Administrative", true], ["Alert", true], ["Autoscale", true], ["Policy", true], ["Recommendation", true], ["ResourceHealth", true], ["Security", true], ["ServiceHealth", true]]);
    });

    it("collects Falco's container logs and Kyverno's policy events into the workspace, and nothing else (Container insights)", async () => {
        const graph = await enforced();
        const rule = named(graph, "siem-container-insights-dcr").inputs;
        const [extension] = rule["dataSources"].extensions;
        assert.deepEqual([extension.extensionName, extension.name, extension.streams], ["ContainerInsights", "ContainerInsightsExtension", ["Microsoft-ContainerLogV2", "Microsoft-KubeEvents"]]);
        assert.equal(extension.extensionSettings.dataCollectionSettings.enableContainerLogV2, true);
        assert.deepEqual(rule["destinations"], { logAnalytics: [{ name: "workspace", workspaceResourceId: WORKSPACE }] });
        const flows = Object.fromEntries(rule["dataFlows"].map((f: Inputs) => [f["streams"].join(), f]));
        assert.equal(flows["Microsoft-ContainerLogV2"].transformKql, "source | where PodNamespace in ('falco')");
        assert.equal(flows["Microsoft-KubeEvents"].transformKql, "source | where Reason in ('PolicyViolation', 'PolicyError')");
        assert.deepEqual(transformProblems(flows["Microsoft-ContainerLogV2"].transformKql, "ContainerLogV2"), []);
        assert.deepEqual(transformProblems(flows["Microsoft-KubeEvents"].transformKql, "KubeEvents"), []);
        // The association name the monitoring add-on reads (kubernetes-monitoring-enable-arm's template).
        const association = named(graph, "siem-container-insights-dcra").inputs;
        assert.deepEqual([association["associationName"], association["resourceUri"]], ["ContainerInsightsExtension", CLUSTER_ID]);
        assert.equal(association["dataCollectionRuleId"], `${RG_ID}/providers/Microsoft.Insights/dataCollectionRules/dcr-platform-dev-container-insights`);
    });

    it("runs one scheduled analytics rule per platform threat, each an incident, each query valid KQL over its table", async () => {
        const rules = ofType(await enforced(), "azure-native:securityinsights:ScheduledAlertRule");
        assert.deepEqual(rules.map((r) => r["displayName"]).sort(), [
            "AdmissionPolicyTampering", "CaKeyReadByUnexpectedIdentity", "FalcoCriticalEvent", "KyvernoPolicyViolation", "PrivilegedPodInApplicationNamespace",
        ]);
        for (const rule of rules) {
            assert.deepEqual([rule["kind"], rule["enabled"], rule["triggerOperator"], rule["triggerThreshold"]], ["Scheduled", true, "GreaterThan", 0], rule["displayName"]);
            // Sentinel's shortest schedule, and a look-back that leaves no gap between runs.
            assert.deepEqual([rule["queryFrequency"], rule["queryPeriod"]], ["PT5M", "PT5M"], rule["displayName"]);
            assert.equal(rule["incidentConfiguration"].createIncident, true, rule["displayName"]);
            assert.match(rule["description"], new RegExp(`\\(docs/siem\\.md#${rule["displayName"].toLowerCase()}\\)$`));
            assert.deepEqual(kqlProblems(rule["query"]), [], rule["displayName"]);
        }
    });

    it("watches the CA keys' reads, admission tampering and privileged pods in the audit log, with the expected scope", async () => {
        const rules = Object.fromEntries(ofType(await enforced(), "azure-native:securityinsights:ScheduledAlertRule").map((r) => [r["displayName"], r["query"] as string]));
        assert.match(rules["CaKeyReadByUnexpectedIdentity"]!, /^AKSAudit\n/);
        assert.match(rules["CaKeyReadByUnexpectedIdentity"]!, /tostring\(ObjectRef\.name\) == "platform-ca" and tostring\(User\.username\) !in \("system:serviceaccount:cert-manager:cert-manager"\)/);
        // A policy switched to Audit counts only where admission enforces.
        assert.match(rules["AdmissionPolicyTampering"]!, /has_cs "Audit"/);
        const auditedRules = Object.fromEntries(ofType(await audited(), "azure-native:securityinsights:ScheduledAlertRule").map((r) => [r["displayName"], r["query"] as string]));
        assert.doesNotMatch(auditedRules["AdmissionPolicyTampering"]!, /Audit"/);
        assert.match(rules["PrivilegedPodInApplicationNamespace"]!, /!in \("kube-system", "cert-manager", "istio-system", "falco", "kyverno"\)/);
        assert.match(rules["PrivilegedPodInApplicationNamespace"]!, /tobool\(Spec\.hostPID\) or tobool\(Spec\.hostIPC\) or tobool\(Spec\.hostNetwork\)/);
        assert.match(rules["FalcoCriticalEvent"]!, /PodNamespace == "falco" and ContainerName == "falco"/);
    });

    it("the KQL check can fail: an unknown column, a table the workspace lacks, a syntax error", () => {
        assert.notDeepEqual(kqlProblems("AKSAudit | where Verbs == \"get\""), []);
        assert.notDeepEqual(kqlProblems("AKSAuditAdmin | take 1"), []);
        assert.notDeepEqual(kqlProblems("AKSAudit | where ("), []);
        assert.notDeepEqual(transformProblems("source | where Namespace == 'falco'", "ContainerLogV2"), []);
    });
});
