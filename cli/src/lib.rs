//! Support shared by h5par's command-line tools (the binaries in `src/bin/`). The tools are
//! thin: each parses its arguments with clap and calls the h5par library.
