//! Readers for Azure and Entra exports: one module per source, each turning one record's text into a raw entity
//! with serde on a typed, borrowing struct (every field optional, unknown keys ignored). Each is given a record two
//! ways ([`reader`]): a framed record's text (checked as UTF-8 once, `raw::record_text`) to its `read`, or the stream
//! from a record's start (the chunk's text, checked once) to read the record in one pass where it lies whole there —
//! serde reading the first object into the module's `Record` and its `apply` ([`crate::ingest::raw::direct`]), or
//! for role assignments and resources a `read_direct` of their own.

/// A field from the record itself or, in the ARM REST shape, from its `properties`.
macro_rules! pick {
    ($record:expr, $field:ident) => {
        $record.$field.as_ref().or_else(|| {
            $record
                .properties
                .as_deref()
                .and_then(|p| p.$field.as_ref())
        })
    };
}

pub(crate) mod activity_log;
pub(crate) mod application;
pub(crate) mod credential_signin;
pub(crate) mod directory;
pub(crate) mod directory_object;
pub(crate) mod federated;
pub(crate) mod identity;
pub(crate) mod resource_graph;
pub(crate) mod role_assignment;
pub(crate) mod role_definition;
pub(crate) mod service_principal;
pub(crate) mod signin;

use super::detect::Format;
use super::flat::Span;
use super::raw::{Ctx, Outcome, direct};

/// A reader's entry for a framed record's whole text (it says why a record is set aside).
type Framed = fn(&str, &mut Ctx<'_>) -> Outcome;
/// A reader's entry for the stream from a record's `{` to the end of the chunk: the outcome and what the record spans,
/// or `None` to leave the record to the framer and the reader's [`Framed`] entry.
type Direct = fn(&str, &mut Ctx<'_>) -> Option<(Outcome, Span)>;

/// The reader of a format's records, `None` for the foreign exports recognised but not read yet. Role assignments,
/// the bulk of a tenant, are read in one pass by the reader of flat records ([`crate::ingest::flat`]), every other
/// export by serde reading the first object of the stream ([`crate::ingest::raw::direct`]).
fn reader(format: Format) -> Option<(Framed, Direct)> {
    use crate::model::{DirectoryGrantKind as Grant, DirectoryPrincipalKind as Principal};
    // A module's two entries: its `read`, and serde reading the first object of the stream into its `Record` for
    // its `apply`; for the modules that read several kinds of record, with the kind given.
    macro_rules! by_serde {
        ($module:ident) => {
            (
                $module::read as Framed,
                (|t: &str, c: &mut Ctx<'_>| direct(t, c, $module::apply)) as Direct,
            )
        };
        ($module:ident, $kind:expr) => {
            (
                (|t: &str, c: &mut Ctx<'_>| $module::read($kind, t, c)) as Framed,
                (|t: &str, c: &mut Ctx<'_>| direct(t, c, |r, c| $module::apply($kind, r, c)))
                    as Direct,
            )
        };
    }
    Some(match format {
        Format::RoleAssignments | Format::PowerShellRoleAssignments => {
            (role_assignment::read, role_assignment::read_direct)
        }
        Format::Resources => (resource_graph::read, resource_graph::read_direct),
        Format::UserAssignedIdentities => by_serde!(identity),
        Format::RoleDefinitions => by_serde!(role_definition),
        Format::ServicePrincipals | Format::AadGraphServicePrincipals => {
            by_serde!(service_principal)
        }
        Format::Applications | Format::AadGraphApplications => by_serde!(application),
        Format::FederatedCredentials => by_serde!(federated),
        Format::SignInActivity => by_serde!(signin),
        Format::CredentialSignInActivity => by_serde!(credential_signin),
        Format::ActivityLog => by_serde!(activity_log),
        Format::DirectoryRoleAssignments => by_serde!(directory, Grant::DirectoryRole),
        Format::AppRoleAssignments => by_serde!(directory, Grant::AppRole),
        Format::Users => by_serde!(directory_object, Principal::User),
        Format::Groups => by_serde!(directory_object, Principal::Group),
        Format::Foreign(_) => return None,
    })
}

/// Read one framed record of a file whose format is `format`.
pub(crate) fn read(format: Format, text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    match (reader(format), format) {
        (Some((framed, _)), _) => framed(text, ctx),
        (None, Format::Foreign(id)) => {
            Outcome::SetAside(format!("{id} exports are recognised but not read yet"))
        }
        (None, _) => Outcome::SetAside("not a record of a recognised export".into()),
    }
}

/// Read the record at the start of `text` (the stream from its `{` to the end of the chunk) in one pass: the outcome
/// and what the record spans, or `None` to leave it to the framer and [`read`], which say what is wrong with it.
pub(crate) fn read_direct(
    format: Format,
    text: &str,
    ctx: &mut Ctx<'_>,
) -> Option<(Outcome, Span)> {
    (reader(format)?.1)(text, ctx)
}
