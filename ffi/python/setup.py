"""Builds the h5par Python package (Cython over libh5par's C API).

    python3 -m pip install --no-build-isolation ffi/python     # install
    python3 setup.py build_ext --inplace                         # in-tree, for the tests

Where the C library is found:
  H5PAR_INCLUDE_DIR   directory of h5par.h     (default: ../../include next to this file)
  H5PAR_LIB_DIR       directory of libh5par.so (default: ../../target/release, else
                      ../../target/debug; cargo names its output libh5par_ffi.so, which is
                      staged here as h5par/_lib/libh5par.so)
  MPICC               MPI compiler wrapper to ask for flags (default mpicc.openmpi, mpicc);
                      falls back to `pkg-config ompi`.

The extension is linked with an rpath to the library directory, and the locations are written
to h5par/_build_config.py for h5par.get_include() / h5par.get_library_dir(); h5par.h is also
linked as h5par/include/h5par.h (used by get_include() when the library is the staged copy).

MPI: the extension must be built with the MPI that mpi4py and libh5par were built with. On
Debian, python3-mpi4py is built against OpenMPI, so the package is built and tested with OpenMPI
only.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PKG = os.path.join(HERE, "h5par")


def fail(msg):
    sys.stderr.write("h5par setup.py: error: %s\n" % msg)
    sys.exit(1)


def version():
    try:
        with open(os.path.join(ROOT, "Cargo.toml")) as f:
            text = f.read()
        m = re.search(r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
        if m:
            return m.group(1)
    except OSError:
        pass
    return "0.0.0"


def include_dir():
    d = os.environ.get("H5PAR_INCLUDE_DIR") or os.path.join(ROOT, "include")
    d = os.path.abspath(d)
    if not os.path.isfile(os.path.join(d, "h5par.h")):
        fail("h5par.h not found in %s (set H5PAR_INCLUDE_DIR, or generate include/h5par.h "
             "with the ffi crate's tests)" % d)
    return d


def library_dir():
    """(directory, file name) of the shared library."""
    env = os.environ.get("H5PAR_LIB_DIR")
    if env:
        candidates = [env]
    else:
        candidates = [os.path.join(ROOT, "target", p) for p in ("release", "debug")]
    for d in candidates:
        for name in ("libh5par.so", "libh5par.dylib", "libh5par_ffi.so", "libh5par_ffi.dylib"):
            if os.path.isfile(os.path.join(d, name)):
                return os.path.abspath(d), name
    fail("libh5par.so not found in %s (build it: cargo build -p h5par-ffi [--release], or set "
         "H5PAR_LIB_DIR)" % " or ".join(candidates))


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          universal_newlines=True).stdout.strip()


def mpi_flags():
    """Compile and link flags of the MPI (OpenMPI) the package is built with."""
    wrappers = [os.environ.get("MPICC"), "mpicc.openmpi", "mpicc"]
    for w in wrappers:
        if not w:
            continue
        path = shutil.which(w)
        if not path:
            continue
        try:
            return (shlex.split(run([path, "-showme:compile"])),
                    shlex.split(run([path, "-showme:link"])))
        except (subprocess.CalledProcessError, OSError):
            continue
    try:
        return (shlex.split(run(["pkg-config", "--cflags", "ompi"])),
                shlex.split(run(["pkg-config", "--libs", "ompi"])))
    except (subprocess.CalledProcessError, OSError):
        fail("no OpenMPI compiler wrapper (mpicc.openmpi / mpicc -showme) and no `pkg-config "
             "ompi`: install OpenMPI's development files (Debian: libopenmpi-dev) or set MPICC")


def split_flags(compile_flags, link_flags):
    inc, libdirs, libs, cargs, largs = [], [], [], [], []
    for f in compile_flags:
        if f.startswith("-I"):
            inc.append(f[2:])
        else:
            cargs.append(f)
    for f in link_flags:
        if f.startswith("-L"):
            libdirs.append(f[2:])
        elif f.startswith("-l"):
            libs.append(f[2:])
        elif f.startswith("-I"):
            inc.append(f[2:])
        else:
            largs.append(f)
    return inc, libdirs, libs, cargs, largs


def stage_library(libdir, name):
    """The directory to link with and to find libh5par.so in at run time. cargo's own output
    (libh5par_ffi.so, whose soname is libh5par.so) is staged as h5par/_lib/libh5par.so (a
    symlink in the source tree; pip copies the library itself into the installed package)."""
    stage = os.path.join(PKG, "_lib")
    if name.startswith("libh5par."):
        shutil.rmtree(stage, ignore_errors=True)     # a stale staged copy would be shipped
        return libdir, [libdir]
    os.makedirs(stage, exist_ok=True)
    ext = os.path.splitext(name)[1]
    link = os.path.join(stage, "libh5par" + ext)
    target = os.path.join(libdir, name)
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(target, link)
    return stage, ["$ORIGIN/_lib"]


def copy_header(inc):
    """h5par.h in the package (h5par/include), which goes with a staged library: a symlink in
    the source tree (pip copies the file itself into the installed package)."""
    dest = os.path.join(PKG, "include")
    os.makedirs(dest, exist_ok=True)
    link = os.path.join(dest, "h5par.h")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.join(inc, "h5par.h"), link)


def write_build_config(inc, libdir, staged):
    text = (
        '"""Written by setup.py at build time: where h5par.h and libh5par.so were found."""\n'
        "INCLUDE_DIR = %r\n"
        "LIBRARY_DIR = %r\n"
        "# True: the library is h5par/_lib/libh5par.so (staged from cargo's libh5par_ffi.so)\n"
        "STAGED = %r\n" % (inc, libdir, staged))
    path = os.path.join(PKG, "_build_config.py")
    old = None
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if old != text:
        with open(path, "w") as f:
            f.write(text)


def extensions():
    try:
        from Cython.Build import cythonize
    except ImportError:
        fail("Cython is missing (Debian: apt-get install cython3)")
    try:
        import mpi4py
    except ImportError:
        fail("mpi4py is missing (Debian: apt-get install python3-mpi4py)")

    inc = include_dir()
    libdir, name = library_dir()
    link_dir, rpaths = stage_library(libdir, name)
    staged = link_dir != libdir
    copy_header(inc)
    write_build_config(inc, link_dir if not staged else "", staged)

    mpi_inc, mpi_libdirs, mpi_libs, mpi_cargs, mpi_largs = split_flags(*mpi_flags())
    ext = Extension(
        "h5par._core",
        sources=[os.path.join("h5par", "_core.pyx")],
        include_dirs=[inc, mpi4py.get_include()] + mpi_inc,
        library_dirs=[link_dir] + mpi_libdirs,
        libraries=["h5par"] + mpi_libs,
        runtime_library_dirs=rpaths,
        extra_compile_args=mpi_cargs,
        extra_link_args=mpi_largs,
    )
    # Distributed vectors (h5par.vector): a second extension over the same library.
    vec = Extension("h5par._vector", sources=[os.path.join("h5par", "_vector.pyx")],
                    **{k: getattr(ext, k) for k in (
                        "include_dirs", "library_dirs", "libraries", "runtime_library_dirs",
                        "extra_compile_args", "extra_link_args")})
    return cythonize([ext, vec], include_path=[HERE], language_level=3, quiet=True)


# Paths in setup.py are relative to its own folder (pip may run it from elsewhere).
os.chdir(HERE)
ext_modules = [] if any(a in sys.argv for a in ("--help", "egg_info", "sdist", "clean")) and \
    "build_ext" not in sys.argv else extensions()

setup(
    version=version(),
    packages=["h5par"],
    package_data={"h5par": ["*.pxd", "*.pyx", "_lib/*", "include/*.h"]},
    ext_modules=ext_modules,
    zip_safe=False,
)
