//! The `kubernetes` target: Zero to JupyterHub values, the dataset Job, and a
//! Terraform root module that installs the chart (and, when asked, creates
//! the managed cluster).
//!
//! Input: a plan lowered for `kubernetes` (its `kubernetes` part is set).
//! Output, under `<out>/kubernetes/`:
//! - `values.yaml`: the chart's values (checked against its schema);
//! - `datasets/fetch.py`, `datasets/datasets.json`, `manifests/datasets.yaml`:
//!   the shared read-only volume and the Job that fills it once;
//! - `terraform/`: `versions.tf`, `variables.tf`, `main.tf`, `outputs.tf`,
//!   `terraform.tfvars.example`, and a `.gitignore` that keeps
//!   `terraform.tfvars` and the state (both hold secrets) out of git;
//! - `image/Dockerfile`, `image/sitecustomize.py`: the optional derived single-user image
//!   (the hook that reads `/data` is also mounted into every pod from `values.yaml`);
//! - `README.md`: the sizing, the commands, DNS, scaling and teardown.

mod cluster;
mod datasets;
mod hub;
mod readme;
mod terraform;
mod values;

use crate::bundle::Bundle;
use crate::error::Error;
use crate::plan::{KubernetesPlan, Plan};

pub use datasets::KUBERNETES_VERSION;
pub use hub::{HubSettings, SecretTrait};
pub use readme::summary;
pub use values::start_script;

/// Name of the PVC, ConfigMap and Job of the shared datasets volume.
pub const DATASETS: &str = "atlasod-datasets";
/// The Helm release name.
pub const RELEASE: &str = "jupyterhub";

/// Renders the bundle of the `kubernetes` target.
pub fn render(plan: &Plan) -> Result<Bundle, Error> {
    let k8s = kubernetes(plan)?;
    let hub = hub::settings(plan);
    let mut bundle = Bundle::new();
    bundle.add("values.yaml", values::render(plan, k8s, &hub)?);
    if !k8s.datasets.copied.is_empty() {
        crate::targets::datasets::add(
            &mut bundle,
            plan.datasets
                .iter()
                .filter(|d| k8s.datasets.copied.contains(&d.name)),
        );
        bundle.add("manifests/datasets.yaml", datasets::manifests(plan, k8s)?);
    }
    for (name, text) in terraform::render(plan, k8s, &hub)? {
        bundle.add(format!("terraform/{name}"), text);
    }
    // terraform.tfvars and the state hold the hub's secrets.
    bundle.add(
        "terraform/.gitignore",
        include_str!("../../../targets/terraform.gitignore"),
    );
    bundle.add("image/Dockerfile", values::dockerfile(plan, k8s)?);
    bundle.add("image/sitecustomize.py", crate::targets::DATA_HOOK);
    bundle.add("README.md", readme::render(plan, k8s, &hub)?);
    Ok(bundle)
}

fn kubernetes(plan: &Plan) -> Result<&KubernetesPlan, Error> {
    plan.kubernetes.as_ref().ok_or_else(|| {
        Error::Internal("the plan was not lowered for the `kubernetes` target".to_owned())
    })
}

/// Splits an image reference into the chart's `name` and `tag`.
///
/// `repo:tag` → (`repo`, `tag`); `repo@sha256:…` → (`repo`, `latest@sha256:…`),
/// which the runtime resolves by digest; no tag → `latest`.
pub fn split_image(image: &str) -> (String, String) {
    let (reference, digest) = match image.split_once('@') {
        Some((reference, digest)) => (reference, Some(digest)),
        None => (image, None),
    };
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match reference[last_slash..].rfind(':') {
        Some(colon) => (
            &reference[..last_slash + colon],
            &reference[last_slash + colon + 1..],
        ),
        None => (reference, "latest"),
    };
    let tag = match digest {
        Some(digest) => format!("{tag}@{digest}"),
        None => tag.to_owned(),
    };
    (name.to_owned(), tag)
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn images_split_into_name_and_tag() {
        assert_eq!(
            split_image("ghcr.io/a/b:latest"),
            ("ghcr.io/a/b".into(), "latest".into())
        );
        assert_eq!(
            split_image("localhost:5000/img"),
            ("localhost:5000/img".into(), "latest".into())
        );
        assert_eq!(
            split_image("quay.io/x/y:1@sha256:ab"),
            ("quay.io/x/y".into(), "1@sha256:ab".into())
        );
    }
}
