import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { PROJECT_DIR, type Graph } from "../../offline/engine";
import { buildInventory, INVENTORY_STACKS, inventoryMarkdown, stackVerdicts, inventoryPath, mermaidBlock, mermaidProblems, renderInventory, withReadmeMap } from "../../offline/tlsInventory";
import { plan, planAppGatewayEdge, planDevWithOptions, verdictsOf } from "../helpers";

/** A copy of the graph with one resource's inputs changed. */
function edited(graph: Graph, type: string, edit: (inputs: Record<string, any>) => void): Graph {
    return {
        ...graph,
        resources: graph.resources.map((r) => {
            if (r.type !== type) {
                return r;
            }
            const inputs = structuredClone(r.inputs) as Record<string, any>;
            edit(inputs);
            return { ...r, inputs };
        }),
    };
}

describe("TLS map and certificate inventory", () => {
    for (const stack of INVENTORY_STACKS) {
        it(`docs/tls-inventory-${stack}.md matches the program (npm run inventory regenerates it)`, async () => {
            const generated = inventoryMarkdown(await plan(stack, true, "all"), await verdictsOf(stack, "all"));
            assert.equal(fs.readFileSync(inventoryPath(PROJECT_DIR, stack), "utf8"), generated, `docs/tls-inventory-${stack}.md is out of date: run npm run inventory`);
        });

        it(`${stack}: the diagram is valid Mermaid (structurally) and walks client to app without a gap`, () => {
            const markdown = fs.readFileSync(inventoryPath(PROJECT_DIR, stack), "utf8");
            assert.deepEqual(mermaidProblems(markdown), []);
            const edges = [...markdown.matchAll(/^ {4}(\w+) -\.?->\|"[^"]+"\| (\w+)$/gm)].map((m) => [m[1]!, m[2]!]);
            const path = ["Client"];
            for (let next = edges.find(([from]) => from === path.at(-1)); next; next = edges.find(([from]) => from === path.at(-1))) {
                path.push(next[1]);
            }
            assert.deepEqual(path, ["Client", "FrontDoor", "APIManagement", "Meshingressgateway", "Sidecar", "App"]);
            assert.match(markdown, /Sidecar -\.->\|"plaintext, HTTP on localhost/);
            assert.equal((markdown.match(/plaintext, /g) ?? []).length, 1, "only the pod-local hop may be plaintext");
        });

        it(`${stack}: the inventory the plan yields meets the request path's design (not the committed file: regenerating it changes nothing here)`, async () => {
            // /work/shared/design/architecture.md, "Request path and TLS hops": TLS 1.2 with TLS12_2023 at Front
            // Door, TLS 1.2 to API Management and on to the mesh gateway, mesh mTLS at TLS 1.3 to the sidecar.
            const inventory = buildInventory(await plan(stack, true, "all"), await verdictsOf(stack, "all"));
            const hops = inventory.hops.map((h) => [h.from, h.to, h.minimumTls]);
            assert.deepEqual(hops.slice(0, 4), [
                ["Client", "Front Door", "TLS 1.2"],
                ["Front Door", "API Management", "TLS 1.2"],
                ["API Management", "Mesh ingress gateway", "TLS 1.2"],
                ["Mesh ingress gateway", "Sidecar", "TLS 1.3"],
            ]);
            assert.equal(inventory.hops[0]!.ciphers, "TLS12_2023");
            assert.ok(inventory.hops.slice(0, 4).every((h) => !/NOT TLS/.test(h.protocol)), JSON.stringify(inventory.hops));
            assert.deepEqual(inventory.findings, []);
        });
    }

    it("README shows the dev diagram as generated", () => {
        const readme = fs.readFileSync(`${PROJECT_DIR}/README.md`, "utf8");
        const dev = fs.readFileSync(inventoryPath(PROJECT_DIR, "dev"), "utf8");
        assert.equal(withReadmeMap(readme, dev), readme, "README's diagram is out of date: run npm run inventory");
        assert.ok(readme.includes(mermaidBlock(dev)));
    });

    it("shows a broken hop: plain forwarding at the edge and PERMISSIVE mTLS appear as NOT TLS with the policy findings", async () => {
        let graph = await plan("dev", true, "all");
        graph = edited(graph, "azure-native:cdn:Route", (i) => (i["forwardingProtocol"] = "HttpOnly"));
        graph = edited(graph, "kubernetes:security.istio.io/v1:PeerAuthentication", (i) => (i["spec"].mtls.mode = "PERMISSIVE"));
        const markdown = inventoryMarkdown(graph, await stackVerdicts(graph));
        assert.match(markdown, /FrontDoor -->\|"NOT TLS, forwarding HttpOnly/);
        assert.match(markdown, /\*\*NOT TLS\*\*: Front Door forwards HttpOnly/);
        assert.match(markdown, /\*\*mandatory\*\* frontdoor-route-https: forwardingProtocol is "HttpOnly"/);
        assert.match(markdown, /\*\*NOT TLS\*\*: sidecars accept plaintext \(mesh-wide mTLS mode PERMISSIVE\)/);
        assert.match(markdown, /\*\*mandatory\*\* istio-peer-authentication-strict: spec\.mtls\.mode is "PERMISSIVE"/);
        assert.deepEqual(mermaidProblems(markdown), []);
    });

    it("shows the ingress hop's client authentication as declared: mutual TLS with its pins, or one-way when the gateway asks none", async () => {
        const graph = await plan("dev", true, "all");
        const hop = (g: Graph) => buildInventory(g, []).hops.find((h) => h.id === "ingress")!.protocol;
        assert.match(hop(graph), /; mutual TLS \(the edge's client certificate, name api-management\.aks-ingress\.dev\.platform\.example\.com, key pinned\)$/);
        const oneWay = edited(graph, "kubernetes:networking.istio.io/v1:Gateway", (i) => (i["spec"].servers[0].tls = { mode: "SIMPLE", credentialName: "aks-ingress-tls" }));
        assert.match(hop(oneWay), /; one-way TLS \(the gateway asks no client certificate, though the edge presents one\)$/);
        const unpresented = edited(graph, "azure-native:apimanagement:Backend", (i) => delete i["credentials"]);
        assert.match(hop(unpresented), /; the gateway requires a client certificate the edge does not present$/);
        assert.match(buildInventory(await planAppGatewayEdge("dev", true), []).hops.find((h) => h.id === "ingress")!.protocol, /trusted root: the private CA; one-way TLS \(the gateway asks no client certificate\)$/);
    });

    it("reads certificates from the graph, not from constants", async () => {
        const graph = edited(await plan("dev", true, "all"), "kubernetes:cert-manager.io/v1:Certificate", (i) => {
            i["spec"].duration = "8760h";
            i["spec"].privateKey = { algorithm: "RSA", size: 1024 };
        });
        const row = buildInventory(graph, []).certificates.find((c) => c.component === "Mesh ingress gateway")!;
        assert.deepEqual([row.validity, row.key, row.renewal.endsWith("key rotation Never")], ["1 y", "RSA 1024", true]);
    });

    it("rejects diagrams a Mermaid parser would reject", () => {
        const good = renderInventory({ stack: "t", hops: [{ id: "a", from: "A", to: "B", protocol: "HTTPS", minimumTls: "TLS 1.2", ciphers: "x", urns: [] }], certificates: [], findings: [] });
        assert.deepEqual(mermaidProblems(good), []);
        assert.match(mermaidProblems(good.replace('    A["A"]\n', "")).join(), /undeclared node A/);
        assert.match(mermaidProblems(good.replace('|"HTTPS, TLS 1.2"|', "|HTTPS (TLS 1.2)|")).join(), /not a node or edge line/);
        assert.match(mermaidProblems(good.replace("flowchart LR", "graph XY")).join(), /expected "flowchart LR"/);
    });
});

/** The inventory's rows whose expiry nothing in the plan announces (alert names, or the CA's series). */
function unwatched(graph: Graph): string[] {
    const rules = graph.resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
        .flatMap((r) => (r.inputs["spec"] as { groups: { rules: Record<string, any>[] }[] }).groups.flatMap((g) => g.rules));
    const names = new Set([
        ...rules.filter((r) => r["alert"]).map((r) => String(r["alert"])),
        ...graph.resources.filter((r) => r.type === "azure-native:monitor:ScheduledQueryRule").map((r) => String(r.inputs["displayName"])),
    ]);
    const recorded = rules.filter((r) => r["record"]).map((r) => r["labels"] as Record<string, string>);
    return buildInventory(graph, []).certificates.flatMap((row) => {
        const watch = row.expiry;
        const what = `${row.component} ${row.certificate}`;
        if ("managedBy" in watch) {
            // Only the certificate Microsoft holds for API Management's default *.azure-api.net name, and Front Door's
            // managed certificate: "Azure Front Door can automatically rotate (renew) managed certificates without any
            // human intervention", needing no action while the name's CNAME points at the endpoint
            // (learn.microsoft.com/azure/frontdoor/domain, "Pending re-validation").
            const managed = row.certificate === "gateway default hostname (*.azure-api.net)" || (row.component === "Front Door" && row.issuer === "Front Door managed (public CA)");
            return managed ? [] : [`${what}: "${watch.managedBy}" is no alert`];
        }
        const certificate = watch.labels?.["certificate"];
        return [
            ...(watch.alerts.length === 0 ? [`${what}: no alert`] : []),
            ...watch.alerts.filter((a) => !names.has(a)).map((a) => `${what}: ${a} is not declared`),
            ...(certificate !== undefined && !recorded.some((labels) => labels["certificate"] === certificate) ? [`${what}: no series with certificate=${certificate}`] : []),
        ];
    });
}

describe("every certificate in the inventory is watched", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: each row names alerts the plan declares (for the CAs, a series of that certificate), so none can be forgotten`, async () => {
            // Update mode: the CAs' dates, hence their rule, are known.
            const graph = await plan(stack, false, "all");
            assert.ok(buildInventory(graph, []).certificates.length >= 8);
            assert.deepEqual(unwatched(graph), []);
        });
    }

    it("watches what the team imports into Key Vault and the partners' CA too (custom hostnames, partners, App Gateway)", async () => {
        const hostnames = await planDevWithOptions();
        const appGateway = await planAppGatewayEdge("dev", false);
        const watched = (graph: Graph) => buildInventory(graph, []).certificates.filter((r) => "alerts" in r.expiry && r.expiry.labels?.["certificate"]?.match(/^(key-vault|partner)/))
            .map((r) => [r.component, r.certificate, (r.expiry as { labels: Record<string, string> }).labels["certificate"]]);
        assert.deepEqual(watched(hostnames), [
            ["API Management", "apim.dev.platform.example.com", "key-vault/apim-certificate"],
            ["API Management", "partners.dev.platform.example.com", "key-vault/partners-certificate"],
            ["API Management", "partners' client CA", "partner-client-ca"],
        ]);
        assert.deepEqual(watched(appGateway), [["Application Gateway", "api.dev.platform.example.com", "key-vault/api-certificate"]]);
        assert.deepEqual(unwatched(hostnames), []);
        assert.deepEqual(unwatched(appGateway), []);
    });

    it("names the rows that lose their alert (the CA rule removed)", async () => {
        const graph = await plan("prod", false, "all");
        const without = { ...graph, resources: graph.resources.filter((r) => !(r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && (r.inputs["metadata"] as { name?: string } | undefined)?.name === "platform-held-certificates")) };
        assert.deepEqual(unwatched(without).filter((p) => p.startsWith("Platform CA Platform Root")), [
            "Platform CA Platform Root CA (prod): HeldCertificateExpiresIn30Days is not declared",
            "Platform CA Platform Root CA (prod): HeldCertificateExpiresIn14Days is not declared",
            "Platform CA Platform Root CA (prod): HeldCertificateExpiresIn7Days is not declared",
            "Platform CA Platform Root CA (prod): HeldCertificateExpiresIn3Days is not declared",
            "Platform CA Platform Root CA (prod): HeldCertificateExpiresIn1Day is not declared",
            "Platform CA Platform Root CA (prod): no series with certificate=platform-root",
        ]);
    });
});
