//! Boilerplate: lines that are not the article's own text (navigation, related-article trailers, player notices, "Source link"), learnt from repetition and a few built-in cues.
//!
//! How it decides, line by line (a line is a `\n`-separated piece of the body):
//! - Built-in cues for a single article: stock lines ("Source link", "Advertisement",
//!   "Issued on: <date>", "More on <topic>", "Read more: <headline>", browser and video
//!   player notices), and a trailer: a short "Articles You May Like" / "Related" /
//!   "Read more" line followed only by headline-like lines up to the end of the article.
//! - Repetition: every article's short lines (at most [`MAX_LINE`] bytes) are counted per
//!   outlet and corpus-wide, as normalised hashes (case, digits and punctuation ignored, so
//!   "Issued on: 07/01/2022" and "Issued on: 08/01/2022" are one line). A line is learnt
//!   when it recurs in enough of one outlet's articles (labels: 3 and 1% of the outlet;
//!   sentences: 4 and 3%), or, for label-like lines only, in 5 articles of 3 outlets.
//!   Sentences are never learnt corpus-wide: a wire story's lines recur across outlets and
//!   are content.
//! - A guard for near-duplicate articles: when learnt sentences would remove more than 40%
//!   of an article, only its label-like lines go (a story published three times is not
//!   boilerplate of itself).
//!
//! Counting and forgetting: the indexer observes each article's raw text before stripping
//! it and stores the hashes of the lines it stripped with the article, so that deleting or
//! rewriting an article forgets exactly what it added (the stored text gives the kept
//! lines, the stored hashes the stripped ones), and the whole model can be rebuilt from the
//! index after a crash. Counts are bounded: past [`CAPACITY`] entries the rarest (lines
//! seen once) are dropped, as lossy counting does; boilerplate recurs and survives.
//! Consulting it costs one normalise-and-hash per short line and two hash lookups.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::passages::split::{unpunctuated, word_count};

/// Longer lines are never boilerplate candidates (they are paragraphs of text).
pub const MAX_LINE: usize = 240;
/// Most (line, outlet) counts kept in memory; beyond it singletons are dropped.
pub const CAPACITY: usize = 1 << 20;
/// Beyond this many entries, lines seen once are not saved.
const PERSIST_SINGLETONS_UP_TO: usize = 300_000;
/// Label-like lines: at most this many words and no sentence punctuation at the end.
const LABEL_MAX_WORDS: usize = 12;
/// Headline-like lines in a trailer: at most this many words, not ending with a period.
const HEADLINE_MAX_WORDS: usize = 25;
/// Share of an article that learnt sentences may remove before the duplicate guard acts.
const GUARD_SHARE: f64 = 0.4;

#[derive(Debug, Clone, Copy, Default)]
struct LineStat {
    articles: u32,
    outlets: u32,
}

/// The learnt model (counts), saved beside the index as `boilerplate.json`.
#[derive(Debug, Default, Clone)]
pub struct Boilerplate {
    outlet_ids: HashMap<String, u32>,
    /// Per outlet id: name and number of articles observed.
    outlets: Vec<(String, u32)>,
    articles: u64,
    per_outlet: HashMap<(u64, u32), u32>,
    per_line: HashMap<u64, LineStat>,
}

/// An article's text with its boilerplate removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    pub body: String,
    /// Hashes of the counted lines that were removed (store them with the article).
    pub removed: Vec<u64>,
}

/// What search needs to hide boilerplate: the learnt lines only, small.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BoilerplateView {
    outlets: HashMap<String, HashSet<u64>>,
    corpus: HashSet<u64>,
}

/// Normalises a line into `buf` (lowercase letters, one `0` per run of digits, single
/// spaces, punctuation dropped) and hashes it; the lowest bit says "label-like". `None`
/// for lines too long or with nothing left.
pub fn line_key(line: &str, buf: &mut String) -> Option<u64> {
    let line = line.trim();
    if line.is_empty() || line.len() > MAX_LINE {
        return None;
    }
    let words = normalise(line, buf);
    if buf.is_empty() {
        return None;
    }
    let label = words <= LABEL_MAX_WORDS && unpunctuated(line);
    Some((xxh3_64(buf.as_bytes()) & !1) | u64::from(label))
}

/// Writes the normalised form of `line` into `buf`; returns the line's word count
/// (whitespace-separated runs). ASCII goes byte by byte without decoding.
fn normalise(line: &str, buf: &mut String) -> usize {
    buf.clear();
    if line.is_ascii() {
        normalise_ascii(line.as_bytes(), buf)
    } else {
        normalise_chars(line, buf)
    }
}

/// One line's normalisation in progress, shared by the char and the byte path so that the
/// two cannot drift apart.
struct Normaliser<'a> {
    buf: &'a mut String,
    /// The last byte written (`b'a'` for a non-ASCII letter), or a space at the start.
    last: u8,
    words: usize,
    in_word: bool,
}

impl<'a> Normaliser<'a> {
    fn new(buf: &'a mut String) -> Self {
        Normaliser {
            buf,
            last: b' ',
            words: 0,
            in_word: false,
        }
    }

    /// Whitespace: one space between words.
    fn space(&mut self) {
        self.in_word = false;
        if self.last != b' ' {
            self.buf.push(' ');
            self.last = b' ';
        }
    }

    /// Any other character: counts a word where one starts.
    fn word_char(&mut self) {
        if !self.in_word {
            self.words += 1;
            self.in_word = true;
        }
    }

    /// A digit: runs of digits become one `0`.
    fn digit(&mut self) {
        if self.last != b'0' {
            self.buf.push('0');
            self.last = b'0';
        }
    }

    /// A non-whitespace ASCII byte: letters lowercased, digits folded, the rest dropped.
    fn ascii(&mut self, b: u8) {
        self.word_char();
        if b.is_ascii_alphabetic() {
            let l = b.to_ascii_lowercase();
            self.buf.push(char::from(l));
            self.last = l;
        } else if b.is_ascii_digit() {
            self.digit();
        }
    }

    /// The word count, with the trailing space dropped.
    fn finish(self) -> usize {
        while self.buf.ends_with(' ') {
            self.buf.pop();
        }
        self.words
    }
}

/// [`normalise`] char by char, for any text.
fn normalise_chars(line: &str, buf: &mut String) -> usize {
    let mut n = Normaliser::new(buf);
    for c in line.chars() {
        if c.is_whitespace() {
            n.space();
        } else if c.is_ascii() {
            n.ascii(c as u8);
        } else {
            n.word_char();
            if c.is_alphabetic() {
                if c.is_uppercase() {
                    n.buf.extend(c.to_lowercase());
                } else {
                    n.buf.push(c);
                }
                n.last = b'a';
            } else if c.is_numeric() {
                n.digit();
            }
        }
    }
    n.finish()
}

/// [`normalise`] for an all-ASCII line (most of them): the same steps on bytes, without
/// decoding chars nor testing Unicode classes (search checks the lines of every passage
/// it shows against the learnt ones).
fn normalise_ascii(line: &[u8], buf: &mut String) -> usize {
    let mut n = Normaliser::new(buf);
    let byte = |n: &mut Normaliser, b: u8| {
        // `char::is_whitespace` for ASCII: space, tab, line feed, vertical tab, form
        // feed, carriage return.
        if b == b' ' || (b'\t'..=b'\r').contains(&b) {
            n.space();
        } else {
            n.ascii(b);
        }
    };
    let mut chunks = line.chunks_exact(16);
    for chunk in &mut chunks {
        let Ok(chunk) = <&[u8; 16]>::try_from(chunk) else {
            continue;
        };
        // Sixteen bytes of letters and single spaces (most of a line's text between
        // punctuation) normalise to themselves lowercased: taken whole, a byte at a time
        // they were most of the check of a passage's lines.
        if let Some((lowered, starts)) = plain_words(chunk, n.last == b' ', n.in_word) {
            // Letters and spaces: always UTF-8.
            if let Ok(text) = std::str::from_utf8(&lowered) {
                n.buf.push_str(text);
                n.words += starts as usize;
                n.in_word = lowered[15] != b' ';
                n.last = lowered[15];
                continue;
            }
        }
        chunk.iter().for_each(|&b| byte(&mut n, b));
    }
    chunks.remainder().iter().for_each(|&b| byte(&mut n, b));
    n.finish()
}

/// When `chunk` is only ASCII letters and spaces, no two spaces together and no space
/// first after a space (`after_space`): the chunk lowercased, and how many words start in
/// it (`in_word`: the byte before it is part of a word).
fn plain_words(chunk: &[u8; 16], after_space: bool, in_word: bool) -> Option<([u8; 16], u32)> {
    let (letters, spaces) = letter_space_bits(chunk);
    if letters | spaces != 0xFFFF || spaces & (spaces << 1) != 0 || (after_space && spaces & 1 == 1)
    {
        return None;
    }
    let starts = letters & !((letters << 1) | u32::from(in_word));
    // A space is 0x20 already: ORing it in lowercases the letters only.
    Some((chunk.map(|b| b | 0x20), starts.count_ones()))
}

/// Bits of the ASCII letters and of the spaces (' ' only) of a chunk.
#[cfg(target_arch = "x86_64")]
#[inline]
fn letter_space_bits(b: &[u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it), and the one load
    // reads the sixteen bytes of `b`, unaligned loads being allowed.
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
        let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        // 'a'..='z' as a signed compare once 'a' is shifted to -128.
        let shifted = _mm_add_epi8(lower, _mm_set1_epi8(0x80u8.wrapping_sub(b'a') as i8));
        let letter = _mm_cmplt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(26) as i8));
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
        (
            _mm_movemask_epi8(letter) as u32,
            _mm_movemask_epi8(space) as u32,
        )
    }
}

/// [`letter_space_bits`] byte by byte (other targets, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn letter_space_bits_scalar(b: &[u8; 16]) -> (u32, u32) {
    b.iter().enumerate().fold((0, 0), |(l, s), (i, &c)| {
        (
            l | u32::from(c.is_ascii_alphabetic()) << i,
            s | u32::from(c == b' ') << i,
        )
    })
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn letter_space_bits(b: &[u8; 16]) -> (u32, u32) {
    letter_space_bits_scalar(b)
}

fn is_label(key: u64) -> bool {
    key & 1 == 1
}

/// Stock lines any outlet's scraper leaves behind (normalised form).
fn builtin_line(norm: &str, words: usize) -> bool {
    const EXACT: &[&str] = &[
        "source link",
        "source",
        "advertisement",
        "advertisment",
        "skip advertisement",
        "story continues below advertisement",
        "continue reading",
        "continue reading below",
        "scroll to continue",
        "share this article",
        "share this story",
        "share this",
        "share",
        "sponsored",
        "sponsored content",
        "paid content",
        "related",
        "related articles",
        "related stories",
        "related content",
        "see also",
        "read more",
        "more on this story",
        "image copyright",
        "image caption",
        "media caption",
        "close",
    ];
    const PREFIX_SHORT: &[&str] = &[
        "issued on",
        "published on",
        "updated on",
        "last updated",
        "first published",
        "modified on",
    ];
    const PREFIX_LINK: &[&str] = &[
        "read more ",
        "read also ",
        "also read ",
        "related ",
        "see also ",
        "click here",
        "sign up for",
        "sign up to",
        "subscribe to",
        "follow us on",
        "download our app",
        "download the app",
    ];
    if EXACT.contains(&norm) {
        return true;
    }
    // Date stamps: the prefix and nothing but numbers and month names after it.
    if words <= 10 && PREFIX_SHORT.iter().any(|p| norm.starts_with(p)) {
        return true;
    }
    if words <= 20 && PREFIX_LINK.iter().any(|p| norm.starts_with(p)) {
        return true;
    }
    // "More on Kazakhstan": a related-links heading.
    if words <= 5 && (norm.starts_with("more on ") || norm.starts_with("more from ")) {
        return true;
    }
    if words <= 20
        && (norm.contains("browser") || norm.contains("javascript"))
        && ["video", "player", "support", "upgrade", "enable", "update"]
            .iter()
            .any(|w| norm.contains(w))
    {
        return true;
    }
    false
}

/// Lines that open a trailer of related headlines at the end of an article.
fn trailer_cue(norm: &str, words: usize) -> bool {
    const CUES: &[&str] = &[
        "articles you may like",
        "you may also like",
        "you might also like",
        "you may be interested in",
        "related",
        "related articles",
        "related stories",
        "related coverage",
        "related news",
        "related content",
        "read more",
        "read next",
        "what to read next",
        "also read",
        "more stories",
        "more news",
        "more top stories",
        "top stories",
        "latest news",
        "latest stories",
        "recommended",
        "recommended for you",
        "most read",
        "most popular",
        "popular stories",
        "trending",
        "trending now",
        "don t miss",
        "dont miss",
        "more on this story",
    ];
    words <= 6
        && (CUES.contains(&norm)
            || norm.starts_with("more from ")
            || norm.starts_with("more on ")
            || norm.starts_with("more stories from "))
}

fn headline_like(line: &str) -> bool {
    let t = line
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '”' | '’'));
    word_count(t) <= HEADLINE_MAX_WORDS && !t.ends_with('.') && !t.ends_with(':')
}

/// One line of a body, as the strip planner sees it.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    key: Option<u64>,
    remove: bool,
}

/// Byte ranges of the `\n`-separated lines of `body` (without the `\n`).
fn raw_lines(body: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = body.get(at..)?;
        let (s, e) = match rest.find('\n') {
            Some(i) => (at, at + i),
            None => {
                done = true;
                (at, body.len())
            }
        };
        at = e + 1;
        Some((s, e))
    })
}

/// Decides which lines of `body` are boilerplate, given what is learnt.
fn plan(body: &str, learnt: &dyn Fn(u64) -> bool) -> Vec<Line> {
    let mut buf = String::new();
    let mut lines: Vec<Line> = Vec::new();
    let mut total = 0usize;
    let mut learnt_sentences = 0usize;
    let mut sentence_marks: Vec<usize> = Vec::new();
    for (s, e) in raw_lines(body) {
        let text = body.get(s..e).unwrap_or("").trim();
        if text.is_empty() {
            lines.push(Line {
                start: s,
                end: e,
                key: None,
                remove: false,
            });
            continue;
        }
        total += text.len();
        let key = line_key(text, &mut buf);
        let mut remove = false;
        if let Some(k) = key {
            if builtin_line(&buf, buf.split(' ').count()) {
                remove = true;
            } else if learnt(k) {
                remove = true;
                if !is_label(k) {
                    learnt_sentences += text.len();
                    sentence_marks.push(lines.len());
                }
            }
        }
        lines.push(Line {
            start: s,
            end: e,
            key,
            remove,
        });
    }
    if total > 0 && learnt_sentences as f64 > GUARD_SHARE * total as f64 {
        for i in sentence_marks {
            if let Some(l) = lines.get_mut(i) {
                l.remove = false;
            }
        }
    }
    // Trailer: the earliest cue after which every line is headline-like.
    let mut trailer_from: Option<usize> = None;
    let mut seen = 0;
    for i in (0..lines.len()).rev() {
        let Some(l) = lines.get(i) else { continue };
        let text = body.get(l.start..l.end).unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        seen += 1;
        if seen > 60 || text.len() > MAX_LINE {
            break;
        }
        let words = normalise(text, &mut buf);
        if trailer_cue(&buf, words) {
            trailer_from = Some(i);
        } else if !(l.remove || headline_like(text)) {
            break;
        }
    }
    if let Some(from) = trailer_from {
        for l in lines.iter_mut().skip(from) {
            l.remove = true;
        }
    }
    lines
}

/// The kept lines joined back, blank lines between paragraphs kept (runs collapsed).
fn rebuild(body: &str, lines: &[Line]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut pending_blank = false;
    for l in lines {
        let text = body.get(l.start..l.end).unwrap_or("");
        if l.remove {
            continue;
        }
        if text.trim().is_empty() {
            pending_blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if pending_blank { "\n\n" } else { "\n" });
        }
        out.push_str(text.trim_end_matches('\r'));
        pending_blank = false;
    }
    out
}

/// A byline, speaker label or quote attribution: two to four words starting with a given
/// name, optionally followed by ", <outlet>" ("David Jackson", "michael barbaro", "Kyle
/// Smith, National Review"). These recur because people do, and say who said what: never
/// counted, so never learnt.
fn person_label(line: &str) -> bool {
    let name = line.split(',').next().unwrap_or("").trim();
    let mut words = name.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let rest: Vec<&str> = words.collect();
    (1..=3).contains(&rest.len())
        && std::iter::once(first).chain(rest.iter().copied()).all(|w| {
            w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
        })
        && crate::entities::is_given_name(first)
}

/// The counted line keys of a text (person labels left out).
fn keys_of(body: &str, buf: &mut String, out: &mut Vec<u64>) {
    for (s, e) in raw_lines(body) {
        let line = body.get(s..e).unwrap_or("");
        if let Some(k) = line_key(line, buf) {
            if !(is_label(k) && person_label(line.trim())) {
                out.push(k);
            }
        }
    }
}

/// The counted line keys of one article's raw text: the part of [`Boilerplate::observe`]
/// that needs no model, so the indexer can compute it on all cores.
pub fn article_keys(body: &str) -> Vec<u64> {
    let mut buf = String::new();
    let mut keys = Vec::new();
    keys_of(body, &mut buf, &mut keys);
    keys
}

/// Packs stripped-line hashes for the article's stored field.
pub fn encode_keys(keys: &[u64]) -> Vec<u8> {
    keys.iter().flat_map(|k| k.to_le_bytes()).collect()
}

pub fn decode_keys(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            u64::from_le_bytes(a)
        })
        .collect()
}

impl Boilerplate {
    pub fn new() -> Self {
        Boilerplate::default()
    }

    /// Articles observed (and not forgotten).
    pub fn articles(&self) -> u64 {
        self.articles
    }

    fn outlet_id(&mut self, outlet: &str) -> u32 {
        if let Some(&id) = self.outlet_ids.get(outlet) {
            return id;
        }
        let id = self.outlets.len() as u32;
        self.outlets.push((outlet.to_string(), 0));
        self.outlet_ids.insert(outlet.to_string(), id);
        id
    }

    /// Adds (`delta` 1) or removes (`delta` -1) one article's distinct line keys.
    fn apply(&mut self, outlet: &str, keys: &mut Vec<u64>, delta: i64) {
        keys.sort_unstable();
        keys.dedup();
        let o = self.outlet_id(outlet);
        if let Some(st) = self.outlets.get_mut(o as usize) {
            st.1 = (i64::from(st.1) + delta).max(0) as u32;
        }
        self.articles = (self.articles as i64 + delta).max(0) as u64;
        for &k in keys.iter() {
            if delta > 0 {
                let c = self.per_outlet.entry((k, o)).or_insert(0);
                *c += 1;
                let ls = self.per_line.entry(k).or_default();
                ls.articles += 1;
                if *c == 1 {
                    ls.outlets += 1;
                }
            } else if let Some(c) = self.per_outlet.get_mut(&(k, o)) {
                *c -= 1;
                let gone = *c == 0;
                if gone {
                    self.per_outlet.remove(&(k, o));
                }
                if let Some(ls) = self.per_line.get_mut(&k) {
                    ls.articles = ls.articles.saturating_sub(1);
                    if gone {
                        ls.outlets = ls.outlets.saturating_sub(1);
                    }
                    if ls.articles == 0 {
                        self.per_line.remove(&k);
                    }
                }
            }
        }
        if self.per_outlet.len() > CAPACITY {
            self.prune(CAPACITY * 3 / 4);
        }
    }

    /// Drops the rarest counts until at most `target` remain.
    fn prune(&mut self, target: usize) {
        let mut floor = 1;
        while self.per_outlet.len() > target && floor < u32::MAX {
            let per_line = &mut self.per_line;
            self.per_outlet.retain(|&(k, _), c| {
                if *c > floor {
                    return true;
                }
                if let Some(ls) = per_line.get_mut(&k) {
                    ls.articles = ls.articles.saturating_sub(*c);
                    ls.outlets = ls.outlets.saturating_sub(1);
                    if ls.articles == 0 {
                        per_line.remove(&k);
                    }
                }
                false
            });
            floor = floor.saturating_mul(2);
        }
    }

    /// Counts the lines of one article's raw text (before [`Boilerplate::strip`]).
    pub fn observe(&mut self, outlet: &str, body: &str) {
        self.observe_keys(outlet, article_keys(body));
    }

    /// Counts one article given its [`article_keys`] (computed in parallel beforehand).
    pub fn observe_keys(&mut self, outlet: &str, mut keys: Vec<u64>) {
        self.apply(outlet, &mut keys, 1);
    }

    /// Counts an article as stored in the index: its stored (stripped) text and the hashes
    /// of the lines stripped from it. Used to rebuild the model from the index.
    pub fn observe_stored(&mut self, outlet: &str, stored_body: &str, removed: &[u64]) {
        let mut buf = String::new();
        let mut keys = removed.to_vec();
        keys_of(stored_body, &mut buf, &mut keys);
        self.apply(outlet, &mut keys, 1);
    }

    /// Forgets an article that leaves the index (deleted or about to be rewritten), from
    /// its stored text and stored stripped-line hashes.
    pub fn forget(&mut self, outlet: &str, stored_body: &str, removed: &[u64]) {
        let mut buf = String::new();
        let mut keys = removed.to_vec();
        keys_of(stored_body, &mut buf, &mut keys);
        self.apply(outlet, &mut keys, -1);
    }

    /// The per-outlet rule: the line recurs in enough of the outlet's articles.
    fn learnt_for_outlet(&self, key: u64, o: u32) -> bool {
        let c = self.per_outlet.get(&(key, o)).copied().unwrap_or(0);
        let n = self.outlets.get(o as usize).map_or(0, |s| s.1);
        let (min, share) = if is_label(key) { (3, 0.01) } else { (4, 0.03) };
        let need = (min as f64).max((share * n as f64).ceil()) as u32;
        c >= need
    }

    /// The corpus rule, for label-like lines only: 5 articles of 3 outlets.
    fn learnt_corpus_wide(&self, key: u64) -> bool {
        is_label(key)
            && self
                .per_line
                .get(&key)
                .is_some_and(|ls| ls.outlets >= 3 && ls.articles >= 5)
    }

    fn learnt_in(&self, key: u64, outlet: Option<u32>) -> bool {
        outlet.is_some_and(|o| self.learnt_for_outlet(key, o)) || self.learnt_corpus_wide(key)
    }

    /// Whether one line (alone, without its article around it) is boilerplate for `outlet`.
    pub fn is_boilerplate(&self, outlet: &str, line: &str) -> bool {
        let mut buf = String::new();
        let Some(k) = line_key(line, &mut buf) else {
            return false;
        };
        builtin_line(&buf, word_count(line.trim()))
            || self.learnt_in(k, self.outlet_ids.get(outlet).copied())
    }

    /// The article's text without its boilerplate lines.
    pub fn strip(&self, outlet: &str, body: &str) -> Stripped {
        let o = self.outlet_ids.get(outlet).copied();
        let lines = plan(body, &|k| self.learnt_in(k, o));
        let mut removed: Vec<u64> = lines
            .iter()
            .filter(|l| l.remove)
            .filter_map(|l| l.key)
            .collect();
        removed.sort_unstable();
        removed.dedup();
        if !lines.iter().any(|l| l.remove) {
            return Stripped {
                body: body.to_string(),
                removed,
            };
        }
        Stripped {
            body: rebuild(body, &lines),
            removed,
        }
    }

    /// The learnt lines, for search to hide them in articles indexed before they were
    /// learnt.
    pub fn view(&self) -> BoilerplateView {
        let mut v = BoilerplateView::default();
        for &(k, o) in self.per_outlet.keys() {
            if self.learnt_for_outlet(k, o) && !self.learnt_corpus_wide(k) {
                if let Some((name, _)) = self.outlets.get(o as usize) {
                    v.outlets.entry(name.clone()).or_default().insert(k);
                }
            }
        }
        for &k in self.per_line.keys() {
            if self.learnt_corpus_wide(k) {
                v.corpus.insert(k);
            }
        }
        v
    }
}

impl BoilerplateView {
    /// True when the view knows nothing (search can skip the per-line work).
    pub fn is_empty(&self) -> bool {
        self.outlets.is_empty() && self.corpus.is_empty()
    }

    fn learnt(&self, outlet: &str, k: u64) -> bool {
        self.corpus.contains(&k) || self.outlets.get(outlet).is_some_and(|s| s.contains(&k))
    }

    /// Whether one line is a learnt boilerplate line of `outlet` (no built-in cues).
    pub fn is_learnt(&self, outlet: &str, line: &str) -> bool {
        self.is_learnt_with(outlet, line, &mut String::new())
    }

    /// [`BoilerplateView::is_learnt`] with a normalisation buffer kept by the caller: search
    /// asks about every line of every passage it shows, and growing a new buffer for each
    /// was a sixth of the check.
    pub fn is_learnt_with(&self, outlet: &str, line: &str, buf: &mut String) -> bool {
        line_key(line, buf).is_some_and(|k| self.learnt(outlet, k))
    }
    /// Start offsets of the lines of `body` to hide: learnt lines, with the duplicate
    /// guard as [`Boilerplate::strip`] applies it. Built-in cues and trailers were already
    /// stripped at index time, so search does not look for them again.
    pub fn hidden_lines(&self, outlet: &str, body: &str) -> Vec<usize> {
        let mut buf = String::new();
        let outlet_set = self.outlets.get(outlet);
        let mut out = Vec::new();
        let mut total = 0usize;
        let mut sentences = 0usize;
        let mut labels_only = Vec::new();
        for (s, e) in raw_lines(body) {
            let text = body.get(s..e).unwrap_or("").trim();
            total += text.len();
            let Some(k) = line_key(text, &mut buf) else {
                continue;
            };
            if self.corpus.contains(&k) || outlet_set.is_some_and(|o| o.contains(&k)) {
                out.push(s);
                if is_label(k) {
                    labels_only.push(s);
                } else {
                    sentences += text.len();
                }
            }
        }
        if total > 0 && sentences as f64 > GUARD_SHARE * total as f64 {
            return labels_only;
        }
        out
    }
}

/// The saved form: outlet table and counts; the per-line totals are derived on load.
#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    articles: u64,
    /// (outlet, articles)
    outlets: Vec<(String, u32)>,
    /// (line key, outlet index, articles)
    counts: Vec<(u64, u32, u32)>,
}

impl Serialize for Boilerplate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let keep_singletons = self.per_outlet.len() <= PERSIST_SINGLETONS_UP_TO;
        let mut counts: Vec<(u64, u32, u32)> = self
            .per_outlet
            .iter()
            .filter(|(_, &c)| keep_singletons || c > 1)
            .map(|(&(k, o), &c)| (k, o, c))
            .collect();
        counts.sort_unstable();
        Saved {
            version: 1,
            articles: self.articles,
            outlets: self.outlets.clone(),
            counts,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Boilerplate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved = Saved::deserialize(d)?;
        let mut b = Boilerplate {
            articles: saved.articles,
            ..Default::default()
        };
        for (i, (name, n)) in saved.outlets.into_iter().enumerate() {
            b.outlet_ids.insert(name.clone(), i as u32);
            b.outlets.push((name, n));
        }
        let n_outlets = b.outlets.len() as u32;
        for (k, o, c) in saved.counts {
            if o >= n_outlets || c == 0 {
                continue;
            }
            b.per_outlet.insert((k, o), c);
            let ls = b.per_line.entry(k).or_default();
            ls.articles += c;
            ls.outlets += 1;
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The byte path of `normalise` is the char path on ASCII lines (control chars,
        /// digits runs and punctuation included).
        #[test]
        fn ascii_normalise_is_the_char_one(line in "[ -~\t\n\x0b\x0c\r\x00-\x1f]{0,60}") {
            let (mut a, mut b) = (String::new(), String::new());
            let words = normalise_ascii(line.as_bytes(), &mut a);
            proptest::prop_assert_eq!(words, normalise_chars(&line, &mut b));
            proptest::prop_assert_eq!(a, b);
        }
    }

    proptest::proptest! {
        /// Lines of words, spaces and some punctuation (so that whole chunks of letters
        /// and single spaces turn up) normalise as the char path does.
        #[test]
        fn plain_chunks_normalise_as_the_char_path(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "word", "Words", "a", "B", " ", "  ", ",", ".", "\t", "3", "42", "’",
                    "Issued on", " the ", "x",
                ]),
                0..40,
            )
        ) {
            let line: String = parts.concat();
            let (mut a, mut b) = (String::new(), String::new());
            let words = normalise(&line, &mut a);
            proptest::prop_assert_eq!(words, normalise_chars(&line, &mut b));
            proptest::prop_assert_eq!(a, b);
        }

        /// The SSE2 letter and space bits are the byte-by-byte ones.
        #[test]
        fn letter_space_bits_agree_with_the_byte_test(
            b in proptest::array::uniform16(proptest::num::u8::ANY)
        ) {
            proptest::prop_assert_eq!(letter_space_bits(&b), letter_space_bits_scalar(&b));
        }
    }

    const TRAILER: &str = "Articles You May Like\n\nTesla increases Model S and Model X prices\n\
        Trump says Taiwan should pay the U.S. for defense; shares of chip giant TSMC fall\n\
        King’s Speech: What are Labour’s key plans?";

    const WORDS: &[&str] = &[
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima",
    ];

    fn article(i: usize, with_trailer: bool) -> String {
        let w = WORDS[i % WORDS.len()];
        let mut s = format!(
            "Story about {w} begins with its own words.\n\n\
             Please use Chrome browser for a more accessible video player\n\n\
             The second paragraph about {w} has a quote: “we are {w}.”\n\n\
             Follow the Daily Courier on social media for updates\n\n"
        );
        if with_trailer {
            s.push_str("Courier Plus: the best of the week\n\n");
        }
        s.push_str(&format!("Last words about {w}."));
        s
    }

    #[test]
    fn single_article_cues() {
        let b = Boilerplate::new();
        let body = format!(
            "Issued on: 07/01/2022 - 10:15\n\nReal text of the article.\n\nMore on Kazakhstan\n\n\
             Around 2,500 peacekeepers are being sent.\n\nThe chant was heard.\n\n{TRAILER}"
        );
        let s = b.strip("Sky News", &body);
        assert_eq!(
            s.body,
            "Real text of the article.\n\nAround 2,500 peacekeepers are being sent.\n\n\
             The chant was heard."
        );
        assert!(!s.removed.is_empty());
        // A "Related" line in the middle, followed by real paragraphs, is only a line.
        let body = "Start.\n\nRelated\n\nThe protests spread to Almaty on Tuesday, when \
                    thousands marched through the streets.\n\nEnd.";
        assert_eq!(
            b.strip("X", body).body,
            "Start.\n\nThe protests spread to Almaty on Tuesday, when thousands marched \
             through the streets.\n\nEnd."
        );
        assert!(b.is_boilerplate("X", "Source link"));
        assert!(b.is_boilerplate(
            "X",
            "Please use Chrome browser for a more accessible video player"
        ));
        assert!(!b.is_boilerplate("X", "The browser war is over, says the court."));
    }

    #[test]
    fn repeated_lines_are_learnt_stripped_and_forgotten() {
        let mut b = Boilerplate::new();
        let mut stored: Vec<(String, Vec<u64>)> = Vec::new();
        for i in 0..8 {
            let body = article(i, true);
            b.observe("Courier", &body);
            let s = b.strip("Courier", &body);
            stored.push((s.body, s.removed));
        }
        // From the third article on, the repeated lines are gone; content stays.
        let (last, removed) = stored.last().unwrap();
        assert!(!last.contains("Follow the Daily Courier"), "{last}");
        assert!(!last.contains("Courier Plus"), "{last}");
        assert!(last.contains("Story about hotel begins"));
        assert!(last.contains("“we are hotel.”"));
        assert!(last.contains("Last words about hotel."), "{last}");
        assert!(!removed.is_empty());
        // Another outlet does not inherit the Courier's lines.
        let other = b.strip("Gazette", &article(99, true));
        assert!(other.body.contains("Follow the Daily Courier"));
        // The view hides the learnt lines in the first articles, indexed before.
        let view = b.view();
        let (first, _) = &stored[0];
        assert!(first.contains("Follow the Daily Courier"));
        let hidden = view.hidden_lines("Courier", first);
        let hidden_text: Vec<&str> = hidden
            .iter()
            .map(|&s| first[s..].lines().next().unwrap())
            .collect();
        assert!(
            hidden_text.contains(&"Follow the Daily Courier on social media for updates"),
            "{hidden_text:?}"
        );
        assert!(!hidden_text.iter().any(|t| t.contains("Story about")));

        // Removing the articles forgets what they added.
        for (body, removed) in &stored[..6] {
            b.forget("Courier", body, removed);
        }
        assert_eq!(b.articles(), 2);
        let s = b.strip("Courier", &article(50, true));
        assert!(s.body.contains("Follow the Daily Courier"), "{}", s.body);
        for (body, removed) in &stored[6..] {
            b.forget("Courier", body, removed);
        }
        assert!(b.per_outlet.is_empty() && b.per_line.is_empty(), "{b:?}");
        assert_eq!(b.articles(), 0);
    }

    #[test]
    fn rebuilt_from_stored_articles_equals_the_original() {
        let mut b = Boilerplate::new();
        let mut stored = Vec::new();
        for i in 0..6 {
            let body = article(i, i % 2 == 0);
            b.observe("Courier", &body);
            let s = b.strip("Courier", &body);
            stored.push(s);
        }
        let mut r = Boilerplate::new();
        for s in &stored {
            r.observe_stored("Courier", &s.body, &s.removed);
        }
        let mut a: Vec<_> = b.per_outlet.iter().collect();
        let mut c: Vec<_> = r.per_outlet.iter().collect();
        a.sort();
        c.sort();
        assert_eq!(a, c);
        // And it survives a save and load.
        let json = serde_json::to_string(&b).unwrap();
        let l: Boilerplate = serde_json::from_str(&json).unwrap();
        assert_eq!(
            l.strip("Courier", &article(9, true)),
            b.strip("Courier", &article(9, true))
        );
    }

    #[test]
    fn near_duplicates_keep_their_text() {
        let mut b = Boilerplate::new();
        let story = "Protesters stormed the city hall in Almaty on Wednesday.\n\n\
                     Police fired tear gas and stun grenades at the crowd.\n\n\
                     The president declared a state of emergency.";
        for _ in 0..5 {
            b.observe("Wire", story);
        }
        let s = b.strip("Wire", story);
        assert_eq!(s.body, story);
    }

    #[test]
    fn label_lines_learnt_across_outlets() {
        let mut b = Boilerplate::new();
        for (i, o) in ["A", "B", "C", "D", "E"].iter().enumerate() {
            b.observe(
                o,
                &format!("Text {i} of the story.\n\nShared footer nav line"),
            );
        }
        assert!(b.strip("F", "Own text.\n\nShared footer nav line").body == "Own text.");
        // A sentence shared by outlets (a wire story) is content.
        let mut b = Boilerplate::new();
        for o in ["A", "B", "C", "D", "E", "F"] {
            b.observe(o, "Clashes were still being reported in Almaty on Friday.");
        }
        let body = "Clashes were still being reported in Almaty on Friday.";
        assert_eq!(b.strip("G", body).body, body);
    }

    #[test]
    fn keys_ignore_case_digits_and_punctuation() {
        let mut buf = String::new();
        let a = line_key("Issued on: 07/01/2022 - 10:15", &mut buf);
        let b = line_key("issued on 8/1/2022 – 9:00", &mut buf);
        assert_eq!(a, b);
        assert!(a.is_some_and(is_label));
        assert_eq!(line_key(&"x".repeat(300), &mut buf), None);
        assert_eq!(
            decode_keys(&encode_keys(&[1, u64::MAX, 42])),
            vec![1, u64::MAX, 42]
        );
    }

    #[test]
    fn bylines_and_speaker_labels_are_never_learnt() {
        let mut b = Boilerplate::new();
        let words = ["north", "south", "east", "west", "centre", "coast", "hills"];
        let body = |w: &str| {
            format!(
                "michael barbaro\n\nToday we talk about the {w}.\n\nKyle Smith, National \
                 Review\n\nThe {w} is where it all began.\n\nStory Continued Below"
            )
        };
        for w in words {
            b.observe("Daily", &body(w));
        }
        let s = b.strip("Daily", &body("river"));
        assert!(s.body.contains("michael barbaro"), "{}", s.body);
        assert!(s.body.contains("Kyle Smith, National Review"), "{}", s.body);
        assert!(!s.body.contains("Story Continued Below"), "{}", s.body);
        assert!(person_label("Sean Illing") && person_label("Noah Feldman, Bloomberg"));
        assert!(!person_label("Story Continued Below") && !person_label("Sean"));
    }

    #[test]
    fn bounded_memory() {
        let mut b = Boilerplate::new();
        b.prune(0);
        for i in 0..2000u64 {
            b.per_outlet.insert((i << 1, 0), 1 + (i % 3) as u32);
        }
        b.prune(1000);
        assert!(b.per_outlet.len() <= 1000);
        assert!(b.per_outlet.values().all(|&c| c >= 2));
    }
}
