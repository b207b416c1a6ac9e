/** The platform's Falco rules: well-formed, and built only from real Falco fields and defined macros and lists. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PLATFORM_RULES_FILE } from "../components/falco";

interface Entry { rule?: string; macro?: string; list?: string; desc?: string; condition?: string; output?: string; priority?: string; tags?: string[]; items?: string[] }

const entries = parse(fs.readFileSync(PLATFORM_RULES_FILE, "utf8")) as Entry[];
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

describe("platform Falco rules", () => {
    it("are well-formed: every rule has a description, condition, output, a Falco priority and tags; names are unique", () => {
        assert.ok(rules.length >= 5);
        for (const r of rules) {
            assert.ok(r.desc && r.condition && r.output, `${r.rule} lacks desc, condition or output`);
            assert.ok(PRIORITIES.includes(r.priority ?? ""), `${r.rule}: priority ${r.priority}`);
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
        assert.match(conditions, /open_write and container and \(fd\.directory startswith \/etc/);
        assert.match(conditions, /outbound and container/);
        assert.match(conditions, /fd\.name startswith \/var\/run\/secrets\/kubernetes\.io\/serviceaccount/);
    });

    it("the checks catch an unknown field and an undefined macro", () => {
        assert.deepEqual(fieldsOf("proc.nmae = x").filter((f) => !FALCO_FIELDS.has(f)), ["proc.nmae"]);
        assert.deepEqual(referencesOf("spawned_process and made_up_macro and proc.name in (made_up_list)"), { macros: ["spawned_process", "made_up_macro"], lists: ["made_up_list"] });
    });
});
