//! Files, groups, datasets, selections and attributes: collective and independent HDF5 I/O
//! over MPI-IO.

pub(crate) mod attr_typed;
pub mod attribute;
pub mod buffer;
pub mod dataset;
pub mod dtype;
pub mod file;
pub mod group;
pub(crate) mod h5;
pub mod link;
pub(crate) mod mpi_info;
pub mod object;
pub(crate) mod path;
pub(crate) mod plist;
pub(crate) mod report;
pub(crate) mod scratch;
pub mod selection;
pub mod space;
pub mod stale;
pub mod threads;
pub mod types;
