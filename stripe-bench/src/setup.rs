//! Checks of the run's surroundings, made by rank 0 before anything is measured (`main.rs`
//! broadcasts the verdict): the output and benchmark directories, free space, the file system,
//! the host, the `--reference` file and which series can run.

use std::ffi::CString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use h5par::tune::fs::{detect, FsKind};

use crate::cli::{format_size, Config, OpChoice, SeriesKind};
use crate::report::{parse_reference, Curve};
use crate::series::h5py;

/// What rank 0 learned about the run's surroundings.
#[derive(Debug)]
pub struct Surroundings {
    /// `--dir`, absolute.
    pub dir: PathBuf,
    /// The file system of `--dir`.
    pub fs: FsKind,
    /// This host's name.
    pub host: String,
    /// The series that will run, in run order.
    pub series: Vec<SeriesKind>,
    /// Why h5py is left out of a default run, if it is.
    pub h5py_skipped: Option<String>,
    /// The h5py script written into `--out`, when h5py runs.
    pub script: Option<PathBuf>,
    /// Curves of `--reference`.
    pub reference: Vec<Curve>,
    /// Where rank 0's buffers start past a page (known after the run).
    pub buffer_offset: u64,
}

/// Rank 0: checks everything and prepares `--out`; an error is a message for the user.
pub fn survey(cfg: &Config, tag: &str) -> Result<Surroundings, String> {
    check_out(&cfg.out)?;
    let dir = check_dir(&cfg.dir, tag)?;
    // On a later error nobody looks for the probe file: take it away again.
    survey_in(cfg, dir.clone()).inspect_err(|_| {
        let _ = std::fs::remove_file(probe_path(&dir, tag));
    })
}

/// [`survey`] once `--out` and `--dir` (the absolute `dir`) are known to be usable.
fn survey_in(cfg: &Config, dir: PathBuf) -> Result<Surroundings, String> {
    let fs = detect(&dir)
        .map(|i| i.kind)
        .map_err(|e| format!("--dir {}: {e}", cfg.dir.display()))?;
    let reference = match &cfg.reference {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("--reference {}: {e}", p.display()))?;
            let name = reference_name(p);
            parse_reference(&text, &name)
                .map_err(|e| format!("--reference {}: {e}", p.display()))?
        }
        None => Vec::new(),
    };
    let (series, h5py_skipped) = choose_series(cfg.series.as_deref(), h5py::available)?;
    let files = if cfg.op == OpChoice::Read {
        series.len() as u64
    } else {
        1
    };
    let need = cfg.size.saturating_mul(files);
    if let Some(free) = free_bytes(&dir) {
        if free < need.saturating_add(need / 20) {
            return Err(format!(
                "--dir {}: {} free, the run needs {} ({} file(s) of {})",
                dir.display(),
                format_size(free),
                format_size(need),
                files,
                format_size(cfg.size)
            ));
        }
    }
    let script = if series.contains(&SeriesKind::H5py) {
        let p = cfg.out.join(h5py::SCRIPT_NAME);
        std::fs::write(&p, h5py::SCRIPT)
            .map_err(|e| format!("--out: writing {}: {e}", p.display()))?;
        Some(std::fs::canonicalize(&p).unwrap_or(p))
    } else {
        None
    };
    Ok(Surroundings {
        dir,
        fs,
        host: hostname(),
        series,
        h5py_skipped,
        script,
        reference,
        buffer_offset: 0,
    })
}

/// The legend name of a `--reference` file: its stem (`nersc_stripe_io`), or for another
/// run's `results.csv` the name of its directory (`sb-quick/results`).
pub fn reference_name(p: &Path) -> String {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "reference".into());
    let parent = std::fs::canonicalize(p).ok().and_then(|a| {
        a.parent()
            .and_then(|d| d.file_name())
            .map(|d| d.to_string_lossy().into_owned())
    });
    match parent {
        Some(d) if stem == "results" => format!("{d}/{stem}"),
        _ => stem,
    }
}

/// Creates `--out` if needed and checks that a file can be written there.
pub fn check_out(out: &Path) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "--out {}: exists and is not a directory",
            out.display()
        ));
    }
    std::fs::create_dir_all(out)
        .map_err(|e| format!("--out {}: cannot create the directory: {e}", out.display()))?;
    let probe = out.join(".stripe-bench-probe");
    let written = std::fs::File::create(&probe).and_then(|mut f| f.write_all(b"probe"));
    let _ = std::fs::remove_file(&probe);
    written.map_err(|e| format!("--out {}: cannot write there: {e}", out.display()))
}

/// The probe file rank 0 leaves in `--dir` so that the other ranks can check they see it.
pub fn probe_path(dir: &Path, tag: &str) -> PathBuf {
    dir.join(format!(".stripe-bench-{tag}.probe"))
}

/// Checks that `dir` is a writable directory, leaves the probe file there, returns the
/// absolute path.
pub fn check_dir(dir: &Path, tag: &str) -> Result<PathBuf, String> {
    let abs = std::fs::canonicalize(dir).map_err(|e| format!("--dir {}: {e}", dir.display()))?;
    if !abs.is_dir() {
        return Err(format!("--dir {}: not a directory", dir.display()));
    }
    std::fs::write(probe_path(&abs, tag), b"probe")
        .map_err(|e| format!("--dir {}: cannot write there: {e}", dir.display()))?;
    Ok(abs)
}

/// The series to run: the ones asked for (an error if h5py is asked for and cannot run), or
/// every available one with a note when h5py is left out.
pub fn choose_series(
    requested: Option<&[SeriesKind]>,
    h5py_available: impl FnOnce() -> Result<(), String>,
) -> Result<(Vec<SeriesKind>, Option<String>), String> {
    match requested {
        Some(list) => {
            if list.contains(&SeriesKind::H5py) {
                h5py_available().map_err(|why| format!("--series h5py: cannot run: {why}"))?;
            }
            Ok((list.to_vec(), None))
        }
        None => match h5py_available() {
            Ok(()) => Ok((SeriesKind::ALL.to_vec(), None)),
            Err(why) => Ok((
                SeriesKind::ALL
                    .into_iter()
                    .filter(|&k| k != SeriesKind::H5py)
                    .collect(),
                Some(why),
            )),
        },
    }
}

/// Bytes available to this user under `dir`, if `statvfs` tells.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let c = CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is plain data; valid C string and out-pointer.
    unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut s) != 0 {
            return None;
        }
        Some((s.f_bavail as u64).saturating_mul(s.f_frsize as u64))
    }
}

/// This host's name (`gethostname`), or `unknown-host`.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer and its length.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown-host".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_choice() {
        let ok = || Ok(());
        let no = || Err("no h5py".to_string());
        assert_eq!(choose_series(None, ok).unwrap().0, SeriesKind::ALL.to_vec());
        let (s, why) = choose_series(None, no).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(why.as_deref(), Some("no h5py"));
        let req = [SeriesKind::Mpiio, SeriesKind::H5py];
        assert!(choose_series(Some(&req), no)
            .unwrap_err()
            .contains("no h5py"));
        assert_eq!(choose_series(Some(&req), ok).unwrap().0, req.to_vec());
        assert_eq!(
            choose_series(Some(&[SeriesKind::Mpiio]), no).unwrap().0,
            vec![SeriesKind::Mpiio]
        );
    }

    #[test]
    fn directories() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("a/b");
        check_out(&out).unwrap();
        assert!(out.is_dir());
        let abs = check_dir(d.path(), "t").unwrap();
        assert!(probe_path(&abs, "t").is_file());
        assert!(check_dir(&d.path().join("missing"), "t").is_err());
        assert!(free_bytes(d.path()).is_some());
        // A file where the directory should be.
        let f = d.path().join("file");
        std::fs::write(&f, b"x").unwrap();
        assert!(check_out(&f).is_err());
        assert!(!hostname().is_empty());
        let r = d.path().join("run1");
        std::fs::create_dir(&r).unwrap();
        std::fs::write(r.join("results.csv"), b"").unwrap();
        assert_eq!(reference_name(&r.join("results.csv")), "run1/results");
        assert_eq!(
            reference_name(Path::new("/x/nersc_stripe_io.csv")),
            "nersc_stripe_io"
        );
    }
}
