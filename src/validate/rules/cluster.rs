//! Rules for `cloud.kubernetes.cluster`: the fields each provider needs, the
//! region and zone, the node type and the autoscaling range.
//!
//! Checked only when the `kubernetes` target is; every diagnostic points at
//! the value to change under `cloud.kubernetes.cluster`.

use super::{Rules, cloud_name};
use crate::data::tables;
use crate::diagnostic::Code;
use crate::parse::Step;
use crate::sizing::cluster::{self as cluster_sizing, SizingProblem};
use crate::spec::{Cluster, ClusterProvider, Target};
use crate::units::{fmt_gib, fmt_num};
use crate::validate::suggest::closest;

const BASE: [Step<'static>; 3] = [
    Step::Key("cloud"),
    Step::Key("kubernetes"),
    Step::Key("cluster"),
];

fn at(field: &'static str) -> [Step<'static>; 4] {
    [BASE[0], BASE[1], BASE[2], Step::Key(field)]
}

impl Rules<'_> {
    pub(super) fn cluster(&mut self) {
        if !self.checks(Target::Kubernetes) {
            return;
        }
        let Some(kubernetes) = &self.spec.cloud.kubernetes else {
            return;
        };
        let Some(cluster) = &kubernetes.cluster else {
            return;
        };
        if kubernetes.context.is_some() {
            let diagnostic = self
                .error(
                    Code::ClusterSettings,
                    self.key(&[BASE[0], BASE[1], Step::Key("context")]),
                    "`context` names an existing cluster, but `cluster` asks atlasod to create one",
                )
                .label("an existing cluster")
                .secondary(self.key(&BASE), "a new cluster")
                .help("keep `context` to install into a cluster you have, or `cluster` to create one; delete the other");
            self.out.push(diagnostic);
        }
        let missing = self.cluster_fields(cluster);
        if let (Some(min), Some(max)) = (cluster.min_nodes, cluster.max_nodes) {
            if min > max {
                let diagnostic = self
                    .error(
                        Code::ClusterSettings,
                        self.value(&at("min_nodes")),
                        format!("`min_nodes` ({min}) is more than `max_nodes` ({max})"),
                    )
                    .label("more than the maximum")
                    .secondary(self.value(&at("max_nodes")), "the maximum")
                    .help("make `min_nodes` at most `max_nodes`");
                self.out.push(diagnostic);
            }
        }
        if missing {
            return;
        }
        if cluster.provider == ClusterProvider::Gcp {
            if let (Some(tables), Some(region)) =
                (tables::for_target(Target::Gcp), cluster.region.as_deref())
            {
                if tables.region(region).is_some() {
                    self.zone(tables, region, cluster.zone.as_deref(), &at("zone"));
                }
            }
        }
        self.cluster_sizing(cluster);
    }

    /// Reports fields the provider needs but are absent, and fields it ignores.
    /// Returns whether a needed field is missing.
    fn cluster_fields(&mut self, cluster: &Cluster) -> bool {
        let provider = cluster.provider;
        let needs: &[(&str, bool, &str)] = match provider {
            ClusterProvider::Gcp => &[
                (
                    "project",
                    cluster.project.is_some(),
                    "project: my-gcp-project",
                ),
                ("region", cluster.region.is_some(), "region: europe-west1"),
            ],
            ClusterProvider::Aws => &[("region", cluster.region.is_some(), "region: eu-central-1")],
            ClusterProvider::Openstack => &[
                (
                    "auth_url",
                    cluster.auth_url.is_some(),
                    "auth_url: https://keystone.example.org:5000/v3",
                ),
                (
                    "template",
                    cluster.template.is_some(),
                    "template: kubernetes-1.30",
                ),
            ],
        };
        let mut missing = false;
        for (field, present, example) in needs {
            if *present {
                continue;
            }
            missing = true;
            let diagnostic = self
                .error(
                    Code::ClusterSettings,
                    self.value(&at("provider")),
                    format!("{} cluster needs `{field}`", article(provider.as_str())),
                )
                .label(format!("`{field}` missing for this provider"))
                .help(format!("add under `cluster:`\n  {example}"));
            self.out.push(diagnostic);
        }
        let ignored: &[(&'static str, bool)] = match provider {
            ClusterProvider::Gcp => &[
                ("auth_url", cluster.auth_url.is_some()),
                ("template", cluster.template.is_some()),
            ],
            ClusterProvider::Aws => &[
                ("project", cluster.project.is_some()),
                ("zone", cluster.zone.is_some()),
                ("auth_url", cluster.auth_url.is_some()),
                ("template", cluster.template.is_some()),
            ],
            ClusterProvider::Openstack => &[
                ("project", cluster.project.is_some()),
                ("zone", cluster.zone.is_some()),
            ],
        };
        for (field, present) in ignored {
            if !present {
                continue;
            }
            let diagnostic = self
                .warning(
                    Code::ClusterSettings,
                    self.key(&at(field)),
                    format!(
                        "`{field}` is ignored for {} cluster",
                        article(provider.as_str())
                    ),
                )
                .label("not used by this provider")
                .help("remove it, or change `provider`");
            self.out.push(diagnostic);
        }
        missing
    }

    fn cluster_sizing(&mut self, cluster: &Cluster) {
        let provider = cluster.provider;
        let cloud = provider.cloud();
        let Err(problem) = cluster_sizing::size(&self.spec.users, cluster) else {
            return;
        };
        let region = cluster.region.as_deref().unwrap_or_default();
        match problem {
            SizingProblem::NoRegion => {
                if let Some(tables) = tables::for_target(cloud) {
                    self.region(cloud, tables, region, &BASE);
                }
            }
            SizingProblem::UnknownType => {
                let names = tables::for_target(cloud)
                    .map(|t| t.instance_names().collect::<Vec<_>>())
                    .unwrap_or_default();
                let suggestion = closest(&cluster.node_type, names);
                let diagnostic = self
                    .error(
                        Code::UnknownInstance,
                        self.value(&at("node_type")),
                        format!(
                            "`{}` is not an instance type atlasod knows for {}",
                            cluster.node_type,
                            cloud_name(cloud)
                        ),
                    )
                    .label(suggestion.map_or_else(
                        || "unknown type".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    ))
                    .help(format!(
                        "write `node_type: auto` to pick the type with the lowest price per user; `atlasod instances {cloud}` lists the known types"
                    ));
                self.out.push(diagnostic);
            }
            SizingProblem::NotInRegion => {
                let diagnostic = self
                    .error(
                        Code::InstanceNotInRegion,
                        self.value(&at("node_type")),
                        format!("`{}` is not offered in `{region}`", cluster.node_type),
                    )
                    .label(format!("not available in `{region}`"))
                    .secondary(self.value(&at("region")), "the region")
                    .help(format!(
                        "write `node_type: auto`, or pick a type from `atlasod instances {cloud} --region {region}`"
                    ));
                self.out.push(diagnostic);
            }
            SizingProblem::TooSmall(node) => {
                let pod = cluster_sizing::PodResources::for_users(&self.spec.users);
                let diagnostic = self
                    .error(
                        Code::InstanceTooSmall,
                        self.value(&at("node_type")),
                        format!(
                            "a `{}` node ({} vCPU, {}) cannot hold one user",
                            node.name,
                            node.vcpu,
                            fmt_gib(node.memory)
                        ),
                    )
                    .label(format!(
                        "one user requests {} CPU and {}",
                        fmt_num(pod.cpu_guarantee),
                        fmt_gib(pod.memory_guarantee)
                    ))
                    .secondary(
                        self.value(&[Step::Key("users"), Step::Key("memory")]),
                        "per-user memory",
                    )
                    .help("write `node_type: auto`, or a larger type")
                    .note(format!(
                        "a node keeps 0.5 vCPU and 1 GiB + 10 % of its memory for the system: {} vCPU and {} are left for users",
                        fmt_num(node.allocatable_cpu()),
                        fmt_gib(node.allocatable_memory())
                    ));
                self.out.push(diagnostic);
            }
            SizingProblem::NothingFits => {
                let diagnostic = self
                    .error(
                        Code::InstanceTooSmall,
                        self.value(&[Step::Key("users"), Step::Key("memory")]),
                        format!("no {} type in `{region}` holds one user", cloud_name(cloud)),
                    )
                    .label("too much per user")
                    .help("lower `users.cpu` or `users.memory`, or choose another region");
                self.out.push(diagnostic);
            }
        }
    }
}

/// "a `gcp`", "an `aws`", "an `openstack`".
fn article(provider: &str) -> String {
    let vowel = provider.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} `{provider}`", if vowel { "an" } else { "a" })
}
