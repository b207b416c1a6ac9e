/** The platform's Falco rules: well-formed, and built only from real Falco fields and defined macros and lists. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_DIR } from "../../offline/engine";

interface Entry { rule?: string; macro?: string; list?: string; desc?: string; condition?: string; output?: string; priority?: string; tags?: string[]; items?: string[] }

const entries = parse(fs.readFileSync(path.join(PROJECT_DIR, "components", "falco", "rules", "platform-rules.yaml"), "utf8")) as Entry[];
const rules = entries.filter((e) => e.rule);

/** Syscall-source fields these rules may use (Falco's "Supported Fields for Conditions and Outputs"). */
const FALCO_FIELDS = new Set([
    "proc.name", "proc.cmdline", "proc.pname", "proc.exepath", "proc.pid", "user.name", "evt.type",
    "container.id", "container.name", "container.image.repository",
    "k8s.ns.name", "k8s.pod.name", "k8s.pod.label",
    "fd.name", "fd.directory", "fd.sip", "fd.sport",
]);
/** Macros and lists Falco's default rule set defines. */
const FALCO_DEFAULTS = new Set(["spawned_process", "container", "open_read", "open_write", "outbound", "shell_binaries"]);
const PRIORITIES = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFORMATIONAL", "DEBUG"];
const FIELD = /\b(?:proc|user|evt|container|k8s|fd)\.[a-z_.]+[a-z](?:\[[^\]]+\])?/g;

function fieldsOf(text: string): string[] {
    return [...text.matchAll(FIELD)].map((m) => m[0].replace(/\[.*\]$/, ""));
}

/** Names a condition uses as macros (bare words) and as lists (`in (name)`). */
function referencesOf(condition: string): { macros: string[]; lists: string[] } {
    const lists = [...condition.matchAll(/\bin \(([a-z_]+)\)/g)].map((m) => m[1]!);
    const stripped = condition
        .replace(/\bin \([^)]*\)/g, " ")
        .replace(/\S+\s*(?:=|!=|startswith|endswith|contains)\s*\S+/g, " ")
        .replace(FIELD, " ");
    const macros = (stripped.match(/\b[a-z_]+\b/g) ?? []).filter((w) => !["and", "or", "not"].includes(w));
    return { macros, lists };
}

/**
 * Falco's condition language, as far as these rules use it (falco.org/docs/concepts/rules/conditions): and, or,
 * not, parentheses, the operators =, !=, startswith, endswith, contains and in, macros and lists. An event is a
 * map of field values; Falco's default macros the rules build on are given as booleans in the event.
 */
function evaluate(condition: string, event: Record<string, string | boolean>): boolean {
    const definitions = new Map(entries.filter((e) => e.macro).map((e) => [e.macro!, e.condition!]));
    const lists = new Map(entries.filter((e) => e.list).map((e) => [e.list!, e.items ?? []]));
    const tokens = condition.match(/\(|\)|,|[^\s(),]+/g) ?? [];
    let at = 0;
    const peek = () => tokens[at];
    const take = () => tokens[at++]!;
    const listItems = (): string[] => {
        assert.equal(take(), "(");
        const items: string[] = [];
        while (peek() !== ")") {
            const item = take();
            if (item !== ",") {
                items.push(...(lists.get(item) ?? [item]));
            }
        }
        take();
        return items;
    };
    const factor = (): boolean => {
        const token = take();
        if (token === "not") {
            return !factor();
        }
        if (token === "(") {
            const value = expression();
            assert.equal(take(), ")");
            return value;
        }
        if (FIELD.test(token)) {
            FIELD.lastIndex = 0;
            const op = take();
            const actual = String(event[token] ?? "");
            if (op === "in") {
                return listItems().includes(actual);
            }
            const expected = take();
            const comparisons: Record<string, (a: string, b: string) => boolean> = {
                "=": (a, b) => a === b, "!=": (a, b) => a !== b, startswith: (a, b) => a.startsWith(b), endswith: (a, b) => a.endsWith(b), contains: (a, b) => a.includes(b),
            };
            assert.ok(comparisons[op], `operator ${op}`);
            return comparisons[op]!(actual, expected);
        }
        FIELD.lastIndex = 0;
        const macro = definitions.get(token);
        return macro !== undefined ? evaluate(macro, event) : event[token] === true;
    };
    const term = (): boolean => {
        let value = factor();
        while (peek() === "and") {
            take();
            const right = factor();
            value = value && right;
        }
        return value;
    };
    const expression = (): boolean => {
        let value = term();
        while (peek() === "or") {
            take();
            const right = term();
            value = value || right;
        }
        return value;
    };
    const result = expression();
    assert.equal(at, tokens.length, `unparsed: ${tokens.slice(at).join(" ")}`);
    return result;
}

describe("platform Falco rules", () => {
    it("are well-formed: every rule has a description, condition, output, a Falco priority and tags; names are unique", () => {
        assert.ok(rules.length >= 5);
        for (const r of rules) {
            assert.ok(r.desc && r.condition && r.output, `${r.rule} lacks desc, condition or output`);
            assert.ok(PRIORITIES.includes(r.priority ?? ""), `${r.rule}: priority ${r.priority}`);
            // Falco loads only rules at or above its configured priority (notice, components/falco).
            assert.ok(PRIORITIES.indexOf(r.priority!) <= PRIORITIES.indexOf("NOTICE"), `${r.rule}: ${r.priority} would not be loaded`);
            assert.ok((r.tags ?? []).includes("platform") && r.tags!.some((t) => t.startsWith("mitre_")), `${r.rule}: tags ${r.tags}`);
        }
        const names = entries.map((e) => e.rule ?? e.macro ?? e.list);
        assert.equal(new Set(names).size, names.length);
    });

    it("use only real Falco fields, and macros and lists that exist", () => {
        const defined = new Set([...FALCO_DEFAULTS, ...entries.map((e) => e.macro ?? e.list).filter((n): n is string => n !== undefined)]);
        for (const e of entries.filter((x) => x.condition)) {
            for (const field of [...fieldsOf(e.condition!), ...fieldsOf(e.output ?? "")]) {
                assert.ok(FALCO_FIELDS.has(field), `${e.rule ?? e.macro}: ${field} is not a Falco field`);
            }
            const { macros, lists } = referencesOf(e.condition!);
            for (const name of [...macros, ...lists]) {
                assert.ok(defined.has(name), `${e.rule ?? e.macro}: ${name} is neither defined here nor a Falco default`);
            }
        }
    });

    it("cover what the platform needs watched", () => {
        const conditions = rules.map((r) => r.condition!).join("\n");
        assert.match(conditions, /k8s\.ns\.name = istio-ingress and not proc\.name in \(ingress_gateway_processes\)/);
        assert.match(conditions, /proc\.name in \(shell_binaries\)/);
        assert.match(conditions, /open_write and container and \(fd\.directory = \/etc or fd\.directory startswith \/etc\//);
        assert.match(conditions, /outbound and container/);
        assert.match(conditions, /fd\.name startswith \/var\/run\/secrets\/kubernetes\.io\/serviceaccount/);
    });

    it("the /etc rule fires on tampering but not on the writes the mesh and Grafana make at every start, nor on /etcd", () => {
        const rule = rules.find((r) => r.rule === "Write below etc or a binary directory")!;
        // A file write inside a container; open_write and container are Falco's default macros, true for this event.
        const write = (fields: Record<string, string>) => ({ open_write: true, container: true, ...fields });
        const fires = (fields: Record<string, string>) => evaluate(rule.condition!, write(fields));
        assert.equal(fires({ "fd.name": "/etc/passwd", "fd.directory": "/etc", "proc.name": "bash", "container.image.repository": "docker.io/library/alpine" }), true);
        assert.equal(fires({ "fd.name": "/etc/cron.d/x", "fd.directory": "/etc/cron.d", "proc.name": "sh", "container.image.repository": "docker.io/library/alpine" }), true);
        assert.equal(fires({ "fd.name": "/usr/bin/nc", "fd.directory": "/usr/bin", "proc.name": "curl", "container.image.repository": "docker.io/library/alpine" }), true);
        // pilot-agent renders /etc/istio/proxy/envoy-rev.json at every sidecar and gateway start (istio 1.30).
        assert.equal(fires({ "fd.name": "/etc/istio/proxy/envoy-rev.json", "fd.directory": "/etc/istio/proxy", "proc.name": "pilot-agent", "container.image.repository": "registry.istio.io/release/proxyv2" }), false);
        // Anything else writing there is still caught.
        assert.equal(fires({ "fd.name": "/etc/istio/proxy/envoy-rev.json", "fd.directory": "/etc/istio/proxy", "proc.name": "sh", "container.image.repository": "registry.istio.io/release/proxyv2" }), true);
        // kube-prometheus-stack's Grafana datasource sidecar (kiwigrid/k8s-sidecar) writes its provisioning files.
        assert.equal(fires({ "fd.name": "/etc/grafana/provisioning/datasources/datasource.yaml", "fd.directory": "/etc/grafana/provisioning/datasources", "proc.name": "python", "container.image.repository": "quay.io/kiwigrid/k8s-sidecar" }), false);
        assert.equal(fires({ "fd.name": "/etcd-data/member/wal", "fd.directory": "/etcd-data/member", "proc.name": "etcd", "container.image.repository": "registry.k8s.io/etcd" }), false);
    });

    it("the checks catch an unknown field and an undefined macro", () => {
        assert.deepEqual(fieldsOf("proc.nmae = x").filter((f) => !FALCO_FIELDS.has(f)), ["proc.nmae"]);
        assert.deepEqual(referencesOf("spawned_process and made_up_macro and proc.name in (made_up_list)"), { macros: ["spawned_process", "made_up_macro"], lists: ["made_up_list"] });
    });
});
