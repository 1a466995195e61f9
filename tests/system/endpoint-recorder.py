#!/usr/bin/python3
"""Endpoints that should never be reached, and that record who reached them.

For the system tests of who may redirect a call (setuid-overrides.sh). One
line per event in --log, flushed at once:

  SERVER-CONNECT from ADDR first-byte=0x16     --server-port: a would-be SSTP
                                               server; closes after the first
                                               bytes (a TLS ClientHello: 0x16)
  PROXY-REQUEST from ADDR CONNECT HOST:PORT auth=none
  PROXY-REQUEST from ADDR CONNECT HOST:PORT auth=Basic user=U password=configured|other
  PROXY-REQUEST from ADDR CONNECT HOST:PORT auth=SCHEME
                                               --proxy-port: an HTTP proxy that
                                               asks for Basic credentials (407),
                                               then refuses the CONNECT (403)
  SILENT-CONNECT from ADDR                     --silent-port: accepts and never
                                               answers nor closes

The password itself is never written: only whether it equals the first line
of --password-file.
"""

import argparse
import base64
import socket
import threading

HEADER_LIMIT = 16384
READ_TIMEOUT_S = 10


class Recorder:
    def __init__(self, log_path, password):
        self.log = open(log_path, "a", buffering=1)
        self.lock = threading.Lock()
        self.password = password
        self.silent = []

    def record(self, line):
        with self.lock:
            self.log.write(line + "\n")

    def server(self, conn, peer):
        first = conn.recv(1)
        self.record("SERVER-CONNECT from %s first-byte=%s"
                    % (peer, "0x%02x" % first[0] if first else "none"))

    def read_head(self, conn):
        data = b""
        while b"\r\n\r\n" not in data and len(data) < HEADER_LIMIT:
            chunk = conn.recv(4096)
            if not chunk:
                return None
            data += chunk
        return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")

    def describe_auth(self, value):
        scheme, _, rest = value.strip().partition(" ")
        if scheme.lower() != "basic":
            return "auth=%s" % scheme
        try:
            user, _, password = base64.b64decode(rest.strip()).decode("utf-8").partition(":")
        except ValueError:
            return "auth=Basic undecodable"
        same = "configured" if password == self.password else "other"
        return "auth=Basic user=%s password=%s" % (user, same)

    def proxy(self, conn, peer):
        # A client that tries "any" first asks without credentials; after the
        # 407 it asks again on the same connection (or a new one).
        for _ in range(3):
            head = self.read_head(conn)
            if head is None:
                return
            lines = head.split("\r\n")
            auth = "auth=none"
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "proxy-authorization":
                    auth = self.describe_auth(value)
            self.record("PROXY-REQUEST from %s %s %s" % (peer, lines[0].rsplit(" ", 1)[0], auth))
            if auth != "auth=none":
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")
                return
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                         b"Proxy-Authenticate: Basic realm=\"recorder\"\r\n"
                         b"Content-Length: 0\r\n\r\n")

    def serve(self, conn, peer, kind):
        conn.settimeout(READ_TIMEOUT_S)
        try:
            if kind == "server":
                self.server(conn, peer)
            elif kind == "proxy":
                self.proxy(conn, peer)
            else:
                self.record("SILENT-CONNECT from %s" % peer)
                self.silent.append(conn)  # kept open, never answered
                return
        except OSError as e:
            self.record("%s-ERROR from %s %s" % (kind.upper(), peer, e))
        conn.close()

    def listen(self, address, port, kind):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(16)

        def loop():
            while True:
                conn, peer = sock.accept()
                threading.Thread(target=self.serve, args=(conn, peer[0], kind),
                                 daemon=True).start()
        threading.Thread(target=loop, daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--server-port", type=int)
    ap.add_argument("--proxy-port", type=int)
    ap.add_argument("--silent-port", type=int)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready-file", required=True)
    args = ap.parse_args()
    with open(args.password_file) as f:
        password = f.readline().rstrip("\r\n")
    rec = Recorder(args.log, password)
    for port, kind in ((args.server_port, "server"), (args.proxy_port, "proxy"),
                       (args.silent_port, "silent")):
        if port:
            rec.listen(args.listen, port, kind)
    open(args.ready_file, "w").close()
    threading.Event().wait()


if __name__ == "__main__":
    main()
