/**
 * Two representative application namespaces, as a team creates them on the platform (joined to the mesh, nothing
 * else: Kyverno generates their NetworkPolicies), each with a workload written to the platform's rules (an image
 * from an allowed registry, pinned; requests and a memory limit; the restricted Pod Security profile). They are the
 * far end of the gateway's flows and the positive control of admission: a compliant application is admitted.
 */
import type { Manifest } from "../../offline/k8sManifests";
import type { Sourced } from "./helm";

export const APPLICATION_NAMESPACES: [string, string] = ["team-a", "team-b"];
export const APPLICATION_LABELS = { app: "api" };

export function applications(meshRevision: string, allowedRegistry: string): Sourced[] {
    return APPLICATION_NAMESPACES.flatMap((namespace): Sourced[] => {
        const ns: Manifest = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "istio.io/rev": meshRevision } } };
        const deployment: Manifest = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "api", namespace },
            spec: {
                replicas: 2,
                selector: { matchLabels: APPLICATION_LABELS },
                template: {
                    metadata: { labels: APPLICATION_LABELS },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [{
                            name: "api",
                            image: `${allowedRegistry}/team/api:1.0.0`,
                            ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 10001, capabilities: { drop: ["ALL"] } },
                        }],
                    },
                },
            },
        };
        return [
            { source: `representative application: ${namespace}`, object: ns },
            { source: `representative application: ${namespace}`, object: deployment },
        ];
    });
}
