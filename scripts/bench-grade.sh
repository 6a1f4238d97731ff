#!/usr/bin/env bash
# scripts/bench-grade.sh: how fast `learn-registry grade` judges a big class, next to the plainest
# alternative: a sequential shell loop of `curl -I` doing the same HEAD look-ups.
#
# The class: N students (default 1000) graded on tests/fixtures/grade-lessons/publish.yaml, whose five
# remote checks per student are registry_tag :1.0, registry_tag :2.0, repository_public,
# repository_private and the classmate's registry_tag :1.0 (five HEAD manifest requests). Tagging and
# pushing 1,000 images through dockerd would take far longer than the grading, so only the first
# PUSHED students (default 10) really push (`docker tag` + `docker push` of 1.0 and 2.0; the layers are
# shared, so each is a manifest upload); the rest have pushed nothing, which is also the expensive path
# for `grade` (a missing tag is diagnosed with a `tags/list` request, which the curl loop does not do).
# Each run uses a fresh project name, so runs never see each other's tags.
#
# Prints wall time and peak memory (`/usr/bin/time -v`) of the grade, the wall time of the curl loop,
# and the ratio. Usage: scripts/bench-grade.sh [N] [PUSHED] [CONCURRENCY]   (the lab must be up)
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
students=${1:-1000}
pushed=${2:-10}
concurrency=${3:-8}
eval "$(scripts/lab.sh env)"
[[ -x /usr/bin/time ]] || { echo "bench-grade: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/learn-registry
work=$(mktemp -d)
export DOCKER_CONFIG=$work/docker
mkdir -p "$DOCKER_CONFIG"
pushed_refs=()
cleanup() {
	((${#pushed_refs[@]})) && docker rmi "${pushed_refs[@]}" >/dev/null 2>&1 || true
	rm -rf -- "$work"
}
trap cleanup EXIT

project=bench$$x$(date +%s)
roster=$work/roster.csv
echo "student,username,classmate,project" >"$roster"
for ((i = 0; i < students; i++)); do
	printf 'Student %d,user%05d,user%05d,%s\n' "$i" "$i" $(((i + 1) % students)) "$project" >>"$roster"
done

t0=$(date +%s%N)
for ((i = 0; i < pushed && i < students; i++)); do
	for tag in 1.0 2.0; do
		ref=$(printf '%s/user%05d/%s:%s' "$LAB_REGISTRY" "$i" "$project" "$tag")
		docker tag my-app:latest "$ref"
		docker push -q "$ref" >/dev/null
		pushed_refs+=("$ref")
	done
done
t1=$(date +%s%N)
printf 'setup: %d students, %d of them pushed 1.0 and 2.0 (%d ms)\n' "$students" "$pushed" $(((t1 - t0) / 1000000))

# grade, with /usr/bin/time -v for the peak resident set.
t0=$(date +%s%N)
/usr/bin/time -v -o "$work/time.txt" "$bin" grade --roster "$roster" --registry "$LAB_REGISTRY" \
	--lessons-dir tests/fixtures/grade-lessons --lesson publish-an-image \
	--concurrency "$concurrency" --format csv --out "$work/grades.csv" 2>/dev/null || true
t1=$(date +%s%N)
grade_ms=$(((t1 - t0) / 1000000))
peak_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
rows=$(($(wc -l <"$work/grades.csv") - 1))
pass=$(grep -c ',pass,' "$work/grades.csv" || true)
unknown=$(grep -c ',unknown,' "$work/grades.csv" || true)

# The same HEAD look-ups, one `curl -I` after another.
accept='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'
head_code() { curl -s -o /dev/null -w '%{http_code}' -I -H "Accept: $accept" "http://$LAB_REGISTRY/v2/$1/manifests/$2"; }
ok=0
t0=$(date +%s%N)
for ((i = 0; i < students; i++)); do
	me=$(printf 'user%05d/%s' "$i" "$project")
	mate=$(printf 'user%05d/%s' $(((i + 1) % students)) "$project")
	for lookup in "$me 1.0" "$me 2.0" "$me latest" "$me latest" "$mate 1.0"; do
		# shellcheck disable=SC2086
		[[ $(head_code $lookup) == 200 ]] && ok=$((ok + 1))
	done
done
t1=$(date +%s%N)
curl_ms=$(((t1 - t0) / 1000000))

printf '\n%-58s %10s %12s\n' "what ($students students × 5 remote checks)" "wall" "peak RSS"
printf '%-58s %8d ms %9d KiB\n' "learn-registry grade --concurrency $concurrency (release)" "$grade_ms" "$peak_kb"
printf '%-58s %8d ms %12s\n' "sequential curl -I loop ($((students * 5)) HEAD requests)" "$curl_ms" "-"
awk -v g="$grade_ms" -v c="$curl_ms" 'BEGIN { printf "ratio (curl loop / grade): %.1fx\n", c / g }'
printf 'grade: %d cells, %d passed, %d could not be verified; curl: %d of %d HEADs answered 200\n' \
	"$rows" "$pass" "$unknown" "$ok" $((students * 5))
