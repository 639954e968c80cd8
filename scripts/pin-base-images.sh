#!/usr/bin/env bash
# Pins the Dockerfile's base images by digest: each ARG NODE_IMAGE / RUNTIME_IMAGE tag is
# resolved to the digest its registry serves now and written back as <tag>@sha256:<digest>.
# Run it to pin, and again to bump (it resolves the tag, ignoring the old digest); review
# and commit the Dockerfile. Needs registry access and one of: crane, docker buildx, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."

digest_of() {
  local ref="$1"
  if command -v crane >/dev/null; then
    crane digest "$ref"
  elif docker buildx version >/dev/null 2>&1; then
    docker buildx imagetools inspect "$ref" --format '{{json .Manifest.Digest}}' | tr -d '"'
  elif command -v skopeo >/dev/null; then
    skopeo inspect --format '{{.Digest}}' "docker://$ref"
  else
    echo "need crane, docker buildx or skopeo to read $ref's digest" >&2
    exit 1
  fi
}

for arg in NODE_IMAGE RUNTIME_IMAGE; do
  current="$(sed -n "s/^ARG $arg=//p" Dockerfile)"
  tag="${current%@sha256:*}"
  digest="$(digest_of "$tag")"
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "$tag: no digest ($digest)" >&2; exit 1; }
  sed -i "s|^ARG $arg=.*|ARG $arg=$tag@$digest|" Dockerfile
  echo "$arg=$tag@$digest"
done
