//! Navigation, links, types, selections and creation options from Rust (issue 12); the C ABI
//! and h5py's side are in tests/c/test_objects.c.

use std::path::Path;

use h5par::num_complex::Complex;
use h5par::{Datatype, Dtype, ErrorKind, File, ObjectKind, Selection, Xfer};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::{arr1, Array1, ArrayD, IxDyn};

use crate::CaseFn;

pub static ALL: &[(&str, &[usize], u64, CaseFn)] = &[
    ("objects_navigation", &[1, 2, 3], 60, navigation),
    ("objects_types_selections", &[1, 2, 3], 60, types_selections),
];

fn navigation(world: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (world.rank(), world.size());
    let path = dir.join("nav.h5");
    let f = File::create(world, &path).expect("create");
    f.create_group("a/b").expect("groups");
    f.new_dataset::<f64>()
        .shape([4])
        .create("a/b/d")
        .expect("d");
    f.new_dataset::<i32>()
        .shape([2])
        .create("top")
        .expect("top");
    f.root().soft_link("s", "/a/b/d").expect("soft");
    f.root()
        .soft_link("dangling", "/nowhere")
        .expect("dangling");
    f.root()
        .external_link("e", "other.h5", "/x")
        .expect("external");
    let mut seen = Vec::new();
    f.visit(|p, k| {
        seen.push((p.to_string(), k));
        true
    })
    .expect("visit");
    let want = [
        ("a", ObjectKind::Group),
        ("a/b", ObjectKind::Group),
        ("a/b/d", ObjectKind::Dataset),
        ("dangling", ObjectKind::SoftLink),
        ("e", ObjectKind::ExternalLink),
        ("s", ObjectKind::SoftLink),
        ("top", ObjectKind::Dataset),
    ];
    let want: Vec<(String, ObjectKind)> = want.iter().map(|(p, k)| (p.to_string(), *k)).collect();
    assert_eq!(seen, want);
    // Stopping early.
    let mut n = 0;
    f.visit(|_, _| {
        n += 1;
        n < 2
    })
    .expect("visit");
    assert_eq!(n, 2);
    assert_eq!(f.kind("s").unwrap(), Some(ObjectKind::SoftLink));
    assert_eq!(
        f.root().target_kind("s").unwrap(),
        Some(ObjectKind::Dataset)
    );
    assert_eq!(f.root().target_kind("dangling").unwrap(), None);
    assert_eq!(f.kind("/nope/x").unwrap(), None);
    // Local queries on rank 0 alone, then collective dataset opens: the ranks' metadata caches
    // differ now, which must not break the opens.
    if rank == 0 {
        let g = f.root().group_local("a//b").expect("local open");
        assert_eq!(g.path(), "/a/b");
        assert_eq!(
            g.members_with_kinds().unwrap(),
            vec![("d".to_string(), ObjectKind::Dataset)]
        );
        let e = f.root().group_local("top").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Type, "{e}");
        let _: Vec<String> = f.attr_names("/a").unwrap();
    }
    for _ in 0..3 {
        let d = f.dataset("a/b/d").expect("open after local queries");
        assert_eq!(d.shape(), vec![4]);
        let t = f.dataset("s").expect("open through a soft link");
        assert_eq!(t.shape(), vec![4]);
    }
    f.move_link("top", "moved/top").expect("move");
    assert!(f.root().contains("moved/top").unwrap());
    assert!(!f.root().contains("top").unwrap());
    f.delete("a").expect("delete a group");
    assert_eq!(f.kind("a/b/d").unwrap(), None);
    let e = f.delete("a").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    f.write_attr("/", "x", &1.0f64).unwrap();
    f.delete_attr("/", "x").unwrap();
    assert!(f.attr_names("/").unwrap().is_empty());
    if size > 1 {
        // One rank skips the delete (it is in a move): an error on every rank, no hang.
        f.create_group("g1").unwrap();
        let r = if rank == 0 {
            f.move_link("g1", "g2")
        } else {
            f.delete("g1")
        };
        let e = r.unwrap_err();
        assert!(
            e.message().contains("move") && e.message().contains("delete"),
            "rank {rank}: {e}"
        );
        // Back in step.
        f.delete("g1").expect("delete in step");
        // One rank deletes twice.
        f.create_group("g3").unwrap();
        f.delete("g3").unwrap();
        let r = if rank == 0 {
            f.delete("g3")
        } else {
            f.root().soft_link("l", "/x")
        };
        assert!(r.is_err(), "rank {rank}");
    }
    f.close().expect("close");
}

fn types_selections(world: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (world.rank() as u64, world.size() as u64);
    let f = File::create(world, dir.join("types.h5")).expect("create");
    // bool and complex through the typed API.
    let b = f.new_dataset::<bool>().shape([size]).create("b").unwrap();
    b.write_at(&[rank], &arr1(&[rank % 2 == 0])).unwrap();
    let c = f
        .new_dataset::<Complex<f64>>()
        .shape([size])
        .create("c")
        .unwrap();
    c.write_at(&[rank], &arr1(&[Complex::new(rank as f64, 1.0)]))
        .unwrap();
    let all: ArrayD<bool> = b.read().unwrap();
    assert_eq!(all.len() as u64, size);
    assert!(all.iter().enumerate().all(|(i, &v)| v == (i % 2 == 0)));
    let z: ArrayD<Complex<f32>> = c.read().unwrap();
    assert_eq!(z[[size as usize - 1]], Complex::new((size - 1) as f32, 1.0));
    assert_eq!(b.datatype(), &Datatype::Num(Dtype::Bool));
    // A bool dataset is not read as numbers.
    assert_eq!(b.read::<u8>().unwrap_err().kind(), ErrorKind::Type);
    // Fixed strings and compounds through bytes and specs.
    let s = f
        .new_dataset_typed(Datatype::parse("S4").unwrap())
        .shape([size])
        .create("s")
        .unwrap();
    let mine = format!("r{rank}\0\0\0");
    s.write_bytes(
        &Selection::new(&[rank], &[1]),
        &Datatype::parse("S4").unwrap(),
        &mine.as_bytes()[..4],
        Xfer::Collective,
    )
    .unwrap();
    let mut back = vec![0u8; 8 * size as usize];
    s.read_bytes(
        &Selection::new(&[0], &[size]),
        &Datatype::parse("S8").unwrap(),
        &mut back,
        Xfer::Collective,
    )
    .unwrap();
    assert_eq!(
        &back[8 * rank as usize..8 * rank as usize + 2],
        format!("r{rank}").as_bytes()
    );
    assert_eq!(s.dtype(), None);
    let e = f
        .new_dataset_typed(Datatype::String {
            len: 0,
            utf8: false,
        })
        .shape([1])
        .create("bad");
    assert!(e.is_err());
    // Strided and indexed selections; fill value, shuffle, maxshape read back.
    let n = 8 * size;
    let d = f
        .new_dataset::<f64>()
        .shape([n])
        .chunk([4])
        .deflate(3)
        .shuffle(true)
        .fill_value(-1.0f64)
        .maxshape([None])
        .create("d")
        .unwrap();
    let st = d.storage().clone();
    assert!(st.shuffle && st.deflate == Some(3) && st.maxshape == vec![None]);
    assert_eq!(st.fill, Some((-1.0f64).to_ne_bytes().to_vec()));
    // Rank r writes elements r, r + size, ... (strided, collective).
    let sel = Selection::strided(&[rank], &[size], &[8], &[1]);
    d.write_selection(&sel, &Array1::from_elem(8, rank as f64), Xfer::Collective)
        .unwrap();
    // d[::2]; the last rank selects nothing.
    let count = if rank + 1 == size && size > 1 {
        0
    } else {
        n / 2
    };
    let even = d
        .read_selection::<f64>(
            &Selection::strided(&[0], &[2], &[count], &[1]),
            Xfer::Collective,
        )
        .unwrap();
    assert_eq!(even.len() as u64, count);
    for (i, v) in even.iter().enumerate() {
        assert_eq!(*v, ((2 * i as u64) % size) as f64);
    }
    let ix = d
        .read_selection::<f64>(
            &Selection::new(&[0], &[0]).with_index(0, &[1, 2, n - 1]),
            Xfer::Collective,
        )
        .unwrap();
    assert_eq!(
        ix.iter().copied().collect::<Vec<f64>>(),
        vec![
            (1 % size) as f64,
            (2 % size) as f64,
            ((n - 1) % size) as f64
        ]
    );
    d.set_extent(&[n + 4]).unwrap();
    let tail = d.read_at::<f64>(&[n], &[4]).unwrap();
    assert_eq!(tail, ArrayD::from_elem(IxDyn(&[4]), -1.0));
    drop(d);
    let d = f.dataset("d").unwrap();
    assert_eq!(d.storage().fill, Some((-1.0f64).to_ne_bytes().to_vec()));
    assert!(d.storage().shuffle);
    // N-D attribute of any type.
    f.write_attr_typed(
        "/",
        "m",
        &Datatype::Num(Dtype::I16),
        &[2, 2],
        &[1, 0, 2, 0, 3, 0, 4, 0],
    )
    .unwrap();
    let (t, dims, bytes) = f.read_attr_typed("/", "m", None).unwrap();
    assert_eq!(
        (t, dims, bytes.len()),
        (Datatype::Num(Dtype::I16), vec![2, 2], 8)
    );
    f.close().unwrap();
}
