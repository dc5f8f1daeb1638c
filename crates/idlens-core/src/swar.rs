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

/// The position of the lowest marked byte of a non-zero mask.
#[inline]
pub(crate) fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

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
