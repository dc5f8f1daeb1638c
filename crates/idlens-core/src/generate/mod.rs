//! Synthetic Azure tenants, written as the exact files a client would export with `az` and Microsoft Graph
//! (FORMATS.md §1–7). They exist so that the parsers, the check catalog, the viewer and the benchmarks have data
//! that looks and misbehaves like a real tenant — mixed casing, both identity-type spellings, deleted principals,
//! orphan and shared identities, stale and never-used ones, long-lived and expired secrets — without anyone's real
//! data, and at any size up to millions of role assignments.
//!
//! Output is a pure function of [`GenerateOptions`]: no clock, no OS randomness, the same bytes on every platform.
//! The tenant is planned in memory (identities, resources, credentials, privileged grants); the ordinary role
//! assignments, which are the bulk, are derived while writing, so [`generate_to`] streams a tenant of a million
//! assignments (≈1.2 GB) in constant memory apart from the plan.
//!
//! ```
//! use idlens_core::generate::{generate, GenerateOptions};
//! let files = generate(&GenerateOptions { seed: 1, identities: 40, assignments: 120, as_of_unix: 1_793_491_200 });
//! assert!(files.iter().any(|f| f.name == "role-assignments.json"));
//! ```

mod dates;
mod emit;
mod json;
mod names;
mod plan;
mod previous;
mod rng;
mod roles;
#[cfg(test)]
mod tests;

use std::io::{self, Write};

pub use dates::unix_from_date;
pub use previous::previous_month;

/// What to generate. Every field takes part in the output; nothing else does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Seed of the random streams: same seed, same bytes.
    pub seed: u64,
    /// Workload identities: user-assigned and system-assigned managed identities and application service
    /// principals (including third-party ones). Microsoft's own first-party service principals come on top.
    pub identities: usize,
    /// Role assignments in `role-assignments.json`, exactly.
    pub assignments: usize,
    /// The "now" of the tenant, Unix seconds: every timestamp is placed relative to it.
    pub as_of_unix: i64,
}

impl GenerateOptions {
    /// The options of the demo tenant checked in under `demo/tenant/`.
    pub fn demo() -> Self {
        Self {
            seed: 7,
            identities: 300,
            assignments: 1500,
            as_of_unix: DEMO_AS_OF_UNIX,
        }
    }
}

/// 2026-11-01T00:00:00Z, the default and demo "as of".
pub const DEMO_AS_OF_UNIX: i64 = 1_793_491_200;

/// The files of a generated tenant, in the order they are written.
pub const FILE_NAMES: [&str; 14] = [
    "identities.json",
    "service-principals.json",
    "applications.json",
    "resources.json",
    "role-definitions.json",
    "role-assignments.json",
    "signin-activity.json",
    "federated-credentials.json",
    "directory-role-assignments.json",
    "app-role-assignments.json",
    "app-credential-signins.json",
    "users.json",
    "groups.json",
    "activity-log.json",
];

/// Tenants of more identities get no `activity-log.json`: a real log of a tenant that size runs into gigabytes, and an
/// auditor of such a tenant exports it per subscription if at all. Without it NHI-P-007 is not evaluated.
pub const ACTIVITY_LOG_MAX_IDENTITIES: usize = 2000;

/// The files generated under `opts`, in the order they are written: [`FILE_NAMES`], less the activity log for a
/// tenant of more than [`ACTIVITY_LOG_MAX_IDENTITIES`] identities.
#[must_use]
pub fn file_names(opts: &GenerateOptions) -> Vec<&'static str> {
    FILE_NAMES
        .into_iter()
        .filter(|name| {
            *name != "activity-log.json" || opts.identities <= ACTIVITY_LOG_MAX_IDENTITIES
        })
        .collect()
}

/// One generated file, whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What [`generate_to`] wrote: per file, its name and number of records (array elements, or envelope elements).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    pub files: Vec<(&'static str, usize)>,
}

/// GUIDs print lower-case and hyphenated, as every Azure export prints them: the model's own type does that.
pub(crate) use crate::ids::Guid;

/// A planned tenant, ready to write its files in any order.
pub struct Tenant(plan::Tenant);

impl Tenant {
    /// Plans the tenant: everything except the ordinary role assignments, which are derived while writing.
    pub fn plan(opts: &GenerateOptions) -> Self {
        Self(plan::plan(opts))
    }

    /// Writes file `name` (one of [`FILE_NAMES`]) to `out`; returns its number of records.
    pub fn write_file<W: Write>(&self, name: &str, out: &mut W) -> io::Result<usize> {
        emit::write(&self.0, name, out)
    }
}

/// Generates the whole tenant in memory. Convenient for tests and small tenants; use [`generate_to`] for big ones.
pub fn generate(opts: &GenerateOptions) -> Vec<GeneratedFile> {
    let tenant = Tenant::plan(opts);
    file_names(opts)
        .into_iter()
        .map(|name| {
            let mut bytes = Vec::new();
            // Writing into a Vec cannot fail; an error here would be a bug in the writer, and yields what was written.
            let _ = tenant.write_file(name, &mut bytes);
            GeneratedFile {
                name: name.to_owned(),
                bytes,
            }
        })
        .collect()
}

/// The same tenant one month earlier (see [`previous_month`]): a baseline to compare [`generate`]'s output with.
pub fn generate_previous(opts: &GenerateOptions) -> Vec<GeneratedFile> {
    previous_month(&generate(opts))
}

/// Generates the tenant file by file: `open(name)` gives the writer for each file, which is flushed and dropped
/// before the next one is opened. Memory stays at the size of the plan whatever the number of assignments.
pub fn generate_to<W, F>(opts: &GenerateOptions, mut open: F) -> io::Result<GenerateSummary>
where
    W: Write,
    F: FnMut(&str) -> io::Result<W>,
{
    let tenant = Tenant::plan(opts);
    let mut summary = GenerateSummary::default();
    for name in file_names(opts) {
        let mut out = open(name)?;
        let records = tenant.write_file(name, &mut out)?;
        out.flush()?;
        summary.files.push((name, records));
    }
    Ok(summary)
}
