//! Reading formats end to end: small corpora built in a temp dir (one file of each format,
//! gzip variants, manifests, bad files), indexed by the built binary, checked through
//! `newsidx export` and the summary line.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use common::*;
use serde_json::Value;

fn gz(path: &Path, data: &[u8]) {
    let mut e =
        flate2::write::GzEncoder::new(fs::File::create(path).unwrap(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap();
}

/// `export` records keyed by `url:<URL>` for URL ids, else by the path relative to `root`
/// (plus `#N` for record N of a multi-record file).
fn export_by_rel(sb: &Sandbox, root: &Path) -> BTreeMap<String, Value> {
    let r = sb.run(&["export"]);
    assert_eq!(r.code(), 0, "export failed: {}", r.stderr());
    let mut out = BTreeMap::new();
    for line in r.stdout().lines() {
        let v: Value = serde_json::from_str(line).expect("export line is JSON");
        let id = v["id"].as_str().unwrap().to_string();
        let path = v["path"].as_str().unwrap();
        assert!(
            Path::new(path).starts_with(root),
            "path {path} is not under {}",
            root.display()
        );
        let key = if id.starts_with("http") {
            format!("url:{id}")
        } else {
            id
        };
        assert!(
            out.insert(key.clone(), v).is_none(),
            "two records for {key}"
        );
    }
    out
}

fn field<'a>(rec: &'a Value, name: &str) -> &'a Value {
    rec.get(name)
        .unwrap_or_else(|| panic!("export record lacks {name}: {rec}"))
}

fn authors(rec: &Value) -> Vec<String> {
    field(rec, "authors")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

const TXT: &str = "https://www.example.co.nz/news/quokkas-1\n\nQuokka numbers rise on the island\n\nQuokka numbers rose sharply this year, rangers said on Monday.\n\nThe count was the highest on record.\n";

const MD: &str = "---\ntitle: \"Wombat census\"\ndate: 2021-03-04\nauthors:\n  - Jane Doe\n  - John Roe\nsource: Marsupial Times\n---\n\n# Wombat census\n\nThe **wombat** census found [many burrows](https://example.org).\n";

const MD_TOML: &str =
    "+++\ntitle = \"Numbat news\"\ndate = 2020-02-02T10:00:00Z\noutlet = \"Numbat Daily\"\n+++\n\nNumbats are *thriving*.\n";

const HTML: &str = r#"<!doctype html><html><head><title>Bilby | Desert Post</title>
<meta property="og:title" content="Bilby returns">
<meta property="og:site_name" content="Desert Post">
<meta property="article:published_time" content="2019-05-06T07:00:00+10:00">
<meta name="author" content="Ann Writer">
<link rel="canonical" href="https://desertpost.example/bilby">
<script>var tracking = "scriptword";</script><style>.x{}</style></head>
<body><nav>Home News Sport navword</nav><article><h1>Bilby returns</h1>
<p>The bilby has returned to the desert.</p><p>Rangers were <b>delighted</b>.</p></article>
<footer>footerword</footer></body></html>"#;

const JSON_ONE: &str = r#"{"headline": "Echidna spotted", "maintext": "An echidna was spotted.", "date_publish": "2018-07-08 09:10:11", "source_domain": "www.echidna.example", "authors": ["Al Pha"]}"#;

const JSON_ARRAY: &str = r#"[{"title": "Koala one", "text": "First koala.", "published": "January 7, 2022", "outlet": "Koala FM", "url": "https://koala.example/1"},
 {"title": "Koala two", "content": "Second koala.", "publish_date": 1641513600, "site_name": "Koala FM", "link": "https://koala.example/2"}]"#;

const JSON_WRAPPED: &str = r#"{"status": "ok", "totalResults": 2, "articles": [
 {"source": {"id": null, "name": "Dingo Wire"}, "author": "Bea Gamma, Cee Delta", "title": "Dingo one", "url": "https://dingo.example/1", "publishedAt": "2017-01-02T03:04:05Z", "content": "A dingo story."},
 {"source": {"name": "Dingo Wire"}, "title": "Dingo two", "url": "https://dingo.example/2", "publishedAt": {"$date": 1483326245000}, "content": "Another dingo story."}]}"#;

const JSONL: &str = "{\"title\": \"Emu one\", \"body\": \"Emus run.\", \"date\": \"7/23/17\", \"source\": \"Emu Times\"}\n{\"title\": \"Emu two\", \"body\": broken}\n\n{\"title\": \"Emu three\", \"article\": \"Emus sleep.\", \"date\": \"not a date at all\", \"source\": \"Emu Times\"}\n";

const CSV: &str = "title,text,date,source,url,author\n\"Possum one\",\"Possums climb.\nThey climb well.\",2016-06-07,Possum Post,https://possum.example/1,\"Dee E; Eff G\"\nonly,three,cells\n\"Possum two\",\"Possums sleep.\",07.06.2016,Possum Post,https://possum.example/2,\n";

#[test]
fn every_format_indexes_with_its_metadata() {
    let sb = Sandbox::new();
    let dir = sb.path().join("corpus");
    fs::create_dir_all(dir.join("gz")).unwrap();
    let files: &[(&str, &str)] = &[
        ("a.txt", TXT),
        ("b.md", MD),
        ("c.markdown", MD_TOML),
        ("d.html", HTML),
        ("e.json", JSON_ONE),
        ("f.json", JSON_ARRAY),
        ("g.json", JSON_WRAPPED),
        ("h.jsonl", JSONL),
        ("i.csv", CSV),
    ];
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
        gz(&dir.join("gz").join(format!("{name}.gz")), text.as_bytes());
    }
    let r = sb.index_paths(&[&dir]);
    // Each file twice (plain and .gz). Records with a URL are one article whichever copy
    // they come from: a, d (canonical link), f (2), g (2), i (2) give 8 articles; the
    // path-identified b, c, e (1 each) and h (2 good lines) give 2 x 5 = 10.
    let (added, _, _, _, skipped) = summary_counts(&r.stdout());
    assert_eq!(added, 18, "{}", r.stdout());
    assert!(r.stdout().contains("8 duplicate ids"), "{}", r.stdout());
    assert_eq!(skipped, 0, "{}", r.stdout());
    let err = r.stderr();
    // Each replaced article is named with the one that replaced it: the plain file and its
    // .gz copy, whichever came second.
    let dups: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(": same id as "))
        .collect();
    assert_eq!(dups.len(), 8, "{err}");
    assert!(
        dups.iter()
            .any(|l| l.contains("a.txt") && l.contains("a.txt.gz")),
        "{err}"
    );
    assert!(err.contains("h.jsonl:2: malformed JSON line"), "{err}");
    assert!(err.contains("i.csv:4: malformed CSV row"), "{err}");
    assert!(
        err.contains("h.jsonl:4: unreadable date \"not a date at all\""),
        "{err}"
    );

    let recs = export_by_rel(&sb, &dir);
    let get = |k: &str| -> &Value {
        recs.get(k)
            .unwrap_or_else(|| panic!("no export record {k}; have {:?}", recs.keys()))
    };
    // Plain text: URL line, title line.
    let a = get("url:https://www.example.co.nz/news/quokkas-1");
    assert_eq!(a["id"], "https://www.example.co.nz/news/quokkas-1");
    assert_eq!(a["outlet"], "example.co.nz");
    assert_eq!(a["title"], "Quokka numbers rise on the island");
    assert_eq!(a["date"], Value::Null);

    for prefix in ["", "gz/"] {
        let sfx = if prefix.is_empty() { "" } else { ".gz" };
        let b = get(&format!("{prefix}b.md{sfx}"));
        assert_eq!(b["title"], "Wombat census");
        assert_eq!(b["date"], "2021-03-04");
        assert_eq!(b["outlet"], "Marsupial Times");
        assert_eq!(authors(b), vec!["Jane Doe", "John Roe"]);
        assert_eq!(b["id"], format!("{prefix}b.md{sfx}"));

        let c = get(&format!("{prefix}c.markdown{sfx}"));
        assert_eq!(
            (&c["title"], &c["date"], &c["outlet"]),
            (
                &Value::from("Numbat news"),
                &Value::from("2020-02-02"),
                &Value::from("Numbat Daily")
            )
        );
        let e = get(&format!("{prefix}e.json{sfx}"));
        assert_eq!(e["title"], "Echidna spotted");
        assert_eq!(e["date"], "2018-07-08");
        assert_eq!(e["outlet"], "echidna.example");
        assert_eq!(authors(e), vec!["Al Pha"]);

        let h1 = get(&format!("{prefix}h.jsonl{sfx}#1"));
        assert_eq!(
            (&h1["title"], &h1["date"], &h1["outlet"]),
            (
                &Value::from("Emu one"),
                &Value::from("2017-07-23"),
                &Value::from("Emu Times")
            )
        );
        let h4 = get(&format!("{prefix}h.jsonl{sfx}#4"));
        assert_eq!(h4["title"], "Emu three");
        assert_eq!(h4["date"], Value::Null);
        assert!(!recs.contains_key(&format!("{prefix}h.jsonl{sfx}#2")));
    }
    let d = get("url:https://desertpost.example/bilby");
    assert_eq!(d["title"], "Bilby returns");
    assert_eq!(d["outlet"], "Desert Post");
    assert_eq!(d["date"], "2019-05-06");
    assert_eq!(authors(d), vec!["Ann Writer"]);

    let koala: Vec<&Value> = recs
        .values()
        .filter(|v| v["outlet"] == "Koala FM")
        .collect();
    assert_eq!(koala.len(), 2);
    assert!(koala.iter().all(|v| v["date"] == "2022-01-07"));
    let dingo: Vec<&Value> = recs
        .values()
        .filter(|v| v["outlet"] == "Dingo Wire")
        .collect();
    assert_eq!(dingo.len(), 2);
    assert!(dingo.iter().all(|v| v["date"] == "2017-01-02"), "{dingo:?}");
    let d1 = dingo.iter().find(|v| v["title"] == "Dingo one").unwrap();
    assert_eq!(authors(d1), vec!["Bea Gamma", "Cee Delta"]);
    let possum: Vec<&Value> = recs
        .values()
        .filter(|v| v["outlet"] == "Possum Post")
        .collect();
    assert_eq!(possum.len(), 2);
    assert!(
        possum.iter().all(|v| v["date"] == "2016-06-07"),
        "{possum:?}"
    );
    let p1 = possum.iter().find(|v| v["title"] == "Possum one").unwrap();
    assert_eq!(authors(p1), vec!["Dee E", "Eff G"]);

    // Body text: found by its words; page furniture and scripts are not indexed.
    for (q, want) in [("quokka", 1), ("wombat", 2), ("possums", 2), ("bilby", 1)] {
        let (code, v) = sb.search_json(&[q, "--limit", "50"]);
        assert_eq!(code, 0, "{q}");
        assert_eq!(v["total_articles"], want, "{q}: {v}");
    }
    for q in ["scriptword", "navword", "footerword"] {
        assert_eq!(sb.search_json(&[q]).0, 1, "{q} should not be indexed");
    }
}

#[test]
fn manifests_supply_metadata_and_editing_one_reindexes_its_files() {
    let sb = Sandbox::new();
    let dir = sb.path().join("c");
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join("one.txt"), "First story text here.\n").unwrap();
    fs::write(dir.join("two.txt"), "Second story text here.\n").unwrap();
    fs::write(dir.join("sub/three.txt"), "Third story text here.\n").unwrap();
    fs::write(
        dir.join("manifest.csv"),
        "path,outlet,date,title\none.txt,Alpha News,2022-01-07,\n./sub/three.txt,Gamma,7 Jan 2022,Third title\n",
    )
    .unwrap();
    fs::write(
        dir.join("sub/manifest.jsonl"),
        "{\"file\": \"three.txt\", \"outlet\": \"Nearest Wins\", \"authors\": [\"Ann A\"]}\nnot json\n",
    )
    .unwrap();
    let r = sb.index_paths(&[&dir]);
    let (added, _, _, _, skipped) = summary_counts(&r.stdout());
    assert_eq!((added, skipped), (3, 2), "{}", r.stdout());
    assert!(r.stdout().contains("2 manifest"), "{}", r.stdout());
    assert!(r.stderr().contains("manifest.jsonl:2:"), "{}", r.stderr());
    let recs = export_by_rel(&sb, &dir);
    assert_eq!(recs["one.txt"]["outlet"], "Alpha News");
    assert_eq!(recs["one.txt"]["date"], "2022-01-07");
    assert_eq!(recs["one.txt"]["title"], Value::Null);
    // Not in any manifest, directly under the root: no outlet anywhere.
    assert_eq!(recs["two.txt"]["outlet"], "unknown");
    assert_eq!(recs["two.txt"]["date"], Value::Null);
    // Both manifests name it: the nearer one wins, the farther one fills the gaps.
    let three = &recs["sub/three.txt"];
    assert_eq!(three["outlet"], "Nearest Wins");
    assert_eq!(three["title"], "Third title");
    assert_eq!(three["date"], "2022-01-07");
    assert_eq!(authors(three), vec!["Ann A"]);

    // Editing one row re-reads only the file it names.
    fs::write(
        dir.join("manifest.csv"),
        "path,outlet,date,title\none.txt,Alpha Renamed,2022-01-07,\n./sub/three.txt,Gamma,7 Jan 2022,Third title\n",
    )
    .unwrap();
    let r = sb.index_paths(&[&dir]);
    let (a, u, d, same, _) = summary_counts(&r.stdout());
    assert_eq!((a, u, d, same), (0, 1, 0, 2), "{}", r.stdout());
    let recs = export_by_rel(&sb, &dir);
    assert_eq!(recs["one.txt"]["outlet"], "Alpha Renamed");
    // A file given on its own still gets its folder's manifest.
    let sb2 = Sandbox::new();
    sb2.index_paths(&[&dir.join("one.txt")]);
    let (_, v) = sb2.search_json(&["first"]);
    assert_eq!(v["hits"][0]["article"]["outlet"], "Alpha Renamed");
}

#[test]
fn folder_outlet_and_record_ids() {
    let sb = Sandbox::new();
    let dir = sb.path().join("root");
    fs::create_dir_all(dir.join("The Courier/2022")).unwrap();
    fs::write(
        dir.join("The Courier/2022/story.txt"),
        "A story without any metadata.\n",
    )
    .unwrap();
    fs::write(
        dir.join("feed.jsonl"),
        "{\"text\": \"No url one.\"}\n\n{\"text\": \"No url two.\"}\n{\"text\": \"\"}\n",
    )
    .unwrap();
    let r = sb.index_paths(&[&dir]);
    assert_eq!(summary_counts(&r.stdout()).0, 3, "{}", r.stdout());
    assert!(
        r.stderr().contains("feed.jsonl:4: record 4 has no text"),
        "{}",
        r.stderr()
    );
    let recs = export_by_rel(&sb, &dir);
    assert_eq!(recs["The Courier/2022/story.txt"]["outlet"], "The Courier");
    assert_eq!(
        recs["The Courier/2022/story.txt"]["id"],
        "The Courier/2022/story.txt"
    );
    assert_eq!(recs["feed.jsonl#1"]["id"], "feed.jsonl#1");
    assert_eq!(recs["feed.jsonl#3"]["id"], "feed.jsonl#3");
    assert_eq!(recs["feed.jsonl#3"]["outlet"], "unknown");
}

#[cfg(unix)]
#[test]
fn bad_input_files_are_skipped_with_reasons_and_the_rest_is_indexed() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let sb = Sandbox::new();
    let dir = sb.path().join("messy");
    fs::create_dir_all(&dir).unwrap();
    let good = |name: &str, word: &str| {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(
            p,
            format!("The {word} article is fine.\n\nIt has two paragraphs.\n"),
        )
        .unwrap();
    };
    good("plain.txt", "goodplain");
    good("odd name with spaces.txt", "goodspaces");
    good("ünïcödé-名前.txt", "goodunicode");
    good("new\nline.txt", "goodnewline");
    let deep: String = (0..40).map(|i| format!("d{i}/")).collect();
    good(&format!("{deep}deep.txt"), "gooddeep");
    // Invalid UTF-8: indexed, with a warning.
    fs::write(dir.join("latin1.txt"), b"Caf\xe9 goodlatin story.\n").unwrap();
    // Skipped files.
    fs::write(dir.join("binary.txt"), b"\x00\x01\x02binary\x00data").unwrap();
    fs::write(dir.join("empty.txt"), b"").unwrap();
    fs::write(dir.join("blank.md"), b"   \n\n  ").unwrap();
    fs::write(dir.join("photo.jpg"), b"\xff\xd8\xff").unwrap();
    fs::write(dir.join("only-url.txt"), b"https://example.com/x\n").unwrap();
    let big = fs::File::create(dir.join("huge.txt")).unwrap();
    big.set_len(65 * 1024 * 1024).unwrap(); // sparse: costs no disk
    fs::write(dir.join("broken.json"), b"{\"title\": \"x\", ").unwrap();
    fs::write(dir.join("no-text.csv"), b"a,b\n1,2\n").unwrap();
    fs::write(dir.join("bad.gz.txt.gz"), b"not gzip at all").unwrap();
    // Broken front matter: warning, body kept.
    fs::write(
        dir.join("front.md"),
        "---\ntitle: [oops\n---\nThe goodfront body survives.\n",
    )
    .unwrap();
    // Not walked: hidden folders and files.
    fs::create_dir_all(dir.join(".git")).unwrap();
    fs::write(dir.join(".git/hidden.txt"), "hiddenword text").unwrap();
    fs::write(dir.join(".hidden.txt"), "hiddenword text").unwrap();
    // Symlinks: a loop, a broken one, and a good one to a file (indexed once).
    symlink(&dir, dir.join("loop")).unwrap();
    symlink(dir.join("nowhere.txt"), dir.join("broken-link.txt")).unwrap();
    // Unreadable (root reads everything: then it is simply indexed).
    good("locked.txt", "goodlocked");
    fs::set_permissions(dir.join("locked.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    let root_user = fs::read(dir.join("locked.txt")).is_ok();

    let r = sb.run(&["index", dir.to_str().unwrap()]);
    fs::set_permissions(dir.join("locked.txt"), fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    for reason in [
        "1 binary",
        "1 unsupported file type",
        "1 symlink loop",
        "1 broken symlink",
        "2 no article text",
    ] {
        assert!(out.contains(reason), "{reason} missing in {out}");
    }
    assert!(out.contains("2 empty"), "{out}");
    assert!(out.contains("1 too large (over 64 MiB"), "{out}");
    assert!(out.contains("unreadable: damaged gzip data"), "{out}");
    assert!(out.contains("unreadable: malformed JSON"), "{out}");
    if !root_user {
        assert!(out.contains("unreadable: Permission denied"), "{out}");
    }
    let err = r.stderr();
    assert!(err.contains("latin1.txt: invalid UTF-8"), "{err}");
    assert!(err.contains("front.md:1: broken front matter"), "{err}");

    let mut words = vec![
        "goodplain",
        "goodspaces",
        "goodunicode",
        "goodnewline",
        "gooddeep",
        "goodlatin",
        "goodfront",
    ];
    if root_user {
        words.push("goodlocked");
    }
    for w in &words {
        let (code, v) = sb.search_json(&[w]);
        assert_eq!(code, 0, "{w} not found: {v}");
        assert_eq!(v["total_articles"], 1, "{w}");
    }
    let (added, _, _, _, skipped) = summary_counts(&out);
    assert_eq!(added as usize, words.len(), "{out}");
    let expected_skips = 11 + usize::from(!root_user);
    assert_eq!(skipped as usize, expected_skips, "{out}");
    assert_eq!(sb.search_json(&["hiddenword"]).0, 1);
    let (_, v) = sb.search_json(&["goodlatin"]);
    assert!(v["hits"][0]["passage"]["text"]
        .as_str()
        .unwrap()
        .contains('\u{fffd}'));
}
