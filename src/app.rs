//! App state and `update(Action)`: the only place state changes. Views read `&App`.

use crate::action::Action;
use crate::content::{EntryKind, Library, Role};
use crate::keymap::Context;
use crate::search::{Hit, Kind as HitKind, SearchIndex, Searcher};
use crate::theme::{Theme, ThemeName};
use std::collections::HashSet;

/// How many search results are kept per query.
pub const SEARCH_LIMIT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Findings,
    Forest,
    Safety,
    Appraisal,
    Related,
    Discrepancies,
    Sources,
    Discussion,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Overview,
        Section::Findings,
        Section::Forest,
        Section::Safety,
        Section::Appraisal,
        Section::Related,
        Section::Discrepancies,
        Section::Sources,
        Section::Discussion,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Section::Overview => "Overview",
            Section::Findings => "Findings",
            Section::Forest => "Forest plot",
            Section::Safety => "Safety",
            Section::Appraisal => "Appraisal",
            Section::Related => "Related",
            Section::Discrepancies => "Discrepancies",
            Section::Sources => "Sources",
            Section::Discussion => "Discussion",
        }
    }
    /// A shorter label for narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            Section::Overview => "Over",
            Section::Findings => "Find",
            Section::Forest => "Plot",
            Section::Safety => "Safe",
            Section::Appraisal => "Appr",
            Section::Related => "Rel",
            Section::Discrepancies => "Disc",
            Section::Sources => "Src",
            Section::Discussion => "Q&A",
        }
    }
    fn index(self) -> usize {
        Section::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

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
    pub scroll: u16,
    pub item: usize,
}

#[derive(Debug, Clone)]
pub struct SearchState {
    pub query: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    /// Open questions with their key response revealed.
    pub reveal_on_open: bool,
    /// Where the user was when search opened (Esc returns here).
    pub from: Place,
}

pub struct App {
    pub lib: Library,
    /// The search engine (index plus the last query's candidates, for typing speed).
    pub searcher: Searcher,
    pub theme: Theme,
    /// Entry indices in list order.
    pub order: Vec<usize>,
    pub sort: Sort,
    /// Selected row of `order`.
    pub list_sel: usize,
    pub focus: Focus,
    pub section: Section,
    /// Lines scrolled in the detail panel (added to the selected item's anchor where there is one).
    pub scroll: u16,
    /// Selected item in item sections (related link, question, finding, discrepancy).
    pub item: usize,
    pub revealed: HashSet<String>,
    pub role: Option<Role>,
    pub history: Vec<Place>,
    pub search: Option<SearchState>,
    /// Help overlay scroll, when open.
    pub help: Option<u16>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub quit: bool,
    pub suspend: bool,
    pub message: Option<String>,
    /// The largest useful scroll of the detail panel, as last drawn (so `G` then `k` moves).
    pub view_max_scroll: std::cell::Cell<u16>,
}

impl App {
    /// A new app on `lib`, listing trials by phase (phase 3 first, ongoing and topics last).
    pub fn new(lib: Library, theme: ThemeName) -> App {
        let mut app = App::with_order(lib, theme);
        app.resort();
        app.list_sel = 0;
        app
    }

    fn with_order(lib: Library, theme: ThemeName) -> App {
        // Large libraries are scored on the machine's cores (measured: ~2× at 10,000 trials on
        // 2 cores); small ones stay on one thread (see search::PARALLEL_MIN).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let searcher = Searcher::new(SearchIndex::build(&lib)).with_threads(cores);
        let order = (0..lib.entries.len()).collect();
        App {
            lib,
            searcher,
            theme: Theme::new(theme),
            order,
            sort: Sort::Phase,
            list_sel: 0,
            focus: Focus::List,
            section: Section::Overview,
            scroll: 0,
            item: 0,
            revealed: HashSet::new(),
            role: None,
            history: Vec::new(),
            search: None,
            help: None,
            size: (80, 24),
            quit: false,
            suspend: false,
            message: None,
            view_max_scroll: std::cell::Cell::new(u16::MAX),
        }
    }

    /// The entry shown in the detail panel.
    pub fn current(&self) -> Option<usize> {
        self.order.get(self.list_sel).copied()
    }

    pub fn context(&self) -> Context {
        if self.help.is_some() {
            Context::Help
        } else if self.search.is_some() {
            Context::Search
        } else if self.focus == Focus::List {
            Context::List
        } else {
            Context::Detail
        }
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

    fn go(&mut self, p: Place) {
        if let Some(row) = self.order.iter().position(|&i| i == p.entry) {
            self.list_sel = row;
        }
        self.focus = p.focus;
        self.section = p.section;
        self.scroll = p.scroll;
        self.item = p.item;
    }

    /// Questions of the current entry that pass the role filter, in ladder order.
    pub fn visible_questions(&self) -> Vec<&crate::content::Question> {
        let Some(e) = self.current().map(|i| &self.lib.entries[i]) else {
            return Vec::new();
        };
        let mut qs: Vec<_> = e
            .questions
            .iter()
            .filter(|q| self.role.is_none_or(|r| q.role == r))
            .collect();
        qs.sort_by_key(|q| q.role);
        qs
    }

    /// How many selectable items the current section has (0 = plain scrolling text).
    pub fn item_count(&self) -> usize {
        let Some(e) = self.current().map(|i| &self.lib.entries[i]) else {
            return 0;
        };
        match self.section {
            Section::Related => e.related.len(),
            Section::Discussion => self.visible_questions().len(),
            Section::Findings => e.findings.len(),
            Section::Discrepancies => e.discrepancies.len(),
            _ => 0,
        }
    }

    /// Rows the detail panel can show (used for paging).
    fn page(&self) -> u16 {
        self.size.1.saturating_sub(8).max(1)
    }

    fn resort(&mut self) {
        let cur = self.current();
        let lib = &self.lib;
        let phase_rank = |i: usize| {
            let e = &lib.entries[i];
            let ongoing = e.status.is_ongoing();
            let p = e.phase().unwrap_or("").to_ascii_lowercase();
            let rank = if e.kind == EntryKind::Topic {
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
            (ongoing, rank)
        };
        let mut order: Vec<usize> = (0..lib.entries.len()).collect();
        match self.sort {
            Sort::Pack => {}
            Sort::Year => order.sort_by_key(|&i| {
                (
                    lib.entries[i].year.is_none(),
                    std::cmp::Reverse(lib.entries[i].year),
                )
            }),
            Sort::Phase => order.sort_by_key(|&i| {
                (
                    phase_rank(i),
                    std::cmp::Reverse(lib.entries[i].year),
                    lib.entries[i].name.to_lowercase(),
                )
            }),
        }
        self.order = order;
        if let Some(c) = cur {
            self.list_sel = self.order.iter().position(|&i| i == c).unwrap_or(0);
        }
    }

    fn select_row(&mut self, row: usize) {
        let row = row.min(self.order.len().saturating_sub(1));
        if row != self.list_sel {
            self.list_sel = row;
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

    fn move_detail(&mut self, delta: isize) {
        let items = self.item_count();
        if items > 0 && matches!(self.section, Section::Related | Section::Discussion) {
            let new = (self.item as isize + delta).clamp(0, items as isize - 1) as usize;
            if new != self.item {
                self.item = new;
                self.scroll = 0;
            }
        } else {
            self.scroll = (self.scroll as isize + delta).clamp(0, u16::MAX as isize) as u16;
        }
    }

    fn set_section(&mut self, s: Section) {
        if s != self.section {
            self.section = s;
            self.scroll = 0;
            self.item = 0;
        }
    }

    fn run_search(&mut self) {
        if let Some(st) = &mut self.search {
            st.hits = if st.query.trim().is_empty() {
                Vec::new()
            } else {
                self.searcher.search(&st.query, SEARCH_LIMIT)
            };
            st.selected = 0;
        }
    }

    fn open_hit(&mut self) {
        let Some(st) = self.search.take() else { return };
        let Some(hit) = st.hits.get(st.selected).cloned() else {
            self.search = Some(st);
            return;
        };
        let Some(entry) = self.lib.index_of(&hit.entry) else {
            return;
        };
        self.go(st.from);
        self.history.push(st.from);
        let e = &self.lib.entries[entry];
        let (section, item) = match hit.kind {
            HitKind::Trial | HitKind::Topic => (Section::Overview, 0),
            HitKind::Finding => (
                Section::Findings,
                e.findings
                    .iter()
                    .position(|f| Some(&f.id) == hit.item.as_ref())
                    .unwrap_or(0),
            ),
            HitKind::Discrepancy => (
                Section::Discrepancies,
                e.discrepancies
                    .iter()
                    .position(|d| Some(&d.id) == hit.item.as_ref())
                    .unwrap_or(0),
            ),
            HitKind::Question => {
                let qid = hit.item.clone().unwrap_or_default();
                if st.reveal_on_open {
                    self.revealed.insert(qid.clone());
                } else {
                    self.revealed.remove(&qid);
                }
                if let Some(q) = e.questions.iter().find(|q| q.id == qid)
                    && self.role.is_some_and(|r| r != q.role)
                {
                    self.role = None;
                }
                (Section::Discussion, 0)
            }
        };
        self.go(Place {
            entry,
            focus: Focus::Detail,
            section,
            scroll: 0,
            item,
        });
        if hit.kind == HitKind::Question {
            let qid = hit.item.unwrap_or_default();
            self.item = self
                .visible_questions()
                .iter()
                .position(|q| q.id == qid)
                .unwrap_or(0);
        }
    }

    fn follow_link(&mut self) {
        let Some(e) = self.current().map(|i| &self.lib.entries[i]) else {
            return;
        };
        let Some(r) = e.related.get(self.item) else {
            return;
        };
        let Some(target) = self.lib.index_of(&r.to) else {
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

    /// Apply one action.
    pub fn update(&mut self, action: Action) {
        self.message = None;
        match action {
            Action::Quit | Action::ForceQuit => self.quit = true,
            Action::Suspend => self.suspend = true,
            Action::Resize(w, h) => self.size = (w, h),
            Action::CycleTheme => {
                let i = ThemeName::ALL
                    .iter()
                    .position(|t| *t == self.theme.name)
                    .unwrap_or(0);
                let next = ThemeName::ALL[(i + 1) % ThemeName::ALL.len()];
                self.theme = Theme::new(next);
                self.message = Some(format!("theme: {}", next.label()));
            }
            Action::OpenHelp => self.help = Some(0),
            Action::OpenSearch => {
                self.search = Some(SearchState {
                    query: String::new(),
                    hits: Vec::new(),
                    selected: 0,
                    reveal_on_open: false,
                    from: self.place(),
                });
                self.run_search();
            }
            _ if self.help.is_some() => self.update_help(action),
            _ if self.search.is_some() => self.update_search(action),
            _ => {
                self.update_browse(action);
                self.scroll = self.scroll.min(self.view_max_scroll.get());
            }
        }
    }

    fn update_help(&mut self, action: Action) {
        let h = self.help.unwrap_or(0);
        match action {
            Action::Back => self.help = None,
            Action::Down | Action::ScrollDown(..) => self.help = Some(h.saturating_add(1)),
            Action::Up | Action::ScrollUp(..) => self.help = Some(h.saturating_sub(1)),
            Action::Click(..) => self.help = None,
            _ => {}
        }
    }

    fn update_search(&mut self, action: Action) {
        let Some(st) = &mut self.search else { return };
        let n = st.hits.len();
        match action {
            Action::Back => {
                let from = st.from;
                self.search = None;
                self.go(from);
            }
            Action::Open => self.open_hit(),
            Action::Down | Action::ScrollDown(..) => {
                st.selected = (st.selected + 1).min(n.saturating_sub(1))
            }
            Action::Up | Action::ScrollUp(..) => st.selected = st.selected.saturating_sub(1),
            Action::PageDown => st.selected = (st.selected + 10).min(n.saturating_sub(1)),
            Action::PageUp => st.selected = st.selected.saturating_sub(10),
            Action::Top => st.selected = 0,
            Action::Bottom => st.selected = n.saturating_sub(1),
            Action::SearchInput(c) if !c.is_control() => {
                st.query.push(c);
                self.run_search();
            }
            Action::SearchPaste(s) => {
                st.query
                    .extend(s.chars().filter(|c| !c.is_control()).take(200));
                self.run_search();
            }
            Action::SearchBackspace => {
                st.query.pop();
                self.run_search();
            }
            Action::SearchClear => {
                st.query.clear();
                self.run_search();
            }
            Action::SearchToggleReveal => st.reveal_on_open = !st.reveal_on_open,
            Action::Click(_, row) => {
                // Results start below the search box (3 rows) inside the overlay.
                let top = crate::ui::search_results_top(self.size);
                if row >= top {
                    let i = crate::ui::search_first_visible(st.selected, self.size)
                        + (row - top) as usize / 2;
                    if i < n {
                        st.selected = i;
                    }
                }
            }
            _ => {}
        }
    }

    fn update_browse(&mut self, action: Action) {
        let page = self.page() as isize;
        match (self.focus, action) {
            (_, Action::SwitchPanel) => {
                self.focus = match self.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                }
            }
            (Focus::List, Action::Down) => self.move_list(1),
            (Focus::List, Action::Up) => self.move_list(-1),
            (Focus::List, Action::PageDown) => self.move_list(page),
            (Focus::List, Action::PageUp) => self.move_list(-page),
            (Focus::List, Action::Top) => self.select_row(0),
            (Focus::List, Action::Bottom) => self.select_row(usize::MAX),
            (Focus::List, Action::Open) if self.current().is_some() => self.focus = Focus::Detail,
            (Focus::List, Action::CycleSort) => {
                self.sort = match self.sort {
                    Sort::Pack => Sort::Year,
                    Sort::Year => Sort::Phase,
                    Sort::Phase => Sort::Pack,
                };
                self.resort();
                self.message = Some(format!("sorted by {}", self.sort.label()));
            }
            (Focus::List, Action::Back) => {}
            (Focus::Detail, Action::Down) => self.move_detail(1),
            (Focus::Detail, Action::Up) => self.move_detail(-1),
            (Focus::Detail, Action::PageDown) => {
                self.scroll = self.scroll.saturating_add(page as u16)
            }
            (Focus::Detail, Action::PageUp) => {
                self.scroll = self.scroll.saturating_sub(page as u16)
            }
            (Focus::Detail, Action::Top) => {
                self.scroll = 0;
                self.item = 0;
            }
            (Focus::Detail, Action::Bottom) => {
                self.item = self.item_count().saturating_sub(1);
                self.scroll = u16::MAX;
            }
            (Focus::Detail, Action::NextSection) => {
                let i = self.section.index();
                self.set_section(Section::ALL[(i + 1) % Section::ALL.len()]);
            }
            (Focus::Detail, Action::PrevSection) => {
                let i = self.section.index();
                self.set_section(Section::ALL[(i + Section::ALL.len() - 1) % Section::ALL.len()]);
            }
            (Focus::Detail, Action::Reveal) => {
                if self.section != Section::Discussion {
                    self.set_section(Section::Discussion);
                    return;
                }
                let id = self
                    .visible_questions()
                    .get(self.item)
                    .map(|q| q.id.clone());
                if let Some(id) = id
                    && !self.revealed.remove(&id)
                {
                    self.revealed.insert(id);
                }
            }
            (Focus::Detail, Action::NextRole) => {
                self.role = match self.role {
                    None => Some(Role::ALL[0]),
                    Some(r) => Role::ALL
                        .iter()
                        .position(|x| *x == r)
                        .and_then(|i| Role::ALL.get(i + 1))
                        .copied(),
                };
                self.section = Section::Discussion;
                self.item = 0;
                self.scroll = 0;
            }
            (Focus::Detail, Action::ClearRole) => {
                self.role = None;
                self.item = 0;
                self.scroll = 0;
            }
            (_, Action::SetRole(r)) => {
                self.role = r;
                self.item = 0;
                self.scroll = 0;
            }
            (Focus::Detail, Action::Open) if self.section == Section::Related => self.follow_link(),
            (Focus::Detail, Action::Back) => self.back(),
            (_, Action::Click(x, y)) => self.click(x, y),
            (_, Action::ScrollDown(x, y)) => self.wheel(x, y, 3),
            (_, Action::ScrollUp(x, y)) => self.wheel(x, y, -3),
            _ => {}
        }
    }

    fn click(&mut self, x: u16, y: u16) {
        let areas = crate::ui::app_layout(self);
        if let Some(list) = areas.list
            && contains(list, x, y)
        {
            self.focus = Focus::List;
            if y > list.y && y < list.y + list.height - 1 {
                let first = crate::ui::list_first_visible(
                    self.list_sel,
                    list.height.saturating_sub(2) as usize,
                );
                self.select_row(first + (y - list.y - 1) as usize);
            }
            return;
        }
        if let Some(detail) = areas.detail
            && contains(detail, x, y)
        {
            self.focus = Focus::Detail;
            if y == detail.y + 1
                && let Some(s) = crate::ui::section_at(self, detail, x)
            {
                self.set_section(s);
            }
        }
    }

    fn wheel(&mut self, x: u16, y: u16, delta: isize) {
        let areas = crate::ui::app_layout(self);
        if areas.list.is_some_and(|l| contains(l, x, y)) {
            self.move_list(delta.signum());
        } else {
            self.scroll = (self.scroll as isize + delta).clamp(0, u16::MAX as isize) as u16;
        }
    }
}

fn contains(r: ratatui::layout::Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x.saturating_add(r.width) && y >= r.y && y < r.y.saturating_add(r.height)
}
