//! The `trialdeck` binary: parse the command line, load packs, dispatch.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use trialdeck::content::{self, Loaded, PackSource};
use trialdeck::theme::ThemeName;

#[derive(Parser, Debug)]
#[command(
    name = "trialdeck",
    version,
    about = "Study and teach clinical-trial evidence in the terminal",
    long_about = "Study and teach clinical-trial evidence in the terminal.\n\n\
        Without a subcommand, opens the app on the bundled pack (or the packs given with --pack)."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
struct Global {
    /// Load a pack directory instead of the bundled pack (repeat to load several).
    #[arg(long = "pack", value_name = "PATH", global = true)]
    packs: Vec<PathBuf>,
    /// Never print colour or other escape codes (NO_COLOR is respected too).
    #[arg(long, global = true)]
    no_color: bool,
    /// Colour theme of the app: dark, light, high-contrast (projectors) or mono.
    #[arg(long, global = true, value_name = "NAME", value_parser = parse_theme)]
    theme: Option<ThemeName>,
}

fn parse_theme(s: &str) -> Result<ThemeName, String> {
    ThemeName::parse(s)
        .ok_or_else(|| format!("unknown theme `{s}`; use dark, light, high-contrast or mono"))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate packs and print every problem found.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// List the trials and topics of the loaded packs.
    List,
    /// Print one trial or topic as plain text.
    Show {
        /// The entry id (see `trialdeck list`).
        id: String,
    },
    /// Export the whole validated library.
    Export {
        /// Export format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the --out file even if it is read-only.
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Search trials, findings, questions and key responses; one hit per line:
    /// kind<TAB>id<TAB>score<TAB>title. Syntax: 'exact, !not, @role, #kind.
    Search {
        /// The query (several words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Most hits to print.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Developer tools.
    #[command(hide = true)]
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Subcommand, Debug)]
enum DevCommand {
    /// Write a synthetic pack of N trials (for benchmarks).
    GenPack {
        #[arg(long, default_value_t = 1000)]
        trials: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    Json,
}

/// Exit status: 0 ok, 1 the pack has errors, 2 usage error.
const EXIT_PACK: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = !cli.global.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    match run(cli, color) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trialdeck: {}", content::sanitize::clean(&e));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn sources(g: &Global) -> Vec<PackSource> {
    if g.packs.is_empty() {
        vec![PackSource::Bundled]
    } else {
        g.packs.iter().cloned().map(PackSource::Dir).collect()
    }
}

/// Load the packs, printing warnings to stderr; on errors, print the report and fail.
fn load_or_report(g: &Global) -> Result<Loaded, ExitCode> {
    match content::load(&sources(g)) {
        Ok(loaded) => {
            if !loaded.report.diagnostics.is_empty() {
                eprint!("{}", loaded.report.render());
            }
            Ok(loaded)
        }
        Err(report) => {
            eprint!("{}", report.render());
            eprintln!("trialdeck: the pack has errors; run `trialdeck check` after fixing them");
            Err(ExitCode::from(EXIT_PACK))
        }
    }
}

fn write_stdout(s: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`trialdeck list | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| format!("cannot write output: {e}")),
    }
}

fn run(cli: Cli, color: bool) -> Result<ExitCode, String> {
    let g = cli.global;
    match cli.command {
        None => {
            let loaded = match load_or_report(&g) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
                return Err(format!(
                    "loaded {} entries and {} questions, but the app needs a terminal; \
                     for plain output try `trialdeck list` or `trialdeck show ID`",
                    loaded.library.entries.len(),
                    loaded.library.question_count()
                ));
            }
            let no_color =
                g.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let theme = match g.theme {
                Some(t) => t,
                None if no_color => ThemeName::Mono,
                None => ThemeName::Dark,
            };
            let app = trialdeck::app::App::new(loaded.library, theme);
            match trialdeck::tui::run(app).map_err(|e| format!("terminal error: {e}"))? {
                // Stopped by a signal: exit as the shell convention says (128 + signal).
                Some(sig) => Ok(ExitCode::from((128 + sig).clamp(0, 255) as u8)),
                None => Ok(ExitCode::SUCCESS),
            }
        }
        Some(Command::Check { format }) => {
            let report = match content::load(&sources(&g)) {
                Ok(l) => l.report,
                Err(r) => r,
            };
            match format {
                CheckFormat::Json => {
                    let s = serde_json::to_string_pretty(&serde_json::json!({
                        "ok": !report.has_errors(),
                        "errors": report.errors(),
                        "warnings": report.warnings(),
                        "diagnostics": report.diagnostics,
                    }))
                    .map_err(|e| e.to_string())?;
                    write_stdout(&format!("{s}\n"))?;
                }
                CheckFormat::Text => {
                    if report.diagnostics.is_empty() {
                        write_stdout("ok: no problems found\n")?;
                    } else {
                        write_stdout(&report.render())?;
                    }
                }
            }
            Ok(if report.has_errors() {
                ExitCode::from(EXIT_PACK)
            } else {
                ExitCode::SUCCESS
            })
        }
        Some(Command::List) => {
            let loaded = match load_or_report(&g) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            write_stdout(&trialdeck::text::list_table(&loaded.library))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Show { id }) => {
            let loaded = match load_or_report(&g) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let lib = &loaded.library;
            match lib.entry(&id) {
                Some(e) => {
                    write_stdout(&trialdeck::text::show(lib, e, color))?;
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    let ids: Vec<&str> = lib.entries.iter().map(|e| e.id.as_str()).collect();
                    Err(format!(
                        "no trial or topic with id `{id}`; known ids: {} (see `trialdeck list`)",
                        ids.join(", ")
                    ))
                }
            }
        }
        Some(Command::Search { query, limit }) => {
            let loaded = match load_or_report(&g) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let index = trialdeck::search::SearchIndex::build(&loaded.library);
            let hits = index.search(&query.join(" "), limit);
            write_stdout(&trialdeck::search::format_hits(&index, &hits))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Dev {
            command: DevCommand::GenPack { trials, seed, out },
        }) => {
            trialdeck::devgen::gen_pack(trials, seed, &out)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            write_stdout(&format!("wrote {trials} trials to {}\n", out.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { format, out, force }) => {
            let loaded = match load_or_report(&g) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let body = match format {
                ExportFormat::Json => trialdeck::export::to_json(&loaded.library),
            };
            match out {
                Some(path) => write_atomically(&path, body.as_bytes(), force)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
                None => write_stdout(&body)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Write via a temporary file and rename, so an interrupted export never leaves half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8], force: bool) -> std::io::Result<()> {
    trialdeck::fsutil::write_atomically(path, bytes, force)
}
