/**
 * npm run -s images
 * The images the platform runs, as upstream references with their pinned tags, one per line: what
 * scripts/scan-images.sh scans. From versions.ts: the images the program sets itself, and Istio's, whose tag the
 * mesh pins to its charts' version. (The other charts' images keep each chart's default tag, which only a render
 * of the pinned charts shows.)
 */
import { CHARTS, IMAGES, imageFrom } from "../versions";

const own = Object.values(IMAGES).map((image) => typeof image === "string" ? image : `${image.repository}:${image.tag}`);
const istio = ["istio/pilot", "istio/proxyv2", "istio/install-cni"].map((path) => `${path}:${CHARTS.istiod.version}`);
for (const image of [...new Set([...own, ...istio])].sort()) {
    console.log(imageFrom(undefined, image));
}
