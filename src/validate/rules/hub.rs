//! Rules for the hub itself: what is for `local` only (`dummy` auth,
//! `https: off`), Let's Encrypt with a domain, one image source, and an
//! idle timeout long enough to read and think.

use super::Rules;
use crate::diagnostic::Code;
use crate::parse::Step;
use crate::spec::{AuthMethod, Https, Target};
use crate::validate::suggest::one_of;

/// The shortest `hub.idle_timeout` the bundles honour: twice the shortest period at which the hub
/// learns of activity (servers report it, the hub polls its proxy; see the culler's plan).
const IDLE_TIMEOUT_MIN_SECONDS: u64 = 2 * crate::plan::jupyterhub::CULL_EVERY_MIN_SECONDS;
/// Below this, a class loses servers of students who read or think: a warning.
const IDLE_TIMEOUT_ADVISED_SECONDS: u64 = 300;

impl Rules<'_> {
    pub(super) fn local_only(&mut self) {
        let cloud: Vec<&str> = self
            .targets
            .iter()
            .filter(|t| **t != Target::Local)
            .map(|t| t.as_str())
            .collect();
        if cloud.is_empty() {
            return;
        }
        let targets = one_of(&cloud);
        // Each setting that is safe on a laptop only: whether the spec has it,
        // where, what it risks, the label and the fix.
        let local_only = [
            (
                self.spec.auth.method == AuthMethod::Dummy,
                [Step::Key("auth"), Step::Key("method")],
                format!(
                    "`dummy` auth lets anyone log in without a password: it is for `local` only, not for {targets}"
                ),
                "no password at all",
                "use `native`, `shared-password`, `github`, `gitlab` or `oidc` for a hub on the internet, or build with `--target local`",
            ),
            (
                self.spec.hub.https == Some(Https::Off),
                [Step::Key("hub"), Step::Key("https")],
                format!(
                    "`https: off` sends passwords in clear text: it is for `local` only, not for {targets}"
                ),
                "no TLS",
                "use `https: letsencrypt` with `hub.domain`, or `https: self-signed`",
            ),
        ];
        for (present, path, message, label, help) in local_only {
            if present {
                let diagnostic = self
                    .error(Code::LocalOnly, self.value(&path), message)
                    .label(label)
                    .help(help);
                self.out.push(diagnostic);
            }
        }
    }

    pub(super) fn https(&mut self) {
        if self.spec.hub.https == Some(Https::Letsencrypt) && self.spec.hub.domain.is_none() {
            let diagnostic = self
                .error(
                    Code::HttpsNeedsDomain,
                    self.value(&[Step::Key("hub"), Step::Key("https")]),
                    "`https: letsencrypt` needs `hub.domain`: Let's Encrypt certifies a domain name, not an IP address",
                )
                .label("no `hub.domain` to certify")
                .help("add `domain: hub.example.org` under `hub` (a DNS name pointing at the hub), or use `self-signed`");
            self.out.push(diagnostic);
        }
    }

    pub(super) fn environment(&mut self) {
        let env = self.parsed.root.get("environment");
        let (Some(image), Some(preset)) = (
            env.and_then(|e| e.entry("image")),
            env.and_then(|e| e.entry("preset")),
        ) else {
            return;
        };
        let (first, second) = if image.key_span.start < preset.key_span.start {
            (image, preset)
        } else {
            (preset, image)
        };
        let diagnostic = self
            .error(
                Code::ImageAndPreset,
                second.key_span,
                "`environment` sets both `image` and `preset`; they are alternatives",
            )
            .label(format!("`{}` here", second.key))
            .secondary(first.key_span, format!("`{}` here", first.key))
            .help("keep `preset` for a curated image, or `image` for your own; delete the other");
        self.out.push(diagnostic);
    }

    pub(super) fn idle_timeout(&mut self) {
        let timeout = &self.spec.hub.idle_timeout;
        let span = self.value(&[Step::Key("hub"), Step::Key("idle_timeout")]);
        if timeout.seconds() < IDLE_TIMEOUT_MIN_SECONDS {
            // Servers report activity to the hub, and the hub polls its proxy, at best every
            // minute (crate::plan::jupyterhub::CULL_EVERY_MIN_SECONDS): below twice that, a
            // server in use can look idle and be stopped.
            let diagnostic = self
                .error(
                    Code::IdleTimeoutTooShort,
                    span,
                    format!("an idle timeout of {timeout} would stop servers that are in use"),
                )
                .label("at least 2m expected")
                .help("the hub learns of activity once a minute; use `idle_timeout: 1h` (the default) or at least `2m`");
            self.out.push(diagnostic);
        } else if timeout.seconds() < IDLE_TIMEOUT_ADVISED_SECONDS {
            let diagnostic = self
                .warning(
                    Code::IdleTimeoutTooShort,
                    span,
                    format!(
                        "an idle timeout of {timeout} stops servers while students read or think"
                    ),
                )
                .label("at least 5m advised for a class")
                .help("use `idle_timeout: 1h` (the default) or at least `5m` for a class");
            self.out.push(diagnostic);
        }
    }
}
