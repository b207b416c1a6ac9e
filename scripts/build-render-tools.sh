#!/usr/bin/env bash
# Builds the render check's tools (scripts/render.ts) into bin/tools/ (ignored), each from its wrapper module under
# scripts/tools/<module>/, whose go.mod and go.sum are the pins: Helm, the Kyverno CLI, kube-apiserver + kubectl +
# etcd, and the NetworkPolicy evaluator (a small program over cyclonus's matcher). Reuses Go's module and build
# caches; a no-op when every module's binaries were built from its current go.mod, go.sum and sources.
# Usage: bash scripts/build-render-tools.sh [module...]   (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/bin/tools"
mkdir -p "$out"

# The version a module requires of a dependency, from go.mod alone (no module graph is loaded: kyverno's names
# modules the proxy refuses, which only a full graph load would fetch).
required() {
  go mod edit -json "scripts/tools/$1/go.mod" |
    node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const r = (m.Require ?? []).find((r) => r.Path === process.argv[1]);
      if (!r) { console.error(`${process.argv[1]} is not required`); process.exit(1); }
      process.stdout.write(r.Version)' "$2"
}

# build <module> <ldflags> <binary>=<package>...: the binaries are current when the module's stamp holds the hash
# of its pins and sources.
build() {
  local module=$1 ldflags=$2
  shift 2
  local dir="scripts/tools/$module" stamp="$out/.$module.stamp" hash current=true
  hash=$(cat "$dir"/go.mod "$dir"/go.sum $(find "$dir" -name '*.go' | sort) | sha256sum | cut -c1-16)
  for target in "$@"; do [ -x "$out/${target%%=*}" ] || current=false; done
  if $current && [ "$(cat "$stamp" 2> /dev/null)" = "$hash" ]; then
    echo "$module: current"
    return
  fi
  local start=$SECONDS
  for target in "$@"; do
    (cd "$dir" && go build -ldflags "$ldflags" -o "$out/${target%%=*}" "${target#*=}")
  done
  echo "$hash" > "$stamp"
  echo "$module: built in $((SECONDS - start)) s"
}

modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(helm kyverno kubernetes netpol)
for module in "${modules[@]}"; do
  case "$module" in
    helm)
      v=$(required helm helm.sh/helm/v3)
      build helm "-X helm.sh/helm/v3/internal/version.version=$v" helm=helm.sh/helm/v3/cmd/helm ;;
    kyverno)
      v=$(required kyverno github.com/kyverno/kyverno)
      build kyverno "-X github.com/kyverno/kyverno/pkg/version.BuildVersion=$v" kubectl-kyverno=github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno ;;
    kubernetes)
      v=$(required kubernetes k8s.io/kubernetes)
      # Each staging module is replaced with the tag of the same release (v1.X.Y -> v0.X.Y); a bump of
      # k8s.io/kubernetes alone (Renovate's) would build it against the previous release's libraries.
      stale=$(go mod edit -json scripts/tools/kubernetes/go.mod |
        node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
          process.stdout.write((m.Replace ?? []).filter((r) => r.Old.Path.startsWith("k8s.io/") && r.New.Version !== process.argv[1])
            .map((r) => `${r.Old.Path} => ${r.New.Version}`).join(", "))' "v0.${v#v1.}")
      if [ -n "$stale" ]; then
        echo "kubernetes: k8s.io/kubernetes $v, but $stale; re-pin with: bash scripts/tools/kubernetes/pin.sh $v" >&2
        exit 1
      fi
      minor=${v#v1.}
      minor=${minor%%.*}
      build kubernetes "-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
        kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kubectl=k8s.io/kubernetes/cmd/kubectl etcd=go.etcd.io/etcd/server/v3 ;;
    netpol)
      build netpol "" netpol=. ;;
    *) echo "unknown module $module (helm, kyverno, kubernetes, netpol)" >&2; exit 2 ;;
  esac
done
