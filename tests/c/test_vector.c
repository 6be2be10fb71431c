/* The C API of distributed vectors under mpirun: maps, vector views, plans, the matrix, CG,
 * vector I/O, and failures that must be errors on every rank. Prints "rank R: ok". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "h5par.h"

#include "check.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *dir = argc > 1 ? argv[1] : ".";
  char path[4096];
  snprintf(path, sizeof path, "%s/cvec.h5", dir);

  /* A permuted map: rank r holds gids g with g % size == r, backwards. */
  const int64_t n = 23;
  int64_t mine[23], k = 0;
  for (int64_t g = n - 1; g >= 0; g--)
    if (g % size == rank) mine[k++] = g;
  h5par_map *perm = NULL, *block = NULL;
  CHECK(h5par_map_arbitrary(MPI_COMM_WORLD, mine, k, &perm));
  CHECK(h5par_map_block(MPI_COMM_WORLD, n, &block));
  int64_t local, global, distinct;
  int one;
  CHECK(h5par_map_info(perm, &local, &global, &distinct, &one));
  EXPECT(local == k && global == n && distinct == n && one == 1);

  /* The data pointer is the vector itself. */
  h5par_vector *v = NULL, *w = NULL;
  CHECK(h5par_vector_create(perm, &v));
  double *d;
  int64_t len;
  CHECK(h5par_vector_data(v, &d, &len));
  EXPECT(len == k);
  for (int64_t i = 0; i < len; i++) d[i] = (double)mine[i];
  double sum, max;
  int64_t at;
  CHECK(h5par_vector_reduce(v, H5PAR_SUM, &sum, NULL));
  EXPECT(sum == n * (n - 1) / 2.0);
  CHECK(h5par_vector_reduce(v, H5PAR_MAX, &max, &at));
  EXPECT(max == n - 1 && at == n - 1);
  double dot;
  CHECK(h5par_vector_dot(v, v, &dot));
  EXPECT(fabs(dot - (n - 1) * n * (2 * n - 1) / 6.0) < 1e-9);

  /* Export to the block map, then write and read back in another map. */
  h5par_plan *plan = NULL;
  CHECK(h5par_plan_create(perm, block, 0, &plan));
  CHECK(h5par_vector_create(block, &w));
  CHECK(h5par_plan_apply(plan, v, w, 1 /* add */, 0));
  CHECK(h5par_vector_data(w, &d, &len));
  int64_t bg[23], bn;
  CHECK(h5par_map_gids(block, bg, 23, &bn));
  for (int64_t i = 0; i < len; i++) EXPECT(d[i] == (double)bg[i]);
  h5par_file *f = NULL;
  CHECK(h5par_file_create(MPI_COMM_WORLD, path, NULL, &f));
  CHECK(h5par_vector_write(f, "v", v));
  CHECK(h5par_file_close(f));
  CHECK(h5par_file_open(MPI_COMM_WORLD, path, H5PAR_READONLY, NULL, &f));
  h5par_vector *r = NULL;
  CHECK(h5par_vector_read(f, "v", block, &r));
  CHECK(h5par_vector_data(r, &d, &len));
  for (int64_t i = 0; i < len; i++) EXPECT(d[i] == (double)bg[i]);
  /* Errors on every rank: a missing dataset, a bad combine mode on one rank. */
  h5par_vector *none = NULL;
  FAILS(h5par_vector_read(f, "missing", block, &none));
  EXPECT(none == NULL);
  CHECK(h5par_file_close(f));

  /* Timestepping (PETSc's [T, N] layout): steps 0..2 of the permuted vector, value gid + 100 t,
   * read back step by step into one vector on the block map, and the plain dataset too. */
  char tpath[4096];
  snprintf(tpath, sizeof tpath, "%s/cvec_steps.h5", dir);
  CHECK(h5par_file_create(MPI_COMM_WORLD, tpath, NULL, &f));
  CHECK(h5par_vector_data(v, &d, &len));
  for (int64_t t = 0; t < 3; t++) {
    for (int64_t i = 0; i < len; i++) d[i] = (double)mine[i] + 100.0 * (double)t;
    CHECK(h5par_vector_write_step(f, "ts", v, t));
  }
  for (int64_t i = 0; i < len; i++) d[i] = (double)mine[i];
  CHECK(h5par_vector_write(f, "plain", v));
  /* A negative step on one rank only: an error on every rank, nothing written. */
  FAILS(h5par_vector_write_step(f, "ts", v, rank == size - 1 ? -1 : 3));
  CHECK(h5par_file_close(f));
  CHECK(h5par_file_open(MPI_COMM_WORLD, tpath, H5PAR_READONLY, NULL, &f));
  h5par_vector *s = NULL;
  CHECK(h5par_vector_create(block, &s));
  double *sd;
  int64_t slen;
  CHECK(h5par_vector_data(s, &sd, &slen));
  for (int64_t t = 2; t >= 0; t--) {
    CHECK(h5par_vector_read_into(f, "ts", s, t));
    for (int64_t i = 0; i < slen; i++) EXPECT(sd[i] == (double)bg[i] + 100.0 * (double)t);
  }
  CHECK(h5par_vector_read_into(f, "plain", s, -1));
  for (int64_t i = 0; i < slen; i++) EXPECT(sd[i] == (double)bg[i]);
  /* Step 3 was never written (the failed call wrote nothing); -5 is no step; a plain
   * dataset has no steps. */
  FAILS(h5par_vector_read_into(f, "ts", s, 3));
  FAILS(h5par_vector_read_into(f, "ts", s, -5));
  FAILS(h5par_vector_read_into(f, "plain", s, 0));
  /* Into the permuted vector itself. */
  CHECK(h5par_vector_read_into(f, "ts", v, 1));
  for (int64_t i = 0; i < len; i++) EXPECT(d[i] == (double)mine[i] + 100.0);
  CHECK(h5par_vector_read_into(f, "plain", v, -1));
  CHECK(h5par_file_close(f));
  h5par_vector_free(s);
  FAILS(h5par_plan_apply(plan, v, w, rank == size - 1 ? 9 : 1, 0));
  /* Vectors on different maps. */
  EXPECT(h5par_vector_axpby(w, 1.0, v, 1.0) == H5PAR_ERR_INVALID);
  FAILS(h5par_vector_dot(v, w, &dot));
  /* A bad gid on one rank. */
  int64_t bad[1] = {rank == 0 ? -3 : 1};
  h5par_map *m = NULL;
  FAILS(h5par_map_arbitrary(MPI_COMM_WORLD, bad, 1, &m));
  EXPECT(m == NULL);
  /* Handles: NULL, freed, foreign. */
  EXPECT(h5par_vector_fill(NULL, 1.0) == H5PAR_ERR_HANDLE);
  h5par_vector *stale = r;
  CHECK(h5par_vector_free(r));
  EXPECT(h5par_vector_fill(stale, 1.0) == H5PAR_ERR_HANDLE);
  EXPECT(h5par_vector_fill((h5par_vector *)perm, 1.0) == H5PAR_ERR_HANDLE);
  EXPECT(strstr(h5par_last_error(), "map") != NULL);

  /* A matrix with off-rank inserts: every rank adds 1 to the diagonal of every row. */
  h5par_matrix *a = NULL;
  CHECK(h5par_matrix_create(block, &a));
  for (int64_t g = 0; g < n; g++) {
    double one_v = 1.0;
    CHECK(h5par_matrix_insert(a, g, &g, &one_v, 1));
  }
  CHECK(h5par_matrix_fill_complete(a));
  h5par_vector *x = NULL, *b = NULL;
  CHECK(h5par_vector_create(block, &x));
  CHECK(h5par_vector_create(block, &b));
  CHECK(h5par_vector_fill(b, 2.0 * size));
  int64_t it;
  double res;
  int conv;
  CHECK(h5par_cg(a, b, x, 10, 1e-12, 1, &it, &res, &conv));
  EXPECT(conv == 1 && it <= 1);
  CHECK(h5par_vector_data(x, &d, &len));
  for (int64_t i = 0; i < len; i++) EXPECT(fabs(d[i] - 2.0) < 1e-12);

  h5par_vector_free(x);
  h5par_vector_free(b);
  h5par_matrix_free(a);
  h5par_plan_free(plan);
  h5par_vector_free(v);
  h5par_vector_free(w);
  h5par_map_free(perm);
  h5par_map_free(block);
  printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return 0;
}
