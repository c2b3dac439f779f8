//! Pack images (src/content/image.rs): a library opened from an image is the library a full
//! load gives (property test over generated packs), its search finds the same hits, opening
//! it decodes no entry, and an edit of one file is picked up by reading that file alone and
//! appending its part to the image.

mod common;

use common::files::{age, rewrite_aged};
use proptest::prelude::*;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};
use trialdeck::content::{Cache, Loaded, PackSource};

fn load(dir: &Path, cache: &Cache) -> Loaded {
    trialdeck::pack::load_with(&[PackSource::Dir(dir.to_path_buf())], cache)
        .unwrap_or_else(|r| panic!("{}", r.render()))
}

fn same(a: &Loaded, b: &Loaded) {
    assert_eq!(a.library.packs, b.library.packs);
    assert_eq!(a.library.entries.rows(), b.library.entries.rows());
    assert_eq!(a.library.entries, b.library.entries);
    assert_eq!(a.report, b.report);
}

fn hits(l: &Loaded, q: &str) -> Vec<trialdeck::search::Hit> {
    let lib = std::sync::Arc::new(l.library.clone());
    trialdeck::search::SearchIndex::build(lib).search(q, 40)
}

/// Cut the image `file` short under `opened`: every entry is then read from its file (entry
/// `one` first), as `full` holds it.
fn cut_short_and_read_from_files(file: &Path, opened: &Loaded, full: &Loaded, one: usize) {
    fs::OpenOptions::new()
        .write(true)
        .open(file)
        .unwrap()
        .set_len(200)
        .unwrap();
    assert_eq!(opened.library.entries[one], full.library.entries[one]);
    assert_eq!(opened.library.entries, full.library.entries);
    assert!(opened.library.image_lost());
}

const QUERIES: [&str; 6] = [
    "thrombocytopenia",
    "progression free",
    "'maytansinoid #finding",
    "hazard ratio @resident",
    "9.6",
    "t",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn an_image_gives_the_library_and_the_hits_a_full_load_gives(trials in 1usize..40, seed in 1u64..1000, edit in 0usize..40) {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
        trialdeck::dev::generate::gen_pack(trials, seed, &dir).unwrap();
        // A warning kept in the image: a control character removed from one entry.
        let victim = dir.join(format!("trial-{:05}.ron", edit % trials));
        let text = fs::read_to_string(&victim).unwrap();
        fs::write(&victim, text.replacen("bottom_line: \"", "bottom_line: \"\u{7}", 1)).unwrap();
        age(&dir);
        let cache = Cache::at(&cdir);
        let full = load(&dir, &Cache::off());
        load(&dir, &cache); // writes the image
        let opened = load(&dir, &cache);
        prop_assert_eq!(opened.library.entries.decoded(), 0, "opening decodes nothing");
        prop_assert!(opened.report.warnings() > 0);
        let lib = std::sync::Arc::new(opened.library.clone());
        let index = trialdeck::search::SearchIndex::build(std::sync::Arc::clone(&lib));
        prop_assert_eq!(lib.entries.decoded(), 0, "the index is assembled from the image");
        drop(index);
        let qs: Vec<_> = QUERIES.iter().map(|q| hits(&opened, q)).collect();
        same(&full, &opened);
        for (q, h) in QUERIES.iter().zip(qs) {
            prop_assert_eq!(hits(&full, q), h, "query {}", q);
        }
    }
}

#[test]
#[cfg(unix)]
fn an_edit_of_one_file_reads_that_file_and_appends_its_part() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    trialdeck::dev::generate::gen_pack(30, 5, &dir).unwrap();
    age(&dir);
    let cache = Cache::at(&cdir);
    load(&dir, &cache);
    let file = fs::read_dir(&cdir).unwrap().next().unwrap().unwrap().path();
    let (ino, len) = {
        let m = fs::metadata(&file).unwrap();
        (m.ino(), m.len())
    };
    // Edit one entry: its title, and a new question id.
    let path = dir.join("trial-00007.ron");
    let text = fs::read_to_string(&path).unwrap();
    let text = text.replacen("title: \"", "title: \"Edited: ", 1);
    let text = text.replacen("\"trial-00007-phd\"", "\"trial-00007-phd-2\"", 1);
    fs::write(&path, text).unwrap();
    let old = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let edited = load(&dir, &cache);
    // Only the edited entry was read: every other one is still in the image, undecoded.
    assert_eq!(edited.library.entries.decoded(), 1);
    assert!(edited.library.entries[7].title.starts_with("Edited: "));
    assert_eq!(
        edited.library.entries[7].questions[4].id,
        "trial-00007-phd-2"
    );
    let m = fs::metadata(&file).unwrap();
    assert_eq!(m.ino(), ino, "the image is appended to, not written anew");
    assert!(m.len() > len, "its new part is appended");
    assert!(
        m.len() < len + len / 4,
        "and only that: {} after {len}",
        m.len()
    );
    // The next run takes the edited entry from the image too, and gives a full load.
    let again = load(&dir, &cache);
    assert_eq!(again.library.entries.decoded(), 0);
    same(&load(&dir, &Cache::off()), &again);
    // An edit that makes an id clash is found, as a full load finds it.
    fs::write(
        dir.join("trial-00008.ron"),
        fs::read_to_string(dir.join("trial-00008.ron"))
            .unwrap()
            .replacen("id: \"trial-00008\"", "id: \"trial-00009\"", 1),
    )
    .unwrap();
    age(&dir);
    let with = trialdeck::pack::load_with(&[PackSource::Dir(dir.clone())], &cache).unwrap_err();
    let without =
        trialdeck::pack::load_with(&[PackSource::Dir(dir.clone())], &Cache::off()).unwrap_err();
    assert_eq!(with, without);
    assert!(with.render().contains("trial-00009"), "{}", with.render());
}

#[test]
fn packs_with_images_load_together_and_a_clash_between_them_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, cdir) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("cache"),
    );
    trialdeck::dev::generate::gen_pack(6, 1, &a).unwrap();
    trialdeck::dev::generate::gen_pack(6, 2, &b).unwrap();
    let rename = |dir: &Path, id: &str| {
        let m = dir.join("pack.ron");
        let t = fs::read_to_string(&m).unwrap();
        fs::write(
            &m,
            t.replacen("id: \"synthetic\"", &format!("id: \"{id}\""), 1),
        )
        .unwrap();
    };
    rename(&a, "a");
    rename(&b, "b");
    // B's entries get ids of their own, but one.
    for e in fs::read_dir(&b).unwrap() {
        let p = e.unwrap().path();
        if p.ends_with("pack.ron") || p.ends_with("trial-00003.ron") {
            continue;
        }
        let t = fs::read_to_string(&p).unwrap().replace("trial-", "other-");
        fs::write(
            p.with_file_name(
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .replace("trial-", "other-"),
            ),
            t,
        )
        .unwrap();
        fs::remove_file(&p).unwrap();
    }
    age(&a);
    age(&b);
    let cache = Cache::at(&cdir);
    load(&a, &cache);
    load(&b, &cache);
    let both = [PackSource::Dir(a.clone()), PackSource::Dir(b.clone())];
    let with = trialdeck::pack::load_with(&both, &cache).unwrap_err();
    let without = trialdeck::pack::load_with(&both, &Cache::off()).unwrap_err();
    assert_eq!(with, without);
    assert!(with.render().contains("trial-00003"), "{}", with.render());
    // Without the clash, both open from their images, nothing decoded.
    fs::remove_file(b.join("trial-00003.ron")).unwrap();
    age(&b);
    load(&b, &cache);
    let opened = trialdeck::pack::load_with(&both, &cache).unwrap();
    assert_eq!(opened.library.entries.decoded(), 0);
    let full = trialdeck::pack::load_with(&both, &Cache::off()).unwrap();
    same(&full, &opened);
    // That the two use no id twice is remembered for these two images (and only these) ...
    let memo = cdir.join("distinct-runs");
    let remembered = fs::read_to_string(&memo).expect("the run is remembered");
    assert_eq!(remembered.lines().count(), 1, "{remembered}");
    same(&full, &trialdeck::pack::load_with(&both, &cache).unwrap());
    assert_eq!(fs::read_to_string(&memo).unwrap(), remembered);
    // The app checks before its first frame, and remembers once it has found the files
    // unchanged, after it.
    fs::remove_file(&memo).unwrap();
    let unlooked = trialdeck::content::open_unverified(&both, &cache).expect("both have images");
    same(&full, &unlooked);
    assert!(
        !memo.exists(),
        "not remembered before the files are looked at"
    );
    let verdict = unlooked.library.take_unverified().unwrap().verify();
    assert!(matches!(verdict, trialdeck::content::Verdict::Fresh));
    assert_eq!(fs::read_to_string(&memo).unwrap(), remembered);
    // ... so the clash made again is found: B's new image is not the one remembered.
    fs::write(
        b.join("trial-00003.ron"),
        fs::read_to_string(a.join("trial-00003.ron")).unwrap(),
    )
    .unwrap();
    age(&b);
    load(&b, &cache);
    let again = trialdeck::pack::load_with(&both, &cache).unwrap_err();
    assert_eq!(again, without);
    assert_eq!(
        fs::read_to_string(&memo).unwrap(),
        remembered,
        "a clash is never remembered"
    );
}

#[test]
#[cfg(unix)]
fn an_image_cut_short_or_rewritten_under_the_app_never_gives_wrong_text() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    trialdeck::dev::generate::gen_pack(40, 9, &dir).unwrap();
    age(&dir);
    let cache = Cache::at(&cdir);
    let full = load(&dir, &Cache::off());
    load(&dir, &cache);
    let file = fs::read_dir(&cdir).unwrap().next().unwrap().unwrap().path();
    // Opened (mapped), nothing decoded yet ...
    let opened = load(&dir, &cache);
    assert_eq!(opened.library.entries.decoded(), 0);
    // ... then the file is cut short in place: reading past its new end faults, the fault is
    // caught, and the entries are read from their files instead.
    cut_short_and_read_from_files(&file, &opened, &full, 5);
    // Rewritten in place with other bytes (garbage that keeps its length): the same.
    load(&dir, &cache);
    let again = load(&dir, &cache);
    let len = fs::metadata(&file).unwrap().len();
    fs::write(&file, vec![0x5a; len as usize]).unwrap();
    assert_eq!(again.library.entries, full.library.entries);
}

#[test]
fn a_library_opened_before_looking_is_the_full_load_and_looking_finds_every_change() {
    use trialdeck::content::{Verdict, open_unverified};
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    trialdeck::dev::generate::gen_pack(30, 5, &dir).unwrap();
    age(&dir);
    let cache = Cache::at(&cdir);
    let sources = [PackSource::Dir(dir.clone())];
    assert!(
        open_unverified(&sources, &cache).is_none(),
        "no image yet: load as usual"
    );
    load(&dir, &cache); // writes the image
    let opened = open_unverified(&sources, &cache).expect("the image holds the pack");
    assert_eq!(
        opened.library.entries.decoded(),
        0,
        "opening decodes nothing"
    );
    same(&load(&dir, &Cache::off()), &opened);
    let look = opened
        .library
        .take_unverified()
        .expect("there is something to look at");
    assert!(opened.library.take_unverified().is_none(), "taken once");
    assert!(matches!(look.verify(), Verdict::Fresh));

    // One file edited: drawn as the image recorded it, then looking loads it again.
    rewrite_aged(
        &dir.join("trial-00007.ron"),
        "title: \"",
        "title: \"Edited: ",
    );
    let stale = open_unverified(&sources, &cache).expect("the manifest did not change");
    assert!(!stale.library.entries[7].title.starts_with("Edited: "));
    match stale.library.take_unverified().unwrap().verify() {
        Verdict::Changed(Ok(now)) => {
            assert!(now.library.entries[7].title.starts_with("Edited: "));
            same(&load(&dir, &Cache::off()), &now);
        }
        other => panic!("the edit was not found: {other:?}"),
    }

    // A file removed, or one added, is a change too.
    load(&dir, &cache); // the image takes the edit
    let gone = dir.join("trial-00012.ron");
    let kept = fs::read(&gone).unwrap();
    fs::remove_file(&gone).unwrap();
    let fewer = open_unverified(&sources, &cache).unwrap();
    assert_eq!(fewer.library.entries.len(), 30, "drawn as recorded");
    match fewer.library.take_unverified().unwrap().verify() {
        Verdict::Changed(Ok(now)) => assert_eq!(now.library.entries.len(), 29),
        other => panic!("the removal was not found: {other:?}"),
    }
    fs::write(&gone, kept).unwrap();
    rewrite_aged(&gone, "", ""); // unchanged text, an old modification time
    let back = open_unverified(&sources, &cache).unwrap();
    assert!(matches!(
        back.library.take_unverified().unwrap().verify(),
        Verdict::Changed(Ok(_))
    ));

    // An edit that breaks the pack: looking reports what a full load reports.
    load(&dir, &cache);
    let eight = dir.join("trial-00008.ron");
    rewrite_aged(&eight, "id: \"trial-00008\"", "id: \"trial-00009\"");
    let broken = open_unverified(&sources, &cache).unwrap();
    let without = trialdeck::pack::load_with(&sources, &Cache::off()).unwrap_err();
    match broken.library.take_unverified().unwrap().verify() {
        Verdict::Changed(Err(report)) => assert_eq!(report, without),
        other => panic!("the clash was not found: {other:?}"),
    }

    // The manifest is looked at before the first frame: an edit of it is never trusted.
    rewrite_aged(&eight, "id: \"trial-00009\"", "id: \"trial-00008\"");
    load(&dir, &cache);
    assert!(open_unverified(&sources, &cache).is_some());
    let manifest = dir.join("pack.ron");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replacen("title: \"", "title: \"New ", 1)).unwrap();
    age(&dir);
    assert!(open_unverified(&sources, &cache).is_none());
}

#[test]
#[cfg(unix)]
fn a_library_opened_before_looking_names_its_warnings_and_reads_a_lost_entry_from_its_file() {
    use trialdeck::content::open_unverified;
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    trialdeck::dev::generate::gen_pack(20, 3, &dir).unwrap();
    // A warning the image keeps (an escape sequence removed from a title): it names the
    // file this run reads.
    rewrite_aged(
        &dir.join("trial-00004.ron"),
        "title: \"",
        "title: \"\u{1b}[31m",
    );
    age(&dir);
    let cache = Cache::at(&cdir);
    let full = load(&dir, &Cache::off());
    assert!(
        full.report.render().contains("trial-00004.ron"),
        "{}",
        full.report.render()
    );
    load(&dir, &cache);
    let sources = [PackSource::Dir(dir.clone())];
    let opened = open_unverified(&sources, &cache).expect("the image holds the pack");
    assert_eq!(opened.report, full.report);
    assert!(!opened.library.entries[4].title.contains('\u{1b}'));
    // The image cut short under the library: entries come from their files, which the
    // image named (the directory was not listed before the first frame).
    let file = fs::read_dir(&cdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "bin"))
        .unwrap();
    cut_short_and_read_from_files(&file, &opened, &full, 11);
}
