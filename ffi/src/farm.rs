//! The C ABI of the task farm (`h5par_farm_*`).
