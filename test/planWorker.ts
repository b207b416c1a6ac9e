/**
 * Runs offline plans in a worker thread for the test process. The test runner tracks every promise of its
 * own thread, and the Pulumi SDK makes thousands; a worker plans without that overhead, in half the time.
 */
import { parentPort } from "node:worker_threads";
import { runProgram, type RunOptions } from "../offline/engine";

interface Request {
    id: number;
    options: RunOptions;
}

// Stack capture costs most of a plan (the SDK records one per promise); plans need none.
Error.stackTraceLimit = 0;

let queue: Promise<void> = Promise.resolve();
parentPort!.on("message", ({ id, options }: Request) => {
    // One plan at a time: the Pulumi runtime is global state.
    queue = queue.then(async () => {
        try {
            parentPort!.postMessage({ id, graph: await runProgram(options) });
        } catch (err) {
            parentPort!.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
        }
    });
});
