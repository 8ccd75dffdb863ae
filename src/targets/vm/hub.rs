//! The hub bundle a VM runs, and the settings it reads from `.env`.
//!
//! The VM runs exactly the hub bundle of the hub issue (`targets::hub`).
//! PLACEHOLDER: until that renderer is on main, this module renders a small
//! stand-in with the same interface; the swap is one call.

use serde::Serialize;

use crate::bundle::Bundle;
use crate::error::Error;
use crate::plan::Plan;
use crate::spec::AuthMethod;
use crate::templates;

/// A variable the hub bundle reads from its `.env` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct EnvSetting {
    /// The variable's name in `.env`, e.g. `SHARED_PASSWORD`.
    pub env: String,
    pub secret: bool,
    pub min_length: usize,
    pub purpose: String,
}

/// The environment variable holding the OAuth callback URL, which a VM
/// without a domain only knows once its public address exists.
pub(crate) const OAUTH_CALLBACK_URL: &str = "OAUTH_CALLBACK_URL";

/// The hub bundle's files for a VM.
pub(crate) fn bundle(plan: &Plan) -> Result<Bundle, Error> {
    #[derive(Serialize)]
    struct Context<'a> {
        plan: &'a Plan,
    }
    let ctx = Context { plan };
    let mut bundle = Bundle::new();
    bundle.add(
        "compose.yaml",
        templates::render(
            "vm/hub-placeholder/compose.yaml.j2",
            include_str!("../../../targets/vm/hub-placeholder/compose.yaml.j2"),
            &ctx,
        )?,
    );
    bundle.add(
        "jupyterhub_config.py",
        templates::render(
            "vm/hub-placeholder/jupyterhub_config.py.j2",
            include_str!("../../../targets/vm/hub-placeholder/jupyterhub_config.py.j2"),
            &ctx,
        )?,
    );
    bundle.add(
        "hub/Dockerfile",
        templates::render(
            "vm/hub-placeholder/Dockerfile.j2",
            include_str!("../../../targets/vm/hub-placeholder/Dockerfile.j2"),
            &ctx,
        )?,
    );
    bundle.add(
        "Caddyfile",
        templates::render(
            "vm/hub-placeholder/Caddyfile.j2",
            include_str!("../../../targets/vm/hub-placeholder/Caddyfile.j2"),
            &ctx,
        )?,
    );
    Ok(bundle)
}

/// The variables the hub reads from `.env`, in order.
pub(crate) fn env(plan: &Plan) -> Vec<EnvSetting> {
    let setting = |env: &str, secret: bool, min_length: usize, purpose: &str| EnvSetting {
        env: env.to_owned(),
        secret,
        min_length,
        purpose: purpose.to_owned(),
    };
    let mut settings = Vec::new();
    match plan.auth.method {
        AuthMethod::SharedPassword => {
            settings.push(setting(
                "SHARED_PASSWORD",
                true,
                8,
                "the workshop password every user logs in with",
            ));
            if !plan.users.admins.is_empty() {
                settings.push(setting(
                    "ADMIN_PASSWORD",
                    true,
                    8,
                    "the password of the admins in `users.admins`",
                ));
            }
        }
        AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc => {
            if plan.tls.domain.is_none() {
                settings.push(setting(
                    OAUTH_CALLBACK_URL,
                    false,
                    1,
                    "the OAuth callback URL registered with the provider",
                ));
            }
            if plan.auth.method != AuthMethod::Oidc {
                settings.push(setting(
                    "OAUTH_CLIENT_ID",
                    false,
                    1,
                    "the client id of the OAuth app registered with the provider",
                ));
            }
            settings.push(setting(
                "OAUTH_CLIENT_SECRET",
                true,
                1,
                "the client secret of the OAuth app registered with the provider",
            ));
        }
        AuthMethod::Native | AuthMethod::Dummy => {}
    }
    settings
}
