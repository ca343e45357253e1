#!/usr/bin/env python3
"""Writes Tests/OIDCTests/Fixtures/oidc-tokens.json: key sets, discovery documents and ID tokens for
the OIDC library's tests, made by implementations nobody here wrote: jwcrypto (JOSE: keys, JWK sets,
JWS signing, base64url) and pyca/cryptography (the keys, and the few signatures jwcrypto will not
make on purpose: a PSS salt of the wrong length, a DER-encoded ECDSA signature, a crit header).

Each token comes with the verdict the console must reach: "ok", or the OIDCError reason (its raw
value) it must be refused with. Every "ok" token is also verified here by jwcrypto's own JWT checks
(signature with the named key, iss, aud, exp, nbf), so a valid fixture does not rest on this project's
reading of the specifications alone.

Keys are generated afresh on every run (so are the signatures): the file is committed, and running the
script again writes an equivalent file, not an identical one.

    pip install jwcrypto==1.6.1 cryptography==48.0.0
    python3 scripts/make-oidc-fixtures.py
"""

import base64
import json
import os
from importlib.metadata import version as package_version
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from jwcrypto import jwk, jws, jwt

NOW = 1_800_000_000
ISSUER = "https://idp.example.test"
ENTRA_AUTHORITY = "https://login.microsoftonline.com/organizations/v2.0"
ENTRA_TEMPLATE = "https://login.microsoftonline.com/{tenantid}/v2.0"
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
OTHER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "console-client"
NONCE = "n-0S6_WzA2Mj"
OUT = Path(__file__).resolve().parent.parent / "Tests/OIDCTests/Fixtures/oidc-tokens.json"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rsa_key(kid, size=2048, **extra):
    key = jwk.JWK.generate(kty="RSA", size=size, kid=kid)
    return key, dict(key.export_public(as_dict=True), **extra)


def ec_key(kid, curve="P-256", **extra):
    key = jwk.JWK.generate(kty="EC", crv=curve, kid=kid)
    return key, dict(key.export_public(as_dict=True), **extra)


# The provider's keys. rsa-ps is pinned to PS256, ec-1 declares use=sig and alg=ES256; the last four are
# keys the console must skip (too small, for encryption, another curve, symmetric).
rsa1, rsa1_public = rsa_key("rsa-1")
rsa_ps, rsa_ps_public = rsa_key("rsa-ps", alg="PS256")
ec1, ec1_public = ec_key("ec-1", use="sig", alg="ES256")
small, small_public = rsa_key("rsa-small", size=1024)
enc, enc_public = rsa_key("enc-1", use="enc")
ec384, ec384_public = ec_key("ec-384", curve="P-384")
rotated, rotated_public = rsa_key("rsa-2")
attacker, attacker_public = rsa_key("attacker")
hmac_public = {"kty": "oct", "kid": "hmac", "k": b64(b"a shared secret of thirty-two by")}

KEY_SETS = {
    "main": {"keys": [rsa1_public, rsa_ps_public, ec1_public, small_public, enc_public, ec384_public, hmac_public]},
    "rotated": {"keys": [rotated_public, rsa1_public, ec1_public]},
}

DISCOVERY = {
    "plain": {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/jwks",
        "userinfo_endpoint": ISSUER + "/userinfo",
        "end_session_endpoint": ISSUER + "/logout",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    },
    # The shape of Microsoft Entra's /organizations/v2.0 metadata: a {tenantid} template issuer,
    # client_secret_post only, no PKCE methods listed.
    "entra": {
        "issuer": ENTRA_TEMPLATE,
        "authorization_endpoint": "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
        "token_endpoint": "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
        "jwks_uri": "https://login.microsoftonline.com/organizations/discovery/v2.0/keys",
        "end_session_endpoint": "https://login.microsoftonline.com/organizations/oauth2/v2.0/logout",
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
    },
}


def claims(**changes):
    base = {"iss": ISSUER, "sub": "248289761001", "aud": CLIENT, "exp": NOW + 600, "iat": NOW - 5, "nonce": NONCE}
    for name, value in changes.items():
        if value is DROP:
            base.pop(name, None)
        else:
            base[name] = value
    return base


DROP = object()


def entra_claims(**changes):
    base = dict(iss=ENTRA_TEMPLATE.replace("{tenantid}", TENANT), tid=TENANT, oid="00000000-0000-0000-66f3-3332eca7ea81",
                email="alex@contoso.example", xms_edov=True, name="Alex Wilber")
    base.update(changes)
    return claims(**base)


def signed(payload, key, alg, kid=True, header_extra=None, raw_payload=None):
    """A compact JWS made by jwcrypto."""
    header = {"alg": alg, "typ": "JWT"}
    if kid and key.get("kid"):
        header["kid"] = key["kid"]
    header.update(header_extra or {})
    body = raw_payload if raw_payload is not None else json.dumps(payload).encode()
    token = jws.JWS(body)
    token.add_signature(key, alg=alg, protected=json.dumps(header))
    return token.serialize(compact=True)


def by_hand(header, payload, sign):
    """A compact JWS whose signature `sign(signing_input)` makes (for what jwcrypto refuses to make)."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())
    return signing_input + "." + b64(sign(signing_input.encode()))


def private(key):
    return serialization.load_pem_private_key(key.export_to_pem(private_key=True, password=None), password=None)


CASES = []


def case(name, token, expect, provider="plain", keys="main", nonce=NONCE, tenant=None, verify_key=None):
    CASES.append({"name": name, "token": token, "expect": expect, "provider": provider, "keys": keys,
                  "nonce": nonce, "tenant": tenant, "_verify_key": verify_key})


# Valid tokens.
case("an RS256 token signed by the key its kid names", signed(claims(), rsa1, "RS256"), "ok", verify_key=rsa1)
case("a PS256 token signed by the PSS key", signed(claims(), rsa_ps, "PS256"), "ok", verify_key=rsa_ps)
case("an ES256 token signed by the P-256 key", signed(claims(), ec1, "ES256"), "ok", verify_key=ec1)
case("an RS256 token without kid, one RSA key fitting RS256", signed(claims(), rsa1, "RS256", kid=False), "ok", verify_key=rsa1)
case("an ES256 token without kid, one P-256 key", signed(claims(), ec1, "ES256", kid=False), "ok", verify_key=ec1)
case("a token for two audiences with azp naming the console", signed(claims(aud=[CLIENT, "api://other"], azp=CLIENT), rsa1, "RS256"), "ok", verify_key=rsa1)
case("a token with every profile claim typed as specified", signed(claims(
    email="ada@example.test", email_verified=True, name="Ada Lovelace", given_name="Ada", family_name="Lovelace",
    hd="example.test", amr=["pwd", "mfa"], acrs=["c1"]), rsa1, "RS256"), "ok", verify_key=rsa1)
case("email_verified as the string \"true\"", signed(claims(email="ada@example.test", email_verified="true"), rsa1, "RS256"), "ok", verify_key=rsa1)
case("expired 30 seconds ago, inside the 60 s skew", signed(claims(exp=NOW - 30, iat=NOW - 600), rsa1, "RS256"), "ok")
case("issued 30 seconds in the future, inside the 60 s skew", signed(claims(iat=NOW + 30), rsa1, "RS256"), "ok")
case("an Entra token whose tid fills the issuer template", signed(entra_claims(), rsa1, "RS256"), "ok", provider="entra", tenant=TENANT, verify_key=rsa1)
case("a token signed by the rotated key, checked against the rotated set", signed(claims(), rotated, "RS256"), "ok", keys="rotated", verify_key=rotated)

# The header and the key.
none_header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
case("alg none with an empty signature", none_header + "." + b64(json.dumps(claims()).encode()) + ".", "algorithm_not_allowed")
case("alg none with a signature part", none_header + "." + b64(json.dumps(claims()).encode()) + "." + b64(b"x"), "algorithm_not_allowed")
public_pem = rsa1.export_to_pem()
case("HS256 keyed with the provider's RSA public key (algorithm confusion)",
     signed(claims(), jwk.JWK(kty="oct", k=b64(public_pem), kid="rsa-1"), "HS256"), "algorithm_not_allowed")
case("HS256 keyed with the client secret", signed(claims(), jwk.JWK(kty="oct", k=b64(b"the-client-secret-of-the-console!"), kid="hmac"), "HS256"),
     "algorithm_not_allowed")
case("RS384, a sound algorithm outside the allow-list", signed(claims(), rsa1, "RS384"), "algorithm_not_allowed")
case("a header without alg", by_hand({"kid": "rsa-1"}, claims(), lambda m: private(rsa1).sign(m, padding.PKCS1v15(), hashes.SHA256())),
     "algorithm_not_allowed")
case("ES256 named, kid of an RSA key", by_hand({"alg": "ES256", "kid": "rsa-1"}, claims(), lambda m: os.urandom(64)), "key_type_mismatch")
case("RS256 named, kid of the P-256 key", signed(claims(), rsa1, "RS256", kid=False, header_extra={"kid": "ec-1"}), "key_type_mismatch")
case("RS256 signed by the key pinned to PS256", signed(claims(), rsa_ps, "RS256"), "key_type_mismatch")
case("a kid the key set does not have", signed(claims(), rotated, "RS256"), "unknown_key")
case("a kid of an RSA key of 1024 bits", signed(claims(), small, "RS256"), "unknown_key")
case("a kid of an encryption key (use=enc)", signed(claims(), enc, "RS256"), "unknown_key")
case("ES384 signed by a P-384 key", signed(claims(), ec384, "ES384"), "algorithm_not_allowed")
case("ES256 named, kid of the skipped P-384 key", by_hand({"alg": "ES256", "kid": "ec-384"}, claims(), lambda m: os.urandom(64)), "unknown_key")
case("a kid of the symmetric key", by_hand({"alg": "RS256", "kid": "hmac"}, claims(),
                                           lambda m: private(rsa1).sign(m, padding.PKCS1v15(), hashes.SHA256())), "unknown_key")
case("PS256 without kid, two RSA keys fit", signed(claims(), rsa_ps, "PS256", kid=False), "unknown_key")
case("an attacker's key embedded as jwk with its own kid",
     signed(claims(), attacker, "RS256", header_extra={"jwk": attacker_public}), "unknown_key")
case("an attacker's key embedded as jwk, claiming kid rsa-1",
     signed(claims(), attacker, "RS256", kid=False, header_extra={"kid": "rsa-1", "jwk": dict(attacker_public, kid="rsa-1")}), "bad_signature")
case("an attacker's key set URL in jku, claiming kid rsa-1",
     signed(claims(), attacker, "RS256", kid=False, header_extra={"kid": "rsa-1", "jku": "https://attacker.example/jwks", "x5u": "https://attacker.example/cert"}),
     "bad_signature")
case("a crit header", by_hand({"alg": "RS256", "kid": "rsa-1", "crit": ["exp"], "exp": NOW + 600}, claims(),
                              lambda m: private(rsa1).sign(m, padding.PKCS1v15(), hashes.SHA256())), "malformed_token")
case("typ at+jwt, an access token", signed(claims(), rsa1, "RS256", header_extra={"typ": "at+jwt"}), "malformed_token")
good = signed(claims(), rsa1, "RS256").split(".")
case("claims changed after signing", good[0] + "." + b64(json.dumps(claims(sub="someone-else")).encode()) + "." + good[2], "bad_signature")
case("PS256 with a salt as long as possible, not 32 bytes", by_hand({"alg": "PS256", "kid": "rsa-ps"}, claims(), lambda m: private(rsa_ps).sign(
    m, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH), hashes.SHA256())), "bad_signature")
case("PS256 with an empty salt", by_hand({"alg": "PS256", "kid": "rsa-ps"}, claims(), lambda m: private(rsa_ps).sign(
    m, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=0), hashes.SHA256())), "bad_signature")
case("RS256 signature on a PS256 token", by_hand({"alg": "PS256", "kid": "rsa-ps"}, claims(),
                                                 lambda m: private(rsa_ps).sign(m, padding.PKCS1v15(), hashes.SHA256())), "bad_signature")
case("ES256 with a DER signature instead of r||s", by_hand({"alg": "ES256", "kid": "ec-1"}, claims(),
                                                           lambda m: private(ec1).sign(m, ec.ECDSA(hashes.SHA256()))), "bad_signature")
case("ES256 signed by another P-256 key", signed(claims(), ec_key("ec-1")[0], "ES256"), "bad_signature")
case("claims repeating iss", signed(None, rsa1, "RS256", raw_payload=json.dumps(claims()).encode()[:-1]
                                    + b', "iss": "https://attacker.example"}'), "malformed_token")
case("claims that are a JSON array", signed(None, rsa1, "RS256", raw_payload=b'["not", "an", "object"]'), "malformed_token")

# The claims.
case("another issuer", signed(claims(iss="https://attacker.example"), rsa1, "RS256"), "issuer_invalid")
case("the issuer with a trailing slash", signed(claims(iss=ISSUER + "/"), rsa1, "RS256"), "issuer_invalid")
case("no iss", signed(claims(iss=DROP), rsa1, "RS256"), "issuer_invalid")
case("another audience", signed(claims(aud="another-client"), rsa1, "RS256"), "audience_invalid")
case("audiences without the console", signed(claims(aud=["a", "b"]), rsa1, "RS256"), "audience_invalid")
case("no aud", signed(claims(aud=DROP), rsa1, "RS256"), "audience_invalid")
case("aud a number", signed(claims(aud=7), rsa1, "RS256"), "audience_invalid")
case("two audiences and no azp", signed(claims(aud=[CLIENT, "api://other"]), rsa1, "RS256"), "authorized_party_invalid")
case("azp naming another client", signed(claims(azp="another-client"), rsa1, "RS256"), "authorized_party_invalid")
case("expired 61 seconds ago", signed(claims(exp=NOW - 61, iat=NOW - 600), rsa1, "RS256"), "expired")
case("exp as a string", signed(claims(exp=str(NOW + 600)), rsa1, "RS256"), "claims_invalid")
case("exp with a fraction", signed(claims(exp=NOW + 600.5), rsa1, "RS256"), "claims_invalid")
case("no exp", signed(claims(exp=DROP), rsa1, "RS256"), "claims_invalid")
case("issued 61 seconds in the future", signed(claims(iat=NOW + 61), rsa1, "RS256"), "issued_in_future")
case("not valid before 61 seconds from now", signed(claims(nbf=NOW + 61), rsa1, "RS256"), "issued_in_future")
case("no iat", signed(claims(iat=DROP), rsa1, "RS256"), "claims_invalid")
case("no nonce", signed(claims(nonce=DROP), rsa1, "RS256"), "nonce_mismatch")
case("another nonce", signed(claims(nonce="n-attacker"), rsa1, "RS256"), "nonce_mismatch")
case("the stored nonce is a prefix of the token's", signed(claims(nonce=NONCE + "x"), rsa1, "RS256"), "nonce_mismatch")
case("an empty nonce, checked against an empty stored one", signed(claims(nonce=""), rsa1, "RS256"), "nonce_mismatch", nonce="")
case("no sub", signed(claims(sub=DROP), rsa1, "RS256"), "subject_missing")
case("an empty sub", signed(claims(sub=""), rsa1, "RS256"), "subject_missing")
case("a sub of 256 characters", signed(claims(sub="s" * 256), rsa1, "RS256"), "subject_missing")
case("sub a number", signed(claims(sub=248289761001), rsa1, "RS256"), "subject_missing")
case("email a number", signed(claims(email=42), rsa1, "RS256"), "claims_invalid")
case("email_verified \"yes\"", signed(claims(email_verified="yes"), rsa1, "RS256"), "claims_invalid")
case("email_verified 1", signed(claims(email_verified=1), rsa1, "RS256"), "claims_invalid")
case("xms_edov the string \"1\"", signed(entra_claims(xms_edov="1"), rsa1, "RS256"), "claims_invalid", provider="entra", tenant=TENANT)
case("amr a string", signed(claims(amr="mfa"), rsa1, "RS256"), "claims_invalid")
case("hd an array", signed(claims(hd=["example.test"]), rsa1, "RS256"), "claims_invalid")

# Microsoft Entra's tenant template.
case("Entra: another tenant's token, iss filled with its tid",
     signed(entra_claims(tid=OTHER_TENANT, iss=ENTRA_TEMPLATE.replace("{tenantid}", OTHER_TENANT)), rsa1, "RS256"),
     "tenant_mismatch", provider="entra", tenant=TENANT)
case("Entra: no tid", signed(entra_claims(tid=DROP), rsa1, "RS256"), "tenant_mismatch", provider="entra", tenant=TENANT)
case("Entra: the right tid, iss another tenant's", signed(entra_claims(iss=ENTRA_TEMPLATE.replace("{tenantid}", OTHER_TENANT)), rsa1, "RS256"),
     "issuer_invalid", provider="entra", tenant=TENANT)
case("Entra: iss the unfilled template", signed(entra_claims(iss=ENTRA_TEMPLATE), rsa1, "RS256"), "issuer_invalid", provider="entra", tenant=TENANT)


def check_with_jwcrypto(entry):
    key = entry.pop("_verify_key")
    if key is None:
        return
    issuer = ENTRA_TEMPLATE.replace("{tenantid}", TENANT) if entry["provider"] == "entra" else ISSUER
    # jwcrypto checks exp/nbf against its own clock, so only signature, iss and aud are checked here;
    # the times of every valid fixture are checked arithmetically below.
    jwt.JWT(jwt=entry["token"], key=key, check_claims={"iss": issuer, "aud": CLIENT}, expected_type="JWS")


for entry in CASES:
    check_with_jwcrypto(entry)
    if entry["expect"] == "ok":
        payload = json.loads(base64.urlsafe_b64decode(entry["token"].split(".")[1] + "=="))
        assert payload["exp"] > NOW - 60 and payload["iat"] <= NOW + 60, entry["name"]

names = [entry["name"] for entry in CASES]
assert len(names) == len(set(names)), "case names must be unique"

fixture = {
    "generator": f"scripts/make-oidc-fixtures.py with jwcrypto {package_version('jwcrypto')}, cryptography {package_version('cryptography')}",
    "now": NOW,
    "clientID": CLIENT,
    "issuers": {"plain": ISSUER, "entra": ENTRA_AUTHORITY},
    "tenant": TENANT,
    # As JSON texts, so the tests hand the library exactly these bytes.
    "discovery": {name: json.dumps(document) for name, document in DISCOVERY.items()},
    "keySets": {name: json.dumps(keys) for name, keys in KEY_SETS.items()},
    "cases": CASES,
}
OUT.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
print(f"wrote {len(CASES)} cases to {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
