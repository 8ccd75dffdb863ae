//! The single-VM targets (`aws`, `gcp`, `openstack`): one VM that runs the
//! hub bundle with docker compose, created by a Terraform root module.
//!
//! Input: a plan and the cloud. Output: the bundle `<out>/<cloud>/`:
//! `README.md` (the build summary and the commands) and `terraform/` (the
//! root module, its `user-data.yaml` and `terraform.tfvars.example`).
//! The machine is sized once, at lowering ([`crate::plan::vm`]). The three
//! clouds share cloud-init ([`cloud_init`]),
//! the hub bundle ([`hub`]), the shared Terraform pieces ([`terraform`]) and
//! the summary ([`summary`]); each cloud's own resources are in
//! [`aws`], [`gcp`] and [`openstack`].

pub(crate) mod aws;
pub(crate) mod cloud_init;
pub(crate) mod gcp;
pub(crate) mod hub;
pub(crate) mod openstack;
pub(crate) mod summary;
pub(crate) mod terraform;

use crate::bundle::Bundle;
use crate::bundle::facts::{self, TargetFacts, machine_place};
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::spec::Target;

/// Everything one cloud build computes, before it becomes files.
pub(crate) struct Vm {
    pub files: Vec<(String, String)>,
    /// The hub bundle's facts (home volume, secrets).
    pub hub_facts: TargetFacts,
}

/// The machine the plan sized for `target`.
fn sized(plan: &Plan, target: Target) -> Result<&VmPlan, Error> {
    plan.vms.get(&target).ok_or_else(|| {
        Error::Internal(format!(
            "the plan has no machine for `{target}`: it was not lowered for that target"
        ))
    })
}

/// Renders the bundle of a single-VM `target`.
pub(crate) fn render(plan: &Plan, target: Target) -> Result<Bundle, Error> {
    let vm = build(plan, target)?;
    let mut bundle = Bundle::new();
    bundle.facts = facts(plan, target, sized(plan, target)?, vm.hub_facts);
    for (path, text) in vm.files {
        bundle.add(path, text);
    }
    Ok(bundle)
}

/// The machine and data disk this bundle asks the cloud for, for the
/// semantic diff (the hub bundle's own facts, home volume and secrets, kept).
fn facts(
    plan: &Plan,
    target: Target,
    machine: &VmPlan,
    mut facts: TargetFacts,
) -> TargetFacts {
    let Some((location, os_image)) = machine_place(plan, target) else {
        return facts;
    };
    let instance = &machine.instance;
    let kind = instance.name.clone().unwrap_or_else(|| {
        format!(
            "the smallest flavor with {} vCPU and {} MiB, chosen at apply time",
            machine.min_vcpus, machine.min_memory_mib
        )
    });
    facts.machine = Some(facts::Machine {
        location: location.clone(),
        kind,
        vcpu: instance.vcpu,
        memory_gib: instance.memory_gib,
        hourly_price: machine.cost.as_ref().and_then(|c| c.hourly),
        currency: machine
            .cost
            .as_ref()
            .map(|c| c.currency.clone())
            .unwrap_or_default(),
        os_image,
    });
    facts.data_disk = Some(facts::DataDisk {
        location,
        size_gib: machine.data_disk.gib,
    });
    facts
}

/// The build summary printed after `atlasod build` (the bundle's README has
/// the same); its commands `cd` into the bundle written to `bundle_dir`.
pub(crate) fn summary(plan: &Plan, target: Target, bundle_dir: &str) -> Result<String, Error> {
    summary::text_in(
        plan,
        target,
        sized(plan, target)?,
        &format!("{bundle_dir}/terraform"),
    )
}

pub(crate) fn build(plan: &Plan, target: Target) -> Result<Vm, Error> {
    let machine = sized(plan, target)?;
    let env = hub::env(plan);
    let hub_bundle = hub::bundle(plan)?;
    let (facts, providers, mut variables) = match target {
        Target::Aws => (
            aws::cloud_facts(),
            aws::PROVIDERS,
            aws::variables(plan, machine)?,
        ),
        Target::Gcp => (
            gcp::cloud_facts(),
            gcp::PROVIDERS,
            gcp::variables(plan, machine)?,
        ),
        Target::Openstack => (
            openstack::cloud_facts(),
            openstack::PROVIDERS,
            openstack::variables(plan, machine)?,
        ),
        Target::Kubernetes | Target::Local => {
            return Err(Error::Internal(format!(
                "`{target}` is not a single-VM target"
            )));
        }
    };
    variables.extend(terraform::common_variables(plan, machine, &env));
    let files = cloud_init::files(plan, &hub_bundle, facts.ssh_user)?;
    let user_data = cloud_init::user_data(plan, machine.cloud, &files)?;
    let cloudinit = terraform::cloudinit(&facts, &env, hub::public_host_from_env(plan))?;
    let main = match target {
        Target::Gcp => gcp::main_tf(plan, cloudinit)?,
        Target::Openstack => openstack::main_tf(plan, cloudinit, machine)?,
        _ => aws::main_tf(plan, cloudinit)?,
    };
    let summary = summary::text(plan, target, machine)?;
    let readme = summary::readme(plan, target, machine, &summary)?;
    let files = vec![
        ("README.md".to_owned(), readme),
        (
            "terraform/.gitignore".to_owned(),
            include_str!("../../../targets/vm/gitignore").to_owned(),
        ),
        (
            "terraform/versions.tf".to_owned(),
            crate::targets::terraform::versions(
                &crate::targets::terraform::header(plan, "Terraform and provider versions"),
                providers,
            )?
            .to_text(),
        ),
        (
            "terraform/variables.tf".to_owned(),
            crate::targets::terraform::variables_file(
                &crate::targets::terraform::header(plan, "Input variables"),
                &variables,
            )?
            .to_text(),
        ),
        ("terraform/main.tf".to_owned(), main.to_text()),
        (
            "terraform/outputs.tf".to_owned(),
            terraform::outputs(plan, &facts)?.to_text(),
        ),
        (
            "terraform/terraform.tfvars.example".to_owned(),
            terraform::tfvars_example(plan, &variables),
        ),
        ("terraform/user-data.yaml".to_owned(), user_data),
    ];
    Ok(Vm {
        files,
        hub_facts: hub_bundle.facts,
    })
}
