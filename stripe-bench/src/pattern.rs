//! The data pattern: element `i` of the dataset holds a value that depends on its global index
//! and on a seed, so that a read of the wrong place, of a stale file or of nothing is caught.
//!
//! `value(seed, i) = (((i ^ seed) * 0x9E3779B97F4A7C15 mod 2^64) >> 11) as f64`: a bijective
//! integer hash cut to 53 bits, so the `f64` is exact. `h5py_series.py` computes the same
//! with numpy `uint64` arithmetic.

/// The multiplier of the hash (the golden-ratio constant of Fibonacci hashing).
pub const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The value of global element `i` for `seed`.
#[inline]
pub fn value(seed: u64, i: u64) -> f64 {
    ((i ^ seed).wrapping_mul(MULTIPLIER) >> 11) as f64
}

/// Fills `buf` with the values of global elements `first..first + buf.len()`.
pub fn fill(buf: &mut [f64], seed: u64, first: u64) {
    for (k, x) in buf.iter_mut().enumerate() {
        *x = value(seed, first + k as u64);
    }
}

/// The first element of a read that does not hold its expected value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mismatch {
    /// Global index of the element.
    pub index: u64,
    /// The value it should hold.
    pub expected: f64,
    /// The value read.
    pub got: f64,
    /// How many elements of the block are wrong.
    pub count: u64,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} wrong element(s); the first is element {}: expected {:?}, read {:?}",
            self.count, self.index, self.expected, self.got
        )
    }
}

/// Checks that `buf` holds global elements `first..` of the pattern for `seed` (bit for bit).
pub fn check(buf: &[f64], seed: u64, first: u64) -> Result<(), Mismatch> {
    let mut bad: Option<Mismatch> = None;
    for (k, &x) in buf.iter().enumerate() {
        let i = first + k as u64;
        let want = value(seed, i);
        if x.to_bits() != want.to_bits() {
            match &mut bad {
                Some(m) => m.count += 1,
                None => {
                    bad = Some(Mismatch {
                        index: i,
                        expected: want,
                        got: x,
                        count: 1,
                    })
                }
            }
        }
    }
    bad.map_or(Ok(()), Err)
}

/// A seed for one (stripe count, repeat, series, io) write; distinct inputs give distinct
/// seeds in practice (splitmix64 of the packed inputs).
pub fn seed(stripe_count: u32, rep: u32, series: u32, io: u32) -> u64 {
    let packed = (u64::from(stripe_count) << 32)
        ^ (u64::from(rep) << 16)
        ^ (u64::from(series) << 8)
        ^ u64::from(io);
    splitmix64(packed)
}

/// One step of splitmix64.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_exact_and_distinct() {
        let s = seed(4, 2, 1, 0);
        let v: Vec<f64> = (0..1000).map(|i| value(s, i)).collect();
        for (i, x) in v.iter().enumerate() {
            assert!(*x >= 0.0 && *x < 2f64.powi(53));
            assert_eq!(x.fract(), 0.0);
            assert_ne!(*x, value(s, i as u64 + 1));
        }
        // Known values, shared with h5py_series.py (see its self-test).
        assert_eq!(value(0, 0), 0.0);
        assert_eq!(value(0, 1), (MULTIPLIER >> 11) as f64);
        assert_eq!(
            value(5, 7),
            ((7u64 ^ 5).wrapping_mul(MULTIPLIER) >> 11) as f64
        );
    }

    #[test]
    fn check_accepts_the_pattern() {
        let mut b = vec![0.0; 100];
        fill(&mut b, 42, 1000);
        assert_eq!(check(&b, 42, 1000), Ok(()));
    }

    #[test]
    fn check_catches_wrong_reads() {
        let mut b = vec![0.0; 100];
        fill(&mut b, 42, 1000);
        // Another seed (a stale file), another offset (the wrong block), nothing read.
        assert!(check(&b, 43, 1000).is_err());
        assert!(check(&b, 42, 1001).is_err());
        assert!(check(&vec![f64::NAN; 100], 42, 1000).is_err());
        // One element off: reported with its global index and the count.
        b[17] += 1.0;
        b[50] = 0.0;
        let m = check(&b, 42, 1000).unwrap_err();
        assert_eq!(m.index, 1017);
        assert_eq!(m.count, 2);
        assert_eq!(m.expected, value(42, 1017));
        assert!(m.to_string().contains("element 1017"));
        // Garbage is shown short (in exponent form when tiny or huge).
        let g = Mismatch {
            index: 3,
            expected: 5.0,
            got: f64::from_bits(0xA5A5_A5A5_A5A5_A5A5),
            count: 1,
        };
        assert_eq!(
            g.to_string(),
            "1 wrong element(s); the first is element 3: expected 5.0, read -2.4983353906949635e-127"
        );
    }

    #[test]
    fn seeds_differ() {
        let mut seen = std::collections::HashSet::new();
        for sc in [1, 2, 4, 8] {
            for rep in 0..5 {
                for series in 0..4 {
                    for io in 0..2 {
                        assert!(seen.insert(seed(sc, rep, series, io)));
                    }
                }
            }
        }
    }
}
