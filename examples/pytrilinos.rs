// The talk's PyTrilinos (Epetra) example with h5par's distributed vectors. Run it on 3 ranks:
//
// ```sh
// cargo build --release --example pytrilinos
// mpirun -n 3 target/release/examples/pytrilinos
// ```
//
// 1. a block map of 10 gids (rank 0 holds 0-3, rank 1 4-6, rank 2 7-9) and an overlapping
//    map (rank 0: 0, 1, 2, 3, 4, 8; rank 1: 3, 4, 5, 6; rank 2: 6, 7, 8, 9);
// 2. a vector on the overlapping map filled with rank + 1; its global maximum (3);
// 3. Export to the block map with Average: `[1, 1, 1, 1.5, 1.5, 2, 2.5, 3, 2, 3]`;
// 4. the 10 x 10 tridiagonal matrix (2 on the diagonal, -1 beside it), `b = A u`;
// 5. CG on `A y = b` (at most 10 iterations, tolerance 1e-9): `y` equals `u`.

use h5par::vector::{cg, CgOptions, CombineMode, CsrMatrix, DistVector, Export, Import, Map};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

/// Prints a vector in gid order on rank 0 (brought there by an Import; a small example only).
fn show(name: &str, v: &DistVector) -> Result<(), h5par::Error> {
    let map = v.map();
    let all: Vec<i64> = if map.rank() == 0 {
        (0..=map.max_gid()).collect()
    } else {
        Vec::new()
    };
    let on_zero = Map::arbitrary(map.comm(), &all)?;
    let mut gathered = DistVector::new(&on_zero);
    Import::import(map, &on_zero)?.forward(v, &mut gathered, CombineMode::Insert)?;
    if map.rank() == 0 {
        let text: Vec<String> = gathered.as_slice().iter().map(|x| format!("{x}")).collect();
        println!("{name} = [{}]", text.join(", "));
    }
    Ok(())
}

/// The example on `world` (3 ranks give the talk's numbers; any number works).
pub fn run(world: &SimpleCommunicator) -> Result<(), h5par::Error> {
    let rank = world.rank();
    let unique = Map::block(world, 10)?;
    let gids: &[i64] = match rank {
        0 => &[0, 1, 2, 3, 4, 8],
        1 => &[3, 4, 5, 6],
        2 => &[6, 7, 8, 9],
        _ => &[],
    };
    let overlapping = Map::arbitrary(world, gids)?;
    println!(
        "rank {rank}: unique map holds {:?}, overlapping map holds {:?}",
        unique.my_gids(),
        overlapping.my_gids()
    );

    let mut x = DistVector::new(&overlapping);
    x.fill(rank as f64 + 1.0);
    println!("rank {rank}: MaxValue = {}", x.max_value()?);

    let mut u = DistVector::new(&unique);
    let export = Export::export(&overlapping, &unique)?;
    export.forward(&x, &mut u, CombineMode::Average)?;
    show("u", &u)?;

    let mut a = CsrMatrix::new(&unique)?;
    for g in unique.my_gids() {
        let (cols, vals): (Vec<i64>, Vec<f64>) = [(g - 1, -1.0), (g, 2.0), (g + 1, -1.0)]
            .into_iter()
            .filter(|&(c, _)| (0..10).contains(&c))
            .unzip();
        a.insert_global(g, &cols, &vals)?;
    }
    a.fill_complete()?;

    let mut b = DistVector::new(&unique);
    a.apply(&u, &mut b)?;
    show("b", &b)?;

    let mut y = DistVector::new(&unique);
    let opts = CgOptions {
        max_iterations: 10,
        tolerance: 1e-9,
        jacobi: false,
    };
    let outcome = cg(&a, &b, &mut y, &opts)?;
    show("y", &y)?;
    let mut diff = y.clone();
    diff.axpy(-1.0, &u)?;
    let err = diff.norm_inf()?;
    if rank == 0 {
        println!("{}", outcome.describe());
        println!("max |y - u| = {err:.1e}");
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let universe = mpi::initialize().expect("MPI initializes");
    if let Err(e) = run(&universe.world()) {
        eprintln!("pytrilinos example failed: {e}");
        std::process::exit(1);
    }
}
