/**
 * A client of a policy pack's real Analyzer server, started and driven the way the Pulumi CLI does it:
 * the nodejs language host runs `node @pulumi/pulumi/cmd/run-policy-pack <engine> <pack dir>` with the pack
 * folder as working directory (sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin, kind analyzer), reads
 * the port the pack prints, then calls Handshake, ConfigureStack, GetAnalyzerInfo, Configure, Analyze on each
 * resource's inputs and AnalyzeStack on the outputs (pkg/resource/plugin/analyzer_plugin.go,
 * pkg/resource/deploy/step_generator.go at v3.274.1).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { EnforcementLevel } from "@pulumi/policy";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** How long a pack may take to print its port (about a second on an idle machine; far more on a loaded CI runner). */
const START_TIMEOUT_MS = 120_000;

const LEVELS: Record<analyzerProto.EnforcementLevel, EnforcementLevel> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_CODES = Object.fromEntries(Object.entries(LEVELS).map(([code, level]) => [level, Number(code)])) as Record<EnforcementLevel, analyzerProto.EnforcementLevel>;

/** One policy's settings after the CLI's merge: an enforcement level and its properties. */
export interface PolicySettings {
    enforcementLevel: EnforcementLevel;
    properties?: Record<string, unknown>;
}

export interface PackInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    policies: { name: string; enforcementLevel: EnforcementLevel; stack: boolean }[];
    initialConfig: Record<string, PolicySettings>;
}

/** A resource in the engine's terms: properties already in the wire format (secrets and unknowns as sentinels). */
export interface AnalyzerResource {
    urn: string;
    type: string;
    properties: Record<string, unknown>;
    protect?: boolean;
    ignoreChanges?: string[];
    aliases?: string[];
    additionalSecretOutputs?: string[];
    deleteBeforeReplace?: boolean;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface Diagnostic {
    policy: string;
    pack: string;
    packVersion: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
    description: string;
    message: string;
}

type Unary<Req, Res> = (request: Req, callback: (err: grpc.ServiceError | null, response: Res) => void) => unknown;

function call<Req, Res>(client: grpc.Client, method: Unary<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method.call(client, request, (err, response) => (err ? reject(err) : resolve(response))));
}

function resourceOptions(r: AnalyzerResource): analyzerProto.AnalyzerResourceOptions {
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setProtect(r.protect ?? false);
    options.setIgnorechangesList(r.ignoreChanges ?? []);
    options.setAliasesList(r.aliases ?? []);
    options.setAdditionalsecretoutputsList(r.additionalSecretOutputs ?? []);
    options.setDeletebeforereplace(r.deleteBeforeReplace ?? false);
    options.setDeletebeforereplacedefined(r.deleteBeforeReplace !== undefined);
    options.setCustomtimeouts(new analyzerProto.AnalyzerResourceOptions.CustomTimeouts());
    options.setParent(r.parent ?? "");
    return options;
}

/** The fields an Analyze request and an AnalyzeStack resource share: what the resource is, its properties and options. */
function withResource<T extends analyzerProto.AnalyzeRequest | analyzerProto.AnalyzerResource>(message: T, r: AnalyzerResource): T {
    message.setUrn(r.urn);
    message.setType(r.type);
    message.setName(r.urn.split("::").pop() ?? r.urn);
    message.setProperties(Struct.fromJavaScript(r.properties as Record<string, never>));
    message.setOptions(resourceOptions(r));
    return message;
}

function diagnostics(response: analyzerProto.AnalyzeResponse, urn: string): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => {
        const description = d.getDescription();
        // The pack prefixes every message with the policy's description (server.js makeReportViolationFun).
        const message = d.getMessage().startsWith(`${description}\n`) ? d.getMessage().slice(description.length + 1) : d.getMessage();
        return {
            policy: d.getPolicyname(),
            pack: d.getPolicypackname(),
            packVersion: d.getPolicypackversion(),
            enforcementLevel: LEVELS[d.getEnforcementlevel()],
            urn: d.getUrn() || urn,
            description,
            message,
        };
    });
}

/** A pack server running as the CLI runs it, with the calls the engine makes. */
export class PackServer {
    private queue: Promise<unknown> = Promise.resolve();

    private constructor(readonly dir: string, private readonly child: ChildProcess, private readonly client: analyzerRpc.AnalyzerClient, readonly info: PackInfo) {}

    /** Starts the pack in `dir`; rejects with the pack's own output when it exits or prints no port. */
    static async start(dir: string, stack = { stack: "dev", project: "platform", organization: "organization" }): Promise<PackServer> {
        const packDir = path.resolve(dir);
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        // The engine's address, then the pack folder as the program, run in that folder: the nodejs language host's
        // RunPlugin for an analyzer (sdk/nodejs/cmd/pulumi-language-nodejs, main.go).
        const child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", packDir], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
        const port = await new Promise<number>((resolve, reject) => {
            let output = "";
            const fail = (why: string) => {
                child.kill();
                reject(new Error(`policy pack ${packDir} did not start under run-policy-pack: ${why}\n${output.trim()}`));
            };
            const timer = setTimeout(() => fail(`no port after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
            child.stdout!.on("data", (chunk: Buffer) => {
                output += chunk.toString();
                const match = /^(\d+)\s*$/m.exec(output);
                if (match) {
                    clearTimeout(timer);
                    resolve(Number(match[1]));
                }
            });
            child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
            child.on("exit", (code) => {
                clearTimeout(timer);
                fail(`exited with ${code}`);
            });
        });
        child.removeAllListeners("exit");
        // The pack must not outlive the tool that started it, however that tool exits.
        process.once("exit", () => child.kill());
        child.stdout!.resume();
        child.stderr!.resume();
        child.unref();
        (child.stdout as unknown as { unref?: () => void }).unref?.();
        (child.stderr as unknown as { unref?: () => void }).unref?.();
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

        // The nodejs policy SDK does not implement Handshake; the engine accepts Unimplemented (analyzer_plugin.go).
        const handshake = new analyzerProto.AnalyzerHandshakeRequest();
        handshake.setEngineAddress("127.0.0.1:0");
        handshake.setRootDirectory(packDir);
        handshake.setProgramDirectory(packDir);
        await call(client, client.handshake, handshake).catch((err: grpc.ServiceError) => {
            if (err.code !== grpc.status.UNIMPLEMENTED) {
                throw err;
            }
        });
        const configureStack = new analyzerProto.AnalyzerStackConfigureRequest();
        configureStack.setStack(stack.stack);
        configureStack.setProject(stack.project);
        configureStack.setOrganization(stack.organization);
        configureStack.setDryRun(true);
        await call(client, client.configureStack, configureStack);

        const info = await call<Empty, analyzerProto.AnalyzerInfo>(client, client.getAnalyzerInfo, new Empty());
        const initialConfig: Record<string, PolicySettings> = {};
        info.getInitialconfigMap().forEach((c: analyzerProto.PolicyConfig, name: string) => {
            initialConfig[name] = { enforcementLevel: LEVELS[c.getEnforcementlevel()], properties: c.getProperties()?.toJavaScript() };
        });
        return new PackServer(packDir, child, client, {
            name: info.getName(),
            version: info.getVersion(),
            supportsConfig: info.getSupportsconfig(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                enforcementLevel: LEVELS[p.getEnforcementlevel()],
                stack: p.getPolicyType() === analyzerProto.PolicyType.POLICY_TYPE_STACK,
            })),
            initialConfig,
        });
    }

    /** Runs one configured pass at a time: Configure sets the server's global config. */
    private exclusive<T>(work: () => Promise<T>): Promise<T> {
        const next = this.queue.then(work, work);
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async configure(config: Record<string, PolicySettings>): Promise<void> {
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        const map = request.getPolicyconfigMap();
        for (const [name, settings] of Object.entries(config)) {
            const entry = new analyzerProto.PolicyConfig();
            entry.setEnforcementlevel(LEVEL_CODES[settings.enforcementLevel]);
            entry.setProperties(Struct.fromJavaScript((settings.properties ?? {}) as Record<string, never>));
            map.set(name, entry);
        }
        await call(this.client, this.client.configure, request);
    }

    private async analyze(r: AnalyzerResource): Promise<Diagnostic[]> {
        return diagnostics(await call(this.client, this.client.analyze, withResource(new analyzerProto.AnalyzeRequest(), r)), r.urn);
    }

    private async analyzeStack(resources: AnalyzerResource[]): Promise<Diagnostic[]> {
        const request = new analyzerProto.AnalyzeStackRequest();
        request.setResourcesList(resources.map((r) => {
            const resource = withResource(new analyzerProto.AnalyzerResource(), r);
            resource.setParent(r.parent ?? "");
            resource.setDependenciesList(r.dependencies ?? []);
            const deps = resource.getPropertydependenciesMap();
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const entry = new analyzerProto.AnalyzerPropertyDependencies();
                entry.setUrnsList(urns);
                deps.set(key, entry);
            }
            return resource;
        }));
        return diagnostics(await call(this.client, this.client.analyzeStack, request), "");
    }

    /**
     * One preview's worth of analysis: Configure with the reconciled config (never empty: it names every
     * policy), Analyze for every resource's inputs, then AnalyzeStack for the outputs.
     */
    run(config: Record<string, PolicySettings>, inputs: AnalyzerResource[], outputs: AnalyzerResource[]): Promise<Diagnostic[]> {
        return this.exclusive(async () => {
            await this.configure(config);
            const perResource = await Promise.all(inputs.map((r) => this.analyze(r)));
            return [...perResource.flat(), ...(await this.analyzeStack(outputs))];
        });
    }

    close(): void {
        this.client.close();
        this.child.kill();
    }
}
