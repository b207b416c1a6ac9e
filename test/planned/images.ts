/**
 * The platform registry itself: private, Premium, its Docker Hub credential set, the applications' path, and what
 * the local stack does without one. Which images the charts run, and that each maps through a planned cache rule to
 * its upstream, is read from the rendered manifests by `npm run render` (scripts/render/workloads.ts), which writes
 * the table to build/render/<stack>/images.md; no table is kept here by hand.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SECRET_SIG, SIG_KEY, type Graph } from "../../offline/engine";
import { byName, chartOf, ofType, plan, registryOf } from "../helpers";

/** Where the planned cache rules send `<registry>/<path>` (ACR maps target => source, `*` as the rest of the path). */
function upstreamThroughCache(graph: Graph, path: string): string | undefined {
    for (const rule of ofType(graph, "azure-native:containerregistry:CacheRule")) {
        const target = String(rule.inputs["targetRepository"]);
        const source = String(rule.inputs["sourceRepository"]);
        if (target.endsWith("/*") ? path.startsWith(target.slice(0, -1)) : path === target) {
            return target.endsWith("/*") ? source.slice(0, -1) + path.slice(target.length - 1) : source;
        }
    }
    return undefined;
}

describe("images on AKS come from the platform registry", () => {
    it("prod: admits teams' images from the registry's apps/ namespace, which the nodes pull through the private endpoint and no cache rule fills", async () => {
        const graph = await plan("prod", true, "all");
        const registry = registryOf("prod");
        const restrict = ofType(graph, "kubernetes:kyverno.io/v1:ClusterPolicy").find((p) => (p.inputs["metadata"] as { name: string }).name === "restrict-image-registries")!;
        const allowed = ((restrict.inputs["spec"] as Record<string, any>)["rules"][0].validate.pattern.spec.containers[0].image as string).split(" | ");
        // Kyverno's wildcard pattern: `<registry>/apps/*` admits `<registry>/apps/<team>/<image>:<tag>` and nothing else of the registry.
        assert.ok(allowed.includes(`${registry}/apps/*`), allowed.join(", "));
        assert.ok(!allowed.includes(`${registry}/*`), "the whole registry would admit every cached upstream image");
        // A cache rule whose target covered apps/ would let an upstream organisation's images in under that name.
        assert.equal(upstreamThroughCache(graph, "apps/payments/api"), undefined);
        // Nodes reach the registry only through its private endpoint (no public access); MCR is the one public registry
        // admitted (the firewall's AKS FQDN tag), and stack config cannot add another.
        assert.deepEqual(allowed.filter((a) => !a.startsWith(`${registry}/`)), ["mcr.microsoft.com/*"]);
    });

    it("local stack: no registry of its own, every image the program names comes from its upstream", async () => {
        const graph = await plan("local", true);
        const releases = ofType(graph, "kubernetes:helm.sh/v3:Release");
        const values = (chart: string) => releases.find((r) => chartOf(r) === chart)!.inputs["values"] as Record<string, any>;
        assert.equal(values("istiod")["global"].hub, "docker.io/istio");
        assert.equal(values("opentelemetry-collector")["image"].repository, "docker.io/otel/opentelemetry-collector-contrib");
        assert.equal(values("cert-manager")["imageRegistry"], undefined, "the chart's own default registry stays");
        assert.deepEqual(ofType(graph, "azure-native:containerregistry:Registry"), []);
    });

    it("is a private, zone-redundant Premium registry: no public access, no admin user, no anonymous pull, a private endpoint in the VNet's zone", async () => {
        const graph = await plan("prod", false);
        const acr = ofType(graph, "azure-native:containerregistry:Registry")[0]!;
        assert.equal(acr.inputs["registryName"], registryOf("prod").split(".")[0]);
        assert.equal(acr.protect, true);
        assert.deepEqual(
            [acr.inputs["sku"], acr.inputs["publicNetworkAccess"], acr.inputs["adminUserEnabled"], acr.inputs["anonymousPullEnabled"], acr.inputs["networkRuleBypassOptions"], acr.inputs["zoneRedundancy"]],
            [{ name: "Premium" }, "Disabled", false, false, "None", "Enabled"],
        );
        const endpoint = byName(graph, "registry-pe");
        assert.deepEqual(endpoint.inputs["privateLinkServiceConnections"], [{ name: "registry", privateLinkServiceId: acr.id, groupIds: ["registry"] }]);
        const zone = byName(graph, "registry-pe-dns").inputs["privateDnsZoneConfigs"] as { privateDnsZoneId: string }[];
        assert.match(zone[0]!.privateDnsZoneId, /\/privateDnsZones\/privatelink\.azurecr\.io$/);
        // AcrPull (built-in 7f951dda-...) to the kubelet identity, on the registry only.
        const pull = ofType(graph, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs["roleDefinitionId"]).endsWith("/7f951dda-4ed3-4680-a7ca-43fe172d538d"));
        assert.deepEqual(pull.map((r) => [r.inputs["principalId"], r.inputs["scope"]]), [[byName(graph, "cluster-kubelet-identity").outputs["principalId"], acr.id]]);
    });

    it("caches Docker Hub with a credential set whose secrets the program writes from config into a vault of their own", async () => {
        // artifact-cache-overview "Upstream support": Docker Hub is cached with a credential set; GHCR, Quay and
        // registry.k8s.io anonymously. Phase 2 (its images come through the cache) carries the Docker Hub secrets.
        const graph = await plan("prod", false, "all");
        const credentials = byName(graph, "registry-dockerhub");
        assert.equal(credentials.inputs["loginServer"], "docker.io");
        const vault = byName(graph, "registry-credentials-kv");
        // Not the private platform vault: Key Vault's trusted services list Container Registry for customer-managed
        // keys only (key-vault/general/overview-vnet-service-endpoints), so the cache reads a vault open to the network.
        assert.notEqual(vault.urn, byName(graph, "gateway-kv").urn);
        const props = vault.inputs["properties"] as Record<string, any>;
        assert.deepEqual([props["publicNetworkAccess"], props["enableRbacAuthorization"], props["enablePurgeProtection"], vault.protect], ["Enabled", true, true, true]);
        assert.match(String((vault.inputs["tags"] as Record<string, string>)["publicNetworkAccessReason"]), /artifact cache/);
        // kv-plt-prod-acr- and the registry's 8 hex digits: global, at most 24 characters.
        const registryHex = registryOf("prod").replace(/^acrplatformprod/, "").slice(0, 8);
        assert.equal(vault.inputs["vaultName"], `kv-plt-prod-acr-${registryHex}`);
        const vaultUri = `https://kv-plt-prod-acr-${registryHex}.vault.azure.net/`;
        assert.deepEqual(credentials.inputs["authCredentials"], [{ name: "Credential1", usernameSecretIdentifier: `${vaultUri}secrets/dockerhub-username`, passwordSecretIdentifier: `${vaultUri}secrets/dockerhub-token` }]);
        // Written through ARM from the config secrets, still secret; the credential set waits for them.
        const secrets = ofType(graph, "azure-native:keyvault:Secret").filter((r) => r.inputs["vaultName"] === vault.inputs["vaultName"]);
        assert.deepEqual(secrets.map((r) => r.inputs["secretName"]).sort(), ["dockerhub-token", "dockerhub-username"]);
        for (const secret of secrets) {
            assert.deepEqual((secret.inputs["properties"] as Record<string, any>)["value"], { [SIG_KEY]: SECRET_SIG, value: secret.inputs["secretName"] === "dockerhub-token" ? "offline-docker-hub-token" : "offline-docker-hub-user" });
            assert.ok(credentials.dependencies.includes(secret.urn), `the credential set does not wait for ${secret.name}`);
        }
        const cacheRules = ofType(graph, "azure-native:containerregistry:CacheRule");
        assert.ok(cacheRules.some((r) => String(r.inputs["sourceRepository"]).startsWith("docker.io/")) && cacheRules.some((r) => !String(r.inputs["sourceRepository"]).startsWith("docker.io/")), "cache rules from Docker Hub and elsewhere");
        for (const rule of cacheRules) {
            const fromDockerHub = String(rule.inputs["sourceRepository"]).startsWith("docker.io/");
            assert.equal(rule.inputs["credentialSetResourceId"], fromDockerHub ? credentials.id : undefined, String(rule.inputs["cacheRuleName"]));
        }
        // Exactly one role on that vault: Key Vault Secrets User (4633458b-...) for the credential set's identity.
        const onVault = ofType(graph, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs["scope"]).startsWith(vault.id!));
        assert.deepEqual(onVault.map((r) => [r.inputs["principalId"], String(r.inputs["roleDefinitionId"]).split("/").at(-1)]),
            [[(credentials.outputs["identity"] as Record<string, unknown>)["principalId"], "4633458b-17de-408a-b874-0445c86b69e6"]]);
    });

    it("starts Falco from what its image carries: falcoctl downloads nothing, and the image's config.d is masked (charts#1057)", async () => {
        const graph = await plan("prod", true, "all");
        const values = ofType(graph, "kubernetes:helm.sh/v3:Release").find((r) => chartOf(r) === "falco")!.inputs["values"] as Record<string, any>;
        assert.deepEqual(values["falcoctl"], { artifact: { install: { enabled: false }, follow: { enabled: false } } });
        assert.deepEqual(values["mounts"], { volumes: [{ name: "image-config-d", emptyDir: {} }], volumeMounts: [{ name: "image-config-d", mountPath: "/etc/falco/config.d" }] });
        assert.equal(values["driver"].kind, "modern_ebpf", "with another driver the chart mounts its own volume at config.d");
    });
});
