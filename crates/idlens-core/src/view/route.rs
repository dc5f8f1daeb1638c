//! The viewer's URL fragment: which page, which filters, which identity. A view can be bookmarked or sent, and
//! back and forward walk through views, because all of it lives in the fragment.
//!
//! ```text
//! #                                   the load page
//! #demo                               the load page, opening the bundled demo tenant
//! #identities?sort=grants&desc=1&kind=user-assigned-managed-identity,managed-identity&env=prod&q=backup
//! #identity/<principal id | client id | percent-encoded resource id | #index>
//! #dashboard                          the tenant at a glance
//! #frameworks                         every framework; #frameworks/<framework id> one framework's controls
//! #findings?check=NHI-P-001&sev=critical,high&status=waived&q=backup
//! #compare                            the loaded snapshot against the baseline
//! #export                             reports and exports, optionally pseudonymised
//! ```
//!
//! Parsing never fails: unknown keys and values are ignored, an unknown page is [`Route::Other`].

use serde::{Deserialize, Serialize};

use super::{IdentityColumn, IdentityQuery, environment_from_id, environment_id, kind_from_id};

/// Which findings the findings page lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FindingsFilter {
    /// Only these checks (empty: all).
    pub checks: Vec<String>,
    /// Only these severities (`critical` … `info`; empty: all).
    pub severities: Vec<String>,
    /// `open`, `waived`, or empty for both.
    pub status: String,
    /// Free text: every word must occur in the identity's name or key, or the finding's message.
    pub text: String,
}

/// One place in the viewer.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Route {
    /// Drop files; the summary and reconciliation of what was read.
    #[default]
    Load,
    /// The load page, opening the demo tenant.
    Demo,
    /// The identities table with these filters and sort (the window is not part of the URL).
    Identities(IdentityQuery),
    /// One identity by [`super::identity_key`].
    Identity(String),
    /// The tenant at a glance: posture, charts, top risks and actions.
    Dashboard,
    /// Framework posture; `Some(id)` opens one framework's controls.
    Frameworks(Option<String>),
    /// All findings grouped by check, with these filters.
    Findings(FindingsFilter),
    /// The loaded snapshot against the baseline.
    Compare,
    /// Reports and exports.
    Export,
    /// A page this build does not have (its name).
    Other(String),
}

/// The route a fragment names (with or without the leading `#`).
#[must_use]
pub fn parse_route(fragment: &str) -> Route {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let (path, params) = fragment.split_once('?').unwrap_or((fragment, ""));
    match path {
        "" | "load" => Route::Load,
        "demo" => Route::Demo,
        "identities" => Route::Identities(parse_query(params)),
        "dashboard" => Route::Dashboard,
        "frameworks" => Route::Frameworks(None),
        "findings" => Route::Findings(parse_findings(params)),
        "compare" => Route::Compare,
        "export" => Route::Export,
        _ => {
            if let Some(id) = path.strip_prefix("identity/").filter(|id| !id.is_empty()) {
                Route::Identity(decode(id))
            } else if let Some(fw) = path.strip_prefix("frameworks/").filter(|f| !f.is_empty()) {
                Route::Frameworks(Some(decode(fw)))
            } else {
                Route::Other(decode(path))
            }
        }
    }
}

/// The fragment of a route, with its leading `#`; [`parse_route`] reads it back to an equal route.
#[must_use]
pub fn format_route(route: &Route) -> String {
    match route {
        Route::Load => "#load".to_owned(),
        Route::Demo => "#demo".to_owned(),
        Route::Identities(query) => {
            let params = format_query(query);
            if params.is_empty() {
                "#identities".to_owned()
            } else {
                format!("#identities?{params}")
            }
        }
        Route::Identity(id) => format!("#identity/{}", encode(id)),
        Route::Dashboard => "#dashboard".to_owned(),
        Route::Frameworks(None) => "#frameworks".to_owned(),
        Route::Frameworks(Some(fw)) => format!("#frameworks/{}", encode(fw)),
        Route::Findings(filter) => {
            let params = format_findings(filter);
            if params.is_empty() {
                "#findings".to_owned()
            } else {
                format!("#findings?{params}")
            }
        }
        Route::Compare => "#compare".to_owned(),
        Route::Export => "#export".to_owned(),
        Route::Other(name) => format!("#{}", encode(name)),
    }
}

fn parse_query(params: &str) -> IdentityQuery {
    let mut query = IdentityQuery::default();
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let list = || decode_list(value);
        match key {
            "sort" => {
                if let Some(column) = IdentityColumn::from_id(&decode(value)) {
                    query.sort = column;
                }
            }
            "desc" => query.descending = value == "1" || value == "true",
            "kind" => query.kinds = list().iter().filter_map(|k| kind_from_id(k)).collect(),
            "env" => {
                query.environments = list()
                    .iter()
                    .filter_map(|e| environment_from_id(e))
                    .collect();
            }
            "sev" => query.severities = list(),
            "check" => query.checks = list(),
            "control" => query.controls = list(),
            "q" => query.text = decode(value),
            _ => {}
        }
    }
    query
}

fn format_query(query: &IdentityQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    let list = |values: &mut dyn Iterator<Item = String>| {
        values.map(|v| encode(&v)).collect::<Vec<_>>().join(",")
    };
    if query.sort != IdentityColumn::Name {
        parts.push(format!("sort={}", query.sort.id()));
    }
    if query.descending {
        parts.push("desc=1".to_owned());
    }
    if !query.kinds.is_empty() {
        parts.push(format!(
            "kind={}",
            list(&mut query.kinds.iter().map(|k| k.id().to_owned()))
        ));
    }
    if !query.environments.is_empty() {
        parts.push(format!(
            "env={}",
            list(
                &mut query
                    .environments
                    .iter()
                    .map(|e| environment_id(*e).to_owned())
            )
        ));
    }
    for (key, values) in [
        ("sev", &query.severities),
        ("check", &query.checks),
        ("control", &query.controls),
    ] {
        if !values.is_empty() {
            parts.push(format!("{key}={}", list(&mut values.iter().cloned())));
        }
    }
    if !query.text.is_empty() {
        parts.push(format!("q={}", encode(&query.text)));
    }
    parts.join("&")
}

fn parse_findings(params: &str) -> FindingsFilter {
    let mut filter = FindingsFilter::default();
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let list = || decode_list(value);
        match key {
            "check" => filter.checks = list(),
            "sev" => filter.severities = list(),
            "status" => {
                let status = decode(value);
                if status == "open" || status == "waived" {
                    filter.status = status;
                }
            }
            "q" => filter.text = decode(value),
            _ => {}
        }
    }
    filter
}

fn format_findings(filter: &FindingsFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (key, values) in [("check", &filter.checks), ("sev", &filter.severities)] {
        if !values.is_empty() {
            let joined = values.iter().map(|v| encode(v)).collect::<Vec<_>>();
            parts.push(format!("{key}={}", joined.join(",")));
        }
    }
    if !filter.status.is_empty() {
        parts.push(format!("status={}", encode(&filter.status)));
    }
    if !filter.text.is_empty() {
        parts.push(format!("q={}", encode(&filter.text)));
    }
    parts.join("&")
}

/// A comma-separated URL value, each item decoded (empty items dropped).
fn decode_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|v| !v.is_empty())
        .map(decode)
        .collect()
}

/// Percent-encode everything but ASCII letters, digits and `-._~`.
#[must_use]
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undo [`encode`] (and `+` as a space); malformed escapes are kept as they are, bad UTF-8 is replaced.
#[must_use]
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 3;
                } else {
                    out.push(b'%');
                    i += 1;
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
