//! The task farm: the same serial function over task indices `0..N`, on 1 rank (an MPI
//! singleton), a laptop or hundreds of ranks, with dynamic scheduling, retries, a journal to
//! resume from, per-task records, progress, and results delivered to rank 0 or written into
//! one HDF5 file.
//!
//! Layers used: [`crate::comm`] (agreement before and after the farm) and [`crate::io`]
//! (results written into an h5par file); nothing above.
