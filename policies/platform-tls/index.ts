// The pack program Pulumi runs for `--policy-pack policies/platform-tls`; constructing a PolicyPack starts its server,
// so nothing else imports this file.
import { PolicyPack } from "@pulumi/policy";
import { platformTls } from "../packs";

new PolicyPack(platformTls.name, { enforcementLevel: platformTls.enforcementLevel, policies: platformTls.policies });
