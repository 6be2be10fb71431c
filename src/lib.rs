//! # h5par: parallel HDF5 I/O for MPI codes that never hangs
//!
//! h5par reads and writes HDF5 files from many MPI ranks at once with collective MPI-IO.
//! Every collective call validates its arguments on each rank, agrees across ranks in one
//! small allreduce, and only then enters HDF5, so a mistake on one rank is a clear error on
//! every rank (naming the rank) rather than a deadlock.
//!
//! ```no_run
//! use h5par::{File, Mode};
//! use mpi::traits::*;
//! use ndarray::Array1;
//!
//! let universe = mpi::initialize().unwrap();
//! let world = universe.world();
//! let (rank, size) = (world.rank() as u64, world.size() as u64);
//! let n = 1000;
//!
//! let file = File::create(&world, "data.h5")?;
//! let x = file.new_dataset::<f64>().shape([n * size]).create("x")?;
//! x.write_at(&[n * rank], &Array1::from_elem(n as usize, rank as f64))?;
//! x.write_attr("units", "m")?;
//! file.close()?; // collective; "data.h5" appears now
//!
//! let file = File::open(&world, "data.h5", Mode::ReadOnly)?;
//! let mine = file.dataset("x")?.read_at::<f64>(&[n * rank], &[n])?;
//! # Ok::<(), h5par::Error>(())
//! ```
//!
//! Layers (see DESIGN.md): [`farm`] (task farm) and [`vector`] (distributed vectors) sit on
//! [`io`] (files, groups, datasets, attributes), which sits on [`comm`] (agreement) and
//! [`tune`] (file-system detection and striping).

#![warn(missing_docs)]

pub mod comm;
pub mod error;
pub mod farm;
pub mod io;
pub mod tune;
pub mod vector;

pub use error::{Error, ErrorKind, Result};
pub use io::attribute::{AttrData, AttrValue, FromAttr};
pub use io::dataset::{Dataset, DatasetBuilder, FrontCall, Storage, Xfer};
pub use io::dtype::{Dtype, H5Type};
pub use io::file::{open_object_count, File, FileOptions, Mode};
pub use io::group::Group;
pub use io::link::{LinkTarget, ObjectKind};
pub use io::object::Object;
pub use io::selection::{Selection, MAX_DIMS};
pub use io::types::{Datatype, Field};
pub use num_complex;

/// The version of h5par, `"MAJOR.MINOR.PATCH"`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
