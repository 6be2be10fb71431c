! mpif90 farm_example.f90 $(pkg-config --cflags --libs h5par-fortran) && mpirun -n 2 ./a.out
module my_tasks
  use, intrinsic :: iso_c_binding
  implicit none
contains
  integer(c_int) function my_task(task, user_data, ctx) bind(c)
    integer(c_int64_t), value :: task          ! 0-based
    type(c_ptr), value :: user_data, ctx
    my_task = 0                                ! non-zero: the task failed
    if (task < 0) my_task = 1                  ! (any serial work here)
  end function my_task
end module my_tasks

program farm_example
  use, intrinsic :: iso_c_binding
  use mpi
  use h5par
  use my_tasks
  implicit none
  integer :: ierr, status, rank
  integer(c_int64_t) :: done, failed

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call h5par_farm_run_f(MPI_COMM_WORLD, 500_c_int64_t, my_task, status, retries=2, &
                        progress=3, done=done, failed=failed)
  if (status /= H5PAR_OK .or. done /= 500 .or. failed /= 0) call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
  print '(a,i0,a)', 'rank ', rank, ': ok'
  call MPI_Finalize(ierr)
end program farm_example
