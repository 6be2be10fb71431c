//! `h5par-clean DIR...`: removes the stale temporaries that killed jobs left in DIR (files named
//! `.NAME.h5par~HOST~PID~START~NONCE.tmp`), and only those whose creator is provably gone: made
//! on this host by a process that no longer runs (or whose pid now belongs to a process started
//! at another time). Temporaries of running jobs, of other hosts, or of older h5par versions
//! (whose names do not record their creator) are listed and kept. Needs no MPI.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use h5par::io::stale::{find_temporaries, Verdict};

/// Remove the stale temporaries of h5par's atomic creates from directories.
#[derive(Parser, Debug)]
#[command(name = "h5par-clean", version, about, long_about = None)]
struct Args {
    /// Directories to clean (not recursive).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Only list what would be removed and what is kept, and why.
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// Also list the temporaries that are kept.
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut failed = false;
    let (mut removed, mut kept) = (0usize, 0usize);
    for dir in &args.dirs {
        let found = match find_temporaries(dir, None) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("h5par-clean: {e}");
                failed = true;
                continue;
            }
        };
        for (t, verdict) in found {
            match verdict {
                Verdict::Stale(why) if args.dry_run => {
                    println!("would remove {}: {why}", t.path.display());
                    removed += 1;
                }
                Verdict::Stale(why) => match std::fs::remove_file(&t.path) {
                    Ok(()) => {
                        println!("removed {}: {why}", t.path.display());
                        removed += 1;
                    }
                    Err(e) => {
                        eprintln!("h5par-clean: removing {}: {e}", t.path.display());
                        failed = true;
                    }
                },
                Verdict::Kept(why) => {
                    if args.verbose || args.dry_run {
                        println!("kept {}: {why}", t.path.display());
                    }
                    kept += 1;
                }
            }
        }
    }
    let verb = if args.dry_run { "to remove" } else { "removed" };
    println!("h5par-clean: {removed} stale temporaries {verb}, {kept} kept");
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
