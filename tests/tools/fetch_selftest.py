"""Run the kubernetes target's datasets/fetch.py against a local HTTP server.

usage: fetch_selftest.py FETCH_PY

Serves a small zip and a plain file on 127.0.0.1 (loopback only, bounded:
every request is answered or the test times out after 60 s), then checks
what the dataset Job promises: the zip is verified and unpacked, the plain
file is kept, a `.complete` marker is written, a second run downloads
nothing, a partial file is resumed with a Range request, and a size or
SHA-256 mismatch fails with a non-zero exit naming the file. Prints one
line per check and "N passed, M failed"; exits 1 on any failure.
"""

import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import zipfile

REQUESTS = []


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        REQUESTS.append((self.path, self.headers.get("Range")))
        path = os.path.join(self.server.root, self.path.lstrip("/"))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        start = 0
        ranged = self.headers.get("Range")
        if ranged and ranged.startswith("bytes="):
            start = int(ranged[6:].split("-")[0])
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


def make_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("4lep/Data/data_A.4lep.root", b"root-bytes" * 1000)
        z.writestr("4lep/MC/mc_1.root", b"mc" * 500)
    return buffer.getvalue()


def run(fetch, listing, data_dir):
    env = dict(os.environ, ATLASOD_DATASETS=listing, ATLASOD_DATA_DIR=data_dir)
    return subprocess.run(
        [sys.executable, fetch], env=env, capture_output=True, text=True, timeout=60
    )


def main():
    fetch = os.path.abspath(sys.argv[1])
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + detail}")

    with tempfile.TemporaryDirectory() as tmp:
        served = os.path.join(tmp, "served")
        os.makedirs(served)
        archive = make_zip()
        plain = b"x" * 5000
        with open(os.path.join(served, "4lep.zip"), "wb") as f:
            f.write(archive)
        with open(os.path.join(served, "sample.root"), "wb") as f:
            f.write(plain)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.root = served
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        datasets = [
            {
                "name": "four-lep",
                "unzip": True,
                # a rounded publisher size: the accepted range around it
                "files": [{"url": f"{base}/4lep.zip", "filename": "4lep.zip",
                           "min_bytes": len(archive) // 2, "max_bytes": len(archive) * 2,
                           "sha256": None}],
            },
            {
                "name": "own",
                "unzip": False,
                "files": [{"url": f"{base}/sample.root", "filename": "sample.root",
                           "min_bytes": None, "max_bytes": None,
                           "sha256": hashlib.sha256(plain).hexdigest()}],
            },
        ]
        listing = os.path.join(tmp, "datasets.json")
        with open(listing, "w") as f:
            json.dump(datasets, f)

        first = run(fetch, listing, data)
        check("first run succeeds", first.returncode == 0, first.stderr)
        check("zip unpacked", os.path.isfile(os.path.join(data, "four-lep/4lep/Data/data_A.4lep.root")))
        check("zip removed after unpacking", not os.path.exists(os.path.join(data, "four-lep/4lep.zip")))
        check("plain file kept", open(os.path.join(data, "own/sample.root"), "rb").read() == plain)
        check("markers written", all(os.path.isfile(os.path.join(data, d, ".complete")) for d in ("four-lep", "own")))

        REQUESTS.clear()
        second = run(fetch, listing, data)
        check("second run succeeds", second.returncode == 0, second.stderr)
        check("second run downloads nothing", REQUESTS == [], str(REQUESTS))

        os.remove(os.path.join(data, "own/.complete"))
        with open(os.path.join(data, "own/sample.root"), "wb") as f:
            f.write(plain[:1200])
        REQUESTS.clear()
        resumed = run(fetch, listing, data)
        check("partial file resumed", resumed.returncode == 0 and REQUESTS == [("/sample.root", "bytes=1200-")], str(REQUESTS) + resumed.stderr)
        check("resumed file whole", open(os.path.join(data, "own/sample.root"), "rb").read() == plain)

        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        datasets[1]["files"][0]["sha256"] = "0" * 64
        with open(listing, "w") as f:
            json.dump(datasets[1:], f)
        wrong_hash = run(fetch, listing, bad)
        check("sha256 mismatch fails", wrong_hash.returncode != 0 and "SHA-256" in wrong_hash.stderr, wrong_hash.stderr)

        datasets[1]["files"][0]["sha256"] = None
        datasets[1]["files"][0]["min_bytes"] = 45_000
        datasets[1]["files"][0]["max_bytes"] = 55_000
        with open(listing, "w") as f:
            json.dump(datasets[1:], f)
        wrong_size = run(fetch, listing, os.path.join(tmp, "bad2"))
        check("size mismatch fails", wrong_size.returncode != 0 and "expected between 45000 and 55000" in wrong_size.stderr, wrong_size.stderr)
        server.shutdown()

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
