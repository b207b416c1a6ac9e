/**
 * The stack configuration schema: every key the program reads, its defaults and its rules.
 * Pure (no Pulumi runtime), so the rules can be tested on their own.
 */
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { checkApiSecurity, hsts, rateLimits, tokenRules } from "./apiSecurity";
import { contains, containsAddress, overlaps, parseCidr, parseIpv4, size, usableAzureAddresses } from "./cidr";

export const CONFIG_NAMESPACE = "platform";

const cidr = z.string().refine((text) => parseCidr(text) !== undefined, {
    message: "is not a valid IPv4 CIDR (expected a.b.c.d/n with the host bits zero)",
});

const ipv4 = z.string().refine((text) => parseIpv4(text) !== undefined, {
    message: "is not a valid IPv4 address",
});

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: "is not a GUID (Entra ID object ids look like 00000000-0000-0000-0000-000000000000)",
});

const dnsName = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    message: "is not a lower-case DNS name such as api.example.com",
});

const httpsUrl = z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, { message: "is not an https:// URL" });
const emailAddress = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "is not an e-mail address" });

const subnets = z.strictObject({
    /** AKS system node pool. Node IPs only: pods get overlay IPs from `podCidr`. */
    systemNodes: cidr,
    /** AKS user node pool. */
    userNodes: cidr,
    /** API Management (external VNet mode). */
    apim: cidr,
    /** Azure Firewall; Azure requires the name AzureFirewallSubnet and a /26. */
    firewall: cidr,
    /** Private endpoints for Key Vault and storage accounts. */
    privateEndpoints: cidr,
    /** Internal load balancer in front of the mesh ingress gateway. */
    ingress: cidr,
    /**
     * Phase 2's runners (Container Apps jobs): delegated to Microsoft.App/environments, /27 or larger (a workload
     * profiles environment; learn.microsoft.com/azure/container-apps/custom-virtual-networks#subnet).
     */
    runners: cidr,
    /** Application Gateway WAF_v2; required only when `gateway.edge` is `appgateway`. */
    appGateway: cidr.optional(),
    /**
     * API Server VNet Integration: the API server's internal load balancer, in a subnet delegated to AKS (/28 or
     * larger). Required with `cluster.kmsEtcdEncryption`, whose private Key Vault AKS reaches only this way.
     */
    apiServer: cidr.optional(),
});

/**
 * Config keys whose change replaces a stateful resource (its name, location, network placement or SKU family
 * feeds an input Azure cannot update in place). Stateful resources are protected, so such a change fails the
 * deployment with Pulumi's "protected" error instead of deleting data; docs/configuration.md's table marks each key.
 */
export const REPLACING_KEYS: Record<string, string> = {
    environment: "every resource (names are derived from it)",
    location: "every regional resource",
    "network.podCidr": "the AKS cluster",
    "network.serviceCidr": "the AKS cluster",
    "network.dnsServiceIp": "the AKS cluster",
    "network.subnets.apim": "API Management's network placement",
    "gateway.apim.sku": "API Management (between SKU families)",
};

/**
 * Keys AKS refuses to change on an existing node pool; the update fails rather than replaces (the system pool is
 * inline in the cluster). learn.microsoft.com/azure/aks/manage-node-pools: a pool's VM size, max pods, zones and
 * OS disk are fixed at creation; change them by adding a new pool, moving the workloads and deleting the old one.
 */
export const FIXED_AFTER_CREATION: Record<string, string> = {
    "cluster.systemPool.vmSize": "the system pool's VM size",
    "cluster.userPool.vmSize": "the user pool's VM size",
    "cluster.systemPool.maxPods": "the system pool's pods per node",
    "cluster.userPool.maxPods": "the user pool's pods per node",
    "cluster.systemPool.osDiskSizeGB": "the system pool's OS disk",
    "cluster.userPool.osDiskSizeGB": "the user pool's OS disk",
    "cluster.zones": "both pools' availability zones",
};

export type SubnetRole = keyof z.infer<typeof subnets>;

const network = z.strictObject({
    /** VNet address space. Changing it replaces the VNet and everything in it. */
    addressSpace: cidr,
    subnets,
    /** Azure CNI overlay pod range; every node takes a /24 from it. Must not overlap the VNet. */
    podCidr: cidr.default("192.168.0.0/16"),
    /** Kubernetes service range. Must not overlap the VNet or the pod range. */
    serviceCidr: cidr.default("172.16.0.0/16"),
    /** Cluster DNS service IP, inside `serviceCidr`. */
    dnsServiceIp: ipv4.default("172.16.0.10"),
});

const keyVaultSecretName = z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, { message: "is not a Key Vault secret name" });

const nodePool = z.strictObject({
    vmSize: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, { message: "is not an Azure VM size such as Standard_D4ds_v5" }),
    minCount: z.number().int().min(1).max(1000),
    maxCount: z.number().int().min(1).max(1000),
    /** Pods per node; Azure CNI overlay allows up to 250. */
    maxPods: z.number().int().min(30).max(250).default(110),
    /** Ephemeral OS disk size; it must fit the VM size's cache or temp disk (Standard_D4ds_v5: 150 GB). */
    osDiskSizeGB: z.number().int().min(30).max(2048).default(128),
});

/** When AKS may upgrade the control plane and node images (one window for both). */
const maintenanceWindow = z.strictObject({
    dayOfWeek: z.enum(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]).default("Sunday"),
    startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "is not a 24-hour time such as 02:00" }).default("02:00"),
    /** AKS requires at least four hours. */
    durationHours: z.number().int().min(4).max(24).default(4),
    utcOffset: z.string().regex(/^[+-](0\d|1[0-4]):[0-5]\d$/, { message: "is not a UTC offset such as +01:00" }).default("+00:00"),
});

const cluster = z.strictObject({
    /** The minor version the cluster starts at: `patch` and `node-image` keep it pinned, `stable` and `rapid` move it (then later changes are ignored). */
    kubernetesVersion: z.string().regex(/^1\.\d{2}(\.\d+)?$/, { message: "is not a Kubernetes version such as 1.34" }),
    /** Availability zones for the node pools. */
    zones: z.array(z.enum(["1", "2", "3"])).min(1).max(3).default(["1"]),
    systemPool: nodePool,
    userPool: nodePool,
    /** Entra ID groups granted cluster admin through Azure RBAC; the deploying identities are members. */
    adminGroupObjectIds: z.array(uuid).min(1),
    upgradeChannel: z.enum(["patch", "stable", "rapid", "node-image", "none"]).default("patch"),
    nodeOsUpgradeChannel: z.enum(["NodeImage", "SecurityPatch", "Unmanaged", "None"]).default("NodeImage"),
    maintenanceWindow: maintenanceWindow.prefault({}),
    /**
     * Also publish the private API server's name in public DNS (it still resolves to the private IP).
     * Only for runners that cannot use the cluster's private DNS zone.
     */
    publicFqdn: z.boolean().default(false),
    /**
     * Kubernetes Secrets in etcd encrypted with a Key Vault key (KMS), rotated by the key's rotation policy.
     * Needs `network.subnets.apiServer`; prod requires it, dev may turn it off.
     */
    kmsEtcdEncryption: z.boolean().default(true),
});

/** Parses as an X.509 certificate (its not-after feeds the expiry alerts). */
function isCertificate(pem: string): boolean {
    try {
        new X509Certificate(pem);
        return true;
    } catch {
        return false;
    }
}

const pemCertificate = z.string().regex(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n?$/, {
    message: "is not a single PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
}).refine(isCertificate, { message: "is PEM-shaped but not an X.509 certificate" });

/** Application Gateway's autoscale bounds when `gateway.appGateway` leaves them out (or is left out). */
export const APP_GATEWAY_DEFAULTS = { minCapacity: 1, maxCapacity: 10 } as const;

const gateway = z.strictObject({
    /** Which service terminates public TLS: Front Door Premium (global) or Application Gateway WAF_v2 (regional). */
    edge: z.enum(["frontdoor", "appgateway"]).default("frontdoor"),
    /** Public DNS zone the platform's names live under. */
    domain: dnsName,
    apim: z.strictObject({
        sku: z.enum(["Developer", "Premium"]),
        capacity: z.number().int().min(1).max(12).default(1),
        publisherName: z.string().min(1),
        publisherEmail: emailAddress,
        /** A custom gateway name `apim.<domain>` (Front Door's origin then), its certificate imported into the platform Key Vault. */
        gatewayHostname: z.strictObject({ certificateSecretName: keyVaultSecretName }).optional(),
        /**
         * Partners that authenticate with client certificates call `partners.<domain>` directly (Front Door does
         * not forward client certificates), from their address ranges only.
         */
        partners: z.strictObject({
            certificateSecretName: keyVaultSecretName,
            /** One NSG rule each, in a band of 100 priorities (learn.microsoft.com/azure/virtual-network/network-security-groups-overview). */
            allowedSourceRanges: z.array(cidr).min(1).max(100),
            /** The CA partners' certificates chain to; dev generates one when absent, prod requires it. */
            clientCaCertificate: pemCertificate.optional(),
        }).optional(),
    }),
    /** The identity provider whose tokens API Management accepts. */
    jwt: z.strictObject({
        issuer: httpsUrl,
        audiences: z.array(z.string().min(1)).min(1),
        ...tokenRules,
    }),
    /**
     * An Azure DNS zone (existing, same subscription) for public names: cert-manager then gets an ACME issuer
     * (Let's Encrypt staging in dev, production in prod) solving DNS-01 there through workload identity.
     */
    publicDnsZone: z.strictObject({ name: dnsName, resourceGroupName: z.string().min(1), subscriptionId: uuid }).optional(),
    /** The Application Gateway edge (`edge: appgateway`): its capacity, and its listener certificate once imported. */
    appGateway: z.strictObject({
        /**
         * The Key Vault certificate for `api.<domain>`: the gateway is created once it is named (import it into the vault
         * the first run creates, then set this; docs/setup.md, "Importing a certificate").
         */
        certificateSecretName: keyVaultSecretName.optional(),
        minCapacity: z.number().int().min(0).max(125).default(APP_GATEWAY_DEFAULTS.minCapacity),
        maxCapacity: z.number().int().min(1).max(125).default(APP_GATEWAY_DEFAULTS.maxCapacity),
    }).optional(),
    /** Call budgets per client address and per token subject, and quotas (config/apiSecurity.ts). */
    rateLimits,
    hsts,
    /**
     * Client addresses the edge's WAF blocks (Front Door or Application Gateway). Front Door takes at most 600
     * ranges per custom rule (learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits, Front Door).
     */
    denyList: z.array(cidr).max(600).default([]),
});

/** Each cron field's range (robfig/cron, which Velero schedules with: standard five fields). */
const CRON_RANGES: readonly [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

function isCron(text: string): boolean {
    const fields = text.trim().split(/\s+/);
    return fields.length === 5 && fields.every((field, i) => {
        const [low, high] = CRON_RANGES[i]!;
        const inRange = (n: string) => /^\d+$/.test(n) && Number(n) >= low && Number(n) <= high;
        return field.split(",").every((part) => {
            const [range, step] = part.split("/");
            if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) {
                return false;
            }
            if (range === "*") {
                return true;
            }
            const [from, to] = range!.split("-");
            return inRange(from!) && (to === undefined || (inRange(to) && Number(to) >= Number(from)));
        });
    });
}

const backupSchedule = z.strictObject({
    /** Five-field cron, UTC (minute, hour, day of month, month, day of week, as Velero's schedules take it). */
    cron: z.string().refine(isCron, { message: 'is not a five-field cron expression such as "0 2 * * *" (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-7)' }),
    /** How long Velero keeps each backup. */
    ttlHours: z.number().int().min(1).max(24 * 400),
    /** Back up only these namespaces; every namespace but `excludedNamespaces` when omitted (a full backup). */
    includedNamespaces: z.array(z.string().min(1)).min(1).optional(),
});

/** What Velero backs up and when; the same on every target. */
const backupPolicy = {
    /** Namespaces no schedule backs up: ephemeral, or rebuilt by the program. */
    excludedNamespaces: z.array(z.string().min(1)).default(["kube-node-lease", "kube-public"]),
    schedules: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "is not a lower-case Kubernetes name" }), backupSchedule)
        .refine((schedules) => Object.keys(schedules).length > 0, { message: "needs at least one schedule" }),
};

const azureBackup = z.strictObject({
    ...backupPolicy,
    /** Every blob version stays immutable (WORM) this many days after it is written. */
    immutabilityDays: z.number().int().min(1).max(3650),
    /**
     * Lock the immutability policy: irreversible, the period can then only grow. Azure locks only a policy that
     * already exists unlocked, so set this on the second deployment (docs/operations.md, "Backups and restore").
     */
    immutabilityLocked: z.boolean().default(false),
});

const localBackup = z.strictObject({
    ...backupPolicy,
    /** An S3-compatible store the laptop cluster reaches (MinIO, SeaweedFS, ...); the key is `backupS3SecretAccessKey`. */
    s3: z.strictObject({
        url: z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: "is not an http(s):// URL" }),
        bucket: z.string().min(3),
        region: z.string().min(1).default("us-east-1"),
        accessKeyId: z.string().min(1),
    }),
});

export type BackupPolicyConfig = Pick<z.output<typeof azureBackup>, "excludedNamespaces" | "schedules">;

/** Retention and storage of metrics, logs and traces, and where critical alerts go. */
const observability = z.strictObject({
    /** How long Prometheus keeps samples. */
    retentionDays: z.number().int().min(1).max(90).default(15),
    /** Persistent volume per Prometheus replica, on Premium SSD (prod; dev keeps metrics on the node). */
    storageGi: z.number().int().min(10).max(4096).default(100),
    /** How long Loki keeps logs (its compactor deletes older chunks from Blob storage). */
    logRetentionDays: z.number().int().min(1).max(400).default(30),
    /** How long Tempo keeps traces. */
    traceRetentionDays: z.number().int().min(1).max(90).default(7),
    /**
     * Critical alerts by e-mail (every alert also goes to Loki). The SMTP password is the secret key
     * `alertEmailPassword`; a webhook receiver is the secret key `alertWebhookUrl`.
     */
    criticalAlertEmail: z.strictObject({
        to: emailAddress,
        from: emailAddress,
        /** host:port of the SMTP relay (STARTTLS is required). */
        smarthost: z.string().regex(/^[a-z0-9.-]+:\d{2,5}$/, { message: "is not host:port, such as smtp.example.com:587" }),
    }).optional(),
    /**
     * A label for the Grafana admin password's generation, e.g. `2027-01`: changing it makes a new password and
     * restarts Grafana with it (docs/incident-response.md, "Rotating the platform's credentials").
     */
    grafanaAdminPasswordRotation: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, { message: "is not a label such as 2027-01" }).optional(),
}).prefault({});

const tags = z.strictObject({
    owner: z.string().min(1),
    costCenter: z.string().min(1),
});


/**
 * A CA the team keeps itself (root offline): its root and the intermediate the program signs with; the
 * intermediate's key is the secret key named alongside. Without it, the program creates the CA.
 */
const suppliedCa = z.strictObject({
    rootCertificate: pemCertificate,
    intermediateCertificate: pemCertificate,
});

/** Optional integrations whose values are credentials: set them with `pulumi config set --secret`. */
const secrets = {
    /** Where Falco sends alerts (seed 004: Falco -> SIEM); the URL carries the SIEM's token. */
    siemWebhookUrl: httpsUrl.optional(),
    /** Where Alertmanager sends critical alerts (a chat or paging webhook); the URL carries its token. */
    alertWebhookUrl: httpsUrl.optional(),
    /** SMTP password for `observability.criticalAlertEmail` (signs in as its `from` address). */
    alertEmailPassword: z.string().min(1).optional(),
    /** Secret key for the local stack's S3 backup store (`backup.s3.accessKeyId`). */
    backupS3SecretAccessKey: z.string().min(1).optional(),
    /**
     * Docker Hub's pull credentials for the registry's cache (a user and a read-only access token): the program writes
     * them to the registry's credential vault through ARM. Required in phase `all`, whose images come through it.
     */
    dockerHubUsername: z.string().min(1).optional(),
    dockerHubToken: z.string().min(1).optional(),
    /** The runners' GitHub App private key (PEM, as GitHub downloads it); required with `runners`. */
    runnersGithubAppPrivateKey: z.string().regex(/^-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: "is not a PEM private key" }).optional(),
    /** PEM private keys of supplied CAs' intermediates (`platformCa`, `meshCa`). */
    platformCaIntermediateKey: z.string().regex(/^-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: "is not a PEM private key" }).optional(),
    meshCaIntermediateKey: z.string().regex(/^-----BEGIN [A-Z ]*PRIVATE KEY-----/, { message: "is not a PEM private key" }).optional(),
};

/** What Kyverno admits into application namespaces (every namespace the platform does not own). */
const admission = z.strictObject({
    /** Image registries (host, or host/path) application pods may pull from. */
    allowedRegistries: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._\/-]+)?$/, { message: "is not a registry such as myregistry.azurecr.io" })).min(1),
    /** Cosign signature verification: a public key (PEM), or keyless by OIDC issuer and subject. */
    imageSignatures: z.union([
        z.strictObject({ publicKey: z.string().regex(/^-----BEGIN PUBLIC KEY-----/, { message: "is not a PEM public key" }) }),
        z.strictObject({ keylessIssuer: httpsUrl, keylessSubject: z.string().min(1) }),
    ]).optional(),
}).prefault({ allowedRegistries: ["mcr.microsoft.com"] });

/** Keys every stack accepts. */
const common = {
    admission,
    /** The platform CA (ingress certificates, API Management's trust), if the team supplies it. */
    platformCa: suppliedCa.optional(),
    /** The mesh CA (workload certificates), if the team supplies it. */
    meshCa: suppliedCa.optional(),
    ...secrets,
};

/** Config keys whose values the program keeps secret (never printed, secret outputs end to end). */
export const SECRET_KEYS = Object.keys(secrets) as (keyof typeof secrets)[];
export type SuppliedCaConfig = z.output<typeof suppliedCa>;
export type AdmissionConfig = z.output<typeof admission>;

/** dev and prod: the Azure layer, and the platform inside the private cluster. */
/** A Kubernetes namespace name (RFC 1123 label). */
const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "is not a Kubernetes namespace name (lower-case letters, digits and hyphens)" });

/**
 * Security operations in Azure. Each switch defaults to the environment profile (config/profiles.ts: on in prod,
 * off in dev); a stack may set it either way.
 */
const security = z.strictObject({
    /**
     * Microsoft Sentinel on the platform's Log Analytics workspace: Defender for Cloud alerts, Azure activity, AKS
     * audit, and Falco's and Kyverno's events (Container insights) as analytics rules and incidents (docs/siem.md).
     * prod may turn it off only with `siemWebhookUrl` (another SIEM).
     */
    sentinel: z.boolean().optional(),
    /**
     * Defender for Containers, a SUBSCRIPTION-WIDE plan: it covers every cluster and registry in the subscription,
     * is billed per vCore, and stays on when the stack is destroyed (Azure refuses a delete at subscription scope).
     * Turn it on in one stack per subscription, or off where the organisation enables it by Azure Policy.
     */
    defenderForContainers: z.boolean().optional(),
}).prefault({});

/**
 * Key Vault secrets for application namespaces (docs/application-secrets.md): per namespace, a private vault of
 * its own and a workload identity that only that namespace's service account can sign in as.
 */
const applicationSecrets = z.record(namespaceName, z.strictObject({
    /** The service account the namespace's pods run as to read the vault (its federated credential's subject). */
    serviceAccount: namespaceName.default("secrets-reader"),
    /** Entra ID groups that write the namespace's secrets (Key Vault Secrets Officer on its vault only). */
    secretOfficerGroupObjectIds: z.array(uuid).min(1),
})).default({});

export type SecurityConfig = z.output<typeof security>;
export type ApplicationSecretsConfig = z.output<typeof applicationSecrets>;
/**
 * Phase 2's ephemeral runners (components/runners): the GitHub App they register with, its key the secret
 * `runnersGithubAppPrivateKey`. Without this block the stack declares no runners.
 */
const runners = z.strictObject({
    github: z.strictObject({
        /** The repository's owner: a GitHub user or organization name (letters, digits, single inner hyphens, at most 39). */
        owner: z.string().regex(/^(?=.{1,39}$)[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/, { message: "is not a GitHub user or organization name" }),
        /** The repository's name (letters, digits, `.`, `-`, `_`, at most 100). */
        repository: z.string().regex(/^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, { message: "is not a GitHub repository name" }),
        /** The GitHub App's id and its installation's id on the repository (the App's settings page and installation URL). */
        appId: z.number().int().positive(),
        installationId: z.number().int().positive(),
    }),
});

const azureStack = z.strictObject({
    /** dev or prod; decides SKUs, zones, replicas and which choices are allowed. */
    environment: z.enum(["dev", "prod"]),
    /** Azure region for every regional resource. */
    location: z.string().regex(/^[a-z][a-z0-9]+$/, { message: "is not an Azure region name such as westeurope" }),
    tags,
    /**
     * azure: only the Azure layer (works from anywhere, used by pull-request previews).
     * all: the Azure layer and everything inside the private cluster (run from a runner in the VNet).
     */
    phase: z.enum(["azure", "all"]).default("azure"),
    network,
    cluster,
    gateway,
    backup: azureBackup,
    observability,
    security,
    applicationSecrets,
    runners: runners.optional(),
    ...common,
});

/** local: no Azure; the in-cluster platform on an existing kubeconfig context (kind, k3d, minikube). */
const localStack = z.strictObject({
    environment: z.literal("local"),
    kubernetes: z.strictObject({
        /** The kubeconfig context to deploy to (`kubectl config get-contexts`). */
        context: z.string().min(1),
        /** Names the ingress gateway serves (a wildcard certificate from the local private CA). */
        ingressDomain: dnsName.default("aks-ingress.platform.test"),
    }),
    /** Optional: Velero is installed only when a store is configured. */
    backup: localBackup.optional(),
    ...common,
});

/** Every key each kind of stack accepts, for the "not a known key" message. */
export const KNOWN_KEYS = {
    azure: Object.keys(azureStack.shape),
    local: Object.keys(localStack.shape),
};

export const platformConfigSchema = z
    .discriminatedUnion("environment", [azureStack, localStack])
    .superRefine((config, ctx) => {
        // Cross-field rules need every field valid; zod has already reported the ones that are not.
        if (ctx.issues.length > 0) {
            return;
        }
        const problem = (path: (string | number)[], input: unknown, message: string) =>
            ctx.addIssue({ code: "custom", path, input, message });
        for (const [ca, key] of [["platformCa", "platformCaIntermediateKey"], ["meshCa", "meshCaIntermediateKey"]] as const) {
            if ((config[ca] === undefined) !== (config[key] === undefined)) {
                problem([config[ca] === undefined ? ca : key], undefined, `is required together with ${config[ca] === undefined ? key : ca} (a supplied CA needs its certificates and the intermediate's key)`);
            }
        }
        if (config.environment === "local") {
            for (const key of ["dockerHubUsername", "dockerHubToken"] as const) {
                if (config[key] !== undefined) {
                    problem([key], undefined, "is used only by Azure stacks (the platform registry's Docker Hub cache); remove it");
                }
            }
            if (config.runnersGithubAppPrivateKey !== undefined) {
                problem(["runnersGithubAppPrivateKey"], undefined, "is used only by Azure stacks (their runners); remove it");
            }
            if (config.backup && config.backupS3SecretAccessKey === undefined) {
                problem(["backupS3SecretAccessKey"], undefined, "is required when backup.s3 is set (pulumi config set --secret platform:backupS3SecretAccessKey ...)");
            }
            return;
        }
        if ((config.runners === undefined) !== (config.runnersGithubAppPrivateKey === undefined)) {
            problem([config.runners === undefined ? "runners" : "runnersGithubAppPrivateKey"], undefined, config.runners === undefined
                ? "is required when the secret runnersGithubAppPrivateKey is set (it names the GitHub App and the repository)"
                : "is required when runners is set (pulumi config set --secret platform:runnersGithubAppPrivateKey < app.private-key.pem)");
        }
        if (config.observability.criticalAlertEmail && config.alertEmailPassword === undefined) {
            problem(["alertEmailPassword"], undefined, "is required when observability.criticalAlertEmail is set (pulumi config set --secret platform:alertEmailPassword ...)");
        }
        if (config.alertEmailPassword !== undefined && !config.observability.criticalAlertEmail) {
            problem(["observability", "criticalAlertEmail"], undefined, "is required when the secret alertEmailPassword is set (it names the SMTP relay and the addresses)");
        }
        for (const key of ["dockerHubUsername", "dockerHubToken"] as const) {
            if (config[key] === undefined && (config.phase === "all" || config.dockerHubUsername !== undefined || config.dockerHubToken !== undefined)) {
                problem([key], undefined, `is required ${config.phase === "all" ? "in phase all (the registry caches Docker Hub's images with it)" : "together with the other Docker Hub key"} (pulumi config set --secret platform:${key} ...)`);
            }
        }
        checkAddressPlan(config.network, problem);
        checkNodePools(config.cluster, config.network, problem);
        checkEnvironmentChoices(config, problem);
        checkPullableRegistries(config.admission, problem);
    });

/** Parsed config, secrets still plain: only the config module sees this shape. */
export type ParsedConfig = z.output<typeof platformConfigSchema>;
export type AzureStackConfig = z.output<typeof azureStack>;
export type LocalStackConfig = z.output<typeof localStack>;
export type NetworkConfig = AzureStackConfig["network"];
export type ClusterConfig = AzureStackConfig["cluster"];
export type GatewayConfig = AzureStackConfig["gateway"];
export type RunnersConfig = NonNullable<AzureStackConfig["runners"]>;

type Problem = (path: (string | number)[], input: unknown, message: string) => void;

function checkAddressPlan(net: NetworkConfig, problem: Problem): void {
    const vnet = parseCidr(net.addressSpace)!;
    const entries = Object.entries(net.subnets).filter((e): e is [string, string] => e[1] !== undefined);
    entries.forEach(([role, text], index) => {
        const subnet = parseCidr(text)!;
        if (!contains(vnet, subnet)) {
            problem(["network", "subnets", role], text, `is outside the address space ${net.addressSpace}`);
        }
        for (const [otherRole, otherText] of entries.slice(index + 1)) {
            if (overlaps(subnet, parseCidr(otherText)!)) {
                problem(["network", "subnets", role], text, `overlaps subnets.${otherRole} (${otherText})`);
            }
        }
    });
    if (parseCidr(net.subnets.firewall)!.prefix !== 26) {
        problem(["network", "subnets", "firewall"], net.subnets.firewall, "must be a /26 (Azure Firewall requires exactly /26)");
    }
    // learn.microsoft.com/azure/aks/api-server-vnet-integration: "The minimum supported API server subnet size is a /28."
    if (net.subnets.apiServer !== undefined && parseCidr(net.subnets.apiServer)!.prefix > 28) {
        problem(["network", "subnets", "apiServer"], net.subnets.apiServer, "must be /28 or larger (API Server VNet Integration)");
    }
    checkRunnersSubnet(net.subnets.runners, problem);
    if (parseCidr(net.subnets.apim)!.prefix > 27) {
        problem(["network", "subnets", "apim"], net.subnets.apim, "must be /27 or larger (API Management scales into it)");
    }
    const pods = parseCidr(net.podCidr)!;
    const services = parseCidr(net.serviceCidr)!;
    if (overlaps(pods, vnet)) {
        problem(["network", "podCidr"], net.podCidr, `overlaps the VNet address space ${net.addressSpace}`);
    }
    if (overlaps(services, vnet)) {
        problem(["network", "serviceCidr"], net.serviceCidr, `overlaps the VNet address space ${net.addressSpace}`);
    }
    if (overlaps(services, pods)) {
        problem(["network", "serviceCidr"], net.serviceCidr, `overlaps podCidr ${net.podCidr}`);
    }
    const dns = parseIpv4(net.dnsServiceIp)!;
    if (!containsAddress(services, dns) || dns === services.base) {
        problem(["network", "dnsServiceIp"], net.dnsServiceIp, `must be a host address inside serviceCidr ${net.serviceCidr}`);
    }
}

/**
 * Ranges a Container Apps workload profiles environment's subnet may not overlap: AKS's reserved ranges and the
 * environment's own (learn.microsoft.com/azure/container-apps/custom-virtual-networks#subnet-address-range-restrictions).
 */
const CONTAINER_APPS_RESERVED = ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24", "100.100.0.0/17", "100.100.128.0/19", "100.100.160.0/19", "100.100.192.0/19"];

function checkRunnersSubnet(runners: string, problem: Problem): void {
    const subnet = parseCidr(runners)!;
    // Workload profiles environments need at least a /27 (custom-virtual-networks#subnet).
    if (subnet.prefix > 27) {
        problem(["network", "subnets", "runners"], runners, "must be /27 or larger (a Container Apps workload profiles environment)");
    }
    for (const reserved of CONTAINER_APPS_RESERVED) {
        if (overlaps(subnet, parseCidr(reserved)!)) {
            problem(["network", "subnets", "runners"], runners, `overlaps ${reserved}, which Container Apps reserves`);
        }
    }
}

/** Surge nodes AKS adds during an upgrade (default max surge is one node per pool). */
export const UPGRADE_SURGE_NODES = 1;
/** Azure CNI overlay hands every node a /24 of the pod range. */
const OVERLAY_NODE_PREFIX = 24;

/**
 * Where an ephemeral OS disk lives on the VM sizes the platform documents: the temp (resource) disk, in GiB
 * (learn.microsoft.com/azure/virtual-machines/ddv5-ddsv5-series, edv5-edsv5-series). Other sizes are not checked.
 */
const EPHEMERAL_OS_DISK_GIB: Record<string, number> = {
    Standard_D2ds_v5: 75, Standard_D4ds_v5: 150, Standard_D8ds_v5: 300, Standard_D16ds_v5: 600, Standard_D32ds_v5: 1200, Standard_D48ds_v5: 1800, Standard_D64ds_v5: 2400,
    Standard_E2ds_v5: 75, Standard_E4ds_v5: 150, Standard_E8ds_v5: 300, Standard_E16ds_v5: 600, Standard_E32ds_v5: 1200,
};

/** Kubernetes minors AKS supports at the time of writing (learn.microsoft.com/azure/aks/supported-kubernetes-versions, 2026-12). */
const AKS_SUPPORTED_MINORS = ["1.33", "1.34", "1.35", "1.36"];

function checkNodePools(cluster: ClusterConfig, net: NetworkConfig, problem: Problem): void {
    const minor = cluster.kubernetesVersion.split(".").slice(0, 2).join(".");
    if (!AKS_SUPPORTED_MINORS.includes(minor)) {
        problem(["cluster", "kubernetesVersion"], cluster.kubernetesVersion, `is not a minor AKS supports; allowed: ${AKS_SUPPORTED_MINORS.join(", ")}`);
    }
    const pools = [
        ["systemPool", cluster.systemPool, net.subnets.systemNodes],
        ["userPool", cluster.userPool, net.subnets.userNodes],
    ] as const;
    let totalMaxNodes = 0;
    for (const [key, pool, subnetText] of pools) {
        totalMaxNodes += pool.maxCount + UPGRADE_SURGE_NODES;
        if (pool.minCount > pool.maxCount) {
            problem(["cluster", key, "minCount"], pool.minCount, `must not exceed maxCount (${pool.maxCount})`);
        }
        const tempDisk = EPHEMERAL_OS_DISK_GIB[pool.vmSize];
        if (tempDisk !== undefined && pool.osDiskSizeGB > tempDisk) {
            problem(["cluster", key, "osDiskSizeGB"], pool.osDiskSizeGB, `must fit ${pool.vmSize}'s ${tempDisk} GiB temp disk, where the ephemeral OS disk lives`);
        }
        if (pool.minCount < cluster.zones.length) {
            problem(["cluster", key, "minCount"], pool.minCount, `must be at least the number of zones (${cluster.zones.length}) so every zone has a node`);
        }
        const usable = usableAzureAddresses(parseCidr(subnetText)!);
        if (pool.maxCount + UPGRADE_SURGE_NODES > usable) {
            problem(["cluster", key, "maxCount"], pool.maxCount, `needs ${pool.maxCount + UPGRADE_SURGE_NODES} node IPs with upgrade surge, but its subnet ${subnetText} has ${usable}`);
        }
    }
    const pods = parseCidr(net.podCidr)!;
    const nodeRanges = pods.prefix <= OVERLAY_NODE_PREFIX ? size(pods) / 2 ** (32 - OVERLAY_NODE_PREFIX) : 0;
    if (totalMaxNodes > nodeRanges) {
        problem(["network", "podCidr"], net.podCidr, `holds ${nodeRanges} node ranges (/24 each) but the pools can reach ${totalMaxNodes} nodes`);
    }
    if (new Set(cluster.zones).size !== cluster.zones.length) {
        problem(["cluster", "zones"], cluster.zones, "lists a zone twice");
    }
}

/**
 * What the nodes can pull from on Azure: the platform registry through its private endpoint (its apps/ namespace is
 * admitted without config) and Microsoft Container Registry through the firewall's AzureKubernetesService FQDN tag
 * (learn.microsoft.com/azure/aks/outbound-rules-control-egress: mcr.microsoft.com, *.data.mcr.microsoft.com). An
 * admitted registry the firewall blocks would only turn admission into ImagePullBackOff.
 */
const PULLABLE_PUBLIC_REGISTRY = "mcr.microsoft.com";

function checkPullableRegistries(admission: AdmissionConfig, problem: Problem): void {
    admission.allowedRegistries.forEach((registry, index) => {
        if (registry.split("/")[0] !== PULLABLE_PUBLIC_REGISTRY) {
            problem(["admission", "allowedRegistries", index], registry,
                `is not reachable from the nodes: the firewall admits only ${PULLABLE_PUBLIC_REGISTRY} (or a path below it); teams' images come from the platform registry's apps/ namespace, admitted without config`);
        }
    });
}

function checkEnvironmentChoices(config: AzureStackConfig, problem: Problem): void {
    if (config.environment === "prod") {
        if (config.cluster.zones.length !== 3) {
            problem(["cluster", "zones"], config.cluster.zones, "must be all three zones in prod");
        }
        if (config.gateway.apim.sku !== "Premium") {
            problem(["gateway", "apim", "sku"], config.gateway.apim.sku, "is not allowed in prod; allowed: Premium (Developer has no SLA)");
        }
        if (config.cluster.upgradeChannel === "none") {
            problem(["cluster", "upgradeChannel"], config.cluster.upgradeChannel, "may not be none in prod; allowed: patch, stable, rapid, node-image");
        }
        if (!config.cluster.kmsEtcdEncryption) {
            problem(["cluster", "kmsEtcdEncryption"], false, "may not be false in prod (Secrets in etcd are encrypted with a Key Vault key)");
        }
        if (config.cluster.nodeOsUpgradeChannel === "None") {
            problem(["cluster", "nodeOsUpgradeChannel"], config.cluster.nodeOsUpgradeChannel, "may not be None in prod; allowed: NodeImage, SecurityPatch, Unmanaged");
        }
    }
    // Falco's critical events, certificate expiries and missing backups must page someone, not only land in Loki.
    if (config.environment === "prod" && config.alertWebhookUrl === undefined && config.observability.criticalAlertEmail === undefined) {
        problem(["alertWebhookUrl"], undefined, "is required in prod, or observability.criticalAlertEmail: critical alerts must reach a person (pulumi config set --secret platform:alertWebhookUrl https://...)");
    }
    if (config.environment === "prod") {
        const fullMonth = Object.values(config.backup.schedules).some((s) => s.includedNamespaces === undefined && s.ttlHours >= 720);
        if (!fullMonth) {
            problem(["backup", "schedules"], Object.keys(config.backup.schedules), "needs a full schedule (no includedNamespaces) with ttlHours >= 720 in prod (30 days of restore points)");
        }
    }
    // Seed 004: security events reach a SIEM in prod; Sentinel unless the team forwards to its own.
    if (config.environment === "prod" && config.security.sentinel === false && config.siemWebhookUrl === undefined) {
        problem(["security", "sentinel"], false, "may be false in prod only with siemWebhookUrl set (security events must reach a SIEM)");
    }
    if (config.environment === "prod" && config.gateway.apim.partners && !config.gateway.apim.partners.clientCaCertificate) {
        problem(["gateway", "apim", "partners", "clientCaCertificate"], undefined, "is required in prod (only dev generates a partner CA)");
    }
    if (config.environment === "prod" && config.gateway.apim.capacity % config.cluster.zones.length !== 0) {
        problem(["gateway", "apim", "capacity"], config.gateway.apim.capacity, `must be a multiple of the number of zones (${config.cluster.zones.length}) so every zone gets a unit`);
    }
    if (config.gateway.edge === "appgateway" && config.network.subnets.appGateway === undefined) {
        problem(["network", "subnets", "appGateway"], undefined, "is required when gateway.edge is appgateway");
    }
    // A private vault is reachable from the KMS plugin only through API Server VNet Integration
    // (learn.microsoft.com/azure/aks/use-kms-etcd-encryption, Limitations).
    if (config.cluster.kmsEtcdEncryption && config.network.subnets.apiServer === undefined) {
        problem(["network", "subnets", "apiServer"], undefined, "is required when cluster.kmsEtcdEncryption is true (a /28 for API Server VNet Integration)");
    }
    checkEdgeBlocks(config, problem);
    checkApiSecurity(config.gateway, problem);
}

/** Settings of one edge given for the other are not silently ignored (they would still open NSG rules). */
function checkEdgeBlocks(config: AzureStackConfig, problem: Problem): void {
    const { gateway } = config;
    if (gateway.edge === "appgateway") {
        for (const key of ["partners", "gatewayHostname"] as const) {
            if (gateway.apim[key] !== undefined) {
                problem(["gateway", "apim", key], "(set)", "is used only with gateway.edge frontdoor (API Management); remove it or change the edge");
            }
        }
    } else if (gateway.appGateway !== undefined) {
        problem(["gateway", "appGateway"], "(set)", "is used only with gateway.edge appgateway; remove it or change the edge");
    }
    if (gateway.appGateway && gateway.appGateway.minCapacity > gateway.appGateway.maxCapacity) {
        problem(["gateway", "appGateway", "minCapacity"], gateway.appGateway.minCapacity, `must not exceed maxCapacity (${gateway.appGateway.maxCapacity})`);
    }
    // The Developer tier is a single unit (learn.microsoft.com/azure/api-management/api-management-capacity).
    if (gateway.apim.sku === "Developer" && gateway.apim.capacity !== 1) {
        problem(["gateway", "apim", "capacity"], gateway.apim.capacity, "must be 1 for the Developer SKU (a single unit)");
    }
    const appGatewaySubnet = config.network.subnets.appGateway;
    // Application Gateway v2 needs a subnet of its own of at least /26; Microsoft recommends /24 (configuration-infrastructure).
    if (appGatewaySubnet !== undefined && parseCidr(appGatewaySubnet)!.prefix > 26) {
        problem(["network", "subnets", "appGateway"], appGatewaySubnet, "must be /26 or larger (Application Gateway v2; /24 recommended)");
    }
}
