//! The generator's only source of randomness. Every output file draws from its own ChaCha8 stream of the same seed,
//! so each file is a pure function of the options and can be written in any order, on any platform (wasm included).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};

use super::Guid;

/// A seeded, portable random stream with the few draws the generator needs.
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    /// Stream `stream` of `seed`: different streams never overlap, and the same pair always gives the same draws.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream);
        Self(inner)
    }

    pub(crate) fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 for the sizes used here). `0` when `n == 0`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..hi`; `lo` when the range is empty.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64;
        lo + ((u128::from(self.u64()) * u128::from(span)) >> 64) as i64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        ((self.u64() >> 11) as f64 * SCALE) < p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }

    /// Like [`Rng::pick`] for lists that are never empty (word lists); falls back to `fallback` if one is.
    pub(crate) fn word(&mut self, items: &[&'static str]) -> &'static str {
        self.pick(items).copied().unwrap_or("x")
    }

    /// A random version-4 GUID.
    pub(crate) fn guid(&mut self) -> Guid {
        let raw = (u128::from(self.u64()) << 64) | u128::from(self.u64());
        let v4 = (raw & !(0xF_u128 << 76)) | (0x4_u128 << 76);
        Guid((v4 & !(0x3_u128 << 62)) | (0x2_u128 << 62))
    }

    /// `bytes` random bytes as upper-case hex (certificate thumbprints).
    pub(crate) fn hex_upper(&mut self, bytes: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = String::with_capacity(bytes * 2);
        for _ in 0..bytes {
            let b = (self.u64() & 0xFF) as usize;
            out.push(char::from(DIGITS[b >> 4]));
            out.push(char::from(DIGITS[b & 0xF]));
        }
        out
    }
}
