//! `atlasod datasets`, `regions` and `instances`: atlasod's embedded tables
//! as text.

use std::fmt::Write as _;

use super::Status;
use super::output::Output;
use crate::data::catalogue::catalogue;
use crate::data::tables;
use crate::error::Error;
use crate::spec::Target;
use crate::units::fmt_gib;

pub(super) fn datasets_table() -> String {
    let mut text =
        String::from("ID                                DOWNLOAD     UNPACKED     TITLE\n");
    for (id, entry) in &catalogue().datasets {
        let _ = writeln!(
            text,
            "{id:<33} {:>11}  {:>11}  {}",
            fmt_gib(entry.download_size()),
            fmt_gib(entry.unpacked_size),
            entry.title
        );
    }
    text
}

fn cloud_tables(cloud: Target) -> Result<&'static tables::CloudTables, Error> {
    tables::for_target(cloud).ok_or_else(|| {
        Error::Usage(format!(
            "atlasod has region and instance tables for `aws` and `gcp` only; `{cloud}` chooses its machines at apply time"
        ))
    })
}

pub(super) fn regions(cloud: Target, out: &Output) -> Result<Status, Error> {
    let tables = cloud_tables(cloud)?;
    let mut text = String::new();
    for region in tables.regions.regions {
        let _ = writeln!(text, "{:<28} {}", region.code, region.name);
    }
    out.out(&text);
    Ok(Status::Ok)
}

pub(super) fn instances(
    cloud: Target,
    region: Option<&str>,
    out: &Output,
) -> Result<Status, Error> {
    let tables = cloud_tables(cloud)?;
    if let Some(region) = region {
        if tables.region(region).is_none() {
            return Err(Error::Usage(format!(
                "`{region}` is not a {cloud} region; `atlasod regions {cloud}` lists them"
            )));
        }
    }
    let mut text = format!(
        "{:<20} {:>5} {:>10}  {}\n",
        "TYPE",
        "VCPU",
        "MEMORY",
        region.map_or_else(
            || "REGIONS".to_owned(),
            |r| format!("{}/HOUR IN {r}", tables.instances.currency)
        )
    );
    for instance in tables.instances.instances {
        let column = match region {
            Some(r) => match instance.prices.get(r) {
                Some(price) => format!("{price:.4}"),
                None => continue,
            },
            None => instance.prices.len().to_string(),
        };
        let _ = writeln!(
            text,
            "{:<20} {:>5} {:>6} GiB  {column}",
            instance.name, instance.vcpu, instance.memory_gib
        );
    }
    let _ = writeln!(text, "prices read {}", tables.instances.prices_read);
    out.out(&text);
    Ok(Status::Ok)
}
