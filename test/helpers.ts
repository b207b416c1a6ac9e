/** Plans shared by the tests of one file (each test file runs in its own process). */
import { toCheckpoint, type Checkpoint } from "../offline/checkpoint";
import { PROJECT_DIR, runProgram, type Graph, type GraphResource } from "../offline/engine";
import { readStackConfig } from "../offline/stackFiles";

const plans = new Map<string, Promise<Graph>>();

/** Runs a stack once per process and mode; runs are serialised because the Pulumi runtime is global state. */
export function plan(stack: string, preview = true): Promise<Graph> {
    const key = `${stack}/${preview}`;
    if (!plans.has(key)) {
        const previous = Promise.all([...plans.values()].map((p) => p.catch(() => undefined)));
        plans.set(key, previous.then(() => runProgram({ stack, preview })));
    }
    return plans.get(key)!;
}

export async function checkpointOf(stack: string): Promise<Checkpoint> {
    return toCheckpoint(await plan(stack));
}

export function ofType(graph: Graph, type: string): GraphResource[] {
    return graph.resources.filter((r) => r.type === type);
}

export function byName(graph: Graph, name: string): GraphResource {
    const found = graph.resources.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no resource named ${name} in ${graph.stack}`);
    }
    return found;
}

export const STACKS = ["dev", "prod"] as const;

/** A stack file's `platform:` values, parsed the way loadConfig receives them. */
export function rawConfig(stack: string): Record<string, any> {
    const { config } = readStackConfig(PROJECT_DIR, stack);
    return Object.fromEntries(
        Object.entries(config)
            .filter(([key]) => key.startsWith("platform:"))
            .map(([key, text]) => [key.slice("platform:".length), text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text]),
    );
}
