//! The config file: located errors with defaults, validated `set`, atomic save.

use trialdeck::config::{Config, ConfigError};
use trialdeck::content::Role;

#[test]
fn missing_file_gives_defaults_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, msg) = Config::load(&tmp.path().join("config.ron"));
    assert_eq!(c, Config::default());
    assert_eq!(msg, None);
}

#[test]
fn broken_file_gives_defaults_and_a_located_message() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.ron");
    std::fs::write(
        &path,
        "(\n    role: Resident,\n    desired_retention: 0.9.5,\n)\n",
    )
    .unwrap();
    let (c, msg) = Config::load(&path);
    assert_eq!(c, Config::default());
    let msg = msg.expect("an error message");
    assert!(msg.starts_with(&format!("{}:3:", path.display())), "{msg}");
    assert!(msg.contains("using the defaults"), "{msg}");

    std::fs::write(&path, "(role: Dean)").unwrap();
    let (_, msg) = Config::load(&path);
    assert!(msg.unwrap().contains(":1:"));

    std::fs::write(&path, "(theme: \"neon\")").unwrap();
    let (_, msg) = Config::load(&path);
    assert!(msg.unwrap().contains("unknown theme `neon`"));

    // Binary garbage: still no panic.
    std::fs::write(&path, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let (c, msg) = Config::load(&path);
    assert_eq!(c, Config::default());
    assert!(msg.is_some());
}

#[test]
fn set_save_load_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("nested").join("config.ron");
    let mut c = Config::default();
    c.set("role", "resident").unwrap();
    c.set("theme", "projector").unwrap();
    c.set("desired_retention", "0.85").unwrap();
    c.set("keys.reveal", "space").unwrap();
    assert!(matches!(
        c.set("theme", "neon"),
        Err(ConfigError::BadValue { .. })
    ));
    c.save(&path).unwrap();
    let (back, msg) = Config::load(&path);
    assert_eq!(msg, None);
    assert_eq!(back, c);
    assert_eq!(back.role, Some(Role::Resident));
    assert_eq!(back.theme.as_deref(), Some("high-contrast"));
    assert!(c.show().contains("desired_retention: 0.85"));
    // Only the config file is left: the temp file was renamed over it.
    let files: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, vec![std::ffi::OsString::from("config.ron")]);
}
