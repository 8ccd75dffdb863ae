//! Native roster accounts on the `kubernetes` target, run for real without a cluster.
//!
//! `atlasod build --target kubernetes` and `atlasod accounts --target kubernetes` in a folder of
//! their own; then the chain the passwords follow to the chart's hub, each link run by the
//! program that runs it in a deployment:
//! - Terraform itself (`terraform apply` in a module of the test's own, beside the bundle's, with
//!   the bundle's `locals` block and the `helm_release`'s sensitive values document) reads
//!   `../accounts.csv` and writes the values document: `hub.extraFiles.atlasod-accounts` holds the
//!   file byte for byte, mounted where `hub.config` tells the hub to read it;
//! - `values.yaml` with that document over it, as Helm merges them, passes the chart's schema;
//! - a real JupyterHub (`tests/tools/hub_smoke.py --method native-roster`) loads the chart's hub
//!   configuration the way Zero to JupyterHub's `jupyterhub_config.py` does (`hub.config` class by
//!   class, then each `hub.extraConfig` in key order), reads the passwords from the file
//!   Terraform's document holds, and lets every roster student log in with no sign-up, and
//!   nobody else.
//!
//! How it differs from a cluster: KubeSpawner is replaced by a local process spawner (as for the
//! compose hub), and the file is written by the test where the kubelet would mount it.

#![allow(clippy::unwrap_used)] // a test: a failed unwrap fails it

mod support;

use std::path::Path;

use atlasod::SourceFile;
use serde_json::Value;
use support::{atlasod_in, bundles, hub, run, terraform_output, tool, validators};

/// The chart's `hub.extraFiles` key of the roster's passwords.
const EXTRA_FILE: &str = "atlasod-accounts";

fn yaml(name: &str, text: &str) -> Value {
    atlasod::parse::parse_document(&SourceFile::new(name, text))
        .unwrap_or_else(|_| panic!("{name} is not YAML:\n{text}"))
        .to_json()
}

/// Helm's merge of a values document over another: maps key by key, anything else replaced.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                merge(base.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// The sensitive values document of the bundle's `helm_release`, as `terraform apply` computes it
/// from `../accounts.csv` in a module beside the bundle's own `terraform/`.
fn terraform_values(terraform: &Path, bundle: &Path) -> Value {
    let main = std::fs::read_to_string(bundle.join("terraform/main.tf")).unwrap();
    let body: hcl::Body = hcl::from_str(&main).unwrap();
    let locals = body
        .blocks()
        .find(|b| {
            b.identifier() == "locals" && b.body().attributes().any(|a| a.key() == "accounts")
        })
        .expect("main.tf has no `local.accounts`");
    let documents = bundles::helm_values(&body);
    let document = hcl::format::to_string(&documents[1]).unwrap();
    let module = bundle.join("evaluate");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("main.tf"),
        format!(
            "{}\noutput \"values\" {{\n  value = nonsensitive({document})\n}}\n",
            hcl::format::to_string(locals).unwrap()
        ),
    )
    .unwrap();
    yaml(
        "values document",
        &terraform_output(terraform, &module, &[], "values"),
    )
}

/// What Zero to JupyterHub 4.4.0's `jupyterhub_config.py` does with the chart's values.
fn z2jh_hub_config(values: &Value) -> String {
    let json = serde_json::to_string(&values.to_string()).unwrap();
    format!(
        "# The chart's hub configuration, loaded as Zero to JupyterHub's jupyterhub_config.py loads it:\n\
         # hub.config class by class (c[app].update(cfg)), then every hub.extraConfig in key order.\n\
         import json\n\
         values = json.loads({json})\n\
         for app, cfg in values[\"hub\"].get(\"config\", {{}}).items():\n\
         \x20   c[app].update(cfg)\n\
         for key, config_py in sorted(values[\"hub\"].get(\"extraConfig\", {{}}).items()):\n\
         \x20   exec(config_py)\n"
    )
}

#[test]
fn a_kubernetes_roster_hub_logs_every_student_in_and_nobody_else() {
    let Some(terraform) = tool("terraform") else {
        return;
    };
    let Some(smoke) = hub::helper("hub_smoke.py") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("students.csv"), "username\nana\nbo\ncy\n").unwrap();
    std::fs::write(
        d.join("workshop.yaml"),
        "version: 1\nname: k8s-roster\ncloud:\n  kubernetes: {}\nusers:\n  roster: students.csv\nauth:\n  method: native\nhub:\n  domain: hub.example.org\n",
    )
    .unwrap();
    run(atlasod_in(d).args(["build", "--target", "kubernetes", "-q"])).assert_ok("build");
    run(atlasod_in(d).args(["accounts", "--target", "kubernetes", "-q"])).assert_ok("accounts");
    let bundle = d.join("bundle/kubernetes");
    let accounts = std::fs::read_to_string(bundle.join("accounts.csv")).unwrap();

    let document = terraform_values(&terraform, &bundle);
    let file = &document["hub"]["extraFiles"][EXTRA_FILE];
    assert_eq!(file["stringData"], accounts.as_str(), "{document:#}");
    assert_eq!(file["mode"], 0o440, "{document:#}");
    let mut values = yaml(
        "values.yaml",
        &std::fs::read_to_string(bundle.join("values.yaml")).unwrap(),
    );
    let config = &values["hub"]["config"]["WorkshopNativeAuthenticator"];
    assert_eq!(
        file["mountPath"], config["accounts_file"],
        "the hub reads the passwords where the chart mounts them"
    );
    assert!(
        config["state_file"]
            .as_str()
            .is_some_and(|p| p.starts_with("/srv/jupyterhub/")),
        "the account state lives on the hub's database volume: {config:#}"
    );
    merge(&mut values, &document);
    let merged = bundle.join("merged-values.json");
    std::fs::write(&merged, values.to_string()).unwrap();
    validators::z2jh_values(&[merged], "values.yaml with Terraform's values document");

    // The file where the kubelet would mount it, and the chart's hub configuration.
    let mounted = d.join("mounted").join(EXTRA_FILE);
    std::fs::create_dir_all(mounted.parent().unwrap()).unwrap();
    std::fs::write(&mounted, file["stringData"].as_str().unwrap()).unwrap();
    let hub = d.join("hub");
    std::fs::create_dir_all(&hub).unwrap();
    std::fs::write(hub.join("jupyterhub_config.py"), z2jh_hub_config(&values)).unwrap();
    let ran = run(hub::python3(&smoke)
        .arg(&hub)
        .args(["--method", "native-roster", "--accounts"])
        .arg(&mounted));
    ran.assert_ok("hub_smoke.py --method native-roster (the chart's hub config)");
    hub::assert_roster_logins(&ran, 3);
}
