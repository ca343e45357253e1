#!/usr/bin/env python3
"""A hostile OpenID provider for the tests: it issues the ID tokens no production provider gives (any claim,
an HS256 or `alg: none` token, a wrong key, a rotated key), yet checks what a real provider checks: a
registered redirect_uri, PKCE S256, client authentication (client_secret_basic or client_secret_post) and
single-use codes that live 60 s. Tokens are signed with jwcrypto's algorithms, independent of the console.

    claims_provider.py --redirect-uri URI [...] [--post-logout-redirect-uri URI ...] [--port 0]

Issuer http://127.0.0.1:PORT. Two clients, "rs256" and "hs256" (the second signs HS256 with its secret by
default). The user signs in by POSTing `sub=SUB` (and `action=allow`, or `action=deny` for access_denied)
to the authorization URL. A test sets what a subject's token looks like with
    PUT /behaviour/{sub}  {"claims": {...}, "alg": "RS256"|"PS256"|"ES256", "kid": "..."|null,
                           "sign_with": "current"|"rotated"|"forged"|"hs256-client-secret"|"hs256-public-key"|"none",
                           "header": {...}, "userinfo": {...}}
(claims override the defaults iss, sub, aud, exp (+300 s), iat, auth_time, nonce; a null value removes one;
"rotated" is published in the JWKS only after POST /rotate; "forged" is an unpublished key under the
current kid; "header" is merged last and the signature covers it). GET /log lists the authorization, token
and logout requests and counts the discovery and JWKS fetches.
Prints one JSON line when ready, as dot_provider.py does, then serves until SIGTERM or stdin closes.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import stat
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jwcrypto import jwk
from jwcrypto.jwa import JWA

KEYS = {"current": jwk.JWK.generate(kty="RSA", size=2048), "ec": jwk.JWK.generate(kty="EC", crv="P-256"),
        "rotated": jwk.JWK.generate(kty="RSA", size=2048), "forged": jwk.JWK.generate(kty="RSA", size=2048)}
SIGN_WITH = {"current", "rotated", "forged", "hs256-client-secret", "hs256-public-key", "none"}
BEHAVIOUR_KEYS = {"claims", "alg", "kid", "sign_with", "header", "userinfo"}
LOCK = threading.Lock()
STATE = {"behaviour": {}, "codes": {}, "tokens": {}, "rotated": False,
         "log": {"authorize": [], "token": [], "logout": [], "discovery": 0, "jwks": 0, "userinfo": 0}}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public(name, kid):
    key = json.loads(KEYS[name].export_public())
    key.update({"kid": kid, "use": "sig", "alg": "ES256" if name == "ec" else "RS256"})
    return key


def sign(claims, behaviour, client):
    sign_with = behaviour.get("sign_with", "hs256-client-secret" if client["name"] == "hs256" else "current")
    alg = behaviour.get("alg", "RS256")
    if sign_with == "none":
        alg, key, kid = "none", None, None
    elif sign_with == "hs256-client-secret":
        alg, key, kid = "HS256", jwk.JWK(kty="oct", k=b64(client["client_secret"].encode())), None
    elif sign_with == "hs256-public-key":
        # The classic confusion: HMAC keyed with the provider's published RSA key.
        alg, kid = "HS256", None
        key = jwk.JWK(kty="oct", k=b64(KEYS["current"].export_to_pem(private_key=False)))
    else:
        name = "ec" if alg == "ES256" and sign_with == "current" else sign_with
        key = KEYS[name]
        kid = {"current": "current-ec" if name == "ec" else "current-rsa", "ec": "current-ec",
               "rotated": "rotated-rsa", "forged": "current-rsa"}[name]
    header = {"typ": "JWT", "alg": alg}
    if "kid" in behaviour:
        kid = behaviour["kid"]
    if kid is not None:
        header["kid"] = kid
    header.update(behaviour.get("header", {}))
    header = {k: v for k, v in header.items() if v is not None}
    signing_input = (b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())).encode()
    signature = b"" if key is None else JWA.signing_alg(alg).sign(key, signing_input)
    return signing_input.decode() + "." + b64(signature)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("claims_provider: " + format % args + "\n")

    def answer(self, status, body=None, headers=()):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body is not None and not isinstance(body, bytes):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def redirect(self, uri, params):
        self.answer(302, headers=[("Location", uri + ("&" if "?" in uri else "?") + urllib.parse.urlencode(params))])

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            with LOCK:
                STATE["log"]["discovery"] += 1
            self.answer(200, SERVER.discovery())
        elif url.path == "/jwks":
            with LOCK:
                STATE["log"]["jwks"] += 1
                keys = [public("current", "current-rsa"), public("ec", "current-ec")]
                if STATE["rotated"]:
                    keys.append(public("rotated", "rotated-rsa"))
            self.answer(200, {"keys": keys})
        elif url.path == "/authorize":
            error = SERVER.check_authorization(query)
            if error:
                self.answer(400, {"error": "invalid_request", "error_description": error})
            else:
                form = "<form method=post><input name=sub><button name=action value=allow>Sign in</button>" \
                       "<button name=action value=deny>Cancel</button></form>"
                self.answer(200, form.encode(), [("Content-Type", "text/html")])
        elif url.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            with LOCK:
                STATE["log"]["userinfo"] += 1
                grant = STATE["tokens"].get(token)
            if not grant:
                self.answer(401, {"error": "invalid_token"})
            else:
                behaviour = STATE["behaviour"].get(grant["sub"], {})
                claims = {"sub": grant["sub"], **behaviour.get("claims", {}), **behaviour.get("userinfo", {})}
                self.answer(200, {k: v for k, v in claims.items() if v is not None and k not in ("iss", "aud", "exp", "iat", "nonce", "auth_time")})
        elif url.path == "/logout":
            with LOCK:
                STATE["log"]["logout"].append(query)
            target = query.get("post_logout_redirect_uri")
            if target not in SERVER.post_logout_uris:
                self.answer(400, {"error": "invalid_request", "error_description": "post_logout_redirect_uri not registered"})
            else:
                self.redirect(target, {"state": query["state"]} if "state" in query else {})
        elif url.path == "/log":
            with LOCK:
                self.answer(200, STATE["log"])
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        form = dict(urllib.parse.parse_qsl(self.body().decode()))
        if url.path == "/authorize":
            query = dict(urllib.parse.parse_qsl(url.query))
            error = SERVER.check_authorization(query)
            if error:
                return self.answer(400, {"error": "invalid_request", "error_description": error})
            with LOCK:
                STATE["log"]["authorize"].append(query)
            state = {"state": query["state"]} if "state" in query else {}
            if form.get("action") == "deny":
                return self.redirect(query["redirect_uri"], {"error": "access_denied", **state})
            if not form.get("sub"):
                return self.answer(400, {"error": "sub missing"})
            code = secrets.token_urlsafe(32)
            with LOCK:
                STATE["codes"][code] = {"sub": form["sub"], "query": query, "at": time.time()}
            self.redirect(query["redirect_uri"], {"code": code, **state})
        elif url.path == "/token":
            self.token(form)
        elif url.path == "/rotate":
            with LOCK:
                STATE["rotated"] = True
            self.answer(204)
        else:
            self.answer(404, {"error": "not found"})

    def token(self, form):
        with LOCK:
            STATE["log"]["token"].append({k: v for k, v in form.items() if k not in ("client_secret", "code_verifier")})
            grant = STATE["codes"].pop(form.get("code", ""), None)  # single use, even when refused below
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            decoded = base64.b64decode(basic[6:]).decode()
            client_id, _, secret = (urllib.parse.unquote_plus(part) for part in decoded.partition(":"))
        client = SERVER.clients.get(client_id or "")
        if not client or secret is None or not hmac.compare_digest(secret.encode(), client["client_secret"].encode()):
            return self.answer(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code" or not grant or time.time() - grant["at"] > 60:
            return self.answer(400, {"error": "invalid_grant"})
        query = grant["query"]
        verifier = form.get("code_verifier", "")
        challenge = b64(hashlib.sha256(verifier.encode()).digest())
        if query["client_id"] != client_id or form.get("redirect_uri") != query["redirect_uri"] \
                or not hmac.compare_digest(challenge, query["code_challenge"]):
            return self.answer(400, {"error": "invalid_grant"})
        behaviour = STATE["behaviour"].get(grant["sub"], {})
        now = int(time.time())
        claims = {"iss": SERVER.issuer, "sub": grant["sub"], "aud": client_id, "exp": now + 300, "iat": now,
                  "auth_time": now}
        if "nonce" in query:
            claims["nonce"] = query["nonce"]
        claims.update(behaviour.get("claims", {}))
        claims = {k: v for k, v in claims.items() if v is not None}
        access = secrets.token_urlsafe(32)
        with LOCK:
            STATE["tokens"][access] = {"sub": grant["sub"]}
        self.answer(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                          "scope": query.get("scope", ""), "id_token": sign(claims, behaviour, client)})

    def do_PUT(self):
        url = urllib.parse.urlsplit(self.path)
        if not url.path.startswith("/behaviour/"):
            return self.answer(404, {"error": "not found"})
        sub = urllib.parse.unquote(url.path[len("/behaviour/"):])
        try:
            behaviour = json.loads(self.body() or b"{}")
        except ValueError as error:
            return self.answer(400, {"error": f"not JSON: {error}"})
        problem = (not isinstance(behaviour, dict) and "not an object") \
            or (set(behaviour) - BEHAVIOUR_KEYS and f"unknown keys {sorted(set(behaviour) - BEHAVIOUR_KEYS)}") \
            or (behaviour.get("sign_with", "current") not in SIGN_WITH and f"sign_with must be one of {sorted(SIGN_WITH)}") \
            or (behaviour.get("alg", "RS256") not in ("RS256", "PS256", "ES256") and "alg must be RS256, PS256 or ES256")
        if problem or not sub:
            return self.answer(400, {"error": problem or "no subject"})
        with LOCK:
            STATE["behaviour"][sub] = behaviour
        self.answer(204)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def discovery(self):
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "userinfo_endpoint": self.issuer + "/userinfo", "end_session_endpoint": self.issuer + "/logout",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
                "code_challenge_methods_supported": ["S256"], "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}

    def check_authorization(self, query):
        client = self.clients.get(query.get("client_id", ""))
        if not client:
            return "unknown client_id"
        if query.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri not registered"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return "response_type must be code and scope must include openid"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return "PKCE S256 required"
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--post-logout-redirect-uri", action="append", default=[])
    arguments = parser.parse_args()
    global SERVER
    SERVER = Server(("127.0.0.1", arguments.port), Handler)
    SERVER.issuer = f"http://127.0.0.1:{SERVER.server_address[1]}"
    SERVER.redirect_uris = set(arguments.redirect_uri)
    SERVER.post_logout_uris = set(arguments.post_logout_redirect_uri)
    SERVER.clients = {}
    credentials = {}
    for name in ("rs256", "hs256"):
        credentials[name] = {"client_id": f"{name}-{secrets.token_hex(8)}", "client_secret": secrets.token_urlsafe(48)}
        SERVER.clients[credentials[name]["client_id"]] = {"name": name, **credentials[name]}
    stop = threading.Event()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        def watch():
            while os.read(sys.stdin.fileno(), 4096):
                pass
            stop.set()
        threading.Thread(target=watch, daemon=True).start()
    threading.Thread(target=SERVER.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(SERVER.issuer + "/.well-known/openid-configuration", timeout=20) as answer:
        json.load(answer)
    with LOCK:
        STATE["log"]["discovery"] = 0
    print(json.dumps({"issuer": SERVER.issuer, "port": SERVER.server_address[1], "clients": credentials, "users": {}}), flush=True)
    while not stop.wait(1):
        pass
    SERVER.shutdown()
    SERVER.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
