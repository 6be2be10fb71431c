//! `h5par-farm`: a task farm of shell commands inside one MPI job.
//!
//! `mpirun -n P h5par-farm TASKFILE [--journal J] [--retries R] [--timeout T] [--records CSV]
//! [--logs DIR]` runs each task line of TASKFILE with `sh -c` on some rank (rank 0 included),
//! with dynamic scheduling, retries on another rank, a journal to resume from, per-attempt
//! records and progress on rank 0's stderr. The exit status is 0 when every task is done, 1
//! when some task failed after its retries, 2 when the farm itself could not run.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use h5par::farm::{Controller, Farm, ProgressMode, TaskError};
use mpi::traits::*;

#[derive(Parser, Debug)]
#[command(
    name = "h5par-farm",
    version,
    about = "Run the lines of a task file as shell commands across the ranks of an MPI job",
    long_about = "Run the lines of a task file as shell commands across the ranks of an MPI job.\n\n\
Every rank reads TASKFILE. Each line that is not empty and does not start with '#' is a task; \
task N is the N-th such line (from 0). A task runs as `sh -c LINE` on some rank (rank 0 \
included), with H5PAR_FARM_TASK=N and H5PAR_FARM_RANK=R in its environment; it is done when it \
exits with status 0 and failed otherwise (or when it runs past --timeout: it is then killed). \
A failed task is retried up to --retries times, on another rank when there is one. Tasks are \
handed out in batches sized from their measured durations.\n\n\
With --journal, every finished task (done, or failed after its retries) is appended to the \
journal and synced within a second; running the same TASKFILE again with the same journal \
skips the finished tasks, so a killed job is resumed by rerunning it. A journal written for \
another task file (other bytes) is refused.\n\n\
Exit status: 0 when every task is done, 1 when some task failed after its retries, 2 when the \
farm could not run (bad arguments, unreadable task file, a journal of another task file).",
    after_help = "Example:\n  mpirun -n 64 h5par-farm tasks.txt --journal tasks.journal --retries 2 \\\n      \
--timeout 30m --records records.csv --logs logs/"
)]
struct Args {
    /// The task file: one shell command per line ('#' lines and empty lines are skipped).
    taskfile: PathBuf,
    /// Journal of finished tasks, to resume from (rank 0 writes it).
    #[arg(long, value_name = "J")]
    journal: Option<PathBuf>,
    /// Retries of a failed task, on another rank where there is one.
    #[arg(long, value_name = "R", default_value_t = 0)]
    retries: u32,
    /// Kill a task that runs longer (seconds, or with a unit: 90s, 30m, 2h); counts as a failure.
    #[arg(long, value_name = "T", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// CSV of every attempt: task,rank,start,end,attempts,status,message (rank 0 writes it).
    #[arg(long, value_name = "CSV")]
    records: Option<PathBuf>,
    /// Directory for each task's output: DIR/task-N.out and DIR/task-N.err (created if
    /// missing). Without it, tasks write to h5par-farm's own stdout and stderr.
    #[arg(long, value_name = "DIR")]
    logs: Option<PathBuf>,
    /// Progress on rank 0's stderr: a bar on a terminal, plain lines otherwise (auto).
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    progress: Progress,
    /// How rank 0 takes part: prefetch (controls and runs tasks) or dedicated (controls only).
    #[arg(long, value_enum, default_value_t = Mode::Prefetch)]
    controller: Mode,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Progress {
    Auto,
    Bar,
    Lines,
    Off,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mode {
    Prefetch,
    Dedicated,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 30, 90s, 30m, 2h)"))?;
    let scale = match unit {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (s, m or h)")),
    };
    if !(v > 0.0 && v.is_finite()) {
        return Err(format!("{s:?}: a timeout must be positive"));
    }
    Ok(Duration::from_secs_f64(v * scale))
}

/// The task lines of a task file.
fn task_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect()
}

/// Runs one task line; its failure message when it did not exit with status 0 in time.
fn run_line(line: &str, task: u64, rank: i32, args: &Args) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(line)
        .env("H5PAR_FARM_TASK", task.to_string())
        .env("H5PAR_FARM_RANK", rank.to_string())
        .stdin(Stdio::null())
        .process_group(0);
    if let Some(dir) = &args.logs {
        let open = |ext: &str| {
            let p = dir.join(format!("task-{task}.{ext}"));
            File::create(&p).map_err(|e| format!("{}: {e}", p.display()))
        };
        cmd.stdout(open("out")?).stderr(open("err")?);
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot start sh: {e}"))?;
    let status = match args.timeout {
        None => child.wait().map_err(|e| e.to_string())?,
        Some(limit) => {
            let pid = child.id() as i32;
            let (tx, rx) = mpsc::channel();
            let waiter = std::thread::spawn(move || {
                let _ = tx.send(child.wait());
            });
            match rx.recv_timeout(limit) {
                Ok(s) => {
                    let _ = waiter.join();
                    s.map_err(|e| e.to_string())?
                }
                Err(_) => {
                    // SAFETY: kill(2) on the process group this task created.
                    unsafe { libc::kill(-pid, libc::SIGKILL) };
                    let _ = rx.recv();
                    let _ = waiter.join();
                    return Err(format!(
                        "timed out after {:.1} s (killed)",
                        limit.as_secs_f64()
                    ));
                }
            }
        }
    };
    if status.success() {
        return Ok(());
    }
    let why = match (
        status.code(),
        std::os::unix::process::ExitStatusExt::signal(&status),
    ) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        _ => "failed".to_string(),
    };
    Err(match &args.logs {
        Some(dir) => format!(
            "{why} (see {})",
            dir.join(format!("task-{task}.err")).display()
        ),
        None => why,
    })
}

fn main() {
    let args = Args::parse();
    let Some((universe, _)) = mpi::initialize_with_threading(mpi::Threading::Funneled) else {
        eprintln!("h5par-farm: MPI did not initialize");
        std::process::exit(2);
    };
    let world = universe.world();
    let rank = world.rank();
    let code = match run(&world, &args) {
        Ok(summary) => {
            if rank == 0 {
                eprint!("{summary}");
            }
            if summary.failed > 0 {
                1
            } else {
                0
            }
        }
        Err(e) => {
            if rank == 0 || e.kind() != h5par::ErrorKind::Remote {
                eprintln!("h5par-farm: rank {rank}: {e}");
            }
            2
        }
    };
    drop(universe);
    std::process::exit(code);
}

fn run(
    world: &mpi::topology::SimpleCommunicator,
    args: &Args,
) -> h5par::Result<h5par::farm::Summary> {
    let rank = world.rank();
    // Every rank reads the task file (and makes the log directory); a failure anywhere is
    // agreed on, so that it is an error on every rank.
    let read = (|| -> h5par::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        File::open(&args.taskfile)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| {
                h5par::Error::from(e).context(format!("task file {}", args.taskfile.display()))
            })?;
        if let Some(dir) = &args.logs {
            std::fs::create_dir_all(dir)
                .map_err(|e| h5par::Error::from(e).context(format!("--logs {}", dir.display())))?;
        }
        Ok(bytes)
    })();
    let bytes = h5par::comm::agree_value(world, "h5par-farm: read the task file", read)?;
    let text = String::from_utf8_lossy(&bytes);
    let lines = task_lines(&text);
    let mut farm = Farm::new()
        .retries(args.retries)
        .progress(match args.progress {
            Progress::Auto => ProgressMode::Auto,
            Progress::Bar => ProgressMode::Bar,
            Progress::Lines => ProgressMode::Lines,
            Progress::Off => ProgressMode::Off,
        })
        .controller(match args.controller {
            Mode::Prefetch => Controller::Prefetch,
            Mode::Dedicated => Controller::Dedicated,
        });
    if let Some(j) = &args.journal {
        farm = farm.journal(j, &bytes);
    }
    if let Some(r) = &args.records {
        farm = farm.records(r);
    }
    farm.run(
        world,
        lines.len() as u64,
        |i| -> Result<Vec<u8>, TaskError> {
            run_line(lines[i as usize], i, rank, args)?;
            Ok(Vec::new())
        },
        |_| Ok(()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("1.5m").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert!(parse_duration("0").is_err() && parse_duration("5x").is_err());
        assert!(parse_duration("abc").is_err());
    }

    #[test]
    fn task_lines_skip_comments_and_blanks() {
        assert_eq!(
            task_lines("a 1\n\n# note\n  \nb 2\n  # x\n"),
            vec!["a 1", "b 2"]
        );
    }
}
