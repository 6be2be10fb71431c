//! A file with what h5par writes (a contiguous and a chunked, compressed, extendible dataset,
//! nested groups, numeric and string attributes), written with the file-format bounds of
//! `H5PAR_LIBVER` (or the default), then read back by any HDF5 h5par is built with: the
//! readability half of `bench/libver-matrix.sh`.
//!
//! ```text
//! H5PAR_LIBVER=latest mpirun -n 2 target/debug/examples/libver_file write FILE
//! mpirun -n 1 target/debug/examples/libver_file read FILE      # prints "read ok" or fails
//! ```

use mpi::traits::*;
use ndarray::Array1;

fn main() -> Result<(), h5par::Error> {
    let universe = mpi::initialize().expect("MPI initializes");
    let world = universe.world();
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("write");
    let path = args.get(2).cloned().unwrap_or_else(|| "libver.h5".into());
    let n = 1000u64;
    if what == "write" {
        let f = h5par::File::create(&world, &path)?;
        let x = f.new_dataset::<f64>().shape([n * size]).create("run/a/x")?;
        x.write_at(&[n * rank], &Array1::from_elem(n as usize, rank as f64))?;
        x.write_attr("units", "m")?;
        let z = f
            .new_dataset::<i32>()
            .shape([n * size])
            .chunk([n])
            .deflate(4)
            .resizable(true)
            .create("run/b/z")?;
        z.write_at(&[n * rank], &Array1::from_elem(n as usize, rank as i32))?;
        z.write_attr("scale", &2.5f64)?;
        f.close()?;
    } else {
        let f = h5par::File::open(&world, &path, h5par::Mode::ReadOnly)?;
        let x = f.dataset("run/a/x")?;
        let z = f.dataset("run/b/z")?;
        let total = x.shape()[0];
        let xs = x.read_at::<f64>(&[0], &[total])?;
        let zs = z.read_at::<i32>(&[0], &[total])?;
        let units: String = x.read_attr("units")?;
        let scale: f64 = z.read_attr("scale")?;
        let ok = (0..total as usize)
            .all(|i| xs[i] == (i as u64 / n) as f64 && zs[i] == (i as u64 / n) as i32);
        if !ok || units != "m" || scale != 2.5 {
            return Err(h5par::Error::Internal(format!(
                "{path}: wrong contents read back"
            )));
        }
        f.close()?;
        if rank == 0 {
            println!("read ok");
        }
    }
    Ok(())
}
