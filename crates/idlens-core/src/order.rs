//! Sorting for the outputs (viewer pages, report, diff, remediation plan) with one shared sort routine.
//!
//! `slice::sort_by` is generic over the element and the comparison, and every call site has a closure of its own, so
//! each one compiles a complete copy of the standard library's sort (about 7.5 KiB of wasm each at `opt-level = 3`;
//! thirty of them were a tenth of the worker's module). Here the sort itself runs once, on positions, through a
//! `&dyn` comparison; each call site keeps only its closure and a small in-place permutation. The order is the same
//! as `sort_by`'s: stable, equal elements keep their order. The ingest and the identities table, where sorting is
//! hot, keep the standard sort.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably (as `slice::sort_by`).
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = positions_in_order(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` in its natural order, stably (as `slice::sort`).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` by a key, stably (as `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..n` ordered by `cmp`: the one monomorphic sort every caller shares.
#[inline(never)]
fn positions_in_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Rearranges `v` so that `v[i]` becomes the old `v[order[i]]`, by following each cycle of the permutation with
/// swaps. `order` marks a position done by pointing it at itself.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the test needs no dependency.
    fn pseudo_random(seed: u64, n: usize) -> Vec<(u8, u32)> {
        let mut x = seed;
        (0..n as u32)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 7) as u8, i)
            })
            .collect()
    }

    #[test]
    fn matches_the_standard_stable_sort() {
        for n in [0, 1, 2, 3, 10, 33, 500] {
            for seed in 1..20 {
                let v = pseudo_random(seed, n);
                // Sorting by the first field only: ties must keep their order (the second field says which).
                let mut want = v.clone();
                want.sort_by_key(|p| std::cmp::Reverse(p.0));
                let mut got = v.clone();
                sort_by(&mut got, |a, b| b.0.cmp(&a.0));
                assert_eq!(got, want, "n={n} seed={seed}");
                let mut want = v.clone();
                want.sort_by_key(|p| p.0);
                let mut got = v.clone();
                sort_by_key(&mut got, |p| p.0);
                assert_eq!(got, want, "n={n} seed={seed}");
                let mut want = v.clone();
                want.sort();
                let mut got = v;
                sort(&mut got);
                assert_eq!(got, want, "n={n} seed={seed}");
            }
        }
    }

    #[test]
    fn moves_owned_values_without_losing_any() {
        let mut v: Vec<String> = ["delta", "alpha", "charlie", "bravo", "alpha"]
            .into_iter()
            .map(String::from)
            .collect();
        sort(&mut v);
        assert_eq!(v, ["alpha", "alpha", "bravo", "charlie", "delta"]);
    }
}
