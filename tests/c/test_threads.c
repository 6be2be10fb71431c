/* Two threads per rank (MPI_THREAD_MULTIPLE), each with its own duplicated communicator, its
 * own files and its own distributed vectors, calling h5par at the same time: no call may
 * deadlock. A call made while the other thread is inside h5par fails on every rank with
 * "another thread of this process is inside h5par" (the documented behaviour), so each thread
 * retries it; any other failure, or ranks disagreeing on a call's outcome (which would hang the
 * next call), fails the test. Then the two threads' vector calls crossed on purpose (see
 * crossed()). Then, on one thread: rank 0 writes twice, the others once, then every rank
 * closes: a mismatch on every rank that names the calls, and the file closes on a second try.
 *
 * Usage: mpirun -n N test_threads DIR    Prints "rank R: ok" on success. */

#include <h5par.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROUNDS 12
/* Reductions per round. */
#define VECTOR_CALLS 4

static int rank, size;
static const char *dir;

struct worker {
  int id;
  MPI_Comm comm;
  int failures;
  int busy;
};

static int is_busy(int status) {
  return (status == H5PAR_ERR_INVALID || status == H5PAR_ERR_REMOTE) &&
         strstr(h5par_last_error(), "another thread of this process is inside h5par") != NULL;
}

/* Runs `call` until it is not refused because the other thread is inside h5par. */
#define RETRY(w, call)                                                                       \
  do {                                                                                       \
    int s_;                                                                                  \
    while (is_busy(s_ = (call))) {                                                           \
      (w)->busy++;                                                                           \
      usleep(100 + rand() % 500);                                                            \
    }                                                                                        \
    if (s_ != H5PAR_OK) {                                                                    \
      fprintf(stderr, "rank %d thread %d: line %d: %s: %s\n", rank, (w)->id, __LINE__, #call, \
              h5par_last_error());                                                           \
      (w)->failures++;                                                                       \
      return NULL;                                                                           \
    }                                                                                        \
  } while (0)

static void *work(void *arg) {
  struct worker *w = arg;
  for (int round = 0; round < ROUNDS; round++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/t%d-%d.h5", dir, w->id, round);
    h5par_file *f = NULL;
    h5par_dataset *d = NULL;
    uint64_t dims[1] = {4 * (uint64_t)size}, off[1] = {4 * (uint64_t)rank}, cnt[1] = {4};
    double v[4] = {rank, round, w->id, 1};
    RETRY(w, h5par_file_create(w->comm, path, NULL, &f));
    RETRY(w, h5par_dataset_create(f, "x", H5PAR_FLOAT64, 1, dims, NULL, 0, &d));
    RETRY(w, h5par_dataset_write(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, v));
    RETRY(w, h5par_attr_write_string(f, "/", "who", "threads"));
    /* Vectors on the thread's communicator: collective reductions (which agree on the map's
     * communicator) and a write into the thread's file, between the other thread's calls. */
    h5par_map *m = NULL;
    h5par_vector *x = NULL;
    double dot = 0, sum = 0, a = 1 + w->id + round;
    RETRY(w, h5par_map_block(w->comm, 8 * (int64_t)size, &m));
    RETRY(w, h5par_vector_create(m, &x));
    RETRY(w, h5par_vector_fill(x, a));
    for (int k = 0; k < VECTOR_CALLS; k++) {
      RETRY(w, h5par_vector_dot(x, x, &dot));
      RETRY(w, h5par_vector_reduce(x, H5PAR_SUM, &sum, NULL));
    }
    RETRY(w, h5par_vector_write(f, "v", x));
    if (dot != 8 * size * a * a || sum != 8 * size * a) {
      fprintf(stderr, "rank %d thread %d: dot %g, sum %g for %d values of %g\n", rank, w->id,
              dot, sum, 8 * size, a);
      w->failures++;
    }
    RETRY(w, h5par_vector_free(x));
    RETRY(w, h5par_map_free(m));
    RETRY(w, h5par_dataset_close(d));
    RETRY(w, h5par_file_close(f));
    struct stat st;
    if (stat(path, &st) != 0) {
      fprintf(stderr, "rank %d thread %d: %s was not written\n", rank, w->id, path);
      w->failures++;
    }
  }
  return NULL;
}

/* Crossed vector calls: on even ranks thread 0 enters a collective vector call first, on odd
 * ranks thread 1, and the other thread follows while the first waits in its agreement for the
 * other rank's. A thread that waited for the lock there would deadlock (each rank's lock held
 * by the thread that waits for the other rank's other thread); the second thread's call must
 * fail at once on every rank instead, and succeed when retried. */
static void *crossed(void *arg) {
  struct worker *w = arg;
  h5par_map *m = NULL;
  h5par_vector *x = NULL;
  double dot = 0;
  RETRY(w, h5par_map_block(w->comm, 4 * (int64_t)size, &m));
  RETRY(w, h5par_vector_create(m, &x));
  RETRY(w, h5par_vector_fill(x, 2));
  MPI_Barrier(w->comm);
  if (w->id != rank % 2) usleep(200 * 1000); /* the other thread goes first */
  RETRY(w, h5par_vector_dot(x, x, &dot));
  if (dot != 16 * size) {
    fprintf(stderr, "rank %d thread %d: crossed dot %g\n", rank, w->id, dot);
    w->failures++;
  }
  RETRY(w, h5par_vector_free(x));
  RETRY(w, h5par_map_free(m));
  return NULL;
}

static int write_twice(void) {
  int failures = 0;
  char path[4096];
  snprintf(path, sizeof path, "%s/twice.h5", dir);
  h5par_file *f = NULL;
  h5par_dataset *d = NULL;
  uint64_t dims[1] = {4 * (uint64_t)size}, off[1] = {4 * (uint64_t)rank}, cnt[1] = {4};
  double v[4] = {1, 2, 3, 4};
  if (h5par_file_create(MPI_COMM_WORLD, path, NULL, &f) != H5PAR_OK ||
      h5par_dataset_create(f, "x", H5PAR_FLOAT64, 1, dims, NULL, 0, &d) != H5PAR_OK ||
      h5par_dataset_write(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, v) != H5PAR_OK) {
    fprintf(stderr, "rank %d: setting up: %s\n", rank, h5par_last_error());
    return 1;
  }
  int s;
  if (rank == 0) {
    s = h5par_dataset_write(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, v);
    if (s != H5PAR_ERR_MISMATCH || !strstr(h5par_last_error(), "rank 0 is in h5par_dataset_write") ||
        !strstr(h5par_last_error(), "is in h5par_file_close")) {
      fprintf(stderr, "rank 0: second write: %s: %s\n", h5par_status_string(s), h5par_last_error());
      failures++;
    }
    s = h5par_file_close(f); /* meets the others' second close */
    if (s != H5PAR_OK || h5par_file_is_open(f)) {
      fprintf(stderr, "rank 0: close: %s\n", h5par_last_error());
      failures++;
    }
  } else {
    s = h5par_file_close(f);
    if (s != H5PAR_ERR_MISMATCH || !h5par_file_is_open(f) ||
        !strstr(h5par_last_error(), "rank 0 is in h5par_dataset_write")) {
      fprintf(stderr, "rank %d: close: %s: %s\n", rank, h5par_status_string(s), h5par_last_error());
      failures++;
    }
    if (h5par_file_close(f) != H5PAR_OK) {
      fprintf(stderr, "rank %d: second close: %s\n", rank, h5par_last_error());
      failures++;
    }
  }
  h5par_dataset_close(d);
  return failures;
}

int main(int argc, char **argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 2) {
    fprintf(stderr, "usage: test_threads DIR\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  dir = argv[1];
  srand(1234 + rank);
  int failures = 0;
  if (provided != MPI_THREAD_MULTIPLE) {
    fprintf(stderr, "rank %d: MPI_THREAD_MULTIPLE not granted (%d)\n", rank, provided);
    failures++;
  } else {
    struct worker w[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
      w[i].id = i;
      w[i].failures = 0;
      w[i].busy = 0;
      MPI_Comm_dup(MPI_COMM_WORLD, &w[i].comm);
    }
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, &w[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, crossed, &w[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
      failures += w[i].failures;
      MPI_Comm_free(&w[i].comm);
    }
    printf("rank %d: %d calls refused while the other thread was inside h5par\n", rank,
           w[0].busy + w[1].busy);
  }
  if (size > 1) failures += write_twice();
  int all = 0;
  MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (failures == 0) printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return all == 0 ? 0 : 1;
}
