//! Federation checks (CONTROLS.md §8.5) on federated identity credentials: NHI-F-001 over-broad subject, NHI-F-002
//! untrusted issuer or audience, NHI-F-003 federation crossing environments, NHI-F-004 dangling trust (AKS issuer
//! absent from the resource export).

use super::{Ctx, Out, View, f};
use crate::catalog::Severity;
use crate::findings::{Evidence, Refs};
use crate::ids::fold;
use crate::ingest::env::classify_text;
use crate::model::{Environment, Federation};

/// The audience Entra expects on federated tokens.
pub const AZURE_AUDIENCE: &str = "api://AzureADTokenExchange";
const TRUSTED_HOSTS: &[&str] = &[
    "token.actions.githubusercontent.com",
    "gitlab.com",
    "app.terraform.io",
];
const AKS_SUFFIX: &str = ".oic.prod-aks.azure.com";

fn fed_evidence(cx: &Ctx<'_>, fed: &Federation) -> Evidence {
    let s = |x| cx.snap.opt_str(x).unwrap_or("(none)");
    let audiences: Vec<&str> = fed.audiences.iter().map(|a| cx.snap.str(*a)).collect();
    let mut fields = vec![
        f("name", s(fed.name)),
        f("issuer", s(fed.issuer)),
        f("subject", s(fed.subject)),
    ];
    if let Some(e) = cx.snap.opt_str(fed.claims_matching_expression) {
        fields.push(f("claimsMatchingExpression", e));
    }
    fields.push(f("audiences", &audiences.join(", ")));
    cx.evidence("federated-credential", fed.provenance.first(), fields)
}

fn host_of(issuer: &str) -> &str {
    let rest = issuer.split_once("://").map_or(issuer, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or("")
}

/// Environment a federated subject names: GitHub environments and branches, Kubernetes namespaces, names.
pub(crate) fn subject_env(subject: &str) -> Environment {
    let lower = subject.to_ascii_lowercase();
    if let Some((_, env)) = lower.split_once(":environment:") {
        return classify_text(env);
    }
    if lower.ends_with(":pull_request") {
        return Environment::NonProd;
    }
    if let Some((_, branch)) = lower.split_once(":ref:refs/heads/") {
        return match branch {
            "main" | "master" => Environment::Unknown,
            b if b.starts_with("release") => Environment::Unknown,
            _ => Environment::NonProd,
        };
    }
    classify_text(&lower)
}

pub(super) fn run(out: &mut Out<'_, '_>, view: &View) {
    let cx = out.cx;
    let feds: Vec<(u32, &Federation)> = view
        .federations(cx)
        .filter_map(|x| cx.snap.federations.get(x as usize).map(|fed| (x, fed)))
        .collect();
    let any = !feds.is_empty();
    let identity_prod = cx.identity_env.get(view.ix as usize) == Some(&Environment::Prod)
        || view
            .grants(cx)
            .any(|g| cx.grant_env(g) == Environment::Prod);
    let one = |x: u32| Refs {
        federations: vec![x],
        ..Refs::default()
    };

    // NHI-F-001
    if out.applies("NHI-F-001", any) {
        for &(x, fed) in &feds {
            if view.pinned_federations.contains(&x) {
                continue;
            }
            let subject = cx.snap.opt_str(fed.subject).unwrap_or("");
            let expression = cx
                .snap
                .opt_str(fed.claims_matching_expression)
                .unwrap_or("");
            let lower = subject.to_ascii_lowercase();
            let verdict = if expression.contains('*') {
                Some((
                    Severity::Critical,
                    format!("flexible expression with a wildcard: {expression}"),
                ))
            } else if subject.contains('*') {
                Some((
                    Severity::Critical,
                    format!("subject with a wildcard: {subject}"),
                ))
            } else if lower.ends_with(":pull_request") {
                Some((
                    Severity::High,
                    format!("subject trusts pull requests: {subject}"),
                ))
            } else if identity_prod
                && subject_env(subject) == Environment::NonProd
                && lower.contains(":ref:refs/heads/")
            {
                Some((
                    Severity::High,
                    format!("production identity trusts a non-main branch: {subject}"),
                ))
            } else {
                None
            };
            if let Some((severity, message)) = verdict {
                out.push(
                    "NHI-F-001",
                    severity,
                    message,
                    vec![fed_evidence(cx, fed)],
                    one(x),
                );
            }
        }
    }

    // NHI-F-002
    if out.applies("NHI-F-002", any) {
        let home = cx.home_tenant.map(|t| t.to_string());
        for &(x, fed) in &feds {
            let issuer = cx.snap.opt_str(fed.issuer).unwrap_or("").trim();
            let host = host_of(issuer).to_ascii_lowercase();
            let https = issuer.to_ascii_lowercase().starts_with("https://");
            let own_entra = home.as_deref().is_some_and(|t| {
                (host == "login.microsoftonline.com" || host == "sts.windows.net")
                    && fold(issuer).contains(t)
            });
            let listed = TRUSTED_HOSTS.contains(&host.as_str())
                || host.ends_with(AKS_SUFFIX)
                || own_entra
                || cx
                    .policy
                    .trusted_issuers
                    .iter()
                    .any(|t| fold(t) == fold(issuer));
            let audiences: Vec<&str> = fed.audiences.iter().map(|a| cx.snap.str(*a)).collect();
            let audience_ok =
                audiences.len() == 1 && audiences[0].trim().eq_ignore_ascii_case(AZURE_AUDIENCE);
            let mut problems = Vec::new();
            if !https {
                problems.push(format!("issuer is not HTTPS ({issuer})"));
            } else if !listed {
                problems.push(format!("issuer not in the allowlist ({issuer})"));
            }
            if !audience_ok {
                problems.push(format!(
                    "audience is {:?}, expected [{AZURE_AUDIENCE}]",
                    audiences
                ));
            }
            if !problems.is_empty() {
                out.push(
                    "NHI-F-002",
                    Severity::High,
                    problems.join("; "),
                    vec![fed_evidence(cx, fed)],
                    one(x),
                );
            }
        }
    }

    // NHI-F-003
    if out.applies("NHI-F-003", any) {
        let mut prod = Vec::new();
        let mut non_prod = Vec::new();
        for &(x, fed) in &feds {
            if view.pinned_federations.contains(&x) {
                continue;
            }
            match subject_env(cx.snap.opt_str(fed.subject).unwrap_or("")) {
                Environment::Prod => prod.push((x, fed)),
                Environment::NonProd => non_prod.push((x, fed)),
                Environment::Unknown => {}
            }
        }
        if !non_prod.is_empty() && (identity_prod || !prod.is_empty()) {
            let involved: Vec<_> = non_prod.iter().chain(&prod).collect();
            let evidence = involved
                .iter()
                .map(|(_, fed)| fed_evidence(cx, fed))
                .collect();
            let message = if identity_prod {
                format!(
                    "production identity trusts {} non-production subject(s)",
                    non_prod.len()
                )
            } else {
                format!(
                    "trusts {} production and {} non-production subject(s)",
                    prod.len(),
                    non_prod.len()
                )
            };
            let refs = Refs {
                federations: non_prod.iter().map(|(x, _)| *x).collect(),
                ..Refs::default()
            };
            out.push("NHI-F-003", Severity::High, message, evidence, refs);
        }
    }

    // NHI-F-004
    if out.applies("NHI-F-004", any) {
        for &(x, fed) in &feds {
            let issuer = cx.snap.opt_str(fed.issuer).unwrap_or("");
            if host_of(issuer).to_ascii_lowercase().ends_with(AKS_SUFFIX)
                && !cx.aks_issuers.contains(&fold(issuer))
            {
                let message = format!("issuer cluster is not in the resource export: {issuer}");
                out.push(
                    "NHI-F-004",
                    Severity::Medium,
                    message,
                    vec![fed_evidence(cx, fed)],
                    one(x),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(subject_env("repo:o/r:environment:prod"), Environment::Prod);
        assert_eq!(
            subject_env("repo:o/r:environment:dev"),
            Environment::NonProd
        );
        assert_eq!(subject_env("repo:o/r:pull_request"), Environment::NonProd);
        assert_eq!(
            subject_env("repo:o/r:ref:refs/heads/main"),
            Environment::Unknown
        );
        assert_eq!(
            subject_env("repo:o/r:ref:refs/heads/feature/x"),
            Environment::NonProd
        );
        assert_eq!(
            subject_env("system:serviceaccount:orders:orders-api"),
            Environment::Unknown
        );
        assert_eq!(host_of("https://a.b.c/x/y"), "a.b.c");
        assert_eq!(host_of("http://h:8080/oidc"), "h");
    }
}
