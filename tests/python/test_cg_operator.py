"""h5par.cg over a matrix-free operator (a Python callable), run by run_python_tests.sh with
pytest on 1, 2 and 3 ranks: the same CG as for a CsrMatrix, Jacobi with a given diagonal, and a
callable raising on one rank only, which must be an error on every rank, not a hang."""

import numpy as np
import pytest
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size
N = 37
SHIFT = 0.2


class Laplacian:
    """(2 + SHIFT) x_i - x_{i-1} - x_{i+1}, through an Import of each rank's neighbours."""

    def __init__(self, unique):
        mine = unique.gids
        extra = np.setdiff1d(np.concatenate([mine - 1, mine + 1]), mine)
        extra = extra[(extra >= 0) & (extra < N)]
        self.halo = h5par.Map(np.concatenate([mine, extra]), comm)
        self.imp = h5par.Import(unique, self.halo)
        g = self.halo.gids
        pos = {int(v): i for i, v in enumerate(g)}
        self.left = np.array([pos.get(int(v) - 1, -1) for v in mine])
        self.right = np.array([pos.get(int(v) + 1, -1) for v in mine])
        self.here = np.array([pos[int(v)] for v in mine], dtype=np.int64)
        self.calls = 0
        self.fail_at = None

    def __call__(self, x, y):
        self.calls += 1
        h = h5par.Vector(self.halo)
        self.imp.forward(x, h, "insert")
        hv = np.append(h.array, 0.0)  # index -1: outside 0..N-1
        y.array[:] = (2 + SHIFT) * hv[self.here] - hv[self.left] - hv[self.right]
        if self.fail_at == self.calls and rank == 0:
            raise ValueError("the operator refuses on purpose")


def matrix(unique):
    A = h5par.CsrMatrix(unique)
    for g in unique.gids:
        cols = [c for c in (g - 1, g, g + 1) if 0 <= c < N]
        A.insert(g, cols, [2 + SHIFT if c == g else -1.0 for c in cols])
    A.fill_complete()
    return A


@pytest.fixture(params=["block", "permuted"])
def unique(request):
    if request.param == "block":
        return h5par.Map.block(N, comm)
    perm = np.random.default_rng(3).permutation(N)
    return h5par.Map(perm[rank::size], comm)


def rhs(m):
    b = h5par.Vector(m)
    b.array[:] = np.sin(0.3 * m.gids) + 0.1 * m.gids
    return b


def test_operator_matches_the_matrix(unique):
    op = Laplacian(unique)
    b = rhs(unique)
    xa, ia = h5par.cg(matrix(unique), b, tol=1e-12)
    xo, io = h5par.cg(op, b, tol=1e-12)
    assert io["converged"] and io["iterations"] == ia["iterations"]
    assert op.calls == io["iterations"] + 1
    assert np.allclose(xa.array, xo.array, atol=1e-10, rtol=0)
    dense = (2 + SHIFT) * np.eye(N) - np.eye(N, k=1) - np.eye(N, k=-1)
    want = np.linalg.solve(dense, np.sin(0.3 * np.arange(N)) + 0.1 * np.arange(N))
    assert np.allclose(xo.array, want[unique.gids], atol=1e-9)


def test_jacobi_needs_the_diagonal(unique):
    op = Laplacian(unique)
    b = rhs(unique)
    with pytest.raises(h5par.H5parError, match="diagonal"):
        h5par.cg(op, b, jacobi=True)
    d = h5par.Vector(unique).fill(2 + SHIFT)
    x, info = h5par.cg(op, b, tol=1e-12, jacobi=True, diagonal=d)
    assert info["converged"]


def test_raising_on_one_rank_fails_everywhere(unique):
    op = Laplacian(unique)
    op.fail_at = 3
    b = rhs(unique)
    x = h5par.Vector(unique)
    if rank == 0:
        with pytest.raises(ValueError, match="on purpose"):
            h5par.cg(op, b, x)
    else:
        with pytest.raises(h5par.H5parError, match="callback"):
            h5par.cg(op, b, x)
    assert np.all(x.array == 0.0)  # x is left as it was
    assert b.dot(b) > 0  # and the vectors still work on every rank


def test_vectors_given_to_the_callable_die_with_the_call(unique):
    kept = []

    def op(x, y):
        kept.append(x)
        y.array[:] = x.array

    b = rhs(unique)
    x, info = h5par.cg(op, b, tol=1e-12)
    assert info["converged"] and np.allclose(x.array, b.array)
    with pytest.raises(h5par.H5parError):
        kept[0].array


def test_not_callable_is_an_error():
    m = h5par.Map.block(N, comm)
    with pytest.raises(h5par.H5parError, match="callable"):
        h5par.cg(42, rhs(m))
