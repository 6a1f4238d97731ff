#!/usr/bin/env bash
# scripts/bench.sh: speed figures for the README, measured against the real lab (not timed tests).
#
# Prints, for N runs each (default 20): the wall time of `learn-registry lint` over the shipped course,
# and of one `learn-registry check` of the whole course against the lab registry, with a fake-free setup:
# the learner's image is tagged and pushed first so the registry checks do real HEAD requests. Hub checks
# point at a closed loopback port, so they answer "could not verify" at once instead of waiting on DNS.
# Usage: scripts/bench.sh [N]    (the lab must be up: scripts/lab.sh up)
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
runs=${1:-20}
eval "$(scripts/lab.sh env)"
cargo build --release --quiet
bin=target/release/learn-registry
export DOCKER_CONFIG
DOCKER_CONFIG=$(mktemp -d)
trap 'rm -rf "$DOCKER_CONFIG"' EXIT
user=bench$$
repo=$LAB_REGISTRY/$user/python-canvas-client
docker tag my-app:latest "$repo:1.0" && docker push -q "$repo:1.0" >/dev/null

measure() { # label, command...
	local label=$1; shift
	local times=()
	for _ in $(seq "$runs"); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		times+=($(( (t1 - t0) / 1000000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$runs" '
		{ a[NR] = $1 } END { printf "%-48s n=%d  min %d ms  median %d ms  max %d ms\n", label, n, a[1], a[int((n + 1) / 2)], a[n] }'
}

measure "lint (shipped course, 4 lessons)" "$bin" lint
measure "check (whole course, lab registry)" "$bin" check --registry "$LAB_REGISTRY" \
	--hub-api http://127.0.0.1:9 --var "username=$user" --var classmate=classmate1
docker rmi "$repo:1.0" >/dev/null
