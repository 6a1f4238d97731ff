#!/usr/bin/env bash
# scripts/bench-unlock.sh [ROUNDS]: how long after `docker tag` returns does `learn-registry start` show
# the step unlocked? Drives the release binary in a pseudo-terminal against the lab (tests/start.rs,
# `bench_unlock`, ignored by normal test runs) and prints min, median and worst of ROUNDS (default 20).
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash scripts/lab.sh status >/dev/null || { echo "the lab is not running: scripts/lab.sh up" >&2; exit 2; }
eval "$(bash scripts/lab.sh env)"
BENCH_ROUNDS=${1:-20} cargo test --release --test start -- --ignored --exact bench_unlock --nocapture 2>&1 \
    | grep -E "unlock delay|panicked|error" || { echo "the benchmark did not run" >&2; exit 1; }
