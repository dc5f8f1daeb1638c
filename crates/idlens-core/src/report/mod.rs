//! The static report (issue #6): one self-contained HTML file, readable with JavaScript disabled, with no
//! external resource and a strict Content-Security-Policy (`default-src 'none'; style-src 'unsafe-inline';
//! img-src data:`; no script at all).
//!
//! Sections, in order: executive summary (tenant posture score and grade, trend against a previous snapshot, top
//! five risks in plain language, the five actions that remove the most risk), framework posture per framework
//! and control with coverage, the charts ([`crate::charts`], the viewer's), the riskiest identities, the findings
//! appendix (grouped by check: remediation once per check, then each finding with its evidence), and the inputs
//! (files, formats, record counts, set-aside records, SHA-256, policy, waivers, as-of date, Idlens version).
//!
//! Every string that comes from an export, a policy or a file name goes through [`escape::push`]. The HTML is
//! written into one `String` by small helpers (no template engine). Output is a pure function of
//! [`ReportInput`]: the only instants are the as-of date and the inputs' metadata, and every list is sorted, so the
//! same inputs and options give a byte-identical report.
//!
//! Size: the fixed part (CSS, charts, posture tables) is some tens of kB; per identity the report holds a share
//! of the findings appendix, kept compact (optional end tags omitted, evidence as `F<n> #record :line` pointing
//! at the inputs table, a message repeated from the row above shown as `″`).

pub mod escape;

use std::fmt::Write as _;

use crate::catalog::{self, Severity};
use crate::charts::{self, ChartData};
use crate::checks::Evaluation;
use crate::diff::Diff;
use crate::findings::{CheckStatus, Finding};
use crate::model::{Environment, Snapshot};
use crate::policy::Policy;
use crate::remediate::Plan;
use crate::score::{Band, IdentityScore, PostureStatus};

/// The report's Content-Security-Policy.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Section headings, in order (the browser test looks for each).
pub const SECTIONS: [(&str, &str); 6] = [
    ("summary", "Executive summary"),
    ("posture", "Framework posture"),
    ("charts", "Charts"),
    ("identities", "Top risky identities"),
    ("findings", "Findings appendix"),
    ("inputs", "Inputs"),
];

/// Evidence records listed per finding in the appendix (the exports list them all).
pub const EVIDENCE_SHOWN: usize = 2;

/// How many identities the "top risky identities" table lists.
pub const TOP_IDENTITIES: usize = 25;

/// One input file as the caller read it (the core does no I/O: the caller hashes the bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputDigest {
    /// The name the file was ingested under (matches [`crate::model::FileReport::path`]).
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub size_bytes: u64,
}

/// Everything the report shows.
pub struct ReportInput<'a> {
    pub snapshot: &'a Snapshot,
    pub evaluation: &'a Evaluation,
    pub plan: &'a Plan,
    pub policy: &'a Policy,
    /// How the policy profile was given (its file name, or "default").
    pub policy_label: String,
    /// SHA-256 of each input file (zip entries share their archive's digest).
    pub inputs: Vec<InputDigest>,
    /// The change from a previous snapshot, when one was given.
    pub trend: Option<&'a Diff>,
    /// Names, ids, tags and paths were replaced by keyed pseudonyms.
    pub pseudonymised: bool,
}

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1b1d21;--bg:#fff;--mut:#5d636e;--line:#d5d8de;--head:#f2f3f5}\
@media (prefers-color-scheme:dark){:root{--fg:#e7e9ee;--bg:#16181d;--mut:#a3a9b5;--line:#3a3f4a;--head:#22252c}}\
*{box-sizing:border-box}\
body{margin:0 auto;max-width:1100px;padding:24px;font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg)}\
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:28px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}\
h3{font-size:15px;margin:18px 0 6px}p{margin:6px 0}.mut{color:var(--mut)}\
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:12.5px}\
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word;unicode-bidi:isolate}th,.n,.nw{white-space:nowrap}.w{overflow-wrap:anywhere}\
thead th{background:var(--head)}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.kpi{display:flex;flex-wrap:wrap;gap:12px;margin:10px 0}.kpi div{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:150px}\
.kpi b{display:block;font-size:26px}.kpi span{color:var(--mut);font-size:12px}\
.sev{font-weight:600;white-space:nowrap}.s-critical{color:#b3261e}.s-high{color:#c25400}.s-medium{color:#8a6d00}.s-low{color:#2f6bc0}.s-info{color:var(--mut)}\
.na{font-style:italic;color:var(--mut)}ol li{margin:4px 0}\
.charts{display:flex;flex-wrap:wrap;gap:18px}.charts figure{margin:0;break-inside:avoid}.charts figcaption{font-weight:600;margin-bottom:4px}\
code,.mono{font-family:ui-monospace,Consolas,monospace;font-size:11.5px}\
.fx{table-layout:fixed}.fx td{overflow-wrap:anywhere}.fx th:nth-child(1){width:27%}.fx th:nth-child(3){width:16%}.fx td:nth-child(3),.fx small{font-family:ui-monospace,Consolas,monospace;font-size:11px}.fx small{display:block;color:var(--mut)}.fx th[colspan]{background:none;border-left:0;border-right:0;padding-top:8px}\
@page{margin:14mm 12mm}\
@media print{:root{--fg:#000;--bg:#fff;--mut:#444;--line:#999;--head:#e8e8e8}body{max-width:none;padding:0;font-size:11px}\
section{break-before:page}section#summary{break-before:auto}h2,h3{break-after:avoid}\
thead{display:table-header-group}tr,.kpi div,figure,svg{break-inside:avoid}table{font-size:10px}.charts{gap:10px 4%}.charts figure{flex:0 0 48%}.charts svg{width:100%}}";

/// Render the report.
#[must_use]
pub fn render(input: &ReportInput<'_>) -> String {
    let eval = input.evaluation;
    let mut w = String::with_capacity(64 * 1024 + eval.findings.len() * 160);
    w.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    let _ = write!(
        w,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    );
    w.push_str("<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    let _ = write!(
        w,
        "<meta name=\"generator\" content=\"Idlens {}\">",
        env!("CARGO_PKG_VERSION")
    );
    w.push_str("<title>Idlens report, as of ");
    text(&mut w, day(&eval.as_of));
    w.push_str("</title><style>");
    w.push_str(STYLE);
    w.push_str(charts::CSS);
    w.push_str(
        "</style></head><body>\n<header><h1>Workload identity audit</h1><p class=\"mut\">Idlens ",
    );
    text(&mut w, env!("CARGO_PKG_VERSION"));
    w.push_str(" · as of ");
    text(&mut w, day(&eval.as_of));
    let _ = write!(
        w,
        " · {} identities · {} open findings",
        eval.scores.len(),
        eval.findings.iter().filter(|f| f.open()).count()
    );
    if input.pseudonymised {
        w.push_str(" · <b>pseudonymised</b>");
    }
    w.push_str("</p></header>\n");
    summary(&mut w, input);
    posture(&mut w, eval);
    charts_section(&mut w, input);
    identities(&mut w, input);
    appendix(&mut w, input);
    inputs(&mut w, input);
    w.push_str("</body></html>\n");
    w
}

fn text(w: &mut String, s: &str) {
    escape::push(w, s);
}

fn day(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

fn section(w: &mut String, id: &str) {
    let title = SECTIONS
        .iter()
        .find(|(k, _)| *k == id)
        .map_or(id, |(_, t)| *t);
    let _ = writeln!(w, "<section id=\"{id}\"><h2>{title}</h2>");
}

fn status_label(s: PostureStatus) -> &'static str {
    match s {
        PostureStatus::Satisfied => "Satisfied",
        PostureStatus::Partial => "Partial",
        PostureStatus::NotSatisfied => "Not satisfied",
        PostureStatus::NotAssessed => "Not assessed",
    }
}

fn band_label(b: Band) -> &'static str {
    match b {
        Band::Low => "low",
        Band::Medium => "medium",
        Band::High => "high",
        Band::Critical => "critical",
    }
}

/// A letter grade for the tenant posture score.
#[must_use]
pub fn grade(score: Option<f64>) -> &'static str {
    match score {
        None => "–",
        Some(s) if s >= 90.0 => "A",
        Some(s) if s >= 80.0 => "B",
        Some(s) if s >= 70.0 => "C",
        Some(s) if s >= 60.0 => "D",
        Some(_) => "F",
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "not assessed".to_owned(), |s| format!("{s:.1}"))
}

fn kind_words(kind: &str) -> String {
    kind.replace('-', " ")
}

/// Identities by risk (descending), then name and index: the report's order for "riskiest".
fn ranked(scores: &[IdentityScore]) -> Vec<&IdentityScore> {
    let mut v: Vec<&IdentityScore> = scores.iter().collect();
    crate::order::sort_by(&mut v, |a, b| {
        b.risk
            .cmp(&a.risk)
            .then_with(|| a.identity.name.cmp(&b.identity.name))
            .then_with(|| a.identity.index.cmp(&b.identity.index))
    });
    v
}

/// The identity's most severe open finding (then the first in catalog order).
fn worst<'a>(eval: &'a Evaluation, s: &IdentityScore) -> Option<&'a Finding> {
    let mut best: Option<&Finding> = None;
    for &i in &s.findings {
        let Some(f) = eval.findings.get(i as usize) else {
            continue;
        };
        if !f.open() {
            continue;
        }
        if best.is_none_or(|b| f.severity > b.severity) {
            best = Some(f);
        }
    }
    best
}

fn summary(w: &mut String, input: &ReportInput<'_>) {
    let eval = input.evaluation;
    let t = &eval.posture.tenant;
    section(w, "summary");
    w.push_str("<div class=\"kpi\">");
    let _ = write!(
        w,
        "<div><span>Tenant posture</span><b>{}</b><span>{} · grade {} · coverage {:.0}% ({} of {} checks)</span></div>",
        score_text(t.score),
        status_label(t.status),
        grade(t.score),
        t.coverage * 100.0,
        t.checks_assessed,
        t.checks_total
    );
    let _ = write!(
        w,
        "<div><span>Identities by risk band</span><b>{}</b><span>",
        t.identities
    );
    for (i, b) in [Band::Critical, Band::High, Band::Medium, Band::Low]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            w.push_str(" · ");
        }
        let _ = write!(
            w,
            "{} {}",
            t.bands.get(&b).copied().unwrap_or(0),
            band_label(b)
        );
    }
    w.push_str("</span></div>");
    let _ = write!(
        w,
        "<div><span>Total identity risk</span><b>{}</b><span>sum of per-identity risk (0–100 each)</span></div>",
        t.total_risk
    );
    if let Some(d) = input.trend {
        let delta = d
            .tenant
            .delta()
            .map_or_else(|| "–".to_owned(), |x| format!("{x:+.1}"));
        let _ = write!(
            w,
            "<div><span>Trend since {}</span><b>{delta}</b><span>posture {} → {} · risk {} → {}</span></div>",
            escape::escape(day(&d.as_of_before)),
            score_text(d.tenant.before),
            score_text(d.tenant.after),
            d.total_risk_before,
            d.total_risk_after
        );
    }
    w.push_str("</div>\n");
    match input.trend {
        Some(d) => {
            let _ = writeln!(
                w,
                "<p><b>Trend.</b> Against the snapshot as of {}: {} identities added, {} removed; {} role assignments added, {} removed; {} new findings, {} resolved.</p>",
                escape::escape(day(&d.as_of_before)),
                d.identities_added.len(),
                d.identities_removed.len(),
                d.grants_added.len(),
                d.grants_removed.len(),
                d.findings_new.len(),
                d.findings_resolved.len()
            );
        }
        None => w.push_str("<p class=\"mut\">Trend: no previous snapshot was given.</p>\n"),
    }
    w.push_str("<h3>Top 5 risks</h3><ol>");
    let top: Vec<&IdentityScore> = ranked(&eval.scores)
        .into_iter()
        .filter(|s| s.risk > 0)
        .take(5)
        .collect();
    if top.is_empty() {
        w.push_str("<li>No identity carries risk.</li>");
    }
    for s in top {
        w.push_str("<li><b>");
        text(w, &s.identity.name);
        let _ = write!(
            w,
            "</b> ({}) scores <b>{}/100</b> ({} risk). ",
            kind_words(&s.identity.kind),
            s.risk,
            band_label(s.band)
        );
        match &s.impact.strongest {
            Some(g) => {
                w.push_str("It holds ");
                text(w, &g.role);
                w.push_str(" at ");
                text(w, &g.scope);
                if s.impact.prod_scope {
                    w.push_str(" (production)");
                }
                w.push_str(". ");
            }
            None => w.push_str("It holds no role assignment. "),
        }
        let open = s
            .findings
            .iter()
            .filter_map(|&i| eval.findings.get(i as usize))
            .filter(|f| f.open())
            .count();
        if let Some(f) = worst(eval, s) {
            let _ = write!(w, "{open} open finding(s); the most severe: <i>");
            text(w, &f.title);
            w.push_str("</i>: ");
            text(w, &f.message);
            w.push('.');
        }
        w.push_str("</li>");
    }
    w.push_str("</ol>\n<h3>The 5 actions that remove the most risk</h3>");
    let actions: Vec<_> = input
        .plan
        .actions
        .iter()
        .filter(|a| a.risk_removed > 0)
        .take(5)
        .collect();
    if actions.is_empty() {
        w.push_str("<p>No action would lower the tenant risk.</p>\n");
    } else {
        w.push_str("<table><thead><tr><th>#</th><th>Action</th><th class=\"n\">Risk removed</th><th class=\"n\">Share of tenant risk</th><th class=\"n\">Identity risk</th></tr></thead><tbody>");
        let total = input.plan.tenant_risk.max(1) as f64;
        for (i, a) in actions.iter().enumerate() {
            let _ = write!(w, "<tr><td>{}</td><td class=\"w\">", i + 1);
            text(w, &a.description);
            let _ = write!(
                w,
                "</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td class=\"n\">{} → {}</td></tr>",
                a.risk_removed,
                100.0 * f64::from(a.risk_removed) / total,
                a.risk_before,
                a.risk_after
            );
        }
        let sum: u32 = actions.iter().map(|a| a.risk_removed).sum();
        let _ = writeln!(
            w,
            "</tbody></table><p>Together these remove {sum} of {} risk points ({:.1}%).</p>",
            input.plan.tenant_risk,
            100.0 * f64::from(sum) / total
        );
    }
    w.push_str("</section>\n");
}

fn posture(w: &mut String, eval: &Evaluation) {
    section(w, "posture");
    w.push_str("<p>Score per control = severity-weighted, impact-weighted share of healthy identities over the checks mapped to it. <i>Not assessed</i> means no mapped check could run on these exports: it is never counted as a pass.</p>");
    w.push_str("<table><thead><tr><th>Framework</th><th class=\"n\">Score</th><th>Status</th><th class=\"n\">Coverage</th></tr></thead><tbody>");
    for f in &eval.posture.frameworks {
        w.push_str("<tr><td>");
        text(w, &f.name);
        let _ = write!(
            w,
            "</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{:.0}% ({} of {} controls)</td></tr>",
            score_text(f.score),
            status_label(f.status),
            f.coverage * 100.0,
            f.controls_assessed,
            f.controls_in_scope
        );
    }
    w.push_str("</tbody></table>\n");
    for f in &eval.posture.frameworks {
        w.push_str("<h3>");
        text(w, &f.name);
        w.push_str("</h3><table><thead><tr><th>Control</th><th>Title</th><th class=\"n\">Score</th><th>Status</th><th class=\"n\">Coverage</th><th>Checks</th></tr></thead><tbody>");
        for c in &f.controls {
            w.push_str("<tr><td class=\"mono nw\">");
            text(w, &c.control);
            w.push_str("</td><td>");
            text(w, &c.title);
            if c.procedural {
                w.push_str(
                    " <span class=\"mut\">(procedural: partly evidenced by inventory)</span>",
                );
            }
            let cls = if c.score.is_none() { " na" } else { "" };
            let _ = write!(
                w,
                "</td><td class=\"n{cls}\">{}</td><td class=\"nw{}\">{}</td><td class=\"n\">{:.0}%</td><td class=\"mono\">",
                score_text(c.score),
                cls,
                status_label(c.status),
                c.coverage * 100.0
            );
            text(w, &c.checks.join(" "));
            w.push_str("</td></tr>");
        }
        w.push_str("</tbody></table>\n");
    }
    let not_run: Vec<_> = eval
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::NotEvaluated)
        .collect();
    if !not_run.is_empty() {
        w.push_str("<h3>Checks not assessed</h3><table><thead><tr><th>Check</th><th>Title</th><th>Missing export</th></tr></thead><tbody>");
        for c in not_run {
            w.push_str("<tr><td class=\"mono\">");
            text(w, &c.check_id);
            w.push_str("</td><td>");
            text(w, &c.title);
            w.push_str("</td><td>");
            let missing: Vec<&str> = c.missing_exports.iter().map(AsRef::as_ref).collect();
            text(w, &missing.join("; "));
            if let Some(note) = &c.note {
                w.push(' ');
                text(w, note);
            }
            w.push_str("</td></tr>");
        }
        w.push_str("</tbody></table>\n");
    }
    w.push_str("</section>\n");
}

fn charts_section(w: &mut String, input: &ReportInput<'_>) {
    section(w, "charts");
    w.push_str("<div class=\"charts\">");
    for chart in charts::render_all(&ChartData::of(input.snapshot, input.evaluation)) {
        let _ = write!(
            w,
            "<figure id=\"chart-{}\"><figcaption>{}</figcaption>",
            chart.id, chart.title
        );
        w.push_str(&chart.svg);
        w.push_str("</figure>");
    }
    w.push_str("</div></section>\n");
}

fn env_label(e: Environment) -> &'static str {
    match e {
        Environment::Prod => "prod",
        Environment::NonProd => "non-prod",
        Environment::Unknown => "unknown",
    }
}

fn identities(w: &mut String, input: &ReportInput<'_>) {
    let eval = input.evaluation;
    section(w, "identities");
    let _ = write!(
        w,
        "<p>The {} identities with the highest risk (of {}). Risk = 100 × impact I × (0.35 + 0.65 × likelihood L), with floors for critical findings.</p>",
        TOP_IDENTITIES.min(eval.scores.len()),
        eval.scores.len()
    );
    w.push_str("<table><thead><tr><th>Identity</th><th>Kind</th><th>Env</th><th class=\"n\">Risk</th><th class=\"n\">I</th><th class=\"n\">L</th><th>Strongest grant</th><th>Most severe finding</th></tr></thead><tbody>");
    for s in ranked(&eval.scores).into_iter().take(TOP_IDENTITIES) {
        let env = s
            .identity
            .index
            .and_then(|i| input.snapshot.identities.get(i as usize))
            .map_or("unknown", |i| env_label(i.environment));
        w.push_str("<tr><td>");
        text(w, &s.identity.name);
        w.push_str("</td><td>");
        text(w, &kind_words(&s.identity.kind));
        let _ = write!(
            w,
            "</td><td class=\"nw\">{env}</td><td class=\"n\"><span class=\"sev s-{0}\">{1}</span> {0}</td><td class=\"n\">{2:.2}</td><td class=\"n\">{3:.2}</td><td class=\"w\">",
            band_label(s.band),
            s.risk,
            s.impact.value,
            s.likelihood.value
        );
        if let Some(g) = &s.impact.strongest {
            text(w, &g.role);
            w.push_str(" at ");
            text(w, &g.scope);
        } else {
            w.push_str("none");
        }
        w.push_str("</td><td>");
        if let Some(f) = worst(eval, s) {
            let _ = write!(w, "<span class=\"sev s-{0}\">{0}</span> ", f.severity.id());
            text(w, &f.title);
        }
        w.push_str("</td></tr>");
    }
    w.push_str("</tbody></table></section>\n");
}

fn appendix(w: &mut String, input: &ReportInput<'_>) {
    let eval = input.evaluation;
    section(w, "findings");
    let _ = writeln!(
        w,
        "<p>{} findings ({} open, {} waived), grouped by check. Evidence: <span class=\"mono\">F</span><i>n</i><span class=\"mono\">#</span><i>r</i> is record <i>r</i> (from 0) of input file <i>n</i> (see Inputs), at most {EVIDENCE_SHOWN} per finding (+ how many more; the JSON, CSV, SARIF and OCSF exports list all, with lines and fields); the fields are shown for critical findings. ″ repeats the finding text of the row above.</p>",
        eval.findings.len(),
        eval.findings.iter().filter(|f| f.open()).count(),
        eval.findings.iter().filter(|f| f.waived).count()
    );
    let mut by_check: Vec<Vec<&Finding>> = vec![Vec::new(); catalog::CHECKS.len() + 1];
    for f in &eval.findings {
        let k = catalog::position(&f.check_id).unwrap_or(catalog::CHECKS.len());
        if let Some(v) = by_check.get_mut(k) {
            v.push(f);
        }
    }
    for (k, mut list) in by_check.into_iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        crate::order::sort_by(&mut list, |a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.waived.cmp(&b.waived))
                .then_with(|| a.message.cmp(&b.message))
                .then_with(|| a.identity.name.cmp(&b.identity.name))
                .then_with(|| a.identity.id.cmp(&b.identity.id))
        });
        let first = list[0];
        let check = catalog::CHECKS.get(k);
        w.push_str("<h3>");
        text(w, &first.check_id);
        w.push(' ');
        text(w, &first.title);
        let _ = write!(w, " <span class=\"mut\">({})</span></h3>", list.len());
        if let Some(c) = check {
            w.push_str("<p>");
            text(w, c.why);
            w.push_str("</p>");
        }
        w.push_str("<p><b>Remediation.</b> ");
        text(w, &first.remediation);
        w.push_str("</p>");
        w.push_str("<table class=\"fx\"><thead><tr><th>Identity</th><th>Finding</th><th>Evidence</th></tr></thead><tbody>\n");
        let mut previous: Option<&str> = None;
        let mut group: Option<(Severity, bool)> = None;
        for (i, f) in list.iter().enumerate() {
            if group != Some((f.severity, f.waived)) {
                group = Some((f.severity, f.waived));
                let n = list[i..]
                    .iter()
                    .take_while(|g| g.severity == f.severity && g.waived == f.waived)
                    .count();
                let _ = writeln!(
                    w,
                    "<tr><th colspan=3 class=\"sev s-{0}\">{0}{1} ({n})",
                    f.severity.id(),
                    if f.waived { ", waived" } else { "" }
                );
                previous = None;
            }
            w.push_str("<tr><td>");
            text(w, &f.identity.name);
            w.push_str("<td>");
            if previous == Some(f.message.as_str()) {
                w.push('″');
            } else {
                text(w, &f.message);
            }
            previous = Some(&f.message);
            if let Some(note) = &f.waiver {
                w.push_str(" <i>Waiver: ");
                text(w, &note.justification);
                w.push_str(" (");
                text(w, &note.approver);
                if let Some(e) = &note.expires {
                    w.push_str(", until ");
                    text(w, e);
                }
                w.push_str(")</i>");
            }
            if let (false, Some(c)) = (f.certain, &f.caveat) {
                w.push_str(" <i>");
                text(w, c);
                w.push_str("</i>");
            }
            if let (Severity::Critical, Some(e)) = (f.severity, f.evidence.first()) {
                w.push_str("<small>");
                for (j, field) in e.fields.iter().enumerate() {
                    if j > 0 {
                        w.push(' ');
                    }
                    text(w, &field.name);
                    w.push('=');
                    text(w, &field.value);
                }
                w.push_str("</small>");
            }
            w.push_str("<td>");
            for (j, e) in f.evidence.iter().take(EVIDENCE_SHOWN).enumerate() {
                if j > 0 {
                    w.push(' ');
                }
                let _ = write!(w, "F{}#{}", e.file_index + 1, e.record);
            }
            if f.evidence.len() > EVIDENCE_SHOWN {
                let _ = write!(w, " +{}", f.evidence.len() - EVIDENCE_SHOWN);
            }
            w.push('\n');
        }
        w.push_str("</tbody></table>\n");
    }
    w.push_str("</section>\n");
}

fn inputs(w: &mut String, input: &ReportInput<'_>) {
    let snap = input.snapshot;
    section(w, "inputs");
    let _ = write!(
        w,
        "<p>As of <b>{}</b> (every time-based check used this instant). Idlens {}. Policy profile: <b>",
        escape::escape(&input.evaluation.as_of),
        env!("CARGO_PKG_VERSION")
    );
    text(w, &input.policy_label);
    w.push_str("</b>.</p>");
    w.push_str("<table><thead><tr><th>#</th><th>File</th><th>Format</th><th class=\"n\">Records</th><th class=\"n\">Ingested</th><th class=\"n\">Merged</th><th class=\"n\">Set aside</th><th class=\"n\">Bytes</th><th>SHA-256</th></tr></thead><tbody>");
    for (i, f) in snap.files.iter().enumerate() {
        let digest = input
            .inputs
            .iter()
            .find(|d| d.path == f.path || f.path.starts_with(&format!("{}!", d.path)));
        let _ = write!(w, "<tr><td>F{}</td><td class=\"w\">", i + 1);
        text(w, &f.path);
        w.push_str("</td><td>");
        text(w, &f.format);
        let _ = write!(
            w,
            "</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"mono w\">",
            f.records,
            f.ingested,
            f.merged,
            f.set_aside.len(),
            f.size_bytes
        );
        match digest {
            Some(d) => text(w, &d.sha256),
            None => w.push_str("<span class=\"na\">not given</span>"),
        }
        w.push_str("</td></tr>");
    }
    w.push_str("</tbody></table>\n");
    let aside: Vec<_> = snap
        .files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.set_aside.iter().take(50).map(move |s| (i, s)))
        .collect();
    let messages: Vec<_> = snap
        .files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.messages.iter().map(move |m| (i, m)))
        .collect();
    if aside.is_empty() && messages.is_empty() {
        w.push_str("<p>Nothing was set aside: every record was ingested or merged.</p>");
    } else {
        w.push_str("<h3>Set aside and notes</h3><table><thead><tr><th>File</th><th>Where</th><th>Reason</th></tr></thead><tbody>");
        for (i, m) in messages {
            let _ = write!(w, "<tr><td>F{}</td><td>file</td><td>", i + 1);
            text(w, m);
            w.push_str("</td></tr>");
        }
        for (i, s) in aside {
            let _ = write!(
                w,
                "<tr><td>F{}</td><td>#{} :{}</td><td>",
                i + 1,
                s.record,
                s.line
            );
            text(w, &s.reason);
            w.push_str("</td></tr>");
        }
        w.push_str("</tbody></table>");
    }
    w.push_str("<h3>Policy thresholds</h3><table><tbody>");
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&input.policy.thresholds) {
        for (k, v) in map {
            w.push_str("<tr><td>");
            text(w, &k);
            w.push_str("</td><td class=\"n\">");
            text(w, &v.to_string());
            w.push_str("</td></tr>");
        }
    }
    w.push_str("</tbody></table><h3>Waivers in force</h3>");
    if input.policy.waivers.is_empty() {
        w.push_str("<p>None.</p>");
    } else {
        w.push_str("<table><thead><tr><th>Check</th><th>Identity</th><th>Justification</th><th>Approver</th><th>Expires</th></tr></thead><tbody>");
        for wv in &input.policy.waivers {
            for (i, s) in [
                &wv.check_id,
                &wv.identity,
                &wv.justification,
                &wv.approver,
                wv.expires.as_deref().unwrap_or("never"),
            ]
            .into_iter()
            .enumerate()
            {
                w.push_str(if i == 0 { "<tr><td>" } else { "</td><td>" });
                text(w, s);
            }
            w.push_str("</td></tr>");
        }
        w.push_str("</tbody></table>");
    }
    if !input.evaluation.not_assessable.is_empty() {
        w.push_str("<h3>Not assessable from inventory exports</h3><ul>");
        for s in &input.evaluation.not_assessable {
            w.push_str("<li>");
            text(w, s);
            w.push_str("</li>");
        }
        w.push_str("</ul>");
    }
    w.push_str("</section>\n");
}

#[cfg(test)]
pub(crate) mod tests;
