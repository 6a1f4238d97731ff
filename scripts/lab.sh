#!/usr/bin/env bash
# scripts/lab.sh: the learn-registry lab, real container parts on 127.0.0.1 for tests and offline classrooms.
#
# Usage:
#   scripts/lab.sh up                 start whatever is not running (idempotent); prints `env` at the end
#   scripts/lab.sh env                `export NAME=value` lines: eval "$(scripts/lab.sh env)"
#   scripts/lab.sh status             what is running
#   scripts/lab.sh down [--purge]     stop what the lab started (pid files); --purge also deletes the lab dir
#   scripts/lab.sh stop-registry NAME | start-registry NAME     NAME = open | htpasswd | token
#   scripts/lab.sh stop-engine | start-engine                   the lab's Docker Engine
#   scripts/lab.sh stop-token-server | start-token-server
#   scripts/lab.sh stop-podman | start-podman
#   scripts/lab.sh stop-engines28 | start-engines28              Docker 28.5, both image stores
#   scripts/lab.sh hub up|down|env|status                       the Docker Hub simulation alone
#   scripts/lab.sh hub set SWITCH [NAME]   how hub.docker.com answers (for everyone, or about NAME):
#                                          ok | cloudflare | challenge | down | ratelimit | ratelimit-both
#   scripts/lab.sh hub exec COMMAND...     run COMMAND inside the simulation with DOCKER_HOST = its engine
#                                          and DOCKER_CONFIG = hub/client unless set,
#                                          e.g. `scripts/lab.sh hub exec docker login -u hubalice --password-stdin`
#   scripts/lab.sh deps               install missing Debian packages (apt-get), nothing else
#
# Components (all state under $LAB_DIR, default <repo>/.lab; every port is on 127.0.0.1 only):
#   engine      Debian's dockerd (docker.io) with its own data-root, exec-root, socket, pid file, config
#               file and containerd namespaces, so it never meets a system dockerd. No iptables, no bridge,
#               vfs storage. Socket: $LAB_DIR/docker/docker.sock. Log: docker/dockerd.log.
#   registries  Debian's docker-registry (CNCF distribution 2.8), delete enabled so tests can clean up:
#                 open      127.0.0.1:5000 (LAB_REGISTRY_PORT)           no auth
#                 htpasswd  127.0.0.1:5001 (LAB_REGISTRY_HTPASSWD_PORT)  bcrypt htpasswd: alice, bob
#                 token     127.0.0.1:5002 (LAB_REGISTRY_TOKEN_PORT)     `auth: token`, service lab-registry
#               Config, data and log under registry/NAME/. The registries log at `warn`, without an access
#               log (LAB_REGISTRY_LOG=info or debug for every request: at `info` the open registry's log
#               grew to 2 GB in a day of tests and benchmarks); when a process is started again, a log over
#               64 MB is cut to its last 64 MB, kept as LOG.1.
#   token       tests/support/token_server.py on 127.0.0.1:5003 (LAB_TOKEN_PORT), run by Debian's
#               /usr/bin/python3 with python3-cryptography: Docker Hub-like tokens (JWT RS256 with x5c)
#               signed by a key and self-signed certificate made here with openssl; the certificate is the
#               token registry's rootcertbundle. Private repositories: token/private.json, re-read on
#               every request. Users alice, bob, carol.
#   podman      `podman system service` (rootful) serving the Docker-compatible API on podman/podman.sock,
#               with its own containers.conf, storage.conf (vfs) and registries.conf (lab registries are
#               insecure). If it cannot run, `up` warns and LAB_PODMAN_HOST is empty. LAB_PODMAN=off skips it.
#   image       my-app:latest, built offline FROM scratch (a text file and Debian's static busybox) in the
#               engine, then copied into podman's store and the other engines with `docker save | docker
#               load` (same config digest: the same image ID, except on the containerd store).
#   engine 28   Debian sid's docker.io 28.5 with its containerd (2.1) and runc, fetched once with `apt-get
#               download` through a private APT configuration under engine28/ (the system's sources are
#               never changed) and unpacked with `dpkg-deb -x`, never installed. Two dockerds: classic
#               image store (vfs; docker28-classic/docker.sock) and containerd image store
#               (`containerd-snapshotter`, native snapshotter; docker28-containerd/docker.sock). sid's
#               runc needs a newer glibc than Debian 12 has, so the system's runc stands in (containers
#               are never run; images are only built, tagged, pushed and pulled). LAB_DOCKER28=off skips.
#   hub         Docker Hub simulated with real parts under its real names, in a network namespace of the
#               lab's own (see the "Docker Hub simulation" section below): registry-1.docker.io
#               (docker-registry, token auth), auth.docker.io and hub.docker.com
#               (tests/support/hub_server.py), a dockerd 20.10 inside, a lab CA. Nothing outside loopback
#               is contacted; the machine's /etc/hosts and CA store are never touched. Accounts hubalice
#               and hubbob (LAB_HUB_USER[2], LAB_HUB_PASSWORD[2]); tests add their own. LAB_HUB=off skips.
#               By hand: `scripts/lab.sh hub exec docker login -u hubalice --password-stdin`, then
#               `scripts/lab.sh hub exec docker push hubalice/python-canvas-client:1.0`, or
#               `scripts/lab.sh hub exec target/debug/learn-registry check --var username=hubalice`.
#
# Settings (environment): LAB_DIR, the four ports above, LAB_PODMAN=off, LAB_DOCKER28=off, LAB_HUB=off,
# LAB_TIMEOUT (engine start, 60s).
# Output of `env`: DOCKER_HOST (= LAB_DOCKER_HOST), LAB_PODMAN_HOST, LAB_IMAGE, LAB_REGISTRY{,_HTPASSWD,_TOKEN},
# LAB_TOKEN_{REALM,SERVICE,ISSUER,CERT}, LAB_PRIVATE_REPOS_FILE, LAB_HTPASSWD_{USER,PASSWORD}[2],
# LAB_TOKEN_{USER,PASSWORD}[2|3], LAB_DOCKER28_HOST, LAB_DOCKER28_CONTAINERD_HOST (empty when not
# running), LAB_HUB_RUN (hub/run: `hub/run COMMAND` runs inside the simulation; empty when off),
# LAB_HUB_{CA,DOCKER_HOST,ACCOUNTS_FILE,PRIVATE_FILE,SWITCHES_FILE,REGISTRY_ROOT},
# LAB_HUB_{USER,PASSWORD}[2]. `status` exits 1 if something is not running.
#
# Known quirk: through Podman's Docker API, `docker login` (POST /auth) uses plain HTTP only for
# "localhost:PORT" names, so Podman learners log in to localhost:5002, not 127.0.0.1:5002 (pushes and
# pulls work with both; registries.conf marks both insecure).
#
# Every process is started detached (setsid) with its pid in a pid file; `down` and `stop-*` signal only
# pids from those files whose command line still names this lab. Starting is idempotent: a component
# that is running, healthy and configured the same is left alone; a changed configuration restarts it.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$(realpath -m -- "${LAB_DIR:-$REPO/.lab}")
export PATH="$PATH:/usr/sbin:/sbin"

OPEN_PORT=${LAB_REGISTRY_PORT:-5000}
HTPASSWD_PORT=${LAB_REGISTRY_HTPASSWD_PORT:-5001}
TOKEN_REGISTRY_PORT=${LAB_REGISTRY_TOKEN_PORT:-5002}
TOKEN_PORT=${LAB_TOKEN_PORT:-5003}
TOKEN_SERVICE=lab-registry
TOKEN_ISSUER=lab-token-server
TOKEN_REALM=http://127.0.0.1:$TOKEN_PORT/token
IMAGE=my-app:latest
HTPASSWD_USERS=(alice:alicepass bob:bobpass)
TOKEN_USERS=(alice:alicepass bob:bobpass carol:carolpass)
TIMEOUT=${LAB_TIMEOUT:-60}
REGISTRY_LOG=${LAB_REGISTRY_LOG:-warn}
[[ $REGISTRY_LOG =~ ^(error|warn|info|debug)$ ]] || { echo "lab: LAB_REGISTRY_LOG is error, warn, info or debug" >&2; exit 2; }
# The access log is a second line for every request: only with a level that logs requests anyway.
ACCESS_LOG_OFF=true
[[ $REGISTRY_LOG =~ ^(info|debug)$ ]] && ACCESS_LOG_OFF=false
LOG_ROTATE_BYTES=$((64 * 1024 * 1024))

DOCKER_SOCK=$LAB/docker/docker.sock
PODMAN_SOCK=$LAB/podman/podman.sock
SYSTEM_PYTHON=/usr/bin/python3 # Debian's, with python3-cryptography; not whatever python3 is on PATH
TOKEN_SERVER=$REPO/tests/support/token_server.py
REGISTRY_NAMES=(open htpasswd token)

# ---------------------------------------------------------------------------------------------- helpers

log() { printf 'lab: %s\n' "$*" >&2; }
warn() { printf 'lab: warning: %s\n' "$*" >&2; }
die() {
	printf 'lab: error: %s\n' "$*" >&2
	exit 1
}

# Prints why a component failed to start, with the end of its log.
show_failure() {
	local msg=$1 logfile=$2
	printf 'lab: %s; last lines of %s:\n' "$msg" "$logfile" >&2
	tail -n 40 -- "$logfile" 2>/dev/null | sed 's/^/    /' >&2 || true
}

emit() { printf 'export %s=%q\n' "$1" "$2"; }

# emit_users PREFIX NAME:PASSWORD...: PREFIX_USER/PREFIX_PASSWORD, then PREFIX_USER2/PREFIX_PASSWORD2, ...
emit_users() {
	local prefix=$1 user i=1 n
	shift
	for user in "$@"; do
		n=$([[ $i == 1 ]] || echo "$i")
		emit "${prefix}_USER$n" "${user%%:*}"
		emit "${prefix}_PASSWORD$n" "${user#*:}"
		i=$((i + 1))
	done
}

# Writes stdin to FILE if its content differs; succeeds (0) only when FILE changed.
write_if_changed() {
	local file=$1 tmp
	tmp=$(mktemp "$file.XXXXXX")
	cat >"$tmp"
	if [[ -f $file ]] && cmp -s -- "$tmp" "$file"; then
		rm -f -- "$tmp"
		return 1
	fi
	mv -f -- "$tmp" "$file"
}

# A live process (not a zombie).
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Prints the pid from PIDFILE if that process is alive and its command line contains MARK
# (a path unique to this lab), so a recycled pid is never mistaken for ours.
pid_of() {
	local pidfile=$1 mark=$2 pid
	[[ -s $pidfile ]] || return 1
	pid=$(<"$pidfile")
	[[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
	printf '%s\n' "$pid"
}

# Starts a command detached from this shell (own session, stdin closed, output appended to LOG) and sets
# SPAWNED_PID. The lock descriptor is closed so a long-lived child never holds the lab lock.
spawn() {
	local logfile=$1 size
	shift
	size=$(stat -c %s -- "$logfile" 2>/dev/null || echo 0)
	if ((size > LOG_ROTATE_BYTES)); then
		tail -c "$LOG_ROTATE_BYTES" -- "$logfile" >"$logfile.1" && : >"$logfile"
	fi
	printf '\n==== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logfile"
	(
		exec 9>&-
		cd /
		exec setsid "$@" </dev/null >>"$logfile" 2>&1
	) &
	SPAWNED_PID=$!
}

# Sends TERM to the process in PIDFILE (if it is ours), waits, then KILLs; removes the pid file.
stop_pid() {
	local pidfile=$1 mark=$2 name=$3 pid i
	if pid=$(pid_of "$pidfile" "$mark"); then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			warn "$name (pid $pid) ignored TERM for 20s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		log "$name: stopped (pid $pid)"
	else
		log "$name: not running"
	fi
	rm -f -- "$pidfile"
}

# Polls CHECK... until it succeeds. Fails early if PID dies, or after TIMEOUT seconds.
wait_until() {
	local timeout=$1 name=$2 logfile=$3 pid=$4
	shift 4
	local deadline=$((SECONDS + timeout))
	until "$@"; do
		if [[ -n $pid ]] && ! alive "$pid"; then
			show_failure "$name exited while starting" "$logfile"
			return 1
		fi
		if ((SECONDS >= deadline)); then
			show_failure "$name did not answer within ${timeout}s" "$logfile"
			return 1
		fi
		sleep 0.1
	done
}

port_open() { (: </dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }
sock_ping() { [[ -S $1 && $(curl -s --max-time 3 --unix-socket "$1" http://d/_ping 2>/dev/null) == OK ]]; }
registry_ok() {
	local code
	code=$(http_code "http://127.0.0.1:$1/v2/")
	[[ $code == 200 || $code == 401 ]]
}
token_server_ok() { [[ $(http_code "http://127.0.0.1:$TOKEN_PORT/healthz") == 200 ]]; }

# Serialises commands that change the lab (two `up`s at once would race on ports and pid files).
lock_lab() {
	mkdir -p -- "$LAB"
	touch -- "$LAB/.lab-dir"
	exec 9>>"$LAB/.lock"
	flock -w 300 9 || die "another scripts/lab.sh holds $LAB/.lock"
}

# ------------------------------------------------------------------------------------------ packages

pkg_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }
have() { command -v "$1" >/dev/null 2>&1; }

deps() {
	local missing=()
	{ have dockerd && have containerd && have runc && [[ -x /usr/bin/docker ]]; } || missing+=(docker.io)
	have docker-registry || missing+=(docker-registry)
	have htpasswd || missing+=(apache2-utils)
	have skopeo || missing+=(skopeo)
	have podman || missing+=(podman)
	pkg_installed busybox-static || missing+=(busybox-static)
	have openssl || missing+=(openssl)
	have curl || missing+=(curl)
	have chromium || missing+=(chromium) # tests/grade.rs renders the HTML report headless
	[[ -x /usr/bin/time ]] || missing+=(time) # scripts/bench-grade.sh: peak memory
	{ have flock && have setsid && have unshare && have nsenter; } || missing+=(util-linux)
	have ip || missing+=(iproute2) # the Hub simulation's loopback
	[[ -x $SYSTEM_PYTHON ]] || missing+=(python3)
	"$SYSTEM_PYTHON" -c 'import cryptography' 2>/dev/null || missing+=(python3-cryptography)
	((${#missing[@]})) || return 0
	[[ $(id -u) == 0 ]] || die "missing packages: ${missing[*]}; run as root or install them with apt-get"
	log "installing: ${missing[*]}"
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# ------------------------------------------------------------------------------------------- engine

engine_args() {
	ENGINE_ARGS=(
		--iptables=false --ip6tables=false --bridge=none --storage-driver=vfs
		--data-root "$LAB/docker/data" --exec-root "$LAB/docker/exec"
		--pidfile "$LAB/docker/dockerd.pid" --host "unix://$DOCKER_SOCK"
		# Never read /etc/docker/daemon.json, and if dockerd finds a system containerd running (it then
		# uses it instead of starting its own), keep our containers in namespaces of our own.
		--config-file "$LAB/docker/daemon.json"
		--containerd-namespace learn-registry-lab --containerd-plugins-namespace learn-registry-lab-plugins
	)
	local port
	for port in "$OPEN_PORT" "$HTPASSWD_PORT" "$TOKEN_REGISTRY_PORT"; do
		ENGINE_ARGS+=(--insecure-registry "127.0.0.1:$port" --insecure-registry "localhost:$port")
	done
}

start_engine() {
	local pid changed=0
	mkdir -p -- "$LAB/docker"
	[[ -f $LAB/docker/daemon.json ]] || echo '{}' >"$LAB/docker/daemon.json"
	engine_args
	printf '%s\n' "${ENGINE_ARGS[@]}" | write_if_changed "$LAB/docker/dockerd.args" && changed=1
	if pid=$(pid_of "$LAB/docker/dockerd.pid" "$DOCKER_SOCK"); then
		if ((changed)); then
			log "engine: settings changed; restarting"
			stop_engine
		else
			wait_until "$TIMEOUT" dockerd "$LAB/docker/dockerd.log" "$pid" sock_ping "$DOCKER_SOCK" || exit 1
			log "engine: running (pid $pid)"
			return 0
		fi
	fi
	rm -f -- "$LAB/docker/dockerd.pid"
	# After a crash dockerd trusts exec/containerd/containerd.pid blindly ("containerd is still running")
	# and then times out if that pid is dead or recycled. Keep the file only if it is really our containerd.
	pid_of "$LAB/docker/exec/containerd/containerd.pid" "$LAB/docker/exec/containerd" >/dev/null ||
		rm -f -- "$LAB/docker/exec/containerd/containerd.pid"
	spawn "$LAB/docker/dockerd.log" dockerd "${ENGINE_ARGS[@]}"
	wait_until "$TIMEOUT" dockerd "$LAB/docker/dockerd.log" "$SPAWNED_PID" sock_ping "$DOCKER_SOCK" || exit 1
	log "engine: started (pid $SPAWNED_PID) on unix://$DOCKER_SOCK"
}

stop_engine() { stop_pid "$LAB/docker/dockerd.pid" "$DOCKER_SOCK" engine; }

# The docker client on PATH may be newer than Debian's engine (API negotiation makes that work);
# fall back to Debian's /usr/bin/docker if it does not.
DOCKER_CLI=
docker_cli() { docker_cli_for "$DOCKER_SOCK"; }
# The same, checked against the engine at SOCK (when the lab engine is not the one in use).
docker_cli_for() {
	local c sock=$1
	[[ -z $DOCKER_CLI ]] || return 0
	for c in "$(command -v docker || true)" /usr/bin/docker; do
		[[ -n $c && -x $c ]] || continue
		if DOCKER_HOST="unix://$sock" "$c" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
			DOCKER_CLI=$c
			return 0
		fi
		warn "$c cannot talk to the engine at unix://$sock; trying the next client"
	done
	die "no docker client works with the engine at unix://$sock"
}

# docker against the lab engine (or HOST), with a client config of the lab's own so the user's
# ~/.docker (credential helpers, contexts) plays no part.
dk() {
	docker_cli
	mkdir -p -- "$LAB/docker/client"
	DOCKER_HOST=${DK_HOST:-unix://$DOCKER_SOCK} DOCKER_CONFIG=$LAB/docker/client DOCKER_BUILDKIT=0 \
		"$DOCKER_CLI" "$@"
}

# The image ID of my-app:latest from an engine's API (Docker or Podman), or nothing.
image_id() {
	curl -sf --max-time 5 --unix-socket "$1" "http://d/images/$IMAGE/json" 2>/dev/null |
		grep -o '"Id": *"[^"]*"' | head -n 1 | cut -d '"' -f 4 || true
}

# The build context of my-app:latest in image/; succeeds only if it changed.
ensure_image_context() {
	local ctx=$LAB/image changed=0
	mkdir -p -- "$ctx"
	[[ -f /bin/busybox ]] || die "/bin/busybox is missing (Debian package busybox-static)"
	cmp -s /bin/busybox "$ctx/busybox" || cp -f /bin/busybox "$ctx/busybox"
	echo 'hello from my-app' | write_if_changed "$ctx/hello.txt" && changed=1
	write_if_changed "$ctx/Dockerfile" <<-'EOF' && changed=1
		# The lab's sample image: no base image, so it builds with no network.
		FROM scratch
		COPY hello.txt /hello.txt
		COPY busybox /busybox
		CMD ["/busybox","echo","hello from my-app"]
	EOF
	((changed))
}

ensure_image() {
	local ctx=$LAB/image changed=0
	ensure_image_context && changed=1
	if ((changed == 0)) && [[ -n $(image_id "$DOCKER_SOCK") ]]; then
		log "image: $IMAGE present in the engine"
		return 0
	fi
	if ! dk build -q -t "$IMAGE" "$ctx" >"$ctx/build.log" 2>&1; then
		show_failure "docker build of $IMAGE failed" "$ctx/build.log"
		exit 1
	fi
	log "image: built $IMAGE ($(image_id "$DOCKER_SOCK"))"
}

# -------------------------------------------------------------------------------------- registries

registry_port() {
	case $1 in
	open) echo "$OPEN_PORT" ;;
	htpasswd) echo "$HTPASSWD_PORT" ;;
	token) echo "$TOKEN_REGISTRY_PORT" ;;
	*) die "unknown registry \`$1\` (expected open, htpasswd or token)" ;;
	esac
}

# Writes registry/NAME/config.yml (and its auth files); succeeds only if something changed.
registry_config() {
	local name=$1 port=$2 dir=$LAB/registry/$1 auth same=1 user
	mkdir -p -- "$dir/data"
	case $name in
	open) auth='' ;;
	htpasswd)
		# bcrypt salts differ on every run, so regenerate only when the user list changes.
		if printf '%s\n' "${HTPASSWD_USERS[@]}" | write_if_changed "$dir/users.list" || [[ ! -s $dir/htpasswd ]]; then
			: >"$dir/htpasswd.new"
			for user in "${HTPASSWD_USERS[@]}"; do
				htpasswd -Bbn "${user%%:*}" "${user#*:}" | sed '/^$/d' >>"$dir/htpasswd.new"
			done
			mv -f -- "$dir/htpasswd.new" "$dir/htpasswd"
			same=0
		fi
		auth="auth:
  htpasswd:
    realm: lab-htpasswd
    path: \"$dir/htpasswd\""
		;;
	token)
		ensure_token_cert
		auth="auth:
  token:
    realm: $TOKEN_REALM
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: \"$LAB/token/cert.pem\"
# certificate $(openssl x509 -noout -fingerprint -sha256 -in "$LAB/token/cert.pem")"
		;;
	esac
	write_if_changed "$dir/config.yml" <<-EOF && same=0
		# Written by scripts/lab.sh; edits are overwritten.
		version: 0.1
		log:
		  level: $REGISTRY_LOG
		  accesslog:
		    disabled: $ACCESS_LOG_OFF
		  fields:
		    service: registry-$name
		storage:
		  filesystem:
		    rootdirectory: "$dir/data"
		  delete:
		    enabled: true
		  maintenance:
		    uploadpurging:
		      enabled: false
		http:
		  addr: 127.0.0.1:$port
		  secret: lab-$name-registry-not-a-secret
		  headers:
		    X-Content-Type-Options: [nosniff]
		$auth
	EOF
	return $same
}

start_registry() {
	local name=$1 port dir pid changed=0
	port=$(registry_port "$name")
	dir=$LAB/registry/$name
	registry_config "$name" "$port" && changed=1
	if pid=$(pid_of "$dir/registry.pid" "$dir/config.yml"); then
		if ((changed)); then
			log "registry $name: configuration changed; restarting"
			stop_registry "$name"
		else
			wait_until 15 "registry $name" "$dir/registry.log" "$pid" registry_ok "$port" || exit 1
			log "registry $name: running (pid $pid) on 127.0.0.1:$port"
			return 0
		fi
	fi
	port_open "$port" && die "127.0.0.1:$port is taken by a process the lab did not start (registry $name); stop it or set its port variable"
	spawn "$dir/registry.log" docker-registry serve "$dir/config.yml"
	echo "$SPAWNED_PID" >"$dir/registry.pid"
	wait_until 15 "registry $name" "$dir/registry.log" "$SPAWNED_PID" registry_ok "$port" || exit 1
	log "registry $name: started (pid $SPAWNED_PID) on 127.0.0.1:$port"
}

stop_registry() {
	registry_port "$1" >/dev/null
	stop_pid "$LAB/registry/$1/registry.pid" "$LAB/registry/$1/config.yml" "registry $1"
}

# ------------------------------------------------------------------------------------- token server

ensure_token_cert() {
	local dir=$LAB/token
	mkdir -p -- "$dir"
	[[ -s $dir/key.pem && -s $dir/cert.pem ]] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=$TOKEN_ISSUER" \
		-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>"$dir/openssl.log" ||
		{ show_failure "openssl could not make the token signing certificate" "$dir/openssl.log" && exit 1; }
	chmod 600 "$dir/key.pem"
	log "token: made a signing key and certificate in $dir"
}

start_token_server() {
	local dir=$LAB/token pid changed=0 user sep='' args
	ensure_token_cert
	{
		printf '{'
		for user in "${TOKEN_USERS[@]}"; do
			printf '%s"%s": "%s"' "$sep" "${user%%:*}" "${user#*:}"
			sep=', '
		done
		printf '}\n'
	} | write_if_changed "$dir/users.json" || true
	[[ -f $dir/private.json ]] || echo '[]' >"$dir/private.json"
	[[ -x $SYSTEM_PYTHON ]] || die "$SYSTEM_PYTHON is missing (run scripts/lab.sh deps)"
	args=(
		"$SYSTEM_PYTHON" "$TOKEN_SERVER" --listen "127.0.0.1:$TOKEN_PORT"
		--key "$dir/key.pem" --cert "$dir/cert.pem" --issuer "$TOKEN_ISSUER" --service "$TOKEN_SERVICE"
		--users "$dir/users.json" --private "$dir/private.json" --registry-root "$LAB/registry/token/data"
	)
	# A new token_server.py (or new arguments) restarts the server.
	{
		printf '%s\n' "${args[@]}"
		sha256sum "$TOKEN_SERVER"
	} | write_if_changed "$dir/server.args" && changed=1
	if pid=$(pid_of "$dir/token-server.pid" "$dir/users.json"); then
		if ((changed)); then
			log "token server: script or settings changed; restarting"
			stop_token_server
		else
			wait_until 15 "token server" "$dir/token-server.log" "$pid" token_server_ok || exit 1
			log "token server: running (pid $pid) on $TOKEN_REALM"
			return 0
		fi
	fi
	port_open "$TOKEN_PORT" && die "127.0.0.1:$TOKEN_PORT is taken by a process the lab did not start (token server); stop it or set LAB_TOKEN_PORT"
	spawn "$dir/token-server.log" "${args[@]}"
	echo "$SPAWNED_PID" >"$dir/token-server.pid"
	wait_until 15 "token server" "$dir/token-server.log" "$SPAWNED_PID" token_server_ok || exit 1
	log "token server: started (pid $SPAWNED_PID) on $TOKEN_REALM"
}

stop_token_server() { stop_pid "$LAB/token/token-server.pid" "$LAB/token/users.json" "token server"; }

# ------------------------------------------------------------------------------------------- podman

# podman (the service, or the CLI for debugging) with the lab's configuration files.
PODMAN_ENV=(env CONTAINERS_CONF="$LAB/podman/containers.conf" CONTAINERS_STORAGE_CONF="$LAB/podman/storage.conf"
	CONTAINERS_REGISTRIES_CONF="$LAB/podman/registries.conf")

# Writes podman's configuration files; succeeds only if one changed.
podman_config() {
	local dir=$LAB/podman same=1 nofile port
	mkdir -p -- "$dir/root" "$dir/run" "$dir/tmp" "$dir/networks" "$dir/volumes"
	# Podman's default rlimits (nofile/nproc 1048576) exceed what a container or CI sandbox may grant,
	# and runc then fails with "error setting rlimits". Ask for modest ones under the hard limit.
	nofile=$(ulimit -Hn)
	[[ $nofile == unlimited || $nofile -gt 4096 ]] && nofile=4096
	write_if_changed "$dir/storage.conf" <<-EOF && same=0
		# Written by scripts/lab.sh: the lab's own image store, away from /var/lib/containers.
		[storage]
		driver = "vfs"
		graphroot = "$dir/root"
		runroot = "$dir/run"
	EOF
	write_if_changed "$dir/containers.conf" <<-EOF && same=0
		# Written by scripts/lab.sh.
		[containers]
		default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
		netns = "none"
		log_driver = "k8s-file"

		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$dir/events.log"
		tmp_dir = "$dir/tmp"
		volume_path = "$dir/volumes"

		[network]
		network_config_dir = "$dir/networks"
	EOF
	{
		echo '# Written by scripts/lab.sh: no search registries (offline); the lab registries speak plain HTTP.'
		echo '# localhost:PORT too: podman 4.3 logs in (POST /auth) over plain HTTP only to "localhost:" names.'
		echo 'unqualified-search-registries = []'
		for port in "$OPEN_PORT" "$HTPASSWD_PORT" "$TOKEN_REGISTRY_PORT"; do
			printf '\n[[registry]]\nlocation = "%s:%s"\ninsecure = true\n' 127.0.0.1 "$port" localhost "$port"
		done
	} | write_if_changed "$dir/registries.conf" && same=0
	return $same
}

podman_disable() {
	warn "podman: $1; LAB_PODMAN_HOST will be empty"
	printf '%s\n' "$1" >"$LAB/podman/disabled"
}

start_podman() {
	local dir=$LAB/podman pid changed=0 did pid2
	mkdir -p -- "$dir"
	if [[ ${LAB_PODMAN:-on} == off ]]; then
		stop_podman
		podman_disable "skipped (LAB_PODMAN=off)"
		return 0
	fi
	if ! have podman; then
		podman_disable "podman is not installed"
		return 0
	fi
	podman_config && changed=1
	if pid=$(pid_of "$dir/podman.pid" "$PODMAN_SOCK"); then
		if ((changed)); then
			log "podman: configuration changed; restarting"
			stop_podman
		elif wait_until 15 podman "$dir/podman.log" "$pid" sock_ping "$PODMAN_SOCK"; then
			log "podman: running (pid $pid) on unix://$PODMAN_SOCK"
		else
			podman_disable "the running podman service (pid $pid) does not answer on $PODMAN_SOCK"
			return 0
		fi
	fi
	if ! pid=$(pid_of "$dir/podman.pid" "$PODMAN_SOCK"); then
		rm -f -- "$PODMAN_SOCK"
		spawn "$dir/podman.log" "${PODMAN_ENV[@]}" podman system service --time=0 "unix://$PODMAN_SOCK"
		echo "$SPAWNED_PID" >"$dir/podman.pid"
		if ! wait_until 30 podman "$dir/podman.log" "$SPAWNED_PID" sock_ping "$PODMAN_SOCK"; then
			podman_disable "\`podman system service\` did not start (log: $dir/podman.log)"
			return 0
		fi
		log "podman: started (pid $SPAWNED_PID) on unix://$PODMAN_SOCK"
	fi
	# Same image as the engine's: the config digest, hence the image ID, survives save/load.
	if ! sock_ping "$DOCKER_SOCK"; then
		warn "podman: the engine is not running, so $IMAGE was not copied into podman's store"
		return 0
	fi
	docker_cli
	did=$(image_id "$DOCKER_SOCK")
	pid2=$(image_id "$PODMAN_SOCK")
	if [[ -n $did && $did == "$pid2" ]]; then
		log "image: $IMAGE present in podman"
	elif dk save "$IMAGE" | DK_HOST="unix://$PODMAN_SOCK" dk load -q >"$dir/load.log" 2>&1 &&
		[[ $(image_id "$PODMAN_SOCK") == "$did" ]]; then
		log "image: loaded $IMAGE into podman"
	else
		show_failure "could not load $IMAGE into podman" "$dir/load.log"
		podman_disable "$IMAGE could not be loaded into podman's store"
		return 0
	fi
	rm -f -- "$dir/disabled"
}

# podman.pid is the `podman system service` process; it is the only one the lab started.
stop_podman() { stop_pid "$LAB/podman/podman.pid" "$PODMAN_SOCK" podman; }

# ------------------------------------------------------------------------------------ sample image copies

# Puts my-app:latest into the engine at SOCK (dir DIR keeps a marker): copied from the lab engine with
# `docker save | docker load` (same config digest, so the same image ID on a classic store), or built
# there when the lab engine is not running. Fails (1) with the log shown if neither works.
copy_image() {
	local sock=$1 dir=$2 name=$3 src
	src=$(image_id "$DOCKER_SOCK")
	if [[ -n $src && -n $(image_id "$sock") && $(cat "$dir/image.loaded" 2>/dev/null) == "$src" ]]; then
		log "image: $IMAGE present in $name"
		return 0
	fi
	docker_cli_for "$sock"
	if [[ -n $src ]]; then
		if dk save "$IMAGE" | DK_HOST="unix://$sock" dk load -q >"$dir/load.log" 2>&1 && [[ -n $(image_id "$sock") ]]; then
			echo "$src" >"$dir/image.loaded"
			log "image: loaded $IMAGE into $name"
			return 0
		fi
	else
		ensure_image_context || true
		if DK_HOST="unix://$sock" dk build -q -t "$IMAGE" "$LAB/image" >"$dir/load.log" 2>&1 && [[ -n $(image_id "$sock") ]]; then
			rm -f -- "$dir/image.loaded"
			log "image: built $IMAGE in $name (the lab engine is not running, so its image ID differs)"
			return 0
		fi
	fi
	show_failure "could not put $IMAGE into $name" "$dir/load.log"
	return 1
}

# ------------------------------------------------------------------------ current engines (Docker 28.5)

# Debian sid's docker.io with its containerd and runc, fetched with `apt-get download` through an APT
# configuration of the lab's own (sources list, lists, cache under engine28/apt; the system's sources
# and package database are only read) and unpacked with `dpkg-deb -x` into engine28/root; nothing is
# installed. A sid binary that cannot run on this system's libc (sid's runc wants a newer glibc than
# Debian 12's) is replaced by the system's, with a warning; engine28/bin holds what dockerd finds on PATH.
ENGINE28=$LAB/engine28
ENGINE28_PACKAGES=(docker.io containerd runc)
DOCKER28_MODES=(classic containerd)

engine28_apt() {
	apt-get -q -o Dir::Etc::SourceList="$ENGINE28/apt/sources.list" -o Dir::Etc::SourceParts="$ENGINE28/apt/parts" \
		-o Dir::State::Lists="$ENGINE28/apt/lists" -o Dir::Cache="$ENGINE28/apt/cache" \
		-o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
		-o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false \
		-o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false \
		-o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

fetch_engine28() {
	local deb p
	if [[ -x $ENGINE28/root/usr/sbin/dockerd && -s $ENGINE28/versions ]]; then
		return 0
	fi
	mkdir -p -- "$ENGINE28/apt/lists/partial" "$ENGINE28/apt/cache/archives/partial" "$ENGINE28/apt/parts" "$ENGINE28/debs"
	echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main' \
		>"$ENGINE28/apt/sources.list"
	log "engine 28: downloading ${ENGINE28_PACKAGES[*]} from Debian sid (apt-get download, not installed)"
	engine28_apt update >"$ENGINE28/apt.log" 2>&1 || { show_failure "apt-get update for sid failed" "$ENGINE28/apt.log" && return 1; }
	rm -f -- "$ENGINE28"/debs/*.deb
	(cd "$ENGINE28/debs" && engine28_apt download "${ENGINE28_PACKAGES[@]}") >>"$ENGINE28/apt.log" 2>&1 ||
		{ show_failure "apt-get download from sid failed" "$ENGINE28/apt.log" && return 1; }
	rm -rf -- "$ENGINE28/root"
	mkdir -p -- "$ENGINE28/root"
	for deb in "$ENGINE28"/debs/*.deb; do dpkg-deb -x "$deb" "$ENGINE28/root"; done
	for deb in "$ENGINE28"/debs/*.deb; do dpkg-deb --showformat='${Package} ${Version}\n' -W "$deb"; done >"$ENGINE28/versions"
	# Keep the lists out of the lab dir's size; the .debs stay for inspection.
	rm -rf -- "$ENGINE28/apt/lists" "$ENGINE28/apt/cache"
	log "engine 28: unpacked $(paste -sd, "$ENGINE28/versions")"
}

# engine28/bin: sid's containerd, shim and runc (or the system's runc when sid's cannot run here).
engine28_bin() {
	local bin=$ENGINE28/bin root=$ENGINE28/root f
	mkdir -p -- "$bin"
	for f in usr/bin/containerd usr/bin/containerd-shim-runc-v2 usr/bin/ctr usr/sbin/docker-proxy; do
		[[ -e $root/$f ]] && ln -sfn -- "$root/$f" "$bin/${f##*/}"
	done
	if "$root/usr/sbin/runc" --version >/dev/null 2>&1; then
		ln -sfn -- "$root/usr/sbin/runc" "$bin/runc"
	else
		[[ -e $bin/runc.warned ]] || warn "engine 28: sid's runc cannot run here ($("$root/usr/sbin/runc" --version 2>&1 | head -n 1)); using $(command -v runc)"
		touch -- "$bin/runc.warned"
		ln -sfn -- "$(command -v runc)" "$bin/runc"
	fi
}

docker28_sock() { echo "$LAB/docker28-$1/docker.sock"; }

start_docker28() {
	local mode=$1 dir=$LAB/docker28-$1 sock pid changed=0 args driver
	sock=$(docker28_sock "$mode")
	mkdir -p -- "$dir"
	if [[ $mode == containerd ]]; then
		echo '{"features": {"containerd-snapshotter": true}}' | write_if_changed "$dir/daemon.json" && changed=1
		driver=native
	else
		echo '{}' | write_if_changed "$dir/daemon.json" && changed=1
		driver=vfs
	fi
	args=(
		"$ENGINE28/root/usr/sbin/dockerd" --iptables=false --ip6tables=false --bridge=none --storage-driver=$driver
		--data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" --host "unix://$sock"
		--config-file "$dir/daemon.json"
		--containerd-namespace "learn-registry-lab28-$mode" --containerd-plugins-namespace "learn-registry-lab28-$mode-plugins"
	)
	local port
	for port in "$OPEN_PORT" "$HTPASSWD_PORT" "$TOKEN_REGISTRY_PORT"; do
		args+=(--insecure-registry "127.0.0.1:$port" --insecure-registry "localhost:$port")
	done
	{
		printf '%s\n' "${args[@]}"
		cat "$ENGINE28/versions"
	} | write_if_changed "$dir/dockerd.args" && changed=1
	if pid=$(pid_of "$dir/dockerd.pid" "$sock"); then
		if ((changed)); then
			log "engine 28 $mode: settings changed; restarting"
			stop_docker28 "$mode"
		else
			wait_until "$TIMEOUT" "dockerd 28 $mode" "$dir/dockerd.log" "$pid" sock_ping "$sock" || return 1
			log "engine 28 $mode: running (pid $pid)"
			return 0
		fi
	fi
	rm -f -- "$dir/dockerd.pid"
	pid_of "$dir/exec/containerd/containerd.pid" "$dir/exec/containerd" >/dev/null ||
		rm -f -- "$dir/exec/containerd/containerd.pid"
	# Note: Debian 12's skopeo `docker-daemon:` transport speaks API 1.22, which 28.5 refuses (its floor,
	# also for DOCKER_MIN_API_VERSION, is 1.24); copy out with `docker save` and `docker-archive:` instead.
	spawn "$dir/dockerd.log" env PATH="$ENGINE28/bin:$PATH" "${args[@]}"
	wait_until "$TIMEOUT" "dockerd 28 $mode" "$dir/dockerd.log" "$SPAWNED_PID" sock_ping "$sock" || return 1
	log "engine 28 $mode: started (pid $SPAWNED_PID) on unix://$sock"
}

stop_docker28() { stop_pid "$LAB/docker28-$1/dockerd.pid" "$(docker28_sock "$1")" "engine 28 $1"; }

engine28_disable() {
	warn "engine 28: $1; LAB_DOCKER28_HOST and LAB_DOCKER28_CONTAINERD_HOST will be empty"
	mkdir -p -- "$ENGINE28"
	printf '%s\n' "$1" >"$ENGINE28/disabled"
}

start_engines28() {
	local mode
	if [[ ${LAB_DOCKER28:-on} == off ]]; then
		stop_engines28
		engine28_disable "skipped (LAB_DOCKER28=off)"
		return 0
	fi
	fetch_engine28 || {
		engine28_disable "could not download Debian sid's docker.io (log: $ENGINE28/apt.log)"
		return 0
	}
	engine28_bin
	for mode in "${DOCKER28_MODES[@]}"; do
		if ! start_docker28 "$mode" || ! copy_image "$(docker28_sock "$mode")" "$LAB/docker28-$mode" "engine 28 $mode"; then
			engine28_disable "the 28.5 engine ($mode store) did not start (log: $LAB/docker28-$mode/dockerd.log)"
			return 0
		fi
	done
	rm -f -- "$ENGINE28/disabled"
}

stop_engines28() {
	local mode
	for mode in "${DOCKER28_MODES[@]}"; do stop_docker28 "$mode"; done
}

# ------------------------------------------------------------------------------- Docker Hub simulation

# Docker Hub under its real names, on loopback inside a network namespace of the lab's own:
#   ns        `unshare --net --mount` holding a network namespace (loopback only) and a private mount
#             namespace in which hub/hosts is bind-mounted over /etc/hosts; the holder is a `sleep`
#             (pid in hub/ns.pid). hub/run enters both (`nsenter --net --mount`), so nothing else on
#             the machine sees the names, and the machine's /etc/hosts and CA store stay untouched.
#             (`ip netns exec` would remount /sys, which hides the cgroups from dockerd 20.10.)
#   tls       a lab CA (hub/tls/ca.pem, LAB_HUB_CA) and one certificate for all the names; clients get
#             the CA through SSL_CERT_FILE, which hub/run sets.
#   registry  registry-1.docker.io (and index.docker.io) = 127.0.0.2:443, Debian's docker-registry with
#             `auth: token`, realm https://auth.docker.io/token, service registry.docker.io.
#   server    tests/support/hub_server.py: auth.docker.io = 127.0.0.3:443 (tokens as the Hub issues
#             them) and hub.docker.com = 127.0.0.4:443 (REST API, switches), sharing hub/accounts.json,
#             hub/private.json and hub/switches.json, all re-read on every request.
#   engine    dockerd 20.10 inside the namespace (SSL_CERT_FILE = the lab CA), socket hub/docker/docker.sock,
#             with my-app:latest.
HUB=$LAB/hub
HUB_REGISTRY_IP=127.0.0.2
HUB_AUTH_IP=127.0.0.3
HUB_API_IP=127.0.0.4
HUB_SERVICE=registry.docker.io
HUB_ISSUER=auth.docker.io
HUB_NAMES=(registry-1.docker.io index.docker.io registry.hub.docker.com auth.docker.io hub.docker.com)
HUB_USERS=(hubalice:lab-hub-alice-pw-4f1c hubbob:lab-hub-bob-pw-9d2e)
HUB_SERVER=$REPO/tests/support/hub_server.py
HUB_SOCK=$HUB/docker/docker.sock
HUB_SWITCHES=(ok cloudflare challenge down ratelimit ratelimit-both)

hub_ns_pid() { pid_of "$HUB/ns.pid" "learn-registry-hub $HUB/hosts"; }

# Runs a command inside the simulation (network and mount namespaces), with the lab CA trusted.
hub_in() {
	local pid
	pid=$(hub_ns_pid) || die "the Hub simulation's namespace is not running (scripts/lab.sh hub up)"
	nsenter --target "$pid" --net --mount --wd=/ -- env SSL_CERT_FILE="$HUB/tls/ca.pem" CURL_CA_BUNDLE="$HUB/tls/ca.pem" "$@"
}

hub_code() { hub_in curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }
hub_registry_ok() { [[ $(hub_code https://registry-1.docker.io/v2/) == 401 ]]; }
hub_server_ok() { [[ $(hub_code https://auth.docker.io/healthz) == 200 && $(hub_code https://hub.docker.com/healthz) == 200 ]]; }
hub_ns_ok() { hub_ns_pid >/dev/null; }

hub_hosts() {
	printf '# Written by scripts/lab.sh: /etc/hosts inside the Docker Hub simulation only.\n'
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
	printf '%s\tregistry-1.docker.io index.docker.io registry.hub.docker.com\n' "$HUB_REGISTRY_IP"
	printf '%s\tauth.docker.io\n' "$HUB_AUTH_IP"
	printf '%s\thub.docker.com\n' "$HUB_API_IP"
}

# The lab CA and the certificate for every Hub name, made once.
hub_tls() {
	local dir=$HUB/tls san
	mkdir -p -- "$dir"
	[[ -s $dir/ca.pem && -s $dir/server.pem && -s $dir/server.key ]] && return 0
	san=$(printf 'DNS:%s,' "${HUB_NAMES[@]}")
	{
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=learn-registry lab CA" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
			-keyout "$dir/ca.key" -out "$dir/ca.pem" &&
			openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=registry-1.docker.io" \
				-keyout "$dir/server.key" -out "$dir/server.csr" &&
			printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
				"${san%,}" >"$dir/server.ext" &&
			openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
				-days 3650 -sha256 -extfile "$dir/server.ext" -out "$dir/server.pem"
	} >"$dir/openssl.log" 2>&1 || { show_failure "openssl could not make the lab CA" "$dir/openssl.log" && exit 1; }
	chmod 600 "$dir/ca.key" "$dir/server.key"
	# Token signing key: what auth.docker.io signs with and registry-1.docker.io trusts.
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=$HUB_ISSUER" \
		-keyout "$dir/token.key" -out "$dir/token.pem" >>"$dir/openssl.log" 2>&1 ||
		{ show_failure "openssl could not make the token key" "$dir/openssl.log" && exit 1; }
	chmod 600 "$dir/token.key"
	log "hub: made a lab CA and certificates in $dir"
}

start_hub_ns() {
	local pid
	mkdir -p -- "$HUB"
	# In place (same inode): the running namespace has this very file mounted over /etc/hosts.
	if ! hub_hosts | cmp -s - "$HUB/hosts" 2>/dev/null; then hub_hosts >"$HUB/hosts"; fi
	if pid=$(hub_ns_pid); then
		log "hub namespace: running (pid $pid)"
		return 0
	fi
	have unshare && have nsenter || die "unshare and nsenter (util-linux) are needed for the Hub simulation"
	# Whatever still runs from an earlier namespace (its holder died) listens where nobody can reach it.
	stop_hub_engine
	stop_hub_server
	stop_hub_registry
	spawn "$HUB/ns.log" unshare --net --mount --propagation private -- bash -c \
		'ip link set lo up && mount --bind "$1" /etc/hosts && exec -a "learn-registry-hub $1" sleep infinity' \
		hub-ns "$HUB/hosts"
	echo "$SPAWNED_PID" >"$HUB/ns.pid"
	wait_until 10 "hub namespace" "$HUB/ns.log" "$SPAWNED_PID" hub_ns_ok || exit 1
	log "hub namespace: started (pid $SPAWNED_PID)"
	write_hub_run
}

# hub/run (LAB_HUB_RUN): `hub/run COMMAND...` runs COMMAND inside the simulation with SSL_CERT_FILE set
# to the lab CA, in the caller's working directory and environment otherwise (DOCKER_HOST included).
write_hub_run() {
	write_if_changed "$HUB/run" <<-EOF || true
		#!/bin/bash
		# Written by scripts/lab.sh: runs COMMAND inside the lab's Docker Hub simulation (its network and
		# mount namespaces), trusting the lab CA through SSL_CERT_FILE. Usage: $HUB/run COMMAND [ARGS...]
		pid=\$(cat '$HUB/ns.pid' 2>/dev/null)
		if [[ ! \$pid =~ ^[0-9]+\$ ]] || ! tr '\\0' ' ' <"/proc/\$pid/cmdline" 2>/dev/null | grep -qF 'learn-registry-hub $HUB/hosts'; then
			echo "lab: the Docker Hub simulation is not running (scripts/lab.sh hub up)" >&2
			exit 125
		fi
		exec nsenter --target "\$pid" --net --mount --wd="\$PWD" -- env SSL_CERT_FILE='$HUB/tls/ca.pem' CURL_CA_BUNDLE='$HUB/tls/ca.pem' "\$@"
	EOF
	chmod 755 "$HUB/run"
}

stop_hub_ns() { stop_pid "$HUB/ns.pid" "learn-registry-hub $HUB/hosts" "hub namespace"; }

# Spawns ARGS inside the namespace (nsenter execs, so the pid is the command's).
hub_spawn() {
	local logfile=$1 pid
	shift
	pid=$(hub_ns_pid) || die "the Hub namespace is not running"
	spawn "$logfile" nsenter --target "$pid" --net --mount --wd=/ -- env SSL_CERT_FILE="$HUB/tls/ca.pem" CURL_CA_BUNDLE="$HUB/tls/ca.pem" "$@"
}

start_hub_registry() {
	local dir=$HUB/registry pid changed=0
	mkdir -p -- "$dir/data"
	write_if_changed "$dir/config.yml" <<-EOF && changed=1
		# Written by scripts/lab.sh: registry-1.docker.io in the Docker Hub simulation.
		version: 0.1
		log:
		  level: $REGISTRY_LOG
		  accesslog:
		    disabled: $ACCESS_LOG_OFF
		  fields:
		    service: registry-1.docker.io
		storage:
		  filesystem:
		    rootdirectory: "$dir/data"
		  delete:
		    enabled: true
		  maintenance:
		    uploadpurging:
		      enabled: false
		http:
		  addr: $HUB_REGISTRY_IP:443
		  host: https://registry-1.docker.io
		  secret: lab-hub-registry-not-a-secret
		  tls:
		    certificate: "$HUB/tls/server.pem"
		    key: "$HUB/tls/server.key"
		  headers:
		    X-Content-Type-Options: [nosniff]
		auth:
		  token:
		    realm: https://auth.docker.io/token
		    service: $HUB_SERVICE
		    issuer: $HUB_ISSUER
		    rootcertbundle: "$HUB/tls/token.pem"
		# certificate $(openssl x509 -noout -fingerprint -sha256 -in "$HUB/tls/token.pem")
	EOF
	if pid=$(pid_of "$dir/registry.pid" "$dir/config.yml"); then
		if ((changed)); then
			log "hub registry: configuration changed; restarting"
			stop_hub_registry
		else
			wait_until 15 "hub registry" "$dir/registry.log" "$pid" hub_registry_ok || exit 1
			log "hub registry: running (pid $pid) as https://registry-1.docker.io"
			return 0
		fi
	fi
	hub_spawn "$dir/registry.log" docker-registry serve "$dir/config.yml"
	echo "$SPAWNED_PID" >"$dir/registry.pid"
	wait_until 15 "hub registry" "$dir/registry.log" "$SPAWNED_PID" hub_registry_ok || exit 1
	log "hub registry: started (pid $SPAWNED_PID) as https://registry-1.docker.io"
}

stop_hub_registry() { stop_pid "$HUB/registry/registry.pid" "$HUB/registry/config.yml" "hub registry"; }

start_hub_server() {
	local dir=$HUB/server pid changed=0 user sep='' args
	mkdir -p -- "$dir"
	# Seed accounts once; tests add their own while it runs (the file is re-read on every request).
	if [[ ! -s $HUB/accounts.json ]]; then
		{
			printf '{'
			for user in "${HUB_USERS[@]}"; do
				printf '%s"%s": "%s"' "$sep" "${user%%:*}" "${user#*:}"
				sep=', '
			done
			printf '}\n'
		} >"$HUB/accounts.json"
	fi
	[[ -f $HUB/private.json ]] || echo '[]' >"$HUB/private.json"
	[[ -f $HUB/switches.json ]] || echo '{"*": "ok"}' >"$HUB/switches.json"
	args=(
		"$SYSTEM_PYTHON" "$HUB_SERVER" --auth-listen "$HUB_AUTH_IP:443" --api-listen "$HUB_API_IP:443"
		--tls-cert "$HUB/tls/server.pem" --tls-key "$HUB/tls/server.key"
		--key "$HUB/tls/token.key" --cert "$HUB/tls/token.pem" --issuer "$HUB_ISSUER" --service "$HUB_SERVICE"
		--accounts "$HUB/accounts.json" --private "$HUB/private.json" --switches "$HUB/switches.json"
		--registry-root "$HUB/registry/data"
	)
	{
		printf '%s\n' "${args[@]}"
		sha256sum "$HUB_SERVER" "$TOKEN_SERVER"
	} | write_if_changed "$dir/server.args" && changed=1
	if pid=$(pid_of "$dir/server.pid" "$HUB/accounts.json"); then
		if ((changed)); then
			log "hub server: script or settings changed; restarting"
			stop_hub_server
		else
			wait_until 15 "hub server" "$dir/server.log" "$pid" hub_server_ok || exit 1
			log "hub server: running (pid $pid) as https://auth.docker.io and https://hub.docker.com"
			return 0
		fi
	fi
	hub_spawn "$dir/server.log" "${args[@]}"
	echo "$SPAWNED_PID" >"$dir/server.pid"
	wait_until 15 "hub server" "$dir/server.log" "$SPAWNED_PID" hub_server_ok || exit 1
	log "hub server: started (pid $SPAWNED_PID) as https://auth.docker.io and https://hub.docker.com"
}

stop_hub_server() { stop_pid "$HUB/server/server.pid" "$HUB/accounts.json" "hub server"; }

start_hub_engine() {
	local dir=$HUB/docker pid changed=0 args
	mkdir -p -- "$dir"
	[[ -f $dir/daemon.json ]] || echo '{}' >"$dir/daemon.json"
	args=(
		dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs
		--data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" --host "unix://$HUB_SOCK"
		--config-file "$dir/daemon.json"
		--containerd-namespace learn-registry-hub --containerd-plugins-namespace learn-registry-hub-plugins
	)
	printf '%s\n' "${args[@]}" | write_if_changed "$dir/dockerd.args" && changed=1
	if pid=$(pid_of "$dir/dockerd.pid" "$HUB_SOCK"); then
		if ((changed)); then
			log "hub engine: settings changed; restarting"
			stop_hub_engine
		else
			wait_until "$TIMEOUT" "hub dockerd" "$dir/dockerd.log" "$pid" sock_ping "$HUB_SOCK" || exit 1
			log "hub engine: running (pid $pid)"
			return 0
		fi
	fi
	rm -f -- "$dir/dockerd.pid"
	pid_of "$dir/exec/containerd/containerd.pid" "$dir/exec/containerd" >/dev/null ||
		rm -f -- "$dir/exec/containerd/containerd.pid"
	hub_spawn "$dir/dockerd.log" "${args[@]}"
	wait_until "$TIMEOUT" "hub dockerd" "$dir/dockerd.log" "$SPAWNED_PID" sock_ping "$HUB_SOCK" || exit 1
	log "hub engine: started (pid $SPAWNED_PID) on unix://$HUB_SOCK"
}

stop_hub_engine() { stop_pid "$HUB/docker/dockerd.pid" "$HUB_SOCK" "hub engine"; }

hub_disable() {
	warn "hub: $1; LAB_HUB_RUN will be empty"
	mkdir -p -- "$HUB"
	printf '%s\n' "$1" >"$HUB/disabled"
}

hub_up() {
	if [[ ${LAB_HUB:-on} == off ]]; then
		hub_down
		hub_disable "skipped (LAB_HUB=off)"
		return 0
	fi
	hub_tls
	start_hub_ns
	write_hub_run
	start_hub_registry
	start_hub_server
	start_hub_engine
	copy_image "$HUB_SOCK" "$HUB/docker" "hub engine" || exit 1
	rm -f -- "$HUB/disabled"
}

# Stops everything inside the namespace first: the namespace goes when its last process does.
hub_down() {
	local pid
	stop_hub_engine
	stop_hub_server
	stop_hub_registry
	if pid=$(hub_ns_pid); then
		# Any process still inside (a test's docker CLI left behind) would keep the namespace alive.
		local left='' p ns
		ns=$(readlink "/proc/$pid/ns/net")
		for p in /proc/[0-9]*; do
			p=${p#/proc/}
			if [[ $p != "$pid" && $(readlink "/proc/$p/ns/net" 2>/dev/null || true) == "$ns" ]]; then left+=" $p"; fi
		done
		[[ -z $left ]] || warn "hub namespace: processes still inside (pids${left}) keep it alive; stop them"
	fi
	stop_hub_ns
}

# `hub set SWITCH [NAME]`: how hub.docker.com answers, for everyone (`*`) or for requests about NAME.
hub_set() {
	local switch=${1:-} name=${2:-*} s ok=0
	for s in "${HUB_SWITCHES[@]}"; do [[ $s == "$switch" ]] && ok=1; done
	((ok)) || die "usage: scripts/lab.sh hub set ${HUB_SWITCHES[*]// /|} [NAME]"
	mkdir -p -- "$HUB"
	(
		flock -w 30 8 || die "cannot lock $HUB/switches.lock"
		"$SYSTEM_PYTHON" - "$HUB/switches.json" "$name" "$switch" <<-'EOF'
			import json, os, sys
			path, name, switch = sys.argv[1:]
			try:
			    with open(path) as f:
			        data = json.load(f)
			except (OSError, ValueError):
			    data = {}
			if switch == "ok" and name != "*":
			    data.pop(name, None)
			else:
			    data[name] = switch
			with open(path + ".tmp", "w") as f:
			    json.dump(data, f, sort_keys=True)
			    f.write("\n")
			os.replace(path + ".tmp", path)
		EOF
	) 8>>"$HUB/switches.lock"
	log "hub: hub.docker.com answers \`$switch\` for ${name/\*/everyone}"
}

hub_env() {
	local run=$HUB/run
	[[ -e $HUB/disabled || ! -x $HUB/run ]] && run=
	emit LAB_HUB_RUN "$run"
	emit LAB_HUB_CA "$HUB/tls/ca.pem"
	emit LAB_HUB_DOCKER_HOST "$([[ -n $run ]] && echo "unix://$HUB_SOCK")"
	emit LAB_HUB_ACCOUNTS_FILE "$HUB/accounts.json"
	emit LAB_HUB_PRIVATE_FILE "$HUB/private.json"
	emit LAB_HUB_SWITCHES_FILE "$HUB/switches.json"
	emit LAB_HUB_REGISTRY_ROOT "$HUB/registry/data"
	emit_users LAB_HUB "${HUB_USERS[@]}"
}

hub_status() {
	local pid all=0 dir
	if [[ -e $HUB/disabled ]]; then
		status_line hub disabled "$(<"$HUB/disabled")"
		return 0
	fi
	if pid=$(hub_ns_pid); then
		status_line "hub namespace" running "pid $pid, $HUB/run"
	else
		status_line "hub namespace" stopped "$HUB/run"
		return 1
	fi
	dir=$HUB/registry
	if pid=$(pid_of "$dir/registry.pid" "$dir/config.yml") && hub_registry_ok; then
		status_line "hub registry" running "pid $pid, https://registry-1.docker.io ($HUB_REGISTRY_IP:443)"
	else
		status_line "hub registry" stopped "https://registry-1.docker.io"
		all=1
	fi
	if pid=$(pid_of "$HUB/server/server.pid" "$HUB/accounts.json") && hub_server_ok; then
		status_line "hub server" running "pid $pid, https://auth.docker.io ($HUB_AUTH_IP), https://hub.docker.com ($HUB_API_IP)"
		status_line "  switches" set "$(tr -d '\n' <"$HUB/switches.json")"
	else
		status_line "hub server" stopped "https://auth.docker.io, https://hub.docker.com"
		all=1
	fi
	if pid=$(pid_of "$HUB/docker/dockerd.pid" "$HUB_SOCK") && sock_ping "$HUB_SOCK"; then
		status_line "hub engine" running "pid $pid, unix://$HUB_SOCK"
		image_status "$HUB_SOCK"
	else
		status_line "hub engine" stopped "unix://$HUB_SOCK"
		all=1
	fi
	return $all
}

engines28_status() {
	local mode pid sock all=0
	if [[ -e $ENGINE28/disabled ]]; then
		status_line "engine 28" disabled "$(<"$ENGINE28/disabled")"
		return 0
	fi
	for mode in "${DOCKER28_MODES[@]}"; do
		sock=$(docker28_sock "$mode")
		if pid=$(pid_of "$LAB/docker28-$mode/dockerd.pid" "$sock") && sock_ping "$sock"; then
			status_line "engine 28 $mode" running "pid $pid, unix://$sock"
			image_status "$sock"
		else
			status_line "engine 28 $mode" stopped "unix://$sock"
			all=1
		fi
	done
	return $all
}

# ------------------------------------------------------------------------------------------ commands

print_env() {
	local podman_host=unix://$PODMAN_SOCK
	[[ -e $LAB/podman/disabled ]] && podman_host=
	emit DOCKER_HOST "unix://$DOCKER_SOCK"
	emit LAB_DIR "$LAB"
	emit LAB_DOCKER_HOST "unix://$DOCKER_SOCK"
	emit LAB_PODMAN_HOST "$podman_host"
	emit LAB_IMAGE "$IMAGE"
	emit LAB_REGISTRY "127.0.0.1:$OPEN_PORT"
	emit LAB_REGISTRY_HTPASSWD "127.0.0.1:$HTPASSWD_PORT"
	emit LAB_REGISTRY_TOKEN "127.0.0.1:$TOKEN_REGISTRY_PORT"
	emit LAB_TOKEN_REALM "$TOKEN_REALM"
	emit LAB_TOKEN_SERVICE "$TOKEN_SERVICE"
	emit LAB_TOKEN_ISSUER "$TOKEN_ISSUER"
	emit LAB_TOKEN_CERT "$LAB/token/cert.pem"
	emit LAB_PRIVATE_REPOS_FILE "$LAB/token/private.json"
	emit_users LAB_HTPASSWD "${HTPASSWD_USERS[@]}"
	emit_users LAB_TOKEN "${TOKEN_USERS[@]}"
	local d28=unix://$(docker28_sock classic) d28c=unix://$(docker28_sock containerd)
	[[ -e $ENGINE28/disabled || ! -x $ENGINE28/root/usr/sbin/dockerd ]] && d28= d28c=
	emit LAB_DOCKER28_HOST "$d28"
	emit LAB_DOCKER28_CONTAINERD_HOST "$d28c"
	hub_env
}

status_line() { printf '%-20s %-9s %s\n' "$1" "$2" "$3"; }
image_status() {
	local id
	id=$(image_id "$1")
	if [[ -n $id ]]; then status_line "  $IMAGE" present "$id"; else status_line "  $IMAGE" missing ''; fi
}

status() {
	local pid name port dir all=0
	if pid=$(pid_of "$LAB/docker/dockerd.pid" "$DOCKER_SOCK") && sock_ping "$DOCKER_SOCK"; then
		status_line engine running "pid $pid, unix://$DOCKER_SOCK"
		image_status "$DOCKER_SOCK"
	else
		status_line engine stopped "unix://$DOCKER_SOCK"
		all=1
	fi
	for name in "${REGISTRY_NAMES[@]}"; do
		port=$(registry_port "$name")
		dir=$LAB/registry/$name
		if pid=$(pid_of "$dir/registry.pid" "$dir/config.yml") && registry_ok "$port"; then
			status_line "registry $name" running "pid $pid, http://127.0.0.1:$port"
		else
			status_line "registry $name" stopped "127.0.0.1:$port"
			all=1
		fi
	done
	if pid=$(pid_of "$LAB/token/token-server.pid" "$LAB/token/users.json") && token_server_ok; then
		status_line "token server" running "pid $pid, $TOKEN_REALM"
	else
		status_line "token server" stopped "$TOKEN_REALM"
		all=1
	fi
	if [[ -e $LAB/podman/disabled ]]; then
		status_line podman disabled "$(<"$LAB/podman/disabled")"
	elif pid=$(pid_of "$LAB/podman/podman.pid" "$PODMAN_SOCK") && sock_ping "$PODMAN_SOCK"; then
		status_line podman running "pid $pid, unix://$PODMAN_SOCK"
		image_status "$PODMAN_SOCK"
	else
		status_line podman stopped "unix://$PODMAN_SOCK"
		all=1
	fi
	engines28_status || all=1
	hub_status || all=1
	return $all
}

up() {
	local name started=$SECONDS
	deps
	lock_lab
	start_engine
	ensure_image
	start_registry open
	start_registry htpasswd
	start_token_server
	start_registry token
	start_podman
	start_engines28
	hub_up
	log "up in $((SECONDS - started))s; lab dir $LAB"
	print_env
}

down() {
	local purge=0 name mounts
	[[ ${1:-} == --purge ]] && purge=1
	[[ $# -le 1 && (${1:-} == '' || $purge == 1) ]] || die "usage: scripts/lab.sh down [--purge]"
	[[ -d $LAB ]] || {
		log "no lab at $LAB"
		return 0
	}
	lock_lab
	hub_down
	stop_engines28
	stop_podman
	for name in "${REGISTRY_NAMES[@]}"; do stop_registry "$name"; done
	stop_token_server
	stop_engine
	((purge)) || return 0
	# Refuse to delete anything that is not a lab dir, or that still has something mounted inside.
	[[ -e $LAB/.lab-dir && $LAB != / ]] || die "$LAB does not look like a lab dir; not deleting it"
	mounts=$(awk -v p="$LAB/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r)
	if [[ -n $mounts ]]; then
		log "unmounting leftovers under $LAB"
		while IFS= read -r name; do umount -l -- "$(printf '%b' "$name")" || true; done <<<"$mounts"
	fi
	rm -rf -- "$LAB"
	log "purged $LAB"
}

hub_main() {
	local cmd=${1:-} started=$SECONDS
	[[ $# -gt 0 ]] && shift
	case $cmd in
	up)
		deps
		lock_lab
		hub_up
		log "hub up in $((SECONDS - started))s"
		hub_env
		;;
	down) lock_lab && hub_down ;;
	env) hub_env ;;
	status) hub_status ;;
	set) hub_set "$@" ;;
	exec)
		[[ $# -gt 0 ]] || die "usage: scripts/lab.sh hub exec COMMAND [ARGS...]"
		[[ -x $HUB/run ]] || die "the Docker Hub simulation is not set up (scripts/lab.sh hub up)"
		# A client config of the simulation's own unless one is given: a login by hand never lands in
		# the user's ~/.docker.
		DOCKER_HOST=unix://$HUB_SOCK DOCKER_CONFIG=${DOCKER_CONFIG:-$HUB/client} exec "$HUB/run" "$@"
		;;
	*) die "usage: scripts/lab.sh hub up|down|env|status|set SWITCH [NAME]|exec COMMAND..." ;;
	esac
}

main() {
	local cmd=${1:-}
	[[ $# -gt 0 ]] && shift
	case $cmd in
	up) up ;;
	down) down "$@" ;;
	env) print_env ;;
	status) status ;;
	deps) deps ;;
	start-engine) lock_lab && start_engine ;;
	stop-engine) lock_lab && stop_engine ;;
	start-registry | stop-registry)
		[[ $# == 1 ]] || die "usage: scripts/lab.sh $cmd open|htpasswd|token"
		registry_port "$1" >/dev/null
		lock_lab
		if [[ $cmd == start-registry ]]; then start_registry "$1"; else stop_registry "$1"; fi
		;;
	start-token-server) lock_lab && start_token_server ;;
	stop-token-server) lock_lab && stop_token_server ;;
	start-podman) lock_lab && start_podman ;;
	stop-podman) lock_lab && stop_podman ;;
	start-engines28) lock_lab && start_engines28 ;;
	stop-engines28) lock_lab && stop_engines28 ;;
	hub) hub_main "$@" ;;
	-h | --help | help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" ;;
	*) die "usage: scripts/lab.sh up|down [--purge]|env|status|deps|hub ...|start-engine|stop-engine|start-registry NAME|stop-registry NAME|start-token-server|stop-token-server|start-podman|stop-podman|start-engines28|stop-engines28" ;;
	esac
}

main "$@"
