import { createHash } from "node:crypto";
/** Plans shared by the tests of one file (each test file runs in its own process). */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { parsePlatformConfig, type AzurePlatformConfig } from "../config";
import { toCheckpoint, type Checkpoint } from "../offline/checkpoint";
import { PROJECT_DIR, type Graph, type GraphResource, type RunOptions } from "../offline/engine";
import { DOCKER_HUB_STAND_INS, phaseOverrides } from "../offline/phaseOverrides";
import type { Violation } from "../offline/policyCheck";
import { readStackConfig } from "../offline/stackFiles";
import { stackVerdicts } from "../offline/tlsInventory";

const plans = new Map<string, Promise<Graph>>();

/** The plans every graph invariant is checked on: each stack, and each Azure stack in phase 2. */
export const PLAN_VARIANTS: readonly { stack: string; phase?: "azure" | "all" }[] = [
    { stack: "dev", phase: "azure" },
    { stack: "prod", phase: "azure" },
    { stack: "dev", phase: "all" },
    { stack: "prod", phase: "all" },
    { stack: "local" },
];

/** Runs a stack once per process, mode and phase. Without a phase, the stack file's own `platform:phase` applies. */
export function plan(stack: string, preview = true, phase?: "azure" | "all"): Promise<Graph> {
    // The stack file's own phase needs no override (and then shares the run with plan(stack)).
    // Phase 2 also takes the Docker Hub secrets it requires (offline stand-ins).
    return planWith({ stack, preview, ...(phase === undefined || phase === rawConfig(stack)["phase"] ? {} : phaseOverrides(phase)) });
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (graph: Graph) => void; reject: (err: Error) => void }>();

/** The plans' worker thread (see planWorker.ts), started on first use; it keeps the process alive only while busy. */
function planInWorker(options: RunOptions): Promise<Graph> {
    if (!worker) {
        worker = new Worker(path.join(__dirname, "planWorker.ts"), {
            execArgv: ["--require", "ts-node/register/transpile-only"],
            // A plan allocates short-lived objects by the million; a larger young generation halves its GC time.
            resourceLimits: { maxYoungGenerationSizeMb: 384 },
        });
        worker.on("message", ({ id, graph, error }: { id: number; graph?: Graph; error?: string }) => {
            const waiting = pending.get(id)!;
            pending.delete(id);
            if (pending.size === 0) {
                // Idle: let the test process exit when its tests are done.
                worker!.unref();
            }
            if (graph) {
                waiting.resolve(graph);
            } else {
                waiting.reject(new Error(error));
            }
        });
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Busy: keep the process alive until the plan comes back.
        worker!.ref();
        worker!.postMessage({ id, options });
    });
}

/** A run that is never shared, for tests that compare two runs of the same options. */
export function planAgain(options: RunOptions): Promise<Graph> {
    return planInWorker(options);
}

/** Any offline run, memoised by its options (the worker runs them one at a time: the Pulumi runtime is global). */
export function planWith(options: RunOptions): Promise<Graph> {
    const key = JSON.stringify(options);
    if (!plans.has(key)) {
        plans.set(key, planInWorker(options));
    }
    return plans.get(key)!;
}

export async function checkpointOf(stack: string, phase?: "azure" | "all"): Promise<Checkpoint> {
    return toCheckpoint(await plan(stack, true, phase));
}

const verdicts = new Map<string, Promise<Violation[]>>();

/** The packs' verdicts on a stack's preview plan with its committed pack configs, once per process. */
export function verdictsOf(stack: string, phase?: "azure" | "all"): Promise<Violation[]> {
    const key = `${stack}/${phase ?? "stack file"}`;
    if (!verdicts.has(key)) {
        verdicts.set(key, plan(stack, true, phase).then(stackVerdicts));
    }
    return verdicts.get(key)!;
}

export function ofType(graph: Graph, type: string): GraphResource[] {
    return graph.resources.filter((r) => r.type === type);
}

export function byName(graph: Graph, name: string): GraphResource {
    const found = graph.resources.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no resource named ${name} in ${graph.stack}`);
    }
    return found;
}

export const STACKS = ["dev", "prod"] as const;

/** Values for the critical alert receivers (offline stand-ins, never real credentials). */
export const ALERT_RECEIVERS = {
    webhookUrl: "https://hooks.example.com/services/offline-test-token",
    smtpPassword: "offline-smtp-password",
    email: { to: "oncall@example.com", from: "alerts@example.com", smarthost: "smtp.example.com:587" },
} as const;

/** Offline stand-ins for the inputs a team may add to a stack (never real credentials). */
export const OPTIONAL_INPUTS = {
    siemWebhookUrl: "https://siem.example.com/hook?token=offline-test-token",
    publicDnsZone: { name: "platform.example.com", resourceGroupName: "rg-dns", subscriptionId: "44444444-4444-4444-8444-444444444444" },
    apim: {
        gatewayHostname: { certificateSecretName: "apim-certificate" },
        partners: { certificateSecretName: "partners-certificate", allowedSourceRanges: ["203.0.113.0/24"] },
    },
} as const;

/** The App Gateway subnet dev gets for the appgateway edge (prod's stack file reserves one). */
export const DEV_APP_GATEWAY_SUBNET = "10.20.9.0/24";

/** Application namespaces reading Key Vault secrets (components/appsecrets), as a team would configure them. */
export const APPLICATION_SECRETS = {
    payments: { secretOfficerGroupObjectIds: ["55555555-5555-4555-8555-555555555555"] },
    orders: { serviceAccount: "orders-api", secretOfficerGroupObjectIds: ["66666666-6666-4666-8666-666666666666"] },
} as const;

/** A Grafana admin password generation label (observability.grafanaAdminPasswordRotation). */
export const GRAFANA_ROTATION = "2027-01";

/**
 * dev, phase 2, with every input a team may add: critical alert receivers (webhook and e-mail, credentials secret),
 * a SIEM webhook (secret), API Management's custom hostname and partner hostname (partner CA generated), a public
 * DNS zone for ACME, application namespaces' secrets and a Grafana password generation. One plan serves the tests
 * of each; what a test needs absent, it reads from the committed stack.
 */
export function planDevWithOptions(preview = false): Promise<Graph> {
    const raw = rawConfig("dev");
    return planWith({
        stack: "dev",
        preview,
        overrides: {
            "platform:phase": "all",
            ...DOCKER_HUB_STAND_INS,
            "platform:alertWebhookUrl": ALERT_RECEIVERS.webhookUrl,
            "platform:alertEmailPassword": ALERT_RECEIVERS.smtpPassword,
            "platform:siemWebhookUrl": OPTIONAL_INPUTS.siemWebhookUrl,
            "platform:observability": JSON.stringify({ criticalAlertEmail: ALERT_RECEIVERS.email, grafanaAdminPasswordRotation: GRAFANA_ROTATION }),
            "platform:applicationSecrets": JSON.stringify(APPLICATION_SECRETS),
            "platform:gateway": JSON.stringify({ ...raw["gateway"], publicDnsZone: OPTIONAL_INPUTS.publicDnsZone, apim: { ...raw["gateway"].apim, ...OPTIONAL_INPUTS.apim } }),
        },
        secretOverrides: ["platform:alertWebhookUrl", "platform:alertEmailPassword", "platform:siemWebhookUrl", ...Object.keys(DOCKER_HUB_STAND_INS)],
    });
}

/** The runners' GitHub App (offline stand-ins: an App id, an installation and a key that is never real). */
export const RUNNERS_APP = {
    config: { github: { owner: "Example-Org", repository: "platform", appId: 123456, installationId: 7654321 } },
    privateKey: "-----BEGIN RSA PRIVATE KEY-----\nb2ZmbGluZS1ydW5uZXJzLWFwcC1rZXk=\n-----END RSA PRIVATE KEY-----\n",
} as const;

/** A stack with its runners configured (CI setup step 3), in the given phase (update mode: ids known). */
export function planWithRunners(stack: "dev" | "prod", phase: "azure" | "all" = "all", preview = false): Promise<Graph> {
    return planWith({
        stack,
        preview,
        overrides: {
            ...phaseOverrides(phase).overrides,
            "platform:runners": JSON.stringify(RUNNERS_APP.config),
            "platform:runnersGithubAppPrivateKey": RUNNERS_APP.privateKey,
        },
        secretOverrides: ["platform:runnersGithubAppPrivateKey", ...(phaseOverrides(phase).secretOverrides ?? [])],
    });
}

/** A cosign public key (a stand-in: only its placement is checked). */
export const IMAGE_SIGNATURE_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";

/**
 * prod, phase 2, preview, with what a prod team may add: signature verification of images, a locked backup
 * immutability policy, and a public DNS zone for ACME.
 */
export function planProdWithOptions(): Promise<Graph> {
    const raw = rawConfig("prod");
    return planWith({
        stack: "prod",
        overrides: {
            "platform:phase": "all",
            ...DOCKER_HUB_STAND_INS,
            "platform:gateway": JSON.stringify({ ...raw["gateway"], publicDnsZone: OPTIONAL_INPUTS.publicDnsZone }),
            "platform:admission": JSON.stringify({ allowedRegistries: ["mcr.microsoft.com/oss"], imageSignatures: { publicKey: IMAGE_SIGNATURE_KEY } }),
            "platform:backup": JSON.stringify({ ...raw["backup"], immutabilityLocked: true }),
        },
        secretOverrides: Object.keys(DOCKER_HUB_STAND_INS),
    });
}

/** A supplied platform CA's intermediate key (a stand-in: it only has to stay secret). */
export const SUPPLIED_CA_KEY = "-----BEGIN EC PRIVATE KEY-----\nc3VwcGxpZWQta2V5\n-----END EC PRIVATE KEY-----\n";

/** dev, phase 2, update mode, with the CAs a team supplies: its own platform CA, and the partners' client CA. */
export function planSuppliedCas(): Promise<Graph> {
    const raw = rawConfig("dev");
    const partners = { ...OPTIONAL_INPUTS.apim.partners, clientCaCertificate: TEST_CA.root };
    return planWith({
        stack: "dev",
        preview: false,
        overrides: {
            "platform:phase": "all",
            ...DOCKER_HUB_STAND_INS,
            "platform:platformCa": JSON.stringify({ rootCertificate: TEST_CA.root, intermediateCertificate: TEST_CA.intermediate }),
            "platform:platformCaIntermediateKey": SUPPLIED_CA_KEY,
            "platform:gateway": JSON.stringify({ ...raw["gateway"], apim: { ...raw["gateway"].apim, ...OPTIONAL_INPUTS.apim, partners } }),
        },
        secretOverrides: ["platform:platformCaIntermediateKey", ...Object.keys(DOCKER_HUB_STAND_INS)],
    });
}

/** A stack with the Application Gateway edge instead of Front Door and API Management, phase 2. */
export function planAppGatewayEdge(stack: "dev" | "prod", preview: boolean): Promise<Graph> {
    const raw = rawConfig(stack);
    const overrides: Record<string, string> = {
        "platform:phase": "all",
        ...DOCKER_HUB_STAND_INS,
        "platform:gateway": JSON.stringify({ ...raw["gateway"], edge: "appgateway", appGateway: { certificateSecretName: "api-certificate" } }),
    };
    if (raw["network"].subnets.appGateway === undefined) {
        overrides["platform:network"] = JSON.stringify({ ...raw["network"], subnets: { ...raw["network"].subnets, appGateway: DEV_APP_GATEWAY_SUBNET } });
    }
    return planWith({ stack, preview, overrides, secretOverrides: Object.keys(DOCKER_HUB_STAND_INS) });
}

const stackFiles = new Map<string, ReturnType<typeof readStackConfig>>();

/** A stack file's `platform:` values, parsed the way loadConfig receives them (a fresh copy each call). */
export function rawConfig(stack: string): Record<string, any> {
    if (!stackFiles.has(stack)) {
        stackFiles.set(stack, readStackConfig(PROJECT_DIR, stack));
    }
    const { config } = stackFiles.get(stack)!;
    return Object.fromEntries(
        Object.entries(config)
            .filter(([key]) => key.startsWith("platform:"))
            .map(([key, text]) => [key.slice("platform:".length), text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text]),
    );
}

/** A committed Azure stack's validated config. */
export function azureConfig(stack: (typeof STACKS)[number]): AzurePlatformConfig {
    const config = parsePlatformConfig(rawConfig(stack));
    if (config.environment === "local") {
        throw new Error(`${stack} is not an Azure stack`);
    }
    return config;
}

/** Every URN `r` waits for, directly or through what it waits for (dependencies and property dependencies). */
export function waitsFor(graph: Graph, r: GraphResource): Set<string> {
    const byUrn = new Map(graph.resources.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const visit = (urn: string) => {
        const x = byUrn.get(urn);
        for (const dep of x ? [...x.dependencies, ...Object.values(x.propertyDependencies).flat()] : []) {
            if (!seen.has(dep)) {
                seen.add(dep);
                visit(dep);
            }
        }
    };
    visit(r.urn);
    return seen;
}

/** A Helm release's chart name, also for an OCI reference (`oci://quay.io/jetstack/charts/cert-manager`: its last segment). */
export function chartOf(release: GraphResource): string {
    return String(release.inputs["chart"]).split("/").pop()!;
}

/** Which chart installs each custom resource group's CRDs. */
const CRD_OWNERS: Record<string, string> = {
    "cert-manager.io": "cert-manager",
    "security.istio.io": "base",
    "networking.istio.io": "base",
    "monitoring.coreos.com": "prometheus-operator-crds",
    "kyverno.io": "kyverno",
};

/** Custom resources that do not wait for the Helm release installing their CRD (pulumi-kubernetes#3035). */
export function customResourcesBeforeCrds(graph: Graph): { checked: number; problems: string[] } {
    const group = (type: string) => type.split(":")[1]!.split("/")[0]!;
    const customResources = graph.resources.filter((r) => r.type.startsWith("kubernetes:") && CRD_OWNERS[group(r.type)]);
    const problems = customResources.flatMap((r) => {
        const owner = graph.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release" && chartOf(x) === CRD_OWNERS[group(r.type)]);
        return owner && waitsFor(graph, r).has(owner.urn) ? [] : [`${r.urn} does not wait for the ${CRD_OWNERS[group(r.type)]} chart`];
    });
    return { checked: customResources.length, problems };
}

const APIM_SECURITY = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.";

/**
 * The customProperties keys that turn a protocol or cipher off, read from the SDK's own doc of
 * ApiManagementServiceArgs.customProperties (the installed azure-native's d.ts, Microsoft's REST reference text):
 * the keys it names in backticks and the ciphers it lists after "[cipher_name]:". That doc leaves out SSL 3.0, whose
 * two keys the ARM template reference of Microsoft.ApiManagement/service lists
 * (learn.microsoft.com/azure/templates/microsoft.apimanagement/service).
 */
function apimDisableableKeys(): string[] {
    const dts = fs.readFileSync(require.resolve("@pulumi/azure-native/apimanagement/apiManagementService.d.ts"), "utf8");
    const doc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*customProperties\?:/.exec(dts)![1]!;
    const named = [...doc.matchAll(/`(Microsoft\.WindowsAzure\.ApiManagement\.Gateway\.Security\.[\w.]+)`/g)].map((m) => m[1]!);
    const ciphers = /Ciphers\.\[cipher_name\]`: ([\w, ]+)\./.exec(doc)![1]!.split(",").map((c) => `${APIM_SECURITY}Ciphers.${c.trim()}`);
    const ssl30 = [`${APIM_SECURITY}Protocols.Ssl30`, `${APIM_SECURITY}Backend.Protocols.Ssl30`];
    // The doc's example key (one of the listed ciphers) comes back once.
    return [...new Set([...named, ...ciphers, ...ssl30])];
}

/** The 16 keys (14 from the SDK's doc, SSL 3.0's two from the ARM reference). */
export const APIM_DISABLEABLE_KEYS = apimDisableableKeys();

/**
 * The platform registry's login server for a committed stack, from the naming rule (one registry per organization
 * and stack): `acr` + the name prefix's letters + the first 8 hex digits of SHA-1 of `<org>/<project>/<stack>`.
 * The offline engine runs as a DIY backend, whose organization is "organization".
 */
export function registryOf(stack: "dev" | "prod"): string {
    return `acrplatform${stack}${createHash("sha1").update(`organization/platform/${stack}`).digest("hex").slice(0, 8)}.azurecr.io`;
}

/**
 * A real CA pair for tests that supply certificates (the config parses them as X.509): generated for this suite
 * with openssl (ECDSA P-384; root 10 years, intermediate 5 years), no key committed.
 */
export const TEST_CA = {
    root: fs.readFileSync(path.join(__dirname, "fixtures", "pki", "root.pem"), "utf8"),
    intermediate: fs.readFileSync(path.join(__dirname, "fixtures", "pki", "intermediate.pem"), "utf8"),
};
