//! The search overlay: a query, its hits, and opening a hit in its context. The hits are
//! scored by the runtime ([`Effect::Search`]) and come back through [`App::receive`].

use super::{App, Effect, Overlay, Place, Section};
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
    /// The query changed and its hits have not come back yet ([`Effect::Search`]).
    pub pending: bool,
    /// Numbers each query; hits for an older one are dropped.
    pub seq: u64,
    /// Keys that act on the hits, pressed while they were pending: applied, in order, when
    /// the hits come (Enter right after typing opens the first hit of the query typed).
    pub waiting: Vec<Action>,
}

/// How many keys wait for pending hits at most (more are dropped).
const WAITING_MAX: usize = 16;

impl App {
    pub(super) fn open_search(&mut self) -> Effect {
        let from = self.browse().place();
        let mut st = match self.last_search.take() {
            // `/` reopens the last search with its query and selection, from here.
            Some(mut s) => {
                s.from = from;
                s.waiting.clear();
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
                waiting: Vec::new(),
            },
        };
        // The hits of a reopened search are asked for again (the pack may have been
        // searched differently since), keeping the selection where it can.
        let effect = query_changed(&mut st, true);
        self.overlay = Some(Overlay::Search(st));
        effect
    }

    /// Hits for query `seq`: shown if they answer the current query (dropped if a newer one
    /// superseded it), then the keys that waited for them.
    pub(super) fn searched(
        &mut self,
        seq: u64,
        hits: Vec<Hit>,
        now: std::time::SystemTime,
    ) -> Effect {
        let Some(Overlay::Search(st)) = &mut self.overlay else {
            return Effect::None;
        };
        if st.seq != seq || !st.pending {
            return Effect::None;
        }
        st.hits = hits;
        st.pending = false;
        st.selected = st.selected.min(st.hits.len().saturating_sub(1));
        let waiting = std::mem::take(&mut st.waiting);
        let mut effect = Effect::None;
        for a in waiting {
            effect = self.update(a, now);
            if effect != Effect::None {
                break;
            }
        }
        effect
    }

    /// Whether a search is waiting for its hits.
    pub fn search_pending(&self) -> bool {
        matches!(&self.overlay, Some(Overlay::Search(st)) if st.pending)
    }

    pub(super) fn update_search(&mut self, mut st: SearchState, action: Action) -> Effect {
        // Keys that act on the hits wait for hits that are on their way.
        if st.pending
            && matches!(
                action,
                Action::Open
                    | Action::Down
                    | Action::Up
                    | Action::PageDown
                    | Action::PageUp
                    | Action::Top
                    | Action::Bottom
                    | Action::ScrollDown(..)
                    | Action::ScrollUp(..)
            )
        {
            if st.waiting.len() < WAITING_MAX {
                st.waiting.push(action);
            }
            self.overlay = Some(Overlay::Search(st));
            return Effect::None;
        }
        let n = st.hits.len();
        let page = layout::search_rows(self.size).max(1);
        let mut effect = Effect::None;
        match action {
            Action::Back => {
                let from = st.from;
                st.waiting.clear();
                self.last_search = Some(st);
                self.browse_mut().go(from);
                return Effect::None;
            }
            Action::Open => {
                if let Some(hit) = st.hits.get(st.selected).cloned() {
                    let (from, reveal) = (st.from, st.reveal_on_open);
                    self.last_search = Some(st);
                    self.open_hit(&hit, from, reveal);
                    return Effect::None;
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
                effect = query_changed(&mut st, false);
            }
            Action::SearchPaste(s) => {
                let room = super::QUERY_MAX_CHARS.saturating_sub(st.query.chars().count());
                st.query
                    .extend(s.chars().filter(|c| !c.is_control()).take(room));
                effect = query_changed(&mut st, false);
            }
            Action::SearchBackspace => {
                st.query.pop();
                effect = query_changed(&mut st, false);
            }
            Action::SearchClear => {
                st.query.clear();
                effect = query_changed(&mut st, false);
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
                        return Effect::None;
                    }
                    st.selected = i;
                }
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Search(st));
        effect
    }

    /// Go to a hit: its entry, section and item, remembering `from` for Back.
    fn open_hit(&mut self, hit: &Hit, from: Place, reveal: bool) {
        let lib = &self.lib;
        let Some(entry) = lib.index_of(&hit.entry) else {
            return;
        };
        let e = &lib.entries[entry];
        let doc = self.browse.docs.get(lib, entry);
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
            HitKind::Safety => (Section::Safety, hit.safety_row().unwrap_or(0)),
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
        let look = crate::tui::lines::Look {
            theme: &self.theme,
            keys: &self.keymap,
        };
        let (lib, size) = (&self.lib, self.size);
        let Some((s, _)) = b.detail_lines(lib, look, size) else {
            return;
        };
        if let Some(r) = s.items.get(item) {
            b.scroll = r.start;
        }
    }
}

/// A changed query: checked here (an unknown `@role` or `#kind` is a problem shown at once),
/// then scored by the runtime. `keep` keeps the selection (a reopened search).
fn query_changed(st: &mut SearchState, keep: bool) -> Effect {
    st.seq += 1;
    if !keep {
        st.selected = 0;
    }
    st.waiting.clear();
    st.problem = crate::search::check(&st.query).err();
    if st.query.trim().is_empty() || st.problem.is_some() {
        st.hits.clear();
        st.pending = false;
        return Effect::None;
    }
    st.pending = true;
    Effect::Search {
        seq: st.seq,
        query: st.query.clone(),
    }
}
