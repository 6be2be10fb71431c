# cython: language_level=3
"""The extension types of h5par's thin Cython layer, for user Cython code (as mpi4py's MPI.pxd
exports ``MPI.Comm``)::

    from h5par._core cimport FileID, DatasetID
    from h5par cimport libh5par

    def my_write(f, ...):
        cdef FileID fid = f.id          # h5par.File(...).id
        cdef libh5par.h5par_file *h = fid.handle()   # NULL when the file is closed

``h5par.File.id`` is a FileID, ``h5par.Dataset.id`` a DatasetID; they own the C handles of
libh5par (h5par.h). Do not close the handles yourself: close the h5par objects.
"""

from h5par cimport libh5par as L


cdef class DatasetID
cdef class GroupID


cdef class FileID:
    cdef L.h5par_file *_h
    cdef readonly object filename
    cdef readonly object comm
    cdef list _dsets
    cdef long long _seq
    cdef object __weakref__
    cdef L.h5par_file *handle(self)
    cdef int _check_open(self) except -1
    cdef _forget_datasets(self)
    cdef DatasetID _new_dataset(self, L.h5par_dataset *h, object path)
    cdef _paths_call(self, int which, tuple args, object failure)


cdef class GroupID:
    cdef L.h5par_group *_h
    cdef readonly FileID file
    cdef L.h5par_group *handle(self)
    cdef int _check_open(self) except -1


cdef class DatasetID:
    cdef L.h5par_dataset *_h
    cdef readonly FileID file
    cdef readonly str path
    cdef L.h5par_dataset *handle(self)
    cdef int _check_open(self) except -1
    cdef _transfer_sel(self, bint write, int xfer, object sel, object mem_spec, object arr,
                       object failure)
