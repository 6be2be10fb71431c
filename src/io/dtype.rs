//! The numeric element types h5par reads and writes, and their HDF5 types.

use std::fmt;

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5t::{
    H5T_NATIVE_DOUBLE, H5T_NATIVE_FLOAT, H5T_NATIVE_INT16, H5T_NATIVE_INT32, H5T_NATIVE_INT64,
    H5T_NATIVE_INT8, H5T_NATIVE_UINT16, H5T_NATIVE_UINT32, H5T_NATIVE_UINT64, H5T_NATIVE_UINT8,
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
    /// `bool` (one byte, 0 or 1): stored as h5py stores numpy's bool, an 8-bit enum
    /// `FALSE = 0, TRUE = 1`.
    Bool = 10,
    /// Complex of two `float`s: stored as h5py stores numpy's complex64, a compound of
    /// fields `r` and `i`.
    C64 = 11,
    /// Complex of two `double`s (compound `r`, `i`, as h5py's complex128).
    C128 = 12,
}

impl Dtype {
    /// Every type, in code order.
    pub const ALL: [Dtype; 13] = [
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
        Dtype::Bool,
        Dtype::C64,
        Dtype::C128,
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
            Dtype::I8 | Dtype::U8 | Dtype::Bool => 1,
            Dtype::I16 | Dtype::U16 => 2,
            Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
            Dtype::I64 | Dtype::U64 | Dtype::F64 | Dtype::C64 => 8,
            Dtype::C128 => 16,
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
            Dtype::Bool => "b1",
            Dtype::C64 => "c8",
            Dtype::C128 => "c16",
        }
    }

    /// Whether values of `self` and `other` convert into each other (HDF5 converts between
    /// all integer and float types, and between the two complex types; bool only to bool).
    pub fn converts_to(self, other: Dtype) -> bool {
        let group = |d: Dtype| match d {
            Dtype::Bool => 1,
            Dtype::C64 | Dtype::C128 => 2,
            _ => 0,
        };
        group(self) == group(other)
    }

    /// The native HDF5 type id (library-owned or created once per process, never closed).
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
            Dtype::Bool => crate::io::types::bool_type(),
            Dtype::C64 => crate::io::types::complex_type(false),
            Dtype::C128 => crate::io::types::complex_type(true),
        }
    }

    /// The h5par type of an HDF5 datatype stored in a file (any byte order).
    pub(crate) fn from_hdf5(type_id: hid_t, what: &str) -> Result<Dtype> {
        match crate::io::types::Datatype::from_hdf5(type_id)? {
            crate::io::types::Datatype::Num(d) => Ok(d),
            other => Err(Error::Type(format!(
                "{what}: stored type {} is not a number (one of {})",
                other.describe(),
                Dtype::ALL.map(|d| d.name()).join(" ")
            ))),
        }
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

/// A Rust element type h5par can read and write: `i8 i16 i32 i64 u8 u16 u32 u64 f32 f64`,
/// `bool`, and `num_complex::Complex<f32>`/`Complex<f64>`.
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
        u64 => U64, f32 => F32, f64 => F64, bool => Bool,
        num_complex::Complex<f32> => C64, num_complex::Complex<f64> => C128);

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
        assert_eq!(Dtype::from_code(13), None);
        assert!(Dtype::I8.converts_to(Dtype::F64) && !Dtype::Bool.converts_to(Dtype::U8));
        assert_eq!(<f64 as H5Type>::DTYPE.size(), 8);
        assert_eq!(<u16 as H5Type>::DTYPE.size(), 2);
    }
}
