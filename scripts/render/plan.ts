/** What the render check reads from the update plan besides the releases: the cluster, its registry, its objects. */
import type { Graph, GraphResource } from "../../offline/engine";
import { objectKind, toManifests, type Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";
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
 * plan: each is replaced by a placeholder (base64 where the field holds base64).
 */
export function programObjects(graph: Graph): Sourced[] {
    const names = graph.resources.filter((r) => objectKind(r.type) !== undefined).map((r) => r.name);
    return toManifests(graph).map((object: Manifest, i) => {
        if (object.kind === "Secret" && object["data"] && typeof object["data"] === "object") {
            object["data"] = Object.fromEntries(Object.keys(object["data"] as object).map((k) => [k, Buffer.from("redacted").toString("base64")]));
        }
        return { source: `program: ${names[i]}`, object };
    });
}
