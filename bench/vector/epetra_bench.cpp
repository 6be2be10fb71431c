// Epetra (Trilinos 13.2, Debian's libtrilinos-epetra-dev) side of the distributed-vector
// benchmark (bench/vector/run.sh): the same operations as h5par-vector-bench and
// petsc_bench.py, printing CSV rows "series,op,rep,value,unit" on rank 0.
//
//   mpic++ -O2 -o epetra_bench epetra_bench.cpp -I/usr/include/trilinos -ltrilinos_epetra
//   mpirun -n 2 ./epetra_bench REP N SAMPLES GRID
//
// AztecOO's headers are not packaged in Debian 12 (no libtrilinos-aztecoo-dev), so CG is the
// textbook loop over Epetra's kernels (Multiply, Dot, Norm2, Update), which is what AztecOO's
// unpreconditioned CG does per iteration.
#include <mpi.h>

#include <Epetra_CrsMatrix.h>
#include <Epetra_Export.h>
#include <Epetra_Map.h>
#include <Epetra_MpiComm.h>
#include <Epetra_Vector.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
#include <algorithm>

static int rank_;
static int rep_;

static void row(const char *op, double value, const char *unit) {
  if (rank_ == 0) printf("epetra,%s,%d,%.6g,%s\n", op, rep_, value, unit);
}

static double now() { return MPI_Wtime(); }

// Median of several timings of f (after one warm-up), synchronised by barriers.
template <class F> static double timed(MPI_Comm comm, int times, F f) {
  f();
  std::vector<double> t;
  for (int i = 0; i < times; i++) {
    MPI_Barrier(comm);
    double t0 = now();
    f();
    MPI_Barrier(comm);
    t.push_back(now() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  rep_ = argc > 1 ? atoi(argv[1]) : 0;
  long long n = argc > 2 ? atoll(argv[2]) : 50000000LL;
  long long samples = argc > 3 ? atoll(argv[3]) : 1000000LL;
  int grid = argc > 4 ? atoi(argv[4]) : 1000;
  Epetra_MpiComm comm(MPI_COMM_WORLD);

  {  // dot, axpy, norm2 on n doubles
    Epetra_Map map((int)n, 0, comm);
    Epetra_Vector x(map), y(map);
    x.PutScalar(1.0);
    y.PutScalar(2.0);
    double d;
    double t = timed(MPI_COMM_WORLD, 5, [&] { x.Dot(y, &d); });
    row("dot", 16.0 * n / t / 1e9, "GB/s");
    t = timed(MPI_COMM_WORLD, 5, [&] { y.Update(0.5, x, 1.0); });
    row("axpy", 24.0 * n / t / 1e9, "GB/s");
    t = timed(MPI_COMM_WORLD, 5, [&] { x.Norm2(&d); });
    row("norm2", 8.0 * n / t / 1e9, "GB/s");
  }

  {  // map-making: samples into random pixels of 12 * 1024^2, Export Add, reverse Import Insert
    const int npix = 12 * 1024 * 1024;
    std::mt19937_64 rng(1234 + rank_);
    std::uniform_int_distribution<int> pix(0, npix - 1);
    std::vector<int> hit(samples);
    for (auto &h : hit) h = pix(rng);
    std::vector<int> touched(hit);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    Epetra_Map sky(npix, 0, comm);
    Epetra_Map local(-1, (int)touched.size(), touched.data(), 0, comm);
    Epetra_Vector lv(local), sv(sky);
    lv.PutScalar(1.0);
    Epetra_Export *plan = nullptr;
    double t = timed(MPI_COMM_WORLD, 3, [&] {
      delete plan;
      plan = new Epetra_Export(local, sky);
    });
    row("plan_build", t, "s");
    t = timed(MPI_COMM_WORLD, 5, [&] {
      sv.PutScalar(0.0);
      sv.Export(lv, *plan, Add);
    });
    row("export_add", t, "s");
    t = timed(MPI_COMM_WORLD, 5, [&] { lv.Import(sv, *plan, Insert); });
    row("import_insert", t, "s");
    delete plan;
  }

  {  // 2-D Poisson on grid x grid: apply and CG iterations
    int N = grid * grid;
    Epetra_Map map(N, 0, comm);
    Epetra_CrsMatrix A(Copy, map, 5);
    int nl = map.NumMyElements();
    int *mine = map.MyGlobalElements();
    for (int k = 0; k < nl; k++) {
      int g = mine[k], i = g / grid, j = g % grid;
      int cols[5];
      double vals[5];
      int m = 0;
      if (i > 0) { cols[m] = g - grid; vals[m++] = -1.0; }
      if (j > 0) { cols[m] = g - 1; vals[m++] = -1.0; }
      cols[m] = g; vals[m++] = 4.0;
      if (j < grid - 1) { cols[m] = g + 1; vals[m++] = -1.0; }
      if (i < grid - 1) { cols[m] = g + grid; vals[m++] = -1.0; }
      A.InsertGlobalValues(g, m, vals, cols);
    }
    A.FillComplete();
    Epetra_Vector x(map), y(map), b(map), r(map), p(map), q(map);
    x.PutScalar(1.0);
    double t = timed(MPI_COMM_WORLD, 10, [&] { A.Multiply(false, x, y); });
    row("apply", t, "s");
    const int iters = 50;
    b.PutScalar(1.0);
    t = timed(MPI_COMM_WORLD, 3, [&] {
      x.PutScalar(0.0);
      r = b;
      p = r;
      double rr;
      r.Dot(r, &rr);
      for (int k = 0; k < iters; k++) {
        A.Multiply(false, p, q);
        double pq;
        p.Dot(q, &pq);
        double alpha = rr / pq;
        x.Update(alpha, p, 1.0);
        r.Update(-alpha, q, 1.0);
        double rn;
        r.Norm2(&rn);
        double beta = rn * rn / rr;
        rr = rn * rn;
        p.Update(1.0, r, beta);
      }
    });
    row("cg_iteration", t / iters, "s");
    row("cg_iterations", iters, "count");
  }

  {  // Average with three contributors (1, 2, 3 into one gid): Epetra's pairwise average
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size >= 3) {
      Epetra_Map one(1, 0, comm);
      int g = 0;
      Epetra_Map shared(-1, rank_ < 3 ? 1 : 0, &g, 0, comm);
      Epetra_Vector s(shared), u(one);
      s.PutScalar(rank_ + 1.0);
      Epetra_Export e(shared, one);
      u.Export(s, e, Average);
      if (rank_ == 0) printf("# epetra Average of 1, 2, 3 = %g\n", u[0]);
    }
  }
  MPI_Finalize();
  return 0;
}
