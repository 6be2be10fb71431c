! The Fortran module of h5par on N ranks: each rank writes its block of columns of a 2-D array,
! reads it back, and exercises the rest of the module. tests/c/read_fortran.c then reads the
! file from C and checks the dimension mapping (a Fortran a(nx, ny) is the C dataset [ny][nx]).
!
! Usage: mpirun -n N test_fortran DIR
! Prints "rank R: ok" on each rank when every check passed. Run by ffi/tests/c_abi.rs.
program test_fortran
  use, intrinsic :: iso_c_binding, only: c_loc, c_int32_t
  use mpi
  use h5par
  implicit none

  integer, parameter :: nx = 5, ny = 3
  integer :: ierr, rank, nprocs, status, failures, i, j, dtype, ndims, n, total
  type(h5par_file_t) :: file
  type(h5par_dataset_t) :: dset, ext
  real(8) :: a(nx, ny), b(nx, ny)
  integer(h5par_size_t), allocatable :: dims(:)
  integer(h5par_size_t) :: offset(2)
  integer(c_int32_t) :: iv(4)
  integer(c_int32_t), target :: ib(4)
  real(8) :: scale, rv(3)
  character(len=4096) :: dir, path
  character(len=256) :: msg, text
  character(len=4) :: short

  failures = 0
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  call get_command_argument(1, dir)
  path = trim(dir)//'/fortran.h5'

  call h5par_version_f(msg)
  call expect(index(msg, '.') > 0, 'version')

  call h5par_file_create_f(path, MPI_COMM_WORLD, file, status, tuning=.true., &
                           hints='romio_cb_write=enable')
  call check(status, H5PAR_OK, 'create')

  ! The global array is g(nx, ny*nprocs); rank r holds columns r*ny+1 .. (r+1)*ny.
  do j = 1, ny
    do i = 1, nx
      a(i, j) = 1000 * (rank * ny + j) + i
    end do
  end do
  call h5par_dataset_create_f(file, 'grid/a', H5PAR_FLOAT64, &
                              [int(nx, h5par_size_t), int(ny * nprocs, h5par_size_t)], dset, status)
  call check(status, H5PAR_OK, 'dataset create')
  offset = [0_h5par_size_t, int(rank * ny, h5par_size_t)]
  call h5par_dataset_write_f(dset, offset, a, status)
  call check(status, H5PAR_OK, 'write')
  b = 0
  call h5par_dataset_read_f(dset, offset, b, status)
  call check(status, H5PAR_OK, 'read')
  call expect(all(a == b), 'read back what was written')
  ! The neighbour's block, independently.
  offset(2) = int(mod(rank + 1, nprocs) * ny, h5par_size_t)
  call h5par_dataset_read_f(dset, offset, b, status, xfer=H5PAR_INDEPENDENT)
  call check(status, H5PAR_OK, 'independent read')
  call expect(b(2, 1) == 1000 * (mod(rank + 1, nprocs) * ny + 1) + 2, 'neighbour block')
  call h5par_dataset_info_f(dset, dtype, ndims, dims, status)
  call check(status, H5PAR_OK, 'info')
  call expect(dtype == H5PAR_FLOAT64 .and. ndims == 2, 'info type and rank')
  call expect(dims(1) == nx .and. dims(2) == ny * nprocs, 'info dims in Fortran order')

  ! A rank-1 offset for a rank-2 buffer is an error on every rank, not a hang.
  call h5par_dataset_write_f(dset, [0_h5par_size_t], a, status)
  call check(status, H5PAR_ERR_INVALID, 'offset of the wrong length')
  ! A buffer of the wrong rank.
  call h5par_dataset_write_f(dset, [0_h5par_size_t], a(:, 1), status)
  call check(status, H5PAR_ERR_SHAPE, 'buffer of the wrong rank')
  ! A block past the end on the last rank: H5PAR_ERR_SHAPE there, H5PAR_ERR_REMOTE elsewhere.
  offset = [0_h5par_size_t, int(rank * ny, h5par_size_t)]
  if (rank == nprocs - 1) offset(2) = offset(2) + 1
  call h5par_dataset_write_f(dset, offset, a, status)
  if (rank == nprocs - 1) then
    call check(status, H5PAR_ERR_SHAPE, 'bad block here')
  else
    call check(status, H5PAR_ERR_REMOTE, 'bad block elsewhere')
  end if
  call h5par_last_error_f(msg)
  call expect(len_trim(msg) > 0, 'last error after a failure')
  call h5par_status_string_f(H5PAR_ERR_SHAPE, text)
  call expect(text(1:15) == 'H5PAR_ERR_SHAPE', 'status string')

  ! Chunked, extendible, integers; a non-contiguous section is written through a copy.
  call h5par_dataset_create_f(file, 'ext', H5PAR_INT32, [4_h5par_size_t, int(nprocs, h5par_size_t)], &
                              ext, status, chunk=[4_h5par_size_t, 1_h5par_size_t], deflate_level=1)
  call check(status, H5PAR_OK, 'chunked create')
  iv = [(rank * 10 + i, i = 1, 4)]
  call h5par_dataset_write_f(ext, [0_h5par_size_t, int(rank, h5par_size_t)], &
                             reshape(iv, [4, 1]), status)
  call check(status, H5PAR_OK, 'chunked write')
  call h5par_dataset_extend_f(ext, [4_h5par_size_t, int(nprocs + 1, h5par_size_t)], status)
  call check(status, H5PAR_OK, 'extend')
  call h5par_dataset_info_f(ext, dtype, ndims, dims, status)
  call expect(dtype == H5PAR_INT32 .and. dims(2) == nprocs + 1, 'extended dims')
  call h5par_dataset_extend_f(ext, [4_h5par_size_t], status)
  call check(status, H5PAR_ERR_SHAPE, 'extend with the wrong rank')
  ib = 0
  call h5par_dataset_read_ptr_f(ext, [0_h5par_size_t, int(rank, h5par_size_t)], &
                                [4_h5par_size_t, 1_h5par_size_t], H5PAR_INT32, c_loc(ib), status)
  call check(status, H5PAR_OK, 'read through a pointer')
  call expect(all(ib == iv), 'pointer read values')
  call h5par_dataset_close_f(ext, status)
  call check(status, H5PAR_OK, 'close chunked')
  call h5par_dataset_close_f(ext, status)
  call check(status, H5PAR_ERR_HANDLE, 'double close')

  ! Attributes.
  call h5par_attr_write_f(file, '/', 'nprocs', nprocs, status)
  call check(status, H5PAR_OK, 'scalar attribute')
  call h5par_attr_write_f(file, 'grid/a', 'scale', [0.5d0, 1.5d0, 2.5d0], status)
  call check(status, H5PAR_OK, 'array attribute')
  call h5par_attr_write_string_f(file, 'grid/a', 'layout', 'fortran   ', status)
  call check(status, H5PAR_OK, 'string attribute')
  call h5par_attr_read_f(file, '/', 'nprocs', total, status)
  call check(status, H5PAR_OK, 'read scalar attribute')
  call expect(total == nprocs, 'scalar attribute value')
  call h5par_attr_read_f(file, 'grid/a', 'scale', rv, status, n=n)
  call check(status, H5PAR_OK, 'read array attribute')
  call expect(n == 3 .and. rv(3) == 2.5d0, 'array attribute values')
  call h5par_attr_read_f(file, 'grid/a', 'scale', scale, status, n=n)
  call check(status, H5PAR_ERR_INVALID, 'three values into a scalar')
  call expect(n == 3, 'needed count')
  call h5par_attr_read_string_f(file, 'grid/a', 'layout', text, status, length=n)
  call check(status, H5PAR_OK, 'read string attribute')
  call expect(text == 'fortran' .and. n == 7, 'string attribute value')
  short = 'xxxx'
  call h5par_attr_read_string_f(file, 'grid/a', 'layout', short, status, length=n)
  call check(status, H5PAR_ERR_INVALID, 'string too long for the variable')
  call expect(short == 'xxxx' .and. n == 7, 'string untouched, length told')
  call h5par_attr_read_f(file, 'grid/a', 'layout', scale, status)
  call check(status, H5PAR_ERR_TYPE, 'string read as a number')

  ! Errors.
  call h5par_dataset_open_f(file, 'missing', ext, status)
  call check(status, H5PAR_ERR_NOT_FOUND, 'open missing')
  call h5par_dataset_create_f(file, 'bad', 42, [1_h5par_size_t], ext, status)
  call check(status, H5PAR_ERR_INVALID, 'bad dtype')
  call h5par_group_create_f(file, 'g1/g2', status)
  call check(status, H5PAR_OK, 'group')
  call h5par_group_create_f(file, 'g1/g2', status)
  call check(status, H5PAR_OK, 'group again')
  call h5par_file_report_json_f(file, short, status, length=n)
  call check(status, H5PAR_ERR_INVALID, 'report longer than 4')
  call expect(n > 4 .and. short == 'xxxx', 'report length')

  call h5par_dataset_close_f(dset, status)
  call check(status, H5PAR_OK, 'close dataset')
  call h5par_file_close_f(file, status)
  call check(status, H5PAR_OK, 'close file')
  call h5par_file_close_f(file, status)
  call check(status, H5PAR_ERR_HANDLE, 'double close file')

  ! Read it back in a new file handle, read-only.
  call h5par_file_open_f(path, H5PAR_READONLY, MPI_COMM_WORLD, file, status)
  call check(status, H5PAR_OK, 'open')
  call h5par_dataset_open_f(file, '/grid/a', dset, status)
  call check(status, H5PAR_OK, 'open dataset')
  offset = [0_h5par_size_t, int(rank * ny, h5par_size_t)]
  b = 0
  call h5par_dataset_read_f(dset, offset, b, status)
  call check(status, H5PAR_OK, 'read again')
  call expect(all(a == b), 'values after reopening')
  call h5par_dataset_write_f(dset, offset, a, status)
  call check(status, H5PAR_ERR_INVALID, 'write to a read-only file')
  call h5par_dataset_close_f(dset, status)
  call h5par_file_close_f(file, status)
  call check(status, H5PAR_OK, 'close again')
  call h5par_file_open_f(trim(dir)//'/missing.h5', H5PAR_READONLY, MPI_COMM_WORLD, file, status)
  call check(status, H5PAR_ERR_NOT_FOUND, 'open missing file')
  call h5par_file_open_f(path, 7, MPI_COMM_WORLD, file, status)
  call check(status, H5PAR_ERR_INVALID, 'bad mode')

  if (failures == 0) then
    print '(a,i0,a)', 'rank ', rank, ': ok'
  else
    print '(a,i0,a,i0,a)', 'rank ', rank, ': ', failures, ' checks failed'
  end if
  call MPI_Finalize(ierr)
  if (failures /= 0) stop 1

contains

  subroutine check(got, want, what)
    integer, intent(in) :: got, want
    character(len=*), intent(in) :: what
    character(len=1024) :: m
    if (got /= want) then
      call h5par_last_error_f(m)
      print '(a,i0,a,a,a,i0,a,i0,a,a)', 'rank ', rank, ': ', what, ': status ', got, &
        ', expected ', want, ': ', trim(m)
      failures = failures + 1
    end if
  end subroutine check

  subroutine expect(cond, what)
    logical, intent(in) :: cond
    character(len=*), intent(in) :: what
    if (.not. cond) then
      print '(a,i0,a,a)', 'rank ', rank, ': expected ', what
      failures = failures + 1
    end if
  end subroutine expect
end program test_fortran
