//! Build script of the h5par crate: turns hdf5-metno-sys's version configuration into cfgs of
//! this crate, and makes the crate's own test, example and benchmark programs find a custom
//! HDF5 (`HDF5_DIR`) at run time.
//!
//! hdf5-metno-sys (`links = "hdf5"`) hands its dependents `DEP_HDF5_VERSION_X_Y_Z=1` for every
//! HDF5 version the library found is at least as new as. They become `hdf5_1_12`, `hdf5_1_14`
//! and `hdf5_2` here: version-specific code in h5par uses only these cfgs.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=HDF5_DIR");
    let at_least = |v: &str| std::env::var_os(format!("DEP_HDF5_VERSION_{v}")).is_some();
    for (cfg, version) in [
        ("hdf5_1_10_2", "1_10_2"),
        ("hdf5_1_12", "1_12_0"),
        ("hdf5_1_14", "1_14_0"),
        ("hdf5_2", "2_0_0"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if at_least(version) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    // A custom HDF5 is not on the loader's path: give the programs built here a RUNPATH to it
    // (libh5par.so gets its own in ffi/build.rs).
    if let Some(dir) = std::env::var_os("HDF5_DIR") {
        let lib = std::path::Path::new(&dir).join("lib");
        println!("cargo::rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
