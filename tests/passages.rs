//! Passages on the Kazakhstan corpus, through the built binary: exact phrase highlights,
//! variant and fuzzy highlights, headings, boilerplate, `--all` and `--context`.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::*;
use serde_json::Value;

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().expect("hits array")
}

/// The highlighted substrings of a hit's passage (offsets must be on char boundaries).
fn highlighted(h: &Value) -> Vec<String> {
    let text = h["passage"]["text"].as_str().unwrap();
    h["passage"]["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (a, b) = (
                s[0].as_u64().unwrap() as usize,
                s[1].as_u64().unwrap() as usize,
            );
            text.get(a..b)
                .unwrap_or_else(|| panic!("bad range {a}..{b} in {text:?}"))
                .to_string()
        })
        .collect()
}

fn file_name(h: &Value) -> String {
    let p = h["article"]["path"].as_str().unwrap();
    p.rsplit('/').next().unwrap().to_string()
}

fn indexed() -> Sandbox {
    let sb = Sandbox::new();
    sb.index_paths(&[&kazakhstan()]);
    sb
}

#[test]
fn phrases_highlight_only_their_occurrences() {
    let sb = indexed();
    let (code, v) = sb.search_json(&["\"state of emergency\"", "--all"]);
    assert_eq!(code, 0);
    assert!(hits(&v).len() >= 5, "{v}");
    for h in hits(&v) {
        let words = highlighted(h);
        assert!(!words.is_empty(), "a passage without its phrase: {h}");
        // Highlights come in whole phrases, in order.
        assert_eq!(words.len() % 3, 0, "{words:?}");
        for w in words.chunks(3) {
            let w: Vec<String> = w.iter().map(|s| s.to_lowercase()).collect();
            assert_eq!(w, ["state", "of", "emergency"]);
        }
    }
    // "Ned Price" never lights up the "price" of "fuel prices".
    let (_, v) = sb.search_json(&["\"Ned Price\"", "--all"]);
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        assert_eq!(highlighted(h), ["Ned", "Price"], "{h}");
    }
}

#[test]
fn variants_fuzzy_and_prefix_are_highlighted() {
    let sb = indexed();
    // Transliteration widened to the spelling the corpus uses, highlighted as written.
    let (code, v) = sb.search_json(&["Zhanaozen"]);
    assert_eq!(code, 0);
    assert_eq!(highlighted(&hits(&v)[0]), ["Žanaozen"]);
    assert_eq!(v["widened"][0]["word"], "Zhanaozen");
    // A spelling the corpus never uses and no substitution rule covers ("y" for "i"): the
    // index's own words with the same skeleton stand in; unrelated near words do not.
    let (code, v) = sb.search_json(&["Mangystau"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["widened"][0]["variants"][0], "Mangistau", "{v}");
    assert!(
        hits(&v).iter().all(|h| highlighted(h) == ["Mangistau"]),
        "{v}"
    );
    let (code, v) = sb.search_json(&["goverment"]);
    assert_eq!(code, 1, "a misspelt common word is not a name: {v}");
    // An English word is not a name either: "Four" is never widened to "for" (the corpus
    // has no "four", and a transliteration rule turns "our" into "or").
    let (code, v) = sb.search_json(&["Four"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["widened"].as_array().map(Vec::len), Some(0), "{v}");
    // Fuzzy on any word.
    let (_, v) = sb.search_json(&["Tokajev~", "--limit", "20"]);
    assert!(hits(&v).len() >= 5);
    for h in hits(&v) {
        let words = highlighted(h);
        assert!(!words.is_empty(), "{h}");
        assert!(
            words.iter().all(|w| w == "Tokayev" || w == "Tokajev"),
            "{words:?}"
        );
    }
    // Prefixes of any length, not only of whole words ("protes" is no word).
    for (q, start) in [("protes*", "protes"), ("Kaz*", "kaz")] {
        let (code, v) = sb.search_json(&[q, "--limit", "20"]);
        assert_eq!(code, 0, "{q}: {v}");
        assert!(hits(&v).len() >= 5, "{q}: {v}");
        for h in hits(&v) {
            let words = highlighted(h);
            assert!(!words.is_empty(), "{h}");
            for w in words {
                assert!(w.to_lowercase().starts_with(start), "{q}: {w}");
            }
        }
    }
    // Stems: "troop" finds and highlights "troops".
    let (_, v) = sb.search_json(&["troop"]);
    assert!(highlighted(&hits(&v)[0]).iter().any(|w| w == "troops"));
}

#[test]
fn headings_and_boilerplate_are_never_passages() {
    let sb = indexed();
    for q in ["hike", "criminals", "peacekeepers", "watching"] {
        let (_, v) = sb.search_json(&[q, "--all"]);
        for h in hits(&v) {
            let text = h["passage"]["text"].as_str().unwrap();
            for heading in [
                "Fuel price hike",
                "'Criminals' killed",
                "Russian ‘peacekeepers’ sent to Kazakhstan",
                "US says 'world will be watching'",
            ] {
                assert_ne!(text, heading, "a heading returned as a passage");
            }
            assert!(
                !highlighted(h).is_empty() || h["passage"]["heading"].is_string(),
                "{h}"
            );
        }
    }
    // The trailer of related headlines, the video notice and "Source link" are gone.
    for q in [
        "Tesla",
        "\"Chrome browser\"",
        "\"Source link\"",
        "restomods",
    ] {
        let (code, v) = sb.search_json(&[q]);
        assert_eq!(code, 1, "{q} still found: {v}");
    }
}

/// Every passage of the matching articles in text order, article by article.
#[test]
fn all_lists_every_matching_passage_in_text_order() {
    let sb = indexed();
    let (code, v) = sb.search_json(&["Almaty", "--all"]);
    assert_eq!(code, 0);
    let mut per_file: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for h in hits(&v) {
        let f = file_name(h);
        if order.last() != Some(&f) {
            assert!(!order.contains(&f), "articles interleaved in --all");
            order.push(f.clone());
        }
        per_file
            .entry(f)
            .or_default()
            .push(h["passage"]["start"].as_u64().unwrap());
        assert!(highlighted(h).iter().all(|w| w.starts_with("Almaty")));
    }
    for (f, starts) in &per_file {
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{f}: {starts:?}");
        // As many passages as the article has paragraphs naming Almaty.
        let text = fs::read_to_string(kazakhstan().join(f)).unwrap();
        let paragraphs = text
            .split('\n')
            .filter(|l| l.contains("Almaty") && l.trim().len() > 30)
            .count();
        assert!(
            starts.len() >= paragraphs,
            "{f}: {} < {paragraphs}",
            starts.len()
        );
    }
    assert!(per_file.len() >= 4);
}

#[test]
fn context_adds_the_neighbouring_sentences() {
    let sb = indexed();
    let (code, v) = sb.search_json(&["Konashenkov", "--context", "1"]);
    assert_eq!(code, 0);
    let h = &hits(&v)[0];
    let p = &h["passage"];
    let before = p["context_before"].as_str().unwrap();
    let text = p["text"].as_str().unwrap();
    assert!(!before.is_empty() && text.contains("Konashenkov"), "{p}");
    // The context is the article's own text, just before the passage.
    let source = fs::read_to_string(kazakhstan().join(file_name(h))).unwrap();
    let at_before = source.find(before).expect("context is article text");
    let at_text = source.find(text).expect("passage is article text");
    assert!(at_before < at_text);
    let between = &source[at_before + before.len()..at_text];
    assert!(
        between.trim().is_empty(),
        "context not adjacent: {between:?}"
    );
    // Without --context there is none.
    let (_, v) = sb.search_json(&["Konashenkov"]);
    assert!(hits(&v)[0]["passage"].get("context_before").is_none());
}

#[test]
fn passages_of_different_articles_are_interleaved() {
    let sb = indexed();
    let (_, v) = sb.search_json(&["Tokayev", "--limit", "10"]);
    let files: Vec<String> = hits(&v).iter().map(file_name).collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &files {
        *count.entry(f).or_default() += 1;
    }
    assert!(count.len() >= 5, "{files:?}");
    assert!(
        count.values().all(|&n| n <= 2),
        "--per-article 2 by default"
    );
    let scores: Vec<f64> = hits(&v)
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let (_, v) = sb.search_json(&["Tokayev", "--per-article", "1"]);
    let files: Vec<String> = hits(&v).iter().map(file_name).collect();
    let mut dedup = files.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), files.len());
}

/// One outlet repeats a trailer in every article: it is learnt and never shown, the
/// articles' own text is; deleting most of the articles forgets it again.
#[test]
fn repeated_trailers_are_learnt_stripped_and_forgotten() {
    let sb = Sandbox::new();
    let root = sb.path().join("corpus");
    let dir = root.join("Courier");
    fs::create_dir_all(&dir).unwrap();
    let places = [
        "harbour", "market", "station", "museum", "library", "stadium", "bridge", "castle",
        "airport", "theatre",
    ];
    let article = |place: &str| {
        format!(
            "The council voted on Monday to close the old {place} for repairs.\n\n\
             The mayor said the {place} would reopen in the spring.\n\n\
             Get the Courier app for breaking news alerts every morning.\n\n\
             Courier Weekly: the best stories of the week"
        )
    };
    for (i, place) in places.iter().enumerate() {
        fs::write(dir.join(format!("{i:02}.txt")), article(place)).unwrap();
    }
    sb.index_paths(&[&root]);
    let (_, v) = sb.search_json(&["mayor"]);
    assert_eq!(v["total_articles"], 10);
    for h in hits(&v) {
        assert_eq!(h["article"]["outlet"], "Courier");
        assert!(h["passage"]["text"].as_str().unwrap().contains("mayor"));
    }
    // Stripped from the articles indexed after it was learnt, hidden in the first ones.
    let (code, v) = sb.search_json(&["\"Courier app\"", "--all"]);
    assert_eq!(code, 1, "the learnt line is still shown: {v}");
    // Nine articles go, one comes: the trailer is no longer the outlet's habit.
    for i in 0..9 {
        fs::remove_file(dir.join(format!("{i:02}.txt"))).unwrap();
    }
    fs::write(dir.join("new.txt"), article("zoo")).unwrap();
    let r = sb.index_paths(&[&root]);
    let (added, _, removed, _, _) = summary_counts(&r.stdout());
    assert_eq!((added, removed), (1, 9), "{}", r.stdout());
    let (code, v) = sb.search_json(&["\"Courier app\"", "--all"]);
    assert_eq!(code, 0, "{v}");
    assert!(hits(&v).iter().any(|h| file_name(h) == "new.txt"), "{v}");
}
