//! The metadata-at-scale case measured by `bench/metadata-strace.sh`: `setup` writes a file
//! with N small datasets in one group; `open` opens the file, opens every dataset, and closes.
//!
//! ```text
//! mpirun -n 2 target/release/examples/open_datasets setup FILE [N]
//! mpirun -n 8 target/release/examples/open_datasets open FILE [N]
//! ```

use mpi::traits::*;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("open");
    let path = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "open-datasets.h5".into());
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
    if what == "setup" {
        let f = h5par::File::create(&world, &path)?;
        for i in 0..n {
            f.new_dataset::<f64>()
                .shape([4])
                .create(&format!("g/d{i:03}"))?;
        }
        f.close()?;
    } else {
        let f = h5par::File::open(&world, &path, h5par::Mode::ReadOnly)?;
        for i in 0..n {
            f.dataset(&format!("g/d{i:03}"))?;
        }
        f.close()?;
    }
    world.barrier();
    Ok(())
}
