//! Measures the analyzer's throughput on AllSides text against tantivy's own stemmer chain
//! (interleaved runs in one process, so machine noise hits both alike).
//! `cargo run --release --example analyzer_speed`

use std::io::BufRead;
use std::time::Instant;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    TokenStream,
};

fn count(a: &mut TextAnalyzer, texts: &[String]) -> usize {
    let mut n = 0;
    for t in texts {
        let mut s = a.token_stream(t);
        while s.advance() {
            n += s.token().text.len();
        }
    }
    n
}

fn main() -> anyhow::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/allsides/allsides.jsonl.gz");
    let f = std::fs::File::open(&path)?;
    let mut texts = Vec::new();
    let mut bytes = 0;
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .take(8000)
    {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let t = v["content_original"].as_str().unwrap_or("").to_string();
        bytes += t.len();
        texts.push(t);
    }
    let mut ours = newsidx::analysis::analyzer();
    let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::default())
        .build();
    let mut nostem = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut best = [f64::MAX; 3];
    for _ in 0..5 {
        for (i, a) in [&mut ours, &mut plain, &mut nostem].into_iter().enumerate() {
            let t = Instant::now();
            std::hint::black_box(count(a, &texts));
            best[i] = best[i].min(t.elapsed().as_secs_f64());
        }
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{mb:.1} MB: cached stemmer {:.0} MB/s, tantivy Stemmer {:.0} MB/s, no stemming {:.0} MB/s",
        mb / best[0],
        mb / best[1],
        mb / best[2]
    );
    Ok(())
}
