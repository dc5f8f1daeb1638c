//! A one-pass reader for the JSON objects that make up the bulk of a big export (a role assignment per record, its
//! values strings and nulls). The framer offers it the stream at a record's `{` ([`crate::frame::Sink::direct`]); it
//! finds the record's members and its end in the same pass, so those bytes are read once instead of twice (framing,
//! then serde), and strings are scanned eight bytes at a time on wasm32 as well as natively.
//!
//! It accepts strictly less than `serde_json` does. Whatever it is not sure of (an escape in a key, a raw control
//! character, a malformed number or literal, nesting deeper than [`MAX_DEPTH`], a record running past the chunk, or
//! a caller that refuses a member) makes it give up with `None`, and the record is framed and read by serde as
//! before, which sets it aside with the precise reason when it is bad. So both paths read a good record the same way.

use std::borrow::Cow;
use std::ops::Range;

use crate::swar;

/// Deeper nesting than this is left to serde.
pub(crate) const MAX_DEPTH: usize = 32;

/// A member's value, as positions in the object's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Null,
    /// A string's contents (between the quotes); `escaped` when it holds a backslash escape.
    Str {
        span: Range<usize>,
        escaped: bool,
    },
    /// A number, `true` or `false`.
    Scalar,
    /// An object, `{` to `}` inclusive (already checked well-formed).
    Object(Range<usize>),
    /// An array (already checked well-formed).
    Array,
}

/// What a whole object spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Bytes from the `{` to the `}` inclusive.
    pub len: usize,
    /// Line breaks among them.
    pub lines: u64,
}

/// Read the object that starts at `text[0]` (a `{`), handing each member's key (raw bytes, no escapes) and value to
/// `member`; `member` returns `false` to give up. `None` when the object is not read to its end.
pub(crate) fn object<'a>(
    text: &'a [u8],
    mut member: impl FnMut(&'a [u8], Value) -> bool,
) -> Option<Span> {
    let mut scan = Scanner {
        text,
        at: 0,
        lines: 0,
    };
    scan.object(0, &mut member)?;
    Some(Span {
        len: scan.at,
        lines: scan.lines,
    })
}

/// The text of a string value, once the object's bytes are known to be UTF-8 (`text` is the object's text).
#[must_use]
pub(crate) fn string<'a>(
    text: &'a str,
    span: &Range<usize>,
    escaped: bool,
) -> Option<Cow<'a, str>> {
    if !escaped {
        return text.get(span.clone()).map(Cow::Borrowed);
    }
    // With its quotes, the span is a JSON string; serde decodes the escapes (and rejects bad ones).
    let quoted = text.get(span.start.checked_sub(1)?..span.end + 1)?;
    serde_json::from_str::<String>(quoted).ok().map(Cow::Owned)
}

/// The member names a reader wants, each with its spellings (`principalId`, `ObjectId` …), looked up by length
/// first so that most keys are told apart without comparing any text.
pub(crate) struct Names {
    names: &'static [&'static [&'static [u8]]],
    /// Per key length, the names (bits) with a spelling of that length.
    by_len: [u64; 64],
}

impl Names {
    /// At most 64 names, spellings shorter than 64 bytes.
    pub(crate) const fn new(names: &'static [&'static [&'static [u8]]]) -> Self {
        let mut by_len = [0u64; 64];
        let mut i = 0;
        while i < names.len() {
            let mut j = 0;
            while j < names[i].len() {
                by_len[names[i][j].len()] |= 1 << i;
                j += 1;
            }
            i += 1;
        }
        Self { names, by_len }
    }

    /// Which name `key` spells.
    #[inline]
    pub(crate) fn find(&self, key: &[u8]) -> Option<usize> {
        let mut candidates = *self.by_len.get(key.len())?;
        while candidates != 0 {
            let at = candidates.trailing_zeros() as usize;
            if self.names[at]
                .iter()
                .any(|name| crate::ids::same_bytes(name, key))
            {
                return Some(at);
            }
            candidates &= candidates - 1;
        }
        None
    }
}

struct Scanner<'a> {
    text: &'a [u8],
    at: usize,
    lines: u64,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    #[inline]
    fn space(&mut self) {
        while let Some(&b) = self.text.get(self.at) {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => self.lines += 1,
                _ => return,
            }
            self.at += 1;
        }
    }

    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// From the opening quote: the contents' span and whether they hold an escape. Stops at the closing quote.
    #[inline]
    fn string(&mut self) -> Option<(Range<usize>, bool)> {
        self.expect(b'"')?;
        let start = self.at;
        let mut escaped = false;
        let t = self.text;
        let mut i = start;
        loop {
            // Many bytes at a time: find the first quote, backslash or control character.
            i = swar::string_stop(t, i);
            match *t.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    return Some((start..i, escaped));
                }
                b'\\' => {
                    // The escaped character cannot end the string; serde checks the escape itself later.
                    escaped = true;
                    if *t.get(i + 1)? < 0x20 {
                        return None;
                    }
                    i += 2;
                }
                b if b < 0x20 => return None,
                _ => i += 1,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.text.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        (self.at > start).then_some(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek()? == b'0' {
            self.at += 1;
        } else {
            self.digits()?;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        // A number runs to a delimiter; the caller checks which.
        Some(())
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        Some(match self.peek()? {
            b'"' => {
                let (span, escaped) = self.string()?;
                Value::Str { span, escaped }
            }
            b'n' => {
                self.literal(b"null")?;
                Value::Null
            }
            b't' => {
                self.literal(b"true")?;
                Value::Scalar
            }
            b'f' => {
                self.literal(b"false")?;
                Value::Scalar
            }
            b'-' | b'0'..=b'9' => {
                self.number()?;
                Value::Scalar
            }
            b'{' => {
                let start = self.at;
                self.object(depth + 1, &mut |_, _| true)?;
                Value::Object(start..self.at)
            }
            b'[' => {
                self.array(depth + 1)?;
                Value::Array
            }
            _ => return None,
        })
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b'[')?;
        self.space();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.value(depth)?;
            self.space();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.space();
                }
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Generic over `member`, so that a reader's own member handling is inlined into the loop; nested objects all
    /// share one instance (their members are not looked at).
    fn object<F: FnMut(&'a [u8], Value) -> bool>(
        &mut self,
        depth: usize,
        member: &mut F,
    ) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b'{')?;
        self.space();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let (key, escaped) = self.string()?;
            if escaped {
                return None;
            }
            self.space();
            self.expect(b':')?;
            self.space();
            let value = self.value(depth)?;
            if !member(&self.text[key], value) {
                return None;
            }
            self.space();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.space();
                }
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Members as (key, value text) pairs, or `None` where the scanner gives up.
    fn members(text: &str) -> Option<(Vec<(String, String)>, Span)> {
        let mut out = Vec::new();
        let span = object(text.as_bytes(), |key, value| {
            let shown = match &value {
                Value::Null => "null".to_owned(),
                Value::Str { span, escaped } => {
                    format!("s:{}", string(text, span, *escaped).expect("decodes"))
                }
                Value::Scalar => "scalar".to_owned(),
                Value::Object(range) => format!("o:{}", &text[range.clone()]),
                Value::Array => "array".to_owned(),
            };
            out.push((String::from_utf8(key.to_vec()).expect("utf-8"), shown));
            true
        })?;
        Some((out, span))
    }

    /// Whitespace of every kind (runs of spaces of several lengths, line breaks with and without `\r`, tabs) in each
    /// place JSON allows it: the same members, the same end, every line counted.
    #[test]
    fn any_whitespace_between_tokens_is_skipped_and_its_line_breaks_counted() {
        let gaps = [
            String::new(),
            " ".into(),
            "\n".into(),
            "\r\n".into(),
            format!("\n{}", " ".repeat(4)),
            format!("\n{}", " ".repeat(7)),
            format!("\n{}", " ".repeat(8)),
            format!("\n{}", " ".repeat(19)),
            format!("{}\n\t \n{}", " ".repeat(9), " ".repeat(3)),
            "\t\r\n\t".into(),
        ];
        // The places between tokens, in order.
        let tokens = [
            "{", "\"a\"", ":", "\"x\"", ",", "\"b\"", ":", "[1", ",", "null]", ",", "\"c\"", ":",
            "{}", "}",
        ];
        for gap in &gaps {
            for place in 0..tokens.len() - 1 {
                for everywhere in [false, true] {
                    let mut text = String::new();
                    for (at, token) in tokens.iter().enumerate() {
                        text.push_str(token);
                        if at + 1 < tokens.len() && (everywhere || at == place) {
                            text.push_str(gap);
                        }
                    }
                    let end = text.len();
                    text.push_str(",{\"next\": 1}");
                    let (got, span) = members(&text).expect("read");
                    let expected = [("a", "s:x"), ("b", "array"), ("c", "o:{}")]
                        .map(|(k, v)| (k.to_owned(), v.to_owned()));
                    assert_eq!(got, expected, "{text:?}");
                    assert_eq!(span.len, end, "{text:?}");
                    assert_eq!(
                        span.lines,
                        text[..end].matches('\n').count() as u64,
                        "{text:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn reads_a_pretty_printed_record_and_counts_its_lines() {
        let text = "{\n  \"id\": \"/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/1\",\n  \
                    \"condition\": null,\n  \"n\": -1.5e+3,\n  \"ok\": true,\n  \"p\": {\"a\": [1, {\"b\": \"}\"}]},\n  \
                    \"q\": []\n}, {\"next\": 1}";
        let (got, span) = members(text).expect("read");
        assert_eq!(
            &text[..span.len],
            &text[..text.find(", {\"next\"").unwrap()]
        );
        assert_eq!(span.lines, 7);
        assert_eq!(
            got,
            vec![
                (
                    "id".into(),
                    "s:/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/1".into()
                ),
                ("condition".into(), "null".into()),
                ("n".into(), "scalar".into()),
                ("ok".into(), "scalar".into()),
                ("p".into(), r#"o:{"a": [1, {"b": "}"}]}"#.into()),
                ("q".into(), "array".into()),
            ]
        );
    }

    #[test]
    fn strings_of_every_length_end_at_their_quote() {
        // Exercise the eight-byte loop and its tail at every alignment, with the quote, an escape and UTF-8.
        for n in 0..40 {
            let body: String = "aé".repeat(n).chars().take(n).collect();
            let text = format!(r#"{{"k":"{body}","e":"{body}\"\\\u00e9x"}}"#);
            let (got, span) = members(&text).expect("read");
            assert_eq!(span.len, text.len(), "{text}");
            assert_eq!(got[0].1, format!("s:{body}"));
            assert_eq!(got[1].1, format!("s:{body}\"\\éx"));
        }
    }

    #[test]
    fn agrees_with_serde_on_what_it_accepts_and_gives_up_on_the_rest() {
        let good = [
            "{}",
            "{ }",
            r#"{"a":0}"#,
            r#"{"a":-0.0e-0}"#,
            r#"{"a":[[[]]],"b":{"c":{}}}"#,
            r#"{"a":"\ud83d\ude00"}"#,
        ];
        for text in good {
            assert!(members(text).is_some(), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
        let given_up = [
            // Not JSON: serde rejects these, so the scanner must not read them.
            "{",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":nul}"#,
            r#"{"a":truex}"#,
            r#"{"a":"x
"}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":"unterminated}"#,
            r#"{a:1}"#,
            // JSON, but left to serde.
            r#"{"k\u0065y":1}"#,
        ];
        for text in given_up {
            assert!(members(text).is_none(), "{text}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(40), "]".repeat(40));
        assert!(members(&deep).is_none());
    }

    #[test]
    fn names_are_found_by_any_spelling_and_nothing_else() {
        const NAMES: Names =
            Names::new(&[&[b"id", b"Id"], &[b"principalId", b"ObjectId"], &[b"scope"]]);
        for (at, spellings) in [
            ["id", "Id"],
            ["principalId", "ObjectId"],
            ["scope", "scope"],
        ]
        .iter()
        .enumerate()
        {
            for s in spellings {
                assert_eq!(NAMES.find(s.as_bytes()), Some(at), "{s}");
            }
        }
        for other in [
            "",
            "ID",
            "principalID",
            "scopes",
            "name",
            "x".repeat(80).as_str(),
        ] {
            assert_eq!(NAMES.find(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn a_record_cut_short_is_not_read() {
        let text = r#"{"a":"bcdefghijklmnop","c":[1,2,3],"d":null}"#;
        for cut in 0..text.len() {
            assert!(members(&text[..cut]).is_none(), "{}", &text[..cut]);
        }
    }

    #[test]
    fn a_member_refused_stops_the_read() {
        let text = r#"{"a":1,"b":2}"#;
        let mut seen = 0;
        assert!(
            object(text.as_bytes(), |key, _| {
                seen += 1;
                key != b"b"
            })
            .is_none()
        );
        assert_eq!(seen, 2);
    }

    #[test]
    fn bad_escapes_are_left_to_serde() {
        let text = r#"{"a":"\x"}"#;
        let mut value = None;
        object(text.as_bytes(), |_, v| {
            value = Some(v);
            true
        })
        .expect("structure is fine");
        let Some(Value::Str { span, escaped }) = value else {
            panic!("a string")
        };
        assert!(escaped);
        assert_eq!(string(text, &span, escaped), None);
    }
}
