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
#               Config, data and log under registry/NAME/.
#   token       tests/support/token_server.py on 127.0.0.1:5003 (LAB_TOKEN_PORT), run by Debian's
#               /usr/bin/python3 with python3-cryptography: Docker Hub-like tokens (JWT RS256 with x5c)
#               signed by a key and self-signed certificate made here with openssl; the certificate is the
#               token registry's rootcertbundle. Private repositories: token/private.json, re-read on
#               every request. Users alice, bob, carol.
#   podman      `podman system service` (rootful) serving the Docker-compatible API on podman/podman.sock,
#               with its own containers.conf, storage.conf (vfs) and registries.conf (lab registries are
#               insecure). If it cannot run, `up` warns and LAB_PODMAN_HOST is empty. LAB_PODMAN=off skips it.
#   image       my-app:latest, built offline FROM scratch (a text file and Debian's static busybox) in the
#               engine, then copied into podman's store with `docker save | docker load` (same image ID).
#
# Settings (environment): LAB_DIR, the four ports above, LAB_PODMAN=off, LAB_TIMEOUT (engine start, 60s).
# Output of `env`: DOCKER_HOST (= LAB_DOCKER_HOST), LAB_PODMAN_HOST, LAB_IMAGE, LAB_REGISTRY{,_HTPASSWD,_TOKEN},
# LAB_TOKEN_{REALM,SERVICE,ISSUER,CERT}, LAB_PRIVATE_REPOS_FILE, LAB_HTPASSWD_{USER,PASSWORD}[2],
# LAB_TOKEN_{USER,PASSWORD}[2|3]. `status` exits 1 if something is not running.
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
	local logfile=$1
	shift
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
	{ have flock && have setsid; } || missing+=(util-linux)
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
docker_cli() {
	local c
	[[ -z $DOCKER_CLI ]] || return 0
	for c in "$(command -v docker || true)" /usr/bin/docker; do
		[[ -n $c && -x $c ]] || continue
		if DOCKER_HOST="unix://$DOCKER_SOCK" "$c" version --format '{{.Server.Version}}' >/dev/null 2>&1; then
			DOCKER_CLI=$c
			return 0
		fi
		warn "$c cannot talk to the lab engine; trying the next client"
	done
	die "no docker client works with the engine at unix://$DOCKER_SOCK"
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

ensure_image() {
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
		  level: info
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

# ------------------------------------------------------------------------------------------ commands

print_env() {
	local podman_host=unix://$PODMAN_SOCK user i=1 n
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
	for user in "${HTPASSWD_USERS[@]}"; do
		n=$([[ $i == 1 ]] || echo "$i")
		emit "LAB_HTPASSWD_USER$n" "${user%%:*}"
		emit "LAB_HTPASSWD_PASSWORD$n" "${user#*:}"
		i=$((i + 1))
	done
	i=1
	for user in "${TOKEN_USERS[@]}"; do
		n=$([[ $i == 1 ]] || echo "$i")
		emit "LAB_TOKEN_USER$n" "${user%%:*}"
		emit "LAB_TOKEN_PASSWORD$n" "${user#*:}"
		i=$((i + 1))
	done
}

status_line() { printf '%-18s %-9s %s\n' "$1" "$2" "$3"; }
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
	-h | --help | help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" ;;
	*) die "usage: scripts/lab.sh up|down [--purge]|env|status|deps|start-engine|stop-engine|start-registry NAME|stop-registry NAME|start-token-server|stop-token-server|start-podman|stop-podman" ;;
	esac
}

main "$@"
