//! The fingerprint of what the students get (`atlasod::plan::fingerprint`): the same for
//! two builds of one spec, different when the spec, the image, a dataset's checksum or a
//! notebook's ref changes; written into the hub's login page on every target (a real
//! JupyterHub renders it: `tests/hub_validators.rs`) and into the manifest's record.
#![allow(clippy::unwrap_used)] // helpers of the tests: a failure is a test failure

mod support;

use atlasod::plan::fingerprint;
use atlasod::program::{Built, build};
use atlasod::{SourceFile, Target};

const SPEC: &str = "version: 1
name: fingerprint
users:
  count: 3
auth:
  method: dummy
hub:
  https: off
environment:
  image: quay.io/jupyter/scipy-notebook:2025-03-17
datasets:
  - atlas-2025e-13tev-beta/GamGam
  - name: my-sample
    url: https://example.org/sample.root
    sha256: 3f5a1f0c4e1b0a7d9c2e8b6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c
notebooks:
  - repo: https://github.com/atlas-outreach-data-tools/notebooks-collection-opendata
    ref: master
";

fn built(text: &str) -> Built {
    build(SourceFile::new("fingerprint.yaml", text), Target::Local)
        .unwrap_or_else(|e| panic!("does not build: {e:?}"))
}

fn of(text: &str) -> String {
    built(text).plan.fingerprint
}

#[test]
fn the_same_spec_gives_the_same_fingerprint() {
    let (a, b) = (built(SPEC), built(SPEC));
    assert_eq!(a.plan.fingerprint.len(), 64);
    assert!(a.plan.fingerprint.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(a.plan.fingerprint, b.plan.fingerprint);
    assert_eq!(a.bundle, b.bundle);
    // a comment is not a change of the environment
    assert_eq!(
        of(&format!("# the same workshop\n{SPEC}")),
        a.plan.fingerprint
    );
}

#[test]
fn it_changes_with_the_spec_the_image_a_checksum_and_a_notebook_ref() {
    let base = of(SPEC);
    let edit = |from: &str, to: &str| of(&support::specs::edit(SPEC, from, to));
    let changed = [
        ("the spec", edit("count: 3", "count: 4")),
        (
            "the image",
            edit("scipy-notebook:2025-03-17", "scipy-notebook:2025-04-07"),
        ),
        (
            "a dataset's checksum",
            edit("sha256: 3f5a1f0c", "sha256: 4f5a1f0c"),
        ),
        ("a notebook's ref", edit("ref: master", "ref: v1.2")),
    ];
    for (what, fingerprint) in &changed {
        assert_ne!(
            *fingerprint, base,
            "{what} changed, the fingerprint did not"
        );
    }

    // a checksum the catalogue publishes, and an image pinned by digest: recomputed from
    // the same spec with the plan changed in that one place
    let b = built(SPEC);
    let mut plan = b.plan.clone();
    assert_eq!(fingerprint::of(&b.checked.spec, &plan), base);
    let known = &mut plan.datasets[0].resolve.as_mut().unwrap().known[0];
    known.adler32 = Some("00000000".to_owned());
    assert_ne!(
        fingerprint::of(&b.checked.spec, &plan),
        base,
        "catalogue checksum"
    );
    let mut plan = b.plan.clone();
    plan.singleuser.base_image =
        format!("quay.io/jupyter/scipy-notebook@sha256:{}", "0".repeat(64));
    assert_ne!(
        fingerprint::of(&b.checked.spec, &plan),
        base,
        "image digest"
    );
}

#[test]
fn every_target_shows_it_on_the_login_page_and_records_it() {
    let spec = support::specs::named(support::specs::valid(), "atlas-2025-gamgam");
    for target in [
        Target::Local,
        Target::Aws,
        Target::Gcp,
        Target::Openstack,
        Target::Kubernetes,
    ] {
        let b = spec.build(target);
        let short = fingerprint::short(&b.plan.fingerprint);
        assert_eq!(short.len(), fingerprint::SHORT);
        let shown = format!("Workshop environment <code>{short}</code>");
        let (file, text) = match target {
            Target::Kubernetes => (
                "values.yaml",
                support::bundles::text(&b.bundle, "values.yaml"),
            ),
            Target::Local => (
                "jupyterhub_config.py",
                support::bundles::text(&b.bundle, "jupyterhub_config.py"),
            ),
            _ => (
                "user-data",
                support::bundles::text(&b.bundle, "terraform/user-data.yaml.tftpl"),
            ),
        };
        assert!(text.contains(&shown), "{target}: {file} lacks {shown}");
        let record = atlasod::diff::record::BuildRecord::new(&b.plan, target, &b.bundle.facts);
        assert_eq!(record.fingerprint, b.plan.fingerprint, "{target}");
    }
}
