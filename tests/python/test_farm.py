"""The task farm from Python (h5par.farm): map, run, the executor, failures, retries, the
journal and rows into one HDF5 file; run under mpirun on 1, 2 and 3 ranks by
run_python_tests.sh."""

import os
import tempfile

import numpy as np
import pytest
from mpi4py import MPI

import h5par
import h5par.farm as farm

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="h5par-farm-py-") if rank == 0 else None
    d = comm.bcast(d, root=0)
    yield d
    comm.Barrier()


def square(x):
    return x * x


def test_map_results_in_order_on_rank_0_only():
    for n in (0, 1, max(size - 1, 0), 1000):
        out = farm.map(square, range(n), comm=comm, progress="off")
        if rank == 0:
            assert out == [x * x for x in range(n)]
        else:
            assert out is None


def test_every_rank_works_and_values_may_be_any_picklable():
    out = farm.map(lambda x: (x, MPI.COMM_WORLD.Get_rank(), {"s": str(x)}), range(2000),
                   comm=comm, progress="off")
    if rank == 0:
        assert [o[0] for o in out] == list(range(2000))
        assert out[7][2] == {"s": "7"}
        assert len({o[1] for o in out}) == size


def bad(x):
    if x == 3:
        raise ValueError("three is bad")
    return x


def test_exceptions_are_failures_with_their_traceback():
    with pytest.raises(farm.FarmError) as e:
        farm.map(bad, range(10), comm=comm, progress="off", retries=1)
    assert e.value.summary["failed"] == 1 and e.value.summary["retried"] == 1
    assert "failed: task 3 after 2 attempt(s)" in str(e.value)
    if rank == 0:
        assert "ValueError: three is bad" in e.value.failures[3]
        assert "Traceback" in e.value.failures[3]
    out = farm.map(bad, range(10), comm=comm, progress="off", return_exceptions=True)
    if rank == 0:
        assert isinstance(out[3], farm.TaskFailed) and "three is bad" in str(out[3])
        assert out[4] == 4


def test_a_failed_attempt_is_retried(tmp):
    def once(x):
        marker = os.path.join(tmp, "tried-%d" % x)
        if x % 5 == 0 and not os.path.exists(marker):
            open(marker, "w").write(str(MPI.COMM_WORLD.Get_rank()))
            raise RuntimeError("first attempt of %d fails" % x)
        return x
    out = farm.map(once, range(50), comm=comm, progress="off", retries=2)
    if rank == 0:
        assert out == list(range(50))


def test_journal_resume_and_wrong_journal(tmp):
    j = os.path.join(tmp, "j.journal")
    first = farm.map(square, range(100), comm=comm, journal=j, progress="off")

    def never(x):
        raise AssertionError("a journaled task ran again")
    again = farm.map(never, range(100), comm=comm, journal=j, progress="off",
                     identity=farm._identity(list(range(100))))
    if rank == 0:
        assert again == first == [x * x for x in range(100)]
    with pytest.raises(h5par.H5parError) as e:
        farm.map(square, range(101), comm=comm, journal=j, progress="off")
    assert "another task list" in str(e.value)


def test_records_csv(tmp):
    csv = os.path.join(tmp, "r.csv")
    farm.map(square, range(20), comm=comm, records=csv, progress="off")
    if rank == 0:
        lines = open(csv).read().splitlines()
        assert lines[0] == "task,rank,start,end,attempts,status,message"
        assert len(lines) == 21 and all(",done," in l for l in lines[1:])


def test_rows_into_one_hdf5_file(tmp):
    path = os.path.join(tmp, "rows.h5")
    with h5par.File(path, "w", comm=comm) as f:
        f.create_dataset("rows", shape=(64, 3), dtype="f8")
    with h5par.File(path, "r+", comm=comm) as f:
        d = f["rows"]

        def write_row(i):
            d.write_at((i, 0), np.array([[i, i * i, -i]], dtype="f8"), collective=False)
            return i
        farm.map(write_row, range(64), comm=comm, progress="off")
        back = d[...]
    i = np.arange(64.0)
    assert np.array_equal(back, np.stack([i, i * i, -i], axis=1))


def test_run_callback_streams_results():
    seen = []
    s = farm.run(lambda i: i + 1, 500, lambda i, ok, v, replayed: seen.append((i, v)),
                 comm=comm, progress="off")
    assert s["done"] == 500 and s["ranks"] == size
    if rank == 0:
        assert sorted(seen) == [(i, i + 1) for i in range(500)]
    else:
        assert seen == []


def test_executor_submit_map_and_as_completed():
    with farm.FarmExecutor(comm) as ex:
        if ex is not None:
            assert rank == 0
            futs = [ex.submit(square, x) for x in range(30)]
            assert [f.result() for f in futs] == [x * x for x in range(30)]
            assert list(ex.map(square, range(10))) == [x * x for x in range(10)]
            more = [ex.submit(pow, 2, k) for k in range(8)]
            got = sorted(f.result() for f in farm.as_completed(more))
            assert got == [2 ** k for k in range(8)]
            failing = ex.submit(bad, 3)
            assert isinstance(failing.exception(), farm.TaskFailed)
            assert "three is bad" in str(failing.exception())
            assert ex.rounds == 4
        else:
            assert rank != 0


def flaky_once(tmp):
    def f(x):
        if x in (12345, 19999):
            marker = os.path.join(tmp, "chunk-tried-%d" % x)
            if not os.path.exists(marker):
                open(marker, "w").close()
                raise RuntimeError("first attempt of %d fails" % x)
        return x + 1
    return f


def test_batched_map_keeps_order_and_retries_a_failing_item_alone(tmp):
    # 20,000 short items: map runs them in chunks; the items that raise inside a chunk are
    # retried alone, the others of their chunk are kept.
    out = farm.map(flaky_once(tmp), range(20000), comm=comm, progress="off", retries=1)
    if rank == 0:
        assert out == [x + 1 for x in range(20000)]


def always_bad(x):
    if x == 15000:
        raise KeyError("item 15000 is bad")
    if x == 17000:
        return lambda: None          # does not pickle: that item alone fails
    return -x


def test_batched_map_failures_name_the_item_on_every_rank():
    with pytest.raises(farm.FarmError) as e:
        farm.map(always_bad, range(20000), comm=comm, progress="off", retries=2)
    s = e.value.summary
    assert s["failed"] == 2 and s["done"] == 19998 and s["tasks"] == 20000
    assert "failed: task 15000 after 3 attempt(s)" in str(e.value)
    assert "failed: task 17000 after 3 attempt(s)" in str(e.value)
    assert s["chunks"] < 20000              # it did batch
    if rank == 0:
        assert "KeyError: 'item 15000 is bad'" in e.value.failures[15000]
    out = farm.map(always_bad, range(20000), comm=comm, progress="off", return_exceptions=True)
    if rank == 0:
        assert isinstance(out[15000], farm.TaskFailed) and isinstance(out[17000], farm.TaskFailed)
        assert out[14999] == -14999 and out[19999] == -19999
