//! newsidx: index news archives and search them for ranked, highlighted passages.
//!
//! Data flows one way: `ingest` reads files into [`article::Article`]s, `indexer` writes them
//! to a tantivy index shaped by `schema` in a folder managed by `store`, `query` turns the
//! user's query into a tantivy query, `search` answers with plain data (using `passages` to
//! pick and highlight passages), and `output` renders that data. `cli` holds the flags only.

pub mod analysis;
pub mod article;
pub mod bench;
pub mod boilerplate;
pub mod cli;
pub mod entities;
pub mod entity_ords;
pub mod export;
pub mod facets;
pub mod indexer;
pub mod ingest;
pub mod metadata;
pub mod output;
pub mod passages;
pub mod query;
pub mod schema;
pub mod search;
pub mod store;
