//! Plain text as scrapers save it: leading metadata lines, then the body.
//!
//! Leading lines (blank lines between them are ignored) that are metadata, not body:
//! - a URL alone on its line (`https://...`, `www....`);
//! - a `date YYYY-MM-DD` marker (also `date: ...`, `published ...`), which may be followed on
//!   the same line by the first paragraph; a line that is only a date (`January 7, 2022`);
//! - `Key: value` header lines with a known key (title, url, source, outlet, date, author, ...);
//! - a byline `By Jane Doe and John Roe`;
//! - a short title line: it stands alone (a blank line follows it), more text follows, it has
//!   2 to 18 words and at most 140 characters, starts with a capital, digit or quote, and does
//!   not end like a sentence (`.`, `,`, `;`, `:`, or a quote closing a sentence). In a file
//!   without blank lines nothing marks a line as a title, so none is taken. When the manifest
//!   or a header line gives the title, no line is guessed to be one (a first paragraph equal
//!   to the title is still dropped, see `metadata::resolve`).

use crate::metadata::{self, field_of, looks_like_url, parse_date, Field, Meta, MetaBuilder};

use super::body::normalise_body;

/// At most this many leading lines are read as metadata.
const MAX_HEADER_LINES: usize = 8;

const MAX_TITLE_CHARS: usize = 140;
const MAX_TITLE_WORDS: usize = 18;

enum Header {
    Consumed,
    /// A date marker followed by the first paragraph on the same line.
    DateThenText(String),
    Body,
}

/// Keys accepted in `Key: value` header lines (stricter than record field names: a body
/// line may well start with "Content:" or "Summary:").
const HEADER_KEYS: &[&str] = &[
    "title",
    "headline",
    "url",
    "link",
    "source",
    "outlet",
    "publication",
    "publisher",
    "site",
    "date",
    "published",
    "dated",
    "author",
    "authors",
    "by",
    "byline",
];

/// A leading ISO date (`2022-01-07`, `2022-01-07T10:00Z`) and the text after it.
fn leading_iso_date(s: &str) -> Option<(chrono::NaiveDate, &str)> {
    let token_end = s.find(char::is_whitespace).unwrap_or(s.len());
    let token = s.get(..token_end)?;
    let b = token.as_bytes();
    let iso = b.len() >= 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter().take(4).all(u8::is_ascii_digit);
    if !iso {
        return None;
    }
    let d = parse_date(token)?;
    Some((d, s.get(token_end..)?.trim_start()))
}

fn date_header(value: &str, meta: &mut MetaBuilder) -> Header {
    let v = value.trim();
    if let Some(d) = parse_date(v) {
        meta.offer_str(Field::Date(0), &metadata::format_date(d));
        return Header::Consumed;
    }
    if let Some((d, rest)) = leading_iso_date(v) {
        meta.offer_str(Field::Date(0), &metadata::format_date(d));
        return if rest.is_empty() {
            Header::Consumed
        } else {
            Header::DateThenText(rest.to_string())
        };
    }
    Header::Body
}

fn is_byline(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("By ").or_else(|| t.strip_prefix("BY "))?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let ok = !words.is_empty()
        && words.len() <= 8
        && !rest.ends_with(['.', '!', '?', ':', ';'])
        && words.iter().all(|w| {
            matches!(*w, "and" | "&" | "de" | "van" | "von" | "la" | "der" | "|")
                || w.chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
        });
    ok.then_some(rest)
}

fn header_line(t: &str, meta: &mut MetaBuilder) -> Header {
    if looks_like_url(t) {
        meta.offer_str(Field::Url(0), t);
        return Header::Consumed;
    }
    if let Some(rest) = is_byline(t) {
        meta.offer_str(Field::Authors(1), rest);
        return Header::Consumed;
    }
    // `Key: value` with a known key.
    if let Some((key, value)) = t.split_once(':') {
        let k = key.trim();
        if HEADER_KEYS.iter().any(|h| h.eq_ignore_ascii_case(k)) && !value.trim().is_empty() {
            let field = match field_of(k) {
                Some(f) => f,
                None if k.eq_ignore_ascii_case("by") => Field::Authors(1),
                None => Field::Date(0),
            };
            match field {
                Field::Date(_) => {
                    return match date_header(value, meta) {
                        // An unreadable `Date:` line is still a header: the date is left
                        // empty with a warning rather than read as body text.
                        Header::Body => {
                            meta.offer_str(Field::Date(0), value);
                            Header::Consumed
                        }
                        h => h,
                    };
                }
                f => {
                    // `url: https://...` splits at the scheme's colon: rejoin.
                    let v = value.trim();
                    if matches!(f, Field::Url(_)) && !looks_like_url(v) {
                        return Header::Body;
                    }
                    meta.offer_str(f, v);
                    return Header::Consumed;
                }
            }
        }
    }
    // `date 2022-01-07 ...` without a colon: only with an ISO date right after the word.
    let lower_word = t
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(lower_word.as_str(), "date" | "dated" | "published") {
        let rest = t.get(lower_word.len()..).unwrap_or("").trim_start();
        if leading_iso_date(rest).is_some() {
            return date_header(rest, meta);
        }
    }
    // A line that is only a date.
    if !meta.has_date() && t.len() <= 40 {
        if let Some(d) = parse_date(t) {
            meta.offer_str(Field::Date(0), &metadata::format_date(d));
            return Header::Consumed;
        }
    }
    Header::Body
}

/// Whether a lone leading line reads as a headline rather than a paragraph.
pub(crate) fn looks_like_title(t: &str) -> bool {
    let chars = t.chars().count();
    let words = t.split_whitespace().count();
    if chars > MAX_TITLE_CHARS || !(2..=MAX_TITLE_WORDS).contains(&words) || looks_like_url(t) {
        return false;
    }
    let first = t.chars().next().unwrap_or(' ');
    if !(first.is_uppercase()
        || first.is_ascii_digit()
        || matches!(first, '"' | '“' | '‘' | '\'' | '«'))
    {
        return false;
    }
    let mut tail = t.chars().rev();
    let last = tail.next().unwrap_or(' ');
    let before = tail.next().unwrap_or(' ');
    let closes_sentence = matches!(last, '"' | '”' | '’' | '\'' | '»' | ')')
        && matches!(before, '.' | ',' | '!' | '?' | ';' | ':');
    !(matches!(last, '.' | ',' | ';' | ':' | '…') || closes_sentence)
}

/// Lines of `text` from byte offset `pos`: the line (without its `\r\n`) and the offset of
/// the next line.
fn line_at(text: &str, pos: usize) -> Option<(&str, usize)> {
    let rest = text.get(pos..)?;
    if rest.is_empty() {
        return None;
    }
    let (line, next) = match rest.find('\n') {
        Some(i) => (rest.get(..i)?, pos + i + 1),
        None => (rest, text.len()),
    };
    Some((line.trim_end_matches('\r'), next))
}

/// Offset of the first non-blank line at or after `pos`.
fn skip_blank(text: &str, mut pos: usize) -> usize {
    while let Some((line, next)) = line_at(text, pos) {
        if !line.trim().is_empty() {
            break;
        }
        pos = next;
    }
    pos
}

/// Reads leading metadata lines (URL, date marker, `Key: value`, byline) from `pos`, at most
/// `budget` of them: the offset where the text goes on, and the first paragraph's start when
/// a date marker had text after it on its line.
fn header_lines(
    text: &str,
    mut pos: usize,
    budget: &mut usize,
    meta: &mut MetaBuilder,
) -> (usize, Option<String>) {
    while *budget > 0 {
        *budget -= 1;
        pos = skip_blank(text, pos);
        let Some((line, next)) = line_at(text, pos) else {
            break;
        };
        match header_line(line.trim(), meta) {
            Header::Consumed => pos = next,
            Header::DateThenText(rest) => return (next, Some(rest)),
            Header::Body => break,
        }
    }
    (pos, None)
}

/// `text` without its leading metadata lines (which go to `meta`); for formats that have
/// their own syntax after them (Markdown).
pub(crate) fn strip_header(text: &str, meta: &mut MetaBuilder) -> String {
    let mut budget = MAX_HEADER_LINES;
    let (pos, carry) = header_lines(text, 0, &mut budget, meta);
    let rest = text.get(pos..).unwrap_or("");
    match carry {
        Some(first) => format!("{first}\n{rest}"),
        None => rest.to_string(),
    }
}

/// Splits a plain-text article into its metadata and its normalised body.
pub(crate) fn read(text: &str, manifest: Option<&Meta>) -> (MetaBuilder, String) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut meta = MetaBuilder::new();
    let mut pos = 0;
    let mut carry: Option<String>;
    let mut title_done = meta.has_title() || manifest.is_some_and(|m| m.title.is_some());
    let mut budget = MAX_HEADER_LINES;
    loop {
        let (p, c) = header_lines(text, pos, &mut budget, &mut meta);
        pos = p;
        carry = c;
        title_done |= meta.has_title();
        if carry.is_some() || title_done {
            break;
        }
        // Metadata lines may follow the title too (byline, date): one more round after it.
        title_done = true;
        pos = skip_blank(text, pos);
        let Some((line, next)) = line_at(text, pos) else {
            break;
        };
        let alone = line_at(text, next).is_some_and(|(l, _)| l.trim().is_empty());
        let more = line_at(text, skip_blank(text, next)).is_some();
        if !(alone && more && looks_like_title(line.trim())) {
            break;
        }
        meta.offer_str(Field::Title(5), line.trim());
        pos = next;
        budget = budget.max(2);
    }
    let rest = text.get(pos..).unwrap_or("");
    let body = match carry {
        Some(first) => normalise_body(&format!("{first}\n{rest}")),
        None => normalise_body(rest),
    };
    (meta, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn read_meta(text: &str) -> (Meta, String) {
        let (m, body) = read(text, None);
        (m.finish().0, body)
    }

    #[test]
    fn url_line_then_paragraphs() {
        let (m, body) = read_meta(
            "https://www.rnz.co.nz/news/world/1\r\n\r\nFirst paragraph.\r\n\r\nSecond one.\r\n",
        );
        assert_eq!(m.url.as_deref(), Some("https://www.rnz.co.nz/news/world/1"));
        assert_eq!(body, "First paragraph.\n\nSecond one.");
        assert_eq!(m.title, None);
    }

    #[test]
    fn date_marker_with_text_on_the_same_line() {
        let (m, body) = read_meta(
            " date 2022-01-07 “Order has been restored,” the president says.\n\nNext paragraph.\n",
        );
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2022, 1, 7));
        assert_eq!(
            body,
            "“Order has been restored,” the president says.\n\nNext paragraph."
        );
        let (m, body) = read_meta("Date: January 7, 2022\n\nText here.\n");
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2022, 1, 7));
        assert_eq!(body, "Text here.");
    }

    #[test]
    fn short_title_line() {
        let (m, body) = read_meta(
            "Kazakhstan president says order ‘largely restored’ as Russia flies in troops\n\nIssued on:\n\nThe president said.\n",
        );
        assert_eq!(
            m.title.as_deref(),
            Some("Kazakhstan president says order ‘largely restored’ as Russia flies in troops")
        );
        assert_eq!(body, "Issued on:\n\nThe president said.");
    }

    #[test]
    fn title_heuristic_keeps_real_paragraphs() {
        // A first paragraph that is a sentence.
        let (m, body) = read_meta("Quokkas were seen on Saturday.\n\nA second paragraph.\n");
        assert_eq!(m.title, None);
        assert!(body.starts_with("Quokkas"));
        // A one-line article is body, not title.
        let (m, body) = read_meta("Wombats replaced the quokkas in this version\n");
        assert_eq!(m.title, None);
        assert_eq!(body, "Wombats replaced the quokkas in this version");
        // One paragraph per line: nothing sets the first line apart.
        let (m, body) = read_meta(
            "The sixth day of crisis saw some stabilization\nConstitutional order was restored.\n",
        );
        assert_eq!(m.title, None);
        assert_eq!(
            body,
            "The sixth day of crisis saw some stabilization\n\nConstitutional order was restored."
        );
        // A quote closing a sentence.
        let (m, _) = read_meta("“No! You tell me!”\n\nCarmen is still waiting.\n");
        assert_eq!(m.title, None);
        // Too long to be a headline.
        let long = "Word ".repeat(30);
        let (m, _) = read_meta(&format!("{long}\n\nMore.\n"));
        assert_eq!(m.title, None);
    }

    #[test]
    fn manifest_title_disables_the_guess() {
        let manifest = Meta {
            title: Some("Other".into()),
            ..Meta::default()
        };
        let (m, body) = read("Short Lead Line\n\nBody.\n", Some(&manifest));
        assert_eq!(m.finish().0.title, None);
        assert_eq!(body, "Short Lead Line\n\nBody.");
    }

    #[test]
    fn header_block_and_byline() {
        let (m, body) = read_meta(
            "Title: Protests spread\nURL: https://example.com/a\nSource: Example News\nDate: 2022-01-05\nBy Jane Doe and John Roe\n\nBody text.\n",
        );
        assert_eq!(m.title.as_deref(), Some("Protests spread"));
        assert_eq!(m.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(m.outlet.as_deref(), Some("Example News"));
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2022, 1, 5));
        assert_eq!(m.authors, vec!["Jane Doe", "John Roe"]);
        assert_eq!(body, "Body text.");
        // Not a byline: a sentence.
        let (m, body) = read_meta("By Friday, the troops had left.\n");
        assert!(m.authors.is_empty());
        assert_eq!(body, "By Friday, the troops had left.");
    }

    #[test]
    fn only_metadata_gives_an_empty_body() {
        let (m, body) = read_meta("https://example.com/x\n\n");
        assert!(m.url.is_some());
        assert_eq!(body, "");
    }

    proptest! {
        #[test]
        fn never_panics_and_never_keeps_a_leading_url(
            s in "(https://[a-z]{1,8}\\.com/[a-z]{0,5}\r?\n)?[\\PC\n\r]{0,200}"
        ) {
            let (_, body) = read_meta(&s);
            let first = body.split("\n\n").next().unwrap_or("");
            prop_assert!(!looks_like_url(first) || first.contains(' '));
            prop_assert!(!body.contains("\n\n\n"));
        }

        #[test]
        fn title_and_body_partition_the_lines(
            title in "[A-Z][a-z]{1,8}( [a-z]{1,8}){1,6}",
            para in "[A-Z][a-z]{1,8}( [a-z]{1,8}){3,20}\\.",
        ) {
            let (m, body) = read_meta(&format!("{title}\n\n{para}\n"));
            prop_assert_eq!(m.title.as_deref(), Some(title.as_str()));
            prop_assert_eq!(body, para.clone());
            // Without the blank line, both are body.
            let (m, body) = read_meta(&format!("{title}\n{para}\n"));
            prop_assert_eq!(m.title, None);
            prop_assert_eq!(body, format!("{title}\n\n{para}"));
        }
    }
}
