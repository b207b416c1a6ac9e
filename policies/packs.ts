/**
 * The packs as data: name, version, default enforcement and policies. The PolicyPack programs and the
 * offline checker both read these, so what CI checks offline is what `--policy-pack` enforces.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { azureTlsPolicies } from "./rules/azureTls";
import { baselinePolicies } from "./rules/baseline";
import { meshTlsPolicies } from "./rules/meshTls";
import { version } from "./package.json";

export interface PackDefinition {
    name: string;
    version: string;
    enforcementLevel: EnforcementLevel;
    policies: Policies;
}

export const platformTls: PackDefinition = {
    name: "platform-tls",
    version,
    enforcementLevel: "mandatory",
    policies: [...azureTlsPolicies, ...meshTlsPolicies],
};

/** Advisory by default; prod's config file (policies/config/baseline-prod.json) makes it mandatory. */
export const platformBaseline: PackDefinition = {
    name: "platform-baseline",
    version,
    enforcementLevel: "advisory",
    policies: baselinePolicies,
};

export const PACKS: readonly PackDefinition[] = [platformTls, platformBaseline];
