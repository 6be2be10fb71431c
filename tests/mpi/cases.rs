//! The cases run on every rank under mpirun. Each panics on failure.

use std::fmt::Debug;
use std::path::Path;

use h5par::{Dtype, Error, ErrorKind, File, FileOptions, H5Type, Mode, Xfer};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ndarray::{ArrayD, IxDyn};

use crate::CaseFn;

/// (name, rank counts, time limit in seconds, function)
pub static ALL: &[(&str, &[usize], u64, CaseFn)] = &[
    ("roundtrip_types", &[1, 2, 3, 4], 240, roundtrip_types),
    ("extend", &[1, 2, 3], 60, extend),
    ("attributes", &[1, 2, 3], 60, attributes),
    ("groups", &[1, 2, 3], 60, groups),
    ("scalar_and_32d", &[1, 3], 60, scalar_and_32d),
    ("conversion", &[2], 60, conversion),
    ("atomic_create", &[1, 2, 3], 60, atomic_create),
    ("no_open_objects", &[1, 2], 60, no_open_objects),
    ("tuned_alignment", &[1, 2], 60, tuned_alignment),
    ("io_report", &[1, 2, 3], 60, io_report),
    ("small_reads", &[1, 2, 3], 60, small_reads),
    ("fail_out_of_bounds", &[2, 3], 20, fail_out_of_bounds),
    ("fail_shape_mismatch", &[2, 3], 20, fail_shape_mismatch),
    ("fail_attr_mismatch", &[2, 3], 20, fail_attr_mismatch),
    ("fail_missing_file", &[2, 3], 20, fail_missing_file),
    ("fail_missing_dataset", &[2, 3], 20, fail_missing_dataset),
    (
        "fail_incompatible_shape",
        &[2, 3],
        20,
        fail_incompatible_shape,
    ),
    (
        "fail_compressed_independent",
        &[2, 3],
        20,
        fail_compressed_independent,
    ),
    (
        "write_twice_then_close",
        &[2, 3],
        30,
        write_twice_then_close,
    ),
    ("size_overflow", &[1, 2], 30, size_overflow),
    ("stale_temporaries", &[1, 2], 30, stale_temporaries),
    ("deep_path", &[1, 2], 120, deep_path),
    ("watchdog_lone_write", &[], 30, watchdog_lone_write),
    ("watchdog_late_rank", &[], 30, watchdog_late_rank),
    ("write_n", &[], 60, write_n),
    ("read_m", &[], 60, read_m),
    ("h5par_writes", &[], 60, h5par_writes),
    ("h5py_wrote", &[], 60, h5py_wrote),
    ("big_write", &[], 600, big_write),
    ("no_mpi_init", &[], 20, |_, _| {}),
    ("disk_full_in_place", &[1, 2, 3], 90, disk_full_in_place),
    ("close_given_back", &[2, 3], 30, close_given_back),
    // Needs root, /dev/fuse, fuse3 and libfuse3-dev (scripts/install-deps.sh): fails without.
    ("device_error", &[1, 2, 3], 90, device_error),
    // Run with MPI_THREAD_MULTIPLE (see main.rs).
    ("threads", &[1, 2, 3], 120, threads),
    // Needs root, a loop device and btrfs-progs (scripts/install-deps.sh): fails without.
    ("quota_exceeded", &[1, 2, 3], 120, quota_exceeded),
];

/// Cases and rank counts that hang on MPICH (not yet fixed): on MPICH the suite lists them as
/// ignored rather than running them into their time limit.
pub const MPICH_HANGS: &[(&str, usize)] = &[];

/// Test values: small integers that every type holds exactly.
pub trait Num: H5Type + PartialEq + Debug {
    fn from_u8(v: u8) -> Self;
}
macro_rules! num {
    ($($t:ty),*) => {$(impl Num for $t { fn from_u8(v: u8) -> Self { v as $t } })*};
}
num!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// The value stored at flat index `i` of dataset number `salt`.
fn val<T: Num>(i: usize, salt: usize) -> T {
    T::from_u8(((i * 7 + salt * 13) % 101) as u8)
}

fn expected<T: Num>(shape: &[usize], offset0: usize, rows: usize, salt: usize) -> ArrayD<T> {
    let row: usize = shape[1..].iter().product();
    let mut dims = shape.to_vec();
    dims[0] = rows;
    ArrayD::from_shape_fn(IxDyn(&dims), |ix| {
        let mut flat = ix[0] + offset0;
        for d in 1..shape.len() {
            flat = flat * shape[d] + ix[d];
        }
        let _ = row;
        val::<T>(flat, salt)
    })
}

/// Rows of rank r: uneven (r + 2 rows), and the last of several ranks gets none.
fn partition(rank: usize, size: usize) -> (usize, usize, usize) {
    let rows = |r: usize| if size > 1 && r == size - 1 { 0 } else { r + 2 };
    let start: usize = (0..rank).map(rows).sum();
    let total: usize = (0..size).map(rows).sum();
    (start, rows(rank), total)
}

fn roundtrip_one<T: Num>(f: &File, w: &SimpleCommunicator, salt: usize) {
    let (rank, size) = (w.rank() as usize, w.size() as usize);
    let (start, rows, total) = partition(rank, size);
    for ndim in 1..=3usize {
        for layout in ["contiguous", "chunked", "deflate"] {
            for xfer in [Xfer::Collective, Xfer::Independent] {
                if layout == "deflate" && xfer == Xfer::Independent {
                    continue;
                }
                let salt = salt * 100 + ndim * 10 + layout.len() + xfer as usize;
                let shape: Vec<usize> = [total, 5, 3][..ndim].to_vec();
                let dims: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
                let name = format!("{}/{ndim}d/{layout}/{xfer:?}", T::DTYPE);
                let mut b = f.new_dataset::<T>().shape(&dims);
                if layout != "contiguous" {
                    let mut chunk = dims.clone();
                    chunk[0] = 2;
                    b = b.chunk(chunk);
                }
                if layout == "deflate" {
                    b = b.deflate(4);
                }
                let d = b.create(&name).expect("create");
                assert_eq!(d.dtype(), Some(T::DTYPE));
                let mine = expected::<T>(&shape, start, rows, salt);
                let mut off = vec![0u64; ndim];
                off[0] = start as u64;
                d.write_at_with(&off, &mine, xfer).expect("write");
                if xfer == Xfer::Independent {
                    // Independent writes: other ranks' data is there once they are done.
                    w.barrier();
                }
                // Read another rank's rows back, in the same mode.
                let other = (rank + 1) % size;
                let (ostart, orows, _) = partition(other, size);
                let mut ooff = vec![0u64; ndim];
                ooff[0] = ostart as u64;
                let mut count = dims.clone();
                count[0] = orows as u64;
                let back = d.read_at_with::<T>(&ooff, &count, xfer).expect("read");
                assert_eq!(back, expected::<T>(&shape, ostart, orows, salt), "{name}");
                let all = d.read::<T>().expect("read all");
                assert_eq!(all, expected::<T>(&shape, 0, total, salt), "{name} whole");
            }
        }
    }
}

fn roundtrip_types(w: &SimpleCommunicator, dir: &Path) {
    let path = dir.join("types.h5");
    let f = File::create(w, &path).expect("create");
    roundtrip_one::<i8>(&f, w, 1);
    roundtrip_one::<i16>(&f, w, 2);
    roundtrip_one::<i32>(&f, w, 3);
    roundtrip_one::<i64>(&f, w, 4);
    roundtrip_one::<u8>(&f, w, 5);
    roundtrip_one::<u16>(&f, w, 6);
    roundtrip_one::<u32>(&f, w, 7);
    roundtrip_one::<u64>(&f, w, 8);
    roundtrip_one::<f32>(&f, w, 9);
    roundtrip_one::<f64>(&f, w, 10);
    f.close().expect("close");
    // Reopen read-only and check one dataset of each type again, with its stored type.
    let f = File::open(w, &path, Mode::ReadOnly).expect("open");
    // The ten number types (bool and complex: tests/mpi/objects.rs).
    for t in Dtype::ALL.into_iter().take(10) {
        let d = f
            .dataset(&format!("{t}/2d/chunked/Collective"))
            .expect("open dataset");
        assert_eq!(d.dtype(), Some(t));
        assert_eq!(d.storage().chunk.as_ref().map(|c| c[0]), Some(2));
    }
    let d = f.dataset("f8/3d/deflate/Collective").expect("open");
    assert_eq!(d.storage().deflate, Some(4));
    f.close().expect("close");
}

fn extend(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let f = File::create(w, dir.join("ext.h5")).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([4 * size, 2])
        .resizable(true)
        .create("grow")
        .expect("create");
    let part = |base: u64| {
        ArrayD::from_shape_fn(IxDyn(&[4, 2]), |ix| {
            (base + ix[0] as u64) as f64 * 10.0 + ix[1] as f64
        })
    };
    d.write_at(&[4 * rank, 0], &part(4 * rank))
        .expect("write first part");
    d.set_extent(&[8 * size, 2]).expect("extend");
    assert_eq!(d.shape(), vec![8 * size, 2]);
    let r2 = 4 * size + 4 * rank;
    d.write_at(&[r2, 0], &part(r2)).expect("write new part");
    let all = d.read::<f64>().expect("read");
    for i in 0..(8 * size) as usize {
        assert_eq!(all[[i, 1]], i as f64 * 10.0 + 1.0);
    }
    // Beyond the maximum extent, and contiguous datasets, are errors on every rank.
    let fixed = f
        .new_dataset::<i32>()
        .shape([4])
        .chunk([2])
        .maxshape([Some(6)])
        .create("capped")
        .expect("create");
    let e = fixed.set_extent(&[7]).expect_err("beyond maxshape");
    assert_eq!(e.kind(), ErrorKind::Shape, "{e}");
    let c = f
        .new_dataset::<i32>()
        .shape([4])
        .create("contig")
        .expect("create");
    let e = c.set_extent(&[5]).expect_err("contiguous");
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    // Extend in place from zero rows.
    let z = f
        .new_dataset::<u16>()
        .shape([0])
        .resizable(true)
        .create("from_zero")
        .expect("create");
    z.set_extent(&[size]).expect("extend");
    z.write_at(&[rank], &ndarray::arr1(&[rank as u16]))
        .expect("write");
    assert_eq!(
        z.read::<u16>()
            .expect("read")
            .iter()
            .map(|&v| v as u64)
            .collect::<Vec<_>>(),
        (0..size).collect::<Vec<_>>()
    );
    f.close().expect("close");
    let f = File::open(w, dir.join("ext.h5"), Mode::ReadOnly).expect("open");
    assert_eq!(f.dataset("grow").expect("open").shape(), vec![8 * size, 2]);
    f.close().expect("close");
}

fn attr_round<T: Num>(f: &File, obj: &str) {
    let name = format!("scalar_{}", T::DTYPE);
    f.write_attr(obj, &name, &T::from_u8(42))
        .expect("write scalar");
    assert_eq!(
        f.read_attr::<T>(obj, &name).expect("read scalar"),
        T::from_u8(42)
    );
    let arr: Vec<T> = (0..5).map(|i| T::from_u8(i * 3)).collect();
    let name = format!("array_{}", T::DTYPE);
    f.write_attr(obj, &name, &arr).expect("write array");
    assert_eq!(f.read_attr::<Vec<T>>(obj, &name).expect("read array"), arr);
}

fn attributes(w: &SimpleCommunicator, dir: &Path) {
    let path = dir.join("attrs.h5");
    let f = File::create(w, &path).expect("create");
    let g = f.create_group("g").expect("group");
    let d = g
        .new_dataset::<f32>()
        .shape([3])
        .create("d")
        .expect("dataset");
    for obj in ["/", "/g", "/g/d"] {
        attr_round::<i8>(&f, obj);
        attr_round::<i16>(&f, obj);
        attr_round::<i32>(&f, obj);
        attr_round::<i64>(&f, obj);
        attr_round::<u8>(&f, obj);
        attr_round::<u16>(&f, obj);
        attr_round::<u32>(&f, obj);
        attr_round::<u64>(&f, obj);
        attr_round::<f32>(&f, obj);
        attr_round::<f64>(&f, obj);
        f.write_attr(obj, "title", "ünïcode title").expect("string");
        assert_eq!(
            f.read_attr::<String>(obj, "title").expect("read"),
            "ünïcode title"
        );
        f.write_attr(obj, "empty", "").expect("empty string");
        assert_eq!(f.read_attr::<String>(obj, "empty").expect("read"), "");
    }
    // Replace with another type; read with conversion; the object-level methods.
    d.write_attr("units", "K").expect("units");
    d.write_attr("units", &3.5f64)
        .expect("replace with a number");
    assert_eq!(d.read_attr::<f64>("units").expect("read"), 3.5);
    g.write_attr("n", &7i32).expect("n");
    assert_eq!(g.read_attr::<f64>("n").expect("converted"), 7.0);
    let e = g.read_attr::<String>("n").expect_err("number as string");
    assert_eq!(e.kind(), ErrorKind::Type);
    let e = g.read_attr::<f64>("missing").expect_err("missing");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.message().contains("missing"), "{e}");
    let names = d.attr_names().expect("names");
    assert!(
        names.contains(&"units".to_string()) && names.contains(&"title".to_string()),
        "{names:?}"
    );
    f.close().expect("close");
    let f = File::open(w, &path, Mode::ReadOnly).expect("open");
    assert_eq!(
        f.read_attr::<Vec<u16>>("/g/d", "array_u2").expect("read"),
        vec![0, 3, 6, 9, 12]
    );
    assert_eq!(
        f.read_attr::<String>("/", "title").expect("read"),
        "ünïcode title"
    );
    let e = f.write_attr("/", "x", &1i8).expect_err("read-only");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    f.close().expect("close");
}

fn groups(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("groups.h5")).expect("create");
    let c = f.create_group("a/b/c").expect("nested");
    assert_eq!(c.path(), "/a/b/c");
    f.create_group("/a/b2").expect("sibling");
    c.new_dataset::<i64>()
        .shape([2])
        .create("x")
        .expect("dataset in group");
    assert_eq!(
        f.group("a").expect("open").members().expect("list"),
        vec!["b", "b2"]
    );
    assert_eq!(
        f.group("a/b/c").expect("open").members().expect("list"),
        vec!["x"]
    );
    assert_eq!(f.root().members().expect("root"), vec!["a"]);
    let e = f.create_group("a/b").expect_err("exists");
    assert_eq!(e.kind(), ErrorKind::Exists, "{e}");
    f.require_group("a/b").expect("require existing");
    f.require_group("a/new/deep").expect("require new");
    let e = f.group("nope").expect_err("missing");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = f.group("a/b/c/x").expect_err("dataset is not a group");
    assert_eq!(e.kind(), ErrorKind::Type);
    let e = f
        .new_dataset::<i8>()
        .shape([1])
        .create("a/b")
        .expect_err("group exists there");
    assert_eq!(e.kind(), ErrorKind::Exists);
    assert!(f.root().contains("a/b/c/x").expect("contains"));
    f.close().expect("close");
}

fn scalar_and_32d(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let f = File::create(w, dir.join("dims.h5")).expect("create");
    let s = f.new_dataset::<f64>().create("scalar").expect("scalar");
    assert_eq!(s.shape(), Vec::<u64>::new());
    s.write(&ndarray::arr0(2.5)).expect("write scalar");
    assert_eq!(s.read::<f64>().expect("read")[IxDyn(&[])], 2.5);
    let mut shape = vec![1u64; 31];
    shape.push(2 * size);
    let d = f
        .new_dataset::<u32>()
        .shape(&shape)
        .chunk(vec![1u64; 32])
        .create("d32")
        .expect("32-d");
    let mut count = vec![1usize; 31];
    count.push(2);
    let mine = ArrayD::from_shape_fn(IxDyn(&count), |ix| (2 * rank) as u32 + ix[31] as u32);
    let mut off = vec![0u64; 31];
    off.push(2 * rank);
    d.write_at(&off, &mine).expect("write 32-d");
    let all = d.read::<u32>().expect("read");
    assert_eq!(
        all.iter().copied().collect::<Vec<_>>(),
        (0..2 * size as u32).collect::<Vec<_>>()
    );
    let e = f
        .new_dataset::<u8>()
        .shape(vec![1u64; 33])
        .create("d33")
        .expect_err("33 dims");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    f.close().expect("close");
}

fn conversion(w: &SimpleCommunicator, dir: &Path) {
    let rank = w.rank() as u64;
    let f = File::create(w, dir.join("conv.h5")).expect("create");
    let d = f
        .new_dataset::<i32>()
        .shape([4 * w.size() as u64])
        .create("i")
        .expect("create");
    let mine = ndarray::Array1::from_iter((0..4).map(|i| (4 * rank + i) as f64));
    d.write_at(&[4 * rank], &mine).expect("write f64 into i32");
    let back = d.read_at::<u8>(&[4 * rank], &[4]).expect("read as u8");
    assert_eq!(
        back.iter().map(|&v| v as u64).collect::<Vec<_>>(),
        (4 * rank..4 * rank + 4).collect::<Vec<_>>()
    );
    f.close().expect("close");
}

fn tmp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

fn atomic_create(w: &SimpleCommunicator, dir: &Path) {
    let path = dir.join("atomic.h5");
    let f = File::create(w, &path).expect("create");
    assert!(
        !path.exists(),
        "an atomically created file is not visible before close"
    );
    assert_eq!(tmp_files(dir).len(), 1, "{:?}", tmp_files(dir));
    f.write_attr("/", "version", &1i32).expect("attr");
    f.close().expect("close");
    assert!(path.exists());
    assert!(tmp_files(dir).is_empty(), "{:?}", tmp_files(dir));
    // Re-creating keeps the previous file readable at the path until close.
    let f2 = File::create(w, &path).expect("re-create");
    f2.write_attr("/", "version", &2i32).expect("attr");
    {
        let old = File::open(w, &path, Mode::ReadOnly).expect("open old");
        assert_eq!(old.read_attr::<i32>("/", "version").expect("read"), 1);
        old.close().expect("close old");
    }
    f2.close().expect("close");
    let f3 = File::open(w, &path, Mode::ReadOnly).expect("open new");
    assert_eq!(f3.read_attr::<i32>("/", "version").expect("read"), 2);
    f3.close().expect("close");
    // In place on request.
    let inplace = dir.join("inplace.h5");
    let opts = FileOptions {
        atomic_create: false,
        ..Default::default()
    };
    let f = File::create_with(w, &inplace, &opts).expect("create in place");
    assert!(inplace.exists());
    f.close().expect("close");
    // A file dropped without close is closed and published too.
    {
        let _f = File::create(w, dir.join("dropped.h5")).expect("create");
    }
    assert!(dir.join("dropped.h5").exists());
    assert!(tmp_files(dir).is_empty());
    // Creating in a missing directory fails on every rank.
    let e = File::create(w, dir.join("no/such/dir/x.h5")).expect_err("missing dir");
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
}

fn no_open_objects(w: &SimpleCommunicator, dir: &Path) {
    let path = dir.join("objs.h5");
    let f = File::create(w, &path).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([4])
        .create("g/d")
        .expect("create");
    let g = f.group("g").expect("group");
    g.write_attr("a", "b").expect("attr");
    assert!(f.open_object_count() >= 2);
    f.close().expect("close with a dataset still open");
    assert_eq!(
        h5par::open_object_count(),
        0,
        "objects left open after close"
    );
    let e = d
        .read::<f64>()
        .expect_err("dataset used after its file closed");
    assert_eq!(e.kind(), ErrorKind::Handle, "{e}");
    drop(d);
    let f = File::open(w, &path, Mode::ReadWrite).expect("open");
    let d = f.dataset("g/d").expect("dataset");
    d.write_attr("x", &1u8).expect("attr");
    f.close().expect("close");
    drop(d);
    assert_eq!(h5par::open_object_count(), 0);
}

/// On every rank: the error has `kind` on rank `bad` (and `Remote` from it elsewhere), and
/// the message names rank `bad` and contains `needle`.
fn expect_everywhere<T: Debug>(
    w: &SimpleCommunicator,
    r: Result<T, Error>,
    kind: ErrorKind,
    bad: Option<i32>,
    needle: &str,
) {
    let e = r.expect_err("must fail on every rank");
    let msg = e.to_string();
    match bad {
        Some(b) if w.rank() != b => match &e {
            Error::Remote { rank, kind: k, .. } => {
                assert_eq!((*rank, *k), (b, kind), "{msg}");
            }
            other => panic!("expected a remote error from rank {b}, got {other}"),
        },
        _ => assert_eq!(e.kind(), kind, "{msg}"),
    }
    if let Some(b) = bad {
        assert!(
            msg.contains(&format!("rank {b}")),
            "message does not name rank {b}: {msg}"
        );
    }
    assert!(msg.contains(needle), "message lacks {needle:?}: {msg}");
    eprintln!("rank {} got: {msg}", w.rank());
}

/// Runs a call that must fail on every rank, and checks that it returned within 10 seconds
/// (a hang would be caught by the harness's time limit; this bounds a slow failure too).
fn within_10s<T>(call: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    let out = call();
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(10),
        "the failing call took {took:?}"
    );
    out
}

/// After a failure the file must still work collectively.
fn still_works(f: &File) {
    let d = f
        .new_dataset::<i8>()
        .shape([1])
        .create("still_works")
        .expect("still works");
    d.write_at(&[0], &ndarray::arr1(&[1i8]))
        .expect("write after failure");
}

fn fail_out_of_bounds(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let f = File::create(w, dir.join("oob.h5")).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([4 * size])
        .create("x")
        .expect("create");
    let off = if rank == 1 { 4 * size - 2 } else { 4 * rank };
    let r = within_10s(|| d.write_at(&[off], &ndarray::Array1::<f64>::zeros(4)));
    expect_everywhere(w, r, ErrorKind::Shape, Some(1), "outside the dataset");
    let r = within_10s(|| d.read_at::<f64>(&[if rank == 1 { 100 } else { 0 }], &[1]));
    expect_everywhere(w, r, ErrorKind::Shape, Some(1), "outside the dataset");
    still_works(&f);
    f.close().expect("close");
}

fn fail_shape_mismatch(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("mm.h5")).expect("create");
    let n = if w.rank() == 1 { 11 } else { 10 };
    let r = within_10s(|| f.new_dataset::<f32>().shape([n]).create("x"));
    expect_everywhere(w, r, ErrorKind::Mismatch, None, "rank 1 passed");
    let e = f
        .new_dataset::<f32>()
        .shape([n])
        .create("x")
        .expect_err("again");
    assert!(
        e.to_string().contains("[11]") && e.to_string().contains("[10]"),
        "{e}"
    );
    still_works(&f);
    f.close().expect("close");
}

fn fail_attr_mismatch(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("am.h5")).expect("create");
    let last = w.size() - 1;
    let v = if w.rank() == last { 2.0f64 } else { 1.0 };
    let r = within_10s(|| f.write_attr("/", "dt", &v));
    expect_everywhere(
        w,
        r,
        ErrorKind::Mismatch,
        None,
        &format!("rank {last} passed"),
    );
    let s = if w.rank() == last { "b" } else { "a" };
    let r = within_10s(|| f.write_attr("/", "label", s));
    expect_everywhere(w, r, ErrorKind::Mismatch, None, "string \"a\"");
    still_works(&f);
    f.close().expect("close");
}

fn fail_missing_file(w: &SimpleCommunicator, dir: &Path) {
    let r = within_10s(|| File::open(w, dir.join("absent.h5"), Mode::ReadOnly));
    expect_everywhere(w, r, ErrorKind::NotFound, None, "absent.h5");
    // A file that is not HDF5.
    let junk = dir.join("junk.h5");
    if w.rank() == 0 {
        std::fs::write(&junk, b"not an HDF5 file").expect("write junk");
    }
    w.barrier();
    let r = within_10s(|| File::open(w, &junk, Mode::ReadOnly));
    expect_everywhere(w, r, ErrorKind::Hdf5, None, "junk.h5");
}

fn fail_missing_dataset(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("md.h5")).expect("create");
    let r = within_10s(|| f.dataset("nope/x"));
    expect_everywhere(w, r, ErrorKind::NotFound, None, "/nope/x");
    // Rank 1 asks for another (existing) dataset than the others: a mismatch, not a hang.
    f.new_dataset::<u8>()
        .shape([2])
        .create("a")
        .expect("create");
    f.new_dataset::<u8>()
        .shape([2])
        .create("b")
        .expect("create");
    let name = if w.rank() == 1 { "b" } else { "a" };
    let r = within_10s(|| f.dataset(name));
    expect_everywhere(w, r, ErrorKind::Mismatch, None, "rank 1 is in open dataset");
    still_works(&f);
    f.close().expect("close");
}

fn fail_incompatible_shape(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("is.h5")).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([4, 5])
        .create("x")
        .expect("create");
    let mut one_d = ndarray::Array1::<f64>::zeros(20);
    let r = within_10s(|| d.read_into(&[0], &mut one_d, Xfer::Collective));
    expect_everywhere(w, r, ErrorKind::Shape, None, "2 dimensions");
    // Only rank 1 passes a buffer of the wrong shape.
    let mut two_d = ndarray::Array2::<f64>::zeros(if w.rank() == 1 { (5, 5) } else { (4, 5) });
    let r = within_10s(|| d.read_into(&[0, 0], &mut two_d, Xfer::Collective));
    expect_everywhere(w, r, ErrorKind::Shape, Some(1), "outside the dataset");
    // A non-contiguous output array of the right shape is filled (through a copy).
    let data = ndarray::Array2::<f64>::from_shape_fn((4, 5), |(i, j)| (10 * i + j) as f64);
    d.write_at(&[0, 0], &data).expect("write");
    let mut t = ndarray::Array2::<f64>::zeros((5, 4));
    let mut view = t.view_mut().reversed_axes();
    within_10s(|| d.read_into(&[0, 0], &mut view, Xfer::Collective)).expect("read_into a view");
    assert_eq!(t.t(), data);
    // A selection inside the dataset that no memory can hold, on rank 1 only: an error on
    // every rank (never an empty array), and the file still works. The dataset is 1 TiB of
    // contiguous storage allocated without being written (a sparse file); with the kernel's
    // default overcommit heuristic an allocation of 1 TiB on this node is refused at once. (With
    // overcommit always on, the allocation would succeed lazily and the read would really run:
    // that part is left out then, and says so.)
    let overcommit = std::fs::read_to_string("/proc/sys/vm/overcommit_memory").unwrap_or_default();
    if overcommit.trim() != "0" {
        eprintln!("vm.overcommit_memory is {overcommit:?}, not 0: the 1 TiB read is left out");
        still_works(&f);
        f.close().expect("close");
        return;
    }
    let huge = f
        .new_dataset::<f64>()
        .shape([1u64 << 37])
        .create("huge")
        .expect("create huge");
    let count: [u64; 1] = if w.rank() == 1 { [1 << 37] } else { [1] };
    let r = within_10s(|| huge.read_at::<f64>(&[0], &count));
    expect_everywhere(w, r, ErrorKind::Shape, Some(1), "does not fit in memory");
    still_works(&f);
    f.close().expect("close");
}

fn fail_compressed_independent(w: &SimpleCommunicator, dir: &Path) {
    let rank = w.rank() as u64;
    let f = File::create(w, dir.join("ci.h5")).expect("create");
    let d = f
        .new_dataset::<i32>()
        .shape([8 * w.size() as u64])
        .chunk([8])
        .deflate(6)
        .create("z")
        .expect("create");
    let r = within_10s(|| {
        d.write_at_with(
            &[8 * rank],
            &ndarray::Array1::<i32>::ones(8),
            Xfer::Independent,
        )
    });
    expect_everywhere(w, r, ErrorKind::Invalid, None, "collectively");
    d.write_at(&[8 * rank], &ndarray::Array1::<i32>::ones(8))
        .expect("collective works");
    f.close().expect("close");
}

/// Written by N ranks, read by M (the process trial runs both).
fn write_n(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let n = 1000u64;
    let total = n * size + 7;
    let f = File::create(w, dir.join("nm.h5")).expect("create");
    let d = f
        .new_dataset::<i64>()
        .shape([total])
        .chunk([333])
        .create("v")
        .expect("create");
    let start = rank * n;
    let count = if rank == size - 1 { n + 7 } else { n };
    let mine = ndarray::Array1::from_iter((start..start + count).map(|i| i as i64 * 3));
    d.write_at(&[start], &mine).expect("write");
    f.write_attr("/", "writers", &(size as i32)).expect("attr");
    f.close().expect("close");
}

fn read_m(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let f = File::open(w, dir.join("nm.h5"), Mode::ReadOnly).expect("open");
    let writers = f.read_attr::<i32>("/", "writers").expect("attr") as u64;
    let d = f.dataset("v").expect("dataset");
    let total = d.shape()[0];
    assert_eq!(total, 1000 * writers + 7);
    let per = total.div_ceil(size);
    let start = (rank * per).min(total);
    let count = per.min(total - start);
    let got = d.read_at::<i64>(&[start], &[count]).expect("read");
    for (k, v) in got.iter().enumerate() {
        assert_eq!(*v, (start + k as u64) as i64 * 3);
    }
    f.close().expect("close");
}

/// A file for h5py and h5dump to check (see process.rs and tests/python/check_h5par_file.py).
fn h5par_writes(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let f = File::create(w, dir.join("from_h5par.h5")).expect("create");
    let rows = 4u64;
    let d = f
        .new_dataset::<f64>()
        .shape([rows * size, 3])
        .create("grid/values")
        .expect("create");
    let mine = ArrayD::from_shape_fn(IxDyn(&[rows as usize, 3]), |ix| {
        ((rank * rows + ix[0] as u64) * 3 + ix[1] as u64) as f64 * 0.5
    });
    d.write_at(&[rank * rows, 0], &mine).expect("write");
    let z = f
        .new_dataset::<i32>()
        .shape([100 * size])
        .chunk([64])
        .deflate(5)
        .create("grid/compressed")
        .expect("create");
    z.write_at(
        &[100 * rank],
        &ndarray::Array1::from_iter((100 * rank..100 * rank + 100).map(|i| i as i32 - 50)),
    )
    .expect("write");
    d.write_attr("units", "kelvin").expect("attr");
    d.write_attr("scale", &[1.5f32, 2.5]).expect("attr");
    f.write_attr("/", "ranks", &(size as u16)).expect("attr");
    f.close().expect("close");
}

/// Reads what tests/python/write_h5py_file.py wrote.
fn h5py_wrote(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let f = File::open(w, dir.join("from_h5py.h5"), Mode::ReadOnly).expect("open");
    for name in ["contiguous", "chunked", "compressed"] {
        let d = f.dataset(name).expect("dataset");
        assert_eq!(d.dtype(), Some(Dtype::F64));
        let [n, m] = d.shape()[..] else {
            panic!("2-d expected")
        };
        let per = n.div_ceil(size);
        let start = (rank * per).min(n);
        let count = per.min(n - start);
        let got = d.read_at::<f64>(&[start, 0], &[count, m]).expect("read");
        for ((i, j), v) in got
            .into_dimensionality::<ndarray::Ix2>()
            .expect("2-d")
            .indexed_iter()
        {
            assert_eq!(
                *v,
                ((start as usize + i) * m as usize + j) as f64 / 4.0,
                "{name}"
            );
        }
        if name == "compressed" {
            assert_eq!(d.storage().deflate, Some(3));
        }
    }
    let i = f.dataset("ints").expect("ints");
    assert_eq!(i.dtype(), Some(Dtype::I16));
    assert_eq!(
        i.read::<i16>()
            .expect("read")
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![-3, -2, -1, 0, 1, 2]
    );
    assert_eq!(f.read_attr::<String>("/", "creator").expect("attr"), "h5py");
    assert_eq!(
        f.read_attr::<Vec<i64>>("/contiguous", "shape_hint")
            .expect("attr"),
        vec![10, 7]
    );
    f.close().expect("close");
}

/// A large collective write for the kill test: prints "writing" once the file is created.
fn big_write(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let mib: u64 = std::env::var("H5PAR_BIG_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let n = mib * (1 << 20) / 8 / size;
    let f = File::create(w, dir.join("big.h5")).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([n * size])
        .create("x")
        .expect("create");
    let chunk = (1u64 << 17).min(n);
    let block = ndarray::Array1::<f64>::from_elem(chunk as usize, rank as f64);
    if rank == 0 {
        println!("writing");
    }
    // A paced job (H5PAR_BIG_PACE_MS between blocks) stays mid-write long enough to be killed.
    let pace = std::env::var("H5PAR_BIG_PACE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut at = 0;
    while at < n {
        let c = chunk.min(n - at);
        d.write_at(&[rank * n + at], &block.slice(ndarray::s![..c as usize]))
            .expect("write");
        at += c;
        std::thread::sleep(std::time::Duration::from_millis(pace));
    }
    if rank == 0 {
        println!("closing");
    }
    f.close().expect("close");
}

/// Without MPI_Init: a clear error, not a crash (run without mpirun).
pub fn no_mpi_init(dir: &Path) {
    let world = mpi::topology::SimpleCommunicator::self_comm();
    let _ = world;
    let e = File::create(
        &mpi::topology::SimpleCommunicator::self_comm(),
        dir.join("x.h5"),
    );
    let e = e.expect_err("no MPI");
    assert_eq!(e.kind(), ErrorKind::Mpi, "{e}");
    assert!(e.to_string().contains("not initialized"), "{e}");
}

fn offsets(
    w: &SimpleCommunicator,
    path: &Path,
    opts: &FileOptions,
) -> (Vec<u64>, h5par::tune::TunePlan) {
    let f = File::create_with(w, path, opts).expect("create");
    let mut out = Vec::new();
    for i in 0..3 {
        let d = f
            .new_dataset::<f64>()
            .shape([20_000 + i])
            .create(&format!("d{i}"))
            .expect("create");
        d.write_attr("i", &(i as i32))
            .expect("metadata between datasets");
        let rank = w.rank() as u64;
        if rank == 0 {
            d.write_at(&[0], &ndarray::Array1::<f64>::ones(100))
                .expect("write");
        } else {
            d.write_at(&[0], &ndarray::Array1::<f64>::ones(0))
                .expect("empty write");
        }
        out.push(d.offset().expect("contiguous data has an offset"));
    }
    let plan = f.tuning().clone();
    f.close().expect("close");
    (out, plan)
}

fn tuned_alignment(w: &SimpleCommunicator, dir: &Path) {
    const MIB: u64 = 1 << 20;
    let forced = FileOptions {
        stripe_size: Some(MIB),
        ..Default::default()
    };
    let (offs, plan) = offsets(w, &dir.join("aligned.h5"), &forced);
    assert!(plan.enabled);
    assert_eq!(plan.alignment, Some((64 << 10, MIB)));
    assert!(
        offs.iter().all(|o| o % MIB == 0),
        "not aligned to 1 MiB: {offs:?}"
    );
    // Tuned, on a local file system (the test folder), without a stripe size: no alignment,
    // HDF5's own placement (page-aligned data is the slow copy case of malloc'd buffers).
    if h5par::tune::detect(dir).is_ok_and(|fs| fs.kind.is_local()) {
        let (offs, plan) = offsets(w, &dir.join("local.h5"), &FileOptions::default());
        assert!(plan.enabled);
        assert_eq!((plan.alignment, plan.meta_block_size), (None, None));
        assert!(
            offs.iter().any(|o| o % 4096 != 0),
            "data should be where HDF5 puts it, not on pages: {offs:?}"
        );
    }
    let off = FileOptions {
        tuning: false,
        ..Default::default()
    };
    let (offs, plan) = offsets(w, &dir.join("plain.h5"), &off);
    assert!(!plan.enabled && plan.alignment.is_none());
    assert!(
        offs.iter().any(|o| o % MIB != 0),
        "HDF5 defaults should not align: {offs:?}"
    );
    // The environment overrides the options.
    std::env::set_var("H5PAR_TUNING", "off");
    let (_, plan) = offsets(w, &dir.join("env_off.h5"), &forced);
    assert!(!plan.enabled, "H5PAR_TUNING=off");
    std::env::remove_var("H5PAR_TUNING");
    std::env::set_var("H5PAR_STRIPE_SIZE", "2M");
    let (offs, plan) = offsets(w, &dir.join("env_2m.h5"), &FileOptions::default());
    assert_eq!(plan.alignment, Some((64 << 10, 2 * MIB)));
    assert!(offs.iter().all(|o| o % (2 * MIB) == 0), "{offs:?}");
    std::env::set_var("H5PAR_STRIPE_SIZE", "lots");
    let r = within_10s(|| File::create(w, dir.join("bad_env.h5")));
    expect_everywhere(w, r, ErrorKind::Invalid, None, "H5PAR_STRIPE_SIZE");
    std::env::remove_var("H5PAR_STRIPE_SIZE");
    // The file is still readable by HDF5 with any settings.
    let f = File::open(w, dir.join("aligned.h5"), Mode::ReadOnly).expect("open");
    assert_eq!(f.read_attr::<i32>("/d2", "i").expect("attr"), 2);
    f.close().expect("close");
}

/// A collective read of a whole dataset of at most 1 MiB (one stripe) is still agreed, but
/// HDF5 reads it independently, and the report says so and why; a larger dataset is read
/// collectively; with tuning off, the small one too.
fn small_reads(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let path = dir.join("small.h5");
    let (small, big) = (64u64, 140_000u64); // per rank: 512 B, and over 1 MiB in all
    let f = File::create(w, &path).expect("create");
    for (name, n) in [("small", small), ("big", big)] {
        let d = f
            .new_dataset::<f64>()
            .shape([n * size])
            .create(name)
            .expect("create");
        let mine = ndarray::Array1::<f64>::from_iter((0..n).map(|i| (rank * n + i) as f64));
        d.write_at(&[n * rank], &mine).expect("write");
    }
    f.close().expect("close");
    for tuning in [true, false] {
        let opts = FileOptions {
            tuning,
            ..Default::default()
        };
        let f = File::open_with(w, &path, Mode::ReadOnly, &opts).expect("open");
        for (name, n) in [("small", small), ("big", big)] {
            let d = f.dataset(name).expect("open dataset");
            let other = (rank + 1) % size;
            let got = d
                .read_at::<f64>(&[n * other], &[n])
                .expect("collective read");
            assert!(
                got.iter()
                    .enumerate()
                    .all(|(i, &v)| v == (other * n + i as u64) as f64),
                "{name}: wrong values"
            );
        }
        let r = f.report();
        let calls: Vec<_> = r.calls.iter().filter(|c| c.op == "read").collect();
        assert_eq!(calls.len(), 2, "{calls:?}");
        let (s, b) = (calls[0], calls[1]);
        assert_eq!(
            (s.dataset.as_str(), s.requested.as_str()),
            ("/small", "collective")
        );
        if tuning {
            assert_eq!(s.actual, "independent", "{s:?}");
            let cause = s.cause.as_deref().unwrap_or("");
            assert!(
                cause.contains("fits in 1 MiB") && cause.contains("still agreed"),
                "{s:?}"
            );
        } else {
            assert!(s.actual.contains("collective"), "{s:?}");
        }
        assert!(b.actual.contains("collective"), "{b:?}");
        assert_eq!(b.cause, None, "{b:?}");
        f.close().expect("close");
    }
}

fn io_report(w: &SimpleCommunicator, dir: &Path) {
    const MIB: u64 = 1 << 20;
    let rank = w.rank() as u64;
    let json_path = dir.join("report.json");
    let opts = FileOptions {
        stripe_size: Some(MIB),
        hints: vec![("cb_buffer_size".into(), "8388608".into())],
        report: Some(json_path.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let f = File::create_with(w, dir.join("rep.h5"), &opts).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([20_000 * w.size() as u64])
        .create("x")
        .expect("create");
    let mine = ndarray::Array1::<f64>::from_elem(20_000, rank as f64);
    d.write_at(&[20_000 * rank], &mine)
        .expect("collective write");
    let as_f32 = mine.mapv(|v| v as f32);
    d.write_at(&[20_000 * rank], &as_f32)
        .expect("collective write with conversion");
    d.write_at_with(&[20_000 * rank], &mine, Xfer::Independent)
        .expect("independent write");
    // The transfer lists are made once per thread and reused: what HDF5 wrote into the
    // collective one at the write with conversion must not show in the next write's report.
    d.write_at(&[20_000 * rank], &mine)
        .expect("collective write after the others");
    let r = f.report();
    assert_eq!((r.rank, r.ranks), (rank as u32, w.size() as u32));
    assert!(r.tuning);
    assert_eq!(r.layout.as_ref().map(|l| l.alignment), Some(MIB));
    // Every hint asked for is shown next to what MPI says (or flagged as missing/different).
    for key in ["striping_unit", "cb_buffer_size"] {
        let h = r
            .hints
            .iter()
            .find(|h| h.key == key)
            .unwrap_or_else(|| panic!("hint {key} not in {:?}", r.hints));
        assert!(h.asked.is_some());
        assert!(h.in_effect.is_some() || h.flag.is_some(), "{h:?}");
        if let Some(v) = &h.in_effect {
            assert_eq!(h.flag.is_some(), Some(v) != h.asked.as_ref(), "{h:?}");
        }
    }
    let ds = r
        .datasets
        .iter()
        .find(|d| d.path == "/x")
        .expect("dataset in report");
    assert_eq!(ds.aligned, Some(true), "{ds:?}");
    assert_eq!(r.calls.len(), 4, "{:?}", r.calls);
    let (c, conv, ind) = (&r.calls[0], &r.calls[1], &r.calls[2]);
    for c in [c, &r.calls[3]] {
        assert_eq!(
            (c.op.as_str(), c.actual.as_str(), &c.cause),
            ("write", "contiguous collective", &None),
            "{c:?}"
        );
    }
    assert_eq!(c.bytes, 160_000);
    assert_eq!(conv.requested, "collective");
    // HDF5 1.14 converts types inside collective I/O (selection I/O); older ones fall back to
    // independent I/O, and the report says why.
    let converts_collectively = cfg!(hdf5_1_14);
    if converts_collectively {
        assert_eq!(
            (conv.actual.as_str(), &conv.cause),
            ("contiguous collective", &None),
            "{conv:?}"
        );
    } else {
        assert!(
            conv.cause
                .as_deref()
                .unwrap_or("")
                .contains("datatype conversion"),
            "{conv:?}"
        );
    }
    assert_eq!(ind.actual, "independent");
    assert!(
        ind.cause
            .as_deref()
            .unwrap_or("")
            .contains("independent I/O was requested"),
        "{ind:?}"
    );
    // JSON round trip, and the summary.
    let back = h5par::tune::Report::from_json(&f.report_json().expect("json")).expect("parses");
    assert_eq!(back, r);
    assert_eq!(
        r.summary().contains("datatype conversion"),
        !converts_collectively,
        "{}",
        r.summary()
    );
    f.close().expect("close");
    w.barrier();
    let written = std::fs::read_to_string(&json_path).expect("report written at close");
    let on_disk = h5par::tune::Report::from_json(&written).expect("parses");
    assert_eq!(on_disk.rank, 0);
    assert_eq!(on_disk.calls.len(), 4);
    // Tuning off: nothing asked but the hints h5par sets for correctness (each with why),
    // nothing judged aligned.
    let plain = FileOptions {
        tuning: false,
        ..Default::default()
    };
    let f = File::create_with(w, dir.join("rep_off.h5"), &plain).expect("create");
    f.new_dataset::<f64>()
        .shape([20_000])
        .create("x")
        .expect("create");
    let r = f.report();
    assert!(!r.tuning && r.layout.is_none());
    let safety = h5par::tune::plan::safety_hints(h5par::tune::MpiFlavor::detect());
    for h in r.hints.iter().filter(|h| h.asked.is_some()) {
        assert!(
            safety
                .iter()
                .any(|s| s.0 == h.key && Some(s.1) == h.asked.as_deref()),
            "asked for with tuning off: {h:?}"
        );
        assert!(h.why.is_some(), "{h:?}");
        assert!(h.flag.is_none(), "the MPI library does not report {h:?}");
    }
    assert_eq!(
        r.hints.iter().filter(|h| h.asked.is_some()).count(),
        safety.len()
    );
    if !safety.is_empty() {
        assert!(r.summary().contains("set by h5par: "), "{}", r.summary());
    }
    assert_eq!(r.datasets[0].aligned, None);
    f.close().expect("close");
}

/// Rank 0 writes twice, the others once, then every rank closes: every rank gets a mismatch
/// that names the calls; the file is still open and closes on a second try, with the data of
/// the first write.
fn write_twice_then_close(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let path = dir.join("twice.h5");
    let f = File::create(w, &path).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([size])
        .create("x")
        .expect("create");
    let mine = ndarray::Array1::from_elem(1, rank as f64 + 1.0);
    d.write_at(&[rank], &mine).expect("write");
    let r = within_10s(|| {
        if rank == 0 {
            d.write_at(&[0], &mine)
        } else {
            f.close_with(Ok(()))
        }
    });
    expect_everywhere(w, r, ErrorKind::Mismatch, None, "rank 0 is in write");
    if rank != 0 {
        assert!(
            f.is_open(),
            "a close the ranks did not agree on closes nothing"
        );
    }
    // Rank 0's close meets the others' second.
    f.close_with(Ok(())).expect("close on every rank");
    assert!(!f.is_open());
    drop(d);
    drop(f);
    let f = File::open(w, &path, Mode::ReadOnly).expect("open");
    let all = f.dataset("x").expect("x").read::<f64>().expect("read");
    let want: Vec<f64> = (1..=size).map(|v| v as f64).collect();
    assert_eq!(all.as_slice().expect("contiguous"), &want[..]);
    f.close().expect("close");
}

/// A contiguous dataset whose byte size overflows is an error at create on every rank.
fn size_overflow(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("big.h5")).expect("create");
    let r = f
        .new_dataset::<f64>()
        .shape([(1u64 << 60) + 1, 16])
        .create("x");
    expect_everywhere(w, r, ErrorKind::Invalid, None, "overflows");
    assert!(
        !f.root().contains("x").expect("contains"),
        "nothing is left behind"
    );
    still_works(&f);
    f.close().expect("close");
}

/// A create removes the stale temporaries of the same file (creator gone), and keeps those of
/// a live creator and of other hosts.
fn stale_temporaries(w: &SimpleCommunicator, dir: &Path) {
    use h5par::io::stale::{host_name, temporary_file_name, this_process, Creator};
    let me = this_process();
    let dead = temporary_file_name(
        "s.h5",
        &Creator {
            host: host_name(),
            pid: u32::MAX - 7,
            start: 1,
        },
        1,
    );
    let live = temporary_file_name("s.h5", &me, 2);
    let foreign = temporary_file_name(
        "s.h5",
        &Creator {
            host: "elsewhere".into(),
            pid: u32::MAX - 7,
            start: 1,
        },
        3,
    );
    let other_file = temporary_file_name(
        "t.h5",
        &Creator {
            host: host_name(),
            pid: u32::MAX - 7,
            start: 1,
        },
        4,
    );
    if w.rank() == 0 {
        for n in [&dead, &live, &foreign, &other_file] {
            std::fs::write(dir.join(n), b"x").expect("plant");
        }
    }
    w.barrier();
    let f = File::create(w, dir.join("s.h5")).expect("create");
    w.barrier();
    if w.rank() == 0 {
        // (The names are rank 0's: it planted them and its creates remove them.)
        assert!(!dir.join(&dead).exists(), "the stale temporary is removed");
        for n in [&live, &foreign, &other_file] {
            assert!(dir.join(n).exists(), "{n} is kept");
        }
    }
    let data = f
        .data_path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(data.contains(&format!("~{}~", host_name())), "{data}");
    f.close().expect("close");
    assert!(dir.join("s.h5").exists());
}

/// A path 1,000 groups deep is created and opened (linear in depth; see the report for the
/// timings, which tests do not assert).
fn deep_path(w: &SimpleCommunicator, dir: &Path) {
    let depth = 1000;
    let groups: Vec<String> = (0..depth).map(|i| format!("g{i}")).collect();
    let path = format!("{}/x", groups.join("/"));
    let f = File::create(w, dir.join("deep.h5")).expect("create");
    let started = std::time::Instant::now();
    f.new_dataset::<u8>()
        .shape([2])
        .create(&path)
        .expect("create deep");
    let created = started.elapsed();
    drop(f.dataset(&path).expect("open deep"));
    let opened = started.elapsed() - created;
    assert!(f.root().contains(&path).expect("contains"));
    assert!(!f
        .root()
        .contains(&format!("{path}/nope"))
        .expect("contains"));
    eprintln!(
        "rank {}: depth {depth}: create {created:?}, open {opened:?}",
        w.rank()
    );
    f.close().expect("close");
}

/// Rank 1 never makes the write rank 0 is in (run with H5PAR_WATCHDOG=1 and
/// H5PAR_WATCHDOG_ABORT=1 by process::watchdog_aborts_a_lone_call, which expects the abort).
fn watchdog_lone_write(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("lone.h5")).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([4])
        .create("x")
        .expect("create");
    if w.rank() == 0 {
        let _ = d.write_at(&[0], &ndarray::Array1::from_elem(4, 1.0));
    } else {
        std::thread::sleep(std::time::Duration::from_secs(25));
    }
    panic!("the watchdog should have aborted the job");
}

/// Rank 1 comes 3 s late to a write (run with H5PAR_WATCHDOG=1): rank 0 waits without
/// burning a core and prints the watchdog's message once; the write then succeeds.
fn watchdog_late_rank(w: &SimpleCommunicator, dir: &Path) {
    let f = File::create(w, dir.join("late.h5")).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([2])
        .create("x")
        .expect("create");
    let cpu = || {
        // SAFETY: `rusage` is a plain C struct of integers, for which all-zero bytes are valid.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: a valid out-struct; RUSAGE_THREAD is this (waiting) thread only.
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) };
        u.ru_utime.tv_sec as f64
            + u.ru_utime.tv_usec as f64 * 1e-6
            + u.ru_stime.tv_sec as f64
            + u.ru_stime.tv_usec as f64 * 1e-6
    };
    if w.rank() == 1 {
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    let (c0, t0) = (cpu(), std::time::Instant::now());
    let rank = w.rank() as u64;
    d.write_at(&[rank], &ndarray::Array1::from_elem(1, 1.0))
        .expect("write");
    let (used, waited) = (cpu() - c0, t0.elapsed().as_secs_f64());
    if w.rank() == 0 {
        eprintln!("rank 0 waited {waited:.2} s using {used:.3} s of CPU");
        assert!(waited > 2.0, "rank 0 did wait ({waited} s)");
        assert!(
            used < 0.5 * waited,
            "rank 0 burned {used} s of CPU in {waited} s"
        );
    }
    f.close().expect("close");
}

/// Unmounts `point` (lazily) once this process is gone, so that no mount outlives a killed
/// trial. The watcher keeps none of this process's file descriptors: MPICH's launcher waits
/// for the rank's PMI socket and output to close before it reaps the rank, and the watcher
/// waits for the rank to be reaped, so an inherited descriptor hung every MPICH run at exit.
fn unmount_when_gone(point: &Path) {
    let mut cmd = std::process::Command::new("setsid");
    cmd.arg("sh")
        .arg("-c")
        .arg(format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; umount -l '{}' 2>/dev/null",
            std::process::id(),
            point.display()
        ))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let _ = without_inherited_fds(&mut cmd).spawn();
}

/// `cmd`, set to start with none of this process's file descriptors above stderr (see
/// [`unmount_when_gone`]).
fn without_inherited_fds(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure only makes the close_range system call,
    // which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        })
    }
}

/// A small tmpfs mounted by rank 0 (as root, which CI is) for the time of a case, unmounted
/// on drop (also when the case panics).
struct SmallTmpfs {
    point: std::path::PathBuf,
    rank: i32,
}

impl SmallTmpfs {
    fn mount(w: &SimpleCommunicator, dir: &Path, mib: u32) -> SmallTmpfs {
        let point = dir.join("small-tmpfs");
        if w.rank() == 0 {
            std::fs::create_dir_all(&point).expect("mount point");
            let out = std::process::Command::new("mount")
                .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
                .arg(&point)
                .output()
                .expect("mount runs");
            assert!(
                out.status.success(),
                "mount -t tmpfs failed (the test needs root, as CI has): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // Unmounted by a watcher when this process dies without unmounting (a killed
            // trial), so no mount outlives the test.
            unmount_when_gone(&point);
        }
        w.barrier();
        SmallTmpfs {
            point,
            rank: w.rank(),
        }
    }
}

impl Drop for SmallTmpfs {
    fn drop(&mut self) {
        if self.rank == 0 {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.point)
                .status();
        }
    }
}

/// A full disk under a file written in place (created without a temporary, or opened
/// read-write): the failed write and the close fail on every rank, quickly, naming the cause;
/// nothing hangs or crashes (the process then finalizes MPI); what the file keeps is what the
/// close's error says.
fn disk_full_in_place(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let fs = SmallTmpfs::mount(w, dir, 8);
    let n = (32u64 << 20) / 8;
    let (lo, hi) = (rank * n / size, (rank + 1) * n / size);
    let ones = ndarray::Array1::from_elem((hi - lo) as usize, 1.0f64);
    let fill = |f: &File| {
        let d = f
            .new_dataset::<f64>()
            .shape([n])
            .create("big")
            .expect("create big");
        let started = std::time::Instant::now();
        let e = d.write_at(&[lo], &ones).expect_err("32 MiB into 8 MiB");
        assert!(started.elapsed().as_secs() < 30, "the write took long");
        let msg = e.to_string();
        assert!(msg.contains("no space left on device"), "{msg}");
        assert!(msg.contains("tmpfs"), "{msg}");
    };
    let closes_with_error = |f: &File, what: &str| {
        let started = std::time::Instant::now();
        let e = f
            .close_with(Ok(()))
            .expect_err("close after a failed write");
        assert!(started.elapsed().as_secs() < 30, "the close took long");
        assert!(!f.is_open(), "{what}: the file is closed");
        let msg = e.to_string();
        assert!(
            msg.contains("no space left on device") || msg.contains("incomplete"),
            "{msg}"
        );
        eprintln!("rank {rank}: {what}: close: {msg}");
        msg
    };
    // Created in place: the file keeps its objects (the reserve gave HDF5's closing writes
    // room), as the error says.
    let path = fs.point.join("in-place.h5");
    let opts = FileOptions {
        atomic_create: false,
        ..Default::default()
    };
    let f = File::create_with(w, &path, &opts).expect("create");
    fill(&f);
    let msg = closes_with_error(&f, "created in place");
    assert!(msg.contains("keeps every object"), "{msg}");
    drop(f);
    let f = File::open(w, &path, Mode::ReadOnly).expect("reopen");
    assert_eq!(f.dataset("big").expect("big").shape(), vec![n]);
    f.close().expect("close");
    w.barrier();
    if rank == 0 {
        std::fs::remove_file(&path).expect("remove");
    }
    w.barrier();
    // Opened read-write: what was there before stays readable.
    let path = fs.point.join("kept.h5");
    let f = File::create(w, &path).expect("create");
    let keep = f
        .new_dataset::<f64>()
        .shape([4 * size])
        .create("keep")
        .expect("create keep");
    keep.write_at(&[4 * rank], &ndarray::Array1::from_elem(4, rank as f64))
        .expect("write keep");
    drop(keep);
    f.close().expect("close");
    let f = File::open(w, &path, Mode::ReadWrite).expect("open read-write");
    fill(&f);
    let msg = closes_with_error(&f, "opened read-write");
    assert!(msg.contains("keeps every object"), "{msg}");
    drop(f);
    let f = File::open(w, &path, Mode::ReadOnly).expect("reopen");
    let back = f
        .dataset("keep")
        .expect("keep")
        .read::<f64>()
        .expect("read");
    let want: Vec<f64> = (0..4 * size).map(|i| (i / 4) as f64).collect();
    assert_eq!(back.as_slice().expect("contiguous"), &want[..]);
    f.close().expect("close");
    w.barrier();
    if rank == 0 {
        let left: Vec<_> = std::fs::read_dir(&fs.point)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("kept.h5")],
            "left behind"
        );
    }
    w.barrier();
    drop(fs);
}

/// A close some ranks make while rank 0 is in a write fails on every rank and leaves the
/// `File` with the caller, still open, so that `close` can be called again on every rank.
fn close_given_back(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let path = dir.join("given-back.h5");
    let f = File::create(w, &path).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([size])
        .create("x")
        .expect("create");
    let mine = ndarray::Array1::from_elem(1, rank as f64 + 1.0);
    let r = within_10s(|| {
        if rank == 0 {
            d.write_at(&[rank], &mine)
        } else {
            f.close()
        }
    });
    expect_everywhere(w, r, ErrorKind::Mismatch, None, "rank 0 is in write");
    assert!(f.is_open(), "the file is still open on rank {rank}");
    assert!(!path.exists(), "nothing is published yet");
    // Rank 0's write was not made: every rank writes now, then closes the same File.
    d.write_at(&[rank], &mine)
        .expect("write after the failed close");
    f.close().expect("the second close, on every rank");
    assert!(!f.is_open());
    f.close().expect("closing a closed file does nothing");
    drop(d);
    drop(f);
    let f = File::open(w, &path, Mode::ReadOnly).expect("open");
    let all = f.dataset("x").expect("x").read::<f64>().expect("read");
    let want: Vec<f64> = (1..=size).map(|v| v as f64).collect();
    assert_eq!(all.as_slice().expect("contiguous"), &want[..]);
    f.close().expect("close");
}

/// Runs a command of the test's setup, panicking with its output when it fails.
fn setup(cmd: &str, args: &[&str]) {
    let out = std::process::Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} does not run ({e}): the test needs root and {cmd}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A real quota: a loop-mounted btrfs image (sparse, 256 MiB) whose top volume has an 8 MiB
/// qgroup limit, so writes fail with EDQUOT (this kernel has no CONFIG_QUOTA for ext4 or XFS
/// quotas; btrfs qgroups need none). Rank 0 sets it up; a watcher unmounts it if the process
/// dies first. Needs root, a loop device and btrfs-progs; without them the case fails, saying
/// what is missing. The write fails on every rank with "disk quota exceeded ... btrfs"; the
/// close fails on every rank, quickly, with that error, nothing is published and nothing is
/// left (on both MPIs, 1 to 3 ranks). At a btrfs qgroup limit even `truncate` of the temporary
/// fails with EDQUOT (copy-on-write needs room to free room), and so does rewriting 4 KiB in
/// place, so HDF5's closing writes cannot be given room: they go to a scratch file
/// (`h5par::io::scratch`), which before hung the close on 2-3 ranks and crashed HDF5 at
/// MPI_Finalize on 1. Only an unlink, counted at the next commit (`syncfs`), gives room back.
fn quota_exceeded(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    for tool in ["mkfs.btrfs", "btrfs", "mount", "losetup"] {
        assert!(
            on_path(tool),
            "quota_exceeded cannot run: {tool} is missing (it needs root, a loop device and \
             btrfs-progs: scripts/install-deps.sh)"
        );
    }
    let image = dir.join("quota.img");
    let point = dir.join("quota-mnt");
    if rank == 0 {
        std::fs::create_dir_all(&point).expect("mount point");
        let f = std::fs::File::create(&image).expect("image");
        f.set_len(256 << 20).expect("sparse image");
        drop(f);
        let (img, pt) = (
            image.to_str().expect("utf-8"),
            point.to_str().expect("utf-8"),
        );
        setup("mkfs.btrfs", &["-q", "-f", img]);
        setup("mount", &["-o", "loop", img, pt]);
        unmount_when_gone(&point);
        setup("btrfs", &["quota", "enable", pt]);
        setup("btrfs", &["qgroup", "limit", "8M", pt]);
    }
    w.barrier();
    let n = (32u64 << 20) / 8;
    let (lo, hi) = (rank * n / size, (rank + 1) * n / size);
    let ones = ndarray::Array1::from_elem((hi - lo) as usize, 1.0f64);
    let path = point.join("over.h5");
    let f = File::create(w, &path).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([n])
        .create("big")
        .expect("create big");
    let started = std::time::Instant::now();
    let e = d
        .write_at(&[lo], &ones)
        .expect_err("32 MiB over an 8 MiB quota");
    assert!(started.elapsed().as_secs() < 30, "the write took long");
    let msg = e.to_string();
    eprintln!("rank {rank}: write: {msg}");
    let shown = point.display().to_string();
    for want in ["disk quota exceeded", "btrfs file system", shown.as_str()] {
        assert!(msg.contains(want), "no {want:?} in {msg}");
    }
    let started = std::time::Instant::now();
    let e = f.close().expect_err("close after a failed write");
    assert!(started.elapsed().as_secs() < 30, "the close took long");
    assert!(!f.is_open());
    eprintln!("rank {rank}: close: {e}");
    assert!(e.to_string().contains("disk quota exceeded"), "{e}");
    drop(d);
    drop(f);
    w.barrier();
    if rank == 0 {
        assert!(!path.exists(), "nothing is published");
        let left: Vec<_> = std::fs::read_dir(&point)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        setup("umount", &[point.to_str().expect("utf-8")]);
        std::fs::remove_file(&image).ok();
    }
    w.barrier();
}

/// A communicator handle moved to another thread (MPI was initialized with
/// `MPI_THREAD_MULTIPLE`; each communicator is used by one thread).
struct SendComm(mpi::ffi::MPI_Comm);
// SAFETY: an MPI communicator handle is a plain value that MPI, initialized with
// MPI_THREAD_MULTIPLE, lets any thread use; only one thread uses each.
unsafe impl Send for SendComm {}

/// Two threads per rank (`MPI_THREAD_MULTIPLE`), each with its own duplicated communicator and
/// its own files, using h5par at the same time: nothing deadlocks or crashes. A thread that
/// creates a file while the other thread of its process has files open is refused at once on
/// every rank (`h5par::io::threads`), and retries; any other failure fails the test, and every
/// file is written and reads back.
fn threads(w: &SimpleCommunicator, dir: &Path) {
    use mpi::raw::{AsRaw, FromRaw};
    const ROUNDS: usize = 8;
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    let comms: Vec<SimpleCommunicator> = (0..2).map(|_| w.duplicate()).collect();
    let workers: Vec<_> = comms
        .iter()
        .enumerate()
        .map(|(id, c)| {
            let raw = SendComm(c.as_raw());
            let dir = dir.to_path_buf();
            std::thread::spawn(move || {
                let raw = raw;
                // SAFETY: a live duplicate of the world made above, freed by the main thread
                // after this thread is joined, used by this thread only.
                let comm =
                    std::mem::ManuallyDrop::new(unsafe { SimpleCommunicator::from_raw(raw.0) });
                let mut refused = 0u32;
                let mut seed = 0x9e37_79b9u64 ^ (rank << 8) ^ id as u64;
                // Opens with `open` until it is not refused for the other thread's files.
                let mut retried = |what: &str, open: &dyn Fn() -> Result<File, Error>| loop {
                    match open() {
                        Ok(f) => return f,
                        Err(e) if e.to_string().contains("another thread of this process") => {
                            refused += 1;
                            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                            std::thread::sleep(std::time::Duration::from_micros(
                                200 + (seed >> 33) % 2000,
                            ));
                        }
                        Err(e) => panic!("rank {rank} thread {id}: {what}: {e}"),
                    }
                };
                for round in 0..ROUNDS {
                    let path = dir.join(format!("t{id}-{round}.h5"));
                    let f = retried("create", &|| File::create(&*comm, &path));
                    let d = f
                        .new_dataset::<f64>()
                        .shape([4 * size])
                        .create("x")
                        .unwrap_or_else(|e| panic!("rank {rank} thread {id}: dataset: {e}"));
                    let v = ndarray::Array1::from_elem(
                        4,
                        (rank * 100 + round as u64) as f64 + id as f64 / 10.0,
                    );
                    d.write_at(&[4 * rank], &v)
                        .unwrap_or_else(|e| panic!("rank {rank} thread {id}: write: {e}"));
                    f.write_attr("/", "who", "threads")
                        .unwrap_or_else(|e| panic!("rank {rank} thread {id}: attribute: {e}"));
                    drop(d);
                    f.close()
                        .unwrap_or_else(|e| panic!("rank {rank} thread {id}: close: {e}"));
                    drop(f);
                    let f = retried("reopen", &|| File::open(&*comm, &path, Mode::ReadOnly));
                    let back = f.dataset("x").expect("x").read::<f64>().expect("read");
                    let want: Vec<f64> = (0..4 * size)
                        .map(|i| ((i / 4) * 100 + round as u64) as f64 + id as f64 / 10.0)
                        .collect();
                    assert_eq!(back.as_slice().expect("contiguous"), &want[..]);
                    f.close().expect("close after reading");
                }
                refused
            })
        })
        .collect();
    let refused: Vec<u32> = workers
        .into_iter()
        .map(|t| t.join().expect("a thread failed (see its panic above)"))
        .collect();
    eprintln!("rank {rank}: creates refused while the other thread had files open: {refused:?}");
    drop(comms);
}

/// Whether `tool` is an executable on `PATH` (or in /sbin, /usr/sbin).
fn on_path(tool: &str) -> bool {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/sbin", "/usr/sbin"])
        .any(|d| Path::new(d).join(tool).is_file());
    found
}

/// A FUSE file system (tests/c/eiofs.c, built here with cc and libfuse3) over a directory,
/// whose writes fail with EIO once `limit` bytes went through it: a device failing mid-write.
/// Mounted by rank 0 for the time of a case, unmounted on drop.
struct EioFs {
    point: std::path::PathBuf,
    rank: i32,
}

impl EioFs {
    fn mount(w: &SimpleCommunicator, dir: &Path, limit: u64) -> EioFs {
        let point = dir.join("eio-mnt");
        if w.rank() == 0 {
            let back = dir.join("eio-back");
            std::fs::create_dir_all(&back).expect("backing dir");
            std::fs::create_dir_all(&point).expect("mount point");
            let exe = dir.join("eiofs");
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/eiofs.c");
            let flags = std::process::Command::new("pkg-config")
                .args(["--cflags", "--libs", "fuse3"])
                .output()
                .expect("pkg-config runs");
            assert!(
                flags.status.success(),
                "pkg-config fuse3 failed (the test needs libfuse3-dev and fuse3: \
                 scripts/install-deps.sh): {}",
                String::from_utf8_lossy(&flags.stderr)
            );
            let flags = String::from_utf8_lossy(&flags.stdout).to_string();
            let cc = std::process::Command::new("cc")
                .arg("-O1")
                .arg("-o")
                .arg(&exe)
                .arg(&src)
                .args(flags.split_whitespace())
                .output()
                .expect("cc runs");
            assert!(
                cc.status.success(),
                "building eiofs failed: {}",
                String::from_utf8_lossy(&cc.stderr)
            );
            // eiofs daemonizes once mounted; it must not keep this rank's descriptors.
            let out = without_inherited_fds(
                std::process::Command::new(&exe)
                    .arg(&back)
                    .arg(&point)
                    .arg(limit.to_string())
                    .stdin(std::process::Stdio::null()),
            )
            .output()
            .expect("eiofs runs");
            assert!(
                out.status.success(),
                "mounting eiofs failed (the test needs root and /dev/fuse, as CI has): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            unmount_when_gone(&point);
        }
        w.barrier();
        EioFs {
            point,
            rank: w.rank(),
        }
    }
}

impl Drop for EioFs {
    fn drop(&mut self) {
        if self.rank == 0 {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.point)
                .status();
        }
    }
}

/// The device fails mid-write (EIO after 2 MiB of a 32 MiB collective write, and on every
/// write after it): the write must fail on every rank, quickly, naming the I/O error and the
/// file system; the close must fail on every rank, quickly; nothing published at the path, the
/// temporary removed; nothing hanging or crashing at MPI_Finalize. Then the same with a file
/// written in place, whose close must say that the file may not be readable. Needs root, /dev/fuse,
/// fuse3 and libfuse3-dev; without them the case fails, saying what is missing. Before the
/// fixes (issue 8):
/// - MPICH: the write failed on every rank with "Input/output error", but the close (HDF5's
///   closing writes fail too) hung on 2 and 3 ranks, and on 1 rank it failed and then HDF5
///   crashed (SIGSEGV in H5F__close_cb) at MPI_Finalize; the closing writes now go to a
///   scratch file (`h5par::io::scratch`);
/// - OpenMPI: on 1 and 2 ranks the write failed without the cause ("file write failed"); on 3
///   ranks the write succeeded on every rank: OMPIO's `vulcan` collective write returns
///   success whatever its aggregator's write returned, and the data was silently lost. h5par
///   now sets `collective_buffering=true` (OMPIO's `individual` writes report the error), and
///   takes the cause from errno or a test write.
fn device_error(w: &SimpleCommunicator, dir: &Path) {
    let (rank, size) = (w.rank() as u64, w.size() as u64);
    assert!(
        Path::new("/dev/fuse").exists(),
        "device_error cannot run: there is no /dev/fuse (it needs root, /dev/fuse, fuse3 and \
         libfuse3-dev: scripts/install-deps.sh; in a container, --device /dev/fuse)"
    );
    let fs = EioFs::mount(w, dir, 2 << 20);
    let n = (32u64 << 20) / 8;
    let (lo, hi) = (rank * n / size, (rank + 1) * n / size);
    let ones = ndarray::Array1::from_elem((hi - lo) as usize, 1.0f64);
    let path = fs.point.join("out.h5");
    let f = File::create(w, &path).expect("create");
    let d = f
        .new_dataset::<f64>()
        .shape([n])
        .create("big")
        .expect("create big");
    let started = std::time::Instant::now();
    let r = d.write_at(&[lo], &ones);
    assert!(started.elapsed().as_secs() < 30, "the write took long");
    let e = r.expect_err("a write onto a failing device");
    let msg = e.to_string();
    eprintln!("rank {rank}: write: {msg}");
    let point = fs.point.display().to_string();
    for want in [
        "Input/output error",
        "fuse.eiofs file system",
        point.as_str(),
    ] {
        assert!(msg.contains(want), "no {want:?} in {msg}");
    }
    let started = std::time::Instant::now();
    let e = f.close().expect_err("close after a failed write");
    assert!(started.elapsed().as_secs() < 30, "the close took long");
    assert!(!f.is_open());
    let msg = e.to_string();
    eprintln!("rank {rank}: close: {msg}");
    assert!(msg.contains("Input/output error"), "{msg}");
    drop(d);
    drop(f);
    w.barrier();
    if rank == 0 {
        assert!(!path.exists(), "nothing is published");
        let left: Vec<_> = std::fs::read_dir(&fs.point)
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }
    w.barrier();
    // Written in place (no temporary): the close fails on every rank without a hang, and says
    // that the file's closing metadata was not written.
    let path = fs.point.join("in-place.h5");
    let opts = FileOptions {
        atomic_create: false,
        ..Default::default()
    };
    let f = File::create_with(w, &path, &opts).expect("create in place");
    let d = f
        .new_dataset::<f64>()
        .shape([n])
        .create("big")
        .expect("create big");
    let e = d
        .write_at(&[lo], &ones)
        .expect_err("a write onto a failing device, in place");
    assert!(e.to_string().contains("Input/output error"), "{e}");
    let started = std::time::Instant::now();
    let e = f.close().expect_err("close after a failed write, in place");
    assert!(started.elapsed().as_secs() < 30, "the close took long");
    let msg = e.to_string();
    eprintln!("rank {rank}: close in place: {msg}");
    assert!(msg.contains("Input/output error"), "{msg}");
    assert!(msg.contains("may not be readable"), "{msg}");
    drop(d);
    drop(f);
    w.barrier();
    drop(fs);
}
