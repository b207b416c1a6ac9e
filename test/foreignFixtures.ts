/**
 * Stacks of other teams, not this program's: resources declared the way the services' documentation and public
 * examples declare them (each names the page it was written from; none is copied), insecure and secure alike.
 * `expect` names every policy of both packs that must fail the resource, with what its message says; every other
 * policy must pass it. test/unit/foreignStacks.ts runs each stack through the packs' servers as one preview.
 */
import type { Checkpoint } from "../offline/checkpoint";
import type { PolicyConfig } from "../offline/policyConfig";

export interface ForeignResource {
    name: string;
    type: string;
    props: Record<string, unknown>;
    /** The documentation page or public example the resource was written from. */
    source: string;
    protect?: boolean;
    /** Other resources of the stack (by name) this one depends on, as the engine records them. */
    dependsOn?: string[];
    /** policy name -> the message it must give; an empty object: the resource passes every policy. */
    expect: Record<string, RegExp>;
}

export interface ForeignStack {
    /** The stack, as `<project>/<stack>`. */
    stack: string;
    what: string;
    /** Policy config per pack beyond every policy mandatory (the audit's levels). */
    configs?: Record<string, PolicyConfig>;
    resources: ForeignResource[];
}

const ISTIO_EGRESS = "https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/";
const GATEWAY_API_REDIRECT = "https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/";

/** The mesh config the istiod chart renders when no meshConfig value is given (templates/configmap.yaml, istiod 1.30.3). */
const DEFAULT_RENDERED_MESH = [
    "defaultConfig:",
    "  discoveryAddress: istiod.istio-system.svc:15012",
    "defaultProviders:",
    "  metrics:",
    "  - prometheus",
    "rootNamespace: istio-system",
    "trustDomain: cluster.local",
].join("\n");

export const FOREIGN_STACKS: ForeignStack[] = [
    {
        stack: "checkout/prod",
        what: "an AKS team's mesh: istiod from the OCI chart through helm.v4.Chart, Gateway API ingress, an Istio egress gateway",
        resources: [
            {
                // Chart v4 is a component the provider registers without inputs; its objects are what the engine sees.
                name: "istiod", type: "kubernetes:helm.sh/v4:Chart", props: {},
                source: "https://istio.io/latest/docs/setup/install/helm/", expect: {},
            },
            {
                name: "istiod:istio-system/istio", type: "kubernetes:core/v1:ConfigMap",
                props: { metadata: { name: "istio", namespace: "istio-system" }, data: { mesh: DEFAULT_RENDERED_MESH, meshNetworks: "networks: {}" } },
                source: "https://github.com/istio/istio/blob/1.30.3/manifests/charts/istio-control/istio-discovery/templates/configmap.yaml",
                expect: {
                    "istiod-mesh-tls": /^data\.mesh's meshMTLS\.minProtocolVersion is undefined; set "TLSV1_3"/,
                    "mesh-strict-mtls": /^istiod is installed but no selector-less STRICT PeerAuthentication exists in istio-system\.$/,
                },
            },
            {
                name: "public", type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
                props: {
                    metadata: { name: "public", namespace: "ingress" },
                    spec: {
                        gatewayClassName: "istio",
                        listeners: [
                            { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } },
                            { name: "https", port: 443, protocol: "HTTPS", hostname: "shop.example.com", tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "shop-tls" }] }, allowedRoutes: { namespaces: { from: "All" } } },
                        ],
                    },
                },
                source: GATEWAY_API_REDIRECT, expect: {},
            },
            {
                name: "http-to-https", type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
                props: {
                    metadata: { name: "http-to-https", namespace: "ingress" },
                    spec: { parentRefs: [{ name: "public", sectionName: "http" }], hostnames: ["shop.example.com"], rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }] },
                },
                source: GATEWAY_API_REDIRECT, expect: {},
            },
            {
                name: "shop", type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
                props: {
                    metadata: { name: "shop", namespace: "shop" },
                    spec: { parentRefs: [{ name: "public", namespace: "ingress", sectionName: "https" }], hostnames: ["shop.example.com"], rules: [{ backendRefs: [{ name: "shop", port: 8080 }] }] },
                },
                source: "https://gateway-api.sigs.k8s.io/guides/tls/", expect: {},
            },
            {
                name: "orders-grpc", type: "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute",
                props: {
                    metadata: { name: "orders-grpc", namespace: "ingress" },
                    spec: { parentRefs: [{ name: "public", sectionName: "https" }], rules: [{ matches: [{ method: { service: "orders.v1.Orders" } }], backendRefs: [{ name: "orders", port: 9000 }] }] },
                },
                source: "https://gateway-api.sigs.k8s.io/guides/grpc-routing/", expect: {},
            },
            {
                // An internal gateway whose route names no section: it is served on the HTTP listener too.
                name: "internal", type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
                props: { metadata: { name: "internal", namespace: "ingress" }, spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] } },
                source: "https://gateway-api.sigs.k8s.io/guides/simple-gateway/",
                expect: { "gateway-api-http-redirect": /^Gateway "internal" listener "http" is HTTP and internal-tools serves plain HTTP on it\.$/ },
            },
            {
                name: "internal-tools", type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
                props: { metadata: { name: "internal-tools", namespace: "ingress" }, spec: { parentRefs: [{ name: "internal" }], rules: [{ backendRefs: [{ name: "tools", port: 80 }] }] } },
                source: "https://gateway-api.sigs.k8s.io/guides/simple-gateway/", expect: {},
            },
            {
                name: "database", type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
                props: { metadata: { name: "database", namespace: "ingress" }, spec: { gatewayClassName: "istio", listeners: [{ name: "postgres", port: 5432, protocol: "TCP" }] } },
                source: "https://gateway-api.sigs.k8s.io/guides/tcp/",
                expect: { "gateway-api-listener-tls": /^spec\.listeners\[0\] \("postgres"\) is "TCP": plaintext/ },
            },
            {
                // HTTP/2 and gRPC served in the clear: the classes the review found unchecked.
                name: "legacy-ingress", type: "kubernetes:networking.istio.io/v1:Gateway",
                props: {
                    metadata: { name: "legacy-ingress", namespace: "istio-system" },
                    spec: {
                        selector: { istio: "ingressgateway" },
                        servers: [
                            { port: { number: 8080, name: "http2", protocol: "HTTP2" }, hosts: ["legacy.example.com"] },
                            { port: { number: 9090, name: "grpc", protocol: "GRPC" }, hosts: ["legacy.example.com"] },
                        ],
                    },
                },
                source: "https://istio.io/latest/docs/reference/config/networking/gateway/",
                expect: { "istio-gateway-tls": /^spec\.servers\[0\] serves plain HTTP2 without tls\.httpsRedirect: true\.$/ },
            },
            {
                name: "istio-egressgateway", type: "kubernetes:networking.istio.io/v1:Gateway",
                props: {
                    metadata: { name: "istio-egressgateway", namespace: "istio-system" },
                    spec: { selector: { istio: "egressgateway" }, servers: [{ port: { number: 443, name: "tls-origination", protocol: "HTTPS" }, hosts: ["api.partner.example"], tls: { mode: "ISTIO_MUTUAL" } }] },
                },
                source: ISTIO_EGRESS, expect: {},
            },
            {
                name: "egressgateway-for-partner", type: "kubernetes:networking.istio.io/v1:DestinationRule",
                props: {
                    metadata: { name: "egressgateway-for-partner", namespace: "istio-system" },
                    spec: { host: "istio-egressgateway.istio-system.svc.cluster.local", subsets: [{ name: "partner", trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "ISTIO_MUTUAL", sni: "api.partner.example" } }] } }] },
                },
                source: ISTIO_EGRESS, expect: {},
            },
            {
                name: "originate-tls-for-partner", type: "kubernetes:networking.istio.io/v1:DestinationRule",
                props: { metadata: { name: "originate-tls-for-partner", namespace: "istio-system" }, spec: { host: "api.partner.example", trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE", sni: "api.partner.example" } }] } } },
                source: ISTIO_EGRESS, expect: {},
            },
            {
                name: "legacy-permissive", type: "kubernetes:security.istio.io/v1:PeerAuthentication",
                props: { metadata: { name: "default", namespace: "legacy" }, spec: { mtls: { mode: "PERMISSIVE" } } },
                source: "https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/",
                expect: { "istio-peer-authentication-strict": /^spec\.mtls\.mode is "PERMISSIVE"; use STRICT\.$/ },
            },
        ],
    },
    {
        stack: "payments/prod",
        what: "cert-manager issuers and certificates, and an ingress-nginx Ingress",
        resources: [
            {
                name: "letsencrypt-prod", type: "kubernetes:cert-manager.io/v1:ClusterIssuer",
                props: { metadata: { name: "letsencrypt-prod" }, spec: { acme: { server: "https://acme-v02.api.letsencrypt.org/directory", email: "payments@example.com", privateKeySecretRef: { name: "letsencrypt-prod" }, solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }] } } },
                source: "https://cert-manager.io/docs/configuration/acme/", expect: {},
            },
            {
                // skipTLSVerify is meant for test ACME servers (the ACMEIssuer API reference).
                name: "internal-acme", type: "kubernetes:cert-manager.io/v1:ClusterIssuer",
                props: { metadata: { name: "internal-acme" }, spec: { acme: { server: "https://acme.internal.example/directory", skipTLSVerify: true, privateKeySecretRef: { name: "internal-acme" }, solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }] } } },
                source: "https://cert-manager.io/docs/reference/api-docs/#acme.cert-manager.io/v1.ACMEIssuer",
                expect: { "cert-manager-issuer-tls": /^spec\.acme\.skipTLSVerify is true/ },
            },
            {
                name: "vault-issuer", type: "kubernetes:cert-manager.io/v1:Issuer",
                props: { metadata: { name: "vault-issuer", namespace: "payments" }, spec: { vault: { server: "http://vault.vault.svc:8200", path: "pki_int/sign/payments", auth: { kubernetes: { role: "payments", mountPath: "/v1/auth/kubernetes", serviceAccountRef: { name: "vault-issuer" } } } } } },
                source: "https://cert-manager.io/docs/configuration/vault/",
                expect: { "cert-manager-issuer-tls": /^spec\.vault\.server is "http:\/\/vault\.vault\.svc:8200"; use https:\/\/\.$/ },
            },
            {
                // No rotationPolicy: Always since cert-manager 1.18 (the review's false positive).
                name: "payments-api", type: "kubernetes:cert-manager.io/v1:Certificate",
                props: { metadata: { name: "payments-api", namespace: "payments" }, spec: { secretName: "payments-api-tls", dnsNames: ["pay.example.com"], issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer" }, privateKey: { algorithm: "ECDSA", size: 256 } } },
                source: "https://cert-manager.io/docs/usage/certificate/", expect: {},
            },
            {
                name: "partner-mtls", type: "kubernetes:cert-manager.io/v1:Certificate",
                props: { metadata: { name: "partner-mtls", namespace: "payments" }, spec: { secretName: "partner-mtls", commonName: "payments", duration: "8760h", renewBefore: "720h", issuerRef: { name: "vault-issuer" }, usages: ["client auth"] } },
                source: "https://cert-manager.io/docs/usage/certificate/",
                expect: { "cert-manager-certificate-policy": /^spec\.duration is "8760h"; at most 2160h/ },
            },
            {
                name: "payments", type: "kubernetes:networking.k8s.io/v1:Ingress",
                props: {
                    metadata: { name: "payments", namespace: "payments", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" } },
                    spec: {
                        ingressClassName: "nginx",
                        tls: [{ hosts: ["pay.example.com"], secretName: "pay-tls" }],
                        rules: [
                            { host: "pay.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "payments", port: { number: 80 } } } }] } },
                            { host: "status.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "status", port: { number: 80 } } } }] } },
                        ],
                    },
                },
                source: "https://cert-manager.io/docs/usage/ingress/",
                expect: { "ingress-tls": /^spec\.rules\[1\] \(host "status\.example\.com"\) is in no spec\.tls entry/ },
            },
        ],
    },
    {
        stack: "data/prod",
        what: "a data team's Azure services, some on explicit API versions",
        resources: [
            {
                name: "legacyreports", type: "azure-native:storage/v20230501:StorageAccount", protect: true,
                props: { kind: "StorageV2", sku: { name: "Standard_LRS" }, minimumTlsVersion: "TLS1_0", publicNetworkAccess: "Enabled" },
                source: "https://learn.microsoft.com/azure/storage/common/transport-layer-security-configure-minimum-version",
                expect: {
                    "storage-account-tls": /^minimumTlsVersion is "TLS1_0"/,
                    "storage-no-public-access": /^publicNetworkAccess is "Enabled"; set "Disabled"\.$/,
                },
            },
            {
                // HTTPS only is the default since API 2019-04-01; anonymous blob access is off by default.
                name: "lake", type: "azure-native:storage:StorageAccount", protect: true,
                props: { kind: "StorageV2", sku: { name: "Standard_ZRS" }, isHnsEnabled: true, minimumTlsVersion: "TLS1_2", allowSharedKeyAccess: false, publicNetworkAccess: "Disabled" },
                source: "https://www.pulumi.com/registry/packages/azure-native/api-docs/storage/storageaccount/", expect: {},
            },
            {
                // Nothing TLS-related set: TLS 1.2 at least since November 2024, no plain port by default.
                name: "sessions", type: "azure-native:redis:Redis",
                props: { sku: { name: "Standard", family: "C", capacity: 1 }, redisVersion: "6" },
                source: "https://learn.microsoft.com/azure/azure-cache-for-redis/cache-tls-configuration", expect: {},
            },
            {
                name: "cache", type: "azure-native:redisenterprise:RedisEnterprise",
                props: { sku: { name: "Balanced_B1" } },
                source: "https://learn.microsoft.com/azure/redis/quickstart-create-managed-redis", expect: {},
            },
            {
                name: "cache-default", type: "azure-native:redisenterprise:Database",
                props: { clusterName: "cache", databaseName: "default", clientProtocol: "Plaintext", clusteringPolicy: "OSSCluster", port: 10000 },
                source: "https://learn.microsoft.com/azure/templates/microsoft.cache/redisenterprise/databases",
                expect: { "redis-tls": /^clientProtocol is "Plaintext"; use "Encrypted"\.$/ },
            },
            {
                name: "orders-sql", type: "azure-native:sql:Server", protect: true,
                props: { administrators: { azureADOnlyAuthentication: true, administratorType: "ActiveDirectory", login: "dba-group", sid: "00000000-0000-0000-0000-000000000000" }, publicNetworkAccess: "Disabled", version: "12.0" },
                source: "https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings", expect: {},
            },
            {
                name: "legacy-mi", type: "azure-native:sql:ManagedInstance", protect: true,
                props: { sku: { name: "GP_Gen5" }, vCores: 8, storageSizeInGB: 256, minimalTlsVersion: "1.0", subnetId: "/subscriptions/s/resourceGroups/data/providers/Microsoft.Network/virtualNetworks/data/subnets/mi" },
                source: "https://learn.microsoft.com/azure/azure-sql/managed-instance/minimal-tls-version-configure",
                expect: { "sql-server-tls": /^minimalTlsVersion is "1\.0"; set "1\.2"\.$/ },
            },
            {
                name: "analytics-pg", type: "azure-native:dbforpostgresql:Server",
                props: { version: "16", sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" }, storage: { storageSizeGB: 128 } },
                source: "https://learn.microsoft.com/azure/postgresql/flexible-server/quickstart-create-server",
                expect: { "stateful-resources-protected": /^azure-native:dbforpostgresql:Server "analytics-pg" has opts\.protect false/ },
            },
            {
                name: "analytics-pg-tls", type: "azure-native:dbforpostgresql:Configuration",
                props: { serverName: "analytics-pg", configurationName: "require_secure_transport", value: "OFF", source: "user-override" },
                source: "https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls",
                expect: { "database-server-tls": /^require_secure_transport is "OFF"/ },
            },
            {
                name: "inventory-mysql-tls", type: "azure-native:dbformysql:Configuration",
                props: { serverName: "inventory", configurationName: "tls_version", value: "TLSv1.2,TLSv1.3", source: "user-override" },
                source: "https://learn.microsoft.com/azure/mysql/flexible-server/concepts-networking", expect: {},
            },
            {
                name: "catalog", type: "azure-native:cosmosdb:DatabaseAccount", protect: true,
                props: { databaseAccountOfferType: "Standard", locations: [{ locationName: "westeurope", failoverPriority: 0 }], disableLocalAuth: true },
                source: "https://learn.microsoft.com/azure/cosmos-db/self-serve-minimum-tls-enforcement", expect: {},
            },
            {
                name: "telemetry", type: "azure-native:eventhub:Namespace",
                props: { sku: { name: "Standard", tier: "Standard" }, disableLocalAuth: true },
                source: "https://learn.microsoft.com/azure/event-hubs/transport-layer-security-enforce-minimum-version", expect: {},
            },
            {
                name: "orders-bus", type: "azure-native:servicebus:Namespace",
                props: { sku: { name: "Premium", tier: "Premium", capacity: 1 }, minimumTlsVersion: "1.0" },
                source: "https://learn.microsoft.com/azure/service-bus-messaging/transport-layer-security-configure-minimum-version",
                expect: { "messaging-namespace-tls": /^minimumTlsVersion is "1\.0"/ },
            },
            {
                // Public network access on, but a firewall that denies by default and admits no public address.
                name: "data-kv", type: "azure-native:keyvault/v20230701:Vault", protect: true,
                props: { properties: { tenantId: "00000000-0000-0000-0000-000000000000", sku: { family: "A", name: "standard" }, enableRbacAuthorization: true, enablePurgeProtection: true, networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } } },
                source: "https://learn.microsoft.com/azure/key-vault/general/network-security", expect: {},
            },
        ],
    },
    {
        stack: "apis/prod",
        what: "an API Management team: WebSocket and GraphQL APIs, a backend pool",
        resources: [
            {
                // TLS 1.0/1.1 and 3DES are off by default on a service created after April 2018; the rest is turned off.
                name: "apim", type: "azure-native:apimanagement:ApiManagementService", protect: true,
                props: {
                    publisherEmail: "apis@example.com", publisherName: "APIs", sku: { name: "StandardV2", capacity: 1 },
                    customProperties: Object.fromEntries([
                        "Protocols.Ssl30", "Backend.Protocols.Ssl30",
                        "Ciphers.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "Ciphers.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "Ciphers.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "Ciphers.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                        "Ciphers.TLS_RSA_WITH_AES_128_GCM_SHA256", "Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA256", "Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA256", "Ciphers.TLS_RSA_WITH_AES_256_CBC_SHA", "Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA",
                    ].map((k) => [`Microsoft.WindowsAzure.ApiManagement.Gateway.Security.${k}`, "false"])),
                },
                source: "https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers", expect: {},
            },
            {
                name: "chat", type: "azure-native:apimanagement:Api",
                props: { serviceName: "apim", path: "chat", displayName: "Chat", apiType: "websocket", protocols: ["wss"], serviceUrl: "wss://chat.internal.example/socket" },
                source: "https://learn.microsoft.com/azure/api-management/websocket-api", expect: {},
            },
            {
                name: "catalog-graphql", type: "azure-native:apimanagement:Api",
                props: { serviceName: "apim", path: "graphql", displayName: "Catalog", apiType: "graphql", protocols: ["https", "wss"], serviceUrl: "https://catalog.internal.example/graphql" },
                source: "https://learn.microsoft.com/azure/api-management/graphql-api", expect: {},
            },
            {
                name: "echo", type: "azure-native:apimanagement:Api",
                props: { serviceName: "apim", path: "echo", displayName: "Echo", protocols: ["http", "https"], serviceUrl: "http://echo.example.net" },
                source: "https://learn.microsoft.com/azure/api-management/import-and-publish",
                expect: { "apim-api-https": /^protocols is \["http","https"\]/ },
            },
            {
                name: "orders-pool", type: "azure-native:apimanagement:Backend",
                props: { serviceName: "apim", type: "Pool", pool: { services: [{ id: "/backends/orders-weu", priority: 1 }, { id: "/backends/orders-neu", priority: 2 }] } },
                source: "https://learn.microsoft.com/azure/api-management/backends", expect: {},
            },
            {
                // No tls block: both validations are on by default (BackendTlsPropertiesArgs).
                name: "orders-weu", type: "azure-native:apimanagement:Backend",
                props: { serviceName: "apim", protocol: "http", url: "https://orders-weu.internal.example" },
                source: "https://learn.microsoft.com/azure/api-management/backends", expect: {},
            },
            {
                name: "orders-neu", type: "azure-native:apimanagement:Backend",
                props: { serviceName: "apim", protocol: "http", url: "https://orders-neu.internal.example", tls: { validateCertificateChain: false, validateCertificateName: true } },
                source: "https://learn.microsoft.com/azure/api-management/backends",
                expect: { "apim-backend-tls": /^tls\.validateCertificateChain is false; leave it true\.$/ },
            },
        ],
    },
    {
        stack: "edge/prod",
        what: "an edge team: Front Door routes over HTTPS only, a domain bound to the central WAF in another stack, classic CDN and Front Door",
        // The central edge team's security policy (its own stack) binds shop.example.com.
        configs: { "platform-tls": { "all": "mandatory", "frontdoor-domains-behind-waf": { externallyBoundHostNames: ["shop.example.com"] } } },
        resources: [
            {
                name: "shop-route", type: "azure-native:cdn:Route",
                props: { profileName: "edge", endpointName: "shop", supportedProtocols: ["Https"], forwardingProtocol: "MatchRequest", httpsRedirect: "Disabled", linkToDefaultDomain: "Disabled", originGroup: { id: "/origins/shop" } },
                source: "https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-configure-route",
                expect: { "frontdoor-hsts": /^route "shop-route" sends no Strict-Transport-Security on every response; associate a rule set/ },
            },
            {
                name: "security-headers", type: "azure-native:cdn:RuleSet",
                props: { profileName: "edge", ruleSetName: "securityheaders" },
                source: "https://learn.microsoft.com/azure/frontdoor/front-door-rules-engine", expect: {},
            },
            {
                name: "hsts", type: "azure-native:cdn:Rule", dependsOn: ["security-headers"],
                props: {
                    profileName: "edge", ruleSetName: "securityheaders", ruleName: "hsts", order: 1,
                    actions: [{ name: "ModifyResponseHeader", parameters: { typeName: "DeliveryRuleHeaderActionParameters", headerAction: "Overwrite", headerName: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" } }],
                },
                source: "https://learn.microsoft.com/azure/frontdoor/front-door-rules-engine-actions", expect: {},
            },
            {
                name: "checkout-route", type: "azure-native:cdn:Route", dependsOn: ["security-headers", "hsts"],
                props: { profileName: "edge", endpointName: "shop", routeName: "checkout", supportedProtocols: ["Https"], forwardingProtocol: "HttpsOnly", linkToDefaultDomain: "Enabled", patternsToMatch: ["/checkout/*"], originGroup: { id: "/origins/shop" }, ruleSets: [{ id: "/ruleSets/securityheaders" }] },
                source: "https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-configure-route", expect: {},
            },
            {
                name: "shop-domain", type: "azure-native:cdn:AFDCustomDomain",
                props: { profileName: "edge", customDomainName: "shop", hostName: "shop.example.com", tlsSettings: { certificateType: "ManagedCertificate" } },
                source: "https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-add-custom-domain", expect: {},
            },
            {
                name: "promo-domain", type: "azure-native:cdn:AFDCustomDomain",
                props: { profileName: "edge", customDomainName: "promo", hostName: "promo.example.com", tlsSettings: { certificateType: "ManagedCertificate", cipherSuiteSetType: "TLS12_2023" } },
                source: "https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-add-custom-domain",
                expect: { "frontdoor-domains-behind-waf": /^custom domain "promo-domain" \(promo\.example\.com\) is not bound to a WAF security policy\.$/ },
            },
            {
                name: "shop-origin", type: "azure-native:cdn:AFDOrigin",
                props: { profileName: "edge", originGroupName: "shop", hostName: "shop.azurewebsites.net", originHostHeader: "shop.azurewebsites.net", httpsPort: 443 },
                source: "https://learn.microsoft.com/azure/frontdoor/origin", expect: {},
            },
            {
                name: "static-cdn", type: "azure-native:cdn:Endpoint",
                props: { profileName: "static", origins: [{ name: "blob", hostName: "static.blob.core.windows.net" }], originHostHeader: "static.blob.core.windows.net" },
                source: "https://learn.microsoft.com/azure/cdn/cdn-create-endpoint-how-to",
                expect: { "cdn-endpoint-https": /^isHttpAllowed is undefined \(the default: true\)/ },
            },
            {
                name: "assets-cdn", type: "azure-native:cdn:Endpoint",
                props: { profileName: "static", isHttpAllowed: false, origins: [{ name: "blob", hostName: "assets.blob.core.windows.net" }] },
                source: "https://learn.microsoft.com/azure/cdn/cdn-create-endpoint-how-to", expect: {},
            },
            {
                name: "legacy-frontdoor", type: "azure-native:network:FrontDoor",
                props: {
                    frontDoorName: "legacy",
                    routingRules: [{ name: "default", acceptedProtocols: ["Http", "Https"], patternsToMatch: ["/*"], routeConfiguration: { odataType: "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration", forwardingProtocol: "HttpOnly" } }],
                },
                source: "https://learn.microsoft.com/azure/frontdoor/front-door-how-to-redirect-https",
                expect: { "frontdoor-route-https": /^routingRules\[0\] accepts Http and forwards it/ },
            },
        ],
    },
    {
        stack: "web/prod",
        what: "an app team: App Service, an Application Gateway with the TCP/TLS proxy, its WAF policy, a public AKS cluster",
        resources: [
            {
                name: "storefront", type: "azure-native:web:WebApp",
                props: { serverFarmId: "/serverfarms/web", httpsOnly: true, siteConfig: { ftpsState: "Disabled", http20Enabled: true, alwaysOn: true } },
                source: "https://learn.microsoft.com/azure/app-service/overview-tls", expect: {},
            },
            {
                name: "storefront-staging", type: "azure-native:web:WebAppSlot",
                props: { name: "storefront", slot: "staging", httpsOnly: true, siteConfig: { ftpsState: "FtpsOnly", minTlsVersion: "1.0" } },
                source: "https://learn.microsoft.com/azure/app-service/configure-ssl-bindings",
                expect: { "app-service-tls": /^siteConfig\.minTlsVersion is "1\.0"/ },
            },
            {
                name: "gateway", type: "azure-native:network:ApplicationGateway",
                props: {
                    sku: { name: "WAF_v2", tier: "WAF_v2", capacity: 2 },
                    firewallPolicy: { id: "/subscriptions/s/resourceGroups/web/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/web-waf" },
                    sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" },
                    httpListeners: [{ name: "https", protocol: "Https" }],
                    requestRoutingRules: [{ name: "web", httpListener: { id: "/subscriptions/s/resourceGroups/web/providers/Microsoft.Network/applicationGateways/gateway/httpListeners/https" } }],
                    backendHttpSettingsCollection: [{ name: "web", protocol: "Https", port: 443 }],
                    listeners: [{ name: "sql", protocol: "Tcp" }],
                    backendSettingsCollection: [{ name: "sql", protocol: "Tcp", port: 1433 }],
                },
                source: "https://learn.microsoft.com/azure/application-gateway/tcp-tls-proxy-overview",
                expect: {
                    "appgateway-tls": /^listeners\[0\] \("sql"\) is "Tcp"; use Tls\.$/,
                    "appgateway-hsts": /^requestRoutingRules\[0\] \("web"\) serves HTTPS without a rewrite set that adds Strict-Transport-Security/,
                },
            },
            {
                name: "web-waf", type: "azure-native:network:WebApplicationFirewallPolicy",
                props: { policySettings: { state: "Enabled", mode: "Detection", requestBodyCheck: true }, managedRules: { managedRuleSets: [{ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" }] } },
                source: "https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview",
                expect: { "waf-prevention": /^policySettings\.mode is "Detection"/ },
            },
            {
                name: "web-aks", type: "azure-native:containerservice/v20240801:ManagedCluster", protect: true,
                props: { dnsPrefix: "web", agentPoolProfiles: [{ name: "system", mode: "System", count: 3, vmSize: "Standard_D4ds_v5" }], networkProfile: { networkPlugin: "azure", networkPolicy: "cilium", networkDataplane: "cilium" }, disableLocalAccounts: true, apiServerAccessProfile: { authorizedIPRanges: ["203.0.113.0/24"] } },
                source: "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
                expect: { "aks-private-cluster": /^apiServerAccessProfile\.enablePrivateCluster is undefined; set true\.$/ },
            },
        ],
    },
    {
        stack: "mesh-helm/prod",
        what: "istiod from an OCI chart through helm.v3.Release, mesh-wide STRICT, keys from @pulumi/tls",
        resources: [
            {
                name: "istiod", type: "kubernetes:helm.sh/v3:Release",
                props: {
                    chart: "oci://registry.example.com/istio-charts/istiod", version: "1.30.3", namespace: "istio-system",
                    values: { meshConfig: { meshMTLS: { minProtocolVersion: "TLSV1_3" }, tlsDefaults: { minProtocolVersion: "TLSV1_2", cipherSuites: ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"] } } },
                },
                source: "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/", expect: {},
            },
            {
                name: "mesh-strict", type: "kubernetes:security.istio.io/v1:PeerAuthentication",
                props: { metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode: "STRICT" } } },
                source: "https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/", expect: {},
            },
            {
                name: "ca-key", type: "tls:index/privateKey:PrivateKey", props: { algorithm: "RSA", rsaBits: 4096 },
                source: "https://www.pulumi.com/registry/packages/tls/api-docs/privatekey/", expect: {},
            },
            {
                // The provider's default curve is P224.
                name: "webhook-key", type: "tls:index/privateKey:PrivateKey", props: { algorithm: "ECDSA" },
                source: "https://www.pulumi.com/registry/packages/tls/api-docs/privatekey/",
                expect: { "tls-private-key-strength": /^ecdsaCurve is "P224 \(the provider default\)"/ },
            },
        ],
    },
];

/** A resource's URN in its stack. */
export function foreignUrn(stack: ForeignStack, r: Pick<ForeignResource, "type" | "name">): string {
    const [project, stackName] = stack.stack.split("/");
    return `urn:pulumi:${stackName}::${project}::${r.type}::${r.name}`;
}

/** The stack as the engine holds it after a preview (the props as inputs and outputs). */
export function foreignCheckpoint(stack: ForeignStack): Checkpoint {
    const urns = new Map(stack.resources.map((r) => [r.name, foreignUrn(stack, r)]));
    return {
        version: 3,
        deployment: {
            manifest: { time: "1970-01-01T00:00:00Z", magic: "test", version: "test" },
            resources: stack.resources.map((r) => ({
                urn: urns.get(r.name)!,
                custom: true,
                type: r.type,
                inputs: r.props,
                outputs: r.props,
                protect: r.protect ?? false,
                dependencies: (r.dependsOn ?? []).map((name) => urns.get(name)!),
            })),
        },
    };
}
