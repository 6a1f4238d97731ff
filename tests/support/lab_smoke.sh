#!/usr/bin/env bash
# tests/support/lab_smoke.sh: proves a running lab (scripts/lab.sh up) behaves as the Rust tests assume.
#
# Each check prints `ok` or `FAIL` with what was seen; it exits 1 if any check failed.
# It uses its own DOCKER_CONFIG and repository names unique to this run (smoke-<pid>-...), deletes
# the manifests it pushed, and touches private.json only to add and then remove its own entry.
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.."
eval "$(scripts/lab.sh env)"

DOCKER_CONFIG=$(mktemp -d)
export DOCKER_CONFIG
trap 'rm -rf "$DOCKER_CONFIG"' EXIT
RUN=smoke-$$
FAILS=0
ACCEPT='Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'

check() { # check NAME EXPECTED ACTUAL
	if [[ $2 == "$3" ]]; then
		printf 'ok    %s\n' "$1"
	else
		printf 'FAIL  %s: expected %q, got %q\n' "$1" "$2" "$3"
		FAILS=$((FAILS + 1))
	fi
}
last_line() { "$@" 2>&1 | tail -n 1 || true; }
succeeds() { if "$@" >/dev/null 2>&1; then echo yes; else echo no; fi; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }
json_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }
token() { # token SCOPE [USER:PASS]
	curl -s ${2:+-u "$2"} -G "$LAB_TOKEN_REALM" --data-urlencode "service=$LAB_TOKEN_SERVICE" \
		--data-urlencode "scope=$1" | json_field token
}
# Anonymous HEAD of a manifest following the registry's 401 WWW-Authenticate challenge, like a client.
anon_head() { # anon_head REGISTRY REPO TAG
	local url=http://$1/v2/$2/manifests/$3 challenge realm service scope tok
	challenge=$(curl -sI -H "$ACCEPT" "$url" | tr -d '\r' | grep -i '^www-authenticate:' || true)
	[[ -n $challenge ]] || {
		code -I -H "$ACCEPT" "$url"
		return
	}
	realm=$(sed -E 's/.*realm="([^"]*)".*/\1/' <<<"$challenge")
	service=$(sed -E 's/.*service="([^"]*)".*/\1/' <<<"$challenge")
	scope=$(sed -E 's/.*scope="([^"]*)".*/\1/' <<<"$challenge")
	tok=$(curl -s -G "$realm" --data-urlencode "service=$service" --data-urlencode "scope=$scope" | json_field token)
	code -I -H "$ACCEPT" -H "Authorization: Bearer $tok" "$url"
}
delete_tag() { # delete_tag REGISTRY REPO TAG [BEARER]
	local auth=() digest
	[[ -z ${4:-} ]] || auth=(-H "Authorization: Bearer $4")
	digest=$(curl -sI -H "$ACCEPT" "${auth[@]}" "http://$1/v2/$2/manifests/$3" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' || true)
	code -X DELETE "${auth[@]}" "http://$1/v2/$2/manifests/$digest"
}
private_repos() { # private_repos add|remove NAME
	/usr/bin/python3 - "$LAB_PRIVATE_REPOS_FILE" "$1" "$2" <<-'EOF'
		import json, os, sys
		path, op, name = sys.argv[1:]
		repos = [r for r in json.load(open(path)) if r != name] + ([name] if op == "add" else [])
		open(path + ".tmp", "w").write(json.dumps(repos) + "\n")
		os.replace(path + ".tmp", path)
	EOF
}

echo "== engine ($DOCKER_HOST)"
check "docker version (client on PATH)" yes "$(succeeds docker version)"
check "docker version (/usr/bin/docker 20.10)" yes "$(succeeds /usr/bin/docker version)"
check "docker run $LAB_IMAGE" "hello from my-app" "$(docker run --rm "$LAB_IMAGE" 2>&1)"

echo "== open registry ($LAB_REGISTRY)"
ref=$LAB_REGISTRY/$RUN/my-app:1.0
docker tag "$LAB_IMAGE" "$ref"
check "push" yes "$(succeeds docker push "$ref")"
check "anonymous HEAD manifest" 200 "$(anon_head "$LAB_REGISTRY" "$RUN/my-app" 1.0)"
docker rmi -f "$ref" >/dev/null
check "pull" yes "$(succeeds docker pull "$ref")"
check "skopeo copy --format oci" yes "$(succeeds skopeo copy --src-daemon-host "$DOCKER_HOST" --dest-tls-verify=false \
	--format oci "docker-daemon:$LAB_IMAGE" "docker://$LAB_REGISTRY/$RUN/oci:1.0")"
check "delete manifest" 202 "$(delete_tag "$LAB_REGISTRY" "$RUN/my-app" 1.0)"
check "HEAD after delete" 404 "$(code -I -H "$ACCEPT" "http://$LAB_REGISTRY/v2/$RUN/my-app/manifests/1.0")"
delete_tag "$LAB_REGISTRY" "$RUN/oci" 1.0 >/dev/null
docker rmi -f "$ref" >/dev/null

echo "== htpasswd registry ($LAB_REGISTRY_HTPASSWD)"
ref=$LAB_REGISTRY_HTPASSWD/$LAB_HTPASSWD_USER/$RUN:1.0
docker tag "$LAB_IMAGE" "$ref"
check "push before login is refused" no "$(succeeds docker push "$ref")"
check "login with a wrong password fails" no "$(succeeds docker login -u "$LAB_HTPASSWD_USER" -p wrong "$LAB_REGISTRY_HTPASSWD")"
check "login" yes "$(succeeds docker login -u "$LAB_HTPASSWD_USER" -p "$LAB_HTPASSWD_PASSWORD" "$LAB_REGISTRY_HTPASSWD")"
check "push" yes "$(succeeds docker push "$ref")"
check "anonymous GET /v2/" 401 "$(code "http://$LAB_REGISTRY_HTPASSWD/v2/")"
check "second user reads tags" 200 "$(code -u "$LAB_HTPASSWD_USER2:$LAB_HTPASSWD_PASSWORD2" \
	"http://$LAB_REGISTRY_HTPASSWD/v2/$LAB_HTPASSWD_USER/$RUN/tags/list")"
docker rmi -f "$ref" >/dev/null
docker logout "$LAB_REGISTRY_HTPASSWD" >/dev/null

echo "== token registry ($LAB_REGISTRY_TOKEN, realm $LAB_TOKEN_REALM)"
T=$LAB_REGISTRY_TOKEN
pub=$LAB_TOKEN_USER/$RUN-public
priv=$LAB_TOKEN_USER/$RUN-private
docker tag "$LAB_IMAGE" "$T/$pub:1.0"
docker tag "$LAB_IMAGE" "$T/$priv:1.0"
docker tag "$LAB_IMAGE" "$T/$LAB_TOKEN_USER2/$RUN:1.0"
check "anonymous push is denied" "denied: requested access to the resource is denied" "$(last_line docker push "$T/$pub:1.0")"
check "token server: wrong password is 401" 401 "$(code -u "$LAB_TOKEN_USER:wrong" "$LAB_TOKEN_REALM?service=$LAB_TOKEN_SERVICE")"
check "docker login with a wrong password fails" no "$(succeeds docker login -u "$LAB_TOKEN_USER" -p wrong "$T")"
check "docker login" yes "$(succeeds docker login -u "$LAB_TOKEN_USER" -p "$LAB_TOKEN_PASSWORD" "$T")"
check "push to own namespace" yes "$(succeeds docker push "$T/$pub:1.0")"
check "push to own private repo" yes "$(succeeds docker push "$T/$priv:1.0")"
check "push to another user's namespace is denied" no "$(succeeds docker push "$T/$LAB_TOKEN_USER2/$RUN:1.0")"
private_repos add "$priv"
trap 'private_repos remove "$priv"; rm -rf "$DOCKER_CONFIG"' EXIT
check "anonymous HEAD, public repo" 200 "$(anon_head "$T" "$pub" 1.0)"
check "anonymous HEAD, private repo" 401 "$(anon_head "$T" "$priv" 1.0)"
check "anonymous HEAD, missing repo" 401 "$(anon_head "$T" "$LAB_TOKEN_USER/$RUN-missing" 1.0)"
check "owner HEAD, private repo" 200 "$(code -I -H "$ACCEPT" -H "Authorization: Bearer $(token "repository:$priv:pull" \
	"$LAB_TOKEN_USER:$LAB_TOKEN_PASSWORD")" "http://$T/v2/$priv/manifests/1.0")"
check "other user HEAD, private repo" 401 "$(code -I -H "$ACCEPT" -H "Authorization: Bearer $(token "repository:$priv:pull" \
	"$LAB_TOKEN_USER3:$LAB_TOKEN_PASSWORD3")" "http://$T/v2/$priv/manifests/1.0")"
docker logout "$T" >/dev/null
docker rmi -f "$T/$pub:1.0" "$T/$priv:1.0" >/dev/null
check "anonymous docker pull, public" yes "$(succeeds docker pull "$T/$pub:1.0")"
check "anonymous docker pull, private" no "$(succeeds docker pull "$T/$priv:1.0")"
private_repos remove "$priv"
check "private.json is re-read: now public" 200 "$(anon_head "$T" "$priv" 1.0)"
owner=$(token "repository:$pub:pull,delete" "$LAB_TOKEN_USER:$LAB_TOKEN_PASSWORD")
check "owner deletes a manifest" 202 "$(delete_tag "$T" "$pub" 1.0 "$owner")"
owner=$(token "repository:$priv:pull,delete" "$LAB_TOKEN_USER:$LAB_TOKEN_PASSWORD")
delete_tag "$T" "$priv" 1.0 "$owner" >/dev/null
docker rmi -f "$T/$pub:1.0" "$T/$priv:1.0" "$T/$LAB_TOKEN_USER2/$RUN:1.0" >/dev/null 2>&1 || true

if [[ -n $LAB_PODMAN_HOST ]]; then
	echo "== podman ($LAB_PODMAN_HOST)"
	P=(env DOCKER_HOST="$LAB_PODMAN_HOST" docker)
	check "GET /_ping" OK "$(curl -s --unix-socket "${LAB_PODMAN_HOST#unix://}" http://d/_ping)"
	check "docker images lists $LAB_IMAGE" yes "$(succeeds "${P[@]}" image inspect "$LAB_IMAGE")"
	check "same image ID as the engine" "$(docker image inspect -f '{{.Id}}' "$LAB_IMAGE")" \
		"$("${P[@]}" image inspect -f '{{.Id}}' "$LAB_IMAGE" 2>&1)"
	check "docker run $LAB_IMAGE" "hello from my-app" "$("${P[@]}" run --rm "$LAB_IMAGE" 2>&1)"
	ref=$LAB_REGISTRY/$RUN/from-podman:1.0
	"${P[@]}" tag "$LAB_IMAGE" "$ref"
	check "push to the open registry" yes "$(succeeds "${P[@]}" push "$ref")"
	delete_tag "$LAB_REGISTRY" "$RUN/from-podman" 1.0 >/dev/null
	ref=localhost:${LAB_REGISTRY_TOKEN#*:}/$LAB_TOKEN_USER/$RUN-podman:1.0
	"${P[@]}" tag "$LAB_IMAGE" "$ref"
	check "docker login localhost:PORT (token registry)" yes \
		"$(succeeds "${P[@]}" login -u "$LAB_TOKEN_USER" -p "$LAB_TOKEN_PASSWORD" "localhost:${LAB_REGISTRY_TOKEN#*:}")"
	check "push to the token registry" yes "$(succeeds "${P[@]}" push "$ref")"
	"${P[@]}" rmi -f "$LAB_REGISTRY/$RUN/from-podman:1.0" "$ref" >/dev/null 2>&1 || true
	owner=$(token "repository:$LAB_TOKEN_USER/$RUN-podman:pull,delete" "$LAB_TOKEN_USER:$LAB_TOKEN_PASSWORD")
	delete_tag "$T" "$LAB_TOKEN_USER/$RUN-podman" 1.0 "$owner" >/dev/null
else
	echo "== podman: LAB_PODMAN_HOST is empty; skipped"
fi

echo "== $FAILS failure(s)"
((FAILS == 0))
