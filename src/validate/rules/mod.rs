//! Stage 2b, validate the meaning: rules across fields and against the
//! catalogues, for the targets being checked.
//!
//! Input: a spec that passed the schema, its tree (for positions) and the
//! targets. Output: every problem found, errors and warnings. Each rule is
//! one function; each diagnostic points at the value the user should change.
//!
//! One file per concern: [`schedule`], [`clouds`] (the single-VM clouds:
//! regions, instances, users per VM, disk, SSH), [`hub`] (local-only
//! settings, HTTPS, image, idle timeout), [`datasets`], [`auth`] (login
//! settings and admins) and [`cluster`] (`cloud.kubernetes.cluster`). This
//! file holds [`Rules`], the positions and constructors they share.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::parse::{Parsed, Step};
use crate::source::Span;
use crate::spec::{Spec, Target};

mod auth;
mod clouds;
mod cluster;
mod datasets;
mod hub;
mod schedule;
mod ssh_key;

pub(super) use auth::is_github_login;

pub fn check(parsed: &Parsed, spec: &Spec, targets: &[Target]) -> Diagnostics {
    let mut rules = Rules {
        parsed,
        spec,
        targets,
        out: Diagnostics::new(),
    };
    rules.schedule();
    rules.targets_declared();
    rules.clouds();
    rules.local_only();
    rules.https();
    rules.datasets();
    rules.environment();
    rules.auth();
    rules.admins();
    rules.disk();
    rules.access();
    rules.ssh_key();
    rules.idle_timeout();
    rules.cluster();
    rules.out.sorted()
}

struct Rules<'a> {
    parsed: &'a Parsed,
    spec: &'a Spec,
    targets: &'a [Target],
    out: Diagnostics,
}

impl Rules<'_> {
    /// The span of the value at `path` (or of the closest thing that exists).
    fn value(&self, path: &[Step<'_>]) -> Span {
        self.parsed.root.find_closest(path).0.node.span
    }

    /// The span of the key at the end of `path` (or its value when it has no key).
    fn key(&self, path: &[Step<'_>]) -> Span {
        let (found, _) = self.parsed.root.find_closest(path);
        found.key_span.unwrap_or(found.node.span)
    }

    fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, &self.parsed.file, span, message)
    }

    fn warning(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, &self.parsed.file, span, message)
    }

    fn checks(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }

    fn vm_targets(&self) -> impl Iterator<Item = Target> + '_ {
        self.targets.iter().copied().filter(|t| t.is_single_vm())
    }
}

fn cloud_name(target: Target) -> &'static str {
    target.cloud_name()
}
