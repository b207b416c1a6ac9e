#!/usr/bin/env bash
# Builds the Pulumi CLI, the Node.js language host and the policy analyzer shim into bin/pulumi/ (ignored), for
# `npm run e2e` where no `pulumi` is on PATH (where one is, the e2e runs it and this builds nothing). The pins are the two Go modules under scripts/tools/pulumi/ (go.mod
# and go.sum; a module holds one version of pulumi's sdk, and the CLI and the host need different ones). Reuses
# Go's module and build caches; does nothing when bin/pulumi/ was built from the same pins.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v pulumi > /dev/null; then
  echo "pulumi $(pulumi version) is on PATH ($(command -v pulumi)): npm run e2e runs it, nothing to build"
  exit 0
fi
tools=scripts/tools/pulumi
out=bin/pulumi

# The version a module requires, read from its go.mod.
required() {
  (cd "$1" && go mod edit -json) | node -e '
    const mod = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const req = mod.Require.find((r) => r.Path === process.argv[1]);
    if (!req) { console.error(`${process.argv[1]} is not required`); process.exit(1); }
    console.log(req.Version);' "$2"
}
cli_version=$(required "$tools/cli" github.com/pulumi/pulumi/pkg/v3)
host_version=$(required "$tools/language-nodejs" github.com/pulumi/pulumi/sdk/v3)

stamp="$out/.built-from"
fingerprint=$(cat "$tools"/cli/go.mod "$tools"/cli/go.sum "$tools"/language-nodejs/go.mod "$tools"/language-nodejs/go.sum \
  "$tools"/pulumi-analyzer-policy | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ -x "$out/pulumi" ] && [ -x "$out/pulumi-language-nodejs" ]; then
  echo "bin/pulumi is current: CLI $cli_version, nodejs host $host_version"
  exit 0
fi

mkdir -p "$out"
rm -f "$stamp"
version_flag=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
echo "building Pulumi CLI $cli_version and the nodejs language host $host_version (a cold build takes minutes)"
(cd "$tools/cli" && go build -ldflags "-X $version_flag=$cli_version" -o "$OLDPWD/$out/pulumi" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
(cd "$tools/language-nodejs" && go build -ldflags "-X $version_flag=$host_version" -o "$OLDPWD/$out/pulumi-language-nodejs" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
install -m 0755 "$tools/pulumi-analyzer-policy" "$out/pulumi-analyzer-policy"
echo "$fingerprint" > "$stamp"
echo "built bin/pulumi: $("$out/pulumi" version) (nodejs host $host_version)"
