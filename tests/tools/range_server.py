#!/usr/bin/env python3
"""A static file server on 127.0.0.1 that honours `Range: bytes=N-` (curl's resume), for
tests/hub_fetch.rs. Prints its port on the first line, then logs one line per request
(`GET /path range=N-` or `HEAD /path`) to the file named by its second argument.

usage: range_server.py DIR LOG
"""

import http.server
import os
import sys

ROOT, LOG = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def _file(self):
        path = os.path.join(ROOT, self.path.lstrip("/").split("?")[0])
        return path if os.path.isfile(path) else None

    def _log(self, what):
        with open(LOG, "a") as f:
            f.write(what + "\n")

    def do_HEAD(self):
        self._log(f"HEAD {self.path}")
        path = self._file()
        if not path:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(os.path.getsize(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()

    def do_GET(self):
        rng = self.headers.get("Range", "")
        self._log(f"GET {self.path} range={rng.removeprefix('bytes=')}")
        path = self._file()
        if not path:
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start = int(rng.removeprefix("bytes=").split("-")[0]) if rng.startswith("bytes=") else 0
        if start >= size and size > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read()
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
