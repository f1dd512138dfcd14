//! TEMPORARY stub of the ingest API (replaced by the ingest branch): walks folders, reads .txt only.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::article::Article;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
}
pub struct SourceFile {
    pub path: PathBuf,
    pub root: PathBuf,
    pub rel: String,
    pub size: u64,
    pub sig: u64,
    pub format: Format,
}
#[derive(Debug)]
pub enum SkipReason {
    Unsupported,
    Unreadable(String),
}
impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Unsupported => f.write_str("unsupported file type"),
            SkipReason::Unreadable(e) => write!(f, "unreadable: {e}"),
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
}
pub struct FileOutcome {
    pub articles: u64,
    pub warnings: Vec<Warning>,
}
pub enum ReadError {
    Skipped(Skipped),
    Sink(anyhow::Error),
}

pub fn discover(roots: &[PathBuf], exclude: &[PathBuf]) -> Discovery {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for root in roots {
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let Ok(e) = e else { continue };
            if !e.file_type().is_file() || exclude.iter().any(|x| e.path().starts_with(x)) {
                continue;
            }
            let p = e.path().to_path_buf();
            if p.extension().and_then(|x| x.to_str()) != Some("txt") {
                skipped.push(Skipped {
                    path: p,
                    reason: SkipReason::Unsupported,
                });
                continue;
            }
            let meta = e.metadata().ok();
            let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
            let mtime = meta
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            files.push(SourceFile {
                path: p,
                root: root.clone(),
                rel,
                size,
                sig: size ^ mtime.rotate_left(17),
                format: Format::Txt,
            });
        }
    }
    Discovery { files, skipped }
}

pub fn read_file(
    file: &SourceFile,
    sink: &mut dyn FnMut(Article) -> anyhow::Result<()>,
) -> Result<FileOutcome, ReadError> {
    let text = std::fs::read_to_string(&file.path).map_err(|e| {
        ReadError::Skipped(Skipped {
            path: file.path.clone(),
            reason: SkipReason::Unreadable(e.to_string()),
        })
    })?;
    let body: Vec<&str> = text
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let a = Article {
        id: file.rel.clone(),
        path: file.path.to_string_lossy().into_owned(),
        outlet: Some(outlet_of(&file.path)),
        body: body.join("\n\n"),
        ..Default::default()
    };
    sink(a).map_err(ReadError::Sink)?;
    Ok(FileOutcome {
        articles: 1,
        warnings: vec![],
    })
}

fn outlet_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
