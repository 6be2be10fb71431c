//! # The C ABI of h5par
//!
//! This crate builds `libh5par.so` and `libh5par.a`; `include/h5par.h` is generated from it by
//! cbindgen (see `tests/header.rs`), and `fortran/h5par.f90` binds it for Fortran.
//!
//! How the border behaves:
//! - Every exported function returns a status code (or a string, or nothing) and never unwinds,
//!   aborts or exits: panics are caught and become `H5PAR_ERR_INTERNAL`. The message of the last
//!   failure is kept per thread (`h5par_last_error`).
//! - Handles are tokens in a registry ([`handles`]), never dereferenced: a NULL, closed,
//!   double-closed or foreign handle is `H5PAR_ERR_HANDLE`.
//! - Collective calls check their C arguments on each rank and agree on the outcome across the
//!   ranks (of the caller's communicator for `h5par_file_create`/`_open`, of the file's
//!   otherwise) before entering the core, so one rank's bad argument is an error on every rank,
//!   not a hang. A handle that is bad on some ranks only cannot be agreed on (there is no
//!   communicator to agree with): the other ranks then wait in the call.
//! - h5par never calls `MPI_Init`/`MPI_Finalize` and never frees the caller's communicator; it
//!   works on its own duplicate (`MPI_Comm_dup`), freed when the file closes. A call made before
//!   `MPI_Init` or after `MPI_Finalize` is `H5PAR_ERR_MPI`.
//! - Calls of one process run one at a time (a lock is held for each call, and HDF5 is not
//!   thread-safe). A call made while another thread of the process is inside h5par does not
//!   wait for the lock: it fails at once with "another thread of this process is inside
//!   h5par", and a collective call still takes part in its agreement (with
//!   `MPI_THREAD_MULTIPLE`), so the error is every rank's and threads never deadlock.

// Exported functions are `unsafe extern "C"`; their documentation (copied into h5par.h) says in
// C terms what each pointer must be, instead of a Rust `# Safety` section.
#![allow(clippy::missing_safety_doc)]

// The order of the modules is the order of the declarations in h5par.h.
mod args;
mod attr;
mod dataset;
mod farm;
mod file;
mod group;
pub mod handles;
pub mod options;
mod select;
pub mod status;
mod types;
mod vector;

pub use options::{h5par_options, h5par_options_init};

pub use status::{
    h5par_dtype, h5par_fail_next, h5par_last_error, h5par_status, h5par_status_string,
    h5par_version,
};

pub use handles::{h5par_dataset, h5par_file, h5par_group};

pub use file::{
    h5par_file_close, h5par_file_close_at_exit, h5par_file_create, h5par_file_create_f2c,
    h5par_file_is_open, h5par_file_open, h5par_file_open_f2c, h5par_file_report_json,
    h5par_group_create, h5par_object_exists,
};

pub use dataset::{
    h5par_dataset_close, h5par_dataset_create, h5par_dataset_extend, h5par_dataset_extend_nd,
    h5par_dataset_info, h5par_dataset_open, h5par_dataset_read, h5par_dataset_read_nd,
    h5par_dataset_write, h5par_dataset_write_nd,
};

pub use farm::{
    h5par_farm_options, h5par_farm_options_init, h5par_farm_result_fn, h5par_farm_run,
    h5par_farm_run_f2c, h5par_farm_summary, h5par_farm_summary_text, h5par_farm_task,
    h5par_farm_task_fn, h5par_farm_task_message, h5par_farm_task_result,
};

// Navigation and links (ffi/src/group.rs).
pub use group::{
    h5par_attr_count, h5par_attr_delete, h5par_attr_name, h5par_group_close, h5par_group_member,
    h5par_group_nmembers, h5par_group_open, h5par_group_path, h5par_kind, h5par_link_external,
    h5par_link_soft, h5par_link_target, h5par_object_delete, h5par_object_kind, h5par_object_move,
};

// Selections and types (ffi/src/select.rs, ffi/src/types.rs).
pub use select::{h5par_dataset_read_sel, h5par_dataset_write_sel, h5par_selection};
pub use types::{
    h5par_attr_read_typed, h5par_attr_type, h5par_attr_write_typed, h5par_create,
    h5par_create_init, h5par_dataset_create_ex, h5par_dataset_storage, h5par_dataset_type,
};

pub use attr::{
    h5par_attr_read, h5par_attr_read_string, h5par_attr_write, h5par_attr_write_string,
};

// Distributed vectors (ffi/src/vector.rs).
pub use vector::{
    h5par_cg, h5par_map, h5par_map_arbitrary, h5par_map_arbitrary_f2c, h5par_map_block,
    h5par_map_block_f2c, h5par_map_contiguous, h5par_map_free, h5par_map_gids, h5par_map_info,
    h5par_matrix, h5par_matrix_apply, h5par_matrix_create, h5par_matrix_fill_complete,
    h5par_matrix_free, h5par_matrix_insert, h5par_plan, h5par_plan_apply, h5par_plan_create,
    h5par_plan_free, h5par_reduction, h5par_vector, h5par_vector_axpby, h5par_vector_create,
    h5par_vector_data, h5par_vector_dot, h5par_vector_fill, h5par_vector_free,
    h5par_vector_multiply, h5par_vector_read, h5par_vector_reduce, h5par_vector_write,
};

/// `H5PAR_READONLY`: the `mode` of `h5par_file_open` for reading only.
pub const H5PAR_READONLY: std::ffi::c_int = 0;
/// `H5PAR_READWRITE`: the `mode` of `h5par_file_open` for reading and writing.
pub const H5PAR_READWRITE: std::ffi::c_int = 1;
/// `H5PAR_COLLECTIVE`: the `xfer` of a read or write in which every rank takes part.
pub const H5PAR_COLLECTIVE: std::ffi::c_int = 0;
/// `H5PAR_INDEPENDENT`: the `xfer` of a read or write that a rank makes on its own.
pub const H5PAR_INDEPENDENT: std::ffi::c_int = 1;
