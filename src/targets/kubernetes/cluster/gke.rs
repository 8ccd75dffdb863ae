//! Google Kubernetes Engine: a zonal cluster, a core pool and an autoscaling user pool.

use hcl::Block;

use super::{
    CORE_DISK_GB, CORE_LABELS, Inputs, Service, USER_DISK_GB, USER_LABELS, attrs, block, setting,
};
use crate::error::Error;
use crate::plan::kubernetes::ClusterPlan;
use crate::plan::{KubernetesPlan, Plan};
use crate::targets::kubernetes::terraform::{Module, label_map};
use crate::targets::terraform::{Variable, expr};

/// GKE: the `google` provider, a machine type for the core node.
pub(super) const GKE: Service = Service {
    provider: "google",
    core_machine: Some("machine type"),
    variables,
    resources,
    kubeconfig: "gcloud container clusters get-credentials ${google_container_cluster.this.name} --zone ${var.zone} --project ${var.project}",
};

fn variables(cluster: &ClusterPlan) -> Vec<Variable> {
    vec![
        setting(
            "project",
            "The Google Cloud project id.",
            cluster.project.as_ref(),
        ),
        setting(
            "zone",
            "The zone of the zonal cluster (one zone: one free control plane per billing account).",
            cluster.zone.as_ref(),
        ),
    ]
}

fn resources(module: &mut Module, inputs: &Inputs) -> Result<(), Error> {
    module.main.push(
        attrs(
            block("provider", &["google"]),
            &[("project", "var.project"), ("region", "var.region")],
        )?
        .build(),
    );
    module
        .main
        .push(block("data", &["google_client_config", "default"]).build());
    control_plane(module, inputs.plan, inputs.k8s)?;
    node_pools(module, inputs.plan, inputs.cluster)?;
    connection(module)
}

fn control_plane(module: &mut Module, plan: &Plan, k8s: &KubernetesPlan) -> Result<(), Error> {
    let mut addons = Block::builder("addons_config");
    if !k8s.datasets.copied.is_empty() {
        addons = addons.add_block(
            Block::builder("gcp_filestore_csi_driver_config")
                .add_attribute(("enabled", true))
                .build(),
        );
    }
    let gke_cluster = attrs(
        block("resource", &["google_container_cluster", "this"]),
        &[
            ("name", "var.cluster_name"),
            ("location", "var.zone"),
            ("remove_default_node_pool", "true"),
            ("initial_node_count", "1"),
            ("deletion_protection", "false"),
            ("networking_mode", "\"VPC_NATIVE\""),
            ("datapath_provider", "\"ADVANCED_DATAPATH\""),
            ("enable_intranode_visibility", "true"),
        ],
    )?
    .add_attribute(("resource_labels", label_map(plan)))
    .add_block(Block::builder("ip_allocation_policy").build())
    .add_block(
        Block::builder("release_channel")
            .add_attribute(("channel", "REGULAR"))
            .build(),
    )
    .add_block(maintenance_policy(plan))
    .add_block(
        Block::builder("workload_identity_config")
            .add_attribute(("workload_pool", expr("\"${var.project}.svc.id.goog\"")?))
            .build(),
    )
    .add_block(addons.build())
    .add_block(
        Block::builder("master_auth")
            .add_block(
                Block::builder("client_certificate_config")
                    .add_attribute(("issue_client_certificate", false))
                    .build(),
            )
            .build(),
    )
    .build();
    module.resource(
        gke_cluster,
        &[
            "A zonal GKE cluster with Dataplane V2, which enforces the chart's NetworkPolicies.",
            "deletion_protection is off so that `terraform destroy` removes the class (see README.md).",
            "checkov:skip=CKV_GCP_25: a classroom cluster uses public nodes; no private network or NAT is set up",
            "checkov:skip=CKV_GCP_65: access is through the trainer's own Google account, not Google groups",
            "checkov:skip=CKV_GCP_66: images come from public registries (Jupyter, ATLAS), not a signed private one",
            "checkov:skip=CKV_GCP_20: the API must be reachable from the trainer's machine, whose address is unknown",
            "checkov:skip=CKV_GCP_12: Dataplane V2 enforces NetworkPolicy; GKE refuses the legacy network_policy addon with it",
            "checkov:skip=CKV_GCP_69: the default pool is removed; both node pools set workload_metadata_config GKE_METADATA",
            "checkov:skip=CKV_GCP_64: as CKV_GCP_25, private nodes need a Cloud NAT this module does not create",
        ],
    );
    Ok(())
}

/// Automatic upgrades drain nodes, which kills the kernels on them: a daily
/// window at night (03:00 UTC), and no node or minor upgrade at all during
/// the workshop's `schedule` when it has one (security patches of the
/// control plane still apply).
fn maintenance_policy(plan: &Plan) -> Block {
    let mut policy = Block::builder("maintenance_policy").add_block(
        Block::builder("daily_maintenance_window")
            .add_attribute(("start_time", "03:00"))
            .build(),
    );
    if let Some(schedule) = &plan.schedule {
        policy = policy.add_block(
            Block::builder("maintenance_exclusion")
                .add_attribute(("exclusion_name", "workshop"))
                .add_attribute(("start_time", schedule.start.as_str()))
                .add_attribute(("end_time", schedule.end.as_str()))
                .add_block(
                    Block::builder("exclusion_options")
                        .add_attribute(("scope", "NO_MINOR_OR_NODE_UPGRADES"))
                        .build(),
                )
                .build(),
        );
    }
    policy.build()
}

fn node_pools(module: &mut Module, plan: &Plan, cluster: &ClusterPlan) -> Result<(), Error> {
    let node_config = |machine: &str, labels: &str, disk: u32, taint: bool| {
        let mut b = attrs(
            Block::builder("node_config"),
            &[
                ("machine_type", machine),
                ("image_type", "\"COS_CONTAINERD\""),
                ("disk_type", "\"pd-balanced\""),
                ("disk_size_gb", &disk.to_string()),
                ("labels", labels),
                (
                    "oauth_scopes",
                    "[\"https://www.googleapis.com/auth/cloud-platform\"]",
                ),
            ],
        )?
        .add_attribute(("resource_labels", label_map(plan)))
        .add_block(
            Block::builder("shielded_instance_config")
                .add_attribute(("enable_secure_boot", true))
                .add_attribute(("enable_integrity_monitoring", true))
                .build(),
        )
        .add_block(
            Block::builder("workload_metadata_config")
                .add_attribute(("mode", "GKE_METADATA"))
                .build(),
        );
        if taint {
            b = b.add_block(
                Block::builder("taint")
                    .add_attribute(("key", "hub.jupyter.org/dedicated"))
                    .add_attribute(("value", "user"))
                    .add_attribute(("effect", "NO_SCHEDULE"))
                    .build(),
            );
        }
        Ok::<_, Error>(b.build())
    };
    let management = || {
        Block::builder("management")
            .add_attribute(("auto_repair", true))
            .add_attribute(("auto_upgrade", true))
            .build()
    };
    let core = attrs(
        block("resource", &["google_container_node_pool", "core"]),
        &[
            ("name", "\"core\""),
            ("cluster", "google_container_cluster.this.id"),
            ("node_count", "1"),
        ],
    )?
    .add_block(node_config(
        "var.core_node_type",
        CORE_LABELS,
        CORE_DISK_GB,
        false,
    )?)
    .add_block(management())
    .build();
    module.resource(core, &["The core node: hub, proxy, user scheduler, TLS."]);
    let users = attrs(
        block("resource", &["google_container_node_pool", "users"]),
        &[
            ("name", "\"users\""),
            ("cluster", "google_container_cluster.this.id"),
            ("initial_node_count", "var.min_nodes"),
        ],
    )?
    .add_block(
        attrs(
            Block::builder("autoscaling"),
            &[
                ("min_node_count", "var.min_nodes"),
                ("max_node_count", "var.max_nodes"),
            ],
        )?
        .build(),
    )
    .add_block(node_config(
        "var.node_type",
        USER_LABELS,
        USER_DISK_GB,
        true,
    )?)
    .add_block(management())
    .add_block(
        Block::builder("lifecycle")
            .add_attribute(("ignore_changes", expr("[initial_node_count]")?))
            .build(),
    )
    .build();
    module.resource(
        users,
        &[&format!(
            "The user nodes: {} users each, tainted so only user pods land here.",
            cluster.users_per_node
        )],
    );
    Ok(())
}

fn connection(module: &mut Module) -> Result<(), Error> {
    module.connection.attributes = vec![
        (
            "host",
            expr("\"https://${google_container_cluster.this.endpoint}\"")?,
        ),
        (
            "token",
            expr("data.google_client_config.default.access_token")?,
        ),
        (
            "cluster_ca_certificate",
            expr(
                "base64decode(google_container_cluster.this.master_auth[0].cluster_ca_certificate)",
            )?,
        ),
    ];
    module.chart_depends_on = vec![
        "google_container_node_pool.core".to_owned(),
        "google_container_node_pool.users".to_owned(),
    ];
    Ok(())
}
