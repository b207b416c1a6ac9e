// The pack program Pulumi runs for `--policy-pack policies/platform-tls` (cwd = this folder, started through the
// package.json's main); constructing a PolicyPack starts its Analyzer server and reads this folder's package.json
// for the version.
import { PolicyPack } from "@pulumi/policy";
import { apiManagementPolicies } from "../rules/apiManagement";
import { apiSecurityTlsPolicies } from "../rules/apiSecurity";
import { appGatewayPolicies } from "../rules/appGateway";
import { certManagerPolicies } from "../rules/certManager";
import { dataServicePolicies } from "../rules/dataServices";
import { frontDoorPolicies } from "../rules/frontDoor";
import { ingressPolicies } from "../rules/ingress";
import { istioPolicies } from "../rules/istio";
import { keyPolicies } from "../rules/keys";

const tlsPolicies = [
    ...frontDoorPolicies,
    ...apiManagementPolicies,
    ...appGatewayPolicies,
    ...dataServicePolicies,
    ...keyPolicies,
    ...istioPolicies,
    ...ingressPolicies,
    ...certManagerPolicies,
    ...apiSecurityTlsPolicies,
];

new PolicyPack("platform-tls", { enforcementLevel: "mandatory", policies: tlsPolicies });
