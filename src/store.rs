//! The index directory on disk: creating, opening, version checks, and the side files kept beside tantivy's.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::Index;

use crate::schema::{self, Fields, SCHEMA_VERSION};

/// Marker file that says "this folder is a newsidx index" and which schema wrote it.
const MARKER: &str = "newsidx.json";

#[derive(Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
    written_by: String,
}

/// An opened index with its resolved fields.
pub struct Store {
    pub dir: PathBuf,
    pub index: Index,
    pub fields: Fields,
}

/// A placeholder that keeps the default `./index` folder in git; it never makes a folder
/// "not empty" and is never deleted.
const KEEP: &str = ".gitkeep";

fn is_empty_dir(dir: &Path) -> Result<bool> {
    for entry in
        fs::read_dir(dir).with_context(|| format!("cannot read index folder {}", dir.display()))?
    {
        let entry = entry.with_context(|| format!("cannot read index folder {}", dir.display()))?;
        if entry.file_name() != KEEP {
            return Ok(false);
        }
    }
    Ok(true)
}

fn check_marker(dir: &Path) -> Result<()> {
    let marker_path = dir.join(MARKER);
    let raw = match fs::read_to_string(&marker_path) {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // The OS error ("No such file") would only distract from what the user must do.
            bail!(
                "{} is not a newsidx index (no {MARKER} in it): pick another --index",
                dir.display()
            )
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", marker_path.display()));
        }
    };
    let marker: Marker = serde_json::from_str(&raw).with_context(|| {
        format!(
            "{} is damaged; run `newsidx index --rebuild ...` to start over",
            marker_path.display()
        )
    })?;
    if marker.schema_version != SCHEMA_VERSION {
        bail!(
            "index {} was written by newsidx {} (schema {}), this is newsidx {} (schema {}): \
             run `newsidx index --rebuild PATH...` to rebuild it",
            dir.display(),
            marker.written_by,
            marker.schema_version,
            env!("CARGO_PKG_VERSION"),
            SCHEMA_VERSION
        );
    }
    Ok(())
}

fn open_tantivy(dir: &Path) -> Result<Index> {
    if !dir.join("meta.json").exists() {
        bail!(
            "index {} is damaged (meta.json is missing): run `newsidx index --rebuild PATH...`",
            dir.display()
        );
    }
    let mmap = MmapDirectory::open(dir)
        .with_context(|| format!("cannot open index folder {}", dir.display()))?;
    let index = Index::open(mmap).map_err(|e| damaged(dir, &e))?;
    schema::register(&index);
    Ok(index)
}

impl Store {
    /// Opens an existing index for reading; says how to create one when there is none.
    pub fn open(dir: &Path) -> Result<Store> {
        if dir.exists() && !dir.is_dir() {
            bail!("--index {} is a file, not an index folder", dir.display());
        }
        if !dir.exists() || (dir.is_dir() && is_empty_dir(dir)?) {
            bail!(
                "no index at {}: create one with `newsidx index PATH...{}`",
                dir.display(),
                if dir == Path::new("index") || dir == Path::new("./index") {
                    String::new()
                } else {
                    format!(" --index {}", dir.display())
                }
            );
        }
        check_marker(dir)?;
        let index = open_tantivy(dir)?;
        let fields = Fields::new(&index.schema())?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            fields,
        })
    }

    /// Opens the index for writing, creating it when absent. Returns the store and whether
    /// its current contents must be cleared (`rebuild` of a healthy index).
    ///
    /// A healthy index is rebuilt in place: the writer deletes everything and re-adds it, so
    /// searches keep seeing the old contents until the first commit of the new ones and a
    /// failed rebuild loses nothing. Only a damaged or incompatible index is wiped first. A
    /// folder that is not an index is never deleted.
    pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<(Store, bool)> {
        if dir.exists() && !dir.is_dir() {
            bail!("--index {} is a file, not an index folder", dir.display());
        }
        if dir.exists() && !is_empty_dir(dir)? {
            if half_created(dir)? {
                // A run killed while creating the index left the marker but no tantivy
                // metadata and no data: nothing to keep, so start it again.
                wipe(dir)?;
            } else if rebuild {
                if !dir.join(MARKER).exists() && !dir.join("meta.json").exists() {
                    bail!(
                        "{} is not a newsidx index; refusing to delete it for --rebuild",
                        dir.display()
                    );
                }
                match Store::open(dir).and_then(|s| s.reader().map(|_| s)) {
                    Ok(store) => return Ok((store, true)),
                    Err(_) => wipe(dir)?,
                }
            } else {
                return Ok((Store::open(dir)?, false));
            }
        }
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create index folder {}", dir.display()))?;
        let marker = Marker {
            schema_version: SCHEMA_VERSION,
            written_by: env!("CARGO_PKG_VERSION").to_string(),
        };
        write_atomic(
            &dir.join(MARKER),
            serde_json::to_string_pretty(&marker)?.as_bytes(),
        )?;
        let mmap = MmapDirectory::open(dir)
            .with_context(|| format!("cannot open index folder {}", dir.display()))?;
        let index = Index::create(mmap, schema::build_schema(), Default::default())
            .with_context(|| format!("cannot create index in {}", dir.display()))?;
        schema::register(&index);
        let fields = Fields::new(&index.schema())?;
        Ok((
            Store {
                dir: dir.to_path_buf(),
                index,
                fields,
            },
            false,
        ))
    }

    /// A reader that reloads only when asked: a search sees the last commit, never a torn state.
    pub fn reader(&self) -> Result<tantivy::IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| damaged(&self.dir, &e))
    }

    /// Path of a newsidx side file (entity table, boilerplate model) inside the index folder.
    pub fn side_file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Bytes on disk of everything in the index folder.
    pub fn size_on_disk(&self) -> Result<u64> {
        let mut total = 0;
        for entry in fs::read_dir(&self.dir)
            .with_context(|| format!("cannot read index folder {}", self.dir.display()))?
        {
            let entry = entry.with_context(|| format!("cannot read {}", self.dir.display()))?;
            let meta = match entry.metadata() {
                Ok(m) => m,
                // A running indexer creates and removes temporary files all the time: one
                // that vanished between listing and stat simply takes no space any more.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot read metadata of {}", entry.path().display())
                    })
                }
            };
            if meta.is_file() {
                total += meta.len();
            }
        }
        Ok(total)
    }
}

/// One line for a tantivy error met while opening an index: what is wrong, and the way out.
/// tantivy's own messages are long debug dumps; users need the file and `--rebuild`.
pub fn damaged(dir: &Path, e: &tantivy::TantivyError) -> anyhow::Error {
    use tantivy::directory::error::OpenReadError;
    use tantivy::TantivyError as E;
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string())
    };
    let what = match e {
        E::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
            format!("index file {} is missing", name(p))
        }
        E::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            if io_error.kind() == std::io::ErrorKind::InvalidData {
                format!("index file {} is truncated or corrupt", name(filepath))
            } else {
                format!("cannot read index file {}: {io_error}", name(filepath))
            }
        }
        E::OpenReadError(OpenReadError::IncompatibleIndex(_)) | E::IncompatibleIndex(_) => {
            "it was written by an incompatible version".to_string()
        }
        E::DataCorruption(c) => format!("{c:?}")
            .split_once("comment: ")
            .map(|(_, c)| format!("corrupt data ({})", c.trim_end_matches([' ', '}'])))
            .unwrap_or_else(|| "corrupt data".into()),
        E::IoError(io) => format!("I/O error: {io}"),
        other => {
            let s = other.to_string();
            s.lines().next().unwrap_or("unknown error").to_string()
        }
    };
    anyhow::anyhow!(
        "index {} is damaged ({what}): run `newsidx index --rebuild PATH...` to rebuild it",
        dir.display()
    )
}

/// True when `dir` has newsidx's marker but neither tantivy's meta.json nor any segment file.
fn half_created(dir: &Path) -> Result<bool> {
    if !dir.join(MARKER).exists() || dir.join("meta.json").exists() {
        return Ok(false);
    }
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name == MARKER
            || name == KEEP
            || name.starts_with(".tantivy-")
            || name == ".managed.json"
            || name.ends_with(".tmp");
        if !ours {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes the contents of a newsidx index folder (only files tantivy or newsidx write there).
fn wipe(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let path = entry.path();
        if entry.file_name() == KEEP {
            continue;
        }
        let ty = entry
            .file_type()
            .with_context(|| format!("cannot stat {}", path.display()))?;
        if ty.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        }
        .with_context(|| format!("cannot remove {} for --rebuild", path.display()))?;
    }
    Ok(())
}

/// A side file's bytes: built in memory, or mapped from disk. Mapping makes opening free
/// whatever the file's size (a search touches a few pages of it); side files are only ever
/// replaced by rename ([`write_atomic`]), never rewritten in place, so a mapping stays valid.
pub enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

/// Maps a side file; `None` when it does not exist.
pub fn map_file(path: &Path) -> Result<Option<Bytes>> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot open {}", path.display())),
    };
    // SAFETY: the mapping is read-only and side files are replaced by rename, never
    // truncated or rewritten in place (see `Bytes`).
    Ok(Some(match unsafe { memmap2::Mmap::map(&file) } {
        Ok(m) => Bytes::Mapped(m),
        // Some file systems cannot map; reading gives the same bytes, only slower.
        Err(_) => {
            Bytes::Owned(fs::read(path).with_context(|| format!("cannot read {}", path.display()))?)
        }
    }))
}

/// Writes a file so that readers see either the old or the new content, never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f =
            fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
    }
    fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
