#!/usr/bin/env bash
# Re-pins this wrapper module to a k8s.io/kubernetes release: kube-apiserver, kubectl and the etcd that release's
# go.mod requires. k8s.io/kubernetes requires its staging modules (k8s.io/api, client-go, ...) at v0.0.0 and
# replaces them with in-repository paths, which a dependent module does not inherit; each is replaced here with
# its published tag (v1.X.Y -> v0.X.Y), the list read from that go.mod's own replace block.
# Usage: bash scripts/tools/kubernetes/pin.sh v1.34.4
set -euo pipefail
cd "$(dirname "$0")"
version=${1:?usage: pin.sh <k8s.io/kubernetes version, e.g. v1.34.4>}
staging_version="v0.${version#v1.}"
upstream_mod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')
etcd_version=$(go mod edit -json "$upstream_mod" |
  node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    process.stdout.write(m.Require.find((r) => r.Path === "go.etcd.io/etcd/server/v3").Version)')
staging=$(go mod edit -json "$upstream_mod" |
  node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    process.stdout.write(m.Replace.filter((r) => r.New.Path.startsWith("./staging/")).map((r) => r.Old.Path).join("\n"))')
rm -f go.mod go.sum
go mod init platform/tools/kubernetes > /dev/null 2>&1
for module in $staging; do go mod edit -replace "$module=$module@$staging_version"; done
go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$version" "k8s.io/kubernetes/cmd/kubectl@$version" \
  "go.etcd.io/etcd/server/v3@$etcd_version"
echo "pinned k8s.io/kubernetes $version ($(echo "$staging" | wc -l) staging modules at $staging_version), etcd $etcd_version"
