//! Plain formatting for the pages: sizes, dates, and the words for kinds, environments, scopes and tiers. Pure
//! functions, tested natively.

use idlens_core::ids::ScopeLevel;
use idlens_core::model::{AttachmentKind, Environment, EnvironmentSource, IdentityKind};

/// `1536` → `1.5 KB`.
#[must_use]
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Seconds since the epoch as `YYYY-MM-DD` (UTC); `—` when unknown.
#[must_use]
pub fn date(unix: Option<i64>) -> String {
    unix.map_or_else(
        || "—".to_owned(),
        |u| idlens_core::time::format_rfc3339(u)[..10].to_owned(),
    )
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM UTC`; `—` when unknown.
#[must_use]
pub fn date_time(unix: Option<i64>) -> String {
    unix.map_or_else(
        || "—".to_owned(),
        |u| {
            let text = idlens_core::time::format_rfc3339(u);
            format!("{} {} UTC", &text[..10], &text[11..16])
        },
    )
}

/// `Production`, `Non-production`, `Unknown`.
#[must_use]
pub fn environment(env: Environment) -> &'static str {
    match env {
        Environment::Prod => "Production",
        Environment::NonProd => "Non-production",
        Environment::Unknown => "Unknown",
    }
}

/// `Prod`, `Non-prod`, `Unknown`: for narrow table cells.
#[must_use]
pub fn environment_short(env: Environment) -> &'static str {
    match env {
        Environment::Prod => "Prod",
        Environment::NonProd => "Non-prod",
        Environment::Unknown => "Unknown",
    }
}

/// A short name of an identity kind, for narrow table cells (the full one is its title).
#[must_use]
pub fn kind_short(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::UserAssignedManagedIdentity => "User-assigned MI",
        IdentityKind::SystemAssignedManagedIdentity => "System-assigned MI",
        IdentityKind::ManagedIdentity => "Managed identity",
        IdentityKind::ApplicationServicePrincipal => "App SP",
        IdentityKind::ApplicationRegistration => "App registration",
        IdentityKind::OtherServicePrincipal => "Other SP",
        IdentityKind::AwsRole => "AWS role",
        IdentityKind::AwsUser => "AWS user",
        IdentityKind::GcpServiceAccount => "GCP SA",
        IdentityKind::KubernetesServiceAccount => "Kubernetes SA",
    }
}

/// How the environment was decided, in words.
#[must_use]
pub fn environment_source(source: EnvironmentSource) -> &'static str {
    match source {
        EnvironmentSource::Tag => "from a tag",
        EnvironmentSource::Name => "from a name",
        EnvironmentSource::Policy => "from the policy profile",
        EnvironmentSource::None => "not decided",
    }
}

/// `Root`, `Management group`, …
#[must_use]
pub fn scope_level(level: ScopeLevel) -> &'static str {
    match level {
        ScopeLevel::Root => "Root",
        ScopeLevel::ManagementGroup => "Management group",
        ScopeLevel::Subscription => "Subscription",
        ScopeLevel::ResourceGroup => "Resource group",
        ScopeLevel::Resource => "Resource",
        ScopeLevel::Unknown => "Other scope",
    }
}

/// How a workload uses an identity, in words.
#[must_use]
pub fn attachment(kind: AttachmentKind) -> &'static str {
    match kind {
        AttachmentKind::SystemAssigned => "system-assigned",
        AttachmentKind::UserAssigned => "user-assigned",
        AttachmentKind::AksKubelet => "AKS kubelet",
    }
}

/// `Critical`, `High` … from the kebab-case id.
#[must_use]
pub fn capitalised(id: &str) -> String {
    let mut chars = id.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace('-', " ")
    })
}

/// The last path segment of a resource or scope id (its name), or the whole text.
#[must_use]
pub fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(human_bytes(0.0), "0 B");
        assert_eq!(human_bytes(1536.0), "1.5 KB");
        assert_eq!(human_bytes(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GB");
    }

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(date(Some(1_793_491_200)), "2026-11-01");
        assert_eq!(
            date_time(Some(1_793_491_200 + 3_660)),
            "2026-11-01 01:01 UTC"
        );
        assert_eq!(date(None), "—");
    }

    #[test]
    fn words() {
        assert_eq!(capitalised("non-prod"), "Non prod");
        assert_eq!(capitalised("critical"), "Critical");
        assert_eq!(last_segment("/subscriptions/s/resourceGroups/rg/"), "rg");
        assert_eq!(last_segment("/"), "/");
    }
}
