//! The `aws` target's Terraform: one EC2 instance in its own VPC, an Elastic
//! IP, a security group, and a separate encrypted EBS data volume that
//! `terraform destroy` refuses to delete.
//!
//! Input: the plan and the sized machine. Output: `main.tf` and the
//! AWS-specific variables. Data: `targets/aws/vm.yaml`.

use crate::error::Error;
use crate::plan::Plan;
use crate::targets::terraform::{
    File, Part, block, call, expr, object, string, template, workshop_name,
};
use crate::targets::terraform::{Variable, header};
use crate::targets::vm::machine::Machine;
use crate::targets::vm::terraform::{CloudFacts, locals};

/// `targets/aws/vm.yaml`.
use crate::data::AwsVm as Facts;

fn facts() -> &'static Facts {
    &crate::data::AWS_VM
}

pub(crate) const PROVIDERS: &[&str] = &["aws", "cloudinit"];

pub(crate) fn cloud_facts() -> CloudFacts<'static> {
    CloudFacts {
        public_ip: "aws_eip.hub.public_ip",
        compress: true,
        ssh_user: facts().ssh_user,
        data_disk_id: "aws_ebs_volume.data.id",
    }
}

/// The AWS-specific variables: region and instance type.
pub(crate) fn variables(plan: &Plan, machine: &Machine) -> Result<Vec<Variable>, Error> {
    let aws = plan
        .clouds
        .aws
        .as_ref()
        .ok_or_else(|| Error::Internal("the plan has no `cloud.aws` block".to_owned()))?;
    let instance = machine.instance.name.clone().unwrap_or_default();
    Ok(vec![
        Variable::new("region", "string", "The AWS region of every resource.")
            .default(string(&aws.region))
            .validate(
                r#"can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))"#,
                "region must be an AWS region code such as eu-central-1.",
            ),
        Variable::new(
            "instance_type",
            "string",
            format!(
                "The EC2 instance type. atlasod's sizing: {}; {}.",
                machine.requirement.join("; "),
                machine.instance.why.join("; ")
            ),
        )
        .default(string(instance))
        .validate(
            r#"can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))"#,
            "instance_type must be an EC2 type name such as m7i.8xlarge.",
        ),
    ])
}

/// `main.tf`.
pub(crate) fn main_tf(plan: &Plan, cloudinit: hcl::Block) -> Result<File, Error> {
    let f = facts();
    let header = header(plan, "The AWS resources");
    let mut file = File::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    file.push(
        block("provider", &["aws"])
            .raw("region", "var.region")?
            .child(
                block("default_tags", &[])
                    .raw("tags", "local.tags")?
                    .build(),
            )
            .build(),
    );
    file.push(locals(
        plan,
        "atlasod-workshop",
        vec![
            (
                "zone",
                expr("sort(data.aws_ec2_instance_type_offerings.hub.locations)[0]")?,
            ),
            (
                "data_device",
                template(&[
                    Part::Lit(f.data_device_by_id),
                    Part::Ref(r#"replace(aws_ebs_volume.data.id, "-", "")"#),
                ]),
            ),
        ],
    )?);
    file.push(
        block("data", &["aws_ami", "ubuntu"])
            .attr("owners", hcl::Expression::from(vec![string(f.ami_owner)]))
            .attr("most_recent", true)
            .child(filter("name", vec![string(f.ami_name)]))
            .child(filter("architecture", vec![string("x86_64")]))
            .child(filter("virtualization-type", vec![string("hvm")]))
            .build(),
    );
    file.push(offerings()?);
    file.push(cloudinit);
    network(&mut file, f)?;
    firewall(&mut file)?;
    disk_and_vm(&mut file, f)?;
    Ok(file)
}

/// `tags = { Name = "<workshop><suffix>" }`.
fn named(suffix: &str) -> hcl::Expression {
    object([("Name", workshop_name(suffix))])
}

fn filter(name: &str, values: Vec<hcl::Expression>) -> hcl::Block {
    block("filter", &[])
        .attr("name", string(name))
        .attr("values", hcl::Expression::from(values))
        .build()
}

/// The zones that offer the instance type; plan stops when there is none.
fn offerings() -> Result<hcl::Block, Error> {
    Ok(block("data", &["aws_ec2_instance_type_offerings", "hub"])
        .attr("location_type", string("availability-zone"))
        .child(filter("instance-type", vec![expr("var.instance_type")?]))
        .child(
            block("lifecycle", &[])
                .child(
                    block("postcondition", &[])
                        .raw("condition", "length(self.locations) > 0")?
                        .attr(
                            "error_message",
                            template(&[
                                Part::Lit("The instance type "),
                                Part::Ref("var.instance_type"),
                                Part::Lit(" is not offered in "),
                                Part::Ref("var.region"),
                                Part::Lit(": set instance_type in terraform.tfvars to one that is (aws ec2 describe-instance-type-offerings)."),
                            ]),
                        )
                        .build(),
                )
                .build(),
        )
        .build())
}

/// The VPC, its one public subnet and the route to the internet.
fn network(file: &mut File, f: &Facts) -> Result<(), Error> {
    file.push(
        block("resource", &["aws_vpc", "hub"])
            .attr("cidr_block", string(f.vpc_cidr))
            .attr("enable_dns_support", true)
            .attr("enable_dns_hostnames", true)
            .attr("tags", named(""))
            .build(),
    );
    file.note(
        "resource.aws_vpc.hub",
        "checkov:skip=CKV2_AWS_11:flow logs of a one-VM workshop network would need a log group, an IAM role and billed storage with no reader; add aws_flow_log if your institution audits traffic",
    );
    // The VPC's default security group, emptied: nothing may use it.
    file.push(
        block("resource", &["aws_default_security_group", "hub"])
            .raw("vpc_id", "aws_vpc.hub.id")?
            .attr("tags", named("-default-closed"))
            .build(),
    );
    file.push(
        block("resource", &["aws_subnet", "hub"])
            .raw("vpc_id", "aws_vpc.hub.id")?
            .attr("cidr_block", string(f.subnet_cidr))
            .raw("availability_zone", "local.zone")?
            .attr("map_public_ip_on_launch", false)
            .attr("tags", named(""))
            .build(),
    );
    file.push(
        block("resource", &["aws_internet_gateway", "hub"])
            .raw("vpc_id", "aws_vpc.hub.id")?
            .attr("tags", named(""))
            .build(),
    );
    file.push(
        block("resource", &["aws_route_table", "hub"])
            .raw("vpc_id", "aws_vpc.hub.id")?
            .attr("tags", named(""))
            .child(
                block("route", &[])
                    .attr("cidr_block", string("0.0.0.0/0"))
                    .raw("gateway_id", "aws_internet_gateway.hub.id")?
                    .build(),
            )
            .build(),
    );
    file.push(
        block("resource", &["aws_route_table_association", "hub"])
            .raw("subnet_id", "aws_subnet.hub.id")?
            .raw("route_table_id", "aws_route_table.hub.id")?
            .build(),
    );
    Ok(())
}

fn ingress(label: &str, description: &str, port: u16, cidr: &str) -> Result<hcl::Block, Error> {
    Ok(
        block("resource", &["aws_vpc_security_group_ingress_rule", label])
            .raw("security_group_id", "aws_security_group.hub.id")?
            .attr("description", string(description))
            .raw("cidr_ipv4", cidr)?
            .attr("from_port", port)
            .attr("to_port", port)
            .attr("ip_protocol", string("tcp"))
            .build(),
    )
}

/// The security group: 80 and 443 from anywhere, 22 from `admin_cidr` only.
fn firewall(file: &mut File) -> Result<(), Error> {
    file.push(
        block("resource", &["aws_security_group", "hub"])
            .attr("name", workshop_name("-hub"))
            .attr(
                "description",
                string(
                    "atlasod workshop hub: HTTP and HTTPS from anywhere, SSH from admin_cidr only",
                ),
            )
            .raw("vpc_id", "aws_vpc.hub.id")?
            .attr("tags", named("-hub"))
            .build(),
    );
    file.push(ingress(
        "http",
        "HTTP from anywhere: Let's Encrypt's challenge and the redirect to HTTPS",
        80,
        r#""0.0.0.0/0""#,
    )?);
    file.note(
        "resource.aws_vpc_security_group_ingress_rule.http",
        "checkov:skip=CKV_AWS_260:port 80 must be open to everyone for the Let's Encrypt HTTP-01 challenge; Caddy only redirects it to HTTPS",
    );
    file.push(ingress(
        "https",
        "HTTPS from anywhere: the hub",
        443,
        r#""0.0.0.0/0""#,
    )?);
    let mut ssh = ingress(
        "ssh",
        "SSH from the admin network only",
        22,
        "var.admin_cidr",
    )?;
    ssh.body.0.insert(
        0,
        hcl::Structure::Attribute(hcl::Attribute::new(
            "count",
            expr("var.admin_cidr == null ? 0 : 1")?,
        )),
    );
    file.push(ssh);
    file.push(
        block("resource", &["aws_vpc_security_group_egress_rule", "all"])
            .raw("security_group_id", "aws_security_group.hub.id")?
            .attr(
                "description",
                string("All outbound traffic: packages, images, datasets and the students' own downloads"),
            )
            .attr("cidr_ipv4", string("0.0.0.0/0"))
            .attr("ip_protocol", string("-1"))
            .build(),
    );
    file.note(
        "resource.aws_vpc_security_group_egress_rule.all",
        "checkov:skip=CKV_AWS_382:students' notebooks reach arbitrary hosts (pip, git, XRootD on 1094 for streamed ATLAS data), so egress cannot be limited to known ports",
    );
    Ok(())
}

/// The SSH key, the data volume, the instance, and the static IP.
fn disk_and_vm(file: &mut File, f: &Facts) -> Result<(), Error> {
    file.push(
        block("resource", &["aws_key_pair", "admin"])
            .raw("count", "var.ssh_public_key == null ? 0 : 1")?
            .attr("key_name", workshop_name("-admin"))
            .raw("public_key", "var.ssh_public_key")?
            .build(),
    );
    file.push(
        block("resource", &["aws_ebs_volume", "data"])
            .raw("availability_zone", "local.zone")?
            .raw("size", "var.data_disk_gb")?
            .attr("type", string(f.volume_type))
            .attr("encrypted", true)
            .attr("tags", named("-data"))
            .child(
                block("lifecycle", &[])
                    .attr("prevent_destroy", true)
                    .build(),
            )
            .build(),
    );
    file.note(
        "resource.aws_ebs_volume.data",
        "Homes, datasets and Docker's data: kept when the VM is replaced. See README.md to delete it.",
    );
    file.note(
        "resource.aws_ebs_volume.data",
        "checkov:skip=CKV_AWS_189:encrypted with the AWS-managed EBS key; a customer-managed KMS key would add a billed key and its policy to a short-lived workshop",
    );
    file.push(instance(f)?);
    file.note(
        "resource.aws_instance.hub",
        "A new Ubuntu AMI does not replace the VM (ignore_changes); a new user-data does, and the data volume moves to the new VM.",
    );
    file.note(
        "resource.aws_instance.hub",
        "checkov:skip=CKV2_AWS_41:the VM calls no AWS API (it stops itself from inside), so it gets no IAM role",
    );
    file.push(
        block("resource", &["aws_volume_attachment", "data"])
            .attr("device_name", string(f.data_device_name))
            .raw("volume_id", "aws_ebs_volume.data.id")?
            .raw("instance_id", "aws_instance.hub.id")?
            .attr("stop_instance_before_detaching", true)
            .build(),
    );
    file.push(
        block("resource", &["aws_eip", "hub"])
            .attr("domain", string("vpc"))
            .attr("tags", named("-hub"))
            .raw("depends_on", "[aws_internet_gateway.hub]")?
            .build(),
    );
    file.push(
        block("resource", &["aws_eip_association", "hub"])
            .raw("allocation_id", "aws_eip.hub.id")?
            .raw("instance_id", "aws_instance.hub.id")?
            .build(),
    );
    Ok(())
}

fn instance(f: &Facts) -> Result<hcl::Block, Error> {
    Ok(block("resource", &["aws_instance", "hub"])
        .raw("ami", "data.aws_ami.ubuntu.id")?
        .raw("instance_type", "var.instance_type")?
        .raw("subnet_id", "aws_subnet.hub.id")?
        .raw("vpc_security_group_ids", "[aws_security_group.hub.id]")?
        .raw("key_name", "one(aws_key_pair.admin[*].key_name)")?
        .raw("user_data_base64", "data.cloudinit_config.hub.rendered")?
        .attr("user_data_replace_on_change", true)
        .attr("instance_initiated_shutdown_behavior", string("stop"))
        .attr("ebs_optimized", true)
        .attr("monitoring", true)
        .attr("tags", named("-hub"))
        .child(
            block("metadata_options", &[])
                .attr("http_endpoint", string("enabled"))
                .attr("http_tokens", string("required"))
                .attr("http_put_response_hop_limit", 1)
                .build(),
        )
        .child(
            block("root_block_device", &[])
                .raw("volume_size", "var.boot_disk_gb")?
                .attr("volume_type", string(f.volume_type))
                .attr("encrypted", true)
                .attr("delete_on_termination", true)
                .attr(
                    "tags",
                    call("merge", vec![expr("local.tags")?, named("-boot")]),
                )
                .build(),
        )
        .child(
            block("lifecycle", &[])
                .raw("ignore_changes", "[ami]")?
                .build(),
        )
        .build())
}

/// The AWS commands of the summary and README.
pub(crate) fn commands(plan: &Plan) -> Result<crate::targets::vm::summary::Commands, Error> {
    let region = &plan
        .clouds
        .aws
        .as_ref()
        .ok_or_else(|| Error::Internal("the plan has no `cloud.aws` block".to_owned()))?
        .region;
    let name = &plan.name;
    Ok(crate::targets::vm::summary::Commands {
        credentials: "aws configure   # or export AWS_PROFILE=...".to_owned(),
        credentials_help: "Terraform's AWS provider reads the usual AWS credentials: `aws configure` (or `aws sso login`), or `AWS_PROFILE` / `AWS_ACCESS_KEY_ID` in the environment.".to_owned(),
        disk_resource: "aws_ebs_volume.data".to_owned(),
        delete_disk: format!("aws ec2 delete-volume --region {region} --volume-id <data_disk_id>"),
        leftovers: format!(
            "aws resourcegroupstaggingapi get-resources --region {region} --tag-filters Key=atlasod-workshop,Values={name}"
        ),
        start_vm: format!(
            "`aws ec2 start-instances --region {region} --instance-ids <id>` (or the EC2 console)"
        ),
        console_log: format!(
            "read the boot log with `aws ec2 get-console-output --region {region} --instance-id <id> --latest`"
        ),
    })
}
