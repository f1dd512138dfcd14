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
