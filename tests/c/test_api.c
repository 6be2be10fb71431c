/* The C API of h5par on 1 to N ranks: every function of h5par.h, its success and its failures.
 *
 * Usage: mpirun -n N test_api DIR    (DIR: an empty directory shared by the ranks)
 * Prints "rank R: ok" on each rank when every check passed; otherwise the failed checks and
 * exit status 1. Run by ffi/tests/c_abi.rs. */

#include <h5par.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int rank, size, failures;
static const char *dir;

static void check_(int got, int expect, const char *call, int line) {
  if (got != expect) {
    fprintf(stderr, "rank %d: line %d: %s\n  returned %s, expected %s\n  last error: %s\n", rank,
            line, call, h5par_status_string(got), h5par_status_string(expect), h5par_last_error());
    failures++;
  }
}
#define CHECK(call, expect) check_((call), (expect), #call, __LINE__)
#define OK(call) CHECK(call, H5PAR_OK)
#define EXPECT(cond)                                                                    \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      fprintf(stderr, "rank %d: line %d: expected %s\n  last error: %s\n", rank, __LINE__, \
              #cond, h5par_last_error());                                               \
      failures++;                                                                       \
    }                                                                                   \
  } while (0)
#define ERROR_SAYS(text) EXPECT(strstr(h5par_last_error(), (text)) != NULL)

/* The status of a collective call in which only rank `who` passed something wrong. */
static int only(int who, int status) { return (size == 1 || rank == who) ? status : H5PAR_ERR_REMOTE; }
static int last(void) { return size - 1; }

static const char *path_of(const char *name) {
  static char buf[8][4096];
  static int i;
  i = (i + 1) % 8;
  snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
  return buf[i];
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void strings(void) {
  EXPECT(strcmp(h5par_last_error(), "") == 0);
  const char *v = h5par_version();
  EXPECT(v != NULL && strchr(v, '.') != NULL);
  EXPECT(strncmp(h5par_status_string(H5PAR_OK), "H5PAR_OK", 8) == 0);
  EXPECT(strncmp(h5par_status_string(H5PAR_ERR_SHAPE), "H5PAR_ERR_SHAPE: ", 17) == 0);
  EXPECT(strncmp(h5par_status_string(H5PAR_ERR_INTERNAL), "H5PAR_ERR_INTERNAL", 18) == 0);
  for (int s = 1; s <= 12; s++) EXPECT(strncmp(h5par_status_string(s), "H5PAR_ERR_", 10) == 0);
  EXPECT(strncmp(h5par_status_string(99), "H5PAR_UNKNOWN", 13) == 0);
  EXPECT(strncmp(h5par_status_string(-1), "H5PAR_UNKNOWN", 13) == 0);
  EXPECT(H5PAR_ERR_INTERNAL == 12 && H5PAR_ERR_REMOTE == 8 && H5PAR_FLOAT64 == 9);
  EXPECT(H5PAR_READONLY == 0 && H5PAR_READWRITE == 1);
  EXPECT(H5PAR_COLLECTIVE == 0 && H5PAR_INDEPENDENT == 1);
}

static void options(void) {
  h5par_options o;
  memset(&o, 0x5a, sizeof o);
  h5par_options_init(&o);
  EXPECT(o.stripe_count == 0 && o.stripe_size == 0 && o.cb_nodes == 0);
  EXPECT(o.tuning == 1 && o.atomic_create == 1);
  EXPECT(o.hints == NULL && o.report_path == NULL);
  h5par_options_init(NULL); /* no crash */
  ERROR_SAYS("opts is NULL");
}

/* File creation and opening: success and every failure. */
static void files(void) {
  h5par_file *f = NULL;
  h5par_options o;

  /* Defaults: atomic, visible only after close. */
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("atomic.h5"), NULL, &f));
  EXPECT(f != NULL);
  EXPECT(!exists(path_of("atomic.h5")));
  OK(h5par_file_close(f));
  EXPECT(exists(path_of("atomic.h5")));
  CHECK(h5par_file_close(f), H5PAR_ERR_HANDLE); /* double close */
  ERROR_SAYS("h5par_file_close");

  /* In place, plain HDF5, extra hints, explicit sizes. */
  h5par_options_init(&o);
  o.atomic_create = 0;
  o.tuning = 0;
  o.hints = "romio_cb_write=enable, romio_no_indep_rw=false";
  o.cb_nodes = 1;
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("inplace.h5"), &o, &f));
  EXPECT(exists(path_of("inplace.h5")));
  OK(h5par_file_close(f));
  /* The report written at close, by rank 0. */
  h5par_options_init(&o);
  o.report_path = path_of("report.json");
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("reported.h5"), &o, &f));
  OK(h5par_file_close(f));
  EXPECT(exists(path_of("report.json")));
  h5par_options_init(&o);
  o.stripe_count = 2;
  o.stripe_size = 1 << 20;
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("striped.h5"), &o, &f));
  OK(h5par_file_close(f));

  /* The caller's communicator is duplicated, never freed. */
  MPI_Comm mine;
  MPI_Comm_dup(MPI_COMM_WORLD, &mine);
  OK(h5par_file_create(mine, path_of("mine.h5"), NULL, &f));
  OK(h5par_file_close(f));
  EXPECT(MPI_Barrier(mine) == MPI_SUCCESS);
  MPI_Comm_free(&mine);

  /* Sub-communicators: each half writes its own file. */
  MPI_Comm half;
  MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
  int hrank, hsize;
  MPI_Comm_rank(half, &hrank);
  MPI_Comm_size(half, &hsize);
  OK(h5par_file_create(half, path_of(rank % 2 ? "odd.h5" : "even.h5"), NULL, &f));
  h5par_dataset *d = NULL;
  uint64_t n = (uint64_t)hsize, off = (uint64_t)hrank, one = 1;
  int32_t v = rank;
  OK(h5par_dataset_create(f, "ranks", H5PAR_INT32, 1, &n, NULL, 0, &d));
  OK(h5par_dataset_write(d, H5PAR_COLLECTIVE, &off, &one, H5PAR_INT32, &v));
  OK(h5par_dataset_close(d));
  OK(h5par_file_close(f));
  MPI_Comm_free(&half);

  /* Failures, on every rank. */
  f = (h5par_file *)&o;
  CHECK(h5par_file_create(MPI_COMM_WORLD, NULL, NULL, &f), H5PAR_ERR_INVALID);
  EXPECT(f == NULL);
  ERROR_SAYS("path is NULL");
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("bad\xff\xfe.h5"), NULL, &f), H5PAR_ERR_INVALID);
  ERROR_SAYS("UTF-8");
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("x.h5"), NULL, NULL), H5PAR_ERR_INVALID);
  ERROR_SAYS("out is NULL");
  CHECK(h5par_file_create(MPI_COMM_NULL, path_of("x.h5"), NULL, &f), H5PAR_ERR_INVALID);
  ERROR_SAYS("MPI_COMM_NULL");
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("no/such/dir/x.h5"), NULL, &f),
        H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_file_create(MPI_COMM_WORLD, dir, NULL, &f), H5PAR_ERR_INVALID); /* a directory */
  h5par_options_init(&o);
  o.tuning = 5;
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("x.h5"), &o, &f), H5PAR_ERR_INVALID);
  ERROR_SAYS("tuning");
  h5par_options_init(&o);
  o.hints = "novalue";
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("x.h5"), &o, &f), H5PAR_ERR_INVALID);
  ERROR_SAYS("hints");
  h5par_options_init(&o);
  o.stripe_count = -1;
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("x.h5"), &o, &f), H5PAR_ERR_INVALID);
  h5par_options_init(&o);
  o.report_path = "\xff";
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("x.h5"), &o, &f), H5PAR_ERR_INVALID);

  /* Failures on one rank only: that rank's status there, H5PAR_ERR_REMOTE elsewhere. */
  h5par_options_init(&o);
  o.stripe_size = rank == last() ? -5 : 0;
  CHECK(h5par_file_create(MPI_COMM_WORLD, path_of("x.h5"), &o, &f), only(last(), H5PAR_ERR_INVALID));
  EXPECT(f == NULL);
  if (size > 1 && rank != last()) ERROR_SAYS("failed");
  CHECK(h5par_file_create(MPI_COMM_WORLD, rank == last() ? NULL : path_of("x.h5"), NULL, &f),
        only(last(), H5PAR_ERR_INVALID));
  CHECK(h5par_file_open(MPI_COMM_WORLD, path_of("atomic.h5"), rank == last() ? 7 : H5PAR_READONLY,
                        NULL, &f),
        only(last(), H5PAR_ERR_INVALID));
  if (size > 1) { /* different paths on different ranks */
    CHECK(h5par_file_create(MPI_COMM_WORLD, path_of(rank ? "y.h5" : "x.h5"), NULL, &f),
          H5PAR_ERR_MISMATCH);
  }
  EXPECT(!exists(path_of("x.h5")));

  /* Opening. */
  CHECK(h5par_file_open(MPI_COMM_WORLD, path_of("missing.h5"), H5PAR_READONLY, NULL, &f),
        H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_file_open(MPI_COMM_WORLD, path_of("atomic.h5"), 7, NULL, &f), H5PAR_ERR_INVALID);
  ERROR_SAYS("mode");
  CHECK(h5par_file_open(MPI_COMM_WORLD, NULL, H5PAR_READONLY, NULL, &f), H5PAR_ERR_INVALID);
  CHECK(h5par_file_open(MPI_COMM_WORLD, path_of("atomic.h5"), H5PAR_READONLY, NULL, NULL),
        H5PAR_ERR_INVALID);
  OK(h5par_file_open(MPI_COMM_WORLD, path_of("atomic.h5"), H5PAR_READWRITE, NULL, &f));
  OK(h5par_group_create(f, "added"));
  OK(h5par_file_close(f));
  OK(h5par_file_open(MPI_COMM_WORLD, path_of("atomic.h5"), H5PAR_READONLY, NULL, &f));
  CHECK(h5par_group_create(f, "again"), H5PAR_ERR_INVALID); /* read-only */
  ERROR_SAYS("read-only");
  OK(h5par_file_close(f));
}

/* Datasets: write and read back, info, extend, conversions, zero counts. */
static void datasets(void) {
  h5par_file *f;
  h5par_dataset *x, *y, *s, *d;
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("data.h5"), NULL, &f));
  OK(h5par_group_create(f, "g/h/i"));
  OK(h5par_group_create(f, "g/h/i")); /* idempotent */
  OK(h5par_group_create(f, "/g"));

  /* 1-D float64, contiguous, 4 values per rank. */
  uint64_t n = 4 * (uint64_t)size, off = 4 * (uint64_t)rank, cnt = 4, zero = 0;
  double buf[4], back[4];
  for (int i = 0; i < 4; i++) buf[i] = rank * 10 + i;
  OK(h5par_dataset_create(f, "g/x", H5PAR_FLOAT64, 1, &n, NULL, 0, &x));
  OK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, buf));
  memset(back, 0, sizeof back);
  OK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back));
  for (int i = 0; i < 4; i++) EXPECT(back[i] == buf[i]);
  uint64_t noff = 4 * (uint64_t)((rank + 1) % size);
  OK(h5par_dataset_read(x, H5PAR_INDEPENDENT, &noff, &cnt, H5PAR_FLOAT64, back));
  for (int i = 0; i < 4; i++) EXPECT(back[i] == ((rank + 1) % size) * 10 + i);
  int32_t ib[4];
  OK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_INT32, ib)); /* converted */
  for (int i = 0; i < 4; i++) EXPECT(ib[i] == rank * 10 + i);
  double *all = calloc(n, sizeof *all);
  uint64_t o0 = 0;
  OK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &o0, &n, H5PAR_FLOAT64, all));
  for (uint64_t i = 0; i < n; i++) EXPECT(all[i] == (double)((i / 4) * 10 + i % 4));
  free(all);
  /* Zero counts: a rank with nothing to do still calls, and may pass NULL. */
  OK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &zero, H5PAR_FLOAT64, NULL));
  OK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &off, &zero, H5PAR_FLOAT64, NULL));
  uint64_t mine = rank == 0 ? 4 : 0;
  OK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &o0, &mine, H5PAR_FLOAT64, rank == 0 ? buf : NULL));
  OK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, buf));
  /* Independent: this rank alone. */
  OK(h5par_dataset_write(x, H5PAR_INDEPENDENT, &off, &cnt, H5PAR_FLOAT64, buf));
  /* Written from int32, stored as float64. */
  int32_t iv[4] = {1, 2, 3, 4};
  OK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_INT32, iv));
  OK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back));
  for (int i = 0; i < 4; i++) EXPECT(back[i] == i + 1);
  OK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, buf));
  int dt = -1, nd = -1;
  uint64_t dims[32];
  OK(h5par_dataset_info(x, &dt, &nd, dims));
  EXPECT(dt == H5PAR_FLOAT64 && nd == 1 && dims[0] == n);
  OK(h5par_dataset_info(x, NULL, NULL, NULL));
  /* The _nd variants. */
  OK(h5par_dataset_write_nd(x, H5PAR_COLLECTIVE, 1, &off, &cnt, H5PAR_FLOAT64, buf));
  OK(h5par_dataset_read_nd(x, H5PAR_COLLECTIVE, 1, &off, &cnt, H5PAR_FLOAT64, back));
  for (int i = 0; i < 4; i++) EXPECT(back[i] == buf[i]);
  CHECK(h5par_dataset_write_nd(x, H5PAR_COLLECTIVE, 2, &off, &cnt, H5PAR_FLOAT64, buf),
        H5PAR_ERR_SHAPE);
  CHECK(h5par_dataset_read_nd(x, H5PAR_COLLECTIVE, 33, &off, &cnt, H5PAR_FLOAT64, back),
        H5PAR_ERR_INVALID);

  /* 2-D float32, chunked and compressed, extendible. */
  uint64_t d2[2] = {2 * (uint64_t)size, 3}, ch[2] = {2, 3};
  uint64_t off2[2] = {2 * (uint64_t)rank, 0}, cnt2[2] = {2, 3};
  float yb[6];
  for (int i = 0; i < 6; i++) yb[i] = (float)(rank * 100 + i);
  OK(h5par_dataset_create(f, "y", H5PAR_FLOAT32, 2, d2, ch, 4, &y));
  OK(h5par_dataset_write(y, H5PAR_COLLECTIVE, off2, cnt2, H5PAR_FLOAT32, yb));
  CHECK(h5par_dataset_write(y, H5PAR_INDEPENDENT, off2, cnt2, H5PAR_FLOAT32, yb), H5PAR_ERR_INVALID);
  ERROR_SAYS("compressed");
  uint64_t nd2[2] = {2 * (uint64_t)size + 2, 3};
  OK(h5par_dataset_extend(y, nd2));
  OK(h5par_dataset_info(y, &dt, &nd, dims));
  EXPECT(dt == H5PAR_FLOAT32 && nd == 2 && dims[0] == nd2[0] && dims[1] == 3);
  uint64_t off3[2] = {2 * (uint64_t)size, 0}, cnt3[2] = {rank == 0 ? 2 : 0, 3};
  float extra[6] = {-1, -2, -3, -4, -5, -6};
  OK(h5par_dataset_write(y, H5PAR_COLLECTIVE, off3, cnt3, H5PAR_FLOAT32, extra));
  float *yall = calloc(nd2[0] * 3, sizeof *yall);
  uint64_t z2[2] = {0, 0};
  OK(h5par_dataset_read(y, H5PAR_COLLECTIVE, z2, nd2, H5PAR_FLOAT32, yall));
  for (int r = 0; r < size; r++)
    for (int i = 0; i < 6; i++) EXPECT(yall[r * 6 + i] == (float)(r * 100 + i));
  for (int i = 0; i < 6; i++) EXPECT(yall[size * 6 + i] == -(i + 1));
  free(yall);
  OK(h5par_dataset_extend_nd(y, 2, nd2));
  CHECK(h5par_dataset_extend_nd(y, 1, nd2), H5PAR_ERR_SHAPE);
  CHECK(h5par_dataset_extend_nd(y, -1, nd2), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_extend(y, NULL), H5PAR_ERR_INVALID);
  uint64_t big = n + 4;
  CHECK(h5par_dataset_extend(x, &big), H5PAR_ERR_INVALID); /* contiguous: fixed */
  ERROR_SAYS("contiguous");
  if (size > 1) {
    uint64_t differs[2] = {1, rank == last() ? 9 : 3};
    CHECK(h5par_dataset_extend(y, differs), H5PAR_ERR_MISMATCH);
  }

  /* A scalar (0 dimensions). */
  int64_t sv = 42, sb = 0;
  OK(h5par_dataset_create(f, "scalar", H5PAR_INT64, 0, NULL, NULL, 0, &s));
  OK(h5par_dataset_write(s, H5PAR_COLLECTIVE, NULL, NULL, H5PAR_INT64, &sv));
  OK(h5par_dataset_read(s, H5PAR_COLLECTIVE, NULL, NULL, H5PAR_INT64, &sb));
  EXPECT(sb == 42);
  OK(h5par_dataset_info(s, &dt, &nd, dims));
  EXPECT(dt == H5PAR_INT64 && nd == 0);

  /* Every element type. */
  for (int t = H5PAR_INT8; t <= H5PAR_FLOAT64; t++) {
    char name[32];
    snprintf(name, sizeof name, "types/t%d", t);
    OK(h5par_dataset_create(f, name, t, 1, &n, NULL, 0, &d));
    OK(h5par_dataset_write(d, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_INT32, iv));
    OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back));
    for (int i = 0; i < 4; i++) EXPECT(back[i] == i + 1);
    OK(h5par_dataset_info(d, &dt, NULL, NULL));
    EXPECT(dt == t);
    OK(h5par_dataset_close(d));
  }

  /* The I/O report so far (local). */
  size_t len = 0, len2 = 0;
  CHECK(h5par_file_report_json(f, NULL, 0, &len), H5PAR_ERR_INVALID);
  EXPECT(len > 2);
  char *js = malloc(len);
  OK(h5par_file_report_json(f, js, len, &len2));
  EXPECT(len2 == len && strlen(js) == len - 1 && js[0] == '{' && strstr(js, "data.h5") != NULL);
  char tiny[4] = "abc";
  CHECK(h5par_file_report_json(f, tiny, sizeof tiny, &len2), H5PAR_ERR_INVALID);
  EXPECT(strcmp(tiny, "abc") == 0 && len2 >= len);
  CHECK(h5par_file_report_json(f, NULL, 10, &len2), H5PAR_ERR_INVALID);
  CHECK(h5par_file_report_json(NULL, js, len, &len2), H5PAR_ERR_HANDLE);
  free(js);

  /* Opening. */
  OK(h5par_dataset_open(f, "/g/x", &d));
  OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back));
  for (int i = 0; i < 4; i++) EXPECT(back[i] == buf[i]);
  OK(h5par_dataset_close(d));
  CHECK(h5par_dataset_close(d), H5PAR_ERR_HANDLE); /* double close */

  /* Creation failures, on every rank. */
  d = (h5par_dataset *)&dt;
  CHECK(h5par_dataset_create(f, "bad", 42, 1, &n, NULL, 0, &d), H5PAR_ERR_INVALID);
  EXPECT(d == NULL);
  ERROR_SAYS("dtype");
  CHECK(h5par_dataset_create(f, "bad", -1, 1, &n, NULL, 0, &d), H5PAR_ERR_INVALID);
  uint64_t d33[33];
  for (int i = 0; i < 33; i++) d33[i] = 1;
  CHECK(h5par_dataset_create(f, "bad", H5PAR_INT8, 33, d33, NULL, 0, &d), H5PAR_ERR_INVALID);
  ERROR_SAYS("ndims 33");
  CHECK(h5par_dataset_create(f, "bad", H5PAR_INT8, -1, &n, NULL, 0, &d), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_create(f, "bad", H5PAR_INT8, 2, NULL, NULL, 0, &d), H5PAR_ERR_INVALID);
  ERROR_SAYS("dims is NULL");
  CHECK(h5par_dataset_create(f, "bad", H5PAR_INT8, 1, &n, NULL, 0, NULL), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_create(f, "bad", H5PAR_INT8, 1, &n, NULL, 10, &d), H5PAR_ERR_INVALID);
  ERROR_SAYS("deflate_level");
  CHECK(h5par_dataset_create(f, NULL, H5PAR_INT8, 1, &n, NULL, 0, &d), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_create(f, "bad\xff", H5PAR_INT8, 1, &n, NULL, 0, &d), H5PAR_ERR_INVALID);
  ERROR_SAYS("UTF-8");
  CHECK(h5par_dataset_create(f, "g/x", H5PAR_INT8, 1, &n, NULL, 0, &d), H5PAR_ERR_EXISTS);
  CHECK(h5par_group_create(f, "g/x"), H5PAR_ERR_EXISTS); /* a dataset is there */
  CHECK(h5par_group_create(f, NULL), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_open(f, "nope", &d), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_dataset_open(f, NULL, &d), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_open(f, "g/x", NULL), H5PAR_ERR_INVALID);
  /* ... on one rank only. */
  CHECK(h5par_dataset_create(f, "bad", rank == last() ? 16 : H5PAR_INT8, 1, &n, NULL, 0, &d),
        only(last(), H5PAR_ERR_INVALID));
  CHECK(h5par_dataset_create(f, "bad", H5PAR_INT8, rank == last() ? 33 : 1, d33, NULL, 0, &d),
        only(last(), H5PAR_ERR_INVALID));
  CHECK(h5par_dataset_open(f, rank == last() ? NULL : "g/x", &d), only(last(), H5PAR_ERR_INVALID));
  CHECK(h5par_group_create(f, rank == last() ? "bad\xff" : "fine"), only(last(), H5PAR_ERR_INVALID));
  if (size > 1) {
    uint64_t differs = 10 + (uint64_t)rank;
    CHECK(h5par_dataset_create(f, "mm", H5PAR_INT8, 1, &differs, NULL, 0, &d), H5PAR_ERR_MISMATCH);
    ERROR_SAYS("rank");
  }

  /* Transfer failures. */
  uint64_t bad = rank == last() ? n : off; /* past the end on the last rank */
  CHECK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &bad, &cnt, H5PAR_FLOAT64, buf),
        only(last(), H5PAR_ERR_SHAPE));
  if (size > 1 && rank != last()) ERROR_SAYS("rank");
  CHECK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &bad, &cnt, H5PAR_FLOAT64, back),
        only(last(), H5PAR_ERR_SHAPE));
  if (rank == 0) { /* independent: this rank alone gets the error */
    CHECK(h5par_dataset_write(x, H5PAR_INDEPENDENT, &n, &cnt, H5PAR_FLOAT64, buf), H5PAR_ERR_SHAPE);
    CHECK(h5par_dataset_read(x, H5PAR_INDEPENDENT, &off, &cnt, H5PAR_FLOAT64, NULL),
          H5PAR_ERR_INVALID);
  }
  CHECK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, NULL), H5PAR_ERR_INVALID);
  ERROR_SAYS("buf is NULL");
  CHECK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64,
                           rank == last() ? NULL : back),
        only(last(), H5PAR_ERR_INVALID));
  CHECK(h5par_dataset_write(x, H5PAR_COLLECTIVE, NULL, &cnt, H5PAR_FLOAT64, buf), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_read(x, H5PAR_COLLECTIVE, &off, NULL, H5PAR_FLOAT64, back), H5PAR_ERR_INVALID);
  CHECK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &cnt, 77, buf), H5PAR_ERR_INVALID);
  ERROR_SAYS("mem_dtype");
  CHECK(h5par_dataset_write(x, 5, &off, &cnt, H5PAR_FLOAT64, buf), H5PAR_ERR_INVALID);
  ERROR_SAYS("xfer");
  uint64_t huge[2] = {UINT64_MAX / 2, 4};
  CHECK(h5par_dataset_read(y, H5PAR_COLLECTIVE, off2, huge, H5PAR_FLOAT64, back), H5PAR_ERR_SHAPE);

  /* Handles: NULL, foreign, of the other kind. */
  int junk = 0;
  CHECK(h5par_group_create(NULL, "z"), H5PAR_ERR_HANDLE);
  ERROR_SAYS("NULL");
  CHECK(h5par_group_create((h5par_file *)&junk, "z"), H5PAR_ERR_HANDLE);
  CHECK(h5par_group_create((h5par_file *)x, "z"), H5PAR_ERR_HANDLE);
  ERROR_SAYS("not an h5par_file");
  CHECK(h5par_dataset_info((h5par_dataset *)f, &dt, &nd, dims), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_info(NULL, &dt, &nd, dims), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_write(NULL, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, buf), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_read((h5par_dataset *)&junk, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back),
        H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_extend(NULL, &n), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_open(NULL, "g/x", &d), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_create(NULL, "q", H5PAR_INT8, 1, &n, NULL, 0, &d), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_close(NULL), H5PAR_ERR_HANDLE);
  CHECK(h5par_file_close(NULL), H5PAR_ERR_HANDLE);
  CHECK(h5par_file_close((h5par_file *)x), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_close((h5par_dataset *)f), H5PAR_ERR_HANDLE);

  /* A dataset used after its file was closed. */
  h5par_dataset *keep;
  OK(h5par_dataset_open(f, "g/x", &keep));
  OK(h5par_dataset_close(x));
  OK(h5par_dataset_close(y));
  OK(h5par_dataset_close(s));
  OK(h5par_file_close(f));
  CHECK(h5par_file_close(f), H5PAR_ERR_HANDLE);
  CHECK(h5par_group_create(f, "late"), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_write(keep, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, buf), H5PAR_ERR_HANDLE);
  ERROR_SAYS("closed");
  CHECK(h5par_dataset_read(keep, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_read(keep, H5PAR_INDEPENDENT, &off, &cnt, H5PAR_FLOAT64, back), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_extend(keep, &n), H5PAR_ERR_HANDLE);
  CHECK(h5par_dataset_info(keep, &dt, &nd, dims), H5PAR_ERR_HANDLE);
  OK(h5par_dataset_close(keep));
  CHECK(h5par_dataset_close(keep), H5PAR_ERR_HANDLE);

  /* A closed handle stays closed, even when a new file is opened. */
  h5par_file *g;
  OK(h5par_file_open(MPI_COMM_WORLD, path_of("data.h5"), H5PAR_READONLY, NULL, &g));
  EXPECT(g != f);
  CHECK(h5par_file_close(f), H5PAR_ERR_HANDLE);
  OK(h5par_dataset_open(g, "g/x", &d));
  OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back));
  for (int i = 0; i < 4; i++) EXPECT(back[i] == buf[i]);
  CHECK(h5par_dataset_write(d, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, buf), H5PAR_ERR_INVALID);
  ERROR_SAYS("read-only");
  CHECK(h5par_dataset_create(g, "new", H5PAR_INT8, 1, &n, NULL, 0, &s), H5PAR_ERR_INVALID);
  OK(h5par_dataset_open(g, "y", &y));
  OK(h5par_dataset_info(y, &dt, &nd, dims));
  EXPECT(dt == H5PAR_FLOAT32 && nd == 2 && dims[0] == 2 * (uint64_t)size + 2);
  OK(h5par_dataset_close(y));
  /* Closing a file closes its datasets in HDF5; their handles are then stale but freeable. */
  OK(h5par_file_close(g));
  CHECK(h5par_dataset_read(d, H5PAR_COLLECTIVE, &off, &cnt, H5PAR_FLOAT64, back), H5PAR_ERR_HANDLE);
  OK(h5par_dataset_close(d));
}

/* Attributes: numbers (scalar and arrays, converted on reading) and strings. */
static void attributes(void) {
  h5par_file *f;
  h5par_dataset *x;
  uint64_t n = 4;
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("attrs.h5"), NULL, &f));
  OK(h5par_group_create(f, "g"));
  OK(h5par_dataset_create(f, "g/x", H5PAR_INT8, 1, &n, NULL, 0, &x));

  double a3[3] = {1.0, 2.0, 3.5}, rb[3];
  int64_t one = 7, r1 = 0;
  uint64_t got = 0;
  OK(h5par_attr_write(f, "/", "a3", H5PAR_FLOAT64, 3, a3));
  OK(h5par_attr_write(f, "g/x", "one", H5PAR_INT64, 1, &one));
  OK(h5par_attr_write_string(f, "g", "units", "m/s"));
  OK(h5par_attr_write_string(f, "/g/", "empty", ""));
  OK(h5par_attr_read(f, "/", "a3", H5PAR_FLOAT64, 3, rb, &got));
  EXPECT(got == 3 && rb[0] == 1.0 && rb[2] == 3.5);
  int32_t ri[3];
  OK(h5par_attr_read(f, "/", "a3", H5PAR_INT32, 3, ri, NULL));
  EXPECT(ri[0] == 1 && ri[1] == 2);
  OK(h5par_attr_read(f, "g/x", "one", H5PAR_INT64, 1, &r1, &got));
  EXPECT(r1 == 7 && got == 1);
  float rf = 0;
  OK(h5par_attr_read(f, "g/x", "one", H5PAR_FLOAT32, 1, &rf, &got));
  EXPECT(rf == 7.0f);
  /* what an attribute holds */
  int kind = -2;
  got = 0;
  OK(h5par_attr_info(f, "/", "a3", &kind, &got));
  EXPECT(kind == H5PAR_FLOAT64 && got == 3);
  OK(h5par_attr_info(f, "g/x", "one", &kind, NULL));
  EXPECT(kind == H5PAR_INT64);
  OK(h5par_attr_info(f, "g", "units", &kind, &got));
  EXPECT(kind == -1 && got == 3);
  CHECK(h5par_attr_info(f, "g", "nope", &kind, &got), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_attr_info(NULL, "g", "units", &kind, &got), H5PAR_ERR_HANDLE);
  /* capacity and *n */
  double small[2] = {-9, -9};
  got = 0;
  CHECK(h5par_attr_read(f, "/", "a3", H5PAR_FLOAT64, 2, small, &got), H5PAR_ERR_INVALID);
  EXPECT(got == 3 && small[0] == -9 && small[1] == -9);
  ERROR_SAYS("capacity");
  got = 0;
  CHECK(h5par_attr_read(f, "/", "a3", H5PAR_FLOAT64, 0, NULL, &got), H5PAR_ERR_INVALID);
  EXPECT(got == 3);
  CHECK(h5par_attr_read(f, "/", "a3", H5PAR_FLOAT64, 5, NULL, &got), H5PAR_ERR_INVALID);
  /* replacing */
  OK(h5par_attr_write(f, "/", "a3", H5PAR_FLOAT64, 2, a3));
  OK(h5par_attr_read(f, "/", "a3", H5PAR_FLOAT64, 3, rb, &got));
  EXPECT(got == 2);
  /* reading failures (local: no other rank takes part) */
  CHECK(h5par_attr_read(f, "g", "units", H5PAR_FLOAT64, 1, rb, &got), H5PAR_ERR_TYPE);
  CHECK(h5par_attr_read(f, "/", "missing", H5PAR_FLOAT64, 1, rb, &got), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_attr_read(f, "nope", "a3", H5PAR_FLOAT64, 1, rb, &got), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_attr_read(f, "/", "a3", 99, 3, rb, &got), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_read(f, NULL, "a3", H5PAR_FLOAT64, 3, rb, &got), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_read(f, "/", NULL, H5PAR_FLOAT64, 3, rb, &got), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_read(NULL, "/", "a3", H5PAR_FLOAT64, 3, rb, &got), H5PAR_ERR_HANDLE);
  if (rank == 0) CHECK(h5par_attr_read(f, "/", "missing", H5PAR_FLOAT64, 1, rb, &got),
                       H5PAR_ERR_NOT_FOUND);

  /* strings */
  char sb[64], tiny[3] = "xy";
  size_t len = 0;
  OK(h5par_attr_read_string(f, "g", "units", sb, sizeof sb, &len));
  EXPECT(strcmp(sb, "m/s") == 0 && len == 4);
  OK(h5par_attr_read_string(f, "g", "units", sb, 4, NULL)); /* exact fit */
  EXPECT(strcmp(sb, "m/s") == 0);
  len = 0;
  CHECK(h5par_attr_read_string(f, "g", "units", tiny, sizeof tiny, &len), H5PAR_ERR_INVALID);
  EXPECT(len == 4 && strcmp(tiny, "xy") == 0);
  len = 0;
  CHECK(h5par_attr_read_string(f, "g", "units", NULL, 0, &len), H5PAR_ERR_INVALID);
  EXPECT(len == 4);
  CHECK(h5par_attr_read_string(f, "g", "units", NULL, 8, &len), H5PAR_ERR_INVALID);
  OK(h5par_attr_read_string(f, "g", "empty", sb, sizeof sb, &len));
  EXPECT(len == 1 && sb[0] == 0);
  CHECK(h5par_attr_read_string(f, "/", "a3", sb, sizeof sb, &len), H5PAR_ERR_TYPE);
  CHECK(h5par_attr_read_string(f, "g", "nope", sb, sizeof sb, &len), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_attr_read_string(NULL, "g", "units", sb, sizeof sb, &len), H5PAR_ERR_HANDLE);

  /* writing failures, on every rank */
  CHECK(h5par_attr_write(f, "/", "bad", 16, 1, &one), H5PAR_ERR_INVALID);
  ERROR_SAYS("dtype");
  CHECK(h5par_attr_write(f, "/", "bad", H5PAR_INT64, 3, NULL), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write(f, "/", "bad", H5PAR_INT64, 0, &one), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write(f, "/", NULL, H5PAR_INT64, 1, &one), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write(f, NULL, "bad", H5PAR_INT64, 1, &one), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write(f, "/", "", H5PAR_INT64, 1, &one), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write(f, "missing/obj", "a", H5PAR_INT64, 1, &one), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_attr_write(NULL, "/", "a", H5PAR_INT64, 1, &one), H5PAR_ERR_HANDLE);
  CHECK(h5par_attr_write_string(f, "/", "s", NULL), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write_string(f, "/", "s", "\xff"), H5PAR_ERR_INVALID);
  ERROR_SAYS("UTF-8");
  CHECK(h5par_attr_write_string(NULL, "/", "s", "v"), H5PAR_ERR_HANDLE);
  /* ... on one rank only, and different values */
  CHECK(h5par_attr_write(f, "/", "bad", rank == last() ? 16 : H5PAR_INT64, 1, &one),
        only(last(), H5PAR_ERR_INVALID));
  CHECK(h5par_attr_write_string(f, "/", "s", rank == last() ? NULL : "v"),
        only(last(), H5PAR_ERR_INVALID));
  if (size > 1) {
    int64_t differs = rank;
    CHECK(h5par_attr_write(f, "/", "differs", H5PAR_INT64, 1, &differs), H5PAR_ERR_MISMATCH);
    CHECK(h5par_attr_write_string(f, "/", "s", rank ? "b" : "a"), H5PAR_ERR_MISMATCH);
  }
  OK(h5par_dataset_close(x));
  OK(h5par_file_close(f));
  CHECK(h5par_attr_read(f, "/", "a3", H5PAR_FLOAT64, 3, rb, &got), H5PAR_ERR_HANDLE);

  /* Read back from the closed file. */
  OK(h5par_file_open(MPI_COMM_WORLD, path_of("attrs.h5"), H5PAR_READONLY, NULL, &f));
  OK(h5par_attr_read_string(f, "g", "units", sb, sizeof sb, &len));
  EXPECT(strcmp(sb, "m/s") == 0);
  OK(h5par_attr_read(f, "g/x", "one", H5PAR_INT64, 1, &r1, &got));
  EXPECT(r1 == 7);
  CHECK(h5par_attr_write(f, "/", "ro", H5PAR_INT64, 1, &one), H5PAR_ERR_INVALID);
  CHECK(h5par_attr_write_string(f, "/", "ro", "x"), H5PAR_ERR_INVALID);
  OK(h5par_file_close(f));
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  dir = argv[1];
  strings();
  options();
  files();
  datasets();
  attributes();
  int all = 0;
  MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (failures == 0) printf("rank %d: ok\n", rank);
  else fprintf(stderr, "rank %d: %d checks failed\n", rank, failures);
  fflush(stdout);
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
