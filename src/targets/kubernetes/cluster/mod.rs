//! The managed cluster, when the spec asks for one: GKE, EKS or Magnum.
//!
//! Input: the sized [`ClusterPlan`]. Output: provider blocks, variables and
//! resources added to the Terraform [`Module`]: a core node (hub, proxy,
//! scheduler) and a user node pool labelled and tainted for Zero to
//! JupyterHub, autoscaling between `min_nodes` and `max_nodes`, and the
//! connection the `kubernetes` and `helm` providers use. Checkov findings
//! that do not fit a short-lived classroom cluster are skipped inline, each
//! with its reason.

mod eks;
mod gke;
mod magnum;

use hcl::Block;

use super::terraform::Module;
use crate::error::Error;
use crate::plan::kubernetes::ClusterPlan;
use crate::plan::{KubernetesPlan, Plan};
use crate::spec::ClusterProvider;
use crate::targets::terraform::{Variable, expr};

pub(super) const USER_LABELS: &str = "{ \"hub.jupyter.org/node-purpose\" = \"user\" }";
pub(super) const CORE_LABELS: &str = "{ \"hub.jupyter.org/node-purpose\" = \"core\" }";
/// Room for the multi-GB single-user image, its unpacked layers and logs.
pub(super) const USER_DISK_GB: u32 = 100;
pub(super) const CORE_DISK_GB: u32 = 50;

/// One managed Kubernetes service, in its own file ([`gke`], [`eks`],
/// [`magnum`]): what [`add`] asks of it.
pub(super) struct Service {
    /// The Terraform provider it needs beside `helm` and `kubernetes`.
    provider: &'static str,
    /// The cloud's word for a machine type (`instance type`) when the core
    /// node's machine is a variable of its own (`core_node_type`).
    core_machine: Option<&'static str>,
    /// The service's own variables, after the sizing ones.
    variables: fn(&ClusterPlan) -> Vec<Variable>,
    /// The `provider` block, the cluster, its nodes and the connection the
    /// `kubernetes` and `helm` providers use.
    resources: fn(&mut Module, &Inputs) -> Result<(), Error>,
    /// The command that points kubectl at the new cluster (Terraform
    /// interpolates it).
    kubeconfig: &'static str,
}

/// What a service's resources are written from.
pub(super) struct Inputs<'a> {
    pub plan: &'a Plan,
    pub k8s: &'a KubernetesPlan,
    pub cluster: &'a ClusterPlan,
}

pub fn add(
    module: &mut Module,
    plan: &Plan,
    k8s: &KubernetesPlan,
    cluster: &ClusterPlan,
) -> Result<(), Error> {
    let service = match cluster.provider {
        ClusterProvider::Gcp => &gke::GKE,
        ClusterProvider::Aws => &eks::EKS,
        ClusterProvider::Openstack => &magnum::MAGNUM,
    };
    sizing_variables(module, plan, cluster);
    module.providers.push(service.provider);
    module.variables.extend((service.variables)(cluster));
    if let Some(kind) = service.core_machine {
        module.variables.push(core_node_type(cluster, kind));
    }
    (service.resources)(module, &Inputs { plan, k8s, cluster })?;
    module.outputs.push(
        Block::builder("output")
            .add_label("kubeconfig_command")
            .add_attribute(("description", "Run this to use kubectl on the new cluster."))
            .add_attribute(("value", expr(&format!("\"{}\"", service.kubeconfig))?))
            .build(),
    );
    Ok(())
}

fn sizing_variables(module: &mut Module, plan: &Plan, cluster: &ClusterPlan) {
    module.variables.push(
        Variable::new("cluster_name", "string", "The cluster's name.").default(plan.name.as_str()),
    );
    if let Some(region) = &cluster.region {
        module.variables.push(
            Variable::new("region", "string", "The cloud region of the cluster.")
                .default(region.as_str()),
        );
    }
    let node = if cluster.provider == ClusterProvider::Openstack && cluster.node_type == "auto" {
        Variable::new(
            "node_type",
            "string",
            format!(
                "The user nodes' flavor; empty looks up the flavor with {} vCPU and at least {} MiB at apply time (name one if the cloud has several).",
                cluster.node_vcpu, cluster.node_memory_mib
            ),
        )
        .default("")
    } else {
        Variable::new(
            "node_type",
            "string",
            format!(
                "The user nodes' machine type: {} users each (see README.md for the arithmetic).",
                cluster.users_per_node
            ),
        )
        .default(cluster.node_type.as_str())
    };
    module.variables.push(node);
    module.variables.push(
        Variable::new(
            "min_nodes",
            "number",
            "The fewest user nodes: raise it before a session so nodes are up when students arrive.",
        )
        .default(cluster.min_nodes)
        .validate(
            "var.min_nodes >= 0",
            "`min_nodes` cannot be negative.",
        ),
    );
    module.variables.push(
        Variable::new(
            "max_nodes",
            "number",
            format!(
                "The most user nodes: {} hold all {} users, the rest holds the placeholders.",
                cluster.nodes_for_all, plan.users.count
            ),
        )
        .default(cluster.max_nodes)
        .validate(
            "var.max_nodes >= var.min_nodes && var.max_nodes >= 1",
            "`max_nodes` must be at least 1 and at least `min_nodes`.",
        ),
    );
}

/// A string variable holding one of the `cluster` block's own settings
/// (`project`, `auth_url`), empty when the spec leaves it out.
pub(super) fn setting(name: &str, description: &str, value: Option<&String>) -> Variable {
    Variable::new(name, "string", description).default(value.cloned().unwrap_or_default())
}

/// `core_node_type`: the machine of the core node (hub, proxy, scheduler),
/// named in the cloud's own word (`instance type`, `machine type`).
fn core_node_type(cluster: &ClusterPlan, kind: &str) -> Variable {
    Variable::new(
        "core_node_type",
        "string",
        format!("The {kind} of the core node."),
    )
    .default(cluster.core_node_type.as_str())
}

pub(super) fn block(kind: &str, labels: &[&str]) -> hcl::BlockBuilder {
    labels
        .iter()
        .fold(Block::builder(kind), |b, l| b.add_label(*l))
}

/// Adds attributes whose values are HCL that atlasod wrote (`var.region`).
pub(super) fn attrs(
    builder: hcl::BlockBuilder,
    pairs: &[(&str, &str)],
) -> Result<hcl::BlockBuilder, Error> {
    pairs
        .iter()
        .try_fold(builder, |b, (k, v)| Ok(b.add_attribute((*k, expr(v)?))))
}
pub(super) fn iam_role(
    module: &mut Module,
    name: &str,
    principal: &str,
    actions: &str,
    policies: &[&str],
) -> Result<(), Error> {
    let document = block("data", &["aws_iam_policy_document", name])
        .add_block(
            attrs(Block::builder("statement"), &[("actions", actions)])?
                .add_block(
                    Block::builder("principals")
                        .add_attribute(("type", "Service"))
                        .add_attribute(("identifiers", expr(&format!("[\"{principal}\"]"))?))
                        .build(),
                )
                .build(),
        )
        .build();
    module.main.push(document);
    module.resource(
        attrs(
            block("resource", &["aws_iam_role", name]),
            &[
                (
                    "name_prefix",
                    // IAM allows 38 characters before the random suffix.
                    &format!(
                        "\"${{substr(var.cluster_name, 0, min(length(var.cluster_name), 24))}}-{}-\"",
                        name.replace('_', "-")
                    ),
                ),
                (
                    "assume_role_policy",
                    &format!("data.aws_iam_policy_document.{name}.json"),
                ),
            ],
        )?
        .build(),
        &[],
    );
    for (index, policy) in policies.iter().enumerate() {
        let label = format!("{name}_{index}");
        module.main.push(
            attrs(
                block("resource", &["aws_iam_role_policy_attachment", &label]),
                &[
                    ("role", &format!("aws_iam_role.{name}.name")),
                    (
                        "policy_arn",
                        &format!("\"arn:aws:iam::aws:policy/{policy}\""),
                    ),
                ],
            )?
            .build(),
        );
    }
    Ok(())
}
