/** API Management: the gateway's protocols and ciphers, APIs and backends (service-level and workspace ones). */
import type { ApiArgs, ApiManagementServiceArgs, BackendArgs, WorkspaceApiArgs, WorkspaceBackendArgs } from "@pulumi/azure-native/apimanagement";
import * as apimanagement from "@pulumi/azure-native/types/enums/apimanagement";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { equalsIgnoreCase, isOneOf, MCSB } from "./common";
import { azureNative, validate } from "./kinds";

const SERVICE = azureNative<ApiManagementServiceArgs>("azure-native:apimanagement:ApiManagementService");
const APIS = [azureNative<ApiArgs>("azure-native:apimanagement:Api"), azureNative<WorkspaceApiArgs>("azure-native:apimanagement:WorkspaceApi")];
const BACKENDS = [azureNative<BackendArgs>("azure-native:apimanagement:Backend"), azureNative<WorkspaceBackendArgs>("azure-native:apimanagement:WorkspaceBackend")];

const SETTING = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.";

/**
 * ApiManagementServiceArgs.customProperties (the SDK's doc): TLS 1.0/1.1 to clients and backends and 3DES default to
 * off ("False") for services created after April 1, 2018, which is every service a stack creates today; the other
 * ciphers "default value is true", and SSL 3.0 has no documented default: each of those must be set to "false".
 * The ECDHE-CBC-SHA256/SHA384 suites are not among them: Azure does not let them be turned off.
 */
const APIM_OFF_BY_DEFAULT = ["Protocols.Tls10", "Protocols.Tls11", "Backend.Protocols.Tls10", "Backend.Protocols.Tls11", "Ciphers.TripleDes168"].map((k) => SETTING + k);
const APIM_ON_BY_DEFAULT = [
    "Protocols.Ssl30",
    "Backend.Protocols.Ssl30",
    "Ciphers.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "Ciphers.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "Ciphers.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "Ciphers.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "Ciphers.TLS_RSA_WITH_AES_128_GCM_SHA256",
    "Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA256",
    "Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA256",
    "Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA",
    "Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA",
].map((k) => SETTING + k);

export const apimProtocolsAndCiphers: ResourceValidationPolicy = {
    name: "apim-protocols-and-ciphers",
    description: "API Management turns off TLS 1.0/1.1, SSL 3.0, 3DES, RSA key exchange and the SHA-1 CBC suites (ECDHE-CBC-SHA256/384 cannot be turned off).",
    severity: "critical",
    framework: MCSB,
    remediationSteps: "Set each named customProperties key to \"false\" on the ApiManagementService (TLS 1.0/1.1 and 3DES are off unless set).",
    validateResource: validate(SERVICE, (service, report) => {
        const custom: Record<string, unknown> = service.customProperties ?? {};
        for (const key of APIM_OFF_BY_DEFAULT) {
            if (custom[key] !== undefined && !equalsIgnoreCase(custom[key], "false")) {
                report(`customProperties["${key}"] is ${JSON.stringify(custom[key])}; set "false" or leave it out (off by default).`);
            }
        }
        for (const key of APIM_ON_BY_DEFAULT) {
            if (!equalsIgnoreCase(custom[key], "false")) {
                report(`customProperties["${key}"] is ${JSON.stringify(custom[key])}; set "false" (absent means on).`);
            }
        }
    }),
};

/** What an API may accept: HTTPS, and secure WebSockets for WebSocket and GraphQL-subscription APIs. */
const API_PROTOCOLS: readonly apimanagement.Protocol[] = [apimanagement.Protocol.Https, apimanagement.Protocol.Wss];

export const apimApiHttps: ResourceValidationPolicy = {
    name: "apim-api-https",
    description: "API Management APIs accept only HTTPS (or wss) and call their service over HTTPS (or wss).",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set protocols: [\"https\"] (a WebSocket API: [\"wss\"]) and an https:// (or wss://) serviceUrl on the Api.",
    validateResource: validate(APIS, (api, report) => {
        const protocols = api.protocols ?? [];
        if (protocols.length === 0 || protocols.some((p) => !API_PROTOCOLS.some((allowed) => equalsIgnoreCase(p, allowed)))) {
            report(`protocols is ${JSON.stringify(api.protocols)}; allowed: ${JSON.stringify(API_PROTOCOLS)}.`);
        }
        if (api.serviceUrl !== undefined && !/^(https|wss):\/\//i.test(String(api.serviceUrl))) {
            report(`serviceUrl is ${JSON.stringify(api.serviceUrl)}; use https:// (or wss://).`);
        }
    }),
};

export const apimBackendTls: ResourceValidationPolicy = {
    name: "apim-backend-tls",
    description: "API Management backends are https:// (a pool's members are backends of their own) and never turn off certificate chain or name validation.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Use an https:// url and leave tls.validateCertificateChain and tls.validateCertificateName at their default (true).",
    validateResource: validate(BACKENDS, (backend, report) => {
        // A load-balanced pool has no url: it names other backends, each checked on its own.
        if (!isOneOf([apimanagement.BackendType.Pool], backend.type)) {
            if (!/^(https|wss):\/\//i.test(String(backend.url ?? ""))) {
                report(`url is ${JSON.stringify(backend.url)}; use https://.`);
            }
        }
        // Both default to true when absent (BackendTlsPropertiesArgs' defaults in the SDK, the service's too).
        for (const key of ["validateCertificateChain", "validateCertificateName"] as const) {
            if (backend.tls?.[key] === false) {
                report(`tls.${key} is false; leave it true.`);
            }
        }
    }),
};

export const apiManagementPolicies = [apimProtocolsAndCiphers, apimApiHttps, apimBackendTls];
