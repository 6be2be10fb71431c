//! `include/h5par.h` is what cbindgen generates from this crate now.
//!
//! `H5PAR_BLESS=1 cargo test -p h5par-ffi --test header` writes the header instead of comparing.

use std::path::PathBuf;

fn generate() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("UTF-8 header")
}

#[test]
fn header_is_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/h5par.h");
    let now = generate();
    if std::env::var_os("H5PAR_BLESS").is_some() {
        std::fs::write(&path, &now).expect("writing include/h5par.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != now {
        let first = committed
            .lines()
            .zip(now.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(now.lines().count()));
        panic!(
            "include/h5par.h is not what cbindgen generates from ffi/src (first difference at \
             line {}); regenerate it with `H5PAR_BLESS=1 cargo test -p h5par-ffi --test header`\n\
             generated:\n{}",
            first + 1,
            now.lines()
                .skip(first.saturating_sub(2))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
