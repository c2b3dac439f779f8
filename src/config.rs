//! User settings: a RON file in the platform config directory
//! (`~/.config/trialdeck/config.ron` on Linux).
//!
//! A broken file never stops the app: [`Config::load`] returns the defaults and a message
//! naming the file, line and column and what to do. Only a regular file of at most
//! [`MAX_BYTES`] is read, and reading never blocks (a FIFO in its place is reported, not
//! waited on). Saving goes through the one atomic writer ([`crate::fsutil`]): a crash mid-save
//! leaves the old file or the new one, never half of each; a symbolic link (a dotfile setup)
//! is written through and stays a link; the file keeps its mode (a 600 file stays 600); a
//! read-only file is refused, not replaced.

use crate::content::Role;
use crate::review::fsrs::DEFAULT_RETENTION;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file name.
pub const FILE: &str = "config.ron";

/// Largest config file read (a real one is a few hundred bytes).
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The range of desired retention FSRS is asked to aim for.
pub const RETENTION_RANGE: (f64, f64) = (0.70, 0.99);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The learner's training stage: quizzes and the Discussion panel default to it and the
    /// roles below it.
    pub role: Option<Role>,
    /// A theme name (see `ThemeName`); `None` picks from the terminal.
    pub theme: Option<String>,
    /// FSRS desired retention, 0.70–0.99.
    pub desired_retention: f64,
    /// Key overrides: action name → key, kept as written (the keymap parses them).
    pub keys: BTreeMap<String, String>,
    /// New cards a day (Anki's default 20).
    pub new_per_day: u32,
    /// Reviews a day (Anki's default 200).
    pub reviews_per_day: u32,
    /// Learning steps, e.g. `"1m 10m"` (Anki's default).
    pub learning_steps: String,
    /// Relearning steps after a lapse, e.g. `"10m"`.
    pub relearning_steps: String,
    /// Minutes a learning card may be shown early when nothing else is left (Anki's 20).
    pub learn_ahead_minutes: u32,
    /// Lapses after which a card is a leech, tagged and suspended (Anki's 8).
    pub leech_threshold: u32,
    /// Fact cards of trials still ongoing in the sources (off unless asked for).
    pub ongoing_facts: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            role: None,
            theme: None,
            desired_retention: DEFAULT_RETENTION,
            keys: BTreeMap::new(),
            new_per_day: crate::review::queue::DEFAULT_NEW_PER_DAY,
            reviews_per_day: crate::review::queue::DEFAULT_REVIEWS_PER_DAY,
            learning_steps: crate::review::fsrs::format_steps(
                &crate::review::fsrs::DEFAULT_LEARNING_STEPS,
            ),
            relearning_steps: crate::review::fsrs::format_steps(
                &crate::review::fsrs::DEFAULT_RELEARNING_STEPS,
            ),
            learn_ahead_minutes: (crate::review::queue::DEFAULT_LEARN_AHEAD / 60) as u32,
            leech_threshold: crate::review::fsrs::DEFAULT_LEECH_THRESHOLD,
            ongoing_facts: false,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error(
        "unknown setting `{0}`; settings are: role, theme, desired_retention, new_per_day, \
         reviews_per_day, learning_steps, relearning_steps, learn_ahead_minutes, \
         leech_threshold, ongoing_facts, keys.<context>.<action>"
    )]
    UnknownKey(String),
    #[error("`{value}` is not a valid {key}: {hint}")]
    BadValue {
        key: String,
        value: String,
        hint: String,
    },
    #[error("{path}: could not save: {message}")]
    Save { path: PathBuf, message: String },
}

/// The default config file path, if the platform has a config directory.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trialdeck").map(|p| p.config_dir().join(FILE))
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

impl Config {
    /// The scheduler these settings ask for: retention, steps, leech threshold.
    pub fn scheduler(&self) -> crate::review::Scheduler {
        let steps = crate::review::Steps {
            learning: crate::review::fsrs::parse_steps(&self.learning_steps).unwrap_or_default(),
            relearning: crate::review::fsrs::parse_steps(&self.relearning_steps)
                .unwrap_or_default(),
        };
        crate::review::Scheduler::new(self.desired_retention)
            .with_steps(steps)
            .with_leech_threshold(self.leech_threshold)
    }

    /// The daily limits these settings ask for (nothing done yet).
    pub fn limits(&self) -> crate::review::Limits {
        crate::review::Limits {
            new_per_day: self.new_per_day,
            reviews_per_day: self.reviews_per_day,
            learn_ahead: self.learn_ahead_minutes as i64 * 60,
            done: Default::default(),
        }
    }

    /// Where the config lives by default (see [`default_path`]).
    pub fn path() -> Option<PathBuf> {
        default_path()
    }

    /// Read `path`. A missing file gives the defaults and no message; an unreadable or broken
    /// one gives the defaults and a message saying where and what to do.
    pub fn load(path: &Path) -> (Config, Option<String>) {
        let text = match crate::fsutil::read_text(path, MAX_BYTES) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => return (Config::default(), None),
            Err(e) => {
                return (
                    Config::default(),
                    Some(format!(
                        "{}: cannot read the config ({e}); using the defaults",
                        path.display()
                    )),
                );
            }
        };
        match Config::parse(&text) {
            Ok(c) => (c, None),
            Err((line, col, msg)) => (
                Config::default(),
                Some(format!(
                    "{}:{line}:{col}: {msg}; using the defaults. Fix the file, or run \
                     `trialdeck config set KEY VALUE` after moving it aside",
                    path.display()
                )),
            ),
        }
    }

    /// Parse and validate config text; an error is (line, column, message).
    pub fn parse(text: &str) -> Result<Config, (usize, usize, String)> {
        let c: Config = ron_options()
            .from_str(text)
            .map_err(|e| (e.span.start.line, e.span.start.col, e.code.to_string()))?;
        let locate = |needle: &str| {
            text.lines()
                .enumerate()
                .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
                .unwrap_or((1, 1))
        };
        let (lo, hi) = RETENTION_RANGE;
        if !(lo..=hi).contains(&c.desired_retention) {
            let (l, col) = locate("desired_retention");
            return Err((
                l,
                col,
                format!(
                    "desired_retention {} is outside {lo}–{hi}",
                    c.desired_retention
                ),
            ));
        }
        if let Some(t) = &c.theme
            && ThemeName::parse(t).is_none()
        {
            let (l, col) = locate("theme");
            return Err((l, col, format!("unknown theme `{t}`; {}", theme_hint())));
        }
        for (key, v) in [
            ("learning_steps", &c.learning_steps),
            ("relearning_steps", &c.relearning_steps),
        ] {
            if let Err(e) = crate::review::fsrs::parse_steps(v) {
                let (l, col) = locate(key);
                return Err((l, col, format!("{key}: {e}")));
            }
        }
        Ok(c)
    }

    /// Change one setting, validated. `role none` and `theme auto` clear them; `keys.ACTION ""`
    /// removes an override.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let bad = |hint: String| ConfigError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            hint,
        };
        let v = value.trim();
        match key {
            "role" => {
                self.role = if v.eq_ignore_ascii_case("none") {
                    None
                } else {
                    Some(Role::parse(v).ok_or_else(|| {
                        bad(format!(
                            "roles are {}",
                            Role::ALL.map(|r| r.slug()).join(", ")
                        ))
                    })?)
                };
            }
            "theme" => {
                self.theme = if v.eq_ignore_ascii_case("auto") || v.eq_ignore_ascii_case("default")
                {
                    None
                } else {
                    let t = ThemeName::parse(v).ok_or_else(|| bad(theme_hint()))?;
                    Some(theme_slug(t))
                };
            }
            "desired_retention" | "retention" => {
                let (lo, hi) = RETENTION_RANGE;
                let r: f64 = v
                    .parse()
                    .ok()
                    .filter(|r: &f64| (lo..=hi).contains(r))
                    .ok_or_else(|| bad(format!("give a number from {lo} to {hi}, e.g. 0.9")))?;
                self.desired_retention = r;
            }
            "new_per_day" | "reviews_per_day" | "learn_ahead_minutes" | "leech_threshold" => {
                let n: u32 = v
                    .parse()
                    .ok()
                    .filter(|n| *n <= 100_000 && (key != "leech_threshold" || *n >= 1))
                    .ok_or_else(|| bad("give a whole number, e.g. 20".into()))?;
                match key {
                    "new_per_day" => self.new_per_day = n,
                    "reviews_per_day" => self.reviews_per_day = n,
                    "learn_ahead_minutes" => self.learn_ahead_minutes = n,
                    _ => self.leech_threshold = n,
                }
            }
            "learning_steps" | "relearning_steps" => {
                let steps = crate::review::fsrs::parse_steps(v).map_err(bad)?;
                let text = crate::review::fsrs::format_steps(&steps);
                if key == "learning_steps" {
                    self.learning_steps = text;
                } else {
                    self.relearning_steps = text;
                }
            }
            "ongoing_facts" => {
                self.ongoing_facts = match v.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "on" | "1" => true,
                    "false" | "no" | "off" | "0" => false,
                    _ => return Err(bad("give true or false".into())),
                }
            }
            k if k.starts_with("keys.") && k.len() > 5 => {
                if v.is_empty() {
                    self.keys.remove(&k[5..]);
                } else {
                    self.keys.insert(k[5..].to_string(), v.to_string());
                }
            }
            _ => return Err(ConfigError::UnknownKey(key.to_string())),
        }
        Ok(())
    }

    /// The config as RON text, as it would be saved.
    pub fn show(&self) -> String {
        let pretty = ron::ser::PrettyConfig::default()
            .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
        ron::ser::to_string_pretty(self, pretty).expect("a config always serializes")
    }

    /// Save with the one atomic writer ([`crate::fsutil::write_atomically`]), creating the
    /// directory if needed. A read-only file (or one this user may not write) is refused.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let err = |message: String| ConfigError::Save {
            path: path.to_path_buf(),
            message,
        };
        if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(d).map_err(|e| err(e.to_string()))?;
        }
        // Temporary files of the earlier writer (`<name>.tmp<pid>`), left by a killed save.
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let prefix = format!("{name}.tmp");
            crate::fsutil::sweep(dir, std::time::SystemTime::now(), |n| {
                let pid = n.strip_prefix(&prefix)?;
                let digits = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
                digits.then(|| pid.parse().ok()).flatten()
            });
        }
        let mut text = self.show();
        text.push('\n');
        crate::fsutil::write_atomically(path, text.as_bytes(), false).map_err(|e| {
            err(match crate::fsutil::refusal(&e) {
                Some(r) => format!(
                    "{r}; the settings were not changed (make the file writable, \
                     e.g. `chmod u+w`, to change them)"
                ),
                None => e.to_string(),
            })
        })
    }
}

fn theme_slug(t: ThemeName) -> String {
    t.label().to_string()
}

fn theme_hint() -> String {
    format!(
        "themes are {} (or auto)",
        ThemeName::ALL.map(theme_slug).join(", ")
    )
}

/// The colour themes by name (the views' styles are in `tui::theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
    HighContrast,
    Mono,
}

impl ThemeName {
    pub const ALL: [ThemeName; 4] = [
        ThemeName::Dark,
        ThemeName::Light,
        ThemeName::HighContrast,
        ThemeName::Mono,
    ];

    pub fn parse(s: &str) -> Option<ThemeName> {
        match s.to_ascii_lowercase().as_str() {
            "dark" => Some(ThemeName::Dark),
            "light" => Some(ThemeName::Light),
            "high-contrast" | "highcontrast" | "contrast" | "projector" => {
                Some(ThemeName::HighContrast)
            }
            "mono" | "monochrome" | "none" => Some(ThemeName::Mono),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::HighContrast => "high-contrast",
            ThemeName::Mono => "mono",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        let c = Config::default();
        assert_eq!(Config::parse(&c.show()).unwrap(), c);
    }

    #[test]
    fn implicit_some_and_explicit_some_both_parse() {
        let a = Config::parse("(role: Resident)").unwrap();
        let b = Config::parse("(role: Some(Resident))").unwrap();
        assert_eq!(a.role, Some(Role::Resident));
        assert_eq!(a, b);
        assert_eq!(a.desired_retention, 0.9);
    }

    #[test]
    fn errors_are_located() {
        let (l, c, msg) = Config::parse("(\n  role: Resident,\n  colour: \"x\",\n)").unwrap_err();
        assert_eq!(l, 3, "{msg}");
        assert!(c >= 3, "{c}");
        assert!(msg.contains("colour"), "{msg}");
        let (l, _, msg) = Config::parse("(\n desired_retention: 1.5,\n)").unwrap_err();
        assert_eq!(l, 2);
        assert!(msg.contains("0.7"), "{msg}");
    }

    #[test]
    fn set_validates() {
        let mut c = Config::default();
        c.set("role", "resident").unwrap();
        assert_eq!(c.role, Some(Role::Resident));
        assert!(matches!(
            c.set("role", "dean"),
            Err(ConfigError::BadValue { .. })
        ));
        c.set("desired_retention", "0.85").unwrap();
        assert_eq!(c.desired_retention, 0.85);
        assert!(c.set("desired_retention", "1.2").is_err());
        assert!(c.set("desired_retention", "x").is_err());
        c.set("keys.quit", "ctrl-q").unwrap();
        assert_eq!(c.keys.get("quit").map(String::as_str), Some("ctrl-q"));
        assert!(matches!(
            c.set("font", "x"),
            Err(ConfigError::UnknownKey(_))
        ));
        c.set("role", "none").unwrap();
        assert_eq!(c.role, None);
    }
}
