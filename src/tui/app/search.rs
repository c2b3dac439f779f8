//! The search overlay: a query, its hits, and opening a hit in its context.

use super::{App, Overlay, Place, SEARCH_LIMIT, Section};
use crate::search::{Hit, Kind as HitKind};
use crate::tui::action::Action;
use crate::tui::layout::{self, Focus};

#[derive(Debug, Clone)]
pub struct SearchState {
    pub query: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    /// Open questions with their key response revealed.
    pub reveal_on_open: bool,
    /// Where the user was when search opened (Esc returns here).
    pub from: Place,
    /// A problem with the query (an unknown `@role` or `#kind`), shown under the box.
    pub problem: Option<String>,
    /// The query changed and its hits are not computed yet (see [`App::flush_search`]).
    pub pending: bool,
    /// Numbers each query; results for an older one are dropped.
    pub seq: u64,
}

impl App {
    pub(super) fn open_search(&mut self) {
        self.requested = None;
        self.searcher();
        let from = self.browse().place();
        let st = match self.last_search.take() {
            // `/` reopens the last search with its query and selection, from here.
            Some(mut s) => {
                s.from = from;
                s
            }
            None => SearchState {
                query: String::new(),
                hits: Vec::new(),
                selected: 0,
                reveal_on_open: false,
                from,
                problem: None,
                pending: false,
                seq: 0,
            },
        };
        let selected = st.selected;
        let mut st = st;
        self.run_search(&mut st);
        st.selected = selected.min(st.hits.len().saturating_sub(1));
        self.overlay = Some(Overlay::Search(st));
    }

    /// Run the search of a changed query now, or (when the runtime batches keys) mark it to
    /// run once after the burst of keys is applied.
    fn run_search(&mut self, st: &mut SearchState) {
        st.seq += 1;
        if self.search_mode != super::SearchMode::Now {
            st.pending = true;
            st.selected = 0;
            st.problem = crate::search::check(&st.query).err();
            if st.query.trim().is_empty() || st.problem.is_some() {
                st.hits.clear();
                st.pending = false;
            }
            return;
        }
        self.search_now(st);
    }

    /// With searches off the UI thread: the query to score now, if one is waiting (the
    /// runtime sends it to its worker and hands the hits back with
    /// [`App::apply_search_results`]).
    pub fn take_search_request(&mut self) -> Option<(u64, String)> {
        if self.search_mode != super::SearchMode::Worker {
            return None;
        }
        match &mut self.overlay {
            Some(Overlay::Search(st)) if st.pending && self.requested != Some(st.seq) => {
                self.requested = Some(st.seq);
                Some((st.seq, st.query.clone()))
            }
            _ => None,
        }
    }

    /// Hits from the worker: shown if they answer the current query, dropped if a newer
    /// query superseded it.
    pub fn apply_search_results(&mut self, seq: u64, hits: Vec<crate::search::Hit>) {
        if let Some(Overlay::Search(st)) = &mut self.overlay
            && st.seq == seq
            && st.pending
        {
            st.hits = hits;
            st.pending = false;
            st.selected = st.selected.min(st.hits.len().saturating_sub(1));
        }
    }

    /// Whether a search is waiting for the worker.
    pub fn search_pending(&self) -> bool {
        matches!(&self.overlay, Some(Overlay::Search(st)) if st.pending)
    }

    fn search_now(&mut self, st: &mut SearchState) {
        st.pending = false;
        // Whatever a worker is scoring for this query is no longer needed.
        st.seq += 1;
        st.problem = crate::search::check(&st.query).err();
        st.hits = if st.query.trim().is_empty() || st.problem.is_some() {
            Vec::new()
        } else {
            self.searcher().search(&st.query, SEARCH_LIMIT)
        };
        st.selected = 0;
    }

    /// Compute the hits of a query whose search was deferred: once per burst of keys, so fast
    /// typing or a paste runs one search, not one per key. The runtime calls this before it
    /// draws.
    pub fn flush_search(&mut self) {
        if self.search_mode == super::SearchMode::Worker {
            return;
        }
        if let Some(Overlay::Search(mut st)) = self.overlay.take() {
            if st.pending {
                self.search_now(&mut st);
            }
            self.overlay = Some(Overlay::Search(st));
        }
    }

    pub(super) fn update_search(&mut self, mut st: SearchState, action: Action) {
        // Actions that use the hits need them current.
        if st.pending
            && !matches!(
                action,
                Action::SearchInput(_)
                    | Action::SearchPaste(_)
                    | Action::SearchBackspace
                    | Action::SearchClear
            )
        {
            self.search_now(&mut st);
        }
        let n = st.hits.len();
        let page = layout::search_rows(self.size).max(1);
        match action {
            Action::Back => {
                let from = st.from;
                self.last_search = Some(st);
                self.browse_mut().go(from);
                return;
            }
            Action::Open => {
                if let Some(hit) = st.hits.get(st.selected).cloned() {
                    let (from, reveal) = (st.from, st.reveal_on_open);
                    self.last_search = Some(st);
                    self.open_hit(&hit, from, reveal);
                    return;
                }
            }
            Action::Down | Action::ScrollDown(..) => {
                st.selected = (st.selected + 1).min(n.saturating_sub(1))
            }
            Action::Up | Action::ScrollUp(..) => st.selected = st.selected.saturating_sub(1),
            Action::PageDown => st.selected = (st.selected + page).min(n.saturating_sub(1)),
            Action::PageUp => st.selected = st.selected.saturating_sub(page),
            Action::Top => st.selected = 0,
            Action::Bottom => st.selected = n.saturating_sub(1),
            Action::SearchInput(c)
                if !c.is_control() && st.query.chars().count() < super::QUERY_MAX_CHARS =>
            {
                st.query.push(c);
                self.run_search(&mut st);
            }
            Action::SearchPaste(s) => {
                let room = super::QUERY_MAX_CHARS.saturating_sub(st.query.chars().count());
                st.query
                    .extend(s.chars().filter(|c| !c.is_control()).take(room));
                self.run_search(&mut st);
            }
            Action::SearchBackspace => {
                st.query.pop();
                self.run_search(&mut st);
            }
            Action::SearchClear => {
                st.query.clear();
                self.run_search(&mut st);
            }
            Action::SearchToggleReveal => st.reveal_on_open = !st.reveal_on_open,
            Action::Click(x, y) => {
                if let Some(i) = layout::search_hit_at(self.size, st.selected, x, y)
                    && i < n
                {
                    if i == st.selected {
                        // A second click on the selected hit opens it.
                        let hit = st.hits[i].clone();
                        let (from, reveal) = (st.from, st.reveal_on_open);
                        self.last_search = Some(st);
                        self.open_hit(&hit, from, reveal);
                        return;
                    }
                    st.selected = i;
                }
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Search(st));
    }

    /// Go to a hit: its entry, section and item, remembering `from` for Back.
    fn open_hit(&mut self, hit: &Hit, from: Place, reveal: bool) {
        let lib = &self.lib;
        let Some(entry) = lib.index_of(&hit.entry) else {
            return;
        };
        let e = &lib.entries[entry];
        let doc = crate::doc::build(lib, e);
        let b = &mut self.browse;
        b.go(from);
        b.history.push(from);
        let item_id = hit.item.clone().unwrap_or_default();
        let (section, item) = match hit.kind {
            HitKind::Trial | HitKind::Topic => (Section::Overview, 0),
            HitKind::Finding => (
                Section::Findings,
                doc.finding_rows()
                    .iter()
                    .position(|f| f.id == item_id)
                    .unwrap_or(0),
            ),
            HitKind::Discrepancy => (
                Section::Discrepancies,
                e.discrepancies
                    .iter()
                    .position(|d| d.id == item_id)
                    .unwrap_or(0),
            ),
            HitKind::Question => {
                if reveal {
                    b.revealed.insert(item_id.clone());
                } else {
                    b.revealed.remove(&item_id);
                }
                if let Some(q) = e.questions.iter().find(|q| q.id == item_id) {
                    if b.role.is_some_and(|r| r != q.role) {
                        b.role = None;
                    }
                    if b.role.is_none() && b.ceiling.is_some_and(|c| q.role > c) {
                        // A question above the learner's level: show its role alone.
                        b.role = Some(q.role);
                    }
                }
                let i = crate::tui::lines::document::questions_in_view(&doc, b.role, b.ceiling)
                    .iter()
                    .position(|q| q.id == item_id)
                    .unwrap_or(0);
                (Section::Discussion, i)
            }
        };
        b.go(Place {
            entry,
            focus: Focus::Detail,
            section,
            scroll: 0,
            item,
        });
        // Scroll the opened item into view.
        let (lib, theme, size) = (&self.lib, &self.theme, self.size);
        let Some((s, _)) = b.detail_lines(lib, theme, size) else {
            return;
        };
        if let Some(r) = s.items.get(item) {
            b.scroll = r.start;
        }
    }
}
