//! Export and Import plans: which local elements go to which ranks, built once between two maps
//! and reused forward (source to target) and in reverse (target to source), with any
//! [`CombineMode`].

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use mpi::topology::CommunicatorRelation;
use mpi::traits::*;

use super::exchange::{self, Side};
use super::map::{HolderTable, Map};
use super::partition::{choose_source, CombineMode, Gid, Grouped};
use crate::comm;
use crate::error::{Error, Result};

/// Something that lives on a map: `width()` values per local element, element after element
/// (a [`DistVector`](super::DistVector) has width 1, a [`MultiVector`](super::MultiVector) k).
pub trait Distributed {
    /// The map of the elements.
    fn map(&self) -> &Map;
    /// Values per element.
    fn width(&self) -> usize;
    /// The local values, `width()` per element, in local order.
    fn values(&self) -> &[f64];
    /// The local values, mutable.
    fn values_mut(&mut self) -> &mut [f64];
}

/// Which way a plan was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanKind {
    /// Every source element is sent to every target element of its gid: a target element
    /// combines all the source copies of its gid (overlapping to one-to-one, with `Add`).
    Export,
    /// Every target element receives from one source element of its gid (this rank's own copy
    /// when it has one, else the lowest rank's): one-to-one to overlapping, with `Insert`.
    Import,
}

/// A communication plan between a source and a target map: built once (collective, one
/// directory lookup and one all-to-all), then used any number of times forward
/// ([`Plan::forward`], source to target) or in reverse ([`Plan::reverse`], target to source,
/// the same messages the other way). Only ranks that share gids exchange messages; the memory
/// is proportional to the local sizes.
///
/// ```no_run
/// # use h5par::vector::*;
/// # let universe = mpi::initialize().unwrap();
/// # let world = universe.world();
/// // Map-making: samples hit pixels; each rank holds the pixels it touched.
/// let sky = Map::block(&world, 12)?;
/// let touched = Map::arbitrary(&world, &[0, 5, 11])?;
/// let mut hits = DistVector::new(&touched);
/// hits.fill(1.0);
/// let plan = Export::export(&touched, &sky)?;
/// let mut map = DistVector::new(&sky);
/// plan.forward(&hits, &mut map, CombineMode::Add)?; // sum into the sky map
/// plan.reverse(&map, &mut hits, CombineMode::Insert)?; // bring the sums back
/// # Ok::<(), h5par::Error>(())
/// ```
pub struct Plan {
    source: Map,
    target: Option<Map>,
    kind: PlanKind,
    routes: Rc<Routes>,
    signature: u64,
}

/// The routes of a plan, without its maps (so a map can cache the routes of its own HDF5
/// redistribution without a reference cycle): what goes to and comes from which rank.
#[derive(Debug)]
pub(crate) struct Routes {
    send: Grouped<usize>,
    recv: Grouped<usize>,
    self_src: Vec<usize>,
    self_tgt: Vec<usize>,
    fwd_count: Vec<u32>,
    rev_count: Vec<u32>,
    /// The send and receive buffers of the last transfer, kept for the next one (a plan is
    /// reused every iteration: fresh buffers of this size would be fresh pages, each faulted
    /// in at its first touch, at every transfer). Their size is what the plan moves.
    scratch: Scratch,
}

/// A transfer's kept buffers (see [`Routes`]); shown by size only.
#[derive(Default)]
struct Scratch(std::cell::RefCell<(Vec<f64>, Vec<f64>)>);

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.try_borrow() {
            Ok(b) => write!(f, "Scratch({} + {} values)", b.0.capacity(), b.1.capacity()),
            Err(_) => write!(f, "Scratch(in use)"),
        }
    }
}

/// An Export plan ([`Plan::export`]).
pub type Export = Plan;
/// An Import plan ([`Plan::import`]).
pub type Import = Plan;

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} plan from {} to {}: sends {} elements to {} ranks, receives {} from {} ranks, \
             {} stay",
            self.kind,
            self.source,
            self.target
                .as_ref()
                .map_or("a halo".to_string(), |t| t.to_string()),
            self.routes.send.items.len(),
            self.routes.send.peers.len(),
            self.routes.recv.items.len(),
            self.routes.recv.peers.len(),
            self.routes.self_src.len()
        )
    }
}

fn check_comms(what: &str, a: &Map, b: &Map) -> Result<()> {
    match a.comm().compare(b.comm()) {
        CommunicatorRelation::Identical | CommunicatorRelation::Congruent => Ok(()),
        _ => Err(Error::Invalid(format!(
            "{what}: the maps are on different communicators ({} and {} ranks, or another \
             group or order)",
            a.size(),
            b.size()
        ))),
    }
}

impl Plan {
    /// Collective: an Export plan from `source` to `target` ([`PlanKind::Export`]). Every
    /// source gid must be in the target map (an error on every rank otherwise).
    pub fn export(source: &Map, target: &Map) -> Result<Plan> {
        let what = "Export::new";
        let local = check_comms(what, source, target);
        comm::fused::agree(
            source.comm(),
            what,
            local,
            Some(&format!("export {source} -> {target}")),
        )?;
        Self::export_unagreed(source, target)
    }

    /// Collective, agreed by the caller: [`Plan::export`] without its agreement (the HDF5
    /// redistribution of a permuted map, where the target is the dataset's block map and the
    /// caller has agreed on both). Contributions go in the source's local order, so the
    /// caller's vector is read (forward) or written (reverse) in memory order and only the
    /// kept staging buffer, in huge pages, is reached at random.
    pub(crate) fn export_agreed(source: &Map, target: &Map) -> Result<Plan> {
        Self::export_unagreed(source, target)
    }

    fn export_unagreed(source: &Map, target: &Map) -> Result<Plan> {
        let gids = source.my_gids();
        let holders = target.lookup_unchecked(&gids);
        Self::export_from_holders(source, Some(target), target.local_len(), &gids, &holders)
    }

    fn export_from_holders(
        source: &Map,
        target: Option<&Map>,
        n_target: usize,
        gids: &[Gid],
        holders: &HolderTable,
    ) -> Result<Plan> {
        let what = "Export::new";
        let me = source.rank();
        let missing = (0..gids.len()).position(|i| holders.get(i).is_empty());
        let local = match missing {
            Some(i) => Err(Error::Invalid(format!(
                "{what}: gid {} (source local index {i}) is not in the target map{}",
                gids[i],
                target.map_or(String::new(), |t| format!(" {t}"))
            ))),
            None => Ok(()),
        };
        comm::fused::agree(source.comm(), what, local, None)?;
        let (mut self_src, mut self_tgt) = (Vec::new(), Vec::new());
        let mut out: Vec<(i32, usize)> = Vec::with_capacity(gids.len());
        let mut tell: Vec<(i32, [i64; 1])> = Vec::with_capacity(gids.len());
        for lid in 0..holders.len() {
            for &(r, tlid) in holders.get(lid) {
                if r == me {
                    self_src.push(lid);
                    self_tgt.push(tlid as usize);
                } else {
                    out.push((r, lid));
                    tell.push((r, [tlid as i64]));
                }
            }
        }
        let got = exchange::all_to_all(source.comm(), &Grouped::from_pairs(&tell));
        let recv = Grouped {
            peers: got.peers,
            offsets: got.offsets,
            items: got.items.iter().map(|t| t[0] as usize).collect(),
        };
        let send = Grouped::from_pairs(&out);
        Ok(Self::finish(
            source,
            target,
            n_target,
            PlanKind::Export,
            send,
            recv,
            self_src,
            self_tgt,
        ))
    }

    /// Collective: an Import plan from `source` to `target` ([`PlanKind::Import`]). Every
    /// target gid must be in the source map (an error on every rank otherwise).
    pub fn import(source: &Map, target: &Map) -> Result<Plan> {
        let what = "Import::new";
        let local = check_comms(what, source, target);
        comm::fused::agree(
            source.comm(),
            what,
            local,
            Some(&format!("import {source} -> {target}")),
        )?;
        Self::import_gids(source, Some(target), &target.my_gids())
    }

    /// Collective: an Import plan from `source` into a local buffer holding the values of
    /// `gids` (the halo of a matrix); agreed by the caller.
    pub(crate) fn import_gids(source: &Map, target: Option<&Map>, gids: &[Gid]) -> Result<Plan> {
        let what = "Import::new";
        let me = source.rank();
        let holders = source.lookup_unchecked(gids);
        let mut local = Ok(());
        let mut want: Vec<(i32, [i64; 1])> = Vec::new();
        let mut into: Vec<(i32, usize)> = Vec::new();
        let (mut self_src, mut self_tgt) = (Vec::new(), Vec::new());
        for (tlid, &gid) in gids.iter().enumerate() {
            match choose_source(holders.get(tlid), me) {
                Some((r, slid)) if r == me => {
                    self_src.push(slid as usize);
                    self_tgt.push(tlid);
                }
                Some((r, slid)) => {
                    want.push((r, [slid as i64]));
                    into.push((r, tlid));
                }
                None => {
                    if local.is_ok() {
                        local = Err(Error::Invalid(format!(
                            "{what}: gid {gid} (target local index {tlid}) is not in the source \
                             map {source}"
                        )));
                    }
                }
            }
        }
        comm::fused::agree(source.comm(), what, local, None)?;
        let got = exchange::all_to_all(source.comm(), &Grouped::from_pairs(&want));
        let send = Grouped {
            peers: got.peers,
            offsets: got.offsets,
            items: got.items.iter().map(|t| t[0] as usize).collect(),
        };
        let recv = Grouped::from_pairs(&into);
        Ok(Self::finish(
            source,
            target,
            gids.len(),
            PlanKind::Import,
            send,
            recv,
            self_src,
            self_tgt,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        source: &Map,
        target: Option<&Map>,
        n_target: usize,
        kind: PlanKind,
        send: Grouped<usize>,
        recv: Grouped<usize>,
        self_src: Vec<usize>,
        self_tgt: Vec<usize>,
    ) -> Plan {
        let mut fwd_count = vec![0u32; n_target];
        let mut rev_count = vec![0u32; source.local_len()];
        for &t in self_tgt.iter().chain(&recv.items) {
            fwd_count[t] += 1;
        }
        for &s in self_src.iter().chain(&send.items) {
            rev_count[s] += 1;
        }
        let mut h = std::hash::DefaultHasher::new();
        (kind, source.signature(), target.map(|t| t.signature())).hash(&mut h);
        Plan {
            source: source.clone(),
            target: target.cloned(),
            kind,
            routes: Rc::new(Routes {
                send,
                recv,
                self_src,
                self_tgt,
                fwd_count,
                rev_count,
                scratch: Default::default(),
            }),
            signature: h.finish(),
        }
    }

    /// Whether this is an Export or an Import plan.
    pub fn kind(&self) -> PlanKind {
        self.kind
    }

    /// The source map.
    pub fn source(&self) -> &Map {
        &self.source
    }

    /// The target map (`None` for a matrix's halo plan).
    pub fn target(&self) -> Option<&Map> {
        self.target.as_ref()
    }

    /// For each target element, how many contributions a forward transfer brings it (the
    /// divisor of [`CombineMode::Average`]).
    pub fn counts(&self) -> &[u32] {
        &self.routes.fwd_count
    }

    /// For each source element, how many contributions a reverse transfer brings it.
    pub fn reverse_counts(&self) -> &[u32] {
        &self.routes.rev_count
    }

    /// The ranks this rank sends to in a forward transfer (and receives from in reverse).
    pub fn send_peers(&self) -> &[i32] {
        &self.routes.send.peers
    }

    /// The ranks this rank receives from in a forward transfer.
    pub fn recv_peers(&self) -> &[i32] {
        &self.routes.recv.peers
    }

    /// Collective over the map's communicator: combines the values of `x` (on the source map)
    /// into `y` (on the target map) with `mode`.
    pub fn forward<X: Distributed + ?Sized, Y: Distributed + ?Sized>(
        &self,
        x: &X,
        y: &mut Y,
        mode: CombineMode,
    ) -> Result<()> {
        let what = format!("{:?} forward ({mode:?})", self.kind);
        let local = self.check(&what, x, &*y, true);
        let k = x.width();
        self.agree(&what, local, "forward", mode, k)?;
        self.run(true, x.values(), y.values_mut(), k, mode, || {});
        Ok(())
    }

    /// Collective: combines the values of `y` (on the target map) into `x` (on the source map)
    /// with `mode`, along the plan's messages in reverse.
    pub fn reverse<Y: Distributed + ?Sized, X: Distributed + ?Sized>(
        &self,
        y: &Y,
        x: &mut X,
        mode: CombineMode,
    ) -> Result<()> {
        let what = format!("{:?} reverse ({mode:?})", self.kind);
        let local = self.check(&what, &*x, y, false);
        let k = y.width();
        self.agree(&what, local, "reverse", mode, k)?;
        self.run(false, y.values(), x.values_mut(), k, mode, || {});
        Ok(())
    }

    fn agree(
        &self,
        what: &str,
        local: Result<()>,
        dir: &str,
        mode: CombineMode,
        k: usize,
    ) -> Result<()> {
        comm::fused::agree(
            self.source.comm(),
            what,
            local,
            Some(&format!(
                "plan {:x} {dir} {mode:?} width {k}",
                self.signature
            )),
        )
    }

    fn check<X: Distributed + ?Sized, Y: Distributed + ?Sized>(
        &self,
        what: &str,
        src: &X,
        tgt: &Y,
        forward: bool,
    ) -> Result<()> {
        let (a, b) = if forward {
            ("source", "target")
        } else {
            ("target", "source")
        };
        if !src.map().same_as(&self.source) {
            return Err(Error::Invalid(format!(
                "{what}: the {} vector is on {}, the plan's source map is {}",
                if forward { a } else { b },
                src.map(),
                self.source
            )));
        }
        if let Some(t) = &self.target {
            if !tgt.map().same_as(t) {
                return Err(Error::Invalid(format!(
                    "{what}: the {} vector is on {}, the plan's target map is {t}",
                    if forward { b } else { a },
                    tgt.map()
                )));
            }
        }
        if src.width() != tgt.width() {
            return Err(Error::Shape(format!(
                "{what}: the vectors have {} and {} columns",
                src.width(),
                tgt.width()
            )));
        }
        Ok(())
    }

    /// Runs a transfer on raw buffers of `k` values per element: `from` holds the sending
    /// side's elements, `into` the receiving side's. `overlap` runs while messages travel.
    /// The caller has agreed.
    pub(crate) fn run(
        &self,
        forward: bool,
        from: &[f64],
        into: &mut [f64],
        k: usize,
        mode: CombineMode,
        overlap: impl FnOnce(),
    ) {
        self.routes
            .run(self.source.comm(), forward, from, into, k, mode, overlap)
    }

    /// The plan's routes (shared, without the maps).
    pub(crate) fn routes(&self) -> Rc<Routes> {
        self.routes.clone()
    }
}

impl Routes {
    /// Runs a transfer along these routes on `comm` (the source map's communicator, or a
    /// congruent one): see [`Plan::run`]. The caller has agreed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run(
        &self,
        comm: &mpi::topology::SimpleCommunicator,
        forward: bool,
        from: &[f64],
        into: &mut [f64],
        k: usize,
        mode: CombineMode,
        overlap: impl FnOnce(),
    ) {
        let (send, recv, self_from, self_into, count) = if forward {
            (
                &self.send,
                &self.recv,
                &self.self_src,
                &self.self_tgt,
                &self.fwd_count,
            )
        } else {
            (
                &self.recv,
                &self.send,
                &self.self_tgt,
                &self.self_src,
                &self.rev_count,
            )
        };
        // The kept buffers (fresh ones if a transfer on these routes is already running).
        let mut kept = self.scratch.0.try_borrow_mut().ok();
        let mut fresh = (Vec::new(), Vec::new());
        let (sbuf, rbuf) = match kept.as_deref_mut() {
            Some((s, r)) => (s, r),
            None => (&mut fresh.0, &mut fresh.1),
        };
        sbuf.clear();
        if k == 1 {
            sbuf.extend(send.items.iter().map(|&l| from[l]));
        } else {
            for &l in &send.items {
                sbuf.extend_from_slice(&from[l * k..(l + 1) * k]);
            }
        }
        // Every value of the receive buffer is overwritten by the messages.
        rbuf.resize(recv.items.len() * k, 0.0);
        let (sbuf, rbuf) = (&sbuf[..], &mut rbuf[..]);
        if matches!(mode, CombineMode::Average | CombineMode::Zero) {
            for (t, &c) in count.iter().enumerate() {
                if c > 0 {
                    for v in &mut into[t * k..(t + 1) * k] {
                        mode.start(v);
                    }
                }
            }
        }
        {
            let into_ref = &mut *into;
            exchange::exchange(
                comm,
                Side {
                    peers: &send.peers,
                    offsets: &send.offsets,
                },
                sbuf,
                Side {
                    peers: &recv.peers,
                    offsets: &recv.offsets,
                },
                rbuf,
                k,
                || {
                    combine_all(mode, into_ref, k, self_into, |i, j| {
                        from[self_from[i] * k + j]
                    });
                    overlap();
                },
            );
        }
        combine_all(mode, into, k, &recv.items, |i, j| rbuf[i * k + j]);
        if mode == CombineMode::Average {
            for (t, &c) in count.iter().enumerate() {
                if c > 0 {
                    for v in &mut into[t * k..(t + 1) * k] {
                        mode.finish(v, c);
                    }
                }
            }
        }
    }
}

/// Combines value `(i, j)` (the `j`-th of `k` values of contribution `i`) into element
/// `targets[i]` of `into`, for every `i`, with the mode chosen once outside the loop.
#[inline]
fn combine_all(
    mode: CombineMode,
    into: &mut [f64],
    k: usize,
    targets: &[usize],
    value: impl Fn(usize, usize) -> f64,
) {
    #[inline(always)]
    fn each(
        into: &mut [f64],
        k: usize,
        targets: &[usize],
        value: impl Fn(usize, usize) -> f64,
        f: impl Fn(&mut f64, f64),
    ) {
        if k == 1 {
            for (i, &t) in targets.iter().enumerate() {
                f(&mut into[t], value(i, 0));
            }
        } else {
            for (i, &t) in targets.iter().enumerate() {
                for j in 0..k {
                    f(&mut into[t * k + j], value(i, j));
                }
            }
        }
    }
    match mode {
        CombineMode::Insert => each(into, k, targets, value, |t, c| *t = c),
        CombineMode::Add | CombineMode::Average => each(into, k, targets, value, |t, c| *t += c),
        CombineMode::AbsMax => each(into, k, targets, value, |t, c| *t = t.abs().max(c.abs())),
        CombineMode::Max => each(into, k, targets, value, |t, c| *t = t.max(c)),
        CombineMode::Min => each(into, k, targets, value, |t, c| *t = t.min(c)),
        CombineMode::Zero => {}
    }
}
