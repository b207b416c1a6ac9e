/**
 * One component on its own: declared with args a test writes, under the offline mocks, in the test's own process
 * (so StrykerJS sees which test covers which line). Expectations are literals from the requirement, never the
 * component's constants.
 */
import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { MOCK_SUBSCRIPTION_ID } from "../../offline/mocks";
import * as azure from "@pulumi/azure-native";
import * as k8s from "@pulumi/kubernetes";
import { runComponents, type Graph, type GraphResource } from "../../offline/engine";
import { loadModels, type Models } from "../../components/shared/customResources";
import type { ClusterContext, TelemetryEndpoint } from "../../components/shared/namespace";

export type Inputs = Record<string, any>;
export type Planned = GraphResource & { inputs: Inputs };

/** The cluster a component is given: a private API server subnet, the 1.30 mesh revision, the registry's cache. */
export const CLUSTER: ClusterContext = {
    apiServerCidrs: ["10.20.0.0/28"],
    meshRevision: "1-30",
    monitoringNamespace: "monitoring",
    imageRegistry: "acrplatformdev.azurecr.io",
};

/** The collector's OTLP endpoint, as observability gives it. */
export const TELEMETRY: TelemetryEndpoint = {
    host: "collector.monitoring.svc.cluster.local",
    grpcPort: 4317,
    egress: { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 4317 }] },
};

/** Where the Azure components are placed: dev's resource group, its VNet's subnets and its workspace. */
export const RG = "rg-platform-dev";
export const RG_ID = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${RG}`;
export const subnetId = (name: string) => `${RG_ID}/providers/Microsoft.Network/virtualNetworks/vnet-platform-dev/subnets/${name}`;
export const WORKSPACE = `${RG_ID}/providers/Microsoft.OperationalInsights/workspaces/log-platform-dev`;
/** A built-in role's definition id in the subscription (learn.microsoft.com/azure/role-based-access-control/built-in-roles). */
export const builtInRole = (guid: string) => `/subscriptions/${MOCK_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** A declaration run on first use and shared by the tests that read it. */
export function once<T>(run: () => Promise<T>): () => Promise<T> {
    let result: Promise<T> | undefined;
    return () => (result ??= run());
}

/** The provider an invoke went to must be the component's own (`{ parent }` on the invoke), never the default one. */
export const AZURE_PROVIDER = /^urn:pulumi:dev::platform::pulumi:providers:azure-native::azure::/;

/** An output's value (known offline: the mocks answer every input and output). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise<T>((resolve) => output.apply(resolve));
}

let models: Promise<Models> | undefined;
/** The kubernetes-models classes the components validate custom resources with. */
export function crdModels(): Promise<Models> {
    models ??= loadModels();
    return models;
}

export interface Declaring {
    /** The options the platform gives an Azure component: its explicit Azure provider (the deploying subscription). */
    azure(): { providers: pulumi.ProviderResource[] };
    /** The options the platform gives an in-cluster component: the cluster's Kubernetes provider. */
    kubernetes(): { providers: pulumi.ProviderResource[] };
    /** What another component hands over for ordering (cert-manager's release, Kyverno's): a release of that name. */
    upstream(name: string): k8s.helm.v3.Release;
}

/** Declares what `body` declares and returns the recorded graph (update mode: provider outputs, such as ids, are known). */
export async function declare(body: (declaring: Declaring) => unknown, preview = true): Promise<Graph> {
    // The SDK captures a stack per promise; declarations need none (as in test/planWorker.ts). Restored for assertions.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        return await declareWithStacks(body, preview);
    } finally {
        Error.stackTraceLimit = limit;
    }
}

function declareWithStacks(body: (declaring: Declaring) => unknown, preview: boolean): Promise<Graph> {
    return runComponents({ stack: "dev", preview }, () => {
        let provider: k8s.Provider | undefined;
        const kubernetes = () => {
            provider ??= new k8s.Provider("cluster", { kubeconfig: "offline" });
            return { providers: [provider] };
        };
        const azureProvider = new azure.Provider("azure", { subscriptionId: MOCK_SUBSCRIPTION_ID, location: "westeurope" });
        const upstream = (name: string) => new k8s.helm.v3.Release(name, { chart: name, version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" } }, { provider: kubernetes().providers[0] });
        return body({ azure: () => ({ providers: [azureProvider] }), kubernetes, upstream });
    });
}

export function named(graph: Graph, name: string): Planned {
    const found = graph.resources.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no resource named ${name} among ${graph.resources.map((r) => r.name).join(", ")}`);
    }
    return found as Planned;
}

/**
 * The component of type `type` and its own resources (named `<component>-...`), each of which must be declared
 * under it: a child that misses `{ parent }` lands under the stack, where an alias-less move would later replace it.
 */
export function ownResources(graph: Graph, component: string, type: string): { component: Planned; own: GraphResource[] } {
    const root = named(graph, component);
    assert.equal(root.type, type);
    const own = graph.resources.filter((r) => r.name.startsWith(`${component}-`));
    const under = (urn: string | undefined): boolean => urn === root.urn || own.some((o) => o.urn === urn && under(o.parent));
    assert.deepEqual(own.filter((r) => !under(r.parent)).map((r) => r.name), [], `declared outside ${component}`);
    return { component: root, own };
}

/** The URNs `resource` was declared to depend on (dependsOn and the inputs it reads). */
export function dependsOn(graph: Graph, resource: GraphResource): string[] {
    return graph.resources.filter((r) => resource.dependencies.includes(r.urn)).map((r) => r.name).sort();
}
