//! Distributed vectors and multivectors of `f64` on a [`Map`].

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

use super::map::Map;
use super::partition::Gid;
use super::plan::Distributed;
use crate::comm;
use crate::comm::fused::Reduce;
use crate::error::{Error, Result};

/// A distributed vector of `f64`: one value per element of its [`Map`] on each rank.
///
/// Local operations (`fill`, `scale`, `axpy`, ...) need no communication; reductions (`dot`,
/// the norms, `sum`, `max_loc`, ...) are collective over the map's communicator. Operations
/// between vectors on maps that are not the [`same_as`](Map::same_as) each other are an error
/// on every rank (the check is the same on every rank), never a wrong answer.
#[derive(Debug, Clone)]
pub struct DistVector {
    map: Map,
    data: Values,
}

/// A distributed multivector: `k` values (columns) per element of its [`Map`], stored element
/// after element (row-major), so that the local part is an `n_local x k` array.
#[derive(Debug, Clone)]
pub struct MultiVector {
    map: Map,
    k: usize,
    data: Values,
}

fn check_same(what: &str, a: &Map, b: &Map) -> Result<()> {
    if a.same_as(b) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what}: the vectors are on different maps ({a} and {b})"
        )))
    }
}

/// `sum(f(a[i], b[i]))` with eight independent accumulators over exact chunks (no bounds
/// checks), so that it vectorizes and pipelines.
#[inline]
fn sum8(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            acc[j] += f(x[j], y[j]);
        }
    }
    let mut s = 0.0;
    for (&x, &y) in ra.iter().zip(rb) {
        s += f(x, y);
    }
    let a = (acc[0] + acc[4]) + (acc[1] + acc[5]) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    a + s
}

pub(crate) fn dot_local(a: &[f64], b: &[f64]) -> f64 {
    sum8(a, b, |x, y| x * y)
}

/// Collective: agree on `what` (with the map's signature) and all-reduce `vals` with `op`, in
/// one allreduce ([`comm::fused::agree_reduce`]).
fn reduce(map: &Map, what: &str, local: Result<()>, vals: &mut [f64], op: Reduce) -> Result<()> {
    comm::fused::agree_reduce(
        map.comm(),
        what,
        local,
        Some(&format!("{what} {:x}", map.signature())),
        op,
        vals,
    )
}

impl DistVector {
    /// A vector of zeros on `map` (local, no communication).
    pub fn new(map: &Map) -> DistVector {
        DistVector {
            map: map.clone(),
            data: Values::zeroed(map.local_len()),
        }
    }

    /// A vector on `map` whose local part is `values` (one per local element; local check).
    pub fn from_local(map: &Map, values: Vec<f64>) -> Result<DistVector> {
        if values.len() != map.local_len() {
            return Err(Error::Shape(format!(
                "DistVector::from_local: {} values for {} local elements of {map}",
                values.len(),
                map.local_len()
            )));
        }
        Ok(DistVector {
            map: map.clone(),
            data: Values::from_vec(values),
        })
    }

    /// The map.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// The number of local elements.
    pub fn local_len(&self) -> usize {
        self.data.len()
    }

    /// The local part, as an `ndarray` view (no copy).
    pub fn local(&self) -> ArrayView1<'_, f64> {
        ArrayView1::from(&self.data[..])
    }

    /// The local part, as a mutable `ndarray` view (no copy).
    pub fn local_mut(&mut self) -> ArrayViewMut1<'_, f64> {
        ArrayViewMut1::from(&mut self.data[..])
    }

    /// The local part as a slice.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The local part as a mutable slice (its pointer stays valid as long as the vector).
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The value of global id `gid` if this rank holds it.
    pub fn get(&self, gid: Gid) -> Option<f64> {
        self.map.lid(gid).map(|l| self.data[l])
    }

    /// Every local value becomes `v`.
    pub fn fill(&mut self, v: f64) {
        self.data.fill(v);
    }

    /// `self = a * self`.
    pub fn scale(&mut self, a: f64) {
        for v in &mut self.data {
            *v *= a;
        }
    }

    /// `self = self + a * x`.
    pub fn axpy(&mut self, a: f64, x: &DistVector) -> Result<()> {
        check_same("axpy", &self.map, &x.map)?;
        for (y, &x) in self.data.iter_mut().zip(&x.data) {
            *y += a * x;
        }
        Ok(())
    }

    /// `self = a * x + b * self`.
    pub fn axpby(&mut self, a: f64, x: &DistVector, b: f64) -> Result<()> {
        check_same("axpby", &self.map, &x.map)?;
        for (y, &x) in self.data.iter_mut().zip(&x.data) {
            *y = a * x + b * *y;
        }
        Ok(())
    }

    /// `self = self .* x`, element by element.
    pub fn multiply(&mut self, x: &DistVector) -> Result<()> {
        check_same("multiply", &self.map, &x.map)?;
        for (y, &x) in self.data.iter_mut().zip(&x.data) {
            *y *= x;
        }
        Ok(())
    }

    /// `self = self ./ x`, element by element (a zero of `x` gives an infinity or NaN, as in
    /// IEEE arithmetic).
    pub fn divide(&mut self, x: &DistVector) -> Result<()> {
        check_same("divide", &self.map, &x.map)?;
        for (y, &x) in self.data.iter_mut().zip(&x.data) {
            *y /= x;
        }
        Ok(())
    }

    /// `self = x` (values copied; the maps must be the same).
    pub fn assign(&mut self, x: &DistVector) -> Result<()> {
        check_same("assign", &self.map, &x.map)?;
        self.data.copy_from_slice(&x.data);
        Ok(())
    }

    /// Collective: the dot product (over all local elements of all ranks; a gid held by two
    /// ranks counts twice, as in Epetra).
    pub fn dot(&self, x: &DistVector) -> Result<f64> {
        let local = check_same("dot", &self.map, &x.map);
        let mut v = [if local.is_ok() {
            dot_local(&self.data, &x.data)
        } else {
            0.0
        }];
        reduce(&self.map, "dot", local, &mut v, Reduce::Sum)?;
        Ok(v[0])
    }

    /// Collective: the sum of absolute values.
    pub fn norm1(&self) -> Result<f64> {
        let d = &self.data;
        let mut v = [sum8(d, d, |x, _| x.abs())];
        reduce(&self.map, "norm1", Ok(()), &mut v, Reduce::Sum)?;
        Ok(v[0])
    }

    /// Collective: the Euclidean norm.
    pub fn norm2(&self) -> Result<f64> {
        let mut v = [dot_local(&self.data, &self.data)];
        reduce(&self.map, "norm2", Ok(()), &mut v, Reduce::Sum)?;
        Ok(v[0].sqrt())
    }

    /// Collective: the largest absolute value (0 for an empty vector).
    pub fn norm_inf(&self) -> Result<f64> {
        let mut v = [self.data.iter().fold(0.0f64, |m, x| m.max(x.abs()))];
        reduce(&self.map, "norm_inf", Ok(()), &mut v, Reduce::Max)?;
        Ok(v[0])
    }

    /// Collective: the sum of all values.
    pub fn sum(&self) -> Result<f64> {
        let d = &self.data;
        let mut v = [sum8(d, d, |x, _| x)];
        reduce(&self.map, "sum", Ok(()), &mut v, Reduce::Sum)?;
        Ok(v[0])
    }

    /// Collective: the mean of all values (the sum over the map's global length; NaN when the
    /// map is empty).
    pub fn mean(&self) -> Result<f64> {
        Ok(self.sum()? / self.map.global_len() as f64)
    }

    /// Collective: the largest value and the smallest gid where it occurs (Epetra's
    /// `MaxValue`, with its place). An error on every rank for an empty map.
    pub fn max_loc(&self) -> Result<(f64, Gid)> {
        self.extreme_loc("max_loc", true)
    }

    /// Collective: the smallest value and the smallest gid where it occurs.
    pub fn min_loc(&self) -> Result<(f64, Gid)> {
        self.extreme_loc("min_loc", false)
    }

    /// Collective: the largest value (Epetra's `MaxValue`).
    pub fn max_value(&self) -> Result<f64> {
        Ok(self.max_loc()?.0)
    }

    /// Collective: the smallest value (Epetra's `MinValue`).
    pub fn min_value(&self) -> Result<f64> {
        Ok(self.min_loc()?.0)
    }

    fn extreme_loc(&self, what: &str, max: bool) -> Result<(f64, Gid)> {
        let local = if self.map.global_len() == 0 {
            Err(Error::Invalid(format!(
                "{what}: the map {} is empty",
                self.map
            )))
        } else {
            Ok(())
        };
        let sign = if max { 1.0 } else { -1.0 };
        // The local best (NaN never wins) and the smallest gid where it occurs.
        let mut best = f64::NEG_INFINITY;
        let mut place = f64::INFINITY;
        for (l, &x) in self.data.iter().enumerate() {
            let g = self.map.gid(l).map_or(f64::INFINITY, |g| g as f64);
            if sign * x > best || (sign * x == best && g < place) {
                best = sign * x;
                place = g;
            }
        }
        let mut v = [best, place];
        reduce(&self.map, what, local, &mut v, Reduce::MaxLoc)?;
        Ok((sign * v[0], v[1] as Gid))
    }
}

impl Distributed for DistVector {
    fn map(&self) -> &Map {
        &self.map
    }
    fn width(&self) -> usize {
        1
    }
    fn values(&self) -> &[f64] {
        &self.data
    }
    fn values_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }
}

impl MultiVector {
    /// A multivector of `k` columns of zeros on `map`.
    pub fn new(map: &Map, k: usize) -> MultiVector {
        MultiVector {
            map: map.clone(),
            k,
            data: Values::zeroed(map.local_len() * k),
        }
    }

    /// A multivector whose local part is `values` (`n_local * k`, element after element).
    pub fn from_local(map: &Map, k: usize, values: Vec<f64>) -> Result<MultiVector> {
        if values.len() != map.local_len() * k {
            return Err(Error::Shape(format!(
                "MultiVector::from_local: {} values for {} local elements x {k} columns of {map}",
                values.len(),
                map.local_len()
            )));
        }
        Ok(MultiVector {
            map: map.clone(),
            k,
            data: Values::from_vec(values),
        })
    }

    /// The map.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// The number of columns.
    pub fn num_vectors(&self) -> usize {
        self.k
    }

    /// The local part, an `n_local x k` view (no copy).
    pub fn local(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.map.local_len(), self.k), &self.data[..])
            .expect("the buffer has n_local * k values")
    }

    /// The local part, mutable.
    pub fn local_mut(&mut self) -> ArrayViewMut2<'_, f64> {
        ArrayViewMut2::from_shape((self.map.local_len(), self.k), &mut self.data[..])
            .expect("the buffer has n_local * k values")
    }

    /// The local values, element after element.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The local values, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Every value becomes `v`.
    pub fn fill(&mut self, v: f64) {
        self.data.fill(v);
    }

    /// Every value is multiplied by `a`.
    pub fn scale(&mut self, a: f64) {
        for v in &mut self.data {
            *v *= a;
        }
    }

    /// Column `j` as a vector (a copy).
    pub fn column(&self, j: usize) -> Result<DistVector> {
        if j >= self.k {
            return Err(Error::Invalid(format!(
                "MultiVector::column: column {j} of a multivector of {} columns",
                self.k
            )));
        }
        DistVector::from_local(
            &self.map,
            self.data.iter().skip(j).step_by(self.k).copied().collect(),
        )
    }

    /// Collective: the dot products of the columns of `self` and `x`, column by column.
    pub fn dot(&self, x: &MultiVector) -> Result<Vec<f64>> {
        let mut local = check_same("MultiVector::dot", &self.map, &x.map);
        if local.is_ok() && x.k != self.k {
            local = Err(Error::Shape(format!(
                "MultiVector::dot: {} and {} columns",
                self.k, x.k
            )));
        }
        let mut v = vec![0.0; self.k];
        if local.is_ok() {
            for (a, b) in self
                .data
                .chunks_exact(self.k)
                .zip(x.data.chunks_exact(self.k))
            {
                for j in 0..self.k {
                    v[j] += a[j] * b[j];
                }
            }
        }
        reduce(&self.map, "MultiVector::dot", local, &mut v, Reduce::Sum)?;
        Ok(v)
    }

    /// Collective: the Euclidean norm of each column.
    pub fn norm2(&self) -> Result<Vec<f64>> {
        let mut v = vec![0.0; self.k];
        for a in self.data.chunks_exact(self.k.max(1)) {
            for j in 0..self.k {
                v[j] += a[j] * a[j];
            }
        }
        reduce(&self.map, "MultiVector::norm2", Ok(()), &mut v, Reduce::Sum)?;
        Ok(v.into_iter().map(f64::sqrt).collect())
    }
}

impl Distributed for MultiVector {
    fn map(&self) -> &Map {
        &self.map
    }
    fn width(&self) -> usize {
        self.k
    }
    fn values(&self) -> &[f64] {
        &self.data
    }
    fn values_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn unrolled_dot_matches_serial(a in proptest::collection::vec(-10.0f64..10.0, 0..50)) {
            let b: Vec<f64> = a.iter().map(|x| x * 0.5 + 1.0).collect();
            let serial: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            prop_assert!((dot_local(&a, &b) - serial).abs() < 1e-9 * (1.0 + serial.abs()));
        }
    }
}

/// The local values of a vector: zeroed ones start on a page when large (as the arrays h5par
/// allocates for reads, [`crate::io::buffer`]: the kernel's copy from the page cache into a
/// buffer 16 bytes past a page, where malloc puts large blocks, is ~3x slower on some CPUs),
/// carved out of a `Vec` with a page of slack; values given by the caller stay where they are.
#[derive(Debug)]
struct Values {
    buf: Vec<f64>,
    off: usize,
    len: usize,
}

/// From this many bytes on, zeroed values start on a page (a page of slack is then cheap).
const ALIGN_FROM: usize = 1 << 20;

/// From this many bytes on, zeroed values ask for transparent huge pages.
const HUGE_FROM: usize = 8 << 20;

/// The huge page size of x86-64 and aarch64 (4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// `len` zeros (untouched pages from the allocator, as `vec![0.0; len]`) that, when large, ask
/// the kernel for transparent huge pages (`madvise(MADV_HUGEPAGE)` on the 2 MiB-aligned part,
/// before the first touch). The values of a large vector are reached in random order by
/// Export/Import and the HDF5 redistribution of a permuted map (the pixels of a sky map, the
/// gids of a permutation): with 4 KiB pages nearly every such access also misses the TLB.
/// Where the kernel has no THP (or it is `never`), this is the plain allocation.
pub(crate) fn zeroed_values(len: usize) -> Vec<f64> {
    let v = vec![0.0; len];
    let bytes = std::mem::size_of_val(&v[..]);
    if bytes >= HUGE_FROM {
        let start = (v.as_ptr() as usize).next_multiple_of(HUGE_PAGE);
        let end = (v.as_ptr() as usize + bytes) & !(HUGE_PAGE - 1);
        if end > start {
            // SAFETY: [start, end) lies inside `v`'s allocation; the advice changes how its
            // pages are backed, never their contents. A refusal (no THP) is harmless.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    v
}

impl Values {
    fn zeroed(len: usize) -> Values {
        let slack = crate::io::buffer::PAGE / 8;
        if len * 8 < ALIGN_FROM {
            return Values::from_vec(vec![0.0; len]);
        }
        let buf = zeroed_values(len + slack);
        let off = crate::io::buffer::skip_to_page(buf.as_ptr() as usize, 8);
        Values { buf, off, len }
    }

    fn from_vec(buf: Vec<f64>) -> Values {
        let len = buf.len();
        Values { buf, off: 0, len }
    }
}

impl Clone for Values {
    fn clone(&self) -> Values {
        let mut v = Values::zeroed(self.len);
        v.copy_from_slice(self);
        v
    }
}

impl std::ops::Deref for Values {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.buf[self.off..self.off + self.len]
    }
}

impl std::ops::DerefMut for Values {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.buf[self.off..self.off + self.len]
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Values {
    type Item = &'a mut f64;
    type IntoIter = std::slice::IterMut<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

#[cfg(test)]
mod values_tests {
    use super::*;

    #[test]
    fn large_zeroed_values_start_on_a_page_and_clones_too() {
        for len in [ALIGN_FROM / 8, ALIGN_FROM / 8 + 3, 5_000_000] {
            let mut v = Values::zeroed(len);
            assert_eq!(v.len(), len);
            assert!(crate::io::buffer::is_page_aligned(v.as_ptr()), "{len}");
            assert!(v.iter().all(|&x| x == 0.0));
            v[len - 1] = 7.0;
            let c = v.clone();
            assert!(crate::io::buffer::is_page_aligned(c.as_ptr()));
            assert_eq!(&c[..], &v[..]);
        }
        // Huge-page advice (16 MB here) keeps the values zero and the length.
        let big = zeroed_values(2 << 20);
        assert_eq!(big.len(), 2 << 20);
        assert!(big.iter().all(|&x| x == 0.0));
        assert!(zeroed_values(0).is_empty());
        let small = Values::zeroed(10);
        assert_eq!(small.len(), 10);
        let given = Values::from_vec(vec![1.0, 2.0]);
        assert_eq!(&given[..], &[1.0, 2.0]);
    }
}
