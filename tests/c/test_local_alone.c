/* The C API's local queries made by one rank alone (issue 12: local queries must be local),
 * on the tree of tests/python/write_local_tree.py (many groups, datasets and attributes, so
 * that a fresh open has little of it in HDF5's metadata cache).
 *
 * Usage: mpirun -n N test_local_alone DIR   (DIR holds tree_h5py.h5). For each rank in turn:
 * the tree is opened by all, every local query is made by that rank alone, the tree is closed
 * by all, then another file is created, written and closed by all (a broadcast that a lone
 * query left behind breaks that next open on MPICH). Prints "rank R: ok" on success; a hang
 * is the driver's time limit (ffi/tests/c_abi.rs). */

#define _POSIX_C_SOURCE 200809L /* chdir */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* What h5par_object_kind says is at `p`. */
static int kind(h5par_file *f, const char *p, int follow) {
  int k = -1;
  CHECK(h5par_object_kind(f, p, follow, &k));
  return k;
}

/* The members of group `p`: their number, and the kind of the member called `name`. */
static size_t members(h5par_file *f, const char *p, const char *name, int *name_kind) {
  h5par_group *g = NULL;
  size_t n = 0;
  char buf[64];
  size_t len = 0;
  CHECK(h5par_group_open(f, p, &g));
  CHECK(h5par_group_nmembers(g, &n));
  *name_kind = -1;
  for (size_t i = 0; i < n; i++) {
    int k = -1;
    CHECK(h5par_group_member(g, i, buf, sizeof buf, &len, &k));
    if (strcmp(buf, name) == 0) *name_kind = k;
  }
  CHECK(h5par_group_close(g));
  return n;
}

static void local_queries(h5par_file *f, h5par_dataset *chunked) {
  static const struct {
    const char *path;
    int follow, kind;
  } kinds[] = {{"g05", 0, H5PAR_KIND_GROUP},          {"g07/d13", 0, H5PAR_KIND_DATASET},
               {"soft", 0, H5PAR_KIND_SOFT_LINK},     {"soft", 1, H5PAR_KIND_DATASET},
               {"dangle", 1, H5PAR_KIND_NONE},        {"ext", 0, H5PAR_KIND_EXTERNAL_LINK},
               {"ext", 1, H5PAR_KIND_EXTERNAL_LINK},  {"g03/none", 0, H5PAR_KIND_NONE},
               {"nope/x", 1, H5PAR_KIND_NONE},        {"g00/sub/deep", 1, H5PAR_KIND_GROUP}};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    int got = kind(f, kinds[i].path, kinds[i].follow);
    if (got != kinds[i].kind) {
      fprintf(stderr, "rank %d: kind of %s (follow %d) is %d, expected %d\n", rank,
              kinds[i].path, kinds[i].follow, got, kinds[i].kind);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  int k = -1;
  EXPECT(members(f, "/", "ext", &k) == 17 && k == H5PAR_KIND_EXTERNAL_LINK);
  EXPECT(members(f, "/", "g11", &k) == 17 && k == H5PAR_KIND_GROUP);
  for (int g = 0; g < 12; g++) {
    char p[32];
    snprintf(p, sizeof p, "/g%02d", g);
    EXPECT(members(f, p, "d24", &k) == (g == 0 ? 26u : 25u) && k == H5PAR_KIND_DATASET);
    size_t na = 0;
    CHECK(h5par_attr_count(f, p, &na));
    EXPECT(na == 10);
    char an[16];
    size_t alen = 0;
    CHECK(h5par_attr_name(f, p, 3, an, sizeof an, &alen));
    EXPECT(strcmp(an, "a3") == 0);
    double v = 0;
    uint64_t n = 0;
    CHECK(h5par_attr_read(f, p, "a3", H5PAR_FLOAT64, 1, &v, &n));
    EXPECT(n == 1 && v == g + 0.3);
    int dt = 0;
    CHECK(h5par_attr_info(f, p, "a1", &dt, &n));
    EXPECT(dt == H5PAR_FLOAT64 && n == 1);
    char spec[32];
    size_t slen = 0;
    int nd = -1;
    CHECK(h5par_attr_type(f, p, "a2", spec, sizeof spec, &slen, &nd, NULL));
    EXPECT(strcmp(spec, "f8") == 0 && nd == 0);
    CHECK(h5par_attr_read_typed(f, p, "a2", NULL, &v, sizeof v));
    EXPECT(v == g + 0.2);
  }
  EXPECT(members(f, "dense", "l39", &k) == 40 && k == H5PAR_KIND_DATASET);
  EXPECT(members(f, "g00/sub/deep", "x", &k) == 1 && k == H5PAR_KIND_DATASET);
  char t[64], tf[64];
  size_t tl = 0, tfl = 0;
  CHECK(h5par_link_target(f, "soft", t, sizeof t, &tl, tf, sizeof tf, &tfl));
  EXPECT(strcmp(t, "/g01/d03") == 0 && strcmp(tf, "") == 0);
  CHECK(h5par_link_target(f, "ext", t, sizeof t, &tl, tf, sizeof tf, &tfl));
  EXPECT(strcmp(t, "/x") == 0 && strcmp(tf, "other.h5") == 0);
  char units[8];
  size_t ul = 0;
  CHECK(h5par_attr_read_string(f, "g00/sub/deep/x", "units", units, sizeof units, &ul));
  EXPECT(strcmp(units, "m") == 0);
  /* Queries of a dataset the ranks opened together. */
  int dtype = -1, ndims = -1;
  uint64_t dims[4] = {0};
  CHECK(h5par_dataset_info(chunked, &dtype, &ndims, dims));
  EXPECT(dtype == H5PAR_FLOAT64 && ndims == 1 && dims[0] == 10);
  int chunkd = -1, deflate = -1;
  uint64_t chunk[32] = {0};
  CHECK(h5par_dataset_storage(chunked, &chunkd, chunk, NULL, &deflate, NULL, NULL, NULL, 0));
  EXPECT(chunkd == 1 && chunk[0] == 4 && deflate > 0);
  char ts[32];
  size_t tsl = 0, elem = 0;
  CHECK(h5par_dataset_type(chunked, ts, sizeof ts, &tsl, &elem));
  EXPECT(strcmp(ts, "f8") == 0 && elem == 8);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT(argc == 2);
  EXPECT(chdir(argv[1]) == 0);
  for (int who = 0; who < size; who++) {
    h5par_file *f = NULL;
    h5par_dataset *d = NULL;
    CHECK(h5par_file_open(MPI_COMM_WORLD, "tree_h5py.h5", H5PAR_READONLY, NULL, &f));
    CHECK(h5par_dataset_open(f, "chunked", &d));
    if (rank == who) local_queries(f, d);
    CHECK(h5par_dataset_close(d));
    CHECK(h5par_file_close(f));
    /* The next file: created, written and closed by every rank. */
    char name[32];
    snprintf(name, sizeof name, "after-%d.h5", who);
    h5par_file *g = NULL;
    h5par_dataset *x = NULL;
    uint64_t n = (uint64_t)size, off = (uint64_t)rank, one = 1;
    int32_t mine = rank;
    CHECK(h5par_file_create(MPI_COMM_WORLD, name, NULL, &g));
    CHECK(h5par_dataset_create(g, "x", H5PAR_INT32, 1, &n, NULL, 0, &x));
    CHECK(h5par_dataset_write(x, H5PAR_COLLECTIVE, &off, &one, H5PAR_INT32, &mine));
    CHECK(h5par_dataset_close(x));
    CHECK(h5par_file_close(g));
  }
  printf("rank %d: ok\n", rank);
  MPI_Finalize();
  return 0;
}
