//! The single-VM targets (`aws`, `gcp`, `openstack`): one VM that runs the
//! hub bundle with docker compose, created by a Terraform root module.
//!
//! Input: a plan (with the machine it sized for the cloud) and the cloud.
//! Output: the bundle `<out>/<cloud>/`: `README.md` (the build summary and
//! the commands) and `terraform/` (the root module, its `user-data.yaml.tftpl` and
//! `terraform.tfvars.example`).
//!
//! The target is looked up once as a [`cloud::Cloud`] descriptor; everything
//! else is shared: cloud-init ([`cloud_init`]), the hub bundle ([`hub`]), the
//! variables ([`variables`]), the shared Terraform blocks ([`terraform`]) and
//! the summary ([`summary`]). Each cloud's own facts and resources are in
//! [`aws`], [`gcp`] and [`openstack`].

pub(crate) mod aws;
pub(crate) mod cloud;
pub(crate) mod cloud_init;
pub(crate) mod gcp;
pub(crate) mod hub;
pub(crate) mod lean_python;
pub(crate) mod openstack;
pub(crate) mod summary;
pub(crate) mod terraform;
pub(crate) mod variables;

use cloud::Cloud;

use crate::bundle::Bundle;
use crate::bundle::facts::{self, TargetFacts};
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::spec::Target;
use crate::targets::terraform::{File, accounts, header, variables_file, versions};

/// Renders the bundle of a single-VM `target`.
pub(crate) fn render(plan: &Plan, target: Target) -> Result<Bundle, Error> {
    let cloud = cloud::of(target)?;
    let machine = sized(plan, target)?;
    let hub = hub::bundle(plan)?;
    let mut bundle = Bundle::new();
    bundle.facts = facts(plan, cloud, machine, hub.facts.clone())?;
    for (path, text) in files(plan, cloud, machine, &hub)? {
        bundle.add(path, text);
    }
    Ok(bundle)
}

/// The build summary printed after `atlasod build` (the bundle's README has
/// the same); its commands `cd` into the bundle written to `bundle_dir`.
pub(crate) fn summary(plan: &Plan, target: Target, bundle_dir: &str) -> Result<String, Error> {
    summary::text_in(
        plan,
        cloud::of(target)?,
        sized(plan, target)?,
        &format!("{bundle_dir}/terraform"),
    )
}

/// The machine the plan sized for `target`.
fn sized(plan: &Plan, target: Target) -> Result<&VmPlan, Error> {
    plan.vms.get(&target).ok_or_else(|| {
        Error::Internal(format!(
            "the plan has no machine for `{target}`: it was not lowered for that target"
        ))
    })
}

/// The machine and data disk this bundle asks the cloud for, for the
/// semantic diff (the hub bundle's own facts, home volume and secrets, kept).
fn facts(
    plan: &Plan,
    cloud: &dyn Cloud,
    machine: &VmPlan,
    mut facts: TargetFacts,
) -> Result<TargetFacts, Error> {
    let place = cloud.place(plan)?;
    let instance = &machine.instance;
    let kind = instance.name.clone().unwrap_or_else(|| {
        format!(
            "the smallest flavor with {} vCPU and {} MiB, chosen at apply time",
            machine.min_vcpus, machine.min_memory_mib
        )
    });
    facts.machine = Some(facts::Machine {
        location: place.location.clone(),
        kind,
        vcpu: instance.vcpu,
        memory_gib: instance.memory_gib,
        hourly_price: machine.cost.as_ref().and_then(|c| c.hourly),
        currency: machine
            .cost
            .as_ref()
            .map(|c| c.currency.clone())
            .unwrap_or_default(),
        os_image: place.os_image,
    });
    facts.data_disk = Some(facts::DataDisk {
        location: place.location,
        size_gib: machine.data_disk.gib,
    });
    Ok(facts)
}

/// The files of the bundle, by path.
fn files(
    plan: &Plan,
    cloud: &dyn Cloud,
    machine: &VmPlan,
    hub: &Bundle,
) -> Result<Vec<(String, String)>, Error> {
    let env = hub::env(plan);
    let mut variables = cloud.variables(plan, machine)?;
    variables.extend(variables::common(plan, machine, &env));
    let profile = cloud.profile();
    let secret_manager = profile.secrets.is_some();
    let files = cloud_init::files(plan, hub, cloud.ssh_user(), secret_manager)?;
    let user_data = cloud_init::user_data(plan, machine.cloud, &files, secret_manager)?;
    let mut locals = cloud.locals()?;
    locals.push(("data_device", cloud.data_device()));
    locals.push((
        "dotenv",
        terraform::dotenv(profile, &env, hub::public_host_from_env(plan)),
    ));
    let roster = plan.has_accounts();
    if roster {
        locals.push(("accounts", accounts::local()));
    }
    locals.push(("user_data", terraform::user_data(profile, roster)?));
    let mut main = File::new(&header(plan, cloud.profile().resources));
    main.push(cloud.provider()?);
    main.push(terraform::locals(plan, locals)?);
    cloud.main_tf(machine, roster, &mut main)?;
    main.push(terraform::location_guard(cloud.profile())?);
    main.note(
        "resource.terraform_data.location",
        "Where the resources were created: a plan that would move them stops here.",
    );
    if roster {
        main.push(accounts::guard(profile.target));
        main.note(
            "resource.terraform_data.accounts",
            "The roster's passwords, from ../accounts.csv (`atlasod accounts`): no plan without them.",
        );
    }
    let summary = summary::text(plan, cloud, machine)?;
    let readme = summary::readme(plan, cloud, machine, &summary)?;
    let mut files = Vec::new();
    if roster {
        files.push((".gitignore".to_owned(), accounts::GITIGNORE.to_owned()));
    }
    files.extend([
        ("README.md".to_owned(), readme),
        (
            "terraform/.gitignore".to_owned(),
            include_str!("../../../targets/terraform.gitignore").to_owned(),
        ),
        (
            "terraform/versions.tf".to_owned(),
            versions(
                &header(plan, "Terraform and provider versions"),
                cloud.profile().providers,
            )?
            .to_text(),
        ),
        (
            "terraform/variables.tf".to_owned(),
            variables_file(&header(plan, "Input variables"), &variables)?.to_text(),
        ),
        ("terraform/main.tf".to_owned(), main.to_text()),
        (
            "terraform/outputs.tf".to_owned(),
            terraform::outputs(plan, cloud)?.to_text(),
        ),
        (
            "terraform/terraform.tfvars.example".to_owned(),
            variables::tfvars_example(plan, &variables),
        ),
        ("terraform/user-data.yaml.tftpl".to_owned(), user_data),
    ]);
    Ok(files)
}
