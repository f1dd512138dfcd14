//! Faults: the indexer killed mid-run, two processes at once, damaged or foreign indexes, and
//! bad queries or options. Each test would fail if newsidx lost or duplicated articles,
//! panicked, or answered with anything but one clear line and exit 2.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

const ARTICLES: usize = 2500;

/// Kills `child` after `delay`, or returns early when it finished on its own.
fn kill_after(mut child: std::process::Child, delay: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < delay {
        if child.try_wait().expect("poll child").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // `Child::kill` is SIGKILL on Unix: no destructor, no flush, no commit runs.
    child.kill().expect("SIGKILL the indexer");
    child.wait().expect("reap the indexer");
    true
}

/// The index after a crash: it opens, search answers, and it holds a consistent set of
/// whole articles with no duplicates.
fn assert_consistent(sb: &Sandbox, at_most: usize) -> usize {
    let stats = stats_json(sb);
    let n = stats["articles"].as_u64().expect("article count") as usize;
    assert!(
        n <= at_most,
        "{n} articles, more than the {at_most} written"
    );
    let search = sb.run(&["search", "government", "--limit", "3"]);
    assert!(
        search.code() == 0 || (search.code() == 1 && n == 0),
        "search after a crash: exit {} {}",
        search.code(),
        search.stderr()
    );
    let ids = exported(sb);
    assert_eq!(ids.len(), n, "export and stats disagree");
    let unique: BTreeSet<&String> = ids.iter().map(|(id, _)| id).collect();
    assert_eq!(unique.len(), n, "duplicate articles after a crash");
    n
}

#[test]
fn killed_indexer_loses_at_most_a_batch_and_the_rerun_completes() {
    let mut rng = Rng::from_env();
    let sb = Sandbox::new();
    let corpus = sb.path().join("corpus");
    synthetic_corpus(&corpus, ARTICLES, &mut rng);
    let corpus_arg = corpus.to_string_lossy().into_owned();

    // An uninterrupted run into a scratch index tells how long a full run takes here.
    let reference = sb.path().join("reference-index");
    let started = Instant::now();
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_newsidx"))
        .args(["index", &corpus_arg, "--batch", "200", "--index"])
        .arg(&reference)
        .output()
        .expect("run newsidx");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let full = started.elapsed();

    let mut kills = 0;
    let mut last = 0;
    let mut total = ARTICLES;
    for round in 0..5 {
        if round > 0 {
            // Give every round work to be interrupted in: new articles, and rewritten ones
            // (whose old documents must be replaced, never duplicated).
            for _ in 0..300 {
                let i = rng.range(0, total as u64) as usize;
                let path = corpus.join(format!("art_{i:05}.txt"));
                fs::write(&path, synthetic_article(i, &mut rng)).unwrap();
            }
            synthetic_files(&corpus, total, total + 300, &mut rng);
            total += 300;
            // mtimes have a coarse granularity on some file systems; sizes change anyway
            // for most rewrites, and the rest must at least not be lost.
        }
        // Kill at a random point of what a full run would take.
        let delay = full.mul_f64(rng.range(5, 80) as f64 / 100.0);
        let child = sb.spawn(&["index", &corpus_arg, "--batch", "200"]);
        let killed = kill_after(child, delay);
        kills += killed as u32;
        if !sb.index().join("meta.json").exists() {
            continue; // killed before the index existed at all
        }
        let n = assert_consistent(&sb, total);
        eprintln!(
            "round {round}: killed={killed} after {delay:?} of {full:?}: {n} articles committed"
        );
        assert!(
            n >= last,
            "round {round}: committed articles went from {last} to {n}"
        );
        last = n;
    }
    assert!(
        kills > 0,
        "the indexer was never killed: the test proved nothing"
    );

    // The run after the crashes completes the index: every article exactly once.
    let r = sb.run(&["index", &corpus_arg]);
    assert_eq!(r.code(), 0, "re-run after crashes: {}", r.stderr());
    assert_eq!(assert_consistent(&sb, total), total);
    let paths: BTreeSet<String> = exported(&sb)
        .into_iter()
        .map(|(_, p)| {
            Path::new(&p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(paths.len(), total);
    // Rewritten articles hold their latest text: a sample of unique words finds one each.
    for _ in 0..5 {
        let i = rng.range(0, total as u64) as usize;
        let (code, v) = sb.search_json(&[&format!("tok{i:05}")]);
        assert_eq!(code, 0, "tok{i:05}");
        assert_eq!(v["total_articles"], 1, "tok{i:05}");
        let text = v["hits"][0]["passage"]["text"].as_str().unwrap_or("");
        let disk = fs::read_to_string(corpus.join(format!("art_{i:05}.txt"))).unwrap();
        assert!(
            disk.contains(text.trim()),
            "tok{i:05}: the indexed passage is not the file's latest text"
        );
    }
    // And a run after that has nothing left to do.
    let r = sb.run(&["index", &corpus_arg]);
    let (added, updated, removed, unchanged, _) = summary_counts(&r.stdout());
    assert_eq!((added, updated, removed), (0, 0, 0), "{}", r.stdout());
    assert_eq!(unchanged as usize, total);
}

#[test]
fn second_indexer_fails_fast_and_search_sees_the_last_commit() {
    let mut rng = Rng::from_env();
    let sb = Sandbox::new();
    let corpus = sb.path().join("corpus");
    synthetic_corpus(&corpus, ARTICLES, &mut rng);
    let corpus_arg = corpus.to_string_lossy().into_owned();

    let mut first = sb.spawn(&["index", &corpus_arg, "--batch", "100"]);
    // Wait for the first commit, so that search has a state to see.
    let start = Instant::now();
    let mut saw_second_fail = false;
    let mut saw_partial_search = false;
    while first.try_wait().expect("poll").is_none() && start.elapsed() < Duration::from_secs(120) {
        if sb.index().join("meta.json").exists() {
            let t = Instant::now();
            let second = sb.run(&["index", &corpus_arg]);
            if second.code() == 2 {
                assert!(
                    second.stderr().contains("another newsidx process"),
                    "{}",
                    second.stderr()
                );
                assert_eq!(
                    second.stderr().trim().lines().count(),
                    1,
                    "{}",
                    second.stderr()
                );
                assert!(t.elapsed() < Duration::from_secs(10), "did not fail fast");
                saw_second_fail = true;
            }
            let stats = sb.run(&["stats", "--format", "json"]);
            assert_eq!(stats.code(), 0, "stats while indexing: {}", stats.stderr());
            let v: serde_json::Value = serde_json::from_str(&stats.stdout()).unwrap();
            let n = v["articles"].as_u64().unwrap() as usize;
            if n > 0 && n < ARTICLES {
                let s = sb.run(&["search", "government", "--format", "json"]);
                assert_eq!(s.code(), 0, "search while indexing: {}", s.stderr());
                let r: serde_json::Value = serde_json::from_str(&s.stdout()).unwrap();
                // The indexer may commit between `stats` and `search`: what search sees is
                // bounded by what is committed once it has answered, not before it ran.
                let after = sb.run(&["stats", "--format", "json"]);
                let after: serde_json::Value = serde_json::from_str(&after.stdout()).unwrap();
                let committed = after["articles"].as_u64().unwrap() as usize;
                assert!(r["total_articles"].as_u64().unwrap() as usize <= committed);
                saw_partial_search = true;
            }
            if saw_second_fail && saw_partial_search {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = first.wait().expect("first indexer");
    assert!(status.success(), "the first indexer failed");
    assert!(
        saw_second_fail,
        "never saw the second indexer refused while the first ran"
    );
    assert!(
        saw_partial_search,
        "never saw a search of a partly committed index (indexing too fast to observe?)"
    );
    assert_eq!(stats_json(&sb)["articles"], ARTICLES as u64);
}

/// Copies an index folder.
fn copy_index(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn one_line_error(r: &Run, must_contain: &str) {
    assert_eq!(r.code(), 2, "exit code; stderr {}", r.stderr());
    let err = r.stderr();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(must_contain), "{must_contain:?} not in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn damaged_and_foreign_indexes_say_so_in_one_line() {
    let sb = Sandbox::new();
    sb.index_paths(&[&kazakhstan()]);
    let good = sb.index();
    let run_on = |dir: &Path, args: &[&str]| -> Run {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_newsidx"))
            .args(args)
            .arg("--index")
            .arg(dir)
            .output()
            .unwrap();
        Run(out)
    };
    let segment_file = |dir: &Path, ext: &str| {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == ext))
            .expect("a segment file")
    };

    // A truncated segment file.
    let d = sb.path().join("truncated");
    copy_index(&good, &d);
    let f = segment_file(&d, "store");
    let len = fs::metadata(&f).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&f)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    one_line_error(&run_on(&d, &["search", "CSTO"]), "--rebuild");
    one_line_error(&run_on(&d, &["stats"]), "damaged");

    // A deleted segment file.
    let d = sb.path().join("deleted");
    copy_index(&good, &d);
    fs::remove_file(segment_file(&d, "idx")).unwrap();
    one_line_error(&run_on(&d, &["search", "CSTO"]), "is missing");
    let k = kazakhstan().to_string_lossy().into_owned();
    one_line_error(&run_on(&d, &["index", &k]), "--rebuild");
    // ... and --rebuild is the way out.
    let r = run_on(&d, &["index", &k, "--rebuild"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert_eq!(run_on(&d, &["search", "CSTO"]).code(), 0);

    // meta.json missing, or garbage.
    let d = sb.path().join("nometa");
    copy_index(&good, &d);
    fs::remove_file(d.join("meta.json")).unwrap();
    one_line_error(&run_on(&d, &["search", "CSTO"]), "meta.json");
    fs::write(d.join("meta.json"), "{ not json").unwrap();
    one_line_error(&run_on(&d, &["search", "CSTO"]), "damaged");

    // A folder that is not an index: never deleted, even by --rebuild.
    let d = sb.path().join("photos");
    fs::create_dir_all(&d).unwrap();
    fs::write(d.join("holiday.jpg"), b"\xff\xd8\xff").unwrap();
    one_line_error(&run_on(&d, &["search", "CSTO"]), "not a newsidx index");
    one_line_error(&run_on(&d, &["index", &k, "--rebuild"]), "refusing");
    assert!(d.join("holiday.jpg").exists());

    // An index written by an incompatible newsidx.
    let d = sb.path().join("future");
    copy_index(&good, &d);
    fs::write(
        d.join("newsidx.json"),
        r#"{"schema_version": 999, "written_by": "9.0.0"}"#,
    )
    .unwrap();
    one_line_error(&run_on(&d, &["search", "CSTO"]), "--rebuild");
    one_line_error(&run_on(&d, &["index", &k]), "--rebuild");

    // --index naming a file.
    let f = sb.path().join("a-file");
    fs::write(&f, "x").unwrap();
    one_line_error(&run_on(&f, &["search", "CSTO"]), "not an index folder");
    one_line_error(&run_on(&f, &["index", &k]), "not an index folder");

    // The original is untouched by all of this.
    assert_eq!(run_on(&good, &["search", "CSTO"]).code(), 0);
}

#[test]
fn bad_queries_and_options_are_one_line_and_exit_2() {
    let sb = Sandbox::new();
    sb.index_paths(&[&kazakhstan()]);
    let cases: &[(&[&str], &str)] = &[
        (&["search", "\"state of emergency"], "unbalanced quote"),
        (&["search", "(CSTO OR troops"], "unclosed"),
        (&["search", "CSTO)"], "`)`"),
        (&["search", "nosuchfield:CSTO"], "unknown field"),
        (&["search", "   "], "empty query"),
        (&["search", "CSTO", "--since", "2022-02-30"], "not a date"),
        (&["search", "CSTO", "--until", "next week"], "not a date"),
        (
            &[
                "search",
                "CSTO",
                "--since",
                "2022-02-01",
                "--until",
                "2022-01-01",
            ],
            "after --until",
        ),
        (&["search", "CSTO", "--limit", "-5"], "--help"),
        (&["search", "CSTO", "--limit", "0"], "--limit"),
        (&["search", "CSTO", "--limit", "99999999999"], "--limit"),
        (&["search", "CSTO", "--per-article", "abc"], "--per-article"),
        (&["search", "CSTO", "--format", "xml"], "--format"),
        (
            &["search", "CSTO", "--outlet", "Nowhere Times"],
            "unknown outlet",
        ),
        (&["search"], "QUERY"),
        (&["index"], "PATH"),
        (&["frobnicate"], "frobnicate"),
        // clap's tips survive on the one line: a near miss, a query that starts with '-'.
        (&["serch", "CSTO"], "similar subcommand exists: 'search'"),
        (&["search", "CSTO", "--limt", "3"], "'--limit'"),
        (&["search", "-troops"], "use '-- -t'"),
    ];
    for (args, want) in cases {
        let r = sb.run(args);
        assert_eq!(r.code(), 2, "{args:?}: exit {} {}", r.code(), r.stderr());
        let err = r.stderr();
        assert_eq!(
            err.trim().lines().count(),
            1,
            "{args:?}: one line, got {err}"
        );
        assert!(err.contains(want), "{args:?}: {want:?} not in {err}");
        assert!(r.stdout().is_empty(), "{args:?}: nothing on stdout");
    }
    let missing = sb.path().join("no-such-folder");
    let r = sb.run(&["index", &missing.to_string_lossy()]);
    one_line_error(&r, "no-such-folder");
}
