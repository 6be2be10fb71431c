//! Distributed vectors in the spirit of Epetra and PETSc: maps (block, user sizes, arbitrary
//! and overlapping global ids), distributed vectors and multivectors, Export/Import plans with
//! combine modes, CSR matrices, conjugate gradients, and collective HDF5 I/O of any map.
//!
//! Layers used: [`crate::comm`] (agreement) and [`crate::io`] (HDF5 I/O); nothing above.
//!
//! - [`Map`]: which global ids (gids) each rank holds; a distributed directory answers which
//!   ranks hold a gid without any rank holding a table of the global size.
//! - [`DistVector`], [`MultiVector`]: the local part is a slice / `ndarray` view (no copy).
//! - [`Plan`] ([`Export`], [`Import`]): built once, used forward and in reverse with any
//!   [`CombineMode`]; only ranks sharing gids exchange messages.
//! - [`CsrMatrix`] and [`cg`] over any [`LinearOperator`] (a matrix or matrix-free).
//! - [`write_vector`], [`read_vector`]: HDF5 in gid order from and into any map (PETSc's
//!   `VecView`/`VecLoad` layout).
//!
//! Every collective call checks locally, agrees across ranks (one small allreduce that covers
//! the operation, its maps and arguments), acts and, where it can fail, agrees on the outcome.
//!
//! Differences from Epetra, on purpose: [`CombineMode::Average`] is the mean of all
//! contributions (Epetra averages pairwise as they arrive: 1, 2 and 3 give 2.25 there, 2 here).

mod cg;
mod csr;
mod exchange;
mod hdf5;
mod map;
pub mod partition;
mod plan;
mod vec;

pub use cg::{cg, CgOptions, CgOutcome, CgStop, LinearOperator};
pub use csr::CsrMatrix;
pub use hdf5::{
    read_multivector, read_multivector_step, read_vector, read_vector_into, read_vector_step,
    write_multivector, write_vector, write_vector_step,
};
pub use map::{Holders, Map};
pub use partition::{CombineMode, Gid};
pub use plan::{Distributed, Export, Import, Plan, PlanKind};
pub use vec::{DistVector, MultiVector};
