#!/usr/bin/env python3
"""A real JupyterHub on 127.0.0.1 for tests/verify.rs: `atlasod verify` against the hub's REST API
and a real single-user server's kernels API (jupyterhub-singleuser and ipykernel from the hub venv).

usage: verify_hub.py [--tls CA_FILE] HOME TOKEN_FILE -- COMMAND [ARG...]

Starts the hub (dummy login, SimpleLocalProcessSpawner whose homes are HOME/<user>, the real
configurable-http-proxy, an admin service whose token is written to TOKEN_FILE), waits until it
answers, runs COMMAND with every `{hub}` in its arguments replaced by the hub's URL, shuts the hub
down and kills every process it started. Prints COMMAND's standard output and error as they were;
exits with COMMAND's status (or 125 when the hub did not start). All traffic stays on loopback.
With --tls, the proxy serves HTTPS with a certificate for 127.0.0.1 from a CA made for the run,
whose certificate is written to CA_FILE (what `--cacert` of atlasod verify is for).
"""

import os
import secrets
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _hubenv  # noqa: E402

_hubenv.reexec_in_hub_venv(__file__)

from hub_smoke import LOOPBACK_HUB, become_subreaper, descendants, find_chp, free_port, kill_all  # noqa: E402

CONFIG = """\
import os
c = get_config()  # noqa
""" + LOOPBACK_HUB + """\
c.JupyterHub.authenticator_class = "dummy"
c.SimpleLocalProcessSpawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.JupyterHub.services = [{{"name": "verify-admin", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": ["verify-admin"]}}]
"""


def make_tls(ca_file, state):
    """A CA (its certificate to CA_FILE) and a certificate for 127.0.0.1 it signs: (cert, key) paths."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "verify_hub.py test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    with open(ca_file, "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    cert_path, key_path = os.path.join(state, "hub.crt"), os.path.join(state, "hub.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def main():
    args = sys.argv[1:]
    ca_file = None
    if args[0] == "--tls":
        ca_file, args = args[1], args[2:]
    home, token_file = args[0], args[1]
    command = args[args.index("--") + 1:]
    become_subreaper()
    state = tempfile.mkdtemp(prefix="verify-hub-")
    token = secrets.token_hex(24)
    with open(token_file, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    ports = set()
    while len(ports) < 3:
        ports.add(free_port())
    proxy_port, api_port, hub_port = sorted(ports)
    bindir = os.path.dirname(sys.executable)
    with open(os.path.join(state, "config.py"), "w", encoding="utf-8") as f:
        f.write(CONFIG.format(proxy_port=proxy_port, api_port=api_port, hub_port=hub_port, chp=find_chp(),
                              state=state, home=home, singleuser=os.path.join(bindir, "jupyterhub-singleuser"),
                              token=token))
    scheme = "http"
    if ca_file:
        cert, key = make_tls(ca_file, state)
        scheme = "https"
        with open(os.path.join(state, "config.py"), "a", encoding="utf-8") as f:
            f.write(f"c.JupyterHub.bind_url = 'https://127.0.0.1:{proxy_port}'\n"
                    f"c.JupyterHub.ssl_cert = {cert!r}\nc.JupyterHub.ssl_key = {key!r}\n")
    env = dict(os.environ)
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    log = open(os.path.join(state, "hub.log"), "wb")
    hub = subprocess.Popen([os.path.join(bindir, "jupyterhub"), "-f", os.path.join(state, "config.py")],
                           cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"{scheme}://127.0.0.1:{proxy_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                context = ssl.create_default_context(cafile=ca_file) if ca_file else None
                with urllib.request.urlopen(base + "/hub/api", timeout=5, context=context):
                    break
            except OSError:
                if time.monotonic() > deadline or hub.poll() is not None:
                    log.flush()
                    sys.stderr.write(open(os.path.join(state, "hub.log"), encoding="utf-8", errors="replace").read()[-3000:])
                    sys.stderr.write("verify_hub.py: the hub did not answer\n")
                    return 125
                time.sleep(0.3)
        ran = subprocess.run([a.replace("{hub}", base) for a in command], env=env, capture_output=True, timeout=600)
        sys.stdout.buffer.write(ran.stdout)
        sys.stderr.buffer.write(ran.stderr)
        return ran.returncode
    finally:
        kill_all(descendants(os.getpid()))


if __name__ == "__main__":
    sys.exit(main())
