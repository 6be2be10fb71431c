/* mpicc readme_example.c $(pkg-config --cflags --libs h5par) && mpirun -n 2 ./a.out out.h5 */
#include <h5par.h>
#include <stdio.h>

#define CHECK(call) do { int s_ = (call); if (s_ != H5PAR_OK) { \
    fprintf(stderr, "%s: %s\n", h5par_status_string(s_), h5par_last_error()); \
    MPI_Abort(MPI_COMM_WORLD, 1); } } while (0)

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);               /* h5par never initializes or finalizes MPI */
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    enum { N = 1000 };                    /* values per rank */
    double mine[N], back[N];
    for (int i = 0; i < N; i++) mine[i] = rank * N + i;

    h5par_file *f;
    h5par_dataset *d;
    uint64_t dims[1] = {(uint64_t)size * N}, off[1] = {(uint64_t)rank * N}, cnt[1] = {N};
    CHECK(h5par_file_create(MPI_COMM_WORLD, argc > 1 ? argv[1] : "out.h5", NULL, &f));
    CHECK(h5par_dataset_create(f, "run/x", H5PAR_FLOAT64, 1, dims, NULL, 0, &d));
    CHECK(h5par_dataset_write(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, mine));
    CHECK(h5par_attr_write_string(f, "run/x", "units", "m"));
    CHECK(h5par_dataset_read(d, H5PAR_COLLECTIVE, off, cnt, H5PAR_FLOAT64, back));
    CHECK(h5par_dataset_close(d));
    CHECK(h5par_file_close(f));           /* collective; the file appears at its path now */
    for (int i = 0; i < N; i++) if (back[i] != mine[i]) MPI_Abort(MPI_COMM_WORLD, 2);
    printf("rank %d: ok\n", rank);
    MPI_Finalize();
    return 0;
}
