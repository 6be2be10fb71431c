//! The C ABI of distributed vectors (`h5par_map_*`, `h5par_vector_*`, `h5par_plan_*`,
//! `h5par_matrix_*`, `h5par_cg`): conversions of C arguments and calls of `h5par::vector`.
//!
//! Handles of this layer live in their own registry (tokens of another range than files and
//! datasets), reached while the file registry's lock is held, so calls still run one at a time.
//! That lock is taken like every call of the C border takes it ([`enter`]): never waited for,
//! so a call made while another thread of the process is inside h5par fails at once, on every
//! rank when it is collective (this rank takes part in the call's agreement on the map's
//! communicator with that failure). Collective calls check their C arguments on each rank and
//! agree on the outcome across the ranks of the map's communicator (with the shape of the
//! vector layer's agreements, `h5par::comm::fused`) before calling the core.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{c_char, c_double, c_int, c_void};
use std::sync::Mutex;

use h5par::vector::{
    self, cg, CgOptions, CgOutcome, CombineMode, CsrMatrix, DistVector, Export, Import,
    LinearOperator, Map, Plan,
};
use h5par::{Error, Result};
use mpi_sys::MPI_Comm;
use mpi_sys::RSMPI_Fint as MPI_Fint;

use mpi::raw::AsRaw;

use crate::args::{busy_collective, mpi_ready, text};
use crate::handles::{enter, file_token, h5par_file, set_comm_of, CommOf};
use crate::status::{guard, invalid, last_error_text};

/// What C sees of a map: `h5par_map *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_map {
    _private: [u8; 0],
}

/// What C sees of a distributed vector: `h5par_vector *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_vector {
    _private: [u8; 0],
}

/// What C sees of an Export or Import plan: `h5par_plan *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_plan {
    _private: [u8; 0],
}

/// What C sees of a CSR matrix: `h5par_matrix *` (opaque).
#[allow(non_camel_case_types)]
pub struct h5par_matrix {
    _private: [u8; 0],
}

enum Entry {
    Map(Map),
    Vector(RefCell<DistVector>),
    Plan(Box<Plan>),
    Matrix(Box<RefCell<CsrMatrix>>),
}

impl Entry {
    fn kind(&self) -> &'static str {
        match self {
            Entry::Map(_) => "map",
            Entry::Vector(_) => "vector",
            Entry::Plan(_) => "plan",
            Entry::Matrix(_) => "matrix",
        }
    }
}

struct Vectors {
    next: usize,
    live: BTreeMap<usize, Entry>,
}

// SAFETY: the entries hold `Rc`s and MPI communicators, used only while this mutex (and the
// file registry's) is held, so no two threads touch them at once.
unsafe impl Send for Vectors {}

/// Tokens of this registry: another range than files' and datasets', never reused.
static VECTORS: Mutex<Vectors> = Mutex::new(Vectors {
    next: 0x5645_0010,
    live: BTreeMap::new(),
});

/// Runs the call `func` with this layer's registry, entered like every call of the C border
/// ([`enter`]: the file registry's lock, never waited for, so that no thread waits for another
/// that holds it across an agreement). While another thread of this process is inside h5par,
/// a local call (`on` is `None`) fails at once on this rank; a collective one on the
/// communicator of the handle `on` fails on every rank: this rank takes part in the call's
/// agreement with that failure ([`busy_collective`]).
fn with_vectors<T>(
    func: &'static str,
    on: Option<usize>,
    f: impl FnOnce(&mut Vectors) -> Result<T>,
) -> Result<T> {
    let _files = match enter(func) {
        Ok(held) => held,
        Err(busy) => return Err(on.map_or(busy.clone(), |t| busy_collective(t, func, busy))),
    };
    // Only ever taken with the file registry's lock held: never waits.
    let mut v = VECTORS.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut v)
}

impl Vectors {
    fn insert(&mut self, e: Entry) -> usize {
        while self.next == 0 || self.live.contains_key(&self.next) {
            self.next = self.next.wrapping_add(0x10);
        }
        let t = self.next;
        self.next = self.next.wrapping_add(0x10);
        // The map's communicator, for a collective call refused because another thread is
        // inside h5par (see `with_vectors`); it lives as long as the entry.
        let comm = match &e {
            Entry::Map(m) => m.comm().as_raw(),
            Entry::Vector(v) => v.borrow().map().comm().as_raw(),
            Entry::Plan(p) => p.source().comm().as_raw(),
            Entry::Matrix(m) => m.borrow().row_map().comm().as_raw(),
        };
        set_comm_of(
            t,
            Some(CommOf {
                comm,
                name: format!("h5par_{} {t:#x}", e.kind()),
                fused: true,
            }),
        );
        self.live.insert(t, e);
        t
    }

    fn get(&self, token: usize, kind: &str) -> Result<&Entry> {
        match self.live.get(&token) {
            Some(e) if e.kind() == kind => Ok(e),
            _ if token == 0 => Err(Error::Handle(format!("the {kind} handle is NULL"))),
            Some(e) => Err(Error::Handle(format!(
                "{token:#x} is an h5par_{} handle, not an h5par_{kind} handle",
                e.kind()
            ))),
            None => Err(Error::Handle(format!(
                "{token:#x} is not a live h5par_{kind} handle (freed already, or not from h5par)"
            ))),
        }
    }

    fn map(&self, p: *const h5par_map) -> Result<&Map> {
        match self.get(p as usize, "map")? {
            Entry::Map(m) => Ok(m),
            _ => Err(Error::Internal("map entry".into())),
        }
    }

    fn vector(&self, p: *const h5par_vector) -> Result<&RefCell<DistVector>> {
        match self.get(p as usize, "vector")? {
            Entry::Vector(v) => Ok(v),
            _ => Err(Error::Internal("vector entry".into())),
        }
    }

    fn plan(&self, p: *const h5par_plan) -> Result<&Plan> {
        match self.get(p as usize, "plan")? {
            Entry::Plan(v) => Ok(v),
            _ => Err(Error::Internal("plan entry".into())),
        }
    }

    fn matrix(&self, p: *const h5par_matrix) -> Result<&RefCell<CsrMatrix>> {
        match self.get(p as usize, "matrix")? {
            Entry::Matrix(v) => Ok(v),
            _ => Err(Error::Internal("matrix entry".into())),
        }
    }

    fn free(&mut self, token: usize, kind: &str) -> Result<()> {
        if token == 0 {
            return Ok(());
        }
        self.get(token, kind)?;
        set_comm_of(token, None);
        self.live.remove(&token);
        Ok(())
    }
}

fn borrow<'a>(v: &'a RefCell<DistVector>, what: &str) -> Result<std::cell::Ref<'a, DistVector>> {
    v.try_borrow()
        .map_err(|_| invalid(format!("{what}: the same vector is passed twice")))
}

fn borrow_mut<'a>(
    v: &'a RefCell<DistVector>,
    what: &str,
) -> Result<std::cell::RefMut<'a, DistVector>> {
    v.try_borrow_mut()
        .map_err(|_| invalid(format!("{what}: the same vector is passed twice")))
}

/// Writes `value` to `out` (an error if NULL).
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn put<T>(out: *mut T, value: T, what: &str) -> Result<()> {
    if out.is_null() {
        return Err(invalid(format!("{what} is NULL")));
    }
    // SAFETY: non-NULL and writable (caller).
    unsafe { *out = value };
    Ok(())
}

/// Clears `*out` (when not NULL), then checks it.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn clear_out<T>(out: *mut *mut T) -> Result<()> {
    if out.is_null() {
        return Err(invalid("out is NULL"));
    }
    // SAFETY: non-NULL and writable (caller).
    unsafe { *out = std::ptr::null_mut() };
    Ok(())
}

/// Builds a map on the caller's `comm` with `make`, after agreeing on the local checks (and on
/// whether this thread could enter h5par: see `with_vectors`).
///
/// # Safety
/// `comm` as for `h5par_file_create`; `out` NULL or writable.
unsafe fn new_map(
    func: &'static str,
    comm: MPI_Comm,
    out: *mut *mut h5par_map,
    local: Result<()>,
    make: impl FnOnce(&mpi::topology::SimpleCommunicator) -> Result<Map>,
) -> Result<()> {
    // SAFETY: as documented (caller).
    let outcheck = unsafe { clear_out(out) };
    // SAFETY: the caller's communicator.
    let c = unsafe { crate::file::caller_comm(comm) }?;
    let held = enter(func);
    // Agreed on the caller's communicator first; the core's map duplicates it.
    let local = held.and_then(|h| local.and(outcheck).map(|()| h));
    let _files = h5par::comm::agree_value(&*c, "h5par_map", local)?;
    let mut reg = VECTORS.lock().unwrap_or_else(|p| p.into_inner());
    let m = make(&c)?;
    let t = reg.insert(Entry::Map(m));
    // SAFETY: checked non-NULL above.
    unsafe { *out = t as *mut h5par_map };
    Ok(())
}

/// Collective on `comm`: Epetra's linear map of `n` elements (the first `n mod P` ranks hold
/// one more). Every rank passes the same `n`.
#[no_mangle]
pub unsafe extern "C" fn h5par_map_block(
    comm: MPI_Comm,
    n: i64,
    out: *mut *mut h5par_map,
) -> c_int {
    guard("h5par_map_block", || {
        let local = if n < 0 {
            Err(invalid(format!("n {n} is negative")))
        } else {
            Ok(())
        };
        // SAFETY: as documented.
        unsafe {
            new_map("h5par_map_block", comm, out, local, |c| {
                Map::block(c, n.max(0) as u64)
            })
        }
    })
}

/// Collective on `comm`: a contiguous map in which this rank holds `n_local` elements (0 is
/// allowed) after those of the lower ranks.
#[no_mangle]
pub unsafe extern "C" fn h5par_map_contiguous(
    comm: MPI_Comm,
    n_local: i64,
    out: *mut *mut h5par_map,
) -> c_int {
    guard("h5par_map_contiguous", || {
        let local = if n_local < 0 {
            Err(invalid(format!("n_local {n_local} is negative")))
        } else {
            Ok(())
        };
        // SAFETY: as documented.
        unsafe {
            new_map("h5par_map_contiguous", comm, out, local, |c| {
                Map::contiguous(c, n_local.max(0) as u64)
            })
        }
    })
}

/// Collective on `comm`: a map in which this rank holds the `n` global ids `gids`, in that
/// order (`gids` may be NULL when `n` is 0). Ranks may share gids; a rank may not list one twice.
#[no_mangle]
pub unsafe extern "C" fn h5par_map_arbitrary(
    comm: MPI_Comm,
    gids: *const i64,
    n: i64,
    out: *mut *mut h5par_map,
) -> c_int {
    guard("h5par_map_arbitrary", || {
        let (local, list) = if n < 0 {
            (Err(invalid(format!("n {n} is negative"))), Vec::new())
        } else if n > 0 && gids.is_null() {
            (Err(invalid("gids is NULL")), Vec::new())
        } else if n == 0 {
            (Ok(()), Vec::new())
        } else {
            // SAFETY: `n` readable values (caller).
            (
                Ok(()),
                unsafe { std::slice::from_raw_parts(gids, n as usize) }.to_vec(),
            )
        };
        // SAFETY: as documented.
        unsafe {
            new_map("h5par_map_arbitrary", comm, out, local, |c| {
                Map::arbitrary(c, &list)
            })
        }
    })
}

/// `h5par_map_block` with a Fortran communicator (used by the Fortran module).
#[no_mangle]
pub unsafe extern "C" fn h5par_map_block_f2c(
    comm: MPI_Fint,
    n: i64,
    out: *mut *mut h5par_map,
) -> c_int {
    match mpi_ready() {
        // SAFETY: MPI is running; as documented.
        Ok(()) => unsafe { h5par_map_block(mpi_sys::RSMPI_Comm_f2c(comm), n, out) },
        Err(e) => guard("h5par_map_block", || Err(e)),
    }
}

/// `h5par_map_arbitrary` with a Fortran communicator (used by the Fortran module).
#[no_mangle]
pub unsafe extern "C" fn h5par_map_arbitrary_f2c(
    comm: MPI_Fint,
    gids: *const i64,
    n: i64,
    out: *mut *mut h5par_map,
) -> c_int {
    match mpi_ready() {
        // SAFETY: MPI is running; as documented.
        Ok(()) => unsafe { h5par_map_arbitrary(mpi_sys::RSMPI_Comm_f2c(comm), gids, n, out) },
        Err(e) => guard("h5par_map_arbitrary", || Err(e)),
    }
}

/// Local: the map's sizes: this rank's number of elements, the global number (a gid on two
/// ranks counts twice), the number of distinct gids, and whether it is one-to-one (1 or 0).
/// Any output pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn h5par_map_info(
    map: *const h5par_map,
    local_len: *mut i64,
    global_len: *mut i64,
    distinct_len: *mut i64,
    one_to_one: *mut c_int,
) -> c_int {
    guard("h5par_map_info", || {
        with_vectors("h5par_map_info", None, |reg| {
            let m = reg.map(map)?;
            // SAFETY: NULL or writable (caller).
            unsafe {
                for (p, v) in [
                    (local_len, m.local_len() as i64),
                    (global_len, m.global_len() as i64),
                    (distinct_len, m.distinct_len() as i64),
                ] {
                    if !p.is_null() {
                        *p = v;
                    }
                }
                if !one_to_one.is_null() {
                    *one_to_one = m.is_one_to_one() as c_int;
                }
            }
            Ok(())
        })
    })
}

/// Local: copies this rank's gids (in local order) into `gids`, which has room for `capacity`;
/// `*n` is set to their number (also when `capacity` is too small: then H5PAR_ERR_INVALID).
#[no_mangle]
pub unsafe extern "C" fn h5par_map_gids(
    map: *const h5par_map,
    gids: *mut i64,
    capacity: i64,
    n: *mut i64,
) -> c_int {
    guard("h5par_map_gids", || {
        with_vectors("h5par_map_gids", None, |reg| {
            let m = reg.map(map)?;
            let mine = m.my_gids();
            // SAFETY: as documented.
            unsafe { put(n, mine.len() as i64, "n")? };
            if (capacity.max(0) as usize) < mine.len() || (gids.is_null() && !mine.is_empty()) {
                return Err(invalid(format!(
                    "gids has room for {capacity}, the map holds {} here",
                    mine.len()
                )));
            }
            if !mine.is_empty() {
                // SAFETY: room for `capacity` values (caller).
                unsafe { std::ptr::copy_nonoverlapping(mine.as_ptr(), gids, mine.len()) };
            }
            Ok(())
        })
    })
}

/// Local: frees a map handle (NULL is a no-op). Vectors, plans and matrices on it stay valid.
#[no_mangle]
pub unsafe extern "C" fn h5par_map_free(map: *mut h5par_map) -> c_int {
    guard("h5par_map_free", || {
        with_vectors("h5par_map_free", None, |reg| reg.free(map as usize, "map"))
    })
}

/// Local: a new vector of zeros on `map`.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_create(
    map: *const h5par_map,
    out: *mut *mut h5par_vector,
) -> c_int {
    guard("h5par_vector_create", || {
        // SAFETY: as documented.
        unsafe { clear_out(out)? };
        with_vectors("h5par_vector_create", None, |reg| {
            let v = DistVector::new(reg.map(map)?);
            let t = reg.insert(Entry::Vector(RefCell::new(v)));
            // SAFETY: checked above.
            unsafe { *out = t as *mut h5par_vector };
            Ok(())
        })
    })
}

/// Local: `*data` points to this rank's values (`*len` of them, in the map's local order),
/// valid until the vector is freed; reading and writing through it is reading and writing the
/// vector (no copy).
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_data(
    vec: *mut h5par_vector,
    data: *mut *mut c_double,
    len: *mut i64,
) -> c_int {
    guard("h5par_vector_data", || {
        with_vectors("h5par_vector_data", None, |reg| {
            let mut v = borrow_mut(reg.vector(vec)?, "h5par_vector_data")?;
            let s = v.as_mut_slice();
            // SAFETY: as documented.
            unsafe {
                put(len, s.len() as i64, "len")?;
                put(data, s.as_mut_ptr(), "data")?;
            }
            Ok(())
        })
    })
}

/// Local: frees a vector handle (NULL is a no-op); its data pointer dies with it.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_free(vec: *mut h5par_vector) -> c_int {
    guard("h5par_vector_free", || {
        with_vectors("h5par_vector_free", None, |reg| {
            reg.free(vec as usize, "vector")
        })
    })
}

/// Local: every value of `vec` becomes `value`.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_fill(vec: *mut h5par_vector, value: c_double) -> c_int {
    guard("h5par_vector_fill", || {
        with_vectors("h5par_vector_fill", None, |reg| {
            borrow_mut(reg.vector(vec)?, "fill")?.fill(value);
            Ok(())
        })
    })
}

/// Local: `y = a * x + b * y` (`x` and `y` on the same map: otherwise H5PAR_ERR_INVALID on
/// every rank). `b = 1` is axpy, `a = 0` scales `y` (then `x` may be `y`).
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_axpby(
    y: *mut h5par_vector,
    a: c_double,
    x: *const h5par_vector,
    b: c_double,
) -> c_int {
    guard("h5par_vector_axpby", || {
        with_vectors("h5par_vector_axpby", None, |reg| {
            if a == 0.0 && std::ptr::eq(x as *const u8, y as *const u8) {
                borrow_mut(reg.vector(y)?, "axpby")?.scale(b);
                return Ok(());
            }
            let xv = borrow(reg.vector(x)?, "axpby")?;
            borrow_mut(reg.vector(y)?, "axpby")?.axpby(a, &xv, b)
        })
    })
}

/// Local: `y = y .* x` element by element.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_multiply(
    y: *mut h5par_vector,
    x: *const h5par_vector,
) -> c_int {
    guard("h5par_vector_multiply", || {
        with_vectors("h5par_vector_multiply", None, |reg| {
            let xv = borrow(reg.vector(x)?, "multiply")?;
            borrow_mut(reg.vector(y)?, "multiply")?.multiply(&xv)
        })
    })
}

/// Collective: `*out = x . y` (`x` may be `y`).
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_dot(
    x: *const h5par_vector,
    y: *const h5par_vector,
    out: *mut c_double,
) -> c_int {
    guard("h5par_vector_dot", || {
        with_vectors("h5par_vector_dot", Some(x as usize), |reg| {
            let xv = borrow(reg.vector(x)?, "dot")?;
            let yv = reg.vector(y)?.borrow();
            let d = xv.dot(&yv)?;
            // SAFETY: as documented.
            unsafe { put(out, d, "out") }
        })
    })
}

/// The reductions of `h5par_vector_reduce`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum h5par_reduction {
    /// The sum of absolute values.
    H5PAR_NORM1,
    /// The Euclidean norm.
    H5PAR_NORM2,
    /// The largest absolute value.
    H5PAR_NORMINF,
    /// The sum.
    H5PAR_SUM,
    /// The mean.
    H5PAR_MEAN,
    /// The largest value (its smallest gid in `*gid`).
    H5PAR_MAX,
    /// The smallest value (its smallest gid in `*gid`).
    H5PAR_MIN,
}

/// Collective: `*out` is the reduction `what` (an `h5par_reduction`) of `vec`; for H5PAR_MAX
/// and H5PAR_MIN, `*gid` (when not NULL) is the smallest gid where it occurs.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_reduce(
    vec: *const h5par_vector,
    what: c_int,
    out: *mut c_double,
    gid: *mut i64,
) -> c_int {
    guard("h5par_vector_reduce", || {
        with_vectors("h5par_vector_reduce", Some(vec as usize), |reg| {
            let v = reg.vector(vec)?.borrow();
            // A bad code is agreed on (an error on every rank), as a reduction would be.
            let (value, at) = match what {
                0 => (v.norm1()?, -1),
                1 => (v.norm2()?, -1),
                2 => (v.norm_inf()?, -1),
                3 => (v.sum()?, -1),
                4 => (v.mean()?, -1),
                5 => v.max_loc()?,
                6 => v.min_loc()?,
                _ => {
                    let e = Err(invalid(format!(
                        "what {what} is not an h5par_reduction (0 to 6)"
                    )));
                    return h5par::comm::fused::agree(
                        v.map().comm(),
                        "h5par_vector_reduce",
                        e,
                        None,
                    );
                }
            };
            // SAFETY: as documented.
            unsafe {
                put(out, value, "out")?;
                if !gid.is_null() {
                    *gid = at;
                }
            }
            Ok(())
        })
    })
}

/// Collective on the maps' communicator: an Export plan (`import` 0: every source element goes
/// to every target element of its gid) or an Import plan (`import` 1: every target element
/// receives from one source element of its gid) from `source` to `target`.
#[no_mangle]
pub unsafe extern "C" fn h5par_plan_create(
    source: *const h5par_map,
    target: *const h5par_map,
    import: c_int,
    out: *mut *mut h5par_plan,
) -> c_int {
    guard("h5par_plan_create", || {
        // SAFETY: as documented.
        let outcheck = unsafe { clear_out(out) };
        with_vectors("h5par_plan_create", Some(source as usize), |reg| {
            let (s, t) = (reg.map(source)?.clone(), reg.map(target)?.clone());
            let local = outcheck.and(if import == 0 || import == 1 {
                Ok(())
            } else {
                Err(invalid(format!("import {import} is neither 0 nor 1")))
            });
            h5par::comm::fused::agree(s.comm(), "h5par_plan_create", local, None)?;
            let plan = if import == 1 {
                Import::import(&s, &t)?
            } else {
                Export::export(&s, &t)?
            };
            let tok = reg.insert(Entry::Plan(Box::new(plan)));
            // SAFETY: checked above.
            unsafe { *out = tok as *mut h5par_plan };
            Ok(())
        })
    })
}

/// Collective: combines `from` into `into` with `mode` (0 insert, 1 add, 2 average (the mean of
/// all contributions), 3 absmax, 4 max, 5 min, 6 zero): forward (`reverse` 0: `from` on the
/// plan's source map, `into` on its target) or in reverse (`reverse` 1).
#[no_mangle]
pub unsafe extern "C" fn h5par_plan_apply(
    plan: *const h5par_plan,
    from: *const h5par_vector,
    into: *mut h5par_vector,
    mode: c_int,
    reverse: c_int,
) -> c_int {
    guard("h5par_plan_apply", || {
        with_vectors("h5par_plan_apply", Some(plan as usize), |reg| {
            let p = reg.plan(plan)?;
            let x = borrow(reg.vector(from)?, "h5par_plan_apply")?;
            let mut y = borrow_mut(reg.vector(into)?, "h5par_plan_apply")?;
            let m = CombineMode::from_code(mode);
            let local = m.as_ref().map(|_| ()).map_err(Clone::clone);
            h5par::comm::fused::agree(p.source().comm(), "h5par_plan_apply", local, None)?;
            let m = m?;
            if reverse != 0 {
                p.reverse(&*x, &mut *y, m)
            } else {
                p.forward(&*x, &mut *y, m)
            }
        })
    })
}

/// Local: frees a plan handle (NULL is a no-op).
#[no_mangle]
pub unsafe extern "C" fn h5par_plan_free(plan: *mut h5par_plan) -> c_int {
    guard("h5par_plan_free", || {
        with_vectors("h5par_plan_free", None, |reg| {
            reg.free(plan as usize, "plan")
        })
    })
}

/// Local: a new, empty CSR matrix whose rows are distributed by the one-to-one `row_map`.
#[no_mangle]
pub unsafe extern "C" fn h5par_matrix_create(
    row_map: *const h5par_map,
    out: *mut *mut h5par_matrix,
) -> c_int {
    guard("h5par_matrix_create", || {
        // SAFETY: as documented.
        unsafe { clear_out(out)? };
        with_vectors("h5par_matrix_create", None, |reg| {
            let m = CsrMatrix::new(reg.map(row_map)?)?;
            let t = reg.insert(Entry::Matrix(Box::new(RefCell::new(m))));
            // SAFETY: checked above.
            unsafe { *out = t as *mut h5par_matrix };
            Ok(())
        })
    })
}

/// Local: adds the `n` entries `(row, cols[k], vals[k])` of any global row (summed with
/// entries already there); rows held elsewhere are shipped by `h5par_matrix_fill_complete`.
#[no_mangle]
pub unsafe extern "C" fn h5par_matrix_insert(
    mat: *mut h5par_matrix,
    row: i64,
    cols: *const i64,
    vals: *const c_double,
    n: i64,
) -> c_int {
    guard("h5par_matrix_insert", || {
        with_vectors("h5par_matrix_insert", None, |reg| {
            let mut m = reg
                .matrix(mat)?
                .try_borrow_mut()
                .map_err(|_| invalid("matrix in use"))?;
            if n < 0 || (n > 0 && (cols.is_null() || vals.is_null())) {
                return Err(invalid(format!("n {n} with NULL cols or vals")));
            }
            let (c, v): (&[i64], &[f64]) = if n == 0 {
                (&[], &[])
            } else {
                // SAFETY: `n` readable values each (caller).
                unsafe {
                    (
                        std::slice::from_raw_parts(cols, n as usize),
                        std::slice::from_raw_parts(vals, n as usize),
                    )
                }
            };
            m.insert_global(row, c, v)
        })
    })
}

/// Collective: ships entries to their rows' ranks, sums duplicates, builds the halo plan. A
/// bad insert on any rank is an error on every rank here.
#[no_mangle]
pub unsafe extern "C" fn h5par_matrix_fill_complete(mat: *mut h5par_matrix) -> c_int {
    guard("h5par_matrix_fill_complete", || {
        with_vectors("h5par_matrix_fill_complete", Some(mat as usize), |reg| {
            reg.matrix(mat)?
                .try_borrow_mut()
                .map_err(|_| invalid("matrix in use"))?
                .fill_complete()
        })
    })
}

/// Collective: `y = A x` (`x` and `y` distinct vectors on the row map).
#[no_mangle]
pub unsafe extern "C" fn h5par_matrix_apply(
    mat: *const h5par_matrix,
    x: *const h5par_vector,
    y: *mut h5par_vector,
) -> c_int {
    guard("h5par_matrix_apply", || {
        with_vectors("h5par_matrix_apply", Some(mat as usize), |reg| {
            let a = reg.matrix(mat)?.borrow();
            let xv = borrow(reg.vector(x)?, "h5par_matrix_apply")?;
            let mut yv = borrow_mut(reg.vector(y)?, "h5par_matrix_apply")?;
            a.apply(&xv, &mut yv)
        })
    })
}

/// Local: frees a matrix handle (NULL is a no-op).
#[no_mangle]
pub unsafe extern "C" fn h5par_matrix_free(mat: *mut h5par_matrix) -> c_int {
    guard("h5par_matrix_free", || {
        with_vectors("h5par_matrix_free", None, |reg| {
            reg.free(mat as usize, "matrix")
        })
    })
}

/// Collective: solves `A x = b` by conjugate gradients from the `x` given (Jacobi
/// preconditioning when `jacobi` is 1), at most `max_iterations`, until
/// `||b - A x|| <= tolerance ||b||`. Not converging is not an error: `*converged` is 0 then.
/// `*iterations`, `*relative_residual` and `*converged` may be NULL.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn h5par_cg(
    mat: *const h5par_matrix,
    b: *const h5par_vector,
    x: *mut h5par_vector,
    max_iterations: i64,
    tolerance: c_double,
    jacobi: c_int,
    iterations: *mut i64,
    relative_residual: *mut c_double,
    converged: *mut c_int,
) -> c_int {
    guard("h5par_cg", || {
        with_vectors("h5par_cg", Some(mat as usize), |reg| {
            let a = reg.matrix(mat)?.borrow();
            let bv = borrow(reg.vector(b)?, "h5par_cg")?;
            let mut xv = borrow_mut(reg.vector(x)?, "h5par_cg")?;
            let local = if max_iterations < 0 {
                Err(invalid(format!(
                    "max_iterations {max_iterations} is negative"
                )))
            } else {
                Ok(())
            };
            h5par::comm::fused::agree(a.row_map().comm(), "h5par_cg", local, None)?;
            let opts = CgOptions {
                max_iterations: max_iterations as usize,
                tolerance,
                jacobi: jacobi != 0,
            };
            let out = cg(&*a, &bv, &mut xv, &opts)?;
            // SAFETY: NULL or writable (caller).
            unsafe { put_outcome(&out, iterations, relative_residual, converged) };
            Ok(())
        })
    })
}

/// Writes what CG did to the caller's (NULL or writable) pointers.
///
/// # Safety
/// Each pointer is NULL or writable.
unsafe fn put_outcome(
    out: &CgOutcome,
    iterations: *mut i64,
    relative_residual: *mut c_double,
    converged: *mut c_int,
) {
    // SAFETY: NULL or writable (caller).
    unsafe {
        if !iterations.is_null() {
            *iterations = out.iterations as i64;
        }
        if !relative_residual.is_null() {
            *relative_residual = out.relative_residual();
        }
        if !converged.is_null() {
            *converged = out.converged as c_int;
        }
    }
}

/// A matrix-free operator for `h5par_cg_operator`: `y = A x`, with `x` and `y` vectors on the
/// operator's map (handles valid during the call only), and the caller's `ctx`. It may call
/// any h5par function (plans, vector operations, other collectives); it returns 0, or nonzero
/// for a failure (then the solve fails on every rank, with `h5par_last_error()`'s message of
/// that rank, if any).
#[allow(non_camel_case_types)]
pub type h5par_operator_fn = Option<
    unsafe extern "C" fn(ctx: *mut c_void, x: *const h5par_vector, y: *mut h5par_vector) -> c_int,
>;

/// The C caller's operator, applied through two vectors of the registry (`x_in`, `y_out`) that
/// the callback sees; no lock is held while it runs.
struct CallbackOperator {
    map: Map,
    apply: unsafe extern "C" fn(*mut c_void, *const h5par_vector, *mut h5par_vector) -> c_int,
    ctx: *mut c_void,
    x_in: usize,
    y_out: usize,
    diagonal: Option<DistVector>,
}

impl LinearOperator for CallbackOperator {
    fn map(&self) -> &Map {
        &self.map
    }

    fn apply(&self, x: &DistVector, y: &mut DistVector) -> Result<()> {
        with_vectors("h5par_cg_operator", None, |reg| {
            borrow_mut(reg.vector(self.x_in as *const h5par_vector)?, "cg")?.assign(x)
        })?;
        // SAFETY: the caller's callback with its own context; the handles are live.
        let rc = unsafe {
            (self.apply)(
                self.ctx,
                self.x_in as *const h5par_vector,
                self.y_out as *mut h5par_vector,
            )
        };
        if rc != 0 {
            let why = last_error_text();
            return Err(invalid(format!(
                "the operator callback returned {rc}{}",
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" (last error: {why})")
                }
            )));
        }
        with_vectors("h5par_cg_operator", None, |reg| {
            let mut out = borrow_mut(reg.vector(self.y_out as *const h5par_vector)?, "cg")?;
            if !out.map().same_as(&self.map) {
                return Err(Error::Internal("the operator's output vector".into()));
            }
            std::mem::swap(&mut *out, y);
            Ok(())
        })
    }

    fn diagonal(&self) -> Result<DistVector> {
        match &self.diagonal {
            Some(d) => Ok(d.clone()),
            None => Err(invalid(
                "Jacobi preconditioning of an operator needs its diagonal (diagonal is NULL)",
            )),
        }
    }
}

/// Collective: solves `A x = b` by conjugate gradients for a matrix-free symmetric positive
/// definite operator: `apply(ctx, x, y)` sets `y = A x` (see `h5par_operator_fn`). `b` and `x`
/// are on the one-to-one map of the operator; `diagonal` (NULL or a vector on that map) is
/// `A`'s diagonal, needed when `jacobi` is 1. The other arguments are `h5par_cg`'s. The same CG
/// as `h5par_cg`; a callback failing on any rank is an error on every rank.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn h5par_cg_operator(
    apply: h5par_operator_fn,
    ctx: *mut c_void,
    diagonal: *const h5par_vector,
    b: *const h5par_vector,
    x: *mut h5par_vector,
    max_iterations: i64,
    tolerance: c_double,
    jacobi: c_int,
    iterations: *mut i64,
    relative_residual: *mut c_double,
    converged: *mut c_int,
) -> c_int {
    guard("h5par_cg_operator", || {
        // Copies of the vectors, and two vectors for the callback, taken with the lock held;
        // the solve runs without it so that the callback may call h5par.
        let (map, bv, mut xv, diag, x_in, y_out) =
            with_vectors("h5par_cg_operator", Some(b as usize), |reg| {
                let bv = borrow(reg.vector(b)?, "h5par_cg_operator")?.clone();
                let xv = borrow(reg.vector(x)?, "h5par_cg_operator")?.clone();
                let map = bv.map().clone();
                let mut local = match apply {
                    None => Err(invalid("apply is NULL")),
                    Some(_) if max_iterations < 0 => Err(invalid(format!(
                        "max_iterations {max_iterations} is negative"
                    ))),
                    Some(_) => Ok(()),
                };
                let diag = if diagonal.is_null() {
                    None
                } else {
                    Some(borrow(reg.vector(diagonal)?, "h5par_cg_operator")?.clone())
                };
                if local.is_ok() {
                    local = map.require_one_to_one("h5par_cg_operator");
                }
                h5par::comm::fused::agree(map.comm(), "h5par_cg_operator", local, None)?;
                let x_in = reg.insert(Entry::Vector(RefCell::new(DistVector::new(&map))));
                let y_out = reg.insert(Entry::Vector(RefCell::new(DistVector::new(&map))));
                Ok((map, bv, xv, diag, x_in, y_out))
            })?;
        let Some(apply) = apply else {
            return Err(Error::Internal("apply lost after agreement".into()));
        };
        let op = CallbackOperator {
            map,
            apply,
            ctx,
            x_in,
            y_out,
            diagonal: diag,
        };
        let opts = CgOptions {
            max_iterations: max_iterations as usize,
            tolerance,
            jacobi: jacobi != 0,
        };
        let out = cg(&op, &bv, &mut xv, &opts);
        with_vectors("h5par_cg_operator", None, |reg| {
            reg.free(x_in, "vector")?;
            reg.free(y_out, "vector")?;
            let out = out?;
            borrow_mut(reg.vector(x)?, "h5par_cg_operator")?.assign(&xv)?;
            // SAFETY: NULL or writable (caller).
            unsafe { put_outcome(&out, iterations, relative_residual, converged) };
            Ok(())
        })
    })
}

/// Collective on the file's ranks: writes `vec` (on a one-to-one map) as the 1-D dataset
/// `name` in gid order (PETSc's VecView layout).
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_write(
    file: *mut h5par_file,
    name: *const c_char,
    vec: *const h5par_vector,
) -> c_int {
    guard("h5par_vector_write", || {
        with_files_and_vectors("h5par_vector_write", file, |f, reg| {
            // SAFETY: NUL-terminated (caller).
            let n = unsafe { text(name, "name") };
            let v = reg.vector(vec)?.borrow();
            let local = n.as_ref().map(|_| ()).map_err(Clone::clone);
            h5par::comm::agree(f.comm(), "h5par_vector_write", local, None)?;
            vector::write_vector(f, n?, &v)
        })
    })
}

/// Collective on the file's ranks: reads the 1-D dataset `name` into a new vector on `map` (any
/// map, any number of ranks) and sets `*out` to it.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_read(
    file: *mut h5par_file,
    name: *const c_char,
    map: *const h5par_map,
    out: *mut *mut h5par_vector,
) -> c_int {
    guard("h5par_vector_read", || {
        // SAFETY: as documented.
        let outcheck = unsafe { clear_out(out) };
        with_files_and_vectors("h5par_vector_read", file, |f, reg| {
            // SAFETY: NUL-terminated (caller).
            let n = unsafe { text(name, "name") };
            let m = reg.map(map)?.clone();
            let local = n.as_ref().map(|_| ()).map_err(Clone::clone).and(outcheck);
            h5par::comm::agree(f.comm(), "h5par_vector_read", local, None)?;
            let v = vector::read_vector(f, n?, &m)?;
            let t = reg.insert(Entry::Vector(RefCell::new(v)));
            // SAFETY: checked above.
            unsafe { *out = t as *mut h5par_vector };
            Ok(())
        })
    })
}

/// A C timestep: `step >= 0` is that step of PETSc's timestepping layout, -1 the plain
/// dataset, any other value an error.
fn step_of(what: &str, step: i64) -> Result<Option<u64>> {
    match step {
        -1 => Ok(None),
        s if s >= 0 => Ok(Some(s as u64)),
        s => Err(Error::Invalid(format!(
            "{what}: step {s} (a step is 0, 1, ..., or -1 for the plain dataset)"
        ))),
    }
}

/// Collective on the file's ranks: writes `vec` (on a one-to-one map) as timestep `step` (0,
/// 1, ...) of the dataset `name` in PETSc's timestepping layout `[T, N]`: created at the first
/// step written, extended for later ones (steps never written read as 0). A negative `step`
/// is an error on every rank.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_write_step(
    file: *mut h5par_file,
    name: *const c_char,
    vec: *const h5par_vector,
    step: i64,
) -> c_int {
    guard("h5par_vector_write_step", || {
        with_files_and_vectors("h5par_vector_write_step", file, |f, reg| {
            // SAFETY: NUL-terminated (caller).
            let n = unsafe { text(name, "name") };
            let v = reg.vector(vec)?.borrow();
            let what = "h5par_vector_write_step";
            let t = u64::try_from(step)
                .map_err(|_| Error::Invalid(format!("{what}: step {step} is negative")));
            let local = n.as_ref().map(|_| ()).map_err(Clone::clone);
            let local = local.and(t.as_ref().map(|_| ()).map_err(Clone::clone));
            h5par::comm::agree(f.comm(), what, local, None)?;
            vector::write_vector_step(f, n?, &v, t?)
        })
    })
}

/// Collective on the file's ranks: reads the dataset `name` into the existing vector `vec`
/// (any map, any number of ranks): timestep `step` of PETSc's timestepping layout when
/// `step >= 0`, the 1-D dataset when `step` is -1 (other values are an error on every rank).
/// No allocation for a contiguous map: what a loop over timesteps uses.
#[no_mangle]
pub unsafe extern "C" fn h5par_vector_read_into(
    file: *mut h5par_file,
    name: *const c_char,
    vec: *mut h5par_vector,
    step: i64,
) -> c_int {
    guard("h5par_vector_read_into", || {
        with_files_and_vectors("h5par_vector_read_into", file, |f, reg| {
            // SAFETY: NUL-terminated (caller).
            let n = unsafe { text(name, "name") };
            let mut v = reg.vector(vec)?.borrow_mut();
            let what = "h5par_vector_read_into";
            let t = step_of(what, step);
            let local = n.as_ref().map(|_| ()).map_err(Clone::clone);
            let local = local.and(t.as_ref().map(|_| ()).map_err(Clone::clone));
            h5par::comm::agree(f.comm(), what, local, None)?;
            vector::read_vector_into(f, n?, &mut v, t?)
        })
    })
}

/// Runs `f` with the open file of `file` and this layer's registry (both locks held).
fn with_files_and_vectors<T>(
    func: &'static str,
    file: *mut h5par_file,
    f: impl FnOnce(&h5par::File, &mut Vectors) -> Result<T>,
) -> Result<T> {
    // Collective on the file's ranks (see `with_vectors`).
    let files = match enter(func) {
        Ok(held) => held,
        Err(busy) => return Err(busy_collective(file_token(file), func, busy)),
    };
    let entry = files.file(file_token(file))?;
    let mut v = VECTORS.lock().unwrap_or_else(|p| p.into_inner());
    f(&entry.file, &mut v)
}
