//! The TrueType font of the plots, found at run time (no fontconfig/freetype): shared by
//! stripe-bench's plot and the task farm's (`cli/src/bin/h5par-farm-plot.rs` includes this file).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::style::FontStyle;

/// The font family name the plot registers and uses.
pub const FAMILY: &str = "sans-serif";

/// Finds a TrueType font (`$STRIPE_BENCH_FONT`, DejaVu Sans, or any `.ttf` under
/// `/usr/share/fonts` and `/usr/local/share/fonts`) and registers it for the plots. Returns the
/// font's path, or `None` when there is none (plots are then drawn without text).
pub fn load_font() -> Option<PathBuf> {
    static FONT: OnceLock<Option<PathBuf>> = OnceLock::new();
    FONT.get_or_init(|| {
        for path in font_candidates() {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            // Registered fonts must live for the whole program.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if plotters::style::register_font(FAMILY, FontStyle::Normal, bytes).is_ok() {
                return Some(path);
            }
        }
        None
    })
    .clone()
}

/// Font files to try, best first.
fn font_candidates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("STRIPE_BENCH_FONT") {
        v.push(PathBuf::from(p));
    }
    for p in [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ] {
        v.push(PathBuf::from(p));
    }
    let mut found = Vec::new();
    for root in ["/usr/share/fonts", "/usr/local/share/fonts"] {
        collect_ttf(Path::new(root), 4, &mut found);
    }
    // Plain sans fonts first.
    found.sort_by_key(|p| {
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        (
            !n.contains("sans"),
            n.contains("bold") || n.contains("italic") || n.contains("oblique"),
            n,
        )
    });
    v.extend(found);
    v
}

fn collect_ttf(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() && depth > 0 {
            collect_ttf(&p, depth - 1, out);
        } else if p
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("ttf") || x.eq_ignore_ascii_case("otf"))
        {
            out.push(p);
        }
    }
}
