//! The numeric element types h5par reads and writes, and their HDF5 types.

use std::fmt;

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5t::{
    H5T_class_t, H5T_sign_t, H5Tget_class, H5Tget_sign, H5Tget_size, H5T_NATIVE_DOUBLE,
    H5T_NATIVE_FLOAT, H5T_NATIVE_INT16, H5T_NATIVE_INT32, H5T_NATIVE_INT64, H5T_NATIVE_INT8,
    H5T_NATIVE_UINT16, H5T_NATIVE_UINT32, H5T_NATIVE_UINT64, H5T_NATIVE_UINT8,
};

use crate::error::{Error, Result};
use crate::io::h5;

/// An element type. The discriminants are the C ABI's `h5par_dtype` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Dtype {
    /// `int8_t`
    I8 = 0,
    /// `int16_t`
    I16 = 1,
    /// `int32_t`
    I32 = 2,
    /// `int64_t`
    I64 = 3,
    /// `uint8_t`
    U8 = 4,
    /// `uint16_t`
    U16 = 5,
    /// `uint32_t`
    U32 = 6,
    /// `uint64_t`
    U64 = 7,
    /// `float`
    F32 = 8,
    /// `double`
    F64 = 9,
}

impl Dtype {
    /// Every type, in code order.
    pub const ALL: [Dtype; 10] = [
        Dtype::I8,
        Dtype::I16,
        Dtype::I32,
        Dtype::I64,
        Dtype::U8,
        Dtype::U16,
        Dtype::U32,
        Dtype::U64,
        Dtype::F32,
        Dtype::F64,
    ];

    /// The type of a C ABI code, or `None`.
    pub fn from_code(code: i32) -> Option<Dtype> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Dtype::ALL.get(i).copied())
    }

    /// Size of one element in bytes.
    pub fn size(self) -> usize {
        match self {
            Dtype::I8 | Dtype::U8 => 1,
            Dtype::I16 | Dtype::U16 => 2,
            Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
            Dtype::I64 | Dtype::U64 | Dtype::F64 => 8,
        }
    }

    /// The numpy-style name (`"f8"`, `"i4"`, `"u1"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::I8 => "i1",
            Dtype::I16 => "i2",
            Dtype::I32 => "i4",
            Dtype::I64 => "i8",
            Dtype::U8 => "u1",
            Dtype::U16 => "u2",
            Dtype::U32 => "u4",
            Dtype::U64 => "u8",
            Dtype::F32 => "f4",
            Dtype::F64 => "f8",
        }
    }

    /// The native HDF5 type id (library-owned, never closed).
    pub(crate) fn native(self) -> hid_t {
        h5::init();
        match self {
            Dtype::I8 => *H5T_NATIVE_INT8,
            Dtype::I16 => *H5T_NATIVE_INT16,
            Dtype::I32 => *H5T_NATIVE_INT32,
            Dtype::I64 => *H5T_NATIVE_INT64,
            Dtype::U8 => *H5T_NATIVE_UINT8,
            Dtype::U16 => *H5T_NATIVE_UINT16,
            Dtype::U32 => *H5T_NATIVE_UINT32,
            Dtype::U64 => *H5T_NATIVE_UINT64,
            Dtype::F32 => *H5T_NATIVE_FLOAT,
            Dtype::F64 => *H5T_NATIVE_DOUBLE,
        }
    }

    /// The h5par type of an HDF5 datatype stored in a file (any byte order).
    pub(crate) fn from_hdf5(type_id: hid_t, what: &str) -> Result<Dtype> {
        // SAFETY: `type_id` is a live datatype id.
        let (class, size, sign) = unsafe {
            (
                H5Tget_class(type_id),
                H5Tget_size(type_id),
                H5Tget_sign(type_id),
            )
        };
        let signed = sign == H5T_sign_t::H5T_SGN_2;
        let t = match (class, size, signed) {
            (H5T_class_t::H5T_INTEGER, 1, true) => Dtype::I8,
            (H5T_class_t::H5T_INTEGER, 2, true) => Dtype::I16,
            (H5T_class_t::H5T_INTEGER, 4, true) => Dtype::I32,
            (H5T_class_t::H5T_INTEGER, 8, true) => Dtype::I64,
            (H5T_class_t::H5T_INTEGER, 1, false) => Dtype::U8,
            (H5T_class_t::H5T_INTEGER, 2, false) => Dtype::U16,
            (H5T_class_t::H5T_INTEGER, 4, false) => Dtype::U32,
            (H5T_class_t::H5T_INTEGER, 8, false) => Dtype::U64,
            (H5T_class_t::H5T_FLOAT, 4, _) => Dtype::F32,
            (H5T_class_t::H5T_FLOAT, 8, _) => Dtype::F64,
            _ => {
                return Err(Error::Type(format!(
                    "{what}: stored type (class {class:?}, {size} bytes) is not one of \
                     i1 i2 i4 i8 u1 u2 u4 u8 f4 f8"
                )))
            }
        };
        Ok(t)
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust element type h5par can read and write: `i8 i16 i32 i64 u8 u16 u32 u64 f32 f64`.
pub trait H5Type: sealed::Sealed + Copy + Default + Send + Sync + 'static {
    /// The matching [`Dtype`].
    const DTYPE: Dtype;
}

macro_rules! h5type {
    ($($t:ty => $d:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl H5Type for $t {
            const DTYPE: Dtype = Dtype::$d;
        }
    )*};
}

h5type!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32,
        u64 => U64, f32 => F32, f64 => F64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_sizes() {
        for (i, d) in Dtype::ALL.iter().enumerate() {
            assert_eq!(Dtype::from_code(i as i32), Some(*d));
            assert_eq!(*d as i32, i as i32);
        }
        assert_eq!(Dtype::from_code(-1), None);
        assert_eq!(Dtype::from_code(10), None);
        assert_eq!(<f64 as H5Type>::DTYPE.size(), 8);
        assert_eq!(<u16 as H5Type>::DTYPE.size(), 2);
    }
}
