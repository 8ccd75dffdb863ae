# BROKEN on purpose: JupyterHub 5 with no allow rule (no allow_all, allowed_users, groups...): nobody
# but admins can log in.  jhub_config_check fails on "No allow config found"; hub_smoke's login fails.
import os

c = get_config()  # noqa: F821
load_subconfig(os.path.join(os.path.dirname(__file__), "..", "..", "jupyterhub_config.py"))  # noqa: F821
c.Authenticator.allow_all = False
