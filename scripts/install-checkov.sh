#!/usr/bin/env bash
# Installs Checkov, pinned, from PyPI into its own virtual environment (.ci/.checkov) when it is missing or at
# another version: `npm run scan` runs it from there. Idempotent; prints the version it will use.
set -euo pipefail
cd "$(dirname "$0")/.."
# renovate: datasource=pypi depName=checkov
CHECKOV_VERSION=3.3.30
venv=.ci/.checkov
if [ "$("$venv/bin/checkov" --version 2> /dev/null)" != "$CHECKOV_VERSION" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
echo "checkov $("$venv/bin/checkov" --version)"
