//! Exports: JSON round trip, the Markdown handout, CSV (read back with the `csv` crate and
//! Python's csv module), the Anki package (read back with `zip` + `rusqlite` and with Python's
//! zipfile + sqlite3), and what a failed export leaves behind.

mod common;
use common::{bundled_library as bundled, mini_dir, trialdeck};

use serde_json::Value;
use std::path::{Path, PathBuf};
use trialdeck::content::{Entry, Library, Manifest, PackSource, Role};
use trialdeck::export::{self, Selection, anki, csv as csv_export, markdown};

fn load(dir: &Path) -> Library {
    trialdeck::pack::load(&[PackSource::Dir(dir.to_path_buf())])
        .unwrap_or_else(|r| panic!("pack does not load:\n{}", r.render()))
        .library
}

/// A key response that CSV and Markdown must both survive: quotes, commas, newlines, HTML
/// and a table pipe.
const TRICKY: &str = r#"He said \"stop, now\", then left.\nSecond line, with <b>tags</b> & a | pipe.\n\nThird, after a blank line. "#;

/// A copy of the mini pack whose first key response starts with [`TRICKY`].
fn tricky_pack() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mini");
    std::fs::create_dir(&dir).unwrap();
    for f in std::fs::read_dir(mini_dir()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    let alpha = dir.join("alpha.ron");
    let text = std::fs::read_to_string(&alpha).unwrap();
    let marker = "key_response: \"ALPHA is an invented";
    assert!(
        text.contains(marker),
        "the mini pack changed: update the test"
    );
    let text = text.replacen(
        marker,
        &format!("key_response: \"{TRICKY}ALPHA is an invented"),
        1,
    );
    std::fs::write(&alpha, text).unwrap();
    (tmp, dir)
}

fn python3() -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("notice: python3 not found; skipping the independent Python reader");
    }
    ok.then_some("python3")
}

/// Run an inline Python script with arguments; its stdout parsed as JSON.
fn python_json(py: &str, script: &str, args: &[&Path]) -> Value {
    let out = std::process::Command::new(py)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python printed JSON")
}

// ---- JSON -----------------------------------------------------------------------------------

#[test]
fn json_export_parses_back_into_the_same_packs_and_entries() {
    for lib in [load(&mini_dir()), bundled()] {
        let v: Value = serde_json::from_str(&export::to_json(&lib)).unwrap();
        let packs = v["packs"].as_array().unwrap();
        assert_eq!(packs.len(), lib.packs.len());
        for (p, info) in packs.iter().zip(&lib.packs) {
            let mut p = p.clone();
            let ids = p.as_object_mut().unwrap().remove("entries").unwrap();
            let ids: Vec<String> = serde_json::from_value(ids).unwrap();
            assert_eq!(ids, info.entries);
            let m: Manifest = serde_json::from_value(p).expect("manifest parses back");
            assert_eq!(m, info.manifest);
        }
        let entries: Vec<Entry> = serde_json::from_value(v["entries"].clone()).unwrap();
        // Equal as JSON: JSON numbers do not keep a figure's trailing zeros (0.80 is 0.8), so
        // the model's written precision is compared where it is kept (tests/pack_cache.rs).
        assert!(
            as_json(&entries) == as_json(&lib.entries),
            "entries do not round-trip"
        );
        assert_eq!(entries.len(), lib.entries.len());
    }
}

/// A value as JSON.
fn as_json(x: &impl serde::Serialize) -> Value {
    serde_json::to_value(x).expect("serializes")
}

#[test]
fn json_export_with_everything_selected_is_the_whole_export() {
    let lib = bundled();
    assert_eq!(
        export::to_json_selected(&lib, &Selection::all(&lib)),
        export::to_json(&lib)
    );
}

#[test]
fn json_export_keeps_only_the_chosen_trials_and_roles() {
    let out = trialdeck()
        .args(["export", "--trial", "EMILIA", "--trial", "th3resa"])
        .args(["--role", "resident", "--role", "Guideline Committee"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries: Vec<Entry> = serde_json::from_value(v["entries"].clone()).unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["emilia", "th3resa"]);
    let lib = bundled();
    for e in &entries {
        let full = lib.entry(&e.id).unwrap();
        let want: Vec<&str> = full
            .questions
            .iter()
            .filter(|q| matches!(q.role, Role::Resident | Role::GuidelineCommittee))
            .map(|q| q.id.as_str())
            .collect();
        let got: Vec<&str> = e.questions.iter().map(|q| q.id.as_str()).collect();
        assert!(!want.is_empty());
        assert_eq!(got, want, "{}", e.id);
        assert_eq!(as_json(&e.findings), as_json(&full.findings));
    }
    assert_eq!(
        v["packs"][0]["entries"],
        serde_json::json!(["emilia", "th3resa"])
    );
}

// ---- Markdown -------------------------------------------------------------------------------

fn md_text(s: &str) -> String {
    markdown::esc(&s.replace('\u{a0}', " "))
}

#[test]
fn markdown_has_every_question_of_the_chosen_roles_and_only_those() {
    let lib = bundled();
    let emilia = lib.entry("emilia").unwrap();
    let roles = [Role::Resident, Role::Fellow];
    let md = markdown::render(&lib, &Selection::new(&lib, &["emilia"], &roles));
    assert!(md.starts_with("# EMILIA — "));
    let mut kept = 0;
    for q in &emilia.questions {
        let present = md.contains(&md_text(&q.prompt));
        if roles.contains(&q.role) {
            kept += 1;
            assert!(present, "missing {}", q.id);
            assert!(
                md.contains(&md_text(&q.key_response)),
                "response of {}",
                q.id
            );
            for k in &q.key_points {
                assert!(md.contains(&format!("- {}", md_text(k))), "{}: {k}", q.id);
            }
        } else {
            assert!(!present, "{} is not of a chosen role", q.id);
        }
    }
    assert!(kept >= 2);
    assert_eq!(
        md.matches("<details><summary>Key response</summary>")
            .count(),
        kept
    );
    assert_eq!(md.matches("</details>").count(), kept);
    assert!(md.contains("### Resident") && md.contains("### Fellow"));
    assert!(!md.contains("### Attending"));
}

#[test]
fn markdown_handout_of_the_whole_pack_has_every_entry_and_question() {
    let lib = bundled();
    let md = markdown::render(&lib, &Selection::all(&lib));
    assert!(md.starts_with(&format!("# {}", md_text(&lib.packs[0].manifest.title))));
    for e in &lib.entries {
        assert!(
            md.contains(&format!("## {} — {}", md_text(&e.name), md_text(&e.title))),
            "{}",
            e.id
        );
        for q in &e.questions {
            assert!(md.contains(&md_text(&q.prompt)), "{}", q.id);
        }
    }
    assert_eq!(
        md.matches("<details><summary>Key response</summary>")
            .count(),
        lib.question_count()
    );
}

#[test]
fn markdown_has_every_headline_number_and_the_design_card() {
    for lib in [load(&mini_dir()), bundled()] {
        for e in &lib.entries {
            let md = markdown::render(&lib, &Selection::new(&lib, &[e.id.as_str()], &[]));
            for f in e.headlines() {
                let line = md_text(&trialdeck::doc::headline(e, f));
                assert!(md.contains(&format!("- {line}")), "{}: {line}", e.id);
            }
            if let Some(d) = &e.design {
                let design = md_text(&trialdeck::format::design(d));
                assert!(
                    md.contains(&format!("| **Design** | {design} |")),
                    "{design}"
                );
                if let Some(n) = d.sample_size {
                    let sample = trialdeck::format::patients(n);
                    assert!(md.contains(&format!("| **Sample** | {sample} |")));
                }
            }
            for f in &e.findings {
                assert!(
                    md.contains(&format!("| {} |", md_text(&f.endpoint))),
                    "{}",
                    f.id
                );
            }
        }
    }
    // The mini pack has a headline result; its numbers are all there.
    let lib = load(&mini_dir());
    let md = markdown::render(&lib, &Selection::new(&lib, &["alpha"], &[]));
    assert!(md.contains("## Key results"));
    let alpha = lib.entry("alpha").unwrap();
    let pfs = alpha
        .headlines()
        .next()
        .expect("alpha has a headline finding");
    // As written: 9.0 (8.0–10.0), not 9 (8–10).
    for v in &pfs.values {
        let x = trialdeck::format::arm_value(v).replace('\u{a0}', " ");
        assert!(md.contains(&x), "{x}");
    }
    let eff = pfs.effect.as_ref().unwrap();
    let (lo, hi) = eff.ci.unwrap();
    for x in [eff.estimate, lo, hi] {
        assert!(md.contains(&trialdeck::format::figure(x)), "{x}");
    }
}

#[test]
fn markdown_escapes_pack_text() {
    let (_tmp, dir) = tricky_pack();
    let lib = load(&dir);
    let md = markdown::render(&lib, &Selection::all(&lib));
    // Pack HTML reaches the handout as text: a `<` that could open a tag is escaped; a `&`
    // that starts no entity and a `|` read as written.
    assert!(md.contains("\\<b>tags\\</b> & a \\| pipe"), "{md}");
    // Never an HTML entity: the handout reads as plain text too.
    assert!(!md.contains("&lt;") && !md.contains("&amp;"), "{md}");
    // The only raw HTML is ours: every unescaped `<` that could open a tag is ours.
    let tags: Vec<&str> = md
        .match_indices('<')
        .filter(|&(i, _)| !md[..i].ends_with('\\'))
        .filter(|&(i, _)| {
            md[i + 1..]
                .starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
        })
        .map(|(i, _)| md[i..].split('>').next().unwrap())
        .collect();
    assert!(
        tags.iter()
            .all(|t| ["<details", "<summary", "</summary", "</details"].contains(t)),
        "{tags:?}"
    );
}

// ---- CSV ------------------------------------------------------------------------------------

fn csv_records(text: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV"))
        .collect()
}

#[test]
fn csv_has_a_header_and_one_row_per_question() {
    let lib = bundled();
    let text = csv_export::render(&lib, &Selection::all(&lib), false);
    assert!(text.starts_with("question,key_response,key_points,role,trial,tags,source\r\n"));
    assert!(text.ends_with("\r\n"));
    let recs = csv_records(&text);
    assert_eq!(recs.len(), lib.question_count() + 1);
    let mut rows = recs[1..].iter();
    for e in &lib.entries {
        let mut qs: Vec<_> = e.questions.iter().collect();
        qs.sort_by_key(|q| q.role);
        for q in qs {
            let r = rows.next().unwrap();
            assert_eq!(&r[0], q.prompt);
            assert_eq!(&r[1], q.key_response);
            assert_eq!(&r[2], q.key_points.join("\n"));
            assert_eq!(&r[3], q.role.label());
            assert_eq!(&r[4], e.name);
            let tags: Vec<&str> = r[5].split(' ').collect();
            assert!(tags.contains(&format!("role::{}", q.role.slug()).as_str()));
            assert!(
                tags.iter()
                    .any(|t| *t == format!("trial::{}", e.id) || *t == format!("topic::{}", e.id))
            );
            assert!(tags.iter().all(|t| !t.is_empty()));
        }
    }
}

#[test]
fn csv_source_is_the_citations_the_question_relies_on() {
    let lib = load(&mini_dir());
    let rows = export::card_rows(&lib, &Selection::all(&lib), false);
    let alpha = lib.entry("alpha").unwrap();
    for (row, q) in rows.iter().zip(&alpha.questions) {
        assert!(!row.source.is_empty(), "{}", q.id);
        for fid in &q.findings {
            let f = alpha.finding(fid).unwrap();
            assert!(
                row.source.contains(&trialdeck::doc::cites(&lib, &f.cite)),
                "{}: {}",
                q.id,
                row.source
            );
        }
    }
}

#[test]
fn csv_key_response_with_quotes_commas_and_newlines_survives_a_round_trip() {
    let (tmp, dir) = tricky_pack();
    let lib = load(&dir);
    let alpha = lib.entry("alpha").unwrap();
    let q = alpha
        .questions
        .iter()
        .find(|q| q.key_response.starts_with("He said"))
        .unwrap();
    assert!(q.key_response.contains("\"stop, now\"") && q.key_response.contains('\n'));
    let text = csv_export::render(&lib, &Selection::all(&lib), false);
    assert!(text.contains("\"He said \"\"stop, now\"\", then left.\n"));
    let recs = csv_records(&text);
    assert_eq!(recs.len(), lib.question_count() + 1);
    assert!(recs[1..].iter().any(|r| r[1] == q.key_response));
    let Some(py) = python3() else { return };
    let path = tmp.path().join("cards.csv");
    std::fs::write(&path, &text).unwrap();
    let rows = python_json(
        py,
        "import csv, json, sys\n\
         with open(sys.argv[1], newline='', encoding='utf-8') as f:\n\
         \x20   print(json.dumps(list(csv.reader(f))))",
        &[&path],
    );
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), lib.question_count() + 1);
    assert_eq!(
        rows[0],
        serde_json::json!(csv_export::HEADER),
        "python reads the header"
    );
    assert!(
        rows[1..]
            .iter()
            .any(|r| r[1] == serde_json::json!(q.key_response)),
        "python reads the tricky key response back unchanged"
    );
    for r in &rows[1..] {
        assert_eq!(r.as_array().unwrap().len(), 7);
    }
}

// ---- Anki -----------------------------------------------------------------------------------

struct Apkg {
    names: Vec<String>,
    media: String,
    fields: Vec<String>,
    sortf: i64,
    /// (guid, tags, fields, sfld, csum)
    notes: Vec<(String, String, Vec<String>, String, i64)>,
    cards: i64,
    decks: usize,
    tables: Vec<String>,
}

/// Read a package with `zip` and `rusqlite`.
fn read_apkg(bytes: &[u8]) -> Apkg {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let names: Vec<String> = z
        .file_names()
        .map(|n| n.expect("a readable name").into_owned())
        .collect();
    let mut media = String::new();
    std::io::Read::read_to_string(&mut z.by_name("media").unwrap(), &mut media).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("collection.anki2");
    let mut out = std::fs::File::create(&db).unwrap();
    std::io::copy(&mut z.by_name("collection.anki2").unwrap(), &mut out).unwrap();
    drop(out);
    let c = rusqlite::Connection::open(&db).unwrap();
    let (models, decks): (String, String) = c
        .query_row("SELECT models, decks FROM col", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let models: Value = serde_json::from_str(&models).unwrap();
    let models = models.as_object().unwrap();
    assert_eq!(models.len(), 1, "one note type");
    let model = models.values().next().unwrap();
    let fields = model["flds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    let decks: Value = serde_json::from_str(&decks).unwrap();
    let mut st = c
        .prepare("SELECT guid, tags, flds, sfld, csum FROM notes ORDER BY id")
        .unwrap();
    let notes = st
        .query_map([], |r| {
            let flds: String = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                flds.split('\x1f').map(String::from).collect(),
                r.get(3)?,
                r.get(4)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let tables = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    Apkg {
        names,
        media,
        fields,
        sortf: model["sortf"].as_i64().unwrap(),
        notes,
        cards: c
            .query_row("SELECT count(*) FROM cards", [], |r| r.get(0))
            .unwrap(),
        // The Default deck plus ours.
        decks: decks.as_object().unwrap().len(),
        tables,
    }
}

#[test]
fn anki_package_holds_one_note_per_question_with_fields_tags_and_checksums() {
    let lib = bundled();
    let bytes = anki::build(&lib, &Selection::all(&lib), false, 1_700_000_000_000).unwrap();
    let p = read_apkg(&bytes);
    let mut names = p.names.clone();
    names.sort();
    assert_eq!(names, ["collection.anki2", "media"]);
    assert_eq!(p.media, "{}");
    assert_eq!(p.tables, ["cards", "col", "graves", "notes", "revlog"]);
    assert_eq!(
        p.fields,
        [
            "Question",
            "Key response",
            "Key points",
            "Trial",
            "Role",
            "Source"
        ]
    );
    assert_eq!(p.sortf, 0);
    assert_eq!(p.decks, 2);
    assert_eq!(p.notes.len(), lib.question_count());
    assert_eq!(p.cards, lib.question_count() as i64);
    let rows = export::card_rows(&lib, &Selection::all(&lib), false);
    for ((guid, tags, flds, sfld, csum), row) in p.notes.iter().zip(&rows) {
        assert_eq!(guid, &anki::guid(&row.id));
        assert_eq!(flds.len(), 6);
        assert_eq!(flds[0], anki::html(&row.question));
        assert_eq!(flds[3], anki::html(&row.trial));
        assert_eq!(sfld, &row.question);
        assert_eq!(*csum, anki::checksum(&row.question));
        assert!(tags.starts_with(' ') && tags.ends_with(' '));
        let tags: Vec<&str> = tags.split_whitespace().collect();
        assert!(tags.contains(&format!("role::{}", row.role.slug()).as_str()));
        assert!(
            tags.contains(&format!("trial::{}", row.entry_id).as_str())
                || tags.contains(&format!("topic::{}", row.entry_id).as_str())
        );
    }
    let guids: std::collections::HashSet<&String> = p.notes.iter().map(|n| &n.0).collect();
    assert_eq!(guids.len(), p.notes.len(), "GUIDs are unique");
}

#[test]
fn anki_guids_stay_the_same_when_the_text_changes() {
    let plain = load(&mini_dir());
    let (_tmp, dir) = tricky_pack();
    let changed = load(&dir);
    let a = read_apkg(&anki::build(&plain, &Selection::all(&plain), false, 1).unwrap());
    let b = read_apkg(&anki::build(&changed, &Selection::all(&changed), false, 99_000).unwrap());
    let guids = |p: &Apkg| p.notes.iter().map(|n| n.0.clone()).collect::<Vec<_>>();
    assert_eq!(guids(&a), guids(&b));
    assert_ne!(
        a.notes[0].2[1], b.notes[0].2[1],
        "the key response did change"
    );
    assert!(b.notes[0].2[1].contains("&lt;b&gt;tags&lt;/b&gt; &amp; a | pipe.<br>"));
}

#[test]
fn anki_facts_add_fact_notes_and_roles_filter_them() {
    let lib = load(&mini_dir());
    let plain = read_apkg(&anki::build(&lib, &Selection::all(&lib), false, 1).unwrap());
    let facts = read_apkg(&anki::build(&lib, &Selection::all(&lib), true, 1).unwrap());
    assert!(facts.notes.len() > plain.notes.len());
    let fact_notes: Vec<_> = facts
        .notes
        .iter()
        .filter(|n| n.1.split_whitespace().any(|t| t == "fact"))
        .collect();
    assert_eq!(fact_notes.len(), facts.notes.len() - plain.notes.len());
    for n in &fact_notes {
        assert!(
            !n.2[0].is_empty() && !n.2[1].is_empty(),
            "fact card has a prompt and answer"
        );
    }
    // Fellows get effect cards; only those remain when asking for fellow questions.
    let fellow = read_apkg(
        &anki::build(&lib, &Selection::new(&lib, &[], &[Role::Fellow]), true, 1).unwrap(),
    );
    assert!(!fellow.notes.is_empty());
    assert!(
        fellow
            .notes
            .iter()
            .all(|n| n.1.split_whitespace().any(|t| t == "role::fellow"))
    );
}

const PY_APKG: &str = r#"
import hashlib, json, os, sqlite3, sys, tempfile, zipfile
out = []
for path in sys.argv[1:]:
    z = zipfile.ZipFile(path)
    d = tempfile.mkdtemp()
    z.extract("collection.anki2", d)
    c = sqlite3.connect(os.path.join(d, "collection.anki2"))
    models = json.loads(c.execute("select models from col").fetchone()[0])
    fields = [[f["name"] for f in m["flds"]] for m in models.values()]
    notes = []
    for guid, tags, flds, sfld, csum in c.execute("select guid, tags, flds, sfld, csum from notes order by id"):
        ok = int(hashlib.sha1(str(sfld).encode("utf-8")).hexdigest()[:8], 16) == csum
        notes.append({"guid": guid, "tags": tags.split(), "fields": flds.split("\x1f"), "csum_ok": ok})
    cards = c.execute("select count(*) from cards").fetchone()[0]
    ver = c.execute("select ver from col").fetchone()[0]
    c.close()
    out.append({"names": sorted(z.namelist()), "media": z.read("media").decode(),
                "fields": fields, "notes": notes, "cards": cards, "ver": ver})
print(json.dumps(out))
"#;

#[test]
fn anki_export_read_by_python_zipfile_and_sqlite3() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.apkg"), tmp.path().join("b.apkg"));
    for p in [&a, &b] {
        trialdeck()
            .args(["export", "--format", "anki", "--out"])
            .arg(p)
            .assert()
            .success()
            .stdout("");
    }
    let Some(py) = python3() else { return };
    let v = python_json(py, PY_APKG, &[&a, &b]);
    let lib = bundled();
    for pkg in v.as_array().unwrap() {
        assert_eq!(
            pkg["names"],
            serde_json::json!(["collection.anki2", "media"])
        );
        assert_eq!(pkg["media"], "{}");
        assert_eq!(pkg["ver"], 11);
        assert_eq!(
            pkg["fields"],
            serde_json::json!([[
                "Question",
                "Key response",
                "Key points",
                "Trial",
                "Role",
                "Source"
            ]])
        );
        let notes = pkg["notes"].as_array().unwrap();
        assert_eq!(notes.len(), lib.question_count());
        assert_eq!(pkg["cards"], lib.question_count());
        for n in notes {
            assert_eq!(n["csum_ok"], true, "csum as Anki computes it");
            assert_eq!(n["fields"].as_array().unwrap().len(), 6);
            let tags: Vec<&str> = n["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            assert!(tags.iter().any(|t| t.starts_with("role::")), "{tags:?}");
            assert!(
                tags.iter()
                    .any(|t| t.starts_with("trial::") || t.starts_with("topic::")),
                "{tags:?}"
            );
        }
        // EMILIA's resident question is there, tagged.
        let emilia = lib.entry("emilia").unwrap();
        let q = emilia
            .questions
            .iter()
            .find(|q| q.role == Role::Resident)
            .unwrap();
        let n = notes
            .iter()
            .find(|n| n["fields"][0] == serde_json::json!(anki::html(&q.prompt)))
            .expect("EMILIA's resident question");
        assert_eq!(n["fields"][3], "EMILIA");
        assert_eq!(n["fields"][4], "Resident");
        let tags = n["tags"].as_array().unwrap();
        assert!(tags.contains(&serde_json::json!("role::resident")));
        assert!(tags.contains(&serde_json::json!("trial::emilia")));
    }
    let guids = |i: usize| -> Vec<Value> {
        v[i]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["guid"].clone())
            .collect()
    };
    assert_eq!(guids(0), guids(1), "GUIDs are the same across two exports");
}

// ---- Command line and failures --------------------------------------------------------------

#[test]
fn anki_needs_out_and_bad_filters_are_usage_errors() {
    trialdeck()
        .args(["export", "--format", "anki"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("--out"));
    trialdeck()
        .args(["export", "--format", "csv", "--role", "janitor"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("resident"));
    trialdeck()
        .args(["export", "--format", "markdown", "--trial", "emilai"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("emilia"));
    trialdeck()
        .args(["export", "--format", "markdown", "--facts"])
        .assert()
        .code(2);
}

#[test]
fn export_formats_from_the_command_line() {
    let out = trialdeck()
        .args([
            "export", "--format", "markdown", "--trial", "Emilia", "--role", "fellow",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    let lib = bundled();
    assert_eq!(
        md,
        markdown::render(&lib, &Selection::new(&lib, &["emilia"], &[Role::Fellow]))
    );
    let out = trialdeck()
        .args(["export", "--format", "csv", "--trial", "emilia", "--facts"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let recs = csv_records(&String::from_utf8(out.stdout).unwrap());
    let emilia = lib.entry("emilia").unwrap();
    assert!(recs.len() > emilia.questions.len() + 1, "fact rows follow");
    assert!(recs[1..].iter().all(|r| r[4] == *"EMILIA"));
}

#[test]
fn a_failed_export_exits_3_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["json", "markdown", "csv", "anki"] {
        let out = tmp.path().join("missing").join(format!("out.{format}"));
        trialdeck()
            .args(["export", "--format", format, "--out"])
            .arg(&out)
            .assert()
            .code(3)
            .stderr(predicates::str::contains("cannot write"));
        assert!(!tmp.path().join("missing").exists());
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_failed_export_never_clobbers_the_existing_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("deck.apkg");
    std::fs::write(&out, b"previous deck").unwrap();
    trialdeck()
        .args([
            "export",
            "--format",
            "anki",
            "--trial",
            "nosuchtrial",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&out).unwrap(), b"previous deck");
    // A successful export replaces it whole, with no temporary file left beside it.
    trialdeck()
        .args(["export", "--format", "anki", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}
