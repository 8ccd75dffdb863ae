//! What makes one single-VM cloud itself: the [`Cloud`] descriptor.
//!
//! Input: a target. Output: its cloud, looked up once: the cloud's fixed
//! facts ([`Profile`]: the providers it pins, the Terraform addresses of its
//! public IP and data disk) and what it computes (its own variables, its
//! resources in `main.tf`, its commands, where its machine runs). Everything
//! else a VM bundle holds is shared and built beside this file; each cloud's
//! file ([`super::aws`], [`super::gcp`], [`super::openstack`]) holds only
//! what is really that cloud's.

use hcl::{Block, Expression};
use serde::Serialize;

use super::{aws, gcp, openstack};
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::spec::Target;
use crate::targets::terraform::{self, BlockBuilder, File, Variable};

/// One single-VM cloud: what the shared code asks of it.
pub(crate) trait Cloud: Sync {
    /// The cloud's fixed facts.
    fn profile(&self) -> &'static Profile;
    /// Where the machine runs and its OS image (a change of either means a new VM).
    fn place(&self, plan: &Plan) -> Result<Place, Error>;
    /// The admin user of the cloud's image, for cloud-init and the SSH command.
    fn ssh_user(&self) -> &'static str;
    /// The cloud's own variables, written before the shared ones.
    fn variables(&self, plan: &Plan, machine: &VmPlan) -> Result<Vec<Variable>, Error>;
    /// The `provider` block `main.tf` opens with; by default [`provider`]
    /// built from the profile.
    fn provider(&self) -> Result<Block, Error> {
        Ok(provider(self.profile())?.build())
    }
    /// `local.data_device`: where the data disk appears on the VM.
    fn data_device(&self) -> Expression;
    /// The cloud's own `locals` after the workshop name and tags, before
    /// `data_device`: none by default.
    fn locals(&self) -> Result<Vec<(&'static str, Expression)>, Error> {
        Ok(Vec::new())
    }
    /// Adds the cloud's resources to `main.tf` (after the provider and the
    /// locals, `local.user_data` among them). `accounts`: the hub reads the roster's
    /// passwords (`local.accounts`).
    fn main_tf(&self, machine: &VmPlan, accounts: bool, file: &mut File) -> Result<(), Error>;
    /// The cloud's commands for the summary and the README.
    fn commands(&self, plan: &Plan) -> Result<Commands, Error>;
}

/// What the shared code needs to know of a cloud, fixed for the cloud.
pub(crate) struct Profile {
    pub target: Target,
    /// The providers `versions.tf` pins, in this order; `main.tf` configures the first.
    pub providers: &'static [&'static str],
    /// The arguments of that `provider` block, as HCL: `("region", "var.region")`.
    pub provider_args: &'static [(&'static str, &'static str)],
    /// What `main.tf` holds, for its heading: `The AWS resources`.
    pub resources: &'static str,
    /// The VM's public address, e.g. `aws_eip.hub.public_ip`.
    pub public_ip: &'static str,
    /// The data disk's Terraform address, e.g. `aws_ebs_volume.data`.
    pub data_disk: &'static str,
    /// Where the data disk lives, as HCL (`var.region`): a change of it is
    /// refused at plan time (see [`super::terraform::location_guard`]).
    pub location: &'static str,
    /// gzip and base64 the user-data (AWS's 16 KB limit, OpenStack's 64 KB).
    pub compress: bool,
    /// Where the VM reads its secrets from, when not from its user-data (Google
    /// Cloud, whose instance metadata every project viewer can read).
    pub secrets: Option<SecretVersions>,
}

/// The Terraform addresses of the secret versions' resource names the setup
/// script reads at boot with the VM's own credentials.
pub(crate) struct SecretVersions {
    /// The hub's `.env`.
    pub env: &'static str,
    /// The roster's passwords (`accounts.csv`).
    pub accounts: &'static str,
}

/// Where a machine runs, e.g. `aws eu-central-1`, and its OS image.
pub(crate) struct Place {
    pub location: String,
    pub os_image: String,
}

/// The image every cloud but OpenStack (which names its own) boots.
pub(crate) const UBUNTU: &str = "Ubuntu 24.04 LTS";

/// A cloud's commands that the summary and the README show.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Commands {
    /// One line: how to give Terraform credentials.
    pub credentials: &'static str,
    /// A sentence or two for the README.
    pub credentials_help: String,
    pub delete_disk: String,
    pub leftovers: String,
    /// How to start the VM after it stopped itself, as Markdown.
    pub start_vm: String,
    /// The command that prints the boot log without SSH.
    pub boot_log: String,
}

/// The `provider` block of the cloud's first provider with its arguments
/// ([`Profile::provider_args`]).
pub(crate) fn provider(profile: &Profile) -> Result<BlockBuilder, Error> {
    let [name, ..] = profile.providers else {
        return Err(Error::Internal(format!(
            "the `{}` cloud names no provider",
            profile.target
        )));
    };
    profile
        .provider_args
        .iter()
        .try_fold(terraform::block("provider", &[name]), |b, &(key, value)| {
            b.raw(key, value)
        })
}

/// The cloud of a single-VM `target`.
pub(crate) fn of(target: Target) -> Result<&'static dyn Cloud, Error> {
    match target {
        Target::Aws => Ok(&aws::Aws),
        Target::Gcp => Ok(&gcp::Gcp),
        Target::Openstack => Ok(&openstack::OpenStack),
        Target::Kubernetes | Target::Local => Err(Error::Internal(format!(
            "`{target}` is not a single-VM target"
        ))),
    }
}

/// The cloud's block of the plan, which validation requires for its target.
pub(crate) fn block<T>(block: Option<&T>, target: Target) -> Result<&T, Error> {
    block.ok_or_else(|| Error::Internal(format!("the plan has no `cloud.{target}` block")))
}
