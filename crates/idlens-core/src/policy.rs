//! The policy profile: the auditor's thresholds, privileged-role overrides, owner tag keys, environment rules,
//! trusted issuers and waivers, as one JSON file loaded by the viewer and passed to the CLI (`--policy FILE`).
//!
//! Every field is optional; missing ones take the documented defaults of [`Thresholds::default`] and
//! [`Policy::default`] (CONTROLS.md §8 default thresholds). Unknown fields are rejected so that a typo does not
//! silently fall back to a default.
//!
//! ```json
//! {
//!   "thresholds": { "stale_days": 60 },
//!   "role_tiers": { "Platform Operator": 0.8 },
//!   "owner_tag_keys": ["owner", "team"],
//!   "environment": { "subscriptions": { "0034d42f-e0d6-46d3-9f10-1a963b08ef15": "prod" },
//!                    "prod_name_patterns": ["*-prd-*"] },
//!   "waivers": [ { "check_id": "NHI-I-003", "identity": "sp-monitoring", "justification": "platform SP",
//!                  "approver": "ciso@contoso.com", "expires": "2027-01-31" } ]
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Environment;

/// Numeric thresholds (defaults from CONTROLS.md §8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// NHI-L-003: no sign-in for more than this many days (90).
    pub stale_days: i64,
    /// NHI-L-004: created more than this many days ago and never used (30).
    pub never_used_grace_days: i64,
    /// NHI-C-002: maximum credential lifetime in days (365).
    pub credential_max_lifetime_days: i64,
    /// NHI-C-003: rotation due after this many days (90).
    pub rotation_days: i64,
    /// NHI-C-005: expiry warning window in days (30).
    pub expiry_warning_days: i64,
    /// NHI-C-006: tolerated overlap of two credentials during rotation, in days (30).
    pub rotation_overlap_days: i64,
    /// NHI-C-007: an active credential not used for more than this many days is unused (45).
    pub unused_credential_days: i64,
    /// NHI-P-007: a write role assignment with no matching operation in the activity log for this many days is
    /// unused (90).
    pub unused_grant_days: i64,
    /// NHI-I-001: more than this many attached resources is medium (5).
    pub shared_identity_medium: usize,
    /// NHI-I-001: more than this many attached resources is high (10).
    pub shared_identity_high: usize,
    /// NHI-I-003: at least this many subscriptions is info (2).
    pub subscriptions_info: usize,
    /// NHI-I-003: at least this many subscriptions is medium (3).
    pub subscriptions_medium: usize,
    /// NHI-P-006: write access in at least this many subscriptions is medium (3).
    pub write_subscriptions_medium: usize,
    /// NHI-P-006: write access in at least this many subscriptions is high (10).
    pub write_subscriptions_high: usize,
    /// Impact at or above which severities are raised one step (0.8).
    pub high_impact: f64,
    /// A role of at least this tier is "privileged" (0.8: Contributor and above).
    pub privileged_tier: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            stale_days: 90,
            never_used_grace_days: 30,
            credential_max_lifetime_days: 365,
            rotation_days: 90,
            expiry_warning_days: 30,
            rotation_overlap_days: 30,
            unused_credential_days: 45,
            unused_grant_days: 90,
            shared_identity_medium: 5,
            shared_identity_high: 10,
            subscriptions_info: 2,
            subscriptions_medium: 3,
            write_subscriptions_medium: 3,
            write_subscriptions_high: 10,
            high_impact: 0.8,
            privileged_tier: 0.8,
        }
    }
}

/// Environment rules. Precedence: identity/resource tags (keys `tag_keys`, values `prod_values` /
/// `nonprod_values`), then the subscription map, then name patterns, then the built-in name heuristics of ingest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvironmentRules {
    /// Extra tag keys naming an environment (the built-in `env`, `environment`, `stage` always apply).
    pub tag_keys: Vec<String>,
    /// Extra tag values meaning production.
    pub prod_values: Vec<String>,
    /// Extra tag values meaning non-production.
    pub nonprod_values: Vec<String>,
    /// Subscription id (or name) → `prod` / `non-prod`.
    pub subscriptions: BTreeMap<String, Environment>,
    /// Glob patterns (`*` wildcard, case-insensitive) on identity, resource and resource-group names.
    pub prod_name_patterns: Vec<String>,
    pub nonprod_name_patterns: Vec<String>,
}

/// An accepted risk: a check on an identity (or a name pattern), with who approved it, why, and until when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// A check id (`NHI-I-003`) or `*` for every check.
    pub check_id: String,
    /// Identity display name, principal/client id or resource id, or a glob pattern (`sp-platform-*`).
    pub identity: String,
    pub justification: String,
    pub approver: String,
    /// Last day the waiver applies (YYYY-MM-DD, inclusive). Missing: never expires.
    #[serde(default)]
    pub expires: Option<String>,
}

/// The whole profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub thresholds: Thresholds,
    /// Privileged-role overrides: role name or definition GUID → tier P(role) in [0.05, 1].
    pub role_tiers: BTreeMap<String, f64>,
    /// Tag keys that name an owner (default: owner, ownerEmail, team, costCenter; case-insensitive).
    pub owner_tag_keys: Vec<String>,
    pub environment: EnvironmentRules,
    /// Extra trusted federation issuers (exact URLs, trailing `/` ignored).
    pub trusted_issuers: Vec<String>,
    /// The home tenant; default: the most common tenant id of the exported identities.
    pub home_tenant_id: Option<String>,
    pub waivers: Vec<Waiver>,
}

/// Default owner tag keys.
pub const DEFAULT_OWNER_TAG_KEYS: &[&str] = &["owner", "ownerEmail", "team", "costCenter"];

impl Policy {
    /// Parse a profile from JSON; the error says what is wrong and where.
    pub fn from_json(bytes: &[u8]) -> Result<Policy, String> {
        let policy: Policy =
            serde_json::from_slice(bytes).map_err(|e| format!("policy profile: {e}"))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Check values serde cannot: ranges and dates.
    pub fn validate(&self) -> Result<(), String> {
        for (role, tier) in &self.role_tiers {
            if !(0.05..=1.0).contains(tier) {
                return Err(format!(
                    "policy profile: role_tiers[{role:?}] = {tier} is outside 0.05..=1"
                ));
            }
        }
        let t = &self.thresholds;
        if !(0.0..=1.0).contains(&t.high_impact) || !(0.0..=1.0).contains(&t.privileged_tier) {
            return Err(
                "policy profile: high_impact and privileged_tier must be within 0..=1".into(),
            );
        }
        for (i, w) in self.waivers.iter().enumerate() {
            if w.check_id.trim().is_empty() || w.identity.trim().is_empty() {
                return Err(format!(
                    "policy profile: waiver {i} needs check_id and identity"
                ));
            }
            if w.justification.trim().is_empty() || w.approver.trim().is_empty() {
                return Err(format!(
                    "policy profile: waiver {i} needs a justification and an approver"
                ));
            }
            if let Some(e) = &w.expires
                && crate::time::parse(e).is_none()
            {
                return Err(format!(
                    "policy profile: waiver {i} expires {e:?} is not a date (YYYY-MM-DD)"
                ));
            }
        }
        Ok(())
    }

    /// The owner tag keys in force.
    #[must_use]
    pub fn owner_keys(&self) -> Vec<&str> {
        if self.owner_tag_keys.is_empty() {
            DEFAULT_OWNER_TAG_KEYS.to_vec()
        } else {
            self.owner_tag_keys.iter().map(String::as_str).collect()
        }
    }
}

/// Case-insensitive glob: `*` matches any run of characters, everything else literally.
#[must_use]
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_parse() {
        let p = Policy::from_json(b"{}").expect("empty profile");
        assert_eq!(p.thresholds.stale_days, 90);
        assert_eq!(p.owner_keys(), DEFAULT_OWNER_TAG_KEYS);
        let p = Policy::from_json(
            br#"{"thresholds":{"stale_days":60},"environment":{"subscriptions":{"s1":"prod"}},
                "waivers":[{"check_id":"NHI-I-003","identity":"sp-*","justification":"j","approver":"a","expires":"2027-01-31"}]}"#,
        )
        .expect("profile");
        assert_eq!(p.thresholds.stale_days, 60);
        assert_eq!(p.thresholds.rotation_days, 90);
        assert_eq!(
            p.environment.subscriptions.get("s1"),
            Some(&Environment::Prod)
        );
        assert!(Policy::from_json(br#"{"thresholds":{"stale_dayz":1}}"#).is_err());
        assert!(Policy::from_json(br#"{"role_tiers":{"x":2.0}}"#).is_err());
        assert!(
            Policy::from_json(br#"{"waivers":[{"check_id":"x","identity":"y","justification":"","approver":"a"}]}"#)
                .is_err()
        );
        assert!(
            Policy::from_json(
                br#"{"waivers":[{"check_id":"x","identity":"y","justification":"j","approver":"a","expires":"soon"}]}"#
            )
            .is_err()
        );
        assert!(Policy::from_json(b"not json").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match("sp-*", "SP-platform"));
        assert!(glob_match("*prod*", "id-app-prod-weu"));
        assert!(!glob_match("sp-*", "id-x"));
        assert!(glob_match("exact", "EXACT"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("", "a"));
    }
}
