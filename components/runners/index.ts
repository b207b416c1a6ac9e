/**
 * Phase 2's runners, declared in phase 1: GitHub Actions runners as event-driven Azure Container Apps jobs in the
 * runners subnet (learn.microsoft.com/azure/container-apps/tutorial-ci-cd-runners-jobs). Each execution registers one
 * just-in-time runner, runs one GitHub job and exits; pull-request previews and deploys have job definitions of their
 * own, with labels of their own, so they never share a runner.
 */
import * as pulumi from "@pulumi/pulumi";
import * as app from "@pulumi/azure-native/app";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as random from "@pulumi/random";
import { RUNNER_IMAGE_REPOSITORY } from "../../versions";
import { sendDiagnostics } from "../shared/diagnostics";
import { privateVault } from "../shared/privateVault";
import { assignRole } from "../shared/roleAssignment";
import { runnerImageSource } from "./image";

export { runnerEgress, type EgressGroup, type EgressHost } from "./egress";
export { runnerImageBuild, runnerImageSource, RUNNER_IMAGE_CONTEXT } from "./image";

/** What the two job definitions are for. */
export type RunnerRole = "preview" | "deploy";
export const RUNNER_ROLES: readonly RunnerRole[] = ["preview", "deploy"];

/** The one label a stack's runners of each role carry, and the only label its workflow jobs ask for. */
export function runnerLabels(stack: string): Record<RunnerRole, string> {
    return { preview: `platform-${stack}-preview`, deploy: `platform-${stack}-deploy` };
}

export interface RunnerJobSettings {
    /** Most executions (runners) at once; each takes one IP per ten in a Consumption profile. */
    maxExecutions: number;
    /** Seconds an execution may run before Container Apps stops it: longer than the workflow job's timeout-minutes. */
    replicaTimeoutSeconds: number;
}

/** The GitHub App the scaler and the runners authenticate as (created by a person; see docs/setup.md, CI setup). */
export interface GitHubApp {
    /** The repository's owner (user or organization) and name. */
    owner: string;
    repository: string;
    appId: number;
    installationId: number;
    /** The App's PEM private key (a stack config secret); it is stored in the runners' vault and never leaves Azure. */
    privateKey: pulumi.Output<string>;
}

export interface RunnersArgs {
    /** Short name used in every Azure resource name, e.g. `platform-dev`. */
    namePrefix: string;
    /** The stack the runners serve (their labels name it). */
    stack: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    /** The runners subnet: delegated to Microsoft.App/environments, /27 or larger, its default route to the firewall. */
    subnetId: pulumi.Input<string>;
    /** What must exist before the environment starts: the firewall, its rules and the default route (its egress). */
    networkReady: pulumi.Input<pulumi.Resource>[];
    /** Subnet and private DNS zone for the runners' vault's private endpoint. */
    privateEndpointSubnetId: pulumi.Input<string>;
    vaultDnsZoneId: pulumi.Input<string>;
    logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** The platform registry: the jobs pull the runner image from it through its private endpoint. */
    registry: { id: pulumi.Input<string>; name: string; loginServer: string };
    /** The runner image's tag (components/runners/image.ts), cached by the registry from the repository's packages. */
    imageTag: string;
    github: GitHubApp;
    jobs: Record<RunnerRole, RunnerJobSettings>;
    /** Per runner; a Consumption profile allows up to 4 vCPU and 8 GiB (workload-profiles-overview). */
    resources: { cpu: number; memory: string };
    tags: Record<string, string>;
}

/** The Consumption workload profile every workload profiles environment has (workload-profiles-overview). */
const CONSUMPTION_PROFILE = "Consumption";
/** Container Apps secret names: lower-case letters, digits and hyphens. */
const APP_KEY_SECRET = "github-app-key";
const KEY_VAULT_SECRET = "github-app-private-key";
/** Where the init container leaves the just-in-time configuration for the runner container. */
const JIT_VOLUME = "runner-config";
const JIT_CONFIG_FILE = "/run/runner/jitconfig";

export class Runners extends pulumi.ComponentResource {
    public readonly environmentId: pulumi.Output<string>;
    public readonly labels: Record<RunnerRole, string>;
    public readonly jobNames: Record<RunnerRole, pulumi.Output<string>>;
    /** The jobs' identities: each holds Key Vault Secrets User on the App's key and AcrPull on the registry, nothing else. */
    public readonly identityPrincipalIds: Record<RunnerRole, pulumi.Output<string>>;

    constructor(name: string, args: RunnersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:runners:Runners", name, {}, opts);
        const { namePrefix, location, resourceGroupName, tags } = args;
        this.labels = runnerLabels(args.stack);

        // The App's key in a private vault of the runners' own: only the jobs' identities may read it.
        const suffix = new random.RandomString(`${name}-kv-suffix`, { length: 6, special: false, upper: false }, { parent: this });
        const { vault, endpoint } = privateVault(`${name}-kv`, {
            vaultName: pulumi.interpolate`kv-${namePrefix.replace(/^platform-/, "plt-")}-run-${suffix.result}`,
            resourceGroupName,
            location,
            sku: keyvault.SkuName.Standard,
            tenantId: args.tenantId,
            privateEndpointSubnetId: args.privateEndpointSubnetId,
            vaultDnsZoneId: args.vaultDnsZoneId,
            logAnalyticsWorkspaceId: args.logAnalyticsWorkspaceId,
            tags,
        }, this);
        // Written through Azure Resource Manager, which a private vault accepts once its endpoint exists.
        const appKey = new keyvault.Secret(`${name}-github-app-key`, {
            secretName: KEY_VAULT_SECRET,
            vaultName: vault.name,
            resourceGroupName,
            properties: { value: args.github.privateKey, contentType: "application/x-pem-file" },
            tags,
        }, { parent: this, dependsOn: [endpoint] });
        // Versionless: Container Apps reads the latest version (manage-secrets, "Reference secret from Key Vault").
        const appKeyUrl = pulumi.interpolate`${vault.properties.vaultUri}secrets/${KEY_VAULT_SECRET}`;

        // The registry pulls the image once from the repository's GitHub packages (the image workflow pushes it there).
        const registryName = pulumi.output(args.registry.id).apply(() => args.registry.name);
        const cacheRule = new containerregistry.CacheRule(`${name}-image-cache`, {
            cacheRuleName: "cache-platform-github-runner",
            registryName,
            resourceGroupName,
            sourceRepository: runnerImageSource(args.github.owner, args.github.repository),
            targetRepository: RUNNER_IMAGE_REPOSITORY,
        }, { parent: this });
        const image = `${args.registry.loginServer}/${RUNNER_IMAGE_REPOSITORY}:${args.imageTag}`;

        const environment = new app.ManagedEnvironment(`${name}-env`, {
            environmentName: `cae-${namePrefix}-runners`,
            resourceGroupName,
            location,
            // Workload profiles: the type that routes egress through a user-defined route (the firewall) and fits a /27
            // (learn.microsoft.com/azure/container-apps/networking#environment-selection).
            workloadProfiles: [{ name: CONSUMPTION_PROFILE, workloadProfileType: CONSUMPTION_PROFILE }],
            // Internal: no public endpoint; the jobs serve nothing, they only call out.
            vnetConfiguration: { infrastructureSubnetId: args.subnetId, internal: true },
            infrastructureResourceGroup: `rg-${namePrefix}-runners-infra`,
            // Logs through the diagnostic setting below: no workspace shared key in the environment.
            appLogsConfiguration: { destination: "azure-monitor" },
            tags,
        }, { parent: this, dependsOn: args.networkReady });
        sendDiagnostics(`${name}-env-diagnostics`, { resourceUri: environment.id, workspaceId: args.logAnalyticsWorkspaceId }, { parent: this });

        const jobNames = {} as Record<RunnerRole, pulumi.Output<string>>;
        const principalIds = {} as Record<RunnerRole, pulumi.Output<string>>;
        for (const role of RUNNER_ROLES) {
            const identity = new managedidentity.UserAssignedIdentity(`${name}-${role}-identity`, {
                resourceName: `id-${namePrefix}-runner-${role}`,
                resourceGroupName,
                location,
                tags,
            }, { parent: this });
            const grants = [
                assignRole(`${name}-${role}-key-reader`, {
                    principalId: identity.principalId,
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    role: "Key Vault Secrets User",
                    // The one secret, not the vault (learn.microsoft.com/azure/key-vault/general/rbac-guide: secret scope).
                    scope: appKey.id,
                    subscriptionId: args.subscriptionId,
                    purpose: `${namePrefix}/runner-${role}/github-app-key/key-vault-secrets-user`,
                }, { parent: this }),
                assignRole(`${name}-${role}-acr-pull`, {
                    principalId: identity.principalId,
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    role: "AcrPull",
                    scope: args.registry.id,
                    subscriptionId: args.subscriptionId,
                    purpose: `${namePrefix}/runner-${role}/acr-pull`,
                }, { parent: this }),
            ];
            const label = this.labels[role];
            const settings = args.jobs[role];
            const resources = { cpu: args.resources.cpu, memory: args.resources.memory };
            const volumeMounts = [{ volumeName: JIT_VOLUME, mountPath: "/run/runner" }];
            const job = new app.Job(`${name}-${role}`, {
                jobName: `caj-${namePrefix}-${role}`,
                resourceGroupName,
                location,
                environmentId: environment.id,
                workloadProfileName: CONSUMPTION_PROFILE,
                identity: { type: app.ManagedServiceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
                configuration: {
                    triggerType: app.TriggerType.Event,
                    replicaTimeout: settings.replicaTimeoutSeconds,
                    // A retried replica would register a second runner for a job the first already took.
                    replicaRetryLimit: 0,
                    eventTriggerConfig: {
                        // One replica per execution, one execution per queued job.
                        parallelism: 1,
                        replicaCompletionCount: 1,
                        scale: {
                            minExecutions: 0,
                            maxExecutions: settings.maxExecutions,
                            pollingInterval: 30,
                            rules: [{
                                name: "github-runner",
                                type: "github-runner",
                                // keda.sh/docs/latest/scalers/github-runner: queued jobs of this repository whose labels
                                // are all this job's own label (noDefaultLabels: self-hosted, linux, x64 do not count).
                                metadata: {
                                    owner: args.github.owner,
                                    runnerScope: "repo",
                                    repos: args.github.repository,
                                    labels: label,
                                    noDefaultLabels: "true",
                                    targetWorkflowQueueLength: "1",
                                    applicationID: String(args.github.appId),
                                    installationID: String(args.github.installationId),
                                },
                                auth: [{ secretRef: APP_KEY_SECRET, triggerParameter: "appKey" }],
                            }],
                        },
                    },
                    secrets: [{ name: APP_KEY_SECRET, keyVaultUrl: appKeyUrl, identity: identity.id }],
                    registries: [{ server: args.registry.loginServer, identity: identity.id }],
                    // For image pulls, Key Vault references and the scale rule only: no container can get its tokens
                    // (learn.microsoft.com/azure/container-apps/managed-identity#control-managed-identity-availability).
                    identitySettings: [{ identity: identity.id, lifecycle: app.IdentitySettingsLifeCycle.None }],
                },
                template: {
                    // Registers the just-in-time runner: the only container holding the App's key.
                    initContainers: [{
                        name: "register",
                        image,
                        command: ["/opt/platform-runner/register.sh"],
                        env: [
                            { name: "GITHUB_APP_ID", value: String(args.github.appId) },
                            { name: "GITHUB_APP_INSTALLATION_ID", value: String(args.github.installationId) },
                            { name: "GITHUB_APP_PRIVATE_KEY", secretRef: APP_KEY_SECRET },
                            { name: "GITHUB_REPOSITORY", value: `${args.github.owner}/${args.github.repository}` },
                            { name: "RUNNER_LABEL", value: label },
                            { name: "JIT_CONFIG_FILE", value: JIT_CONFIG_FILE },
                        ],
                        resources,
                        volumeMounts,
                    }],
                    // Runs the one job: no secret and no identity reach it.
                    containers: [{
                        name: "runner",
                        image,
                        command: ["/opt/platform-runner/run.sh"],
                        env: [{ name: "JIT_CONFIG_FILE", value: JIT_CONFIG_FILE }],
                        resources,
                        volumeMounts,
                    }],
                    volumes: [{ name: JIT_VOLUME, storageType: app.StorageType.EmptyDir }],
                },
                tags,
            }, { parent: this, dependsOn: [...grants, cacheRule] });
            jobNames[role] = job.name;
            principalIds[role] = identity.principalId;
        }

        this.environmentId = environment.id;
        this.jobNames = jobNames;
        this.identityPrincipalIds = principalIds;
        this.registerOutputs({ environmentId: this.environmentId, labels: this.labels, jobNames: this.jobNames });
    }
}
