"""Arrays h5par allocates for reads: page aligned, and (large ones) without huge pages.

Alignment. The kernel's copy from the page cache into a buffer is about 3x slower on some CPUs
(AMD Zen 3 with FSRM) when (destination - source) mod 4096 is small; h5par aligns data in the
file to a page multiple, and ``np.empty`` of a large array starts 16 bytes past a page: the slow
case. An array that starts on a page never is. ``bench/copy_penalty.c`` measures a machine.

Huge pages. ``np.empty`` of 4 MiB or more asks the kernel for transparent huge pages
(``madvise(MADV_HUGEPAGE)``), and with the common ``defrag`` setting ``madvise`` each first
touch of such an array may compact memory to find a free 2 MiB page: a fresh array filled by a
read then costs up to 3x the system time of one of 4 KiB pages when the machine's memory is in
the page cache (``bench/python_paths.py``'s ``x[lo:hi]`` line). h5py reads into ``np.zeros``
arrays (calloc: no such advice). So a large array is a private anonymous mapping of its own
(page aligned by construction, zero pages until touched, freed with the array), as glibc gives
large calloc'd blocks, without the advice; small arrays come from ``np.empty`` with a page of
slack.
"""

import mmap as _mmap

import numpy as _np

PAGE = 4096

#: From this size (numpy's threshold for its huge-page advice) arrays are mappings of their own.
MAP_MIN = 4 << 20


def page_aligned_empty(shape, dtype):
    """An uninitialized C-contiguous array of `shape` and `dtype` whose data starts on a page:
    a view into a private anonymous mapping for MAP_MIN bytes or more, else into a uint8 array
    a page longer (``.base`` keeps either alive)."""
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
    if nbytes >= MAP_MIN:
        m = _mmap.mmap(-1, nbytes, flags=_mmap.MAP_PRIVATE | _mmap.MAP_ANONYMOUS)
        return _np.frombuffer(m, dtype=dtype).reshape(shape)
    raw = _np.empty(nbytes + PAGE, dtype=_np.uint8)
    skip = (-raw.ctypes.data) % PAGE
    return raw[skip:skip + nbytes].view(dtype).reshape(shape)


def is_page_aligned(arr):
    """Whether the data of the numpy array `arr` starts on a page."""
    return arr.ctypes.data % PAGE == 0
