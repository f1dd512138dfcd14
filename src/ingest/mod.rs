//! Reading the archive: walking folders (with their manifests) and turning each supported file
//! format into [`Article`]s, streamed to a sink so that no file is held whole as articles.
//!
//! - `walk`: which files are articles, which are skipped and why, manifests, signatures;
//! - `source`: opening a file (gzip, size limits, binary detection, text decoding);
//! - `body`: the body text rules every format shares (paragraphs, whitespace, NFC);
//! - `text`, `markdown`, `html`, `rtf`, `records`: the formats.
//!
//! Metadata mapping and precedence live in [`crate::metadata`].

mod body;
mod html;
mod markdown;
mod records;
mod rtf;
mod source;
mod text;
mod walk;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::article::Article;
use crate::metadata::{self, Meta, MetaBuilder, Origin};

pub use body::{nfc, normalise_body};
pub use walk::discover;

/// Bumped whenever reading changes what an article looks like: it is part of every file's
/// signature, so a newer newsidx re-reads files that an older one indexed.
pub const READER_VERSION: u64 = 2;

/// Largest text (after decompression) read from a single-article file (`.txt`, `.md`,
/// `.html`), and largest single record or line of a multi-record file. Larger ones are
/// skipped as "too large": no real article is that long, and it bounds memory (gzip bombs
/// included). Multi-record files themselves are streamed and may be any size.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;

/// At most this many warnings are kept per file (the rest are counted in one last warning).
const MAX_WARNINGS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
    Rtf,
    Markdown,
    Html,
    Json,
    Jsonl,
    Csv,
    Tsv,
}

impl Format {
    /// The format of a file name (`a.jsonl.gz` is gzip-compressed JSON Lines).
    pub fn of_name(name: &str) -> Option<(Format, bool)> {
        let lower = name.to_ascii_lowercase();
        let (stem, gz) = match lower.strip_suffix(".gz") {
            Some(s) => (s, true),
            None => (lower.as_str(), false),
        };
        let ext = stem.rsplit_once('.')?.1;
        let f = match ext {
            "txt" | "text" => Format::Txt,
            "rtf" => Format::Rtf,
            "md" | "markdown" | "mdown" | "mkd" => Format::Markdown,
            "html" | "htm" | "xhtml" => Format::Html,
            "json" => Format::Json,
            "jsonl" | "ndjson" | "jsonlines" => Format::Jsonl,
            "csv" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            _ => return None,
        };
        Some((f, gz))
    }

    /// Whether one file holds one article (and so is bounded by [`MAX_TEXT_BYTES`]).
    pub fn single_article(self) -> bool {
        matches!(
            self,
            Format::Txt | Format::Rtf | Format::Markdown | Format::Html
        )
    }
}

pub struct SourceFile {
    /// The path as walked (the root joined with `rel`).
    pub path: PathBuf,
    pub root: PathBuf,
    /// Path relative to the root, `/`-separated (the file name when the root is the file).
    pub rel: String,
    pub size: u64,
    /// Change signature: size, mtime, the manifest rows that describe the file, and
    /// [`READER_VERSION`]. When it differs from the indexed one the file is re-read.
    pub sig: u64,
    pub format: Format,
    pub gzip: bool,
    /// Metadata the folder's manifest gives for this file.
    pub manifest: Option<Arc<Meta>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Unsupported,
    Unreadable(String),
    /// `manifest.csv` / `manifest.jsonl`: metadata for other files, not an article.
    Manifest,
    Empty,
    Binary,
    TooLarge,
    SymlinkLoop,
    BrokenSymlink,
    NotAFile,
    /// Readable, but no article text in it (only whitespace, or only metadata).
    NoText,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Unsupported => f.write_str("unsupported file type"),
            SkipReason::Unreadable(e) => write!(f, "unreadable: {e}"),
            SkipReason::Manifest => f.write_str("manifest"),
            SkipReason::Empty => f.write_str("empty"),
            SkipReason::Binary => f.write_str("binary"),
            SkipReason::TooLarge => {
                write!(f, "too large (over {} MiB of text)", MAX_TEXT_BYTES >> 20)
            }
            SkipReason::SymlinkLoop => f.write_str("symlink loop"),
            SkipReason::BrokenSymlink => f.write_str("broken symlink"),
            SkipReason::NotAFile => f.write_str("not a regular file"),
            SkipReason::NoText => f.write_str("no article text"),
        }
    }
}

#[derive(Debug)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

#[derive(Debug)]
pub struct Warning {
    pub path: PathBuf,
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

pub struct Discovery {
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    /// Problems found while walking (unreadable manifest rows, ...).
    pub warnings: Vec<Warning>,
}

pub struct FileOutcome {
    pub articles: u64,
    pub warnings: Vec<Warning>,
}

pub enum ReadError {
    Skipped(Skipped),
    Sink(anyhow::Error),
}

/// Reads one file, handing each article to `sink` as soon as it is complete.
pub fn read_file(
    file: &SourceFile,
    sink: &mut dyn FnMut(Article) -> anyhow::Result<()>,
) -> Result<FileOutcome, ReadError> {
    let mut out = Emitter::new(file, sink);
    let skip = |reason| {
        ReadError::Skipped(Skipped {
            path: file.path.clone(),
            reason,
        })
    };
    match file.format {
        Format::Txt | Format::Rtf | Format::Markdown | Format::Html => {
            let (mut text, warning) = source::read_text(file).map_err(skip)?;
            if let Some(w) = warning {
                out.warn(None, w);
            }
            // TextEdit and WordPad save RTF under any name.
            if matches!(file.format, Format::Txt | Format::Rtf) && rtf::is_rtf(&text) {
                text = rtf::to_text(&text);
            }
            let (meta, body) = match file.format {
                Format::Txt | Format::Rtf => text::read(&text, file.manifest.as_deref()),
                Format::Markdown => markdown::read(&text, file.manifest.as_deref(), &mut out),
                _ => html::read(&text),
            };
            if body.is_empty() {
                return Err(skip(SkipReason::NoText));
            }
            out.emit(meta, body, None, None).map_err(ReadError::Sink)?;
        }
        Format::Json | Format::Jsonl | Format::Csv | Format::Tsv => {
            let reader = source::open_stream(file).map_err(skip)?;
            let res = match file.format {
                Format::Json => records::read_json(reader, &mut out),
                Format::Jsonl => records::read_jsonl(reader, &mut out),
                Format::Csv => records::read_csv(reader, b',', &mut out),
                _ => records::read_csv(reader, b'\t', &mut out),
            };
            match res {
                Ok(()) => {}
                Err(records::Stop::Sink(e)) => return Err(ReadError::Sink(e)),
                Err(records::Stop::Skip(reason)) if out.articles == 0 => return Err(skip(reason)),
                Err(records::Stop::Skip(reason)) => {
                    out.warn(None, format!("stopped reading: {reason}"));
                }
            }
        }
    }
    let articles = out.articles;
    Ok(FileOutcome {
        articles,
        warnings: out.take_warnings(),
    })
}

/// What every reader hands its articles to: resolves metadata, collects warnings.
pub(crate) struct Emitter<'a> {
    file: &'a SourceFile,
    sink: &'a mut dyn FnMut(Article) -> anyhow::Result<()>,
    warnings: Vec<Warning>,
    dropped_warnings: u64,
    articles: u64,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(
        file: &'a SourceFile,
        sink: &'a mut dyn FnMut(Article) -> anyhow::Result<()>,
    ) -> Emitter<'a> {
        Emitter {
            file,
            sink,
            warnings: Vec::new(),
            dropped_warnings: 0,
            articles: 0,
        }
    }

    /// The warnings so far (with a last one counting those not kept).
    pub(crate) fn take_warnings(&mut self) -> Vec<Warning> {
        let mut w = std::mem::take(&mut self.warnings);
        if self.dropped_warnings > 0 {
            w.push(Warning {
                path: self.file.path.clone(),
                line: None,
                message: format!("{} more warnings not shown", self.dropped_warnings),
            });
            self.dropped_warnings = 0;
        }
        w
    }

    pub(crate) fn warn(&mut self, line: Option<u64>, message: impl Into<String>) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.dropped_warnings += 1;
            return;
        }
        self.warnings.push(Warning {
            path: self.file.path.clone(),
            line,
            message: message.into(),
        });
    }

    /// Finishes one article: its metadata problems become warnings, precedence is applied,
    /// and it goes to the sink.
    pub(crate) fn emit(
        &mut self,
        meta: MetaBuilder,
        body: String,
        record: Option<u64>,
        line: Option<u64>,
    ) -> anyhow::Result<()> {
        let (meta, problems) = meta.finish();
        for p in problems {
            self.warn(line, p);
        }
        let path = self.file.path.to_string_lossy();
        let origin = Origin {
            path: &path,
            rel: &self.file.rel,
            record,
        };
        let article = metadata::resolve(&origin, self.file.manifest.as_deref(), meta, body);
        self.articles += 1;
        (self.sink)(article)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::of_name("a.txt"), Some((Format::Txt, false)));
        assert_eq!(Format::of_name("a.RTF"), Some((Format::Rtf, false)));
        assert_eq!(Format::of_name("A.JSONL.GZ"), Some((Format::Jsonl, true)));
        assert_eq!(Format::of_name("x.ndjson"), Some((Format::Jsonl, false)));
        assert_eq!(Format::of_name("page.htm.gz"), Some((Format::Html, true)));
        assert_eq!(Format::of_name("notes.md"), Some((Format::Markdown, false)));
        assert_eq!(Format::of_name("data.csv"), Some((Format::Csv, false)));
        assert_eq!(Format::of_name("photo.jpg"), None);
        assert_eq!(Format::of_name("README"), None);
        assert_eq!(Format::of_name(".gz"), None);
        assert_eq!(Format::of_name("x.gz"), None);
    }
}
