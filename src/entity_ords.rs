//! Per-segment maps from entity facet ordinals to corpus-level entity ids (clusters of the
//! entity table), built by the indexer after each run and used by facet counting, so that
//! tallying the entities of a broad query's matches decodes no facet string at all.
//!
//! A broad query matches tens of thousands of article-level names; turning each counted
//! ordinal back into its string, then the string into its entity, was most of such a
//! search's time. Segments are immutable and the cluster numbering is fixed for one entity
//! table, so the map is computed once per index run. It is trusted only when it was written
//! for the index's current commit; a segment it does not list (merged later) is counted by
//! strings, as before, so a stale or missing file costs speed, never correctness.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use tantivy::Searcher;

use crate::article::EntityKind;
use crate::entities::{EntityTable, FxMap};
use crate::facets::{ord_range, ENTITY_PREFIX};
use crate::store::Bytes;

/// The side file in the index folder.
pub const FILE: &str = "entities.ords";
const MAGIC: &[u8; 8] = b"NXORDS01";
/// An ordinal whose name the table does not hold.
pub const NONE: u32 = u32::MAX;

/// Header: magic, opstamp, segment count. Then per segment: its id (32 hex bytes), the first
/// entity ordinal (u64), the number of ordinals (u32), then that many u32 entity ids.
struct Entry {
    base: u64,
    start: usize,
    len: usize,
}

/// The maps of one index commit.
pub struct EntityOrds {
    bytes: Bytes,
    segments: FxMap<String, Entry>,
}

/// One segment's map, as facet counting holds it.
#[derive(Clone)]
pub struct SegmentOrds {
    all: Arc<EntityOrds>,
    base: u64,
    start: usize,
    len: usize,
}

impl SegmentOrds {
    /// The entity id of a dictionary ordinal, or `None` when it is not mapped.
    #[inline]
    pub fn cluster(&self, ord: u64) -> Option<u32> {
        let i = ord.checked_sub(self.base)? as usize;
        if i >= self.len {
            return None;
        }
        let o = self.start + 4 * i;
        let id = u32::from_le_bytes(self.all.bytes.get(o..o + 4)?.try_into().ok()?);
        (id != NONE).then_some(id)
    }
}

impl EntityOrds {
    /// Reads the maps written for commit `opstamp`; `None` when the file is missing, stale
    /// or damaged (counting then falls back to strings).
    pub fn load(path: &Path, opstamp: u64) -> Option<Arc<EntityOrds>> {
        let bytes = crate::store::map_file(path).ok()??;
        let u64_at = |o: usize| -> Option<u64> {
            Some(u64::from_le_bytes(bytes.get(o..o + 8)?.try_into().ok()?))
        };
        let u32_at = |o: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(o..o + 4)?.try_into().ok()?))
        };
        if bytes.get(..8)? != MAGIC || u64_at(8)? != opstamp {
            return None;
        }
        let n = u32_at(16)? as usize;
        let mut segments = FxMap::default();
        let mut o = 20;
        for _ in 0..n {
            let id = std::str::from_utf8(bytes.get(o..o + 32)?).ok()?.to_string();
            let base = u64_at(o + 32)?;
            let len = u32_at(o + 40)? as usize;
            let start = o + 44;
            o = start.checked_add(len.checked_mul(4)?)?;
            if o > bytes.len() {
                return None;
            }
            segments.insert(id, Entry { base, start, len });
        }
        Some(Arc::new(EntityOrds { bytes, segments }))
    }

    /// The map of one segment, when this commit's file has it.
    pub fn segment(self: &Arc<Self>, segment_id: &str) -> Option<SegmentOrds> {
        let e = self.segments.get(segment_id)?;
        Some(SegmentOrds {
            all: Arc::clone(self),
            base: e.base,
            start: e.start,
            len: e.len,
        })
    }
}

/// Computes the maps of every segment `searcher` sees and writes them for commit `opstamp`.
pub fn save(path: &Path, opstamp: u64, searcher: &Searcher, table: &EntityTable) -> Result<()> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&opstamp.to_le_bytes());
    let readers = searcher.segment_readers();
    out.extend_from_slice(&(readers.len() as u32).to_le_bytes());
    for reader in readers {
        let id = reader.segment_id().uuid_string();
        let (base, ids) = match reader
            .fast_fields()
            .str("facet")
            .context("cannot read the facet column")?
        {
            Some(column) => segment_map(column.dictionary(), table)?,
            None => (0, Vec::new()),
        };
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&base.to_le_bytes());
        out.extend_from_slice(&(ids.len() as u32).to_le_bytes());
        for id in ids {
            out.extend_from_slice(&id.to_le_bytes());
        }
    }
    crate::store::write_atomic(path, &out)
        .with_context(|| format!("cannot save the entity ordinals {}", path.display()))
}

/// The first entity ordinal of a segment's facet dictionary and the entity id of each
/// entity ordinal from there on.
fn segment_map(
    dict: &tantivy::columnar::Dictionary,
    table: &EntityTable,
) -> Result<(u64, Vec<u32>)> {
    let (lo, hi) = ord_range(dict, ENTITY_PREFIX).context("cannot read the facet dictionary")?;
    // Terms are `entity\0<kind>\0<name>`, grouped by kind and sorted by name inside it:
    // exactly the order `EntityTable::cluster_ids` walks fastest.
    let mut terms: Vec<(Option<EntityKind>, String)> = Vec::with_capacity((hi - lo) as usize);
    let ords: Vec<u64> = (lo..hi).collect();
    dict.sorted_ords_to_term_cb(&ords, |term| {
        let mut parts = term.splitn(3, |b| *b == 0).skip(1);
        let kind = parts
            .next()
            .and_then(|k| std::str::from_utf8(k).ok())
            .and_then(EntityKind::parse);
        let name = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
        terms.push((kind, name));
    })
    .context("cannot read the facet dictionary")?;
    let mut ids = Vec::with_capacity(terms.len());
    let mut i = 0;
    while i < terms.len() {
        let kind = terms[i].0;
        let j = i + terms[i..].iter().take_while(|t| t.0 == kind).count();
        match kind {
            Some(k) => ids.extend(
                table
                    .cluster_ids(k, terms[i..j].iter().map(|t| t.1.as_str()))
                    .into_iter()
                    .map(|id| id.unwrap_or(NONE)),
            ),
            None => ids.extend(std::iter::repeat_n(NONE, j - i)),
        }
        i = j;
    }
    Ok((lo, ids))
}
