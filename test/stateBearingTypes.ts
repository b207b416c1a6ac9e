/**
 * What holds state a redeploy cannot bring back (seed: "stateful resources are protected"): secrets and keys,
 * backups and logs, the cluster's etcd, API Management's configuration, the edge's domains and certificates, and
 * the databases and backup vaults teams add.
 * Written from the requirement, for the plan's protect flags and the baseline pack's policy alike.
 */
export const STATE_BEARING_TYPES = [
    "azure-native:keyvault:Vault",
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobContainer",
    "azure-native:operationalinsights:Workspace",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:apimanagement:ApiManagementService",
    "azure-native:cdn:Profile",
    "azure-native:sql:Server",
    "azure-native:sql:ManagedInstance",
    "azure-native:dbforpostgresql:Server",
    "azure-native:dbformysql:Server",
    "azure-native:cosmosdb:DatabaseAccount",
    "azure-native:recoveryservices:Vault",
    "azure-native:dataprotection:BackupVault",
];
