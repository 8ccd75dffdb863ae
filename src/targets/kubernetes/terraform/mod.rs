//! The Terraform root module: the chart through `helm_release`, the shared
//! datasets volume through the `kubernetes` provider, and (from `cluster.rs`)
//! the managed cluster.
//!
//! Input: the plan, its Kubernetes part and the hub settings. Output: the
//! files of `terraform/`, built as hcl-rs structures and laid out as
//! `terraform fmt` does. Secrets are sensitive variables, passed to the
//! chart with `set_sensitive`; nothing secret is written in the bundle.

mod datasets;

use std::fmt::Write as _;

use hcl::{Block, Body, Expression};

use super::datasets::KUBERNETES_VERSION;
use super::hub::HubSettings;
use super::{RELEASE, cluster, split_image};
use crate::error::Error;
use crate::hcl_format::{self, Comments, expr};
use crate::plan::{KubernetesPlan, Plan};
use crate::spec::Https;

/// A provider in `required_providers`.
pub struct Provider {
    pub name: &'static str,
    pub source: &'static str,
    pub version: &'static str,
}

pub struct Variable {
    pub name: String,
    pub ty: &'static str,
    pub description: String,
    pub default: Option<Expression>,
    pub sensitive: bool,
    pub validation: Option<(String, String)>,
    /// A value for `terraform.tfvars.example` when there is no default.
    pub example: Option<Expression>,
}

impl Variable {
    pub fn new(name: &str, ty: &'static str, description: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            ty,
            description: description.into(),
            default: None,
            sensitive: false,
            validation: None,
            example: None,
        }
    }

    pub fn default(mut self, value: impl Into<Expression>) -> Self {
        self.default = Some(value.into());
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn validation(mut self, condition: String, message: impl Into<String>) -> Self {
        self.validation = Some((condition, message.into()));
        self
    }

    pub fn example(mut self, value: impl Into<Expression>) -> Self {
        self.example = Some(value.into());
        self
    }
}

/// How the `kubernetes` and `helm` providers reach the cluster.
#[derive(Default)]
pub struct Connection {
    pub attributes: Vec<(&'static str, Expression)>,
    /// `exec` credentials (a block for `kubernetes`, an object for `helm`).
    pub exec: Vec<(&'static str, Expression)>,
}

/// The module being built; `cluster.rs` adds to it.
pub struct Module {
    pub providers: Vec<Provider>,
    pub variables: Vec<Variable>,
    pub main: Vec<Block>,
    pub outputs: Vec<Block>,
    pub comments: Comments,
    pub connection: Connection,
    /// References the chart must wait for (the node pools of a new cluster).
    pub chart_depends_on: Vec<String>,
}

impl Module {
    pub fn resource(&mut self, block: Block, comments: &[&str]) {
        let header = format!(
            "{} {} {{",
            block.identifier(),
            block
                .labels()
                .iter()
                .map(|l| format!("\"{}\"", l.as_str()))
                .collect::<Vec<_>>()
                .join(" ")
        );
        for comment in comments {
            if let Some(skip) = comment.strip_prefix("checkov:") {
                self.comments
                    .inside(header.clone(), format!("checkov:{skip}"));
            } else {
                self.comments.above(header.clone(), *comment);
            }
        }
        self.main.push(block);
    }
}

pub fn label_map(plan: &Plan) -> Expression {
    expr(&format!("{{ atlasod-workshop = \"{}\" }}", plan.name))
}

/// Every file of `terraform/`, by name.
pub fn render(
    plan: &Plan,
    k8s: &KubernetesPlan,
    hub: &HubSettings,
) -> Result<Vec<(&'static str, String)>, Error> {
    let mut module = Module {
        providers: vec![
            Provider {
                name: "helm",
                source: "hashicorp/helm",
                version: "~> 3.0",
            },
            Provider {
                name: "kubernetes",
                source: "hashicorp/kubernetes",
                version: "~> 2.38",
            },
        ],
        variables: Vec::new(),
        main: Vec::new(),
        outputs: Vec::new(),
        comments: Comments::default(),
        connection: Connection::default(),
        chart_depends_on: Vec::new(),
    };
    match &k8s.cluster {
        Some(c) => cluster::add(&mut module, plan, k8s, c),
        None => existing_cluster(&mut module, k8s),
    }
    providers(&mut module);
    chart(&mut module, plan, k8s, hub);
    if !k8s.datasets.copied.is_empty() {
        datasets::add(&mut module, plan, k8s);
    }
    outputs(&mut module, plan, k8s);
    Ok(vec![
        ("versions.tf", versions(&module)?),
        ("variables.tf", variables(&module)?),
        ("main.tf", main(&module)?),
        (
            "outputs.tf",
            hcl_format::to_string(&Body::from(module.outputs.clone()))?,
        ),
        ("terraform.tfvars.example", tfvars(plan, &module)?),
    ])
}

fn existing_cluster(module: &mut Module, k8s: &KubernetesPlan) {
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
        ("config_path", expr("pathexpand(var.kubeconfig_path)")),
        ("config_context", expr("var.kube_context")),
    ];
}

fn providers(module: &mut Module) {
    let mut kubernetes = Block::builder("provider").add_label("kubernetes");
    let mut helm_fields: Vec<String> = Vec::new();
    for (name, value) in &module.connection.attributes {
        kubernetes = kubernetes.add_attribute((*name, value.clone()));
        helm_fields.push(format!("{name} = {value}"));
    }
    if !module.connection.exec.is_empty() {
        let mut exec = Block::builder("exec");
        let mut fields = Vec::new();
        for (name, value) in &module.connection.exec {
            exec = exec.add_attribute((*name, value.clone()));
            fields.push(format!("{name} = {value}"));
        }
        kubernetes = kubernetes.add_block(exec.build());
        helm_fields.push(format!("exec = {{ {} }}", fields.join(", ")));
    }
    let helm = Block::builder("provider")
        .add_label("helm")
        .add_attribute((
            "kubernetes",
            expr(&format!("{{ {} }}", helm_fields.join(", "))),
        ))
        .build();
    module.main.push(kubernetes.build());
    module.main.push(helm);
}

fn chart(module: &mut Module, plan: &Plan, k8s: &KubernetesPlan, hub: &HubSettings) {
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
    let mut set = vec![
        "{ name = \"singleuser.image.name\", value = var.singleuser_image_name }".to_owned(),
        "{ name = \"singleuser.image.tag\", value = var.singleuser_image_tag, type = \"string\" }"
            .to_owned(),
    ];
    let mut set_sensitive = Vec::new();
    for secret in &hub.secrets {
        let entry = format!(
            "{{ name = \"{}\", value = var.{}, type = \"string\" }}",
            secret.path(),
            secret.variable
        );
        let mut variable = Variable::new(&secret.variable, "string", secret.description.as_str())
            .validation(
                format!("length(var.{}) >= {}", secret.variable, secret.min_length),
                format!(
                    "`{}` must have at least {} characters.",
                    secret.variable, secret.min_length
                ),
            );
        if secret.sensitive {
            variable = variable.sensitive();
            set_sensitive.push(entry);
        } else {
            variable = variable.example("xxxxxxxxxxxxxxxxxxxx");
            set.push(entry);
        }
        module.variables.push(variable);
    }
    if plan.tls.mode != Https::Letsencrypt {
        self_signed(module, plan);
        set_sensitive.push(
            "{ name = \"proxy.https.manual.key\", value = tls_private_key.hub.private_key_pem }"
                .to_owned(),
        );
        set_sensitive.push(
            "{ name = \"proxy.https.manual.cert\", value = tls_self_signed_cert.hub.cert_pem }"
                .to_owned(),
        );
    }
    let mut release = Block::builder("resource")
        .add_label("helm_release")
        .add_label(RELEASE)
        .add_attribute(("name", RELEASE))
        .add_attribute(("repository", k8s.chart.repository.as_str()))
        .add_attribute(("chart", k8s.chart.name.as_str()))
        .add_attribute(("version", k8s.chart.version.as_str()))
        .add_attribute(("namespace", expr("var.namespace")))
        .add_attribute(("create_namespace", true))
        .add_attribute(("timeout", 1800))
        .add_attribute(("values", expr("[file(\"${path.module}/../values.yaml\")]")))
        .add_attribute(("set", expr(&format!("[{}]", set.join(", ")))));
    if !set_sensitive.is_empty() {
        release = release.add_attribute((
            "set_sensitive",
            expr(&format!("[{}]", set_sensitive.join(", "))),
        ));
    }
    if !module.chart_depends_on.is_empty() {
        release = release.add_attribute((
            "depends_on",
            expr(&format!("[{}]", module.chart_depends_on.join(", "))),
        ));
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
}

fn self_signed(module: &mut Module, plan: &Plan) {
    module.providers.push(Provider {
        name: "tls",
        source: "hashicorp/tls",
        version: "~> 4.0",
    });
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
            expr("tls_private_key.hub.private_key_pem"),
        ))
        .add_attribute(("validity_period_hours", 24 * 365))
        .add_attribute((
            "allowed_uses",
            expr("[\"key_encipherment\", \"digital_signature\", \"server_auth\"]"),
        ));
    if let Some(domain) = &plan.tls.domain {
        cert = cert.add_attribute(("dns_names", expr(&format!("[\"{domain}\"]"))));
    }
    module.resource(cert.add_block(subject).build(), &[]);
}

fn outputs(module: &mut Module, plan: &Plan, k8s: &KubernetesPlan) {
    let service = Block::builder("data")
        .add_label("kubernetes_service_v1")
        .add_label("proxy_public")
        .add_block(
            Block::builder("metadata")
                .add_attribute(("name", "proxy-public"))
                .add_attribute(("namespace", expr("helm_release.jupyterhub.namespace")))
                .build(),
        )
        .build();
    module.resource(
        service,
        &["The load balancer in front of the hub: point the domain's DNS at its address."],
    );
    let address = "try(data.kubernetes_service_v1.proxy_public.status[0].load_balancer[0].ingress[0].ip, data.kubernetes_service_v1.proxy_public.status[0].load_balancer[0].ingress[0].hostname, \"pending\")";
    let url = match &plan.tls.domain {
        Some(domain) => format!("\"https://{domain}\""),
        None => format!("\"https://${{{address}}}\""),
    };
    let output = |name: &str, description: &str, value: &str| {
        Block::builder("output")
            .add_label(name)
            .add_attribute(("description", description))
            .add_attribute(("value", expr(value)))
            .build()
    };
    module
        .outputs
        .push(output("hub_url", "The hub's address for students.", &url));
    module.outputs.push(output(
        "load_balancer",
        "The IP address or host name of the hub's load balancer: the DNS record of the domain points here.",
        address,
    ));
    module.outputs.push(output(
        "namespace",
        "The namespace of the hub and of every user's home volume.",
        "helm_release.jupyterhub.namespace",
    ));
    let _ = k8s;
}

fn versions(module: &Module) -> Result<String, Error> {
    let mut required = Block::builder("required_providers");
    for p in &module.providers {
        required = required.add_attribute((
            p.name,
            expr(&format!(
                "{{ source = \"{}\", version = \"{}\" }}",
                p.source, p.version
            )),
        ));
    }
    let body = Body::builder()
        .add_block(
            Block::builder("terraform")
                .add_attribute(("required_version", ">= 1.5.0"))
                .add_block(required.build())
                .build(),
        )
        .build();
    let mut comments = Comments::default();
    comments.above(
        "terraform {",
        format!(
            "Provider pins checked with `terraform validate`; the Kubernetes manifests with Kubernetes {KUBERNETES_VERSION}."
        ),
    );
    hcl_format::to_string_with(&body, &comments)
}

fn variables(module: &Module) -> Result<String, Error> {
    let mut body = Body::builder();
    for v in &module.variables {
        let mut block = Block::builder("variable")
            .add_label(v.name.as_str())
            .add_attribute(("type", expr(v.ty)))
            .add_attribute(("description", v.description.as_str()));
        if let Some(default) = &v.default {
            block = block.add_attribute(("default", default.clone()));
        }
        if v.sensitive {
            block = block.add_attribute(("sensitive", true));
        }
        if let Some((condition, message)) = &v.validation {
            block = block.add_block(
                Block::builder("validation")
                    .add_attribute(("condition", expr(condition)))
                    .add_attribute(("error_message", message.as_str()))
                    .build(),
            );
        }
        body = body.add_block(block.build());
    }
    hcl_format::to_string(&body.build())
}

fn main(module: &Module) -> Result<String, Error> {
    let body = Body::from(module.main.clone());
    hcl_format::to_string_with(&body, &module.comments)
}

/// `terraform.tfvars.example`: every variable without a default, then the
/// others commented out with their defaults.
fn tfvars(plan: &Plan, module: &Module) -> Result<String, Error> {
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
        let line = hcl_format::to_string(
            &Body::builder()
                .add_attribute((v.name.as_str(), value))
                .build(),
        )?;
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
    Ok(text)
}
