//! The Terraform root module: the chart through `helm_release`, the shared
//! datasets volume through the `kubernetes` provider, and (from `cluster.rs`)
//! the managed cluster.
//!
//! Input: the plan, its Kubernetes part and the hub settings. Output: the
//! files of `terraform/`, built as hcl-rs structures and laid out as
//! `terraform fmt` does. Secrets are sensitive variables, passed to the
//! chart as one `sensitive(yamlencode(...))` values document (helm's
//! `set_sensitive` splits on `,` and eats `\\`); nothing secret is written
//! in the bundle.

mod datasets;

use std::fmt::Write as _;

use hcl::{Block, Expression};

use super::datasets::KUBERNETES_VERSION;
use super::hub::HubSettings;
use super::{RELEASE, cluster, split_image};
use crate::error::Error;
use crate::plan::{KubernetesPlan, Plan};
use crate::spec::Https;
use crate::targets::terraform::fmt::expression;
use crate::targets::terraform::{
    File, Part, Variable, accounts, call, expr, object, string, template, variables_file, versions,
};

/// How the `kubernetes` and `helm` providers reach the cluster.
#[derive(Default)]
pub struct Connection {
    pub attributes: Vec<(&'static str, Expression)>,
    /// `exec` credentials (a block for `kubernetes`, an object for `helm`).
    pub exec: Vec<(&'static str, Expression)>,
}

/// The module being built; `cluster.rs` adds to it.
pub struct Module {
    /// The providers `versions.tf` pins (from `targets/terraform.yaml`), in order.
    pub providers: Vec<&'static str>,
    pub variables: Vec<Variable>,
    pub main: File,
    pub outputs: File,
    pub connection: Connection,
    /// References the chart must wait for (the node pools of a new cluster).
    pub chart_depends_on: Vec<String>,
}

impl Module {
    /// Adds `block` to `main.tf` with its comments (`checkov:` skips inside it).
    pub fn resource(&mut self, block: Block, comments: &[&str]) {
        self.main.push_commented(block, comments);
    }
}

/// The labels every resource of the workshop carries.
pub fn label_map(plan: &Plan) -> Expression {
    object([("atlasod-workshop", string(&plan.name))])
}

/// A list of references atlasod wrote, such as `depends_on`'s.
fn references(items: &[String]) -> Result<Expression, Error> {
    Ok(Expression::Array(
        items.iter().map(|r| expr(r)).collect::<Result<_, _>>()?,
    ))
}

/// Every file of `terraform/`, by name.
pub fn render(
    plan: &Plan,
    k8s: &KubernetesPlan,
    hub: &HubSettings,
) -> Result<Vec<(&'static str, String)>, Error> {
    let mut module = Module {
        providers: vec!["helm", "kubernetes"],
        variables: Vec::new(),
        main: File::default(),
        outputs: File::default(),
        connection: Connection::default(),
        chart_depends_on: Vec::new(),
    };
    match &k8s.cluster {
        Some(c) => cluster::add(&mut module, plan, k8s, c)?,
        None => existing_cluster(&mut module, k8s)?,
    }
    providers(&mut module);
    chart(&mut module, plan, k8s, hub)?;
    if !k8s.datasets.copied.is_empty() {
        datasets::add(&mut module, plan, k8s)?;
    }
    outputs(&mut module, plan)?;
    let mut versions = versions(&[], &module.providers)?;
    versions.above(
        "terraform",
        format!(
            "Provider pins checked with `terraform validate`; the Kubernetes manifests with Kubernetes {KUBERNETES_VERSION}."
        ),
    );
    Ok(vec![
        ("versions.tf", versions.to_text()),
        (
            "variables.tf",
            variables_file(&[], &module.variables)?.to_text(),
        ),
        ("main.tf", module.main.to_text()),
        ("outputs.tf", module.outputs.to_text()),
        ("terraform.tfvars.example", tfvars(plan, &module)),
    ])
}

fn existing_cluster(module: &mut Module, k8s: &KubernetesPlan) -> Result<(), Error> {
    module.variables.push(
        Variable::new(
            "kubeconfig_path",
            "string",
            "The kubeconfig file that holds the cluster's context.",
        )
        .default("~/.kube/config"),
    );
    let context = Variable::new(
        "kube_context",
        "string",
        "The kubeconfig context of the cluster (`cloud.kubernetes.context`); null uses the current context.",
    );
    module.variables.push(match &k8s.context {
        Some(context_name) => context.default(context_name.as_str()),
        None => context.default(Expression::Null),
    });
    module.connection.attributes = vec![
        ("config_path", expr("pathexpand(var.kubeconfig_path)")?),
        ("config_context", expr("var.kube_context")?),
    ];
    Ok(())
}

/// The `kubernetes` and `helm` providers, both connected as `module.connection` says.
fn providers(module: &mut Module) {
    let mut kubernetes = Block::builder("provider").add_label("kubernetes");
    let mut helm_fields = module.connection.attributes.clone();
    for (name, value) in &module.connection.attributes {
        kubernetes = kubernetes.add_attribute((*name, value.clone()));
    }
    if !module.connection.exec.is_empty() {
        let mut exec = Block::builder("exec");
        for (name, value) in &module.connection.exec {
            exec = exec.add_attribute((*name, value.clone()));
        }
        kubernetes = kubernetes.add_block(exec.build());
        helm_fields.push(("exec", object(module.connection.exec.clone())));
    }
    let helm = Block::builder("provider")
        .add_label("helm")
        .add_attribute(("kubernetes", object(helm_fields)))
        .build();
    module.main.push(kubernetes.build());
    module.main.push(helm);
}

/// One object of nested objects from `(path, value)` pairs, keys in the
/// order they first appear: `[(["a", "b"], x), (["a", "c"], y)]` is
/// `{ a = { b = x, c = y } }`.
fn nested(values: &[(Vec<&str>, Expression)]) -> Expression {
    let mut keys: Vec<&str> = Vec::new();
    for (path, _) in values {
        if let Some(first) = path.first() {
            if !keys.contains(first) {
                keys.push(first);
            }
        }
    }
    object(keys.into_iter().map(|key| {
        let below: Vec<(Vec<&str>, Expression)> = values
            .iter()
            .filter(|(path, _)| path.first() == Some(&key))
            .map(|(path, value)| (path[1..].to_vec(), value.clone()))
            .collect();
        let value = match below.as_slice() {
            [(rest, value)] if rest.is_empty() => value.clone(),
            _ => nested(&below),
        };
        (key, value)
    }))
}

/// One `set` entry of a `helm_release`: the chart value at `name`.
fn set_entry(name: &str, value: Expression, typed: bool) -> Expression {
    let mut items = vec![("name", string(name)), ("value", value)];
    if typed {
        items.push(("type", string("string")));
    }
    object(items)
}

/// The namespace and the single-user image, as variables the chart reads.
fn image_variables(module: &mut Module, plan: &Plan, k8s: &KubernetesPlan) {
    let (image_name, image_tag) = split_image(&plan.singleuser.base_image);
    module.variables.push(
        Variable::new(
            "namespace",
            "string",
            "The namespace of the hub and its users (created when absent, never deleted by destroy).",
        )
        .default(k8s.namespace.as_str()),
    );
    module.variables.push(
        Variable::new(
            "singleuser_image_name",
            "string",
            "The single-user image without its tag: the spec's, or a derived one pushed from image/Dockerfile.",
        )
        .default(image_name.as_str()),
    );
    module.variables.push(
        Variable::new(
            "singleuser_image_tag",
            "string",
            "The single-user image's tag.",
        )
        .default(image_tag.as_str()),
    );
}

fn chart(
    module: &mut Module,
    plan: &Plan,
    k8s: &KubernetesPlan,
    hub: &HubSettings,
) -> Result<(), Error> {
    image_variables(module, plan, k8s);
    let mut set = vec![
        set_entry(
            "singleuser.image.name",
            expr("var.singleuser_image_name")?,
            false,
        ),
        set_entry(
            "singleuser.image.tag",
            expr("var.singleuser_image_tag")?,
            true,
        ),
    ];
    // Chart values from sensitive variables and resources: (path, value).
    let mut secret_values: Vec<(Vec<&str>, Expression)> = Vec::new();
    for secret in &hub.secrets {
        let value = expr(&format!("var.{}", secret.variable))?;
        let mut variable = Variable::new(&secret.variable, "string", secret.description.as_str())
            .validate(
                &format!("length(var.{}) >= {}", secret.variable, secret.min_length),
                format!(
                    "`{}` must have at least {} characters.",
                    secret.variable, secret.min_length
                ),
            );
        if secret.sensitive {
            variable = variable.sensitive();
            secret_values.push((
                vec!["hub", "config", secret.class.as_str(), secret.name.as_str()],
                value,
            ));
        } else {
            set.push(set_entry(&secret.path(), value, true));
        }
        module.variables.push(variable);
    }
    if plan.has_accounts() {
        roster_accounts(module);
        secret_values.extend(accounts_file()?);
    }
    if plan.tls.mode != Https::Letsencrypt {
        self_signed(module, plan)?;
        secret_values.push((
            vec!["proxy", "https", "manual", "key"],
            expr("tls_private_key.hub.private_key_pem")?,
        ));
        secret_values.push((
            vec!["proxy", "https", "manual", "cert"],
            expr("tls_self_signed_cert.hub.cert_pem")?,
        ));
    }
    let mut release = Block::builder("resource")
        .add_label("helm_release")
        .add_label(RELEASE)
        .add_attribute(("name", RELEASE))
        .add_attribute(("repository", k8s.chart.repository.as_str()))
        .add_attribute(("chart", k8s.chart.name.as_str()))
        .add_attribute(("version", k8s.chart.version.as_str()))
        .add_attribute(("namespace", expr("var.namespace")?))
        .add_attribute(("create_namespace", true))
        .add_attribute(("timeout", 1800))
        .add_attribute(("values", {
            let mut values = vec![expr("file(\"${path.module}/../values.yaml\")")?];
            if !secret_values.is_empty() {
                values.push(call(
                    "sensitive",
                    vec![call("yamlencode", vec![nested(&secret_values)])],
                ));
            }
            Expression::Array(values)
        }))
        .add_attribute(("set", Expression::Array(set)));
    if !module.chart_depends_on.is_empty() {
        release = release.add_attribute(("depends_on", references(&module.chart_depends_on)?));
    }
    module.resource(
        release.build(),
        &[
            &format!(
                "Zero to JupyterHub {} (JupyterHub {}), with ../values.yaml. The pre-puller hook",
                k8s.chart.version, k8s.chart.jupyterhub
            ),
            "waits until every node has the single-user image: the first install takes minutes.",
        ],
    );
    Ok(())
}

/// The hub's file of the roster's passwords (where `native_admins` reads them, mode 0440 for
/// the hub's group): `hub.extraFiles`, which the chart keeps in the hub's own Secret (a change
/// restarts the hub through the Secret's checksum), from `local.accounts`.
fn accounts_file() -> Result<Vec<(Vec<&'static str>, Expression)>, Error> {
    let path = |key| vec!["hub", "extraFiles", ACCOUNTS_EXTRA_FILE, key];
    Ok(vec![
        (
            path("mountPath"),
            string(crate::plan::jupyterhub::ACCOUNTS_FILE),
        ),
        (path("mode"), Expression::from(0o440)),
        (path("stringData"), expr("local.accounts")?),
    ])
}

/// The key of the roster's passwords under `hub.extraFiles`.
pub const ACCOUNTS_EXTRA_FILE: &str = "atlasod-accounts";

/// `local.accounts` (the file `atlasod accounts` wrote beside the bundle) and the guard that
/// refuses to plan without it.
fn roster_accounts(module: &mut Module) {
    module.main.push(
        Block::builder("locals")
            .add_attribute(("accounts", accounts::local()))
            .build(),
    );
    module.resource(
        accounts::guard(crate::spec::Target::Kubernetes),
        &["The roster's passwords, from ../accounts.csv (`atlasod accounts`): no plan without them."],
    );
}

fn self_signed(module: &mut Module, plan: &Plan) -> Result<(), Error> {
    module.providers.push("tls");
    let key = Block::builder("resource")
        .add_label("tls_private_key")
        .add_label("hub")
        .add_attribute(("algorithm", "ECDSA"))
        .add_attribute(("ecdsa_curve", "P256"))
        .build();
    module.resource(
        key,
        &[
            "`hub.https: self-signed`: a certificate browsers warn about once; the key stays in the",
            "Terraform state (keep the state private) and reaches the chart as a sensitive value.",
        ],
    );
    let subject = Block::builder("subject")
        .add_attribute((
            "common_name",
            plan.tls.domain.clone().unwrap_or_else(|| plan.name.clone()),
        ))
        .add_attribute(("organization", "atlasod"))
        .build();
    let mut cert = Block::builder("resource")
        .add_label("tls_self_signed_cert")
        .add_label("hub")
        .add_attribute((
            "private_key_pem",
            expr("tls_private_key.hub.private_key_pem")?,
        ))
        .add_attribute(("validity_period_hours", 24 * 365))
        .add_attribute((
            "allowed_uses",
            expr("[\"key_encipherment\", \"digital_signature\", \"server_auth\"]")?,
        ));
    let notes: &[&str] = if let Some(domain) = &plan.tls.domain {
        cert = cert.add_attribute(("dns_names", Expression::Array(vec![string(domain)])));
        &[]
    } else {
        // No domain: the only name is the load balancer's, which exists only once the chart
        // that needs this certificate is installed. The second apply, with `hub_address`
        // set from `terraform output load_balancer`, names it (an IP address or a hostname).
        module.variables.push(
            Variable::new(
                "hub_address",
                "string",
                "The load balancer's address, from `terraform output load_balancer` after the first apply (an IPv4 address or a hostname); apply again and the self-signed certificate names it. Empty: a certificate without a name, which browsers reject as not matching.",
            )
            .default("")
            .validate(
                r#"var.hub_address == "" || can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$", var.hub_address)) || can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.hub_address))"#,
                "hub_address must be an IPv4 address or a lowercase hostname, as `terraform output load_balancer` prints it.",
            ),
        );
        cert = cert
            .add_attribute((
                "ip_addresses",
                expr(r#"can(cidrnetmask("${var.hub_address}/32")) ? [var.hub_address] : []"#)?,
            ))
            .add_attribute((
                "dns_names",
                expr(
                    r#"var.hub_address != "" && !can(cidrnetmask("${var.hub_address}/32")) ? [var.hub_address] : []"#,
                )?,
            ));
        &["The name browsers check: `hub_address` (see README.md, \"The certificate's name\")."]
    };
    module.resource(cert.add_block(subject).build(), notes);
    Ok(())
}

fn outputs(module: &mut Module, plan: &Plan) -> Result<(), Error> {
    let service = Block::builder("data")
        .add_label("kubernetes_service_v1")
        .add_label("proxy_public")
        .add_block(
            Block::builder("metadata")
                .add_attribute(("name", "proxy-public"))
                .add_attribute(("namespace", expr("helm_release.jupyterhub.namespace")?))
                .build(),
        )
        .build();
    module.resource(
        service,
        &["The load balancer in front of the hub: point the domain's DNS at its address."],
    );
    let address = "try(data.kubernetes_service_v1.proxy_public.status[0].load_balancer[0].ingress[0].ip, data.kubernetes_service_v1.proxy_public.status[0].load_balancer[0].ingress[0].hostname, \"pending\")";
    let url = match &plan.tls.domain {
        Some(domain) => template(&[Part::Lit("https://"), Part::Lit(domain)]),
        None => template(&[Part::Lit("https://"), Part::Ref(address)]),
    };
    let output = |name: &str, description: &str, value: Expression| {
        Block::builder("output")
            .add_label(name)
            .add_attribute(("description", description))
            .add_attribute(("value", value))
            .build()
    };
    module
        .outputs
        .push(output("hub_url", "The hub's address for students.", url));
    module.outputs.push(output(
        "load_balancer",
        "The IP address or host name of the hub's load balancer: the DNS record of the domain points here. `pending` until the cloud assigns it: then `terraform apply -refresh-only` reads it.",
        expr(address)?,
    ));
    module.outputs.push(output(
        "namespace",
        "The namespace of the hub and of every user's home volume.",
        expr("helm_release.jupyterhub.namespace")?,
    ));
    Ok(())
}

/// `terraform.tfvars.example`: every variable without a default, then the
/// others commented out with their defaults.
fn tfvars(plan: &Plan, module: &Module) -> String {
    let mut text = format!(
        "# Copy to terraform.tfvars and fill in; terraform.tfvars holds secrets: never commit it.\n# Variables of the `{}` hub; see variables.tf for what each one means.\n",
        plan.name
    );
    for v in &module.variables {
        let (value, commented) = match (&v.default, &v.example) {
            (None, Some(example)) => (example.clone(), false),
            (None, None) => (Expression::from(""), false),
            (Some(default), _) => (default.clone(), true),
        };
        let line = format!("{} = {}", v.name, expression(&value, 0));
        text.push('\n');
        let _ = writeln!(text, "# {}", v.description);
        for l in line.lines() {
            if commented {
                text.push_str("# ");
            }
            text.push_str(l);
            text.push('\n');
        }
    }
    text
}
