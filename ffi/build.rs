//! Gives the shared library the name it is installed under (`libh5par.so`), so programs linked
//! with `-lh5par` look for that name at run time.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "macos" && os != "ios" && os != "windows" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libh5par.so");
    }
}
