/* mpicc farm_example.c $(pkg-config --cflags --libs h5par) -lm && mpirun -n 4 ./a.out */
#include <h5par.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CHECK(call) do { int s_ = (call); if (s_ != H5PAR_OK) { \
    fprintf(stderr, "%s: %s\n", h5par_status_string(s_), h5par_last_error()); \
    MPI_Abort(MPI_COMM_WORLD, 1); } } while (0)

enum { N = 1000 };

/* Task i: any serial work; 0 = done, non-zero = failed (retried on another rank). */
static int task(uint64_t i, void *user_data, h5par_farm_task *ctx) {
  (void)user_data;
  if (i == 13) {
    h5par_farm_task_message(ctx, "task 13 refuses");
    return 1;
  }
  double x = sqrt((double)i);
  return h5par_farm_task_result(ctx, &x, sizeof x);
}

/* Rank 0, as tasks finish (any order): non-zero would stop the farm on every rank. */
static int result(uint64_t i, int ok, const void *data, size_t len, int replayed, void *user) {
  (void)replayed;
  if (ok && len == sizeof(double)) memcpy(&((double *)user)[i], data, len);
  return 0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  static double values[N];
  h5par_farm_options o;
  h5par_farm_options_init(&o);
  o.retries = 2;
  o.progress = 3; /* none; 0 (default) = a bar on a terminal, lines otherwise */
  h5par_farm_summary s;
  CHECK(h5par_farm_run(MPI_COMM_WORLD, N, task, NULL, &o, result, values, &s));
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    printf("%.0f done, %.0f failed; sqrt(16) = %g\n", (double)s.done, (double)s.failed, values[16]);
    fputs(h5par_farm_summary_text(), stdout); /* names every failed task and its message */
  }
  MPI_Finalize();
  return s.done == N - 1 && s.failed == 1 ? 0 : 1;
}
