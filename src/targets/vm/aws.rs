//! The `aws` cloud: one EC2 instance in its own VPC, an Elastic IP, a
//! security group, and a separate encrypted EBS data volume that
//! `terraform destroy` refuses to delete.
//!
//! Input: the plan and its machine. Output: the AWS [`Cloud`]: its
//! variables (region, instance type), the resources of `main.tf` and its
//! commands. Data: `targets/aws/vm.yaml`.

use super::cloud::{self, Cloud, Commands, Place, Profile, UBUNTU};
use super::terraform::{FIREWALL, admin_key, condition, data_disk, ingress_rules};
use super::variables::{instance_type, matching};
use crate::error::Error;
use crate::plan::{Plan, VmPlan};
use crate::spec::Target;
use crate::targets::terraform::{
    BlockBuilder, File, Part, Variable, block, call, expr, object, string, template, workshop_name,
};

/// AWS: EC2, EBS and a VPC of its own.
pub(crate) struct Aws;

const PROFILE: Profile = Profile {
    target: Target::Aws,
    providers: &["aws"],
    provider_args: &[("region", "var.region")],
    resources: "The AWS resources",
    public_ip: "aws_eip.hub.public_ip",
    data_disk: "aws_ebs_volume.data",
    location: "var.region",
    compress: true,
    secrets: None,
};

fn aws(plan: &Plan) -> Result<&crate::spec::Aws, Error> {
    cloud::block(plan.clouds.aws.as_ref(), Target::Aws)
}

impl Cloud for Aws {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }

    fn place(&self, plan: &Plan) -> Result<Place, Error> {
        Ok(Place {
            location: format!("aws {}", aws(plan)?.region),
            os_image: UBUNTU.to_owned(),
        })
    }

    fn ssh_user(&self) -> &'static str {
        facts().ssh_user
    }

    fn variables(&self, plan: &Plan, machine: &VmPlan) -> Result<Vec<Variable>, Error> {
        Ok(vec![
            matching(
                "region",
                "The AWS region of every resource.",
                &aws(plan)?.region,
                "^[a-z]{2}(-[a-z]+)+-[0-9]+$",
                "region must be an AWS region code such as eu-central-1.",
            ),
            instance_type(
                "instance_type",
                "The EC2 instance type",
                machine,
                r"^[a-z][a-z0-9-]*\\.[a-z0-9]+$",
                "instance_type must be an EC2 type name such as m7i.8xlarge.",
            ),
        ])
    }

    fn provider(&self) -> Result<hcl::Block, Error> {
        Ok(cloud::provider(&PROFILE)?
            .child(
                block("default_tags", &[])
                    .raw("tags", "local.tags")?
                    .build(),
            )
            .build())
    }

    fn data_device(&self) -> hcl::Expression {
        template(&[
            Part::Lit(facts().data_device_by_id),
            Part::Ref(r#"replace(aws_ebs_volume.data.id, "-", "")"#),
        ])
    }

    fn locals(&self) -> Result<Vec<(&'static str, hcl::Expression)>, Error> {
        Ok(vec![(
            "zone",
            expr("sort(data.aws_ec2_instance_type_offerings.hub.locations)[0]")?,
        )])
    }

    fn main_tf(&self, _: &VmPlan, _: bool, file: &mut File) -> Result<(), Error> {
        let f = facts();
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
        network(file, f)?;
        firewall(file)?;
        disk_and_vm(file, f)?;
        Ok(())
    }

    /// The AWS commands of the summary and README.
    fn commands(&self, plan: &Plan) -> Result<Commands, Error> {
        let region = &aws(plan)?.region;
        let name = &plan.name;
        Ok(Commands {
            credentials: "aws configure   # or export AWS_PROFILE=...",
            credentials_help: "Terraform's AWS provider reads the usual AWS credentials: `aws configure` (or `aws sso login`), or `AWS_PROFILE` / `AWS_ACCESS_KEY_ID` in the environment.".to_owned(),
            delete_disk: format!("aws ec2 delete-volume --region {region} --volume-id <data_disk_id>"),
            leftovers: format!(
                "aws resourcegroupstaggingapi get-resources --region {region} --tag-filters Key=atlasod-workshop,Values={name}"
            ),
            start_vm: format!(
                "`aws ec2 start-instances --region {region} --instance-ids <id>` (or the EC2 console)"
            ),
            boot_log: format!("aws ec2 get-console-output --region {region} --instance-id <id> --latest"),
        })
    }
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
                .child(condition(
                    "postcondition",
                    "length(self.locations) > 0",
                    &[
                        Part::Lit("The instance type "),
                        Part::Ref("var.instance_type"),
                        Part::Lit(" is not offered in "),
                        Part::Ref("var.region"),
                        Part::Lit(": set instance_type in terraform.tfvars to one that is (aws ec2 describe-instance-type-offerings)."),
                    ],
                )?)
                .build(),
        )
        .build())
}

/// A `resource` of the workshop's VPC, `<resource>.hub`, its `vpc_id` first.
fn in_vpc(resource: &str) -> Result<BlockBuilder, Error> {
    block("resource", &[resource, "hub"]).raw("vpc_id", "aws_vpc.hub.id")
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
        in_vpc("aws_default_security_group")?
            .attr("tags", named("-default-closed"))
            .build(),
    );
    file.push(
        in_vpc("aws_subnet")?
            .attr("cidr_block", string(f.subnet_cidr))
            .raw("availability_zone", "local.zone")?
            .attr("map_public_ip_on_launch", false)
            .attr("tags", named(""))
            .build(),
    );
    file.push(
        in_vpc("aws_internet_gateway")?
            .attr("tags", named(""))
            .build(),
    );
    file.push(
        in_vpc("aws_route_table")?
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
            .attr("description", string(FIREWALL))
            .raw("vpc_id", "aws_vpc.hub.id")?
            .attr("tags", named("-hub"))
            .build(),
    );
    ingress_rules(file, ingress)?;
    file.note(
        "resource.aws_vpc_security_group_ingress_rule.http",
        "checkov:skip=CKV_AWS_260:port 80 must be open to everyone for the Let's Encrypt HTTP-01 challenge; Caddy only redirects it to HTTPS",
    );
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
    file.push(admin_key("aws_key_pair", "key_name")?);
    data_disk(
        file,
        &PROFILE,
        block("resource", &["aws_ebs_volume", "data"])
            .raw("availability_zone", "local.zone")?
            .raw("size", "var.data_disk_gb")?
            .attr("type", string(f.volume_type))
            .attr("encrypted", true)
            .attr("tags", named("-data")),
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
        .raw("user_data_base64", "local.user_data")?
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

/// `targets/aws/vm.yaml`: the image, disk and network facts of the cloud.
use crate::data::AwsVm as Facts;

fn facts() -> &'static Facts {
    &crate::data::AWS_VM
}
