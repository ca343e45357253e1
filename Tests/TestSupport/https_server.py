#!/usr/bin/env python3
"""An HTTP/1.1 server for the HTTPClient tests (Python's http.server, an implementation that shares no code
with libcurl). It listens on 127.0.0.1 on one free port per --listen: "plain" for http, or CERT:KEY for
https with that certificate chain and key. Once every port listens it prints one JSON line,
{"ports": [...]}, in the order of the --listen options; after that one JSON line per event, so a test
can tell what reached the server:

    {"event": "connection", "listener": I}            a TCP connection was accepted (before any TLS)
    {"event": "tls-failed", "listener": I, "error": S} its TLS handshake failed
    {"event": "request", "listener": I, "method": M, "path": P}

Routes (any method):
    /echo             200, JSON {"method", "path", "headers": [[name, value], ...], "body"} of the request;
                      the response also carries "X-Echo-Method: M" and "X-Mixed-Case: Yes"
    /redirect         302 with "Location: /echo?followed=1"
    /bytes/N          200, N bytes ("abcdefghij" repeated) with Content-Length
    /chunked/N        200, the same N bytes in chunks, Transfer-Encoding: chunked, no Content-Length
    /hang             reads nothing more and answers nothing, until the client hangs up
    /headers/N        200, header fields "X-Filler-K: ..." of about N bytes together, empty body
    /long-header/N    200, one header field "X-Long: ..." of N bytes, empty body

It runs until SIGTERM or SIGINT, or until its standard input, when that is a pipe, is closed.

    https_server.py --listen plain --listen CERT:KEY ...
"""
import argparse
import json
import os
import select
import signal
import socket
import ssl
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATTERN = b"abcdefghij"
print_lock = threading.Lock()


def emit(record):
    with print_lock:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def payload(count):
    return (PATTERN * (count // len(PATTERN) + 1))[:count]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "https_server.py"

    def log_message(self, format, *args):
        pass

    def handle_one_request(self):
        # Like the base class, but logs the request before routing it.
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            emit({"event": "request", "listener": self.server.index, "method": self.command, "path": self.path})
            self.route()
            self.wfile.flush()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_body(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        path = self.path.split("?", 1)[0]
        parts = path.strip("/").split("/")
        if parts[0] == "echo":
            body = self.read_body()
            record = {"method": self.command, "path": self.path, "headers": [[k, v] for k, v in self.headers.items()],
                      "body": body.decode("utf-8", "replace")}
            self.send_body(200, json.dumps(record).encode(), [("Content-Type", "application/json"),
                                                              ("X-Echo-Method", self.command), ("X-Mixed-Case", "Yes")])
        elif parts[0] == "redirect":
            self.read_body()
            self.send_body(302, b"", [("Location", "/echo?followed=1")])
        elif parts[0] == "bytes" and len(parts) == 2:
            self.send_body(200, payload(int(parts[1])), [("Content-Type", "application/octet-stream")])
        elif parts[0] == "chunked" and len(parts) == 2:
            body = payload(int(parts[1]))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 65536):
                chunk = body[start:start + 65536]
                self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif parts[0] == "hang":
            self.hang()
        elif parts[0] == "headers" and len(parts) == 2:
            self.send_response(200)
            remaining, number = int(parts[1]), 0
            while remaining > 0:
                name = "X-Filler-%d" % number
                value = "f" * max(1, min(1000, remaining - len(name) - 4))
                self.send_header(name, value)
                remaining -= len(name) + len(value) + 4
                number += 1
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts[0] == "long-header" and len(parts) == 2:
            self.send_response(200)
            self.send_header("X-Long", "l" * max(1, int(parts[1]) - len("X-Long: \r\n")))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_body(404, b"no such route\n")

    def hang(self):
        """Holds the connection without a word until the client closes it (or a minute passes)."""
        self.close_connection = True
        self.connection.settimeout(60)
        try:
            while self.connection.recv(4096):
                pass
        except (OSError, ssl.SSLError):
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, index, context):
        self.index = index
        self.context = context
        super().__init__(("127.0.0.1", 0), Handler)

    def get_request(self):
        connection, address = self.socket.accept()
        emit({"event": "connection", "listener": self.index})
        return connection, address

    def finish_request(self, request, client_address):
        # The handshake runs on the connection's own thread, so a client that stalls it blocks no one else.
        if self.context is not None:
            request.settimeout(30)
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as error:
                emit({"event": "tls-failed", "listener": self.index, "error": str(error)})
                return
        self.RequestHandlerClass(request, client_address, self)


def watch_standard_input():
    """Exits once the test process that started us closes our standard input (or dies)."""
    try:
        if not stat.S_ISFIFO(os.fstat(0).st_mode):
            return
    except OSError:
        return

    def wait():
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=wait, daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", action="append", required=True, help='"plain" or CERT:KEY')
    arguments = parser.parse_args()
    # Blocked here, so every thread started below inherits the mask and only sigwait at the end takes
    # them: a handler would run only once the main thread next wakes.
    stops = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    servers = []
    for index, listen in enumerate(arguments.listen):
        context = None
        if listen != "plain":
            certificate, key = listen.split(":", 1)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificate, key)
        servers.append(Server(index, context))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    watch_standard_input()
    emit({"ports": [server.server_address[1] for server in servers]})
    signal.sigwait(stops)
    os._exit(0)


if __name__ == "__main__":
    main()
