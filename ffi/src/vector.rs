//! The C ABI of distributed vectors (`h5par_map_*`, `h5par_vector_*`, ...).
