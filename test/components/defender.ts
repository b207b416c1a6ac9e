/**
 * Defender for Containers on its own (components/defender): the subscription's Containers plan with the extensions
 * Azure Policy's built-in "Configure Microsoft Defender for Containers plan" enables, and the alert on critical
 * findings with a fix, its Resource Graph query checked by Kusto's parser (test/kql.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DefenderForContainers } from "../../components/defender";
import { MOCK_SUBSCRIPTION_ID } from "../../offline/mocks";
import { argProblems } from "../kql";
import { builtInRole, declare, named, once, ownResources, RG, RG_ID, WORKSPACE } from "./harness";

const ACTION_GROUP = `${RG_ID}/providers/Microsoft.Insights/actionGroups/ag-platform-dev-platform`;

const declared = once(() => declare(({ azure }) => new DefenderForContainers("defender", {
    namePrefix: "platform-dev",
    location: "westeurope",
    resourceGroupName: RG,
    subscriptionId: MOCK_SUBSCRIPTION_ID,
    registryName: "acrplatformdev1234abcd",
    workspaceId: WORKSPACE,
    alertActionGroupId: ACTION_GROUP,
    tags: { environment: "dev" },
}, azure()), false));

describe("defender component: Defender for Containers", () => {
    it("declares everything under platform:defender:DefenderForContainers", async () => {
        const { own } = ownResources(await declared(), "defender", "platform:defender:DefenderForContainers");
        // The plan, the alert, its Reader on the group and (the shared log alert's) Reader on the workspace.
        assert.equal(own.length, 4);
    });

    it("turns the Containers plan on for the subscription with every extension of the built-in policy efd4031d (v1.5.0)", async () => {
        const plan = named(await declared(), "defender-plan");
        assert.deepEqual([plan.inputs["pricingName"], plan.inputs["scopeId"], plan.inputs["pricingTier"]], ["Containers", `/subscriptions/${MOCK_SUBSCRIPTION_ID}`, "Standard"]);
        assert.deepEqual(plan.inputs["extensions"], [
            { name: "ContainerRegistriesVulnerabilityAssessments", isEnabled: "True" },
            { name: "AgentlessDiscoveryForKubernetes", isEnabled: "True" },
            { name: "AgentlessVmScanning", isEnabled: "True" },
            { name: "ContainerSensor", isEnabled: "True", additionalExtensionProperties: { SecurityGatingEnabled: "True" } },
            { name: "ContainerIntegrityContribution", isEnabled: "True" },
        ]);
        // A subscription-level pricing cannot be deleted (only PUT to Free): destroying the stack must not try.
        assert.equal(plan.retainOnDelete, true);
    });

    it("alerts hourly on the platform registry's critical findings that have a fix, reading Resource Graph with Reader on the group", async () => {
        const graph = await declared();
        const rule = named(graph, "defender-critical-image-alert").inputs;
        assert.deepEqual([rule["displayName"], rule["evaluationFrequency"], rule["severity"], rule["actions"]], ["CriticalImageVulnerabilityWithFix", "PT1H", 1, { actionGroups: [ACTION_GROUP] }]);
        const query = rule["criteria"].allOf[0].query as string;
        // learn.microsoft.com/azure/defender-for-cloud/subassessment-rest-api: the MDVM registry assessment's key.
        assert.match(query, /assessmentKey == "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5"/);
        assert.match(query, /id has "\/providers\/Microsoft\.ContainerRegistry\/registries\/acrplatformdev1234abcd\/"/);
        assert.match(query, /vulnerabilityDetails\.severity\) == "Critical"/);
        assert.match(query, /softwareDetails\.fixStatus\) == "FixAvailable"/);
        assert.deepEqual(argProblems(query), []);
        const reader = named(graph, "defender-critical-image-alert-reader").inputs;
        assert.deepEqual([reader["roleDefinitionId"], reader["scope"]], [builtInRole("acdd72a7-3385-48ef-bd42-f606fba81ae7"), RG_ID]);
        // Its query runs in the workspace: Reader there too (alerts-create-log-alert-rule, "Identity").
        const workspaceReader = named(graph, "defender-critical-image-alert-workspace-reader").inputs;
        assert.deepEqual([workspaceReader["roleDefinitionId"], workspaceReader["scope"]], [builtInRole("acdd72a7-3385-48ef-bd42-f606fba81ae7"), WORKSPACE]);
    });
});
