//! Tuning: detect the file system, choose a stripe layout, and read the user's settings.
//!
//! This layer decides *what* to ask of the file system and MPI-IO; the `io` layer applies it.
//! Most of it is pure and tested on fixtures; the few calls into the system are thin:
//!
//! - [`fs`]: which file system holds a path (`statfs` magic numbers) and its block size.
//! - [`lustre`]: a Lustre file's stripe layout (the `lustre.lov` extended attribute) and the
//!   number of OSTs.
//! - [`layout`]: the layout chooser: stripe count and size, aggregators (`cb_nodes`) and alignment,
//!   with the reason for the choice.
//! - [`hints`]: the `H5PAR_*` environment variables, MPI-IO hint lists and byte sizes.
//! - [`mpi`]: which MPI-IO implementation (OMPIO or ROMIO) runs, for its own hints.
//! - [`plan`]: the hints and HDF5 settings that follow from a layout.
//! - [`report`]: the I/O report: what really happened, as JSON and as a summary.
//! - [`shared`]: file-system questions asked by rank 0 and broadcast, not asked by every rank.

pub mod fs;
pub mod hints;
pub mod layout;
pub mod lustre;
pub mod mpi;
pub mod plan;
pub mod report;
pub mod shared;

pub use fs::{detect, FsInfo, FsKind};
pub use hints::{env_overrides, parse_hints, parse_size, EnvOverrides};
pub use layout::{choose_layout, Layout, LayoutRequest};
pub use lustre::{LovParseError, LustreLayout};
pub use mpi::MpiFlavor;
pub use plan::{plan, LibVer, TunePlan, TuneRequest, DEFAULT_LIBVER, SMALL_READ_LIMIT};
pub use report::Report;
