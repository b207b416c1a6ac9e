import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MOCK_TENANT_ID } from "../../offline/mocks";
import { globalPolicyXml } from "../../components/gateway/apiManagement";
import { toCheckpoint } from "../../offline/checkpoint";
import { evaluatePack, evaluatePacks } from "../../offline/policyCheck";
import { stackPolicyConfigs } from "../../offline/policyConfig";
import { parsePlatformConfig } from "../../config";
import { SECRET_SIG, SIG_KEY } from "../../offline/engine";
import { ALERT_RECEIVERS, APIM_DISABLEABLE_KEYS, azureConfig, byName, checkpointOf, DEV_APP_GATEWAY_SUBNET, ofType, plan, planAppGatewayEdge, planDevWithOptions, planSuppliedCas, planWith, rawConfig, waitsFor } from "../helpers";

/** A PEM certificate's body is its base64 DER (RFC 7468 section 2), which Azure takes as `data`/`encodedCertificate`. */
const derBase64 = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "");

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

    it("lets the admin groups import certificates into the private vault (data plane), and nobody else by the deploy", async () => {
        for (const stack of ["dev", "prod"]) {
            const graph = await plan(stack, false);
            const vault = byName(graph, "gateway-kv");
            // "Key Vault Certificates Officer" (learn.microsoft.com/azure/key-vault/general/rbac-guide): Owner has
            // no data-plane rights on an RBAC vault.
            const officers = ofType(graph, "azure-native:authorization:RoleAssignment").filter((r) => String(r.inputs["roleDefinitionId"]).endsWith("/a4417e6f-fecd-4de8-b567-7b0420556985"));
            assert.deepEqual(officers.map((r) => r.inputs["principalId"]).sort(), [...rawConfig(stack)["cluster"].adminGroupObjectIds].sort());
            for (const officer of officers) {
                assert.deepEqual([officer.inputs["principalType"], officer.inputs["scope"]], ["Group", vault.id]);
            }
        }
    });

    it("passes the Key Vault baseline policy in prod, with every value known at preview", async () => {
        const checkpoint = await checkpointOf("prod");
        const violations = await evaluatePack(checkpoint, "platform-baseline", { all: "mandatory" });
        assert.deepEqual(violations.filter((v) => v.policy === "key-vault-hardening"), []);
        assert.ok(checkpoint.deployment.resources.some((r) => r.type === "azure-native:keyvault:Vault"));
    });

    it("terminates public TLS at Front Door with TLS 1.2+ and ECDHE-GCM suites, and redirects HTTP", async () => {
        const graph = await plan("dev");
        const domain = byName(graph, "gateway-afd-domain").inputs;
        assert.equal(domain["hostName"], "api.dev.platform.example.com");
        assert.deepEqual(domain["tlsSettings"], { certificateType: "ManagedCertificate", minimumTlsVersion: "TLS12", cipherSuiteSetType: "TLS12_2023" });
        const route = byName(graph, "gateway-afd-route").inputs;
        assert.deepEqual(
            [route["httpsRedirect"], route["forwardingProtocol"], route["linkToDefaultDomain"], route["supportedProtocols"]],
            ["Enabled", "HttpsOnly", "Disabled", ["Http", "Https"]],
        );
        assert.equal(byName(graph, "gateway-afd").inputs["sku"] && (byName(graph, "gateway-afd").inputs["sku"] as { name: string }).name, "Premium_AzureFrontDoor");
        assert.equal(byName(graph, "gateway-afd").protect, true);
    });

    it("routes to API Management only, over HTTPS with the certificate name checked", async () => {
        const graph = await plan("dev", false);
        const apim = byName(graph, "gateway-apim");
        const origin = byName(graph, "gateway-afd-origin-apim").inputs;
        assert.equal(origin["hostName"], `${apim.inputs["serviceName"]}.azure-api.net`);
        assert.deepEqual([origin["originHostHeader"], origin["enforceCertificateNameCheck"], origin["httpsPort"]], [origin["hostName"], true, 443]);
        const route = byName(graph, "gateway-afd-route").inputs as Record<string, any>;
        assert.equal(route["originGroup"].id, byName(graph, "gateway-afd-origins").id);
        assert.deepEqual(route["customDomains"], [{ id: byName(graph, "gateway-afd-domain").id }]);
        assert.equal((byName(graph, "gateway-afd-origins").inputs["healthProbeSettings"] as { probeProtocol: string }).probeProtocol, "Https");
    });

    it("binds every Front Door domain to a WAF policy in Prevention mode with the default and bot rule sets and a rate limit", async () => {
        const graph = await plan("prod", false);
        const waf = byName(graph, "gateway-afd-waf").inputs as Record<string, any>;
        assert.deepEqual(waf["policySettings"], { enabledState: "Enabled", mode: "Prevention", requestBodyCheck: "Enabled" });
        assert.deepEqual(waf["managedRules"].managedRuleSets.map((r: { ruleSetType: string }) => r.ruleSetType), ["Microsoft_DefaultRuleSet", "Microsoft_BotManagerRuleSet"]);
        assert.match(waf["managedRules"].managedRuleSets[0].ruleSetVersion, /^2\./);
        const rateRule = waf["customRules"].rules[0];
        assert.deepEqual([rateRule.ruleType, rateRule.rateLimitThreshold, rateRule.action], ["RateLimitRule", azureConfig("prod").gateway.rateLimits.perClientIp.perMinute, "Block"]);
        const binding = byName(graph, "gateway-afd-waf-binding").inputs as Record<string, any>;
        assert.equal(binding["parameters"].wafPolicy.id, byName(graph, "gateway-afd-waf").id);
        const bound = binding["parameters"].associations.flatMap((a: { domains: { id: string }[] }) => a.domains.map((d) => d.id));
        for (const domain of [...ofType(graph, "azure-native:cdn:AFDCustomDomain"), ...ofType(graph, "azure-native:cdn:AFDEndpoint")]) {
            assert.ok(bound.includes(domain.id), `${domain.name} is not behind the WAF`);
        }
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: API Management in external VNet mode, legacy TLS and weak ciphers off explicitly, protected, with long timeouts`, async () => {
            const graph = await plan(stack);
            const apim = byName(graph, "gateway-apim");
            const { gateway, cluster } = azureConfig(stack);
            assert.equal(apim.protect, true);
            assert.deepEqual(apim.inputs["sku"], { name: gateway.apim.sku, capacity: gateway.apim.capacity });
            assert.equal(apim.inputs["virtualNetworkType"], "External");
            assert.deepEqual(apim.inputs["identity"], { type: "SystemAssigned" });
            assert.deepEqual(apim.inputs["zones"], stack === "prod" ? cluster.zones : undefined);
            const custom = apim.inputs["customProperties"] as Record<string, string>;
            // Every switch Microsoft documents is set off, and HTTP/2 on; nothing else is set.
            const http2 = "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2";
            assert.deepEqual(Object.keys(custom).sort(), [...APIM_DISABLEABLE_KEYS, http2].sort());
            for (const key of APIM_DISABLEABLE_KEYS) {
                assert.equal(custom[key]?.toLowerCase(), "false", key);
            }
            assert.equal(custom[http2], "True");
            assert.deepEqual(apim.customTimeouts, { create: "3h", update: "3h", delete: "3h" });
        });
    }

    it("trusts the platform's private root and intermediate for the ingress backend, and validates its chain and name", async () => {
        const graph = await plan("dev", false);
        // Microsoft asks for the root and the intermediate (api-management-howto-mutual-certificates); the store
        // takes base64 DER, which is a PEM's body without its armour (RFC 7468).
        const der = (resource: string) => String(byName(graph, resource).outputs["certPem"]).replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
        const certificates = byName(graph, "gateway-apim").inputs["certificates"] as { storeName: string; encodedCertificate: string }[];
        assert.deepEqual(certificates, [{ storeName: "Root", encodedCertificate: der("pki-root") }, { storeName: "CertificateAuthority", encodedCertificate: der("pki-intermediate") }]);
        const backend = byName(graph, "gateway-apim-ingress-backend").inputs;
        assert.deepEqual([backend["backendId"], backend["url"], backend["tls"]], ["aks-ingress", "https://api.aks-ingress.dev.platform.example.com", { validateCertificateChain: true, validateCertificateName: true }]);
        const api = byName(graph, "gateway-apim-example-api").inputs;
        assert.deepEqual(api["protocols"], ["https"]);
        assert.match(String(api["serviceUrl"]), /^https:\/\//);
        assert.match(String(byName(graph, "gateway-apim-example-api-policy").inputs["value"]), /<set-backend-service backend-id="aks-ingress" \/>/);
        // The backend's name resolves in the VNet to the ingress gateway's internal load balancer.
        const wildcard = byName(graph, "network-dns-ingress-wildcard").inputs as Record<string, any>;
        assert.deepEqual(wildcard["aRecords"], [{ ipv4Address: "10.20.8.196" }]);
        assert.equal(byName(graph, "network-dns-ingress").inputs["privateZoneName"], "aks-ingress.dev.platform.example.com");
    });

    it("turns off the developer and legacy portals and old management API versions", async () => {
        for (const stack of ["dev", "prod"]) {
            const apim = byName(await plan(stack), "gateway-apim").inputs;
            // Both portals default to Enabled in the SDK (apimanagement/apiManagementService.js).
            assert.deepEqual([apim["developerPortalStatus"], apim["legacyPortalStatus"]], ["Disabled", "Disabled"]);
            // Azure Policy: "API Management minimum API version should be set to 2019-12-01 or higher".
            const minimum = (apim["apiVersionConstraint"] as { minApiVersion?: string } | undefined)?.minApiVersion;
            assert.ok(minimum !== undefined && minimum >= "2019-12-01", `minApiVersion ${minimum}`);
        }
    });

    it("points Front Door at API Management's default host name without waiting for the service to exist", async () => {
        const graph = await plan("prod", false);
        const apim = byName(graph, "gateway-apim");
        const origin = byName(graph, "gateway-afd-origin-apim");
        // `<serviceName>.azure-api.net` follows from the name; reading it from the service would chain the edge
        // behind the hour API Management takes to create.
        assert.ok(!waitsFor(graph, origin).has(apim.urn), "the Front Door origin waits for API Management");
        assert.equal(origin.inputs["hostName"], `${apim.inputs["serviceName"]}.azure-api.net`);
    });

    it("accepts only this Front Door, valid JWTs from the configured issuer, and rate-limits per client and subject", async () => {
        const graph = await plan("dev", false);
        const config = azureConfig("dev").gateway;
        const xml = String(byName(graph, "gateway-apim-global-policy").inputs["value"]);
        assert.match(xml, /<check-header name="X-Azure-FDID"[^>]*>\s*<value>\{\{frontdoor-id\}\}<\/value>/);
        const frontDoorId = byName(graph, "gateway-afd").outputs["frontDoorId"];
        assert.match(String(frontDoorId), /^[0-9a-f-]{36}$/);
        assert.equal(byName(graph, "gateway-apim-frontdoor-id").inputs["value"], frontDoorId);
        assert.ok(byName(graph, "gateway-apim-global-policy").dependencies.includes(byName(graph, "gateway-apim-frontdoor-id").urn));
        assert.match(xml, new RegExp(`<openid-config url="${config.jwt.issuer.replace(/[.?]/g, "\\$&")}/.well-known/openid-configuration" />`));
        assert.match(xml, new RegExp(`<issuer>${config.jwt.issuer.replace(/[.?]/g, "\\$&")}</issuer>`));
        for (const audience of config.jwt.audiences) {
            assert.ok(xml.includes(`<audience>${audience}</audience>`), audience);
        }
        assert.match(xml, /<claim name="sub" \/>/);
        assert.match(xml, new RegExp(`<rate-limit-by-key calls="${config.rateLimits.perClientIp.perMinute}" renewal-period="60"[\\s\\S]*X-Azure-ClientIP`));
        // Per subject, in each API's policy (per-API budgets and quotas).
        const api = String(byName(graph, "gateway-apim-example-api-policy").inputs["value"]);
        assert.match(api, new RegExp(`<rate-limit-by-key calls="${config.rateLimits.perSubject.perMinute}"[\\s\\S]*\\.Subject\\)`));
        assert.match(xml, /<outbound>[\s\S]*<set-header name="Server" exists-action="delete" \/>/);
        assert.doesNotMatch(xml, /__[A-Z_]+__/);
    });

    it("alerts on surges of JWT and rate-limit rejections in API Management, which Prometheus never sees", async () => {
        const graph = await plan("dev", false);
        const apim = ofType(graph, "azure-native:apimanagement:ApiManagementService")[0]!;
        const alerts = ofType(graph, "azure-native:monitor:MetricAlert");
        const watched = alerts.map((alert) => {
            const inputs = alert.inputs as Record<string, any>;
            const [criterion] = inputs["criteria"].allOf;
            assert.deepEqual(inputs["scopes"], [apim.id]);
            assert.deepEqual([criterion.criterionType, criterion.metricNamespace, criterion.metricName, criterion.operator], ["DynamicThresholdCriterion", "Microsoft.ApiManagement/service", "Requests", "GreaterThan"]);
            assert.deepEqual(inputs["actions"], [], "no receiver configured, no action group");
            return criterion.dimensions[0];
        });
        assert.deepEqual(watched.sort((a, b) => a.values[0].localeCompare(b.values[0])), [
            { name: "GatewayResponseCode", operator: "Include", values: ["401", "403"] },
            { name: "GatewayResponseCode", operator: "Include", values: ["429"] },
        ]);
        assert.equal(ofType(graph, "azure-native:monitor:ActionGroup").length, 0);
    });

    it("notifies the critical receivers from config through an action group, the webhook kept secret", async () => {
        const graph = await planDevWithOptions();
        const [group] = ofType(graph, "azure-native:monitor:ActionGroup");
        const inputs = group!.inputs as Record<string, any>;
        assert.deepEqual(inputs["emailReceivers"], [{ name: "email", emailAddress: ALERT_RECEIVERS.email.to, useCommonAlertSchema: true }]);
        assert.deepEqual(inputs["webhookReceivers"], [{ name: "webhook", serviceUri: { [SIG_KEY]: SECRET_SIG, value: ALERT_RECEIVERS.webhookUrl }, useCommonAlertSchema: true }]);
        const alerts = ofType(graph, "azure-native:monitor:MetricAlert");
        assert.ok(alerts.length > 0, "no metric alert sends to the action group");
        for (const alert of alerts) {
            assert.deepEqual(alert.inputs["actions"], [{ actionGroupId: group!.id }]);
        }
    });

    it("escapes config values in the policy XML", () => {
        const config = azureConfig("dev").gateway;
        const xml = globalPolicyXml({ ...config, jwt: { ...config.jwt, audiences: ["api://a&b<c>"] } });
        assert.ok(xml.includes("<audience>api://a&amp;b&lt;c&gt;</audience>"));
    });

    // The edge's own settings are the gateway component's tests (test/components/gateway.ts); these read it in the platform.
    describe("Application Gateway edge", () => {
        it("first run (phase 1 update, no certificate named yet): no gateway and no read of a secret the new vault cannot hold yet", async () => {
            // application-gateway-key-vault-common-errors: a listener whose certificate the gateway cannot fetch is
            // disabled; and a read of an absent secret fails the whole update (azure review row 1).
            const raw = rawConfig("dev");
            const graph = await planWith({
                stack: "dev",
                preview: false,
                overrides: {
                    "platform:gateway": JSON.stringify({ ...raw["gateway"], edge: "appgateway" }),
                    "platform:network": JSON.stringify({ ...raw["network"], subnets: { ...raw["network"].subnets, appGateway: DEV_APP_GATEWAY_SUBNET } }),
                },
            });
            assert.deepEqual(ofType(graph, "azure-native:network:ApplicationGateway"), []);
            assert.deepEqual(graph.invokes.filter((i) => i.token === "azure-native:keyvault:getSecret"), []);
            // What the second run needs is in place: the identity's grant on the vault, the WAF policy, and the public
            // IP the A record points at (stack output edgeTarget).
            assert.ok(byName(graph, "gateway-agw-kv-secrets-user") && byName(graph, "gateway-agw-waf"));
            assert.equal(graph.stackOutputs["edgeTarget"], byName(graph, "gateway-agw-pip").outputs["ipAddress"]);
        });

        it("calls the mesh ingress gateway over HTTPS, trusting only the private root, and reads its certificate with a prior grant", async () => {
            const graph = await planAppGatewayEdge("dev", false);
            const agw = byName(graph, "gateway-agw");
            const inputs = agw.inputs as Record<string, any>;
            assert.deepEqual(inputs["backendAddressPools"][0].backendAddresses, [{ fqdn: "api.aks-ingress.dev.platform.example.com" }]);
            const settings = inputs["backendHttpSettingsCollection"][0];
            assert.deepEqual([settings.protocol, settings.port, settings.hostName], ["Https", 443, "api.aks-ingress.dev.platform.example.com"]);
            assert.ok(settings.trustedRootCertificates[0].id.endsWith("/trustedRootCertificates/platform-root"));
            assert.equal(inputs["trustedRootCertificates"][0].data, derBase64(byName(graph, "pki-root").outputs["certPem"] as string));
            // The literal ids the gateway uses are the ids Azure gives.
            assert.equal(inputs["firewallPolicy"].id, byName(graph, "gateway-agw-waf").id);
            assert.ok(String(inputs["sslCertificates"][0].keyVaultSecretId).endsWith("secrets/api-certificate"));
            const grant = byName(graph, "gateway-agw-kv-secrets-user");
            assert.equal(grant.inputs["scope"], byName(graph, "gateway-kv").id);
            assert.ok(agw.dependencies.includes(grant.urn), "the gateway would read Key Vault before it may");
        });

        it("passes both packs at preview, with every TLS setting known", async () => {
            const violations = await evaluatePacks(toCheckpoint(await planAppGatewayEdge("prod", true)), { configs: stackPolicyConfigs("prod") });
            assert.deepEqual(violations, []);
        });
    });

    it("keeps Front Door's validation and CNAME records in the Azure DNS zone the config names, so validation and renewal need nobody", async () => {
        // planDevWithOptions names the zone platform.example.com (subscription 4444...): api.dev.platform.example.com is
        // "api.dev" in it. learn.microsoft.com/azure/frontdoor/domain: TXT "_dnsauth.{subdomain}" with the value Front Door
        // issues; renewal needs no action "If you have a CNAME record already pointing to the Azure Front Door endpoint".
        const graph = await planDevWithOptions();
        const zoneId = "/subscriptions/44444444-4444-4444-8444-444444444444/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/platform.example.com";
        const domain = byName(graph, "gateway-afd-domain");
        assert.deepEqual(domain.inputs["azureDnsZone"], { id: zoneId });
        const records = ofType(graph, "azure-native:dns:RecordSet").sort((a, b) => a.name.localeCompare(b.name)).map((r) => ({ name: r.inputs["relativeRecordSetName"], type: r.inputs["recordType"], zone: r.inputs["zoneName"], group: r.inputs["resourceGroupName"], ttl: r.inputs["ttl"], txt: r.inputs["txtRecords"], cname: r.inputs["cnameRecord"] }));
        const token = (domain.outputs["validationProperties"] as { validationToken: string }).validationToken;
        assert.deepEqual(records, [
            { name: "api.dev", type: "CNAME", zone: "platform.example.com", group: "rg-dns", ttl: 3600, txt: undefined, cname: { cname: byName(graph, "gateway-afd-endpoint").outputs["hostName"] } },
            { name: "_dnsauth.api.dev", type: "TXT", zone: "platform.example.com", group: "rg-dns", ttl: 3600, txt: [{ value: [token] }], cname: undefined },
        ]);
        // Written in the zone's subscription, through a provider for it.
        const provider = graph.resources.find((r) => r.type === "pulumi:providers:azure-native" && r.inputs["subscriptionId"] === "44444444-4444-4444-8444-444444444444");
        assert.ok(provider, "no Azure provider for the zone's subscription");
        for (const record of ofType(graph, "azure-native:dns:RecordSet")) {
            assert.ok(record.provider?.startsWith(`${provider.urn}::`), `${record.name} goes to ${record.provider}`);
        }
        // Resource Graph does not index microsoft.cdn/profiles/customdomains (governance/resource-graph/reference/
        // supported-tables-resources): no alert may rest on it. Without a zone, nothing is written for the domain.
        assert.ok(!ofType(graph, "azure-native:monitor:ScheduledQueryRule").some((r) => JSON.stringify(r.inputs["criteria"]).includes("arg(")));
        const committed = await plan("dev", false);
        assert.deepEqual([ofType(committed, "azure-native:dns:RecordSet").length, byName(committed, "gateway-afd-domain").inputs["azureDnsZone"]], [0, undefined]);
    });

    describe("custom hostnames and partners", () => {

        it("serves apim.<domain> and partners.<domain> with Key Vault certificates, read by the system-assigned identity", async () => {
            // api-management-howto-properties#key-vault-secrets: behind a Key Vault firewall "You must use the API
            // Management instance's system-assigned managed identity ... You can't use a user-assigned identity".
            const graph = await planDevWithOptions();
            const apim = byName(graph, "gateway-apim");
            assert.deepEqual(apim.inputs["identity"], { type: "SystemAssigned" });
            assert.deepEqual(ofType(graph, "azure-native:managedidentity:UserAssignedIdentity").filter((i) => i.name.startsWith("gateway-apim")), []);
            // Key Vault Secrets User (4633458b-...) on the platform vault, to the service's own principal.
            const grant = byName(graph, "gateway-apim-kv-secrets-user");
            assert.deepEqual([grant.inputs["scope"], grant.inputs["principalType"], grant.inputs["principalId"]], [byName(graph, "gateway-kv").id, "ServicePrincipal", (apim.outputs["identity"] as Record<string, unknown>)["principalId"]]);
            assert.match(String(grant.inputs["roleDefinitionId"]), /\/4633458b-17de-408a-b874-0445c86b69e6$/);
            const hostnames = apim.inputs["hostnameConfigurations"] as Record<string, any>[];
            assert.deepEqual(hostnames.map((h) => [h.hostName, h.negotiateClientCertificate, h.identityClientId]), [
                ["apim.dev.platform.example.com", false, undefined],
                ["partners.dev.platform.example.com", true, undefined],
            ]);
            assert.ok(hostnames.every((h) => /secrets\/(apim|partners)-certificate$/.test(h.keyVaultId)));
            // Front Door calls the custom name, whose certificate matches it.
            assert.equal(byName(graph, "gateway-afd-origin-apim").inputs["hostName"], "apim.dev.platform.example.com");
        });

        it("lets partners in from their ranges only, with client certificates chaining to the partner CA (generated in dev)", async () => {
            const graph = await planDevWithOptions();
            const certificates = byName(graph, "gateway-apim").inputs["certificates"] as { storeName: string; encodedCertificate: string }[];
            assert.deepEqual(certificates.map((c) => c.storeName), ["Root", "CertificateAuthority", "CertificateAuthority"]);
            assert.equal(certificates[2]!.encodedCertificate, derBase64(byName(graph, "gateway-partner-ca").outputs["certPem"] as string));
            const inbound = (byName(graph, "network-nsg-apim").inputs["securityRules"] as Record<string, any>[]).filter((r) => r.direction === "Inbound" && r.access === "Allow" && r.destinationPortRanges.includes("443"));
            assert.deepEqual(inbound.map((r) => r.sourceAddressPrefix), ["AzureFrontDoor.Backend", "203.0.113.0/24"]);
            const global = String(byName(graph, "gateway-apim-global-policy").inputs["value"]);
            // The FDID check is skipped only for the partner API on the partner host: any other API called on that
            // host by any Front Door (the NSG admits the whole AzureFrontDoor.Backend tag) still needs our FDID.
            const bypass = /<when condition="@\(!\((.*)\)\)">\s*<check-header name="X-Azure-FDID"/.exec(global)?.[1] ?? "";
            assert.match(bypass, /^context\.Request\.OriginalUrl\.Host\.Equals\(&quot;partners\.dev\.platform\.example\.com&quot;, StringComparison\.OrdinalIgnoreCase\) &amp;&amp; context\.Api\.Id == &quot;partners&quot;$/);
            assert.equal(byName(graph, "gateway-apim-partner-api").inputs["apiId"], "partners");
            // The dev partner CA is generated and publishes no CRL: revocation checks would refuse every partner.
            assert.match(String(byName(graph, "gateway-apim-partner-api-policy").inputs["value"]), /<validate-client-certificate validate-revocation="false" validate-trust="true"/);
        });

        it("checks revocation for a supplied partner CA", async () => {
            const graph = await planSuppliedCas();
            assert.match(String(byName(graph, "gateway-apim-partner-api-policy").inputs["value"]), /<validate-client-certificate validate-revocation="true" validate-trust="true"/);
        });

        it("requires a supplied partner CA in prod", () => {
            const raw = rawConfig("prod");
            raw["gateway"].apim.partners = { certificateSecretName: "partners", allowedSourceRanges: ["203.0.113.0/24"] };
            assert.throws(() => parsePlatformConfig(raw), /platform:gateway\.apim\.partners\.clientCaCertificate: \(not set\) is required in prod/);
        });

        it("keeps every request on Front Door when no partner hostname exists", () => {
            assert.match(globalPolicyXml(azureConfig("dev").gateway), /Host\.Equals\(&quot;&quot;/);
        });

        it("passes both packs at preview", async () => {
            const violations = await evaluatePacks(toCheckpoint(await planDevWithOptions(true)), { configs: stackPolicyConfigs("dev") });
            assert.deepEqual(violations.filter((v) => v.enforcementLevel === "mandatory" || v.message.includes("can't run")), []);
        });
    });
});
