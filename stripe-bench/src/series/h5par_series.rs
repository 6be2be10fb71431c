//! Series `h5par`: h5par's own File/Dataset API.
//!
//! Files are created with `atomic_create: false` so that the timed work is the same as the
//! other series' (no rename and directory sync at close). The stripe count and size go in as
//! h5par's own options ([`FileOptions::stripe_count`], [`FileOptions::stripe_size`]), which its
//! tuning turns into the striping hints on Lustre and into the HDF5 data alignment, as a user
//! of h5par would set them; any other hints of the run are passed on as they are.

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

/// The MPI-IO hints that h5par derives itself from `stripe_count` and `stripe_size`.
const STRIPING_HINTS: [&str; 2] = ["striping_factor", "striping_unit"];

/// The options h5par creates the series' files with: the stripe count and size as h5par's
/// options (unless the file system is `local`: there h5par's own choice, what a user gets,
/// as nothing is striped), `hints` without the striping hints, no atomic create.
pub fn file_options(
    hints: &[(String, String)],
    stripe_count: u32,
    stripe_size: u64,
    local: bool,
) -> FileOptions {
    FileOptions {
        atomic_create: false,
        stripe_count: (!local).then_some(stripe_count),
        stripe_size: (!local).then_some(stripe_size),
        hints: hints
            .iter()
            .filter(|(k, _)| !STRIPING_HINTS.contains(&k.as_str()))
            .cloned()
            .collect(),
        ..Default::default()
    }
}

impl Native for H5parSeries {
    fn write(&self, ctx: &Ctx, path: &Path, io: Io, data: &[f64]) -> Result<(), String> {
        let local = path
            .parent()
            .and_then(|d| h5par::tune::detect(d).ok())
            .is_some_and(|fs| fs.kind.is_local());
        let opts = file_options(&ctx.hints, ctx.stripe_count, ctx.stripe_size, local);
        let file = File::create_with(ctx.comm, path, &opts).map_err(msg)?;
        // A layout that did not take is an error, not a data point (all ranks read the same
        // layout back, so all fail alike).
        if let Err(e) = check_layout(
            ctx.stripe_count,
            ctx.stripe_size,
            file.report().layout_read_back.as_ref(),
        ) {
            let _ = file.close();
            return Err(format!("{}: {e}", path.display()));
        }
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

/// On Lustre, the layout read back from a new file must be the one asked for.
pub fn check_layout(
    stripe_count: u32,
    stripe_size: u64,
    read_back: Option<&h5par::tune::report::LayoutReadBack>,
) -> Result<(), String> {
    match read_back {
        Some(b) if b.stripe_count != stripe_count || b.stripe_size != stripe_size => Err(format!(
            "the stripe layout did not take: asked for {stripe_count} stripe(s) of {stripe_size} \
             bytes, the file has {} of {} (is the MPI-IO layer ignoring striping hints? OpenMPI's \
             OMPIO may; try OMPI_MCA_io=romio321)",
            b.stripe_count, b.stripe_size
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use h5par::tune::report::LayoutReadBack;

    #[test]
    fn a_layout_that_did_not_take_is_an_error() {
        let b = |stripe_count, stripe_size| LayoutReadBack {
            stripe_count,
            stripe_size,
        };
        assert!(check_layout(8, 1 << 20, None).is_ok());
        assert!(check_layout(8, 1 << 20, Some(&b(8, 1 << 20))).is_ok());
        let e = check_layout(8, 1 << 20, Some(&b(1, 1 << 20))).unwrap_err();
        assert!(
            e.contains("did not take") && e.contains("8 stripe(s)"),
            "{e}"
        );
        assert!(check_layout(8, 1 << 20, Some(&b(8, 4 << 20))).is_err());
    }

    #[test]
    fn striping_goes_through_h5par_options() {
        let mut hints = crate::bench::striping_hints(4, 2 << 20);
        hints.push(("romio_cb_read".into(), "enable".into()));
        let o = file_options(&hints, 4, 2 << 20, false);
        assert!(!o.atomic_create);
        assert!(o.tuning);
        assert_eq!((o.stripe_count, o.stripe_size), (Some(4), Some(2 << 20)));
        assert_eq!(
            o.hints,
            vec![("romio_cb_read".to_string(), "enable".to_string())]
        );
        // A local file system: h5par's own layout (no stripes, no alignment).
        let o = file_options(&hints, 1, 1 << 20, true);
        assert_eq!((o.stripe_count, o.stripe_size), (None, None));
        assert_eq!(o.hints.len(), 1);
    }
}
