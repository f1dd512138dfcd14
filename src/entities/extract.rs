//! Rule-based named-entity extraction: tokenising, finding capitalised name runs, trimming
//! sentence starts, headings, titles and nationality words, and typing each name from
//! gazetteers, cue words and context. Produces mentions; `canonical` merges them.

use super::canonical::{after_arabic_article, fold_into};
use super::gazetteer::{class, Gazetteer, Place, PlaceClass};
use crate::article::EntityKind;

// Token flags.
const CAP: u16 = 1;
const ALLCAPS: u16 = 1 << 1;
const DIGIT: u16 = 1 << 2;
const LOWER: u16 = 1 << 3;
/// Followed by a possessive `'s` (not part of the token).
const POSS: u16 = 1 << 4;
/// Starts a sentence, a line, a quotation or a heading.
const SENT: u16 = 1 << 5;
/// Punctuation stands between the previous token and this one.
const HARD: u16 = 1 << 6;
/// Hyphenated with a lowercase part: an adjective ("Russia-led", "Large-scale").
const HYPH_LOWER: u16 = 1 << 7;
/// An opening parenthesis stands right before this token.
const PAREN: u16 = 1 << 8;
/// Part of a line written in title case or capitals: capitalisation says nothing there.
const HEADLINE: u16 = 1 << 9;
/// A contraction ("We've", "I'm"): never a name.
const CONTRACTION: u16 = 1 << 10;

// Cached token bits above the word classes.
const COMPUTED: u32 = 1 << 31;
const IS_PLACE: u32 = 1 << 30;
const PLACE_CLASS_SHIFT: u32 = 27;
/// Whether the token is a nationality word ([`Scan::demonym`]) has been worked out, and
/// the answer: the same token is asked about from several rules.
const DEMONYM_DONE: u32 = 1 << 26;
const DEMONYM_YES: u32 = 1 << 25;

/// Whether the run `start..end` stands in apposition to the one-token run ending at `last`:
/// `ACRONYM, the Name Of Body,` then a lowercase word, or a clause end. A list ("CNN, the New
/// York Times and ...", "..., the Post, the ...") is not an apposition.
fn appositive_after(text: &str, toks: &[Tok], last: usize, start: usize, end: usize) -> bool {
    let tok = |i: usize| {
        toks.get(i)
            .map_or("", |t| &text[t.start as usize..t.end as usize])
    };
    if start < 2 || last != start - 2 || toks.get(start - 1).is_none_or(|t| !t.has(HARD)) {
        return false;
    }
    let (a, the) = (toks[last], toks[start - 1]);
    if tok(start - 1) != "the" || text[a.end as usize..the.start as usize].trim() != "," {
        return false;
    }
    let Some(after) = toks.get(end - 1).and_then(|t| text.get(t.end as usize..)) else {
        return false;
    };
    let after = after.trim_start();
    if after.starts_with(['.', ')', ';', ':']) || after.is_empty() {
        return true;
    }
    after.starts_with(',')
        && toks.get(end).is_some_and(|t| t.has(LOWER))
        && !matches!(tok(end), "and" | "or" | "the" | "a" | "an" | "as" | "plus")
}

/// The place class of a cached token, when the word alone is a place.
/// Word classes of a given name that is not also a common word ("Fernando", not "May").
fn given_only(wc: u32) -> bool {
    wc & (class::GIVEN | class::COMMON) == class::GIVEN
}

fn place_class(c: u32) -> Option<PlaceClass> {
    if c & IS_PLACE == 0 {
        return None;
    }
    Some(match (c >> PLACE_CLASS_SHIFT) & 7 {
        0 => PlaceClass::SmallCity,
        1 => PlaceClass::City,
        2 => PlaceClass::BigCity,
        3 => PlaceClass::Region,
        _ => PlaceClass::Country,
    })
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: u32,
    end: u32,
    flags: u16,
}

impl Tok {
    #[inline]
    fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }
}

/// Whether a word (any case) is a title's rank ("Deputy", "Acting", "Former"), which
/// belongs to the title, never to a portfolio or a body's name.
fn is_title_rank(w: &str) -> bool {
    super::lexicon::TITLE_RANKS
        .iter()
        .any(|r| w.eq_ignore_ascii_case(r))
}

/// Abbreviations whose period does not end a sentence.
fn is_abbrev(w: &str) -> bool {
    matches!(
        w,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "St"
            | "Mt"
            | "Ft"
            | "Gen"
            | "Sen"
            | "Sens"
            | "Rep"
            | "Reps"
            | "Gov"
            | "Lt"
            | "Col"
            | "Maj"
            | "Capt"
            | "Sgt"
            | "Prof"
            | "Jr"
            | "Sr"
            | "Inc"
            | "Corp"
            | "Ltd"
            | "Co"
            | "No"
            | "vs"
            | "Rev"
            | "Brig"
            | "Adm"
            | "Cmdr"
            | "Supt"
            | "Insp"
            | "Det"
            | "Gov't"
            | "Pres"
            | "Sec"
            | "Jan"
            | "Feb"
            | "Aug"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
    ) || (w.len() == 1 && w.as_bytes()[0].is_ascii_uppercase())
}

/// Per ASCII byte: 1 a digit, 3 a lowercase letter, 7 an uppercase letter, 0 anything
/// else (a non-ASCII byte too: the general path handles it). One load and no branch per
/// letter in the loop over a word's plain letters, where most of the text goes by.
const ASCII_WORD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = if b.is_ascii_uppercase() {
            7
        } else if b.is_ascii_lowercase() {
            3
        } else if b.is_ascii_digit() {
            1
        } else {
            0
        };
        c += 1;
    }
    t
};

/// How many bytes from `j` on are ASCII lowercase letters, eight at a time: the bulk of
/// a word after its first letter.
#[inline]
fn lowercase_run(b: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let start = j;
    while let Some(chunk) = b.get(j..j + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let low7 = x & !HIGH;
        // High bit of each byte: at least 'a' (0x61), above 'z' (0x7a); no carry crosses
        // bytes as every addend stays below 0x100.
        let at_least_a = (low7 + 0x1f * ONES) & HIGH;
        let above_z = (low7 + 0x05 * ONES) & HIGH;
        let lower = at_least_a & !above_z & !x & HIGH;
        let not_lower = !lower & HIGH;
        if not_lower != 0 {
            return j - start + (not_lower.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while b.get(j).is_some_and(u8::is_ascii_lowercase) {
        j += 1;
    }
    j - start
}

/// Advances over the plain ASCII letters and digits of a word from `j`, counting letters,
/// capitals and the letters since the last dot; returns where the word's plain part ends.
#[inline]
fn ascii_word_end(
    b: &[u8],
    mut j: usize,
    letters: &mut u32,
    uppers: &mut u32,
    seg: &mut u32,
) -> usize {
    loop {
        let run = lowercase_run(b, j) as u32;
        *letters += run;
        *seg += run;
        j += run as usize;
        let Some(&c) = b.get(j) else { return j };
        let k = ASCII_WORD[usize::from(c)];
        if k == 0 {
            return j;
        }
        *letters += u32::from(k >> 1 & 1);
        *uppers += u32::from(k >> 2);
        *seg += 1;
        j += 1;
    }
}

/// Splits text into word tokens, remembering the punctuation between them.
fn tokenize(text: &str, out: &mut Vec<Tok>) {
    out.clear();
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut gap: u16 = SENT | HARD;
    while i < n {
        let c = b[i];
        // A space is most of what lies between words: nothing to remember.
        if c == b' ' {
            i += 1;
            continue;
        }
        let first_class = ASCII_WORD[usize::from(c)];
        let (ch, clen) = if c < 0x80 {
            (c as char, 1)
        } else {
            match text[i..].chars().next() {
                Some(ch) => (ch, ch.len_utf8()),
                None => break,
            }
        };
        if first_class == 0 && !ch.is_alphanumeric() {
            match ch {
                ' ' | '\t' | '\u{a0}' => {}
                '.' | '!' | '?' => {
                    let abbrev = ch == '.'
                        && out.last().is_some_and(|t: &Tok| {
                            t.end as usize == i
                                && is_abbrev(&text[t.start as usize..t.end as usize])
                        });
                    if !abbrev {
                        gap |= SENT | HARD;
                    }
                }
                ':' | '\n' | '\r' | '|' | '•' | '#' | '*' | '>' => gap |= SENT | HARD,
                '"' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2014}' | '\u{2013}' => {
                    gap |= SENT | HARD
                }
                '(' | '[' => gap |= HARD | PAREN,
                _ => gap |= HARD,
            }
            i += clen;
            continue;
        }
        // A word: letters and digits, with inner apostrophes, hyphens and acronym dots.
        let start = i;
        let mut j = i;
        let mut flags: u16 = 0;
        let mut letters = 0u32;
        let mut uppers = 0u32;
        let mut first = true;
        let mut seg_len = 0u32; // letters since the last dot, for U.S.-style acronyms
        let mut hyph_lower = false;
        let mut after_hyphen = false;
        let mut has_dot = false;
        // Bytes of a possessive ending ("'s", "'") after the word: not part of the token.
        let mut possessive_end = 0;
        if first_class != 0 {
            // A word starting with a plain ASCII letter or digit (most words): its first
            // character's class comes from the table, not from the general path below.
            flags |= match first_class {
                7 => CAP,
                3 => LOWER,
                _ => DIGIT,
            };
            first = false;
            letters += u32::from(first_class >> 1 & 1);
            uppers += u32::from(first_class >> 2);
            seg_len += 1;
            j += 1;
            j = ascii_word_end(b, j, &mut letters, &mut uppers, &mut seg_len);
        }
        while j < n {
            // A space ends the word at once (no joining character to look past).
            if b[j] == b' ' {
                break;
            }
            let (cj, lj) = if b[j] < 0x80 {
                (b[j] as char, 1)
            } else {
                match text[j..].chars().next() {
                    Some(ch) => (ch, ch.len_utf8()),
                    None => break,
                }
            };
            if cj.is_alphanumeric() {
                if first {
                    if cj.is_uppercase() {
                        flags |= CAP;
                    } else if cj.is_numeric() {
                        flags |= DIGIT;
                    } else {
                        flags |= LOWER;
                    }
                    first = false;
                }
                if after_hyphen {
                    if cj.is_lowercase() {
                        hyph_lower = true;
                    }
                    after_hyphen = false;
                }
                if cj.is_alphabetic() {
                    letters += 1;
                    if cj.is_uppercase() {
                        uppers += 1;
                    }
                }
                seg_len += 1;
                j += lj;
                // The rest of a plain ASCII word: only the counts change, so skip the
                // general per-character path (most of the text is such words).
                j = ascii_word_end(b, j, &mut letters, &mut uppers, &mut seg_len);
                continue;
            }
            // Most words end at a space or plain punctuation: only the few characters that
            // may join a word go on to look at what follows.
            if !matches!(cj, '\'' | '\u{2019}' | '-' | '\u{2010}' | '\u{2011}' | '.') {
                break;
            }
            let rest = &text[j + lj..];
            let mut it = rest.chars();
            let next = it.next();
            let after = it.next();
            let next_alnum = next.is_some_and(char::is_alphanumeric);
            match cj {
                '\'' | '\u{2019}' if next_alnum => {
                    if matches!(next, Some('s') | Some('S'))
                        && !after.is_some_and(char::is_alphanumeric)
                    {
                        // Possessive: "Kazakhstan's" is the token "Kazakhstan".
                        flags |= POSS;
                        possessive_end = lj + 1;
                        break;
                    }
                    let tail: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
                    if matches!(tail.as_str(), "ve" | "re" | "ll" | "d" | "m" | "t") {
                        flags |= CONTRACTION;
                    }
                    j += lj;
                }
                '\'' | '\u{2019}' if j > start && b[j - 1] == b's' => {
                    // Plural possessive ("Workers' Party"): the apostrophe is not a quote.
                    flags |= POSS;
                    possessive_end = lj;
                    break;
                }
                '-' | '\u{2010}' | '\u{2011}' if next_alnum => {
                    after_hyphen = true;
                    seg_len = 0;
                    j += lj;
                }
                '.' if seg_len == 1 && b[j - 1].is_ascii_uppercase() => {
                    // U.S., U.K., D.C.: the dots belong to the token.
                    if next.is_some_and(|c| c.is_ascii_uppercase())
                        && (after == Some('.') || !after.is_some_and(char::is_alphanumeric))
                    {
                        has_dot = true;
                        seg_len = 0;
                        j += 1;
                    } else {
                        if has_dot {
                            j += 1;
                        }
                        break;
                    }
                }
                _ => break,
            }
        }
        out.push(Tok {
            start: start as u32,
            end: j as u32,
            flags: finish_flags(flags, &text[start..j], letters, uppers, hyph_lower) | gap,
        });
        gap = 0;
        i = j + possessive_end;
    }
}

#[inline]
fn finish_flags(mut flags: u16, word: &str, letters: u32, uppers: u32, hyph_lower: bool) -> u16 {
    if letters >= 2 && uppers == letters {
        flags |= ALLCAPS;
    }
    if flags & LOWER != 0 && arabic_article_name(word) {
        flags = flags & !LOWER | CAP;
    }
    if hyph_lower {
        flags |= HYPH_LOWER;
    }
    flags
}

/// A name after the Arabic article, written in lowercase ("al-Assad", "el-Sisi",
/// "ash-Sharaa"): a capitalised word of a name, as "Al-Assad" is at a sentence start.
#[inline]
fn arabic_article_name(word: &str) -> bool {
    // Asked of every lowercase word: nearly all have no hyphen where an article's would be
    // (comparing the prefixes of every word was a fifth of extraction).
    let b = word.as_bytes();
    (b.get(2) == Some(&b'-') || b.get(3) == Some(&b'-'))
        && after_arabic_article(word).is_some_and(|name| name.starts_with(char::is_uppercase))
}

/// Marks lines written in title case or capitals: there, capitals do not mark names.
fn mark_headlines(text: &str, toks: &mut [Tok], whole_is_title: bool) {
    let mut line_start = 0;
    while line_start < toks.len() {
        let mut end = line_start + 1;
        while end < toks.len() && !line_break_before(text, &toks[end - 1], &toks[end]) {
            end += 1;
        }
        let mut caps = 0;
        let mut lows = 0;
        let mut allcaps = 0;
        for t in &toks[line_start..end] {
            let len = t.end - t.start;
            if t.has(LOWER) && len >= 4 {
                lows += 1;
            } else if t.has(CAP) && len >= 4 {
                caps += 1;
                if t.has(ALLCAPS) {
                    allcaps += 1;
                }
            }
        }
        let headline = (caps >= 4 && lows == 0)
            || (caps >= 3 && allcaps * 10 >= caps * 8)
            || (whole_is_title && caps >= 3 && lows * 4 < caps);
        if headline {
            for t in &mut toks[line_start..end] {
                t.flags |= HEADLINE;
            }
        }
        line_start = end;
    }
}

fn line_break_before(text: &str, prev: &Tok, t: &Tok) -> bool {
    // A byte search: '\n' never occurs inside a multi-byte character.
    t.has(SENT)
        && text
            .as_bytes()
            .get(prev.end as usize..t.start as usize)
            .is_some_and(|g| g.contains(&b'\n'))
}

/// A name found in the text, before merging.
#[derive(Debug, Clone)]
pub struct Mention {
    /// `None`: a lone capitalised word whose kind only the rest of the article can tell.
    pub kind: Option<EntityKind>,
    /// The name as written, without titles or possessive.
    pub surface: String,
    /// The gazetteer's name for a place ("Aqtobe" -> "Aktobe").
    pub canonical: Option<Box<str>>,
    /// 3: a cue made it certain (title, gazetteer, organisation word); 2: good evidence;
    /// 1: a guess from shape alone.
    pub strength: u8,
    /// Byte position of the first mention (title before body).
    pub pos: u32,
    pub acronym: bool,
    /// For an acronym in parentheses right after a name, or followed by a body's name in
    /// apposition ("ODKB, the Collective Security Treaty Organization,"): that name's
    /// mention index.
    pub paren_of: Option<usize>,
    /// Context hints for lone words: "X said", "in X".
    pub said: bool,
    pub place_prep: bool,
    /// Number of name words (not particles).
    pub words: u8,
    /// A lone word that is also an English word ("Price", "Police").
    pub common: bool,
    /// A lone word that is a given name ("Victoria", "Kerry").
    pub given: bool,
    /// For a name the gazetteer knows as a place, that place's class: a lone country or
    /// city of millions ("Peru", "Caracas") is never taken for a person's surname within an
    /// article, nor is a region however the text titles it; a city or larger place does not
    /// begin an organisation's name ("Florida" beside "Florida Democratic Party").
    pub place_class: Option<PlaceClass>,
}

/// Slots of [`Scan`]'s table of recently looked-up words (a power of two): 128 KB, which
/// stays in a core's cache.
const RECENT_SLOTS: usize = 8192;

/// Per-article extraction state.
pub struct Scan<'g> {
    g: &'g Gazetteer,
    pub mentions: Vec<Mention>,
    toks: Vec<Tok>,
    cache: Vec<u32>,
    /// Class bits (with COMPUTED set, so never 0) of recently looked-up words, by the
    /// low bits of their gazetteer key: (key, bits), (0, 0) when empty.
    recent: Box<[(u64, u32)]>,
    buf: String,
    /// The folded text of the run [`Scan::classify`] is reading.
    span: String,
    base: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    None,
    /// A title or role word stood before: a person.
    Person,
    /// A role held in a company follows ("Goldman Sachs CEO Lloyd Blankfein"), and the
    /// name starts with a word that is no English word, given name or nationality: the
    /// company, not a person named by shape.
    Employer,
}

impl<'g> Scan<'g> {
    pub fn new(g: &'g Gazetteer) -> Scan<'g> {
        Scan {
            g,
            mentions: Vec::new(),
            toks: Vec::new(),
            cache: Vec::new(),
            recent: vec![(0, 0); RECENT_SLOTS].into_boxed_slice(),
            buf: String::new(),
            span: String::new(),
            base: 0,
        }
    }

    /// The gazetteer this scanner reads.
    pub fn gazetteer(&self) -> &'g Gazetteer {
        self.g
    }

    /// Forgets the previous article, keeping the buffers' memory for the next one.
    pub fn reset(&mut self) {
        self.mentions.clear();
        self.buf.clear();
        self.base = 0;
    }

    /// Class bits of token `k`, computed once per token: its word classes and, in the
    /// high bits, whether the word alone is a place and of which class.
    #[inline]
    fn wc(&mut self, text: &str, toks: &[Tok], k: usize) -> u32 {
        // Asked several times per token: the answer from the cache is inlined at every call,
        // the lookup is not.
        match self.cache.get(k) {
            Some(&c) if c & COMPUTED != 0 => c,
            _ => self.wc_lookup(text, toks, k),
        }
    }

    #[inline(never)]
    fn wc_lookup(&mut self, text: &str, toks: &[Tok], k: usize) -> u32 {
        let t = toks[k];
        let word = &text[t.start as usize..t.end as usize];
        // A short ASCII word (nearly all of them) folds to its lowercase on the stack.
        let mut lower = [0u8; 32];
        let key = if word.len() <= lower.len() && word.is_ascii() {
            let lower = &mut lower[..word.len()];
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            Gazetteer::token_key(lower)
        } else {
            self.buf.clear();
            fold_into(word, &mut self.buf);
            Gazetteer::token_key(self.buf.as_bytes())
        };
        // The gazetteer's table is megabytes, and while tantivy indexes on the other core
        // nearly every probe into it missed the caches: the words an archive capitalises
        // most ("Trump", "The", "Senate") are answered from a small table of recent keys.
        let slot = &mut self.recent[key as usize & (RECENT_SLOTS - 1)];
        let c = if slot.0 == key && slot.1 != 0 {
            slot.1
        } else {
            let (bits, place) = self.g.token_by_key(key);
            let mut c = bits | COMPUTED;
            if let Some(p) = place {
                c |= IS_PLACE | ((p.class as u32) << PLACE_CLASS_SHIFT);
            }
            *slot = (key, c);
            c
        };
        if let Some(slot) = self.cache.get_mut(k) {
            *slot = c;
        }
        c
    }

    /// Word classes of the run of tokens `a..b` taken whole (a multi-word list entry such
    /// as a known body or an event), folded into the scratch buffer.
    fn run_classes(&mut self, text: &str, toks: &[Tok], a: usize, b: usize) -> u32 {
        fold_run(text, toks, a, b, &mut self.buf);
        self.g.word(&self.buf)
    }

    /// Scans one text (a title or a body). `title` marks a headline.
    pub fn scan(&mut self, text: &str, title: bool) {
        let mut toks = std::mem::take(&mut self.toks);
        tokenize(text, &mut toks);
        mark_headlines(text, &mut toks, title);
        self.cache.clear();
        self.cache.resize(toks.len(), 0);
        self.mark_caps_labels(text, &mut toks);
        self.mark_title_case(text, &mut toks);
        let n = toks.len();
        let mut i = 0;
        let mut prev_run_end: Option<(usize, usize)> = None; // (last token idx, mention count before)
        while i < n {
            // Most tokens are lowercase: skip them before the call.
            if !toks[i].has(CAP) {
                i += 1;
                continue;
            }
            if !self.name_like(text, &toks, i) {
                if toks[i].has(CAP) && toks[i].has(HYPH_LOWER) {
                    let t = toks[i];
                    self.hyphen_place(text, &t);
                }
                i += 1;
                continue;
            }
            let start = i;
            let mut j = i + 1;
            let first_wc = self.wc(text, &toks, i);
            let mut has_org_head_of = first_wc
                & (class::ORG_HEAD_OF | class::TITLE_HEAD | class::PLACE_SUFFIX | class::ORG_HEAD)
                != 0;
            let mut has_org = false;
            // "Governor of Texas" goes on past "of"; "Gov. Nikki Haley of S.C." and
            // "Secretary of State Mike Pompeo of Kansas" do not: once a given name follows
            // the last title or institution word, a person is named and "of" starts where
            // they come from.
            let head_bits = class::ORG_HEAD_OF | class::PLACE_SUFFIX | class::ORG_HEAD;
            let mut named_after_title = false;
            // After a person's title any name will do, listed as a given name or not
            // ("Sen. Mitt Romney of Utah", "Rep. Hakeem Jeffries of New York"); after an
            // institution word only a given name says a person is named.
            let mut after_title = first_wc & class::TITLE_HEAD != 0;
            // "Ministry of": an institution word first, then "of" (for "and" below).
            let first_org = first_wc & class::ORG_HEAD != 0;
            let mut passed_of = false;
            // "Kazakhstan's Interior Ministry": the possessor is a name of its own; but a
            // plain word's possessive starts a longer name ("the Workers' Party", "the
            // Women's Refuge"), as it does inside a run.
            let plain_possessor = toks[i].has(POSS)
                && self.capitalised_common(
                    text,
                    &toks,
                    i,
                    class::GIVEN | IS_PLACE | class::ORG_HEAD | class::TITLE_HEAD,
                )
                && i + 1 < n
                && !toks[i + 1].has(HARD)
                && self.name_like(text, &toks, i + 1)
                // Not before a person: "Racing's Fernando Gago".
                && !given_only(self.wc(text, &toks, i + 1));
            if toks[i].has(POSS) && !plain_possessor {
            } else {
                while j < n && !toks[j].has(HARD) {
                    if self.name_like(text, &toks, j) {
                        let wc = self.wc(text, &toks, j);
                        if wc
                            & (class::ORG_HEAD_OF
                                | class::TITLE_HEAD
                                | class::PLACE_SUFFIX
                                | class::ORG_HEAD)
                            != 0
                        {
                            has_org_head_of = true;
                        }
                        if wc & (head_bits | class::TITLE_HEAD) != 0 {
                            named_after_title = false;
                            after_title = wc & head_bits == 0;
                        } else if has_org_head_of && (wc & class::GIVEN != 0 || after_title) {
                            named_after_title = true;
                        }
                        if wc & class::ORG_HEAD != 0 {
                            has_org = true;
                        }
                        let poss = toks[j].has(POSS);
                        j += 1;
                        // "Workers' Party" goes on past a plain word's possessive; a complete
                        // institution does not ("Bureau of Meteorology's Jane Roe", "World
                        // Health Organization's advisers"), nor does one before a given name.
                        let owner_done = passed_of || wc & class::ORG_HEAD != 0;
                        if poss
                            && !(wc & class::COMMON != 0
                                && !owner_done
                                && j < n
                                && self.name_like(text, &toks, j)
                                && !given_only(self.wc(text, &toks, j)))
                        {
                            break;
                        }
                        continue;
                    }
                    // A lowercase connector inside a name ("Rio de Janeiro", "Ministry of the Interior").
                    if toks[j].has(LOWER) && j + 1 < n {
                        let w = &text[toks[j].start as usize..toks[j].end as usize];
                        let next_ok = |k: usize| {
                            k < n
                                && !toks[k].has(HARD)
                                && (toks[k].has(CAP) && !toks[k].has(HYPH_LOWER))
                                && !toks[k].has(HEADLINE)
                        };
                        let wc = self.wc(text, &toks, j);
                        if wc & class::PARTICLE != 0 && next_ok(j + 1) && w != "e" {
                            j += 1;
                            continue;
                        }
                        if w == "of" && has_org_head_of && !named_after_title {
                            passed_of = true;
                            if next_ok(j + 1) {
                                j += 1;
                                continue;
                            }
                            if j + 2 < n
                                && &text[toks[j + 1].start as usize..toks[j + 1].end as usize]
                                    == "the"
                                && next_ok(j + 2)
                                && !toks[j + 1].has(HARD)
                            {
                                j += 2;
                                continue;
                            }
                        }
                        // Not after a body known by its name: "Qatar Airways and Saudi
                        // Aramco" are two.
                        if (w == "for" || w == "on" || w == "and")
                            && has_org
                            && next_ok(j + 1)
                            && !(w == "and"
                                && self.run_classes(text, &toks, start, j) & class::KNOWN_ORG != 0)
                        {
                            j += 1;
                            continue;
                        }
                        // "Ministry of Agriculture and Livestock", "Ministry of Science and
                        // Technology": after "Institution of X", "and" with one more plain
                        // word that ends the run is still the portfolio. Not "Radio Globo
                        // and Globo TV" (a second name), nor "... and Peru" (a place).
                        // Up to three plain words, as in "Department of Health and Human
                        // Services", "Department of Housing and Urban Development".
                        if w == "and" && first_org && passed_of && next_ok(j + 1) {
                            let mut k = j + 1;
                            // Looser than a plain word: a title's words are portfolios
                            // here ("and Finance").
                            while k < n
                                && k <= j + 3
                                && !toks[k].has(HARD)
                                && self.capitalised_common(
                                    text,
                                    &toks,
                                    k,
                                    class::GIVEN | class::ORG_HEAD | IS_PLACE,
                                )
                            {
                                k += 1;
                            }
                            let ends = k > j + 1
                                && (k >= n || toks[k].has(HARD) || !self.name_like(text, &toks, k));
                            if ends {
                                j += 1;
                                continue;
                            }
                        }
                        // "Ways and Means Committee", "Energy and Commerce Committee": plain
                        // words on both sides of "and" and an institution word after them
                        // make one body. Not "Obama and Clinton Foundation".
                        // Portfolio words count as plain here ("Energy and Commerce
                        // Committee", "Health and Human Services Department", though an
                        // energy company is "X Energy"), and a title may end the body's
                        // name as an institution word does ("Health and Human Services
                        // Secretary Alex Azar").
                        if w == "and" && !has_org && j - start <= 3 && next_ok(j + 1) {
                            // Not after a body or place known by its own name: "White
                            // House and State Department", "Pentagon and ..." are two.
                            self.buf.clear();
                            fold_into(
                                &text[toks[start].start as usize..toks[j - 1].end as usize],
                                &mut self.buf,
                            );
                            let known_before = self.g.place(&self.buf).is_some();
                            let before_plain = !known_before
                                && (start..j).all(|k| {
                                    toks[k].has(LOWER) || self.portfolio_word(text, &toks, k)
                                });
                            let mut k = j + 1;
                            let mut head = false;
                            while before_plain && k < n && k <= j + 3 && !toks[k].has(HARD) {
                                // At least one plain word first: "House and Senate",
                                // "White House and Congress" are two bodies.
                                if !self.portfolio_word(text, &toks, k) {
                                    head = k > j + 1
                                        && !toks[k].has(ALLCAPS)
                                        && self.wc(text, &toks, k)
                                            & (class::ORG_HEAD | class::TITLE_HEAD)
                                            != 0;
                                    break;
                                }
                                k += 1;
                            }
                            if head {
                                j += 1;
                                continue;
                            }
                        }
                        if w == "and" && next_ok(j + 1) {
                            // "Trinidad and Tobago": only when the gazetteer knows the whole.
                            self.buf.clear();
                            fold_into(
                                &text[toks[start].start as usize..toks[j + 1].end as usize],
                                &mut self.buf,
                            );
                            if self.g.place(&self.buf).is_some() {
                                j += 1;
                                continue;
                            }
                        }
                    }
                    break;
                }
            }
            // Trailing connectors are not part of the name.
            while j > start + 1 && toks[j - 1].has(LOWER) {
                j -= 1;
            }
            // "Khabar 24", "France 24": a short number right after a name is part of it.
            let mut with_number = false;
            if j < n
                && toks[j].has(DIGIT)
                && !toks[j].has(HARD)
                && toks[j].end - toks[j].start <= 3
                && !toks[j - 1].has(POSS)
                && text[toks[j].start as usize..toks[j].end as usize]
                    .bytes()
                    .all(|c| c.is_ascii_digit())
                && j - start <= 2
                && text.get(toks[j].end as usize..).is_some_and(|rest| {
                    !rest.starts_with(['%', ':', '.', ',', '-'])
                        || rest.starts_with(", ")
                        || rest.starts_with(". ")
                })
            {
                let wc = self.wc(text, &toks, j - 1);
                if wc & (class::COMMON | class::CALENDAR | class::FUNCTION) == 0 {
                    with_number = true;
                    j += 1;
                }
            }
            let paren_of = if toks[start].has(PAREN) {
                prev_run_end
                    .filter(|(last, _)| *last + 1 == start)
                    .map(|(_, m)| m)
            } else {
                None
            };
            self.lowercase_institution(text, &toks, j);
            let before = self.mentions.len();
            self.run(text, &toks, start, j, with_number, paren_of);
            if self.mentions.len() == before + 1 {
                if let Some((_, acronym)) =
                    prev_run_end.filter(|&(last, _)| appositive_after(text, &toks, last, start, j))
                {
                    // "ODKB, the Collective Security Treaty Organization, asked ...": the
                    // name defines the acronym before it as parentheses after it would.
                    if self.mentions[acronym].acronym && self.mentions[acronym].paren_of.is_none() {
                        self.mentions[acronym].paren_of = Some(before);
                    }
                }
            }
            if self.mentions.len() > before {
                prev_run_end = Some((j - 1, self.mentions.len() - 1));
            } else {
                prev_run_end = None;
            }
            i = j;
        }
        self.toks = toks;
        self.base += text.len() as u32 + 1;
    }

    /// Whether token `k` is a plain capitalised word or a portfolio ("Energy", "Health",
    /// "Commerce"), which may stand on either side of "and" in a body's name.
    fn portfolio_word(&mut self, text: &str, toks: &[Tok], k: usize) -> bool {
        if toks[k].has(POSS)
            || !self.capitalised_common(
                text,
                toks,
                k,
                class::GIVEN | class::TITLE_HEAD | class::DEMONYM | IS_PLACE,
            )
        {
            return false;
        }
        let wc = self.wc(text, toks, k);
        if wc & class::KNOWN_ORG != 0 {
            return false;
        }
        // A title's rank words are no portfolio ("Former Health and ...").
        if is_title_rank(&text[toks[k].start as usize..toks[k].end as usize]) {
            return false;
        }
        wc & class::ORG_HEAD == 0 || wc & class::TITLE_MOD != 0
    }

    /// Whether token `k` is an English word written with a capital (not in capitals) and
    /// has none of the class bits `not`.
    fn capitalised_common(&mut self, text: &str, toks: &[Tok], k: usize, not: u32) -> bool {
        let t = toks[k];
        if !t.has(CAP) || t.has(ALLCAPS) {
            return false;
        }
        let wc = self.wc(text, toks, k);
        wc & class::COMMON != 0 && wc & not == 0
    }

    /// Whether token `k` is a plain English word written in capitals ("JUST", "OPINION"),
    /// not a given name, place or institution word ("PAUL", "IRAN", "SENATE").
    fn caps_plain(&mut self, text: &str, toks: &[Tok], k: usize) -> bool {
        if !toks[k].has(ALLCAPS) || toks[k].has(HEADLINE) {
            return false;
        }
        let wc = self.wc(text, toks, k);
        // "THE" may start a place ("The Hague"), but in capitals it is only the article.
        let place_start = wc & class::FUNCTION == 0 && wc & class::PLACE_START != 0;
        wc & (class::COMMON | class::FUNCTION) != 0
            && wc & (class::GIVEN | class::ORG_HEAD | IS_PLACE) == 0
            && !place_start
    }

    /// Capitals that make a label, not a name: a plain word in capitals before a colon
    /// ("OPINION:", "WATCH:"), beside another ("JUST
    /// WATCHED", "MUST WATCH" from video players, a headline in capitals inside a
    /// paragraph), or a function word beside any capitals ("THE WASHINGTON POST"). They are
    /// read as headline words are: only words that are not plain English can be names
    /// there. A plain word beside a name in capitals stays ("DONALD TRUMP"), as do lone
    /// acronyms ("WHO", "NOW").
    fn mark_caps_labels(&mut self, text: &str, toks: &mut [Tok]) {
        let n = toks.len();
        let mut prev_plain = false;
        for k in 0..n {
            let plain = self.caps_plain(text, toks, k);
            if plain {
                // "OPINION:", "WATCH:". Not "(ICE)" after a name: that is its acronym.
                let label = text.as_bytes().get(toks[k].end as usize) == Some(&b':');
                let joined_prev = k > 0 && !toks[k].has(HARD);
                let joined_next = k + 1 < n && !toks[k + 1].has(HARD);
                let beside_plain = (joined_prev && prev_plain)
                    || (joined_next && self.caps_plain(text, toks, k + 1));
                // "THE" in "THE WASHINGTON POST" is the article, as "The" would be.
                let function_in_caps = self.wc(text, toks, k) & class::FUNCTION != 0
                    && ((joined_prev && toks[k - 1].has(ALLCAPS))
                        || (joined_next && toks[k + 1].has(ALLCAPS)));
                if label || beside_plain || function_in_caps {
                    toks[k].flags |= HEADLINE;
                }
            }
            prev_plain = plain;
        }
    }

    /// A headline quoted or set inside running text is written in title case ("GOP
    /// Lawmakers Silent On Trump's Call For China To Dig Up Biden Dirt"): a stretch of
    /// capitalised words that capitalises its function words too is read as a headline,
    /// where only words that are not plain English can be names. Names almost never
    /// capitalise two function words ("Bank of America", "Church of Jesus Christ").
    fn mark_title_case(&mut self, text: &str, toks: &mut [Tok]) {
        let n = toks.len();
        let mut i = 0;
        while i < n {
            if !toks[i].has(CAP) || toks[i].has(HEADLINE) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            let mut function_words = 0;
            while j < n && toks[j].has(CAP) && !toks[j].has(HARD) && !toks[j].has(HEADLINE) {
                // Not an initial ("Marc A. Thiessen").
                if toks[j].end - toks[j].start > 1 && self.wc(text, toks, j) & class::FUNCTION != 0
                {
                    function_words += 1;
                }
                j += 1;
            }
            if j - i >= 4 && function_words >= 2 {
                for t in &mut toks[i..j] {
                    t.flags |= HEADLINE;
                }
            }
            i = j;
        }
    }

    fn name_like(&mut self, text: &str, toks: &[Tok], k: usize) -> bool {
        let t = toks[k];
        if !(t.has(CAP)) || t.has(HYPH_LOWER) || t.has(CONTRACTION) {
            return false;
        }
        // A US party-and-state label ("D-N.Y.", "R-Texas") names no one: the person it
        // follows is the entity.
        if let [b'D' | b'R' | b'I', b'-', c, ..] = text.as_bytes()[t.start as usize..] {
            if c.is_ascii_uppercase() {
                return false;
            }
        }
        // "300 B.C.", "AD 79" is a year's era, not British Columbia or a body.
        if k > 0
            && !t.has(HARD)
            && toks[k - 1].has(DIGIT)
            && matches!(
                &text[t.start as usize..t.end as usize],
                "B.C." | "BC" | "A.D." | "AD" | "BCE" | "B.C.E." | "CE" | "C.E."
            )
        {
            return false;
        }
        if t.has(HEADLINE) {
            // In a headline only words that are not plain English can be names.
            let wc = self.wc(text, toks, k);
            // A function word that some place name starts with ("To Kwa Wan") or that is
            // listed as a given name ("In") is still the function word; a name particle
            // ("St. Martin") is not.
            if wc & class::FUNCTION != 0 {
                let initial =
                    t.end - t.start == 1 && text.as_bytes().get(t.end as usize) == Some(&b'.');
                return initial || wc & (class::ORG_HEAD | class::PARTICLE | IS_PLACE) != 0;
            }
            return wc & class::COMMON == 0
                || wc & (class::GIVEN | class::PLACE_START | class::ORG_HEAD | IS_PLACE) != 0;
        }
        true
    }

    /// "the Russian defence ministry", "US state department": a country or nationality word
    /// before a lowercase ministry is that country's ministry, named as its capitalised form.
    fn lowercase_institution(&mut self, text: &str, toks: &[Tok], j: usize) {
        if j == 0
            || j + 1 >= toks.len()
            || toks[j].has(HARD)
            || !toks[j].has(LOWER)
            || toks[j + 1].has(HARD)
        {
            return;
        }
        let head = &text[toks[j + 1].start as usize..toks[j + 1].end as usize];
        if !matches!(head, "ministry" | "department") {
            return;
        }
        let field = &text[toks[j].start as usize..toks[j].end as usize];
        if self.wc(text, toks, j) & class::TITLE_MOD == 0 || field == "new" {
            return;
        }
        let owner = toks[j - 1];
        let country = place_class(self.wc(text, toks, j - 1)) == Some(PlaceClass::Country);
        if !(country || self.demonym(text, toks, j - 1)) || owner.has(POSS) {
            return;
        }
        let cap = |w: &str| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        };
        let surface = format!(
            "{} {} {}",
            &text[owner.start as usize..owner.end as usize],
            cap(field),
            cap(head)
        );
        self.mentions.push(Mention {
            kind: Some(EntityKind::Organization),
            surface,
            canonical: None,
            strength: 2,
            pos: self.base + owner.start,
            acronym: false,
            paren_of: None,
            said: false,
            place_prep: false,
            words: 3,
            common: false,
            given: false,
            place_class: None,
        });
    }

    /// Nationality adjective ("Kazakh", "Tasmanian"), not a given name.
    fn demonym(&mut self, text: &str, toks: &[Tok], k: usize) -> bool {
        let wc = self.wc(text, toks, k);
        if wc & DEMONYM_DONE != 0 {
            return wc & DEMONYM_YES != 0;
        }
        let d = self.demonym_uncached(text, toks, k, wc);
        if let Some(slot) = self.cache.get_mut(k) {
            *slot |= DEMONYM_DONE | if d { DEMONYM_YES } else { 0 };
        }
        d
    }

    fn demonym_uncached(&mut self, text: &str, toks: &[Tok], k: usize, wc: u32) -> bool {
        if wc & class::DEMONYM != 0 {
            return true;
        }
        let t = toks[k];
        if wc & (class::GIVEN | IS_PLACE) != 0 || t.has(ALLCAPS) || t.has(LOWER) {
            return false;
        }
        let w = &text[t.start as usize..t.end as usize];
        if !(w.ends_with('n') || w.ends_with('s') || w.ends_with('e') || w.ends_with('h')) {
            return false;
        }
        self.buf.clear();
        fold_into(w, &mut self.buf);
        let f = std::mem::take(&mut self.buf);
        let d = self.g.is_demonym(&f);
        self.buf = f;
        d
    }

    /// The place before the hyphen of "Canberra-based", "Russia-led".
    fn hyphen_place(&mut self, text: &str, t: &Tok) {
        let w = &text[t.start as usize..t.end as usize];
        let Some(cut) = w.find('-') else { return };
        let head = &w[..cut];
        self.buf.clear();
        fold_into(head, &mut self.buf);
        let Some(p) = self.g.place(&self.buf) else {
            return;
        };
        if p.class < PlaceClass::City {
            return;
        }
        let canonical = Some(p.canonical.clone());
        self.mentions.push(Mention {
            kind: Some(EntityKind::Location),
            surface: head.to_string(),
            canonical,
            strength: 2,
            pos: self.base + t.start,
            acronym: false,
            paren_of: None,
            said: false,
            place_prep: false,
            words: 1,
            common: false,
            given: false,
            place_class: Some(p.class),
        });
    }

    /// Handles one capitalised run `toks[a..b]`.
    fn run(
        &mut self,
        text: &str,
        toks: &[Tok],
        a: usize,
        b: usize,
        with_number: bool,
        paren_of: Option<usize>,
    ) {
        // A named event is no entity, and its words must not make one: "Black Friday" is
        // not split at its weekday, "Mother's Day" at a sentence start does not leave "Day".
        if self.wc(text, toks, a) & class::EVENT_START != 0
            && self.run_classes(text, toks, a, b) & class::EVENT != 0
        {
            return;
        }
        // Weekdays split runs ("Saturday June"); a lone calendar word is dropped later.
        for k in a..b {
            if toks[k].has(LOWER) || b - a == 1 {
                continue;
            }
            let wc = self.wc(text, toks, k);
            if wc & class::CALENDAR == 0 || wc & class::GIVEN != 0 {
                continue;
            }
            // A weekday anywhere, a month only first ("June Carter" is a name).
            let word = &text[toks[k].start as usize..toks[k].end as usize];
            let weekday = super::lexicon::WEEKDAYS
                .iter()
                .any(|d| word.eq_ignore_ascii_case(d));
            if weekday || k == a {
                if k > a {
                    self.run(text, toks, a, k, false, paren_of);
                }
                if k + 1 < b {
                    self.run(text, toks, k + 1, b, with_number, None);
                }
                return;
            }
        }
        let mut a = a;
        let mut cue = Cue::None;
        // Context before the run.
        // Not a possessive role word: "the candidate's White House ambitions" says whose
        // ambitions, not who the name is.
        if a > 0 && !toks[a].has(HARD) && toks[a - 1].has(LOWER) && !toks[a - 1].has(POSS) {
            let wc = self.wc(text, toks, a - 1);
            if wc & class::ROLE != 0 {
                cue = Cue::Person;
            }
        }
        // Leading words that only start the sentence or the phrase.
        while a < b {
            let t = toks[a];
            let wc = self.wc(text, toks, a);
            let lone = b - a == 1;
            // Whether the whole run is a place ("The Hague") matters only when it starts
            // with a function word: folded and looked up only then. A lone word ("The",
            // "But" at a sentence start) already knows from its class bits, which come from
            // the same gazetteer keys.
            let run_is_place = wc & class::FUNCTION != 0
                && if lone {
                    wc & IS_PLACE != 0
                } else {
                    fold_run(text, toks, a, b, &mut self.buf);
                    // Or a body known by its name: "Credit Suisse" ("credit" of photo
                    // credits is a function word).
                    self.g.place(&self.buf).is_some()
                        || self.g.word(&self.buf) & class::KNOWN_ORG != 0
                };
            let place_start = wc & (class::PLACE_START | IS_PLACE) != 0;
            // A function word in capitals is kept when it is an acronym ("WHO"), not when
            // the words after it are capitals too ("THE WASHINGTON POST").
            let caps_typography = a + 1 < b && toks[a + 1].has(ALLCAPS);
            if wc & class::FUNCTION != 0
                && !run_is_place
                && !(t.has(ALLCAPS) && wc & class::NON_ENTITY_ACRONYM == 0 && !caps_typography)
            {
                a += 1;
                continue;
            }
            if !lone && wc & class::NON_ENTITY_ACRONYM != 0 && t.has(ALLCAPS) && !place_start {
                a += 1;
                continue;
            }
            if (t.has(SENT) || t.has(HEADLINE))
                && wc & class::COMMON != 0
                && wc
                    & (class::GIVEN
                        | class::TITLE_HEAD
                        | class::TITLE_MOD
                        | class::DEMONYM
                        | class::ORG_HEAD_OF
                        | class::ORG_FIRST
                        | class::PLACE_FIRST)
                    == 0
                && !place_start
                && !t.has(ALLCAPS)
                && !lone
            {
                if wc & class::ROLE != 0 {
                    cue = Cue::Person;
                }
                a += 1;
                continue;
            }
            break;
        }
        if a >= b {
            return;
        }
        // A country or region before a person's name ("Nicaragua Daniel Ortega").
        if b - a >= 3 && cue == Cue::None {
            let wc = self.wc(text, toks, a);
            let is_country = place_class(wc).is_some_and(|c| c >= PlaceClass::Region);
            let next_given = self.wc(text, toks, a + 1) & class::GIVEN != 0;
            if is_country && next_given && wc & class::GIVEN == 0 && !toks[a].has(POSS) {
                self.segment(text, toks, a, a + 1, Cue::None, false, paren_of, false);
                self.segment(text, toks, a + 1, b, Cue::None, with_number, None, false);
                return;
            }
        }
        self.segment(
            text,
            toks,
            a,
            b,
            cue,
            with_number,
            paren_of,
            a == b - 1 && toks[a].has(SENT),
        );
    }

    /// Splits a run at titles ("Almaty President Tokayev") and classifies the pieces.
    #[allow(clippy::too_many_arguments)]
    fn segment(
        &mut self,
        text: &str,
        toks: &[Tok],
        a: usize,
        b: usize,
        cue: Cue,
        with_number: bool,
        paren_of: Option<usize>,
        sent_lone: bool,
    ) {
        // An organisation word at the end keeps the run whole ("General Motors"), and so
        // does a facility word: "Chief Whitecap Park", "President Kennedy Bridge" are
        // places named after a person, not the person.
        let last_wc = self.wc(text, toks, b - 1);
        let facility = b - a >= 3
            && last_wc & class::FACILITY != 0
            && last_wc & class::TITLE_HEAD == 0
            && !toks[b - 1].has(LOWER);
        if (last_wc & class::ORG_HEAD == 0 || b - a == 1) && !facility {
            let mut k = a;
            while k < b {
                let wc = self.wc(text, toks, k);
                let is_title_word = wc & (class::TITLE_HEAD | class::TITLE_MOD) != 0;
                // Capitals are no title ("PRESIDENT TRUMP" is a headline), except a short
                // title that is an acronym before a name in plain case ("CEO Brian Moynihan").
                let acronym_title = toks[k].end - toks[k].start <= 4
                    && wc & class::TITLE_HEAD != 0
                    && k + 1 < b
                    && !toks[k + 1].has(ALLCAPS);
                if !(is_title_word || self.demonym(text, toks, k))
                    || (toks[k].has(ALLCAPS) && wc & class::TITLE_MOD == 0 && !acronym_title)
                {
                    k += 1;
                    continue;
                }
                // A title phrase: modifiers, demonyms, "of", "the", at least one head; after
                // "of" a place ends it ("Governor of New York", not the title word "New").
                let mut e = k;
                let mut heads = 0;
                let mut after_of = false;
                // Where a place was looked for after "of", and the end of the one found.
                let mut looked: Option<(usize, Option<usize>)> = None;
                while e < b {
                    let wc = self.wc(text, toks, e);
                    let w = &text[toks[e].start as usize..toks[e].end as usize];
                    if after_of && heads > 0 && wc & class::TITLE_HEAD == 0 && !toks[e].has(LOWER) {
                        let place_end = self.place_run(text, toks, e, b);
                        looked = Some((e, place_end));
                        if place_end.is_some() {
                            break;
                        }
                    }
                    after_of = w == "of" || (after_of && w == "the");
                    if wc & class::TITLE_HEAD != 0 {
                        heads += 1;
                    } else if wc & class::TITLE_MOD != 0
                        || self.demonym(text, toks, e)
                        || w == "of"
                        || w == "the"
                        || (heads > 0 && w == "Affairs")
                    {
                    } else {
                        break;
                    }
                    e += 1;
                }
                while e > k && toks[e - 1].has(LOWER) {
                    e -= 1;
                }
                if heads == 0 {
                    k += 1;
                    continue;
                }
                // "Department of Homeland Security Secretary Kirstjen Nielsen": after an
                // institution's "of", portfolio words are the rest of its name, and the
                // title is only what follows them (ranks stay with the title: "Department
                // of State Deputy Secretary", "... Press Secretary").
                if k > a + 1
                    && self.wc(text, toks, a) & class::ORG_HEAD_OF != 0
                    && toks[a + 1..k]
                        .iter()
                        .any(|t| &text[t.start as usize..t.end as usize] == "of")
                {
                    while k < e {
                        let wc = self.wc(text, toks, k);
                        let w = &text[toks[k].start as usize..toks[k].end as usize];
                        // "Press Secretary" is a role of any body, not a portfolio.
                        if wc & class::TITLE_HEAD != 0
                            || wc & class::TITLE_MOD == 0
                            || w.eq_ignore_ascii_case("press")
                            || is_title_rank(w)
                        {
                            break;
                        }
                        k += 1;
                    }
                }
                // "President of Kazakhstan Kassym-Jomart Tokayev", "Mayor of London Sadiq
                // Khan": the title names its place, a place of its own, and the rest is the
                // person. Otherwise "Comptroller General of the Republic" is an office, not
                // a title before a name.
                if e < b && toks[e].has(LOWER) {
                    let mut p = e;
                    while p < b && toks[p].has(LOWER) {
                        p += 1;
                    }
                    let place_end = match looked {
                        Some((at, end)) if at == p => end,
                        _ => (p < b).then(|| self.place_run(text, toks, p, b)).flatten(),
                    };
                    let Some(q) = place_end else {
                        break;
                    };
                    if k > a {
                        self.classify(text, toks, a, k, Cue::None, false, paren_of, false);
                    }
                    self.classify(text, toks, p, q, Cue::None, false, None, false);
                    if q < b {
                        self.classify(text, toks, q, b, Cue::Person, with_number, None, false);
                    }
                    return;
                }
                if e == b {
                    // Title at the end ("Martin Luther King" keeps it, "Kazakhstan President" not).
                    let first_given = self.wc(text, toks, a) & class::GIVEN != 0;
                    if k > a && first_given {
                        break;
                    }
                    if k > a {
                        self.classify(text, toks, a, k, cue, false, paren_of, false);
                    }
                    return;
                }
                if k > a {
                    let role =
                        text[toks[k].start as usize..toks[k].end as usize].to_ascii_lowercase();
                    let first = self.wc(text, toks, a);
                    let first_word =
                        text[toks[a].start as usize..toks[a].end as usize].to_ascii_lowercase();
                    // Nationality-like words the lists miss ("Philippine", "Islamist",
                    // misspelt "Ukranian") and compounds of an English word ("Then-Mexican")
                    // are no company.
                    let adjective_like = ["ian", "ean", "ese", "ist", "ine"]
                        .iter()
                        .any(|suf| first_word.ends_with(suf))
                        || first_word.split_once('-').is_some_and(|(head, _)| {
                            self.g.word(head) & (class::COMMON | class::FUNCTION) != 0
                        });
                    let employer = matches!(
                        role.as_str(),
                        "ceo" | "chairman" | "chairwoman" | "president" | "founder"
                    ) && first & (class::COMMON | class::GIVEN | class::FUNCTION)
                        == 0
                        && !adjective_like
                        && !self.demonym(text, toks, a)
                        && toks[a..k].iter().all(|t| !t.has(LOWER));
                    let cue = if employer { Cue::Employer } else { Cue::None };
                    self.classify(text, toks, a, k, cue, false, paren_of, false);
                }
                // The rest is a person's name.
                self.classify(text, toks, e, b, Cue::Person, with_number, None, false);
                return;
            }
        }
        self.classify(text, toks, a, b, cue, with_number, paren_of, sent_lone);
    }

    /// The end of the longest known place (a city or larger, up to four words) starting at
    /// token `p` and ending by `b`.
    fn place_run(&mut self, text: &str, toks: &[Tok], p: usize, b: usize) -> Option<usize> {
        (p + 1..=b.min(p + 4)).rev().find(|&q| {
            fold_run(text, toks, p, q, &mut self.buf);
            self.g
                .place(&self.buf)
                .is_some_and(|pl| pl.class >= PlaceClass::City)
        })
    }

    /// Whether a capitalised institution word ("Society", "Ministry") stands right before
    /// one of `links` ("of", "for", ...) within tokens `a..b`.
    fn institution_before(
        &mut self,
        text: &str,
        toks: &[Tok],
        a: usize,
        b: usize,
        links: &[&str],
    ) -> bool {
        (a..b.saturating_sub(1)).any(|k| {
            let link = &text[toks[k + 1].start as usize..toks[k + 1].end as usize];
            links.contains(&link)
                && !toks[k].has(LOWER)
                && self.wc(text, toks, k) & (class::ORG_HEAD_OF | class::ORG_HEAD) != 0
        })
    }

    /// Whether the word in capitals `toks[a]` (folded: `self.span`), which the gazetteer knows
    /// as the town or city `p`, names it. Acronyms collide with towns: "DACA" is another
    /// name of Dhaka, "DOMA" a town in Nigeria, "MAGA" one in the Philippines, "MERS" another
    /// name of Moers. In capitals a word names a town as a dateline or a headline does: a
    /// city of 100,000 or more by its own name or a word of it ("SEOUL", "RICHMOND",
    /// "FRANKFURT"), or any place followed by its region or country ("FERGUSON, Mo.").
    /// Regions and countries are not asked ("IOWA", "USA").
    fn capitals_name_town(&mut self, text: &str, toks: &[Tok], a: usize, p: &Place) -> bool {
        if text[toks[a].start as usize..toks[a].end as usize].contains('.') {
            return true;
        }
        let mut own = String::with_capacity(p.canonical.len());
        fold_into(&p.canonical, &mut own);
        // By its own name, or a word of it ("FRANKFURT": Frankfurt am Main, "BRONX").
        if p.class >= PlaceClass::City && own.split([' ', '-']).any(|w| w == self.span) {
            return true;
        }
        self.region_follows(text, toks, a + 1)
    }

    /// Whether the name ending before `toks[n]` is followed by a comma and a region or
    /// country, as a town is placed: "Ferguson, Mo.", "Conyers, Georgia".
    fn region_follows(&mut self, text: &str, toks: &[Tok], n: usize) -> bool {
        let comma = n > 0
            && toks
                .get(n)
                .is_some_and(|t| text[toks[n - 1].end as usize..t.start as usize].trim() == ",");
        // "according to SANA, Syria's news agency" describes; it does not place.
        if !comma || toks[n].has(POSS) {
            return false;
        }
        let region = place_class(self.wc(text, toks, n)).is_some_and(|c| c >= PlaceClass::Region);
        // AP style abbreviates the state: "Mo.", "Calif.", "Fla.".
        let state_abbreviation = toks[n].has(CAP)
            && !toks[n].has(ALLCAPS)
            && text.as_bytes().get(toks[n].end as usize) == Some(&b'.');
        region || state_abbreviation
    }

    /// Classifies the run `toks[a..b]` and pushes its mentions. The run's folded text is
    /// kept in `self.span` (one buffer from run to run); a nested call for part of the run
    /// refolds it, so every nested call is the last thing this one does.
    #[allow(clippy::too_many_arguments)]
    fn classify(
        &mut self,
        text: &str,
        toks: &[Tok],
        a: usize,
        b: usize,
        cue: Cue,
        with_number: bool,
        paren_of: Option<usize>,
        sent_lone: bool,
    ) {
        let mut b = b;
        let g = self.g;
        // Nationality words at either end: "Russian Defence Ministry" keeps its own,
        // "Tasmanian Aboriginal" and "Kazakh Tokayev" do not.
        while b > a && toks[b - 1].has(LOWER) {
            b -= 1;
        }
        if b <= a {
            return;
        }
        // A photo credit names the agency: "(AP Photo/Evan Vucci)" is AP's.
        if b - a == 2
            && toks[a].has(ALLCAPS)
            && matches!(
                &text[toks[a + 1].start as usize..toks[a + 1].end as usize],
                "Photo" | "Photos"
            )
        {
            b -= 1;
        }
        // The run folded once, for every rule below that reads it whole (three folds and
        // gazetteer lookups of the same text before).
        fold_run(text, toks, a, b, &mut self.span);
        let place = g.place(&self.span);
        if b - a == 1 && toks[a].has(ALLCAPS) {
            if let Some(p) = place.filter(|p| p.class < PlaceClass::Region) {
                // A word in capitals that names no town here is an acronym or a headline
                // word ("DACA", "TIME", "OBAMA"); what it is, this word alone cannot say.
                if !self.capitals_name_town(text, toks, a, p) {
                    return;
                }
            }
        }
        let is_place = place.is_some();
        let strong_place = place.is_some_and(|p| p.class >= PlaceClass::Region);
        // The whole run's word classes, looked up once for the rules below.
        let span_wc = g.word(&self.span);
        if span_wc & class::EVENT != 0 {
            return;
        }
        // A known organisation keeps its nationality word ("Prensa Latina").
        let known_org = span_wc & class::KNOWN_ORG != 0;
        if !known_org && (!is_place || (b - a == 1 && !strong_place)) {
            let last_org = self.wc(text, toks, b - 1) & class::ORG_HEAD != 0;
            // "Federico Franco", "Dawn French": after a given name a nationality-like
            // word is a surname, not a nationality to strip.
            let given_before_last =
                b - a >= 2 && !toks[b - 2].has(LOWER) && given_only(self.wc(text, toks, b - 2));
            if b - a >= 2 && self.demonym(text, toks, b - 1) && !given_before_last {
                return self.classify(text, toks, a, b - 1, cue, false, paren_of, false);
            }
            if self.demonym(text, toks, a) && !(last_org && b - a >= 2) {
                if b - a == 1 {
                    return;
                }
                return self.classify(text, toks, a + 1, b, cue, with_number, paren_of, false);
            }
            if b - a == 2 && span_wc & class::DEMONYM != 0 {
                return;
            }
        }
        let n_words = |a: usize, b: usize| toks[a..b].iter().filter(|t| !t.has(LOWER)).count();
        let last = b - 1;
        let last_wc = self.wc(text, toks, last);
        let first_wc = self.wc(text, toks, a);
        let prev_lower_wc = if a > 0 && toks[a - 1].has(LOWER) && !toks[a].has(HARD) {
            self.wc(text, toks, a - 1)
        } else {
            0
        };
        let next_lower = if b < toks.len() && toks[b].has(LOWER) && !toks[b].has(HARD) {
            Some(toks[b])
        } else {
            None
        };
        let next_wc = match next_lower {
            Some(_) => self.wc(text, toks, b),
            None => 0,
        };
        let place_before = a >= 2
            && toks[a - 1].has(LOWER)
            && &text[toks[a - 1].start as usize..toks[a - 1].end as usize] == "of"
            && {
                let wc = self.wc(text, toks, a - 2);
                wc & class::PLACE_OF != 0 && toks[a - 2].has(LOWER)
            };

        let surface = collapse_ws(&text[toks[a].start as usize..toks[b - 1].end as usize]);
        let words = n_words(a, b) as u8;
        let single = b - a == 1;
        let acronym = single && toks[a].has(ALLCAPS) && !toks[a].has(HEADLINE);
        let said = next_wc & class::SAID != 0;
        let place_prep = prev_lower_wc & class::PLACE_PREP != 0;
        let pos = self.base + toks[a].start;
        let common = single && first_wc & class::COMMON != 0;
        let given = single && first_wc & class::GIVEN != 0;
        let run_place_class = place.map(|p| p.class);
        let push = |s: &mut Self,
                    kind: Option<EntityKind>,
                    canonical: Option<Box<str>>,
                    strength: u8,
                    surface: String| {
            s.mentions.push(Mention {
                kind,
                surface,
                canonical,
                strength,
                pos,
                acronym,
                paren_of,
                said,
                place_prep,
                words,
                common,
                given,
                place_class: run_place_class,
            });
        };
        if single && first_wc & (class::CALENDAR | class::FUNCTION) != 0 && !acronym {
            return;
        }
        // A company's legal form or a committee's kind is still a body's own acronym when
        // a name right before defines it: "the party Anticorruption (PAC)".
        let defined_form =
            paren_of.is_some() && super::lexicon::LEGAL_FORMS.contains(&self.span.as_str());
        if acronym && first_wc & class::NON_ENTITY_ACRONYM != 0 && place.is_none() && !defined_form
        {
            return;
        }
        if with_number {
            push(self, Some(EntityKind::Organization), None, 2, surface);
            return;
        }
        if cue == Cue::Employer && place.is_none() {
            push(self, Some(EntityKind::Organization), None, 2, surface);
            return;
        }
        // "a Gallup poll", "the Quinnipiac survey": the name before a poll is the pollster,
        // though a town bears it; a region or country is what was polled ("a Texas poll").
        if let Some(t) = next_lower {
            let w = &text[t.start as usize..t.end as usize];
            // Not a plain word starting the sentence ("Exit polls", "Recent surveys") nor a
            // person ("a Hillary Clinton poll").
            let plain = single && first_wc & class::COMMON != 0;
            if matches!(w, "poll" | "polls" | "survey" | "surveys")
                && !strong_place
                && !plain
                && first_wc & class::GIVEN == 0
            {
                push(self, Some(EntityKind::Organization), None, 2, surface);
                return;
            }
        }
        // "the newspaper El Mercurio", "the cartel Los Zetas", "the firm Willis Towers
        // Watson": a noun naming a kind of body right before the name says what it is,
        // unless the name is a person's (a given name first) or a region or country.
        // Not after a possessive: "the agency's Centers for ..." names what it has.
        if prev_lower_wc & class::ORG_APPOSITIVE != 0
            && !toks[a - 1].has(POSS)
            && cue != Cue::Person
            && !acronym
            && first_wc & class::GIVEN == 0
            && place.is_none_or(|p| p.class < PlaceClass::Region)
        {
            push(self, Some(EntityKind::Organization), None, 2, surface);
            return;
        }
        // "Emilio Reyes (Olimpia)", "Ana Soto (Tolima)": a name alone in parentheses right
        // after a person is what the person belongs to, a club or a party, even when a
        // town shares its name. A country there is a nationality and stays a place, and
        // a place of several words ("San Pedro Sula") is where the person is from, as is a
        // US state.
        let closes = text
            .get(toks[b - 1].end as usize..)
            .is_some_and(|r| r.starts_with(')'));
        if let Some(pi) = paren_of {
            if !acronym
                && closes
                && cue != Cue::Person
                && self.mentions.get(pi).is_some_and(|m| {
                    m.kind == Some(EntityKind::Person) && m.words >= 2 && !m.acronym
                })
                && place.is_none_or(|p| {
                    single
                        && p.class < PlaceClass::Country
                        // "Susan Collins (Maine)": the state a US lawmaker represents.
                        && !super::lexicon::US_STATES.contains(&&*p.canonical)
                })
                && last_wc & (class::FACILITY | class::PLACE_SUFFIX) == 0
                && !(single && first_wc & (class::GIVEN | class::COMMON) != 0)
            {
                push(self, Some(EntityKind::Organization), None, 2, surface);
                return;
            }
        }
        if let Some(p) = place {
            let ambiguous = single
                && p.class < PlaceClass::Region
                && first_wc & (class::GIVEN | class::COMMON) != 0;
            // "chief White House strategist Steve Bannon": a place before a role word
            // says where the person works; the title before it is the person's, not its.
            // Not a small town's name: "former Obama adviser" is a person's.
            let attributive = next_wc & class::ROLE != 0 && p.class > PlaceClass::SmallCity;
            if cue == Cue::Person && !attributive && (single || p.class < PlaceClass::Country) {
                push(self, Some(EntityKind::Person), None, 3, surface);
                return;
            }
            let context = place_prep
                || place_before
                || next_wc & class::PLACE_SUFFIX != 0
                || (single
                    && p.class == PlaceClass::SmallCity
                    && self.region_follows(text, toks, b));
            // A small town's name alone that says something is someone's surname ("Obama
            // said": Obama is also a town in Japan).
            let speaking_town = single && p.class == PlaceClass::SmallCity && said;
            if (ambiguous || speaking_town) && !context {
                if p.class >= PlaceClass::BigCity && !said {
                    push(
                        self,
                        Some(EntityKind::Location),
                        Some(p.canonical.clone()),
                        1,
                        surface,
                    );
                } else {
                    push(self, None, Some(p.canonical.clone()), 1, surface);
                }
                return;
            }
            let strength = match p.class {
                PlaceClass::Country | PlaceClass::Region | PlaceClass::BigCity => 3,
                PlaceClass::City => 2,
                PlaceClass::SmallCity if !single || context => 2,
                PlaceClass::SmallCity => 1,
            };
            push(
                self,
                Some(EntityKind::Location),
                Some(p.canonical.clone()),
                strength,
                surface,
            );
            return;
        }
        // "Kyzylorda province", "province of Mangistau".
        if next_wc & class::PLACE_SUFFIX != 0
            && next_wc & class::COMMON != 0
            && last_wc & class::ORG_HEAD == 0
            && cue != Cue::Person
        {
            let nt = next_lower
                .map(|t| &text[t.start as usize..t.end as usize])
                .unwrap_or("");
            if matches!(
                nt,
                "province"
                    | "region"
                    | "oblast"
                    | "state"
                    | "county"
                    | "district"
                    | "prefecture"
                    | "municipality"
                    | "department"
                    | "island"
                    | "islands"
                    | "valley"
                    | "river"
            ) {
                push(self, Some(EntityKind::Location), None, 2, surface);
                return;
            }
        }
        if place_before && cue != Cue::Person {
            push(self, Some(EntityKind::Location), None, 2, surface);
            return;
        }
        // An office ("President of the Republic", "Secretary of State") ends in a place
        // word but is no place: the office rule below reads it.
        // The title may take several words before "of" ("Comptroller General of the
        // Republic").
        let office = b - a >= 3 && first_wc & class::TITLE_HEAD != 0 && {
            let of_at = (a + 1..b).find(|&k| toks[k].has(LOWER));
            of_at.is_some_and(|o| {
                &text[toks[o].start as usize..toks[o].end as usize] == "of"
                    && (a + 1..o).all(|k| {
                        self.wc(text, toks, k) & (class::TITLE_HEAD | class::TITLE_MOD) != 0
                    })
            })
        };
        // Nor is an institution "of" one ("Department of State", "Bank of the Republic").
        let institution_of = self.institution_before(text, toks, a, b, &["of"]);
        // Capitalised place word at the end: "Kyzylorda Region", "Rila Mountains".
        if !single
            && !office
            && !institution_of
            && last_wc & class::PLACE_SUFFIX != 0
            && last_wc & class::ORG_HEAD == 0
            && cue != Cue::Person
        {
            fold_run(text, toks, a, last, &mut self.buf);
            let rest_place = g.place(&self.buf);
            let rest_wc = self.wc(text, toks, a);
            let name = if rest_place.is_some() || (rest_wc & class::COMMON == 0 && last - a == 1) {
                collapse_ws(&text[toks[a].start as usize..toks[last - 1].end as usize])
            } else {
                surface.clone()
            };
            let canonical = rest_place.map(|p| p.canonical.clone());
            push(self, Some(EntityKind::Location), canonical, 2, name);
            // The place named is the one before the suffix ("Kyzylorda" of "Kyzylorda
            // Region"), and so is its class.
            if let Some(m) = self.mentions.last_mut() {
                m.place_class = rest_place.map(|p| p.class);
            }
            return;
        }
        // Organisations everyone knows by a bare name ("Reuters", "Al Jazeera").
        if known_org {
            push(self, Some(EntityKind::Organization), None, 3, surface);
            return;
        }
        // "South Auckland", "Central Lima", "East Germany": a compass word before a place
        // the gazetteer knows names a part of that place, not a body named for it.
        if !single && place.is_none() {
            let area = self.span.split_once(' ').is_some_and(|(first, rest)| {
                super::lexicon::AREA_WORDS.contains(&first) && g.place(rest).is_some()
            });
            if area {
                push(self, Some(EntityKind::Location), None, 2, surface);
                return;
            }
        }
        // Organisations.
        let has_of = toks[a..b].iter().any(|t| {
            matches!(
                &text[t.start as usize..t.end as usize],
                "of" | "de" | "del" | "do" | "da" | "dos" | "das" | "for"
            )
        });
        // "Royal Society of Tasmania": an institution word right before "of".
        let org_head_of = !single
            && has_of
            && self.institution_before(text, toks, a, b, &["of", "for", "de", "del"]);
        // "President of the Republic": an office, not an entity; the holder's name may
        // follow it in the same capitalised run ("President of the Republic Pedro
        // Castillo"), starting at a given name right after a capitalised word.
        if has_of
            && first_wc & class::TITLE_HEAD != 0
            && last_wc & class::ORG_HEAD == 0
            && !org_head_of
        {
            let holder = (a + 2..b).find(|&k| {
                !toks[k].has(LOWER)
                    && !toks[k - 1].has(LOWER)
                    && self.wc(text, toks, k) & class::GIVEN != 0
            });
            if let Some(k) = holder {
                self.classify(text, toks, k, b, Cue::Person, false, paren_of, false);
            }
            return;
        }
        let org_first = !single && first_wc & class::ORG_FIRST != 0;
        if (!single && last_wc & class::ORG_HEAD != 0) || org_head_of || org_first {
            push(self, Some(EntityKind::Organization), None, 3, surface);
            return;
        }
        if single
            && matches!(
                self.span.as_str(),
                "senate"
                    | "congress"
                    | "parliament"
                    | "interpol"
                    | "europol"
                    | "nato"
                    | "opec"
                    | "treasury"
                    // Capitalised mid-sentence these are the institution, not the word:
                    // "the Crown argued", "the Cabinet agreed", "the Army denied".
                    | "crown"
                    | "cabinet"
                    | "army"
                    | "navy"
                    | "church"
                    | "embassy"
                    | "labor"
            )
        {
            push(self, Some(EntityKind::Organization), None, 2, surface);
            return;
        }
        if acronym {
            let len = toks[a].end - toks[a].start;
            if len <= 7 {
                push(self, Some(EntityKind::Organization), None, 2, surface);
            }
            return;
        }
        if !single
            && toks[a].has(ALLCAPS)
            && first_wc & class::NON_ENTITY_ACRONYM == 0
            && !toks[a].has(HEADLINE)
        {
            // "RIA Novosti", "BBC Mundo".
            push(self, Some(EntityKind::Organization), None, 2, surface);
            return;
        }
        // People.
        if cue == Cue::Person {
            if single
                && first_wc & class::COMMON != 0
                && first_wc & class::GIVEN == 0
                && toks[a].has(SENT)
            {
                return;
            }
            push(self, Some(EntityKind::Person), None, 3, surface);
            return;
        }
        let mut commons = 0;
        let mut has_place = false;
        for k in a..b {
            if toks[k].has(LOWER) {
                continue;
            }
            let wc = self.wc(text, toks, k);
            if wc & (class::COMMON | class::TITLE_HEAD | class::TITLE_MOD | class::ORG_HEAD) != 0
                && wc & class::GIVEN == 0
            {
                commons += 1;
            }
            if place_class(wc).is_some_and(|c| c >= PlaceClass::Region) && wc & class::GIVEN == 0 {
                has_place = true;
            }
        }
        // A country that is also a given name ("Argentina", "Georgia") ending a name whose
        // other words the lexicon does not know at all is where that body is, not a
        // person's surname: "Confederaciones Rurales Argentina", "Oxfam America".
        if !single && !has_place && place_class(last_wc) == Some(PlaceClass::Country) {
            const KNOWN: u32 = class::COMMON
                | class::GIVEN
                | class::CALENDAR
                | class::FUNCTION
                | class::TITLE_HEAD
                | class::TITLE_MOD
                | class::DEMONYM
                | IS_PLACE;
            has_place =
                (a..b - 1).all(|k| toks[k].has(LOWER) || self.wc(text, toks, k) & KNOWN == 0);
        }
        if !single {
            let given_first = first_wc & class::GIVEN != 0
                && !(first_wc & class::COMMON != 0 && toks[a].has(SENT));
            let last_common = last_wc & class::COMMON != 0 && last_wc & class::GIVEN == 0;
            // Spanish articles and particles: "Las Cuevas", "El Paujil", "Pozo de Quilmes".
            let spanish_article = matches!(
                self.span.split(' ').next(),
                Some("la" | "las" | "los" | "el" | "lo")
            );
            let particle = toks[a..b].iter().any(|t| {
                matches!(
                    &text[t.start as usize..t.end as usize],
                    "de" | "del" | "do" | "da" | "dos" | "das"
                )
            });
            if first_wc & class::PLACE_FIRST != 0 || spanish_article || (particle && !given_first) {
                push(self, Some(EntityKind::Location), None, 1, surface);
                return;
            }
            if last_wc & class::FACILITY != 0 {
                push(self, Some(EntityKind::Location), None, 1, surface);
                return;
            }
            // "May Like" is not a name, "John Smith" is.
            let first_modal = first_wc & (class::FUNCTION | class::CALENDAR) != 0;
            if given_first && !(first_modal && last_common) {
                push(self, Some(EntityKind::Person), None, 2, surface);
                return;
            }
            if has_place {
                push(self, Some(EntityKind::Organization), None, 1, surface);
                return;
            }
            if commons == 0 && words <= 4 {
                // Unknown words that no given name starts are a person only by shape;
                // "in Machu Picchu", "near Wagga Wagga" are where something is. Only the
                // prepositions of being somewhere: "from" and "at" also go with people.
                let where_prep = a > 0
                    && toks[a - 1].has(LOWER)
                    && !toks[a].has(HARD)
                    && matches!(
                        &text[toks[a - 1].start as usize..toks[a - 1].end as usize],
                        "in" | "near" | "around" | "outside" | "inside" | "throughout" | "into"
                    );
                let kind = if where_prep && cue != Cue::Person {
                    EntityKind::Location
                } else {
                    EntityKind::Person
                };
                push(self, Some(kind), None, 1, surface);
                return;
            }
            if commons as u8 >= words {
                return;
            }
            push(self, None, None, 1, surface);
            return;
        }
        // A lone word.
        if first_wc & class::COMMON != 0
            && first_wc & class::GIVEN == 0
            && (sent_lone || toks[a].has(SENT) || commons > 0)
        {
            // Kept as a hint only: a surname that is also a word ("Price") may join a person.
            push(self, None, None, 0, surface);
            return;
        }
        let strength = if said || place_prep { 2 } else { 1 };
        push(self, None, None, strength, surface);
    }
}

/// Tokens `a..b` as one folded name with single spaces, in `out` (cleared first): the key
/// the gazetteer and the word lists are looked up by.
fn fold_run(text: &str, toks: &[Tok], a: usize, b: usize, out: &mut String) {
    let run = &text[toks[a].start as usize..toks[b - 1].end as usize];
    out.clear();
    out.reserve(run.len());
    fold_into(run, out);
    normalise_space(out);
}

fn collapse_ws(s: &str) -> String {
    // Almost every name is ASCII with single spaces inside: nothing to collapse.
    if plain_spacing(s.as_bytes()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// ASCII with single spaces between words and none at either end: nothing to collapse. One
/// pass over the bytes.
fn plain_spacing(b: &[u8]) -> bool {
    let mut after_space = true;
    for &c in b {
        if c == b' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if (0x09..=0x0d).contains(&c) || c >= 0x80 {
            return false;
        } else {
            after_space = false;
        }
    }
    !after_space || b.is_empty()
}

/// Collapses odd whitespace in a folded run. A run's text starts and ends with a word, and
/// line breaks and vertical tabs end runs, so only tabs, non-ASCII spaces and doubled spaces
/// can occur: exactly what [`plain_spacing`] rejects.
fn normalise_space(s: &mut String) {
    if !plain_spacing(s.as_bytes()) {
        *s = collapse_ws(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lowercase_run_naive(b: &[u8], j: usize) -> usize {
        b[j..].iter().take_while(|c| c.is_ascii_lowercase()).count()
    }

    #[test]
    fn lowercase_runs_stop_at_every_kind_of_byte() {
        // The bytes around the range edges ('`' 0x60, '{' 0x7b), capitals, digits, spaces,
        // non-ASCII (the high bit), at each position of an eight-byte chunk and past it.
        for stop in [
            b'`', b'{', b'A', b'Z', b'0', b' ', 0x80, 0xc3, 0xff, 0x00, 0x7f,
        ] {
            for at in 0..20 {
                let mut b = vec![b'a'; 24];
                b[at] = stop;
                b[23] = b'z';
                assert_eq!(lowercase_run(&b, 0), at, "stop {stop:#x} at {at}");
                assert_eq!(lowercase_run(&b, 1), lowercase_run_naive(&b, 1));
            }
        }
    }

    #[test]
    fn spacing_is_plain_only_for_single_inner_ascii_spaces() {
        for plain in ["", "Tokayev", "Kassym-Jomart Tokayev", "Rio de Janeiro"] {
            assert!(plain_spacing(plain.as_bytes()), "{plain:?}");
            assert_eq!(collapse_ws(plain), plain);
        }
        for (odd, collapsed) in [
            (" Almaty", "Almaty"),
            ("Almaty ", "Almaty"),
            ("New  York", "New York"),
            ("New\tYork", "New York"),
            ("S\u{e3}o\u{a0}Paulo", "S\u{e3}o Paulo"),
        ] {
            assert!(!plain_spacing(odd.as_bytes()), "{odd:?}");
            assert_eq!(collapse_ws(odd), collapsed);
        }
    }

    proptest! {
        #[test]
        fn lowercase_run_matches_a_byte_loop(b in proptest::collection::vec(any::<u8>(), 0..40), j in 0usize..40) {
            let j = j.min(b.len());
            prop_assert_eq!(lowercase_run(&b, j), lowercase_run_naive(&b, j));
        }

        #[test]
        fn lowercase_run_matches_on_text_like_bytes(s in "[a-z]{0,20}[ A-Za-z0-9.,'é-]{0,20}", j in 0usize..10) {
            let b = s.as_bytes();
            let j = j.min(b.len());
            prop_assert_eq!(lowercase_run(b, j), lowercase_run_naive(b, j));
        }
    }
}
