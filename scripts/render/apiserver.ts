/**
 * A real kube-apiserver (with etcd) on this machine, for validation only: schemas (CEL rules included),
 * defaulting and the built-in Pod Security admission by namespace labels. No controllers run, so the
 * ServiceAccount admission plugin (which waits for the `default` account a controller creates) is off; the webhook
 * plugins are off (no webhook backend runs here: Kyverno is judged by its own CLI); the endpoint reconciler is off
 * (no Service for the API server itself is needed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Manifest } from "../../offline/k8sManifests";
import { run, TOOLS } from "./tools";

/** One kind the server serves, from its discovery. */
export interface ServedResource {
    groupVersion: string;
    kind: string;
    namespaced: boolean;
}

/** Ports free now, distinct: each is held until all are chosen (closing one before asking again may return it twice). */
async function freePorts(count: number): Promise<number[]> {
    const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(server));
    })));
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    return ports;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ApiServer {
    private readonly processes: ChildProcess[] = [];
    private readonly logs: string[] = [];
    readonly kubeconfig: string;
    private url = "";
    private readonly token = randomBytes(24).toString("hex");

    constructor(private readonly dir: string) {
        this.kubeconfig = path.join(dir, "kubeconfig");
    }

    /** Starts etcd and kube-apiserver; resolves when /readyz answers ok. */
    async start(serviceCidr: string): Promise<void> {
        fs.rmSync(this.dir, { recursive: true, force: true });
        fs.mkdirSync(this.dir, { recursive: true });
        const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
        this.spawn("etcd", TOOLS.etcd, [
            "--data-dir", path.join(this.dir, "etcd"),
            "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
            "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
            "--initial-cluster", `default=http://127.0.0.1:${etcdPeer}`,
            "--log-level", "warn",
        ]);
        const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(path.join(this.dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
        fs.writeFileSync(path.join(this.dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
        fs.writeFileSync(path.join(this.dir, "tokens.csv"), `${this.token},render-check,render-check,"system:masters"\n`, { mode: 0o600 });
        this.spawn("kube-apiserver", TOOLS.kubeApiserver, [
            "--etcd-servers", `http://127.0.0.1:${etcdClient}`,
            "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", String(apiPort),
            "--cert-dir", path.join(this.dir, "certs"),
            "--token-auth-file", path.join(this.dir, "tokens.csv"), "--authorization-mode", "RBAC",
            "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file", path.join(this.dir, "sa.pub"), "--service-account-signing-key-file", path.join(this.dir, "sa.key"),
            "--service-cluster-ip-range", serviceCidr,
            // Validation rejects privileged containers unless the server allows them; Pod Security decides per namespace.
            "--allow-privileged=true",
            "--disable-admission-plugins", "ServiceAccount,MutatingAdmissionWebhook,ValidatingAdmissionWebhook",
            "--endpoint-reconciler-type", "none",
        ]);
        this.url = `https://127.0.0.1:${apiPort}`;
        fs.writeFileSync(this.kubeconfig, stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "render", cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
            users: [{ name: "render", user: { token: this.token } }],
            contexts: [{ name: "render", context: { cluster: "render", user: "render" } }],
            "current-context": "render",
        }), { mode: 0o600 });
        for (let attempt = 0; attempt < 240; attempt++) {
            const exited = this.processes.find((p) => p.exitCode !== null);
            if (exited) {
                throw new Error(`${exited.spawnfile} exited ${exited.exitCode}:\n${this.logs.join("").slice(-4000)}`);
            }
            if (await this.get("/readyz").then((body) => body === "ok", () => false)) {
                return;
            }
            await sleep(500);
        }
        throw new Error(`kube-apiserver was not ready after 120 s:\n${this.logs.join("").slice(-4000)}`);
    }

    private spawn(name: string, binary: string, args: string[]): void {
        const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
        const keep = (chunk: Buffer) => {
            this.logs.push(`[${name}] ${chunk.toString()}`);
            if (this.logs.length > 400) {
                this.logs.shift();
            }
        };
        child.stdout!.on("data", keep);
        child.stderr!.on("data", keep);
        this.processes.push(child);
    }

    stop(): void {
        for (const child of this.processes.reverse()) {
            child.kill("SIGTERM");
        }
    }

    private get(pathname: string, accept = "application/json"): Promise<string> {
        return new Promise((resolve, reject) => {
            const req = https.get(`${this.url}${pathname}`, { rejectUnauthorized: false, headers: { Authorization: `Bearer ${this.token}`, Accept: accept } }, (res) => {
                let body = "";
                res.on("data", (chunk: Buffer) => (body += chunk.toString()));
                res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${pathname}: ${res.statusCode} ${body}`))));
            });
            req.on("error", reject);
        });
    }

    /** Every kind the server serves, from its aggregated discovery (built-in APIs and the CRDs applied so far). */
    async discovery(): Promise<ServedResource[]> {
        const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
        const served: ServedResource[] = [];
        for (const root of ["/api", "/apis"]) {
            const list = JSON.parse(await this.get(root, accept)) as { items: { metadata?: { name?: string }; versions: { version: string; resources: { responseKind: { kind: string }; scope: string }[] }[] }[] };
            for (const group of list.items) {
                for (const version of group.versions) {
                    const groupVersion = group.metadata?.name ? `${group.metadata.name}/${version.version}` : version.version;
                    for (const resource of version.resources) {
                        served.push({ groupVersion, kind: resource.responseKind.kind, namespaced: resource.scope === "Namespaced" });
                    }
                }
            }
        }
        return served;
    }

    /** kubectl against this server. */
    kubectl(args: string[], allowFailure = false) {
        return run(TOOLS.kubectl, ["--kubeconfig", this.kubeconfig, ...args], { allowFailure });
    }

    /** Creates objects for real (Namespaces, CRDs), then waits for every CRD to be established. */
    applyForReal(file: string, objects: Manifest[]): void {
        fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
        this.kubectl(["apply", "--server-side", "--field-manager", "render-check", "-f", file]);
        if (objects.some((o) => o.kind === "CustomResourceDefinition")) {
            this.kubectl(["wait", "--for", "condition=Established", "--timeout", "120s", "customresourcedefinitions", "--all"]);
        }
    }

    /**
     * Server-side dry run of creating objects, as Helm installs them (a create, not an apply): what the API server
     * would store, or its error. Warnings (Pod Security on workloads, deprecated APIs, unknown fields) fail too.
     */
    dryRun(file: string, objects: Manifest[]): { ok: boolean; output: string } {
        fs.writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
        const result = this.kubectl(["--warnings-as-errors", "create", "--dry-run=server", "--validate=strict", "-f", file], true);
        return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
    }
}
