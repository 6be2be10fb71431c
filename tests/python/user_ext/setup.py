"""Builds user_ext.pyx the way a user's project would: against the installed h5par package
(h5par.get_include() / h5par.get_library_dir()) and mpi4py, compiled and linked with the MPI
compiler wrapper (MPICC, default mpicc.openmpi), as mpi4py advises.

    MPICC=mpicc.mpich python3 setup.py build_ext --inplace
"""
import os
import shutil

import mpi4py
from Cython.Build import cythonize
from setuptools import Extension, setup

import h5par

mpicc = os.environ.get("MPICC") or shutil.which("mpicc.openmpi") or "mpicc"
os.environ["CC"] = mpicc
os.environ["LDSHARED"] = mpicc + " -shared"
libdir = h5par.get_library_dir()
ext = Extension(
    "user_ext",
    ["user_ext.pyx"],
    include_dirs=[h5par.get_include(), mpi4py.get_include()],
    library_dirs=[libdir],
    libraries=["h5par"],
    runtime_library_dirs=[libdir],
)
setup(name="user_ext", ext_modules=cythonize([ext], language_level=3))
