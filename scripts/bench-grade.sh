#!/usr/bin/env bash
# scripts/bench-grade.sh [N]: only the grade row of scripts/bench.sh (N students, default 1000, against
# a sequential `curl -I` loop of the same look-ups), for when the rest of the table is not wanted.
set -euo pipefail
BENCH_STUDENTS=${1:-${BENCH_STUDENTS:-1000}} exec "$(dirname -- "${BASH_SOURCE[0]}")/bench.sh" grade
