//! The query compiled for matching stored text: which tokens match which query word or phrase.
//!
//! Tokens are found the way tantivy's `SimpleTokenizer` finds them (maximal runs of
//! alphanumeric characters, one position each, long ones included), and a token that may
//! match is run through the index's own analyzer (`schema::analyzer`), so a highlight is
//! exactly a token tantivy matched. Most tokens are rejected on their first letter without
//! being analysed (the English stemmer never changes a word's first letter), and each
//! distinct word is analysed once per query.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::{MatchSpec, Scope};
use crate::analysis::WordHash;
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

/// The per-query word cache is hit for most tokens: the analyzer's fast word hash, not
/// SipHash (the words are the user's own and the text's, nothing to flood).
type WordMap<V> = HashMap<Box<str>, V, BuildHasherDefault<WordHash>>;

/// What a token's first two letters say about it matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PairRule {
    Reject,
    /// Look at the third letter.
    Third,
    /// A query word is just these two letters (or they are not ASCII).
    Accept,
}

pub(crate) struct Matcher {
    analyzer: TextAnalyzer,
    exact: HashMap<String, Vec<Hit>>,
    prefixes: Vec<(String, u16)>,
    fuzzy: Vec<(Vec<char>, u8, u16)>,
    /// ASCII first letters (lowercased) a matching token can start with.
    first: [bool; 128],
    /// Fuzzy words can differ in their first letter: every token is a candidate.
    every_token: bool,
    /// The CPU has AVX2: the scan takes thirty-two bytes at a time.
    avx2: bool,
    /// The ASCII first letters a matching token can start with, lowercase with 0x20 set
    /// (compared with text bytes ORed with 0x20: both cases at once); empty when there
    /// are too many to be worth testing one by one.
    first_letters: Firsts,
    /// What the second lowercase ASCII letter of a token says, per row (see `pair_rows`).
    pairs: Vec<[PairRule; 128]>,
    /// Row of `pairs` per first letter; row 0 (letters no query word starts with) rejects
    /// every pair. A row per first letter, not a 128 × 128 table: zeroing sixteen
    /// kilobytes for every query cost more than looking pairs up in it.
    pair_rows: [u8; 128],
    /// First three letters a matching token can start with, sorted.
    triples: Vec<[u8; 3]>,
    cache: WordMap<u32>,
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
            avx2: has_avx2(),
            first_letters: Firsts::new(&[]),
            pairs: vec![[PairRule::Reject; 128]],
            pair_rows: [0; 128],
            triples: Vec::new(),
            cache: WordMap::default(),
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
        // The English stemmer keeps a word's first three letters, except that a third 'y'
        // may become 'i' ("cry" -> "cri") or the reverse ("skies" -> "sky"), and "dying"
        // -> "die"; folding keeps ASCII letters as they are.
        let analysed: Vec<String> = spec
            .terms
            .iter()
            .flat_map(|t| std::iter::once(&t.token).chain(t.variants.iter()))
            .chain(spec.phrases.iter().flat_map(|p| p.tokens.iter()))
            .cloned()
            .collect();
        let set = |a: u8, c: u8, rule: PairRule, m: &mut Matcher| {
            let Some(&row) = m.pair_rows.get(a as usize) else {
                return;
            };
            let row = if row == 0 {
                m.pairs.push([PairRule::Reject; 128]);
                let new = u8::try_from(m.pairs.len() - 1).unwrap_or(0);
                if let Some(r) = m.pair_rows.get_mut(a as usize) {
                    *r = new;
                }
                new
            } else {
                row
            };
            if let Some(r) = m
                .pairs
                .get_mut(row as usize)
                .and_then(|r| r.get_mut(c as usize))
            {
                *r = (*r).max(rule);
            }
        };
        for t in &analysed {
            let b = t.as_bytes();
            match (b.first(), b.get(1), b.get(2)) {
                (Some(&a), Some(&c), Some(&d)) if a < 0x80 && c < 0x80 && d < 0x80 => {
                    set(a, c, PairRule::Third, &mut m);
                    m.triples.push([a, c, d]);
                    if d == b'i' || d == b'y' {
                        m.triples.push([a, c, if d == b'i' { b'y' } else { b'i' }]);
                    }
                    if c == b'i' && d == b'e' && !b"aeiouy".contains(&a) {
                        set(a, b'y', PairRule::Third, &mut m);
                        m.triples.push([a, b'y', b'i']);
                    }
                }
                (Some(&a), Some(&c), None) if a < 0x80 && c < 0x80 => {
                    set(a, c, PairRule::Accept, &mut m);
                }
                (Some(&a), _, _) if a < 0x80 => {
                    for c in 0..128u8 {
                        set(a, c, PairRule::Accept, &mut m);
                    }
                }
                _ => {}
            }
        }
        m.triples.sort_unstable();
        m.triples.dedup();
        let letters: Vec<u8> = (0u8..128).filter(|&b| m.first[b as usize]).collect();
        if letters.len() <= MAX_FIRST_LETTERS {
            let lowered: Vec<u8> = letters.iter().map(|&b| b | 0x20).collect();
            m.first_letters = Firsts::new(&lowered);
        }
        m
    }

    /// Byte ranges of the tokens of `text` that may match, in text order: tokens whose
    /// first three ASCII letters fit a query word, and tokens starting with a non-ASCII
    /// letter (which may fold to one); every token when a word is fuzzy. Token starts are
    /// found sixty-four bytes a step, non-ASCII bytes included (curly quotes and dashes put
    /// one in about every tenth chunk of news text, and a byte-by-byte fallback for those
    /// chunks was a third of the scan); a char is decoded only where a start is in doubt.
    /// `starts` is scratch.
    pub fn candidates(&self, text: &str, starts: &mut Vec<usize>, out: &mut Vec<(usize, usize)>) {
        out.clear();
        starts.clear();
        if self.is_empty() {
            return;
        }
        if self.every_token {
            out.extend(Tokens::new(text).map(|(s, e, _)| (s, e)));
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if self.avx2 {
            // SAFETY: the CPU has AVX2 (detected when the matcher was built).
            unsafe { self.scan_avx2(text, starts) };
        } else {
            self.scan_sse2(text, starts);
        }
        #[cfg(not(target_arch = "x86_64"))]
        self.scan_sse2(text, starts);
        for &s in starts.iter() {
            out.push((s, token_end(text, s)));
        }
    }

    /// The candidate starts of `text`, sixty-four bytes a step (one bit each in a u64:
    /// the loop, the carry between steps and the bit loop's setup cost a quarter of what
    /// they cost per sixteen), sixteen at a time with SSE2.
    fn scan_sse2(&self, text: &str, starts: &mut Vec<usize>) {
        let firsts = &self.first_letters;
        let mut steps = Steps::new(text.as_bytes());
        let mut carry = 0;
        while let Some((base, b)) = steps.next() {
            carry = self.block_starts(text, base, masks64_sse2(b, firsts), carry, starts);
        }
    }

    /// [`Matcher::scan_sse2`] thirty-two bytes at a time with AVX2 (and the three-operand
    /// encodings): two thirds fewer instructions for the masks.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn scan_avx2(&self, text: &str, starts: &mut Vec<usize>) {
        let lanes = Lanes256::new(&self.first_letters);
        let mut steps = Steps::new(text.as_bytes());
        let mut carry = 0;
        while let Some((base, b)) = steps.next() {
            carry = self.block_starts(text, base, masks64_avx2(b, &lanes), carry, starts);
        }
    }

    /// The candidate starts among the [`BLOCK`] bytes at `base` with masks `m`; `carry`
    /// is 1 when the byte before them is an ASCII letter or digit. Returns the carry for
    /// the next block.
    #[inline(always)]
    fn block_starts(
        &self,
        text: &str,
        base: usize,
        m: Masks64,
        carry: u64,
        starts: &mut Vec<usize>,
    ) -> u64 {
        let bytes = text.as_bytes();
        // A token starts at an ASCII letter or digit, or at a non-ASCII char, that does
        // not follow an ASCII letter or digit; after a non-ASCII char it depends on that
        // char, decoded below. Only ASCII starts with a query word's first letter are
        // looked at (when there are few such letters): most word starts end here.
        let mut first = (m.wanted | m.lead) & !((m.alnum << 1) | carry);
        while first != 0 {
            let i = base + first.trailing_zeros() as usize;
            first &= first - 1;
            let Some(&c) = bytes.get(i) else { break };
            let fits = if c < 0x80 {
                self.prefix_fits(bytes.get(i..).unwrap_or(&[]))
            } else {
                char_at(text, i).is_some_and(is_alnum)
            };
            let after_letter = || {
                i > 0
                    && bytes.get(i - 1).is_some_and(|&p| p >= 0x80)
                    && char_before(text, i).is_some_and(is_alnum)
            };
            if fits && !after_letter() {
                starts.push(i);
            }
        }
        (m.alnum >> 63) & 1
    }

    /// Whether a token starting with `b` (its bytes onwards) may match, by its first
    /// three ASCII letters; non-ASCII letters are left to the analyzer.
    #[inline]
    fn prefix_fits(&self, b: &[u8]) -> bool {
        let lower = |i: usize| b.get(i).map(|c| c.to_ascii_lowercase());
        let Some(a) = lower(0) else { return false };
        if !self.first.get(a as usize).copied().unwrap_or(true) {
            return false;
        }
        let Some(c) = lower(1) else { return true };
        if c >= 0x80 || !c.is_ascii_alphanumeric() {
            return true;
        }
        let row = self.pair_rows.get(a as usize).copied().unwrap_or(0);
        match self.pairs.get(row as usize).and_then(|r| r.get(c as usize)) {
            Some(PairRule::Reject) => false,
            Some(PairRule::Accept) | None => true,
            Some(PairRule::Third) => match lower(2) {
                Some(d) if d >= 0x80 => true,
                Some(d) if d.is_ascii_alphanumeric() => {
                    self.triples.binary_search(&[a, c, d]).is_ok()
                }
                _ => false,
            },
        }
    }

    /// Whether the token starting at byte `start` of `text` may match: the body scan's
    /// test (see [`Matcher::candidates`]), for tokens found one by one.
    pub fn may_match(&self, text: &str, start: usize) -> bool {
        let b = text.as_bytes().get(start..).unwrap_or(&[]);
        self.every_token || b.first().is_some_and(|&c| c >= 0x80) || self.prefix_fits(b)
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

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_avx2() -> bool {
    false
}

/// Up to this many distinct first letters are tested byte by byte in the scan.
const MAX_FIRST_LETTERS: usize = 6;

/// Bytes per step of the candidate scan (four SSE2 blocks).
const BLOCK: usize = 64;

/// [`BlockMasks`] of four consecutive blocks, bit i for byte i of the step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Masks64 {
    alnum: u64,
    lead: u64,
    wanted: u64,
}

/// The text in steps of [`BLOCK`] bytes, the last one padded with zeros (neither
/// alphanumeric nor a char start): (offset, bytes). Whole steps are read in place (copying
/// each to the stack first cost a tenth of the scan); only the padded last one is copied.
struct Steps<'a> {
    blocks: std::slice::ChunksExact<'a, u8>,
    base: usize,
    rest_done: bool,
    tail: [u8; BLOCK],
}

impl<'a> Steps<'a> {
    fn new(bytes: &'a [u8]) -> Steps<'a> {
        Steps {
            blocks: bytes.chunks_exact(BLOCK),
            base: 0,
            rest_done: false,
            tail: [0u8; BLOCK],
        }
    }

    #[inline(always)]
    fn next(&mut self) -> Option<(usize, &[u8; BLOCK])> {
        let base = self.base;
        let block = match self.blocks.next() {
            Some(block) => <&[u8; BLOCK]>::try_from(block).ok()?,
            None => {
                let rest = self.blocks.remainder();
                if self.rest_done || rest.is_empty() {
                    return None;
                }
                self.rest_done = true;
                self.tail.get_mut(..rest.len())?.copy_from_slice(rest);
                &self.tail
            }
        };
        self.base += BLOCK;
        Some((base, block))
    }
}

/// The masks of a step, sixteen bytes at a time.
#[inline(always)]
fn masks64_sse2(b: &[u8; BLOCK], firsts: &Firsts) -> Masks64 {
    let mut m = Masks64::default();
    for (k, part) in b.chunks_exact(16).enumerate() {
        if let Ok(part) = <&[u8; 16]>::try_from(part) {
            let p = block_masks(part, firsts);
            let shift = 16 * k as u32;
            m.alnum |= u64::from(p.alnum) << shift;
            m.lead |= u64::from(p.lead) << shift;
            m.wanted |= u64::from(p.wanted) << shift;
        }
    }
    m
}

/// [`Firsts`] broadcast to AVX2 lanes (once per text).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Lanes256 {
    lanes: [std::arch::x86_64::__m256i; MAX_FIRST_LETTERS],
    n: usize,
}

#[cfg(target_arch = "x86_64")]
impl Lanes256 {
    #[target_feature(enable = "avx2")]
    fn new(firsts: &Firsts) -> Lanes256 {
        use std::arch::x86_64::_mm256_set1_epi8;
        Lanes256 {
            lanes: firsts.bytes.map(|b| _mm256_set1_epi8(b as i8)),
            n: firsts.n,
        }
    }
}

/// The masks of a step, thirty-two bytes at a time with AVX2: the same tests as
/// [`block_masks`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn masks64_avx2(b: &[u8; BLOCK], firsts: &Lanes256) -> Masks64 {
    use std::arch::x86_64::*;
    let splat = |x: u8| _mm256_set1_epi8(x as i8);
    // x in [lo, lo + n), as a signed compare once lo is shifted to -128.
    let in_range = |x: __m256i, lo: u8, n: u8| {
        let shifted = _mm256_add_epi8(x, splat(0x80u8.wrapping_sub(lo)));
        _mm256_cmpgt_epi8(splat(0x80u8.wrapping_add(n)), shifted)
    };
    let mut m = Masks64::default();
    for (k, half) in b.chunks_exact(32).enumerate() {
        // SAFETY: `half` is thirty-two readable bytes; unaligned loads are allowed.
        let v = unsafe { _mm256_loadu_si256(half.as_ptr().cast::<__m256i>()) };
        let lower = _mm256_or_si256(v, splat(0x20));
        let alnum = _mm256_or_si256(in_range(lower, b'a', 26), in_range(v, b'0', 10));
        let lead = in_range(v, 0xC0, 64);
        let alnum_bits = _mm256_movemask_epi8(alnum) as u32;
        let wanted = if firsts.n == 0 {
            alnum_bits
        } else {
            let mut eq = _mm256_setzero_si256();
            for &f in firsts.lanes.iter().take(firsts.n) {
                eq = _mm256_or_si256(eq, _mm256_cmpeq_epi8(lower, f));
            }
            _mm256_movemask_epi8(_mm256_and_si256(eq, alnum)) as u32
        };
        let shift = 32 * k as u32;
        m.alnum |= u64::from(alnum_bits) << shift;
        m.lead |= u64::from(_mm256_movemask_epi8(lead) as u32) << shift;
        m.wanted |= u64::from(wanted) << shift;
    }
    m
}

/// One bit per byte of a sixteen-byte block (bit i for byte i).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BlockMasks {
    /// ASCII letters and digits.
    alnum: u32,
    /// Lead bytes of multi-byte chars (0b11xx_xxxx).
    lead: u32,
    /// ASCII letters and digits that are a query word's first letter (all of `alnum`
    /// when `firsts` is empty).
    wanted: u32,
}

/// The first letters the scan looks for (at most [`MAX_FIRST_LETTERS`]), as bytes and,
/// on x86-64, broadcast to SSE2 lanes once per query: broadcast again for every sixteen
/// bytes, they were a third of the scan's instructions.
#[derive(Debug, Clone, Copy)]
struct Firsts {
    /// Read by the byte-by-byte masks only (other targets, tests).
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    bytes: [u8; MAX_FIRST_LETTERS],
    n: usize,
    #[cfg(target_arch = "x86_64")]
    lanes: [std::arch::x86_64::__m128i; MAX_FIRST_LETTERS],
}

impl Firsts {
    fn new(letters: &[u8]) -> Firsts {
        let n = letters.len().min(MAX_FIRST_LETTERS);
        let mut bytes = [0u8; MAX_FIRST_LETTERS];
        for (slot, &b) in bytes.iter_mut().zip(letters) {
            *slot = b;
        }
        Firsts {
            bytes,
            n,
            #[cfg(target_arch = "x86_64")]
            // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it).
            lanes: bytes.map(|b| unsafe { std::arch::x86_64::_mm_set1_epi8(b as i8) }),
        }
    }

    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn bytes(&self) -> &[u8] {
        self.bytes.get(..self.n).unwrap_or(&[])
    }
}

/// The masks of a block, sixteen bytes at a time with SSE2 (part of every x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_masks(b: &[u8; 16], firsts: &Firsts) -> BlockMasks {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it), and the one load
    // reads the sixteen bytes of `b`, unaligned loads being allowed.
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
        let (lower, alnum) = sse2_alnum(v);
        let lead = sse2_in_range(v, 0xC0, 64);
        let alnum_bits = _mm_movemask_epi8(alnum) as u32;
        let wanted = if firsts.n == 0 {
            alnum_bits
        } else {
            let mut eq = _mm_setzero_si128();
            for &f in firsts.lanes.iter().take(firsts.n) {
                eq = _mm_or_si128(eq, _mm_cmpeq_epi8(lower, f));
            }
            _mm_movemask_epi8(_mm_and_si128(eq, alnum)) as u32
        };
        BlockMasks {
            alnum: alnum_bits,
            lead: _mm_movemask_epi8(lead) as u32,
            wanted,
        }
    }
}

/// Bit i set when byte i of `b` is an ASCII letter or digit, and when it is not ASCII
/// (the two masks), with SSE2: for counting tokens sixteen bytes at a time.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn alnum_bits(b: &[u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it), and the one load
    // reads the sixteen bytes of `b`, unaligned loads being allowed.
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
        let (_, alnum) = sse2_alnum(v);
        (_mm_movemask_epi8(alnum) as u32, _mm_movemask_epi8(v) as u32)
    }
}

/// Lanes of `x` in `[lo, lo + n)`, as a signed compare once `lo` is shifted to -128.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sse2_in_range(x: std::arch::x86_64::__m128i, lo: u8, n: u8) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it); no memory access.
    unsafe {
        let shifted = _mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
        _mm_cmplt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(n) as i8))
    }
}

/// `v` with ASCII letters lowercased (other bytes with bit 5 set), and the lanes that are
/// ASCII letters or digits: what both the candidate scan and token counting start from.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sse2_alnum(
    v: std::arch::x86_64::__m128i,
) -> (std::arch::x86_64::__m128i, std::arch::x86_64::__m128i) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it); no memory access.
    unsafe {
        let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let alnum = _mm_or_si128(sse2_in_range(lower, b'a', 26), sse2_in_range(v, b'0', 10));
        (lower, alnum)
    }
}

/// [`alnum_bits`] byte by byte (other targets, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) fn alnum_bits_scalar(b: &[u8; 16]) -> (u32, u32) {
    b.iter().enumerate().fold((0, 0), |(a, h), (i, &c)| {
        (
            a | u32::from(c.is_ascii_alphanumeric()) << i,
            h | u32::from(c >= 0x80) << i,
        )
    })
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub(crate) fn alnum_bits(b: &[u8; 16]) -> (u32, u32) {
    alnum_bits_scalar(b)
}

/// The masks of a block, byte by byte (other targets, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_masks_scalar(b: &[u8; 16], firsts: &[u8]) -> BlockMasks {
    let mut m = BlockMasks {
        alnum: 0,
        lead: 0,
        wanted: 0,
    };
    for (i, &c) in b.iter().enumerate() {
        let bit = 1u32 << i;
        if c.is_ascii_alphanumeric() {
            m.alnum |= bit;
            if firsts.is_empty() || firsts.contains(&(c | 0x20)) {
                m.wanted |= bit;
            }
        }
        if c >= 0xC0 {
            m.lead |= bit;
        }
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_masks(b: &[u8; 16], firsts: &Firsts) -> BlockMasks {
    block_masks_scalar(b, firsts.bytes())
}

/// End of the token starting at byte `start`.
fn token_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            match char_at(text, i) {
                Some(c) if is_alnum(c) => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    i
}

/// `char::is_alphanumeric`, answering the chars news text is full of without the Unicode
/// tables: general punctuation (curly quotes, dashes, ellipses) and accented Latin
/// letters.
#[inline]
fn is_alnum(c: char) -> bool {
    match c {
        '\u{2000}'..='\u{206F}' => false,
        '\u{C0}'..='\u{24F}' => c != '\u{D7}' && c != '\u{F7}',
        _ => c.is_alphanumeric(),
    }
}

/// The char starting at byte `at`.
#[inline]
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..)?.chars().next()
}

/// The char ending just before byte `at` (a char boundary).
#[inline]
fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at)?.chars().next_back()
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
    #[inline]
    fn char_at(&self, at: usize) -> Option<(usize, bool)> {
        let b = *self.text.as_bytes().get(at)?;
        if b < 0x80 {
            return Some((1, b.is_ascii_alphanumeric()));
        }
        let c = char_at(self.text, at)?;
        Some((c.len_utf8(), is_alnum(c)))
    }
}

impl Iterator for Tokens<'_> {
    type Item = (usize, usize, u32);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize, u32)> {
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        // Skip to the next alphanumeric character; ASCII bytes without decoding.
        loop {
            let b = *bytes.get(i)?;
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    break;
                }
                i += 1;
            } else {
                let (len, alnum) = self.char_at(i)?;
                if alnum {
                    break;
                }
                i += len;
            }
        }
        let start = i;
        while let Some(&b) = bytes.get(i) {
            if b < 0x80 {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                i += 1;
            } else {
                match self.char_at(i) {
                    Some((len, true)) => i += len,
                    _ => break,
                }
            }
        }
        self.at = i;
        let pos = self.pos;
        self.pos += 1;
        Some((start, i, pos))
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
    fn candidates_are_the_tokens_that_may_match() {
        let spec = MatchSpec {
            terms: vec![super::super::TermSpec {
                token: "zanaozen".into(),
                idf: 1.0,
                fuzzy: 0,
                prefix: false,
                variants: vec!["troop".into()],
                scope: Scope::Text,
            }],
            phrases: vec![],
        };
        let m = Matcher::new(&spec);
        let text = "Žanaozen's troops, Zanaozen; zoo TROOPS aZ intro naïve t trap";
        let mut out = Vec::new();
        m.candidates(text, &mut Vec::new(), &mut out);
        let got: Vec<&str> = out.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, vec!["Žanaozen", "troops", "Zanaozen", "TROOPS", "t"]);
        // Every candidate is a token tantivy would produce.
        let all: Vec<(usize, usize)> = Tokens::new(text).map(|(s, e, _)| (s, e)).collect();
        assert!(out.iter().all(|c| all.contains(c)));
    }

    proptest::proptest! {
        /// The chunked scan finds exactly the tokens a token-by-token filter keeps, on
        /// text mixing ASCII, accented letters, curly quotes, dashes and other scripts.
        #[test]
        fn chunked_candidates_agree_with_the_token_filter(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "t", "tr", "tro", "troops", "Troop", "TRUMP", "trump's", "x", "the", "z",
                    "Žanaozen", "é", "naïve", "’", "“", "”", "—", " ", "  ", ",", ".", "3,000",
                    "東京", "Токаев", "ǅ", "\u{2160}", "a", "1", "-", "\n",
                ]),
                // Up to a few hundred bytes: several 64-byte steps and a padded rest.
                0..80,
            )
        ) {
            let text: String = parts.concat();
            // Few first letters (tested word-wide) and many (every word start looked at).
            for variants in [&["trump", "zanaozen"][..], &["a", "b", "c", "1", "e", "f", "x"]] {
                let spec = MatchSpec {
                    terms: vec![super::super::TermSpec {
                        token: "troop".into(),
                        idf: 1.0,
                        fuzzy: 0,
                        prefix: false,
                        variants: variants.iter().map(|v| v.to_string()).collect(),
                        scope: Scope::Text,
                    }],
                    phrases: vec![],
                };
                let mut m = Matcher::new(&spec);
                let bytes = text.as_bytes();
                let want: Vec<(usize, usize)> = Tokens::new(&text)
                    .map(|(s, e, _)| (s, e))
                    .filter(|&(s, _)| bytes[s] >= 0x80 || m.prefix_fits(&bytes[s..]))
                    .collect();
                // Both scans: SSE2, and AVX2 where the CPU has it.
                for avx2 in [false, has_avx2()] {
                    m.avx2 = avx2;
                    let mut got = Vec::new();
                    m.candidates(&text, &mut Vec::new(), &mut got);
                    proptest::prop_assert_eq!(&got, &want);
                }
            }
        }
    }

    /// The prefilter's premise: analysis keeps the first three letters of a word, but for
    /// a third 'y'/'i' swapped ("cry" -> "cri", "skies" -> "sky") and "dying" -> "die".
    #[test]
    fn analysis_keeps_the_first_three_letters() {
        let words = "dying lying tying vying skies skis idly gently early only singly ugly \
            news howe atlas cosmos bias andes generously communism arsenal organization \
            universities emergency cries cry ties flies dies being seeing yelled says eyed \
            cycling hoping troops relational possibility sensitivities operator quickly \
            happily by my ay yes yaks spying dryness Žanaozen naïve Éric œuvre 1990s 3 U";
        let mut a = analyzer();
        for w in words.split_whitespace() {
            let mut s = a.token_stream(w);
            assert!(s.advance(), "{w}");
            let stem = s.token().text.clone();
            if !w.is_ascii() {
                continue;
            }
            let folded = crate::query::fold_lower(w);
            let (st, fo) = (stem.as_bytes(), folded.as_bytes());
            let ok = match (st.len(), fo.len()) {
                (_, n) if n < 2 => true,
                (2, _) => st.get(..2) == fo.get(..2),
                _ => {
                    let same2 = st.get(..2) == fo.get(..2);
                    let third = (st.get(2), fo.get(2));
                    (same2
                        && (third.0 == third.1
                            || matches!(
                                third,
                                (Some(b'i'), Some(b'y')) | (Some(b'y'), Some(b'i'))
                            )))
                        || (fo.get(1..5) == Some(b"ying") && st.get(1..3) == Some(b"ie"))
                }
            };
            assert!(ok, "{w} -> {stem}");
        }
    }

    proptest::proptest! {
        /// The SIMD masks are the byte-by-byte ones, for any bytes and letter set.
        #[test]
        fn block_masks_agree_with_the_byte_test(
            b in proptest::array::uniform16(proptest::num::u8::ANY),
            firsts in proptest::collection::vec(proptest::sample::select(
                b"abtxz019".to_vec()), 0..4),
        ) {
            let firsts: Vec<u8> = firsts.iter().map(|c| c | 0x20).collect();
            proptest::prop_assert_eq!(
                block_masks(&b, &Firsts::new(&firsts)),
                block_masks_scalar(&b, &firsts)
            );
        }
    }

    proptest::proptest! {
        /// The AVX2 masks of a step are the byte-by-byte ones (where the CPU has AVX2).
        #[test]
        fn avx2_masks_agree_with_the_byte_test(
            b in proptest::collection::vec(proptest::num::u8::ANY, BLOCK),
            firsts in proptest::collection::vec(proptest::sample::select(
                b"abtxz019".to_vec()), 0..4),
        ) {
            let firsts: Vec<u8> = firsts.iter().map(|c| c | 0x20).collect();
            let b: [u8; BLOCK] = b.try_into().unwrap();
            let mut want = Masks64::default();
            for (k, part) in b.chunks_exact(16).enumerate() {
                let p = block_masks_scalar(part.try_into().unwrap(), &firsts);
                want.alnum |= u64::from(p.alnum) << (16 * k);
                want.lead |= u64::from(p.lead) << (16 * k);
                want.wanted |= u64::from(p.wanted) << (16 * k);
            }
            let f = Firsts::new(&firsts);
            proptest::prop_assert_eq!(masks64_sse2(&b, &f), want);
            #[cfg(target_arch = "x86_64")]
            if has_avx2() {
                // SAFETY: the CPU has AVX2.
                let got = unsafe { masks64_avx2(&b, &Lanes256::new(&f)) };
                proptest::prop_assert_eq!(got, want);
            }
        }
    }

    proptest::proptest! {
        /// The SSE2 letter-or-digit and non-ASCII bits are the byte-by-byte ones.
        #[test]
        fn alnum_bits_agree_with_the_byte_test(
            b in proptest::array::uniform16(proptest::num::u8::ANY)
        ) {
            proptest::prop_assert_eq!(alnum_bits(&b), alnum_bits_scalar(&b));
        }
    }

    #[test]
    fn fast_alnum_is_the_unicode_one() {
        for c in ('\u{80}'..='\u{2FFF}').chain(['東', 'ж', '\u{1F600}']) {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
        }
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
