//! The Terraform pieces every single-VM cloud shares: the user data,
//! `locals`, the outputs, and the blocks the clouds' `main.tf` build alike (the firewall's three rules, the admin key, the kept data disk).
//!
//! Input: the plan and the cloud's descriptor (the addresses of its public
//! IP and data disk). Output: hcl-rs blocks and files.

use hcl::{Attribute, Block, Expression, Structure};

use super::cloud::{Cloud, Profile};
use super::cloud_init::{ACCOUNTS_SECRET_VAR, SECRET_VERSION_VAR};
use super::hub::{EnvSetting, OAUTH_CALLBACK_URL};
use crate::error::Error;
use crate::plan::Plan;
use crate::spec::AuthMethod;
use crate::targets::compose::PUBLIC_HOST_VAR;
use crate::targets::terraform::{
    BlockBuilder, File, Part, block, call, expr, header, object, string, template, workshop_name,
};

/// The tag (label) key every resource carries, with the workshop's name as value.
pub(crate) const TAG: &str = "atlasod-workshop";

/// The security group's description, where the cloud has one.
pub(crate) const FIREWALL: &str =
    "atlasod workshop hub: HTTP and HTTPS from anywhere, SSH from admin_cidr only";
pub(crate) const HTTP: &str =
    "HTTP from anywhere: Let's Encrypt's challenge and the redirect to HTTPS";
pub(crate) const HTTPS: &str = "HTTPS from anywhere: the hub";
pub(crate) const SSH: &str = "SSH from the admin network only";
/// One SSH rule (or key) when `admin_cidr` (or `ssh_public_key`) is set, none when it is null.
pub(crate) const IF_ADMIN_CIDR: &str = "var.admin_cidr == null ? 0 : 1";
const IF_SSH_KEY: &str = "var.ssh_public_key == null ? 0 : 1";
/// The data disk's description, where the cloud has one.
pub(crate) const DATA_DISK: &str = "Homes, datasets and Docker's data of the workshop hub";

/// A `precondition`, `postcondition` or `assert` block (`kind`): Terraform
/// stops with `message` (literal text and references) when `condition` is false.
pub(crate) fn condition(kind: &str, condition: &str, message: &[Part<'_>]) -> Result<Block, Error> {
    Ok(block(kind, &[])
        .raw("condition", condition)?
        .attr("error_message", template(message))
        .build())
}

/// The ingress rules of a security group: HTTP and HTTPS from anywhere, SSH
/// from `admin_cidr` only (no rule while it is null). `rule(label,
/// description, port, cidr)` writes one rule as the cloud's resource.
pub(crate) fn ingress_rules(
    file: &mut File,
    rule: impl Fn(&str, &str, u16, &str) -> Result<Block, Error>,
) -> Result<(), Error> {
    let anywhere = r#""0.0.0.0/0""#;
    file.push(rule("http", HTTP, 80, anywhere)?);
    file.push(rule("https", HTTPS, 443, anywhere)?);
    let mut ssh = rule("ssh", SSH, 22, "var.admin_cidr")?;
    ssh.body.0.insert(
        0,
        Structure::Attribute(Attribute::new("count", expr(IF_ADMIN_CIDR)?)),
    );
    file.push(ssh);
    Ok(())
}

/// The admin's SSH key as the cloud's `resource` (its name in `name_key`),
/// when `ssh_public_key` is set.
pub(crate) fn admin_key(resource: &str, name_key: &str) -> Result<Block, Error> {
    Ok(block("resource", &[resource, "admin"])
        .raw("count", IF_SSH_KEY)?
        .attr(name_key, workshop_name("-admin"))
        .raw("public_key", "var.ssh_public_key")?
        .build())
}

/// Adds the data disk (`disk`, the cloud's resource at [`Profile::data_disk`]):
/// `terraform destroy` refuses to delete it, and a comment says so.
pub(crate) fn data_disk(file: &mut File, cloud: &Profile, disk: BlockBuilder) {
    file.push(
        disk.child(
            block("lifecycle", &[])
                .attr("prevent_destroy", true)
                .build(),
        )
        .build(),
    );
    file.note(
        &format!("resource.{}", cloud.data_disk),
        "Homes, datasets and Docker's data: kept when the VM is replaced. See README.md to delete it.",
    );
}

/// `local.dotenv`: the hub's `.env` (its settings and secrets), from `terraform.tfvars`.
/// `public_host`: also write `PUBLIC_HOST` (the VM's public IP) for Caddy.
pub(crate) fn dotenv(profile: &Profile, env: &[EnvSetting], public_host: bool) -> Expression {
    let mut dotenv = vec![string(
        "# The hub's settings and secrets, written by Terraform from terraform.tfvars.\n",
    )];
    for setting in env {
        let variable = format!("var.{}", setting.env.to_ascii_lowercase());
        let key = format!("{}='", setting.env);
        let line = if setting.env == OAUTH_CALLBACK_URL {
            template(&[
                Part::Lit(&key),
                Part::Lit("https://"),
                Part::Ref(profile.public_ip),
                Part::Lit("/hub/oauth_callback'\n"),
            ])
        } else {
            template(&[Part::Lit(&key), Part::Ref(&variable), Part::Lit("'\n")])
        };
        dotenv.push(line);
    }
    if public_host {
        let key = format!("{PUBLIC_HOST_VAR}='");
        dotenv.push(template(&[
            Part::Lit(&key),
            Part::Ref(profile.public_ip),
            Part::Lit("'\n"),
        ]));
    }
    call("join", vec![string(""), Expression::from(dotenv)])
}

/// `local.user_data`: `user-data.yaml.tftpl` rendered by `templatefile()`
/// with `host_env` (the data disk's device, the public IP and, where the cloud
/// keeps the secrets elsewhere, the secret version to read) and `dotenv`
/// (`local.dotenv`, unless [`Profile::secrets`]), gzipped and
/// base64-encoded where the cloud's limit asks for it ([`Profile::compress`]).
/// `accounts`: also the roster's passwords (`local.accounts` as `accounts`, or the name of
/// their secret version in `host_env`). Terraform's own functions, no provider: one
/// cloud-config, nothing for cloud-init to merge.
pub(crate) fn user_data(profile: &Profile, accounts: bool) -> Result<Expression, Error> {
    let mut host_env = vec![
        template(&[
            Part::Lit("ATLASOD_DATA_DEVICE="),
            Part::Ref("local.data_device"),
            Part::Lit("\n"),
        ]),
        template(&[
            Part::Lit("ATLASOD_PUBLIC_IP="),
            Part::Ref(profile.public_ip),
            Part::Lit("\n"),
        ]),
    ];
    if let Some(secrets) = &profile.secrets {
        let mut versions = vec![(SECRET_VERSION_VAR, secrets.env)];
        if accounts {
            versions.push((ACCOUNTS_SECRET_VAR, secrets.accounts));
        }
        for (variable, version) in versions {
            host_env.push(template(&[
                Part::Lit(&format!("{variable}=")),
                Part::Ref(version),
                Part::Lit("\n"),
            ]));
        }
    }
    let mut vars = vec![(
        "host_env",
        call("join", vec![string(""), Expression::from(host_env)]),
    )];
    if profile.secrets.is_none() {
        vars.push(("dotenv", expr("local.dotenv")?));
        if accounts {
            vars.push(("accounts", expr("local.accounts")?));
        }
    }
    let rendered = call(
        "templatefile",
        vec![
            template(&[Part::Ref("path.module"), Part::Lit("/user-data.yaml.tftpl")]),
            object(vars),
        ],
    );
    Ok(if profile.compress {
        call("base64gzip", vec![rendered])
    } else {
        rendered
    })
}

/// `terraform_data.location`: remembers where the resources were first
/// created ([`Profile::location`]) and stops every later plan that would put
/// them elsewhere. A new region or zone would plan a new, empty data disk
/// there and leave the old VM, disk and IP where they are, still billed.
pub(crate) fn location_guard(profile: &Profile) -> Result<Block, Error> {
    Ok(block("resource", &["terraform_data", "location"])
        .raw("input", profile.location)?
        .child(
            block("lifecycle", &[])
                .raw("ignore_changes", "[input]")?
                .child(condition(
                    "postcondition",
                    &format!("self.output == {}", profile.location),
                    &[
                        Part::Lit("The workshop's resources and its data disk are in "),
                        Part::Ref("self.output"),
                        Part::Lit("; Terraform cannot move them to "),
                        Part::Ref(profile.location),
                        Part::Lit(" (it would create a new, empty data disk there and leave the old one billed). Set it back, or move the workshop as README.md says (Move the workshop)."),
                    ],
                )?)
                .build(),
        )
        .build())
}

/// `locals`: the workshop name, the tags (or labels) every resource carries,
/// and the cloud's own (`data_device`, where the data disk appears on the VM).
pub(crate) fn locals(plan: &Plan, extra: Vec<(&str, Expression)>) -> Result<Block, Error> {
    let mut b = block("locals", &[])
        .attr("workshop", string(&plan.name))
        .attr("tags", object([(TAG, expr("local.workshop")?)]));
    for (k, v) in extra {
        b = b.attr(k, v);
    }
    Ok(b.build())
}

/// `outputs.tf`: the hub URL, the public IP, the SSH command, the DNS record
/// and the data disk's id.
pub(crate) fn outputs(plan: &Plan, cloud: &dyn Cloud) -> Result<File, Error> {
    let profile = cloud.profile();
    let mut file = File::new(&header(plan, "Outputs"));
    let url = match &plan.tls.domain {
        Some(domain) => string(format!("https://{domain}")),
        None => template(&[Part::Lit("https://"), Part::Ref(profile.public_ip)]),
    };
    file.push(
        block("output", &["hub_url"])
            .attr(
                "description",
                string("The hub's address: open it in a browser."),
            )
            .attr("value", url)
            .build(),
    );
    file.push(
        block("output", &["public_ip"])
            .attr(
                "description",
                string(
                    "The VM's static public IP address; it stays the same when the VM is replaced.",
                ),
            )
            .raw("value", profile.public_ip)?
            .build(),
    );
    file.push(
        block("output", &["ssh_command"])
            .attr(
                "description",
                string("How to log in to the VM (only from admin_cidr, with the key in ssh_public_key)."),
            )
            .attr(
                "value",
                hcl::expr::Conditional::new(
                    expr("var.admin_cidr == null")?,
                    string("SSH is closed: set admin_cidr in terraform.tfvars and apply again"),
                    template(&[
                        Part::Lit("ssh "),
                        Part::Lit(cloud.ssh_user()),
                        Part::Lit("@"),
                        Part::Ref(profile.public_ip),
                    ]),
                ),
            )
            .build(),
    );
    if let Some(domain) = &plan.tls.domain {
        file.push(
            block("output", &["dns_record"])
                .attr(
                    "description",
                    string("The DNS record to create at your DNS provider, so that Let's Encrypt can issue the certificate."),
                )
                .attr(
                    "value",
                    template(&[
                        Part::Lit(domain),
                        Part::Lit(". A "),
                        Part::Ref(profile.public_ip),
                    ]),
                )
                .build(),
        );
    }
    if matches!(
        plan.auth.method,
        AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc
    ) {
        let callback = match &plan.tls.domain {
            Some(domain) => string(format!("https://{domain}/hub/oauth_callback")),
            None => template(&[
                Part::Lit("https://"),
                Part::Ref(profile.public_ip),
                Part::Lit("/hub/oauth_callback"),
            ]),
        };
        file.push(
            block("output", &["oauth_callback_url"])
                .attr(
                    "description",
                    string("The callback URL to register with the OAuth app (see README.md)."),
                )
                .attr("value", callback)
                .build(),
        );
    }
    file.push(
        block("output", &["data_disk_id"])
            .attr(
                "description",
                string("The persistent data disk (homes, datasets, Docker data). terraform destroy refuses to delete it: see README.md."),
            )
            .raw("value", &format!("{}.id", profile.data_disk))?
            .build(),
    );
    Ok(file)
}
