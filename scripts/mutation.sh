#!/usr/bin/env bash
# npm run mutation [-- <module>...]: StrykerJS over each module of stryker.config.mjs (all of them by default).
# Fails when any module scores under the break threshold; each module's report is in reports/mutation/<module>/.
set -euo pipefail
cd "$(dirname "$0")/.."
modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
    modules=(network mesh kyverno gateway cluster policies)
fi
status=0
for module in "${modules[@]}"; do
    echo "== mutation: $module"
    PLATFORM_MUTATION_MODULE="$module" npx stryker run stryker.config.mjs || status=1
done
exit $status
