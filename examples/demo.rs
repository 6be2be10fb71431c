//! A collective write and read of one f64 dataset from every rank, with GB/s.
//!
//! ```text
//! mpirun -n 4 target/release/examples/demo [DIR] [MiB]
//! ```

use std::time::Instant;

use h5par::{File, Mode, Xfer};
use mpi::collective::SystemOperation;
use mpi::traits::*;
use ndarray::Array1;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| ".".into());
    let mib: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(256);
    let per_rank = mib * (1 << 20) / 8 / size;
    let path = format!("{dir}/h5par-demo.h5");
    let mine = Array1::from_iter((0..per_rank).map(|i| (rank * per_rank + i) as f64));

    world.barrier();
    let t = Instant::now();
    let file = File::create(&world, &path)?;
    let x = file
        .new_dataset::<f64>()
        .shape([per_rank * size])
        .create("x")?;
    x.write_at(&[rank * per_rank], &mine)?;
    x.write_attr("description", "h5par demo: x[i] = i")?;
    file.close()?;
    let write_s = slowest(&world, t.elapsed().as_secs_f64());

    world.barrier();
    let t = Instant::now();
    let file = File::open(&world, &path, Mode::ReadOnly)?;
    let mut back = Array1::<f64>::zeros(per_rank as usize);
    file.dataset("x")?
        .read_into(&[rank * per_rank], &mut back, Xfer::Collective)?;
    file.close()?;
    let read_s = slowest(&world, t.elapsed().as_secs_f64());

    let wrong = back.iter().zip(mine.iter()).filter(|(a, b)| a != b).count() as u64;
    let mut wrong_all = 0u64;
    world.all_reduce_into(&wrong, &mut wrong_all, SystemOperation::sum());
    if rank == 0 {
        let bytes = (per_rank * size * 8) as f64;
        println!("h5par demo: {size} ranks, {mib} MiB of f64 in {path}");
        println!(
            "  collective write: {:.3} s  {:.2} GB/s",
            write_s,
            bytes / write_s / 1e9
        );
        println!(
            "  collective read:  {:.3} s  {:.2} GB/s",
            read_s,
            bytes / read_s / 1e9
        );
        println!(
            "  values checked: {}",
            if wrong_all == 0 {
                "all correct"
            } else {
                "WRONG"
            }
        );
        let _ = std::fs::remove_file(&path);
    }
    if wrong_all != 0 {
        std::process::exit(1);
    }
    Ok(())
}

fn slowest<C: CommunicatorCollectives>(comm: &C, secs: f64) -> f64 {
    let mut max = 0.0;
    comm.all_reduce_into(&secs, &mut max, SystemOperation::max());
    max
}
