//! `h5par-farm` under mpirun (with a time limit): logs, records, failures, timeouts, the exit
//! status, resuming from the journal, a journal of another task file, `--help`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use h5par_testkit::{mpi_env, mpi_tool, run_limited, Outcome};

const LIMIT: Duration = Duration::from_secs(60);

fn farm(ranks: usize, dir: &Path, args: &[&str]) -> Outcome {
    let mut cmd = Command::new(mpi_tool("mpirun", "H5PAR_MPIRUN"));
    mpi_env(&mut cmd);
    cmd.arg("-n")
        .arg(ranks.to_string())
        .arg(env!("CARGO_BIN_EXE_h5par-farm"))
        .args(args)
        .current_dir(dir);
    let o = run_limited(cmd, LIMIT);
    assert!(
        !o.timed_out,
        "h5par-farm did not finish in time:\n{}",
        o.output
    );
    o
}

#[test]
fn shell_tasks_logs_records_failures_and_resume() {
    for ranks in [1usize, 3] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut tasks = String::from("# a comment line, skipped\n");
        for i in 0..20 {
            tasks.push_str(&format!("echo out $H5PAR_FARM_TASK; echo err {i} >&2\n\n"));
        }
        tasks.push_str("exit 3\n"); // task 20 fails
        tasks.push_str("sleep 30\n"); // task 21 times out
        std::fs::write(d.join("tasks.txt"), &tasks).unwrap();
        let args = [
            "tasks.txt",
            "--journal",
            "j.journal",
            "--retries",
            "1",
            "--timeout",
            "1",
            "--records",
            "r.csv",
            "--logs",
            "logs",
            "--progress",
            "off",
        ];
        let o = farm(ranks, d, &args);
        assert_eq!(o.status, Some(1), "some tasks failed: exit 1\n{}", o.output);
        assert!(o.output.contains("20 done, 2 failed"), "{}", o.output);
        assert!(
            o.output
                .contains("failed: task 20 after 2 attempt(s): exit status 3"),
            "{}",
            o.output
        );
        assert!(
            o.output
                .contains("failed: task 21 after 2 attempt(s): timed out after 1.0 s"),
            "{}",
            o.output
        );
        for i in 0..20 {
            let out = std::fs::read_to_string(d.join(format!("logs/task-{i}.out"))).unwrap();
            let err = std::fs::read_to_string(d.join(format!("logs/task-{i}.err"))).unwrap();
            assert_eq!(
                (out.trim(), err.trim()),
                (format!("out {i}").as_str(), format!("err {i}").as_str())
            );
        }
        let csv = std::fs::read_to_string(d.join("r.csv")).unwrap();
        assert_eq!(csv.matches(",done,").count(), 20);
        assert_eq!(csv.matches(",retry,").count(), 2);
        assert_eq!(csv.matches(",failed,").count(), 2);
        // Rerun: everything was finished, nothing runs again.
        std::fs::remove_dir_all(d.join("logs")).unwrap();
        let o = farm(ranks, d, &args);
        assert!(
            o.output.contains("0 done, 0 failed, 22 skipped"),
            "{}",
            o.output
        );
        assert_eq!(o.status, Some(0), "{}", o.output);
        assert!(!d.join("logs/task-0.out").exists());
        // Another task file with the same journal: refused, exit 2 on every rank.
        std::fs::write(d.join("tasks.txt"), "true\n").unwrap();
        let o = farm(ranks, d, &args);
        assert_eq!(o.status, Some(2), "{}", o.output);
        assert!(o.output.contains("another task list"), "{}", o.output);
    }
}

#[test]
fn missing_task_file_is_an_error_on_every_rank() {
    let dir = tempfile::tempdir().unwrap();
    let o = farm(2, dir.path(), &["nope.txt"]);
    assert_eq!(o.status, Some(2), "{}", o.output);
    assert!(o.output.contains("nope.txt"), "{}", o.output);
}

#[test]
fn help_explains_the_tool() {
    let o = run_limited(
        {
            let mut c = Command::new(env!("CARGO_BIN_EXE_h5par-farm"));
            c.arg("--help");
            c
        },
        LIMIT,
    );
    assert_eq!(o.status, Some(0), "{}", o.output);
    for word in [
        "TASKFILE",
        "--journal",
        "--retries",
        "--timeout",
        "--records",
        "--logs",
        "sh -c",
        "Exit status",
    ] {
        assert!(
            o.output.contains(word),
            "--help lacks {word}:\n{}",
            o.output
        );
    }
}
