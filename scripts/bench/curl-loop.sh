#!/usr/bin/env bash
# scripts/bench/curl-loop.sh STUDENTS PROJECT REGISTRY: the plainest alternative to `learn-registry grade`
# on tests/fixtures/grade-lessons/publish.yaml, as scripts/bench.sh measures it: one `curl -I` after
# another, the same HEAD look-ups per student that grade's remote checks need (its `:1.0`, its `:2.0`,
# `latest` for the public and the private step, the classmate's `:1.0`). Prints how many answered 200,
# also into the file $BENCH_CURL_SUMMARY when set (hyperfine discards the output of what it times).
set -euo pipefail
students=$1 project=$2 registry=$3
accept='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'
head_code() { curl -s -o /dev/null -w '%{http_code}' -I -H "Accept: $accept" "http://$registry/v2/$1/manifests/$2"; }
ok=0
for ((i = 0; i < students; i++)); do
	printf -v me 'user%05d/%s' "$i" "$project"
	printf -v mate 'user%05d/%s' $(((i + 1) % students)) "$project"
	for lookup in "$me 1.0" "$me 2.0" "$me latest" "$me latest" "$mate 1.0"; do
		# shellcheck disable=SC2086
		[[ $(head_code $lookup) == 200 ]] && ok=$((ok + 1))
	done
done
summary="$ok of $((students * 5)) HEADs answered 200"
echo "$summary"
[[ -z ${BENCH_CURL_SUMMARY:-} ]] || echo "$summary" >"$BENCH_CURL_SUMMARY"
