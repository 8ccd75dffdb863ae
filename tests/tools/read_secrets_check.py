"""Run the gcp VM's atlasod-read-secrets for real, against stand-ins of the metadata
server and Secret Manager, inside the network and mount namespaces that the caller made
(`unshare --net --mount`): nothing leaves this namespace's loopback.

usage: read_secrets_check.py READER WORKDIR

In the namespace: brings loopback up, mounts a copy of /etc over /etc whose hosts file
names metadata.google.internal and secretmanager.googleapis.com as 127.0.0.1 and which
holds /etc/atlasod/host.env, serves the token endpoint on port 80 (only with
`Metadata-Flavor: Google`) and Secret Manager's `:access` on 443 (HTTPS, a throwaway CA
given to the reader through SSL_CERT_FILE; only with the token). Then checks: the reader
writes the secret byte for byte with mode 0600; a wrong bearer token or a version the
server does not know fails with a non-zero exit and no file; without ATLASOD_ENV_SECRET
it fails naming it; with a second argument it reads the version that variable names (the roster's
passwords, ATLASOD_ACCOUNTS_SECRET). Prints one line per check and "N passed, M failed".
"""

import base64
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading

TOKEN = "ya29.test-token"
VERSION = "projects/123/secrets/w-hub-env/versions/4"
SECRET = "SHARED_PASSWORD='Física ${x} \\ \" 🎓'\nADMIN_PASSWORD='a'\n".encode()
ACCOUNTS_VERSION = "projects/123/secrets/w-accounts/versions/2"
ACCOUNTS = b"# The roster's passwords\nusername,password\nana,abcd-efgh-jkmn\n"
SECRETS = {VERSION: SECRET, ACCOUNTS_VERSION: ACCOUNTS}
REQUESTS = []


class Metadata(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        REQUESTS.append(("metadata", self.path, self.headers.get("Metadata-Flavor")))
        if (self.path == "/computeMetadata/v1/instance/service-accounts/default/token"
                and self.headers.get("Metadata-Flavor") == "Google"):
            self.answer(200, {"access_token": self.server.token, "expires_in": 3599, "token_type": "Bearer"})
        else:
            self.answer(403, {"error": "missing Metadata-Flavor"})

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class SecretManager(Metadata):
    def do_GET(self):
        REQUESTS.append(("secretmanager", self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.answer(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        elif not (self.path.startswith("/v1/") and self.path.endswith(":access")
                  and self.path[4:-7] in SECRETS):
            self.answer(404, {"error": {"code": 404, "status": "NOT_FOUND"}})
        else:
            version = self.path[4:-7]
            self.answer(200, {"name": version, "payload": {"data": base64.b64encode(SECRETS[version]).decode()}})


def serve(handler, port, context=None, token=TOKEN):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.token = token
    if context:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sh(*args):
    subprocess.run(args, check=True, capture_output=True)


def main():
    reader, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'}: {name}{'' if ok else ': ' + detail}", flush=True)

    # the namespace's own /etc: the host's, with these names on loopback and host.env
    etc = os.path.join(work, "etc")
    shutil.copytree("/etc", etc, symlinks=True, ignore=shutil.ignore_patterns("atlasod"),
                    ignore_dangling_symlinks=True, dirs_exist_ok=True)
    with open(os.path.join(etc, "hosts"), "w") as hosts:
        hosts.write("127.0.0.1 localhost metadata.google.internal secretmanager.googleapis.com\n")
    os.makedirs(os.path.join(etc, "atlasod"))
    host_env = os.path.join(etc, "atlasod", "host.env")
    with open(host_env, "w") as f:
        f.write(f"ATLASOD_DATA_DEVICE=/dev/disk/by-id/google-data\nATLASOD_PUBLIC_IP=192.0.2.7\nATLASOD_ENV_SECRET={VERSION}\n"
                f"ATLASOD_ACCOUNTS_SECRET={ACCOUNTS_VERSION}\n")
    # a throwaway CA and the server's certificate
    tls = os.path.join(work, "tls")
    os.makedirs(tls)
    ca_key, ca, key, csr, cert = (os.path.join(tls, n) for n in ("ca.key", "ca.crt", "srv.key", "srv.csr", "srv.crt"))
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-subj", "/CN=test CA", "-days", "1", "-keyout", ca_key, "-out", ca)
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-subj", "/CN=secretmanager.googleapis.com", "-keyout", key, "-out", csr)
    ext = os.path.join(tls, "ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:secretmanager.googleapis.com\nextendedKeyUsage=serverAuth\n")
    sh("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
       "-days", "1", "-extfile", ext, "-out", cert)

    sh("ip", "link", "set", "lo", "up")
    sh("mount", "--bind", etc, "/etc")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    metadata = serve(Metadata, 80)
    serve(SecretManager, 443, context)
    env = dict(os.environ, SSL_CERT_FILE=ca)
    env.pop("SSL_CERT_DIR", None)

    def read(dest, *variable):
        return subprocess.run([sys.executable, reader, dest, *variable], env=env, capture_output=True, text=True,
                              timeout=60)

    dest = os.path.join(work, "out", ".env")
    os.makedirs(os.path.dirname(dest))
    ran = read(dest)
    check("the reader writes .env from Secret Manager", ran.returncode == 0, ran.stdout + ran.stderr)
    got = open(dest, "rb").read() if os.path.exists(dest) else b""
    check("... byte for byte", got == SECRET, repr(got))
    check("... with mode 0600", os.path.exists(dest) and oct(os.stat(dest).st_mode & 0o777) == "0o600",
          oct(os.stat(dest).st_mode) if os.path.exists(dest) else "no file")
    check("... asking the metadata server with Metadata-Flavor: Google",
          ("metadata", "/computeMetadata/v1/instance/service-accounts/default/token", "Google") in REQUESTS, str(REQUESTS))
    check("... and Secret Manager for the version host.env names, with the token",
          ("secretmanager", f"/v1/{VERSION}:access", f"Bearer {TOKEN}") in REQUESTS, str(REQUESTS))

    accounts = os.path.join(work, "out", "accounts.csv")
    ran = read(accounts, "ATLASOD_ACCOUNTS_SECRET")
    check("the reader writes the roster's passwords from the version ATLASOD_ACCOUNTS_SECRET names",
          ran.returncode == 0 and ("secretmanager", f"/v1/{ACCOUNTS_VERSION}:access", f"Bearer {TOKEN}") in REQUESTS,
          ran.stdout + ran.stderr)
    got = open(accounts, "rb").read() if os.path.exists(accounts) else b""
    check("... byte for byte, with mode 0600",
          got == ACCOUNTS and oct(os.stat(accounts).st_mode & 0o777) == "0o600", repr(got))

    metadata.token = "someone-else"
    bad = os.path.join(work, "out", "bad.env")
    ran = read(bad)
    check("a token Secret Manager refuses: non-zero exit, no file",
          ran.returncode != 0 and not os.path.exists(bad) and "HTTP 401" in ran.stderr, ran.stdout + ran.stderr)
    metadata.token = TOKEN

    with open(host_env, "w") as f:
        f.write("ATLASOD_ENV_SECRET=projects/123/secrets/other/versions/1\n")
    ran = read(bad)
    check("a version Secret Manager does not have: non-zero exit, no file",
          ran.returncode != 0 and not os.path.exists(bad) and "HTTP 404" in ran.stderr, ran.stdout + ran.stderr)

    with open(host_env, "w") as f:
        f.write("ATLASOD_DATA_DEVICE=/dev/x\n")
    ran = read(bad)
    check("host.env without ATLASOD_ENV_SECRET: non-zero exit naming it",
          ran.returncode != 0 and "ATLASOD_ENV_SECRET" in ran.stderr, ran.stdout + ran.stderr)

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
