//! The body-text rules every format shares: paragraphs, whitespace, control characters, NFC.
//!
//! Paragraphs are separated by blank lines. Inside a block of lines between blank lines,
//! single newlines are soft wraps (joined with a space) when the block looks hard-wrapped:
//! its lines but the last are at least 70% as long as its longest, which has 40 characters
//! or more. Otherwise (a list of related headlines, an address) each line is a paragraph.
//! A text with no blank line at all between its lines (many scrapers save one paragraph per
//! line) gives one paragraph per line. The result joins paragraphs with "\n\n", which
//! passages and search rely on.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// NFC form of `s`, without copying when it already is (always so for ASCII).
pub fn nfc(s: String) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

/// Whether `c` separates words (Unicode whitespace, and the control characters that
/// scrapers leave where whitespace was).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{0}'
}

/// Characters that carry nothing readable: other controls and the byte-order mark.
fn is_junk(c: char) -> bool {
    (c.is_control() && !c.is_whitespace()) || c == '\u{feff}'
}

fn is_blank(line: &str) -> bool {
    line.chars().all(|c| is_space(c) || is_junk(c))
}

/// Whether some blank line sits between two lines with text (then blank lines, not single
/// newlines, separate paragraphs).
fn has_paragraph_breaks(text: &str) -> bool {
    let mut seen_text = false;
    let mut gap = false;
    for line in lines(text) {
        if is_blank(line) {
            gap |= seen_text;
        } else if gap {
            return true;
        } else {
            seen_text = true;
        }
    }
    false
}

/// Bytes that are always part of an ordinary character: printable ASCII other than space,
/// and any non-ASCII byte except the lead bytes of the whitespace and junk characters
/// (U+0080-U+00A0 lead 0xC2; U+1680 0xE1; U+2000-U+205F 0xE2; U+3000 0xE3; U+FEFF 0xEF).
/// Runs of them are copied at once; only the rest is decoded char by char.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b >= 0x21 && b <= 0x7e)
            || (b >= 0x80 && b != 0xc2 && b != 0xe1 && b != 0xe2 && b != 0xe3 && b != 0xef);
        b += 1;
    }
    t
};

fn is_plain(b: u8) -> bool {
    PLAIN[usize::from(b)]
}

/// Lines of `text` split at `\n` (found with memchr: bodies are long).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r.as_bytes()) {
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Appends `line` with runs of whitespace collapsed to one space and junk dropped.
fn push_collapsed(out: &mut String, line: &str) {
    let bytes = line.as_bytes();
    let start = out.len();
    let mut space = false;
    let mut i = 0;
    while i < bytes.len() {
        let run = i;
        // A single space between ordinary bytes stays in the run, so that whole sentences
        // are copied at once rather than word by word.
        loop {
            match bytes.get(i) {
                Some(&b) if is_plain(b) => i += 1,
                Some(b' ') if i > run && bytes.get(i + 1).is_some_and(|&n| is_plain(n)) => {
                    i += 2;
                }
                _ => break,
            }
        }
        // A run ends before an ASCII byte or a lead byte: always a char boundary.
        if let Some(text) = line.get(run..i).filter(|t| !t.is_empty()) {
            if space && out.len() > start {
                out.push(' ');
            }
            space = false;
            out.push_str(text);
        }
        let Some(c) = line.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        if is_space(c) {
            space = true;
        } else if !is_junk(c) {
            if space && out.len() > start {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
}

/// Normalises a body: paragraphs as described in the module docs, whitespace collapsed,
/// NFC. Never fails; an input without text gives "".
pub fn normalise_body(text: &str) -> String {
    let breaks = has_paragraph_breaks(text);
    let mut out = String::with_capacity(text.len());
    let mut block: Vec<&str> = Vec::new();
    for line in lines(text) {
        if is_blank(line) {
            push_block(&mut out, &block, breaks);
            block.clear();
        } else {
            block.push(line);
        }
    }
    push_block(&mut out, &block, breaks);
    finish(out)
}

/// The last steps every body goes through, however it was assembled: inline person cards
/// out, then one Unicode normal form.
fn finish(body: String) -> String {
    nfc(without_hovercards(body))
}

/// Whether a block of lines is one paragraph wrapped at a fixed width.
fn is_hard_wrapped(block: &[&str]) -> bool {
    let len = |l: &&str| l.trim().chars().count();
    let longest = block.iter().map(len).max().unwrap_or(0);
    let (_, all_but_last) = block.split_last().unwrap_or((&"", &[]));
    longest >= 40 && all_but_last.iter().all(|l| len(l) * 10 >= longest * 7)
}

/// Appends a block of consecutive non-blank lines as one paragraph or one per line.
fn push_block(out: &mut String, block: &[&str], breaks: bool) {
    let joined = breaks && block.len() > 1 && is_hard_wrapped(block);
    for (i, line) in block.iter().enumerate() {
        let before = out.len();
        if !out.is_empty() {
            out.push_str(if joined && i > 0 { " " } else { "\n\n" });
        }
        let sep_end = out.len();
        push_collapsed(out, line);
        if out.len() == sep_end {
            // The line held only junk: no separator for it.
            out.truncate(before);
        }
    }
}

/// Joins already separate paragraphs (a JSON list of paragraphs, HTML blocks) into a body.
pub fn join_paragraphs<'a>(paras: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for p in paras {
        let mut one = String::new();
        push_collapsed(&mut one, p);
        if one.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&one);
    }
    finish(out)
}

/// The text without the person cards some sites inline after a name and scrapers keep
/// as text: "President Trump Donald John TrumpGOP senators balk at ... votes MORE says
/// he ..." is "President Trump says he ...". A card is the person's full name glued to
/// the first of a few related headlines, closed by "MORE"; it opens right after the name
/// as the sentence wrote it, whose last word the glued one repeats ("Trump" ...
/// "TrumpGOP"). Left as text, the card made people of "Trump Donald John TrumpGOP" and
/// passages of headlines.
fn without_hovercards(text: String) -> String {
    /// Bytes between a card's glued word and its "MORE", at most.
    const SPAN: usize = 600;
    if !text.contains(" MORE") {
        return text;
    }
    let b = text.as_bytes();
    let mut cut: Vec<(usize, usize)> = Vec::new();
    let mut i = 1;
    while i < b.len() {
        // A glue: a lowercase letter then a capital inside one word ("TrumpGOP").
        if !(b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase()) {
            i += 1;
            continue;
        }
        // Hyphens belong to the name ("Ocasio-CortezSanders ...").
        let word_start = b[..i]
            .iter()
            .rposition(|&c| !(c.is_ascii_alphabetic() || c == b'-'))
            .map_or(0, |p| p + 1);
        let glued = &text[word_start..i];
        // A card never begins inside the one before it.
        let floor = cut.last().map_or(0, |c| c.1);
        match card_at(&text, word_start, glued, SPAN).filter(|c| c.0 >= floor) {
            Some((start, end)) => {
                cut.push((start, end));
                i = end;
            }
            None => i += 1,
        }
    }
    if cut.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in cut {
        out.push_str(&text[at..start]);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The byte range of a card whose glued word starts at `glue` and begins with `surname`:
/// from the space before the full name to the end of "MORE".
fn card_at(text: &str, glue: usize, surname: &str, span: usize) -> Option<(usize, usize)> {
    // "Mc", "De" and the like are not a surname of their own ("McConnell", "DeSantis").
    if surname.len() < 3 || !surname.as_bytes()[0].is_ascii_uppercase() {
        return None;
    }
    // The full name before the glued word: a few name words ("Donald John", "Addison
    // (Mitch) Mitchell", "Paul J."), after the name as written, ending in the surname.
    let before = &text[..glue];
    let mut words = before.split(' ').rev();
    if words.next() != Some("") {
        return None; // the glued word must start a word
    }
    // The space before the glued word (the text's first word has none: no card).
    let mut start = glue.checked_sub(1)?;
    for _ in 0..6 {
        let w = words.next()?;
        let name_word = w
            .trim_start_matches('(')
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        if !name_word || w.contains("\n") {
            return None;
        }
        if w == surname && start < glue - 1 {
            // `start` is the space before the full name's first word.
            // A card without headlines: "John Kelly John Francis KellyMORE said".
            let after = glue + surname.len();
            if text[after..].starts_with("MORE")
                && !text[after + 4..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                return Some((start, after + 4));
            }
            let rest = &text[glue..];
            let mut w_end = rest.len().min(span);
            while !rest.is_char_boundary(w_end) {
                w_end -= 1;
            }
            let window = &rest[..w_end];
            let more = window.find(" MORE")?;
            if window[..more].contains("\n") {
                return None;
            }
            let end = glue + more + " MORE".len();
            // "MORE" is a word of its own.
            if text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                return None;
            }
            return Some((start, end));
        }
        start = start.checked_sub(w.len() + 1)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Card removal never splits a character nor panics, whatever surrounds "MORE".
        #[test]
        fn cards_never_break_text(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("Trump".to_string()),
                    Just("TrumpGOP".to_string()),
                    Just("Donald".to_string()),
                    Just("MORE".to_string()),
                    Just("’s".to_string()),
                    Just("é".to_string()),
                    Just("\n".to_string()),
                    "[a-zA-Zé’ ]{0,8}",
                ],
                0..40,
            )
        ) {
            let text = parts.join(" ");
            let out = normalise_body(&text);
            prop_assert!(out.len() <= text.len() + 2);
        }
    }

    #[test]
    fn person_cards_inlined_after_a_name_are_dropped() {
        let card = "President Trump Donald John TrumpGOP senators balk at lengthy trial \
                    2020 Democrats make play for veterans' votes MORE says he thrives on \
                    conflict.";
        assert_eq!(
            normalise_body(card),
            "President Trump says he thrives on conflict."
        );
        let two = "Sen. Mitch McConnell Addison (Mitch) Mitchell McConnellGOP leaders \
                   plan vote MORE (R-Ky.) and Paul Manafort Paul John ManafortJudge rules \
                   on bail MORE’s lawyers met.";
        assert_eq!(
            normalise_body(two),
            "Sen. Mitch McConnell (R-Ky.) and Paul Manafort’s lawyers met."
        );
        let bare = "Chief of staff John Kelly John Francis KellyMORE said so, as did Rep. \
                    Alexandria Ocasio-Cortez Alexandria Ocasio-CortezSanders rally MORE (D-N.Y.).";
        assert_eq!(
            normalise_body(bare),
            "Chief of staff John Kelly said so, as did Rep. Alexandria Ocasio-Cortez (D-N.Y.)."
        );
        // Names with inner capitals, and "MORE" in ordinary text, stay.
        for keep in [
            "Gov. Ron DeSantis said MORE money was needed.",
            "Senator McConnell met McConnellville officials. They want MORE.",
            "LeBron James joined. Trump TrumpTower MOREOVER stands.",
            "Donald TrumpGOP MORE",
            "TrumpGOP MORE",
        ] {
            assert_eq!(normalise_body(keep), keep);
        }
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(
            normalise_body(
                "A paragraph hard-wrapped at a fixed width, as old\nnewswire text often is, goes on.\n\n\nTwo.\r\n\r\nThree  \t x.\n"
            ),
            "A paragraph hard-wrapped at a fixed width, as old newswire text often is, goes on.\n\nTwo.\n\nThree x."
        );
        // Short lines of varied length in a block: separate items, not a wrapped paragraph.
        assert_eq!(
            normalise_body(
                "Intro paragraph.\n\nRelated\n\nTesla raises prices\nTrump says Taiwan should pay the U.S. for defense\nKing's Speech: key plans?\n"
            ),
            "Intro paragraph.\n\nRelated\n\nTesla raises prices\n\nTrump says Taiwan should pay the U.S. for defense\n\nKing's Speech: key plans?"
        );
    }

    #[test]
    fn single_newlines_only_give_a_paragraph_per_line() {
        assert_eq!(
            normalise_body("First line.\nSecond line.\r\nThird.\n"),
            "First line.\n\nSecond line.\n\nThird."
        );
        // Trailing or leading blank lines do not count as breaks.
        assert_eq!(normalise_body("\n\nA.\nB.\n\n\n"), "A.\n\nB.");
    }

    #[test]
    fn nfc_and_junk() {
        // "Z" + combining caron composes to "Ž"; NBSP and BOM are whitespace and junk.
        assert_eq!(
            normalise_body("\u{feff}Z\u{30c}anaozen\u{a0}city\u{7}"),
            "Žanaozen city"
        );
        assert_eq!(normalise_body(" \n\t\n "), "");
        assert_eq!(normalise_body(""), "");
    }

    #[test]
    fn fast_path_agrees_with_char_rules() {
        let mut out = String::new();
        push_collapsed(
            &mut out,
            "  caf\u{e9}\u{2003}\u{2014} \u{201c}q\u{201d}\u{3000}\u{1680}x\u{85}y\u{feff}z\u{202f}\u{e9}  ",
        );
        assert_eq!(out, "caf\u{e9} \u{2014} \u{201c}q\u{201d} x yz \u{e9}");
    }

    #[test]
    fn joined_paragraphs() {
        assert_eq!(join_paragraphs(["  a  b ", "", "c\nd"]), "a b\n\nc d");
    }

    proptest! {
        #[test]
        fn normalised_bodies_are_tidy(s in "[a-c \n\r\t\u{a0}\u{301}\u{2003}\u{2019}\u{85}\u{feff}é.]{0,60}") {
            let b = normalise_body(&s);
            prop_assert!(!b.starts_with(char::is_whitespace));
            prop_assert!(!b.ends_with(char::is_whitespace));
            prop_assert!(!b.contains("\n\n\n"));
            prop_assert!(!b.contains("  "));
            prop_assert!(!b.contains('\r') && !b.contains('\t'));
            for p in b.split("\n\n").filter(|_| !b.is_empty()) {
                prop_assert!(!p.is_empty() && !p.contains('\n'));
            }
            // Idempotent: a normalised body is its own normal form.
            prop_assert_eq!(normalise_body(&b), b.clone());
        }
    }
}
