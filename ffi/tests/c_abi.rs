//! The C ABI from the outside: the header against the library, and C and Fortran programs built
//! with the MPI compilers against the library that cargo just built, run under `mpirun` on 1 to
//! 3 ranks with a time limit (a hang is a failure).
//!
//! The programs are in tests/c and tests/fortran of the workspace. The MPI is the one this
//! crate was built with (OpenMPI or MPICH); `H5PAR_MPICC`, `H5PAR_MPIF90` and `H5PAR_MPIRUN`
//! override the tools.

use std::collections::BTreeSet;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use h5par_testkit::{flavour, mpi_env, run_limited};
use libtest_mimic::{Arguments, Failed, Trial};

/// Every function of the C contract (issue 4): the header must declare them all.
const CONTRACT: &[&str] = &[
    "h5par_options_init",
    "h5par_version",
    "h5par_status_string",
    "h5par_last_error",
    "h5par_file_create",
    "h5par_file_open",
    "h5par_file_close",
    "h5par_group_create",
    "h5par_dataset_create",
    "h5par_dataset_open",
    "h5par_dataset_info",
    "h5par_dataset_write",
    "h5par_dataset_read",
    "h5par_dataset_extend",
    "h5par_dataset_close",
    "h5par_attr_write",
    "h5par_attr_read",
    "h5par_attr_write_string",
    "h5par_attr_read_string",
    "h5par_file_report_json",
];

/// The constants of the contract and their values.
const CONSTANTS: &[(&str, i64)] = &[
    ("H5PAR_OK", 0),
    ("H5PAR_ERR_INVALID", 1),
    ("H5PAR_ERR_HANDLE", 2),
    ("H5PAR_ERR_NOT_FOUND", 3),
    ("H5PAR_ERR_EXISTS", 4),
    ("H5PAR_ERR_TYPE", 5),
    ("H5PAR_ERR_SHAPE", 6),
    ("H5PAR_ERR_MISMATCH", 7),
    ("H5PAR_ERR_REMOTE", 8),
    ("H5PAR_ERR_IO", 9),
    ("H5PAR_ERR_HDF5", 10),
    ("H5PAR_ERR_MPI", 11),
    ("H5PAR_ERR_INTERNAL", 12),
    ("H5PAR_INT8", 0),
    ("H5PAR_INT16", 1),
    ("H5PAR_INT32", 2),
    ("H5PAR_INT64", 3),
    ("H5PAR_UINT8", 4),
    ("H5PAR_UINT16", 5),
    ("H5PAR_UINT32", 6),
    ("H5PAR_UINT64", 7),
    ("H5PAR_FLOAT32", 8),
    ("H5PAR_FLOAT64", 9),
    ("H5PAR_READONLY", 0),
    ("H5PAR_READWRITE", 1),
    ("H5PAR_COLLECTIVE", 0),
    ("H5PAR_INDEPENDENT", 1),
];

const LIMIT: Duration = Duration::from_secs(240);

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![
        Trial::test("header::symbols_match_library", symbols_match_library),
        Trial::test("c::no_mpi_init", no_mpi_init),
        Trial::test("fortran::write_np2_then_c_reads", fortran),
        Trial::test("install::make_install_and_pkg_config", install),
        Trial::test("readme::c_and_fortran_examples", readme_examples),
    ];
    for n in [1, 2, 3] {
        trials.push(Trial::test(format!("c::api::np{n}"), move || c_api(n)));
        trials.push(Trial::test(format!("c::threads::np{n}"), move || {
            threads(n)
        }));
        trials.push(Trial::test(format!("c::agreements::np{n}"), move || {
            agreements(n)
        }));
        trials.push(Trial::test(format!("c::farm::np{n}"), move || c_farm(n)));
        trials.push(Trial::test(format!("fortran::farm::np{n}"), move || {
            fortran_farm(n)
        }));
    }
    trials.push(Trial::test("readme::farm_examples", farm_readme_examples));
    trials.extend(objects_trials());
    trials.extend(vector_trials());
    libtest_mimic::run(&args, trials).exit();
}

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// `tool.<flavour>` when it exists, else `tool`; `H5PAR_<TOOL>` overrides.
fn mpi_tool(tool: &str) -> String {
    h5par_testkit::mpi_tool(tool, &format!("H5PAR_{}", tool.to_uppercase()))
}

/// The shared library cargo built for this test run: `libh5par_ffi.so` beside this executable
/// (target/<profile>/deps) or one directory up, the newest.
fn built_library() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let deps = exe.parent().ok_or("test executable without a directory")?;
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = [deps, deps.parent().unwrap_or(deps)]
        .iter()
        .map(|d| d.join("libh5par_ffi.so"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, p)| p)
        .ok_or_else(|| format!("no libh5par_ffi.so in {} or its parent", deps.display()))
}

/// Compiles the C program `src` (a path under the repository) into `exe` with mpicc, strict
/// C99, against h5par.h and the libh5par.so in `lib` (found at run time through the rpath).
fn mpicc_c99(lib: &Path, src: &str, exe: &Path) -> Result<PathBuf, String> {
    let mut cmd = Command::new(mpi_tool("mpicc"));
    cmd.args(["-std=c99", "-Wall", "-Werror", "-o"])
        .arg(exe)
        .arg(root().join(src))
        .arg("-I")
        .arg(root().join("include"))
        .arg(format!("-L{}", lib.display()))
        .arg("-lh5par")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-lm");
    run(cmd).map(|_| exe.to_path_buf())
}

/// Runs a command to its end (a build step); its output on failure.
fn run(cmd: Command) -> Result<String, String> {
    let what = format!("{cmd:?}");
    let o = run_limited(cmd, LIMIT);
    if o.status == Some(0) {
        Ok(o.output)
    } else {
        Err(format!(
            "{what} failed ({:?}{}):\n{}",
            o.status,
            if o.timed_out { ", timed out" } else { "" },
            o.output
        ))
    }
}

/// Runs `exe` on `ranks` ranks and checks that it exited 0 in time with "rank R: ok" from every
/// rank (`ranks` 0: without mpirun, as a singleton).
fn run_ranks(
    exe: &Path,
    ranks: usize,
    args: &[&Path],
    env: &[(&str, &Path)],
) -> Result<(), Failed> {
    let mut cmd = if ranks == 0 {
        Command::new(exe)
    } else {
        let mut c = Command::new(mpi_tool("mpirun"));
        c.arg("-n").arg(ranks.to_string()).arg(exe);
        c
    };
    cmd.args(args);
    mpi_env(&mut cmd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = run_limited(cmd, LIMIT);
    let name = exe.file_name().unwrap_or_default().to_string_lossy();
    if o.timed_out {
        return Err(format!(
            "{name} on {ranks} ranks did not finish in {LIMIT:?} (a hang?):\n{}",
            o.output
        )
        .into());
    }
    if o.status != Some(0) {
        return Err(format!(
            "{name} on {ranks} ranks exited with {:?}:\n{}",
            o.status, o.output
        )
        .into());
    }
    for r in 0..ranks.max(1) {
        if !o.output.contains(&format!("rank {r}: ok")) {
            return Err(format!(
                "{name} on {ranks} ranks: rank {r} did not report success:\n{}",
                o.output
            )
            .into());
        }
    }
    Ok(())
}

/// The library staged as `lib/libh5par.so`, and the test programs built against it.
struct Built {
    _dir: tempfile::TempDir,
    test_api: PathBuf,
    test_threads: PathBuf,
    test_no_init: PathBuf,
    test_agreements: PathBuf,
    read_fortran: PathBuf,
    test_fortran: PathBuf,
    readme_c: PathBuf,
    readme_fortran: PathBuf,
}

fn build() -> Result<Built, String> {
    let dir = tempfile::Builder::new()
        .prefix("h5par-ffi-test-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).map_err(|e| e.to_string())?;
    let so = built_library()?;
    std::fs::copy(&so, lib.join("libh5par.so")).map_err(|e| format!("{}: {e}", so.display()))?;
    let root = root();
    let c = |name: &str| mpicc_c99(&lib, &format!("tests/c/{name}.c"), &dir.path().join(name));
    let test_api = c("test_api")?;
    let test_threads = {
        let exe = dir.path().join("test_threads");
        let mut cmd = Command::new(mpi_tool("mpicc"));
        cmd.args([
            "-std=c99",
            "-D_DEFAULT_SOURCE",
            "-Wall",
            "-Werror",
            "-pthread",
            "-o",
        ])
        .arg(&exe)
        .arg(root.join("tests/c/test_threads.c"))
        .arg("-I")
        .arg(root.join("include"))
        .arg(format!("-L{}", lib.display()))
        .arg("-lh5par")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
        run(cmd).map(|_| exe)?
    };
    let test_no_init = c("test_no_init")?;
    let test_agreements = c("test_agreements")?;
    let read_fortran = c("read_fortran")?;
    let readme_c = c("readme_example")?;
    // The module and the program, compiled in the build directory (where the .mod goes).
    let test_fortran = dir.path().join("test_fortran");
    let mut cmd = Command::new(mpi_tool("mpif90"));
    cmd.current_dir(dir.path())
        .args(["-std=f2008", "-Wall", "-o"])
        .arg(&test_fortran)
        .arg(root.join("ffi/fortran/h5par.f90"))
        .arg(root.join("tests/fortran/test_fortran.f90"))
        .arg(format!("-L{}", lib.display()))
        .arg("-lh5par")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    run(cmd)?;
    let readme_fortran = dir.path().join("readme_fortran");
    let mut cmd = Command::new(mpi_tool("mpif90"));
    cmd.current_dir(dir.path())
        .args(["-std=f2008", "-Wall", "-o"])
        .arg(&readme_fortran)
        .arg(root.join("ffi/fortran/h5par.f90"))
        .arg(root.join("tests/fortran/readme_example.f90"))
        .arg(format!("-L{}", lib.display()))
        .arg("-lh5par")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    run(cmd)?;
    Ok(Built {
        _dir: dir,
        test_api,
        test_threads,
        test_no_init,
        test_agreements,
        read_fortran,
        test_fortran,
        readme_c,
        readme_fortran,
    })
}

/// The programs, built once for all trials.
fn built() -> Result<&'static Built, Failed> {
    static BUILT: OnceLock<Result<Built, String>> = OnceLock::new();
    BUILT
        .get_or_init(build)
        .as_ref()
        .map_err(|e| Failed::from(format!("building the test programs: {e}")))
}

fn trial_dir() -> Result<tempfile::TempDir, Failed> {
    let base = std::env::var("H5PAR_TEST_TMP")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    Ok(tempfile::Builder::new()
        .prefix("h5par-ffi-")
        .tempdir_in(base)?)
}

/// Every function of the contract on `n` ranks: success and failures.
fn c_api(n: usize) -> Result<(), Failed> {
    let b = built()?;
    let dir = trial_dir()?;
    run_ranks(&b.test_api, n, &[dir.path()], &[])
}

/// Two threads per rank with their own files and vectors (MPI_THREAD_MULTIPLE): no deadlock,
/// every call either runs or fails on every rank; then a write made twice by rank 0 only.
fn threads(n: usize) -> Result<(), Failed> {
    let b = built()?;
    let dir = trial_dir()?;
    run_ranks(&b.test_threads, n, &[dir.path()], &[])
}

/// One agreement per collective C read (two per write, with the outcome): the border's
/// argument checks ride in the core's agreement; a bad argument on one rank still fails every
/// rank.
fn agreements(n: usize) -> Result<(), Failed> {
    let b = built()?;
    let dir = trial_dir()?;
    run_ranks(&b.test_agreements, n, &[dir.path()], &[])
}

/// Calls before MPI_Init and after MPI_Finalize, without mpirun.
fn no_mpi_init() -> Result<(), Failed> {
    let b = built()?;
    let dir = trial_dir()?;
    run_ranks(&b.test_no_init, 0, &[dir.path()], &[])
}

/// Fortran writes a 2-D array on 2 ranks and reads it back; C reads it on 1 and 3 ranks and
/// finds the documented dimension mapping.
fn fortran() -> Result<(), Failed> {
    let b = built()?;
    let dir = trial_dir()?;
    run_ranks(&b.test_fortran, 2, &[dir.path()], &[])?;
    run_ranks(&b.read_fortran, 1, &[dir.path()], &[])?;
    run_ranks(&b.read_fortran, 3, &[dir.path()], &[])
}

/// The README's C and Fortran examples are tests/c/readme_example.c and
/// tests/fortran/readme_example.f90 word for word, and they run on 2 ranks.
fn readme_examples() -> Result<(), Failed> {
    let readme = std::fs::read_to_string(root().join("README.md")).map_err(|e| e.to_string())?;
    for file in [
        "tests/c/readme_example.c",
        "tests/fortran/readme_example.f90",
    ] {
        let text = std::fs::read_to_string(root().join(file)).map_err(|e| e.to_string())?;
        if !readme.contains(&text) {
            return Err(format!("README.md does not contain {file} word for word").into());
        }
    }
    let b = built()?;
    let dir = trial_dir()?;
    let out = dir.path().join("c_example.h5");
    run_ranks(&b.readme_c, 2, &[out.as_path()], &[])?;
    let mut cmd = Command::new(mpi_tool("mpirun"));
    cmd.arg("-n")
        .arg("2")
        .arg(&b.readme_fortran)
        .current_dir(dir.path());
    mpi_env(&mut cmd);
    let o = run_limited(cmd, LIMIT);
    if o.status != Some(0) || !o.output.contains("rank 1: ok") {
        return Err(format!(
            "the Fortran README example failed ({:?}):\n{}",
            o.status, o.output
        )
        .into());
    }
    Ok(())
}

/// The C flags of the MPI compiler wrapper (for bindgen to find mpi.h).
fn mpi_cflags() -> Vec<String> {
    let cc = mpi_tool("mpicc");
    for args in [
        &["--showme:compile"][..],
        &["-compile_info"][..],
        &["-show"][..],
    ] {
        if let Ok(o) = Command::new(&cc).args(args).output() {
            if o.status.success() {
                let text = String::from_utf8_lossy(&o.stdout).into_owned();
                let flags: Vec<String> = text
                    .split_whitespace()
                    .filter(|f| f.starts_with("-I") || f.starts_with("-D"))
                    .map(str::to_string)
                    .collect();
                if !flags.is_empty() {
                    return flags;
                }
            }
        }
    }
    Vec::new()
}

/// The names after `keyword` in bindgen's output (`pub fn NAME`, `pub const NAME`).
fn names_after<'a>(code: &'a str, keyword: &str) -> Vec<&'a str> {
    code.match_indices(keyword)
        .map(|(i, _)| {
            let rest = &code[i + keyword.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// bindgen reads include/h5par.h back: every function it declares is exported by the library,
/// every exported `h5par_*` symbol is declared, the contract is all there, and the constants
/// and the options struct are as the contract says.
fn symbols_match_library() -> Result<(), Failed> {
    let header = root().join("include/h5par.h");
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_args(mpi_cflags())
        .allowlist_function("h5par_.*")
        .allowlist_type("h5par_.*")
        .allowlist_var("H5PAR_.*")
        .layout_tests(false)
        .prepend_enum_name(false)
        .generate()
        .map_err(|e| format!("bindgen cannot read {}: {e}", header.display()))?
        .to_string();
    let declared: BTreeSet<&str> = names_after(&bindings, "pub fn ").into_iter().collect();

    let so = built_library()?;
    let nm = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&so)
        .output()?;
    if !nm.status.success() {
        return Err(format!(
            "nm {}: {}",
            so.display(),
            String::from_utf8_lossy(&nm.stderr)
        )
        .into());
    }
    let nm = String::from_utf8_lossy(&nm.stdout).into_owned();
    let exported: BTreeSet<&str> = nm
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, kind, name) = (f.next()?, f.next()?, f.next()?);
            (kind == "T" && name.starts_with("h5par_")).then_some(name)
        })
        .collect();

    let mut problems = Vec::new();
    for f in declared.difference(&exported) {
        problems.push(format!("declared in h5par.h but not exported: {f}"));
    }
    for f in exported.difference(&declared) {
        problems.push(format!("exported but not declared in h5par.h: {f}"));
    }
    for f in CONTRACT {
        if !declared.contains(f) {
            problems.push(format!("contract function missing from h5par.h: {f}"));
        }
    }
    for (name, value) in CONSTANTS {
        let found = bindings.match_indices(&format!("pub const {name}:")).next();
        let ok = found.is_some_and(|(i, _)| {
            let line = bindings[i..].split(';').next().unwrap_or("");
            line.rsplit('=').next().map(str::trim) == Some(&value.to_string())
        });
        if !ok {
            problems.push(format!("constant {name} is not {value} in h5par.h"));
        }
    }
    for ty in [
        "h5par_status",
        "h5par_dtype",
        "h5par_options",
        "h5par_file",
        "h5par_dataset",
    ] {
        if !bindings.contains(&format!("pub type {ty} "))
            && !bindings.contains(&format!("pub struct {ty} "))
        {
            problems.push(format!("type {ty} missing from h5par.h"));
        }
    }
    let fields = [
        "stripe_count: i64",
        "stripe_size: i64",
        "cb_nodes: i32",
        "tuning: i32",
        "atomic_create: i32",
        "hints: *const",
        "report_path: *const",
    ];
    let mut at = bindings
        .find("pub struct h5par_options")
        .unwrap_or(usize::MAX);
    for field in fields {
        match bindings
            .get(at..)
            .and_then(|rest| rest.find(&format!("pub {field}")))
        {
            Some(i) => at += i,
            None => problems.push(format!(
                "h5par_options lacks `{field}` in the contract's order"
            )),
        }
    }
    if !std::fs::read_to_string(&header)?.contains("#include <mpi.h>") {
        problems.push("h5par.h does not include <mpi.h>".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// `make -f ffi/install.mk install` into a temporary prefix (with the library cargo built),
/// then the C test and the Fortran test built with pkg-config against the installed files.
fn install() -> Result<(), Failed> {
    let so = built_library()?;
    // target/<profile>/deps/libh5par_ffi.so or target/<profile>/libh5par_ffi.so
    let mut profile_dir = so.parent().ok_or("library without a directory")?;
    if profile_dir.ends_with("deps") {
        profile_dir = profile_dir.parent().ok_or("deps without a parent")?;
    }
    let profile = profile_dir
        .file_name()
        .ok_or("no profile directory")?
        .to_string_lossy()
        .into_owned();
    let target = profile_dir.parent().ok_or("no target directory")?;
    let prefix = trial_dir()?;
    let mut make = Command::new("make");
    make.arg("-f")
        .arg(root().join("ffi/install.mk"))
        .arg("install")
        .arg(format!("PREFIX={}", prefix.path().display()))
        .arg(format!("CARGO_TARGET_DIR={}", target.display()))
        .arg(format!("PROFILE={profile}"))
        .arg("CARGO=true") // cargo built it already
        .arg(format!("H5PAR_LIB={}", so.display()))
        .arg(format!("H5PAR_MPI={}", flavour()))
        .arg(format!("H5PAR_FC={}", mpi_tool("mpif90")));
    run(make)?;
    let p = prefix.path();
    for f in [
        "lib/libh5par.so",
        "lib/libh5par.a",
        "lib/libh5par_fortran.a",
        "lib/pkgconfig/h5par.pc",
        "lib/pkgconfig/h5par-fortran.pc",
        "include/h5par.h",
        "include/h5par.mod",
        "share/h5par/fortran/h5par.f90",
    ] {
        if !p.join(f).exists() {
            return Err(format!("make install did not install {f}").into());
        }
    }
    let pkg = |package: &str| -> Result<Vec<String>, Failed> {
        let out = Command::new("pkg-config")
            .args(["--cflags", "--libs", package])
            .env("PKG_CONFIG_PATH", p.join("lib/pkgconfig"))
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "pkg-config {package}: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect())
    };
    let work = trial_dir()?;
    let app = work.path().join("app");
    let mut cc = Command::new(mpi_tool("mpicc"));
    cc.arg("-o")
        .arg(&app)
        .arg(root().join("tests/c/test_api.c"))
        .args(pkg("h5par")?);
    run(cc)?;
    // No LD_LIBRARY_PATH: h5par.pc's rpath finds libh5par.so, and its RUNPATH the HDF5 it
    // was built with (HDF5_DIR), as a user's program at a center must.
    let no_path = Path::new("");
    let data = trial_dir()?;
    run_ranks(&app, 1, &[data.path()], &[("LD_LIBRARY_PATH", no_path)])?;
    let fapp = work.path().join("fapp");
    let mut fc = Command::new(mpi_tool("mpif90"));
    fc.current_dir(work.path())
        .arg("-o")
        .arg(&fapp)
        .arg(root().join("tests/fortran/test_fortran.f90"))
        .args(pkg("h5par-fortran")?);
    run(fc)?;
    run_ranks(&fapp, 1, &[data.path()], &[("LD_LIBRARY_PATH", no_path)])
}

// ---------------------------------------------------------------------------------------
// The task farm (tests/c/test_farm.c, tests/fortran/test_farm.f90).

/// The farm's C and Fortran test programs, built once.
type FarmBuilt = (tempfile::TempDir, PathBuf, PathBuf, PathBuf, PathBuf);
fn built_farm() -> Result<&'static FarmBuilt, Failed> {
    static BUILT: OnceLock<Result<FarmBuilt, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = tempfile::Builder::new()
                .prefix("h5par-ffi-farm-")
                .tempdir()
                .map_err(|e| e.to_string())?;
            let so = built_library()?;
            let lib = dir.path().join("lib");
            std::fs::create_dir_all(&lib).map_err(|e| e.to_string())?;
            std::fs::copy(&so, lib.join("libh5par.so")).map_err(|e| e.to_string())?;
            let exe = dir.path().join("test_farm");
            let mut cmd = Command::new(mpi_tool("mpicc"));
            cmd.args(["-std=gnu99", "-Wall", "-Werror", "-o"])
                .arg(&exe)
                .arg(root().join("tests/c/test_farm.c"))
                .arg("-I")
                .arg(root().join("include"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd)?;
            let fexe = dir.path().join("test_farm_f");
            let mut cmd = Command::new(mpi_tool("mpif90"));
            cmd.current_dir(dir.path())
                .args(["-std=f2008", "-Wall", "-o"])
                .arg(&fexe)
                .arg(root().join("ffi/fortran/h5par.f90"))
                .arg(root().join("tests/fortran/test_farm.f90"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd)?;
            // The README's examples.
            let cexample = dir.path().join("farm_readme_c");
            let mut cmd = Command::new(mpi_tool("mpicc"));
            cmd.args(["-std=c99", "-Wall", "-Werror", "-o"])
                .arg(&cexample)
                .arg(root().join("tests/c/farm_readme_example.c"))
                .arg("-I")
                .arg(root().join("include"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg("-lm")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd)?;
            let fexample = dir.path().join("farm_readme_f");
            let mut cmd = Command::new(mpi_tool("mpif90"));
            cmd.current_dir(dir.path())
                .args(["-std=f2008", "-Wall", "-o"])
                .arg(&fexample)
                .arg(root().join("ffi/fortran/h5par.f90"))
                .arg(root().join("tests/fortran/farm_readme_example.f90"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd)?;
            Ok((dir, exe, fexe, cexample, fexample))
        })
        .as_ref()
        .map_err(|e| Failed::from(format!("building the farm test: {e}")))
}

/// The farm's C API on `n` ranks.
fn c_farm(n: usize) -> Result<(), Failed> {
    let (_, exe, _, _, _) = built_farm()?;
    let dir = trial_dir()?;
    run_ranks(exe, n, &[dir.path()], &[])
}

/// The farm's Fortran binding on `n` ranks.
fn fortran_farm(n: usize) -> Result<(), Failed> {
    let (_, _, exe, _, _) = built_farm()?;
    let dir = trial_dir()?;
    run_ranks(exe, n, &[dir.path()], &[])
}

/// The README's C and Fortran farm examples are tests/c/farm_readme_example.c and
/// tests/fortran/farm_readme_example.f90 word for word, and they run on 3 and 2 ranks.
fn farm_readme_examples() -> Result<(), Failed> {
    let readme = std::fs::read_to_string(root().join("README.md"))?;
    for f in [
        "tests/c/farm_readme_example.c",
        "tests/fortran/farm_readme_example.f90",
    ] {
        let text = std::fs::read_to_string(root().join(f))?;
        if !readme.contains(&text) {
            return Err(format!("{f} differs from the README's example").into());
        }
    }
    let (_, _, _, c, f) = built_farm()?;
    let dir = trial_dir()?;
    let mut cmd = Command::new(mpi_tool("mpirun"));
    cmd.arg("-n").arg("3").arg(c);
    mpi_env(&mut cmd);
    let o = run_limited(cmd, LIMIT);
    if o.status != Some(0) || !o.output.contains("999 done, 1 failed; sqrt(16) = 4") {
        return Err(format!("the README's C farm example: {:?}\n{}", o.status, o.output).into());
    }
    if !o
        .output
        .contains("failed: task 13 after 3 attempt(s): task 13 refuses")
    {
        return Err(format!("the C example's summary:\n{}", o.output).into());
    }
    run_ranks(f, 2, &[dir.path()], &[])
}

// ---------------------------------------------------------------------------------------------
// Distributed vectors (issue 11): tests/c/test_vector.c on 1 and 3 ranks, the PyTrilinos
// example examples/pytrilinos.c on 3 ranks with the numbers of reference/pytrilinos_case.md,
// and the Fortran module's vector section (tests/fortran/test_vector.f90) on 3 ranks.
// ---------------------------------------------------------------------------------------------

fn vector_trials() -> Vec<Trial> {
    let mut t: Vec<Trial> = [1, 3]
        .into_iter()
        .map(|n| Trial::test(format!("c::vector::np{n}"), move || c_vector(n)))
        .collect();
    t.push(Trial::test("c::pytrilinos_example_np3", c_pytrilinos));
    t.extend(
        [1, 3]
            .into_iter()
            .map(|n| Trial::test(format!("c::cg_operator::np{n}"), move || c_cg_operator(n))),
    );
    t.push(Trial::test("fortran::vector_np3", fortran_vector));
    t
}

/// The vector programs, built once against the library staged by [`build`].
fn vector_programs() -> Result<&'static (PathBuf, PathBuf, PathBuf), Failed> {
    static BUILT: OnceLock<Result<(PathBuf, PathBuf, PathBuf), String>> = OnceLock::new();
    let b = built()?;
    BUILT
        .get_or_init(|| {
            let dir = b._dir.path();
            let lib = dir.join("lib");
            let c = |src: &str, name: &str| mpicc_c99(&lib, src, &dir.join(name));
            let fortran = dir.join("test_vector_f");
            let vdir = dir.join("vector-mod");
            std::fs::create_dir_all(&vdir).map_err(|e| e.to_string())?;
            let mut cmd = Command::new(mpi_tool("mpif90"));
            cmd.current_dir(&vdir)
                .args(["-std=f2008", "-Wall", "-o"])
                .arg(&fortran)
                .arg(root().join("ffi/fortran/h5par.f90"))
                .arg(root().join("tests/fortran/test_vector.f90"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd)?;
            Ok((
                c("tests/c/test_vector.c", "test_vector")?,
                c("examples/pytrilinos.c", "pytrilinos_c")?,
                fortran,
            ))
        })
        .as_ref()
        .map_err(|e| Failed::from(format!("building the vector programs: {e}")))
}

/// tests/c/test_cg_operator.c (issue 14: CG over a matrix-free operator, a C callback).
fn c_cg_operator(n: usize) -> Result<(), Failed> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let b = built()?;
    let exe = BUILT
        .get_or_init(|| {
            let dir = b._dir.path();
            mpicc_c99(
                &dir.join("lib"),
                "tests/c/test_cg_operator.c",
                &dir.join("test_cg_operator"),
            )
        })
        .as_ref()
        .map_err(|e| Failed::from(format!("building test_cg_operator: {e}")))?;
    let dir = trial_dir()?;
    run_ranks(exe, n, &[dir.path()], &[])
}

fn c_vector(n: usize) -> Result<(), Failed> {
    let (test, _, _) = vector_programs()?;
    let dir = trial_dir()?;
    run_ranks(test, n, &[dir.path()], &[])
}

fn c_pytrilinos() -> Result<(), Failed> {
    let (_, example, _) = vector_programs()?;
    let mut cmd = Command::new(mpi_tool("mpirun"));
    cmd.arg("-n").arg("3").arg(example);
    mpi_env(&mut cmd);
    let o = run_limited(cmd, LIMIT);
    if o.status != Some(0) || o.timed_out {
        return Err(format!("the C example failed ({:?}):\n{}", o.status, o.output).into());
    }
    for want in [
        "rank 0: MaxValue = 3",
        "rank 1: MaxValue = 3",
        "rank 2: MaxValue = 3",
        "u = [1, 1, 1, 1.5, 1.5, 2, 2.5, 3, 2, 3]",
        "b = [1, 0, -0.5, 0.5, -0.5, 0, 0, 1.5, -2, 4]",
        "CG converged after ",
        "rank 2: ok",
    ] {
        if !o.output.contains(want) {
            return Err(format!("the C example's output lacks {want:?}:\n{}", o.output).into());
        }
    }
    Ok(())
}

fn fortran_vector() -> Result<(), Failed> {
    let (_, _, fortran) = vector_programs()?;
    let dir = trial_dir()?;
    run_ranks(fortran, 3, &[dir.path()], &[])
}

// ---------------------------------------------------------------------------------------------
// Navigation, types, selections, links and creation options (issue 12): tests/c/test_objects.c
// on 1 to 3 ranks, reading what h5py wrote and writing what h5py checks
// (tests/c/objects_h5py.py, with serial h5py: `H5PAR_PYTHON` or /usr/bin/python3).
// ---------------------------------------------------------------------------------------------

fn objects_trials() -> Vec<Trial> {
    let mut t: Vec<Trial> = [1, 2, 3]
        .into_iter()
        .map(|n| Trial::test(format!("c::objects::np{n}"), move || c_objects(n)))
        .collect();
    for n in [1, 3] {
        t.push(Trial::test(format!("fortran::objects::np{n}"), move || {
            fortran_objects(n)
        }));
    }
    for n in [2, 3] {
        t.push(Trial::test(format!("c::local_alone::np{n}"), move || {
            c_local_alone(n)
        }));
    }
    t
}

/// tests/c/test_local_alone.c: every local query of the C API made by one rank alone, on the
/// tree tests/python/write_local_tree.py writes with serial h5py (`H5PAR_PYTHON`).
fn c_local_alone(n: usize) -> Result<(), Failed> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let b = built()?;
    let exe = BUILT
        .get_or_init(|| {
            let dir = b._dir.path();
            let exe = dir.join("test_local_alone");
            mpicc_c99(&dir.join("lib"), "tests/c/test_local_alone.c", &exe)
        })
        .as_ref()
        .map_err(|e| Failed::from(format!("building test_local_alone: {e}")))?;
    let dir = trial_dir()?;
    let python = std::env::var("H5PAR_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
    let mut cmd = Command::new(python);
    cmd.arg(root().join("tests/python/write_local_tree.py"))
        .arg(dir.path());
    run(cmd)?;
    run_ranks(exe, n, &[dir.path()], &[])
}

/// tests/fortran/test_objects.f90 with the module, built once against the staged library.
fn fortran_objects(n: usize) -> Result<(), Failed> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let b = built()?;
    let exe = BUILT
        .get_or_init(|| {
            let dir = b._dir.path();
            let lib = dir.join("lib");
            let mdir = dir.join("objects-mod");
            std::fs::create_dir_all(&mdir).map_err(|e| e.to_string())?;
            let exe = dir.join("test_objects_f");
            let mut cmd = Command::new(mpi_tool("mpif90"));
            cmd.current_dir(&mdir)
                .args(["-std=f2008", "-Wall", "-o"])
                .arg(&exe)
                .arg(root().join("ffi/fortran/h5par.f90"))
                .arg(root().join("tests/fortran/test_objects.f90"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd).map(|_| exe)
        })
        .as_ref()
        .map_err(|e| Failed::from(format!("building test_objects.f90: {e}")))?;
    let dir = trial_dir()?;
    run_ranks(exe, n, &[dir.path()], &[])
}

/// test_objects, built once against the library staged by [`build`].
fn objects_program() -> Result<&'static PathBuf, Failed> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let b = built()?;
    BUILT
        .get_or_init(|| {
            let dir = b._dir.path();
            let lib = dir.join("lib");
            let exe = dir.join("test_objects");
            let mut cmd = Command::new(mpi_tool("mpicc"));
            cmd.args(["-std=c99", "-Wall", "-Werror", "-o"])
                .arg(&exe)
                .arg(root().join("tests/c/test_objects.c"))
                .arg("-I")
                .arg(root().join("include"))
                .arg(format!("-L{}", lib.display()))
                .arg("-lh5par")
                .arg(format!("-Wl,-rpath,{}", lib.display()));
            run(cmd).map(|_| exe)
        })
        .as_ref()
        .map_err(|e| Failed::from(format!("building test_objects: {e}")))
}

/// Runs the h5py side (`make DIR` or `check DIR N`) and checks that it succeeded.
fn h5py_side(args: &[&str]) -> Result<(), Failed> {
    let python = std::env::var("H5PAR_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
    let mut cmd = Command::new(python);
    cmd.arg(root().join("tests/c/objects_h5py.py")).args(args);
    let o = run_limited(cmd, LIMIT);
    if o.status != Some(0) || !o.output.contains("h5py: ok") {
        return Err(format!(
            "objects_h5py.py {args:?} failed ({:?}):\n{}",
            o.status, o.output
        )
        .into());
    }
    Ok(())
}

fn c_objects(n: usize) -> Result<(), Failed> {
    let exe = objects_program()?;
    let dir = trial_dir()?;
    let d = dir.path().to_string_lossy().into_owned();
    h5py_side(&["make", &d])?;
    run_ranks(exe, n, &[dir.path()], &[])?;
    h5py_side(&["check", &d, &n.to_string()])
}
