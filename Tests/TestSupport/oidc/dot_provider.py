#!/usr/bin/env python3
"""A production OpenID provider for the tests: django-oauth-toolkit in a throw-away Django project.

    dot_provider.py --dir STATE [--port 0] [--key PEM] [--inactive-key PEM ...] --redirect-uri URI [...]
                    [--post-logout-redirect-uri URI ...] [--users FILE] [--cache DIR]

It listens on 127.0.0.1 (port 0: a free one), with the issuer http://127.0.0.1:PORT/o, PKCE required,
ID tokens signed RS256 by the key in --key (created there when the file does not exist) and every
--inactive-key still published in the JWKS (key rotation), and RP-initiated logout. Two confidential
authorization-code applications, both with skip_authorization (no consent page) and the given redirect
and post-logout redirect URIs:
  rs256  ID tokens signed RS256 with the provider's key (a client secret hashed as Django stores it);
  hs256  ID tokens signed HS256 with the client secret (48 bytes, kept in plain text since it is the
         HMAC key): what a relying party must refuse.
Users come from the JSON file --users: a list of {"username", "password", "email", "email_verified",
"name", "amr": [...]} ("name" and "amr" optional); they sign in through Django's login form at
/accounts/login/ (CSRF cookie and csrfmiddlewaretoken field). The ID token's `sub` is the user's
database id, as django-oauth-toolkit gives it; the JSON line below says which id each username has.

STATE keeps the database, the client credentials and the key between starts, so starting again with
the same STATE (and --port of the previous start) is the same provider, e.g. with a new --key and the
old one as --inactive-key. The migrated empty database is cached in --cache (default: STATE) under a
name that carries the Django and django-oauth-toolkit versions: migrating costs seconds, copying does not.

When the server answers its own discovery document it prints ONE line of JSON on standard output:
    {"issuer": ..., "port": ..., "clients": {"rs256": {"client_id", "client_secret"}, "hs256": {...}},
     "users": {USERNAME: SUB, ...}}
then serves until SIGTERM or SIGINT, or until its standard input, when that is a pipe, closes (so it
ends with the test process even after a crash). Everything else it says goes to standard error.
"""
import argparse
import json
import os
import secrets
import shutil
import signal
import stat
import sys
import threading
import urllib.request

# What the validator adds to ID tokens and userinfo, by username; filled from --users before serving.
USERS = {}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="state folder (database, credentials, default key)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", help="RS256 private key (PEM); created when the file does not exist")
    parser.add_argument("--inactive-key", action="append", default=[], help="old key kept in the JWKS")
    parser.add_argument("--redirect-uri", action="append", default=[], required=True)
    parser.add_argument("--post-logout-redirect-uri", action="append", default=[])
    parser.add_argument("--users", help="JSON file: a list of users")
    parser.add_argument("--cache", help="folder for the migrated empty database (default: --dir)")
    return parser.parse_args()


def private_key(path):
    """The PEM at `path`, created (RSA 2048, mode 0600) when the file does not exist."""
    if not os.path.exists(path):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        descriptor = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        os.replace(path + ".tmp", path)
    with open(path) as file:
        return file.read()


def configure(arguments, port, database):
    from django.conf import settings
    issuer = f"http://127.0.0.1:{port}/o"
    key_path = arguments.key or os.path.join(arguments.dir, "key.pem")
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                        "oauth2_provider"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database,
                               "OPTIONS": {"timeout": 20}}},
        # A fast hasher: the users' passwords and the rs256 client secret are hashed at every start
        # and checked at every sign-in; PBKDF2's million rounds would cost seconds on a busy machine,
        # and how the provider stores passwords is not what the tests are about.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        USE_TZ=True,
        LOGIN_URL="/accounts/login/",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"registration/login.html": LOGIN_TEMPLATE}),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }],
        LOGGING={"version": 1, "disable_existing_loggers": False,
                 "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
                 "root": {"handlers": ["stderr"], "level": "INFO"}},
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_ISS_ENDPOINT": issuer,
            "OIDC_RSA_PRIVATE_KEY": private_key(key_path),
            "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [private_key(path) for path in arguments.inactive_key],
            "PKCE_REQUIRED": True,
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            # A valid id_token_hint of the signed-in user ends the session and redirects at once, as the
            # relying party's sign-out expects; a missing or foreign hint still asks.
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.ClaimsValidator",
            "SCOPES": {"openid": "OpenID Connect", "email": "Email address", "profile": "Name"},
        },
    )
    return issuer


LOGIN_TEMPLATE = """<!doctype html><title>Sign in</title>
<form method="post" action="{{ request.path }}">{% csrf_token %}
{{ form.as_p }}<input type="hidden" name="next" value="{{ next }}"><button type="submit">Sign in</button>
</form>"""


def prepare_database(arguments, database):
    """A fresh STATE gets a copy of the cached migrated database (made once, atomically)."""
    if os.path.exists(database):
        return
    import django
    import oauth2_provider
    cache = arguments.cache or arguments.dir
    os.makedirs(cache, exist_ok=True)
    template = os.path.join(cache, f"dot-{oauth2_provider.__version__}-django-{django.get_version()}.sqlite3")
    if not os.path.exists(template):
        from django.core.management import call_command
        from django.db import connections
        scratch = f"{template}.{os.getpid()}.tmp"
        connections["default"].settings_dict["NAME"] = scratch
        call_command("migrate", verbosity=0, interactive=False, stdout=sys.stderr)
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = database
        os.replace(scratch, template)
    shutil.copyfile(template, database)


def clients(arguments):
    """The two applications, created on the first start and given this start's redirect URIs."""
    from oauth2_provider.models import get_application_model
    Application = get_application_model()
    path = os.path.join(arguments.dir, "clients.json")
    saved = json.load(open(path)) if os.path.exists(path) else {}
    for name, algorithm, hashed in (("rs256", Application.RS256_ALGORITHM, True),
                                    ("hs256", Application.HS256_ALGORITHM, False)):
        if name not in saved:
            saved[name] = {"client_id": f"{name}-{secrets.token_hex(8)}", "client_secret": secrets.token_urlsafe(48)}
            Application.objects.create(
                name=name, client_id=saved[name]["client_id"], client_secret=saved[name]["client_secret"],
                hash_client_secret=hashed, client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, algorithm=algorithm,
                skip_authorization=True)
        Application.objects.filter(client_id=saved[name]["client_id"]).update(
            redirect_uris=" ".join(arguments.redirect_uri),
            post_logout_redirect_uris=" ".join(arguments.post_logout_redirect_uri))
    with open(path, "w") as file:
        json.dump(saved, file)
    return saved


def users(arguments):
    """Creates or updates the users of --users; returns username → sub."""
    from django.contrib.auth import get_user_model
    User = get_user_model()
    listed = json.load(open(arguments.users)) if arguments.users else []
    subjects = {}
    for entry in listed:
        user, _ = User.objects.get_or_create(username=entry["username"])
        user.email = entry.get("email", "")
        user.set_password(entry["password"])
        user.save()
        USERS[user.username] = entry
        subjects[user.username] = str(user.pk)
    return subjects


def make_validator_class():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class ClaimsValidator(OAuth2Validator):
        """Adds the --users claims; `amr` rides on the openid scope (the base class knows no scope for it)."""
        oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid"}

        def get_additional_claims(self, request):
            entry = USERS.get(request.user.username, {})
            claims = {"email": request.user.email, "email_verified": bool(entry.get("email_verified", False)),
                      "preferred_username": request.user.username}
            if "name" in entry:
                claims["name"] = entry["name"]
            if "amr" in entry:
                claims["amr"] = list(entry["amr"])
            return claims

    return ClaimsValidator


def serve(arguments):
    os.makedirs(arguments.dir, exist_ok=True)
    # Bound before Django is configured: the issuer carries the port.
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    server = ThreadedWSGIServer(("127.0.0.1", arguments.port), WSGIRequestHandler, allow_reuse_address=True)
    port = server.server_address[1]
    database = os.path.join(arguments.dir, "provider.sqlite3")
    issuer = configure(arguments, port, database)
    global ClaimsValidator, urlpatterns
    import django
    django.setup()
    ClaimsValidator = make_validator_class()
    from django.contrib.auth import views as auth_views
    from django.urls import include, path
    urlpatterns = [
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        path("accounts/login/", auth_views.LoginView.as_view()),
    ]
    prepare_database(arguments, database)
    credentials = clients(arguments)
    subjects = users(arguments)
    from django.core.wsgi import get_wsgi_application
    server.set_app(get_wsgi_application())

    stop = threading.Event()
    # A parent may have started it with these blocked (the Swift test runner does): the handlers would never run.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if not sys.stdin.isatty() and stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        def watch():
            # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts the interpreter's exit.
            while os.read(sys.stdin.fileno(), 4096):
                pass
            stop.set()
        threading.Thread(target=watch, daemon=True).start()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    # Ready means answering: the discovery document, through no proxy the environment may name.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{issuer}/.well-known/openid-configuration", timeout=20) as answer:
        discovered = json.load(answer)["issuer"]
    if discovered != issuer:
        print(f"dot_provider: discovery says issuer {discovered!r}, expected {issuer!r}", file=sys.stderr)
        return 1
    print(json.dumps({"issuer": issuer, "port": port, "clients": credentials, "users": subjects}), flush=True)
    while not stop.wait(1):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    # Django finds the URLs (ROOT_URLCONF) and the validator in this module by its name, __main__.
    sys.exit(serve(parse_arguments()))
