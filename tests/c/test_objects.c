/* Navigation, types, selections, links and creation options of the C API, against files h5py
 * wrote and files h5py checks (tests/c/objects_h5py.py).
 *
 * Usage: mpirun -n N test_objects DIR   (DIR holds h5py.h5 from `objects_h5py.py make DIR`;
 * c.h5 is written there for `objects_h5py.py check DIR N`). Prints "rank R: ok" on success.
 * Run by ffi/tests/c_abi.rs. */

#include <h5par.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *path_of(const char *name) {
  static char buf[4][4096];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
  return buf[i];
}

static int kind(h5par_file *f, const char *p, int follow) {
  int k = -1;
  OK(h5par_object_kind(f, p, follow, &k));
  return k;
}

static const char *type_of(h5par_dataset *d) {
  static char buf[256];
  size_t len = 0, elem = 0;
  OK(h5par_dataset_type(d, buf, sizeof buf, &len, &elem));
  return buf;
}

static h5par_dataset *open_ds(h5par_file *f, const char *p) {
  h5par_dataset *d = NULL;
  OK(h5par_dataset_open(f, p, &d));
  return d;
}

/* Everything h5py wrote: listed, described, read. */
static void read_h5py(void) {
  h5par_file *f = NULL;
  OK(h5par_file_open(MPI_COMM_WORLD, path_of("h5py.h5"), H5PAR_READONLY, NULL, &f));

  /* Members of the root with their kinds, in name order. */
  h5par_group *root = NULL;
  OK(h5par_group_open(f, "/", &root));
  size_t n = 0;
  OK(h5par_group_nmembers(root, &n));
  const char *names[] = {"ar", "b", "be", "bei", "c128", "c64", "comp", "dangle", "ext",
                         "fill", "g", "m", "opq", "s", "soft", "vlen"};
  const int kinds[] = {H5PAR_KIND_DATASET, H5PAR_KIND_DATASET, H5PAR_KIND_DATASET,
                       H5PAR_KIND_DATASET, H5PAR_KIND_DATASET, H5PAR_KIND_DATASET,
                       H5PAR_KIND_DATASET, H5PAR_KIND_SOFT_LINK, H5PAR_KIND_EXTERNAL_LINK,
                       H5PAR_KIND_DATASET, H5PAR_KIND_GROUP, H5PAR_KIND_DATASET,
                       H5PAR_KIND_DATASET, H5PAR_KIND_DATASET, H5PAR_KIND_SOFT_LINK,
                       H5PAR_KIND_DATASET};
  EXPECT(n == sizeof names / sizeof names[0]);
  for (size_t i = 0; i < n && i < sizeof names / sizeof names[0]; i++) {
    char buf[64];
    size_t len = 0;
    int k = -1;
    OK(h5par_group_member(root, i, buf, sizeof buf, &len, &k));
    EXPECT(strcmp(buf, names[i]) == 0);
    EXPECT(k == kinds[i]);
  }
  CHECK(h5par_group_member(root, n, NULL, 0, NULL, NULL), H5PAR_ERR_INVALID);
  char pbuf[64];
  OK(h5par_group_path(root, pbuf, sizeof pbuf, NULL));
  EXPECT(strcmp(pbuf, "/") == 0);
  OK(h5par_group_close(root));
  CHECK(h5par_group_close(root), H5PAR_ERR_HANDLE);

  /* All names in one call into the caller's buffer. */
  OK(h5par_group_open(f, "/", &root));
  {
    char all[512];
    size_t need = 0, count = 0;
    CHECK(h5par_group_names(root, NULL, 0, &need, &count), H5PAR_ERR_INVALID);
    EXPECT(count == sizeof names / sizeof names[0]);
    OK(h5par_group_names(root, all, sizeof all, &need, &count));
    size_t at = 0;
    for (size_t i = 0; i < count && i < sizeof names / sizeof names[0]; i++) {
      EXPECT(strcmp(all + at, names[i]) == 0);
      at += strlen(all + at) + 1;
    }
    EXPECT(at == need);
    h5par_group *g = NULL;
    OK(h5par_group_open(f, "/g/sub", &g));
    OK(h5par_group_names(g, all, sizeof all, &need, &count));
    EXPECT(count == 1 && need == 2 && strcmp(all, "d") == 0);
    OK(h5par_group_close(g));
  }
  OK(h5par_group_close(root));

  /* h5par_object_open: as h5py's f[name], through soft and external links (collective for a
   * dataset and through an external link, so every rank makes these). */
  {
    int k = -1;
    h5par_group *g = NULL;
    h5par_dataset *d = NULL;
    h5par_file *t = NULL;
    char buf[4096];
    OK(h5par_object_open(f, "g", &k, &g, &d, &t));
    EXPECT(k == H5PAR_KIND_GROUP && g != NULL && d == NULL && t == NULL);
    OK(h5par_group_close(g));
    OK(h5par_object_open(f, "soft", &k, &g, &d, &t));
    EXPECT(k == H5PAR_KIND_DATASET && g == NULL && d != NULL && t == NULL);
    OK(h5par_dataset_path(d, buf, sizeof buf, NULL));
    EXPECT(strcmp(buf, "/soft") == 0); /* as h5py names it: the path it was opened by */
    OK(h5par_dataset_close(d));
    /* "ext" -> other.h5:/x, relative to h5py.h5's directory, read only as h5py.h5 is. */
    OK(h5par_object_open(f, "ext", &k, &g, &d, &t));
    EXPECT(k == H5PAR_KIND_DATASET && d != NULL && t != NULL);
    OK(h5par_file_name(t, buf, sizeof buf, NULL));
    EXPECT(strcmp(buf, path_of("other.h5")) == 0);
    int32_t x[3] = {-1, -1, -1};
    OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){3}, H5PAR_INT32, x));
    EXPECT(x[0] == 0 && x[1] == 1 && x[2] == 2);
    CHECK(h5par_link_soft(t, "no", "/x"), H5PAR_ERR_INVALID);
    OK(h5par_dataset_close(d));
    OK(h5par_file_close(t));
    CHECK(h5par_object_open(f, "dangle", &k, &g, &d, &t), H5PAR_ERR_NOT_FOUND);
    ERROR_SAYS("dangling soft link");
    EXPECT(g == NULL && d == NULL && t == NULL);
    CHECK(h5par_object_open(f, "nope", &k, &g, &d, &t), H5PAR_ERR_NOT_FOUND);
    CHECK(h5par_object_open(f, "g", &k, &g, &d, NULL), H5PAR_ERR_INVALID);
  }

  /* Local queries: only rank 0 makes them (the others go on to the next collective call). */
  if (rank == 0) {
    h5par_group *g = NULL;
    OK(h5par_group_open(f, "g//sub/", &g));
    OK(h5par_group_path(g, pbuf, sizeof pbuf, NULL));
    EXPECT(strcmp(pbuf, "/g/sub") == 0);
    OK(h5par_group_nmembers(g, &n));
    EXPECT(n == 1);
    OK(h5par_group_close(g));
    CHECK(h5par_group_open(f, "/ar", &g), H5PAR_ERR_TYPE);
    EXPECT(g == NULL);
    CHECK(h5par_group_open(f, "/nope", &g), H5PAR_ERR_NOT_FOUND);
    EXPECT(kind(f, "/soft", 0) == H5PAR_KIND_SOFT_LINK);
    EXPECT(kind(f, "/soft", 1) == H5PAR_KIND_DATASET);
    EXPECT(kind(f, "/dangle", 0) == H5PAR_KIND_SOFT_LINK);
    EXPECT(kind(f, "/dangle", 1) == H5PAR_KIND_NONE);
    EXPECT(kind(f, "/ext", 1) == H5PAR_KIND_EXTERNAL_LINK);
    EXPECT(kind(f, "/nope/deeper", 0) == H5PAR_KIND_NONE);
    EXPECT(kind(f, "/", 0) == H5PAR_KIND_GROUP);
    char t[64], tf[64];
    size_t tl = 0, tfl = 0;
    OK(h5par_link_target(f, "/soft", t, sizeof t, &tl, tf, sizeof tf, &tfl));
    EXPECT(strcmp(t, "/g/sub/d") == 0 && strcmp(tf, "") == 0 && tl == 9);
    OK(h5par_link_target(f, "/ext", t, sizeof t, &tl, tf, sizeof tf, &tfl));
    EXPECT(strcmp(t, "/x") == 0 && strcmp(tf, "other.h5") == 0);
    CHECK(h5par_link_target(f, "/ar", t, sizeof t, NULL, NULL, 0, NULL), H5PAR_ERR_TYPE);
    /* Attributes of any shape and type. */
    size_t na = 0;
    OK(h5par_attr_count(f, "/g", &na));
    EXPECT(na == 4);
    char an[16];
    OK(h5par_attr_name(f, "/g", 0, an, sizeof an, NULL));
    EXPECT(strcmp(an, "flag") == 0);
    int nd = 0;
    uint64_t adims[32];
    OK(h5par_attr_type(f, "/g", "nd", t, sizeof t, NULL, &nd, adims));
    EXPECT(strcmp(t, "f8") == 0 && nd == 2 && adims[0] == 2 && adims[1] == 3);
    double nv[6];
    OK(h5par_attr_read_typed(f, "/g", "nd", NULL, nv, sizeof nv));
    EXPECT(nv[0] == 0 && nv[5] == 5);
    CHECK(h5par_attr_read_typed(f, "/g", "nd", NULL, nv, 8), H5PAR_ERR_SHAPE);
    OK(h5par_attr_type(f, "/g", "names", t, sizeof t, NULL, &nd, adims));
    EXPECT(strcmp(t, "S4") == 0 && nd == 1 && adims[0] == 3);
    char sv[3][4];
    OK(h5par_attr_read_typed(f, "/g", "names", NULL, sv, sizeof sv));
    EXPECT(memcmp(sv[1], "cd\0\0", 4) == 0 && memcmp(sv[2], "e\0\0\0", 4) == 0);
    unsigned char flag = 9;
    OK(h5par_attr_read_typed(f, "/g", "flag", "b1", &flag, 1));
    EXPECT(flag == 1);
    double z[2];
    OK(h5par_attr_read_typed(f, "/g", "z", "c16", z, sizeof z));
    EXPECT(z[0] == 1 && z[1] == -1);
    CHECK(h5par_attr_read_typed(f, "/g", "z", "f8", z, 8), H5PAR_ERR_TYPE);
  }

  /* Types: described, read. */
  h5par_dataset *d = open_ds(f, "s");
  EXPECT(strcmp(type_of(d), "S5") == 0);
  int code = -1;
  OK(h5par_dataset_info(d, &code, NULL, NULL));
  EXPECT(code == H5PAR_STRING);
  char s[4][8];
  memset(s, 'x', sizeof s);
  OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, NULL, "S8", s, sizeof s));
  EXPECT(strcmp(s[1], "cde") == 0 && strcmp(s[2], "fghij") == 0 && s[3][0] == 0);
  CHECK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, NULL, "f8", s, 32), H5PAR_ERR_TYPE);
  ERROR_SAYS("does not convert");
  OK(h5par_dataset_close(d));

  d = open_ds(f, "b");
  EXPECT(strcmp(type_of(d), "b1") == 0);
  OK(h5par_dataset_info(d, &code, NULL, NULL));
  EXPECT(code == H5PAR_BOOL);
  unsigned char b[4];
  OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){4}, H5PAR_BOOL, b));
  EXPECT(b[0] == 1 && b[1] == 0 && b[2] == 1 && b[3] == 1);
  OK(h5par_dataset_close(d));

  d = open_ds(f, "c64");
  EXPECT(strcmp(type_of(d), "c8") == 0);
  double c[2][2];
  OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){2}, H5PAR_COMPLEX128,
                        c));
  EXPECT(c[0][0] == 1 && c[0][1] == 2 && c[1][0] == 0 && c[1][1] == -3.5);
  OK(h5par_dataset_close(d));

  d = open_ds(f, "comp");
  EXPECT(strcmp(type_of(d), "{x:f8@0,y:i4@8}12") == 0);
  OK(h5par_dataset_info(d, &code, NULL, NULL));
  EXPECT(code == H5PAR_COMPOUND);
  struct {
    double x;
    int32_t y;
  } cs[2];
  OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, NULL, "{x:f8@0,y:i4@8}16", cs, sizeof cs));
  EXPECT(sizeof cs == 32 && cs[0].x == 1.5 && cs[0].y == 7 && cs[1].x == -2 && cs[1].y == 9);
  int32_t ys[2];
  OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, NULL, "{y:i4@0}4", ys, sizeof ys));
  EXPECT(ys[0] == 7 && ys[1] == 9);
  OK(h5par_dataset_close(d));

  d = open_ds(f, "be");
  double be[5];
  OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){5}, H5PAR_FLOAT64, be));
  EXPECT(be[1] == 1.25 && be[4] == 5.0);
  OK(h5par_dataset_close(d));
  d = open_ds(f, "bei");
  int32_t bei[3];
  OK(h5par_dataset_read(d, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){3}, H5PAR_INT32, bei));
  EXPECT(bei[0] == 1 && bei[1] == -2 && bei[2] == 300000);
  OK(h5par_dataset_close(d));

  /* Unsupported types open, describe themselves and refuse to be read, on every rank. */
  d = open_ds(f, "vlen");
  EXPECT(strcmp(type_of(d), "unsupported:variable-length string") == 0);
  OK(h5par_dataset_info(d, &code, NULL, NULL));
  EXPECT(code == H5PAR_UNSUPPORTED);
  char junk[64];
  CHECK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, NULL, "S8", junk, 16), H5PAR_ERR_TYPE);
  ERROR_SAYS("variable-length string");
  CHECK(h5par_dataset_read(d, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){2}, H5PAR_UINT8,
                           junk),
        H5PAR_ERR_TYPE);
  OK(h5par_dataset_close(d));
  d = open_ds(f, "opq");
  EXPECT(strncmp(type_of(d), "unsupported:opaque", 18) == 0);
  OK(h5par_dataset_close(d));

  /* Creation options read back. */
  d = open_ds(f, "fill");
  int chunked = 0, deflate = 0, shuffle = 0, has_fill = 0;
  uint64_t chunk[32];
  int64_t maxshape[32];
  float fv = 0;
  OK(h5par_dataset_storage(d, &chunked, chunk, maxshape, &deflate, &shuffle, &has_fill, &fv,
                           sizeof fv));
  EXPECT(chunked && chunk[0] == 4 && maxshape[0] == -1 && deflate == 4 && shuffle && has_fill);
  EXPECT(fv == -1.0f);
  float fl[6];
  /* Independent: a collective read that touches the unallocated chunk fails inside HDF5 1.10.8
   * (MPI_File_set_view / addr overflow, plain H5Dread as well), see the issue-12 report. */
  OK(h5par_dataset_read(d, H5PAR_INDEPENDENT, (uint64_t[]){0}, (uint64_t[]){6}, H5PAR_FLOAT32,
                        fl));
  EXPECT(fl[0] == 5 && fl[1] == 6 && fl[2] == -1 && fl[5] == -1);
  OK(h5par_dataset_close(d));

  /* Selections: strided, blocks, an index list; the last rank selects nothing. */
  d = open_ds(f, "ar");
  {
    uint64_t start = (uint64_t)rank, stride = 3, count = rank == size - 1 && size > 1 ? 0 : 33;
    h5par_selection sel = {1, &start, &stride, &count, NULL, -1, 0, NULL};
    double v[33];
    OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &sel, "f8", count ? v : NULL,
                              count * sizeof(double)));
    for (uint64_t i = 0; i < count; i++) EXPECT(v[i] == (double)(rank + 3 * i));
    uint64_t bstart = 1, bstride = 10, bcount = 3, block = 2;
    h5par_selection bs = {1, &bstart, &bstride, &bcount, &block, -1, 0, NULL};
    double w[6];
    OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &bs, "f8", w, sizeof w));
    EXPECT(w[0] == 1 && w[1] == 2 && w[2] == 11 && w[3] == 12 && w[5] == 22);
    uint64_t ix[] = {3, 5, 6, 7, 50};
    h5par_selection is = {1, &bstart, NULL, &bcount, NULL, 0, 5, ix};
    OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &is, "i4", w, 5 * 4));
    int32_t *iw = (int32_t *)w;
    EXPECT(iw[0] == 3 && iw[1] == 5 && iw[3] == 7 && iw[4] == 50);
    /* Out of range on one rank: an error on every rank. */
    uint64_t far = rank == 0 ? 99 : 0, one = 2;
    h5par_selection bad = {1, &far, &stride, &one, NULL, -1, 0, NULL};
    CHECK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &bad, "f8", w, 16),
          size == 1 || rank == 0 ? H5PAR_ERR_SHAPE : H5PAR_ERR_REMOTE);
    uint64_t unsorted[] = {5, 3};
    h5par_selection us = {1, &bstart, NULL, &bcount, NULL, 0, 2, unsorted};
    CHECK(h5par_dataset_read_sel(d, H5PAR_INDEPENDENT, &us, "f8", w, 16), H5PAR_ERR_SHAPE);
    ERROR_SAYS("strictly increasing");
  }
  OK(h5par_dataset_close(d));
  d = open_ds(f, "m");
  {
    /* m[1:3, [0, 2, 5]] */
    uint64_t start[] = {1, 0}, count[] = {2, 0}, ix[] = {0, 2, 5};
    h5par_selection sel = {2, start, NULL, count, NULL, 1, 3, ix};
    int64_t v[6];
    OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &sel, "i8", v, sizeof v));
    EXPECT(v[0] == 6 && v[1] == 8 && v[2] == 11 && v[3] == 12 && v[5] == 17);
    /* m[::2, 1::2] */
    uint64_t st[] = {0, 1}, sd[] = {2, 2}, ct[] = {2, 3};
    h5par_selection s2 = {2, st, sd, ct, NULL, -1, 0, NULL};
    OK(h5par_dataset_read_sel(d, H5PAR_COLLECTIVE, &s2, "i8", v, sizeof v));
    EXPECT(v[0] == 1 && v[1] == 3 && v[2] == 5 && v[3] == 13 && v[5] == 17);
  }
  OK(h5par_dataset_close(d));
  OK(h5par_file_close(f));
}

static h5par_dataset *create(h5par_file *f, const char *p, const char *type, uint64_t n,
                             const h5par_create *o) {
  h5par_dataset *d = NULL;
  OK(h5par_dataset_create_ex(f, p, type, 1, &n, o, &d));
  return d;
}

/* A file for h5py to check: types, options, strided writes, links, moves, deletions. */
static void write_for_h5py(void) {
  h5par_file *f = NULL;
  OK(h5par_file_create(MPI_COMM_WORLD, path_of("c.h5"), NULL, &f));
  uint64_t r = (uint64_t)rank;

  h5par_dataset *d = create(f, "strings", "S8", 2 * (uint64_t)size, NULL);
  char s[2][8];
  memset(s, 0, sizeof s);
  snprintf(s[0], 8, "r%d-0", rank);
  snprintf(s[1], 8, "r%d-1", rank);
  uint64_t start = 2 * r, count = 2;
  h5par_selection sel = {1, &start, NULL, &count, NULL, -1, 0, NULL};
  OK(h5par_dataset_write_sel(d, H5PAR_COLLECTIVE, &sel, NULL, s, sizeof s));
  OK(h5par_dataset_close(d));

  d = create(f, "bools", "b1", (uint64_t)size, NULL);
  unsigned char b = rank % 2 == 0;
  OK(h5par_dataset_write(d, H5PAR_COLLECTIVE, &r, (uint64_t[]){1}, H5PAR_BOOL, &b));
  OK(h5par_dataset_close(d));

  d = create(f, "cplx", "c16", (uint64_t)size, NULL);
  double c[2] = {(double)rank, -(double)rank};
  OK(h5par_dataset_write(d, H5PAR_COLLECTIVE, &r, (uint64_t[]){1}, H5PAR_COMPLEX128, c));
  OK(h5par_dataset_close(d));

  d = create(f, "comp", "{x:f8@0,y:i4@8}16", (uint64_t)size, NULL);
  struct {
    double x;
    int32_t y;
  } cs = {rank + 0.5, 10 * rank};
  start = r;
  count = 1;
  OK(h5par_dataset_write_sel(d, H5PAR_COLLECTIVE, &sel, NULL, &cs, sizeof cs));
  OK(h5par_dataset_close(d));

  /* Fill value, shuffle, deflate, unlimited maxshape; nothing written. */
  h5par_create o;
  h5par_create_init(&o);
  uint64_t chunk = 16;
  int64_t unlimited = -1;
  int32_t seven = 7;
  o.chunk = &chunk;
  o.maxshape = &unlimited;
  o.deflate = 5;
  o.shuffle = 1;
  o.fill = &seven;
  o.fill_type = "i4";
  d = create(f, "filled", "f8", 4 * (uint64_t)size, &o);
  int chunked = 0, deflate = 0, shuffle = 0, has_fill = 0;
  int64_t maxshape = 0;
  double fv = 0;
  OK(h5par_dataset_storage(d, &chunked, NULL, &maxshape, &deflate, &shuffle, &has_fill, &fv,
                           sizeof fv));
  EXPECT(chunked && maxshape == -1 && deflate == 5 && shuffle && has_fill && fv == 7.0);
  OK(h5par_dataset_close(d));
  /* A chunk shape alone no longer makes the dataset extendible. */
  h5par_create_init(&o);
  chunk = 2;
  o.chunk = &chunk;
  d = create(f, "chunked_fixed", "i2", 4 * (uint64_t)size, &o);
  OK(h5par_dataset_storage(d, &chunked, NULL, &maxshape, NULL, NULL, &has_fill, NULL, 0));
  EXPECT(chunked && maxshape == 4 * size && !has_fill);
  OK(h5par_dataset_close(d));
  /* Variable-length types cannot be written by parallel HDF5: said on every rank. */
  h5par_dataset *v = NULL;
  uint64_t one = 1;
  CHECK(h5par_dataset_create_ex(f, "vl", "O", 1, &one, NULL, &v), H5PAR_ERR_TYPE);
  ERROR_SAYS("parallel HDF5");
  EXPECT(v == NULL);

  /* Strided write: rank r writes elements r, r + size, ... */
  d = create(f, "strided", "f8", 2 * (uint64_t)size, NULL);
  uint64_t st = r, sd = (uint64_t)size, ct = 2;
  h5par_selection ss = {1, &st, &sd, &ct, NULL, -1, 0, NULL};
  double vals[2] = {(double)rank, (double)rank};
  OK(h5par_dataset_write_sel(d, H5PAR_COLLECTIVE, &ss, "f8", vals, sizeof vals));
  OK(h5par_dataset_close(d));

  /* Links, moves, deletions, attributes. */
  OK(h5par_link_soft(f, "link", "/strided"));
  OK(h5par_link_external(f, "elink", "h5py.h5", "/ar"));
  OK(h5par_link_external(f, "missing", "no-such-file.h5", "/ar"));
  {
    /* A missing target file names the link. */
    int k = -1;
    h5par_group *g = NULL;
    h5par_dataset *ed = NULL;
    h5par_file *t = NULL;
    CHECK(h5par_object_open(f, "missing", &k, &g, &ed, &t), H5PAR_ERR_NOT_FOUND);
    ERROR_SAYS("/missing is an external link");
    OK(h5par_object_delete(f, "missing"));
    /* Through elink: h5py.h5 opened read-write, as c.h5 is. */
    OK(h5par_object_open(f, "elink", &k, &g, &ed, &t));
    EXPECT(k == H5PAR_KIND_DATASET && ed != NULL && t != NULL);
    OK(h5par_dataset_close(ed));
    OK(h5par_file_close(t));
  }
  CHECK(h5par_link_soft(f, "link", "/x"), H5PAR_ERR_EXISTS);
  OK(h5par_group_create(f, "before_move"));
  OK(h5par_object_move(f, "before_move", "moved/here"));
  CHECK(h5par_object_move(f, "before_move", "x"), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_object_move(f, "moved", "moved/here/inside"), H5PAR_ERR_INVALID);
  OK(h5par_group_create(f, "deleted/sub"));
  OK(h5par_object_delete(f, "deleted"));
  CHECK(h5par_object_delete(f, "deleted"), H5PAR_ERR_NOT_FOUND);
  CHECK(h5par_object_delete(f, "/"), H5PAR_ERR_INVALID);
  int32_t nd[6] = {0, 1, 2, 3, 4, 5};
  OK(h5par_attr_write_typed(f, "moved/here", "nd", "i4", 2, (uint64_t[]){2, 3}, nd, sizeof nd));
  char tags[2][3] = {{'a', 'b', 0}, {'x', 'y', 'z'}};
  OK(h5par_attr_write_typed(f, "moved/here", "tags", "S3", 1, (uint64_t[]){2}, tags,
                            sizeof tags));
  OK(h5par_attr_write_typed(f, "moved/here", "dropped", "f8", 0, NULL, &fv, sizeof fv));
  OK(h5par_attr_delete(f, "moved/here", "dropped"));
  CHECK(h5par_attr_delete(f, "moved/here", "dropped"), H5PAR_ERR_NOT_FOUND);
  /* A value that differs between ranks is every rank's error. */
  if (size > 1) {
    int32_t mine = rank;
    CHECK(h5par_attr_write_typed(f, "/", "differs", "i4", 0, NULL, &mine, 4), H5PAR_ERR_MISMATCH);
  }

  /* Adversarial: one rank skips a collective change, or makes it twice. */
  if (size > 1) {
    OK(h5par_group_create(f, "gone"));
    int st1 = rank == 0 ? h5par_link_soft(f, "skipper", "/x") : h5par_object_delete(f, "gone");
    EXPECT(st1 == H5PAR_ERR_MISMATCH);
    ERROR_SAYS("h5par_object_delete");
    ERROR_SAYS("h5par_link_soft");
    /* The ranks are back in step: the delete on every rank works. */
    OK(h5par_object_delete(f, "gone"));
    OK(h5par_group_create(f, "twice"));
    OK(h5par_object_delete(f, "twice"));
    int st2 = rank == 0 ? h5par_object_delete(f, "twice") : h5par_object_move(f, "link", "l2");
    EXPECT(st2 != H5PAR_OK);
    ERROR_SAYS("h5par_object_move");
  }

  /* The h5py habit: rank 0 writes /x alone (collective by default), the others close. */
  if (size > 1) {
    h5par_dataset *x = create(f, "x", "f8", 4, NULL);
    int st3;
    if (rank == 0) {
      double one4[4] = {1, 2, 3, 4};
      st3 = h5par_dataset_write(x, H5PAR_COLLECTIVE, (uint64_t[]){0}, (uint64_t[]){4},
                                H5PAR_FLOAT64, one4);
    } else {
      st3 = h5par_file_close(f);
      EXPECT(h5par_file_is_open(f) == 1);
    }
    EXPECT(st3 == H5PAR_ERR_MISMATCH);
    /* Every rank is told which rank is in which call, and what to do. */
    ERROR_SAYS("rank 0");
    ERROR_SAYS("h5par_dataset_write");
    ERROR_SAYS("h5par_file_close");
    ERROR_SAYS("empty selection");
    if (failures) fprintf(stderr, "rank %d: the message was: %s\n", rank, h5par_last_error());
    OK(h5par_dataset_close(x));
  }
  OK(h5par_file_close(f));
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 2) {
    fprintf(stderr, "usage: test_objects DIR\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  dir = argv[1];
  read_h5py();
  write_for_h5py();
  if (failures == 0) printf("rank %d: ok\n", rank);
  fflush(stdout);
  MPI_Finalize();
  return failures ? 1 : 0;
}
