//! An Anki deck package (`.apkg`): a zip holding `collection.anki2` — an SQLite database in
//! Anki's legacy 2.1 schema (version 11: tables `col`, `notes`, `cards`, `revlog`, `graves`)
//! — and a `media` file (`{}`: no media).
//!
//! The collection has one deck (named after the pack) and one note type, "trialdeck
//! question", with the fields Question, Key response, Key points, Trial, Role and Source and
//! one card: the question with its trial and role on the front; the key response, key points
//! and source on the back. Question comes first because Anki treats the first field as the
//! note's identity (its sort field, and the field its duplicate check compares).
//!
//! Re-importing an updated pack updates notes instead of duplicating them: a note's GUID is
//! derived from its content id (`<pack>/q/<question id>`), never from its text, and the note
//! type and deck have fixed ids. Each note carries the tags `role::<role>` and
//! `trial::<entry id>` (`topic::` for topics), then the question's own tags.
//! See docs/export-formats.md.

use super::{CardRow, RowKind, Selection, card_rows};
use crate::content::Library;
use rusqlite::{Connection, MAIN_DB, params};
use std::io::Write as _;

/// The note type's id. Fixed, so that every export's notes belong to the same note type.
pub const MODEL_ID: i64 = 1_735_000_000_001;
/// The note type's name as Anki shows it.
pub const MODEL_NAME: &str = "trialdeck question";
/// The note type's fields, in order.
pub const FIELDS: [&str; 6] = [
    "Question",
    "Key response",
    "Key points",
    "Trial",
    "Role",
    "Source",
];

#[derive(Debug, thiserror::Error)]
pub enum AnkiError {
    #[error("cannot build the collection: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot build the package: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the package: {0}")]
    Io(#[from] std::io::Error),
}

/// The deck's name: the pack's title, or "trialdeck" when several packs are loaded. Anki reads
/// `::` as a sub-deck, so it is kept out.
pub fn deck_name(lib: &Library) -> String {
    match lib.packs.as_slice() {
        [one] if !one.manifest.title.trim().is_empty() => {
            one.manifest.title.replace("::", ":").trim().to_string()
        }
        _ => "trialdeck".to_string(),
    }
}

/// The deck's id, derived from its name so that every export of a pack fills the same deck.
pub fn deck_id(name: &str) -> i64 {
    1_000_000_000_000 + (hash64(&format!("trialdeck deck {name}")) % 1_000_000_000_000) as i64
}

/// A note's GUID from its content id: 16 hex digits of a hash. The same id gives the same
/// GUID in every export, whatever the text says.
pub fn guid(content_id: &str) -> String {
    format!("{:016x}", hash64(&format!("trialdeck {content_id}")))
}

fn hash64(s: &str) -> u64 {
    let d = sha1(s.as_bytes());
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The package of a selection as bytes. `now_ms` is the export time (Unix milliseconds): it
/// stamps the collection and the notes (Anki updates a note on re-import when the incoming one
/// is newer) and seeds note and card ids.
pub fn build(
    lib: &Library,
    sel: &Selection,
    facts: bool,
    now_ms: i64,
) -> Result<Vec<u8>, AnkiError> {
    package(lib, &card_rows(lib, sel, facts), now_ms)
}

/// The package of these rows. The collection is built in memory and serialized from there:
/// no temporary file is written anywhere (earlier versions left world-readable ones in the
/// temporary directory when killed; those of this user are swept here, see
/// [`sweep_old_temps`]).
pub fn package(lib: &Library, rows: &[CardRow], now_ms: i64) -> Result<Vec<u8>, AnkiError> {
    sweep_old_temps(&std::env::temp_dir());
    let conn = Connection::open_in_memory()?;
    fill(&conn, lib, rows, now_ms)?;
    let collection = conn.serialize(MAIN_DB)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("collection.anki2", opts)?;
    zip.write_all(&collection)?;
    zip.start_file("media", opts)?;
    zip.write_all(b"{}")?;
    Ok(zip.finish()?.into_inner())
}

/// The process id in the name of a temporary collection of an earlier version
/// (`trialdeck-anki-<pid>-<nanos>-<n>.anki2`, and its `-journal`).
fn old_temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("trialdeck-anki-")?;
    let rest = rest
        .strip_suffix(".anki2")
        .or_else(|| rest.strip_suffix(".anki2-journal"))?;
    let mut parts = rest.split('-');
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (pid, nanos, n) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !digits(pid) || !digits(nanos) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

/// Remove this user's temporary collections that earlier versions left in `dir` (killed
/// mid-export); see [`crate::fsutil::sweep`]. Returns how many went.
pub fn sweep_old_temps(dir: &std::path::Path) -> usize {
    crate::fsutil::sweep(dir, std::time::SystemTime::now(), old_temp_pid)
}

const SCHEMA: &str = "
CREATE TABLE col (
    id integer primary key, crt integer not null, mod integer not null,
    scm integer not null, ver integer not null, dty integer not null,
    usn integer not null, ls integer not null, conf text not null,
    models text not null, decks text not null, dconf text not null, tags text not null
);
CREATE TABLE notes (
    id integer primary key, guid text not null, mid integer not null,
    mod integer not null, usn integer not null, tags text not null,
    flds text not null, sfld integer not null, csum integer not null,
    flags integer not null, data text not null
);
CREATE TABLE cards (
    id integer primary key, nid integer not null, did integer not null,
    ord integer not null, mod integer not null, usn integer not null,
    type integer not null, queue integer not null, due integer not null,
    ivl integer not null, factor integer not null, reps integer not null,
    lapses integer not null, left integer not null, odue integer not null,
    odid integer not null, flags integer not null, data text not null
);
CREATE TABLE revlog (
    id integer primary key, cid integer not null, usn integer not null,
    ease integer not null, ivl integer not null, lastIvl integer not null,
    factor integer not null, time integer not null, type integer not null
);
CREATE TABLE graves (
    usn integer not null, oid integer not null, type integer not null
);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
";

const QFMT: &str = "<div class=\"meta\">{{Trial}} · {{Role}}</div>\n\
<div class=\"question\">{{Question}}</div>";

const AFMT: &str = "{{FrontSide}}\n<hr id=\"answer\">\n\
<div class=\"response\">{{Key response}}</div>\n\
{{#Key points}}<div class=\"points\">{{Key points}}</div>{{/Key points}}\n\
{{#Source}}<div class=\"source\">Source: {{Source}}</div>{{/Source}}";

const CSS: &str = ".card { font-family: sans-serif; font-size: 20px; text-align: left; \
color: black; background-color: white; }\n\
.nightMode.card, .night_mode .card { color: #eee; background-color: #222; }\n\
.meta, .source { font-size: 14px; color: #777; }\n\
.question { margin-top: 0.5em; font-weight: bold; }\n\
.source { margin-top: 1em; }\n";

const LATEX_PRE: &str = "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\
\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\
\\setlength{\\parindent}{0in}\n\\begin{document}\n";

fn fill(conn: &Connection, lib: &Library, rows: &[CardRow], now_ms: i64) -> rusqlite::Result<()> {
    let now_s = now_ms / 1000;
    let deck = deck_name(lib);
    let did = deck_id(&deck);
    let json = |v: serde_json::Value| v.to_string();
    let flds: Vec<serde_json::Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            serde_json::json!({
                "name": name, "ord": i, "sticky": false, "rtl": false,
                "font": "Arial", "size": 20, "media": []
            })
        })
        .collect();
    let model = serde_json::json!({
        "id": MODEL_ID, "name": MODEL_NAME, "type": 0, "mod": now_s, "usn": -1,
        "sortf": 0, "did": did,
        "tmpls": [{
            "name": "Question", "ord": 0, "qfmt": QFMT, "afmt": AFMT,
            "bqfmt": "", "bafmt": "", "did": null, "bfont": "", "bsize": 0
        }],
        "flds": flds, "css": CSS, "latexPre": LATEX_PRE, "latexPost": "\\end{document}",
        "latexsvg": false, "req": [[0, "any", [0]]], "tags": [], "vers": []
    });
    let deck_json = |id: i64, name: &str, desc: &str| {
        serde_json::json!({
            "id": id, "name": name, "mod": now_s, "usn": -1,
            "lrnToday": [0, 0], "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0],
            "collapsed": false, "browserCollapsed": false, "desc": desc, "dyn": 0,
            "conf": 1, "extendNew": 0, "extendRev": 0
        })
    };
    let mut decks = serde_json::Map::new();
    decks.insert("1".into(), deck_json(1, "Default", ""));
    decks.insert(
        did.to_string(),
        deck_json(
            did,
            &deck,
            "Questions and key responses exported by trialdeck.",
        ),
    );
    let dconf = serde_json::json!({"1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"delays": [1.0, 10.0], "ints": [1, 4, 0], "initialFactor": 2500,
                "order": 1, "perDay": 20, "bury": false},
        "rev": {"perDay": 200, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500,
                "hardFactor": 1.2, "bury": false},
        "lapse": {"delays": [10.0], "mult": 0.0, "minInt": 1, "leechFails": 8,
                  "leechAction": 1}
    }});
    let conf = serde_json::json!({
        "nextPos": rows.len() + 1, "estTimes": true, "activeDecks": [did], "sortType": "noteFld",
        "timeLim": 0, "sortBackwards": false, "addToCur": true, "curDeck": did,
        "newSpread": 0, "dueCounts": true, "curModel": MODEL_ID, "collapseTime": 1200
    });
    let mut models = serde_json::Map::new();
    models.insert(MODEL_ID.to_string(), model);

    conn.execute_batch(SCHEMA)?;
    conn.execute_batch("BEGIN")?;
    conn.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            now_s,
            now_ms,
            json(conf),
            json(serde_json::Value::Object(models)),
            json(serde_json::Value::Object(decks)),
            json(dconf),
        ],
    )?;
    {
        let mut note =
            conn.prepare("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')")?;
        let mut card = conn.prepare(
            "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')",
        )?;
        for (i, r) in rows.iter().enumerate() {
            let fields = note_fields(r);
            let first = strip_html(&fields[0]);
            let id = now_ms + i as i64;
            note.execute(params![
                id,
                guid(&r.id),
                MODEL_ID,
                now_s,
                format!(" {} ", r.tags.join(" ")),
                fields.join("\x1f"),
                first,
                checksum(&first),
            ])?;
            card.execute(params![id, id, did, now_s, i as i64 + 1])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}

/// A row's fields as HTML, in [`FIELDS`] order.
pub fn note_fields(r: &CardRow) -> [String; 6] {
    let points = if r.key_points.is_empty() {
        String::new()
    } else {
        let items: String = r
            .key_points
            .iter()
            .map(|p| format!("<li>{}</li>", html(p)))
            .collect();
        format!("<ul>{items}</ul>")
    };
    let role = match r.kind {
        RowKind::Question => r.role.label().to_string(),
        RowKind::Fact => format!("{} · fact", r.role.label()),
    };
    [
        html(&r.question),
        html(&r.key_response),
        points,
        html(&r.trial),
        html(&role),
        html(&r.source),
    ]
}

/// Text as HTML: `&`, `<`, `>` and `"` escaped, line breaks as `<br>`.
pub fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

/// A field's text as Anki compares it: tags removed, entities decoded.
pub fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Anki's field checksum: the first 8 hex digits of the SHA-1 of the text, as an integer.
pub fn checksum(text: &str) -> i64 {
    let d = sha1(text.as_bytes());
    i64::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
}

/// SHA-1 (FIPS 180-4). Used for Anki's field checksum and for stable ids, not for security.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_temporary_collections_are_recognised_by_their_whole_name() {
        assert_eq!(old_temp_pid("trialdeck-anki-42-123-0.anki2"), Some(42));
        assert_eq!(
            old_temp_pid("trialdeck-anki-42-123-0.anki2-journal"),
            Some(42)
        );
        assert_eq!(old_temp_pid("trialdeck-anki-42-123.anki2"), None);
        assert_eq!(old_temp_pid("trialdeck-anki-42-123-0-1.anki2"), None);
        assert_eq!(old_temp_pid("trialdeck-anki-x-123-0.anki2"), None);
        assert_eq!(old_temp_pid("my-deck.anki2"), None);
    }

    fn hex(d: [u8; 20]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_matches_the_standard_test_vectors() {
        assert_eq!(hex(sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(sha1(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million_a = vec![b'a'; 1_000_000];
        assert_eq!(
            hex(sha1(&million_a)),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn checksum_is_the_first_32_bits_of_sha1() {
        // sha1("abc") = a9993e36…
        assert_eq!(checksum("abc"), 0xa999_3e36);
    }

    #[test]
    fn html_round_trips_through_strip_html() {
        let text = "p < 0.001 & HR > 0.5 \"quoted\"\nsecond line";
        assert_eq!(
            html(text),
            "p &lt; 0.001 &amp; HR &gt; 0.5 &quot;quoted&quot;<br>second line"
        );
        assert_eq!(
            strip_html(&html(text)),
            "p < 0.001 & HR > 0.5 \"quoted\"second line"
        );
        assert_eq!(strip_html("<b>bold</b> &amp;lt;"), "bold &lt;");
    }

    #[test]
    fn guids_depend_on_the_content_id_only() {
        assert_eq!(guid("pack/q/a"), guid("pack/q/a"));
        assert_ne!(guid("pack/q/a"), guid("pack/q/b"));
        assert_eq!(guid("pack/q/a").len(), 16);
    }
}
