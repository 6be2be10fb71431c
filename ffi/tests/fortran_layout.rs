//! The Fortran module agrees with `include/h5par.h`: every constant of the header's enums has
//! the same value in the modules `h5par`/`h5par_vector`, and the module's `bind(c)` copies of
//! the option and summary structs have the C structs' size and field offsets.
//!
//! Two programs are generated from the header: a C one (compiled with `mpicc`, which the header's
//! `mpi.h` needs) that prints `sizeof`, `offsetof` and the constants, and a Fortran one
//! (`mpif90`) that prints the same with `c_sizeof` and `c_loc` differences, the constants through
//! `use h5par`, and the structs as the module declares them (its `type, bind(c)` blocks, which
//! are private to the module, copied verbatim from `ffi/fortran/h5par.f90`). Their outputs must
//! be equal. The test also checks that it can fail: a copy of the module's `c_options` with two
//! fields swapped must differ from the header. Nothing is linked against libh5par: the
//! programs only read constants and layouts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The C structs of the header and the name of their copy in the Fortran module.
const STRUCTS: &[(&str, &str)] = &[
    ("h5par_options", "c_options"),
    ("h5par_farm_options", "c_farm_options"),
    ("h5par_farm_summary", "c_farm_summary"),
    ("h5par_create", "c_create"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn mpi_tool(tool: &str) -> String {
    h5par_testkit::mpi_tool(tool, &format!("H5PAR_{}", tool.to_uppercase()))
}

/// The header without its comments.
fn uncommented(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the constants of the header's enums, in order.
fn constants(header: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = header;
    while let Some(i) = rest.find("enum") {
        rest = &rest[i + 4..];
        let (Some(a), Some(b)) = (rest.find('{'), rest.find('}')) else {
            break;
        };
        for item in rest[a + 1..b].split(',') {
            let name = item.split('=').next().unwrap_or("").trim();
            if !name.is_empty() {
                names.push(name.to_string());
            }
        }
        rest = &rest[b..];
    }
    names
}

/// The field names of `typedef struct { ... } name;` in the header, in order.
fn fields(header: &str, name: &str) -> Vec<String> {
    let end = header
        .find(&format!("}} {name};"))
        .unwrap_or_else(|| panic!("struct {name} not in h5par.h"));
    let start = header[..end].rfind('{').expect("struct body");
    header[start + 1..end]
        .split(';')
        .filter_map(|decl| {
            let decl = decl.trim();
            let last = decl
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()?;
            (!last.is_empty()).then(|| last.to_string())
        })
        .collect()
}

/// The `type, bind(c) :: name ... end type name` block of the Fortran module.
fn fortran_type(module: &str, name: &str) -> String {
    let begin = format!("type, bind(c) :: {name}");
    let end = format!("end type {name}");
    let a = module
        .find(&begin)
        .unwrap_or_else(|| panic!("`{begin}` not in h5par.f90"));
    let b = module[a..].find(&end).expect("end type") + a + end.len();
    module[a..b].to_string()
}

fn c_program(header: &str) -> String {
    let mut s = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"h5par.h\"\nint main(void) {\n",
    );
    for c in constants(header) {
        s += &format!("  printf(\"const {c} %lld\\n\", (long long){c});\n");
    }
    for (cname, _) in STRUCTS {
        s += &format!("  printf(\"sizeof {cname} %zu\\n\", sizeof({cname}));\n");
        for f in fields(header, cname) {
            s += &format!("  printf(\"offset {cname}.{f} %zu\\n\", offsetof({cname}, {f}));\n");
        }
    }
    s + "  return 0;\n}\n"
}

fn fortran_program(header: &str, types: &[(String, String)]) -> String {
    let mut s =
        String::from("module layout_types\n  use, intrinsic :: iso_c_binding\n  implicit none\n");
    for (_, block) in types {
        s += &format!("  {block}\n");
    }
    s += "end module layout_types\n\nprogram layout\n  use, intrinsic :: iso_c_binding\n  \
          use h5par\n  use h5par_vector\n  use layout_types\n  implicit none\n";
    for (i, (cname, _)) in STRUCTS.iter().enumerate() {
        let _ = cname;
        s += &format!("  type({}), target :: v{i}\n", types[i].0);
    }
    s += "  integer(c_intptr_t) :: base\n";
    for c in constants(header) {
        s += &format!("  print '(A,I0)', 'const {c} ', {c}\n");
    }
    for (i, (cname, _)) in STRUCTS.iter().enumerate() {
        s += &format!("  print '(A,I0)', 'sizeof {cname} ', c_sizeof(v{i})\n");
        s += &format!("  base = transfer(c_loc(v{i}), base)\n");
        for f in fields(header, cname) {
            s += &format!(
                "  print '(A,I0)', 'offset {cname}.{f} ', transfer(c_loc(v{i}%{f}), base) - base\n"
            );
        }
    }
    s + "end program layout\n"
}

fn run(mut cmd: Command, what: &str) -> String {
    h5par_testkit::mpi_env(&mut cmd);
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Compiles and runs the Fortran program for `types` in `dir` (where the module's `.mod` files
/// are) and returns its lines by key.
fn fortran_layout(dir: &Path, header: &str, types: &[(String, String)], name: &str) -> Report {
    let src = dir.join(format!("{name}.f90"));
    std::fs::write(&src, fortran_program(header, types)).expect("write the Fortran program");
    let exe = dir.join(name);
    let mut cmd = Command::new(mpi_tool("mpif90"));
    cmd.current_dir(dir).arg("-o").arg(&exe).arg(&src);
    run(cmd, &format!("compiling {name}.f90"));
    report(&run(Command::new(&exe), name))
}

type Report = BTreeMap<String, String>;

fn report(out: &str) -> Report {
    out.lines()
        .filter_map(|l| l.trim().rsplit_once(' '))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn differences(c: &Report, f: &Report) -> Vec<String> {
    let mut d: Vec<String> = c
        .iter()
        .filter(|(k, v)| f.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: C {v}, Fortran {:?}", f.get(k)))
        .collect();
    d.extend(
        f.keys()
            .filter(|k| !c.contains_key(*k))
            .map(|k| format!("{k}: only in Fortran")),
    );
    d
}

#[test]
fn fortran_module_matches_the_header() {
    let root = root();
    let header = uncommented(
        &std::fs::read_to_string(root.join("include/h5par.h")).expect("include/h5par.h"),
    );
    let module = std::fs::read_to_string(root.join("ffi/fortran/h5par.f90")).expect("h5par.f90");
    let dir = tempfile::Builder::new()
        .prefix("h5par-layout-")
        .tempdir()
        .expect("temporary directory");

    let csrc = dir.path().join("layout.c");
    std::fs::write(&csrc, c_program(&header)).expect("write the C program");
    let cexe = dir.path().join("layout_c");
    let mut cmd = Command::new(mpi_tool("mpicc"));
    cmd.args(["-std=c99", "-Wall", "-Werror", "-o"])
        .arg(&cexe)
        .arg(&csrc)
        .arg("-I")
        .arg(root.join("include"));
    run(cmd, "compiling layout.c");
    let c = report(&run(Command::new(&cexe), "layout_c"));
    assert!(
        c.len() > 40 && c.contains_key("offset h5par_options.libver"),
        "the C program printed too little: {c:?}"
    );

    // The module itself (its .mod files), compiled only: nothing of it is linked.
    let mut cmd = Command::new(mpi_tool("mpif90"));
    cmd.current_dir(dir.path())
        .args(["-std=f2008", "-c"])
        .arg(root.join("ffi/fortran/h5par.f90"));
    run(cmd, "compiling h5par.f90");

    let types: Vec<(String, String)> = STRUCTS
        .iter()
        .map(|(_, f)| (f.to_string(), fortran_type(&module, f)))
        .collect();
    let f = fortran_layout(dir.path(), &header, &types, "layout_f");
    let d = differences(&c, &f);
    assert!(
        d.is_empty(),
        "the Fortran module differs from include/h5par.h:\n  {}",
        d.join("\n  ")
    );

    // The comparison can fail: c_options with its first two fields swapped.
    let mut swapped = types.clone();
    let lines: Vec<&str> = swapped[0].1.lines().collect();
    let mut l: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    l.swap(1, 3); // stripe_count (int64) <-> cb_nodes (int32)
    swapped[0].1 = l.join("\n");
    let bad = fortran_layout(dir.path(), &header, &swapped, "layout_swapped");
    let d = differences(&c, &bad);
    assert!(
        d.iter().any(|x| x.contains("h5par_options.stripe_count")),
        "a swapped c_options went unnoticed: {d:?}"
    );
}
