//! Collecting the I/O report (`tune::report`) while a file is used: hints in effect, dataset
//! offsets, and the I/O mode HDF5 really used for each read and write.

use std::path::Path;

use hdf5_sys::h5::herr_t;
use hdf5_sys::h5i::hid_t;
use mpi::traits::Communicator;

use crate::io::mpi_info;
use crate::tune::report::{
    actual_mode_name, compare_hints, no_collective_cause, LayoutReadBack, LayoutReport, Report,
};
use crate::tune::{FsKind, TunePlan};

extern "C" {
    // In every HDF5 since 1.8.10, not bound by hdf5-sys.
    fn H5Pget_mpio_actual_io_mode(plist_id: hid_t, actual_io_mode: *mut i32) -> herr_t;
    fn H5Pget_mpio_no_collective_cause(
        plist_id: hid_t,
        local: *mut u32,
        global: *mut u32,
    ) -> herr_t;
}

/// Collective: the report's start for a file just created or opened as `fid` at `on_disk`.
/// On Lustre, rank 0 reads the file's stripe layout back and tells the others.
pub(crate) fn begin<C: Communicator + ?Sized>(
    comm: &C,
    fid: hid_t,
    path: &Path,
    on_disk: &Path,
    plan: &TunePlan,
) -> Report {
    let rank = comm.rank() as u32;
    let in_effect = vfd_hints(fid);
    let layout_read_back = if plan.fs.kind == FsKind::Lustre {
        crate::tune::shared::on_rank0(comm, || {
            Ok(crate::tune::lustre::read_layout(on_disk)
                .ok()
                .flatten()
                .map(|l| LayoutReadBack {
                    stripe_count: l.stripe_count,
                    stripe_size: l.stripe_size,
                }))
        })
        .unwrap_or(None)
    } else {
        None
    };
    Report {
        path: path.display().to_string(),
        rank,
        ranks: plan.ranks,
        nodes: plan.nodes,
        fs: plan.fs.kind.to_string(),
        fs_block_size: plan.fs.block_size,
        tuning: plan.enabled,
        layout: plan.layout.as_ref().map(|l| LayoutReport {
            stripe_count: l.stripe_count,
            stripe_size: l.stripe_size,
            cb_nodes: l.cb_nodes,
            alignment: l.alignment,
            reason: l.reason.clone(),
        }),
        layout_read_back,
        hints: compare_hints(&plan.hints, &in_effect)
            .into_iter()
            .map(|mut h| {
                h.why = plan
                    .hint_notes
                    .iter()
                    .find(|(k, _)| *k == h.key && h.asked.is_some())
                    .map(|(_, why)| why.clone());
                h
            })
            .collect(),
        datasets: Vec::new(),
        calls: Vec::new(),
        calls_not_listed: 0,
    }
}

/// The hints in effect for the MPI file under an open HDF5 file.
fn vfd_hints(fid: hid_t) -> Vec<(String, String)> {
    mpi_info::mpi_file_of(fid)
        .map(mpi_info::file_hints)
        .unwrap_or_default()
}

/// What HDF5 did for the last transfer with `dxpl`: the mode's name and the cause in words
/// when it was not collective.
pub(crate) fn actual_mode(dxpl: hid_t) -> (String, Option<String>) {
    let mut mode: i32 = -1;
    let (mut local, mut global) = (0u32, 0u32);
    // SAFETY: live transfer property list; plain out-integers.
    unsafe {
        H5Pget_mpio_actual_io_mode(dxpl, &mut mode);
        H5Pget_mpio_no_collective_cause(dxpl, &mut local, &mut global);
    }
    (
        actual_mode_name(mode).to_string(),
        no_collective_cause(local | global),
    )
}
