//! The card browser: every card with its state, filtered by words; suspend, unsuspend, bury
//! until tomorrow, reset, open the trial. Changes go to the history as an
//! [`Effect::Cards`](super::Effect) and come back through [`App::receive`](super::App::receive).

use super::quiz::Deck;
use crate::content::Library;
use crate::review::browse::{self, CardRow};
use crate::review::store::CardOp;
use crate::tui::action::Action;
use std::time::SystemTime;

/// The card browser's state.
#[derive(Debug, Clone)]
pub struct CardsBrowser {
    /// Words every row shown contains.
    pub query: String,
    /// Typing into the filter (keys are text until Enter or Esc).
    pub typing: bool,
    /// The deck indices shown, in deck order.
    pub rows: Vec<usize>,
    pub sel: usize,
}

/// What the browser asks of the app.
pub enum CardsOut {
    None,
    Message(String),
    /// Apply this to this card (deck index).
    Op(CardOp, usize),
    /// Open this entry in the browser.
    Open(usize),
    Leave,
}

impl CardsBrowser {
    pub fn new(deck: &Deck, lib: &Library, now: SystemTime) -> CardsBrowser {
        let mut b = CardsBrowser {
            query: String::new(),
            typing: false,
            rows: Vec::new(),
            sel: 0,
        };
        b.refilter(deck, lib, now);
        b
    }

    /// The row of a card as shown.
    pub fn row(deck: &Deck, lib: &Library, i: usize, now: SystemTime) -> CardRow {
        browse::row(
            lib,
            &deck.cards,
            &deck.states,
            &deck.flags,
            i,
            &deck.today(now),
        )
    }

    /// Apply the filter again (the selection stays on its card where it can).
    pub fn refilter(&mut self, deck: &Deck, lib: &Library, now: SystemTime) {
        let keep = self.rows.get(self.sel).copied();
        self.rows = (0..deck.cards.len())
            .filter(|&i| {
                self.query.trim().is_empty()
                    || browse::matches(&CardsBrowser::row(deck, lib, i, now), &self.query)
            })
            .collect();
        self.sel = keep
            .and_then(|k| self.rows.iter().position(|&r| r == k))
            .unwrap_or(0)
            .min(self.rows.len().saturating_sub(1));
    }

    /// The deck index of the selected card.
    pub fn selected(&self) -> Option<usize> {
        self.rows.get(self.sel).copied()
    }

    pub fn update(
        &mut self,
        deck: &Deck,
        lib: &Library,
        action: Action,
        now: SystemTime,
        page: usize,
    ) -> CardsOut {
        if self.typing {
            match action {
                Action::SearchInput(c) => self.query.push(c),
                Action::SearchPaste(s) => self.query.push_str(&s),
                Action::SearchBackspace => {
                    self.query.pop();
                }
                Action::SearchClear => self.query.clear(),
                Action::Open | Action::Back => self.typing = false,
                Action::Down => self.sel = (self.sel + 1).min(self.rows.len().saturating_sub(1)),
                Action::Up => self.sel = self.sel.saturating_sub(1),
                _ => return CardsOut::None,
            }
            self.refilter(deck, lib, now);
            return CardsOut::None;
        }
        let last = self.rows.len().saturating_sub(1);
        match action {
            Action::Down | Action::ScrollDown(..) => self.sel = (self.sel + 1).min(last),
            Action::Up | Action::ScrollUp(..) => self.sel = self.sel.saturating_sub(1),
            Action::PageDown => self.sel = (self.sel + page).min(last),
            Action::PageUp => self.sel = self.sel.saturating_sub(page),
            Action::Top => self.sel = 0,
            Action::Bottom => self.sel = last,
            Action::OpenSearch => self.typing = true,
            Action::Back if !self.query.is_empty() => {
                self.query.clear();
                self.refilter(deck, lib, now);
            }
            Action::Back => return CardsOut::Leave,
            Action::SuspendCard | Action::Bury | Action::ResetCard => {
                let Some(i) = self.selected() else {
                    return CardsOut::Message("no card selected".into());
                };
                let op = match action {
                    Action::SuspendCard if deck.flags[i].suspended => CardOp::Unsuspend,
                    Action::SuspendCard => CardOp::Suspend,
                    Action::Bury => CardOp::Bury {
                        until: deck.today(now).end(),
                    },
                    _ => CardOp::Reset,
                };
                return CardsOut::Op(op, i);
            }
            Action::OpenEntry | Action::Open => {
                if let Some(i) = self.selected() {
                    return CardsOut::Open(deck.cards[i].entry_index);
                }
            }
            _ => {}
        }
        CardsOut::None
    }
}
