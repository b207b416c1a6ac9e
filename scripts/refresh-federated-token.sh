#!/usr/bin/env bash
# Keeps a fresh GitHub OIDC token for Entra ID in $AZURE_FEDERATED_TOKEN_FILE, for kubelogin's workloadidentity
# mode: GitHub's tokens last minutes, and az cannot renew its own (Azure/azure-cli#28708), while kubelogin reads
# the file again for every new Entra token. Runs in the background for the rest of the job.
#   bash scripts/refresh-federated-token.sh &
set -euo pipefail
: "${ACTIONS_ID_TOKEN_REQUEST_URL:?needs permissions: id-token: write}" "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:?}" "${AZURE_FEDERATED_TOKEN_FILE:?}"
while true; do
  curl -fsS -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" \
    "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange" \
    | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).value))' \
    > "${AZURE_FEDERATED_TOKEN_FILE}.new"
  mv "${AZURE_FEDERATED_TOKEN_FILE}.new" "${AZURE_FEDERATED_TOKEN_FILE}"
  sleep 240
done
