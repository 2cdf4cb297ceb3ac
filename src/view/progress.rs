//! One spinner line per cluster on stderr while a fleet-wide step runs. indicatif hides itself
//! when stderr is not a terminal, so pipes and CI logs get no escape codes.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct FleetProgress {
    multi: MultiProgress,
    bars: Vec<(String, ProgressBar)>,
}

impl FleetProgress {
    pub fn new(clusters: &[String], enabled: bool) -> FleetProgress {
        let target = if enabled {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            ProgressDrawTarget::hidden()
        };
        let multi = MultiProgress::with_draw_target(target);
        let width = clusters.iter().map(|c| c.len()).max().unwrap_or(0);
        let style = ProgressStyle::with_template(&format!("{{spinner}} {{prefix:<{width}}}  {{msg}}"))
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars = clusters
            .iter()
            .map(|c| {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(c.clone());
                bar.enable_steady_tick(Duration::from_millis(100));
                (c.clone(), bar)
            })
            .collect();
        FleetProgress { multi, bars }
    }

    /// A callback that updates one cluster's line.
    pub fn reporter(&self, cluster: &str) -> impl Fn(String) + Sync + use<> {
        let bar = self.bars.iter().find(|(c, _)| c == cluster).map(|(_, b)| b.clone());
        move |message: String| {
            if let Some(bar) = &bar {
                bar.set_message(message);
            }
        }
    }

    pub fn finish(&self, cluster: &str, message: String) {
        if let Some((_, bar)) = self.bars.iter().find(|(c, _)| c == cluster) {
            bar.finish_with_message(message);
        }
    }

    pub fn clear(self) {
        for (_, bar) in &self.bars {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}
