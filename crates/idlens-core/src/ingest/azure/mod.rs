//! Readers for Azure and Entra exports: one module per source, each turning one record's text into a raw entity
//! with `serde_json::from_str` on a typed, borrowing struct (every field optional, unknown keys ignored). The text
//! was checked as UTF-8 once for the whole record (`raw::record_text`), so serde does not check each string again.

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
use super::raw::{Ctx, Outcome};

/// Read one record of a file whose format is `format`.
pub(crate) fn read(format: Format, text: &str, ctx: &mut Ctx<'_>) -> Outcome {
    match format {
        Format::UserAssignedIdentities => identity::read(text, ctx),
        Format::RoleAssignments | Format::PowerShellRoleAssignments => {
            role_assignment::read(text, ctx)
        }
        Format::RoleDefinitions => role_definition::read(text, ctx),
        Format::ServicePrincipals | Format::AadGraphServicePrincipals => {
            service_principal::read(text, ctx)
        }
        Format::Applications | Format::AadGraphApplications => application::read(text, ctx),
        Format::Resources => resource_graph::read(text, ctx),
        Format::FederatedCredentials => federated::read(text, ctx),
        Format::SignInActivity => signin::read(text, ctx),
        Format::DirectoryRoleAssignments => {
            directory::read(crate::model::DirectoryGrantKind::DirectoryRole, text, ctx)
        }
        Format::AppRoleAssignments => {
            directory::read(crate::model::DirectoryGrantKind::AppRole, text, ctx)
        }
        Format::CredentialSignInActivity => credential_signin::read(text, ctx),
        Format::ActivityLog => activity_log::read(text, ctx),
        Format::Users => {
            directory_object::read(crate::model::DirectoryPrincipalKind::User, text, ctx)
        }
        Format::Groups => {
            directory_object::read(crate::model::DirectoryPrincipalKind::Group, text, ctx)
        }
        Format::Foreign(id) => {
            Outcome::SetAside(format!("{id} exports are recognised but not read yet"))
        }
    }
}

/// Read the record at the start of `text` (the stream from its `{` to the end of the chunk) straight from the stream:
/// role assignments, the bulk of a tenant, by the one-pass reader of flat records ([`crate::ingest::flat`]), the
/// others by serde reading the first object ([`crate::ingest::raw::first`]). The outcome and the bytes and line breaks
/// the record spans, or `None` to leave the record to the framer and [`read`], which say what is wrong with it.
pub(crate) fn read_direct(
    format: Format,
    text: &str,
    ctx: &mut Ctx<'_>,
) -> Option<(Outcome, crate::ingest::flat::Span)> {
    let (outcome, len) = match format {
        Format::RoleAssignments | Format::PowerShellRoleAssignments => {
            return role_assignment::read_direct(text, ctx);
        }
        Format::UserAssignedIdentities => identity::read_direct(text, ctx),
        Format::RoleDefinitions => role_definition::read_direct(text, ctx),
        Format::ServicePrincipals | Format::AadGraphServicePrincipals => {
            service_principal::read_direct(text, ctx)
        }
        Format::Applications | Format::AadGraphApplications => application::read_direct(text, ctx),
        Format::Resources => resource_graph::read_direct(text, ctx),
        Format::FederatedCredentials => federated::read_direct(text, ctx),
        Format::SignInActivity => signin::read_direct(text, ctx),
        Format::DirectoryRoleAssignments => {
            directory::read_direct(crate::model::DirectoryGrantKind::DirectoryRole, text, ctx)
        }
        Format::AppRoleAssignments => {
            directory::read_direct(crate::model::DirectoryGrantKind::AppRole, text, ctx)
        }
        Format::CredentialSignInActivity => credential_signin::read_direct(text, ctx),
        Format::ActivityLog => activity_log::read_direct(text, ctx),
        Format::Users => {
            directory_object::read_direct(crate::model::DirectoryPrincipalKind::User, text, ctx)
        }
        Format::Groups => {
            directory_object::read_direct(crate::model::DirectoryPrincipalKind::Group, text, ctx)
        }
        Format::Foreign(_) => None,
    }?;
    let lines = crate::swar::count_exact(text.as_bytes().get(..len)?, b'\n');
    Some((outcome, crate::ingest::flat::Span { len, lines }))
}
