// The Rust example of README.md, kept identical to it (a test checks); tests/mpi runs this
// very code (it includes this file) on 3 ranks.

use h5par::{File, Mode, Xfer};
use mpi::traits::*;
use ndarray::Array1;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().unwrap();
    let world = universe.world();
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    let n = 1000;

    // Collective: every rank calls, each writes its own block (a block may be empty).
    let file = File::create(&world, "data.h5")?;
    let x = file
        .new_dataset::<f64>()
        .shape([n * size])
        .chunk([n])
        .deflate(4)
        .create("run/x")?;
    x.write_at(&[n * rank], &Array1::from_elem(n as usize, rank as f64))?;
    x.write_attr("units", "m")?; // every rank must pass the same value (checked)
    file.close()?; // collective; "data.h5" appears now

    let file = File::open(&world, "data.h5", Mode::ReadOnly)?;
    let x = file.dataset("run/x")?;
    let mine = x.read_at::<f64>(&[n * rank], &[n])?; // collective
    let first = x.read_at_with::<f64>(&[0], &[1], Xfer::Independent)?; // this rank alone
    assert_eq!((mine[0], first[0]), (rank as f64, 0.0));
    file.close()?;
    Ok(())
}
