import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as security from "@pulumi/azure-native/security";
import { logSearchAlert } from "../shared/logAlert";
import { required } from "../shared/required";
import { assignRole } from "../shared/roleAssignment";

export interface DefenderForContainersArgs {
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    /** The platform registry (its name): its images' findings raise the alert. */
    registryName: string;
    /** The workspace the alert rule is scoped to, and where its action group points. */
    workspaceId: pulumi.Input<string>;
    alertActionGroupId?: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * The Containers plan's extensions, all on, as Azure Policy's "Configure Microsoft Defender for Containers plan"
 * (efd4031d-b232-4595-babf-ae817348e91b, v1.5.0) deploys them: registry vulnerability assessment, agentless
 * discovery of clusters, agentless scanning of nodes, the sensor (runtime threat detection; with security gating,
 * Defender's admission rules for vulnerable images) and integrity contribution (security findings).
 */
export const CONTAINERS_PLAN_EXTENSIONS = [
    "ContainerRegistriesVulnerabilityAssessments",
    "AgentlessDiscoveryForKubernetes",
    "AgentlessVmScanning",
    "ContainerSensor",
    "ContainerIntegrityContribution",
] as const;

/**
 * Defender's assessment of Azure registry images, powered by Microsoft Defender Vulnerability Management; its
 * findings are sub-assessments in Azure Resource Graph (learn.microsoft.com/azure/defender-for-cloud/subassessment-rest-api).
 */
export const REGISTRY_IMAGE_ASSESSMENT = "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5";

/** The alert's name in Azure Monitor and its runbook heading. */
const CRITICAL_IMAGE_ALERT = "CriticalImageVulnerabilityWithFix";

/**
 * Microsoft Defender for Containers on the SUBSCRIPTION (a plan covers every cluster and registry in it), and an
 * alert on what its registry scanning finds in the platform registry: a critical vulnerability that has a fixed
 * version. The alert, not an admission gate, because the findings arrive after an image is pushed or pulled
 * (every image here comes through the registry's cache) and the fix is a version bump the team makes.
 */
export class DefenderForContainers extends pulumi.ComponentResource {
    constructor(name: string, args: DefenderForContainersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:defender:DefenderForContainers", name, {}, opts);
        const { namePrefix } = args;
        new security.Pricing(`${name}-plan`, {
            pricingName: "Containers",
            scopeId: pulumi.interpolate`/subscriptions/${args.subscriptionId}`,
            pricingTier: security.PricingTier.Standard,
            extensions: CONTAINERS_PLAN_EXTENSIONS.map((extension) => ({
                name: extension,
                isEnabled: security.IsEnabled.True,
                ...(extension === "ContainerSensor" ? { additionalExtensionProperties: { SecurityGatingEnabled: "True" } } : {}),
            })),
        }, {
            parent: this,
            // Azure refuses a delete at subscription scope ("Use PUT to Enabled or Disable specific pricing bundles
            // on a subscription", Azure/terraform-provider-azapi#818): destroying the stack leaves the plan on.
            retainOnDelete: true,
        });

        const query = [
            'arg("").securityresources',
            '| where type =~ "microsoft.security/assessments/subassessments"',
            '| extend assessmentKey = extract(@"(?i)providers/Microsoft.Security/assessments/([^/]*)", 1, id)',
            `| where assessmentKey == "${REGISTRY_IMAGE_ASSESSMENT}" and id has "/providers/Microsoft.ContainerRegistry/registries/${args.registryName}/"`,
            '| where tostring(properties.status.code) == "Unhealthy"',
            '| where tostring(properties.additionalData.vulnerabilityDetails.severity) == "Critical"',
            '| where tostring(properties.additionalData.softwareDetails.fixStatus) == "FixAvailable"',
            "| project Repository = tostring(properties.additionalData.artifactDetails.repositoryName), Digest = tostring(properties.additionalData.artifactDetails.digest), Cve = tostring(properties.id), Package = tostring(properties.additionalData.softwareDetails.packageName), FixedVersion = tostring(properties.additionalData.softwareDetails.fixedVersion)",
        ].join("\n");
        const rule = logSearchAlert(`${name}-critical-image-alert`, {
            ruleName: `alert-${namePrefix}-critical-image-vulnerability`,
            alert: CRITICAL_IMAGE_ALERT,
            description: "Defender found a critical vulnerability with a fixed version in an image of the platform registry",
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            workspaceId: args.workspaceId,
            query,
            severity: 1,
            every: "PT1H",
            actionGroupId: args.alertActionGroupId,
            subscriptionId: args.subscriptionId,
            purpose: `${namePrefix}/critical-image-alert`,
            tags: args.tags,
        }, { parent: this });
        // The findings hang under the registry, in the stack's resource group.
        assignRole(`${name}-critical-image-alert-reader`, {
            principalId: rule.identity.apply((identity) => required(identity?.principalId, `identity of ${CRITICAL_IMAGE_ALERT}`)),
            principalType: authorization.PrincipalType.ServicePrincipal,
            role: "Reader",
            scope: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}`,
            subscriptionId: args.subscriptionId,
            purpose: `${namePrefix}/critical-image-alert/reader`,
        }, { parent: this });
        this.registerOutputs({});
    }
}
