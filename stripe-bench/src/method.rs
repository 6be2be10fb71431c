//! The measuring method: the order of the series in each repeat, the user buffers as a C or
//! numpy user allocates them, CPU time of an operation, outliers, and what the run's metadata
//! says about the machine (CPU model, kernel, load average).
//!
//! Pure where it can be: [`rotated`], [`outliers`] and [`AlignedBuf`]'s offset arithmetic are
//! tested without MPI.

use std::fmt;

use clap::ValueEnum;

/// A page, for buffer alignment.
pub const PAGE: usize = 4096;

/// `--buffer-align`: where the user buffers of a rank start relative to a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BufferAlign {
    /// As glibc's `malloc` (and so numpy, Rust's `Vec`) gives a large buffer: 16 bytes past a
    /// page on Linux/x86-64. What a C or numpy user gets.
    Malloc,
    /// Page aligned.
    Page,
    /// 16 bytes past a page, whatever malloc does.
    #[value(name = "page+16")]
    Page16,
}

impl BufferAlign {
    /// The name on the command line and in the CSV.
    pub fn name(self) -> &'static str {
        match self {
            BufferAlign::Malloc => "malloc",
            BufferAlign::Page => "page",
            BufferAlign::Page16 => "page+16",
        }
    }

    /// The wanted offset past a page, `None` for whatever malloc gives.
    pub fn offset(self) -> Option<usize> {
        match self {
            BufferAlign::Malloc => None,
            BufferAlign::Page => Some(0),
            BufferAlign::Page16 => Some(16),
        }
    }
}

impl fmt::Display for BufferAlign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A buffer of `f64` whose first element lies at a chosen offset past a page (or where malloc
/// put it): a `Vec` with a page of slack, used from an element offset into it.
pub struct AlignedBuf {
    storage: Vec<f64>,
    start: usize,
    len: usize,
}

/// The number of elements to skip from `addr` so that the buffer starts `want` bytes past a
/// page (`want` a multiple of 8, below [`PAGE`]; `addr` 8-byte aligned).
pub fn skip_for(addr: usize, want: usize) -> usize {
    let here = addr % PAGE;
    ((want + PAGE - here) % PAGE) / std::mem::size_of::<f64>()
}

impl AlignedBuf {
    /// `len` elements placed as `align` says, filled with zeros (so every page is touched).
    pub fn new(len: usize, align: BufferAlign) -> AlignedBuf {
        match align.offset() {
            None => AlignedBuf {
                storage: vec![0.0; len],
                start: 0,
                len,
            },
            Some(want) => {
                let storage = vec![0.0; len + PAGE / std::mem::size_of::<f64>()];
                let start = skip_for(storage.as_ptr() as usize, want);
                AlignedBuf {
                    storage,
                    start,
                    len,
                }
            }
        }
    }

    /// The buffer.
    pub fn as_slice(&self) -> &[f64] {
        &self.storage[self.start..self.start + self.len]
    }

    /// The buffer, writable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.storage[self.start..self.start + self.len]
    }

    /// Bytes past a page of the first element.
    pub fn page_offset(&self) -> usize {
        self.as_slice().as_ptr() as usize % PAGE
    }
}

/// The series of repeat `rep` (from 1) in run order: row `rep - 1` of a Williams design (a
/// Latin square balanced for the carry-over of one run into the next). Over `n` repeats (`2n`
/// for an odd number `n` of series) every series takes every position once and follows every
/// other series once, so that neither a phase of the machine (a slow first write, writeback of
/// the previous series' file) nor what the previous series left behind (memory it freed, dirty
/// pages) always lands on the same series. A plain rotation keeps the neighbours: each series
/// would always follow the same one.
pub fn rotated<T: Clone>(series: &[T], rep: u32) -> Vec<T> {
    williams_row(series.len(), rep.saturating_sub(1) as usize)
        .into_iter()
        .map(|i| series[i].clone())
        .collect()
}

/// Row `r` of the Williams design for `n` treatments: `(r + w[j]) mod n` with `w` = 0, 1,
/// n-1, 2, n-2, ...; for odd `n`, rows `n..2n` are the first `n` reversed.
pub fn williams_row(n: usize, r: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let period = if n % 2 == 0 { n } else { 2 * n };
    let r = r % period;
    let (row, reverse) = (r % n, r >= n);
    let mut out: Vec<usize> = (0..n)
        .map(|j| {
            let w = if j == 0 {
                0
            } else if j % 2 == 1 {
                j.div_ceil(2)
            } else {
                n - j / 2
            };
            (row + w) % n
        })
        .collect();
    if reverse {
        out.reverse();
    }
    out
}

/// How far from the median (a fraction of it) a value must also be to be an outlier, so that
/// tightly grouped repeats do not flag differences of a percent.
pub const OUTLIER_MIN_DEVIATION: f64 = 0.10;

/// Which of `v` are outliers: outside the Tukey fences (first and third quartile, 1.5 times
/// the interquartile range beyond) and more than [`OUTLIER_MIN_DEVIATION`] from the median.
/// Fewer than 4 values flag nothing.
pub fn outliers(v: &[f64]) -> Vec<bool> {
    if v.len() < 4 {
        return vec![false; v.len()];
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let x = p * (s.len() - 1) as f64;
        let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
        s[lo] + (s[hi] - s[lo]) * (x - lo as f64)
    };
    let (q1, q3) = (q(0.25), q(0.75));
    let iqr = q3 - q1;
    let (lo, hi) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let med = q(0.5);
    v.iter()
        .map(|&x| (x < lo || x > hi) && (x - med).abs() > OUTLIER_MIN_DEVIATION * med.abs())
        .collect()
}

/// User and system CPU seconds of this process so far (`getrusage(RUSAGE_SELF)`).
pub fn cpu_times() -> (f64, f64) {
    // SAFETY: rusage is plain data filled by the call.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid out-pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return (f64::NAN, f64::NAN);
    }
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    (s(u.ru_utime), s(u.ru_stime))
}

/// The 1-minute load average (`/proc/loadavg`), NaN if unknown.
pub fn load1() -> f64 {
    load_text()
        .split_whitespace()
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The first three fields of `/proc/loadavg` (1, 5, 15 minutes), or `"unknown"`.
pub fn load_text() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The CPU: model name, vendor, family and model, and the flags that decide the kernel's copy
/// (`erms`, `fsrm`), from the text of `/proc/cpuinfo`.
pub fn cpu_from_cpuinfo(text: &str) -> String {
    let field = |k: &str| {
        text.lines()
            .find(|l| l.split(':').next().map(str::trim) == Some(k))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let flags = field("flags").unwrap_or_default();
    let copy: Vec<&str> = flags
        .split_whitespace()
        .filter(|f| matches!(*f, "erms" | "fsrm"))
        .collect();
    format!(
        "{} ({}, family {}, model {}{}{})",
        field("model name").unwrap_or_else(|| "unknown".into()),
        field("vendor_id").unwrap_or_else(|| "unknown vendor".into()),
        field("cpu family").unwrap_or_else(|| "?".into()),
        field("model").unwrap_or_else(|| "?".into()),
        if copy.is_empty() { "" } else { ", " },
        copy.join(" ")
    )
}

/// The CPU of this machine ([`cpu_from_cpuinfo`]) and its number of online cores.
pub fn cpu() -> String {
    // Online cores, not this process's affinity (mpirun binds each rank to one).
    // SAFETY: sysconf has no preconditions.
    let cores = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(0);
    let text = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    format!("{}, {cores} core(s)", cpu_from_cpuinfo(&text))
}

/// The kernel: `uname -srm`.
pub fn kernel() -> String {
    // SAFETY: utsname is plain data filled by the call.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: a valid out-pointer.
    if unsafe { libc::uname(&mut u) } != 0 {
        return "unknown".into();
    }
    let s = |f: &[libc::c_char]| {
        let b: Vec<u8> = f
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&b).into_owned()
    };
    format!("{} {} {}", s(&u.sysname), s(&u.release), s(&u.machine))
}

/// The MPI library's own version string (`MPI_Get_library_version`), first line.
pub fn mpi_library() -> String {
    mpi::environment::library_version()
        .map(|v| v.lines().next().unwrap_or("").trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_gives_every_series_every_position_and_every_predecessor() {
        let s = ["a", "b", "c", "d"];
        assert_eq!(rotated(&s, 1), ["a", "b", "d", "c"]);
        assert_eq!(rotated(&s, 2), ["b", "c", "a", "d"]);
        assert_eq!(rotated(&s, 5), rotated(&s, 1));
        assert_eq!(rotated(&s, 0), rotated(&s, 1));
        assert!(rotated::<u8>(&[], 3).is_empty());
        assert_eq!(rotated(&["x"], 2), ["x"]);
        for n in 1..=11usize {
            let period = if n % 2 == 0 { n } else { 2 * n };
            let rows: Vec<Vec<usize>> = (0..period).map(|r| williams_row(n, r)).collect();
            let mut at = vec![vec![0; n]; n]; // at[series][position]
            let mut after = vec![vec![0; n]; n]; // after[previous][next]
            for row in &rows {
                let mut sorted = row.clone();
                sorted.sort();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "n {n}: {row:?}");
                for (pos, &x) in row.iter().enumerate() {
                    at[x][pos] += 1;
                }
                for w in row.windows(2) {
                    after[w[0]][w[1]] += 1;
                }
            }
            let times = period / n;
            assert!(at.iter().flatten().all(|&c| c == times), "n {n}: {at:?}");
            for (i, row) in after.iter().enumerate() {
                for (j, &c) in row.iter().enumerate() {
                    assert_eq!(c, if i == j { 0 } else { times }, "n {n}: {i} then {j}");
                }
            }
        }
    }

    #[test]
    fn buffers_start_where_asked() {
        for addr in [16usize, 0, 4080, 8, 4096 + 2048] {
            for want in [0usize, 16, 2048] {
                let k = skip_for(addr, want);
                assert_eq!((addr + 8 * k) % PAGE, want, "{addr} {want}");
                assert!(8 * k < PAGE);
            }
        }
        let n = 300_000; // large enough for glibc to mmap it
        for (align, want) in [(BufferAlign::Page, 0), (BufferAlign::Page16, 16)] {
            let mut b = AlignedBuf::new(n, align);
            assert_eq!(b.page_offset(), want, "{align}");
            assert_eq!(b.as_slice().len(), n);
            b.as_mut_slice()[n - 1] = 1.0;
            assert_eq!(b.as_slice()[n - 1], 1.0);
        }
        let m = AlignedBuf::new(n, BufferAlign::Malloc);
        assert_eq!(m.as_slice().len(), n);
        assert_eq!(m.page_offset() % 8, 0);
    }

    #[test]
    fn outliers_are_flagged() {
        assert_eq!(outliers(&[1.0, 100.0, 2.0]), [false; 3]);
        let f = outliers(&[5.0, 5.1, 4.9, 5.0, 1.2]);
        assert_eq!(f, [false, false, false, false, true]);
        assert_eq!(outliers(&[5.0, 5.1, 4.9, 5.0, 5.05]), [false; 5]);
        assert_eq!(outliers(&[2.0; 6]), [false; 6]);
        // Outside the fences but within 10% of the median: not flagged.
        assert_eq!(outliers(&[5.0, 5.0, 5.0, 5.0, 5.3]), [false; 5]);
        assert_eq!(
            outliers(&[5.0, 5.0, 5.0, 5.0, 5.6]),
            [false, false, false, false, true]
        );
    }

    #[test]
    fn cpu_text() {
        let t = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n\
                 model name\t: AMD EPYC 7763 64-Core Processor\nflags\t\t: fpu erms sse fsrm\n";
        assert_eq!(
            cpu_from_cpuinfo(t),
            "AMD EPYC 7763 64-Core Processor (AuthenticAMD, family 25, model 1, erms fsrm)"
        );
        assert!(cpu_from_cpuinfo("").starts_with("unknown"));
        assert!(!kernel().is_empty());
        let (u, s) = cpu_times();
        assert!(u >= 0.0 && s >= 0.0);
    }
}
