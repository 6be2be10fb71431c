//! What one agreement costs, part by part: N rounds of each series, the series interleaved
//! repeat by repeat (rotated order), the median per-call microseconds of the slowest rank.
//!
//! ```text
//! mpirun -n 2 target/release/examples/agreement_bench [N] [REPEATS]
//! ```
//! Series: `allreduce` (a blocking `MPI_Allreduce` of four i64: what the agreement cost before
//! it was bounded), `iallreduce` (h5par's bounded wait, [`h5par::comm::wait::allreduce_min`]),
//! `agree` (the whole [`h5par::comm::agree`], with an operation, object and arguments to hash
//! and the sequence number).

use std::time::Instant;

use mpi::collective::SystemOperation;
use mpi::traits::*;

fn main() {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let comm = world.duplicate();
    let series = ["allreduce", "iallreduce", "agree"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); series.len()];
    let send = [1i64, 2, 3, 4];
    let mut recv = [0i64; 4];
    for rep in 0..=reps {
        for k in 0..series.len() {
            let s = (k + rep) % series.len();
            comm.barrier();
            let t = Instant::now();
            for _ in 0..n {
                match s {
                    0 => comm.all_reduce_into(&send[..], &mut recv[..], SystemOperation::min()),
                    1 => h5par::comm::wait::allreduce_min(&comm, &send, &mut recv, "bench", 1)
                        .expect("allreduce"),
                    _ => h5par::comm::agree(
                        &comm,
                        "write dataset /tmp/out.h5:/d00001",
                        Ok(()),
                        Some("/d00001 Collective"),
                    )
                    .expect("agree"),
                }
            }
            let us = t.elapsed().as_secs_f64() / n as f64 * 1e6;
            let mut slowest = 0.0;
            comm.all_reduce_into(&us, &mut slowest, SystemOperation::max());
            if rep > 0 {
                // Repeat 0 is the warm-up.
                times[s].push(slowest);
            }
        }
    }
    if world.rank() == 0 {
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "{} ranks, {n} calls per series, median of {reps}, load {}",
            world.size(),
            load.split_whitespace().next().unwrap_or("?")
        );
        for (s, t) in series.iter().zip(&mut times) {
            t.sort_by(|a, b| a.total_cmp(b));
            let med = t[t.len() / 2];
            println!(
                "{s:12} {med:8.2} us/call  (min {:.2}, max {:.2})",
                t[0],
                t[t.len() - 1]
            );
        }
    }
}
