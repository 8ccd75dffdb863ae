//! The hub's settings under Zero to JupyterHub's `hub.config`, and the
//! secrets Terraform passes beside them.
//!
//! Input: the plan's auth, users and TLS. Output: `Class → trait → value`
//! (written under `hub.config`) and the secret traits, each with the
//! Terraform variable that holds it. Spawner limits and the culler are not
//! here: the chart has its own keys for them (`singleuser.*`, `cull.*`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::plan::Plan;
use crate::spec::AuthMethod;

/// A trait whose value is a secret: set by Terraform with `set_sensitive`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretTrait {
    pub class: String,
    pub name: String,
    /// The Terraform variable that holds it.
    pub variable: String,
    pub description: String,
    pub min_length: usize,
    pub sensitive: bool,
}

impl SecretTrait {
    /// The chart value path, e.g. `hub.config.GitHubOAuthenticator.client_secret`.
    pub fn path(&self) -> String {
        format!("hub.config.{}.{}", self.class, self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubSettings {
    pub traits: BTreeMap<String, BTreeMap<String, Value>>,
    /// `Class.trait` → a one-line reason, written as a comment.
    pub comments: BTreeMap<String, String>,
    pub secrets: Vec<SecretTrait>,
    /// NativeAuthenticator needs its templates on the hub's template path.
    pub native_templates: bool,
}

impl HubSettings {
    fn set(&mut self, class: &str, name: &str, value: Value) {
        self.traits
            .entry(class.to_owned())
            .or_default()
            .insert(name.to_owned(), value);
    }

    fn note(&mut self, class: &str, name: &str, comment: &str) {
        self.comments
            .insert(format!("{class}.{name}"), comment.to_owned());
    }

    fn secret(&mut self, class: &str, name: &str, variable: &str, description: &str, min: usize) {
        self.secrets.push(SecretTrait {
            class: class.to_owned(),
            name: name.to_owned(),
            variable: variable.to_owned(),
            description: description.to_owned(),
            min_length: min,
            sensitive: true,
        });
    }

    fn setting(&mut self, class: &str, name: &str, variable: &str, description: &str) {
        self.secrets.push(SecretTrait {
            class: class.to_owned(),
            name: name.to_owned(),
            variable: variable.to_owned(),
            description: description.to_owned(),
            min_length: 1,
            sensitive: false,
        });
    }
}

/// The OAuthenticator class of an OAuth method: (short name, import path).
fn oauth_class(method: AuthMethod) -> Option<(&'static str, &'static str)> {
    match method {
        AuthMethod::Github => Some((
            "GitHubOAuthenticator",
            "oauthenticator.github.GitHubOAuthenticator",
        )),
        AuthMethod::Gitlab => Some((
            "GitLabOAuthenticator",
            "oauthenticator.gitlab.GitLabOAuthenticator",
        )),
        AuthMethod::Oidc => Some((
            "GenericOAuthenticator",
            "oauthenticator.generic.GenericOAuthenticator",
        )),
        AuthMethod::Native | AuthMethod::SharedPassword | AuthMethod::Dummy => None,
    }
}

/// The hub settings for `plan`; `public_url` is `https://<domain>` when known.
pub fn settings(plan: &Plan) -> HubSettings {
    let mut s = HubSettings::default();
    let auth = &plan.auth;
    let method = auth.method;
    let class = match method {
        AuthMethod::Native => "nativeauthenticator.NativeAuthenticator",
        AuthMethod::SharedPassword => "shared-password",
        AuthMethod::Dummy => "dummy",
        AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc => {
            oauth_class(method).map_or("", |(_, path)| path)
        }
    };
    s.set("JupyterHub", "authenticator_class", json!(class));
    if !plan.users.admins.is_empty() {
        s.set("Authenticator", "admin_users", json!(plan.users.admins));
    }
    if auth.allowed_users.is_empty() && auth.allowed_groups.is_empty() {
        s.set("Authenticator", "allow_all", json!(true));
        s.note(
            "Authenticator",
            "allow_all",
            match method {
                AuthMethod::Native => "anyone an admin approves (sign-up needs approval)",
                AuthMethod::SharedPassword => "anyone who knows the workshop password",
                AuthMethod::Dummy => "anyone: no password at all",
                AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc => {
                    "every account of the provider: `auth.allowed` is not set"
                }
            },
        );
    } else if !auth.allowed_users.is_empty() {
        s.set("Authenticator", "allowed_users", json!(auth.allowed_users));
    }
    match method {
        AuthMethod::Native => {
            s.native_templates = true;
            s.set("NativeAuthenticator", "open_signup", json!(false));
            s.note(
                "NativeAuthenticator",
                "open_signup",
                "sign-ups wait for an admin's approval at /hub/authorize",
            );
        }
        AuthMethod::SharedPassword => {
            s.secret(
                "SharedPasswordAuthenticator",
                "user_password",
                "shared_password",
                "The workshop password every student logs in with (at least 8 characters).",
                8,
            );
            if !plan.users.admins.is_empty() {
                s.secret(
                    "SharedPasswordAuthenticator",
                    "admin_password",
                    "admin_password",
                    "The password of the admins in `users.admins` (at least 32 characters, JupyterHub's rule).",
                    32,
                );
            }
        }
        AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc => oauth(&mut s, plan),
        AuthMethod::Dummy => {}
    }
    s
}

fn oauth(s: &mut HubSettings, plan: &Plan) {
    let auth = &plan.auth;
    let Some((class, _)) = oauth_class(auth.method) else {
        return;
    };
    if let Some(domain) = &plan.tls.domain {
        s.set(
            class,
            "oauth_callback_url",
            json!(format!("https://{domain}/hub/oauth_callback")),
        );
    }
    s.secret(
        class,
        "client_secret",
        "oauth_client_secret",
        "The OAuth client secret from the provider's app registration.",
        1,
    );
    match auth.method {
        AuthMethod::Github => {
            s.setting(
                class,
                "client_id",
                "oauth_client_id",
                "The client id of the GitHub OAuth app.",
            );
            if !auth.allowed_groups.is_empty() {
                let orgs: Vec<String> = auth
                    .allowed_groups
                    .iter()
                    .map(|g| {
                        g.strip_suffix("/*")
                            .map_or_else(|| g.replacen('/', ":", 1), str::to_owned)
                    })
                    .collect();
                s.set(class, "allowed_organizations", json!(orgs));
                s.set(class, "scope", json!(["read:org"]));
            }
        }
        AuthMethod::Gitlab => {
            s.setting(
                class,
                "client_id",
                "oauth_client_id",
                "The application id of the GitLab OAuth application.",
            );
            if !auth.allowed_groups.is_empty() {
                let groups: Vec<&str> = auth
                    .allowed_groups
                    .iter()
                    .map(|g| g.strip_suffix("/*").unwrap_or(g))
                    .collect();
                s.set(class, "allowed_gitlab_groups", json!(groups));
            }
        }
        AuthMethod::Oidc => {
            if let Some(oidc) = &auth.oidc {
                s.set(class, "client_id", json!(oidc.client_id));
                s.set(
                    class,
                    "authorize_url",
                    json!(format!("{}/protocol/openid-connect/auth", oidc.issuer)),
                );
                s.set(
                    class,
                    "token_url",
                    json!(format!("{}/protocol/openid-connect/token", oidc.issuer)),
                );
                s.set(
                    class,
                    "userdata_url",
                    json!(format!("{}/protocol/openid-connect/userinfo", oidc.issuer)),
                );
                s.set(class, "username_claim", json!(oidc.username_claim));
                s.set(class, "scope", json!(["openid", "profile", "email"]));
            }
        }
        AuthMethod::Native | AuthMethod::SharedPassword | AuthMethod::Dummy => {}
    }
}
