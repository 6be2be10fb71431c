/* A PMPI profiling shim for the metadata benchmarks: counts the collective MPI calls a run
 * makes and the time spent in them, per rank, and prints one JSON line per rank at
 * MPI_Finalize (to stderr). A non-blocking allreduce is timed from its start to the MPI_Test
 * or MPI_Wait that completes it (one outstanding request is tracked: h5par's agreements have
 * one at a time).
 *
 *   mpicc.openmpi -shared -fPIC -O2 -o /tmp/libmpicount.so bench/mpi_count.c
 *   mpirun.openmpi -n 8 -x LD_PRELOAD=/tmp/libmpicount.so target/release/examples/metadata_bench ...
 *
 * Every MPI_Barrier on MPI_COMM_WORLD ends a phase: the counts since the previous one are
 * printed as phase 0, 1, 2, ... (the metadata benchmarks put a world barrier before the write,
 * between the write and the read, and after the read: phase 1 is the write, 2 the read).
 * Used by bench/metadata-profile.sh. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

enum { IALLREDUCE, ALLREDUCE, BCAST, BARRIER, ALLGATHER, ALLGATHERV, ALLTOALL, ALLTOALLV,
       REDUCE, GATHER, SCATTER, READ_AT_ALL, WRITE_AT_ALL, SET_VIEW, FILE_OPEN, TEST, N_CALLS };
static const char *names[N_CALLS] = {
    "Iallreduce", "Allreduce", "Bcast", "Barrier", "Allgather", "Allgatherv", "Alltoall",
    "Alltoallv", "Reduce", "Gather", "Scatter", "File_read_at_all", "File_write_at_all",
    "File_set_view", "File_open", "Test"};
static long count[N_CALLS];
static double secs[N_CALLS];
static MPI_Request pending = MPI_REQUEST_NULL;
static double pending_start;

#define TIMED(k, call)                    \
    do {                                  \
        double t0 = PMPI_Wtime();         \
        int rc = call;                    \
        secs[k] += PMPI_Wtime() - t0;     \
        count[k]++;                       \
        return rc;                        \
    } while (0)

int MPI_Iallreduce(const void *s, void *r, int n, MPI_Datatype t, MPI_Op o, MPI_Comm c,
                   MPI_Request *req) {
    int rc = PMPI_Iallreduce(s, r, n, t, o, c, req);
    count[IALLREDUCE]++;
    pending = *req;
    pending_start = PMPI_Wtime();
    return rc;
}
static void completed(MPI_Request before, MPI_Request *req, int done) {
    if (before != MPI_REQUEST_NULL && before == pending && done && *req == MPI_REQUEST_NULL) {
        secs[IALLREDUCE] += PMPI_Wtime() - pending_start;
        pending = MPI_REQUEST_NULL;
    }
}
int MPI_Test(MPI_Request *req, int *flag, MPI_Status *st) {
    MPI_Request before = *req;
    int rc = PMPI_Test(req, flag, st);
    count[TEST]++;
    completed(before, req, *flag);
    return rc;
}
int MPI_Wait(MPI_Request *req, MPI_Status *st) {
    MPI_Request before = *req;
    int rc = PMPI_Wait(req, st);
    completed(before, req, 1);
    return rc;
}
int MPI_Allreduce(const void *s, void *r, int n, MPI_Datatype t, MPI_Op o, MPI_Comm c) {
    TIMED(ALLREDUCE, PMPI_Allreduce(s, r, n, t, o, c));
}
int MPI_Bcast(void *b, int n, MPI_Datatype t, int root, MPI_Comm c) {
    TIMED(BCAST, PMPI_Bcast(b, n, t, root, c));
}
static int phase;
static void print_counts(const char *why) {
    int rank = 0;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char line[4096];
    int len = snprintf(line, sizeof line, "{\"mpi_count_rank\": %d, \"phase\": %d, \"at\": \"%s\"",
                       rank, phase++, why);
    for (int k = 0; k < N_CALLS; k++) {
        if (count[k])
            len += snprintf(line + len, sizeof line - len, ", \"%s\": [%ld, %.4f]", names[k],
                            count[k], secs[k]);
        count[k] = 0;
        secs[k] = 0;
    }
    snprintf(line + len, sizeof line - len, "}\n");
    fputs(line, stderr);
}
int MPI_Barrier(MPI_Comm c) {
    if (c == MPI_COMM_WORLD) print_counts("barrier");
    TIMED(BARRIER, PMPI_Barrier(c));
}
int MPI_Allgather(const void *s, int sn, MPI_Datatype st, void *r, int rn, MPI_Datatype rt,
                  MPI_Comm c) {
    TIMED(ALLGATHER, PMPI_Allgather(s, sn, st, r, rn, rt, c));
}
int MPI_Allgatherv(const void *s, int sn, MPI_Datatype st, void *r, const int *rn,
                   const int *d, MPI_Datatype rt, MPI_Comm c) {
    TIMED(ALLGATHERV, PMPI_Allgatherv(s, sn, st, r, rn, d, rt, c));
}
int MPI_Alltoall(const void *s, int sn, MPI_Datatype st, void *r, int rn, MPI_Datatype rt,
                 MPI_Comm c) {
    TIMED(ALLTOALL, PMPI_Alltoall(s, sn, st, r, rn, rt, c));
}
int MPI_Alltoallv(const void *s, const int *sn, const int *sd, MPI_Datatype st, void *r,
                  const int *rn, const int *rd, MPI_Datatype rt, MPI_Comm c) {
    TIMED(ALLTOALLV, PMPI_Alltoallv(s, sn, sd, st, r, rn, rd, rt, c));
}
int MPI_Reduce(const void *s, void *r, int n, MPI_Datatype t, MPI_Op o, int root, MPI_Comm c) {
    TIMED(REDUCE, PMPI_Reduce(s, r, n, t, o, root, c));
}
int MPI_Gather(const void *s, int sn, MPI_Datatype st, void *r, int rn, MPI_Datatype rt,
               int root, MPI_Comm c) {
    TIMED(GATHER, PMPI_Gather(s, sn, st, r, rn, rt, root, c));
}
int MPI_Scatter(const void *s, int sn, MPI_Datatype st, void *r, int rn, MPI_Datatype rt,
                int root, MPI_Comm c) {
    TIMED(SCATTER, PMPI_Scatter(s, sn, st, r, rn, rt, root, c));
}
int MPI_File_read_at_all(MPI_File f, MPI_Offset o, void *b, int n, MPI_Datatype t,
                         MPI_Status *s) {
    TIMED(READ_AT_ALL, PMPI_File_read_at_all(f, o, b, n, t, s));
}
int MPI_File_write_at_all(MPI_File f, MPI_Offset o, const void *b, int n, MPI_Datatype t,
                          MPI_Status *s) {
    TIMED(WRITE_AT_ALL, PMPI_File_write_at_all(f, o, b, n, t, s));
}
int MPI_File_set_view(MPI_File f, MPI_Offset d, MPI_Datatype e, MPI_Datatype ft,
                      const char *rep, MPI_Info info) {
    TIMED(SET_VIEW, PMPI_File_set_view(f, d, e, ft, rep, info));
}
int MPI_File_open(MPI_Comm c, const char *name, int mode, MPI_Info info, MPI_File *fh) {
    TIMED(FILE_OPEN, PMPI_File_open(c, name, mode, info, fh));
}
int MPI_Finalize(void) {
    print_counts("finalize");
    return PMPI_Finalize();
}
