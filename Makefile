# h5par: the two commands of the quick start are `make demo` and `make test`.
#
#   make demo          install missing packages, build in release mode, run stripe-bench --quick
#                      on 4 ranks (DEMO_DIR, default /tmp): table on stdout, plot in stripe-bench-out/
#   make test          install missing packages, run every test on OpenMPI and on MPICH
#   make test-openmpi  only OpenMPI          make test-mpich  only MPICH (Python too)
#   make test-hdf5-versions  the Rust and C suites on parallel HDF5 1.14.5 and 2.2.0 (built
#                      once into ~/.cache/h5par by scripts/build-hdf5.sh)
#   make lint          cargo fmt --check, clippy -D warnings, the generated Fortran is fresh
#   make install PREFIX=...   libh5par.so/.a, h5par.h, the Fortran module, h5par.pc (ffi/install.mk)

SHELL := /bin/bash
CARGO ?= cargo
DEMO_DIR ?= /tmp
DEMO_RANKS ?= 4
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
export OMPI_MCA_rmaps_base_oversubscribe := 1
export OMPI_MCA_mpi_yield_when_idle := 1

# OpenMPI builds find HDF5 through pkg-config; MPICH builds need its HDF5 and a separate target.
OPENMPI_ENV := MPICC=mpicc.openmpi
MPICH_ENV := HDF5_DIR=/usr/lib/x86_64-linux-gnu/hdf5/mpich MPICC=mpicc.mpich \
             CARGO_TARGET_DIR=$(CURDIR)/target-mpich H5PAR_MPIRUN=mpirun.mpich

.PHONY: deps demo build test test-openmpi test-mpich lint clean

deps:
	@scripts/install-deps.sh

build: deps
	$(OPENMPI_ENV) $(CARGO) build --release --workspace

demo: build
	mpirun.openmpi -n $(DEMO_RANKS) target/release/stripe-bench --quick --dir $(DEMO_DIR) --out stripe-bench-out

test: deps test-openmpi test-mpich

# Rust, C and Fortran tests, then the Python package (Debian's mpi4py is built on OpenMPI, so
# the Python tests run with OpenMPI only).
test-openmpi:
	$(OPENMPI_ENV) H5PAR_MPIRUN=mpirun.openmpi $(CARGO) test --workspace
	$(OPENMPI_ENV) $(CARGO) build -p h5par-ffi
	H5PAR_LIB_DIR=$(CURDIR)/target/debug tests/python/run_python_tests.sh

test-mpich:
	$(MPICH_ENV) $(CARGO) test --workspace
	$(MAKE) test-python-mpich

lint:
	$(CARGO) fmt --all -- --check
	python3 scripts/gen-fortran.py --check
	$(OPENMPI_ENV) $(CARGO) clippy --workspace --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf target-mpich

# The C ABI's install targets (ffi-build, ffi-stage, install, uninstall).
include ffi/install.mk

# --- HDF5 versions and Python on MPICH -------------------------------------------------------
# The Python tests on MPICH run in a venv with mpi4py built from PyPI's source against MPICH
# (scripts/mpich-venv.sh, cached in ~/.cache/h5par/venv-mpich), against a libh5par built for
# MPICH (target-mpich).
.PHONY: test-hdf5-versions test-python-mpich

test-hdf5-versions:
	scripts/test-hdf5-versions.sh

test-python-mpich:
	$(MPICH_ENV) $(CARGO) build -p h5par-ffi
	PYTHON=$$(scripts/mpich-venv.sh) MPICC=mpicc.mpich H5PAR_MPIRUN=mpirun.mpich \
	  H5PAR_LIB_DIR=$(CURDIR)/target-mpich/debug tests/python/run_python_tests.sh

# --- The Fortran module's generated procedures ------------------------------------------------
# The type x rank procedures of ffi/fortran/h5par.f90 come from ffi/fortran/procedures.f90.in
# (its header says how to add a family); `make lint` checks that they are up to date.
.PHONY: fortran-module

fortran-module:
	python3 scripts/gen-fortran.py

# --- The Planck-style map-maker (examples/planck, issue 14) ----------------------------------
# make planck        the example end to end on 2 ranks (OpenMPI): timelines, the h5par map-maker
#                    and its peer, their numbers compared, the picture (in PLANCK_DIR)
# make planck-bench  the benchmark of the README's table (examples/planck/bench.py; minutes)
PLANCK_DIR ?= /tmp/h5par-planck
.PHONY: planck planck-bench

planck: deps
	examples/planck/run.sh $(PLANCK_DIR)

planck-bench: deps
	examples/planck/install.sh $(PLANCK_DIR)/site
	PYTHONPATH=$(PLANCK_DIR)/site /usr/bin/python3 examples/planck/bench.py
