//! Turn a file's bytes into UTF-8 as they arrive, whatever encoding [`crate::sniff`] found.
//!
//! UTF-8 input passes through untouched (only a leading byte-order mark is dropped); UTF-16 is transcoded with the
//! odd byte or lone high surrogate at a chunk's end carried into the next chunk.

use crate::sniff::Encoding;

/// A push decoder from one encoding to UTF-8.
#[derive(Debug)]
pub struct Utf8Stream {
    encoding: Encoding,
    /// Bytes seen so far, to strip the byte-order mark once even when it is split across chunks.
    seen: u64,
    bom_checked: bool,
    carry: Vec<u8>,
    high_surrogate: Option<u16>,
    out: Vec<u8>,
}

impl Utf8Stream {
    #[must_use]
    pub fn new(encoding: Encoding) -> Self {
        Self {
            encoding,
            seen: 0,
            bom_checked: false,
            carry: Vec::new(),
            high_surrogate: None,
            out: Vec::new(),
        }
    }

    /// Feed the next chunk; returns its UTF-8 form (borrowed from `chunk` when no work was needed).
    pub fn push<'a>(&'a mut self, chunk: &'a [u8]) -> &'a [u8] {
        let start = self.seen;
        self.seen += chunk.len() as u64;
        match self.encoding {
            Encoding::Utf8 => chunk,
            Encoding::Utf8Bom => {
                // Drop the first three bytes of the stream (the mark), wherever the chunk boundaries fall.
                let skip = 3u64.saturating_sub(start).min(chunk.len() as u64) as usize;
                &chunk[skip..]
            }
            Encoding::Utf16Le | Encoding::Utf16Be => {
                self.out.clear();
                let mut bytes = std::mem::take(&mut self.carry);
                bytes.extend_from_slice(chunk);
                let mut units: &[u8] = &bytes;
                if !self.bom_checked {
                    if units.len() < 2 {
                        self.carry = bytes;
                        return &[];
                    }
                    let mark = if self.encoding == Encoding::Utf16Le {
                        [0xFF, 0xFE]
                    } else {
                        [0xFE, 0xFF]
                    };
                    if units.starts_with(&mark) {
                        units = &units[2..];
                    }
                    self.bom_checked = true;
                }
                let even = units.len() & !1;
                self.transcode(&units[..even]);
                self.carry = units[even..].to_vec();
                &self.out
            }
        }
    }

    /// Flush what is left at the end of the stream (a lone odd byte or high surrogate becomes U+FFFD).
    pub fn finish(&mut self) -> &[u8] {
        self.out.clear();
        if matches!(self.encoding, Encoding::Utf16Le | Encoding::Utf16Be)
            && (!self.carry.is_empty() || self.high_surrogate.is_some())
        {
            self.carry.clear();
            self.high_surrogate = None;
            self.out.extend_from_slice("\u{FFFD}".as_bytes());
        }
        &self.out
    }

    fn transcode(&mut self, bytes: &[u8]) {
        let little = self.encoding == Encoding::Utf16Le;
        let units = bytes.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        let pending = self.high_surrogate.take();
        let mut all = pending.into_iter().chain(units).peekable();
        let mut buf = [0u8; 4];
        while let Some(unit) = all.next() {
            if (0xD800..0xDC00).contains(&unit) {
                match all.peek() {
                    None => {
                        self.high_surrogate = Some(unit);
                        break;
                    }
                    Some(&low) if (0xDC00..0xE000).contains(&low) => {
                        all.next();
                        let c = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
                        self.out
                            .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    Some(_) => self.out.extend_from_slice("\u{FFFD}".as_bytes()),
                }
            } else {
                let ch = char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}');
                self.out
                    .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

/// Decode a whole UTF-16 buffer (without its mark) to a `String`, replacing what is invalid. For short prefixes.
#[must_use]
pub fn decode_utf16_lossy(bytes: &[u8], little_endian: bool) -> String {
    let units = bytes.chunks_exact(2).map(|p| {
        if little_endian {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(encoding: Encoding, bytes: &[u8], chunk: usize) -> String {
        let mut stream = Utf8Stream::new(encoding);
        let mut out = Vec::new();
        for part in bytes.chunks(chunk) {
            out.extend_from_slice(stream.push(part));
        }
        out.extend_from_slice(stream.finish());
        String::from_utf8(out).expect("utf-8 out")
    }

    fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_survives_any_chunking() {
        let text = "[{\"displayName\":\"Zoë 🚀 east\"}]";
        for chunk in 1..9 {
            assert_eq!(
                decode_in_chunks(Encoding::Utf16Le, &utf16(text, true, true), chunk),
                text
            );
            assert_eq!(
                decode_in_chunks(Encoding::Utf16Be, &utf16(text, false, true), chunk),
                text
            );
            assert_eq!(
                decode_in_chunks(Encoding::Utf16Le, &utf16(text, true, false), chunk),
                text
            );
        }
    }

    #[test]
    fn utf8_bom_dropped_once() {
        let bytes = b"\xEF\xBB\xBF[\"\xEF\xBB\xBF\"]";
        for chunk in 1..5 {
            assert_eq!(
                decode_in_chunks(Encoding::Utf8Bom, bytes, chunk),
                "[\"\u{feff}\"]"
            );
        }
    }

    #[test]
    fn truncated_utf16_ends_with_replacement() {
        let mut bytes = utf16("ab", true, true);
        bytes.push(0x41);
        assert_eq!(decode_in_chunks(Encoding::Utf16Le, &bytes, 3), "ab\u{FFFD}");
    }
}
