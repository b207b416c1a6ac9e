/**
 * docs/incident-response.md's rotation section names every credential the program declares, so an incident can
 * rotate all of them: the config keys the program keeps secret, the passwords and private keys it generates, the
 * Key Vault keys and secrets it creates, the registry's upstream credential set, and every workload identity's
 * federated credential. The list comes from the plans (prod, and dev with every optional input), not from the
 * document: a new credential fails here until the runbook says how to rotate it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { SECRET_KEYS } from "../../config/schema";
import { PROJECT_DIR, type Graph } from "../../offline/engine";
import { APPLICATION_SECRETS, plan, planDevWithOptions } from "../helpers";

/** Resource types that are, or hold, a credential the platform owns. */
const CREDENTIAL_TYPES = [
    "random:index/randomPassword:RandomPassword",
    "tls:index/privateKey:PrivateKey",
    "azure-native:keyvault:Key",
    "azure-native:keyvault:Secret",
    "azure-native:containerregistry:CredentialSet",
    "azure-native:managedidentity:FederatedIdentityCredential",
];

/** The resource's name as the runbook writes it: an application namespace's name becomes `<namespace>`. */
const asDocumented = (name: string) => Object.keys(APPLICATION_SECRETS).reduce((n, ns) => n.replace(`app-secrets-${ns}-`, "app-secrets-<namespace>-"), name);

function rotationSection(): string {
    const text = fs.readFileSync(path.join(PROJECT_DIR, "docs", "incident-response.md"), "utf8");
    const start = text.indexOf("## 3. Rotate every credential the platform holds");
    const end = text.indexOf("\n## 4.", start);
    assert.ok(start >= 0 && end > start, "docs/incident-response.md has no rotation section");
    return text.slice(start, end);
}

describe("incident runbook: every credential has its rotation", () => {
    it("names every credential the plans declare, and every secret config key", async () => {
        const section = rotationSection();
        const graphs: Graph[] = [await plan("prod", false, "all"), await planDevWithOptions()];
        const declared = [...new Set(graphs.flatMap((g) => g.resources.filter((r) => CREDENTIAL_TYPES.includes(r.type)).map((r) => asDocumented(r.name))))].sort();
        // Generated CA keys (2 CAs x root and intermediate), the etcd key, Grafana's password, the Docker Hub
        // credential set, the workload identities: the list must not be empty for the check to mean anything.
        assert.ok(declared.length >= 12, declared.join());
        const missing = [...declared, ...SECRET_KEYS].filter((credential) => !section.includes(`\`${credential}\``));
        assert.deepEqual(missing, [], "add each to docs/incident-response.md section 3 with how to rotate it");
    });
});
