#!/usr/bin/env bash
# Registers the Azure resource providers whose resources the program declares. azure-native calls ARM directly
# and registers none itself (pulumi/pulumi-azure-native#3479), so a fresh subscription fails with
# MissingSubscriptionRegistration without this. Idempotent; needs Contributor or Owner on the subscription.
#   bash scripts/register-providers.sh            # the subscription az is signed in to
set -euo pipefail
NAMESPACES=(
  Microsoft.ApiManagement
  Microsoft.App
  Microsoft.Cdn
  Microsoft.Compute
  Microsoft.ContainerRegistry
  Microsoft.ContainerService
  Microsoft.Insights
  Microsoft.KeyVault
  Microsoft.ManagedIdentity
  Microsoft.Network
  Microsoft.OperationalInsights
  Microsoft.PolicyInsights
  Microsoft.Security
  Microsoft.SecurityInsights
  Microsoft.Storage
)
for namespace in "${NAMESPACES[@]}"; do
  az provider register --namespace "$namespace" --wait
  echo "$namespace: $(az provider show --namespace "$namespace" --query registrationState -o tsv)"
done
