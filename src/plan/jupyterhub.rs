//! The JupyterHub settings that do not depend on the spawner, as data.
//!
//! Input: the spec's `auth`, `users` and `hub`. Output: a [`HubConfig`]:
//! `Class → trait → JSON value` (the authenticator and its traits, allow
//! rules, admins, resource limits, spawn limits), the traits read from the
//! environment at start (secrets, never values), the idle-culler service and
//! its role, and the pip packages these settings need. The hub bundle writes
//! it as `c.Class.trait = value` in `jupyterhub_config.py`; the Kubernetes
//! target can write the same maps under Zero to JupyterHub's `hub.config`.
//! Spawner-specific settings (DockerSpawner, KubeSpawner) are the targets'.
//!
//! Invariants: JupyterHub 5 admits nobody implicitly, so every method gets an
//! explicit allow rule (`allow_all` or an allow list); no secret value is ever
//! in here, only the name of the variable that holds it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::spec::{AuthMethod, Spec};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HubConfig {
    /// `Class → trait → value`, e.g. `JupyterHub → concurrent_spawn_limit → 20`.
    pub traits: BTreeMap<String, BTreeMap<String, Value>>,
    /// Traits whose value is read from an environment variable when the hub starts.
    pub from_env: Vec<EnvTrait>,
    /// Services the hub runs itself: a Python module started with the hub's interpreter.
    pub services: Vec<HubService>,
    /// Roles for those services, with only the scopes they need.
    pub roles: Vec<HubRole>,
    /// pip packages (names) these settings need in the hub, besides JupyterHub.
    pub packages: Vec<String>,
    /// A one-line reason for some settings, keyed `Class.trait`, for comments.
    pub comments: BTreeMap<String, String>,
    /// Python the hub's config runs after the settings above: `targets/hub/<name>.py`, by
    /// name (e.g. `native_admins`, which defines and selects the authenticator class).
    pub code: Vec<String>,
}

/// `c.<class>.<name> = <value of $env>`; the hub refuses to start when the
/// variable is unset or shorter than `min_length`, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvTrait {
    pub class: String,
    pub name: String,
    pub env: String,
    /// A secret (password, client secret) rather than a plain setting.
    pub secret: bool,
    pub min_length: usize,
    /// What the value is, for `.env.example` and error messages.
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubService {
    pub name: String,
    /// Run as `<python> -m <module> <args>`.
    pub module: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubRole {
    pub name: String,
    pub scopes: Vec<String>,
    pub services: Vec<String>,
}

/// At most this many servers start at once: a class arrives together, and
/// each start costs the host a few seconds of CPU (an image unpack, a
/// container create); 20 in flight keep one machine responsive.
pub const CONCURRENT_SPAWN_LIMIT: u32 = 20;
/// Spawns may pull a multi-GB image the first time.
pub const START_TIMEOUT_SECONDS: u64 = 600;
/// How long the hub waits for a started server to answer (`Spawner.http_timeout`); the
/// start hook's notebook pulls run before the server listens, so they must end sooner.
pub const HTTP_TIMEOUT_SECONDS: u64 = 120;
/// The longest a start's notebook pulls may take (all at once, each bounded by this):
/// the HTTP timeout less the half-minute a server takes to listen on a loaded machine.
pub const NOTEBOOK_PULL_SECONDS: u64 = HTTP_TIMEOUT_SECONDS - 30;
/// The culler checks at most this often (and at least twice per timeout).
pub const CULL_EVERY_MAX_SECONDS: u64 = 300;
/// ... and at most once a minute; the hub then learns of activity as often (see [`culler`]).
pub const CULL_EVERY_MIN_SECONDS: u64 = 60;
/// How often, by default, the hub polls its proxy for activity (`last_activity_interval`) and each
/// server reports its own (`JUPYTERHUB_ACTIVITY_INTERVAL`): JupyterHub's 5 minutes.
pub const ACTIVITY_INTERVAL_DEFAULT_SECONDS: u64 = 300;
pub const CULLER_SERVICE: &str = "idle-culler";
pub const CULLER_ROLE: &str = "idle-culler";
/// What jupyterhub-idle-culler needs (its README), and nothing more.
pub const CULLER_SCOPES: &[&str] = &[
    "list:users",
    "read:users:activity",
    "read:servers",
    "delete:servers",
];
pub const SHARED_PASSWORD_MIN: usize = 8;
/// The NativeAuthenticator subclass of `targets/hub/native_admins.py`.
pub const NATIVE_ADMIN_CLASS: &str = "WorkshopNativeAuthenticator";
/// The first admin password under `native`: NativeAuthenticator's own minimum is 10
/// (`minimum_password_length`); this one is generated, never typed from memory.
pub const NATIVE_ADMIN_PASSWORD_MIN: usize = 16;
/// Where the hub reads the roster's passwords (`username,password` CSV, from `atlasod
/// accounts`): a compose secret, or the Kubernetes Secret mounted there.
pub const ACCOUNTS_FILE: &str = "/run/secrets/atlasod-accounts";
/// JupyterHub's own rule for `SharedPasswordAuthenticator.admin_password`.
pub const ADMIN_PASSWORD_MIN: usize = 32;

struct Builder {
    config: HubConfig,
}

impl HubConfig {
    /// Shows the environment's fingerprint ([`super::fingerprint`]) on the login page.
    pub(crate) fn show_fingerprint(&mut self, fingerprint: &str) {
        let short = super::fingerprint::short(fingerprint);
        let mut builder = Builder {
            config: std::mem::take(self),
        };
        builder.set(
            "JupyterHub",
            "template_vars",
            serde_json::json!({
                "announcement_login": format!("Workshop environment <code>{short}</code> (atlasod fingerprint)"),
            }),
        );
        builder.note(
            "JupyterHub",
            "template_vars",
            "the environment's fingerprint on the login page (`atlasod build` prints it)",
        );
        *self = builder.config;
    }
}

impl Builder {
    fn set(&mut self, class: &str, name: &str, value: Value) {
        self.config
            .traits
            .entry(class.to_owned())
            .or_default()
            .insert(name.to_owned(), value);
    }

    /// `set`, with the comment `jupyterhub_config.py` shows above the line.
    fn set_noted(&mut self, class: &str, name: &str, value: Value, comment: &str) {
        self.set(class, name, value);
        self.note(class, name, comment);
    }

    fn note(&mut self, class: &str, name: &str, comment: &str) {
        self.config
            .comments
            .insert(format!("{class}.{name}"), comment.to_owned());
    }

    fn env(&mut self, class: &str, name: &str, env: &str, secret: bool, min: usize, purpose: &str) {
        self.config.from_env.push(EnvTrait {
            class: class.to_owned(),
            name: name.to_owned(),
            env: env.to_owned(),
            secret,
            min_length: min,
            purpose: purpose.to_owned(),
        });
    }
}

/// The OAuthenticator class of an OAuth method.
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
        _ => None,
    }
}

pub(crate) fn lower(spec: &Spec, public_url: Option<&str>) -> HubConfig {
    let mut b = Builder {
        config: HubConfig::default(),
    };
    limits(&mut b, spec);
    authenticator(&mut b, spec, public_url);
    culler(&mut b, spec.hub.idle_timeout.seconds());
    b.config.packages.sort();
    b.config.packages.dedup();
    b.config
}

fn limits(b: &mut Builder, spec: &Spec) {
    let users = &spec.users;
    b.set(
        "JupyterHub",
        "concurrent_spawn_limit",
        json!(users.count().min(CONCURRENT_SPAWN_LIMIT)),
    );
    b.note(
        "JupyterHub",
        "concurrent_spawn_limit",
        "servers starting at once",
    );
    b.set_noted(
        "JupyterHub",
        "active_server_limit",
        json!(users.count()),
        "running servers at once: `users.count`",
    );
    b.set("Spawner", "cpu_limit", json!(users.cpu));
    b.set_noted(
        "Spawner",
        "cpu_guarantee",
        json!(users.cpu),
        "KubeSpawner reserves it; DockerSpawner ignores it (the VM is sized for every user's `users.cpu`)",
    );
    b.set_noted(
        "Spawner",
        "mem_limit",
        json!(users.memory.bytes()),
        &format!("{} (`users.memory`)", users.memory),
    );
    b.set_noted(
        "Spawner",
        "mem_guarantee",
        json!(users.memory.bytes()),
        "the machine is sized for every user at their limit, so the guarantee is the limit",
    );
    b.set("Spawner", "default_url", json!("/lab"));
    b.set_noted(
        "Spawner",
        "start_timeout",
        json!(START_TIMEOUT_SECONDS),
        "a first start may pull a multi-GB image",
    );
    b.set("Spawner", "http_timeout", json!(HTTP_TIMEOUT_SECONDS));
}

fn authenticator(b: &mut Builder, spec: &Spec, public_url: Option<&str>) {
    let auth = &spec.auth;
    let method = auth.method;
    let admins = spec.users.all_admins();
    let roster = spec.users.has_roster();
    let roster_names = spec.users.roster_names();
    // `users.admins` without a roster account: created with ADMIN_PASSWORD.
    let own_admins: Vec<&String> = spec
        .users
        .admins
        .iter()
        .filter(|a| !roster_names.contains(a))
        .collect();
    let (groups, mut names): (Vec<&String>, Vec<&String>) = auth
        .allowed
        .iter()
        .flatten()
        .partition(|entry| entry.contains('/'));
    for name in &roster_names {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if !admins.is_empty() {
        b.set("Authenticator", "admin_users", json!(admins));
    }
    // JupyterHub 5 admits nobody implicitly: say who may log in.
    if auth.allowed.is_none() && !roster {
        b.set_noted(
            "Authenticator",
            "allow_all",
            json!(true),
            match method {
                AuthMethod::Native => "anyone an admin approves (sign-up needs approval)",
                AuthMethod::SharedPassword => "anyone who knows the workshop password",
                AuthMethod::Dummy => "anyone: no password at all (local only)",
                AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc => {
                    "every account of the provider: `auth.allowed` is not set"
                }
            },
        );
    } else {
        // An empty list still sets the rule: nobody but the admins.
        b.set("Authenticator", "allowed_users", json!(names));
    }
    if roster {
        b.note(
            "Authenticator",
            "allowed_users",
            "the roster (`users.roster` or `users.pattern`) and `auth.allowed`",
        );
        // JupyterHub 5 lets users already in its database in unless told otherwise.
        b.set_noted(
            "Authenticator",
            "allow_existing_users",
            json!(false),
            "who may log in is the list above, not whoever logged in before",
        );
        b.set_noted(
            "Authenticator",
            "delete_invalid_users",
            json!(true),
            "a user taken off the roster loses their hub account at the next start; their home volume is kept",
        );
    }
    match method {
        AuthMethod::Dummy => {
            b.set("JupyterHub", "authenticator_class", json!("dummy"));
        }
        AuthMethod::SharedPassword => {
            b.set(
                "JupyterHub",
                "authenticator_class",
                json!("shared-password"),
            );
            let class = "SharedPasswordAuthenticator";
            b.env(
                class,
                "user_password",
                "SHARED_PASSWORD",
                true,
                SHARED_PASSWORD_MIN,
                "the workshop password every user logs in with",
            );
            if !admins.is_empty() {
                b.env(
                    class,
                    "admin_password",
                    "ADMIN_PASSWORD",
                    true,
                    ADMIN_PASSWORD_MIN,
                    "the password of the admins in `users.admins` (they cannot use the workshop password)",
                );
            }
        }
        AuthMethod::Native => native(b, roster.then_some(&roster_names), &own_admins),
        AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc => {
            oauth(b, spec, &groups, public_url);
        }
    }
}

/// NativeAuthenticator: sign-up approved by an admin, or (with a roster) no sign-up at all, every
/// account created at start. `own_admins`: the admins without a roster account.
fn native(b: &mut Builder, roster_names: Option<&Vec<String>>, own_admins: &[&String]) {
    let roster = roster_names.is_some();
    let class = "NativeAuthenticator";
    if own_admins.is_empty() && !roster {
        b.set(
            "JupyterHub",
            "authenticator_class",
            json!("nativeauthenticator.NativeAuthenticator"),
        );
    } else {
        // Created at start, so that no stranger signs up first with their names.
        b.config.code.push("native_admins".to_owned());
    }
    if !own_admins.is_empty() {
        b.env(
            NATIVE_ADMIN_CLASS,
            "admin_password",
            "ADMIN_PASSWORD",
            true,
            NATIVE_ADMIN_PASSWORD_MIN,
            "the first password of the admins in `users.admins`, whose accounts the hub creates at its first start (each admin changes it at /hub/change-password)",
        );
    }
    if roster {
        b.set(
            NATIVE_ADMIN_CLASS,
            "roster",
            json!(roster_names.unwrap_or(&Vec::new())),
        );
        b.note(
            NATIVE_ADMIN_CLASS,
            "roster",
            "accounts created approved at start, each with its password from `accounts_file`",
        );
        b.set_noted(
            NATIVE_ADMIN_CLASS,
            "accounts_file",
            json!(ACCOUNTS_FILE),
            "written by `atlasod accounts`, never part of the bundle",
        );
    }
    b.set(class, "enable_signup", json!(!roster));
    if roster {
        b.note(class, "enable_signup", "every account is on the roster");
    } else {
        b.set_noted(
            class,
            "open_signup",
            json!(false),
            "an admin approves each sign-up at /hub/authorize",
        );
    }
    b.set(class, "minimum_password_length", json!(10));
    b.set(class, "check_common_password", json!(true));
    b.set(class, "allowed_failed_logins", json!(5));
    b.set(class, "seconds_before_next_try", json!(300));
    b.config
        .packages
        .push("jupyterhub-nativeauthenticator".to_owned());
}

fn oauth(b: &mut Builder, spec: &Spec, groups: &[&String], public_url: Option<&str>) {
    let method = spec.auth.method;
    let Some((class, dotted)) = oauth_class(method) else {
        return;
    };
    b.config.packages.push("oauthenticator".to_owned());
    b.set("JupyterHub", "authenticator_class", json!(dotted));
    match public_url {
        Some(url) => b.set(
            class,
            "oauth_callback_url",
            json!(format!("{url}/hub/oauth_callback")),
        ),
        None => b.env(
            class,
            "oauth_callback_url",
            "OAUTH_CALLBACK_URL",
            false,
            1,
            "the OAuth callback URL registered with the provider: https://<this hub's address>/hub/oauth_callback",
        ),
    }
    if method == AuthMethod::Oidc {
        if let Some(oidc) = &spec.auth.oidc {
            b.set(class, "client_id", json!(oidc.client_id));
        }
    } else {
        b.env(
            class,
            "client_id",
            "OAUTH_CLIENT_ID",
            false,
            1,
            "the client id of the OAuth app registered with the provider",
        );
    }
    b.env(
        class,
        "client_secret",
        "OAUTH_CLIENT_SECRET",
        true,
        1,
        "the client secret of the OAuth app registered with the provider",
    );
    match method {
        AuthMethod::Github => {
            // `org/*` → every member of `org`; `org/team` → `org:team`.
            let orgs: Vec<String> = groups
                .iter()
                .map(|g| match g.split_once('/') {
                    Some((org, "*")) => org.to_owned(),
                    Some((org, team)) => format!("{org}:{team}"),
                    None => (*g).clone(),
                })
                .collect();
            let why = "`read:org` lets the hub check organisation and team membership";
            allow_groups(
                b,
                class,
                "allowed_organizations",
                &orgs,
                ["read:user", "read:org"],
                why,
            );
        }
        AuthMethod::Gitlab => {
            // GitLab groups are paths: `group/*` → `group`, `group/sub` → `group/sub`.
            let paths: Vec<String> = groups
                .iter()
                .map(|g| g.strip_suffix("/*").unwrap_or(g).to_owned())
                .collect();
            let why = "`read_api` lets the hub check group membership";
            allow_groups(
                b,
                class,
                "allowed_gitlab_groups",
                &paths,
                ["read_user", "read_api"],
                why,
            );
        }
        AuthMethod::Oidc => {
            if let Some(oidc) = &spec.auth.oidc {
                let issuer = oidc.issuer.trim_end_matches('/');
                b.set(class, "login_service", json!(login_service(issuer)));
                for (name, url) in oidc_endpoints(issuer) {
                    b.set(class, name, json!(url));
                }
                b.set(class, "username_claim", json!(oidc.username_claim));
                b.set(class, "scope", json!(["openid", "profile", "email"]));
            }
        }
        _ => {}
    }
}

/// The button text on the login page.
/// The OAuth `scope`: `scopes[0]` to log in, plus `scopes[1]` (for the reason
/// `why`) when `groups` is not empty and `option` allows them.
fn allow_groups(
    b: &mut Builder,
    class: &str,
    option: &str,
    groups: &[String],
    scopes: [&str; 2],
    why: &str,
) {
    let mut scope = vec![scopes[0]];
    if !groups.is_empty() {
        b.set(class, option, json!(groups));
        scope.push(scopes[1]);
        b.note(class, "scope", why);
    }
    b.set(class, "scope", json!(scope));
}

fn login_service(issuer: &str) -> &'static str {
    if issuer.starts_with("https://auth.cern.ch/") {
        "CERN SSO"
    } else {
        "single sign-on"
    }
}

/// `authorize_url`, `token_url` and `userdata_url` of an OpenID Connect issuer.
///
/// Keycloak (CERN SSO and most research SSOs: an issuer with `/realms/`)
/// serves them under `<issuer>/protocol/openid-connect/`; Google has fixed
/// ones; other issuers get the paths most providers use under the issuer
/// (`/authorize`, `/token`, `/userinfo`): check them against the provider's
/// `/.well-known/openid-configuration`.
pub fn oidc_endpoints(issuer: &str) -> [(&'static str, String); 3] {
    if issuer.contains("/realms/") {
        let base = format!("{issuer}/protocol/openid-connect");
        [
            ("authorize_url", format!("{base}/auth")),
            ("token_url", format!("{base}/token")),
            ("userdata_url", format!("{base}/userinfo")),
        ]
    } else if issuer == "https://accounts.google.com" {
        [
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth".to_owned(),
            ),
            (
                "token_url",
                "https://oauth2.googleapis.com/token".to_owned(),
            ),
            (
                "userdata_url",
                "https://openidconnect.googleapis.com/v1/userinfo".to_owned(),
            ),
        ]
    } else {
        [
            ("authorize_url", format!("{issuer}/authorize")),
            ("token_url", format!("{issuer}/token")),
            ("userdata_url", format!("{issuer}/userinfo")),
        ]
    }
}

/// How often the culler checks for `timeout`: twice per timeout, within 1 to 5 minutes.
pub fn cull_every(timeout: u64) -> u64 {
    (timeout / 2).clamp(CULL_EVERY_MIN_SECONDS, CULL_EVERY_MAX_SECONDS)
}

/// How often the hub must learn of activity for `timeout`, when more often than JupyterHub's
/// default: with a timeout under 10 minutes, activity 5 minutes old would make a server in use
/// look idle, so the hub polls its proxy, and every server reports, as often as the culler checks.
pub fn activity_interval(timeout: u64) -> Option<u64> {
    let every = cull_every(timeout);
    (every < ACTIVITY_INTERVAL_DEFAULT_SECONDS).then_some(every)
}

fn culler(b: &mut Builder, timeout: u64) {
    let every = cull_every(timeout);
    b.config.packages.push("jupyterhub-idle-culler".to_owned());
    b.config.services.push(HubService {
        name: CULLER_SERVICE.to_owned(),
        module: "jupyterhub_idle_culler".to_owned(),
        args: vec![
            format!("--timeout={timeout}"),
            format!("--cull-every={every}"),
        ],
    });
    b.config.roles.push(HubRole {
        name: CULLER_ROLE.to_owned(),
        scopes: CULLER_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        services: vec![CULLER_SERVICE.to_owned()],
    });
    if let Some(interval) = activity_interval(timeout) {
        b.set_noted(
            "JupyterHub",
            "last_activity_interval",
            json!(interval),
            "the proxy's activity, as often as the culler checks (the idle timeout is short)",
        );
        b.set(
            "Spawner",
            "environment",
            json!({ "JUPYTERHUB_ACTIVITY_INTERVAL": interval.to_string() }),
        );
        b.note(
            "Spawner",
            "environment",
            "each server reports its activity as often as the culler checks",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn culled(timeout: u64) -> HubConfig {
        let mut b = Builder {
            config: HubConfig::default(),
        };
        culler(&mut b, timeout);
        b.config
    }

    #[test]
    fn a_short_idle_timeout_makes_the_hub_learn_of_activity_as_often_as_the_culler_checks() {
        let config = culled(120);
        assert_eq!(
            config.services[0].args,
            ["--timeout=120", "--cull-every=60"]
        );
        assert_eq!(
            config.traits["JupyterHub"]["last_activity_interval"],
            json!(60)
        );
        assert_eq!(
            config.traits["Spawner"]["environment"],
            json!({"JUPYTERHUB_ACTIVITY_INTERVAL": "60"})
        );
        // 5 minutes: culler every 150 s, activity as often
        assert_eq!(
            culled(300).traits["JupyterHub"]["last_activity_interval"],
            json!(150)
        );
    }

    #[test]
    fn from_ten_minutes_on_jupyterhub_s_own_activity_intervals_are_kept() {
        for timeout in [600, 3600, 8 * 3600] {
            let config = culled(timeout);
            assert!(config.traits.is_empty(), "{timeout}: {:?}", config.traits);
            assert_eq!(activity_interval(timeout), None);
        }
        assert_eq!(culled(3600).services[0].args[1], "--cull-every=300");
    }

    #[test]
    fn keycloak_issuers_get_keycloak_endpoints() {
        let [auth, token, user] = oidc_endpoints("https://auth.cern.ch/auth/realms/cern");
        assert_eq!(
            auth.1,
            "https://auth.cern.ch/auth/realms/cern/protocol/openid-connect/auth"
        );
        assert_eq!(token.0, "token_url");
        assert!(user.1.ends_with("/userinfo"));
    }
}
