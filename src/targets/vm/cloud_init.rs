//! The VM's cloud-init user-data (`#cloud-config`), one document.
//!
//! Input: the plan, the hub bundle and the cloud's SSH user. Output: the
//! text of `terraform/user-data.yaml.tftpl`. It writes the hub bundle to
//! `/opt/atlasod`, the setup script, the data-disk script and the systemd
//! units, and runs the setup once. It is a Terraform template: the values
//! only known at apply time (the data disk's device, the public address, the
//! secrets) are `${jsonencode(...)}` placeholders that `templatefile()`
//! fills in (on Google Cloud the secrets stay in Secret Manager instead, and
//! the VM reads them at boot) (JSON strings are YAML double-quoted scalars, so any byte of a
//! secret survives), and every other `${` and `%{` is escaped. One document
//! and no MIME multipart: nothing for cloud-init to merge, nothing labelled
//! 7bit (a non-ASCII title or secret reaches the VM as UTF-8).

use serde::Serialize;

use crate::bundle::{Bundle, FileMode};
use crate::error::Error;
use crate::plan::Plan;
use crate::targets::templates;

/// Where the hub bundle lives on the VM.
pub(crate) const HUB_DIR: &str = "/opt/atlasod";
/// Where the data disk is mounted (homes, datasets and Docker's data).
pub(crate) const DATA_DIR: &str = "/srv/atlasod";
/// The file Terraform writes with the apply-time facts (`ATLASOD_DATA_DEVICE`, ...).
pub(crate) const HOST_ENV: &str = "/etc/atlasod/host.env";
/// The `host.env` variable naming the secret version that holds the hub's `.env`
/// (where the cloud keeps it out of the instance metadata).
pub(crate) const SECRET_VERSION_VAR: &str = "ATLASOD_ENV_SECRET";
/// The same for the roster's passwords.
pub(crate) const ACCOUNTS_SECRET_VAR: &str = "ATLASOD_ACCOUNTS_SECRET";

/// One file cloud-init writes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WriteFile {
    pub path: String,
    pub permissions: &'static str,
    pub content: String,
}

#[derive(Serialize)]
struct SetupContext<'a> {
    name: &'a str,
    ssh_user: &'a str,
    hub_dir: &'static str,
    autostop: Option<&'a str>,
    /// The compose service that downloads the datasets, if the plan has any.
    fetch_service: Option<&'static str>,
    hub_url_hint: String,
    /// The program that writes `.env` from the cloud's secret store, where the
    /// user-data does not carry it.
    secret_reader: Option<&'static str>,
    dotenv_path: String,
    /// Where the roster's passwords go (the compose secret's file), when the hub has them.
    accounts_path: Option<String>,
    accounts_secret_var: &'static str,
}

#[derive(Serialize)]
struct TimerContext<'a> {
    name: &'a str,
    end_utc: &'a str,
}

#[derive(Serialize)]
struct UserDataContext<'a> {
    name: &'a str,
    cloud: &'a str,
    hub_dir: &'static str,
    files: &'a [WriteFile],
    host_env: &'static str,
    /// Where the user-data writes `.env`; `None` where the VM reads it from the
    /// cloud's secret store at boot instead.
    dotenv_path: Option<String>,
    /// Where the user-data writes the roster's passwords (mode 0600), when the hub has them
    /// and the user-data carries the secrets.
    accounts_path: Option<String>,
    /// The hub has the roster's passwords (from the user-data or the secret store).
    roster: bool,
}

/// The program that writes `.env` from Secret Manager (Google Cloud).
const SECRET_READER: &str = "/usr/local/sbin/atlasod-read-secrets";

/// The files the user-data writes, in the order cloud-init writes them. Its Python files
/// carry no comments or docstrings ([`super::lean_python`]): the commented text is the
/// local bundle's and atlasod's `targets/`.
/// `secret_manager`: the VM reads its `.env` from the cloud's secret store
/// (Google Cloud's Secret Manager) with its own credentials at boot.
pub(crate) fn files(
    plan: &Plan,
    hub: &Bundle,
    ssh_user: &str,
    secret_manager: bool,
) -> Result<Vec<WriteFile>, Error> {
    let file = |path: &str, permissions, content: String| WriteFile {
        path: path.to_owned(),
        permissions,
        content,
    };
    let setup = setup_context(plan, ssh_user, secret_manager);
    let fixed = |files: &[(&str, &'static str, &str)]| -> Vec<WriteFile> {
        files
            .iter()
            .map(|(path, permissions, content)| file(path, permissions, (*content).to_owned()))
            .collect()
    };
    let mut files = fixed(&[
        (
            "/usr/local/sbin/atlasod-data-disk",
            "0755",
            include_str!("../../../targets/vm/atlasod-data-disk.sh"),
        ),
        (
            "/usr/local/sbin/atlasod-metadata-block",
            "0755",
            include_str!("../../../targets/vm/atlasod-metadata-block.sh"),
        ),
    ]);
    if secret_manager {
        files.extend(fixed(&[(
            SECRET_READER,
            "0755",
            include_str!("../../../targets/gcp/atlasod-read-secrets.py"),
        )]));
    }
    files.push(file(
        "/usr/local/sbin/atlasod-setup",
        "0755",
        templates::render(
            "vm/atlasod-setup.sh.j2",
            include_str!("../../../targets/vm/atlasod-setup.sh.j2"),
            &setup,
        )?,
    ));
    files.extend(fixed(&[
        (
            "/etc/docker/daemon.json",
            "0644",
            include_str!("../../../targets/vm/daemon.json"),
        ),
        (
            "/etc/systemd/system/docker.service.d/atlasod-data-disk.conf",
            "0644",
            include_str!("../../../targets/vm/docker-data-disk.conf"),
        ),
        (
            "/etc/systemd/system/atlasod-metadata-block.service",
            "0644",
            include_str!("../../../targets/vm/atlasod-metadata-block.service"),
        ),
        (
            "/etc/systemd/system/docker.service.d/atlasod-metadata-block.conf",
            "0644",
            include_str!("../../../targets/vm/docker-metadata-block.conf"),
        ),
        (
            "/etc/systemd/system/atlasod.service",
            "0644",
            include_str!("../../../targets/vm/atlasod.service"),
        ),
    ]));
    if let Some(schedule) = &plan.schedule {
        files.push(file(
            "/etc/systemd/system/atlasod-autostop.service",
            "0644",
            include_str!("../../../targets/vm/atlasod-autostop.service").to_owned(),
        ));
        files.push(file(
            "/etc/systemd/system/atlasod-autostop.timer",
            "0644",
            templates::render(
                "vm/atlasod-autostop.timer.j2",
                include_str!("../../../targets/vm/atlasod-autostop.timer.j2"),
                TimerContext {
                    name: &plan.name,
                    end_utc: &schedule.end_utc,
                },
            )?,
        ));
    }
    files.extend(hub_files(hub)?);
    let python = |f: &WriteFile| std::path::Path::new(&f.path).extension() == Some("py".as_ref());
    for file in files.iter_mut().filter(|f| python(f)) {
        file.content = super::lean_python::strip(&file.content);
    }
    Ok(files)
}

/// What the setup script needs to know.
fn setup_context<'a>(plan: &'a Plan, ssh_user: &'a str, secret_manager: bool) -> SetupContext<'a> {
    SetupContext {
        name: &plan.name,
        ssh_user,
        hub_dir: HUB_DIR,
        autostop: plan.schedule.as_ref().map(|s| s.end_utc.as_str()),
        fetch_service: (!plan.datasets.is_empty()).then_some(super::hub::FETCH_SERVICE),
        hub_url_hint: plan.tls.domain.as_ref().map_or_else(
            || "https://<public IP> (terraform output hub_url)".to_owned(),
            |d| format!("https://{d}"),
        ),
        secret_reader: secret_manager.then_some(SECRET_READER),
        dotenv_path: format!("{HUB_DIR}/.env"),
        accounts_path: accounts_path(plan),
        accounts_secret_var: ACCOUNTS_SECRET_VAR,
    }
}

/// The hub bundle's files, under [`HUB_DIR`], but its `.env.example`: the user data writes
/// `.env` itself (and a VM's hub bundle has no README:
/// [`crate::targets::compose::LAPTOP_ONLY`]).
fn hub_files(hub: &Bundle) -> Result<Vec<WriteFile>, Error> {
    hub.files
        .iter()
        .filter(|(path, _)| path.as_str() != ".env.example")
        .map(|(path, hub_file)| {
            let content = String::from_utf8(hub_file.contents.clone()).map_err(|_| {
                Error::Internal(format!("the hub bundle's `{path}` is not UTF-8 text"))
            })?;
            Ok(WriteFile {
                path: format!("{HUB_DIR}/{path}"),
                permissions: match hub_file.mode {
                    FileMode::Executable => "0755",
                    FileMode::Regular => "0644",
                },
                content,
            })
        })
        .collect()
}

/// The `#cloud-config` template writing `files` and the apply-time files
/// (`host.env`, and `.env` and the roster's passwords unless `secret_manager`), and running
/// the setup once.
pub(crate) fn user_data(
    plan: &Plan,
    cloud: &str,
    files: &[WriteFile],
    secret_manager: bool,
) -> Result<String, Error> {
    let files: Vec<WriteFile> = files
        .iter()
        .map(|f| WriteFile {
            path: literal(&f.path),
            permissions: f.permissions,
            content: literal(&f.content),
        })
        .collect();
    templates::render(
        "vm/user-data.yaml.j2",
        include_str!("../../../targets/vm/user-data.yaml.j2"),
        UserDataContext {
            name: &literal(&plan.name),
            cloud,
            hub_dir: HUB_DIR,
            files: &files,
            host_env: HOST_ENV,
            dotenv_path: (!secret_manager).then(|| format!("{HUB_DIR}/.env")),
            accounts_path: accounts_path(plan).filter(|_| !secret_manager),
            roster: plan.has_accounts(),
        },
    )
}

/// The roster's passwords on the VM: the file the hub bundle's compose secret names, beside
/// `compose.yaml`; `None` without native roster accounts.
fn accounts_path(plan: &Plan) -> Option<String> {
    plan.has_accounts()
        .then(|| format!("{HUB_DIR}/{}", crate::plan::ACCOUNTS_FILE_NAME))
}

/// `text` as literal text of a Terraform template: `${` and `%{` doubled.
fn literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}
