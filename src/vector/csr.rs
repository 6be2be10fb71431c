//! Distributed sparse matrices in compressed-row (CSR) form.

use super::exchange;
use super::map::Map;
use super::partition::{CombineMode, Gid, Grouped};
use super::plan::Plan;
use super::vec::DistVector;
use crate::comm;
use crate::error::{Error, Result};

/// The assembled form: the columns this rank holds in the domain map (local part, indexing
/// the local part of `x`) and the others (remote part, indexing the halo buffer).
struct Filled {
    loc_ptr: Vec<usize>,
    loc_idx: Vec<u32>,
    loc_val: Vec<f64>,
    /// The rows with remote entries (on a stencil, the few rows next to another rank's),
    /// increasing, and their `rem_rows.len() + 1` offsets into `rem_idx`/`rem_val`: the
    /// remote pass after the halo exchange visits only those rows, not all of `y` again.
    rem_rows: Vec<u32>,
    rem_ptr: Vec<usize>,
    rem_idx: Vec<u32>,
    rem_val: Vec<f64>,
    halo_gids: Vec<Gid>,
    halo: Plan,
}

/// A square distributed sparse matrix whose rows (and the entries of `x` and `y` in
/// `y = A x`) are distributed by one one-to-one row map.
///
/// Assembly: any rank adds entries `(i, j, v)` of any global row with
/// [`insert_global`](CsrMatrix::insert_global) or [`sum_into_global`](CsrMatrix::sum_into_global)
/// (both sum duplicates, as Epetra does before `FillComplete`); entries of rows held elsewhere
/// are kept aside and shipped to their rank by the collective
/// [`fill_complete`](CsrMatrix::fill_complete), which also builds the column map's halo plan.
/// Then [`apply`](CsrMatrix::apply) computes `y = A x`, overlapping the halo exchange with the
/// product of the local columns.
pub struct CsrMatrix {
    row_map: Map,
    entries: Vec<(u32, Gid, f64)>,
    stash: Vec<(Gid, Gid, f64)>,
    bad: Option<String>,
    filled: Option<Filled>,
}

impl std::fmt::Debug for CsrMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CsrMatrix on {} ({})",
            self.row_map,
            if self.filled.is_some() {
                "filled"
            } else {
                "being assembled"
            }
        )
    }
}

impl CsrMatrix {
    /// An empty matrix whose rows are distributed by `row_map` (which must be one-to-one; an
    /// error on every rank otherwise).
    pub fn new(row_map: &Map) -> Result<CsrMatrix> {
        row_map.require_one_to_one("CsrMatrix::new")?;
        Ok(CsrMatrix {
            row_map: row_map.clone(),
            entries: Vec::new(),
            stash: Vec::new(),
            bad: None,
            filled: None,
        })
    }

    /// The row map (also the domain and range map).
    pub fn row_map(&self) -> &Map {
        &self.row_map
    }

    /// Whether `fill_complete` has been called.
    pub fn is_filled(&self) -> bool {
        self.filled.is_some()
    }

    /// Adds the entries `(row, cols[n], vals[n])` (local; any global row). Entries at the same
    /// place are summed. A bad argument is reported here and again, on every rank, by
    /// `fill_complete`.
    pub fn insert_global(&mut self, row: Gid, cols: &[Gid], vals: &[f64]) -> Result<()> {
        let what = "CsrMatrix::insert_global";
        let e = (|| {
            if self.filled.is_some() {
                return Err(Error::Invalid(format!(
                    "{what}: fill_complete was called; the structure is fixed"
                )));
            }
            if cols.len() != vals.len() {
                return Err(Error::Shape(format!(
                    "{what}: {} columns and {} values for row {row}",
                    cols.len(),
                    vals.len()
                )));
            }
            if row < 0 || row > self.row_map.max_gid() {
                return Err(Error::Invalid(format!(
                    "{what}: row {row} is not in the row map {}",
                    self.row_map
                )));
            }
            if let Some(&c) = cols.iter().find(|&&c| c < 0 || c > self.row_map.max_gid()) {
                return Err(Error::Invalid(format!(
                    "{what}: column {c} (row {row}) is not in the domain map {}",
                    self.row_map
                )));
            }
            Ok(())
        })();
        if let Err(e) = e {
            self.bad.get_or_insert(e.message());
            return Err(e);
        }
        match self.row_map.lid(row) {
            Some(l) => {
                for (&c, &v) in cols.iter().zip(vals) {
                    self.entries.push((l as u32, c, v));
                }
            }
            None => {
                for (&c, &v) in cols.iter().zip(vals) {
                    self.stash.push((row, c, v));
                }
            }
        }
        Ok(())
    }

    /// The same as [`insert_global`](CsrMatrix::insert_global): entries are summed.
    pub fn sum_into_global(&mut self, row: Gid, cols: &[Gid], vals: &[f64]) -> Result<()> {
        self.insert_global(row, cols, vals)
    }

    /// Collective: ships entries of rows held elsewhere to their ranks, sums duplicates,
    /// builds the column map and the halo plan. An error on every rank when any rank inserted
    /// a bad entry or any column is outside the domain map.
    pub fn fill_complete(&mut self) -> Result<()> {
        let what = "CsrMatrix::fill_complete";
        let map = self.row_map.clone();
        let local = if self.filled.is_some() {
            Err(Error::Invalid(format!("{what}: called twice")))
        } else if let Some(b) = &self.bad {
            Err(Error::Invalid(format!(
                "{what}: an earlier insert failed: {b}"
            )))
        } else {
            Ok(())
        };
        comm::fused::agree(
            map.comm(),
            what,
            local,
            Some(&format!("fill_complete {:x}", map.signature())),
        )?;
        // Rows held elsewhere go to their owners.
        let rows: Vec<Gid> = self.stash.iter().map(|e| e.0).collect();
        let owners = map.lookup_unchecked(&rows);
        let mut local = Ok(());
        let mut out: Vec<(i32, [i64; 3])> = Vec::with_capacity(rows.len());
        for (i, e) in self.stash.iter().enumerate() {
            match owners.get(i).first() {
                Some(&(r, _)) => out.push((r, [e.0, e.1, e.2.to_bits() as i64])),
                None => {
                    local = Err(Error::Invalid(format!(
                        "{what}: row {} is not in the row map {map}",
                        e.0
                    )))
                }
            }
        }
        comm::fused::agree(map.comm(), what, local, None)?;
        let got = exchange::all_to_all(map.comm(), &Grouped::from_pairs(&out));
        self.stash = Vec::new();
        for r in &got.items {
            let l = map.lid(r[0]).unwrap_or(0);
            self.entries
                .push((l as u32, r[1], f64::from_bits(r[2] as u64)));
        }
        // Sort, sum duplicates, split into local and remote columns.
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_unstable_by_key(|e| (e.0, e.1));
        entries.dedup_by(|b, a| {
            if a.0 == b.0 && a.1 == b.1 {
                a.2 += b.2;
                true
            } else {
                false
            }
        });
        let mut halo_gids: Vec<Gid> = entries
            .iter()
            .filter(|e| map.lid(e.1).is_none())
            .map(|e| e.1)
            .collect();
        halo_gids.sort_unstable();
        halo_gids.dedup();
        let n = map.local_len();
        let (mut loc_ptr, mut rem_ptr) = (vec![0usize; n + 1], vec![0usize; n + 1]);
        let (mut loc_idx, mut loc_val, mut rem_idx, mut rem_val) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &(r, c, v) in &entries {
            match map.lid(c) {
                Some(l) => {
                    loc_ptr[r as usize + 1] += 1;
                    loc_idx.push(l as u32);
                    loc_val.push(v);
                }
                None => {
                    rem_ptr[r as usize + 1] += 1;
                    rem_idx.push(halo_gids.binary_search(&c).unwrap_or(0) as u32);
                    rem_val.push(v);
                }
            }
        }
        for i in 0..n {
            loc_ptr[i + 1] += loc_ptr[i];
            rem_ptr[i + 1] += rem_ptr[i];
        }
        let rem_rows: Vec<u32> = (0..n)
            .filter(|&i| rem_ptr[i + 1] > rem_ptr[i])
            .map(|i| i as u32)
            .collect();
        let rem_ptr: Vec<usize> = std::iter::once(0)
            .chain(rem_rows.iter().map(|&i| rem_ptr[i as usize + 1]))
            .collect();
        let halo = Plan::import_gids(&map, None, &halo_gids)?;
        self.filled = Some(Filled {
            loc_ptr,
            loc_idx,
            loc_val,
            rem_rows,
            rem_ptr,
            rem_idx,
            rem_val,
            halo_gids,
            halo,
        });
        Ok(())
    }

    fn filled(&self, what: &str) -> Result<&Filled> {
        self.filled
            .as_ref()
            .ok_or_else(|| Error::Invalid(format!("{what}: call fill_complete first")))
    }

    /// The number of stored entries on this rank (after `fill_complete`).
    pub fn local_nnz(&self) -> usize {
        self.filled
            .as_ref()
            .map_or(self.entries.len() + self.stash.len(), |f| {
                f.loc_val.len() + f.rem_val.len()
            })
    }

    /// The gids of the columns this rank needs from other ranks (its halo).
    pub fn halo_gids(&self) -> &[Gid] {
        self.filled.as_ref().map_or(&[], |f| &f.halo_gids)
    }

    /// Collective: `y = A x`. `x` and `y` must be on the row map (an error on every rank
    /// otherwise). The halo values travel while the local columns are multiplied.
    pub fn apply(&self, x: &DistVector, y: &mut DistVector) -> Result<()> {
        let what = "CsrMatrix::apply";
        let local = self.filled(what).map(|_| ()).and_then(|()| {
            for (name, v) in [("x", x.map()), ("y", y.map())] {
                if !v.same_as(&self.row_map) {
                    return Err(Error::Invalid(format!(
                        "{what}: {name} is on {v}, the matrix's map is {}",
                        self.row_map
                    )));
                }
            }
            Ok(())
        });
        comm::fused::agree(
            self.row_map.comm(),
            what,
            local,
            Some(&format!("apply {:x}", self.row_map.signature())),
        )?;
        let f = self.filled(what)?;
        let mut halo = vec![0.0f64; f.halo_gids.len()];
        let xs = x.as_slice();
        let ys = y.as_mut_slice();
        f.halo.run(true, xs, &mut halo, 1, CombineMode::Insert, || {
            spmv(&f.loc_ptr, &f.loc_idx, &f.loc_val, xs, ys, false)
        });
        for (&i, w) in f.rem_rows.iter().zip(f.rem_ptr.windows(2)) {
            ys[i as usize] += row_dot(&f.rem_val[w[0]..w[1]], &f.rem_idx[w[0]..w[1]], &halo);
        }
        Ok(())
    }

    /// The diagonal, as a vector on the row map (zero where no diagonal entry is stored).
    pub fn diagonal(&self) -> Result<DistVector> {
        let f = self.filled("CsrMatrix::diagonal")?;
        let mut d = DistVector::new(&self.row_map);
        let ds = d.as_mut_slice();
        for (i, di) in ds.iter_mut().enumerate() {
            for k in f.loc_ptr[i]..f.loc_ptr[i + 1] {
                if f.loc_idx[k] as usize == i {
                    *di += f.loc_val[k];
                }
            }
        }
        Ok(d)
    }

    /// This rank's rows as `(row gid, column gid, value)` triples, sorted (a copy, for tests
    /// and inspection).
    pub fn local_entries(&self) -> Vec<(Gid, Gid, f64)> {
        let Some(f) = &self.filled else {
            return Vec::new();
        };
        let m = &self.row_map;
        let mut out = Vec::with_capacity(self.local_nnz());
        for i in 0..m.local_len() {
            let r = m.gid(i).unwrap_or(-1);
            for k in f.loc_ptr[i]..f.loc_ptr[i + 1] {
                out.push((r, m.gid(f.loc_idx[k] as usize).unwrap_or(-1), f.loc_val[k]));
            }
        }
        for (&i, w) in f.rem_rows.iter().zip(f.rem_ptr.windows(2)) {
            let r = m.gid(i as usize).unwrap_or(-1);
            for k in w[0]..w[1] {
                out.push((r, f.halo_gids[f.rem_idx[k] as usize], f.rem_val[k]));
            }
        }
        out.sort_by_key(|a| (a.0, a.1));
        out
    }
}

/// One row's sum of `val[k] * x[idx[k]]`.
#[inline]
fn row_dot(val: &[f64], idx: &[u32], x: &[f64]) -> f64 {
    val.iter().zip(idx).map(|(v, &j)| v * x[j as usize]).sum()
}

/// `y = A x` (or `y += A x` with `add`) for one CSR block.
fn spmv(ptr: &[usize], idx: &[u32], val: &[f64], x: &[f64], y: &mut [f64], add: bool) {
    for (yi, w) in y.iter_mut().zip(ptr.windows(2)) {
        let (lo, hi) = (w[0], w[1]);
        let s = row_dot(&val[lo..hi], &idx[lo..hi], x);
        if add {
            *yi += s;
        } else {
            *yi = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spmv_matches_dense() {
        // [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]
        let ptr = [0, 2, 5, 7];
        let idx = [0, 1, 0, 1, 2, 1, 2];
        let val = [2.0, -1.0, -1.0, 2.0, -1.0, -1.0, 2.0];
        let x = [1.0, 2.0, 3.0];
        let mut y = [0.0; 3];
        spmv(&ptr, &idx, &val, &x, &mut y, false);
        assert_eq!(y, [0.0, 0.0, 4.0]);
        spmv(&ptr, &idx, &val, &x, &mut y, true);
        assert_eq!(y, [0.0, 0.0, 8.0]);
    }
}
