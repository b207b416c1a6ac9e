/**
 * Every azure-native kind the policies judge, held to the SDK itself: its token is the SDK class's, and every
 * token the SDK lists as an alias of the class (other API versions, the modules it moved from) is matched.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { apiManagementPolicies } from "../../policies/rules/apiManagement";
import { appGatewayPolicies } from "../../policies/rules/appGateway";
import { baselinePolicies } from "../../policies/rules/baseline";
import { dataServicePolicies } from "../../policies/rules/dataServices";
import { frontDoorPolicies } from "../../policies/rules/frontDoor";
import { apiVersionOf, azureNativeKinds } from "../../policies/rules/kinds";

// Loading the rule modules declares their kinds.
const loaded = [apiManagementPolicies, appGatewayPolicies, baselinePolicies, dataServicePolicies, frontDoorPolicies].flat().length;

/** The SDK class of a token, and the alias tokens its constructor declares (the class's own source). */
function sdkClass(token: string): { pulumiType: string; aliases: string[] } {
    const [, module, resource] = /^azure-native:([a-z0-9]+):(\w+)$/.exec(token)!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cls = require(`@pulumi/azure-native/${module}`)[resource!] as { __pulumiType: string; toString(): string };
    return { pulumiType: cls.__pulumiType, aliases: [...cls.toString().matchAll(/type: "(azure-native:[^"]+)"/g)].map((m) => m[1]!) };
}

describe("policy kinds", () => {
    const tokens = [...new Set(azureNativeKinds().map((k) => k.token))].sort();

    it("the policies judge the azure-native resources they name", () => {
        assert.ok(loaded > 0);
        // Written from policies/README.md's scope table.
        for (const token of ["azure-native:storage:StorageAccount", "azure-native:redis:Redis", "azure-native:redisenterprise:Database", "azure-native:sql:ManagedInstance", "azure-native:cdn:Endpoint", "azure-native:frontdoor:FrontDoor", "azure-native:apimanagement:WorkspaceApi", "azure-native:cosmosdb:DatabaseAccount"]) {
            assert.ok(tokens.includes(token), token);
        }
    });

    for (const token of tokens) {
        it(`${token}: the SDK's class and every alias it declares`, () => {
            const { pulumiType, aliases } = sdkClass(token);
            assert.equal(pulumiType, token);
            assert.ok(aliases.length > 0, "the class declares no alias");
            for (const kind of azureNativeKinds().filter((k) => k.token === token)) {
                assert.deepEqual(aliases.filter((alias) => !kind.matches(alias)), []);
                assert.ok(!kind.matches(`${token}Settings`) && !kind.matches(token.replace(":", ":x")), "a kind matches only its resource");
            }
        });
    }

    it("reads an API version from a versioned token, and none from the SDK's default module", () => {
        assert.equal(apiVersionOf("azure-native:storage/v20190401:StorageAccount"), "2019-04-01");
        assert.equal(apiVersionOf("azure-native:dbforpostgresql/v20220308privatepreview:Configuration"), "2022-03-08");
        assert.equal(apiVersionOf("azure-native:storage:StorageAccount"), undefined);
    });
});
