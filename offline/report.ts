/** Human-readable summaries of a plan and of policy verdicts. */
import type { Graph } from "./engine";
import type { Violation } from "./policyCheck";

/** Components with the custom resources under them, counted by type. */
export function renderTree(graph: Graph): string {
    const children = new Map<string, string[]>();
    for (const r of graph.resources) {
        if (r.parent) {
            children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
        }
    }
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const lines: string[] = [];
    const visit = (urn: string, depth: number) => {
        const r = byUrn.get(urn)!;
        const kids = children.get(urn) ?? [];
        const custom = kids.map((k) => byUrn.get(k)!).filter((k) => k.custom);
        lines.push(`${"  ".repeat(depth)}${r.type} ${r.name}${r.protect ? " [protected]" : ""}${custom.length ? ` (${custom.length} resources)` : ""}`);
        const counts = new Map<string, number>();
        custom.forEach((k) => counts.set(k.type, (counts.get(k.type) ?? 0) + 1));
        for (const [type, count] of [...counts].sort()) {
            lines.push(`${"  ".repeat(depth + 1)}${count} x ${type}`);
        }
        kids.filter((k) => !byUrn.get(k)!.custom).forEach((k) => visit(k, depth + 1));
    };
    graph.resources.filter((r) => !r.parent).forEach((r) => visit(r.urn, 0));
    const customTotal = graph.resources.filter((r) => r.custom).length;
    lines.push(`${graph.resources.length} resources in stack ${graph.stack} (${customTotal} custom, ${graph.preview ? "preview" : "update"} mode)`);
    return lines.join("\n");
}

export function renderViolations(violations: readonly Violation[]): string {
    if (violations.length === 0) {
        return "Policies: no violations.";
    }
    const lines = violations.map((v) => `  [${v.enforcementLevel}] ${v.pack}/${v.policy}: ${v.message}\n      ${v.urn || "(stack)"}`);
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return `Policies: ${violations.length} violation(s), ${mandatory} mandatory:\n${lines.join("\n")}`;
}
