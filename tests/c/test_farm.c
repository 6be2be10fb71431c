/* The task farm's C API on 1 to N ranks: h5par_farm_run with results to rank 0 and rows into
 * one HDF5 file, failures and retries, the journal, and each argument error.
 *
 * Usage: mpirun -n N test_farm DIR    (DIR: an empty directory shared by the ranks)
 * Prints "rank R: ok" on each rank when every check passed. Run by ffi/tests/c_abi.rs. */

#include <h5par.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank, size, failures;

#define EXPECT(cond)                                                                    \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "rank %d: line %d: expected %s\n  last error: %s\n", rank, __LINE__, \
              #cond, h5par_last_error());                                               \
      failures++;                                                                       \
    }                                                                                   \
  } while (0)
#define OK(call) EXPECT((call) == H5PAR_OK)

enum { N = 200 };
static h5par_dataset *rows;
static int seen[N];

/* Task i: writes row i = {i, 2i} of /rows independently and returns i*i; every task
 * i % 10 == 3 fails with a message (and fails again on its retry). */
static int task(uint64_t i, void *user, h5par_farm_task *ctx) {
  int *calls = user;
  (*calls)++;
  if (i % 10 == 3) {
    char msg[64];
    snprintf(msg, sizeof msg, "task %d: bad input", (int)i);
    h5par_farm_task_message(ctx, msg);
    return 1;
  }
  double row[2] = {(double)i, 2.0 * i};
  uint64_t off[2] = {i, 0}, cnt[2] = {1, 2};
  int s = h5par_dataset_write(rows, H5PAR_INDEPENDENT, off, cnt, H5PAR_FLOAT64, row);
  if (s != H5PAR_OK) {
    h5par_farm_task_message(ctx, h5par_last_error());
    return s;
  }
  uint64_t sq = i * i;
  return h5par_farm_task_result(ctx, &sq, sizeof sq);
}

static int has_bad_input(const void *data, size_t len) {
  const char *p = data;
  for (size_t k = 0; k + 9 <= len; k++)
    if (memcmp(p + k, "bad input", 9) == 0) return 1;
  return 0;
}

static int result(uint64_t i, int ok, const void *data, size_t len, int replayed, void *user) {
  (void)user;
  (void)replayed;
  if (i >= N) return 1;
  seen[i]++;
  if (ok) {
    uint64_t v;
    if (len != sizeof v) return 2;
    memcpy(&v, data, sizeof v);
    if (v != i * i) return 3;
  } else if (i % 10 != 3 || len == 0 || !has_bad_input(data, len)) {
    return 4;
  }
  return 0;
}

static int stop_at_5(uint64_t i, int ok, const void *d, size_t l, int r, void *u) {
  (void)ok, (void)d, (void)l, (void)r, (void)u;
  return i == 5 ? 42 : 0;
}

static int empty(uint64_t i, void *user, h5par_farm_task *ctx) {
  (void)i, (void)user, (void)ctx;
  return 0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *dir = argc > 1 ? argv[1] : ".";
  char path[4096], journal[4096];
  snprintf(path, sizeof path, "%s/farm.h5", dir);
  snprintf(journal, sizeof journal, "%s/farm.journal", dir);

  /* The datasets exist before the farm: create, close, reopen read-write. */
  h5par_file *f;
  uint64_t dims[2] = {N, 2};
  OK(h5par_file_create(MPI_COMM_WORLD, path, NULL, &f));
  OK(h5par_dataset_create(f, "rows", H5PAR_FLOAT64, 2, dims, NULL, 0, &rows));
  OK(h5par_dataset_close(rows));
  OK(h5par_file_close(f));
  OK(h5par_file_open(MPI_COMM_WORLD, path, H5PAR_READWRITE, NULL, &f));
  OK(h5par_dataset_open(f, "rows", &rows));

  h5par_farm_options o;
  h5par_farm_options_init(&o);
  o.retries = 1;
  o.progress = 3;
  o.journal = journal;
  o.identity = "list one";
  o.identity_len = 8;
  h5par_farm_summary s;
  int calls = 0;
  OK(h5par_farm_run(MPI_COMM_WORLD, N, task, &calls, &o, result, NULL, &s));
  EXPECT(s.tasks == N && s.failed == N / 10 && s.done == N - N / 10 && s.retried == N / 10);
  EXPECT(s.ranks == (uint32_t)size && s.efficiency >= 0.0 && s.efficiency <= 1.0);
  EXPECT(strstr(h5par_farm_summary_text(), "failed: task 3 after 2 attempt(s): task 3: bad input"));
  int all_calls = 0;
  MPI_Allreduce(&calls, &all_calls, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  EXPECT(all_calls == N + N / 10); /* each task once, each failing one twice */
  if (rank == 0)
    for (int i = 0; i < N; i++) EXPECT(seen[i] == 1);

  /* Every row is in the file. */
  static double back[N][2];
  uint64_t off[2] = {0, 0};
  OK(h5par_dataset_read(rows, H5PAR_COLLECTIVE, off, dims, H5PAR_FLOAT64, back));
  for (int i = 0; i < N; i++)
    if (i % 10 != 3) EXPECT(back[i][0] == i && back[i][1] == 2.0 * i);
  OK(h5par_dataset_close(rows));
  OK(h5par_file_close(f));

  /* The same journal: everything is skipped (and replayed to the result callback). */
  memset(seen, 0, sizeof seen);
  calls = 0;
  OK(h5par_farm_run(MPI_COMM_WORLD, N, task, &calls, &o, result, NULL, &s));
  EXPECT(s.skipped == N && s.done == 0 && calls == 0);
  if (rank == 0)
    for (int i = 0; i < N; i++) EXPECT(seen[i] == 1);

  /* Another task list's journal is refused on every rank. */
  o.identity = "list two";
  int st = h5par_farm_run(MPI_COMM_WORLD, N, task, &calls, &o, result, NULL, &s);
  EXPECT(st == (rank == 0 ? H5PAR_ERR_INVALID : H5PAR_ERR_REMOTE));
  EXPECT(strstr(h5par_last_error(), "another task list"));

  /* No tasks, NULL options and callbacks. */
  OK(h5par_farm_run(MPI_COMM_WORLD, 0, empty, NULL, NULL, NULL, NULL, &s));
  EXPECT(s.tasks == 0 && s.done == 0);
  OK(h5par_farm_run(MPI_COMM_WORLD, 1000, empty, NULL, NULL, NULL, NULL, NULL));

  /* Argument errors are statuses on every rank. */
  h5par_farm_options_init(&o);
  o.progress = 3;
  st = h5par_farm_run(MPI_COMM_WORLD, 10, rank == size - 1 ? NULL : empty, NULL, &o, NULL, NULL, &s);
  EXPECT(st == (size == 1 || rank == size - 1 ? H5PAR_ERR_INVALID : H5PAR_ERR_REMOTE));
  EXPECT(strstr(h5par_last_error(), "task_fn is NULL"));
  o.progress = 7;
  st = h5par_farm_run(MPI_COMM_WORLD, 10, empty, NULL, &o, NULL, NULL, &s);
  EXPECT(st != H5PAR_OK);
  o.progress = 3;
  st = h5par_farm_run(MPI_COMM_WORLD, 100, empty, NULL, &o, stop_at_5, NULL, &s);
  EXPECT(st != H5PAR_OK && strstr(h5par_last_error(), "returned 42"));
  st = h5par_farm_run(MPI_COMM_WORLD, rank == 0 ? 10 : 11, empty, NULL, &o, NULL, NULL, &s);
  EXPECT(size == 1 ? st == H5PAR_OK : st == H5PAR_ERR_MISMATCH);
  /* The task context is only valid inside a task callback. */
  EXPECT(h5par_farm_task_result(NULL, "x", 1) == H5PAR_ERR_HANDLE);
  EXPECT(h5par_farm_task_message((h5par_farm_task *)&o, "x") == H5PAR_ERR_HANDLE);
  h5par_farm_options_init(NULL);

  if (failures == 0) printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return failures != 0;
}
