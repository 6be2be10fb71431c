//! h5par's side of the distributed-vector benchmark (bench/vector/run.sh runs it beside Epetra
//! and PETSc), and the report of a run.
//!
//! ```sh
//! mpirun -n 2 h5par-vector-bench measure --rep 0 --n 50000000 --dir /dev/shm   # CSV rows
//! h5par-vector-bench report results.csv                                           # the table
//! h5par-vector-bench plot --png docs/vector_bench.png results.csv                 # the plot
//! ```
//!
//! `measure` prints CSV rows `series,op,rep,value,unit` on rank 0: dot, axpy, norm2 and a
//! STREAM-style triad (GB/s), the map-making Export (plan build, Export Add, reverse Import
//! Insert, seconds), CSR apply and CG iterations on a 2-D Poisson matrix (seconds), and HDF5
//! write/read of a vector on a block map and on a random permutation (GB/s), each timed
//! interleaved with raw MPI-IO of the same bytes (`mpiio` rows: one `MPI_File_write_at_all` /
//! `MPI_File_read_at_all` per rank from a malloc'd buffer into a fresh file), so that the ratio
//! is of the same minutes on a loaded machine. `--only hdf5,perm` measures some parts only.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use h5par::vector::*;
use h5par::{File, Mode};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

#[path = "../../../stripe-bench/src/font.rs"]
mod font;

#[derive(Parser)]
#[command(about = "h5par distributed vectors: benchmark side and report")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure (under mpirun), printing CSV rows on rank 0.
    Measure {
        /// Repeat number (written in the rows).
        #[arg(long, default_value_t = 0)]
        rep: u32,
        /// Vector length for dot/axpy/norm2/triad and the HDF5 vector.
        #[arg(long, default_value_t = 50_000_000)]
        n: u64,
        /// Samples per rank of the map-making Export.
        #[arg(long, default_value_t = 1_000_000)]
        samples: u64,
        /// Poisson grid side.
        #[arg(long, default_value_t = 1000)]
        grid: i64,
        /// Directory of the HDF5 files.
        #[arg(long, default_value = "/dev/shm")]
        dir: PathBuf,
        /// Only these parts, comma-separated: ops (dot, axpy, norm2, triad), hdf5 (block
        /// map), perm (HDF5 of a random permutation), export, csr (apply and CG). All by
        /// default.
        #[arg(long, default_value = "ops,hdf5,perm,export,csr")]
        only: String,
    },
    /// Medians per series and operation from CSV files, with ratios h5par / peer.
    Report {
        /// CSV files written by run.sh.
        csv: Vec<PathBuf>,
    },
    /// The ratios h5par / peer as a bar chart (PNG), from CSV files written by run.sh.
    Plot {
        /// The PNG to write.
        #[arg(long, default_value = "docs/vector_bench.png")]
        png: PathBuf,
        /// A line of small print in the title (the machine, its load).
        #[arg(long, default_value = "")]
        note: String,
        /// CSV files written by run.sh.
        csv: Vec<PathBuf>,
    },
}

/// Timed repeats of each HDF5 series (and of its raw MPI-IO peer, interleaved).
const REPEATS: usize = 5;

fn timed(comm: &SimpleCommunicator, times: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t = Vec::with_capacity(times);
    for _ in 0..times {
        comm.barrier();
        let t0 = mpi::time();
        f();
        comm.barrier();
        t.push(mpi::time() - t0);
    }
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// Medians of `f` and `g` timed `times` times each, interleaved (the order swapped at every
/// repeat), after one untimed call of each: a peer measured in the same minutes as h5par, as
/// the load of a shared machine drifts.
fn timed_pair(
    comm: &SimpleCommunicator,
    times: usize,
    mut f: impl FnMut(),
    mut g: impl FnMut(),
) -> (f64, f64) {
    f();
    g();
    let (mut tf, mut tg) = (Vec::with_capacity(times), Vec::with_capacity(times));
    for i in 0..times {
        for first in [i % 2 == 0, i % 2 != 0] {
            comm.barrier();
            let t0 = mpi::time();
            if first {
                f()
            } else {
                g()
            }
            comm.barrier();
            let t = mpi::time() - t0;
            if first { &mut tf } else { &mut tg }.push(t);
        }
    }
    (median(&tf), median(&tg))
}

/// Raw MPI-IO, the HDF5 rows' peer: `buf` written (collectively, one `MPI_File_write_at_all`
/// per rank at byte `8 * lo`) into a fresh file `path`, or read back from it.
fn raw_mpiio(
    comm: &SimpleCommunicator,
    path: &std::path::Path,
    buf: &mut [f64],
    lo: i64,
    write: bool,
) {
    use mpi::ffi;
    use mpi::raw::AsRaw;
    use std::os::unix::ffi::OsStrExt;
    if write {
        if comm.rank() == 0 {
            let _ = std::fs::remove_file(path);
        }
        comm.barrier();
    }
    let name = std::ffi::CString::new(path.as_os_str().as_bytes()).expect("path");
    let mode = if write {
        ffi::MPI_MODE_CREATE | ffi::MPI_MODE_WRONLY
    } else {
        ffi::MPI_MODE_RDONLY
    };
    let count = i32::try_from(buf.len()).expect("fewer than 2^31 values per rank");
    // SAFETY: a live communicator, a NUL-terminated path and a buffer of `count` doubles.
    unsafe {
        let mut fh: ffi::MPI_File = std::ptr::null_mut();
        let rc = ffi::MPI_File_open(
            comm.as_raw(),
            name.as_ptr(),
            mode as i32,
            ffi::RSMPI_INFO_NULL,
            &mut fh,
        );
        assert_eq!(rc, 0, "MPI_File_open {}", path.display());
        let off = 8 * lo as ffi::MPI_Offset;
        let rc = if write {
            ffi::MPI_File_write_at_all(
                fh,
                off,
                buf.as_ptr().cast(),
                count,
                ffi::RSMPI_DOUBLE,
                ffi::RSMPI_STATUS_IGNORE,
            )
        } else {
            ffi::MPI_File_read_at_all(
                fh,
                off,
                buf.as_mut_ptr().cast(),
                count,
                ffi::RSMPI_DOUBLE,
                ffi::RSMPI_STATUS_IGNORE,
            )
        };
        assert_eq!(rc, 0, "MPI-IO transfer {}", path.display());
        ffi::MPI_File_close(&mut fh);
    }
}

/// h5par's side of an HDF5 row: `v` written as `/v` of a new file `path`.
fn h5_write(comm: &SimpleCommunicator, path: &std::path::Path, v: &DistVector) {
    let f = File::create(comm, path).expect("create");
    write_vector(&f, "v", v).expect("write");
    f.close().expect("close");
}

/// `/v` of `path` read into the existing `v`.
fn h5_read_into(comm: &SimpleCommunicator, path: &std::path::Path, v: &mut DistVector) {
    let f = File::open(comm, path, Mode::ReadOnly).expect("open");
    read_vector_into(&f, "v", v, None).expect("read");
    f.close().expect("close");
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

fn measure(
    rep: u32,
    n: u64,
    samples: u64,
    grid: i64,
    dir: PathBuf,
    only: &str,
) -> h5par::Result<()> {
    let part = |p: &str| only.split(',').any(|o| o.trim() == p);
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let rank = world.rank();
    let row = |op: &str, v: f64, unit: &str| {
        if rank == 0 {
            println!("h5par,{op},{rep},{v:.6},{unit}");
        }
    };
    let raw_row = |op: &str, v: f64| {
        if rank == 0 {
            println!("mpiio,{op},{rep},{v:.6},GB/s");
        }
    };
    let nf = n as f64;
    if part("ops") {
        let map = Map::block(&world, n)?;
        let mut x = DistVector::new(&map);
        let mut y = DistVector::new(&map);
        x.fill(1.0);
        y.fill(2.0);
        let t = timed(&world, 5, || {
            x.dot(&y).expect("dot");
        });
        row("dot", 16.0 * nf / t / 1e9, "GB/s");
        let t = timed(&world, 5, || y.axpy(0.5, &x).expect("axpy"));
        row("axpy", 24.0 * nf / t / 1e9, "GB/s");
        let t = timed(&world, 5, || {
            x.norm2().expect("norm2");
        });
        row("norm2", 8.0 * nf / t / 1e9, "GB/s");
        // STREAM triad a = b + s c on plain slices of the same size, in the same run.
        {
            let mut a = DistVector::new(&map);
            let (bs, cs) = (x.as_slice().to_vec(), y.as_slice().to_vec());
            let t = timed(&world, 5, || {
                for ((a, b), c) in a.as_mut_slice().iter_mut().zip(&bs).zip(&cs) {
                    *a = b + 3.0 * c;
                }
            });
            row("triad", 24.0 * nf / t / 1e9, "GB/s");
        }
    }
    if part("hdf5") || part("perm") {
        let map = Map::block(&world, n)?;
        let mut x = DistVector::new(&map);
        // HDF5: block map, then a random permutation (the same bytes).
        let path = dir.join("h5par_vec.h5");
        let lo = map.first_gid().unwrap_or(0);
        for (l, v) in x.as_mut_slice().iter_mut().enumerate() {
            *v = (lo + l as i64) as f64;
        }
        // Raw MPI-IO of the same bytes from a malloc'd buffer, timed interleaved with h5par.
        let raw_path = dir.join("h5par_vec_raw.bin");
        let mut raw = x.as_slice().to_vec();
        let gbs = |t: f64| 8.0 * nf / t / 1e9;
        let block = part("hdf5");
        if block {
            let (t, tr) = timed_pair(
                &world,
                REPEATS,
                || h5_write(&world, &path, &x),
                || raw_mpiio(&world, &raw_path, &mut raw, lo, true),
            );
            row("h5_write_block", gbs(t), "GB/s");
            raw_row("h5_write_block", gbs(tr));
            // Into the existing vector (as a timestep loop reads, and as raw MPI-IO reads into
            // its buffer), then into a new vector each time (as PETSc's VecLoad).
            let (t, tr) = timed_pair(
                &world,
                REPEATS,
                || h5_read_into(&world, &path, &mut x),
                || raw_mpiio(&world, &raw_path, &mut raw, lo, false),
            );
            row("h5_read_block", gbs(t), "GB/s");
            raw_row("h5_read_block", gbs(tr));
            let t = timed(&world, 3, || {
                let f = File::open(&world, &path, Mode::ReadOnly).expect("open");
                read_vector(&f, "v", &map).expect("read");
                f.close().expect("close");
            });
            row("h5_read_block_new", gbs(t), "GB/s");
        }
        if part("perm") {
            // A random permutation: each rank holds a random share of the gids.
            let p = world.size() as u64;
            let mut rng = Rng(99);
            let mine: Vec<i64> = (0..n as i64)
                .filter(|_| rng.below(p) == rank as u64)
                .collect();
            let mut mine = mine;
            let mut r2 = Rng(7 + rank as u64);
            for i in (1..mine.len()).rev() {
                let j = r2.below(i as u64 + 1) as usize;
                mine.swap(i, j);
            }
            world.barrier();
            let t0 = mpi::time();
            let perm = Map::arbitrary(&world, &mine)?;
            world.barrier();
            row("perm_map_build", mpi::time() - t0, "s");
            let mut v = DistVector::from_local(&perm, mine.iter().map(|&g| g as f64).collect())?;
            drop(mine);
            // The first write builds the redistribution (kept on the map for the later ones).
            world.barrier();
            let t0 = mpi::time();
            h5_write(&world, &path, &v);
            world.barrier();
            row("perm_first_write", mpi::time() - t0, "s");
            let (t, tr) = timed_pair(
                &world,
                REPEATS,
                || h5_write(&world, &path, &v),
                || raw_mpiio(&world, &raw_path, &mut raw, lo, true),
            );
            row("h5_write_perm", gbs(t), "GB/s");
            raw_row("h5_write_perm", gbs(tr));
            let (t, tr) = timed_pair(
                &world,
                REPEATS,
                || h5_read_into(&world, &path, &mut v),
                || raw_mpiio(&world, &raw_path, &mut raw, lo, false),
            );
            row("h5_read_perm", gbs(t), "GB/s");
            raw_row("h5_read_perm", gbs(tr));
        }
        if rank == 0 {
            let _ = std::fs::remove_file(&raw_path);
        }
        if rank == 0 {
            let _ = std::fs::remove_file(&path);
        }
    }
    if part("export") {
        // Map-making: samples into random pixels of 12 x 1024^2.
        let npix = 12 * 1024 * 1024u64;
        let mut rng = Rng(1234 + rank as u64);
        let mut touched: Vec<i64> = (0..samples).map(|_| rng.below(npix) as i64).collect();
        touched.sort_unstable();
        touched.dedup();
        let sky = Map::block(&world, npix)?;
        let local = Map::arbitrary(&world, &touched)?;
        let mut lv = DistVector::new(&local);
        lv.fill(1.0);
        let mut sv = DistVector::new(&sky);
        let mut plan = None;
        let t = timed(&world, 3, || {
            plan = Some(Export::export(&local, &sky).expect("plan"));
        });
        row("plan_build", t, "s");
        let plan = plan.expect("built");
        let t = timed(&world, 5, || {
            sv.fill(0.0);
            plan.forward(&lv, &mut sv, CombineMode::Add)
                .expect("export");
        });
        row("export_add", t, "s");
        let t = timed(&world, 5, || {
            plan.reverse(&sv, &mut lv, CombineMode::Insert)
                .expect("import");
        });
        row("import_insert", t, "s");
    }
    if part("csr") {
        // 2-D Poisson on grid x grid.
        let map = Map::block(&world, (grid * grid) as u64)?;
        let mut a = CsrMatrix::new(&map)?;
        for g in map.my_gids() {
            let (i, j) = (g / grid, g % grid);
            let mut cols = Vec::with_capacity(5);
            let mut vals = Vec::with_capacity(5);
            for (c, ok, v) in [
                (g - grid, i > 0, -1.0),
                (g - 1, j > 0, -1.0),
                (g, true, 4.0),
                (g + 1, j < grid - 1, -1.0),
                (g + grid, i < grid - 1, -1.0),
            ] {
                if ok {
                    cols.push(c);
                    vals.push(v);
                }
            }
            a.insert_global(g, &cols, &vals)?;
        }
        a.fill_complete()?;
        let mut x = DistVector::new(&map);
        let mut y = DistVector::new(&map);
        x.fill(1.0);
        let t = timed(&world, 10, || a.apply(&x, &mut y).expect("apply"));
        row("apply", t, "s");
        let mut b = DistVector::new(&map);
        b.fill(1.0);
        let iters = 50;
        let opts = CgOptions {
            max_iterations: iters,
            tolerance: 0.0,
            jacobi: false,
        };
        let mut done = 0;
        let t = timed(&world, 3, || {
            x.fill(0.0);
            done = cg(&a, &b, &mut x, &opts).expect("cg").iterations;
        });
        row("cg_iteration", t / done as f64, "s");
        row("cg_iterations", done as f64, "count");
    }
    Ok(())
}

/// Whether larger is better for an operation's unit.
fn larger_is_better(unit: &str) -> bool {
    unit == "GB/s"
}

/// Medians of a run: (op, series) -> (unit, values).
type Data = BTreeMap<(String, String), (String, Vec<f64>)>;

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// Reads the CSV rows `series,op,rep,value,unit` of run.sh's files (comment lines skipped).
fn read_csvs(csvs: &[PathBuf]) -> Result<Data, String> {
    let mut data = Data::new();
    for p in csvs {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 5 {
                continue;
            }
            let v: f64 = f[3].parse().map_err(|_| format!("bad value in {line:?}"))?;
            let e = data
                .entry((f[1].to_string(), f[0].to_string()))
                .or_insert_with(|| (f[4].to_string(), Vec::new()));
            e.1.push(v);
        }
    }
    Ok(data)
}

/// The references h5par is compared with: Epetra, PETSc, the triad of the same run (for dot,
/// axpy, norm2) and raw MPI-IO (for the HDF5 rows, the `mpiio` rows of the same operation,
/// timed interleaved with it; the block map's when a CSV has none for a permuted row).
const PEERS: [&str; 4] = ["Epetra", "PETSc", "triad", "raw MPI-IO"];

/// The goal of each operation, as (peer, ratio h5par / peer), from the issue.
fn goal(op: &str) -> Option<(&'static str, f64)> {
    match op {
        "dot" | "axpy" | "norm2" => Some(("triad", 0.9)),
        "export_add" | "import_insert" => Some(("Epetra", 1.5)),
        "apply" | "cg_iteration" => Some(("PETSc", 1.0)),
        "h5_write_block" | "h5_read_block" => Some(("raw MPI-IO", 0.9)),
        "h5_write_perm" | "h5_read_perm" => Some(("raw MPI-IO", 0.45)),
        _ => None,
    }
}

/// Per operation h5par measured, the ratio h5par / peer for each of [`PEERS`] (> 1: h5par is
/// faster; for seconds peer time over h5par time), pure.
fn ratios(data: &Data) -> Vec<(String, [Option<f64>; 4])> {
    let med = |op: &str, series: &str| {
        data.get(&(op.to_string(), series.to_string()))
            .map(|(u, v)| (u.clone(), median(v)))
    };
    let mut out = Vec::new();
    let mut ops: Vec<String> = data.keys().map(|k| k.0.clone()).collect();
    ops.dedup();
    for op in ops {
        let Some((unit, h)) = med(&op, "h5par") else {
            continue;
        };
        if unit == "count" || op == "triad" || h <= 0.0 {
            continue;
        }
        let r = |peer: Option<(String, f64)>| {
            peer.filter(|(_, m)| *m > 0.0).map(|(_, m)| {
                if larger_is_better(&unit) {
                    h / m
                } else {
                    m / h
                }
            })
        };
        let triad = match op.as_str() {
            "dot" | "axpy" | "norm2" => r(med("triad", "h5par")),
            _ => None,
        };
        // A read into a new vector is compared with the peers' reads (VecLoad makes a new
        // vector too); the permuted rows with raw MPI-IO of the block map.
        let peer_op = op.trim_end_matches("_new").to_string();
        let raw =
            if op.starts_with("h5_") {
                r(med(&peer_op, "mpiio")
                    .or_else(|| med(&peer_op.replace("_perm", "_block"), "mpiio")))
            } else {
                None
            };
        out.push((
            op.clone(),
            [
                r(med(&peer_op, "epetra")),
                r(med(&peer_op, "petsc")),
                triad,
                raw,
            ],
        ));
    }
    out
}

fn report(csvs: &[PathBuf]) -> Result<(), String> {
    let data = read_csvs(csvs)?;
    println!(
        "{:<17} {:<7} {:>4} {:>12} {:>12} {:>12}  {:<6}",
        "op", "series", "reps", "median", "min", "max", "unit"
    );
    for ((o, series), (unit, v)) in &data {
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        println!(
            "{o:<17} {series:<7} {:>4} {:>12.4e} {lo:>12.4e} {hi:>12.4e}  {unit:<6}",
            v.len(),
            median(v)
        );
    }
    println!();
    println!(
        "{:<17} {:>8} {:>8} {:>8} {:>11}  goal",
        "h5par / peer", PEERS[0], PEERS[1], PEERS[2], PEERS[3]
    );
    for (op, r) in ratios(&data) {
        let cell = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.2}x"));
        let g = goal(&op).map_or(String::new(), |(peer, x)| {
            let i = PEERS.iter().position(|p| *p == peer).unwrap_or(0);
            let met = r[i].map_or("not measured", |v| if v >= x { "met" } else { "missed" });
            format!(">= {x}x {peer}: {met}")
        });
        println!(
            "{op:<17} {:>8} {:>8} {:>8} {:>11}  {g}",
            cell(r[0]),
            cell(r[1]),
            cell(r[2]),
            cell(r[3])
        );
    }
    println!(
        "(ratios: > 1 means h5par is faster; for seconds the ratio is peer time / h5par time; \
         raw MPI-IO is h5par-vector-bench's own, timed interleaved with each HDF5 row; the \
         permuted rows of older CSVs without their own are against the block map's)"
    );
    Ok(())
}

/// Draws the ratios h5par / peer of every operation as bars from 1 (log scale): above the
/// line h5par is faster. Text needs a font ([`font::load_font`]); without one the bars are
/// drawn alone.
fn plot(csvs: &[PathBuf], png: &std::path::Path, note: &str) -> Result<(), String> {
    use plotters::prelude::*;
    let data = read_csvs(csvs)?;
    let rows = ratios(&data);
    if rows.is_empty() {
        return Err("no h5par results in the CSV".into());
    }
    let text = font::load_font().is_some();
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", png.display());
    let colors = [
        RGBColor(214, 39, 40),
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
    ];
    let root = BitMapBackend::new(png, (1200, 620)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let n = rows.len() as f64;
    let mut b = ChartBuilder::on(&root);
    b.margin(20)
        .set_label_area_size(LabelAreaPosition::Left, if text { 70 } else { 10 })
        .set_label_area_size(LabelAreaPosition::Bottom, if text { 60 } else { 10 });
    if text {
        b.caption(
            format!("h5par distributed vectors: h5par / peer (medians, > 1 = h5par faster) {note}"),
            (font::FAMILY, 18),
        );
    }
    let mut chart = b
        .build_cartesian_2d(-0.5..n - 0.5, (0.01f64..10.0).log_scale())
        .map_err(|e| err(&e))?;
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.0.replace("h5_", "").replace("_block", ""))
        .collect();
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
            names[i as usize].clone()
        } else {
            String::new()
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(rows.len() + 1)
        .x_label_formatter(&label)
        .disable_x_mesh()
        .y_desc("h5par / peer (log scale)")
        .y_label_formatter(&|y| format!("{y}"));
    if text {
        mesh.label_style((font::FAMILY, 13));
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw().map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new(
            vec![(-0.5, 1.0), (n - 0.5, 1.0)],
            BLACK.stroke_width(2),
        ))
        .map_err(|e| err(&e))?;
    let w = 0.2;
    for (j, peer) in PEERS.iter().enumerate() {
        let c = colors[j];
        let bars: Vec<Rectangle<(f64, f64)>> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, (_, r))| r[j].map(|v| (i, v.clamp(0.01, 10.0))))
            .map(|(i, v)| {
                let x0 = i as f64 - 2.0 * w + j as f64 * w;
                Rectangle::new([(x0, 1.0), (x0 + w * 0.9, v)], c.filled())
            })
            .collect();
        let s = chart.draw_series(bars).map_err(|e| err(&e))?;
        if text {
            s.label(*peer)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], c.filled()));
        }
    }
    // The goals: a short black mark over the bar of the peer each goal is against.
    let marks: Vec<PathElement<(f64, f64)>> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, (op, _))| {
            let (peer, x) = goal(op)?;
            let j = PEERS.iter().position(|p| *p == peer)?;
            let x0 = i as f64 - 2.0 * w + j as f64 * w;
            Some(PathElement::new(
                vec![(x0 - 0.03, x), (x0 + w * 0.9 + 0.03, x)],
                BLACK.stroke_width(3),
            ))
        })
        .collect();
    let s = chart.draw_series(marks).map_err(|e| err(&e))?;
    if text {
        s.label("goal (issue 11)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(3)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((font::FAMILY, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.cmd {
        Cmd::Measure {
            rep,
            n,
            samples,
            grid,
            dir,
            only,
        } => match measure(rep, n, samples, grid, dir, &only) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("h5par-vector-bench: {e}");
                1
            }
        },
        Cmd::Plot { png, note, csv } => match plot(&csv, &png, &note) {
            Ok(()) => {
                println!("h5par-vector-bench: wrote {}", png.display());
                0
            }
            Err(e) => {
                eprintln!("h5par-vector-bench plot: {e}");
                1
            }
        },
        Cmd::Report { csv } => match report(&csv) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("h5par-vector-bench report: {e}");
                1
            }
        },
    };
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_against_each_peer() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(
            &p,
            "# comment\nh5par,dot,0,8,GB/s\nh5par,dot,1,10,GB/s\nh5par,dot,2,9,GB/s\n\
             h5par,triad,0,10,GB/s\nepetra,dot,0,6,GB/s\npetsc,dot,0,12,GB/s\n\
             h5par,export_add,0,0.1,s\nepetra,export_add,0,0.3,s\n\
             h5par,h5_read_perm,0,0.5,GB/s\nmpiio,h5_read_block,0,1.0,GB/s\n\
             h5par,cg_iterations,0,50,count\n",
        )
        .unwrap();
        let d = read_csvs(&[p]).unwrap();
        let r: BTreeMap<String, [Option<f64>; 4]> = ratios(&d).into_iter().collect();
        assert_eq!(r["dot"], [Some(1.5), Some(0.75), Some(0.9), None]);
        assert!((r["export_add"][0].unwrap() - 3.0).abs() < 1e-12);
        assert_eq!(r["h5_read_perm"], [None, None, None, Some(0.5)]);
        assert!(!r.contains_key("cg_iterations") && !r.contains_key("triad"));
    }
}
