//! Every user intent, named. Keys and mouse events map to these; `App::update` applies them.
//!
//! Actions a key can be bound to have a snake_case name (`next_section`, `section_3`), so a
//! keymap file can rebind them; [`Action::from_name`] and serde both read that name.

use crate::content::Role;
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `q`: quit (nothing in browsing can be lost, so no question is asked).
    Quit,
    /// `Ctrl+C`: always quits.
    ForceQuit,
    /// `Ctrl+Z`: suspend to the shell.
    Suspend,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// `Enter`: open the selection (a trial, a related link, a search hit).
    Open,
    /// `Esc`/`Backspace`: go back (close an overlay, return from a followed link).
    Back,
    /// `Tab`: switch between the list and the detail panel.
    SwitchPanel,
    NextSection,
    PrevSection,
    /// `1`–`9`: jump to a section (1-based, in tab order).
    GotoSection(u8),
    /// `Space`: reveal or hide the selected key response.
    Reveal,
    /// Hide every revealed key response again.
    HideAll,
    /// Step the role filter forward (all → Medical Student → … → Guideline Committee → all).
    NextRole,
    /// Step the role filter back.
    PrevRole,
    /// Set the role filter directly.
    SetRole(Option<Role>),
    /// Cycle the list's sort order.
    CycleSort,
    /// Cycle the colour theme.
    CycleTheme,
    OpenSearch,
    OpenHelp,
    /// A character typed into the search box.
    SearchInput(char),
    /// Text pasted into the search box.
    SearchPaste(String),
    SearchBackspace,
    SearchClear,
    /// Toggle whether opening a question from search shows it revealed.
    SearchToggleReveal,
    /// A mouse click at (column, row).
    Click(u16, u16),
    ScrollUp(u16, u16),
    ScrollDown(u16, u16),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// `P`: start teaching rounds on the current trial.
    OpenRounds,
    /// Rounds: blank the screen (any key brings it back).
    Blank,
    /// Rounds: show or hide the presenter notes.
    Notes,
    /// Rounds: start or pause the countdown.
    Timer,
    /// Rounds: reset the countdown.
    TimerReset,
    /// Rounds: call on a learner.
    Learner,
    /// Rounds: write the handout of what was covered.
    Handout,
    /// Rounds: go to a question (its number follows).
    GoTo,
    /// Rounds: a digit (after `g`, or in the question list).
    Digit(u8),
    /// Rounds: the list of the round's questions, to pick one.
    QuestionList,
    /// Rounds: scroll the card on screen.
    CardDown,
    CardUp,
    /// Rounds: scroll the presenter notes.
    NotesDown,
    NotesUp,
    /// `Q`: quiz mode (the session builder), or back to a paused quiz.
    OpenQuiz,
    /// Quiz: show the next key point (staged recall).
    NextPoint,
    /// Quiz: tick key point n (1-based) as recalled.
    TickPoint(u8),
    /// Quiz: grade the card (1 Again, 2 Hard, 3 Good, 4 Easy).
    Grade(u8),
    /// Quiz: skip the card.
    Skip,
    /// Quiz: undo the last grade.
    Undo,
    /// Quiz: open the card's trial in the browser.
    OpenEntry,
    /// Quiz summary: drill the cards just missed.
    DrillMissed,
    /// Review statistics.
    OpenStats,
    /// Quiz: a practice run of the choice (the schedule is not touched).
    Practice,
    /// Quiz: send the grades that were not saved again.
    Retry,
    /// Quiz and card browser: bury the card until tomorrow.
    Bury,
    /// Quiz: suspend the card; card browser: suspend or unsuspend it.
    SuspendCard,
    /// Card browser: reset the card to new.
    ResetCard,
    /// The card browser.
    OpenCards,
}

/// The actions a key can be bound to, with their names.
const NAMED: &[(&str, Action)] = &[
    ("quit", Action::Quit),
    ("force_quit", Action::ForceQuit),
    ("suspend", Action::Suspend),
    ("up", Action::Up),
    ("down", Action::Down),
    ("page_up", Action::PageUp),
    ("page_down", Action::PageDown),
    ("top", Action::Top),
    ("bottom", Action::Bottom),
    ("open", Action::Open),
    ("back", Action::Back),
    ("switch_panel", Action::SwitchPanel),
    ("next_section", Action::NextSection),
    ("prev_section", Action::PrevSection),
    ("reveal", Action::Reveal),
    ("hide_all", Action::HideAll),
    ("next_role", Action::NextRole),
    ("prev_role", Action::PrevRole),
    ("all_roles", Action::SetRole(None)),
    ("cycle_sort", Action::CycleSort),
    ("cycle_theme", Action::CycleTheme),
    ("open_search", Action::OpenSearch),
    ("open_help", Action::OpenHelp),
    ("search_backspace", Action::SearchBackspace),
    ("search_clear", Action::SearchClear),
    ("search_toggle_reveal", Action::SearchToggleReveal),
    ("open_rounds", Action::OpenRounds),
    ("blank", Action::Blank),
    ("notes", Action::Notes),
    ("timer", Action::Timer),
    ("timer_reset", Action::TimerReset),
    ("learner", Action::Learner),
    ("handout", Action::Handout),
    ("go_to", Action::GoTo),
    ("question_list", Action::QuestionList),
    ("card_down", Action::CardDown),
    ("card_up", Action::CardUp),
    ("notes_down", Action::NotesDown),
    ("notes_up", Action::NotesUp),
    ("open_quiz", Action::OpenQuiz),
    ("next_point", Action::NextPoint),
    ("again", Action::Grade(1)),
    ("hard", Action::Grade(2)),
    ("good", Action::Grade(3)),
    ("easy", Action::Grade(4)),
    ("skip", Action::Skip),
    ("undo", Action::Undo),
    ("open_entry", Action::OpenEntry),
    ("drill_missed", Action::DrillMissed),
    ("open_stats", Action::OpenStats),
    ("practice", Action::Practice),
    ("retry", Action::Retry),
    ("bury_card", Action::Bury),
    ("suspend_card", Action::SuspendCard),
    ("reset_card", Action::ResetCard),
    ("open_cards", Action::OpenCards),
];

impl Action {
    /// The action a keymap names: `next_section`, `section_1` … `section_9`.
    pub fn from_name(name: &str) -> Option<Action> {
        let name = name.trim();
        if let Some(n) = name.strip_prefix("tick_")
            && let Ok(n) = n.parse::<u8>()
            && (1..=9).contains(&n)
        {
            return Some(Action::TickPoint(n));
        }
        if let Some(n) = name.strip_prefix("digit_")
            && let Ok(n) = n.parse::<u8>()
            && n <= 9
        {
            return Some(Action::Digit(n));
        }
        if let Some(n) = name.strip_prefix("section_")
            && let Ok(n) = n.parse::<u8>()
            && (1..=9).contains(&n)
        {
            return Some(Action::GotoSection(n));
        }
        NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a.clone())
    }

    /// The name a keymap uses for this action, if it can be bound.
    pub fn name(&self) -> Option<String> {
        if let Action::GotoSection(n) = self {
            return Some(format!("section_{n}"));
        }
        if let Action::TickPoint(n) = self {
            return Some(format!("tick_{n}"));
        }
        if let Action::Digit(n) = self {
            return Some(format!("digit_{n}"));
        }
        NAMED
            .iter()
            .find(|(_, a)| a == self)
            .map(|(n, _)| n.to_string())
    }

    /// Every bindable action name (for error messages).
    pub fn names() -> Vec<String> {
        let mut v: Vec<String> = NAMED.iter().map(|(n, _)| n.to_string()).collect();
        v.push("section_1 … section_9".into());
        v.push("tick_1 … tick_9".into());
        v.push("digit_0 … digit_9".into());
        v
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let s = String::deserialize(d)?;
        Action::from_name(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown action `{s}`; use one of: {}",
                Action::names().join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (n, a) in NAMED {
            assert_eq!(Action::from_name(n).as_ref(), Some(a));
            assert_eq!(a.name().as_deref(), Some(*n));
        }
        assert_eq!(Action::from_name("section_3"), Some(Action::GotoSection(3)));
        assert_eq!(Action::from_name("section_0"), None);
        assert_eq!(Action::from_name("fly"), None);
    }

    #[test]
    fn deserializes_by_snake_case_name() {
        let a: Action = ron::from_str("\"next_section\"").expect("parses");
        assert_eq!(a, Action::NextSection);
        let e = ron::from_str::<Action>("\"nope\"").unwrap_err().to_string();
        assert!(e.contains("unknown action `nope`"), "{e}");
    }
}
