// The task farm's Rust example of README.md, kept identical to it (a test checks);
// tests/farm runs this very code (it includes this file) on 3 ranks, twice.

use h5par::farm::Farm;
use h5par::{File, Mode, Xfer};
use mpi::traits::*;
use ndarray::Array2;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().unwrap();
    let world = universe.world();
    let n = 1000; // tasks 0..n; task i computes row i

    // Collective, before the farm: the dataset and its metadata are final. A rerun (after a
    // kill) opens the file as it is: creating it again would drop the rows already written.
    let mut exists = [std::path::Path::new("rows.h5").exists() as u8];
    world.process_at_rank(0).broadcast_into(&mut exists[..]);
    if exists[0] == 0 {
        let file = File::create(&world, "rows.h5")?;
        file.new_dataset::<f64>().shape([n, 2]).create("rows")?;
        file.close()?;
    }
    let file = File::open(&world, "rows.h5", Mode::ReadWrite)?;
    let rows = file.dataset("rows")?;

    // Every rank runs tasks (rank 0 too); each task writes its own row with independent
    // I/O and returns a value to rank 0. A failed task is retried twice on another rank.
    let out = Farm::new()
        .retries(2)
        .journal("rows.journal", b"rows v1") // a rerun skips the finished tasks
        .records("rows.csv") // one line per attempt
        .map(&world, n, |i| {
            let x = (i as f64).sqrt();
            rows.write_at_with(&[i, 0], &Array2::from_elem((1, 2), x), Xfer::Independent)?;
            Ok(x)
        })?;
    file.close()?;
    if let Some(values) = out.results {
        // Rank 0: every task's value, in task order.
        assert_eq!(values[16], Ok(4.0));
        println!("{}", out.summary);
    }
    Ok(())
}
