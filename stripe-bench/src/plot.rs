//! The plot in the NERSC figure's form: GB/s against stripe count, one line per series, op
//! and io, the mean with standard-deviation error bars; `--reference` curves dashed.
//!
//! Text is drawn with a TrueType font found at run time ([`load_font`]); without one the plot
//! is drawn without any text rather than failing.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

pub use crate::font::load_font;
use crate::font::FAMILY;
use crate::report::Curve;

/// Width and height of the PNG and SVG, pixels.
pub const SIZE: (u32, u32) = (1100, 700);

/// What to draw.
#[derive(Debug, Clone)]
pub struct PlotSpec<'a> {
    /// Title, e.g. `Read 1d 256 MiB HDF5 from /dev/shm (tmpfs) on host 2 procs`.
    pub title: String,
    /// Lines of small print under the chart (method, file-system caveats).
    pub notes: Vec<String>,
    /// The curves.
    pub curves: &'a [Curve],
}

/// The colour of a series (the same in every plot); reference curves are grey.
fn color(c: &Curve, i: usize) -> RGBColor {
    if c.reference {
        const GREYS: [RGBColor; 3] = [
            RGBColor(40, 40, 40),
            RGBColor(110, 110, 110),
            RGBColor(160, 160, 160),
        ];
        return GREYS[i % GREYS.len()];
    }
    match c.series.as_str() {
        "h5par" => RGBColor(31, 119, 180),
        "hdf5-default" => RGBColor(214, 39, 40),
        "mpiio" => RGBColor(44, 160, 44),
        "h5py" => RGBColor(255, 127, 14),
        _ => {
            const OTHER: [RGBColor; 4] = [
                RGBColor(148, 103, 189),
                RGBColor(140, 86, 75),
                RGBColor(227, 119, 194),
                RGBColor(23, 190, 207),
            ];
            OTHER[i % OTHER.len()]
        }
    }
}

/// How a curve's line is drawn: reads solid, writes dashed, references dotted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    Solid,
    Dashed,
    Dotted,
}

fn line_of(c: &Curve) -> Line {
    if c.reference {
        Line::Dotted
    } else if c.op == "write" {
        Line::Dashed
    } else {
        Line::Solid
    }
}

/// Markers: collective a filled circle, independent a triangle, anything else a cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Circle,
    Triangle,
    Cross,
}

fn marker_of(c: &Curve) -> Marker {
    match c.io.as_str() {
        "coll" => Marker::Circle,
        "indep" => Marker::Triangle,
        _ => Marker::Cross,
    }
}

/// Draws `spec` into `png` and `svg`. With `text == false` (no font) titles, tick labels,
/// legend and notes are left out.
pub fn draw(spec: &PlotSpec, png: &Path, svg: &Path, text: bool) -> Result<(), String> {
    {
        let root = BitMapBackend::new(png, SIZE).into_drawing_area();
        render(&root, spec, text).map_err(|e| format!("{}: {e}", png.display()))?;
        root.present()
            .map_err(|e| format!("{}: {e}", png.display()))?;
    }
    let root = SVGBackend::new(svg, SIZE).into_drawing_area();
    render(&root, spec, text).map_err(|e| format!("{}: {e}", svg.display()))?;
    root.present()
        .map_err(|e| format!("{}: {e}", svg.display()))?;
    Ok(())
}

/// The axis ranges: from 0 to a little above the largest stripe count and mean + error.
fn ranges(curves: &[Curve]) -> (f64, f64) {
    let pts = curves.iter().flat_map(|c| c.points.iter());
    let (mut xmax, mut ymax) = (0.0f64, 0.0f64);
    for p in pts {
        if p.x.is_finite() {
            xmax = xmax.max(p.x);
        }
        let top = p.mean + p.err.max(0.0);
        if top.is_finite() {
            ymax = ymax.max(top);
        }
    }
    let xmax = if xmax <= 1.0 { 2.0 } else { xmax * 1.08 };
    let ymax = if ymax <= 0.0 { 1.0 } else { ymax * 1.15 };
    (xmax, ymax)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Draws a line from `pts` in `style` on any drawing area (chart or legend).
fn draw_line<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    pts: Vec<CT::From>,
    line: Line,
    style: ShapeStyle,
) -> DrawResult<DB>
where
    CT::From: Clone + 'static,
{
    match line {
        Line::Solid => area.draw(&PathElement::new(pts, style)),
        Line::Dashed => area.draw(&DashedPathElement::new(pts, 10, 6, style)),
        Line::Dotted => area.draw(&DashedPathElement::new(pts, 3, 4, style)),
    }
}

/// Draws a marker at `at`.
fn draw_marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    marker: Marker,
    col: RGBColor,
) -> DrawResult<DB>
where
    CT::From: Clone + 'static,
{
    match marker {
        Marker::Circle => area.draw(&Circle::new(at, 4, col.filled())),
        Marker::Triangle => area.draw(&TriangleMarker::new(at, 6, col.filled())),
        Marker::Cross => area.draw(&Cross::new(at, 5, col.stroke_width(2))),
    }
}

/// Sideways shift in pixels of curve `k` of `n`: 3 px apart, centred on the true stripe count.
fn dodge(k: usize, n: usize) -> f64 {
    (k as f64 - (n.max(1) - 1) as f64 / 2.0) * 3.0
}

/// Width of the legend panel right of the chart, pixels.
const LEGEND_W: u32 = 270;

fn render<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &PlotSpec,
    text: bool,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let note_h = if text {
        18 * spec.notes.len() as u32 + 8
    } else {
        0
    };
    let (top, note_area) = root.split_vertically(SIZE.1 - note_h);
    let (chart_area, legend_area) = if text {
        top.split_horizontally(SIZE.0 - LEGEND_W)
    } else {
        top.split_horizontally(SIZE.0)
    };
    let (xmax, ymax) = ranges(spec.curves);

    let mut builder = ChartBuilder::on(&chart_area);
    builder.margin(15);
    if text {
        builder
            .caption(&spec.title, (FAMILY, 21))
            .x_label_area_size(45)
            .y_label_area_size(60);
    } else {
        builder.x_label_area_size(5).y_label_area_size(5);
    }
    let mut chart = builder.build_cartesian_2d(0.0..xmax, 0.0..ymax)?;
    {
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.15));
        if text {
            mesh.x_desc("Stripe count")
                .y_desc("GB/s")
                .label_style((FAMILY, 15))
                .axis_desc_style((FAMILY, 16));
            // Whole stripe counts only.
            mesh.x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-9 {
                    format!("{}", x.round() as i64)
                } else {
                    String::new()
                }
            });
        } else {
            mesh.x_labels(0).y_labels(0);
        }
        mesh.draw()?;
    }

    let plotting = chart.plotting_area();
    let width_px = f64::from(plotting.dim_in_pixel().0.max(1));
    let ours = spec.curves.iter().filter(|c| !c.reference).count();
    let mut k = 0usize;
    for (i, c) in spec.curves.iter().enumerate() {
        let col = color(c, i);
        let style = col.stroke_width(2);
        // The run's own curves are shifted sideways by a few pixels each, so that points and
        // error bars at the same stripe count do not hide each other.
        let shift = if c.reference {
            0.0
        } else {
            k += 1;
            dodge(k - 1, ours) * xmax / width_px
        };
        let pts: Vec<(f64, f64)> = c.points.iter().map(|p| (p.x + shift, p.mean)).collect();
        draw_line(plotting, pts.clone(), line_of(c), style)?;
        for p in &c.points {
            plotting.draw(&ErrorBar::new_vertical(
                p.x + shift,
                (p.mean - p.err).max(0.0),
                p.mean,
                p.mean + p.err,
                col.stroke_width(1),
                8,
            ))?;
        }
        for &p in &pts {
            draw_marker(plotting, p, marker_of(c), col)?;
        }
    }

    if text {
        let font = (FAMILY, 14).into_font().color(&BLACK);
        legend_area.draw(&Text::new(
            "mean \u{b1} sd (curves 3 px apart)",
            (10, 40),
            font.clone(),
        ))?;
        for (i, c) in spec.curves.iter().enumerate() {
            let y = 66 + 20 * i as i32;
            let col = color(c, i);
            draw_line(
                &legend_area,
                vec![(10, y), (44, y)],
                line_of(c),
                col.stroke_width(2),
            )?;
            draw_marker(&legend_area, (27, y), marker_of(c), col)?;
            legend_area.draw(&Text::new(c.label.clone(), (52, y - 8), font.clone()))?;
        }
        for (k, line) in spec.notes.iter().enumerate() {
            note_area.draw(&Text::new(
                line.clone(),
                (20, 18 * k as i32),
                (FAMILY, 14).into_font().color(&BLACK.mix(0.75)),
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Point;

    fn spec_curves() -> Vec<Curve> {
        vec![
            Curve {
                label: "h5par read indep".into(),
                series: "h5par".into(),
                op: "read".into(),
                io: "indep".into(),
                points: vec![
                    Point {
                        x: 1.0,
                        mean: 1.0,
                        err: 0.1,
                    },
                    Point {
                        x: 2.0,
                        mean: 1.5,
                        err: 0.2,
                    },
                ],
                reference: false,
            },
            Curve {
                label: "NERSC".into(),
                series: String::new(),
                op: String::new(),
                io: String::new(),
                points: vec![Point {
                    x: 16.0,
                    mean: 1.8,
                    err: 0.06,
                }],
                reference: true,
            },
        ]
    }

    #[test]
    fn draws_with_and_without_text() {
        let dir = tempfile::tempdir().unwrap();
        let curves = spec_curves();
        let spec = PlotSpec {
            title: "Read 1d 1 MiB HDF5 from /x (tmpfs) on h 2 procs".into(),
            notes: vec!["a note".into()],
            curves: &curves,
        };
        // No text: needs no font.
        let (png, svg) = (dir.path().join("a.png"), dir.path().join("a.svg"));
        draw(&spec, &png, &svg, false).unwrap();
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
        // With text, when this machine has a font.
        if load_font().is_some() {
            let (png, svg) = (dir.path().join("b.png"), dir.path().join("b.svg"));
            draw(&spec, &png, &svg, true).unwrap();
            let s = std::fs::read_to_string(&svg).unwrap();
            assert!(s.contains("Stripe count") && s.contains("NERSC"));
        }
    }

    #[test]
    fn ranges_cover_the_data() {
        let (x, y) = ranges(&spec_curves());
        assert!(x > 16.0 && y > 1.86);
        assert_eq!(ranges(&[]), (2.0, 1.0));
        assert_eq!(dodge(0, 1), 0.0);
        assert_eq!((dodge(0, 3), dodge(1, 3), dodge(2, 3)), (-3.0, 0.0, 3.0));
    }
}
