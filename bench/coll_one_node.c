/* coll_one_node: collective against independent MPI-IO on one node, with the hints given.
 *
 *   mpicc.openmpi -O2 -o coll_one_node bench/coll_one_node.c      (or mpicc.mpich)
 *   mpirun -n 4 ./coll_one_node [-d DIR] [-m MIB_PER_RANK] [-r REPEATS] [-s KIB] [KEY=VALUE ...]
 *
 * Each rank writes, then reads, its contiguous block of MIB_PER_RANK MiB (default 16) of one
 * shared file in DIR (default /dev/shm) -- or, with -s KIB, its pieces of KIB KiB interleaved
 * with the other ranks' (rank r holds pieces r, r + P, r + 2P, ...: a file view of a vector
 * type) -- with MPI_File_write_at_all/read_at_all (coll) and
 * MPI_File_write_at/read_at (indep), opened with the KEY=VALUE hints. The order of the four
 * operations is rotated per repeat, one untimed round runs first, buffers are malloc'd and
 * touched. Rank 0 prints the median GB/s (1e9 bytes/s, slowest rank) of each and the hints the
 * MPI library reports for the open file (MPI_File_get_info) for the keys given and the usual
 * collective-buffering keys.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *OPS[4] = {"write coll", "write indep", "read coll", "read indep"};

static MPI_Datatype view = MPI_DATATYPE_NULL; /* -s: the interleaved file view */

static double one(const char *path, MPI_Info info, int op, char *buf, MPI_Offset n, int rank) {
    MPI_File fh;
    int amode = op < 2 ? MPI_MODE_CREATE | MPI_MODE_WRONLY : MPI_MODE_RDONLY;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    if (MPI_File_open(MPI_COMM_WORLD, path, amode, info, &fh) != MPI_SUCCESS) {
        fprintf(stderr, "coll_one_node: cannot open %s\n", path);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Offset off = (MPI_Offset)rank * n;
    if (view != MPI_DATATYPE_NULL) {
        int piece;
        MPI_Type_size(view, &piece); /* bytes of one rank per view period (one piece) */
        MPI_File_set_view(fh, (MPI_Offset)rank * piece, MPI_BYTE, view, "native", info);
        off = 0;
    }
    const int chunk = 1 << 30;
    for (MPI_Offset done = 0; done < n; done += chunk) {
        int len = (int)(n - done < chunk ? n - done : chunk);
        switch (op) {
        case 0: MPI_File_write_at_all(fh, off + done, buf + done, len, MPI_BYTE, MPI_STATUS_IGNORE); break;
        case 1: MPI_File_write_at(fh, off + done, buf + done, len, MPI_BYTE, MPI_STATUS_IGNORE); break;
        case 2: MPI_File_read_at_all(fh, off + done, buf + done, len, MPI_BYTE, MPI_STATUS_IGNORE); break;
        default: MPI_File_read_at(fh, off + done, buf + done, len, MPI_BYTE, MPI_STATUS_IGNORE); break;
        }
    }
    MPI_File_close(&fh);
    double dt = MPI_Wtime() - t0, max;
    MPI_Allreduce(&dt, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return max;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const char *dir = "/dev/shm";
    long mib = 16;
    int reps = 7, opt;
    long kib = 0;
    while ((opt = getopt(argc, argv, "d:m:r:s:")) != -1) {
        if (opt == 'd') dir = optarg;
        else if (opt == 'm') mib = atol(optarg);
        else if (opt == 'r') reps = atoi(optarg);
        else if (opt == 's') kib = atol(optarg);
    }
    if (kib > 0) {
        MPI_Datatype piece;
        MPI_Type_contiguous((int)(kib << 10), MPI_BYTE, &piece);
        MPI_Type_create_resized(piece, 0, (MPI_Aint)(kib << 10) * size, &view);
        MPI_Type_commit(&view);
        MPI_Type_free(&piece);
    }
    if (mib < 1 || reps < 1) {
        if (rank == 0) fprintf(stderr, "usage: coll_one_node [-d DIR] [-m MIB] [-r REPS] [KEY=VALUE...]\n");
        MPI_Finalize();
        return 2;
    }
    MPI_Info info;
    MPI_Info_create(&info);
    for (int i = optind; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) continue;
        *eq = 0;
        MPI_Info_set(info, argv[i], eq + 1);
        *eq = '=';
    }
    char path[4096];
    int tag = (int)getpid();
    MPI_Bcast(&tag, 1, MPI_INT, 0, MPI_COMM_WORLD);
    snprintf(path, sizeof path, "%s/coll_one_node.%d.bin", dir, tag);
    MPI_Offset n = (MPI_Offset)mib << 20;
    char *buf = malloc((size_t)n);
    memset(buf, 1, (size_t)n);
    double *t = calloc(4 * (size_t)reps, sizeof *t);
    for (int op = 0; op < 4; op++) one(path, info, op, buf, n, rank); /* warm-up */
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < 4; i++) {
            int op = (i + r) % 4;
            t[op * reps + r] = one(path, info, op, buf, n, rank);
        }
    if (rank == 0) {
        char version[MPI_MAX_LIBRARY_VERSION_STRING];
        int len;
        MPI_Get_library_version(version, &len);
        char *nl = strchr(version, '\n');
        if (nl) *nl = 0;
        printf("coll_one_node: %d ranks x %ld MiB in %s, %s, median of %d; %s\n", size, mib, dir,
               kib > 0 ? "interleaved" : "contiguous blocks", reps, version);
        if (kib > 0) printf("interleaved in pieces of %ld KiB\n", kib);
        printf("hints given:");
        for (int i = optind; i < argc; i++) printf(" %s", argv[i]);
        printf("%s\n", optind < argc ? "" : " none");
        for (int op = 0; op < 4; op++) {
            qsort(t + op * reps, (size_t)reps, sizeof *t, cmp);
            double med = reps % 2 ? t[op * reps + reps / 2]
                                  : 0.5 * (t[op * reps + reps / 2 - 1] + t[op * reps + reps / 2]);
            printf("  %-12s %8.3f GB/s\n", OPS[op], (double)n * size / med / 1e9);
        }
        MPI_File fh;
        MPI_File_open(MPI_COMM_SELF, path, MPI_MODE_RDONLY, info, &fh);
        MPI_Info got;
        MPI_File_get_info(fh, &got);
        int nkeys;
        MPI_Info_get_nkeys(got, &nkeys);
        printf("hints reported (%d):", nkeys);
        for (int i = 0; i < nkeys; i++) {
            char key[MPI_MAX_INFO_KEY + 1], val[MPI_MAX_INFO_VAL + 1];
            int flag;
            MPI_Info_get_nthkey(got, i, key);
            MPI_Info_get(got, key, MPI_MAX_INFO_VAL, val, &flag);
            if (strstr(key, "cb") || strstr(key, "coll") || strstr(key, "ds_") ||
                strstr(key, "buffering"))
                printf(" %s=%s", key, val);
        }
        printf("\n");
        MPI_Info_free(&got);
        MPI_File_close(&fh);
        MPI_File_delete(path, MPI_INFO_NULL);
    }
    MPI_Info_free(&info);
    if (view != MPI_DATATYPE_NULL) MPI_Type_free(&view);
    free(buf);
    free(t);
    MPI_Finalize();
    return 0;
}
