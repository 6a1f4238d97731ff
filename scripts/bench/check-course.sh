#!/usr/bin/env bash
# scripts/bench/check-course.sh REGISTRY USERNAME CLASSMATE HUB_API: the shell alternative to
# `learn-registry check` of the whole shipped course (lessons/container-registries), as scripts/bench.sh
# measures it. It asks the engine, the registry and Docker Hub the same facts the course's checks ask,
# one distinct fact once, with the plain tools a user has (docker, curl, jq), and prints one line per
# fact: ok, FAIL, or ? (could not verify). DOCKER_CONFIG and DOCKER_HOST are the learner's.
set -uo pipefail
registry=$1 user=$2 mate=$3 hub=$4
repo=$registry/$user/python-canvas-client
mate_repo=$registry/$mate/python-canvas-client
config=${DOCKER_CONFIG:-$HOME/.docker}/config.json
say() { printf '%-4s %s\n' "$1" "$2"; }
fact() { # label, command...: ok when the command succeeds
	local label=$1; shift
	if "$@" >/dev/null 2>&1; then say ok "$label"; else say FAIL "$label"; fi
}
id_of() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
same() { local a b; a=$(id_of "$1") && b=$(id_of "$2") && [[ -n $a && $a == "$b" ]]; }
pushed_or_pulled() { docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$1:1.0" | grep -q "^$1@sha256:"; }
http() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
hub_fact() { # label, url: Docker Hub answers 200 or 404; anything else could not be verified
	local code; code=$(http --max-time 5 "$2")
	case $code in 200) say ok "$1" ;; 404) say FAIL "$1" ;; *) say '?' "$1" ;; esac
}
manifest_accept='Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'

# 01-docker-hub-account: hub_account (three steps, one fact)
hub_fact "hub account $user" "$hub/v2/users/$user/"
# 02-tag-an-image
fact "docker running" docker version --format '{{.Server.Version}}'
fact "image my-app:latest exists" docker image inspect my-app:latest
fact "$repo:1.0 is my-app:latest" same "$repo:1.0" my-app:latest
fact "$repo:2.0 is my-app:latest" same "$repo:2.0" my-app:latest
fact "image $repo:1.0 exists" docker image inspect "$repo:1.0"
# 03-push-an-image
fact "logged in to $registry" jq -e --arg r "$registry" '.auths[$r] // empty' "$config"
fact "$repo:1.0 pushed from this engine" pushed_or_pulled "$repo"
fact "$repo:1.0 in the registry" test "$(http -I -H "$manifest_accept" "http://$registry/v2/$user/python-canvas-client/manifests/1.0")" = 200
hub_fact "hub repository $user/python-canvas-client" "$hub/v2/repositories/$user/python-canvas-client/"
# 04-pull-an-image
fact "$repo public (anonymous pull allowed)" test "$(http -I -H "$manifest_accept" "http://$registry/v2/$user/python-canvas-client/manifests/1.0")" = 200
fact "pull of $repo:1.0 seen by the engine" sh -c "docker events --since 1h --until 0s --filter type=image --filter event=pull --filter 'image=$repo:1.0' | grep -q ."
fact "$repo:1.0 pulled" pushed_or_pulled "$repo"
fact "$mate_repo:1.0 pulled" pushed_or_pulled "$mate_repo"
fact "image $mate_repo:1.0 exists" docker image inspect "$mate_repo:1.0"
