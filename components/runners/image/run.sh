#!/usr/bin/env bash
# The job's runner container: runs the just-in-time runner the init container registered; it takes one job and exits.
set -euo pipefail
: "${JIT_CONFIG_FILE:?}"
config=$(cat "$JIT_CONFIG_FILE")
rm -f "$JIT_CONFIG_FILE"
exec /home/runner/run.sh --jitconfig "$config"
