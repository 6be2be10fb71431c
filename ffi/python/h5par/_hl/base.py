"""Small helpers shared by the high-level classes."""

import operator

from .. import _core

MAX_DIMS = 32


def join(base, name):
    """The path of `name` relative to the group `base` (absolute names as they are); the core
    normalizes it."""
    if isinstance(name, bytes):
        name = name.decode("utf-8")
    if not isinstance(name, str):
        raise _core.InvalidError("an object name must be a str, not %s" % type(name).__name__)
    if name.startswith("/"):
        return name
    if base.endswith("/"):
        return base + name
    return base + "/" + name


def shape_tuple(shape, what):
    """`shape` (an int or a sequence of ints) as a tuple of non-negative ints."""
    if shape is None:
        raise _core.InvalidError("%s is required" % what)
    try:
        if isinstance(shape, int) or hasattr(shape, "__index__"):
            dims = (operator.index(shape),)
        else:
            dims = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise _core.InvalidError("%s %r is not a tuple of integers" % (what, shape)) from None
    if len(dims) > MAX_DIMS:
        raise _core.InvalidError("%s %r has more than %d dimensions" % (what, shape, MAX_DIMS))
    for n in dims:
        if n < 0:
            raise _core.InvalidError("%s %r has a negative extent" % (what, shape))
    return dims


def product(dims):
    n = 1
    for x in dims:
        n *= x
    return n
