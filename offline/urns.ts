/**
 * URN stability: the URNs a stack's plan declares, compared with a committed golden list. A URN that disappears
 * without an alias pointing at it means `pulumi up` deletes that resource and creates a new one; for a protected
 * (state-bearing) resource, that is data lost, so the golden list refuses to forget one unless told to.
 */
import type { Graph } from "./engine";

export interface UrnEntry {
    urn: string;
    type: string;
    /** Present on protected resources: the state-bearing ones (the platform protects every one of them). */
    protect?: true;
}

/** Stacks and phases whose URNs are kept (phase 2 holds every resource of phase 1). */
export const GOLDEN_PLANS = [
    { stack: "dev", phase: "all" },
    { stack: "prod", phase: "all" },
    { stack: "local" },
] as const;

export function urnsOf(graph: Graph): UrnEntry[] {
    return graph.resources.map((r) => ({ urn: r.urn, type: r.type, ...(r.protect ? { protect: true as const } : {}) })).sort((a, b) => a.urn.localeCompare(b.urn));
}

export interface UrnChanges {
    /** Golden URNs no resource has any more, not even as an alias: these would be replaced. */
    replaced: UrnEntry[];
    /** URNs the golden list does not know yet. */
    added: UrnEntry[];
}

export function compareUrns(golden: readonly UrnEntry[], graph: Graph): UrnChanges {
    const current = new Set(graph.resources.map((r) => r.urn));
    const aliased = new Set(graph.resources.flatMap((r) => r.aliases));
    const known = new Set(golden.map((g) => g.urn));
    return {
        replaced: golden.filter((g) => !current.has(g.urn) && !aliased.has(g.urn)),
        added: urnsOf(graph).filter((r) => !known.has(r.urn)),
    };
}

/**
 * The golden list for `graph`, or the protected URNs it would forget: a protected resource that no resource declares
 * any more, not even as an alias, unless its removal is intended (`removing` names it).
 */
export function updatedGolden(golden: readonly UrnEntry[], graph: Graph, removing: readonly string[] = []): { entries: UrnEntry[]; refused: UrnEntry[] } {
    const refused = compareUrns(golden, graph).replaced.filter((g) => g.protect && !removing.includes(g.urn));
    return { entries: urnsOf(graph), refused };
}

/** The golden file's text: one entry per line, so a URN change is a one-line diff in review. */
export function goldenText(entries: readonly UrnEntry[]): string {
    return `[\n${entries.map((entry) => `  ${JSON.stringify(entry)}`).join(",\n")}\n]\n`;
}
