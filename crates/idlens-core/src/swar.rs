//! Eight bytes at a time in a `u64` ("SIMD within a register"): finding the first byte of a small set in a run of
//! text without a branch per byte. Plain integer code, so it is as fast in wasm32 (which has 64-bit integers) as
//! natively, with no target feature to detect.

pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The word at `text[at..at + 8]`, little-endian, when there are eight bytes there.
#[inline]
pub(crate) fn word(text: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 8] = text.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// High bit set in each byte of `w` that is zero. Exact for the lowest such byte (a borrow can only mark bytes above
/// a zero byte), which is all the callers use: the lowest set bit of an OR of such masks is a true hit.
#[inline]
pub(crate) fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// High bit set in each byte of `w` equal to `byte` (exact for the lowest, as [`zero_bytes`]).
#[inline]
pub(crate) fn eq(w: u64, byte: u8) -> u64 {
    zero_bytes(w ^ (ONES * u64::from(byte)))
}

/// High bit set in each byte of `w` below 0x20 (a control character; exact for the lowest).
#[inline]
pub(crate) fn control(w: u64) -> u64 {
    w.wrapping_sub(ONES * 0x20) & !w & HIGHS
}

/// Eight bytes ASCII-lowercased at once: `A`–`Z` gain 0x20, every other byte (UTF-8 ones included) is kept.
#[inline]
pub(crate) fn lower(w: u64) -> u64 {
    let low7 = w & !HIGHS;
    // Per byte, no carry between bytes (each sum stays under 0x100): high bit set when >= 'A', when > 'Z'.
    let from_a = low7 + 0x3F3F_3F3F_3F3F_3F3F;
    let past_z = low7 + 0x2525_2525_2525_2525;
    let upper = from_a & !past_z & !w & HIGHS;
    w | (upper >> 2)
}

/// The sixteen bytes at `text[at..at + 16]` as one vector, when there are sixteen bytes there (sixteen reads of one
/// array, which the compiler turns into a single vector load).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
pub(crate) fn vector(text: &[u8], at: usize) -> Option<core::arch::wasm32::v128> {
    let b: &[u8; 16] = text.get(at..at + 16)?.try_into().ok()?;
    Some(core::arch::wasm32::u8x16(
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15],
    ))
}

/// The first `"`, `\\` or control byte at or after `at`; when none is found, where the last step ended (the caller
/// reads the rest, fewer than eight bytes, one by one). Eight bytes at a time in a `u64`; in a wasm module built
/// with `simd128` (the worker's), sixteen at a time in a vector first (a load, three compares, two ORs and a bit
/// mask per sixteen bytes, against some eighteen operations per eight in the `u64` steps), on the strings that are
/// most of a role-assignment export.
#[inline]
pub(crate) fn string_stop(text: &[u8], at: usize) -> usize {
    quote_scan::<true>(text, at)
}

/// The first `"` or `\\` at or after `at` (the end of a JSON string, or an escape in it); when none is found, where
/// the last step ended, as [`string_stop`]. Control bytes are not stops: the framer leaves judging them to the
/// reader of the record.
#[inline]
pub(crate) fn quote_or_escape(text: &[u8], at: usize) -> usize {
    quote_scan::<false>(text, at)
}

/// The scan behind [`string_stop`] (`CONTROL`: control bytes stop it too) and [`quote_or_escape`].
#[inline]
fn quote_scan<const CONTROL: bool>(text: &[u8], mut at: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while let Some(v) = vector(text, at) {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128_or};
        let mut hits = v128_or(
            u8x16_eq(v, u8x16_splat(b'"')),
            u8x16_eq(v, u8x16_splat(b'\\')),
        );
        if CONTROL {
            hits = v128_or(hits, u8x16_lt(v, u8x16_splat(0x20)));
        }
        let stops = u8x16_bitmask(hits);
        if stops != 0 {
            return at + stops.trailing_zeros() as usize;
        }
        at += 16;
    }
    while let Some(w) = word(text, at) {
        let mut hits = eq(w, b'"') | eq(w, b'\\');
        if CONTROL {
            hits |= control(w);
        }
        if hits != 0 {
            return at + first(hits);
        }
        at += 8;
    }
    at
}

/// The bytes of a slice shorter than eight (a string's tail after its whole words) in one word, each of them in some
/// byte of it, read with at most two loads and no copy (a zero-padded copy is a `memcpy` call per tail, and keys,
/// ids and names each end in one). Not the zero-padded value: two tails of the same length give the same word
/// exactly when they are equal, which is all that comparing and hashing them need (both also take the length). Any
/// longer slice gives its first eight bytes.
#[inline]
pub(crate) fn tail(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let four = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
    };
    match n {
        0 => 0,
        // First, middle and last byte: all of one to three.
        1..=3 => u64::from(bytes[0]) | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]) << 16,
        // The first four and the last four, overlapping below eight.
        4..=7 => four(0) | four(n - 4) << 32,
        _ => word(bytes, 0).unwrap_or(0),
    }
}

/// High bit set in each byte of `w` equal to `byte`, exactly (no borrow between bytes, unlike [`eq`]): for
/// counting, where every marked byte matters, not only the lowest.
#[inline]
pub(crate) fn eq_exact(w: u64, byte: u8) -> u64 {
    let x = w ^ (ONES * u64::from(byte));
    // Per byte: the low seven bits plus 0x7F carry into the high bit unless they are all zero; OR the byte's own
    // high bit. A byte is zero exactly when neither is set.
    !(((x & !HIGHS) + !HIGHS) | x) & HIGHS
}

/// How many bytes of `text` are `byte` (the line breaks of a record read in one pass): sixteen bytes a step in a
/// vector in the worker's module, eight in a word elsewhere, the last few one by one.
#[inline]
pub(crate) fn count_exact(text: &[u8], byte: u8) -> u64 {
    let mut count = 0u64;
    let mut at = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    while let Some(v) = vector(text, at) {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat};
        count += u64::from(u8x16_bitmask(u8x16_eq(v, u8x16_splat(byte))).count_ones());
        at += 16;
    }
    while let Some(w) = word(text, at) {
        count += u64::from(eq_exact(w, byte).count_ones());
        at += 8;
    }
    count
        + text
            .get(at..)
            .map_or(0, |rest| rest.iter().filter(|&&b| b == byte).count() as u64)
}

/// The position of the lowest marked byte of a non-zero mask.
#[inline]
pub(crate) fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scan against a byte-by-byte reading: each of `targets` at every position of texts of 0 to 40 bytes, from
    /// every starting offset. Where there is no stop, the scan ends within the last seven bytes.
    fn check_scan(scan: fn(&[u8], usize) -> usize, is_stop: fn(u8) -> bool, targets: &[u8]) {
        for len in 0..40 {
            for at in 0..len {
                for &target in targets {
                    let mut text = vec![b'a'; len];
                    text[at] = target;
                    for start in 0..=len {
                        let expected = text[start..]
                            .iter()
                            .position(|&b| is_stop(b))
                            .map(|p| p + start);
                        let got = scan(&text, start);
                        match expected {
                            Some(p) if p - start < (len - start) / 8 * 8 => {
                                assert_eq!(got, p, "{text:?} {start}")
                            }
                            Some(p) => {
                                assert!(got <= p && len - got < 8, "{text:?} {start}: {got}")
                            }
                            None => assert!(got <= len && len - got < 8, "{text:?} {start}: {got}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_first_string_stop_is_found_at_every_offset_and_length() {
        // Stop bytes and near misses.
        check_scan(
            string_stop,
            |b| b == b'"' || b == b'\\' || b < 0x20,
            &[
                b'"', b'\\', 0, 0x1F, b'\n', 0x20, b'!', b'#', 0x5B, 0x5D, 0x80, 0xFF,
            ],
        );
    }

    #[test]
    fn quotes_and_escapes_are_found_at_every_offset_and_control_bytes_are_not_stops() {
        check_scan(
            quote_or_escape,
            |b| b == b'"' || b == b'\\',
            &[
                b'"',
                b'\\',
                0,
                b'\n',
                0x1F,
                b'!',
                b'#',
                0x5C ^ 0x80,
                0x80,
                0xFF,
            ],
        );
    }

    #[test]
    fn tails_of_one_length_pack_to_one_word_exactly_when_they_are_equal() {
        for n in 0..8usize {
            // Every byte value at every position of a tail, against a base tail and each other.
            let base = vec![b'k'; n];
            let mut seen = std::collections::HashMap::new();
            for at in 0..n {
                for b in 0..=255u8 {
                    let mut t = base.clone();
                    t[at] = b;
                    let w = tail(&t);
                    assert_eq!(w == tail(&base), t == base, "{t:?}");
                    if let Some(other) = seen.insert(w, t.clone()) {
                        assert_eq!(other, t, "two tails of {n} bytes packed alike");
                    }
                }
            }
            // And lowering a packed tail is packing the lowered tail (the case-insensitive hash relies on it).
            let t: Vec<u8> = (0..n).map(|i| b"AzQ\x80[@Z"[i]).collect();
            assert_eq!(lower(tail(&t)), tail(&t.to_ascii_lowercase()), "{t:?}");
        }
    }

    #[test]
    fn bytes_are_counted_at_every_offset_and_length() {
        for len in 0..48 {
            for start in 0..len.min(17) {
                // Every third byte a line break, and one of each near miss.
                let text: Vec<u8> = (0..len)
                    .map(|i| match i % 6 {
                        0 | 3 => b'\n',
                        1 => b'\n' ^ 0x80,
                        2 => b'\r',
                        4 => 0x0B,
                        _ => b'a',
                    })
                    .collect();
                let expected = text[start..].iter().filter(|&&b| b == b'\n').count() as u64;
                assert_eq!(
                    count_exact(&text[start..], b'\n'),
                    expected,
                    "{len} {start}"
                );
            }
        }
    }

    #[test]
    fn exact_equality_marks_every_equal_byte_and_no_other() {
        // Every pair of byte values in every pair of positions (the rest zero, then 0xFF): no borrow marks a byte.
        for fill in [0u8, 0x0A, 0x0B, 0xFF] {
            for a in 0..8 {
                for b in 0..8 {
                    for va in 0..=255u8 {
                        for vb in [0u8, 0x0A, 0x0B, 0x09, 0x8A, 0xFF, va] {
                            let mut bytes = [fill; 8];
                            bytes[a] = va;
                            bytes[b] = vb;
                            let w = u64::from_le_bytes(bytes);
                            let expected = bytes
                                .iter()
                                .enumerate()
                                .filter(|(_, x)| **x == b'\n')
                                .fold(0u64, |m, (k, _)| m | 0x80 << (8 * k));
                            assert_eq!(eq_exact(w, b'\n'), expected, "{bytes:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_first_hit_is_exact_whatever_surrounds_it() {
        // Every byte value at every position, with every other byte value around it: the first equal byte is found.
        for at in 0..8 {
            for target in [b'"', b'{', b'\n', 0u8, 0x80, 0xFF] {
                for fill in 0..=255u8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = target;
                    let w = u64::from_le_bytes(bytes);
                    let expected = bytes.iter().position(|&b| b == target);
                    let mask = eq(w, target);
                    assert_eq!((mask != 0).then(|| first(mask)), expected, "{bytes:?}");
                    let ctl = control(w);
                    let expected = bytes.iter().position(|&b| b < 0x20);
                    assert_eq!((ctl != 0).then(|| first(ctl)), expected, "{bytes:?}");
                }
            }
        }
    }
}
