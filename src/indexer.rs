//! Incremental indexing: change detection against the index, batching, commits and crash recovery.
//!
//! How an update works:
//! 1. Every article document carries its source file (`file`, canonical path) and the
//!    file's change signature (`file_sig`: size, mtime, manifest) as fast fields, so the
//!    index itself is the record of what was indexed: no side database to drift out of step.
//! 2. Files whose signature is unchanged are not read. Changed files are re-read and their
//!    documents rewritten as a whole; vanished files (under a root being indexed) lose
//!    theirs. Per-article content hashes tell "updated" from "unchanged" in the summary.
//! 3. Articles are committed in batches. Each commit's payload lists the files still being
//!    read; after a crash those files are treated as changed on the next run, so a file
//!    whose articles were half committed is completed, never mistaken for unchanged.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DateTime, DocSet, IndexWriter, Searcher, TantivyDocument, Term};
use xxhash_rust::xxh3::Xxh3;

use crate::article::{Article, Entity};
use crate::boilerplate::Boilerplate;
use crate::entities::{EntityTable, Extractor};
use crate::ingest::{self, ReadError, Skipped, SourceFile, Warning};
use crate::schema::Fields;
use crate::store::Store;

/// How the indexer runs.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub index_dir: PathBuf,
    pub rebuild: bool,
    /// Memory budget for tantivy's indexing buffers, in MB (split across its threads).
    pub memory_mb: usize,
    /// Indexing threads (0 = one per core).
    pub threads: usize,
    /// Articles per commit: a crash loses at most this many articles of work.
    pub batch_articles: usize,
    /// Extract named entities from text (given entities are kept either way).
    pub extract_entities: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            index_dir: PathBuf::from("index"),
            rebuild: false,
            memory_mb: 256,
            threads: 0,
            batch_articles: 50_000,
            extract_entities: true,
        }
    }
}

/// What an indexing run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct IndexSummary {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub warnings: u64,
    pub duplicates: u64,
    pub files_read: u64,
    pub bytes_read: u64,
    pub commits: u64,
    #[serde(skip)]
    pub elapsed: Duration,
    /// Skip reasons with their counts, most common first.
    pub skip_reasons: Vec<(String, u64)>,
}

/// Streams what happens during a run to the caller (the CLI prints it; tests collect it).
pub trait Reporter: Sync {
    fn discovered(&self, _files: u64, _bytes: u64) {}
    fn file_done(&self, _bytes: u64) {}
    fn skipped(&self, _skip: &Skipped) {}
    fn warning(&self, _warning: &Warning) {}
    fn committed(&self, _articles: u64) {}
}

/// A reporter that ignores everything.
pub struct Quiet;
impl Reporter for Quiet {}

#[derive(Serialize, Deserialize, Default)]
struct CommitPayload {
    /// Canonical paths of files whose articles were not all committed yet.
    incomplete: Vec<String>,
}

/// What the index holds per source file.
#[derive(Debug, Clone, Copy)]
struct FileState {
    sig: u64,
    docs: u64,
}

enum Event {
    Start(String),
    Article(Box<Article>, String, u64),
    End {
        file: String,
        bytes: u64,
        outcome: std::result::Result<ingest::FileOutcome, Skipped>,
    },
}

/// Canonical form of a path, used as the file key: the same file reached through two
/// spellings of a root is still one file.
fn file_key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

fn under_any_root(file: &str, roots: &[String]) -> bool {
    roots.iter().any(|r| {
        file == r
            || (file.starts_with(r.as_str())
                && (r.ends_with('/') || file.as_bytes().get(r.len()) == Some(&b'/')))
    })
}

/// Reads what the index holds: per file, its signature and number of documents.
fn existing_files(searcher: &Searcher) -> Result<HashMap<String, FileState>> {
    let mut out: HashMap<String, FileState> = HashMap::new();
    let mut buf = String::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let Some(files) = ff.str("file").context("cannot read the `file` column")? else {
            continue;
        };
        let sigs = ff
            .u64("file_sig")
            .context("cannot read the `file_sig` column")?;
        let mut per_ord: HashMap<u64, FileState> = HashMap::new();
        for doc in seg.doc_ids_alive() {
            let Some(ord) = files.term_ords(doc).next() else {
                continue;
            };
            let sig = sigs.first(doc).unwrap_or(0);
            let e = per_ord.entry(ord).or_insert(FileState { sig, docs: 0 });
            e.docs += 1;
            // Mixed signatures mean a half-written file: force a re-read.
            if e.sig != sig {
                e.sig = 0;
            }
        }
        for (ord, st) in per_ord {
            buf.clear();
            files
                .ord_to_str(ord, &mut buf)
                .context("cannot read the `file` dictionary")?;
            let e = out.entry(buf.clone()).or_insert(FileState {
                sig: st.sig,
                docs: 0,
            });
            e.docs += st.docs;
            if e.sig != st.sig {
                e.sig = 0;
            }
        }
    }
    Ok(out)
}

/// Content hashes of the articles a file holds now, by id (to tell updated from unchanged).
fn hashes_of_file(
    searcher: &Searcher,
    fields: &Fields,
    file: &str,
) -> Result<HashMap<String, u64>> {
    let mut out = HashMap::new();
    let mut buf = String::new();
    for seg in searcher.segment_readers() {
        let ff = seg.fast_fields();
        let Some(ids) = ff.str("id").context("cannot read the `id` column")? else {
            continue;
        };
        let hashes = ff
            .u64("doc_hash")
            .context("cannot read the `doc_hash` column")?;
        let inv = seg
            .inverted_index(fields.file)
            .context("cannot read the `file` postings")?;
        let Some(mut postings) = inv
            .read_postings(
                &Term::from_field_text(fields.file, file),
                IndexRecordOption::Basic,
            )
            .context("cannot read the `file` postings")?
        else {
            continue;
        };
        let alive = seg.alive_bitset();
        let mut doc = postings.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                if let Some(ord) = ids.term_ords(doc).next() {
                    buf.clear();
                    ids.ord_to_str(ord, &mut buf)
                        .context("cannot read the `id` dictionary")?;
                    out.insert(buf.clone(), hashes.first(doc).unwrap_or(0));
                }
            }
            doc = postings.advance();
        }
    }
    Ok(out)
}

/// Content hash of what is indexed for an article: a change to any of it is an update.
pub fn article_hash(a: &Article) -> u64 {
    let mut h = Xxh3::new();
    for part in [
        a.id.as_str(),
        a.path.as_str(),
        a.url.as_deref().unwrap_or(""),
        a.outlet.as_deref().unwrap_or(""),
        a.title.as_deref().unwrap_or(""),
        a.body.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update(&[0xff]);
    }
    if let Some(d) = a.date {
        h.update(d.to_string().as_bytes());
    }
    h.update(&[0xfe]);
    for au in &a.authors {
        h.update(au.as_bytes());
        h.update(&[0xff]);
    }
    if let Some(ents) = &a.given_entities {
        for e in ents {
            h.update(e.name.as_bytes());
            h.update(e.kind.as_str().as_bytes());
        }
    }
    h.digest()
}

fn date_to_tantivy(d: NaiveDate) -> DateTime {
    let secs = d
        .and_hms_opt(0, 0, 0)
        .map(|dt| dt.and_utc().timestamp())
        .unwrap_or(0);
    DateTime::from_timestamp_secs(secs)
}

/// Builds the tantivy document for one article (`stripped`: hashes of the boilerplate lines
/// removed from its body).
fn to_document(
    fields: &Fields,
    a: &Article,
    entities: &[Entity],
    stripped: &[u64],
    file: &str,
    sig: u64,
    hash: u64,
) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(fields.id, &a.id);
    d.add_text(fields.file, file);
    d.add_u64(fields.file_sig, sig);
    d.add_u64(fields.doc_hash, hash);
    d.add_text(fields.path, &a.path);
    if let Some(r) = a.record {
        d.add_u64(fields.record, r);
    }
    if let Some(u) = &a.url {
        d.add_text(fields.url, u);
    }
    if let Some(t) = &a.title {
        d.add_text(fields.title, t);
    }
    d.add_text(fields.body, &a.body);
    let outlet = a.outlet.as_deref().unwrap_or("unknown");
    d.add_text(fields.outlet, outlet);
    d.add_facet(fields.facet, Facet::from_path(["outlet", outlet]));
    if let Some(date) = a.date {
        d.add_date(fields.date, date_to_tantivy(date));
        d.add_facet(
            fields.facet,
            Facet::from_path(["date", &date.format("%Y-%m-%d").to_string()]),
        );
    }
    for au in &a.authors {
        d.add_text(fields.authors, au);
    }
    for e in entities {
        d.add_facet(
            fields.facet,
            Facet::from_path(["entity", e.kind.as_str(), &e.name]),
        );
    }
    if !entities.is_empty() {
        if let Ok(json) = serde_json::to_string(entities) {
            d.add_text(fields.entities_json, &json);
        }
    }
    if !stripped.is_empty() {
        d.add_bytes(
            fields.boilerplate,
            &crate::boilerplate::encode_keys(stripped),
        );
    }
    d
}

/// Side files saved beside tantivy's, stamped with the commit they describe.
#[derive(Serialize, Deserialize)]
struct Stamped<T> {
    opstamp: u64,
    data: T,
}

/// The corpus alias table in its compact binary form (see `entities::EntityTable::save`).
const ENTITY_TABLE: &str = "entities.table";
const BOILERPLATE: &str = "boilerplate.json";
/// The learnt boilerplate lines only, small enough for every search to load.
const BOILERPLATE_VIEW: &str = "boilerplate-view.json";

fn load_stamped<T: serde::de::DeserializeOwned>(store: &Store, name: &str) -> Option<Stamped<T>> {
    let raw = std::fs::read(store.side_file(name)).ok()?;
    serde_json::from_slice(&raw).ok()
}

fn save_stamped<T: Serialize>(store: &Store, name: &str, opstamp: u64, data: &T) -> Result<()> {
    let bytes = serde_json::to_vec(&Stamped { opstamp, data })
        .with_context(|| format!("cannot serialise {name}"))?;
    crate::store::write_atomic(&store.side_file(name), &bytes)
}

/// The entity alias table as of the index's last commit. When the saved table is older
/// than the index (a run was interrupted after a commit), it is rebuilt from the entities
/// stored with every article, so it never disagrees with what is indexed.
pub fn load_entity_table(store: &Store) -> Result<EntityTable> {
    let metas = store
        .index
        .load_metas()
        .context("cannot read index metadata")?;
    // A damaged or stale table is rebuilt below, never trusted.
    if let Ok(Some((opstamp, table))) = EntityTable::load(&store.side_file(ENTITY_TABLE)) {
        if opstamp == metas.opstamp {
            return Ok(table);
        }
    }
    let mut table = EntityTable::new();
    for_each_stored(store, &mut |d| {
        table.observe(&stored_entities(d, store.fields.entities_json))
    })?;
    Ok(table)
}

/// Calls `f` with every live stored article (to rebuild a side model from the index).
fn for_each_stored(store: &Store, f: &mut dyn FnMut(&TantivyDocument)) -> Result<()> {
    let reader = store.reader()?;
    let searcher = reader.searcher();
    for seg in searcher.segment_readers() {
        let st = seg
            .get_store_reader(64)
            .context("cannot read the document store")?;
        for doc in seg.doc_ids_alive() {
            let d: TantivyDocument = st.get(doc).context("cannot read a stored article")?;
            f(&d);
        }
    }
    Ok(())
}

fn stored_entities(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<Entity> {
    use tantivy::schema::Value;
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// What an indexed article contributed to the corpus-level models, read back from the
/// store so that it can be forgotten.
struct StoredContribution {
    entities: Vec<Entity>,
    outlet: String,
    body: String,
    stripped: Vec<u64>,
}

fn stored_contribution(d: &TantivyDocument, fields: &Fields) -> StoredContribution {
    use tantivy::schema::Value;
    let text = |f| {
        d.get_first(f)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    StoredContribution {
        entities: stored_entities(d, fields.entities_json),
        outlet: text(fields.outlet),
        body: text(fields.body),
        stripped: d
            .get_first(fields.boilerplate)
            .and_then(|v| v.as_bytes())
            .map(crate::boilerplate::decode_keys)
            .unwrap_or_default(),
    }
}

/// The boilerplate model as of the index's last commit; rebuilt from the stored articles
/// when the saved one is older (an interrupted run), as the entity table is.
fn load_boilerplate(store: &Store) -> Result<Boilerplate> {
    let metas = store
        .index
        .load_metas()
        .context("cannot read index metadata")?;
    if let Some(st) = load_stamped::<Boilerplate>(store, BOILERPLATE) {
        if st.opstamp == metas.opstamp {
            return Ok(st.data);
        }
    }
    let mut model = Boilerplate::new();
    for_each_stored(store, &mut |d| {
        let c = stored_contribution(d, &store.fields);
        model.observe_stored(&c.outlet, &c.body, &c.stripped);
    })?;
    Ok(model)
}

/// The learnt boilerplate lines for search (empty when the index has none).
pub fn load_boilerplate_view(store: &Store) -> crate::boilerplate::BoilerplateView {
    load_stamped(store, BOILERPLATE_VIEW)
        .map(|s| s.data)
        .unwrap_or_default()
}

/// What the articles of one source file contributed (to forget it from the models).
fn contributions_of_file(
    searcher: &Searcher,
    fields: &Fields,
    file: &str,
) -> Result<Vec<StoredContribution>> {
    let query = tantivy::query::TermQuery::new(
        Term::from_field_text(fields.file, file),
        IndexRecordOption::Basic,
    );
    let addrs = searcher
        .search(&query, &tantivy::collector::DocSetCollector)
        .context("cannot look up a file's articles")?;
    let mut out = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let d: TantivyDocument = searcher.doc(addr).context("cannot read a stored article")?;
        out.push(stored_contribution(&d, fields));
    }
    Ok(out)
}

fn lock_message(dir: &Path, e: tantivy::TantivyError) -> anyhow::Error {
    match e {
        tantivy::TantivyError::LockFailure(..) => anyhow!(
            "index {} is being updated by another newsidx process; wait for it to finish",
            dir.display()
        ),
        other => crate::store::damaged(dir, &other),
    }
}

/// Segments stop growing by merges at about this many articles.
///
/// A merge reads its inputs through memory maps, and every page it touches counts in the
/// process's resident memory until the merge ends: tantivy's default policy merges up to
/// ten million documents, so the last merges of a million-article index touched gigabytes
/// (2.2 GB peak RSS measured). Capping what takes part in merges bounds that, at the cost
/// of more segments on big indexes (each merge of up to eight capped segments yields at
/// most eight times this), which searches barely notice.
const MERGE_CAP_ARTICLES: usize = 12_000;

fn merge_policy() -> tantivy::indexer::LogMergePolicy {
    let mut p = tantivy::indexer::LogMergePolicy::default();
    p.set_max_docs_before_merge(MERGE_CAP_ARTICLES);
    p
}

/// Indexes `roots` into the index at `opts.index_dir`, incrementally.
pub fn run(
    roots: &[PathBuf],
    opts: &IndexOptions,
    reporter: &dyn Reporter,
) -> Result<IndexSummary> {
    let started = Instant::now();
    if roots.is_empty() {
        bail!("nothing to index: give one or more files or folders");
    }
    for r in roots {
        if !r.exists() {
            bail!("{}: no such file or folder", r.display());
        }
    }
    let (store, clear) = Store::open_or_create(&opts.index_dir, opts.rebuild)?;
    let fields = store.fields;
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let threads = threads.clamp(1, 8);
    // tantivy wants at least 15 MB per thread.
    let budget = (opts.memory_mb.max(16 * threads)) * 1024 * 1024;
    let mut writer: IndexWriter<TantivyDocument> = store
        .index
        .writer_with_num_threads(threads, budget)
        .map_err(|e| lock_message(&opts.index_dir, e))?;
    writer.set_merge_policy(Box::new(merge_policy()));
    if clear {
        // Uncommitted until the first commit below: searches still see the old index.
        writer
            .delete_all_documents()
            .context("cannot clear the index for --rebuild")?;
    }

    let reader = store.reader()?;
    let searcher = reader.searcher();
    let was_empty = clear || searcher.num_docs() == 0;
    let (existing, mut incomplete) = if clear {
        (HashMap::new(), HashSet::new())
    } else {
        let metas = store
            .index
            .load_metas()
            .context("cannot read index metadata")?;
        let incomplete: HashSet<String> = metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<CommitPayload>(p).ok())
            .map(|p| p.incomplete.into_iter().collect())
            .unwrap_or_default();
        (existing_files(&searcher)?, incomplete)
    };

    // Never index the index itself (`newsidx index .` with ./index inside).
    let exclude = [
        std::fs::canonicalize(&opts.index_dir).unwrap_or(opts.index_dir.clone()),
        opts.index_dir.clone(),
    ];
    let discovery = ingest::discover(roots, &exclude);
    let mut summary = IndexSummary::default();
    let mut reasons: HashMap<String, u64> = HashMap::new();
    for s in &discovery.skipped {
        reporter.skipped(s);
        summary.skipped += 1;
        *reasons.entry(s.reason.to_string()).or_default() += 1;
    }
    for w in &discovery.warnings {
        reporter.warning(w);
        summary.warnings += 1;
    }

    // Classify files.
    let root_keys: Vec<String> = roots.iter().map(|r| file_key(r)).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut to_read: Vec<(SourceFile, String, Option<FileState>)> = Vec::new();
    for f in discovery.files {
        let key = file_key(&f.path);
        if !seen.insert(key.clone()) {
            continue; // the same file reached twice (overlapping roots, symlinks)
        }
        match existing.get(&key) {
            Some(st) if st.sig == f.sig && st.sig != 0 && !incomplete.contains(&key) => {
                summary.unchanged += st.docs;
            }
            st => to_read.push((f, key, st.copied())),
        }
    }
    let mut table = if was_empty {
        EntityTable::new()
    } else {
        load_entity_table(&store)?
    };
    let mut boilerplate: Boilerplate = if was_empty {
        Boilerplate::new()
    } else {
        load_boilerplate(&store)?
    };
    // Files that vanished from under a root being indexed.
    for (key, st) in &existing {
        if !seen.contains(key) && under_any_root(key, &root_keys) {
            for c in contributions_of_file(&searcher, &fields, key)? {
                table.forget(&c.entities);
                boilerplate.forget(&c.outlet, &c.body, &c.stripped);
            }
            writer.delete_term(Term::from_field_text(fields.file, key));
            incomplete.remove(key);
            summary.removed += st.docs;
        }
    }
    // Changed files are rewritten whole: their old articles leave the models.
    for (_, key, st) in &to_read {
        if st.is_some() {
            for c in contributions_of_file(&searcher, &fields, key)? {
                table.forget(&c.entities);
                boilerplate.forget(&c.outlet, &c.body, &c.stripped);
            }
        }
    }
    let total_bytes: u64 = to_read.iter().map(|(f, _, _)| f.size).sum();
    reporter.discovered(to_read.len() as u64, total_bytes);

    // Old per-article hashes of changed files, for the summary's updated/unchanged split.
    let mut old_hashes: HashMap<String, HashMap<String, u64>> = HashMap::new();
    for (_, key, st) in &to_read {
        if st.is_some() {
            old_hashes.insert(key.clone(), hashes_of_file(&searcher, &fields, key)?);
        }
    }

    // Reader threads stream articles through a bounded channel (each file in order), so memory
    // stays flat however large the input.
    let prior: HashMap<String, bool> = to_read
        .iter()
        .map(|(_, k, st)| (k.clone(), st.is_some()))
        .collect();
    // Largest files first, so one big export does not start last and run alone.
    let mut files_for_reader: Vec<(SourceFile, String)> =
        to_read.into_iter().map(|(f, k, _)| (f, k)).collect();
    files_for_reader.sort_by_key(|f| std::cmp::Reverse(f.0.size));
    let (tx, rx) = sync_channel::<Event>(4096);
    // Readers get their own pool: the consumer's parallel document building runs on the
    // global pool, and readers blocked on a full channel must never starve it.
    let reader_threads = threads.min(files_for_reader.len()).max(1);
    let reader_thread = std::thread::spawn(move || {
        let pool = match rayon::ThreadPoolBuilder::new()
            .num_threads(reader_threads)
            .thread_name(|i| format!("newsidx-reader-{i}"))
            .build()
        {
            Ok(p) => p,
            Err(_) => return,
        };
        pool.install(|| {
            files_for_reader
                .into_par_iter()
                .for_each_with(tx, |tx, (file, key)| read_one(&file, key, tx));
        });
    });

    let mut state = RunState {
        fields,
        was_empty,
        ids_this_run: HashMap::new(),
        source_paths: Vec::new(),
        // Files left half-done by an interrupted run stay marked until this run completes
        // them; files this run starts are marked while they are being read.
        in_flight: incomplete,
        pending: Vec::new(),
        ended: Vec::new(),
        since_commit: 0,
        old_hashes,
        seen_in_file: HashMap::new(),
        prior,
        extractor: opts.extract_entities.then(Extractor::new),
        table,
        boilerplate,
    };
    consume(
        &rx,
        &mut writer,
        &mut state,
        &mut summary,
        &mut reasons,
        opts,
        reporter,
    )?;
    drop(rx);
    reader_thread
        .join()
        .map_err(|_| anyhow!("the file reader thread failed"))?;

    state.settle(&writer, &mut summary, reporter)?;
    let opstamp = commit(&mut writer, &[], &mut summary)?;
    state.table.save(&store.side_file(ENTITY_TABLE), opstamp)?;
    save_stamped(&store, BOILERPLATE, opstamp, &state.boilerplate)?;
    save_stamped(&store, BOILERPLATE_VIEW, opstamp, &state.boilerplate.view())?;
    reporter.committed(summary.added + summary.updated);
    writer
        .wait_merging_threads()
        .context("index segment merge failed")?;
    // After the merges, so the maps cover the segments searches will see.
    if opts.extract_entities || !state.table.is_empty() {
        let searcher = store.reader()?.searcher();
        crate::entity_ords::save(
            &store.side_file(crate::entity_ords::FILE),
            opstamp,
            &searcher,
            &state.table,
        )?;
    }
    let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    summary.skip_reasons = reasons;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Reads one file, streaming its events to the consumer; stops quietly when the consumer
/// has gone away (it failed and reports why itself).
fn read_one(file: &SourceFile, key: String, tx: &mut SyncSender<Event>) {
    if tx.send(Event::Start(key.clone())).is_err() {
        return;
    }
    let sig = file.sig;
    let outcome = {
        let mut sink = |a: Article| -> Result<()> {
            tx.send(Event::Article(Box::new(a), key.clone(), sig))
                .map_err(|_| anyhow!("indexing stopped"))
        };
        match ingest::read_file(file, &mut sink) {
            Ok(o) => Ok(o),
            Err(ReadError::Skipped(s)) => Err(s),
            Err(ReadError::Sink(_)) => return,
        }
    };
    let _ = tx.send(Event::End {
        file: key,
        bytes: file.size,
        outcome,
    });
}

struct RunState {
    fields: Fields,
    was_empty: bool,
    /// Ids added this run (hashed), with where the article came from (an index into
    /// `source_paths`, and the record number + 1, 0 for none): a second article with the
    /// same id replaces the first, and the warning names both. Kept small: a million
    /// records of one file hold one path.
    ids_this_run: HashMap<u64, (u32, u32)>,
    source_paths: Vec<String>,
    /// Files whose articles may be partly committed: listed in every commit's payload.
    in_flight: HashSet<String>,
    pending: Vec<(Box<Article>, String, u64)>,
    /// Files read to the end whose articles may still be in `pending`: they are complete
    /// only once those articles are handed to the writer.
    ended: Vec<String>,
    since_commit: u64,
    old_hashes: HashMap<String, HashMap<String, u64>>,
    /// Ids read so far from each changed file (to count the articles it lost).
    seen_in_file: HashMap<String, HashSet<String>>,
    /// Whether each file to read already had documents in the index.
    prior: HashMap<String, bool>,
    /// `None` with `--no-entities`.
    extractor: Option<Extractor>,
    table: EntityTable,
    boilerplate: Boilerplate,
}

impl RunState {
    /// Flushes pending articles, then closes the books of the files that ended: the
    /// articles their old version had and the new one lacks are counted as removed, and
    /// they leave the in-flight list that every commit records.
    fn settle(
        &mut self,
        writer: &IndexWriter<TantivyDocument>,
        summary: &mut IndexSummary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        self.flush(writer, summary, reporter)?;
        for file in std::mem::take(&mut self.ended) {
            if let Some(old) = self.old_hashes.remove(&file) {
                let now = self.seen_in_file.remove(&file).unwrap_or_default();
                summary.removed += old.keys().filter(|id| !now.contains(*id)).count() as u64;
            }
            self.in_flight.remove(&file);
        }
        Ok(())
    }

    /// Turns pending articles into documents on all cores and hands them to tantivy.
    fn flush(
        &mut self,
        writer: &IndexWriter<TantivyDocument>,
        summary: &mut IndexSummary,
        reporter: &dyn Reporter,
    ) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let fields = self.fields;
        let batch = std::mem::take(&mut self.pending);
        // Learn from the raw text first (stripping must never hide evidence from the
        // counts), so a line that becomes boilerplate in this batch leaves all of it.
        // Articles indexed before a line was learnt keep it; search hides it with the
        // saved view, and deleting them forgets it through the stored stripped hashes.
        let keys: Vec<Vec<u64>> = batch
            .par_iter()
            .map(|(a, _, _)| crate::boilerplate::article_keys(&a.body))
            .collect();
        for ((a, _, _), k) in batch.iter().zip(keys) {
            self.boilerplate
                .observe_keys(a.outlet.as_deref().unwrap_or("unknown"), k);
        }
        let extractor = self.extractor.as_ref();
        let boilerplate = &self.boilerplate;
        type Built = (
            TantivyDocument,
            String,
            u64,
            String,
            Vec<Entity>,
            String,
            Option<u64>,
        );
        let docs: Vec<Built> = batch
            .into_par_iter()
            .map(|(mut a, file, sig)| {
                // Hash what the source said, before cleaning: a better boilerplate model
                // must not make every article look changed.
                let hash = article_hash(&a);
                let stripped = boilerplate.strip(a.outlet.as_deref().unwrap_or("unknown"), &a.body);
                a.body = stripped.body;
                let entities = match a.given_entities.take() {
                    Some(given) => given,
                    None => extractor
                        .map(|x| x.extract(a.title.as_deref(), &a.body))
                        .unwrap_or_default(),
                };
                let doc = to_document(&fields, &a, &entities, &stripped.removed, &file, sig, hash);
                (doc, a.id.clone(), hash, file, entities, a.path, a.record)
            })
            .collect();
        for (doc, id, hash, file, entities, path, record) in docs {
            self.table.observe(&entities);
            let id_hash = xxhash_rust::xxh3::xxh3_64(id.as_bytes());
            if self.source_paths.last() != Some(&path) {
                self.source_paths.push(path.clone());
            }
            let source = (
                (self.source_paths.len() - 1) as u32,
                record.map_or(0, |r| u32::try_from(r).unwrap_or(u32::MAX - 1) + 1),
            );
            let earlier = self.ids_this_run.insert(id_hash, source);
            let dup = earlier.is_some();
            if let Some((first, first_record)) = earlier {
                summary.duplicates += 1;
                let first = &self.source_paths[first as usize];
                let at = match first_record {
                    0 => String::new(),
                    r => format!(":{}", r - 1),
                };
                reporter.warning(&Warning {
                    path: PathBuf::from(path),
                    line: record,
                    message: format!(
                        "same id as {first}{at} (`{id}`): indexed once, as this article"
                    ),
                });
            }
            // Ids are unique in the index: a later article with the same id (the same URL
            // in two files) replaces the earlier one.
            if dup || !self.was_empty {
                writer.delete_term(Term::from_field_text(fields.id, &id));
            }
            writer
                .add_document(doc)
                .context("cannot add a document to the index")?;
            if dup {
                continue;
            }
            let old = self.old_hashes.get(&file);
            if old.is_some() {
                self.seen_in_file
                    .entry(file.clone())
                    .or_default()
                    .insert(id.clone());
            }
            match old.and_then(|m| m.get(&id)) {
                Some(old) if *old == hash => summary.unchanged += 1,
                Some(_) => summary.updated += 1,
                None => summary.added += 1,
            }
            self.since_commit += 1;
        }
        Ok(())
    }
}

fn commit(
    writer: &mut IndexWriter<TantivyDocument>,
    incomplete: &[String],
    summary: &mut IndexSummary,
) -> Result<u64> {
    let payload = serde_json::to_string(&CommitPayload {
        incomplete: incomplete.to_vec(),
    })?;
    let mut prepared = writer
        .prepare_commit()
        .context("cannot prepare an index commit")?;
    prepared.set_payload(&payload);
    let opstamp = prepared.commit().context("cannot commit to the index")?;
    summary.commits += 1;
    Ok(opstamp)
}

const FLUSH_EVERY: usize = 512;

fn consume(
    rx: &Receiver<Event>,
    writer: &mut IndexWriter<TantivyDocument>,
    state: &mut RunState,
    summary: &mut IndexSummary,
    reasons: &mut HashMap<String, u64>,
    opts: &IndexOptions,
    reporter: &dyn Reporter,
) -> Result<()> {
    let fields = state.fields;
    for ev in rx.iter() {
        match ev {
            Event::Start(file) => {
                // A changed file's documents are rewritten as a whole.
                if state.prior.get(&file).copied().unwrap_or(false) {
                    writer.delete_term(Term::from_field_text(fields.file, &file));
                }
                state.in_flight.insert(file);
            }
            Event::Article(a, file, sig) => {
                state.pending.push((a, file, sig));
                if state.pending.len() >= FLUSH_EVERY {
                    state.settle(writer, summary, reporter)?;
                }
            }
            Event::End {
                file,
                bytes,
                outcome,
            } => {
                reporter.file_done(bytes);
                summary.bytes_read += bytes;
                match outcome {
                    Ok(o) => {
                        summary.files_read += 1;
                        for w in &o.warnings {
                            reporter.warning(w);
                        }
                        summary.warnings += o.warnings.len() as u64;
                    }
                    Err(skip) => {
                        reporter.skipped(&skip);
                        summary.skipped += 1;
                        *reasons.entry(skip.reason.to_string()).or_default() += 1;
                    }
                }
                // Files end far more often than batches fill (a folder of one-article
                // files), so their articles wait for a full batch: extraction then runs
                // on all cores instead of one article at a time.
                state.ended.push(file);
                if state.pending.is_empty() {
                    state.settle(writer, summary, reporter)?;
                }
            }
        }
        if state.since_commit + state.pending.len() as u64 >= opts.batch_articles as u64 {
            state.settle(writer, summary, reporter)?;
            let incomplete: Vec<String> = state.in_flight.iter().cloned().collect();
            commit(writer, &incomplete, summary)?;
            reporter.committed(summary.added + summary.updated);
            state.since_commit = 0;
        }
    }
    Ok(())
}
