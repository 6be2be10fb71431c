//! h5par's side of the strided-read benchmark (bench/strided-bench.sh runs it beside h5py-mpio):
//! a 1-D f64 dataset split in one block per rank; each rank reads its block whole
//! (`contiguous`, `d[lo:hi]`) or every other element of it (`strided`, `d[lo:hi:2]`, so the
//! ranks together read `d[::2]`), collectively.
//!
//! ```sh
//! mpirun -n 2 h5par-strided-bench write --path /dev/shm/x/s.h5 --gib 1
//! mpirun -n 2 h5par-strided-bench read --path /dev/shm/x/s.h5 --rep 0 --order strided,contiguous
//! ```
//!
//! `read` prints CSV rows `series,rep,seconds,gbps` on rank 0: the slowest rank's time of the
//! read (allocation of the page-aligned result included, as for h5py's numpy array), and the
//! bytes delivered to memory over all ranks per second.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use h5par::{File, Mode, Selection, Xfer};
use mpi::collective::SystemOperation;
use mpi::traits::*;
use ndarray::Array1;

#[derive(Parser)]
#[command(about = "h5par strided reads against contiguous ones (benchmark side)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes the dataset `d` (element i holds i) of `gib` GiB of f64.
    Write {
        #[arg(long)]
        path: PathBuf,
        #[arg(long, default_value_t = 1)]
        gib: u64,
    },
    /// Reads it in the series of `order` (strided, contiguous), printing CSV rows on rank 0.
    Read {
        #[arg(long)]
        path: PathBuf,
        #[arg(long, default_value_t = 0)]
        rep: u32,
        #[arg(long, default_value = "strided,contiguous")]
        order: String,
    },
}

fn main() {
    let cli = Cli::parse();
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    match cli.cmd {
        Cmd::Write { path, gib } => {
            let n = (gib << 30) / 8;
            let f = File::create(&world, &path).expect("create");
            let d = f
                .new_dataset::<f64>()
                .shape([n])
                .create("d")
                .expect("dataset");
            let (lo, hi) = (n * rank / size, n * (rank + 1) / size);
            let mine = Array1::from_iter((lo..hi).map(|i| i as f64));
            d.write_at(&[lo], &mine).expect("write");
            f.close().expect("close");
        }
        Cmd::Read { path, rep, order } => {
            let f = File::open(&world, &path, Mode::ReadOnly).expect("open");
            let d = f.dataset("d").expect("dataset");
            let n = d.shape()[0];
            let (lo, hi) = (n * rank / size, n * (rank + 1) / size);
            for series in order.split(',') {
                let sel = match series {
                    "strided" => Selection::strided(&[lo], &[2], &[(hi - lo).div_ceil(2)], &[1]),
                    "contiguous" => Selection::new(&[lo], &[hi - lo]),
                    other => panic!("unknown series {other}"),
                };
                world.barrier();
                let t0 = Instant::now();
                let a = d
                    .read_selection::<f64>(&sel, Xfer::Collective)
                    .expect("read");
                let mine = t0.elapsed().as_secs_f64();
                let step = if series == "strided" { 2 } else { 1 };
                assert_eq!(a[0], lo as f64);
                assert_eq!(a[a.len() - 1], (lo + step * (a.len() as u64 - 1)) as f64);
                let bytes_mine = (a.len() * 8) as u64;
                drop(a);
                let mut slowest = 0.0f64;
                world.all_reduce_into(&mine, &mut slowest, SystemOperation::max());
                let mut bytes = 0u64;
                world.all_reduce_into(&bytes_mine, &mut bytes, SystemOperation::sum());
                if rank == 0 {
                    println!(
                        "h5par-{series},{rep},{slowest:.4},{:.3}",
                        bytes as f64 / slowest / 1e9
                    );
                }
            }
            f.close().expect("close");
        }
    }
}
