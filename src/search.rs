//! Answers a search request with plain data: ranked passages, totals and facet counts. Never prints.

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::{Facet, Value};
use tantivy::{
    DateTime, DocAddress, Executor, IndexReader, Order, Searcher, TantivyDocument, Term,
};

use crate::article::EntityKind;
use crate::boilerplate::BoilerplateView;
use crate::entities::EntityTable;
use crate::entities::FxMap;
use crate::entity_ords::EntityOrds;
use crate::facets::{FacetCounter, FacetTally};
use crate::passages::{self, CorpusStats, MatchSpec, PassageOptions, Passager};
use crate::query::{any_facet, EntityMatch, Planner, QueryPlan, Widening};
use crate::schema::Fields;
use crate::store::Store;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Relevance,
    /// Newest articles first.
    Date,
}

/// A search as the engine understands it (flags already validated by the CLI layer).
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub outlets: Vec<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub entities: Vec<String>,
    /// Passages to return (articles with `all`).
    pub limit: usize,
    pub per_article: usize,
    pub context: usize,
    pub sort: SortOrder,
    pub all: bool,
    pub fuzzy: bool,
    /// Values per facet.
    pub facet_limit: usize,
    /// Count facets among the matches. Counting visits every matching article's facet
    /// values, so for broad queries it costs more than the rest of the search together;
    /// a caller that shows no facets skips it (the total is counted either way).
    pub facets: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            outlets: Vec::new(),
            since: None,
            until: None,
            entities: Vec::new(),
            limit: 10,
            per_article: 2,
            context: 0,
            sort: SortOrder::Relevance,
            all: false,
            fuzzy: false,
            facet_limit: 10,
            facets: true,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ArticleInfo {
    pub id: String,
    pub path: String,
    pub url: Option<String>,
    pub outlet: String,
    pub date: Option<String>,
    pub title: Option<String>,
    /// Byte ranges of matches in `title`.
    pub title_highlights: Vec<[usize; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageInfo {
    pub text: String,
    /// Byte offsets into `text`.
    pub highlights: Vec<[usize; 2]>,
    /// Paragraph number of the passage within the article (0-based; headings and
    /// boilerplate lines not counted; windows of one long paragraph share it).
    pub ordinal: usize,
    /// Byte range of the passage in the article body.
    pub start: usize,
    pub end: usize,
    /// The heading right before the passage's paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// Byte offsets of matches in `heading`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub heading_highlights: Vec<[usize; 2]>,
    /// Who the passage quotes, when a name line after the quotation says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// Sentences before and after the passage (`--context N`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context_before: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub context_after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub article: ArticleInfo,
    pub passage: PassageInfo,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntityCount {
    pub value: String,
    pub kind: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Facets {
    pub outlet: Vec<FacetCount>,
    pub date: Vec<FacetCount>,
    pub entity: Vec<EntityCount>,
}

/// How many matching articles the facet counts were read from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct FacetSample {
    /// Articles whose facets were read.
    pub counted: u64,
    /// Articles that matched (the counts are scaled up to these).
    pub matched: u64,
}

/// Matching articles whose facets a search reads at least when it samples (at most twice
/// this; see `facets.rs`): enough that the top values' estimated counts are within a few
/// per cent, few enough that facets on a million-article index cost milliseconds, not a
/// tenth of a second.
const FACET_SAMPLE: u64 = 10_000;

/// Scores and addresses of the top articles, best first.
type TopArticles = Vec<(f32, DocAddress)>;

/// A search's query, planned and filtered.
struct Prepared {
    plan: QueryPlan,
    /// The outlets the request's `--outlet` names resolved to.
    outlets: Vec<String>,
    /// Ranks the top articles.
    ranked: Box<dyn Query>,
    /// The same articles without score-only clauses: for counts, facets and date order.
    matching: Box<dyn Query>,
    /// The articles holding every word, filtered (see [`QueryPlan::all_words`]).
    all_words: Option<Box<dyn Query>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total_articles: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// Present when the facet counts are estimates: a broad query's facets are counted on
    /// a uniform sample of its matches and scaled up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facet_sample: Option<FacetSample>,
    /// Query words widened to spelling variants found in the index.
    pub widened: Vec<Widening>,
    /// Outlet names as resolved from `--outlet` (case-insensitive input).
    pub outlets: Vec<String>,
}

/// `newsidx entities`: which entities the (matching) articles mention most.
#[derive(Debug, Clone, Default)]
pub struct EntitiesRequest {
    pub query: Option<String>,
    pub kind: Option<EntityKind>,
    pub outlets: Vec<String>,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityRow {
    pub name: String,
    pub kind: EntityKind,
    /// Articles that mention it.
    pub articles: u64,
    pub aliases: Vec<String>,
}

/// An open index ready to answer searches.
pub struct Engine {
    pub store: Store,
    reader: IndexReader,
    /// Loaded on first use: only entity facets, filters and export need it.
    table: std::sync::OnceLock<EntityTable>,
    /// Learnt boilerplate lines, hidden from passages; loaded on first search.
    boilerplate: std::sync::OnceLock<BoilerplateView>,
    /// Entity ids of entity facet ordinals, when written for this commit.
    entity_ords: std::sync::OnceLock<Option<Arc<EntityOrds>>>,
    /// Threads that search segments side by side, started on the first search of an
    /// index large enough to gain from them ([`PARALLEL_MIN_ARTICLES`]).
    executor: std::sync::OnceLock<Option<Executor>>,
}

/// Indexes with fewer articles are searched on the calling thread alone. Each segment is
/// searched on its own, so a large index's segments can be searched side by side; on a
/// small one a whole search takes a few milliseconds, and starting threads for it would
/// cost more than it saves.
const PARALLEL_MIN_ARTICLES: u64 = 200_000;

/// Search threads at most: the segments of one query rarely keep more cores busy.
const MAX_SEARCH_THREADS: usize = 4;

/// The roots every search counts, in tally order: outlet, day, then one root per entity
/// kind in `EntityKind::ALL` order.
const SEARCH_FACETS: [&str; 5] = [
    "/outlet",
    "/date",
    "/entity/person",
    "/entity/organization",
    "/entity/location",
];

/// The `limit` most frequent values, ties in name order.
fn top_values(values: &[(String, u64)], limit: usize) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = values
        .iter()
        .map(|(value, count)| FacetCount {
            value: value.clone(),
            count: *count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    v.truncate(limit);
    v
}

/// The stored publication day of an article, as `YYYY-MM-DD`.
pub fn stored_day(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_datetime())
        .and_then(|d| day_of(d.into_timestamp_secs()))
}

/// The UTC day of a Unix time as "YYYY-MM-DD". Written digit by digit for four-digit
/// years: chrono's format string is parsed on every call, and a search formats a day for
/// every top article.
fn day_of(secs: i64) -> Option<String> {
    let d = chrono::DateTime::from_timestamp(secs, 0)?.date_naive();
    let y4 = match u32::try_from(d.year()) {
        Ok(y) if y <= 9999 => y,
        _ => return Some(d.format("%Y-%m-%d").to_string()),
    };
    let mut out = String::with_capacity(10);
    for (v, width) in [(y4, 4u32), (d.month(), 2), (d.day(), 2)] {
        if !out.is_empty() {
            out.push('-');
        }
        for k in (0..width).rev() {
            let digit = (v / 10u32.pow(k)) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
    }
    Some(out)
}

impl Engine {
    pub fn open(dir: &Path) -> Result<Engine> {
        // An indexer running beside us may commit and delete merged-away segment files
        // between our reading meta.json and opening those files; the next meta.json names
        // the files that replaced them, so a few quick retries ride that race out. A
        // damaged index fails the same way every time and is reported after them.
        let mut attempt = 0;
        let (store, reader) = loop {
            let opened = Store::open(dir).and_then(|s| s.reader().map(|r| (s, r)));
            match opened {
                Ok(ok) => break ok,
                Err(_) if attempt < 3 && dir.join("meta.json").exists() => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(30 * attempt));
                }
                Err(e) => return Err(e),
            }
        };
        Ok(Engine {
            store,
            reader,
            table: std::sync::OnceLock::new(),
            boilerplate: std::sync::OnceLock::new(),
            entity_ords: std::sync::OnceLock::new(),
            executor: std::sync::OnceLock::new(),
        })
    }

    /// The thread pool for searching `searcher`'s segments side by side, when it is worth
    /// one: several segments, a large index and more than one core.
    /// `NEWSIDX_SEARCH_THREADS=N` sets the number of threads whatever the index's size
    /// (1: the calling thread alone).
    fn executor(&self, searcher: &Searcher) -> Option<&Executor> {
        let segments = searcher.segment_readers().len();
        let forced = std::env::var("NEWSIDX_SEARCH_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok());
        if segments < 2 || (forced.is_none() && searcher.num_docs() < PARALLEL_MIN_ARTICLES) {
            return None;
        }
        self.executor
            .get_or_init(|| {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let threads = forced
                    .unwrap_or_else(|| cores.min(MAX_SEARCH_THREADS))
                    .min(segments);
                // A pool that cannot start leaves the search on this thread: slower, not wrong.
                (threads > 1)
                    .then(|| Executor::multi_thread(threads, "newsidx-search-").ok())
                    .flatten()
            })
            .as_ref()
    }

    /// Runs `collector` over every segment, side by side on large indexes. Segment results
    /// are merged in segment order either way, so the answer does not depend on threads.
    fn collect<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> Result<C::Fruit> {
        let found = match self.executor(searcher) {
            Some(executor) => {
                let scoring = if collector.requires_scoring() {
                    tantivy::query::EnableScoring::enabled_from_searcher(searcher)
                } else {
                    tantivy::query::EnableScoring::disabled_from_searcher(searcher)
                };
                searcher.search_with_executor(query, collector, executor, scoring)
            }
            None => searcher.search(query, collector),
        };
        found.context("search failed")
    }

    /// The corpus-level entity alias table (empty when the index has none yet).
    pub fn entity_table(&self) -> &EntityTable {
        self.table
            .get_or_init(|| crate::indexer::load_entity_table(&self.store).unwrap_or_default())
    }

    /// A facet counter for `roots` that tallies entity roots by entity id where it can.
    fn facet_counter(&self, roots: &[&str]) -> FacetCounter {
        let ords = self.entity_ords.get_or_init(|| {
            let opstamp = self.store.index.load_metas().ok()?.opstamp;
            EntityOrds::load(&self.store.side_file(crate::entity_ords::FILE), opstamp)
        });
        let n_clusters = if ords.is_some() {
            self.entity_table().cluster_count()
        } else {
            0
        };
        FacetCounter::new("facet", roots).with_entity_ords(ords.clone(), n_clusters)
    }

    /// The facets every search counts, in this tally order: outlet, day, then one root per
    /// entity kind in `EntityKind::ALL` order; sampled on broad queries ([`FACET_SAMPLE`]).
    fn search_facets(&self, searcher: &Searcher) -> FacetCounter {
        self.facet_counter(&SEARCH_FACETS)
            .sampled(FACET_SAMPLE, searcher.num_docs())
    }

    /// The learnt boilerplate lines (empty when the index has none yet).
    pub fn boilerplate_view(&self) -> &BoilerplateView {
        self.boilerplate
            .get_or_init(|| crate::indexer::load_boilerplate_view(&self.store))
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn fields(&self) -> &Fields {
        &self.store.fields
    }

    /// Every value under a facet root (`/outlet`, `/date`, ...), read from the term
    /// dictionaries rather than by scanning documents.
    pub fn facet_values(&self, root: &str) -> Result<Vec<String>> {
        let searcher = self.searcher();
        let prefix = Facet::from(root);
        let mut key = prefix.encoded_str().as_bytes().to_vec();
        key.push(0);
        let mut end = prefix.encoded_str().as_bytes().to_vec();
        end.push(1);
        let mut out = std::collections::BTreeSet::new();
        for seg in searcher.segment_readers() {
            let inv = seg
                .inverted_index(self.store.fields.facet)
                .context("cannot read the facet dictionary")?;
            let mut stream = inv
                .terms()
                .range()
                .ge(&key)
                .lt(&end)
                .into_stream()
                .context("cannot read the facet dictionary")?;
            while stream.advance() {
                if let Ok(facet) = Facet::from_encoded(stream.key().to_vec()) {
                    if let Some(last) = facet.to_path().last() {
                        out.insert((*last).to_string());
                    }
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Maps `--outlet` values (any case) to the outlet names in the index; an unknown name
    /// is an error listing the closest known ones.
    pub fn resolve_outlets(&self, wanted: &[String]) -> Result<Vec<String>> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        // Most names are given as the index spells them: one term lookup per segment then,
        // instead of listing every outlet of every segment.
        let searcher = self.searcher();
        let mut exact = Vec::new();
        for w in wanted {
            let facet = Facet::from_path(["outlet", w.trim()]);
            let term = Term::from_facet(self.store.fields.facet, &facet);
            if searcher
                .doc_freq(&term)
                .context("cannot read the facet dictionary")?
                == 0
            {
                break;
            }
            exact.push(w.trim().to_string());
        }
        if exact.len() == wanted.len() {
            return Ok(exact);
        }
        let known = self.facet_values("/outlet")?;
        let mut out = Vec::new();
        for w in wanted {
            let lw = w.trim().to_lowercase();
            match known.iter().find(|k| k.to_lowercase() == lw) {
                Some(k) => out.push(k.clone()),
                None => {
                    let mut near: Vec<(f64, &String)> = known
                        .iter()
                        .map(|k| {
                            let lk = k.to_lowercase();
                            let mut s = strsim::jaro_winkler(&lw, &lk);
                            if lk.contains(&lw) || lw.contains(&lk) {
                                s += 0.5;
                            }
                            (s, k)
                        })
                        .collect();
                    near.sort_by(|a, b| b.0.total_cmp(&a.0));
                    let names: Vec<&str> = near
                        .iter()
                        .take(5)
                        .map(|(_, k)| String::as_str(k))
                        .collect();
                    if names.is_empty() {
                        bail!("unknown outlet `{w}`: the index has no outlets");
                    }
                    bail!(
                        "unknown outlet `{w}`; closest known outlets: {}",
                        names.join(", ")
                    );
                }
            }
        }
        Ok(out)
    }

    /// Parses a query with what the index knows: the spelling variants and entities of its
    /// alias table.
    fn plan(&self, searcher: &Searcher, query: &str, fuzzy_all: bool) -> Result<QueryPlan> {
        let table = self.entity_table();
        let variants = |w: &str| table.variants(w);
        let entity = |name: &str| self.entity_match(name);
        let planner = Planner {
            fields: self.fields(),
            searcher,
            variants: &variants,
            entity: &entity,
            fuzzy_all,
        };
        Ok(planner.plan(query)?)
    }

    /// Plans a search's query (widened spellings, fuzzy words), resolves its outlets and
    /// adds its filters: what every way of running a search starts from.
    fn prepare(&self, searcher: &Searcher, req: &SearchRequest) -> Result<Prepared> {
        let plan = self.plan(searcher, &req.query, req.fuzzy)?;
        let outlets = self.resolve_outlets(&req.outlets)?;
        let filters = self.filters(req, &outlets)?;
        let ranked = all_of(plan.query.as_ref(), &filters);
        let matching = all_of(plan.matching.as_ref(), &filters);
        let all_words = plan
            .all_words
            .as_ref()
            .map(|q| all_of(q.as_ref(), &filters));
        Ok(Prepared {
            plan,
            outlets,
            ranked,
            matching,
            all_words,
        })
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.searcher();
        let fields = *self.fields();
        let prepared = self.prepare(&searcher, req)?;
        let facet_collector = req.facets.then(|| self.search_facets(&searcher));
        let (top, total, mut facet_counts) =
            self.top_count_facets(&searcher, &prepared, req, facet_collector)?;

        let facet_sample = facet_counts
            .as_ref()
            .filter(|t| t.sampled())
            .map(|t| FacetSample {
                counted: t.counted,
                matched: t.matched,
            });
        let facets = match facet_counts.as_mut() {
            Some(counts) => Facets {
                outlet: top_values(counts.root(0), req.facet_limit),
                date: top_values(counts.root(1), req.facet_limit),
                entity: self.entity_counts(counts, 2, &EntityKind::ALL, req.facet_limit, None),
            },
            None => Facets::default(),
        };

        let Prepared { plan, outlets, .. } = prepared;
        let hits = self.passages_for(&searcher, &fields, &top, &plan.spec, req)?;
        Ok(SearchResults {
            query: req.query.clone(),
            total_articles: total as u64,
            hits,
            facets,
            facet_sample,
            widened: plan.widened,
            outlets,
        })
    }

    /// The top articles alone, in the request's order.
    fn top_articles(
        &self,
        searcher: &Searcher,
        p: &Prepared,
        req: &SearchRequest,
    ) -> Result<TopArticles> {
        let n = candidate_articles(req);
        let by_score = || TopDocs::with_limit(n).order_by_score();
        Ok(match (req.sort, &p.all_words) {
            // A plain list of words: the top articles are those holding every word, found
            // by following the rarest word, while there are enough of them.
            (SortOrder::Relevance, Some(every)) => {
                let top = self.collect(searcher, every, &by_score())?;
                if top.len() < n {
                    self.collect(searcher, &p.ranked, &by_score())?
                } else {
                    // The scores `ranked` gives these articles.
                    top.into_iter()
                        .map(|(s, d)| (s + crate::query::ALL_WORDS_BONUS, d))
                        .collect()
                }
            }
            (SortOrder::Relevance, None) => self.collect(searcher, &p.ranked, &by_score())?,
            (SortOrder::Date, _) => self
                .collect(searcher, &p.matching, &by_date(n))?
                .into_iter()
                .map(|(_, d)| (1.0, d))
                .collect(),
        })
    }

    /// The top articles, how many articles match, and the facets when `facets` is given.
    fn top_count_facets(
        &self,
        searcher: &Searcher,
        p: &Prepared,
        req: &SearchRequest,
        facets: Option<FacetCounter>,
    ) -> Result<(TopArticles, usize, Option<FacetTally>)> {
        let n = candidate_articles(req);
        Ok(match (req.sort, &p.all_words) {
            // The top of a plain list of words is cheap to find apart (`top_articles`), and
            // the count and facets of every article with any word need no score: scoring
            // every such article instead (tantivy applies no block-max WAND under filters
            // and per-field boosts) was most of a two-word search's time on 1M articles.
            (SortOrder::Relevance, Some(_)) => {
                let top = self.top_articles(searcher, p, req)?;
                let (total, facets) = self.collect(searcher, &p.matching, &(Count, facets))?;
                (top, total, facets)
            }
            // Otherwise one pass: the query is never a bare union of terms at the top, so
            // tantivy scores every match whatever the collector, and a second, unscored pass
            // for the count and facets evaluated the whole query again (a third of a phrase
            // search's time on 1M).
            (SortOrder::Relevance, None) => {
                let by_score = TopDocs::with_limit(n).order_by_score();
                self.collect(searcher, &p.ranked, &(by_score, Count, facets))?
            }
            (SortOrder::Date, _) => {
                let (top, total, facets) =
                    self.collect(searcher, &p.matching, &(by_date(n), Count, facets))?;
                let top = top.into_iter().map(|(_, d)| (1.0, d)).collect();
                (top, total, facets)
            }
        })
    }

    /// The request's filters (entities, outlets, dates), each a clause every result must
    /// match.
    fn filters(&self, req: &SearchRequest, outlets: &[String]) -> Result<Vec<Box<dyn Query>>> {
        let fields = self.fields();
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        for name in &req.entities {
            let facets = self.resolve_entity(name)?;
            must.push(any_facet(fields.facet, &facets));
        }
        if !outlets.is_empty() {
            let facets: Vec<Facet> = outlets
                .iter()
                .map(|o| Facet::from_path(["outlet", o]))
                .collect();
            must.push(any_facet(fields.facet, &facets));
        }
        if req.since.is_some() || req.until.is_some() {
            let to_term = |d: NaiveDate| {
                let secs = d
                    .and_hms_opt(0, 0, 0)
                    .map(|x| x.and_utc().timestamp())
                    .unwrap_or(0);
                Term::from_field_date(fields.date, DateTime::from_timestamp_secs(secs))
            };
            let lower = req
                .since
                .map_or(Bound::Unbounded, |d| Bound::Included(to_term(d)));
            let upper = req
                .until
                .and_then(|d| d.succ_opt())
                .map_or(Bound::Unbounded, |d| Bound::Excluded(to_term(d)));
            must.push(Box::new(RangeQuery::new(lower, upper)));
        }
        Ok(must)
    }

    /// Entity facet counts merged to corpus-level canonical names, most frequent first.
    /// `first` is the tally root of `kinds[0]`; the kinds' roots follow one another.
    fn entity_counts(
        &self,
        counts: &mut FacetTally,
        first: usize,
        kinds: &[EntityKind],
        limit: usize,
        only: Option<EntityKind>,
    ) -> Vec<EntityCount> {
        let table = self.entity_table();
        // Counts are summed per corpus-level entity id; names are looked up for the top ones
        // only, since a broad query has tens of thousands of article-level names.
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        enum Key<'a> {
            Cluster(u32),
            // A name the table does not hold (given entities): itself.
            Name(EntityKind, &'a str),
        }
        // Names counted as strings (segments the ordinal map does not cover) join the
        // id-counted ones; with a current map there are none.
        let mut by_cluster: Vec<(u32, u64)> = std::mem::take(&mut counts.clusters);
        let by_id = by_cluster.len();
        let counts = &*counts;
        let mut unknown: FxMap<(EntityKind, &str), u64> = FxMap::default();
        for (i, kind) in kinds.iter().enumerate() {
            let values = counts.root(first + i);
            let ids = table.cluster_ids(*kind, values.iter().map(|(v, _)| v.as_str()));
            for ((raw, c), id) in values.iter().zip(ids) {
                // An article names one entity once (extraction merges its mentions), so
                // summing the counts of an entity's article-level names counts articles.
                // (Not quite when a place name joined a person across the corpus and an
                // article has both: 128 of the 3,650 AllSides articles with the place
                // "Obama" also name Barack Obama, and count twice.)
                match id {
                    Some(id) => by_cluster.push((id, *c)),
                    None => *unknown.entry((*kind, raw.as_str())).or_default() += c,
                }
            }
        }
        if by_cluster.len() > by_id {
            crate::facets::sum_by_key(&mut by_cluster);
        }
        let merged = by_cluster
            .iter()
            .map(|&(id, c)| (Key::Cluster(id), c))
            .chain(unknown.into_iter().map(|((k, n), c)| (Key::Name(k, n), c)));
        let kind_of = |key: &Key| match key {
            Key::Cluster(id) => table.cluster_kind(*id).unwrap_or(EntityKind::Person),
            Key::Name(kind, _) => *kind,
        };
        let mut ranked: Vec<(Key, u64)> = merged
            .filter(|(key, _)| only.is_none_or(|k| kind_of(key) == k))
            .collect();
        ranked.sort_unstable_by_key(|e| std::cmp::Reverse(e.1));
        // Keep every entity tied with the last one shown, so the name order among ties is
        // decided below on names, not on hash order.
        if let Some(&(_, floor)) = ranked.get(limit.saturating_sub(1)) {
            let keep = ranked.partition_point(|(_, c)| *c >= floor);
            ranked.truncate(keep.max(limit));
        }
        let mut out: Vec<EntityCount> = ranked
            .into_iter()
            .map(|(key, count)| {
                let value = match key {
                    Key::Cluster(id) => table.cluster_canonical(id),
                    Key::Name(_, name) => name,
                };
                EntityCount {
                    value: value.to_string(),
                    kind: kind_of(&key).as_str().to_string(),
                    count,
                }
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        out.truncate(limit);
        out
    }

    /// The facet values an `--entity` name stands for: every article-level name of the
    /// canonical entities it may mean (any alias, any case). An error when it means none.
    pub fn resolve_entity(&self, name: &str) -> Result<Vec<Facet>> {
        let m = self.entity_match(name)?;
        if m.facets.is_empty() {
            bail!("no entity `{name}` in the index (`newsidx entities` lists them)");
        }
        Ok(m.facets)
    }

    /// What an entity name means: the facet values of the article-level names of every
    /// canonical entity it may mean (any alias, any case), and the forms articles write
    /// those entities with, most frequent first. Empty when it means none.
    pub fn entity_match(&self, name: &str) -> Result<EntityMatch> {
        let table = self.entity_table();
        let mut m = EntityMatch::default();
        for (kind, canonical) in table.resolve(name) {
            for (member_kind, member) in table.members(kind, &canonical) {
                m.facets
                    .push(Facet::from_path(["entity", member_kind.as_str(), &member]));
            }
            m.forms.push(canonical.clone());
            m.forms.extend(table.aliases(kind, &canonical));
        }
        if m.facets.is_empty() {
            // Names the table does not know may still be facet values (given entities).
            let want = name.trim().to_lowercase();
            for kind in EntityKind::ALL {
                for v in self.facet_values(&format!("/entity/{}", kind.as_str()))? {
                    if v.to_lowercase() == want {
                        m.facets
                            .push(Facet::from_path(["entity", kind.as_str(), &v]));
                        m.forms.push(v);
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        m.forms.retain(|f| seen.insert(f.to_lowercase()));
        Ok(m)
    }

    /// Top entities among the articles matching `query` (all articles when empty).
    pub fn top_entities(&self, req: &EntitiesRequest) -> Result<Vec<EntityRow>> {
        let searcher = self.searcher();
        let base: Box<dyn Query> = match req.query.as_deref().map(str::trim) {
            None | Some("") => Box::new(tantivy::query::AllQuery),
            Some(q) => self.plan(&searcher, q, false)?.matching,
        };
        let outlets = self.resolve_outlets(&req.outlets)?;
        let search_req = SearchRequest {
            outlets: req.outlets.clone(),
            ..Default::default()
        };
        let query = all_of(base.as_ref(), &self.filters(&search_req, &outlets)?);
        // Every kind is counted even for `--kind`: an entity's article-level names may be of
        // another kind ("Obama" the place, in a cluster of the person), and its count must
        // include them. The kind filter applies to the corpus-level entities.
        let kinds = EntityKind::ALL;
        let roots: Vec<String> = kinds
            .iter()
            .map(|k| format!("/entity/{}", k.as_str()))
            .collect();
        let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
        let mut counts = self.collect(&searcher, &query, &self.facet_counter(&roots))?;
        let table = self.entity_table();
        Ok(self
            .entity_counts(&mut counts, 0, &kinds, req.limit, req.kind)
            .into_iter()
            .map(|e| {
                let kind = EntityKind::parse(&e.kind).unwrap_or(EntityKind::Person);
                let mut aliases = table.aliases(kind, &e.value);
                aliases.retain(|a| a != &e.value);
                EntityRow {
                    name: e.value,
                    kind,
                    articles: e.count,
                    aliases,
                }
            })
            .collect())
    }

    /// Loads the top articles and picks their passages, then ranks all passages together:
    /// by [`passages::combined_score`] (passage score with a mild article-rank prior), or
    /// with `--sort date` / `--all` article by article (newest or best first), each
    /// article's passages in text order.
    fn passages_for(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        top: &[(f32, DocAddress)],
        spec: &MatchSpec,
        req: &SearchRequest,
    ) -> Result<Vec<Hit>> {
        let opts = PassageOptions {
            per_article: if req.all {
                usize::MAX
            } else {
                req.per_article.max(1)
            },
            context: req.context,
            all: req.all,
            max_chars: 400,
        };
        // The articles are read and their passages picked on this thread, with one
        // passager (its word cache) for all. Two threads (alternate ranks, one passager
        // each) were slower on a two-core machine shared with other work (the second
        // thread waits for a core, each passager analyses the shared words again; five
        // alternating runs of bench-queries --only passages on AllSides: 5.39 -> 5.10 ms
        // summed) and no faster on an idle one (+43-46% over documents either way):
        // passage work is about a tenth of a millisecond per search.
        let stats = CorpusStats::default();
        let mut passager =
            Passager::new(spec, &opts, &stats).with_boilerplate(self.boilerplate_view());
        let picked: Vec<Picked> = top
            .iter()
            .enumerate()
            .map(|(rank, &(_, addr))| pick_article(searcher, fields, &mut passager, rank, addr))
            .collect::<Result<_>>()?;
        // Passages are ranked first and the kept ones made hits after: an article is
        // copied into a hit only when one of its passages is shown (and moved into its
        // last), not for every passage picked.
        let mut articles: Vec<Option<ArticleInfo>> = Vec::with_capacity(picked.len());
        let mut ranked: Vec<(f32, usize, usize, PassageInfo)> = Vec::new();
        for Picked {
            rank,
            article,
            found,
        } in picked
        {
            // Picked in rank order: the article of rank r is `articles[r]`.
            debug_assert_eq!(articles.len(), rank);
            articles.push(Some(article));
            for p in found {
                let combined = passages::combined_score(rank, p.score);
                ranked.push((
                    combined,
                    rank,
                    p.start,
                    PassageInfo {
                        text: p.text,
                        highlights: p.highlights.into_iter().map(|(a, b)| [a, b]).collect(),
                        ordinal: p.ordinal,
                        start: p.start,
                        end: p.end,
                        heading: p.heading,
                        heading_highlights: p
                            .heading_highlights
                            .into_iter()
                            .map(|(a, b)| [a, b])
                            .collect(),
                        attribution: p.attribution,
                        context_before: p.context_before,
                        context_after: p.context_after,
                    },
                ));
            }
        }
        if req.sort == SortOrder::Date {
            // Newest day first; within a day the article with the best passage first; each
            // article in reading order.
            let mut best: HashMap<usize, f32> = HashMap::new();
            for (score, rank, _, _) in &ranked {
                let b = best.entry(*rank).or_insert(f32::MIN);
                *b = b.max(*score);
            }
            let day = |rank: usize| {
                articles
                    .get(rank)
                    .and_then(|a| a.as_ref())
                    .and_then(|a| a.date.as_deref())
            };
            ranked.sort_by(|a, b| {
                day(b.1)
                    .cmp(&day(a.1))
                    .then_with(|| {
                        let (x, y) = (best.get(&a.1), best.get(&b.1));
                        y.unwrap_or(&0.0).total_cmp(x.unwrap_or(&0.0))
                    })
                    .then(a.1.cmp(&b.1))
                    .then(a.2.cmp(&b.2))
            });
        } else if req.all {
            // Article by article in rank order, each in reading order.
            ranked.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)));
        } else {
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        }
        if !req.all {
            ranked.truncate(req.limit);
        }
        // Passages still to come per article: its last one takes the article itself.
        let mut left = vec![0usize; articles.len()];
        for (_, rank, _, _) in &ranked {
            left[*rank] += 1;
        }
        let mut hits = Vec::with_capacity(ranked.len());
        for (i, (score, rank, _, passage)) in ranked.into_iter().enumerate() {
            left[rank] -= 1;
            let slot = &mut articles[rank];
            let article = if left[rank] == 0 {
                slot.take()
            } else {
                slot.clone()
            };
            let article = article.context("a passage without its article")?;
            hits.push(Hit {
                rank: i + 1,
                score,
                article,
                passage,
            });
        }
        Ok(hits)
    }
}

/// One top article, read, with its passages picked.
struct Picked {
    rank: usize,
    article: ArticleInfo,
    found: Vec<passages::Passage>,
}

/// The newest `n` articles first.
fn by_date(n: usize) -> impl Collector<Fruit = Vec<(Option<DateTime>, DocAddress)>> {
    TopDocs::with_limit(n).order_by_fast_field::<DateTime>("date", Order::Desc)
}

/// Articles matching `query` and every one of `filters`.
fn all_of(query: &dyn Query, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    // Without filters, no wrapper: a one-clause intersection is one more scorer to step
    // through for every match.
    if filters.is_empty() {
        return query.box_clone();
    }
    let mut must = vec![(Occur::Must, query.box_clone())];
    must.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
    Box::new(BooleanQuery::new(must))
}

fn pick_article(
    searcher: &Searcher,
    fields: &Fields,
    passager: &mut Passager<'_>,
    rank: usize,
    addr: DocAddress,
) -> Result<Picked> {
    let doc: TantivyDocument = searcher.doc(addr).context("cannot read a stored article")?;
    let text = |f| {
        doc.get_first(f)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let body = doc
        .get_first(fields.body)
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let title = text(fields.title);
    let outlet = text(fields.outlet).unwrap_or_else(|| "unknown".into());
    let found = passager.passages(body, &outlet);
    let title_highlights = title
        .as_deref()
        .map(|t| {
            passager
                .title_highlights(t)
                .into_iter()
                .map(|(a, b)| [a, b])
                .collect()
        })
        .unwrap_or_default();
    Ok(Picked {
        rank,
        article: ArticleInfo {
            id: text(fields.id).unwrap_or_default(),
            path: text(fields.path).unwrap_or_default(),
            url: text(fields.url),
            outlet,
            date: stored_day(&doc, fields.date),
            title_highlights,
            title,
        },
        found,
    })
}

/// How many top articles passages are drawn from: with `--all` the articles asked for;
/// otherwise twice as many as it takes to fill `limit` passages at `per_article` each (so
/// each slot has a choice of articles), at least `limit` up to 10. Passage extraction reads
/// and scans each of them, so more costs time without changing what is shown.
fn candidate_articles(req: &SearchRequest) -> usize {
    if req.all {
        return req.limit.max(1);
    }
    let fill = req.limit.div_ceil(req.per_article.max(1));
    (2 * fill).max(req.limit.min(10)).max(1)
}

/// Index-wide figures for `newsidx stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub index: String,
    pub articles: u64,
    pub outlets: u64,
    pub top_outlets: Vec<FacetCount>,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub undated: u64,
    pub size_bytes: u64,
    pub segments: usize,
}

impl Engine {
    pub fn stats(&self, top: usize) -> Result<Stats> {
        let searcher = self.searcher();
        let counts = searcher
            .search(
                &tantivy::query::AllQuery,
                &FacetCounter::new("facet", &["/outlet", "/date"]),
            )
            .context("cannot count outlets")?;
        let n_outlets = counts.root(0).len() as u64;
        let outlets = top_values(counts.root(0), top);
        let days = counts.root(1);
        let dated: u64 = days.iter().map(|d| d.1).sum();
        let first_day = days.iter().map(|d| &d.0).min();
        let last_day = days.iter().map(|d| &d.0).max();
        Ok(Stats {
            index: self.store.dir.display().to_string(),
            articles: searcher.num_docs(),
            outlets: n_outlets,
            top_outlets: outlets,
            first_date: first_day.cloned(),
            last_date: last_day.cloned(),
            undated: searcher.num_docs().saturating_sub(dated),
            size_bytes: self.store.size_on_disk()?,
            segments: searcher.segment_readers().len(),
        })
    }
}

/// The parts of a search the in-process benchmark times on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The top articles' addresses only.
    TopDocs,
    /// The top articles with their stored documents read: what a plain document search
    /// engine returns, and the baseline passage work is measured against.
    Documents,
    /// The top articles, their documents and their passages: the passage work over
    /// [`Stage::Documents`] (no count, no facets).
    Passages,
    /// The top articles' addresses plus the count and every facet.
    Facets,
}

impl Engine {
    /// Parts of [`Engine::search`] alone: the same query, filters and number of top
    /// articles, and then only what `stage` names. Returns how many articles came back.
    pub fn retrieve_only(&self, req: &SearchRequest, stage: Stage) -> Result<usize> {
        let searcher = self.searcher();
        let fields = *self.fields();
        let prepared = self.prepare(&searcher, req)?;
        if let Stage::Facets = stage {
            // As the search runs them.
            let facets = Some(self.search_facets(&searcher));
            let (docs, _, _) = self.top_count_facets(&searcher, &prepared, req, facets)?;
            return Ok(docs.len());
        }
        let docs = self.top_articles(&searcher, &prepared, req)?;
        let plan = prepared.plan;
        match stage {
            Stage::TopDocs | Stage::Facets => {}
            Stage::Documents => {
                let mut bytes = 0;
                for (_, addr) in &docs {
                    let doc: TantivyDocument = searcher
                        .doc(*addr)
                        .context("cannot read a stored article")?;
                    bytes += doc
                        .get_first(fields.body)
                        .and_then(|v| v.as_str())
                        .map_or(0, str::len);
                }
                std::hint::black_box(bytes);
            }
            Stage::Passages => {
                self.passages_for(&searcher, &fields, &docs, &plan.spec, req)?;
            }
        }
        Ok(docs.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The digit-by-digit day is chrono's "%Y-%m-%d", four-digit years or not.
        #[test]
        fn day_of_is_the_chrono_format(secs in -70_000_000_000i64..300_000_000_000i64) {
            let want = chrono::DateTime::from_timestamp(secs, 0)
                .map(|d| d.format("%Y-%m-%d").to_string());
            proptest::prop_assert_eq!(day_of(secs), want);
        }
    }

    #[test]
    fn candidate_articles_leave_a_choice_per_slot() {
        let req = |limit, per_article, all| SearchRequest {
            limit,
            per_article,
            all,
            ..Default::default()
        };
        assert_eq!(candidate_articles(&req(10, 2, false)), 10);
        assert_eq!(candidate_articles(&req(10, 1, false)), 20);
        assert_eq!(candidate_articles(&req(10, 5, false)), 10);
        assert_eq!(candidate_articles(&req(3, 2, false)), 4);
        assert_eq!(candidate_articles(&req(100, 2, false)), 100);
        assert_eq!(candidate_articles(&req(7, 2, true)), 7);
    }
}
