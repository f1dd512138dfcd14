//! The text's own structure: paragraphs, headings, sentences, and the passage units cut from them.
//!
//! Every range is a byte range into the article body, always on char boundaries, so a
//! passage is an exact substring of the stored text and highlights map onto it directly.

/// A unit of the body: a passage candidate or a heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    pub start: usize,
    pub end: usize,
    pub heading: bool,
    /// Index of the paragraph (in [`Layout::paragraphs`]) the unit was cut from.
    pub para: usize,
}

/// A paragraph: a run of non-blank lines (boilerplate lines excluded), trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Para {
    pub start: usize,
    pub end: usize,
    pub heading: bool,
}

/// The body's structure as passages see it.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Headings and passage units in text order, never overlapping.
    pub units: Vec<Unit>,
    /// Paragraphs in text order.
    pub paragraphs: Vec<Para>,
}

/// Longest single line that may be a heading, in words and bytes. Longer unpunctuated
/// lines are standfirsts or scraped link text: they stay passages.
const HEADING_MAX_WORDS: usize = 14;
const HEADING_MAX_BYTES: usize = 150;

/// Closing marks that may follow a sentence's final punctuation.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»' | '›' | '*')
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '‹' | '¿' | '¡'
    )
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// True when a line reads as a label rather than a sentence: it does not end with
/// sentence punctuation (closing quotes aside). Shared with the boilerplate model.
pub(crate) fn unpunctuated(line: &str) -> bool {
    let t = line.trim_end_matches(|c: char| c.is_whitespace() || is_closer(c));
    match t.chars().next_back() {
        None => true,
        Some(c) => !(is_terminal(c) || matches!(c, ',' | ';')),
    }
}

pub(crate) fn word_count(line: &str) -> usize {
    if !line.is_ascii() {
        return line.split_whitespace().count();
    }
    // ASCII (most lines): words start after whitespace, counted over the bytes; the
    // generic split was most of the heading test, and a branch per byte on whether a word
    // starts was most of what was left (every short paragraph is asked).
    let bytes = line.as_bytes();
    let mut n = 0;
    // 1 when the byte before the current chunk is not whitespace.
    let mut carry = 0u32;
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        if let Ok(chunk) = <&[u8; 16]>::try_from(chunk) {
            let words = word_bits(chunk);
            n += (words & !((words << 1) | carry)).count_ones() as usize;
            carry = words >> 15;
        }
    }
    let mut in_word = carry == 1;
    for &b in chunks.remainder() {
        let word = !is_ascii_space(b);
        n += usize::from(word && !in_word);
        in_word = word;
    }
    n
}

/// `char::is_whitespace` for an ASCII byte: space, tab, line feed, vertical tab, form
/// feed, carriage return.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// Bit i set when byte i of the chunk is not ASCII whitespace, with SSE2 (part of every
/// x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline]
fn word_bits(b: &[u8; 16]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it), and the one load
    // reads the sixteen bytes of `b`, unaligned loads being allowed.
    unsafe {
        let v = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
        let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
        // '\t'..='\r' as a signed compare once '\t' is shifted to -128.
        let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(b'\t') as i8));
        let control = _mm_cmplt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(5) as i8));
        !(_mm_movemask_epi8(_mm_or_si128(space, control)) as u32) & 0xFFFF
    }
}

/// [`word_bits`] byte by byte (other targets, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn word_bits_scalar(b: &[u8; 16]) -> u32 {
    b.iter()
        .enumerate()
        .filter(|(_, &c)| !is_ascii_space(c))
        .fold(0, |m, (i, _)| m | 1 << i)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn word_bits(b: &[u8; 16]) -> u32 {
    word_bits_scalar(b)
}

/// A heading: one short line with letters in it and no sentence punctuation at its end
/// ("'Criminals' killed", "US says 'world will be watching'", "Fuel price hike"). The
/// reference for [`heading_shape`], which paragraphs use.
#[cfg(test)]
pub(crate) fn is_heading_line(line: &str) -> bool {
    let line = line.trim();
    !line.contains('\n') && heading_shape(line)
}

/// [`is_heading_line`] for a line already trimmed and known to be one line (a paragraph
/// of one line: trimming it again and looking for a line break were a fifth of the test).
fn heading_shape(line: &str) -> bool {
    // Cheapest tests first: most short lines are sentences, told by their last char.
    !line.is_empty()
        && line.len() <= HEADING_MAX_BYTES
        && unpunctuated(line)
        && word_count(line) <= HEADING_MAX_WORDS
        && line.chars().any(char::is_alphabetic)
}

/// Shaped like a name with an optional outlet: "Greg Sargent, Washington Post", "Peter
/// Baker and Emily Cochrane, New York Times" (capitalised words, a few particles, no
/// digits). After a quotation such a line is the quote's attribution, not a heading.
pub(crate) fn is_attribution_line(line: &str) -> bool {
    const PARTICLES: &[&str] = &[
        "and", "de", "van", "von", "der", "bin", "al", "of", "the", "la", "le", "da", "del", "du",
    ];
    let line = line.trim();
    if line.len() > 90 || line.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut parts = line.splitn(2, ',');
    let name = parts.next().unwrap_or("");
    let outlet = parts.next();
    let words: Vec<&str> = name.split_whitespace().collect();
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let name_ok = (2..=7).contains(&words.len())
        && words.iter().filter(|w| capitalised(w)).count() >= 2
        && words
            .iter()
            .all(|w| capitalised(w) || PARTICLES.contains(w));
    let outlet_ok = outlet.is_none_or(|o| {
        let ws: Vec<&str> = o.split_whitespace().collect();
        (1..=6).contains(&ws.len()) && ws.first().is_some_and(|w| capitalised(w))
    });
    name_ok && outlet_ok
}

/// Whether a paragraph is (part of) a quotation: it opens with a quotation mark.
pub(crate) fn opens_quote(text: &str) -> bool {
    text.trim_start().starts_with(['“', '"', '‘', '«'])
}

fn trim_range(body: &str, start: usize, end: usize) -> (usize, usize) {
    let s = body.get(start..end).unwrap_or("");
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail >= s.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}

/// Finds the paragraphs of `body`. Lines for which `drop_line(start, line)` is true
/// (boilerplate; `start` is the line's byte offset) are treated as paragraph breaks.
pub(crate) fn paragraphs(
    body: &str,
    drop_line: &mut dyn FnMut(usize, &str) -> bool,
    out: &mut Vec<Para>,
) {
    out.clear();
    let mut para_start: Option<usize> = None;
    let mut para_end = 0;
    let mut lines_in_para = 0usize;
    let mut at = 0;
    let bytes = body.as_bytes();
    // A visible ASCII char (not whitespace) at both ends: nothing to trim.
    let visible = |i: usize| bytes.get(i).is_some_and(|&b| b > b' ' && b < 0x80);
    let push = |s: usize, e: usize, lines: usize, out: &mut Vec<Para>| {
        // Most paragraphs need no trimming and are too long for a heading: both told
        // from a few bytes (the general trim and heading test were a tenth of the
        // passage work, run for every paragraph).
        let (s, e) = if s < e && visible(s) && visible(e - 1) {
            (s, e)
        } else {
            trim_range(body, s, e)
        };
        if s < e {
            // Trimmed above, and one line (lines are split at line breaks).
            let heading = lines == 1
                && e - s <= HEADING_MAX_BYTES
                && heading_shape(body.get(s..e).unwrap_or(""));
            out.push(Para {
                start: s,
                end: e,
                heading,
            });
        }
    };
    let mut newlines = Newlines::new(bytes);
    while at <= body.len() {
        // Lines are taken in order, so the next line break is the one ending this line.
        let line_end = newlines.next().unwrap_or(body.len());
        let line = body.get(at..line_end).unwrap_or("");
        // Blank unless a non-space byte turns up (usually the first); non-ASCII bytes
        // (a no-break space?) are left to `trim`.
        let blank = match line.bytes().find(|b| !b.is_ascii_whitespace()) {
            None => true,
            Some(b) if b >= 0x80 => line.trim().is_empty(),
            Some(_) => false,
        };
        if blank || drop_line(at, line) {
            if let Some(s) = para_start.take() {
                push(s, para_end, lines_in_para, out);
            }
            lines_in_para = 0;
        } else {
            if para_start.is_none() {
                para_start = Some(at);
            }
            para_end = line_end;
            lines_in_para += 1;
        }
        if line_end >= body.len() {
            break;
        }
        at = line_end + 1;
    }
    if let Some(s) = para_start {
        push(s, para_end, lines_in_para, out);
    }
    // An article made only of short lines still has passages: its lines.
    if !out.is_empty() && out.iter().all(|p| p.heading) {
        for p in out.iter_mut() {
            p.heading = false;
        }
    }
}

/// The offsets of the line breaks of a text, in order, found sixty-four bytes a step as a
/// bit mask (an article has a few dozen lines; a memchr call per line cost more in its
/// setup than in its search).
struct Newlines<'a> {
    bytes: &'a [u8],
    /// Offset of the step `mask` covers.
    base: usize,
    /// Line breaks of that step not yet returned, bit i for byte `base + i`.
    mask: u64,
}

impl<'a> Newlines<'a> {
    fn new(bytes: &'a [u8]) -> Newlines<'a> {
        Newlines {
            bytes,
            base: 0,
            mask: newline_mask(bytes),
        }
    }
}

impl Iterator for Newlines<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 64;
            let rest = self.bytes.get(self.base..).filter(|r| !r.is_empty())?;
            self.mask = newline_mask(rest);
        }
        let at = self.base + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// Bit i set when byte i of the first sixty-four bytes of `b` is a line break.
#[inline]
fn newline_mask(b: &[u8]) -> u64 {
    match <&[u8; 64]>::try_from(b.get(..64).unwrap_or(&[])) {
        Ok(step) => newline_mask64(step),
        Err(_) => {
            // The last, short step, padded with zeros.
            let mut step = [0u8; 64];
            let n = b.len().min(64);
            if let (Some(to), Some(from)) = (step.get_mut(..n), b.get(..n)) {
                to.copy_from_slice(from);
            }
            newline_mask64(&step)
        }
    }
}

/// [`newline_mask`] of a whole step, sixteen bytes at a time with SSE2 (part of every
/// x86-64 CPU).
#[cfg(target_arch = "x86_64")]
#[inline]
fn newline_mask64(b: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    let mut m = 0u64;
    for (k, part) in b.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of every x86-64 CPU (the target enables it), and the load
        // reads the sixteen bytes of `part`, unaligned loads being allowed.
        let bits = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u32
        };
        m |= u64::from(bits & 0xFFFF) << (16 * k);
    }
    m
}

/// [`newline_mask64`] byte by byte (other targets, and the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn newline_mask64_scalar(b: &[u8; 64]) -> u64 {
    b.iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .fold(0, |m, (i, _)| m | 1 << i)
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn newline_mask64(b: &[u8; 64]) -> u64 {
    newline_mask64_scalar(b)
}

/// The units of one paragraph: itself when short (or a heading), else windows of whole
/// sentences of at most `max_chars`.
pub(crate) fn units_of(
    body: &str,
    index: usize,
    p: Para,
    max_chars: usize,
    sentences: &mut Vec<(usize, usize)>,
    out: &mut Vec<Unit>,
) {
    let max_chars = max_chars.max(40);
    if p.heading || p.end - p.start <= max_chars {
        out.push(Unit {
            start: p.start,
            end: p.end,
            heading: p.heading,
            para: index,
        });
        return;
    }
    sentences.clear();
    split_sentences(body, p.start, p.end, max_chars, sentences);
    windows(sentences, max_chars, index, out);
}

/// Splits `body` into paragraphs and every paragraph into units.
#[cfg(test)]
pub(crate) fn layout(
    body: &str,
    max_chars: usize,
    drop_line: &mut dyn FnMut(usize, &str) -> bool,
    out: &mut Layout,
) {
    out.units.clear();
    paragraphs(body, drop_line, &mut out.paragraphs);
    let mut sentences = Vec::new();
    for (i, p) in out.paragraphs.iter().enumerate() {
        units_of(body, i, *p, max_chars, &mut sentences, &mut out.units);
    }
}

/// Packs consecutive sentences into windows of at most `max_chars` (a sentence longer than
/// that was already cut at a clause or word boundary). A short last window joins the one
/// before it when the two still fit comfortably.
fn windows(sentences: &[(usize, usize)], max_chars: usize, para: usize, out: &mut Vec<Unit>) {
    let first = out.len();
    let mut cur: Option<(usize, usize)> = None;
    for &(s, e) in sentences {
        cur = match cur {
            None => Some((s, e)),
            Some((cs, ce)) if e - cs <= max_chars => Some((cs, e.max(ce))),
            Some((cs, ce)) => {
                out.push(Unit {
                    start: cs,
                    end: ce,
                    heading: false,
                    para,
                });
                Some((s, e))
            }
        };
    }
    if let Some((cs, ce)) = cur {
        let n = out.len();
        if n > first && ce - cs < max_chars / 4 {
            if let Some(prev) = out.last_mut() {
                if ce - prev.start <= max_chars + max_chars / 4 {
                    prev.end = ce;
                    return;
                }
            }
        }
        out.push(Unit {
            start: cs,
            end: ce,
            heading: false,
            para,
        });
    }
}

/// Titles and other abbreviations that are followed by a name or number, never by the
/// end of a sentence ("Mr. Tokayev", "Jan. 7", "No. 10", "St. Petersburg").
const NEVER_FINAL: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "mme", "dr", "prof", "sen", "sens", "rep", "reps", "gov", "gen",
    "lt", "col", "capt", "cpt", "sgt", "maj", "adm", "cmdr", "cdr", "rev", "hon", "pres", "supt",
    "insp", "det", "cpl", "pvt", "st", "mt", "ft", "no", "nos", "vol", "fig", "figs", "art", "sec",
    "ch", "pp", "op", "vs", "v", "viz", "cf", "approx", "ca", "est", "dept", "univ", "assn", "ave",
    "blvd", "rd", "hwy", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "eg", "ie", "al", "gens", "amb", "atty",
];

/// Abbreviations that may end a sentence as well as sit inside one ("Apple Inc. said" /
/// "... shares of Apple Inc. The company"): a boundary only when a sentence opener follows.
const MAYBE_FINAL: &[&str] = &[
    "inc", "ltd", "corp", "co", "jr", "sr", "bros", "etc", "llc", "plc", "am", "pm",
];

/// Words that open a sentence far more often than they follow an abbreviation inside
/// one; they decide the ambiguous cases ("the U.S. The next day" vs "the U.S. Senate").
const OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "in",
    "on",
    "at",
    "but",
    "and",
    "or",
    "so",
    "this",
    "that",
    "these",
    "those",
    "there",
    "his",
    "her",
    "its",
    "their",
    "our",
    "my",
    "however",
    "meanwhile",
    "after",
    "before",
    "when",
    "while",
    "if",
    "as",
    "according",
    "for",
    "with",
    "by",
    "from",
    "to",
    "what",
    "why",
    "how",
    "who",
    "where",
    "some",
    "many",
    "most",
    "all",
    "not",
    "one",
    "earlier",
    "later",
    "also",
    "still",
    "yet",
    "now",
    "then",
    "since",
    "during",
    "under",
    "over",
    "officials",
    "police",
    "authorities",
    "mr",
    "mrs",
    "ms",
    "dr",
    "president",
    "last",
    "next",
];

/// Longest word in the abbreviation lists: longer words are never abbreviations.
const LONGEST_ABBREVIATION: usize = 6;

fn lower_ascii_eq_any(word: &str, list: &[&str]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The word that starts at `from` (letters only), for the opener test.
fn next_word(text: &str, from: usize) -> &str {
    let rest = text.get(from..).unwrap_or("");
    let rest = rest.trim_start_matches(is_opener);
    let end = rest
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic() && *c != '\'')
        .map_or(rest.len(), |(i, _)| i);
    rest.get(..end).unwrap_or("")
}

/// Decides whether the '.' at byte `dot` (the last of a run of dots) can end a sentence,
/// judging by the word before it and the word after.
fn period_ends_sentence(text: &str, dot: usize, next: usize) -> bool {
    let before = text.get(..dot).unwrap_or("");
    // The run of non-space characters before the dot, without leading punctuation.
    let word_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = before
        .get(word_start..)
        .unwrap_or("")
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() {
        return true;
    }
    let opener = || lower_ascii_eq_any(next_word(text, next), OPENERS);
    // Ellipsis: a boundary when the next word starts a sentence (checked by the caller).
    if text.get(dot.saturating_sub(1)..dot) == Some(".") {
        return true;
    }
    if word.contains('.') {
        // "U.S.", "a.m.", "e.g.", "Ph.D."
        if ["e.g", "i.e"].iter().any(|a| a.eq_ignore_ascii_case(word)) {
            return false;
        }
        return opener();
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        // A single letter is an initial ("J. K. Rowling", "Harry S. Truman").
        if c.is_alphabetic() {
            return false;
        }
    }
    if word.len() > LONGEST_ABBREVIATION {
        return true;
    }
    if lower_ascii_eq_any(word, NEVER_FINAL) {
        return false;
    }
    if lower_ascii_eq_any(word, MAYBE_FINAL) {
        return opener();
    }
    true
}

/// Sentence ranges of `body[start..end]`, trimmed. Handles abbreviations, initials,
/// decimals and thousands ("3.5", "3,000"), ellipses, quotes around the final mark, and
/// line breaks inside a paragraph (a break before a lowercase word is a wrapped line, not a
/// boundary). A sentence longer than `max_chars` is cut at a clause or word boundary.
pub(crate) fn split_sentences(
    body: &str,
    start: usize,
    end: usize,
    max_chars: usize,
    out: &mut Vec<(usize, usize)>,
) {
    let text = body.get(start..end).unwrap_or("");
    let bytes = text.as_bytes();
    let mut sent_start = 0usize;
    let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
        let (s, e) = trim_range(text, s, e);
        if s < e {
            cut_long(text, s, e, max_chars, start, out);
        }
    };
    // Bytes that may end a sentence: . ! ? \n and '…' (E2 80 A6), found with memchr.
    // Each search's answer is kept until the scan passes it (`from` only grows): a
    // paragraph has many marks and few line breaks, and searching for both again from
    // every mark scanned the rest of the paragraph each time.
    let mut marks_cache: Option<Option<usize>> = None;
    let mut other_cache: Option<Option<usize>> = None;
    let mut find = |from: usize| -> Option<usize> {
        let rest = bytes.get(from..)?;
        let next = |cache: &mut Option<Option<usize>>, search: &dyn Fn(&[u8]) -> Option<usize>| {
            match *cache {
                Some(None) => None,
                Some(Some(at)) if at >= from => Some(at),
                _ => {
                    let found = search(rest).map(|x| from + x);
                    *cache = Some(found);
                    found
                }
            }
        };
        let marks = next(&mut marks_cache, &|r| memchr::memchr3(b'.', b'!', b'?', r));
        let other = next(&mut other_cache, &|r| memchr::memchr2(b'\n', 0xE2, r));
        match (marks, other) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    };
    let mut i = 0;
    while let Some(at) = find(i) {
        i = at;
        let Some(&b) = bytes.get(i) else { break };
        let ellipsis = b == 0xE2 && bytes.get(i + 1..i + 3) == Some(&[0x80, 0xA6][..]);
        if b == 0xE2 && !ellipsis {
            i += 1;
            continue;
        }
        match boundary(text, i) {
            Some((at, resume)) => {
                push(sent_start, at, out);
                sent_start = at;
                i = resume;
            }
            None => i += if ellipsis { 3 } else { 1 },
        }
    }
    push(sent_start, text.len(), out);
}

/// Whether the mark at byte `i` (`.`, `!`, `?`, `…` or a line break) ends a sentence:
/// `Some((end of the sentence, where to resume))`.
fn boundary(text: &str, i: usize) -> Option<(usize, usize)> {
    let mut iter = text
        .get(i..)?
        .char_indices()
        .map(|(j, c)| (i + j, c))
        .peekable();
    let (_, c) = iter.next()?;
    if c == '\n' {
        // A line break ends a sentence unless the next line continues it in lowercase.
        let next = text.get(i + 1..).unwrap_or("").trim_start();
        let continues = next.chars().next().is_some_and(char::is_lowercase);
        return (!continues).then_some((i, i + 1));
    }
    // Consume the rest of the run of marks and closing quotes.
    let mut last_dot = if c == '.' { Some(i) } else { None };
    let mut end_of_marks = i + c.len_utf8();
    while let Some(&(j, d)) = iter.peek() {
        if is_terminal(d) || is_closer(d) {
            if d == '.' {
                last_dot = Some(j);
            }
            end_of_marks = j + d.len_utf8();
            iter.next();
        } else {
            break;
        }
    }
    // A boundary needs whitespace (or the end) after the marks ...
    let rest = text.get(end_of_marks..).unwrap_or("");
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let next_at = end_of_marks + (rest.len() - rest.trim_start().len());
    // ... and a sentence-like start after it.
    let next_char = text.get(next_at..).and_then(|r| r.chars().next());
    let starts_sentence = match next_char {
        None => true,
        Some(n) if n.is_uppercase() || n.is_ascii_digit() => true,
        Some(n) if is_opener(n) || matches!(n, '-' | '–' | '—' | '•') => true,
        _ => false,
    };
    if !starts_sentence {
        return None;
    }
    if let Some(dot) = last_dot {
        // Only a final '.' (not "?." or "!'") is ambiguous.
        let final_mark = text
            .get(..end_of_marks)
            .unwrap_or("")
            .trim_end_matches(is_closer);
        if final_mark.ends_with('.')
            && next_char.is_some()
            && !period_ends_sentence(text, dot, next_at)
        {
            return None;
        }
    }
    Some((end_of_marks, end_of_marks))
}

/// Cuts a sentence longer than `max_chars` at the last clause mark (`;`, `:`, `,`, dash)
/// before the limit, else at the last space; never inside a word.
fn cut_long(
    text: &str,
    mut s: usize,
    e: usize,
    max_chars: usize,
    base: usize,
    out: &mut Vec<(usize, usize)>,
) {
    while e - s > max_chars {
        let mut limit = s + max_chars;
        while limit > s && !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let window = text.get(s..limit).unwrap_or("");
        let min_cut = max_chars / 3;
        let clause = window
            .char_indices()
            .filter(|(i, c)| {
                *i >= min_cut
                    && matches!(c, ';' | ':' | ',' | '–' | '—')
                    && window
                        .get(i + c.len_utf8()..)
                        .is_some_and(|r| r.starts_with(' '))
            })
            .map(|(i, c)| i + c.len_utf8())
            .next_back();
        let space = window
            .char_indices()
            .filter(|(i, c)| *i >= min_cut && c.is_whitespace())
            .map(|(i, _)| i)
            .next_back();
        let cut = match clause.or(space) {
            Some(c) => s + c,
            None => {
                // One unbroken run of characters: the next space, wherever it is.
                match text.get(limit..e).and_then(|r| r.find(char::is_whitespace)) {
                    Some(i) => limit + i,
                    None => e,
                }
            }
        };
        let (ps, pe) = trim_range(text, s, cut);
        if ps < pe {
            out.push((base + ps, base + pe));
        }
        if cut >= e {
            return;
        }
        s = cut;
        let (ns, _) = trim_range(text, s, e);
        s = ns;
        if s >= e {
            return;
        }
    }
    out.push((base + s, base + e));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split_sentences(text, 0, text.len(), 10_000, &mut out);
        out.into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        assert_eq!(
            sentences("Mr. Tokayev spoke. Dr. Smith and J. K. Rowling agreed. It ended."),
            vec![
                "Mr. Tokayev spoke.",
                "Dr. Smith and J. K. Rowling agreed.",
                "It ended."
            ]
        );
        assert_eq!(
            sentences("The U.S. Senate voted on Jan. 7 at 3 p.m. Thursday. Then it left."),
            vec![
                "The U.S. Senate voted on Jan. 7 at 3 p.m. Thursday.",
                "Then it left."
            ]
        );
        assert_eq!(
            sentences("Sanctions came from the U.S. The next day, talks began."),
            vec!["Sanctions came from the U.S.", "The next day, talks began."]
        );
        assert_eq!(
            sentences("He will speak at 3 p.m. the president's office said."),
            vec!["He will speak at 3 p.m. the president's office said."]
        );
        assert_eq!(
            sentences("There were 3,000 arrests and 3.5 percent fewer. No. 10 said so."),
            vec![
                "There were 3,000 arrests and 3.5 percent fewer.",
                "No. 10 said so."
            ]
        );
    }

    #[test]
    fn quotes_and_ellipses() {
        assert_eq!(
            sentences("“Those who don’t surrender will be eliminated.” He left."),
            vec![
                "“Those who don’t surrender will be eliminated.”",
                "He left."
            ]
        );
        assert_eq!(
            sentences("The chant of “Old man, go away!” has been heard. Police fired."),
            vec![
                "The chant of “Old man, go away!” has been heard.",
                "Police fired."
            ]
        );
        assert_eq!(
            sentences("It took place… people understood. Wait... What next?"),
            vec!["It took place… people understood.", "Wait...", "What next?"]
        );
        assert_eq!(
            sentences("Did he say \"no\"? Yes."),
            vec!["Did he say \"no\"?", "Yes."]
        );
    }

    #[test]
    fn company_abbreviations_decided_by_the_next_word() {
        assert_eq!(
            sentences("Shares of Apple Inc. rose. They fell at Acme Inc. The firm said."),
            vec![
                "Shares of Apple Inc. rose.",
                "They fell at Acme Inc.",
                "The firm said."
            ]
        );
    }

    #[test]
    fn wrapped_lines_join_and_list_lines_split() {
        assert_eq!(
            sentences("A sentence that wraps\nonto the next line. Another"),
            vec!["A sentence that wraps\nonto the next line.", "Another"]
        );
        assert_eq!(
            sentences("First item\nSecond item"),
            vec!["First item", "Second item"]
        );
    }

    #[test]
    fn long_sentences_are_cut_between_words() {
        let text = "word ".repeat(100);
        let mut out = Vec::new();
        split_sentences(&text, 0, text.len(), 60, &mut out);
        assert!(out.len() > 5);
        for (s, e) in out {
            assert!(e - s <= 60, "{}", e - s);
            assert!(text[s..e].starts_with("word") && text[s..e].ends_with("word"));
        }
        // Never mid-word even with multi-byte letters and no spaces at all.
        let text = "Ž".repeat(200);
        let mut out = Vec::new();
        split_sentences(&text, 0, text.len(), 60, &mut out);
        assert_eq!(out, vec![(0, text.len())]);
    }

    #[test]
    fn attribution_lines() {
        for a in [
            "Greg Sargent, Washington Post",
            "Peter Baker and Emily Cochrane, New York Times",
            "Kyle Smith, National Review",
            "Noah Feldman",
        ] {
            assert!(is_attribution_line(a), "{a}");
        }
        for h in [
            "'Criminals' killed",
            "Fuel price hike",
            "Two-week state of emergency",
            "US says 'world will be watching'",
            "Trump, 2020",
        ] {
            assert!(!is_attribution_line(h), "{h}");
        }
        assert!(opens_quote("“Pelosi might have meant"));
        assert!(!opens_quote("Pelosi said"));
    }

    #[test]
    fn headings_are_short_unpunctuated_lines() {
        for h in [
            "'Criminals' killed",
            "US says 'world will be watching'",
            "Fuel price hike",
            "Two-week state of emergency",
        ] {
            assert!(is_heading_line(h), "{h}");
        }
        for p in [
            "Clashes were still being reported in Almaty on Friday morning.",
            "“Those who don’t surrender will be eliminated.”",
            "The sixth day of crisis in Kazakhstan saw some stabilization as newly arrived \
             CSTO forces supported local security services",
            "2022",
        ] {
            assert!(!is_heading_line(p), "{p}");
        }
    }

    fn units_of(body: &str, max: usize) -> Vec<(String, bool)> {
        let mut l = Layout::default();
        layout(body, max, &mut |_, _| false, &mut l);
        l.units
            .iter()
            .map(|u| (body[u.start..u.end].to_string(), u.heading))
            .collect()
    }

    #[test]
    fn paragraphs_headings_and_windows() {
        let body = "Lead paragraph here.\n\n'Criminals' killed\n\nIn a statement, the \
                    ministry said so. It added more. And more still.\n\nLast line";
        let u = units_of(body, 400);
        assert_eq!(
            u,
            vec![
                ("Lead paragraph here.".into(), false),
                ("'Criminals' killed".into(), true),
                (
                    "In a statement, the ministry said so. It added more. And more still.".into(),
                    false
                ),
                ("Last line".into(), true),
            ]
        );
        // A long paragraph becomes windows of whole sentences.
        let long = "This is sentence number one of many. ".repeat(12);
        let u = units_of(long.trim(), 120);
        assert!(u.len() >= 4);
        for (t, h) in &u {
            assert!(!h);
            assert!(t.len() <= 120 + 30, "{}", t.len());
            assert!(t.starts_with("This") && t.ends_with("many."), "{t}");
        }
        // Only short lines: they are the passages.
        assert_eq!(
            units_of("Breaking news", 400),
            vec![("Breaking news".into(), false)]
        );
    }

    #[test]
    fn dropped_lines_break_paragraphs() {
        let body = "Real text here.\nSource link\nMore real text.";
        let mut l = Layout::default();
        layout(
            body,
            400,
            &mut |_, line| line.trim() == "Source link",
            &mut l,
        );
        let texts: Vec<&str> = l.units.iter().map(|u| &body[u.start..u.end]).collect();
        assert_eq!(texts, vec!["Real text here.", "More real text."]);
        assert_eq!(l.paragraphs.len(), 2);
    }

    /// Paragraphs as they were found before the no-trim fast path: every paragraph
    /// trimmed, every single line tested for a heading.
    fn paragraphs_reference(body: &str) -> Vec<Para> {
        let mut out = Vec::new();
        let push = |s: usize, e: usize, lines: usize, out: &mut Vec<Para>| {
            let (s, e) = trim_range(body, s, e);
            if s < e {
                let heading = lines == 1 && is_heading_line(&body[s..e]);
                out.push(Para {
                    start: s,
                    end: e,
                    heading,
                });
            }
        };
        let (mut para_start, mut para_end, mut lines) = (None, 0, 0);
        let mut at = 0;
        loop {
            let line_end = body[at..].find('\n').map_or(body.len(), |i| at + i);
            if body[at..line_end].trim().is_empty() {
                if let Some(s) = para_start.take() {
                    push(s, para_end, lines, &mut out);
                }
                lines = 0;
            } else {
                para_start.get_or_insert(at);
                para_end = line_end;
                lines += 1;
            }
            if line_end >= body.len() {
                break;
            }
            at = line_end + 1;
        }
        if let Some(s) = para_start {
            push(s, para_end, lines, &mut out);
        }
        if !out.is_empty() && out.iter().all(|p| p.heading) {
            out.iter_mut().for_each(|p| p.heading = false);
        }
        out
    }

    /// Sentences as they were found before the searches were kept: both searched again
    /// from every mark.
    fn sentences_reference(text: &str, max_chars: usize) -> Vec<(usize, usize)> {
        let (bytes, mut out, mut sent_start, mut i) = (text.as_bytes(), Vec::new(), 0, 0);
        let push = |s: usize, e: usize, out: &mut Vec<(usize, usize)>| {
            let (s, e) = trim_range(text, s, e);
            if s < e {
                cut_long(text, s, e, max_chars, 0, out);
            }
        };
        let find = |from: usize| -> Option<usize> {
            let rest = bytes.get(from..)?;
            let marks = memchr::memchr3(b'.', b'!', b'?', rest);
            let other = memchr::memchr2(b'\n', 0xE2, rest);
            [marks, other].into_iter().flatten().min().map(|x| from + x)
        };
        while let Some(at) = find(i) {
            i = at;
            let b = bytes[i];
            let ellipsis = b == 0xE2 && bytes.get(i + 1..i + 3) == Some(&[0x80, 0xA6][..]);
            if b == 0xE2 && !ellipsis {
                i += 1;
                continue;
            }
            match boundary(text, i) {
                Some((at, resume)) => {
                    push(sent_start, at, &mut out);
                    sent_start = at;
                    i = resume;
                }
                None => i += if ellipsis { 3 } else { 1 },
            }
        }
        push(sent_start, text.len(), &mut out);
        out
    }

    proptest::proptest! {
        /// Keeping each search's answer until the scan passes it finds the same sentences.
        #[test]
        fn kept_searches_find_the_same_sentences(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "He said.", " ", "Mr.", " Smith", "\n", "Really?", "Yes!", "…", "—", "“Go.”",
                    " the", " U.S.", " The", "3.5", "a", "’", "e.g.", " x",
                ]),
                0..40,
            ),
            max_chars in 20usize..200,
        ) {
            let text: String = parts.concat();
            let mut got = Vec::new();
            split_sentences(&text, 0, text.len(), max_chars, &mut got);
            proptest::prop_assert_eq!(got, sentences_reference(&text, max_chars));
        }

        /// The ASCII word count is `split_whitespace`'s (lines of several chunks too).
        #[test]
        fn ascii_word_count_is_split_whitespace(line in "[ -~\t\n\x0b\x0c\r\x1c-\x1f\x00]{0,80}") {
            proptest::prop_assert_eq!(word_count(&line), line.split_whitespace().count());
        }

        /// The line breaks found by masks are memchr's, in texts of several steps.
        #[test]
        fn newlines_are_memchr_ones(
            b in proptest::collection::vec(
                proptest::sample::select(b"ab \n\r.\xc3\xa9".to_vec()), 0..300)
        ) {
            let got: Vec<usize> = Newlines::new(&b).collect();
            let want: Vec<usize> = memchr::memchr_iter(b'\n', &b).collect();
            proptest::prop_assert_eq!(got, want);
            if let Some(step) = b.get(..64) {
                let step: &[u8; 64] = step.try_into().unwrap();
                proptest::prop_assert_eq!(newline_mask64(step), newline_mask64_scalar(step));
            }
        }

        /// The SSE2 word bits are the byte-by-byte ones, for any bytes.
        #[test]
        fn word_bits_are_the_byte_test(b in proptest::array::uniform16(proptest::num::u8::ANY)) {
            proptest::prop_assert_eq!(word_bits(&b), word_bits_scalar(&b));
        }

        /// Skipping the trim and the heading test where a few bytes settle them finds the
        /// same paragraphs and headings.
        #[test]
        fn fast_paragraphs_are_the_trimmed_ones(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Fuel price hike", "The price rose.", " ", "\t", "\n", "\n\n", "\r\n",
                    "\u{a0}", "“Quoted”", "é", "a", ".", "x".repeat(160).leak() as &str,
                    "Word word word", "\u{2003}",
                ]),
                0..30,
            )
        ) {
            let body: String = parts.concat();
            let mut got = Vec::new();
            paragraphs(&body, &mut |_, _| false, &mut got);
            proptest::prop_assert_eq!(got, paragraphs_reference(&body));
        }
    }
}
