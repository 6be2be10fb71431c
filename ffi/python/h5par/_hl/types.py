"""numpy dtypes and the core's type specs ("i1".."f8", "b1" bool, "c8"/"c16" complex, "S10"
fixed-length strings, "S10/utf8", "{x:f8@0,y:i4@8}16" compounds, "unsupported:<what>" for
stored types h5par cannot read). The core parses, checks and converts; this only spells."""

import numpy as np

from .. import _core

_NUM = {"i": "i", "u": "u", "f": "f"}


def spec_of(dtype, what="data"):
    """The type spec of a numpy dtype; DtypeError for what h5par cannot store (never a silent
    conversion)."""
    dt = np.dtype(dtype)
    k = dt.kind
    if dt.fields is not None:
        parts = []
        for name, (fdt, off, *_) in sorted(dt.fields.items(), key=lambda kv: kv[1][1]):
            if fdt.fields is not None:
                raise _core.DtypeError("%s of type %s: nested compounds are not supported"
                                       % (what, dt))
            if any(c in name for c in ",:{}@"):
                raise _core.DtypeError("%s of type %s: field name %r has one of , : { } @"
                                       % (what, dt, name))
            parts.append("%s:%s@%d" % (name, spec_of(fdt, what), off))
        return "{%s}%d" % (",".join(parts), dt.itemsize)
    if dt.subdtype is not None:
        raise _core.DtypeError("%s of type %s: array element types are not supported" % (what, dt))
    if k in "iuf" and dt.itemsize in (1, 2, 4, 8) and not (k == "f" and dt.itemsize < 4):
        return "%s%d" % (k, dt.itemsize)
    if k == "f" and dt.itemsize == 2:
        raise _core.DtypeError("%s of type float16 is not supported (use f4)" % (what,))
    if k == "b":
        return "b1"
    if k == "c" and dt.itemsize in (8, 16):
        return "c%d" % dt.itemsize
    if k == "S" and dt.itemsize > 0:
        return "S%d" % dt.itemsize
    if k == "U":
        raise _core.DtypeError(
            "%s of type %s: numpy's unicode strings have no HDF5 type and parallel HDF5 cannot "
            "write variable-length strings; store fixed-length bytes (array.astype(\"S\"), "
            "or np.char.encode(array, \"utf-8\"))" % (what, dt))
    if k in "OS":
        raise _core.DtypeError(
            "%s of type %s: variable-length data (Python objects, str, vlen) cannot be written "
            "by parallel HDF5; use a fixed-length type (numpy \"S<n>\")" % (what, dt))
    raise _core.DtypeError("%s of type %s is not supported (numbers, bool, complex, "
                           "fixed-length bytes \"S<n>\", structured dtypes of those)"
                           % (what, dt))


def _split_fields(body):
    return [p for p in body.split(",") if p]


def dtype_of(spec):
    """The numpy dtype of a type spec, or None for an unsupported stored type."""
    if spec.startswith("unsupported:"):
        return None
    if spec == "b1":
        return np.dtype(bool)
    if spec in ("c8", "c16"):
        return np.dtype("c%s" % spec[1:])
    if spec.startswith("S"):
        return np.dtype("S%d" % int(spec[1:].split("/")[0]))
    if spec.startswith("{"):
        close = spec.rindex("}")
        size = int(spec[close + 1:])
        names, formats, offsets = [], [], []
        for part in _split_fields(spec[1:close]):
            name, rest = part.split(":", 1)
            t, off = rest.rsplit("@", 1)
            names.append(name)
            formats.append(dtype_of(t))
            offsets.append(int(off))
        return np.dtype({"names": names, "formats": formats, "offsets": offsets,
                         "itemsize": size})
    return np.dtype(spec)
