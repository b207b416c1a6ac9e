// The pack program Pulumi runs for `--policy-pack policies/platform-baseline`; constructing a PolicyPack starts its server,
// so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { platformBaseline } from "../packs";

new PolicyPack(platformBaseline.name, { enforcementLevel: platformBaseline.enforcementLevel, policies: platformBaseline.policies });
