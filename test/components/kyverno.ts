/**
 * The Kyverno component on its own (components/kyverno): its namespace, both charts' values (kyverno and
 * kyverno-policies 3.9.0 values.yaml) and every ClusterPolicy, in audit and enforce mode, with and without
 * signature verification, against literals from Kyverno's documentation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kyverno, type KyvernoArgs } from "../../components/kyverno";
import type { Graph } from "../../offline/engine";
import { CLUSTER, crdModels, declare, dependsOn, named, once, ownResources, TELEMETRY, type Inputs } from "./harness";

const PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
/** What the platform owns; every other namespace is an application's. */
const PLATFORM_NAMESPACES = ["kube-system", "istio-system", "istio-ingress", "monitoring"];
/** Pods there run node agents that need the host (and the AKS add-on's Gatekeeper, which AKS owns). */
const EXEMPT = ["kube-system", "istio-system", "monitoring", "falco", "gatekeeper-system"];

type Variant = Pick<KyvernoArgs, "enforce" | "highAvailability" | "admission"> & { registry?: string };

async function declareKyverno(variant: Variant): Promise<Graph> {
    const models = await crdModels();
    return declare(({ kubernetes, upstream }) => new Kyverno("kyverno", {
        cluster: { ...CLUSTER, imageRegistry: variant.registry },
        models,
        enforce: variant.enforce,
        highAvailability: variant.highAvailability,
        monitoring: upstream("prometheus-operator"),
        admission: variant.admission,
        platformNamespaces: PLATFORM_NAMESPACES,
        applicationTraffic: { ingressGatewayNamespace: "istio-ingress", telemetry: TELEMETRY },
    }, kubernetes()));
}

/** dev: audit, one replica each, the registry's cache, no signatures. */
const audit = once(() => declareKyverno({ enforce: false, highAvailability: false, admission: { allowedRegistries: ["mcr.microsoft.com"] }, registry: "acrplatformdev.azurecr.io" }));
/** prod: enforce, highly available, signed with a key, an allowed MCR path besides the platform registry's apps/. */
const enforced = once(() => declareKyverno({ enforce: true, highAvailability: true, admission: { allowedRegistries: ["mcr.microsoft.com/oss"], imageSignatures: { publicKey: PUBLIC_KEY } }, registry: "acrplatformprod.azurecr.io" }));
/** local: upstream images, keyless signatures. */
const keyless = once(() => declareKyverno({ enforce: true, highAvailability: false, admission: { allowedRegistries: ["ghcr.io/example"], imageSignatures: { keylessIssuer: "https://token.actions.githubusercontent.com", keylessSubject: "repo:example/app:ref:refs/heads/main" } } }));

const policy = (graph: Graph, name: string) => {
    const resource = named(graph, name);
    assert.deepEqual([resource.inputs["apiVersion"], resource.inputs["kind"]], ["kyverno.io/v1", "ClusterPolicy"], name);
    assert.deepEqual(dependsOn(graph, resource), ["kyverno-release"], `${name} waits for the chart that installs its CRD`);
    return resource.inputs as Inputs;
};

describe("kyverno component: namespace and charts", () => {
    it("runs in a restricted kyverno namespace the API server reaches on the webhook port 9443", async () => {
        const graph = await audit();
        assert.deepEqual(named(graph, "kyverno-ns").inputs["metadata"].name, "kyverno");
        assert.equal(named(graph, "kyverno-ns").inputs["metadata"].labels["pod-security.kubernetes.io/enforce"], "restricted");
        const spec = named(graph, "kyverno-ns-allow-platform").inputs["spec"];
        assert.deepEqual(spec.ingress.at(-1), { ports: [{ protocol: "TCP", port: 9443 }] });
        assert.deepEqual(spec.egress.at(-1), { to: [{ ipBlock: { cidr: "10.20.0.0/28" } }], ports: [{ protocol: "TCP", port: 443 }] });
    });

    it("reaches registries over HTTPS only when it verifies signatures", async () => {
        const withSignatures = named(await enforced(), "kyverno-ns-allow-platform").inputs["spec"];
        assert.deepEqual(withSignatures.egress.at(-1), { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] });
        const without = named(await audit(), "kyverno-ns-allow-platform").inputs["spec"];
        assert.ok(!JSON.stringify(without.egress).includes("0.0.0.0/0"));
    });

    for (const [label, declared, ha] of [["audit", audit, false], ["enforce", enforced, true]] as const) {
        it(`${label}: installs kyverno ${ha ? "with 3 admission replicas and a PDB" : "with one replica each"}, from the registry's cache, opted out of AKS's admissions enforcer`, async () => {
            const graph = await declared();
            const release = named(graph, "kyverno-release").inputs;
            assert.deepEqual([release["chart"], release["name"], release["namespace"], release["repositoryOpts"]], ["kyverno", "kyverno", "kyverno", { repo: "https://kyverno.github.io/kyverno" }]);
            const monitored = { serviceMonitor: { enabled: true } };
            assert.deepEqual(release["values"], {
                // kyverno values.yaml: global.image.registry overrides every image's registry.
                global: { image: { registry: ha ? "acrplatformprod.azurecr.io" : "acrplatformdev.azurecr.io" } },
                // learn.microsoft.com/azure/aks/faq (admissions enforcer) and kyverno#6539.
                config: { webhookAnnotations: { "admissions.enforcer/disabled": "true" } },
                admissionController: { replicas: ha ? 3 : 1, podDisruptionBudget: { enabled: ha, minAvailable: 1 }, ...monitored },
                backgroundController: { replicas: ha ? 2 : 1, ...monitored },
                cleanupController: { replicas: ha ? 2 : 1, ...monitored },
                reportsController: { enabled: true, replicas: ha ? 2 : 1, ...monitored },
            });
            assert.deepEqual(dependsOn(graph, named(graph, "kyverno-release")), ["kyverno-ns", "prometheus-operator"]);
        });

        it(`${label}: applies the restricted Pod Security Standard in ${ha ? "Enforce" : "Audit"} mode, except where node agents run`, async () => {
            const graph = await declared();
            const release = named(graph, "kyverno-pod-security").inputs;
            assert.deepEqual([release["chart"], release["name"], release["namespace"]], ["kyverno-policies", "kyverno-policies", "kyverno"]);
            // kyverno-policies values.yaml: podSecurityStandard, validationFailureAction, and vpolExclude for its ValidatingPolicies.
            assert.deepEqual(release["values"], { podSecurityStandard: "restricted", validationFailureAction: ha ? "Enforce" : "Audit", vpolExclude: { excludeNamespaces: EXEMPT } });
            assert.deepEqual(dependsOn(graph, named(graph, "kyverno-pod-security")), ["kyverno-ns", "kyverno-release"]);
        });
    }

    it("local: no registry override, images from their upstreams", async () => {
        assert.equal(named(await keyless(), "kyverno-release").inputs["values"].global, undefined);
    });
});

describe("kyverno component: workload rules", () => {
    for (const [label, declared, action] of [["audit", audit, "Audit"], ["enforce", enforced, "Enforce"]] as const) {
        it(`${label}: every pod outside the exempt namespaces declares requests and a memory limit (${action}, background)`, async () => {
            // Kyverno's pattern syntax: "?*" requires a non-empty value (kyverno.io/docs/writing-policies/validate).
            // The failure action sits on the rule: Kyverno 1.19's ClusterPolicy CRD marks spec.validationFailureAction
            // "Deprecated, use validationFailureAction under the validate rule instead" (validate.failureAction).
            assert.deepEqual(policy(await declared(), "kyverno-require-resources")["spec"], {
                background: true,
                rules: [{
                    name: "containers-declare-requests-and-memory-limits",
                    match: { any: [{ resources: { kinds: ["Pod"] } }] },
                    exclude: { any: [{ resources: { namespaces: EXEMPT } }] },
                    validate: {
                        message: "Every container declares CPU and memory requests and a memory limit.",
                        pattern: { spec: { containers: [{ resources: { requests: { memory: "?*", cpu: "?*" }, limits: { memory: "?*" } } }] } },
                        failureAction: action,
                    },
                }],
            });
        });

        it(`${label}: every pod's images carry a tag other than latest (${action})`, async () => {
            assert.deepEqual(policy(await declared(), "kyverno-disallow-latest")["spec"], {
                background: true,
                rules: [{
                    name: "images-are-pinned",
                    match: { any: [{ resources: { kinds: ["Pod"] } }] },
                    validate: { message: "Images carry an explicit tag or digest other than latest.", pattern: { spec: { containers: [{ image: "*:* & !*:latest" }] } }, failureAction: action },
                }],
            });
        });
    }
});

describe("kyverno component: application namespaces", () => {
    const applications = { exclude: { any: [{ resources: { namespaces: PLATFORM_NAMESPACES } }] } };

    it("generates a synchronized default-deny and the meshed pod's allowances in every application namespace", async () => {
        const { metadata, spec } = policy(await audit(), "kyverno-default-deny");
        assert.equal(metadata.name, "generate-default-deny");
        const generate = (name: string, data: Inputs) => ({
            name: `${name}-in-every-application-namespace`,
            match: { any: [{ resources: { kinds: ["Namespace"] } }] },
            ...applications,
            // kyverno.io/docs/writing-policies/generate: synchronize keeps the copy in step and restores a deleted one;
            // generateExisting (per rule since 1.13; spec.generateExisting is deprecated) covers namespaces made before the policy.
            generate: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name, namespace: "{{request.object.metadata.name}}", synchronize: true, generateExisting: true, data: { spec: data } },
        });
        const [deny, allow] = spec.rules;
        assert.deepEqual(spec.rules.length, 2);
        assert.deepEqual(deny, generate("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }));
        assert.deepEqual(allow.generate.data.spec.ingress.at(-1), { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-ingress" } } }] });
        assert.deepEqual(allow.generate.data.spec.egress.at(-1), TELEMETRY.egress);
        assert.ok(!JSON.stringify(allow.generate.data.spec).includes("ipBlock"), "applications do not reach the API server");
        assert.deepEqual({ ...allow, generate: { ...allow.generate, data: undefined } }, { ...generate("allow-platform", {}), generate: { ...generate("allow-platform", {}).generate, data: undefined } });
    });

    it("admits application images only from the allowed registries, and the sidecar istiod injects", async () => {
        const rule = (spec: Inputs) => spec["rules"][0];
        const prod = rule(policy(await enforced(), "kyverno-restrict-registries")["spec"]);
        assert.deepEqual(prod, {
            name: "images-from-allowed-registries",
            match: { any: [{ resources: { kinds: ["Pod"] } }] },
            ...applications,
            validate: {
                message: "Images come from an allowed registry: mcr.microsoft.com/oss, acrplatformprod.azurecr.io/apps.",
                // Kyverno's "|" is an alternative within one pattern value. The teams' images: the platform registry's
                // apps/ namespace only (its other namespaces are the cache of whole upstream organisations).
                pattern: { spec: { containers: [{ image: "mcr.microsoft.com/oss/* | acrplatformprod.azurecr.io/apps/* | acrplatformprod.azurecr.io/istio/proxyv2:*" }] } },
                failureAction: "Enforce",
            },
        });
        // The local stack has no platform registry: only what config allows, and Istio's proxy from its upstream.
        assert.equal(rule(policy(await keyless(), "kyverno-restrict-registries")["spec"]).validate.pattern.spec.containers[0].image, "ghcr.io/example/* | docker.io/istio/proxyv2:*");
    });

    it("requires application namespaces to join the mesh by revision label", async () => {
        assert.deepEqual(policy(await audit(), "kyverno-require-mesh")["spec"], {
            background: true,
            rules: [{
                name: "application-namespaces-join-the-mesh",
                match: { any: [{ resources: { kinds: ["Namespace"] } }] },
                ...applications,
                validate: { message: "Application namespaces join the mesh (label istio.io/rev): STRICT mTLS admits nothing else.", pattern: { metadata: { labels: { "istio.io/rev": "?*" } } }, failureAction: "Audit" },
            }],
        });
    });

    it("verifies cosign signatures with the configured key, pinning digests, and skips the injected proxy", async () => {
        const { metadata, spec } = policy(await enforced(), "kyverno-verify-signatures");
        assert.equal(metadata.name, "verify-image-signatures");
        // kyverno.io/docs/writing-policies/verify-images/sigstore: attestors' keys.publicKeys, mutateDigest, verifyDigest.
        // Kyverno 1.19's CRD: the failure action on the verifyImages entry, the timeout under webhookConfiguration
        // (spec.webhookTimeoutSeconds: "Deprecated, use webhookTimeoutSeconds under webhookConfiguration instead").
        assert.deepEqual(spec, {
            webhookConfiguration: { timeoutSeconds: 30 },
            rules: [{
                name: "cosign-signed-images",
                match: { any: [{ resources: { kinds: ["Pod"] } }] },
                ...applications,
                verifyImages: [{
                    imageReferences: ["*"],
                    skipImageReferences: ["acrplatformprod.azurecr.io/istio/proxyv2:*"],
                    failureAction: "Enforce",
                    attestors: [{ entries: [{ keys: { publicKeys: PUBLIC_KEY } }] }],
                    mutateDigest: true,
                    verifyDigest: true,
                }],
            }],
        });
    });

    it("verifies keyless signatures by the OIDC issuer and subject", async () => {
        const [rule] = policy(await keyless(), "kyverno-verify-signatures")["spec"].rules;
        assert.deepEqual(rule.verifyImages[0].attestors, [{ entries: [{ keyless: { issuer: "https://token.actions.githubusercontent.com", subject: "repo:example/app:ref:refs/heads/main" } }] }]);
        assert.deepEqual(rule.verifyImages[0].skipImageReferences, ["docker.io/istio/proxyv2:*"]);
    });

    it("names each ClusterPolicy for what it requires (the names in policy reports and admission denials)", async () => {
        const graph = await enforced();
        const names = Object.fromEntries(graph.resources.filter((r) => r.type === "kubernetes:kyverno.io/v1:ClusterPolicy").map((r) => [r.name, (r.inputs["metadata"] as { name: string }).name]));
        assert.deepEqual(names, {
            "kyverno-require-resources": "require-requests-limits",
            "kyverno-disallow-latest": "disallow-latest-tag",
            "kyverno-default-deny": "generate-default-deny",
            "kyverno-restrict-registries": "restrict-image-registries",
            "kyverno-require-mesh": "require-mesh-injection",
            "kyverno-verify-signatures": "verify-image-signatures",
        });
    });

    it("declares no signature policy when none is configured", async () => {
        assert.ok(!(await audit()).resources.some((r) => r.name === "kyverno-verify-signatures"));
    });

    it("declares every object under the component", async () => {
        const graph = await enforced();
        const { component, own } = ownResources(graph, "kyverno", "platform:kyverno:Kyverno");
        // The namespace and its 2 network policies, 2 releases, 6 policies.
        assert.equal(own.length, 11);
        assert.deepEqual(component.outputs, { namespace: "kyverno" });
    });
});
