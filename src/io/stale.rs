//! Temporary files of atomic creates, and the removal of stale ones left by killed jobs.
//!
//! A file created atomically is written as `DIR/.NAME.h5par~HOST~PID~START~NONCE.tmp`: the
//! host, process id and process start time (clock ticks since boot, `/proc/PID/stat` field 22)
//! of rank 0, which creates it, and a nonce. A temporary is *stale*, and may be removed, only
//! when its creator is provably gone: it was made on this host, and no process with that pid
//! runs, or the process with that pid started at another time (the pid was reused). A
//! temporary of another host, of a live creator, or whose name does not carry this
//! information (older h5par versions) is never removed, so that jobs writing in the same
//! directory at the same time are safe from each other.
//!
//! [`remove_stale_temporaries`] applies the policy to a directory; creating a file removes the
//! stale temporaries of that file's name first, and the `h5par-clean DIR` command cleans a
//! whole directory.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The creator recorded in a temporary's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    /// Host name.
    pub host: String,
    /// Process id.
    pub pid: u32,
    /// Process start time in clock ticks since boot.
    pub start: u64,
}

/// A temporary found in a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Temporary {
    /// Its path.
    pub path: PathBuf,
    /// The name of the file it was going to become.
    pub target_name: String,
    /// Its creator, when the name records it.
    pub creator: Option<Creator>,
}

/// What the policy decided about a temporary, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Its creator is provably gone: it may be removed.
    Stale(String),
    /// It may belong to a running job (or nothing proves otherwise): it is kept.
    Kept(String),
}

/// The temporary name for a file called `name`, created by `creator`, with `nonce`.
pub fn temporary_file_name(name: &str, creator: &Creator, nonce: u64) -> String {
    format!(
        ".{name}.h5par~{}~{}~{}~{nonce:x}.tmp",
        creator.host.replace('~', "-"),
        creator.pid,
        creator.start
    )
}

/// Parses a directory entry's name as an h5par temporary (pure).
pub fn parse_temporary_name(file_name: &str) -> Option<(String, Option<Creator>)> {
    let body = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    if let Some(i) = body.rfind(".h5par~") {
        let target = &body[..i];
        let fields: Vec<&str> = body[i + ".h5par~".len()..].split('~').collect();
        if let [host, pid, start, nonce] = fields[..] {
            if let (Ok(pid), Ok(start), true) = (
                pid.parse::<u32>(),
                start.parse::<u64>(),
                u64::from_str_radix(nonce, 16).is_ok(),
            ) {
                let creator = Creator {
                    host: host.to_string(),
                    pid,
                    start,
                };
                return Some((target.to_string(), Some(creator)));
            }
        }
        return None;
    }
    // Older names: .NAME.h5par-HEX.tmp, without the creator.
    let i = body.rfind(".h5par-")?;
    let hex = &body[i + ".h5par-".len()..];
    (!hex.is_empty() && u64::from_str_radix(hex, 16).is_ok()).then(|| (body[..i].to_string(), None))
}

/// The policy (pure): `alive(pid)` is the start time of the running process `pid`, `None` when
/// no such process runs.
pub fn judge(
    creator: Option<&Creator>,
    this_host: &str,
    alive: impl Fn(u32) -> Option<u64>,
) -> Verdict {
    let Some(c) = creator else {
        return Verdict::Kept(
            "its name does not record its creator (made by an older h5par)".into(),
        );
    };
    if c.host != this_host {
        return Verdict::Kept(format!(
            "made on host {}, whose processes cannot be checked from {this_host}",
            c.host
        ));
    }
    match alive(c.pid) {
        None => Verdict::Stale(format!(
            "its creator, process {} on {}, is gone",
            c.pid, c.host
        )),
        Some(start) if start != c.start => Verdict::Stale(format!(
            "its creator, process {} on {}, is gone (that pid now belongs to a process started \
             at another time)",
            c.pid, c.host
        )),
        Some(_) => Verdict::Kept(format!(
            "its creator, process {} on {}, is still running",
            c.pid, c.host
        )),
    }
}

/// This host's name.
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is writable for its length.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    if rc != 0 {
        return "unknown-host".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// The start time (field 22 of `/proc/PID/stat`) of the running process `pid`, if any.
pub fn process_start(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: fields after it.
    let after = &text[text.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

/// The creator record of this process.
pub fn this_process() -> Creator {
    let pid = std::process::id();
    Creator {
        host: host_name(),
        pid,
        start: process_start(pid).unwrap_or(0),
    }
}

/// The h5par temporaries in `dir` (of the file called `only` when given), with the policy's
/// verdict on each.
pub fn find_temporaries(dir: &Path, only: Option<&str>) -> Result<Vec<(Temporary, Verdict)>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::from(e).context(format!("listing {}", dir.display())))?;
    let host = host_name();
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((target_name, creator)) = parse_temporary_name(&name) else {
            continue;
        };
        if only.is_some_and(|o| o != target_name) {
            continue;
        }
        let verdict = judge(creator.as_ref(), &host, process_start);
        out.push((
            Temporary {
                path: entry.path(),
                target_name,
                creator,
            },
            verdict,
        ));
    }
    out.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    Ok(out)
}

/// Removes the stale temporaries of `dir` (only those of the file called `only`, when given)
/// and returns what was removed, and why. Local: call it from one rank. Temporaries that may
/// belong to a running job are never removed (see the module documentation).
///
/// ```no_run
/// for (path, why) in h5par::io::stale::remove_stale_temporaries("/scratch/run".as_ref(), None)? {
///     println!("removed {}: {why}", path.display());
/// }
/// # Ok::<(), h5par::Error>(())
/// ```
pub fn remove_stale_temporaries(dir: &Path, only: Option<&str>) -> Result<Vec<(PathBuf, String)>> {
    let mut removed = Vec::new();
    for (t, verdict) in find_temporaries(dir, only)? {
        if let Verdict::Stale(why) = verdict {
            match std::fs::remove_file(&t.path) {
                Ok(()) => removed.push((t.path, why)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::Io(format!(
                        "removing the stale temporary {}: {e}",
                        t.path.display()
                    )))
                }
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(host: &str, pid: u32, start: u64) -> Creator {
        Creator {
            host: host.into(),
            pid,
            start,
        }
    }

    #[test]
    fn names_round_trip() {
        let n = temporary_file_name("out.h5", &c("node-7.cluster", 4242, 99), 0xabc);
        assert_eq!(n, ".out.h5.h5par~node-7.cluster~4242~99~abc.tmp");
        assert_eq!(
            parse_temporary_name(&n),
            Some(("out.h5".into(), Some(c("node-7.cluster", 4242, 99))))
        );
        assert_eq!(
            parse_temporary_name(".a.b.h5par-1f2e.tmp"),
            Some(("a.b".into(), None))
        );
        assert_eq!(parse_temporary_name("out.h5"), None);
        assert_eq!(parse_temporary_name(".x.h5par~h~notapid~1~2.tmp"), None);
        assert_eq!(parse_temporary_name(".x.h5par-zz.tmp"), None);
    }

    #[test]
    fn only_provably_dead_creators_are_stale() {
        let me = c("n1", 10, 500);
        let running = |pid: u32| (pid == 10).then_some(500);
        assert!(matches!(judge(Some(&me), "n1", running), Verdict::Kept(_)));
        let reused = |pid: u32| (pid == 10).then_some(777);
        assert!(
            matches!(judge(Some(&me), "n1", reused), Verdict::Stale(w) if w.contains("another time"))
        );
        assert!(matches!(
            judge(Some(&me), "n1", |_| None),
            Verdict::Stale(_)
        ));
        assert!(
            matches!(judge(Some(&me), "n2", |_| None), Verdict::Kept(w) if w.contains("host n1"))
        );
        assert!(matches!(judge(None, "n1", |_| None), Verdict::Kept(_)));
    }

    #[test]
    fn this_process_is_alive() {
        let me = this_process();
        assert!(me.start > 0);
        assert_eq!(process_start(me.pid), Some(me.start));
        assert!(matches!(
            judge(Some(&me), &me.host, process_start),
            Verdict::Kept(_)
        ));
    }
}
