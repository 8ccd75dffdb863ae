//! The `gcp` target's Terraform: one Compute Engine VM in its own network,
//! a reserved external address, firewall rules, and a separate persistent
//! data disk that `terraform destroy` refuses to delete.
//!
//! Input: the plan and the sized machine. Output: `main.tf` and the
//! Google-specific variables. Data: `targets/gcp/vm.yaml`.

use crate::data::tables;
use crate::error::Error;
use crate::plan::Plan;
use crate::spec::Target;
use crate::targets::terraform::{File, Part, block, expr, object, string, template, workshop_name};
use crate::targets::terraform::{Variable, header};
use crate::targets::vm::machine::Machine;
use crate::targets::vm::summary::Commands;
use crate::targets::vm::terraform::{CloudFacts, locals};

/// `targets/gcp/vm.yaml`.
use crate::data::GcpVm as Facts;

fn facts() -> &'static Facts {
    &crate::data::GCP_VM
}

pub(crate) const PROVIDERS: &[&str] = &["cloudinit", "google"];

pub(crate) fn cloud_facts() -> CloudFacts<'static> {
    CloudFacts {
        public_ip: "google_compute_address.hub.address",
        compress: false,
        ssh_user: facts().ssh_user,
        data_disk_id: "google_compute_disk.data.id",
    }
}

fn gcp(plan: &Plan) -> Result<&crate::spec::Gcp, Error> {
    plan.clouds
        .gcp
        .as_ref()
        .ok_or_else(|| Error::Internal("the plan has no `cloud.gcp` block".to_owned()))
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

/// The Google-specific variables: project, region, zone and machine type.
pub(crate) fn variables(plan: &Plan, machine: &Machine) -> Result<Vec<Variable>, Error> {
    let gcp = gcp(plan)?;
    let zone = zone(plan)?;
    Ok(vec![
        Variable::new("project", "string", "The Google Cloud project id.")
            .default(string(&gcp.project))
            .validate(
                r#"can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project))"#,
                "project must be a Google Cloud project id: 6 to 30 lowercase letters, digits and hyphens.",
            ),
        Variable::new("region", "string", "The region of the address and the subnetwork.")
            .default(string(&gcp.region))
            .validate(
                r#"can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))"#,
                "region must be a Google Cloud region such as europe-west4.",
            ),
        Variable::new(
            "zone",
            "string",
            "The zone of the VM and its data disk; it must be in the region.",
        )
        .default(string(zone))
        .validate(
            r#"can(regex("^[a-z]+-[a-z]+[0-9]+-[a-z]$", var.zone))"#,
            "zone must be a Google Cloud zone such as europe-west4-a.",
        ),
        Variable::new(
            "machine_type",
            "string",
            format!(
                "The Compute Engine machine type. atlasod's sizing: {}; {}.",
                machine.requirement.join("; "),
                machine.instance.why.join("; ")
            ),
        )
        .default(string(machine.instance.name.clone().unwrap_or_default()))
        .validate(
            r#"can(regex("^[a-z][a-z0-9]*-[a-z0-9-]+$", var.machine_type))"#,
            "machine_type must be a Compute Engine machine type such as n2-standard-32.",
        ),
    ])
}

/// `main.tf`.
pub(crate) fn main_tf(plan: &Plan, cloudinit: hcl::Block) -> Result<File, Error> {
    let f = facts();
    let header = header(plan, "The Google Cloud resources");
    let mut file = File::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    file.push(
        block("provider", &["google"])
            .raw("project", "var.project")?
            .raw("region", "var.region")?
            .raw("zone", "var.zone")?
            .raw("default_labels", "local.tags")?
            .build(),
    );
    file.push(locals(
        plan,
        "atlasod-workshop",
        vec![(
            "data_device",
            string(format!("/dev/disk/by-id/google-{}", f.data_device_name)),
        )],
    )?);
    file.push(
        block("data", &["google_compute_image", "ubuntu"])
            .attr("project", string(f.image_project))
            .attr("family", string(f.image_family))
            .build(),
    );
    file.push(cloudinit);
    network(&mut file, f)?;
    disk(&mut file, f)?;
    file.push(instance(f)?);
    file.note(
        "resource.google_compute_instance.hub",
        "checkov:skip=CKV_GCP_40:the hub is served on the VM's public address; there is no load balancer in front of one VM",
    );
    file.note(
        "resource.google_compute_instance.hub",
        "checkov:skip=CKV_GCP_38:the boot disk holds only Ubuntu and Docker, encrypted at rest with Google-managed keys",
    );
    Ok(file)
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
            .raw("count", "var.admin_cidr == null ? 0 : 1")?
            .attr("name", workshop_name("-ssh"))
            .raw("network", "google_compute_network.hub.id")?
            .attr("description", string("SSH from the admin network only"))
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
    file.push(
        block("resource", &["google_compute_disk", "data"])
            .attr("name", workshop_name("-data"))
            .raw("zone", "var.zone")?
            .attr("type", string(f.disk_type))
            .raw("size", "var.data_disk_gb")?
            .attr(
                "description",
                string("Homes, datasets and Docker's data of the workshop hub"),
            )
            .child(
                block("lifecycle", &[])
                    .attr("prevent_destroy", true)
                    .build(),
            )
            .build(),
    );
    file.note(
        "resource.google_compute_disk.data",
        "Homes, datasets and Docker's data: kept when the VM is replaced. See README.md to delete it.",
    );
    file.note(
        "resource.google_compute_disk.data",
        "checkov:skip=CKV_GCP_37:encrypted at rest with Google-managed keys; customer-supplied keys would have to be kept by the trainer and given at every start",
    );
    file.push(
        block("resource", &["terraform_data", "user_data"])
            .raw("input", "sha256(data.cloudinit_config.hub.rendered)")?
            .build(),
    );
    file.note(
        "resource.terraform_data.user_data",
        "Changes when the user-data does, and so replaces the VM (cloud-init runs once per VM).",
    );
    Ok(())
}

fn instance(f: &Facts) -> Result<hcl::Block, Error> {
    let tags = hcl::Expression::from(vec![string(f.network_tag)]);
    let metadata = object([
        ("user-data", expr("data.cloudinit_config.hub.rendered")?),
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
                .child(
                    block("precondition", &[])
                        .raw("condition", r#"startswith(var.zone, "${var.region}-")"#)?
                        .attr(
                            "error_message",
                            template(&[
                                Part::Lit("The zone "),
                                Part::Ref("var.zone"),
                                Part::Lit(" is not in the region "),
                                Part::Ref("var.region"),
                                Part::Lit("."),
                            ]),
                        )
                        .build(),
                )
                .build(),
        )
        .build())
}

/// The Google Cloud commands of the summary and README.
pub(crate) fn commands(plan: &Plan) -> Result<Commands, Error> {
    let gcp = gcp(plan)?;
    let zone = zone(plan)?;
    let name = &plan.name;
    let project = &gcp.project;
    Ok(Commands {
        credentials: "gcloud auth application-default login".to_owned(),
        credentials_help: format!(
            "Terraform's Google provider uses Application Default Credentials: `gcloud auth application-default login` (or `GOOGLE_APPLICATION_CREDENTIALS` with a service-account key). The project `{project}` needs the Compute Engine API enabled."
        ),
        disk_resource: "google_compute_disk.data".to_owned(),
        delete_disk: format!(
            "gcloud compute disks delete {name}-data --project {project} --zone {zone}"
        ),
        leftovers: format!(
            "gcloud asset search-all-resources --scope projects/{project} --query 'labels.atlasod-workshop={name}'  (firewall rules and the network carry the name `{name}-*`: gcloud compute firewall-rules list --filter 'name~^{name}-')"
        ),
        start_vm: format!(
            "`gcloud compute instances start {name}-hub --project {project} --zone {zone}`"
        ),
        console_log: format!(
            "read the boot log with `gcloud compute instances get-serial-port-output {name}-hub --project {project} --zone {zone}`"
        ),
    })
}
