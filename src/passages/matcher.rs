//! The query compiled for matching stored text: which tokens match which query word or phrase.
//!
//! Tokens are found the way tantivy's `SimpleTokenizer` finds them (maximal runs of
//! alphanumeric characters, one position each, long ones included), and a token that may
//! match is run through the index's own analyzer (`schema::analyzer`), so a highlight is
//! exactly a token tantivy matched. Most tokens are rejected on their first letter without
//! being analysed (the English stemmer never changes a word's first letter), and each
//! distinct word is analysed once per query.

use std::collections::HashMap;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::{MatchSpec, Scope};
use crate::schema::analyzer;

/// What one token stands for in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit {
    /// A query word (exact, stemmed, variant, prefix or fuzzy match).
    Term(u16),
    /// Token `index` of phrase `phrase`.
    Phrase { phrase: u16, index: u16 },
}

/// The text a match was found in, for scope checks (`title:` words are not highlighted in
/// the body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Title,
    Body,
}

pub(crate) fn in_scope(scope: Scope, field: Field) -> bool {
    match scope {
        Scope::Text => true,
        Scope::Title => field == Field::Title,
        Scope::Body => field == Field::Body,
    }
}

/// Words so common that matching them says little; they count less towards coordination.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "had", "has", "have",
    "he", "her", "his", "i", "in", "is", "it", "its", "not", "of", "on", "or", "she", "that",
    "the", "their", "they", "this", "to", "was", "we", "were", "which", "who", "will", "with",
    "you",
];

pub(crate) struct Matcher {
    analyzer: TextAnalyzer,
    exact: HashMap<String, Vec<Hit>>,
    prefixes: Vec<(String, u16)>,
    fuzzy: Vec<(Vec<char>, u8, u16)>,
    /// ASCII first letters (lowercased) a matching token can start with.
    first: [bool; 128],
    /// Fuzzy words can differ in their first letter: every token is a candidate.
    every_token: bool,
    cache: HashMap<Box<str>, u32>,
    /// Hit lists by class; class 0 matches nothing.
    classes: Vec<Vec<Hit>>,
    /// Per query word: stopword?
    pub stop: Vec<bool>,
}

/// Damerau-Levenshtein distance (adjacent transpositions count one, as in tantivy's fuzzy
/// queries), or `None` when above `max`.
pub(crate) fn edit_distance(a: &[char], b: &[char], max: u8) -> Option<u8> {
    let max = max as usize;
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[w - 1];
    (d <= max).then_some(d as u8)
}

impl Matcher {
    pub fn new(spec: &MatchSpec) -> Matcher {
        let mut m = Matcher {
            analyzer: analyzer(),
            exact: HashMap::new(),
            prefixes: Vec::new(),
            fuzzy: Vec::new(),
            first: [false; 128],
            every_token: false,
            cache: HashMap::new(),
            classes: vec![Vec::new()],
            stop: Vec::new(),
        };
        let mark_first = |first: &mut [bool; 128], t: &str| {
            if let Some(c) = t.chars().next() {
                if c.is_ascii() {
                    first[c.to_ascii_lowercase() as usize] = true;
                }
            }
        };
        for (i, t) in spec.terms.iter().enumerate() {
            let id = i as u16;
            for tok in std::iter::once(&t.token).chain(t.variants.iter()) {
                m.exact.entry(tok.clone()).or_default().push(Hit::Term(id));
                mark_first(&mut m.first, tok);
            }
            if t.prefix {
                m.prefixes.push((t.token.clone(), id));
            }
            if t.fuzzy > 0 {
                m.fuzzy.push((t.token.chars().collect(), t.fuzzy, id));
                m.every_token = true;
            }
            m.stop.push(STOPWORDS.contains(&t.token.as_str()));
        }
        for (p, ph) in spec.phrases.iter().enumerate() {
            for (i, tok) in ph.tokens.iter().enumerate() {
                m.exact.entry(tok.clone()).or_default().push(Hit::Phrase {
                    phrase: p as u16,
                    index: i as u16,
                });
                mark_first(&mut m.first, tok);
            }
        }
        m
    }

    /// True when the query has nothing to match in text.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.prefixes.is_empty() && self.fuzzy.is_empty()
    }

    pub fn hits(&self, class: u32) -> &[Hit] {
        self.classes
            .get(class as usize)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The class of a token as it appears in the text (0: matches nothing).
    pub fn classify(&mut self, token: &str) -> u32 {
        let Some(first) = token.chars().next() else {
            return 0;
        };
        if !self.every_token && first.is_ascii() && !self.first[first.to_ascii_lowercase() as usize]
        {
            return 0;
        }
        if let Some(&c) = self.cache.get(token) {
            return c;
        }
        let class = self.analyse(token);
        self.cache.insert(token.into(), class);
        class
    }

    fn analyse(&mut self, token: &str) -> u32 {
        let mut stream = self.analyzer.token_stream(token);
        let mut analysed: Option<String> = None;
        while stream.advance() {
            analysed = Some(stream.token().text.clone());
        }
        drop(stream);
        let Some(a) = analysed else {
            return 0;
        };
        let mut hits: Vec<Hit> = self.exact.get(&a).cloned().unwrap_or_default();
        for (p, id) in &self.prefixes {
            if a.starts_with(p.as_str()) && !hits.contains(&Hit::Term(*id)) {
                hits.push(Hit::Term(*id));
            }
        }
        if !self.fuzzy.is_empty() {
            let chars: Vec<char> = a.chars().collect();
            for (t, d, id) in &self.fuzzy {
                if !hits.contains(&Hit::Term(*id)) && edit_distance(&chars, t, *d).is_some() {
                    hits.push(Hit::Term(*id));
                }
            }
        }
        if hits.is_empty() {
            return 0;
        }
        self.classes.push(hits);
        (self.classes.len() - 1) as u32
    }
}

/// Token spans as tantivy's `SimpleTokenizer` produces them: (start, end, position).
pub(crate) struct Tokens<'a> {
    text: &'a str,
    at: usize,
    pos: u32,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Tokens<'a> {
        Tokens {
            text,
            at: 0,
            pos: 0,
        }
    }

    /// Length of the char at `at` and whether it is alphanumeric; ASCII without decoding.
    fn char_at(&self, at: usize) -> Option<(usize, bool)> {
        let b = *self.text.as_bytes().get(at)?;
        if b < 0x80 {
            return Some((1, b.is_ascii_alphanumeric()));
        }
        let c = self.text.get(at..)?.chars().next()?;
        Some((c.len_utf8(), c.is_alphanumeric()))
    }
}

impl Iterator for Tokens<'_> {
    type Item = (usize, usize, u32);

    fn next(&mut self) -> Option<(usize, usize, u32)> {
        loop {
            let (len, alnum) = self.char_at(self.at)?;
            if alnum {
                break;
            }
            self.at += len;
        }
        let start = self.at;
        while let Some((len, true)) = self.char_at(self.at) {
            self.at += len;
        }
        let pos = self.pos;
        self.pos += 1;
        Some((start, self.at, pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer};

    #[test]
    fn tokens_agree_with_tantivy() {
        let text = "Žanaozen's 3,000 troops — “U.S.-led” d'Estaing naïve 東京 x";
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default()).build();
        let mut s = a.token_stream(text);
        let mut want = Vec::new();
        while s.advance() {
            let t = s.token();
            want.push((t.offset_from, t.offset_to, t.position as u32));
        }
        let got: Vec<_> = Tokens::new(text).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn distances() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("tokajev"), &c("tokayev"), 1), Some(1));
        assert_eq!(edit_distance(&c("tokayev"), &c("tokaeyv"), 1), Some(1));
        assert_eq!(edit_distance(&c("tokajev"), &c("tokaev"), 2), Some(1));
        assert_eq!(edit_distance(&c("tokajev"), &c("tokyo"), 2), None);
        assert_eq!(edit_distance(&c("abc"), &c("abc"), 0), Some(0));
    }
}
