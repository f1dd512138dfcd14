//! Named entities: extraction from article text (`extract`, driven by the `gazetteer` and
//! `lexicon` word lists), within-article and corpus-level name merging (`canonical`), and the
//! corpus alias table saved beside the index (`table`).

mod canonical;
mod extract;
mod gazetteer;
mod lexicon;
mod table;

pub use canonical::{fold, skeleton};
pub use table::EntityTable;

use crate::article::Entity;

/// Extracts people, organisations and places from articles. Building one loads the
/// gazetteers (once per process); extraction itself allocates little and is `Sync`, so
/// one extractor serves every indexing thread.
pub struct Extractor {
    g: &'static gazetteer::Gazetteer,
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

impl Extractor {
    pub fn new() -> Extractor {
        Extractor {
            g: gazetteer::Gazetteer::get(),
        }
    }

    /// The entities of one article, each with its article-level name and the surface forms
    /// seen, in order of first mention (title first).
    pub fn extract(&self, title: Option<&str>, body: &str) -> Vec<Entity> {
        let mut scan = extract::Scan::new(self.g);
        if let Some(t) = title {
            scan.scan(t, true);
        }
        scan.scan(body, false);
        canonical::merge(&scan.mentions)
    }
}
