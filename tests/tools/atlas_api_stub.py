#!/usr/bin/env python3
"""A stand-in for the atlasopenmagic API on 127.0.0.1, for tests/data_hook.rs.

It answers the three requests atlasopenmagic 1.10.1 makes for metadata and file lists, in the
response shape of that version's client (src/atlasopenmagic/metadata.py and its
tests/test_metadata.py):
  GET /datasets/count?release_name=R           {"count": N}
  GET /datasets?release_name=R&skip=S&limit=L  [dataset, ...]  (a page)
  GET /metadata/R/KEY                          dataset  (by dataset_number or physics_short), or 404
where a dataset is {"dataset_number", "physics_short", ..., "file_list": [url], "release":
{"name": R}, "skims": [{"skim_type", "file_list", ...}]}. It serves the datasets of the JSON
file given (a list of such datasets), prints its port on the first line, and logs each path to
stderr. How it differs from the real API: only these endpoints, no other release metadata.

usage: atlas_api_stub.py DATASETS.json [HOST:PORT]

HOST:PORT (default 127.0.0.1 and a free port) is for .ci/e2e-local.sh, which runs it in a container
on the bundle's network (0.0.0.0:8080 there).
"""

import http.server
import json
import sys
import urllib.parse

with open(sys.argv[1], encoding="utf-8") as f:
    DATASETS = json.load(f)


def of_release(name):
    return [d for d in DATASETS if d.get("release", {}).get("name") == name]


class Handler(http.server.BaseHTTPRequestHandler):
    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        parts = url.path.strip("/").split("/")
        if parts == ["datasets", "count"]:
            self._json(200, {"count": len(of_release(query.get("release_name")))})
        elif parts == ["datasets"]:
            skip, limit = int(query.get("skip", 0)), int(query.get("limit", 1000))
            self._json(200, of_release(query.get("release_name"))[skip : skip + limit])
        elif len(parts) == 3 and parts[0] == "metadata":
            key = parts[2].lower()
            found = [
                d
                for d in of_release(parts[1])
                if str(d.get("dataset_number")).lower() == key
                or (d.get("physics_short") or "").lower() == key
            ]
            if found:
                self._json(200, found[0])
            else:
                self._json(404, {"detail": "Dataset not found"})
        else:
            self._json(404, {"detail": "Not Found"})

    def log_message(self, fmt, *args):
        sys.stderr.write("stub: " + (fmt % args) + "\n")


host, _, port = (sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1:0").rpartition(":")
server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
