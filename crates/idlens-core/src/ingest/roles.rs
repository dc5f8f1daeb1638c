//! Privilege tiers of Azure roles (CONTROLS.md §9.2 P(role)): derived from a definition's actions when it was
//! exported, else from a table of well-known built-in roles (CONTROLS.md §11).
//!
//! Wildcard semantics: `*` matches any run of characters, case-insensitively; `notActions` subtract from `actions`
//! (they are not a deny). Tiers are decided by probing the effective permissions with representative operations.

use crate::ids::Guid;

/// Case-insensitive glob match where `*` matches any run of characters (including `/`).
#[must_use]
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.as_bytes();
    let a = action.as_bytes();
    let (mut pi, mut ai) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ai));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&a[ai]) {
            pi += 1;
            ai += 1;
        } else if let Some((sp, sa)) = star {
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Whether `action` is allowed by `allow` and not removed by `deny`.
#[must_use]
pub fn effective(allow: &[&str], deny: &[&str], action: &str) -> bool {
    allow.iter().any(|p| action_matches(p, action))
        && !deny.iter().any(|p| action_matches(p, action))
}

/// What a definition's permissions amount to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Privilege {
    pub tier: f32,
    pub can_grant_access: bool,
    pub has_wildcard: bool,
}

const GRANT_PROBES: &[&str] = &[
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/elevateAccess/action",
];
/// An operation of a provider no role names explicitly: only a cross-provider wildcard covers it.
const BROAD_WRITE_PROBE: &str = "Idlens.Probe/anything/write";
/// Data operations only a wildcard over secrets, keys, certificates or blobs covers (Owner/Officer roles).
const DATA_OWNER_PROBES: &[&str] = &[
    "Microsoft.KeyVault/vaults/secrets/idlensprobe/action",
    "Microsoft.KeyVault/vaults/keys/idlensprobe/action",
    "Microsoft.KeyVault/vaults/certificates/idlensprobe/action",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/idlensprobe/action",
];
const SECRET_READ_PROBES: &[&str] = &[
    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    "Microsoft.KeyVault/vaults/secrets/readSecret/action",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
];

/// Operations that only read, though their last segment is not `read`.
const READ_LIKE_SUFFIXES: &[&str] = &[
    "/getsecret/action",
    "/readsecret/action",
    "/readmetadata/action",
];

/// Some allowed pattern, made concrete, is a non-read operation that survives `deny`.
fn any_write(allow: &[&str], deny: &[&str]) -> bool {
    allow.iter().any(|p| {
        let lower = p.to_ascii_lowercase();
        if lower.ends_with("/read")
            || lower == "read"
            || READ_LIKE_SUFFIXES.iter().any(|s| lower.ends_with(s))
        {
            return false;
        }
        let concrete = p.replace('*', "idlensprobe");
        !deny.iter().any(|d| action_matches(d, &concrete))
    })
}

/// Derive the tier of a role from its (unioned) permissions.
#[must_use]
pub fn derive(
    actions: &[&str],
    not_actions: &[&str],
    data_actions: &[&str],
    not_data_actions: &[&str],
) -> Privilege {
    let has_wildcard = actions.iter().chain(data_actions).any(|a| a.contains('*'));
    let can_grant_access = GRANT_PROBES
        .iter()
        .any(|probe| effective(actions, not_actions, probe));
    let tier = if can_grant_access {
        1.0
    } else if effective(actions, not_actions, BROAD_WRITE_PROBE) {
        0.8
    } else if DATA_OWNER_PROBES
        .iter()
        .any(|probe| effective(data_actions, not_data_actions, probe))
    {
        0.7
    } else if any_write(actions, not_actions) || any_write(data_actions, not_data_actions) {
        0.5
    } else if SECRET_READ_PROBES
        .iter()
        .any(|probe| effective(data_actions, not_data_actions, probe))
    {
        0.4
    } else if !actions.is_empty() || !data_actions.is_empty() {
        0.1
    } else {
        0.05
    };
    Privilege {
        tier,
        can_grant_access,
        has_wildcard,
    }
}

/// A well-known built-in role.
#[derive(Clone, Copy, Debug)]
pub struct BuiltIn {
    pub guid: &'static str,
    pub name: &'static str,
    pub privilege: Privilege,
}

const fn role(
    guid: &'static str,
    name: &'static str,
    tier: f32,
    grant: bool,
    wildcard: bool,
) -> BuiltIn {
    BuiltIn {
        guid,
        name,
        privilege: Privilege {
            tier,
            can_grant_access: grant,
            has_wildcard: wildcard,
        },
    }
}

/// CONTROLS.md §11, plus a few common roles whose GUIDs are public facts.
pub const BUILT_IN: &[BuiltIn] = &[
    role(
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Owner",
        1.0,
        true,
        true,
    ),
    role(
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
        1.0,
        true,
        true,
    ),
    role(
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Role Based Access Control Administrator",
        1.0,
        true,
        false,
    ),
    role(
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Contributor",
        0.8,
        false,
        true,
    ),
    role(
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "Reader",
        0.1,
        false,
        true,
    ),
    role(
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Key Vault Administrator",
        0.7,
        false,
        true,
    ),
    role(
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Key Vault Secrets Officer",
        0.7,
        false,
        true,
    ),
    role(
        "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
        "Key Vault Crypto Officer",
        0.7,
        false,
        true,
    ),
    role(
        "a4417e6f-fecd-4de8-b567-7b0420556985",
        "Key Vault Certificates Officer",
        0.7,
        false,
        true,
    ),
    role(
        "8b54135c-b56d-4d72-a534-26097cfdc8d8",
        "Key Vault Data Access Administrator",
        1.0,
        true,
        false,
    ),
    role(
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
        0.4,
        false,
        false,
    ),
    role(
        "f25e0fa2-a7c8-4377-a976-54943a77a395",
        "Key Vault Contributor",
        0.5,
        false,
        true,
    ),
    role(
        "21090545-7ca7-4776-b22c-e363652d74d2",
        "Key Vault Reader",
        0.1,
        false,
        true,
    ),
    role(
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Storage Blob Data Reader",
        0.4,
        false,
        false,
    ),
    role(
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Storage Blob Data Contributor",
        0.5,
        false,
        false,
    ),
    role(
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "Storage Blob Data Owner",
        0.7,
        false,
        true,
    ),
    role(
        "f1a07417-d97a-45cb-824c-7a7467783830",
        "Managed Identity Operator",
        0.5,
        false,
        false,
    ),
    role(
        "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
        "Managed Identity Contributor",
        0.5,
        false,
        false,
    ),
    role(
        "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
        "Virtual Machine Contributor",
        0.5,
        false,
        true,
    ),
    role(
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        "AcrPull",
        0.1,
        false,
        false,
    ),
    role(
        "8311e382-0749-4cb8-b61a-304f252e45ec",
        "AcrPush",
        0.5,
        false,
        false,
    ),
];

/// The built-in role with this GUID.
#[must_use]
pub fn built_in_by_guid(guid: Guid) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|r| Guid::parse(r.guid) == Some(guid))
}

/// The built-in role with this name (case-insensitive).
#[must_use]
pub fn built_in_by_name(name: &str) -> Option<&'static BuiltIn> {
    BUILT_IN
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

/// Tier assumed for a role that was neither exported nor well known ("other write": not under-rated).
pub const ASSUMED_TIER: f32 = 0.5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(action_matches(
            "*",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(action_matches(
            "*/write",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(action_matches(
            "Microsoft.Authorization/*/Write",
            "microsoft.authorization/roleassignments/write"
        ));
        assert!(!action_matches(
            "*/read",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(action_matches(
            "Microsoft.Compute/*",
            "Microsoft.Compute/virtualMachines/start/action"
        ));
        assert!(!action_matches(
            "Microsoft.Compute/*",
            "Microsoft.Network/x"
        ));
        assert!(action_matches("a*b*c", "aXbYbZc"));
        assert!(!action_matches("", "a"));
        assert!(action_matches("**", ""));
    }

    fn tier(actions: &[&str], not: &[&str], data: &[&str], not_data: &[&str]) -> f32 {
        derive(actions, not, data, not_data).tier
    }

    #[test]
    fn tiers_of_well_known_definitions() {
        // Owner, UAA, RBAC Administrator.
        assert_eq!(tier(&["*"], &[], &[], &[]), 1.0);
        assert_eq!(
            tier(
                &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
                &[],
                &[],
                &[]
            ),
            1.0
        );
        assert_eq!(
            tier(
                &["Microsoft.Authorization/roleAssignments/write"],
                &[],
                &[],
                &[]
            ),
            1.0
        );
        // Contributor: notActions remove the grant but leave broad write.
        let contributor_not = [
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
        ];
        let p = derive(&["*"], &contributor_not, &[], &[]);
        assert_eq!(
            (p.tier, p.can_grant_access, p.has_wildcard),
            (0.8, false, true)
        );
        // Key Vault Secrets Officer, Storage Blob Data Owner.
        assert_eq!(
            tier(
                &["Microsoft.KeyVault/vaults/*/read"],
                &[],
                &["Microsoft.KeyVault/vaults/secrets/*"],
                &[]
            ),
            0.7
        );
        assert_eq!(
            tier(
                &[],
                &[],
                &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"],
                &[]
            ),
            0.7
        );
        // AcrPush: other write.
        assert_eq!(
            tier(
                &[
                    "Microsoft.ContainerRegistry/registries/pull/read",
                    "Microsoft.ContainerRegistry/registries/push/write"
                ],
                &[],
                &[],
                &[]
            ),
            0.5
        );
        // A write fully removed by notActions does not count.
        assert_eq!(
            tier(
                &["Microsoft.Compute/virtualMachines/write"],
                &["Microsoft.Compute/*"],
                &[],
                &[]
            ),
            0.1
        );
        // Key Vault Secrets User: secret read.
        assert_eq!(
            tier(
                &[],
                &[],
                &[
                    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                    "Microsoft.KeyVault/vaults/secrets/readMetadata/action"
                ],
                &[]
            ),
            0.4
        );
        assert_eq!(
            tier(
                &[],
                &[],
                &["Microsoft.KeyVault/vaults/secrets/getSecret/read"],
                &[]
            ),
            0.1
        );
        assert_eq!(
            tier(
                &[],
                &[],
                &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
                &[]
            ),
            0.4
        );
        // Reader, nothing.
        assert_eq!(tier(&["*/read"], &[], &[], &[]), 0.1);
        assert_eq!(tier(&[], &[], &[], &[]), 0.05);
    }

    #[test]
    fn table_lookups() {
        let owner = Guid::parse("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635").expect("guid");
        assert_eq!(built_in_by_guid(owner).map(|r| r.name), Some("Owner"));
        assert_eq!(
            built_in_by_name(" key vault secrets user ").map(|r| r.privilege.tier),
            Some(0.4)
        );
        assert!(BUILT_IN.iter().all(|r| Guid::parse(r.guid).is_some()));
    }
}
