//! What changed between two builds, in a trainer's words, dangerous first.
//!
//! Input: the [`BuildRecord`] of the old build (from the bundle's manifest or an
//! old spec) and of the new one. Output: a list of [`Change`]s such as
//! `users 30 → 60` or `instance m6i.2xlarge → m6i.4xlarge (est. +$0.38/h)`.
//! A change is *dangerous* when applying it can lose data, lock people out
//! or break access: the VM or data disk replaced, a disk shrunk, the domain
//! or TLS mode changed, sign-in changed, a secret rotated, a dataset or home
//! volumes removed. Dangerous changes come first; otherwise the order is
//! fixed (the order of the fields below), so the output is deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::bundle::facts::{DataDisk, Machine};
use crate::diff::record::{BuildRecord, Dataset, Notebook};
use crate::units::{
    fmt_download, fmt_duration, fmt_gib, fmt_num, money, money_rounded, signed_money,
    signed_money_rounded,
};

/// One line of the semantic summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Applying this can lose data, lock people out or break access.
    pub danger: bool,
    /// One line: `users 30 → 60`.
    pub text: String,
    /// Why it matters, or what to do before applying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Every change from `old` to `new`, dangerous ones first.
pub fn compare(old: &BuildRecord, new: &BuildRecord) -> Vec<Change> {
    let mut changes = Changes::default();
    name(&mut changes, old, new);
    users(&mut changes, old, new);
    infrastructure(&mut changes, old, new);
    access(&mut changes, old, new);
    auth(&mut changes, old, new);
    environment(&mut changes, old, new);
    datasets(&mut changes, &old.datasets, &new.datasets);
    notebooks(&mut changes, &old.notebooks, &new.notebooks);
    schedule(&mut changes, old, new);
    let (mut dangers, others): (Vec<Change>, Vec<Change>) =
        changes.0.into_iter().partition(|c| c.danger);
    dangers.extend(others);
    dangers
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn danger(&mut self, text: String, detail: impl Into<String>) {
        self.0.push(Change {
            danger: true,
            text,
            detail: Some(detail.into()),
        });
    }

    fn info(&mut self, text: String, detail: Option<String>) {
        self.0.push(Change {
            danger: false,
            text,
            detail,
        });
    }
}

fn name(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    if old.name != new.name && !old.name.is_empty() {
        changes.danger(
            format!("workshop name {} → {}", old.name, new.name),
            "the name prefixes every volume and cloud resource: they are created anew under the new name, and homes and hub state under the old name are no longer used",
        );
    }
}

fn infrastructure(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    let old_facts = &old.infrastructure;
    let new_facts = &new.infrastructure;
    let mut disk_replaced = false;
    if let (Some(a), Some(b)) = (&old_facts.machine, &new_facts.machine) {
        if a.location != b.location {
            changes.danger(
                format!("the VM is replaced: {} → {}", a.location, b.location),
                "a new machine in a new place: its public address changes, so point the domain's DNS at the new one",
            );
            if old_facts.data_disk.is_none() || new_facts.data_disk.is_none() {
                disk_replaced_danger(changes, &a.location, &b.location);
                disk_replaced = true;
            }
        } else if a.os_image != b.os_image && !a.os_image.is_empty() && !b.os_image.is_empty() {
            changes.danger(
                format!("the VM is replaced: OS image {} → {}", a.os_image, b.os_image),
                "the data disk with homes and datasets is kept; the hub is installed again on first boot, so expect the first start to take as long as a new deployment",
            );
        }
        machine_size(changes, a, b, new.schedule.as_ref().map(|s| s.hours));
    }
    if let (Some(a), Some(b)) = (&old_facts.data_disk, &new_facts.data_disk) {
        data_disk(changes, a, b, disk_replaced);
    } else {
        spec_disk(changes, old.disk_bytes, new.disk_bytes);
    }
    if let (Some(a), Some(b)) = (&old_facts.home_volume, &new_facts.home_volume) {
        if a != b {
            changes.danger(
                format!("home volumes renamed {a} → {b}"),
                "every student starts with an empty home; the old volumes are kept, not deleted, so their files can be copied over",
            );
        }
    }
    for (name, key) in &new_facts.secrets {
        match old_facts.secrets.get(name) {
            Some(old_key) if old_key != key => changes.danger(
                format!("secret `{name}` is regenerated"),
                "whatever it protects is re-keyed: sessions signed with it end and everyone signs in again",
            ),
            Some(_) => {}
            None => changes.info(format!("new secret `{name}`"), None),
        }
    }
    for name in old_facts.secrets.keys() {
        if !new_facts.secrets.contains_key(name) {
            changes.info(format!("secret `{name}` is no longer used"), None);
        }
    }
}

fn disk_replaced_danger(changes: &mut Changes, from: &str, to: &str) {
    changes.danger(
        format!("the data disk is replaced: {from} → {to}"),
        "a new, empty disk: every home, dataset and the hub's state stay on the old one (its `prevent_destroy` stops `terraform apply` until you move or delete it deliberately)",
    );
}

fn machine_size(changes: &mut Changes, a: &Machine, b: &Machine, hours: Option<u64>) {
    let word = if b.location.starts_with("openstack") {
        "flavor"
    } else {
        "instance"
    };
    let cost = |from: Option<f64>, to: Option<f64>| -> Option<String> {
        let delta = to? - from?;
        let mut text = format!("est. {}/h", signed_money(delta, &b.currency));
        if let Some(hours) = hours {
            #[allow(clippy::cast_precision_loss)]
            let total = delta * hours as f64;
            let _ = write!(
                text,
                ", {} for the schedule",
                signed_money_rounded(total, &b.currency)
            );
        }
        Some(text)
    };
    if a.kind != b.kind {
        let mut text = format!("{word} {} → {}", a.kind, b.kind);
        if let Some(cost) = cost(a.hourly_price, b.hourly_price) {
            let _ = write!(text, " ({cost})");
        }
        let detail = match (a.vcpu, a.memory_gib, b.vcpu, b.memory_gib) {
            (Some(av), Some(am), Some(bv), Some(bm)) => Some(format!(
                "{av} vCPU, {} GiB → {bv} vCPU, {} GiB; the VM stops and starts again to resize",
                fmt_num(am),
                fmt_num(bm)
            )),
            _ => Some("the VM stops and starts again to resize".to_owned()),
        };
        changes.info(text, detail);
    } else if a.hourly_price != b.hourly_price {
        if let (Some(from), Some(to)) = (a.hourly_price, b.hourly_price) {
            let reason =
                (a.location == b.location).then(|| "atlasod's price table changed".to_owned());
            changes.info(
                format!(
                    "est. price of {} {}/h → {}/h",
                    b.kind,
                    money(from, &a.currency),
                    money(to, &b.currency)
                ),
                reason,
            );
        }
    }
}

fn data_disk(changes: &mut Changes, a: &DataDisk, b: &DataDisk, already_replaced: bool) {
    if a.location != b.location {
        if !already_replaced {
            disk_replaced_danger(changes, &a.location, &b.location);
        }
        return;
    }
    if b.size_gib < a.size_gib {
        changes.danger(
            format!("data disk shrinks {} GiB → {} GiB", a.size_gib, b.size_gib),
            "clouds cannot shrink a disk: it would be replaced by an empty one, losing every home and dataset (its `prevent_destroy` stops `terraform apply`)",
        );
    } else if b.size_gib > a.size_gib {
        changes.info(
            format!("data disk {} GiB → {} GiB", a.size_gib, b.size_gib),
            Some("grown in place; then run `sudo /usr/local/sbin/atlasod-data-disk` on the VM to extend the filesystem".to_owned()),
        );
    }
}

fn spec_disk(changes: &mut Changes, old: Option<u64>, new: Option<u64>) {
    match (old, new) {
        (Some(a), Some(b)) if b < a => changes.danger(
            format!("data disk shrinks {} → {}", fmt_gib(a), fmt_gib(b)),
            "clouds cannot shrink a disk: it would be replaced by an empty one, losing every home and dataset",
        ),
        (Some(a), Some(b)) if b > a => changes.info(
            format!("data disk {} → {}", fmt_gib(a), fmt_gib(b)),
            None,
        ),
        (Some(a), None) => changes.info(
            format!("data disk {} → sized by atlasod", fmt_gib(a)),
            Some("check the new size in the build summary: a smaller disk would be replaced".to_owned()),
        ),
        (None, Some(b)) => changes.info(format!("data disk sized by atlasod → {}", fmt_gib(b)), None),
        _ => {}
    }
}

fn access(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    if old.domain != new.domain {
        let shown = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".to_owned());
        let detail = match &new.domain {
            Some(domain) => {
                let mut text = format!(
                    "point the DNS record of {domain} at the hub before applying; students must use the new address"
                );
                if new.inputs.contains_key("OAUTH_CALLBACK_URL") {
                    let _ = write!(
                        text,
                        "; update the OAuth app's callback URL to https://{domain}/hub/oauth_callback"
                    );
                }
                text
            }
            None => "the hub is reached by its IP address only; bookmarks and OAuth callback URLs with the old name stop working".to_owned(),
        };
        changes.danger(
            format!("domain {} → {}", shown(&old.domain), shown(&new.domain)),
            detail,
        );
    }
    if old.tls != new.tls && !old.tls.is_empty() {
        let detail = match new.tls.as_str() {
            "letsencrypt" => {
                "certificates come from Let's Encrypt: the domain's DNS must point at the hub and port 80 must be reachable, or HTTPS fails"
            }
            "self-signed" => "browsers warn about the certificate until each student accepts it",
            "off" => "traffic, passwords included, is no longer encrypted",
            _ => "how students connect changes",
        };
        changes.danger(format!("HTTPS {} → {}", old.tls, new.tls), detail);
    }
}

fn auth(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    let (a, b) = (&old.auth, &new.auth);
    let new_inputs: Vec<&str> = new
        .inputs
        .keys()
        .filter(|k| !old.inputs.contains_key(*k))
        .map(String::as_str)
        .collect();
    if a.method != b.method && !a.method.is_empty() {
        let mut detail = format!(
            "accounts do not carry over: students sign in again with {}, and anyone whose username differs starts with an empty home",
            b.method
        );
        if !new_inputs.is_empty() {
            let _ = write!(
                detail,
                "; fill in {} before starting the hub",
                new_inputs.join(", ")
            );
        }
        changes.danger(format!("sign-in {} → {}", a.method, b.method), detail);
    } else {
        if let (Some(x), Some(y)) = (&a.oidc_issuer, &b.oidc_issuer) {
            if x != y {
                changes.danger(
                    format!("OIDC issuer {x} → {y}"),
                    "usernames now come from another provider: anyone whose username differs starts with an empty home; register the hub with the new provider",
                );
            }
        }
        for name in &new_inputs {
            let kind = if new.inputs[*name] {
                "secret"
            } else {
                "setting"
            };
            changes.info(
                format!("new {kind} {name} to fill in `.env`"),
                Some("the hub refuses to start until it is set".to_owned()),
            );
        }
    }
    for name in old.inputs.keys().filter(|k| !new.inputs.contains_key(*k)) {
        changes.info(format!("{name} in `.env` is no longer used"), None);
    }
    // The roster's names are in the allow-list too; `users` reports them.
    let without = |list: &Option<Vec<String>>, roster: &[String]| {
        list.as_ref().map(|l| {
            l.iter()
                .filter(|n| !roster.contains(n))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let (x_list, y_list) = (
        without(&a.allowed_users, &old.users.roster),
        without(&b.allowed_users, &new.users.roster),
    );
    match (&x_list, &y_list) {
        _ if !old.users.roster.is_empty() || !new.users.roster.is_empty() => {
            if let (Some(x), Some(y)) = (&x_list, &y_list) {
                list_change(changes, "allowed users", x, y, None);
            }
        }
        (Some(x), Some(y)) => list_change(
            changes,
            "allowed users",
            x,
            y,
            Some("removed users can no longer sign in; their homes are kept"),
        ),
        (None, Some(y)) if !y.is_empty() => changes.info(
            format!("sign-in limited to the allowed users {}", y.join(", ")),
            Some("anyone else can no longer sign in; homes are kept".to_owned()),
        ),
        (Some(_), None) if !a.method.is_empty() => changes.danger(
            "the allow-list of users is removed".to_owned(),
            format!("anyone {} admits can now sign in", b.method),
        ),
        _ => {}
    }
    list_change(
        changes,
        "allowed groups",
        &a.allowed_groups,
        &b.allowed_groups,
        Some("members of removed groups can no longer sign in; their homes are kept"),
    );
    list_change(changes, "admins", &old.admins, &new.admins, None);
}

/// `users: +3 (ana, bo, cy), −1 (dan)`: who gains and who loses an account.
fn roster(changes: &mut Changes, old: &[String], new: &[String]) {
    let added: Vec<&str> = new
        .iter()
        .filter(|n| !old.contains(n))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = old
        .iter()
        .filter(|n| !new.contains(n))
        .map(String::as_str)
        .collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("+{} ({})", added.len(), added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("−{} ({})", removed.len(), removed.join(", ")));
    }
    if parts.is_empty() {
        return;
    }
    let detail = (!removed.is_empty()).then(|| {
        format!(
            "{} locked out at the hub's next start; their home{} kept (atlasod never deletes a home); new users need `atlasod accounts` with `native`",
            removed.join(", "),
            if removed.len() == 1 { " is" } else { "s are" }
        )
    });
    changes.info(format!("users: {}", parts.join(", ")), detail);
}

fn list_change(
    changes: &mut Changes,
    what: &str,
    old: &[String],
    new: &[String],
    removed_note: Option<&str>,
) {
    let old: BTreeSet<&String> = old.iter().collect();
    let new: BTreeSet<&String> = new.iter().collect();
    let added: Vec<String> = new.difference(&old).map(|s| format!("+{s}")).collect();
    let removed: Vec<String> = old.difference(&new).map(|s| format!("-{s}")).collect();
    if added.is_empty() && removed.is_empty() {
        return;
    }
    let detail = (!removed.is_empty())
        .then(|| removed_note.map(str::to_owned))
        .flatten();
    let mut all = removed;
    all.extend(added);
    changes.info(format!("{what} {}", all.join(" ")), detail);
}

fn users(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    let (a, b) = (&old.users, &new.users);
    roster(changes, &a.roster, &b.roster);
    if a.count != b.count {
        let detail = (b.count < a.count)
            .then(|| "no home is deleted; fewer servers may run at once".to_owned());
        changes.info(format!("users {} → {}", a.count, b.count), detail);
    }
    if (a.cpu - b.cpu).abs() > f64::EPSILON {
        changes.info(
            format!("CPU per user {} → {}", fmt_num(a.cpu), fmt_num(b.cpu)),
            None,
        );
    }
    if a.memory_bytes != b.memory_bytes {
        changes.info(
            format!(
                "memory per user {} → {}",
                fmt_gib(a.memory_bytes),
                fmt_gib(b.memory_bytes)
            ),
            None,
        );
    }
    if a.storage_bytes != b.storage_bytes {
        changes.info(
            format!(
                "home storage per user {} → {}",
                fmt_gib(a.storage_bytes),
                fmt_gib(b.storage_bytes)
            ),
            None,
        );
    }
}

fn environment(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    if old.jupyterhub != new.jupyterhub && !old.jupyterhub.is_empty() {
        let major = |v: &str| v.split('.').next().unwrap_or_default().to_owned();
        if major(&old.jupyterhub) == major(&new.jupyterhub) {
            changes.info(
                format!("JupyterHub {} → {}", old.jupyterhub, new.jupyterhub),
                None,
            );
        } else {
            changes.danger(
                format!("JupyterHub {} → {}", old.jupyterhub, new.jupyterhub),
                "a major upgrade: the hub database is migrated on first start and cannot go back (back up the hub volume), and single-user images need the same major version",
            );
        }
    }
    if old.image != new.image && !old.image.is_empty() {
        changes.info(
            format!("single-user image {} → {}", old.image, new.image),
            Some("each student's next server starts from the new image; pull it before the session so the first start is quick".to_owned()),
        );
    }
    if old.idle_timeout_seconds != new.idle_timeout_seconds && old.idle_timeout_seconds > 0 {
        changes.info(
            format!(
                "idle servers stop after {} → {}",
                fmt_duration(old.idle_timeout_seconds),
                fmt_duration(new.idle_timeout_seconds)
            ),
            None,
        );
    }
}

fn datasets(
    changes: &mut Changes,
    old: &BTreeMap<String, Dataset>,
    new: &BTreeMap<String, Dataset>,
) {
    for (name, a) in old {
        match new.get(name) {
            None => changes.danger(
                format!("dataset {name} removed"),
                format!("/data/{name} disappears from every server: notebooks that read it fail"),
            ),
            Some(b) if a.sources != b.sources => changes.info(
                format!(
                    "dataset {name} changes source ({} to download again)",
                    fmt_download(b.download_bytes)
                ),
                None,
            ),
            Some(_) => {}
        }
    }
    for (name, b) in new {
        if !old.contains_key(name) {
            let size = if b.download_bytes > 0 {
                format!(" (+{} download)", fmt_download(b.download_bytes))
            } else {
                " (size unknown)".to_owned()
            };
            changes.info(format!("dataset {name} added{size}"), None);
        }
    }
}

fn notebooks(
    changes: &mut Changes,
    old: &BTreeMap<String, Notebook>,
    new: &BTreeMap<String, Notebook>,
) {
    let branch = |n: &Notebook| {
        n.branch
            .clone()
            .unwrap_or_else(|| "the default branch".to_owned())
    };
    for (folder, a) in old {
        match new.get(folder) {
            None => changes.info(
                format!("notebooks in {folder}/ removed"),
                Some("no longer pulled into homes; copies students already have stay".to_owned()),
            ),
            Some(b) if a != b => {
                let text = if a.repo == b.repo {
                    format!(
                        "notebooks in {folder}/: branch {} → {}",
                        branch(a),
                        branch(b)
                    )
                } else {
                    format!("notebooks in {folder}/: {} → {}", a.repo, b.repo)
                };
                changes.info(
                    text,
                    Some(
                        "students' edited copies are kept; new files arrive on their next start"
                            .to_owned(),
                    ),
                );
            }
            Some(_) => {}
        }
    }
    for (folder, b) in new {
        if !old.contains_key(folder) {
            changes.info(format!("notebooks {} added in {folder}/", b.repo), None);
        }
    }
}

fn schedule(changes: &mut Changes, old: &BuildRecord, new: &BuildRecord) {
    let price = new
        .infrastructure
        .machine
        .as_ref()
        .and_then(|m| m.hourly_price.map(|p| (p, m.currency.clone())));
    let cost = |hours: u64| {
        price.as_ref().map_or_else(String::new, |(p, currency)| {
            #[allow(clippy::cast_precision_loss)]
            let total = p * hours as f64;
            format!(", est. {}", money_rounded(total, currency))
        })
    };
    match (&old.schedule, &new.schedule) {
        (Some(a), Some(b)) if a != b => {
            let mut text = String::from("schedule");
            if a.start != b.start {
                let _ = write!(text, " starts {} → {}", a.start, b.start);
            }
            if a.end != b.end {
                if a.start != b.start {
                    text.push(',');
                }
                let _ = write!(text, " ends {} → {}", a.end, b.end);
            }
            let delta = price.as_ref().map_or_else(String::new, |(p, currency)| {
                #[allow(clippy::cast_precision_loss)]
                let total = p * (b.hours as f64 - a.hours as f64);
                format!(", est. {}", signed_money_rounded(total, currency))
            });
            let _ = write!(text, " ({} h → {} h{delta})", a.hours, b.hours);
            changes.info(text, None);
        }
        (None, Some(b)) => changes.info(
            format!(
                "schedule added: {} to {} ({} h{})",
                b.start,
                b.end,
                b.hours,
                cost(b.hours)
            ),
            Some("the VM stops by itself at the end".to_owned()),
        ),
        (Some(a), None) => changes.info(
            format!("schedule removed (was {} to {})", a.start, a.end),
            Some("the VM keeps running, and billing, until you stop it".to_owned()),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_changes_are_signed() {
        assert_eq!(signed_money(0.384, "USD"), "+$0.38");
        assert_eq!(signed_money(-0.1, "USD"), "-$0.10");
        assert_eq!(signed_money_rounded(18.43, "USD"), "+$18");
        assert_eq!(signed_money_rounded(4.56, "EUR"), "+4.56 EUR");
    }

    #[test]
    fn the_roster_says_who_comes_and_who_goes() {
        let names = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let record = |roster: &[&str]| BuildRecord {
            users: crate::diff::record::Users {
                roster: names(roster),
                ..Default::default()
            },
            auth: crate::diff::record::Auth {
                method: "native".to_owned(),
                allowed_users: Some(names(roster)),
                ..Default::default()
            },
            ..BuildRecord::default()
        };
        let changes = compare(
            &record(&["ana", "bo", "dan"]),
            &record(&["ana", "bo", "cy", "eve", "fay"]),
        );
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].text, "users: +3 (cy, eve, fay), −1 (dan)");
        assert!(
            changes[0]
                .detail
                .as_deref()
                .unwrap()
                .contains("dan locked out")
        );
        assert!(
            changes[0]
                .detail
                .as_deref()
                .unwrap()
                .contains("home is kept")
        );
    }

    #[test]
    fn identical_summaries_have_no_changes() {
        let record = BuildRecord::default();
        assert!(compare(&record, &record).is_empty());
    }

    #[test]
    fn dangers_come_first() {
        let old = BuildRecord {
            users: crate::diff::record::Users {
                count: 30,
                ..Default::default()
            },
            datasets: [("a".to_owned(), Dataset::default())].into(),
            ..BuildRecord::default()
        };
        let new = BuildRecord {
            users: crate::diff::record::Users {
                count: 60,
                ..Default::default()
            },
            ..BuildRecord::default()
        };
        let changes = compare(&old, &new);
        assert_eq!(changes.len(), 2);
        assert!(changes[0].danger && changes[0].text == "dataset a removed");
        assert!(!changes[1].danger && changes[1].text == "users 30 → 60");
    }

    #[test]
    fn target_facts_flag_replacements_rotations_and_renames() {
        use crate::bundle::facts::{DataDisk, Machine, TargetFacts};
        let machine = |location: &str, os: &str| Machine {
            location: location.to_owned(),
            kind: "m6i.2xlarge".to_owned(),
            os_image: os.to_owned(),
            ..Machine::default()
        };
        let facts = |m: Machine, disk: u64, volume: &str, key: &str| TargetFacts {
            machine: Some(m),
            data_disk: Some(DataDisk {
                location: "zone-a".to_owned(),
                size_gib: disk,
            }),
            home_volume: Some(volume.to_owned()),
            secrets: [("cookie".to_owned(), key.to_owned())].into(),
        };
        let old = BuildRecord {
            jupyterhub: "5.5.1".to_owned(),
            infrastructure: facts(machine("aws eu", "ubuntu-24.04"), 100, "home-{u}", "k1"),
            ..BuildRecord::default()
        };
        let new = BuildRecord {
            jupyterhub: "6.0.0".to_owned(),
            infrastructure: facts(machine("aws eu", "ubuntu-26.04"), 80, "homes-{u}", "k2"),
            ..BuildRecord::default()
        };
        let texts: Vec<(bool, String)> = compare(&old, &new)
            .into_iter()
            .map(|c| (c.danger, c.text))
            .collect();
        assert_eq!(
            texts,
            [
                (
                    true,
                    "the VM is replaced: OS image ubuntu-24.04 → ubuntu-26.04".to_owned()
                ),
                (true, "data disk shrinks 100 GiB → 80 GiB".to_owned()),
                (true, "home volumes renamed home-{u} → homes-{u}".to_owned()),
                (true, "secret `cookie` is regenerated".to_owned()),
                (true, "JupyterHub 5.5.1 → 6.0.0".to_owned()),
            ]
        );
    }
}
