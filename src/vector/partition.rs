//! Pure arithmetic of distributions, without MPI: block partitions, owners of global ids in
//! contiguous maps, the directory's hashing of arbitrary global ids to ranks, grouping of
//! plan entries by peer rank, and the combine modes. Unit-tested against serial computations.

use crate::error::{Error, Result};

/// A global index (global id, "gid"): non-negative.
pub type Gid = i64;

/// The `P + 1` starts of Epetra's linear (block) map of `n` elements over `p` ranks: the first
/// `n mod p` ranks own one element more than the others.
pub fn block_starts(n: u64, p: usize) -> Vec<Gid> {
    let p64 = p.max(1) as u64;
    let (q, r) = (n / p64, n % p64);
    (0..=p as u64).map(|i| (i * q + i.min(r)) as Gid).collect()
}

/// The starts of a contiguous map whose ranks own `sizes[r]` elements each.
pub fn starts_from_sizes(sizes: &[u64]) -> Vec<Gid> {
    let mut s = Vec::with_capacity(sizes.len() + 1);
    let mut acc = 0i64;
    s.push(0);
    for &n in sizes {
        acc += n as i64;
        s.push(acc);
    }
    s
}

/// The rank owning `gid` in the contiguous map with `starts` (empty ranks own nothing), or
/// `None` when `gid` is outside `[0, starts[P])`.
pub fn contiguous_owner(starts: &[Gid], gid: Gid) -> Option<usize> {
    let p = starts.len().checked_sub(1)?;
    if gid < 0 || gid >= starts[p] {
        return None;
    }
    // The last rank r with starts[r] <= gid (skipping empty ranks, whose start equals the
    // next one's).
    let r = starts.partition_point(|&s| s <= gid) - 1;
    Some(r.min(p - 1))
}

/// The directory rank of an arbitrary `gid` among `p` ranks: a fixed 64-bit mix (splitmix64's
/// finalizer) reduced modulo `p`, so that any set of gids, clustered or strided, spreads evenly.
pub fn directory_rank(gid: Gid, p: usize) -> usize {
    let mut z = (gid as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % p.max(1) as u64) as usize
}

/// Why a rank's gid list cannot make a map: a negative gid, or one listed twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadGid {
    /// The gid at this local index is negative.
    Negative {
        /// The gid.
        gid: Gid,
        /// Its local index.
        lid: usize,
    },
    /// The gid is at both local indices (`first < second`).
    Twice {
        /// The gid.
        gid: Gid,
        /// Its first local index.
        first: usize,
        /// Its second local index.
        second: usize,
    },
}

/// The local index of each of a rank's gids (gid -> local index), built without hashing.
///
/// Gids spanning at most [`LocalIndex::DENSE_SPAN`] times their number (a random permutation
/// over up to 4 ranks, any block of a map, strided lists) get a direct table over
/// `min..=max` (4 bytes a slot); others a `(gid, lid)` array sorted by gid, searched by
/// bisection (16 bytes a gid). Either way the memory is O(local size).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalIndex {
    /// `slots[g - lo]` is `lid + 1` for gid `g`, 0 for a gid not held.
    Dense {
        /// The smallest gid.
        lo: Gid,
        /// One slot a gid of `lo..=max`.
        slots: Vec<u32>,
    },
    /// `(gid, lid)` pairs, gids increasing.
    Sorted(Vec<(Gid, usize)>),
}

impl LocalIndex {
    /// The largest ratio of a dense table's span to the number of gids.
    pub const DENSE_SPAN: u64 = 4;

    /// The index of `gids` (local index = position), or the first bad gid: the lowest
    /// negative one's position, else the duplicated gid with the smallest value (dense) or
    /// the smallest gid (sorted) found.
    pub fn build(gids: &[Gid]) -> std::result::Result<LocalIndex, BadGid> {
        if let Some(lid) = gids.iter().position(|&g| g < 0) {
            return Err(BadGid::Negative {
                gid: gids[lid],
                lid,
            });
        }
        let (Some(&lo), Some(&hi)) = (gids.iter().min(), gids.iter().max()) else {
            return Ok(LocalIndex::Sorted(Vec::new()));
        };
        let span = (hi - lo) as u64 + 1;
        let n = gids.len() as u64;
        if n < u32::MAX as u64 && span <= Self::DENSE_SPAN.saturating_mul(n) {
            // Zeroed memory comes from the allocator as untouched pages.
            let mut slots = vec![0u32; span as usize];
            for (lid, &g) in gids.iter().enumerate() {
                let s = &mut slots[(g - lo) as usize];
                if *s != 0 {
                    return Err(BadGid::Twice {
                        gid: g,
                        first: *s as usize - 1,
                        second: lid,
                    });
                }
                *s = lid as u32 + 1;
            }
            return Ok(LocalIndex::Dense { lo, slots });
        }
        let mut pairs: Vec<(Gid, usize)> = gids.iter().copied().zip(0..).collect();
        pairs.sort_unstable();
        if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(BadGid::Twice {
                gid: w[0].0,
                first: w[0].1,
                second: w[1].1,
            });
        }
        Ok(LocalIndex::Sorted(pairs))
    }

    /// The local index of `gid`, `None` when it is not held.
    #[inline]
    pub fn get(&self, gid: Gid) -> Option<usize> {
        match self {
            LocalIndex::Dense { lo, slots } => {
                let s = *slots.get(usize::try_from(gid.checked_sub(*lo)?).ok()?)?;
                (s != 0).then(|| s as usize - 1)
            }
            LocalIndex::Sorted(pairs) => pairs
                .binary_search_by_key(&gid, |p| p.0)
                .ok()
                .map(|i| pairs[i].1),
        }
    }
}

/// Sorts `items` by `key` (stable), by least-significant-digit radix passes of 8 bits over
/// the bits the largest key uses, with one scratch copy: O(n) a pass.
pub fn radix_sort_by_key<T: Copy>(items: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let Some(max) = items.iter().map(&key).max() else {
        return;
    };
    let bits = 64 - max.leading_zeros();
    let mut from = std::mem::take(items);
    let mut to = from.clone();
    let mut shift = 0;
    while shift < bits {
        let mut next = [0usize; 256];
        for x in &from {
            next[(key(x) >> shift) as usize & 255] += 1;
        }
        let mut acc = 0;
        for slot in next.iter_mut() {
            let c = *slot;
            *slot = acc;
            acc += c;
        }
        for x in &from {
            let slot = &mut next[(key(x) >> shift) as usize & 255];
            to[*slot] = *x;
            *slot += 1;
        }
        std::mem::swap(&mut from, &mut to);
        shift += 8;
    }
    *items = from;
}

/// Entries of a plan or a message list grouped by peer rank: `peers` in increasing order, the
/// items of peer `peers[i]` at `items[offsets[i]..offsets[i + 1]]` in their original order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grouped<T> {
    /// Peer ranks, increasing.
    pub peers: Vec<i32>,
    /// `peers.len() + 1` offsets into `items`.
    pub offsets: Vec<usize>,
    /// The items, peer after peer.
    pub items: Vec<T>,
}

impl<T: Copy> Grouped<T> {
    /// Groups `(rank, item)` pairs by rank (stable: items of one rank keep their order).
    /// Ranks must not be negative.
    pub fn from_pairs(pairs: &[(i32, T)]) -> Grouped<T> {
        let p = pairs.iter().map(|x| x.0 as usize + 1).max().unwrap_or(0);
        Self::build(p, pairs.len(), |i| pairs[i])
    }

    /// Groups the `n` pairs `pair(0)..pair(n - 1)` (a rank below `p`, an item) by rank, stable,
    /// by counting: O(n + p), `pair` called twice for each.
    pub fn build(p: usize, n: usize, pair: impl Fn(usize) -> (i32, T)) -> Grouped<T> {
        let mut next = vec![0usize; p];
        for i in 0..n {
            next[pair(i).0 as usize] += 1;
        }
        let mut g = Grouped {
            peers: Vec::new(),
            offsets: vec![0],
            items: Vec::new(),
        };
        let mut acc = 0usize;
        for (r, slot) in next.iter_mut().enumerate() {
            let c = *slot;
            *slot = acc;
            if c > 0 {
                acc += c;
                g.peers.push(r as i32);
                g.offsets.push(acc);
            }
        }
        if n > 0 {
            g.items = vec![pair(0).1; n];
            for i in 0..n {
                let (r, item) = pair(i);
                let slot = &mut next[r as usize];
                g.items[*slot] = item;
                *slot += 1;
            }
        }
        g
    }

    /// Per-rank counts over `p` ranks (for an all-to-all of counts).
    pub fn counts(&self, p: usize) -> Vec<i32> {
        let mut c = vec![0i32; p];
        for (i, &r) in self.peers.iter().enumerate() {
            c[r as usize] = (self.offsets[i + 1] - self.offsets[i]) as i32;
        }
        c
    }

    /// The items for peer number `i` (an index into `peers`).
    pub fn slice(&self, i: usize) -> &[T] {
        &self.items[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// How values arriving at a target element combine with it (Export/Import).
///
/// A target element that receives no contribution keeps its value in every mode. For one that
/// receives contributions `c_1..c_m` (from any ranks, its own included):
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CombineMode {
    /// The element becomes one of the contributions (the last one in rank order).
    Insert,
    /// The contributions are added to the element's value (as Epetra's and Tpetra's `Add`:
    /// zero the target first to get their plain sum).
    Add,
    /// The element becomes the mean of the `m` contributions, `(c_1 + ... + c_m) / m`; the
    /// plan keeps the counts `m`. Its old value is not included. Epetra's `Average` averages
    /// pairwise as contributions arrive, which is the mean only for `m <= 2`: contributions 1,
    /// 2 and 3 give 2 here and 2.25 in Epetra 13.2.
    Average,
    /// The element becomes the largest absolute value among its old value and the
    /// contributions (Epetra's `AbsMax`).
    AbsMax,
    /// The largest of its old value and the contributions (PETSc's `MAX_VALUES`).
    Max,
    /// The smallest of its old value and the contributions (PETSc's `MIN_VALUES`).
    Min,
    /// The element becomes zero (Tpetra's `ZERO`).
    Zero,
}

impl CombineMode {
    /// Every mode, in the order of their C codes (0 to 6).
    pub const ALL: [CombineMode; 7] = [
        CombineMode::Insert,
        CombineMode::Add,
        CombineMode::Average,
        CombineMode::AbsMax,
        CombineMode::Max,
        CombineMode::Min,
        CombineMode::Zero,
    ];

    /// The mode of a C code (its index in [`CombineMode::ALL`]).
    pub fn from_code(code: i32) -> Result<CombineMode> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "combine mode {code} is not one of 0 (insert) to 6 (zero)"
                ))
            })
    }

    /// The mode of a name (`"insert"`, `"add"`, `"average"`, `"absmax"`, `"max"`, `"min"`,
    /// `"zero"`; case-insensitive).
    pub fn from_name(name: &str) -> Result<CombineMode> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "insert" => CombineMode::Insert,
            "add" => CombineMode::Add,
            "average" | "mean" => CombineMode::Average,
            "absmax" => CombineMode::AbsMax,
            "max" => CombineMode::Max,
            "min" => CombineMode::Min,
            "zero" => CombineMode::Zero,
            _ => {
                return Err(Error::Invalid(format!(
                    "combine mode {name:?} is not one of insert, add, average, absmax, max, \
                     min, zero"
                )))
            }
        })
    }

    /// Prepares a target element that will receive contributions.
    #[inline]
    pub fn start(self, t: &mut f64) {
        if matches!(self, CombineMode::Average | CombineMode::Zero) {
            *t = 0.0;
        }
    }

    /// Combines one contribution `c` into the target element `t`.
    #[inline]
    pub fn combine(self, t: &mut f64, c: f64) {
        match self {
            CombineMode::Insert => *t = c,
            CombineMode::Add | CombineMode::Average => *t += c,
            CombineMode::AbsMax => *t = t.abs().max(c.abs()),
            CombineMode::Max => *t = t.max(c),
            CombineMode::Min => *t = t.min(c),
            CombineMode::Zero => {}
        }
    }

    /// Finishes a target element that received `count > 0` contributions.
    #[inline]
    pub fn finish(self, t: &mut f64, count: u32) {
        if self == CombineMode::Average {
            *t /= count as f64;
        }
    }
}

/// Epetra 13.2's `Average` (for the documentation and the tests): each arriving contribution
/// is averaged with the value so far. For up to two contributions this is their mean.
pub fn epetra_average(contributions: &[f64]) -> f64 {
    let mut it = contributions.iter();
    let Some(&first) = it.next() else { return 0.0 };
    it.fold(first, |acc, &c| (acc + c) / 2.0)
}

/// Serial reference of a whole transfer: `target[t]` combined with every `(t, value)` of
/// `contributions` in order, element by element (used by the tests).
pub fn combine_serial(mode: CombineMode, target: &mut [f64], contributions: &[(usize, f64)]) {
    let mut count = vec![0u32; target.len()];
    for &(t, _) in contributions {
        if count[t] == 0 {
            mode.start(&mut target[t]);
        }
        count[t] += 1;
    }
    for &(t, c) in contributions {
        mode.combine(&mut target[t], c);
    }
    for (t, &n) in count.iter().enumerate() {
        if n > 0 {
            mode.finish(&mut target[t], n);
        }
    }
}

/// The source rank an Import takes gid `g` from, among the ranks `holders` (increasing) that
/// hold it in the source map: this rank when it holds `g` itself (no message), else the lowest.
pub fn choose_source(holders: &[(i32, u64)], me: i32) -> Option<(i32, u64)> {
    holders
        .iter()
        .find(|h| h.0 == me)
        .or_else(|| holders.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn block_is_epetras_linear_map() {
        assert_eq!(block_starts(10, 3), vec![0, 4, 7, 10]);
        assert_eq!(block_starts(2, 4), vec![0, 1, 2, 2, 2]);
        assert_eq!(block_starts(0, 2), vec![0, 0, 0]);
        assert_eq!(starts_from_sizes(&[3, 0, 2]), vec![0, 3, 3, 5]);
    }

    #[test]
    fn owners_skip_empty_ranks() {
        let s = starts_from_sizes(&[0, 3, 0, 0, 2, 0]);
        let owners: Vec<_> = (0..5).map(|g| contiguous_owner(&s, g)).collect();
        assert_eq!(owners, vec![Some(1), Some(1), Some(1), Some(4), Some(4)]);
        assert_eq!(contiguous_owner(&s, 5), None);
        assert_eq!(contiguous_owner(&s, -1), None);
        assert_eq!(contiguous_owner(&[0, 0], 0), None);
    }

    proptest! {
        #[test]
        fn owner_matches_serial_scan(sizes in proptest::collection::vec(0u64..5, 1..8)) {
            let s = starts_from_sizes(&sizes);
            let mut g = 0i64;
            for (r, &n) in sizes.iter().enumerate() {
                for _ in 0..n {
                    prop_assert_eq!(contiguous_owner(&s, g), Some(r));
                    g += 1;
                }
            }
            prop_assert_eq!(contiguous_owner(&s, g), None);
        }

        #[test]
        fn block_sizes_differ_by_at_most_one(n in 0u64..1000, p in 1usize..40) {
            let s = block_starts(n, p);
            let sizes: Vec<i64> = s.windows(2).map(|w| w[1] - w[0]).collect();
            prop_assert_eq!(sizes.iter().sum::<i64>() as u64, n);
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            prop_assert!(hi - lo <= 1);
            // The larger ranks come first.
            prop_assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        }

        #[test]
        fn directory_rank_in_range(g in 0i64..i64::MAX, p in 1usize..1000) {
            prop_assert!(directory_rank(g, p) < p);
        }

        #[test]
        fn grouping_keeps_order_per_rank(pairs in proptest::collection::vec((0i32..6, 0u32..100), 0..60)) {
            let g = Grouped::from_pairs(&pairs);
            prop_assert_eq!(g.items.len(), pairs.len());
            prop_assert!(g.peers.windows(2).all(|w| w[0] < w[1]));
            for (i, &r) in g.peers.iter().enumerate() {
                let serial: Vec<u32> = pairs.iter().filter(|p| p.0 == r).map(|p| p.1).collect();
                prop_assert_eq!(g.slice(i), &serial[..]);
            }
            let c = g.counts(6);
            prop_assert_eq!(c.iter().sum::<i32>() as usize, pairs.len());
        }

        #[test]
        fn modes_match_their_definition(old in -5.0f64..5.0, cs in proptest::collection::vec(-5.0f64..5.0, 1..6)) {
            for mode in CombineMode::ALL {
                let mut t = [old];
                let contribs: Vec<(usize, f64)> = cs.iter().map(|&c| (0, c)).collect();
                combine_serial(mode, &mut t, &contribs);
                let want = match mode {
                    CombineMode::Insert => *cs.last().unwrap(),
                    CombineMode::Add => old + cs.iter().sum::<f64>(),
                    CombineMode::Average => cs.iter().sum::<f64>() / cs.len() as f64,
                    CombineMode::AbsMax => cs.iter().fold(old.abs(), |a, c| a.max(c.abs())),
                    CombineMode::Max => cs.iter().fold(old, |a, &c| a.max(c)),
                    CombineMode::Min => cs.iter().fold(old, |a, &c| a.min(c)),
                    CombineMode::Zero => 0.0,
                };
                prop_assert!((t[0] - want).abs() < 1e-12, "{:?}: {} vs {}", mode, t[0], want);
            }
        }
    }

    proptest! {
        #[test]
        fn local_index_matches_a_serial_search(
            gids in proptest::collection::vec(0i64..200, 0..80),
            scale in prop_oneof![Just(1i64), Just(1000)],
        ) {
            // Distinct gids (dense, or sorted when scaled), in the generated order.
            let mut seen = std::collections::HashSet::new();
            let gids: Vec<i64> = gids.into_iter().filter(|g| seen.insert(*g)).map(|g| g * scale).collect();
            let ix = LocalIndex::build(&gids).unwrap();
            if scale > 1 && gids.len() > 1 {
                prop_assert!(matches!(ix, LocalIndex::Sorted(_)));
            }
            // Every gid, its neighbours, and gids out of every range.
            let mut queries = vec![-1, 0, i64::MIN, i64::MAX, 200 * scale];
            queries.extend(gids.iter().flat_map(|&g| [g - 1, g, g + 1]));
            for q in queries {
                prop_assert_eq!(ix.get(q), gids.iter().position(|&g| g == q));
            }
        }

        #[test]
        fn local_index_finds_a_duplicate(
            gids in proptest::collection::vec(0i64..50, 2..40),
            scale in prop_oneof![Just(1i64), Just(1000)],
        ) {
            let gids: Vec<i64> = gids.iter().map(|g| g * scale).collect();
            let mut seen = std::collections::HashSet::new();
            let dup = gids.iter().any(|g| !seen.insert(*g));
            match LocalIndex::build(&gids) {
                Ok(_) => prop_assert!(!dup),
                Err(BadGid::Twice { gid, first, second }) => {
                    prop_assert!(dup);
                    prop_assert!(first < second);
                    prop_assert_eq!((gids[first], gids[second]), (gid, gid));
                }
                Err(e) => prop_assert!(false, "{:?}", e),
            }
        }
    }

    proptest! {
        #[test]
        fn radix_sort_is_a_stable_sort(
            keys in proptest::collection::vec(prop_oneof![0u64..300, 0u64..u64::MAX], 0..200),
        ) {
            let mut items: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
            let mut want = items.clone();
            want.sort_by_key(|x| x.0);
            radix_sort_by_key(&mut items, |x| x.0);
            prop_assert_eq!(items, want);
        }
    }

    #[test]
    fn local_index_kinds_and_errors() {
        assert!(matches!(
            LocalIndex::build(&[5, 3, 4]).unwrap(),
            LocalIndex::Dense { lo: 3, .. }
        ));
        assert!(matches!(
            LocalIndex::build(&[0, 1 << 40]).unwrap(),
            LocalIndex::Sorted(_)
        ));
        assert_eq!(LocalIndex::build(&[]).unwrap().get(0), None);
        assert_eq!(
            LocalIndex::build(&[2, -1, -3]),
            Err(BadGid::Negative { gid: -1, lid: 1 })
        );
        assert_eq!(
            LocalIndex::build(&[7, 8, 7]),
            Err(BadGid::Twice {
                gid: 7,
                first: 0,
                second: 2
            })
        );
        let big = LocalIndex::build(&[1 << 40, 0]).unwrap();
        assert_eq!(big.get(1 << 40), Some(0));
        assert_eq!(big.get(i64::MIN), None);
        assert_eq!(big.get(i64::MAX), None);
        let dense = LocalIndex::build(&[10, 11]).unwrap();
        assert_eq!(dense.get(i64::MIN), None);
        assert_eq!(dense.get(i64::MAX), None);
        assert_eq!(dense.get(9), None);
    }

    #[test]
    fn directory_spreads_clustered_gids() {
        let p = 7;
        let mut n = vec![0usize; p];
        for g in 0..7000i64 {
            n[directory_rank(g * 1024, p)] += 1;
        }
        assert!(n.iter().all(|&c| c > 800 && c < 1200), "{n:?}");
    }

    #[test]
    fn average_is_the_mean_and_epetras_is_not() {
        let mut t = [0.0];
        combine_serial(
            CombineMode::Average,
            &mut t,
            &[(0, 1.0), (0, 2.0), (0, 3.0)],
        );
        assert_eq!(t[0], 2.0);
        assert_eq!(epetra_average(&[1.0, 2.0, 3.0]), 2.25);
        assert_eq!(epetra_average(&[1.0, 2.0]), 1.5);
    }

    #[test]
    fn mode_codes_and_names() {
        for (i, m) in CombineMode::ALL.iter().enumerate() {
            assert_eq!(CombineMode::from_code(i as i32).unwrap(), *m);
            let name = format!("{m:?}");
            assert_eq!(CombineMode::from_name(&name).unwrap(), *m);
        }
        assert!(CombineMode::from_code(7).is_err());
        assert!(CombineMode::from_name("sum").is_err());
    }

    #[test]
    fn import_prefers_its_own_copy() {
        assert_eq!(choose_source(&[(0, 5), (2, 1)], 2), Some((2, 1)));
        assert_eq!(choose_source(&[(0, 5), (2, 1)], 1), Some((0, 5)));
        assert_eq!(choose_source(&[], 1), None);
    }
}
