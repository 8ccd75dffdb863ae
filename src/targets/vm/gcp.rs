//! The `gcp` cloud: one Compute Engine VM in its own network, a reserved
//! external address, firewall rules, and a separate persistent data disk
//! that `terraform destroy` refuses to delete.
//!
//! Input: the plan and its machine. Output: the Google Cloud [`Cloud`]: its
//! variables (project, region, zone, machine type), the resources of
//! `main.tf` and its commands. Data: `targets/gcp/vm.yaml`.

use super::cloud::{self, Cloud, Commands, Place, Profile, SecretVersions, UBUNTU};
use super::terraform::{DATA_DISK, IF_ADMIN_CIDR, SSH, condition, data_disk};
use super::variables::{instance_type, matching};
use crate::data::tables;
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::spec::Target;
use crate::targets::terraform::{
    File, Part, Variable, block, expr, object, string, template, workshop_name,
};

/// Google Cloud: Compute Engine and a network of its own.
pub(crate) struct Gcp;

const PROFILE: Profile = Profile {
    target: Target::Gcp,
    providers: &["google"],
    provider_args: &[
        ("project", "var.project"),
        ("region", "var.region"),
        ("zone", "var.zone"),
        ("default_labels", "local.tags"),
    ],
    resources: "The Google Cloud resources",
    public_ip: "google_compute_address.hub.address",
    data_disk: "google_compute_disk.data",
    location: "var.zone",
    compress: false,
    secrets: Some(SecretVersions {
        env: "google_secret_manager_secret_version.env.name",
        accounts: "google_secret_manager_secret_version.accounts.name",
    }),
};

fn gcp(plan: &Plan) -> Result<&crate::spec::Gcp, Error> {
    cloud::block(plan.clouds.gcp.as_ref(), Target::Gcp)
}

/// The zone: as written, else the region's first zone in the table.
fn zone(plan: &Plan) -> Result<String, Error> {
    let gcp = gcp(plan)?;
    if let Some(zone) = &gcp.zone {
        return Ok(zone.clone());
    }
    tables::for_target(Target::Gcp)
        .and_then(|t| t.region(&gcp.region))
        .and_then(|r| r.zones.first())
        .map(|zone| (*zone).to_owned())
        .ok_or_else(|| Error::Internal(format!("no zone known for `{}`", gcp.region)))
}

impl Cloud for Gcp {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn place(&self, plan: &Plan) -> Result<Place, Error> {
        let gcp = gcp(plan)?;
        let place = gcp.zone.as_deref().unwrap_or(&gcp.region);
        Ok(Place {
            location: format!("gcp {} {place}", gcp.project),
            os_image: UBUNTU.to_owned(),
        })
    }

    fn ssh_user(&self) -> &'static str {
        facts().ssh_user
    }

    fn variables(&self, plan: &Plan, machine: &VmPlan) -> Result<Vec<Variable>, Error> {
        let gcp = gcp(plan)?;
        Ok(vec![
            matching(
                "project",
                "The Google Cloud project id.",
                &gcp.project,
                "^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
                "project must be a Google Cloud project id: 6 to 30 lowercase letters, digits and hyphens.",
            ),
            matching(
                "region",
                "The region of the address and the subnetwork.",
                &gcp.region,
                "^[a-z]+-[a-z]+[0-9]+$",
                "region must be a Google Cloud region such as europe-west4.",
            ),
            matching(
                "zone",
                "The zone of the VM and its data disk; it must be in the region.",
                &zone(plan)?,
                "^[a-z]+-[a-z]+[0-9]+-[a-z]$",
                "zone must be a Google Cloud zone such as europe-west4-a.",
            ),
            instance_type(
                "machine_type",
                "The Compute Engine machine type",
                machine,
                "^[a-z][a-z0-9]*-[a-z0-9-]+$",
                "machine_type must be a Compute Engine machine type such as n2-standard-32.",
            ),
        ])
    }

    fn data_device(&self) -> hcl::Expression {
        string(format!(
            "/dev/disk/by-id/google-{}",
            facts().data_device_name
        ))
    }

    fn main_tf(&self, _: &VmPlan, accounts: bool, file: &mut File) -> Result<(), Error> {
        let f = facts();
        file.push(
            block("data", &["google_compute_image", "ubuntu"])
                .attr("project", string(f.image_project))
                .attr("family", string(f.image_family))
                .build(),
        );
        network(file, f)?;
        disk(file, f)?;
        secrets(file, accounts)?;
        file.push(instance(f, accounts)?);
        file.note(
            "resource.google_compute_instance.hub",
            "checkov:skip=CKV_GCP_40:the hub is served on the VM's public address; there is no load balancer in front of one VM",
        );
        file.note(
            "resource.google_compute_instance.hub",
            "checkov:skip=CKV_GCP_38:the boot disk holds only Ubuntu and Docker, encrypted at rest with Google-managed keys",
        );
        Ok(())
    }

    /// The Google Cloud commands of the summary and README.
    fn commands(&self, plan: &Plan) -> Result<Commands, Error> {
        let project = &gcp(plan)?.project;
        let zone = zone(plan)?;
        let name = &plan.name;
        Ok(Commands {
            credentials: "gcloud auth application-default login",
            credentials_help: format!(
                "Terraform's Google provider uses Application Default Credentials: `gcloud auth application-default login` (or `GOOGLE_APPLICATION_CREDENTIALS` with a service-account key). The project `{project}` needs the Compute Engine API enabled; Terraform enables the Secret Manager and IAM APIs itself, and creates a service account and a secret (the credentials need those rights: Owner, or Compute Admin with Service Account Admin, Service Account User and Secret Manager Admin)."
            ),
            delete_disk: format!(
                "gcloud compute disks delete {name}-data --project {project} --zone {zone}"
            ),
            leftovers: format!(
                "gcloud asset search-all-resources --scope projects/{project} --query 'labels.atlasod-workshop={name}'  (firewall rules and the network carry the name `{name}-*`: gcloud compute firewall-rules list --filter 'name~^{name}-')"
            ),
            start_vm: format!(
                "`gcloud compute instances start {name}-hub --project {project} --zone {zone}`"
            ),
            boot_log: format!(
                "gcloud compute instances get-serial-port-output {name}-hub --project {project} --zone {zone}"
            ),
        })
    }
}

/// The network, its subnetwork, the firewall rules and the static address.
fn network(file: &mut File, f: &Facts) -> Result<(), Error> {
    file.push(
        block("resource", &["google_compute_network", "hub"])
            .attr("name", workshop_name("-net"))
            .attr("auto_create_subnetworks", false)
            .build(),
    );
    file.push(
        block("resource", &["google_compute_subnetwork", "hub"])
            .attr("name", workshop_name("-subnet"))
            .raw("network", "google_compute_network.hub.id")?
            .raw("region", "var.region")?
            .attr("ip_cidr_range", string(f.subnet_cidr))
            .attr("private_ip_google_access", true)
            .build(),
    );
    file.note(
        "resource.google_compute_subnetwork.hub",
        "checkov:skip=CKV_GCP_26:flow logs of a one-VM workshop network would be billed Cloud Logging volume with no reader; enable log_config if your institution audits traffic",
    );
    let tags = hcl::Expression::from(vec![string(f.network_tag)]);
    file.push(
        block("resource", &["google_compute_firewall", "web"])
            .attr("name", workshop_name("-web"))
            .raw("network", "google_compute_network.hub.id")?
            .attr(
                "description",
                string(
                    "HTTP (Let's Encrypt's challenge, redirect) and HTTPS (the hub) from anywhere",
                ),
            )
            .attr("direction", string("INGRESS"))
            .attr(
                "source_ranges",
                hcl::Expression::from(vec![string("0.0.0.0/0")]),
            )
            .attr("target_tags", tags.clone())
            .child(
                block("allow", &[])
                    .attr("protocol", string("tcp"))
                    .attr(
                        "ports",
                        hcl::Expression::from(vec![string("80"), string("443")]),
                    )
                    .build(),
            )
            .build(),
    );
    file.note(
        "resource.google_compute_firewall.web",
        "checkov:skip=CKV_GCP_106:port 80 must be open to everyone for the Let's Encrypt HTTP-01 challenge; Caddy only redirects it to HTTPS",
    );
    file.push(
        block("resource", &["google_compute_firewall", "ssh"])
            .raw("count", IF_ADMIN_CIDR)?
            .attr("name", workshop_name("-ssh"))
            .raw("network", "google_compute_network.hub.id")?
            .attr("description", string(SSH))
            .attr("direction", string("INGRESS"))
            .raw("source_ranges", "[var.admin_cidr]")?
            .attr("target_tags", tags.clone())
            .child(
                block("allow", &[])
                    .attr("protocol", string("tcp"))
                    .attr("ports", hcl::Expression::from(vec![string("22")]))
                    .build(),
            )
            .build(),
    );
    file.push(
        block("resource", &["google_compute_address", "hub"])
            .attr("name", workshop_name("-hub"))
            .raw("region", "var.region")?
            .attr("address_type", string("EXTERNAL"))
            .attr("description", string("The hub's static public address"))
            .build(),
    );
    Ok(())
}

/// The data disk, and the marker that replaces the VM when its user-data changes.
fn disk(file: &mut File, f: &Facts) -> Result<(), Error> {
    data_disk(
        file,
        &PROFILE,
        block("resource", &["google_compute_disk", "data"])
            .attr("name", workshop_name("-data"))
            .raw("zone", "var.zone")?
            .attr("type", string(f.disk_type))
            .raw("size", "var.data_disk_gb")?
            .attr("description", string(DATA_DISK)),
    );
    file.note(
        "resource.google_compute_disk.data",
        "checkov:skip=CKV_GCP_37:encrypted at rest with Google-managed keys; customer-supplied keys would have to be kept by the trainer and given at every start",
    );
    file.push(
        block("resource", &["terraform_data", "user_data"])
            .raw("input", "sha256(local.user_data)")?
            .build(),
    );
    file.note(
        "resource.terraform_data.user_data",
        "Changes when the user-data does, and so replaces the VM (cloud-init runs once per VM).",
    );
    Ok(())
}

/// The hub's `.env` in Secret Manager, readable only by the VM's own service
/// account: the instance metadata, which every project viewer can read, carries
/// only the name of the secret's version (see `atlasod-read-secrets`). `accounts`: the
/// roster's passwords too, in a second secret read the same way.
fn secrets(file: &mut File, accounts: bool) -> Result<(), Error> {
    for (name, api) in [("secretmanager", "Secret Manager"), ("iam", "IAM")] {
        file.push(
            block("resource", &["google_project_service", name])
                .attr("service", string(format!("{name}.googleapis.com")))
                .attr("disable_on_destroy", false)
                .build(),
        );
        file.note(
            &format!("resource.google_project_service.{name}"),
            format!(
                "The {api} API, left enabled on destroy (other things in the project may use it)."
            ),
        );
    }
    secret(
        file,
        "env",
        "-hub-env",
        "The hub's settings and secrets (`.env`); like terraform.tfvars and the state, keep it private.",
        "local.dotenv",
    )?;
    if accounts {
        secret(
            file,
            "accounts",
            "-accounts",
            "The roster's passwords (../accounts.csv, from `atlasod accounts`); keep it private.",
            "local.accounts",
        )?;
    }
    file.push(
        block("resource", &["google_service_account", "hub"])
            // 6 to 30 characters: a workshop name may have 32
            .raw(
                "account_id",
                r#""atlasod-${substr(sha256(local.workshop), 0, 16)}""#,
            )?
            .attr("display_name", workshop_name(" hub (atlasod)"))
            .attr(
                "description",
                string(if accounts {
                    "The hub VM's identity: it may read the hub's two secrets, nothing else"
                } else {
                    "The hub VM's identity: it may read the hub's secret, nothing else"
                }),
            )
            .raw("depends_on", "[google_project_service.iam]")?
            .build(),
    );
    for (label, name) in access(accounts) {
        file.push(
            block(
                "resource",
                &["google_secret_manager_secret_iam_member", label],
            )
            .raw(
                "secret_id",
                &format!("google_secret_manager_secret.{name}.id"),
            )?
            .attr("role", string("roles/secretmanager.secretAccessor"))
            .raw(
                "member",
                r#""serviceAccount:${google_service_account.hub.email}""#,
            )?
            .build(),
        );
    }
    Ok(())
}

/// The VM's right to read each secret: (the IAM member's label, the secret's).
fn access(accounts: bool) -> &'static [(&'static str, &'static str)] {
    if accounts {
        &[("hub", "env"), ("accounts", "accounts")]
    } else {
        &[("hub", "env")]
    }
}

/// One Secret Manager secret (`name`, its id the workshop's name and `suffix`) and its version
/// holding `data` (HCL).
fn secret(file: &mut File, name: &str, suffix: &str, note: &str, data: &str) -> Result<(), Error> {
    file.push(
        block("resource", &["google_secret_manager_secret", name])
            .attr("secret_id", workshop_name(suffix))
            .child(
                block("replication", &[])
                    .child(block("auto", &[]).build())
                    .build(),
            )
            .raw("depends_on", "[google_project_service.secretmanager]")?
            .build(),
    );
    file.note(
        &format!("resource.google_secret_manager_secret.{name}"),
        note,
    );
    file.push(
        block("resource", &["google_secret_manager_secret_version", name])
            .raw("secret", &format!("google_secret_manager_secret.{name}.id"))?
            .raw("secret_data", data)?
            .build(),
    );
    Ok(())
}

fn instance(f: &Facts, accounts: bool) -> Result<hcl::Block, Error> {
    let tags = hcl::Expression::from(vec![string(f.network_tag)]);
    let metadata = object([
        ("user-data", expr("local.user_data")?),
        ("block-project-ssh-keys", string("true")),
        ("serial-port-enable", string("false")),
        (
            "ssh-keys",
            hcl::Expression::from(hcl::expr::Conditional::new(
                expr("var.ssh_public_key == null")?,
                string(""),
                template(&[
                    Part::Lit(f.ssh_user),
                    Part::Lit(":"),
                    Part::Ref("var.ssh_public_key"),
                ]),
            )),
        ),
    ]);
    Ok(block("resource", &["google_compute_instance", "hub"])
        .attr("name", workshop_name("-hub"))
        .raw("machine_type", "var.machine_type")?
        .raw("zone", "var.zone")?
        .attr("tags", tags)
        .attr("allow_stopping_for_update", true)
        .attr("metadata", metadata)
        // the VM reads its secrets at boot
        .raw(
            "depends_on",
            &format!(
                "[{}]",
                access(accounts)
                    .iter()
                    .map(|(label, _)| format!("google_secret_manager_secret_iam_member.{label}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )?
        .child(
            block("boot_disk", &[])
                .attr("auto_delete", true)
                .child(
                    block("initialize_params", &[])
                        .raw("image", "data.google_compute_image.ubuntu.self_link")?
                        .raw("size", "var.boot_disk_gb")?
                        .attr("type", string(f.disk_type))
                        .raw("labels", "local.tags")?
                        .build(),
                )
                .build(),
        )
        .child(
            block("attached_disk", &[])
                .raw("source", "google_compute_disk.data.id")?
                .attr("device_name", string(f.data_device_name))
                .attr("mode", string("READ_WRITE"))
                .build(),
        )
        .child(
            block("network_interface", &[])
                .raw("subnetwork", "google_compute_subnetwork.hub.id")?
                .child(
                    block("access_config", &[])
                        .raw("nat_ip", "google_compute_address.hub.address")?
                        .build(),
                )
                .build(),
        )
        .child(
            // its own identity, allowed only to read the hub's secrets (IAM decides; the
            // scope only lets IAM decide)
            block("service_account", &[])
                .raw("email", "google_service_account.hub.email")?
                .raw("scopes", r#"["cloud-platform"]"#)?
                .build(),
        )
        .child(
            block("shielded_instance_config", &[])
                .attr("enable_secure_boot", true)
                .attr("enable_vtpm", true)
                .attr("enable_integrity_monitoring", true)
                .build(),
        )
        .child(
            block("lifecycle", &[])
                .raw(
                    "ignore_changes",
                    "[boot_disk[0].initialize_params[0].image]",
                )?
                .raw("replace_triggered_by", "[terraform_data.user_data]")?
                .child(condition(
                    "precondition",
                    r#"startswith(var.zone, "${var.region}-")"#,
                    &[
                        Part::Lit("The zone "),
                        Part::Ref("var.zone"),
                        Part::Lit(" is not in the region "),
                        Part::Ref("var.region"),
                        Part::Lit("."),
                    ],
                )?)
                .build(),
        )
        .build())
}

/// `targets/gcp/vm.yaml`: the image, disk and network facts of the cloud.
use crate::data::GcpVm as Facts;

fn facts() -> &'static Facts {
    &crate::data::GCP_VM
}
