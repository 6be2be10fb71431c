/* Checks shared by the C test programs (tests/c): each aborts the whole MPI job with the rank,
 * the line and h5par's last error, so that a failure is never mistaken for a hang. The program
 * sets `rank` (and `size`) after MPI_Init. */
#ifndef H5PAR_TESTS_CHECK_H
#define H5PAR_TESTS_CHECK_H

#include <stdio.h>

#include <mpi.h>

#include "h5par.h"

static int rank, size;

#define CHECK(call)                                                                        \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    if (rc_ != H5PAR_OK) {                                                                 \
      fprintf(stderr, "rank %d: line %d: %s failed (%d): %s\n", rank, __LINE__, #call, rc_, \
              h5par_last_error());                                                         \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                        \
    }                                                                                      \
  } while (0)

#define EXPECT(cond)                                                                       \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      fprintf(stderr, "rank %d: line %d: expected %s\n", rank, __LINE__, #cond);           \
      MPI_Abort(MPI_COMM_WORLD, 1);                                                        \
    }                                                                                      \
  } while (0)

/* A call that must fail on every rank (any status but OK). */
#define FAILS(call)                                                                        \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    EXPECT(rc_ != H5PAR_OK);                                                               \
  } while (0)

#endif
