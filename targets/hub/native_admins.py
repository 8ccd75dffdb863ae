# Admin accounts no stranger can claim. NativeAuthenticator approves, at sign-up, any name in
# `admin_users`: whoever signs up first with an admin's name would become that admin. So each
# admin account is created here, approved, when the hub starts (before it answers a request),
# with the password ADMIN_PASSWORD; the admin changes it at /hub/change-password. An account
# that already exists is left as it is (its password may have been changed since).
import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from traitlets import Unicode


class WorkshopNativeAuthenticator(NativeAuthenticator):
    """NativeAuthenticator whose admin accounts exist from the hub's first start."""

    admin_password = Unicode(config=True, help="The first password of every admin account.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in sorted(self.normalize_username(n) for n in self.admin_users):
            if self.get_user(name) is None:
                hashed = bcrypt.hashpw(self.admin_password.encode(), bcrypt.gensalt())
                self.db.add(UserInfo(username=name, password=hashed, is_authorized=True))
                self.log.info("atlasod: created the admin account %s", name)
        self.db.commit()


c.JupyterHub.authenticator_class = WorkshopNativeAuthenticator  # noqa: F821 (c: the hub's config)
