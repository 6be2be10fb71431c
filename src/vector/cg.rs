//! Conjugate gradients, optionally with Jacobi (diagonal) preconditioning.

use super::csr::CsrMatrix;
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

/// Collective: solves `A x = b` by conjugate gradients from the `x` given, for a symmetric
/// positive definite `A`. Not converging is not an error: see [`CgOutcome`]. A vector on
/// another map, a matrix not filled, or a zero diagonal with Jacobi is an error on every rank.
pub fn cg(
    a: &CsrMatrix,
    b: &DistVector,
    x: &mut DistVector,
    opts: &CgOptions,
) -> Result<CgOutcome> {
    let what = "cg";
    let map = a.row_map();
    let mut local = Ok(());
    for (name, v) in [("b", b.map()), ("x", x.map())] {
        if !v.same_as(map) {
            local = Err(Error::Invalid(format!(
                "{what}: {name} is on {v}, the matrix's map is {map}"
            )));
        }
    }
    if !a.is_filled() {
        local = Err(Error::Invalid(format!("{what}: call fill_complete first")));
    }
    if opts.tolerance.is_nan() || opts.tolerance < 0.0 {
        local = Err(Error::Invalid(format!(
            "{what}: tolerance {} is not a non-negative number",
            opts.tolerance
        )));
    }
    let inv_diag = if local.is_ok() && opts.jacobi {
        let mut d = a.diagonal()?;
        if let Some(i) = d.as_slice().iter().position(|&v| v == 0.0) {
            local = Err(Error::Invalid(format!(
                "{what}: Jacobi preconditioning needs a nonzero diagonal; row {} has none",
                map.gid(i).unwrap_or(-1)
            )));
        }
        for v in d.as_mut_slice() {
            *v = 1.0 / *v;
        }
        Some(d)
    } else {
        None
    };
    comm::agree(
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
    let precondition = |r: &DistVector, z: &mut DistVector| -> Result<()> {
        z.assign(r)?;
        if let Some(d) = &inv_diag {
            z.multiply(d)?;
        }
        Ok(())
    };
    let b_norm = b.norm2()?;
    let mut r = DistVector::new(map);
    a.apply(x, &mut r)?;
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
        a.apply(&p, &mut q)?;
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
