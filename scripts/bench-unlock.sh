#!/usr/bin/env bash
# scripts/bench-unlock.sh [ROUNDS]: how long after `docker tag` returns does `learn-registry start` show
# the step unlocked? Drives the binary in a pseudo-terminal against the lab (tests/start.rs,
# `bench_unlock`, ignored by normal test runs) and prints min, median and worst of ROUNDS (default 20).
# With BENCH_BIN (scripts/bench.sh sets it to its release binary) the debug build of the test drives
# that binary, which spares a release build of the test and its dev-dependencies; without it the test
# is built in release and drives its own release binary.
set -euo pipefail
REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash scripts/lab.sh status >/dev/null || { echo "the lab is not running: scripts/lab.sh up" >&2; exit 2; }
[[ -n ${LAB_REGISTRY:-} ]] || eval "$(bash scripts/lab.sh env)"
profile=(--release)
if [[ -n ${BENCH_BIN:-} ]]; then
	BENCH_BIN=$(realpath -- "$BENCH_BIN")
	export BENCH_BIN
	profile=()
fi
BENCH_ROUNDS=${1:-20} cargo test "${profile[@]}" --test start -- --ignored --exact bench_unlock --nocapture 2>&1 \
    | grep -E "unlock delay|panicked|error" || { echo "the benchmark did not run" >&2; exit 1; }
