//! Identifiers as the model keeps them: GUIDs packed into a `u128`, repeated strings interned once, and Azure
//! resource ids compared case-insensitively.
//!
//! Exports spell the same id in several casings (`resourcegroups` vs `resourceGroups`, upper-case GUIDs); joins use
//! the ASCII-lowercase form, display keeps the original text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A GUID (Entra object id, app id, tenant id, role definition id …) stored as 16 bytes.
///
/// Packed to 8-byte alignment: a `u128` would align to 16, and the padding it forces around every optional GUID
/// (`Option<Guid>` 32 bytes instead of 24) grows each grant, identity and credential the snapshot holds by a third.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(Rust, packed(8))]
pub struct Guid(pub u128);

impl Guid {
    /// Parse `8-4-4-4-12` hex digits in any case, optionally wrapped in braces. Anything else is `None`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Guid> {
        let text = trim(text);
        let text = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let b = text.as_bytes();
        if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
            return None;
        }
        // Two 64-bit halves (a u128 shift is slow on wasm32), each of two runs of eight digits read at once.
        let four = |at: usize| {
            <[u8; 4]>::try_from(&b[at..at + 4]).map(|d| u64::from(u32::from_le_bytes(d)))
        };
        let runs = [
            crate::swar::word(b, 0)?,
            four(9).ok()? | four(14).ok()? << 32,
            four(19).ok()? | four(24).ok()? << 32,
            crate::swar::word(b, 28)?,
        ];
        let [r0, r1, r2, r3] = runs.map(hex8);
        let high = u64::from(r0?) << 32 | u64::from(r1?);
        let low = u64::from(r2?) << 32 | u64::from(r3?);
        Some(Guid((u128::from(high) << 64) | u128::from(low)))
    }

    /// The GUID that ends a path such as `/providers/Microsoft.Authorization/roleDefinitions/<guid>`.
    #[must_use]
    pub fn trailing(path: &str) -> Option<Guid> {
        let path = trim_end_slashes(path);
        let start = path
            .as_bytes()
            .iter()
            .rposition(|&b| b == b'/')
            .map_or(0, |at| at + 1);
        Guid::parse(path.get(start..)?)
    }

    /// The canonical text, `8-4-4-4-12` lower-case hex digits, without going through `format!`: every dedup key,
    /// identity reference and output id is made of this, and the formatting machinery's padded hex was a visible
    /// share of a large tenant's load in wasm.
    #[must_use]
    pub fn text(self) -> GuidText {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        // Two 64-bit halves: a 128-bit shift by a variable amount is a library call in wasm32.
        let halves = [(self.0 >> 64) as u64, self.0 as u64];
        let mut out = [b'-'; 36];
        let mut digit = 0;
        for (at, slot) in out.iter_mut().enumerate() {
            if matches!(at, 8 | 13 | 18 | 23) {
                continue;
            }
            let half = halves[digit / 16];
            *slot = DIGITS[((half >> (60 - 4 * (digit % 16))) & 0xF) as usize];
            digit += 1;
        }
        GuidText(out)
    }

    /// [`Guid::text`] as an owned `String`: what `to_string` gives, without the formatting machinery (findings name
    /// every identity by its GUID).
    #[must_use]
    pub fn canonical(self) -> String {
        self.text().as_str().to_owned()
    }
}

/// A GUID's canonical text ([`Guid::text`]), held on the stack.
#[derive(Clone, Copy)]
pub struct GuidText([u8; 36]);

impl GuidText {
    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and hyphens are ever written, so this never fails.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Eight hex digits (any case), the first in the lowest byte of `w`, as their 32-bit value; `None` unless all eight
/// are hex digits. Every byte is checked and converted at once in the word (no table, no branch per digit).
#[inline]
fn hex8(w: u64) -> Option<u32> {
    use crate::swar::{HIGHS, ONES};
    // Bytes with the high bit set are never digits; below it, per-byte sums carry into bit 7 and no further.
    let x = w & !HIGHS;
    let at_least = |v: u64, low: u8| (v + ONES * u64::from(0x80 - low)) & HIGHS;
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    let folded = x | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'f' + 1);
    if (digit | letter) & !w & HIGHS != HIGHS {
        return None;
    }
    // A digit's low four bits are its value; a letter's (0x41.., 0x61..) plus nine, and only letters have 0x40.
    let v = (x & (ONES * 0x0F)) + ((x >> 6) & ONES) * 9;
    // Pack the nibbles, first digit most significant: pairs into bytes, bytes into 16-bit lanes, lanes into 32 bits.
    let v = ((v << 4) | (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = ((v << 8) | (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((((v << 16) | (v >> 32)) & 0xFFFF_FFFF) as u32)
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Guid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Guid::parse(&text).ok_or_else(|| serde::de::Error::custom("not a GUID"))
    }
}

/// An interned string: an index into [`Interner`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sym(pub u32);

/// Hashing for the ingest's lookup tables: a small multiply-rotate hash, several times faster than the standard
/// library's SipHash on the short keys the exports are made of (ids, names, GUIDs). It is not keyed: the core has no
/// entropy source, and the worst a crafted export can do is slow its own ingest down.
pub mod hash {
    use std::hash::{BuildHasher, Hasher};

    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    #[inline]
    fn add(h: u64, word: u64) -> u64 {
        (h.rotate_left(5) ^ word).wrapping_mul(K)
    }

    /// Spread the state over every bit (the tables use both the low and the high bits).
    #[inline]
    fn finish(h: u64) -> u64 {
        let h = (h ^ (h >> 32)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
        h ^ (h >> 32)
    }

    #[inline]
    fn words(mut h: u64, bytes: &[u8], map: impl Fn(u64) -> u64) -> u64 {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            h = add(h, map(crate::swar::tail(chunk)));
        }
        let rest = crate::swar::tail(chunks.remainder());
        add(add(h, map(rest)), bytes.len() as u64)
    }

    /// Hash of a byte string.
    #[inline]
    #[must_use]
    pub fn bytes(bytes: &[u8]) -> u64 {
        finish(words(0, bytes, |w| w))
    }

    /// Hash of a byte string's ASCII-lowercase form (equal for texts that are equal ignoring ASCII case).
    #[inline]
    #[must_use]
    pub fn bytes_ignore_ascii_case(bytes: &[u8]) -> u64 {
        finish(words(0, bytes, crate::swar::lower))
    }

    /// A table entry's short hash: 32 bits of [`bytes`] (or [`bytes_ignore_ascii_case`]), kept beside the entry so
    /// that growing a table never hashes a string again.
    #[inline]
    #[must_use]
    pub fn short(hash: u64) -> u32 {
        hash as u32
    }

    /// The table hash of a short hash: spread back over 64 bits (the tables take their tag from the high bits).
    #[inline]
    #[must_use]
    pub fn spread(short: u32) -> u64 {
        u64::from(short).wrapping_mul(K) ^ u64::from(short)
    }

    /// A [`Hasher`] over the same mixing, for `HashMap`s keyed by GUIDs, integers and strings.
    #[derive(Default, Clone, Copy)]
    pub struct FastHasher(u64);

    impl Hasher for FastHasher {
        #[inline]
        fn write(&mut self, bytes: &[u8]) {
            self.0 = words(self.0, bytes, |w| w);
        }
        #[inline]
        fn write_u8(&mut self, i: u8) {
            self.0 = add(self.0, u64::from(i));
        }
        #[inline]
        fn write_u32(&mut self, i: u32) {
            self.0 = add(self.0, u64::from(i));
        }
        #[inline]
        fn write_u64(&mut self, i: u64) {
            self.0 = add(self.0, i);
        }
        #[inline]
        fn write_u128(&mut self, i: u128) {
            self.0 = add(add(self.0, i as u64), (i >> 64) as u64);
        }
        #[inline]
        fn write_usize(&mut self, i: usize) {
            self.0 = add(self.0, i as u64);
        }
        #[inline]
        fn finish(&self) -> u64 {
            finish(self.0)
        }
    }

    /// Builds [`FastHasher`]s: `HashMap<K, V, FastBuild>`.
    #[derive(Default, Clone, Copy, Debug)]
    pub struct FastBuild;

    impl BuildHasher for FastBuild {
        type Hasher = FastHasher;
        #[inline]
        fn build_hasher(&self) -> FastHasher {
            FastHasher::default()
        }
    }

    /// A `HashMap` with [`FastBuild`].
    pub type FastMap<K, V> = std::collections::HashMap<K, V, FastBuild>;
}

/// Where an interned string's bytes are: arena block, start, length.
#[derive(Clone, Copy, Debug)]
struct Span {
    block: u32,
    start: u32,
    len: u32,
}

/// Arena blocks hold many strings each, so that a string costs its bytes plus a 12-byte span and a table slot
/// (instead of two heap copies and a map entry).
const BLOCK: usize = 256 << 10;

/// Stores each distinct string once. Serialised as the plain list of strings; [`Sym`] values index it.
#[derive(Default, Debug, Clone)]
pub struct Interner {
    blocks: Vec<String>,
    spans: Vec<Span>,
    /// Symbols with the short hash of their text.
    table: hashbrown::HashTable<(u32, u32)>,
}

impl Interner {
    /// The symbol for `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> Sym {
        let short = hash::short(hash::bytes(text.as_bytes()));
        if let Some(&(i, _)) = self.find(short, text) {
            return Sym(i);
        }
        let i = self.push(text);
        self.table
            .insert_unique(hash::spread(short), (i, short), |&(_, h)| hash::spread(h));
        Sym(i)
    }

    fn find(&self, short: u32, text: &str) -> Option<&(u32, u32)> {
        self.table.find(hash::spread(short), |&(s, h)| {
            h == short
                && same_bytes(
                    text_of(&self.blocks, &self.spans, s).as_bytes(),
                    text.as_bytes(),
                )
        })
    }

    /// Append `text` to the arena as a new symbol (not looked up, not indexed).
    fn push(&mut self, text: &str) -> u32 {
        let fits = self
            .blocks
            .last()
            .is_some_and(|b| b.capacity() - b.len() >= text.len());
        if !fits {
            self.blocks
                .push(String::with_capacity(BLOCK.max(text.len())));
        }
        let block_ix = self.blocks.len() - 1;
        let block = &mut self.blocks[block_ix];
        let span = Span {
            block: u32::try_from(block_ix).unwrap_or(u32::MAX),
            start: u32::try_from(block.len()).unwrap_or(u32::MAX),
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        };
        block.push_str(text);
        self.spans.push(span);
        u32::try_from(self.spans.len() - 1).unwrap_or(u32::MAX)
    }

    /// The symbol for `text` if it was interned.
    #[must_use]
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.find(hash::short(hash::bytes(text.as_bytes())), text)
            .map(|&(i, _)| Sym(i))
    }

    /// The text of a symbol (empty for a symbol from another interner).
    #[must_use]
    pub fn resolve(&self, sym: Sym) -> &str {
        text_of(&self.blocks, &self.spans, sym.0)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Every string, in symbol order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.spans.len()).map(|i| text_of(&self.blocks, &self.spans, i as u32))
    }
}

#[inline]
fn text_of<'a>(blocks: &'a [String], spans: &[Span], sym: u32) -> &'a str {
    spans
        .get(sym as usize)
        .and_then(|s| {
            blocks
                .get(s.block as usize)
                .and_then(|b| b.get(s.start as usize..s.start as usize + s.len as usize))
        })
        .unwrap_or("")
}

impl Serialize for Interner {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Interner {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let strings = Vec::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let mut interner = Interner::default();
        for text in &strings {
            // Keep every position (symbols index the list); a repeated string resolves to its last copy, as before.
            let i = interner.push(text);
            let short = hash::short(hash::bytes(text.as_bytes()));
            let Interner {
                blocks,
                spans,
                table,
            } = &mut interner;
            match table.find_mut(hash::spread(short), |&(s, h)| {
                h == short && text_of(blocks, spans, s) == text.as_ref()
            }) {
                Some(slot) => slot.0 = i,
                None => {
                    table.insert_unique(hash::spread(short), (i, short), |&(_, h)| hash::spread(h));
                }
            }
        }
        Ok(interner)
    }
}

/// The join form of an Azure resource id or name: ASCII-lowercase, without a trailing `/`.
#[must_use]
pub fn fold(id: &str) -> String {
    trim_end_slashes(trim(id)).to_ascii_lowercase()
}

/// The short hash of an id as [`fold`] compares it (ASCII case ignored, surrounding spaces and trailing `/`s
/// dropped), computed on the id's own text: no lowercased copy.
#[inline]
#[must_use]
pub fn folded_hash(id: &str) -> u32 {
    hash::short(hash::bytes_ignore_ascii_case(
        trim_end_slashes(trim(id)).as_bytes(),
    ))
}

/// `fold(a) == fold(b)`, without making either.
#[inline]
#[must_use]
pub fn fold_eq(a: &str, b: &str) -> bool {
    same_ignoring_ascii_case(
        trim_end_slashes(trim(a)).as_bytes(),
        trim_end_slashes(trim(b)).as_bytes(),
    )
}

/// Azure ids mapped to numbers (identity or workload indices) as [`fold`] compares them, each key kept as the symbol
/// of its first spelling: a lookup or an insertion hashes the id's own text and compares it ignoring case, where a
/// map keyed by `fold(id)` made a lowercased copy of every id it was given.
#[derive(Clone, Debug, Default)]
pub struct FoldedIds {
    /// Key symbol, value, short [`folded_hash`] of the key.
    table: hashbrown::HashTable<(Sym, u32, u32)>,
}

impl FoldedIds {
    /// Room for `n` ids.
    #[must_use]
    pub fn with_capacity(n: usize) -> Self {
        Self {
            table: hashbrown::HashTable::with_capacity(n),
        }
    }

    /// The entry of the id whose short hash is `short` and whose text is `id`, ignoring case.
    fn find(&self, strings: &Interner, id: &str, short: u32) -> Option<&(Sym, u32, u32)> {
        self.table.find(hash::spread(short), |&(k, _, h)| {
            h == short && fold_eq(strings.resolve(k), id)
        })
    }

    /// The number `id` maps to.
    #[must_use]
    pub fn get(&self, strings: &Interner, id: &str) -> Option<u32> {
        self.find(strings, id, folded_hash(id)).map(|&(_, v, _)| v)
    }

    /// Map the id `key` to `value` unless an equal id is mapped already (as `entry(..).or_insert(..)`).
    pub fn insert_first(&mut self, strings: &Interner, key: Sym, value: u32) {
        let text = strings.resolve(key);
        let short = folded_hash(text);
        if self.find(strings, text, short).is_none() {
            self.table
                .insert_unique(hash::spread(short), (key, value, short), |&(_, _, h)| {
                    hash::spread(h)
                });
        }
    }
}

/// Byte equality eight bytes at a time. On wasm32 `==` on slices calls a `memcmp` that goes byte by byte, and the
/// ingest compares many short ids (interning, keys).
#[inline]
#[must_use]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    same_words(a, b, |w| w)
}

/// `a.eq_ignore_ascii_case(b)` eight bytes at a time (the ingest compares every scope path this way).
#[inline]
#[must_use]
pub fn same_ignoring_ascii_case(a: &[u8], b: &[u8]) -> bool {
    same_words(a, b, crate::swar::lower)
}

/// Equal lengths, and equal words once each is passed through `map` (the tail packed by [`crate::swar::tail`]).
#[inline]
fn same_words(a: &[u8], b: &[u8], map: impl Fn(u64) -> u64) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |w: &[u8]| map(crate::swar::tail(w));
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    (&mut x).zip(&mut y).all(|(p, q)| word(p) == word(q))
        && word(x.remainder()) == word(y.remainder())
}

/// `text.strip_prefix(prefix)` through [`same_bytes`].
#[inline]
#[must_use]
pub fn strip_prefix<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.as_bytes().get(..prefix.len())?;
    if !same_bytes(head, prefix.as_bytes()) {
        return None;
    }
    text.get(prefix.len()..)
}

/// `str::trim`, returning at once in the usual case: text that starts and ends with a visible ASCII character (every
/// Unicode white space is either ASCII up to the space or starts with a byte over 0x7F).
#[inline]
#[must_use]
pub fn trim(text: &str) -> &str {
    let plain = |b: u8| b > b' ' && b < 0x80;
    match text.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => text,
        [only] if plain(*only) => text,
        _ => text.trim(),
    }
}

/// `text` without its trailing `/`s (byte-wise; `trim_end_matches('/')` goes through a char searcher).
#[inline]
#[must_use]
pub fn trim_end_slashes(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == b'/' {
        end -= 1;
    }
    text.get(..end).unwrap_or(text)
}

/// Where an Azure scope sits in the hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeLevel {
    /// `/`: the tenant root.
    Root,
    /// `/providers/Microsoft.Management/managementGroups/<id>`.
    ManagementGroup,
    /// `/subscriptions/<sub>`.
    Subscription,
    /// `/subscriptions/<sub>/resourceGroups/<rg>`.
    ResourceGroup,
    /// Anything below a resource group (or a provider path under a subscription).
    Resource,
    /// Not an Azure scope path.
    Unknown,
}

impl ScopeLevel {
    /// All levels, in order from broadest to narrowest.
    pub const ALL: [ScopeLevel; 6] = [
        ScopeLevel::Root,
        ScopeLevel::ManagementGroup,
        ScopeLevel::Subscription,
        ScopeLevel::ResourceGroup,
        ScopeLevel::Resource,
        ScopeLevel::Unknown,
    ];

    /// The stable kebab-case name.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            ScopeLevel::Root => "root",
            ScopeLevel::ManagementGroup => "management-group",
            ScopeLevel::Subscription => "subscription",
            ScopeLevel::ResourceGroup => "resource-group",
            ScopeLevel::Resource => "resource",
            ScopeLevel::Unknown => "unknown",
        }
    }
}

/// The parts of an Azure resource id or scope that the model keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArmPath<'a> {
    pub subscription: Option<&'a str>,
    pub resource_group: Option<&'a str>,
    pub management_group: Option<&'a str>,
}

/// Split an Azure resource id into its level and parts, matching segment names case-insensitively.
#[must_use]
pub fn parse_arm_path(id: &str) -> (ScopeLevel, ArmPath<'_>) {
    let trimmed = id.trim();
    if trimmed == "/" {
        return (ScopeLevel::Root, ArmPath::default());
    }
    if !trimmed.starts_with('/') {
        return (ScopeLevel::Unknown, ArmPath::default());
    }
    // The level needs at most the first four segments and whether a fifth follows: read no further (resource ids
    // run to ten segments and more, and most scopes of a big tenant are resources, each new one parsed once).
    let mut first = [""; 5];
    let mut count = 0;
    // Segments follow the leading `/`; trailing ones are ignored, empty ones inside are kept (and match nothing).
    let mut tail = trimmed.trim_end_matches('/').get(1..);
    while count < first.len() {
        let Some(text) = tail else { break };
        let end = text.bytes().position(|b| b == b'/');
        first[count] = end.map_or(text, |at| &text[..at]);
        tail = end.map(|at| &text[at + 1..]);
        count += 1;
    }
    let segments = &first[..count];
    let mut path = ArmPath::default();
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match segments {
        [p, ns, mg, name, rest @ ..]
            if eq(p, "providers")
                && eq(ns, "Microsoft.Management")
                && eq(mg, "managementGroups") =>
        {
            path.management_group = Some(name);
            let level = if rest.is_empty() {
                ScopeLevel::ManagementGroup
            } else {
                ScopeLevel::Resource
            };
            (level, path)
        }
        [s, sub, rest @ ..] if eq(s, "subscriptions") && !sub.is_empty() => {
            path.subscription = Some(sub);
            match rest {
                [] => (ScopeLevel::Subscription, path),
                [rg, name, rest @ ..] if eq(rg, "resourceGroups") && !name.is_empty() => {
                    path.resource_group = Some(name);
                    let level = if rest.is_empty() {
                        ScopeLevel::ResourceGroup
                    } else {
                        ScopeLevel::Resource
                    };
                    (level, path)
                }
                _ => (ScopeLevel::Resource, path),
            }
        }
        [p, ..] if eq(p, "providers") => (ScopeLevel::Resource, path),
        _ => (ScopeLevel::Unknown, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_hash_is_the_hash_of_the_lowercase_text() {
        // Every byte value at every position of a word and of the tail.
        for len in [1usize, 7, 8, 9, 16, 21] {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut text = vec![b'Q'; len];
                    text[at] = b;
                    let lower = text.to_ascii_lowercase();
                    assert_eq!(
                        hash::bytes_ignore_ascii_case(&text),
                        hash::bytes(&lower),
                        "byte {b:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert_eq!(
            hash::bytes_ignore_ascii_case("/subscriptions/ABC/resourceGroups/Rg-É".as_bytes()),
            hash::bytes_ignore_ascii_case("/SUBSCRIPTIONS/abc/RESOURCEGROUPS/rG-É".as_bytes())
        );
    }

    #[test]
    fn same_ignoring_ascii_case_is_eq_ignore_ascii_case() {
        let text = "/subscriptions/885AE610-21cd-4c67/resourceGroups/Rg-É-x[]@`{";
        let lower = text.to_ascii_lowercase();
        let upper = text.to_ascii_uppercase();
        for len in 0..text.len() {
            let (a, b, c) = (
                &text.as_bytes()[..len],
                &lower.as_bytes()[..len],
                &upper.as_bytes()[..len],
            );
            assert!(
                same_ignoring_ascii_case(a, b) && same_ignoring_ascii_case(c, b),
                "{len}"
            );
            for at in 0..len {
                for flip in [0x01u8, 0x20, 0x40] {
                    let mut d = b.to_vec();
                    d[at] ^= flip;
                    assert_eq!(
                        same_ignoring_ascii_case(a, &d),
                        a.eq_ignore_ascii_case(&d),
                        "{len} {at} {flip}"
                    );
                }
            }
        }
    }

    #[test]
    fn same_bytes_is_equality() {
        let text = b"/subscriptions/885ae610-21cd-4c67-8b87-2f3a1851e49e/resourcegroups/x";
        for len in 0..text.len() {
            let a = &text[..len];
            assert!(same_bytes(a, a));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_bytes(a, &b), "{len} {at}");
            }
            assert!(!same_bytes(a, &text[..len + 1]));
        }
    }

    #[test]
    fn quick_trims_agree_with_the_standard_ones() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}x\u{a0}",
            "x\u{2003}",
            "/a//",
            "//",
            "é",
            "\tid\n",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
            assert_eq!(
                trim_end_slashes(text),
                text.trim_end_matches('/'),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_guid_is_written_as_padded_lower_case_hex_in_five_groups() {
        // The hand-written text form against the formatting machinery, on values with leading zeros in each group.
        let expected = |v: u128| {
            format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                (v >> 96) as u32,
                (v >> 80) as u16,
                (v >> 64) as u16,
                (v >> 48) as u16,
                v & 0xFFFF_FFFF_FFFF
            )
        };
        let mut values = vec![0, 1, u128::MAX, 0x0000_000F_000F_000F_000F_0000_0000_000F];
        let mut v = 0x9E37_79B9_7F4A_7C15_u128;
        for _ in 0..200 {
            v = v
                .wrapping_mul(0x2545_F491_4F6C_DD1D_0000_0000_0000_0001)
                .wrapping_add(0x1234_5678);
            values.push(v);
            values.push(v >> 61);
        }
        for v in values {
            let text = Guid(v).text();
            assert_eq!(text.as_str(), expected(v));
            assert_eq!(Guid(v).to_string(), expected(v));
            assert_eq!(Guid(v).canonical(), expected(v));
            assert_eq!(Guid::parse(text.as_str()), Some(Guid(v)));
        }
    }

    #[test]
    fn every_byte_at_every_digit_position_parses_as_a_plain_reading_says() {
        let text = *b"8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        let plain = |t: &[u8]| -> Option<u128> {
            let digits: Vec<u8> = t
                .iter()
                .enumerate()
                .filter(|(at, _)| ![8, 13, 18, 23].contains(at))
                .map(|(_, &d)| d)
                .collect();
            let digits = std::str::from_utf8(&digits).ok()?;
            let ok = digits.bytes().all(|d| d.is_ascii_hexdigit());
            ok.then(|| u128::from_str_radix(digits, 16).ok()).flatten()
        };
        for at in (0..36).filter(|at| ![8, 13, 18, 23].contains(at)) {
            for byte in 0..=255u8 {
                let mut t = text;
                t[at] = byte;
                let Ok(s) = std::str::from_utf8(&t) else {
                    continue;
                };
                assert_eq!(Guid::parse(s).map(|g| g.0), plain(&t), "{s:?}");
            }
        }
        // Two-byte characters (bytes with the high bit set) over two digit positions.
        for at in (0..35).filter(|at| ![7, 8, 12, 13, 17, 18, 22, 23].contains(at)) {
            for lead in [0xC2u8, 0xC3, 0xCF, 0xDF] {
                for next in 0x80..=0xBFu8 {
                    let mut t = text;
                    t[at] = lead;
                    t[at + 1] = next;
                    let s = std::str::from_utf8(&t).expect("a two-byte character");
                    assert_eq!(Guid::parse(s), None, "{s:?}");
                }
            }
        }
        // Every digit value in every position, both cases.
        for digit in b"0123456789abcdefABCDEF" {
            let t: Vec<u8> = text
                .iter()
                .map(|&c| if c == b'-' { c } else { *digit })
                .collect();
            let s = std::str::from_utf8(&t).expect("ascii");
            assert_eq!(Guid::parse(s).map(|g| g.0), plain(&t), "{s}");
        }
    }

    #[test]
    fn guids_round_trip_in_any_case() {
        let g = Guid::parse("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635").expect("guid");
        assert_eq!(g.to_string(), "8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
        assert_eq!(
            Guid::parse("{8e3af657-a8ff-443c-a75c-2fe8c4bcb635}"),
            Some(g)
        );
        assert_eq!(Guid::parse("subid"), None);
        assert_eq!(Guid::parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb63"), None);
        assert_eq!(Guid::parse("8e3af657xa8ff-443c-a75c-2fe8c4bcb635"), None);
        assert_eq!(Guid::parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb6zz"), None);
        assert_eq!(Guid::parse("ééééééé-a8ff-443c-a75c-2fe8c4bcb635"), None);
        // A byte that is not a hex digit, at any digit position.
        let text = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        for at in (0..36).filter(|at| ![8, 13, 18, 23].contains(at)) {
            for bad in ["g", "-", " ", "G", "/"] {
                let mut t = text.to_owned();
                t.replace_range(at..=at, bad);
                assert_eq!(Guid::parse(&t), None, "{t}");
            }
        }
        let id = "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        assert_eq!(Guid::trailing(id), Some(g));
        let json = serde_json::to_string(&g).expect("ser");
        assert_eq!(serde_json::from_str::<Guid>(&json).expect("de"), g);
    }

    #[test]
    fn interner_stores_once() {
        let mut i = Interner::default();
        let a = i.intern("Owner");
        assert_eq!(i.intern("Owner"), a);
        assert_ne!(i.intern("owner"), a);
        assert_eq!(i.resolve(a), "Owner");
        assert_eq!(i.resolve(Sym(99)), "");
        let json = serde_json::to_string(&i).expect("ser");
        let back: Interner = serde_json::from_str(&json).expect("de");
        assert_eq!(back.get("owner"), Some(Sym(1)));
    }

    /// Every path made of up to six segments from a set of tricky ones (empty, the names the levels are told by,
    /// in other cases, non-ASCII), with and without trailing slashes and spaces: the level and parts are those of a
    /// plain reading that splits the whole path first.
    #[test]
    fn scope_parsing_reads_only_the_segments_it_needs() {
        fn whole_split(id: &str) -> (ScopeLevel, ArmPath<'_>) {
            let trimmed = id.trim();
            if trimmed == "/" {
                return (ScopeLevel::Root, ArmPath::default());
            }
            if !trimmed.starts_with('/') {
                return (ScopeLevel::Unknown, ArmPath::default());
            }
            let all: Vec<&str> = trimmed.trim_end_matches('/').split('/').skip(1).collect();
            let is =
                |at: usize, name: &str| all.get(at).is_some_and(|s| s.eq_ignore_ascii_case(name));
            let given = |at: usize| all.get(at).copied().filter(|s| !s.is_empty());
            let mut path = ArmPath::default();
            if all.len() >= 4
                && is(0, "providers")
                && is(1, "Microsoft.Management")
                && is(2, "managementGroups")
            {
                path.management_group = all.get(3).copied();
                let level = if all.len() == 4 {
                    ScopeLevel::ManagementGroup
                } else {
                    ScopeLevel::Resource
                };
                return (level, path);
            }
            if is(0, "subscriptions") && given(1).is_some() {
                path.subscription = given(1);
                if all.len() == 2 {
                    return (ScopeLevel::Subscription, path);
                }
                if all.len() >= 4 && is(2, "resourceGroups") && given(3).is_some() {
                    path.resource_group = given(3);
                    let level = if all.len() == 4 {
                        ScopeLevel::ResourceGroup
                    } else {
                        ScopeLevel::Resource
                    };
                    return (level, path);
                }
                return (ScopeLevel::Resource, path);
            }
            if is(0, "providers") {
                return (ScopeLevel::Resource, path);
            }
            (ScopeLevel::Unknown, path)
        }
        let parts = [
            "",
            "subscriptions",
            "SUBSCRIPTIONS",
            "s1",
            "resourceGroups",
            "resourcegroups",
            "rg",
            "providers",
            "Microsoft.Management",
            "managementgroups",
            "mg",
            "ünï",
            " ",
        ];
        let mut checked = 0;
        let mut paths = vec![String::new()];
        for _ in 0..6 {
            let mut longer = Vec::new();
            for path in &paths {
                for (at, part) in parts.iter().enumerate() {
                    // Past the third segment only emptiness and count matter: vary the rest less.
                    if path.matches('/').count() >= 3 && at % 6 != 0 {
                        continue;
                    }
                    longer.push(format!("{path}/{part}"));
                }
            }
            for path in &longer {
                for text in [
                    path.clone(),
                    format!("{path}/"),
                    format!(" {path}// "),
                    path[1..].to_owned(),
                ] {
                    assert_eq!(parse_arm_path(&text), whole_split(&text), "{text:?}");
                    checked += 1;
                }
            }
            paths = longer;
        }
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn folded_ids_are_found_in_any_casing_and_the_first_mapping_wins() {
        let mut strings = Interner::default();
        let a = strings.intern("/subscriptions/S1/resourceGroups/RG/providers/X/y/Id-1");
        let a_again = strings.intern("/subscriptions/s1/resourcegroups/rg/providers/x/y/id-1/");
        let b = strings.intern("/subscriptions/S1/resourceGroups/RG/providers/X/y/Id-2");
        let mut ids = FoldedIds::with_capacity(1);
        ids.insert_first(&strings, a, 7);
        ids.insert_first(&strings, a_again, 8);
        ids.insert_first(&strings, b, 9);
        for text in [
            "/subscriptions/S1/resourceGroups/RG/providers/X/y/Id-1",
            " /SUBSCRIPTIONS/s1/RESOURCEGROUPS/rg/PROVIDERS/x/Y/ID-1// ",
        ] {
            assert_eq!(ids.get(&strings, text), Some(7), "{text}");
            assert_eq!(
                fold_eq(text, strings.resolve(a)),
                fold(text) == fold(strings.resolve(a))
            );
        }
        assert_eq!(
            ids.get(
                &strings,
                "/subscriptions/s1/resourcegroups/rg/providers/x/y/id-2"
            ),
            Some(9)
        );
        assert_eq!(
            ids.get(
                &strings,
                "/subscriptions/s1/resourcegroups/rg/providers/x/y/id-3"
            ),
            None
        );
        assert_eq!(
            ids.get(
                &strings,
                "/subscriptions/s1/resourcegroups/rg/providers/x/y/id"
            ),
            None
        );
        // Many ids, looked up in other casings: the table grows and keeps finding them.
        let syms: Vec<Sym> = (0..500)
            .map(|n| strings.intern(&format!("/subscriptions/Sub/resourceGroups/Rg{n}/x")))
            .collect();
        for (n, &sym) in syms.iter().enumerate() {
            ids.insert_first(&strings, sym, n as u32);
        }
        for n in 0..500u32 {
            let text = format!("/SUBSCRIPTIONS/sub/RESOURCEGROUPS/rG{n}/X/");
            assert_eq!(ids.get(&strings, &text), Some(n), "{text}");
        }
    }

    #[test]
    fn scope_levels() {
        let level = |s| parse_arm_path(s).0;
        assert_eq!(level("/"), ScopeLevel::Root);
        assert_eq!(
            level("/providers/Microsoft.Management/managementGroups/mg1"),
            ScopeLevel::ManagementGroup
        );
        assert_eq!(level("/subscriptions/abc"), ScopeLevel::Subscription);
        assert_eq!(level("/subscriptions/abc/"), ScopeLevel::Subscription);
        assert_eq!(
            level("/subscriptions/abc/resourcegroups/RG"),
            ScopeLevel::ResourceGroup
        );
        assert_eq!(
            level("/SUBSCRIPTIONS/abc/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/v"),
            ScopeLevel::Resource
        );
        assert_eq!(level("not a path"), ScopeLevel::Unknown);
        assert_eq!(level(""), ScopeLevel::Unknown);
        let (_, p) = parse_arm_path("/subscriptions/S1/resourceGroups/Rg1/providers/x/y/z");
        assert_eq!(
            (p.subscription, p.resource_group),
            (Some("S1"), Some("Rg1"))
        );
        assert_eq!(
            fold("/Subscriptions/A/ResourceGroups/B/"),
            "/subscriptions/a/resourcegroups/b"
        );
    }
}
