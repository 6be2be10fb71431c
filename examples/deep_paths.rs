//! Opening a dataset at the end of a path of D nested groups, for several depths: prints one
//! JSON line per depth with the seconds of the slowest rank to create the path and to open the
//! dataset (issue 8: the time must grow linearly with the depth).
//!
//! ```text
//! mpirun -n 2 target/release/examples/deep_paths DIR [DEPTH...]    (default 500 1000 2000)
//! ```

use std::time::Instant;

use h5par::File;
use mpi::collective::SystemOperation;
use mpi::traits::*;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| ".".into());
    let mut depths: Vec<usize> = args[2.min(args.len())..]
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    if depths.is_empty() {
        depths = vec![500, 1000, 2000];
    }
    for depth in depths {
        let path = format!("{dir}/h5par-deep-paths.h5");
        let name = format!(
            "{}/x",
            (0..depth)
                .map(|i| format!("g{i}"))
                .collect::<Vec<_>>()
                .join("/")
        );
        let file = File::create(&world, &path)?;
        let t = Instant::now();
        file.new_dataset::<u8>().shape([2]).create(&name)?;
        let created = t.elapsed().as_secs_f64();
        let t = Instant::now();
        drop(file.dataset(&name)?);
        let opened = t.elapsed().as_secs_f64();
        file.close()?;
        let mut worst = [0.0f64; 2];
        world.all_reduce_into(
            &[created, opened][..],
            &mut worst[..],
            SystemOperation::max(),
        );
        if world.rank() == 0 {
            println!(
                "{{\"depth\": {depth}, \"create_s\": {:.4}, \"open_s\": {:.4}}}",
                worst[0], worst[1]
            );
            let _ = std::fs::remove_file(&path);
        }
    }
    Ok(())
}
