//! Navigation, links, types, selections and creation options from Rust (issue 12); the C ABI
//! and h5py's side are in tests/c/test_objects.c.

use std::path::Path;

use h5par::num_complex::Complex;
use h5par::{Datatype, Dtype, ErrorKind, File, Mode, Object, ObjectKind, Selection, Xfer};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::{arr1, Array1, ArrayD, IxDyn};

use crate::CaseFn;

pub static ALL: &[(&str, &[usize], u64, CaseFn)] = &[
    ("objects_navigation", &[1, 2, 3], 60, navigation),
    (
        "objects_open_through_links",
        &[1, 2, 3],
        90,
        open_through_links,
    ),
    ("objects_types_selections", &[1, 2, 3], 60, types_selections),
    ("objects_local_alone", &[2, 3], 180, local_alone_h5par),
    // Run by `trials` once h5py has written the file.
    ("objects_local_alone_h5py", &[], 120, local_alone_h5py),
];

/// The trials that need h5py first: the local queries of one rank alone on a file h5py wrote
/// (tests/python/write_local_tree.py), on 2 and 3 ranks.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    [2usize, 3]
        .into_iter()
        .map(|n| {
            libtest_mimic::Trial::test(format!("objects_local_alone_h5py::np{n}"), move || {
                let dir = crate::harness::trial_dir();
                let script = concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/python/write_local_tree.py"
                );
                let mut cmd = std::process::Command::new(crate::harness::python());
                cmd.arg(script).arg(dir.path());
                let o = crate::harness::run_limited(cmd, std::time::Duration::from_secs(120));
                if o.status != Some(0) {
                    return Err(format!("{script} failed ({:?}):\n{}", o.status, o.output).into());
                }
                crate::harness::run_case(
                    "objects_local_alone_h5py",
                    n,
                    dir.path(),
                    std::time::Duration::from_secs(120),
                )
                .map(|_| ())
                .map_err(libtest_mimic::Failed::from)
            })
        })
        .collect()
}

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
    // Hard links: a second name of the same object, which outlives the first.
    f.root().hard_link("hard/d", "a/b/d").expect("hard link");
    assert_eq!(f.kind("hard/d").unwrap(), Some(ObjectKind::Dataset));
    f.root()
        .hard_link("hs", "s")
        .expect("hard link through a soft link");
    assert_eq!(f.kind("hs").unwrap(), Some(ObjectKind::Dataset));
    for (name, target, kind) in [
        ("x1", "nowhere", ErrorKind::NotFound),
        ("x2", "e", ErrorKind::Invalid),
        ("top", "a", ErrorKind::Exists),
    ] {
        let e = f.root().hard_link(name, target).unwrap_err();
        assert_eq!(e.kind(), kind, "{name} -> {target}: {e}");
    }
    f.move_link("top", "moved/top").expect("move");
    assert!(f.root().contains("moved/top").unwrap());
    assert!(!f.root().contains("top").unwrap());
    f.delete("a").expect("delete a group");
    assert_eq!(f.kind("a/b/d").unwrap(), None);
    assert_eq!(f.dataset("hard/d").expect("the hard link").shape(), vec![4]);
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

/// `Group::open` (h5py's `g[name]`): groups and datasets, through soft links and external
/// links (the target file opened collectively, relative to the parent's directory, read only
/// when the parent is), and the errors of what cannot be opened.
fn open_through_links(world: &SimpleCommunicator, dir: &Path) {
    let rank = world.rank();
    // A third file, reached through two external links along one path.
    let third = File::create(world, dir.join("third.h5")).expect("create third");
    third
        .new_dataset::<i32>()
        .shape([5])
        .create("t/u/v")
        .expect("v");
    third.close().expect("close third");
    let other = File::create(world, dir.join("other.h5")).expect("create other");
    other
        .create_group("grp")
        .expect("grp")
        .external_link("to3", "third.h5", "/t")
        .expect("to3");
    // A cycle with main.h5's "fwd".
    other
        .root()
        .external_link("back", "main.h5", "/fwd")
        .expect("back");
    let x = other
        .new_dataset::<f64>()
        .shape([4])
        .create("x")
        .expect("x");
    // Rank 0 writes everything, the others nothing (zero is a size).
    let vals = if rank == 0 {
        vec![0.5, 1.5, 2.5, 3.5]
    } else {
        vec![]
    };
    x.write_at(&[0], &Array1::from(vals)).expect("write x");
    other
        .new_dataset::<i32>()
        .shape([2])
        .create("grp/y")
        .expect("y");
    drop(x);
    other.close().expect("close other");
    // Created atomically: its data is in a hidden temporary until the close.
    let main_path = dir.join("main.h5");
    let f = File::create(world, &main_path).expect("create main");
    assert_ne!(f.data_path(), main_path.as_path());
    f.new_dataset::<f64>().shape([3]).create("d").expect("d");
    f.create_group("g/h").expect("g");
    let root = f.root();
    // Relative to main.h5's directory, never the working directory.
    root.external_link("e", "other.h5", "/x").expect("e");
    root.external_link("eg", "other.h5", "grp").expect("eg");
    root.external_link("fwd", "other.h5", "/back").expect("fwd");
    root.soft_link("se", "/e").expect("se");
    root.soft_link("sd", "d").expect("sd");
    root.soft_link("dangling", "/nowhere").expect("dangling");
    root.external_link("missing", "no-such-file.h5", "/x")
        .expect("missing");
    match root.open("d").expect("open d") {
        (Object::Dataset(d), None) => assert_eq!(d.shape(), vec![3]),
        other => panic!("d: {other:?}"),
    }
    match root.open("sd").expect("open sd") {
        (Object::Dataset(d), None) => assert_eq!(d.path(), "/sd"),
        other => panic!("sd: {other:?}"),
    }
    match f.root().open("g//h/").expect("open g/h") {
        (Object::Group(g), None) => assert_eq!(g.path(), "/g/h"),
        other => panic!("g/h: {other:?}"),
    }
    for name in ["e", "se"] {
        let (obj, file) = root.open(name).expect(name);
        let file = file.expect("the target file");
        assert_eq!(file.path(), dir.join("other.h5").as_path(), "{name}");
        assert!(file.is_writable(), "{name}: the parent is writable");
        let Object::Dataset(d) = obj else {
            panic!("{name}: {obj:?}")
        };
        assert_eq!(d.path(), "/x");
        let got = d.read::<f64>().expect("read through the link");
        assert_eq!(
            got.iter().copied().collect::<Vec<f64>>(),
            vec![0.5, 1.5, 2.5, 3.5],
            "{name}"
        );
        drop(d);
        file.close().expect("close the target");
    }
    let (obj, file) = root.open("eg").expect("eg");
    match obj {
        Object::Group(g) => {
            assert_eq!(g.path(), "/grp");
            assert_eq!(
                g.members().unwrap(),
                vec!["to3".to_string(), "y".to_string()]
            );
        }
        other => panic!("eg: {other:?}"),
    }
    file.expect("eg's file").close().expect("close eg's file");
    // Paths through external links continue in the link's file, over several hops.
    for (name, inner, file_name, shape) in [
        ("eg/y", "/grp/y", "other.h5", vec![2]),
        ("/eg//y/", "/grp/y", "other.h5", vec![2]),
        ("eg/to3/u/v", "/t/u/v", "third.h5", vec![5]),
    ] {
        let (obj, file) = root.open(name).expect(name);
        let file = file.expect("the last target file");
        assert_eq!(file.path(), dir.join(file_name).as_path(), "{name}");
        let Object::Dataset(d) = obj else {
            panic!("{name}: {obj:?}")
        };
        assert_eq!((d.path(), d.shape()), (inner, shape), "{name}");
        drop(d);
        file.close().expect("close the target");
    }
    let (Object::Group(g), None) = root.open("g").expect("g") else {
        panic!("g")
    };
    // An absolute path from another group.
    let (obj, file) = g.open("/eg/to3/u").expect("eg/to3/u");
    match obj {
        Object::Group(g) => assert_eq!(g.members().unwrap(), vec!["v".to_string()]),
        other => panic!("eg/to3/u: {other:?}"),
    }
    file.expect("third.h5").close().expect("close third.h5");
    let e = root.open("eg/y/z").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(e.message().contains("/grp/y/z"), "{e}");
    assert!(e.message().contains("/eg is an external link"), "{e}");
    for (name, kind, says) in [
        (
            "missing",
            ErrorKind::NotFound,
            "/missing is an external link",
        ),
        (
            "dangling",
            ErrorKind::NotFound,
            "dangling soft link (to /nowhere)",
        ),
        ("nothing", ErrorKind::NotFound, "/nothing"),
    ] {
        let e = root.open(name).unwrap_err();
        assert_eq!(e.kind(), kind, "{name}: {e}");
        assert!(e.message().contains(says), "{name}: {e}");
    }
    // A local query through an external link names the user's path, not the temporary.
    let e = f.kind("e/inside").unwrap_err();
    let temp = f
        .data_path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert!(
        e.message()
            .contains(&format!("{}:/e/inside", main_path.display())),
        "{e}"
    );
    assert!(
        !e.message().contains(&temp),
        "names the temporary {temp}: {e}"
    );
    f.close().expect("close main");
    // Read only: the target file is read only too.
    let f = File::open(world, &main_path, Mode::ReadOnly).expect("reopen");
    let (_, file) = f.root().open("e").expect("e read only");
    let file = file.expect("the target file");
    assert!(!file.is_writable());
    file.close().expect("close the target");
    // A cycle: main.h5:/fwd -> other.h5:/back -> main.h5:/fwd ..., as the link itself and
    // along a path, is an error on every rank, after a bounded number of hops.
    for name in ["fwd", "fwd/x/y"] {
        let e = f.root().open(name).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{name}: {e}");
        assert!(e.message().contains("a cycle?"), "{name}: {e}");
        assert!(e.message().contains("/fwd"), "{name}: {e}");
    }
    let (obj, file) = f.root().open("eg/to3/u/v").expect("read only, two hops");
    assert_eq!(obj.path(), "/t/u/v");
    let file = file.expect("third.h5");
    assert!(!file.is_writable());
    drop(obj);
    file.close().expect("close third.h5");
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

/// The tree of tests/python/write_local_tree.py: its sizes.
const TREE_GROUPS: usize = 12;
const TREE_DATASETS: usize = 25;
const TREE_ATTRS: usize = 10;
const TREE_DENSE: usize = 40;

/// Writes the tree of tests/python/write_local_tree.py with h5par (collective).
fn write_tree(world: &SimpleCommunicator, path: &Path) {
    let f = File::create(world, path).expect("create the tree");
    for g in 0..TREE_GROUPS {
        let grp = f.create_group(&format!("g{g:02}")).expect("group");
        for k in 0..TREE_DATASETS {
            let d = grp
                .new_dataset::<i32>()
                .shape([3])
                .create(&format!("d{k:02}"))
                .expect("dataset");
            let v = [g as i32, k as i32, (g * 100 + k) as i32];
            let mine = if world.rank() == 0 { &v[..] } else { &v[..0] };
            d.write_at(&[0], &arr1(mine)).expect("write");
        }
        for a in 0..TREE_ATTRS {
            grp.write_attr(&format!("a{a}"), &(g as f64 + a as f64 / 10.0))
                .expect("attr");
        }
    }
    let x = f
        .new_dataset::<f64>()
        .shape([2])
        .create("g00/sub/deep/x")
        .expect("x");
    x.write_attr("units", "m").expect("units");
    let dense = f.create_group("dense").expect("dense");
    for k in 0..TREE_DENSE {
        dense
            .new_dataset::<i32>()
            .shape([1])
            .create(&format!("l{k:02}"))
            .expect("l");
    }
    f.new_dataset::<f64>()
        .shape([10])
        .chunk([4])
        .deflate(1)
        .create("chunked")
        .expect("chunked");
    f.root().soft_link("soft", "/g01/d03").expect("soft");
    f.root().soft_link("dangle", "/nowhere").expect("dangle");
    f.root()
        .external_link("ext", "other.h5", "/x")
        .expect("ext");
    f.close().expect("close the tree");
}

/// Every local query h5par offers, made by one rank alone on a freshly opened tree (little of
/// it in HDF5's metadata cache), checked against the tree's layout. `d` is a dataset the ranks
/// opened together.
fn local_queries(f: &File, d: &h5par::Dataset) {
    use ObjectKind::*;
    let root = f.root();
    assert_eq!(f.kind("g05").unwrap(), Some(Group));
    assert_eq!(f.kind("g07/d13").unwrap(), Some(Dataset));
    assert_eq!(f.kind("/g11/d24").unwrap(), Some(Dataset));
    assert_eq!(f.kind("soft").unwrap(), Some(SoftLink));
    assert_eq!(f.kind("dangle").unwrap(), Some(SoftLink));
    assert_eq!(f.kind("ext").unwrap(), Some(ExternalLink));
    assert_eq!(f.kind("g03/none").unwrap(), None);
    assert_eq!(f.kind("nope/x").unwrap(), None);
    assert_eq!(root.target_kind("soft").unwrap(), Some(Dataset));
    assert_eq!(root.target_kind("dangle").unwrap(), None);
    assert_eq!(root.target_kind("ext").unwrap(), Some(ExternalLink));
    assert_eq!(root.target_kind("g00/sub/deep").unwrap(), Some(Group));
    let mut top: Vec<String> = (0..TREE_GROUPS).map(|g| format!("g{g:02}")).collect();
    top.extend(["chunked", "dangle", "dense", "ext", "soft"].map(String::from));
    top.sort();
    assert_eq!(root.members().unwrap(), top);
    let kinds = root.members_with_kinds().unwrap();
    assert_eq!(kinds.len(), top.len());
    for (name, kind) in &kinds {
        let want = match name.as_str() {
            "chunked" => Dataset,
            "dangle" | "soft" => SoftLink,
            "ext" => ExternalLink,
            _ => Group,
        };
        assert_eq!(*kind, want, "{name}");
    }
    for g in 0..TREE_GROUPS {
        let grp = root.group_local(&format!("g{g:02}")).expect("local group");
        let m = grp.members_with_kinds().unwrap();
        assert_eq!(m.len(), TREE_DATASETS + usize::from(g == 0), "g{g:02}");
        assert_eq!(m[3], ("d03".to_string(), Dataset));
        assert!(grp.contains("d24").unwrap());
        assert!(!grp.contains("d25").unwrap());
        let mut names = grp.attr_names().unwrap();
        names.sort();
        assert_eq!(names.len(), TREE_ATTRS);
        let a: f64 = grp.read_attr("a3").unwrap();
        assert_eq!(a, g as f64 + 0.3);
    }
    let dense = root.group_local("dense").unwrap().members().unwrap();
    let want: Vec<String> = (0..TREE_DENSE).map(|k| format!("l{k:02}")).collect();
    assert_eq!(dense, want);
    let mut n = 0;
    let mut groups = 0;
    f.visit(|_, k| {
        n += 1;
        groups += usize::from(k == Group);
        true
    })
    .unwrap();
    // Groups, their datasets, sub, deep, x, dense and its datasets, chunked, three links.
    assert_eq!(
        n,
        TREE_GROUPS * (1 + TREE_DATASETS) + 3 + 1 + TREE_DENSE + 1 + 3
    );
    assert_eq!(groups, TREE_GROUPS + 3);
    assert_eq!(
        root.link_target("soft").unwrap(),
        h5par::LinkTarget::Soft("/g01/d03".into())
    );
    assert_eq!(
        root.link_target("ext").unwrap(),
        h5par::LinkTarget::External {
            file: "other.h5".into(),
            path: "/x".into()
        }
    );
    assert!(root.contains("g00/sub/deep/x").unwrap());
    let units: String = f.read_attr("g00/sub/deep/x", "units").unwrap();
    assert_eq!(units, "m");
    let (t, dims) = f.attr_info("g02", "a1").unwrap();
    assert_eq!((t, dims), (Datatype::Num(Dtype::F64), vec![]));
    let (_, _, bytes) = f.read_attr_typed("g02", "a1", None).unwrap();
    assert_eq!(bytes, 2.1f64.to_ne_bytes().to_vec());
    assert_eq!(f.attr_names("g00/sub/deep/x").unwrap(), vec!["units"]);
    // Queries of a dataset the ranks opened together.
    assert_eq!(d.shape(), vec![10]);
    assert_eq!(d.dtype(), Some(Dtype::F64));
    assert_eq!(d.storage().chunk, Some(vec![4]));
    assert!(d.attr_names().unwrap().is_empty());
}

/// For each rank in turn: the file opened by all, every local query made by that rank alone,
/// the file closed by all, then another file created, written and closed by all (a broadcast
/// a lone query left behind breaks that next open on MPICH).
fn local_alone(world: &SimpleCommunicator, dir: &Path, tree: &Path) {
    let (rank, size) = (world.rank(), world.size());
    for who in 0..size {
        let f = File::open(world, tree, h5par::Mode::ReadOnly).expect("open the tree");
        let d = f.dataset("chunked").expect("open chunked");
        if rank == who {
            local_queries(&f, &d);
        }
        drop(d);
        f.close().expect("close the tree");
        let g = File::create(world, dir.join(format!("after-{who}.h5"))).expect("next create");
        let x = g
            .new_dataset::<i32>()
            .shape([size as u64])
            .create("x")
            .expect("x");
        x.write_at(&[rank as u64], &arr1(&[rank])).expect("write");
        let all: ArrayD<i32> = x.read().expect("read");
        assert_eq!(all.len(), size as usize);
        drop(x);
        g.close().expect("next close");
        // The queries again on a file the ranks keep open, one rank after the other.
        let f = File::open(world, tree, h5par::Mode::ReadOnly).expect("reopen the tree");
        let d = f.dataset("chunked").expect("open chunked");
        for turn in 0..size {
            if rank == (who + turn) % size {
                local_queries(&f, &d);
            }
            world.barrier();
        }
        let d2 = f
            .dataset("g03/d07")
            .expect("a collective open after local queries");
        assert_eq!(d2.read::<i32>().unwrap().as_slice().unwrap(), &[3, 7, 307]);
        drop((d, d2));
        f.close().expect("close the tree again");
    }
}

fn local_alone_h5par(world: &SimpleCommunicator, dir: &Path) {
    let tree = dir.join("tree_h5par.h5");
    write_tree(world, &tree);
    local_alone(world, dir, &tree);
}

fn local_alone_h5py(world: &SimpleCommunicator, dir: &Path) {
    local_alone(world, dir, &dir.join("tree_h5py.h5"));
}
