#!/usr/bin/env bash
# Installs what the test suite needs besides Rust, from the package registries, so that
# `cargo test --workspace` runs every test (under CI=true a missing tool fails its test):
# - a Python virtual environment with the official `kubernetes` client (tests/python/), in
#   target/test-venv, where tests/cli/python_client.rs looks for it.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/test-venv
if ! "$venv/bin/python" -c 'import kubernetes' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'kubernetes==37.0.2'
fi
"$venv/bin/python" -c 'import kubernetes; print("python kubernetes client", kubernetes.__version__)'
