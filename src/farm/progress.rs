//! Progress of a farm on rank 0's stderr: an indicatif bar (done/total, rate, ETA, failures)
//! on a terminal, plain lines at most every [`LINE_EVERY`] otherwise (a batch job's log).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The least time between two plain progress lines.
pub const LINE_EVERY: Duration = Duration::from_secs(5);

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, plain lines otherwise (the default).
    #[default]
    Auto,
    /// Always the bar.
    Bar,
    /// Always plain lines.
    Lines,
    /// Nothing.
    Off,
}

/// The progress display of rank 0.
pub struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    total: u64,
    skipped: u64,
    done: u64,
    failed: u64,
    start: Instant,
    last_line: Instant,
}

impl Progress {
    /// Progress of `total` tasks of which `skipped` were finished by an earlier run.
    pub fn new(mode: ProgressMode, total: u64, skipped: u64) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = matches!(mode, ProgressMode::Bar) || (mode == ProgressMode::Auto && terminal);
        let bar = bar.then(|| {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} tasks, {per_sec}, ETA {eta} {msg}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b.set_position(skipped);
            b.reset_eta();
            b
        });
        let now = Instant::now();
        Progress {
            lines: bar.is_none() && matches!(mode, ProgressMode::Auto | ProgressMode::Lines),
            bar,
            total,
            skipped,
            done: 0,
            failed: 0,
            start: now,
            last_line: now,
        }
    }

    /// A task finished (`ok` or failed for good).
    pub fn finished(&mut self, ok: bool) {
        if ok {
            self.done += 1;
        } else {
            self.failed += 1;
        }
        if let Some(b) = &self.bar {
            b.inc(1);
            if !ok {
                b.set_message(format!("{} failed", self.failed));
            }
        } else if self.lines && self.last_line.elapsed() >= LINE_EVERY {
            self.last_line = Instant::now();
            eprintln!("{}", self.line());
        }
    }

    fn line(&self) -> String {
        let t = self.start.elapsed().as_secs_f64();
        let n = self.done + self.failed;
        let rate = if t > 0.0 { n as f64 / t } else { 0.0 };
        let left = self.total - self.skipped - n;
        let eta = if rate > 0.0 {
            format!("{:.0} s", left as f64 / rate)
        } else {
            "?".into()
        };
        format!(
            "h5par farm: {}/{} tasks ({} done, {} failed, {} skipped) after {t:.1} s, {rate:.1} tasks/s, ETA {eta}",
            n + self.skipped,
            self.total,
            self.done,
            self.failed,
            self.skipped
        )
    }

    /// The farm ended: the bar is finished, the last line printed.
    pub fn end(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish();
        } else if self.lines {
            eprintln!("{}", self.line());
        }
    }
}
