//! Review statistics over the screen: what is due, reviews per day and the 30-day forecast as
//! column charts, retention by role and by trial. Scrolls like help.

use super::Scroll;
use crate::review::stats::Stats;
use crate::tui::keymap::Keymap;
use crate::tui::layout;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub struct StatsView<'a> {
    pub stats: &'a Stats,
    pub scroll: usize,
    pub theme: &'a Theme,
    /// The learner's level, when set: reported against.
    pub level: Option<crate::content::Role>,
    /// Text that names a key asks the keymap.
    pub keys: &'a Keymap,
}

impl Widget for &StatsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let size = (buf.area.width, buf.area.height);
        super::overlay_block(&super::reader_title("Review statistics", self.keys), t)
            .render(area, buf);
        let body = layout::help_body(size);
        let lines = crate::tui::lines::stats::lines(self.stats, self.level, self.theme, body.width);
        Scroll::new(self.scroll, lines.len(), body.height as usize)
            .render_lines(lines, body, buf, t.base, t.muted);
    }
}
