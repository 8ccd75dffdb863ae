//! The hub bundle a VM runs, and the settings it reads from `.env`.
//!
//! The VM runs exactly the hub bundle of [`crate::targets::compose`] (the files
//! the `local` target writes), rendered for a VM host: ports 80 and 443 on
//! every address, and the domain as public name when there is one.

use serde::Serialize;

use crate::bundle::Bundle;
use crate::error::Error;
use crate::plan::Plan;
use crate::spec::Https;
use crate::targets::compose::{self, HubHost};

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

/// The compose service that downloads the datasets (when there are any).
pub(crate) const FETCH_SERVICE: &str = "fetch-datasets";

/// Whether the hub reads its public address from `PUBLIC_HOST` in `.env`
/// (HTTPS without a domain): Terraform then writes the VM's public IP there.
pub(crate) fn public_host_from_env(plan: &Plan) -> bool {
    plan.tls.mode != Https::Off && HubHost::vm(plan).public_host.is_none()
}

/// The hub bundle's files for a VM.
pub(crate) fn bundle(plan: &Plan) -> Result<Bundle, Error> {
    compose::render(plan, &HubHost::vm(plan))
}

/// The variables the hub reads from `.env`, in the plan's order, each once.
pub(crate) fn env(plan: &Plan) -> Vec<EnvSetting> {
    let mut settings: Vec<EnvSetting> = Vec::new();
    for from_env in &plan.jupyterhub.from_env {
        if settings.iter().any(|s| s.env == from_env.env) {
            continue;
        }
        settings.push(EnvSetting {
            env: from_env.env.clone(),
            secret: from_env.secret,
            min_length: from_env.min_length,
            purpose: from_env.purpose.clone(),
        });
    }
    settings
}
