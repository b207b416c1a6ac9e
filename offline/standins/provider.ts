/**
 * A stand-in resource provider plugin for the real Pulumi engine: `node provider.js <package> <version> <engine>`
 * serves pulumirpc.ResourceProvider (proto/pulumi/provider.proto) and answers every create and invoke from the
 * offline model (../mocks.ts), so `pulumi preview`/`up` run this program without Azure or a cluster.
 *
 * Three things a provider must do for the engine that `@pulumi/pulumi/provider`'s server does not:
 * - Diff compares the old *inputs* with the new ones (that server hands `diff` the old outputs, so every computed
 *   output looks changed and `--expect-no-changes` fails);
 * - Configure declares preview support, so the engine calls Create in preview and the model's unknowns (a system
 *   identity's principal id, the OIDC issuer URL) stay unknown instead of the inputs being echoed as outputs;
 * - what the model's "cloud" learns is kept in a folder, since each CLI command starts new plugin processes and an
 *   invoke (the cluster's credentials) must find what an earlier `up` created.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { OfflineCloud, type CloudMemory } from "../mocks";

/** The environment variable naming the folder that holds what the cloud knows for one e2e run. */
export const CLOUD_DIR_ENV = "PLATFORM_STANDIN_CLOUD";

/** One file per key, written whole then renamed: plugins of one command may run side by side. */
export class FolderCloud implements CloudMemory {
    constructor(private readonly dir: string) {
        fs.mkdirSync(dir, { recursive: true });
    }
    private file(key: string): string {
        return path.join(this.dir, `${crypto.createHash("sha256").update(key).digest("hex")}.json`);
    }
    get(key: string): unknown {
        const file = this.file(key);
        return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as { value: unknown }).value : undefined;
    }
    set(key: string, value: unknown): void {
        const file = this.file(key);
        const temporary = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, JSON.stringify({ key, value }));
        fs.renameSync(temporary, file);
    }
    delete(key: string): void {
        fs.rmSync(this.file(key), { force: true });
    }
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;


const toObject = (struct: Struct | undefined): Record<string, unknown> => (struct?.toJavaScript() ?? {}) as Record<string, unknown>;
// Struct has no undefined: the model's optional outputs are left out, as JSON leaves them.
const toStruct = (value: Record<string, unknown>): Struct => Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));

/** `urn:pulumi:<stack>::<project>::<parent types$>type::<name>`: the type and name the SDK registered. */
function typeAndName(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    return { type: parts[2]!.split("$").at(-1)!, name: parts.slice(3).join("::") };
}

/** Top-level properties whose values differ: the engine shows them as the update's changes. */
function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
    return [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((key) => !isDeepStrictEqual(olds[key], news[key])).sort();
}

function diffResponse(olds: Record<string, unknown>, news: Record<string, unknown>): providerProto.DiffResponse {
    const changed = changedKeys(olds, news);
    const response = new providerProto.DiffResponse();
    response.setChanges(changed.length === 0 ? providerProto.DiffResponse.DiffChanges.DIFF_NONE : providerProto.DiffResponse.DiffChanges.DIFF_SOME);
    response.setDiffsList(changed);
    return response;
}

function checkResponse(news: Struct | undefined): providerProto.CheckResponse {
    // The model validates nothing here: the program's config module and the packs do, before any provider.
    return new providerProto.CheckResponse().setInputs(news);
}

/** What a preview sees of the memory: everything the cloud knows, and no change to it. */
function unchanging(memory: CloudMemory): CloudMemory {
    return { get: (key) => memory.get(key), set: () => undefined, delete: () => undefined };
}

/** Starts the server on a free local port. */
export function serve(pkg: string, version: string, memory: CloudMemory): Promise<{ port: number; server: grpc.Server }> {
    const cloud = new OfflineCloud(memory);
    const previewCloud = new OfflineCloud(unchanging(memory));
    /** A unary handler whose thrown errors reach the engine as the call's error (the engine prints them). */
    function unary<Req, Res>(handle: (request: Req) => Res): Handler<Req, Res> {
        return (call, callback) => {
            try {
                callback(null, handle(call.request));
            } catch (err) {
                callback({ code: grpc.status.UNKNOWN, details: `stand-in ${pkg}: ${err instanceof Error ? err.message : String(err)}` });
            }
        };
    }
    const implementation: Partial<grpc.UntypedServiceImplementation> = {
        getPluginInfo: unary(() => new PluginInfo().setVersion(version)),
        checkConfig: unary((req: providerProto.CheckRequest) => checkResponse(req.getNews())),
        diffConfig: unary((req: providerProto.DiffRequest) => diffResponse(toObject(req.getOldInputs() ?? req.getOlds()), toObject(req.getNews()))),
        // Secrets and resource references arrive as plain values (the engine keeps outputs secret where inputs were).
        configure: unary(() => new providerProto.ConfigureResponse().setSupportspreview(true).setAcceptsecrets(false).setAcceptresources(false)),
        check: unary((req: providerProto.CheckRequest) => checkResponse(req.getNews())),
        diff: unary((req: providerProto.DiffRequest) => diffResponse(toObject(req.getOldInputs()), toObject(req.getNews()))),
        create: unary((req: providerProto.CreateRequest) => {
            const { type, name } = typeAndName(req.getUrn());
            const created = cloud.create(type, name, toObject(req.getProperties()), req.getPreview());
            return new providerProto.CreateResponse().setId(created.id ?? "").setProperties(toStruct(created.state));
        }),
        // An update answers as the model's create with the new inputs (the resource keeps its id); its preview
        // knows the same outputs, derived from the inputs, and leaves the cloud as it is.
        update: unary((req: providerProto.UpdateRequest) => {
            const { type, name } = typeAndName(req.getUrn());
            const updated = (req.getPreview() ? previewCloud : cloud).create(type, name, toObject(req.getNews()), false);
            return new providerProto.UpdateResponse().setProperties(toStruct(updated.state));
        }),
        delete: unary((req: providerProto.DeleteRequest) => {
            cloud.delete(typeAndName(req.getUrn()).type, req.getId(), toObject(req.getProperties()));
            return new Empty();
        }),
        invoke: unary((req: providerProto.InvokeRequest) => new providerProto.InvokeResponse().setReturn(toStruct(cloud.invoke(req.getTok(), toObject(req.getArgs()))))),
        cancel: unary(() => new Empty()),
    };
    // Helm releases' values and the stack's larger resources exceed gRPC's 4 MiB default, as for real providers.
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(providerRpc.ResourceProviderService, implementation as grpc.UntypedServiceImplementation);
    return new Promise((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ port, server }))),
    );
}

if (require.main === module) {
    const [pkg, version] = process.argv.slice(2);
    const cloudDir = process.env[CLOUD_DIR_ENV];
    if (!pkg || !version || !cloudDir) {
        console.error(`usage: ${CLOUD_DIR_ENV}=<dir> node provider.js <package> <version> <engine address>`);
        process.exit(2);
    }
    // The engine reads the port from the first line of stdout (sdk/go/common/resource/plugin/plugin.go).
    serve(pkg, version, new FolderCloud(cloudDir)).then(({ port }) => console.log(port), (err) => {
        console.error(err);
        process.exit(1);
    });
}
