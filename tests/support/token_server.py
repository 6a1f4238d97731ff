#!/usr/bin/python3
"""Token server for the lab's token-auth registry, behaving like Docker Hub's auth.docker.io.

Run by `scripts/lab.sh` with Debian's /usr/bin/python3 and python3-cryptography (no pip packages).
It implements the Docker token flow that distribution 2.8's `auth: token` expects:

    GET /token?service=lab-registry&scope=repository:NS/REPO:pull,push   [Authorization: Basic ...]
    -> 200 {"token": JWT, "access_token": JWT, "expires_in": N, "issued_at": RFC3339}

and the OAuth2 password grant Docker clients may use (`POST /token`, grant_type=password).

Access rules (what Docker Hub does, reduced to what the lessons need):
  * anonymous: `pull` on public repositories that exist; nothing else;
  * a user with valid credentials: `pull`, `push`, `delete` on their own namespace (`alice/...`),
    and `pull` on public repositories elsewhere that exist;
  * private repositories are pullable only by their owner;
  * invalid credentials: 401 (so `docker login` fails), never a downgraded anonymous token.
Like the Hub, a missing repository looks exactly like a private one to everybody but its owner:
the token grants nothing and the registry answers 401.

Private repositories are listed in a JSON file (a list of "ns/repo"), re-read on every request so
tests can change it. A repository "exists" when the registry's filesystem storage has manifests
for it (`--registry-root`, the token registry's rootdirectory).

Tokens are JWTs signed RS256. The header carries `x5c` (the signing certificate, which is the
registry's `rootcertbundle`) and `kid` (the libtrust key ID of the same key), so distribution can
verify them either way. Claims: iss, sub, aud (= service), exp, nbf, iat, jti, access.
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import sys
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def libtrust_key_id(public_key) -> str:
    """The key ID libtrust (and so distribution 2.8) derives from a public key:
    base32 of the first 240 bits of SHA-256 of the DER SubjectPublicKeyInfo, in groups of four."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode("ascii")
    return ":".join(b32[i : i + 4] for i in range(0, len(b32), 4))


class Signer:
    def __init__(self, key_path: str, cert_path: str):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        if isinstance(self.key, rsa.RSAPrivateKey):
            self.alg = "RS256"
        elif isinstance(self.key, ec.EllipticCurvePrivateKey):
            self.alg = "ES256"
        else:
            raise SystemExit("token_server: the signing key must be RSA or EC P-256")
        self.header = {
            "typ": "JWT",
            "alg": self.alg,
            "kid": libtrust_key_id(self.key.public_key()),
            "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")],
        }

    def sign(self, claims: dict) -> str:
        signing_input = (
            b64url(json.dumps(self.header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        ).encode("ascii")
        if self.alg == "RS256":
            sig = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            # JWS wants the raw r||s form, not DER.
            r, s = utils.decode_dss_signature(self.key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input.decode("ascii") + "." + b64url(sig)


def parse_scope(scope: str):
    """`repository:alice/app:pull,push` -> ("repository", "alice/app", ["pull", "push"]).
    The name sits between the first and the last colon; the type may carry a class
    (`repository(plugin)`), which is dropped."""
    first, last = scope.find(":"), scope.rfind(":")
    if first <= 0 or last == first:
        return None
    rtype = scope[:first].split("(", 1)[0]
    name = scope[first + 1 : last]
    actions = [a for a in scope[last + 1 :].split(",") if a]
    return rtype, name, actions


class Config:
    def __init__(self, args):
        self.issuer = args.issuer
        self.service = args.service
        self.ttl = args.ttl
        self.users_file = args.users
        self.private_file = args.private
        self.registry_root = args.registry_root
        self.signer = Signer(args.key, args.cert)

    def users(self) -> dict:
        with open(self.users_file) as f:
            return json.load(f)

    def private_repos(self) -> set:
        # Re-read on every request: tests flip repositories between public and private.
        try:
            with open(self.private_file) as f:
                data = json.load(f)
        except FileNotFoundError:
            return set()
        except (OSError, ValueError) as e:
            log(f"cannot read {self.private_file}: {e}; treating every repository as private")
            return None
        return {str(r) for r in data}

    def repo_exists(self, name: str) -> bool:
        if not self.registry_root:
            return True
        path = os.path.join(
            self.registry_root, "docker", "registry", "v2", "repositories", name, "_manifests"
        )
        return os.path.isdir(path)

    def allowed(self, user, name: str, wanted: list) -> list:
        owner = name.split("/", 1)[0] if "/" in name else None
        private = self.private_repos()
        is_private = private is None or name in private
        if user is not None and owner == user:
            allowed = {"pull", "push", "delete", "*"}
        elif not is_private and self.repo_exists(name):
            allowed = {"pull"}
        else:
            allowed = set()
        return [a for a in wanted if a in allowed]


def log(msg: str):
    sys.stderr.write(f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} token_server: {msg}\n")
    sys.stderr.flush()


def token_body(signer, issuer: str, audience: str, ttl: int, user, access: list) -> dict:
    """The token endpoint's answer: a JWT for `user` (None: anonymous) with `access`, and its times."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": user or "",
        "aud": audience,
        "exp": now + ttl,
        "nbf": now - 10,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "access": access,
    }
    token = signer.sign(claims)
    return {
        "token": token,
        "access_token": token,
        "expires_in": ttl,
        "issued_at": datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


class TokenRoutes:
    """The HTTP side of a token endpoint, shared with hub_server.py's auth.docker.io: `GET /token`
    (Basic credentials or anonymous), `POST /token` (the password grant; no refresh tokens are ever
    issued), `/healthz`. The handler that mixes it in provides `send_json`, `password_ok(user,
    password)`, `refuse()` (credentials given and wrong) and `issue(user, service, scopes)`."""

    def basic_user(self):
        """(ok, user) from a Basic header: (True, None) anonymous, (False, None) bad credentials."""
        header = self.headers.get("Authorization")
        if not header:
            return True, None
        kind, _, value = header.partition(" ")
        if kind.lower() != "basic":
            return False, None
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False, None
        return (True, user) if self.password_ok(user, password) else (False, None)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.send_json(200, {"ok": True})
            return
        if url.path != "/token":
            self.send_json(404, {"details": "not found"})
            return
        ok, user = self.basic_user()
        if not ok:
            self.refuse()
            return
        query = parse_qs(url.query)
        self.issue(user, query.get("service", [""])[0], query.get("scope", []))

    do_HEAD = do_GET

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != "/token":
            self.send_json(404, {"details": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        if form.get("grant_type", [""])[0] != "password":
            self.send_json(400, {"error": "unsupported_grant_type"})
            return
        user, password = form.get("username", [""])[0], form.get("password", [""])[0]
        if not self.password_ok(user, password):
            self.refuse()
            return
        scopes = [s for v in form.get("scope", []) for s in v.split(" ") if s]
        self.issue(user, form.get("service", [""])[0], scopes)


class Handler(TokenRoutes, BaseHTTPRequestHandler):
    server_version = "lab-token-server/1"
    protocol_version = "HTTP/1.1"
    config: Config = None

    def log_message(self, fmt, *args):
        log(f"{self.client_address[0]} {fmt % args}")

    def send_json(self, code: int, body: dict, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def unauthorized(self, detail: str):
        self.send_json(
            401,
            {"details": detail, "errors": [{"code": "UNAUTHORIZED", "message": detail}]},
            {"WWW-Authenticate": f'Basic realm="{self.config.issuer}"'},
        )

    def password_ok(self, user, password) -> bool:
        return bool(user) and self.config.users().get(user) == password

    def refuse(self):
        self.unauthorized("incorrect username or password")

    def issue(self, user, service: str, scopes: list):
        cfg = self.config
        if service and service != cfg.service:
            self.send_json(400, {"details": f"unknown service {service!r}"})
            return
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if parsed is None:
                self.send_json(400, {"details": f"malformed scope {scope!r}"})
                return
            rtype, name, wanted = parsed
            granted = cfg.allowed(user, name, wanted) if rtype == "repository" else []
            access.append({"type": rtype, "name": name, "actions": granted})
        log(f"token for {user or 'anonymous'}: {json.dumps(access)}")
        self.send_json(200, token_body(cfg.signer, cfg.issuer, cfg.service, cfg.ttl, user, access))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--listen", default="127.0.0.1:5003", help="HOST:PORT")
    p.add_argument("--key", required=True, help="PEM private key (RSA or EC P-256)")
    p.add_argument("--cert", required=True, help="PEM certificate of that key (the registry's rootcertbundle)")
    p.add_argument("--issuer", default="lab-token-server")
    p.add_argument("--service", default="lab-registry")
    p.add_argument("--users", required=True, help='JSON object {"user": "password"}')
    p.add_argument("--private", required=True, help='JSON list of private repositories ["ns/repo"]')
    p.add_argument("--registry-root", help="the registry's filesystem rootdirectory, to tell missing repositories")
    p.add_argument("--ttl", type=int, default=300, help="token lifetime in seconds")
    args = p.parse_args()

    Handler.config = Config(args)
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), Handler)
    server.daemon_threads = True
    log(f"listening on http://{args.listen}/token (issuer {args.issuer}, service {args.service})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
