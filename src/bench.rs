//! In-process query benchmark (`newsidx bench-queries`): times each stage of a search over a
//! fixed query set, so passage and facet costs can be told apart from retrieval.

use std::time::Instant;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::search::{Engine, SearchRequest, Stage};

/// One benchmark query, as bench/prepare.py writes them.
#[derive(Debug, Clone, Deserialize)]
pub struct BenchQuery {
    pub kind: String,
    pub query: String,
    #[serde(default)]
    pub outlet: Option<String>,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub entity: Option<String>,
}

/// Per-query timings in milliseconds, one value per run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRow {
    pub kind: String,
    pub query: String,
    pub matches: u64,
    /// Top 10 articles only.
    pub retrieve_ms: Vec<f64>,
    /// Top 10 articles with their stored documents read (a plain document search).
    pub documents_ms: Vec<f64>,
    /// Top 10 articles, their documents and passages (no count, no facets).
    pub passages_ms: Vec<f64>,
    /// Top 10 plus the count and every facet.
    pub facets_ms: Vec<f64>,
    /// The whole search as `newsidx search --format json` runs it: retrieval, facets,
    /// passages.
    pub full_ms: Vec<f64>,
}

fn request(q: &BenchQuery) -> Result<SearchRequest> {
    let day = |s: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
        s.as_deref()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .with_context(|| format!("benchmark date {d:?} is not YYYY-MM-DD"))
            })
            .transpose()
    };
    Ok(SearchRequest {
        query: q.query.clone(),
        outlets: q.outlet.iter().cloned().collect(),
        since: day(&q.since)?,
        until: day(&q.until)?,
        entities: q.entity.iter().cloned().collect(),
        ..Default::default()
    })
}

fn time_ms(f: &mut dyn FnMut() -> Result<()>) -> Result<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

/// One stage to run alone (the others' timings stay empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    Stage(Stage),
    /// The whole search.
    Full,
}

/// Runs every query `runs` times per stage (after one warm-up run) on an open engine; with
/// `only`, just that stage.
pub fn run(
    engine: &Engine,
    queries: &[BenchQuery],
    runs: usize,
    only: Option<Only>,
) -> Result<Vec<BenchRow>> {
    let wanted = |o: Only| only.is_none_or(|w| w == o);
    let mut rows = Vec::with_capacity(queries.len());
    for q in queries {
        let req = request(q)?;
        let warm = engine
            .search(&req)
            .with_context(|| format!("benchmark query {:?}", q.query))?;
        let mut row = BenchRow {
            kind: q.kind.clone(),
            query: q.query.clone(),
            matches: warm.total_articles,
            retrieve_ms: Vec::with_capacity(runs),
            documents_ms: Vec::with_capacity(runs),
            passages_ms: Vec::with_capacity(runs),
            facets_ms: Vec::with_capacity(runs),
            full_ms: Vec::with_capacity(runs),
        };
        let stage = |s: Stage| {
            let req = &req;
            move || engine.retrieve_only(req, s).map(|_| ())
        };
        for _ in 0..runs {
            for (s, times) in [
                (Stage::TopDocs, &mut row.retrieve_ms),
                (Stage::Documents, &mut row.documents_ms),
                (Stage::Passages, &mut row.passages_ms),
                (Stage::Facets, &mut row.facets_ms),
            ] {
                if wanted(Only::Stage(s)) {
                    times.push(time_ms(&mut stage(s))?);
                }
            }
            if wanted(Only::Full) {
                row.full_ms
                    .push(time_ms(&mut || engine.search(&req).map(|_| ()))?);
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Reads a query set file (a JSON array of [`BenchQuery`]).
pub fn load_queries(path: &std::path::Path) -> Result<Vec<BenchQuery>> {
    let raw =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&raw).with_context(|| format!("{} is not a query set", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_sets_parse_with_optional_filters() {
        let qs: Vec<BenchQuery> = serde_json::from_str(
            r#"[{"kind": "1-word", "query": "troops"},
                {"kind": "date", "query": "x", "since": "2016-11-01", "until": "2016-11-30"}]"#,
        )
        .unwrap();
        let r = request(&qs[1]).unwrap();
        assert_eq!(r.since.unwrap().to_string(), "2016-11-01");
        assert_eq!(r.until.unwrap().to_string(), "2016-11-30");
        assert!(request(&qs[0]).unwrap().outlets.is_empty());
        let bad = BenchQuery {
            since: Some("11/01/2016".into()),
            ..qs[0].clone()
        };
        assert!(request(&bad).is_err());
    }
}
