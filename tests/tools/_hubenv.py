"""Shared helpers for the JupyterHub checks (jhub_config_check.py, hub_smoke.py).

Both scripts need JupyterHub and its plugins, which live in the hub venv made by .ci/install-tools.sh
(${ATLASOD_TOOLS:-/opt/atlasod-tools}/venvs/hub).  `reexec_in_hub_venv()` restarts the calling script
with that venv's interpreter when the current one cannot import them, so the scripts can be started
with any python3.
"""

import os
import re
import sys

TOOLS = os.environ.get("ATLASOD_TOOLS", "/opt/atlasod-tools")
HUB_VENV = os.path.join(TOOLS, "venvs", "hub")
_GUARD = "_ATLASOD_HUB_REEXEC"


def reexec_in_hub_venv(script):
    try:
        import dockerspawner  # noqa: F401
        import jupyterhub  # noqa: F401

        return
    except ImportError:
        pass
    py = os.path.join(HUB_VENV, "bin", "python")
    if os.environ.get(_GUARD) or not os.path.exists(py):
        sys.exit(
            f"{os.path.basename(script)}: cannot import jupyterhub/dockerspawner and no hub venv at "
            f"{HUB_VENV} (run .ci/install-tools.sh or set ATLASOD_TOOLS)"
        )
    os.environ[_GUARD] = "1"
    os.execv(py, [py, os.path.abspath(script), *sys.argv[1:]])


# names of environment variables a config reads: os.environ["X"], os.environ.get("X"), os.getenv("X"),
# and helper calls such as require_env("X") / env("X")
_ENV_REF = re.compile(
    r"""(?:environ\s*\[\s*|environ\.get\(\s*|getenv\(\s*|\b[a-z_]*env\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|CLIENT_ID|API_KEY|CRYPT_KEY)", re.I)


def env_refs(config_text):
    """Environment variable names referenced by a config file's text (order kept, no duplicates)."""
    return list(dict.fromkeys(_ENV_REF.findall(config_text)))


def placeholder(name):
    """A deterministic placeholder secret: >= 32 chars (SharedPasswordAuthenticator.admin_password
    needs 32) and different for every variable (user_password must differ from admin_password)."""
    return f"placeholder-{name.lower()}-0123456789abcdef0123456789abcdef"


def parse_env_args(pairs):
    out = {}
    for item in pairs or []:
        if "=" not in item:
            sys.exit(f"--env expects NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        out[k] = v
    return out


def config_path(bundle, tool):
    """The jupyterhub_config.py of `bundle` (the file itself or the folder holding it).

    Exits with status 2, naming `tool`, when there is no such file.
    """
    cfg = os.path.abspath(bundle)
    if os.path.isdir(cfg):
        cfg = os.path.join(cfg, "jupyterhub_config.py")
    if not os.path.isfile(cfg):
        print(f"{tool}: no such file: {cfg}", file=sys.stderr)
        sys.exit(2)
    return cfg
