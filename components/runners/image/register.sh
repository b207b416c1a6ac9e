#!/usr/bin/env bash
# The job's init container: registers one just-in-time runner for this execution and leaves its configuration in
# the volume the runner container reads. Only this container holds the GitHub App's private key; the job's steps
# run in the runner container, which never sees it (docs.github.com, "Using just-in-time runners").
set -euo pipefail
: "${GITHUB_APP_ID:?}" "${GITHUB_APP_INSTALLATION_ID:?}" "${GITHUB_APP_PRIVATE_KEY:?}" "${GITHUB_REPOSITORY:?}" "${RUNNER_LABEL:?}" "${JIT_CONFIG_FILE:?}"
api="${GITHUB_API_URL:-https://api.github.com}"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# The App's JWT (RS256, at most ten minutes; iat a minute back for clock drift): docs.github.com,
# "Generating a JSON Web Token (JWT) for a GitHub App".
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iat":%d,"exp":%d,"iss":"%s"}' $((now - 60)) $((now + 540)) "$GITHUB_APP_ID" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign <(printf '%s\n' "$GITHUB_APP_PRIVATE_KEY") | b64url)
jwt="$header.$payload.$signature"

# An installation token for this repository alone, with only what registering a runner needs.
token=$(curl -fsS -X POST "$api/app/installations/$GITHUB_APP_INSTALLATION_ID/access_tokens" \
    -H "Authorization: Bearer $jwt" -H "Accept: application/vnd.github+json" \
    -d "$(jq -cn --arg repo "${GITHUB_REPOSITORY#*/}" '{repositories: [$repo], permissions: {administration: "write"}}')" | jq -er .token)

# One runner, one job: a just-in-time runner is removed once its job ends. Labels: only this job definition's.
curl -fsS -X POST "$api/repos/$GITHUB_REPOSITORY/actions/runners/generate-jitconfig" \
    -H "Authorization: Bearer $token" -H "Accept: application/vnd.github+json" \
    -d "$(jq -cn --arg name "$RUNNER_LABEL-$(hostname)" --arg runner_label "$RUNNER_LABEL" '{name: $name, runner_group_id: 1, labels: [$runner_label], work_folder: "_work"}')" \
    | jq -er .encoded_jit_config > "$JIT_CONFIG_FILE.partial"
mv "$JIT_CONFIG_FILE.partial" "$JIT_CONFIG_FILE"

# The token is not needed past this point.
curl -fsS -X DELETE "$api/installation/token" -H "Authorization: Bearer $token" -H "Accept: application/vnd.github+json" || true
