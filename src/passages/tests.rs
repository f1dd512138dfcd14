//! Unit tests of passage picking, scoring and highlighting, on small hand-made articles.

use super::*;
use crate::schema::analyzer;
use tantivy::tokenizer::TokenStream;

fn analyse(text: &str) -> Vec<String> {
    let mut a = analyzer();
    let mut s = a.token_stream(text);
    let mut out = Vec::new();
    while s.advance() {
        out.push(s.token().text.clone());
    }
    out
}

fn term(word: &str) -> TermSpec {
    TermSpec {
        token: analyse(word).remove(0),
        idf: 1.0,
        fuzzy: 0,
        prefix: false,
        variants: Vec::new(),
        scope: Scope::Text,
    }
}

fn phrase(text: &str, slop: u32) -> PhraseSpec {
    PhraseSpec {
        tokens: analyse(text),
        idf: 2.0,
        slop,
        scope: Scope::Text,
    }
}

fn spec(terms: Vec<TermSpec>, phrases: Vec<PhraseSpec>) -> MatchSpec {
    MatchSpec { terms, phrases }
}

fn highlighted(text: &str, spans: &[(usize, usize)]) -> Vec<String> {
    spans.iter().map(|&(s, e)| text[s..e].to_string()).collect()
}

fn run(body: &str, spec: &MatchSpec, opts: PassageOptions) -> Vec<Passage> {
    passages(body, spec, &opts, &CorpusStats::default())
}

fn one(body: &str, spec: &MatchSpec) -> Passage {
    run(body, spec, PassageOptions::default())
        .into_iter()
        .next()
        .expect("a passage")
}

#[test]
fn phrase_highlights_only_the_phrase() {
    let body = "US State Department spokesman Ned Price said fuel prices would not \
                matter, and the price of bread rose.";
    let s = spec(vec![], vec![phrase("Ned Price", 0)]);
    let p = one(body, &s);
    assert_eq!(highlighted(&p.text, &p.highlights), vec!["Ned", "Price"]);

    let body = "State television said a state of emergency was declared; the state \
                property was burnt. A State of  Emergency again.";
    let s = spec(vec![], vec![phrase("state of emergency", 0)]);
    let p = one(body, &s);
    assert_eq!(
        highlighted(&p.text, &p.highlights),
        vec!["state", "of", "emergency", "State", "of", "Emergency"]
    );
}

#[test]
fn phrase_slop_as_tantivy_counts_it() {
    let body = "Price, Ned said. Ned Kelly met a Mr Price.";
    // "Price, Ned": the words swapped is two positions of slop.
    let p = one(body, &spec(vec![], vec![phrase("Ned Price", 2)]));
    assert_eq!(highlighted(&p.text, &p.highlights), vec!["Price", "Ned"]);
    assert!(run(
        body,
        &spec(vec![], vec![phrase("Ned Price", 1)]),
        Default::default()
    )
    .iter()
    .all(|p| p.highlights.is_empty()));
}

#[test]
fn stemmed_and_folded_forms_are_highlighted_in_the_original_text() {
    let body = "Troops arrived. A troop carrier and troopers.";
    let p = one(body, &spec(vec![term("troop")], vec![]));
    assert_eq!(highlighted(&p.text, &p.highlights), vec!["Troops", "troop"]);

    let body = "Protests began in Žanaozen, near the Caspian.";
    let p = one(body, &spec(vec![term("Zanaozen")], vec![]));
    assert_eq!(highlighted(&p.text, &p.highlights), vec!["Žanaozen"]);
    // A transliteration widened to the spelling the index holds.
    let mut t = term("Zhanaozen");
    t.variants = analyse("Zanaozen");
    let p = one(body, &spec(vec![t], vec![]));
    assert_eq!(highlighted(&p.text, &p.highlights), vec!["Žanaozen"]);
}

#[test]
fn fuzzy_and_prefix_matches_are_highlighted() {
    let body = "President Tokayev spoke; Tokyo was calm. Protesters and protests grew.";
    let mut t = term("Tokajev");
    t.fuzzy = 1;
    let p = one(body, &spec(vec![t], vec![]));
    assert_eq!(highlighted(&p.text, &p.highlights), vec!["Tokayev"]);

    let mut t = term("protest");
    t.prefix = true;
    let p = one(body, &spec(vec![t], vec![]));
    assert_eq!(
        highlighted(&p.text, &p.highlights),
        vec!["Protesters", "protests"]
    );
}

#[test]
fn title_scoped_words_are_not_highlighted_in_the_body() {
    let mut t = term("troops");
    t.scope = Scope::Title;
    let s = spec(vec![t], vec![]);
    let body = "Troops arrived.";
    let p = one(body, &s);
    assert!(p.highlights.is_empty());
    assert_eq!(highlight("Russia flies in troops", &s), vec![(16, 22)]);
}

#[test]
fn headings_are_context_never_passages() {
    let body = "Kazakhstan's president spoke on Friday.\n\nFuel price hike\n\n\
                The violence has been unprecedented in the country.\n\n\
                Later, the fuel price hike was reversed.";
    let s = spec(vec![term("fuel"), term("price"), term("hike")], vec![]);
    let all = run(
        body,
        &s,
        PassageOptions {
            all: true,
            ..Default::default()
        },
    );
    let texts: Vec<&str> = all.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, vec!["Later, the fuel price hike was reversed."]);

    // Only the heading matches: the passage under it, with the heading as context.
    let s = spec(vec![term("hike")], vec![]);
    let body = "Kazakhstan's president spoke on Friday.\n\nFuel price hike\n\n\
                The violence has been unprecedented in the country.";
    let p = one(body, &s);
    assert_eq!(
        p.text,
        "The violence has been unprecedented in the country."
    );
    assert_eq!(p.heading.as_deref(), Some("Fuel price hike"));
    assert_eq!(
        highlighted(p.heading.as_deref().unwrap(), &p.heading_highlights),
        vec!["hike"]
    );
}

#[test]
fn passages_are_exact_substrings_never_cut_mid_word() {
    let sentence = "The interior ministry said 3,000 people were detained by Mr. Smith's men. ";
    let body = sentence.repeat(20);
    let s = spec(vec![term("detained")], vec![]);
    let all = run(
        &body,
        &s,
        PassageOptions {
            all: true,
            max_chars: 200,
            ..Default::default()
        },
    );
    assert!(all.len() >= 8);
    for p in &all {
        assert_eq!(&body[p.start..p.end], p.text);
        assert!(
            p.text.starts_with("The interior") && p.text.ends_with("men."),
            "{}",
            p.text
        );
        assert!(p.text.len() <= 250);
        assert_eq!(highlighted(&p.text, &p.highlights)[0], "detained");
    }
}

#[test]
fn phrase_beats_scattered_words() {
    let scattered = "Fuel shortages hit the north, while the price of bread and a \
                     promised wage hike were debated in parliament for a long time.";
    let phrase_p = "Protests against the fuel price hike spread quickly across the country \
                    and into neighbouring provinces on Tuesday evening.";
    let s = spec(vec![term("fuel"), term("price"), term("hike")], vec![]);
    // Scattered first, so position favours it: the phrase must still win.
    let body = format!("{scattered}\n\n{phrase_p}");
    let best = run(&body, &s, Default::default());
    assert_eq!(best[0].text, phrase_p);
    assert_eq!(best[1].text, scattered);
}

#[test]
fn more_distinct_words_rank_first() {
    let s = spec(vec![term("curfew"), term("Almaty")], vec![]);
    let body = "A curfew, a curfew, a curfew was announced everywhere.\n\n\
                The curfew in Almaty began at eleven.";
    let best = run(body, &s, Default::default());
    assert_eq!(best[0].text, "The curfew in Almaty began at eleven.");
}

#[test]
fn stopwords_count_little_for_coordination() {
    let mut the = term("the");
    the.idf = 0.05;
    let s = spec(vec![the, term("blockade")], vec![]);
    let body = "The minister and the army and the police met.\n\nA blockade began.";
    let best = run(body, &s, Default::default());
    assert_eq!(best[0].text, "A blockade began.");
}

#[test]
fn per_article_all_and_context() {
    let body = "One. Two mentions curfew.\n\nThree has nothing. Four says curfew too.\n\n\
                Five.\n\nSix curfew.";
    let s = spec(vec![term("curfew")], vec![]);
    let two = run(body, &s, PassageOptions::default());
    assert_eq!(two.len(), 2);
    let all = run(
        body,
        &s,
        PassageOptions {
            all: true,
            ..Default::default()
        },
    );
    let starts: Vec<usize> = all.iter().map(|p| p.start).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "text order");
    assert_eq!(all.len(), 3);
    assert_eq!(
        all.iter().map(|p| p.ordinal).collect::<Vec<_>>(),
        vec![0, 1, 3]
    );
    let ctx = run(
        body,
        &s,
        PassageOptions {
            all: true,
            context: 1,
            max_chars: 40,
            ..Default::default()
        },
    );
    let six = ctx.iter().find(|p| p.text == "Six curfew.").unwrap();
    assert_eq!(six.context_before, "Five.");
    assert_eq!(six.context_after, "");
    let two = ctx.iter().find(|p| p.text.contains("Two")).unwrap();
    assert_eq!(two.context_after, "Three has nothing.");
}

#[test]
fn no_match_in_the_body_gives_the_lead() {
    let s = spec(vec![], vec![]);
    let body = "Lead paragraph.\n\nSecond paragraph.";
    let p = run(body, &s, Default::default());
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].text, "Lead paragraph.");
    assert_eq!(p[0].score, 0.0);
    assert!(passages("", &s, &PassageOptions::default(), &CorpusStats::default()).is_empty());
}

#[test]
fn boilerplate_lines_are_never_passages() {
    let mut model = crate::boilerplate::Boilerplate::new();
    let words = ["north", "south", "east", "west", "centre", "coast"];
    let body = |i: usize| {
        let w = words[i % words.len()];
        format!(
            "A story from the {w} about the curfew, which the people of the {w} did not \
             expect and which the {w} council opposed.\n\n\
             Get curfew news from the Daily Courier app every morning."
        )
    };
    for i in 0..5 {
        model.observe("Courier", &body(i));
    }
    let view = model.view();
    let s = spec(vec![term("curfew")], vec![]);
    let opts = PassageOptions {
        all: true,
        ..Default::default()
    };
    let stats = CorpusStats::default();
    let mut p = Passager::new(&s, &opts, &stats).with_boilerplate(&view);
    let got = p.passages(&body(5), "Courier");
    let texts: Vec<&str> = got.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].starts_with("A story from the coast"), "{texts:?}");
    // Another outlet's articles keep that line.
    assert_eq!(p.passages(&body(5), "Gazette").len(), 2);
    // An article matching only in its boilerplate gives no passage at all.
    let s = spec(vec![term("app")], vec![]);
    let mut p = Passager::new(&s, &opts, &stats).with_boilerplate(&view);
    assert!(p.passages(&body(5), "Courier").is_empty());
    assert_eq!(p.passages(&body(5), "Gazette").len(), 1);
}

#[test]
fn combined_score_prefers_better_passages_mildly() {
    assert!(combined_score(0, 1.0) > combined_score(5, 1.0));
    assert!(combined_score(9, 2.0) > combined_score(0, 1.0));
    assert!(combined_score(1000, 1.0) > 0.5);
}

#[test]
fn a_name_after_a_quotation_attributes_it_and_heads_nothing() {
    let body = "Pundits on the left disagree.\n\n\
                “There is no need for her to declare it now…\n\n\
                “Impeachment can wait for the facts.”\n\n\
                Greg Sargent, Washington Post\n\n\
                “Impeachment is a political act, and her position is sensible.”\n\n\
                Noah Feldman, Bloomberg";
    let s = spec(vec![term("impeachment")], vec![]);
    let all = run(
        body,
        &s,
        PassageOptions {
            all: true,
            ..Default::default()
        },
    );
    let got: Vec<(String, Option<&str>, Option<&str>)> = all
        .iter()
        .map(|p| {
            let start: String = p.text.chars().take(12).collect();
            (start, p.attribution.as_deref(), p.heading.as_deref())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "“Impeachment".into(),
                Some("Greg Sargent, Washington Post"),
                None
            ),
            ("“Impeachment".into(), Some("Noah Feldman, Bloomberg"), None),
        ]
    );
    // A name before ordinary text stays a heading (a speaker label, a byline).
    let body = "Michael Barbaro\n\nToday we talk about impeachment.";
    let p = one(body, &s);
    assert_eq!(p.heading.as_deref(), Some("Michael Barbaro"));
    assert_eq!(p.attribution, None);
}

proptest::proptest! {
    /// `display` copies runs between line breaks and tabs whole: the same text as mapping
    /// char by char, multi-byte chars and breaks at either end included.
    #[test]
    fn display_matches_char_by_char(s in "[a-z\n\r\t é“”—]{0,40}") {
        let want: String = s
            .chars()
            .map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c })
            .collect();
        proptest::prop_assert_eq!(display(&s), want);
    }
}

/// One passager reused across articles (its word cache and scoring buffers kept) picks
/// exactly what a fresh passager picks for each article.
#[test]
fn reused_passager_picks_as_a_fresh_one() {
    let long = "A very long paragraph about the fuel price. ".repeat(30);
    let articles = [
        "Fuel prices rose in Almaty.\n\nThe fuel price hike in Zhanaozen set off protests \
         that spread to Almaty, where the price of gas doubled.",
        "Protests\n\nPrice controls were promised. \"Fuel prices will fall,\" Tokayev said; \
         the fuel price cap lasts 180 days.\n\nOthers doubted the fuel price promise.",
        "Nothing here matches at all.",
        long.as_str(),
    ];
    let s = spec(
        vec![term("fuel"), term("prices"), term("Almaty")],
        vec![phrase("fuel price", 0), phrase("price cap", 1)],
    );
    for opts in [
        PassageOptions::default(),
        PassageOptions {
            all: true,
            context: 1,
            ..PassageOptions::default()
        },
    ] {
        let stats = CorpusStats::default();
        let mut reused = Passager::new(&s, &opts, &stats);
        for body in articles {
            let want = Passager::new(&s, &opts, &stats).passages(body, "");
            assert_eq!(reused.passages(body, ""), want);
        }
    }
}

proptest::proptest! {
    /// The ASCII token count is the token-by-token one, limit or not.
    #[test]
    fn ascii_token_count_is_the_char_one(
        s in "[a-zA-Z0-9 ,.'\n-]{0,60}|[a-z é“”’—0-9]{0,40}",
        limit in 0u32..12,
    ) {
        proptest::prop_assert_eq!(count_tokens(&s, limit), count_tokens_by_char(&s, limit));
    }
}

/// Title highlights with the body's prefilter are those of every title token analysed.
#[test]
fn title_prefilter_keeps_every_match() {
    let s = spec(
        vec![term("troops"), term("Tokayev"), term("cry")],
        vec![phrase("fuel price", 0)],
    );
    let title = "Troops’ return: Tokayev cries, “fuel prices” and Fuel Price troop TROOPS cri";
    let mut p = Passager::new(&s, &PassageOptions::default(), &CorpusStats::default());
    let got = p.title_highlights(title);
    // Every token analysed, with the same passager's classes.
    let mut q = Passager::new(&s, &PassageOptions::default(), &CorpusStats::default());
    let mut occs = Vec::new();
    for (st, e, pos) in Tokens::new(title) {
        let class = q.matcher.classify(&title[st..e]);
        if class != 0 {
            occs.push(Occ {
                pos,
                start: st,
                end: e,
                class,
            });
        }
    }
    let want = q.evaluate(&occs, 0, Field::Title).highlights;
    assert_eq!(got, want);
    assert!(!got.is_empty());
}

/// The integer token estimate is the float one for every length it is used for.
#[test]
fn integer_token_estimate_is_the_float_one() {
    for len in 0..1usize << 22 {
        assert_eq!(
            estimate_tokens(0, len),
            estimate_tokens_by_float(len),
            "{len}"
        );
    }
    assert_eq!(estimate_tokens(10, 3), 0);
}
