//! Every user intent, named. Keys and mouse events map to these; `App::update` applies them.

use crate::content::Role;

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
    /// `Space`: reveal or hide the selected key response.
    Reveal,
    /// Cycle the role filter of the discussion forward.
    NextRole,
    /// Clear the role filter.
    ClearRole,
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
}
