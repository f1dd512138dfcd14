//! `newsidx export`: every indexed article as one stable JSON record, streamed in index order.
//!
//! The record's fields are a contract (other engines ingest them): `id, path, url, outlet,
//! date, title, authors, entities: [{name, kind}]`, plus `text` when asked. New fields may be
//! added; existing ones keep their names and meaning.

use anyhow::{Context, Result};
use serde::Serialize;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use crate::article::{Entity, EntityKind};
use crate::search::Engine;

#[derive(Debug, Clone, Serialize)]
pub struct ExportEntity {
    pub name: String,
    pub kind: EntityKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportRecord {
    pub id: String,
    pub path: String,
    pub url: Option<String>,
    pub outlet: String,
    /// `YYYY-MM-DD`, or null when the source gave no readable date.
    pub date: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub entities: Vec<ExportEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Streams every live article to `sink`. Entity names are the corpus-level canonical names.
pub fn export(
    engine: &Engine,
    with_text: bool,
    sink: &mut dyn FnMut(ExportRecord) -> Result<()>,
) -> Result<u64> {
    let searcher = engine.searcher();
    let fields = *engine.fields();
    let table = engine.entity_table();
    let mut n = 0;
    for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
        let store = seg
            .get_store_reader(64)
            .context("cannot read the document store")?;
        for doc_id in seg.doc_ids_alive() {
            let doc: TantivyDocument = store
                .get(doc_id)
                .with_context(|| format!("cannot read stored article {seg_ord}/{doc_id}"))?;
            let text = |f| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let entities: Vec<Entity> = text(fields.entities_json)
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default();
            let mut seen = std::collections::HashSet::new();
            let entities = entities
                .into_iter()
                .map(|e| {
                    let (kind, name) = table.canonical(e.kind, &e.name);
                    ExportEntity { name, kind }
                })
                .filter(|e| seen.insert((e.kind, e.name.clone())))
                .collect();
            let rec = ExportRecord {
                id: text(fields.id).unwrap_or_default(),
                path: text(fields.path).unwrap_or_default(),
                url: text(fields.url),
                outlet: text(fields.outlet).unwrap_or_else(|| "unknown".into()),
                date: crate::search::stored_day(&doc, fields.date),
                title: text(fields.title),
                authors: doc
                    .get_all(fields.authors)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                entities,
                text: if with_text { text(fields.body) } else { None },
            };
            sink(rec)?;
            n += 1;
        }
    }
    Ok(n)
}
