/**
 * Transport security of the data and app services teams add beside the request path: Storage, Redis (Azure Cache
 * and Azure Managed Redis), Azure SQL, PostgreSQL/MySQL flexible servers, Event Hubs and Service Bus, Cosmos DB,
 * App Service. An absent setting is judged as the service applies it, with the source of that default.
 * Checkov's CKV_AZURE_14/15/70/145/153 (App Service), CKV_AZURE_223 (Event Hubs) and CKV_AZURE_28/29/54 (database
 * servers) check similar settings on ARM.
 */
import type { DatabaseAccountArgs } from "@pulumi/azure-native/cosmosdb";
import type { ConfigurationArgs as MySqlConfigurationArgs } from "@pulumi/azure-native/dbformysql";
import type { ConfigurationArgs as PostgreSqlConfigurationArgs } from "@pulumi/azure-native/dbforpostgresql";
import type { NamespaceArgs as EventHubNamespaceArgs } from "@pulumi/azure-native/eventhub";
import type { RedisArgs } from "@pulumi/azure-native/redis";
import type { DatabaseArgs as ManagedRedisDatabaseArgs, RedisEnterpriseArgs } from "@pulumi/azure-native/redisenterprise";
import type { NamespaceArgs as ServiceBusNamespaceArgs } from "@pulumi/azure-native/servicebus";
import type { ManagedInstanceArgs, ServerArgs } from "@pulumi/azure-native/sql";
import type { StorageAccountArgs } from "@pulumi/azure-native/storage";
import type { WebAppArgs, WebAppSlotArgs } from "@pulumi/azure-native/web";
import * as cosmosdb from "@pulumi/azure-native/types/enums/cosmosdb";
import * as eventhub from "@pulumi/azure-native/types/enums/eventhub";
import * as redis from "@pulumi/azure-native/types/enums/redis";
import * as redisenterprise from "@pulumi/azure-native/types/enums/redisenterprise";
import * as servicebus from "@pulumi/azure-native/types/enums/servicebus";
import * as sql from "@pulumi/azure-native/types/enums/sql";
import * as storage from "@pulumi/azure-native/types/enums/storage";
import * as web from "@pulumi/azure-native/types/enums/web";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { equalsIgnoreCase, isOneOf, MCSB } from "./common";
import { azureNative, olderApiThan, validate } from "./kinds";

const STORAGE_ACCOUNT = azureNative<StorageAccountArgs>("azure-native:storage:StorageAccount");
// Azure Cache for Redis and Azure Managed Redis were in the cache module before (the SDK's aliases).
const REDIS = azureNative<RedisArgs>("azure-native:redis:Redis", ["cache"]);
const MANAGED_REDIS = azureNative<RedisEnterpriseArgs>("azure-native:redisenterprise:RedisEnterprise", ["cache"]);
const MANAGED_REDIS_DATABASE = azureNative<ManagedRedisDatabaseArgs>("azure-native:redisenterprise:Database", ["cache"]);
const SQL_SERVER = azureNative<ServerArgs>("azure-native:sql:Server");
const SQL_MANAGED_INSTANCE = azureNative<ManagedInstanceArgs>("azure-native:sql:ManagedInstance");
const POSTGRESQL_PARAMETER = azureNative<PostgreSqlConfigurationArgs>("azure-native:dbforpostgresql:Configuration");
const MYSQL_PARAMETER = azureNative<MySqlConfigurationArgs>("azure-native:dbformysql:Configuration");
const EVENT_HUB_NAMESPACE = azureNative<EventHubNamespaceArgs>("azure-native:eventhub:Namespace");
const SERVICE_BUS_NAMESPACE = azureNative<ServiceBusNamespaceArgs>("azure-native:servicebus:Namespace");
// Cosmos DB was in the documentdb module before (the SDK's aliases).
const COSMOS_DB_ACCOUNT = azureNative<DatabaseAccountArgs>("azure-native:cosmosdb:DatabaseAccount", ["documentdb"]);
const WEB_APPS = [azureNative<WebAppArgs>("azure-native:web:WebApp"), azureNative<WebAppSlotArgs>("azure-native:web:WebAppSlot")];

// TLS1_3 is in the enum, but its own doc says "Minimum TLS version 1.3 version is not supported" (storage/index.d.ts).
const STORAGE_MINIMUM_TLS: readonly storage.MinimumTlsVersion[] = [storage.MinimumTlsVersion.TLS1_2];

export const storageAccountTls: ResourceValidationPolicy = {
    name: "storage-account-tls",
    description: "Storage accounts accept only HTTPS with TLS 1.2, set explicitly.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"TLS1_2\" on the StorageAccount, and leave enableHttpsTrafficOnly at true.",
    validateResource: validate(STORAGE_ACCOUNT, (account, report, args) => {
        // StorageAccountArgs: "The default interpretation is TLS 1.0 for this property."
        if (!isOneOf(STORAGE_MINIMUM_TLS, account.minimumTlsVersion)) {
            report(`minimumTlsVersion is ${JSON.stringify(account.minimumTlsVersion)}${account.minimumTlsVersion === undefined ? " (TLS 1.0 by default)" : ""}; set "TLS1_2" (Azure does not support TLS1_3 as a minimum).`);
        }
        // "The default value is true since API version 2019-04-01" (StorageAccountArgs.enableHttpsTrafficOnly).
        const httpsOnly = account.enableHttpsTrafficOnly ?? !olderApiThan(args.type, "2019-04-01");
        if (httpsOnly !== true) {
            report(`enableHttpsTrafficOnly is ${JSON.stringify(account.enableHttpsTrafficOnly)}${account.enableHttpsTrafficOnly === undefined ? " (false by default before API 2019-04-01)" : ""}; set true.`);
        }
    }),
};

export const redisTls: ResourceValidationPolicy = {
    name: "redis-tls",
    description: "Azure Cache for Redis and Azure Managed Redis accept only TLS 1.2+ and no plaintext port or protocol.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Leave minimumTlsVersion unset or \"1.2\", enableNonSslPort false, and a Managed Redis database's clientProtocol Encrypted.",
    validateResource: [
        // New caches take TLS 1.2 at least; 1.0 and 1.1 were retired on November 1, 2024
        // (learn.microsoft.com/azure/azure-cache-for-redis/cache-tls-configuration). enableNonSslPort defaults to false (RedisArgs).
        validate(REDIS, (cache, report) => {
            if (cache.minimumTlsVersion !== undefined && !isOneOf([redis.TlsVersion.TlsVersion_1_2], cache.minimumTlsVersion)) {
                report(`minimumTlsVersion is ${JSON.stringify(cache.minimumTlsVersion)}; set "1.2" or leave it out.`);
            }
            if (cache.enableNonSslPort === true) {
                report("enableNonSslPort is true; set false.");
            }
        }),
        // "TLS 1.0 and TLS 1.1 are now completely obsolete -- you cannot use them" (RedisEnterpriseArgs.minimumTlsVersion).
        validate(MANAGED_REDIS, (cluster, report) => {
            if (isOneOf([redisenterprise.TlsVersion.TlsVersion_1_0, redisenterprise.TlsVersion.TlsVersion_1_1], cluster.minimumTlsVersion)) {
                report(`minimumTlsVersion is ${JSON.stringify(cluster.minimumTlsVersion)}; set "1.2" or leave it out.`);
            }
        }),
        // "Default is TLS-encrypted" (DatabaseArgs.clientProtocol).
        validate(MANAGED_REDIS_DATABASE, (database, report) => {
            if (equalsIgnoreCase(database.clientProtocol, redisenterprise.Protocol.Plaintext)) {
                report(`clientProtocol is "Plaintext"; use "Encrypted".`);
            }
        }),
    ],
};

export const sqlServerTls: ResourceValidationPolicy = {
    name: "sql-server-tls",
    description: "Azure SQL servers and managed instances accept TLS 1.2 or later only.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimalTlsVersion: \"1.2\" (a logical server may leave it out).",
    validateResource: [
        // A logical server no longer takes a minimum below 1.2 since TLS 1.0/1.1 were retired
        // (learn.microsoft.com/azure/azure-sql/database/connectivity-settings#minimal-tls-version): only an explicit older one, or None, is weak.
        validate(SQL_SERVER, (server, report) => {
            if (server.minimalTlsVersion !== undefined && !isOneOf([sql.MinimalTlsVersion.MinimalTlsVersion_1_2, sql.MinimalTlsVersion.MinimalTlsVersion_1_3], server.minimalTlsVersion)) {
                report(`minimalTlsVersion is ${JSON.stringify(server.minimalTlsVersion)}; set "1.2".`);
            }
        }),
        // A managed instance takes 1.0, 1.1 and None (no minimum) too, and documents no stricter default
        // (learn.microsoft.com/azure/azure-sql/managed-instance/minimal-tls-version-configure): set it.
        validate(SQL_MANAGED_INSTANCE, (instance, report) => {
            if (!isOneOf([sql.MinimalTlsVersion.MinimalTlsVersion_1_2, sql.MinimalTlsVersion.MinimalTlsVersion_1_3], instance.minimalTlsVersion)) {
                report(`minimalTlsVersion is ${JSON.stringify(instance.minimalTlsVersion)}; set "1.2".`);
            }
        }),
    ],
};

/**
 * Flexible servers take TLS from server parameters, not resource properties: require_secure_transport (both
 * engines, ON by default), ssl_min_protocol_version (PostgreSQL) and tls_version (MySQL, a comma-separated list).
 * learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls and
 * learn.microsoft.com/azure/mysql/flexible-server/concepts-networking#tls-and-ssl.
 */
const MODERN_TLS_PARAMETER_VALUES = ["tlsv1.2", "tlsv1.3"];

function checkServerParameter(name: string | undefined, value: string | undefined, report: (message: string) => void): void {
    const parameter = name?.toLowerCase();
    const setting = value?.toLowerCase();
    if (parameter === "require_secure_transport" && setting !== "on") {
        report(`require_secure_transport is ${JSON.stringify(value)}; leave it ON (clients could connect without TLS).`);
    }
    if (parameter === "ssl_min_protocol_version" && !MODERN_TLS_PARAMETER_VALUES.includes(setting ?? "")) {
        report(`ssl_min_protocol_version is ${JSON.stringify(value)}; allowed: TLSv1.2, TLSv1.3.`);
    }
    if (parameter === "tls_version" && !(setting ?? "").split(",").every((v) => MODERN_TLS_PARAMETER_VALUES.includes(v.trim()))) {
        report(`tls_version is ${JSON.stringify(value)}; allow only TLSv1.2 and TLSv1.3.`);
    }
}

export const databaseServerTls: ResourceValidationPolicy = {
    name: "database-server-tls",
    description: "PostgreSQL and MySQL flexible servers keep TLS required, at 1.2 or later.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Leave require_secure_transport ON; set ssl_min_protocol_version (PostgreSQL) to TLSv1.2 and tls_version (MySQL) to TLSv1.2,TLSv1.3.",
    validateResource: [
        validate(POSTGRESQL_PARAMETER, (parameter, report) => checkServerParameter(parameter.configurationName, parameter.value, report)),
        validate(MYSQL_PARAMETER, (parameter, report) => checkServerParameter(parameter.configurationName, parameter.value, report)),
    ],
};

export const messagingNamespaceTls: ResourceValidationPolicy = {
    name: "messaging-namespace-tls",
    description: "Event Hubs and Service Bus namespaces accept TLS 1.2 or later only.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimumTlsVersion: \"1.2\" on the Namespace, or leave it out.",
    validateResource: [
        // Event Hubs has taken TLS 1.2 at least in every namespace since October 2025
        // (learn.microsoft.com/azure/event-hubs/transport-layer-security-enforce-minimum-version): only an explicit older minimum is weak.
        validate(EVENT_HUB_NAMESPACE, (namespace, report) => {
            if (isOneOf([eventhub.TlsVersion.TlsVersion_1_0, eventhub.TlsVersion.TlsVersion_1_1], namespace.minimumTlsVersion)) {
                report(`minimumTlsVersion is ${JSON.stringify(namespace.minimumTlsVersion)}; set "1.2".`);
            }
        }),
        // Likewise Service Bus since October 31, 2024 (learn.microsoft.com/azure/service-bus-messaging/transport-layer-security-configure-minimum-version).
        validate(SERVICE_BUS_NAMESPACE, (namespace, report) => {
            if (isOneOf([servicebus.TlsVersion.TlsVersion_1_0, servicebus.TlsVersion.TlsVersion_1_1], namespace.minimumTlsVersion)) {
                report(`minimumTlsVersion is ${JSON.stringify(namespace.minimumTlsVersion)}; allowed: 1.2, 1.3.`);
            }
        }),
    ],
};

export const cosmosDbTls: ResourceValidationPolicy = {
    name: "cosmosdb-tls",
    description: "Cosmos DB accounts accept TLS 1.2 only.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set minimalTlsVersion: \"Tls12\", or leave it out (the default).",
    // "The default value is Tls 1.2" (DatabaseAccountArgs.minimalTlsVersion).
    validateResource: validate(COSMOS_DB_ACCOUNT, (account, report) => {
        if (isOneOf([cosmosdb.MinimalTlsVersion.Tls, cosmosdb.MinimalTlsVersion.Tls11], account.minimalTlsVersion)) {
            report(`minimalTlsVersion is ${JSON.stringify(account.minimalTlsVersion)}; set "Tls12".`);
        }
    }),
};

const APP_SERVICE_MINIMUM_TLS: readonly web.SupportedTlsVersions[] = [web.SupportedTlsVersions.SupportedTlsVersions_1_2, web.SupportedTlsVersions.SupportedTlsVersions_1_3];
const APP_SERVICE_FTPS: readonly web.FtpsState[] = [web.FtpsState.FtpsOnly, web.FtpsState.Disabled];

export const appServiceTls: ResourceValidationPolicy = {
    name: "app-service-tls",
    description: "App Service and Functions apps (and their slots) serve HTTPS only, with TLS 1.2+ on the site and its SCM endpoint, and no plain FTP.",
    severity: "high",
    framework: MCSB,
    remediationSteps: "Set httpsOnly: true and siteConfig.ftpsState: \"Disabled\" (or FtpsOnly); leave minTlsVersion and scmMinTlsVersion at 1.2 or higher.",
    validateResource: validate(WEB_APPS, (site, report) => {
        if (site.httpsOnly !== true) {
            report(`httpsOnly is ${JSON.stringify(site.httpsOnly)}; set true (plain HTTP is otherwise served).`);
        }
        // App Service requires TLS 1.2 by default (learn.microsoft.com/azure/app-service/overview-tls): only an older explicit minimum is weak.
        for (const key of ["minTlsVersion", "scmMinTlsVersion"] as const) {
            const version = site.siteConfig?.[key];
            if (version !== undefined && !isOneOf(APP_SERVICE_MINIMUM_TLS, version)) {
                report(`siteConfig.${key} is ${JSON.stringify(version)}; allowed: ${APP_SERVICE_MINIMUM_TLS.join(", ")}.`);
            }
        }
        // Left unset, the site keeps FTP as well as FTPS open until it is turned off (learn.microsoft.com/azure/app-service/deploy-ftp#enforce-ftps).
        if (!isOneOf(APP_SERVICE_FTPS, site.siteConfig?.ftpsState)) {
            report(`siteConfig.ftpsState is ${JSON.stringify(site.siteConfig?.ftpsState)}; allowed: ${APP_SERVICE_FTPS.join(", ")} (AllAllowed, or unset, takes plain FTP).`);
        }
    }),
};

export const dataServicePolicies = [storageAccountTls, redisTls, sqlServerTls, databaseServerTls, messagingNamespaceTls, cosmosDbTls, appServiceTls];
