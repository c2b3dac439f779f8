//! What a library lists without decoding an entry: each pack's manifest and entry ids
//! ([`PackInfo`]), and each entry's row in the trial list ([`Row`]), which pack images store
//! as they are.

use super::model::{Entry, EntryKind, Manifest};
use super::text::Text;
use serde::Serialize;

/// A loaded pack's manifest and the ids of its entries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackInfo {
    #[serde(flatten)]
    pub manifest: Manifest,
    pub entries: Vec<Text>,
}

/// What the trial list shows of an entry, its sort and the header's counts: read for every
/// entry at start, without decoding any.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: Text,
    pub name: Text,
    /// The design card's phase, as written (`None` without a design card).
    pub phase: Option<Text>,
    pub year: Option<u32>,
    pub kind: EntryKind,
    pub ongoing: bool,
    /// For an ongoing trial, the year its source dates that status (`as_of`'s first four
    /// digits), if it names one: the list says "◷ 2014", never a bare "ongoing".
    pub as_of: Option<u16>,
    /// Questions the entry holds.
    pub questions: u32,
}

impl Row {
    /// The row of an entry.
    pub fn of(e: &Entry) -> Row {
        Row {
            id: e.id.clone(),
            name: e.name.clone(),
            phase: e.design.as_ref().map(|d| d.phase.clone()),
            year: e.year,
            kind: e.kind,
            ongoing: e.status.is_ongoing(),
            as_of: match &e.status {
                crate::content::Status::Ongoing { as_of, .. } => as_of
                    .get(..4)
                    .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|y| y.parse().ok()),
                _ => None,
            },
            questions: e.questions.len() as u32,
        }
    }
}
