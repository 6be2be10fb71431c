//! Conjugate gradients, optionally with Jacobi (diagonal) preconditioning, over any
//! [`LinearOperator`]: a [`CsrMatrix`] or a matrix-free operator of the user's (one CG loop
//! serves both).

use super::csr::CsrMatrix;
use super::map::Map;
use super::vec::DistVector;
use crate::comm;
use crate::error::{Error, Result};

/// Options of [`cg`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CgOptions {
    /// The largest number of iterations.
    pub max_iterations: usize,
    /// Stop when `||b - A x||_2 <= tolerance * ||b||_2`.
    pub tolerance: f64,
    /// Precondition with the inverse of the diagonal.
    pub jacobi: bool,
}

impl Default for CgOptions {
    fn default() -> Self {
        CgOptions {
            max_iterations: 1000,
            tolerance: 1e-8,
            jacobi: false,
        }
    }
}

/// Why [`cg`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgStop {
    /// The residual reached the tolerance.
    Converged,
    /// The iteration limit was reached first.
    MaxIterations,
    /// `p' A p <= 0`: the matrix (or the preconditioner) is not positive definite.
    NotPositiveDefinite,
    /// A residual became NaN or infinite.
    NotFinite,
}

/// What [`cg`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct CgOutcome {
    /// Iterations made.
    pub iterations: usize,
    /// `||r_k||_2` for k = 0 (the starting residual) to `iterations`.
    pub residuals: Vec<f64>,
    /// Whether the tolerance was reached.
    pub converged: bool,
    /// Why it stopped.
    pub stop: CgStop,
    /// `||b||_2`.
    pub b_norm: f64,
}

impl CgOutcome {
    /// The last residual relative to `||b||` (the residual itself when `b` is zero).
    pub fn relative_residual(&self) -> f64 {
        let r = self.residuals.last().copied().unwrap_or(0.0);
        if self.b_norm > 0.0 {
            r / self.b_norm
        } else {
            r
        }
    }

    /// One line: converged or not, why, iterations and the final relative residual.
    pub fn describe(&self) -> String {
        format!(
            "CG {} after {} iterations ({:?}), relative residual {:.3e}",
            if self.converged {
                "converged"
            } else {
                "did not converge"
            },
            self.iterations,
            self.stop,
            self.relative_residual()
        )
    }
}

/// A square linear operator `y = A x` on the vectors of one map, for [`cg`]: a [`CsrMatrix`],
/// or a matrix-free operator (e.g. a map-maker's `F' Z F`, applied through Export/Import
/// plans without ever forming the matrix).
///
/// [`apply`](LinearOperator::apply) is called on every rank the same number of times (it may
/// be collective). An error on one rank only is fine: unless
/// [`agrees_on_outcome`](LinearOperator::agrees_on_outcome) says the operator already makes
/// its errors every rank's, [`cg`] agrees on the outcome of each application, so that the
/// solve fails on every rank rather than hangs. An `apply` whose ranks fail before different
/// numbers of its own collective calls still ends in an error on every rank, but leaves the
/// communicator's calls out of step: let every rank make the same collective calls and fail
/// after them.
pub trait LinearOperator {
    /// The map of `x` and `y` (one-to-one).
    fn map(&self) -> &Map;

    /// `y = A x`; `x` and `y` are on [`map`](LinearOperator::map) and distinct.
    fn apply(&self, x: &DistVector, y: &mut DistVector) -> Result<()>;

    /// Local: whether the operator can be applied (e.g. a matrix is filled); checked by [`cg`]
    /// before its agreement.
    fn ready(&self) -> Result<()> {
        Ok(())
    }

    /// The diagonal of `A`, for Jacobi preconditioning; by default, an error (no diagonal).
    fn diagonal(&self) -> Result<DistVector> {
        Err(Error::Invalid(
            "Jacobi preconditioning needs the operator's diagonal, and this operator gives none"
                .into(),
        ))
    }

    /// Whether an error of [`apply`](LinearOperator::apply) is already the same error on
    /// every rank (true of [`CsrMatrix`]); when false, [`cg`] agrees on each outcome.
    fn agrees_on_outcome(&self) -> bool {
        false
    }
}

impl LinearOperator for CsrMatrix {
    fn map(&self) -> &Map {
        self.row_map()
    }

    fn apply(&self, x: &DistVector, y: &mut DistVector) -> Result<()> {
        CsrMatrix::apply(self, x, y)
    }

    fn ready(&self) -> Result<()> {
        if self.is_filled() {
            Ok(())
        } else {
            Err(Error::Invalid("cg: call fill_complete first".into()))
        }
    }

    fn diagonal(&self) -> Result<DistVector> {
        CsrMatrix::diagonal(self)
    }

    fn agrees_on_outcome(&self) -> bool {
        true
    }
}

/// Collective: solves `A x = b` by conjugate gradients from the `x` given, for a symmetric
/// positive definite `A` (a [`CsrMatrix`] or any [`LinearOperator`]). Not converging is not an
/// error: see [`CgOutcome`]. A vector on another map, a matrix not filled, a zero diagonal
/// with Jacobi, or an application of `A` failing on any rank is an error on every rank.
pub fn cg<A: LinearOperator + ?Sized>(
    a: &A,
    b: &DistVector,
    x: &mut DistVector,
    opts: &CgOptions,
) -> Result<CgOutcome> {
    let what = "cg";
    let map = a.map();
    let mut local = a.ready();
    for (name, v) in [("b", b.map()), ("x", x.map())] {
        if !v.same_as(map) {
            local = Err(Error::Invalid(format!(
                "{what}: {name} is on {v}, the matrix's map is {map}"
            )));
        }
    }
    if opts.tolerance.is_nan() || opts.tolerance < 0.0 {
        local = Err(Error::Invalid(format!(
            "{what}: tolerance {} is not a non-negative number",
            opts.tolerance
        )));
    }
    let inv_diag = if local.is_ok() && opts.jacobi {
        match a.diagonal().and_then(|d| inverse_diagonal(d, map)) {
            Ok(d) => Some(d),
            Err(e) => {
                local = Err(e);
                None
            }
        }
    } else {
        None
    };
    comm::fused::agree(
        map.comm(),
        what,
        local,
        Some(&format!(
            "cg {:x} {} {} {}",
            map.signature(),
            opts.max_iterations,
            opts.tolerance,
            opts.jacobi
        )),
    )?;
    let apply = |v: &DistVector, out: &mut DistVector| -> Result<()> {
        let res = a.apply(v, out);
        if a.agrees_on_outcome() {
            res
        } else {
            comm::fused::agree(map.comm(), "cg: the operator's apply", res, None)
        }
    };
    let precondition = |r: &DistVector, z: &mut DistVector| -> Result<()> {
        z.assign(r)?;
        if let Some(d) = &inv_diag {
            z.multiply(d)?;
        }
        Ok(())
    };
    let b_norm = b.norm2()?;
    let mut r = DistVector::new(map);
    apply(x, &mut r)?;
    r.axpby(1.0, b, -1.0)?; // r = b - A x
    let mut z = DistVector::new(map);
    precondition(&r, &mut z)?;
    let mut p = z.clone();
    let mut q = DistVector::new(map);
    let mut rz = r.dot(&z)?;
    let mut rn = r.norm2()?;
    let mut residuals = vec![rn];
    let goal = opts.tolerance * b_norm;
    let done = |rn: f64| rn <= goal;
    let mut stop = if done(rn) {
        CgStop::Converged
    } else {
        CgStop::MaxIterations
    };
    let mut k = 0;
    while stop != CgStop::Converged && k < opts.max_iterations {
        apply(&p, &mut q)?;
        let pq = p.dot(&q)?;
        if !pq.is_finite() {
            stop = CgStop::NotFinite;
            break;
        }
        if pq <= 0.0 {
            stop = CgStop::NotPositiveDefinite;
            break;
        }
        let alpha = rz / pq;
        x.axpy(alpha, &p)?;
        r.axpy(-alpha, &q)?;
        k += 1;
        rn = if inv_diag.is_some() {
            r.norm2()?
        } else {
            r.dot(&r)?.sqrt()
        };
        residuals.push(rn);
        if !rn.is_finite() {
            stop = CgStop::NotFinite;
            break;
        }
        if done(rn) {
            stop = CgStop::Converged;
            break;
        }
        let rz_new = if inv_diag.is_some() {
            precondition(&r, &mut z)?;
            r.dot(&z)?
        } else {
            rn * rn
        };
        let beta = rz_new / rz;
        rz = rz_new;
        if inv_diag.is_some() {
            p.axpby(1.0, &z, beta)?;
        } else {
            p.axpby(1.0, &r, beta)?;
        }
    }
    Ok(CgOutcome {
        iterations: k,
        residuals,
        converged: stop == CgStop::Converged,
        stop,
        b_norm,
    })
}

/// `1 / d`, or an error naming the first row whose diagonal is zero (or not finite).
fn inverse_diagonal(mut d: DistVector, map: &Map) -> Result<DistVector> {
    if !d.map().same_as(map) {
        return Err(Error::Invalid(format!(
            "cg: the diagonal is on {}, the operator's map is {map}",
            d.map()
        )));
    }
    if let Some(i) = d
        .as_slice()
        .iter()
        .position(|&v| v == 0.0 || !v.is_finite())
    {
        return Err(Error::Invalid(format!(
            "cg: Jacobi preconditioning needs a nonzero diagonal; row {} has {}",
            map.gid(i).unwrap_or(-1),
            d.as_slice()[i]
        )));
    }
    for v in d.as_mut_slice() {
        *v = 1.0 / *v;
    }
    Ok(d)
}
