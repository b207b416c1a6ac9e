/**
 * npm run runner-image --silent -- tag | build-args | runner-version
 * The runner image's tag, its `docker build` arguments (one per line) and the pinned runner version, as the program
 * computes them (components/runners/image.ts): .github/workflows/runner-image.yml builds exactly what the jobs run.
 */
import { RUNNER_IMAGE_TOOLS } from "../versions";
import { runnerImageBuild } from "../components/runners/image";

const what = process.argv[2];
const build = runnerImageBuild();
if (what === "tag") {
    console.log(build.tag);
} else if (what === "build-args") {
    for (const [name, value] of Object.entries(build.buildArgs)) {
        console.log(`--build-arg=${name}=${value}`);
    }
} else if (what === "runner-version") {
    console.log(RUNNER_IMAGE_TOOLS.runner);
} else {
    console.error("usage: npm run runner-image --silent -- tag | build-args | runner-version");
    process.exit(2);
}
