//! `h5par-farm-bench`: measures the task farm (one series per run, under mpirun); the driver
//! `bench/farm-bench.sh` runs it next to mpi4py.futures and GNU parallel and takes medians.
//!
//! `mpirun -n P h5par-farm-bench SERIES [--tasks N] [--dir DIR]` prints on rank 0 one CSV line
//! `series,ranks,tasks,seconds,tasks_per_s,efficiency,extra`. Series: `empty` (empty tasks,
//! adaptive batches), `empty-unbatched` (one task per message), `ms` (1 ms busy-wait tasks),
//! `skew` (1 ms, every tenth 100 ms), `ms-journal` (1 ms tasks with a journal in DIR),
//! `memory` (empty tasks with a result callback; extra = rank 0's RSS growth in MB),
//! `replay` (seconds to open a journal of N finished tasks; rank 0 alone).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use h5par::farm::{journal, Batch, Farm, ProgressMode};
use mpi::traits::*;

#[derive(Parser)]
#[command(
    name = "h5par-farm-bench",
    about = "Measure the task farm (one series per run)"
)]
struct Args {
    /// empty | empty-unbatched | ms | skew | ms-journal | memory | replay
    series: String,
    /// Number of tasks.
    #[arg(long)]
    tasks: Option<u64>,
    /// Directory for journals.
    #[arg(long, default_value = "/tmp")]
    dir: PathBuf,
}

fn busy_wait(secs: f64) {
    let t = Instant::now();
    while t.elapsed().as_secs_f64() < secs {
        std::hint::spin_loop();
    }
}

fn rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() {
    let args = Args::parse();
    let universe = mpi::initialize().expect("MPI");
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    let quiet = Farm::new().progress(ProgressMode::Off);
    let s = args.series.as_str();
    let line = |n: u64, secs: f64, eff: f64, extra: String| {
        if rank == 0 {
            println!(
                "{s},{size},{n},{secs:.6},{:.1},{eff:.4},{extra}",
                n as f64 / secs
            );
        }
    };
    match s {
        "empty" | "empty-unbatched" | "memory" => {
            let n = args.tasks.unwrap_or(if s == "empty-unbatched" {
                200_000
            } else {
                1_000_000
            });
            let farm = if s == "empty-unbatched" {
                quiet.batch(Batch::Fixed(1))
            } else {
                quiet
            };
            let before = rss_mb();
            let mut count = 0u64;
            world.barrier();
            let t = Instant::now();
            let sum = farm
                .run(
                    &world,
                    n,
                    |_| Ok(Vec::new()),
                    |r| {
                        count += r.ok as u64;
                        Ok(())
                    },
                )
                .expect("farm");
            let secs = t.elapsed().as_secs_f64();
            assert!(rank != 0 || count == n);
            let extra = if s == "memory" {
                format!("{:.1}", rss_mb() - before)
            } else {
                String::new()
            };
            line(n, secs, sum.efficiency, extra);
        }
        "ms" | "skew" | "ms-journal" => {
            let n = args.tasks.unwrap_or(if s == "skew" { 1000 } else { 4000 });
            let mut farm = quiet;
            let jpath = args
                .dir
                .join(format!("farm-bench-{}.journal", std::process::id()));
            if s == "ms-journal" && rank == 0 {
                let _ = std::fs::remove_file(&jpath);
            }
            if s == "ms-journal" {
                farm = farm.journal(&jpath, b"bench");
            }
            world.barrier();
            let t = Instant::now();
            let sum = farm
                .run(
                    &world,
                    n,
                    |i| {
                        busy_wait(if s == "skew" && i % 10 == 0 {
                            0.1
                        } else {
                            0.001
                        });
                        Ok(Vec::new())
                    },
                    |_| Ok(()),
                )
                .expect("farm");
            let secs = t.elapsed().as_secs_f64();
            if s == "ms-journal" && rank == 0 {
                let _ = std::fs::remove_file(&jpath);
            }
            line(n, secs, sum.efficiency, String::new());
        }
        "replay" => {
            let n = args.tasks.unwrap_or(100_000);
            if rank == 0 {
                let p = args
                    .dir
                    .join(format!("farm-bench-replay-{}.journal", std::process::id()));
                let mut bytes = journal::header(n, 1).to_vec();
                for t in 0..n {
                    journal::encode(&mut bytes, t, true, 1, 1, 0.001, &t.to_le_bytes());
                }
                std::fs::write(&p, &bytes).expect("journal");
                let t = Instant::now();
                let (j, r) = journal::Journal::open(&p, n, 1).expect("open");
                let secs = t.elapsed().as_secs_f64();
                assert_eq!(r.records.len() as u64, n);
                drop(j);
                let _ = std::fs::remove_file(&p);
                line(n, secs, 0.0, String::new());
            }
        }
        other => {
            if rank == 0 {
                eprintln!("unknown series {other}");
            }
            std::thread::sleep(Duration::from_millis(10));
            std::process::exit(2);
        }
    }
}
