//! Maps: which global ids (gids) each rank holds, and the distributed directory that answers
//! "which ranks hold gid g" for maps of arbitrary gids without any rank holding a table of
//! the global size.

use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use super::exchange;
use super::partition::{self, BadGid, Gid, Grouped, LocalIndex};
use super::plan::Routes;
use crate::comm;
use crate::error::{Error, Result};

/// Who holds gid `g`: `(rank, local index)` pairs, ranks increasing.
pub type Holders = Vec<(i32, u64)>;

/// The holders of a list of gids, flat: those of query `i` are `get(i)`.
#[derive(Debug, Default)]
pub(crate) struct HolderTable {
    offsets: Vec<usize>,
    items: Vec<(i32, u64)>,
}

impl HolderTable {
    /// The number of queries.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The holders of query `i`.
    pub(crate) fn get(&self, i: usize) -> &[(i32, u64)] {
        &self.items[self.offsets[i]..self.offsets[i + 1]]
    }
}

#[derive(Debug)]
enum Layout {
    /// Rank `r` holds gids `starts[r]..starts[r + 1]` (block and user-sized maps).
    Contiguous { starts: Vec<Gid>, block: bool },
    /// Each rank lists its gids; `index` maps them to local indices.
    Arbitrary {
        gids: Vec<Gid>,
        index: LocalIndex,
        directory: Directory,
    },
}

/// This rank's share of the directory of an arbitrary map: `[gid, rank, lid]` records of the
/// gids hashed to this rank, sorted by gid then rank.
#[derive(Debug, Default)]
struct Directory {
    entries: Vec<[i64; 3]>,
}

impl Directory {
    fn holders(&self, g: Gid) -> &[[i64; 3]] {
        let lo = self.entries.partition_point(|e| e[0] < g);
        let n = self.entries[lo..].iter().take_while(|e| e[0] == g).count();
        &self.entries[lo..lo + n]
    }
}

struct MapInner {
    comm: SimpleCommunicator,
    rank: i32,
    size: i32,
    layout: Layout,
    n_local: usize,
    num_global: u64,
    distinct: u64,
    max_gid: Gid,
    one_to_one: bool,
    signature: u64,
    /// The HDF5 redistribution of a non-contiguous map, built at its first write or read.
    io_plan: RefCell<Option<IoPlan>>,
}

/// The redistribution between a non-contiguous map and the block map of a dataset of `n`
/// elements (an Export from the map to the block map: forward for writes, in reverse for
/// reads), kept on the map so that later writes and reads of the same length reuse it.
#[derive(Clone)]
pub(crate) struct IoPlan {
    /// The dataset's length.
    pub n: u64,
    /// The block map of `n` elements.
    pub block: Map,
    /// The routes of the Export from the map to `block`.
    pub routes: Rc<Routes>,
    /// The values on `block` of the last write or read, kept for the next one (fresh pages
    /// at every timestep would each be faulted in).
    pub staging: Rc<RefCell<Vec<f64>>>,
}

/// The distribution of a distributed vector's elements over the ranks of a communicator: the
/// global ids (gids) each rank holds, in its local order.
///
/// Three kinds, as Epetra's maps: [`Map::block`] (N elements over P ranks, the first N mod P
/// ranks one larger), [`Map::contiguous`] (each rank gives its own size) and
/// [`Map::arbitrary`] (each rank lists its gids, in any order; ranks may share gids, making the
/// map not one-to-one). Cloning a `Map` is cheap (it is shared). Two maps are the
/// [`same_as`](Map::same_as) each other when every rank holds the same gids in the same order;
/// this is decided from a signature agreed at construction, so it is the same answer on every
/// rank.
#[derive(Clone)]
pub struct Map {
    inner: Rc<MapInner>,
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.inner;
        let kind = match &m.layout {
            Layout::Contiguous { block: true, .. } => "block",
            Layout::Contiguous { .. } => "contiguous",
            Layout::Arbitrary { .. } => "arbitrary",
        };
        write!(
            f,
            "{kind} map of {} elements ({} distinct gids{}) over {} ranks [{:016x}]",
            m.num_global,
            m.distinct,
            if m.one_to_one { "" } else { ", overlapping" },
            m.size,
            m.signature
        )
    }
}

fn dup<C: Communicator + ?Sized>(comm: &C) -> SimpleCommunicator {
    comm.duplicate()
}

impl Map {
    /// Collective: Epetra's linear map of `n` elements: rank `r` holds a contiguous block, the
    /// first `n mod P` ranks one element more than the others. Every rank must pass the same `n`.
    pub fn block<C: Communicator + ?Sized>(comm: &C, n: u64) -> Result<Map> {
        let what = format!("Map::block({n})");
        comm::agree(comm, &what, Ok(()), Some(&what))?;
        let c = dup(comm);
        let starts = partition::block_starts(n, c.size() as usize);
        Ok(Self::contiguous_from(c, starts, true))
    }

    /// Collective: a contiguous map in which this rank holds `n_local` elements (0 allowed),
    /// after those of the lower ranks.
    pub fn contiguous<C: Communicator + ?Sized>(comm: &C, n_local: u64) -> Result<Map> {
        let what = "Map::contiguous";
        let local = if n_local > i64::MAX as u64 / (comm.size() as u64).max(1) {
            Err(Error::Invalid(format!(
                "{what}: local size {n_local} is too large"
            )))
        } else {
            Ok(())
        };
        comm::agree(comm, what, local, Some(what))?;
        let c = dup(comm);
        let mut sizes = vec![0u64; c.size() as usize];
        c.all_gather_into(&n_local, &mut sizes[..]);
        let starts = partition::starts_from_sizes(&sizes);
        Ok(Self::contiguous_from(c, starts, false))
    }

    fn contiguous_from(comm: SimpleCommunicator, starts: Vec<Gid>, block: bool) -> Map {
        let (rank, size) = (comm.rank(), comm.size());
        let n_local = (starts[rank as usize + 1] - starts[rank as usize]) as usize;
        let total = *starts.last().unwrap_or(&0);
        let mut h = std::hash::DefaultHasher::new();
        ("contiguous", &starts).hash(&mut h);
        let inner = MapInner {
            comm,
            rank,
            size,
            n_local,
            num_global: total as u64,
            distinct: total as u64,
            max_gid: total - 1,
            one_to_one: true,
            signature: h.finish(),
            io_plan: RefCell::new(None),
            layout: Layout::Contiguous { starts, block },
        };
        Map {
            inner: Rc::new(inner),
        }
    }

    /// Collective: a map in which this rank holds `gids`, in that order (any order, possibly
    /// empty). A gid may be held by several ranks (the map is then not one-to-one), but only
    /// once on one rank. Builds the distributed directory (one all-to-all).
    pub fn arbitrary<C: Communicator + ?Sized>(comm: &C, gids: &[Gid]) -> Result<Map> {
        let what = "Map::arbitrary";
        let (rank, size) = (comm.rank(), comm.size());
        let built = LocalIndex::build(gids);
        let local = match &built {
            Ok(_) => Ok(()),
            Err(BadGid::Negative { gid, lid }) => Err(Error::Invalid(format!(
                "{what}: gid {gid} at local index {lid} is negative"
            ))),
            Err(BadGid::Twice { gid, first, second }) => Err(Error::Invalid(format!(
                "{what}: gid {gid} is listed twice on this rank (local indices {first} and \
                 {second})"
            ))),
        };
        comm::agree(comm, what, local, Some(what))?;
        // Every rank's list was good (else agree returned the error).
        let index = built.unwrap_or(LocalIndex::Sorted(Vec::new()));
        let c = dup(comm);
        // Gids that are contiguous ranges in rank order starting at 0 make a contiguous map
        // (the same map as Map::contiguous would build, with the same signature).
        let run = gids.windows(2).all(|w| w[1] == w[0] + 1);
        let mut all_runs = 0i32;
        c.all_reduce_into(&(run as i32), &mut all_runs, SystemOperation::min());
        if all_runs == 1 {
            let mine = [gids.first().copied().unwrap_or(-1), gids.len() as i64];
            let mut all = vec![0i64; 2 * size as usize];
            c.all_gather_into(&mine[..], &mut all[..]);
            let mut sizes = Vec::with_capacity(size as usize);
            let mut next = 0i64;
            let mut chained = true;
            for r in all.chunks_exact(2) {
                if r[1] > 0 && r[0] != next {
                    chained = false;
                }
                next += r[1];
                sizes.push(r[1] as u64);
            }
            if chained {
                return Ok(Self::contiguous_from(
                    c,
                    partition::starts_from_sizes(&sizes),
                    false,
                ));
            }
        }
        // Directory: each gid goes to its directory rank, as [gid, rank, lid]. Records arrive
        // grouped by rank, increasing, so a stable sort by gid orders them by gid then rank.
        let p = size as usize;
        let send = Grouped::build(p, gids.len(), |lid| {
            let g = gids[lid];
            (
                partition::directory_rank(g, p) as i32,
                [g, rank as i64, lid as i64],
            )
        });
        let mut entries = exchange::all_to_all(&c, &send).items;
        drop(send);
        partition::radix_sort_by_key(&mut entries, |e| e[0] as u64);
        let mut distinct = 0u64;
        let mut shared = 0u64;
        for (i, e) in entries.iter().enumerate() {
            if i == 0 || entries[i - 1][0] != e[0] {
                distinct += 1;
            } else {
                shared = 1;
            }
        }
        let mut h = std::hash::DefaultHasher::new();
        ("arbitrary", rank, gids).hash(&mut h);
        let local_max = gids.iter().copied().max().unwrap_or(-1);
        let send = [
            gids.len() as i64,
            distinct as i64,
            shared as i64,
            local_max,
            (h.finish() >> 1) as i64,
        ];
        let mut sums = [0i64; 3];
        c.all_reduce_into(&send[..3], &mut sums[..], SystemOperation::sum());
        let mut max_gid = -1i64;
        c.all_reduce_into(&send[3], &mut max_gid, SystemOperation::max());
        let mut sig = 0i64;
        c.all_reduce_into(&send[4], &mut sig, SystemOperation::bitwise_xor());
        let inner = MapInner {
            rank,
            size,
            n_local: gids.len(),
            num_global: sums[0] as u64,
            distinct: sums[1] as u64,
            one_to_one: sums[2] == 0,
            max_gid,
            signature: sig as u64 ^ size as u64,
            io_plan: RefCell::new(None),
            layout: Layout::Arbitrary {
                gids: gids.to_vec(),
                index,
                directory: Directory { entries },
            },
            comm: c,
        };
        Ok(Map {
            inner: Rc::new(inner),
        })
    }

    /// The map's own communicator (a duplicate of the one it was built with).
    pub fn comm(&self) -> &SimpleCommunicator {
        &self.inner.comm
    }

    /// The cached HDF5 redistribution for a dataset of `n` elements, if one was built.
    pub(crate) fn io_plan(&self, n: u64) -> Option<IoPlan> {
        self.inner
            .io_plan
            .borrow()
            .as_ref()
            .filter(|p| p.n == n)
            .cloned()
    }

    /// Keeps `plan` as the HDF5 redistribution of this map (replacing any other length's).
    pub(crate) fn set_io_plan(&self, plan: IoPlan) {
        *self.inner.io_plan.borrow_mut() = Some(plan);
    }

    /// This rank.
    pub fn rank(&self) -> i32 {
        self.inner.rank
    }

    /// The number of ranks.
    pub fn size(&self) -> i32 {
        self.inner.size
    }

    /// The number of elements on this rank.
    pub fn local_len(&self) -> usize {
        self.inner.n_local
    }

    /// The number of elements over all ranks (a gid held by two ranks counts twice, as in
    /// Epetra's `NumGlobalElements`).
    pub fn global_len(&self) -> u64 {
        self.inner.num_global
    }

    /// The number of distinct gids over all ranks.
    pub fn distinct_len(&self) -> u64 {
        self.inner.distinct
    }

    /// The largest gid on any rank (-1 for an empty map).
    pub fn max_gid(&self) -> Gid {
        self.inner.max_gid
    }

    /// Whether each gid is held by exactly one rank.
    pub fn is_one_to_one(&self) -> bool {
        self.inner.one_to_one
    }

    /// Whether rank `r` holds the contiguous gids `r_start..` (block and user-sized maps).
    pub fn is_contiguous(&self) -> bool {
        matches!(self.inner.layout, Layout::Contiguous { .. })
    }

    /// The map's signature: equal on two maps exactly when they hold the same gids in the same
    /// order on every rank (up to a 64-bit hash collision), and the same value on every rank.
    pub fn signature(&self) -> u64 {
        self.inner.signature
    }

    /// Whether `other` has the same distribution (the same answer on every rank, no
    /// communication).
    pub fn same_as(&self, other: &Map) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) || self.inner.signature == other.inner.signature
    }

    /// For contiguous maps, the first gid of this rank (and `None` for arbitrary maps).
    pub fn first_gid(&self) -> Option<Gid> {
        match &self.inner.layout {
            Layout::Contiguous { starts, .. } => Some(starts[self.inner.rank as usize]),
            Layout::Arbitrary { .. } => None,
        }
    }

    /// The gid of local index `lid`, `None` when out of range.
    pub fn gid(&self, lid: usize) -> Option<Gid> {
        if lid >= self.inner.n_local {
            return None;
        }
        Some(match &self.inner.layout {
            Layout::Contiguous { starts, .. } => starts[self.inner.rank as usize] + lid as Gid,
            Layout::Arbitrary { gids, .. } => gids[lid],
        })
    }

    /// The local index of `gid` on this rank, `None` when this rank does not hold it.
    pub fn lid(&self, gid: Gid) -> Option<usize> {
        match &self.inner.layout {
            Layout::Contiguous { starts, .. } => {
                let r = self.inner.rank as usize;
                (gid >= starts[r] && gid < starts[r + 1]).then(|| (gid - starts[r]) as usize)
            }
            Layout::Arbitrary { index, .. } => index.get(gid),
        }
    }

    /// This rank's gids, in local order (a new vector for contiguous maps).
    pub fn my_gids(&self) -> Vec<Gid> {
        match &self.inner.layout {
            Layout::Contiguous { starts, .. } => {
                let r = self.inner.rank as usize;
                (starts[r]..starts[r + 1]).collect()
            }
            Layout::Arbitrary { gids, .. } => gids.clone(),
        }
    }

    /// Collective: which ranks hold each of `gids` (and at which local index), through the
    /// directory: arithmetic for contiguous maps, one all-to-all there and back for arbitrary
    /// maps. A gid nobody holds has no holders. Every rank must call it (with any gids).
    pub fn lookup(&self, gids: &[Gid]) -> Result<Vec<Holders>> {
        comm::fused::agree(
            self.comm(),
            "Map::lookup",
            Ok(()),
            Some(&format!("lookup {:x}", self.signature())),
        )?;
        let t = self.lookup_unchecked(gids);
        Ok((0..t.len()).map(|i| t.get(i).to_vec()).collect())
    }

    /// [`Map::lookup`] without the agreement (for callers that agreed already).
    pub(crate) fn lookup_unchecked(&self, gids: &[Gid]) -> HolderTable {
        let mut t = HolderTable {
            offsets: Vec::with_capacity(gids.len() + 1),
            items: Vec::with_capacity(gids.len()),
        };
        t.offsets.push(0);
        match &self.inner.layout {
            Layout::Contiguous { starts, .. } => {
                for &g in gids {
                    if let Some(r) = partition::contiguous_owner(starts, g) {
                        t.items.push((r as i32, (g - starts[r]) as u64));
                    }
                    t.offsets.push(t.items.len());
                }
            }
            Layout::Arbitrary { directory, .. } => {
                let p = self.inner.size as usize;
                let queries: Vec<(i32, [i64; 1])> = gids
                    .iter()
                    .map(|&g| (partition::directory_rank(g, p) as i32, [g]))
                    .collect();
                let asked = exchange::all_to_all(self.comm(), &Grouped::from_pairs(&queries));
                drop(queries);
                // Answer: per query, a count record (-1, count, 0), then its holders as
                // (gid, rank, lid) records.
                let mut answers: Vec<(i32, [i64; 3])> = Vec::with_capacity(asked.items.len());
                for (i, &src) in asked.peers.iter().enumerate() {
                    for q in asked.slice(i) {
                        let hs = directory.holders(q[0]);
                        answers.push((src, [-1, hs.len() as i64, 0]));
                        for h in hs {
                            answers.push((src, *h));
                        }
                    }
                }
                drop(asked);
                let back = exchange::all_to_all(self.comm(), &Grouped::from_pairs(&answers));
                drop(answers);
                // Queries to one directory rank were sent in order; replies come back in it.
                let mut next = vec![0usize; p];
                let mut which = vec![usize::MAX; p];
                for (i, &r) in back.peers.iter().enumerate() {
                    which[r as usize] = i;
                    next[r as usize] = back.offsets[i];
                }
                for &g in gids {
                    let d = partition::directory_rank(g, p);
                    if which[d] != usize::MAX {
                        let end = back.offsets[which[d] + 1];
                        let head = back.items[next[d]];
                        next[d] += 1;
                        for _ in 0..head[1] {
                            if next[d] < end {
                                let h = back.items[next[d]];
                                t.items.push((h[1] as i32, h[2] as u64));
                                next[d] += 1;
                            }
                        }
                    }
                    t.offsets.push(t.items.len());
                }
            }
        }
        t
    }

    /// Collective: the owner of each of `gids` (the lowest rank holding it), `-1` when none does.
    pub fn owners(&self, gids: &[Gid]) -> Result<Vec<i32>> {
        Ok(self
            .lookup(gids)?
            .iter()
            .map(|h| h.first().map_or(-1, |x| x.0))
            .collect())
    }

    /// An error unless this map is one-to-one (the same on every rank).
    pub fn require_one_to_one(&self, what: &str) -> Result<()> {
        if self.is_one_to_one() {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "{what}: needs a one-to-one map, but {self} holds some gids on several ranks"
            )))
        }
    }

    /// Collective: the one-to-one map of the same gids in which each gid stays with the lowest
    /// rank holding it (Epetra's `CreateOneToOne`).
    pub fn one_to_one(&self) -> Result<Map> {
        if self.is_one_to_one() {
            comm::fused::agree(self.comm(), "Map::one_to_one", Ok(()), Some("one_to_one"))?;
            return Ok(self.clone());
        }
        let mine = self.my_gids();
        let holders = self.lookup(&mine)?;
        let me = self.rank();
        let kept: Vec<Gid> = mine
            .iter()
            .zip(&holders)
            .filter(|(_, h)| h.first().map(|x| x.0) == Some(me))
            .map(|(&g, _)| g)
            .collect();
        Map::arbitrary(self.comm(), &kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_holders_are_ranges() {
        let d = Directory {
            entries: vec![[1, 0, 0], [3, 0, 1], [3, 2, 5], [7, 1, 0]],
        };
        assert_eq!(d.holders(3), &[[3, 0, 1], [3, 2, 5]]);
        assert!(d.holders(8).is_empty());
        assert!(d.holders(2).is_empty());
        assert_eq!(d.holders(7).len(), 1);
    }
}
