! mpif90 readme_example.f90 $(pkg-config --cflags --libs h5par-fortran) && mpirun -n 2 ./a.out
program readme_example
  use mpi
  use h5par
  implicit none
  integer, parameter :: nx = 4, ny = 3              ! each rank holds a(nx, ny)
  integer :: ierr, rank, nprocs, status
  type(h5par_file_t) :: file
  type(h5par_dataset_t) :: dset
  real(8) :: a(nx, ny), b(nx, ny)

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  a = rank
  call h5par_file_create_f('fortran_example.h5', MPI_COMM_WORLD, file, status)
  ! Dimensions in Fortran order: the global array is g(nx, ny*nprocs) (C/HDF5: [ny*nprocs][nx]).
  call h5par_dataset_create_f(file, 'a', H5PAR_FLOAT64, &
       [int(nx, h5par_size_t), int(ny * nprocs, h5par_size_t)], dset, status)
  call h5par_dataset_write_f(dset, [0_h5par_size_t, int(rank * ny, h5par_size_t)], a, status)
  call h5par_dataset_read_f(dset, [0_h5par_size_t, int(rank * ny, h5par_size_t)], b, status)
  call h5par_dataset_close_f(dset, status)
  call h5par_file_close_f(file, status)             ! collective
  if (status /= H5PAR_OK .or. any(a /= b)) call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
  print '(a,i0,a)', 'rank ', rank, ': ok'
  call MPI_Finalize(ierr)
end program readme_example
