//! Charts as inline SVG strings, shared by the static report and the viewer's dashboard.
//!
//! [`ChartData::of`] bins a snapshot and its evaluation into small, fixed-size series (so every chart stays far
//! below ~2k SVG elements whatever the tenant's size); [`render_all`] draws them. Each SVG carries `role="img"`,
//! an `aria-label` and a `<title>` with a text alternative that states the numbers. Colours come from CSS classes
//! (`c-crit`, `c-high` …, see [`CSS`]) so one stylesheet serves light, dark and print; text uses `currentColor`.
//! Every label is escaped: labels may come from exports (framework names are static, but callers may pass any
//! text).
//!
//! Pure and deterministic: no clock (the as-of instant comes from the evaluation), fixed bins, sorted input.

use std::fmt::Write as _;

use crate::catalog::Severity;
use crate::checks::Evaluation;
use crate::ids::ScopeLevel;
use crate::model::{GrantPrincipal, Snapshot};

/// Styles for the chart classes. Mid-tone fills read on white, on dark backgrounds and in greyscale print (the
/// bars also carry their value as text).
pub const CSS: &str = ".chart{max-width:100%;height:auto;font:11px system-ui,sans-serif;color:inherit}\
.chart text{fill:currentColor}.chart .axis{stroke:currentColor;stroke-opacity:.4}\
.c-crit{fill:#b3261e}.c-high{fill:#e8710a}.c-med{fill:#c9a100}.c-low{fill:#3b7dd8}.c-info{fill:#8a8f98}\
.c-ok{fill:#2e8540}.c-na{fill:#8a8f98;fill-opacity:.35}.c-prev{fill:#8a8f98}.c-bar{fill:#3b7dd8}.c-sec{fill:#e8710a}.c-cert{fill:#3b7dd8}\
.heat0{fill:#8a8f98;fill-opacity:.08}.heat{fill:#b3261e}";

/// One labelled value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    /// `None` draws a "not assessed" placeholder.
    pub value: Option<f64>,
    /// CSS class of the fill.
    pub class: &'static str,
}

/// Everything the six charts show, already binned.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// Posture score per framework (0–100, `None` = not assessed).
    pub posture: Vec<Bar>,
    /// Open findings per severity, critical first.
    pub severity: Vec<Bar>,
    /// Identities per risk decile: 0–9, 10–19 … 90–100.
    pub risk: [u64; 10],
    /// Grants to workload identities: rows = role tier bins ([`TIER_ROWS`]), columns = scope levels
    /// ([`SCOPE_COLUMNS`]).
    pub heat: [[u64; 5]; 6],
    /// Identities per days since last sign-in ([`STALE_BINS`]).
    pub staleness: [u64; 6],
    /// Credentials per expiry bin ([`EXPIRY_BINS`]): (secrets, certificates).
    pub expiry: [(u64, u64); 7],
}

/// Row labels of the privilege heat map, strongest first.
pub const TIER_ROWS: [&str; 6] = [
    "Owner-level (1.0)",
    "Contributor (0.8)",
    "Data owner (0.7)",
    "Other write (0.5)",
    "Secret read (0.4)",
    "Reader (≤0.1)",
];
/// Column labels of the privilege heat map, widest first.
pub const SCOPE_COLUMNS: [&str; 5] = [
    "Root",
    "Mgmt group",
    "Subscription",
    "Resource group",
    "Resource",
];
/// Bins of the staleness histogram.
pub const STALE_BINS: [&str; 6] = [
    "≤30 d",
    "31–90 d",
    "91–180 d",
    "181–365 d",
    ">365 d",
    "never / unknown",
];
/// Bins of the credential expiry timeline (relative to the as-of date).
pub const EXPIRY_BINS: [&str; 7] = [
    "expired >1 y",
    "expired ≤1 y",
    "≤30 d",
    "31–90 d",
    "91–365 d",
    "1–2 y",
    ">2 y / none",
];

fn tier_row(tier: f32) -> usize {
    match tier {
        t if t >= 0.95 => 0,
        t if t >= 0.75 => 1,
        t if t >= 0.65 => 2,
        t if t >= 0.45 => 3,
        t if t >= 0.35 => 4,
        _ => 5,
    }
}

fn scope_col(level: ScopeLevel) -> usize {
    match level {
        ScopeLevel::Root => 0,
        ScopeLevel::ManagementGroup => 1,
        ScopeLevel::Subscription => 2,
        ScopeLevel::ResourceGroup => 3,
        ScopeLevel::Resource | ScopeLevel::Unknown => 4,
    }
}

/// CSS class of a severity.
#[must_use]
pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "c-crit",
        Severity::High => "c-high",
        Severity::Medium => "c-med",
        Severity::Low => "c-low",
        Severity::Info => "c-info",
    }
}

const DAY: i64 = 86_400;

impl ChartData {
    /// Bin a snapshot and its evaluation.
    #[must_use]
    pub fn of(snap: &Snapshot, eval: &Evaluation) -> ChartData {
        let posture = eval
            .posture
            .frameworks
            .iter()
            .map(|f| Bar {
                label: f.name.clone(),
                value: f.score,
                class: match f.score {
                    Some(s) if s >= 90.0 => "c-ok",
                    Some(s) if s >= 70.0 => "c-med",
                    Some(_) => "c-crit",
                    None => "c-na",
                },
            })
            .collect();
        let severity = Severity::ALL
            .iter()
            .rev()
            .map(|&s| Bar {
                label: s.id().to_owned(),
                value: Some(
                    eval.findings
                        .iter()
                        .filter(|f| f.open() && f.severity == s)
                        .count() as f64,
                ),
                class: severity_class(s),
            })
            .collect();
        let mut risk = [0u64; 10];
        for s in &eval.scores {
            risk[usize::from(s.risk / 10).min(9)] += 1;
        }
        let mut heat = [[0u64; 5]; 6];
        for g in &snap.grants {
            if let GrantPrincipal::Identity(_) = g.principal {
                heat[tier_row(g.tier)][scope_col(g.scope_level)] += 1;
            }
        }
        let as_of = eval.as_of_unix;
        let mut staleness = [0u64; 6];
        for identity in &snap.identities {
            let last = identity
                .activity
                .and_then(|a| snap.activity.get(a as usize))
                .and_then(|a| a.last_sign_in);
            let bin = match last {
                None => 5,
                Some(t) => match (as_of - t).max(0) / DAY {
                    0..=30 => 0,
                    31..=90 => 1,
                    91..=180 => 2,
                    181..=365 => 3,
                    _ => 4,
                },
            };
            staleness[bin] += 1;
        }
        let mut expiry = [(0u64, 0u64); 7];
        for c in &snap.credentials {
            let bin = match c.end {
                None => 6,
                Some(end) => {
                    let days = (end - as_of).div_euclid(DAY);
                    match days {
                        d if d < -365 => 0,
                        d if d < 0 => 1,
                        0..=30 => 2,
                        31..=90 => 3,
                        91..=365 => 4,
                        366..=730 => 5,
                        _ => 6,
                    }
                }
            };
            match c.kind {
                crate::model::CredentialKind::Secret => expiry[bin].0 += 1,
                crate::model::CredentialKind::Certificate => expiry[bin].1 += 1,
            }
        }
        ChartData {
            posture,
            severity,
            risk,
            heat,
            staleness,
            expiry,
        }
    }
}

/// One rendered chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Stable id (`posture`, `severity`, `risk`, `privilege`, `staleness`, `expiry`).
    pub id: &'static str,
    pub title: &'static str,
    pub svg: String,
}

/// Draw the six charts, in a fixed order.
#[must_use]
pub fn render_all(data: &ChartData) -> Vec<Chart> {
    let risk: Vec<Bar> = data
        .risk
        .iter()
        .enumerate()
        .map(|(i, &n)| Bar {
            label: if i == 9 {
                "90–100".to_owned()
            } else {
                format!("{}–{}", i * 10, i * 10 + 9)
            },
            value: Some(n as f64),
            class: match i {
                0..=3 => "c-low",
                4..=6 => "c-med",
                7 => "c-high",
                _ => "c-crit",
            },
        })
        .collect();
    let stale: Vec<Bar> = data
        .staleness
        .iter()
        .zip(STALE_BINS)
        .map(|(&n, label)| Bar {
            label: label.to_owned(),
            value: Some(n as f64),
            class: "c-bar",
        })
        .collect();
    vec![
        Chart {
            id: "posture",
            title: "Posture per framework",
            svg: hbars(
                "Posture per framework (score out of 100)",
                &data.posture,
                Some(100.0),
                230,
            ),
        },
        Chart {
            id: "severity",
            title: "Open findings by severity",
            svg: hbars("Open findings by severity", &data.severity, None, 80),
        },
        Chart {
            id: "risk",
            title: "Identity risk distribution",
            svg: columns("Identities per risk score (0–100)", &risk),
        },
        Chart {
            id: "privilege",
            title: "Privilege: role tier × scope",
            svg: heatmap(
                "Role assignments of workload identities by role tier and scope",
                &TIER_ROWS,
                &SCOPE_COLUMNS,
                &data.heat,
            ),
        },
        Chart {
            id: "staleness",
            title: "Days since last sign-in",
            svg: columns("Identities by days since last sign-in", &stale),
        },
        Chart {
            id: "expiry",
            title: "Credential expiry",
            svg: stacked(
                "Secrets and certificates by expiry, relative to the as-of date",
                &data.expiry,
            ),
        },
    ]
}

/// Escape text for SVG/HTML content and attribute values.
fn esc(out: &mut String, s: &str) {
    crate::report::escape::push(out, s);
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

fn open(out: &mut String, w: u32, h: u32, label: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\""
    );
    esc(out, label);
    out.push_str("\"><title>");
    esc(out, label);
    out.push_str("</title>");
}

fn alt_text(title: &str, bars: &[Bar]) -> String {
    let mut s = String::from(title);
    s.push_str(": ");
    for (i, b) in bars.iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        s.push_str(&b.label);
        s.push(' ');
        match b.value {
            Some(v) => s.push_str(&fmt_num(v)),
            None => s.push_str("not assessed"),
        }
    }
    s
}

/// Horizontal bars with the label on the left and the value at the bar's end.
#[must_use]
pub fn hbars(title: &str, bars: &[Bar], max: Option<f64>, label_w: u32) -> String {
    let row = 20u32;
    let w = label_w + 300;
    let h = row * bars.len() as u32 + 8;
    let max = max
        .unwrap_or_else(|| bars.iter().filter_map(|b| b.value).fold(0.0, f64::max))
        .max(1.0);
    let mut out = String::new();
    open(&mut out, w, h, &alt_text(title, bars));
    for (i, b) in bars.iter().enumerate() {
        let y = 4 + row * i as u32;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">",
            label_w - 6,
            y + 14
        );
        esc(&mut out, &b.label);
        out.push_str("</text>");
        match b.value {
            Some(v) => {
                let len = ((v.max(0.0) / max) * 240.0).round() as u32;
                let _ = write!(
                    out,
                    "<rect class=\"{}\" x=\"{label_w}\" y=\"{}\" width=\"{len}\" height=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
                    b.class,
                    y + 2,
                    row - 6,
                    label_w + len + 4,
                    y + 14,
                    fmt_num(v)
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<rect class=\"c-na\" x=\"{label_w}\" y=\"{}\" width=\"240\" height=\"{}\"/><text x=\"{}\" y=\"{}\">not assessed</text>",
                    y + 2,
                    row - 6,
                    label_w + 6,
                    y + 14
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns (a histogram over fixed bins) with counts above and bin labels below.
#[must_use]
pub fn columns(title: &str, bars: &[Bar]) -> String {
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0) as u32;
    let col = (longest * 7 + 10).clamp(52, 110);
    let plot_h = 120u32;
    let w = 20 + col * bars.len() as u32;
    let h = plot_h + 44;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .fold(0.0, f64::max)
        .max(1.0);
    let mut out = String::new();
    open(&mut out, w, h, &alt_text(title, bars));
    let base = plot_h + 14;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"10\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>",
        w - 10
    );
    for (i, b) in bars.iter().enumerate() {
        let x = 10 + col * i as u32;
        let v = b.value.unwrap_or(0.0);
        let bh = ((v.max(0.0) / max) * f64::from(plot_h)).round() as u32;
        let _ = write!(
            out,
            "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{bh}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">",
            b.class,
            x + 4,
            base - bh,
            col - 8,
            x + col / 2,
            base - bh - 3,
            fmt_num(v),
            x + col / 2,
            base + 14
        );
        esc(&mut out, &b.label);
        out.push_str("</text>");
    }
    out.push_str("</svg>");
    out
}

/// A heat map: cell opacity grows with the count (log scale), the count is printed in each non-empty cell.
#[must_use]
pub fn heatmap(title: &str, rows: &[&str], cols: &[&str], cells: &[[u64; 5]; 6]) -> String {
    let label_w = 130u32;
    let cw = 84u32;
    let ch = 24u32;
    let w = label_w + cw * cols.len() as u32 + 4;
    let h = 22 + ch * rows.len() as u32 + 4;
    let max = cells.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut alt = format!("{title}: ");
    let mut first = true;
    for (r, row) in rows.iter().enumerate() {
        for (c, col) in cols.iter().enumerate() {
            let n = cells.get(r).and_then(|x| x.get(c)).copied().unwrap_or(0);
            if n > 0 {
                if !first {
                    alt.push_str("; ");
                }
                first = false;
                let _ = write!(alt, "{row} at {col}: {n}");
            }
        }
    }
    if first {
        alt.push_str("no assignments");
    }
    let mut out = String::new();
    open(&mut out, w, h, &alt);
    for (c, col) in cols.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"14\" text-anchor=\"middle\">",
            label_w + cw * c as u32 + cw / 2
        );
        esc(&mut out, col);
        out.push_str("</text>");
    }
    for (r, row) in rows.iter().enumerate() {
        let y = 22 + ch * r as u32;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">",
            label_w - 6,
            y + 16
        );
        esc(&mut out, row);
        out.push_str("</text>");
        for c in 0..cols.len() {
            let n = cells.get(r).and_then(|x| x.get(c)).copied().unwrap_or(0);
            let x = label_w + cw * c as u32;
            if n == 0 {
                let _ = write!(
                    out,
                    "<rect class=\"heat0\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    x + 1,
                    y + 1,
                    cw - 2,
                    ch - 2
                );
            } else {
                let o = 0.15 + 0.85 * ((n as f64).ln_1p() / (max as f64).ln_1p());
                let _ = write!(
                    out,
                    "<rect class=\"heat\" fill-opacity=\"{o:.2}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>",
                    x + 1,
                    y + 1,
                    cw - 2,
                    ch - 2,
                    x + cw / 2,
                    y + 16
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// Stacked columns of (secrets, certificates) over the expiry bins.
#[must_use]
pub fn stacked(title: &str, bins: &[(u64, u64); 7]) -> String {
    let col = 88u32;
    let plot_h = 120u32;
    let w = 20 + col * bins.len() as u32;
    let h = plot_h + 62;
    let max = bins.iter().map(|(a, b)| a + b).max().unwrap_or(0).max(1);
    let mut alt = format!("{title}: ");
    for (i, ((s, c), label)) in bins.iter().zip(EXPIRY_BINS).enumerate() {
        if i > 0 {
            alt.push_str("; ");
        }
        let _ = write!(alt, "{label}: {s} secrets, {c} certificates");
    }
    let mut out = String::new();
    open(&mut out, w, h, &alt);
    let base = plot_h + 14;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"10\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\"/>",
        w - 10
    );
    for (i, ((s, c), label)) in bins.iter().zip(EXPIRY_BINS).enumerate() {
        let x = 10 + col * i as u32;
        let hs = ((*s as f64 / max as f64) * f64::from(plot_h)).round() as u32;
        let hc = ((*c as f64 / max as f64) * f64::from(plot_h)).round() as u32;
        let _ = write!(
            out,
            "<rect class=\"c-sec\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{hs}\"/><rect class=\"c-cert\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{hc}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">",
            x + 6,
            base - hs,
            col - 12,
            x + 6,
            base - hs - hc,
            col - 12,
            x + col / 2,
            base - hs - hc - 3,
            s + c,
            x + col / 2,
            base + 14
        );
        esc(&mut out, label);
        out.push_str("</text>");
    }
    let ly = base + 34;
    let _ = write!(
        out,
        "<rect class=\"c-sec\" x=\"10\" y=\"{}\" width=\"10\" height=\"10\"/><text x=\"24\" y=\"{ly}\">secrets</text><rect class=\"c-cert\" x=\"90\" y=\"{}\" width=\"10\" height=\"10\"/><text x=\"104\" y=\"{ly}\">certificates</text>",
        ly - 9,
        ly - 9
    );
    out.push_str("</svg>");
    out
}

/// One row of a before/after chart: a label and its two values (`None` = not assessed).
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub label: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

/// Paired horizontal bars on a 0–100 scale, one pair per row under its label: the earlier value (class `c-prev`)
/// above the later one (`c-bar`), each with its value at the bar's end, and a legend. The text alternative states
/// every pair.
#[must_use]
pub fn before_after(title: &str, pairs: &[Pair], before: &str, after: &str) -> String {
    let left = 8u32;
    let scale = 380.0;
    let row = 50u32;
    let w = left + 440;
    let h = 24 + row * pairs.len() as u32;
    let num = |v: Option<f64>| v.map_or_else(|| "not assessed".to_owned(), |v| format!("{v:.1}"));
    let mut alt = format!("{title}: ");
    for (i, p) in pairs.iter().enumerate() {
        if i > 0 {
            alt.push_str("; ");
        }
        let _ = write!(
            alt,
            "{} {} {}, {} {}",
            p.label,
            before,
            num(p.before),
            after,
            num(p.after)
        );
    }
    let mut out = String::new();
    open(&mut out, w, h, &alt);
    let _ = write!(
        out,
        "<rect class=\"c-prev\" x=\"{left}\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"{}\" y=\"13\">",
        left + 14
    );
    esc(&mut out, before);
    let _ = write!(
        out,
        "</text><rect class=\"c-bar\" x=\"{}\" y=\"4\" width=\"10\" height=\"10\"/><text x=\"{}\" y=\"13\">",
        left + 110,
        left + 124
    );
    esc(&mut out, after);
    out.push_str("</text>");
    for (i, p) in pairs.iter().enumerate() {
        let y = 24 + row * i as u32;
        let _ = write!(out, "<text class=\"label\" x=\"{left}\" y=\"{}\">", y + 12);
        esc(&mut out, &p.label);
        out.push_str("</text>");
        for (k, (v, class)) in [(p.before, "c-prev"), (p.after, "c-bar")]
            .into_iter()
            .enumerate()
        {
            let by = y + 17 + 13 * k as u32;
            match v {
                Some(v) => {
                    let len = ((v.clamp(0.0, 100.0) / 100.0) * scale).round() as u32;
                    let _ = write!(
                        out,
                        "<rect class=\"{class}\" x=\"{left}\" y=\"{by}\" width=\"{len}\" height=\"11\"/><text x=\"{}\" y=\"{}\">{}</text>",
                        left + len + 4,
                        by + 10,
                        num(Some(v))
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "<rect class=\"c-na\" x=\"{left}\" y=\"{by}\" width=\"{}\" height=\"11\"/><text x=\"{}\" y=\"{}\">not assessed</text>",
                        scale as u32,
                        left + 6,
                        by + 10
                    );
                }
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_charts_are_small() {
        let bars = vec![Bar {
            label: "<script>alert(1)</script>".into(),
            value: Some(3.0),
            class: "c-bar",
        }];
        let svg = hbars("t\"x", &bars, None, 100);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("aria-label=\"t&quot;x"));
        let data = ChartData {
            posture: vec![Bar {
                label: "a".into(),
                value: None,
                class: "c-na",
            }],
            severity: vec![],
            risk: [1; 10],
            heat: [[u64::MAX / 4; 5]; 6],
            staleness: [0; 6],
            expiry: [(1, 2); 7],
        };
        let pairs = [Pair {
            label: "<b>NIST</b>".into(),
            before: Some(40.0),
            after: None,
        }];
        let svg = before_after("Posture", &pairs, "before", "after");
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;NIST"));
        assert!(svg.contains("role=\"img\"") && svg.contains("before 40.0, after not assessed"));
        for chart in render_all(&data) {
            assert!(chart.svg.matches('<').count() < 2000, "{}", chart.id);
            assert!(chart.svg.contains("role=\"img\""));
            assert!(chart.svg.contains("<title>"));
        }
    }
}
