"""h5py's side of tests/c/test_objects.c (run by ffi/tests/c_abi.rs with serial h5py).

    python3 objects_h5py.py make DIR    writes DIR/h5py.h5 (and DIR/other.h5) for h5par to read
    python3 objects_h5py.py check DIR N reads DIR/c.h5 that test_objects wrote on N ranks

Prints "h5py: ok" when every check passed, else raises.
"""

import os
import sys

import h5py
import numpy as np


def make(d):
    with h5py.File(os.path.join(d, "other.h5"), "w") as o:
        o["x"] = np.arange(3, dtype="i4")
    with h5py.File(os.path.join(d, "h5py.h5"), "w") as f:
        kw = dict(chunks=True, compression="gzip", shuffle=True)
        f.create_dataset("s", data=np.array([b"ab", b"cde", b"fghij", b""], dtype="S5"), **kw)
        f.create_dataset("b", data=np.array([True, False, True, True]), **kw)
        f.create_dataset("c64", data=np.array([1 + 2j, -3.5j], dtype="c8"), **kw)
        f.create_dataset("c128", data=np.array([1 + 2j, 3 - 4j, 5j], dtype="c16"), **kw)
        comp = np.dtype([("x", "f8"), ("y", "i4")])  # packed: itemsize 12
        f.create_dataset("comp", data=np.array([(1.5, 7), (-2.0, 9)], dtype=comp), **kw)
        f["be"] = np.arange(5, dtype=">f8") * 1.25
        f["bei"] = np.array([1, -2, 300000], dtype=">i4")
        fl = f.create_dataset("fill", shape=(6,), dtype="f4", fillvalue=-1.0, chunks=(4,),
                              maxshape=(None,), compression="gzip", compression_opts=4,
                              shuffle=True)
        fl[0:2] = [5, 6]
        f["ar"] = np.arange(100, dtype="f8")
        f["m"] = np.arange(24, dtype="i8").reshape(4, 6)
        g = f.create_group("g/sub")
        g["d"] = np.arange(4, dtype="u2")
        f["soft"] = h5py.SoftLink("/g/sub/d")
        f["dangle"] = h5py.SoftLink("/nowhere")
        f["ext"] = h5py.ExternalLink("other.h5", "/x")
        f.create_dataset("vlen", data=["one", "three"], dtype=h5py.string_dtype())
        f.create_dataset("opq", data=np.array([b"\x01\x02\x03\x04"] * 2, dtype="V4"))
        gg = f["g"]
        gg.attrs["nd"] = np.arange(6, dtype="f8").reshape(2, 3)
        gg.attrs["names"] = np.array([b"ab", b"cd", b"e"], dtype="S4")
        gg.attrs["flag"] = np.bool_(True)
        gg.attrs["z"] = np.complex128(1 - 1j)
    print("h5py: ok")


def check(d, n):
    with h5py.File(os.path.join(d, "c.h5"), "r") as f:
        s = f["strings"]
        assert s.dtype == np.dtype("S8"), s.dtype
        want = [("r%d-%d" % (r, i)).encode() for r in range(n) for i in range(2)]
        assert list(s[...]) == want, s[...]
        assert f["bools"].dtype == np.bool_, f["bools"].dtype
        assert list(f["bools"][...]) == [r % 2 == 0 for r in range(n)]
        c = f["cplx"]
        assert c.dtype == np.complex128, c.dtype
        assert list(c[...]) == [complex(r, -r) for r in range(n)]
        comp = f["comp"]
        assert comp.dtype.names == ("x", "y"), comp.dtype
        assert list(comp["x"]) == [r + 0.5 for r in range(n)]
        assert list(comp["y"]) == [10 * r for r in range(n)]
        fl = f["filled"]
        assert fl.fillvalue == 7, fl.fillvalue
        assert fl.compression == "gzip" and fl.compression_opts == 5, fl.compression
        assert fl.shuffle, "shuffle"
        assert fl.maxshape == (None,), fl.maxshape
        assert fl.chunks == (16,), fl.chunks
        v = fl[...]
        assert v.shape == (4 * n,) and all(v == 7), v
        fixed = f["chunked_fixed"]
        assert fixed.chunks == (2,) and fixed.maxshape == (4 * n,), (fixed.chunks, fixed.maxshape)
        st = f["strided"][...]
        assert list(st) == [float(i % n) for i in range(2 * n)], st
        assert f.get("link", getlink=True).path == "/strided"
        assert list(f["link"][...]) == list(st)
        e = f.get("elink", getlink=True)
        assert isinstance(e, h5py.ExternalLink) and e.filename == "h5py.h5" and e.path == "/ar"
        assert "moved/here" in f and "before_move" not in f
        assert "deleted" not in f and "gone" not in f
        a = f["moved/here"].attrs
        assert a["nd"].shape == (2, 3) and a["nd"].dtype == np.int32, a["nd"]
        assert list(a["nd"].ravel()) == list(range(6))
        assert list(a["tags"]) == [b"ab", b"xyz"], a["tags"]
        assert "dropped" not in a
    print("h5py: ok")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], int(sys.argv[3]))
