"""Builds the h5par Python package (Cython over libh5par's C API).

    python3 -m pip install --no-build-isolation ffi/python     # install
    python3 setup.py build_ext --inplace                         # in-tree, for the tests

Where the C library is found:
  H5PAR_INCLUDE_DIR   directory of h5par.h     (default: ../../include next to this file)
  H5PAR_LIB_DIR       directory of libh5par.so (default: ../../target/release, else
                      ../../target/debug; cargo names its output libh5par_ffi.so, which is
                      staged here as h5par/_lib/libh5par.so)
  MPICC               the MPI compiler wrapper to take MPI's flags from (default: the one the
                      mpi4py that will be imported uses: mpi4py 3 records it, for mpi4py 4 the
                      one named after its MPI library, mpicc.openmpi or mpicc.mpich; else mpicc):
                      `-showme:compile`/`-showme:link` for OpenMPI, `-show` for MPICH and
                      Cray-style wrappers.

The extension is linked with an rpath to the library directory, and the locations are written
to h5par/_build_config.py for h5par.get_include() / h5par.get_library_dir(); h5par.h is also
linked as h5par/include/h5par.h (used by get_include() when the library is the staged copy).

MPI: the extension must be built with the MPI that mpi4py and libh5par were built with, and
against the mpi4py it will import (Cython checks the size of mpi4py's types at import): the
mpi4py of the target environment (found by asking the interpreter outside pip's build
isolation), else the one of the build environment. Every build starts from scratch: Cython's C
file and the compiled objects go to a temporary directory, never to build/ or the source tree.
"""

import os
import re
import shlex
import shutil
import subprocess
import atexit
import sys
import tempfile

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


PROBE = """
import json, os, mpi4py
cfg = mpi4py.get_config() if hasattr(mpi4py, "get_config") else {}
mpicc = cfg.get("mpicc")
if not mpicc:
    # mpi4py 4 keeps no mpicc: name the wrapper after the MPI library it is linked with.
    mpi4py.rc.initialize = False
    from mpi4py import MPI
    lib = MPI.Get_library_version()
    mpicc = "mpicc.openmpi" if "Open MPI" in lib else "mpicc.mpich" if "MPICH" in lib else None
print(json.dumps([os.path.dirname(os.path.dirname(mpi4py.__file__)), mpi4py.__version__, mpicc]))
"""


def target_mpi4py():
    """(directory holding the mpi4py package, its version, its MPI compiler wrapper) of the
    mpi4py that the installed package will import: the interpreter's own, outside pip's build
    isolation (which works through PYTHONPATH and PYTHONNOUSERSITE); else the build
    environment's."""
    probe = PROBE
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONNOUSERSITE")}
    try:
        out = subprocess.run([sys.executable, "-c", probe], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, universal_newlines=True, env=env).stdout
        import json
        return tuple(json.loads(out))
    except (subprocess.CalledProcessError, OSError, ValueError):
        pass
    try:
        out = subprocess.run([sys.executable, "-c", probe], check=True, stdout=subprocess.PIPE,
                             universal_newlines=True).stdout
        import json
        return tuple(json.loads(out))
    except (subprocess.CalledProcessError, OSError, ValueError):
        fail("mpi4py is missing (pip install mpi4py, or Debian: apt-get install python3-mpi4py)")


def wrapper_flags(path):
    """(compile flags, link flags) from an MPI compiler wrapper: OpenMPI's -showme:compile and
    -showme:link, else MPICH's (and Cray-style) -show, whose first word is the compiler."""
    try:
        return shlex.split(run([path, "-showme:compile"])), shlex.split(run([path, "-showme:link"]))
    except (subprocess.CalledProcessError, OSError):
        pass
    words = shlex.split(run([path, "-show"]))[1:]
    compile_flags = [w for w in words if w.startswith(("-I", "-D", "-pthread"))]
    link_flags = [w for w in words if not w.startswith(("-I", "-D", "-c")) and not
                  w.endswith((".c", ".o"))]
    return compile_flags, link_flags


def mpi_flags(mpi4py_mpicc):
    """Compile and link flags of the MPI the package is built with: MPICC, else the wrapper
    mpi4py was built with, else OpenMPI's."""
    wrappers = [os.environ.get("MPICC"), mpi4py_mpicc, "mpicc"]
    for w in wrappers:
        if not w:
            continue
        path = shutil.which(shlex.split(w)[0])
        if not path:
            continue
        try:
            return path, wrapper_flags(path)
        except (subprocess.CalledProcessError, OSError, IndexError):
            continue
    fail("no MPI compiler wrapper found (tried %s): set MPICC to your MPI's mpicc"
         % ", ".join(w for w in wrappers if w))


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


def extensions(build_base):
    try:
        from Cython.Build import cythonize
    except ImportError:
        fail("Cython is missing (Debian: apt-get install cython3)")
    mpi4py_dir, mpi4py_version, mpi4py_mpicc = target_mpi4py()
    mpi4py_include = os.path.join(mpi4py_dir, "mpi4py", "include")

    inc = include_dir()
    libdir, name = library_dir()
    link_dir, rpaths = stage_library(libdir, name)
    staged = link_dir != libdir
    copy_header(inc)
    write_build_config(inc, link_dir if not staged else "", staged)

    wrapper, flags = mpi_flags(mpi4py_mpicc)
    mpi_inc, mpi_libdirs, mpi_libs, mpi_cargs, mpi_largs = split_flags(*flags)
    sys.stderr.write("h5par setup.py: mpi4py %s from %s, MPI flags from %s\n"
                     % (mpi4py_version, mpi4py_dir, wrapper))
    ext = Extension(
        "h5par._core",
        sources=[os.path.join("h5par", "_core.pyx")],
        include_dirs=[inc, mpi4py_include] + mpi_inc,
        library_dirs=[link_dir] + mpi_libdirs,
        libraries=["h5par"] + mpi_libs,
        runtime_library_dirs=rpaths,
        extra_compile_args=mpi_cargs,
        extra_link_args=mpi_largs,
    )
    # The task farm (h5par.farm over h5par._farm), built like _core.
    farm = Extension("h5par._farm", sources=[os.path.join("h5par", "_farm.pyx")],
                     **{k: getattr(ext, k) for k in ("include_dirs", "library_dirs", "libraries",
                                                      "runtime_library_dirs", "extra_compile_args",
                                                      "extra_link_args")})
    # Distributed vectors (h5par.vector): a third extension over the same library.
    vec = Extension("h5par._vector", sources=[os.path.join("h5par", "_vector.pyx")],
                    **{k: getattr(ext, k) for k in (
                        "include_dirs", "library_dirs", "libraries", "runtime_library_dirs",
                        "extra_compile_args", "extra_link_args")})
    # The generated C files go to the temporary build folder, regenerated every time: one left
    # in the source tree by a build for another MPI or mpi4py would be compiled as it is.
    return cythonize([ext, farm, vec], include_path=[HERE, mpi4py_dir], language_level=3, quiet=True,
                     force=True, build_dir=os.path.join(build_base, "cython"))


# Paths in setup.py are relative to its own folder (pip may run it from elsewhere).
os.chdir(HERE)
# A fresh build folder every time (setuptools would reuse build/ and skip an extension it finds
# up to date there, even one built for another MPI or another libh5par).
BUILD_BASE = tempfile.mkdtemp(prefix="h5par-pybuild-")
atexit.register(shutil.rmtree, BUILD_BASE, True)
ext_modules = [] if any(a in sys.argv for a in ("--help", "egg_info", "sdist", "clean")) and \
    "build_ext" not in sys.argv else extensions(BUILD_BASE)

setup(
    version=version(),
    packages=["h5par", "h5par._hl"],
    package_data={"h5par": ["*.pxd", "*.pyx", "_lib/*", "include/*.h"]},
    ext_modules=ext_modules,
    options={"build": {"build_base": BUILD_BASE}},
    zip_safe=False,
)
