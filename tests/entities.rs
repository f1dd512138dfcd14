//! Named entities end to end: the built binary indexes the Kazakhstan corpus, then
//! `--entity`, `newsidx entities`, JSON entity facets and `export` are checked.

mod common;

use common::{kazakhstan, Sandbox};
use serde_json::Value;

fn indexed() -> Sandbox {
    let sb = Sandbox::new();
    let corpus = sb.copy_dir(&kazakhstan(), "kz");
    sb.index_paths(&[&corpus]);
    sb
}

#[test]
fn entity_filter_accepts_a_spelling_variant() {
    let sb = indexed();
    let (code, all) = sb.search_json(&["Tokayev", "--limit", "50"]);
    assert_eq!(code, 0);
    let (code, v) = sb.search_json(&["president", "--entity", "Tokajev", "--limit", "50"]);
    assert_eq!(code, 0, "{v}");
    let with_entity = v["total_articles"].as_u64().unwrap_or(0);
    assert!(
        with_entity >= 4,
        "only {with_entity} articles for --entity Tokajev: {v}"
    );
    assert!(with_entity <= all["total_articles"].as_u64().unwrap_or(0) + 1);
    // Any case, with a title.
    let (code, v2) = sb.search_json(&["president", "--entity", "mr tokayev", "--limit", "50"]);
    assert_eq!(code, 0, "{v2}");
    assert_eq!(v2["total_articles"], v["total_articles"]);
    // An unknown entity is an error that says so.
    let r = sb.run(&["search", "president", "--entity", "Nobody Atall"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("no entity"), "{}", r.stderr());
}

/// `entity:` finds the articles naming an entity, by any of its names and aliases across the
/// corpus: a short form, a full name as a phrase, an acronym and a spelling variant all find
/// him; passages show where the article names it.
#[test]
fn the_entity_field_finds_names_aliases_and_variants() {
    let sb = indexed();
    let total = |q: &str| {
        let (code, v) = sb.search_json(&[q, "--limit", "50"]);
        assert_eq!(code, 0, "{q}: {v}");
        v["total_articles"].as_u64().unwrap_or(0)
    };
    let short = total("entity:Tokayev");
    assert!(short >= 4, "entity:Tokayev found {short} articles");
    assert_eq!(total("entity:Tokajev"), short);
    assert!(total("entity:\"Kassym-Jomart Tokayev\"") >= 3);
    assert!(total("entity:CSTO") >= 3);
    // Helsingin Sanomat writes the Russian acronym beside the English name.
    assert_eq!(total("entity:ODKB"), total("entity:CSTO"));
    let (_, v) = sb.search_json(&["entity:CSTO", "--limit", "50"]);
    for h in v["hits"].as_array().expect("hits") {
        let text = h["passage"]["text"].as_str().unwrap_or("");
        let spans = h["passage"]["highlights"].as_array().expect("highlights");
        assert!(!spans.is_empty(), "{h}");
        for s in spans {
            let (a, b) = (
                s[0].as_u64().unwrap() as usize,
                s[1].as_u64().unwrap() as usize,
            );
            let w = &text[a..b];
            assert!(
                ["CSTO", "ODKB", "Collective", "Security", "Treaty"].contains(&w)
                    || w.starts_with("Organi"),
                "{w} in {text}"
            );
        }
    }
    // Words of the text that name nobody are not in the field.
    let r = sb.run(&["search", "entity:curfew"]);
    assert_eq!(r.code(), 1, "{}", r.stdout());
}

#[test]
fn entities_lists_one_tokayev_with_aliases() {
    let sb = indexed();
    let r = sb.run(&[
        "entities", "--kind", "person", "--format", "json", "--limit", "50",
    ]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let rows: Value = serde_json::from_str(&r.stdout()).expect("json");
    let rows = rows.as_array().expect("array");
    let tokayevs: Vec<&Value> = rows
        .iter()
        .filter(|row| {
            row["name"].as_str().unwrap_or("").contains("Tokayev")
                || row["aliases"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("Tokayev")))
        })
        .collect();
    assert_eq!(tokayevs.len(), 1, "Tokayev is fragmented: {rows:?}");
    let t = tokayevs[0];
    assert_eq!(t["kind"], "person");
    assert!(t["articles"].as_u64().unwrap_or(0) >= 4, "{t}");
    let aliases: Vec<&str> = t["aliases"]
        .as_array()
        .expect("aliases")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(aliases.contains(&"Tokayev"), "{aliases:?}");
    assert!(
        aliases
            .iter()
            .any(|a| a.contains("Zhomart") || a.contains("Jomart")),
        "{aliases:?}"
    );
    // Nationality adjectives are never listed.
    let r = sb.run(&["entities", "--format", "json", "--limit", "200"]);
    let all: Value = serde_json::from_str(&r.stdout()).expect("json");
    for row in all.as_array().expect("array") {
        let n = row["name"].as_str().unwrap_or("");
        assert!(!matches!(n, "Kazakh" | "Russian" | "Friday"), "{row}");
    }
}

#[test]
fn json_entity_facets_have_value_kind_count() {
    let sb = indexed();
    let (code, v) = sb.search_json(&["troops"]);
    assert_eq!(code, 0);
    let facets = v["facets"]["entity"]
        .as_array()
        .expect("facets.entity array");
    assert!(!facets.is_empty(), "{v}");
    for f in facets {
        let obj = f.as_object().expect("object");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, vec!["count", "kind", "value"], "{f}");
        assert!(matches!(
            f["kind"].as_str(),
            Some("person" | "organization" | "location")
        ));
        assert!(f["count"].as_u64().unwrap_or(0) >= 1);
    }
    assert!(
        facets
            .iter()
            .any(|f| f["value"] == "Kazakhstan" && f["kind"] == "location"),
        "{facets:?}"
    );
}

#[test]
fn export_lists_every_article_with_canonical_entities() {
    let sb = indexed();
    let r = sb.run(&["export"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let recs: Vec<Value> = r
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(recs.len(), 5);
    let mut tokayev_names = std::collections::BTreeSet::new();
    for rec in &recs {
        for key in ["id", "path", "outlet", "entities"] {
            assert!(rec.get(key).is_some(), "{key} missing in {rec}");
        }
        assert!(rec.get("text").is_none(), "text without --with-text");
        for e in rec["entities"].as_array().expect("entities") {
            let name = e["name"].as_str().expect("name");
            if name.contains("Tokayev") {
                tokayev_names.insert(name.to_string());
            }
        }
    }
    // One corpus-level name for one person, whatever each article spelled.
    assert_eq!(tokayev_names.len(), 1, "{tokayev_names:?}");
    let r = sb.run(&["export", "--with-text"]);
    let first: Value =
        serde_json::from_str(r.stdout().lines().next().expect("a line")).expect("json");
    assert!(first["text"].as_str().is_some_and(|t| t.len() > 100));
}

/// Entity facets are tallied through the per-segment ordinal map (`entities.ords`) when it
/// is current, and by names otherwise: both must give the same counts, also after an
/// incremental run changed the corpus and the table.
#[test]
fn entity_facets_agree_with_and_without_the_ordinal_map() {
    let sb = Sandbox::new();
    let corpus = sb.copy_dir(&kazakhstan(), "kz");
    sb.index_paths(&[&corpus]);
    let ords = sb.index().join("entities.ords");
    let facets = |q: &str| {
        let (_, v) = sb.search_json(&[q, "--facet-limit", "200"]);
        v["facets"]["entity"].clone()
    };
    for round in 0..2 {
        assert!(
            ords.exists(),
            "round {round}: the indexer writes entities.ords"
        );
        let queries = ["troops", "Kazakhstan protests", "Tokayev"];
        let mapped: Vec<Value> = queries.iter().map(|q| facets(q)).collect();
        let saved = std::fs::read(&ords).expect("read entities.ords");
        std::fs::remove_file(&ords).expect("remove entities.ords");
        let by_name: Vec<Value> = queries.iter().map(|q| facets(q)).collect();
        assert_eq!(mapped, by_name, "round {round}");
        assert!(
            mapped[0].as_array().is_some_and(|a| a.len() > 5),
            "{:?}",
            mapped[0]
        );
        std::fs::write(&ords, saved).expect("restore entities.ords");
        // Second round: one article gone, one new with entities of its own.
        let first = std::fs::read_dir(&corpus)
            .expect("corpus")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "txt"))
            .expect("a .txt article");
        std::fs::remove_file(first).expect("remove an article");
        std::fs::write(
            corpus.join("new.txt"),
            "Troops of the Collective Security Treaty Organization left Almaty, \
             President Kassym-Jomart Tokayev said on Thursday in Nur-Sultan.\n",
        )
        .expect("write an article");
        sb.index_paths(&[&corpus]);
    }
}

/// A place name that is mostly a well-known person's surname counts as that person across
/// the corpus: `entities --kind` lists the person with every article, and the place list
/// does not show them; `--entity` finds the place-typed articles too.
#[test]
fn a_place_named_like_a_dominant_persons_surname_counts_as_that_person() {
    let sb = Sandbox::new();
    let dir = sb.path().join("news");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..24 {
        std::fs::write(
            dir.join(format!("full-{i:02}.txt")),
            format!(
                "Budget talks, day {i}\n\nPresident Barack Obama said on Monday that the \
                 budget talks with Congress would go on. Obama met the negotiators again."
            ),
        )
        .unwrap();
    }
    for i in 0..6 {
        std::fs::write(
            dir.join(format!("lone-{i:02}.txt")),
            format!(
                "Campaign notes, stop {i}\n\nThe campaign returned to Ohio after a rally in \
                 Obama country, where volunteers knocked on doors all weekend."
            ),
        )
        .unwrap();
    }
    sb.index_paths(&[&dir]);
    let list = |kind: &str| -> Value {
        let r = sb.run(&[
            "entities", "--kind", kind, "--format", "json", "--limit", "50",
        ]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        serde_json::from_str(&r.stdout()).expect("entities JSON")
    };
    let people = list("person");
    let obama = people
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Barack Obama")
        .unwrap_or_else(|| panic!("no Barack Obama in {people}"));
    // The 24 articles that name him, and the 6 where "Obama" alone reads as a place.
    assert_eq!(obama["articles"].as_u64(), Some(30), "{obama}");
    let places = list("location");
    assert!(
        !places
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"].as_str().unwrap_or("").contains("Obama")),
        "{places}"
    );
    let (code, v) = sb.search_json(&["campaign OR budget", "--entity", "Obama"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["total_articles"].as_u64().unwrap(),
        obama["articles"].as_u64().unwrap(),
        "{obama} vs {v}"
    );
}
