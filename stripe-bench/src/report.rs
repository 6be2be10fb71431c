//! Results: one [`Record`] per timed operation, `results.csv`, the table of medians with ratios
//! to `mpiio`, and the curves (mean and standard deviation) that the plot draws, including a
//! `--reference` file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use crate::cli::{Op, SeriesKind};

/// The contract's columns of `results.csv`: always first, in this order.
pub const CONTRACT_HEADER: &str =
    "series,op,io,stripe_count,stripe_size,procs,bytes,rep,seconds,gbps";

/// The exact header of `results.csv`: [`CONTRACT_HEADER`], then the new columns: the series'
/// position in its repeat (from 1; the order is rotated repeat by repeat), `--buffer-align`
/// and the buffers' actual offset past a page, user and system CPU seconds of the operation
/// summed over ranks, the 1-minute load average when it ran, and whether it is an outlier
/// among the repeats of its line (1) or not (0).
pub const CSV_HEADER: &str = "series,op,io,stripe_count,stripe_size,procs,bytes,rep,seconds,gbps,\
                              position,buffer_align,buffer_offset,user_s,sys_s,load1,outlier";

/// The header of the NERSC reference curve (`reference/nersc_stripe_io.csv`).
pub const NERSC_HEADER: &str = "stripe_count,gbps,err_gbps";

/// One timed operation: a row of `results.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Series name (`h5par`, `hdf5-default`, `mpiio`, `h5py`).
    pub series: String,
    /// `write` or `read`.
    pub op: String,
    /// `indep` or `coll`.
    pub io: String,
    /// Stripe count asked for (through the `striping_factor` hint).
    pub stripe_count: u32,
    /// Stripe size asked for, bytes.
    pub stripe_size: u64,
    /// Number of MPI ranks.
    pub procs: u32,
    /// Bytes moved by all ranks together.
    pub bytes: u64,
    /// Repeat number, from 1.
    pub rep: u32,
    /// Seconds of the slowest rank.
    pub seconds: f64,
    /// `bytes / seconds / 1e9`.
    pub gbps: f64,
    /// Position of the series in its repeat, from 1 (0 when not known).
    pub position: u32,
    /// `--buffer-align` (empty when not known).
    pub buffer_align: String,
    /// Offset past a page of the user buffer of rank 0.
    pub buffer_offset: u64,
    /// User CPU seconds of the operation, summed over ranks (NaN when not known).
    pub user_s: f64,
    /// System CPU seconds of the operation, summed over ranks (NaN when not known).
    pub sys_s: f64,
    /// The 1-minute load average on rank 0 before the operation (NaN when not known).
    pub load1: f64,
    /// Outside the Tukey fences of its line's repeats ([`flag_outliers`]).
    pub outlier: bool,
}

impl Record {
    /// GB/s (1e9 bytes per second) of `bytes` moved in `seconds`; 0 for a zero time.
    pub fn gbps_of(bytes: u64, seconds: f64) -> f64 {
        if seconds > 0.0 {
            bytes as f64 / seconds / 1e9
        } else {
            0.0
        }
    }

    /// A record of the contract's columns only, the others unknown.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        series: &str,
        op: &str,
        io: &str,
        stripe_count: u32,
        stripe_size: u64,
        procs: u32,
        bytes: u64,
        rep: u32,
        seconds: f64,
    ) -> Record {
        Record {
            series: series.into(),
            op: op.into(),
            io: io.into(),
            stripe_count,
            stripe_size,
            procs,
            bytes,
            rep,
            seconds,
            gbps: Record::gbps_of(bytes, seconds),
            position: 0,
            buffer_align: String::new(),
            buffer_offset: 0,
            user_s: f64::NAN,
            sys_s: f64::NAN,
            load1: f64::NAN,
            outlier: false,
        }
    }

    fn csv_line(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{:.6},{:.4},{},{},{},{:.3},{:.3},{:.2},{}",
            self.series,
            self.op,
            self.io,
            self.stripe_count,
            self.stripe_size,
            self.procs,
            self.bytes,
            self.rep,
            self.seconds,
            self.gbps,
            self.position,
            self.buffer_align,
            self.buffer_offset,
            self.user_s,
            self.sys_s,
            self.load1,
            u8::from(self.outlier)
        )
    }
}

/// Sets [`Record::outlier`] on every record: outside the Tukey fences of the GB/s of the
/// repeats of its line (series, op, io, stripe count).
pub fn flag_outliers(records: &mut [Record]) {
    let mut lines: BTreeMap<(String, String, String, u32), Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        lines
            .entry((r.series.clone(), r.op.clone(), r.io.clone(), r.stripe_count))
            .or_default()
            .push(i);
    }
    for idx in lines.values() {
        let v: Vec<f64> = idx.iter().map(|&i| records[i].gbps).collect();
        for (&i, o) in idx.iter().zip(crate::method::outliers(&v)) {
            records[i].outlier = o;
        }
    }
}

/// Writes `records` as CSV (with [`CSV_HEADER`]) to `w`.
pub fn write_csv<W: Write>(mut w: W, records: &[Record]) -> io::Result<()> {
    writeln!(w, "{CSV_HEADER}")?;
    for r in records {
        writeln!(w, "{}", r.csv_line())?;
    }
    w.flush()
}

/// Writes `records` to the file `path`.
pub fn write_csv_file(path: &Path, records: &[Record]) -> io::Result<()> {
    let f = std::fs::File::create(path)?;
    write_csv(io::BufWriter::new(f), records)
}

/// Parses the text of a `results.csv` (lines starting with `#` and blank lines are skipped).
pub fn parse_results_csv(text: &str) -> Result<Vec<Record>, String> {
    let mut lines = data_lines(text);
    let header: Vec<String> = match lines.next() {
        Some((_, h)) if is_results_header(h) => h.split(',').map(|c| c.trim().into()).collect(),
        Some((n, h)) => {
            return Err(format!(
                "line {n}: expected a header starting with {CONTRACT_HEADER:?}, found {h:?}"
            ))
        }
        None => return Err("no header".into()),
    };
    let col = |name: &str| header.iter().position(|c| c == name);
    let mut out = Vec::new();
    for (n, line) in lines {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != header.len() {
            return Err(format!(
                "line {n}: expected {} fields, found {}",
                header.len(),
                f.len()
            ));
        }
        let extra_num = |name: &str| {
            col(name)
                .and_then(|k| f[k].parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let num = |k: usize| -> Result<f64, String> {
            f[k].parse::<f64>()
                .map_err(|_| format!("line {n}: field {k} ({:?}) is not a number", f[k]))
        };
        let int = |k: usize| -> Result<u64, String> {
            f[k].parse::<u64>()
                .map_err(|_| format!("line {n}: field {k} ({:?}) is not a whole number", f[k]))
        };
        out.push(Record {
            series: f[0].to_string(),
            op: f[1].to_string(),
            io: f[2].to_string(),
            stripe_count: int(3)? as u32,
            stripe_size: int(4)?,
            procs: int(5)? as u32,
            bytes: int(6)?,
            rep: int(7)? as u32,
            seconds: num(8)?,
            gbps: num(9)?,
            position: extra_num("position").max(0.0) as u32,
            buffer_align: col("buffer_align").map_or(String::new(), |k| f[k].to_string()),
            buffer_offset: extra_num("buffer_offset").max(0.0) as u64,
            user_s: extra_num("user_s"),
            sys_s: extra_num("sys_s"),
            load1: extra_num("load1"),
            outlier: col("outlier").is_some_and(|k| f[k] == "1"),
        });
    }
    Ok(out)
}

/// Whether `h` is the header of a `results.csv`: the contract's columns first (files of
/// earlier versions have only those).
fn is_results_header(h: &str) -> bool {
    h == CONTRACT_HEADER || h.starts_with(&format!("{CONTRACT_HEADER},"))
}

/// Numbered (from 1) lines that are neither blank nor `#` comments.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// The median of `v` (the mean of the two middle values for an even count); NaN when empty.
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

/// Mean and sample standard deviation (0 for fewer than two values).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, 0.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// One line of the summary table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Series name.
    pub series: String,
    /// Operation.
    pub op: String,
    /// Transfer mode.
    pub io: String,
    /// Stripe count.
    pub stripe_count: u32,
    /// Number of repeats.
    pub reps: usize,
    /// Median GB/s.
    pub median: f64,
    /// Slowest repeat, GB/s.
    pub min: f64,
    /// Fastest repeat, GB/s.
    pub max: f64,
    /// Median divided by the median of `mpiio` with the same op, io and stripe count.
    pub vs_mpiio: Option<f64>,
    /// Median system CPU seconds of an operation, summed over ranks (NaN when not known).
    pub sys_s: f64,
    /// Number of repeats flagged as outliers.
    pub outliers: usize,
}

/// Sort key of a series name: the run order of known series, then others by name.
fn series_rank(name: &str) -> (usize, String) {
    let k = SeriesKind::from_name(name).map_or(usize::MAX, |k| k as usize);
    (k, name.to_string())
}

/// Sort key of an operation name: write before read.
fn op_rank(name: &str) -> (usize, String) {
    let k = Op::from_name(name).map_or(usize::MAX, |o| o as usize);
    (k, name.to_string())
}

type GroupKey = ((usize, String), String, u32, (usize, String));

/// Groups the records by (op, io, stripe count, series), in table order.
fn groups(records: &[Record]) -> BTreeMap<GroupKey, Vec<&Record>> {
    let mut g: BTreeMap<GroupKey, Vec<&Record>> = BTreeMap::new();
    for r in records {
        g.entry((
            op_rank(&r.op),
            r.io.clone(),
            r.stripe_count,
            series_rank(&r.series),
        ))
        .or_default()
        .push(r);
    }
    g
}

/// The summary: one [`Row`] per series, op, io and stripe count, grouped by op, io and stripe
/// count so that the series being compared stand together.
pub fn summarize(records: &[Record]) -> Vec<Row> {
    let g = groups(records);
    let mut rows: Vec<Row> = g
        .iter()
        .map(|((op, io, sc, series), recs)| {
            let v: Vec<f64> = recs.iter().map(|r| r.gbps).collect();
            let sys: Vec<f64> = recs
                .iter()
                .map(|r| r.sys_s)
                .filter(|x| !x.is_nan())
                .collect();
            Row {
                series: series.1.clone(),
                op: op.1.clone(),
                io: io.clone(),
                stripe_count: *sc,
                reps: v.len(),
                median: median(&v),
                min: v.iter().copied().fold(f64::INFINITY, f64::min),
                max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                vs_mpiio: None,
                sys_s: median(&sys),
                outliers: recs.iter().filter(|r| r.outlier).count(),
            }
        })
        .collect();
    let base: BTreeMap<(String, String, u32), f64> = rows
        .iter()
        .filter(|r| r.series == SeriesKind::Mpiio.name())
        .map(|r| ((r.op.clone(), r.io.clone(), r.stripe_count), r.median))
        .collect();
    for r in &mut rows {
        if let Some(&b) = base.get(&(r.op.clone(), r.io.clone(), r.stripe_count)) {
            if b > 0.0 {
                r.vs_mpiio = Some(r.median / b);
            }
        }
    }
    rows
}

/// The table printed on stdout.
pub fn format_table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<13} {:<5} {:<5} {:>7} {:>4} {:>11} {:>8} {:>8} {:>8} {:>7} {:>4}",
        "series",
        "op",
        "io",
        "stripes",
        "reps",
        "median GB/s",
        "min",
        "max",
        "vs mpiio",
        "sys s",
        "outl"
    );
    let mut last: Option<(String, String, u32)> = None;
    for r in rows {
        let key = (r.op.clone(), r.io.clone(), r.stripe_count);
        if last.as_ref().is_some_and(|l| *l != key) {
            s.push('\n');
        }
        last = Some(key);
        let ratio = r
            .vs_mpiio
            .map_or_else(|| "-".to_string(), |x| format!("{x:.2}x"));
        let _ = writeln!(
            s,
            "{:<13} {:<5} {:<5} {:>7} {:>4} {:>11.3} {:>8.3} {:>8.3} {:>8} {:>7.3} {:>4}",
            r.series,
            r.op,
            r.io,
            r.stripe_count,
            r.reps,
            r.median,
            r.min,
            r.max,
            ratio,
            r.sys_s,
            r.outliers
        );
    }
    s
}

/// A point of a curve: stripe count, mean GB/s and its error bar (standard deviation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Stripe count.
    pub x: f64,
    /// Mean GB/s.
    pub mean: f64,
    /// Standard deviation of GB/s (half the error bar).
    pub err: f64,
}

/// One line of the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// Series name (empty for a NERSC-style reference curve); picks the colour.
    pub series: String,
    /// Operation (`write`, `read`, or empty); picks the line style.
    pub op: String,
    /// Transfer mode (`coll`, `indep`, or empty); picks the marker.
    pub io: String,
    /// Points by increasing stripe count.
    pub points: Vec<Point>,
    /// Whether it comes from `--reference` (drawn dashed).
    pub reference: bool,
}

/// (series, op, io) of a curve, with sort ranks.
type LineKey = ((usize, String), (usize, String), String);

/// One curve per series, op and io: mean and standard deviation over repeats at each stripe
/// count. `prefix` starts every label (used for reference runs).
pub fn curves(records: &[Record], prefix: &str, reference: bool) -> Vec<Curve> {
    let mut by_line: BTreeMap<LineKey, BTreeMap<u32, Vec<f64>>> = BTreeMap::new();
    for r in records {
        by_line
            .entry((series_rank(&r.series), op_rank(&r.op), r.io.clone()))
            .or_default()
            .entry(r.stripe_count)
            .or_default()
            .push(r.gbps);
    }
    by_line
        .into_iter()
        .map(|((series, op, io), pts)| Curve {
            label: format!("{prefix}{} {} {}", series.1, op.1, io),
            series: series.1,
            op: op.1,
            io,
            points: pts
                .into_iter()
                .map(|(x, v)| {
                    let (mean, err) = mean_std(&v);
                    Point {
                        x: f64::from(x),
                        mean,
                        err,
                    }
                })
                .collect(),
            reference,
        })
        .collect()
}

/// Parses a `--reference` file: either another run's `results.csv` or a curve with the header
/// [`NERSC_HEADER`] (`#` comment lines allowed). `name` labels the curves.
pub fn parse_reference(text: &str, name: &str) -> Result<Vec<Curve>, String> {
    let header = data_lines(text).next().map(|(_, h)| h.to_string());
    match header.as_deref() {
        Some(h) if is_results_header(h) => {
            let recs = parse_results_csv(text)?;
            if recs.is_empty() {
                return Err("the results file holds no rows".into());
            }
            Ok(curves(&recs, &format!("{name}: "), true))
        }
        Some(NERSC_HEADER) => {
            let mut points = Vec::new();
            for (n, line) in data_lines(text).skip(1) {
                let f: Vec<&str> = line.split(',').map(str::trim).collect();
                let nums: Result<Vec<f64>, _> = f.iter().map(|x| x.parse::<f64>()).collect();
                match nums {
                    Ok(v) if v.len() == 3 && v.iter().all(|x| x.is_finite()) => points.push(Point {
                        x: v[0],
                        mean: v[1],
                        err: v[2],
                    }),
                    _ => {
                        return Err(format!(
                            "line {n}: expected three numbers stripe_count,gbps,err_gbps, found {line:?}"
                        ))
                    }
                }
            }
            if points.is_empty() {
                return Err("the reference curve holds no points".into());
            }
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            Ok(vec![Curve {
                label: format!("{name} (reference)"),
                series: String::new(),
                op: String::new(),
                io: String::new(),
                points,
                reference: true,
            }])
        }
        Some(h) => Err(format!(
            "unknown header {h:?}: expected {CSV_HEADER:?} (a results.csv) or {NERSC_HEADER:?}"
        )),
        None => Err("the file is empty".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(series: &str, op: &str, io: &str, sc: u32, rep: u32, gbps: f64) -> Record {
        let mut r = Record::new(
            series,
            op,
            io,
            sc,
            1 << 20,
            2,
            1 << 30,
            rep,
            (1u64 << 30) as f64 / gbps / 1e9,
        );
        r.gbps = gbps;
        r
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
        let (m, s) = mean_std(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((s - 1.0).abs() < 1e-12);
        assert_eq!(mean_std(&[5.0]), (5.0, 0.0));
    }

    #[test]
    fn summary_medians_and_ratios() {
        let mut r = Vec::new();
        for (rep, (a, b, c)) in [(1.0, 2.0, 9.0), (3.0, 4.0, 1.0), (2.0, 3.0, 5.0)]
            .into_iter()
            .enumerate()
        {
            let rep = rep as u32 + 1;
            r.push(rec("h5par", "read", "coll", 4, rep, a));
            r.push(rec("mpiio", "read", "coll", 4, rep, b));
            r.push(rec("h5py", "read", "coll", 4, rep, c));
            r.push(rec("h5par", "write", "coll", 4, rep, 1.0));
            r.push(rec("h5par", "read", "coll", 1, rep, 1.0));
        }
        let rows = summarize(&r);
        // Writes first, then reads by stripe count; series in run order.
        let keys: Vec<(&str, &str, u32)> = rows
            .iter()
            .map(|r| (r.op.as_str(), r.series.as_str(), r.stripe_count))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("write", "h5par", 4),
                ("read", "h5par", 1),
                ("read", "h5par", 4),
                ("read", "mpiio", 4),
                ("read", "h5py", 4)
            ]
        );
        let h5par = &rows[2];
        assert_eq!(
            (h5par.median, h5par.min, h5par.max, h5par.reps),
            (2.0, 1.0, 3.0, 3)
        );
        assert_eq!(h5par.vs_mpiio, Some(2.0 / 3.0));
        assert_eq!(rows[3].vs_mpiio, Some(1.0));
        assert_eq!(rows[4].median, 5.0);
        assert_eq!(rows[4].vs_mpiio, Some(5.0 / 3.0));
        // No mpiio at that op/stripe count: no ratio.
        assert_eq!(rows[0].vs_mpiio, None);
        assert_eq!(rows[1].vs_mpiio, None);
        let t = format_table(&rows);
        assert!(t.starts_with("series"));
        assert!(t.contains("0.67x"));
        assert!(t.contains("1.67x"));
        let h5py_line = t.lines().find(|l| l.starts_with("h5py")).unwrap();
        assert!(h5py_line.contains("5.000") && h5py_line.contains(" 1.67x "));
        assert!(h5py_line.ends_with("NaN    0"), "{h5py_line:?}");
    }

    #[test]
    fn csv_round_trip() {
        let r = vec![
            rec("h5par", "read", "indep", 2, 1, 1.5),
            rec("hdf5-default", "write", "coll", 8, 3, 0.25),
        ];
        let mut buf = Vec::new();
        write_csv(&mut buf, &r).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        assert_eq!(
            CSV_HEADER,
            format!(
                "{CONTRACT_HEADER},position,buffer_align,buffer_offset,user_s,sys_s,load1,outlier"
            )
        );
        assert_eq!(
            lines.next(),
            Some("h5par,read,indep,2,1048576,2,1073741824,1,0.715828,1.5000,0,,0,NaN,NaN,NaN,0")
        );
        let back = parse_results_csv(&text).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].series, "hdf5-default");
        assert_eq!(back[1].stripe_count, 8);
        assert_eq!(back[1].gbps, 0.25);
        // A file of an earlier version (the contract's columns only) still parses.
        let old = format!("{CONTRACT_HEADER}\nmpiio,read,coll,1,1048576,2,8,1,0.5,0.0000\n");
        let o = parse_results_csv(&old).unwrap();
        assert_eq!((o[0].series.as_str(), o[0].position), ("mpiio", 0));
        let mut full = r.clone();
        full[0].position = 3;
        full[0].buffer_align = "page+16".into();
        full[0].buffer_offset = 16;
        full[0].user_s = 0.25;
        full[0].outlier = true;
        let mut buf = Vec::new();
        write_csv(&mut buf, &full).unwrap();
        let back = parse_results_csv(&String::from_utf8(buf).unwrap()).unwrap();
        assert_eq!(back[0].position, 3);
        assert_eq!(back[0].buffer_align, "page+16");
        assert_eq!((back[0].buffer_offset, back[0].user_s), (16, 0.25));
        assert!(back[0].outlier && !back[1].outlier);
        assert!(parse_results_csv("a,b\n1,2").is_err());
        assert!(parse_results_csv(&format!("{CSV_HEADER}\nx,y")).is_err());
    }

    #[test]
    fn csv_file_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("results.csv");
        write_csv_file(&p, &[rec("mpiio", "write", "coll", 1, 1, 2.0)]).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains(",2.0000,"), "{text}");
    }

    #[test]
    fn outliers_per_line() {
        let mut r: Vec<Record> = [5.0, 5.1, 4.9, 5.0, 1.0]
            .iter()
            .enumerate()
            .map(|(i, &g)| rec("h5par", "read", "coll", 1, i as u32 + 1, g))
            .collect();
        // Another line with the same values does not mix with the first.
        r.extend((1..=5).map(|i| rec("mpiio", "read", "coll", 1, i, 1.0)));
        flag_outliers(&mut r);
        let flagged: Vec<(String, u32)> = r
            .iter()
            .filter(|x| x.outlier)
            .map(|x| (x.series.clone(), x.rep))
            .collect();
        assert_eq!(flagged, vec![("h5par".to_string(), 5)]);
    }

    #[test]
    fn gbps() {
        assert_eq!(Record::gbps_of(2_000_000_000, 2.0), 1.0);
        assert_eq!(Record::gbps_of(1, 0.0), 0.0);
    }

    #[test]
    fn reference_files() {
        let nersc = "# comment\n# another\nstripe_count,gbps,err_gbps\n16,1.82,0.06\n2,0.30,0.02\n";
        let c = parse_reference(nersc, "NERSC").unwrap();
        assert_eq!(c.len(), 1);
        assert!(c[0].reference);
        assert_eq!(
            c[0].points[0],
            Point {
                x: 2.0,
                mean: 0.3,
                err: 0.02
            }
        );
        assert!(parse_reference("stripe_count,gbps,err_gbps\n1,x,2\n", "n").is_err());
        assert!(parse_reference("what,ever\n", "n").is_err());
        assert!(parse_reference("# only comments\n", "n").is_err());

        let mut buf = Vec::new();
        write_csv(
            &mut buf,
            &[
                rec("mpiio", "read", "indep", 1, 1, 1.0),
                rec("mpiio", "read", "indep", 1, 2, 3.0),
                rec("mpiio", "read", "indep", 2, 1, 2.0),
            ],
        )
        .unwrap();
        let c = parse_reference(&String::from_utf8(buf).unwrap(), "old").unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].label, "old: mpiio read indep");
        assert_eq!(c[0].points.len(), 2);
        assert_eq!(c[0].points[0].mean, 2.0);
        assert!((c[0].points[0].err - 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn the_shipped_nersc_reference_parses() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/reference/nersc_stripe_io.csv");
        if let Ok(text) = std::fs::read_to_string(p) {
            let c = parse_reference(&text, "NERSC").unwrap();
            assert_eq!(c[0].points.len(), 10);
        }
    }
}
