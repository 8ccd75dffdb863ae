//! Rules for the single-VM clouds: a `cloud.<target>` block for every
//! target asked for, known regions and zones, an instance type that is
//! offered and fits the class, at most one VM's worth of users, a data disk
//! that holds everything, and SSH that can actually be used.

use super::{Rules, cloud_name};
use crate::data::catalogue::catalogue;
use crate::data::tables::{self, CloudTables, InstanceType, Offer};
use crate::diagnostic::Code;
use crate::parse::Step;
use crate::sizing::vm::{self as sizing, MAX_USERS_PER_VM};
use crate::spec::{DatasetRef, Target};
use crate::units::fmt_gib;
use crate::units::{self, indent};
use crate::validate::suggest::{closest, one_of};

impl Rules<'_> {
    pub(super) fn targets_declared(&mut self) {
        for &target in self.targets {
            if target == Target::Local || self.spec.cloud.is_declared(target) {
                continue;
            }
            let block = match target {
                Target::Aws => "aws:\n  region: eu-central-1",
                Target::Gcp => "gcp:\n  project: my-gcp-project\n  region: europe-west1",
                Target::Openstack => {
                    "openstack:\n  auth_url: https://keystone.example.org:5000/v3\n  network: my-net\n  floating_ip_pool: public"
                }
                Target::Kubernetes => "kubernetes:\n  context: my-cluster",
                Target::Local => "local: {}",
            };
            let (span, label, help) = if self.parsed.root.get("cloud").is_some() {
                (
                    self.key(&[Step::Key("cloud")]),
                    format!("no `{target}` block in `cloud`"),
                    format!("add under `cloud:`\n{}", indent(block, 2)),
                )
            } else {
                let first = self
                    .parsed
                    .root
                    .entries()
                    .first()
                    .map_or(self.parsed.root.span, |e| e.key_span);
                (
                    first,
                    "the spec has no `cloud` block".to_owned(),
                    format!("add at the top level:\n  cloud:\n{}", indent(block, 4)),
                )
            };
            let diagnostic = self
                .error(
                    Code::MissingCloud,
                    span,
                    format!("the target `{target}` is asked for, but the spec has no `cloud.{target}` block"),
                )
                .label(label)
                .help(help);
            self.out.push(diagnostic);
        }
    }

    pub(super) fn clouds(&mut self) {
        if self.checks(Target::Aws) {
            if let (Some(aws), Some(tables)) =
                (&self.spec.cloud.aws, tables::for_target(Target::Aws))
            {
                let base = [Step::Key("cloud"), Step::Key("aws")];
                if self.region(Target::Aws, tables, &aws.region, &base) {
                    self.instance(Target::Aws, tables, &aws.region, &aws.instance, &base);
                }
            }
        }
        if self.checks(Target::Gcp) {
            if let (Some(gcp), Some(tables)) =
                (&self.spec.cloud.gcp, tables::for_target(Target::Gcp))
            {
                let base = [Step::Key("cloud"), Step::Key("gcp")];
                if self.region(Target::Gcp, tables, &gcp.region, &base) {
                    let path = [Step::Key("cloud"), Step::Key("gcp"), Step::Key("zone")];
                    self.zone(tables, &gcp.region, gcp.zone.as_deref(), &path);
                    self.instance(Target::Gcp, tables, &gcp.region, &gcp.instance, &base);
                }
            }
        }
        let first_vm = self.vm_targets().next();
        if let Some(target) = first_vm {
            self.user_limit(target);
        }
    }

    /// Reports an unknown region; returns whether the region is known.
    pub(super) fn region(
        &mut self,
        target: Target,
        tables: &CloudTables,
        region: &str,
        base: &[Step<'_>],
    ) -> bool {
        let mut path = base.to_vec();
        path.push(Step::Key("region"));
        if tables.region(region).is_some() {
            return true;
        }
        let (suggestion, other) = region_suggestion(target, tables, region);
        let other = other.map(|other| {
            format!(
                "`{region}` is a region of {}, not of {}; ",
                cloud_name(other),
                cloud_name(target)
            )
        });
        let guess = suggestion.map(|s| format!("did you mean `{s}`? "));
        let help = format!(
            "{}{}`atlasod regions {target}` lists every region",
            other.unwrap_or_default(),
            guess.unwrap_or_default()
        );
        let diagnostic = self
            .error(
                Code::UnknownRegion,
                self.value(&path),
                format!("`{region}` is not a region of {}", cloud_name(target)),
            )
            .label(suggestion.map_or_else(
                || "unknown region".to_owned(),
                |s| format!("did you mean `{s}`?"),
            ))
            .help(help);
        self.out.push(diagnostic);
        false
    }

    pub(super) fn zone(
        &mut self,
        tables: &CloudTables,
        region: &str,
        zone: Option<&str>,
        path: &[Step<'_>],
    ) {
        let (Some(zone), Some(known)) = (zone, tables.region(region)) else {
            return;
        };
        if known.zones.is_empty() || known.zones.contains(&zone) {
            return;
        }
        let zones: Vec<&str> = known.zones.to_vec();
        let suggestion = closest(zone, zones.iter().copied());
        let diagnostic = self
            .error(
                Code::UnknownZone,
                self.value(path),
                format!("`{zone}` is not a zone of `{region}`"),
            )
            .label(suggestion.map_or_else(
                || "not in this region".to_owned(),
                |s| format!("did you mean `{s}`?"),
            ))
            .help(format!("the zones of `{region}` are {}", one_of(&zones)));
        self.out.push(diagnostic);
    }

    fn instance(
        &mut self,
        target: Target,
        tables: &CloudTables,
        region: &str,
        instance: &str,
        base: &[Step<'_>],
    ) {
        if !tables.is_priced(region) {
            self.unpriced_region(target, region, instance, base);
        }
        let path = [base[0], base[1], Step::Key("instance")];
        let need = sizing::vm_requirement(&self.spec.users);
        // Over the limit, `user_limit` reports it and no instance can fix it.
        let sized = self.spec.users.count() <= MAX_USERS_PER_VM;
        if instance == "auto" {
            if sized {
                self.auto_instance(target, tables, region, &need, &path);
            }
            return;
        }
        let Some(found) = tables.instance(instance) else {
            self.unknown_instance(target, tables, instance, &path);
            return;
        };
        if tables.offer(found, region) == Offer::NotOffered {
            self.instance_not_in_region(found, region, &path, base);
        } else if sized && !found.fits(&need) {
            self.instance_too_small(tables, region, found, &need, &path);
        }
    }

    /// A known region without price data: what `auto` or a named type means there.
    fn unpriced_region(&mut self, target: Target, region: &str, instance: &str, base: &[Step<'_>]) {
        let help = if instance == "auto" {
            format!(
                "`instance: auto` picks the smallest type that fits, and Terraform checks at plan time that it is offered; `atlasod instances {target}` shows the types and the regions with prices"
            )
        } else {
            format!(
                "`{instance}` is taken on trust: Terraform checks at plan time that it is offered in `{region}`; `atlasod instances {target}` shows the regions with prices"
            )
        };
        let diagnostic = self
            .warning(
                Code::UnpricedRegion,
                self.value(&[base[0], base[1], Step::Key("region")]),
                format!(
                    "atlasod has no {} prices for `{region}`, so it cannot confirm which types are offered there nor estimate the cost",
                    cloud_name(target)
                ),
            )
            .label("no price data for this region")
            .help(help);
        self.out.push(diagnostic);
    }

    /// `instance: auto` must find a type that fits in the region.
    fn auto_instance(
        &mut self,
        target: Target,
        tables: &CloudTables,
        region: &str,
        need: &sizing::Requirement,
        path: &[Step<'_>],
    ) {
        let fits_somewhere = tables.largest().is_some_and(|largest| largest.fits(need));
        if !fits_somewhere || sizing::cheapest_fit(tables, region, need).is_some() {
            return; // too big for any type: `user_limit` says so
        }
        // Regions that can hold the class, the same continent's first.
        let continent = region.split('-').next().unwrap_or(region);
        let mut regions: Vec<&str> = tables
            .region_codes()
            .filter(|r| tables.is_priced(r) && sizing::cheapest_fit(tables, r, need).is_some())
            .collect();
        regions.sort_by_key(|r| !r.starts_with(&format!("{continent}-")));
        regions.truncate(4);
        let (message, help) = (
            format!(
                "no {} type offered in `{region}` is big enough for these users",
                cloud_name(target)
            ),
            format!(
                "choose a region that has a type big enough, e.g. {}, or lower `users.cpu` or `users.memory`",
                one_of(&regions)
            ),
        );
        // Point at `instance: auto` when written, else at the region to change.
        let written = self.parsed.root.find(path).is_some();
        let span = if written {
            self.value(path)
        } else {
            self.value(&[path[0], path[1], Step::Key("region")])
        };
        let diagnostic = self
            .error(Code::InstanceNotInRegion, span, message)
            .label("`instance: auto` finds no type here")
            .help(help)
            .note(need.arithmetic.join("\n"));
        self.out.push(diagnostic);
    }

    fn unknown_instance(
        &mut self,
        target: Target,
        tables: &CloudTables,
        instance: &str,
        path: &[Step<'_>],
    ) {
        let cloud = cloud_name(target);
        let suggestion = closest(instance, tables.instance_names());
        let other = other_cloud(target).filter(|other| {
            tables::for_target(*other).is_some_and(|t| t.instance(instance).is_some())
        });
        let label = match (suggestion, other) {
            (Some(s), _) => format!("did you mean `{s}`?"),
            (None, Some(other)) => format!("an instance type of {}", cloud_name(other)),
            (None, None) => "unknown type".to_owned(),
        };
        let help = match (suggestion, other) {
            (Some(s), _) => format!(
                "did you mean `{s}`? or write `instance: auto` to pick the cheapest type that fits"
            ),
            (None, Some(other)) => format!(
                "`{instance}` is a type of {}: write `instance: auto` to pick the cheapest {cloud} type that fits; `atlasod instances {target}` lists them",
                cloud_name(other)
            ),
            (None, None) => format!(
                "write `instance: auto` to pick the cheapest type that fits; `atlasod instances {target}` lists the known types"
            ),
        };
        let diagnostic = self
            .error(
                Code::UnknownInstance,
                self.value(path),
                format!("`{instance}` is not an instance type atlasod knows for {cloud}"),
            )
            .label(label)
            .help(help);
        self.out.push(diagnostic);
    }

    fn instance_not_in_region(
        &mut self,
        found: &InstanceType,
        region: &str,
        path: &[Step<'_>],
        base: &[Step<'_>],
    ) {
        let offered: Vec<&str> = found.prices.keys().take(6).collect();
        let diagnostic = self
            .error(
                Code::InstanceNotInRegion,
                self.value(path),
                format!("`{}` is not offered in `{region}`", found.name),
            )
            .label(format!("not available in `{region}`"))
            .secondary(self.value(&[base[0], base[1], Step::Key("region")]), "the region")
            .help(format!(
                "write `instance: auto` to pick a type offered in `{region}`, or choose a region that has it, e.g. {}",
                one_of(&offered)
            ));
        self.out.push(diagnostic);
    }

    fn instance_too_small(
        &mut self,
        tables: &CloudTables,
        region: &str,
        found: &InstanceType,
        need: &sizing::Requirement,
        path: &[Step<'_>],
    ) {
        let better = sizing::cheapest_fit(tables, region, need);
        let diagnostic = self
            .error(
                Code::InstanceTooSmall,
                self.value(path),
                format!(
                    "`{}` ({} vCPU, {} GiB) is too small for {} users",
                    found.name,
                    found.vcpu,
                    units::fmt_num(found.memory_gib),
                    self.spec.users.count()
                ),
            )
            .label(format!(
                "needs {} vCPU and {}",
                units::fmt_num(need.cpu),
                fmt_gib(need.memory)
            ))
            .secondary(
                self.value(&[Step::Key("users"), Step::Key("count")]),
                "the users it must hold",
            )
            .help(match better {
                Some(b) => format!(
                    "use `instance: {}` (the cheapest that fits), or `instance: auto`",
                    b.name
                ),
                None => "use fewer users per VM, or the `kubernetes` target".to_owned(),
            })
            .note(need.arithmetic.join("\n"));
        self.out.push(diagnostic);
    }

    /// More users than one VM should serve, or than the largest type can hold.
    fn user_limit(&mut self, target: Target) {
        let count = self.spec.users.count();
        let span = self.value(&[Step::Key("users"), Step::Key("count")]);
        let targets: Vec<&str> = self.vm_targets().map(Target::as_str).collect();
        let targets = one_of(&targets);
        if count > MAX_USERS_PER_VM {
            let diagnostic = self
                .error(
                    Code::TooManyUsers,
                    span,
                    format!("{count} users are more than one VM should serve (at most {MAX_USERS_PER_VM})"),
                )
                .label(format!("more than {MAX_USERS_PER_VM} users for {targets}"))
                .help(if self.spec.cloud.kubernetes.is_some() {
                    "build for a cluster instead: this spec has `cloud.kubernetes`, so run `atlasod build --target kubernetes`"
                } else {
                    "build for a cluster instead: add `cloud.kubernetes` and run `atlasod build --target kubernetes`"
                })
                .note(format!(
                    "single-machine JupyterHub distributions serve up to about {MAX_USERS_PER_VM} users; beyond that, spawns and the disk become the bottleneck"
                ));
            self.out.push(diagnostic);
            return;
        }
        let need = sizing::vm_requirement(&self.spec.users);
        if let Some(largest) = tables::for_target(target).and_then(CloudTables::largest) {
            if !largest.fits(&need) {
                let diagnostic = self
                    .error(
                        Code::TooManyUsers,
                        span,
                        format!(
                            "{count} users need {} vCPU and {}, more than the largest {} type holds",
                            units::fmt_num(need.cpu),
                            fmt_gib(need.memory),
                            cloud_name(target)
                        ),
                    )
                    .label(format!("too many for one `{}`", largest.name))
                    .help("lower `users.cpu` or `users.memory`, or build for a cluster with `--target kubernetes`")
                    .note(need.arithmetic.join("\n"));
                self.out.push(diagnostic);
            }
        }
    }

    pub(super) fn disk(&mut self) {
        let Some(disk) = &self.spec.disk else { return };
        if self.vm_targets().next().is_none() {
            return;
        }
        let datasets: u64 = self
            .spec
            .datasets
            .iter()
            .map(|d| match d {
                DatasetRef::Catalogue(id) => catalogue().get(id).map_or(0, |e| e.unpacked_size),
                DatasetRef::Custom(c) => c.size.as_ref().map_or(0, crate::spec::Size::bytes),
            })
            .sum();
        let contents = sizing::DiskContents {
            users: self.spec.users.count(),
            storage_per_user: self.spec.users.storage.bytes(),
            datasets,
            image_gb: sizing::image_budget_gb(&self.spec.environment),
        };
        let need = contents.minimum();
        if disk.bytes() < need {
            let diagnostic = self
                .error(
                    Code::DiskTooSmall,
                    self.value(&[Step::Key("disk")]),
                    format!(
                        "a {disk} data disk cannot hold the homes, datasets and images ({})",
                        fmt_gib(need)
                    ),
                )
                .label(format!("at least {} needed", fmt_gib(need)))
                .help("make `disk` larger, or remove it to let atlasod size the disk")
                .note(format!(
                    "homes: {} users x {} = {}; datasets (unpacked): {}; images (Docker keeps them on the data disk): {}",
                    self.spec.users.count(),
                    self.spec.users.storage,
                    fmt_gib(contents.homes()),
                    fmt_gib(datasets),
                    fmt_gib(contents.images())
                ));
            self.out.push(diagnostic);
        }
    }

    pub(super) fn access(&mut self) {
        let access = &self.spec.access;
        if access.ssh_public_key.is_some()
            && access.admin_cidr.is_none()
            && self.vm_targets().next().is_some()
        {
            let diagnostic = self
                .warning(
                    Code::SshClosed,
                    self.key(&[Step::Key("access"), Step::Key("ssh_public_key")]),
                    "an SSH key is given, but SSH stays closed because `access.admin_cidr` is not set",
                )
                .label("this key cannot be used")
                .help("add `admin_cidr: 203.0.113.0/24` (your network) under `access` to open SSH to it, or remove the key");
            self.out.push(diagnostic);
        }
    }
}

/// The region the user most likely meant, and the other cloud it belongs to
/// if it is another cloud's region (`eu-west-1` in a `gcp` block).
fn region_suggestion<'t>(
    target: Target,
    tables: &'t CloudTables,
    region: &str,
) -> (Option<&'t str>, Option<Target>) {
    let other = other_cloud(target)
        .filter(|other| tables::for_target(*other).is_some_and(|t| t.region(region).is_some()));
    let translated = match target {
        // AWS `eu-west-1` → Google `europe-west1`
        Target::Gcp => region
            .replacen("eu-", "europe-", 1)
            .replace("-1", "1")
            .replace("-2", "2"),
        // Google `europe-west1` → AWS `eu-west-1`
        Target::Aws => {
            let short = region.replacen("europe-", "eu-", 1);
            match short.char_indices().last() {
                Some((i, c)) if c.is_ascii_digit() && !short[..i].ends_with('-') => {
                    format!("{}-{c}", &short[..i])
                }
                _ => short,
            }
        }
        _ => region.to_owned(),
    };
    let exact = tables.region(&translated).map(|r| r.code);
    let suggestion = exact.or_else(|| closest(region, tables.region_codes()));
    (suggestion, other)
}

/// The other public cloud with tables, for "that is an AWS region" hints.
fn other_cloud(target: Target) -> Option<Target> {
    match target {
        Target::Aws => Some(Target::Gcp),
        Target::Gcp => Some(Target::Aws),
        _ => None,
    }
}
