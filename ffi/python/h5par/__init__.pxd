# Makes `h5par` a Cython package: `from h5par cimport libh5par`.
