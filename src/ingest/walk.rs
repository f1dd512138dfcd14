//! Walking the paths to index: which files are articles (by extension), which are skipped
//! and why, the folders' manifests, and each file's change signature.
//!
//! Symlinks are followed (loops and broken links become skips, never abort the walk); hidden
//! files and folders (`.git`, `.DS_Store`) are not walked; the index folder is excluded.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use xxhash_rust::xxh3::Xxh3;

use crate::metadata::{field_of, Field, Meta, MetaBuilder};

use super::{Discovery, Format, SkipReason, Skipped, SourceFile, Warning, READER_VERSION};

/// Manifest file names (matched case-insensitively).
const MANIFESTS: [&str; 2] = ["manifest.csv", "manifest.jsonl"];

fn is_manifest(name: &str) -> bool {
    MANIFESTS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

/// One manifest row: the metadata it gives and a hash of the row (part of the signature of
/// the file it names, so editing the row re-indexes that file).
struct Row {
    meta: Meta,
    hash: u64,
}

/// A folder's manifest: rows by the normalised path they name, relative to the folder.
type Manifest = HashMap<String, Row>;

/// `a/./b//c` -> `a/b/c`; backslashes count as separators (manifests written on Windows).
fn normalise_rel(p: &str) -> String {
    p.trim()
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

fn row_hash(parts: &[&[u8]]) -> u64 {
    let mut h = Xxh3::new();
    for p in parts {
        h.update(p);
        h.update(&[0x1f]);
    }
    h.digest()
}

fn add_row(
    manifest: &mut Manifest,
    path: Option<String>,
    meta: MetaBuilder,
    hash: u64,
    at: (&Path, u64),
    warnings: &mut Vec<Warning>,
) {
    let (meta, problems) = meta.finish();
    for p in problems {
        warnings.push(Warning {
            path: at.0.to_path_buf(),
            line: Some(at.1),
            message: p,
        });
    }
    match path.map(|p| normalise_rel(&p)).filter(|p| !p.is_empty()) {
        Some(p) => {
            manifest.insert(p, Row { meta, hash });
        }
        None => warnings.push(Warning {
            path: at.0.to_path_buf(),
            line: Some(at.1),
            message: "manifest row without a path; ignored".into(),
        }),
    }
}

fn read_manifest_csv(path: &Path, warnings: &mut Vec<Warning>) -> Manifest {
    let mut out = Manifest::new();
    let warn = |warnings: &mut Vec<Warning>, line, message: String| {
        warnings.push(Warning {
            path: path.to_path_buf(),
            line,
            message,
        })
    };
    let mut rdr = match csv::ReaderBuilder::new().flexible(true).from_path(path) {
        Ok(r) => r,
        Err(e) => {
            warn(warnings, None, format!("cannot read manifest: {e}"));
            return out;
        }
    };
    let fields: Vec<Option<Field>> = match rdr.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|c| {
                field_of(
                    String::from_utf8_lossy(c)
                        .trim_start_matches('\u{feff}')
                        .trim(),
                )
            })
            .collect(),
        Err(e) => {
            warn(warnings, None, format!("cannot read manifest: {e}"));
            return out;
        }
    };
    if !fields.contains(&Some(Field::Path)) {
        warn(
            warnings,
            Some(1),
            "manifest has no path column (path, file, filename); ignored".into(),
        );
        return out;
    }
    for rec in rdr.byte_records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                warn(warnings, line, format!("malformed manifest row: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let mut meta = MetaBuilder::new();
        let mut file = None;
        for (cell, field) in rec.iter().zip(&fields) {
            let text = String::from_utf8_lossy(cell);
            match field {
                Some(Field::Path) => file = Some(text.into_owned()),
                Some(Field::Body(_)) | None => {}
                Some(f) => meta.offer_str(*f, &text),
            }
        }
        let parts: Vec<&[u8]> = rec.iter().collect();
        add_row(
            &mut out,
            file,
            meta,
            row_hash(&parts),
            (path, line),
            warnings,
        );
    }
    out
}

fn read_manifest_jsonl(path: &Path, warnings: &mut Vec<Warning>) -> Manifest {
    let mut out = Manifest::new();
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            warnings.push(Warning {
                path: path.to_path_buf(),
                line: None,
                message: format!("cannot read manifest: {e}"),
            });
            return out;
        }
    };
    for (i, line) in std::io::BufReader::new(f).split(b'\n').enumerate() {
        let n = i as u64 + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                warnings.push(Warning {
                    path: path.to_path_buf(),
                    line: Some(n),
                    message: format!("cannot read manifest: {e}"),
                });
                break;
            }
        };
        if line.trim_ascii().is_empty() {
            continue;
        }
        let obj = match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(_) | Err(_) => {
                warnings.push(Warning {
                    path: path.to_path_buf(),
                    line: Some(n),
                    message: "malformed manifest line (expected a JSON object); ignored".into(),
                });
                continue;
            }
        };
        let mut meta = MetaBuilder::new();
        let mut file = None;
        for (k, v) in &obj {
            match field_of(k) {
                Some(Field::Path) => file = v.as_str().map(str::to_string),
                Some(Field::Body(_)) | None => {}
                Some(f) => meta.offer_value(f, v),
            }
        }
        add_row(
            &mut out,
            file,
            meta,
            row_hash(&[line.trim_ascii()]),
            (path, n),
            warnings,
        );
    }
    out
}

fn read_manifest(path: &Path, warnings: &mut Vec<Warning>) -> Manifest {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        read_manifest_csv(path, warnings)
    } else {
        read_manifest_jsonl(path, warnings)
    }
}

struct Candidate {
    path: PathBuf,
    root: PathBuf,
    rel: String,
    size: u64,
    mtime: u64,
    format: Format,
    gzip: bool,
}

fn skip(path: &Path, reason: SkipReason) -> Skipped {
    Skipped {
        path: path.to_path_buf(),
        reason,
    }
}

/// Turns a walk error into a skip with the most telling reason.
fn walk_error(e: &walkdir::Error) -> Skipped {
    let path = e.path().map(Path::to_path_buf).unwrap_or_default();
    if e.loop_ancestor().is_some() {
        return skip(&path, SkipReason::SymlinkLoop);
    }
    let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && std::fs::metadata(&path).is_err() {
        // ELOOP from the OS (a link to itself) is a loop too.
        let looped = std::fs::metadata(&path)
            .err()
            .and_then(|e| e.raw_os_error())
            .is_some_and(|c| c == 40);
        return skip(
            &path,
            if looped {
                SkipReason::SymlinkLoop
            } else {
                SkipReason::BrokenSymlink
            },
        );
    }
    let reason = e
        .io_error()
        .map_or_else(|| e.to_string(), std::string::ToString::to_string);
    skip(&path, SkipReason::Unreadable(reason))
}

fn is_hidden(e: &walkdir::DirEntry) -> bool {
    e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.')
}

/// Walks `roots`, returning the article files (with manifests applied) and what was skipped.
/// Paths under `exclude` (the index itself) are not walked.
pub fn discover(roots: &[PathBuf], exclude: &[PathBuf]) -> Discovery {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .map(|x| std::fs::canonicalize(x).unwrap_or_else(|_| lexical(x)))
        .collect();
    let excluded = |p: &Path| -> bool {
        let canon = std::fs::canonicalize(p).unwrap_or_else(|_| lexical(p));
        exclude.iter().any(|x| canon.starts_with(x))
    };
    let mut skipped = Vec::new();
    let mut warnings = Vec::new();
    let mut candidates = Vec::new();
    // Manifests by folder (lexical path, as walked).
    let mut manifests: HashMap<PathBuf, Manifest> = HashMap::new();

    for root in roots {
        // A file given directly still gets the manifest beside it.
        if root.is_file() {
            if let Some(dir) = root.parent() {
                for m in MANIFESTS {
                    let mp = dir.join(m);
                    if mp.is_file() {
                        let parsed = read_manifest(&mp, &mut warnings);
                        manifests.entry(lexical(dir)).or_default().extend(parsed);
                    }
                }
            }
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !(is_hidden(e) || (e.file_type().is_dir() && excluded(e.path()))));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    skipped.push(walk_error(&e));
                    continue;
                }
            };
            let path = entry.path();
            let ft = entry.file_type();
            if ft.is_dir() {
                continue;
            }
            if !ft.is_file() {
                skipped.push(skip(path, SkipReason::NotAFile));
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if is_manifest(&name) {
                if let Some(dir) = path.parent() {
                    let parsed = read_manifest(path, &mut warnings);
                    manifests.entry(lexical(dir)).or_default().extend(parsed);
                }
                skipped.push(skip(path, SkipReason::Manifest));
                continue;
            }
            let Some((format, gzip)) = Format::of_name(&name) else {
                skipped.push(skip(path, SkipReason::Unsupported));
                continue;
            };
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) => {
                    skipped.push(walk_error(&e));
                    continue;
                }
            };
            if meta.len() == 0 {
                skipped.push(skip(path, SkipReason::Empty));
                continue;
            }
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64);
            let rel = match path.strip_prefix(root) {
                Ok(r) if !r.as_os_str().is_empty() => r.to_string_lossy().replace('\\', "/"),
                _ => name.into_owned(),
            };
            candidates.push(Candidate {
                path: path.to_path_buf(),
                root: root.clone(),
                rel,
                size: meta.len(),
                mtime,
                format,
                gzip,
            });
        }
    }

    let files = candidates
        .into_iter()
        .map(|c| {
            let (manifest, mhash) = manifest_for(&c.path, &c.root, &manifests);
            let mut h = Xxh3::new();
            for v in [READER_VERSION, c.size, c.mtime, mhash] {
                h.update(&v.to_le_bytes());
            }
            SourceFile {
                path: c.path,
                root: c.root,
                rel: c.rel,
                size: c.size,
                // 0 means "unknown" to the indexer: never use it.
                sig: h.digest().max(1),
                format: c.format,
                gzip: c.gzip,
                manifest,
            }
        })
        .collect();
    Discovery {
        files,
        skipped,
        warnings,
    }
}

/// The manifest metadata for `file`: rows naming it in its folder's manifest and in those of
/// the folders above it (up to the root's folder), the nearest first. Also the hash of those
/// rows, for the file's signature.
fn manifest_for(
    file: &Path,
    root: &Path,
    manifests: &HashMap<PathBuf, Manifest>,
) -> (Option<Arc<Meta>>, u64) {
    if manifests.is_empty() {
        return (None, 0);
    }
    let file = lexical(file);
    let root = lexical(root);
    let top = if root == file {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        root
    };
    let mut merged: Option<Meta> = None;
    let mut h = Xxh3::new();
    let mut dir = file.parent();
    while let Some(d) = dir {
        if let Some(m) = manifests.get(d) {
            let rel = file
                .strip_prefix(d)
                .map(|r| normalise_rel(&r.to_string_lossy()))
                .unwrap_or_default();
            if let Some(row) = m.get(&rel) {
                h.update(&row.hash.to_le_bytes());
                match &mut merged {
                    Some(meta) => meta.fill_from(&row.meta),
                    None => merged = Some(row.meta.clone()),
                }
            }
        }
        if d == top || !d.starts_with(&top) {
            break;
        }
        dir = d.parent();
    }
    match merged {
        Some(m) if !m.is_empty() => (Some(Arc::new(m)), h.digest()),
        Some(_) => (None, h.digest()),
        None => (None, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_paths_normalise() {
        assert_eq!(normalise_rel("./a//b/./c.txt"), "a/b/c.txt");
        assert_eq!(normalise_rel("a\\b.txt"), "a/b.txt");
        assert_eq!(normalise_rel("  "), "");
    }
}
