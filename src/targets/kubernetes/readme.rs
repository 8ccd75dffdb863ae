//! The bundle's README and the build summary: the sizing arithmetic, the
//! hourly cost and the schedule's total, then what to run.
//!
//! Input: the plan and its Kubernetes part. Output: text. The summary is
//! also what `atlasod build --target kubernetes` prints.

use std::fmt::Write as _;

use super::hub::HubSettings;
use super::{RELEASE, datasets};
use crate::error::Error;
use crate::plan::{KubernetesPlan, Plan};
use crate::spec::{AuthMethod, ClusterProvider};
use crate::targets::templates;
use crate::units::{fmt_amount, fmt_num};

const README: &str = include_str!("../../../targets/kubernetes/README.md.j2");

fn hours(hours: u64) -> f64 {
    u32::try_from(hours).map_or(f64::from(u32::MAX), f64::from)
}

/// The sizing of the class: arithmetic, cost per hour, cost of the schedule.
pub fn summary(plan: &Plan, k8s: &KubernetesPlan) -> String {
    let mut text = String::new();
    let pod = &k8s.pod;
    let Some(cluster) = &k8s.cluster else {
        let _ = writeln!(
            text,
            "- per user: requests {} CPU and {} memory (limits {} CPU, {}), home volume {}",
            fmt_num(pod.cpu_guarantee),
            crate::units::fmt_gib(plan.users.mem_limit_bytes),
            fmt_num(pod.cpu_limit),
            crate::units::fmt_gib(plan.users.mem_limit_bytes),
            pod.home_capacity
        );
        let _ = writeln!(
            text,
            "- the whole class: {} CPU and {} requested for {} users, plus {} placeholders (10 %)",
            fmt_num(pod.cpu_guarantee * f64::from(plan.users.count)),
            crate::units::fmt_gib(u64::from(plan.users.count) * plan.users.mem_limit_bytes),
            plan.users.count,
            k8s.placeholders
        );
        let _ = writeln!(
            text,
            "- an existing cluster: its nodes and their cost are yours to size and check"
        );
        return text;
    };
    for line in &cluster.arithmetic {
        let _ = writeln!(text, "- {line}");
    }
    let currency = &cluster.currency;
    match (cluster.full_hourly, cluster.idle_hourly) {
        (Some(full), Some(idle)) => {
            let node = cluster.node_hourly.unwrap_or(0.0);
            let core = cluster.core_hourly.unwrap_or(0.0);
            let control = cluster.control_plane_hourly.unwrap_or(0.0);
            let _ = writeln!(
                text,
                "- cost per hour, all {} users on: {} x {} + {} (core) + {} (control plane) = {} {currency}/h",
                plan.users.count,
                cluster.nodes_for_all,
                fmt_amount(node),
                fmt_amount(core),
                fmt_amount(control),
                fmt_amount(full)
            );
            let _ = writeln!(
                text,
                "- cost per hour at the minimum ({} user node{}): {} {currency}/h",
                cluster.min_nodes,
                if cluster.min_nodes == 1 { "" } else { "s" },
                fmt_amount(idle)
            );
            if let Some(schedule) = &plan.schedule {
                let _ = writeln!(
                    text,
                    "- the schedule ({} h, {} to {}): at most {} {currency} with everyone on all the time, at least {} {currency}",
                    schedule.hours,
                    schedule.start,
                    schedule.end,
                    fmt_amount(full * hours(schedule.hours)),
                    fmt_amount(idle * hours(schedule.hours))
                );
            }
            let _ = writeln!(
                text,
                "- on-demand prices read {}; disks, load balancer{} and traffic are not included",
                cluster.prices_read.as_deref().unwrap_or("unknown"),
                if datasets_on(k8s, ClusterProvider::Gcp) {
                    ", Filestore (1 TiB minimum)"
                } else if datasets_on(k8s, ClusterProvider::Aws) {
                    ", EFS"
                } else {
                    ""
                }
            );
        }
        _ => {
            let _ = writeln!(
                text,
                "- cost: atlasod has no price list for OpenStack clouds; ask your cloud's operators"
            );
        }
    }
    text
}

/// Whether the shared datasets are copied onto a volume the cluster of
/// `provider` makes (Filestore on GKE, EFS on EKS).
fn datasets_on(k8s: &KubernetesPlan, provider: ClusterProvider) -> bool {
    !k8s.datasets.copied.is_empty() && k8s.cluster.as_ref().is_some_and(|c| c.provider == provider)
}

#[derive(serde::Serialize)]
struct SecretLine {
    variable: String,
    description: String,
    path: String,
}

pub fn render(plan: &Plan, k8s: &KubernetesPlan, hub: &HubSettings) -> Result<String, Error> {
    let secrets: Vec<SecretLine> = hub
        .secrets
        .iter()
        .map(|s| SecretLine {
            variable: s.variable.clone(),
            description: s.description.clone(),
            path: s.path(),
        })
        .collect();
    let provider_name = k8s.cluster.as_ref().map(|c| match c.provider {
        ClusterProvider::Gcp => "Google Kubernetes Engine",
        ClusterProvider::Aws => "Amazon EKS",
        ClusterProvider::Openstack => "OpenStack Magnum",
    });
    let hub_url = plan.tls.domain.as_ref().map_or_else(
        || "`terraform output hub_url`".to_owned(),
        |d| format!("https://{d}"),
    );
    let callback = plan.tls.domain.as_ref().map_or_else(
        || "https://<hub address>/hub/oauth_callback".to_owned(),
        |d| format!("https://{d}/hub/oauth_callback"),
    );
    let auth_method = match plan.auth.method {
        AuthMethod::Github => "github",
        AuthMethod::Gitlab => "gitlab",
        AuthMethod::Oidc => "oidc",
        _ => "other",
    };
    templates::render(
        "kubernetes/README.md",
        README,
        serde_json::json!({
            "name": plan.name,
            "title": plan.title,
            "users": plan.users,
            "chart": k8s.chart,
            "cluster": k8s.cluster,
            "provider_name": provider_name,
            "context": k8s.context,
            "namespace": k8s.namespace,
            "pod": k8s.pod,
            "memory": crate::units::fmt_gib(plan.users.mem_limit_bytes),
            "datasets": k8s.datasets,
            "needs_storage_class": datasets::default_storage_class(k8s).is_none(),
            "secrets": secrets,
            "auth_method": auth_method,
            "callback": callback,
            "tls": plan.tls,
            "hub_url": hub_url,
            "image": plan.singleuser.base_image,
            "preset": plan.singleuser.preset,
            "notebooks": plan.notebooks,
            "placeholders": k8s.placeholders,
            "idle": format!("{} minutes", plan.culler.timeout_seconds / 60),
            "release": RELEASE,
            "summary": summary(plan, k8s).trim_end(),
            "accounts": plan.has_accounts().then_some(crate::plan::ACCOUNTS_FILE_NAME),
            "accounts_mount": crate::plan::jupyterhub::ACCOUNTS_FILE,
        }),
    )
}
