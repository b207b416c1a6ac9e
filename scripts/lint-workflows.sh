#!/usr/bin/env bash
# Lints .github/workflows with actionlint (expressions, contexts, action inputs, job graph), built from its Go
# module at the pinned version into bin/ (ignored), reusing Go's caches when they exist.
set -euo pipefail
cd "$(dirname "$0")/.."
# renovate: datasource=go depName=github.com/rhysd/actionlint
ACTIONLINT_VERSION=v1.7.12
bin="$PWD/bin/actionlint-$ACTIONLINT_VERSION"
if [ ! -x "$bin/actionlint" ]; then
  GOBIN="$bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
"$bin/actionlint" -no-color .github/workflows/*.yml
echo "actionlint $ACTIONLINT_VERSION: .github/workflows clean"
