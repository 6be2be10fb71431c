/* h5par_cg_operator under mpirun: a matrix-free operator (a shifted 1-D Laplacian applied
 * through an Import of each rank's neighbours, inside the callback) solved by the same CG as
 * h5par_cg on the same matrix; Jacobi with the operator's diagonal; a callback failing on
 * rank 0 only, and a NULL callback, must be errors on every rank. Prints "rank R: ok". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "h5par.h"

#include "check.h"

enum { N = 31 };
static const double SHIFT = 0.25;

/* The operator's context: the unique map's gids, the halo map and its Import plan. */
struct laplacian {
  int64_t mine[N], nmine;
  int64_t halo[N + 2], nhalo;
  h5par_map *halo_map;
  h5par_plan *import;
  int calls, fail_at;
};

static double at(const struct laplacian *op, const double *h, int64_t g) {
  for (int64_t i = 0; i < op->nhalo; i++)
    if (op->halo[i] == g) return h[i];
  return 0.0; /* outside 0..N-1 */
}

static int apply(void *ctx, const h5par_vector *x, h5par_vector *y) {
  struct laplacian *op = ctx;
  h5par_vector *h = NULL;
  double *hd, *yd;
  int64_t hn, yn;
  op->calls++;
  if (h5par_vector_create(op->halo_map, &h) != H5PAR_OK) return 1;
  int rc = h5par_plan_apply(op->import, x, h, 0 /* insert */, 0);
  if (rc != H5PAR_OK) {
    h5par_vector_free(h);
    return rc;
  }
  h5par_vector_data(h, &hd, &hn);
  h5par_vector_data(y, &yd, &yn);
  for (int64_t l = 0; l < yn; l++) {
    int64_t g = op->mine[l];
    yd[l] = (2.0 + SHIFT) * at(op, hd, g) - at(op, hd, g - 1) - at(op, hd, g + 1);
  }
  h5par_vector_free(h);
  /* A local failure after the collective part, on rank 0 only. */
  return (rank == 0 && op->calls == op->fail_at) ? 7 : 0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  h5par_map *unique = NULL;
  CHECK(h5par_map_block(MPI_COMM_WORLD, N, &unique));
  struct laplacian op = {.calls = 0, .fail_at = -1};
  CHECK(h5par_map_gids(unique, op.mine, N, &op.nmine));
  op.nhalo = 0;
  for (int64_t i = 0; i < op.nmine; i++) op.halo[op.nhalo++] = op.mine[i];
  if (op.nmine > 0) {
    if (op.mine[0] > 0) op.halo[op.nhalo++] = op.mine[0] - 1;
    if (op.mine[op.nmine - 1] < N - 1) op.halo[op.nhalo++] = op.mine[op.nmine - 1] + 1;
  }
  CHECK(h5par_map_arbitrary(MPI_COMM_WORLD, op.halo, op.nhalo, &op.halo_map));
  CHECK(h5par_plan_create(unique, op.halo_map, 1 /* import */, &op.import));

  /* The same operator as a matrix. */
  h5par_matrix *a = NULL;
  CHECK(h5par_matrix_create(unique, &a));
  for (int64_t i = 0; i < op.nmine; i++) {
    int64_t g = op.mine[i], cols[3];
    double vals[3];
    int64_t k = 0;
    for (int64_t c = g - 1; c <= g + 1; c++) {
      if (c < 0 || c >= N) continue;
      cols[k] = c;
      vals[k++] = c == g ? 2.0 + SHIFT : -1.0;
    }
    CHECK(h5par_matrix_insert(a, g, cols, vals, k));
  }
  CHECK(h5par_matrix_fill_complete(a));

  h5par_vector *b = NULL, *xa = NULL, *xo = NULL, *diag = NULL;
  CHECK(h5par_vector_create(unique, &b));
  CHECK(h5par_vector_create(unique, &xa));
  CHECK(h5par_vector_create(unique, &xo));
  CHECK(h5par_vector_create(unique, &diag));
  CHECK(h5par_vector_fill(diag, 2.0 + SHIFT));
  double *bd, *ad, *od;
  int64_t n;
  CHECK(h5par_vector_data(b, &bd, &n));
  for (int64_t l = 0; l < n; l++) bd[l] = sin(0.3 * (double)op.mine[l]) + 0.1 * op.mine[l];

  int64_t ita, ito;
  double resa, reso;
  int conva, convo;
  CHECK(h5par_cg(a, b, xa, 100, 1e-12, 0, &ita, &resa, &conva));
  CHECK(h5par_cg_operator(apply, &op, NULL, b, xo, 100, 1e-12, 0, &ito, &reso, &convo));
  EXPECT(conva == 1 && convo == 1 && ita == ito && reso <= 1e-12);
  EXPECT(op.calls == ito + 1);
  CHECK(h5par_vector_data(xa, &ad, &n));
  CHECK(h5par_vector_data(xo, &od, &n));
  for (int64_t l = 0; l < n; l++) EXPECT(fabs(ad[l] - od[l]) < 1e-10);

  /* Jacobi: without the diagonal an error on every rank; with it, the same solution. */
  EXPECT(h5par_cg_operator(apply, &op, NULL, b, xo, 100, 1e-12, 1, NULL, NULL, NULL) != H5PAR_OK);
  EXPECT(strstr(h5par_last_error(), "diagonal") != NULL);
  CHECK(h5par_vector_fill(xo, 0.0));
  CHECK(h5par_cg_operator(apply, &op, diag, b, xo, 100, 1e-12, 1, NULL, NULL, &convo));
  EXPECT(convo == 1);
  for (int64_t l = 0; l < n; l++) EXPECT(fabs(ad[l] - od[l]) < 1e-10);

  /* A NULL callback; a callback failing on rank 0 only at its 3rd call: errors everywhere, and
   * x is left as it was. */
  EXPECT(h5par_cg_operator(NULL, &op, NULL, b, xo, 100, 1e-12, 0, NULL, NULL, NULL) != H5PAR_OK);
  EXPECT(strstr(h5par_last_error(), "apply is NULL") != NULL);
  CHECK(h5par_vector_fill(xo, 0.0));
  op.calls = 0;
  op.fail_at = 3;
  EXPECT(h5par_cg_operator(apply, &op, NULL, b, xo, 100, 1e-12, 0, NULL, NULL, NULL) != H5PAR_OK);
  EXPECT(strstr(h5par_last_error(), "returned 7") != NULL);
  for (int64_t l = 0; l < n; l++) EXPECT(od[l] == 0.0);
  /* Still usable afterwards. */
  double dot;
  CHECK(h5par_vector_dot(b, b, &dot));
  EXPECT(dot > 0.0);

  h5par_vector_free(b);
  h5par_vector_free(xa);
  h5par_vector_free(xo);
  h5par_vector_free(diag);
  h5par_matrix_free(a);
  h5par_plan_free(op.import);
  h5par_map_free(op.halo_map);
  h5par_map_free(unique);
  printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return 0;
}
