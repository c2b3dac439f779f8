//! The `trialdeck` binary: parse the command line, load packs, dispatch.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use trialdeck::content::{self, Entry, Library, PackSource, Report};
use trialdeck::tui::theme::ThemeName;

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
    /// Rebind keys from a keymap file (see docs/keymap.example.ron).
    #[arg(long, global = true, value_name = "FILE")]
    keymap: Option<PathBuf>,
    /// Where the review history lives (default: the platform data directory).
    #[arg(long, global = true, value_name = "DIR", env = "TRIALDECK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Write no review history at all (shared screens, trying things out).
    #[arg(long, global = true)]
    no_save: bool,
    /// The settings file (default: config.ron in the platform config directory).
    #[arg(long, global = true, value_name = "FILE", env = "TRIALDECK_CONFIG")]
    config: Option<PathBuf>,
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
    List {
        /// Output format: an aligned table, tab-separated values with a header row, or a
        /// JSON array of objects. Nothing is cut short unless the table goes to a terminal.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Teaching rounds on a shared screen: one trial, its evidence, then the discussion ladder
    /// one question at a time (high-contrast unless --theme says otherwise). Run it on the
    /// projector, and `trialdeck rounds --presenter` on your own terminal to see the key
    /// responses, notes and clock there while the room sees only what you reveal.
    Rounds {
        /// Join the round running on another terminal as its presenter: its key responses,
        /// notes, next question, clock and learners, for your eyes; your keys drive it too.
        #[arg(long, conflicts_with_all = ["trial", "roles", "timer", "learners", "handout"])]
        presenter: bool,
        /// The round's name, when several run at once (one round per name).
        #[arg(long, value_name = "NAME", default_value = trialdeck::link::DEFAULT_NAME)]
        name: String,
        /// The trial (default: the pack's landmark trial).
        #[arg(long, value_name = "ID")]
        trial: Option<String>,
        /// Only these roles, comma-separated (e.g. student,resident,fellow).
        #[arg(long, value_name = "ROLE,...", value_delimiter = ',')]
        roles: Vec<String>,
        /// Length of the countdown that `t` starts.
        #[arg(long, value_name = "SECONDS", default_value_t = 120)]
        timer: u64,
        /// Learners to call on with `l`: a file with one name a line.
        #[arg(long, value_name = "FILE")]
        learners: Option<PathBuf>,
        /// Write what was covered as a Markdown handout when the round ends (and on `h`).
        #[arg(long, value_name = "FILE.md")]
        handout: Option<PathBuf>,
    },
    /// A flashcard session graded with spaced repetition (FSRS); with no filter, the
    /// session builder opens. Grades are saved in the review history unless --no-save.
    Quiz(QuizArgs),
    /// Review statistics: due today, tomorrow and this week, reviews per day, retention by
    /// role and trial, a 30-day forecast, leeches, and whether `optimize` is due.
    Stats {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Every card with its state (new, learning, relearning, review, suspended, buried), due
    /// date, stability and lapses; `cards suspend|unsuspend|bury|reset CARD...` changes cards.
    Cards(CardsArgs),
    /// Fit your own FSRS parameters to your review log (the `fsrs` crate's optimizer, as in
    /// Anki), report the fit before and after (log loss, RMSE), and keep them if they fit
    /// better. Needs 400 reviews made on a later day than the card's previous one.
    Optimize {
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Settings: `config path`, `config show`, `config set KEY VALUE` (role, theme,
    /// desired_retention, new_per_day, reviews_per_day, learning_steps, relearning_steps,
    /// learn_ahead_minutes, leech_threshold, ongoing_facts, keys.CONTEXT.ACTION).
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print one trial or topic as plain text.
    Show {
        /// The entry id (see `trialdeck list`), in any case; `entry/item` as `search`
        /// prints it shows the entry.
        id: String,
    },
    /// Export the validated library: JSON, a Markdown handout, CSV or an Anki deck.
    Export(ExportArgs),
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
    /// Developer tools (built with `--features dev`).
    #[cfg(feature = "dev")]
    #[command(hide = true)]
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// Export format: json (the whole pack), markdown (a handout), csv (for flashcard
    /// tools' text import) or anki (an .apkg deck; needs --out).
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    format: ExportFormat,
    /// Export only this trial or topic (repeat for several; any case, as `show` takes it).
    #[arg(long = "trial", value_name = "ID")]
    trials: Vec<String>,
    /// Export only the questions of this role (repeat for several): student, resident,
    /// fellow, attending, phd, editor, guideline.
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// Add fact cards generated from the structured findings (csv and anki).
    #[arg(long)]
    facts: bool,
    /// Write to this file instead of standard output (replaced only when the export succeeds).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace the --out file even if it is read-only.
    #[arg(long, requires = "out")]
    force: bool,
}

#[derive(Args, Debug)]
struct CardsArgs {
    /// Output format: an aligned table or a JSON array.
    #[arg(long, value_enum, default_value_t = CardsFormat::Table)]
    format: CardsFormat,
    /// Only cards whose trial, role, state, question or id hold all these words.
    #[arg(long, value_name = "WORDS")]
    filter: Option<String>,
    #[command(subcommand)]
    command: Option<CardsCommand>,
}

#[derive(Subcommand, Debug)]
enum CardsCommand {
    /// Suspend cards: no session shows them until they are unsuspended.
    Suspend { cards: Vec<String> },
    /// Unsuspend (and unbury) cards.
    Unsuspend { cards: Vec<String> },
    /// Bury cards until tomorrow.
    Bury { cards: Vec<String> },
    /// Reset cards to new (their reviews stay in the log).
    Reset { cards: Vec<String> },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CardsFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
struct QuizArgs {
    /// Only questions of this role (repeat for several; default: your configured level
    /// and the roles below it).
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// Only cards of this trial (repeat for several).
    #[arg(long = "trial", value_name = "ID")]
    trials: Vec<String>,
    /// Only cards of this topic entry or tag (e.g. `fact` for fact cards).
    #[arg(long = "topic", value_name = "ID")]
    topics: Vec<String>,
    /// Cards that are due.
    #[arg(long)]
    due: bool,
    /// Cards never reviewed.
    #[arg(long)]
    new: bool,
    /// Cards last graded Again.
    #[arg(long)]
    missed: bool,
    /// Leave out the fact cards generated from the findings.
    #[arg(long)]
    no_facts: bool,
    /// At most this many cards.
    #[arg(long, value_name = "N")]
    count: Option<usize>,
    /// Shuffle the cards.
    #[arg(long)]
    shuffle: bool,
    /// New cards a day (default: the config's new_per_day, else 20).
    #[arg(long, value_name = "N")]
    new_per_day: Option<u32>,
    /// Reviews a day (default: the config's reviews_per_day, else 200).
    #[arg(long, value_name = "N")]
    reviews_per_day: Option<u32>,
    /// Include fact cards of trials still ongoing in the sources.
    #[arg(long)]
    ongoing_facts: bool,
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print where the settings file is.
    Path,
    /// Print the settings in effect.
    Show,
    /// Change one setting, e.g. `config set role resident`.
    Set { key: String, value: String },
}

#[cfg(feature = "dev")]
#[derive(Subcommand, Debug)]
enum DevCommand {
    /// Write a synthetic pack of N trials (for benchmarks).
    GenPack {
        #[arg(long, default_value_t = 1000)]
        trials: usize,
        /// Number the trials from this one (packs of separate ranges load together).
        #[arg(long, default_value_t = 0)]
        first: usize,
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
enum ListFormat {
    Table,
    Tsv,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    Json,
    Markdown,
    Csv,
    Anki,
}

/// Why a command failed. Each kind has its own exit status (see [`CliError::code`]).
#[derive(Debug)]
enum CliError {
    /// The command line asks for something that cannot be done as asked (exit 2).
    Usage(String),
    /// The packs have errors; the report says which (exit 1).
    Pack(Report),
    /// A file or the output could not be read or written (exit 3).
    Io(String),
    /// The app could not use the terminal (exit 4).
    Terminal(String),
}

/// Exit status: 0 ok, 1 the pack has errors, 2 usage error, 3 I/O error, 4 terminal error,
/// 128 + N stopped by signal N.
const EXIT_PACK: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_IO: u8 = 3;
const EXIT_TERMINAL: u8 = 4;

impl CliError {
    fn code(&self) -> u8 {
        match self {
            CliError::Pack(_) => EXIT_PACK,
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Io(_) => EXIT_IO,
            CliError::Terminal(_) => EXIT_TERMINAL,
        }
    }

    /// Print the error for people, on stderr. User input may be echoed, so it is cleaned.
    fn report(&self) {
        match self {
            CliError::Pack(report) => {
                write_stderr(&report.render());
                write_stderr(
                    "trialdeck: the pack has errors; run `trialdeck check` after fixing them\n",
                );
            }
            CliError::Usage(m) | CliError::Io(m) | CliError::Terminal(m) => {
                note(m);
            }
        }
    }
}

type CliResult<T = ExitCode> = Result<T, CliError>;

/// Largest keymap or learners file read (a real one is a few kilobytes): only a regular file
/// is read, and reading never blocks.
const MAX_SMALL_FILE: u64 = 1024 * 1024;

fn main() -> ExitCode {
    // glibc gives every allocation of 128 KiB or more its own fresh mapping, and returns it
    // when freed: a warm start at 50,000 trials makes a few dozen such buffers (rows,
    // tables, the list's order), and first touching their pages was a third of its time.
    // Served from the heap instead (up to 32 MiB each; up to 64 MiB of free heap kept), a
    // freed buffer's pages are used again. Measured: first frame 25 -> 20 ms at 50,000
    // trials, bundled unchanged; a start with no image (the whole pack parsed) peaks 3 %
    // higher, as freed heap stays with the process (PERFORMANCE.md).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
    content::trace("main");
    let cli = parse_cli();
    let color = !no_color(&cli.global) && std::io::stdout().is_terminal();
    match run(cli, color) {
        Ok(code) => code,
        Err(e) => {
            e.report();
            ExitCode::from(e.code())
        }
    }
}

/// Parse the command line. An environment variable that is set but empty counts as unset
/// (`TRIALDECK_DATA_DIR=` is how many people clear a setting) for every option that reads
/// one; clap would otherwise reject it as a missing value of a flag the user never typed.
fn parse_cli() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = without_empty_env(Cli::command());
    let matches = cmd.get_matches_mut();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

/// `cmd` with the environment variable of every option whose variable is empty taken off.
fn without_empty_env(mut cmd: clap::Command) -> clap::Command {
    let empty: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| {
            a.get_env()
                .and_then(std::env::var_os)
                .is_some_and(|v| v.is_empty())
        })
        .map(|a| a.get_id().clone())
        .collect();
    for id in empty {
        cmd = cmd.mut_arg(id, |a| a.env(None::<&'static str>));
    }
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in subcommands {
        cmd = cmd.mut_subcommand(name, without_empty_env);
    }
    cmd
}

fn run(cli: Cli, color: bool) -> CliResult {
    let g = cli.global;
    let sources = sources(&g)?;
    match cli.command {
        None => cmd_app(&g, &sources),
        Some(Command::Check { format }) => cmd_check(&sources, format),
        Some(Command::List { format }) => cmd_list(&load(&sources)?, format),
        Some(Command::Show { id }) => cmd_show(&load(&sources)?, &id, color),
        Some(Command::Rounds {
            presenter: true,
            name,
            ..
        }) => cmd_presenter(&g, &name),
        Some(Command::Rounds {
            name,
            trial,
            roles,
            timer,
            learners,
            handout,
            ..
        }) => cmd_rounds(
            &g,
            &sources,
            &name,
            trial.as_deref(),
            &roles,
            timer,
            learners.as_deref(),
            handout,
        ),
        Some(Command::Search { query, limit }) => {
            cmd_search(load(&sources)?, &query.join(" "), limit)
        }
        Some(Command::Quiz(args)) => cmd_quiz(&g, load_for_app(&sources)?, &args),
        Some(Command::Stats { format }) => cmd_stats(&g, &load(&sources)?, format),
        Some(Command::Cards(args)) => cmd_cards(&g, &load(&sources)?, args),
        Some(Command::Optimize { format }) => cmd_optimize(&g, format),
        Some(Command::Config { command }) => cmd_config(&g, command),
        Some(Command::Export(args)) => cmd_export(&load(&sources)?, &args),
        #[cfg(feature = "dev")]
        Some(Command::Dev {
            command:
                DevCommand::GenPack {
                    trials,
                    first,
                    seed,
                    out,
                },
        }) => cmd_gen_pack(trials, first, seed, &out),
    }
}

/// The packs to load: the bundled one, or each `--pack` directory. A path that does not
/// exist, or the same directory given twice, is a mistake on the command line.
fn sources(g: &Global) -> CliResult<Vec<PackSource>> {
    if g.packs.is_empty() {
        return Ok(vec![PackSource::Bundled]);
    }
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for p in &g.packs {
        let canonical = match std::fs::canonicalize(p) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CliError::Usage(format!(
                    "--pack {}: no such file or directory",
                    p.display()
                )));
            }
            // Unreadable and the like: the loader reports it with the pack's other problems.
            Err(_) => p.clone(),
        };
        if let Some((_, first)) = seen.iter().find(|(c, _)| *c == canonical) {
            let same = if *first == p.as_path() {
                String::new()
            } else {
                format!(" (as --pack {})", first.display())
            };
            return Err(CliError::Usage(format!(
                "--pack {} is given twice{same}; give each pack once",
                p.display()
            )));
        }
        seen.push((canonical, p));
    }
    Ok(g.packs.iter().cloned().map(PackSource::Dir).collect())
}

/// Load the packs once, printing warnings to stderr.
fn load(sources: &[PackSource]) -> CliResult<Library> {
    Ok(warned(
        trialdeck::pack::load(sources).map_err(CliError::Pack)?,
    ))
}

/// Load the packs for the app, printing warnings to stderr: the images of packs read from
/// their files are written by the app once its first frame is on screen, off its drawing
/// thread (see the runtime).
fn load_for_app(sources: &[PackSource]) -> CliResult<Library> {
    Ok(warned(
        content::load_later(sources).map_err(CliError::Pack)?,
    ))
}

/// The library loaded, its warnings printed to stderr.
fn warned(loaded: content::Loaded) -> Library {
    if !loaded.report.diagnostics.is_empty() {
        write_stderr(&loaded.report.render());
    }
    loaded.library
}

/// Write to stderr, never failing: a closed, full or broken stderr must not turn a message
/// into a panic (`eprintln!` panics), and there is nowhere else to report it.
fn write_stderr(s: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(s.as_bytes()).and_then(|()| err.flush());
}

/// One line for people on stderr, `trialdeck: ` first. It may echo user input, so it is
/// cleaned of control characters.
fn note(msg: &str) {
    write_stderr(&format!("trialdeck: {}\n", content::sanitize::clean(msg)));
}

fn write_stdout(s: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`trialdeck list | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| CliError::Io(format!("cannot write output: {e}"))),
    }
}

/// The keymap: the defaults, or `--keymap FILE` over them.
fn keymap(g: &Global) -> CliResult<trialdeck::tui::keymap::Keymap> {
    Ok(match &g.keymap {
        None => trialdeck::tui::keymap::Keymap::default(),
        Some(path) => {
            let text = trialdeck::fsutil::read_text(path, MAX_SMALL_FILE).map_err(|e| {
                CliError::Usage(format!("cannot read keymap {}: {e}", path.display()))
            })?;
            trialdeck::tui::keymap::Keymap::from_ron(&text).map_err(|errs| {
                CliError::Usage(format!(
                    "keymap {} has problems:\n  {}\nfix them, or start without --keymap",
                    path.display(),
                    errs.join("\n  ")
                ))
            })?
        }
    })
}

/// No subcommand: open the app.
fn cmd_app(g: &Global, sources: &[PackSource]) -> CliResult {
    // A warm start draws from the packs' images and looks at their files after the first
    // frame (the runtime does, and reloads what changed); any other start loads as usual.
    let library = match content::open_unverified(sources, &content::Cache::from_env()) {
        Some(loaded) => warned(loaded),
        None => load_for_app(sources)?,
    };
    let keymap = keymap(g)?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        // No app to draw a frame: the files are looked at, and the images written, now.
        let library = match library.take_unverified().map(content::Unverified::verify) {
            Some(content::Verdict::Changed(loaded)) => warned(loaded.map_err(CliError::Pack)?),
            Some(content::Verdict::Fresh) | None => library,
        };
        trialdeck::pack::write_images(&library);
        return Err(CliError::Terminal(format!(
            "loaded {} entries and {} questions, but the app needs a terminal; \
             for plain output try `trialdeck list` or `trialdeck show ID`",
            library.entries.len(),
            library.question_count()
        )));
    }
    let mut app =
        trialdeck::tui::app::App::new(library, theme(g, ThemeName::Dark)).with_keymap(keymap);
    content::trace("app");
    let store = open_history(g, &mut app, false)?;
    content::trace("history");
    run_app(app, store)
}

/// The settings file's path.
fn config_path(g: &Global) -> Option<PathBuf> {
    g.config.clone().or_else(trialdeck::config::default_path)
}

/// The settings, and a notice when the file is broken (the defaults are used then).
fn load_config(g: &Global) -> (trialdeck::config::Config, Option<String>) {
    match config_path(g) {
        Some(p) => trialdeck::config::Config::load(&p),
        None => (trialdeck::config::Config::default(), None),
    }
}

/// Open the review history for the app and attach it (card states, scheduler, level), with
/// the settings' theme and keys. What a history problem does (stop the quiz, open the browser
/// without saving) is [`trialdeck::review::history`]'s call.
fn open_history(
    g: &Global,
    app: &mut trialdeck::tui::app::App,
    strict: bool,
) -> CliResult<trialdeck::review::Store> {
    use trialdeck::review::{Access, history};
    let (config, config_notice) = load_config(g);
    let now = clock()?.now();
    let sched = scheduler(&config, now);
    let access = if strict {
        Access::Strict
    } else {
        Access::Lenient
    };
    let opened =
        history::open(g.data_dir.as_deref(), g.no_save, sched.clone(), access).map_err(|e| {
            CliError::Io(format!(
                "{e}\nthe review history was left untouched; move it aside, point --data-dir \
                 elsewhere, or use --no-save"
            ))
        })?;
    let mut notices: Vec<String> = config_notice.into_iter().collect();
    notices.extend(opened.notices);
    let store = opened.store;
    let states = opened.states;
    // The store's scheduler: the config's, with the learner's fitted parameters if any.
    app.attach_history(
        &states,
        store.scheduler().clone(),
        store.is_saving(),
        config.role,
    );
    app.deck.set_flags(opened.flags);
    app.deck.limits = config.limits();
    app.deck.ongoing_facts = config.ongoing_facts;
    app.now = now;
    app.deck.set_done(history::today(&store, unix(now)), now);
    if let Some(t) = config
        .theme
        .as_deref()
        .and_then(ThemeName::parse)
        .filter(|_| g.theme.is_none() && !no_color(g))
    {
        app.theme = trialdeck::tui::theme::Theme::new(t);
    }
    if !config.keys.is_empty() && g.keymap.is_none() {
        match trialdeck::tui::keymap::Keymap::with_overrides(&config.keys) {
            Ok(k) => app.keymap = k,
            Err(errs) => notices.push(format!("config keys ignored: {}", errs.join("; "))),
        }
    }
    if !notices.is_empty() {
        app.notify(content::sanitize::clean(&notices.join(" · ")));
    }
    Ok(store)
}

fn parse_roles(roles: &[String]) -> CliResult<Vec<trialdeck::content::Role>> {
    roles
        .iter()
        .flat_map(|r| r.split(','))
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            trialdeck::content::Role::parse(r).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown role `{r}`; use student, resident, fellow, attending, phd, editor or guideline"
                ))
            })
        })
        .collect()
}

/// The clock: `TRIALDECK_NOW` (RFC 3339) when set, else the system's.
fn clock() -> CliResult<trialdeck::review::clock::Clock> {
    trialdeck::review::clock::Clock::from_env().map_err(CliError::Usage)
}

fn unix(t: std::time::SystemTime) -> i64 {
    trialdeck::tui::app::quiz::unix(t)
}

/// The scheduler the settings ask for, counting days in local time at `now`.
fn scheduler(
    config: &trialdeck::config::Config,
    now: std::time::SystemTime,
) -> trialdeck::review::Scheduler {
    config
        .scheduler()
        .with_day_offset(trialdeck::review::clock::day_offset(unix(now)))
}

/// Open the history to read (stats, cards) with the settings' scheduler and fitted parameters.
fn read_history(
    g: &Global,
    now: std::time::SystemTime,
    access: trialdeck::review::Access,
) -> CliResult<(trialdeck::review::History, trialdeck::config::Config)> {
    let (config, notice) = load_config(g);
    if let Some(n) = notice {
        note(&n);
    }
    let sched = scheduler(&config, now);
    let opened = trialdeck::review::history::open(g.data_dir.as_deref(), false, sched, access)
        .map_err(|e| CliError::Io(format!("{e}; the file was left untouched")))?;
    Ok((opened, config))
}

/// `quiz`: a session (or the builder) on the review history.
fn cmd_quiz(g: &Global, library: Library, args: &QuizArgs) -> CliResult {
    let mut filter = trialdeck::review::Filter {
        roles: parse_roles(&args.roles)?,
        trials: args
            .trials
            .iter()
            .map(|t| resolve_id(&library, t).map(|e| e.id.to_string()))
            .collect::<CliResult<Vec<_>>>()?,
        topics: args.topics.clone(),
        due: args.due,
        new: args.new,
        missed: args.missed,
        no_facts: args.no_facts,
        count: args.count,
        ongoing_facts: args.ongoing_facts,
        shuffle: args.shuffle.then(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        }),
    };
    // No filter at all: the session builder, where the learner chooses.
    let builder = filter == trialdeck::review::Filter::default();
    need_terminal(&library)?;
    let mut app = trialdeck::tui::app::App::new(library, theme(g, ThemeName::Dark));
    let store = open_history(g, &mut app, true)?;
    if filter.roles.is_empty()
        && let Some(level) = app.deck.level
    {
        filter.roles = trialdeck::review::roles_up_to(level);
    }
    if let Some(n) = args.new_per_day {
        app.deck.limits.new_per_day = n;
    }
    if let Some(n) = args.reviews_per_day {
        app.deck.limits.reviews_per_day = n;
    }
    filter.ongoing_facts |= app.deck.ongoing_facts;
    // Started from the shell: leaving the quiz returns there.
    app.quit_after_quiz = true;
    app.start_quiz(filter, builder);
    run_app(app, store)
}

/// `stats`: the review history in numbers. Only reads the history (nothing is created or
/// written), as the app reads one it may not write.
fn cmd_stats(g: &Global, library: &Library, format: CheckFormat) -> CliResult {
    use trialdeck::review::{Access, CardIndex, build_cards, optimize, queue::Today};
    let now = clock()?.now();
    let (opened, _) = read_history(g, now, Access::ReadOnly)?;
    let store = opened.store;
    let cards = build_cards(library);
    let index = CardIndex::new(&cards);
    let states = index.align(&opened.states);
    let mut flags = vec![trialdeck::review::CardFlags::default(); cards.len()];
    for (id, f) in store.flags().unwrap_or_default() {
        if let Some(i) = index.get(&id) {
            flags[i] = f;
        }
    }
    let today = Today::new(store.scheduler(), unix(now));
    let since = today.now - 31 * trialdeck::review::fsrs::DAY;
    let reviews = store
        .reviews_since(since)
        .map_err(|e| CliError::Io(format!("cannot read the review history: {e}")))?;
    let names = library
        .entries
        .iter()
        .map(|e| (e.id.to_string(), e.name.to_string()))
        .collect();
    let mut stats = trialdeck::review::stats::compute(
        &cards, &index, &states, &flags, &reviews, &names, &today,
    );
    let all = store.reviews_in_force().unwrap_or_default();
    let items = optimize::items(&all, store.scheduler()).0.len();
    let fitted = store.fitted().ok().flatten();
    stats.optimize = Some(optimize::due(items, fitted.as_ref(), today.now).line());
    match format {
        CheckFormat::Json => {
            let s = serde_json::to_string_pretty(&stats).expect("stats serialize");
            write_stdout(&format!("{s}\n"))
        }
        CheckFormat::Text => write_stdout(&trialdeck::review::stats::render_text(&stats)),
    }?;
    Ok(ExitCode::SUCCESS)
}

/// The card ids an argument names: an exact id, else every id that contains it (it must
/// name one card).
fn resolve_cards(cards: &[trialdeck::review::Card], args: &[String]) -> CliResult<Vec<String>> {
    if args.is_empty() {
        return Err(CliError::Usage(
            "name the cards, e.g. `trialdeck cards suspend her2-tdm1/q/emilia-resident` \
             (see `trialdeck cards` for the ids)"
                .into(),
        ));
    }
    let mut out = Vec::new();
    for a in args {
        if let Some(c) = cards.iter().find(|c| c.id.0 == *a) {
            out.push(c.id.0.clone());
            continue;
        }
        let hits: Vec<&str> = cards
            .iter()
            .filter(|c| c.id.0.contains(a.as_str()))
            .map(|c| c.id.0.as_str())
            .collect();
        match hits.as_slice() {
            [one] => out.push(one.to_string()),
            [] => {
                return Err(CliError::Usage(format!(
                    "no card `{}`; `trialdeck cards` lists every id",
                    content::sanitize::clean(a)
                )));
            }
            many => {
                return Err(CliError::Usage(format!(
                    "`{}` names {} cards ({}…); give more of the id",
                    content::sanitize::clean(a),
                    many.len(),
                    many.iter().take(3).copied().collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(out)
}

/// `cards`: every card with its state; `cards suspend|unsuspend|bury|reset CARD…`.
fn cmd_cards(g: &Global, library: &Library, args: CardsArgs) -> CliResult {
    use trialdeck::review::{Access, CardIndex, CardOp, browse, build_cards, queue::Today};
    let now = clock()?.now();
    let cards = build_cards(library);
    if let Some(cmd) = args.command {
        let (opened, _) = read_history(g, now, Access::Strict)?;
        let mut store = opened.store;
        if !store.is_saving() {
            return Err(CliError::Io(format!(
                "the review history cannot be written{}; nothing was changed",
                opened
                    .notices
                    .first()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )));
        }
        let today = Today::new(store.scheduler(), unix(now));
        let (op, ids) = match cmd {
            CardsCommand::Suspend { cards: c } => (CardOp::Suspend, c),
            CardsCommand::Unsuspend { cards: c } => (CardOp::Unsuspend, c),
            CardsCommand::Bury { cards: c } => (CardOp::Bury { until: today.end() }, c),
            CardsCommand::Reset { cards: c } => (CardOp::Reset, c),
        };
        let ids = resolve_cards(&cards, &ids)?;
        let changed = store
            .apply(op, &ids)
            .map_err(|e| CliError::Io(format!("the cards were NOT changed: {e}")))?;
        for c in &changed {
            write_stdout(&format!("{}: {}\n", c.card, op.verb()))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (opened, _) = read_history(g, now, Access::ReadOnly)?;
    let store = opened.store;
    let index = CardIndex::new(&cards);
    let states = index.align(&opened.states);
    let mut flags = vec![trialdeck::review::CardFlags::default(); cards.len()];
    for (id, f) in store.flags().unwrap_or_default() {
        if let Some(i) = index.get(&id) {
            flags[i] = f;
        }
    }
    let today = Today::new(store.scheduler(), unix(now));
    let rows: Vec<browse::CardRow> = (0..cards.len())
        .map(|i| browse::row(library, &cards, &states, &flags, i, &today))
        .filter(|r| args.filter.as_deref().is_none_or(|f| browse::matches(r, f)))
        .collect();
    match args.format {
        CardsFormat::Json => {
            let s = serde_json::to_string_pretty(&rows).expect("rows serialize");
            write_stdout(&format!("{s}\n"))?
        }
        CardsFormat::Table => write_stdout(&browse::table(&rows))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `optimize`: fit the learner's FSRS parameters to their log and keep them if they fit
/// better.
fn cmd_optimize(g: &Global, format: CheckFormat) -> CliResult {
    use trialdeck::review::{Access, optimize, store::Fitted};
    let now = clock()?.now();
    let (opened, _) = read_history(g, now, Access::Strict)?;
    let mut store = opened.store;
    let reviews = store
        .reviews_in_force()
        .map_err(|e| CliError::Io(format!("cannot read the review history: {e}")))?;
    let sched = store.scheduler().clone();
    let report = optimize::fit(&reviews, &sched).map_err(|e| match e {
        optimize::OptimizeError::NotEnough { .. } => CliError::Usage(e.to_string()),
        other => CliError::Io(other.to_string()),
    })?;
    let mut saved = false;
    if report.better {
        if !store.is_saving() {
            return Err(CliError::Io(
                "the review history cannot be written; the parameters were not kept".into(),
            ));
        }
        store
            .save_fitted(&Fitted {
                at: unix(now),
                parameters: report.parameters.clone(),
                reviews: report.items as u64,
                log_loss_before: report.before.log_loss,
                log_loss_after: report.after.log_loss,
                rmse_before: report.before.rmse,
                rmse_after: report.after.rmse,
            })
            .map_err(|e| CliError::Io(format!("the parameters were NOT saved: {e}")))?;
        saved = true;
    }
    match format {
        CheckFormat::Json => {
            let v = serde_json::json!({ "report": report, "saved": saved });
            write_stdout(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("report serializes")
            ))?
        }
        CheckFormat::Text => {
            let params: Vec<String> = report
                .parameters
                .iter()
                .map(|p| format!("{p:.4}"))
                .collect();
            write_stdout(&format!(
                "Fitted FSRS parameters to {} reviews ({} on a later day than the card's previous one).\n\
                 \n\
                 {:<22} {:>10} {:>10}\n\
                 {:<22} {:>10.4} {:>10.4}\n\
                 {:<22} {:>10.4} {:>10.4}\n\
                 \n\
                 {}\n\
                 Parameters: {}\n",
                report.reviews,
                report.items,
                "",
                "log loss",
                "RMSE",
                if sched.fitted {
                    "before (yours)"
                } else {
                    "before (defaults)"
                },
                report.before.log_loss,
                report.before.rmse,
                "after",
                report.after.log_loss,
                report.after.rmse,
                if saved {
                    "The new parameters predict your log better: they are saved in the history and schedule from now on."
                } else {
                    "The new parameters do not predict your log better: the ones in use are kept."
                },
                params.join(", ")
            ))?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `config path|show|set`.
fn cmd_config(g: &Global, command: ConfigCommand) -> CliResult {
    let Some(path) = config_path(g) else {
        return Err(CliError::Io(
            "no config directory on this system; pass --config FILE".into(),
        ));
    };
    match command {
        ConfigCommand::Path => write_stdout(&format!("{}\n", path.display()))?,
        ConfigCommand::Show => {
            let (c, notice) = trialdeck::config::Config::load(&path);
            if let Some(n) = notice {
                note(&n);
            }
            let mut shown = c.show();
            if !shown.ends_with('\n') {
                shown.push('\n');
            }
            write_stdout(&shown)?;
        }
        ConfigCommand::Set { key, value } => {
            let (mut c, notice) = trialdeck::config::Config::load(&path);
            if let Some(n) = notice {
                return Err(CliError::Usage(format!(
                    "{}; not changing a file that does not parse",
                    content::sanitize::clean(&n)
                )));
            }
            c.set(&key, &value)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            if key.starts_with("keys.") {
                trialdeck::tui::keymap::Keymap::with_overrides(&c.keys)
                    .map_err(|errs| CliError::Usage(errs.join("\n")))?;
            }
            c.save(&path).map_err(|e| CliError::Io(e.to_string()))?;
            write_stdout(&format!("{key} = {value} (saved to {})\n", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The app needs a terminal on both ends.
fn need_terminal(library: &Library) -> CliResult<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CliError::Terminal(format!(
            "loaded {} entries and {} questions, but the app needs a terminal; \
             for plain output try `trialdeck list` or `trialdeck show ID`",
            library.entries.len(),
            library.question_count()
        )));
    }
    Ok(())
}

/// `rounds`: teaching rounds on one trial, listening for presenters as round `name`.
#[allow(clippy::too_many_arguments)]
fn cmd_rounds(
    g: &Global,
    sources: &[PackSource],
    name: &str,
    trial: Option<&str>,
    roles: &[String],
    timer: u64,
    learners: Option<&Path>,
    handout: Option<PathBuf>,
) -> CliResult {
    let library = load(sources)?;
    let entry = match trial {
        Some(id) => {
            let e = resolve_id(&library, id)?;
            library.index_of(&e.id).unwrap_or(0)
        }
        None => library.landmark().unwrap_or(0),
    };
    if library
        .entries
        .get(entry)
        .is_none_or(|e| e.questions.is_empty())
    {
        return Err(CliError::Usage(
            "this entry has no discussion questions; pick a trial with --trial ID".into(),
        ));
    }
    let roles = parse_roles(roles)?;
    let learners = match learners {
        None => Vec::new(),
        Some(path) => trialdeck::fsutil::read_text(path, MAX_SMALL_FILE)
            .map_err(|e| CliError::Usage(format!("cannot read learners {}: {e}", path.display())))?
            .lines()
            .map(|l| content::sanitize::clean(l.trim()))
            .filter(|l| !l.is_empty())
            .collect(),
    };
    need_terminal(&library)?;
    let mut app = trialdeck::tui::app::App::new(library, theme(g, ThemeName::HighContrast))
        .with_keymap(keymap(g)?);
    // The round's clock starts now (the presenter shows how long it has run).
    app.now = std::time::SystemTime::now();
    let opts = trialdeck::tui::app::RoundsOptions {
        roles,
        timer: std::time::Duration::from_secs(timer.max(1)),
        learners,
        handout,
    };
    app.start_rounds(entry, opts, false);
    // The presenter link: one round per name; without a place for the socket the round
    // still runs, on this screen only.
    let packs = sources
        .iter()
        .map(|s| match s {
            PackSource::Bundled => trialdeck::link::PackRef::Bundled,
            PackSource::Dir(d) => {
                trialdeck::link::PackRef::Dir(std::fs::canonicalize(d).unwrap_or(d.clone()))
            }
        })
        .collect();
    use trialdeck::link::LinkError;
    let link = match trialdeck::link::Room::open(name, packs) {
        Ok(room) => Some(trialdeck::tui::runtime::Link::Room(room)),
        Err(e @ (LinkError::Busy { .. } | LinkError::BadName(_))) => {
            return Err(CliError::Usage(e.to_string()));
        }
        Err(e) => {
            app.notify(format!("no presenter can join: {e}"));
            None
        }
    };
    // Nothing personal is read or written in rounds: the history is an empty one in memory.
    let store = trialdeck::review::Store::no_save(trialdeck::review::Scheduler::default());
    run_app_linked(app, store, link)
}

/// `rounds --presenter`: join the round `name` running on another terminal.
fn cmd_presenter(g: &Global, name: &str) -> CliResult {
    use trialdeck::link::{LinkError, PackRef, ToPresenter};
    let (link, hello) = trialdeck::link::Presenter::connect(name).map_err(|e| match e {
        LinkError::Io { .. } => CliError::Io(e.to_string()),
        e => CliError::Usage(e.to_string()),
    })?;
    let ToPresenter::Hello { packs, state, .. } = hello else {
        return Err(CliError::Io(
            "the round did not greet this presenter".into(),
        ));
    };
    // The room's packs, so both screens hold the same trial.
    let sources: Vec<PackSource> = packs
        .into_iter()
        .map(|p| match p {
            PackRef::Bundled => PackSource::Bundled,
            PackRef::Dir(d) => PackSource::Dir(d),
        })
        .collect();
    let library = load(&sources)?;
    need_terminal(&library)?;
    let mut app =
        trialdeck::tui::app::App::new(library, theme(g, ThemeName::Dark)).with_keymap(keymap(g)?);
    app.start_presenter(name, &state).map_err(CliError::Usage)?;
    let store = trialdeck::review::Store::no_save(trialdeck::review::Scheduler::default());
    run_app_linked(
        app,
        store,
        Some(trialdeck::tui::runtime::Link::Presenter(link)),
    )
}

fn no_color(g: &Global) -> bool {
    g.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The theme to start in: `--theme`, else mono without colour, else the screen's default
/// (dark for studying, high contrast for rounds).
fn theme(g: &Global, default: ThemeName) -> ThemeName {
    g.theme.unwrap_or(if no_color(g) {
        ThemeName::Mono
    } else {
        default
    })
}

/// Run the app until it ends (the runtime writes what the session leaves, a rounds handout,
/// however it ends: `q`, a signal, a closed terminal, a terminal error), and tell the shell
/// what it left.
fn run_app(app: trialdeck::tui::app::App, store: trialdeck::review::Store) -> CliResult {
    run_app_linked(app, store, None)
}

/// [`run_app`] on one end of a round's presenter link.
fn run_app_linked(
    app: trialdeck::tui::app::App,
    store: trialdeck::review::Store,
    link: Option<trialdeck::tui::runtime::Link>,
) -> CliResult {
    let clock = clock()?;
    let outcome =
        trialdeck::tui::runtime::run_linked(app, store, Box::new(move || clock.now()), link)
            .map_err(|e| CliError::Terminal(format!("terminal error: {e}")))?;
    if let Some(notice) = &outcome.notice {
        note(notice);
    }
    match outcome.signal {
        // Stopped by a signal: exit as the shell convention says (128 + signal).
        Some(sig) => Ok(ExitCode::from((128 + sig).clamp(0, 255) as u8)),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `check`: the report on stdout; exit 1 when it has errors.
fn cmd_check(sources: &[PackSource], format: CheckFormat) -> CliResult {
    let report = match trialdeck::pack::load(sources) {
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
            .expect("a report serializes to JSON");
            write_stdout(&format!("{s}\n"))?;
        }
        CheckFormat::Text if report.diagnostics.is_empty() => {
            write_stdout("ok: no problems found\n")?
        }
        CheckFormat::Text => write_stdout(&report.render())?,
    }
    Ok(if report.has_errors() {
        ExitCode::from(EXIT_PACK)
    } else {
        ExitCode::SUCCESS
    })
}

/// `list`: a table (cut to fit only on a terminal), TSV or JSON.
fn cmd_list(lib: &Library, format: ListFormat) -> CliResult {
    use trialdeck::export::list;
    let rows = list::list_rows(lib);
    let out = match format {
        ListFormat::Table => list::list_table(&rows, std::io::stdout().is_terminal()),
        ListFormat::Tsv => list::list_tsv(&rows),
        ListFormat::Json => list::list_json(&rows),
    };
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The entry an id argument names (see [`content::lookup::resolve_id`]); a miss is a usage
/// error that suggests the nearest ids.
fn resolve_id<'a>(lib: &'a Library, arg: &str) -> CliResult<&'a Entry> {
    content::lookup::resolve_id(lib, arg).map_err(CliError::Usage)
}

/// `show ID`: one entry as plain text.
fn cmd_show(lib: &Library, id: &str, color: bool) -> CliResult {
    let e = resolve_id(lib, id)?;
    write_stdout(&trialdeck::doc::plain::render(lib, e, color))?;
    Ok(ExitCode::SUCCESS)
}

/// `search QUERY`: one hit per line. An empty query or a filter that names nothing is a
/// usage error.
fn cmd_search(lib: Library, query: &str, limit: usize) -> CliResult {
    if query.trim().is_empty() {
        return Err(CliError::Usage(
            "the search query is empty; give words to look for, e.g. \
             `trialdeck search emilia pfs` (syntax: 'exact !not @role #kind)"
                .into(),
        ));
    }
    trialdeck::search::check(query).map_err(CliError::Usage)?;
    let index = trialdeck::search::SearchIndex::build(std::sync::Arc::new(lib));
    let hits = index.search(query, limit);
    write_stdout(&trialdeck::search::format_hits(&index, &hits))?;
    Ok(ExitCode::SUCCESS)
}

/// `export`: the selected entries and questions, to stdout or atomically to a file. The Anki
/// package is binary, so it needs `--out`.
fn cmd_export(lib: &Library, args: &ExportArgs) -> CliResult {
    use trialdeck::export::{self, Selection};
    let mut ids: Vec<&str> = Vec::new();
    for t in &args.trials {
        ids.push(resolve_id(lib, t)?.id.as_str());
    }
    let roles = parse_roles(&args.roles)?;
    if args.facts && !matches!(args.format, ExportFormat::Csv | ExportFormat::Anki) {
        return Err(CliError::Usage(
            "--facts adds fact cards to the csv and anki exports only".into(),
        ));
    }
    let sel = Selection::new(lib, &ids, &roles);
    let body: Vec<u8> = match args.format {
        ExportFormat::Json => export::to_json_selected(lib, &sel).into_bytes(),
        ExportFormat::Markdown => export::markdown::render(lib, &sel).into_bytes(),
        ExportFormat::Csv => export::csv::render(lib, &sel, args.facts).into_bytes(),
        ExportFormat::Anki => {
            if args.out.is_none() {
                return Err(CliError::Usage(
                    "--format anki writes a binary .apkg package; give --out FILE.apkg".into(),
                ));
            }
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            export::anki::build(lib, &sel, args.facts, now_ms)
                .map_err(|e| CliError::Io(e.to_string()))?
        }
    };
    match &args.out {
        Some(path) => {
            trialdeck::fsutil::write_atomically(path, &body, args.force).map_err(|e| {
                let hint = match trialdeck::fsutil::refusal(&e) {
                    Some(_) => "; pass --force to replace it",
                    None => "",
                };
                CliError::Io(format!("cannot write {}: {e}{hint}", path.display()))
            })?
        }
        // Only text formats get here (anki needs --out).
        None => write_stdout(&String::from_utf8_lossy(&body))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `dev gen-pack`: a synthetic pack for benchmarks.
#[cfg(feature = "dev")]
fn cmd_gen_pack(trials: usize, first: usize, seed: u64, out: &Path) -> CliResult {
    trialdeck::dev::generate::check_trials(trials).map_err(|e| CliError::Usage(e.to_string()))?;
    trialdeck::dev::generate::gen_pack_from(trials, seed, first, out)
        .map_err(|e| CliError::Io(format!("cannot write {}: {e}", out.display())))?;
    write_stdout(&format!("wrote {trials} trials to {}\n", out.display()))?;
    Ok(ExitCode::SUCCESS)
}
