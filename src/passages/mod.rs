//! Passages: cutting an article's stored text into passages, scoring them against the query, and highlighting exactly what matched.
//!
//! - [`split`] finds the text's structure: paragraphs, headings (never passages by
//!   themselves), sentences, and sentence windows inside long paragraphs.
//! - [`matcher`] re-runs the index's analyzer over the text with offsets, so highlights are
//!   the tokens tantivy matched: stems, folded letters, prefixes, fuzzy and variant
//!   spellings; a phrase's words only where the phrase occurs.
//! - this module scores passages (formula at [`Passager`]) and picks them per article.

mod matcher;
pub(crate) mod split;

use std::cell::RefCell;

use crate::boilerplate::BoilerplateView;
use matcher::{in_scope, Field, Hit, Matcher, Tokens};
use split::Layout;

/// Which text a query word applies to (`title:` and `body:` restrict it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Title and body.
    #[default]
    Text,
    Title,
    Body,
}

/// What the planner hands to passages: the query's words and phrases as the index's
/// analyzer wrote them, with the corpus's IDF.
#[derive(Debug, Clone, Default)]
pub struct MatchSpec {
    pub terms: Vec<TermSpec>,
    pub phrases: Vec<PhraseSpec>,
}

/// One query word.
#[derive(Debug, Clone)]
pub struct TermSpec {
    /// Analysed form (lowercased, folded, stemmed), as indexed.
    pub token: String,
    /// BM25 IDF over article bodies.
    pub idf: f32,
    /// Edit distance allowed (0: exact).
    pub fuzzy: u8,
    /// `token` is a prefix (`protest*`).
    pub prefix: bool,
    /// Analysed spelling variants that count as this word (`tokayev` for `Tokajev`).
    pub variants: Vec<String>,
    pub scope: Scope,
}

/// One quoted phrase.
#[derive(Debug, Clone)]
pub struct PhraseSpec {
    /// Analysed tokens, in order.
    pub tokens: Vec<String>,
    /// Sum of the tokens' IDF.
    pub idf: f32,
    /// Extra positions allowed between the words, as tantivy counts them.
    pub slop: u32,
    pub scope: Scope,
}

/// How passages are picked for one article.
#[derive(Debug, Clone)]
pub struct PassageOptions {
    /// Passages per article at most (ignored with `all`).
    pub per_article: usize,
    /// Neighbouring sentences to add before and after each passage.
    pub context: usize,
    /// Every matching passage, in text order.
    pub all: bool,
    /// Paragraphs longer than this (bytes) are cut into sentence windows.
    pub max_chars: usize,
}

impl Default for PassageOptions {
    fn default() -> Self {
        PassageOptions {
            per_article: 2,
            context: 0,
            all: false,
            max_chars: 400,
        }
    }
}

/// A passage of an article's body.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Byte range in the body.
    pub start: usize,
    pub end: usize,
    /// The body's text of that range, line breaks shown as spaces (same byte length).
    pub text: String,
    /// Byte ranges of matches in `text`, sorted, not overlapping.
    pub highlights: Vec<(usize, usize)>,
    pub score: f32,
    /// Paragraph number of the passage within the article (0-based; headings and
    /// boilerplate not counted; sentence windows of one paragraph share it).
    pub ordinal: usize,
    /// The heading right before the passage's paragraph, when it has one.
    pub heading: Option<String>,
    /// Byte ranges of matches in `heading`.
    pub heading_highlights: Vec<(usize, usize)>,
    /// Who the passage quotes, when a name line closes the quotation it is part of
    /// ("Greg Sargent, Washington Post").
    pub attribution: Option<String>,
    /// Up to `context` sentences before and after the passage.
    pub context_before: String,
    pub context_after: String,
}

/// Corpus-level figures passage scoring uses.
#[derive(Debug, Clone)]
pub struct CorpusStats {
    /// BM25 length pivot for a passage, in tokens.
    pub avg_passage_tokens: f32,
}

impl Default for CorpusStats {
    fn default() -> Self {
        // A news paragraph runs one to three sentences: about 40 tokens.
        CorpusStats {
            avg_passage_tokens: 40.0,
        }
    }
}

/// One matching token in the body.
#[derive(Debug, Clone, Copy)]
struct Occ {
    pos: u32,
    start: usize,
    end: usize,
    class: u32,
}

/// Per unit: its length and matches.
#[derive(Debug, Clone, Copy, Default)]
struct UnitInfo {
    tokens: u32,
    occ_from: usize,
    occ_to: usize,
    /// False for a long paragraph left whole: it is never a passage.
    shown: bool,
}

/// A unit's matches, scored.
#[derive(Debug, Clone, Default)]
struct Eval {
    /// BM25 + proximity over the unit's own matches.
    relevance: f32,
    /// Coordination factor (distinct query words matched, squared share).
    coord: f32,
    /// Sum of the IDF of the distinct query words and phrases matched.
    matched_idf: f32,
    highlights: Vec<(usize, usize)>,
}

const K1: f32 = 1.2;
const B: f32 = 0.5;
/// Proximity counts word pairs at most this many positions apart.
const PROXIMITY_WINDOW: u32 = 8;
/// Average bytes per token in English news text, for passage lengths (BM25 only needs
/// them roughly, and counting would mean tokenizing every passage).
const BYTES_PER_TOKEN: f32 = 5.5;
/// Coordination weight of a stopword relative to any other word.
const STOPWORD_COORD: f32 = 0.2;
/// How much a match in the section heading adds, relative to the words' IDF.
const HEADING_WEIGHT: f32 = 0.2;
/// Early passages get up to this much more (the lede says what the article is about).
const EARLY_BOOST: f32 = 0.25;

/// Picks and highlights passages for one query; reused across the articles of a search so
/// that analysed words and buffers are shared.
///
/// Scoring, in the spirit of Lucene's unified highlighter (each passage a small document):
///
/// ```text
/// bm25(p)  = Σ_w idf_w · tf_w·(k1+1) / (tf_w + k1·(1 − b + b·len_p/pivot))   k1 = 1.2, b = 0.5
///            over the query words and phrases w matched in p (a phrase counts only where
///            it occurs, with the sum of its words' IDF); len_p in tokens, pivot 40
/// prox(p)  = Σ over pairs of distinct query words/phrases w, v matched in p:
///            min(idf_w, idf_v) / gap_wv       gap = closest distance in positions ≤ 8
///                                             (adjacent = 1, so "fuel price hike" beats
///                                             the same words scattered)
/// coord(p) = (Σ_matched c_w / Σ_all c_w)²     c_w = 1, 0.2 for stopwords: passages with
///                                             more distinct query words first
/// early(p) = 1 + 0.25 / (1 + start_p / 1000)  start_p in bytes: a mild boost for the lede
/// head(p)  = 0.2 · Σ idf_w over the words matched in the heading just before p
///
/// score(p) = early(p) · (coord(p) · (bm25(p) + prox(p)) + head(p))
/// ```
///
/// A passage needs a match of its own; an article whose only matches are in headings
/// shows the passage under the heading, and one with no match in its body (title-only,
/// or a query with no words such as `*`) shows its first passage with score 0. Passages
/// of different articles are interleaved with [`combined_score`].
pub struct Passager<'a> {
    matcher: Matcher,
    spec: &'a MatchSpec,
    opts: PassageOptions,
    pivot: f32,
    boilerplate: Option<&'a BoilerplateView>,
    /// Coordination weight per unit (terms, then phrases) applying to the body.
    coord_body: Vec<f32>,
    coord_body_total: f32,
    layout: Layout,
    occs: Vec<Occ>,
    units: Vec<UnitInfo>,
    spans: Vec<(usize, usize)>,
    starts: Vec<usize>,
    /// Farthest distance in positions that matters (proximity window, largest slop).
    reach: u32,
    /// Buffers of [`Passager::evaluate_with`], kept across its calls (one per matched
    /// unit: allocating them each time was a third of its cost).
    scratch: RefCell<EvalScratch>,
    /// Normalisation buffer of the boilerplate check, kept across articles.
    line_buf: String,
}

/// Per-call buffers of [`Passager::evaluate_with`]; cleared before each use.
#[derive(Debug, Default)]
struct EvalScratch {
    /// Matches per query unit (terms, then phrases).
    tf: Vec<u32>,
    /// Match events: (first position, last position, query unit).
    events: Vec<(u32, u32, usize)>,
    /// Per phrase, per token: (position, match index) of the matches of that token.
    phrase_tokens: Vec<Vec<Vec<(u32, usize)>>>,
    /// Best proximity per pair of query units.
    best: Vec<f32>,
    /// A phrase occurrence's matches.
    path: Vec<usize>,
}

/// Interleaving: a passage's score times a mild prior from its article's rank (1 for the
/// top article, falling towards 0.6), so a much better passage of a lower-ranked article
/// still comes first. The article's raw score is not used: the all-words bonus and title
/// boost make it incomparable across queries and articles.
pub fn combined_score(article_rank: usize, passage_score: f32) -> f32 {
    let r = article_rank as f32;
    passage_score * (1.0 - 0.4 * r / (r + 4.0))
}

/// Passages of `body` for `spec` (see [`Passager`] for reuse across articles).
pub fn passages(
    body: &str,
    spec: &MatchSpec,
    opts: &PassageOptions,
    stats: &CorpusStats,
) -> Vec<Passage> {
    Passager::new(spec, opts, stats).passages(body, "")
}

/// Highlight ranges of `spec` in a title.
pub fn highlight(text: &str, spec: &MatchSpec) -> Vec<(usize, usize)> {
    Passager::new(spec, &PassageOptions::default(), &CorpusStats::default()).title_highlights(text)
}

impl<'a> Passager<'a> {
    pub fn new(spec: &'a MatchSpec, opts: &PassageOptions, stats: &CorpusStats) -> Passager<'a> {
        let matcher = Matcher::new(spec);
        let mut coord_body = Vec::new();
        for (i, t) in spec.terms.iter().enumerate() {
            let stop = matcher.stop.get(i).copied().unwrap_or(false);
            let c = if stop { STOPWORD_COORD } else { 1.0 };
            coord_body.push(if in_scope(t.scope, Field::Body) {
                c
            } else {
                0.0
            });
        }
        for p in &spec.phrases {
            coord_body.push(if in_scope(p.scope, Field::Body) {
                1.0
            } else {
                0.0
            });
        }
        let coord_body_total = coord_body.iter().sum();
        Passager {
            matcher,
            spec,
            opts: opts.clone(),
            pivot: stats.avg_passage_tokens.max(1.0),
            boilerplate: None,
            coord_body,
            coord_body_total,
            layout: Layout::default(),
            occs: Vec::new(),
            units: Vec::new(),
            spans: Vec::new(),
            starts: Vec::new(),
            scratch: RefCell::default(),
            line_buf: String::new(),
            reach: PROXIMITY_WINDOW.max(
                spec.phrases
                    .iter()
                    .map(|p| p.slop.saturating_add(p.tokens.len() as u32))
                    .max()
                    .unwrap_or(0),
            ),
        }
    }

    /// Lines this model knows as boilerplate are never passages (they may survive in
    /// articles indexed before the model learnt them).
    pub fn with_boilerplate(mut self, view: &'a BoilerplateView) -> Passager<'a> {
        self.boilerplate = Some(view);
        self
    }

    /// Highlight ranges in a title.
    pub fn title_highlights(&mut self, title: &str) -> Vec<(usize, usize)> {
        let mut occs = Vec::new();
        for (s, e, pos) in Tokens::new(title) {
            // The body's prefilter first: most title words are rejected by their first
            // letters without a look-up in the word cache.
            if !self.matcher.may_match(title, s) {
                continue;
            }
            let class = self.matcher.classify(title.get(s..e).unwrap_or(""));
            if class != 0 {
                occs.push(Occ {
                    pos,
                    start: s,
                    end: e,
                    class,
                });
            }
        }
        self.evaluate(&occs, 0, Field::Title).highlights
    }

    /// Picks passages of `body` (an article of `outlet`), best first; in text order with
    /// `all`.
    pub fn passages(&mut self, body: &str, outlet: &str) -> Vec<Passage> {
        let mut layout = std::mem::take(&mut self.layout);
        self.find_matches(body);
        split::paragraphs(body, &mut |_, _| false, &mut layout.paragraphs);
        self.cut_units(body, &mut layout);
        let mut out = self.pick(body, &layout);
        // Learnt boilerplate survives only in articles indexed before it was learnt. It
        // matters only where it would be shown, so look for it in the picked passages
        // (looking in every matched paragraph was a quarter of the passage work); when one
        // holds a learnt line, lay the text out again without those lines and pick again.
        if let Some(view) = self.boilerplate.filter(|v| !v.is_empty()) {
            let mut buf = std::mem::take(&mut self.line_buf);
            let shows = out
                .iter()
                .any(|p| shows_learnt(view, outlet, body, p, &mut buf));
            self.line_buf = buf;
            if shows {
                let hidden = view.hidden_lines(outlet, body);
                let mut drop = |start: usize, _: &str| hidden.binary_search(&start).is_ok();
                split::paragraphs(body, &mut drop, &mut layout.paragraphs);
                // Matched only through boilerplate: not a hit at all.
                if !self.matched_paragraphs(&layout.paragraphs).contains(&true) {
                    self.layout = layout;
                    return Vec::new();
                }
                self.cut_units(body, &mut layout);
                out = self.pick(body, &layout);
            }
        }
        self.layout = layout;
        out
    }

    /// The tokens of the body that match the query (positions are filled per unit later).
    fn find_matches(&mut self, body: &str) {
        self.occs.clear();
        let mut spans = std::mem::take(&mut self.spans);
        let mut starts = std::mem::take(&mut self.starts);
        self.matcher.candidates(body, &mut starts, &mut spans);
        self.starts = starts;
        for &(s, e) in &spans {
            let class = self.matcher.classify(body.get(s..e).unwrap_or(""));
            if class != 0 {
                self.occs.push(Occ {
                    pos: 0,
                    start: s,
                    end: e,
                    class,
                });
            }
        }
        self.spans = spans;
    }

    /// Which paragraphs hold a match (matches outside every paragraph are dropped).
    fn matched_paragraphs(&self, paras: &[split::Para]) -> Vec<bool> {
        let mut matched = vec![false; paras.len()];
        let mut pi = 0;
        for o in &self.occs {
            while paras.get(pi).is_some_and(|p| p.end <= o.start) {
                pi += 1;
            }
            match paras.get(pi) {
                Some(p) if o.start >= p.start && o.end <= p.end => {
                    if let Some(m) = matched.get_mut(pi) {
                        *m = true;
                    }
                }
                Some(_) => {}
                None => break,
            }
        }
        matched
    }

    /// Cuts passage units. Positions of the matches are counted per paragraph, in the gaps
    /// between matches, up to the farthest distance phrases or proximity look at. Long
    /// paragraphs are cut into sentence windows only when they may give a passage: the
    /// few best of them by their score as a whole (all with `all`), and the first one
    /// when nothing matched (the fallback); the rest stay whole and are not shown.
    fn cut_units(&mut self, body: &str, layout: &mut Layout) {
        let paras = &layout.paragraphs;
        // Matches per paragraph, with positions.
        let mut para_occs: Vec<(usize, usize)> = Vec::with_capacity(paras.len());
        let mut oi = 0;
        for p in paras {
            while self.occs.get(oi).is_some_and(|o| o.start < p.start) {
                oi += 1;
            }
            let from = oi;
            let mut pos = 0u32;
            let mut prev_end: Option<usize> = None;
            while let Some(o) = self.occs.get_mut(oi) {
                if o.end > p.end {
                    break;
                }
                if let Some(pe) = prev_end {
                    let gap = body.get(pe..o.start).unwrap_or("");
                    pos += 1 + count_tokens(gap, self.reach).unwrap_or(self.reach + 1_000);
                }
                o.pos = pos;
                prev_end = Some(o.end);
                oi += 1;
            }
            para_occs.push((from, oi));
        }
        let max = self.opts.max_chars;
        let long = |p: &split::Para| !p.heading && p.end - p.start > max.max(40);
        // Which long paragraphs to cut.
        let mut cut = vec![false; paras.len()];
        let mut long_scores: Vec<(usize, f32)> = Vec::new();
        for (i, p) in paras.iter().enumerate() {
            let (from, to) = para_occs.get(i).copied().unwrap_or((0, 0));
            if to > from && long(p) {
                if self.opts.all {
                    cut[i] = true;
                } else {
                    let occs = self.occs.get(from..to).unwrap_or(&[]);
                    let tokens = estimate_tokens(p.start, p.end);
                    let e = self.evaluate_with(occs, tokens, Field::Body, false);
                    long_scores.push((i, e.coord * e.relevance));
                }
            }
        }
        long_scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for &(i, _) in long_scores
            .iter()
            .take(self.opts.per_article.saturating_add(2))
        {
            cut[i] = true;
        }
        // A matching heading may be shown through the paragraph after it.
        for (i, p) in paras.iter().enumerate() {
            let (from, to) = para_occs.get(i).copied().unwrap_or((0, 0));
            if p.heading && to > from {
                if let Some(c) = cut.get_mut(i + 1) {
                    *c = true;
                }
            }
        }
        if !para_occs.iter().any(|(f, t)| t > f) {
            if let Some(i) = paras.iter().position(|p| !p.heading) {
                cut[i] = true;
            }
        }
        layout.units.clear();
        self.units.clear();
        let mut sentences = Vec::new();
        for (i, p) in paras.iter().enumerate() {
            let before = layout.units.len();
            if cut[i] {
                split::units_of(body, i, *p, max, &mut sentences, &mut layout.units);
            } else {
                layout.units.push(split::Unit {
                    start: p.start,
                    end: p.end,
                    heading: p.heading,
                    para: i,
                });
            }
            let (mut oi, to) = para_occs.get(i).copied().unwrap_or((0, 0));
            for u in layout.units.iter().skip(before) {
                while oi < to && self.occs.get(oi).is_some_and(|o| o.start < u.start) {
                    oi += 1;
                }
                let from = oi;
                while oi < to && self.occs.get(oi).is_some_and(|o| o.end <= u.end) {
                    oi += 1;
                }
                self.units.push(UnitInfo {
                    tokens: estimate_tokens(u.start, u.end),
                    occ_from: from,
                    occ_to: oi,
                    shown: !long(p) || cut[i],
                });
            }
        }
    }

    fn pick(&mut self, body: &str, layout: &Layout) -> Vec<Passage> {
        let units = &layout.units;
        if units.is_empty() {
            return Vec::new();
        }
        // Evaluate every unit that has matches.
        let n = units.len();
        let mut evals: Vec<Option<Eval>> = vec![None; n];
        for (i, info) in self.units.iter().enumerate() {
            let heading = units.get(i).is_some_and(|u| u.heading);
            if info.occ_to > info.occ_from && (info.shown || heading) {
                let occs = self.occs.get(info.occ_from..info.occ_to).unwrap_or(&[]);
                let e = self.evaluate_with(occs, info.tokens, Field::Body, false);
                if e.matched_idf > 0.0 {
                    evals[i] = Some(e);
                }
            }
        }
        // A short name-shaped line right after a quotation is its attribution ("Greg
        // Sargent, Washington Post"): it closes the quoted paragraphs before it (back to
        // the previous non-quote paragraph) and heads nothing.
        let paras = &layout.paragraphs;
        let mut attribution_of_para: Vec<Option<usize>> = vec![None; paras.len()];
        let mut is_attribution = vec![false; n];
        for (i, u) in units.iter().enumerate() {
            if !u.heading || u.para == 0 {
                continue;
            }
            let text = |p: &split::Para| body.get(p.start..p.end).unwrap_or("");
            let quoted = |k: usize| {
                paras
                    .get(k)
                    .is_some_and(|p| !p.heading && split::opens_quote(text(p)))
            };
            if quoted(u.para - 1) && split::is_attribution_line(text(&paras[u.para])) {
                is_attribution[i] = true;
                let mut k = u.para;
                while k > 0 && quoted(k - 1) {
                    k -= 1;
                    attribution_of_para[k] = Some(i);
                }
            }
        }
        // A heading belongs to the paragraph right after it (scraped pages lose section
        // ends, so it is not carried further).
        let mut heading_of: Vec<Option<usize>> = vec![None; n];
        let mut current: Option<usize> = None;
        for (i, u) in units.iter().enumerate() {
            if u.heading {
                current = (!is_attribution[i]).then_some(i);
            } else if let Some(h) = current {
                if units[h].para + 1 == u.para {
                    heading_of[i] = Some(h);
                } else {
                    current = None;
                }
            }
        }
        let mut scored: Vec<(usize, f32)> = Vec::new();
        for (i, u) in units.iter().enumerate() {
            if u.heading || !self.units.get(i).is_some_and(|x| x.shown) {
                continue;
            }
            let Some(e) = &evals[i] else { continue };
            let head = heading_of[i]
                .and_then(|h| evals[h].as_ref())
                .map_or(0.0, |h| HEADING_WEIGHT * h.matched_idf);
            let score = early(u.start) * (e.coord * e.relevance + head);
            scored.push((i, score));
        }
        let text_units: Vec<usize> = (0..n).filter(|&i| !units[i].heading).collect();
        if scored.is_empty() {
            // Matches only in headings: the passage under the best-matching heading.
            let best_heading = (0..n)
                .filter(|&i| units[i].heading)
                .filter_map(|i| evals[i].as_ref().map(|e| (i, e.matched_idf)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let fallback = match best_heading {
                Some((h, idf)) => text_units
                    .iter()
                    .find(|&&i| i > h)
                    .map(|&i| (i, early(units[i].start) * HEADING_WEIGHT * idf)),
                None => None,
            };
            // No match in the text at all: the article's first passage.
            let fallback = fallback.or_else(|| text_units.first().map(|&i| (i, 0.0)));
            scored.extend(fallback);
        }
        if self.opts.all {
            scored.sort_by_key(|s| s.0);
        } else {
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(self.opts.per_article.max(1));
        }
        let ordinal_of = |i: usize| {
            let para = units[i].para;
            layout
                .paragraphs
                .iter()
                .take(para)
                .filter(|p| !p.heading)
                .count()
        };
        // Highlights only for what is shown: the chosen passages and their headings.
        for &(i, _) in &scored {
            for j in std::iter::once(i).chain(heading_of[i]) {
                if let (Some(info), Some(e)) = (self.units.get(j), evals[j].as_mut()) {
                    let occs = self.occs.get(info.occ_from..info.occ_to).unwrap_or(&[]);
                    e.highlights = self.evaluate(occs, info.tokens, Field::Body).highlights;
                }
            }
        }
        let mut out = Vec::with_capacity(scored.len());
        for (i, score) in scored {
            let u = units[i];
            let text = display(body.get(u.start..u.end).unwrap_or(""));
            let highlights = evals[i]
                .as_ref()
                .map(|e| {
                    e.highlights
                        .iter()
                        .map(|&(s, e)| (s - u.start, e - u.start))
                        .collect()
                })
                .unwrap_or_default();
            let (heading, heading_highlights) = match heading_of[i] {
                Some(h) => {
                    let hu = units[h];
                    let hl = evals[h]
                        .as_ref()
                        .map(|e| {
                            e.highlights
                                .iter()
                                .map(|&(s, e)| (s - hu.start, e - hu.start))
                                .collect()
                        })
                        .unwrap_or_default();
                    (Some(display(body.get(hu.start..hu.end).unwrap_or(""))), hl)
                }
                None => (None, Vec::new()),
            };
            let (context_before, context_after) = if self.opts.context > 0 {
                context(body, layout, u, self.opts.context, self.opts.max_chars)
            } else {
                (String::new(), String::new())
            };
            let attribution = attribution_of_para
                .get(u.para)
                .copied()
                .flatten()
                .and_then(|a| units.get(a))
                .map(|a| display(body.get(a.start..a.end).unwrap_or("")));
            out.push(Passage {
                start: u.start,
                end: u.end,
                text,
                highlights,
                score,
                ordinal: ordinal_of(i),
                heading,
                heading_highlights,
                attribution,
                context_before,
                context_after,
            });
        }
        out
    }

    /// Scores the matches of one unit (or title) and lists what to highlight.
    fn evaluate(&self, occs: &[Occ], tokens: u32, field: Field) -> Eval {
        self.evaluate_with(occs, tokens, field, true)
    }

    /// As [`Passager::evaluate`]; without `highlights` the ranges are not collected.
    fn evaluate_with(&self, occs: &[Occ], tokens: u32, field: Field, highlights_too: bool) -> Eval {
        let spec = self.spec;
        let nt = spec.terms.len();
        let np = spec.phrases.len();
        let mut scratch = self.scratch.borrow_mut();
        let EvalScratch {
            tf,
            events,
            phrase_tokens,
            best,
            path,
        } = &mut *scratch;
        tf.clear();
        tf.resize(nt + np, 0);
        events.clear();
        let mut highlights: Vec<(usize, usize)> = Vec::new();
        let mut any_phrase_token = false;
        for (oi, o) in occs.iter().enumerate() {
            for hit in self.matcher.hits(o.class) {
                match *hit {
                    Hit::Term(t) => {
                        let t = t as usize;
                        if spec.terms.get(t).is_some_and(|s| in_scope(s.scope, field)) {
                            if highlights_too {
                                highlights.push((o.start, o.end));
                            }
                            tf[t] += 1;
                            events.push((o.pos, o.pos, t));
                        }
                    }
                    Hit::Phrase { phrase, index } => {
                        let (p, i) = (phrase as usize, index as usize);
                        if !spec
                            .phrases
                            .get(p)
                            .is_some_and(|s| in_scope(s.scope, field))
                        {
                            continue;
                        }
                        if !any_phrase_token {
                            // First phrase token of this call: empty lists, allocated
                            // once per passager.
                            if phrase_tokens.is_empty() {
                                *phrase_tokens = spec
                                    .phrases
                                    .iter()
                                    .map(|ph| vec![Vec::new(); ph.tokens.len()])
                                    .collect();
                            }
                            phrase_tokens.iter_mut().flatten().for_each(Vec::clear);
                        }
                        if let Some(list) = phrase_tokens.get_mut(p).and_then(|v| v.get_mut(i)) {
                            list.push((o.pos, oi));
                            any_phrase_token = true;
                        }
                    }
                }
            }
        }
        if any_phrase_token {
            for (p, lists) in phrase_tokens.iter().enumerate() {
                let slop = spec.phrases.get(p).map_or(0, |s| s.slop);
                let Some(first) = lists.first() else { continue };
                for &(pos0, oi0) in first {
                    path.clear();
                    path.push(oi0);
                    if phrase_path(lists, 1, pos0, slop, path) {
                        for &oi in path.iter().filter(|_| highlights_too) {
                            if let Some(o) = occs.get(oi) {
                                highlights.push((o.start, o.end));
                            }
                        }
                        let last = path
                            .last()
                            .and_then(|&oi| occs.get(oi))
                            .map_or(pos0, |o| o.pos);
                        tf[nt + p] += 1;
                        events.push((pos0.min(last), pos0.max(last), nt + p));
                    }
                }
            }
        }
        highlights.sort_unstable();
        highlights.dedup();
        // Drop ranges overlapping an earlier one.
        let mut last_end = 0;
        highlights.retain(|&(s, e)| {
            let keep = s >= last_end;
            if keep {
                last_end = e;
            }
            keep
        });
        let idf = |u: usize| -> f32 {
            if u < nt {
                spec.terms.get(u).map_or(0.0, |t| t.idf)
            } else {
                spec.phrases.get(u - nt).map_or(0.0, |p| p.idf)
            }
            .max(0.01)
        };
        let len_norm = 1.0 - B + B * (tokens as f32 / self.pivot);
        let mut bm25 = 0.0;
        let mut matched_idf = 0.0;
        let mut coord_matched = 0.0;
        for (u, &f) in tf.iter().enumerate() {
            if f == 0 {
                continue;
            }
            let f = f as f32;
            bm25 += idf(u) * f * (K1 + 1.0) / (f + K1 * len_norm);
            matched_idf += idf(u);
            coord_matched += self.coord_body.get(u).copied().unwrap_or(0.0);
        }
        // Proximity: best gap per pair of distinct query units (events are sorted only
        // when there are pairs to look at: a one-word query has none).
        let mut prox = 0.0;
        let units = nt + np;
        if units > 1 && events.len() > 1 {
            events.sort_unstable();
            best.clear();
            best.resize(units * units, 0.0);
            for (i, a) in events.iter().enumerate() {
                for b in events.iter().skip(i + 1) {
                    if b.0 > a.1 + PROXIMITY_WINDOW {
                        break;
                    }
                    if a.2 == b.2 || b.0 <= a.1 {
                        continue;
                    }
                    let gap = (b.0 - a.1) as f32;
                    let (x, y) = (a.2.min(b.2), a.2.max(b.2));
                    let v = idf(x).min(idf(y)) / gap;
                    if let Some(slot) = best.get_mut(x * units + y) {
                        *slot = slot.max(v);
                    }
                }
            }
            prox = best.iter().sum();
        }
        let coord = if self.coord_body_total > 0.0 {
            (coord_matched / self.coord_body_total).powi(2)
        } else {
            0.0
        };
        Eval {
            relevance: bm25 + prox,
            coord,
            matched_idf,
            highlights,
        }
    }
}

/// Whether passage `p` of `body` (its whole lines) or its heading is a learnt boilerplate
/// line of `outlet`.
fn shows_learnt(
    view: &BoilerplateView,
    outlet: &str,
    body: &str,
    p: &Passage,
    buf: &mut String,
) -> bool {
    let from = body
        .get(..p.start)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let to = body
        .get(p.end..)
        .and_then(|b| b.find('\n'))
        .map_or(body.len(), |i| p.end + i);
    let lines = body.get(from..to).unwrap_or("");
    lines
        .split('\n')
        .any(|line| view.is_learnt_with(outlet, line, buf))
        || p.heading
            .as_deref()
            .is_some_and(|h| view.is_learnt_with(outlet, h, buf))
}

/// Finds a continuation of a phrase from token `i` on: the next token within the
/// remaining slop (positions may also come before, as tantivy allows with slop).
fn phrase_path(
    lists: &[Vec<(u32, usize)>],
    i: usize,
    prev: u32,
    slop: u32,
    path: &mut Vec<usize>,
) -> bool {
    let Some(list) = lists.get(i) else {
        return true;
    };
    let want = prev + 1;
    for &(pos, oi) in list {
        let cost = pos.abs_diff(want);
        if cost > slop || path.contains(&oi) {
            continue;
        }
        path.push(oi);
        if phrase_path(lists, i + 1, pos, slop - cost, path) {
            return true;
        }
        path.pop();
    }
    false
}

/// A passage's length in tokens, estimated from its bytes.
fn estimate_tokens(start: usize, end: usize) -> u32 {
    let len = end.saturating_sub(start);
    // ⌈len / 5.5⌉ = ⌈2·len / 11⌉ in integers: `f32::ceil` is a libm call on x86-64 without
    // SSE4.1, made for every unit. The float quotient of a length below 2^22 is never
    // rounded onto or across an integer (it is at least 1/11 from one, or one exactly),
    // so both give the same; longer ranges keep the float formula.
    if len < 1 << 22 {
        (2 * len).div_ceil(11) as u32
    } else {
        estimate_tokens_by_float(len)
    }
}

/// [`estimate_tokens`] as the float formula says it (the reference, and for long ranges).
fn estimate_tokens_by_float(len: usize) -> u32 {
    (len as f32 / BYTES_PER_TOKEN).ceil() as u32
}

/// Tokens in `text`, or `None` once there are more than `limit`.
fn count_tokens(text: &str, limit: u32) -> Option<u32> {
    // ASCII (most gaps between matches): a token starts at a letter or digit after
    // anything else. Sixteen bytes at a time as bit masks, the starts counted with a
    // popcount (a byte loop, even without a branch per byte, was a fifth of cutting
    // units); a chunk with a non-ASCII byte sends the whole gap to the char path.
    let mut n = 0u32;
    // 1 when the byte before the chunk is a letter or digit.
    let mut carry = 0u32;
    for chunk in text.as_bytes().chunks(16) {
        let mut b = [0u8; 16];
        // The last chunk padded with zeros (neither letters nor digits).
        if let Some(to) = b.get_mut(..chunk.len()) {
            to.copy_from_slice(chunk);
        }
        let (alnum, high) = matcher::alnum_bits(&b);
        if high != 0 {
            return count_tokens_by_char(text, limit);
        }
        n += (alnum & !((alnum << 1) | carry)).count_ones();
        if n > limit {
            return None;
        }
        carry = (alnum >> 15) & 1;
    }
    Some(n)
}

/// [`count_tokens`] for any text, token by token.
fn count_tokens_by_char(text: &str, limit: u32) -> Option<u32> {
    let mut n = 0;
    for _ in Tokens::new(text) {
        n += 1;
        if n > limit {
            return None;
        }
    }
    Some(n)
}

fn early(start: usize) -> f32 {
    1.0 + EARLY_BOOST / (1.0 + start as f32 / 1000.0)
}

/// Passage text for display: line breaks and tabs become spaces (byte length unchanged,
/// so highlight offsets stay valid).
fn display(s: &str) -> String {
    // The three are ASCII, so they are found as bytes and the text in between is copied
    // whole (char by char, this was a tenth of the passage work).
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    for at in memchr::memchr3_iter(b'\n', b'\r', b'\t', s.as_bytes()) {
        out.push_str(s.get(from..at).unwrap_or(""));
        out.push(' ');
        from = at + 1;
    }
    out.push_str(s.get(from..).unwrap_or(""));
    out
}

/// Up to `n` sentences before and after unit `u`, from its paragraph and the paragraphs
/// around it (headings and boilerplate left out).
fn context(body: &str, layout: &Layout, u: split::Unit, n: usize, max: usize) -> (String, String) {
    let text_paras: Vec<usize> = {
        let mut v: Vec<usize> = layout
            .units
            .iter()
            .filter(|x| !x.heading)
            .map(|x| x.para)
            .collect();
        v.dedup();
        v
    };
    let sentences_of = |para: usize| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if let Some(p) = layout.paragraphs.get(para) {
            split::split_sentences(body, p.start, p.end, max, &mut out);
        }
        out
    };
    let here = text_paras.iter().position(|&p| p == u.para);
    let mut before: Vec<(usize, usize)> = Vec::new();
    let mut after: Vec<(usize, usize)> = Vec::new();
    if let Some(k) = here {
        for &p in text_paras[..=k].iter().rev() {
            let mut s = sentences_of(p);
            s.retain(|x| x.1 <= u.start);
            for x in s.into_iter().rev() {
                if before.len() < n {
                    before.push(x);
                }
            }
            if before.len() >= n {
                break;
            }
        }
        for &p in text_paras.iter().skip(k) {
            let mut s = sentences_of(p);
            s.retain(|x| x.0 >= u.end);
            for x in s {
                if after.len() < n {
                    after.push(x);
                }
            }
            if after.len() >= n {
                break;
            }
        }
    }
    before.reverse();
    let join = |v: &[(usize, usize)]| -> String {
        v.iter()
            .map(|&(s, e)| display(body.get(s..e).unwrap_or("")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (join(&before), join(&after))
}

#[cfg(test)]
mod tests;
