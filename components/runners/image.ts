/**
 * The runner image's build inputs and tag, from the pins in versions.ts, `.nvmrc` and the image folder's files:
 * one function for the program (the tag the jobs run) and the image workflow (the tag it builds and pushes).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { RUNNER_IMAGE_TOOLS } from "../../versions";

const PROJECT_DIR = path.join(__dirname, "..", "..");
/** The Dockerfile's folder (the build context). */
export const RUNNER_IMAGE_CONTEXT = path.join(__dirname, "image");

export interface RunnerImageBuild {
    /** `--build-arg` values, by the Dockerfile's ARG names. */
    buildArgs: Record<string, string>;
    /** `<runner version>-<12 hex digits of SHA-256 over the build args and the context's files>`. */
    tag: string;
}

/** The build of the pinned tools from a context folder (the image folder unless another is given). */
export function runnerImageBuild(tools: Record<keyof typeof RUNNER_IMAGE_TOOLS, string> = RUNNER_IMAGE_TOOLS, context = RUNNER_IMAGE_CONTEXT): RunnerImageBuild {
    const buildArgs = {
        RUNNER_VERSION: tools.runner,
        NODE_VERSION: fs.readFileSync(path.join(PROJECT_DIR, ".nvmrc"), "utf8").trim(),
        PULUMI_VERSION: tools.pulumi,
        KUBELOGIN_VERSION: tools.kubelogin,
        AZURE_CLI_VERSION: tools.azureCli,
    };
    const hash = createHash("sha256").update(JSON.stringify(buildArgs));
    for (const file of fs.readdirSync(context).sort()) {
        hash.update(`\0${file}\0`).update(fs.readFileSync(path.join(context, file)));
    }
    return { buildArgs, tag: `${tools.runner}-${hash.digest("hex").slice(0, 12)}` };
}

/** Where the image workflow pushes (GitHub's container registry of the repository, lower case as it requires). */
export function runnerImageSource(owner: string, repository: string): string {
    return `ghcr.io/${owner.toLowerCase()}/${repository.toLowerCase()}/github-runner`;
}
