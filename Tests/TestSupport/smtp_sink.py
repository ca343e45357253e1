#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the tests: listens on 127.0.0.1 on a free port (or --port), prints the port
as the first line of standard output, and saves every message it accepts into OUTDIR as
message-N.eml (the content bytes exactly as received, dot-stuffing undone) and message-N.json (the
envelope, whether the session used TLS, and the headers and body as Python's email package decodes
them, an oracle independent of the Swift code). It runs until SIGTERM or SIGINT, or until its
standard input, when that is a pipe, is closed.

    smtp_sink.py OUTDIR [--starttls] [--require-starttls] [--fail-with CODE] [--fail-at rcpt|data]
                        [--misbehave no-ehlo|hang-after-data|drop-at-rcpt] [--cert-host NAME] [--port N]

With --starttls the self-signed certificate names localhost and 127.0.0.1, or only NAME when
--cert-host is given; it is written to OUTDIR/server-cert.pem (key beside it), where a client that
wants to trust it finds it, and goes away with the folder.

--misbehave plays a difficult server: one that answers EHLO with 502 (only HELO works), one that
takes the message but never answers the end of DATA, or one that hangs up when given RCPT.
"""
import argparse
import asyncio
import email
import email.policy
import email.utils
import json
import os
import signal
import ssl
import stat
import subprocess
import sys

from aiosmtpd.smtp import SMTP


def make_certificate(folder, host=None):
    """A self-signed certificate for localhost and 127.0.0.1 (or for `host` alone): with the
    cryptography package when it is installed, else with the openssl command."""
    cert, key = os.path.join(folder, "server-cert.pem"), os.path.join(folder, "server-key.pem")
    common_name = host or "localhost"
    try:
        import datetime
        import ipaddress
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", f"/CN={common_name}",
                        "-addext", f"subjectAltName=DNS:{host}" if host else "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
        return cert, key
    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    alternative_names = [x509.DNSName(host)] if host else [
        x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(private_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    with open(cert, "wb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key, "wb") as handle:
        handle.write(private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return cert, key


class HeloOnlySMTP(SMTP):
    """An older server that knows HELO but not EHLO (RFC 5321 §4.1.4 expects clients to cope)."""

    async def smtp_EHLO(self, arg):
        await self.push("502 5.5.1 EHLO not implemented")


class Sink:
    """The aiosmtpd handler: saves messages, or refuses RCPT or DATA with the configured code."""

    def __init__(self, folder, fail_with, fail_at, misbehave):
        self.folder, self.fail_with, self.fail_at, self.misbehave = folder, fail_with, fail_at, misbehave
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.misbehave == "drop-at-rcpt":
            server.transport.close()
            return "250 OK"
        if self.fail_with and self.fail_at == "rcpt":
            return f"{self.fail_with} Refused by the test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.misbehave == "hang-after-data":
            await asyncio.sleep(3600)
        if self.fail_with and self.fail_at == "data":
            return f"{self.fail_with} Refused by the test sink"
        self.count += 1
        content = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "helo": session.host_name,
            "headers": {key: str(value) for key, value in parsed.items()},
            "date_epoch": email.utils.parsedate_to_datetime(parsed["Date"]).timestamp() if parsed["Date"] else None,
            "body": parsed.get_content() if not parsed.is_multipart() else None,
            "defects": [type(defect).__name__ for defect in parsed.defects],
        }
        base = os.path.join(self.folder, f"message-{self.count}")
        # Written under a temporary name and renamed, so a reader never sees half a file; the .json
        # comes last, so once it exists the .eml does too.
        for suffix, data in ((".eml", content), (".json", json.dumps(record).encode())):
            with open(base + suffix + ".part", "wb") as handle:
                handle.write(data)
            os.rename(base + suffix + ".part", base + suffix)
        return "250 Message accepted for delivery"


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--port", type=int, default=0, help="listen on this port (default: any free one)")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--fail-with", type=int, choices=[421, 450, 451, 452, 550, 551, 552, 553, 554])
    parser.add_argument("--fail-at", choices=["rcpt", "data"], default="rcpt")
    parser.add_argument("--cert-host")
    parser.add_argument("--misbehave", choices=["no-ehlo", "hang-after-data", "drop-at-rcpt"])
    options = parser.parse_args()

    tls_context = None
    if options.starttls or options.require_starttls:
        cert, key = make_certificate(options.outdir, options.cert_host)
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(cert, key)

    handler = Sink(options.outdir, options.fail_with, options.fail_at, options.misbehave)
    server_class = HeloOnlySMTP if options.misbehave == "no-ehlo" else SMTP
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: server_class(handler, hostname="sink.test", tls_context=tls_context,
                             require_starttls=options.require_starttls),
        host="127.0.0.1", port=options.port, reuse_address=True)

    stopped = asyncio.Event()
    # A parent may start us with these signals blocked (the mask is inherited across exec), which
    # would leave SIGTERM pending for ever instead of stopping the sink.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopped.set)
    # When standard input is a pipe from the test process, its end means the tests are gone (even if
    # they crashed without stopping us), so the sink goes too rather than linger.
    if stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
        def parent_gone():
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stopped.set()
        loop.add_reader(sys.stdin.fileno(), parent_gone)
    print(server.sockets[0].getsockname()[1], flush=True)

    await stopped.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
