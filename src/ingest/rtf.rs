//! RTF documents (`.rtf`, and `.txt` files that are RTF inside, as TextEdit saves them):
//! the text without control words, font/colour/style tables and pictures, then read as
//! plain text.
//!
//! Handled: groups, ignorable destinations (`{\*...}`) and the known non-text ones,
//! `\par`/`\line`/`\`+newline as line breaks, `\'hh` in Windows-1252, `\uN` with its
//! fallback characters skipped, `\tab`, quotes, dashes and bullets.

/// Windows-1252 bytes 0x80-0x9F (the rest of the range is Latin-1).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

fn cp1252(b: u8) -> char {
    match b {
        0x80..=0x9f => CP1252
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or('\u{fffd}'),
        _ => char::from(b),
    }
}

/// Destinations whose content is not document text.
const SKIP_DESTINATIONS: &[&str] = &[
    "fonttbl",
    "colortbl",
    "expandedcolortbl",
    "stylesheet",
    "info",
    "pict",
    "object",
    "header",
    "footer",
    "headerl",
    "headerr",
    "footerl",
    "footerr",
    "fldinst",
    "listtable",
    "listoverridetable",
    "rsidtbl",
    "themedata",
    "colorschememapping",
    "latentstyles",
    "datastore",
    "xmlnstbl",
    "generator",
    "filetbl",
    "revtbl",
    "pgdsctbl",
    "operator",
    "author",
    "title",
    "company",
];

/// Whether `text` is an RTF document.
pub(crate) fn is_rtf(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("{\\rtf")
}

/// The plain text of an RTF document, lines separated by "\n".
pub(crate) fn to_text(rtf: &str) -> String {
    struct Group {
        skip: bool,
        uc: usize,
    }
    let mut out = String::with_capacity(rtf.len() / 2);
    let mut stack = vec![Group { skip: false, uc: 1 }];
    // Fallback characters still to drop after a \uN.
    let mut to_skip = 0usize;
    let mut chars = rtf.chars().peekable();
    while let Some(c) = chars.next() {
        let skip = stack.last().is_some_and(|g| g.skip);
        match c {
            '{' => {
                let uc = stack.last().map_or(1, |g| g.uc);
                stack.push(Group { skip, uc });
                to_skip = 0;
            }
            '}' => {
                if stack.len() > 1 {
                    stack.pop();
                }
                to_skip = 0;
            }
            '\\' => {
                let Some(&next) = chars.peek() else { break };
                if next.is_ascii_alphabetic() {
                    let mut word = String::new();
                    while let Some(&ch) = chars.peek() {
                        if ch.is_ascii_alphabetic() && word.len() < 32 {
                            word.push(ch);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    let mut num = String::new();
                    if chars.peek() == Some(&'-') {
                        num.push('-');
                        chars.next();
                    }
                    while let Some(&ch) = chars.peek() {
                        if ch.is_ascii_digit() && num.len() < 12 {
                            num.push(ch);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    if chars.peek() == Some(&' ') {
                        chars.next();
                    }
                    let param: Option<i64> = num.parse().ok();
                    if SKIP_DESTINATIONS.contains(&word.as_str()) {
                        if let Some(g) = stack.last_mut() {
                            g.skip = true;
                        }
                        continue;
                    }
                    if word == "uc" {
                        if let Some(g) = stack.last_mut() {
                            g.uc = param.and_then(|p| usize::try_from(p).ok()).unwrap_or(1);
                        }
                        continue;
                    }
                    if skip {
                        continue;
                    }
                    let text: Option<char> = match word.as_str() {
                        "par" | "line" | "sect" | "page" | "row" => Some('\n'),
                        "tab" | "cell" => Some(' '),
                        "emdash" => Some('—'),
                        "endash" => Some('–'),
                        "lquote" => Some('‘'),
                        "rquote" => Some('’'),
                        "ldblquote" => Some('“'),
                        "rdblquote" => Some('”'),
                        "bullet" => Some('•'),
                        "u" => {
                            to_skip = stack.last().map_or(1, |g| g.uc);
                            param
                                .map(|p| if p < 0 { p + 65536 } else { p })
                                .and_then(|p| u32::try_from(p).ok())
                                .and_then(char::from_u32)
                        }
                        _ => None,
                    };
                    if let Some(t) = text {
                        out.push(t);
                    }
                    continue;
                }
                chars.next();
                match next {
                    '*' => {
                        if let Some(g) = stack.last_mut() {
                            g.skip = true;
                        }
                    }
                    '\'' => {
                        let hex: String = chars.by_ref().take(2).collect();
                        if to_skip > 0 {
                            to_skip -= 1;
                        } else if !skip {
                            if let Ok(b) = u8::from_str_radix(&hex, 16) {
                                out.push(cp1252(b));
                            }
                        }
                    }
                    '\n' | '\r' if !skip => out.push('\n'),
                    '~' if !skip => out.push('\u{a0}'),
                    '_' if !skip => out.push('-'),
                    '\\' | '{' | '}' if !skip => out.push(next),
                    _ => {}
                }
            }
            '\r' | '\n' => {}
            c => {
                if to_skip > 0 {
                    to_skip -= 1;
                } else if !skip {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_of_a_textedit_document() {
        let rtf = "{\\rtf1\\ansi\\ansicpg1252\\cocoartf2638\n{\\fonttbl\\f0\\fswiss\\fcharset0 Helvetica;}\n{\\colortbl;\\red255\\green255\\blue255;}\n{\\*\\expandedcolortbl;;\\cssrgb\\c100000}\n\\pard\\tx720\\pardirnatural\n\n\\f0\\fs24 \\cf0 https://example.com/a\\\n\\\n\\cb3 The family\\'92s small room \\u8212? and caf\\'e9.\\cb1 \\\n\\cb3 \\'a0Second line.}";
        assert!(is_rtf(rtf));
        assert_eq!(
            to_text(rtf),
            "https://example.com/a\n\nThe family’s small room — and café.\n\u{a0}Second line."
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "[{}\\\\a-z0-9'* \n-]{0,200}") {
            let _ = to_text(&format!("{{\\rtf1 {s}"));
        }
    }
}
