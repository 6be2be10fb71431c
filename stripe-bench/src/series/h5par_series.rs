//! Series `h5par`: h5par's own File/Dataset API.
//!
//! Files are created with `atomic_create: false` so that the timed work is the same as the
//! other series' (no rename and directory sync at close), with the striping hints.

use std::path::Path;

use h5par::{File, FileOptions, Mode, Xfer};
use ndarray::{ArrayView1, ArrayViewMut1};

use super::{Ctx, Native, DATASET};
use crate::cli::Io;

/// The `h5par` series.
pub struct H5parSeries;

fn xfer(io: Io) -> Xfer {
    match io {
        Io::Indep => Xfer::Independent,
        Io::Coll => Xfer::Collective,
    }
}

fn msg(e: h5par::Error) -> String {
    format!("h5par: {e}")
}

impl Native for H5parSeries {
    fn write(&self, ctx: &Ctx, path: &Path, io: Io, data: &[f64]) -> Result<(), String> {
        let opts = FileOptions {
            atomic_create: false,
            hints: ctx.hints.clone(),
            ..Default::default()
        };
        let file = File::create_with(ctx.comm, path, &opts).map_err(msg)?;
        let ds = file
            .new_dataset::<f64>()
            .shape([ctx.n])
            .create(DATASET)
            .map_err(msg)?;
        let written = ds.write_at_with(&[ctx.first], &ArrayView1::from(data), xfer(io));
        drop(ds);
        let closed = file.close();
        written.map_err(msg)?;
        closed.map_err(msg)
    }

    fn read(&self, ctx: &Ctx, path: &Path, io: Io, out: &mut [f64]) -> Result<(), String> {
        let file = File::open(ctx.comm, path, Mode::ReadOnly).map_err(msg)?;
        let read = file.dataset(DATASET).and_then(|ds| {
            if ds.shape() != [ctx.n] {
                return Err(h5par::Error::Shape(format!(
                    "{}:/{DATASET} has shape {:?}, expected [{}]",
                    path.display(),
                    ds.shape(),
                    ctx.n
                )));
            }
            ds.read_into(&[ctx.first], &mut ArrayViewMut1::from(out), xfer(io))
        });
        let closed = file.close();
        read.map_err(msg)?;
        closed.map_err(msg)
    }
}
