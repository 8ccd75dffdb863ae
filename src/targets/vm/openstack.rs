//! The `openstack` cloud: one server booted from the spec's image, a port
//! with a security group, a floating IP, and a separate data volume that
//! `terraform destroy` refuses to delete.
//!
//! OpenStack has no public flavor catalogue: `flavor: auto` becomes an
//! `openstack_compute_flavor_v2` data source that asks the cloud, at apply
//! time, for a flavor with the vCPUs and memory the class needs.
//!
//! Input: the plan and its machine. Output: the OpenStack [`Cloud`]: its
//! variables (endpoint, region, image, network, flavor), the resources of
//! `main.tf` and its commands. Data: `targets/openstack/vm.yaml`.

use super::cloud::{self, Cloud, Commands, Place, Profile};
use super::terraform::{DATA_DISK, FIREWALL, TAG, admin_key, condition, data_disk, ingress_rules};
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::spec::Target;
use crate::targets::terraform::{File, Part, Variable, block, string, template, workshop_name};

/// An OpenStack cloud: Nova, Cinder and Neutron, through its own endpoint.
pub(crate) struct OpenStack;

const PROFILE: Profile = Profile {
    target: Target::Openstack,
    providers: &["openstack"],
    provider_args: &[("auth_url", "var.auth_url"), ("region", "var.region")],
    resources: "The OpenStack resources",
    public_ip: "openstack_networking_floatingip_v2.hub.address",
    data_disk: "openstack_blockstorage_volume_v3.data",
    location: r#"join(" ", compact([var.auth_url, var.region]))"#,
    compress: true,
    secrets: None,
};

fn openstack(plan: &Plan) -> Result<&crate::spec::OpenStack, Error> {
    cloud::block(plan.clouds.openstack.as_ref(), Target::Openstack)
}

impl Cloud for OpenStack {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn place(&self, plan: &Plan) -> Result<Place, Error> {
        let os = openstack(plan)?;
        let region = os
            .region
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        Ok(Place {
            location: format!("openstack {}{region}", os.auth_url),
            os_image: os.image.clone(),
        })
    }

    fn ssh_user(&self) -> &'static str {
        facts().ssh_user
    }

    fn variables(&self, plan: &Plan, machine: &VmPlan) -> Result<Vec<Variable>, Error> {
        let os = openstack(plan)?;
        let vcpus = crate::plan::vm::flavor_vcpus(machine.min_vcpus);
        Ok(vec![
            Variable::new(
                "auth_url",
                "string",
                "The cloud's Keystone (identity) endpoint. Credentials come from clouds.yaml (OS_CLOUD) or the OS_* variables, never from this module.",
            )
            .default(string(&os.auth_url))
            .validate(
                r#"can(regex("^https?://", var.auth_url))"#,
                "auth_url must be an http(s) URL such as https://keystone.example.org:5000/v3.",
            ),
            Variable::new(
                "region",
                "string",
                "The cloud region; null: the cloud's default (or OS_REGION_NAME).",
            )
            .optional_string(os.region.as_deref()),
            name_in_cloud(
                "image_name",
                "The name of an Ubuntu 24.04 image in the cloud's catalogue (openstack image list).",
                &os.image,
            ),
            name_in_cloud(
                "network",
                "The name of the tenant network the VM joins (openstack network list).",
                &os.network,
            ),
            name_in_cloud(
                "floating_ip_pool",
                "The external network floating IPs come from (openstack network list --external).",
                &os.floating_ip_pool,
            ),
            Variable::new(
                "flavor",
                "string",
                format!(
                    "A flavor name (openstack flavor list), used as is. null: ask the cloud for the flavor with exactly flavor_vcpus vCPUs and at least flavor_min_ram_mb MiB of memory. atlasod's sizing: {}.",
                    machine.requirement.join("; ")
                ),
            )
            .optional_string(machine.instance.name.as_deref()),
            Variable::new(
                "flavor_vcpus",
                "number",
                format!(
                    "With flavor = null: the vCPUs of the flavor to look up ({} are needed, rounded up to a usual flavor size).",
                    machine.min_vcpus
                ),
            )
            .default(vcpus)
            .validate(
                &format!("var.flavor_vcpus >= {}", machine.min_vcpus),
                format!("flavor_vcpus must be at least {}: the class needs that many.", machine.min_vcpus),
            ),
            Variable::new(
                "flavor_min_ram_mb",
                "number",
                "With flavor = null: the least memory, in MiB, of the flavor to look up.",
            )
            .default(machine.min_memory_mib)
            .validate(
                &format!("var.flavor_min_ram_mb >= {}", machine.min_memory_mib),
                format!(
                    "flavor_min_ram_mb must be at least {}: the class needs that much.",
                    machine.min_memory_mib
                ),
            ),
        ])
    }

    fn data_device(&self) -> hcl::Expression {
        let f = facts();
        template(&[
            Part::Lit(f.virtio_prefix),
            Part::Ref("substr(openstack_blockstorage_volume_v3.data.id, 0, 20)"),
            Part::Lit(" "),
            Part::Lit(f.scsi_prefix),
            Part::Ref("openstack_blockstorage_volume_v3.data.id"),
        ])
    }

    fn main_tf(&self, machine: &VmPlan, _: bool, file: &mut File) -> Result<(), Error> {
        file.push(
            block("data", &["openstack_images_image_v2", "ubuntu"])
                .raw("name", "var.image_name")?
                .attr("most_recent", true)
                .build(),
        );
        file.push(
            block("data", &["openstack_networking_network_v2", "hub"])
                .raw("name", "var.network")?
                .build(),
        );
        flavor(file, machine)?;
        firewall(file)?;
        disk_and_vm(file)?;
        Ok(())
    }

    /// The OpenStack commands of the summary and README.
    fn commands(&self, plan: &Plan) -> Result<Commands, Error> {
        let name = &plan.name;
        openstack(plan)?;
        Ok(Commands {
            credentials: "export OS_CLOUD=<your cloud in clouds.yaml>   # or: source <project>-openrc.sh",
            credentials_help: "Terraform's OpenStack provider reads your cloud's credentials from `clouds.yaml` (`export OS_CLOUD=...`) or from the `OS_*` variables of an openrc file; the endpoint is `auth_url` in terraform.tfvars. The project needs quota for one server, two volumes, a port and a floating IP.".to_owned(),
            delete_disk: "openstack volume delete <data_disk_id>".to_owned(),
            leftovers: format!(
                "openstack server list --tags atlasod-workshop={name}; openstack floating ip list --tags atlasod-workshop={name}; openstack volume list --name {name}-data"
            ),
            start_vm: format!("`openstack server start {name}-hub`"),
            boot_log: format!("openstack console log show {name}-hub"),
        })
    }
}

/// A name the cloud knows (`openstack network list`): any non-empty string.
fn name_in_cloud(name: &str, description: &str, default: &str) -> Variable {
    Variable::new(name, "string", description)
        .default(string(default))
        .validate(
            &format!("length(var.{name}) > 0"),
            format!("{name} must not be empty."),
        )
}

/// `["atlasod-workshop=<name>"]`: OpenStack tags are plain strings.
fn tag_list() -> hcl::Expression {
    hcl::Expression::from(vec![template(&[
        Part::Lit(TAG),
        Part::Lit("="),
        Part::Ref("local.workshop"),
    ])])
}

/// The flavor: named, or looked up by vCPUs and memory; and a check that it fits.
fn flavor(file: &mut File, machine: &VmPlan) -> Result<(), Error> {
    file.push(
        block("data", &["openstack_compute_flavor_v2", "hub"])
            .raw("name", "var.flavor")?
            .raw("vcpus", "var.flavor == null ? var.flavor_vcpus : null")?
            .raw(
                "min_ram",
                "var.flavor == null ? var.flavor_min_ram_mb : null",
            )?
            .build(),
    );
    file.note(
        "data.openstack_compute_flavor_v2.hub",
        "With flavor = null, the cloud must have exactly one flavor with flavor_vcpus vCPUs and at least flavor_min_ram_mb MiB; otherwise plan stops with \"no results\" or \"more than one result\": then set flavor in terraform.tfvars.",
    );
    file.push(
        block("check", &["flavor_fits"])
            .child(condition(
                "assert",
                &format!(
                    "data.openstack_compute_flavor_v2.hub.vcpus >= {} && data.openstack_compute_flavor_v2.hub.ram >= {}",
                    machine.min_vcpus, machine.min_memory_mib
                ),
                &[
                    Part::Lit("The flavor "),
                    Part::Ref("data.openstack_compute_flavor_v2.hub.name"),
                    Part::Lit(" has "),
                    Part::Ref("data.openstack_compute_flavor_v2.hub.vcpus"),
                    Part::Lit(" vCPUs and "),
                    Part::Ref("data.openstack_compute_flavor_v2.hub.ram"),
                    Part::Lit(&format!(
                        " MiB; the class needs {} vCPUs and {} MiB, so users will be short of CPU or memory.",
                        machine.min_vcpus, machine.min_memory_mib
                    )),
                ],
            )?)
            .build(),
    );
    Ok(())
}

fn rule(label: &str, description: &str, port: u16, cidr: &str) -> Result<hcl::Block, Error> {
    Ok(block(
        "resource",
        &["openstack_networking_secgroup_rule_v2", label],
    )
    .attr("description", string(description))
    .attr("direction", string("ingress"))
    .attr("ethertype", string("IPv4"))
    .attr("protocol", string("tcp"))
    .attr("port_range_min", port)
    .attr("port_range_max", port)
    .raw("remote_ip_prefix", cidr)?
    .raw(
        "security_group_id",
        "openstack_networking_secgroup_v2.hub.id",
    )?
    .build())
}

/// The security group (80 and 443 from anywhere, 22 from `admin_cidr` only),
/// the port and the floating IP.
fn firewall(file: &mut File) -> Result<(), Error> {
    file.push(
        block("resource", &["openstack_networking_secgroup_v2", "hub"])
            .attr("name", workshop_name("-hub"))
            .attr("description", string(FIREWALL))
            .attr("tags", tag_list())
            .build(),
    );
    ingress_rules(file, rule)?;
    file.push(
        block("resource", &["openstack_networking_port_v2", "hub"])
            .attr("name", workshop_name("-hub"))
            .raw("network_id", "data.openstack_networking_network_v2.hub.id")?
            .raw(
                "security_group_ids",
                "[openstack_networking_secgroup_v2.hub.id]",
            )?
            .attr("admin_state_up", true)
            .attr("tags", tag_list())
            .build(),
    );
    file.push(
        block("resource", &["openstack_networking_floatingip_v2", "hub"])
            .raw("pool", "var.floating_ip_pool")?
            .raw("port_id", "openstack_networking_port_v2.hub.id")?
            .attr("description", workshop_name(" hub"))
            .attr("tags", tag_list())
            .build(),
    );
    Ok(())
}

/// The SSH key, the data volume and the server.
fn disk_and_vm(file: &mut File) -> Result<(), Error> {
    file.push(admin_key("openstack_compute_keypair_v2", "name")?);
    data_disk(
        file,
        &PROFILE,
        block("resource", &["openstack_blockstorage_volume_v3", "data"])
            .attr("name", workshop_name("-data"))
            .raw("size", "var.data_disk_gb")?
            // Cinder extends an attached volume only when asked: without it,
            // growing data_disk_gb fails while the disk is in use.
            .attr("enable_online_resize", true)
            .attr("description", string(DATA_DISK))
            .raw("metadata", "local.tags")?,
    );
    file.push(
        block("resource", &["openstack_compute_instance_v2", "hub"])
            .attr("name", workshop_name("-hub"))
            .raw("flavor_id", "data.openstack_compute_flavor_v2.hub.id")?
            .raw(
                "key_pair",
                "one(openstack_compute_keypair_v2.admin[*].name)",
            )?
            .raw("user_data", "local.user_data")?
            .attr("config_drive", true)
            .attr("stop_before_destroy", true)
            .raw("metadata", "local.tags")?
            .attr("tags", tag_list())
            .child(
                block("network", &[])
                    .raw("port", "openstack_networking_port_v2.hub.id")?
                    .build(),
            )
            .child(
                block("block_device", &[])
                    .raw("uuid", "data.openstack_images_image_v2.ubuntu.id")?
                    .attr("source_type", string("image"))
                    .attr("destination_type", string("volume"))
                    .raw("volume_size", "var.boot_disk_gb")?
                    .attr("boot_index", 0)
                    .attr("delete_on_termination", true)
                    .build(),
            )
            .child(
                block("block_device", &[])
                    .raw("uuid", "openstack_blockstorage_volume_v3.data.id")?
                    .attr("source_type", string("volume"))
                    .attr("destination_type", string("volume"))
                    .attr("boot_index", -1)
                    .attr("delete_on_termination", false)
                    .build(),
            )
            .child(
                block("lifecycle", &[])
                    .raw("ignore_changes", "[block_device[0].uuid]")?
                    .build(),
            )
            .build(),
    );
    file.note(
        "resource.openstack_compute_instance_v2.hub",
        "A new user-data replaces the server (cloud-init runs once per server); the data volume moves to the new one.",
    );
    Ok(())
}

/// `targets/openstack/vm.yaml`: the image, disk and network facts of the cloud.
use crate::data::OpenstackVm as Facts;

fn facts() -> &'static Facts {
    &crate::data::OPENSTACK_VM
}
