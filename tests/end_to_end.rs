//! End to end: index real corpora with the built binary, search them, update them.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Command;

use common::*;
use serde_json::Value;

#[test]
fn csto_troops_finds_all_five_outlets() {
    let sb = Sandbox::new();
    sb.index_paths(&[&kazakhstan()]);
    let (code, v) = sb.search_json(&["CSTO troops", "--limit", "20"]);
    assert_eq!(code, 0);
    let outlets: BTreeSet<String> = hit_outlets(&v).into_iter().collect();
    let want: BTreeSet<String> = ["DW", "Helsingin Sanomat", "France 24", "RT", "Sky News"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(outlets, want);
    assert_eq!(v["total_articles"], 5);
    // Every hit highlights a word that matched.
    for h in v["hits"].as_array().unwrap() {
        let text = h["passage"]["text"].as_str().unwrap();
        for span in h["passage"]["highlights"].as_array().unwrap() {
            let (s, e) = (
                span[0].as_u64().unwrap() as usize,
                span[1].as_u64().unwrap() as usize,
            );
            let word = text[s..e].to_lowercase();
            assert!(
                word.starts_with("csto") || word.starts_with("troop"),
                "highlighted {word:?}"
            );
        }
    }
}

#[test]
fn outlet_filter_is_case_insensitive_and_exclusive() {
    let sb = Sandbox::new();
    sb.index_paths(&[&kazakhstan()]);
    let (code, v) = sb.search_json(&["Tokayev", "--outlet", "rt"]);
    assert_eq!(code, 0);
    let outlets = hit_outlets(&v);
    assert!(!outlets.is_empty());
    assert!(outlets.iter().all(|o| o == "RT"), "{outlets:?}");
    assert_eq!(v["facets"]["outlet"][0]["value"], "RT");

    let bad = sb.run(&["search", "Tokayev", "--outlet", "Sky Nwes"]);
    assert_eq!(bad.code(), 2);
    assert!(
        bad.stderr().contains("Sky News"),
        "closest outlet named: {}",
        bad.stderr()
    );
    assert_eq!(bad.stderr().lines().count(), 1, "{}", bad.stderr());
}

#[test]
fn json_output_has_the_documented_shape() {
    let sb = Sandbox::new();
    sb.index_paths(&[&kazakhstan()]);
    let (_, v) = sb.search_json(&["\"state of emergency\"", "--limit", "3"]);
    assert_eq!(v["query"], "\"state of emergency\"");
    assert!(v["total_articles"].as_u64().unwrap() >= 3);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3);
    for (i, h) in hits.iter().enumerate() {
        assert_eq!(h["rank"], i as u64 + 1);
        assert!(h["score"].is_number());
        for key in ["id", "path", "url", "outlet", "date", "title"] {
            assert!(h["article"].get(key).is_some(), "article.{key} missing");
        }
        assert_eq!(h["article"]["date"], "2022-01-07");
        let text = h["passage"]["text"].as_str().unwrap();
        let spans = h["passage"]["highlights"].as_array().unwrap();
        assert!(!spans.is_empty());
        for s in spans {
            let (a, b) = (
                s[0].as_u64().unwrap() as usize,
                s[1].as_u64().unwrap() as usize,
            );
            let got = text
                .get(a..b)
                .expect("highlight on char boundaries")
                .to_lowercase();
            assert!(
                ["state", "of", "emergency"].contains(&got.as_str()),
                "{got}"
            );
        }
    }
    for key in ["outlet", "date"] {
        let f = v["facets"][key].as_array().unwrap();
        assert!(!f.is_empty());
        assert!(f[0]["value"].is_string() && f[0]["count"].is_u64());
    }
    assert_eq!(v["facets"]["date"][0]["value"], "2022-01-07");
}

#[test]
fn exit_codes_follow_grep() {
    let sb = Sandbox::new();
    let missing = sb.run(&["search", "anything"]);
    assert_eq!(missing.code(), 2);
    assert!(
        missing.stderr().contains("newsidx index"),
        "{}",
        missing.stderr()
    );
    sb.index_paths(&[&kazakhstan()]);
    assert_eq!(sb.run(&["search", "Almaty"]).code(), 0);
    assert_eq!(sb.run(&["search", "zzyzzyva"]).code(), 1);
    let bad = sb.run(&["search", "\"unbalanced"]);
    assert_eq!(bad.code(), 2);
    assert!(
        bad.stderr().contains("unbalanced quote"),
        "{}",
        bad.stderr()
    );
    assert_eq!(sb.run(&["search", "x", "--since", "2022-02-30"]).code(), 2);
    assert_eq!(
        sb.run(&[
            "search",
            "x",
            "--since",
            "2022-02-01",
            "--until",
            "2022-01-01"
        ])
        .code(),
        2
    );
}

#[test]
fn reindexing_adds_updates_and_removes_only_what_changed() {
    let sb = Sandbox::new();
    let corpus = sb.copy_dir(&kazakhstan(), "kz");
    let r = sb.index_paths(&[&corpus]);
    assert_eq!(summary_counts(&r.stdout()).0, 5, "{}", r.stdout());

    // Nothing changed: nothing read.
    let r = sb.index_paths(&[&corpus]);
    let (a, u, d, same, _) = summary_counts(&r.stdout());
    assert_eq!((a, u, d, same), (0, 0, 0, 5), "{}", r.stdout());

    // Add a file.
    fs::write(
        corpus.join("005_added.txt"),
        "Quokkas were seen near the Almaty checkpoint on Saturday.\n\nA second paragraph.\n",
    )
    .unwrap();
    let r = sb.index_paths(&[&corpus]);
    let (a, u, d, same, _) = summary_counts(&r.stdout());
    assert_eq!((a, u, d, same), (1, 0, 0, 5), "{}", r.stdout());
    let (code, v) = sb.search_json(&["quokkas"]);
    assert_eq!(code, 0);
    assert!(v["hits"][0]["article"]["path"]
        .as_str()
        .unwrap()
        .ends_with("005_added.txt"));

    // Edit it: the old text is gone, the new one found.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(
        corpus.join("005_added.txt"),
        "Wombats replaced the quokkas in this version of the story.\n",
    )
    .unwrap();
    let r = sb.index_paths(&[&corpus]);
    let (a, u, d, same, _) = summary_counts(&r.stdout());
    assert_eq!((a, u, d, same), (0, 1, 0, 5), "{}", r.stdout());
    assert_eq!(
        sb.search_json(&["checkpoint Saturday quokkas", "--all"]).1["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["article"]["path"]
                .as_str()
                .unwrap()
                .ends_with("005_added.txt")
                && h["passage"]["text"].as_str().unwrap().contains("Saturday"))
            .count(),
        0
    );
    assert_eq!(sb.search_json(&["wombats"]).0, 0);

    // Delete it.
    fs::remove_file(corpus.join("005_added.txt")).unwrap();
    let r = sb.index_paths(&[&corpus]);
    let (a, u, d, same, _) = summary_counts(&r.stdout());
    assert_eq!((a, u, d, same), (0, 0, 1, 5), "{}", r.stdout());
    assert_eq!(sb.search_json(&["wombats"]).0, 1);
    let stats = sb.run(&["stats", "--format", "json"]);
    let s: Value = serde_json::from_str(&stats.stdout()).unwrap();
    assert_eq!(s["articles"], 5);

    // --rebuild starts over with the same content.
    let r = sb.index_paths(&[&corpus, std::path::Path::new("--rebuild")]);
    assert_eq!(summary_counts(&r.stdout()).0, 5, "{}", r.stdout());
}

/// A few hundred AllSides records, as gzip JSON Lines: outlet and date facets must count
/// exactly what the records say.
#[test]
fn allsides_sample_facets_are_right() {
    let src = shared().join("corpus/allsides/allsides.jsonl.gz");
    let f = fs::File::open(&src).expect("allsides.jsonl.gz");
    let lines: Vec<String> = BufReader::new(flate2::read::GzDecoder::new(f))
        .lines()
        .take(400)
        .map(|l| l.unwrap())
        .collect();
    let sb = Sandbox::new();
    let dir = sb.path().join("as");
    fs::create_dir_all(&dir).unwrap();
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(dir.join("sample.jsonl.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    for l in &lines {
        writeln!(gz, "{l}").unwrap();
    }
    gz.finish().unwrap();

    let mut outlets: BTreeMap<String, u64> = BTreeMap::new();
    let mut urls = BTreeSet::new();
    for l in &lines {
        let v: Value = serde_json::from_str(l).unwrap();
        if urls.insert(v["url"].as_str().unwrap_or("").to_string()) {
            *outlets
                .entry(v["source"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    sb.index_paths(&[&dir]);
    let s: Value = serde_json::from_str(
        &sb.run(&["stats", "--format", "json", "--top", "1000"])
            .stdout(),
    )
    .unwrap();
    assert_eq!(s["articles"].as_u64().unwrap(), urls.len() as u64);
    assert_eq!(s["outlets"].as_u64().unwrap(), outlets.len() as u64);
    for f in s["top_outlets"].as_array().unwrap() {
        let name = f["value"].as_str().unwrap();
        assert_eq!(
            f["count"].as_u64(),
            outlets.get(name).copied(),
            "outlet {name}"
        );
    }
    // Dates: a query over everything, date facet of one known day.
    let (_, v) = sb.search_json(&["the", "--facet-limit", "10000"]);
    let days: u64 = v["facets"]["date"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .sum();
    assert!(days > 0 && days <= urls.len() as u64);
    for d in v["facets"]["date"].as_array().unwrap() {
        let day = d["value"].as_str().unwrap();
        assert!(
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(),
            "{day}"
        );
    }
}

/// Searching segments side by side (`NEWSIDX_SEARCH_THREADS`, automatic on large indexes)
/// answers exactly what one thread answers: hits, passages, counts and facets.
#[test]
fn parallel_search_answers_as_one_thread_does() {
    let sb = Sandbox::new();
    let all: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = fs::read_dir(shared().join("corpus/worldwide-dev"))
            .expect("worldwide-dev corpus")
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    // Three index runs over growing folders: three segments at least.
    let dir = sb.path().join("ww");
    fs::create_dir_all(&dir).unwrap();
    for part in all.chunks(all.len() / 3 + 1) {
        for p in part {
            fs::copy(p, dir.join(p.file_name().unwrap())).unwrap();
        }
        sb.index_paths(&[&dir]);
    }
    let stats = stats_json(&sb);
    assert!(
        stats["segments"].as_u64().unwrap() >= 2,
        "the test needs several segments: {stats}"
    );
    let search = |threads: &str, args: &[&str]| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_newsidx"))
            .arg("search")
            .args(args)
            .args(["--format", "json", "--index"])
            .arg(sb.index())
            .env("NEWSIDX_SEARCH_THREADS", threads)
            .output()
            .expect("run newsidx");
        assert!(out.status.code().unwrap_or(2) < 2, "search failed: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    for q in [
        &["police"][..],
        &["\"prime minister\""],
        &["election", "--sort", "date"],
        &["protest", "--limit", "30", "--per-article", "2"],
        &["government", "--facet-limit", "50"],
    ] {
        let one = search("1", q);
        assert!(one.contains("\"hits\""), "{q:?}: {one}");
        assert_eq!(one, search("2", q), "{q:?} differs with two threads");
    }
}
