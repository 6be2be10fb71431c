! Navigation, links, strided selections and creation options of the Fortran module on N ranks
! (issue 12). Each rank writes every nprocs-th element of a 1-D dataset (strided) and the
! columns rank, rank + nprocs, ... of a 2-D one; everything is read back and checked.
!
! Usage: mpirun -n N test_objects_f DIR
! Prints "rank R: ok" on each rank when every check passed. Run by ffi/tests/c_abi.rs.
program test_objects_f
  use, intrinsic :: iso_c_binding, only: c_int64_t, c_double, c_int32_t
  use mpi
  use h5par
  implicit none

  integer :: ierr, rank, nprocs, status, failures, i, j, n, kind, deflate
  type(h5par_file_t) :: file
  type(h5par_dataset_t) :: dset, d2, fd
  type(h5par_group_t) :: group, og
  type(h5par_file_t) :: other, tfile
  type(h5par_dataset_t) :: od
  real(c_double) :: v(4), back(4), first(4)
  integer(c_int32_t) :: m(3, 2), mb(3, 2)
  integer(c_int64_t) :: chunk(1), maxshape(1)
  logical :: chunked, shuffle, has_fill
  real(c_double) :: fill_r8
  integer(c_int32_t) :: fill_i4
  character(len=4096) :: dir, path
  character(len=64) :: name

  failures = 0
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  call get_command_argument(1, dir)
  path = trim(dir)//'/objects_f.h5'

  ! The target of the external link g/e below: other.h5 with a dataset x.
  call h5par_file_create_f(trim(dir)//'/other.h5', MPI_COMM_WORLD, other, status)
  call check(status, H5PAR_OK, 'create other')
  call h5par_dataset_create_ex_f(other, 'x', H5PAR_FLOAT64, [3_c_int64_t], od, status)
  call check(status, H5PAR_OK, 'create x')
  call h5par_dataset_close_f(od, status)
  call h5par_file_close_f(other, status)
  call check(status, H5PAR_OK, 'close other')

  call h5par_file_create_f(path, MPI_COMM_WORLD, file, status)
  call check(status, H5PAR_OK, 'create')

  ! Strided 1-D: rank r writes elements r, r + nprocs, ... (0-based).
  call h5par_dataset_create_ex_f(file, 'v', H5PAR_FLOAT64, [int(4 * nprocs, c_int64_t)], &
                                 dset, status)
  call check(status, H5PAR_OK, 'create v')
  do i = 1, 4
    v(i) = rank + 10.0d0 * (i - 1)
  end do
  call h5par_dataset_write_strided_f(dset, [int(rank, c_int64_t)], &
                                     [int(nprocs, c_int64_t)], v, status)
  call check(status, H5PAR_OK, 'write strided')
  back = -1
  call h5par_dataset_read_strided_f(dset, [int(rank, c_int64_t)], [int(nprocs, c_int64_t)], &
                                    back, status)
  call check(status, H5PAR_OK, 'read strided')
  call expect(all_equal(back, v), 'strided round trip')
  ! The first 4 elements: one from each of the first ranks.
  call h5par_dataset_read_f(dset, [0_c_int64_t], first, status)
  call check(status, H5PAR_OK, 'read block')
  do i = 1, 4
    call expect(first(i) == real(mod(i - 1, nprocs), c_double) + &
                10.0d0 * ((i - 1) / nprocs), 'interleaved')
  end do
  ! A stride of 0 is an error on every rank (the others: failed elsewhere).
  call h5par_dataset_read_strided_f(dset, [0_c_int64_t], [int(merge(0, 1, rank == 0), &
                                    c_int64_t)], back, status)
  call expect(status /= H5PAR_OK, 'stride 0 refused')
  call h5par_dataset_close_f(dset, status)

  ! Strided 2-D in Fortran order: m(3, 2) is columns rank and rank + nprocs of a (3, 2*nprocs).
  call h5par_dataset_create_ex_f(file, 'm', H5PAR_INT32, [3_c_int64_t, &
                                 int(2 * nprocs, c_int64_t)], d2, status)
  call check(status, H5PAR_OK, 'create m')
  do j = 1, 2
    do i = 1, 3
      m(i, j) = 100 * rank + 10 * j + i
    end do
  end do
  call h5par_dataset_write_strided_f(d2, [0_c_int64_t, int(rank, c_int64_t)], &
                                     [1_c_int64_t, int(nprocs, c_int64_t)], m, status)
  call check(status, H5PAR_OK, 'write strided 2-D')
  call h5par_dataset_read_f(d2, [0_c_int64_t, int(rank + nprocs, c_int64_t)], mb(:, 1:1), &
                            status)
  call check(status, H5PAR_OK, 'read column')
  call expect(all_equal_i(mb(:, 1), m(:, 2)), 'second column in place')
  call h5par_dataset_close_f(d2, status)

  ! Creation options read back: a chunk shape alone keeps the extent fixed.
  call h5par_dataset_create_ex_f(file, 'f', H5PAR_FLOAT32, [8_c_int64_t], fd, status, &
                                 chunk=[4_c_int64_t], maxshape=[-1_c_int64_t], deflate=3, &
                                 shuffle=.true., fill=2.5d0)
  call check(status, H5PAR_OK, 'create f')
  call h5par_dataset_storage_f(fd, chunked, chunk, maxshape, deflate, shuffle, has_fill, status)
  call check(status, H5PAR_OK, 'storage')
  call expect(chunked .and. chunk(1) == 4 .and. maxshape(1) == -1 .and. deflate == 3 .and. &
              shuffle .and. has_fill, 'options read back')
  ! The fill value itself, converted to the type asked for.
  fill_r8 = 0
  call h5par_dataset_fill_value_f(fd, fill_r8, has_fill, status)
  call check(status, H5PAR_OK, 'fill value as real64')
  call expect(has_fill .and. fill_r8 == 2.5d0, 'fill value 2.5 read back')
  fill_i4 = 0
  call h5par_dataset_fill_value_f(fd, fill_i4, has_fill, status)
  call check(status, H5PAR_OK, 'fill value as int32')
  call expect(has_fill .and. fill_i4 == 2, 'fill value converted to int32')
  call h5par_dataset_close_f(fd, status)
  ! chunked=.true. without a chunk shape: h5par picks it.
  call h5par_dataset_create_ex_f(file, 'auto', H5PAR_FLOAT64, [1000_c_int64_t], fd, status, &
                                 chunked=.true.)
  call check(status, H5PAR_OK, 'create auto-chunked')
  call h5par_dataset_storage_f(fd, chunked, chunk, maxshape, deflate, shuffle, has_fill, status)
  call expect(chunked .and. chunk(1) == 1000 .and. maxshape(1) == 1000, 'auto chunks')
  call h5par_dataset_close_f(fd, status)
  call h5par_dataset_create_ex_f(file, 'fixed', H5PAR_INT32, [8_c_int64_t], fd, status, &
                                 chunk=[2_c_int64_t])
  call h5par_dataset_storage_f(fd, chunked, chunk, maxshape, deflate, shuffle, has_fill, status)
  call expect(chunked .and. maxshape(1) == 8 .and. .not. has_fill, 'chunked, fixed extent')
  fill_i4 = 7
  call h5par_dataset_fill_value_f(fd, fill_i4, has_fill, status)
  call check(status, H5PAR_OK, 'no fill value')
  call expect(.not. has_fill .and. fill_i4 == 7, 'no fill value: untouched')
  call h5par_dataset_close_f(fd, status)

  ! Groups, links, moves, deletions, attributes.
  call h5par_group_create_f(file, 'g/sub', status)
  call h5par_link_soft_f(file, 'g/s', '/v', status)
  call check(status, H5PAR_OK, 'soft link')
  call h5par_link_external_f(file, 'g/e', 'other.h5', '/x', status)
  call check(status, H5PAR_OK, 'external link')
  call h5par_object_move_f(file, 'fixed', 'g/fixed', status)
  call check(status, H5PAR_OK, 'move')
  call h5par_object_delete_f(file, 'g/sub', status)
  call check(status, H5PAR_OK, 'delete')
  call h5par_object_delete_f(file, 'g/sub', status)
  call check(status, H5PAR_ERR_NOT_FOUND, 'delete twice')
  call h5par_attr_write_f(file, 'g', 'a', 1.5d0, status)
  call h5par_attr_write_f(file, 'g', 'b', 2_c_int32_t, status)
  call h5par_attr_delete_f(file, 'g', 'a', status)
  call check(status, H5PAR_OK, 'attr delete')
  ! Local queries on rank 0 alone.
  if (rank == 0) then
    call h5par_attr_count_f(file, 'g', n, status)
    call expect(status == H5PAR_OK .and. n == 1, 'attr count')
    call h5par_attr_name_f(file, 'g', 1, name, status)
    call expect(trim(name) == 'b', 'attr name')
    call h5par_group_open_f(file, '/g', group, status)
    call check(status, H5PAR_OK, 'group open')
    call h5par_group_nmembers_f(group, n, status)
    call expect(n == 3, 'three members')
    call h5par_group_member_f(group, 1, name, kind, status)
    call expect(trim(name) == 'e' .and. kind == H5PAR_KIND_EXTERNAL_LINK, 'member e')
    call h5par_group_member_f(group, 2, name, kind, status)
    call expect(trim(name) == 'fixed' .and. kind == H5PAR_KIND_DATASET, 'member fixed')
    call h5par_group_member_f(group, 3, name, kind, status)
    call expect(trim(name) == 's' .and. kind == H5PAR_KIND_SOFT_LINK, 'member s')
    ! Names only, in one pass over the links.
    call h5par_group_nnames_f(group, n, status)
    call expect(status == H5PAR_OK .and. n == 3, 'three names')
    call h5par_group_name_f(group, 1, name, status)
    call expect(status == H5PAR_OK .and. trim(name) == 'e', 'name e')
    call h5par_group_name_f(group, 3, name, status)
    call expect(status == H5PAR_OK .and. trim(name) == 's', 'name s')
    call h5par_group_name_f(group, 4, name, status)
    call check(status, H5PAR_ERR_INVALID, 'name 4 of 3')
    call h5par_group_close_f(group, status)
    call check(status, H5PAR_OK, 'group close')
    call h5par_object_kind_f(file, 'g/s', kind, status, follow=.true.)
    call expect(kind == H5PAR_KIND_DATASET, 'soft link followed')
    call h5par_object_kind_f(file, 'g/sub', kind, status)
    call expect(kind == H5PAR_KIND_NONE, 'deleted')
  end if
  ! A hard link: a second name of v.
  call h5par_link_hard_f(file, 'g/hard', 'v', status)
  call check(status, H5PAR_OK, 'hard link')
  call h5par_object_kind_f(file, 'g/hard', kind, status)
  call expect(kind == H5PAR_KIND_DATASET, 'hard link is a dataset')
  call h5par_link_hard_f(file, 'g/hard2', 'nowhere', status)
  call check(status, H5PAR_ERR_NOT_FOUND, 'hard link to nothing')
  ! h5par_object_open_f: a group, a dataset through a soft link, one through an external link.
  call h5par_object_open_f(file, 'g', kind, og, od, tfile, status)
  call check(status, H5PAR_OK, 'object open g')
  call expect(kind == H5PAR_KIND_GROUP, 'g is a group')
  call h5par_group_close_f(og, status)
  call h5par_object_open_f(file, 'g/s', kind, og, od, tfile, status)
  call check(status, H5PAR_OK, 'object open g/s')
  call expect(kind == H5PAR_KIND_DATASET, 'g/s is a dataset')
  call h5par_dataset_close_f(od, status)
  call h5par_object_open_f(file, 'g/e', kind, og, od, tfile, status)
  call check(status, H5PAR_OK, 'object open g/e')
  call expect(kind == H5PAR_KIND_DATASET, 'g/e is a dataset')
  call h5par_dataset_close_f(od, status)
  call h5par_file_close_f(tfile, status)
  call check(status, H5PAR_OK, 'close the external file')
  call h5par_object_open_f(file, 'nothing', kind, og, od, tfile, status)
  call check(status, H5PAR_ERR_NOT_FOUND, 'object open nothing')
  ! Opening through the soft link after the local queries.
  call h5par_dataset_open_f(file, 'g/s', dset, status)
  call check(status, H5PAR_OK, 'open through the link')
  call h5par_dataset_close_f(dset, status)
  ! One rank skips the delete: an error on every rank.
  if (nprocs > 1) then
    if (rank == 0) then
      call h5par_object_move_f(file, 'g/fixed', 'g/fixed2', status)
    else
      call h5par_object_delete_f(file, 'g/fixed', status)
    end if
    call check(status, H5PAR_ERR_MISMATCH, 'skipped delete')
  end if

  call h5par_file_close_f(file, status)
  call check(status, H5PAR_OK, 'close')
  if (failures == 0) print '(a, i0, a)', 'rank ', rank, ': ok'
  call MPI_Finalize(ierr)
  if (failures /= 0) stop 1

contains

  logical function all_equal(a, b)
    real(c_double), intent(in) :: a(:), b(:)
    all_equal = all(a == b)
  end function all_equal

  logical function all_equal_i(a, b)
    integer(c_int32_t), intent(in) :: a(:), b(:)
    all_equal_i = all(a == b)
  end function all_equal_i

  subroutine check(got, want, what)
    integer, intent(in) :: got, want
    character(len=*), intent(in) :: what
    character(len=512) :: msg
    if (got /= want) then
      call h5par_last_error_f(msg)
      print '(a, i0, 3a, i0, a, i0, 2a)', 'rank ', rank, ': ', what, ': status ', got, &
        ', expected ', want, ': ', trim(msg)
      failures = failures + 1
    end if
  end subroutine check

  subroutine expect(cond, what)
    logical, intent(in) :: cond
    character(len=*), intent(in) :: what
    if (.not. cond) then
      print '(a, i0, 2a)', 'rank ', rank, ': expected ', what
      failures = failures + 1
    end if
  end subroutine expect
end program test_objects_f
