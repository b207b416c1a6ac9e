import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSecret } from "@pulumi/pulumi";
import { ConfigError, parsePlatformConfig } from "../../config";
import { azureConfig, rawConfig, RUNNERS_APP, TEST_CA } from "../helpers";

function problemsOf(mutate: (raw: Record<string, any>) => void, stack = "dev"): string[] {
    const raw = structuredClone(rawConfig(stack));
    mutate(raw);
    try {
        parsePlatformConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.problems;
    }
    return [];
}

describe("stack config", () => {
    it("accepts the committed dev and prod stacks and fills defaults", () => {
        const dev = azureConfig("dev");
        assert.equal(dev.environment, "dev");
        assert.equal(dev.cluster.systemPool.maxPods, 110);
        assert.equal(dev.network.subnets.appGateway, undefined);
        assert.deepEqual(dev.cluster.maintenanceWindow, { dayOfWeek: "Sunday", startTime: "02:00", durationHours: 4, utcOffset: "+00:00" });
        assert.equal(dev.cluster.publicFqdn, false);
        assert.deepEqual(azureConfig("prod").cluster.zones, ["1", "2", "3"]);
    });

    // Each bad value, and the one line it must produce (key path, value, what is allowed).
    const cases: [string, (raw: Record<string, any>) => void, RegExp, string?][] = [
        ["invalid CIDR", (r) => (r.network.addressSpace = "10.300.0.0/33"), /^platform:network\.addressSpace: "10\.300\.0\.0\/33" is not a valid IPv4 CIDR/],
        ["host bits set", (r) => (r.network.subnets.apim = "10.20.8.1/27"), /^platform:network\.subnets\.apim: "10\.20\.8\.1\/27" is not a valid IPv4 CIDR/],
        ["wrong type", (r) => (r.cluster.systemPool.minCount = "three"), /^platform:cluster\.systemPool\.minCount: "three" is a string, expected number$/],
        ["unknown enum value", (r) => (r.gateway.edge = "cloudflare"), /^platform:gateway\.edge: "cloudflare" is not allowed; allowed: "frontdoor", "appgateway"$/],
        ["missing required key", (r) => delete r.cluster.kubernetesVersion, /^platform:cluster\.kubernetesVersion: is required \(expected string\)$/],
        ["missing top-level key", (r) => delete r.environment, /^platform:environment: is required/],
        ["subnet outside the VNet", (r) => (r.network.subnets.runners = "10.21.0.0/27"), /^platform:network\.subnets\.runners: "10\.21\.0\.0\/27" is outside the address space 10\.20\.0\.0\/16$/],
        ["overlapping subnets", (r) => (r.network.subnets.ingress = "10.20.8.0/27"), /^platform:network\.subnets\.apim: "10\.20\.8\.0\/27" overlaps subnets\.ingress/],
        ["firewall subnet not /26", (r) => (r.network.subnets.firewall = "10.20.8.64/27"), /^platform:network\.subnets\.firewall: "10\.20\.8\.64\/27" must be a \/26/],
        ["pod CIDR overlapping the VNet", (r) => (r.network.podCidr = "10.20.128.0/17"), /^platform:network\.podCidr: "10\.20\.128\.0\/17" overlaps the VNet address space/],
        ["DNS IP outside the service CIDR", (r) => (r.network.dnsServiceIp = "10.0.0.10"), /^platform:network\.dnsServiceIp: "10\.0\.0\.10" must be a host address inside serviceCidr/],
        ["fewer nodes than zones", (r) => (r.cluster.systemPool.minCount = 2), /^platform:cluster\.systemPool\.minCount: 2 must be at least the number of zones \(3\)/, "prod"],
        ["min above max", (r) => (r.cluster.userPool.minCount = 9), /^platform:cluster\.userPool\.minCount: 9 must not exceed maxCount \(5\)$/],
        ["node subnet too small for max nodes", (r) => {
            r.network.subnets.userNodes = "10.20.4.0/27";
            r.cluster.userPool.maxCount = 30;
        }, /^platform:cluster\.userPool\.maxCount: 30 needs 31 node IPs with upgrade surge, but its subnet 10\.20\.4\.0\/27 has 27$/],
        ["max pods above the overlay limit", (r) => (r.cluster.userPool.maxPods = 400), /^platform:cluster\.userPool\.maxPods: 400 is too large; maximum 250$/],
        ["prod-only choice", (r) => (r.gateway.apim.sku = "Developer"), /^platform:gateway\.apim\.sku: "Developer" is not allowed in prod; allowed: Premium/, "prod"],
        ["prod needs three zones", (r) => (r.cluster.zones = ["1"]), /^platform:cluster\.zones: \["1"\] must be all three zones in prod$/, "prod"],
        ["edge needs its subnet", (r) => (r.gateway.edge = "appgateway"), /^platform:network\.subnets\.appGateway: \(not set\) is required when gateway\.edge is appgateway$/],
        ["typo in a key", (r) => (r.network.adressSpace = "10.0.0.0/16"), /^platform:network: has unknown key "adressSpace"/],
        ["unknown environment", (r) => (r.environment = "staging"), /^platform:environment: "staging" is not allowed; allowed: "dev", "prod", "local"$/],
        ["maintenance window too short", (r) => (r.cluster.maintenanceWindow = { durationHours: 2 }), /^platform:cluster\.maintenanceWindow\.durationHours: 2 is too small; minimum 4$/],
        ["Azure key on the local stack", (r) => (r.network = {}), /^platform:network: is not a known key for a local stack; known keys: environment, kubernetes, backup, admission, platformCa, meshCa, /, "local"],
        ["prod without a month of full backups", (r) => (r.backup.schedules["full-daily"].ttlHours = 168), /^platform:backup\.schedules: \["platform-hourly","full-daily"\] needs a full schedule \(no includedNamespaces\) with ttlHours >= 720 in prod/, "prod"],
        ["bad cron", (r) => (r.backup.schedules["full-daily"].cron = "daily"), /^platform:backup\.schedules\.full-daily\.cron: "daily" is not a five-field cron expression/],
        ["local S3 backup without its key", (r) => (r.backup = { s3: { url: "http://minio:9000", bucket: "velero", accessKeyId: "velero" }, schedules: { daily: { cron: "0 3 * * *", ttlHours: 72 } } }), /^platform:backupS3SecretAccessKey: is required when backup\.s3 is set/, "local"],
        ["supplied CA without its key", (r) => (r.platformCa = { rootCertificate: TEST_CA.root, intermediateCertificate: TEST_CA.intermediate }), /^platform:platformCaIntermediateKey: is required together with platformCa/],
        // Its not-after feeds the expiry alerts: a PEM-shaped text that is no certificate is refused.
        ["a supplied CA that is no certificate", (r) => (r.meshCa = { rootCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", intermediateCertificate: TEST_CA.intermediate }), /^platform:meshCa\.rootCertificate: .* is PEM-shaped but not an X\.509 certificate$/],
        ["a supplied CA that is not PEM", (r) => (r.meshCa = { rootCertificate: "root.crt", intermediateCertificate: "int.crt" }), /^platform:meshCa\.rootCertificate: "root\.crt" is not a single PEM certificate/],
        ["a registry that is not one", (r) => (r.admission = { allowedRegistries: ["https://myregistry.azurecr.io"] }), /^platform:admission\.allowedRegistries\[0\]: "https:\/\/myregistry\.azurecr\.io" is not a registry/],
        // Nodes pull through the firewall only from MCR (learn.microsoft.com/azure/aks/outbound-rules-control-egress,
        // the AzureKubernetesService FQDN tag) and from the platform registry's private endpoint, whose apps/ is admitted anyway.
        ["an admitted registry the nodes cannot pull from", (r) => (r.admission = { allowedRegistries: ["mcr.microsoft.com", "docker.io/library"] }), /^platform:admission\.allowedRegistries\[1\]: "docker\.io\/library" is not reachable from the nodes: the firewall admits only mcr\.microsoft\.com/, "prod"],
        ["a registry whose name only starts like MCR", (r) => (r.admission = { allowedRegistries: ["mcr.microsoft.com.example.net"] }), /^platform:admission\.allowedRegistries\[0\]: "mcr\.microsoft\.com\.example\.net" is not reachable from the nodes/],
        ["unknown top-level key", (r) => (r.netwrok = {}), /^platform:netwrok: is not a known key for an Azure stack; known keys: environment, location/],
        ["bad GUID", (r) => (r.cluster.adminGroupObjectIds = ["admins"]), /^platform:cluster\.adminGroupObjectIds\[0\]: "admins" is not a GUID/],
        ["alert e-mail without its password", (r) => (r.observability = { criticalAlertEmail: { to: "oncall@example.com", from: "alerts@example.com", smarthost: "smtp.example.com:587" } }), /^platform:alertEmailPassword: is required when observability\.criticalAlertEmail is set/],
        ["alert e-mail relay without a port", (r) => (r.observability = { criticalAlertEmail: { to: "oncall@example.com", from: "alerts@example.com", smarthost: "smtp.example.com" } }), /^platform:observability\.criticalAlertEmail\.smarthost: "smtp\.example\.com" is not host:port/],
        ["plain http issuer", (r) => (r.gateway.jwt.issuer = "http://idp.example.com"), /^platform:gateway\.jwt\.issuer: "http:\/\/idp\.example\.com" is not an https:\/\/ URL$/],
        // What Azure or the chart would reject, refused before any resource is declared (tests-and-code review probes).
        ["App Gateway min capacity above max", (r) => Object.assign(r.gateway, { edge: "appgateway", appGateway: { certificateSecretName: "api", minCapacity: 5, maxCapacity: 2 } }), /^platform:gateway\.appGateway\.minCapacity: 5 must not exceed maxCapacity \(2\)$/, "prod"],
        ["partners with the appgateway edge", (r) => Object.assign(r.gateway, { edge: "appgateway", appGateway: { certificateSecretName: "api" }, apim: { ...r.gateway.apim, partners: { certificateSecretName: "p", allowedSourceRanges: ["203.0.113.0/24"], clientCaCertificate: TEST_CA.root } } }), /^platform:gateway\.apim\.partners: "\(set\)" is used only with gateway\.edge frontdoor/, "prod"],
        ["an App Gateway block with the frontdoor edge", (r) => (r.gateway.appGateway = { certificateSecretName: "api" }), /^platform:gateway\.appGateway: "\(set\)" is used only with gateway\.edge appgateway/],
        ["App Gateway subnet too small", (r) => Object.assign(r.gateway, { edge: "appgateway", appGateway: { certificateSecretName: "api" } }) && (r.network.subnets.appGateway = "10.20.9.0/29"), /^platform:network\.subnets\.appGateway: "10\.20\.9\.0\/29" must be \/26 or larger/],
        ["Developer SKU with capacity", (r) => (r.gateway.apim.capacity = 5), /^platform:gateway\.apim\.capacity: 5 must be 1 for the Developer SKU/],
        ["cron out of range", (r) => (r.backup.schedules["full-daily"].cron = "99 99 99 99 99"), /^platform:backup\.schedules\.full-daily\.cron: "99 99 99 99 99" is not a five-field cron expression/],
        ["Kubernetes version AKS does not offer", (r) => (r.cluster.kubernetesVersion = "1.99"), /^platform:cluster\.kubernetesVersion: "1\.99" is not a minor AKS supports/],
        // learn.microsoft.com/azure/aks/api-server-vnet-integration: "The minimum supported API server subnet size is a /28".
        ["API server subnet smaller than /28", (r) => (r.network.subnets.apiServer = "10.20.10.0/29"), /^platform:network\.subnets\.apiServer: "10\.20\.10\.0\/29" must be \/28 or larger/],
        // use-kms-etcd-encryption, Limitations: a private vault needs API Server VNet Integration.
        ["KMS without the API server subnet", (r) => delete r.network.subnets.apiServer, /^platform:network\.subnets\.apiServer: \(not set\) is required when cluster\.kmsEtcdEncryption is true/],
        // Seed 000: "Secret Encryption: KMS-managed, automatic rotation"; dev may opt out, prod may not.
        ["prod without KMS", (r) => (r.cluster.kmsEtcdEncryption = false), /^platform:cluster\.kmsEtcdEncryption: false may not be false in prod/, "prod"],
        // Phase 2 pulls every docker.io image through the cache, which authenticates with them.
        ["phase all without the Docker Hub secrets", (r) => (r.phase = "all"), /^platform:dockerHubUsername: is required in phase all \(the registry caches Docker Hub's images with it\)/],
        ["a Docker Hub key on the local stack", (r) => (r.dockerHubToken = "t"), /^platform:dockerHubToken: is used only by Azure stacks/, "local"],
        ["one Docker Hub key without the other", (r) => (r.dockerHubUsername = "platform-bot"), /^platform:dockerHubToken: is required together with the other Docker Hub key/],
        // in-cluster review row 2: in prod, critical alerts otherwise become log lines in Loki.
        ["prod without a critical receiver", (r) => delete r.alertWebhookUrl, /^platform:alertWebhookUrl: is required in prod, or observability\.criticalAlertEmail/, "prod"],
        // One NSG rule per range in a band of 100 priorities (network/rules.ts).
        ["more partner ranges than the NSG band holds", (r) => (r.gateway.apim.partners = { certificateSecretName: "p", allowedSourceRanges: Array.from({ length: 101 }, (_, i) => `198.51.${i}.0/24`) }), /^platform:gateway\.apim\.partners\.allowedSourceRanges: has 101 entries; at most 100 allowed$/],
        // The runners: the App's key with its App, and a subnet a Container Apps workload profiles environment takes
        // (learn.microsoft.com/azure/container-apps/custom-virtual-networks: /27 or larger, not in its reserved ranges).
        ["runners without the App's key", (r) => (r.runners = RUNNERS_APP.config), /^platform:runnersGithubAppPrivateKey: is required when runners is set \(pulumi config set --secret/],
        ["the App's key without runners", (r) => (r.runnersGithubAppPrivateKey = RUNNERS_APP.privateKey), /^platform:runners: \(not set\) is required when the secret runnersGithubAppPrivateKey is set/],
        ["an App key that is not PEM", (r) => Object.assign(r, { runners: RUNNERS_APP.config, runnersGithubAppPrivateKey: "ghp_token" }), /^platform:runnersGithubAppPrivateKey: \[secret\] is not a PEM private key$/],
        ["a GitHub owner GitHub would refuse", (r) => Object.assign(r, { runners: { github: { ...RUNNERS_APP.config.github, owner: "-org" } }, runnersGithubAppPrivateKey: RUNNERS_APP.privateKey }), /^platform:runners\.github\.owner: "-org" is not a GitHub user or organization name$/],
        ["a GitHub repository GitHub would refuse", (r) => Object.assign(r, { runners: { github: { ...RUNNERS_APP.config.github, repository: "my repo" } }, runnersGithubAppPrivateKey: RUNNERS_APP.privateKey }), /^platform:runners\.github\.repository: "my repo" is not a GitHub repository name$/],
        ["an App id that is not a number", (r) => Object.assign(r, { runners: { github: { ...RUNNERS_APP.config.github, appId: "123" } }, runnersGithubAppPrivateKey: RUNNERS_APP.privateKey }), /^platform:runners\.github\.appId: "123" is a string, expected number$/],
        ["runners subnet smaller than /27", (r) => (r.network.subnets.runners = "10.20.8.224/28"), /^platform:network\.subnets\.runners: "10\.20\.8\.224\/28" must be \/27 or larger \(a Container Apps workload profiles environment\)$/],
        ["runners subnet in a range Container Apps reserves", (r) => {
            r.network.addressSpace = "172.16.0.0/12";
            r.network.serviceCidr = "10.96.0.0/16";
            r.network.dnsServiceIp = "10.96.0.10";
            r.network.subnets = { systemNodes: "172.20.0.0/22", userNodes: "172.20.4.0/22", apim: "172.20.8.0/27", firewall: "172.20.8.64/26", privateEndpoints: "172.20.8.128/26", ingress: "172.20.8.192/27", runners: "172.31.0.0/27", apiServer: "172.20.10.0/28" };
        }, /^platform:network\.subnets\.runners: "172\.31\.0\.0\/27" overlaps 172\.31\.0\.0\/16, which Container Apps reserves$/],
        ["the App's key on the local stack", (r) => (r.runnersGithubAppPrivateKey = RUNNERS_APP.privateKey), /^platform:runnersGithubAppPrivateKey: is used only by Azure stacks/, "local"],
        ["ephemeral OS disk larger than the temp disk", (r) => (r.cluster.userPool.osDiskSizeGB = 2048), /^platform:cluster\.userPool\.osDiskSizeGB: 2048 must fit Standard_D4ds_v5's 150 GiB temp disk/],
        // API security (issue 34): what API Management's expressions and Istio's paths can hold, and budgets that cannot work.
        ["a public path that is not a path", (r) => (r.gateway.jwt.publicPaths = ["healthz"]), /^platform:gateway\.jwt\.publicPaths\[0\]: "healthz" is not a request path such as \/healthz/],
        ["a public path with a quote", (r) => (r.gateway.jwt.publicPaths = ['/a"b']), /^platform:gateway\.jwt\.publicPaths\[0\]: .* is not a request path/],
        ["a wildcard inside a public path", (r) => (r.gateway.jwt.publicPaths = ["/a*/b"]), /^platform:gateway\.jwt\.publicPaths\[0\]: "\/a\*\/b" is not a request path/],
        ["a claim name XML cannot hold", (r) => (r.gateway.jwt.requiredClaims = ["sub", "tid<x>"]), /^platform:gateway\.jwt\.requiredClaims\[1\]: "tid<x>" is not a claim name/],
        ["a claim value with a space", (r) => (r.gateway.jwt.claimValues = { scp: ["api.read api.write"] }), /^platform:gateway\.jwt\.claimValues\.scp\[0\]: "api\.read api\.write" is not a claim value/],
        ["a claim with no allowed value", (r) => (r.gateway.jwt.claimValues = { roles: [] }), /^platform:gateway\.jwt\.claimValues\.roles: has 0 entries; at least 1 required$/],
        ["a burst below one second of the rate", (r) => (r.gateway.rateLimits = { perClientIp: { perMinute: 600, burst: 9 } }), /^platform:gateway\.rateLimits\.perClientIp\.burst: 9 must be between 10 \(one second of perMinute 600\) and 600 \(perMinute\)$/],
        ["a burst above the per-minute budget", (r) => (r.gateway.rateLimits = { perSubject: { perMinute: 100, burst: 101 } }), /^platform:gateway\.rateLimits\.perSubject\.burst: 101 must be between 2 \(one second of perMinute 100\) and 100 \(perMinute\)$/],
        ["a per-API burst above its budget", (r) => (r.gateway.rateLimits = { apis: { partners: { perSubject: { perMinute: 60 } } } }), /^platform:gateway\.rateLimits\.apis\.partners\.perSubject\.burst: 200 must be between 1 \(one second of perMinute 60\) and 60 \(perMinute\)$/],
        ["limits for an API the program does not declare", (r) => (r.gateway.rateLimits = { apis: { orders: { quota: { calls: 10, renewalPeriodSeconds: 60 } } } }), /^platform:gateway\.rateLimits\.apis: has unknown key "orders"/],
        ["a negative quota period", (r) => (r.gateway.rateLimits = { quota: { calls: 10, renewalPeriodSeconds: -1 } }), /^platform:gateway\.rateLimits\.quota\.renewalPeriodSeconds: -1 is too small; minimum 0$/],
        // hstspreload.org: max-age of at least 31536000, includeSubDomains, preload.
        ["HSTS preload with a short max-age", (r) => (r.gateway.hsts = { maxAgeSeconds: 86400, preload: true }), /^platform:gateway\.hsts\.preload: true needs includeSubDomains true and maxAgeSeconds >= 31536000 set explicitly/],
        ["HSTS preload without subdomains", (r) => (r.gateway.hsts = { maxAgeSeconds: 31536000, includeSubDomains: false, preload: true }), /^platform:gateway\.hsts\.preload: true needs includeSubDomains true/],
        ["an HSTS max-age of zero (which clears HSTS)", (r) => (r.gateway.hsts = { maxAgeSeconds: 0 }), /^platform:gateway\.hsts\.maxAgeSeconds: 0 is too small; minimum 1$/],
        ["a deny-list entry that is no CIDR", (r) => (r.gateway.denyList = ["198.51.100.7"]), /^platform:gateway\.denyList\[0\]: "198\.51\.100\.7" is not a valid IPv4 CIDR/],
        // Front Door: 600 IP address ranges per custom rule (azure-subscription-service-limits, Front Door).
        ["a deny list longer than a WAF rule takes", (r) => (r.gateway.denyList = Array.from({ length: 601 }, (_, i) => `10.${Math.floor(i / 256)}.${i % 256}.0/24`)), /^platform:gateway\.denyList: has 601 entries; at most 600 allowed$/],
        ["the former per-minute numbers", (r) => (r.gateway.rateLimits = { perClientIp: 600 }), /^platform:gateway\.rateLimits\.perClientIp: 600 is a number, expected object$/],
    ];
    for (const [title, mutate, expected, stack] of cases) {
        it(`rejects ${title} with one line naming the key`, () => {
            const problems = problemsOf(mutate, stack);
            assert.ok(problems.some((p) => expected.test(p)), `expected a line matching ${expected}, got:\n${problems.join("\n")}`);
            assert.ok(problems.every((p) => !p.includes("\n") && p.startsWith("platform:")), problems.join("\n"));
        });
    }

    it("fills the API-security defaults: sub required, no public path, 600/100 per address and 1200/200 per subject, no quota, HSTS with subdomains and without preload, no deny list", () => {
        const { jwt, rateLimits, hsts, denyList } = azureConfig("dev").gateway;
        assert.deepEqual([jwt.requiredClaims, jwt.claimValues, jwt.publicPaths], [["sub"], {}, []]);
        assert.deepEqual(rateLimits, { perClientIp: { perMinute: 600, burst: 100 }, perSubject: { perMinute: 1200, burst: 200 }, apis: {} });
        assert.deepEqual([hsts, denyList], [{ includeSubDomains: true, preload: false }, []]);
        // Preloading with what hstspreload.org asks is accepted; so are per-API overrides within their budgets.
        assert.deepEqual(problemsOf((r) => {
            r.gateway.hsts = { maxAgeSeconds: 31536000, preload: true };
            r.gateway.rateLimits = { apis: { partners: { perSubject: { perMinute: 60, burst: 1 }, quota: { calls: 100, renewalPeriodSeconds: 0 } } } };
            r.gateway.jwt.publicPaths = ["/healthz", "/docs/*", "/"];
        }), []);
    });

    it("accepts the appgateway edge before its certificate exists: the first run creates the vault it is imported into", () => {
        assert.deepEqual(problemsOf((r) => (r.gateway.edge = "appgateway"), "prod"), []);
    });

    it("accepts a stack with its runners, and keeps the App's key secret", () => {
        const config = parsePlatformConfig({ ...rawConfig("prod"), runners: RUNNERS_APP.config, runnersGithubAppPrivateKey: RUNNERS_APP.privateKey });
        assert.ok(config.environment === "prod" && config.runners);
        assert.deepEqual(config.runners, { github: { owner: "Example-Org", repository: "platform", appId: 123456, installationId: 7654321 } });
        assert.ok(config.runnersGithubAppPrivateKey && isSecret(config.runnersGithubAppPrivateKey));
    });

    it("admits MCR and paths below it on Azure stacks, and any registry on the local stack (no firewall there)", () => {
        assert.deepEqual(problemsOf((r) => (r.admission = { allowedRegistries: ["mcr.microsoft.com", "mcr.microsoft.com/dotnet"] }), "prod"), []);
        assert.deepEqual(problemsOf((r) => (r.admission = { allowedRegistries: ["ghcr.io/example", "localhost:5000"] }), "local"), []);
    });

    it("lets dev turn KMS off, and then needs no API server subnet", () => {
        assert.deepEqual(problemsOf((r) => {
            r.cluster.kmsEtcdEncryption = false;
            delete r.network.subnets.apiServer;
        }), []);
    });

    it("accepts the cron forms Velero's schedules use", () => {
        for (const cron of ["0 2 * * *", "*/15 * * * *", "0 1-5 * * 1-5", "30 3 1,15 * 0", "0 0 * * 7"]) {
            assert.deepEqual(problemsOf((r) => (r.backup.schedules["full-daily"].cron = cron)), [], cron);
        }
    });

    it("never prints a secret key's value, even when it is invalid", () => {
        const token = "sk-live-0123456789";
        const problems = problemsOf((r) => (r.siemWebhookUrl = `http://siem.example.com/?token=${token}`));
        assert.deepEqual(problems, ["platform:siemWebhookUrl: [secret] is not an https:// URL"]);
    });

    it("turns secret keys into secret outputs", async () => {
        const config = parsePlatformConfig({ ...rawConfig("local"), siemWebhookUrl: "https://siem.example.com/hook" });
        assert.ok(config.siemWebhookUrl);
        assert.equal(await isSecret(config.siemWebhookUrl), true);
    });

    it("reports every problem at once, not just the first", () => {
        const problems = problemsOf((r) => {
            r.gateway.edge = "cloudflare";
            r.cluster.kubernetesVersion = "latest";
            r.location = "West Europe";
        });
        assert.equal(problems.length, 3, problems.join("\n"));
    });

    it("is a RunError, which Pulumi prints without a stack trace", async () => {
        const { RunError } = await import("@pulumi/pulumi");
        const err = (() => {
            try {
                parsePlatformConfig({});
            } catch (e) {
                return e;
            }
            return undefined;
        })();
        assert.ok(RunError.isInstance(err));
        assert.match((err as Error).message, /^Invalid stack configuration \(1 problem\):\n  platform:environment: is required; allowed: "dev", "prod", "local"$/);
    });
});
