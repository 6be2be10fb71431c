/* The talk's PyTrilinos (Epetra) example with h5par's C API (h5par.h). Run it on 3 ranks:
 *
 *   mpicc -o pytrilinos examples/pytrilinos.c -Iinclude -Ltarget/release -lh5par
 *   mpirun -n 3 ./pytrilinos
 *
 * A block map of 10 gids and an overlapping map; a vector on the overlapping map filled with
 * rank + 1 and its global maximum; Export to the block map with Average; the tridiagonal
 * matrix (2 on the diagonal, -1 beside it) and b = A u; CG on A y = b. Every step checks its
 * status; the program prints "rank R: ok" at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "h5par.h"

#define CHECK(call)                                                                        \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    if (rc_ != H5PAR_OK) {                                                                 \
      fprintf(stderr, "%s failed: %s\n", #call, h5par_last_error());                       \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                        \
    }                                                                                      \
  } while (0)

/* Prints `v` in gid order on rank 0 (brought there by an Import plan). */
static void show(const char *name, h5par_vector *v, h5par_map *map, int rank) {
  int64_t all[10];
  for (int g = 0; g < 10; g++) all[g] = g;
  h5par_map *on_zero = NULL;
  h5par_plan *plan = NULL;
  h5par_vector *gathered = NULL;
  CHECK(h5par_map_arbitrary(MPI_COMM_WORLD, all, rank == 0 ? 10 : 0, &on_zero));
  CHECK(h5par_plan_create(map, on_zero, 1, &plan));
  CHECK(h5par_vector_create(on_zero, &gathered));
  CHECK(h5par_plan_apply(plan, v, gathered, 0 /* insert */, 0));
  double *d;
  int64_t n;
  CHECK(h5par_vector_data(gathered, &d, &n));
  if (rank == 0) {
    printf("%s = [", name);
    for (int64_t i = 0; i < n; i++) printf("%s%g", i ? ", " : "", d[i]);
    printf("]\n");
  }
  CHECK(h5par_vector_free(gathered));
  CHECK(h5par_plan_free(plan));
  CHECK(h5par_map_free(on_zero));
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);

  h5par_map *unique = NULL, *overlapping = NULL;
  CHECK(h5par_map_block(MPI_COMM_WORLD, 10, &unique));
  static const int64_t gids[3][6] = {{0, 1, 2, 3, 4, 8}, {3, 4, 5, 6}, {6, 7, 8, 9}};
  static const int64_t counts[3] = {6, 4, 4};
  CHECK(h5par_map_arbitrary(MPI_COMM_WORLD, rank < 3 ? gids[rank] : NULL,
                            rank < 3 ? counts[rank] : 0, &overlapping));

  h5par_vector *x = NULL, *u = NULL;
  CHECK(h5par_vector_create(overlapping, &x));
  CHECK(h5par_vector_fill(x, rank + 1.0));
  double max;
  CHECK(h5par_vector_reduce(x, H5PAR_MAX, &max, NULL));
  printf("rank %d: MaxValue = %g\n", rank, max);

  h5par_plan *exporter = NULL;
  CHECK(h5par_plan_create(overlapping, unique, 0, &exporter));
  CHECK(h5par_vector_create(unique, &u));
  CHECK(h5par_plan_apply(exporter, x, u, 2 /* average */, 0));
  show("u", u, unique, rank);

  h5par_matrix *a = NULL;
  CHECK(h5par_matrix_create(unique, &a));
  int64_t mine[10], n;
  CHECK(h5par_map_gids(unique, mine, 10, &n));
  for (int64_t i = 0; i < n; i++) {
    int64_t g = mine[i], cols[3];
    double vals[3];
    int64_t k = 0;
    if (g > 0) { cols[k] = g - 1; vals[k++] = -1.0; }
    cols[k] = g; vals[k++] = 2.0;
    if (g < 9) { cols[k] = g + 1; vals[k++] = -1.0; }
    CHECK(h5par_matrix_insert(a, g, cols, vals, k));
  }
  CHECK(h5par_matrix_fill_complete(a));

  h5par_vector *b = NULL, *y = NULL;
  CHECK(h5par_vector_create(unique, &b));
  CHECK(h5par_matrix_apply(a, u, b));
  show("b", b, unique, rank);

  CHECK(h5par_vector_create(unique, &y));
  int64_t iterations;
  double residual;
  int converged;
  CHECK(h5par_cg(a, b, y, 10, 1e-9, 0, &iterations, &residual, &converged));
  CHECK(h5par_vector_axpby(y, -1.0, u, 1.0)); /* y - u */
  double err;
  CHECK(h5par_vector_reduce(y, H5PAR_NORMINF, &err, NULL));
  if (rank == 0) {
    printf("CG %s after %lld iterations, relative residual %.3e\n",
           converged ? "converged" : "did not converge", (long long)iterations, residual);
    printf("max |y - u| = %.1e\n", err);
  }

  h5par_vector_free(y);
  h5par_vector_free(b);
  h5par_matrix_free(a);
  h5par_plan_free(exporter);
  h5par_vector_free(u);
  h5par_vector_free(x);
  h5par_map_free(overlapping);
  h5par_map_free(unique);
  printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return converged && err < 1e-12 ? 0 : 1;
}
