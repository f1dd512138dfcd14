//! Command-line flags (clap derive structs only); turned into engine requests in `main.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Search engine for news archives: index folders of articles, then find \
who said what, as ranked passages with the matches highlighted.";

const AFTER_HELP: &str = "\
Examples:
  newsidx index ../shared/corpus/kazakhstan-2022
  newsidx search \"CSTO troops\"
  newsidx search '\"state of emergency\"' --outlet RT --since 2022-01-01
  newsidx search Tokayev --facets
  newsidx stats

The index lives in ./index unless --index DIR (or NEWSIDX_INDEX) says otherwise.";

#[derive(Debug, Parser)]
#[command(name = "newsidx", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Index folder.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "NEWSIDX_INDEX",
        default_value = "index"
    )]
    pub index: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index files and folders of articles (incrementally: only what changed is re-read).
    #[command(after_help = "\
Examples:
  newsidx index ../shared/corpus/kazakhstan-2022
  newsidx index articles/ exports/news.jsonl.gz --index /data/news-index
  newsidx index articles/ --rebuild

Formats: .txt .md .html/.htm .json .jsonl/.ndjson .csv, each also as .gz.
A manifest.csv or manifest.jsonl in a folder supplies metadata for the files it names.
Running it again updates the index: added and changed files are (re)indexed, files that
vanished are removed, unchanged ones are not read.")]
    Index(IndexArgs),
    /// Search the index for ranked passages.
    #[command(after_help = "\
Query syntax:
  troops CSTO           articles with all words rank first, then those with some
  \"state of emergency\"  a phrase (only its occurrences are highlighted)
  fuel AND (price OR prices) NOT diesel
  +curfew -Almaty       required / excluded words
  title:Tokayev         search one field: title, body, outlet, author, url
  entity:CSTO           articles naming an entity by any of its names (as --entity)
  Tokajev~              fuzzy (one edit; ~2 for two)    protest*   prefix

Examples:
  newsidx search \"CSTO troops\"
  newsidx search Putin --outlet RT --outlet \"Sky News\" --since 2022-01-01 --until 2022-01-31
  newsidx search curfew --format json --limit 5
  newsidx search Tokayev --all --outlet DW     every matching passage of the articles

Exit status: 0 when something was found, 1 when nothing was, 2 on error.")]
    Search(SearchArgs),
    /// Show what the index holds: articles, outlets, date span, size.
    Stats(StatsArgs),
    /// List the people, organisations and places the (matching) articles mention most.
    #[command(after_help = "\
Examples:
  newsidx entities
  newsidx entities \"CSTO troops\" --kind person
  newsidx entities --outlet RT --limit 50 --format json

Counts are articles that mention the entity; aliases are the other spellings seen.")]
    Entities(EntitiesArgs),
    /// Write every indexed article as JSON Lines (id, path, url, outlet, date, title, authors, entities).
    #[command(after_help = "\
Examples:
  newsidx export > articles.jsonl
  newsidx export --with-text | gzip > archive.jsonl.gz

One JSON object per line: id, path, url, outlet, date (YYYY-MM-DD or null), title,
authors, entities [{name, kind}], and text with --with-text. Field names are stable.")]
    Export(ExportArgs),
    /// Time each stage of a search over a query set, in-process (for bench/run.sh).
    #[command(hide = true)]
    BenchQueries(BenchQueriesArgs),
}

#[derive(Debug, Args)]
pub struct BenchQueriesArgs {
    /// A JSON array of {"kind", "query", "outlet"?, "since"?, "until"?, "entity"?}.
    #[arg(value_name = "QUERIES.json")]
    pub queries: PathBuf,

    /// Timed runs of each query and stage.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub runs: usize,

    /// Run only this stage (for profiling one stage with perf or callgrind).
    #[arg(long, value_enum, value_name = "STAGE")]
    pub only: Option<BenchStage>,
}

/// The stages `bench-queries` times (see `newsidx::search::Stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchStage {
    Retrieve,
    Documents,
    Passages,
    Facets,
    Full,
}

#[derive(Debug, Args)]
pub struct EntitiesArgs {
    /// Only articles matching this query (same syntax as search).
    #[arg(value_name = "QUERY")]
    pub query: Option<String>,

    /// Only this kind of entity.
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,

    /// Only articles of this outlet (repeat for several).
    #[arg(long, value_name = "NAME")]
    pub outlet: Vec<String>,

    /// Entities listed.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format (JSON Lines is the only one).
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,

    /// Include each article's body text.
    #[arg(long)]
    pub with_text: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Person,
    Organization,
    Location,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Delete the index first and index everything again.
    #[arg(long)]
    pub rebuild: bool,

    /// Indexing threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Memory budget for indexing buffers, in MB.
    #[arg(long, value_name = "MB", default_value_t = 256, value_parser = clap::value_parser!(u32).range(16..=65536))]
    pub memory: u32,

    /// Articles per commit: a crash loses at most this many articles of work. Each commit
    /// costs about a second of indexing (segments are finished and synced), so smaller
    /// batches trade speed for less work lost.
    #[arg(long, value_name = "N", default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,

    /// Do not extract named entities (articles keep entities their metadata gives); for
    /// measuring what extraction costs.
    #[arg(long)]
    pub no_entities: bool,

    /// Print no progress, warnings or skipped files; only the summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print every warning and skipped file (default: the first 20 of each).
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see Query syntax below).
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// Only articles of this outlet (case-insensitive; repeat for several).
    #[arg(long, value_name = "NAME")]
    pub outlet: Vec<String>,

    /// Only articles published on or after this date (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Only articles published on or before this date (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,

    /// Only articles that mention this entity (any alias, any case; repeat to require several).
    #[arg(long, value_name = "NAME")]
    pub entity: Vec<String>,

    /// Number of passages to show.
    #[arg(long, short = 'n', value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,

    /// Passages per article at most.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub per_article: u32,

    /// Neighbouring sentences to show around each passage.
    #[arg(long, short = 'C', value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub context: u32,

    /// Order of results.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,

    /// Every matching passage of the matching articles, in text order (--limit counts articles).
    #[arg(long)]
    pub all: bool,

    /// Fuzzy-match every word (one edit), as if each had a `~`.
    #[arg(long)]
    pub fuzzy: bool,

    /// Show outlet, date and entity counts among the matching articles (always in JSON).
    #[arg(long)]
    pub facets: bool,

    /// Values shown per facet.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub facet_limit: u32,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Outlets listed.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to colour the output (NO_COLOR in the environment means never for auto).
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    Relevance,
    Date,
}
