// The pack program Pulumi runs for `--policy-pack policies/platform-baseline` (cwd = this folder); advisory by
// default, made mandatory in prod by policies/config/baseline-prod.json.
import { PolicyPack } from "@pulumi/policy";
import { apiSecurityBaselinePolicies } from "../rules/apiSecurity";
import { baselinePolicies } from "../rules/baseline";

new PolicyPack("platform-baseline", { enforcementLevel: "advisory", policies: [...baselinePolicies, ...apiSecurityBaselinePolicies] });
