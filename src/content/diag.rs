//! Diagnostics: what is wrong with a pack, where, and what to do about it.

use serde::Serialize;
use std::fmt::{self, Write as _};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Location {
    /// The whole file (or directory).
    File,
    /// A position in the file's text, 1-based, with the line it is on.
    Position {
        line: usize,
        column: usize,
        #[serde(skip)]
        source_line: String,
        /// Display width of `source_line` before the column, where the caret goes
        /// (tabs are expanded and control characters removed in `source_line`).
        #[serde(skip)]
        caret: usize,
    },
    /// An id path inside the parsed content, e.g. `emilia › findings › pfs › ci`.
    Path { path: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short stable name for the kind of problem, e.g. `unknown-field`.
    pub code: &'static str,
    /// The file, relative to the pack's parent when possible.
    pub file: String,
    pub location: Location,
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl Diagnostic {
    /// File, message and path are sanitized here, once: they quote pack text (ids, values)
    /// and are printed to the terminal.
    pub fn error(code: &'static str, file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: clean(file.into()),
            location: Location::File,
            message: clean(message.into()),
            help: String::new(),
        }
    }

    pub fn warning(
        code: &'static str,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, message)
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.location = Location::Path {
            path: clean(path.into()),
        };
        self
    }

    /// Point at a 1-based line and column of `text`.
    pub fn at_position(mut self, text: &str, line: usize, column: usize) -> Self {
        let raw = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
        let source_line = super::sanitize::clean(raw);
        let before: String = raw.chars().take(column.saturating_sub(1)).collect();
        let caret = unicode_width::UnicodeWidthStr::width(super::sanitize::clean(&before).as_str());
        self.location = Location::Position {
            line: line.max(1),
            column: column.max(1),
            source_line,
            caret,
        };
        self
    }

    /// Point at a byte offset of `text`.
    pub fn at_offset(self, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        self.at_position(text, line, column)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, `file (path)` or `file`.
    pub fn where_(&self) -> String {
        match &self.location {
            Location::File => self.file.clone(),
            Location::Position { line, column, .. } => format!("{}:{line}:{column}", self.file),
            Location::Path { path } => format!("{} ({path})", self.file),
        }
    }
}

/// A file or directory name as diagnostics show it: as it is when it is plain, else quoted
/// with its control characters escaped (`"pack/a\nb.ron"`). A name is chosen by whoever made
/// the pack, and a newline in one could otherwise print a line of its own (a fake
/// `ok: no problems found`), in the text report and in JSON alike.
pub fn file_label(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| !c.is_control() && !super::sanitize::is_forbidden(c));
    if plain {
        name.to_string()
    } else {
        let quoted: String = name
            .chars()
            .map(|c| match c {
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                c if c.is_control() || super::sanitize::is_forbidden(c) => {
                    c.escape_unicode().to_string()
                }
                c => c.escape_debug().to_string(),
            })
            .collect();
        format!("\"{quoted}\"")
    }
}

/// Sanitize only when needed (most messages are clean).
fn clean(s: String) -> String {
    if s.chars().any(super::sanitize::is_forbidden) || s.contains('\t') {
        super::sanitize::clean(&s)
    } else {
        s
    }
}

impl fmt::Display for Diagnostic {
    /// A compiler-style report: header, location, the offending line with a caret, help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{sev}[{}]: {}", self.code, self.message)?;
        match &self.location {
            Location::Position {
                line,
                column,
                source_line,
                caret,
            } => {
                let num = line.to_string();
                let pad = " ".repeat(num.len());
                writeln!(f, "{pad}--> {}:{line}:{column}", self.file)?;
                writeln!(f, "{pad} |")?;
                writeln!(f, "{num} | {source_line}")?;
                writeln!(f, "{pad} | {}^", " ".repeat(*caret))?;
            }
            Location::Path { path } => writeln!(f, "  --> {} › {path}", self.file)?,
            Location::File => writeln!(f, "  --> {}", self.file)?,
        }
        if !self.help.is_empty() {
            writeln!(f, "  = help: {}", self.help)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// A list of diagnostics with counts; as an error, "the pack has N errors".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("the pack has {} error(s) and {} warning(s)", self.errors(), self.warnings())]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }
    /// The whole report as text, errors first, with a summary line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut ds: Vec<&Diagnostic> = self.diagnostics.iter().collect();
        ds.sort_by_key(|d| d.severity);
        for d in ds {
            let _ = writeln!(out, "{d}");
        }
        let _ = writeln!(
            out,
            "{} error{}, {} warning{}",
            self.errors(),
            if self.errors() == 1 { "" } else { "s" },
            self.warnings(),
            if self.warnings() == 1 { "" } else { "s" }
        );
        out
    }
}
