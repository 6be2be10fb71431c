//! The one error type of h5par.
//!
//! Every error carries a message that names what it concerns: the file, the object inside it,
//! the rank that failed and the cause. Collective calls return the same error kind on every
//! rank: the rank that failed returns its own kind, every other rank returns
//! [`Error::Remote`] carrying the failing rank's kind and message.

use std::fmt;

/// The kind of an [`Error`], one per status code of the C ABI (`h5par_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorKind {
    /// A bad argument: out of range, bad data type code, malformed text, ...
    Invalid = 1,
    /// A NULL, closed or foreign handle (used by the C ABI).
    Handle = 2,
    /// A file, object or attribute that does not exist.
    NotFound = 3,
    /// A file or object that exists already.
    Exists = 4,
    /// An incompatible data type.
    Type = 5,
    /// An incompatible shape or selection.
    Shape = 6,
    /// Ranks passed different arguments to a collective call.
    Mismatch = 7,
    /// The call failed on another rank; this rank's part was fine.
    Remote = 8,
    /// An operating-system I/O error.
    Io = 9,
    /// HDF5 reported an error.
    Hdf5 = 10,
    /// MPI reported an error.
    Mpi = 11,
    /// A bug in h5par.
    Internal = 12,
}

impl ErrorKind {
    /// The kind for a status code, `None` for 0 (success) or an unknown code.
    pub fn from_code(code: i32) -> Option<ErrorKind> {
        use ErrorKind::*;
        Some(match code {
            1 => Invalid,
            2 => Handle,
            3 => NotFound,
            4 => Exists,
            5 => Type,
            6 => Shape,
            7 => Mismatch,
            8 => Remote,
            9 => Io,
            10 => Hdf5,
            11 => Mpi,
            12 => Internal,
            _ => return None,
        })
    }

    /// The status code of this kind (never 0).
    pub fn code(self) -> i32 {
        self as i32
    }

    /// A short lower-case name of the kind, as used in messages.
    pub fn describe(self) -> &'static str {
        use ErrorKind::*;
        match self {
            Invalid => "invalid argument",
            Handle => "bad handle",
            NotFound => "not found",
            Exists => "already exists",
            Type => "incompatible type",
            Shape => "incompatible shape or selection",
            Mismatch => "ranks disagree",
            Remote => "failed on another rank",
            Io => "I/O error",
            Hdf5 => "HDF5 error",
            Mpi => "MPI error",
            Internal => "internal error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An h5par error. The message names the file, object, rank and cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A bad argument.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// A NULL, closed or foreign handle.
    #[error("bad handle: {0}")]
    Handle(String),
    /// A missing file, object or attribute.
    #[error("not found: {0}")]
    NotFound(String),
    /// A file or object that exists already.
    #[error("already exists: {0}")]
    Exists(String),
    /// An incompatible data type.
    #[error("incompatible type: {0}")]
    Type(String),
    /// An incompatible shape or selection.
    #[error("incompatible shape or selection: {0}")]
    Shape(String),
    /// Ranks passed different arguments to a collective call.
    #[error("ranks disagree: {0}")]
    Mismatch(String),
    /// The collective call failed on another rank; this rank's part was fine.
    #[error("rank {rank} failed ({kind}): {message}")]
    Remote {
        /// The first rank that failed.
        rank: i32,
        /// The kind of that rank's error.
        kind: ErrorKind,
        /// That rank's message.
        message: String,
    },
    /// An operating-system I/O error.
    #[error("I/O error: {0}")]
    Io(String),
    /// HDF5 reported an error; the message includes HDF5's innermost error-stack entries.
    #[error("HDF5 error: {0}")]
    Hdf5(String),
    /// MPI reported an error.
    #[error("MPI error: {0}")]
    Mpi(String),
    /// A bug in h5par.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The kind of this error (its C status code is `kind().code()`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid(_) => ErrorKind::Invalid,
            Error::Handle(_) => ErrorKind::Handle,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Exists(_) => ErrorKind::Exists,
            Error::Type(_) => ErrorKind::Type,
            Error::Shape(_) => ErrorKind::Shape,
            Error::Mismatch(_) => ErrorKind::Mismatch,
            Error::Remote { .. } => ErrorKind::Remote,
            Error::Io(_) => ErrorKind::Io,
            Error::Hdf5(_) => ErrorKind::Hdf5,
            Error::Mpi(_) => ErrorKind::Mpi,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The message without the kind prefix.
    pub fn message(&self) -> String {
        match self {
            Error::Invalid(m)
            | Error::Handle(m)
            | Error::NotFound(m)
            | Error::Exists(m)
            | Error::Type(m)
            | Error::Shape(m)
            | Error::Mismatch(m)
            | Error::Io(m)
            | Error::Hdf5(m)
            | Error::Mpi(m)
            | Error::Internal(m) => m.clone(),
            Error::Remote {
                rank,
                kind,
                message,
            } => format!("rank {rank} failed ({kind}): {message}"),
        }
    }

    /// Builds an error of `kind` with `message` (`Remote` becomes a remote error of unknown rank).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let m = message.into();
        match kind {
            ErrorKind::Invalid => Error::Invalid(m),
            ErrorKind::Handle => Error::Handle(m),
            ErrorKind::NotFound => Error::NotFound(m),
            ErrorKind::Exists => Error::Exists(m),
            ErrorKind::Type => Error::Type(m),
            ErrorKind::Shape => Error::Shape(m),
            ErrorKind::Mismatch => Error::Mismatch(m),
            ErrorKind::Remote => Error::Remote {
                rank: -1,
                kind: ErrorKind::Internal,
                message: m,
            },
            ErrorKind::Io => Error::Io(m),
            ErrorKind::Hdf5 => Error::Hdf5(m),
            ErrorKind::Mpi => Error::Mpi(m),
            ErrorKind::Internal => Error::Internal(m),
        }
    }

    /// The same kind of error with `prefix: ` put before the message.
    pub fn context(self, prefix: impl fmt::Display) -> Error {
        self.map_message(|m| format!("{prefix}: {m}"))
    }

    /// The same kind of error (and, for [`Error::Remote`], the same rank and kind) with its
    /// message passed through `f`.
    fn map_message(self, f: impl FnOnce(String) -> String) -> Error {
        match self {
            Error::Remote {
                rank,
                kind,
                message,
            } => Error::Remote {
                rank,
                kind,
                message: f(message),
            },
            other => Error::new(other.kind(), f(other.message())),
        }
    }

    /// The same kind of error with `suffix` put after the message.
    pub fn context_after(self, suffix: impl fmt::Display) -> Error {
        self.map_message(|m| format!("{m}{suffix}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound(e.to_string()),
            std::io::ErrorKind::AlreadyExists => Error::Exists(e.to_string()),
            _ => Error::Io(e.to_string()),
        }
    }
}

/// The result type of h5par.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in 1..=12 {
            let kind = ErrorKind::from_code(code).expect("known code");
            assert_eq!(kind.code(), code);
            if kind != ErrorKind::Remote {
                assert_eq!(Error::new(kind, "x").kind(), kind);
            }
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(13), None);
    }

    #[test]
    fn context_keeps_kind() {
        let e = Error::Shape("offset 3 + count 9 > 10".into()).context("f.h5:/x");
        assert_eq!(e.kind(), ErrorKind::Shape);
        assert_eq!(e.message(), "f.h5:/x: offset 3 + count 9 > 10");
    }
}
