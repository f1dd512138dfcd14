//! Markdown articles: YAML (`---`) or TOML (`+++`) front matter for the metadata, then the
//! text with its Markdown syntax stripped (headings, emphasis, links kept as their text,
//! images dropped, code kept as text, HTML tags removed), one paragraph per block.
//!
//! A leading level-1 or level-2 heading is the title when the front matter gives none.
//! Broken front matter (unclosed, or not valid YAML/TOML) is a warning; the body is kept.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::metadata::{field_of, Field, Meta, MetaBuilder};

use super::body::join_paragraphs;
use super::Emitter;

enum Front<'a> {
    None,
    Yaml(&'a str),
    Toml(&'a str),
    Unclosed(&'static str),
}

/// Splits front matter off `text`: what it holds, and the Markdown after it.
fn split_front_matter(text: &str) -> (Front<'_>, &str) {
    let first_end = text.find('\n').unwrap_or(text.len());
    let first = text.get(..first_end).unwrap_or("").trim_end();
    let (fence, kind) = match first {
        "---" => ("---", "YAML"),
        "+++" => ("+++", "TOML"),
        _ => return (Front::None, text),
    };
    let after_first = text.get(first_end + 1..).unwrap_or("");
    let mut pos = 0;
    for line in after_first.split_inclusive('\n') {
        let t = line.trim_end();
        if t == fence || (fence == "---" && t == "...") {
            let inner = after_first.get(..pos).unwrap_or("");
            let rest = after_first.get(pos + line.len()..).unwrap_or("");
            return (
                if kind == "YAML" {
                    Front::Yaml(inner)
                } else {
                    Front::Toml(inner)
                },
                rest,
            );
        }
        pos += line.len();
    }
    (Front::Unclosed(kind), after_first)
}

fn front_matter(front: Front, meta: &mut MetaBuilder, out: &mut Emitter) {
    let parsed: Result<Value, String> = match front {
        Front::None => return,
        Front::Unclosed(kind) => {
            out.warn(
                Some(1),
                format!("broken front matter: {kind} block is never closed; read as text"),
            );
            return;
        }
        Front::Yaml(s) if s.trim().is_empty() => return,
        Front::Toml(s) if s.trim().is_empty() => return,
        Front::Yaml(s) => serde_norway::from_str::<Value>(s).map_err(|e| format!("YAML: {e}")),
        Front::Toml(s) => toml::from_str::<Value>(s).map_err(|e| format!("TOML: {e}")),
    };
    match parsed {
        Ok(Value::Object(map)) => {
            for (k, v) in &map {
                match field_of(k) {
                    Some(Field::Body(_) | Field::Path) | None => {}
                    Some(f) => meta.offer_value(f, v),
                }
            }
        }
        Ok(_) => out.warn(
            Some(1),
            "broken front matter: not a table of fields; metadata ignored",
        ),
        Err(e) => out.warn(
            Some(1),
            format!("broken front matter ({e}); metadata ignored, body kept"),
        ),
    }
}

/// Text of an HTML fragment without its tags (and without script/style contents).
fn strip_tags(html: &str, into: &mut String) {
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        into.push_str(rest.get(..lt).unwrap_or(""));
        let after = rest.get(lt..).unwrap_or("");
        let Some(gt) = after.find('>') else {
            into.push_str(after);
            return;
        };
        let tag = after.get(1..gt).unwrap_or("").to_ascii_lowercase();
        rest = after.get(gt + 1..).unwrap_or("");
        for skip in ["script", "style"] {
            if tag.starts_with(skip) {
                let close = format!("</{skip}");
                let lower = rest.to_ascii_lowercase();
                rest = match lower.find(&close) {
                    Some(i) => rest.get(i..).unwrap_or(""),
                    None => "",
                };
            }
        }
        if tag.starts_with("br") || tag.starts_with("/p") || tag.starts_with("/div") {
            into.push('\n');
        } else {
            into.push(' ');
        }
    }
    into.push_str(rest);
}

/// Markdown to paragraphs of plain text; the leading heading separately when it is first.
fn markdown_text(md: &str) -> (Option<String>, Vec<String>) {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut paras: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut lead_heading: Option<String> = None;
    let mut in_image = 0usize;
    let mut heading_level: Option<u8> = None;
    let flush = |cur: &mut String, paras: &mut Vec<String>| {
        for line in cur.split('\n') {
            if !line.trim().is_empty() {
                paras.push(line.trim().to_string());
            }
        }
        cur.clear();
    };
    for ev in Parser::new_ext(md, opts) {
        match ev {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            _ if in_image > 0 => {}
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut cur, &mut paras);
                heading_level = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                let is_lead = paras.is_empty() && lead_heading.is_none();
                if is_lead && heading_level.is_some_and(|l| l <= 2) && !cur.trim().is_empty() {
                    lead_heading = Some(cur.trim().to_string());
                    cur.clear();
                } else {
                    flush(&mut cur, &mut paras);
                }
                heading_level = None;
            }
            Event::Start(
                Tag::Paragraph
                | Tag::Item
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::HtmlBlock
                | Tag::TableRow
                | Tag::TableHead
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            )
            | Event::HardBreak
            | Event::Rule => flush(&mut cur, &mut paras),
            Event::End(TagEnd::TableCell) => cur.push(' '),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                cur.push_str(&t);
            }
            Event::SoftBreak => cur.push(' '),
            Event::Html(h) | Event::InlineHtml(h) => strip_tags(&h, &mut cur),
            _ => {}
        }
    }
    flush(&mut cur, &mut paras);
    (lead_heading, paras)
}

pub(crate) fn read(
    text: &str,
    manifest: Option<&Meta>,
    out: &mut Emitter,
) -> (MetaBuilder, String) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut meta = MetaBuilder::new();
    let (front, md) = split_front_matter(text);
    front_matter(front, &mut meta, out);
    // Scrapers save Markdown with the same leading URL/date lines as plain text.
    let md = super::text::strip_header(md, &mut meta);
    let (lead, mut paras) = markdown_text(&md);
    if let Some(h) = lead {
        if meta.has_title() || manifest.is_some_and(|m| m.title.is_some()) {
            paras.insert(0, h);
        } else {
            meta.offer_str(Field::Title(5), &h);
        }
    }
    (meta, join_paragraphs(paras.iter().map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn md(text: &str) -> (Meta, String, Vec<String>) {
        let file = super::super::SourceFile {
            path: "t.md".into(),
            root: ".".into(),
            rel: "t.md".into(),
            size: 0,
            sig: 1,
            format: super::super::Format::Markdown,
            gzip: false,
            manifest: None,
        };
        let mut sink = |_a: crate::article::Article| Ok(());
        let mut out = Emitter::new(&file, &mut sink);
        let (m, body) = read(text, None, &mut out);
        let warnings = out.take_warnings().into_iter().map(|w| w.message).collect();
        (m.finish().0, body, warnings)
    }

    #[test]
    fn yaml_front_matter_and_stripped_syntax() {
        let (m, body, w) = md("---\ntitle: \"Protests in Almaty\"\ndate: 2022-01-07\nauthors: [Jane Doe, John Roe]\nsource: Example News\ntags: [a, b]\n---\n\n# Protests in Almaty\n\nThe **CSTO** sent _troops_ to [Almaty](https://example.com/almaty) ![a map](map.png).\n\n## What happened\n\n- First item\n- Second `item`\n\n```\ncode line\n```\n\n> Quoted text\n\n<div class=\"x\">Inline <b>html</b></div>\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.title.as_deref(), Some("Protests in Almaty"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2022, 1, 7));
        assert_eq!(m.authors, vec!["Jane Doe", "John Roe"]);
        assert_eq!(m.outlet.as_deref(), Some("Example News"));
        assert_eq!(
            body,
            "Protests in Almaty\n\nThe CSTO sent troops to Almaty .\n\nWhat happened\n\nFirst item\n\nSecond item\n\ncode line\n\nQuoted text\n\nInline html"
        );
    }

    #[test]
    fn toml_front_matter() {
        let (m, body, w) = md(
            "+++\ntitle = \"T\"\ndate = 2022-01-07T10:00:00Z\npublished_at = 2021-01-01\n+++\nBody *text*.\n",
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.title.as_deref(), Some("T"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2022, 1, 7));
        assert_eq!(body, "Body text.");
    }

    #[test]
    fn scraper_lines_before_the_markdown() {
        let (m, body, _) = md("https://example.com/story\n\ndate 2022-01-07\n\n# Head\n\nText.\n");
        assert_eq!(m.url.as_deref(), Some("https://example.com/story"));
        assert_eq!(m.date, chrono::NaiveDate::from_ymd_opt(2022, 1, 7));
        assert_eq!(m.title.as_deref(), Some("Head"));
        assert_eq!(body, "Text.");
    }

    #[test]
    fn leading_heading_is_the_title() {
        let (m, body, _) = md("# The Headline\n\nFirst paragraph.\n");
        assert_eq!(m.title.as_deref(), Some("The Headline"));
        assert_eq!(body, "First paragraph.");
        // Not when it comes after text.
        let (m, body, _) = md("Intro.\n\n# Later\n\nMore.\n");
        assert_eq!(m.title, None);
        assert_eq!(body, "Intro.\n\nLater\n\nMore.");
    }

    #[test]
    fn broken_front_matter_warns_and_keeps_the_body() {
        let (m, body, w) = md("---\ntitle: [unclosed\n---\nThe body.\n");
        assert_eq!(m.title, None);
        assert_eq!(body, "The body.");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("broken front matter"), "{w:?}");
        let (_, body, w) = md("---\ntitle: never closed\n\nThe body.\n");
        assert!(body.contains("The body."));
        assert_eq!(w.len(), 1);
        let (_, _, w) = md("---\n- just\n- a list\n---\nText.\n");
        assert_eq!(w.len(), 1);
    }

    proptest! {
        #[test]
        fn never_panics(s in "(---\n|\\+\\+\\+\n)?[\\PC\n]{0,300}") {
            let (_, body, _) = md(&s);
            prop_assert!(!body.contains("\n\n\n"));
        }

        #[test]
        fn plain_words_survive(words in proptest::collection::vec("[a-z]{1,10}", 1..30)) {
            let text = words.join(" ");
            let (_, body, _) = md(&format!("*{text}*\n"));
            prop_assert_eq!(body, text);
        }
    }
}
