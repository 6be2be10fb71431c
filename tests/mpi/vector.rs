//! Distributed vectors under mpirun: maps and the directory, vector operations, Export/Import
//! in every combine mode forward and in reverse, CSR and CG, HDF5 I/O from N ranks read by M,
//! interop with h5py, h5dump and PETSc (petsc4py), the PyTrilinos example, and failures that
//! must be errors on every rank. Every result is checked against a serial computation that
//! each rank makes of the whole problem.

use std::path::Path;
use std::time::Duration;

use h5par::vector::*;
use h5par::{ErrorKind, File, Mode};
use libtest_mimic::{Failed, Trial};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

use crate::harness::{self, run_case, run_limited};
use crate::CaseFn;

/// The PyTrilinos example, compiled into the test binary so that the test runs that code.
mod example {
    include!("../../examples/pytrilinos.rs");
}

/// (name, rank counts, time limit in seconds, function)
pub static ALL: &[(&str, &[usize], u64, CaseFn)] = &[
    ("vector_maps", &[1, 2, 3, 4], 60, maps),
    ("vector_ops", &[1, 3], 60, ops),
    ("vector_transfers", &[1, 2, 3, 4], 90, transfers),
    ("vector_csr_cg", &[1, 2, 3], 90, csr_cg),
    ("vector_cg_operator", &[1, 2, 3], 60, cg_operator),
    ("vector_failures", &[2, 3], 60, failures),
    ("vector_write", &[], 60, write_files),
    ("vector_read", &[], 60, read_files),
    ("vector_petsc_wrote", &[], 60, petsc_wrote),
    ("vector_pytrilinos", &[], 60, |w, _| {
        example::run(w).expect("the example runs")
    }),
];

const LIMIT: Duration = Duration::from_secs(90);

/// Trials that drive several programs.
pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test("vector::write3_read2", || n_to_m(3, 2)),
        Trial::test("vector::write2_read4", || n_to_m(2, 4)),
        Trial::test("vector::write1_read3", || n_to_m(1, 3)),
        Trial::test("vector::h5py_h5dump_petsc_read_h5par", others_read_h5par),
        Trial::test("vector::h5par_reads_petsc", h5par_reads_petsc),
        Trial::test("vector::pytrilinos_example_np3", pytrilinos_example),
    ]
}

/// A deterministic random sequence (splitmix64), the same on every rank.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// For every rank, a random subset of `0..n` in random order (each gid in at least one rank
/// when `cover`), rank `p - 1` empty when `empty_last` and p > 1. The same on every rank.
fn random_lists(seed: u64, p: usize, n: i64, cover: bool, empty_last: bool) -> Vec<Vec<i64>> {
    let mut rng = Rng(seed);
    let holders = if empty_last && p > 1 { p - 1 } else { p };
    let mut lists = vec![Vec::new(); p];
    for g in 0..n {
        let mut any = false;
        for l in lists.iter_mut().take(holders) {
            if rng.below(3) == 0 {
                l.push(g);
                any = true;
            }
        }
        if cover && !any {
            lists[rng.below(holders as u64) as usize].push(g);
        }
    }
    for l in &mut lists {
        for i in (1..l.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            l.swap(i, j);
        }
    }
    lists
}

/// A random permutation of `0..n` dealt to `p` ranks (one-to-one, uneven, maybe empty ranks).
fn permuted_lists(seed: u64, p: usize, n: i64) -> Vec<Vec<i64>> {
    let mut rng = Rng(seed);
    let mut all: Vec<i64> = (0..n).collect();
    for i in (1..all.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        all.swap(i, j);
    }
    let mut lists = vec![Vec::new(); p];
    for g in all {
        lists[rng.below(p as u64) as usize].push(g);
    }
    lists
}

fn value_of(g: i64, salt: u64) -> f64 {
    ((g as u64).wrapping_mul(2654435761).wrapping_add(salt) % 1000) as f64 / 8.0 - 60.0
}

fn expect_err<T: std::fmt::Debug>(r: h5par::Result<T>, what: &str) -> h5par::Error {
    match r {
        Ok(v) => panic!("{what}: expected an error on every rank, got {v:?}"),
        Err(e) => e,
    }
}

fn maps(world: &SimpleCommunicator, _: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    // Block: Epetra's linear map.
    for n in [0u64, 1, 2, 10, 13] {
        let m = Map::block(world, n).unwrap();
        let starts = partition::block_starts(n, p);
        assert_eq!(m.local_len() as i64, starts[rank + 1] - starts[rank]);
        assert_eq!(m.global_len(), n);
        assert!(m.is_one_to_one() && m.is_contiguous());
        assert_eq!(
            m.my_gids(),
            (starts[rank]..starts[rank + 1]).collect::<Vec<_>>()
        );
        let all: Vec<i64> = (-1..=n as i64).collect();
        let owners = m.owners(&all).unwrap();
        for (&g, &o) in all.iter().zip(&owners) {
            let want = partition::contiguous_owner(&starts, g).map_or(-1, |r| r as i32);
            assert_eq!(o, want, "owner of {g} in block map of {n}");
        }
    }
    if p == 3 {
        let m = Map::block(world, 10).unwrap();
        let want: &[&[i64]] = &[&[0, 1, 2, 3], &[4, 5, 6], &[7, 8, 9]];
        assert_eq!(m.my_gids(), want[rank]);
    }
    // User sizes, with empty ranks.
    let sizes: Vec<u64> = (0..p).map(|r| (r as u64 * 3) % 4).collect();
    let m = Map::contiguous(world, sizes[rank]).unwrap();
    assert_eq!(m.global_len(), sizes.iter().sum::<u64>());
    let first: u64 = sizes[..rank].iter().sum();
    assert_eq!(m.first_gid(), Some(first as i64));
    for l in 0..m.local_len() {
        assert_eq!(m.lid(m.gid(l).unwrap()), Some(l));
    }
    assert_eq!(m.gid(m.local_len()), None);
    // Arbitrary, overlapping, with an empty rank: directory lookups against the lists.
    for (seed, cover) in [(1u64, true), (2, false)] {
        let lists = random_lists(seed, p, 40, cover, true);
        let m = Map::arbitrary(world, &lists[rank]).unwrap();
        assert_eq!(m.my_gids(), lists[rank]);
        let total: usize = lists.iter().map(|l| l.len()).sum();
        assert_eq!(m.global_len(), total as u64);
        let mut distinct: Vec<i64> = lists.iter().flatten().copied().collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(m.distinct_len(), distinct.len() as u64);
        let shared = total != distinct.len();
        assert_eq!(m.is_one_to_one(), !shared);
        // Each rank asks about a different range of gids (some nobody holds).
        let ask: Vec<i64> = (0..45).map(|i| (i * (rank as i64 + 1) + 3) % 45).collect();
        let found = m.lookup(&ask).unwrap();
        for (&g, hs) in ask.iter().zip(&found) {
            let want: Vec<(i32, u64)> = lists
                .iter()
                .enumerate()
                .filter_map(|(r, l)| l.iter().position(|&x| x == g).map(|i| (r as i32, i as u64)))
                .collect();
            assert_eq!(hs, &want, "holders of gid {g}");
        }
        for l in 0..m.local_len() {
            assert_eq!(m.lid(m.gid(l).unwrap()), Some(l));
        }
        // The one-to-one map of an overlapping one keeps each gid on its lowest holder.
        let o = m.one_to_one().unwrap();
        assert!(o.is_one_to_one());
        assert_eq!(o.distinct_len(), distinct.len() as u64);
    }
    // A permutation is one-to-one; contiguous gid lists become a contiguous map.
    let lists = permuted_lists(3, p, 25);
    let m = Map::arbitrary(world, &lists[rank]).unwrap();
    assert!(m.is_one_to_one() && (p == 1 || !m.is_contiguous()));
    let starts = partition::block_starts(17, p);
    let mine: Vec<i64> = (starts[rank]..starts[rank + 1]).collect();
    let a = Map::arbitrary(world, &mine).unwrap();
    let b = Map::block(world, 17).unwrap();
    assert!(a.is_contiguous() && a.same_as(&b));
    assert!(!a.same_as(&Map::block(world, 18).unwrap()));
    // Sparse large gids: no table of the global size anywhere.
    let big: Vec<i64> = vec![(rank as i64 + 1) * 1_000_000_000_000, 7];
    let m = Map::arbitrary(world, &big).unwrap();
    assert_eq!(m.distinct_len(), p as u64 + 1);
    assert_eq!(m.max_gid(), p as i64 * 1_000_000_000_000);
    let h = m.lookup(&[7, 1_000_000_000_000, 5]).unwrap();
    assert_eq!(h[0].len(), p);
    assert_eq!(h[1], vec![(0, 0)]);
    assert!(h[2].is_empty());
    assert_eq!(
        (m.lid(big[0]), m.lid(7), m.lid(8)),
        (Some(0), Some(1), None)
    );
    // Errors on every rank: a negative gid or a duplicate on one rank only.
    let last = p - 1;
    let bad: Vec<i64> = if rank == last { vec![1, -4] } else { vec![1] };
    let e = expect_err(Map::arbitrary(world, &bad), "negative gid");
    assert!(e.message().contains(&format!("rank {last}")), "{e}");
    let bad: Vec<i64> = if rank == 0 { vec![2, 5, 2] } else { vec![] };
    let e = expect_err(Map::arbitrary(world, &bad), "duplicate gid");
    assert!(e.message().contains("listed twice"), "{e}");
    // The same among sparse gids (indexed by a sorted array, not a table).
    let far = 1i64 << 40;
    let bad: Vec<i64> = if rank == last {
        vec![far, 5, far]
    } else {
        vec![far + 1]
    };
    let e = expect_err(Map::arbitrary(world, &bad), "duplicate sparse gid");
    assert!(
        e.message().contains(&format!("gid {far} is listed twice"))
            && e.message().contains("local indices 0 and 2"),
        "{e}"
    );
    // A gid held twice where one-to-one is needed.
    let dup = Map::arbitrary(world, &[0]).unwrap();
    if p > 1 {
        let e = expect_err(CsrMatrix::new(&dup), "overlapping row map");
        assert!(e.message().contains("one-to-one"), "{e}");
    }
    // Ranks passing different sizes to a block map.
    if p > 1 {
        let e = expect_err(Map::block(world, 10 + rank as u64), "different n");
        assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    }
}

fn ops(world: &SimpleCommunicator, _: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    for lists in [
        permuted_lists(5, p, 1000),
        vec![(0..1000).collect(); p], // every rank holds everything
        random_lists(9, p, 300, true, true),
    ] {
        let m = Map::arbitrary(world, &lists[rank]).unwrap();
        let xs: Vec<f64> = lists[rank].iter().map(|&g| value_of(g, 1)).collect();
        let ys: Vec<f64> = lists[rank].iter().map(|&g| value_of(g, 2)).collect();
        let x = DistVector::from_local(&m, xs).unwrap();
        let y = DistVector::from_local(&m, ys).unwrap();
        let all: Vec<i64> = lists.iter().flatten().copied().collect();
        let gx: Vec<f64> = all.iter().map(|&g| value_of(g, 1)).collect();
        let gy: Vec<f64> = all.iter().map(|&g| value_of(g, 2)).collect();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
        let dot: f64 = gx.iter().zip(&gy).map(|(a, b)| a * b).sum();
        assert!(close(x.dot(&y).unwrap(), dot));
        assert!(close(x.norm1().unwrap(), gx.iter().map(|v| v.abs()).sum()));
        assert!(close(
            x.norm2().unwrap(),
            gx.iter().map(|v| v * v).sum::<f64>().sqrt()
        ));
        let ninf = gx.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert_eq!(x.norm_inf().unwrap(), ninf);
        let sum: f64 = gx.iter().sum();
        assert!(close(x.sum().unwrap(), sum));
        assert!(close(x.mean().unwrap(), sum / gx.len() as f64));
        let max = gx.iter().cloned().fold(f64::MIN, f64::max);
        let min = gx.iter().cloned().fold(f64::MAX, f64::min);
        let at = |v: f64| {
            all.iter()
                .zip(&gx)
                .filter(|(_, &x)| x == v)
                .map(|(&g, _)| g)
                .min()
                .unwrap()
        };
        assert_eq!(x.max_loc().unwrap(), (max, at(max)));
        assert_eq!(x.min_loc().unwrap(), (min, at(min)));
        // Local operations against the serial formulas, element by element.
        let mut z = y.clone();
        z.axpy(2.0, &x).unwrap();
        z.axpby(-1.0, &x, 0.5).unwrap();
        z.multiply(&x).unwrap();
        z.scale(3.0);
        let mut w = z.clone();
        w.divide(&y).unwrap();
        for l in 0..m.local_len() {
            let (a, b) = (x.as_slice()[l], y.as_slice()[l]);
            let want = ((b + 2.0 * a) * 0.5 - a) * a * 3.0;
            assert!(close(z.as_slice()[l], want));
            if b != 0.0 {
                assert!(close(w.as_slice()[l], want / b));
            }
        }
        // The local part is a view of the vector's own memory.
        let mut v = x.clone();
        let ptr = v.as_mut_slice().as_ptr();
        let mut view = v.local_mut();
        view.fill(1.5);
        assert_eq!(view.as_ptr(), ptr);
        assert_eq!(v.sum().unwrap(), 1.5 * gx.len() as f64);
    }
    // Multivectors: columns and their dot products.
    let m = Map::block(world, 50).unwrap();
    let k = 3;
    let vals: Vec<f64> = m
        .my_gids()
        .iter()
        .flat_map(|&g| (0..k).map(move |j| value_of(g, j as u64)))
        .collect();
    let mv = MultiVector::from_local(&m, k, vals).unwrap();
    assert_eq!(mv.local().shape(), &[m.local_len(), k]);
    let dots = mv.dot(&mv).unwrap();
    let norms = mv.norm2().unwrap();
    for j in 0..k {
        let want: f64 = (0..50).map(|g| value_of(g, j as u64).powi(2)).sum();
        assert!((dots[j] - want).abs() < 1e-9 * want);
        assert!((norms[j] - want.sqrt()).abs() < 1e-9 * want.sqrt());
        assert!((mv.column(j).unwrap().norm2().unwrap() - norms[j]).abs() < 1e-9);
    }
    // Incompatible maps: an error on every rank (the check is the same everywhere).
    let other = Map::block(world, 51).unwrap();
    let a = DistVector::new(&m);
    let mut b = DistVector::new(&other);
    for e in [
        a.dot(&b).map(|_| ()),
        b.axpy(1.0, &a),
        b.multiply(&a),
        b.axpby(1.0, &a, 1.0),
    ] {
        let e = expect_err(e, "different maps");
        assert!(e.message().contains("different maps"), "{e}");
    }
    // Same gids on a different distribution are incompatible too.
    let shifted = Map::contiguous(world, if rank == 0 { 50 } else { 0 }).unwrap();
    if p > 1 {
        expect_err(DistVector::new(&shifted).dot(&a), "other distribution");
    }
    // An empty map has no maximum.
    let empty = Map::block(world, 0).unwrap();
    expect_err(DistVector::new(&empty).max_loc(), "empty map");
}

/// The value of (rank, gid, column).
type ValueFn = dyn Fn(usize, i64, usize) -> f64;
/// Lists of gids per rank.
type Lists = Vec<Vec<i64>>;

/// Serial model of a transfer: for every receiving (rank, lid), its contributions in order.
fn check_transfer(
    world: &SimpleCommunicator,
    plan: &Plan,
    src_lists: &[Vec<i64>],
    tgt_lists: &[Vec<i64>],
    export: bool,
    k: usize,
) {
    let rank = world.rank() as usize;
    let s = plan.source().clone();
    let t = plan.target().unwrap().clone();
    let src_val = |r: usize, g: i64, j: usize| value_of(g, (r * 7 + j) as u64);
    let tgt_old = |r: usize, g: i64, j: usize| value_of(g, (r * 13 + j + 100) as u64) - 3.0;
    for mode in CombineMode::ALL {
        for forward in [true, false] {
            // Forward: source -> target. Reverse: target -> source along the same pairs.
            let (from_lists, into_lists, from_val, into_val): (_, _, &ValueFn, &ValueFn) =
                if forward {
                    (src_lists, tgt_lists, &src_val, &tgt_old)
                } else {
                    (tgt_lists, src_lists, &tgt_old, &src_val)
                };
            let fill = |map: &Map, r: usize, lists: &[Vec<i64>], f: &ValueFn| {
                let vals: Vec<f64> = lists[r]
                    .iter()
                    .flat_map(|&g| (0..k).map(move |j| f(r, g, j)))
                    .collect();
                MultiVector::from_local(map, k, vals).unwrap()
            };
            let (from_map, into_map) = if forward { (&s, &t) } else { (&t, &s) };
            let from = fill(from_map, rank, from_lists, from_val);
            let mut into = fill(into_map, rank, into_lists, into_val);
            if forward {
                plan.forward(&from, &mut into, mode).unwrap();
            } else {
                plan.reverse(&from, &mut into, mode).unwrap();
            }
            // The pairs of the plan, serially: export pairs each source element with every
            // target element of its gid; import pairs each target element with one source
            // element of its gid (its own rank's if any, else the lowest rank's).
            let mut pairs: Vec<((usize, i64), (usize, i64))> = Vec::new();
            if export {
                for (sr, sl) in src_lists.iter().enumerate() {
                    for &g in sl {
                        for (tr, tl) in tgt_lists.iter().enumerate() {
                            if tl.contains(&g) {
                                pairs.push(((sr, g), (tr, g)));
                            }
                        }
                    }
                }
            } else {
                for (tr, tl) in tgt_lists.iter().enumerate() {
                    for &g in tl {
                        let sr = if src_lists[tr].contains(&g) {
                            tr
                        } else {
                            (0..src_lists.len())
                                .find(|&r| src_lists[r].contains(&g))
                                .unwrap()
                        };
                        pairs.push(((sr, g), (tr, g)));
                    }
                }
            }
            for (l, &g) in into_lists[rank].iter().enumerate() {
                for j in 0..k {
                    // Contributions to (rank, g), in rank order of their senders, own first
                    // is not guaranteed: only Insert depends on the order, checked below.
                    let mut contrib: Vec<(usize, f64)> = pairs
                        .iter()
                        .filter_map(|&(a, b)| {
                            let (f, i) = if forward { (a, b) } else { (b, a) };
                            (i == (rank, g)).then(|| (f.0, from_val(f.0, g, j)))
                        })
                        .collect();
                    contrib.sort_by_key(|c| c.0);
                    let mut want = [into_val(rank, g, j)];
                    let cs: Vec<(usize, f64)> = contrib.iter().map(|&(_, v)| (0, v)).collect();
                    partition::combine_serial(mode, &mut want, &cs);
                    let got = into.local()[[l, j]];
                    if mode == CombineMode::Insert && contrib.len() > 1 {
                        assert!(
                            contrib.iter().any(|c| c.1 == got),
                            "Insert gave {got}, not one of {contrib:?}"
                        );
                    } else {
                        assert!(
                            (got - want[0]).abs() < 1e-9 * (1.0 + want[0].abs()),
                            "{mode:?} {} export={export} rank {rank} gid {g} col {j}: {got} vs \
                             {} from {contrib:?}",
                            if forward { "forward" } else { "reverse" },
                            want[0]
                        );
                    }
                }
            }
        }
    }
}

fn transfers(world: &SimpleCommunicator, _: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    let n = 60;
    let unique: Vec<Vec<i64>> = {
        let s = partition::block_starts(n as u64, p);
        (0..p).map(|r| (s[r]..s[r + 1]).collect()).collect()
    };
    let permuted = permuted_lists(11, p, n);
    let overlap = random_lists(12, p, n, true, true);
    let overlap2 = random_lists(13, p, n, true, false);
    let cases: [(&Lists, &Lists); 5] = [
        (&overlap, &unique),
        (&overlap, &permuted),
        (&permuted, &unique),
        (&overlap, &overlap2),
        (&unique, &overlap),
    ];
    let map_of = |l: &Vec<Vec<i64>>| Map::arbitrary(world, &l[rank]).unwrap();
    for (i, (s, t)) in cases.iter().enumerate() {
        let (sm, tm) = (map_of(s), map_of(t));
        for k in [1usize, 3] {
            let ex = Export::export(&sm, &tm).unwrap();
            check_transfer(world, &ex, s, t, true, k);
            // Import needs every target gid in the source: all lists cover 0..n.
            let im = Import::import(&sm, &tm).unwrap();
            check_transfer(world, &im, s, t, false, k);
            if i == 0 && k == 1 && p > 1 {
                // Only ranks that share gids exchange.
                for &peer in ex.send_peers() {
                    let shares = s[rank].iter().any(|g| t[peer as usize].contains(g));
                    assert!(shares, "rank {rank} sends to {peer} without sharing");
                }
            }
        }
    }
    // Average with 1, 2 and 3 contributors: the mean (Epetra would give 2.25 for three).
    if p >= 3 {
        let unique = Map::block(world, 3).unwrap();
        // gid 0 on one rank, gid 1 on two, gid 2 on three.
        let mine: Vec<i64> = match rank {
            0 => vec![0, 1, 2],
            1 => vec![1, 2],
            2 => vec![2],
            _ => vec![],
        };
        let over = Map::arbitrary(world, &mine).unwrap();
        let mut x = DistVector::new(&over);
        x.fill(rank as f64 + 1.0);
        let ex = Export::export(&over, &unique).unwrap();
        let mut u = DistVector::new(&unique);
        ex.forward(&x, &mut u, CombineMode::Average).unwrap();
        let want = [1.0, 1.5, 2.0];
        for (l, &g) in unique.my_gids().iter().enumerate() {
            assert_eq!(u.as_slice()[l], want[g as usize]);
            assert_eq!(ex.counts()[l], g as u32 + 1);
        }
        assert_eq!(partition::epetra_average(&[1.0, 2.0, 3.0]), 2.25);
    }
    // The map-making pattern: export local hits with Add, import the sums back with Insert,
    // many times through the same plan.
    let sky = Map::block(world, 1000).unwrap();
    let mut rng = Rng(77 + rank as u64);
    let samples: Vec<i64> = (0..500).map(|_| rng.below(1000) as i64).collect();
    let mut touched = samples.clone();
    touched.sort();
    touched.dedup();
    let local = Map::arbitrary(world, &touched).unwrap();
    let plan = Export::export(&local, &sky).unwrap();
    let mut all_hits = vec![0.0; 1000];
    for r in 0..p {
        let mut rr = Rng(77 + r as u64);
        for _ in 0..500 {
            all_hits[rr.below(1000) as usize] += 1.0;
        }
    }
    for _ in 0..3 {
        let mut hits = DistVector::new(&local);
        for &s in &samples {
            let l = local.lid(s).unwrap();
            hits.as_mut_slice()[l] += 1.0;
        }
        let mut map = DistVector::new(&sky);
        plan.forward(&hits, &mut map, CombineMode::Add).unwrap();
        for (l, &g) in sky.my_gids().iter().enumerate() {
            assert_eq!(map.as_slice()[l], all_hits[g as usize]);
        }
        plan.reverse(&map, &mut hits, CombineMode::Insert).unwrap();
        for (l, &g) in touched.iter().enumerate() {
            assert_eq!(hits.as_slice()[l], all_hits[g as usize]);
        }
    }
}

/// Dense LU-free solve of an SPD system by Cholesky (the reference for CG).
fn cholesky_solve(a: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            l[i][j] = if i == j {
                (a[i][i] - s).sqrt()
            } else {
                (a[i][j] - s) / l[j][j]
            };
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

fn csr_cg(world: &SimpleCommunicator, _: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    let n = 40usize;
    // Row maps: block, and a permutation.
    for rows in [
        {
            let s = partition::block_starts(n as u64, p);
            (0..p).map(|r| (s[r]..s[r + 1]).collect()).collect()
        },
        permuted_lists(21, p, n as i64),
    ] {
        let map = Map::arbitrary(world, &rows[rank]).unwrap();
        // Random entries from every rank, into any row: a symmetric matrix B + B' + n I.
        let mut dense = vec![vec![0.0; n]; n];
        let mut a = CsrMatrix::new(&map).unwrap();
        for r in 0..p {
            let mut rng = Rng(1000 + r as u64);
            for _ in 0..120 {
                let (i, j) = (rng.below(n as u64) as usize, rng.below(n as u64) as usize);
                let v = rng.unit() - 0.5;
                dense[i][j] += v;
                dense[j][i] += v;
                if r == rank {
                    a.insert_global(i as i64, &[j as i64], &[v]).unwrap();
                    a.sum_into_global(j as i64, &[i as i64], &[v]).unwrap();
                }
            }
        }
        for (i, row) in dense.iter_mut().enumerate() {
            row[i] += n as f64 / 4.0;
            if rank == i % p {
                a.insert_global(i as i64, &[i as i64], &[n as f64 / 4.0])
                    .unwrap();
            }
        }
        a.fill_complete().unwrap();
        // Entries against the dense matrix.
        for (i, j, v) in a.local_entries() {
            assert!((dense[i as usize][j as usize] - v).abs() < 1e-12);
        }
        let nnz: usize = dense.iter().flatten().filter(|&&v| v != 0.0).count();
        let mut local_nnz = a.local_nnz() as u64;
        let mut total = 0u64;
        world.all_reduce_into(
            &local_nnz,
            &mut total,
            mpi::collective::SystemOperation::sum(),
        );
        assert!(total as usize <= nnz + n); // exact zeros from cancellation may be stored
        local_nnz = 0;
        let _ = local_nnz;
        // y = A x against the dense product.
        let xv = |g: i64| value_of(g, 5);
        let x = DistVector::from_local(&map, rows[rank].iter().map(|&g| xv(g)).collect()).unwrap();
        let mut y = DistVector::new(&map);
        a.apply(&x, &mut y).unwrap();
        for (l, &g) in rows[rank].iter().enumerate() {
            let want: f64 = (0..n).map(|j| dense[g as usize][j] * xv(j as i64)).sum();
            assert!((y.as_slice()[l] - want).abs() < 1e-9 * (1.0 + want.abs()));
        }
        let d = a.diagonal().unwrap();
        for (l, &g) in rows[rank].iter().enumerate() {
            assert!((d.as_slice()[l] - dense[g as usize][g as usize]).abs() < 1e-12);
        }
        // CG (with and without Jacobi) against a direct solve.
        let b: Vec<f64> = (0..n).map(|g| value_of(g as i64, 9)).collect();
        let exact = cholesky_solve(&dense, &b);
        let bv = DistVector::from_local(&map, rows[rank].iter().map(|&g| b[g as usize]).collect())
            .unwrap();
        for jacobi in [false, true] {
            let mut sol = DistVector::new(&map);
            let opts = CgOptions {
                max_iterations: 200,
                tolerance: 1e-12,
                jacobi,
            };
            let out = cg(&a, &bv, &mut sol, &opts).unwrap();
            assert!(out.converged, "{}", out.describe());
            assert_eq!(out.stop, CgStop::Converged);
            assert_eq!(out.residuals.len(), out.iterations + 1);
            assert!(out.relative_residual() <= 1e-12);
            for (l, &g) in rows[rank].iter().enumerate() {
                assert!((sol.as_slice()[l] - exact[g as usize]).abs() < 1e-8);
            }
        }
        // Too few iterations: not converged, and says so.
        let mut sol = DistVector::new(&map);
        let out = cg(
            &a,
            &bv,
            &mut sol,
            &CgOptions {
                max_iterations: 2,
                tolerance: 1e-14,
                jacobi: false,
            },
        )
        .unwrap();
        assert!(!out.converged && out.stop == CgStop::MaxIterations && out.iterations == 2);
    }
    // Not positive definite: -I.
    let map = Map::block(world, 5).unwrap();
    let mut a = CsrMatrix::new(&map).unwrap();
    for g in map.my_gids() {
        a.insert_global(g, &[g], &[-1.0]).unwrap();
    }
    a.fill_complete().unwrap();
    let mut b = DistVector::new(&map);
    b.fill(1.0);
    let mut x = DistVector::new(&map);
    let out = cg(&a, &b, &mut x, &CgOptions::default()).unwrap();
    assert_eq!(out.stop, CgStop::NotPositiveDefinite);
    // A zero diagonal with Jacobi is an error on every rank; so is a vector on another map.
    let mut z = CsrMatrix::new(&map).unwrap();
    if rank == 0 {
        z.insert_global(0, &[1], &[1.0]).unwrap();
    }
    z.fill_complete().unwrap();
    let opts = CgOptions {
        jacobi: true,
        ..CgOptions::default()
    };
    expect_err(cg(&z, &b, &mut x, &opts), "zero diagonal");
    let other = Map::block(world, 6).unwrap();
    let mut w = DistVector::new(&other);
    expect_err(a.apply(&b, &mut w), "apply into another map");
}

/// A matrix-free 1-D Laplacian plus a shift, `(2 + s) x_i - x_{i-1} - x_{i+1}`, applied through
/// an Import of each rank's neighbours; `fail_at` makes rank 0 fail its n-th application
/// (after the Import, which every rank made).
struct Laplacian {
    unique: Map,
    halo: Map,
    import: Import,
    shift: f64,
    fail_at: Option<usize>,
    calls: std::cell::Cell<usize>,
}

impl Laplacian {
    fn new(unique: &Map, n: i64, shift: f64) -> Laplacian {
        let mut gids = unique.my_gids();
        let mine = gids.clone();
        for &g in &mine {
            for h in [g - 1, g + 1] {
                if (0..n).contains(&h) && !gids.contains(&h) {
                    gids.push(h);
                }
            }
        }
        let halo = Map::arbitrary(unique.comm(), &gids).unwrap();
        let import = Plan::import(unique, &halo).unwrap();
        Laplacian {
            unique: unique.clone(),
            halo,
            import,
            shift,
            fail_at: None,
            calls: std::cell::Cell::new(0),
        }
    }
}

impl LinearOperator for Laplacian {
    fn map(&self) -> &Map {
        &self.unique
    }

    fn apply(&self, x: &DistVector, y: &mut DistVector) -> h5par::Result<()> {
        self.calls.set(self.calls.get() + 1);
        let mut h = DistVector::new(&self.halo);
        self.import.forward(x, &mut h, CombineMode::Insert)?;
        // A local failure after the collective part (e.g. a value found bad).
        if self.fail_at == Some(self.calls.get()) && self.unique.rank() == 0 {
            return Err(h5par::Error::Invalid(
                "the operator failed on purpose".into(),
            ));
        }
        let at = |g: i64| self.halo.lid(g).map_or(0.0, |l| h.as_slice()[l]);
        for (l, g) in self.unique.my_gids().into_iter().enumerate() {
            y.as_mut_slice()[l] = (2.0 + self.shift) * at(g) - at(g - 1) - at(g + 1);
        }
        Ok(())
    }
}

fn cg_operator(world: &SimpleCommunicator, _: &Path) {
    let n = 30i64;
    let p = world.size() as usize;
    let rank = world.rank() as usize;
    for rows in [
        {
            let s = partition::block_starts(n as u64, p);
            (0..p).map(|r| (s[r]..s[r + 1]).collect()).collect()
        },
        permuted_lists(5, p, n),
    ] {
        let map = Map::arbitrary(world, &rows[rank]).unwrap();
        let op = Laplacian::new(&map, n, 0.1);
        // The same operator as a matrix: the same CG loop gives the same solution.
        let mut a = CsrMatrix::new(&map).unwrap();
        for g in map.my_gids() {
            let cols: Vec<i64> = [g - 1, g, g + 1]
                .into_iter()
                .filter(|h| (0..n).contains(h))
                .collect();
            let vals: Vec<f64> = cols
                .iter()
                .map(|&h| if h == g { 2.1 } else { -1.0 })
                .collect();
            a.insert_global(g, &cols, &vals).unwrap();
        }
        a.fill_complete().unwrap();
        let b = DistVector::from_local(&map, rows[rank].iter().map(|&g| value_of(g, 3)).collect())
            .unwrap();
        let opts = CgOptions {
            max_iterations: 100,
            tolerance: 1e-12,
            jacobi: false,
        };
        let (mut xa, mut xo) = (DistVector::new(&map), DistVector::new(&map));
        let oa = cg(&a, &b, &mut xa, &opts).unwrap();
        let oo = cg(&op, &b, &mut xo, &opts).unwrap();
        assert!(oo.converged, "{}", oo.describe());
        assert_eq!(oa.iterations, oo.iterations);
        for (u, v) in xa.as_slice().iter().zip(xo.as_slice()) {
            assert!((u - v).abs() < 1e-10, "{u} against {v}");
        }
        // Through a trait object too.
        let dynop: &dyn LinearOperator = &op;
        let mut xd = DistVector::new(&map);
        cg(dynop, &b, &mut xd, &opts).unwrap();
        assert_eq!(xd.as_slice(), xo.as_slice());
        // No diagonal: Jacobi is an error on every rank, before any application.
        let calls = op.calls.get();
        let j = CgOptions {
            jacobi: true,
            ..opts
        };
        expect_err(cg(&op, &b, &mut xd, &j), "Jacobi without a diagonal");
        assert_eq!(op.calls.get(), calls);
        // Failing on rank 0 only, at the 3rd application: an error on every rank, no hang.
        let mut bad = Laplacian::new(&map, n, 0.1);
        bad.fail_at = Some(3);
        let mut x0 = DistVector::new(&map);
        let e = expect_err(cg(&bad, &b, &mut x0, &opts), "operator failing on rank 0");
        assert!(e.to_string().contains("on purpose"), "{e}");
        // Still usable afterwards.
        assert!(b.norm2().unwrap() > 0.0);
    }
}

fn failures(world: &SimpleCommunicator, _: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    let m = Map::block(world, 20).unwrap();
    let v = DistVector::new(&m);
    // Ranks calling different collectives: a mismatch on every rank, not a wrong number.
    let e = if rank == 0 {
        expect_err(v.dot(&v), "dot against norm2")
    } else {
        expect_err(v.norm2(), "norm2 against dot")
    };
    assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    // Still usable afterwards.
    assert_eq!(v.norm2().unwrap(), 0.0);
    // One synchronisation per operation: a reduction carries its agreement, so a rank that
    // skips a dot, repeats it or is in another operation meets the others' call and every
    // rank gets the mismatch, naming the calls (no hang, no wrong number).
    let plan = Export::export(&m, &m).unwrap();
    let mut t = DistVector::new(&m);
    // Rank 1 skips the dot and goes on to the transfer.
    let e = if rank == 1 {
        expect_err(plan.forward(&v, &mut t, CombineMode::Add), "skipped dot")
    } else {
        expect_err(v.dot(&v), "dot skipped by rank 1")
    };
    assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    let msg = e.message();
    assert!(
        msg.contains("rank 0 is in dot") && msg.contains("Export forward"),
        "{msg}"
    );
    // Rank 0 repeats the dot; the others are in norm2 by then.
    assert_eq!(v.dot(&v).unwrap(), 0.0);
    let e = if rank == 0 {
        expect_err(v.dot(&v), "repeated dot")
    } else {
        expect_err(v.norm2(), "norm2 against a repeated dot")
    };
    assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    assert!(e.message().contains("norm2"), "{e}");
    // A dot against max_loc (other operation, other number of values).
    let e = if rank == 0 {
        expect_err(v.max_loc(), "max_loc against dot")
    } else {
        expect_err(v.dot(&v), "dot against max_loc")
    };
    assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    // A dot on another map on the last rank only: its own error there, Remote elsewhere.
    let other = DistVector::new(&Map::block(world, 21).unwrap());
    let e = if rank == p - 1 {
        expect_err(v.dot(&other), "dot of different maps")
    } else {
        expect_err(v.dot(&v), "dot with a failing rank")
    };
    assert!(e.message().contains("different maps"), "{e}");
    if rank != p - 1 {
        assert_eq!(e.kind(), ErrorKind::Remote, "{e}");
    }
    // A multivector dot of more columns than travel with the agreement, then the transfer:
    // still in step.
    let k = h5par::comm::fused::SLOTS + 3;
    let mv = MultiVector::from_local(
        &m,
        k,
        (0..m.local_len() * k).map(|i| (i % 7) as f64).collect(),
    )
    .unwrap();
    let d = mv.dot(&mv).unwrap();
    let mut want = vec![0.0; k];
    for (i, x) in mv.as_slice().iter().enumerate() {
        want[i % k] += x * x;
    }
    let mut all = vec![0.0; k];
    world.all_reduce_into(
        &want[..],
        &mut all[..],
        mpi::collective::SystemOperation::sum(),
    );
    assert_eq!(d, all);
    plan.forward(&v, &mut t, CombineMode::Add).unwrap();
    // An Export whose source holds a gid the target lacks: an error on every rank.
    let big: Vec<i64> = if rank == p - 1 { vec![25] } else { vec![] };
    let src = Map::arbitrary(world, &big).unwrap();
    let e = expect_err(Export::export(&src, &m), "gid not in target");
    assert!(e.message().contains("25"), "{e}");
    // An Import whose target wants a gid the source lacks.
    let e = expect_err(Import::import(&m, &src), "gid not in source");
    assert!(e.message().contains("not in the source"), "{e}");
    // A transfer with a vector on the wrong map, on one rank's side only: every rank fails.
    let plan = Export::export(&m, &m).unwrap();
    let mut t = DistVector::new(&m);
    let wrong = DistVector::new(&Map::block(world, 21).unwrap());
    let e = if rank == 0 {
        plan.forward(&wrong, &mut t, CombineMode::Add)
    } else {
        plan.forward(&v, &mut t, CombineMode::Add)
    };
    expect_err(e, "wrong map on rank 0");
    // Different combine modes on different ranks.
    let mode = if rank == 0 {
        CombineMode::Add
    } else {
        CombineMode::Max
    };
    let e = expect_err(plan.forward(&v, &mut t, mode), "different modes");
    assert_eq!(e.kind(), ErrorKind::Mismatch, "{e}");
    // A bad insert on one rank makes fill_complete fail on every rank.
    let mut a = CsrMatrix::new(&m).unwrap();
    if rank == p - 1 {
        assert!(a.insert_global(3, &[99], &[1.0]).is_err());
    }
    let e = expect_err(a.fill_complete(), "bad insert");
    assert!(e.message().contains("99"), "{e}");
    // apply before fill_complete.
    let b = CsrMatrix::new(&m).unwrap();
    let mut y = DistVector::new(&m);
    expect_err(b.apply(&v, &mut y), "apply before fill_complete");
}

/// Lists the file test uses (the same on writers and readers of any size): gids 0..n.
const NF: i64 = 97;

fn write_files(world: &SimpleCommunicator, dir: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    let f = File::create(world, dir.join("vec.h5")).unwrap();
    let block = Map::block(world, NF as u64).unwrap();
    let v = DistVector::from_local(
        &block,
        block.my_gids().iter().map(|&g| value_of(g, 1)).collect(),
    )
    .unwrap();
    write_vector(&f, "block", &v).unwrap();
    let perm = permuted_lists(31, p, NF);
    let pm = Map::arbitrary(world, &perm[rank]).unwrap();
    let v =
        DistVector::from_local(&pm, perm[rank].iter().map(|&g| value_of(g, 2)).collect()).unwrap();
    write_vector(&f, "permuted", &v).unwrap();
    // A second write through the same map reuses its cached redistribution.
    let v =
        DistVector::from_local(&pm, perm[rank].iter().map(|&g| value_of(g, 4)).collect()).unwrap();
    write_vector(&f, "permuted_again", &v).unwrap();
    // PETSc's timestepping layout, steps written out of order (the dataset grows).
    for t in [1u64, 0, 2] {
        let v = DistVector::from_local(
            &pm,
            perm[rank]
                .iter()
                .map(|&g| g as f64 * 0.25 + t as f64)
                .collect(),
        )
        .unwrap();
        write_vector_step(&f, "stepped", &v, t).unwrap();
    }
    // A step of another length: an error on every rank.
    let short = Map::block(world, 5).unwrap();
    let e = expect_err(
        write_vector_step(&f, "stepped", &DistVector::new(&short), 3),
        "a step of another length",
    );
    assert!(e.message().contains("a timestep of [T, 5]"), "{e}");
    let k = 3;
    let mv = MultiVector::from_local(
        &pm,
        k,
        perm[rank]
            .iter()
            .flat_map(|&g| (0..k).map(move |j| value_of(g, 10 + j as u64)))
            .collect(),
    )
    .unwrap();
    write_multivector(&f, "multi", &mv).unwrap();
    // Non-contiguous gids: every third gid; the others read back as 0.
    let sparse: Vec<i64> = perm[rank].iter().map(|g| g * 3).collect();
    let sm = Map::arbitrary(world, &sparse).unwrap();
    let v = DistVector::from_local(&sm, sparse.iter().map(|&g| value_of(g, 3)).collect()).unwrap();
    write_vector(&f, "sparse", &v).unwrap();
    // An overlapping map cannot be written: an error on every rank, and the file survives.
    let over = Map::arbitrary(world, &[0]).unwrap();
    if p > 1 {
        let e = expect_err(write_vector(&f, "over", &DistVector::new(&over)), "overlap");
        assert!(e.message().contains("one-to-one"), "{e}");
    }
    f.close().unwrap();
}

fn read_files(world: &SimpleCommunicator, dir: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    let f = File::open(world, dir.join("vec.h5"), Mode::ReadOnly).unwrap();
    let maps: Vec<(String, Vec<i64>)> = vec![
        ("block".into(), {
            let s = partition::block_starts(NF as u64, p);
            (s[rank]..s[rank + 1]).collect()
        }),
        ("permuted".into(), permuted_lists(99, p, NF)[rank].clone()),
        (
            "overlapping".into(),
            random_lists(98, p, NF, false, true)[rank].clone(),
        ),
    ];
    for (kind, gids) in &maps {
        let m = Map::arbitrary(world, gids).unwrap();
        for (name, salt) in [("block", 1u64), ("permuted", 2)] {
            let v = read_vector(&f, name, &m).unwrap();
            for (l, &g) in gids.iter().enumerate() {
                assert_eq!(v.as_slice()[l], value_of(g, salt), "{name} into {kind}");
            }
        }
        // Reads through the map's cached redistribution, of another length in between (the
        // cache is rebuilt for it, then for the first length again).
        for (name, salt) in [("permuted_again", 4u64), ("sparse", 3), ("block", 1)] {
            let v = read_vector(&f, name, &m).unwrap();
            for (l, &g) in gids.iter().enumerate() {
                let want = match name {
                    "sparse" if g % 3 != 0 => 0.0,
                    _ => value_of(g, salt),
                };
                assert_eq!(v.as_slice()[l], want, "{name} into {kind} (cached plan)");
            }
        }
        for t in [2u64, 0, 1] {
            let v = read_vector_step(&f, "stepped", &m, t).unwrap();
            for (l, &g) in gids.iter().enumerate() {
                assert_eq!(v.as_slice()[l], g as f64 * 0.25 + t as f64, "step {t}");
            }
        }
        let mv = read_multivector(&f, "multi", &m, 3).unwrap();
        for (l, &g) in gids.iter().enumerate() {
            for j in 0..3 {
                assert_eq!(mv.local()[[l, j]], value_of(g, 10 + j as u64));
            }
        }
        let sg: Vec<i64> = gids
            .iter()
            .map(|g| g * 3 + (g % 3))
            .filter(|&g| g < 3 * NF - 2)
            .collect();
        let sm = Map::arbitrary(world, &sg).unwrap();
        let v = read_vector(&f, "sparse", &sm).unwrap();
        for (l, &g) in sg.iter().enumerate() {
            let want = if g % 3 == 0 { value_of(g, 3) } else { 0.0 };
            assert_eq!(v.as_slice()[l], want);
        }
    }
    // Gids beyond the dataset, or the wrong shape: errors on every rank.
    let too_far = Map::arbitrary(world, &[NF + rank as i64]).unwrap();
    let e = expect_err(read_vector(&f, "block", &too_far), "gid beyond the dataset");
    assert!(e.message().contains("gids up to"), "{e}");
    let m = Map::block(world, NF as u64).unwrap();
    expect_err(read_vector(&f, "multi", &m), "2-D as 1-D");
    expect_err(read_multivector(&f, "block", &m, 2), "1-D as 2-D");
    expect_err(read_vector(&f, "nothing", &m), "missing dataset");
    f.close().unwrap();
}

/// h5par reads what petsc4py's VecView wrote (`petsc.h5`, written by the script below).
fn petsc_wrote(world: &SimpleCommunicator, dir: &Path) {
    let (rank, p) = (world.rank() as usize, world.size() as usize);
    let f = File::open(world, dir.join("petsc.h5"), Mode::ReadOnly).unwrap();
    let gids = permuted_lists(5, p, 50)[rank].clone();
    let m = Map::arbitrary(world, &gids).unwrap();
    let v = read_vector(&f, "x", &m).unwrap();
    for (l, &g) in gids.iter().enumerate() {
        assert_eq!(v.as_slice()[l], g as f64 * 0.5 + 1.0);
    }
    let mv = read_multivector(&f, "xb", &m, 2).unwrap();
    for (l, &g) in gids.iter().enumerate() {
        for j in 0..2 {
            assert_eq!(mv.local()[[l, j]], (2 * g + j as i64) as f64);
        }
    }
    // The timestepping layout [3, 50]: each step into the permuted map, then a step too far.
    for t in [2u64, 0, 1] {
        let v = read_vector_step(&f, "xt", &m, t).unwrap();
        for (l, &g) in gids.iter().enumerate() {
            assert_eq!(v.as_slice()[l], g as f64 * 0.25 + t as f64, "step {t}");
        }
    }
    let e = expect_err(
        read_vector_step(&f, "xt", &m, 3),
        "a step beyond the dataset",
    );
    assert!(e.message().contains("timestep 3"), "{e}");
    f.close().unwrap();
}

fn n_to_m(n: usize, m: usize) -> Result<(), Failed> {
    let dir = harness::trial_dir();
    run_case("vector_write", n, dir.path(), LIMIT)?;
    run_case("vector_read", m, dir.path(), LIMIT)?;
    Ok(())
}

fn python(args: &[&str], ranks: usize) -> Result<String, String> {
    let mut cmd = if ranks > 0 {
        let mut c = std::process::Command::new(harness::mpirun());
        c.arg("-n").arg(ranks.to_string()).arg(harness::python());
        c
    } else {
        std::process::Command::new(harness::python())
    };
    cmd.args(args);
    harness::mpi_env(&mut cmd);
    cmd.env("H5PY_ALWAYS_USE_MPI", "1");
    let o = run_limited(cmd, LIMIT);
    if o.status == Some(0) && !o.timed_out {
        Ok(o.output)
    } else {
        Err(format!(
            "{args:?} failed ({:?}, timed out: {}):\n{}",
            o.status, o.timed_out, o.output
        ))
    }
}

fn script() -> String {
    format!(
        "{}/tests/python/vector_interop.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// petsc4py is built on OpenMPI here: the PETSc side runs under OpenMPI's mpirun only.
fn petsc_ranks() -> Option<usize> {
    (h5par_testkit::flavour() == "openmpi").then_some(2)
}

fn others_read_h5par() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    run_case("vector_write", 3, dir.path(), LIMIT)?;
    let file = dir.path().join("vec.h5");
    let f = file.to_str().ok_or("utf-8 path")?;
    // h5dump: the datasets and their shapes.
    let o = run_limited(
        {
            let mut c = std::process::Command::new("h5dump");
            c.args(["-H", f]);
            c
        },
        LIMIT,
    );
    for want in [
        "DATASET \"block\"",
        "DATASPACE  SIMPLE { ( 97 ) / ( 97 ) }",
        "DATASET \"multi\"",
        "( 97, 3 )",
        "DATASET \"sparse\"",
        "( 289 )",
    ] {
        if !o.output.contains(want) {
            return Err(format!("h5dump -H does not show {want:?}:\n{}", o.output).into());
        }
    }
    let out = python(&[&script(), "h5py-check", f], 0)?;
    if !out.contains("h5py ok") {
        return Err(format!("h5py did not confirm:\n{out}").into());
    }
    if let Some(n) = petsc_ranks() {
        let out = python(&[&script(), "petsc-load", f], n)?;
        if !out.contains("petsc VecLoad ok") {
            return Err(format!("PETSc did not confirm:\n{out}").into());
        }
    } else {
        println!("(PETSc's VecLoad check runs with OpenMPI's build: petsc4py is built on it)");
    }
    Ok(())
}

fn h5par_reads_petsc() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let file = dir.path().join("petsc.h5");
    let f = file.to_str().ok_or("utf-8 path")?;
    if let Some(n) = petsc_ranks() {
        python(&[&script(), "petsc-view", f], n)?;
    } else {
        // MPICH build: the same layout, written by serial h5py (what VecView writes).
        python(&[&script(), "h5py-view", f], 0)?;
    }
    for ranks in [1, 3] {
        run_case("vector_petsc_wrote", ranks, dir.path(), LIMIT)?;
    }
    Ok(())
}

fn pytrilinos_example() -> Result<(), Failed> {
    let dir = harness::trial_dir();
    let out = run_case("vector_pytrilinos", 3, dir.path(), LIMIT)?;
    for want in [
        "rank 0: MaxValue = 3",
        "rank 1: MaxValue = 3",
        "rank 2: MaxValue = 3",
        "rank 0: unique map holds [0, 1, 2, 3], overlapping map holds [0, 1, 2, 3, 4, 8]",
        "rank 1: unique map holds [4, 5, 6], overlapping map holds [3, 4, 5, 6]",
        "rank 2: unique map holds [7, 8, 9], overlapping map holds [6, 7, 8, 9]",
        "u = [1, 1, 1, 1.5, 1.5, 2, 2.5, 3, 2, 3]",
        "b = [1, 0, -0.5, 0.5, -0.5, 0, 0, 1.5, -2, 4]",
        "CG converged after ",
    ] {
        if !out.contains(want) {
            return Err(format!("the example's output lacks {want:?}:\n{out}").into());
        }
    }
    let err_line = out
        .lines()
        .find(|l| l.starts_with("max |y - u| = "))
        .ok_or_else(|| format!("no max |y - u| line:\n{out}"))?;
    let err: f64 = err_line["max |y - u| = ".len()..].trim().parse()?;
    if err > 1e-12 {
        return Err(format!("y differs from u by {err}:\n{out}").into());
    }
    let iters: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("CG converged after "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or("iterations")?;
    if iters > 10 {
        return Err(format!("CG took {iters} > 10 iterations").into());
    }
    Ok(())
}
