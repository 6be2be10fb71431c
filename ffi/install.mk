# The C ABI of h5par: build, stage and install libh5par.so, libh5par.a, h5par.h, the Fortran
# module and the pkg-config files h5par.pc and h5par-fortran.pc.
#
# Include it from the top-level Makefile (`include ffi/install.mk`) or use it on its own:
#
#   make -f ffi/install.mk install PREFIX=$HOME/.local     build in release mode and install
#   make -f ffi/install.mk ffi-stage                        only build and stage (see H5PAR_STAGE)
#   make -f ffi/install.mk uninstall PREFIX=$HOME/.local
#
# then   mpicc app.c $(pkg-config --cflags --libs h5par)
#        mpif90 app.f90 $(pkg-config --cflags --libs h5par-fortran)
# (with PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig). No LD_LIBRARY_PATH is needed: h5par.pc hands the
# linker an rpath to $PREFIX/lib, and a libh5par.so built with HDF5_DIR carries a RUNPATH to
# $HDF5_DIR/lib (ffi/build.rs), so the HDF5 it was built with is found at link and run time.
#
# Variables:
#   PREFIX            where to install (/usr/local); DESTDIR is honoured
#   CARGO_TARGET_DIR  cargo's target directory (target)
#   PROFILE           cargo profile: release (default) or debug
#   CARGO             cargo (`CARGO=true` skips the build and installs what was built)
#   H5PAR_MPI         openmpi or mpich: the MPI the library is built with (detected from it)
#   H5PAR_FC          the MPI Fortran compiler for the module (mpif90.$(H5PAR_MPI) or mpif90;
#                     empty: the module is installed as source only)
#   H5PAR_LIB         the shared library cargo built ($(CARGO_TARGET_DIR)/$(PROFILE)/libh5par_ffi.so)
# For MPICH, build with its HDF5 and its own target directory:
#   make -f ffi/install.mk install HDF5_DIR=/usr/lib/x86_64-linux-gnu/hdf5/mpich \
#        MPICC=mpicc.mpich CARGO_TARGET_DIR=target-mpich

H5PAR_FFI_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
H5PAR_ROOT := $(abspath $(H5PAR_FFI_DIR)/..)
comma := ,

PREFIX ?= /usr/local
CARGO ?= cargo
CARGO_TARGET_DIR ?= target
PROFILE ?= release

H5PAR_TARGET = $(abspath $(CARGO_TARGET_DIR))
H5PAR_PROFILE_FLAG = $(if $(filter debug,$(PROFILE)),--profile dev,--profile $(PROFILE))
H5PAR_LIB ?= $(H5PAR_TARGET)/$(PROFILE)/libh5par_ffi.so
H5PAR_STATICLIB ?= $(H5PAR_LIB:.so=.a)
H5PAR_STAGE ?= $(H5PAR_TARGET)/h5par-stage/$(PROFILE)
H5PAR_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(H5PAR_ROOT)/Cargo.toml | head -n 1)
# Recursive (=) so that they are worked out after the build.
H5PAR_MPI ?= $(if $(findstring mpich,$(shell readelf -d $(H5PAR_LIB) 2>/dev/null)),mpich,openmpi)
H5PAR_FC ?= $(firstword $(shell command -v mpif90.$(H5PAR_MPI) mpif90 2>/dev/null))
H5PAR_HDF5_LIBS ?= $(if $(HDF5_DIR),-L$(HDF5_DIR)/lib -Wl$(comma)-rpath$(comma)$(HDF5_DIR)/lib -lhdf5,$(shell pkg-config --libs hdf5-$(H5PAR_MPI) 2>/dev/null))
H5PAR_LIBS_PRIVATE = $(H5PAR_HDF5_LIBS) -lgcc_s -lutil -lrt -lpthread -lm -ldl
H5PAR_INSTALL_DIR = $(DESTDIR)$(PREFIX)

.PHONY: ffi-build ffi-stage install uninstall

ffi-build:
	CARGO_TARGET_DIR=$(H5PAR_TARGET) $(CARGO) build --manifest-path $(H5PAR_ROOT)/Cargo.toml \
	  -p h5par-ffi $(H5PAR_PROFILE_FLAG)

# A prefix-like tree: lib/libh5par.{so,a}, include/h5par.h, the Fortran module (include/h5par.mod
# and lib/libh5par_fortran.a, when a Fortran compiler is there) and its source.
ffi-stage: ffi-build
	rm -rf $(H5PAR_STAGE)
	install -d $(H5PAR_STAGE)/lib $(H5PAR_STAGE)/include $(H5PAR_STAGE)/share/h5par/fortran \
	  $(H5PAR_STAGE)/build
	install -m 755 $(H5PAR_LIB) $(H5PAR_STAGE)/lib/libh5par.so
	install -m 644 $(H5PAR_STATICLIB) $(H5PAR_STAGE)/lib/libh5par.a
	install -m 644 $(H5PAR_ROOT)/include/h5par.h $(H5PAR_STAGE)/include/h5par.h
	install -m 644 $(H5PAR_FFI_DIR)/fortran/h5par.f90 $(H5PAR_STAGE)/share/h5par/fortran/h5par.f90
	@if [ -n "$(H5PAR_FC)" ]; then \
	  set -e; cd $(H5PAR_STAGE)/build; \
	  echo "$(H5PAR_FC) -c h5par.f90"; \
	  $(H5PAR_FC) -O2 -c $(H5PAR_FFI_DIR)/fortran/h5par.f90 -o h5par.o; \
	  ar rcs ../lib/libh5par_fortran.a h5par.o; \
	  install -m 644 h5par.mod ../include/h5par.mod; \
	else \
	  echo "no MPI Fortran compiler (H5PAR_FC): the Fortran module is staged as source only"; \
	fi
	rm -rf $(H5PAR_STAGE)/build
	@echo "staged in $(H5PAR_STAGE)"

install: ffi-stage
	install -d $(H5PAR_INSTALL_DIR)/lib/pkgconfig $(H5PAR_INSTALL_DIR)/include \
	  $(H5PAR_INSTALL_DIR)/share/h5par/fortran
	install -m 755 $(H5PAR_STAGE)/lib/libh5par.so $(H5PAR_INSTALL_DIR)/lib/libh5par.so
	install -m 644 $(H5PAR_STAGE)/lib/libh5par.a $(H5PAR_INSTALL_DIR)/lib/libh5par.a
	install -m 644 $(H5PAR_STAGE)/include/h5par.h $(H5PAR_INSTALL_DIR)/include/h5par.h
	install -m 644 $(H5PAR_STAGE)/share/h5par/fortran/h5par.f90 \
	  $(H5PAR_INSTALL_DIR)/share/h5par/fortran/h5par.f90
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(H5PAR_VERSION)|' -e 's|@MPI@|$(H5PAR_MPI)|' \
	  -e 's|@LIBS_PRIVATE@|$(H5PAR_LIBS_PRIVATE)|' $(H5PAR_FFI_DIR)/h5par.pc.in \
	  > $(H5PAR_INSTALL_DIR)/lib/pkgconfig/h5par.pc
	@if [ -f $(H5PAR_STAGE)/include/h5par.mod ]; then \
	  set -e; \
	  install -m 644 $(H5PAR_STAGE)/include/h5par.mod $(H5PAR_INSTALL_DIR)/include/h5par.mod; \
	  install -m 644 $(H5PAR_STAGE)/lib/libh5par_fortran.a \
	    $(H5PAR_INSTALL_DIR)/lib/libh5par_fortran.a; \
	  sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(H5PAR_VERSION)|' -e 's|@FC@|$(H5PAR_FC)|' \
	    $(H5PAR_FFI_DIR)/h5par-fortran.pc.in > $(H5PAR_INSTALL_DIR)/lib/pkgconfig/h5par-fortran.pc; \
	fi
	@echo "installed h5par $(H5PAR_VERSION) ($(H5PAR_MPI)) in $(H5PAR_INSTALL_DIR)"

uninstall:
	rm -f $(H5PAR_INSTALL_DIR)/lib/libh5par.so $(H5PAR_INSTALL_DIR)/lib/libh5par.a \
	  $(H5PAR_INSTALL_DIR)/lib/libh5par_fortran.a $(H5PAR_INSTALL_DIR)/include/h5par.h \
	  $(H5PAR_INSTALL_DIR)/include/h5par.mod $(H5PAR_INSTALL_DIR)/lib/pkgconfig/h5par.pc \
	  $(H5PAR_INSTALL_DIR)/lib/pkgconfig/h5par-fortran.pc
	rm -rf $(H5PAR_INSTALL_DIR)/share/h5par
