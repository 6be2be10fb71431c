//! Buffers h5par allocates for reads start on a page (`h5par::io::buffer`): asserted, not
//! timed. One rank, as an MPI singleton (no mpirun), on OpenMPI and MPICH alike.

use h5par::io::buffer::is_page_aligned;
use h5par::{File, Mode, Xfer};
use ndarray::{Array1, Array2};

#[test]
fn arrays_h5par_allocates_for_reads_are_page_aligned() {
    let universe = mpi::initialize().expect("MPI initializes as a singleton");
    let world = universe.world();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aligned.h5");
    let n = 300_000u64; // large enough for malloc to give a buffer 16 bytes past a page
    let file = File::create(&world, &path).unwrap();
    let x = file.new_dataset::<f64>().shape([n]).create("x").unwrap();
    x.write_at(&[0], &Array1::from_iter((0..n).map(|i| i as f64)))
        .unwrap();
    let b = file
        .new_dataset::<u8>()
        .shape([1000, 3])
        .create("b")
        .unwrap();
    b.write_at(&[0, 0], &Array2::<u8>::from_elem((1000, 3), 7))
        .unwrap();
    let small = file.new_dataset::<i32>().shape([5]).create("s").unwrap();
    small.write_at(&[0], &Array1::from_elem(5, -3)).unwrap();
    file.close().unwrap();

    let file = File::open(&world, &path, Mode::ReadOnly).unwrap();
    let x = file.dataset("x").unwrap();
    let all = x.read::<f64>().unwrap();
    assert!(is_page_aligned(all.as_ptr()), "read: {:p}", all.as_ptr());
    assert_eq!((all.len(), all[[12345]]), (n as usize, 12345.0));
    let part = x.read_at::<f64>(&[17], &[100_001]).unwrap();
    assert!(
        is_page_aligned(part.as_ptr()),
        "read_at: {:p}",
        part.as_ptr()
    );
    assert_eq!(part[[0]], 17.0);
    let part = x
        .read_at_with::<f64>(&[1], &[5], Xfer::Independent)
        .unwrap();
    assert!(
        is_page_aligned(part.as_ptr()),
        "read_at_with: {:p}",
        part.as_ptr()
    );
    assert_eq!(part.as_slice().unwrap(), [1.0, 2.0, 3.0, 4.0, 5.0]);
    // In another memory type (converted by HDF5) too.
    let conv = x.read_at::<f32>(&[0], &[1000]).unwrap();
    assert!(is_page_aligned(conv.as_ptr()));
    assert_eq!(conv[[999]], 999.0);
    let b = file.dataset("b").unwrap().read::<u8>().unwrap();
    assert!(is_page_aligned(b.as_ptr()));
    assert_eq!((b.shape(), b[[999, 2]]), (&[1000usize, 3][..], 7));
    let s = file.dataset("s").unwrap().read::<i32>().unwrap();
    assert!(is_page_aligned(s.as_ptr()));
    assert_eq!(s.as_slice().unwrap(), [-3; 5]);
    // An empty selection is an empty array.
    assert_eq!(x.read_at::<f64>(&[0], &[0]).unwrap().len(), 0);
    file.close().unwrap();
}
