//! The browse screen: the trial list and the detail panel of the selected entry.

use crate::content::row::Row;
use crate::content::{EntryKind, Library, Role};
use crate::doc::{Document, Section};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::layout::{self, Focus};
use crate::tui::lines::Look;
use crate::tui::lines::document::{self, Styled, View};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Pack,
    Year,
    Phase,
}

impl Sort {
    pub fn label(self) -> &'static str {
        match self {
            Sort::Pack => "pack order",
            Sort::Year => "year",
            Sort::Phase => "phase",
        }
    }
}

/// Where the reader is: enough to come back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub entry: usize,
    pub focus: Focus,
    pub section: Section,
    pub scroll: usize,
    pub item: usize,
}

#[derive(Debug, Clone)]
pub struct Browse {
    /// Entry indices in list order.
    pub order: Vec<usize>,
    pub sort: Sort,
    /// Selected row of `order`.
    pub list_sel: usize,
    pub focus: Focus,
    pub section: Section,
    /// First line of the detail body on screen.
    pub scroll: usize,
    /// Selected item of item sections (finding, link, discrepancy note, question).
    pub item: usize,
    pub revealed: HashSet<String>,
    pub role: Option<Role>,
    /// The learner's level: without a role filter, the Discussion shows questions up to it.
    pub ceiling: Option<Role>,
    pub history: Vec<Place>,
    /// Documents of the entries shown, built once (shared with search and the views).
    pub docs: crate::doc::shared::Documents,
}

impl Browse {
    /// Sorted by phase, on the pack's landmark entry (or the first row).
    pub fn new(lib: &Library) -> Browse {
        let mut b = Browse {
            order: (0..lib.entries.len()).collect(),
            sort: Sort::Phase,
            list_sel: 0,
            focus: Focus::List,
            section: Section::Overview,
            scroll: 0,
            item: 0,
            revealed: HashSet::new(),
            role: None,
            ceiling: None,
            history: Vec::new(),
            docs: Default::default(),
        };
        b.resort(lib);
        b.list_sel = lib
            .landmark()
            .and_then(|i| b.order.iter().position(|&x| x == i))
            .unwrap_or(0);
        b
    }

    /// The entry shown in the detail panel.
    pub fn current(&self) -> Option<usize> {
        self.order.get(self.list_sel).copied()
    }

    pub fn place(&self) -> Place {
        Place {
            entry: self.current().unwrap_or(0),
            focus: self.focus,
            section: self.section,
            scroll: self.scroll,
            item: self.item,
        }
    }

    pub fn go(&mut self, p: Place) {
        if let Some(row) = self.order.iter().position(|&i| i == p.entry) {
            self.list_sel = row;
        }
        self.focus = p.focus;
        self.section = p.section;
        self.scroll = p.scroll;
        self.item = p.item;
    }

    /// The current entry's document (built once, then shared).
    pub fn document(&self, lib: &Library) -> Option<std::sync::Arc<Document>> {
        self.current().map(|i| self.docs.get(lib, i))
    }

    pub fn view<'a>(&'a self, focused: bool, keys: &'a Keymap) -> View<'a> {
        View {
            keys,
            section: self.section,
            item: self.item,
            focused,
            role: self.role,
            ceiling: self.ceiling,
            revealed: &self.revealed,
        }
    }

    /// How many selectable items the current section has (0 = plain scrolling text).
    pub fn item_count(&self, lib: &Library) -> usize {
        self.document(lib)
            .map(|d| document::item_count_in_view(&d, self.section, self.role, self.ceiling))
            .unwrap_or(0)
    }

    /// Questions of the current entry that pass the role filter, in ladder order (ids).
    pub fn visible_questions(&self, lib: &Library) -> Vec<String> {
        self.document(lib)
            .map(|d| {
                document::questions_in_view(&d, self.role, self.ceiling)
                    .into_iter()
                    .map(|q| q.id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The detail body's lines at this size (what the detail panel draws), and the body rect.
    pub fn detail_lines(
        &self,
        lib: &Library,
        look: Look<'_>,
        size: (u16, u16),
    ) -> Option<(Styled, ratatui::layout::Rect)> {
        self.lines_of(&*self.document(lib)?, look, size)
    }

    /// [`Browse::detail_lines`] of a document already built.
    fn lines_of(
        &self,
        d: &Document,
        look: Look<'_>,
        size: (u16, u16),
    ) -> Option<(Styled, ratatui::layout::Rect)> {
        let areas = layout::browse(size, self.focus);
        let body = layout::detail_body(areas.detail?);
        let focused = self.focus == Focus::Detail;
        Some((
            document::section(d, &self.view(focused, look.keys), look.theme, body.width),
            body,
        ))
    }

    /// Keep the scroll within the content, and the selected item within the count. The
    /// entry's document is built once for both.
    pub fn clamp(&mut self, lib: &Library, look: Look<'_>, size: (u16, u16)) {
        self.list_sel = self.list_sel.min(self.order.len().saturating_sub(1));
        let Some(d) = self.document(lib) else {
            self.item = 0;
            self.scroll = 0;
            return;
        };
        let n = document::item_count_in_view(&d, self.section, self.role, self.ceiling);
        self.item = self.item.min(n.saturating_sub(1));
        let max = match self.lines_of(&d, look, size) {
            None => 0,
            Some((s, body)) if self.section == Section::Forest => {
                let (fit, _) = layout::forest_fit(body.width, body.height, s.lines.len() as u16);
                forest_rows(&d).saturating_sub(fit)
            }
            Some((s, body)) => layout::max_top(s.lines.len(), body.height as usize),
        };
        self.scroll = self.scroll.min(max);
    }

    /// Scroll so the selected item is in view (its start, and as much of it as fits).
    fn reveal_item(&mut self, lib: &Library, look: Look<'_>, size: (u16, u16)) {
        let Some((s, body)) = self.detail_lines(lib, look, size) else {
            return;
        };
        let Some(r) = s.items.get(self.item) else {
            return;
        };
        let h = body.height as usize;
        if r.start < self.scroll || h == 0 {
            self.scroll = r.start;
        } else if r.end > self.scroll + h {
            self.scroll = r.start.min(r.end.saturating_sub(h));
        }
    }

    /// Whether an action does something in the current state.
    pub fn acts(&self, lib: &Library, action: &Action) -> bool {
        match action {
            Action::Reveal => {
                self.focus == Focus::Detail
                    && self.section == Section::Discussion
                    && self.item_count(lib) > 0
            }
            Action::HideAll => self.section == Section::Discussion && !self.revealed.is_empty(),
            Action::Open => match self.focus {
                Focus::List => self.current().is_some(),
                Focus::Detail => self.section == Section::Related && self.item_count(lib) > 0,
            },
            Action::Down | Action::Up => {
                self.focus == Focus::List || !self.section.has_items() || self.item_count(lib) > 0
            }
            _ => true,
        }
    }

    pub(super) fn resort(&mut self, lib: &Library) {
        let cur = self.current();
        // Rows only: sorting never decodes an entry (see content::library).
        let rows = lib.entries.rows();
        self.order = match self.sort {
            Sort::Pack => (0..rows.len()).collect(),
            Sort::Year => {
                let mut order: Vec<usize> = (0..rows.len()).collect();
                order.sort_by_key(|&i| (rows[i].year.is_none(), std::cmp::Reverse(rows[i].year)));
                order
            }
            Sort::Phase => phase_order(rows),
        };
        if let Some(c) = cur {
            self.list_sel = self.order.iter().position(|&i| i == c).unwrap_or(0);
        }
    }

    fn select_row(&mut self, row: usize) {
        let row = row.min(self.order.len().saturating_sub(1));
        if row != self.list_sel {
            self.list_sel = row;
            self.section = Section::Overview;
            self.scroll = 0;
            self.item = 0;
        }
    }

    fn move_list(&mut self, delta: isize) {
        let n = self.order.len();
        if n == 0 {
            return;
        }
        let row = (self.list_sel as isize + delta).clamp(0, n as isize - 1) as usize;
        self.select_row(row);
    }

    fn set_section(&mut self, s: Section) {
        if s != self.section {
            self.section = s;
            self.scroll = 0;
            self.item = 0;
        }
    }

    fn set_role(&mut self, r: Option<Role>) -> Option<String> {
        self.role = r;
        self.item = 0;
        self.scroll = 0;
        if self.section != Section::Discussion {
            self.section = Section::Discussion;
        }
        Some(match r {
            Some(r) => format!("discussion: {} questions", r.label()),
            None => "discussion: all roles".to_string(),
        })
    }

    fn follow_link(&mut self, lib: &Library) {
        let Some(e) = self.current().map(|i| &lib.entries[i]) else {
            return;
        };
        let Some(r) = e.related.get(self.item) else {
            return;
        };
        let Some(target) = lib.index_of(&r.to) else {
            return;
        };
        let here = self.place();
        self.history.push(here);
        self.go(Place {
            entry: target,
            focus: Focus::Detail,
            section: Section::Overview,
            scroll: 0,
            item: 0,
        });
    }

    fn back(&mut self) {
        match self.history.pop() {
            Some(p) => self.go(p),
            None => self.focus = Focus::List,
        }
    }

    /// Apply an action; returns a message for the footer, if any.
    pub fn update(
        &mut self,
        lib: &Library,
        look: Look<'_>,
        size: (u16, u16),
        action: Action,
    ) -> Option<String> {
        let body_h = layout::browse(size, Focus::Detail)
            .detail
            .map(|d| layout::detail_body(d).height)
            .unwrap_or(1)
            .max(1) as usize;
        let list_h = layout::browse(size, Focus::List)
            .list
            .map(|l| layout::inner(l).height)
            .unwrap_or(1)
            .max(1) as isize;
        let items = self.item_count(lib);
        match (self.focus, action) {
            (_, Action::SwitchPanel) => {
                self.focus = match self.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                }
            }
            (_, Action::NextRole) => {
                let next = match self.role {
                    None => Some(Role::ALL[0]),
                    Some(r) => Role::ALL.get(r as usize + 1).copied(),
                };
                return self.set_role(next);
            }
            (_, Action::PrevRole) => {
                let prev = match self.role {
                    None => Role::ALL.last().copied(),
                    Some(r) => (r as usize).checked_sub(1).map(|i| Role::ALL[i]),
                };
                return self.set_role(prev);
            }
            (_, Action::SetRole(r)) => return self.set_role(r),
            (_, Action::GotoSection(n)) => {
                if let Some(s) = Section::ALL.get((n as usize).wrapping_sub(1)) {
                    self.set_section(*s);
                    if self.current().is_some() {
                        self.focus = Focus::Detail;
                    }
                }
            }
            (Focus::List, Action::Down) => self.move_list(1),
            (Focus::List, Action::Up) => self.move_list(-1),
            (Focus::List, Action::PageDown) => self.move_list(list_h),
            (Focus::List, Action::PageUp) => self.move_list(-list_h),
            (Focus::List, Action::Top) => self.select_row(0),
            (Focus::List, Action::Bottom) => self.select_row(usize::MAX),
            (Focus::List, Action::Open) if self.current().is_some() => {
                self.focus = Focus::Detail;
                self.section = Section::Overview;
                self.scroll = 0;
                self.item = 0;
            }
            (Focus::List, Action::CycleSort) => {
                self.sort = match self.sort {
                    Sort::Pack => Sort::Year,
                    Sort::Year => Sort::Phase,
                    Sort::Phase => Sort::Pack,
                };
                self.resort(lib);
                return Some(format!("sorted by {}", self.sort.label()));
            }
            (Focus::Detail, Action::Down) => {
                if self.section.has_items() && items > 0 {
                    self.item = (self.item + 1).min(items - 1);
                    self.reveal_item(lib, look, size);
                } else {
                    self.scroll += 1;
                }
            }
            (Focus::Detail, Action::Up) => {
                if self.section.has_items() && items > 0 {
                    self.item = self.item.saturating_sub(1);
                    self.reveal_item(lib, look, size);
                } else {
                    self.scroll = self.scroll.saturating_sub(1);
                }
            }
            (Focus::Detail, Action::PageDown) => self.scroll += body_h,
            (Focus::Detail, Action::PageUp) => self.scroll = self.scroll.saturating_sub(body_h),
            (Focus::Detail, Action::Top) => {
                self.scroll = 0;
                self.item = 0;
            }
            (Focus::Detail, Action::Bottom) => {
                self.item = items.saturating_sub(1);
                self.scroll = usize::MAX;
            }
            (Focus::Detail, Action::NextSection) => {
                let i = self.section.index();
                self.set_section(Section::ALL[(i + 1) % Section::ALL.len()]);
            }
            (Focus::Detail, Action::PrevSection) => {
                let i = self.section.index();
                self.set_section(Section::ALL[(i + Section::ALL.len() - 1) % Section::ALL.len()]);
            }
            (Focus::Detail, Action::Reveal) if self.section == Section::Discussion => {
                if let Some(id) = self.visible_questions(lib).get(self.item).cloned()
                    && !self.revealed.remove(&id)
                {
                    self.revealed.insert(id);
                }
                self.reveal_item(lib, look, size);
            }
            (_, Action::HideAll) => {
                let n = self.revealed.len();
                self.revealed.clear();
                if n > 0 {
                    return Some(format!(
                        "hid {}",
                        crate::format::count(n, "key response", "key responses")
                    ));
                }
            }
            (Focus::Detail, Action::Open) if self.section == Section::Related => {
                self.follow_link(lib)
            }
            (Focus::Detail, Action::Back) => self.back(),
            (_, Action::Click(x, y)) => self.click(lib, look, size, x, y),
            (_, Action::ScrollDown(x, y)) => self.wheel(size, x, y, 3),
            (_, Action::ScrollUp(x, y)) => self.wheel(size, x, y, -3),
            _ => {}
        }
        None
    }

    fn click(&mut self, lib: &Library, look: Look<'_>, size: (u16, u16), x: u16, y: u16) {
        let areas = layout::browse(size, self.focus);
        if let Some(list) = areas.list
            && layout::contains(list, x, y)
        {
            self.focus = Focus::List;
            if let Some(row) = layout::list_row_at(list, self.list_sel, y)
                && row < self.order.len()
            {
                self.select_row(row);
            }
            return;
        }
        let Some(detail) = areas.detail else { return };
        if !layout::contains(detail, x, y) {
            return;
        }
        self.focus = Focus::Detail;
        if let Some(s) = layout::tab_at(detail, self.section, x, y) {
            self.set_section(s);
            return;
        }
        // A click on an item selects it (a second click on a question reveals it).
        let Some((s, body)) = self.detail_lines(lib, look, size) else {
            return;
        };
        if !layout::contains(body, x, y) {
            return;
        }
        let line = self.scroll + (y - body.y) as usize;
        if let Some(i) = s.items.iter().position(|r| r.contains(&line)) {
            if i == self.item && self.section == Section::Discussion {
                if let Some(id) = self.visible_questions(lib).get(i).cloned()
                    && !self.revealed.remove(&id)
                {
                    self.revealed.insert(id);
                }
            } else {
                self.item = i;
            }
        }
    }

    fn wheel(&mut self, size: (u16, u16), x: u16, y: u16, delta: isize) {
        let areas = layout::browse(size, self.focus);
        if areas.list.is_some_and(|l| layout::contains(l, x, y)) {
            self.move_list(delta.signum());
        } else {
            self.scroll = (self.scroll as isize + delta).max(0) as usize;
        }
    }
}

/// How many rows the forest plot of a document has.
pub fn forest_rows(d: &Document) -> usize {
    d.forest().map_or(0, |f| f.rows.len())
}

/// Where an entry's phase puts it in the list: ongoing trials after completed ones; phase 3,
/// then 2, then 1, then the rest; topics last.
fn phase_rank(r: &Row) -> (bool, u8) {
    let p = r.phase.as_deref().unwrap_or("");
    let rank = if r.kind == EntryKind::Topic {
        9
    } else if p.contains('3') {
        0
    } else if p.contains('2') {
        1
    } else if p.contains('1') {
        2
    } else {
        3
    };
    (r.ongoing, rank)
}

/// The phase order as a plain comparison of whole keys: what [`phase_order`] gives, and
/// what it falls back to beyond 2^26 rows.
fn plain_phase_order(rows: &[Row]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_cached_key(|&i| {
        (
            phase_rank(&rows[i]),
            std::cmp::Reverse(rows[i].year),
            rows[i].name.to_lowercase(),
        )
    });
    order
}

/// `a.to_lowercase().cmp(&b.to_lowercase())`, without allocating for ASCII names.
fn cmp_lowercase(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

/// The list in phase order: by [`phase_rank`], newest year first (no year last), then by
/// name ignoring case (`str::to_lowercase`), then as the packs hold them. At 50,000 entries
/// this is the one sort before the first frame, so it sorts fixed-size keys (rank and year,
/// the name's first eight bytes lowercased, the place) and compares whole names only within
/// the runs that agree on those and hold a longer name. The order is the plain comparison's
/// (a property test holds them side by side).
pub(crate) fn phase_order(rows: &[Row]) -> Vec<usize> {
    let head = |r: &Row| -> u64 {
        let (ongoing, rank) = phase_rank(r);
        // 38 bits: ongoing (1), rank (4, at most 9), the year (33: newest first, no year
        // last: 0 for the largest year, u32::MAX + 1 for none).
        let year = r.year.map_or(1 << 32, |y| u64::from(u32::MAX - y));
        (u64::from(ongoing) << 37) | (u64::from(rank) << 33) | year
    };
    // The name's first eight bytes lowercased, zero-padded (names hold no NUL: sanitized),
    // and whether they are all of it.
    let prefix = |name: &str| -> (u64, bool) {
        let b = name.as_bytes();
        let n = b.len().min(8);
        let mut p = [0u8; 8];
        if b[..n].is_ascii() {
            for (d, s) in p.iter_mut().zip(&b[..n]) {
                *d = s.to_ascii_lowercase();
            }
            (u64::from_be_bytes(p), b.len() <= 8)
        } else {
            let lower = name.to_lowercase();
            let l = lower.as_bytes();
            let n = l.len().min(8);
            p[..n].copy_from_slice(&l[..n]);
            (u64::from_be_bytes(p), l.len() <= 8)
        }
    };
    // One u128 per row: rank and year (38 bits), the prefix (64), the place (26).
    if rows.len() >= 1 << 26 {
        return plain_phase_order(rows);
    }
    let mut keys: Vec<u128> = Vec::with_capacity(rows.len());
    // Per row: whether its key holds all of its name.
    let mut whole = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let (p, all) = prefix(&r.name);
        whole.push(all);
        keys.push((u128::from(head(r)) << 90) | (u128::from(p) << 26) | i as u128);
    }
    keys.sort_unstable();
    let place = |k: u128| (k & ((1 << 26) - 1)) as usize;
    let mut order: Vec<usize> = keys.iter().map(|&k| place(k)).collect();
    // Runs that agree on rank, year and the first eight bytes, and hold a longer name: by the
    // whole name (a stable sort: equal names stay in the packs' order).
    let mut start = 0;
    while start < keys.len() {
        let mut end = start + 1;
        while end < keys.len() && keys[end] >> 26 == keys[start] >> 26 {
            end += 1;
        }
        let run = &mut order[start..end];
        if run.len() > 1 && !run.iter().all(|&i| whole[i]) {
            run.sort_by(|&a, &b| cmp_lowercase(&rows[a].name, &rows[b].name));
        }
        start = end;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(name: &str, phase: Option<&str>, year: Option<u32>, kind: u8, ongoing: bool) -> Row {
        Row {
            id: "x".into(),
            name: name.into(),
            phase: phase.map(Into::into),
            year,
            kind: if kind == 0 {
                EntryKind::Topic
            } else {
                EntryKind::Trial
            },
            ongoing,
            as_of: None,
            questions: 0,
        }
    }

    proptest! {
        #[test]
        fn the_phase_order_is_the_plain_comparisons(
            rows in proptest::collection::vec(
                (
                    // Names that share long prefixes, differ in case, or are not ASCII.
                    "(EMILIA|emilia|Emilia-2|TH3RESA|KATHERINE|KRISTINE|Ä|é|ß|İ|x|Σ| ){0,4}",
                    proptest::option::of("(Phase |phase )?(1|2|3|2/3|II|IV)"),
                    proptest::option::of(prop_oneof![0u32..3, 1990u32..2030, Just(u32::MAX)]),
                    0u8..3,
                    any::<bool>(),
                ),
                0..60,
            )
        ) {
            let rows: Vec<Row> = rows
                .iter()
                .map(|(n, p, y, k, o)| row(n, p.as_deref(), *y, *k, *o))
                .collect();
            prop_assert_eq!(phase_order(&rows), plain_phase_order(&rows));
        }
    }

    #[test]
    fn a_long_list_sorted_in_two_halves_is_in_the_plain_order() {
        // As many rows as a large curriculum: names repeat, share eight bytes, differ in
        // case; years and phases repeat.
        let names = [
            "EMILIA",
            "emilia",
            "TH3RESA-1",
            "Th3resa-2",
            "KATHERINE",
            "Σ",
            "x",
        ];
        let rows: Vec<Row> = (0..20_000u32)
            .map(|i| {
                let i7 = (i * 7919) as usize;
                row(
                    names[i7 % names.len()],
                    [Some("3"), Some("2"), None][i7 % 3],
                    [Some(2012), Some(2019), None, Some(2012)][i7 % 4],
                    (i % 5) as u8,
                    i % 11 == 0,
                )
            })
            .collect();
        assert_eq!(phase_order(&rows), plain_phase_order(&rows));
    }

    #[test]
    fn names_that_agree_on_eight_bytes_are_ordered_by_the_rest() {
        let rows = [
            row("Trastuzumab B", Some("3"), Some(2012), 1, false),
            row("TRASTUZUMAB a", Some("3"), Some(2012), 1, false),
            row("trastuzu", Some("3"), Some(2012), 1, false),
            row("Trastuzumab a", Some("3"), Some(2012), 1, false),
        ];
        assert_eq!(phase_order(&rows), vec![2, 1, 3, 0]);
        assert_eq!(phase_order(&rows), plain_phase_order(&rows));
    }
}
