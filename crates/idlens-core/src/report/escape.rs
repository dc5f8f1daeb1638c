//! HTML escaping for every string that reaches the report or a chart: the five characters that can end a text
//! node or an attribute value (`& < > " '`) become character references, and C0 controls other than tab, line
//! feed and carriage return (which HTML renders as parse errors or strips) become U+FFFD. The same function
//! serves text content and double- or single-quoted attribute values; it is never used inside `<script>` or
//! `<style>` (the report has no script, and its one style element is a constant).

fn special(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'')
        || (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Append `text`, escaped, to `out`.
pub fn push(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(pos) = rest.find(special) {
        out.push_str(&rest[..pos]);
        let ch = rest[pos..].chars().next().unwrap_or('\u{fffd}');
        out.push_str(match ch {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => "\u{fffd}",
        });
        rest = &rest[pos + ch.len_utf8()..];
    }
    out.push_str(rest);
}

/// `text`, escaped.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn hostile_text_cannot_leave_its_node() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape("' onmouseover='x"), "&#39; onmouseover=&#39;x");
        assert_eq!(escape("a & b &amp;"), "a &amp; b &amp;amp;");
        assert_eq!(
            escape("=HYPERLINK(\"http://x\")"),
            "=HYPERLINK(&quot;http://x&quot;)"
        );
        assert_eq!(escape("a\0b\x1bc\td\ne"), "a\u{fffd}b\u{fffd}c\td\ne");
        assert_eq!(
            escape("Zürich – 東京 🚀 \u{202e}"),
            "Zürich – 東京 🚀 \u{202e}"
        );
        assert_eq!(escape(""), "");
    }
}
