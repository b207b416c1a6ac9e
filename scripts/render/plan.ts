/** What the render check reads from the update plan besides the releases: the cluster, its registry, its objects. */
import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_SIG, SIG_KEY, type Graph, type GraphResource } from "../../offline/engine";
import { objectKind, toManifests, type Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";
import { run } from "./tools";
import type { CacheRule } from "./workloads";

const one = (graph: Graph, type: string): GraphResource => {
    const found = graph.resources.filter((r) => r.type === type);
    if (found.length !== 1) {
        throw new Error(`the plan declares ${found.length} ${type}, the render check reads exactly one`);
    }
    return found[0]!;
};

export interface ClusterFacts {
    /** `kubernetesVersion` of the managed cluster, e.g. 1.34. */
    kubernetesVersion: string;
    podCidr: string;
    serviceCidr: string;
    /**
     * Where pods reach the API server: with API Server VNet Integration, the delegated subnet (AKS projects the
     * API server's internal load balancer there: learn.microsoft.com/azure/aks/api-server-vnet-integration);
     * else the private endpoint in the system node pool's subnet (learn.microsoft.com/azure/aks/private-clusters).
     */
    apiServerSubnet: string;
    /** The system node pool's subnet: host-network pods and the kubelet answer at node addresses there. */
    nodeSubnet: string;
    /** The platform registry's login server: `<registry name>.azurecr.io` (learn.microsoft.com/azure/container-registry/container-registry-intro). */
    registry: string;
    cacheRules: CacheRule[];
}

export function clusterFacts(graph: Graph): ClusterFacts {
    const cluster = one(graph, "azure-native:containerservice:ManagedCluster").inputs as Record<string, any>;
    const subnets = graph.resources.filter((r) => r.type === "azure-native:network:Subnet");
    const prefixOf = (id: string) => {
        const subnet = subnets.find((s) => s.id === id);
        if (!subnet) {
            throw new Error(`the plan declares no subnet ${id}`);
        }
        return String(subnet.inputs["addressPrefix"]);
    };
    const api = cluster["apiServerAccessProfile"] ?? {};
    const systemPool = (cluster["agentPoolProfiles"] as { mode: string; vnetSubnetID: string }[]).find((p) => p.mode === "System")!;
    const registry = one(graph, "azure-native:containerregistry:Registry");
    const registryName = String(registry.inputs["registryName"]);
    return {
        kubernetesVersion: String(cluster["kubernetesVersion"]),
        podCidr: String(cluster["networkProfile"].podCidr),
        serviceCidr: String(cluster["networkProfile"].serviceCidr),
        apiServerSubnet: prefixOf(api.enableVnetIntegration ? api.subnetId : systemPool.vnetSubnetID),
        nodeSubnet: prefixOf(systemPool.vnetSubnetID),
        registry: `${registryName}.azurecr.io`,
        cacheRules: graph.resources
            .filter((r) => r.type === "azure-native:containerregistry:CacheRule" && r.inputs["registryName"] === registryName)
            .map((r) => ({ target: String(r.inputs["targetRepository"]), source: String(r.inputs["sourceRepository"]) })),
    };
}

/**
 * The Kubernetes objects the program declares itself, as the provider sends them. Secret values stay in the
 * plan: each key of a Secret's data and stringData keeps its name, its value becomes a placeholder. A TLS Secret's
 * certificate and key are a throwaway pair instead: the API server warns when they do not match
 * (kubernetes v1.34 pkg/registry/core/secret/strategy.go, warningsForSecret).
 */
export function programObjects(graph: Graph, workDir: string): Sourced[] {
    const resources = graph.resources.filter((r) => objectKind(r.type) !== undefined);
    let pair: Record<string, string> | undefined;
    return toManifests(graph).map((object: Manifest, i) => {
        const resource = resources[i]!;
        if (object.kind === "Secret") {
            if (object["type"] === "kubernetes.io/tls") {
                pair ??= throwawayTlsPair(workDir);
            }
            for (const field of ["data", "stringData"] as const) {
                const value = unwrapSecret(resource.inputs[field]);
                if (value && typeof value === "object") {
                    object[field] = Object.fromEntries(Object.keys(value).map((k) => {
                        const text = pair?.[k] ?? "redacted";
                        return [k, field === "data" ? Buffer.from(text).toString("base64") : text];
                    }));
                }
            }
        }
        return { source: `program: ${resource.name}`, object };
    });
}

/** A self-signed certificate and its key (openssl), valid for a day: stands in for a TLS Secret's content. */
function throwawayTlsPair(workDir: string): Record<string, string> {
    const [key, cert] = [path.join(workDir, "throwaway.key"), path.join(workDir, "throwaway.crt")];
    run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=render-check", "-days", "1", "-keyout", key, "-out", cert]);
    return { "tls.crt": fs.readFileSync(cert, "utf8"), "tls.key": fs.readFileSync(key, "utf8") };
}

/** A value the engine holds as a secret, unwrapped (only its shape is read here: which keys a Secret has). */
function unwrapSecret(value: unknown): unknown {
    const record = value as Record<string, unknown> | undefined;
    return record && record[SIG_KEY] === SECRET_SIG ? record["value"] : value;
}
