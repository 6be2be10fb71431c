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

/// A block of a dataset: `offset` and `count` per dimension. A count of 0 in any dimension
/// selects nothing (the rank still takes part in collective calls).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    /// First index per dimension.
    pub offset: Vec<u64>,
    /// Number of elements per dimension.
    pub count: Vec<u64>,
}

impl Selection {
    /// A block at `offset` of `count` elements per dimension.
    pub fn new(offset: &[u64], count: &[u64]) -> Selection {
        Selection {
            offset: offset.to_vec(),
            count: count.to_vec(),
        }
    }

    /// The number of elements selected (`None` on overflow).
    pub fn len(&self) -> Option<u64> {
        self.count.iter().try_fold(1u64, |a, &c| a.checked_mul(c))
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.count.contains(&0)
    }

    /// Checks the selection against a dataset of extent `dims`; `name` names the dataset.
    pub fn check(&self, dims: &[u64], name: &str) -> Result<()> {
        if self.offset.len() != dims.len() || self.count.len() != dims.len() {
            return Err(Error::Shape(format!(
                "{name}: selection has {} offsets and {} counts, the dataset has {} dimensions {:?}",
                self.offset.len(),
                self.count.len(),
                dims.len(),
                dims
            )));
        }
        if self.is_empty() {
            return Ok(());
        }
        for (d, ((&o, &c), &n)) in self.offset.iter().zip(&self.count).zip(dims).enumerate() {
            if o.checked_add(c).is_none_or(|end| end > n) {
                return Err(Error::Shape(format!(
                    "{name}: selection offset {:?} + count {:?} is outside the dataset's \
                     dimensions {:?} (dimension {d}: {o} + {c} > {n})",
                    self.offset, self.count, dims
                )));
            }
        }
        Ok(())
    }

    /// The file dataspace `space` with this selection made on it.
    pub(crate) fn select(&self, space: &Handle, name: &str) -> Result<()> {
        let id = space.id();
        // SAFETY: live dataspace; vectors have the dataspace's rank.
        let r = unsafe {
            if self.is_empty() {
                H5Sselect_none(id)
            } else if self.offset.is_empty() {
                H5Sselect_all(id)
            } else {
                H5Sselect_hyperslab(
                    id,
                    H5S_seloper_t::H5S_SELECT_SET,
                    self.offset.as_ptr(),
                    std::ptr::null(),
                    self.count.as_ptr(),
                    std::ptr::null(),
                )
            }
        };
        h5::check(r, format!("{name}: selecting {self:?}"))
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
        simple_space(&self.count, None, name)
    }
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
}
