//! Credential checks (CONTROLS.md §8.4) on the user-managed secrets and certificates of apps and service
//! principals: NHI-C-001 secret present, NHI-C-002 long-lived, NHI-C-003 rotation overdue, NHI-C-004 expired still
//! present, NHI-C-005 expiring soon, NHI-C-006 several active. Managed identities' platform credentials are never
//! recorded, so they never appear here. NHI-C-007 unused credential reads the per-credential usage report
//! (`appCredentialSignInActivities`) when it was exported; NHI-C-008 names apps whose secrets an Azure resource signs
//! in with where a managed identity would do (AKS `servicePrincipalProfile`).

use super::{Ctx, DAY, Out, View, days, f, is_mi};
use crate::catalog::Severity;
use crate::findings::{Evidence, Field, Refs};
use crate::model::{Credential, CredentialActivity, CredentialHolder, CredentialKind};
use crate::time::format_rfc3339;

fn active(c: &Credential, now: i64) -> bool {
    c.start.is_none_or(|s| s <= now) && c.end.is_none_or(|e| e > now)
}

fn cred_evidence(cx: &Ctx<'_>, c: &Credential, extra: Option<Field>) -> Evidence {
    if cx.scoring_only {
        return cx.evidence("credential", None, Vec::new());
    }
    // Room for every field below at once.
    let mut fields = Vec::with_capacity(7);
    fields.extend([
        f(
            "type",
            match c.kind {
                CredentialKind::Secret => "passwordCredential",
                CredentialKind::Certificate => "keyCredential",
            },
        ),
        f(
            "holder",
            match c.holder {
                CredentialHolder::Application => "application",
                CredentialHolder::ServicePrincipal => "servicePrincipal",
            },
        ),
        f(
            "startDateTime",
            &c.start
                .map(format_rfc3339)
                .unwrap_or_else(|| "(none)".into()),
        ),
        f(
            "endDateTime",
            &c.end.map(format_rfc3339).unwrap_or_else(|| "(none)".into()),
        ),
    ]);
    if let Some(k) = c.key_id {
        fields.push(Field {
            name: "keyId".into(),
            value: k.to_string(),
        });
    }
    if let Some(n) = cx.snap.opt_str(c.display_name) {
        fields.push(f("displayName", n));
    }
    fields.extend(extra);
    cx.evidence("credential", c.provenance.first(), fields)
}

pub(super) fn run(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let Some(id) = cx.identity(view.ix) else {
        return;
    };
    let app = !is_mi(id.kind);
    let now = cx.as_of;
    let t = &cx.policy.thresholds;
    let creds: Vec<(u32, &Credential)> = view
        .credentials(cx)
        .filter_map(|c| cx.snap.credentials.get(c as usize).map(|x| (c, x)))
        .collect();
    let live: Vec<(u32, &Credential)> = creds
        .iter()
        .copied()
        .filter(|(_, c)| active(c, now))
        .collect();
    let refs_of = |list: &[(u32, &Credential)]| Refs {
        credentials: list.iter().map(|(i, _)| *i).collect(),
        ..Refs::default()
    };

    // NHI-C-001
    if out.applies("NHI-C-001", app) {
        let secrets: Vec<_> = live
            .iter()
            .copied()
            .filter(|(_, c)| c.kind == CredentialKind::Secret)
            .collect();
        if !secrets.is_empty() {
            let evidence = secrets
                .iter()
                .map(|(_, c)| cred_evidence(cx, c, None))
                .collect();
            let message = format!("{} active client secret(s)", secrets.len());
            out.push(
                "NHI-C-001",
                Severity::Medium,
                message,
                evidence,
                refs_of(&secrets),
            );
        }
    }

    // NHI-C-002
    if out.applies("NHI-C-002", app && !live.is_empty()) {
        let max = t.credential_max_lifetime_days;
        let long: Vec<_> = live
            .iter()
            .copied()
            .filter(|(_, c)| match (c.start, c.end) {
                (_, None) => true,
                (Some(s), Some(e)) => e - s > max * DAY,
                (None, Some(e)) => e - now > max * DAY,
            })
            .collect();
        if !long.is_empty() {
            let evidence = long
                .iter()
                .map(|(_, c)| {
                    let lifetime = match (c.start, c.end) {
                        (Some(s), Some(e)) => format!("{} days", days(e - s)),
                        (_, None) => "no expiry".to_owned(),
                        (None, Some(e)) => format!("at least {} days", days(e - now)),
                    };
                    cred_evidence(cx, c, Some(f("lifetime", &lifetime)))
                })
                .collect();
            let longest = long
                .iter()
                .map(|(_, c)| match (c.start, c.end) {
                    (Some(s), Some(e)) => days(e - s),
                    _ => i64::MAX,
                })
                .max()
                .unwrap_or(0);
            let message = if longest == i64::MAX {
                format!(
                    "{} credential(s) longer than {max} days or without expiry",
                    long.len()
                )
            } else {
                format!(
                    "{} credential(s) valid for up to {longest} days (maximum {max})",
                    long.len()
                )
            };
            out.push(
                "NHI-C-002",
                Severity::High,
                message,
                evidence,
                refs_of(&long),
            );
        }
    }

    // NHI-C-003
    if out.applies("NHI-C-003", app && !live.is_empty()) {
        let due = t.rotation_days;
        let old: Vec<_> = live
            .iter()
            .copied()
            .filter(|(_, c)| c.start.is_some_and(|s| now - s > due * DAY))
            .collect();
        if !old.is_empty() {
            let oldest = old
                .iter()
                .filter_map(|(_, c)| c.start)
                .min()
                .map_or(0, |s| days(now - s));
            let evidence = old
                .iter()
                .map(|(_, c)| {
                    let age = c.start.map_or(0, |s| days(now - s));
                    cred_evidence(cx, c, Some(f("ageDays", &age.to_string())))
                })
                .collect();
            let message = format!(
                "{} active credential(s) not rotated for up to {oldest} days (rotate every {due})",
                old.len()
            );
            out.push(
                "NHI-C-003",
                Severity::Medium,
                message,
                evidence,
                refs_of(&old),
            );
        }
    }

    // NHI-C-004
    if out.applies("NHI-C-004", app && !creds.is_empty()) {
        let expired: Vec<_> = creds
            .iter()
            .copied()
            .filter(|(_, c)| c.end.is_some_and(|e| e <= now))
            .collect();
        if !expired.is_empty() {
            let abandoned = live.is_empty() && view.grants(cx).next().is_some();
            let severity = if abandoned {
                Severity::Medium
            } else {
                Severity::Low
            };
            let evidence = expired
                .iter()
                .map(|(_, c)| cred_evidence(cx, c, None))
                .collect();
            let message = if abandoned {
                format!(
                    "all {} credential(s) expired while the identity still holds roles",
                    expired.len()
                )
            } else {
                format!("{} expired credential(s) still registered", expired.len())
            };
            out.push("NHI-C-004", severity, message, evidence, refs_of(&expired));
        }
    }

    // NHI-C-005
    if out.applies("NHI-C-005", app && !live.is_empty()) {
        let window = t.expiry_warning_days;
        let soon: Vec<_> = live
            .iter()
            .copied()
            .filter(|(_, c)| c.end.is_some_and(|e| e - now <= window * DAY))
            .collect();
        if !soon.is_empty() {
            let first = soon
                .iter()
                .filter_map(|(_, c)| c.end)
                .min()
                .map_or(0, |e| days(e - now));
            let evidence = soon
                .iter()
                .map(|(_, c)| cred_evidence(cx, c, None))
                .collect();
            let message = format!(
                "{} credential(s) expire within {window} days (first in {first} days)",
                soon.len()
            );
            out.push(
                "NHI-C-005",
                Severity::Info,
                message,
                evidence,
                refs_of(&soon),
            );
        }
    }

    // NHI-C-006
    if out.applies("NHI-C-006", app && !live.is_empty()) && live.len() > 1 {
        let tolerated = live.len() == 2 && {
            let (a, b) = (live[0].1, live[1].1);
            let later_start = a.start.max(b.start).unwrap_or(i64::MIN);
            let earlier_end = match (a.end, b.end) {
                (Some(x), Some(y)) => x.min(y),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => i64::MAX,
            };
            earlier_end.saturating_sub(later_start) <= t.rotation_overlap_days * DAY
        };
        if !tolerated {
            let severity = if live.len() >= 3 {
                Severity::Medium
            } else {
                Severity::Low
            };
            let evidence = live
                .iter()
                .map(|(_, c)| cred_evidence(cx, c, None))
                .collect();
            let message = format!("{} active static credentials", live.len());
            out.push("NHI-C-006", severity, message, evidence, refs_of(&live));
        }
    }

    unused(out, view);
    consumed_by_azure(out, view);
}

/// Evidence from the credential sign-in report: the record, its `keyId` and `lastSignInDateTime`.
fn usage_evidence(cx: &Ctx<'_>, a: &CredentialActivity) -> Evidence {
    let mut fields = vec![
        Field {
            name: "keyId".into(),
            value: a.key_id.to_string(),
        },
        f(
            "lastSignInDateTime",
            &a.last_sign_in
                .map(format_rfc3339)
                .unwrap_or_else(|| "null".into()),
        ),
    ];
    if let Some(last) = a.last_sign_in {
        fields.push(f("daysSinceLastSignIn", &days(cx.as_of - last).to_string()));
    }
    if let Some(origin) = a.origin {
        fields.push(f(
            "credentialOrigin",
            match origin {
                CredentialHolder::Application => "application",
                CredentialHolder::ServicePrincipal => "servicePrincipal",
            },
        ));
    }
    cx.evidence("credential-sign-in-activity", a.provenance.first(), fields)
}

/// NHI-C-007: active credentials with no use within `unused_credential_days` (never used counts once the
/// credential is older than that). A credential the report does not list at all is flagged too, but the finding is
/// then uncertain unless a listed credential also qualifies.
pub(super) fn unused(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let Some(id) = cx.identity(view.ix) else {
        return;
    };
    let now = cx.as_of;
    let limit = cx.policy.thresholds.unused_credential_days;
    let live: Vec<(u32, &Credential)> = view
        .credentials(cx)
        .filter_map(|c| cx.snap.credentials.get(c as usize).map(|x| (c, x)))
        .filter(|(_, c)| active(c, now))
        .collect();
    if !out.applies("NHI-C-007", !is_mi(id.kind) && !live.is_empty()) {
        return;
    }
    let old_enough = |c: &Credential| c.start.is_none_or(|s| now - s > limit * DAY);
    let mut stale = Vec::new();
    let mut never = Vec::new();
    let mut unlisted = Vec::new();
    for &(i, c) in &live {
        match cx.snap.credential_activity_of(c) {
            Some(a) => match a.last_sign_in {
                Some(last) if now - last > limit * DAY => stale.push((i, c, a, last)),
                Some(_) => {}
                None if old_enough(c) => never.push((i, c, a)),
                None => {}
            },
            None if old_enough(c) => unlisted.push((i, c)),
            None => {}
        }
    }
    if stale.is_empty() && never.is_empty() && unlisted.is_empty() {
        return;
    }
    let mut evidence = Vec::new();
    let mut refs = Refs::default();
    let mut parts = Vec::new();
    if !stale.is_empty() {
        let oldest = stale.iter().map(|s| s.3).min().map_or(0, |l| days(now - l));
        parts.push(format!(
            "{} not used for more than {limit} days (last use up to {oldest} days ago)",
            stale.len()
        ));
    }
    if !never.is_empty() {
        parts.push(format!("{} never used", never.len()));
    }
    if !unlisted.is_empty() {
        parts.push(format!(
            "{} absent from the credential sign-in report",
            unlisted.len()
        ));
    }
    for (i, c, a, _) in &stale {
        evidence.push(usage_evidence(cx, a));
        evidence.push(cred_evidence(cx, c, None));
        refs.credentials.push(*i);
    }
    for (i, c, a) in &never {
        evidence.push(usage_evidence(cx, a));
        evidence.push(cred_evidence(cx, c, None));
        refs.credentials.push(*i);
    }
    for (i, c) in &unlisted {
        evidence.push(cred_evidence(
            cx,
            c,
            Some(f("credentialSignInActivity", "absent from the report")),
        ));
        refs.credentials.push(*i);
    }
    let message = format!("active credential(s): {}", parts.join("; "));
    let only_unlisted = stale.is_empty() && never.is_empty();
    out.push("NHI-C-007", Severity::Medium, message, evidence, refs);
    if only_unlisted {
        out.uncertain(
            "the credential has no record in the credential sign-in report (`appCredentialSignInActivities`): the \
             report may leave out credentials without recent use, or the export was filtered or is one page of \
             several; confirm before deleting",
        );
    }
}

/// NHI-C-008: an app registration with an active secret or certificate that an Azure resource signs in as (AKS
/// `servicePrincipalProfile.clientId`), where the resource could use a managed identity instead.
pub(super) fn consumed_by_azure(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let Some(id) = cx.identity(view.ix) else {
        return;
    };
    let consumers = id
        .client_id
        .and_then(|c| cx.app_consumers.get(&c))
        .map_or(&[][..], Vec::as_slice);
    if consumers.is_empty() {
        return;
    }
    let live: Vec<(u32, &Credential)> = view
        .credentials(cx)
        .filter_map(|c| cx.snap.credentials.get(c as usize).map(|x| (c, x)))
        .filter(|(_, c)| active(c, cx.as_of))
        .collect();
    if !out.applies("NHI-C-008", !is_mi(id.kind) && !live.is_empty()) {
        return;
    }
    let mut evidence = Vec::new();
    let mut names = Vec::new();
    for &w in consumers {
        let Some(workload) = cx.snap.workloads.get(w as usize) else {
            continue;
        };
        let name = cx
            .snap
            .opt_str(workload.name)
            .unwrap_or_else(|| cx.snap.str(workload.id));
        names.push(name.to_owned());
        let client = id.client_id.map(|c| c.to_string()).unwrap_or_default();
        evidence.push(cx.evidence(
            "resource",
            workload.provenance.first(),
            vec![
                f("id", cx.snap.str(workload.id)),
                f(
                    "type",
                    cx.snap.opt_str(workload.resource_type).unwrap_or(""),
                ),
                f("properties.servicePrincipalProfile.clientId", &client),
            ],
        ));
    }
    let mut refs = Refs::default();
    for &(i, c) in &live {
        evidence.push(cred_evidence(cx, c, None));
        refs.credentials.push(i);
    }
    let message = format!(
        "{} active secret(s)/certificate(s) used by {} that could sign in with a managed identity: {}",
        live.len(),
        if names.len() == 1 {
            "an Azure resource".to_owned()
        } else {
            format!("{} Azure resources", names.len())
        },
        names.join(", ")
    );
    out.push("NHI-C-008", Severity::Medium, message, evidence, refs);
}
