//! Collective HDF5 I/O of vectors on any map, in global-id order, without gathering to a rank.
//!
//! A vector is stored as the 1-D dataset of `f64` whose element `g` is the value of gid `g`
//! (a multivector of `k` columns as the 2-D dataset `[N, k]`): PETSc's `VecView`/`VecLoad`
//! layout (block size `k`). Writing from a map that is not contiguous first redistributes the
//! values to the block map of the dataset (an Export among the ranks that share data, built at
//! the map's first write or read of that length and kept on the map for the later ones), then
//! every rank writes its block with one collective hyperslab write; reading does the reverse,
//! and an overlapping map receives every gid it holds.

use mpi::topology::CommunicatorRelation;
use mpi::traits::*;

use super::map::{IoPlan, Map};
use super::partition::CombineMode;
use super::plan::{Distributed, Plan};
use super::vec::{zeroed_values, DistVector, MultiVector};
use crate::comm;
use crate::error::{Error, Result};
use crate::io::dataset::Xfer;
use crate::io::dtype::Dtype;
use crate::io::file::File;
use crate::io::selection::Selection;

fn check_comm(what: &str, file: &File, map: &Map) -> Result<()> {
    match file.comm().compare(map.comm()) {
        CommunicatorRelation::Identical | CommunicatorRelation::Congruent => Ok(()),
        _ => Err(Error::Invalid(format!(
            "{what}: the file and the map are on different communicators ({} and {} ranks, or \
             another group or order)",
            file.size(),
            map.size()
        ))),
    }
}

fn as_bytes(v: &[f64]) -> &[u8] {
    // SAFETY: f64 values are plain bytes.
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) }
}

fn as_bytes_mut(v: &mut [f64]) -> &mut [u8] {
    // SAFETY: any bytes are a valid f64.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut u8, std::mem::size_of_val(v)) }
}

fn write_any<V: Distributed>(
    file: &File,
    name: &str,
    v: &V,
    two_d: bool,
    step: Option<u64>,
) -> Result<()> {
    let what = format!("write vector {}:{name}", file.path().display());
    let map = v.map();
    let k = v.width();
    let local = check_comm(&what, file, map).and_then(|()| map.require_one_to_one(&what));
    comm::agree(
        file.comm(),
        &what,
        local,
        Some(&format!(
            "write_vector {name} {:x} {k} {step:?}",
            map.signature()
        )),
    )?;
    let n = (map.max_gid() + 1) as u64;
    let shape: Vec<u64> = if two_d { vec![n, k as u64] } else { vec![n] };
    let ds = match step {
        None => file.new_dataset::<f64>().shape(&shape).create(name)?,
        Some(t) => step_dataset(file, &what, name, &shape, t)?,
    };
    let sel = |start: u64, count: u64| {
        let (mut st, mut co) = match step {
            Some(t) => (vec![t], vec![1]),
            None => (vec![], vec![]),
        };
        st.push(start);
        co.push(count);
        if two_d {
            st.push(0);
            co.push(k as u64);
        }
        Selection::new(&st, &co)
    };
    if let Some(first) = map.first_gid() {
        let s = sel(first as u64, map.local_len() as u64);
        return ds.write_raw(&s, Dtype::F64, as_bytes(v.values()), Xfer::Collective);
    }
    let io = io_plan(map, n)?;
    let block = &io.block;
    let mut staged = io.staging.borrow_mut();
    // The transfer writes every gid some rank holds (the map is one-to-one); the others are
    // 0 in the file, so the kept buffer is zeroed unless the map holds every gid.
    if map.distinct_len() != n {
        staged.clear();
    }
    stage(&mut staged, block.local_len() * k);
    io.routes.run(
        map.comm(),
        true,
        v.values(),
        &mut staged,
        k,
        CombineMode::Insert,
        || {},
    );
    let s = sel(
        block.first_gid().unwrap_or(0) as u64,
        block.local_len() as u64,
    );
    ds.write_raw(&s, Dtype::F64, as_bytes(&staged), Xfer::Collective)
}

fn read_any<V: Distributed>(
    file: &File,
    name: &str,
    out: &mut V,
    two_d: bool,
    step: Option<u64>,
) -> Result<()> {
    let what = format!("read vector {}:{name}", file.path().display());
    let map = out.map().clone();
    let k = out.width();
    let local = check_comm(&what, file, &map);
    comm::agree(
        file.comm(),
        &what,
        local,
        Some(&format!(
            "read_vector {name} {:x} {k} {step:?}",
            map.signature()
        )),
    )?;
    let ds = file.dataset(name)?;
    let full = ds.shape();
    // PETSc's timestepping layout: a leading dimension of timesteps.
    let (steps, dims) = match step {
        Some(_) if !full.is_empty() => (Some(full[0]), full[1..].to_vec()),
        _ => (None, full.clone()),
    };
    let ok = if two_d {
        dims.len() == 2 && dims[1] == k as u64
    } else {
        dims.len() == 1 || (dims.len() == 2 && dims[1] == 1)
    };
    let local = if !ok || (step.is_some() && full.is_empty()) {
        Err(Error::Shape(format!(
            "{what}: the dataset has shape {full:?}, {}{} is needed",
            if step.is_some() { "[T, " } else { "[" },
            if two_d {
                format!("N, {k}]")
            } else {
                "N]".to_string()
            }
        )))
    } else if let Some((t, nt)) = step.zip(steps).filter(|&(t, nt)| t >= nt) {
        Err(Error::Shape(format!(
            "{what}: timestep {t} asked, the dataset holds {nt} (0 to {})",
            nt as i64 - 1
        )))
    } else if map.max_gid() >= dims[0] as i64 {
        Err(Error::Shape(format!(
            "{what}: the map holds gids up to {}, the dataset has {} elements",
            map.max_gid(),
            dims[0]
        )))
    } else {
        Ok(())
    };
    comm::agree(file.comm(), &what, local, None)?;
    let n = dims[0];
    let sel = |start: u64, count: u64| {
        let (mut st, mut co) = match step {
            Some(t) => (vec![t], vec![1]),
            None => (vec![], vec![]),
        };
        st.push(start);
        co.push(count);
        if dims.len() == 2 {
            st.push(0);
            co.push(dims[1]);
        }
        Selection::new(&st, &co)
    };
    if let Some(first) = map.first_gid() {
        let s = sel(first as u64, map.local_len() as u64);
        return ds.read_raw(
            &s,
            Dtype::F64,
            as_bytes_mut(out.values_mut()),
            Xfer::Collective,
        );
    }
    let io = io_plan(&map, n)?;
    let block = &io.block;
    let mut staged = io.staging.borrow_mut();
    // Every value is overwritten by the read.
    stage(&mut staged, block.local_len() * k);
    let s = sel(
        block.first_gid().unwrap_or(0) as u64,
        block.local_len() as u64,
    );
    ds.read_raw(&s, Dtype::F64, as_bytes_mut(&mut staged), Xfer::Collective)?;
    io.routes.run(
        map.comm(),
        false,
        &staged,
        out.values_mut(),
        k,
        CombineMode::Insert,
        || {},
    );
    Ok(())
}

/// Collective: the dataset `[T, shape...]` of PETSc's timestepping layout, created (unlimited
/// in time, chunked one step at a time, with PETSc's `timestepping` attribute) or extended to
/// hold step `t`.
fn step_dataset(
    file: &File,
    what: &str,
    name: &str,
    shape: &[u64],
    t: u64,
) -> Result<crate::io::dataset::Dataset> {
    let mut full = vec![t + 1];
    full.extend_from_slice(shape);
    if !file.root().contains(name)? {
        let mut max: Vec<Option<u64>> = vec![None];
        max.extend(shape.iter().map(|&d| Some(d)));
        let mut chunk = vec![1u64, shape[0].clamp(1, 1 << 17)];
        chunk.extend_from_slice(&shape[1..]);
        let ds = file
            .new_dataset::<f64>()
            .shape(&full)
            .maxshape(&max)
            .chunk(&chunk)
            .create(name)?;
        file.write_attr(name, "timestepping", &1i32)?;
        return Ok(ds);
    }
    let ds = file.dataset(name)?;
    let dims = ds.shape();
    if dims.len() != full.len() || dims[1..] != *shape {
        return Err(Error::Shape(format!(
            "{what}: the dataset has shape {dims:?}, a timestep of [T, {}] is written",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if dims[0] <= t {
        ds.set_extent(&full)?;
    }
    Ok(ds)
}

/// Makes the kept staging buffer `len` values long: a first (or larger) one comes from
/// [`zeroed_values`] (huge pages: the redistribution reaches it in random order).
fn stage(staged: &mut Vec<f64>, len: usize) {
    if staged.capacity() < len {
        *staged = zeroed_values(len);
    }
    staged.resize(len, 0.0);
}

/// Collective (the caller has agreed on the map and `n`): the map's redistribution to the
/// block map of `n` elements, built at the first call (a block map and an Export plan) and
/// reused by later writes and reads of the same length. The same Export serves writes (forward:
/// each gid to its block owner) and reads (reverse with Insert: each block element to every
/// copy of its gid, so an overlapping map receives every gid it holds).
fn io_plan(map: &Map, n: u64) -> Result<IoPlan> {
    if let Some(p) = map.io_plan(n) {
        return Ok(p);
    }
    let block = Map::block(map.comm(), n)?;
    let plan = Plan::export_agreed(map, &block)?;
    let p = IoPlan {
        n,
        block,
        routes: plan.routes(),
        staging: Default::default(),
    };
    map.set_io_plan(p.clone());
    Ok(p)
}

/// Collective: writes `v` as the 1-D dataset `name` of `file` (element `g` holds gid `g`; the
/// length is the largest gid plus one, gids no rank holds are 0). The map must be one-to-one
/// and on the file's communicator (or a congruent one).
pub fn write_vector(file: &File, name: &str, v: &DistVector) -> Result<()> {
    write_any(file, name, v, false, None)
}

/// Collective: writes `v` as timestep `step` of the dataset `name` in PETSc's timestepping
/// layout `[T, N]` (what `VecLoad` reads after `PetscViewerHDF5PushTimestepping` and
/// `PetscViewerHDF5SetTimestep`): the dataset is created at the first step written (unlimited
/// in time, with the `timestepping` attribute) and extended for later ones; steps never
/// written read as 0.
pub fn write_vector_step(file: &File, name: &str, v: &DistVector, step: u64) -> Result<()> {
    write_any(file, name, v, false, Some(step))
}

/// Collective: writes `v` as the 2-D dataset `[N, k]` (PETSc's layout of block size `k`).
pub fn write_multivector(file: &File, name: &str, v: &MultiVector) -> Result<()> {
    write_any(file, name, v, true, None)
}

/// Collective: reads the 1-D dataset `name` (any numeric type, converted to `f64`) into a new
/// vector on `map`, any map with gids below the dataset's length (overlapping maps read every
/// gid they hold), with any number of ranks.
pub fn read_vector(file: &File, name: &str, map: &Map) -> Result<DistVector> {
    let mut v = DistVector::new(map);
    read_any(file, name, &mut v, false, None)?;
    Ok(v)
}

/// Collective: reads the dataset `name` into the existing vector `v` (on any map, as
/// [`read_vector`]), timestep `step` of PETSc's timestepping layout `[T, N]` when `step` is
/// given. No allocation for a contiguous map (the values go straight into `v`): what a loop
/// over timesteps uses.
pub fn read_vector_into(
    file: &File,
    name: &str,
    v: &mut DistVector,
    step: Option<u64>,
) -> Result<()> {
    read_any(file, name, v, false, step)
}

/// Collective: reads timestep `step` of the dataset `name` in PETSc's timestepping layout
/// (`[T, N]`, what `VecView` writes after `PetscViewerHDF5PushTimestepping` and
/// `PetscViewerHDF5SetTimestep`) into a new vector on `map`. A step beyond `T` is an error on
/// every rank.
pub fn read_vector_step(file: &File, name: &str, map: &Map, step: u64) -> Result<DistVector> {
    let mut v = DistVector::new(map);
    read_any(file, name, &mut v, false, Some(step))?;
    Ok(v)
}

/// Collective: reads timestep `step` of the 3-D dataset `[T, N, k]` (PETSc's timestepping
/// layout of block size `k`) into a new multivector of `k` columns on `map`.
pub fn read_multivector_step(
    file: &File,
    name: &str,
    map: &Map,
    k: usize,
    step: u64,
) -> Result<MultiVector> {
    let mut v = MultiVector::new(map, k);
    read_any(file, name, &mut v, true, Some(step))?;
    Ok(v)
}

/// Collective: reads the 2-D dataset `[N, k]` `name` into a new multivector of `k` columns on
/// `map`.
pub fn read_multivector(file: &File, name: &str, map: &Map, k: usize) -> Result<MultiVector> {
    let mut v = MultiVector::new(map, k);
    read_any(file, name, &mut v, true, None)?;
    Ok(v)
}
