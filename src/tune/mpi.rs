//! Which MPI-IO implementation h5par runs on, from the MPI library's version string: the two
//! take different hints for the same thing (OpenMPI's OMPIO and ROMIO, in MPICH and most
//! vendor MPIs).

/// The MPI-IO implementation family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MpiFlavor {
    /// Not known: no implementation-specific hints.
    #[default]
    Unknown,
    /// Open MPI (its default MPI-IO layer is OMPIO).
    OpenMpi,
    /// MPICH or an MPI built on it (Cray MPICH, Intel MPI, MVAPICH): ROMIO.
    Mpich,
}

impl MpiFlavor {
    /// The flavour named by an `MPI_Get_library_version` string.
    pub fn from_version(text: &str) -> MpiFlavor {
        if text.contains("Open MPI") {
            MpiFlavor::OpenMpi
        } else if ["MPICH", "Intel(R) MPI", "MVAPICH", "CRAY MPICH"]
            .iter()
            .any(|k| text.contains(k))
        {
            MpiFlavor::Mpich
        } else {
            MpiFlavor::Unknown
        }
    }

    /// The flavour of the MPI library this process runs on (`MPI_Get_library_version`, which
    /// may be called before `MPI_Init`).
    pub fn detect() -> MpiFlavor {
        mpi::environment::library_version()
            .map(|v| MpiFlavor::from_version(&v))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavours() {
        let ompi = "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4";
        assert_eq!(MpiFlavor::from_version(ompi), MpiFlavor::OpenMpi);
        assert_eq!(
            MpiFlavor::from_version("MPICH Version:\t4.0.2\nMPICH Release date: ..."),
            MpiFlavor::Mpich
        );
        assert_eq!(
            MpiFlavor::from_version("Intel(R) MPI Library 2021.6 for Linux* OS"),
            MpiFlavor::Mpich
        );
        assert_eq!(
            MpiFlavor::from_version("Something else"),
            MpiFlavor::Unknown
        );
        assert_ne!(MpiFlavor::detect(), MpiFlavor::Unknown);
    }
}
