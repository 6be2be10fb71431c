//! Hyperslab selections: validation against a dataset's extent and HDF5 dataspaces for them.

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5s::{
    H5S_class_t, H5S_seloper_t, H5Screate, H5Screate_simple, H5Sselect_all, H5Sselect_hyperslab,
    H5Sselect_none, H5S_UNLIMITED,
};

use crate::error::{Error, Result};
use crate::io::h5::{self, Handle, Kind};

/// The largest number of dimensions h5par handles (HDF5's own limit).
pub const MAX_DIMS: usize = 32;

/// A selection of a dataset's elements: a hyperslab (per dimension `count` blocks of `block`
/// elements, `stride` apart, from `offset`), optionally with one axis chosen by an index list
/// instead. Nothing selected in any dimension selects nothing (the rank still takes part in
/// collective calls).
///
/// The elements are read into, or written from, a C-order buffer of [`Selection::shape`]: per
/// dimension `count * block` elements, or the number of indices on the index axis.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    /// First index per dimension.
    pub offset: Vec<u64>,
    /// Number of blocks per dimension (of one element each when `block` is empty).
    pub count: Vec<u64>,
    /// Distance between the starts of blocks per dimension; empty means 1 everywhere (and
    /// then, with `block` empty, the selection is the plain block `offset`, `count`).
    pub stride: Vec<u64>,
    /// Elements per block per dimension; empty means 1 everywhere.
    pub block: Vec<u64>,
    /// An axis and strictly increasing indices on it: that axis selects these indices (its
    /// `offset`, `count`, `stride` and `block` are ignored).
    pub index: Option<(usize, Vec<u64>)>,
}

impl Selection {
    /// A block at `offset` of `count` elements per dimension.
    pub fn new(offset: &[u64], count: &[u64]) -> Selection {
        Selection {
            offset: offset.to_vec(),
            count: count.to_vec(),
            stride: Vec::new(),
            block: Vec::new(),
            index: None,
        }
    }

    /// A strided hyperslab, as HDF5's `H5Sselect_hyperslab`: per dimension `count` blocks of
    /// `block` elements whose starts are `stride` apart, from `start`. `d[::2]` of a 1-D
    /// dataset of 10 is `strided(&[0], &[2], &[5], &[1])`.
    pub fn strided(start: &[u64], stride: &[u64], count: &[u64], block: &[u64]) -> Selection {
        Selection {
            offset: start.to_vec(),
            count: count.to_vec(),
            stride: stride.to_vec(),
            block: block.to_vec(),
            index: None,
        }
    }

    /// This selection with `axis` chosen by `indices` (strictly increasing, as h5py's fancy
    /// indexing requires) instead of its hyperslab.
    pub fn with_index(mut self, axis: usize, indices: &[u64]) -> Selection {
        self.index = Some((axis, indices.to_vec()));
        self
    }

    fn stride_of(&self, d: usize) -> u64 {
        self.stride.get(d).copied().unwrap_or(1)
    }

    fn block_of(&self, d: usize) -> u64 {
        self.block.get(d).copied().unwrap_or(1)
    }

    /// The shape of the buffer the selection fills: per dimension `count * block`, or the
    /// number of indices on the index axis (saturating on overflow; [`Selection::check`]
    /// rejects that).
    pub fn shape(&self) -> Vec<u64> {
        (0..self.count.len())
            .map(|d| match &self.index {
                Some((a, ix)) if *a == d => ix.len() as u64,
                _ => self.count[d].saturating_mul(self.block_of(d)),
            })
            .collect()
    }

    /// The number of elements selected (`None` on overflow).
    pub fn len(&self) -> Option<u64> {
        let mut n = 1u64;
        for d in 0..self.count.len() {
            let k = match &self.index {
                Some((a, ix)) if *a == d => ix.len() as u64,
                _ => self.count[d].checked_mul(self.block_of(d))?,
            };
            n = n.checked_mul(k)?;
        }
        Some(n)
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.shape().contains(&0)
    }

    /// Whether the selection is a plain block (no stride, block or index list).
    fn is_block(&self) -> bool {
        self.index.is_none()
            && self.stride.iter().all(|&s| s == 1)
            && self.block.iter().all(|&b| b == 1)
    }

    /// Checks the selection against a dataset of extent `dims`; `name` names the dataset.
    pub fn check(&self, dims: &[u64], name: &str) -> Result<()> {
        let n = dims.len();
        let lens_ok = |v: &Vec<u64>| v.is_empty() || v.len() == n;
        if self.offset.len() != n
            || self.count.len() != n
            || !lens_ok(&self.stride)
            || !lens_ok(&self.block)
        {
            return Err(Error::Shape(format!(
                "{name}: selection has {} offsets, {} counts, {} strides and {} blocks, the \
                 dataset has {n} dimensions {dims:?}",
                self.offset.len(),
                self.count.len(),
                self.stride.len(),
                self.block.len(),
            )));
        }
        if self.len().is_none() {
            return Err(Error::Shape(format!(
                "{name}: selection {:?} holds more than 2^64 elements",
                self.shape()
            )));
        }
        if let Some((a, ix)) = &self.index {
            if *a >= n {
                return Err(Error::Shape(format!(
                    "{name}: index axis {a} of a dataset of {n} dimensions"
                )));
            }
            if let Some(w) = ix.windows(2).find(|w| w[0] >= w[1]) {
                return Err(Error::Shape(format!(
                    "{name}: indices on axis {a} must be strictly increasing ({} then {})",
                    w[0], w[1]
                )));
            }
            if let Some(&last) = ix.last() {
                if last >= dims[*a] {
                    return Err(Error::Shape(format!(
                        "{name}: index {last} on axis {a} is outside the dataset's dimensions \
                         {dims:?}"
                    )));
                }
            }
        }
        if self.is_empty() {
            return Ok(());
        }
        for d in 0..n {
            if matches!(&self.index, Some((a, _)) if *a == d) {
                continue;
            }
            let (o, c, s, b) = (
                self.offset[d],
                self.count[d],
                self.stride_of(d),
                self.block_of(d),
            );
            if s == 0 || (c > 1 && s < b) {
                return Err(Error::Shape(format!(
                    "{name}: stride {s} in dimension {d} must be at least the block {b} and \
                     above 0"
                )));
            }
            // The last element: offset + (count - 1) * stride + block - 1 < extent.
            let end = (c - 1)
                .checked_mul(s)
                .and_then(|x| x.checked_add(o))
                .and_then(|x| x.checked_add(b));
            if end.is_none_or(|end| end > dims[d]) {
                return Err(if self.is_block() {
                    Error::Shape(format!(
                        "{name}: selection offset {:?} + count {:?} is outside the dataset's \
                         dimensions {:?} (dimension {d}: {o} + {c} > {})",
                        self.offset, self.count, dims, dims[d]
                    ))
                } else {
                    Error::Shape(format!(
                        "{name}: selection (start {:?}, stride {:?}, count {:?}, block {:?}) \
                         is outside the dataset's dimensions {dims:?} in dimension {d}",
                        self.offset, self.stride, self.count, self.block
                    ))
                });
            }
        }
        Ok(())
    }

    /// The file dataspace `space` with this selection made on it.
    pub(crate) fn select(&self, space: &Handle, name: &str) -> Result<()> {
        let id = space.id();
        let what = format!("{name}: selecting {self:?}");
        let n = self.count.len();
        let ones = vec![1u64; n];
        // A stride matters only between blocks: with one block, HDF5 gets the block.
        let stride: Vec<u64> = (0..n)
            .map(|d| match self.count[d] {
                0 | 1 => self.stride_of(d).max(self.block_of(d)),
                _ => self.stride_of(d),
            })
            .collect();
        let stride = &stride;
        let block = if self.block.is_empty() {
            &ones
        } else {
            &self.block
        };
        let hyperslab =
            |op: H5S_seloper_t, start: &[u64], stride: &[u64], count: &[u64], block: &[u64]| {
                // SAFETY: live dataspace; every vector has the dataspace's rank.
                let r = unsafe {
                    H5Sselect_hyperslab(
                        id,
                        op,
                        start.as_ptr(),
                        stride.as_ptr(),
                        count.as_ptr(),
                        block.as_ptr(),
                    )
                };
                h5::check(r, &what)
            };
        if self.is_empty() {
            // SAFETY: live dataspace.
            return h5::check(unsafe { H5Sselect_none(id) }, &what);
        }
        if n == 0 {
            // SAFETY: live dataspace.
            return h5::check(unsafe { H5Sselect_all(id) }, &what);
        }
        let Some((a, ix)) = &self.index else {
            return hyperslab(
                H5S_seloper_t::H5S_SELECT_SET,
                &self.offset,
                stride,
                &self.count,
                block,
            );
        };
        // The index axis as runs of consecutive indices, one block each, OR'ed together.
        let (mut start, mut st, mut count, mut bl) = (
            self.offset.clone(),
            stride.clone(),
            self.count.clone(),
            block.clone(),
        );
        let mut op = H5S_seloper_t::H5S_SELECT_SET;
        for (first, len) in runs(ix) {
            start[*a] = first;
            st[*a] = 1;
            count[*a] = 1;
            bl[*a] = len;
            hyperslab(op, &start, &st, &count, &bl)?;
            op = H5S_seloper_t::H5S_SELECT_OR;
        }
        Ok(())
    }

    /// A memory dataspace holding exactly the selected elements (nothing selected if empty).
    pub(crate) fn memory_space(&self, name: &str) -> Result<Handle> {
        if self.is_empty() {
            let one = [1u64];
            // SAFETY: a valid 1-D extent.
            let s = Handle::new(
                unsafe { H5Screate_simple(1, one.as_ptr(), std::ptr::null()) },
                Kind::Space,
                name,
            )?;
            // SAFETY: live dataspace.
            h5::check(unsafe { H5Sselect_none(s.id()) }, name)?;
            return Ok(s);
        }
        simple_space(&self.shape(), None, name)
    }
}

/// Strictly increasing indices as runs of consecutive ones: (first, length).
fn runs(ix: &[u64]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &i in ix {
        match out.last_mut() {
            Some((f, l)) if *f + *l == i => *l += 1,
            _ => out.push((i, 1)),
        }
    }
    out
}

/// A simple dataspace of extent `dims` (scalar for no dimensions), with optional maximum
/// dimensions (`None` entries are unlimited).
pub(crate) fn simple_space(
    dims: &[u64],
    max: Option<&[Option<u64>]>,
    name: &str,
) -> Result<Handle> {
    if dims.is_empty() {
        // SAFETY: creating a scalar dataspace.
        return Handle::new(
            unsafe { H5Screate(H5S_class_t::H5S_SCALAR) },
            Kind::Space,
            name,
        );
    }
    let maxdims: Option<Vec<u64>> =
        max.map(|m| m.iter().map(|d| d.unwrap_or(H5S_UNLIMITED)).collect());
    let rank = dims.len() as i32;
    // SAFETY: arrays of length `rank`.
    let id = unsafe {
        H5Screate_simple(
            rank,
            dims.as_ptr(),
            maxdims.as_ref().map_or(std::ptr::null(), |m| m.as_ptr()),
        )
    };
    Handle::new(id, Kind::Space, format!("{name}: dataspace {dims:?}"))
}

/// Extent and maximum extent of a dataspace (`None` = unlimited).
pub(crate) fn extent(space: hid_t, name: &str) -> Result<(Vec<u64>, Vec<Option<u64>>)> {
    use hdf5_sys::h5s::{H5Sget_simple_extent_dims, H5Sget_simple_extent_ndims};
    // SAFETY: live dataspace; buffers sized by its rank.
    unsafe {
        let n = H5Sget_simple_extent_ndims(space);
        if n < 0 {
            return Err(h5::hdf5_error(format!("{name}: reading the dataspace")));
        }
        let mut dims = vec![0u64; n as usize];
        let mut max = vec![0u64; n as usize];
        if n > 0 && H5Sget_simple_extent_dims(space, dims.as_mut_ptr(), max.as_mut_ptr()) < 0 {
            return Err(h5::hdf5_error(format!("{name}: reading the dataspace")));
        }
        let max = max
            .into_iter()
            .map(|m| if m == H5S_UNLIMITED { None } else { Some(m) })
            .collect();
        Ok((dims, max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_bounds() {
        let dims = [10u64, 4];
        assert!(Selection::new(&[0, 0], &[10, 4]).check(&dims, "x").is_ok());
        assert!(Selection::new(&[9, 0], &[0, 4]).check(&dims, "x").is_ok());
        assert!(Selection::new(&[100, 0], &[0, 4]).check(&dims, "x").is_ok());
        let e = Selection::new(&[8, 0], &[4, 4])
            .check(&dims, "x")
            .unwrap_err();
        assert!(e.message().contains("dimension 0: 8 + 4 > 10"), "{e}");
        assert!(Selection::new(&[0], &[1]).check(&dims, "x").is_err());
        assert!(Selection::new(&[u64::MAX, 0], &[2, 1])
            .check(&dims, "x")
            .is_err());
        assert_eq!(Selection::new(&[0, 0], &[3, 4]).len(), Some(12));
        assert_eq!(Selection::new(&[], &[]).len(), Some(1));
    }

    #[test]
    fn strided_and_indexed() {
        let dims = [10u64, 4];
        // d[::2, 1:3]
        let s = Selection::strided(&[0, 1], &[2, 1], &[5, 2], &[1, 1]);
        assert!(s.check(&dims, "x").is_ok());
        assert_eq!(s.shape(), vec![5, 2]);
        // d[1::2] of 10 has 5 elements: 1 + 4 * 2 = 9 < 10.
        assert!(Selection::strided(&[1], &[2], &[5], &[1])
            .check(&[10], "x")
            .is_ok());
        assert!(Selection::strided(&[2], &[2], &[5], &[1])
            .check(&[10], "x")
            .is_err());
        // blocks of 2 every 3: 0,1, 3,4, 6,7
        let b = Selection::strided(&[0], &[3], &[3], &[2]);
        assert_eq!(b.shape(), vec![6]);
        assert!(b.check(&[8], "x").is_ok());
        assert!(b.check(&[7], "x").is_err());
        let e = Selection::strided(&[0], &[1], &[3], &[2])
            .check(&[8], "x")
            .unwrap_err();
        assert!(e.message().contains("stride 1"), "{e}");
        assert!(Selection::strided(&[0], &[0], &[3], &[1])
            .check(&[8], "x")
            .is_err());
        // An index list on axis 0, a block on axis 1.
        let i = Selection::new(&[0, 1], &[0, 3]).with_index(0, &[1, 2, 3, 7]);
        assert_eq!(i.shape(), vec![4, 3]);
        assert!(i.check(&dims, "x").is_ok());
        assert!(Selection::new(&[0, 0], &[0, 4])
            .with_index(0, &[3, 3])
            .check(&dims, "x")
            .is_err());
        assert!(Selection::new(&[0, 0], &[0, 4])
            .with_index(0, &[10])
            .check(&dims, "x")
            .is_err());
        assert!(Selection::new(&[0, 0], &[0, 4])
            .with_index(2, &[1])
            .check(&dims, "x")
            .is_err());
        assert!(Selection::new(&[0, 0], &[0, 4])
            .with_index(0, &[])
            .is_empty());
        assert_eq!(runs(&[1, 2, 3, 7, 9, 10]), vec![(1, 3), (7, 1), (9, 2)]);
    }
}
