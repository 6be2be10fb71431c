! The task farm from Fortran on N ranks: a bind(C) task writes its row of a dataset created
! before the farm (independent writes); tasks 7 and 42 fail with a message; the rows are read
! back collectively; a rerun with the journal skips every task.
!
! Usage: mpirun -n N test_farm_f DIR
! Prints "rank R: ok" on each rank when every check passed. Run by ffi/tests/c_abi.rs.
module farm_tasks
  use, intrinsic :: iso_c_binding
  use h5par
  implicit none
  type(h5par_dataset_t), save :: rows
  integer, save :: calls = 0
contains
  function task(i, user_data, ctx) bind(c) result(s)
    integer(c_int64_t), value :: i
    type(c_ptr), value :: user_data, ctx
    integer(c_int) :: s
    real(8) :: row(3, 1)
    integer :: st
    calls = calls + 1
    if (i == 7 .or. i == 42) then
      call h5par_farm_task_message_f(ctx, 'this task is bad', st)
      s = 1
      return
    end if
    row(:, 1) = [real(i, 8), real(i * i, 8), -1.0d0]
    ! Fortran order: row(3, 1) is the C dataset [1][3] at [i][0].
    call h5par_dataset_write_f(rows, [0_h5par_size_t, int(i, h5par_size_t)], row, st, &
                               xfer=H5PAR_INDEPENDENT)
    s = int(st, c_int)
  end function task
end module farm_tasks

program test_farm_f
  use, intrinsic :: iso_c_binding
  use mpi
  use h5par
  use farm_tasks
  implicit none
  integer, parameter :: n = 100
  integer :: ierr, rank, nprocs, status, failures, i, total
  integer(c_int64_t) :: done, failed, skipped
  type(h5par_file_t) :: file
  real(8) :: back(3, n)
  character(len=4096) :: dir, path, journal

  failures = 0
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  call get_command_argument(1, dir)
  path = trim(dir) // '/farm_f.h5'
  journal = trim(dir) // '/farm_f.journal'

  call h5par_file_create_f(trim(path), MPI_COMM_WORLD, file, status)
  call h5par_dataset_create_f(file, 'rows', H5PAR_FLOAT64, [3_h5par_size_t, int(n, h5par_size_t)], &
                              rows, status)
  call h5par_dataset_close_f(rows, status)
  call h5par_file_close_f(file, status)
  call h5par_file_open_f(trim(path), H5PAR_READWRITE, MPI_COMM_WORLD, file, status)
  call h5par_dataset_open_f(file, 'rows', rows, status)
  call check(status == H5PAR_OK, 'open')

  call h5par_farm_run_f(MPI_COMM_WORLD, int(n, c_int64_t), task, status, retries=1, &
                        journal=trim(journal), identity='fortran rows', progress=3, &
                        done=done, failed=failed, skipped=skipped)
  call check(status == H5PAR_OK, 'h5par_farm_run_f')
  call check(done == n - 2 .and. failed == 2 .and. skipped == 0, 'summary')
  call MPI_Allreduce(calls, total, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierr)
  call check(total == n + 2, 'each task once, the failing ones twice')

  call h5par_dataset_read_f(rows, [0_h5par_size_t, 0_h5par_size_t], back, status)
  call check(status == H5PAR_OK, 'read back')
  do i = 0, n - 1
    if (i == 7 .or. i == 42) cycle
    call check(all(back(:, i + 1) == [real(i, 8), real(i * i, 8), -1.0d0]), 'row')
  end do

  calls = 0
  call h5par_farm_run_f(MPI_COMM_WORLD, int(n, c_int64_t), task, status, retries=1, &
                        journal=trim(journal), identity='fortran rows', progress=3, &
                        done=done, skipped=skipped)
  call check(status == H5PAR_OK .and. skipped == n .and. done == 0 .and. calls == 0, 'resume')
  call h5par_farm_run_f(MPI_COMM_WORLD, int(n, c_int64_t), task, status, &
                        journal=trim(journal), identity='other rows', progress=3)
  call check(status /= H5PAR_OK, 'a journal of another task list is refused')

  call h5par_dataset_close_f(rows, status)
  call h5par_file_close_f(file, status)
  if (failures == 0) print '(a,i0,a)', 'rank ', rank, ': ok'
  call MPI_Finalize(ierr)
  if (failures /= 0) stop 1
contains
  subroutine check(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    character(len=512) :: msg
    if (.not. ok) then
      call h5par_last_error_f(msg)
      print '(a,i0,4a)', 'rank ', rank, ': failed: ', what, ': ', trim(msg)
      failures = failures + 1
    end if
  end subroutine check
end program test_farm_f
