#!/usr/bin/env python3
"""Writes Tests/WebAuthnTests/Fixtures/webauthn-responses.json: WebAuthn registration and
authentication responses, in the shape a browser's PublicKeyCredential.toJSON() gives, made by an
implementation nobody here wrote: Yubico's python-fido2 builds the structures (client data,
authenticator data, COSE keys, attestation objects, CBOR) and pyca/cryptography makes the keys,
the signatures and an attestation certificate.

Every valid response is also run through python-fido2's own relying-party checks
(Fido2Server.register_complete / authenticate_complete, PackedAttestation.verify), and every
refusal the generator builds is checked to be refused by them where python-fido2 checks that
thing, so the fixture does not depend on this project's reading of the specification alone.

Keys, credential IDs, challenges, certificates and signatures are all derived from fixed seeds
(RFC 6979 deterministic ECDSA, fixed RSA primes from a seeded search), so running it again writes
the same file.

    pip install fido2==2.2.1 cryptography==48.0.0
    python3 scripts/make-webauthn-fixtures.py
"""

import datetime
import hashlib
import json
import platform
import random
from importlib.metadata import version as package_version
from pathlib import Path

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.x509.oid import NameOID
    from fido2 import cbor
    from fido2.attestation import NoneAttestation, PackedAttestation
    from fido2.cose import ES256, RS256, EdDSA
    from fido2.server import Fido2Server
    from fido2.utils import websafe_decode, websafe_encode
    from fido2.webauthn import (
        AttestationObject,
        AttestedCredentialData,
        AuthenticatorData,
        CollectedClientData,
        PublicKeyCredentialRpEntity,
    )
except ImportError as missing:
    raise SystemExit(f"{missing}: run `pip install fido2==2.2.1 cryptography==48.0.0` first") from missing

OUTPUT = Path(__file__).resolve().parent.parent / "Tests/WebAuthnTests/Fixtures/webauthn-responses.json"
RP_ID = "localhost"
RP_NAME = "ClientOne Console"
ORIGIN = "http://localhost:8080"
FLAG = AuthenticatorData.FLAG
AAGUID = bytes.fromhex("6d44ba9bf6ec2e49b9300c8fe920cb73")
ZERO_AAGUID = bytes(16)
OID_AAGUID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")


def seeded(label, length=32):
    """Fixed bytes named by `label`: the same on every run."""
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"clientone-webauthn/{label}/{counter}".encode()).digest()
        counter += 1
    return out[:length]


def b64(data):
    return websafe_encode(bytes(data))


# Keys ---------------------------------------------------------------------------------------

def p256_key(label):
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(int.from_bytes(seeded(label), "big") % (order - 1) + 1, ec.SECP256R1())


def ed25519_key(label):
    return ed25519.Ed25519PrivateKey.from_private_bytes(seeded(label))


def probable_prime(rng, bits):
    """A prime of exactly `bits` bits with the top two set (so p*q has 2*bits bits), by Miller-Rabin."""
    small = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if any(candidate % p == 0 for p in small) or (candidate - 1) % 65537 == 0:
            continue
        d, s = candidate - 1, 0
        while d % 2 == 0:
            d, s = d // 2, s + 1
        for _ in range(40):
            x = pow(rng.randrange(2, candidate - 1), d, candidate)
            if x in (1, candidate - 1):
                continue
            for _ in range(s - 1):
                x = pow(x, 2, candidate)
                if x == candidate - 1:
                    break
            else:
                break
        else:
            return candidate


def rsa_key(label, bits=2048):
    """RSA keys cannot be seeded through cryptography, so the primes come from a seeded search."""
    rng = random.Random(seeded(label))
    p, q = probable_prime(rng, bits // 2), probable_prime(rng, bits // 2)
    e = 65537
    d = pow(e, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(e, p * q)
    numbers = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                    rsa.rsa_crt_iqmp(p, q), public)
    return numbers.private_key()


def sign(key, message):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(message)


def cose_key(key):
    public = key.public_key()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return ES256.from_cryptography_key(public)
    if isinstance(key, rsa.RSAPrivateKey):
        return RS256.from_cryptography_key(public)
    return EdDSA.from_cryptography_key(public)


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def attestation_certificate(key, label, aaguid=AAGUID, ca=False):
    """A self-signed leaf meeting WebAuthn §8.2.1 (unless `ca` breaks it on purpose)."""
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ClientOne Test Authenticators"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"ClientOne Test Attestation {label}"),
    ])
    builder = (x509.CertificateBuilder()
               .subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(int.from_bytes(seeded("serial/" + label, 8), "big") >> 1)
               .not_valid_before(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc))
               .not_valid_after(datetime.datetime(2045, 1, 1, tzinfo=datetime.timezone.utc))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.UnrecognizedExtension(OID_AAGUID, b"\x04\x10" + aaguid), critical=False))
    certificate = builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)
    return certificate.public_bytes(serialization.Encoding.DER)


# Responses ----------------------------------------------------------------------------------

RP_ID_HASH = hashlib.sha256(RP_ID.encode()).digest()
SERVER = Fido2Server(PublicKeyCredentialRpEntity(id=RP_ID, name=RP_NAME), attestation="direct",
                     verify_origin=lambda origin: origin == ORIGIN)


def client_data(kind, challenge, origin=ORIGIN, cross_origin=False, **extra):
    return CollectedClientData.create(kind, challenge, origin, cross_origin, **extra)


def registration(name, key, challenge, flags, fmt="none", counter=0, credential_id=None, aaguid=ZERO_AAGUID,
                 kind="webauthn.create", origin=ORIGIN, cross_origin=False, rp_id_hash=RP_ID_HASH,
                 client_challenge=None, statement=None, extensions=None, transports=("internal", "hybrid"), attachment="platform"):
    """One registration response; `statement(auth_data, client_data_hash)` makes a non-empty attStmt,
    and `client_challenge` puts another challenge than the expected one into the client data."""
    credential_id = credential_id or seeded("credential/" + name, 32)
    cose = cose_key(key)
    credential = AttestedCredentialData.create(aaguid, credential_id, cose)
    auth_data = AuthenticatorData.create(rp_id_hash, flags, counter, credential, extensions)
    data = client_data(kind, client_challenge or challenge, origin, cross_origin)
    att_stmt = statement(bytes(auth_data), data.hash) if statement else {}
    attestation = AttestationObject.create(fmt, auth_data, att_stmt)
    response = {
        "clientDataJSON": b64(data),
        "authenticatorData": b64(auth_data),
        "transports": list(transports),
        "publicKey": b64(spki(key)),
        "publicKeyAlgorithm": cose.ALGORITHM,
        "attestationObject": b64(attestation),
    }
    json_credential = {"id": b64(credential_id), "rawId": b64(credential_id), "response": response,
                       "authenticatorAttachment": attachment, "clientExtensionResults": {}, "type": "public-key"}
    return {"name": name, "challenge": b64(challenge), "credential": json_credential,
            "publicKey": b64(cbor.encode(cose)), "algorithm": cose.ALGORITHM,
            "flags": int(flags), "signCount": counter, "aaguid": aaguid.hex(), "format": fmt}


def packed_self(key, alg=None):
    def statement(auth_data, client_data_hash):
        return {"alg": alg if alg is not None else cose_key(key).ALGORITHM, "sig": sign(key, auth_data + client_data_hash)}
    return statement


def packed_x5c(attestation_key, certificate, signed_by=None):
    def statement(auth_data, client_data_hash):
        return {"alg": -7, "sig": sign(signed_by or attestation_key, auth_data + client_data_hash), "x5c": [certificate]}
    return statement


def assertion(name, key, credential_id, challenge, flags, counter, kind="webauthn.get", origin=ORIGIN,
              cross_origin=False, rp_id_hash=RP_ID_HASH, user_handle=None, sign_over=None, client_challenge=None):
    """One authentication response; `sign_over` replaces the signed message to make a bad signature,
    and `client_challenge` puts another challenge than the expected one into the client data."""
    auth_data = AuthenticatorData.create(rp_id_hash, flags, counter)
    data = client_data(kind, client_challenge or challenge, origin, cross_origin)
    signature = sign(key, sign_over if sign_over is not None else bytes(auth_data) + data.hash)
    response = {"clientDataJSON": b64(data), "authenticatorData": b64(auth_data), "signature": b64(signature),
                "userHandle": b64(user_handle) if user_handle is not None else None}
    json_credential = {"id": b64(credential_id), "rawId": b64(credential_id), "response": response,
                       "authenticatorAttachment": "cross-platform", "clientExtensionResults": {}, "type": "public-key"}
    return {"name": name, "challenge": b64(challenge), "credential": json_credential,
            "publicKey": b64(cbor.encode(cose_key(key))), "flags": int(flags), "signCount": counter,
            "userHandle": b64(user_handle) if user_handle is not None else None}


# Cross-checks with python-fido2's relying party ---------------------------------------------

def fido2_registration_verdict(case, require_uv):
    state = {"challenge": case["challenge"], "user_verification": "required" if require_uv else "preferred"}
    try:
        auth_data = SERVER.register_complete(state, case["credential"])
        # register_complete leaves attestation to a callback; the two formats verified here are run directly.
        attestation = AttestationObject(bytes(websafe_decode(case["credential"]["response"]["attestationObject"])))
        data = CollectedClientData(websafe_decode(case["credential"]["response"]["clientDataJSON"]))
        verifier = {"none": NoneAttestation, "packed": PackedAttestation}.get(attestation.fmt)
        if verifier:
            verifier().verify(attestation.att_stmt, auth_data, data.hash)
    except Exception as error:  # noqa: BLE001 - any refusal counts, whatever python-fido2 raises
        return f"refused: {type(error).__name__} {error}".strip()
    return "accepted"


def fido2_authentication_verdict(case, require_uv):
    state = {"challenge": case["challenge"], "user_verification": "required" if require_uv else "preferred"}
    credential_id = websafe_decode(case["credential"]["rawId"])
    stored = AttestedCredentialData.create(ZERO_AAGUID, credential_id, cbor.decode(websafe_decode(case["publicKey"])))
    try:
        SERVER.authenticate_complete(state, [stored], case["credential"])
    except Exception as error:  # noqa: BLE001
        return f"refused: {type(error).__name__} {error}".strip()
    return "accepted"


def expect(case, error=None, require_uv=False, allowed=None, fido2_checks=True, stored=None, verdict=None):
    """Records what the Swift verifier must do with `case`, and holds python-fido2 to the same
    answer where it checks the same thing (`fido2_checks`)."""
    case.update({"error": error, "requireUserVerification": require_uv})
    if allowed is not None:
        case["allowedAlgorithms"] = allowed
    if stored is not None:
        case["storedSignCount"] = stored
    result = verdict(case, require_uv)
    case["fido2Verdict"] = result if fido2_checks else f"not checked by python-fido2 ({result})"
    if fido2_checks:
        assert (result == "accepted") == (error is None), f"{case['name']}: python-fido2 {result}, expected {error}"
    return case


def registrations():
    es256, eddsa, rs256 = p256_key("es256"), ed25519_key("eddsa"), rsa_key("rs256")
    attestation_key = p256_key("attestation")
    certificate = attestation_certificate(attestation_key, "leaf")
    ca_certificate = attestation_certificate(attestation_key, "ca", ca=True)
    other_aaguid_certificate = attestation_certificate(attestation_key, "other", aaguid=bytes(range(16)))
    challenge = seeded("challenge/registration")
    up_uv_at = FLAG.UP | FLAG.UV | FLAG.AT
    exp = lambda case, **kw: expect(case, verdict=fido2_registration_verdict, **kw)  # noqa: E731
    return [
        exp(registration("none-es256", es256, challenge, up_uv_at), require_uv=True),
        exp(registration("none-eddsa-no-uv", eddsa, challenge, FLAG.UP | FLAG.AT, credential_id=seeded("eddsa-id", 16),
                         transports=("usb",), attachment="cross-platform")),
        exp(registration("none-rs256", rs256, challenge, up_uv_at, credential_id=seeded("rs256-id", 64)), require_uv=True),
        exp(registration("none-es256-backed-up", es256, challenge, up_uv_at | FLAG.BE | FLAG.BS,
                         credential_id=seeded("synced", 16))),
        exp(registration("none-es256-backup-eligible", es256, challenge, up_uv_at | FLAG.BE)),
        exp(registration("none-es256-extensions", es256, challenge, up_uv_at | FLAG.ED,
                         extensions={"credProtect": 2})),
        exp(registration("packed-self-es256", es256, challenge, up_uv_at, fmt="packed", counter=1, aaguid=AAGUID,
                         statement=packed_self(es256))),
        exp(registration("packed-self-eddsa", eddsa, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=packed_self(eddsa))),
        exp(registration("packed-self-rs256", rs256, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=packed_self(rs256))),
        exp(registration("packed-x5c-es256", es256, challenge, up_uv_at, fmt="packed", counter=3, aaguid=AAGUID,
                         statement=packed_x5c(attestation_key, certificate), transports=("usb", "nfc"),
                         attachment="cross-platform")),
        # One fault each; the rest of the response is valid and correctly signed.
        exp(registration("wrong-type", es256, challenge, up_uv_at, kind="webauthn.get"), error="clientDataTypeMismatch"),
        exp(registration("wrong-challenge", es256, challenge, up_uv_at, client_challenge=seeded("challenge/other")), error="challengeMismatch"),
        exp(registration("wrong-origin", es256, challenge, up_uv_at, origin="http://localhost:8081"), error="originMismatch"),
        exp(registration("cross-origin", es256, challenge, up_uv_at, cross_origin=True), error="crossOriginRefused",
            fido2_checks=False),
        exp(registration("wrong-rp-id", es256, challenge, up_uv_at, rp_id_hash=hashlib.sha256(b"example.com").digest()),
            error="rpIDHashMismatch"),
        exp(registration("user-not-present", es256, challenge, FLAG.UV | FLAG.AT), error="userNotPresent"),
        exp(registration("user-not-verified", eddsa, challenge, FLAG.UP | FLAG.AT), error="userNotVerified", require_uv=True),
        exp(registration("algorithm-not-offered", rs256, challenge, up_uv_at), error="algorithmNotAllowed",
            allowed=[-7, -8], fido2_checks=False),
        exp(registration("backed-up-not-eligible", es256, challenge, up_uv_at | FLAG.BS),
            error="backupStateWithoutEligibility", fido2_checks=False),
        exp(registration("packed-self-bad-signature", es256, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=lambda a, h: {"alg": -7, "sig": sign(es256, a + hashlib.sha256(b"other").digest())}),
            error="badSignature"),
        exp(registration("packed-self-wrong-alg", es256, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=packed_self(es256, alg=-257)), error="attestationInvalid"),
        exp(registration("packed-x5c-wrong-key", es256, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=packed_x5c(attestation_key, certificate, signed_by=es256)), error="badSignature"),
        exp(registration("packed-x5c-ca-certificate", es256, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=packed_x5c(attestation_key, ca_certificate)), error="attestationInvalid"),
        exp(registration("packed-x5c-aaguid-mismatch", es256, challenge, up_uv_at, fmt="packed", aaguid=AAGUID,
                         statement=packed_x5c(attestation_key, other_aaguid_certificate)), error="attestationInvalid"),
        exp(registration("none-with-statement", es256, challenge, up_uv_at, statement=lambda a, h: {"sig": b"\x01"}),
            error="attestationInvalid"),
        exp(registration("format-fido-u2f", es256, challenge, up_uv_at, fmt="fido-u2f",
                         statement=lambda a, h: {"sig": sign(es256, a + h), "x5c": [certificate]}),
            error="unsupportedAttestationFormat", fido2_checks=False),
    ]


def authentications():
    es256, eddsa, rs256 = p256_key("es256"), ed25519_key("eddsa"), rsa_key("rs256")
    es256_id, eddsa_id, rs256_id = seeded("credential/none-es256", 32), seeded("eddsa-id", 16), seeded("rs256-id", 64)
    user = seeded("user-handle", 16)
    challenge = seeded("challenge/authentication")
    up, up_uv = FLAG.UP, FLAG.UP | FLAG.UV
    exp = lambda case, **kw: expect(case, verdict=fido2_authentication_verdict, **kw)  # noqa: E731
    return [
        exp(assertion("es256", es256, es256_id, challenge, up_uv, 0, user_handle=user), require_uv=True, stored=0),
        exp(assertion("eddsa-no-uv", eddsa, eddsa_id, challenge, up, 0), stored=0),
        exp(assertion("rs256", rs256, rs256_id, challenge, up_uv, 0, user_handle=user), stored=0),
        exp(assertion("es256-backed-up", es256, es256_id, challenge, up_uv | FLAG.BE | FLAG.BS, 0), stored=0),
        exp(assertion("wrong-type", es256, es256_id, challenge, up_uv, 0, kind="webauthn.create"),
            error="clientDataTypeMismatch", stored=0),
        exp(assertion("wrong-challenge", es256, es256_id, challenge, up_uv, 0,
                      client_challenge=seeded("challenge/other")),
            error="challengeMismatch", stored=0),
        exp(assertion("wrong-origin", es256, es256_id, challenge, up_uv, 0, origin="https://localhost:8080"),
            error="originMismatch", stored=0),
        exp(assertion("cross-origin", es256, es256_id, challenge, up_uv, 0, cross_origin=True),
            error="crossOriginRefused", stored=0, fido2_checks=False),
        exp(assertion("wrong-rp-id", es256, es256_id, challenge, up_uv, 0, rp_id_hash=hashlib.sha256(b"localhost.").digest()),
            error="rpIDHashMismatch", stored=0),
        exp(assertion("user-not-present", es256, es256_id, challenge, FLAG.UV, 0), error="userNotPresent", stored=0),
        exp(assertion("user-not-verified", eddsa, eddsa_id, challenge, up, 0), error="userNotVerified",
            require_uv=True, stored=0),
        exp(assertion("bad-signature", es256, es256_id, challenge, up_uv, 0, sign_over=b"something else"),
            error="badSignature", stored=0),
        exp(assertion("eddsa-bad-signature", eddsa, eddsa_id, challenge, up, 0, sign_over=b"something else"),
            error="badSignature", stored=0),
        exp(assertion("rs256-bad-signature", rs256, rs256_id, challenge, up, 0, sign_over=b"something else"),
            error="badSignature", stored=0),
    ]


def sequences():
    """Assertions of one authenticator in order; each step's storedSignCount is the counter the
    previous step returned. The last step of "counting" goes backwards."""
    eddsa, es256 = ed25519_key("eddsa"), p256_key("es256")
    eddsa_id, es256_id = seeded("eddsa-id", 16), seeded("credential/none-es256", 32)
    exp = lambda case, **kw: expect(case, verdict=fido2_authentication_verdict, **kw)  # noqa: E731

    def steps(key, credential_id, counters, name):
        cases, stored = [], 0
        for index, counter in enumerate(counters):
            regressed = (counter != 0 or stored != 0) and counter <= stored
            case = assertion(f"{name}-{index + 1}", key, credential_id, seeded(f"challenge/{name}/{index}"), FLAG.UP, counter)
            # python-fido2 keeps no counters, so it accepts the regression; that check is the Swift side's.
            cases.append(exp(case, error="signCountRegressed" if regressed else None, stored=stored,
                             fido2_checks=not regressed))
            stored = stored if regressed else counter
        return {"name": name, "steps": cases}

    return [steps(eddsa, eddsa_id, [1, 2, 7, 8, 5], "counting"), steps(es256, es256_id, [0, 0, 0], "no-counter")]


def keys():
    """COSE keys for the key-parsing tests that the responses do not cover."""
    weak = rsa_key("rs256-1024", 1024)
    p384 = ec.derive_private_key(int.from_bytes(seeded("es384"), "big"), ec.SECP384R1()).public_key().public_numbers()
    es384 = {1: 2, 3: -35, -1: 2, -2: p384.x.to_bytes(48, "big"), -3: p384.y.to_bytes(48, "big")}
    return {
        "rsa1024": b64(cbor.encode(cose_key(weak))),
        "es384": b64(cbor.encode(es384)),
        "es256Spki": b64(spki(p256_key("es256"))),
    }


def openssl_version():
    """The OpenSSL that cryptography was built against (it ships its own in its wheels)."""
    from cryptography.hazmat.backends.openssl.backend import backend

    return backend.openssl_version_text()


def main():
    fixture = {
        "generator": (f"python-fido2 {package_version('fido2')}, cryptography {package_version('cryptography')}, "
                      f"Python {platform.python_version()}"),
        "tools": {"fido2": package_version("fido2"), "cryptography": package_version("cryptography"),
                  "python": platform.python_version(), "openssl": openssl_version()},
        "rp": {"id": RP_ID, "name": RP_NAME, "origin": ORIGIN},
        "registrations": registrations(),
        "authentications": authentications(),
        "sequences": sequences(),
        "keys": keys(),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {OUTPUT}: {len(fixture['registrations'])} registrations, "
          f"{len(fixture['authentications'])} authentications, {len(fixture['sequences'])} sequences")


if __name__ == "__main__":
    main()
