//! The index's shape: field names, schema version and the text analyzer, defined in one place.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Index;

/// Bumped whenever the schema or the analyzer changes in a way old indexes cannot serve.
/// Stored in `<index>/newsidx.json`; a mismatch asks the user to `--rebuild`.
pub const SCHEMA_VERSION: u32 = 5;

/// Name under which [`analyzer`] is registered with tantivy.
pub const ANALYZER: &str = "news";

/// The one analyzer for indexing, querying and highlighting (see [`crate::analysis`]).
/// Passage scoring and highlighting re-run it over stored text, so offsets always agree
/// with what the index matched.
pub fn analyzer() -> TextAnalyzer {
    crate::analysis::analyzer()
}

/// All fields, resolved once from the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Stable article id (URL or relative path + record); unique, used for updates.
    pub id: Field,
    /// Source file path as the user can open it; indexed raw so a vanished file's articles
    /// can be deleted with one term; fast so change detection can list files cheaply.
    pub file: Field,
    /// Change-detection signature of the source file (size, mtime, manifest), fast.
    pub file_sig: Field,
    /// Hash of the article's content, fast: decides "updated" vs "unchanged" per article.
    pub doc_hash: Field,
    pub path: Field,
    pub record: Field,
    pub url: Field,
    pub title: Field,
    pub body: Field,
    pub outlet: Field,
    pub date: Field,
    /// One facet field for everything counted: `/outlet/<name>`, `/date/<YYYY-MM-DD>`,
    /// `/entity/<kind>/<name>`; one collector then counts all of them in one pass.
    pub facet: Field,
    pub authors: Field,
    /// JSON of the article's entities (name, kind, aliases) for export and the alias table.
    /// (`entity:` queries match the `/entity/...` facets.)
    pub entities_json: Field,
    /// Hashes of the boilerplate lines stripped from the body (8 bytes each), so that the
    /// boilerplate model can forget them when the article leaves the index.
    pub boilerplate: Field,
}

pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default()
        .set_indexing_options(indexing.clone())
        .set_stored();
    b.add_text_field("id", STRING | STORED | FAST);
    b.add_text_field("file", STRING | FAST);
    b.add_u64_field("file_sig", NumericOptions::default().set_fast());
    b.add_u64_field("doc_hash", NumericOptions::default().set_fast());
    b.add_text_field("path", STORED);
    b.add_u64_field("record", STORED);
    b.add_text_field("url", STRING | STORED);
    b.add_text_field("title", text.clone());
    b.add_text_field("body", text.clone());
    b.add_text_field("outlet", text.clone());
    b.add_date_field(
        "date",
        DateOptions::default()
            .set_indexed()
            .set_fast()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds),
    );
    b.add_facet_field("facet", FacetOptions::default());
    b.add_text_field("authors", text.clone());
    // No searchable field of entity names: `entity:NAME` matches the facets of the entities
    // the alias table says NAME means, which also finds the aliases and spellings other
    // articles use; indexing the names again as words cost 6% of indexing time.
    b.add_text_field("entities_json", STORED);
    b.add_bytes_field("boilerplate", STORED);
    b.build()
}

impl Fields {
    pub fn new(schema: &Schema) -> anyhow::Result<Fields> {
        let f = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| anyhow::anyhow!("index has no field `{name}`: it was written by another version of newsidx (run `newsidx index --rebuild`)"))
        };
        Ok(Fields {
            id: f("id")?,
            file: f("file")?,
            file_sig: f("file_sig")?,
            doc_hash: f("doc_hash")?,
            path: f("path")?,
            record: f("record")?,
            url: f("url")?,
            title: f("title")?,
            body: f("body")?,
            outlet: f("outlet")?,
            date: f("date")?,
            facet: f("facet")?,
            authors: f("authors")?,
            entities_json: f("entities_json")?,
            boilerplate: f("boilerplate")?,
        })
    }
}

/// Registers [`analyzer`] on an opened or created index; must precede any reader or writer.
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}
