//! The `newsidx` binary: validates flags, runs a command, prints through the printers, and
//! maps the outcome to grep's exit codes (0 found, 1 nothing found, 2 error).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use termcolor::{ColorChoice, StandardStream};

use newsidx::article::EntityKind;
use newsidx::cli::{
    BenchQueriesArgs, BenchStage, Cli, ColorWhen, Command, EntitiesArgs, ExportArgs, Format,
    IndexArgs, Kind, OutputArgs, SearchArgs, Sort, StatsArgs,
};
use newsidx::indexer::{self, IndexOptions, Reporter};
use newsidx::ingest::{Skipped, Warning};
use newsidx::output;
use newsidx::search::{Engine, EntitiesRequest, SearchRequest, SortOrder, Stage};

// Indexing allocates many short-lived strings on every core; see Cargo.toml for why.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    // A panic is a bug, but the user still gets one line and exit 2 rather than a backtrace;
    // the index is safe either way (tantivy only ever exposes committed state).
    let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))) {
        Ok(outcome) => outcome,
        Err(_) => return ExitCode::from(2),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe (`newsidx search x | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("newsidx: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Help and version go to stdout as usual; a usage mistake is one line on stderr and exit 2
/// (clap's own message spreads over several lines with a usage block).
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let rendered = e.render().to_string();
    let first_block: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let mut msg = first_block.join(" ");
    // Keep clap's tip ("to pass '-t' as a value, use '-- -t'"): a query that starts with
    // '-' is the usual way to meet this error.
    for tip in rendered
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("tip:"))
    {
        msg.push_str("; ");
        msg.push_str(tip);
    }
    let msg = msg.strip_prefix("error: ").unwrap_or(&msg);
    let command = std::env::args()
        .nth(1)
        .filter(|a| ["index", "search", "stats", "entities", "export"].contains(&a.as_str()))
        .map(|c| format!(" {c}"))
        .unwrap_or_default();
    eprintln!("newsidx: error: {msg} (see `newsidx{command} --help`)");
    ExitCode::from(2)
}

/// One line for a panic instead of a backtrace, unless RUST_BACKTRACE asks for one.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            default(info);
            return;
        }
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("newsidx: internal error: {msg}{at} (please report this bug)");
    }));
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Index(args) => index(&cli.index, args),
        Command::Search(args) => search(&cli.index, args),
        Command::Stats(args) => stats(&cli.index, args),
        Command::Entities(args) => entities(&cli.index, args),
        Command::Export(args) => export(&cli.index, args),
        Command::BenchQueries(args) => bench_queries(&cli.index, args),
    }
}

fn color_choice(when: ColorWhen) -> ColorChoice {
    match when {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            if !no_color && io::stdout().is_terminal() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            }
        }
    }
}

/// Parses `--since`/`--until`: YYYY-MM-DD, YYYY-MM or YYYY; `end` picks the last day of a
/// month or year.
fn parse_day(flag: &str, s: &str, end: bool) -> Result<NaiveDate> {
    let s = s.trim();
    let bad = || anyhow::anyhow!("{flag} {s:?} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY");
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?).ok_or_else(bad)
        }
        [y, m] if y.len() == 4 => {
            let first = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, 1).ok_or_else(bad)?;
            if !end {
                return Ok(first);
            }
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            };
            next.and_then(|n| n.pred_opt()).ok_or_else(bad)
        }
        [y] if y.len() == 4 => {
            let y = num(y)? as i32;
            if end {
                NaiveDate::from_ymd_opt(y, 12, 31).ok_or_else(bad)
            } else {
                NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad)
            }
        }
        _ => Err(bad()),
    }
}

fn search(index_dir: &std::path::Path, args: SearchArgs) -> Result<ExitCode> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_day("--since", s, false))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_day("--until", s, true))
        .transpose()?;
    if let (Some(a), Some(b)) = (since, until) {
        if a > b {
            bail!("--since {a} is after --until {b}: nothing can match");
        }
    }
    let req = SearchRequest {
        query: args.query,
        outlets: args.outlet,
        since,
        until,
        entities: args.entity,
        limit: args.limit as usize,
        per_article: args.per_article as usize,
        context: args.context as usize,
        sort: match args.sort {
            Sort::Relevance => SortOrder::Relevance,
            Sort::Date => SortOrder::Date,
        },
        all: args.all,
        fuzzy: args.fuzzy,
        facet_limit: args.facet_limit as usize,
        // JSON always carries the facets; text shows them only when asked.
        facets: args.facets || args.output.format == Format::Json,
    };
    let engine = Engine::open(index_dir)?;
    let results = engine.search(&req)?;
    write_out(&args.output, |out| match args.output.format {
        Format::Json => output::json::write(out, &results),
        Format::Text => output::text::search(out, &results, args.facets),
    })?;
    Ok(if results.hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn stats(index_dir: &std::path::Path, args: StatsArgs) -> Result<ExitCode> {
    let engine = Engine::open(index_dir)?;
    let s = engine.stats(args.top)?;
    write_out(&args.output, |out| match args.output.format {
        Format::Json => output::json::write(out, &s),
        Format::Text => output::text::stats(out, &s),
    })?;
    Ok(ExitCode::SUCCESS)
}

fn entities(index_dir: &std::path::Path, args: EntitiesArgs) -> Result<ExitCode> {
    let engine = Engine::open(index_dir)?;
    let rows = engine.top_entities(&EntitiesRequest {
        query: args.query,
        kind: args.kind.map(|k| match k {
            Kind::Person => EntityKind::Person,
            Kind::Organization => EntityKind::Organization,
            Kind::Location => EntityKind::Location,
        }),
        outlets: args.outlet,
        limit: args.limit as usize,
    })?;
    write_out(&args.output, |out| match args.output.format {
        Format::Json => output::json::write(out, &rows),
        Format::Text => output::text::entities(out, &rows),
    })?;
    Ok(if rows.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn export(index_dir: &std::path::Path, args: ExportArgs) -> Result<ExitCode> {
    let engine = Engine::open(index_dir)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let n = newsidx::export::export(&engine, args.with_text, &mut |rec| {
        output::json::write(&mut out, &rec)
    })?;
    out.flush().context("cannot write output")?;
    Ok(if n == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn bench_queries(index_dir: &std::path::Path, args: BenchQueriesArgs) -> Result<ExitCode> {
    let queries = newsidx::bench::load_queries(&args.queries)?;
    let engine = Engine::open(index_dir)?;
    use newsidx::bench::Only;
    let only = args.only.map(|s| match s {
        BenchStage::Retrieve => Only::Stage(Stage::TopDocs),
        BenchStage::Documents => Only::Stage(Stage::Documents),
        BenchStage::Passages => Only::Stage(Stage::Passages),
        BenchStage::Facets => Only::Stage(Stage::Facets),
        BenchStage::Full => Only::Full,
    });
    let rows = newsidx::bench::run(&engine, &queries, args.runs.max(1), only)?;
    output::json::write(&mut io::stdout().lock(), &rows)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a printer on a locked, buffered stdout with the chosen colours.
fn write_out(
    o: &OutputArgs,
    print: impl FnOnce(&mut termcolor::StandardStreamLock<'_>) -> Result<()>,
) -> Result<()> {
    let stream = StandardStream::stdout(color_choice(o.color));
    let mut lock = stream.lock();
    print(&mut lock)?;
    lock.flush().context("cannot write output")?;
    Ok(())
}

/// Prints indexing progress, warnings and skips on stderr, the way a user wants to see them:
/// a progress bar on a terminal, and the first few messages of each kind (all with -v).
struct CliReporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    verbose: bool,
    warnings: AtomicU64,
    skips: AtomicU64,
    lock: Mutex<()>,
}

const SHOWN: u64 = 20;

impl CliReporter {
    fn say(&self, msg: String) {
        let _guard = self.lock.lock();
        match &self.bar {
            Some(b) => b.println(msg),
            None => eprintln!("{msg}"),
        }
    }
}

impl Reporter for CliReporter {
    fn discovered(&self, _files: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_length(bytes);
        }
    }
    fn file_done(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.inc(bytes);
        }
    }
    fn skipped(&self, s: &Skipped) {
        let n = self.skips.fetch_add(1, Ordering::Relaxed);
        if !self.quiet && (self.verbose || n < SHOWN) {
            self.say(format!("newsidx: skipped {s}"));
        } else if !self.quiet && n == SHOWN {
            self.say("newsidx: more files skipped (use --verbose to list them)".into());
        }
    }
    fn warning(&self, w: &Warning) {
        let n = self.warnings.fetch_add(1, Ordering::Relaxed);
        if !self.quiet && (self.verbose || n < SHOWN) {
            self.say(format!("newsidx: warning: {w}"));
        } else if !self.quiet && n == SHOWN {
            self.say("newsidx: more warnings (use --verbose to list them)".into());
        }
    }
}

fn index(index_dir: &std::path::Path, args: IndexArgs) -> Result<ExitCode> {
    let opts = IndexOptions {
        index_dir: index_dir.to_path_buf(),
        rebuild: args.rebuild,
        memory_mb: args.memory as usize,
        threads: args.threads,
        batch_articles: args.batch as usize,
        extract_entities: !args.no_entities,
    };
    let bar = if !args.quiet && io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let reporter = CliReporter {
        bar,
        quiet: args.quiet,
        verbose: args.verbose,
        warnings: AtomicU64::new(0),
        skips: AtomicU64::new(0),
        lock: Mutex::new(()),
    };
    let summary = indexer::run(&args.paths, &opts, &reporter)?;
    if let Some(b) = &reporter.bar {
        b.finish_and_clear();
    }
    output::text::index_summary(&mut io::stdout().lock(), &summary)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_flags() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            parse_day("--since", "2022-01-07", false).unwrap(),
            d(2022, 1, 7)
        );
        assert_eq!(
            parse_day("--since", "2022-02", false).unwrap(),
            d(2022, 2, 1)
        );
        assert_eq!(
            parse_day("--until", "2022-02", true).unwrap(),
            d(2022, 2, 28)
        );
        assert_eq!(
            parse_day("--until", "2022-12", true).unwrap(),
            d(2022, 12, 31)
        );
        assert_eq!(parse_day("--until", "2020", true).unwrap(), d(2020, 12, 31));
        assert!(parse_day("--since", "2022-02-30", false).is_err());
        assert!(parse_day("--since", "yesterday", false).is_err());
        assert!(parse_day("--since", "22-01-01", false).is_err());
    }
}
