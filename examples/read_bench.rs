//! How fast ingest reads files, without indexing: decompression alone, then the full read
//! (decompress + parse + map fields + normalise bodies), both over the decompressed bytes.
//!
//! ```text
//! cargo run --release --example read_bench -- ../shared/corpus/allsides/allsides.jsonl.gz
//! ```

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use newsidx::ingest::{self, ReadError};

fn main() -> Result<()> {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        bail!("usage: read_bench FILE_OR_FOLDER...");
    }
    let found = ingest::discover(&paths, &[]);
    for f in &found.files {
        // Pass 1: decompression (or plain reading) only.
        let t = Instant::now();
        let raw = std::fs::File::open(&f.path).with_context(|| f.path.display().to_string())?;
        let mut reader: Box<dyn Read> = if f.gzip {
            Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
                raw,
            )))
        } else {
            Box::new(raw)
        };
        let mut buf = vec![0u8; 1 << 20];
        let mut bytes = 0u64;
        loop {
            let n = reader.read(&mut buf).context("read")?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
        }
        let decompress = t.elapsed().as_secs_f64();

        // Pass 2: the full read, articles dropped as they come.
        let t = Instant::now();
        let mut articles = 0u64;
        let mut body_bytes = 0u64;
        let mut sink = |a: newsidx::article::Article| {
            articles += 1;
            body_bytes += a.body.len() as u64;
            Ok(())
        };
        let outcome = match ingest::read_file(f, &mut sink) {
            Ok(o) => o,
            Err(ReadError::Skipped(s)) => {
                println!("{s}");
                continue;
            }
            Err(ReadError::Sink(e)) => return Err(e),
        };
        let full = t.elapsed().as_secs_f64();
        let mb = bytes as f64 / 1_048_576.0;
        println!(
            "{}: {mb:.1} MB of text, {articles} articles ({:.1} MB of body), {} warnings",
            f.path.display(),
            body_bytes as f64 / 1_048_576.0,
            outcome.warnings.len()
        );
        println!(
            "  decompress/read only: {decompress:.2}s ({:.0} MB/s); full read: {full:.2}s ({:.0} MB/s of decompressed text)",
            mb / decompress.max(1e-9),
            mb / full.max(1e-9)
        );
        let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
        for w in &outcome.warnings {
            let kind: String = w.message.chars().take(40).collect();
            *kinds.entry(kind).or_default() += 1;
        }
        for (k, n) in kinds {
            println!("  {n} x {k}...");
        }
    }
    Ok(())
}
