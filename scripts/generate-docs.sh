#!/usr/bin/env bash
# Regenerates the shell completions and the man page from the command definitions.
# A test fails when these files are stale; run this after changing flags or verbs.
set -euo pipefail
cd "$(dirname "$0")/.."
# Default features: the shipped binary has `playground` and `demo`.
cargo build --quiet
bin=target/debug/kubectl-kurator_rollout
"$bin" completion bash > completions/kubectl-kurator_rollout.bash
"$bin" completion zsh > completions/_kubectl-kurator_rollout
"$bin" completion fish > completions/kubectl-kurator_rollout.fish
"$bin" completion powershell > completions/kubectl-kurator_rollout.ps1
"$bin" completion elvish > completions/kubectl-kurator_rollout.elv
"$bin" __man > man/kubectl-kurator_rollout.1
echo "completions/ and man/ regenerated"
