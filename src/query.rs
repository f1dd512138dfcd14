//! The user's query string turned into a tantivy query plus what passages must highlight.
//!
//! tantivy's grammar parses the string (words, "phrases", AND/OR/NOT, +/-, field:); this
//! module walks that tree itself instead of using tantivy's `QueryParser`, because it must
//! also (a) collect the analyzed words and phrases for passage scoring and exact
//! highlighting, (b) widen names to the spelling variants the index actually holds
//! (Tokajev -> Tokayev, Zhanaozen -> Žanaozen), and (c) rank articles holding every word
//! above those holding only some.

use std::collections::BTreeSet;
use std::fmt;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhraseQuery, Query, TermQuery,
};
use tantivy::query_grammar::{self, Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Searcher, Term};

use crate::entities::skeleton;
use crate::passages::{MatchSpec, PhraseSpec, Scope, TermSpec};
use crate::schema::{analyzer, Fields};

/// Score added to articles that contain every word of a plain multi-word query, so they all
/// rank above articles that contain only some (BM25 scores stay far below this).
pub const ALL_WORDS_BONUS: f32 = 1000.0;
/// Title matches weigh more than body matches: a headline is the article's own summary.
const TITLE_BOOST: f32 = 2.0;

/// A query that cannot be run, with the one-line reason shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

/// A query word widened to spelling variants found in the index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Widening {
    pub word: String,
    pub variants: Vec<String>,
}

/// The parsed query: what to run, what to highlight, and what it was widened to.
pub struct QueryPlan {
    /// What ranks the articles.
    pub query: Box<dyn Query>,
    /// The same articles as `query`, without its score-only clauses (the all-words bonus):
    /// what counting and facets run, which visit every match and need no score. The bonus
    /// clause walks every word's postings a second time, a third of a broad count's time.
    pub matching: Box<dyn Query>,
    /// For a plain list of words, the articles holding every one of them, scored as `query`
    /// scores them less [`ALL_WORDS_BONUS`]: while at least as many such articles exist as
    /// a search shows, the top of `query` is the top of this, which is far cheaper to find
    /// (it follows the rarest word instead of scoring every article with any word).
    pub all_words: Option<Box<dyn Query>>,
    pub spec: MatchSpec,
    pub widened: Vec<Widening>,
    /// True when the query can match every article (`*` or only negative clauses).
    pub matches_all: bool,
}

/// What an `entity:` name stands for, as the entity alias table resolves it.
#[derive(Debug, Clone, Default)]
pub struct EntityMatch {
    /// Facet values of the article-level names of every entity the name may mean: what the
    /// query matches.
    pub facets: Vec<Facet>,
    /// The names and aliases the articles write those entities with: what passages find
    /// and highlight.
    pub forms: Vec<String>,
}

/// Most written forms of an entity that passages look for: the table lists an entity's
/// forms most frequent first, and a famous name's long tail (misspellings, one-off
/// possessives) would only slow passage matching down.
const ENTITY_FORMS: usize = 16;

/// A plain list's query (any of its words), and the query for the articles holding every
/// word (`None` for fewer than two words).
type WordList = (Option<Box<dyn Query>>, Option<Box<dyn Query>>);

/// The clauses of a plain list of two or more words or phrases: no operators, no `+`/`-`.
fn plain_words(ast: &UserInputAst) -> Option<&[(Option<Occur>, UserInputAst)]> {
    match ast {
        UserInputAst::Clause(clauses)
            if clauses.len() >= 2 && clauses.iter().all(|(o, _)| o.is_none()) =>
        {
            Some(clauses)
        }
        _ => None,
    }
}

/// Everything the planner needs from the index and the caller.
pub struct Planner<'a> {
    pub fields: &'a Fields,
    pub searcher: &'a Searcher,
    /// Extra spelling variants for a query word (e.g. from the entity alias table).
    pub variants: &'a dyn Fn(&str) -> Vec<String>,
    /// What an `entity:` name means (any alias, any spelling the alias table joins).
    pub entity: &'a dyn Fn(&str) -> anyhow::Result<EntityMatch>,
    /// Fuzzy-match every word (distance 1), as if each had a `~`.
    pub fuzzy_all: bool,
}

struct Walk<'a, 'b> {
    planner: &'b Planner<'a>,
    analyzer: TextAnalyzer,
    spec: MatchSpec,
    widened: Vec<Widening>,
    /// Positive literals seen (field-only ones such as `outlet:RT` included).
    positive: usize,
}

impl Planner<'_> {
    /// Parses `input` and builds the query. Errors are one line naming the problem.
    pub fn plan(&self, input: &str) -> Result<QueryPlan, QueryError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(QueryError("empty query: give at least one word".into()));
        }
        check_quotes(input)?;
        check_operators(input)?;
        let (ast, errors) = query_grammar::parse_query_lenient(input);
        if let Some(e) = errors.first() {
            return Err(QueryError(format!(
                "query syntax error at column {}: {} (in `{input}`)",
                e.pos + 1,
                e.message
            )));
        }
        let mut walk = Walk {
            planner: self,
            analyzer: analyzer(),
            spec: MatchSpec {
                terms: Vec::new(),
                phrases: Vec::new(),
            },
            widened: Vec::new(),
            positive: 0,
        };
        // Each clause is planned once: for a plain list of words the clauses make both the
        // query and the articles holding every word.
        let (built, all_words) = match plain_words(&ast) {
            Some(clauses) => walk.word_list(clauses)?,
            None => (walk.node(&ast, false)?, None),
        };
        let (query, matches_all) = match built {
            Some(q) => (q, false),
            None => {
                return Err(QueryError(format!(
                    "query `{input}` has no searchable words"
                )))
            }
        };
        // Pure negation ("-foo") or `*` match everything minus the excluded.
        let matches_all = matches_all || walk.positive == 0;
        let matching = query.box_clone();
        // Articles holding every word rank above those holding only some.
        let query = match &all_words {
            Some(every) => {
                let bonus: Box<dyn Query> =
                    Box::new(ConstScoreQuery::new(every.box_clone(), ALL_WORDS_BONUS));
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, query),
                    (Occur::Should, bonus),
                ]))
            }
            None => query,
        };
        walk.fill_idf();
        Ok(QueryPlan {
            query,
            matching,
            all_words,
            spec: walk.spec,
            widened: walk.widened,
            matches_all,
        })
    }
}

/// tantivy's lenient parser closes a dangling quote silently; users deserve to be told.
fn check_quotes(input: &str) -> Result<(), QueryError> {
    let mut open = None;
    let mut escaped = false;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => open = if open.is_some() { None } else { Some(i) },
            _ => {}
        }
    }
    if let Some(pos) = open {
        return Err(QueryError(format!(
            "query syntax error at column {}: unbalanced quote (in `{input}`)",
            input[..pos].chars().count() + 1
        )));
    }
    let mut depth = 0i32;
    let mut in_quote = false;
    for (i, c) in input.char_indices() {
        match c {
            '"' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth -= 1;
                if depth < 0 {
                    return Err(QueryError(format!(
                        "query syntax error at column {}: `)` without `(` (in `{input}`)",
                        input[..i].chars().count() + 1
                    )));
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(QueryError(format!(
            "query syntax error: unclosed `(` (in `{input}`)"
        )));
    }
    Ok(())
}

/// tantivy's lenient parser drops a dangling `AND` / `OR` / `NOT` ("fuel AND", "a OR OR
/// b") and runs something else than what was asked; say where the operator lacks a word.
fn check_operators(input: &str) -> Result<(), QueryError> {
    // Words outside quotes, with parentheses as words of their own: (char column, text).
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let mut in_quote = false;
    for (col, c) in input.chars().enumerate() {
        if c == '"' {
            in_quote = !in_quote;
        }
        let split = !in_quote && (c.is_whitespace() || c == '(' || c == ')');
        if split {
            words.extend(cur.take());
            if c != ' ' && !c.is_whitespace() {
                words.push((col, c.to_string()));
            }
        } else {
            cur.get_or_insert_with(|| (col, String::new())).1.push(c);
        }
    }
    words.extend(cur);
    let is_binary = |w: &str| w == "AND" || w == "OR";
    for (i, (col, w)) in words.iter().enumerate() {
        let prev = i
            .checked_sub(1)
            .and_then(|j| words.get(j))
            .map(|x| x.1.as_str());
        let next = words.get(i + 1).map(|x| x.1.as_str());
        let missing_before = is_binary(w)
            && matches!(
                prev,
                None | Some("(") | Some("AND") | Some("OR") | Some("NOT")
            );
        let missing_after = (is_binary(w) || w == "NOT")
            && matches!(next, None | Some(")") | Some("AND") | Some("OR"));
        if missing_before || missing_after {
            return Err(QueryError(format!(
                "query syntax error at column {}: `{w}` needs a word {} it (in `{input}`)",
                col + 1,
                if missing_before { "before" } else { "after" }
            )));
        }
    }
    Ok(())
}

/// Field targets of a literal: (field, boost, analyzed?).
fn targets(fields: &Fields, name: Option<&str>) -> Result<Vec<(Field, f32, bool)>, QueryError> {
    Ok(match name.map(|n| n.to_ascii_lowercase()) {
        None => vec![(fields.title, TITLE_BOOST, true), (fields.body, 1.0, true)],
        Some(n) => match n.as_str() {
            "title" | "headline" => vec![(fields.title, 1.0, true)],
            "body" | "text" => vec![(fields.body, 1.0, true)],
            "outlet" | "source" => vec![(fields.outlet, 1.0, true)],
            "author" | "authors" => vec![(fields.authors, 1.0, true)],
            "url" => vec![(fields.url, 1.0, false)],
            _ => {
                return Err(QueryError(format!(
                    "unknown field `{n}:` (fields: title, body, outlet, author, entity, url); \
                     quote the text to search it literally"
                )))
            }
        },
    })
}

/// Where a field's matches can be shown: `None` for fields that are not passage text
/// (outlet, author, url), whose words must not be highlighted in the body.
fn highlight_scope(name: Option<&str>) -> Option<Scope> {
    match name.map(|n| n.to_ascii_lowercase()).as_deref() {
        None => Some(Scope::Text),
        Some("title" | "headline") => Some(Scope::Title),
        Some("body" | "text") => Some(Scope::Body),
        Some(_) => None,
    }
}

/// Articles holding any of `facets` (exact values, no descendants): how `entity:`, `--entity`
/// and `--outlet` match.
pub fn any_facet(field: Field, facets: &[Facet]) -> Box<dyn Query> {
    let any: Vec<(Occur, Box<dyn Query>)> = facets
        .iter()
        .map(|f| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_facet(field, f),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(any))
}

/// Splits a trailing `*` (prefix) off an unquoted word; a `*` anywhere else is an error,
/// since only prefixes are supported.
fn prefix_suffix(word: &str) -> Result<(&str, bool), QueryError> {
    let (head, prefix) = match word.strip_suffix('*') {
        Some(head) => (head, true),
        None => (word, false),
    };
    if head.contains('*') || (prefix && head.trim().is_empty()) {
        return Err(QueryError(format!(
            "`{word}`: only a trailing `*` is supported (a prefix, as in `protest*`)"
        )));
    }
    Ok((head, prefix))
}

/// Splits a trailing `~` / `~N` fuzzy marker off an unquoted word.
fn fuzzy_suffix(word: &str) -> (&str, Option<u8>) {
    if let Some(idx) = word.rfind('~') {
        let (head, tail) = (&word[..idx], &word[idx + 1..]);
        if !head.is_empty() {
            if tail.is_empty() {
                return (head, Some(1));
            }
            if let Ok(n) = tail.parse::<u8>() {
                return (head, Some(n.min(2)));
            }
        }
    }
    (word, None)
}

impl Walk<'_, '_> {
    fn tokens(&mut self, text: &str) -> Vec<String> {
        let mut stream = self.analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// Builds the query for a node. `negated` is true under a MustNot, where words are not
    /// collected for highlighting.
    fn node(
        &mut self,
        ast: &UserInputAst,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        match ast {
            UserInputAst::Clause(clauses) => {
                let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut positive = false;
                for (occur, sub) in clauses {
                    let occur = occur.unwrap_or(Occur::Should);
                    let neg = negated || occur == Occur::MustNot;
                    if let Some(q) = self.node(sub, neg)? {
                        if occur != Occur::MustNot {
                            positive = true;
                        }
                        subs.push((occur, q));
                    }
                }
                if subs.is_empty() {
                    return Ok(None);
                }
                if !positive {
                    // Only exclusions: match all articles minus those.
                    subs.push((Occur::Must, Box::new(AllQuery)));
                }
                if subs.len() == 1 && subs[0].0 != Occur::MustNot {
                    return Ok(subs.pop().map(|(_, q)| q));
                }
                Ok(Some(Box::new(BooleanQuery::new(subs))))
            }
            UserInputAst::Boost(inner, boost) => Ok(self
                .node(inner, negated)?
                .map(|q| Box::new(BoostQuery::new(q, boost.0 as f32)) as Box<dyn Query>)),
            UserInputAst::Leaf(leaf) => self.leaf(leaf, negated),
        }
    }

    fn leaf(
        &mut self,
        leaf: &UserInputLeaf,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        match leaf {
            UserInputLeaf::Literal(lit) => self.literal(lit, negated),
            UserInputLeaf::All => Ok(Some(Box::new(AllQuery))),
            UserInputLeaf::Range { .. } => Err(QueryError(
                "ranges are not supported in the query: use --since / --until for dates".into(),
            )),
            UserInputLeaf::Set { .. } => Err(QueryError(
                "`IN [...]` sets are not supported: use OR".into(),
            )),
            UserInputLeaf::Exists { field } => {
                Err(QueryError(format!("`{field}:*` is not supported")))
            }
            UserInputLeaf::Regex { .. } => Err(QueryError(
                "regular expressions are not supported: use `word*` for a prefix".into(),
            )),
        }
    }

    fn literal(
        &mut self,
        lit: &UserInputLiteral,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        if lit
            .field_name
            .as_deref()
            .is_some_and(|f| matches!(f.to_ascii_lowercase().as_str(), "entity" | "entities"))
        {
            return self.entity(lit, negated).map(Some);
        }
        let targets = targets(self.planner.fields, lit.field_name.as_deref())?;
        let scope = highlight_scope(lit.field_name.as_deref());
        let quoted = lit.delimiter != Delimiter::None;
        let (word, mut fuzzy) = if quoted {
            (lit.phrase.as_str(), None)
        } else {
            fuzzy_suffix(&lit.phrase)
        };
        // tantivy's grammar keeps an unquoted word's `*` in the word (its wildcard syntax)
        // and sets `prefix` only for `"phrase"*`; the analyzer would then drop the `*` and
        // `kaz*` would look for the word "kaz".
        let (word, prefix) = if quoted {
            (word, lit.prefix)
        } else {
            prefix_suffix(word)?
        };
        if fuzzy.is_none() && self.planner.fuzzy_all && !quoted && !prefix {
            fuzzy = Some(1);
        }
        let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Raw (un-analyzed) fields take the literal as one term.
        let raw: Vec<_> = targets.iter().filter(|t| !t.2).collect();
        for (field, boost, _) in raw {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(*field, word),
                IndexRecordOption::Basic,
            ));
            per_field.push((Occur::Should, Box::new(BoostQuery::new(q, *boost))));
        }
        let tokens = self.tokens(word);
        if tokens.is_empty() && per_field.is_empty() {
            return Ok(None);
        }
        let analyzed: Vec<_> = targets.iter().filter(|t| t.2).copied().collect();
        if tokens.len() == 1 && !analyzed.is_empty() {
            let token = tokens[0].clone();
            let variants = if negated || prefix || fuzzy.is_some() {
                Vec::new()
            } else {
                self.variants_for(word, &token)
            };
            for (field, boost, _) in &analyzed {
                let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let term = Term::from_field_text(*field, &token);
                let main: Box<dyn Query> = if prefix {
                    Box::new(FuzzyTermQuery::new_prefix(term, 0, true))
                } else if let Some(d) = fuzzy {
                    Box::new(FuzzyTermQuery::new(term, d, true))
                } else {
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                };
                alts.push((Occur::Should, main));
                for v in &variants {
                    alts.push((
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(*field, v),
                            IndexRecordOption::WithFreqs,
                        )),
                    ));
                }
                let q: Box<dyn Query> = if alts.len() == 1 {
                    alts.pop().map(|(_, q)| q).expect("one alternative")
                } else {
                    Box::new(BooleanQuery::new(alts))
                };
                per_field.push((Occur::Should, Box::new(BoostQuery::new(q, *boost))));
            }
            if let (false, Some(scope)) = (negated, scope) {
                self.spec.terms.push(TermSpec {
                    token,
                    idf: 0.0,
                    fuzzy: fuzzy.unwrap_or(0),
                    prefix,
                    variants,
                    scope,
                });
            }
        } else if tokens.len() > 1 && !analyzed.is_empty() {
            for (field, boost, _) in &analyzed {
                let terms: Vec<(usize, Term)> = tokens
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i, Term::from_field_text(*field, t)))
                    .collect();
                let q: Box<dyn Query> =
                    Box::new(PhraseQuery::new_with_offset_and_slop(terms, lit.slop));
                per_field.push((Occur::Should, Box::new(BoostQuery::new(q, *boost))));
            }
            if let (false, Some(scope)) = (negated, scope) {
                self.spec.phrases.push(PhraseSpec {
                    tokens,
                    idf: 0.0,
                    slop: lit.slop,
                    scope,
                });
            }
        }
        if !negated && !per_field.is_empty() {
            self.positive += 1;
        }
        Ok(match per_field.len() {
            0 => None,
            1 => per_field.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(per_field))),
        })
    }

    /// `entity:NAME`: the articles naming the entity NAME means, matched on its facets (as
    /// `--entity` filters), so that every alias and spelling the alias table joins counts;
    /// passages look for the forms the articles write it with.
    fn entity(
        &mut self,
        lit: &UserInputLiteral,
        negated: bool,
    ) -> Result<Box<dyn Query>, QueryError> {
        let name = lit.phrase.trim();
        let unquoted = lit.delimiter == Delimiter::None;
        if lit.prefix || (unquoted && (fuzzy_suffix(name).1.is_some() || name.contains('*'))) {
            return Err(QueryError(format!(
                "`entity:{name}` takes a name: no `*` or `~` (spelling variants of a name are \
                 found without them)"
            )));
        }
        let m = (self.planner.entity)(name).map_err(|e| QueryError(format!("{e:#}")))?;
        if !negated {
            self.positive += 1;
            let mut seen: Vec<Vec<String>> = Vec::new();
            for form in m.forms.iter().take(ENTITY_FORMS) {
                let tokens = self.tokens(form);
                if tokens.is_empty() || seen.contains(&tokens) {
                    continue;
                }
                seen.push(tokens.clone());
                if tokens.len() == 1 {
                    self.spec.terms.push(TermSpec {
                        token: tokens[0].clone(),
                        idf: 0.0,
                        fuzzy: 0,
                        prefix: false,
                        variants: Vec::new(),
                        scope: Scope::Text,
                    });
                } else {
                    self.spec.phrases.push(PhraseSpec {
                        tokens,
                        idf: 0.0,
                        slop: 0,
                        scope: Scope::Text,
                    });
                }
            }
        }
        if m.facets.is_empty() {
            // A name no article holds matches nothing (as a word absent from the index).
            return Ok(Box::new(EmptyQuery));
        }
        Ok(any_facet(self.planner.fields.facet, &m.facets))
    }

    /// Spelling variants of a query word that the index holds. Only for words that look like
    /// names (capitalised in the query) or that the index does not know at all: widening an
    /// ordinary word ("dinner" -> "diner") would only add noise.
    fn variants_for(&mut self, word: &str, token: &str) -> Vec<String> {
        let body = self.planner.fields.body;
        let df = |t: &str| {
            self.planner
                .searcher
                .doc_freq(&Term::from_field_text(body, t))
                .unwrap_or(0)
        };
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        let known = df(token) > 0;
        if !capitalised && known {
            return Vec::new();
        }
        let mut found = BTreeSet::new();
        let mut shown = Vec::new();
        // An ordinary English word ("Court", "Four"), capitalised or not, is a word, not a
        // name: only its British and American spellings are variants. Transliteration
        // rules and name spellings would widen it to other words ("Curt", "for").
        let plain_word = crate::entities::is_common_word(word);
        let folded = fold_lower(word);
        let mut candidates: Vec<(String, bool)> = english_spellings(&folded)
            .into_iter()
            .map(|c| (c, false))
            .collect();
        if !plain_word {
            candidates.extend(spelling_candidates(&folded).into_iter().map(|c| (c, false)));
            candidates.extend(
                (self.planner.variants)(word)
                    .into_iter()
                    .map(|c| (c, false)),
            );
        }
        // A word the index does not hold at all would find nothing: look for the words it
        // does hold that spell the same name another way (the transliteration skeleton
        // agrees, a letter or two apart: "Mangystau" finds "Mangistau"). Not for words the
        // index knows: the scan costs a pass over every segment's term dictionary.
        if !known {
            candidates.extend(
                self.same_skeleton_terms(token)
                    .into_iter()
                    .map(|t| (t, true)),
            );
        }
        for (cand, is_token) in candidates {
            let toks = if is_token {
                vec![cand.clone()]
            } else {
                self.tokens(&cand)
            };
            if toks.len() != 1 || toks[0] == token {
                continue;
            }
            let t = toks[0].clone();
            if df(&t) > 0 && found.insert(t) {
                // Show the variant the way the user wrote the word: "Tokajev" -> "Tokayev".
                let mut shown_form = cand;
                if capitalised {
                    let mut c = shown_form.chars();
                    if let Some(first) = c.next() {
                        shown_form = first.to_uppercase().chain(c).collect();
                    }
                }
                shown.push(shown_form);
            }
        }
        if !shown.is_empty() {
            self.widened.push(Widening {
                word: word.to_string(),
                variants: shown,
            });
        }
        found.into_iter().collect()
    }

    /// Body terms within one edit (two for long words) of `token` whose transliteration
    /// skeleton is the same as its own: spellings of one name, not merely similar words
    /// ("Mangystau" and "Mangistau", never "Mangistau" and "Mangrove").
    fn same_skeleton_terms(&self, token: &str) -> Vec<String> {
        let len = token.chars().count();
        if len < 5 || !token.chars().all(char::is_alphanumeric) {
            return Vec::new();
        }
        let distance = if len >= 8 { 2 } else { 1 };
        let want = skeleton(token);
        let body = self.planner.fields.body;
        let query = FuzzyTermQuery::new(Term::from_field_text(body, token), distance, true);
        // The automaton only fails for distances it has no tables for (above 4).
        let Ok(automaton) = query.automaton() else {
            return Vec::new();
        };
        let mut out: BTreeSet<String> = BTreeSet::new();
        for seg in self.planner.searcher.segment_readers() {
            // An unreadable segment only loses its candidates: the search itself reports it.
            let Ok(inv) = seg.inverted_index(body) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().search(&automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(t) = std::str::from_utf8(stream.key()) {
                    if t != token && !out.contains(t) && skeleton(t) == want {
                        out.insert(t.to_string());
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// A plain list of words (see [`plain_words`]): articles with any of them, and articles
    /// with every one, from one planning of each clause.
    fn word_list(
        &mut self,
        clauses: &[(Option<Occur>, UserInputAst)],
    ) -> Result<WordList, QueryError> {
        let mut subs: Vec<Box<dyn Query>> = Vec::new();
        for (_, sub) in clauses {
            if let Some(q) = self.node(sub, false)? {
                subs.push(q);
            }
        }
        if subs.len() < 2 {
            return Ok((subs.pop(), None));
        }
        let every: Vec<(Occur, Box<dyn Query>)> =
            subs.iter().map(|q| (Occur::Must, q.box_clone())).collect();
        let any: Vec<(Occur, Box<dyn Query>)> =
            subs.into_iter().map(|q| (Occur::Should, q)).collect();
        Ok((
            Some(Box::new(BooleanQuery::new(any))),
            Some(Box::new(BooleanQuery::new(every))),
        ))
    }

    /// The corpus's IDF (BM25's formula) for every collected word, over the body field.
    fn fill_idf(&mut self) {
        let searcher = self.planner.searcher;
        let body = self.planner.fields.body;
        let n = searcher.num_docs() as f32;
        let idf = |t: &str| {
            let df = searcher
                .doc_freq(&Term::from_field_text(body, t))
                .unwrap_or(0) as f32;
            (1.0 + (n - df + 0.5) / (df + 0.5)).ln().max(0.01)
        };
        for t in &mut self.spec.terms {
            // A variant-widened word weighs as its most common spelling would.
            let mut best = idf(&t.token);
            for v in &t.variants {
                best = best.min(idf(v));
            }
            t.idf = best;
        }
        for p in &mut self.spec.phrases {
            p.idf = p.tokens.iter().map(|t| idf(t)).sum();
        }
    }
}

/// Lowercase with diacritics folded, the way the analyzer sees letters (before stemming).
pub fn fold_lower(word: &str) -> String {
    let mut a = TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(tantivy::tokenizer::LowerCaser)
        .filter(tantivy::tokenizer::AsciiFoldingFilter)
        .build();
    let mut s = a.token_stream(word);
    let mut out = String::new();
    while s.advance() {
        out.push_str(&s.token().text);
    }
    out
}

/// British and American spellings of one folded, lowercased English word: "organisation" /
/// "organization", "colour" / "color", "centre" / "center", "defence" / "defense",
/// "analyse" / "analyze", "catalogue" / "catalog". Each rule holds only where the spellings
/// really differ: "our" after a syllable of its own and at the end of the word or before an
/// ending ("colours", "favourite"; not "four", "court"), "re" and "ence" at the end of
/// words of six letters or more (not "Peter").
pub fn english_spellings(word: &str) -> Vec<String> {
    /// One pair of spellings, taken both ways: where it may stand (before one of the
    /// endings, at the end of the word), how many letters must come before it, whether
    /// those must hold a vowel, and how long the word must be.
    struct Rule {
        pair: (&'static str, &'static str),
        endings: &'static [&'static str],
        stem: usize,
        vowel_in_stem: bool,
        word: usize,
    }
    const fn rule(
        pair: (&'static str, &'static str),
        endings: &'static [&'static str],
        stem: usize,
        vowel_in_stem: bool,
        word: usize,
    ) -> Rule {
        Rule {
            pair,
            endings,
            stem,
            vowel_in_stem,
            word,
        }
    }
    const VERB: &[&str] = &["e", "es", "ed", "er", "ers", "ing"];
    const OUR: &[&str] = &[
        "", "s", "ed", "ing", "ite", "ites", "able", "ably", "er", "ers", "ful", "less",
    ];
    const PLURAL: &[&str] = &["", "s"];
    #[rustfmt::skip]
    const RULES: &[Rule] = &[
        rule(("isation", "ization"), &["", "s", "al", "ally"], 1, false, 0),
        // -ise / -ize and -yse / -yze as a verb's ending: "organise", "organised".
        rule(("is", "iz"), VERB, 3, false, 0),
        rule(("ys", "yz"), VERB, 3, false, 0),
        rule(("our", "or"), OUR, 1, true, 0),
        rule(("tre", "ter"), PLURAL, 1, false, 6),
        rule(("ence", "ense"), PLURAL, 1, false, 6),
        rule(("ogue", "og"), &[""], 1, false, 6),
    ];
    if word.len() < 4 || !word.bytes().all(|c| c.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut out: BTreeSet<String> = BTreeSet::new();
    for rule in RULES.iter().filter(|r| word.len() >= r.word) {
        let (a, b) = rule.pair;
        for (from, to) in [(a, b), (b, a)] {
            for end in rule.endings {
                let Some(stem) = word.strip_suffix(end).and_then(|w| w.strip_suffix(from)) else {
                    continue;
                };
                if stem.len() >= rule.stem
                    && (!rule.vowel_in_stem || stem.bytes().any(|c| b"aeiou".contains(&c)))
                {
                    out.insert(format!("{stem}{to}{end}"));
                }
            }
        }
    }
    out.remove(word);
    out.into_iter().collect()
}

/// Transliteration and spelling variants of one folded, lowercased word: one or two
/// substitutions from the pairs that divide English spellings of Cyrillic, Arabic and
/// Central Asian names, and British/American endings. Most candidates do not exist; the
/// caller keeps only those the index holds.
pub fn spelling_candidates(word: &str) -> Vec<String> {
    const PAIRS: &[(&str, &str)] = &[
        ("zh", "z"),
        ("zh", "j"),
        ("j", "y"),
        ("kh", "h"),
        ("kh", "k"),
        ("q", "k"),
        ("ks", "x"),
        ("ou", "u"),
        ("w", "v"),
        ("ph", "f"),
        ("iy", "y"),
        ("ii", "iy"),
        ("ie", "i"),
        ("ya", "ia"),
        ("yu", "iu"),
        ("ts", "tz"),
        ("tch", "ch"),
        ("sch", "sh"),
        ("off", "ov"),
        ("ey", "ei"),
        ("ay", "ai"),
        ("isation", "ization"),
        ("ise", "ize"),
        ("our", "or"),
        ("tre", "ter"),
        ("ence", "ense"),
        ("ll", "l"),
        ("ss", "s"),
        ("mm", "m"),
        ("nn", "n"),
        ("tt", "t"),
        ("ff", "f"),
        ("rr", "r"),
    ];
    if word.len() < 4 || !word.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Vec::new();
    }
    let one_step = |w: &str| -> Vec<String> {
        let mut out = Vec::new();
        for (a, b) in PAIRS {
            for (from, to) in [(a, b), (b, a)] {
                let mut start = 0;
                while let Some(pos) = w[start..].find(from) {
                    let at = start + pos;
                    let mut s = String::with_capacity(w.len() + 2);
                    s.push_str(&w[..at]);
                    s.push_str(to);
                    s.push_str(&w[at + from.len()..]);
                    out.push(s);
                    start = at + from.len();
                }
            }
        }
        out
    };
    let mut all: BTreeSet<String> = BTreeSet::new();
    for c in one_step(word) {
        for c2 in one_step(&c) {
            all.insert(c2);
        }
        all.insert(c);
    }
    all.remove(word);
    all.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_markers() {
        assert_eq!(fuzzy_suffix("tokajev~"), ("tokajev", Some(1)));
        assert_eq!(fuzzy_suffix("tokajev~2"), ("tokajev", Some(2)));
        assert_eq!(fuzzy_suffix("tokajev~9"), ("tokajev", Some(2)));
        assert_eq!(fuzzy_suffix("~"), ("~", None));
        assert_eq!(fuzzy_suffix("plain"), ("plain", None));
    }

    #[test]
    fn prefix_markers() {
        assert_eq!(prefix_suffix("kaz*"), Ok(("kaz", true)));
        assert_eq!(prefix_suffix("kaz"), Ok(("kaz", false)));
        assert!(prefix_suffix("*kaz").is_err());
        assert!(prefix_suffix("k*z").is_err());
        assert!(prefix_suffix("k**").is_err());
    }

    /// A RAM index of articles (each with the Kazakhstan entity facet), with a planner over it.
    struct Articles {
        fields: Fields,
        searcher: Searcher,
    }

    fn no_variants(_: &str) -> Vec<String> {
        Vec::new()
    }

    /// The alias table of these tests: Kazakhstan and two other names of it.
    fn kazakhstan(name: &str) -> anyhow::Result<EntityMatch> {
        let forms = ["Kazakhstan", "Republic of Kazakhstan", "Qazaqstan"];
        Ok(if forms.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            EntityMatch {
                facets: vec![Facet::from_path(["entity", "location", "Kazakhstan"])],
                forms: forms.map(String::from).to_vec(),
            }
        } else {
            EntityMatch::default()
        })
    }

    impl Articles {
        /// One article.
        fn new(body: &str) -> Articles {
            Self::many(&[body])
        }

        /// Several articles, in this order (document ids 0, 1, ...).
        fn many(bodies: &[&str]) -> Articles {
            let index = tantivy::Index::create_in_ram(crate::schema::build_schema());
            crate::schema::register(&index);
            let fields = Fields::new(&index.schema()).unwrap();
            let mut w: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
            for body in bodies {
                let mut d = tantivy::TantivyDocument::default();
                d.add_text(fields.body, body);
                d.add_facet(
                    fields.facet,
                    Facet::from_path(["entity", "location", "Kazakhstan"]),
                );
                w.add_document(d).unwrap();
            }
            w.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            Articles { fields, searcher }
        }

        fn planner(&self) -> Planner<'_> {
            Planner {
                fields: &self.fields,
                searcher: &self.searcher,
                variants: &no_variants,
                entity: &kazakhstan,
                fuzzy_all: false,
            }
        }

        /// How many articles each query matches (its unscored form must agree).
        fn matches(&self, queries: &[&str]) -> Vec<usize> {
            queries
                .iter()
                .map(|q| {
                    let plan = self
                        .planner()
                        .plan(q)
                        .unwrap_or_else(|e| panic!("{q}: {e}"));
                    let count = |q: &dyn Query| {
                        self.searcher.search(q, &tantivy::collector::Count).unwrap()
                    };
                    let n = count(plan.query.as_ref());
                    assert_eq!(count(plan.matching.as_ref()), n, "{q}: matching != query");
                    n
                })
                .collect()
        }
    }

    #[test]
    fn a_trailing_star_is_a_prefix_of_any_word() {
        let one = Articles::new("Protesters filled the squares of Kazakhstan's cities.");
        assert_eq!(
            one.matches(&["kaz*", "Protes*", "squ*", "kaz", "zzz*", "title:kaz*"]),
            vec![1, 1, 1, 0, 0, 0]
        );
    }

    #[test]
    fn counting_skips_the_all_words_bonus_but_matches_the_same() {
        let one = Articles::new("Troops arrived in Kazakhstan.");
        // `matches` checks the unscored form agrees on each.
        assert_eq!(
            one.matches(&[
                "troops arrived",
                "troops tanks",
                "tanks jets",
                "troops -arrived"
            ]),
            vec![1, 1, 0, 0]
        );
        let plan = one.planner().plan("troops arrived").unwrap();
        let text = |q: &dyn Query| format!("{q:?}");
        assert!(text(plan.query.as_ref()).contains("Const(score=1000"));
        assert!(!text(plan.matching.as_ref()).contains("Const("));
    }

    #[test]
    fn the_top_of_a_word_list_is_the_top_of_its_articles_with_every_word() {
        let many = Articles::many(&[
            "Troops arrived. Troops, troops and more troops.",
            "Troops arrived in Almaty.",
            "Troops troops troops troops troops.",
            "The troops that arrived were Russian troops.",
            "Nobody arrived.",
            "Arrived, arrived, arrived: troops.",
        ]);
        let plan = many.planner().plan("troops arrived").unwrap();
        let every = plan.all_words.as_deref().expect("a plain word list");
        let top = |q: &dyn Query, n: usize| {
            many.searcher
                .search(
                    q,
                    &tantivy::collector::TopDocs::with_limit(n).order_by_score(),
                )
                .unwrap()
        };
        // Four articles hold both words: any top of up to four is theirs, in the same
        // order, with the bonus added to their scores.
        for n in 1..=4 {
            let ranked: Vec<_> = top(plan.query.as_ref(), n);
            let shifted: Vec<_> = top(every, n)
                .into_iter()
                .map(|(s, d)| (s + ALL_WORDS_BONUS, d))
                .collect();
            assert_eq!(ranked.len(), n);
            for ((a, da), (b, db)) in ranked.iter().zip(&shifted) {
                assert_eq!(da, db, "top {n}");
                assert!((a - b).abs() < 1e-3, "top {n}: {a} vs {b}");
            }
        }
        assert_eq!(top(every, 10).len(), 4, "a fifth needs the ranked query");
        for q in [
            "troops",
            "\"troops arrived\"",
            "troops -arrived",
            "troops OR arrived",
        ] {
            let plan = many.planner().plan(q).unwrap();
            assert!(plan.all_words.is_none(), "{q}");
        }
    }

    #[test]
    fn entity_names_match_the_entity_facets_and_highlight_its_forms() {
        let one = Articles::new("Troops arrived in Kazakhstan.");
        assert_eq!(
            one.matches(&[
                "entity:Qazaqstan",
                "entity:kazakhstan troops",
                "entity:Troops"
            ]),
            vec![1, 1, 0]
        );
        // Passages look for every form: words as terms, longer names as phrases.
        let spec = one.planner().plan("entity:Qazaqstan").unwrap().spec;
        let terms: Vec<&str> = spec.terms.iter().map(|t| t.token.as_str()).collect();
        assert_eq!(terms, ["kazakhstan", "qazaqstan"]);
        assert_eq!(spec.phrases.len(), 1);
        assert_eq!(spec.phrases[0].tokens, ["republ", "of", "kazakhstan"]);
        for bad in ["entity:Kaz*", "entity:Kazakstan~"] {
            let e = one.planner().plan(bad).err().expect(bad);
            assert!(e.0.contains("takes a name"), "{e}");
        }
    }

    #[test]
    fn transliteration_candidates_meet() {
        assert!(spelling_candidates("tokajev").contains(&"tokayev".to_string()));
        assert!(spelling_candidates("zhanaozen").contains(&"zanaozen".to_string()));
        assert!(spelling_candidates("aqtobe").contains(&"aktobe".to_string()));
        assert!(spelling_candidates("organisation").contains(&"organization".to_string()));
        assert!(spelling_candidates("kasym").contains(&"kassym".to_string()));
        assert!(spelling_candidates("u.s.").is_empty());
    }

    #[test]
    fn english_spellings_only_where_the_spellings_differ() {
        for (w, v) in [
            ("organisation", "organization"),
            ("organization", "organisation"),
            ("colour", "color"),
            ("color", "colour"),
            ("favourite", "favorite"),
            ("labours", "labors"),
            ("centre", "center"),
            ("theater", "theatre"),
            ("defense", "defence"),
            ("analyse", "analyze"),
            ("organised", "organized"),
            ("catalogue", "catalog"),
        ] {
            assert!(english_spellings(w).contains(&v.to_string()), "{w} -> {v}");
        }
        // One syllable, or "our" inside the word: not a British spelling.
        for w in [
            "four", "tour", "hour", "your", "pour", "court", "for", "peter", "sense",
        ] {
            assert!(
                english_spellings(w).is_empty(),
                "{w}: {:?}",
                english_spellings(w)
            );
        }
    }

    #[test]
    fn quotes_and_parens_checked() {
        assert!(check_quotes("\"fuel price").is_err());
        assert!(check_quotes("(a OR b").is_err());
        assert!(check_quotes("a OR b)").is_err());
        assert!(check_quotes("\"a (b\" c").is_ok());
        assert!(check_quotes("a \\\" b").is_ok());
    }

    #[test]
    fn dangling_operators_are_errors() {
        for bad in [
            "fuel AND",
            "OR fuel",
            "a OR OR b",
            "a AND NOT",
            "(a AND) b",
            "NOT",
        ] {
            assert!(check_operators(bad).is_err(), "{bad}");
        }
        let e = check_operators("fuel price AND").unwrap_err();
        assert!(e.0.contains("column 12") && e.0.contains("after"), "{e}");
        for good in [
            "fuel AND price",
            "a OR (b AND c)",
            "a AND NOT b",
            "NOT diesel fuel",
            "\"AND\" OR or",
            "\"a OR\"",
            "and or not",
        ] {
            assert!(check_operators(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn folds_diacritics() {
        assert_eq!(fold_lower("Žanaozen"), "zanaozen");
    }

    /// Arbitrary query strings never panic the planner, errors are one line, and whatever
    /// it plans can be turned into passages and highlights over arbitrary text.
    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        fn index() -> tantivy::Index {
            let index = tantivy::Index::create_in_ram(crate::schema::build_schema());
            crate::schema::register(&index);
            index
        }

        proptest! {
            #[test]
            fn planner_and_passages_never_panic(
                q in r#"[a-zA-Z0-9 "()+\-*~:^!\[\]{}ŽžéÅ\\]{0,40}"#,
                body in r#"[a-zA-Z0-9 .,"'\nŽžé]{0,300}"#,
            ) {
                let index = index();
                let fields = Fields::new(&index.schema()).unwrap();
                let searcher = index.reader().unwrap().searcher();
                let variants = |_: &str| Vec::new();
                let entity = |name: &str| Ok(crate::query::EntityMatch { facets: Vec::new(), forms: vec![name.to_string()] });
                for fuzzy_all in [false, true] {
                    let planner = Planner { fields: &fields, searcher: &searcher, variants: &variants, entity: &entity, fuzzy_all };
                    match planner.plan(&q) {
                        Ok(plan) => {
                            let opts = crate::passages::PassageOptions::default();
                            let stats = crate::passages::CorpusStats::default();
                            for p in crate::passages::passages(&body, &plan.spec, &opts, &stats) {
                                for (a, b) in &p.highlights {
                                    prop_assert!(a < b && *b <= p.text.len());
                                    prop_assert!(p.text.is_char_boundary(*a) && p.text.is_char_boundary(*b));
                                }
                            }
                            for (a, b) in crate::passages::highlight(&body, &plan.spec) {
                                prop_assert!(a < b && b <= body.len() && body.is_char_boundary(a));
                            }
                        }
                        Err(e) => prop_assert!(!e.0.contains('\n'), "multi-line error {:?}", e.0),
                    }
                }
            }
        }
    }
}
