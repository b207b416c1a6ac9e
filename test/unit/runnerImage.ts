/**
 * The runner image (components/runners/image): its registration script run for real (bash, openssl, curl, jq)
 * against a stand-in of GitHub's REST API on loopback, its Dockerfile's build arguments and tag, and the tool pins
 * the deploy workflow relies on.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPublicKey, createVerify, generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { RUNNER_IMAGE_CONTEXT, runnerImageBuild } from "../../components/runners/image";
import { PROJECT_DIR } from "../../offline/engine";
import { RUNNER_IMAGE_TOOLS } from "../../versions";

interface Call {
    method: string;
    url: string;
    authorization: string | undefined;
    body: any;
}

/** GitHub's REST API as register.sh calls it (docs.github.com/rest/apps/apps, /rest/actions/self-hosted-runners). */
async function fakeGitHub(jitStatus = 201): Promise<{ url: string; calls: Call[]; close: () => void }> {
    const calls: Call[] = [];
    const server = http.createServer((req, res) => {
        let text = "";
        req.on("data", (chunk) => (text += chunk)).on("end", () => {
            calls.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body: text ? JSON.parse(text) : undefined });
            res.setHeader("content-type", "application/json");
            if (req.method === "POST" && req.url === "/app/installations/7654321/access_tokens") {
                res.writeHead(201).end(JSON.stringify({ token: "ghs_installation", expires_at: "2026-12-01T01:00:00Z" }));
            } else if (req.method === "POST" && req.url === "/repos/Example-Org/Platform/actions/runners/generate-jitconfig") {
                res.writeHead(jitStatus).end(JSON.stringify(jitStatus === 201 ? { runner: { id: 42 }, encoded_jit_config: "ZW5jb2RlZC1qaXQtY29uZmln" } : { message: "Resource not accessible by integration" }));
            } else if (req.method === "DELETE" && req.url === "/installation/token") {
                res.writeHead(204).end();
            } else {
                res.writeHead(404).end(JSON.stringify({ message: "Not Found" }));
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => server.close() };
}

function run(script: string, env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn("bash", [script], { env: { PATH: process.env["PATH"]!, ...env } });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (status) => resolve({ status, stderr }));
    });
}

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_KEY = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();

async function register(jitStatus?: number) {
    const github = await fakeGitHub(jitStatus);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-"));
    const jitFile = path.join(dir, "jitconfig");
    try {
        const result = await run(path.join(RUNNER_IMAGE_CONTEXT, "register.sh"), {
            GITHUB_API_URL: github.url,
            GITHUB_APP_ID: "123456",
            GITHUB_APP_INSTALLATION_ID: "7654321",
            GITHUB_APP_PRIVATE_KEY: PRIVATE_KEY,
            GITHUB_REPOSITORY: "Example-Org/Platform",
            RUNNER_LABEL: "platform-dev-deploy",
            JIT_CONFIG_FILE: jitFile,
        });
        return { ...result, calls: github.calls, jit: fs.existsSync(jitFile) ? fs.readFileSync(jitFile, "utf8") : undefined, files: fs.readdirSync(dir) };
    } finally {
        github.close();
    }
}

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

describe("runner image: just-in-time registration (register.sh)", () => {
    it("signs the App's JWT with its key, asks for a token of this repository with administration:write only, registers one runner with the job's label", async () => {
        const before = Math.floor(Date.now() / 1000);
        const { status, stderr, calls, jit } = await register();
        assert.equal(status, 0, stderr);
        assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
            "POST /app/installations/7654321/access_tokens",
            "POST /repos/Example-Org/Platform/actions/runners/generate-jitconfig",
            "DELETE /installation/token",
        ]);
        // docs.github.com "Generating a JSON Web Token (JWT) for a GitHub App": RS256, iss = the App, at most 10 minutes.
        const jwt = calls[0]!.authorization!.replace(/^Bearer /, "");
        const [header, payload, signature] = jwt.split(".");
        assert.deepEqual(decode(header!), { alg: "RS256", typ: "JWT" });
        const claims = decode(payload!);
        assert.equal(String(claims.iss), "123456");
        assert.ok(claims.iat <= before && claims.exp - claims.iat <= 600 && claims.exp > before, JSON.stringify(claims));
        const verifier = createVerify("RSA-SHA256").update(`${header}.${payload}`);
        assert.ok(verifier.verify(createPublicKey(PRIVATE_KEY), Buffer.from(signature!, "base64url")), "the JWT's signature does not verify with the App's key");
        // docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app: repositories and permissions narrow it.
        assert.deepEqual(calls[0]!.body, { repositories: ["Platform"], permissions: { administration: "write" } });
        // docs.github.com/rest/actions/self-hosted-runners#create-configuration-for-a-just-in-time-runner-for-a-repository
        assert.equal(calls[1]!.authorization, "Bearer ghs_installation");
        const { name, ...request } = calls[1]!.body;
        assert.deepEqual(request, { runner_group_id: 1, labels: ["platform-dev-deploy"], work_folder: "_work" });
        assert.match(name, /^platform-dev-deploy-/);
        assert.equal(calls[2]!.authorization, "Bearer ghs_installation");
        assert.equal(jit, "ZW5jb2RlZC1qaXQtY29uZmln\n");
    });

    it("fails, and leaves no configuration for the runner, when GitHub refuses the registration", async () => {
        const { status, jit, files } = await register(403);
        assert.notEqual(status, 0);
        assert.equal(jit, undefined);
        assert.deepEqual(files.filter((f) => f === "jitconfig"), []);
    });
});

describe("runner image: build", () => {
    const dockerfile = fs.readFileSync(path.join(RUNNER_IMAGE_CONTEXT, "Dockerfile"), "utf8");

    it("the Dockerfile takes exactly the build arguments the workflow passes, from GitHub's runner image at the pinned version", () => {
        const args = [...dockerfile.matchAll(/^ARG (\w+)$/gm)].map((m) => m[1]).sort();
        assert.deepEqual(args, Object.keys(runnerImageBuild().buildArgs).sort());
        assert.match(dockerfile, /^ARG RUNNER_VERSION\nFROM ghcr\.io\/actions\/actions-runner:\$\{RUNNER_VERSION\}$/m);
        assert.equal(runnerImageBuild().buildArgs.NODE_VERSION, fs.readFileSync(path.join(PROJECT_DIR, ".nvmrc"), "utf8").trim());
        // Node, the Pulumi CLI and kubelogin are each checked against their publisher's checksum.
        assert.equal([...dockerfile.matchAll(/sha256sum -c -/g)].length, 3);
        // The job's steps run as `runner` without the base image's passwordless sudo.
        assert.match(dockerfile, /gpasswd -d runner sudo/);
        assert.match(dockerfile, /^USER runner\s*$/m);
    });

    it("the tag names its content: another pin or another byte in the image folder is another tag", () => {
        const { tag } = runnerImageBuild();
        assert.match(tag, new RegExp(`^${RUNNER_IMAGE_TOOLS.runner.replace(/\./g, "\\.")}-[0-9a-f]{12}$`));
        assert.equal(runnerImageBuild().tag, tag);
        assert.notEqual(runnerImageBuild({ ...RUNNER_IMAGE_TOOLS, kubelogin: "0.2.18" }).tag, tag);
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "runner-image-"));
        for (const file of fs.readdirSync(RUNNER_IMAGE_CONTEXT)) {
            fs.copyFileSync(path.join(RUNNER_IMAGE_CONTEXT, file), path.join(copy, file));
        }
        assert.equal(runnerImageBuild(RUNNER_IMAGE_TOOLS, copy).tag, tag);
        fs.appendFileSync(path.join(copy, "run.sh"), "\n");
        assert.notEqual(runnerImageBuild(RUNNER_IMAGE_TOOLS, copy).tag, tag);
    });

    it("pins kubelogin at 0.2.0 or later (it fetches its own GitHub OIDC token) and the Pulumi CLI the deploy workflow runs", () => {
        // Azure/kubelogin pkg/internal/token/provider.go (v0.2.0 and later): workloadidentity with ACTIONS_ID_TOKEN_REQUEST_*
        // set uses GithubActionsCredential, which requests a new GitHub token for every Entra token.
        const [major, minor] = RUNNER_IMAGE_TOOLS.kubelogin.split(".").map(Number);
        assert.ok(major! > 0 || minor! >= 2, `kubelogin ${RUNNER_IMAGE_TOOLS.kubelogin}`);
        const action = parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "actions", "pulumi", "action.yml"), "utf8"));
        const pulumiRun = (action.runs.steps as { uses?: string; with?: Record<string, string> }[]).find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        assert.equal(pulumiRun.with!["pulumi-version"], RUNNER_IMAGE_TOOLS.pulumi);
        assert.equal(RUNNER_IMAGE_TOOLS.pulumi, "3.274.1");
    });
});
