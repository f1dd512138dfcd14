//! Test harness: temporary corpora and indexes, and running the built `newsidx` binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// `../shared` beside the checkout; tests that need it fail loudly when it is missing.
pub fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        p.join("corpus").is_dir(),
        "the shared data is missing: expected {} (the CI checkout has it beside the repo)",
        p.display()
    );
    p
}

pub fn kazakhstan() -> PathBuf {
    shared().join("corpus/kazakhstan-2022")
}

/// A scratch folder with an index location inside it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn index(&self) -> PathBuf {
        self.dir.path().join("idx")
    }
    /// Copies a folder of the shared corpus into the sandbox (so tests can change it).
    pub fn copy_dir(&self, from: &Path, name: &str) -> PathBuf {
        let to = self.dir.path().join(name);
        fs::create_dir_all(&to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
        to
    }
    /// Runs newsidx with `--index <sandbox index>` added.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_newsidx"))
            .args(args)
            .arg("--index")
            .arg(self.index())
            .env_remove("NO_COLOR")
            .env_remove("NEWSIDX_INDEX")
            .output()
            .expect("run newsidx");
        Run(out)
    }
    /// Starts newsidx in the background (with `--index <sandbox index>`), output captured.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_newsidx"))
            .args(args)
            .arg("--index")
            .arg(self.index())
            .env_remove("NO_COLOR")
            .env_remove("NEWSIDX_INDEX")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start newsidx")
    }
    pub fn index_paths(&self, paths: &[&Path]) -> Run {
        let mut args = vec!["index".to_string()];
        args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = self.run(&refs);
        assert_eq!(r.code(), 0, "index failed: {}", r.stderr());
        r
    }
    /// `search --format json` parsed.
    pub fn search_json(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["search"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--format", "json"]);
        let r = self.run(&args);
        let v = serde_json::from_str(&r.stdout()).unwrap_or_else(|e| {
            panic!(
                "no JSON ({e}): stdout {:?} stderr {:?}",
                r.stdout(),
                r.stderr()
            )
        });
        (r.code(), v)
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
}

/// Parses the index summary line into (added, updated, removed, unchanged, skipped).
pub fn summary_counts(stdout: &str) -> (u64, u64, u64, u64, u64) {
    let line = stdout
        .lines()
        .find(|l| l.contains(" added, "))
        .unwrap_or_else(|| panic!("no summary line in {stdout:?}"));
    let num = |word: &str| -> u64 {
        let idx = line
            .find(word)
            .unwrap_or_else(|| panic!("no `{word}` in {line:?}"));
        line[..idx]
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|s| !s.is_empty())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no count before `{word}` in {line:?}"))
    };
    (
        num(" added"),
        num(" updated"),
        num(" removed"),
        num(" unchanged"),
        num(" skipped"),
    )
}

/// Outlets of the hits in a JSON search result.
pub fn hit_outlets(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits array")
        .iter()
        .map(|h| h["article"]["outlet"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A small deterministic PRNG (xorshift64*): tests print the seed so a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    /// Seeded from NEWSIDX_TEST_SEED when set, else from the clock.
    pub fn from_env() -> Rng {
        let seed = std::env::var("NEWSIDX_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(42)
            });
        eprintln!("random seed: NEWSIDX_TEST_SEED={seed}");
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..hi` (hi > lo).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

const WORDS: &[&str] = &[
    "government",
    "protest",
    "minister",
    "election",
    "border",
    "troops",
    "court",
    "ruling",
    "economy",
    "prices",
    "fuel",
    "council",
    "report",
    "statement",
    "police",
    "capital",
    "agreement",
    "talks",
    "security",
    "crisis",
    "officials",
    "weekend",
    "market",
    "workers",
];

/// The text of synthetic article `i`: a few paragraphs of news words, with a unique word
/// `tokNNNNN` so a test can find exactly that article.
pub fn synthetic_article(i: usize, rng: &mut Rng) -> String {
    let mut text = String::new();
    for p in 0..4 {
        let words = 20 + rng.range(0, 40) as usize;
        for w in 0..words {
            if w > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[rng.range(0, WORDS.len() as u64) as usize]);
        }
        if p == 1 {
            text.push_str(&format!(" tok{i:05}"));
        }
        text.push_str(".\n\n");
    }
    text
}

/// Writes synthetic articles `from..to` as `art_NNNNN.txt` into `dir`.
pub fn synthetic_files(dir: &Path, from: usize, to: usize, rng: &mut Rng) {
    fs::create_dir_all(dir).unwrap();
    for i in from..to {
        fs::write(
            dir.join(format!("art_{i:05}.txt")),
            synthetic_article(i, rng),
        )
        .unwrap();
    }
}

/// Writes `n` synthetic articles into `dir`.
pub fn synthetic_corpus(dir: &Path, n: usize, rng: &mut Rng) {
    synthetic_files(dir, 0, n, rng);
}

/// `stats --format json` parsed.
pub fn stats_json(sb: &Sandbox) -> Value {
    let r = sb.run(&["stats", "--format", "json"]);
    assert_eq!(r.code(), 0, "stats failed: {}", r.stderr());
    serde_json::from_str(&r.stdout()).expect("stats JSON")
}

/// Ids and paths of every article `export` lists.
pub fn exported(sb: &Sandbox) -> Vec<(String, String)> {
    let r = sb.run(&["export"]);
    assert!(r.code() <= 1, "export failed: {}", r.stderr());
    r.stdout()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("export line is JSON");
            (
                v["id"].as_str().unwrap_or("").to_string(),
                v["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
