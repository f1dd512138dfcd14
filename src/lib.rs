//! newsidx: index news archives and search them for ranked, highlighted passages.
//!
//! Data flows one way: `ingest` reads files into [`article::Article`]s, `indexer` writes them
//! to a tantivy index shaped by `schema`, `search` answers queries with plain data, and the
//! binary's printers render that data.

pub mod article;
pub mod schema;
