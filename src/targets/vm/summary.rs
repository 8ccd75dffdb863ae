//! The build summary of a single-VM target and the bundle's `README.md`.
//!
//! Input: the plan, its machine and the cloud (its commands). Output: text. The
//! summary is data the target produces; the CLI prints it, and the README
//! embeds the same text.

use serde::Serialize;

use super::cloud::{self, Cloud};
use super::cloud_init::{DATA_DIR, HUB_DIR};
use super::hub::{EnvSetting, OAUTH_CALLBACK_URL};
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::targets::templates;
use crate::units::fmt_num;

/// The commands the summary and README show: the cloud's, and those every
/// cloud words alike.
#[derive(Serialize)]
struct Commands {
    #[serde(flatten)]
    cloud: cloud::Commands,
    /// The data disk's Terraform address, e.g. `aws_ebs_volume.data`.
    disk_resource: &'static str,
    /// Where to read the boot log without SSH.
    console_log: String,
}

fn commands(plan: &Plan, cloud: &dyn Cloud) -> Result<Commands, Error> {
    let commands = cloud.commands(plan)?;
    Ok(Commands {
        console_log: format!("read the boot log with `{}`", commands.boot_log),
        cloud: commands,
        disk_resource: cloud.profile().data_disk,
    })
}

#[derive(Serialize)]
struct Context<'a> {
    plan: &'a Plan,
    target: &'static str,
    machine: &'a VmPlan,
    terraform_dir: &'a str,
    memory_gib: Option<String>,
    hourly: Option<String>,
    total: Option<String>,
    daily: Option<String>,
    /// Variables `terraform.tfvars` must set.
    required: Vec<String>,
    commands: Commands,
    summary: &'a str,
    hub_dir: &'static str,
    data_dir: &'static str,
    /// `access.admin_cidr`: SSH is open to it, or closed when `None`.
    admin_cidr: Option<&'a str>,
    /// The datasets' download and how long it takes at [`ASSUMED_DOWNLOAD_MB_S`].
    download: Option<Download>,
    /// The roster's passwords file (`accounts.csv`), when the hub has native roster accounts.
    accounts: Option<&'static str>,
}

/// The download rate the ready time assumes, in MB/s (200 Mbit/s): a cloud
/// VM's link is faster, the dataset servers often are not.
pub(crate) const ASSUMED_DOWNLOAD_MB_S: u64 = 25;

#[derive(Serialize)]
struct Download {
    size: String,
    minutes: u64,
    rate_mb_s: u64,
}

/// What the VM downloads before the datasets are in place (the sizes the
/// catalogue knows), and the minutes that takes at the assumed rate.
fn download(plan: &Plan) -> Option<Download> {
    let bytes = plan.download_bytes();
    (bytes > 0).then(|| Download {
        size: crate::units::fmt_download(bytes),
        minutes: bytes.div_ceil(ASSUMED_DOWNLOAD_MB_S * 1_000_000 * 60),
        rate_mb_s: ASSUMED_DOWNLOAD_MB_S,
    })
}

/// The variables without a default: the settings and secrets the hub reads
/// from `.env` (the OAuth callback URL is filled in by Terraform).
fn required(env: &[EnvSetting]) -> Vec<String> {
    env.iter()
        .filter(|s| s.env != OAUTH_CALLBACK_URL)
        .map(|s| s.env.to_ascii_lowercase())
        .collect()
}

fn context<'a>(
    plan: &'a Plan,
    cloud: &dyn Cloud,
    machine: &'a VmPlan,
    terraform_dir: &'a str,
    summary: &'a str,
) -> Result<Context<'a>, Error> {
    let cost = machine.cost.as_ref();
    let hourly = cost.and_then(|c| c.hourly);
    Ok(Context {
        plan,
        target: cloud.profile().target.as_str(),
        machine,
        terraform_dir,
        memory_gib: machine.instance.memory_gib.map(fmt_num),
        hourly: hourly.map(|h| format!("{h:.4}")),
        total: cost.and_then(|c| c.total).map(|t| format!("{t:.2}")),
        daily: hourly.map(|h| crate::units::fmt_amount(h * 24.0)),
        required: required(&super::hub::env(plan)),
        commands: commands(plan, cloud)?,
        summary,
        hub_dir: HUB_DIR,
        data_dir: DATA_DIR,
        admin_cidr: plan.access.admin_cidr.as_deref(),
        download: download(plan),
        accounts: plan
            .has_accounts()
            .then_some(crate::plan::ACCOUNTS_FILE_NAME),
    })
}

/// The summary for a terminal, with `cd <terraform_dir>` in its commands.
pub(crate) fn text_in(
    plan: &Plan,
    cloud: &dyn Cloud,
    machine: &VmPlan,
    terraform_dir: &str,
) -> Result<String, Error> {
    templates::render(
        "vm/summary.txt.j2",
        include_str!("../../../targets/vm/summary.txt.j2"),
        context(plan, cloud, machine, terraform_dir, "")?,
    )
}

/// The summary as the README shows it (commands relative to the bundle).
pub(crate) fn text(plan: &Plan, cloud: &dyn Cloud, machine: &VmPlan) -> Result<String, Error> {
    text_in(plan, cloud, machine, "terraform")
}

/// The bundle's `README.md`.
pub(crate) fn readme(
    plan: &Plan,
    cloud: &dyn Cloud,
    machine: &VmPlan,
    summary: &str,
) -> Result<String, Error> {
    templates::render(
        "vm/README.md.j2",
        include_str!("../../../targets/vm/README.md.j2"),
        context(plan, cloud, machine, "terraform", summary.trim_end())?,
    )
}
