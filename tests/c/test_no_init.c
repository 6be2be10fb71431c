/* h5par before MPI_Init and after MPI_Finalize: errors, never a crash, and h5par never
 * initializes MPI itself. Run without mpirun (an MPI singleton).
 *
 * Usage: test_no_init DIR
 * Prints "rank 0: ok" when every check passed. Run by ffi/tests/c_abi.rs. */

#include <h5par.h>

#include <stdio.h>
#include <string.h>

static int failures;

#define EXPECT(cond)                                                                        \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      fprintf(stderr, "line %d: expected %s\n  last error: %s\n", __LINE__, #cond,           \
              h5par_last_error());                                                          \
      failures++;                                                                           \
    }                                                                                       \
  } while (0)

int main(int argc, char **argv) {
  char path[4096], late_path[4096];
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  snprintf(path, sizeof path, "%s/no_init.h5", argv[1]);
  snprintf(late_path, sizeof late_path, "%s/late.h5", argv[1]);

  /* Before MPI_Init. */
  h5par_file *f = (h5par_file *)&failures;
  EXPECT(h5par_file_create(MPI_COMM_WORLD, path, NULL, &f) == H5PAR_ERR_MPI);
  EXPECT(f == NULL);
  EXPECT(strstr(h5par_last_error(), "MPI_Init") != NULL);
  EXPECT(h5par_file_open(MPI_COMM_WORLD, path, H5PAR_READONLY, NULL, &f) == H5PAR_ERR_MPI);
  EXPECT(h5par_file_close(NULL) == H5PAR_ERR_HANDLE);
  EXPECT(h5par_group_create(NULL, "g") == H5PAR_ERR_HANDLE);
  h5par_options o;
  h5par_options_init(&o);
  EXPECT(o.tuning == 1);
  EXPECT(h5par_version()[0] != 0);
  int flag = 1;
  MPI_Initialized(&flag);
  EXPECT(flag == 0); /* h5par did not initialize MPI */

  /* With MPI. */
  MPI_Init(&argc, &argv);
  h5par_dataset *d;
  uint64_t n = 3;
  int32_t v[3] = {1, 2, 3};
  EXPECT(h5par_file_create(MPI_COMM_WORLD, path, NULL, &f) == H5PAR_OK);
  EXPECT(h5par_dataset_create(f, "v", H5PAR_INT32, 1, &n, NULL, 0, &d) == H5PAR_OK);
  uint64_t zero = 0;
  EXPECT(h5par_dataset_write(d, H5PAR_COLLECTIVE, &zero, &n, H5PAR_INT32, v) == H5PAR_OK);
  EXPECT(h5par_dataset_close(d) == H5PAR_OK);
  EXPECT(h5par_file_close(f) == H5PAR_OK);
  h5par_file *late;
  EXPECT(h5par_file_create(MPI_COMM_WORLD, late_path, NULL, &late) == H5PAR_OK);
  EXPECT(h5par_dataset_create(late, "v", H5PAR_INT32, 1, &n, NULL, 0, &d) == H5PAR_OK);
  MPI_Finalize();

  /* After MPI_Finalize: errors, and the handles are freed. */
  MPI_Finalized(&flag);
  EXPECT(flag == 1);
  uint64_t off = 0;
  EXPECT(h5par_dataset_write(d, H5PAR_COLLECTIVE, &off, &n, H5PAR_INT32, v) == H5PAR_ERR_MPI);
  EXPECT(h5par_dataset_close(d) == H5PAR_ERR_MPI);
  EXPECT(h5par_dataset_close(d) == H5PAR_ERR_HANDLE);
  EXPECT(h5par_group_create(late, "g") == H5PAR_ERR_MPI);
  EXPECT(h5par_file_close(late) == H5PAR_ERR_MPI);
  EXPECT(strstr(h5par_last_error(), "finalized") != NULL);
  EXPECT(h5par_file_close(late) == H5PAR_ERR_HANDLE);
  EXPECT(h5par_file_create(MPI_COMM_WORLD, path, NULL, &f) == H5PAR_ERR_MPI);

  if (failures == 0) printf("rank 0: ok\n");
  return failures == 0 ? 0 : 1;
}
