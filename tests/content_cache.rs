//! Pack images (src/content/image.rs, found by src/content/cache.rs): an image gives exactly
//! what parsing gives, an edited file is read again, a stale, truncated, foreign or tampered
//! image is a miss (never wrong text) and is written anew, and `check` reports the same with
//! or without it; one file per pack whatever path names it, a bounded directory, and writes
//! that never follow a planted link and leave nothing behind.

mod common;

use common::files::age;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use trialdeck::content::{self, Cache, Loaded, PackSource};

/// A generated pack whose files look an hour old (fresher files are never cached).
fn pack(dir: &Path, trials: usize) {
    trialdeck::dev::generate::gen_pack(trials, 3, dir).unwrap();
    age(dir);
}

fn load(dir: &Path, cache: &Cache) -> Result<Loaded, content::Report> {
    trialdeck::pack::load_with(&[PackSource::Dir(dir.to_path_buf())], cache)
}

/// The one cache file in `cache_dir`, if any.
fn cache_file(cache_dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(cache_dir)
        .ok()?
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() <= 1, "one cache file per pack: {files:?}");
    files.pop()
}

#[cfg(unix)]
fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(p).unwrap().ino()
}

fn same(a: &Loaded, b: &Loaded) {
    assert_eq!(a.library.entries, b.library.entries);
    assert_eq!(a.library.packs, b.library.packs);
    assert_eq!(a.report, b.report);
}

#[test]
#[cfg(unix)]
fn a_warm_cache_gives_what_parsing_gives_and_is_not_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 12);
    let cache = Cache::at(&cdir);
    let parsed = load(&dir, &Cache::off()).unwrap();
    assert!(cache_file(&cdir).is_none());
    let cold = load(&dir, &cache).unwrap();
    let file = cache_file(&cdir).expect("the first load writes the cache");
    let ino = inode(&file);
    let warm = load(&dir, &cache).unwrap();
    assert_eq!(inode(&file), ino, "a hit leaves the cache file alone");
    same(&parsed, &cold);
    same(&parsed, &warm);
    assert_eq!(warm.library.entries.len(), 12);
}

#[test]
fn an_edited_pack_is_parsed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 5);
    let cache = Cache::at(&cdir);
    let before = load(&dir, &cache).unwrap();
    assert!(cache_file(&cdir).is_some());
    // Rename the first trial, keeping the file's size, and put its modification time back:
    // its change time (and the racy check) still give the edit away.
    let entry = &before.library.entries[0];
    let path = dir.join(format!("{}.ron", entry.id));
    let text = fs::read_to_string(&path).unwrap();
    let name = format!("name: \"{}\"", entry.name);
    assert!(text.contains(&name));
    let renamed = format!("name: \"{}\"", "Z".repeat(entry.name.len()));
    fs::write(&path, text.replacen(&name, &renamed, 1)).unwrap();
    age(&dir);
    let after = load(&dir, &cache).unwrap();
    assert_eq!(after.library.entries[0].name, "Z".repeat(entry.name.len()));
    same(&after, &load(&dir, &Cache::off()).unwrap());
    // A new file is seen too.
    let mut extra = after.library.entries[1].clone();
    extra.id = "zz-extra".into();
    extra.questions.clear();
    fs::write(
        dir.join("zz-extra.ron"),
        ron::ser::to_string(&extra).unwrap(),
    )
    .unwrap();
    age(&dir);
    let more = load(&dir, &cache).unwrap();
    assert_eq!(more.library.entries.len(), 6);
    assert!(more.library.entry("zz-extra").is_some());
}

#[test]
#[cfg(unix)]
fn a_corrupt_cache_is_ignored_and_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 8);
    let cache = Cache::at(&cdir);
    let good = load(&dir, &Cache::off()).unwrap();
    load(&dir, &cache).unwrap();
    let file = cache_file(&cdir).unwrap();
    let bytes = fs::read(&file).unwrap();
    let flip = |at: usize| {
        let mut b = bytes.clone();
        b[at] ^= 0x20;
        b
    };
    let corruptions: Vec<(&str, Vec<u8>)> = vec![
        ("a flipped bit in the payload", flip(bytes.len() * 2 / 3)),
        ("a flipped bit in the magic", flip(3)),
        ("a flipped bit in the checksum", flip(bytes.len() - 1)),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", vec![0xff; 4096]),
    ];
    for (what, corrupt) in corruptions {
        fs::write(&file, &corrupt).unwrap();
        let loaded = load(&dir, &cache).unwrap_or_else(|r| panic!("{what}: {}", r.render()));
        same(&good, &loaded);
        // Damage found at open is a miss, and the image is written anew at once; damage in
        // an entry's bytes is found when the entry is decoded (`same` decodes them all): that
        // entry is read from its file, and the image removed for the next run to write.
        let again = load(&dir, &cache).unwrap();
        same(&good, &again);
        let rewritten = inode(&file);
        assert_eq!(
            fs::metadata(&file).unwrap().len(),
            bytes.len() as u64,
            "{what}"
        );
        assert_ne!(fs::read(&file).unwrap(), corrupt, "{what}: written anew");
        same(&good, &load(&dir, &cache).unwrap());
        assert_eq!(inode(&file), rewritten, "{what}: and then used");
    }
    // Bytes past the end the header names are what an interrupted append leaves: the image
    // is used as it is.
    fs::write(&file, [bytes.as_slice(), b"x"].concat()).unwrap();
    let ino = inode(&file);
    same(&good, &load(&dir, &cache).unwrap());
    assert_eq!(inode(&file), ino);
}

#[test]
fn check_reports_the_same_with_and_without_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 6);
    // Warnings from validation (a control character, a trial without design) and an error
    // (an unknown related entry) are all reported again from a warm cache.
    let first = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("pack.ron"))
        .min()
        .unwrap();
    let text = fs::read_to_string(&first).unwrap();
    let text = text.replacen("bottom_line: \"", "bottom_line: \"\u{1b}[31m", 1);
    let text = text.replacen(
        "related: [",
        "related: [Related(to: \"nowhere\", relation: Confirms, note: \"x\"),",
        1,
    );
    fs::write(&first, text).unwrap();
    age(&dir);
    let cache = Cache::at(&cdir);
    let off = load(&dir, &Cache::off()).unwrap_err();
    assert!(off.has_errors());
    assert!(off.warnings() > 0, "{}", off.render());
    let cold = load(&dir, &cache).unwrap_err();
    assert!(
        cache_file(&cdir).is_none(),
        "a pack with errors gets no image"
    );
    let warm = load(&dir, &cache).unwrap_err();
    assert_eq!(off.render(), cold.render());
    assert_eq!(off.render(), warm.render());
    assert_eq!(off, warm);
}

#[test]
fn a_pack_that_does_not_parse_is_not_cached() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 3);
    fs::write(dir.join("broken.ron"), "Entry(id: ").unwrap();
    age(&dir);
    let cache = Cache::at(&cdir);
    let a = load(&dir, &cache).unwrap_err();
    assert!(cache_file(&cdir).is_none());
    assert_eq!(a, load(&dir, &cache).unwrap_err());
}

#[test]
fn fresh_files_are_not_cached_and_small_packs_not_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    trialdeck::dev::generate::gen_pack(3, 3, &dir).unwrap();
    load(&dir, &Cache::at(&cdir)).unwrap();
    assert!(cache_file(&cdir).is_none(), "files written just now");
    age(&dir);
    let small = Cache {
        min_bytes: content::cache::DEFAULT_MIN_BYTES,
        ..Cache::at(&cdir)
    };
    load(&dir, &small).unwrap();
    assert!(cache_file(&cdir).is_none(), "a small pack");
    load(&dir, &Cache::at(&cdir)).unwrap();
    assert!(cache_file(&cdir).is_some());
}

/// Overwrite the image of `dir` with `loaded`'s entries, as an image written by another
/// build, or by a tamperer who made every checksum hold, would hold them.
fn plant(cache: &Cache, dir: &Path, loaded: &Loaded) -> PathBuf {
    let key = content::pack_key(dir).unwrap();
    let manifest = &loaded.library.packs[0].manifest;
    let entries: Vec<_> = loaded.library.entries.iter().cloned().collect();
    let file = cache.path_for(&key).unwrap();
    let _ = fs::remove_file(&file);
    cache.plant(
        &key,
        manifest,
        &entries,
        trialdeck::search::stored::fragment,
    );
    assert!(file.exists(), "the planted image is written");
    file
}

#[test]
fn a_cache_written_by_an_older_validator_is_a_miss() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 4);
    let cache = Cache::at(&cdir);
    let parsed = load(&dir, &Cache::off()).unwrap();
    // An image whose (clean) text differs from the pack's is believed while it is this
    // build's ...
    let mut other = load(&dir, &Cache::off()).unwrap();
    other.library.entries[0].bottom_line = "what an older build made of it".into();
    let file = plant(&cache, &dir, &other);
    let hit = load(&dir, &cache).unwrap();
    assert_eq!(
        hit.library.entries[0].bottom_line,
        "what an older build made of it"
    );
    // ... and ignored once its fingerprint is another build's (another validator's code).
    plant(&cache, &dir, &other);
    let mut bytes = fs::read(&file).unwrap();
    let at = content::cache::FINGERPRINT_AT;
    let older = content::cache::fingerprint() ^ 1;
    bytes[at..at + 4].copy_from_slice(&older.to_le_bytes());
    fs::write(&file, bytes).unwrap();
    same(&parsed, &load(&dir, &cache).unwrap());
    same(&parsed, &load(&dir, &cache).unwrap());
}

#[test]
fn text_from_an_image_is_never_shown_unsanitized() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 4);
    let cache = Cache::at(&cdir);
    let parsed = load(&dir, &Cache::off()).unwrap();
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    for field in 0..3 {
        let mut bad = load(&dir, &Cache::off()).unwrap();
        let e = &mut bad.library.entries[3];
        match field {
            0 => e.bottom_line = format!("{}{evil}", e.bottom_line).into(),
            1 => {
                let p = &mut e.questions[2].key_points[1];
                *p = format!("{evil}{p}").into();
            }
            // The name is in the list rows, read at open.
            _ => e.name = format!("{}{evil}", e.name).into(),
        }
        // Every checksum holds: only the scan of the text can refuse it.
        plant(&cache, &dir, &bad);
        let loaded = load(&dir, &cache).unwrap();
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(
                !loaded
                    .library
                    .entries
                    .iter()
                    .any(|e| serde_json::to_string(e).unwrap().contains(c)),
                "field={field}: {c:?} reached the library"
            );
            assert!(
                !loaded
                    .library
                    .entries
                    .rows()
                    .iter()
                    .any(|r| r.name.contains(c)),
                "field={field}: {c:?} reached the list"
            );
        }
        // The entry (or the whole image) is refused and read from the pack's files.
        same(&parsed, &loaded);
    }
}

#[test]
fn a_truncated_cache_is_a_miss_and_the_pack_still_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 40);
    let cache = Cache::at(&cdir);
    let good = load(&dir, &cache).unwrap();
    let file = cache_file(&cdir).unwrap();
    let bytes = fs::read(&file).unwrap();
    for cut in [1, 40, 41, bytes.len() / 3, bytes.len() - 1] {
        fs::write(&file, &bytes[..cut]).unwrap();
        same(&good, &load(&dir, &cache).unwrap());
    }
    // A header that names chunks past the end of the file, or a chunk cut short inside.
    let mut longer = bytes.clone();
    longer.splice(100..100, [0u8; 7]);
    fs::write(&file, &longer).unwrap();
    same(&good, &load(&dir, &cache).unwrap());
}

/// Rewrite `path`, replacing the first `from` with `to`.
fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_entry_checked_with_another_packs_sources_is_checked_again_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, cdir) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("cache"),
    );
    pack(&a, 3);
    pack(&b, 3);
    edit(&a.join("pack.ron"), "id: \"synthetic\"", "id: \"a\"");
    edit(
        &a.join("pack.ron"),
        "sources: [",
        "sources: [(id: \"extra\", label: \"Extra\", file: \"x.txt\", title: \"X\"),",
    );
    edit(&b.join("pack.ron"), "id: \"synthetic\"", "id: \"b\"");
    let first = fs::read_dir(&b)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("pack.ron"))
        .min()
        .unwrap();
    edit(&first, "source: \"synthetic\"", "source: \"extra\"");
    age(&a);
    age(&b);
    let cache = Cache::at(&cdir);
    // Together, B's citation of A's source is fine (other errors: the packs share ids).
    let both = [PackSource::Dir(a.clone()), PackSource::Dir(b.clone())];
    let _ = trialdeck::pack::load_with(&both, &cache);
    let _ = trialdeck::pack::load_with(&both, &cache);
    // Alone, it is an error, with the cache as without it.
    let off = load(&b, &Cache::off()).unwrap_err();
    assert!(off.render().contains("extra"), "{}", off.render());
    assert_eq!(off, load(&b, &cache).unwrap_err());
    assert_eq!(off, load(&b, &cache).unwrap_err());
}

#[test]
fn the_bundled_pack_parsed_at_build_time_is_what_parsing_its_ron_gives() {
    use trialdeck::content::{parse, read};
    let built = trialdeck::pack::load(&[PackSource::Bundled]).unwrap();
    let mut diags = Vec::new();
    let parsed: Vec<_> = read::read(&PackSource::Bundled)
        .unwrap()
        .into_iter()
        .map(|raw| parse::parse_pack(raw, 1, &mut diags))
        .collect();
    let (lib, report) = content::check_parsed(parsed, content::Report { diagnostics: diags });
    let lib = lib.unwrap();
    assert_eq!(built.library.entries, lib.entries);
    assert_eq!(built.library.packs, lib.packs);
    assert_eq!(built.report, report);
}

#[test]
#[cfg(unix)]
fn one_pack_has_one_cache_file_whatever_path_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 6);
    let cache = Cache::at(&cdir);
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&dir, &link).unwrap();
    let spellings = [
        dir.clone(),
        tmp.path().join("pack/."),
        tmp.path().join("cache/../pack"),
        link.clone(),
    ];
    let first = load(&spellings[0], &cache).unwrap();
    let file = cache_file(&cdir).expect("written");
    let ino = inode(&file);
    for s in &spellings {
        let hit = load(s, &cache).unwrap();
        assert_eq!(cache_file(&cdir).as_ref(), Some(&file), "{}", s.display());
        assert_eq!(inode(&file), ino, "{}: a hit, not a rewrite", s.display());
        same(&first, &hit);
    }
    // A report from a warm cache names the files with the path as given.
    let e = &first.library.entries[1];
    edit(
        &dir.join(format!("{}.ron", e.id)),
        "bottom_line: \"",
        "bottom_line: \"\u{7}",
    );
    age(&dir);
    let off = load(&link, &Cache::off()).unwrap();
    let _ = load(&dir, &cache).unwrap();
    let ino = inode(&file);
    let warm = load(&link, &cache).unwrap();
    assert_eq!(inode(&file), ino, "a hit through the link");
    assert!(off.report.render().contains(&link.display().to_string()));
    assert_eq!(off.report, warm.report);
}

#[test]
#[cfg(unix)]
fn the_cache_directory_is_bounded_and_the_oldest_files_go_first() {
    let tmp = tempfile::tempdir().unwrap();
    let cdir = tmp.path().join("cache");
    fs::create_dir(&cdir).unwrap();
    // Cache files of packs long gone, under the cache's own naming (sparse: no disk used),
    // beside files that are not the cache's.
    let old = SystemTime::now() - Duration::from_secs(30 * 86_400);
    let plant = |name: &str, len: u64, when: SystemTime| {
        let f = fs::File::create(cdir.join(name)).unwrap();
        f.set_len(len).unwrap();
        f.set_modified(when).unwrap();
    };
    let gib = 1u64 << 30;
    plant("00000000000000a1.bin", gib, old);
    plant("00000000000000a2.bin", gib, old + Duration::from_secs(60));
    plant("notes.bin", 3 * gib, old);
    let dir = tmp.path().join("pack");
    pack(&dir, 4);
    load(&dir, &Cache::at(&cdir)).unwrap();
    let names = common_names(&cdir);
    // 2 GiB + the new file is over the default bound of 2 GiB: the oldest went.
    assert!(
        !names.contains(&"00000000000000a1.bin".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"00000000000000a2.bin".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"notes.bin".to_string()), "{names:?}");
    assert_eq!(names.len(), 3, "{names:?}");
    // A smaller bound keeps only the file just written.
    let dir2 = tmp.path().join("pack2");
    pack(&dir2, 3);
    let small = Cache {
        max_total_bytes: 1,
        ..Cache::at(&cdir)
    };
    load(&dir2, &small).unwrap();
    let names = common_names(&cdir);
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"notes.bin".to_string()));
    assert_eq!(
        cache_file_of(&small, &dir2)
            .file_name()
            .unwrap()
            .to_string_lossy(),
        names.iter().find(|n| *n != "notes.bin").unwrap().as_str()
    );
}

fn common_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn cache_file_of(cache: &Cache, dir: &Path) -> PathBuf {
    cache.path_for(&content::pack_key(dir).unwrap()).unwrap()
}

#[test]
#[cfg(unix)]
fn a_fifo_as_the_cache_file_is_a_miss_not_a_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 4);
    fs::create_dir(&cdir).unwrap();
    let cache = Cache::at(&cdir);
    let fifo = cache_file_of(&cache, &dir);
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let (tx, rx) = std::sync::mpsc::channel();
    let d = dir.clone();
    std::thread::spawn(move || {
        let _ = tx.send(load(&d, &cache).map(|l| l.library.entries.len()));
    });
    let loaded = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the load returned");
    assert_eq!(loaded.unwrap(), 4);
}

#[test]
#[cfg(unix)]
fn a_link_planted_at_the_old_cache_temp_name_is_never_followed_and_old_temps_are_swept() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, cdir) = (tmp.path().join("pack"), tmp.path().join("cache"));
    pack(&dir, 5);
    fs::create_dir(&cdir).unwrap();
    let cache = Cache::at(&cdir);
    let file = cache_file_of(&cache, &dir);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    // The old writer's name for this process (`File::create`, which follows links).
    let victim = tmp.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    let planted = cdir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    // Killed writes of the old and the new writer (their processes are gone), each as
    // large as a cache.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let gone = child.id();
    child.wait().unwrap();
    let old_temp = cdir.join(format!(".{name}.{gone}.tmp"));
    let new_temp = cdir.join(format!(".{name}.trialdeck-tmp.{gone}.Ab3dE6gH9jK1"));
    for t in [&old_temp, &new_temp] {
        fs::File::create(t).unwrap().set_len(50 << 20).unwrap();
    }
    let good = load(&dir, &Cache::off()).unwrap();
    same(&good, &load(&dir, &cache).unwrap());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        !fs::symlink_metadata(&file)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!old_temp.exists() && !new_temp.exists(), "swept");
    same(&good, &load(&dir, &cache).unwrap());
    // Left: the cache file, and the planted link (not a file of ours to remove).
    let mut expect = vec![
        name,
        planted.file_name().unwrap().to_string_lossy().into_owned(),
    ];
    expect.sort();
    assert_eq!(common_names(&cdir), expect);
}
