// The pack program Pulumi runs for `--policy-pack policies/platform-tls` (cwd = this folder); constructing a
// PolicyPack starts its Analyzer server and reads this folder's package.json for the version.
import { PolicyPack } from "@pulumi/policy";
import { apiSecurityTlsPolicies } from "../rules/apiSecurity";
import { azureTlsPolicies } from "../rules/azureTls";
import { meshTlsPolicies } from "../rules/meshTls";

new PolicyPack("platform-tls", { enforcementLevel: "mandatory", policies: [...azureTlsPolicies, ...meshTlsPolicies, ...apiSecurityTlsPolicies] });
