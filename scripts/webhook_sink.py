#!/usr/bin/env python3
"""A real HTTP receiver for Rapport's signed webhooks, for tests.

    python3 scripts/webhook_sink.py --port 0 --dir DIR --secret SECRET [--status CODE]

Prints "READY <port>" once it listens on 127.0.0.1 and runs until killed. Every POST becomes DIR/NNNN.json
with the body and whether its Rapport-Signature header checks out (HMAC-SHA256 over "<t>.<body>" with the
secret, computed here independently of Rapport). Answers --status (default 204).
"""
import argparse, hashlib, hmac, json, os, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=0)
p.add_argument("--dir", required=True)
p.add_argument("--secret", required=True)
p.add_argument("--status", type=int, default=204)
a = p.parse_args()
os.makedirs(a.dir, exist_ok=True)
lock = threading.Lock()
count = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        header = self.headers.get("Rapport-Signature", "")
        parts = dict(x.split("=", 1) for x in header.split(",") if "=" in x)
        expected = hmac.new(a.secret.encode(), (parts.get("t", "") + ".").encode() + body, hashlib.sha256).hexdigest()
        valid = hmac.compare_digest(expected, parts.get("v1", ""))
        with lock:
            count[0] += 1
            name = os.path.join(a.dir, f"{count[0]:04d}")
        with open(name + ".tmp", "w") as f:
            json.dump({"valid": valid, "signature": header, "body": json.loads(body or b"null")}, f)
        os.rename(name + ".tmp", name + ".json")
        self.send_response(a.status)
        self.end_headers()

    def log_message(self, *args):
        pass


signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
print(f"READY {server.server_address[1]}", flush=True)
server.serve_forever()
