import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluatePack } from "../../offline/policyCheck";
import { MOCK_TENANT_ID } from "../../offline/mocks";
import { keyVaultHardening } from "../../policies/rules/baseline";
import { platformBaseline } from "../../policies/packs";
import { byName, checkpointOf, plan } from "../helpers";

describe("gateway component", () => {
    it("declares a protected, RBAC-only, private Key Vault in the deploying tenant", async () => {
        const graph = await plan("prod", false);
        const vault = byName(graph, "gateway-kv");
        assert.equal(vault.protect, true);
        const props = vault.inputs["properties"] as Record<string, unknown>;
        assert.equal(props["tenantId"], MOCK_TENANT_ID, "tenantId comes from getClientConfig");
        assert.deepEqual(
            [props["enableRbacAuthorization"], props["enablePurgeProtection"], props["softDeleteRetentionInDays"], props["publicNetworkAccess"]],
            [true, true, 90, "Disabled"],
        );
        assert.deepEqual(props["networkAcls"], { defaultAction: "Deny", bypass: "AzureServices" });
        assert.match(String(vault.inputs["vaultName"]), /^kv-plt-prod-[a-z0-9]{6}$/);
        assert.ok(vault.inputs["vaultName"]!.toString().length <= 24);
    });

    it("passes the Key Vault baseline policy in prod, with every value known at preview", async () => {
        const checkpoint = await checkpointOf("prod");
        const violations = await evaluatePack(checkpoint, { ...platformBaseline, policies: [keyVaultHardening] }, { all: "mandatory" });
        assert.deepEqual(violations, []);
        assert.ok(checkpoint.deployment.resources.some((r) => r.type === "azure-native:keyvault:Vault"));
    });
});
