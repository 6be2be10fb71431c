//! Distributed vectors in the spirit of Epetra and PETSc: maps (block, user sizes, arbitrary
//! and overlapping global ids), distributed vectors and multivectors, Export/Import plans with
//! combine modes, CSR matrices, conjugate gradients, and collective HDF5 I/O of any map.
//!
//! Layers used: [`crate::comm`] (agreement) and [`crate::io`] (HDF5 I/O); nothing above.
