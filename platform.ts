/**
 * The program body: composes the components from a validated config. `index.ts` calls it with the stack's
 * config; the offline plan calls it the same way.
 */
import { Provider as AzureProvider } from "@pulumi/azure-native/provider";
import type { PlatformConfig } from "./config";
import { ENVIRONMENT_PROFILES } from "./config/profiles";
import { Provider as RandomProvider } from "@pulumi/random";
import { Gateway } from "./components/gateway";
import { Network } from "./components/network";

export function definePlatform(config: PlatformConfig) {
    const profile = ENVIRONMENT_PROFILES[config.environment];
    const namePrefix = `platform-${config.environment}`;
    const tags = {
        environment: config.environment,
        owner: config.tags.owner,
        costCenter: config.tags.costCenter,
        managedBy: "pulumi",
    };
    const azureProvider = new AzureProvider("azure", { location: config.location });
    const randomProvider = new RandomProvider("random");

    const net = new Network("network", {
        namePrefix,
        location: config.location,
        config: config.network,
        tags,
        logRetentionDays: profile.logRetentionDays,
        protectStateful: profile.protectStateful,
    }, { providers: [azureProvider] });

    const gateway = new Gateway("gateway", {
        namePrefix,
        location: config.location,
        resourceGroupName: net.resourceGroupName,
        tags,
        protectStateful: profile.protectStateful,
    }, { providers: [azureProvider, randomProvider] });

    return {
        keyVaultUri: gateway.keyVaultUri,
        resourceGroupName: net.resourceGroupName,
        vnetId: net.vnetId,
    };
}
