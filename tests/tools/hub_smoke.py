#!/usr/bin/env python3
"""Start a real JupyterHub from a generated bundle's jupyterhub_config.py, on 127.0.0.1 only.

usage: hub_smoke.py BUNDLE_DIR --method dummy|shared-password|native [--user NAME] [--password-env NAME]
                    [--env NAME=VALUE ...] [--login-shows TEXT] [--timeout SECONDS] [--keep]

An extra config file (written to a temp dir) loads the bundle's config with `load_subconfig` and then
swaps DockerSpawner for `jupyterhub.spawner.SimpleLocalProcessSpawner` (jupyterhub-singleuser from the
hub venv), moves every address to 127.0.0.1 on random free ports, moves db / cookie secret / pid files
into the temp dir, and adds one service `atlasod-smoke` with an API token and a role for the test.
Everything else -- authenticator, allow rules, admin users, roles, the idle-culler service, limits --
is the bundle's own.  Then:

  1. GET /hub/api answers (through the real configurable-http-proxy); with --login-shows TEXT, the
     login page (GET /hub/login) must contain TEXT (the environment's fingerprint)
  2. the user logs in through the real login form (GET /hub/login for the _xsrf token, POST the form);
     for shared-password the password is the value of --password-env (default SHARED_PASSWORD, set
     to a random value when unset), and a wrong password must be refused; for native the user signs
     up at /hub/signup, is refused before approval and approved by the admin at /hub/authorize, and
     the admin's account already exists (a stranger's sign-up under the admin's name is refused, the
     admin logs in with the value of --admin-password-env)
  3. POST /hub/api/users/NAME/server starts a single-user server, which must become ready and answer
     /user/NAME/api/status through the proxy; DELETE stops it
  4. the bundle's managed services (e.g. the idle culler) must still be running, and the hub log must
     show no traceback / 403 from them
  5. POST /hub/api/shutdown; the hub must exit; every process it started is then killed
Every wait has a timeout; all traffic stays on 127.0.0.1.  Exit 0 = passed, 1 = failed.
"""

import argparse
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _hubenv  # noqa: E402

_hubenv.reexec_in_hub_venv(__file__)

import requests  # noqa: E402  (a JupyterHub dependency, so present in the hub venv)

LOOPBACK = "127.0.0.1"


class SmokeFailure(Exception):
    pass


class Fatal(SmokeFailure):
    """A failure that waiting longer cannot fix."""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def become_subreaper():
    """Orphaned descendants (the proxy, single-user servers, services) get re-parented to us, so they
    can be found and killed at the end even if the hub dies first."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_CHILD_SUBREAPER = 36
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except Exception:  # noqa: BLE001 -- best effort (non-Linux)
        pass


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            kids.append(int(entry))
    return kids


def descendants(pid):
    out, stack = [], [pid]
    while stack:
        for k in children_of(stack.pop()):
            out.append(k)
            stack.append(k)
    return out


def kill_all(pids, grace=5.0):
    pids = [p for p in pids if p != os.getpid()]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = []
        for p in pids:
            try:
                os.kill(p, sig)
                alive.append(p)
            except ProcessLookupError:
                pass
        if not alive:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            reap()
            alive = [p for p in alive if os.path.exists(f"/proc/{p}") and not is_zombie(p)]
            if not alive:
                return
            time.sleep(0.1)
        pids = alive


def is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def find_chp():
    for cand in (
        shutil.which("configurable-http-proxy"),
        os.path.join(_hubenv.TOOLS, "bin", "configurable-http-proxy"),
    ):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise SmokeFailure("configurable-http-proxy not found (PATH or $ATLASOD_TOOLS/bin)")


# A hub on 127.0.0.1 (this script's and verify_hub.py's): its ports, the real proxy, its state
# under {state}, and a local process spawner running {singleuser} in {home}/<user>.
LOOPBACK_HUB = """\
c.JupyterHub.bind_url = "http://127.0.0.1:{proxy_port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {state!r} + "/jupyterhub-proxy.pid"
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {state!r} + "/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = {state!r} + "/jupyterhub.pid"
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {home!r} + "/{{username}}"
c.SimpleLocalProcessSpawner.ip = "127.0.0.1"
c.SimpleLocalProcessSpawner.cmd = [{singleuser!r}]
c.SimpleLocalProcessSpawner.start_timeout = 60
c.SimpleLocalProcessSpawner.http_timeout = 60
"""

SMOKE_CONFIG = """\
# written by tests/tools/hub_smoke.py: the bundle's config, made to run here on 127.0.0.1
c = get_config()  # noqa
load_subconfig({bundle_config!r})

""" + LOOPBACK_HUB + """\
c.JupyterHub.hub_connect_ip = "127.0.0.1"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.SimpleLocalProcessSpawner.args = {args!r}
c.SimpleLocalProcessSpawner.default_url = "/api/status"

c.JupyterHub.services.append({{"name": "atlasod-smoke", "api_token": {token!r}}})
c.JupyterHub.load_roles.append(
    {{
        "name": "atlasod-smoke",
        "scopes": ["admin:users", "admin:servers", "admin:server_state", "access:servers",
                   "list:services", "read:services", "shutdown"],
        "services": ["atlasod-smoke"],
    }}
)
"""


class Hub:
    def __init__(self, base, token, timeout):
        self.base = base
        self.timeout = timeout
        self.api = requests.Session()
        self.api.trust_env = False  # never a proxy from the environment: loopback only
        self.api.headers["Authorization"] = f"token {token}"

    def req(self, method, path, expect, timeout=60, **kw):
        # 60 s: POST .../server answers only after the spawn or slow_spawn_timeout (10 s), which on a
        # busy 2-core machine can take longer than a plain request
        r = self.api.request(method, self.base + path, timeout=timeout, allow_redirects=False, **kw)
        if r.status_code not in expect:
            raise SmokeFailure(f"{method} {path}: HTTP {r.status_code} (expected {expect}): {r.text[:300]}")
        return r

    def user(self, name):
        return self.req("GET", f"/hub/api/users/{name}", (200,)).json()


def wait_for(what, fn, timeout, proc=None, interval=0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SmokeFailure(f"the hub exited (code {proc.returncode}) while waiting for {what}")
        try:
            v = fn()
            if v:
                return v
        except Fatal:
            raise
        except (requests.RequestException, SmokeFailure, ValueError) as e:
            last = e
        time.sleep(interval)
    raise SmokeFailure(f"timed out after {timeout}s waiting for {what}" + (f" (last: {last})" if last else ""))


def login(base, username, password, timeout):
    """The real login form: GET /hub/login (sets the _xsrf cookie, renders the hidden field), POST it."""
    s = requests.Session()
    s.trust_env = False
    r = s.get(f"{base}/hub/login", timeout=timeout)
    if r.status_code != 200:
        raise SmokeFailure(f"GET /hub/login: HTTP {r.status_code}")
    m = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text)
    if not m:
        raise SmokeFailure("GET /hub/login: no _xsrf field in the login form")
    r = s.post(
        f"{base}/hub/login?next=%2Fhub%2Fhome",
        data={"username": username, "password": password, "_xsrf": m.group(1)},
        timeout=timeout,
        allow_redirects=False,
    )
    return s, r


def form(session, base, path, fields, timeout):
    """GET a page of the hub for its _xsrf field, then POST `fields` to it, as a browser does."""
    r = session.get(f"{base}{path}", timeout=timeout)
    m = re.search(r'name="_xsrf"\s+value="([^"]+)"', r.text)
    if r.status_code != 200 or not m:
        raise SmokeFailure(f"GET {path}: HTTP {r.status_code}, no _xsrf field")
    return session.post(f"{base}{path}", data={**fields, "_xsrf": m.group(1)}, timeout=timeout, allow_redirects=False)


def signup(base, username, password, timeout):
    """NativeAuthenticator's sign-up form; True when it says the account was created."""
    s = requests.Session()
    s.trust_env = False
    fields = {"username": username, "signup_password": password, "signup_password_confirmation": password}
    r = form(s, base, "/hub/signup", fields, timeout)
    return r.status_code == 200 and ("alert-success" in r.text or "alert-info" in r.text)


def native_accounts(base, user, password, admin, admin_password, hub, left, step):
    """native: the admin's account exists before anyone signs up; the user signs up and is approved."""
    if not admin or not admin_password:
        raise SmokeFailure("--method native needs --admin-user (the bundle's first admin)")
    stranger = "Stranger-" + secrets.token_urlsafe(12)
    if signup(base, admin, stranger, left(30)):
        raise SmokeFailure(f"a stranger signed up under the admin's name {admin}")
    _, bad = login(base, admin, stranger, left(30))
    if bad.status_code == 302:
        raise SmokeFailure(f"the stranger's password logs in as the admin {admin}")
    step(f"sign-up under the admin's name {admin} refused; the stranger's password does not log in")
    asess, r = login(base, admin, admin_password, left(30))
    if r.status_code != 302 or "jupyterhub-hub-login" not in asess.cookies.get_dict():
        raise SmokeFailure(f"admin {admin} cannot log in with its first password: HTTP {r.status_code}")
    if not hub.user(admin)["admin"]:
        raise SmokeFailure(f"{admin} logged in but is no admin")
    step(f"admin {admin} logs in with its first password, admin=True")
    if not signup(base, user, password, left(30)):
        raise SmokeFailure(f"{user} could not sign up")
    _, early = login(base, user, password, left(30))
    if early.status_code == 302:
        raise SmokeFailure(f"{user} logged in before an admin approved the account")
    r = asess.get(f"{base}/hub/authorize/{user}", timeout=left(30), allow_redirects=False)
    if r.status_code not in (200, 302):
        raise SmokeFailure(f"the admin's GET /hub/authorize/{user}: HTTP {r.status_code}")
    step(f"{user} signed up, was refused before approval, approved by the admin")


def roster_accounts(base, accounts, hub, left, step):
    """native with a roster: every account exists, approved, with its password from the accounts
    file; nobody can sign up; an outsider cannot log in."""
    for name, pw in accounts:
        sess, r = login(base, name, pw, left(30))
        if r.status_code != 302 or "jupyterhub-hub-login" not in sess.cookies.get_dict():
            raise SmokeFailure(f"roster user {name} cannot log in with its password: HTTP {r.status_code}")
        print(f"PASS: roster user {name} logs in with the password from the accounts file, no sign-up", flush=True)
        _, wrong = login(base, name, pw + "x", left(30))
        if wrong.status_code == 302:
            raise SmokeFailure(f"{name} logged in with a wrong password")
    step(f"{len(accounts)} roster users log in with their passwords, no sign-up or approval; wrong ones refused")
    outsider = "outsider" + secrets.token_hex(4)
    pw = "Outsider-" + secrets.token_urlsafe(12)
    try:
        created = signup(base, outsider, pw, left(30))
    except SmokeFailure:
        created = False  # no sign-up form at all
    if created:
        raise SmokeFailure(f"the outsider {outsider} could sign up")
    _, r = login(base, outsider, pw, left(30))
    if r.status_code == 302:
        raise SmokeFailure(f"the outsider {outsider} logged in")
    print(f"PASS: the outsider {outsider} can neither sign up nor log in", flush=True)
    step("an outsider can neither sign up nor log in")


def read_accounts(path):
    with open(path, encoding="utf-8") as f:
        rows = [ln.strip().split(",", 1) for ln in f if ln.strip() and not ln.startswith("#")]
    return [tuple(r) for r in rows[1:]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bundle", help="bundle directory holding jupyterhub_config.py, or the file itself")
    ap.add_argument("--method", required=True, choices=["dummy", "shared-password", "native", "native-roster"])
    ap.add_argument("--accounts", help="native-roster: the accounts.csv of `atlasod accounts`")
    ap.add_argument("--user", default="student01")
    ap.add_argument("--password-env", default="SHARED_PASSWORD")
    ap.add_argument(
        "--admin-user",
        help="shared-password and native: also log in as this admin with the value of "
        "--admin-password-env (and check another password is refused for it)",
    )
    ap.add_argument("--admin-password-env", default="ADMIN_PASSWORD")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--login-shows", help="text the login page must show (the environment's fingerprint)")
    ap.add_argument("--timeout", type=float, default=240, help="overall budget in seconds")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (hub log) for inspection")
    args = ap.parse_args()

    cfg = _hubenv.config_path(args.bundle, "hub_smoke")

    t0 = time.monotonic()
    budget_end = t0 + args.timeout

    def left(cap):
        return max(1.0, min(cap, budget_end - time.monotonic()))

    become_subreaper()
    tmp = tempfile.mkdtemp(prefix="hub-smoke-")
    state, home = os.path.join(tmp, "state"), os.path.join(tmp, "home")
    os.makedirs(state)
    os.makedirs(home)
    log_path = os.path.join(tmp, "hub.log")

    env = dict(os.environ)
    env.update(_hubenv.parse_env_args(args.env))
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    password = "anything-goes"
    admin_password = None
    if args.method == "native":
        password = "Student-" + secrets.token_urlsafe(12)
    if args.method == "shared-password":
        password = env.get(args.password_env) or secrets.token_urlsafe(18)
        env[args.password_env] = password
    if args.method in ("shared-password", "native"):
        if args.admin_user:
            admin_password = env.get(args.admin_password_env) or secrets.token_urlsafe(36)
            env[args.admin_password_env] = admin_password
    with open(cfg, encoding="utf-8") as f:
        for name in _hubenv.env_refs(f.read()):
            if name not in env and _hubenv.SECRET_NAME.search(name):
                env[name] = _hubenv.placeholder(name)

    token = secrets.token_hex(32)
    proxy_port, api_port, hub_port = free_port(), free_port(), free_port()
    while len({proxy_port, api_port, hub_port}) < 3:
        api_port, hub_port = free_port(), free_port()
    venv_bin = os.path.dirname(sys.executable)
    smoke_cfg = os.path.join(tmp, "smoke_config.py")
    with open(smoke_cfg, "w") as f:
        f.write(
            SMOKE_CONFIG.format(
                bundle_config=cfg,
                proxy_port=proxy_port,
                api_port=api_port,
                hub_port=hub_port,
                chp=find_chp(),
                state=state,
                home=home,
                singleuser=os.path.join(venv_bin, "jupyterhub-singleuser"),
                args=["--allow-root"] if os.geteuid() == 0 else [],
                token=token,
            )
        )
        if args.accounts:
            # The roster's passwords and the account state, from here instead of the compose secret.
            f.write(f"c.WorkshopNativeAuthenticator.accounts_file = {os.path.abspath(args.accounts)!r}\n")
            f.write(f"c.WorkshopNativeAuthenticator.state_file = {os.path.join(state, 'atlasod-roster.json')!r}\n")

    base = f"http://{LOOPBACK}:{proxy_port}"
    hub = Hub(base, token, args.timeout)
    logf = open(log_path, "wb")
    proc = subprocess.Popen(
        [os.path.join(venv_bin, "jupyterhub"), "-f", smoke_cfg],
        cwd=state,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=logf,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failure = None
    steps = []

    def service_errors():
        """Hub log lines showing a managed service refused (401/403) or failing."""
        text = open(log_path, errors="replace").read()
        return [
            ln
            for ln in text.splitlines()
            if re.search(r" 40[13] \S+ \S+ \((?!atlasod-smoke@)[^@() ]+@", ln) and "service" in ln.lower()
            or re.search(r"\[E [^\]]*\].*[Ss]ervice", ln)
        ]

    def step(msg):
        steps.append(msg)
        print(f"[{time.monotonic() - t0:6.1f}s] {msg}", flush=True)

    try:
        # 1. the hub answers through the proxy
        plain = requests.Session()
        plain.trust_env = False  # no proxy from the environment: loopback only
        info = wait_for("GET /hub/api", lambda: plain.get(f"{base}/hub/api", timeout=3).json(), left(90), proc)
        step(f"hub up: JupyterHub {info.get('version')} at {base}")
        text = open(log_path, errors="replace").read()
        m = re.search(r"Using Authenticator: (\S+)", text)
        auth_cls = m.group(1) if m else "?"
        want = {
            "dummy": "DummyAuthenticator",
            "shared-password": "SharedPasswordAuthenticator",
            "native": "NativeAuthenticator",
            "native-roster": "WorkshopNativeAuthenticator",
        }[args.method]
        if want not in auth_cls:
            raise SmokeFailure(f"the hub uses authenticator {auth_cls}, not {want} (--method {args.method})")
        step(f"authenticator {auth_cls}")

        if args.login_shows:
            page = plain.get(f"{base}/hub/login", timeout=30)
            if page.status_code != 200 or args.login_shows not in page.text:
                raise SmokeFailure(f"GET /hub/login (HTTP {page.status_code}) does not show {args.login_shows!r}")
            step(f"the login page shows {args.login_shows!r}")

        # 2. login through the form
        if args.method == "native-roster":
            accounts = read_accounts(args.accounts)
            roster_accounts(base, accounts, hub, left, step)
            args.user, password = accounts[0]
        if args.method == "native":
            native_accounts(base, args.user, password, args.admin_user, admin_password, hub, left, step)
        if args.method == "shared-password":
            _, bad = login(base, args.user, password + "-wrong", left(30))
            if bad.status_code == 302 or "jupyterhub-session-id" in bad.cookies and "jupyterhub-hub-login" in bad.cookies:
                raise SmokeFailure("a wrong shared password was accepted")
            step(f"wrong password refused (HTTP {bad.status_code})")
        sess, r = login(base, args.user, password, left(30))
        if r.status_code != 302 or "jupyterhub-hub-login" not in sess.cookies.get_dict():
            raise SmokeFailure(
                f"login as {args.user} failed: HTTP {r.status_code}, cookies {sorted(sess.cookies.get_dict())}"
            )
        step(f"logged in as {args.user} via the login form -> {r.headers.get('Location')}")
        r = sess.get(f"{base}/hub/home", timeout=left(30), allow_redirects=False)
        if r.status_code != 200 or args.user not in r.text:
            raise SmokeFailure(f"GET /hub/home with the login cookie: HTTP {r.status_code}")
        model = hub.user(args.user)
        step(f"user {model['name']} exists (admin={model['admin']})")
        if model["admin"]:
            raise SmokeFailure(f"{args.user} logged in with the shared user password but is an admin")
        if admin_password and args.method == "shared-password":
            _, bad = login(base, args.admin_user, password, left(30))
            if bad.status_code == 302:
                raise SmokeFailure(f"admin {args.admin_user} could log in with the (non-admin) user password")
            asess, r = login(base, args.admin_user, admin_password, left(30))
            if r.status_code != 302 or "jupyterhub-hub-login" not in asess.cookies.get_dict():
                raise SmokeFailure(f"admin login as {args.admin_user} failed: HTTP {r.status_code}")
            if not hub.user(args.admin_user)["admin"]:
                raise SmokeFailure(f"{args.admin_user} logged in with the admin password but is no admin")
            step(f"admin {args.admin_user}: user password refused, admin password accepted, admin=True")

        # 3. start, reach and stop a single-user server through the REST API
        r = hub.req("POST", f"/hub/api/users/{args.user}/server", (201, 202))
        step(f"server start requested (HTTP {r.status_code})")
        wait_for(
            "the single-user server to be ready",
            lambda: hub.user(args.user)["servers"].get("", {}).get("ready"),
            left(90),
            proc,
            interval=0.5,
        )
        step("server ready")
        st = hub.req("GET", f"/user/{args.user}/api/status", (200,)).json()
        step(f"single-user server answers through the proxy: {sorted(st)[:4]}")
        r = hub.req("DELETE", f"/hub/api/users/{args.user}/server", (202, 204))
        wait_for(
            "the server to stop",
            lambda: not hub.user(args.user)["servers"],
            left(60),
            proc,
            interval=0.5,
        )
        step(f"server stopped (HTTP {r.status_code})")

        # 4. the bundle's managed services are alive and did not fail
        services = hub.req("GET", "/hub/api/services", (200,)).json()
        for name, svc in sorted(services.items()):
            if name == "atlasod-smoke" or not svc.get("command"):
                continue
            pid = svc.get("pid") or 0
            if not pid or not os.path.exists(f"/proc/{pid}") or is_zombie(pid):
                raise SmokeFailure(f"managed service {name} is not running (pid {pid})")
            step(f"managed service {name} running (pid {pid})")
            # a service that uses the API must not be refused (its role's scopes are too narrow)
            if "cull" in name:

                def culler_listed(name=name):
                    errs = service_errors()
                    if errs:
                        raise Fatal("service errors in the hub log:\n  " + "\n  ".join(errs[:10]))
                    return re.search(
                        rf"200 GET /hub/api/users\S* \({re.escape(name)}@", open(log_path, errors="replace").read()
                    )

                wait_for(f"{name} to list users (200 GET /hub/api/users)", culler_listed, left(20), proc)
                step(f"{name} listed users with its role's scopes")
        errs = service_errors()
        if errs:
            raise SmokeFailure("service errors in the hub log:\n  " + "\n  ".join(errs[:10]))

        # 5. clean shutdown
        hub.req("POST", "/hub/api/shutdown", (202,), data=json.dumps({"servers": True, "proxy": True}))
        try:
            proc.wait(timeout=left(30))
            step(f"hub shut down (exit {proc.returncode})")
        except subprocess.TimeoutExpired:
            raise SmokeFailure("the hub did not exit within 30 s of POST /hub/api/shutdown") from None
    except SmokeFailure as e:
        failure = str(e)
    except Exception as e:  # noqa: BLE001
        failure = f"{type(e).__name__}: {e}"
    finally:
        leftovers = descendants(proc.pid) if proc.poll() is None else []
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        # everything the hub started (proxy, single-user servers, services) was re-parented to us
        kill_all(leftovers + children_of(os.getpid()))
        reap()
        logf.close()

    if failure:
        print(f"hub_smoke: FAILED: {failure}", file=sys.stderr)
        with open(log_path, errors="replace") as f:
            tail = f.read().splitlines()[-40:]
        print("---- hub log (last 40 lines) ----\n" + "\n".join(tail), file=sys.stderr)
        print(f"(full log: {log_path})" if args.keep else "", file=sys.stderr)
    else:
        print(f"hub_smoke: OK ({args.method}, {time.monotonic() - t0:.1f}s)")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
