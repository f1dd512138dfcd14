//! Facet counting: how many matching articles have each outlet, day and entity value.
//!
//! tantivy's `FacetCollector` resolves every counted value with its own dictionary lookup,
//! which walks the dictionary block from its start each time; with tens of thousands of
//! entity names among the matches that lookup dominated a whole search (perf: 30% of the
//! time in `ord_to_term` and sstable decoding). This collector counts ordinals per segment
//! in a flat array and resolves the values that occur in one ordered pass per segment
//! (`sorted_ords_to_term_cb` decodes each dictionary block once).
//!
//! A broad query on a large index matches hundreds of thousands of articles, and reading
//! every one's facet values costs far more than the rest of the search. With a sample
//! budget ([`FacetCounter::sampled`]) the counter keeps a uniform sample of the matches
//! (adaptive: it halves its sampling rate whenever the sample outgrows twice the budget)
//! and scales the counts up by matches / sampled; [`FacetTally::sampled`] says when it did.
//! Queries with fewer matches than the budget are counted exactly.

use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use crate::entity_ords::{EntityOrds, SegmentOrds};

/// Counts values under a set of facet roots (`/outlet`, `/date`, `/entity/person`, ...).
pub struct FacetCounter {
    field: String,
    /// Encoded root prefixes, each followed by the facet separator.
    roots: Vec<Vec<u8>>,
    /// Per-segment entity ids of entity ordinals: entity roots of the segments they cover
    /// are tallied by entity id (`FacetTally::clusters`) instead of by name.
    entity_ords: Option<Arc<EntityOrds>>,
    /// Articles whose facets are read at most (about), and the index's document count the
    /// budget is shared out by; `None` counts every match.
    sample: Option<(u64, u64)>,
    /// Entity-id counts, summed by the segments as they finish.
    sums: Arc<ClusterSums>,
}

/// One search's article counts by entity id. Each segment adds its counts when it finishes
/// (on the thread that searched it), so the calling thread only reads out the ids that
/// occurred: concatenating forty segments' lists and summing them there, through an array
/// over every id, was most of the calling thread's work and a third of a narrow search's
/// time on a million-article index (perf, `vaccine`).
#[derive(Default)]
struct ClusterSums {
    /// How many entity ids there are (the entity table's cluster count).
    ids: usize,
    sums: Mutex<Sums>,
}

#[derive(Default)]
struct Sums {
    counts: Vec<u64>,
    /// Ids whose count is not zero, in the order they first occurred.
    touched: Vec<u32>,
}

impl ClusterSums {
    fn add(&self, pairs: &[(u32, u64)]) {
        if pairs.is_empty() {
            return;
        }
        // A poisoned lock means another segment panicked; its partial sums are still sums.
        let mut guard = self.sums.lock().unwrap_or_else(|e| e.into_inner());
        let Sums { counts, touched } = &mut *guard;
        if counts.len() < self.ids {
            counts.resize(self.ids, 0);
        }
        for &(id, c) in pairs {
            let i = id as usize;
            if i >= counts.len() {
                counts.resize(i + 1, 0);
            }
            if counts[i] == 0 && c > 0 {
                touched.push(id);
            }
            counts[i] += c;
        }
    }

    /// The summed counts sorted by id; leaves the sums empty.
    fn take(&self) -> Vec<(u32, u64)> {
        let mut guard = self.sums.lock().unwrap_or_else(|e| e.into_inner());
        let Sums { counts, touched } = &mut *guard;
        touched.sort_unstable();
        let out = touched
            .iter()
            .map(|&id| (id, std::mem::take(&mut counts[id as usize])))
            .collect();
        touched.clear();
        out
    }
}

/// The encoded prefix of every entity facet value (`/entity/...`).
pub const ENTITY_PREFIX: &[u8] = b"entity\0";

/// Counts per root: the value's last path segment and its article count, in byte order
/// of the values.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FacetTally {
    pub roots: Vec<Vec<(String, u64)>>,
    /// Article counts by entity id, sorted by id, for the values counted through
    /// `EntityOrds` (those are absent from `roots`); empty when none were. Sparse because a
    /// narrow query touches a few hundred of the corpus's hundreds of thousands of entities,
    /// and zeroing a dense array per segment and per search cost more than the search.
    pub clusters: Vec<(u32, u64)>,
    /// Matching articles, and how many of them had their facets read: fewer when the
    /// counter sampled (the counts are then estimates scaled up to all matches).
    pub matched: u64,
    pub counted: u64,
}

impl FacetTally {
    /// Whether the counts are estimates from a sample of the matches.
    pub fn sampled(&self) -> bool {
        self.counted < self.matched
    }

    /// The values counted under root number `i` (in the order the roots were given).
    pub fn root(&self, i: usize) -> &[(String, u64)] {
        self.roots.get(i).map(Vec::as_slice).unwrap_or(&[])
    }
}

impl FacetCounter {
    /// Counts the children of each of `roots` (paths such as `/entity/person`) in the facet
    /// field `field`.
    pub fn new(field: &str, roots: &[&str]) -> FacetCounter {
        FacetCounter {
            field: field.to_string(),
            roots: roots
                .iter()
                .map(|r| {
                    let mut p = Facet::from(*r).encoded_str().as_bytes().to_vec();
                    p.push(0);
                    p
                })
                .collect(),
            entity_ords: None,
            sample: None,
            sums: Arc::default(),
        }
    }

    /// Reads the facets of about `budget` matching articles at most (a uniform sample),
    /// in an index of `num_docs` documents (segments get shares of the budget by size).
    pub fn sampled(mut self, budget: u64, num_docs: u64) -> Self {
        self.sample = Some((budget.max(1), num_docs.max(1)));
        self
    }

    /// Tallies entity roots by entity id where `ords` maps the segment (`n_clusters` ids).
    pub fn with_entity_ords(mut self, ords: Option<Arc<EntityOrds>>, n_clusters: usize) -> Self {
        self.entity_ords = ords;
        self.sums = Arc::new(ClusterSums {
            ids: n_clusters,
            ..Default::default()
        });
        self
    }
}

/// The ordinals `[lo, hi)` of a segment's dictionary whose terms start with `prefix`.
pub(crate) fn ord_range(
    dict: &tantivy::columnar::Dictionary,
    prefix: &[u8],
) -> tantivy::Result<(u64, u64)> {
    // Past the last term the dictionary answers u64::MAX rather than its length.
    let end = dict.num_terms() as u64;
    let bound = |key: &[u8]| -> tantivy::Result<u64> {
        Ok(match dict.term_ord_or_next(key)? {
            tantivy::columnar::TermOrdHit::Exact(o) | tantivy::columnar::TermOrdHit::Next(o) => {
                o.min(end)
            }
        })
    };
    let lo = bound(prefix)?;
    // The separator byte is 0, so every child sorts below the prefix ending in 1.
    let mut after = prefix.to_vec();
    if let Some(last) = after.last_mut() {
        *last = 1;
    }
    let hi = bound(&after)?;
    Ok((lo, hi.max(lo)))
}

pub struct SegmentFacetCounter {
    column: Option<StrColumn>,
    /// Ordinal span covered by `counts`, and each root's range inside it.
    base: u64,
    ranges: Vec<(u64, u64)>,
    counts: Vec<u32>,
    /// Indexes into `counts` in the order they were first counted: harvesting walks these
    /// instead of the whole span when few values occur (most queries), so the cost of a
    /// search follows its matches, not the size of the facet dictionary.
    touched: Vec<u32>,
    /// The segment's entity-id map, and which roots are entity roots.
    entity_ords: Option<SegmentOrds>,
    entity_root: Vec<bool>,
    sampler: Option<Sampler>,
    matched: u64,
    sums: Arc<ClusterSums>,
    /// Scratch space for one document's values, and for their span indexes.
    buf: Vec<u64>,
    indexes: Vec<u32>,
}

/// An adaptive uniform sample of a segment's matching documents: a document is kept when
/// its hash is at most `threshold`; when the sample reaches twice the budget the threshold
/// halves and the sample is thinned to match, so it ends between one and two budgets (or
/// holds every match, when there are fewer).
struct Sampler {
    budget: usize,
    threshold: u32,
    docs: Vec<DocId>,
}

impl Sampler {
    /// A bijective multiplicative hash: spreads consecutive document ids (articles of one
    /// file, one outlet, one week) evenly over the range, so any threshold is a fair sample.
    fn hash(doc: DocId) -> u32 {
        doc.wrapping_mul(0x9E37_79B9)
    }

    fn offer(&mut self, doc: DocId) {
        if Self::hash(doc) > self.threshold {
            return;
        }
        self.docs.push(doc);
        if self.docs.len() >= 2 * self.budget {
            self.threshold >>= 1;
            let t = self.threshold;
            self.docs.retain(|&d| Self::hash(d) <= t);
        }
    }
}

impl Collector for FacetCounter {
    type Fruit = FacetTally;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let column = reader.fast_fields().str(&self.field)?;
        let Some(column) = column else {
            return Ok(SegmentFacetCounter {
                column: None,
                base: 0,
                ranges: vec![(0, 0); self.roots.len()],
                counts: Vec::new(),
                touched: Vec::new(),
                entity_ords: None,
                entity_root: Vec::new(),
                sampler: None,
                matched: 0,
                sums: self.sums.clone(),
                buf: Vec::new(),
                indexes: Vec::new(),
            });
        };
        let dict = column.dictionary();
        let ranges = self
            .roots
            .iter()
            .map(|p| ord_range(dict, p))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let base = ranges.iter().map(|r| r.0).min().unwrap_or(0);
        let top = ranges.iter().map(|r| r.1).max().unwrap_or(0);
        let span = usize::try_from(top.saturating_sub(base))
            .map_err(|_| TantivyError::InternalError("facet dictionary too large".into()))?;
        let entity_ords = self
            .entity_ords
            .as_ref()
            .and_then(|o| o.segment(&reader.segment_id().uuid_string()));
        Ok(SegmentFacetCounter {
            column: Some(column),
            base,
            ranges,
            counts: scratch::take(span),
            touched: Vec::new(),
            entity_ords,
            entity_root: self
                .roots
                .iter()
                .map(|r| r.starts_with(ENTITY_PREFIX))
                .collect(),
            sampler: self.sample.map(|(budget, num_docs)| {
                let share = budget.saturating_mul(u64::from(reader.max_doc())) / num_docs;
                Sampler {
                    // Small segments still get a sample worth estimating from.
                    budget: share.max(256) as usize,
                    threshold: u32::MAX,
                    docs: Vec::new(),
                }
            }),
            matched: 0,
            sums: self.sums.clone(),
            buf: Vec::new(),
            indexes: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetTally>) -> tantivy::Result<FacetTally> {
        let n = self.roots.len();
        // Concatenate, then sum equal keys once: merging the segments' sorted lists pairwise
        // moved every value once per segment, which on a 40-segment index cost more than
        // the counting.
        let mut roots: Vec<Vec<(String, u64)>> = vec![Vec::new(); n];
        let (mut matched, mut counted) = (0, 0);
        let single = fruits.len() == 1;
        for fruit in fruits {
            matched += fruit.matched;
            counted += fruit.counted;
            for (i, values) in fruit.roots.into_iter().enumerate().take(n) {
                if roots[i].is_empty() {
                    roots[i] = values;
                } else {
                    roots[i].extend(values);
                }
            }
        }
        if !single {
            // Each segment's values come sorted (dictionary order), and the entity table
            // canonicalises them in one forward pass over the merged order.
            for values in &mut roots {
                sum_strings(values);
            }
        }
        Ok(FacetTally {
            roots,
            clusters: self.sums.take(),
            matched,
            counted,
        })
    }
}

/// [`sum_by_key`] for values named by strings, the same answer: equal names are summed
/// through a hash map first, so that only the distinct names are sorted. A 40-segment index
/// repeats each outlet and day in every segment, and sorting all those copies by bytes on
/// the calling thread was a third of a narrow search's time (perf, `vaccine` on 1M).
fn sum_strings(v: &mut Vec<(String, u64)>) {
    let mut sums: crate::entities::FxMap<String, u64> = crate::entities::FxMap::default();
    sums.reserve(v.len() / 4);
    for (value, count) in v.drain(..) {
        *sums.entry(value).or_default() += count;
    }
    v.extend(sums);
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
}

/// Sorts `(key, count)` pairs by key (entity id, or value bytes) and sums the counts of
/// equal keys.
pub(crate) fn sum_by_key<K: Ord>(v: &mut Vec<(K, u64)>) {
    // Equal keys are summed into one, so the sort need not be stable.
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    v.dedup_by(|next, kept| {
        if next.0 == kept.0 {
            kept.1 += next.1;
            true
        } else {
            false
        }
    });
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = FacetTally;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.matched += 1;
        match &mut self.sampler {
            Some(s) => s.offer(doc),
            None => self.count(&[doc]),
        }
    }

    fn harvest(mut self) -> FacetTally {
        let mut counted = self.matched;
        // Counts of a sample stand for matched / counted articles each (the ratio
        // estimator); a value seen at all keeps a count of at least 1.
        let mut sorted: Option<Vec<(u32, u32)>> = None;
        if let Some(sampler) = self.sampler.take() {
            counted = sampler.docs.len() as u64;
            sorted = self.count_sample(&sampler.docs);
        }
        let (matched, scale) = (self.matched, self.matched as f64 / counted.max(1) as f64);
        let scaled = move |c: u32| -> u64 {
            if counted == matched {
                u64::from(c)
            } else {
                ((f64::from(c) * scale).round() as u64).max(1)
            }
        };
        let occurring = match sorted {
            Some(pairs) => pairs,
            None => self.occurring(),
        };
        let mut tally = self.tally(&occurring, scaled);
        self.sums.add(&tally.clusters);
        tally.clusters.clear();
        tally.matched = matched;
        tally.counted = counted;
        scratch::give_back(std::mem::take(&mut self.counts), &self.touched);
        tally
    }
}

/// Per-thread count arrays, kept zeroed between segments and searches. A segment's array
/// spans its whole facet dictionary (hundreds of thousands of values on a large index);
/// allocating a fresh one for each of a 40-segment index's segments made the kernel zero
/// tens of megabytes of new pages per search (perf: a fifth of a phrase query's time in
/// `clear_page_erms`), where resetting the few entries a query touched costs next to
/// nothing.
mod scratch {
    use std::cell::RefCell;

    /// Arrays kept per thread, and the largest kept (larger ones are simply freed).
    const KEEP: usize = 2;
    const MAX_LEN: usize = 1 << 24;

    thread_local! {
        static POOL: RefCell<Vec<Vec<u32>>> = const { RefCell::new(Vec::new()) };
    }

    /// An all-zero array of `len` counts.
    pub(super) fn take(len: usize) -> Vec<u32> {
        let mut v = POOL.with(|p| p.borrow_mut().pop()).unwrap_or_default();
        // Pooled arrays are all zero, so resizing either way leaves only zeros.
        v.resize(len, 0);
        v
    }

    /// Returns an array whose non-zero entries are all at `touched` indexes.
    pub(super) fn give_back(mut v: Vec<u32>, touched: &[u32]) {
        if v.capacity() > MAX_LEN {
            return;
        }
        if touched.len() < v.len() / 16 {
            for &i in touched {
                if let Some(c) = v.get_mut(i as usize) {
                    *c = 0;
                }
            }
        } else {
            v.fill(0);
        }
        debug_assert!(v.iter().all(|&c| c == 0));
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < KEEP {
                p.push(v);
            }
        });
    }
}

impl SegmentFacetCounter {
    /// Appends the span indexes of the values of `docs` to `out`. A document's values are
    /// decoded as one run rather than by one virtual call each (`values_for_doc`): the
    /// per-value call was the largest single cost of counting a sample (perf: 17% of a
    /// narrow search on 1M articles).
    fn span_indexes(&mut self, docs: &[DocId], out: &mut Vec<u32>) {
        let Some(column) = &self.column else {
            return;
        };
        let ords = column.ords();
        let span = self.counts.len() as u64;
        let buf = &mut self.buf;
        for &doc in docs {
            let rows = ords.index.value_row_ids(doc);
            let len = rows.end.saturating_sub(rows.start) as usize;
            if len == 0 {
                continue;
            }
            if buf.len() < len {
                buf.resize(len, 0);
            }
            ords.values
                .get_range(u64::from(rows.start), &mut buf[..len]);
            out.extend(buf[..len].iter().filter_map(|&ord| {
                let i = ord.checked_sub(self.base)?;
                (i < span).then_some(i as u32)
            }));
        }
    }

    /// Adds one to the count of each of `indexes` (span indexes) in the array.
    fn bump(&mut self, indexes: &[u32]) {
        for &i in indexes {
            let c = &mut self.counts[i as usize];
            if *c == 0 {
                self.touched.push(i);
            }
            *c += 1;
        }
    }

    /// Counts the values of `docs` in the array.
    fn count(&mut self, docs: &[DocId]) {
        let mut indexes = std::mem::take(&mut self.indexes);
        indexes.clear();
        self.span_indexes(docs, &mut indexes);
        self.bump(&indexes);
        self.indexes = indexes;
    }

    /// Counts a sample's values by sorting them: `(index into the span, count)` in order,
    /// or `None` after counting them in the array as [`Self::count`] does, when they are
    /// many for the span. A sample's few thousand values land all over an array of
    /// hundreds of thousands of counts, one cache miss each (perf: a quarter of a narrow
    /// search on 1M articles went to that load); sorting them costs less.
    fn count_sample(&mut self, docs: &[DocId]) -> Option<Vec<(u32, u32)>> {
        let mut values: Vec<u32> = Vec::new();
        self.span_indexes(docs, &mut values);
        if values.len() as u64 > self.counts.len() as u64 / 8 {
            self.bump(&values);
            return None;
        }
        values.sort_unstable();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for i in values {
            match pairs.last_mut() {
                Some((last, c)) if *last == i => *c += 1,
                _ => pairs.push((i, 1)),
            }
        }
        Some(pairs)
    }

    /// The counted `(index into the span, count)` pairs of the array, in order: sorting the
    /// touched list is cheaper than a pass over the whole span until a good share of the
    /// span occurs (broad queries).
    fn occurring(&mut self) -> Vec<(u32, u32)> {
        if self.touched.len() < self.counts.len() / 16 {
            self.touched.sort_unstable();
            self.touched
                .iter()
                .map(|&i| (i, self.counts[i as usize]))
                .collect()
        } else {
            (0..self.counts.len())
                .filter(|&i| self.counts[i] > 0)
                .map(|i| (i as u32, self.counts[i]))
                .collect()
        }
    }

    /// The counted values by root, with `scaled` applied to each count; `occurring` holds
    /// `(index into the span, count)` in order.
    fn tally(&self, occurring: &[(u32, u32)], scaled: impl Fn(u32) -> u64) -> FacetTally {
        let mut roots = vec![Vec::new(); self.ranges.len()];
        let mut clusters: Vec<(u32, u64)> = Vec::new();
        let Some(column) = &self.column else {
            return FacetTally {
                roots,
                clusters,
                ..Default::default()
            };
        };
        let dict = column.dictionary();
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            // The pairs of this root: span indexes in [lo, hi) less the base.
            let index = |o: u64| o.saturating_sub(self.base);
            let from = occurring.partition_point(|&(j, _)| u64::from(j) < index(lo));
            let to = occurring.partition_point(|&(j, _)| u64::from(j) < index(hi));
            let mut pairs: Vec<(u64, u32)> = occurring[from..to]
                .iter()
                .map(|&(j, c)| (self.base + u64::from(j), c))
                .collect();
            if let (Some(map), true) = (&self.entity_ords, self.entity_root[i]) {
                // Mapped ordinals are tallied by entity id; only unmapped ones (none, when
                // the map is current) are decoded to names below.
                pairs.retain(|&(o, c)| match map.cluster(o) {
                    Some(id) => {
                        clusters.push((id, scaled(c)));
                        false
                    }
                    None => true,
                });
            }
            let ords: Vec<u64> = pairs.iter().map(|p| p.0).collect();
            let mut counts = pairs.iter().map(|p| p.1);
            let out = &mut roots[i];
            // Values are `root\0value`; the last path segment is the value itself.
            let result = dict.sorted_ords_to_term_cb(&ords, |term| {
                let value = term.rsplit(|b| *b == 0).next().unwrap_or(term);
                let count = counts.next().unwrap_or(0);
                out.push((String::from_utf8_lossy(value).into_owned(), scaled(count)));
            });
            // A dictionary that cannot be read counts nothing rather than failing the
            // search: facets are a summary, the hits are still right.
            if result.is_err() {
                out.clear();
            }
        }
        // Several ordinals may share an entity id: `harvest` adds them to the search's sums.
        FacetTally {
            roots,
            clusters,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summing_by_key_adds_equal_values_and_keeps_byte_order() {
        let v = |xs: &[(&str, u64)]| -> Vec<(String, u64)> {
            xs.iter().map(|(s, c)| (s.to_string(), *c)).collect()
        };
        let mut both = v(&[("A", 1), ("C", 2), ("É", 1), ("B", 5), ("C", 1)]);
        let mut hashed = both.clone();
        sum_by_key(&mut both);
        assert_eq!(both, v(&[("A", 1), ("B", 5), ("C", 3), ("É", 1)]));
        sum_strings(&mut hashed);
        assert_eq!(hashed, both);
        let sums = ClusterSums {
            ids: 10,
            ..Default::default()
        };
        sums.add(&[(7, 1), (2, 4)]);
        sums.add(&[(7, 2), (12, 1)]);
        assert_eq!(
            sums.take(),
            vec![(2, 4), (7, 3), (12, 1)],
            "ids past the count grow it"
        );
        assert!(sums.take().is_empty(), "taking leaves the sums empty");
        sums.add(&[(3, 1)]);
        assert_eq!(sums.take(), vec![(3, 1)]);
    }

    use tantivy::collector::Count;
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{FacetOptions, IndexRecordOption, Schema, STRING};
    use tantivy::{doc, Index, IndexWriter, Term};

    fn sorted(v: &[(String, u64)]) -> Vec<(String, u64)> {
        let mut v = v.to_vec();
        v.sort();
        v
    }

    #[test]
    fn counts_children_of_each_root_across_segments() {
        let mut b = Schema::builder();
        let facet = b.add_facet_field("facet", FacetOptions::default());
        let tag = b.add_text_field("tag", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer(15_000_000).unwrap();
        let add = |w: &mut IndexWriter, t: &str, fs: &[&str]| {
            let mut d = doc!(tag => t);
            for f in fs {
                d.add_facet(facet, Facet::from(*f));
            }
            w.add_document(d).unwrap();
        };
        add(
            &mut w,
            "a",
            &["/outlet/RT", "/entity/person/Ned Price", "/date/2022-01-07"],
        );
        add(&mut w, "a", &["/outlet/DW", "/entity/person/Ned Price"]);
        w.commit().unwrap();
        // A second segment whose dictionary numbers the values differently.
        add(&mut w, "b", &["/outlet/RT", "/entity/location/Almaty"]);
        add(&mut w, "a", &["/outlet/Sky News", "/entity/person/Tokayev"]);
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let counter = FacetCounter::new("facet", &["/outlet", "/entity/person", "/date"]);
        let (tally, n) = searcher.search(&AllQuery, &(counter, Count)).unwrap();
        assert_eq!(n, 4);
        let s = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
            sorted(
                &v.iter()
                    .map(|(a, b)| (a.to_string(), *b))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            sorted(tally.root(0)),
            s(&[("DW", 1), ("RT", 2), ("Sky News", 1)])
        );
        assert_eq!(
            sorted(tally.root(1)),
            s(&[("Ned Price", 2), ("Tokayev", 1)])
        );
        assert_eq!(sorted(tally.root(2)), s(&[("2022-01-07", 1)]));

        // Only matching documents count.
        let q = TermQuery::new(Term::from_field_text(tag, "a"), IndexRecordOption::Basic);
        let counter = FacetCounter::new("facet", &["/outlet", "/entity/location"]);
        let tally = searcher.search(&q, &counter).unwrap();
        assert_eq!(
            sorted(tally.root(0)),
            s(&[("DW", 1), ("RT", 1), ("Sky News", 1)])
        );
        assert!(
            tally.root(1).is_empty(),
            "Almaty is only in the non-matching doc"
        );
        assert!(tally.root(7).is_empty());
    }

    #[test]
    fn broad_matches_are_sampled_and_scaled_narrow_ones_counted_exactly() {
        let mut b = Schema::builder();
        let facet = b.add_facet_field("facet", FacetOptions::default());
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..6_000u32 {
            let outlet = if i % 3 == 0 { "/outlet/B" } else { "/outlet/A" };
            w.add_document(doc!(facet => Facet::from(outlet))).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let n = searcher.num_docs();

        let exact = FacetCounter::new("facet", &["/outlet"]).sampled(10_000, n);
        let tally = searcher.search(&AllQuery, &exact).unwrap();
        assert!(!tally.sampled());
        assert_eq!(
            tally.root(0),
            &[("A".to_string(), 4_000), ("B".to_string(), 2_000)]
        );

        let sampled = FacetCounter::new("facet", &["/outlet"]).sampled(300, n);
        let tally = searcher.search(&AllQuery, &sampled).unwrap();
        assert!(tally.sampled());
        assert_eq!(tally.matched, 6_000);
        // Between one and two budgets (a segment's share is at least 256).
        assert!((300..600).contains(&tally.counted), "{}", tally.counted);
        let a = tally.root(0)[0].1 as f64;
        let b = tally.root(0)[1].1 as f64;
        assert!((a - 4_000.0).abs() < 400.0, "A estimated at {a}");
        assert!(
            (a + b - 6_000.0).abs() < 2.0,
            "estimates add up to the matches"
        );
    }

    #[test]
    fn a_sample_among_many_values_is_counted_by_sorting_with_the_same_counts() {
        // 3,000 articles, each with its own name and one of three outlets; a tag picks 90
        // of them. Their 180 values are few for a span of 3,003, so the sample is counted
        // by sorting; the whole index is counted in the array. Both must agree with plain
        // counting.
        let mut b = Schema::builder();
        let facet = b.add_facet_field("facet", FacetOptions::default());
        let tag = b.add_text_field("tag", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..3_000u32 {
            let mut d = doc!(tag => if i % 100 < 3 { "picked" } else { "other" });
            d.add_facet(
                facet,
                Facet::from_path(["outlet", ["A", "B", "C"][i as usize % 3]]),
            );
            d.add_facet(
                facet,
                Facet::from_path(["entity", "person", &format!("P{i:04}")]),
            );
            // Every picked article also names one shared person.
            if i % 100 < 3 {
                d.add_facet(facet, Facet::from("/entity/person/Shared"));
            }
            w.add_document(d).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let n = searcher.num_docs();
        let roots = ["/outlet", "/entity/person"];
        let picked = TermQuery::new(
            Term::from_field_text(tag, "picked"),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let plain = searcher
            .search(&picked, &FacetCounter::new("facet", &roots))
            .unwrap();
        let sample = FacetCounter::new("facet", &roots).sampled(10_000, n);
        let sorted_tally = searcher.search(&picked, &sample).unwrap();
        assert!(
            !sorted_tally.sampled(),
            "fewer matches than the budget: all counted"
        );
        assert_eq!(sorted_tally.roots, plain.roots);
        assert_eq!(plain.root(0).len(), 3);
        assert_eq!(plain.root(1).len(), 91, "90 own names and the shared one");
        assert!(plain.root(1).contains(&("Shared".to_string(), 90)));
        // Every article: many values for the span, counted in the array either way.
        let all = FacetCounter::new("facet", &roots).sampled(10_000, n);
        let all = searcher.search(&AllQuery, &all).unwrap();
        assert_eq!(
            all.roots,
            searcher
                .search(&AllQuery, &FacetCounter::new("facet", &roots))
                .unwrap()
                .roots
        );
        assert_eq!(all.root(1).len(), 3_001);
    }

    #[test]
    fn roots_with_similar_prefixes_stay_apart() {
        let mut b = Schema::builder();
        let facet = b.add_facet_field("facet", FacetOptions::default());
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer(15_000_000).unwrap();
        w.add_document(doc!(facet => Facet::from("/entity/person/A")))
            .unwrap();
        w.add_document(doc!(facet => Facet::from("/entity/personal/B")))
            .unwrap();
        w.add_document(doc!(facet => Facet::from("/entity/organization/C")))
            .unwrap();
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let tally = searcher
            .search(&AllQuery, &FacetCounter::new("facet", &["/entity/person"]))
            .unwrap();
        assert_eq!(tally.root(0), &[("A".to_string(), 1)]);
    }
}
