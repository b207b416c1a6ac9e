#!/usr/bin/env bash
# Installs promtool (Debian's `prometheus` package) when it is missing: the alert rules' unit tests run it
# (`promtool test rules`). Idempotent; prints the version it will use.
set -euo pipefail
if ! command -v promtool > /dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q > /dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus > /dev/null
fi
promtool --version | head -1
