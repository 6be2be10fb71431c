//! Progress on stderr, rank 0 only: a bar on a terminal, one line per measurement otherwise
//! (so that a log of a batch job shows it too).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports the steps of a run.
pub struct Progress {
    bar: Option<ProgressBar>,
    active: bool,
    total: u64,
    done: u64,
    start: Instant,
}

impl Progress {
    /// `active` is false on every rank but 0; `total` is the number of measurements.
    pub fn new(active: bool, total: u64) -> Progress {
        let bar = (active && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            {
                b.set_style(style.progress_chars("=> "));
            }
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        Progress {
            bar,
            active,
            total,
            done: 0,
            start: Instant::now(),
        }
    }

    /// Says what runs now (on the bar only).
    pub fn doing(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_string());
        }
    }

    /// One measurement finished.
    pub fn measured(&mut self, what: &str) {
        self.done += 1;
        match &self.bar {
            Some(b) => {
                b.inc(1);
                b.set_message(what.to_string());
            }
            None if self.active => eprintln!(
                "[{:>4}/{}] {:>7.1}s  {what}",
                self.done,
                self.total,
                self.start.elapsed().as_secs_f64()
            ),
            None => {}
        }
    }

    /// A message that stays (a warning, a phase).
    pub fn note(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.println(msg),
            None if self.active => eprintln!("{msg}"),
            None => {}
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
