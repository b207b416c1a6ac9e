/**
 * The config overrides of an offline run of one phase. Phase `all` requires the Docker Hub secrets (config module):
 * offline, stand-ins take their place (never real credentials), set as `pulumi config set --secret` would.
 */
import type { RunOptions } from "./engine";

export const DOCKER_HUB_STAND_INS: Record<string, string> = {
    "platform:dockerHubUsername": "offline-docker-hub-user",
    "platform:dockerHubToken": "offline-docker-hub-token",
};

/** `platform:phase` (when given) and, for phase `all`, the secrets it needs. */
export function phaseOverrides(phase: string | undefined): Pick<RunOptions, "overrides" | "secretOverrides"> {
    if (phase === undefined) {
        return {};
    }
    const standIns = phase === "all" ? DOCKER_HUB_STAND_INS : {};
    return { overrides: { "platform:phase": phase, ...standIns }, secretOverrides: Object.keys(standIns) };
}
