#!/usr/bin/env bash
# Scans the images the platform runs, at their pinned versions (npm run -s images), with Trivy built from its Go
# module at the version scripts/tools/trivy/go.mod pins, and fails on a CRITICAL vulnerability that has a fixed
# version (--severity CRITICAL --ignore-unfixed --exit-code 1).
#
# Trivy needs two things no package registry serves: its vulnerability database (the OCI artifact
# mirror.gcr.io/aquasec/trivy-db:2, falling back to ghcr.io/aquasecurity/trivy-db:2) and the images' layers (docker.io, quay.io, ghcr.io, registry.k8s.io). ci.yml runs this on GitHub,
# where both are reachable. Where they are not (.ci/run on machines that reach only package registries), the
# script says so and exits 0 without building Trivy: the build alone takes most of an hour on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
trivy_version=$(sed -n 's#^[[:space:]]*github.com/aquasecurity/trivy \(v[^ ]*\).*$#\1#p' scripts/tools/trivy/go.mod)
if [ "${GITHUB_ACTIONS:-}" != "true" ] && ! getent hosts mirror.gcr.io ghcr.io > /dev/null; then
  echo "image scan skipped: mirror.gcr.io and ghcr.io (Trivy's vulnerability database, aquasec/trivy-db:2) do not resolve here;"
  echo "no package registry (npm, PyPI, Go module proxy, crates.io, Maven Central, Debian) serves the database or"
  echo "the images' layers. The scan runs in ci.yml (job image-scan) with Trivy ${trivy_version}."
  exit 0
fi
bin="$PWD/bin/trivy-$trivy_version"
if [ ! -x "$bin/trivy" ]; then
  # Trivy's release builds set GOEXPERIMENT=jsonv2 (it imports encoding/json/v2).
  (cd scripts/tools/trivy && GOEXPERIMENT=jsonv2 go build -ldflags "-X github.com/aquasecurity/trivy/pkg/version/app.ver=${trivy_version#v}" \
    -o "$bin/trivy" github.com/aquasecurity/trivy/cmd/trivy)
fi
"$bin/trivy" --version
"$bin/trivy" image --download-db-only --no-progress
status=0
while read -r image; do
  echo "== $image"
  "$bin/trivy" image --skip-db-update --scanners vuln --severity CRITICAL --ignore-unfixed --exit-code 1 --no-progress "$image" || status=1
done < <(npm run -s images)
exit "$status"
