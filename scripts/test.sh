#!/usr/bin/env bash
# scripts/test.sh: the project's test command (README, .ci/run).
#
# Brings the lab up (scripts/lab.sh: Docker Engine 20.10, registries, token server, Podman, Docker 28.5
# with the classic and the containerd image store, the Docker Hub simulation, my-app:latest),
# exports its environment, then runs the same gates CI does: rustfmt, clippy with warnings as errors,
# and every test target. The lab stays up afterwards for the next run, except under CI=true, where it
# is stopped on exit (its data is kept; `scripts/lab.sh down --purge` removes it).
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

if [[ ${CI:-} == true ]]; then
	trap 'scripts/lab.sh down || true' EXIT
fi

scripts/lab.sh up
eval "$(scripts/lab.sh env)"

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
# Includes tests/test_lesson.rs, which runs `learn-registry test-lesson` on every shipped lesson against
# the lab (fail first, solution, pass after, cleanup), so CI proves the course solvable on every run,
# and tests/hub.rs, which runs the course with its defaults inside the Docker Hub simulation.
cargo test --all-targets
