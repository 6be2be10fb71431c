"""h5par's distributed vectors from Python (h5par.Map, Vector, Export, Import, CsrMatrix, cg,
read_vector/write_vector), run by run_python_tests.sh with pytest on 1, 2 and 3 ranks.
Results are checked against numpy computations of the whole problem made on every rank."""

import os
import tempfile

import numpy as np
import pytest
from mpi4py import MPI

import h5par

comm = MPI.COMM_WORLD
rank, size = comm.rank, comm.size


def lists(seed, n, overlap):
    """Per-rank gid lists (the same on every rank): a permutation dealt out, or random
    overlapping subsets covering 0..n-1 (the last rank empty when size > 1)."""
    rng = np.random.default_rng(seed)
    if not overlap:
        owner = rng.integers(0, size, n)
        perm = rng.permutation(n)
        return [perm[owner[perm] == r] for r in range(size)]
    holders = max(size - 1, 1)
    hold = rng.random((holders, n)) < 0.4
    hold[rng.integers(0, holders, n), np.arange(n)] = True
    out = [rng.permutation(np.flatnonzero(hold[r])) for r in range(holders)]
    return out + [np.array([], dtype=np.int64)] * (size - holders)


def vec(m, values):
    v = h5par.Vector(m)
    v.array[:] = values
    return v


def test_array_is_a_view_and_ops_match_numpy():
    L = lists(1, 200, overlap=False)
    m = h5par.Map(L[rank], comm)
    assert m.one_to_one and m.global_size == 200 and m.local_size == len(L[rank])
    assert np.array_equal(m.gids, L[rank])
    allg = np.concatenate(L)
    f = lambda g: np.sin(g) * 10  # noqa: E731
    x, y = vec(m, f(L[rank])), vec(m, np.cos(L[rank]))
    a = x.array
    a[:] += 1.0
    assert np.array_equal(x.array, f(L[rank]) + 1.0)     # the same memory
    a[:] -= 1.0
    gx, gy = f(allg), np.cos(allg)
    assert np.isclose(x.dot(y), gx @ gy)
    assert np.isclose(x.norm2(), np.linalg.norm(gx))
    assert np.isclose(x.norm1(), np.abs(gx).sum())
    assert x.norminf() == np.abs(gx).max()
    assert np.isclose(x.sum(), gx.sum()) and np.isclose(x.mean(), gx.mean())
    assert x.max_loc() == (gx.max(), allg[np.argmax(gx)])
    assert x.min_loc() == (gx.min(), allg[np.argmin(gx)])
    z = vec(m, y.array)
    z.axpy(2.0, x).axpby(-1.0, x, 0.5).multiply(x).scale(3.0)
    want = ((np.cos(L[rank]) + 2 * f(L[rank])) * 0.5 - f(L[rank])) * f(L[rank]) * 3.0
    assert np.allclose(z.array, want)


def test_incompatible_maps_fail_on_every_rank():
    a = h5par.Vector(h5par.Map.block(10, comm))
    b = h5par.Vector(h5par.Map.block(11, comm))
    with pytest.raises(h5par.InvalidError):
        a.dot(b)
    with pytest.raises(h5par.InvalidError):
        a.axpy(1.0, b)


@pytest.mark.parametrize("mode", ["insert", "add", "average", "absmax", "max", "min", "zero"])
def test_export_and_reverse_every_mode(mode):
    n = 50
    S, T = lists(2, n, overlap=True), lists(3, n, overlap=False)
    sm, tm = h5par.Map(S[rank], comm), h5par.Map(T[rank], comm)
    sval = lambda r, g: (g * 7 + r * 3) % 11 - 5.0  # noqa: E731
    tval = lambda r, g: (g * 5 + r) % 13 - 6.0  # noqa: E731
    plan = h5par.Export(sm, tm)
    x = vec(sm, sval(rank, S[rank]))
    y = vec(tm, tval(rank, T[rank]))
    plan.forward(x, y, mode)
    for l, g in enumerate(T[rank]):
        cs = [sval(r, g) for r in range(size) if g in S[r]]
        old = tval(rank, g)
        want = {"add": old + sum(cs), "average": np.mean(cs),
                "absmax": max([abs(old)] + [abs(c) for c in cs]),
                "max": max([old] + cs), "min": min([old] + cs), "zero": 0.0}.get(mode)
        if mode == "insert":
            assert y.array[l] in cs
        else:
            assert np.isclose(y.array[l], want), (mode, g, y.array[l], want, cs)
    # Reverse: every source element receives its gid's one target value.
    if mode in ("insert", "add"):
        x2 = vec(sm, np.zeros(len(S[rank])))
        plan.reverse(y, x2, mode)
        tv = {}
        owner_vals = comm.allgather(dict(zip(T[rank].tolist(), y.array.tolist())))
        for d in owner_vals:
            tv.update(d)
        assert np.array_equal(x2.array, [tv[g] for g in S[rank]])


def test_average_is_the_mean_of_three():
    if size < 3:
        pytest.skip("needs 3 ranks (runs on 3 in run_python_tests.sh)")
    unique = h5par.Map.block(1, comm)
    shared = h5par.Map([0] if rank < 3 else [], comm)
    x = vec(shared, [rank + 1.0] * shared.local_size)
    u = h5par.Vector(unique)
    h5par.Export(shared, unique).forward(x, u, "average")
    if rank == 0:
        assert u.array[0] == 2.0     # Epetra 13.2's Average gives 2.25


def test_bad_mode_on_one_rank_fails_everywhere():
    m = h5par.Map.block(8, comm)
    p = h5par.Export(m, m)
    with pytest.raises(h5par.H5parError):
        p.forward(h5par.Vector(m), h5par.Vector(m), "sum" if rank == size - 1 else "add")


def test_csr_and_cg_against_numpy():
    n = 30
    rng = np.random.default_rng(7)
    B = rng.random((n, n)) - 0.5
    dense = B + B.T + n * np.eye(n)
    m = h5par.Map(lists(4, n, overlap=False)[rank], comm)
    A = h5par.CsrMatrix(m)
    # Every rank inserts a share of every row (off-rank contributions summed at fill).
    for i in range(n):
        cols = np.arange(n)[rank::size]
        A.insert(i, cols, dense[i, cols])
    A.fill_complete()
    xv = np.arange(n, dtype=float)
    x = vec(m, xv[m.gids])
    y = A @ x
    assert np.allclose(y.array, (dense @ xv)[m.gids])
    b = vec(m, np.ones(m.local_size))
    for jacobi in (False, True):
        sol, info = h5par.cg(A, b, max_iterations=200, tol=1e-12, jacobi=jacobi)
        assert info["converged"] and info["relative_residual"] <= 1e-12
        assert np.allclose(sol.array, np.linalg.solve(dense, np.ones(n))[m.gids], atol=1e-9)
    sol, info = h5par.cg(A, b, max_iterations=1, tol=1e-15)
    assert not info["converged"] and info["iterations"] == 1


def test_write_any_map_read_with_h5py_and_another_map():
    d = comm.bcast(tempfile.mkdtemp(prefix="h5par-vec-") if rank == 0 else None)
    path = os.path.join(d, "v.h5")
    L = lists(5, 77, overlap=False)
    m = h5par.Map(L[rank], comm)
    v = vec(m, L[rank] * 0.25)
    with h5par.File(path, "w", comm=comm) as f:
        h5par.write_vector(f, "v", v)
        if size > 1:   # an overlapping map cannot be written: an error on every rank
            with pytest.raises(h5par.H5parError):
                h5par.write_vector(f, "o", h5par.Vector(h5par.Map([0], comm)))
    if rank == 0:
        import h5py
        with h5py.File(path, "r") as h:
            assert np.array_equal(h["v"][...], np.arange(77) * 0.25)
    comm.Barrier()
    over = h5par.Map(lists(6, 77, overlap=True)[rank], comm)
    with h5par.File(path, "r", comm=comm) as f:
        w = h5par.read_vector(f, "v", over)
        assert np.array_equal(w.array, over.gids * 0.25)
        with pytest.raises(h5par.H5parError):
            h5par.read_vector(f, "missing", over)
    comm.Barrier()
    if rank == 0:
        os.remove(path)
        os.rmdir(d)


def test_timesteps_written_and_read_into_one_vector():
    """PETSc's timestepping layout [T, N] from Python: steps written from a permuted map, read
    back step by step into one existing Vector on another map (no new vector), checked with
    h5py; a step never written, a negative one and a plain read of a [T, N] dataset fail on
    every rank."""
    d = comm.bcast(tempfile.mkdtemp(prefix="h5par-vec-") if rank == 0 else None)
    path = os.path.join(d, "steps.h5")
    L = lists(8, 41, overlap=False)
    m = h5par.Map(L[rank], comm)
    v = h5par.Vector(m)
    with h5par.File(path, "w", comm=comm) as f:
        for t in (0, 2, 1):  # out of order: the dataset grows to 3 steps
            v.array[:] = L[rank] * 0.5 + t
            h5par.write_vector(f, "ts", v, step=t)
        with pytest.raises(h5par.H5parError):
            h5par.write_vector(f, "ts", v, step=-1 if rank == size - 1 else 3)
    if rank == 0:
        import h5py
        with h5py.File(path, "r") as h:
            assert h["ts"].shape == (3, 41)
            assert h["ts"].attrs["timestepping"] == 1
            for t in range(3):
                assert np.array_equal(h["ts"][t], np.arange(41) * 0.5 + t)
    comm.Barrier()
    over = h5par.Map(lists(9, 41, overlap=True)[rank], comm)
    out = h5par.Vector(over)
    view = out.array
    with h5par.File(path, "r", comm=comm) as f:
        for t in (2, 0, 1):
            w = h5par.read_vector(f, "ts", step=t, out=out)
            assert w is out
            assert np.array_equal(view, over.gids * 0.5 + t)
        fresh = h5par.read_vector(f, "ts", over, step=2)
        assert fresh is not out and np.array_equal(fresh.array, over.gids * 0.5 + 2)
        for bad in (dict(step=3), dict(step=-4), dict()):
            with pytest.raises(h5par.H5parError):
                h5par.read_vector(f, "ts", out=out, **bad)
    comm.Barrier()
    if rank == 0:
        os.remove(path)
        os.rmdir(d)
