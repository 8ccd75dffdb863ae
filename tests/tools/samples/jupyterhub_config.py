# jupyterhub_config.py -- reference shape of the file atlasod generates for the docker-compose bundle.
#
# Runs inside the hub container (quay.io/jupyterhub/jupyterhub:5.x + dockerspawner + authenticators),
# which is attached to the compose network NETWORK_NAME and mounts /var/run/docker.sock and the
# hub-data volume on DATA_DIR.  JupyterHub 5.x (checked with 5.5.4); DockerSpawner 14, OAuthenticator 17,
# NativeAuthenticator 1.3, jupyterhub-idle-culler 2.0.
#
# Secrets never appear in this file: they are read from environment variables (the compose `env_file`),
# and the hub refuses to start, naming the variable, when one is missing.
#
# This sample is checked by tests/tools/jhub_config_check.py (every AUTHENTICATOR value) and started for
# real by tests/tools/hub_smoke.py (dummy, shared-password).
import os
import sys

c = get_config()  # noqa: F821  (injected by JupyterHub's config loader)

# ---------------------------------------------------------------------------------------------------
# Workshop settings (atlasod writes literals here; the sample lets the test pick the authenticator
# through ATLASOD_AUTHENTICATOR so one file covers every variant).
# ---------------------------------------------------------------------------------------------------
AUTHENTICATOR = os.environ.get("ATLASOD_AUTHENTICATOR", "shared-password")
# one of: dummy | shared-password | native | github | gitlab | oidc
PUBLIC_URL = "https://hub.example.org"  # Caddy terminates TLS for this name
NETWORK_NAME = "atlasod-net"  # must equal `networks.<net>.name` in compose.yaml
HUB_CONTAINER = "atlasod-hub"  # the hub's container_name / DNS name on NETWORK_NAME
DATA_DIR = "/srv/jupyterhub/data"  # named volume: sqlite db + cookie secret
SINGLEUSER_IMAGE = "ghcr.io/atlas-outreach-data-tools/notebooks-collection-opendata:latest"
ADMIN_USERS = {"trainer"}
ALLOWED_USERS = set()  # empty: anyone who can log in (allow_all); else only these names
DATASETS = {  # named volume (filled by the one-shot fetcher) -> read-only mount point
    "atlasod-data-4lep": "/home/jovyan/data/4lep",
    "atlasod-data-gamgam": "/home/jovyan/data/GamGam",
}
MAX_USERS = 30
IDLE_TIMEOUT_SECONDS = 3600


def require_env(name):
    """Value of a required environment variable; stop the hub with a clear message when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        # SystemExit passes through the config loader: `jupyterhub` prints this line and exits 1
        raise SystemExit(
            f"atlasod: environment variable {name} is not set; put it in the bundle's .env file "
            f"(authenticator {AUTHENTICATOR!r} needs it)"
        )
    return value


# ---------------------------------------------------------------------------------------------------
# Hub and proxy networking
# ---------------------------------------------------------------------------------------------------
c.JupyterHub.bind_url = "http://0.0.0.0:8000"  # public proxy port; Caddy reverse-proxies to it
c.JupyterHub.hub_ip = "0.0.0.0"  # hub API listens on every interface of the hub container ...
c.JupyterHub.hub_port = 8080
c.JupyterHub.hub_connect_ip = HUB_CONTAINER  # ... and user containers reach it by container name
c.JupyterHub.db_url = f"sqlite:///{DATA_DIR}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{DATA_DIR}/jupyterhub_cookie_secret"  # created on first start
c.JupyterHub.concurrent_spawn_limit = 10  # image pulls / starts at once
c.JupyterHub.active_server_limit = MAX_USERS  # running single-user servers at once
c.JupyterHub.cleanup_servers = False  # a hub restart leaves running user containers alone

# ---------------------------------------------------------------------------------------------------
# Spawner: one container per user, on the compose network
# ---------------------------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = SINGLEUSER_IMAGE
c.DockerSpawner.pull_policy = "ifnotpresent"
c.DockerSpawner.network_name = NETWORK_NAME
c.DockerSpawner.use_internal_ip = True  # talk to containers on NETWORK_NAME, publish no host ports
c.DockerSpawner.remove = True  # containers are disposable; user files live in the volume below
c.DockerSpawner.notebook_dir = "/home/jovyan"
c.DockerSpawner.volumes = {"jupyterhub-user-{username}": "/home/jovyan/work"}
c.DockerSpawner.read_only_volumes = dict(DATASETS)
# escape usernames (e.g. e-mail style OIDC names) so volume names stay [a-zA-Z0-9_.-]; the trait
# wants the callable itself, not its dotted name
from dockerspawner.volumenamingstrategy import escaped_format_volume_name  # noqa: E402

c.DockerSpawner.format_volume_name = escaped_format_volume_name
c.DockerSpawner.mem_limit = "2G"
c.DockerSpawner.cpu_limit = 1.0
# Spawner.mem_guarantee/cpu_guarantee are recognized but DockerSpawner does not enforce them (it only
# exports MEM_GUARANTEE/CPU_GUARANTEE to the container); the docker-level reservation is set explicitly.
c.DockerSpawner.mem_guarantee = "1G"
c.DockerSpawner.cpu_guarantee = 0.5
c.DockerSpawner.extra_host_config = {"mem_reservation": "1G"}
c.DockerSpawner.environment = {"ATLAS_DATA_DIR": "/home/jovyan/data"}
c.DockerSpawner.start_timeout = 600  # first start pulls a multi-GB image
c.DockerSpawner.http_timeout = 120
c.Spawner.default_url = "/lab"

# ---------------------------------------------------------------------------------------------------
# Authentication (JupyterHub 5: nobody is allowed unless an allow rule says so)
# ---------------------------------------------------------------------------------------------------
c.Authenticator.admin_users = set(ADMIN_USERS)
if ALLOWED_USERS:
    c.Authenticator.allowed_users = set(ALLOWED_USERS)
else:
    c.Authenticator.allow_all = True

if AUTHENTICATOR == "dummy":
    # testing only: any username, any password (the hub logs a warning saying so)
    c.JupyterHub.authenticator_class = "dummy"
elif AUTHENTICATOR == "shared-password":
    # JupyterHub >= 5.3: one workshop password (>= 8 chars) for every non-admin user; names in
    # admin_users can only log in with admin_password (>= 32 chars, different from user_password)
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = require_env("SHARED_PASSWORD")
    c.SharedPasswordAuthenticator.admin_password = require_env("ADMIN_PASSWORD")
elif AUTHENTICATOR == "native":
    # sign-up form at /hub/signup; an admin approves each account at /hub/authorize
    c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
    c.NativeAuthenticator.enable_signup = True
    c.NativeAuthenticator.open_signup = False
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 300
    # the native templates must be found by the hub
    import nativeauthenticator

    c.JupyterHub.template_paths = [f"{os.path.dirname(nativeauthenticator.__file__)}/templates/"]
elif AUTHENTICATOR == "github":
    c.JupyterHub.authenticator_class = "oauthenticator.github.GitHubOAuthenticator"
    c.GitHubOAuthenticator.client_id = require_env("OAUTH_CLIENT_ID")
    c.GitHubOAuthenticator.client_secret = require_env("OAUTH_CLIENT_SECRET")
    c.GitHubOAuthenticator.oauth_callback_url = f"{PUBLIC_URL}/hub/oauth_callback"
    # c.GitHubOAuthenticator.allowed_organizations = {"my-org", "my-org:my-team"}
    c.GitHubOAuthenticator.scope = ["read:user"]
elif AUTHENTICATOR == "gitlab":
    c.JupyterHub.authenticator_class = "oauthenticator.gitlab.GitLabOAuthenticator"
    c.GitLabOAuthenticator.gitlab_url = "https://gitlab.cern.ch"
    c.GitLabOAuthenticator.client_id = require_env("OAUTH_CLIENT_ID")
    c.GitLabOAuthenticator.client_secret = require_env("OAUTH_CLIENT_SECRET")
    c.GitLabOAuthenticator.oauth_callback_url = f"{PUBLIC_URL}/hub/oauth_callback"
    # c.GitLabOAuthenticator.allowed_gitlab_groups = {"my-group"}
    c.GitLabOAuthenticator.scope = ["read_user"]
elif AUTHENTICATOR == "oidc":
    # CERN SSO (Keycloak), issuer https://auth.cern.ch/auth/realms/cern
    issuer = "https://auth.cern.ch/auth/realms/cern"
    c.JupyterHub.authenticator_class = "oauthenticator.generic.GenericOAuthenticator"
    c.GenericOAuthenticator.login_service = "CERN SSO"
    c.GenericOAuthenticator.client_id = require_env("OAUTH_CLIENT_ID")
    c.GenericOAuthenticator.client_secret = require_env("OAUTH_CLIENT_SECRET")
    c.GenericOAuthenticator.oauth_callback_url = f"{PUBLIC_URL}/hub/oauth_callback"
    c.GenericOAuthenticator.authorize_url = f"{issuer}/protocol/openid-connect/auth"
    c.GenericOAuthenticator.token_url = f"{issuer}/protocol/openid-connect/token"
    c.GenericOAuthenticator.userdata_url = f"{issuer}/protocol/openid-connect/userinfo"
    c.GenericOAuthenticator.username_claim = "preferred_username"
    c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
else:
    raise SystemExit(f"atlasod: unknown authenticator {AUTHENTICATOR!r}")

# ---------------------------------------------------------------------------------------------------
# Idle culler: a hub-managed service with only the scopes it needs
# ---------------------------------------------------------------------------------------------------
c.JupyterHub.load_roles = [
    {
        "name": "jupyterhub-idle-culler-role",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["jupyterhub-idle-culler-service"],
    }
]
c.JupyterHub.services = [
    {
        "name": "jupyterhub-idle-culler-service",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE_TIMEOUT_SECONDS}",
            "--cull-every=300",
        ],
    }
]
