"""Arrays h5par allocates for reads, page aligned.

The kernel's copy from the page cache into a buffer is about 3x slower on some CPUs (AMD Zen 3
with FSRM) when (destination - source) mod 4096 is small; h5par aligns data in the file to a page
multiple, and ``np.empty`` of a large array starts 16 bytes past a page: the slow case. An array
that starts on a page never is. ``bench/copy_penalty.c`` measures a machine.
"""

import numpy as _np

PAGE = 4096


def page_aligned_empty(shape, dtype):
    """An uninitialized C-contiguous array of `shape` and `dtype` whose data starts on a page
    (a view into a uint8 array a page longer; ``.base`` keeps it alive)."""
    dtype = _np.dtype(dtype)
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(x) for x in shape)
    n = 1
    for x in shape:
        if x < 0:
            raise ValueError("negative dimensions are not allowed")
        n *= x
    nbytes = n * dtype.itemsize
    if nbytes == 0 or PAGE % dtype.itemsize:
        return _np.empty(shape, dtype=dtype)
    raw = _np.empty(nbytes + PAGE, dtype=_np.uint8)
    skip = (-raw.ctypes.data) % PAGE
    return raw[skip:skip + nbytes].view(dtype).reshape(shape)


def is_page_aligned(arr):
    """Whether the data of the numpy array `arr` starts on a page."""
    return arr.ctypes.data % PAGE == 0
