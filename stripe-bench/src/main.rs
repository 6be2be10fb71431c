//! `stripe-bench`: bandwidth of parallel HDF5 (h5par, the HDF5 C API with defaults, h5py) and
//! of raw MPI-IO against the stripe count, in the form of NERSC's "Read 1d 110 GB HDF5"
//! figure.
//!
//! ```text
//! mpirun -n P stripe-bench [--dir DIR] [--size SIZE] [--stripe-counts LIST] [--stripe-size SIZE]
//!                          [--op read|write|both] [--io indep|coll|both] [--repeat N]
//!                          [--series LIST] [--out DIR] [--drop-cache] [--reference CSV] [--quick]
//!                          [--buffer-align malloc|page|page+16]
//! ```
//!
//! The method ([`method`]): in every repeat the series run in an order rotated by one from the
//! previous repeat (`position` in `results.csv`); every series writes and reads once, untimed,
//! before the first measurement; the user buffers are allocated once as `--buffer-align` says
//! (by default as malloc gives them, like a C or numpy user) and touched before timing; each
//! operation records its user and system CPU time and the load average; outliers among the
//! repeats of a line are flagged; `run.txt` names the CPU, the kernel, the MPI library and the
//! load average at the start and the end.
//!
//! Every rank parses the same arguments and reaches the same verdict; checks of the file
//! system are made by rank 0 and broadcast; every failure is agreed on, so a bad argument or a
//! wrong read ends every rank with the same message and a non-zero status, never a hang.
//!
//! A testing aid: with `STRIPE_BENCH_CORRUPT_AFTER_WRITE=1` in rank 0's environment, rank 0
//! overwrites 4 KiB in the middle of every benchmark file after it is written and before it is
//! read (see [`series::CORRUPT_ENV`]), so the run must fail its data check with a message naming
//! the series, the file and the rank. The integration tests (`tests/cli.rs`) use it.

mod bench;
mod cli;
mod comm;
mod font;
mod method;
mod pattern;
mod plot;
mod progress;
mod report;
mod series;
mod setup;

use std::path::Path;

use clap::Parser;
use h5par::tune::fs::FsKind;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

use crate::cli::{format_size, Args, Config, SeriesKind};
use crate::comm::{agree, broadcast_string};
use crate::progress::Progress;
use crate::report::{Curve, Record};
use crate::series::CORRUPT_ENV;

/// How the program ends: a status and a message that rank 0 prints.
struct Exit {
    code: i32,
    message: String,
}

impl Exit {
    fn error(message: impl Into<String>) -> Exit {
        Exit {
            code: 1,
            message: message.into(),
        }
    }
}

fn main() {
    let Some(universe) = mpi::initialize() else {
        eprintln!("stripe-bench: error: MPI could not be initialized (was it already?)");
        std::process::exit(1);
    };
    let world = universe.world();
    let rank = world.rank();
    let code = match run(&world) {
        Ok(()) => 0,
        Err(e) => {
            if rank == 0 && !e.message.is_empty() {
                eprintln!("stripe-bench: error: {}", e.message);
            }
            e.code
        }
    };
    drop(universe); // MPI_Finalize on every rank, then the same status everywhere
    std::process::exit(code);
}

fn run(world: &SimpleCommunicator) -> Result<(), Exit> {
    let rank = world.rank();
    // Parsing depends on the arguments only, which every rank has: the same verdict everywhere.
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            if rank == 0 {
                let _ = e.print();
            }
            return Err(Exit {
                code: e.exit_code(),
                message: String::new(),
            });
        }
    };
    let cfg = Config::from_args(args).map_err(|m| Exit {
        code: 2,
        message: m,
    })?;
    let procs = world.size() as u64;
    let (first, count) = series::block(cfg.elements(), procs, rank as u64).map_err(|m| Exit {
        code: 2,
        message: format!("--size {}: {m}", format_size(cfg.size)),
    })?;

    // Rank 0 looks at the file system and broadcasts the verdict and the plan.
    let tag = broadcast_string(world, 0, &format!("{:x}", std::process::id()));
    let surveyed = if rank == 0 {
        setup::survey(&cfg, &tag).map(Some)
    } else {
        Ok(None)
    };
    let surroundings = agree(world, surveyed).map_err(|m| Exit {
        code: 2,
        message: m.trim_start_matches("rank 0: ").to_string(),
    })?;
    let names = surroundings.as_ref().map_or(String::new(), |s| {
        s.series
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(",")
    });
    let names = broadcast_string(world, 0, &names);
    let chosen: Vec<SeriesKind> = names.split(',').filter_map(SeriesKind::from_name).collect();
    let dir = broadcast_string(
        world,
        0,
        &surroundings
            .as_ref()
            .map_or(String::new(), |s| s.dir.display().to_string()),
    );
    let dir = Path::new(&dir);
    // Every rank must see rank 0's directory (the benchmark needs one shared file system).
    let probe = setup::probe_path(dir, &tag);
    let seen = if probe.is_file() {
        Ok(())
    } else {
        Err(format!(
            "--dir {}: this rank does not see the file rank 0 wrote there; the directory must \
             be on a file system shared by all ranks",
            dir.display()
        ))
    };
    world.barrier();
    if rank == 0 {
        let _ = std::fs::remove_file(&probe);
    }
    agree(world, seen).map_err(Exit::error)?;

    // The testing aid: rank 0's environment decides, for every rank.
    let corrupt = rank == 0 && series::corrupt_requested();
    let corrupt = broadcast_string(world, 0, if corrupt { "1" } else { "0" }) == "1";
    let mut ctx = series::Ctx {
        comm: world,
        n: cfg.elements(),
        first,
        count,
        hints: Vec::new(),
        stripe_count: 1,
        stripe_size: cfg.stripe_size,
        drop_cache: cfg.drop_cache,
        corrupt_after_write: corrupt,
    };
    let plan = bench::Plan {
        cfg: &cfg,
        series: &chosen,
        dir,
        tag: &tag,
        script: surroundings.as_ref().and_then(|s| s.script.clone()),
    };
    let mut progress = Progress::new(rank == 0, plan.measurements());
    if corrupt {
        progress.note(&format!(
            "stripe-bench: {CORRUPT_ENV} is set (a testing aid): every file is damaged after it \
             is written, so the data check of the next read must fail"
        ));
    }
    if let Some(s) = &surroundings {
        if let Some(why) = &s.h5py_skipped {
            progress.note(&format!("stripe-bench: series h5py left out: {why}"));
        }
        progress.note(&format!(
            "stripe-bench: {} procs, {} of float64 in {} ({}), series {}, stripe counts {:?}, {} repeat(s)",
            procs,
            format_size(cfg.size),
            s.dir.display(),
            s.fs,
            names,
            cfg.stripe_counts,
            cfg.repeat
        ));
    }
    let load_start = method::load_text();
    let records = bench::run(&mut ctx, &plan, &mut progress);
    progress.finish();
    let records = records.map_err(Exit::error)?;

    let written = match surroundings {
        Some(mut s) => {
            s.buffer_offset = records.first().map_or(0, |r| r.buffer_offset);
            let machine = Machine {
                cpu: method::cpu(),
                kernel: method::kernel(),
                mpi: method::mpi_library(),
                load_start,
                load_end: method::load_text(),
            };
            finish(&cfg, &s, &machine, &records, procs)
        }
        None => Ok(()),
    };
    agree(world, written).map_err(|m| Exit::error(m.trim_start_matches("rank 0: ")))
}

/// Lines describing the method and the caveats (stdout, run.txt and the plot).
fn notes(cfg: &Config, s: &setup::Surroundings) -> Vec<String> {
    let mut v = vec![
        format!(
            "write = create+write+close (no fsync: data may still be in the page cache); \
             read = open+read+close, data checked after; mean \u{b1} sd of {} repeat(s)",
            cfg.repeat
        ),
        format!(
            "series order rotated each repeat, balanced for what the previous series leaves (a \
             Williams design; CSV column position); one untimed write+read \
             per series first; buffers {} (rank 0's start {} bytes past a page), touched \
             before timing",
            cfg.buffer_align, s.buffer_offset
        ),
    ];
    if s.fs != FsKind::Lustre {
        v.push(format!(
            "{} has no stripes: the stripe count (striping_factor hint) had no effect here",
            s.fs
        ));
    } else if s.series.contains(&SeriesKind::Hdf5Default) {
        v.push(
            "hdf5-default passes MPI_INFO_NULL: its files get the directory's default striping"
                .into(),
        );
    }
    v.push(if cfg.drop_cache {
        "page cache dropped before each read (fsync + posix_fadvise DONTNEED; tmpfs keeps it)"
            .into()
    } else {
        "page cache not dropped: reads may be served from memory".into()
    });
    v
}

/// The machine a run measured (rank 0's view), for run.txt.
struct Machine {
    cpu: String,
    kernel: String,
    mpi: String,
    load_start: String,
    load_end: String,
}

/// Rank 0: writes results.csv, run.txt and the plots, prints the table.
fn finish(
    cfg: &Config,
    s: &setup::Surroundings,
    m: &Machine,
    records: &[Record],
    procs: u64,
) -> Result<(), String> {
    let csv = cfg.out.join("results.csv");
    report::write_csv_file(&csv, records).map_err(|e| format!("writing {}: {e}", csv.display()))?;

    let title = format!(
        "{} 1d {} HDF5 from {} ({}) on {} {} procs",
        cfg.op_title(),
        format_size(cfg.size),
        s.dir.display(),
        s.fs,
        s.host,
        procs
    );
    let notes = notes(cfg, s);
    let rows = report::summarize(records);
    let table = report::format_table(&rows);

    let mut curves: Vec<Curve> = report::curves(records, "", false);
    curves.extend(s.reference.iter().cloned());
    let font = plot::load_font();
    let spec = plot::PlotSpec {
        title: title.clone(),
        notes: notes.clone(),
        curves: &curves,
    };
    let (png, svg) = (cfg.out.join("stripe_io.png"), cfg.out.join("stripe_io.svg"));
    let plotted = plot::draw(&spec, &png, &svg, font.is_some());

    let mut text = format!("{title}\n");
    for n in &notes {
        text.push_str(&format!("  {n}\n"));
    }
    text.push_str(&format!(
        "  h5par files are created with atomic_create: false (no rename at close), the stripe \
         count and size given as h5par's stripe_count/stripe_size options (its tuning makes \
         the striping hints and the HDF5 alignment; on a local file system h5par's own \
         choice, no stripes and no alignment); stripe size {}; command: {}\n",
        format_size(cfg.stripe_size),
        std::env::args().collect::<Vec<_>>().join(" ")
    ));
    text.push_str(&format!(
        "  cpu: {}\n  kernel: {}\n  mpi: {}\n  load average (1, 5, 15 min): {} at the start, \
         {} at the end\n",
        m.cpu, m.kernel, m.mpi, m.load_start, m.load_end
    ));
    text.push('\n');
    text.push_str(&table);
    let run_txt = cfg.out.join("run.txt");
    std::fs::write(&run_txt, &text).map_err(|e| format!("writing {}: {e}", run_txt.display()))?;

    print!("{text}");
    println!(
        "\nresults: {}  plot: {}, {}{}",
        csv.display(),
        png.display(),
        svg.display(),
        if font.is_none() {
            " (no TrueType font found: drawn without text)"
        } else {
            ""
        }
    );
    plotted.map_err(|e| format!("drawing the plot: {e}"))
}
