//! `h5par-clean` on a directory holding temporaries of a dead creator, of a reused pid, of a
//! live process, of another host and of an older h5par: only the first two go.

use std::path::Path;
use std::process::Command;

use h5par::io::stale::{host_name, temporary_file_name, this_process, Creator};

fn touch(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), b"x").expect("write");
}

fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

#[test]
fn only_temporaries_of_gone_creators_are_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let me = this_process();
    let host = host_name();
    let dead = temporary_file_name(
        "a.h5",
        &Creator {
            host: host.clone(),
            pid: dead_pid(),
            start: 1,
        },
        1,
    );
    let reused = temporary_file_name(
        "b.h5",
        &Creator {
            start: me.start + 1,
            ..me.clone()
        },
        2,
    );
    let live = temporary_file_name("c.h5", &me, 3);
    let foreign = temporary_file_name(
        "d.h5",
        &Creator {
            host: format!("{host}-elsewhere"),
            pid: dead_pid(),
            start: 1,
        },
        4,
    );
    let old = ".e.h5.h5par-1f2e3d.tmp".to_string();
    for n in [&dead, &reused, &live, &foreign, &old] {
        touch(dir.path(), n);
    }
    touch(dir.path(), "data.h5");
    let exe = env!("CARGO_BIN_EXE_h5par-clean");
    let dry = Command::new(exe)
        .arg("--dry-run")
        .arg(dir.path())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(dry.status.success(), "{text}");
    assert!(
        text.contains("2 stale temporaries to remove, 3 kept"),
        "{text}"
    );
    assert!(dir.path().join(&dead).exists(), "a dry run removes nothing");
    let out = Command::new(exe).arg(dir.path()).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("is gone"), "{text}");
    for (n, stays) in [
        (&dead, false),
        (&reused, false),
        (&live, true),
        (&foreign, true),
        (&old, true),
    ] {
        assert_eq!(dir.path().join(n).exists(), stays, "{n}: {text}");
    }
    assert!(dir.path().join("data.h5").exists());
    let bad = Command::new(exe)
        .arg(dir.path().join("missing"))
        .output()
        .expect("run");
    assert!(!bad.status.success());
}
