# cython: language_level=3
"""A user's own Cython extension over h5par's C API, next to mpi4py (built by setup.py in
this folder with h5par.get_include() / h5par.get_library_dir())."""

from libc.stdint cimport uint64_t
from mpi4py cimport MPI

from h5par cimport libh5par


cdef int check(int rc, what) except -1:
    if rc != libh5par.H5PAR_OK:
        raise RuntimeError("%s: %s" % (what, libh5par.h5par_last_error().decode()))
    return 0


def write_ranks(MPI.Comm comm, str path, int n):
    """Collective: writes a dataset "ranks" of n values per rank, each rank its own rank
    number, and an attribute; returns the dataset's dtype code and shape as read back by
    h5par_dataset_info."""
    cdef libh5par.h5par_options opts
    cdef libh5par.h5par_file *f = NULL
    cdef libh5par.h5par_dataset *d = NULL
    cdef uint64_t dims[1]
    cdef uint64_t offset[1]
    cdef uint64_t count[1]
    cdef double[::1] buf = None
    cdef int rc, dtype = -1, ndims = -1
    cdef uint64_t got[32]
    cdef int nranks = comm.Get_size()
    cdef int rank = comm.Get_rank()
    import numpy
    values = numpy.full(n, float(rank))
    buf = values
    bpath = path.encode()
    cdef const char *cpath = bpath
    libh5par.h5par_options_init(&opts)
    dims[0] = <uint64_t>n * nranks
    offset[0] = <uint64_t>n * rank
    count[0] = n
    with nogil:
        rc = libh5par.h5par_file_create(comm.ob_mpi, cpath, &opts, &f)
    check(rc, "h5par_file_create")
    with nogil:
        rc = libh5par.h5par_dataset_create(f, b"ranks", libh5par.H5PAR_FLOAT64, 1, dims,
                                           NULL, 0, &d)
    check(rc, "h5par_dataset_create")
    with nogil:
        rc = libh5par.h5par_dataset_write(d, libh5par.H5PAR_COLLECTIVE, offset, count,
                                          libh5par.H5PAR_FLOAT64, &buf[0] if n > 0 else NULL)
    check(rc, "h5par_dataset_write")
    with nogil:
        rc = libh5par.h5par_attr_write_string(f, b"ranks", b"written_by", b"user_ext")
    check(rc, "h5par_attr_write_string")
    check(libh5par.h5par_dataset_info(d, &dtype, &ndims, got), "h5par_dataset_info")
    check(libh5par.h5par_dataset_close(d), "h5par_dataset_close")
    with nogil:
        rc = libh5par.h5par_file_close(f)
    check(rc, "h5par_file_close")
    return dtype, tuple(got[i] for i in range(ndims))


def version():
    return libh5par.h5par_version().decode()


from h5par._core cimport FileID, DatasetID


def handles(f, d):
    """Reaches the C handles of an h5par.File and h5par.Dataset through the extension types
    that h5par/_core.pxd exports (as mpi4py's MPI.pxd exports MPI.Comm): writes the string
    attribute "via" of the dataset with the file's handle, and returns the dataset's extent as
    h5par_dataset_info gives it with the dataset's handle."""
    cdef FileID fid = f.id
    cdef DatasetID did = d.id
    cdef libh5par.h5par_file *fh = fid.handle()
    cdef libh5par.h5par_dataset *dh = did.handle()
    cdef uint64_t got[32]
    cdef int ndims = -1
    cdef int rc
    if fh == NULL or dh == NULL:
        raise RuntimeError("closed handle")
    bpath = did.path.encode()
    cdef const char *cpath = bpath
    with nogil:
        rc = libh5par.h5par_attr_write_string(fh, cpath, b"via", b"FileID")
    check(rc, "h5par_attr_write_string")
    check(libh5par.h5par_dataset_info(dh, NULL, &ndims, got), "h5par_dataset_info")
    return tuple(got[i] for i in range(ndims))
