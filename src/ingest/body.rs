//! The body-text rules every format shares: paragraphs, whitespace, control characters, NFC.
//!
//! Paragraphs are separated by blank lines; single newlines inside a paragraph are soft wraps
//! (joined with a space). A text that has no blank line at all between its lines (many
//! scrapers save one paragraph per line) gives one paragraph per line. The result joins
//! paragraphs with "\n\n", which passages and search rely on.

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
    for line in text.split('\n') {
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

/// Appends `line` with runs of whitespace collapsed to one space and junk dropped.
fn push_collapsed(out: &mut String, line: &str) {
    let mut space = false;
    let start = out.len();
    for c in line.chars() {
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
    let mut pending_break = false;
    for line in text.split('\n') {
        if is_blank(line) {
            pending_break = true;
            continue;
        }
        if !out.is_empty() {
            if pending_break || !breaks {
                out.push_str("\n\n");
            } else {
                out.push(' ');
            }
        }
        pending_break = false;
        push_collapsed(&mut out, line);
    }
    nfc(out)
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
    nfc(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(
            normalise_body("One line\nwrapped here.\n\n\nTwo.\r\n\r\nThree  \t x.\n"),
            "One line wrapped here.\n\nTwo.\n\nThree x."
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
    fn joined_paragraphs() {
        assert_eq!(join_paragraphs(["  a  b ", "", "c\nd"]), "a b\n\nc d");
    }

    proptest! {
        #[test]
        fn normalised_bodies_are_tidy(s in "[a-c \n\r\t\u{a0}\u{301}é.]{0,60}") {
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
