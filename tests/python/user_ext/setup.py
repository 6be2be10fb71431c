"""Builds user_ext.pyx the way a user's project would: against the installed h5par package
(h5par.get_include() / h5par.get_library_dir()), mpi4py and OpenMPI's flags.

    python3 setup.py build_ext --inplace
"""
import shlex
import shutil
import subprocess

import mpi4py
from Cython.Build import cythonize
from setuptools import Extension, setup

import h5par


def mpi(flag):
    mpicc = shutil.which("mpicc.openmpi") or "mpicc"
    return shlex.split(subprocess.check_output([mpicc, flag], universal_newlines=True))


compile_flags, link_flags = mpi("-showme:compile"), mpi("-showme:link")
libdir = h5par.get_library_dir()
ext = Extension(
    "user_ext",
    ["user_ext.pyx"],
    include_dirs=[h5par.get_include(), mpi4py.get_include()]
    + [f[2:] for f in compile_flags if f.startswith("-I")],
    extra_compile_args=[f for f in compile_flags if not f.startswith("-I")],
    library_dirs=[libdir],
    libraries=["h5par"],
    runtime_library_dirs=[libdir],
    extra_link_args=link_flags,
)
setup(name="user_ext", ext_modules=cythonize([ext], language_level=3))
