//! The fingerprint of what the students get: one hash a trainer can quote to say which
//! environment a session ran.
//!
//! Input: the checked spec and the lowered plan. Output: 64 lowercase hex digits, the
//! SHA-256 of a canonical JSON document holding
//! - the spec, as read into the model (defaults filled, so a comment or a reordering of
//!   keys written the same way does not change it, any value does);
//! - the single-user image: its reference as given (a digest when the spec or the preset
//!   pins one by `@sha256:`, else the tag, which can move) and the packages atlasod's layer
//!   adds at pinned versions;
//! - each dataset's sources and the checksums and exact sizes atlasod knows for them (a
//!   skim listed at apply time counts as its release, skim and the checksums the catalogue
//!   publishes);
//! - each notebook repository with its ref as given: a branch or tag is resolved to a
//!   commit when each server pulls it, so the same fingerprint can run two commits of a
//!   moving branch (pin a commit or tag in `ref` to rule that out).
//!
//! Deterministic: no time, host or random data; the same spec and atlasod give the same
//! fingerprint on every machine.

use serde_json::{Value, json};

use super::{DatasetFile, Plan};
use crate::bundle::hash::sha256_hex;
use crate::spec::Spec;

/// How many hex digits the login page and `build` show (64 bits: enough to tell
/// environments apart; the bundle's manifest keeps all 64).
pub const SHORT: usize = 16;

/// The fingerprint of `plan` lowered from `spec`.
pub fn of(spec: &Spec, plan: &Plan) -> String {
    let file = |f: &DatasetFile| {
        json!({
            "url": f.url,
            "sha256": f.sha256,
            "adler32": f.adler32,
            "size": f.size.filter(|_| f.min_bytes == f.max_bytes),
        })
    };
    let document = json!({
        "spec": serde_json::to_value(spec).unwrap_or(Value::Null),
        "image": {
            "reference": plan.singleuser.base_image,
            "packages": plan
                .singleuser
                .packages
                .iter()
                .map(|p| format!("{}=={}", p.name, p.version))
                .collect::<Vec<_>>(),
        },
        "datasets": plan.datasets.iter().map(|d| json!({
            "name": d.name,
            "files": d.files.iter().map(file).collect::<Vec<_>>(),
            "resolve": d.resolve.as_ref().map(|r| json!({
                "release": r.release,
                "skim": r.skim,
                "known": r.known.iter().map(file).collect::<Vec<_>>(),
            })),
        })).collect::<Vec<_>>(),
        "notebooks": plan.notebooks.iter().map(|n| json!({
            "repo": n.repo,
            "ref": n.branch,
        })).collect::<Vec<_>>(),
    });
    sha256_hex(document.to_string().as_bytes())
}

/// The fingerprint as the login page and `build` show it.
pub fn short(fingerprint: &str) -> &str {
    fingerprint.get(..SHORT).unwrap_or(fingerprint)
}
