#!/usr/bin/env python3
"""Check a generated jupyterhub_config.py with JupyterHub's own machinery, without Docker.

usage: jhub_config_check.py BUNDLE_DIR|CONFIG_FILE [--env NAME=VALUE ...] [--strict]
                            [--allow-warning REGEX ...] [--user NAME] [--no-dry-spawn] [--quiet]
                            [--timeout SECONDS]

What it does, in a throw-away working directory:
 1. Runs JupyterHub's real `initialize()` exactly as `jupyterhub -f CONFIG` would (config file loaded by
    `load_config_file`, then db, proxy object, roles, users, groups, services, tokens), with only the
    state paths moved into the temp dir on the command line (db_url, cookie_secret_file, pid_file).
    This instantiates the JupyterHub app, the configured Authenticator (and runs its
    `check_allow_config()`), the Proxy class, the roles (scopes are validated) and the services.
 2. Creates a test user and instantiates the configured Spawner for it through the hub (`user.spawners`).
 3. Unless --no-dry-spawn: runs the real `user.spawn()`/`user.stop()` with the Docker API replaced by a
    recorder (DockerSpawner only; nothing contacts a Docker engine or the network), and prints the
    container it would create (image, network, binds, limits), so volume templates, limits and
    extra_host_config are passed through docker-py's own HostConfig validation.
 4. Fails (exit 1) on: any exception; any "Config option `X` not recognized by `Y`"; any deprecation
    warning about a config option; JupyterHub 5's "No allow config found"; any ERROR log record;
    a config section naming a class that is not loaded (typo) -- and with --strict on every other
    WARNING record and on sections of loaded classes that this hub does not use.

Environment variables that the config reads and that look like secrets (..SECRET, ..PASSWORD,
..TOKEN, ..CLIENT_ID, ..) get deterministic placeholders when unset; pass real ones with --env.
Exit codes: 0 ok, 1 problems found, 2 usage error.
"""

import argparse
import asyncio
import logging
import os
import re
import signal
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _hubenv  # noqa: E402

_hubenv.reexec_in_hub_venv(__file__)

FATAL_PATTERNS = [
    re.compile(r"Config option `[^`]+` not recognized by `[^`]+`"),
    # deprecated config options: "DockerSpawner.x is deprecated in DockerSpawner 0.9, use ..",
    # "GenericOAuthenticator.claim_groups_key is deprecated since OAuthenticator 17.0", traitlets' own
    re.compile(r"\b[A-Z]\w*\.\w+`? (is|was) deprecated"),
    re.compile(r"No allow config found"),
]

# warnings that are expected for a given configuration and never fatal, even with --strict
BENIGN_PATTERNS = [
    # DummyAuthenticator.check_allow_config always says so; the dummy variant is for tests only
    re.compile(r"Using testing authenticator DummyAuthenticator"),
    # NativeAuthenticator 1.3 itself uses the hub's db session; no config can change that
    re.compile(r"The shared database session at Authenticator.db is deprecated"),
]


class ConfigStopped(Exception):
    """The config file (or JupyterHub while loading it) called sys.exit()."""


class Capture:
    """Collects WARNING+ records from every logger, by wrapping Logger.handle: traitlets' Application
    loggers do not propagate to the root logger, and a logging.Handler would be closed by the
    logging.config.dictConfig() call in Application._configure_logging."""

    def __init__(self, passthrough=True):
        self.records = []
        self._orig = logging.Logger.handle
        cap = self

        def handle(logger, record):
            if record.levelno >= logging.WARNING:
                cap.records.append(record)
            if passthrough:
                return cap._orig(logger, record)
            return None

        logging.Logger.handle = handle

    def close(self):
        logging.Logger.handle = self._orig


def all_configurable_names():
    from traitlets.config.configurable import Configurable

    seen, stack = set(), [Configurable]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return {c.__name__ for c in seen} | {"Configurable"}


def mro_names(obj):
    return {k.__name__ for k in type(obj).__mro__}


class FakeDocker:
    """Stands in for DockerSpawner.docker(): records calls, answers like a Docker engine would."""

    def __init__(self, network):
        self.network = network
        self.calls = []
        self.created = None
        self.running = False

    def _not_found(self, what):
        import docker.errors
        import requests

        resp = requests.Response()
        resp.status_code = 404
        return docker.errors.NotFound(f"{what} not found (dry run)", response=resp)

    async def __call__(self, method, *args, **kwargs):
        self.calls.append((method, args, kwargs))
        if method == "inspect_image":
            return {"Id": "sha256:" + "0" * 64, "Config": {"Cmd": ["start-notebook.py"]}}
        if method == "inspect_container":
            if self.created is None:
                raise self._not_found("container")
            return {
                "Id": "f" * 64,
                "State": {"Running": self.running, "ExitCode": 0, "Error": "", "FinishedAt": ""},
                "Config": {"Env": self.created.get("environment", [])},
                "NetworkSettings": {"Networks": {self.network: {"IPAddress": "192.0.2.10"}}},
            }
        if method == "create_container":
            self.created = kwargs
            return {"Id": "f" * 64}
        if method == "start":
            self.running = True
            return None
        if method in ("stop", "kill"):
            self.running = False
            return None
        if method in ("remove_container", "create_volume", "pull"):
            return None
        raise RuntimeError(f"dry run: unexpected Docker API call {method}{args}")


async def dry_spawn(app, user, out):
    """user.spawn() + user.stop() with DockerSpawner's Docker API faked. Returns create kwargs."""
    import docker
    from jupyterhub import objects

    spawner = user.spawners[""]
    # an APIClient with a fixed API version never talks to the engine at construction;
    # create_host_config() is then pure docker-py validation
    type(spawner)._client = docker.APIClient(
        base_url="unix:///nonexistent/atlasod-dry-run.sock", version="1.45"
    )
    fake = FakeDocker(spawner.network_name)
    spawner.docker = fake

    class _Resp:  # what a single-user server's /api answer looks like to the hub
        headers = {"X-JupyterHub-Version": __import__("jupyterhub").__version__}

    async def no_wait_up(self, *a, **k):  # the container does not exist: do not poll it
        return _Resp()

    orig_wait_up = objects.Server.wait_up
    objects.Server.wait_up = no_wait_up
    try:
        await asyncio.wait_for(user.spawn(""), 60)
        if fake.created is None:
            raise RuntimeError("dry run: the spawner never created a container")
        await asyncio.wait_for(user.stop(""), 60)
    finally:
        objects.Server.wait_up = orig_wait_up
    return fake


def summarize_container(kw, out):
    hc = kw.get("host_config", {})
    out(f"  image        {kw.get('image')}")
    out(f"  name         {kw.get('name')}")
    out(f"  network_mode {hc.get('NetworkMode')}")
    for b in hc.get("Binds", []) or []:
        out(f"  bind         {b}")
    for key in ("Memory", "MemoryReservation", "NanoCpus", "CpuQuota", "CpuPeriod", "AutoRemove"):
        if key in hc:
            out(f"  {key:<12} {hc[key]}")
    env = kw.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    out(f"  env          {', '.join(sorted(env))}")
    for k in ("JUPYTERHUB_API_URL", "JUPYTERHUB_ACTIVITY_URL", "JUPYTERHUB_DEFAULT_URL", "JUPYTERHUB_SERVICE_URL"):
        if k in env:
            out(f"  env          {k}={env[k]}")
    out(f"  command      {kw.get('command')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bundle", help="bundle directory holding jupyterhub_config.py, or the file itself")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--strict", action="store_true", help="every WARNING record is fatal")
    ap.add_argument("--allow-warning", action="append", default=[], metavar="REGEX")
    ap.add_argument("--user", default="atlasod-check", help="test user to spawn for (default %(default)s)")
    ap.add_argument("--no-dry-spawn", action="store_true")
    ap.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    ap.add_argument("--timeout", type=int, default=300, help="give up after this many seconds")
    args = ap.parse_args()

    def on_alarm(signum, frame):
        raise TimeoutError(f"jhub_config_check did not finish within {args.timeout} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(args.timeout)

    cfg = _hubenv.config_path(args.bundle, "jhub_config_check")
    out = (lambda *a: None) if args.quiet else print

    # environment: explicit --env, then placeholders for unset secret-like variables the config reads
    os.environ.update(_hubenv.parse_env_args(args.env))
    with open(cfg, encoding="utf-8") as f:
        text = f.read()
    placeheld = []
    for name in _hubenv.env_refs(text):
        if name not in os.environ and _hubenv.SECRET_NAME.search(name):
            os.environ[name] = _hubenv.placeholder(name)
            placeheld.append(name)
    if placeheld:
        out(f"placeholder values for: {', '.join(placeheld)}")

    problems = []
    allow = [re.compile(r) for r in args.allow_warning] + BENIGN_PATTERNS
    tmp = tempfile.TemporaryDirectory(prefix="jhub-check-")
    os.chdir(tmp.name)
    cap = Capture(passthrough=not args.quiet)
    warnings.simplefilter("always")
    logging.captureWarnings(False)
    app = None
    summary = {}
    with warnings.catch_warnings(record=True) as pywarn:
        warnings.simplefilter("always")
        try:
            from jupyterhub import orm
            from jupyterhub.app import JupyterHub

            app = JupyterHub()
            argv = [
                "-f",
                cfg,
                f"--JupyterHub.db_url=sqlite:///{tmp.name}/jupyterhub.sqlite",
                f"--JupyterHub.cookie_secret_file={tmp.name}/jupyterhub_cookie_secret",
                f"--JupyterHub.pid_file={tmp.name}/jupyterhub.pid",
                "--log-level=WARN",
            ]

            async def run():
                try:
                    # not wrapped in wait_for: that would run it in a task, and a SystemExit from the
                    # config inside a task upsets asyncio; the whole check is bounded by --timeout
                    await app.initialize(argv)
                except SystemExit as e:  # keep SystemExit from escaping asyncio.run's task
                    raise ConfigStopped(e.code) from None
                summary["authenticator"] = type(app.authenticator)
                summary["proxy"] = type(app.proxy)
                summary["spawner_class"] = app.spawner_class
                summary["services"] = [s.name for s in app.db.query(orm.Service)]
                summary["roles"] = {r.name: sorted(r.scopes) for r in app.db.query(orm.Role)}
                orm_user = orm.User(name=args.user)
                app.db.add(orm_user)
                app.db.commit()
                user = app.users[orm_user]
                spawner = user.spawners[""]
                summary["spawner"] = spawner
                # exercise the parts of the spawner that only read config
                spawner.get_args()
                spawner.template_namespace()
                if hasattr(spawner, "volume_binds"):
                    summary["binds"] = spawner.volume_binds
                if not args.no_dry_spawn and "DockerSpawner" in mro_names(spawner):
                    summary["dry"] = await dry_spawn(app, user, out)

            asyncio.run(run())
        except (SystemExit, ConfigStopped) as e:
            problems.append(f"the config stopped the hub: {e.args[0] if e.args else e}")
        except BaseException as e:  # noqa: BLE001 -- report anything, including KeyboardInterrupt
            import traceback

            tb = traceback.format_exc(limit=-6)
            problems.append(f"exception: {type(e).__name__}: {e}\n{tb}")
    cap.close()

    # classify log records
    for rec in cap.records:
        try:
            msg = rec.getMessage()
        except Exception:  # noqa: BLE001
            msg = str(rec.msg)
        where = f"[{rec.name}] {rec.levelname}: {' '.join(msg.split())}"
        if any(p.search(msg) for p in allow):
            out(f"ok (expected): {where}")
        elif rec.levelno >= logging.ERROR or any(p.search(msg) for p in FATAL_PATTERNS):
            problems.append(where)
        elif args.strict:
            problems.append(where)
        else:
            out(f"warning (not fatal without --strict): {where}")
    for w in pywarn:
        msg = str(w.message)
        if any(p.search(msg) for p in FATAL_PATTERNS[:1]):
            problems.append(f"{w.category.__name__}: {msg}")

    # config sections: every section must name a loaded Configurable class; with --strict it must
    # also be one this hub uses
    if app is not None and "spawner" in summary:
        known = all_configurable_names()
        used = set().union(*(mro_names(o) for o in (app, app.authenticator, app.proxy, summary["spawner"])))
        used |= {"CryptKeeper", "Application", "SingletonConfigurable", "LoggingConfigurable"}
        for section in app.config:
            if not section[:1].isupper():
                continue
            if section not in known:
                problems.append(
                    f"config section `c.{section}` names no loaded Configurable class (typo or missing package?)"
                )
            elif section not in used:
                msg = f"config section `c.{section}` is not used by this hub (its classes: {', '.join(sorted(used - {'Configurable', 'HasTraits', 'HasDescriptors', 'object'}))[:200]}...)"
                (problems.append if args.strict else out)(msg)

    if summary:
        out(f"config:        {cfg}")
        for key in ("authenticator", "proxy"):
            if key in summary:
                k = summary[key]
                out(f"{key + ':':<14} {k.__module__}.{k.__name__}")
        if "spawner" in summary:
            k = type(summary["spawner"])
            out(f"spawner:       {k.__module__}.{k.__name__}")
        if summary.get("services"):
            out(f"services:      {', '.join(summary['services'])}")
        for name, scopes in sorted(summary.get("roles", {}).items()):
            if name not in ("admin", "user", "server", "token"):
                out(f"role {name}: {', '.join(scopes)}")
        if "dry" in summary:
            calls = [c[0] for c in summary["dry"].calls]
            out(f"dry-run docker calls: {' '.join(calls)}")
            summarize_container(summary["dry"].created, out)
    try:
        tmp.cleanup()
    except OSError:
        pass
    if problems:
        print(f"jhub_config_check: {len(problems)} problem(s) in {cfg}:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    out("jhub_config_check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
