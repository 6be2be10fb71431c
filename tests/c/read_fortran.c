/* Reads what tests/fortran/test_fortran.f90 wrote, from C: the Fortran array g(nx, ny*nprocs)
 * must be the C dataset [ny*nprocs][nx], with g(i, j) at [j-1][i-1] (the documented mapping).
 *
 * Usage: mpirun -n N read_fortran DIR
 * Prints "rank R: ok" on each rank when every check passed. Run by ffi/tests/c_abi.rs. */

#include <h5par.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int rank, failures = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc < 2) MPI_Abort(MPI_COMM_WORLD, 2);
  char path[4096];
  snprintf(path, sizeof path, "%s/fortran.h5", argv[1]);
  const uint64_t nx = 5, ny = 3;

#define EXPECT(cond)                                                                          \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      fprintf(stderr, "rank %d: line %d: expected %s (%s)\n", rank, __LINE__, #cond,         \
              h5par_last_error());                                                            \
      failures++;                                                                             \
    }                                                                                         \
  } while (0)

  h5par_file *f = NULL;
  h5par_dataset *d = NULL;
  EXPECT(h5par_file_open(MPI_COMM_WORLD, path, H5PAR_READONLY, NULL, &f) == H5PAR_OK);
  int32_t writers = 0;
  uint64_t n = 0;
  EXPECT(h5par_attr_read(f, "/", "nprocs", H5PAR_INT32, 1, &writers, &n) == H5PAR_OK);
  EXPECT(n == 1 && writers >= 1);
  char layout[16];
  EXPECT(h5par_attr_read_string(f, "grid/a", "layout", layout, sizeof layout, NULL) == H5PAR_OK);
  EXPECT(strcmp(layout, "fortran") == 0);
  EXPECT(h5par_dataset_open(f, "grid/a", &d) == H5PAR_OK);
  int dtype = -1, ndims = -1;
  uint64_t dims[32];
  EXPECT(h5par_dataset_info(d, &dtype, &ndims, dims) == H5PAR_OK);
  EXPECT(dtype == H5PAR_FLOAT64 && ndims == 2);
  EXPECT(dims[0] == ny * (uint64_t)writers && dims[1] == nx);
  if (failures == 0) {
    double *g = calloc(dims[0] * dims[1], sizeof *g);
    uint64_t zero[2] = {0, 0};
    EXPECT(h5par_dataset_read(d, H5PAR_COLLECTIVE, zero, dims, H5PAR_FLOAT64, g) == H5PAR_OK);
    for (uint64_t j = 1; j <= dims[0]; j++)   /* Fortran column j */
      for (uint64_t i = 1; i <= dims[1]; i++) /* Fortran row i */
        EXPECT(g[(j - 1) * nx + (i - 1)] == (double)(1000 * j + i));
    free(g);
    /* The extendible Fortran dataset ext(4, nprocs+1) is [nprocs+1][4] in C. */
    h5par_dataset *e = NULL;
    EXPECT(h5par_dataset_open(f, "ext", &e) == H5PAR_OK);
    EXPECT(h5par_dataset_info(e, &dtype, &ndims, dims) == H5PAR_OK);
    EXPECT(dtype == H5PAR_INT32 && ndims == 2 && dims[0] == (uint64_t)writers + 1 && dims[1] == 4);
    int32_t row[4];
    uint64_t off[2] = {0, 0}, cnt[2] = {1, 4};
    EXPECT(h5par_dataset_read(e, H5PAR_COLLECTIVE, off, cnt, H5PAR_INT32, row) == H5PAR_OK);
    EXPECT(row[0] == 1 && row[3] == 4); /* rank 0 wrote ext(i, 1) = i */
    EXPECT(h5par_dataset_close(e) == H5PAR_OK);
  }
  EXPECT(h5par_dataset_close(d) == H5PAR_OK);
  EXPECT(h5par_file_close(f) == H5PAR_OK);
  if (failures == 0) printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
