//! The shared datasets volume in Terraform: the same ConfigMap, PVC and Job
//! as `manifests/datasets.yaml`, with the storage class as a variable.

use hcl::{Block, Expression};

use super::Module;
use crate::error::Error;
use crate::plan::{KubernetesPlan, Plan};
use crate::targets::kubernetes::{DATASETS, datasets};
use crate::targets::terraform::{Variable, expr, object, string};

pub(super) fn add(module: &mut Module, plan: &Plan, k8s: &KubernetesPlan) -> Result<(), Error> {
    let class = Variable::new(
        "datasets_storage_class",
        "string",
        "A storage class with ReadWriteMany access for the shared datasets volume (NFS, CephFS, Filestore, EFS, ...).",
    )
    .validate(
        "length(var.datasets_storage_class) > 0",
        "Name a storage class with ReadWriteMany access: `kubectl get storageclass` lists them.",
    );
    module
        .variables
        .push(match datasets::default_storage_class(k8s) {
            Some(default) => class.default(default),
            None => class,
        });
    let labels = object(
        datasets::labels(plan)
            .iter()
            .map(|(k, v)| ((*k).to_owned(), string(v.clone()))),
    );
    let namespace = expr("helm_release.jupyterhub.namespace")?;
    let metadata = || {
        Block::builder("metadata")
            .add_attribute(("name", DATASETS))
            .add_attribute(("namespace", namespace.clone()))
            .add_attribute(("labels", labels.clone()))
            .build()
    };
    let config_map = Block::builder("resource")
        .add_label("kubernetes_config_map_v1")
        .add_label("datasets")
        .add_block(metadata())
        .add_attribute((
            "data",
            expr(
                "{ \"datasets.json\" = file(\"${path.module}/../datasets/datasets.json\"), \"fetch.py\" = file(\"${path.module}/../datasets/fetch.py\") }",
            )?,
        ))
        .build();
    module.resource(
        config_map,
        &["The shared datasets volume, as in ../manifests/datasets.yaml: filled once by a Job, read-only for users."],
    );
    let pvc = Block::builder("resource")
        .add_label("kubernetes_persistent_volume_claim_v1")
        .add_label("datasets")
        .add_block(metadata())
        .add_block(
            Block::builder("spec")
                .add_attribute(("access_modes", expr("[\"ReadWriteMany\"]")?))
                .add_attribute(("storage_class_name", expr("var.datasets_storage_class")?))
                .add_block(
                    Block::builder("resources")
                        .add_attribute((
                            "requests",
                            object([("storage", string(k8s.datasets.capacity.clone()))]),
                        ))
                        .build(),
                )
                .build(),
        )
        .add_attribute(("wait_until_bound", false))
        .build();
    module.resource(pvc, &[]);
    module.resource(
        job(&labels)?,
        &["Runs again (skipping what is complete) whenever the list of datasets changes."],
    );
    Ok(())
}

/// The Job's two containers: `owner` (gives the volume to uid 1000) and `fetch`.
fn job_containers() -> Result<(Block, Block), Error> {
    let volume_mount = |name: &str, path: &str, read_only: bool| {
        let mut b = Block::builder("volume_mount")
            .add_attribute(("name", name))
            .add_attribute(("mount_path", path));
        if read_only {
            b = b.add_attribute(("read_only", true));
        }
        b.build()
    };
    let resources = |requests: &str, limits: &str| {
        Ok::<_, Error>(
            Block::builder("resources")
                .add_attribute(("requests", expr(requests)?))
                .add_attribute(("limits", expr(limits)?))
                .build(),
        )
    };
    // Both run the single-user image, which has Python and `chown`.
    let container = |block: &str, name: &str, command: &str| {
        Ok::<_, Error>(
            Block::builder(block)
                .add_attribute(("name", name))
                .add_attribute((
                    "image",
                    expr("\"${var.singleuser_image_name}:${var.singleuser_image_tag}\"")?,
                ))
                .add_attribute(("image_pull_policy", "IfNotPresent"))
                .add_attribute(("command", expr(command)?)),
        )
    };
    let owner = container(
        "init_container",
        "owner",
        "[\"chown\", \"1000:100\", \"/data\"]",
    )?
    .add_block(security_context(0, None, Some("[\"CHOWN\"]"))?)
    .add_block(resources(
        "{ cpu = \"50m\", memory = \"64Mi\" }",
        "{ cpu = \"500m\", memory = \"128Mi\" }",
    )?)
    .add_block(volume_mount("data", "/data", false))
    .build();
    let env = |name: &str, value: &str| {
        Block::builder("env")
            .add_attribute(("name", name))
            .add_attribute(("value", value))
            .build()
    };
    let fetch = container(
        "container",
        "fetch",
        "[\"python3\", \"/opt/atlasod/fetch.py\"]",
    )?
    .add_block(env("ATLASOD_DATASETS", "/opt/atlasod/datasets.json"))
    .add_block(env("ATLASOD_DATA_DIR", "/data"))
    .add_block(security_context(1000, Some(100), None)?)
    .add_block(resources(
        "{ cpu = \"500m\", memory = \"512Mi\" }",
        "{ cpu = \"2\", memory = \"2Gi\" }",
    )?)
    .add_block(volume_mount("data", "/data", false))
    .add_block(volume_mount("script", "/opt/atlasod", true))
    .build();
    Ok((owner, fetch))
}

/// A container's security context: user `uid` (root for 0), group `gid`,
/// a read-only root, no privilege escalation, every capability dropped but
/// those in `add` (an HCL list).
fn security_context(uid: u32, gid: Option<u32>, add: Option<&str>) -> Result<Block, Error> {
    let mut context = Block::builder("security_context").add_attribute(("run_as_user", uid));
    if let Some(gid) = gid {
        context = context.add_attribute(("run_as_group", gid));
    }
    let mut capabilities =
        Block::builder("capabilities").add_attribute(("drop", expr("[\"ALL\"]")?));
    if let Some(add) = add {
        capabilities = capabilities.add_attribute(("add", expr(add)?));
    }
    Ok(context
        .add_attribute(("run_as_non_root", uid != 0))
        .add_attribute(("allow_privilege_escalation", false))
        .add_attribute(("read_only_root_filesystem", true))
        .add_block(capabilities.build())
        .build())
}

fn job(labels: &Expression) -> Result<Block, Error> {
    let (owner, fetch) = job_containers()?;
    let pod_spec = Block::builder("spec")
        .add_attribute(("restart_policy", "OnFailure"))
        .add_attribute(("automount_service_account_token", false))
        .add_block(
            Block::builder("security_context")
                .add_attribute(("fs_group", 100))
                .add_block(
                    Block::builder("seccomp_profile")
                        .add_attribute(("type", "RuntimeDefault"))
                        .build(),
                )
                .build(),
        )
        .add_block(owner)
        .add_block(fetch)
        .add_block(
            Block::builder("volume")
                .add_attribute(("name", "data"))
                .add_block(
                    Block::builder("persistent_volume_claim")
                        .add_attribute((
                            "claim_name",
                            expr(
                                "kubernetes_persistent_volume_claim_v1.datasets.metadata[0].name",
                            )?,
                        ))
                        .build(),
                )
                .build(),
        )
        .add_block(
            Block::builder("volume")
                .add_attribute(("name", "script"))
                .add_block(
                    Block::builder("config_map")
                        .add_attribute((
                            "name",
                            expr("kubernetes_config_map_v1.datasets.metadata[0].name")?,
                        ))
                        .build(),
                )
                .build(),
        )
        .build();
    Ok(Block::builder("resource")
        .add_label("kubernetes_job_v1")
        .add_label("datasets")
        .add_block(
            Block::builder("metadata")
                .add_attribute(("name", DATASETS))
                .add_attribute(("namespace", expr("helm_release.jupyterhub.namespace")?))
                .add_attribute(("labels", labels.clone()))
                .build(),
        )
        .add_block(
            Block::builder("spec")
                .add_attribute(("backoff_limit", 4))
                .add_block(
                    Block::builder("template")
                        .add_block(
                            Block::builder("metadata")
                                .add_attribute(("labels", labels.clone()))
                                .build(),
                        )
                        .add_block(pod_spec)
                        .build(),
                )
                .build(),
        )
        .add_attribute(("wait_for_completion", false))
        .add_block(
            Block::builder("lifecycle")
                .add_attribute((
                    "replace_triggered_by",
                    expr("[kubernetes_config_map_v1.datasets]")?,
                ))
                .build(),
        )
        .build())
}
