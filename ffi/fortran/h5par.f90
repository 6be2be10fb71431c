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
  public :: h5par_attr_write_f, h5par_attr_read_f
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

  subroutine read_i4_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_1

  subroutine write_i4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_2

  subroutine read_i4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_2

  subroutine write_i4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_3

  subroutine read_i4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i4_3

  subroutine write_i4_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int32_t), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i4_4

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

  subroutine read_i8_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_1

  subroutine write_i8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_2

  subroutine read_i8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_2

  subroutine write_i8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_3

  subroutine read_i8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_i8_3

  subroutine write_i8_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    integer(c_int64_t), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_i8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_i8_4

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

  subroutine read_r4_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_1

  subroutine write_r4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_2

  subroutine read_r4_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_2

  subroutine write_r4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_3

  subroutine read_r4_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r4_3

  subroutine write_r4_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_float), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r4(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r4_4

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

  subroutine read_r8_1(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_1

  subroutine write_r8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_2

  subroutine read_r8_2(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_2

  subroutine write_r8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_3

  subroutine read_r8_3(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(inout) :: buf(:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call get_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine read_r8_3

  subroutine write_r8_4(dset, offset, buf, status, xfer)
    type(h5par_dataset_t), intent(in) :: dset
    integer(c_int64_t), intent(in) :: offset(:)
    real(c_double), intent(in) :: buf(:,:,:,:)
    integer, intent(out) :: status
    integer, intent(in), optional :: xfer
    call put_r8(dset, offset, int(shape(buf), c_int64_t), size(buf), buf, status, xfer)
  end subroutine write_r8_4

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

end module h5par
