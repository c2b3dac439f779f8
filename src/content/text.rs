//! [`Text`]: an immutable string of pack content, stored with its neighbours.
//!
//! A pack holds about a hundred strings per trial, most of them short (ids, labels, units,
//! locators). Held as `String`s, each is its own heap allocation with a 24-byte header: at
//! 10,000 trials that is 1.1 million allocations, and the allocator's overhead and the
//! headers (~70 MB) weigh half as much as the text itself (136 MB). A `Text` is 16 bytes
//! and points into a shared block: strings deserialized inside [`arena`] are appended to
//! blocks of about [`BLOCK_BYTES`], so a pack costs its text plus one small handle per
//! string. A `Text` made anywhere else (a literal, a sanitized copy) has a block of its own.
//!
//! A `Text` reads like a `&str` (it derefs to one) and compares, hashes and serializes as
//! its contents.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// Bytes of text an arena gathers before it starts a new block.
pub const BLOCK_BYTES: usize = 1 << 20;

/// A block of text. Its contents are set once, when its arena seals it; no `Text` into it
/// is handed out of [`arena`] before that.
struct Block(OnceLock<Box<str>>);

/// An immutable string of pack content (see the module docs).
#[derive(Clone)]
pub struct Text {
    block: Arc<Block>,
    start: u32,
    len: u32,
}

/// The blocks being filled on this thread, innermost [`arena`] last.
struct Builder {
    block: Arc<Block>,
    buf: String,
    /// Blocks already filled, sealed when the arena ends.
    full: Vec<(Arc<Block>, String)>,
    /// Short texts already in the current block, by hash: a pack repeats its ids, units,
    /// arm labels, sources and locators, and each is stored once per block.
    short: HashMap<u64, (u32, u32), BuildHasherDefault<Prehashed>>,
}

/// Texts up to this many bytes are stored once per block.
const SHORT_BYTES: usize = 64;

/// A short text's hash, from its length and its first and last eight bytes (a collision
/// only costs a lookup: the text is compared before it is shared).
fn short_hash(s: &str) -> u64 {
    let b = s.as_bytes();
    let word = |at: usize| {
        let mut w = [0u8; 8];
        let part = &b[at..b.len().min(at + 8)];
        w[..part.len()].copy_from_slice(part);
        u64::from_le_bytes(w)
    };
    let (head, tail) = (word(0), word(b.len().saturating_sub(8)));
    (head ^ tail.rotate_left(29) ^ (b.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_mul(0xff51_afd7_ed55_8ccd)
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

thread_local! {
    static ARENAS: RefCell<Vec<Builder>> = const { RefCell::new(Vec::new()) };
}

fn new_block() -> Arc<Block> {
    Arc::new(Block(OnceLock::new()))
}

fn seal(block: &Block, buf: String) {
    // A fresh block is set exactly once; a second set cannot happen.
    let _ = block.0.set(buf.into_boxed_str());
}

/// Run `f` (a deserialization) with an arena on this thread: every `Text` it creates is
/// appended to shared blocks, sealed when `f` returns. Nested arenas are separate.
pub fn arena<R>(f: impl FnOnce() -> R) -> R {
    arena_sized(0, f)
}

/// [`arena`] for decoding about `bytes` of input: the text it holds is at most that, so its
/// first block is allocated once at that size (up to [`BLOCK_BYTES`]) instead of growing.
pub fn arena_sized<R>(bytes: usize, f: impl FnOnce() -> R) -> R {
    ARENAS.with(|a| {
        a.borrow_mut().push(Builder {
            block: new_block(),
            buf: String::with_capacity(bytes.min(BLOCK_BYTES)),
            full: Vec::new(),
            short: HashMap::default(),
        })
    });
    // Seal on the way out, even when `f` panics, so no block is left unset.
    struct Seal;
    impl Drop for Seal {
        fn drop(&mut self) {
            let b = ARENAS.with(|a| a.borrow_mut().pop());
            if let Some(b) = b {
                for (block, buf) in b.full {
                    seal(&block, buf);
                }
                seal(&b.block, b.buf);
            }
        }
    }
    let _seal = Seal;
    f()
}

impl Text {
    /// A text with a block of its own.
    pub fn new(s: &str) -> Text {
        Text::owned(Box::from(s))
    }

    fn owned(s: Box<str>) -> Text {
        let len = u32::try_from(s.len()).expect("a pack text under 4 GiB");
        let block = new_block();
        seal(&block, s.into());
        Text {
            block,
            start: 0,
            len,
        }
    }

    /// A text in this thread's innermost arena, or of its own outside any.
    fn intern(s: &str) -> Text {
        if s.len() > BLOCK_BYTES / 4 {
            return Text::new(s);
        }
        ARENAS.with(|a| {
            let mut a = a.borrow_mut();
            let Some(b) = a.last_mut() else {
                return Text::new(s);
            };
            let hash = (s.len() <= SHORT_BYTES).then(|| short_hash(s));
            if let Some(&(start, len)) = hash.and_then(|h| b.short.get(&h))
                && b.buf.get(start as usize..(start + len) as usize) == Some(s)
            {
                return Text {
                    block: Arc::clone(&b.block),
                    start,
                    len,
                };
            }
            if b.buf.len() + s.len() > BLOCK_BYTES {
                let buf = std::mem::replace(&mut b.buf, String::with_capacity(BLOCK_BYTES));
                let block = std::mem::replace(&mut b.block, new_block());
                b.full.push((block, buf));
                b.short.clear();
            }
            let start = b.buf.len();
            b.buf.push_str(s);
            if let Some(h) = hash {
                b.short.insert(h, (start as u32, s.len() as u32));
            }
            Text {
                block: Arc::clone(&b.block),
                start: start as u32,
                len: s.len() as u32,
            }
        })
    }

    pub fn as_str(&self) -> &str {
        match self.block.0.get() {
            Some(s) => &s[self.start as usize..(self.start + self.len) as usize],
            // Only reachable inside the arena that is filling the block (deserialization
            // never reads what it made); nothing outside ever sees an unsealed block.
            None => "",
        }
    }
}

/// A block of text that [`Text`]s are cut from by position (the list rows of a pack image:
/// one allocation for all of them).
pub struct Shared(Arc<Block>);

impl Shared {
    pub fn new(s: &str) -> Shared {
        let block = new_block();
        seal(&block, s.to_string());
        Shared(block)
    }

    /// The text at `start..start + len`, if that is within the block and on char boundaries.
    pub fn text(&self, start: u32, len: u32) -> Option<Text> {
        let s = self.0.0.get()?;
        let end = start.checked_add(len)?;
        s.get(start as usize..end as usize)?;
        Some(Text {
            block: Arc::clone(&self.0),
            start,
            len,
        })
    }
}

impl Default for Text {
    fn default() -> Text {
        static EMPTY: OnceLock<Text> = OnceLock::new();
        EMPTY.get_or_init(|| Text::new("")).clone()
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::owned(s.into_boxed_str())
    }
}

impl From<&Text> for String {
    fn from(t: &Text) -> String {
        t.as_str().to_string()
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_string()
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Text, E> {
                Ok(Text::intern(s))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_from_an_arena_share_blocks_and_read_back() {
        let words: Vec<String> = (0..5000).map(|i| format!("word {i} ")).collect();
        let texts: Vec<Text> = arena(|| {
            words
                .iter()
                .map(|w| serde_json::from_str(&serde_json::to_string(w).unwrap()).unwrap())
                .collect()
        });
        for (t, w) in texts.iter().zip(&words) {
            assert_eq!(t, w);
        }
        let blocks: std::collections::HashSet<*const Block> =
            texts.iter().map(|t| Arc::as_ptr(&t.block)).collect();
        assert_eq!(blocks.len(), 1, "one block for 40 KB of text");
        assert_eq!(std::mem::size_of::<Text>(), 16);
        assert_eq!(std::mem::size_of::<Option<Text>>(), 16);
    }

    #[test]
    fn a_full_block_starts_another_and_both_are_sealed() {
        let big = "x".repeat(BLOCK_BYTES / 5);
        let texts: Vec<Text> = arena(|| (0..12).map(|_| Text::intern(&big)).collect());
        let blocks: std::collections::HashSet<*const Block> =
            texts.iter().map(|t| Arc::as_ptr(&t.block)).collect();
        assert!(blocks.len() >= 3, "{} blocks", blocks.len());
        assert!(texts.iter().all(|t| *t == *big));
    }

    #[test]
    fn outside_an_arena_and_after_a_panic_texts_stand_alone() {
        let a = Text::intern("alone");
        assert_eq!(a, "alone");
        let caught = std::panic::catch_unwind(|| {
            arena(|| {
                let _t = Text::intern("inside");
                panic!("a parse that fails");
            })
        });
        assert!(caught.is_err());
        // The failed arena is gone: a new text is its own again.
        let b = Text::intern("after");
        assert_eq!(b, "after");
        assert_eq!(Arc::strong_count(&b.block), 1);
    }

    #[test]
    fn nested_arenas_seal_separately() {
        let (outer, inner) = arena(|| {
            let o = Text::intern("outer");
            let i = arena(|| Text::intern("inner"));
            assert_eq!(i, "inner", "the inner arena is sealed when it returns");
            (o, i)
        });
        assert_eq!(outer, "outer");
        assert_eq!(inner, "inner");
        assert!(!Arc::ptr_eq(&outer.block, &inner.block));
    }

    #[test]
    fn short_texts_repeated_in_a_block_are_stored_once() {
        let (a, b, c, long1, long2) = arena(|| {
            let long = "a long sentence that is well over the short limit, stored each time";
            (
                Text::intern("months"),
                Text::intern("months"),
                Text::intern("weeks"),
                Text::intern(long),
                Text::intern(long),
            )
        });
        assert_eq!((a.start, a.len), (b.start, b.len), "one copy");
        assert_ne!(a.start, c.start);
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("months", "months", "weeks")
        );
        assert_ne!(long1.start, long2.start, "long text is not looked up");
        assert_eq!(long1, long2);
        assert_eq!(
            a.block.0.get().map(|s| s.len()),
            Some(6 + 5 + 2 * long1.len())
        );
    }

    #[test]
    fn compares_hashes_and_orders_as_its_text() {
        let a = Text::from("abc");
        let b: Text = arena(|| Text::intern("abc"));
        assert_eq!(a, b);
        assert!(Text::from("abd").cmp(&a).is_gt());
        let mut m = std::collections::HashMap::new();
        m.insert(a, 1);
        assert_eq!(m.get("abc"), Some(&1));
        assert_eq!(Text::default(), "");
        assert_eq!(format!("{b} {b:?}"), "abc \"abc\"");
    }
}
