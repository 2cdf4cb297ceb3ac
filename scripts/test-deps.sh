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

# Terminal tools the interactive tests drive: tmux (live-view keys), script(1) from bsdutils
# (a pseudo-terminal for prompts and redraws), man-db (the man page renders); the browser the
# dashboard test drives: chromium and chromium-driver (tests/python/dashboard_browser.py talks
# WebDriver to it with the standard library alone; no browser is downloaded). kubectl comes with
# the machine image; its tests fail under CI when it is missing.
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v script >/dev/null || missing+=(bsdutils)
command -v man >/dev/null || missing+=(man-db)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "test-deps: missing ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
