//! Machine exports of an evaluation beyond the findings document: SARIF 2.1.0 ([`sarif`]) for code-scanning and
//! review tools, and OCSF Detection Finding events (class 2004, [`ocsf`]) for SIEMs. Both are pure functions of
//! the evaluation (and the snapshot's file list): deterministic, sorted as the evaluation is.

pub mod artifact;
pub mod ocsf;
pub mod sarif;

/// Percent-encode a file label as a URI reference (RFC 3986 unreserved characters and `/` kept; `\` becomes `/`).
#[must_use]
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
