//! A forest plot: each ratio estimate with its 95% CI on a log scale, with the line of no
//! effect at 1. Drawn with box characters so it reads at 80 columns and in monochrome.

use crate::format;
use crate::tui::lines::wrap::truncate;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

pub use crate::doc::ForestRow as Row;

pub struct ForestPlot<'a> {
    pub rows: &'a [Row],
    /// (favoured left of 1, favoured right of 1), named by the arms.
    pub favours: Option<&'a (String, String)>,
    pub theme: &'a Theme,
}

/// The log-scale domain and its ticks: powers of two around 1 (0.25, 0.5, 1, 2, 4 …), so
/// ticks are evenly spaced on the log scale; the domain runs from tick to tick and covers
/// every CI and 1, with at least one tick on each side of 1.
pub fn domain(rows: &[Row]) -> (f64, f64, Vec<f64>) {
    let mut lo: f64 = 1.0;
    let mut hi: f64 = 1.0;
    for r in rows {
        let (a, b) = r.ci.unwrap_or((r.estimate, r.estimate));
        lo = lo.min(a).min(r.estimate);
        hi = hi.max(b).max(r.estimate);
    }
    let lo_k = lo.max(1.0 / 128.0).log2().floor().min(-1.0) as i32;
    let hi_k = hi.min(128.0).log2().ceil().max(1.0) as i32;
    let ticks = (lo_k..=hi_k).map(|k| 2f64.powi(k)).collect();
    (2f64.powi(lo_k), 2f64.powi(hi_k), ticks)
}

impl ForestPlot<'_> {
    /// Whether rows take two lines (label and value above the plot) at this width.
    pub fn stacked(width: u16) -> bool {
        width < 90
    }

    /// Rows needed at this width: the estimates, the axis, its labels, and the caption.
    pub fn height(&self, width: u16) -> u16 {
        crate::tui::layout::forest_height(self.rows.len(), width)
    }
}

impl Widget for &ForestPlot<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.width < 20 || area.height < 3 || self.rows.is_empty() {
            return;
        }
        let t = self.theme;
        let stacked = ForestPlot::stacked(area.width);
        let value_w: u16 = 20;
        let label_w: u16 = (area.width / 3).clamp(8, 44);
        let (plot_x, plot_w) = if stacked {
            (area.x + 2, area.width.saturating_sub(4))
        } else {
            (
                area.x + label_w + 1,
                area.width.saturating_sub(label_w + value_w + 2),
            )
        };
        if plot_w < 10 {
            return;
        }
        let (lo, hi, ticks) = domain(self.rows);
        let (llo, lhi) = (lo.ln(), hi.ln());
        let x_of = |v: f64| -> u16 {
            let f = ((v.clamp(lo, hi).ln() - llo) / (lhi - llo)).clamp(0.0, 1.0);
            plot_x + (f * (plot_w - 1) as f64).round() as u16
        };
        let null_x = x_of(1.0);
        let bottom = area.y + area.height;
        let mut y = area.y;
        for r in self.rows {
            let need = if stacked { 2 } else { 1 };
            if y + need + 2 > bottom {
                break;
            }
            let value = r.text.as_str();
            if stacked {
                let vw = value.width() as u16;
                let lw = area.width.saturating_sub(vw + 1) as usize;
                buf.set_string(area.x, y, truncate(&r.label, lw), t.base);
                buf.set_string(
                    area.x + area.width - vw.min(area.width),
                    y,
                    truncate(value, area.width as usize),
                    t.accent,
                );
                y += 1;
            } else {
                buf.set_string(area.x, y, truncate(&r.label, label_w as usize), t.base);
                buf.set_string(
                    plot_x + plot_w + 1,
                    y,
                    truncate(value, value_w as usize + 1),
                    t.base,
                );
            }
            buf.set_string(null_x, y, "│", t.plot_null);
            let est_x = x_of(r.estimate);
            if let Some((a, b)) = r.ci {
                let (xa, xb) = (x_of(a), x_of(b));
                for x in xa..=xb {
                    let sym = if x == xa && xa != xb {
                        "├"
                    } else if x == xb && xa != xb {
                        "┤"
                    } else if x == null_x {
                        "┼"
                    } else {
                        "─"
                    };
                    buf.set_string(x, y, sym, t.plot_line);
                }
                // Arrows where the CI runs off the drawn scale.
                if a < lo {
                    buf.set_string(xa, y, "◀", t.plot_line);
                }
                if b > hi {
                    buf.set_string(xb, y, "▶", t.plot_line);
                }
            }
            buf.set_string(est_x, y, "■", t.plot_point);
            y += 1;
        }
        // Axis line with ticks, then tick labels that do not collide.
        for x in plot_x..plot_x + plot_w {
            buf.set_string(x, y, "─", t.muted);
        }
        let mut last_end: u16 = 0;
        for tick in ticks {
            let x = x_of(tick);
            buf.set_string(x, y, "┴", if tick == 1.0 { t.plot_null } else { t.muted });
            let label = format::number(tick);
            let lw = label.width() as u16;
            let start = x.saturating_sub(lw / 2).max(plot_x);
            if start >= last_end && start + lw <= area.x + area.width {
                buf.set_string(
                    start,
                    y + 1,
                    &label,
                    if tick == 1.0 { t.plot_null } else { t.muted },
                );
                last_end = start + lw + 1;
            }
        }
        // Caption: which side of the line of no effect favours which arm.
        let m = format::measure(self.rows[0].measure);
        let (left, right) = match self.favours {
            Some((a, b)) => (format!("◀ favours {a}"), format!("favours {b} ▶")),
            None => (format!("◀ {m} < 1"), format!("{m} > 1 ▶")),
        };
        let cy = y + 2;
        if cy < bottom {
            let left = truncate(&left, null_x.saturating_sub(area.x + 1) as usize);
            let lx = null_x.saturating_sub(left.width() as u16 + 1).max(area.x);
            buf.set_string(lx, cy, &left, t.muted);
            buf.set_string(null_x, cy, "│", t.plot_null);
            let room = (area.x + area.width).saturating_sub(null_x + 2) as usize;
            buf.set_string(null_x + 2, cy, truncate(&right, room), t.muted);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Measure;

    fn row(estimate: f64, ci: Option<(f64, f64)>) -> Row {
        Row {
            label: "x".into(),
            measure: Measure::HR,
            estimate,
            ci,
            text: String::new(),
        }
    }

    #[test]
    fn ticks_are_evenly_spaced_on_the_log_scale_and_cover_every_interval() {
        let cases: Vec<Vec<Row>> = vec![
            vec![row(0.65, Some((0.55, 0.77)))],
            vec![row(0.68, Some((0.55, 0.85))), row(1.4, Some((0.9, 2.3)))],
            vec![row(0.2, Some((0.03, 0.9)))],
            vec![row(3.0, Some((1.2, 9.5)))],
            vec![row(1.0, None)],
            vec![],
        ];
        for rows in cases {
            let (lo, hi, ticks) = domain(&rows);
            assert!(ticks.len() >= 3, "{ticks:?}");
            // Consecutive ticks have the same ratio: equal steps on a log axis.
            let ratios: Vec<f64> = ticks.windows(2).map(|w| w[1] / w[0]).collect();
            for r in &ratios {
                assert!((r - ratios[0]).abs() < 1e-9, "{ticks:?}");
            }
            // The domain runs from tick to tick, has 1 on it with a tick each side, and holds
            // every estimate and interval.
            assert_eq!(ticks.first().copied(), Some(lo));
            assert_eq!(ticks.last().copied(), Some(hi));
            assert!(ticks.contains(&1.0));
            assert!(lo < 1.0 && hi > 1.0);
            for r in &rows {
                let (a, b) = r.ci.unwrap_or((r.estimate, r.estimate));
                assert!(lo <= a && b <= hi, "{a}–{b} within {lo}–{hi}");
            }
        }
    }
}
