//! JSON the way `az ... -o json` prints it (Python `json.dumps(indent=2, sort_keys=True)`), written element by
//! element so a file of a million records never exists in memory. Key order comes from the field order of the
//! record structs (kept alphabetical); this module supplies the indentation, which must continue from the depth
//! at which an element sits inside its array.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// serde_json's pretty layout (two spaces, `": "`, empty containers as `[]`/`{}`), starting at a given depth.
struct Indented {
    level: usize,
    has_value: bool,
}

fn indent<W: ?Sized + Write>(out: &mut W, level: usize) -> io::Result<()> {
    for _ in 0..level {
        out.write_all(b"  ")?;
    }
    Ok(())
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.level)?;
        }
        out.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        indent(out, self.level)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.level)?;
        }
        out.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        indent(out, self.level)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Serialises `value` as if it sat at depth `level` of an enclosing document.
pub(crate) fn value_at<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
    level: usize,
) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        out,
        Indented {
            level,
            has_value: false,
        },
    );
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// An array opened at depth `level` whose elements are pushed one at a time.
pub(crate) struct ArrayOut<'w, W: Write> {
    out: &'w mut W,
    level: usize,
    count: usize,
}

impl<'w, W: Write> ArrayOut<'w, W> {
    pub(crate) fn open(out: &'w mut W, level: usize) -> io::Result<Self> {
        out.write_all(b"[")?;
        Ok(Self {
            out,
            level,
            count: 0,
        })
    }

    pub(crate) fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        self.out
            .write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        indent(self.out, self.level + 1)?;
        value_at(self.out, value, self.level + 1)?;
        self.count += 1;
        Ok(())
    }

    /// Closes the array; returns how many elements it holds.
    pub(crate) fn close(self) -> io::Result<usize> {
        self.finish(b"]")
    }

    /// Closes the array and the Graph envelope object opened around it (`{"@odata.context": …, "value": [`).
    pub(crate) fn close_envelope(self) -> io::Result<usize> {
        self.finish(b"]\n}")
    }

    fn finish(self, tail: &[u8]) -> io::Result<usize> {
        if self.count > 0 {
            self.out.write_all(b"\n")?;
            indent(self.out, self.level)?;
        }
        self.out.write_all(tail)?;
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Rec<'a> {
        a: &'a [u8],
        b: Option<&'a str>,
        c: std::collections::BTreeMap<&'a str, &'a str>,
    }

    #[test]
    fn streamed_array_equals_pretty_printing_the_whole() {
        let mut map = std::collections::BTreeMap::new();
        map.insert("k", "v \"quoted\" \u{e9}");
        let recs = [
            Rec {
                a: &[1, 2],
                b: None,
                c: map,
            },
            Rec {
                a: &[],
                b: Some("x"),
                c: Default::default(),
            },
        ];
        let mut out = Vec::new();
        let mut arr = ArrayOut::open(&mut out, 0).unwrap_or_else(|e| panic!("{e}"));
        for r in &recs {
            arr.push(r).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(arr.close().ok(), Some(2));
        let whole = serde_json::to_vec_pretty(&recs).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&whole)
        );

        let mut empty = Vec::new();
        let arr = ArrayOut::open(&mut empty, 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(arr.close().ok(), Some(0));
        assert_eq!(empty, b"[]");
    }
}
