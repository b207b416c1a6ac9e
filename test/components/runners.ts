/**
 * The runners component on its own (components/runners): the Container Apps environment in the runners subnet, the
 * preview and deploy job definitions, their identities and grants, the GitHub App's key in the runners' vault and the
 * image's cache rule, against literals from Microsoft's Container Apps documentation and KEDA's github-runner scaler.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { Runners } from "../../components/runners";
import { SECRET_SIG, SIG_KEY, type Graph } from "../../offline/engine";
import { MOCK_SUBSCRIPTION_ID, MOCK_TENANT_ID } from "../../offline/mocks";
import { builtInRole, declare, dependsOn, named, once, ownResources, RG, RG_ID, subnetId, WORKSPACE, type Inputs } from "./harness";

const REGISTRY_ID = `${RG_ID}/providers/Microsoft.ContainerRegistry/registries/acrplatformdev1234abcd`;
const LOGIN_SERVER = "acrplatformdev1234abcd.azurecr.io";
const APP_KEY = "-----BEGIN RSA PRIVATE KEY-----\nb2ZmbGluZS1hcHAta2V5\n-----END RSA PRIVATE KEY-----\n";
/** learn.microsoft.com/azure/role-based-access-control/built-in-roles */
const ROLE = { keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6", acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d" };
const IDENTITY = (role: string) => `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-platform-dev-runner-${role}`;

async function declareRunners(): Promise<Graph> {
    return declare(({ azure }) => {
        // The network's default route to the firewall: the environment's egress goes through it.
        const defaultRoute = new network.Route("network-route-default", { routeName: "default", routeTableName: "rt-platform-dev", resourceGroupName: RG, addressPrefix: "0.0.0.0/0", nextHopType: network.RouteNextHopType.VirtualAppliance, nextHopIpAddress: "10.20.8.68" });
        new Runners("runners", {
            namePrefix: "platform-dev",
            stack: "dev",
            location: "westeurope",
            resourceGroupName: RG,
            subscriptionId: MOCK_SUBSCRIPTION_ID,
            tenantId: MOCK_TENANT_ID,
            subnetId: subnetId("snet-runners"),
            networkReady: [defaultRoute],
            privateEndpointSubnetId: subnetId("snet-private-endpoints"),
            vaultDnsZoneId: `${RG_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`,
            logAnalyticsWorkspaceId: WORKSPACE,
            registry: { id: REGISTRY_ID, name: "acrplatformdev1234abcd", loginServer: LOGIN_SERVER },
            imageTag: "2.336.0-0123456789ab",
            github: { owner: "Example-Org", repository: "Platform", appId: 123456, installationId: 7654321, privateKey: pulumi.secret(APP_KEY) },
            jobs: { preview: { maxExecutions: 4, replicaTimeoutSeconds: 4500 }, deploy: { maxExecutions: 2, replicaTimeoutSeconds: 15300 } },
            resources: { cpu: 2, memory: "4Gi" },
            tags: { environment: "dev" },
        }, azure());
    }, false);
}

const runners = once(declareRunners);
const job = async (role: "preview" | "deploy") => named(await runners(), `runners-${role}`).inputs;

/** Every key of KEDA's github-runner trigger metadata (keda.sh/docs/latest/scalers/github-runner, trigger specification). */
const KEDA_GITHUB_RUNNER_KEYS = [
    "githubApiURL", "owner", "runnerScope", "repos", "labels", "noDefaultLabels", "matchUnlabeledJobsWithUnlabeledRunners",
    "enableEtags", "targetWorkflowQueueLength", "applicationID", "installationID",
];

describe("runners component: the Container Apps environment", () => {
    it("is a workload profiles environment (Consumption profile), internal, in the runners subnet, after the firewall's route", async () => {
        const graph = await runners();
        const env = named(graph, "runners-env");
        // learn.microsoft.com/azure/container-apps/networking#environment-selection: workload profiles support
        // user-defined routes (egress through the firewall) and need a /27; Consumption-only supports neither.
        assert.deepEqual(env.inputs["workloadProfiles"], [{ name: "Consumption", workloadProfileType: "Consumption" }]);
        // vnet-custom-internal: an internal environment has no public endpoint; infrastructureSubnetId is the delegated subnet.
        assert.deepEqual(env.inputs["vnetConfiguration"], { infrastructureSubnetId: subnetId("snet-runners"), internal: true });
        assert.equal(env.inputs["environmentName"], "cae-platform-dev-runners");
        assert.equal(env.inputs["infrastructureResourceGroup"], "rg-platform-dev-runners-infra");
        assert.deepEqual(env.inputs["appLogsConfiguration"], { destination: "azure-monitor" });
        assert.ok(dependsOn(graph, env).includes("network-route-default"));
        const diagnostics = named(graph, "runners-env-diagnostics").inputs;
        assert.deepEqual([diagnostics["resourceUri"], diagnostics["workspaceId"]], [env.id, WORKSPACE]);
    });

    it("declares everything under the component", async () => {
        const { own } = ownResources(await runners(), "runners", "platform:runners:Runners");
        assert.ok(own.length >= 15);
    });
});

describe("runners component: the job definitions", () => {
    for (const [role, maxExecutions, timeout, label] of [["preview", 4, 4500, "platform-dev-preview"], ["deploy", 2, 15300, "platform-dev-deploy"]] as const) {
        it(`${role}: event-driven, one replica per execution and no retry, ${maxExecutions} executions at most, ${timeout} s each`, async () => {
            const inputs = await job(role);
            assert.equal(inputs["jobName"], `caj-platform-dev-${role}`);
            assert.equal(inputs["environmentId"], named(await runners(), "runners-env").id);
            assert.equal(inputs["workloadProfileName"], "Consumption");
            const config = inputs["configuration"] as Inputs;
            // tutorial-ci-cd-runners-jobs: --trigger-type Event, --replica-retry-limit 0, --replica-completion-count 1,
            // --parallelism 1, --min-executions 0, --polling-interval 30; replicaTimeout is the longest a runner lives.
            assert.deepEqual([config["triggerType"], config["replicaRetryLimit"], config["replicaTimeout"]], ["Event", 0, timeout]);
            const trigger = config["eventTriggerConfig"] as Inputs;
            assert.deepEqual([trigger["parallelism"], trigger["replicaCompletionCount"]], [1, 1]);
            assert.deepEqual([trigger["scale"].minExecutions, trigger["scale"].maxExecutions, trigger["scale"].pollingInterval], [0, maxExecutions, 30]);
        });

        it(`${role}: KEDA's github-runner scaler on this repository's queued jobs labelled ${label} only, as the GitHub App`, async () => {
            const config = (await job(role))["configuration"] as Inputs;
            const [rule, ...others] = config["eventTriggerConfig"].scale.rules as Inputs[];
            assert.equal(others.length, 0);
            assert.deepEqual([rule!["name"], rule!["type"]], ["github-runner", "github-runner"]);
            assert.deepEqual(rule!["metadata"], {
                owner: "Example-Org", runnerScope: "repo", repos: "Platform", labels: label, noDefaultLabels: "true",
                targetWorkflowQueueLength: "1", applicationID: "123456", installationID: "7654321",
            });
            assert.deepEqual(Object.keys(rule!["metadata"]).filter((k) => !KEDA_GITHUB_RUNNER_KEYS.includes(k)), []);
            // The App's key is the trigger's `appKey` authentication parameter, from a secret the job defines.
            assert.deepEqual(rule!["auth"], [{ secretRef: "github-app-key", triggerParameter: "appKey" }]);
            assert.ok((config["secrets"] as Inputs[]).some((s) => s["name"] === "github-app-key"));
        });

        it(`${role}: its secret is a Key Vault reference read with its own identity, which no container can use`, async () => {
            const graph = await runners();
            const inputs = await job(role);
            const config = inputs["configuration"] as Inputs;
            const vault = named(graph, "runners-kv").outputs as Inputs;
            // manage-secrets, "Reference secret from Key Vault": keyVaultUrl (versionless: the latest version) and identity.
            assert.deepEqual(config["secrets"], [{ name: "github-app-key", keyVaultUrl: `${vault["properties"].vaultUri}secrets/github-app-private-key`, identity: IDENTITY(role) }]);
            assert.deepEqual(inputs["identity"], { type: "UserAssigned", userAssignedIdentities: [IDENTITY(role)] });
            // managed-identity#control-managed-identity-availability: None = image pulls, secrets and scale rules only.
            assert.deepEqual(config["identitySettings"], [{ identity: IDENTITY(role), lifecycle: "None" }]);
            assert.deepEqual(config["registries"], [{ server: LOGIN_SERVER, identity: IDENTITY(role) }]);
        });

        it(`${role}: the init container alone holds the App's key; the runner container gets only the registration`, async () => {
            const template = (await job(role))["template"] as Inputs;
            const image = `${LOGIN_SERVER}/platform/github-runner:2.336.0-0123456789ab`;
            const [init, ...moreInit] = template["initContainers"] as Inputs[];
            const [runner, ...moreMain] = template["containers"] as Inputs[];
            assert.deepEqual([moreInit.length, moreMain.length], [0, 0]);
            assert.deepEqual([init!["image"], init!["command"]], [image, ["/opt/platform-runner/register.sh"]]);
            assert.deepEqual(init!["env"], [
                { name: "GITHUB_APP_ID", value: "123456" },
                { name: "GITHUB_APP_INSTALLATION_ID", value: "7654321" },
                { name: "GITHUB_APP_PRIVATE_KEY", secretRef: "github-app-key" },
                { name: "GITHUB_REPOSITORY", value: "Example-Org/Platform" },
                { name: "RUNNER_LABEL", value: label },
                { name: "JIT_CONFIG_FILE", value: "/run/runner/jitconfig" },
            ]);
            assert.deepEqual([runner!["image"], runner!["command"], runner!["env"]], [image, ["/opt/platform-runner/run.sh"], [{ name: "JIT_CONFIG_FILE", value: "/run/runner/jitconfig" }]]);
            // Both mount the one EmptyDir volume the configuration passes through.
            assert.deepEqual(template["volumes"], [{ name: "runner-config", storageType: "EmptyDir" }]);
            for (const container of [init!, runner!]) {
                assert.deepEqual(container["volumeMounts"], [{ volumeName: "runner-config", mountPath: "/run/runner" }]);
            }
        });

        it(`${role}: sized as a Consumption profile allows, whether or not the init container counts`, async () => {
            // learn.microsoft.com/azure/container-apps/containers#configuration: in a Consumption profile the containers'
            // total is 0.25 to 4 vCPU in steps of 0.25, with memory twice the vCPU in Gi.
            const template = (await job(role))["template"] as Inputs;
            const combination = (containers: Inputs[]) => {
                const cpu = containers.reduce((sum, c) => sum + c["resources"].cpu, 0);
                const memory = containers.reduce((sum, c) => sum + Number(/^([\d.]+)Gi$/.exec(c["resources"].memory)![1]), 0);
                return cpu >= 0.25 && cpu <= 4 && Number.isInteger(cpu * 4) && memory === cpu * 2;
            };
            assert.ok(combination(template["containers"]), "the runner container alone");
            assert.ok(combination([...template["containers"], ...template["initContainers"]]), "the runner and init containers together");
        });
    }

    it("preview and deploy never share a label: neither scaler counts the other's jobs, each runner registers with its own", async () => {
        const labelsOf = async (role: "preview" | "deploy") => {
            const inputs = await job(role);
            const rule = (inputs["configuration"] as Inputs)["eventTriggerConfig"].scale.rules[0];
            const registered = (inputs["template"] as Inputs)["initContainers"][0].env.find((e: Inputs) => e["name"] === "RUNNER_LABEL").value;
            return { scaled: String(rule.metadata.labels).split(","), registered: [registered as string], noDefaults: rule.metadata.noDefaultLabels };
        };
        const preview = await labelsOf("preview");
        const deploy = await labelsOf("deploy");
        assert.deepEqual([preview.scaled, deploy.scaled], [["platform-dev-preview"], ["platform-dev-deploy"]]);
        assert.deepEqual([preview.registered, deploy.registered], [preview.scaled, deploy.scaled]);
        // Without noDefaultLabels, a job asking only for self-hosted would start runners of both kinds.
        assert.deepEqual([preview.noDefaults, deploy.noDefaults], ["true", "true"]);
        assert.deepEqual([...preview.scaled, ...preview.registered].filter((l) => [...deploy.scaled, ...deploy.registered].includes(l)), []);
    });
});

describe("runners component: least privilege", () => {
    it("each job's identity holds Key Vault Secrets User on the App's key alone and AcrPull on the registry, nothing else", async () => {
        const graph = await runners();
        const secretId = `${RG_ID}/providers/Microsoft.KeyVault/vaults/${(named(graph, "runners-kv").outputs as Inputs)["name"]}/secrets/github-app-private-key`;
        assert.equal(named(graph, "runners-github-app-key").id, secretId);
        for (const role of ["preview", "deploy"]) {
            const principal = (named(graph, `runners-${role}-identity`).outputs as Inputs)["principalId"];
            const grants = graph.resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.inputs["principalId"] === principal)
                .map((r) => [r.inputs["roleDefinitionId"], r.inputs["scope"], r.inputs["principalType"]]);
            // learn.microsoft.com/azure/key-vault/general/rbac-guide: a role assigned at a secret's scope grants that secret only.
            assert.deepEqual(grants.sort(), [
                [builtInRole(ROLE.keyVaultSecretsUser), secretId, "ServicePrincipal"],
                [builtInRole(ROLE.acrPull), REGISTRY_ID, "ServicePrincipal"],
            ].sort(), role);
            // The job starts only once its grants exist (Container Apps reads the secret when the job is created).
            const deps = dependsOn(graph, named(graph, `runners-${role}`));
            for (const grant of [`runners-${role}-key-reader`, `runners-${role}-acr-pull`, "runners-image-cache"]) {
                assert.ok(deps.includes(grant), `${role} does not wait for ${grant}`);
            }
        }
    });

    it("keeps the App's key secret, in a private, protected vault of the runners' own, written once its endpoint exists", async () => {
        const graph = await runners();
        const vault = named(graph, "runners-kv");
        assert.equal(vault.protect, true);
        assert.match(String(vault.inputs["vaultName"]), /^kv-plt-dev-run-[a-z0-9]{6}$/);
        assert.deepEqual([vault.inputs["properties"].publicNetworkAccess, vault.inputs["properties"].enableRbacAuthorization], ["Disabled", true]);
        const secret = named(graph, "runners-github-app-key");
        assert.equal(secret.inputs["secretName"], "github-app-private-key");
        assert.equal(secret.inputs["properties"].value[SIG_KEY], SECRET_SIG);
        assert.equal(secret.inputs["properties"].value.value, APP_KEY);
        assert.ok(dependsOn(graph, secret).includes("runners-kv-pe"));
    });

    it("caches the runner image from the repository's GitHub packages (GHCR wants lower case) into the platform registry", async () => {
        const rule = named(await runners(), "runners-image-cache").inputs;
        assert.deepEqual([rule["registryName"], rule["sourceRepository"], rule["targetRepository"]], ["acrplatformdev1234abcd", "ghcr.io/example-org/platform/github-runner", "platform/github-runner"]);
    });
});
