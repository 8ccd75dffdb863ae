//! OpenStack Magnum: a cluster from a template and an autoscaling user node group.

use hcl::Expression;

use super::{Inputs, Service, attrs, block, setting};
use crate::error::Error;
use crate::plan::Plan;
use crate::plan::kubernetes::ClusterPlan;
use crate::targets::kubernetes::terraform::Module;
use crate::targets::terraform::{Variable, expr, object, string};

/// Magnum: the `openstack` provider; the core node is the cluster's default
/// node group.
pub(super) const MAGNUM: Service = Service {
    provider: "openstack",
    core_machine: None,
    variables,
    resources,
    kubeconfig: "openstack coe cluster config ${openstack_containerinfra_cluster_v1.this.name}",
};

fn variables(cluster: &ClusterPlan) -> Vec<Variable> {
    vec![
        setting(
            "auth_url",
            "The Keystone endpoint; credentials come from clouds.yaml or OS_* variables.",
            cluster.auth_url.as_ref(),
        ),
        setting(
            "cluster_template",
            "The Magnum cluster template to create the cluster from.",
            cluster.template.as_ref(),
        ),
        Variable::new(
            "keypair",
            "string",
            "An existing Nova keypair for SSH to the nodes; null for none.",
        )
        .default(Expression::Null),
    ]
}

fn resources(module: &mut Module, inputs: &Inputs) -> Result<(), Error> {
    let cluster = inputs.cluster;
    let mut provider = attrs(
        block("provider", &["openstack"]),
        &[("auth_url", "var.auth_url")],
    )?;
    if cluster.region.is_some() {
        provider = provider.add_attribute(("region", expr("var.region")?));
    }
    module.main.push(provider.build());
    module.main.push(
        attrs(
            block(
                "data",
                &["openstack_containerinfra_clustertemplate_v1", "template"],
            ),
            &[("name", "var.cluster_template")],
        )?
        .build(),
    );
    module.resource(
        attrs(
            block("data", &["openstack_compute_flavor_v2", "users"]),
            &[
                ("count", "var.node_type == \"\" ? 1 : 0"),
                ("vcpus", &cluster.node_vcpu.to_string()),
                ("min_ram", &cluster.node_memory_mib.to_string()),
            ],
        )?
        .build(),
        &[&format!(
            "OpenStack has no public catalogue: the smallest flavor with {} vCPU and {} MiB holds {} users.",
            cluster.node_vcpu, cluster.node_memory_mib, cluster.users_per_node
        )],
    );
    nodes(module, inputs.plan)
}

fn nodes(module: &mut Module, plan: &Plan) -> Result<(), Error> {
    let magnum_cluster = attrs(
        block("resource", &["openstack_containerinfra_cluster_v1", "this"]),
        &[
            ("name", "var.cluster_name"),
            (
                "cluster_template_id",
                "data.openstack_containerinfra_clustertemplate_v1.template.id",
            ),
            ("master_count", "1"),
            ("node_count", "1"),
            ("keypair", "var.keypair"),
            ("merge_labels", "true"),
        ],
    )?
    .add_attribute((
        "labels",
        object([
            ("auto_scaling_enabled", string("true")),
            ("atlasod-workshop", string(&plan.name)),
        ]),
    ))
    .build();
    module.resource(
        magnum_cluster,
        &["The Magnum cluster; its default node group (one node) runs the hub and proxy."],
    );
    let users = attrs(
        block("resource", &["openstack_containerinfra_nodegroup_v1", "users"]),
        &[
            ("name", "\"users\""),
            ("cluster_id", "openstack_containerinfra_cluster_v1.this.id"),
            ("node_count", "max(var.min_nodes, 1)"),
            ("min_node_count", "var.min_nodes"),
            ("max_node_count", "var.max_nodes"),
            (
                "flavor_id",
                "var.node_type != \"\" ? var.node_type : data.openstack_compute_flavor_v2.users[0].id",
            ),
        ],
    )?
    .add_attribute((
        "labels",
        object([("atlasod-workshop", string(&plan.name))]),
    ))
    .build();
    module.resource(
        users,
        &["The user nodes, scaled by Magnum's autoscaler between min_node_count and max_node_count."],
    );
    module.connection.attributes = vec![
        (
            "host",
            expr("openstack_containerinfra_cluster_v1.this.kubeconfig.host")?,
        ),
        (
            "client_certificate",
            expr("openstack_containerinfra_cluster_v1.this.kubeconfig.client_certificate")?,
        ),
        (
            "client_key",
            expr("openstack_containerinfra_cluster_v1.this.kubeconfig.client_key")?,
        ),
        (
            "cluster_ca_certificate",
            expr("openstack_containerinfra_cluster_v1.this.kubeconfig.cluster_ca_certificate")?,
        ),
    ];
    module.chart_depends_on = vec!["openstack_containerinfra_nodegroup_v1.users".to_owned()];
    Ok(())
}
