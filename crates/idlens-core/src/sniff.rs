//! Decide what a file is from its first bytes: its text encoding and its container shape.
//!
//! File names are never consulted: auditors receive `export (3).txt` as often as `roles.json`.

use serde::{Deserialize, Serialize};

/// How many leading bytes [`sniff`] wants to see to decide. Fewer is fine for short files.
pub const SNIFF_LEN: usize = 4096;

/// The text encoding of a file, found from its byte-order mark or from the pattern of zero bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (also the answer for binary data).
    Utf8,
    /// UTF-8 with `EF BB BF` first, as PowerShell's `Out-File -Encoding utf8` and portal CSV downloads write.
    Utf8Bom,
    /// UTF-16 little-endian, as Windows PowerShell 5.1's `>` redirection writes (with or without `FF FE`).
    Utf16Le,
    /// UTF-16 big-endian (with or without `FE FF`).
    Utf16Be,
}

impl Encoding {
    /// Length of the byte-order mark this encoding starts with in `prefix` (0 when there is none).
    #[must_use]
    pub fn bom_len(self, prefix: &[u8]) -> usize {
        match self {
            Encoding::Utf8Bom => 3,
            Encoding::Utf16Le if prefix.starts_with(&[0xFF, 0xFE]) => 2,
            Encoding::Utf16Be if prefix.starts_with(&[0xFE, 0xFF]) => 2,
            _ => 0,
        }
    }
}

/// The outer shape of a file's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Container {
    /// Starts with `[`: a bare array, as `az … -o json` writes.
    JsonArray,
    /// Starts with `{`: an envelope (`value`, `data`, `items` …), a single object, or several concatenated documents.
    JsonObject,
    /// Delimited text with a header line.
    Csv,
    /// A zip archive (`PK\x03\x04`, or the end record of an empty one).
    Zip,
    /// None of the above: empty, binary, or text of another kind.
    Unknown,
}

impl Container {
    /// A short human name, used in messages and the viewer.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Container::JsonArray => "JSON array",
            Container::JsonObject => "JSON object",
            Container::Csv => "CSV",
            Container::Zip => "zip archive",
            Container::Unknown => "unknown",
        }
    }
}

/// What [`sniff`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sniffed {
    pub encoding: Encoding,
    pub container: Container,
}

/// Decide encoding and container from the first bytes of a file (ideally [`SNIFF_LEN`] of them).
#[must_use]
pub fn sniff(prefix: &[u8]) -> Sniffed {
    if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(b"PK\x05\x06") {
        return Sniffed {
            encoding: Encoding::Utf8,
            container: Container::Zip,
        };
    }
    let encoding = encoding_of(prefix);
    let bom = encoding.bom_len(prefix);
    let container = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => container_of_text(&prefix[bom..]),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let text =
                crate::text::decode_utf16_lossy(&prefix[bom..], encoding == Encoding::Utf16Le);
            container_of_text(text.as_bytes())
        }
    };
    Sniffed {
        encoding,
        container,
    }
}

fn encoding_of(prefix: &[u8]) -> Encoding {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Bom;
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16Le;
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16Be;
    }
    // Without a mark, ASCII-heavy UTF-16 shows as zero bytes at every other position.
    if prefix.len() >= 4 {
        let pairs = prefix.len() / 2;
        let zero_odd = prefix
            .chunks_exact(2)
            .filter(|p| p[1] == 0 && p[0] != 0)
            .count();
        let zero_even = prefix
            .chunks_exact(2)
            .filter(|p| p[0] == 0 && p[1] != 0)
            .count();
        if zero_odd * 10 >= pairs * 9 {
            return Encoding::Utf16Le;
        }
        if zero_even * 10 >= pairs * 9 {
            return Encoding::Utf16Be;
        }
    }
    Encoding::Utf8
}

fn container_of_text(text: &[u8]) -> Container {
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Container::Unknown;
    };
    match text[start] {
        b'[' => Container::JsonArray,
        b'{' => Container::JsonObject,
        _ if looks_like_csv(&text[start..]) => Container::Csv,
        _ => Container::Unknown,
    }
}

/// A header line of printable text with at least one delimiter, and no control bytes in the prefix.
fn looks_like_csv(text: &[u8]) -> bool {
    if text
        .iter()
        .any(|&b| b < 0x09 || (b > 0x0D && b < 0x20) || b == 0x7F)
    {
        return false;
    }
    let header = text.split(|&b| b == b'\n').next().unwrap_or(text);
    csv_delimiter(header).is_some()
}

/// The delimiter of a CSV header line: the most frequent of `,`, `;` and tab outside quotes, if any occurs.
#[must_use]
pub fn csv_delimiter(header: &[u8]) -> Option<u8> {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let delimiters = [b',', b';', b'\t'];
    let (best, count) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (**c, usize::MAX - i))?;
    (*count > 0).then_some(delimiters[best])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], encoding: Encoding, container: Container) {
        assert_eq!(
            sniff(bytes),
            Sniffed {
                encoding,
                container
            },
            "input {bytes:?}"
        );
    }

    #[test]
    fn json_shapes_and_boms() {
        check(b"  [\n{}]", Encoding::Utf8, Container::JsonArray);
        check(b"{\"value\":[]}", Encoding::Utf8, Container::JsonObject);
        check(b"\xEF\xBB\xBF[{}]", Encoding::Utf8Bom, Container::JsonArray);
        check(
            b"\xFF\xFE[\0{\0}\0]\0",
            Encoding::Utf16Le,
            Container::JsonArray,
        );
        check(b"\xFE\xFF\0{\0}", Encoding::Utf16Be, Container::JsonObject);
        check(b"[\0{\0}\0]\0\n\0", Encoding::Utf16Le, Container::JsonArray);
    }

    #[test]
    fn csv_zip_and_unknown() {
        check(b"id,name,type\n1,a,b\n", Encoding::Utf8, Container::Csv);
        check(
            b"\xEF\xBB\xBFid;name\n1;a\n",
            Encoding::Utf8Bom,
            Container::Csv,
        );
        check(b"PK\x03\x04rest", Encoding::Utf8, Container::Zip);
        check(b"", Encoding::Utf8, Container::Unknown);
        check(b"   \n", Encoding::Utf8, Container::Unknown);
        check(b"hello world\n", Encoding::Utf8, Container::Unknown);
        check(
            b"\x00\x01\x02\x03binary,stuff",
            Encoding::Utf8,
            Container::Unknown,
        );
    }

    #[test]
    fn delimiter_ignores_quoted_commas() {
        assert_eq!(csv_delimiter(b"\"a,b,c\";x;y"), Some(b';'));
        assert_eq!(csv_delimiter(b"a\tb"), Some(b'\t'));
        assert_eq!(csv_delimiter(b"abc"), None);
    }
}
