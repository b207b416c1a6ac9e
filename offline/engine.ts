/**
 * Runs the real program offline: the stack's config, `pulumi.runtime.setMocks`, and the program's default
 * export called inside a Pulumi stack, as the nodejs language host does. Every RegisterResourceRequest the
 * SDK sends is recorded as the engine would receive it (parent, dependencies, protect, provider, inputs).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PlatformMocks } from "./mocks";
import { readStackConfig, type StackConfig } from "./stackFiles";

/** Serialized property value markers, as in Pulumi's wire format and checkpoints. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface GraphResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Undefined in preview mode, as the engine leaves it before the create. */
    id?: string;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    /** `<provider urn>::<provider id>`; default providers are named `default_<version>` like the engine's. */
    provider?: string;
    /** A component a provider implements (e.g. `kubernetes:yaml/v2:ConfigFile`), and the providers it is given. */
    remote: boolean;
    providers: Record<string, string>;
    /** The URNs this resource answers to besides its own (from `aliases`), as the engine computes them. */
    aliases: string[];
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
    additionalSecretOutputs: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /** Inputs in the wire format: secrets wrapped with SIG_KEY/SECRET_SIG, unknowns as UNKNOWN. */
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

export interface Graph {
    project: string;
    stack: string;
    preview: boolean;
    resources: GraphResource[];
    stackOutputs: Record<string, unknown>;
    /** Every invoke (a data source or function call), its arguments, and the provider it went to; none: the default provider. */
    invokes: Invoke[];
}

export interface Invoke {
    token: string;
    inputs: Record<string, unknown>;
    provider?: string;
}

/** The subset of the protobuf request the recorder reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getProvider(): string;
    getVersion(): string;
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getRetainondelete(): boolean;
    getAdditionalsecretoutputsList(): string[];
    getAliasesList(): { toObject(): AliasMessage }[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getRemote(): boolean;
    getProvidersMap(): { forEach(cb: (value: string, key: string) => void): void };
}

/** An alias as the SDK sends it: a URN, or a spec relative to this resource ("" keeps this resource's value). */
interface AliasMessage {
    urn?: string;
    spec?: { name: string; type: string; stack: string; project: string; parenturn?: string; noparent?: boolean };
}

interface MockMonitor {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string; getId(): string; getObject(): { toJavaScript(): Record<string, unknown> } }) => void): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined }, callback: (err: unknown, resp?: unknown) => void): void;
}

// Internal runtime hooks: the monitor object setMocks installed, and the wait for outstanding RPCs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MockMonitor; waitForRPCs(): Promise<void> };

class Recorder {
    readonly resources: GraphResource[] = [];
    /** The mock monitor's URNs (which flatten the type chain) mapped to the engine's. */
    private readonly realUrns = new Map<string, { urn: string; qualifiedType: string }>();

    constructor(private readonly project: string, private readonly stack: string) {}

    install(monitor: MockMonitor): void {
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) =>
            register(req, (err, resp) => {
                if (!err && resp) {
                    this.record(req, resp.getUrn(), resp.getId(), resp.getObject().toJavaScript());
                }
                callback(err, resp);
            });
        // A component's registered outputs are its state, as the engine stores them (the root stack's are the stack outputs).
        const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req, callback) => {
            const resource = this.resources.find((r) => r.urn === this.resolve(req.getUrn()));
            if (resource) {
                resource.outputs = req.getOutputs()?.toJavaScript() ?? {};
            }
            registerOutputs(req, callback);
        };
    }

    private resolve(mockUrn: string): string {
        return this.realUrns.get(mockUrn)?.urn ?? mockUrn;
    }

    /** A provider reference (`<urn>::<id>`) with the engine's URN. */
    providerReference(reference: string): string {
        const separator = reference.lastIndexOf("::");
        return `${this.resolve(reference.slice(0, separator))}${reference.slice(separator)}`;
    }

    private resolveProvider(reference: string, type: string, version: string): string | undefined {
        if (reference) {
            return this.providerReference(reference);
        }
        const pkg = type.split(":")[0];
        if (pkg === "pulumi" || !type.includes(":")) {
            return undefined;
        }
        const defaultName = `default${version ? `_${version.replace(/[.-]/g, "_")}` : ""}`;
        return `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::${defaultName}::default`;
    }

    private aliasUrn(alias: AliasMessage, type: string, name: string, parentMockUrn: string): string {
        if (alias.urn) {
            return this.resolve(alias.urn);
        }
        const spec = alias.spec!;
        const parent = spec.noparent ? undefined : this.realUrns.get(spec.parenturn || parentMockUrn);
        const aliasType = spec.type || type;
        const qualifiedType = parent && !parent.qualifiedType.startsWith(ROOT_STACK_TYPE) ? `${parent.qualifiedType}$${aliasType}` : aliasType;
        return `urn:pulumi:${spec.stack || this.stack}::${spec.project || this.project}::${qualifiedType}::${spec.name || name}`;
    }

    private record(req: RegisterRequest, mockUrn: string, id: string, outputs: Record<string, unknown>): void {
        const type = req.getType();
        const parentMockUrn = req.getParent();
        const parent = parentMockUrn ? this.realUrns.get(parentMockUrn) : undefined;
        // The engine prefixes a child's type with its parent's qualified type, except under the root stack.
        const qualifiedType = parent && !parent.qualifiedType.startsWith(ROOT_STACK_TYPE) ? `${parent.qualifiedType}$${type}` : type;
        const urn = `urn:pulumi:${this.stack}::${this.project}::${qualifiedType}::${req.getName()}`;
        this.realUrns.set(mockUrn, { urn, qualifiedType });
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((value, key) => {
            propertyDependencies[key] = value.getUrnsList().map((u) => this.resolve(u));
        });
        const timeouts = req.getCustomtimeouts();
        const custom = req.getCustom();
        const providers: Record<string, string> = {};
        req.getProvidersMap().forEach((reference, pkg) => {
            const separator = reference.lastIndexOf("::");
            providers[pkg] = `${this.resolve(reference.slice(0, separator))}${reference.slice(separator)}`;
        });
        this.resources.push({
            urn,
            type,
            name: req.getName(),
            custom,
            id: custom && id ? id : undefined,
            parent: parent?.urn,
            dependencies: req.getDependenciesList().map((u) => this.resolve(u)),
            propertyDependencies,
            protect: req.getProtect(),
            provider: custom || req.getRemote() ? this.resolveProvider(req.getProvider(), type, req.getVersion()) : undefined,
            remote: req.getRemote(),
            providers,
            aliases: req.getAliasesList().map((a) => this.aliasUrn(a.toObject(), type, req.getName(), parentMockUrn)),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            retainOnDelete: req.getRetainondelete(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            customTimeouts: timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                ? { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined }
                : undefined,
            inputs: req.getObject()?.toJavaScript() ?? {},
            outputs,
        });
    }
}

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** The program failed while the engine resolved its resources' inputs. */
export class ProgramError extends Error {
    constructor(readonly causes: unknown[]) {
        const messages = [...new Set(causes.map((c) => (c instanceof Error ? c.message : String(c))))];
        super(`the program failed:\n${messages.map((m) => `  ${m}`).join("\n")}`);
    }
}

export interface RunOptions {
    stack: string;
    /** true (default): what `pulumi preview` sends; false: what `pulumi up` sends, with provider outputs. */
    preview?: boolean;
    /** Config overrides on top of the stack file, full keys to runtime strings (objects as JSON). */
    overrides?: Record<string, string>;
    /** Keys among `overrides` that are secrets, as `pulumi config set --secret` marks them. */
    secretOverrides?: string[];
    projectDir?: string;
}

const OFFLINE_ORGANIZATION = "organization";

/** Runs `index.ts` for one stack and returns the resource graph. Rejects with the program's error. */
export async function runProgram(options: RunOptions): Promise<Graph> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const stackConfig: StackConfig = readStackConfig(projectDir, options.stack);
    return record({
        project: stackConfig.project,
        stack: stackConfig.stack,
        preview: options.preview ?? true,
        config: { ...stackConfig.config, ...options.overrides },
        secretKeys: [...stackConfig.secretKeys, ...(options.secretOverrides ?? [])],
    }, async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const main: unknown = require(path.join(projectDir, "index.ts"));
        return typeof main === "function" ? await (main as () => Promise<Record<string, unknown>>)() : main;
    });
}

export interface ComponentRunOptions {
    /** The stack the component is declared in (its URNs carry it). */
    stack: string;
    /** true (default): what `pulumi preview` sends; false: what `pulumi up` sends, with provider outputs. */
    preview?: boolean;
}

/**
 * Declares resources with `declare` inside a stack, as a program would, without any stack config: one
 * component given its args directly, so its own tests need no plan of the whole platform.
 */
export function runComponents(options: ComponentRunOptions, declare: () => unknown): Promise<Graph> {
    return record({ project: "platform", stack: options.stack, preview: options.preview ?? true, config: {}, secretKeys: [] }, async () => {
        await declare();
        return {};
    });
}

interface RecordOptions {
    project: string;
    stack: string;
    preview: boolean;
    config: Record<string, string>;
    secretKeys: string[];
}

async function record(options: RecordOptions, program: () => Promise<unknown>): Promise<Graph> {
    const { project, stack, preview } = options;
    const mocks = new PlatformMocks(preview);
    const invokes: Invoke[] = [];
    const answer = mocks.call.bind(mocks);
    mocks.call = (args) => {
        invokes.push({ token: args.token, inputs: args.inputs, provider: args.provider });
        return answer(args);
    };
    // The organization a DIY (self-managed) backend reports; Pulumi Cloud reports the stack's owner.
    await pulumi.runtime.setMocks(mocks, project, stack, preview, OFFLINE_ORGANIZATION);
    const recorder = new Recorder(project, stack);
    recorder.install(settings.getMonitor());
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);

    // The SDK resolves resource inputs in promises nobody awaits: a program error there (a throwing `apply`)
    // surfaces as an unhandled rejection, which fails a real deployment. Collect them and fail the run.
    const programErrors: unknown[] = [];
    const collect = (reason: unknown) => programErrors.push(reason);
    process.on("unhandledRejection", collect);
    let stackOutputs: unknown;
    try {
        stackOutputs = await pulumi.runtime.runInPulumiStack(program as () => Promise<Record<string, unknown>>);
        await settings.waitForRPCs();
        // Rejections are reported on the next turns of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        process.off("unhandledRejection", collect);
    }
    if (programErrors.length > 0) {
        throw new ProgramError(programErrors);
    }
    return {
        project,
        stack,
        preview,
        resources: recorder.resources,
        stackOutputs: (stackOutputs ?? {}) as Record<string, unknown>,
        invokes: invokes.map((invoke) => ({ ...invoke, provider: invoke.provider ? recorder.providerReference(invoke.provider) : undefined })),
    };
}
