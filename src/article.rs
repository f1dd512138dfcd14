//! The article record every stage shares: what readers produce, the indexer stores and search returns.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Kinds of named entity newsidx extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Location,
}

impl EntityKind {
    pub const ALL: [EntityKind; 3] = [
        EntityKind::Person,
        EntityKind::Organization,
        EntityKind::Location,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Location => "location",
        }
    }

    /// Accepts the spellings data sets use (`PER`, `ORG`, `LOC`, `GPE`, `organisation`, ...).
    pub fn parse(s: &str) -> Option<EntityKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" | "per" | "people" | "persons" => Some(EntityKind::Person),
            "organization" | "organisation" | "org" | "organizations" | "organisations" => {
                Some(EntityKind::Organization)
            }
            "location" | "loc" | "gpe" | "place" | "locations" | "places" => {
                Some(EntityKind::Location)
            }
            _ => None,
        }
    }
}

/// A named entity attached to one article: canonical name, kind, and the surface forms seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    pub kind: EntityKind,
    /// Every surface form that was resolved to `name` in this article (may include `name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// One article as read from disk, before indexing.
///
/// Readers fill what the source gives; `metadata` resolves the rest (outlet fallback, id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    /// Stable identity: the URL when known, else `relative/path` (+ `#N` for record N of a
    /// multi-record file). Filled by the indexer from the fields below when empty.
    pub id: String,
    /// Path of the source file as the user can open it (the walked root joined with the
    /// relative path).
    pub path: String,
    /// 1-based record number inside a multi-record file (JSON array, JSONL, CSV); `None` for
    /// single-article files.
    pub record: Option<u64>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub date: Option<NaiveDate>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// Body text, NFC-normalised, paragraphs separated by blank lines ("\n\n").
    pub body: String,
    /// Entities given by the source's own metadata (kept as given, not re-extracted).
    pub given_entities: Option<Vec<Entity>>,
}
