#!/usr/bin/env bash
# scripts/bench.sh [ROW...]: issue 12's speed table, measured in one run against the real lab, each row
# next to the alternative a user has, with the ratio and the peak memory. Rows (default: all of them):
#   grade      grade N students (BENCH_STUDENTS, default 1000) × tests/fixtures/grade-lessons/publish.yaml
#              vs scripts/bench/curl-loop.sh, a sequential `curl -I` loop of the same HEAD look-ups
#   check      check of the whole shipped course for a solved learner vs scripts/bench/check-course.sh,
#              the same facts asked with docker, curl and jq
#   grade-big  grade BENCH_BIG_CLASS students (default 10000): time and memory, no alternative
#   lint       lint of 100 lessons (25 copies of the shipped course with distinct ids)
#   list       `list` start-up
#   unlock     `docker tag` → step shown unlocked (scripts/bench-unlock.sh, a pseudo-terminal test: its debug
#              build drives the release binary)
# Times are hyperfine medians of BENCH_RUNS runs (default 10; BENCH_HEAVY_RUNS for grade, grade-big and
# the curl loop, default BENCH_RUNS) after one warm-up (none for heavy rows run fewer times); peak RSS is the largest `/usr/bin/time` saw
# (over the timed runs for grade rows, over three runs apart for the millisecond rows). Hub checks point at a closed loopback port (BENCH_HUB_API), so they answer "could not
# verify" at once on both sides. BENCH_BIN runs an existing binary instead of building target/release.
# No figure here is asserted by a test: this prints, the README quotes.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
runs=${BENCH_RUNS:-10}
heavy_runs=${BENCH_HEAVY_RUNS:-$runs}
students=${BENCH_STUDENTS:-1000}
big_class=${BENCH_BIG_CLASS:-10000}
hub_api=${BENCH_HUB_API:-http://127.0.0.1:9}
rows=("$@")
((${#rows[@]})) || rows=(grade check grade-big lint list unlock)
for tool in hyperfine jq /usr/bin/time docker curl; do
	command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install hyperfine jq time)" >&2; exit 1; }
done
[[ -n ${LAB_REGISTRY:-} ]] || eval "$(scripts/lab.sh env)"
if [[ -n ${BENCH_BIN:-} ]]; then
	bin=$BENCH_BIN
else
	cargo build --release --quiet
	bin=${CARGO_TARGET_DIR:-target}/release/learn-registry
fi
work=$(mktemp -d)
export DOCKER_CONFIG=$work/docker
mkdir -p "$DOCKER_CONFIG"
tagged=()
cleanup() {
	((${#tagged[@]})) && docker rmi "${tagged[@]}" >/dev/null 2>&1
	rm -rf -- "$work"
}
trap cleanup EXIT

# measure NAME RUNS COMMAND...: hyperfine median and range, and the peak RSS, into $work/NAME.{json,rss}.
# The command runs without a shell (-N). Rows of seconds (grade, curl, grade-big) run under /usr/bin/time,
# whose own start (~1 ms) is nothing there; rows of milliseconds are timed bare and their peak RSS taken
# from three separate /usr/bin/time runs, so the figure is the command's alone.
measure() {
	local name=$1 n=$2 warmup=1; shift 2
	# The heavy rows run long enough that a warm-up run would only add minutes.
	((n == heavy_runs && heavy_runs < runs)) && warmup=0
	local cmd timed=0
	case $name in grade | curl | grade-big) timed=1 ;; esac
	if ((timed)); then
		cmd=$(printf '%q ' /usr/bin/time -f %M -a -o "$work/$name.rss" "$@")
	else
		cmd=$(printf '%q ' "$@")
	fi
	hyperfine -N --runs "$n" --warmup "$warmup" --ignore-failure --style none --export-json "$work/$name.json" \
		-- "$cmd" >/dev/null 2>&1 || { echo "bench: hyperfine failed on $name: $*" >&2; return 1; }
	if ((!timed)); then
		for _ in 1 2 3; do /usr/bin/time -f %M -a -o "$work/$name.rss" "$@" >/dev/null 2>&1 || true; done
	fi
}
# instructions COMMAND...: the instructions the process executed (callgrind, all threads), a figure the
# machine's load does not change; empty without valgrind or with BENCH_CALLGRIND=0.
instructions() {
	[[ ${BENCH_CALLGRIND:-1} != 0 ]] && command -v valgrind >/dev/null || return 0
	local out rc=0
	out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null) || rc=$?
	# A check that could not verify everything exits 3; its instruction count still stands. A process
	# that died (a signal) counted only part of its work.
	if ((rc > 3)) || grep -q 'Process terminating' <<<"$out"; then
		printf 'no instruction count (exit %s under valgrind)' "$rc"
		return 0
	fi
	sed -nE 's/.*Collected : ([0-9]+).*/\1/p' <<<"$out" | awk '{ printf "%.1f M instructions", $1 / 1e6 }'
}
median_ms() { jq -r '.results[0].median * 1000' "$work/$1.json"; }
# range NAME: the fastest and slowest run, in the unit fmt_ms gives the median.
range() {
	jq -r '.results[0] | if .median >= 1 then "\(.min * 100 | floor / 100)–\(.max * 100 | ceil / 100) s"
		else "\(.min * 1000 | floor)–\(.max * 1000 | ceil) ms" end' "$work/$1.json"
}
peak_mb() { sort -n "$work/$1.rss" | tail -n1 | awk '{ printf "%.0f MB", $1 / 1024 }'; }
fmt_ms() { awk -v t="$1" 'BEGIN { if (t >= 1000) printf "%.2f s", t / 1000; else printf "%.1f ms", t }'; }
# row WHAT NAME ALT_LABEL ALT_NAME GOAL [RATIO]: one line of the table; with an alternative (ALT_NAME
# not empty) the ratio is the alternative's median over ours, else RATIO or —.
row() {
	local what=$1 name=$2 alt_label=$3 alt=$4 goal=$5 ratio=${6:-—}
	local ours alt_cell="—"
	ours="$(fmt_ms "$(median_ms "$name")") ($(range "$name")), $(peak_mb "$name")"
	if [[ -n $alt ]]; then
		alt_cell="$alt_label: $(fmt_ms "$(median_ms "$alt")") ($(range "$alt")), $(peak_mb "$alt")"
		ratio=$(awk -v a="$(median_ms "$alt")" -v o="$(median_ms "$name")" 'BEGIN { printf "%.1f×", a / o }')
	fi
	printf '| %s | %s | %s | %s | %s |\n' "$what" "$ours" "$alt_cell" "$ratio" "$goal" >>"$work/table.md"
}

# A class of N students on the open lab registry: the first 10 pushed 1.0 and 2.0 (the layers are shared,
# so each push is a manifest upload); the others pushed nothing, which is grade's expensive path.
class() { # N PROJECT: writes the roster $roster (not in a subshell: $tagged must keep its additions)
	local n=$1 project=$2
	roster=$work/roster-$1.csv
	echo "student,username,classmate,project" >"$roster"
	for ((i = 0; i < n; i++)); do
		printf 'Student %d,user%05d,user%05d,%s\n' "$i" "$i" $(((i + 1) % n)) "$project" >>"$roster"
	done
	for ((i = 0; i < 10 && i < n; i++)); do
		for tag in 1.0 2.0; do
			local ref
			ref=$(printf '%s/user%05d/%s:%s' "$LAB_REGISTRY" "$i" "$project" "$tag")
			docker tag my-app:latest "$ref" && docker push -q "$ref" >/dev/null
			tagged+=("$ref")
		done
	done
}
grade_cmd() { # ROSTER
	echo "$bin" grade --roster "$1" --registry "$LAB_REGISTRY" --lessons-dir tests/fixtures/grade-lessons \
		--lesson publish-an-image --format csv --out "$work/grades.csv"
}

echo "| what | learn-registry: median (range), peak RSS | the alternative: median (range), peak RSS | ratio | goal |" >"$work/table.md"
echo "|---|---|---|---|---|" >>"$work/table.md"
notes=()
for r in "${rows[@]}"; do
	case $r in
	grade)
		project=bench$$g$(date +%s)
		class "$students" "$project"
		# shellcheck disable=SC2046
		measure grade "$heavy_runs" $(grade_cmd "$roster")
		BENCH_CURL_SUMMARY=$work/curl.summary measure curl "$heavy_runs" \
			bash scripts/bench/curl-loop.sh "$students" "$project" "$LAB_REGISTRY"
		notes+=("grade: $(($(wc -l <"$work/grades.csv") - 1)) cells, $(grep -c ',pass,' "$work/grades.csv" || true) passed; curl: $(cat "$work/curl.summary")")
		row "\`grade\` $students students × the push lesson" grade "sequential \`curl -I\` loop, $((students * 5)) HEADs" curl "≥ 20×, < 50 MB"
		;;
	check)
		user=bench$$c
		mate=bench$$m
		repo=$LAB_REGISTRY/$user/python-canvas-client
		mate_repo=$LAB_REGISTRY/$mate/python-canvas-client
		echo bench | docker login -u "$user" --password-stdin "$LAB_REGISTRY" >/dev/null 2>&1 ||
			echo "bench: docker login to $LAB_REGISTRY failed; logged_in will fail on both sides" >&2
		for ref in "$repo:1.0" "$repo:2.0" "$mate_repo:1.0"; do
			docker tag my-app:latest "$ref"
			tagged+=("$ref")
		done
		docker push -q "$repo:1.0" >/dev/null && docker push -q "$mate_repo:1.0" >/dev/null
		docker pull -q "$repo:1.0" >/dev/null && docker pull -q "$mate_repo:1.0" >/dev/null
		measure check "$runs" "$bin" check --registry "$LAB_REGISTRY" --hub-api "$hub_api" \
			--var "username=$user" --var "classmate=$mate"
		measure check-sh "$runs" bash scripts/bench/check-course.sh "$LAB_REGISTRY" "$user" "$mate" "$hub_api"
		passed=$({ "$bin" check --registry "$LAB_REGISTRY" --hub-api "$hub_api" --var "username=$user" \
			--var "classmate=$mate" --format json 2>/dev/null || true; } |
			jq -r '[.. | .status? // empty] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' 2>/dev/null || true)
		notes+=("check: statuses $passed; shell script: $(bash scripts/bench/check-course.sh "$LAB_REGISTRY" "$user" "$mate" "$hub_api" | awk '{ n[$1]++ } END { for (k in n) printf "%s %d  ", k, n[k] }')")
		notes+=("check: $(instructions "$bin" check --registry "$LAB_REGISTRY" --hub-api "$hub_api" --var "username=$user" --var "classmate=$mate")")
		row "\`check\` of the whole course, a solved learner" check "scripts/bench/check-course.sh (docker, curl, jq)" check-sh "≥ 5×"
		;;
	grade-big)
		project=bench$$b$(date +%s)
		class "$big_class" "$project"
		# shellcheck disable=SC2046
		measure grade-big "$heavy_runs" $(grade_cmd "$roster")
		# Linear time: the big class's median against the grade row's, when that ran too.
		linear=—
		[[ -f $work/grade.json ]] && linear=$(awk -v b="$(median_ms grade-big)" -v g="$(median_ms grade)" \
			-v n="$students" 'BEGIN { printf "%.1f × the %d-student median", b / g, n }')
		row "\`grade\` $big_class students (same registry)" grade-big "" "" "< 100 MB, time linear" "$linear"
		;;
	lint)
		lessons=$work/lessons-100
		mkdir -p "$lessons"
		for ((k = 1; k <= 25; k++)); do
			for f in lessons/container-registries/*.yaml; do
				sed -E "s/^id: (.*)$/id: \\1-c$k/; /^requires:/ s/([a-z0-9-]+)(,|\\])/\\1-c$k\\2/g" "$f" \
					>"$lessons/c$k-$(basename "$f")"
			done
		done
		"$bin" lint "$lessons" >/dev/null 2>&1 || { echo "bench: the 100 generated lessons do not lint clean" >&2; "$bin" lint "$lessons" | tail -n 5 >&2; }
		measure lint "$runs" "$bin" lint "$lessons"
		measure lint-course "$runs" "$bin" lint
		notes+=("lint of 100 lessons: $(instructions "$bin" lint "$lessons"); of the course: $(instructions "$bin" lint)")
		row "\`lint\` of 100 lessons" lint "" "" "< 30 ms"
		row "\`lint\` of the shipped course (4 lessons)" lint-course "" "" "—"
		;;
	list)
		measure list "$runs" "$bin" list
		notes+=("list: $(instructions "$bin" list)")
		row "\`list\` start-up" list "" "" "< 10 ms"
		;;
	unlock)
		out=$(BENCH_BIN=$bin bash scripts/bench-unlock.sh "$((runs < 20 ? 20 : runs))" 2>&1 | grep "unlock delay" || true)
		median=$(sed -nE 's/.*median ([0-9.]+) ms.*/\1/p' <<<"$out")
		printf '| `docker tag` → step unlocked | %s | Killercoda/Instruqt: a click | — | < 50 ms |\n' \
			"${median:-?} ms median (${out#*: })" >>"$work/table.md"
		;;
	*) echo "bench: unknown row $r (grade check grade-big lint list unlock)" >&2; exit 2 ;;
	esac
done
echo "learn-registry $("$bin" --version 2>/dev/null | awk '{ print $2 }'), $(nproc) cores, $(date -u +%FT%TZ); medians of $runs runs ($heavy_runs for grade rows)"
echo
cat "$work/table.md"
echo
for n in "${notes[@]}"; do echo "- $n"; done
