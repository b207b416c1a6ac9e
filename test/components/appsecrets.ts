/**
 * Application secrets on their own (components/appsecrets): per application namespace a private vault, a
 * workload identity federated to that namespace's service account only, and the Key Vault roles, against
 * literals from the Key Vault and AKS workload identity documentation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApplicationSecrets, applicationVaultName, platformNamespaceProblems } from "../../components/appsecrets";
import { MOCK_SUBSCRIPTION_ID, MOCK_TENANT_ID } from "../../offline/mocks";
import { builtInRole, declare, named, once, ownResources, RG, RG_ID, subnetId, WORKSPACE, type Inputs } from "./harness";

const ISSUER = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-4000-8000-000000000002/11111111-1111-4111-8111-111111111111/";
const TEAMS = { payments: "55555555-5555-4555-8555-555555555555", orders: "66666666-6666-4666-8666-666666666666" };
// learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
const SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

const declared = once(() => declare(({ azure }) => new ApplicationSecrets("app-secrets", {
    namePrefix: "platform-dev",
    location: "westeurope",
    resourceGroupName: RG,
    subscriptionId: MOCK_SUBSCRIPTION_ID,
    tenantId: MOCK_TENANT_ID,
    uniqueSeed: "organization/platform/dev",
    namespaces: {
        payments: { serviceAccount: "secrets-reader", secretOfficerGroupObjectIds: [TEAMS.payments] },
        orders: { serviceAccount: "orders-api", secretOfficerGroupObjectIds: [TEAMS.orders] },
    },
    oidcIssuerUrl: ISSUER,
    privateEndpointSubnetId: subnetId("snet-private-endpoints"),
    vaultDnsZoneId: `${RG_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`,
    logAnalyticsWorkspaceId: WORKSPACE,
    tags: { environment: "dev" },
}, azure()), false));

const grants = (resources: { type: string; inputs: Inputs }[]) => resources.filter((r) => r.type === "azure-native:authorization:RoleAssignment").map((r) => r.inputs);

describe("appsecrets component: one vault and one identity per application namespace", () => {
    it("declares everything under platform:appsecrets:ApplicationSecrets", async () => {
        const { own } = ownResources(await declared(), "app-secrets", "platform:appsecrets:ApplicationSecrets");
        // Per namespace: vault, its private endpoint and DNS group, diagnostics, identity, federation, two grants.
        assert.equal(own.length, 2 * 8);
    });

    it("gives each namespace a private, RBAC-only, purge-protected vault with a valid global name", async () => {
        const graph = await declared();
        for (const namespace of Object.keys(TEAMS)) {
            const vault = named(graph, `app-secrets-${namespace}-kv`);
            const properties = vault.inputs["properties"];
            assert.deepEqual([properties.enableRbacAuthorization, properties.enablePurgeProtection, properties.publicNetworkAccess, vault.protect], [true, true, "Disabled", true]);
            // learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault:
            // 3-24 characters, alphanumerics and hyphens, start with a letter, end with a letter or digit, no "--".
            assert.match(vault.inputs["vaultName"], /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/);
        }
        assert.notEqual(named(graph, "app-secrets-payments-kv").inputs["vaultName"], named(graph, "app-secrets-orders-kv").inputs["vaultName"]);
    });

    it("federates each identity with its own namespace's service account only (AKS workload identity)", async () => {
        const graph = await declared();
        const federation = (namespace: string) => named(graph, `app-secrets-${namespace}-federation`).inputs;
        assert.deepEqual([federation("payments")["subject"], federation("payments")["issuer"], federation("payments")["audiences"]],
            ["system:serviceaccount:payments:secrets-reader", ISSUER, ["api://AzureADTokenExchange"]]);
        assert.equal(federation("orders")["subject"], "system:serviceaccount:orders:orders-api");
        assert.equal(federation("payments")["resourceName"], "id-platform-dev-app-payments");
    });

    it("grants Secrets User to the namespace's identity and Secrets Officer to its team, on its own vault only", async () => {
        const graph = await declared();
        const vaultId = (namespace: string) => `${RG_ID}/providers/Microsoft.KeyVault/vaults/${named(graph, `app-secrets-${namespace}-kv`).inputs["vaultName"]}`;
        for (const [namespace, team] of Object.entries(TEAMS)) {
            const own = grants(graph.resources.filter((r) => r.name.startsWith(`app-secrets-${namespace}-`)) as { type: string; inputs: Inputs }[]);
            const identity = named(graph, `app-secrets-${namespace}-identity`).outputs as Inputs;
            assert.deepEqual(own.map((g) => [g["roleDefinitionId"], g["principalId"], g["scope"]]).sort(), [
                [builtInRole(SECRETS_USER), identity["principalId"], vaultId(namespace)],
                [builtInRole(SECRETS_OFFICER), team, vaultId(namespace)],
            ].sort());
        }
        // No grant anywhere reaches a vault with a principal of another namespace.
        const payments = named(graph, "app-secrets-payments-identity").outputs as Inputs;
        assert.deepEqual(grants(graph.resources as { type: string; inputs: Inputs }[]).filter((g) => g["principalId"] === payments["principalId"]).map((g) => g["scope"]), [vaultId("payments")]);
    });

    it("names vaults within Key Vault's rules for long and hyphenated namespaces, and refuses platform namespaces", () => {
        for (const namespace of ["a", "team-with-a-very-long-name-indeed", "x--y", "abcdefghijklm-n"]) {
            const name = applicationVaultName(namespace, "org/platform/prod");
            assert.match(name, /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/, name);
        }
        assert.deepEqual(platformNamespaceProblems({ payments: { serviceAccount: "s", secretOfficerGroupObjectIds: [TEAMS.payments] } }, ["kube-system", "cert-manager"]), []);
        assert.deepEqual(platformNamespaceProblems({ "cert-manager": { serviceAccount: "s", secretOfficerGroupObjectIds: [TEAMS.payments] } }, ["kube-system", "cert-manager"]),
            ["platform:applicationSecrets.cert-manager: is a namespace the platform owns; allowed: application namespaces (not kube-system, cert-manager)"]);
    });
});
