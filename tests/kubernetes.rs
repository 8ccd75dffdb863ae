//! The `kubernetes` target, end to end: every spec that declares
//! `cloud.kubernetes` (fixtures under `tests/fixtures/valid/`, and
//! `examples/`) is built, snapshotted file by file, and every generated file
//! is handed to the program that consumes it:
//! - `values.yaml`: merged over Zero to JupyterHub 4.4.0's default values and
//!   validated against the chart's `values.schema.json`
//!   (`${ATLASOD_Z2JH_SCHEMA_DIR:-../shared/schemas/z2jh}`; missing = failure);
//! - `manifests/*.yaml`: `kubernetes-validate --strict` at Kubernetes 1.35 (the EKS pin);
//! - `terraform/`: python-hcl2 parse, `terraform fmt -check`, `terraform
//!   validate` (offline, through `../shared/tf-offline`), checkov with zero
//!   failed checks;
//! - the single-user start script: shellcheck; `datasets/fetch.py`: the
//!   local bundle's, which `tests/hub_fetch.rs` runs.
//!
//! External programs come from `${ATLASOD_TOOLS:-/opt/atlasod-tools}/bin`
//! (`.ci/install-tools.sh`). A missing one fails the test with a message,
//! unless `ATLASOD_SKIP_EXTERNAL=1`.

#![allow(clippy::unwrap_used)] // a test: a failed unwrap fails it

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use atlasod::program::{self, BuildFailure};
use atlasod::spec::Target;
use atlasod::targets::kubernetes::KUBERNETES_VERSION;
use atlasod::{Code, SourceFile};
use support::bundles::{self, text};
use support::specs::{Spec, declaring};
use support::{run, snapshots, terraform_in, terraform_output, tool, validators};

/// Every spec that declares `cloud.kubernetes`.
fn specs() -> Vec<Spec> {
    let specs = declaring(Target::Kubernetes);
    assert!(
        specs.len() >= 4,
        "expected the kubernetes fixtures, found {specs:?}"
    );
    specs
}

/// Writes every spec's bundle under the test's own folder.
fn written(test: &str) -> Vec<(String, PathBuf)> {
    let base = bundles::scratch(&["kubernetes", test]);
    specs()
        .into_iter()
        .map(|spec| {
            let dir = base.join(&spec.name);
            bundles::write(&spec.build(Target::Kubernetes).bundle, &dir);
            (spec.name, dir)
        })
        .collect()
}

#[test]
fn every_file_matches_its_snapshot() {
    for spec in specs().into_iter().filter(Spec::snapshotted) {
        let built = spec.build(Target::Kubernetes);
        snapshots::snapshot_bundle!("kubernetes", &spec.name, &built.bundle);
        let (settings, name) = snapshots::at(&snapshots::of_case("kubernetes", &spec.name, "plan"));
        settings.bind(|| insta::assert_json_snapshot!(name, built.plan.kubernetes));
    }
}

#[test]
fn no_orphan_snapshots() {
    let mut expected = BTreeSet::new();
    for spec in specs().into_iter().filter(Spec::snapshotted) {
        let bundle = spec.build(Target::Kubernetes).bundle;
        expected.extend(snapshots::bundle_files("kubernetes", &spec.name, &bundle));
        expected.insert(snapshots::of_case("kubernetes", &spec.name, "plan"));
    }
    snapshots::assert_no_orphans(&["kubernetes"], &expected);
}

#[test]
fn builds_are_byte_identical() {
    for spec in specs() {
        assert_eq!(
            spec.build(Target::Kubernetes).bundle,
            spec.build(Target::Kubernetes).bundle,
            "{}",
            spec.name
        );
    }
}

#[test]
fn no_secret_value_is_written() {
    for spec in specs() {
        let bundle = spec.build(Target::Kubernetes).bundle;
        for (file, contents) in &bundle.files {
            let text = String::from_utf8_lossy(&contents.contents);
            for needle in [
                "client_secret:",
                "user_password:",
                "admin_password:",
                "cookieSecret:",
                "secretToken:",
            ] {
                assert!(
                    !text.contains(needle),
                    "{file} of {} sets {needle}",
                    spec.name
                );
            }
        }
        let values = text(&bundle, "values.yaml");
        assert!(
            !values.contains("BEGIN"),
            "a key or certificate in values.yaml"
        );
    }
}

#[test]
fn the_400_student_course_is_sized_and_refused_for_one_vm() {
    let course = support::specs::valid()
        .into_iter()
        .find(|s| s.name == "online-k8s")
        .unwrap();
    let built = course.build(Target::Kubernetes);
    let k8s = built.plan.kubernetes.as_ref().unwrap();
    let cluster = k8s.cluster.as_ref().unwrap();
    assert!(cluster.users_per_node * cluster.nodes_for_all >= 400);
    assert!(cluster.max_nodes * cluster.users_per_node >= 400 + k8s.placeholders);
    let readme = text(&built.bundle, "README.md");
    assert!(
        readme.contains("cost per hour, all 400 users on"),
        "{readme}"
    );
    assert!(readme.contains(&cluster.node_type));

    let spec = course.text();
    let failure = program::build(SourceFile::new("workshop.yaml", spec.clone()), Target::Aws)
        .expect_err("400 users on one AWS VM");
    let BuildFailure::Invalid(diagnostics) = failure else {
        panic!("expected diagnostics")
    };
    let too_many = diagnostics
        .iter()
        .find(|d| d.code == Code::TooManyUsers)
        .expect("a too-many-users diagnostic");
    let span = too_many.primary.span;
    assert_eq!(&spec[span.start..span.end], "400");
    let line_start = spec[..span.start].rfind('\n').unwrap() + 1;
    assert!(spec[line_start..].starts_with("  count: 400"));
    assert!(
        too_many
            .help
            .as_deref()
            .unwrap_or("")
            .contains("--target kubernetes"),
        "{:?}",
        too_many.help
    );
}

#[test]
fn cluster_settings_are_checked() {
    let cases = [
        (
            "provider: gcp\n      region: europe-west1",
            "a `gcp` cluster needs `project`",
        ),
        ("provider: aws", "an `aws` cluster needs `region`"),
        (
            "provider: aws\n      region: eu-central-1\n      node_type: m6i.4xlarg",
            "`m6i.4xlarg` is not an instance type atlasod knows for AWS",
        ),
        (
            "provider: aws\n      region: eu-central-1\n      node_type: t3.large",
            "a `t3.large` node (2 vCPU, 8 GiB) cannot hold one user",
        ),
        (
            "provider: gcp\n      project: my-project-1\n      region: europe-west1\n      zone: europe-west9-a",
            "`europe-west9-a` is not a zone of `europe-west1`",
        ),
        (
            "provider: aws\n      region: eu-central-1\n      min_nodes: 5\n      max_nodes: 2",
            "`min_nodes` (5) is more than `max_nodes` (2)",
        ),
        (
            "provider: openstack\n      auth_url: https://keystone.example.org/v3",
            "an `openstack` cluster needs `template`",
        ),
    ];
    for (cluster, message) in cases {
        let memory = if cluster.contains("t3.large") {
            "16GiB"
        } else {
            "2GiB"
        };
        let spec = format!(
            "version: 1\nname: c-test\ncloud:\n  kubernetes:\n    cluster:\n      {cluster}\nusers:\n  count: 50\n  memory: {memory}\n"
        );
        let result = program::check(
            SourceFile::new("workshop.yaml", spec),
            Some(&[Target::Kubernetes]),
        );
        let diagnostics = result.expect_err(message);
        assert!(
            diagnostics.iter().any(|d| d.message == message),
            "{message}: got {:?}",
            diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
    let both = "version: 1\nname: c-test\ncloud:\n  kubernetes:\n    context: mine\n    cluster:\n      provider: aws\n      region: eu-central-1\nusers:\n  count: 50\n";
    let diagnostics = program::check(SourceFile::new("w.yaml", both), None).unwrap_err();
    assert!(diagnostics.iter().any(|d| d.code == Code::ClusterSettings));
}

#[test]
fn values_validate_against_the_chart_schema() {
    let written = written("values");
    let files: Vec<PathBuf> = written.iter().map(|(_, d)| d.join("values.yaml")).collect();
    validators::z2jh_values(&files, "values.yaml");
}

#[test]
fn manifests_pass_kubernetes_validate() {
    let manifests: Vec<PathBuf> = written("manifests")
        .iter()
        .map(|(_, d)| d.join("manifests/datasets.yaml"))
        .filter(|p| p.exists())
        .collect();
    assert!(!manifests.is_empty());
    let Some(passed) =
        validators::kubernetes_manifests(&manifests, KUBERNETES_VERSION, "manifests")
    else {
        return;
    };
    assert_eq!(passed, 3 * manifests.len(), "every resource is checked");
}

#[test]
fn terraform_parses_is_formatted_and_validates() {
    let written = written("terraform");
    let modules: Vec<PathBuf> = written.iter().map(|(_, d)| d.join("terraform")).collect();
    if validators::hcl2_parse(&modules, "the kubernetes modules").is_none() {
        return;
    }
    for (name, dir) in &written {
        validators::terraform(&dir.join("terraform"), name);
    }
}

#[test]
fn checkov_finds_nothing_to_fix() {
    let mut passed = 0;
    for (name, dir) in written("checkov") {
        let Some(checks) = validators::checkov_terraform(&dir.join("terraform"), &name) else {
            return;
        };
        passed += checks;
    }
    assert!(passed > 0, "checkov ran no check on any module");
}

#[test]
fn start_script_passes_shellcheck() {
    for spec in specs() {
        let built = spec.build(Target::Kubernetes);
        let script = atlasod::targets::kubernetes::start_script(
            &built.plan,
            built.plan.kubernetes.as_ref().unwrap(),
        )
        .unwrap();
        let values = text(&built.bundle, "values.yaml");
        let first = script.lines().nth(1).unwrap();
        assert!(
            values.contains(first),
            "{}: the script is not in values.yaml",
            spec.name
        );
        if validators::shellcheck_text(&script, &spec.name).is_none() {
            return;
        }
    }
}

/// One fetcher for every target: the dataset Job runs the very `datasets/fetch.py` that the
/// compose project's `fetch-datasets` service runs (`tests/hub_fetch.rs` runs it for real),
/// on the datasets the cluster copies, and its ConfigMap carries both files.
#[test]
fn the_dataset_job_runs_the_fetcher_of_every_target() {
    let mut checked = 0;
    for spec in specs() {
        let built = spec.build(Target::Kubernetes);
        let Some(script) = built.bundle.text("datasets/fetch.py") else {
            continue;
        };
        let local = spec.build(Target::Local);
        assert_eq!(
            Some(script),
            local.bundle.text("datasets/fetch.py"),
            "{}: the kubernetes fetcher is not the local one",
            spec.name
        );
        let listing: serde_json::Value =
            serde_json::from_str(text(&built.bundle, "datasets/datasets.json")).unwrap();
        let local_listing: serde_json::Value =
            serde_json::from_str(text(&local.bundle, "datasets/datasets.json")).unwrap();
        let copied = &built.plan.kubernetes.as_ref().unwrap().datasets.copied;
        let expected: Vec<&serde_json::Value> = local_listing
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| copied.iter().any(|c| d["name"] == c.as_str()))
            .collect();
        assert!(!expected.is_empty(), "{}", spec.name);
        assert_eq!(
            listing.as_array().unwrap().iter().collect::<Vec<_>>(),
            expected,
            "{}",
            spec.name
        );
        // the ConfigMap's `fetch.py: |` block, de-indented, is the script
        let manifests = text(&built.bundle, "manifests/datasets.yaml");
        let block: Vec<&str> = manifests
            .split_once("\n  fetch.py: |\n")
            .unwrap()
            .1
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with("    "))
            .map(|l| l.strip_prefix("    ").unwrap_or(l))
            .collect();
        assert_eq!(
            block.join("\n").trim_end(),
            script.trim_end(),
            "{}",
            spec.name
        );
        checked += 1;
    }
    assert!(checked > 0, "no kubernetes spec copies a dataset");
}

/// `git` itself, in a repository made of the written bundle: the files that
/// hold the hub's secrets (`terraform.tfvars`, the state, and with native roster accounts the
/// `accounts.csv` of `atlasod accounts` beside `terraform/`) are ignored, and the generated
/// files are not.
#[test]
fn git_ignores_the_files_that_hold_secrets() {
    let Some(git) = tool("git") else {
        return;
    };
    for (name, dir) in written("gitignore") {
        let tf = dir.join("terraform");
        for secret in [
            "terraform.tfvars",
            "terraform.tfstate",
            "terraform.tfstate.backup",
        ] {
            std::fs::write(tf.join(secret), "secret = \"s3cret\"\n").unwrap();
        }
        let roster = std::fs::read_to_string(tf.join("main.tf"))
            .unwrap()
            .contains("local.accounts");
        std::fs::write(dir.join("accounts.csv"), "username,password\nana,s3cret\n").unwrap();
        run(std::process::Command::new(&git)
            .arg("init")
            .arg("-q")
            .arg(&dir))
        .assert_ok("git init");
        let status = run(std::process::Command::new(&git)
            .args([
                "status",
                "--porcelain",
                "--ignored",
                "--untracked-files=all",
            ])
            .current_dir(&dir));
        let status = status.assert_ok("git status").stdout.clone();
        for secret in [
            "terraform.tfvars",
            "terraform.tfstate",
            "terraform.tfstate.backup",
        ] {
            assert!(
                status.contains(&format!("!! terraform/{secret}\n")),
                "{name}: git would commit terraform/{secret}:\n{status}"
            );
        }
        assert!(
            status.contains("?? terraform/main.tf\n"),
            "{name}: main.tf should be committed:\n{status}"
        );
        if roster {
            assert!(
                status.contains("!! accounts.csv\n"),
                "{name}: git would commit accounts.csv:\n{status}"
            );
        }
    }
    assert!(
        written("gitignore-roster")
            .iter()
            .any(|(name, _)| name == "roster-native-clouds"),
        "a spec with native roster accounts"
    );
}

/// The real start script, run by bash with every notebook repository
/// unreachable and stand-ins for the image's programs on `PATH`: a failed
/// pull never stops the server, which starts with the script's arguments.
#[test]
fn start_script_starts_the_server_when_a_repository_is_unreachable() {
    let Some(bash) = tool("bash") else {
        return;
    };
    for spec in specs() {
        let built = spec.build(Target::Kubernetes);
        if built.plan.notebooks.is_empty() {
            continue;
        }
        let mut plan = built.plan.clone();
        for (i, notebook) in plan.notebooks.iter_mut().enumerate() {
            // A local path that is not a repository: git fails at once, offline.
            notebook.repo = format!("/nonexistent/repo-{i}");
            notebook.branch = None;
        }
        let script =
            atlasod::targets::kubernetes::start_script(&plan, plan.kubernetes.as_ref().unwrap())
                .unwrap();
        let dir = bundles::scratch(&["kubernetes", "start-script", &spec.name]);
        let bin = dir.join("bin");
        let stub = |name: &str, body: &str| support::stand_in(&bin, name, body);
        // An image that has the hub's JupyterHub and nbgitpuller already.
        let version = &plan.kubernetes.as_ref().unwrap().singleuser_jupyterhub;
        stub("python3", &format!("echo {version}"));
        stub("gitpuller", "exit 1");
        stub("jupyterhub-singleuser", "echo \"server started with $*\"");
        std::fs::write(dir.join("start.sh"), &script).unwrap();
        let ran = start_server(&bash, &dir, &bin, &["--port=8888"]);
        assert!(
            ran.ok && ran.stdout.contains("server started with --port=8888"),
            "{}: the server did not start:\n{}",
            spec.name,
            ran.all()
        );
        assert!(
            ran.stderr
                .contains("could not read the default branch of /nonexistent/repo-0"),
            "{}: {}",
            spec.name,
            ran.stderr
        );
    }
}

/// Runs `dir/start.sh` (the start script) with `args`, the stand-ins of `bin` first on
/// the PATH and `dir` as the user's home.
fn start_server(bash: &Path, dir: &Path, bin: &Path, args: &[&str]) -> support::Ran {
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    run(std::process::Command::new(bash)
        .arg(dir.join("start.sh"))
        .args(args)
        .env("PATH", path)
        .env("HOME", dir))
}

/// With an image whose JupyterHub is not the hub's major, only a user's first
/// start installs it: into `~/.local` on the persistent home (`pip --user`),
/// where the next start finds it. Run twice for real, with a stand-in
/// `python3` that answers as an image with JupyterHub 4 until pip installed 5.
#[test]
fn start_script_installs_jupyterhub_once_per_home() {
    let Some(bash) = tool("bash") else {
        return;
    };
    let spec = specs()
        .into_iter()
        .find(|s| s.build(Target::Kubernetes).plan.notebooks.is_empty())
        .expect("a kubernetes spec without notebooks");
    let built = spec.build(Target::Kubernetes);
    let plan = &built.plan;
    let version = &plan.kubernetes.as_ref().unwrap().singleuser_jupyterhub;
    let script = text(&built.bundle, "values.yaml");
    assert!(script.contains("pip install --user"), "{}", spec.name);
    let script =
        atlasod::targets::kubernetes::start_script(plan, plan.kubernetes.as_ref().unwrap())
            .unwrap();
    let dir = bundles::scratch(&["kubernetes", "start-once", &spec.name]);
    let bin = dir.join("bin");
    let stub = |name: &str, body: &str| support::stand_in(&bin, name, body);
    stub(
        "python3",
        &format!(
            r#"if [ "$1" = -m ]; then
  echo "pip $*" >> "$HOME/pip.log"
  case "$*" in *--user*) mkdir -p "$HOME/.local" && echo {version} > "$HOME/.local/jupyterhub" ;; esac
  exit 0
fi
cat "$HOME/.local/jupyterhub" 2>/dev/null || echo 4.1.6"#
        ),
    );
    stub("jupyterhub-singleuser", "echo \"server started with $*\"");
    std::fs::write(dir.join("start.sh"), &script).unwrap();
    for start in 1..=2 {
        let ran = start_server(&bash, &dir, &bin, &[]);
        assert!(
            ran.ok && ran.stdout.contains("server started"),
            "{}: start {start}:\n{}",
            spec.name,
            ran.all()
        );
    }
    let log = std::fs::read_to_string(dir.join("pip.log")).unwrap_or_default();
    assert_eq!(log.lines().count(), 1, "{}: pip ran {log}", spec.name);
    assert!(log.contains(&format!("jupyterhub=={version}")), "{log}");
}

/// `main.tf` of the named fixture's bundle, as JSON (hcl-rs: references read
/// as `${...}` strings).
fn main_tf(name: &str) -> serde_json::Value {
    terraform_file(name, "main.tf")
}

/// A file of the `terraform/` folder of `name`'s bundle, parsed: as JSON or as an `hcl::Body`.
fn terraform_file<T: serde::de::DeserializeOwned>(name: &str, file: &str) -> T {
    let spec = support::specs::named(specs(), name);
    let built = spec.build(Target::Kubernetes);
    hcl::from_str(text(&built.bundle, &format!("terraform/{file}"))).unwrap()
}

/// A new EKS cluster has no StorageClass (EKS 1.30+), and the chart's hub
/// database and every home claim need one: the bundle installs the EBS CSI
/// driver with its role and makes an encrypted gp3 class the default, before
/// the chart. Its subnets leave out the zones EKS refuses (`us-east-1e`).
#[test]
fn eks_has_a_default_storage_class_and_only_zones_eks_supports() {
    let tf = main_tf("k8s-eks");
    let addon = &tf["resource"]["aws_eks_addon"]["ebs_csi"];
    assert_eq!(addon["addon_name"], "aws-ebs-csi-driver", "{tf:#}");
    assert_eq!(
        addon["pod_identity_association"]["service_account"],
        "ebs-csi-controller-sa"
    );
    let class = &tf["resource"]["kubernetes_storage_class_v1"]["gp3"];
    assert_eq!(class["storage_provisioner"], "ebs.csi.aws.com");
    assert_eq!(
        class["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"],
        "true"
    );
    assert_eq!(class["parameters"]["type"], "gp3");
    let chart = tf["resource"]["helm_release"]["jupyterhub"]["depends_on"].to_string();
    assert!(chart.contains("kubernetes_storage_class_v1.gp3"), "{chart}");
    let zones = &tf["data"]["aws_availability_zones"]["eks"]["exclude_zone_ids"];
    assert!(
        zones.as_array().unwrap().iter().any(|z| z == "use1-az3"),
        "{zones}"
    );
    let filters = tf["data"]["aws_subnets"]["default"]["filter"].to_string();
    assert!(
        filters.contains("data.aws_availability_zones.eks.names"),
        "{filters}"
    );
}

/// The Cluster Autoscaler supports only the Kubernetes minor version it was
/// released with: the EKS cluster is created at a pinned version (not EKS's
/// default of the day) and the chart runs the autoscaler of that minor.
#[test]
fn eks_autoscaler_runs_the_clusters_kubernetes_minor() {
    let tf = main_tf("k8s-eks");
    let cluster_version = tf["resource"]["aws_eks_cluster"]["this"]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("the EKS cluster pins no version: {tf:#}"))
        .to_owned();
    let set = &tf["resource"]["helm_release"]["cluster_autoscaler"]["set"];
    let tag =
        set.as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["name"] == "image.tag")
            .unwrap_or_else(|| panic!("the autoscaler image follows the chart's default: {set:#}"))
            ["value"]
            .as_str()
            .unwrap()
            .to_owned();
    let minor = |version: &str| -> String {
        let version = version.trim_start_matches('v');
        version.split('.').take(2).collect::<Vec<_>>().join(".")
    };
    assert_eq!(
        minor(&tag),
        cluster_version,
        "autoscaler {tag} on EKS {cluster_version}"
    );
    assert_eq!(
        minor(KUBERNETES_VERSION),
        cluster_version,
        "the manifests are validated against another version than the cluster runs"
    );
}

/// GKE upgrades drain nodes and kill running kernels: no node or minor
/// upgrade during the spec's `schedule`, and a nightly window otherwise.
#[test]
fn gke_does_not_upgrade_nodes_during_the_workshop() {
    let spec = support::specs::named(specs(), "online-k8s");
    let schedule = spec.check().spec.schedule.clone().unwrap();
    let tf = main_tf("online-k8s");
    let policy = &tf["resource"]["google_container_cluster"]["this"]["maintenance_policy"];
    let exclusion = &policy["maintenance_exclusion"];
    assert_eq!(
        exclusion["start_time"],
        schedule.start.as_str(),
        "{policy:#}"
    );
    assert_eq!(exclusion["end_time"], schedule.end.as_str());
    assert_eq!(
        exclusion["exclusion_options"]["scope"],
        "NO_MINOR_OR_NODE_UPGRADES"
    );
    assert_eq!(policy["daily_maintenance_window"]["start_time"], "03:00");
}

/// The secrets reach the chart as a YAML values document that Terraform
/// itself writes: the bundle's own expression, evaluated by `terraform apply`
/// in a module of its own (no provider), gives back a password with every
/// character helm's `set_sensitive` would break (`,` `\` `{` `"` `=`, a new
/// line, non-ASCII) byte for byte.
#[test]
fn secrets_reach_the_chart_values_byte_for_byte() {
    let Some(terraform) = tool("terraform") else {
        return;
    };
    let body: hcl::Body = terraform_file("online-k8s", "main.tf");
    let documents = bundles::helm_values(&body);
    assert_eq!(
        documents.len(),
        2,
        "values.yaml and the secrets: {documents:?}"
    );
    let secrets = hcl::format::to_string(&documents[1]).unwrap();
    assert!(secrets.contains("var.oauth_client_secret"), "{secrets}");

    let dir = bundles::scratch(&["kubernetes", "secret-values"]);
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "variable \"oauth_client_secret\" {{\n  type      = string\n  sensitive = true\n}}\n\n\
             output \"secrets\" {{\n  value = nonsensitive({secrets})\n}}\n"
        ),
    )
    .unwrap();
    let password = "a,b\\c{d}\"e=f\ng ñ ${x}";
    let output = terraform_output(
        &terraform,
        &dir,
        &[("oauth_client_secret", password)],
        "secrets",
    );
    let yaml = SourceFile::new("secrets.yaml", output.as_str());
    let document = atlasod::parse::parse_document(&yaml).unwrap().to_json();
    assert_eq!(
        document["hub"]["config"]["GitHubOAuthenticator"]["client_secret"], password,
        "{output}"
    );
}

/// The time a server has to answer after it starts reaches KubeSpawner
/// through `hub.config` (the chart has no key for it, and it used to be
/// dropped with the chart-owned Spawner settings).
#[test]
fn the_http_timeout_reaches_kubespawner() {
    for spec in specs() {
        let built = spec.build(Target::Kubernetes);
        let file = SourceFile::new("values.yaml", text(&built.bundle, "values.yaml"));
        let values = atlasod::parse::parse_document(&file).unwrap().to_json();
        assert_eq!(
            values["hub"]["config"]["KubeSpawner"]["http_timeout"],
            atlasod::plan::jupyterhub::HTTP_TIMEOUT_SECONDS,
            "{}",
            spec.name
        );
    }
}

/// The optional single-user image is checked as the hub bundles' images are.
#[test]
fn image_dockerfile_passes_checkov() {
    let written = written("checkov-dockerfile");
    let root = written[0].1.parent().unwrap();
    validators::checkov_dockerfiles(root, written.len(), "kubernetes image/Dockerfile");
}

/// Without a domain, the self-signed certificate names the load balancer's address once the
/// trainer sets `hub_address` (README "The certificate's name"): the bundle's own variable
/// block and the certificate's `ip_addresses` and `dns_names` expressions, evaluated by
/// `terraform apply`, give an IP SAN for an IP, a DNS SAN for a hostname, none when empty,
/// and the variable's validation refuses anything else.
#[test]
fn the_self_signed_certificate_names_the_hub_address() {
    let Some(terraform) = tool("terraform") else {
        return;
    };
    let main: hcl::Body = terraform_file("k8s-existing", "main.tf");
    let cert = bundles::labelled(&main, "tls_self_signed_cert");
    let attribute = |key: &str| {
        let found = cert.body().attributes().find(|a| a.key() == key).unwrap();
        hcl::format::to_string(found.expr()).unwrap()
    };
    let variables: hcl::Body = terraform_file("k8s-existing", "variables.tf");
    let variable = bundles::labelled(&variables, "hub_address");
    let dir = bundles::scratch(&["kubernetes", "hub-address"]);
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "{}\noutput \"ip_addresses\" {{\n  value = {}\n}}\n\noutput \"dns_names\" {{\n  value = {}\n}}\n",
            hcl::to_string(&hcl::Body::builder().add_block(variable.clone()).build()).unwrap(),
            attribute("ip_addresses"),
            attribute("dns_names"),
        ),
    )
    .unwrap();
    let command = |address: &str| {
        let mut command = terraform_in(&terraform, &dir);
        command.env("TF_VAR_hub_address", address);
        command
    };
    run(command("").args(["init", "-no-color", "-input=false"])).assert_ok("terraform init");
    for (address, ip, dns) in [
        ("203.0.113.7", vec!["203.0.113.7"], vec![]),
        (
            "a1b2c3-42.elb.eu-west-1.amazonaws.com",
            vec![],
            vec!["a1b2c3-42.elb.eu-west-1.amazonaws.com"],
        ),
        ("", vec![], vec![]),
    ] {
        run(command(address).args(["apply", "-no-color", "-input=false", "-auto-approve"]))
            .assert_ok(&format!("terraform apply with hub_address = {address:?}"));
        let output = run(command(address).args(["output", "-json"]));
        output.assert_ok("terraform output");
        let outputs: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(
            outputs["ip_addresses"]["value"],
            serde_json::json!(ip),
            "{address}"
        );
        assert_eq!(
            outputs["dns_names"]["value"],
            serde_json::json!(dns),
            "{address}"
        );
    }
    for bad in [
        "https://203.0.113.7",
        "pending",
        "Hub.Example.ORG",
        "1.2.3.4 ",
    ] {
        let ran = run(command(bad).args(["plan", "-no-color", "-input=false"]));
        assert!(
            !ran.ok && ran.all().contains("hub_address must be an IPv4 address"),
            "{bad:?} accepted:\n{}",
            ran.all()
        );
    }
}
