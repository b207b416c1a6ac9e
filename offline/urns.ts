/**
 * URN stability: the URNs a stack's plan declares, compared with a committed golden list. A URN that disappears
 * without an alias pointing at it means `pulumi up` deletes that resource and creates a new one.
 */
import type { Graph } from "./engine";

export interface UrnEntry {
    urn: string;
    type: string;
}

/** Stacks and phases whose URNs are kept (phase 2 holds every resource of phase 1). */
export const GOLDEN_PLANS = [
    { stack: "dev", phase: "all" },
    { stack: "prod", phase: "all" },
    { stack: "local" },
] as const;

export function urnsOf(graph: Graph): UrnEntry[] {
    return graph.resources.map((r) => ({ urn: r.urn, type: r.type })).sort((a, b) => a.urn.localeCompare(b.urn));
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
