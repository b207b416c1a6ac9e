/**
 * The stand-in provider plugin as the engine calls it (pulumirpc.ResourceProvider over gRPC): what `npm run e2e`
 * needs from it, each point a trap the engine sets (docs/e2e.md), without starting the CLI.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { FolderCloud, serve } from "../../offline/standins/provider";

/** The engine's marker for a value it does not know yet (sdk/go/common/resource/plugin/rpc.go UnknownStringValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const CLUSTER_URN = "urn:pulumi:dev::platform::platform:cluster:PrivateCluster$azure-native:containerservice:ManagedCluster::cluster-aks";
const CLUSTER_INPUTS = {
    resourceName: "aks-dev",
    resourceGroupName: "rg-dev",
    location: "westeurope",
    dnsPrefix: "aks-dev",
    identity: { type: "SystemAssigned" },
    oidcIssuerProfile: { enabled: true },
};

type Client = Record<string, (request: unknown, callback: (err: grpc.ServiceError | null, response: unknown) => void) => void>;
const servers: grpc.Server[] = [];
const folders: string[] = [];

/** A stand-in over its own folder, or over `folder` (another CLI command of the same run). */
async function standIn(folder = fs.mkdtempSync(path.join(os.tmpdir(), "standin-"))) {
    folders.push(folder);
    const { port, server } = await serve("azure-native", "3.28.0", new FolderCloud(folder));
    servers.push(server);
    const Constructor = grpc.makeGenericClientConstructor(providerRpc.ResourceProviderService as unknown as grpc.ServiceDefinition, "ResourceProvider");
    const client = new Constructor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Client;
    const call = <T>(method: string, request: unknown) =>
        new Promise<T>((resolve, reject) => client[method]!(request, (err, response) => (err ? reject(err) : resolve(response as T))));
    return { folder, call };
}

const struct = (value: object) => Struct.fromJavaScript(value as Record<string, never>);

after(() => {
    servers.forEach((server) => server.forceShutdown());
    folders.forEach((folder) => fs.rmSync(folder, { recursive: true, force: true }));
});

describe("the stand-in provider plugin", () => {
    it("reports the version it stands in for and declares preview support, without secrets", async () => {
        const { call } = await standIn();
        assert.equal((await call<PluginInfo>("getPluginInfo", new Empty())).getVersion(), "3.28.0");
        const configured = await call<proto.ConfigureResponse>("configure", new proto.ConfigureRequest());
        assert.deepEqual([configured.getSupportspreview(), configured.getAcceptsecrets(), configured.getAcceptresources()], [true, false, false]);
    });

    it("diffs the old inputs, not the old outputs: computed outputs are no change", async () => {
        const { call } = await standIn();
        const diff = (oldInputs: object, news: object) => call<proto.DiffResponse>("diff", new proto.DiffRequest().setUrn(CLUSTER_URN)
            .setOlds(struct({ ...CLUSTER_INPUTS, id: "/subscriptions/x/aks-dev", privateFQDN: "aks-dev.example" }))
            .setOldInputs(struct(oldInputs)).setNews(struct(news)));
        const same = await diff(CLUSTER_INPUTS, CLUSTER_INPUTS);
        assert.deepEqual([same.getChanges(), same.getDiffsList()], [proto.DiffResponse.DiffChanges.DIFF_NONE, []]);
        const changed = await diff(CLUSTER_INPUTS, { ...CLUSTER_INPUTS, dnsPrefix: "other" });
        assert.deepEqual([changed.getChanges(), changed.getDiffsList()], [proto.DiffResponse.DiffChanges.DIFF_SOME, ["dnsPrefix"]]);
    });

    it("creates in preview with no id and the nested computed values unknown", async () => {
        const { call } = await standIn();
        const created = await call<proto.CreateResponse>("create", new proto.CreateRequest().setUrn(CLUSTER_URN).setPreview(true).setProperties(struct(CLUSTER_INPUTS)));
        const state = created.getProperties()!.toJavaScript() as Record<string, Record<string, unknown>>;
        assert.equal(created.getId(), "");
        assert.deepEqual([state["identity"]!["principalId"], state["oidcIssuerProfile"]!["issuerURL"]], [UNKNOWN, UNKNOWN]);
    });

    it("answers a later command's invoke from what an earlier command created, in the same run only", async () => {
        const first = await standIn();
        const created = await first.call<proto.CreateResponse>("create", new proto.CreateRequest().setUrn(CLUSTER_URN).setProperties(struct(CLUSTER_INPUTS)));
        const fqdn = (created.getProperties()!.toJavaScript() as Record<string, string>)["privateFQDN"]!;
        assert.match(created.getId(), /\/resourceGroups\/rg-dev\/providers\/Microsoft\.ContainerService\/managedClusters\/aks-dev$/);
        const credentials = new proto.InvokeRequest().setTok("azure-native:containerservice:listManagedClusterUserCredentials")
            .setArgs(struct({ resourceGroupName: "rg-dev", resourceName: "aks-dev", format: "exec" }));
        const later = await standIn(first.folder);
        const answer = (await later.call<proto.InvokeResponse>("invoke", credentials)).getReturn()!.toJavaScript() as { kubeconfigs: { value: string }[] };
        assert.match(Buffer.from(answer.kubeconfigs[0]!.value, "base64").toString("utf8"), new RegExp(`server: https://${fqdn.replace(/\./g, "\\.")}:443\\n`));
        const otherRun = await standIn();
        await assert.rejects(otherRun.call("invoke", credentials), /aks-dev, which does not exist/);
    });
});
