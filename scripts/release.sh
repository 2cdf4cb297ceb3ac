#!/usr/bin/env bash
# Builds the release archive for this machine's platform and writes its version and checksum
# into the krew manifest: a release is this one command, run once per platform.
#
#   scripts/release.sh [--binary PATH] [--out DIR] [--manifest FILE]
#
# Archive layout (what krew's `bin` and the manifest's `uri` rely on):
#   kubectl-kurator_rollout-v<version>-<os>-<arch>.tar.gz
#     kubectl-kurator_rollout            the plugin (kubectl-kurator_rollout.exe on windows)
#     kubectl_complete-kurator_rollout   kubectl's completion helper
#     LICENSE, README.md
set -euo pipefail
cd "$(dirname "$0")/.."
binary=""
out="target/dist"
manifest="krew/kurator-rollout.yaml"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --manifest) manifest="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW*|MSYS*|CYGWIN*) os=windows ;;
  *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
exe=""
[ "$os" = windows ] && exe=".exe"
if [ -z "$binary" ]; then
  cargo build --release --locked
  binary="target/release/kubectl-kurator_rollout$exe"
fi
name="kubectl-kurator_rollout-v${version}-${os}-${arch}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/kubectl-kurator_rollout$exe"
cp kubectl_complete-kurator_rollout LICENSE README.md "$stage/"
mkdir -p "$out"
archive="$out/$name.tar.gz"
# Fixed owner, order and time, so the same inputs give the same checksum.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00:00Z' \
    -C "$stage" -cf - . | gzip -n > "$archive"
sum="$(sha256sum "$archive" | cut -d' ' -f1)"
sed -i -e "s/^  version: v.*/  version: v${version}/" \
       -e "s#/download/v[^/]*/kubectl-kurator_rollout-v[^-]*-#/download/v${version}/kubectl-kurator_rollout-v${version}-#" \
       -e "/-${os}-${arch}\.tar\.gz/{n;s/sha256: .*/sha256: \"${sum}\"/}" "$manifest"
echo "$archive"
echo "sha256 ${sum} written to ${manifest} for ${os}/${arch}"
