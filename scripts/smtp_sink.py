#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) that keeps every message it accepts, for the SMTP client's tests.

    python3 scripts/smtp_sink.py --port 0 --dir DIR [--starttls | --tls] [--auth USER:PASS]
                                 [--auth-mechanism PLAIN|LOGIN] [--reject-pattern REGEX]

Prints "READY <port>" once it listens on 127.0.0.1 (port 0 picks a free one) and runs until it is killed.
Each accepted message becomes DIR/NNNN.eml (the bytes as received, dot-stuffing undone) and DIR/NNNN.json
(envelope sender, recipients, whether TLS and AUTH were used). --starttls offers STARTTLS with a fresh
self-signed certificate and refuses MAIL and AUTH before it; --tls speaks TLS from the first byte (port 465
style); --auth requires a login; recipients matching --reject-pattern get "550 5.1.1 no such user".
"""
import argparse
import asyncio
import json
import logging
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write("smtp_sink.py needs aiosmtpd: python3 -m pip install aiosmtpd\n")
    sys.exit(3)


def self_signed_context():
    """A server TLS context with a certificate for localhost/127.0.0.1 made by the openssl command."""
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", key, "-out", cert],
            check=True, capture_output=True)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)  # read now, so the files may go
    return context


class Sink:
    def __init__(self, directory, reject_pattern):
        self.directory = directory
        self.reject = re.compile(reject_pattern) if reject_pattern else None
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject.search(address):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = os.path.join(self.directory, "%04d" % self.count)
        transport = server.transport
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "tls": session.ssl is not None
            or (transport is not None and transport.get_extra_info("ssl_object") is not None),
            "auth_login": session.auth_data.login.decode() if session.authenticated else None,
        }
        # The .json is written last and both by rename, so a reader that sees it sees a whole message.
        for suffix, data in ((".eml", envelope.content), (".json", json.dumps(meta).encode())):
            with open(stem + suffix + ".tmp", "wb") as f:
                f.write(data)
            os.replace(stem + suffix + ".tmp", stem + suffix)
        return "250 2.0.0 queued as %04d" % self.count


def main():
    parser = argparse.ArgumentParser(description="SMTP sink for tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--starttls", action="store_true")
    tls.add_argument("--tls", action="store_true", help="implicit TLS, as on port 465")
    parser.add_argument("--auth", metavar="USER:PASS")
    parser.add_argument("--auth-mechanism", choices=["PLAIN", "LOGIN"], help="offer only this one")
    parser.add_argument("--reject-pattern", metavar="REGEX")
    args = parser.parse_args()
    # A parent that blocks signals in its threads (a Swift test runner does) passes the mask on through exec;
    # without this the sink would ignore the SIGTERM meant to end it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # aiosmtpd warns about its own deprecations and about AUTH without STARTTLS on every login; a test sink
    # asks for both on purpose.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    os.makedirs(args.dir, exist_ok=True)
    context = self_signed_context() if args.starttls or args.tls else None
    sink = Sink(args.dir, args.reject_pattern)

    def authenticate(server, session, envelope, mechanism, data):
        expected = args.auth.split(":", 1)
        ok = isinstance(data, LoginPassword) and [data.login.decode(), data.password.decode()] == expected
        # handled=False lets aiosmtpd answer a failure with its own 535.
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    def smtp():
        options = dict(hostname="sink.localhost", ident="rapport smtp_sink")
        if args.starttls:
            options.update(tls_context=context, require_starttls=True)
        if args.auth:
            excluded = {"PLAIN", "LOGIN"} - {args.auth_mechanism} if args.auth_mechanism else None
            # aiosmtpd only knows about STARTTLS; on an implicit-TLS socket the link is already encrypted.
            options.update(authenticator=authenticate, auth_required=True,
                           auth_require_tls=args.starttls, auth_exclude_mechanism=excluded)
        return SMTP(sink, **options)

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            smtp, "127.0.0.1", args.port, ssl=context if args.tls else None)
        print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
