# Accounts no stranger can claim. NativeAuthenticator approves, at sign-up, any name in
# `admin_users`: whoever signs up first with an admin's name would become that admin. So each
# admin account is created here, approved, when the hub starts (before it answers a request),
# with the password ADMIN_PASSWORD; the admin changes it at /hub/change-password. An account
# that already exists is left as it is (its password may have been changed since).
#
# With a roster (`users.roster` or `users.pattern`), every roster account is created the same
# way, approved, with its password from `accounts_file` (written by `atlasod accounts`, outside
# the bundle). A password rotated there (`atlasod accounts --rotate`) replaces the account's at
# the next start; the state file remembers a digest of the password each account was given, so
# a password a student changed is kept until the trainer rotates it. An account that left the
# roster is locked (no longer approved); JupyterHub's `delete_invalid_users` drops its hub user.
# Its home volume is kept.
import csv
import hashlib
import json
import os

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from traitlets import List, Unicode


class WorkshopNativeAuthenticator(NativeAuthenticator):
    """NativeAuthenticator whose admin and roster accounts exist from the hub's first start."""

    admin_password = Unicode(config=True, help="The first password of every admin account.")
    roster = List(Unicode(), config=True, help="The usernames of the roster's accounts.")
    accounts_file = Unicode("", config=True, help="`username,password` CSV of the roster's passwords.")
    state_file = Unicode(
        "/srv/jupyterhub/data/atlasod-roster.json",
        config=True,
        help="Which accounts this class created, with a digest of the password each was given.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        roster = [self.normalize_username(n) for n in self.roster]
        for name in sorted(self.normalize_username(n) for n in self.admin_users):
            if name in roster:
                continue
            if self.get_user(name) is None:
                self._create(name, self.admin_password)
                self.log.info("atlasod: created the admin account %s", name)
        if self.roster:
            self._sync_roster(roster)
        self.db.commit()

    def _create(self, name, password):
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
        self.db.add(UserInfo(username=name, password=hashed, is_authorized=True))

    def _sync_roster(self, roster):
        given = self._passwords()  # username -> password
        missing = [n for n in roster if n not in given]
        if missing:
            raise SystemExit(
                f"atlasod: {self.accounts_file} has no password for {', '.join(missing)}; "
                "run `atlasod accounts` for this workshop, then start the hub again"
            )
        state = self._state()
        for name in roster:
            digest = hashlib.sha256(given[name].encode()).hexdigest()
            user = self.get_user(name)
            if user is None:
                self._create(name, given[name])
                self.log.info("atlasod: created the roster account %s", name)
            elif state.get(name) != digest:
                user.password = bcrypt.hashpw(given[name].encode(), bcrypt.gensalt())
                self.log.info("atlasod: set the new password of %s", name)
            if user is not None and not user.is_authorized:
                user.is_authorized = True
                self.log.info("atlasod: %s is on the roster again", name)
            state[name] = digest
        for name in sorted(set(state) - set(roster)):
            user = self.get_user(name)
            if user is not None and user.is_authorized:
                user.is_authorized = False
                self.log.info("atlasod: locked %s, no longer on the roster (the home is kept)", name)
            del state[name]
        self.db.commit()
        tmp = self.state_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state, f, sort_keys=True)
        os.replace(tmp, self.state_file)

    def _passwords(self):
        try:
            with open(self.accounts_file, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(line for line in f if not line.startswith("#")))
        except OSError as error:
            raise SystemExit(
                f"atlasod: cannot read the roster's passwords ({error}); "
                "run `atlasod accounts` for this workshop, then start the hub again"
            ) from None
        return {self.normalize_username(r[0]): r[1] for r in rows[1:] if len(r) >= 2}

    def _state(self):
        try:
            with open(self.state_file, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return {}


c.JupyterHub.authenticator_class = WorkshopNativeAuthenticator  # noqa: F821 (c: the hub's config)
