//! Development harness for the entity extractor, without an index.
//!
//! `cargo run --release --example entities_dev -- DIR...` prints one JSON object a line
//! (`path`, `entities`) for every `.txt` file, in the shape `newsidx export` writes, with
//! corpus-level canonical names, so `score-entities.py` can score it directly.
//! `cargo run --release --example entities_dev -- --bench FILE.jsonl.gz` measures extraction
//! speed over the `content_original` and `title` fields of a JSON Lines corpus (one core).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use newsidx::entities::{EntityTable, Extractor};

// The allocator newsidx itself runs with, so speed figures and profiles match the indexer's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--text") {
        let ex = Extractor::new();
        for t in &args[1..] {
            for e in ex.extract(None, t) {
                println!("{:?}\t{}\t{:?}", e.kind, e.name, e.aliases);
            }
            println!("--");
        }
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("--dump") {
        let path = args
            .get(1)
            .ok_or_else(|| anyhow::anyhow!("--dump FILE.jsonl.gz"))?;
        return dump(Path::new(path));
    }
    if args.first().map(String::as_str) == Some("--bench") {
        let path = args
            .get(1)
            .ok_or_else(|| anyhow::anyhow!("--bench FILE.jsonl.gz"))?;
        return bench(Path::new(path));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for a in &args {
        for e in walkdir::WalkDir::new(a).sort_by_file_name() {
            let e = e?;
            if e.path().extension().is_some_and(|x| x == "txt") {
                files.push(e.path().to_path_buf());
            }
        }
    }
    let ex = Extractor::new();
    let mut table = EntityTable::new();
    let mut per_file = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f)?;
        // Worldwide files start with their URL; it is metadata, not text.
        let body = match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("http") => rest,
            _ => text.as_str(),
        };
        let ents = ex.extract(None, body);
        table.observe(&ents);
        per_file.push((f.clone(), ents));
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    for (f, ents) in per_file {
        let list: Vec<serde_json::Value> = ents
            .iter()
            .map(|e| {
                let (kind, name) = table.canonical(e.kind, &e.name);
                serde_json::json!({"name": name, "kind": kind, "article_name": e.name, "aliases": e.aliases})
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"path": f.to_string_lossy(), "entities": list})
        )?;
    }
    Ok(())
}

/// (title, body) of each record of an AllSides-style JSON Lines file, gzip-compressed.
fn read_records(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let file = std::fs::File::open(path)?;
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let mut docs: Vec<(String, String)> = Vec::new();
    for line in reader.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        // The body as the indexer reads it (paragraphs, whitespace, inline cards).
        docs.push((
            s("title"),
            newsidx::ingest::normalise_body(&s("content_original")),
        ));
    }
    Ok(docs)
}

/// Every record's extracted entities (kind, name, aliases), one line each: a before/after
/// check that a speed change leaves extraction exactly as it was.
fn dump(path: &Path) -> anyhow::Result<()> {
    let ex = Extractor::new();
    let out = std::io::stdout();
    let mut out = out.lock();
    for (t, b) in read_records(path)? {
        for e in ex.extract(Some(&t), &b) {
            write!(out, "{:?}\t{}\t{:?}|", e.kind, e.name, e.aliases)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn bench(path: &Path) -> anyhow::Result<()> {
    let docs = read_records(path)?;
    let bytes: usize = docs.iter().map(|(t, b)| t.len() + b.len()).sum();
    let t0 = Instant::now();
    let ex = Extractor::new();
    let load = t0.elapsed();
    let t1 = Instant::now();
    let mut n = 0usize;
    let mut all = Vec::with_capacity(docs.len());
    for (t, b) in &docs {
        let e = ex.extract(Some(t), b);
        n += e.len();
        all.push(e);
    }
    let secs = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let mut table = EntityTable::new();
    for e in &all {
        table.observe(e);
    }
    let observe = t2.elapsed();
    let t3 = Instant::now();
    let names = table.len();
    let build = t3.elapsed();
    let dir = std::env::temp_dir().join("newsidx-bench-entities.table");
    table.save(&dir, 1)?;
    let t4 = Instant::now();
    let loaded = EntityTable::load(&dir)?.map(|(_, t)| t);
    let _ = loaded.map(|t| t.canonical(newsidx::article::EntityKind::Person, "Donald Trump"));
    println!(
        "table: {names} names, observe {:.0} ms, derive {:.0} ms, load + one lookup {:.2} ms",
        observe.as_secs_f64() * 1e3,
        build.as_secs_f64() * 1e3,
        t4.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "{} articles, {:.1} MB, {} entities: {:.2} s, {:.1} MB/s on one core (gazetteer load {:.0} ms)",
        docs.len(),
        bytes as f64 / 1e6,
        n,
        secs,
        bytes as f64 / 1e6 / secs,
        load.as_secs_f64() * 1e3
    );
    Ok(())
}
