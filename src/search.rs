//! Interim substring search; replaced by the fuzzy engine on the search-engine branch.

use crate::content::Library;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Trial,
    Topic,
    Finding,
    Question,
    Discrepancy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: HitKind,
    pub entry_id: String,
    pub item_id: Option<String>,
    pub score: i64,
    pub title: String,
}

pub struct SearchIndex;

impl SearchIndex {
    pub fn build(_lib: &Library) -> SearchIndex {
        SearchIndex
    }
    pub fn search(&self, lib: &Library, q: &str, limit: usize) -> Vec<Hit> {
        let q = q.to_lowercase();
        let mut out = Vec::new();
        for e in &lib.entries {
            if e.name.to_lowercase().contains(&q) {
                out.push(Hit {
                    kind: HitKind::Trial,
                    entry_id: e.id.clone(),
                    item_id: None,
                    score: 10,
                    title: e.name.clone(),
                });
            }
            for qq in &e.questions {
                if qq.prompt.to_lowercase().contains(&q) {
                    out.push(Hit {
                        kind: HitKind::Question,
                        entry_id: e.id.clone(),
                        item_id: Some(qq.id.clone()),
                        score: 1,
                        title: qq.prompt.clone(),
                    });
                }
            }
        }
        out.truncate(limit);
        out
    }
    pub fn highlight(&self, hit: &Hit, q: &str) -> (String, Vec<usize>) {
        let lower = hit.title.to_lowercase();
        let idx = lower
            .find(&q.to_lowercase())
            .map(|b| lower[..b].chars().count());
        (
            hit.title.clone(),
            idx.map(|i| (i..i + q.chars().count()).collect())
                .unwrap_or_default(),
        )
    }
}
