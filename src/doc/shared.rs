//! Entry documents built once and shared: the browser, search and rounds ask for the same
//! entry's document many times per key (scroll bounds, item counts, hit-testing, drawing), and
//! an entry never changes while the app runs. The few most recent are kept.

use super::{Document, build};
use crate::content::Library;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many documents are kept (the entry on screen, and a few to go back to).
const KEEP: usize = 8;

/// A small cache of built documents, by entry index. Cloning shares it.
#[derive(Clone, Default)]
pub struct Documents {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    recent: VecDeque<(usize, Arc<Document>)>,
    builds: usize,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Documents({} built)", self.builds())
    }
}

impl Documents {
    /// The document of entry `entry` of `lib`, built now only if it is not kept.
    pub fn get(&self, lib: &Library, entry: usize) -> Arc<Document> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = inner.recent.iter().position(|(e, _)| *e == entry) {
            let hit = inner.recent.remove(i).expect("found");
            let doc = Arc::clone(&hit.1);
            inner.recent.push_front(hit);
            return doc;
        }
        let doc = Arc::new(build(lib, &lib.entries[entry]));
        inner.builds += 1;
        inner.recent.push_front((entry, Arc::clone(&doc)));
        inner.recent.truncate(KEEP);
        doc
    }

    /// How many documents have been built (for tests and measuring).
    pub fn builds(&self) -> usize {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).builds
    }
}
