//! The semantic summary of real spec changes: what `atlasod diff` tells a
//! trainer above the file diffs, dangerous changes first.
//!
//! Each test edits one line of a shipped example, builds both versions and
//! snapshots the summary (`snapshots/diff/`). The `local` cases render the
//! real hub bundle; the `aws` and `gcp` cases build the real VM bundle,
//! whose machine and data disk facts come from atlasod's sizing and prices.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use atlasod::diff::record::BuildRecord;
use atlasod::diff::{DiffReport, semantic};
use atlasod::program;
use atlasod::report::diff::{DiffStyle, human};
use atlasod::{SourceFile, Target};
use support::snapshots::snapshot;
use support::specs::edit;

const AWS: &str = include_str!("../examples/masterclass-aws.yaml");
const GCP: &str = include_str!("../examples/university-gcp.yaml");

/// The record `atlasod diff` would store for `spec` built for `target`:
/// a real build, whose target fills the machine and disk facts.
fn record(spec: &str, target: Target) -> BuildRecord {
    let file = SourceFile::new("workshop.yaml", spec);
    let built = program::build(file, target).expect("the spec builds");
    built.record(target)
}

/// The summary lines as `atlasod diff` prints them (no colour).
fn changes(old: &str, new: &str, target: Target) -> String {
    let report = DiffReport {
        target,
        old_label: "old.yaml".to_owned(),
        new_label: "new.yaml".to_owned(),
        changes: semantic::compare(&record(old, target), &record(new, target)),
        files: Vec::new(),
        notes: Vec::new(),
    };
    human(
        &[report],
        DiffStyle {
            color: false,
            stat: true,
        },
    )
}

#[test]
fn unchanged_spec_has_no_changes() {
    for target in [Target::Local, Target::Aws] {
        assert_eq!(changes(AWS, AWS, target), "");
    }
}

#[test]
fn user_count_resizes_the_vm_with_its_cost() {
    let new = edit(AWS, "count: 30 ", "count: 60 ");
    snapshot!("diff/users_30_to_60_aws", changes(AWS, &new, Target::Aws));
}

#[test]
fn user_count_on_a_laptop() {
    let new = edit(AWS, "count: 30 ", "count: 60 ");
    snapshot!(
        "diff/users_30_to_60_local",
        changes(AWS, &new, Target::Local)
    );
}

#[test]
fn explicit_instance_type() {
    let new = edit(AWS, "instance: auto ", "instance: m6i.16xlarge ");
    snapshot!(
        "diff/instance_auto_to_m6i_16xlarge",
        changes(AWS, &new, Target::Aws)
    );
}

#[test]
fn dataset_added() {
    let new = edit(
        AWS,
        "  - atlas-2020-13tev-gamgam ",
        "  - atlas-2020-13tev-gamgam\n  - atlas-2020-13tev-2lep\n ",
    );
    snapshot!("diff/dataset_added", changes(AWS, &new, Target::Local));
}

#[test]
fn dataset_removed() {
    let new = edit(AWS, "  - atlas-2020-13tev-gamgam ", " ");
    snapshot!("diff/dataset_removed", changes(AWS, &new, Target::Local));
}

#[test]
fn auth_method_changes() {
    let new = edit(
        AWS,
        "method: shared-password",
        "method: github\n  allowed: [masterclass-2027/*]",
    );
    snapshot!(
        "diff/auth_shared_password_to_github",
        changes(AWS, &new, Target::Local)
    );
}

#[test]
fn domain_changes() {
    let new = edit(
        AWS,
        "domain: masterclass.example.org",
        "domain: hub.masterclass.example.org",
    );
    snapshot!("diff/domain_changes", changes(AWS, &new, Target::Aws));
}

#[test]
fn tls_mode_changes() {
    let new = edit(AWS, "https: letsencrypt ", "https: self-signed ");
    snapshot!(
        "diff/tls_letsencrypt_to_self_signed",
        changes(AWS, &new, Target::Local)
    );
}

#[test]
fn workshop_name_changes() {
    let new = edit(AWS, "name: masterclass-2027 ", "name: masterclass-2028 ");
    snapshot!(
        "diff/workshop_name_changes",
        changes(AWS, &new, Target::Local)
    );
}

#[test]
fn region_change_replaces_vm_and_disk() {
    let new = edit(AWS, "region: eu-central-1 ", "region: eu-west-1 ");
    snapshot!("diff/region_changes", changes(AWS, &new, Target::Aws));
}

#[test]
fn data_disk_shrinks_and_grows() {
    let smaller = edit(GCP, "disk: 800GiB ", "disk: 700GiB ");
    let larger = edit(GCP, "disk: 800GiB ", "disk: 900GiB ");
    snapshot!(
        "diff/data_disk_resized",
        format!(
            "{}\n{}",
            changes(GCP, &smaller, Target::Gcp),
            changes(GCP, &larger, Target::Gcp)
        )
    );
}

#[test]
fn schedule_extended() {
    let new = edit(
        AWS,
        "end: 2027-03-10T17:00:00Z",
        "end: 2027-03-11T17:00:00Z",
    );
    snapshot!("diff/schedule_extended", changes(AWS, &new, Target::Aws));
}

#[test]
fn allow_list_removed_is_dangerous() {
    let new = edit(
        GCP,
        "  allowed:\n    - pp-lab-2027/students\n    - prof-kowalski\n    - ta-nguyen\n",
        "",
    );
    let text = changes(GCP, &new, Target::Gcp);
    assert!(
        text.contains("danger  the allow-list of users is removed"),
        "{text}"
    );
}

#[test]
fn notebooks_admins_image_and_culling() {
    let new = edit(
        AWS,
        "admins: [tutor-anna, tutor-ben]",
        "admins: [tutor-anna, tutor-carl]",
    );
    let new = edit(&new, "    ref: master\n", "    ref: v2027\n");
    let new = edit(&new, "preset: root ", "preset: python ");
    let new = edit(&new, "idle_timeout: 2h ", "idle_timeout: 90m ");
    snapshot!(
        "diff/notebooks_admins_image_culling",
        changes(AWS, &new, Target::Local)
    );
}
