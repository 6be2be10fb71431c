//! h5par's side of the distributed-vector benchmark (bench/vector/run.sh runs it beside Epetra
//! and PETSc), and the report of a run.
//!
//! ```sh
//! mpirun -n 2 h5par-vector-bench measure --rep 0 --n 50000000 --dir /dev/shm   # CSV rows
//! h5par-vector-bench report results.csv                                           # the table
//! ```
//!
//! `measure` prints CSV rows `series,op,rep,value,unit` on rank 0: dot, axpy, norm2 and a
//! STREAM-style triad (GB/s), the map-making Export (plan build, Export Add, reverse Import
//! Insert, seconds), CSR apply and CG iterations on a 2-D Poisson matrix (seconds), and HDF5
//! write/read of a vector on a block map and on a random permutation (GB/s).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use h5par::vector::*;
use h5par::{File, Mode};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

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
    },
    /// Medians per series and operation from CSV files, with ratios h5par / peer.
    Report {
        /// CSV files written by run.sh.
        csv: Vec<PathBuf>,
    },
}

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

fn measure(rep: u32, n: u64, samples: u64, grid: i64, dir: PathBuf) -> h5par::Result<()> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let rank = world.rank();
    let row = |op: &str, v: f64, unit: &str| {
        if rank == 0 {
            println!("h5par,{op},{rep},{v:.6},{unit}");
        }
    };
    {
        let map = Map::block(&world, n)?;
        let mut x = DistVector::new(&map);
        let mut y = DistVector::new(&map);
        x.fill(1.0);
        y.fill(2.0);
        let nf = n as f64;
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
        drop(y);
        // HDF5: block map, then a random permutation (the same bytes).
        let path = dir.join("h5par_vec.h5");
        let lo = map.first_gid().unwrap_or(0);
        for (l, v) in x.as_mut_slice().iter_mut().enumerate() {
            *v = (lo + l as i64) as f64;
        }
        let t = timed(&world, 3, || {
            let f = File::create(&world, &path).expect("create");
            write_vector(&f, "v", &x).expect("write");
            f.close().expect("close");
        });
        row("h5_write_block", 8.0 * nf / t / 1e9, "GB/s");
        let t = timed(&world, 3, || {
            let f = File::open(&world, &path, Mode::ReadOnly).expect("open");
            read_vector(&f, "v", &map).expect("read");
            f.close().expect("close");
        });
        row("h5_read_block", 8.0 * nf / t / 1e9, "GB/s");
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
        let perm = Map::arbitrary(&world, &mine)?;
        let v = DistVector::from_local(&perm, mine.iter().map(|&g| g as f64).collect())?;
        drop(mine);
        let t = timed(&world, 3, || {
            let f = File::create(&world, &path).expect("create");
            write_vector(&f, "v", &v).expect("write");
            f.close().expect("close");
        });
        row("h5_write_perm", 8.0 * nf / t / 1e9, "GB/s");
        let t = timed(&world, 3, || {
            let f = File::open(&world, &path, Mode::ReadOnly).expect("open");
            read_vector(&f, "v", &perm).expect("read");
            f.close().expect("close");
        });
        row("h5_read_perm", 8.0 * nf / t / 1e9, "GB/s");
        if rank == 0 {
            let _ = std::fs::remove_file(&path);
        }
    }
    {
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
    {
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

fn report(csvs: &[PathBuf]) -> Result<(), String> {
    // (op, series) -> (unit, values)
    let mut data: BTreeMap<(String, String), (String, Vec<f64>)> = BTreeMap::new();
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
    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    println!(
        "{:<15} {:<7} {:>4} {:>12} {:>12} {:>12}  {:<6} h5par vs this",
        "op", "series", "reps", "median", "min", "max", "unit"
    );
    let ops: Vec<String> = {
        let mut o: Vec<String> = data.keys().map(|k| k.0.clone()).collect();
        o.dedup();
        o
    };
    for op in ops {
        let h5 = data
            .get(&(op.clone(), "h5par".to_string()))
            .map(|(_, v)| median(v));
        for ((o, series), (unit, v)) in data.iter().filter(|(k, _)| k.0 == op) {
            let m = median(v);
            let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let ratio = match h5 {
                Some(h) if unit != "count" && m > 0.0 && h > 0.0 => {
                    let r = if larger_is_better(unit) { h / m } else { m / h };
                    format!("{r:.2}x")
                }
                _ => String::new(),
            };
            println!(
                "{o:<15} {series:<7} {:>4} {m:>12.4e} {lo:>12.4e} {hi:>12.4e}  {unit:<6} {ratio}",
                v.len()
            );
        }
    }
    println!(
        "(ratios: > 1 means h5par is faster; for seconds the ratio is peer time / h5par time)"
    );
    Ok(())
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
        } => match measure(rep, n, samples, grid, dir) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("h5par-vector-bench: {e}");
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
