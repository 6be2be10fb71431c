!> h5par for Fortran: collective parallel HDF5 I/O over MPI that never hangs.
!>
!> A Fortran 2003 module (iso_c_binding) over the C API of h5par (include/h5par.h), in the
!> style of HDF5's Fortran API: subroutines ending in _f, an integer status as the last
!> required argument (H5PAR_OK = 0, else an H5PAR_ERR_* code), optional arguments after it.
!> It ships as source: compile it with your own MPI Fortran compiler, next to your program,
!>
!>     mpif90 -c h5par.f90 && mpif90 app.f90 h5par.o -lh5par
!>
!> (-L/-I as `pkg-config --cflags --libs h5par` says); .mod files are compiler-specific.
!> `make install` (ffi/install.mk) also compiles it with the MPI Fortran compiler it finds:
!> then `mpif90 app.f90 $(pkg-config --cflags --libs h5par-fortran)`.
!>
!> Data: h5par_dataset_write_f/read_f take arrays of integer(c_int32_t), integer(c_int64_t),
!> real(c_float) or real(c_double), of rank 1 to 4 (the count is the array's shape; a
!> non-contiguous array section goes through a contiguous copy). Any other type or rank goes
!> through h5par_dataset_write_ptr_f/read_ptr_f with c_loc(array) and an explicit count.
!> Attributes: scalars and rank-1 arrays of the same four types, and strings.
!>
!> Communicators are the usual Fortran integer handles (MPI_COMM_WORLD of `use mpi` or
!> mpif.h, or comm%MPI_VAL of `use mpi_f08`); h5par converts them with MPI_Comm_f2c and works
!> on its own duplicate. Strings are Fortran strings: trailing blanks are trimmed.
!>
!> Dimensions. HDF5 stores arrays in C order (row-major); Fortran arrays are column-major.
!> As in HDF5's Fortran API, the dimensions are reversed at the border, so that the memory
!> layout is the same and nothing is transposed: a Fortran array a(n1, n2) is a dataset of
!> C/HDF5 dimensions [n2, n1], and element a(i, j) is the dataset element [j-1][i-1] as seen
!> from C (d[j-1, i-1] in h5py): C and Python see the transpose. Every dims, chunk,
!> offset and count argument of this module is given in Fortran order (dims(1) is the
!> fastest-varying dimension) and reversed for C; h5par_dataset_info_f returns them in
!> Fortran order too. Offsets are 0-based, as in HDF5's h5sselect_hyperslab_f.
!> Sizes, offsets and counts are integer(h5par_size_t) (64-bit).
!>
!> Collective calls (create, open, close, group and dataset creation, extend, attribute
!> writes, collective reads and writes) are made by every rank of the file's communicator and
!> return the same status everywhere (the rank whose part failed gets its status, the others
!> H5PAR_ERR_REMOTE). h5par_last_error_f gives the message of the last failure.
module h5par
  use, intrinsic :: iso_c_binding
  implicit none
  private

  !> Kind of sizes, offsets and counts.
  integer, parameter, public :: h5par_size_t = c_int64_t

  !> Status codes (h5par_status).
  integer, parameter, public :: H5PAR_OK = 0
  integer, parameter, public :: H5PAR_ERR_INVALID = 1
  integer, parameter, public :: H5PAR_ERR_HANDLE = 2
  integer, parameter, public :: H5PAR_ERR_NOT_FOUND = 3
  integer, parameter, public :: H5PAR_ERR_EXISTS = 4
  integer, parameter, public :: H5PAR_ERR_TYPE = 5
  integer, parameter, public :: H5PAR_ERR_SHAPE = 6
  integer, parameter, public :: H5PAR_ERR_MISMATCH = 7
  integer, parameter, public :: H5PAR_ERR_REMOTE = 8
  integer, parameter, public :: H5PAR_ERR_IO = 9
  integer, parameter, public :: H5PAR_ERR_HDF5 = 10
  integer, parameter, public :: H5PAR_ERR_MPI = 11
  integer, parameter, public :: H5PAR_ERR_INTERNAL = 12

  !> Element type codes (h5par_dtype).
  integer, parameter, public :: H5PAR_INT8 = 0
  integer, parameter, public :: H5PAR_INT16 = 1
  integer, parameter, public :: H5PAR_INT32 = 2
  integer, parameter, public :: H5PAR_INT64 = 3
  integer, parameter, public :: H5PAR_UINT8 = 4
  integer, parameter, public :: H5PAR_UINT16 = 5
  integer, parameter, public :: H5PAR_UINT32 = 6
  integer, parameter, public :: H5PAR_UINT64 = 7
  integer, parameter, public :: H5PAR_FLOAT32 = 8
  integer, parameter, public :: H5PAR_FLOAT64 = 9

  !> File modes and transfer modes.
  integer, parameter, public :: H5PAR_READONLY = 0
  integer, parameter, public :: H5PAR_READWRITE = 1
  integer, parameter, public :: H5PAR_COLLECTIVE = 0
  integer, parameter, public :: H5PAR_INDEPENDENT = 1

  ! ---- navigation, types, selections, links (issue 12) ----
  !> More element type codes; STRING, COMPOUND and UNSUPPORTED are reported by
  !> h5par_dataset_info_f only.
  integer, parameter, public :: H5PAR_BOOL = 10
  integer, parameter, public :: H5PAR_COMPLEX64 = 11
  integer, parameter, public :: H5PAR_COMPLEX128 = 12
  integer, parameter, public :: H5PAR_STRING = 13
  integer, parameter, public :: H5PAR_COMPOUND = 14
  integer, parameter, public :: H5PAR_UNSUPPORTED = 15
  !> What is at a path (h5par_object_kind_f, h5par_group_member_f).
  integer, parameter, public :: H5PAR_KIND_NONE = 0
  integer, parameter, public :: H5PAR_KIND_GROUP = 1
  integer, parameter, public :: H5PAR_KIND_DATASET = 2
  integer, parameter, public :: H5PAR_KIND_SOFT_LINK = 3
  integer, parameter, public :: H5PAR_KIND_EXTERNAL_LINK = 4
  integer, parameter, public :: H5PAR_KIND_OTHER = 5

  !> An open group (opaque; a local handle).
  type, public :: h5par_group_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_group_t

  public :: h5par_group_open_f, h5par_group_close_f, h5par_group_nmembers_f
  public :: h5par_group_member_f, h5par_object_kind_f, h5par_object_delete_f
  public :: h5par_object_move_f, h5par_link_soft_f, h5par_link_external_f
  public :: h5par_group_nnames_f, h5par_group_name_f, h5par_link_hard_f, h5par_object_open_f
  public :: h5par_attr_delete_f, h5par_attr_count_f, h5par_attr_name_f
  public :: h5par_dataset_create_ex_f, h5par_dataset_storage_f, h5par_dataset_sel_ptr_f
  public :: h5par_dataset_write_strided_f, h5par_dataset_read_strided_f

  !> h5par_selection of the C API.
  type, bind(c) :: c_selection
    integer(c_int) :: ndims
    type(c_ptr) :: start, stride, count, block
    integer(c_int) :: index_axis
    integer(c_size_t) :: nindices
    type(c_ptr) :: indices
  end type c_selection

  !> h5par_create of the C API.
  type, bind(c) :: c_create
    type(c_ptr) :: chunk, maxshape
    integer(c_int) :: deflate, shuffle
    type(c_ptr) :: fill, fill_type
    integer(c_int) :: chunked
  end type c_create

  interface
    function c_group_open(file, path, out) bind(c, name='h5par_group_open') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_group_open
    function c_group_close(group) bind(c, name='h5par_group_close') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: group
      integer(c_int) :: s
    end function c_group_close
    function c_group_nmembers(group, n) bind(c, name='h5par_group_nmembers') result(s)
      import :: c_int, c_ptr, c_size_t
      type(c_ptr), value :: group
      integer(c_size_t), intent(out) :: n
      integer(c_int) :: s
    end function c_group_nmembers
    function c_group_member(group, index, buf, capacity, len, kind) &
        bind(c, name='h5par_group_member') result(s)
      import :: c_int, c_ptr, c_size_t, c_char
      type(c_ptr), value :: group
      integer(c_size_t), value :: index, capacity
      character(kind=c_char), intent(out) :: buf(*)
      integer(c_size_t), intent(out) :: len
      type(c_ptr), value :: kind
      integer(c_int) :: s
    end function c_group_member
    function c_group_nnames(group, n) bind(c, name='h5par_group_nnames') result(s)
      import :: c_int, c_ptr, c_size_t
      type(c_ptr), value :: group
      integer(c_size_t), intent(out) :: n
      integer(c_int) :: s
    end function c_group_nnames
    function c_link_hard(file, path, target) bind(c, name='h5par_link_hard') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*), target(*)
      integer(c_int) :: s
    end function c_link_hard
    function c_object_open(file, path, kind, group, dset, target_file) &
        bind(c, name='h5par_object_open') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int), intent(out) :: kind
      type(c_ptr), intent(out) :: group, dset, target_file
      integer(c_int) :: s
    end function c_object_open
    function c_object_kind(file, path, follow, kind) bind(c, name='h5par_object_kind') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int), value :: follow
      integer(c_int), intent(out) :: kind
      integer(c_int) :: s
    end function c_object_kind
    function c_object_delete(file, path) bind(c, name='h5par_object_delete') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int) :: s
    end function c_object_delete
    function c_object_move(file, from, to) bind(c, name='h5par_object_move') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: from(*), to(*)
      integer(c_int) :: s
    end function c_object_move
    function c_link_soft(file, path, target) bind(c, name='h5par_link_soft') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*), target(*)
      integer(c_int) :: s
    end function c_link_soft
    function c_link_external(file, path, tfile, tpath) bind(c, name='h5par_link_external') &
        result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*), tfile(*), tpath(*)
      integer(c_int) :: s
    end function c_link_external
    function c_attr_delete(file, object, name) bind(c, name='h5par_attr_delete') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object(*), name(*)
      integer(c_int) :: s
    end function c_attr_delete
    function c_attr_count(file, object, n) bind(c, name='h5par_attr_count') result(s)
      import :: c_int, c_ptr, c_char, c_size_t
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object(*)
      integer(c_size_t), intent(out) :: n
      integer(c_int) :: s
    end function c_attr_count
    function c_attr_name(file, object, index, buf, capacity, len) &
        bind(c, name='h5par_attr_name') result(s)
      import :: c_int, c_ptr, c_char, c_size_t
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object(*)
      integer(c_size_t), value :: index, capacity
      character(kind=c_char), intent(out) :: buf(*)
      integer(c_size_t), intent(out) :: len
      integer(c_int) :: s
    end function c_attr_name
    function c_dataset_create_ex(file, path, spec, ndims, dims, opts, out) &
        bind(c, name='h5par_dataset_create_ex') result(s)
      import :: c_int, c_ptr, c_char, c_int64_t, c_create
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*), spec(*)
      integer(c_int), value :: ndims
      integer(c_int64_t), intent(in) :: dims(*)
      type(c_create), intent(in) :: opts
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_dataset_create_ex
    function c_dataset_storage(dset, chunked, chunk, maxshape, deflate, shuffle, has_fill, &
        fill, fill_capacity) bind(c, name='h5par_dataset_storage') result(s)
      import :: c_int, c_ptr, c_int64_t, c_size_t
      type(c_ptr), value :: dset
      integer(c_int), intent(out) :: chunked, deflate, shuffle, has_fill
      integer(c_int64_t), intent(out) :: chunk(32), maxshape(32)
      type(c_ptr), value :: fill
      integer(c_size_t), value :: fill_capacity
      integer(c_int) :: s
    end function c_dataset_storage
    function c_dataset_fill_value(dset, mem, buf, nbytes, has_fill) &
        bind(c, name='h5par_dataset_fill_value') result(s)
      import :: c_int, c_ptr, c_char, c_size_t
      type(c_ptr), value :: dset
      character(kind=c_char), intent(in) :: mem(*)
      type(c_ptr), value :: buf
      integer(c_size_t), value :: nbytes
      integer(c_int), intent(out) :: has_fill
      integer(c_int) :: s
    end function c_dataset_fill_value
    function c_dataset_read_sel(dset, xfer, sel, mem, buf, nbytes) &
        bind(c, name='h5par_dataset_read_sel') result(s)
      import :: c_int, c_ptr, c_char, c_size_t, c_selection
      type(c_ptr), value :: dset
      integer(c_int), value :: xfer
      type(c_selection), intent(in) :: sel
      character(kind=c_char), intent(in) :: mem(*)
      type(c_ptr), value :: buf
      integer(c_size_t), value :: nbytes
      integer(c_int) :: s
    end function c_dataset_read_sel
    function c_dataset_write_sel(dset, xfer, sel, mem, buf, nbytes) &
        bind(c, name='h5par_dataset_write_sel') result(s)
      import :: c_int, c_ptr, c_char, c_size_t, c_selection
      type(c_ptr), value :: dset
      integer(c_int), value :: xfer
      type(c_selection), intent(in) :: sel
      character(kind=c_char), intent(in) :: mem(*)
      type(c_ptr), value :: buf
      integer(c_size_t), value :: nbytes
      integer(c_int) :: s
    end function c_dataset_write_sel
  end interface
  ! ---- end of navigation, types, selections, links (issue 12) ----

  !> An open file (opaque).
  type, public :: h5par_file_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_file_t

  !> An open dataset (opaque).
  type, public :: h5par_dataset_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_dataset_t

  public :: h5par_file_create_f, h5par_file_open_f, h5par_file_close_f, h5par_group_create_f
  public :: h5par_dataset_create_f, h5par_dataset_open_f, h5par_dataset_info_f
  public :: h5par_dataset_write_f, h5par_dataset_read_f
  public :: h5par_dataset_write_ptr_f, h5par_dataset_read_ptr_f
  public :: h5par_dataset_extend_f, h5par_dataset_close_f
  public :: h5par_attr_write_f, h5par_attr_read_f, h5par_dataset_fill_value_f
  public :: h5par_attr_write_string_f, h5par_attr_read_string_f
  public :: h5par_file_report_json_f
  public :: h5par_last_error_f, h5par_status_string_f, h5par_version_f

  !> h5par_options of the C API.
  type, bind(c) :: c_options
    integer(c_int64_t) :: stripe_count
    integer(c_int64_t) :: stripe_size
    integer(c_int32_t) :: cb_nodes
    integer(c_int32_t) :: tuning
    integer(c_int32_t) :: atomic_create
    type(c_ptr) :: hints
    type(c_ptr) :: report_path
    type(c_ptr) :: libver
  end type c_options

  interface
    subroutine c_options_init(opts) bind(c, name='h5par_options_init')
      import :: c_options
      type(c_options), intent(out) :: opts
    end subroutine c_options_init

    function c_file_create(comm, path, opts, out) bind(c, name='h5par_file_create_f2c') result(s)
      import :: c_int, c_char, c_options, c_ptr
      integer(c_int), value :: comm
      character(kind=c_char), intent(in) :: path(*)
      type(c_options), intent(in) :: opts
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_file_create

    function c_file_open(comm, path, mode, opts, out) bind(c, name='h5par_file_open_f2c') result(s)
      import :: c_int, c_char, c_options, c_ptr
      integer(c_int), value :: comm
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int), value :: mode
      type(c_options), intent(in) :: opts
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_file_open

    function c_file_close(file) bind(c, name='h5par_file_close') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: file
      integer(c_int) :: s
    end function c_file_close

    function c_group_create(file, path) bind(c, name='h5par_group_create') result(s)
      import :: c_int, c_char, c_ptr
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int) :: s
    end function c_group_create

    function c_dataset_create(file, path, dtype, ndims, dims, chunk, deflate_level, out) &
        bind(c, name='h5par_dataset_create') result(s)
      import :: c_int, c_char, c_ptr, c_int64_t
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int), value :: dtype, ndims
      integer(c_int64_t), intent(in) :: dims(*)
      type(c_ptr), value :: chunk
      integer(c_int), value :: deflate_level
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_dataset_create

    function c_dataset_open(file, path, out) bind(c, name='h5par_dataset_open') result(s)
      import :: c_int, c_char, c_ptr
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: path(*)
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_dataset_open

    function c_dataset_info(dset, dtype, ndims, dims) bind(c, name='h5par_dataset_info') result(s)
      import :: c_int, c_ptr, c_int64_t
      type(c_ptr), value :: dset
      integer(c_int), intent(out) :: dtype, ndims
      integer(c_int64_t), intent(out) :: dims(32)
      integer(c_int) :: s
    end function c_dataset_info

    function c_dataset_write_nd(dset, xfer, ndims, offset, count, mem_dtype, buf) &
        bind(c, name='h5par_dataset_write_nd') result(s)
      import :: c_int, c_ptr, c_int64_t
      type(c_ptr), value :: dset
      integer(c_int), value :: xfer, ndims
      integer(c_int64_t), intent(in) :: offset(*), count(*)
      integer(c_int), value :: mem_dtype
      type(c_ptr), value :: buf
      integer(c_int) :: s
    end function c_dataset_write_nd

    function c_dataset_read_nd(dset, xfer, ndims, offset, count, mem_dtype, buf) &
        bind(c, name='h5par_dataset_read_nd') result(s)
      import :: c_int, c_ptr, c_int64_t
      type(c_ptr), value :: dset
      integer(c_int), value :: xfer, ndims
      integer(c_int64_t), intent(in) :: offset(*), count(*)
      integer(c_int), value :: mem_dtype
      type(c_ptr), value :: buf
      integer(c_int) :: s
    end function c_dataset_read_nd

    function c_dataset_extend_nd(dset, ndims, new_dims) bind(c, name='h5par_dataset_extend_nd') &
        result(s)
      import :: c_int, c_ptr, c_int64_t
      type(c_ptr), value :: dset
      integer(c_int), value :: ndims
      integer(c_int64_t), intent(in) :: new_dims(*)
      integer(c_int) :: s
    end function c_dataset_extend_nd

    function c_dataset_close(dset) bind(c, name='h5par_dataset_close') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: dset
      integer(c_int) :: s
    end function c_dataset_close

    function c_attr_write(file, object_path, name, dtype, n, values) &
        bind(c, name='h5par_attr_write') result(s)
      import :: c_int, c_char, c_ptr, c_int64_t
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object_path(*), name(*)
      integer(c_int), value :: dtype
      integer(c_int64_t), value :: n
      type(c_ptr), value :: values
      integer(c_int) :: s
    end function c_attr_write

    function c_attr_read(file, object_path, name, dtype, capacity, values, n) &
        bind(c, name='h5par_attr_read') result(s)
      import :: c_int, c_char, c_ptr, c_int64_t
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object_path(*), name(*)
      integer(c_int), value :: dtype
      integer(c_int64_t), value :: capacity
      type(c_ptr), value :: values
      integer(c_int64_t), intent(out) :: n
      integer(c_int) :: s
    end function c_attr_read

    function c_attr_write_string(file, object_path, name, value) &
        bind(c, name='h5par_attr_write_string') result(s)
      import :: c_int, c_char, c_ptr
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object_path(*), name(*), value(*)
      integer(c_int) :: s
    end function c_attr_write_string

    function c_attr_read_string(file, object_path, name, buf, capacity, length) &
        bind(c, name='h5par_attr_read_string') result(s)
      import :: c_int, c_char, c_ptr, c_size_t
      type(c_ptr), value :: file
      character(kind=c_char), intent(in) :: object_path(*), name(*)
      type(c_ptr), value :: buf
      integer(c_size_t), value :: capacity
      integer(c_size_t), intent(out) :: length
      integer(c_int) :: s
    end function c_attr_read_string

    function c_file_report_json(file, buf, capacity, length) &
        bind(c, name='h5par_file_report_json') result(s)
      import :: c_int, c_ptr, c_size_t
      type(c_ptr), value :: file
      type(c_ptr), value :: buf
      integer(c_size_t), value :: capacity
      integer(c_size_t), intent(out) :: length
      integer(c_int) :: s
    end function c_file_report_json

    function c_last_error() bind(c, name='h5par_last_error') result(p)
      import :: c_ptr
      type(c_ptr) :: p
    end function c_last_error

    function c_status_string(status) bind(c, name='h5par_status_string') result(p)
      import :: c_int, c_ptr
      integer(c_int), value :: status
      type(c_ptr) :: p
    end function c_status_string

    function c_version() bind(c, name='h5par_version') result(p)
      import :: c_ptr
      type(c_ptr) :: p
    end function c_version

    function c_strlen(s) bind(c, name='strlen') result(n)
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: n
    end function c_strlen
  end interface


  ! ---- generated by scripts/gen-fortran.py from procedures.f90.in: generic interfaces ----
  !> Writes a whole Fortran array at a 0-based `offset` (Fortran order) of the dataset:
  !> `call h5par_dataset_write_f(dset, offset, buf, status [, xfer])`. The count is `shape(buf)`.
  interface h5par_dataset_write_f
    module procedure write_i4_1, write_i4_2, write_i4_3, write_i4_4
    module procedure write_i8_1, write_i8_2, write_i8_3, write_i8_4
    module procedure write_r4_1, write_r4_2, write_r4_3, write_r4_4
    module procedure write_r8_1, write_r8_2, write_r8_3, write_r8_4
  end interface h5par_dataset_write_f

  !> Reads `shape(buf)` elements at a 0-based `offset` (Fortran order) into a Fortran array:
  !> `call h5par_dataset_read_f(dset, offset, buf, status [, xfer])`.
  interface h5par_dataset_read_f
    module procedure read_i4_1, read_i4_2, read_i4_3, read_i4_4
    module procedure read_i8_1, read_i8_2, read_i8_3, read_i8_4
    module procedure read_r4_1, read_r4_2, read_r4_3, read_r4_4
    module procedure read_r8_1, read_r8_2, read_r8_3, read_r8_4
  end interface h5par_dataset_read_f

  !> Writes a numeric attribute, a scalar or a one-dimensional array:
  !> `call h5par_attr_write_f(file, object_path, name, value, status)`.
  interface h5par_attr_write_f
    module procedure attr_write_i4_0, attr_write_i4_1
    module procedure attr_write_i8_0, attr_write_i8_1
    module procedure attr_write_r4_0, attr_write_r4_1
    module procedure attr_write_r8_0, attr_write_r8_1
  end interface h5par_attr_write_f

  !> Reads a numeric attribute into a scalar or a one-dimensional array, converted to its type:
  !> `call h5par_attr_read_f(file, object_path, name, value, status [, n])`.
  interface h5par_attr_read_f
    module procedure attr_read_i4_0, attr_read_i4_1
    module procedure attr_read_i8_0, attr_read_i8_1
    module procedure attr_read_r4_0, attr_read_r4_1
    module procedure attr_read_r8_0, attr_read_r8_1
  end interface h5par_attr_read_f

  !> Local: the dataset's fill value, converted to the type of `value`, and whether one was set
  !> (`has_fill`; `value` is untouched without one):
  !> `call h5par_dataset_fill_value_f(dset, value, has_fill, status)`.
  interface h5par_dataset_fill_value_f
    module procedure fill_value_i4_0
    module procedure fill_value_i8_0
    module procedure fill_value_r4_0
    module procedure fill_value_r8_0
  end interface h5par_dataset_fill_value_f

  !> Writes a whole Fortran array to the strided selection from the 0-based `start` with
  !> `stride` (Fortran order; the count is `shape(buf)`), e.g. every other element:
  !> `call h5par_dataset_write_strided_f(dset, start, stride, buf, status [, xfer])`.
  interface h5par_dataset_write_strided_f
    module procedure write_strided_i4_1, write_strided_i4_2, write_strided_i4_3, write_strided_i4_4
    module procedure write_strided_i8_1, write_strided_i8_2, write_strided_i8_3, write_strided_i8_4
    module procedure write_strided_r4_1, write_strided_r4_2, write_strided_r4_3, write_strided_r4_4
    module procedure write_strided_r8_1, write_strided_r8_2, write_strided_r8_3, write_strided_r8_4
  end interface h5par_dataset_write_strided_f

  !> Reads the strided selection from the 0-based `start` with `stride` (Fortran order; the
  !> count is `shape(buf)`) into a Fortran array:
  !> `call h5par_dataset_read_strided_f(dset, start, stride, buf, status [, xfer])`.
  interface h5par_dataset_read_strided_f
    module procedure read_strided_i4_1, read_strided_i4_2, read_strided_i4_3, read_strided_i4_4
    module procedure read_strided_i8_1, read_strided_i8_2, read_strided_i8_3, read_strided_i8_4
    module procedure read_strided_r4_1, read_strided_r4_2, read_strided_r4_3, read_strided_r4_4
    module procedure read_strided_r8_1, read_strided_r8_2, read_strided_r8_3, read_strided_r8_4
  end interface h5par_dataset_read_strided_f
  ! ---- end of the generated generic interfaces ----

  ! ==== Task farm (h5par_farm_run) ===========================================================
  !> A task of h5par_farm_run_f: a bind(C) function of the task index (0-based), the
  !> user_data pointer given to h5par_farm_run_f and the task's context (for
  !> h5par_farm_task_message_f); returns 0 when the task is done, non-zero when it failed.
  !>
  !>     integer(c_int) function my_task(task, user_data, ctx) bind(c)
  !>       integer(c_int64_t), value :: task
  !>       type(c_ptr), value :: user_data, ctx
  abstract interface
    function h5par_farm_task_f(task, user_data, ctx) bind(c) result(s)
      import :: c_int, c_int64_t, c_ptr
      integer(c_int64_t), value :: task
      type(c_ptr), value :: user_data, ctx
      integer(c_int) :: s
    end function h5par_farm_task_f
  end interface
  public :: h5par_farm_task_f, h5par_farm_run_f, h5par_farm_task_message_f

  type, bind(c) :: c_farm_options
    type(c_ptr) :: journal
    type(c_ptr) :: identity
    integer(c_size_t) :: identity_len
    integer(c_int32_t) :: retries
    type(c_ptr) :: records
    integer(c_int) :: progress
    integer(c_int32_t) :: depth
    integer(c_int64_t) :: batch
    integer(c_int) :: controller
  end type c_farm_options

  type, bind(c) :: c_farm_summary
    integer(c_int64_t) :: tasks, done, failed, skipped, retried
    integer(c_int32_t) :: ranks, working_ranks
    real(c_double) :: wall_seconds, busy_seconds, tasks_per_second, efficiency
  end type c_farm_summary

  interface
    subroutine c_farm_options_init(o) bind(c, name='h5par_farm_options_init')
      import :: c_farm_options
      type(c_farm_options), intent(out) :: o
    end subroutine c_farm_options_init

    function c_farm_run(comm, ntasks, task_fn, user_data, o, result_fn, result_user_data, &
                        summary) bind(c, name='h5par_farm_run_f2c') result(s)
      import :: c_int, c_int64_t, c_funptr, c_ptr, c_farm_options, c_farm_summary
      integer(c_int), value :: comm
      integer(c_int64_t), value :: ntasks
      type(c_funptr), value :: task_fn
      type(c_ptr), value :: user_data
      type(c_farm_options), intent(in) :: o
      type(c_funptr), value :: result_fn
      type(c_ptr), value :: result_user_data
      type(c_farm_summary), intent(out) :: summary
      integer(c_int) :: s
    end function c_farm_run

    function c_farm_task_message(ctx, message) bind(c, name='h5par_farm_task_message') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: ctx
      character(kind=c_char), intent(in) :: message(*)
      integer(c_int) :: s
    end function c_farm_task_message
  end interface
  ! ==== end of the task farm's declarations ==================================================

contains

  ! ---- Strings ----

  !> Copies the C string p into s (blank-padded, cut at len(s)).
  subroutine from_c(p, s)
    type(c_ptr), intent(in) :: p
    character(len=*), intent(out) :: s
    character(kind=c_char), pointer :: chars(:)
    integer :: i, n
    s = ' '
    if (.not. c_associated(p)) return
    n = int(c_strlen(p))
    if (n == 0) return
    call c_f_pointer(p, chars, [n])
    do i = 1, min(n, len(s))
      s(i:i) = chars(i)
    end do
  end subroutine from_c

  !> trim(s) and a NUL, as an array whose address can be passed to C.
  subroutine to_c(s, c)
    character(len=*), intent(in) :: s
    character(kind=c_char), allocatable, intent(out) :: c(:)
    integer :: i, n
    n = len_trim(s)
    allocate(c(n + 1))
    do i = 1, n
      c(i) = s(i:i)
    end do
    c(n + 1) = c_null_char
  end subroutine to_c

  !> The dimensions a in C order: reversed.
  pure function reversed(a) result(r)
    integer(c_int64_t), intent(in) :: a(:)
    integer(c_int64_t) :: r(size(a))
    r = a(size(a):1:-1)
  end function reversed

  !> The message of this thread's last failure ("" if none).
  subroutine h5par_last_error_f(message)
    character(len=*), intent(out) :: message
    call from_c(c_last_error(), message)
  end subroutine h5par_last_error_f

  !> The name and meaning of a status code, as "H5PAR_ERR_SHAPE: incompatible shape or selection".
  subroutine h5par_status_string_f(status, message)
    integer, intent(in) :: status
    character(len=*), intent(out) :: message
    call from_c(c_status_string(int(status, c_int)), message)
  end subroutine h5par_status_string_f

  !> The version of h5par, "MAJOR.MINOR.PATCH".
  subroutine h5par_version_f(version)
    character(len=*), intent(out) :: version
    call from_c(c_version(), version)
  end subroutine h5par_version_f

  ! ---- Files and groups ----

  subroutine open_common(name, mode, comm, file, status, stripe_count, stripe_size, cb_nodes, &
                         tuning, atomic_create, hints, report_path)
    character(len=*), intent(in) :: name
    integer, intent(in) :: mode, comm
    type(h5par_file_t), intent(out) :: file
    integer, intent(out) :: status
    integer, intent(in), optional :: stripe_count, cb_nodes
    integer(c_int64_t), intent(in), optional :: stripe_size
    logical, intent(in), optional :: tuning, atomic_create
    character(len=*), intent(in), optional :: hints, report_path
    type(c_options) :: o
    character(kind=c_char), allocatable, target :: chints(:), creport(:)
    call c_options_init(o)
    if (present(stripe_count)) o%stripe_count = stripe_count
    if (present(stripe_size)) o%stripe_size = stripe_size
    if (present(cb_nodes)) o%cb_nodes = cb_nodes
    if (present(tuning)) o%tuning = merge(1, 0, tuning)
    if (present(atomic_create)) o%atomic_create = merge(1, 0, atomic_create)
    if (present(hints)) then
      call to_c(hints, chints)
      o%hints = c_loc(chints)
    end if
    if (present(report_path)) then
      call to_c(report_path, creport)
      o%report_path = c_loc(creport)
    end if
    if (mode < 0) then
      status = c_file_create(int(comm, c_int), trim(name)//c_null_char, o, file%ptr)
    else
      status = c_file_open(int(comm, c_int), trim(name)//c_null_char, int(mode, c_int), o, &
                           file%ptr)
    end if
  end subroutine open_common

  !> Collective on comm: creates (or truncates) the file `name`. Optional: stripe_count,
  !> stripe_size (bytes, integer(h5par_size_t)), cb_nodes (0 = let h5par choose), tuning
  !> (default .true.), atomic_create (default .true.: the file appears at `name` only at a
  !> successful close), hints ("key=value,key=value" MPI-IO hints), report_path (the I/O
  !> report written at close, "-" = stderr).
  subroutine h5par_file_create_f(name, comm, file, status, stripe_count, stripe_size, cb_nodes, &
                                 tuning, atomic_create, hints, report_path)
    character(len=*), intent(in) :: name
    integer, intent(in) :: comm
    type(h5par_file_t), intent(out) :: file
    integer, intent(out) :: status
    integer, intent(in), optional :: stripe_count, cb_nodes
    integer(c_int64_t), intent(in), optional :: stripe_size
    logical, intent(in), optional :: tuning, atomic_create
    character(len=*), intent(in), optional :: hints, report_path
    call open_common(name, -1, comm, file, status, stripe_count, stripe_size, cb_nodes, tuning, &
                     atomic_create, hints, report_path)
  end subroutine h5par_file_create_f

  !> Collective on comm: opens the existing file `name` with mode H5PAR_READONLY or
  !> H5PAR_READWRITE. Optional arguments as for h5par_file_create_f.
  subroutine h5par_file_open_f(name, mode, comm, file, status, stripe_count, stripe_size, &
                               cb_nodes, tuning, atomic_create, hints, report_path)
    character(len=*), intent(in) :: name
    integer, intent(in) :: mode, comm
    type(h5par_file_t), intent(out) :: file
    integer, intent(out) :: status
    integer, intent(in), optional :: stripe_count, cb_nodes
    integer(c_int64_t), intent(in), optional :: stripe_size
    logical, intent(in), optional :: tuning, atomic_create
    character(len=*), intent(in), optional :: hints, report_path
    if (mode < 0) then ! not a mode: let the C API say so, on every rank
      call open_common(name, 2, comm, file, status, stripe_count, stripe_size, cb_nodes, tuning, &
                       atomic_create, hints, report_path)
    else
      call open_common(name, mode, comm, file, status, stripe_count, stripe_size, cb_nodes, &
                       tuning, atomic_create, hints, report_path)
    end if
  end subroutine h5par_file_open_f

  !> Collective: closes the file (its handle is freed even when closing fails).
  subroutine h5par_file_close_f(file, status)
    type(h5par_file_t), intent(inout) :: file
    integer, intent(out) :: status
    status = c_file_close(file%ptr)
    file%ptr = c_null_ptr
  end subroutine h5par_file_close_f

  !> Collective: creates the group `path` and its missing parents (an existing group is fine).
  subroutine h5par_group_create_f(file, path, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    integer, intent(out) :: status
    status = c_group_create(file%ptr, trim(path)//c_null_char)
  end subroutine h5par_group_create_f

  !> Local: the I/O report so far, as JSON, in `json` (blank-padded). If `json` is too short,
  !> status is H5PAR_ERR_INVALID, `json` is unchanged and `length` (optional) says how long it
  !> must be.
  subroutine h5par_file_report_json_f(file, json, status, length)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(inout) :: json
    integer, intent(out) :: status
    integer, intent(out), optional :: length
    character(kind=c_char), allocatable, target :: buf(:)
    integer(c_size_t) :: need
    integer :: i
    allocate(buf(len(json) + 1))
    need = 0
    status = c_file_report_json(file%ptr, c_loc(buf), int(size(buf), c_size_t), need)
    if (present(length)) length = max(int(need) - 1, 0)
    if (status /= H5PAR_OK) return
    json = ' '
    do i = 1, int(need) - 1
      json(i:i) = buf(i)
    end do
  end subroutine h5par_file_report_json_f

  ! ---- Datasets ----

  !> Collective: creates the dataset `path` (and its missing parent groups) of element type
  !> `dtype` (H5PAR_INT8 ... H5PAR_FLOAT64) and dimensions `dims` in Fortran order. Optional
  !> `chunk` (Fortran order): chunked storage, extendible with h5par_dataset_extend_f; without
  !> it the storage is contiguous and of fixed size. Optional `deflate_level` 1 to 9 compresses.
  subroutine h5par_dataset_create_f(file, path, dtype, dims, dset, status, chunk, deflate_level)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    integer, intent(in) :: dtype
    integer(c_int64_t), intent(in) :: dims(:)
    type(h5par_dataset_t), intent(out) :: dset
    integer, intent(out) :: status
    integer(c_int64_t), intent(in), optional :: chunk(:)
    integer, intent(in), optional :: deflate_level
    integer(c_int64_t), allocatable, target :: cdims(:), cchunk(:)
    type(c_ptr) :: pchunk
    integer :: level
    allocate(cdims(max(size(dims), 1)))
    cdims = 0
    cdims(1:size(dims)) = reversed(dims)
    pchunk = c_null_ptr
    if (present(chunk)) then
      allocate(cchunk(max(size(dims), 1)))
      cchunk = 0 ! a chunk of another rank than dims: all zeros, which the C API rejects
      if (size(chunk) == size(dims)) cchunk(1:size(dims)) = reversed(chunk)
      pchunk = c_loc(cchunk)
    end if
    level = 0
    if (present(deflate_level)) level = deflate_level
    status = c_dataset_create(file%ptr, trim(path)//c_null_char, int(dtype, c_int), &
                              int(size(dims), c_int), cdims, pchunk, int(level, c_int), dset%ptr)
  end subroutine h5par_dataset_create_f

  !> Collective: opens the existing dataset `path`.
  subroutine h5par_dataset_open_f(file, path, dset, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    type(h5par_dataset_t), intent(out) :: dset
    integer, intent(out) :: status
    status = c_dataset_open(file%ptr, trim(path)//c_null_char, dset%ptr)
  end subroutine h5par_dataset_open_f

  !> Local: the stored element type, the number of dimensions and the dimensions in Fortran
  !> order (`dims` is allocated to `ndims` values).
  subroutine h5par_dataset_info_f(dset, dtype, ndims, dims, status)
    type(h5par_dataset_t), intent(in) :: dset
    integer, intent(out) :: dtype, ndims
    integer(c_int64_t), allocatable, intent(out) :: dims(:)
    integer, intent(out) :: status
    integer(c_int) :: cdtype, cndims
    integer(c_int64_t) :: cdims(32)
    cdtype = -1
    cndims = 0
    status = c_dataset_info(dset%ptr, cdtype, cndims, cdims)
    dtype = cdtype
    ndims = cndims
    if (status /= H5PAR_OK) ndims = 0
    allocate(dims(ndims))
    if (ndims > 0) dims = reversed(cdims(1:ndims))
  end subroutine h5par_dataset_info_f

  !> Writes `count` elements (Fortran order) at the 0-based `offset` (Fortran order) from the
  !> memory at `buf` (c_loc of your array, or c_null_ptr for a zero count), elements of type
  !> `mem_dtype` in Fortran order. For any element type and rank; h5par_dataset_write_f is the
  !> typed form. Optional `xfer`: H5PAR_COLLECTIVE (default) or H5PAR_INDEPENDENT.
  subroutine h5par_dataset_write_ptr_f(dset, offset, count, mem_dtype, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), count(:)
    integer, intent(in) :: mem_dtype
    type(c_ptr), intent(in) :: buf
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    integer(c_int64_t), allocatable :: coff(:), ccount(:)
    integer(c_int) :: mode, nd
    mode = H5PAR_COLLECTIVE
    if (present(xfer)) mode = int(xfer, c_int)
    call selection(offset, count, coff, ccount, nd)
    status = c_dataset_write_nd(dset%ptr, mode, nd, coff, ccount, int(mem_dtype, c_int), buf)
  end subroutine h5par_dataset_write_ptr_f

  !> Reads `count` elements (Fortran order) at the 0-based `offset` (Fortran order) into the
  !> memory at `buf`; see h5par_dataset_write_ptr_f.
  subroutine h5par_dataset_read_ptr_f(dset, offset, count, mem_dtype, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), count(:)
    integer, intent(in) :: mem_dtype
    type(c_ptr), intent(in) :: buf
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    integer(c_int64_t), allocatable :: coff(:), ccount(:)
    integer(c_int) :: mode, nd
    mode = H5PAR_COLLECTIVE
    if (present(xfer)) mode = int(xfer, c_int)
    call selection(offset, count, coff, ccount, nd)
    status = c_dataset_read_nd(dset%ptr, mode, nd, coff, ccount, int(mem_dtype, c_int), buf)
  end subroutine h5par_dataset_read_ptr_f

  !> The C selection of a Fortran one. Offsets and counts of different lengths give ndims -1,
  !> which the C API rejects (on every rank of a collective call).
  subroutine selection(offset, count, coff, ccount, nd)
    integer(c_int64_t), intent(in) :: offset(:), count(:)
    integer(c_int64_t), allocatable, intent(out) :: coff(:), ccount(:)
    integer(c_int), intent(out) :: nd
    allocate(coff(max(size(count), 1)), ccount(max(size(count), 1)))
    coff = 0
    ccount = 0
    nd = int(size(count), c_int)
    if (size(offset) /= size(count)) then
      nd = -1
      return
    end if
    coff(1:size(count)) = reversed(offset)
    ccount(1:size(count)) = reversed(count)
  end subroutine selection

  !> Collective: changes the extent to `new_dims` (Fortran order); for chunked datasets only.
  subroutine h5par_dataset_extend_f(dset, new_dims, status)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: new_dims(:)
    integer, intent(out) :: status
    integer(c_int64_t), allocatable :: cdims(:)
    allocate(cdims(max(size(new_dims), 1)))
    cdims = 0
    cdims(1:size(new_dims)) = reversed(new_dims)
    status = c_dataset_extend_nd(dset%ptr, int(size(new_dims), c_int), cdims)
  end subroutine h5par_dataset_extend_f

  !> Closes the dataset and frees its handle.
  subroutine h5par_dataset_close_f(dset, status)
    type(h5par_dataset_t), intent(inout) :: dset
    integer, intent(out) :: status
    status = c_dataset_close(dset%ptr)
    dset%ptr = c_null_ptr
  end subroutine h5par_dataset_close_f

  ! ---- String attributes ----

  !> Collective: writes the string attribute `name` of the object `object_path` ("/" is the
  !> file), trim(value).
  subroutine h5par_attr_write_string_f(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name, value
    integer, intent(out) :: status
    status = c_attr_write_string(file%ptr, trim(object_path)//c_null_char, &
                                 trim(name)//c_null_char, trim(value)//c_null_char)
  end subroutine h5par_attr_write_string_f

  !> Local: reads the string attribute `name` into `value` (blank-padded). If `value` is too
  !> short, status is H5PAR_ERR_INVALID, `value` is unchanged and `length` (optional, the
  !> stored string's length) says how long it must be.
  subroutine h5par_attr_read_string_f(file, object_path, name, value, status, length)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    character(len=*), intent(inout) :: value
    integer, intent(out) :: status
    integer, intent(out), optional :: length
    character(kind=c_char), allocatable, target :: buf(:)
    integer(c_size_t) :: need
    integer :: i
    allocate(buf(len(value) + 1))
    need = 0
    status = c_attr_read_string(file%ptr, trim(object_path)//c_null_char, &
                                trim(name)//c_null_char, c_loc(buf), int(size(buf), c_size_t), need)
    if (present(length)) length = max(int(need) - 1, 0)
    if (status /= H5PAR_OK) return
    value = ' '
    do i = 1, int(need) - 1
      value(i:i) = buf(i)
    end do
  end subroutine h5par_attr_read_string_f


  ! ---- The specific procedures of the generic interfaces: they differ only in type and rank. ----

  ! ---- generated by scripts/gen-fortran.py from procedures.f90.in: type x rank procedures ----
  subroutine put_i4(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    integer(c_int32_t), intent(in), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_write_ptr_f(dset, offset, counts, H5PAR_INT32, p, status, xfer)
  end subroutine put_i4

  subroutine get_i4(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    integer(c_int32_t), intent(inout), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_read_ptr_f(dset, offset, counts, H5PAR_INT32, p, status, xfer)
  end subroutine get_i4

  subroutine write_i4_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_1

  subroutine write_i4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_2

  subroutine write_i4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_3

  subroutine write_i4_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_4

  subroutine read_i4_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_1

  subroutine read_i4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_2

  subroutine read_i4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_3

  subroutine read_i4_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_4

  subroutine attr_write_i4_0(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int32_t), intent(in) :: value
    integer, intent(out) :: status
    integer(c_int32_t), target :: tmp(1)
    tmp(1) = value
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_INT32, c_int), 1_c_int64_t, c_loc(tmp))
  end subroutine attr_write_i4_0

  subroutine attr_write_i4_1(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int32_t), intent(in) :: value(:)
    integer, intent(out) :: status
    integer(c_int32_t), allocatable, target :: tmp(:)
    type(c_ptr) :: p
    allocate(tmp(size(value)))
    tmp = value
    p = c_null_ptr
    if (size(tmp) > 0) p = c_loc(tmp)
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_INT32, c_int), int(size(tmp), c_int64_t), p)
  end subroutine attr_write_i4_1

  subroutine attr_read_i4_0(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int32_t), intent(inout) :: value
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    integer(c_int32_t), target :: tmp(1)
    integer(c_int64_t) :: got
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_INT32, c_int), 1_c_int64_t, c_loc(tmp), got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK) value = tmp(1)
  end subroutine attr_read_i4_0

  subroutine fill_value_i4_0(dset, value, has_fill, status)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int32_t), intent(inout), target :: value
    logical, intent(out) :: has_fill
    integer, intent(out) :: status
    integer(c_int) :: h
    h = 0
    status = c_dataset_fill_value(dset%ptr, trim(spec_of(H5PAR_INT32))//c_null_char, c_loc(value), &
                                  c_sizeof(value), h)
    has_fill = h /= 0
  end subroutine fill_value_i4_0

  subroutine attr_read_i4_1(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int32_t), intent(inout) :: value(:)
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    integer(c_int32_t), allocatable, target :: tmp(:)
    integer(c_int64_t) :: got
    type(c_ptr) :: p
    allocate(tmp(max(size(value), 1)))
    p = c_null_ptr
    if (size(value) > 0) p = c_loc(tmp)
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_INT32, c_int), int(size(value), c_int64_t), p, got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK .and. got > 0) value(1:got) = tmp(1:got)
  end subroutine attr_read_i4_1

  subroutine write_strided_i4_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(in), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i4_1

  subroutine write_strided_i4_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(in), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i4_2

  subroutine write_strided_i4_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(in), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i4_3

  subroutine write_strided_i4_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(in), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i4_4

  subroutine read_strided_i4_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(inout), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i4_1

  subroutine read_strided_i4_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(inout), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i4_2

  subroutine read_strided_i4_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(inout), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i4_3

  subroutine read_strided_i4_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int32_t), intent(inout), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i4_4

  subroutine put_i8(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    integer(c_int64_t), intent(in), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_write_ptr_f(dset, offset, counts, H5PAR_INT64, p, status, xfer)
  end subroutine put_i8

  subroutine get_i8(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    integer(c_int64_t), intent(inout), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_read_ptr_f(dset, offset, counts, H5PAR_INT64, p, status, xfer)
  end subroutine get_i8

  subroutine write_i8_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_1

  subroutine write_i8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_2

  subroutine write_i8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_3

  subroutine write_i8_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_4

  subroutine read_i8_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_1

  subroutine read_i8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_2

  subroutine read_i8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_3

  subroutine read_i8_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_4

  subroutine attr_write_i8_0(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int64_t), intent(in) :: value
    integer, intent(out) :: status
    integer(c_int64_t), target :: tmp(1)
    tmp(1) = value
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_INT64, c_int), 1_c_int64_t, c_loc(tmp))
  end subroutine attr_write_i8_0

  subroutine attr_write_i8_1(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int64_t), intent(in) :: value(:)
    integer, intent(out) :: status
    integer(c_int64_t), allocatable, target :: tmp(:)
    type(c_ptr) :: p
    allocate(tmp(size(value)))
    tmp = value
    p = c_null_ptr
    if (size(tmp) > 0) p = c_loc(tmp)
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_INT64, c_int), int(size(tmp), c_int64_t), p)
  end subroutine attr_write_i8_1

  subroutine attr_read_i8_0(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int64_t), intent(inout) :: value
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    integer(c_int64_t), target :: tmp(1)
    integer(c_int64_t) :: got
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_INT64, c_int), 1_c_int64_t, c_loc(tmp), got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK) value = tmp(1)
  end subroutine attr_read_i8_0

  subroutine fill_value_i8_0(dset, value, has_fill, status)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(inout), target :: value
    logical, intent(out) :: has_fill
    integer, intent(out) :: status
    integer(c_int) :: h
    h = 0
    status = c_dataset_fill_value(dset%ptr, trim(spec_of(H5PAR_INT64))//c_null_char, c_loc(value), &
                                  c_sizeof(value), h)
    has_fill = h /= 0
  end subroutine fill_value_i8_0

  subroutine attr_read_i8_1(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    integer(c_int64_t), intent(inout) :: value(:)
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    integer(c_int64_t), allocatable, target :: tmp(:)
    integer(c_int64_t) :: got
    type(c_ptr) :: p
    allocate(tmp(max(size(value), 1)))
    p = c_null_ptr
    if (size(value) > 0) p = c_loc(tmp)
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_INT64, c_int), int(size(value), c_int64_t), p, got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK .and. got > 0) value(1:got) = tmp(1:got)
  end subroutine attr_read_i8_1

  subroutine write_strided_i8_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(in), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i8_1

  subroutine write_strided_i8_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(in), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i8_2

  subroutine write_strided_i8_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(in), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i8_3

  subroutine write_strided_i8_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(in), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_i8_4

  subroutine read_strided_i8_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(inout), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i8_1

  subroutine read_strided_i8_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(inout), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i8_2

  subroutine read_strided_i8_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(inout), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i8_3

  subroutine read_strided_i8_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    integer(c_int64_t), intent(inout), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_INT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_i8_4

  subroutine put_r4(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    real(c_float), intent(in), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_write_ptr_f(dset, offset, counts, H5PAR_FLOAT32, p, status, xfer)
  end subroutine put_r4

  subroutine get_r4(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    real(c_float), intent(inout), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_read_ptr_f(dset, offset, counts, H5PAR_FLOAT32, p, status, xfer)
  end subroutine get_r4

  subroutine write_r4_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_1

  subroutine write_r4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_2

  subroutine write_r4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_3

  subroutine write_r4_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_4

  subroutine read_r4_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_1

  subroutine read_r4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_2

  subroutine read_r4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_3

  subroutine read_r4_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_4

  subroutine attr_write_r4_0(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_float), intent(in) :: value
    integer, intent(out) :: status
    real(c_float), target :: tmp(1)
    tmp(1) = value
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_FLOAT32, c_int), 1_c_int64_t, c_loc(tmp))
  end subroutine attr_write_r4_0

  subroutine attr_write_r4_1(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_float), intent(in) :: value(:)
    integer, intent(out) :: status
    real(c_float), allocatable, target :: tmp(:)
    type(c_ptr) :: p
    allocate(tmp(size(value)))
    tmp = value
    p = c_null_ptr
    if (size(tmp) > 0) p = c_loc(tmp)
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_FLOAT32, c_int), int(size(tmp), c_int64_t), p)
  end subroutine attr_write_r4_1

  subroutine attr_read_r4_0(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_float), intent(inout) :: value
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    real(c_float), target :: tmp(1)
    integer(c_int64_t) :: got
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_FLOAT32, c_int), 1_c_int64_t, c_loc(tmp), got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK) value = tmp(1)
  end subroutine attr_read_r4_0

  subroutine fill_value_r4_0(dset, value, has_fill, status)
    type(h5par_dataset_t), intent(in) :: dset
    real(c_float), intent(inout), target :: value
    logical, intent(out) :: has_fill
    integer, intent(out) :: status
    integer(c_int) :: h
    h = 0
    status = c_dataset_fill_value(dset%ptr, trim(spec_of(H5PAR_FLOAT32))//c_null_char, c_loc(value), &
                                  c_sizeof(value), h)
    has_fill = h /= 0
  end subroutine fill_value_r4_0

  subroutine attr_read_r4_1(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_float), intent(inout) :: value(:)
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    real(c_float), allocatable, target :: tmp(:)
    integer(c_int64_t) :: got
    type(c_ptr) :: p
    allocate(tmp(max(size(value), 1)))
    p = c_null_ptr
    if (size(value) > 0) p = c_loc(tmp)
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_FLOAT32, c_int), int(size(value), c_int64_t), p, got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK .and. got > 0) value(1:got) = tmp(1:got)
  end subroutine attr_read_r4_1

  subroutine write_strided_r4_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(in), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r4_1

  subroutine write_strided_r4_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(in), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r4_2

  subroutine write_strided_r4_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(in), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r4_3

  subroutine write_strided_r4_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(in), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r4_4

  subroutine read_strided_r4_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(inout), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r4_1

  subroutine read_strided_r4_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(inout), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r4_2

  subroutine read_strided_r4_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(inout), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r4_3

  subroutine read_strided_r4_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_float), intent(inout), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT32, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r4_4

  subroutine put_r8(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    real(c_double), intent(in), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_write_ptr_f(dset, offset, counts, H5PAR_FLOAT64, p, status, xfer)
  end subroutine put_r8

  subroutine get_r8(dset, offset, counts, n, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:), counts(:)
    integer, intent(in) :: n
    real(c_double), intent(inout), target :: buf(n)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (n > 0) p = c_loc(buf)
    call h5par_dataset_read_ptr_f(dset, offset, counts, H5PAR_FLOAT64, p, status, xfer)
  end subroutine get_r8

  subroutine write_r8_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_1

  subroutine write_r8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_2

  subroutine write_r8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_3

  subroutine write_r8_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_4

  subroutine read_r8_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_1

  subroutine read_r8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_2

  subroutine read_r8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_3

  subroutine read_r8_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_4

  subroutine attr_write_r8_0(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_double), intent(in) :: value
    integer, intent(out) :: status
    real(c_double), target :: tmp(1)
    tmp(1) = value
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_FLOAT64, c_int), 1_c_int64_t, c_loc(tmp))
  end subroutine attr_write_r8_0

  subroutine attr_write_r8_1(file, object_path, name, value, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_double), intent(in) :: value(:)
    integer, intent(out) :: status
    real(c_double), allocatable, target :: tmp(:)
    type(c_ptr) :: p
    allocate(tmp(size(value)))
    tmp = value
    p = c_null_ptr
    if (size(tmp) > 0) p = c_loc(tmp)
    status = c_attr_write(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                          int(H5PAR_FLOAT64, c_int), int(size(tmp), c_int64_t), p)
  end subroutine attr_write_r8_1

  subroutine attr_read_r8_0(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_double), intent(inout) :: value
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    real(c_double), target :: tmp(1)
    integer(c_int64_t) :: got
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_FLOAT64, c_int), 1_c_int64_t, c_loc(tmp), got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK) value = tmp(1)
  end subroutine attr_read_r8_0

  subroutine fill_value_r8_0(dset, value, has_fill, status)
    type(h5par_dataset_t), intent(in) :: dset
    real(c_double), intent(inout), target :: value
    logical, intent(out) :: has_fill
    integer, intent(out) :: status
    integer(c_int) :: h
    h = 0
    status = c_dataset_fill_value(dset%ptr, trim(spec_of(H5PAR_FLOAT64))//c_null_char, c_loc(value), &
                                  c_sizeof(value), h)
    has_fill = h /= 0
  end subroutine fill_value_r8_0

  subroutine attr_read_r8_1(file, object_path, name, value, status, n)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object_path, name
    real(c_double), intent(inout) :: value(:)
    integer, intent(out) :: status
    integer, intent(out), optional :: n
    real(c_double), allocatable, target :: tmp(:)
    integer(c_int64_t) :: got
    type(c_ptr) :: p
    allocate(tmp(max(size(value), 1)))
    p = c_null_ptr
    if (size(value) > 0) p = c_loc(tmp)
    got = 0
    status = c_attr_read(file%ptr, trim(object_path)//c_null_char, trim(name)//c_null_char, &
                         int(H5PAR_FLOAT64, c_int), int(size(value), c_int64_t), p, got)
    if (present(n)) n = int(got)
    if (status == H5PAR_OK .and. got > 0) value(1:got) = tmp(1:got)
  end subroutine attr_read_r8_1

  subroutine write_strided_r8_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(in), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r8_1

  subroutine write_strided_r8_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(in), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r8_2

  subroutine write_strided_r8_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(in), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r8_3

  subroutine write_strided_r8_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(in), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .true., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine write_strided_r8_4

  subroutine read_strided_r8_1(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(inout), target, contiguous :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r8_1

  subroutine read_strided_r8_2(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(inout), target, contiguous :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r8_2

  subroutine read_strided_r8_3(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(inout), target, contiguous :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r8_3

  subroutine read_strided_r8_4(dset, start, stride, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: start(:), stride(:)
    real(c_double), intent(inout), target, contiguous :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    type(c_ptr) :: p
    p = c_null_ptr
    if (size(buf) > 0) p = c_loc(buf)
    call h5par_dataset_sel_ptr_f(dset, .false., start, stride, int(shape(buf), c_int64_t), &
                                 H5PAR_FLOAT64, p, int(size(buf), c_size_t) * &
                                 int(storage_size(buf) / 8, c_size_t), status, xfer)
  end subroutine read_strided_r8_4
  ! ---- end of the generated procedures ----

  ! ==== Task farm (h5par_farm_run) ===========================================================

  !> Collective on comm: runs task_fn(i, user_data, ctx) once for every task i in 0..ntasks-1
  !> across the ranks (rank 0 controls and works too), with dynamic scheduling. A task that
  !> returns non-zero is retried up to `retries` times on another rank, then counted failed.
  !> Tasks write their own results (for example their rows of a dataset, with
  !> h5par_dataset_write_f(..., xfer=H5PAR_INDEPENDENT) into a file created before the farm).
  !> Optional: user_data (passed to every task), retries, journal (a path: finished tasks are
  !> journaled and skipped by a rerun), identity (text identifying the task list; a journal of
  !> another identity or task count is refused), records (a CSV of every attempt), progress
  !> (0 auto, 1 bar, 2 lines, 3 none); outputs done, failed, skipped, efficiency. status is
  !> H5PAR_OK when the farm ran to its end, even when tasks failed (see `failed`).
  subroutine h5par_farm_run_f(comm, ntasks, task_fn, status, user_data, retries, journal, &
                              identity, records, progress, done, failed, skipped, efficiency)
    integer, intent(in) :: comm
    integer(c_int64_t), intent(in) :: ntasks
    procedure(h5par_farm_task_f) :: task_fn
    integer, intent(out) :: status
    type(c_ptr), intent(in), optional :: user_data
    integer, intent(in), optional :: retries, progress
    character(len=*), intent(in), optional :: journal, identity, records
    integer(c_int64_t), intent(out), optional :: done, failed, skipped
    real(c_double), intent(out), optional :: efficiency
    type(c_farm_options) :: o
    type(c_farm_summary) :: s
    type(c_ptr) :: ud
    character(kind=c_char), allocatable, target :: cj(:), ci(:), cr(:)
    call c_farm_options_init(o)
    ud = c_null_ptr
    if (present(user_data)) ud = user_data
    if (present(retries)) o%retries = int(retries, c_int32_t)
    if (present(progress)) o%progress = int(progress, c_int)
    if (present(journal)) then
      call to_c(journal, cj)
      o%journal = c_loc(cj)
    end if
    if (present(identity)) then
      call to_c(identity, ci)
      o%identity = c_loc(ci)
      o%identity_len = int(size(ci) - 1, c_size_t)
    end if
    if (present(records)) then
      call to_c(records, cr)
      o%records = c_loc(cr)
    end if
    status = c_farm_run(int(comm, c_int), ntasks, c_funloc(task_fn), ud, o, c_null_funptr, &
                        c_null_ptr, s)
    if (present(done)) done = s%done
    if (present(failed)) failed = s%failed
    if (present(skipped)) skipped = s%skipped
    if (present(efficiency)) efficiency = s%efficiency
  end subroutine h5par_farm_run_f

  !> Inside a task: sets the task's failure message (recorded when it returns non-zero).
  subroutine h5par_farm_task_message_f(ctx, message, status)
    type(c_ptr), intent(in) :: ctx
    character(len=*), intent(in) :: message
    integer, intent(out) :: status
    status = c_farm_task_message(ctx, trim(message)//c_null_char)
  end subroutine h5par_farm_task_message_f
  ! ==== end of the task farm =================================================================


  ! ---- navigation, types, selections, links (issue 12) ----

  !> A Fortran string from a C buffer of `len` bytes with its NUL.
  subroutine from_buf(buf, n, s)
    character(kind=c_char), intent(in) :: buf(:)
    integer(c_size_t), intent(in) :: n
    character(len=*), intent(out) :: s
    integer :: i
    s = ''
    do i = 1, min(int(n) - 1, len(s))
      s(i:i) = buf(i)
    end do
  end subroutine from_buf

  !> Local: opens the existing group `path` (any rank alone); close it with h5par_group_close_f.
  subroutine h5par_group_open_f(file, path, group, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    type(h5par_group_t), intent(out) :: group
    integer, intent(out) :: status
    status = c_group_open(file%ptr, trim(path)//c_null_char, group%ptr)
  end subroutine h5par_group_open_f

  !> Local: frees a group handle.
  subroutine h5par_group_close_f(group, status)
    type(h5par_group_t), intent(inout) :: group
    integer, intent(out) :: status
    status = c_group_close(group%ptr)
    if (status == H5PAR_OK) group%ptr = c_null_ptr
  end subroutine h5par_group_close_f

  !> Local: lists the group's members (kept for h5par_group_member_f); `n` their number.
  subroutine h5par_group_nmembers_f(group, n, status)
    type(h5par_group_t), intent(in) :: group
    integer, intent(out) :: n
    integer, intent(out) :: status
    integer(c_size_t) :: cn
    cn = 0
    status = c_group_nmembers(group%ptr, cn)
    n = int(cn)
  end subroutine h5par_group_nmembers_f

  !> Local: the name and kind (H5PAR_KIND_*) of member `index` (1-based, names in order) of the
  !> last listing of h5par_group_nmembers_f.
  subroutine h5par_group_member_f(group, index, name, kind, status)
    type(h5par_group_t), intent(in) :: group
    integer, intent(in) :: index
    character(len=*), intent(out) :: name
    integer, intent(out) :: kind
    integer, intent(out) :: status
    character(kind=c_char) :: buf(len(name) + 1)
    integer(c_size_t) :: n
    integer(c_int), target :: k
    k = 0
    n = 0
    status = c_group_member(group%ptr, int(index - 1, c_size_t), buf, &
                            int(size(buf), c_size_t), n, c_loc(k))
    kind = int(k)
    call from_buf(buf, n, name)
  end subroutine h5par_group_member_f

  !> Local: lists the names of the group's members in one pass over its links, without looking
  !> at what they are (faster than h5par_group_nmembers_f for large groups; kept for
  !> h5par_group_name_f and h5par_group_member_f); `n` their number.
  subroutine h5par_group_nnames_f(group, n, status)
    type(h5par_group_t), intent(in) :: group
    integer, intent(out) :: n
    integer, intent(out) :: status
    integer(c_size_t) :: cn
    cn = 0
    status = c_group_nnames(group%ptr, cn)
    n = int(cn)
  end subroutine h5par_group_nnames_f

  !> Local: the name of member `index` (1-based, names in order) of the last listing of
  !> h5par_group_nnames_f or h5par_group_nmembers_f (its kind is not looked up).
  subroutine h5par_group_name_f(group, index, name, status)
    type(h5par_group_t), intent(in) :: group
    integer, intent(in) :: index
    character(len=*), intent(out) :: name
    integer, intent(out) :: status
    character(kind=c_char) :: buf(len(name) + 1)
    integer(c_size_t) :: n
    n = 0
    status = c_group_member(group%ptr, int(index - 1, c_size_t), buf, &
                            int(size(buf), c_size_t), n, c_null_ptr)
    call from_buf(buf, n, name)
  end subroutine h5par_group_name_f

  !> Collective: creates the hard link `path` to the existing group or dataset `target` (a
  !> path in the same file), as h5py's f[path] = obj.
  subroutine h5par_link_hard_f(file, path, target, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path, target
    integer, intent(out) :: status
    status = c_link_hard(file%ptr, trim(path)//c_null_char, trim(target)//c_null_char)
  end subroutine h5par_link_hard_f

  !> Opens what `path` leads to, following soft and external links: `kind` is
  !> H5PAR_KIND_GROUP (then `group` is set) or H5PAR_KIND_DATASET (then `dset`). Through an
  !> external link `target_file` is the file opened (read only when `file` is; close it with
  !> h5par_file_close_f, collective), else its handle is null. Local for a group of this
  !> file; collective (same `path` on every rank) for a dataset or through an external link.
  subroutine h5par_object_open_f(file, path, kind, group, dset, target_file, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    integer, intent(out) :: kind
    type(h5par_group_t), intent(out) :: group
    type(h5par_dataset_t), intent(out) :: dset
    type(h5par_file_t), intent(out) :: target_file
    integer, intent(out) :: status
    integer(c_int) :: k
    k = 0
    status = c_object_open(file%ptr, trim(path)//c_null_char, k, group%ptr, dset%ptr, &
                           target_file%ptr)
    kind = int(k)
  end subroutine h5par_object_open_f

  !> Local: what is at `path` (H5PAR_KIND_*, H5PAR_KIND_NONE for nothing); with `follow`
  !> .true. a soft link is followed.
  subroutine h5par_object_kind_f(file, path, kind, status, follow)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    integer, intent(out) :: kind
    integer, intent(out) :: status
    logical, intent(in), optional :: follow
    integer(c_int) :: f, k
    f = 0
    if (present(follow)) then
      if (follow) f = 1
    end if
    k = 0
    status = c_object_kind(file%ptr, trim(path)//c_null_char, f, k)
    kind = int(k)
  end subroutine h5par_object_kind_f

  !> Collective: deletes the link `path` (a dataset, a group and what it holds, a link).
  subroutine h5par_object_delete_f(file, path, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    integer, intent(out) :: status
    status = c_object_delete(file%ptr, trim(path)//c_null_char)
  end subroutine h5par_object_delete_f

  !> Collective: moves (renames) `from` to `to`.
  subroutine h5par_object_move_f(file, from, to, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: from, to
    integer, intent(out) :: status
    status = c_object_move(file%ptr, trim(from)//c_null_char, trim(to)//c_null_char)
  end subroutine h5par_object_move_f

  !> Collective: creates the soft link `path` to `target`.
  subroutine h5par_link_soft_f(file, path, target, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path, target
    integer, intent(out) :: status
    status = c_link_soft(file%ptr, trim(path)//c_null_char, trim(target)//c_null_char)
  end subroutine h5par_link_soft_f

  !> Collective: creates the external link `path` to `target_path` in `target_file`.
  subroutine h5par_link_external_f(file, path, target_file, target_path, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path, target_file, target_path
    integer, intent(out) :: status
    status = c_link_external(file%ptr, trim(path)//c_null_char, &
                             trim(target_file)//c_null_char, trim(target_path)//c_null_char)
  end subroutine h5par_link_external_f

  !> Collective: deletes attribute `name` of the object at `object`.
  subroutine h5par_attr_delete_f(file, object, name, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object, name
    integer, intent(out) :: status
    status = c_attr_delete(file%ptr, trim(object)//c_null_char, trim(name)//c_null_char)
  end subroutine h5par_attr_delete_f

  !> Local: the number of attributes of the object at `object`.
  subroutine h5par_attr_count_f(file, object, n, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object
    integer, intent(out) :: n
    integer, intent(out) :: status
    integer(c_size_t) :: cn
    cn = 0
    status = c_attr_count(file%ptr, trim(object)//c_null_char, cn)
    n = int(cn)
  end subroutine h5par_attr_count_f

  !> Local: the name of attribute `index` (1-based, in name order) of the object at `object`.
  subroutine h5par_attr_name_f(file, object, index, name, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: object
    integer, intent(in) :: index
    character(len=*), intent(out) :: name
    integer, intent(out) :: status
    character(kind=c_char) :: buf(len(name) + 1)
    integer(c_size_t) :: n
    n = 0
    status = c_attr_name(file%ptr, trim(object)//c_null_char, int(index - 1, c_size_t), buf, &
                         int(size(buf), c_size_t), n)
    call from_buf(buf, n, name)
  end subroutine h5par_attr_name_f

  !> The type spec of a numeric dtype code ("i4", "f8", ...), "" for another code.
  function spec_of(code) result(spec)
    integer, intent(in) :: code
    character(len=4) :: spec
    character(len=3), parameter :: names(0:12) = [character(len=3) :: 'i1', 'i2', 'i4', &
        'i8', 'u1', 'u2', 'u4', 'u8', 'f4', 'f8', 'b1', 'c8', 'c16']
    spec = ''
    if (code >= 0 .and. code <= 12) spec = names(code)
  end function spec_of

  !> Collective: creates the dataset `path` of the dtype code `dtype` and extent `dims` (Fortran
  !> order), with optional creation options: `chunk` (Fortran order), `maxshape` (Fortran
  !> order, -1 for unlimited; without it the extent is fixed, even when chunked), `deflate`
  !> (1-9), `shuffle`, the fill value `fill` (converted to the dataset's type), and `chunked`
  !> (.true.: chunked, h5par chooses the chunk shape when `chunk` is not given).
  subroutine h5par_dataset_create_ex_f(file, path, dtype, dims, dset, status, chunk, &
                                       maxshape, deflate, shuffle, fill, chunked)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: path
    integer, intent(in) :: dtype
    integer(c_int64_t), intent(in) :: dims(:)
    type(h5par_dataset_t), intent(out) :: dset
    integer, intent(out) :: status
    integer(c_int64_t), intent(in), optional :: chunk(:), maxshape(:)
    integer, intent(in), optional :: deflate
    logical, intent(in), optional :: shuffle
    real(c_double), intent(in), optional :: fill
    logical, intent(in), optional :: chunked
    type(c_create) :: o
    integer(c_int64_t), allocatable, target :: cchunk(:), cmax(:)
    real(c_double), target :: cfill
    character(kind=c_char, len=3), target :: f8
    integer(c_int64_t) :: cdims(max(size(dims), 1))
    o%chunk = c_null_ptr
    o%maxshape = c_null_ptr
    o%deflate = 0
    o%shuffle = 0
    o%fill = c_null_ptr
    o%fill_type = c_null_ptr
    o%chunked = 0
    cdims = 0
    if (size(dims) > 0) cdims(1:size(dims)) = reversed(dims)
    if (present(chunk)) then
      allocate(cchunk(max(size(chunk), 1)))
      cchunk = 1
      if (size(chunk) > 0) cchunk(1:size(chunk)) = reversed(chunk)
      o%chunk = c_loc(cchunk)
    end if
    if (present(maxshape)) then
      allocate(cmax(max(size(maxshape), 1)))
      cmax = 0
      if (size(maxshape) > 0) cmax(1:size(maxshape)) = reversed(maxshape)
      o%maxshape = c_loc(cmax)
    end if
    if (present(deflate)) o%deflate = int(deflate, c_int)
    if (present(shuffle)) then
      if (shuffle) o%shuffle = 1
    end if
    if (present(chunked)) then
      if (chunked) o%chunked = 1
    end if
    if (present(fill)) then
      cfill = fill
      f8 = 'f8'//c_null_char
      o%fill = c_loc(cfill)
      o%fill_type = c_loc(f8)
    end if
    status = c_dataset_create_ex(file%ptr, trim(path)//c_null_char, &
                                 trim(spec_of(dtype))//c_null_char, int(size(dims), c_int), &
                                 cdims, o, dset%ptr)
  end subroutine h5par_dataset_create_ex_f

  !> Local: how the dataset is stored, in Fortran order: `chunked`, `chunk` and `maxshape` (-1
  !> unlimited; as many values as the dataset has dimensions), `deflate` level (0 none),
  !> `shuffle`, and whether a fill value was set (`has_fill`).
  subroutine h5par_dataset_storage_f(dset, chunked, chunk, maxshape, deflate, shuffle, &
                                     has_fill, status)
    type(h5par_dataset_t), intent(in) :: dset
    logical, intent(out) :: chunked, shuffle, has_fill
    integer(c_int64_t), intent(out) :: chunk(:), maxshape(:)
    integer, intent(out) :: deflate
    integer, intent(out) :: status
    integer(c_int) :: c, d, s, h, code, nd
    integer(c_int64_t) :: cc(32), cm(32), dims(32)
    cc = 0
    cm = 0
    status = c_dataset_info(dset%ptr, code, nd, dims)
    if (status /= H5PAR_OK) return
    status = c_dataset_storage(dset%ptr, c, cc, cm, d, s, h, c_null_ptr, 0_c_size_t)
    chunked = c /= 0
    shuffle = s /= 0
    has_fill = h /= 0
    deflate = int(d)
    chunk = 0
    maxshape = 0
    if (nd > 0) then
      chunk(1:min(int(nd), size(chunk))) = reversed(cc(1:min(int(nd), size(chunk))))
      maxshape(1:min(int(nd), size(maxshape))) = reversed(cm(1:min(int(nd), size(maxshape))))
    end if
  end subroutine h5par_dataset_storage_f

  !> Reads (`write` .false.) or writes the strided hyperslab `start`, `stride`, `count`
  !> (0-based, Fortran order) of elements of the dtype code `mem_dtype` at `buf` (`nbytes`
  !> bytes); collective unless `xfer` is H5PAR_INDEPENDENT. Used by the generic
  !> h5par_dataset_read_strided_f and h5par_dataset_write_strided_f.
  subroutine h5par_dataset_sel_ptr_f(dset, write, start, stride, count, mem_dtype, buf, &
                                     nbytes, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    logical, intent(in) :: write
    integer(c_int64_t), intent(in) :: start(:), stride(:), count(:)
    integer, intent(in) :: mem_dtype
    type(c_ptr), intent(in) :: buf
    integer(c_size_t), intent(in) :: nbytes
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    integer(c_int64_t), allocatable, target :: cs(:), cd(:), cc(:)
    type(c_selection) :: sel
    integer(c_int) :: mode
    integer :: n
    n = size(count)
    allocate(cs(max(n, 1)), cd(max(n, 1)), cc(max(n, 1)))
    cs = 0
    cd = 1
    cc = 0
    sel%ndims = int(n, c_int)
    if (size(start) /= n .or. size(stride) /= n) sel%ndims = -1
    if (sel%ndims >= 0 .and. n > 0) then
      cs(1:n) = reversed(start)
      cd(1:n) = reversed(stride)
      cc(1:n) = reversed(count)
    end if
    sel%start = c_loc(cs)
    sel%stride = c_loc(cd)
    sel%count = c_loc(cc)
    sel%block = c_null_ptr
    sel%index_axis = -1
    sel%nindices = 0
    sel%indices = c_null_ptr
    mode = H5PAR_COLLECTIVE
    if (present(xfer)) mode = int(xfer, c_int)
    if (write) then
      status = c_dataset_write_sel(dset%ptr, mode, sel, trim(spec_of(mem_dtype))//c_null_char, &
                                   buf, nbytes)
    else
      status = c_dataset_read_sel(dset%ptr, mode, sel, trim(spec_of(mem_dtype))//c_null_char, &
                                  buf, nbytes)
    end if
  end subroutine h5par_dataset_sel_ptr_f
  ! ---- end of navigation, types, selections, links (issue 12) ----

end module h5par

! =============================================================================================
! Distributed vectors (maps, vectors, Export/Import plans, CSR matrices, CG, vector I/O): the
! module h5par_vector over the h5par_map_* / h5par_vector_* / h5par_plan_* / h5par_matrix_* /
! h5par_cg functions of h5par.h. `use h5par_vector` (it uses h5par for files and statuses).
! Global ids are 0-based, as in C; a vector's local part is a Fortran pointer to h5par's own
! memory (h5par_vector_data_f), valid until the vector is freed.
! =============================================================================================

!> Distributed vectors for Fortran: maps, vectors, plans, CSR matrices, CG and vector I/O.
module h5par_vector
  use, intrinsic :: iso_c_binding
  use h5par, only: h5par_file_t
  implicit none
  private

  !> Combine modes of h5par_plan_apply_f (Average is the mean of all contributions).
  integer, parameter, public :: H5PAR_INSERT = 0, H5PAR_ADD = 1, H5PAR_AVERAGE = 2, &
    H5PAR_ABSMAX = 3, H5PAR_MAX_VALUES = 4, H5PAR_MIN_VALUES = 5, H5PAR_ZERO = 6
  !> Reductions of h5par_vector_reduce_f.
  integer, parameter, public :: H5PAR_NORM1 = 0, H5PAR_NORM2 = 1, H5PAR_NORMINF = 2, &
    H5PAR_SUM = 3, H5PAR_MEAN = 4, H5PAR_MAX = 5, H5PAR_MIN = 6

  !> A map, a vector, a plan, a matrix (opaque handles).
  type, public :: h5par_map_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_map_t
  type, public :: h5par_vec_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_vec_t
  type, public :: h5par_plan_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_plan_t
  type, public :: h5par_matrix_t
    type(c_ptr) :: ptr = c_null_ptr
  end type h5par_matrix_t

  public :: h5par_map_block_f, h5par_map_arbitrary_f, h5par_map_info_f, h5par_map_free_f
  public :: h5par_vector_create_f, h5par_vector_data_f, h5par_vector_free_f
  public :: h5par_vector_fill_f, h5par_vector_axpby_f, h5par_vector_dot_f, h5par_vector_reduce_f
  public :: h5par_plan_create_f, h5par_plan_apply_f, h5par_plan_free_f
  public :: h5par_matrix_create_f, h5par_matrix_insert_f, h5par_matrix_fill_complete_f
  public :: h5par_matrix_apply_f, h5par_matrix_free_f, h5par_cg_f
  public :: h5par_vector_write_f, h5par_vector_read_f
  public :: h5par_vector_write_step_f, h5par_vector_read_into_f

  interface
    function c_map_block(comm, n, out) bind(c, name='h5par_map_block_f2c') result(s)
      import :: c_int, c_int64_t, c_ptr
      integer(c_int), value :: comm
      integer(c_int64_t), value :: n
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_map_block
    function c_map_arbitrary(comm, gids, n, out) bind(c, name='h5par_map_arbitrary_f2c') result(s)
      import :: c_int, c_int64_t, c_ptr
      integer(c_int), value :: comm
      integer(c_int64_t), intent(in) :: gids(*)
      integer(c_int64_t), value :: n
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_map_arbitrary
    function c_map_info(map, local_len, global_len, distinct_len, one_to_one) &
        bind(c, name='h5par_map_info') result(s)
      import :: c_int, c_int64_t, c_ptr
      type(c_ptr), value :: map
      integer(c_int64_t), intent(out) :: local_len, global_len, distinct_len
      integer(c_int), intent(out) :: one_to_one
      integer(c_int) :: s
    end function c_map_info
    function c_map_free(map) bind(c, name='h5par_map_free') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: map
      integer(c_int) :: s
    end function c_map_free
    function c_vector_create(map, out) bind(c, name='h5par_vector_create') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: map
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_vector_create
    function c_vector_data(vec, data, len) bind(c, name='h5par_vector_data') result(s)
      import :: c_int, c_int64_t, c_ptr
      type(c_ptr), value :: vec
      type(c_ptr), intent(out) :: data
      integer(c_int64_t), intent(out) :: len
      integer(c_int) :: s
    end function c_vector_data
    function c_vector_free(vec) bind(c, name='h5par_vector_free') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: vec
      integer(c_int) :: s
    end function c_vector_free
    function c_vector_fill(vec, value) bind(c, name='h5par_vector_fill') result(s)
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: vec
      real(c_double), value :: value
      integer(c_int) :: s
    end function c_vector_fill
    function c_vector_axpby(y, a, x, b) bind(c, name='h5par_vector_axpby') result(s)
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: y, x
      real(c_double), value :: a, b
      integer(c_int) :: s
    end function c_vector_axpby
    function c_vector_dot(x, y, out) bind(c, name='h5par_vector_dot') result(s)
      import :: c_int, c_ptr, c_double
      type(c_ptr), value :: x, y
      real(c_double), intent(out) :: out
      integer(c_int) :: s
    end function c_vector_dot
    function c_vector_reduce(vec, what, out, gid) bind(c, name='h5par_vector_reduce') result(s)
      import :: c_int, c_ptr, c_double, c_int64_t
      type(c_ptr), value :: vec
      integer(c_int), value :: what
      real(c_double), intent(out) :: out
      integer(c_int64_t), intent(out) :: gid
      integer(c_int) :: s
    end function c_vector_reduce
    function c_plan_create(source, target, import_, out) bind(c, name='h5par_plan_create') &
        result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: source, target
      integer(c_int), value :: import_
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_plan_create
    function c_plan_apply(plan, from, into, mode, reverse) bind(c, name='h5par_plan_apply') &
        result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: plan, from, into
      integer(c_int), value :: mode, reverse
      integer(c_int) :: s
    end function c_plan_apply
    function c_plan_free(plan) bind(c, name='h5par_plan_free') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: plan
      integer(c_int) :: s
    end function c_plan_free
    function c_matrix_create(map, out) bind(c, name='h5par_matrix_create') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: map
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_matrix_create
    function c_matrix_insert(mat, row, cols, vals, n) bind(c, name='h5par_matrix_insert') &
        result(s)
      import :: c_int, c_ptr, c_int64_t, c_double
      type(c_ptr), value :: mat
      integer(c_int64_t), value :: row, n
      integer(c_int64_t), intent(in) :: cols(*)
      real(c_double), intent(in) :: vals(*)
      integer(c_int) :: s
    end function c_matrix_insert
    function c_matrix_fill_complete(mat) bind(c, name='h5par_matrix_fill_complete') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: mat
      integer(c_int) :: s
    end function c_matrix_fill_complete
    function c_matrix_apply(mat, x, y) bind(c, name='h5par_matrix_apply') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: mat, x, y
      integer(c_int) :: s
    end function c_matrix_apply
    function c_matrix_free(mat) bind(c, name='h5par_matrix_free') result(s)
      import :: c_int, c_ptr
      type(c_ptr), value :: mat
      integer(c_int) :: s
    end function c_matrix_free
    function c_cg(mat, b, x, max_iterations, tolerance, jacobi, iterations, relative_residual, &
                  converged) bind(c, name='h5par_cg') result(s)
      import :: c_int, c_ptr, c_int64_t, c_double
      type(c_ptr), value :: mat, b, x
      integer(c_int64_t), value :: max_iterations
      real(c_double), value :: tolerance
      integer(c_int), value :: jacobi
      integer(c_int64_t), intent(out) :: iterations
      real(c_double), intent(out) :: relative_residual
      integer(c_int), intent(out) :: converged
      integer(c_int) :: s
    end function c_cg
    function c_vector_write(file, name, vec) bind(c, name='h5par_vector_write') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file, vec
      character(kind=c_char), intent(in) :: name(*)
      integer(c_int) :: s
    end function c_vector_write
    function c_vector_read(file, name, map, out) bind(c, name='h5par_vector_read') result(s)
      import :: c_int, c_ptr, c_char
      type(c_ptr), value :: file, map
      character(kind=c_char), intent(in) :: name(*)
      type(c_ptr), intent(out) :: out
      integer(c_int) :: s
    end function c_vector_read
    function c_vector_write_step(file, name, vec, step) bind(c, name='h5par_vector_write_step') &
        result(s)
      import :: c_int, c_ptr, c_char, c_int64_t
      type(c_ptr), value :: file, vec
      character(kind=c_char), intent(in) :: name(*)
      integer(c_int64_t), value :: step
      integer(c_int) :: s
    end function c_vector_write_step
    function c_vector_read_into(file, name, vec, step) bind(c, name='h5par_vector_read_into') &
        result(s)
      import :: c_int, c_ptr, c_char, c_int64_t
      type(c_ptr), value :: file, vec
      character(kind=c_char), intent(in) :: name(*)
      integer(c_int64_t), value :: step
      integer(c_int) :: s
    end function c_vector_read_into
  end interface

contains

  !> Collective on comm: Epetra's linear map of n elements.
  subroutine h5par_map_block_f(n, comm, map, status)
    integer(c_int64_t), intent(in) :: n
    integer, intent(in) :: comm
    type(h5par_map_t), intent(out) :: map
    integer, intent(out) :: status
    status = c_map_block(int(comm, c_int), n, map%ptr)
  end subroutine h5par_map_block_f

  !> Collective on comm: this rank holds the (0-based) global ids gids, in that order.
  subroutine h5par_map_arbitrary_f(gids, comm, map, status)
    integer(c_int64_t), intent(in) :: gids(:)
    integer, intent(in) :: comm
    type(h5par_map_t), intent(out) :: map
    integer, intent(out) :: status
    integer(c_int64_t) :: copy(max(size(gids), 1))
    copy(1:size(gids)) = gids
    status = c_map_arbitrary(int(comm, c_int), copy, int(size(gids), c_int64_t), map%ptr)
  end subroutine h5par_map_arbitrary_f

  !> Local: this rank's and the global number of elements, and whether it is one-to-one.
  subroutine h5par_map_info_f(map, local_len, global_len, status, one_to_one)
    type(h5par_map_t), intent(in) :: map
    integer(c_int64_t), intent(out) :: local_len, global_len
    integer, intent(out) :: status
    logical, intent(out), optional :: one_to_one
    integer(c_int64_t) :: distinct
    integer(c_int) :: o
    status = c_map_info(map%ptr, local_len, global_len, distinct, o)
    if (present(one_to_one)) one_to_one = o /= 0
  end subroutine h5par_map_info_f

  !> Local: frees a map.
  subroutine h5par_map_free_f(map, status)
    type(h5par_map_t), intent(inout) :: map
    integer, intent(out) :: status
    status = c_map_free(map%ptr)
    map%ptr = c_null_ptr
  end subroutine h5par_map_free_f

  !> Local: a vector of zeros on map.
  subroutine h5par_vector_create_f(map, vec, status)
    type(h5par_map_t), intent(in) :: map
    type(h5par_vec_t), intent(out) :: vec
    integer, intent(out) :: status
    status = c_vector_create(map%ptr, vec%ptr)
  end subroutine h5par_vector_create_f

  !> Local: data points to this rank's values (h5par's memory, no copy).
  subroutine h5par_vector_data_f(vec, data, status)
    type(h5par_vec_t), intent(in) :: vec
    real(c_double), pointer, intent(out) :: data(:)
    integer, intent(out) :: status
    type(c_ptr) :: p
    integer(c_int64_t) :: n
    status = c_vector_data(vec%ptr, p, n)
    if (status == 0 .and. n > 0) then
      call c_f_pointer(p, data, [n])
    else
      allocate(data(0))
    end if
  end subroutine h5par_vector_data_f

  !> Local: frees a vector (its data pointer dies with it).
  subroutine h5par_vector_free_f(vec, status)
    type(h5par_vec_t), intent(inout) :: vec
    integer, intent(out) :: status
    status = c_vector_free(vec%ptr)
    vec%ptr = c_null_ptr
  end subroutine h5par_vector_free_f

  !> Local: every value becomes value.
  subroutine h5par_vector_fill_f(vec, value, status)
    type(h5par_vec_t), intent(in) :: vec
    real(c_double), intent(in) :: value
    integer, intent(out) :: status
    status = c_vector_fill(vec%ptr, value)
  end subroutine h5par_vector_fill_f

  !> Local: y = a x + b y (the same map).
  subroutine h5par_vector_axpby_f(y, a, x, b, status)
    type(h5par_vec_t), intent(in) :: y, x
    real(c_double), intent(in) :: a, b
    integer, intent(out) :: status
    status = c_vector_axpby(y%ptr, a, x%ptr, b)
  end subroutine h5par_vector_axpby_f

  !> Collective: d = x . y.
  subroutine h5par_vector_dot_f(x, y, d, status)
    type(h5par_vec_t), intent(in) :: x, y
    real(c_double), intent(out) :: d
    integer, intent(out) :: status
    status = c_vector_dot(x%ptr, y%ptr, d)
  end subroutine h5par_vector_dot_f

  !> Collective: the reduction what (H5PAR_NORM1 ... H5PAR_MIN); gid: where a max/min is.
  subroutine h5par_vector_reduce_f(vec, what, value, status, gid)
    type(h5par_vec_t), intent(in) :: vec
    integer, intent(in) :: what
    real(c_double), intent(out) :: value
    integer, intent(out) :: status
    integer(c_int64_t), intent(out), optional :: gid
    integer(c_int64_t) :: g
    status = c_vector_reduce(vec%ptr, int(what, c_int), value, g)
    if (present(gid)) gid = g
  end subroutine h5par_vector_reduce_f

  !> Collective: an Export (import = .false.) or Import plan from source to target.
  subroutine h5par_plan_create_f(source, target, import, plan, status)
    type(h5par_map_t), intent(in) :: source, target
    logical, intent(in) :: import
    type(h5par_plan_t), intent(out) :: plan
    integer, intent(out) :: status
    status = c_plan_create(source%ptr, target%ptr, merge(1_c_int, 0_c_int, import), plan%ptr)
  end subroutine h5par_plan_create_f

  !> Collective: combines from into into with mode (H5PAR_INSERT ... H5PAR_ZERO), forward or
  !> (reverse = .true.) along the plan's messages in reverse.
  subroutine h5par_plan_apply_f(plan, from, into, mode, reverse, status)
    type(h5par_plan_t), intent(in) :: plan
    type(h5par_vec_t), intent(in) :: from, into
    integer, intent(in) :: mode
    logical, intent(in) :: reverse
    integer, intent(out) :: status
    status = c_plan_apply(plan%ptr, from%ptr, into%ptr, int(mode, c_int), &
                          merge(1_c_int, 0_c_int, reverse))
  end subroutine h5par_plan_apply_f

  !> Local: frees a plan.
  subroutine h5par_plan_free_f(plan, status)
    type(h5par_plan_t), intent(inout) :: plan
    integer, intent(out) :: status
    status = c_plan_free(plan%ptr)
    plan%ptr = c_null_ptr
  end subroutine h5par_plan_free_f

  !> Local: an empty CSR matrix on the one-to-one row map.
  subroutine h5par_matrix_create_f(map, mat, status)
    type(h5par_map_t), intent(in) :: map
    type(h5par_matrix_t), intent(out) :: mat
    integer, intent(out) :: status
    status = c_matrix_create(map%ptr, mat%ptr)
  end subroutine h5par_matrix_create_f

  !> Local: adds entries (row, cols(k), vals(k)) of any global row (0-based ids).
  subroutine h5par_matrix_insert_f(mat, row, cols, vals, status)
    type(h5par_matrix_t), intent(in) :: mat
    integer(c_int64_t), intent(in) :: row
    integer(c_int64_t), intent(in) :: cols(:)
    real(c_double), intent(in) :: vals(:)
    integer, intent(out) :: status
    integer(c_int64_t) :: c(max(size(cols), 1))
    real(c_double) :: v(max(size(vals), 1))
    if (size(cols) /= size(vals)) then
      status = 6 ! H5PAR_ERR_SHAPE
      return
    end if
    c(1:size(cols)) = cols
    v(1:size(vals)) = vals
    status = c_matrix_insert(mat%ptr, row, c, v, int(size(cols), c_int64_t))
  end subroutine h5par_matrix_insert_f

  !> Collective: ships off-rank entries, builds the halo plan.
  subroutine h5par_matrix_fill_complete_f(mat, status)
    type(h5par_matrix_t), intent(in) :: mat
    integer, intent(out) :: status
    status = c_matrix_fill_complete(mat%ptr)
  end subroutine h5par_matrix_fill_complete_f

  !> Collective: y = A x.
  subroutine h5par_matrix_apply_f(mat, x, y, status)
    type(h5par_matrix_t), intent(in) :: mat
    type(h5par_vec_t), intent(in) :: x, y
    integer, intent(out) :: status
    status = c_matrix_apply(mat%ptr, x%ptr, y%ptr)
  end subroutine h5par_matrix_apply_f

  !> Local: frees a matrix.
  subroutine h5par_matrix_free_f(mat, status)
    type(h5par_matrix_t), intent(inout) :: mat
    integer, intent(out) :: status
    status = c_matrix_free(mat%ptr)
    mat%ptr = c_null_ptr
  end subroutine h5par_matrix_free_f

  !> Collective: CG on A x = b from x; stops at ||r|| <= tolerance ||b|| or max_iterations.
  subroutine h5par_cg_f(mat, b, x, max_iterations, tolerance, jacobi, iterations, converged, &
                        status, relative_residual)
    type(h5par_matrix_t), intent(in) :: mat
    type(h5par_vec_t), intent(in) :: b, x
    integer, intent(in) :: max_iterations
    real(c_double), intent(in) :: tolerance
    logical, intent(in) :: jacobi
    integer, intent(out) :: iterations
    logical, intent(out) :: converged
    integer, intent(out) :: status
    real(c_double), intent(out), optional :: relative_residual
    integer(c_int64_t) :: it
    real(c_double) :: res
    integer(c_int) :: conv
    status = c_cg(mat%ptr, b%ptr, x%ptr, int(max_iterations, c_int64_t), tolerance, &
                  merge(1_c_int, 0_c_int, jacobi), it, res, conv)
    iterations = int(it)
    converged = conv /= 0
    if (present(relative_residual)) relative_residual = res
  end subroutine h5par_cg_f

  !> Collective: writes vec (a one-to-one map) as the 1-D dataset name, in gid order.
  subroutine h5par_vector_write_f(file, name, vec, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: name
    type(h5par_vec_t), intent(in) :: vec
    integer, intent(out) :: status
    status = c_vector_write(file%ptr, trim(name)//c_null_char, vec%ptr)
  end subroutine h5par_vector_write_f

  !> Collective: reads the 1-D dataset name into a new vector on map (any map).
  subroutine h5par_vector_read_f(file, name, map, vec, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: name
    type(h5par_map_t), intent(in) :: map
    type(h5par_vec_t), intent(out) :: vec
    integer, intent(out) :: status
    status = c_vector_read(file%ptr, trim(name)//c_null_char, map%ptr, vec%ptr)
  end subroutine h5par_vector_read_f

  !> Collective: writes vec (a one-to-one map) as timestep step (0, 1, ...) of the dataset
  !> name in PETSc's timestepping layout [T, N] (created at the first step, then extended).
  subroutine h5par_vector_write_step_f(file, name, vec, step, status)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: name
    type(h5par_vec_t), intent(in) :: vec
    integer(c_int64_t), intent(in) :: step
    integer, intent(out) :: status
    status = c_vector_write_step(file%ptr, trim(name)//c_null_char, vec%ptr, step)
  end subroutine h5par_vector_write_step_f

  !> Collective: reads the dataset name into the existing vector vec (any map): timestep
  !> step of PETSc's timestepping layout, or the 1-D dataset when step is -1 (the default).
  subroutine h5par_vector_read_into_f(file, name, vec, status, step)
    type(h5par_file_t), intent(in) :: file
    character(len=*), intent(in) :: name
    type(h5par_vec_t), intent(in) :: vec
    integer, intent(out) :: status
    integer(c_int64_t), intent(in), optional :: step
    integer(c_int64_t) :: t
    t = -1_c_int64_t
    if (present(step)) t = step
    status = c_vector_read_into(file%ptr, trim(name)//c_null_char, vec%ptr, t)
  end subroutine h5par_vector_read_into_f

end module h5par_vector
