//! The Entra directory roles and Microsoft Graph application permissions that NHI-P-004 names (CONTROLS.md §8.1),
//! with their public ids, and how a directory grant is classified (CONTROLS.md §9.2 P(role)).
//!
//! Ids are public facts, checked against:
//! - directory role template ids: Microsoft Entra built-in roles, `MicrosoftDocs/entra-docs`
//!   `docs/identity/role-based-access-control/permissions-reference.md` ("All roles" table, Template ID column);
//! - Graph app role ids: the `id`s of Microsoft Graph's `appRoles` (application permissions) as listed by Graph
//!   permission references (CISA ScubaGear `RiskyPermissions.json`, graphpermissions.merill.net), matching
//!   `learn.microsoft.com/graph/permissions-reference`.
//!
//! P(role): 1.0 for the four §9.2 names (Global Administrator, Privileged Role Administrator, Graph
//! RoleManagement.ReadWrite.Directory and AppRoleAssignment.ReadWrite.All); 0.8 for the rest of the NHI-P-004 class
//! (each is a known path to the first four: adding a credential to a privileged app, resetting an admin's
//! authentication methods, writing the directory); 0.1 for the read-only roles and permission listed here (Directory
//! Readers, Global Reader, Directory.Read.All, like Reader); other roles and permissions are assumed "other write"
//! (0.5) like an unknown Azure role, so that they are not under-rated.

use crate::ids::Guid;
use crate::model::{DirectoryGrantKind, DirectoryPrivilege};

/// The Microsoft Graph resource application id (the same in every tenant).
pub const MICROSOFT_GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// One well-known role or permission.
#[derive(Clone, Copy, Debug)]
pub struct WellKnown {
    pub id: &'static str,
    pub name: &'static str,
    pub privilege: DirectoryPrivilege,
}

/// Entra built-in directory roles of the NHI-P-004 class, by template id.
pub const DIRECTORY_ROLES: &[WellKnown] = &[
    WellKnown {
        id: "62e90394-69f5-4237-9190-012177145e10",
        name: "Global Administrator",
        privilege: DirectoryPrivilege::TenantAdmin,
    },
    WellKnown {
        id: "e8611ab8-c189-46e8-94e1-60213ab1f814",
        name: "Privileged Role Administrator",
        privilege: DirectoryPrivilege::TenantAdmin,
    },
    WellKnown {
        id: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        name: "Application Administrator",
        privilege: DirectoryPrivilege::Privileged,
    },
    WellKnown {
        id: "158c047a-c907-4556-b7ef-446551a6b5f7",
        name: "Cloud Application Administrator",
        privilege: DirectoryPrivilege::Privileged,
    },
    WellKnown {
        id: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        name: "Privileged Authentication Administrator",
        privilege: DirectoryPrivilege::Privileged,
    },
];

/// Read-only directory roles (P(role) 0.1, like Reader), by template id (same source).
pub const READ_DIRECTORY_ROLES: &[WellKnown] = &[
    WellKnown {
        id: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
        name: "Directory Readers",
        privilege: DirectoryPrivilege::Read,
    },
    WellKnown {
        id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        name: "Global Reader",
        privilege: DirectoryPrivilege::Read,
    },
];

/// Read-only Microsoft Graph application permissions (P(role) 0.1), by app role id.
pub const READ_GRAPH_APP_ROLES: &[WellKnown] = &[WellKnown {
    id: "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    name: "Directory.Read.All",
    privilege: DirectoryPrivilege::Read,
}];

/// Microsoft Graph application permissions of the NHI-P-004 class, by app role id.
pub const GRAPH_APP_ROLES: &[WellKnown] = &[
    WellKnown {
        id: "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        name: "RoleManagement.ReadWrite.Directory",
        privilege: DirectoryPrivilege::TenantAdmin,
    },
    WellKnown {
        id: "06b708a9-e830-4db3-a914-8e69da51d44f",
        name: "AppRoleAssignment.ReadWrite.All",
        privilege: DirectoryPrivilege::TenantAdmin,
    },
    WellKnown {
        id: "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        name: "Application.ReadWrite.All",
        privilege: DirectoryPrivilege::Privileged,
    },
    WellKnown {
        id: "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
        name: "Directory.ReadWrite.All",
        privilege: DirectoryPrivilege::Privileged,
    },
];

fn by_id(table: &'static [WellKnown], id: Guid) -> Option<&'static WellKnown> {
    table.iter().find(|w| Guid::parse(w.id) == Some(id))
}

fn by_name(table: &'static [WellKnown], name: &str) -> Option<&'static WellKnown> {
    let name = name.trim();
    table.iter().find(|w| w.name.eq_ignore_ascii_case(name))
}

/// A directory role by template id (or, for a custom role id, by its exported name).
#[must_use]
pub fn directory_role(id: Option<Guid>, name: Option<&str>) -> Option<&'static WellKnown> {
    id.and_then(|g| by_id(DIRECTORY_ROLES, g).or_else(|| by_id(READ_DIRECTORY_ROLES, g)))
        .or_else(|| {
            name.and_then(|n| {
                by_name(DIRECTORY_ROLES, n).or_else(|| by_name(READ_DIRECTORY_ROLES, n))
            })
        })
}

/// A Microsoft Graph application permission by app role id.
#[must_use]
pub fn graph_app_role(id: Option<Guid>) -> Option<&'static WellKnown> {
    id.and_then(|g| by_id(GRAPH_APP_ROLES, g).or_else(|| by_id(READ_GRAPH_APP_ROLES, g)))
}

/// P(role) of a classification.
#[must_use]
pub fn tier(privilege: DirectoryPrivilege) -> f32 {
    match privilege {
        DirectoryPrivilege::TenantAdmin => 1.0,
        DirectoryPrivilege::Privileged => 0.8,
        DirectoryPrivilege::Read => 0.1,
        DirectoryPrivilege::Other | DirectoryPrivilege::Unclassified => 0.5,
    }
}

/// Whether a classification is in the NHI-P-004 class.
#[must_use]
pub fn is_p004(privilege: DirectoryPrivilege) -> bool {
    matches!(
        privilege,
        DirectoryPrivilege::TenantAdmin | DirectoryPrivilege::Privileged
    )
}

/// Classify a grant: `(privilege, well-known entry)`. `graph_resource` tells whether an app role's resource is
/// Microsoft Graph (`None`: the exports do not say).
#[must_use]
pub fn classify(
    kind: DirectoryGrantKind,
    role_id: Option<Guid>,
    role_name: Option<&str>,
    graph_resource: Option<bool>,
) -> (DirectoryPrivilege, Option<&'static WellKnown>) {
    match kind {
        DirectoryGrantKind::DirectoryRole => match directory_role(role_id, role_name) {
            Some(w) => (w.privilege, Some(w)),
            None => (DirectoryPrivilege::Other, None),
        },
        DirectoryGrantKind::AppRole => match graph_resource {
            Some(true) => match graph_app_role(role_id) {
                Some(w) => (w.privilege, Some(w)),
                None => (DirectoryPrivilege::Other, None),
            },
            Some(false) => (DirectoryPrivilege::Other, None),
            None => (DirectoryPrivilege::Unclassified, None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_classify() {
        for w in DIRECTORY_ROLES.iter().chain(GRAPH_APP_ROLES) {
            assert!(Guid::parse(w.id).is_some(), "{}", w.name);
        }
        let ga = Guid::parse("62e90394-69f5-4237-9190-012177145e10");
        assert_eq!(
            classify(DirectoryGrantKind::DirectoryRole, ga, None, None).0,
            DirectoryPrivilege::TenantAdmin
        );
        assert_eq!(
            classify(
                DirectoryGrantKind::DirectoryRole,
                None,
                Some("cloud application administrator"),
                None
            )
            .0,
            DirectoryPrivilege::Privileged
        );
        let rm = Guid::parse("9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8");
        assert_eq!(
            classify(DirectoryGrantKind::AppRole, rm, None, Some(true)).0,
            DirectoryPrivilege::TenantAdmin
        );
        // The same id on another resource is not a Graph permission; on an unknown resource it is unclassified.
        assert_eq!(
            classify(DirectoryGrantKind::AppRole, rm, None, Some(false)).0,
            DirectoryPrivilege::Other
        );
        assert_eq!(
            classify(DirectoryGrantKind::AppRole, rm, None, None).0,
            DirectoryPrivilege::Unclassified
        );
    }
}
