//! Buffers h5par allocates for reads, page aligned.
//!
//! The kernel's copy from the page cache into a user buffer is about 3x slower on some CPUs
//! (AMD Zen 3 with FSRM) when (destination - source) mod 4096 is small. HDF5 data that h5par
//! aligns in the file starts on a page, and a large buffer from malloc (Rust's `Vec`, numpy)
//! starts 16 bytes past one: exactly the slow case. A buffer that starts on a page is never in
//! it against page-aligned data. `bench/copy_penalty.c` measures a machine.
//!
//! An owned ndarray array may start anywhere inside its `Vec`, so the array is carved out of a
//! `Vec` with a page of slack, at the first page boundary: sound with any global allocator, at
//! the price of 4 KiB per read.

use ndarray::{s, Array1, ArrayD, IxDyn};

use crate::io::dtype::H5Type;

/// The page size buffers are aligned to.
pub const PAGE: usize = 4096;

/// A zero-initialized array of `shape` (C order) whose first element starts on a page.
/// `None` if the element count overflows or the memory cannot be had (the allocation failing
/// is an answer, not an abort: a read too large for this node is an error of the read).
pub fn page_aligned_array<T: H5Type>(shape: &[usize]) -> Option<ArrayD<T>> {
    let size = std::mem::size_of::<T>().max(1);
    let n = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))?;
    let slack = PAGE / size;
    if n == 0 || PAGE % size != 0 {
        // Nothing to place, or an element size a page cannot be divided by.
        let v = zeroed_vec::<T>(n)?;
        return ArrayD::from_shape_vec(IxDyn(shape), v).ok();
    }
    let v = zeroed_vec::<T>(n.checked_add(slack)?)?;
    let skip = skip_to_page(v.as_ptr() as usize, size);
    let flat = Array1::from_vec(v).slice_move(s![skip..skip + n]);
    flat.into_shape_with_order(IxDyn(shape)).ok()
}

/// `n` zeros, from the allocator's zeroed memory (untouched pages stay unmapped until used, as
/// with `vec![0; n]`), or `None` when the size overflows or the allocator has no such memory.
fn zeroed_vec<T: H5Type>(n: usize) -> Option<Vec<T>> {
    let layout = std::alloc::Layout::array::<T>(n).ok()?;
    if layout.size() == 0 {
        return Some(Vec::new());
    }
    // SAFETY: the layout has a non-zero size (checked above).
    let p = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` was allocated by the global allocator with the layout of `n` elements of
    // `T` (so capacity `n`), and all `n` are initialized: `T` is a number, for which all-zero
    // bytes are a valid value (0 or 0.0).
    Some(unsafe { Vec::from_raw_parts(p, n, n) })
}

/// The number of elements of `size` bytes to skip from `addr` to reach a page boundary
/// (`addr` aligned to `size`, which divides [`PAGE`]).
pub fn skip_to_page(addr: usize, size: usize) -> usize {
    ((PAGE - addr % PAGE) % PAGE) / size
}

/// Whether `ptr` starts on a page.
pub fn is_page_aligned<T>(ptr: *const T) -> bool {
    ptr as usize % PAGE == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_start_on_a_page() {
        for shape in [&[1usize][..], &[7], &[300_000], &[513, 3], &[2, 3, 4]] {
            let a = page_aligned_array::<f64>(shape).unwrap();
            assert_eq!(a.shape(), shape);
            assert!(a.is_standard_layout());
            assert!(is_page_aligned(a.as_ptr()), "{shape:?}");
            assert!(a.iter().all(|&x| x == 0.0));
            let b = page_aligned_array::<u8>(shape).unwrap();
            assert!(is_page_aligned(b.as_ptr()), "{shape:?}");
            let c = page_aligned_array::<i32>(shape).unwrap();
            assert!(is_page_aligned(c.as_ptr()), "{shape:?}");
        }
        // The array is usable as a slice of exactly its elements.
        let mut a = page_aligned_array::<f64>(&[4, 5]).unwrap();
        let s = a.as_slice_mut().unwrap();
        assert_eq!(s.len(), 20);
        s[19] = 2.0;
        assert_eq!(a[[3, 4]], 2.0);
        assert_eq!(page_aligned_array::<f64>(&[0]).unwrap().len(), 0);
        assert_eq!(page_aligned_array::<f64>(&[3, 0]).unwrap().shape(), [3, 0]);
        assert!(page_aligned_array::<f64>(&[usize::MAX, 2]).is_none());
        // More than any machine has: an answer, not an abort.
        assert!(page_aligned_array::<f64>(&[1 << 40, 1 << 20]).is_none());
        // 8 TiB: the allocator says no (with the kernel's default overcommit heuristic).
        if std::fs::read_to_string("/proc/sys/vm/overcommit_memory").is_ok_and(|m| m.trim() == "0")
        {
            assert!(page_aligned_array::<f64>(&[1 << 40]).is_none());
        }
    }

    #[test]
    fn skips() {
        assert_eq!(skip_to_page(16, 8), 510);
        assert_eq!(skip_to_page(4096, 8), 0);
        assert_eq!(skip_to_page(4095, 1), 1);
        assert_eq!(skip_to_page(8192 + 4092, 4), 1);
    }
}
