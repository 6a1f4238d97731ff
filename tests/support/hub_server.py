#!/usr/bin/python3
"""Docker Hub's `auth.docker.io` and `hub.docker.com`, simulated for the lab's Hub namespace.

Run by `scripts/lab.sh hub up` inside the simulation's network namespace, with Debian's /usr/bin/python3
and python3-cryptography (no pip packages). One process serves both names over TLS (a certificate from
the lab CA), so the two share one view of accounts, private repositories and the registry's storage,
exactly as the real Hub's two front doors share one database:

auth.docker.io (`--auth-listen`), the token service in front of `registry-1.docker.io`:
    GET  /token?service=registry.docker.io&scope=repository:NS/REPO:pull,push   [Authorization: Basic]
    POST /token  (OAuth2 `grant_type=password`, what dockerd's login may use)
  * a token is always issued, also anonymously; what is not allowed is left out of `access`;
  * anonymous callers: `pull` on public repositories that exist;
  * a user: `push` and `pull` in their own namespace when asking for `push` (a first push creates the
    repository), otherwise `pull` only on repositories that exist: like the Hub, a missing repository
    answers 401 even to its owner; `pull` on other users' public repositories and on `library/` ones;
  * a wrong password: 401 `{"details":"incorrect username or password"}`, never an anonymous token;
  * an admin (a name in `--admins`, default `admins.json` beside `--accounts`; re-read per request), such
    as an instructor who grades a class with `grade --login`: `pull` on every repository that exists,
    private ones included (missing ones still answer 401, as to their owner).

hub.docker.com (`--api-listen`), the REST API with its documented shapes:
    GET  /v2/users/NAME/                                    the account (404 if none)
    GET  /v2/namespaces/NS/repositories/REPO[/]             also /v2/repositories/NS/REPO/
    GET  /v2/namespaces/NS/repositories/REPO/tags/TAG[/]    also /v2/repositories/NS/REPO/tags/TAG/
    POST /v2/users/login  {"username","password"} -> {"token"}; that token as `Authorization: Bearer`
                          lets the owner see their private repositories.
  Private and missing repositories are 404 alike for anyone but the owner. Every answer carries
  `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix time).

Switches (`--switches`, a JSON object re-read on every request, written by `scripts/lab.sh hub set`)
make hub.docker.com misbehave the ways the real one does. The key `*` applies to every request; a key
NAME applies to requests about that user or namespace, so parallel tests with their own names do not
meet. Values:
    ok              normal answers
    cloudflare      403, `server: cloudflare`, text/plain `error code: 1010` (Cloudflare's bot block)
    challenge       403, `server: cloudflare`, `cf-mitigated: challenge`, HTML "Just a moment..."
    down            503 with an HTML page
    ratelimit       429 with `X-Retry-After` (Unix time, 42 s ahead) and `X-RateLimit-Remaining: 0`
    ratelimit-both  the same plus `Retry-After: 42` (seconds)

Accounts (`--accounts`, {"user": "password"}) and private repositories (`--private`, ["ns/repo"]) are
files re-read on every request, so tests add users and flip visibility while the server runs. A
repository exists when the registry's filesystem storage (`--registry-root`) has manifests for it; a
tag exists when its tag link does.
"""

import argparse
import json
import os
import re
import ssl
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from token_server import Signer, TokenRoutes, log, parse_scope, token_body  # noqa: E402

RETRY_SECS = 42
RATE_LIMIT = 180
RATE_WINDOW = 60
USERNAME = re.compile(r"^[a-z0-9]{4,30}$")


def read_json(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as e:
        log(f"cannot read {path}: {e}")
        return default


class State:
    def __init__(self, args):
        self.args = args
        self.signer = Signer(args.key, args.cert)
        self.sessions = {}  # REST login token -> username
        self.lock = threading.Lock()
        self.window_start = int(time.time())
        self.window_used = 0

    def accounts(self) -> dict:
        return read_json(self.args.accounts, {})

    def is_admin(self, user) -> bool:
        path = self.args.admins or os.path.join(os.path.dirname(self.args.accounts), "admins.json")
        admins = read_json(path, [])
        return user is not None and isinstance(admins, list) and user in admins

    def private(self) -> set:
        data = read_json(self.args.private, None)
        if data is None:
            return None
        return {str(r) for r in data}

    def is_private(self, name: str) -> bool:
        private = self.private()
        # An unreadable list hides everything rather than showing a private repository.
        return private is None or name in private

    def switch(self, scope_names) -> str:
        switches = read_json(self.args.switches, {})
        for name in scope_names:
            if name and name in switches:
                return str(switches[name])
        return str(switches.get("*", "ok"))

    def repo_dir(self, name: str) -> str:
        return os.path.join(self.args.registry_root, "docker", "registry", "v2", "repositories", name)

    def repo_exists(self, name: str) -> bool:
        return os.path.isdir(os.path.join(self.repo_dir(name), "_manifests"))

    def tag_digest(self, name: str, tag: str):
        link = os.path.join(self.repo_dir(name), "_manifests", "tags", tag, "current", "link")
        try:
            with open(link) as f:
                return f.read().strip()
        except OSError:
            return None

    def check_password(self, user: str, password: str) -> bool:
        return bool(user) and self.accounts().get(user) == password

    def rate(self):
        """(limit, remaining, reset) for this minute's window, counting this request."""
        with self.lock:
            now = int(time.time())
            if now >= self.window_start + RATE_WINDOW:
                self.window_start, self.window_used = now, 0
            self.window_used += 1
            return RATE_LIMIT, max(RATE_LIMIT - self.window_used, 0), self.window_start + RATE_WINDOW


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None
    name = "hub"

    def log_message(self, fmt, *args):
        log(f"{self.name} {self.client_address[0]} {fmt % args}")

    server_header = None

    def version_string(self):
        # A `Server` given for one answer (Cloudflare's) replaces the default, as a proxy's would.
        return self.server_header or self.server_version

    def send(self, code: int, body: bytes, content_type: str, headers=None):
        headers = dict(headers or {})
        self.server_header = headers.pop("Server", None)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, code: int, body, headers=None):
        self.send(code, json.dumps(body).encode(), "application/json", headers)


class AuthHandler(TokenRoutes, Base):
    """auth.docker.io"""

    server_version = "lab-auth.docker.io/1"
    name = "auth"

    def allowed(self, user, name: str, wanted: list) -> list:
        st = self.state
        owner = name.split("/", 1)[0] if "/" in name else None
        exists = st.repo_exists(name)
        if user is not None and owner == user:
            if "push" in wanted:
                allowed = {"pull", "push"}
            elif exists:
                allowed = {"pull", "delete"}
            else:
                allowed = set()
        elif exists and st.is_admin(user):
            allowed = {"pull"}
        elif exists and not st.is_private(name):
            allowed = {"pull"}
        else:
            allowed = set()
        return [a for a in wanted if a in allowed]

    def password_ok(self, user, password) -> bool:
        return self.state.check_password(user, password)

    def refuse(self):
        self.send_json(401, {"details": "incorrect username or password"})

    def issue(self, user, service: str, scopes: list):
        args = self.state.args
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if parsed is None:
                self.send_json(400, {"details": f"invalid scope {scope!r}"})
                return
            rtype, name, wanted = parsed
            # Clients write official images as `library/NAME`; a bare name means the same here.
            if rtype == "repository" and "/" not in name:
                name = "library/" + name
            granted = self.allowed(user, name, wanted) if rtype == "repository" else []
            access.append({"type": rtype, "name": name, "actions": granted})
        log(f"auth: token for {user or 'anonymous'}: {json.dumps(access)}")
        audience = service or args.service
        self.send_json(200, token_body(self.state.signer, args.issuer, audience, args.ttl, user, access))


NOT_FOUND = {"message": "httperror 404: object not found", "errinfo": {}}

CHALLENGE_PAGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">
</head><body><div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">hub.docker.com</h1><h2 class="h2">Verifying you are human. This may take a few seconds.</h2>
<noscript>Enable JavaScript and cookies to continue</noscript></div></div></body></html>
"""

DOWN_PAGE = b"""<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>
<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>
"""


class ApiHandler(Base):
    """hub.docker.com"""

    server_version = "lab-hub.docker.com/1"
    name = "api"

    def rate_headers(self):
        limit, remaining, reset = self.state.rate()
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }

    def caller(self):
        header = self.headers.get("Authorization", "")
        kind, _, value = header.partition(" ")
        if kind.lower() in ("bearer", "jwt"):
            return self.state.sessions.get(value.strip())
        return None

    def misbehave(self, names) -> bool:
        """Answers as the switch says and returns True, or returns False for a normal answer."""
        mode = self.state.switch(names)
        if mode in ("", "ok"):
            return False
        if mode == "cloudflare":
            self.send(403, b"error code: 1010", "text/plain; charset=UTF-8",
                      {"Server": "cloudflare", "CF-RAY": "8f0e0c0ffee00000-FRA"})
        elif mode == "challenge":
            self.send(403, CHALLENGE_PAGE, "text/html; charset=UTF-8",
                      {"Server": "cloudflare", "cf-mitigated": "challenge", "CF-RAY": "8f0e0c0ffee00001-FRA"})
        elif mode == "down":
            self.send(503, DOWN_PAGE, "text/html")
        elif mode in ("ratelimit", "ratelimit-both"):
            now = int(time.time())
            headers = {
                "X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(now + RETRY_SECS),
                "X-Retry-After": str(now + RETRY_SECS),
            }
            if mode == "ratelimit-both":
                headers["Retry-After"] = str(RETRY_SECS)
            self.send_json(429, {"message": "Too Many Requests", "errinfo": {}}, headers)
        else:
            log(f"api: unknown switch {mode!r}; answering normally")
            return False
        return True

    def user_json(self, name):
        return {
            "id": uuid.uuid5(uuid.NAMESPACE_DNS, name).hex,
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
            "username": name,
            "full_name": "",
            "location": "",
            "company": "",
            "profile_url": "",
            "date_joined": "2025-09-02T08:15:42.123456Z",
            "gravatar_url": "",
            "gravatar_email": "",
            "type": "User",
        }

    def repo_json(self, ns, repo, private, caller):
        return {
            "user": ns,
            "name": repo,
            "namespace": ns,
            "repository_type": "image",
            "status": 1,
            "status_description": "active",
            "description": "",
            "is_private": private,
            "is_automated": False,
            "star_count": 0,
            "pull_count": 0,
            "last_updated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "date_registered": "2025-09-02T08:20:00.000000Z",
            "collaborator_count": 0,
            "affiliation": None,
            "hub_user": ns,
            "has_starred": False,
            "full_description": None,
            "permissions": {"read": True, "write": caller == ns, "admin": caller == ns},
            "media_types": ["application/vnd.docker.container.image.v1+json"],
            "content_types": ["image"],
            "categories": [],
        }

    def tag_json(self, ns, repo, tag, digest):
        return {
            "creator": 1,
            "id": abs(hash((ns, repo, tag))) % 10**9,
            "images": [{"architecture": "amd64", "os": "linux", "digest": digest, "status": "active"}],
            "last_updated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "last_updater_username": ns,
            "name": tag,
            "repository": 1,
            "full_size": 0,
            "v2": True,
            "tag_status": "active",
            "media_type": "application/vnd.docker.distribution.manifest.v2+json",
            "content_type": "image",
            "digest": digest,
        }

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.send_json(200, {"ok": True})
            return
        parts = [p for p in url.path.split("/") if p]
        names = []
        if parts[:2] == ["v2", "users"] and len(parts) == 3:
            names = [parts[2]]
        elif parts[:2] == ["v2", "namespaces"] and len(parts) >= 3:
            names = [parts[2]]
        elif parts[:2] == ["v2", "repositories"] and len(parts) >= 3:
            names = [parts[2]]
        if self.misbehave(names):
            return
        headers = self.rate_headers()
        st = self.state
        caller = self.caller()
        # /v2/repositories/NS/REPO/... is the older spelling of /v2/namespaces/NS/repositories/REPO/...
        if parts[:2] == ["v2", "repositories"] and len(parts) >= 4:
            parts = ["v2", "namespaces", parts[2], "repositories"] + parts[3:]
        match parts:
            case ["v2", "users", name]:
                if name in st.accounts():
                    self.send_json(200, self.user_json(name), headers)
                    return
            case ["v2", "namespaces", ns, "repositories", repo]:
                full = f"{ns}/{repo}"
                private = st.is_private(full)
                if st.repo_exists(full) and (not private or caller == ns):
                    self.send_json(200, self.repo_json(ns, repo, private, caller), headers)
                    return
            case ["v2", "namespaces", ns, "repositories", repo, "tags", tag]:
                full = f"{ns}/{repo}"
                digest = st.tag_digest(full, tag)
                if digest and (not st.is_private(full) or caller == ns):
                    self.send_json(200, self.tag_json(ns, repo, tag, digest), headers)
                    return
        self.send_json(404, NOT_FOUND, headers)

    do_HEAD = do_GET

    def do_POST(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if url.path.rstrip("/") != "/v2/users/login":
            self.send_json(404, NOT_FOUND, self.rate_headers())
            return
        if self.misbehave([]):
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        user, password = str(body.get("username", "")), str(body.get("password", ""))
        if not self.state.check_password(user, password):
            self.send_json(401, {"detail": "Incorrect authentication credentials"}, self.rate_headers())
            return
        token = uuid.uuid4().hex + uuid.uuid4().hex
        self.state.sessions[token] = user
        self.send_json(200, {"token": token}, self.rate_headers())


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    context = None

    def finish_request(self, request, client_address):
        # The TLS handshake happens here, in the connection's own thread, so a slow or broken client
        # never holds up the accept loop.
        try:
            request = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as e:
            log(f"tls handshake with {client_address[0]} failed: {e}")
            return
        self.RequestHandlerClass(request, client_address, self)


def serve(handler, listen: str, context):
    host, _, port = listen.rpartition(":")
    server = TLSServer((host, int(port)), handler)
    server.context = context
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    log(f"{handler.name}: listening on https://{listen}")
    return thread


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--auth-listen", required=True, help="HOST:PORT for auth.docker.io")
    p.add_argument("--api-listen", required=True, help="HOST:PORT for hub.docker.com")
    p.add_argument("--tls-cert", required=True, help="PEM certificate for both names (from the lab CA)")
    p.add_argument("--tls-key", required=True)
    p.add_argument("--key", required=True, help="token signing key (PEM)")
    p.add_argument("--cert", required=True, help="its certificate: the registry's rootcertbundle")
    p.add_argument("--issuer", default="auth.docker.io")
    p.add_argument("--service", default="registry.docker.io")
    p.add_argument("--accounts", required=True, help='JSON {"user": "password"}')
    p.add_argument("--private", required=True, help='JSON ["ns/repo"]')
    p.add_argument("--admins", help='JSON ["user"] who may pull every repository (default: admins.json beside --accounts)')
    p.add_argument("--switches", required=True, help='JSON {"*": "ok", "NAME": "cloudflare"}')
    p.add_argument("--registry-root", required=True, help="the registry's filesystem rootdirectory")
    p.add_argument("--ttl", type=int, default=300)
    args = p.parse_args()

    state = State(args)
    Base.state = state
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    threads = [serve(AuthHandler, args.auth_listen, context), serve(ApiHandler, args.api_listen, context)]
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
