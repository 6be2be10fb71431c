//! `h5par-farm-plot CSV PNG`: the task farm benchmark's plot, drawn from the CSV that
//! `bench/farm-bench.sh` writes: tasks/s (log scale) against ranks, one line per series, the
//! median of the repeats; h5par (Rust, Python `map`, the CLI) next to its peers
//! (mpi4py.futures at chunksize 1 and at its best chunksize, GNU parallel).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Parser;
use plotters::prelude::*;

#[path = "../../../stripe-bench/src/font.rs"]
mod font;

#[derive(Parser)]
#[command(
    name = "h5par-farm-plot",
    about = "Plots bench/farm-bench.sh's results.csv: tasks/s against ranks, h5par vs peers"
)]
struct Args {
    /// The benchmark's CSV (series,ranks,tasks,seconds,tasks_per_s,efficiency,extra,repeat).
    csv: PathBuf,
    /// The PNG to write.
    png: PathBuf,
    /// A line of small print under the title (e.g. the machine and its load).
    #[arg(long, default_value = "")]
    note: String,
}

/// The plotted series: (label, colour, dashed peer?, how a CSV series name is chosen).
const SERIES: [(&str, RGBColor, bool, &str); 7] = [
    (
        "h5par farm, Rust, empty tasks",
        RGBColor(31, 119, 180),
        false,
        "empty",
    ),
    (
        "h5par farm, Rust, one task per message",
        RGBColor(23, 190, 207),
        false,
        "empty-unbatched",
    ),
    (
        "h5par.farm.map, Python, empty function",
        RGBColor(44, 160, 44),
        false,
        "python-h5par-map",
    ),
    (
        "mpi4py.futures, chunksize 1",
        RGBColor(214, 39, 40),
        true,
        "python-mpi4py-chunk1",
    ),
    (
        "mpi4py.futures, best chunksize",
        RGBColor(255, 127, 14),
        true,
        "python-mpi4py-chunk*",
    ),
    (
        "h5par-farm CLI, `true`",
        RGBColor(148, 103, 189),
        false,
        "cli-h5par-farm",
    ),
    (
        "GNU parallel, `true`",
        RGBColor(140, 86, 75),
        true,
        "cli-gnu-parallel",
    ),
];

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Medians of tasks/s by (series, ranks).
fn medians(text: &str) -> Result<BTreeMap<(String, u32), f64>, String> {
    let mut all: BTreeMap<(String, u32), Vec<f64>> = BTreeMap::new();
    for (k, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 5 {
            continue;
        }
        let bad = |what: &str| format!("line {}: bad {what}: {line}", k + 1);
        let ranks: u32 = f[1].parse().map_err(|_| bad("ranks"))?;
        let rate: f64 = f[4].parse().map_err(|_| bad("tasks_per_s"))?;
        all.entry((f[0].to_string(), ranks)).or_default().push(rate);
    }
    Ok(all
        .into_iter()
        .map(|(k, mut v)| (k, median(&mut v)))
        .collect())
}

/// The points of one plotted series: per rank count, the median (the best of the matching
/// series when the pattern ends in `*`).
fn points(m: &BTreeMap<(String, u32), f64>, pattern: &str) -> Vec<(u32, f64)> {
    let mut best: BTreeMap<u32, f64> = BTreeMap::new();
    for ((s, p), &v) in m {
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => s.starts_with(prefix),
            None => s == pattern,
        };
        if hit && v > 0.0 {
            let e = best.entry(*p).or_insert(v);
            *e = e.max(v);
        }
    }
    best.into_iter().collect()
}

fn draw(args: &Args, m: &BTreeMap<(String, u32), f64>, text: bool) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", args.png.display());
    let ranks: Vec<u32> = m.keys().map(|k| k.1).filter(|&p| p > 1).collect();
    let (xmin, xmax) = (
        ranks.iter().copied().min().unwrap_or(1) as f64,
        ranks.iter().copied().max().unwrap_or(2) as f64,
    );
    let (xmin, xmax) = (xmin - 0.5, xmax + 0.5);
    let ymax = m.values().copied().fold(10.0f64, f64::max) * 300.0; // room for the legend
    let root = BitMapBackend::new(&args.png, (1000, 650)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut b = ChartBuilder::on(&root);
    b.margin(20)
        .set_label_area_size(LabelAreaPosition::Left, if text { 80 } else { 10 });
    b.set_label_area_size(LabelAreaPosition::Bottom, if text { 50 } else { 10 });
    if text {
        b.caption(
            format!("Task farm throughput (medians) {}", args.note),
            (font::FAMILY, 20),
        );
    }
    let mut chart = b
        .build_cartesian_2d(xmin..xmax, (10.0f64..ymax).log_scale())
        .map_err(|e| err(&e))?;
    let mut mesh = chart.configure_mesh();
    mesh.x_labels((xmax - xmin) as usize + 1)
        .x_desc("ranks")
        .y_desc("tasks/s (log scale)");
    let whole = |x: &f64| {
        if (x - x.round()).abs() < 1e-9 {
            format!("{x:.0}")
        } else {
            String::new()
        }
    };
    mesh.x_label_formatter(&whole);
    mesh.y_label_formatter(&|y| format!("{y:.0e}"));
    if text {
        mesh.label_style((font::FAMILY, 15));
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw().map_err(|e| err(&e))?;
    for (label, color, dashed, pattern) in SERIES {
        let pts: Vec<(f64, f64)> = points(m, pattern)
            .into_iter()
            .filter(|&(p, _)| p > 1)
            .map(|(p, v)| (p as f64, v))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let style = color.stroke_width(if dashed { 2 } else { 3 });
        let s = if dashed {
            chart.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))
        } else {
            chart.draw_series(LineSeries::new(pts.clone(), style))
        }
        .map_err(|e| err(&e))?;
        if text {
            s.label(label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
        }
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(|e| err(&e))?;
    }
    if text {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((font::FAMILY, 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}

fn main() {
    let args = Args::parse();
    let run = || -> Result<(), String> {
        let text = std::fs::read_to_string(&args.csv)
            .map_err(|e| format!("{}: {e}", args.csv.display()))?;
        let m = medians(&text).map_err(|e| format!("{}: {e}", args.csv.display()))?;
        if m.is_empty() {
            return Err(format!("{}: no results", args.csv.display()));
        }
        let font = font::load_font();
        draw(&args, &m, font.is_some())
    };
    match run() {
        Ok(()) => println!("h5par-farm-plot: wrote {}", args.png.display()),
        Err(e) => {
            eprintln!("h5par-farm-plot: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "series,ranks,tasks,seconds,tasks_per_s,efficiency,extra,repeat\n\
        empty,2,10,1,100.0,,,0\nempty,2,10,1,300.0,,,1\nempty,2,10,1,200.0,,,2\n\
        python-mpi4py-chunk1,2,10,1,5.0,,,0\npython-mpi4py-chunk100,2,10,1,50.0,,,0\n\
        python-mpi4py-chunk1000,2,10,1,70.0,,,0\npython-mpi4py-chunk1000,4,10,1,90.0,,,0\n";

    #[test]
    fn medians_of_repeats_and_the_best_chunksize() {
        let m = medians(CSV).unwrap();
        assert_eq!(m[&("empty".to_string(), 2)], 200.0);
        assert_eq!(points(&m, "empty"), vec![(2, 200.0)]);
        assert_eq!(
            points(&m, "python-mpi4py-chunk*"),
            vec![(2, 70.0), (4, 90.0)]
        );
        assert_eq!(points(&m, "python-mpi4py-chunk1"), vec![(2, 5.0)]);
        assert!(medians("series,ranks\nx,two,1,1,1\n").is_err());
    }
}
