import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import { assignRole } from "../shared/roleAssignment";
import { privateBlobAccount } from "../shared/storageAccount";
import { workloadIdentity } from "../shared/workloadIdentity";
import { LOKI_SERVICE_ACCOUNT, TELEMETRY_CONTAINERS, TEMPO_SERVICE_ACCOUNT, type AzureBlobTelemetry } from "./backends";

export interface TelemetryStorageArgs {
    /** Short name used in Azure resource names, e.g. `platform-dev`. */
    namePrefix: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    sku: "Standard_LRS" | "Standard_ZRS";
    privateEndpointSubnetId: pulumi.Input<string>;
    blobDnsZoneId: pulumi.Input<string>;
    /** The cluster's OIDC issuer: Loki's and Tempo's service accounts sign in through it. */
    oidcIssuerUrl: pulumi.Input<string>;
    /** The namespace Observability deploys Loki and Tempo into: their service accounts are federated there. */
    serviceAccountNamespace: string;
    tags: Record<string, string>;
}

/**
 * Where Loki and Tempo keep their data: a private, key-less storage account (protected, with its containers),
 * and a workload identity for each of them.
 */
export class TelemetryStorage extends pulumi.ComponentResource {
    public readonly backend: AzureBlobTelemetry;

    constructor(name: string, args: TelemetryStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:TelemetryStorage", name, {}, opts);
        const { namePrefix, location, resourceGroupName, subscriptionId, tags } = args;

        const account = privateBlobAccount(name, {
            namePrefix,
            purposeTag: "tl",
            location,
            resourceGroupName,
            sku: args.sku,
            accessTier: storage.AccessTier.Hot,
            privateEndpointSubnetId: args.privateEndpointSubnetId,
            blobDnsZoneId: args.blobDnsZoneId,
            tags,
        }, { parent: this });

        // One identity per service account, allowed to write only its own containers.
        const writer = (serviceAccount: string, containerNames: string[]) => {
            const identity = workloadIdentity(`${name}-${serviceAccount}`, {
                identityName: `id-${namePrefix}-${serviceAccount}`,
                resourceGroupName,
                location,
                oidcIssuerUrl: args.oidcIssuerUrl,
                serviceAccount: { namespace: args.serviceAccountNamespace, name: serviceAccount },
                tags,
            }, { parent: this });
            for (const containerName of containerNames) {
                const container = new storage.BlobContainer(`${name}-${containerName}`, {
                    containerName,
                    accountName: account.name,
                    resourceGroupName,
                    publicAccess: storage.PublicAccess.None,
                }, { parent: this, protect: true });
                assignRole(`${name}-${containerName}-writer`, {
                    principalId: identity.principalId,
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    role: "Storage Blob Data Contributor",
                    scope: container.id,
                    subscriptionId,
                    purpose: `${namePrefix}/${containerName}/storage-blob-data-contributor`,
                }, { parent: this });
            }
            return identity.clientId;
        };
        const lokiClientId = writer(LOKI_SERVICE_ACCOUNT, [TELEMETRY_CONTAINERS.lokiChunks, TELEMETRY_CONTAINERS.lokiRuler]);
        const tempoClientId = writer(TEMPO_SERVICE_ACCOUNT, [TELEMETRY_CONTAINERS.tempoTraces]);

        this.backend = { kind: "azureBlob", storageAccountName: account.name, lokiClientId, tempoClientId };
        this.registerOutputs({ storageAccountName: account.name, lokiClientId, tempoClientId });
    }
}
