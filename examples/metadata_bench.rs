//! Metadata-heavy case: N small datasets (each rank writes its block of each), one attribute
//! each, then close; then (not with `MODE=mpiio`) open the file again, open every dataset, read
//! this rank's block and the attribute back and check them. Prints one JSON line per phase
//! (`"phase": "write"` and `"read"`) with the seconds of the slowest rank.
//!
//! ```text
//! mpirun -n 2 target/release/examples/metadata_bench DIR [N] [ELEMS_PER_RANK]
//! ```
//! `H5PAR_TUNING=off` gives HDF5's defaults (the baseline); `MODE=mpiio` writes the same bytes
//! with raw MPI-IO (one `MPI_File_write_at_all` per dataset) instead. `READ=independent` reads
//! each block with `Xfer::Independent` (what h5py's `ds[lo:hi]` does, even inside
//! `ds.collective`: see bench/metadata_bench_h5py.py), series `h5par-independent-read`.

use std::time::Instant;

use h5par::File;
use mpi::collective::SystemOperation;
use mpi::traits::*;
use ndarray::Array1;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| ".".into());
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let per: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(64);
    let mode = std::env::var("MODE").unwrap_or_else(|_| "h5par".into());
    let path = format!("{dir}/h5par-metadata-bench.h5");
    let block = Array1::from_iter((0..per).map(|i| (rank * per + i) as f64));
    world.barrier();
    let t = Instant::now();
    if mode == "mpiio" {
        raw_mpiio(&world, &path, n, per, block.as_slice().unwrap_or(&[]));
    } else {
        let file = File::create(&world, &path)?;
        for i in 0..n {
            let d = file
                .new_dataset::<f64>()
                .shape([per * size])
                .create(&format!("d{i:05}"))?;
            d.write_at(&[rank * per], &block)?;
            d.write_attr("index", &(i as i64))?;
        }
        file.close()?;
    }
    let tuning = std::env::var("H5PAR_TUNING").unwrap_or_else(|_| "on".into());
    let independent = std::env::var("READ").is_ok_and(|r| r == "independent");
    let xfer = if independent {
        h5par::Xfer::Independent
    } else {
        h5par::Xfer::Collective
    };
    let series = if mode == "mpiio" {
        "mpiio".to_string()
    } else if independent {
        "h5par-independent-read".to_string()
    } else {
        format!("h5par-tuning-{tuning}")
    };
    let print = |phase: &str, secs: f64| {
        let mut slowest = 0.0;
        world.all_reduce_into(&secs, &mut slowest, SystemOperation::max());
        if rank == 0 {
            println!("{{\"series\": \"{series}\", \"phase\": \"{phase}\", \"datasets\": {n}, \"ranks\": {size}, \"seconds\": {slowest:.6}}}");
        }
    };
    print("write", t.elapsed().as_secs_f64());
    if mode != "mpiio" {
        world.barrier();
        let t = Instant::now();
        let file = File::open(&world, &path, h5par::Mode::ReadOnly)?;
        for i in 0..n {
            let d = file.dataset(&format!("d{i:05}"))?;
            let back = d.read_at_with::<f64>(&[rank * per], &[per], xfer)?;
            let index: i64 = d.read_attr("index")?;
            if back.as_slice() != block.as_slice() || index != i as i64 {
                return Err(h5par::Error::Internal(format!(
                    "d{i:05}: wrong data read back"
                )));
            }
        }
        file.close()?;
        print("read", t.elapsed().as_secs_f64());
    }
    world.barrier();
    if rank == 0 {
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}

fn raw_mpiio<C: Communicator>(comm: &C, path: &str, n: u64, per: u64, block: &[f64]) {
    use mpi::ffi::*;
    let c = std::ffi::CString::new(path).expect("path");
    let size = comm.size() as u64;
    let rank = comm.rank() as u64;
    // SAFETY: plain MPI-IO calls on a file this function opens and closes.
    unsafe {
        let mut fh: MPI_File = std::mem::zeroed();
        MPI_File_open(
            comm.as_raw(),
            c.as_ptr(),
            (MPI_MODE_CREATE | MPI_MODE_WRONLY) as i32,
            RSMPI_INFO_NULL,
            &mut fh,
        );
        for i in 0..n {
            let off = ((i * per * size + rank * per) * 8) as MPI_Offset;
            let mut st: MPI_Status = std::mem::zeroed();
            MPI_File_write_at_all(
                fh,
                off,
                block.as_ptr() as *const _,
                block.len() as i32,
                RSMPI_DOUBLE,
                &mut st,
            );
        }
        MPI_File_close(&mut fh);
    }
}
