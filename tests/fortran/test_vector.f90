! Distributed vectors from Fortran (module h5par_vector) on 3 ranks: the PyTrilinos case
! (overlapping map, Export with Average, the tridiagonal matrix, CG), then vector I/O and an
! error on every rank. Prints "rank R: ok".
program test_vector
  use mpi
  use h5par
  use h5par_vector
  use, intrinsic :: iso_c_binding
  implicit none
  integer :: ierr, rank, nranks, st, it, i
  type(h5par_map_t) :: unique, over
  type(h5par_vec_t) :: x, u, b, y, r
  type(h5par_plan_t) :: plan
  type(h5par_matrix_t) :: a
  type(h5par_file_t) :: f
  real(c_double), pointer :: d(:)
  real(c_double) :: mx, err
  integer(c_int64_t) :: nl, ng, g, t
  integer(c_int64_t), allocatable :: mine(:)
  logical :: conv
  real(c_double), parameter :: want_u(0:9) = [1d0, 1d0, 1d0, 1.5d0, 1.5d0, 2d0, 2.5d0, 3d0, 2d0, 3d0]
  character(len=4096) :: dir
  integer(c_int64_t), parameter :: firsts(3) = [0_c_int64_t, 4_c_int64_t, 7_c_int64_t]

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)
  call get_command_argument(1, dir)

  call h5par_map_block_f(10_c_int64_t, MPI_COMM_WORLD, unique, st); call ok(st, 'block')
  select case (rank)
  case (0); mine = [0_c_int64_t, 1_c_int64_t, 2_c_int64_t, 3_c_int64_t, 4_c_int64_t, 8_c_int64_t]
  case (1); mine = [3_c_int64_t, 4_c_int64_t, 5_c_int64_t, 6_c_int64_t]
  case (2); mine = [6_c_int64_t, 7_c_int64_t, 8_c_int64_t, 9_c_int64_t]
  case default; allocate(mine(0))
  end select
  call h5par_map_arbitrary_f(mine, MPI_COMM_WORLD, over, st); call ok(st, 'arbitrary')
  call h5par_vector_create_f(over, x, st); call ok(st, 'create x')
  call h5par_vector_data_f(x, d, st); call ok(st, 'data x')
  d(:) = rank + 1d0
  call h5par_vector_reduce_f(x, H5PAR_MAX, mx, st); call ok(st, 'max')
  call check(mx == 3d0, 'MaxValue 3')

  call h5par_vector_create_f(unique, u, st); call ok(st, 'create u')
  call h5par_plan_create_f(over, unique, .false., plan, st); call ok(st, 'plan')
  call h5par_plan_apply_f(plan, x, u, H5PAR_AVERAGE, .false., st); call ok(st, 'export')
  call h5par_map_info_f(unique, nl, ng, st); call ok(st, 'info')
  call h5par_vector_data_f(u, d, st); call ok(st, 'data u')
  g = firsts(rank + 1)
  do i = 1, int(nl)
    call check(d(i) == want_u(g + i - 1), 'u value')
  end do

  call h5par_matrix_create_f(unique, a, st); call ok(st, 'matrix')
  do i = 1, int(nl)
    call insert_row(g + i - 1)
  end do
  call h5par_matrix_fill_complete_f(a, st); call ok(st, 'fill')
  call h5par_vector_create_f(unique, b, st); call ok(st, 'create b')
  call h5par_matrix_apply_f(a, u, b, st); call ok(st, 'apply')
  call h5par_vector_create_f(unique, y, st); call ok(st, 'create y')
  call h5par_cg_f(a, b, y, 10, 1d-9, .false., it, conv, st); call ok(st, 'cg')
  call check(conv .and. it <= 10, 'CG converged')
  call h5par_vector_axpby_f(y, -1d0, u, 1d0, st); call ok(st, 'axpby')
  call h5par_vector_reduce_f(y, H5PAR_NORMINF, err, st); call ok(st, 'norminf')
  call check(err < 1d-12, 'y = u')

  ! Write u (block map), read it back into the overlapping map.
  call h5par_file_create_f(trim(dir)//'/fvec.h5', MPI_COMM_WORLD, f, st); call ok(st, 'file')
  call h5par_vector_write_f(f, 'u', u, st); call ok(st, 'write')
  ! An overlapping map cannot be written: an error on every rank.
  call h5par_vector_write_f(f, 'x', x, st); call check(st /= H5PAR_OK, 'overlap write fails')
  call h5par_file_close_f(f, st); call ok(st, 'close')
  call h5par_file_open_f(trim(dir)//'/fvec.h5', H5PAR_READONLY, MPI_COMM_WORLD, f, st)
  call ok(st, 'open')
  call h5par_vector_read_f(f, 'u', over, r, st); call ok(st, 'read')
  call h5par_vector_data_f(r, d, st); call ok(st, 'data r')
  do i = 1, size(mine)
    call check(d(i) == want_u(mine(i)), 'read value')
  end do
  call h5par_file_close_f(f, st); call ok(st, 'close 2')

  ! Timestepping (PETSc's [T, N] layout): steps 0 and 1 of u, value u + 10 t, read back into
  ! the overlapping vector x step by step; a step never written fails on every rank.
  call h5par_file_create_f(trim(dir)//'/fvec_steps.h5', MPI_COMM_WORLD, f, st)
  call ok(st, 'steps file')
  call h5par_vector_data_f(u, d, st); call ok(st, 'data u 2')
  do t = 0, 1
    if (t == 1) d(:) = d(:) + 10d0
    call h5par_vector_write_step_f(f, 'ts', u, t, st); call ok(st, 'write step')
  end do
  d(:) = d(:) - 10d0
  call h5par_vector_write_step_f(f, 'ts', u, -1_c_int64_t, st)
  call check(st /= H5PAR_OK, 'negative step fails')
  call h5par_file_close_f(f, st); call ok(st, 'close steps')
  call h5par_file_open_f(trim(dir)//'/fvec_steps.h5', H5PAR_READONLY, MPI_COMM_WORLD, f, st)
  call ok(st, 'open steps')
  call h5par_vector_data_f(x, d, st); call ok(st, 'data x 2')
  do t = 1, 0, -1
    call h5par_vector_read_into_f(f, 'ts', x, st, t); call ok(st, 'read step')
    do i = 1, size(mine)
      call check(d(i) == want_u(mine(i)) + 10d0 * t, 'step value')
    end do
  end do
  call h5par_vector_read_into_f(f, 'ts', x, st, 2_c_int64_t)
  call check(st /= H5PAR_OK, 'step 2 fails')
  call h5par_vector_read_into_f(f, 'ts', x, st)
  call check(st /= H5PAR_OK, 'a [T, N] dataset is not a plain vector')
  call h5par_file_close_f(f, st); call ok(st, 'close steps 2')

  call h5par_vector_free_f(r, st); call h5par_vector_free_f(y, st); call h5par_vector_free_f(b, st)
  call h5par_matrix_free_f(a, st); call h5par_plan_free_f(plan, st)
  call h5par_vector_free_f(u, st); call h5par_vector_free_f(x, st)
  call h5par_map_free_f(over, st); call h5par_map_free_f(unique, st)
  print '(a,i0,a)', 'rank ', rank, ': ok'
  call MPI_Finalize(ierr)

contains

  subroutine insert_row(row)
    integer(c_int64_t), intent(in) :: row
    integer(c_int64_t) :: cols(3)
    real(c_double) :: vals(3)
    integer :: k
    k = 0
    if (row > 0) then
      k = k + 1; cols(k) = row - 1; vals(k) = -1d0
    end if
    k = k + 1; cols(k) = row; vals(k) = 2d0
    if (row < 9) then
      k = k + 1; cols(k) = row + 1; vals(k) = -1d0
    end if
    call h5par_matrix_insert_f(a, row, cols(1:k), vals(1:k), st); call ok(st, 'insert')
  end subroutine insert_row

  subroutine ok(status, what)
    integer, intent(in) :: status
    character(len=*), intent(in) :: what
    character(len=1024) :: msg
    if (status /= H5PAR_OK) then
      call h5par_last_error_f(msg)
      print '(a,i0,a,a,a,i0,a,a)', 'rank ', rank, ': ', what, ' failed (', status, '): ', trim(msg)
      call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
    end if
  end subroutine ok

  subroutine check(cond, what)
    logical, intent(in) :: cond
    character(len=*), intent(in) :: what
    if (.not. cond) then
      print '(a,i0,a,a)', 'rank ', rank, ': check failed: ', what
      call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
    end if
  end subroutine check
end program test_vector
