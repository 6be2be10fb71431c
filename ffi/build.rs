//! Gives the shared library the name it is installed under (`libh5par.so`), so programs linked
//! with `-lh5par` look for that name at run time; and, when it is built against a custom HDF5
//! (`HDF5_DIR`, as a center's module provides), a RUNPATH to that HDF5's `lib/`, so that
//! programs linked with it find `libhdf5.so` at link and run time without `LD_LIBRARY_PATH`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=HDF5_DIR");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "macos" && os != "ios" && os != "windows" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libh5par.so");
        if let Some(dir) = std::env::var_os("HDF5_DIR") {
            let lib = std::path::Path::new(&dir).join("lib");
            // Both the library and this crate's test programs.
            println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
        }
    }
}
