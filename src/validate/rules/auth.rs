//! Rules for `auth` and `users.admins`: the settings each login method
//! needs, an allow-list for open services, and admin names that can log in.

use super::Rules;
use crate::diagnostic::Code;
use crate::parse::Step;
use crate::spec::AuthMethod;

impl Rules<'_> {
    pub(super) fn auth(&mut self) {
        let auth = &self.spec.auth;
        let method = auth.method;
        if method == AuthMethod::Oidc && auth.oidc.is_none() {
            let diagnostic = self
                .error(
                    Code::AuthSettings,
                    self.value(&[Step::Key("auth"), Step::Key("method")]),
                    "`method: oidc` needs an `auth.oidc` block with the provider",
                )
                .label("no `oidc` block")
                .help("add under `auth`:\n  oidc:\n    issuer: https://auth.cern.ch/auth/realms/cern\n    client_id: my-client");
            self.out.push(diagnostic);
        }
        if method != AuthMethod::Oidc && auth.oidc.is_some() {
            let diagnostic = self
                .warning(
                    Code::AuthSettings,
                    self.key(&[Step::Key("auth"), Step::Key("oidc")]),
                    format!("`auth.oidc` is ignored with `method: {}`", method.as_str()),
                )
                .label("not used")
                .help("set `method: oidc` to use it, or remove the block");
            self.out.push(diagnostic);
        }
        let groups_ok = matches!(method, AuthMethod::Github | AuthMethod::Gitlab);
        if groups_ok && auth.allowed.is_none() {
            self.open_login(method);
        }
        for (index, entry) in auth.allowed.iter().flatten().enumerate() {
            if method == AuthMethod::Gitlab && is_gitlab_subgroup(entry) {
                self.gitlab_subgroup(index, entry);
            }
            if entry.contains('/') && !groups_ok {
                let diagnostic = self
                    .error(
                        Code::AuthSettings,
                        self.value(&[Step::Key("auth"), Step::Key("allowed"), Step::Index(index)]),
                        format!("`{entry}` names an organisation or group, which only `github` and `gitlab` logins know"),
                    )
                    .label(format!("not a username for `{}`", method.as_str()))
                    .help("list usernames here, or switch to `method: github` or `gitlab` to allow a whole organisation");
                self.out.push(diagnostic);
            }
        }
    }

    /// oauthenticator 17.4.0 escapes a group's path twice before it asks GitLab
    /// whether the user is a member (`url_escape`, then `quote`: `grp/sub` reaches
    /// the API as `grp%252Fsub`, upstream jupyterhub/oauthenticator#423), so a
    /// subgroup admits nobody. A group's numeric id has nothing to escape.
    fn gitlab_subgroup(&mut self, index: usize, entry: &str) {
        let path = entry.strip_suffix("/*").unwrap_or(entry);
        let diagnostic = self
            .error(
                Code::AuthSettings,
                self.value(&[Step::Key("auth"), Step::Key("allowed"), Step::Index(index)]),
                format!("`{path}` is a GitLab subgroup, and the hub's GitLab login cannot check membership of a subgroup"),
            )
            .label("nobody in this subgroup could log in")
            .help("write the subgroup's numeric id instead, e.g. `12345/*` (GitLab shows it on the group's page: ⋮ → Copy group ID)")
            .note("oauthenticator 17.4.0 escapes the `/` of a group path twice (upstream issue jupyterhub/oauthenticator#423); top-level groups and ids work");
        self.out.push(diagnostic);
    }

    /// GitHub and GitLab are open to anyone who signs up: without an
    /// allow-list, every account there gets a server on the workshop's machine.
    fn open_login(&mut self, method: AuthMethod) {
        let (service, example) = match method {
            AuthMethod::Gitlab => ("GitLab", "my-group/*"),
            _ => ("GitHub", "my-org/*"),
        };
        let diagnostic = self
            .warning(
                Code::OpenLogin,
                self.value(&[Step::Key("auth"), Step::Key("method")]),
                format!("every {service} account can log in and start a server: there is no `auth.allowed`"),
            )
            .label("no allow-list")
            .help(format!(
                "add under `auth:` the students' usernames, or a whole organisation or group:\n  allowed: [{example}]"
            ))
            .note("anyone can sign up on the service; each login costs the workshop a server's CPU, memory and disk");
        self.out.push(diagnostic);
    }

    pub(super) fn admins(&mut self) {
        let method = self.spec.auth.method;
        let email_claim = self
            .spec
            .auth
            .oidc
            .as_ref()
            .is_some_and(|o| o.username_claim == "email");
        for (index, admin) in self.spec.users.admins.iter().enumerate() {
            let span = self.value(&[Step::Key("users"), Step::Key("admins"), Step::Index(index)]);
            let Some((label, help)) = admin_problem(method, email_claim, admin) else {
                continue;
            };
            let diagnostic = self
                .error(
                    Code::AdminNotAllowed,
                    span,
                    format!("`{admin}` cannot log in with `method: {}`", method.as_str()),
                )
                .label(label)
                .help(help);
            self.out.push(diagnostic);
        }
    }
}

/// `grp/sub` or `grp/sub/*`: a path below a top-level group (`grp/*` is the group itself).
fn is_gitlab_subgroup(entry: &str) -> bool {
    entry.strip_suffix("/*").unwrap_or(entry).contains('/')
}

/// Why an admin name cannot log in with `method`: a label and a help, or `None`.
fn admin_problem(method: AuthMethod, email_claim: bool, admin: &str) -> Option<(String, String)> {
    match method {
        AuthMethod::Github if !is_github_login(admin) => Some((
            "not a GitHub username".to_owned(),
            "write the admin's GitHub login: GitHub usernames have only letters, digits and single hyphens, at most 39 characters".to_owned(),
        )),
        AuthMethod::Oidc if email_claim && !admin.contains('@') => Some((
            "not an e-mail address".to_owned(),
            "with `username_claim: email` users log in as their e-mail address: write the admin's address, or use `username_claim: preferred_username`".to_owned(),
        )),
        AuthMethod::Native | AuthMethod::SharedPassword | AuthMethod::Dummy
            if admin.chars().any(char::is_uppercase) =>
        {
            Some((
                "has capital letters".to_owned(),
                format!(
                    "write `{}`: the hub lowercases usernames at login, so `{admin}` would never match",
                    admin.to_lowercase()
                ),
            ))
        }
        _ => None,
    }
}

pub(crate) fn is_github_login(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 39
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}
