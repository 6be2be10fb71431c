# cython: language_level=3
"""Cython declarations of the h5par C API (include/h5par.h).

Use from your own .pyx next to mpi4py::

    from mpi4py cimport MPI
    from h5par cimport libh5par

    cdef libh5par.h5par_file *f = NULL
    cdef int rc = libh5par.h5par_file_create((<MPI.Comm>comm).ob_mpi, b"out.h5", NULL, &f)

and build with ``include_dirs=[h5par.get_include(), mpi4py.get_include()]``,
``library_dirs=[h5par.get_library_dir()]``, ``libraries=["h5par"]`` and an rpath to
``h5par.get_library_dir()`` (see tests/python/user_ext/setup.py).

Every function is declared ``nogil``: call it inside ``with nogil:``.  Every function returns
an ``h5par_status`` as ``int`` (0 = H5PAR_OK) except the four that return strings or nothing.
A collective call returns the same status on every rank, except that the rank whose part
failed gets its own status and the others get H5PAR_ERR_REMOTE.
"""

from libc.stdint cimport int32_t, int64_t, uint64_t
from mpi4py.libmpi cimport MPI_Comm, MPI_Fint


cdef extern from "h5par.h" nogil:

    # Opaque handles.
    ctypedef struct h5par_file:
        pass
    ctypedef struct h5par_dataset:
        pass
    ctypedef struct h5par_group:
        pass

    # Status codes: 0 is success.
    ctypedef enum h5par_status:
        H5PAR_OK
        H5PAR_ERR_INVALID       # bad argument: NULL, out of range, bad dtype code, ...
        H5PAR_ERR_HANDLE        # NULL, closed or foreign handle
        H5PAR_ERR_NOT_FOUND     # file, object or attribute missing
        H5PAR_ERR_EXISTS
        H5PAR_ERR_TYPE          # incompatible data type
        H5PAR_ERR_SHAPE         # incompatible shape or selection
        H5PAR_ERR_MISMATCH      # ranks passed different arguments to a collective call
        H5PAR_ERR_REMOTE        # the call failed on another rank; this rank's part was fine
        H5PAR_ERR_IO
        H5PAR_ERR_HDF5
        H5PAR_ERR_MPI
        H5PAR_ERR_INTERNAL      # a bug in h5par (a panic stopped at the border)

    # Element type codes (dtype and mem_dtype arguments).
    ctypedef enum h5par_dtype:
        H5PAR_INT8
        H5PAR_INT16
        H5PAR_INT32
        H5PAR_INT64
        H5PAR_UINT8
        H5PAR_UINT16
        H5PAR_UINT32
        H5PAR_UINT64
        H5PAR_FLOAT32
        H5PAR_FLOAT64

    # Open modes of h5par_file_open.
    enum:
        H5PAR_READONLY
        H5PAR_READWRITE

    # Transfer modes (xfer) of h5par_dataset_write / h5par_dataset_read.
    enum:
        H5PAR_COLLECTIVE
        H5PAR_INDEPENDENT

    # Options of h5par_file_create / h5par_file_open; h5par_options_init fills the defaults,
    # 0 in a size field means "choose".
    ctypedef struct h5par_options:
        int64_t stripe_count
        int64_t stripe_size         # bytes
        int32_t cb_nodes
        int32_t tuning              # 1 = tuned (default), 0 = plain HDF5 defaults
        int32_t atomic_create       # 1 = temporary name + rename at close (default), 0 = in place
        const char *hints           # extra MPI-IO hints "key=value,key=value", or NULL
        const char *report_path     # write the I/O report here at close ("-" = stderr), or NULL
        const char *libver          # file-format bounds "low,high" (h5py's libver), or NULL

    void h5par_options_init(h5par_options *opts)
    const char *h5par_version()
    const char *h5par_status_string(int status)
    const char *h5par_last_error()
    int h5par_fail_next(int status, const char *message)

    int h5par_file_create(MPI_Comm comm, const char *path, const h5par_options *opts,
                          h5par_file **out)
    int h5par_file_open(MPI_Comm comm, const char *path, int mode, const h5par_options *opts,
                        h5par_file **out)
    # The same with a Fortran communicator handle (MPI_Comm_f2c), as the Fortran module uses.
    int h5par_file_create_f2c(MPI_Fint comm, const char *path, const h5par_options *opts,
                              h5par_file **out)
    int h5par_file_open_f2c(MPI_Fint comm, const char *path, int mode,
                            const h5par_options *opts, h5par_file **out)
    int h5par_file_close(h5par_file *file)
    int h5par_file_close_at_exit(h5par_file *file)
    int h5par_file_is_open(const h5par_file *file)
    int h5par_object_exists(const h5par_file *file, const char *path, int *exists)
    int h5par_group_create(h5par_file *file, const char *path)

    # Types (specs: "i1".."f8", "b1", "c8", "c16", "S10", "S10/utf8", "{x:f8@0,y:i4@8}16";
    # stored unsupported types "unsupported:<what>"), selections, creation options.
    enum:
        H5PAR_BOOL
        H5PAR_COMPLEX64
        H5PAR_COMPLEX128
        H5PAR_STRING
        H5PAR_COMPOUND
        H5PAR_UNSUPPORTED

    ctypedef struct h5par_selection:
        int ndims
        const uint64_t *start
        const uint64_t *stride
        const uint64_t *count
        const uint64_t *block
        int index_axis
        size_t nindices
        const uint64_t *indices

    ctypedef struct h5par_create:
        const uint64_t *chunk
        const int64_t *maxshape
        int deflate
        int shuffle
        const void *fill
        const char *fill_type
        int chunked

    int h5par_dataset_read_sel(h5par_dataset *dset, int xfer, const h5par_selection *sel,
                               const char *mem_type, void *buf, size_t nbytes)
    int h5par_dataset_write_sel(h5par_dataset *dset, int xfer, const h5par_selection *sel,
                                const char *mem_type, const void *buf, size_t nbytes)
    int h5par_dataset_type(const h5par_dataset *dset, char *buf, size_t capacity, size_t *len,
                           size_t *elem_size)
    void h5par_create_init(h5par_create *opts)
    int h5par_dataset_create_ex(h5par_file *file, const char *path, const char *type_spec,
                                int ndims, const uint64_t *dims, const h5par_create *opts,
                                h5par_dataset **out)
    int h5par_dataset_storage(const h5par_dataset *dset, int *chunked, uint64_t *chunk,
                              int64_t *maxshape, int *deflate, int *shuffle, int *has_fill,
                              void *fill, size_t fill_capacity)
    int h5par_dataset_fill_value(const h5par_dataset *dset, const char *mem_type, void *buf,
                                 size_t nbytes, int *has_fill)
    int h5par_attr_write_typed(h5par_file *file, const char *object, const char *name,
                               const char *type_spec, int ndims, const uint64_t *dims,
                               const void *buf, size_t nbytes)
    int h5par_attr_type(h5par_file *file, const char *object, const char *name, char *buf,
                        size_t capacity, size_t *len, int *ndims, uint64_t *dims)
    int h5par_attr_read_typed(h5par_file *file, const char *object, const char *name,
                              const char *mem_type, void *buf, size_t nbytes)

    # Navigation (local; kinds: 0 none, 1 group, 2 dataset, 3 soft link, 4 external link,
    # 5 other), links and deletion (collective).
    int h5par_group_open(h5par_file *file, const char *path, h5par_group **out)
    int h5par_group_close(h5par_group *group)
    int h5par_group_path(h5par_group *group, char *buf, size_t capacity, size_t *len)
    int h5par_group_nmembers(h5par_group *group, size_t *n)
    int h5par_group_nnames(h5par_group *group, size_t *n)
    int h5par_group_member(h5par_group *group, size_t index, char *buf, size_t capacity,
                           size_t *len, int *kind)
    int h5par_group_names(h5par_group *group, char *buf, size_t capacity, size_t *len,
                          size_t *n)
    int h5par_object_open(h5par_file *file, const char *path, int *kind, h5par_group **group,
                          h5par_dataset **dataset, h5par_file **target_file)
    int h5par_object_kind(h5par_file *file, const char *path, int follow, int *kind)
    int h5par_link_target(h5par_file *file, const char *path, char *buf, size_t capacity,
                          size_t *len, char *file_buf, size_t file_capacity, size_t *file_len)
    int h5par_object_delete(h5par_file *file, const char *path)
    int h5par_object_move(h5par_file *file, const char *src, const char *dst)
    int h5par_link_soft(h5par_file *file, const char *path, const char *target)
    int h5par_link_hard(h5par_file *file, const char *path, const char *target)
    int h5par_link_external(h5par_file *file, const char *path, const char *target_file,
                            const char *target_path)
    int h5par_attr_delete(h5par_file *file, const char *object, const char *name)
    int h5par_attr_count(h5par_file *file, const char *object, size_t *n)
    int h5par_attr_name(h5par_file *file, const char *object, size_t index, char *buf,
                        size_t capacity, size_t *len)

    int h5par_dataset_create(h5par_file *file, const char *path, int dtype, int ndims,
                             const uint64_t *dims, const uint64_t *chunk, int deflate_level,
                             h5par_dataset **out)
    int h5par_dataset_open(h5par_file *file, const char *path, h5par_dataset **out)
    int h5par_dataset_info(const h5par_dataset *dset, int *dtype, int *ndims, uint64_t *dims)
    int h5par_dataset_write(h5par_dataset *dset, int xfer, const uint64_t *offset,
                            const uint64_t *count, int mem_dtype, const void *buf)
    int h5par_dataset_read(h5par_dataset *dset, int xfer, const uint64_t *offset,
                           const uint64_t *count, int mem_dtype, void *buf)
    int h5par_dataset_extend(h5par_dataset *dset, const uint64_t *new_dims)
    # The same where offset/count/new_dims hold ndims values (checked against the dataset).
    int h5par_dataset_write_nd(h5par_dataset *dset, int xfer, int ndims, const uint64_t *offset,
                               const uint64_t *count, int mem_dtype, const void *buf)
    int h5par_dataset_read_nd(h5par_dataset *dset, int xfer, int ndims, const uint64_t *offset,
                              const uint64_t *count, int mem_dtype, void *buf)
    int h5par_dataset_extend_nd(h5par_dataset *dset, int ndims, const uint64_t *new_dims)
    int h5par_dataset_close(h5par_dataset *dset)
    int h5par_dataset_path(const h5par_dataset *dset, char *buf, size_t capacity, size_t *len)

    int h5par_attr_write(h5par_file *file, const char *object_path, const char *name, int dtype,
                         uint64_t n, const void *values)
    int h5par_attr_read(h5par_file *file, const char *object_path, const char *name, int dtype,
                        uint64_t capacity, void *values, uint64_t *n)
    int h5par_attr_write_string(h5par_file *file, const char *object_path, const char *name,
                                const char *value)
    int h5par_attr_read_string(h5par_file *file, const char *object_path, const char *name,
                               char *buf, size_t capacity, size_t *len)
    int h5par_attr_info(h5par_file *file, const char *object_path, const char *name, int *dtype,
                        uint64_t *n)

    int h5par_file_report_json(h5par_file *file, char *buf, size_t capacity, size_t *len)
    int h5par_file_name(h5par_file *file, char *buf, size_t capacity, size_t *len)


# ---- The task farm (h5par_farm_*; used by h5par/_farm.pyx) ----
cdef extern from "h5par.h" nogil:
    ctypedef struct h5par_farm_task:
        pass
    ctypedef int (*h5par_farm_task_fn)(uint64_t task, void *user_data, h5par_farm_task *ctx) noexcept
    ctypedef int (*h5par_farm_result_fn)(uint64_t task, int ok, const void *data, size_t len,
                                         int replayed, void *user_data) noexcept
    ctypedef struct h5par_farm_options:
        const char *journal
        const void *identity
        size_t identity_len
        unsigned int retries
        const char *records
        int progress
        unsigned int depth
        uint64_t batch
        int controller
    ctypedef struct h5par_farm_summary:
        uint64_t tasks
        uint64_t done
        uint64_t failed
        uint64_t skipped
        uint64_t retried
        unsigned int ranks
        unsigned int working_ranks
        double wall_seconds
        double busy_seconds
        double tasks_per_second
        double efficiency
    void h5par_farm_options_init(h5par_farm_options *opts)
    int h5par_farm_run(MPI_Comm comm, uint64_t ntasks, h5par_farm_task_fn task_fn,
                       void *user_data, const h5par_farm_options *options,
                       h5par_farm_result_fn result_fn, void *result_user_data,
                       h5par_farm_summary *summary)
    int h5par_farm_task_result(h5par_farm_task *ctx, const void *data, size_t len)
    int h5par_farm_task_message(h5par_farm_task *ctx, const char *message)
    int h5par_farm_run_f2c(MPI_Fint comm, uint64_t ntasks, h5par_farm_task_fn task_fn,
                           void *user_data, const h5par_farm_options *options,
                           h5par_farm_result_fn result_fn, void *result_user_data,
                           h5par_farm_summary *summary)
    const char *h5par_farm_summary_text()

# Distributed vectors (maps, vectors, Export/Import plans, CSR matrices, CG, vector I/O).
cdef extern from "h5par.h" nogil:
    ctypedef struct h5par_map:
        pass
    ctypedef struct h5par_vector:
        pass
    ctypedef struct h5par_plan:
        pass
    ctypedef struct h5par_matrix:
        pass
    int h5par_map_block(MPI_Comm comm, int64_t n, h5par_map **out)
    int h5par_map_contiguous(MPI_Comm comm, int64_t n_local, h5par_map **out)
    int h5par_map_arbitrary(MPI_Comm comm, const int64_t *gids, int64_t n, h5par_map **out)
    int h5par_map_block_f2c(MPI_Fint comm, int64_t n, h5par_map **out)
    int h5par_map_arbitrary_f2c(MPI_Fint comm, const int64_t *gids, int64_t n, h5par_map **out)
    int h5par_map_info(const h5par_map *map, int64_t *local_len, int64_t *global_len,
                       int64_t *distinct_len, int *one_to_one)
    int h5par_map_gids(const h5par_map *map, int64_t *gids, int64_t capacity, int64_t *n)
    int h5par_map_free(h5par_map *map)
    int h5par_vector_create(const h5par_map *map, h5par_vector **out)
    int h5par_vector_data(h5par_vector *vec, double **data, int64_t *len)
    int h5par_vector_free(h5par_vector *vec)
    int h5par_vector_fill(h5par_vector *vec, double value)
    int h5par_vector_axpby(h5par_vector *y, double a, const h5par_vector *x, double b)
    int h5par_vector_multiply(h5par_vector *y, const h5par_vector *x)
    int h5par_vector_dot(const h5par_vector *x, const h5par_vector *y, double *out)
    # Reductions of h5par_vector_reduce.
    ctypedef enum h5par_reduction:
        H5PAR_NORM1
        H5PAR_NORM2
        H5PAR_NORMINF
        H5PAR_SUM
        H5PAR_MEAN
        H5PAR_MAX
        H5PAR_MIN
    int h5par_vector_reduce(const h5par_vector *vec, int what, double *out, int64_t *gid)
    int h5par_plan_create(const h5par_map *source, const h5par_map *target, int import_,
                          h5par_plan **out)
    int h5par_plan_apply(const h5par_plan *plan, const h5par_vector *from_,
                         h5par_vector *into, int mode, int reverse)
    int h5par_plan_free(h5par_plan *plan)
    int h5par_matrix_create(const h5par_map *row_map, h5par_matrix **out)
    int h5par_matrix_insert(h5par_matrix *mat, int64_t row, const int64_t *cols,
                            const double *vals, int64_t n)
    int h5par_matrix_fill_complete(h5par_matrix *mat)
    int h5par_matrix_apply(const h5par_matrix *mat, const h5par_vector *x, h5par_vector *y)
    int h5par_matrix_free(h5par_matrix *mat)
    int h5par_cg(const h5par_matrix *mat, const h5par_vector *b, h5par_vector *x,
                 int64_t max_iterations, double tolerance, int jacobi, int64_t *iterations,
                 double *relative_residual, int *converged)
    ctypedef int (*h5par_operator_fn)(void *ctx, const h5par_vector *x, h5par_vector *y)
    int h5par_cg_operator(h5par_operator_fn apply, void *ctx, const h5par_vector *diagonal,
                          const h5par_vector *b, h5par_vector *x, int64_t max_iterations,
                          double tolerance, int jacobi, int64_t *iterations,
                          double *relative_residual, int *converged)
    int h5par_vector_write(h5par_file *file, const char *name, const h5par_vector *vec)
    int h5par_vector_read(h5par_file *file, const char *name, const h5par_map *map,
                          h5par_vector **out)
    int h5par_vector_write_step(h5par_file *file, const char *name, const h5par_vector *vec,
                                int64_t step)
    int h5par_vector_read_into(h5par_file *file, const char *name, h5par_vector *vec,
                               int64_t step)
