/**
 * The living TLS map: the request path's hops and the certificate inventory, read from a plan's resource graph
 * (never from constants), with anything the policy packs reject flagged on the hop or certificate it concerns.
 */
import { toCheckpoint } from "./checkpoint";
import type { Graph, GraphResource } from "./engine";
import { UNKNOWN } from "./engine";
import { evaluatePacks, type Violation } from "./policyCheck";
import { stackPolicyConfigs } from "./policyConfig";

type Inputs = Record<string, any>;

export interface Hop {
    id: string;
    from: string;
    to: string;
    protocol: string;
    minimumTls: string;
    ciphers: string;
    /** The resources whose settings make up this hop (their policy findings are the hop's). */
    urns: string[];
    /** The pod-local hop: plaintext by design, and labelled so. */
    plaintext?: string;
    /** Why a hop that must be TLS is not (or not only). */
    notTls?: string;
}

/**
 * What announces a certificate's end: the alert rules by name (and the labels that pick this certificate), or the
 * service that holds a certificate the platform never sees (a Microsoft-managed default hostname).
 */
export type ExpiryWatch =
    | { alerts: string[]; labels?: Record<string, string> }
    | { managedBy: string };

export interface CertificateRow {
    component: string;
    certificate: string;
    issuer: string;
    key: string;
    validity: string;
    renewal: string;
    keyLocation: string;
    expiry: ExpiryWatch;
    urns: string[];
}

/**
 * Who authenticates to the gateway's HTTPS server (Istio ServerTLSSettings), given whether the edge presents a client
 * certificate (API Management's backend credentials; Application Gateway v2 has none for backends).
 */
function clientAuthentication(server: Inputs, presents: boolean): string {
    const tls = server.tls ?? {};
    if (tls.mode !== "MUTUAL") {
        return `one-way TLS (the gateway asks no client certificate${presents ? ", though the edge presents one" : ""})`;
    }
    if (!presents) {
        return "the gateway requires a client certificate the edge does not present";
    }
    const pins = [...(tls.subjectAltNames ?? []).map((n: string) => `name ${n}`), ...((tls.verifyCertificateSpki ?? []).length > 0 ? ["key pinned"] : [])];
    return `mutual TLS (the edge's client certificate${pins.length > 0 ? `, ${pins.join(", ")}` : ", any the CA issued"})`;
}

/** The secret a Key Vault reference names (`https://<vault>.vault.azure.net/secrets/<name>`). */
const secretOf = (keyVaultSecretId: unknown) => show(keyVaultSecretId).replace(/^.*\/secrets\//, "");

/** Seed 000's windows, as the alert names spell them. */
const WINDOWS = ["30Days", "14Days", "7Days", "3Days", "1Day"];
const expiryAlerts = (prefix: string, labels: Record<string, string>, also: string[] = []): ExpiryWatch => ({ alerts: [...WINDOWS.map((w) => `${prefix}ExpiresIn${w}`), ...also], labels });

function renderWatch(watch: ExpiryWatch): string {
    if ("managedBy" in watch) {
        return `none needed: ${watch.managedBy}`;
    }
    const windows = watch.alerts.map((a) => a.replace(/^.*ExpiresIn/, "")).filter((w) => WINDOWS.includes(w));
    const names = windows.length === WINDOWS.length ? [`${watch.alerts[0]!.replace(/ExpiresIn.*$/, "")}ExpiresIn{30,14,7,3,1}Day(s)`, ...watch.alerts.filter((a) => !a.includes("ExpiresIn"))] : watch.alerts;
    const labels = Object.entries(watch.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
    return `${names.join(", ")}${labels ? ` (${labels})` : ""}`;
}

export interface Inventory {
    stack: string;
    hops: Hop[];
    certificates: CertificateRow[];
    findings: Violation[];
}

const show = (value: unknown, fallback = "(computed at deploy)") =>
    value === undefined || value === UNKNOWN || (typeof value === "string" && value.includes(UNKNOWN)) ? fallback : String(value);

const TLS_NAMES: Record<string, string> = { TLS12: "TLS 1.2", TLS13: "TLS 1.3", TLSV1_2: "TLS 1.2", TLSV1_3: "TLS 1.3", TLSv1_2: "TLS 1.2", TLSv1_3: "TLS 1.3", TLS1_2: "TLS 1.2" };
const tlsName = (value: unknown) => TLS_NAMES[String(value)] ?? `${show(value, "not set")} (weak or default)`;

function hours(text: unknown): string {
    const match = /^(\d+)h/.exec(String(text ?? ""));
    if (!match) {
        return show(text, "default");
    }
    const h = Number(match[1]);
    return h % 8760 === 0 ? `${h / 8760} y` : h >= 48 && h % 24 === 0 ? `${h / 24} d` : `${h} h`;
}

class GraphView {
    constructor(readonly graph: Graph) {}
    all(type: string): (GraphResource & { inputs: Inputs })[] {
        return this.graph.resources.filter((r) => r.type === type) as (GraphResource & { inputs: Inputs })[];
    }
    one(type: string, where: (inputs: Inputs) => boolean = () => true) {
        return this.all(type).find((r) => where(r.inputs));
    }
    named(type: string, name: string) {
        return this.one(type, (i) => i["metadata"]?.name === name || i["chart"] === name);
    }
    byName(name: string) {
        return this.graph.resources.find((r) => r.name === name) as (GraphResource & { inputs: Inputs }) | undefined;
    }
}

const keyOf = (key: GraphResource | undefined) => (key ? `${key.inputs["algorithm"]} ${key.inputs["ecdsaCurve"] ?? `${key.inputs["rsaBits"]} bits`}` : "?");

export function buildInventory(graph: Graph, findings: Violation[]): Inventory {
    const g = new GraphView(graph);
    const hops: Hop[] = [];
    const certificates: CertificateRow[] = [];
    const urns = (...rs: (GraphResource | undefined)[]) => rs.filter((r): r is GraphResource => r !== undefined).map((r) => r.urn);

    const domain = g.one("azure-native:cdn:AFDCustomDomain");
    const route = g.one("azure-native:cdn:Route");
    const origin = g.one("azure-native:cdn:AFDOrigin");
    const apim = g.one("azure-native:apimanagement:ApiManagementService");
    const backend = g.one("azure-native:apimanagement:Backend");
    const istiod = g.named("kubernetes:helm.sh/v3:Release", "istiod");
    const gatewayRelease = g.named("kubernetes:helm.sh/v3:Release", "gateway");
    const istioGateway = g.one("kubernetes:networking.istio.io/v1:Gateway");
    const peer = g.one("kubernetes:security.istio.io/v1:PeerAuthentication", (i) => !i["spec"]?.selector);
    const appGateway = g.one("azure-native:network:ApplicationGateway");
    const firewall = g.one("azure-native:network:AzureFirewall");
    const firewallPolicy = g.one("azure-native:network:FirewallPolicy");

    if (domain) {
        const tls = domain.inputs["tlsSettings"] ?? {};
        const acceptsHttp = (route?.inputs["supportedProtocols"] ?? ["Http", "Https"]).includes("Http");
        const redirects = route?.inputs["httpsRedirect"] === "Enabled";
        hops.push({
            id: "edge", from: "Client", to: "Front Door",
            protocol: acceptsHttp && redirects ? "HTTPS (HTTP redirected)" : "HTTPS",
            minimumTls: tlsName(tls.minimumTlsVersion), ciphers: show(tls.cipherSuiteSetType), urns: urns(domain, route),
            notTls: acceptsHttp && !redirects ? "the route serves plain HTTP without redirecting" : undefined,
        });
    }
    if (origin && apim) {
        const custom: Inputs = apim.inputs["customProperties"] ?? {};
        const legacyOff = ["Tls10", "Tls11", "Ssl30"].every((p) => String(custom[`Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.${p}`]).toLowerCase() === "false");
        hops.push({
            id: "apim", from: "Front Door", to: "API Management",
            protocol: route?.inputs["forwardingProtocol"] === "HttpsOnly" ? `HTTPS only, origin name ${origin.inputs["enforceCertificateNameCheck"] ? "checked" : "NOT checked"}` : `forwarding ${show(route?.inputs["forwardingProtocol"], "unset")}`,
            minimumTls: legacyOff ? "TLS 1.2" : "TLS 1.0 (legacy protocols on)",
            // Azure has no switch for TLS_ECDHE_*_CBC_SHA256/384 (the SDK's customProperties doc lists what can be turned off).
            ciphers: "3DES, RSA key exchange and SHA-1 CBC suites off (customProperties); ECDHE-CBC-SHA256/384 cannot be turned off", urns: urns(route, origin, apim),
            notTls: route?.inputs["forwardingProtocol"] === "HttpsOnly" ? undefined : `Front Door forwards ${show(route?.inputs["forwardingProtocol"], "with the caller's protocol")}`,
        });
    }
    if (appGateway) {
        const listener = (appGateway.inputs["httpListeners"] ?? []).find((l: Inputs) => l.protocol === "Https") ?? {};
        const settings = (appGateway.inputs["backendHttpSettingsCollection"] ?? [])[0] ?? {};
        const sslPolicy = appGateway.inputs["sslPolicy"] ?? {};
        hops.push({
            id: "edge", from: "Client", to: "Application Gateway",
            protocol: `HTTPS (SNI ${show(listener.hostName)}), HTTP redirected`,
            minimumTls: sslPolicy.policyName === "AppGwSslPolicy20220101S" || sslPolicy.minProtocolVersion === "TLSv1_2" ? "TLS 1.2" : tlsName(sslPolicy.minProtocolVersion),
            ciphers: show(sslPolicy.policyName ?? sslPolicy.policyType, "default (weak)"), urns: urns(appGateway),
        });
        const server = (istioGateway?.inputs["spec"]?.servers ?? []).find((s: Inputs) => s.port?.protocol === "HTTPS") ?? {};
        hops.push({
            id: "ingress", from: "Application Gateway", to: "Mesh ingress gateway",
            // Application Gateway v2 has no client certificate for backends (ApplicationGatewayBackendHttpSettings, API 2024-05-01).
            protocol: `${settings.protocol === "Https" ? "HTTPS" : "HTTP"} through the internal load balancer (L4), trusted root: the private CA; ${clientAuthentication(server, false)}`,
            minimumTls: tlsName(server.tls?.minProtocolVersion), ciphers: (server.tls?.cipherSuites ?? ["default"]).join(", "), urns: urns(appGateway, istioGateway),
            notTls: settings.protocol === "Https" ? undefined : "Application Gateway calls the backend over HTTP",
        });
    }
    if (backend && istioGateway) {
        const server = (istioGateway.inputs["spec"]?.servers ?? []).find((s: Inputs) => s.port?.protocol === "HTTPS") ?? {};
        const validated = backend.inputs["tls"]?.validateCertificateChain && backend.inputs["tls"]?.validateCertificateName;
        const https = String(backend.inputs["url"]).startsWith("https://");
        const presents = (backend.inputs["credentials"]?.certificateIds ?? []).length > 0;
        hops.push({
            id: "ingress", from: "API Management", to: "Mesh ingress gateway",
            protocol: `${https ? "HTTPS" : "HTTP"} through the internal load balancer (L4), chain and name ${validated ? "validated" : "NOT validated"} against the private CA; ${clientAuthentication(server, presents)}`,
            minimumTls: tlsName(server.tls?.minProtocolVersion), ciphers: (server.tls?.cipherSuites ?? ["default"]).join(", "), urns: urns(backend, istioGateway, gatewayRelease),
            notTls: https ? undefined : `the backend URL is ${backend.inputs["url"]}`,
        });
    }
    if (istiod) {
        const mesh = istiod.inputs["values"]?.meshConfig ?? {};
        const mode = peer?.inputs["spec"]?.mtls?.mode;
        hops.push({
            id: "mesh", from: "Mesh ingress gateway", to: "Sidecar",
            protocol: `mTLS (PeerAuthentication ${show(mode, "MISSING")})`,
            minimumTls: tlsName(mesh.meshMTLS?.minProtocolVersion), ciphers: "TLS 1.3 suites (AEAD only)", urns: urns(istiod, peer),
            notTls: mode === "STRICT" ? undefined : `sidecars accept plaintext (mesh-wide mTLS mode ${show(mode, "not set")})`,
        });
        hops.push({
            id: "app", from: "Sidecar", to: "App",
            protocol: "HTTP on localhost", minimumTls: "none", ciphers: "none", urns: [],
            plaintext: "inside the pod only (loopback); the only plaintext hop",
        });
    }
    if (firewall) {
        hops.push({
            id: "egress", from: "Pods", to: "Internet (via Azure Firewall)",
            protocol: "TLS end to end by the workload; FQDN allow-list, SNAT",
            minimumTls: "per destination", ciphers: `threat intelligence ${show(firewallPolicy?.inputs["threatIntelMode"], "unset")}, IDPS ${show(firewallPolicy?.inputs["intrusionDetection"]?.mode, "off")}`,
            urns: urns(firewall, firewallPolicy),
        });
    }

    if (appGateway) {
        certificates.push({
            component: "Application Gateway", certificate: show((appGateway.inputs["httpListeners"] ?? [])[0]?.hostName),
            issuer: "public CA, imported into Key Vault by the team", key: "per the imported certificate", validity: "per the certificate",
            renewal: "Key Vault (the gateway picks up new versions)", keyLocation: "Key Vault",
            expiry: expiryAlerts("HeldCertificate", { certificate: `key-vault/${secretOf((appGateway.inputs["sslCertificates"] ?? [])[0]?.keyVaultSecretId)}` }), urns: urns(appGateway),
        });
    }
    if (domain) {
        certificates.push({
            component: "Front Door", certificate: show(domain.inputs["hostName"]),
            issuer: domain.inputs["tlsSettings"]?.certificateType === "ManagedCertificate" ? "Front Door managed (public CA)" : "Key Vault (customer)",
            key: "managed by Front Door", validity: "managed", renewal: "automatic while the name's CNAME points at the endpoint", keyLocation: "Front Door",
            expiry: { managedBy: domain.inputs["azureDnsZone"] ? "Front Door, validated through the records the program keeps in the Azure DNS zone" : "Front Door, once the TXT and CNAME records are in place (docs/setup.md)" }, urns: urns(domain),
        });
    }
    if (apim) {
        certificates.push({
            component: "API Management", certificate: "gateway default hostname (*.azure-api.net)",
            issuer: "Microsoft (default hostname)", key: "managed by Azure", validity: "managed", renewal: "automatic", keyLocation: "API Management",
            expiry: { managedBy: "Microsoft's certificate for *.azure-api.net, renewed by API Management" }, urns: urns(apim),
        });
        for (const hostname of apim.inputs["hostnameConfigurations"] ?? []) {
            const secret = secretOf(hostname.keyVaultId);
            certificates.push({
                component: "API Management", certificate: show(hostname.hostName), issuer: "public CA, imported into Key Vault by the team",
                key: "per the imported certificate", validity: "per the certificate", renewal: "Key Vault (API Management follows new versions)",
                keyLocation: "Key Vault", expiry: expiryAlerts("HeldCertificate", { certificate: `key-vault/${secret}` }), urns: urns(apim),
            });
        }
        const client = g.byName("gateway-apim-ingress-client");
        if (client) {
            const request = g.byName("gateway-apim-ingress-client-csr");
            const early = Number(client.inputs["earlyRenewalHours"]);
            certificates.push({
                component: "API Management", certificate: `client certificate for the ingress gateway (${(request?.inputs["dnsNames"] ?? []).join(", ")})`,
                issuer: "Platform Intermediate CA (@pulumi/tls)", key: keyOf(g.byName("gateway-apim-ingress-client-key")), validity: hours(`${client.inputs["validityPeriodHours"]}h`),
                renewal: `re-issued by \`pulumi up\` from ${hours(`${early}h`)} before expiry (same key)`,
                keyLocation: "Pulumi state (encrypted); API Management (PKCS #12 upload)",
                expiry: expiryAlerts("HeldCertificate", { certificate: "apim-ingress-client" }), urns: urns(client),
            });
        }
        if (g.byName("gateway-apim-partner-api")) {
            const generated = g.byName("gateway-partner-ca");
            certificates.push({
                component: "API Management", certificate: "partners' client CA", issuer: generated ? "self-signed (@pulumi/tls, dev)" : "supplied by the team",
                key: generated ? keyOf(g.byName("gateway-partner-ca-key")) : "per the supplied CA", validity: generated ? hours(`${generated.inputs["validityPeriodHours"]}h`) : "per the certificate",
                renewal: "manual", keyLocation: generated ? "Pulumi state (encrypted)" : "the team",
                expiry: expiryAlerts("HeldCertificate", { certificate: "partner-client-ca" }), urns: urns(apim),
            });
        }
    }
    for (const [prefix, purpose, location] of [["pki", "Platform", "Pulumi state (encrypted); intermediate also in Secret cert-manager/platform-ca"], ["mesh-ca", "Mesh", "Pulumi state (encrypted); intermediate also in Secret istio-system/cacerts"]] as const) {
        const root = g.byName(`${prefix}-root`);
        const intermediate = g.byName(`${prefix}-intermediate`);
        if (root) {
            certificates.push({
                component: `${purpose} CA`, certificate: `${show(root.inputs["subject"]?.commonName)}`, issuer: "self-signed (@pulumi/tls)",
                key: keyOf(g.byName(`${prefix}-root-key`)), validity: hours(`${root.inputs["validityPeriodHours"]}h`), renewal: "manual (annual review)", keyLocation: location.split(";")[0]!,
                expiry: expiryAlerts("HeldCertificate", { certificate: `${purpose.toLowerCase()}-root` }), urns: urns(root),
            });
        }
        if (intermediate && root) {
            certificates.push({
                component: `${purpose} CA`, certificate: `${purpose} Intermediate CA`, issuer: show(root.inputs["subject"]?.commonName),
                key: keyOf(g.byName(`${prefix}-intermediate-key`)), validity: hours(`${intermediate.inputs["validityPeriodHours"]}h`), renewal: "planned (before expiry)", keyLocation: location,
                expiry: expiryAlerts("HeldCertificate", { certificate: `${purpose.toLowerCase()}-intermediate` }), urns: urns(intermediate),
            });
        }
    }
    for (const certificate of g.all("kubernetes:cert-manager.io/v1:Certificate")) {
        const spec = certificate.inputs["spec"] ?? {};
        certificates.push({
            // The ingress gateway's certificates live in its namespace; the renewal drill's canaries in cert-manager's.
            component: certificate.inputs["metadata"]?.namespace === "cert-manager" ? "Renewal drill canary" : "Mesh ingress gateway",
            certificate: (spec.dnsNames ?? []).join(", "), issuer: `ClusterIssuer ${spec.issuerRef?.name}`,
            key: `${spec.privateKey?.algorithm} ${spec.privateKey?.size}`, validity: hours(spec.duration), renewal: `${hours(spec.renewBefore)} before expiry, key rotation ${spec.privateKey?.rotationPolicy ?? "Never"}`,
            keyLocation: `Secret ${certificate.inputs["metadata"]?.namespace}/${spec.secretName}`,
            expiry: expiryAlerts("Certificate", { exported_namespace: show(certificate.inputs["metadata"]?.namespace), name: show(certificate.inputs["metadata"]?.name) }, ["CertificateNotReady"]),
            urns: urns(certificate),
        });
    }
    if (istiod) {
        const values = istiod.inputs["values"] ?? {};
        const proxy = values.meshConfig?.defaultConfig?.proxyMetadata ?? {};
        certificates.push({
            component: "Every sidecar", certificate: "workload identity (SPIFFE)", issuer: "istiod, signing with the Mesh Intermediate CA",
            key: proxy.ECC_SIGNATURE_ALGORITHM === "ECDSA" ? "ECDSA P-256" : "RSA 2048", validity: hours(values.env?.DEFAULT_WORKLOAD_CERT_TTL), renewal: "automatic (istio-agent)",
            keyLocation: "proxy memory", expiry: { alerts: ["MeshWorkloadCertificateSigningErrors"] }, urns: urns(istiod),
        });
    }
    return { stack: graph.stack, hops, certificates, findings };
}

/** Mermaid node ids and labels: ids alphanumeric, labels quoted, no quotes or pipes inside. */
const label = (text: string) => text.replace(/["|]/g, "'");
const nodeId = (name: string) => name.replace(/[^A-Za-z0-9]/g, "");

export function renderInventory(inventory: Inventory): string {
    const flagged = (urns: string[]) => inventory.findings.filter((f) => urns.includes(f.urn));
    const lines: string[] = [
        `# TLS map and certificate inventory: ${inventory.stack}`,
        "",
        `Generated from the offline plan of \`${inventory.stack}\` (phase 2) by \`npm run inventory\`; a test fails when it is out of date.`,
        "",
        "```mermaid",
        "flowchart LR",
    ];
    const nodes = new Map<string, string>();
    for (const hop of inventory.hops) {
        nodes.set(nodeId(hop.from), hop.from);
        nodes.set(nodeId(hop.to), hop.to);
    }
    for (const [id, name] of nodes) {
        lines.push(`    ${id}["${label(name)}"]`);
    }
    for (const hop of inventory.hops) {
        const warn = hop.plaintext ? "plaintext, " : hop.notTls ? "NOT TLS, " : flagged(hop.urns).length > 0 ? "POLICY VIOLATION, " : "";
        const arrow = hop.plaintext ? "-.->" : "-->";
        lines.push(`    ${nodeId(hop.from)} ${arrow}|"${label(`${warn}${hop.protocol}, ${hop.minimumTls}`)}"| ${nodeId(hop.to)}`);
    }
    lines.push("```", "", "## Hops", "", "| # | From | To | Protocol | Minimum TLS | Ciphers | Findings |", "|---|---|---|---|---|---|---|");
    inventory.hops.forEach((hop, i) => {
        const findings = [
            ...(hop.plaintext ? [`plaintext: ${hop.plaintext}`] : []),
            ...(hop.notTls ? [`**NOT TLS**: ${hop.notTls}`] : []),
            ...flagged(hop.urns).map((f) => `**${f.enforcementLevel}** ${f.policy}: ${f.message}`),
        ].join("<br>") || "none";
        lines.push(`| ${i + 1} | ${hop.from} | ${hop.to} | ${hop.protocol} | ${hop.minimumTls} | ${hop.ciphers} | ${findings} |`);
    });
    lines.push("", "## Certificates", "", "| Component | Certificate | Issuer / CA | Key | Validity | Renewal | Key lives in | Expiry alert | Findings |", "|---|---|---|---|---|---|---|---|---|");
    for (const c of inventory.certificates) {
        const findings = flagged(c.urns).map((f) => `**${f.enforcementLevel}** ${f.policy}: ${f.message}`).join("<br>") || "none";
        lines.push(`| ${c.component} | ${c.certificate} | ${c.issuer} | ${c.key} | ${c.validity} | ${c.renewal} | ${c.keyLocation} | ${renderWatch(c.expiry)} | ${findings} |`);
    }
    lines.push("");
    return lines.join("\n");
}

/** A strict structural check of the Mermaid subset `renderInventory` writes (no Mermaid parser runs offline). */
export function mermaidProblems(markdown: string): string[] {
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
    if (!block) {
        return ["no mermaid block"];
    }
    const [header, ...body] = block[1]!.split("\n");
    const problems: string[] = header === "flowchart LR" ? [] : [`first line is "${header}", expected "flowchart LR"`];
    const declared = new Set<string>();
    for (const line of body) {
        const node = /^ {4}([A-Za-z][A-Za-z0-9]*)\["([^"|]+)"\]$/.exec(line);
        const edge = /^ {4}([A-Za-z][A-Za-z0-9]*) (-->|-\.->)\|"([^"|]+)"\| ([A-Za-z][A-Za-z0-9]*)$/.exec(line);
        if (node) {
            declared.add(node[1]!);
        } else if (edge) {
            for (const id of [edge[1]!, edge[4]!]) {
                if (!declared.has(id)) {
                    problems.push(`edge uses undeclared node ${id}: ${line.trim()}`);
                }
            }
        } else {
            problems.push(`not a node or edge line: ${line}`);
        }
    }
    return problems;
}

/** The stack's pack verdicts on a plan, as its previews would report them. */
export function stackVerdicts(graph: Graph): Promise<Violation[]> {
    return evaluatePacks(toCheckpoint(graph), { configs: stackPolicyConfigs(graph.stack) });
}

/** The Markdown for a plan: its hops and certificates, with the stack's pack verdicts (`stackVerdicts`) on them. */
export function inventoryMarkdown(graph: Graph, findings: Violation[]): string {
    return renderInventory(buildInventory(graph, findings));
}

/** The committed inventories: each Azure stack in phase 2, where every hop exists. */
export const INVENTORY_STACKS = ["dev", "prod"] as const;
export const inventoryPath = (projectDir: string, stack: string) => `${projectDir}/docs/tls-inventory-${stack}.md`;

/** README shows the dev diagram between these markers; `npm run inventory` keeps it in step. */
export const README_MAP_START = "<!-- tls-map:start (npm run inventory) -->";
export const README_MAP_END = "<!-- tls-map:end -->";

export function mermaidBlock(markdown: string): string {
    const block = /```mermaid\n[\s\S]*?\n```/.exec(markdown);
    if (!block) {
        throw new Error("no mermaid block");
    }
    return block[0];
}

export function withReadmeMap(readme: string, inventory: string): string {
    const start = readme.indexOf(README_MAP_START);
    const end = readme.indexOf(README_MAP_END);
    if (start < 0 || end < start) {
        throw new Error(`README.md lacks the ${README_MAP_START} ... ${README_MAP_END} markers`);
    }
    return `${readme.slice(0, start + README_MAP_START.length)}\n${mermaidBlock(inventory)}\n${readme.slice(end)}`;
}
