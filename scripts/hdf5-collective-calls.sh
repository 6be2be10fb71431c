#!/usr/bin/env bash
# Lists the HDF5 functions (API functions and internal *_api_common helpers) of an HDF5 source
# tree that flag their call collective: H5CX_set_apl(..., TRUE), H5CX_set_loc(...),
# H5VL_setup_{acc,name,idx}_args(..., true, ...), H5VL_setup_args/H5VL_setup_loc_args (1.14+).
# In parallel HDF5 such a call reads the metadata it needs on rank 0 and broadcasts it, so a
# rank making it alone hangs (or, on rank 0, leaves broadcasts behind): h5par's local queries
# (src/io/link.rs, path.rs, attribute.rs) must use none of them.
#
#   scripts/hdf5-collective-calls.sh SRC     SRC: HDF5's src/ (e.g. the hdf5-metno-src crate's
#                                             ext/hdf5/src, or Debian's unpacked source)
set -euo pipefail
cd "${1:?usage: hdf5-collective-calls.sh HDF5_SRC_DIR}"
for f in H5*.c; do
awk '
function callargs(s, name,   i, d, c, out) { i = index(s, name); s = substr(s, i); d = 0; out = "";
  for (c = 1; c <= length(s); c++) { ch = substr(s, c, 1); out = out ch; if (ch == "(") d++; if (ch == ")") { d--; if (d == 0) return out } } return "" }
/^[A-Za-z_][A-Za-z0-9_]*\(/ { fn=$0; sub(/\(.*/,"",fn) }
/H5CX_set_apl\(|H5VL_setup_(acc|name|idx)_args\(/ { line=$0; nm = (line ~ /H5CX_set_apl/) ? "H5CX_set_apl(" : "H5VL_setup_";
   a = callargs(line, nm); while (a == "" && (getline nxt) > 0) { line = line nxt; a = callargs(line, nm) }
   if (nm == "H5CX_set_apl(" && a ~ /(TRUE|true) *\)$/) print fn;
   else if (nm != "H5CX_set_apl(" && a ~ /, *(TRUE|true) *,/) print fn }
/H5CX_set_loc\(|H5VL_setup_(args|loc_args)\(/ { print fn }
' "$f"
done | grep -v "^H5CX_\|^H5VL_setup" | sort -u
