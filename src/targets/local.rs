//! The `local` target: the hub bundle for a laptop or workstation with Docker.
//!
//! Input: a [`Plan`]. Output: exactly the files of [`super::compose::render`]
//! with [`HubHost::laptop`]: ports on 127.0.0.1 (except with Let's Encrypt),
//! `local.port` for the hub, and single-user mode on `127.0.0.1:8888`.

use crate::bundle::Bundle;
use crate::error::Error;
use crate::plan::Plan;
use crate::targets::compose::{self, HubHost};

pub fn render(plan: &Plan) -> Result<Bundle, Error> {
    compose::render(plan, &HubHost::laptop(plan))
}
