/* One agreement per collective C read or write: the C border's checks of its arguments ride
 * in the core's agreement of the transfer instead of an agreement of their own. h5par's
 * agreements are its only MPI_Iallreduce calls (HDF5 and the MPI-IO layer use blocking
 * collectives), so this program counts them with a PMPI wrapper of its own. A bad argument on
 * one rank is still an error on every rank, in that same agreement. */
#include <stdlib.h>
#include <string.h>

#include "check.h"

static long iallreduces;

int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                   MPI_Op op, MPI_Comm comm, MPI_Request *request) {
  iallreduces++;
  return PMPI_Iallreduce(sendbuf, recvbuf, count, datatype, op, comm, request);
}

enum { N = 64, CALLS = 10 };

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char path[4096];
  snprintf(path, sizeof path, "%s/agree.h5", argc > 1 ? argv[1] : ".");
  double mine[N], back[N];
  for (int i = 0; i < N; i++) mine[i] = rank * N + i;
  uint64_t dims[1] = {(uint64_t)size * N}, off[1] = {(uint64_t)rank * N}, cnt[1] = {N};
  h5par_file *f;
  h5par_dataset *d;
  CHECK(h5par_file_create(MPI_COMM_WORLD, path, NULL, &f));
  CHECK(h5par_dataset_create(f, "x", H5PAR_FLOAT64, 1, dims, NULL, 0, &d));

  /* Writes agree on their outcome too: two agreements each. */
  long before = iallreduces;
  for (int k = 0; k < CALLS; k++)
    CHECK(h5par_dataset_write(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, mine));
  long writes = iallreduces - before;
  /* A successful read does not agree on its outcome: one agreement each. */
  before = iallreduces;
  for (int k = 0; k < CALLS; k++) {
    memset(back, 0, sizeof back);
    CHECK(h5par_dataset_read(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, back));
    EXPECT(memcmp(back, mine, sizeof back) == 0);
  }
  long reads = iallreduces - before;
  /* The same through a selection (h5par_dataset_read_sel). */
  h5par_selection sel = {.ndims = 1, .start = off, .count = cnt, .index_axis = -1};
  before = iallreduces;
  for (int k = 0; k < CALLS; k++)
    CHECK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &sel, NULL, back, sizeof back));
  long sel_reads = iallreduces - before;
  if (writes != 2 * CALLS || reads != CALLS || sel_reads != CALLS) {
    fprintf(stderr,
            "rank %d: agreements for %d calls: writes %ld (want %d), reads %ld and selection "
            "reads %ld (want %d each)\n",
            rank, CALLS, writes, 2 * CALLS, reads, sel_reads, CALLS);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  /* A bad argument on the last rank (a NULL buffer) fails the call on every rank, in the one
   * agreement, and the file stays usable. */
  int last = rank == size - 1;
  int st = h5par_dataset_read(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, last ? NULL : back);
  EXPECT(st != H5PAR_OK);
  if (!last) EXPECT(strstr(h5par_last_error(), "buf is NULL") != NULL || size == 1);
  st = h5par_dataset_write(d, H5PAR_COLLECTIVE, off, cnt, 77, mine);
  EXPECT(st != H5PAR_OK);
  CHECK(h5par_dataset_read(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, back));
  EXPECT(memcmp(back, mine, sizeof back) == 0);
  CHECK(h5par_dataset_close(d));
  CHECK(h5par_file_close(f));
  if (rank == 0) printf("agreements: writes %ld, reads %ld, selection reads %ld for %d calls\n",
                        writes, reads, sel_reads, CALLS);
  printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return 0;
}
