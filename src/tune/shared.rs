//! File-system questions asked once per job instead of once per rank.
//!
//! Opening or creating a file needs a few answers from the file system: does the path exist,
//! which file system holds it (`statfs`), how many OSTs a Lustre file system has, which stripe
//! layout a Lustre file got (`getxattr`). Asked by every rank, they cost the metadata server
//! N requests for one answer, and N grows to thousands at a center. [`on_rank0`] has rank 0 ask
//! and broadcast the outcome, success or error, so that every rank goes on with the same
//! answer; [`probe`] is what rank 0 asks at open and create.
//!
//! The broadcast carries the outcome as JSON ([`encode`], [`decode`], pure and unit-tested).

use std::path::Path;

use mpi::traits::Communicator;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::tune::fs::{detect, FsInfo, FsKind};
use crate::tune::lustre;

/// What rank 0 learnt about the file system of a file's directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsProbe {
    /// The file system and its block size.
    pub fs: FsInfo,
    /// The number of OSTs, on Lustre when it can be read.
    pub ost_count: Option<u32>,
}

/// Local: the file system of `dir` (`statfs`, through the nearest existing ancestor) and, on
/// Lustre, its OST count. `path` (the file) names the error.
pub fn probe(dir: &Path, path: &Path) -> Result<FsProbe> {
    let fs = detect(dir).map_err(|e| Error::Io(format!("{}: statfs: {e}", path.display())))?;
    let ost_count = if fs.kind == FsKind::Lustre {
        lustre::ost_count()
    } else {
        None
    };
    Ok(FsProbe { fs, ost_count })
}

/// The outcome as it travels: a value, or an error's kind (its status code) and message.
#[derive(Serialize, Deserialize)]
enum Wire<T> {
    Ok(T),
    Err { code: i32, message: String },
}

/// The bytes that carry `outcome` to the other ranks.
pub fn encode<T: Serialize>(outcome: &Result<T>) -> Vec<u8> {
    let wire = match outcome {
        Ok(v) => Wire::Ok(v),
        Err(e) => Wire::Err {
            code: e.kind().code(),
            message: e.message(),
        },
    };
    serde_json::to_vec(&wire).unwrap_or_else(|e| {
        let internal: Wire<()> = Wire::Err {
            code: ErrorKind::Internal.code(),
            message: format!("cannot encode a value to broadcast: {e}"),
        };
        serde_json::to_vec(&internal).unwrap_or_default()
    })
}

/// The outcome carried by `bytes` (from [`encode`]).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match serde_json::from_slice::<Wire<T>>(bytes) {
        Ok(Wire::Ok(v)) => Ok(v),
        Ok(Wire::Err { code, message }) => Err(Error::new(
            ErrorKind::from_code(code).unwrap_or(ErrorKind::Internal),
            message,
        )),
        Err(e) => Err(Error::Internal(format!(
            "cannot decode a broadcast value: {e}"
        ))),
    }
}

/// Collective: rank 0 runs `ask`; every rank returns rank 0's outcome (the same value, or an
/// error of the same kind and message). The other ranks make no file-system call. Costs two
/// broadcasts.
pub fn on_rank0<C, T, F>(comm: &C, ask: F) -> Result<T>
where
    C: Communicator + ?Sized,
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Result<T>,
{
    let bytes = if comm.rank() == 0 {
        encode(&ask())
    } else {
        Vec::new()
    };
    decode(&crate::comm::broadcast_bytes(comm, 0, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_errors_survive_the_trip() {
        let p = FsProbe {
            fs: FsInfo {
                kind: FsKind::Lustre,
                block_size: 4096,
            },
            ost_count: Some(248),
        };
        assert_eq!(decode::<FsProbe>(&encode(&Ok(p))), Ok(p));
        let other = FsProbe {
            fs: FsInfo {
                kind: FsKind::Other(-0x1234),
                block_size: 0,
            },
            ost_count: None,
        };
        assert_eq!(decode::<FsProbe>(&encode(&Ok(other))), Ok(other));
        let e: Result<FsProbe> = Err(Error::NotFound("no file at /x/y.h5".into()));
        assert_eq!(decode::<FsProbe>(&encode(&e)), e);
        let none: Result<Option<u32>> = Ok(None);
        assert_eq!(decode::<Option<u32>>(&encode(&none)), none);
    }

    #[test]
    fn garbage_is_an_internal_error() {
        let got = decode::<FsProbe>(b"{\"Ok\": 3}");
        assert!(matches!(got, Err(Error::Internal(_))), "{got:?}");
        let unknown = decode::<u8>(br#"{"Err": {"code": 99, "message": "m"}}"#);
        assert_eq!(unknown, Err(Error::Internal("m".into())));
    }

    #[test]
    fn probe_names_the_file_on_error() {
        let e = probe(Path::new("/tmp/a\0b"), Path::new("/tmp/a\0b/f.h5")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(
            e.message().contains("f.h5") && e.message().contains("statfs"),
            "{e}"
        );
        assert!(probe(Path::new("/tmp"), Path::new("/tmp/f.h5")).is_ok());
    }
}
